/*
 * The OIDC issuers of the sandbox's clusters (see oidc_issuer.h). The
 * discovery document has the fields EKS's has; the keys are the public
 * half of the server's own key, an EC P-256 key, so ES256 is the
 * algorithm named. The sandbox's STS does not check token signatures,
 * so nothing signs with it; the keys are there for clients that read
 * them.
 */
#include "oidc_issuer.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <openssl/bio.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "wfile.h"

#define EC_POINT_LEN 65   /* 0x04, then X and Y of 32 bytes each */
#define COORD_LEN 32

char *oidc_issuer_url(const struct world *w, const char *region,
                      const char *id)
{
    if (w->k8s_base)
        return wfile_printf("%s" OIDC_ISSUER_PREFIX "%s", w->k8s_base, id);
    return wfile_printf("https://oidc.eks.%s.amazonaws.com/id/%s", region,
                        id);
}

/* base64url without padding, as JWKs write their numbers. */
static void base64url(const unsigned char *in, size_t len, char *out)
{
    static const char digits[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    size_t o = 0;
    for (size_t i = 0; i < len; i += 3) {
        unsigned v = (unsigned)in[i] << 16;
        if (i + 1 < len)
            v |= (unsigned)in[i + 1] << 8;
        if (i + 2 < len)
            v |= in[i + 2];
        out[o++] = digits[(v >> 18) & 63];
        out[o++] = digits[(v >> 12) & 63];
        if (i + 1 < len)
            out[o++] = digits[(v >> 6) & 63];
        if (i + 2 < len)
            out[o++] = digits[v & 63];
    }
    out[o] = '\0';
}

/* The JWKS of one EC P-256 public point; NULL when out of memory. */
static char *jwks_of_point(const unsigned char *point)
{
    char x[48], y[48], kid[48];
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned digest_len = 0;
    base64url(point + 1, COORD_LEN, x);
    base64url(point + 1 + COORD_LEN, COORD_LEN, y);
    /* A stable key id: the SHA-1 of the point, as short as EKS's. */
    if (!EVP_Digest(point, EC_POINT_LEN, digest, &digest_len, EVP_sha1(),
                    NULL))
        return NULL;
    base64url(digest, digest_len, kid);
    cJSON *doc = cJSON_CreateObject();
    cJSON *key = cJSON_CreateObject();
    cJSON_AddItemToArray(cJSON_AddArrayToObject(doc, "keys"), key);
    cJSON_AddStringToObject(key, "kty", "EC");
    cJSON_AddStringToObject(key, "crv", "P-256");
    cJSON_AddStringToObject(key, "use", "sig");
    cJSON_AddStringToObject(key, "alg", "ES256");
    cJSON_AddStringToObject(key, "kid", kid);
    cJSON_AddStringToObject(key, "x", x);
    cJSON_AddStringToObject(key, "y", y);
    char *text = cJSON_PrintUnformatted(doc);
    cJSON_Delete(doc);
    return text;
}

int oidc_issuer_set_key(struct world *w, const char *key_pem)
{
    BIO *bio = BIO_new_mem_buf(key_pem, -1);
    EVP_PKEY *key = bio ? PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL)
                        : NULL;
    unsigned char point[EC_POINT_LEN];
    size_t len = 0;
    int ok = key && EVP_PKEY_get_octet_string_param(
                        key, OSSL_PKEY_PARAM_PUB_KEY, point, sizeof(point),
                        &len) == 1 && len == EC_POINT_LEN && point[0] == 4;
    char *jwks = ok ? jwks_of_point(point) : NULL;
    EVP_PKEY_free(key);
    BIO_free(bio);
    if (!jwks)
        return -1;
    free(w->oidc_jwks);
    w->oidc_jwks = jwks;
    return 0;
}

/* The cluster whose issuer is k8s_base followed by the first len bytes
 * of path, or NULL when no cluster has that issuer. */
static const struct world_cluster *issuer_cluster(const struct world *w,
                                                  const char *path,
                                                  size_t len)
{
    size_t base = w->k8s_base ? strlen(w->k8s_base) : 0;
    for (size_t i = 0; base && i < w->cluster_count; i++) {
        const char *issuer = w->clusters[i].oidc_issuer;
        if (issuer && strlen(issuer) == base + len &&
            strncmp(issuer, w->k8s_base, base) == 0 &&
            strncmp(issuer + base, path, len) == 0)
            return &w->clusters[i];
    }
    return NULL;
}

static void send_json(struct sb_response *res, int status, char *text)
{
    buf_reset(&res->body);
    res->status = text ? status : 500;
    res->content_type = "application/json";
    buf_puts(&res->body, text ? text : "{\"message\":\"out of memory\"}");
    free(text);
}

static char *discovery(const char *issuer)
{
    cJSON *doc = cJSON_CreateObject();
    char *keys = wfile_printf("%s/keys", issuer);
    cJSON_AddStringToObject(doc, "issuer", issuer);
    cJSON_AddStringToObject(doc, "jwks_uri", keys ? keys : "");
    cJSON_AddStringToObject(doc, "authorization_endpoint",
                            "urn:kubernetes:programmatic_authorization");
    cJSON *a = cJSON_AddArrayToObject(doc, "response_types_supported");
    cJSON_AddItemToArray(a, cJSON_CreateString("id_token"));
    a = cJSON_AddArrayToObject(doc, "subject_types_supported");
    cJSON_AddItemToArray(a, cJSON_CreateString("public"));
    a = cJSON_AddArrayToObject(doc, "claims_supported");
    cJSON_AddItemToArray(a, cJSON_CreateString("sub"));
    cJSON_AddItemToArray(a, cJSON_CreateString("iss"));
    a = cJSON_AddArrayToObject(doc, "id_token_signing_alg_values_supported");
    cJSON_AddItemToArray(a, cJSON_CreateString("ES256"));
    free(keys);
    char *text = cJSON_PrintUnformatted(doc);
    cJSON_Delete(doc);
    return text;
}

void oidc_issuer_serve(struct world *w, const struct sb_request *req,
                       struct sb_response *res)
{
    static const char discovery_tail[] = "/.well-known/openid-configuration";
    static const char keys_tail[] = "/keys";
    const char *path = req->path;
    size_t len = strlen(path);
    size_t dlen = strlen(discovery_tail), klen = strlen(keys_tail);
    const struct world_cluster *c = NULL;
    int keys = 0;
    if (len > dlen && strcmp(path + len - dlen, discovery_tail) == 0) {
        c = issuer_cluster(w, path, len - dlen);
    } else if (len > klen && strcmp(path + len - klen, keys_tail) == 0) {
        c = issuer_cluster(w, path, len - klen);
        keys = 1;
    }
    if (strcmp(req->method, "GET") != 0 && c) {
        send_json(res, 405, strdup("{\"message\":\"only GET is served\"}"));
    } else if (!c) {
        /* EKS answers unknown issuer paths with a bare 404 too. */
        send_json(res, 404, strdup("{\"message\":\"Not Found\"}"));
    } else if (keys) {
        send_json(res, 200, w->oidc_jwks ? strdup(w->oidc_jwks)
                                          : strdup("{\"keys\":[]}"));
    } else {
        send_json(res, 200, discovery(c->oidc_issuer));
    }
}
