/*
 * The IAM actions: attach and detach a managed policy, put and delete
 * an inline policy, replace a trust policy, create a customer managed
 * policy, show a policy's default version, delete a role. Each sends
 * one IAM call; the previews of those that change a document read the
 * current one first, so the diff shows what really changes.
 */
#include "action_internal.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../api/iam.h"
#include "../api/iam_policy.h"
#include "../api/iam_write.h"
#include "util.h"

/* ---- attach and detach --------------------------------------------------- */

static int check_attach(const struct action *a, struct api_error *err)
{
    if (action_check_role_name(a->role, err) < 0)
        return -1;
    return action_check_policy_arn(a->policy_arn, err);
}

static void preview_attach(struct action_run *r)
{
    const struct action *a = &r->action;
    int attach = a->kind == ACTION_ATTACH_POLICY;
    action_summary(r, "%s managed policy %s %s role %s",
                   attach ? "attach" : "detach", a->policy_arn,
                   attach ? "to" : "from", a->role);
    action_add_call(r, "IAM", attach ? "AttachRolePolicy"
                                     : "DetachRolePolicy", a->role, NULL,
                    NULL, "RoleName", a->role, "PolicyArn", a->policy_arn,
                    NULL);
    action_previewed(r, NULL);
}

static void send_attach(struct action_run *r, size_t call)
{
    const struct action *a = &r->action;
    (void)call;
    action_waiting(r);
    if (a->kind == ACTION_ATTACH_POLICY)
        iam_attach_role_policy(&r->model->aws, a->role, a->policy_arn,
                               action_on_iam, r);
    else
        iam_detach_role_policy(&r->model->aws, a->role, a->policy_arn,
                               action_on_iam, r);
}

const struct action_ops action_attach_policy_ops = {
    .check = check_attach,
    .preview = preview_attach, .send = send_attach,
};

const struct action_ops action_detach_policy_ops = {
    .check = check_attach,
    .preview = preview_attach, .send = send_attach,
};

/* ---- inline policies ----------------------------------------------------- */

static int check_policy_name(const char *name, struct api_error *err)
{
    return action_check_iam_name(name, 128, "policy", err);
}

static int check_put_inline(const struct action *a, struct api_error *err)
{
    if (action_check_role_name(a->role, err) < 0 ||
        check_policy_name(a->policy_name, err) < 0)
        return -1;
    return action_check_document(a->document, "the inline policy", err);
}

static int check_delete_inline(const struct action *a, struct api_error *err)
{
    if (action_check_role_name(a->role, err) < 0)
        return -1;
    return check_policy_name(a->policy_name, err);
}

/* Records the change from before (NULL: none) to the action's document
 * (NULL: removed), and whether it changes anything. */
static void document_change(struct action_run *r, const char *what,
                            const char *before, const char *after)
{
    char *old = before ? action_pretty_json(before) : NULL;
    char *new = after ? action_pretty_json(after) : NULL;
    action_add_change(r, what, old, new);
    r->preview.nothing_to_do = old && new && strcmp(old, new) == 0;
    free(old);
    free(new);
}

static void on_inline_read(const char *document, const struct api_error *err,
                           void *ctx)
{
    struct action_run *r = ctx;
    const struct action *a = &r->action;
    if (!action_arrived(r))
        return;
    int missing = err && strcmp(err->code, "NoSuchEntity") == 0;
    int put = a->kind == ACTION_PUT_INLINE_POLICY;
    if (err && !(missing && put)) {
        struct api_error e = *err;
        if (missing)
            api_error_set(&e, "NoSuchEntity", "role %s has no inline policy "
                          "%s (or no such role): list them with albatross "
                          "get roles -o yaml", a->role, a->policy_name);
        action_previewed(r, &e);
        return;
    }
    char what[400];
    snprintf(what, sizeof(what), "inline policy %s of role %s",
             a->policy_name, a->role);
    document_change(r, what, document, put ? a->document : NULL);
    if (missing)
        action_note(r, "role %s has no inline policy %s yet: it is added",
                    a->role, a->policy_name);
    action_previewed(r, NULL);
}

static void preview_inline(struct action_run *r)
{
    const struct action *a = &r->action;
    int put = a->kind == ACTION_PUT_INLINE_POLICY;
    action_summary(r, "%s inline policy %s %s role %s", put ? "put" : "delete",
                   a->policy_name, put ? "on" : "of", a->role);
    action_add_call(r, "IAM", put ? "PutRolePolicy" : "DeleteRolePolicy",
                    a->role, put ? "PolicyDocument" : NULL,
                    put ? a->document : NULL, "RoleName", a->role,
                    "PolicyName", a->policy_name, NULL);
    action_waiting(r);
    iam_get_role_policy(&r->model->aws, a->role, a->policy_name,
                        on_inline_read, r);
}

static void send_inline(struct action_run *r, size_t call)
{
    const struct action *a = &r->action;
    (void)call;
    action_waiting(r);
    if (a->kind == ACTION_PUT_INLINE_POLICY)
        iam_put_role_policy(&r->model->aws, a->role, a->policy_name,
                            a->document, action_on_iam, r);
    else
        iam_delete_role_policy(&r->model->aws, a->role, a->policy_name,
                               action_on_iam, r);
}

const struct action_ops action_put_inline_policy_ops = {
    .check = check_put_inline,
    .preview = preview_inline, .send = send_inline,
};

const struct action_ops action_delete_inline_policy_ops = {
    .check = check_delete_inline,
    .preview = preview_inline, .send = send_inline,
};

/* ---- the trust policy ---------------------------------------------------- */

static int check_trust(const struct action *a, struct api_error *err)
{
    if (action_check_role_name(a->role, err) < 0)
        return -1;
    return action_check_document(a->document, "the trust policy", err);
}

static void free_role(void *data)
{
    iam_role_cleanup(data);
    free(data);
}

static void on_role_read(struct iam_role *role, const struct api_error *err,
                         void *ctx)
{
    struct action_run *r = ctx;
    if (!action_arrived(r))
        return;
    if (err) {
        action_previewed(r, err);
        return;
    }
    char what[300];
    snprintf(what, sizeof(what), "trust policy of role %s", r->action.role);
    document_change(r, what, role->trust_policy ? role->trust_policy : "",
                    r->action.document);
    action_previewed(r, NULL);
}

static void preview_trust(struct action_run *r)
{
    const struct action *a = &r->action;
    struct action_priv *p = action_priv(r);
    struct iam_role *role = xrealloc(NULL, sizeof(*role));
    memset(role, 0, sizeof(*role));
    role->name = xstrdup(a->role);
    p->data = role;
    p->data_free = free_role;
    action_summary(r, "replace the trust policy of role %s", a->role);
    action_add_call(r, "IAM", "UpdateAssumeRolePolicy", a->role,
                    "PolicyDocument", a->document, "RoleName", a->role,
                    NULL);
    action_waiting(r);
    iam_load_role_details(&r->model->aws, role, on_role_read, r);
}

static void send_trust(struct action_run *r, size_t call)
{
    (void)call;
    action_waiting(r);
    iam_update_trust_policy(&r->model->aws, r->action.role,
                            r->action.document, action_on_iam, r);
}

const struct action_ops action_update_trust_policy_ops = {
    .check = check_trust,
    .preview = preview_trust, .send = send_trust,
};

/* ---- create policy ------------------------------------------------------- */

static int check_create_policy(const struct action *a, struct api_error *err)
{
    if (check_policy_name(a->policy_name, err) < 0)
        return -1;
    return action_check_document(a->document, "the policy", err);
}

static void preview_create_policy(struct action_run *r)
{
    const struct action *a = &r->action;
    char what[200];
    action_summary(r, "create customer managed policy %s", a->policy_name);
    action_add_call(r, "IAM", "CreatePolicy", a->policy_name,
                    "PolicyDocument", a->document, "PolicyName",
                    a->policy_name, "Description", a->description, NULL);
    snprintf(what, sizeof(what), "policy %s", a->policy_name);
    document_change(r, what, NULL, a->document);
    action_previewed(r, NULL);
}

static void send_create_policy(struct action_run *r, size_t call)
{
    const struct action *a = &r->action;
    struct iam_policy_spec spec = {
        .name = a->policy_name, .document = a->document,
        .description = a->description,
    };
    (void)call;
    action_waiting(r);
    iam_create_policy(&r->model->aws, &spec, action_on_iam, r);
}

const struct action_ops action_create_policy_ops = {
    .check = check_create_policy,
    .preview = preview_create_policy, .send = send_create_policy,
};

/* ---- delete role --------------------------------------------------------- */

static int check_delete_role(const struct action *a, struct api_error *err)
{
    return action_check_role_name(a->role, err);
}

static void preview_delete_role(struct action_run *r)
{
    action_summary(r, "delete role %s", r->action.role);
    action_add_call(r, "IAM", "DeleteRole", r->action.role, NULL, NULL,
                    "RoleName", r->action.role, NULL);
    action_previewed(r, NULL);
}

static void send_delete_role(struct action_run *r, size_t call)
{
    (void)call;
    action_waiting(r);
    iam_delete_role(&r->model->aws, r->action.role, action_on_iam, r);
}

const struct action_ops action_delete_role_ops = {
    .check = check_delete_role,
    .preview = preview_delete_role, .send = send_delete_role,
};

/* ---- describe policy ----------------------------------------------------- */

static int check_describe(const struct action *a, struct api_error *err)
{
    return action_check_policy_arn(a->policy_arn, err);
}

static void preview_describe(struct action_run *r)
{
    action_summary(r, "show policy %s and its default version",
                   r->action.policy_arn);
    action_add_call(r, "IAM", "GetPolicy, GetPolicyVersion",
                    r->action.policy_arn, NULL, NULL, "PolicyArn",
                    r->action.policy_arn, NULL);
    action_previewed(r, NULL);
}

static void on_policy(struct iam_policy_info *info,
                      const struct api_error *err, void *ctx)
{
    struct action_run *r = ctx;
    if (!action_arrived(r)) {
        iam_policy_info_free(info);
        return;
    }
    if (!err) {
        char *text = action_describe_policy_text(info);
        action_set_result(r, text);
        free(text);
    }
    iam_policy_info_free(info);
    action_sent(r, err);
}

static void send_describe(struct action_run *r, size_t call)
{
    (void)call;
    action_waiting(r);
    iam_get_policy(&r->model->aws, r->action.policy_arn, on_policy, r);
}

const struct action_ops action_describe_policy_ops = {
    .check = check_describe,
    .preview = preview_describe, .send = send_describe,
};
