/*
 * The IAM actions: attach and detach a managed policy, put and delete
 * an inline policy, replace a trust policy, create a customer managed
 * policy, show a policy's default version, delete a role. Each sends
 * one IAM call; the previews of those that change a document read the
 * current one first, so the diff shows what really changes.
 */
#include "action_internal.h"

#include <string.h>

#include "../api/iam_write.h"

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
    .name = "attach policy", .check = check_attach,
    .preview = preview_attach, .send = send_attach,
};

const struct action_ops action_detach_policy_ops = {
    .name = "detach policy", .check = check_attach,
    .preview = preview_attach, .send = send_attach,
};
