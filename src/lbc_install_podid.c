/*
 * The controller's identity through EKS Pod Identity instead of IRSA:
 * the role AmazonEKSLoadBalancerControllerRole, which trusts
 * pods.eks.amazonaws.com, with the controller's policy attached, and the
 * association of the controller's service account with it, and the
 * eks-pod-identity-agent add-on, whose pods serve the credentials.
 * Uninstalling removes the association and the role only when they carry
 * albatross's tag, as for the policy, and leaves the add-on, which other
 * workloads may use.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../api/eks_addon.h"
#include "../api/eks_pod_identity.h"
#include "../api/iam.h"
#include "../api/iam_write.h"
#include "lbc_install_internal.h"
#include "lbc_plan.h"
#include "plan.h"
#include "util.h"

struct identity_reply {
    struct engine *e;
    struct eks_pod_identity_list *associations;
};

static void on_role(struct iam_role *role, const struct api_error *err,
                    void *ctx)
{
    (void)role;
    lbc_record(ctx, err);
}

static void on_association(const struct eks_pod_identity *a,
                           const struct api_error *err, void *ctx)
{
    (void)a;
    lbc_record(ctx, err);
}

static void on_associations(struct eks_pod_identity_list *list,
                            const struct api_error *err, void *ctx)
{
    struct identity_reply *r = ctx;
    r->associations = list;
    lbc_record(r->e, err);
}

/* The role ARN in the cluster's account, into r->lbc.role_arn. */
static void set_role_arn(struct lbc_run *r)
{
    char arn[320];
    const char *policy = strstr(r->policy_arn, ":policy/");
    snprintf(arn, sizeof(arn), "%.*s:role/%s",
             (int)(policy ? policy - r->policy_arn : 0), r->policy_arn,
             LBC_POD_IDENTITY_ROLE);
    free((char *)r->lbc.role_arn);
    r->lbc.role_arn = xstrdup(arn);
}

/* Reads the role into role. Returns 1 when it exists, 0 when it does
 * not, -1 after logging a failure. */
static int read_role(struct lbc_run *r, struct iam_role *role)
{
    memset(role, 0, sizeof(*role));
    role->name = xstrdup(LBC_POD_IDENTITY_ROLE);
    r->e.call_done = 0;
    iam_load_role_details(&r->e.m.aws, role, on_role, &r->e);
    if (apply_wait_call(&r->e) == 0)
        return 1;
    if (r->e.call_done && strcmp(r->e.error.code, "NoSuchEntity") == 0)
        return 0;
    return lbc_failed(r, "read role " LBC_POD_IDENTITY_ROLE);
}

static int create_role(struct lbc_run *r)
{
    const struct iam_tag tags[] = {{PLAN_VERSION_TAG, ALBATROSS_VERSION}};
    cJSON *trust = lbc_pod_identity_trust();
    char *text = cJSON_PrintUnformatted(trust);
    cJSON_Delete(trust);
    const struct iam_role_spec spec = {
        .name = LBC_POD_IDENTITY_ROLE, .trust_policy = text,
        .description = "AWS Load Balancer Controller through EKS Pod "
                       "Identity [created by albatross]",
        .tags = tags, .tag_count = 1,
    };
    r->e.call_done = 0;
    iam_create_role(&r->e.m.aws, &spec, lbc_on_written, &r->e);
    int rc = apply_wait_call(&r->e);
    free(text);
    if (rc < 0)
        return lbc_failed(r, "create role " LBC_POD_IDENTITY_ROLE);
    apply_log(&r->e, MARK_DONE, "created role %s", r->lbc.role_arn);
    return 0;
}

static int attached(const struct iam_role *role, const char *policy_arn)
{
    for (size_t i = 0; i < role->attached_count; i++)
        if (strcmp(role->attached[i].arn, policy_arn) == 0)
            return 1;
    return 0;
}

int lbc_ensure_pod_identity_role(struct lbc_run *r)
{
    struct iam_role role;
    set_role_arn(r);
    int exists = read_role(r, &role);
    int has_policy = exists > 0 && attached(&role, r->policy_arn);
    iam_role_cleanup(&role);
    if (exists < 0 || (!exists && create_role(r) < 0))
        return -1;
    if (exists)
        apply_log(&r->e, MARK_DONE, "role %s exists already; reusing it",
                  r->lbc.role_arn);
    if (has_policy)
        return 0;
    r->e.call_done = 0;
    iam_attach_role_policy(&r->e.m.aws, LBC_POD_IDENTITY_ROLE, r->policy_arn,
                           lbc_on_written, &r->e);
    if (apply_wait_call(&r->e) < 0)
        return lbc_failed(r, "attach the controller's policy");
    apply_log(&r->e, MARK_DONE, "attached %s to role %s", r->policy_arn,
              LBC_POD_IDENTITY_ROLE);
    return 0;
}

/* ---- the eks-pod-identity-agent add-on ---- */

struct addon_reply {
    struct engine *e;
    char status[32];
    char version[64];
};

static void on_addon(const struct eks_addon *a, const struct api_error *err,
                     void *ctx)
{
    struct addon_reply *rp = ctx;
    if (a) {
        snprintf(rp->status, sizeof(rp->status), "%s", a->status);
        snprintf(rp->version, sizeof(rp->version), "%s",
                 a->version ? a->version : "");
    }
    lbc_record(rp->e, err);
}

/* Reads the add-on's status and version into rp. Returns 1 when it
 * exists, 0 when it does not, -1 after logging a failure. */
static int read_agent(struct lbc_run *r, struct addon_reply *rp)
{
    r->e.call_done = 0;
    eks_describe_addon(&r->e.m.aws, r->region, r->lbc.cluster_name,
                       EKS_POD_IDENTITY_AGENT, on_addon, rp);
    if (apply_wait_call(&r->e) == 0)
        return 1;
    if (r->e.call_done &&
        strcmp(r->e.error.code, "ResourceNotFoundException") == 0)
        return 0;
    return lbc_failed(r, "describe add-on " EKS_POD_IDENTITY_AGENT);
}

static int create_agent(struct lbc_run *r, struct addon_reply *rp)
{
    r->e.call_done = 0;
    eks_create_addon(&r->e.m.aws, r->region, r->lbc.cluster_name,
                     EKS_POD_IDENTITY_AGENT, NULL, on_addon, rp);
    if (apply_wait_call(&r->e) < 0)
        return lbc_failed(r, "create add-on " EKS_POD_IDENTITY_AGENT);
    apply_log(&r->e, MARK_DONE, "created add-on %s %s on cluster \"%s\"",
              EKS_POD_IDENTITY_AGENT, rp->version, r->lbc.cluster_name);
    return 0;
}

/* An lbc_check_fn: 1 once the add-on is ACTIVE, 0 while it is CREATING
 * or UPDATING, -1 after logging any other state. */
static int agent_active(struct lbc_run *r, void *ctx)
{
    struct addon_reply *rp = ctx;
    int exists = read_agent(r, rp);
    if (exists < 0)
        return -1;
    if (exists && strcmp(rp->status, "ACTIVE") == 0)
        return 1;
    if (exists && (strcmp(rp->status, "CREATING") == 0 ||
                   strcmp(rp->status, "UPDATING") == 0))
        return 0;
    apply_log(&r->e, MARK_FAIL, "add-on %s on cluster \"%s\" is %s; see "
              "its health issues with aws eks describe-addon --cluster-name "
              "%s --addon-name %s, fix them, then run albatross install "
              "controller again", EKS_POD_IDENTITY_AGENT, r->lbc.cluster_name,
              exists ? rp->status : "gone", r->lbc.cluster_name,
              EKS_POD_IDENTITY_AGENT);
    return -1;
}

int lbc_ensure_pod_identity_agent(struct lbc_run *r)
{
    struct addon_reply rp = { .e = &r->e };
    char what[300];
    int exists = read_agent(r, &rp);
    if (exists < 0 || (!exists && create_agent(r, &rp) < 0))
        return -1;
    if (exists && strcmp(rp.status, "ACTIVE") == 0) {
        apply_log(&r->e, MARK_DONE, "add-on %s %s is ACTIVE; reusing it",
                  EKS_POD_IDENTITY_AGENT, rp.version);
        return 0;
    }
    snprintf(what, sizeof(what), "add-on %s on cluster \"%s\" to be ACTIVE",
             EKS_POD_IDENTITY_AGENT, r->lbc.cluster_name);
    if (lbc_wait_until(r, what, agent_active, &rp) < 0)
        return -1;
    apply_log(&r->e, MARK_DONE, "add-on %s %s is ACTIVE",
              EKS_POD_IDENTITY_AGENT, rp.version);
    return 0;
}

/* ---- the association ---- */

/* The association of the controller's service account, or NULL; *list
 * receives what to free. */
static const struct eks_pod_identity *find_association(
    struct lbc_run *r, struct eks_pod_identity_list **list)
{
    struct identity_reply rp = { .e = &r->e };
    const struct eks_pod_identity_filter filter = {
        r->lbc.namespace, lbc_service_account(&r->lbc),
    };
    r->e.call_done = 0;
    eks_list_pod_identities(&r->e.m.aws, r->region, r->lbc.cluster_name,
                            &filter, on_associations, &rp);
    *list = rp.associations;
    if (apply_wait_call(&r->e) < 0) {
        lbc_failed(r, "list the Pod Identity associations");
        return NULL;
    }
    *list = rp.associations;
    return *list && (*list)->count ? &(*list)->items[0] : NULL;
}

int lbc_ensure_pod_identity(struct lbc_run *r)
{
    struct eks_pod_identity_list *list = NULL;
    const struct eks_pod_identity *a = find_association(r, &list);
    int rc = 0;
    if (r->e.call_failed) {
        rc = -1;
    } else if (a && a->role_arn && strcmp(a->role_arn, r->lbc.role_arn)) {
        apply_log(&r->e, MARK_FAIL, "service account %s/%s is associated "
                  "with role %s already; delete that association, or "
                  "install with --identity irsa", r->lbc.namespace,
                  lbc_service_account(&r->lbc), a->role_arn);
        rc = -1;
    } else if (a) {
        apply_log(&r->e, MARK_DONE, "Pod Identity association %s exists "
                  "already; reusing it", a->association_id);
    } else {
        const struct eks_tag tags[] = {
            {(char *)PLAN_VERSION_TAG, (char *)ALBATROSS_VERSION},
        };
        const struct eks_pod_identity_spec spec = {
            .namespace = r->lbc.namespace,
            .service_account = lbc_service_account(&r->lbc),
            .role_arn = r->lbc.role_arn, .tags = tags, .tag_count = 1,
        };
        r->e.call_done = 0;
        eks_create_pod_identity(&r->e.m.aws, r->region, r->lbc.cluster_name,
                                &spec, on_association, &r->e);
        rc = apply_wait_call(&r->e) < 0
             ? lbc_failed(r, "create the Pod Identity association") : 0;
        if (rc == 0)
            apply_log(&r->e, MARK_DONE, "associated %s/%s with %s",
                      r->lbc.namespace, lbc_service_account(&r->lbc),
                      r->lbc.role_arn);
    }
    eks_pod_identity_list_free(list);
    return rc;
}

static int tagged_by_albatross(const struct eks_pod_identity *a)
{
    for (size_t i = 0; i < a->tag_count; i++)
        if (strcmp(a->tags[i].key, PLAN_VERSION_TAG) == 0)
            return 1;
    return 0;
}

int lbc_delete_pod_identity(struct lbc_run *r)
{
    struct eks_pod_identity_list *list = NULL;
    const struct eks_pod_identity *a = find_association(r, &list);
    int rc = r->e.call_failed ? -1 : 0;
    if (a && !tagged_by_albatross(a)) {
        apply_log(&r->e, MARK_WARN, "Pod Identity association %s is left in "
                  "place: it lacks the tag %s, so albatross did not create "
                  "it", a->association_id, PLAN_VERSION_TAG);
    } else if (a) {
        r->e.call_done = 0;
        eks_delete_pod_identity(&r->e.m.aws, r->region, r->lbc.cluster_name,
                                a->association_id, on_association, &r->e);
        rc = apply_wait_call(&r->e) < 0
             ? lbc_failed(r, "delete the Pod Identity association") : 0;
        if (rc == 0)
            apply_log(&r->e, MARK_DONE, "deleted Pod Identity association "
                      "%s", a->association_id);
    }
    eks_pod_identity_list_free(list);
    if (rc == 0)
        apply_log(&r->e, MARK_INFO, "add-on %s is left in place: other "
                  "workloads may use EKS Pod Identity; delete it with aws "
                  "eks delete-addon --cluster-name %s --addon-name %s when "
                  "none does", EKS_POD_IDENTITY_AGENT, r->lbc.cluster_name,
                  EKS_POD_IDENTITY_AGENT);
    return rc;
}

/* Detaches the policy and deletes the role when albatross created it.
 * NOTE: the role's tags are not read; the description albatross gives
 * it marks it instead. */
int lbc_delete_pod_identity_role(struct lbc_run *r)
{
    struct iam_role role;
    int exists = read_role(r, &role);
    int ours = exists > 0 && role.description &&
               strstr(role.description, "[created by albatross]");
    int has_policy = exists > 0 && attached(&role, r->policy_arn);
    iam_role_cleanup(&role);
    if (exists <= 0)
        return exists;
    if (!ours) {
        apply_log(&r->e, MARK_WARN, "role %s is left in place: albatross "
                  "did not create it", LBC_POD_IDENTITY_ROLE);
        return 0;
    }
    r->e.call_done = 0;
    if (has_policy) {
        iam_detach_role_policy(&r->e.m.aws, LBC_POD_IDENTITY_ROLE,
                               r->policy_arn, lbc_on_written, &r->e);
        if (apply_wait_call(&r->e) < 0)
            return lbc_failed(r, "detach the controller's policy");
        r->e.call_done = 0;
    }
    iam_delete_role(&r->e.m.aws, LBC_POD_IDENTITY_ROLE, lbc_on_written, &r->e);
    if (apply_wait_call(&r->e) < 0)
        return lbc_failed(r, "delete role " LBC_POD_IDENTITY_ROLE);
    apply_log(&r->e, MARK_DONE, "deleted role %s", LBC_POD_IDENTITY_ROLE);
    return 0;
}
