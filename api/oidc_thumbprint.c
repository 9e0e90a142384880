/* An OIDC issuer's thumbprint (see oidc_thumbprint.h). */
#include "oidc_thumbprint.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "http.h"

#define DISCOVERY_PATH "/.well-known/openid-configuration"

struct thumbprint_op {
    oidc_thumbprint_fn done;
    void *ctx;
};

int oidc_thumbprint_of_pem(const char *pem, char out[OIDC_THUMBPRINT_LEN + 1])
{
    BIO *bio = BIO_new_mem_buf(pem, -1);
    X509 *cert = bio ? PEM_read_bio_X509(bio, NULL, NULL, NULL) : NULL;
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned len = 0;
    int ok = cert && X509_digest(cert, EVP_sha1(), digest, &len) == 1 &&
             len * 2 == OIDC_THUMBPRINT_LEN;
    for (unsigned i = 0; ok && i < len; i++)
        snprintf(out + 2 * i, 3, "%02x", digest[i]);
    X509_free(cert);
    BIO_free(bio);
    return ok ? 0 : -1;
}

static void on_reply(const struct http_request *req, struct http_response *res,
                     void *ctx)
{
    struct thumbprint_op *op = ctx;
    struct api_error err = {0};
    char thumbprint[OIDC_THUMBPRINT_LEN + 1];
    /* Only the chain matters: eksctl reads it whatever the status. */
    if (res->failed)
        api_error_set(&err, "IssuerUnreachable", "cannot read the TLS "
                      "certificates of %s: %s", req->url, res->error);
    else if (!res->last_cert_pem ||
             oidc_thumbprint_of_pem(res->last_cert_pem, thumbprint) < 0)
        api_error_set(&err, "NoCertificate", "%s sent no certificate chain "
                      "albatross could read", req->url);
    if (err.code[0])
        op->done(NULL, &err, op->ctx);
    else
        op->done(thumbprint, NULL, op->ctx);
    free(op);
}

/* The discovery document's URL: issuer without a trailing slash, then
 * DISCOVERY_PATH. NULL when out of memory. */
static char *discovery_url(const char *issuer)
{
    size_t len = strlen(issuer);
    while (len > strlen("https://") && issuer[len - 1] == '/')
        len--;
    char *url = malloc(len + sizeof(DISCOVERY_PATH));
    if (url) {
        memcpy(url, issuer, len);
        memcpy(url + len, DISCOVERY_PATH, sizeof(DISCOVERY_PATH));
    }
    return url;
}

int oidc_thumbprint(struct aws_session *s, const char *issuer,
                    oidc_thumbprint_fn done, void *ctx)
{
    struct api_error err = {0};
    if (!issuer || strncmp(issuer, "https://", 8) != 0 || !issuer[8] ||
        strchr(issuer, '?') || strchr(issuer, '#')) {
        api_error_set(&err, "InvalidIssuer", "OIDC issuer \"%s\" is not an "
                      "https:// URL without a query; EKS issuers look like "
                      "https://oidc.eks.REGION.amazonaws.com/id/ID",
                      issuer ? issuer : "");
        done(NULL, &err, ctx);
        return -1;
    }
    struct thumbprint_op *op = calloc(1, sizeof(*op));
    char *url = discovery_url(issuer);
    struct http_request *req = op && url ? http_request_new("GET", url)
                                         : NULL;
    free(url);
    if (req) {
        req->want_cert_chain = 1;
        req->max_response = 1u << 20;  /* a discovery document is small */
    }
    if (!req || (s->ca_pem && http_request_set(&req->ca_pem, s->ca_pem) < 0)) {
        http_request_free(req);
        free(op);
        api_error_set(&err, "OutOfMemory", "out of memory reading the "
                      "certificates of %s", issuer);
        done(NULL, &err, ctx);
        return -1;
    }
    op->done = done;
    op->ctx = ctx;
    if (http_submit(s->http, req, on_reply, op) < 0) {
        free(op);
        api_error_set(&err, "IssuerUnreachable", "cannot start a request "
                      "to %s", issuer);
        done(NULL, &err, ctx);
        return -1;
    }
    return 0;
}
