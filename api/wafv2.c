/* WAFv2 GetWebACLForResource for a load balancer. */
#include "wafv2.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

void wafv2_web_acl_free(struct wafv2_web_acl *acl)
{
    if (!acl)
        return;
    free(acl->arn);
    free(acl->name);
    free(acl->id);
    free(acl);
}

static char *string(const cJSON *obj, const char *name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, name);
    return cJSON_IsString(v) ? strdup(v->valuestring) : NULL;
}

struct wafv2_web_acl *wafv2_parse_web_acl(const char *json, size_t len,
                                          struct api_error *err)
{
    cJSON *root = json ? cJSON_ParseWithLength(json, len) : NULL;
    struct wafv2_web_acl *acl = calloc(1, sizeof(*acl));
    int ok = acl && cJSON_IsObject(root);
    const cJSON *web = cJSON_GetObjectItemCaseSensitive(root, "WebACL");
    if (ok && cJSON_IsObject(web)) {
        acl->arn = string(web, "ARN");
        acl->name = string(web, "Name");
        acl->id = string(web, "Id");
        ok = acl->arn != NULL;
    }
    cJSON_Delete(root);
    if (!ok) {
        wafv2_web_acl_free(acl);
        api_error_set(err, "InvalidReply", "WAFv2 GetWebACLForResource "
                      "reply is not a JSON object, or its WebACL has no "
                      "ARN");
        return NULL;
    }
    return acl;
}

struct acl_call {
    wafv2_acl_fn done;
    void *ctx;
};

static void on_reply(const struct buf *body, const struct api_error *err,
                     void *ctx)
{
    struct acl_call *call = ctx;
    struct api_error parse_err = {0};
    struct wafv2_web_acl *acl = NULL;
    if (!err) {
        acl = wafv2_parse_web_acl(body->data, body->len, &parse_err);
        if (!acl)
            err = &parse_err;
    }
    call->done(acl, err, call->ctx);
    free(call);
}

int wafv2_get_web_acl_for_resource(struct aws_session *s, const char *region,
                                   const char *resource_arn,
                                   wafv2_acl_fn done, void *ctx)
{
    struct api_error err = {0};
    cJSON *body = cJSON_CreateObject();
    char *text = body && resource_arn &&
                 cJSON_AddStringToObject(body, "ResourceArn", resource_arn)
                 ? cJSON_PrintUnformatted(body) : NULL;
    cJSON_Delete(body);
    struct acl_call *call = text ? calloc(1, sizeof(*call)) : NULL;
    if (!call) {
        free(text);
        api_error_set(&err, "InternalError", "out of memory or no resource "
                      "ARN");
        done(NULL, &err, ctx);
        return -1;
    }
    call->done = done;
    call->ctx = ctx;
    const struct aws_call req = {
        .service = &aws_service_wafv2,
        .region = region,
        .operation = "GetWebACLForResource",
        .body = text,
    };
    int rc = aws_send(s, &req, on_reply, call);
    free(text);
    return rc;
}
