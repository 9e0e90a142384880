/*
 * Secrets taken out of what albatross logs: --debug writes every request
 * header to the log file, and these keep credentials, bearer tokens, EKS
 * tokens and signatures out of it.
 */
#ifndef ALBATROSS_REDACT_H
#define ALBATROSS_REDACT_H

#include <stddef.h>

#define REDACTED "[redacted]"

/* Whether a header of this name carries a credential: Authorization,
 * Proxy-Authorization, X-Amz-Security-Token, Cookie and Set-Cookie
 * (case-insensitive). */
int redact_header_is_secret(const char *name);

/* Copies a "Name: value" header line into out (truncated to len), with
 * the value of a secret header replaced by REDACTED. Authorization keeps
 * its scheme ("Bearer", "AWS4-HMAC-SHA256") and SigV4's Credential and
 * SignedHeaders, which name the access key id but no secret. */
void redact_header_line(const char *line, char *out, size_t len);

#endif
