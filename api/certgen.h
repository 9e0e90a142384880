/*
 * A throwaway certificate authority and one certificate it signs, made
 * with OpenSSL: the sandbox's HTTPS certificate and the load balancer
 * controller's webhook certificate. The CA's private key is dropped once
 * it has signed, so nothing else can be issued under it.
 */
#ifndef ALBATROSS_CERTGEN_H
#define ALBATROSS_CERTGEN_H

#include <stddef.h>

struct certgen_spec {
    const char *ca_common_name;
    const char *common_name;        /* of the signed certificate */
    /* OpenSSL's config syntax: "DNS:name,IP:127.0.0.1" */
    const char *subject_alt_names;
    long valid_days;                /* both certificates */
};

struct certgen_pems {
    char *ca_cert;      /* PEM; clients trust this */
    char *cert;         /* PEM, signed by the CA */
    char *key;          /* PEM (PKCS #8) of cert's key; secret, wiped by
                         * certgen_pems_cleanup */
};

/* Generates EC P-256 keys, the CA and the certificate of spec. Both are
 * valid from a day ago (a client's clock may lag) for valid_days. Returns
 * 0, or -1 with a message in err and out left empty. */
int certgen_generate(const struct certgen_spec *spec, struct certgen_pems *out,
                     char *err, size_t errlen);
/* Wipes the key, frees all three and leaves pems empty. */
void certgen_pems_cleanup(struct certgen_pems *pems);

#endif
