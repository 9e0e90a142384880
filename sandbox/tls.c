/*
 * The sandbox's certificates, made by api/certgen with the names that
 * clients of 127.0.0.1, ::1 and localhost check.
 */
#include "tls.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../api/certgen.h"

#define VALID_DAYS 365

int tls_pems_generate(struct tls_pems *out, char *err, size_t errlen)
{
    const struct certgen_spec spec = {
        .ca_common_name = "albatross-sandbox CA",
        .common_name = "localhost",
        .subject_alt_names = "IP:127.0.0.1,IP:::1,DNS:localhost",
        .valid_days = VALID_DAYS,
    };
    struct certgen_pems pems;

    memset(out, 0, sizeof(*out));
    if (certgen_generate(&spec, &pems, err, errlen) < 0)
        return -1;
    size_t cert_len = strlen(pems.cert), ca_len = strlen(pems.ca_cert);
    char *chain = malloc(cert_len + ca_len + 1);
    if (!chain) {
        certgen_pems_cleanup(&pems);
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    memcpy(chain, pems.cert, cert_len);
    memcpy(chain + cert_len, pems.ca_cert, ca_len + 1);
    free(pems.cert);
    out->ca_cert = pems.ca_cert;
    out->server_cert = chain;
    out->server_key = pems.key;
    return 0;
}

void tls_pems_cleanup(struct tls_pems *pems)
{
    struct certgen_pems generated = {
        .ca_cert = pems->ca_cert,
        .cert = pems->server_cert,
        .key = pems->server_key,
    };
    certgen_pems_cleanup(&generated);
    memset(pems, 0, sizeof(*pems));
}
