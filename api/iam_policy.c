/*
 * Reading one customer managed policy: GetPolicy for its ARN, default
 * version and tags, then GetPolicyVersion for that version's document.
 */
#include "iam.h"

#include <stdlib.h>
#include <string.h>

#include "awsxml.h"

#define MAX_TAGS 50   /* IAM's quota of tags per policy */

struct policy_op {
    struct aws_session *s;
    struct iam_policy_info *policy;
    iam_policy_fn done;
    void *ctx;
};

void iam_policy_info_free(struct iam_policy_info *p)
{
    if (!p)
        return;
    free(p->arn);
    free(p->default_version);
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

int iam_parse_policy(const char *xml, size_t len, struct iam_policy_info *p,
                     struct api_error *err)
{
    xmlDoc *doc = awsxml_parse(xml, len, "IAM GetPolicy", err);
    if (!doc)
        return -1;
    const xmlNode *policy = awsxml_find(xmlDocGetRootElement(doc), "Policy");
    p->arn = awsxml_child_text(policy, "Arn");
    p->default_version = awsxml_child_text(policy, "DefaultVersionId");
    int rc = policy && parse_tags(policy, p) == 0 ? 0 : -1;
    xmlFreeDoc(doc);
    if (rc == 0 && p->arn && p->default_version)
        return 0;
    api_error_set(err, "InvalidReply", "IAM GetPolicy reply has no policy "
                  "ARN or default version");
    return -1;
}

int iam_parse_policy_version(const char *xml, size_t len,
                             struct iam_policy_info *p,
                             struct api_error *err)
{
    xmlDoc *doc = awsxml_parse(xml, len, "IAM GetPolicyVersion", err);
    if (!doc)
        return -1;
    const xmlNode *version = awsxml_find(xmlDocGetRootElement(doc),
                                         "PolicyVersion");
    free(p->document);
    p->document = awsxml_child_text(version, "Document");
    xmlFreeDoc(doc);
    if (!p->document) {
        api_error_set(err, "InvalidReply", "IAM GetPolicyVersion reply has "
                      "no Document");
        return -1;
    }
    iam_percent_decode(p->document);
    return 0;
}

static void finish(struct policy_op *op, const struct api_error *err)
{
    if (err) {
        iam_policy_info_free(op->policy);
        op->policy = NULL;
    }
    op->done(op->policy, err, op->ctx);
    free(op);
}

static void on_version(const struct buf *body, const struct api_error *err,
                       void *ctx)
{
    struct policy_op *op = ctx;
    struct api_error parse_err = {0};
    if (!err && iam_parse_policy_version(body->data, body->len, op->policy,
                                         &parse_err) < 0)
        err = &parse_err;
    finish(op, err);
}

static void on_policy(const struct buf *body, const struct api_error *err,
                      void *ctx)
{
    struct policy_op *op = ctx;
    struct api_error parse_err = {0};
    if (!err && iam_parse_policy(body->data, body->len, op->policy,
                                 &parse_err) < 0)
        err = &parse_err;
    if (err) {
        finish(op, err);
        return;
    }
    const struct sigv4_pair params[] = {
        {"PolicyArn", op->policy->arn},
        {"VersionId", op->policy->default_version},
    };
    const struct aws_call call = {
        .service = &aws_service_iam, .operation = "GetPolicyVersion",
        .params = params, .param_count = 2,
    };
    aws_send(op->s, &call, on_version, op);
}

int iam_get_policy(struct aws_session *s, const char *arn, iam_policy_fn done,
                   void *ctx)
{
    struct policy_op *op = calloc(1, sizeof(*op));
    struct iam_policy_info *policy = calloc(1, sizeof(*policy));
    if (!op || !policy) {
        struct api_error err = {0};
        free(op);
        free(policy);
        api_error_set(&err, "InternalError", "out of memory");
        done(NULL, &err, ctx);
        return -1;
    }
    op->s = s;
    op->policy = policy;
    op->done = done;
    op->ctx = ctx;
    const struct sigv4_pair params[] = {{"PolicyArn", arn}};
    const struct aws_call call = {
        .service = &aws_service_iam, .operation = "GetPolicy",
        .params = params, .param_count = 1,
    };
    return aws_send(s, &call, on_policy, op);
}
