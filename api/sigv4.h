/*
 * AWS Signature Version 4: header signing and query presigning, shared by
 * the client and by the sandbox, which recomputes signatures to verify
 * them. Every function is pure: no clock, no I/O; the caller passes the
 * time.
 */
#ifndef ALBATROSS_SIGV4_H
#define ALBATROSS_SIGV4_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "buf.h"

struct sigv4_credentials {
    const char *access_key_id;
    const char *secret_access_key;
    const char *session_token; /* NULL when the credentials have none */
};

/* A header or a query parameter, decoded (no percent-encoding). */
struct sigv4_pair {
    const char *name;
    const char *value;
};

struct sigv4_request {
    const char *method;
    /* Decoded path, as the server sees it after one percent-decode.
     * It is normalised (unless normalize_path is 0) and encoded once for
     * the canonical request, and once more when double_encode is set. */
    const char *path;
    const struct sigv4_pair *query; /* decoded pairs; order does not matter */
    size_t query_count;
    /* Exactly the headers to sign, host included. Names in any case;
     * repeated names are joined with commas as SigV4 requires. */
    const struct sigv4_pair *headers;
    size_t header_count;
    const void *body; /* hashed unless payload_hash is set */
    size_t body_len;
    const char *payload_hash; /* e.g. "UNSIGNED-PAYLOAD", or NULL */
};

struct sigv4_scope {
    const char *region;
    const char *service;
    time_t time;           /* request time, seconds since the epoch, UTC */
    int normalize_path;    /* 1 for every service but S3 */
    int double_encode;     /* 1 for every service but S3 */
};

#define SIGV4_HEX_LEN 64

/* "20150830T123600Z" into out[17]. */
void sigv4_format_time(time_t t, char out[17]);
/* Parses "20150830T123600Z"; returns 0, or -1 if malformed. */
int sigv4_parse_time(const char *s, time_t *out);

/* Percent-encodes s by RFC 3986 (unreserved kept); keeps '/' when
 * keep_slash is set. Returns 0 or -1 (memory or buffer ceiling). */
int sigv4_uri_encode(struct buf *out, const char *s, size_t len,
                     int keep_slash);

/* Canonical request (the six lines, joined by '\n'), and the
 * semicolon-separated signed header names through signed_headers when
 * that is not NULL. */
int sigv4_canonical_request(const struct sigv4_request *req,
                            const struct sigv4_scope *scope,
                            struct buf *out, struct buf *signed_headers);

/* "AWS4-HMAC-SHA256\n<time>\n<date>/<region>/<service>/aws4_request\n<hash>" */
int sigv4_string_to_sign(const struct sigv4_scope *scope,
                         const char *canonical_request, struct buf *out);

/* Hex signature over string_to_sign, into hex[SIGV4_HEX_LEN + 1]. */
int sigv4_signature(const char *secret_access_key,
                    const struct sigv4_scope *scope,
                    const char *string_to_sign, char *hex);

/*
 * Computes the Authorization header value for req. The caller must already
 * have put x-amz-date (sigv4_format_time of scope->time) and, with a
 * session token, x-amz-security-token among req->headers, since both are
 * signed.
 */
int sigv4_authorization(const struct sigv4_request *req,
                        const struct sigv4_credentials *creds,
                        const struct sigv4_scope *scope,
                        struct buf *authorization);

/*
 * Presigns req: appends to query_out the complete, encoded query string
 * (req's own parameters plus X-Amz-Algorithm, X-Amz-Credential, X-Amz-Date,
 * X-Amz-Expires, X-Amz-SignedHeaders, X-Amz-Security-Token when present,
 * and X-Amz-Signature last). req->headers are the headers to sign.
 */
int sigv4_presign(const struct sigv4_request *req,
                  const struct sigv4_credentials *creds,
                  const struct sigv4_scope *scope, unsigned expires_seconds,
                  struct buf *query_out);

/* Parts of an Authorization header value, pointing into a copy the
 * caller frees with sigv4_authorization_free. */
struct sigv4_authorization_parts {
    char *copy;
    const char *access_key_id;
    const char *date;      /* yyyymmdd from the credential scope */
    const char *region;
    const char *service;
    const char *signed_headers; /* "host;x-amz-date" */
    const char *signature;
};

/* Returns 0, or -1 when value is not an AWS4-HMAC-SHA256 header. */
int sigv4_parse_authorization(const char *value,
                              struct sigv4_authorization_parts *out);
void sigv4_authorization_free(struct sigv4_authorization_parts *parts);

#endif
