/*
 * IAM writes: each is one query-protocol call sent with mutating set,
 * so aws_send rejects it in a --readonly session and retries it as the
 * SDKs do. Creates parse the new entity's ARN from the reply.
 */
#include "iam_write.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "awsxml.h"

/* A call's own members, plus tags or an OIDC provider's two lists. */
#define MAX_PARAMS (8 + 2 * IAM_MAX_TAGS + 2 * IAM_MAX_LIST_ITEMS)

/* The parameters of one call; names of list members are formatted into
 * names, values are borrowed from the caller until aws_send copies
 * them. */
struct params {
    struct sigv4_pair pairs[MAX_PARAMS];
    char names[MAX_PARAMS][48];
    size_t count;
    int overflow;
};

/* The kind of change a call makes, which decides what an error after a
 * retried lost reply means. */
enum write_kind {
    WRITE_CHANGE,   /* an update, tag or attach */
    WRITE_CREATE,   /* a retry may meet EntityAlreadyExists */
    WRITE_REMOVE,   /* a delete or detach: a retry may meet NoSuchEntity */
};

struct write_op {
    iam_write_fn done;
    void *ctx;
    char operation[48];
    const char *element;     /* create: "Role", "Policy" or NULL (OIDC) */
    enum write_kind kind;
    char entity[320];        /* "role web-app", for messages */
};

/* Adds name=value; a NULL value is left out, as optional members are. */
static void add_param(struct params *p, const char *name, const char *value)
{
    if (!value)
        return;
    if (p->count == MAX_PARAMS) {
        p->overflow = 1;
        return;
    }
    snprintf(p->names[p->count], sizeof(p->names[0]), "%s", name);
    p->pairs[p->count].name = p->names[p->count];
    p->pairs[p->count++].value = value;
}

static void add_tags(struct params *p, const struct iam_tag *tags,
                     size_t count)
{
    char name[48];
    for (size_t i = 0; i < count; i++) {
        snprintf(name, sizeof(name), "Tags.member.%zu.Key", i + 1);
        add_param(p, name, tags[i].key);
        snprintf(name, sizeof(name), "Tags.member.%zu.Value", i + 1);
        add_param(p, name, tags[i].value);
    }
}

/* A query list: LIST.member.1, LIST.member.2, ... */
static void add_list(struct params *p, const char *list,
                     const char *const *items, size_t count)
{
    char name[48];
    for (size_t i = 0; i < count; i++) {
        snprintf(name, sizeof(name), "%s.member.%zu", list, i + 1);
        add_param(p, name, items[i]);
    }
}

int iam_parse_created(const char *xml, size_t len, const char *operation,
                      const char *element, char **arn, char **id,
                      struct api_error *err)
{
    char what[80];
    snprintf(what, sizeof(what), "IAM %s", operation);
    *arn = *id = NULL;
    xmlDoc *doc = awsxml_parse(xml, len, what, err);
    if (!doc)
        return -1;
    const xmlNode *root = xmlDocGetRootElement(doc);
    if (element) {
        const xmlNode *entity = awsxml_find(root, element);
        *arn = awsxml_child_text(entity, "Arn");
        *id = awsxml_child_text(entity, strcmp(element, "Role") == 0
                                        ? "RoleId" : "PolicyId");
    } else {
        *arn = awsxml_text(awsxml_find(root, "OpenIDConnectProviderArn"));
    }
    xmlFreeDoc(doc);
    if (*arn && **arn)
        return 0;
    api_error_set(err, "InvalidReply", "%s reply has no ARN of what it "
                  "created", what);
    free(*arn);
    free(*id);
    *arn = *id = NULL;
    return -1;
}

/* Whether err is what a retry meets when the attempt whose reply was
 * lost did the work: EntityAlreadyExists for a create, NoSuchEntity for
 * a delete or detach. */
static int lost_reply_error(const struct write_op *op,
                            const struct api_error *err)
{
    if (err->attempts < 2)
        return 0;
    if (op->kind == WRITE_CREATE)
        return strcmp(err->code, "EntityAlreadyExists") == 0;
    if (op->kind == WRITE_REMOVE)
        return strcmp(err->code, "NoSuchEntity") == 0;
    return 0;
}

/* Rewrites err's message to say the lost attempt may have done the
 * work; IAM's own text only states that the entity exists or not. */
static void explain_lost_reply(const struct write_op *op,
                               struct api_error *err)
{
    const char *result = op->kind == WRITE_CREATE
                         ? "already exists" : "was not found";
    const char *work = op->kind == WRITE_CREATE
                       ? "created it" : "made the change";
    snprintf(err->message, sizeof(err->message), "%s %s after %d attempts: "
             "the reply to an earlier attempt was lost, so that attempt may "
             "have %s. Check that the result is the one you meant",
             op->entity, result, err->attempts, work);
}

static void on_reply(const struct buf *body, const struct api_error *err,
                     void *ctx)
{
    struct write_op *op = ctx;
    struct api_error local = {0};
    struct iam_write_result res = {0};
    char *arn = NULL, *id = NULL;
    if (err && lost_reply_error(op, err)) {
        local = *err;
        explain_lost_reply(op, &local);
        err = &local;
    } else if (!err && op->kind == WRITE_CREATE &&
               iam_parse_created(body->data, body->len, op->operation,
                                 op->element, &arn, &id, &local) < 0) {
        err = &local;
    }
    res.arn = arn;
    res.id = id;
    op->done(err ? NULL : &res, err, op->ctx);
    free(arn);
    free(id);
    free(op);
}

static int fail_now(iam_write_fn done, void *ctx, const char *code,
                    const char *message)
{
    struct api_error err = {0};
    api_error_set(&err, code, "%s", message);
    done(NULL, &err, ctx);
    return -1;
}

/* Sends operation with p; a create parses the ARN under element. */
static int send_write(struct aws_session *s, const char *operation,
                      const struct params *p, enum write_kind kind,
                      const char *element, const char *entity,
                      iam_write_fn done, void *ctx)
{
    if (p->overflow)
        return fail_now(done, ctx, "InvalidInput", "too many tags or list "
                        "items for one IAM call: IAM accepts at most 50 "
                        "tags and 100 client ids");
    struct write_op *op = calloc(1, sizeof(*op));
    if (!op)
        return fail_now(done, ctx, "InternalError", "out of memory");
    op->done = done;
    op->ctx = ctx;
    op->kind = kind;
    op->element = element;
    snprintf(op->operation, sizeof(op->operation), "%s", operation);
    snprintf(op->entity, sizeof(op->entity), "%s", entity);
    const struct aws_call call = {
        .service = &aws_service_iam, .operation = operation,
        .params = p->pairs, .param_count = p->count, .mutating = 1,
    };
    return aws_send(s, &call, on_reply, op);
}

/* Writes "KIND NAME" into out for messages. */
static const char *entity(char *out, size_t len, const char *kind,
                          const char *name)
{
    snprintf(out, len, "%s %s", kind, name ? name : "(none)");
    return out;
}

int iam_create_role(struct aws_session *s, const struct iam_role_spec *spec,
                    iam_write_fn done, void *ctx)
{
    struct params p = {0};
    char what[320];
    add_param(&p, "RoleName", spec->name);
    add_param(&p, "Path", spec->path);
    add_param(&p, "AssumeRolePolicyDocument", spec->trust_policy);
    add_param(&p, "Description", spec->description);
    add_tags(&p, spec->tags, spec->tag_count);
    return send_write(s, "CreateRole", &p, WRITE_CREATE, "Role",
                      entity(what, sizeof(what), "role", spec->name), done,
                      ctx);
}

/* A call on one role without output: RoleName plus up to two members. */
static int role_call(struct aws_session *s, const char *operation,
                     enum write_kind kind, const char *role,
                     const char *name1, const char *value1,
                     const char *name2, const char *value2,
                     iam_write_fn done, void *ctx)
{
    struct params p = {0};
    char what[320];
    add_param(&p, "RoleName", role);
    if (name1)
        add_param(&p, name1, value1);
    if (name2)
        add_param(&p, name2, value2);
    return send_write(s, operation, &p, kind, NULL,
                      entity(what, sizeof(what), "role", role), done, ctx);
}

int iam_delete_role(struct aws_session *s, const char *role,
                    iam_write_fn done, void *ctx)
{
    return role_call(s, "DeleteRole", WRITE_REMOVE, role, NULL, NULL, NULL,
                     NULL, done, ctx);
}

int iam_update_trust_policy(struct aws_session *s, const char *role,
                            const char *document, iam_write_fn done,
                            void *ctx)
{
    return role_call(s, "UpdateAssumeRolePolicy", WRITE_CHANGE, role,
                     "PolicyDocument", document, NULL, NULL, done, ctx);
}

int iam_tag_role(struct aws_session *s, const char *role,
                 const struct iam_tag *tags, size_t tag_count,
                 iam_write_fn done, void *ctx)
{
    struct params p = {0};
    char what[320];
    add_param(&p, "RoleName", role);
    add_tags(&p, tags, tag_count);
    return send_write(s, "TagRole", &p, WRITE_CHANGE, NULL,
                      entity(what, sizeof(what), "role", role), done, ctx);
}

int iam_put_role_policy(struct aws_session *s, const char *role,
                        const char *policy_name, const char *document,
                        iam_write_fn done, void *ctx)
{
    return role_call(s, "PutRolePolicy", WRITE_CHANGE, role, "PolicyName",
                     policy_name, "PolicyDocument", document, done, ctx);
}

int iam_delete_role_policy(struct aws_session *s, const char *role,
                           const char *policy_name, iam_write_fn done,
                           void *ctx)
{
    return role_call(s, "DeleteRolePolicy", WRITE_REMOVE, role,
                     "PolicyName", policy_name, NULL, NULL, done, ctx);
}

int iam_attach_role_policy(struct aws_session *s, const char *role,
                           const char *policy_arn, iam_write_fn done,
                           void *ctx)
{
    return role_call(s, "AttachRolePolicy", WRITE_CHANGE, role,
                     "PolicyArn", policy_arn, NULL, NULL, done, ctx);
}

int iam_detach_role_policy(struct aws_session *s, const char *role,
                           const char *policy_arn, iam_write_fn done,
                           void *ctx)
{
    return role_call(s, "DetachRolePolicy", WRITE_REMOVE, role,
                     "PolicyArn", policy_arn, NULL, NULL, done, ctx);
}

int iam_create_policy(struct aws_session *s,
                      const struct iam_policy_spec *spec, iam_write_fn done,
                      void *ctx)
{
    struct params p = {0};
    char what[320];
    add_param(&p, "PolicyName", spec->name);
    add_param(&p, "Path", spec->path);
    add_param(&p, "PolicyDocument", spec->document);
    add_param(&p, "Description", spec->description);
    add_tags(&p, spec->tags, spec->tag_count);
    return send_write(s, "CreatePolicy", &p, WRITE_CREATE, "Policy",
                      entity(what, sizeof(what), "policy", spec->name), done,
                      ctx);
}

int iam_create_policy_version(struct aws_session *s, const char *arn,
                              const char *document, int set_default,
                              iam_write_fn done, void *ctx)
{
    struct params p = {0};
    char what[320];
    add_param(&p, "PolicyArn", arn);
    add_param(&p, "PolicyDocument", document);
    add_param(&p, "SetAsDefault", set_default ? "true" : NULL);
    return send_write(s, "CreatePolicyVersion", &p, WRITE_CHANGE, NULL,
                      entity(what, sizeof(what), "policy", arn), done, ctx);
}

int iam_delete_policy(struct aws_session *s, const char *arn,
                      iam_write_fn done, void *ctx)
{
    struct params p = {0};
    char what[320];
    add_param(&p, "PolicyArn", arn);
    return send_write(s, "DeletePolicy", &p, WRITE_REMOVE, NULL,
                      entity(what, sizeof(what), "policy", arn), done, ctx);
}

int iam_create_oidc_provider(struct aws_session *s,
                             const struct iam_oidc_provider_spec *spec,
                             iam_write_fn done, void *ctx)
{
    struct params p = {0};
    char what[320];
    add_param(&p, "Url", spec->url);
    add_list(&p, "ClientIDList", spec->client_ids, spec->client_id_count);
    add_list(&p, "ThumbprintList", spec->thumbprints,
             spec->thumbprint_count);
    add_tags(&p, spec->tags, spec->tag_count);
    return send_write(s, "CreateOpenIDConnectProvider", &p, WRITE_CREATE,
                      NULL,
                      entity(what, sizeof(what), "OIDC provider", spec->url),
                      done, ctx);
}

int iam_tag_oidc_provider(struct aws_session *s, const char *arn,
                          const struct iam_tag *tags, size_t tag_count,
                          iam_write_fn done, void *ctx)
{
    struct params p = {0};
    char what[320];
    add_param(&p, "OpenIDConnectProviderArn", arn);
    add_tags(&p, tags, tag_count);
    return send_write(s, "TagOpenIDConnectProvider", &p, WRITE_CHANGE, NULL,
                      entity(what, sizeof(what), "OIDC provider", arn), done,
                      ctx);
}

int iam_untag_oidc_provider(struct aws_session *s, const char *arn,
                            const char *const *keys, size_t key_count,
                            iam_write_fn done, void *ctx)
{
    struct params p = {0};
    char what[320];
    add_param(&p, "OpenIDConnectProviderArn", arn);
    add_list(&p, "TagKeys", keys, key_count);
    return send_write(s, "UntagOpenIDConnectProvider", &p, WRITE_CHANGE,
                      NULL, entity(what, sizeof(what), "OIDC provider", arn),
                      done, ctx);
}

int iam_delete_oidc_provider(struct aws_session *s, const char *arn,
                             iam_write_fn done, void *ctx)
{
    struct params p = {0};
    char what[320];
    add_param(&p, "OpenIDConnectProviderArn", arn);
    return send_write(s, "DeleteOpenIDConnectProvider", &p, WRITE_REMOVE,
                      NULL,
                      entity(what, sizeof(what), "OIDC provider", arn), done,
                      ctx);
}
