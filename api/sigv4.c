/*
 * AWS Signature Version 4, as described in AWS's "Create a signed AWS API
 * request" and checked against AWS's signing test suite and botocore.
 *
 * Limits: at most SIGV4_MAX_ITEMS query parameters and headers per
 * request, and secrets of at most SECRET_MAX bytes.
 */
#include "sigv4.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#define ALGORITHM "AWS4-HMAC-SHA256"
#define SIGV4_MAX_ITEMS 4096
#define SECRET_MAX 1024
#define AUTHORIZATION_MAX 8192

/* An encoded name and value. They are offsets into one shared text
 * buffer until every string is written, because the buffer may move. */
struct item {
    size_t name_off;
    size_t value_off;
    size_t order;
    const char *name;
    const char *value;
};

void sigv4_format_time(time_t t, char out[17])
{
    struct tm tm;

    /* Years past 9999 do not fit the format, so they give the epoch. */
    if (!gmtime_r(&t, &tm) || tm.tm_year + 1900 > 9999 ||
        strftime(out, 17, "%Y%m%dT%H%M%SZ", &tm) != 16)
        memcpy(out, "19700101T000000Z", 17);
}

static int digits(const char *s, size_t n, int *out)
{
    int v = 0;

    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return 0;
}

int sigv4_parse_time(const char *s, time_t *out)
{
    int year, mon, day, hour, min, sec;

    if (!s || strlen(s) != 16 || s[8] != 'T' || s[15] != 'Z')
        return -1;
    if (digits(s, 4, &year) || digits(s + 4, 2, &mon) ||
        digits(s + 6, 2, &day) || digits(s + 9, 2, &hour) ||
        digits(s + 11, 2, &min) || digits(s + 13, 2, &sec))
        return -1;
    if (year < 1970 || mon < 1 || mon > 12 || day < 1 || day > 31 ||
        hour > 23 || min > 59 || sec > 59)
        return -1;

    struct tm tm = {
        .tm_year = year - 1900, .tm_mon = mon - 1, .tm_mday = day,
        .tm_hour = hour, .tm_min = min, .tm_sec = sec,
    };
    time_t t = timegm(&tm);
    /* timegm rolls 31 April over into 1 May, so such dates are rejected. */
    if (t == (time_t)-1 || tm.tm_mday != day || tm.tm_mon != mon - 1)
        return -1;
    *out = t;
    return 0;
}

static int unreserved(unsigned char c)
{
    return isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~';
}

int sigv4_uri_encode(struct buf *out, const char *s, size_t len,
                     int keep_slash)
{
    static const char hex[] = "0123456789ABCDEF";

    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        int rc;
        if (c < 0x80 && (unreserved(c) || (keep_slash && c == '/'))) {
            rc = buf_putc(out, (char)c);
        } else {
            char esc[3] = { '%', hex[c >> 4], hex[c & 15] };
            rc = buf_append(out, esc, 3);
        }
        if (rc < 0)
            return -1;
    }
    return 0;
}

static void hex_encode(const unsigned char *md, size_t len, char *hex)
{
    static const char digits_hex[] = "0123456789abcdef";

    for (size_t i = 0; i < len; i++) {
        hex[2 * i] = digits_hex[md[i] >> 4];
        hex[2 * i + 1] = digits_hex[md[i] & 15];
    }
    hex[2 * len] = '\0';
}

static int sha256_hex(const void *data, size_t len, char hex[65])
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int md_len = 0;

    if (!EVP_Digest(data, len, md, &md_len, EVP_sha256(), NULL) ||
        md_len != 32)
        return -1;
    hex_encode(md, md_len, hex);
    return 0;
}

static int hmac(const void *key, size_t key_len, const char *msg,
                unsigned char out[32])
{
    unsigned int len = 0;

    if (!HMAC(EVP_sha256(), key, (int)key_len, (const unsigned char *)msg,
              strlen(msg), out, &len) || len != 32)
        return -1;
    return 0;
}

/*
 * Removes "." and ".." segments and empty segments (doubled slashes), as
 * botocore and the AWS SDKs do, and keeps a leading and a trailing slash.
 */
static int normalize(const char *path, struct buf *out)
{
    size_t len = strlen(path);
    size_t *starts = calloc(len / 2 + 2, sizeof(*starts));
    size_t depth = 0;

    if (!starts)
        return -1;
    buf_reset(out);
    for (size_t i = 0; i < len;) {
        size_t end = i;
        while (end < len && path[end] != '/')
            end++;
        size_t n = end - i;
        if (n == 2 && path[i] == '.' && path[i + 1] == '.') {
            if (depth)
                out->len = starts[--depth];
        } else if (n > 0 && !(n == 1 && path[i] == '.')) {
            starts[depth++] = out->len;
            if (buf_putc(out, '/') < 0 || buf_append(out, path + i, n) < 0)
                goto fail;
        }
        i = end + 1;
    }
    if (len > 0 && path[len - 1] == '/' && depth > 0 && buf_putc(out, '/'))
        goto fail;
    if (out->len == 0 && buf_putc(out, '/') < 0)
        goto fail;
    out->data[out->len] = '\0';
    free(starts);
    return 0;
fail:
    free(starts);
    return -1;
}

static int canonical_uri(const struct sigv4_request *req,
                         const struct sigv4_scope *scope, struct buf *out)
{
    const char *path = req->path && *req->path ? req->path : "/";
    struct buf norm, once;
    int rc = -1;

    buf_init(&norm, 0);
    buf_init(&once, 0);
    if (scope->normalize_path) {
        if (normalize(path, &norm) < 0)
            goto done;
        path = norm.data;
    }
    if (!scope->double_encode) {
        rc = sigv4_uri_encode(out, path, strlen(path), 1);
        goto done;
    }
    if (sigv4_uri_encode(&once, path, strlen(path), 1) == 0)
        rc = sigv4_uri_encode(out, once.data ? once.data : "", once.len, 1);
done:
    buf_cleanup(&norm);
    buf_cleanup(&once);
    return rc;
}

static int compare_query(const void *a, const void *b)
{
    const struct item *x = a, *y = b;
    int c = strcmp(x->name, y->name);

    return c ? c : strcmp(x->value, y->value);
}

static int compare_header(const void *a, const void *b)
{
    const struct item *x = a, *y = b;
    int c = strcmp(x->name, y->name);

    if (c)
        return c;
    return x->order < y->order ? -1 : x->order > y->order;
}

static void resolve(struct item *items, size_t n, const struct buf *text)
{
    for (size_t i = 0; i < n; i++) {
        items[i].name = text->data + items[i].name_off;
        items[i].value = text->data + items[i].value_off;
    }
}

/* Appends "name=value&..." sorted by encoded name, then encoded value. */
static int canonical_query(const struct sigv4_pair *query, size_t count,
                           struct buf *out)
{
    struct item *items;
    struct buf text;
    int rc = -1;

    if (count == 0)
        return 0;
    if (count > SIGV4_MAX_ITEMS || !(items = calloc(count, sizeof(*items))))
        return -1;
    buf_init(&text, 0);
    for (size_t i = 0; i < count; i++) {
        const char *value = query[i].value ? query[i].value : "";
        items[i].name_off = text.len;
        if (sigv4_uri_encode(&text, query[i].name, strlen(query[i].name), 0)
            || buf_putc(&text, '\0') < 0)
            goto done;
        items[i].value_off = text.len;
        if (sigv4_uri_encode(&text, value, strlen(value), 0) ||
            buf_putc(&text, '\0') < 0)
            goto done;
    }
    resolve(items, count, &text);
    qsort(items, count, sizeof(*items), compare_query);
    for (size_t i = 0; i < count; i++)
        if (buf_printf(out, "%s%s=%s", i ? "&" : "", items[i].name,
                       items[i].value) < 0)
            goto done;
    rc = 0;
done:
    free(items);
    buf_cleanup(&text);
    return rc;
}

/* Appends the value without leading and trailing white space and with
 * each inner run of white space (folded lines too) made one space. */
static int put_trimmed(struct buf *out, const char *value)
{
    int space = 0, started = 0;

    for (const char *p = value; *p; p++) {
        if (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n') {
            space = started;
            continue;
        }
        if ((space && buf_putc(out, ' ') < 0) || buf_putc(out, *p) < 0)
            return -1;
        space = 0;
        started = 1;
    }
    return 0;
}

static int put_lower(struct buf *out, const char *s)
{
    for (; *s; s++)
        if (buf_putc(out, (char)tolower((unsigned char)*s)) < 0)
            return -1;
    return 0;
}

static int collect_headers(const struct sigv4_request *req,
                           struct item *items, struct buf *text)
{
    for (size_t i = 0; i < req->header_count; i++) {
        const struct sigv4_pair *h = &req->headers[i];
        if (!h->name || !*h->name)
            return -1;
        items[i].order = i;
        items[i].name_off = text->len;
        if (put_lower(text, h->name) < 0 || buf_putc(text, '\0') < 0)
            return -1;
        items[i].value_off = text->len;
        if (put_trimmed(text, h->value ? h->value : "") < 0 ||
            buf_putc(text, '\0') < 0)
            return -1;
    }
    resolve(items, req->header_count, text);
    qsort(items, req->header_count, sizeof(*items), compare_header);
    return 0;
}

/* Appends "name:value\n" lines (repeated names joined with commas) to
 * lines and "name;name" to names. */
static int canonical_headers(const struct sigv4_request *req,
                             struct buf *lines, struct buf *names)
{
    size_t n = req->header_count;
    struct item *items;
    struct buf text;
    int rc = -1;

    if (n == 0 || n > SIGV4_MAX_ITEMS || !(items = calloc(n, sizeof(*items))))
        return -1;
    buf_init(&text, 0);
    if (collect_headers(req, items, &text) < 0)
        goto done;
    for (size_t i = 0; i < n; i++) {
        int repeat = i > 0 && strcmp(items[i].name, items[i - 1].name) == 0;
        int first = i == 0;
        if (repeat) {
            if (buf_printf(lines, ",%s", items[i].value) < 0)
                goto done;
            continue;
        }
        if ((!first && buf_putc(lines, '\n') < 0) ||
            buf_printf(lines, "%s:%s", items[i].name, items[i].value) < 0 ||
            buf_printf(names, "%s%s", first ? "" : ";", items[i].name) < 0)
            goto done;
    }
    rc = buf_putc(lines, '\n');
done:
    free(items);
    buf_cleanup(&text);
    return rc;
}

int sigv4_canonical_request(const struct sigv4_request *req,
                            const struct sigv4_scope *scope,
                            struct buf *out, struct buf *signed_headers)
{
    struct buf names;
    char body_hash[65];
    const char *payload = req->payload_hash;
    int rc = -1;

    if (!payload) {
        if (sha256_hex(req->body ? req->body : "", req->body_len,
                       body_hash) < 0)
            return -1;
        payload = body_hash;
    }
    buf_init(&names, 0);
    if (buf_printf(out, "%s\n", req->method) < 0 ||
        canonical_uri(req, scope, out) < 0 || buf_putc(out, '\n') < 0 ||
        canonical_query(req->query, req->query_count, out) < 0 ||
        buf_putc(out, '\n') < 0 ||
        canonical_headers(req, out, &names) < 0 ||
        buf_printf(out, "\n%s\n%s", names.data, payload) < 0)
        goto done;
    if (signed_headers && buf_puts(signed_headers, names.data) < 0)
        goto done;
    rc = 0;
done:
    buf_cleanup(&names);
    return rc;
}

/* "20150830/us-east-1/iam/aws4_request" */
static int credential_scope(const struct sigv4_scope *scope, struct buf *out)
{
    char stamp[17];

    sigv4_format_time(scope->time, stamp);
    return buf_printf(out, "%.8s/%s/%s/aws4_request", stamp, scope->region,
                      scope->service);
}

int sigv4_string_to_sign(const struct sigv4_scope *scope,
                         const char *canonical_request, struct buf *out)
{
    char stamp[17], hash[65];

    sigv4_format_time(scope->time, stamp);
    if (sha256_hex(canonical_request, strlen(canonical_request), hash) < 0 ||
        buf_printf(out, ALGORITHM "\n%s\n", stamp) < 0 ||
        credential_scope(scope, out) < 0 ||
        buf_printf(out, "\n%s", hash) < 0)
        return -1;
    return 0;
}

/* The signing key: HMAC chain over date, region, service, "aws4_request". */
static int signing_key(const char *secret, const struct sigv4_scope *scope,
                       unsigned char key[32])
{
    char seed[4 + SECRET_MAX + 1];
    char stamp[17];
    size_t len = strlen(secret);
    int rc = -1;

    if (len > SECRET_MAX)
        return -1;
    memcpy(seed, "AWS4", 4);
    memcpy(seed + 4, secret, len + 1);
    sigv4_format_time(scope->time, stamp);
    stamp[8] = '\0';
    if (hmac(seed, 4 + len, stamp, key) == 0 &&
        hmac(key, 32, scope->region, key) == 0 &&
        hmac(key, 32, scope->service, key) == 0 &&
        hmac(key, 32, "aws4_request", key) == 0)
        rc = 0;
    OPENSSL_cleanse(seed, sizeof(seed));
    return rc;
}

int sigv4_signature(const char *secret_access_key,
                    const struct sigv4_scope *scope,
                    const char *string_to_sign, char *hex)
{
    unsigned char key[32], sig[32];
    int rc = -1;

    if (signing_key(secret_access_key, scope, key) == 0 &&
        hmac(key, sizeof(key), string_to_sign, sig) == 0) {
        hex_encode(sig, sizeof(sig), hex);
        rc = 0;
    }
    OPENSSL_cleanse(key, sizeof(key));
    return rc;
}

/* Signs req as given: canonical request, string to sign, signature. */
static int sign(const struct sigv4_request *req,
                const struct sigv4_credentials *creds,
                const struct sigv4_scope *scope, struct buf *signed_headers,
                char hex[SIGV4_HEX_LEN + 1])
{
    struct buf canonical, to_sign;
    int rc = -1;

    buf_init(&canonical, 0);
    buf_init(&to_sign, 0);
    if (sigv4_canonical_request(req, scope, &canonical, signed_headers) == 0
        && sigv4_string_to_sign(scope, canonical.data, &to_sign) == 0 &&
        sigv4_signature(creds->secret_access_key, scope, to_sign.data,
                        hex) == 0)
        rc = 0;
    buf_cleanup(&canonical);
    buf_cleanup(&to_sign);
    return rc;
}

int sigv4_authorization(const struct sigv4_request *req,
                        const struct sigv4_credentials *creds,
                        const struct sigv4_scope *scope,
                        struct buf *authorization)
{
    struct buf names;
    char hex[SIGV4_HEX_LEN + 1];
    int rc = -1;

    buf_init(&names, 0);
    if (sign(req, creds, scope, &names, hex) == 0 &&
        buf_printf(authorization, ALGORITHM " Credential=%s/",
                   creds->access_key_id) == 0 &&
        credential_scope(scope, authorization) == 0 &&
        buf_printf(authorization, ", SignedHeaders=%s, Signature=%s",
                   names.data, hex) == 0)
        rc = 0;
    buf_cleanup(&names);
    return rc;
}

/* Everything presigning adds before the signature, and where the values
 * live; the strings must outlive the pairs. */
struct presign_params {
    char stamp[17];
    char expires[16];
    struct buf credential;
    struct buf names;
};

static int presign_query(const struct sigv4_request *req,
                         const struct sigv4_credentials *creds,
                         const struct sigv4_scope *scope,
                         struct presign_params *p, struct sigv4_pair *query)
{
    struct buf lines;
    size_t n = req->query_count;
    int rc;

    /* The header lines are only needed for the names they sign. */
    buf_init(&lines, 0);
    rc = canonical_headers(req, &lines, &p->names);
    buf_cleanup(&lines);
    if (rc < 0 || buf_printf(&p->credential, "%s/", creds->access_key_id) ||
        credential_scope(scope, &p->credential) < 0)
        return -1;
    sigv4_format_time(scope->time, p->stamp);
    if (n)
        memcpy(query, req->query, n * sizeof(*query));
    query[n++] = (struct sigv4_pair){ "X-Amz-Algorithm", ALGORITHM };
    query[n++] = (struct sigv4_pair){ "X-Amz-Credential",
                                      p->credential.data };
    query[n++] = (struct sigv4_pair){ "X-Amz-Date", p->stamp };
    query[n++] = (struct sigv4_pair){ "X-Amz-Expires", p->expires };
    query[n++] = (struct sigv4_pair){ "X-Amz-SignedHeaders", p->names.data };
    if (creds->session_token && *creds->session_token)
        query[n++] = (struct sigv4_pair){ "X-Amz-Security-Token",
                                          creds->session_token };
    return (int)n;
}

/* Appends req's own parameters, sorted, then the presigning parameters
 * in the order botocore writes them, so tokens equal aws-cli's. */
static int put_presigned_query(const struct sigv4_request *req,
                               const struct sigv4_pair *added, size_t count,
                               struct buf *out)
{
    if (canonical_query(req->query, req->query_count, out) < 0)
        return -1;
    for (size_t i = 0; i < count; i++) {
        const char *value = added[i].value;
        if ((i > 0 || req->query_count > 0) && buf_putc(out, '&') < 0)
            return -1;
        if (sigv4_uri_encode(out, added[i].name, strlen(added[i].name), 0) ||
            buf_putc(out, '=') < 0 ||
            sigv4_uri_encode(out, value, strlen(value), 0) < 0)
            return -1;
    }
    return 0;
}

int sigv4_presign(const struct sigv4_request *req,
                  const struct sigv4_credentials *creds,
                  const struct sigv4_scope *scope, unsigned expires_seconds,
                  struct buf *query_out)
{
    struct presign_params p;
    struct sigv4_request signed_req = *req;
    struct sigv4_pair *query;
    char hex[SIGV4_HEX_LEN + 1];
    int n, rc = -1;

    if (req->query_count > SIGV4_MAX_ITEMS ||
        !(query = calloc(req->query_count + 6, sizeof(*query))))
        return -1;
    buf_init(&p.credential, 0);
    buf_init(&p.names, 0);
    snprintf(p.expires, sizeof(p.expires), "%u", expires_seconds);
    n = presign_query(req, creds, scope, &p, query);
    if (n < 0)
        goto done;
    signed_req.query = query;
    signed_req.query_count = (size_t)n;
    if (sign(&signed_req, creds, scope, NULL, hex) == 0 &&
        put_presigned_query(req, query + req->query_count,
                            (size_t)n - req->query_count, query_out) == 0 &&
        buf_printf(query_out, "&X-Amz-Signature=%s", hex) == 0)
        rc = 0;
done:
    free(query);
    buf_cleanup(&p.credential);
    buf_cleanup(&p.names);
    return rc;
}

static int is_hex_lower(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!isdigit((unsigned char)s[i]) && (s[i] < 'a' || s[i] > 'f'))
            return 0;
    return s[n] == '\0';
}

/* "host;x-amz-date": lower-case names separated by single semicolons. */
static int valid_header_list(const char *s)
{
    int empty = 1;

    for (; *s; s++) {
        if (*s == ';') {
            if (empty)
                return 0;
            empty = 1;
        } else if (islower((unsigned char)*s) || isdigit((unsigned char)*s) ||
                   *s == '-' || *s == '_' || *s == '.') {
            empty = 0;
        } else {
            return 0;
        }
    }
    return !empty;
}

/* Splits "AKID/20150830/us-east-1/iam/aws4_request" in place. */
static int split_credential(char *s, struct sigv4_authorization_parts *out)
{
    char *part[5];
    int n = 0;

    part[n++] = s;
    for (char *p = s; *p; p++) {
        if (*p != '/')
            continue;
        if (n == 5)
            return -1;
        *p = '\0';
        part[n++] = p + 1;
    }
    if (n != 5 || strcmp(part[4], "aws4_request") != 0)
        return -1;
    for (int i = 0; i < 4; i++)
        if (!*part[i])
            return -1;
    int unused;
    if (strlen(part[1]) != 8 || digits(part[1], 8, &unused) < 0)
        return -1;
    out->access_key_id = part[0];
    out->date = part[1];
    out->region = part[2];
    out->service = part[3];
    return 0;
}

/* Stores one "Key=value" component; each key may appear once. */
static int take_component(char *comp, struct sigv4_authorization_parts *out,
                          char **credential)
{
    char *eq = strchr(comp, '=');

    if (!eq || !eq[1])
        return -1;
    *eq = '\0';
    const char *value = eq + 1;
    if (strcmp(comp, "Credential") == 0 && !*credential) {
        *credential = eq + 1;
    } else if (strcmp(comp, "SignedHeaders") == 0 && !out->signed_headers) {
        if (!valid_header_list(value))
            return -1;
        out->signed_headers = value;
    } else if (strcmp(comp, "Signature") == 0 && !out->signature) {
        if (strlen(value) != SIGV4_HEX_LEN ||
            !is_hex_lower(value, SIGV4_HEX_LEN))
            return -1;
        out->signature = value;
    } else {
        return -1;
    }
    return 0;
}

static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    char *end = s + strlen(s);
    while (end > s && (end[-1] == ' ' || end[-1] == '\t'))
        *--end = '\0';
    return s;
}

static int parse_components(char *rest, struct sigv4_authorization_parts *out)
{
    char *credential = NULL;

    for (char *comp = rest; comp;) {
        char *comma = strchr(comp, ',');
        if (comma)
            *comma = '\0';
        if (take_component(trim(comp), out, &credential) < 0)
            return -1;
        comp = comma ? comma + 1 : NULL;
    }
    if (!credential || !out->signed_headers || !out->signature)
        return -1;
    return split_credential(credential, out);
}

int sigv4_parse_authorization(const char *value,
                              struct sigv4_authorization_parts *out)
{
    size_t prefix = strlen(ALGORITHM);

    memset(out, 0, sizeof(*out));
    if (!value || strnlen(value, AUTHORIZATION_MAX + 1) > AUTHORIZATION_MAX)
        return -1;
    if (strncmp(value, ALGORITHM, prefix) != 0 ||
        (value[prefix] != ' ' && value[prefix] != '\t'))
        return -1;
    out->copy = strdup(value + prefix);
    if (!out->copy)
        return -1;
    if (parse_components(out->copy, out) < 0) {
        sigv4_authorization_free(out);
        return -1;
    }
    return 0;
}

void sigv4_authorization_free(struct sigv4_authorization_parts *parts)
{
    free(parts->copy);
    memset(parts, 0, sizeof(*parts));
}
