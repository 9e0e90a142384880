/*
 * The sandbox's certificates: a throwaway CA and a server certificate for
 * 127.0.0.1, ::1 and localhost that it signs, made fresh at every start
 * so no key ever lives on disk longer than the sandbox runs.
 */
#ifndef SANDBOX_TLS_H
#define SANDBOX_TLS_H

#include <stddef.h>

struct tls_pems {
    char *ca_cert;      /* PEM; clients trust this */
    /* PEM chain: the server certificate, signed by the CA, then the CA,
     * as servers send their chain. The CA is the chain's last
     * certificate, whose SHA-1 is an OIDC issuer's thumbprint. */
    char *server_cert;
    char *server_key;   /* PEM (PKCS #8); wiped by tls_pems_cleanup */
};

/* Generates the CA and the server certificate; returns 0, or -1 with a
 * message in err. On failure out is left empty. */
int tls_pems_generate(struct tls_pems *out, char *err, size_t errlen);
void tls_pems_cleanup(struct tls_pems *pems);

#endif
