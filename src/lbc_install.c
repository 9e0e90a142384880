/*
 * The controller installation's walk: check the cluster (OIDC issuer and
 * IAM provider), plan the steps, and carry them out in order. Installing
 * and upgrading create or reuse the policy and create the
 * iamserviceaccount stack eksctl would create (through src/apply_stack.c).
 * Then they apply the objects and wait. Uninstalling deletes the objects,
 * then the stack and the policy when albatross or eksctl made them.
 * With --identity pod-identity the eks-pod-identity-agent add-on, a role
 * and an EKS Pod Identity association (src/lbc_install_podid.c) take the
 * stack's place.
 */
#include "lbc_install.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "../api/eks.h"
#include "../api/iam.h"
#include "../api/iam_policy.h"
#include "../api/iam_write.h"
#include "../api/policy.h"
#include "iam_eval.h"
#include "lbc_install_internal.h"
#include "lbc_plan.h"
#include "plan.h"
#include "util.h"

#define EXIT_FAILED 1
#define EXIT_SETUP 2

static const char *const verbs[] = {"install", "upgrade", "uninstall"};

/* ---- replies ---------------------------------------------------------------- */

void lbc_record(struct engine *e, const struct api_error *err)
{
    e->call_done = 1;
    e->call_failed = err != NULL;
    if (err)
        e->error = *err;
}

struct reply {
    struct engine *e;
    struct eks_cluster_list *clusters;
    struct iam_oidc_provider_list *providers;
    struct iam_policy_info *policy;
    struct cfn_stack_list *stacks;
};

static void on_clusters(struct eks_cluster_list *list,
                        const struct api_error *err, void *ctx)
{
    struct reply *r = ctx;
    r->clusters = list;
    lbc_record(r->e, err);
}

static void on_providers(struct iam_oidc_provider_list *list,
                         const struct api_error *err, void *ctx)
{
    struct reply *r = ctx;
    r->providers = list;
    lbc_record(r->e, err);
}

static void on_policy(struct iam_policy_info *policy,
                      const struct api_error *err, void *ctx)
{
    struct reply *r = ctx;
    r->policy = policy;
    lbc_record(r->e, err);
}

static void on_stacks(struct cfn_stack_list *list, const struct api_error *err,
                      void *ctx)
{
    struct reply *r = ctx;
    r->stacks = list;
    lbc_record(r->e, err);
}

void lbc_on_written(const struct iam_write_result *res,
                    const struct api_error *err, void *ctx)
{
    (void)res;
    lbc_record(ctx, err);
}

static void reply_cleanup(struct reply *r)
{
    eks_cluster_list_free(r->clusters);
    iam_oidc_provider_list_free(r->providers);
    iam_policy_info_free(r->policy);
    cfn_stack_list_free(r->stacks);
}

int lbc_failed(struct lbc_run *r, const char *what)
{
    if (r->e.call_done)
        apply_log(&r->e, MARK_FAIL, "%s: %s: %s", what, r->e.error.code,
                  r->e.error.message);
    return -1;
}

/* ---- the cluster ------------------------------------------------------------ */

static int describe_cluster(struct lbc_run *r)
{
    struct reply rp = { .e = &r->e };
    r->e.call_done = 0;
    eks_describe_cluster(&r->e.m.aws, r->rq->lbc.region, r->lbc.cluster_name,
                         on_clusters, &rp);
    int rc = apply_wait_call(&r->e);
    if (rc == 0 && rp.clusters && rp.clusters->count == 1) {
        const struct eks_cluster *c = &rp.clusters->items[0];
        r->cluster_arn = c->arn ? xstrdup(c->arn) : NULL;
        r->region = c->region ? xstrdup(c->region) : NULL;
        r->vpc_id = c->vpc_id ? xstrdup(c->vpc_id) : NULL;
        r->issuer = c->oidc_issuer ? xstrdup(c->oidc_issuer) : NULL;
    } else if (rc == 0) {
        api_error_set(&r->e.error, "InvalidReply", "DescribeCluster "
                      "returned no cluster");
        rc = -1;
    }
    reply_cleanup(&rp);
    if (rc < 0)
        return lbc_failed(r, "describe the EKS cluster");
    if (lbc_policy_arn(r->cluster_arn, r->policy_arn,
                       sizeof(r->policy_arn)) < 0) {
        apply_log(&r->e, MARK_FAIL, "cluster ARN \"%s\" is not an EKS "
                  "cluster ARN", r->cluster_arn ? r->cluster_arn : "");
        return -1;
    }
    return 0;
}

static void associate_hint(struct lbc_run *r, const char *problem)
{
    apply_log(&r->e, MARK_FAIL, "cluster \"%s\" %s, so IRSA cannot give the "
              "controller a role", r->lbc.cluster_name, problem);
    apply_log(&r->e, MARK_INFO, "to fix it: associate the provider with "
              "eksctl utils associate-iam-oidc-provider --cluster %s "
              "--region %s --approve, then run albatross install controller "
              "again", r->lbc.cluster_name, r->region);
}

/* IRSA needs the cluster's issuer and an IAM OIDC provider for it. */
static int check_oidc_provider(struct lbc_run *r)
{
    if (!r->issuer || strncmp(r->issuer, "https://", 8) != 0) {
        associate_hint(r, "has no OIDC issuer");
        return -1;
    }
    struct reply rp = { .e = &r->e };
    r->e.call_done = 0;
    iam_list_oidc_providers(&r->e.m.aws, on_providers, &rp);
    if (apply_wait_call(&r->e) < 0) {
        reply_cleanup(&rp);
        return lbc_failed(r, "list the IAM OIDC providers");
    }
    const char *host = r->issuer + 8;
    int found = 0;
    for (size_t i = 0; rp.providers && i < rp.providers->count; i++) {
        const char *p = strstr(rp.providers->arns[i], ":oidc-provider/");
        found |= p && strcmp(p + strlen(":oidc-provider/"), host) == 0;
    }
    reply_cleanup(&rp);
    if (!found) {
        char problem[600];
        snprintf(problem, sizeof(problem), "has no IAM OIDC provider for its "
                 "issuer %s", r->issuer);
        associate_hint(r, problem);
        return -1;
    }
    apply_log(&r->e, MARK_DONE, "IAM OIDC provider for %s exists", r->issuer);
    return 0;
}

/* ---- the policy ------------------------------------------------------------- */

static int same_document(const char *a, const char *b)
{
    cJSON *x = cJSON_Parse(a), *y = cJSON_Parse(b);
    int same = x && y && cJSON_Compare(x, y, 1);
    cJSON_Delete(x);
    cJSON_Delete(y);
    return same;
}

static int create_policy(struct lbc_run *r)
{
    const struct iam_tag tags[] = {{PLAN_VERSION_TAG, ALBATROSS_VERSION}};
    const struct iam_policy_spec spec = {
        .name = LBC_POLICY_NAME, .document = r->rq->policy_document,
        .description = "AWS Load Balancer Controller [created by albatross]",
        .tags = tags, .tag_count = 1,
    };
    r->e.call_done = 0;
    iam_create_policy(&r->e.m.aws, &spec, lbc_on_written, &r->e);
    if (apply_wait_call(&r->e) < 0)
        return lbc_failed(r, "create policy " LBC_POLICY_NAME);
    apply_log(&r->e, MARK_DONE, "created policy %s from %s", r->policy_arn,
              r->rq->policy_path);
    return 0;
}

/* Counts the actions that the shipped document allows and doc does not
 * grant at all, and copies the first into first. Returns -1 when doc
 * does not parse. */
static int missing_actions(const char *doc, const char *shipped,
                           char *first, size_t len)
{
    struct policy have = {0}, want = {0};
    char err[200];
    int missing = -1;
    first[0] = '\0';
    if (policy_parse(doc, &have, err, sizeof(err)) == 0 &&
        policy_parse(shipped, &want, err, sizeof(err)) == 0) {
        missing = 0;
        for (size_t i = 0; i < want.count; i++) {
            const struct policy_statement *s = &want.statements[i];
            if (s->effect != POLICY_ALLOW || s->not_action)
                continue;
            for (size_t j = 0; j < s->actions.count; j++) {
                struct iam_eval_result r;
                iam_eval_grants(&have, s->actions.items[j], &r);
                if (r.grant != IAM_EVAL_NOT_GRANTED)
                    continue;
                if (!missing++)
                    snprintf(first, len, "%s", s->actions.items[j]);
            }
        }
    }
    policy_cleanup(&have);
    policy_cleanup(&want);
    return missing;
}

/* A policy that lacks actions the shipped document allows gets it as a
 * new default version, so the roles it is attached to gain them. One
 * that grants them all, such as a newer controller's, is kept as it is:
 * replacing it would take away what that version added. */
static int update_policy(struct lbc_run *r, const struct iam_policy_info *p)
{
    char first[256];
    if (same_document(p->document, r->rq->policy_document)) {
        apply_log(&r->e, MARK_DONE, "policy %s matches %s (version %s); "
                  "reusing it", r->policy_arn, r->rq->policy_path,
                  p->default_version);
        return 0;
    }
    int missing = missing_actions(p->document, r->rq->policy_document,
                                  first, sizeof(first));
    if (missing == 0) {
        apply_log(&r->e, MARK_DONE, "policy %s (version %s) grants every "
                  "action of %s; reusing it", r->policy_arn,
                  p->default_version, r->rq->policy_path);
        return 0;
    }
    if (missing > 0)
        apply_log(&r->e, MARK_INFO, "policy %s (version %s) lacks %d "
                  "action%s of %s, %s among them", r->policy_arn,
                  p->default_version, missing, missing == 1 ? "" : "s",
                  r->rq->policy_path, first);
    r->e.call_done = 0;
    iam_create_policy_version(&r->e.m.aws, r->policy_arn,
                              r->rq->policy_document, 1, lbc_on_written, &r->e);
    if (apply_wait_call(&r->e) < 0)
        return lbc_failed(r, "add a version to policy " LBC_POLICY_NAME);
    apply_log(&r->e, MARK_DONE, "policy %s differed from %s: added a new "
              "default version", r->policy_arn, r->rq->policy_path);
    return 0;
}

/* Reads the policy into *out (NULL when there is none). */
static int read_policy(struct lbc_run *r, struct iam_policy_info **out)
{
    struct reply rp = { .e = &r->e };
    r->e.call_done = 0;
    *out = NULL;
    iam_get_policy(&r->e.m.aws, r->policy_arn, on_policy, &rp);
    if (apply_wait_call(&r->e) == 0) {
        *out = rp.policy;
        return 0;
    }
    if (r->e.call_done && strcmp(r->e.error.code, "NoSuchEntity") == 0)
        return 0;
    return lbc_failed(r, "read policy " LBC_POLICY_NAME);
}

static int ensure_policy(struct lbc_run *r)
{
    struct iam_policy_info *p;
    if (read_policy(r, &p) < 0)
        return -1;
    int rc = p ? update_policy(r, p) : create_policy(r);
    iam_policy_info_free(p);
    return rc;
}

/* Deletes the policy when its tag shows that albatross created it. */
static int delete_policy(struct lbc_run *r)
{
    struct iam_policy_info *p;
    if (read_policy(r, &p) < 0)
        return -1;
    if (!p) {
        apply_log(&r->e, MARK_DONE, "policy %s does not exist; nothing to "
                  "delete", r->policy_arn);
        return 0;
    }
    int ours = iam_policy_tag(p, PLAN_VERSION_TAG) != NULL;
    iam_policy_info_free(p);
    if (!ours) {
        apply_log(&r->e, MARK_WARN, "policy %s is left in place: it lacks "
                  "the tag %s, so albatross did not create it",
                  r->policy_arn, PLAN_VERSION_TAG);
        return 0;
    }
    r->e.call_done = 0;
    iam_delete_policy(&r->e.m.aws, r->policy_arn, lbc_on_written, &r->e);
    if (apply_wait_call(&r->e) == 0) {
        apply_log(&r->e, MARK_DONE, "deleted policy %s", r->policy_arn);
        return 0;
    }
    if (r->e.call_done && strcmp(r->e.error.code, "DeleteConflict") == 0) {
        /* TODO: delete the policy's other versions first, as IAM
         * requires, when an upgrade added some. */
        apply_log(&r->e, MARK_WARN, "policy %s is left in place: %s",
                  r->policy_arn, r->e.error.message);
        return 0;
    }
    return lbc_failed(r, "delete policy " LBC_POLICY_NAME);
}

/* ---- the stack -------------------------------------------------------------- */

/* Whether the service account stack carries eksctl's cluster tag, which
 * eksctl and albatross put on the stacks they create. Returns 1, 0 (no
 * tag, or no stack), or -1. */
static int stack_is_clusters(struct lbc_run *r, size_t step)
{
    struct reply rp = { .e = &r->e };
    r->e.call_done = 0;
    cfn_describe_stacks(&r->e.m.aws, NULL, r->e.plan.steps[step].name,
                        on_stacks, &rp);
    int rc = apply_wait_call(&r->e);
    int ours = 0;
    if (rc == 0 && rp.stacks && rp.stacks->count) {
        const struct cfn_stack_info *s = &rp.stacks->items[0];
        for (size_t i = 0; i < s->tag_count; i++)
            ours |= strcmp(s->tags[i].key, "alpha.eksctl.io/cluster-name")
                    == 0 && strcmp(s->tags[i].value, r->lbc.cluster_name)
                    == 0;
    }
    reply_cleanup(&rp);
    if (rc < 0 && r->e.call_done &&
        strstr(r->e.error.message, "does not exist"))
        return 0;
    return rc < 0 ? lbc_failed(r, "describe the service account stack") : ours;
}

static int delete_stack(struct lbc_run *r, size_t step)
{
    int ours = stack_is_clusters(r, step);
    if (ours < 0)
        return -1;
    if (ours)
        return apply_stack_delete(&r->e, step);
    apply_log(&r->e, MARK_DONE, "stack \"%s\" does not exist or lacks the "
              "tag alpha.eksctl.io/cluster-name=%s; leaving it alone",
              r->e.plan.steps[step].name, r->lbc.cluster_name);
    return 0;
}

static int create_stack(struct lbc_run *r, size_t step)
{
    if (apply_stack_create(&r->e, step) < 0)
        return -1;
    char *role = apply_stack_output(&r->e, step, "Role1");
    if (!role) {
        apply_log(&r->e, MARK_FAIL, "stack \"%s\" has no output Role1",
                  r->e.plan.steps[step].name);
        return -1;
    }
    free((char *)r->lbc.role_arn);
    r->lbc.role_arn = role;
    apply_log(&r->e, MARK_DONE, "the controller's service account will "
              "assume %s", role);
    return 0;
}

/* ---- the plan --------------------------------------------------------------- */

/* The ClusterConfig eksctl would read for the controller's role:
 * the cluster and one iamserviceaccount with the policy attached. */
static void build_config(struct lbc_run *r)
{
    struct ccfg *c = &r->config;
    c->name = xstrdup(r->lbc.cluster_name);
    c->region = xstrdup(r->region ? r->region : "");
    c->with_oidc = 1;
    c->service_accounts = xrealloc(NULL, sizeof(*c->service_accounts));
    c->service_account_count = 1;
    struct ccfg_service_account *sa = c->service_accounts;
    memset(sa, 0, sizeof(*sa));
    sa->name = xstrdup(lbc_service_account(&r->lbc));
    sa->namespace_name = xstrdup(r->lbc.namespace);
    sa->policy_arns = xrealloc(NULL, sizeof(*sa->policy_arns));
    sa->policy_arns[0] = xstrdup(r->policy_arn);
    sa->policy_arn_count = 1;
}

static int pod_identity(const struct lbc_run *r)
{
    return r->lbc.identity == LBC_IDENTITY_POD_IDENTITY;
}

static void plan_uninstall(struct lbc_run *r, const char *issuer)
{
    struct plan *p = &r->e.plan;
    plan_add_call(p, "kubernetes:Delete", "delete the controller's objects "
                  "that albatross applied, webhooks first");
    if (pod_identity(r)) {
        plan_add_call(p, "eks:DeletePodIdentityAssociation", "delete the "
                      "service account's association if albatross "
                      "created it; the eks-pod-identity-agent add-on "
                      "stays, since other workloads may use it");
        plan_add_call(p, "iam:DeleteRole", "detach the policy and delete "
                      "role " LBC_POD_IDENTITY_ROLE " if albatross "
                      "created it");
    } else {
        plan_add_service_account(p, &r->config, 0, issuer, 1);
    }
    plan_add_call(p, "iam:DeletePolicy", "delete the controller's policy if "
                  "albatross created it");
}

static void build_plan(struct lbc_run *r)
{
    struct plan *p = &r->e.plan;
    const char *issuer = r->issuer ? r->issuer + strlen("https://") : NULL;
    char text[600];
    if (r->rq->action == LBC_UNINSTALL) {
        plan_uninstall(r, issuer);
        return;
    }
    snprintf(text, sizeof(text), "create %s from %s, or add a default "
             "version when its document differs", LBC_POLICY_NAME,
             r->rq->policy_path);
    plan_add_call(p, "iam:CreatePolicy", text);
    if (pod_identity(r)) {
        plan_add_call(p, "eks:CreateAddon", "make sure the cluster has the "
                      "eks-pod-identity-agent add-on, which serves Pod "
                      "Identity credentials: create it when missing and "
                      "wait until it is ACTIVE");
        plan_add_call(p, "iam:CreateRole", "create role "
                      LBC_POD_IDENTITY_ROLE ", which EKS Pod Identity hands "
                      "to the controller, and attach the policy");
        plan_add_call(p, "eks:CreatePodIdentityAssociation", "associate the "
                      "controller's service account with the role");
    } else {
        plan_add_service_account(p, &r->config, 0, issuer, 0);
    }
    plan_add_call(p, "kubernetes:CustomResourceDefinitions", "apply the "
                  "CRDs and wait until they are established");
    plan_add_call(p, "kubernetes:Apply", "apply the service account, RBAC, "
                  "webhook Secret and Service, Deployment, IngressClass and "
                  "webhook configurations");
    plan_add_call(p, "kubernetes:Rollout", "wait for the Deployment's "
                  "rollout");
    plan_add_call(p, "kubernetes:Webhook", "wait until the webhook Service "
                  "has a ready endpoint");
}

static int render(struct lbc_run *r)
{
    char err[512];
    if (r->objects)
        return 0;
    r->objects = lbc_render(&r->lbc, err, sizeof(err));
    if (!r->objects) {
        apply_log(&r->e, MARK_FAIL, "render the controller's objects: %s",
                  err);
        return -1;
    }
    return r->rq->action == LBC_UNINSTALL
           ? 0 : lbc_reuse_webhook_certificate(r);
}

/* The call steps of build_plan by name; the Kubernetes ones need the
 * rendered objects. */
static const struct {
    const char *name;
    int (*run)(struct lbc_run *r);
    int needs_objects;
} calls[] = {
    {"iam:CreatePolicy", ensure_policy, 0},
    {"iam:DeletePolicy", delete_policy, 0},
    {"iam:CreateRole", lbc_ensure_pod_identity_role, 0},
    {"iam:DeleteRole", lbc_delete_pod_identity_role, 0},
    {"eks:CreateAddon", lbc_ensure_pod_identity_agent, 0},
    {"eks:CreatePodIdentityAssociation", lbc_ensure_pod_identity, 0},
    {"eks:DeletePodIdentityAssociation", lbc_delete_pod_identity, 0},
    {"kubernetes:Delete", lbc_delete_objects, 1},
    {"kubernetes:CustomResourceDefinitions", lbc_apply_crds, 1},
    {"kubernetes:Apply", lbc_apply_objects, 1},
    {"kubernetes:Rollout", lbc_wait_rollout, 1},
    {"kubernetes:Webhook", lbc_wait_webhook, 1},
};

static int run_call(struct lbc_run *r, const char *name)
{
    for (size_t i = 0; i < sizeof(calls) / sizeof(calls[0]); i++) {
        if (strcmp(calls[i].name, name) != 0)
            continue;
        if (calls[i].needs_objects && render(r) < 0)
            return -1;
        return calls[i].run(r);
    }
    apply_log(&r->e, MARK_FAIL, "no such step: %s", name);
    return -1;
}

static int run_step(struct lbc_run *r, size_t i)
{
    const struct plan_step *s = &r->e.plan.steps[i];
    if (s->kind == PLAN_CREATE_STACK)
        return create_stack(r, i);
    if (s->kind == PLAN_DELETE_STACK)
        return delete_stack(r, i);
    r->step = i;
    progress_step_set(r->e.progress, i, PROGRESS_RUNNING, NULL);
    int rc = run_call(r, s->name);
    progress_step_set(r->e.progress, i, rc == 0 ? PROGRESS_DONE
                      : PROGRESS_FAILED, rc == 0 ? NULL : r->e.error.message);
    return rc;
}

static int walk(struct lbc_run *r)
{
    for (size_t i = 0; i < r->e.plan.count; i++) {
        if (run_step(r, i) == 0 && !apply_stopping(&r->e))
            continue;
        if (apply_stopping(&r->e))
            apply_log(&r->e, MARK_WARN, "interrupted; run albatross %s "
                      "controller again to carry on", verbs[r->rq->action]);
        for (size_t j = 0; j < r->e.progress->count; j++) {
            const struct progress_step *s = &r->e.progress->steps[j];
            apply_log(&r->e, s->state == PROGRESS_DONE ? MARK_DONE
                      : MARK_WARN, "%s: %s", s->name,
                      s->state == PROGRESS_RUNNING ? "interrupted"
                      : progress_state_name(s->state));
        }
        return EXIT_FAILED;
    }
    apply_log(&r->e, MARK_DONE, r->rq->action == LBC_UNINSTALL
              ? "the AWS Load Balancer Controller is uninstalled from \"%s\""
              : "the AWS Load Balancer Controller %s runs in \"%s\"",
              r->rq->action == LBC_UNINSTALL ? r->lbc.cluster_name
              : r->lbc.version, r->lbc.cluster_name);
    return 0;
}

/* ---- upgrade ---------------------------------------------------------------- */

static int major(const char *version)
{
    unsigned m;
    return version && sscanf(version, "v%u.", &m) == 1 ? (int)m : -1;
}

/* An upgrade needs a controller there, and no step down a major. */
static int check_upgrade(struct lbc_run *r)
{
    int missing;
    char *installed = lbc_installed_version(r, &missing);
    if (!installed) {
        if (missing)
            apply_log(&r->e, MARK_FAIL, "no controller to upgrade: "
                      "Deployment \"%s/%s\" does not exist; run albatross "
                      "install controller --cluster %s", r->lbc.namespace,
                      LBC_NAME, r->lbc.cluster_name);
        return -1;
    }
    int from = major(installed), to = major(r->lbc.version);
    int rc = 0;
    if (from >= 0 && to < from) {
        apply_log(&r->e, MARK_FAIL, "refusing to downgrade the controller "
                  "from %s to %s: a new major version may have changed its "
                  "CRDs and stored objects; uninstall it and install %s "
                  "instead", installed, r->lbc.version, r->lbc.version);
        rc = -1;
    } else {
        apply_log(&r->e, MARK_INFO, "upgrading the controller from %s to %s",
                  installed[0] ? installed : "an untagged image",
                  r->lbc.version);
    }
    free(installed);
    return rc;
}

/* ---- the run ---------------------------------------------------------------- */

/* Everything that can stop the run before it changes anything. */
static int preflight(struct lbc_run *r)
{
    if (describe_cluster(r) < 0)
        return -1;
    if (!r->lbc.region)
        r->lbc.region = r->region;
    if (!r->lbc.vpc_id)
        r->lbc.vpc_id = r->vpc_id;
    if (apply_open_cluster(&r->e) < 0)
        return -1;
    if (r->rq->action == LBC_UPGRADE && check_upgrade(r) < 0)
        return -1;
    if (r->rq->action != LBC_UNINSTALL && !pod_identity(r) &&
        check_oidc_provider(r) < 0)
        return -1;
    lbc_check_node_roles(r);
    return 0;
}

/* --readonly rejects the whole run before any call. */
static int rejected(struct lbc_run *r)
{
    struct api_error err = {0};
    char what[300];
    snprintf(what, sizeof(what), "%s controller", verbs[r->rq->action]);
    if (aws_check_write(&r->e.m.aws, what, &err) < 0) {
        if (r->rq->progress)
            progress_set_note(r->rq->progress, err.message);
        else
            fprintf(stderr, "albatross: %s: %s\n", err.code, err.message);
        return 1;
    }
    return 0;
}

static void run_cleanup(struct lbc_run *r)
{
    lbc_objects_free(r->objects);
    if (r->lbc.role_arn != r->rq->lbc.role_arn)
        free((char *)r->lbc.role_arn);
    free(r->cluster_arn);
    free(r->region);
    free(r->vpc_id);
    free(r->issuer);
    ccfg_cleanup(&r->config);
    apply_engine_cleanup(&r->e);
}

int lbc_install_run(const struct lbc_install_request *rq, FILE *out)
{
    struct lbc_run r;
    char why[1024], title[300];
    memset(&r, 0, sizeof(r));
    r.rq = rq;
    r.lbc = rq->lbc;
    snprintf(r.fix_hint, sizeof(r.fix_hint), "fix the failing resource, "
             "then run albatross %s controller --cluster %s again",
             verbs[rq->action], rq->lbc.cluster_name);
    r.apply = (struct apply_request){
        .config = &r.config, .file = "", .model = rq->model,
        .poll_ms = rq->poll_ms, .fix_hint = r.fix_hint,
        .deleting = rq->action == LBC_UNINSTALL,
        .progress = rq->progress, .cancel = rq->cancel,
    };
    /* The engine reads the cluster's name and region from the config. */
    r.config.name = xstrdup(rq->lbc.cluster_name);
    r.config.region = rq->lbc.region ? xstrdup(rq->lbc.region) : NULL;
    snprintf(title, sizeof(title), "%s the AWS Load Balancer Controller on "
             "%s", verbs[rq->action], rq->lbc.cluster_name);
    if (apply_engine_init(&r.e, &r.apply, out, title, why, sizeof(why)) < 0) {
        if (rq->progress)
            progress_set_note(rq->progress, why);
        else
            fprintf(stderr, "albatross %s: %s\n", verbs[rq->action], why);
        ccfg_cleanup(&r.config);
        return EXIT_SETUP;
    }
    if (rejected(&r)) {
        run_cleanup(&r);
        return EXIT_SETUP;
    }
    struct sigaction old;
    if (!rq->cancel)
        apply_catch_sigint(&old);
    int rc = EXIT_FAILED;
    if (preflight(&r) == 0) {
        ccfg_cleanup(&r.config);
        memset(&r.config, 0, sizeof(r.config));
        build_config(&r);
        build_plan(&r);
        for (size_t i = 0; i < r.e.plan.count; i++)
            progress_step_add(r.e.progress, r.e.plan.steps[i].name,
                              r.e.plan.steps[i].description);
        apply_log(&r.e, MARK_INFO, "%s: %zu steps for the AWS Load Balancer "
                  "Controller%s%s on cluster \"%s\" in \"%s\"",
                  verbs[rq->action], r.e.plan.count,
                  rq->action == LBC_UNINSTALL ? "" : " ",
                  rq->action == LBC_UNINSTALL ? "" : r.lbc.version,
                  r.lbc.cluster_name, r.region);
        rc = walk(&r);
    }
    if (!rq->cancel)
        sigaction(SIGINT, &old, NULL);
    run_cleanup(&r);
    return rc;
}
