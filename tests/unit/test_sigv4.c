/*
 * SigV4 against AWS's signing test suite (the aws-c-auth v4 copy, read
 * at run time from SUITE_DIR, relative to the repository root),
 * the IAM ListUsers example from AWS's SigV4 documentation, and the
 * Authorization header parser.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cjson/cJSON.h>
#include <openssl/sha.h>

#include "../../api/sigv4.h"

#define SUITE_DIR "tests/data/sigv4-v4-crt"
#define SUITE_CASES 38
#define MAX_PAIRS 32
#define FILE_MAX (1u << 20)

/* One case of the suite, parsed from its context.json and request.txt. */
struct suite_case {
    char dir[512];
    char *text;      /* request.txt, cut in place into the strings below */
    char *method;
    char *path;
    struct sigv4_pair query[MAX_PAIRS];
    size_t query_count;
    struct sigv4_pair headers[MAX_PAIRS];
    size_t header_count;
    char *body;
    size_t body_len;
    char *access_key;
    char *secret;
    char *token;
    int omit_token;
    int normalize;
    int sign_body;
    unsigned expires;
    time_t time;
};

static char *read_file(const char *dir, const char *name)
{
    char path[768];
    struct buf b;
    char chunk[4096];
    size_t n;

    snprintf(path, sizeof(path), "%s/%s", dir, name);
    FILE *f = fopen(path, "rb");
    if (!f) {
        print_error("cannot open %s\n", path);
        return NULL;
    }
    buf_init(&b, FILE_MAX);
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
        assert_int_equal(buf_append(&b, chunk, n), 0);
    fclose(f);
    return buf_take(&b);
}

static char *read_expected(const struct suite_case *c, const char *name)
{
    char *s = read_file(c->dir, name);

    assert_non_null(s);
    return s;
}

static int hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

/* Decodes %XX in place. */
static char *percent_decode(char *s)
{
    char *out = s;

    for (char *p = s; *p; p++) {
        if (*p == '%' && hex_value(p[1]) >= 0 && hex_value(p[2]) >= 0) {
            *out++ = (char)(hex_value(p[1]) * 16 + hex_value(p[2]));
            p += 2;
        } else {
            *out++ = *p;
        }
    }
    *out = '\0';
    return s;
}

static size_t split_query(char *s, struct sigv4_pair *pairs, size_t max)
{
    size_t n = 0;

    for (char *tok = strtok(s, "&"); tok; tok = strtok(NULL, "&")) {
        char *eq = strchr(tok, '=');
        assert_true(n < max);
        if (eq)
            *eq = '\0';
        pairs[n].name = percent_decode(tok);
        pairs[n].value = eq ? percent_decode(eq + 1) : "";
        n++;
    }
    return n;
}

static void parse_request_line(struct suite_case *c, char *line)
{
    char *space = strchr(line, ' ');
    char *version = strstr(line, " HTTP/");

    assert_non_null(space);
    assert_non_null(version);
    *space = '\0';
    *version = '\0';
    c->method = line;
    c->path = space + 1;
    char *q = strchr(c->path, '?');
    if (q) {
        *q = '\0';
        c->query_count = split_query(q + 1, c->query, MAX_PAIRS);
    }
}

/* Header lines up to a blank line; a line that starts with white space
 * continues the previous value, which keeps its line break. */
static void parse_request(struct suite_case *c)
{
    char *line = c->text;
    char *next = strchr(line, '\n');

    assert_non_null(next);
    *next++ = '\0';
    parse_request_line(c, line);
    while (next && *next && *next != '\n') {
        line = next;
        next = strchr(line, '\n');
        if (next)
            *next++ = '\0';
        if (*line == ' ' || *line == '\t') {
            assert_true(c->header_count > 0);
            line[-1] = '\n'; /* join with the previous line */
            continue;
        }
        char *colon = strchr(line, ':');
        assert_non_null(colon);
        assert_true(c->header_count < MAX_PAIRS);
        *colon = '\0';
        c->headers[c->header_count].name = line;
        c->headers[c->header_count++].value = colon + 1;
    }
    c->body = next && *next == '\n' ? next + 1 : (char *)"";
    c->body_len = strlen(c->body);
}

static char *json_string(const cJSON *obj, const char *key)
{
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(obj, key);

    return cJSON_IsString(item) ? strdup(item->valuestring) : NULL;
}

static int json_true(const cJSON *obj, const char *key)
{
    return cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(obj, key));
}

static void parse_context(struct suite_case *c)
{
    char *text = read_expected(c, "context.json");
    cJSON *root = cJSON_Parse(text);
    const cJSON *creds;
    struct tm tm = { 0 };

    assert_non_null(root);
    creds = cJSON_GetObjectItemCaseSensitive(root, "credentials");
    c->access_key = json_string(creds, "access_key_id");
    c->secret = json_string(creds, "secret_access_key");
    c->token = json_string(creds, "token");
    assert_non_null(c->access_key);
    assert_non_null(c->secret);
    c->omit_token = json_true(root, "omit_session_token");
    c->normalize = json_true(root, "normalize");
    c->sign_body = json_true(root, "sign_body");
    c->expires = (unsigned)cJSON_GetNumberValue(
        cJSON_GetObjectItemCaseSensitive(root, "expiration_in_seconds"));
    char *stamp = json_string(root, "timestamp");
    assert_non_null(stamp);
    assert_int_equal(sscanf(stamp, "%d-%d-%dT%d:%d:%dZ", &tm.tm_year,
                            &tm.tm_mon, &tm.tm_mday, &tm.tm_hour,
                            &tm.tm_min, &tm.tm_sec), 6);
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    c->time = timegm(&tm);
    free(stamp);
    cJSON_Delete(root);
    free(text);
}

static int case_setup(void **state)
{
    struct suite_case *c = calloc(1, sizeof(*c));

    assert_non_null(c);
    snprintf(c->dir, sizeof(c->dir), "%s/%s", SUITE_DIR,
             (const char *)*state);
    parse_context(c);
    c->text = read_expected(c, "request.txt");
    parse_request(c);
    *state = c;
    return 0;
}

static int case_teardown(void **state)
{
    struct suite_case *c = *state;

    free(c->text);
    free(c->access_key);
    free(c->secret);
    free(c->token);
    free(c);
    return 0;
}

/*
 * The suite's request paths are the paths on the wire, which the CRT
 * signer encodes once more. Our signer encodes the given path once, plus
 * once more with double_encode, so the wire path goes in with
 * double_encode off. test_double_encode covers the second encoding.
 */
static struct sigv4_scope case_scope(const struct suite_case *c)
{
    return (struct sigv4_scope){
        .region = "us-east-1", .service = "service", .time = c->time,
        .normalize_path = c->normalize, .double_encode = 0,
    };
}

static struct sigv4_request case_request(const struct suite_case *c)
{
    return (struct sigv4_request){
        .method = c->method, .path = c->path,
        .query = c->query, .query_count = c->query_count,
        .headers = c->headers, .header_count = c->header_count,
        .body = c->body, .body_len = c->body_len,
    };
}

static void expect_file(const struct suite_case *c, const char *name,
                        const char *actual)
{
    char *expected = read_expected(c, name);

    if (strcmp(expected, actual) != 0)
        print_error("%s/%s differs:\n--- expected\n%s\n--- actual\n%s\n",
                    c->dir, name, expected, actual);
    assert_string_equal(actual, expected);
    free(expected);
}

/* Checks the string to sign and the signature over canonical. */
static void expect_signing(const struct suite_case *c,
                           const struct sigv4_scope *scope,
                           const char *canonical, const char *prefix)
{
    struct buf to_sign;
    char hex[SIGV4_HEX_LEN + 1];
    char name[64];

    buf_init(&to_sign, 0);
    assert_int_equal(sigv4_string_to_sign(scope, canonical, &to_sign), 0);
    snprintf(name, sizeof(name), "%s-string-to-sign.txt", prefix);
    expect_file(c, name, to_sign.data);
    assert_int_equal(sigv4_signature(c->secret, scope, to_sign.data, hex), 0);
    snprintf(name, sizeof(name), "%s-signature.txt", prefix);
    expect_file(c, name, hex);
    buf_cleanup(&to_sign);
}

/* The Authorization line of header-signed-request.txt, without name. */
static char *expected_authorization(const struct suite_case *c)
{
    char *text = read_expected(c, "header-signed-request.txt");
    char *line = strstr(text, "\nAuthorization:");

    assert_non_null(line);
    line += strlen("\nAuthorization:");
    line[strcspn(line, "\n")] = '\0';
    char *copy = strdup(line);
    free(text);
    return copy;
}

static void test_suite_header(void **state)
{
    struct suite_case *c = *state;
    struct sigv4_pair headers[MAX_PAIRS + 3];
    size_t n = c->header_count;
    char stamp[17], body_hash[SIGV4_HEX_LEN + 1];
    struct buf canonical, authorization;

    memcpy(headers, c->headers, n * sizeof(headers[0]));
    sigv4_format_time(c->time, stamp);
    headers[n++] = (struct sigv4_pair){ "X-Amz-Date", stamp };
    if (c->token && !c->omit_token)
        headers[n++] = (struct sigv4_pair){ "X-Amz-Security-Token", c->token };
    if (c->sign_body) {
        unsigned char md[32];
        SHA256((const unsigned char *)c->body, c->body_len, md);
        for (size_t i = 0; i < sizeof(md); i++)
            snprintf(body_hash + 2 * i, 3, "%02x", md[i]);
        headers[n++] = (struct sigv4_pair){ "x-amz-content-sha256",
                                            body_hash };
    }
    struct sigv4_request req = case_request(c);
    req.headers = headers;
    req.header_count = n;
    struct sigv4_scope scope = case_scope(c);
    struct sigv4_credentials creds = { c->access_key, c->secret, NULL };

    buf_init(&canonical, 0);
    assert_int_equal(sigv4_canonical_request(&req, &scope, &canonical, NULL),
                     0);
    expect_file(c, "header-canonical-request.txt", canonical.data);
    expect_signing(c, &scope, canonical.data, "header");

    char *expected = expected_authorization(c);
    buf_init(&authorization, 0);
    assert_int_equal(sigv4_authorization(&req, &creds, &scope,
                                         &authorization), 0);
    assert_string_equal(authorization.data, expected);
    free(expected);
    buf_cleanup(&authorization);
    buf_cleanup(&canonical);
}

/* Rebuilds the canonical request of a presigned query, from the query
 * sigv4_presign returned without its signature. */
static void presigned_canonical(const struct suite_case *c,
                                const struct sigv4_scope *scope,
                                char *query, struct buf *canonical)
{
    struct sigv4_pair pairs[MAX_PAIRS];
    size_t n = split_query(query, pairs, MAX_PAIRS);
    struct sigv4_request req = case_request(c);

    req.query = pairs;
    req.query_count = n;
    assert_int_equal(sigv4_canonical_request(&req, scope, canonical, NULL),
                     0);
}

static int compare_strings(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorts the "&"-separated parameters of query in place. */
static size_t sorted_parameters(char *query, char **out, size_t max)
{
    size_t n = 0;

    for (char *tok = strtok(query, "&"); tok; tok = strtok(NULL, "&")) {
        assert_true(n < max);
        out[n++] = tok;
    }
    qsort(out, n, sizeof(*out), compare_strings);
    return n;
}

static void expect_same_parameters(const char *actual, const char *expected)
{
    char *a = strdup(actual), *e = strdup(expected);
    char *a_params[MAX_PAIRS], *e_params[MAX_PAIRS];
    size_t n = sorted_parameters(a, a_params, MAX_PAIRS);

    assert_int_equal(n, sorted_parameters(e, e_params, MAX_PAIRS));
    for (size_t i = 0; i < n; i++)
        assert_string_equal(a_params[i], e_params[i]);
    free(a);
    free(e);
}

static void test_suite_presign(void **state)
{
    struct suite_case *c = *state;
    struct sigv4_request req = case_request(c);
    struct sigv4_scope scope = case_scope(c);
    struct sigv4_credentials creds = {
        c->access_key, c->secret, c->omit_token ? NULL : c->token,
    };
    struct buf query, canonical;

    buf_init(&query, 0);
    buf_init(&canonical, 0);
    assert_int_equal(sigv4_presign(&req, &creds, &scope, c->expires, &query),
                     0);
    char *sig = strstr(query.data, "&X-Amz-Signature=");
    assert_non_null(sig);
    *sig = '\0';
    sig += strlen("&X-Amz-Signature=");
    expect_file(c, "query-signature.txt", sig);

    /* The query sent holds the parameters of the canonical query that
     * was signed, in botocore's order rather than sorted. */
    char *expected = read_expected(c, "query-canonical-request.txt");
    char *third = strchr(strchr(expected, '\n') + 1, '\n') + 1;
    third[strcspn(third, "\n")] = '\0';
    expect_same_parameters(query.data, third);
    free(expected);

    presigned_canonical(c, &scope, query.data, &canonical);
    expect_file(c, "query-canonical-request.txt", canonical.data);
    expect_signing(c, &scope, canonical.data, "query");
    buf_cleanup(&query);
    buf_cleanup(&canonical);
}

/* The example in AWS's SigV4 documentation ("Create a signed AWS API
 * request"): IAM ListUsers at 20150830T123600Z. */
static void test_iam_list_users_example(void **state)
{
    (void)state;
    static const struct sigv4_pair query[] = {
        { "Action", "ListUsers" }, { "Version", "2010-05-08" },
    };
    static const struct sigv4_pair headers[] = {
        { "Content-Type",
          "application/x-www-form-urlencoded; charset=utf-8" },
        { "Host", "iam.amazonaws.com" },
        { "X-Amz-Date", "20150830T123600Z" },
    };
    struct sigv4_request req = {
        .method = "GET", .path = "/", .query = query, .query_count = 2,
        .headers = headers, .header_count = 3,
    };
    struct sigv4_credentials creds = {
        "AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", NULL,
    };
    struct sigv4_scope scope = { "us-east-1", "iam", 0, 1, 1 };
    struct buf authorization;

    assert_int_equal(sigv4_parse_time("20150830T123600Z", &scope.time), 0);
    buf_init(&authorization, 0);
    assert_int_equal(sigv4_authorization(&req, &creds, &scope,
                                         &authorization), 0);
    assert_string_equal(authorization.data,
        "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/"
        "aws4_request, SignedHeaders=content-type;host;x-amz-date, "
        "Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b"
        "5924a6f2b5d7");
    buf_cleanup(&authorization);
}

static char *canonical_path(const char *path, int normalize, int twice)
{
    struct sigv4_pair host = { "host", "h" };
    struct sigv4_request req = {
        .method = "GET", .path = path, .headers = &host, .header_count = 1,
    };
    struct sigv4_scope scope = { "r", "s", 0, normalize, twice };
    struct buf out;

    buf_init(&out, 0);
    assert_int_equal(sigv4_canonical_request(&req, &scope, &out, NULL), 0);
    char *text = buf_take(&out);
    char *start = strchr(text, '\n') + 1;
    memmove(text, start, strcspn(start, "\n"));
    text[strcspn(start, "\n")] = '\0';
    return text;
}

static void expect_path(const char *path, int normalize, int twice,
                        const char *expected)
{
    char *actual = canonical_path(path, normalize, twice);

    assert_string_equal(actual, expected);
    free(actual);
}

/* Every service but S3 encodes the decoded path twice: a space is %20 on
 * the wire and %2520 in the canonical request. */
static void test_double_encode(void **state)
{
    (void)state;
    expect_path("/a b/c%d", 1, 1, "/a%2520b/c%2525d");
    expect_path("/a b/c%d", 1, 0, "/a%20b/c%25d");
    expect_path("/clusters/demo", 1, 1, "/clusters/demo");
    expect_path("", 1, 1, "/");
    expect_path("/a/./b/../../c//", 1, 1, "/c/");
    expect_path("/a/./b/../../c//", 0, 1, "/a/./b/../../c//");
    expect_path("/../..", 1, 1, "/");
}

static void expect_encoded(const char *in, int keep_slash,
                           const char *expected)
{
    struct buf out;

    buf_init(&out, 0);
    assert_int_equal(sigv4_uri_encode(&out, in, strlen(in), keep_slash), 0);
    assert_string_equal(out.data ? out.data : "", expected);
    buf_cleanup(&out);
}

static void test_uri_encode(void **state)
{
    (void)state;
    expect_encoded("AZaz09-._~", 0, "AZaz09-._~");
    expect_encoded("a b+c=d&e", 0, "a%20b%2Bc%3Dd%26e");
    expect_encoded("a/b", 0, "a%2Fb");
    expect_encoded("a/b", 1, "a/b");
    expect_encoded("\xe1\x88\xb4", 0, "%E1%88%B4");
    expect_encoded("*", 0, "%2A");
    expect_encoded("", 0, "");
}

static void test_uri_encode_ceiling(void **state)
{
    (void)state;
    struct buf out;

    buf_init(&out, 8);
    assert_int_equal(sigv4_uri_encode(&out, "abcdefgh", 8, 0), 0);
    assert_int_equal(sigv4_uri_encode(&out, " ", 1, 0), -1);
    buf_cleanup(&out);
}

static void test_time_round_trip(void **state)
{
    (void)state;
    char stamp[17];
    time_t t = 0;

    assert_int_equal(sigv4_parse_time("20150830T123600Z", &t), 0);
    assert_int_equal((long long)t, 1440938160LL);
    sigv4_format_time(t, stamp);
    assert_string_equal(stamp, "20150830T123600Z");
    assert_int_equal(sigv4_parse_time("20240229T235959Z", &t), 0);
    sigv4_format_time(t, stamp);
    assert_string_equal(stamp, "20240229T235959Z");
    sigv4_format_time(0, stamp);
    assert_string_equal(stamp, "19700101T000000Z");
}

static void test_time_malformed(void **state)
{
    (void)state;
    static const char *bad[] = {
        "", "20150830T123600", "20150830T123600ZZ", "20150830 123600Z",
        "2015083OT123600Z", "20151330T123600Z", "20150230T123600Z",
        "20150431T123600Z", "20150830T243600Z", "20150830T126000Z",
        "20150830T123660Z", "19691231T235959Z", "2015-08-30T12:36Z",
    };
    time_t t = 42;

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        if (sigv4_parse_time(bad[i], &t) != -1)
            print_error("accepted \"%s\"\n", bad[i]);
        assert_int_equal(sigv4_parse_time(bad[i], &t), -1);
    }
    assert_int_equal((long long)t, 42);
    assert_int_equal(sigv4_parse_time(NULL, &t), -1);
}

#define GOOD_SIGNATURE \
    "5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7"

static void test_parse_authorization(void **state)
{
    (void)state;
    struct sigv4_authorization_parts p;
    const char *value =
        "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/"
        "aws4_request, SignedHeaders=content-type;host;x-amz-date, "
        "Signature=" GOOD_SIGNATURE;

    assert_int_equal(sigv4_parse_authorization(value, &p), 0);
    assert_string_equal(p.access_key_id, "AKIDEXAMPLE");
    assert_string_equal(p.date, "20150830");
    assert_string_equal(p.region, "us-east-1");
    assert_string_equal(p.service, "iam");
    assert_string_equal(p.signed_headers, "content-type;host;x-amz-date");
    assert_string_equal(p.signature, GOOD_SIGNATURE);
    sigv4_authorization_free(&p);
    assert_null(p.copy);
}

/* Clients differ in spacing and order; both parse the same. */
static void test_parse_authorization_spacing(void **state)
{
    (void)state;
    struct sigv4_authorization_parts p;
    const char *value =
        "AWS4-HMAC-SHA256   Signature=" GOOD_SIGNATURE ",SignedHeaders=host,"
        "  Credential=AKIA/20240101/eu-west-1/sts/aws4_request  ";

    assert_int_equal(sigv4_parse_authorization(value, &p), 0);
    assert_string_equal(p.access_key_id, "AKIA");
    assert_string_equal(p.region, "eu-west-1");
    assert_string_equal(p.service, "sts");
    assert_string_equal(p.signed_headers, "host");
    assert_string_equal(p.signature, GOOD_SIGNATURE);
    sigv4_authorization_free(&p);
}

static void test_parse_authorization_malformed(void **state)
{
    (void)state;
    static const char *bad[] = {
        "",
        "AWS4-HMAC-SHA256",
        "AWS4-HMAC-SHA256x Credential=A/20150830/r/s/aws4_request, "
        "SignedHeaders=host, Signature=" GOOD_SIGNATURE,
        "AWS4-HMAC-SHA1 Credential=A/20150830/r/s/aws4_request, "
        "SignedHeaders=host, Signature=" GOOD_SIGNATURE,
        "AWS AKIDEXAMPLE:c2lnbmF0dXJl",
        /* missing parts */
        "AWS4-HMAC-SHA256 Credential=A/20150830/r/s/aws4_request, "
        "SignedHeaders=host",
        "AWS4-HMAC-SHA256 SignedHeaders=host, Signature=" GOOD_SIGNATURE,
        "AWS4-HMAC-SHA256 Credential=A/20150830/r/s/aws4_request, "
        "Signature=" GOOD_SIGNATURE,
        /* credential scope */
        "AWS4-HMAC-SHA256 Credential=A/20150830/r/s, "
        "SignedHeaders=host, Signature=" GOOD_SIGNATURE,
        "AWS4-HMAC-SHA256 Credential=A/20150830/r/s/aws4_request/x, "
        "SignedHeaders=host, Signature=" GOOD_SIGNATURE,
        "AWS4-HMAC-SHA256 Credential=A/20150830/r/s/aws5_request, "
        "SignedHeaders=host, Signature=" GOOD_SIGNATURE,
        "AWS4-HMAC-SHA256 Credential=/20150830/r/s/aws4_request, "
        "SignedHeaders=host, Signature=" GOOD_SIGNATURE,
        "AWS4-HMAC-SHA256 Credential=A/2015083/r/s/aws4_request, "
        "SignedHeaders=host, Signature=" GOOD_SIGNATURE,
        "AWS4-HMAC-SHA256 Credential=A/20150830//s/aws4_request, "
        "SignedHeaders=host, Signature=" GOOD_SIGNATURE,
        /* signed headers */
        "AWS4-HMAC-SHA256 Credential=A/20150830/r/s/aws4_request, "
        "SignedHeaders=host;;x-amz-date, Signature=" GOOD_SIGNATURE,
        "AWS4-HMAC-SHA256 Credential=A/20150830/r/s/aws4_request, "
        "SignedHeaders=Host, Signature=" GOOD_SIGNATURE,
        "AWS4-HMAC-SHA256 Credential=A/20150830/r/s/aws4_request, "
        "SignedHeaders=, Signature=" GOOD_SIGNATURE,
        /* signature */
        "AWS4-HMAC-SHA256 Credential=A/20150830/r/s/aws4_request, "
        "SignedHeaders=host, Signature=abc",
        "AWS4-HMAC-SHA256 Credential=A/20150830/r/s/aws4_request, "
        "SignedHeaders=host, Signature="
        "5D672D79C15B13162D9279B0855CFBA6789A8EDB4C82C400E06B5924A6F2B5D7",
        "AWS4-HMAC-SHA256 Credential=A/20150830/r/s/aws4_request, "
        "SignedHeaders=host, Signature=" GOOD_SIGNATURE "00",
        /* repeated or unknown components */
        "AWS4-HMAC-SHA256 Credential=A/20150830/r/s/aws4_request, "
        "SignedHeaders=host, Signature=" GOOD_SIGNATURE ", "
        "Signature=" GOOD_SIGNATURE,
        "AWS4-HMAC-SHA256 Credential=A/20150830/r/s/aws4_request, "
        "SignedHeaders=host, Signature=" GOOD_SIGNATURE ", Extra=1",
        "AWS4-HMAC-SHA256 Credential=A/20150830/r/s/aws4_request, "
        "SignedHeaders=host, Signature=" GOOD_SIGNATURE ",",
        "AWS4-HMAC-SHA256 Credential A/20150830/r/s/aws4_request, "
        "SignedHeaders=host, Signature=" GOOD_SIGNATURE,
    };
    struct sigv4_authorization_parts p;

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        int rc = sigv4_parse_authorization(bad[i], &p);
        if (rc != -1)
            print_error("accepted \"%s\"\n", bad[i]);
        assert_int_equal(rc, -1);
        assert_null(p.copy);
    }
    assert_int_equal(sigv4_parse_authorization(NULL, &p), -1);
}

static void test_parse_authorization_oversized(void **state)
{
    (void)state;
    struct sigv4_authorization_parts p;
    size_t len = 20000;
    char *value = malloc(len + 1);
    const char *head =
        "AWS4-HMAC-SHA256 Credential=A/20150830/r/s/aws4_request, "
        "Signature=" GOOD_SIGNATURE ", SignedHeaders=host";

    assert_non_null(value);
    memset(value, 'a', len);
    value[len] = '\0';
    memcpy(value, head, strlen(head));
    assert_int_equal(sigv4_parse_authorization(value, &p), -1);
    free(value);
}

/* A header list with no host header is still signed as given, but an
 * empty header name is rejected. */
static void test_header_without_name(void **state)
{
    (void)state;
    struct sigv4_pair headers[] = { { "host", "h" }, { "", "v" } };
    struct sigv4_request req = {
        .method = "GET", .path = "/", .headers = headers, .header_count = 2,
    };
    struct sigv4_scope scope = { "r", "s", 0, 1, 1 };
    struct buf out;

    buf_init(&out, 0);
    assert_int_equal(sigv4_canonical_request(&req, &scope, &out, NULL), -1);
    buf_cleanup(&out);
}

static int is_case_dir(const char *name)
{
    char path[768];
    struct stat st;

    if (name[0] == '.')
        return 0;
    snprintf(path, sizeof(path), "%s/%s/context.json", SUITE_DIR, name);
    return stat(path, &st) == 0;
}

/* Lists the suite's case directories, sorted; exits when it is absent. */
static size_t list_cases(char ***names)
{
    DIR *dir = opendir(SUITE_DIR);
    struct dirent *e;
    size_t n = 0, cap = 64;

    if (!dir) {
        fprintf(stderr, "test_sigv4: the AWS SigV4 test suite is missing: "
                "expected %s relative to the repository root, which the "
                "tests run from\n", SUITE_DIR);
        exit(1);
    }
    *names = calloc(cap, sizeof(**names));
    assert_non_null(*names);
    while ((e = readdir(dir)) != NULL) {
        if (!is_case_dir(e->d_name))
            continue;
        assert_true(n < cap);
        (*names)[n++] = strdup(e->d_name);
    }
    closedir(dir);
    qsort(*names, n, sizeof(**names), compare_strings);
    return n;
}

static int run_suite(void)
{
    char **names;
    size_t n = list_cases(&names);
    struct CMUnitTest *tests = calloc(2 * n, sizeof(*tests));
    char (*labels)[2][160] = calloc(n, sizeof(*labels));

    if (n != SUITE_CASES)
        fprintf(stderr, "test_sigv4: %zu cases in %s, expected %d\n", n,
                SUITE_DIR, SUITE_CASES);
    for (size_t i = 0; i < n; i++) {
        snprintf(labels[i][0], sizeof(labels[i][0]), "header %s", names[i]);
        snprintf(labels[i][1], sizeof(labels[i][1]), "presign %s", names[i]);
        tests[2 * i] = (struct CMUnitTest){ labels[i][0], test_suite_header,
                                            case_setup, case_teardown,
                                            names[i] };
        tests[2 * i + 1] = (struct CMUnitTest){ labels[i][1],
                                                test_suite_presign, case_setup,
                                                case_teardown, names[i] };
    }
    int failed = _cmocka_run_group_tests("sigv4_suite", tests, 2 * n, NULL,
                                         NULL);
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
    free(tests);
    free(labels);
    return failed + (n != SUITE_CASES);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_iam_list_users_example),
        cmocka_unit_test(test_double_encode),
        cmocka_unit_test(test_uri_encode),
        cmocka_unit_test(test_uri_encode_ceiling),
        cmocka_unit_test(test_time_round_trip),
        cmocka_unit_test(test_time_malformed),
        cmocka_unit_test(test_parse_authorization),
        cmocka_unit_test(test_parse_authorization_spacing),
        cmocka_unit_test(test_parse_authorization_malformed),
        cmocka_unit_test(test_parse_authorization_oversized),
        cmocka_unit_test(test_header_without_name),
    };
    int failed = cmocka_run_group_tests_name("sigv4", tests, NULL, NULL);

    return failed + run_suite();
}
