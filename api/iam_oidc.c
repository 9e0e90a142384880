/* OIDC provider tags and EKS TagResource (see iam_oidc.h). */
#include "iam_oidc.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "awsxml.h"

#define MAX_TAGS_READ 1000   /* IAM allows 50; more is a broken reply */

void iam_tag_list_free(struct iam_tag_list *l)
{
    if (!l)
        return;
    for (size_t i = 0; i < l->count; i++) {
        free(l->keys[i]);
        free(l->values[i]);
    }
    free(l->keys);
    free(l->values);
    free(l);
}

const char *iam_tag_list_get(const struct iam_tag_list *l, const char *key)
{
    for (size_t i = 0; l && i < l->count; i++)
        if (strcmp(l->keys[i], key) == 0)
            return l->values[i];
    return NULL;
}

static int add_tag(struct iam_tag_list *l, const xmlNode *member)
{
    char *key = awsxml_child_text(member, "Key");
    char *value = awsxml_child_text(member, "Value");
    char **keys = key && l->count < MAX_TAGS_READ
        ? realloc(l->keys, (l->count + 1) * sizeof(char *)) : NULL;
    if (keys)
        l->keys = keys;
    char **values = keys ? realloc(l->values, (l->count + 1) *
                                              sizeof(char *)) : NULL;
    if (values)
        l->values = values;
    if (!values) {
        free(key);
        free(value);
        return -1;
    }
    keys[l->count] = key;
    values[l->count++] = value ? value : strdup("");
    return values[l->count - 1] ? 0 : -1;
}

int iam_parse_tags(const char *xml, size_t len, const char *operation,
                   struct iam_tag_list *list, char **marker,
                   struct api_error *err)
{
    char what[96];
    snprintf(what, sizeof(what), "IAM %s", operation);
    *marker = NULL;
    xmlDoc *doc = awsxml_parse(xml, len, what, err);
    if (!doc)
        return -1;
    char result_name[96];
    snprintf(result_name, sizeof(result_name), "%sResult", operation);
    xmlNode *result = awsxml_find(xmlDocGetRootElement(doc), result_name);
    xmlNode *tags = awsxml_child(result, "Tags");
    int rc = result ? 0 : -1;
    for (xmlNode *m = awsxml_child(tags, "member"); m && rc == 0;
         m = awsxml_next(m))
        rc = add_tag(list, m);
    char *truncated = rc == 0 ? awsxml_child_text(result, "IsTruncated")
                              : NULL;
    if (truncated && strcmp(truncated, "true") == 0) {
        *marker = awsxml_child_text(result, "Marker");
        rc = *marker && **marker ? 0 : -1;
    }
    free(truncated);
    xmlFreeDoc(doc);
    if (rc < 0) {
        free(*marker);
        *marker = NULL;
        api_error_set(err, "InvalidReply", "%s reply has no %s, a tag "
                      "without a Key, more than %d tags, or IsTruncated "
                      "without a Marker", what, result_name, MAX_TAGS_READ);
    }
    return rc;
}

struct tags_op {
    struct aws_session *s;
    char *arn;
    struct iam_tag_list *list;
    iam_tags_fn done;
    void *ctx;
};

static void tags_op_finish(struct tags_op *op, const struct api_error *err)
{
    if (err) {
        iam_tag_list_free(op->list);
        op->list = NULL;
    }
    op->done(op->list, err, op->ctx);
    free(op->arn);
    free(op);
}

static void send_tags_page(struct tags_op *op, const char *marker);

static void on_tags(const struct buf *body, const struct api_error *err,
                    void *ctx)
{
    struct tags_op *op = ctx;
    struct api_error parse_err = {0};
    char *marker = NULL;
    if (!err && iam_parse_tags(body->data, body->len,
                               "ListOpenIDConnectProviderTags", op->list,
                               &marker, &parse_err) < 0)
        err = &parse_err;
    if (err || !marker) {
        tags_op_finish(op, err);
        return;
    }
    send_tags_page(op, marker);
    free(marker);
}

static void send_tags_page(struct tags_op *op, const char *marker)
{
    struct sigv4_pair params[2] = {
        { "OpenIDConnectProviderArn", op->arn },
        { "Marker", marker },
    };
    const struct aws_call call = {
        .service = &aws_service_iam,
        .operation = "ListOpenIDConnectProviderTags",
        .params = params,
        .param_count = marker ? 2 : 1,
    };
    aws_send(op->s, &call, on_tags, op);
}

int iam_list_oidc_provider_tags(struct aws_session *s, const char *arn,
                                iam_tags_fn done, void *ctx)
{
    struct tags_op *op = calloc(1, sizeof(*op));
    if (op) {
        op->arn = strdup(arn);
        op->list = calloc(1, sizeof(*op->list));
    }
    if (!op || !op->arn || !op->list) {
        struct api_error err = {0};
        api_error_set(&err, "InternalError", "out of memory");
        if (op) {
            iam_tag_list_free(op->list);
            free(op->arn);
        }
        free(op);
        done(NULL, &err, ctx);
        return -1;
    }
    op->s = s;
    op->done = done;
    op->ctx = ctx;
    send_tags_page(op, NULL);
    return 0;
}

/* ---- EKS TagResource ---- */

struct tag_resource_op {
    iam_write_fn done;
    void *ctx;
};

static void on_tagged(const struct buf *body, const struct api_error *err,
                      void *ctx)
{
    struct tag_resource_op *op = ctx;
    (void)body;
    op->done(NULL, err, op->ctx);
    free(op);
}

int eks_tag_resource(struct aws_session *s, const char *region,
                     const char *resource_arn, const struct iam_tag *tags,
                     size_t tag_count, iam_write_fn done, void *ctx)
{
    struct api_error err = {0};
    cJSON *body = cJSON_CreateObject();
    cJSON *map = cJSON_AddObjectToObject(body, "tags");
    for (size_t i = 0; map && i < tag_count; i++)
        cJSON_AddStringToObject(map, tags[i].key, tags[i].value);
    char *text = map ? cJSON_PrintUnformatted(body) : NULL;
    cJSON_Delete(body);
    size_t path_len = strlen("/tags/") + strlen(resource_arn) + 1;
    char *path = malloc(path_len);
    struct tag_resource_op *op = calloc(1, sizeof(*op));
    if (!text || !path || !op) {
        free(text);
        free(path);
        free(op);
        api_error_set(&err, "InternalError", "out of memory");
        done(NULL, &err, ctx);
        return -1;
    }
    /* NOTE: the ARN's "/" goes into the path unencoded, where botocore
     * sends %2F. The sandbox checks signatures on the decoded path, so it
     * accepts only this form; real EKS has not been tried with it. */
    snprintf(path, path_len, "/tags/%s", resource_arn);
    op->done = done;
    op->ctx = ctx;
    const struct aws_call call = {
        .service = &aws_service_eks,
        .region = region,
        .operation = "TagResource",
        .method = "POST",
        .path = path,
        .body = text,
        .mutating = 1,
    };
    int rc = aws_send(s, &call, on_tagged, op);
    free(text);
    free(path);
    return rc;
}
