/*
 * IAM policy reads: GetPolicy then GetPolicyVersion for the default
 * version's document, and GetRolePolicy. None is mutating, so they run
 * in read-only sessions too.
 */
#include "iam_policy.h"

#include <stdlib.h>
#include <string.h>

#include "awsxml.h"
#include "iam.h"

#define MAX_TAGS 50   /* IAM's quota of tags per policy */

void iam_policy_info_free(struct iam_policy_info *p)
{
    if (!p)
        return;
    free(p->name);
    free(p->arn);
    free(p->description);
    free(p->default_version);
    free(p->attachment_count);
    free(p->created);
    free(p->updated);
    free(p->document);
    for (size_t i = 0; i < p->tag_count; i++) {
        free(p->tag_keys[i]);
        free(p->tag_values[i]);
    }
    free(p->tag_keys);
    free(p->tag_values);
    free(p);
}

const char *iam_policy_tag(const struct iam_policy_info *p, const char *key)
{
    for (size_t i = 0; i < p->tag_count; i++)
        if (p->tag_keys[i] && strcmp(p->tag_keys[i], key) == 0)
            return p->tag_values[i];
    return NULL;
}

/* Tags/member Key and Value; IAM allows at most MAX_TAGS a policy.
 * Returns 0, or -1 when memory runs out. */
static int parse_tags(const xmlNode *policy, struct iam_policy_info *p)
{
    const xmlNode *tags = awsxml_child(policy, "Tags");
    const xmlNode *m = tags ? awsxml_child(tags, "member") : NULL;
    p->tag_keys = calloc(MAX_TAGS, sizeof(*p->tag_keys));
    p->tag_values = calloc(MAX_TAGS, sizeof(*p->tag_values));
    if (!p->tag_keys || !p->tag_values)
        return -1;
    for (; m && p->tag_count < MAX_TAGS; m = awsxml_next(m)) {
        p->tag_keys[p->tag_count] = awsxml_child_text(m, "Key");
        p->tag_values[p->tag_count] = awsxml_child_text(m, "Value");
        p->tag_count++;
    }
    return 0;
}

int iam_parse_policy(const char *xml, size_t len,
                     struct iam_policy_info *info, struct api_error *err)
{
    static const char what[] = "IAM GetPolicy";
    xmlDoc *doc = awsxml_parse(xml, len, what, err);
    if (!doc)
        return -1;
    xmlNode *n = awsxml_child(awsxml_find(xmlDocGetRootElement(doc),
                                          "GetPolicyResult"), "Policy");
    info->name = awsxml_child_text(n, "PolicyName");
    info->arn = awsxml_child_text(n, "Arn");
    info->description = awsxml_child_text(n, "Description");
    info->default_version = awsxml_child_text(n, "DefaultVersionId");
    info->attachment_count = awsxml_child_text(n, "AttachmentCount");
    info->created = awsxml_child_text(n, "CreateDate");
    info->updated = awsxml_child_text(n, "UpdateDate");
    int tags = n ? parse_tags(n, info) : 0;
    xmlFreeDoc(doc);
    if (tags < 0) {
        api_error_set(err, "InternalError", "out of memory");
        return -1;
    }
    if (info->arn && info->default_version)
        return 0;
    api_error_set(err, "InvalidReply", "%s reply has no Policy with Arn "
                  "and DefaultVersionId", what);
    return -1;
}

int iam_parse_policy_document(const char *xml, size_t len,
                              const char *operation, char **document,
                              struct api_error *err)
{
    char what[64];
    snprintf(what, sizeof(what), "IAM %s", operation);
    *document = NULL;
    xmlDoc *doc = awsxml_parse(xml, len, what, err);
    if (!doc)
        return -1;
    int version = strcmp(operation, "GetPolicyVersion") == 0;
    char result[64];
    snprintf(result, sizeof(result), "%sResult", operation);
    xmlNode *n = awsxml_find(xmlDocGetRootElement(doc), result);
    if (version)
        n = awsxml_child(n, "PolicyVersion");
    *document = awsxml_child_text(n, version ? "Document"
                                             : "PolicyDocument");
    xmlFreeDoc(doc);
    if (*document) {
        iam_percent_decode(*document);
        return 0;
    }
    api_error_set(err, "InvalidReply", "%s reply has no policy document",
                  what);
    return -1;
}

int iam_parse_policy_version(const char *xml, size_t len,
                             struct iam_policy_info *p,
                             struct api_error *err)
{
    free(p->document);
    return iam_parse_policy_document(xml, len, "GetPolicyVersion",
                                     &p->document, err);
}

/* ---- GetPolicy, then GetPolicyVersion ----------------------------------- */

struct policy_op {
    struct aws_session *s;
    iam_policy_fn done;
    void *ctx;
    struct iam_policy_info *info;
};

static void policy_finish(struct policy_op *op, const struct api_error *err)
{
    if (err) {
        iam_policy_info_free(op->info);
        op->info = NULL;
    }
    op->done(op->info, err, op->ctx);
    free(op);
}

static void on_version(const struct buf *body, const struct api_error *err,
                       void *ctx)
{
    struct policy_op *op = ctx;
    struct api_error parse_err = {0};
    if (!err && iam_parse_policy_document(body->data, body->len,
                                          "GetPolicyVersion",
                                          &op->info->document,
                                          &parse_err) < 0)
        err = &parse_err;
    policy_finish(op, err);
}

static void on_policy(const struct buf *body, const struct api_error *err,
                      void *ctx)
{
    struct policy_op *op = ctx;
    struct api_error parse_err = {0};
    if (!err && iam_parse_policy(body->data, body->len, op->info,
                                 &parse_err) < 0)
        err = &parse_err;
    if (err) {
        policy_finish(op, err);
        return;
    }
    const struct sigv4_pair params[] = {
        {"PolicyArn", op->info->arn},
        {"VersionId", op->info->default_version},
    };
    const struct aws_call call = {
        .service = &aws_service_iam, .operation = "GetPolicyVersion",
        .params = params, .param_count = 2,
    };
    aws_send(op->s, &call, on_version, op);
}

static int out_of_memory(void (*fail)(void *ctx, const struct api_error *e),
                         void *ctx)
{
    struct api_error err = {0};
    api_error_set(&err, "InternalError", "out of memory");
    fail(ctx, &err);
    return -1;
}

struct policy_fail {
    iam_policy_fn done;
    void *ctx;
};

static void fail_policy(void *ctx, const struct api_error *e)
{
    struct policy_fail *f = ctx;
    f->done(NULL, e, f->ctx);
}

int iam_get_policy(struct aws_session *s, const char *arn,
                   iam_policy_fn done, void *ctx)
{
    struct policy_op *op = calloc(1, sizeof(*op));
    struct iam_policy_info *info = calloc(1, sizeof(*info));
    if (!op || !info) {
        free(op);
        free(info);
        struct policy_fail f = { done, ctx };
        return out_of_memory(fail_policy, &f);
    }
    *op = (struct policy_op){ s, done, ctx, info };
    const struct sigv4_pair params[] = {{"PolicyArn", arn}};
    const struct aws_call call = {
        .service = &aws_service_iam, .operation = "GetPolicy",
        .params = params, .param_count = 1,
    };
    return aws_send(s, &call, on_policy, op);
}

/* ---- GetRolePolicy ------------------------------------------------------ */

struct document_op {
    iam_document_fn done;
    void *ctx;
};

static void on_role_policy(const struct buf *body,
                           const struct api_error *err, void *ctx)
{
    struct document_op *op = ctx;
    struct api_error parse_err = {0};
    char *document = NULL;
    if (!err && iam_parse_policy_document(body->data, body->len,
                                          "GetRolePolicy", &document,
                                          &parse_err) < 0)
        err = &parse_err;
    op->done(err ? NULL : document, err, op->ctx);
    free(document);
    free(op);
}

static void fail_document(void *ctx, const struct api_error *e)
{
    struct document_op *f = ctx;
    f->done(NULL, e, f->ctx);
}

int iam_get_role_policy(struct aws_session *s, const char *role,
                        const char *policy_name, iam_document_fn done,
                        void *ctx)
{
    struct document_op *op = calloc(1, sizeof(*op));
    if (!op) {
        struct document_op f = { done, ctx };
        return out_of_memory(fail_document, &f);
    }
    *op = (struct document_op){ done, ctx };
    const struct sigv4_pair params[] = {
        {"RoleName", role}, {"PolicyName", policy_name},
    };
    const struct aws_call call = {
        .service = &aws_service_iam, .operation = "GetRolePolicy",
        .params = params, .param_count = 2,
    };
    return aws_send(s, &call, on_role_policy, op);
}
