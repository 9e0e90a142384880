/*
 * The thumbprint IAM keeps for an OIDC provider, computed as eksctl
 * computes it: connect to the issuer over TLS, take the last
 * certificate of the chain the server sends (the top CA it presents),
 * and hash its DER with SHA-1, written as 40 lower-case hex digits.
 *
 * The connection goes through the event loop's HTTP client (a GET of
 * the issuer's discovery document on a connection of its own), so
 * nothing blocks. The server is verified as any AWS endpoint is: with
 * the session's CA bundle (AWS_CA_BUNDLE, ca_bundle) or the system
 * store.
 */
#ifndef ALBATROSS_OIDC_THUMBPRINT_H
#define ALBATROSS_OIDC_THUMBPRINT_H

#include "aws.h"
#include "error.h"

#define OIDC_THUMBPRINT_LEN 40

/* thumbprint is valid during the call; NULL when err is set. */
typedef void (*oidc_thumbprint_fn)(const char *thumbprint,
                                   const struct api_error *err, void *ctx);

/*
 * Reads the chain of issuer (https://HOST[/PATH]) and calls done once,
 * from the event loop, or at once when the request cannot start (then
 * the return value is -1). Errors: "InvalidIssuer" (not https),
 * "IssuerUnreachable" (connection or TLS failure, with curl's reason),
 * "NoCertificate" (the server sent no chain).
 */
int oidc_thumbprint(struct aws_session *s, const char *issuer,
                    oidc_thumbprint_fn done, void *ctx);

/* SHA-1 of the DER of the first certificate in pem, in hex, into out.
 * Returns 0, or -1 when pem holds no certificate. */
int oidc_thumbprint_of_pem(const char *pem,
                           char out[OIDC_THUMBPRINT_LEN + 1]);

#endif
