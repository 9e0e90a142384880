/*
 * The EKS bearer token, made the way aws-cli's `eks get-token` makes it:
 * a presigned STS GetCallerIdentity GET over an empty body.
 */
#include "eks_token.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#define EXPIRES_SECONDS 60
#define URL_MAX 8192

/* The parts of sts_url the token needs. */
struct sts_endpoint {
    char scheme[8];
    char authority[256]; /* as written in sts_url */
    char host[256];      /* the Host header: lower case, default port off */
    char path[512];
};

static int copy_span(char *dst, size_t size, const char *src, size_t len)
{
    if (len >= size)
        return -1;
    memcpy(dst, src, len);
    dst[len] = '\0';
    return 0;
}

/* Host header value for authority, as botocore derives it: the host in
 * lower case, with the port only when it is not the scheme's default. */
static int host_header(struct sts_endpoint *ep)
{
    const char *a = ep->authority;
    const char *end = a + strlen(a);
    const char *colon = a[0] == '[' ? strchr(a, ']') : strrchr(a, ':');
    const char *port = NULL;

    if (a[0] == '[') {
        if (!colon)
            return -1;
        colon++;
        if (*colon && *colon != ':')
            return -1;
    }
    if (colon && *colon == ':') {
        port = colon + 1;
        end = colon;
        if (!*port || strspn(port, "0123456789") != strlen(port))
            return -1;
    }
    if (end == a || copy_span(ep->host, sizeof(ep->host), a, (size_t)(end - a)))
        return -1;
    for (char *p = ep->host; *p; p++)
        *p = (char)tolower((unsigned char)*p);

    int default_port = strcmp(ep->scheme, "https") == 0 ? 443 : 80;
    if (port && atoi(port) != default_port) {
        size_t len = strlen(ep->host);
        if (len + 1 + strlen(port) >= sizeof(ep->host))
            return -1;
        ep->host[len] = ':';
        strcpy(ep->host + len + 1, port);
    }
    return 0;
}

/* Splits "https://host[:port][/path]". User info or a query is invalid. */
static int parse_endpoint(const char *url, struct sts_endpoint *ep)
{
    const char *sep = strstr(url, "://");

    if (!sep || copy_span(ep->scheme, sizeof(ep->scheme), url,
                          (size_t)(sep - url)))
        return -1;
    if (strcmp(ep->scheme, "https") != 0 && strcmp(ep->scheme, "http") != 0)
        return -1;

    const char *auth = sep + 3;
    size_t auth_len = strcspn(auth, "/?#");
    const char *path = auth + auth_len;
    if (memchr(auth, '@', auth_len) || strpbrk(path, "?#") ||
        copy_span(ep->authority, sizeof(ep->authority), auth, auth_len) ||
        copy_span(ep->path, sizeof(ep->path), *path ? path : "/",
                  *path ? strlen(path) : 1))
        return -1;
    return host_header(ep);
}

/* Appends unpadded base64url (RFC 4648, section 5) of data. */
static int put_base64url(struct buf *out, const char *data, size_t len)
{
    size_t cap = 4 * ((len + 2) / 3) + 1;
    unsigned char *text = malloc(cap);
    int rc = -1;

    if (!text)
        return -1;
    int n = EVP_EncodeBlock(text, (const unsigned char *)data, (int)len);
    while (n > 0 && text[n - 1] == '=')
        n--;
    for (int i = 0; i < n; i++) {
        if (text[i] == '+')
            text[i] = '-';
        else if (text[i] == '/')
            text[i] = '_';
    }
    if (n >= 0)
        rc = buf_append(out, text, (size_t)n);
    free(text);
    return rc;
}

static int presigned_url(const struct sigv4_credentials *creds,
                         const char *region, const struct sts_endpoint *ep,
                         const char *cluster_name, time_t now,
                         struct buf *url)
{
    static const struct sigv4_pair query[] = {
        { "Action", "GetCallerIdentity" }, { "Version", "2011-06-15" },
    };
    const struct sigv4_pair headers[] = {
        { "host", ep->host }, { "x-k8s-aws-id", cluster_name },
    };
    struct sigv4_request req = {
        .method = "GET", .path = ep->path, .query = query, .query_count = 2,
        .headers = headers, .header_count = 2,
    };
    struct sigv4_scope scope = {
        .region = region, .service = "sts", .time = now,
        .normalize_path = 1, .double_encode = 1,
    };

    if (buf_printf(url, "%s://%s", ep->scheme, ep->authority) < 0 ||
        sigv4_uri_encode(url, ep->path, strlen(ep->path), 1) < 0 ||
        buf_putc(url, '?') < 0)
        return -1;
    return sigv4_presign(&req, creds, &scope, EXPIRES_SECONDS, url);
}

int eks_token_make(const struct sigv4_credentials *creds, const char *region,
                   const char *sts_url, const char *cluster_name, time_t now,
                   struct buf *token)
{
    struct sts_endpoint ep;
    struct buf url;
    int rc = -1;

    if (parse_endpoint(sts_url, &ep) < 0)
        return -1;
    /* The URL is itself a credential until it expires: wipe it. */
    buf_init(&url, URL_MAX);
    if (presigned_url(creds, region, &ep, cluster_name, now, &url) == 0 &&
        buf_puts(token, EKS_TOKEN_PREFIX) == 0 &&
        put_base64url(token, url.data, url.len) == 0)
        rc = 0;
    buf_wipe(&url);
    return rc;
}
