/*
 * IAM resource types, through world_iam.h so that they check and fail
 * as the IAM API does: roles with their inline and managed policies,
 * inline policies of roles, customer managed policies, and instance
 * profiles, which the world does not keep and the stack holds.
 *
 * Deleting a role first removes what the stack gave it, as
 * CloudFormation does; a policy attached from outside the stack makes
 * the delete fail with IAM's DeleteConflict.
 */
#include "cfn.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wfile.h"
#include "world_iam.h"

#define IAM "AmazonIdentityManagement"

static char *name_prop(const struct cfn_op *op, const char *prop)
{
    const char *given = cfn_prop(op, prop);
    return given ? strdup(given) : cfn_physical_name(op, 1);
}

/* A policy document property: JSON text, from an object or a string. */
static char *document(const cJSON *parent, const char *prop)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(parent, prop);
    if (cJSON_IsString(v))
        return strdup(v->valuestring);
    return v ? cJSON_PrintUnformatted(v) : NULL;
}

static int iam_failed(struct cfn_op *op, const char *code, const char *msg)
{
    return cfn_fail(op, IAM, code, "%s", msg);
}

static int put_inline(struct cfn_op *op, const char *role)
{
    const cJSON *p;
    char msg[512];
    cJSON_ArrayForEach(p, cJSON_GetObjectItemCaseSensitive(op->props,
                                                           "Policies")) {
        const char *name = cJSON_GetStringValue(
            cJSON_GetObjectItemCaseSensitive(p, "PolicyName"));
        char *doc = document(p, "PolicyDocument");
        const char *code = world_iam_put_role_policy(
            op->w, role, name ? name : "", doc ? doc : "", msg, sizeof(msg));
        free(doc);
        if (code)
            return iam_failed(op, code, msg);
    }
    return 0;
}

static int attach_managed(struct cfn_op *op, const char *role)
{
    const cJSON *arn;
    char msg[512];
    cJSON_ArrayForEach(arn, cJSON_GetObjectItemCaseSensitive(
                                op->props, "ManagedPolicyArns")) {
        const char *code = world_iam_attach_role_policy(
            op->w, role, cJSON_GetStringValue(arn) ? arn->valuestring : "",
            msg, sizeof(msg));
        if (code)
            return iam_failed(op, code, msg);
    }
    return 0;
}

/* Takes away what the stack gave role, then deletes it. */
static int delete_role(struct cfn_op *op, const char *role)
{
    char msg[512];
    const cJSON *item;
    cJSON_ArrayForEach(item, cJSON_GetObjectItemCaseSensitive(op->props,
                                                              "Policies"))
        world_iam_delete_role_policy(op->w, role, cJSON_GetStringValue(
            cJSON_GetObjectItemCaseSensitive(item, "PolicyName")), msg,
            sizeof(msg));
    cJSON_ArrayForEach(item, cJSON_GetObjectItemCaseSensitive(
                                 op->props, "ManagedPolicyArns"))
        if (cJSON_IsString(item))
            world_iam_detach_role_policy(op->w, role, item->valuestring,
                                         msg, sizeof(msg));
    const char *code = world_iam_delete_role(op->w, role, msg, sizeof(msg));
    if (code && strcmp(code, "NoSuchEntity") != 0)
        return iam_failed(op, code, msg);
    return 0;
}

static int create_role(struct cfn_op *op)
{
    char *name = name_prop(op, "RoleName");
    char *trust = document(op->props, "AssumeRolePolicyDocument");
    struct world_kv_list tags = {0};
    const struct world_role *role = NULL;
    char msg[512] = "out of memory";
    const char *code = !name || cfn_tags(op, 0, &tags) < 0 ? "ServiceFailure"
        : world_iam_create_role(op->w, name, cfn_prop(op, "Path"),
                                trust ? trust : "",
                                cfn_prop(op, "Description"), &tags, &role,
                                msg, sizeof(msg));
    free(trust);
    wfile_kv_free(&tags);
    if (code) {
        free(name);
        return iam_failed(op, code, msg);
    }
    op->res->physical_id = name;
    if (cfn_set_attr(op->res, "Arn", role->arn) < 0 ||
        cfn_set_attr(op->res, "RoleId", role->role_id) < 0)
        return iam_failed(op, "ServiceFailure", "out of memory");
    if (put_inline(op, name) < 0 || attach_managed(op, name) < 0) {
        char reason[sizeof(op->reason)];
        memcpy(reason, op->reason, sizeof(reason));
        delete_role(op, name);
        memcpy(op->reason, reason, sizeof(reason));
        return -1;
    }
    return 0;
}

static int remove_role(struct cfn_op *op)
{
    return delete_role(op, op->res->physical_id);
}

/* ---- AWS::IAM::Policy: an inline policy of each role listed ------------- */

static int create_inline_policy(struct cfn_op *op)
{
    const char *name = cfn_prop(op, "PolicyName");
    char *doc = document(op->props, "PolicyDocument");
    const cJSON *role;
    char msg[512];
    const char *code = NULL;
    cJSON_ArrayForEach(role, cJSON_GetObjectItemCaseSensitive(op->props,
                                                              "Roles"))
        if (!code && cJSON_IsString(role))
            code = world_iam_put_role_policy(op->w, role->valuestring,
                                             name ? name : "",
                                             doc ? doc : "", msg,
                                             sizeof(msg));
    free(doc);
    if (code)
        return iam_failed(op, code, msg);
    op->res->physical_id = cfn_physical_name(op, 1);
    return op->res->physical_id ? 0 : iam_failed(op, "ServiceFailure",
                                                 "out of memory");
}

static int remove_inline_policy(struct cfn_op *op)
{
    const char *name = cfn_prop(op, "PolicyName");
    const cJSON *role;
    char msg[512];
    cJSON_ArrayForEach(role, cJSON_GetObjectItemCaseSensitive(op->props,
                                                              "Roles"))
        if (cJSON_IsString(role) && name)
            world_iam_delete_role_policy(op->w, role->valuestring, name, msg,
                                         sizeof(msg));
    return 0;
}

/* ---- AWS::IAM::ManagedPolicy ------------------------------------------ */

static int attach_to_roles(struct cfn_op *op, const char *arn)
{
    const cJSON *role;
    char msg[512];
    cJSON_ArrayForEach(role, cJSON_GetObjectItemCaseSensitive(op->props,
                                                              "Roles")) {
        const char *code = cJSON_IsString(role)
            ? world_iam_attach_role_policy(op->w, role->valuestring, arn,
                                           msg, sizeof(msg)) : NULL;
        if (code)
            return iam_failed(op, code, msg);
    }
    return 0;
}

static int create_managed_policy(struct cfn_op *op)
{
    char *name = name_prop(op, "ManagedPolicyName");
    char *doc = document(op->props, "PolicyDocument");
    const struct world_policy *policy = NULL;
    char msg[512] = "out of memory";
    const char *code = !name ? "ServiceFailure"
        : world_iam_create_policy(op->w, name, cfn_prop(op, "Path"),
                                  doc ? doc : "", cfn_prop(op, "Description"),
                                  NULL, &policy, msg, sizeof(msg));
    free(name);
    free(doc);
    if (code)
        return iam_failed(op, code, msg);
    op->res->physical_id = strdup(policy->arn);
    if (!op->res->physical_id ||
        cfn_set_attr(op->res, "PolicyArn", policy->arn) < 0)
        return iam_failed(op, "ServiceFailure", "out of memory");
    return attach_to_roles(op, op->res->physical_id);
}

static int remove_managed_policy(struct cfn_op *op)
{
    const cJSON *role;
    char msg[512];
    cJSON_ArrayForEach(role, cJSON_GetObjectItemCaseSensitive(op->props,
                                                              "Roles"))
        if (cJSON_IsString(role))
            world_iam_detach_role_policy(op->w, role->valuestring,
                                         op->res->physical_id, msg,
                                         sizeof(msg));
    const char *code = world_iam_delete_policy(op->w, op->res->physical_id,
                                               msg, sizeof(msg));
    return code && strcmp(code, "NoSuchEntity") != 0
               ? iam_failed(op, code, msg) : 0;
}

/* ---- AWS::IAM::InstanceProfile, held by the stack ---------------------- */

static int create_instance_profile(struct cfn_op *op)
{
    const cJSON *roles = cJSON_GetObjectItemCaseSensitive(op->props, "Roles");
    const char *role = cJSON_GetStringValue(cJSON_GetArrayItem(roles, 0));
    if (!role || !world_role(op->w, role))
        return cfn_fail(op, IAM, "NoSuchEntity", "The role with name %s "
                        "cannot be found.", role ? role : "");
    char *name = name_prop(op, "InstanceProfileName");
    const char *path = cfn_prop(op, "Path");
    char *arn = name ? wfile_printf("arn:aws:iam::%s:instance-profile%s%s",
                                    op->w->account_id, path ? path : "/",
                                    name) : NULL;
    op->res->physical_id = name;
    int rc = arn ? cfn_set_attr(op->res, "Arn", arn) : -1;
    free(arn);
    return rc < 0 ? iam_failed(op, "ServiceFailure", "out of memory") : 0;
}

const struct cfn_type cfn_iam_types[] = {
    {"AWS::IAM::Role", 1, "RoleName", create_role, NULL, remove_role, NULL},
    {"AWS::IAM::Policy", 1, NULL, create_inline_policy, NULL,
     remove_inline_policy, NULL},
    {"AWS::IAM::ManagedPolicy", 1, "ManagedPolicyName", create_managed_policy,
     NULL, remove_managed_policy, NULL},
    {"AWS::IAM::InstanceProfile", 1, "InstanceProfileName",
     create_instance_profile, NULL, NULL, NULL},
    {NULL, 0, NULL, NULL, NULL, NULL, NULL},
};
