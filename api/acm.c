/*
 * ACM DescribeCertificate. A listener's certificate must live in the load
 * balancer's region. The call goes to the certificate's own region, so a
 * certificate from another region is still described and the mismatch
 * shown.
 */
#include "acm.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

#define MAX_IN_USE 1000

void acm_certificate_free(struct acm_certificate *c)
{
    if (!c)
        return;
    free(c->arn);
    free(c->region);
    free(c->domain);
    free(c->status);
    free(c->type);
    free(c->failure_reason);
    for (size_t i = 0; i < c->in_use_count; i++)
        free(c->in_use_by[i]);
    free(c->in_use_by);
    free(c);
}

char *acm_arn_region(const char *arn)
{
    static const char prefix[] = ":acm:";
    const char *p = arn ? strstr(arn, prefix) : NULL;
    if (!p || strncmp(arn, "arn:", 4) != 0)
        return NULL;
    p += sizeof(prefix) - 1;
    size_t n = strcspn(p, ":");
    if (n == 0 || n > 32 || p[n] != ':')
        return NULL;
    return strndup(p, n);
}

static char *string(const cJSON *obj, const char *name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, name);
    return cJSON_IsString(v) ? strdup(v->valuestring) : NULL;
}

static int read_in_use(const cJSON *cert, struct acm_certificate *c)
{
    const cJSON *list = cJSON_GetObjectItemCaseSensitive(cert, "InUseBy");
    int n = cJSON_IsArray(list) ? cJSON_GetArraySize(list) : 0;
    if (n > MAX_IN_USE)
        n = MAX_IN_USE;
    c->in_use_by = calloc((size_t)n + 1, sizeof(char *));
    if (!c->in_use_by)
        return -1;
    for (int i = 0; i < n; i++) {
        const cJSON *v = cJSON_GetArrayItem(list, i);
        if (cJSON_IsString(v) &&
            !(c->in_use_by[c->in_use_count++] = strdup(v->valuestring)))
            return -1;
    }
    return 0;
}

static int read_certificate(const cJSON *cert, struct acm_certificate *c)
{
    c->arn = string(cert, "CertificateArn");
    if (!c->arn)
        return -1;
    c->region = acm_arn_region(c->arn);
    c->domain = string(cert, "DomainName");
    c->status = string(cert, "Status");
    c->type = string(cert, "Type");
    c->failure_reason = string(cert, "FailureReason");
    /* The json protocol sends timestamps as epoch seconds. */
    const cJSON *after = cJSON_GetObjectItemCaseSensitive(cert, "NotAfter");
    if (cJSON_IsNumber(after) && after->valuedouble > 0 &&
        after->valuedouble < 1e11)
        c->not_after = (time_t)after->valuedouble;
    return read_in_use(cert, c);
}

struct acm_certificate *acm_parse_certificate(const char *json, size_t len,
                                              struct api_error *err)
{
    cJSON *root = json ? cJSON_ParseWithLength(json, len) : NULL;
    const cJSON *cert = cJSON_GetObjectItemCaseSensitive(root, "Certificate");
    struct acm_certificate *c = calloc(1, sizeof(*c));
    int rc = c && cJSON_IsObject(cert) ? read_certificate(cert, c) : -1;
    cJSON_Delete(root);
    if (rc < 0) {
        acm_certificate_free(c);
        api_error_set(err, "InvalidReply", "ACM DescribeCertificate reply "
                      "is not JSON with a Certificate and its "
                      "CertificateArn");
        return NULL;
    }
    return c;
}

struct describe_call {
    acm_certificate_fn done;
    void *ctx;
};

static void on_reply(const struct buf *body, const struct api_error *err,
                     void *ctx)
{
    struct describe_call *call = ctx;
    struct api_error parse_err = {0};
    struct acm_certificate *c = NULL;
    if (!err) {
        c = acm_parse_certificate(body->data, body->len, &parse_err);
        if (!c)
            err = &parse_err;
    }
    call->done(c, err, call->ctx);
    free(call);
}

int acm_describe_certificate(struct aws_session *s, const char *arn,
                             acm_certificate_fn done, void *ctx)
{
    struct api_error err = {0};
    char *region = acm_arn_region(arn);
    cJSON *body = region ? cJSON_CreateObject() : NULL;
    char *text = body && cJSON_AddStringToObject(body, "CertificateArn", arn)
                 ? cJSON_PrintUnformatted(body) : NULL;
    cJSON_Delete(body);
    struct describe_call *call = text ? calloc(1, sizeof(*call)) : NULL;
    if (!call) {
        if (region)
            api_error_set(&err, "InternalError", "out of memory");
        else
            api_error_set(&err, "InvalidParameter", "\"%.200s\" is not an "
                          "ACM certificate ARN", arn ? arn : "");
        free(region);
        free(text);
        done(NULL, &err, ctx);
        return -1;
    }
    call->done = done;
    call->ctx = ctx;
    const struct aws_call req = {
        .service = &aws_service_acm,
        .region = region,
        .operation = "DescribeCertificate",
        .body = text,
    };
    int rc = aws_send(s, &req, on_reply, call);
    free(region);
    free(text);
    return rc;
}
