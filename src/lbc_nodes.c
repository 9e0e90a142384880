/*
 * The controller installation's check of the cluster's node roles. Every
 * pod on a node can take the node instance role's credentials from the
 * instance metadata service. A node role that may create or delete load
 * balancers therefore lends that permission to every pod, not only to the
 * controller, as happens when the controller's policy is attached to the
 * node role. The check reads each managed node group's role and its
 * policies, and logs a warning with the command that removes the policy.
 * It never fails the run, because a read that fails is a warning too.
 */
#include <stdlib.h>
#include <string.h>

#include "../api/eks_nodegroup.h"
#include "../api/iam.h"
#include "../api/iam_policy.h"
#include "iam_eval.h"
#include "lbc_install_internal.h"
#include "util.h"

/* The actions that only the controller's own role should carry. */
static const char *const lb_actions[] = {
    "elasticloadbalancing:CreateLoadBalancer",
    "elasticloadbalancing:DeleteLoadBalancer",
};
#define LB_ACTION_COUNT (sizeof(lb_actions) / sizeof(lb_actions[0]))

/* One policy of a node role: a managed policy's default version or an
 * inline policy. */
struct role_policy {
    const char *id;          /* the managed policy's ARN or inline name */
    int is_inline;
    struct policy doc;
};

struct replies {
    struct engine *e;
    struct eks_nodegroup_list *nodegroups;
    struct iam_policy_info *policy;
    char *document;
};

static void on_nodegroups(struct eks_nodegroup_list *list,
                          const struct api_error *err, void *ctx)
{
    struct replies *rd = ctx;
    rd->nodegroups = list;
    lbc_record(rd->e, err);
}

static void on_role(struct iam_role *role, const struct api_error *err,
                    void *ctx)
{
    (void)role;
    lbc_record(ctx, err);
}

static void on_policy(struct iam_policy_info *info,
                      const struct api_error *err, void *ctx)
{
    struct replies *rd = ctx;
    rd->policy = info;
    lbc_record(rd->e, err);
}

static void on_document(const char *document, const struct api_error *err,
                        void *ctx)
{
    struct replies *rd = ctx;
    rd->document = document ? xstrdup(document) : NULL;
    lbc_record(rd->e, err);
}

/* Logs failed_read ("could not read X, so ...") with the error of the
 * call, unless the run is stopping. */
static void warn_read(struct lbc_run *r, const char *failed_read)
{
    if (apply_stopping(&r->e) || !r->e.call_done)
        return;
    apply_log(&r->e, MARK_WARN, "%s: %s: %s", failed_read, r->e.error.code,
              r->e.error.message);
}

/* The document of one of role's policies as JSON text (the caller frees
 * it), or NULL after a warning. */
static char *read_document(struct lbc_run *r, const char *nodegroup,
                           const char *role, const char *id, int is_inline)
{
    struct replies rd = { .e = &r->e };
    char failed_read[900];
    snprintf(failed_read, sizeof(failed_read), "node group %s: could not "
             "read %s policy %s of node role %s, so it was not checked for "
             "load balancer permissions", nodegroup,
             is_inline ? "inline" : "managed", id, role);
    r->e.call_done = 0;
    if (is_inline)
        iam_get_role_policy(&r->e.m.aws, role, id, on_document, &rd);
    else
        iam_get_policy(&r->e.m.aws, id, on_policy, &rd);
    int rc = apply_wait_call(&r->e);
    char *doc = rd.document;
    if (rd.policy) {
        doc = rd.policy->document ? xstrdup(rd.policy->document) : NULL;
        iam_policy_info_free(rd.policy);
    }
    if (rc == 0 && !doc) {
        api_error_set(&r->e.error, "InvalidReply", "the reply has no policy "
                      "document");
        rc = -1;
    }
    if (rc < 0) {
        warn_read(r, failed_read);
        free(doc);
        return NULL;
    }
    return doc;
}

/* Reads and parses each policy of role into out, and returns how many it
 * stored. A policy that cannot be read or parsed is left out after a
 * warning. */
static size_t load_policies(struct lbc_run *r, const char *nodegroup,
                            const struct iam_role *role,
                            struct role_policy *out)
{
    size_t n = 0;
    size_t total = role->attached_count + role->inline_count;
    for (size_t i = 0; i < total && !apply_stopping(&r->e); i++) {
        int is_inline = i >= role->attached_count;
        const char *id = is_inline
                         ? role->inline_names[i - role->attached_count]
                         : role->attached[i].arn;
        char *text = read_document(r, nodegroup, role->name, id, is_inline);
        if (!text)
            continue;
        char err[300];
        struct role_policy *p = &out[n];
        p->id = id;
        p->is_inline = is_inline;
        if (policy_parse(text, &p->doc, err, sizeof(err)) == 0)
            n++;
        else
            apply_log(&r->e, MARK_WARN, "node group %s: policy %s of node "
                      "role %s was not checked for load balancer "
                      "permissions because albatross could not parse it: %s",
                      nodegroup, id, role->name, err);
        free(text);
    }
    return n;
}

/* The command that takes policy p off role. */
static void fix_command(const struct role_policy *p, const char *role,
                        char *buf, size_t len)
{
    if (p->is_inline)
        snprintf(buf, len, "albatross delete policy %s --inline --role %s",
                 p->id, role);
    else
        snprintf(buf, len, "albatross detach policy %s --role %s", p->id,
                 role);
}

/* Appends action to list, joined with " and ". */
static void append_action(char *list, size_t len, const char *action)
{
    size_t used = strlen(list);
    snprintf(list + used, len - used, "%s%s", used ? " and " : "", action);
}

/* Warns about policy p when it grants an action of lb_actions that no
 * policy of the role denies. It logs the finding and the command that
 * removes the policy as two lines, because the progress view cuts long
 * lines. Returns 1 after a warning, 0 otherwise. */
static int warn_policy(struct lbc_run *r, const char *nodegroup,
                       const char *role, const struct role_policy *p,
                       const int *denied)
{
    char granted[300] = "", maybe[300] = "", limit[200] = "", fix[700];
    for (size_t a = 0; a < LB_ACTION_COUNT; a++) {
        struct iam_eval_result res;
        if (denied[a])
            continue;
        iam_eval_allows(&p->doc, lb_actions[a], &res);
        if (res.grant == IAM_EVAL_GRANTED)
            append_action(granted, sizeof(granted), lb_actions[a]);
        if (res.grant != IAM_EVAL_MAY_GRANT)
            continue;
        append_action(maybe, sizeof(maybe), lb_actions[a]);
        if (!limit[0])
            snprintf(limit, sizeof(limit), " (statement %zu has %s, which "
                     "albatross does not evaluate)", res.statement + 1,
                     res.limit);
    }
    if (!granted[0] && !maybe[0])
        return 0;
    apply_log(&r->e, MARK_WARN, "node group %s: node role %s has %s policy "
              "%s, which %s%s%s%s%s%s", nodegroup, role,
              p->is_inline ? "inline" : "managed", p->id,
              granted[0] ? "grants " : "", granted,
              granted[0] && maybe[0] ? " and " : "",
              maybe[0] ? "may grant " : "", maybe, limit);
    fix_command(p, role, fix, sizeof(fix));
    apply_log(&r->e, MARK_WARN, "node group %s: remove the policy with: %s",
              nodegroup, fix);
    return 1;
}

/* Checks the policies of one node role, and warns about each that grants
 * creating or deleting load balancers. Returns how many it warned about. */
static int check_role(struct lbc_run *r, const char *nodegroup,
                      const char *role_arn)
{
    const char *slash = strrchr(role_arn, '/');
    struct iam_role role = { .name = xstrdup(slash ? slash + 1 : role_arn) };
    char failed_read[600];
    r->e.call_done = 0;
    iam_load_role_details(&r->e.m.aws, &role, on_role, &r->e);
    if (apply_wait_call(&r->e) < 0) {
        snprintf(failed_read, sizeof(failed_read), "node group %s: could not "
                 "read node role %s, so it was not checked for load balancer "
                 "permissions", nodegroup, role_arn);
        warn_read(r, failed_read);
        iam_role_cleanup(&role);
        return 0;
    }
    size_t total = role.attached_count + role.inline_count;
    struct role_policy *policies = xrealloc(NULL, (total ? total : 1) *
                                            sizeof(*policies));
    memset(policies, 0, (total ? total : 1) * sizeof(*policies));
    size_t n = load_policies(r, nodegroup, &role, policies);
    /* IAM's explicit Deny in any of the role's policies wins over an
     * Allow in another. */
    int denied[LB_ACTION_COUNT] = {0};
    for (size_t a = 0; a < LB_ACTION_COUNT; a++)
        for (size_t i = 0; i < n; i++)
            denied[a] |= iam_eval_denies(&policies[i].doc, lb_actions[a]);
    int warned = 0;
    for (size_t i = 0; i < n; i++)
        warned += warn_policy(r, nodegroup, role.name, &policies[i], denied);
    if (!warned && n == total && !apply_stopping(&r->e))
        apply_log(&r->e, MARK_DONE, "node group %s: node role %s cannot "
                  "create or delete load balancers", nodegroup, role.name);
    for (size_t i = 0; i < n; i++)
        policy_cleanup(&policies[i].doc);
    free(policies);
    iam_role_cleanup(&role);
    return warned;
}

void lbc_check_node_roles(struct lbc_run *r)
{
    if (r->rq->action == LBC_UNINSTALL)
        return;
    struct replies rd = { .e = &r->e };
    char failed_read[400];
    r->e.call_done = 0;
    eks_list_nodegroups(&r->e.m.aws, r->region, r->lbc.cluster_name,
                        on_nodegroups, &rd);
    if (apply_wait_call(&r->e) < 0) {
        snprintf(failed_read, sizeof(failed_read), "could not list the node "
                 "groups of cluster %s, so their node roles were not "
                 "checked for load balancer permissions",
                 r->lbc.cluster_name);
        warn_read(r, failed_read);
        eks_nodegroup_list_free(rd.nodegroups);
        return;
    }
    /* TODO: check self-managed node groups (eksctl's nodeGroups) too.
     * ListNodegroups lists only managed ones, so their roles are not
     * checked. */
    int warned = 0;
    for (size_t i = 0; i < rd.nodegroups->count && !apply_stopping(&r->e);
         i++) {
        const struct eks_nodegroup *ng = &rd.nodegroups->items[i];
        if (ng->node_role)
            warned += check_role(r, ng->name, ng->node_role);
        else
            apply_log(&r->e, MARK_WARN, "node group %s: EKS returned no "
                      "nodeRole, so its node role was not checked",
                      ng->name);
    }
    if (warned)
        apply_log(&r->e, MARK_INFO, "every pod on a node can get its node "
                  "role's credentials from the instance metadata service, "
                  "so only the controller's role should be able to create "
                  "or delete load balancers");
    eks_nodegroup_list_free(rd.nodegroups);
}
