/*
 * Request authentication as AWS does it: SigV4 Authorization headers,
 * presigned query strings, and EKS bearer tokens (a presigned STS
 * GetCallerIdentity URL, checked as aws-iam-authenticator checks it).
 * Signatures are recomputed with api/sigv4.c from exactly the signed
 * headers and the request as received, host and port included.
 */
#include "server.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/crypto.h>

#include "../api/base64.h"

/* AWS accepts a request time within 15 minutes of its own clock. */
#define CLOCK_SKEW_MAX (15 * 60)
#define SIGNED_HEADERS_MAX 64
/* aws-iam-authenticator's limits on tokens. */
#define TOKEN_MAX 4096
#define TOKEN_PREFIX "k8s-aws-v1."
#define TOKEN_QUERY_MAX 16
#define PRESIGN_EXPIRES_MAX 900

#define MSG_INVALID_KEY "The security token included in the request is invalid."
#define MSG_EXPIRED_TOKEN "The security token included in the request is expired"
#define MSG_MISMATCH "The request signature we calculated does not match " \
    "the signature you provided. Check your AWS Secret Access Key and " \
    "signing method. Consult the service documentation for details."

/* The parts of a request that its signature covers, taken from an
 * Authorization header or from a presigned query string. */
struct signed_request {
    const char *method;
    const char *path;
    const struct sigv4_pair *query;   /* without X-Amz-Signature */
    size_t query_count;
    const struct sigv4_pair *headers; /* every header available */
    size_t header_count;
    const char *body;
    size_t body_len;
    const char *payload_hash;
    const char *access_key_id;
    const char *date;           /* yyyymmdd of the credential scope */
    const char *region;
    const char *service;
    const char *amz_date;       /* yyyymmddThhmmssZ */
    const char *signed_headers; /* "host;x-amz-date" */
    const char *signature;
    const char *session_token;  /* as sent, or NULL */
};

static const char *fail(char *msg, size_t msglen, const char *code,
                        const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static const char *fail(char *msg, size_t msglen, const char *code,
                        const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, msglen, fmt, ap);
    va_end(ap);
    return code;
}

/* Picks the headers named in signed_headers out of all of them; repeated
 * names are all kept, and sigv4 joins them with commas. */
static int pick_headers(const struct signed_request *s,
                        struct sigv4_pair *out, size_t max, size_t *count)
{
    char names[1024];
    *count = 0;
    if (strlen(s->signed_headers) >= sizeof(names))
        return -1;
    strcpy(names, s->signed_headers);
    for (char *save, *name = strtok_r(names, ";", &save); name;
         name = strtok_r(NULL, ";", &save)) {
        for (size_t i = 0; i < s->header_count; i++) {
            if (strcasecmp(s->headers[i].name, name) != 0)
                continue;
            if (*count == max)
                return -1;
            out[(*count)++] = s->headers[i];
        }
    }
    return 0;
}

static int signed_has(const char *signed_headers, const char *name)
{
    size_t len = strlen(name);
    for (const char *p = signed_headers; p && *p;) {
        const char *end = strchr(p, ';');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        if (n == len && strncasecmp(p, name, len) == 0)
            return 1;
        p = end ? end + 1 : NULL;
    }
    return 0;
}

/* Recomputes the signature of s with secret; 1 when it matches. */
static int signature_matches(const struct signed_request *s,
                             const char *secret, time_t when)
{
    struct sigv4_pair headers[SIGNED_HEADERS_MAX];
    size_t header_count;
    if (pick_headers(s, headers, SIGNED_HEADERS_MAX, &header_count) < 0)
        return 0;
    struct sigv4_request r = {
        .method = s->method, .path = s->path,
        .query = s->query, .query_count = s->query_count,
        .headers = headers, .header_count = header_count,
        .body = s->body, .body_len = s->body_len,
        .payload_hash = s->payload_hash,
    };
    int s3 = strcmp(s->service, "s3") == 0;
    struct sigv4_scope scope = {
        .region = s->region, .service = s->service, .time = when,
        .normalize_path = !s3, .double_encode = !s3,
    };
    struct buf canonical, to_sign;
    char hex[SIGV4_HEX_LEN + 1];
    buf_init(&canonical, 0);
    buf_init(&to_sign, 0);
    int ok = sigv4_canonical_request(&r, &scope, &canonical, NULL) == 0 &&
             sigv4_string_to_sign(&scope, canonical.data, &to_sign) == 0 &&
             sigv4_signature(secret, &scope, to_sign.data, hex) == 0 &&
             strlen(s->signature) == SIGV4_HEX_LEN &&
             CRYPTO_memcmp(hex, s->signature, SIGV4_HEX_LEN) == 0;
    buf_cleanup(&canonical);
    buf_cleanup(&to_sign);
    return ok;
}

/* The key and its session token, as STS and IAM judge them. */
static const char *check_key(const struct world *w,
                             const struct signed_request *s, time_t now,
                             const struct world_credential **who, char *msg,
                             size_t msglen)
{
    const struct world_credential *c = world_credential(w, s->access_key_id);
    if (!c)
        return fail(msg, msglen, "InvalidClientTokenId", MSG_INVALID_KEY);
    int token_ok = c->session_token
        ? s->session_token && strcmp(c->session_token, s->session_token) == 0
        : !s->session_token;
    if (!token_ok)
        return fail(msg, msglen, "InvalidClientTokenId", MSG_INVALID_KEY);
    if (c->expiration && now >= c->expiration)
        return fail(msg, msglen, "ExpiredToken", MSG_EXPIRED_TOKEN);
    *who = c;
    return NULL;
}

/* Request time against the credential scope and the sandbox clock, with
 * AWS's own messages. */
static const char *check_time(const struct signed_request *s, time_t now,
                              time_t *when, char *msg, size_t msglen)
{
    char now_text[17], edge[17];
    if (sigv4_parse_time(s->amz_date, when) < 0)
        return fail(msg, msglen, "IncompleteSignature", "Date must be in "
                    "ISO-8601 'basic format'. Got '%s'. See "
                    "http://en.wikipedia.org/wiki/ISO_8601", s->amz_date);
    if (strncmp(s->date, s->amz_date, 8) != 0)
        return fail(msg, msglen, "SignatureDoesNotMatch", "Date in Credential "
                    "scope does not match YYYYMMDD from ISO-8601 version of "
                    "date from HTTP: '%s' != '%.8s', from '%s'.", s->date,
                    s->amz_date, s->amz_date);
    sigv4_format_time(now, now_text);
    if (*when < now - CLOCK_SKEW_MAX) {
        sigv4_format_time(now - CLOCK_SKEW_MAX, edge);
        return fail(msg, msglen, "SignatureDoesNotMatch", "Signature expired: "
                    "%s is now earlier than %s (%s - 15 min.)", s->amz_date,
                    edge, now_text);
    }
    if (*when > now + CLOCK_SKEW_MAX) {
        sigv4_format_time(now + CLOCK_SKEW_MAX, edge);
        return fail(msg, msglen, "SignatureDoesNotMatch", "Signature not yet "
                    "current: %s is still later than %s (%s + 15 min.)",
                    s->amz_date, edge, now_text);
    }
    return NULL;
}

static const char *verify_signed(const struct world *w,
                                 const struct signed_request *s, time_t now,
                                 const struct world_credential **who,
                                 char *msg, size_t msglen)
{
    time_t when;
    const char *code = check_key(w, s, now, who, msg, msglen);
    if (!code)
        code = check_time(s, now, &when, msg, msglen);
    if (!code && !signed_has(s->signed_headers, "host"))
        code = fail(msg, msglen, "SignatureDoesNotMatch", "'Host' or "
                    "':authority' must be a 'SignedHeader' in the AWS "
                    "Authorization.");
    if (!code && !signature_matches(s, (*who)->secret_access_key, when))
        code = fail(msg, msglen, "SignatureDoesNotMatch", MSG_MISMATCH);
    if (code)
        *who = NULL;
    return code;
}

/* Splits "AKID/yyyymmdd/region/service/aws4_request" in place. */
static int split_credential(char *text, struct signed_request *s)
{
    char *parts[5];
    char *p = text;
    for (int i = 0; i < 5; i++) {
        parts[i] = p;
        p = strchr(p, '/');
        if ((i < 4) != (p != NULL))
            return -1;
        if (p)
            *p++ = '\0';
    }
    if (strcmp(parts[4], "aws4_request") != 0 || strlen(parts[1]) != 8 ||
        !*parts[0] || !*parts[2] || !*parts[3])
        return -1;
    s->access_key_id = parts[0];
    s->date = parts[1];
    s->region = parts[2];
    s->service = parts[3];
    return 0;
}

static const char *verify_header(const struct world *w,
                                 const struct sb_request *req,
                                 const char *authorization,
                                 const struct world_credential **who,
                                 char *msg, size_t msglen)
{
    struct sigv4_authorization_parts parts;
    if (sigv4_parse_authorization(authorization, &parts) < 0)
        return fail(msg, msglen, "IncompleteSignature", "Authorization header "
                    "requires 'Credential' parameter. Authorization header "
                    "requires 'Signature' parameter. Authorization header "
                    "requires 'SignedHeaders' parameter.");
    const char *amz_date = sb_header(req, "x-amz-date");
    const char *hash = sb_header(req, "x-amz-content-sha256");
    struct signed_request s = {
        .method = req->method, .path = req->path,
        .query = req->query, .query_count = req->query_count,
        .headers = req->headers, .header_count = req->header_count,
        .body = req->body, .body_len = req->body_len,
        .payload_hash = hash,
        .access_key_id = parts.access_key_id, .date = parts.date,
        .region = parts.region, .service = parts.service,
        .amz_date = amz_date, .signed_headers = parts.signed_headers,
        .signature = parts.signature,
        .session_token = sb_header(req, "x-amz-security-token"),
    };
    const char *code;
    if (!amz_date)
        code = fail(msg, msglen, "IncompleteSignature", "Authorization header "
                    "requires existence of either a 'X-Amz-Date' or a 'Date' "
                    "header. Authorization=%.40s...", authorization);
    else
        code = verify_signed(w, &s, req->now, who, msg, msglen);
    sigv4_authorization_free(&parts);
    return code;
}

static const char *pair_value(const struct sigv4_pair *pairs, size_t count,
                              const char *name)
{
    for (size_t i = 0; i < count; i++)
        if (strcmp(pairs[i].name, name) == 0)
            return pairs[i].value;
    return NULL;
}

/* Fills the presigning fields of s from the X-Amz-* query parameters and
 * copies the other parameters to rest. Returns NULL or a reason. */
static const char *read_presigned(const struct sigv4_pair *query,
                                  size_t count, struct signed_request *s,
                                  char *credential, size_t credential_len,
                                  struct sigv4_pair *rest, size_t *rest_count)
{
    const char *algorithm = pair_value(query, count, "X-Amz-Algorithm");
    const char *cred = pair_value(query, count, "X-Amz-Credential");
    s->amz_date = pair_value(query, count, "X-Amz-Date");
    s->signed_headers = pair_value(query, count, "X-Amz-SignedHeaders");
    s->signature = pair_value(query, count, "X-Amz-Signature");
    s->session_token = pair_value(query, count, "X-Amz-Security-Token");
    if (!algorithm || strcmp(algorithm, "AWS4-HMAC-SHA256") != 0)
        return "X-Amz-Algorithm must be AWS4-HMAC-SHA256";
    if (!cred || !s->amz_date || !s->signed_headers || !s->signature)
        return "X-Amz-Credential, X-Amz-Date, X-Amz-SignedHeaders and "
               "X-Amz-Signature are all required";
    if (strlen(cred) >= credential_len)
        return "X-Amz-Credential is too long";
    strcpy(credential, cred);
    if (split_credential(credential, s) < 0)
        return "X-Amz-Credential must be KEY/DATE/REGION/SERVICE/"
               "aws4_request";
    *rest_count = 0;
    for (size_t i = 0; i < count; i++)
        if (strcmp(query[i].name, "X-Amz-Signature") != 0)
            rest[(*rest_count)++] = query[i];
    s->query = rest;
    s->query_count = *rest_count;
    return NULL;
}

/* A presigned request (query-string authentication) to the AWS APIs. */
static const char *verify_query(const struct world *w,
                                const struct sb_request *req,
                                const struct world_credential **who,
                                char *msg, size_t msglen)
{
    struct signed_request s = {
        .method = req->method, .path = req->path,
        .headers = req->headers, .header_count = req->header_count,
        .body = req->body, .body_len = req->body_len,
        .payload_hash = sb_header(req, "x-amz-content-sha256"),
    };
    char credential[256];
    struct sigv4_pair *rest = calloc(req->query_count + 1, sizeof(*rest));
    size_t rest_count;
    if (!rest)
        return fail(msg, msglen, "InternalFailure", "out of memory");
    const char *why = read_presigned(req->query, req->query_count, &s,
                                     credential, sizeof(credential), rest,
                                     &rest_count);
    const char *code = why
        ? fail(msg, msglen, "AuthorizationQueryParametersError", "%s", why)
        : verify_signed(w, &s, req->now, who, msg, msglen);
    free(rest);
    return code;
}

const char *auth_verify_request(const struct world *w,
                                const struct sb_request *req,
                                const struct world_credential **who,
                                char *msg, size_t msglen)
{
    const char *authorization = sb_header(req, "Authorization");
    *who = NULL;
    if (authorization)
        return verify_header(w, req, authorization, who, msg, msglen);
    if (sb_query(req, "X-Amz-Signature"))
        return verify_query(w, req, who, msg, msglen);
    return fail(msg, msglen, "MissingAuthenticationToken",
                "Request is missing Authentication Token");
}

static int hex_value(int c)
{
    if (isdigit(c))
        return c - '0';
    c = tolower(c);
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Percent-decodes s in place, '+' as a space as Go's url.ParseQuery
 * does; returns -1 on a bad escape. */
static int url_decode(char *s)
{
    char *out = s;
    for (; *s; s++) {
        if (*s == '+') {
            *out++ = ' ';
        } else if (*s == '%') {
            int hi = hex_value((unsigned char)s[1]);
            int lo = hi < 0 ? -1 : hex_value((unsigned char)s[2]);
            if (lo < 0)
                return -1;
            *out++ = (char)(hi * 16 + lo);
            s += 2;
        } else {
            *out++ = *s;
        }
    }
    *out = '\0';
    return 0;
}

static const char *const token_query_keys[] = {
    "action", "version", "x-amz-algorithm", "x-amz-credential",
    "x-amz-date", "x-amz-expires", "x-amz-security-token",
    "x-amz-signature", "x-amz-signedheaders", NULL,
};

static int allowed_token_key(const char *name)
{
    for (const char *const *k = token_query_keys; *k; k++)
        if (strcasecmp(*k, name) == 0)
            return 1;
    return 0;
}

/* Splits query (in place) into decoded pairs: only the keys the
 * authenticator allows, each once. */
static const char *split_token_query(char *query, struct sigv4_pair *pairs,
                                     size_t *count)
{
    *count = 0;
    for (char *save, *item = strtok_r(query, "&", &save); item;
         item = strtok_r(NULL, "&", &save)) {
        char *eq = strchr(item, '=');
        if (eq)
            *eq = '\0';
        if (url_decode(item) < 0 || (eq && url_decode(eq + 1) < 0))
            return "query has a bad percent escape";
        if (!allowed_token_key(item))
            return "query has a parameter the authenticator does not allow";
        for (size_t i = 0; i < *count; i++)
            if (strcasecmp(pairs[i].name, item) == 0)
                return "query repeats a parameter";
        if (*count == TOKEN_QUERY_MAX)
            return "query has too many parameters";
        pairs[*count].name = item;
        pairs[(*count)++].value = eq ? eq + 1 : "";
    }
    return NULL;
}

/* "https://HOST/?QUERY": points host and query into url (changed in
 * place). */
static const char *split_token_url(char *url, char **host, char **query)
{
    if (strncmp(url, "https://", 8) != 0)
        return "token URL is not https";
    *host = url + 8;
    char *slash = strchr(*host, '/');
    if (!slash || slash == *host)
        return "token URL has no host";
    *slash = '\0';
    char *path = slash + 1;
    char *mark = strchr(path, '?');
    if (!mark)
        return "token URL has no query";
    *mark = '\0';
    if (*path)
        return "token URL path is not /";
    *query = mark + 1;
    return NULL;
}

/* The presigned fields a token must carry besides its signature. */
static const char *check_token_fields(const struct sigv4_pair *pairs,
                                      size_t count,
                                      const struct signed_request *s,
                                      time_t now)
{
    const char *action = pair_value(pairs, count, "Action");
    const char *expires = pair_value(pairs, count, "X-Amz-Expires");
    time_t when;
    if (!action || strcmp(action, "GetCallerIdentity") != 0)
        return "token is not for GetCallerIdentity";
    if (!signed_has(s->signed_headers, "x-k8s-aws-id"))
        return "x-k8s-aws-id is not among the signed headers";
    char *end;
    long seconds = expires ? strtol(expires, &end, 10) : -1;
    if (!expires || *end || seconds < 0 || seconds > PRESIGN_EXPIRES_MAX)
        return "X-Amz-Expires must be 0 to 900";
    if (strcmp(s->service, "sts") != 0)
        return "token is not signed for sts";
    if (sigv4_parse_time(s->amz_date, &when) < 0)
        return "X-Amz-Date is not yyyymmddThhmmssZ";
    /* The authenticator trusts a token for 15 minutes after X-Amz-Date,
     * regardless of X-Amz-Expires. */
    if (now > when + CLOCK_SKEW_MAX)
        return "token expired";
    if (when > now + CLOCK_SKEW_MAX)
        return "token X-Amz-Date is in the future";
    return NULL;
}

static const char *verify_token_url(const struct world *w, char *url,
                                    const char *cluster_name, time_t now,
                                    const struct world_credential **who)
{
    char *host, *query;
    struct sigv4_pair pairs[TOKEN_QUERY_MAX] = {{0}}, rest[TOKEN_QUERY_MAX];
    size_t count, rest_count;
    char credential[256], msg[256];
    const char *why = split_token_url(url, &host, &query);
    if (!why)
        why = split_token_query(query, pairs, &count);
    if (why)
        return why;
    struct sigv4_pair headers[] = {
        {.name = "host", .value = host},
        {.name = "x-k8s-aws-id", .value = cluster_name},
    };
    struct signed_request s = {
        .method = "GET", .path = "/", .headers = headers,
        .header_count = 2, .body = "", .body_len = 0,
    };
    why = read_presigned(pairs, count, &s, credential, sizeof(credential),
                         rest, &rest_count);
    if (!why)
        why = check_token_fields(pairs, count, &s, now);
    if (!why && verify_signed(w, &s, now, who, msg, sizeof(msg)))
        why = "token signature or credentials are not valid";
    return why;
}

const char *auth_verify_eks_token(const struct world *w, const char *token,
                                  const char *cluster_name, time_t now,
                                  const struct world_credential **who)
{
    size_t prefix = strlen(TOKEN_PREFIX);
    *who = NULL;
    if (!token || strnlen(token, TOKEN_MAX + 1) > TOKEN_MAX)
        return "token is missing or longer than 4096 bytes";
    if (strncmp(token, TOKEN_PREFIX, prefix) != 0)
        return "token does not start with " TOKEN_PREFIX;
    struct buf url;
    buf_init(&url, TOKEN_MAX);
    const char *why = NULL;
    if (base64url_decode(token + prefix, strlen(token + prefix), &url) < 0 ||
        !url.data || strlen(url.data) != url.len)
        why = "token is not base64url";
    else
        why = verify_token_url(w, url.data, cluster_name, now, who);
    buf_wipe(&url);
    return why;
}
