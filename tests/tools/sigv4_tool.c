/*
 * sigv4_tool: signs one request described as JSON on stdin with
 * api/sigv4.c or api/eks_token.c and prints the result as JSON, so
 * integration tests can compare albatross's signer with botocore's.
 *
 * Input members (all strings unless noted):
 *   mode            "header", "presign" or "eks-token"
 *   method, path    the path decoded, as the server sees it
 *   query, headers  arrays of [name, value]; headers are exactly the
 *                   headers to sign, host, x-amz-date and token included
 *   body            request body (default empty)
 *   payload_hash    optional, e.g. "UNSIGNED-PAYLOAD"
 *   region, service, time ("20150830T123600Z")
 *   access_key_id, secret_access_key, session_token (optional)
 *   expires         number, presign only (default 3600)
 *   normalize_path, double_encode   booleans (default true)
 *   sts_url, cluster_name           eks-token only
 * Output: {"canonical_request", "string_to_sign", "signature",
 * "authorization"} for header, {"query"} for presign, {"token"} for
 * eks-token. Exits 2 with a message on stderr for invalid input.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "../../api/eks_token.h"
#include "../../api/sigv4.h"

#define INPUT_MAX (1u << 20)
#define PAIRS_MAX 256

static void die(const char *msg, const char *value)
{
    fprintf(stderr, "sigv4_tool: %s%s%s\n", msg, value ? ": " : "",
            value ? value : "");
    exit(2);
}

static char *read_stdin(void)
{
    struct buf in;
    char chunk[4096];
    size_t n;

    buf_init(&in, INPUT_MAX);
    while ((n = fread(chunk, 1, sizeof(chunk), stdin)) > 0)
        if (buf_append(&in, chunk, n) < 0)
            die("input is larger than 1 MiB", NULL);
    return buf_take(&in);
}

static const char *member(const cJSON *root, const char *key, int required)
{
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(root, key);

    if (cJSON_IsString(item))
        return item->valuestring;
    if (required || (item && !cJSON_IsNull(item)))
        die("missing or non-string member", key);
    return NULL;
}

static int flag(const cJSON *root, const char *key)
{
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(root, key);

    if (!item)
        return 1;
    if (!cJSON_IsBool(item))
        die("member must be true or false", key);
    return cJSON_IsTrue(item);
}

/* Reads an array of [name, value] string pairs into pairs. */
static size_t read_pairs(const cJSON *root, const char *key,
                         struct sigv4_pair *pairs)
{
    const cJSON *list = cJSON_GetObjectItemCaseSensitive(root, key);
    const cJSON *item;
    size_t n = 0;

    if (!list)
        return 0;
    if (!cJSON_IsArray(list))
        die("member must be an array of [name, value]", key);
    cJSON_ArrayForEach(item, list) {
        const cJSON *name = cJSON_GetArrayItem(item, 0);
        const cJSON *value = cJSON_GetArrayItem(item, 1);
        if (n == PAIRS_MAX || cJSON_GetArraySize(item) != 2 ||
            !cJSON_IsString(name) || !cJSON_IsString(value))
            die("each entry must be [name, value] of strings", key);
        pairs[n].name = name->valuestring;
        pairs[n++].value = value->valuestring;
    }
    return n;
}

static void print_result(cJSON *out)
{
    char *text = cJSON_PrintUnformatted(out);

    if (!text)
        die("out of memory", NULL);
    puts(text);
    free(text);
    cJSON_Delete(out);
}

static void sign_header(const struct sigv4_request *req,
                        const struct sigv4_credentials *creds,
                        const struct sigv4_scope *scope)
{
    struct buf canonical, to_sign, authorization;
    char hex[SIGV4_HEX_LEN + 1];
    cJSON *out = cJSON_CreateObject();

    buf_init(&canonical, 0);
    buf_init(&to_sign, 0);
    buf_init(&authorization, 0);
    if (sigv4_canonical_request(req, scope, &canonical, NULL) < 0 ||
        sigv4_string_to_sign(scope, canonical.data, &to_sign) < 0 ||
        sigv4_signature(creds->secret_access_key, scope, to_sign.data,
                        hex) < 0 ||
        sigv4_authorization(req, creds, scope, &authorization) < 0)
        die("signing failed", NULL);
    cJSON_AddStringToObject(out, "canonical_request", canonical.data);
    cJSON_AddStringToObject(out, "string_to_sign", to_sign.data);
    cJSON_AddStringToObject(out, "signature", hex);
    cJSON_AddStringToObject(out, "authorization", authorization.data);
    print_result(out);
    buf_cleanup(&canonical);
    buf_cleanup(&to_sign);
    buf_cleanup(&authorization);
}

static void presign(const struct sigv4_request *req,
                    const struct sigv4_credentials *creds,
                    const struct sigv4_scope *scope, const cJSON *root)
{
    const cJSON *expires = cJSON_GetObjectItemCaseSensitive(root, "expires");
    unsigned seconds = 3600;
    struct buf query;
    cJSON *out = cJSON_CreateObject();

    if (expires) {
        if (!cJSON_IsNumber(expires) || expires->valuedouble < 0)
            die("expires must be a number of seconds", NULL);
        seconds = (unsigned)expires->valuedouble;
    }
    buf_init(&query, 0);
    if (sigv4_presign(req, creds, scope, seconds, &query) < 0)
        die("presigning failed", NULL);
    cJSON_AddStringToObject(out, "query", query.data);
    print_result(out);
    buf_cleanup(&query);
}

static void eks_token(const struct sigv4_credentials *creds,
                      const struct sigv4_scope *scope, const cJSON *root)
{
    const char *sts_url = member(root, "sts_url", 1);
    struct buf token;
    cJSON *out = cJSON_CreateObject();

    buf_init(&token, 0);
    if (eks_token_make(creds, scope->region, sts_url,
                       member(root, "cluster_name", 1), scope->time,
                       &token) < 0)
        die("cannot make a token; is sts_url an http(s) URL?", sts_url);
    cJSON_AddStringToObject(out, "token", token.data);
    print_result(out);
    buf_cleanup(&token);
}

int main(void)
{
    char *text = read_stdin();
    cJSON *root = cJSON_Parse(text);
    static struct sigv4_pair query[PAIRS_MAX], headers[PAIRS_MAX];

    if (!cJSON_IsObject(root))
        die("stdin is not a JSON object", NULL);
    const char *mode = member(root, "mode", 1);
    const char *body = member(root, "body", 0);
    struct sigv4_request req = {
        .method = member(root, "method", 0),
        .path = member(root, "path", 0),
        .query = query, .query_count = read_pairs(root, "query", query),
        .headers = headers,
        .header_count = read_pairs(root, "headers", headers),
        .body = body, .body_len = body ? strlen(body) : 0,
        .payload_hash = member(root, "payload_hash", 0),
    };
    struct sigv4_credentials creds = {
        .access_key_id = member(root, "access_key_id", 1),
        .secret_access_key = member(root, "secret_access_key", 1),
        .session_token = member(root, "session_token", 0),
    };
    struct sigv4_scope scope = {
        .region = member(root, "region", 1),
        .service = strcmp(mode, "eks-token") ? member(root, "service", 1)
                                             : "sts",
        .normalize_path = flag(root, "normalize_path"),
        .double_encode = flag(root, "double_encode"),
    };
    if (sigv4_parse_time(member(root, "time", 1), &scope.time) < 0)
        die("time must look like 20150830T123600Z", member(root, "time", 1));

    if (strcmp(mode, "eks-token") == 0) {
        eks_token(&creds, &scope, root);
    } else {
        if (!req.method || !req.path)
            die("method and path are required in this mode", mode);
        if (strcmp(mode, "header") == 0)
            sign_header(&req, &creds, &scope);
        else if (strcmp(mode, "presign") == 0)
            presign(&req, &creds, &scope, root);
        else
            die("mode must be header, presign or eks-token", mode);
    }
    cJSON_Delete(root);
    free(text);
    return 0;
}
