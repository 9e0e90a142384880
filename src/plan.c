/*
 * Building the plan. Creation follows eksctl create cluster: the cluster
 * stack, the IAM OIDC provider and the cluster's tag, one stack and one
 * ServiceAccount per service account, then the node group stacks.
 * Deletion runs the other way.
 */
#include "plan.h"

#include <cjson/cJSON.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfn.h"
#include "lbc_policy.h"
#include "util.h"

#define NAME_MAX_LEN 192

static struct plan_step *add_step(struct plan *p, enum plan_kind kind,
                                  const char *name, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static struct plan_step *add_step(struct plan *p, enum plan_kind kind,
                                  const char *name, const char *fmt, ...)
{
    char description[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(description, sizeof(description), fmt, ap);
    va_end(ap);
    p->steps = xrealloc(p->steps, (p->count + 1) * sizeof(*p->steps));
    struct plan_step *s = &p->steps[p->count++];
    memset(s, 0, sizeof(*s));
    s->kind = kind;
    s->name = xstrdup(name);
    s->description = xstrdup(description);
    return s;
}

static void depends(struct plan_step *s, size_t on)
{
    s->depends_on = xrealloc(s->depends_on, (s->depend_count + 1) *
                             sizeof(*s->depends_on));
    s->depends_on[s->depend_count++] = on;
}

static void note(struct plan_step *s, const char *text)
{
    s->notes = xrealloc(s->notes, (s->note_count + 1) * sizeof(*s->notes));
    s->notes[s->note_count++] = xstrdup(text);
}

/* Keeps the template as text and lists its resources; frees t. */
static void take_template(struct plan_step *s, cJSON *t)
{
    const cJSON *resources = cJSON_GetObjectItemCaseSensitive(t, "Resources");
    const cJSON *r;
    cJSON_ArrayForEach(r, resources) {
        const cJSON *type = cJSON_GetObjectItemCaseSensitive(r, "Type");
        s->resources = xrealloc(s->resources, (s->resource_count + 1) *
                                sizeof(*s->resources));
        s->resources[s->resource_count].logical_id = xstrdup(r->string);
        s->resources[s->resource_count].type =
            xstrdup(cJSON_GetStringValue(type));
        s->resource_count++;
    }
    char *text = cJSON_Print(t);
    s->template_json = xstrdup(text);
    cJSON_free(text);
    cJSON_Delete(t);
}

void plan_shared_tags(struct ccfg_map *out, const char *cluster,
                      const struct ccfg_map *extra)
{
    ccfg_map_add(out, "alpha.eksctl.io/cluster-name", cluster);
    ccfg_map_add(out, "eksctl.cluster.k8s.io/v1alpha1/cluster-name",
                 cluster);
    /* albatross is not eksctl, so it names its own version rather than
     * writing alpha.eksctl.io/eksctl-version. */
    ccfg_map_add(out, PLAN_VERSION_TAG, ALBATROSS_VERSION);
    for (size_t i = 0; extra && i < extra->count; i++)
        ccfg_map_add(out, extra->items[i].key, extra->items[i].value);
}

static void stack_tags(struct plan_step *s, const struct ccfg *c)
{
    plan_shared_tags(&s->tags, c->name, &c->tags);
}

static size_t add_cluster_stack(struct plan *p, const struct ccfg *c)
{
    char name[NAME_MAX_LEN];
    cfn_cluster_stack_name(c, name, sizeof(name));
    struct plan_step *s = add_step(p, PLAN_CREATE_STACK, name,
        "create the %s, the service role and the EKS cluster %s "
        "(Kubernetes %s)", c->vpc_id ? "security groups in the existing VPC"
        : "VPC, its subnets, gateways and routes, the security groups",
        c->name, c->version);
    stack_tags(s, c);
    ccfg_map_add(&s->tags, "alpha.eksctl.io/cluster-oidc-enabled",
                 c->with_oidc ? "true" : "false");
    take_template(s, cfn_cluster_template(c));
    return p->count - 1;
}

/* Returns the step service account stacks wait for. */
static size_t add_oidc_calls(struct plan *p, const struct ccfg *c,
                             size_t cluster)
{
    struct plan_step *s = add_step(p, PLAN_CALL,
        "iam:CreateOpenIDConnectProvider", "register the cluster's OIDC "
        "issuer with IAM: client id sts.amazonaws.com, the SHA-1 thumbprint "
        "of the last certificate of the issuer's TLS chain, tags "
        "alpha.eksctl.io/cluster-name=%s, "
        "eksctl.cluster.k8s.io/v1alpha1/cluster-name=%s, %s=%s%s", c->name,
        c->name, PLAN_VERSION_TAG, ALBATROSS_VERSION,
        c->tags.count ? " and the config's tags" : "");
    depends(s, cluster);
    size_t provider = p->count - 1;
    s = add_step(p, PLAN_CALL, "eks:TagResource", "tag the cluster %s with "
                 "alpha.eksctl.io/cluster-oidc-enabled=true, as eksctl does "
                 "after associating the provider", c->name);
    depends(s, provider);
    return provider;
}

/* The controller's policy text for wellKnownPolicies, or NULL with why. */
struct lbc_text {
    char *text;
    char why[512];
};

/* Reads the shipped policy into lbc when sa asks for it and lbc has no
 * text yet; the caller frees lbc->text. */
static void read_lbc(const struct ccfg_service_account *sa,
                     struct lbc_text *lbc)
{
    if (sa->lb_controller && !lbc->text)
        lbc->text = lbc_policy_read_shipped(lbc->why, sizeof(lbc->why));
}

/* Adds the iamserviceaccount stack of sa and returns it. */
static struct plan_step *add_service_account_stack(
    struct plan *p, const struct ccfg *c,
    const struct ccfg_service_account *sa, const char *issuer,
    const struct lbc_text *lbc)
{
    char name[NAME_MAX_LEN], account[160], placeholder[160];
    cfn_service_account_stack_name(c, sa, name, sizeof(name));
    snprintf(account, sizeof(account), "%s/%s", sa->namespace_name, sa->name);
    struct plan_step *s = add_step(p, PLAN_CREATE_STACK, name,
        "create the IAM role Role1 that %s assumes through the OIDC "
        "provider%s%s", account, sa->inline_policy
        ? ", with its inline policy Policy1" : "", sa->lb_controller
        ? ", with the AWS Load Balancer Controller's policy as the inline "
          "PolicyAWSLoadBalancerController (data/" LBC_POLICY_FILE ")" : "");
    stack_tags(s, c);
    ccfg_map_add(&s->tags, "alpha.eksctl.io/iamserviceaccount-name", account);
    if (!issuer) {
        snprintf(placeholder, sizeof(placeholder),
                 "oidc.eks.%s.amazonaws.com/id/ISSUER_ID", c->region);
        note(s, "ISSUER_ID in the trust policy is the cluster's OIDC issuer "
             "id, known once the cluster exists");
    }
    if (sa->role_name)
        note(s, "roleName is set: the stack needs CAPABILITY_NAMED_IAM");
    if (sa->lb_controller && !lbc->text) {
        note(s, lbc->why);
        s->blocked = xstrdup(lbc->why);
    }
    take_template(s, cfn_service_account_template(c, sa,
                                                  issuer ? issuer
                                                         : placeholder,
                                                  lbc->text));
    return s;
}

/* The stack, then the ServiceAccount annotated with its role. provider:
 * the step the stack waits for, or PLAN_NO_STEP. */
static void add_service_account(struct plan *p, const struct ccfg *c,
                                const struct ccfg_service_account *sa,
                                size_t provider, const char *issuer,
                                const struct lbc_text *lbc)
{
    char account[160];
    snprintf(account, sizeof(account), "%s/%s", sa->namespace_name, sa->name);
    struct plan_step *stack_step = add_service_account_stack(p, c, sa, issuer,
                                                             lbc);
    if (provider != PLAN_NO_STEP)
        depends(stack_step, provider);
    size_t stack = p->count - 1;
    struct plan_step *s = add_step(p, PLAN_CALL, "kubernetes:ServiceAccount",
                 "create or patch the ServiceAccount %s with the annotation "
                 "eks.amazonaws.com/role-arn set to the stack's output Role1 "
                 "and the label app.kubernetes.io/managed-by=eksctl; create "
                 "the namespace %s if it is missing", account,
                 sa->namespace_name);
    depends(s, stack);
}

static void add_nodegroup(struct plan *p, const struct ccfg *c,
                          const struct ccfg_nodegroup *ng, size_t cluster)
{
    char name[NAME_MAX_LEN];
    cfn_nodegroup_stack_name(c, ng, name, sizeof(name));
    struct plan_step *s = add_step(p, PLAN_CREATE_STACK, name,
        "create the node role and the %s node group %s: %d x %s (%d to %d), "
        "%d GiB volumes, in %s subnets", ng->managed ? "managed" : "unmanaged",
        ng->name, ng->desired_capacity, ng->instance_type, ng->min_size,
        ng->max_size, ng->volume_size,
        ng->private_networking ? "private" : "public");
    depends(s, cluster);
    stack_tags(s, c);
    ccfg_map_add(&s->tags, "alpha.eksctl.io/nodegroup-name", ng->name);
    ccfg_map_add(&s->tags, "alpha.eksctl.io/nodegroup-type",
                 ng->managed ? "managed" : "unmanaged");
    if (!ng->managed)
        note(s, "TODO: no launch template or Auto Scaling group yet, so this "
             "stack starts no nodes");
    take_template(s, cfn_nodegroup_template(c, ng));
}

void plan_build_create(struct plan *p, const struct ccfg *c,
                       const char *issuer)
{
    memset(p, 0, sizeof(*p));
    size_t cluster = add_cluster_stack(p, c);
    struct lbc_text lbc = { .text = NULL };
    for (size_t i = 0; i < c->service_account_count; i++)
        read_lbc(&c->service_accounts[i], &lbc);
    if (c->with_oidc) {
        size_t provider = add_oidc_calls(p, c, cluster);
        for (size_t i = 0; i < c->service_account_count; i++)
            add_service_account(p, c, &c->service_accounts[i], provider,
                                issuer, &lbc);
    }
    free(lbc.text);
    for (size_t i = 0; i < c->nodegroup_count; i++)
        add_nodegroup(p, c, &c->nodegroups[i], cluster);
}

void plan_build_service_account(struct plan *p, const struct ccfg *c,
                                const struct ccfg_service_account *sa,
                                const char *issuer)
{
    memset(p, 0, sizeof(*p));
    struct lbc_text lbc = { .text = NULL };
    read_lbc(sa, &lbc);
    add_service_account(p, c, sa, PLAN_NO_STEP, issuer, &lbc);
    free(lbc.text);
}

static void add_service_account_delete(struct plan *p, const struct ccfg *c,
                                       const struct ccfg_service_account *sa)
{
    char name[NAME_MAX_LEN];
    cfn_service_account_stack_name(c, sa, name, sizeof(name));
    add_step(p, PLAN_DELETE_STACK, name, "delete the role of %s/%s and wait "
             "until the stack is gone", sa->namespace_name, sa->name);
}

void plan_build_delete(struct plan *p, const struct ccfg *c)
{
    char name[NAME_MAX_LEN];
    memset(p, 0, sizeof(*p));
    for (size_t i = c->service_account_count; i-- > 0;)
        add_service_account_delete(p, c, &c->service_accounts[i]);
    size_t accounts = p->count;
    for (size_t i = c->nodegroup_count; i-- > 0;) {
        cfn_nodegroup_stack_name(c, &c->nodegroups[i], name, sizeof(name));
        add_step(p, PLAN_DELETE_STACK, name, "delete the node group %s and "
                 "its role, and wait", c->nodegroups[i].name);
    }
    if (c->with_oidc) {
        struct plan_step *s = add_step(p, PLAN_CALL,
            "iam:DeleteOpenIDConnectProvider", "delete the cluster's OIDC "
            "provider if it is tagged alpha.eksctl.io/cluster-name=%s or "
            "eksctl.cluster.k8s.io/v1alpha1/cluster-name=%s, as albatross "
            "and eksctl tag it; leave any other provider alone and say why",
            c->name, c->name);
        for (size_t i = 0; i < accounts; i++)
            depends(s, i);
    }
    size_t before_cluster = p->count;
    cfn_cluster_stack_name(c, name, sizeof(name));
    struct plan_step *s = add_step(p, PLAN_DELETE_STACK, name,
        "delete the EKS cluster %s, its role, security groups%s, and wait",
        c->name, c->vpc_id ? "" : " and the VPC");
    /* The other stacks import the cluster stack's exports, and the
     * provider trusts the cluster's issuer. */
    for (size_t i = accounts; i < before_cluster; i++)
        depends(s, i);
}

void plan_add_service_account(struct plan *p, const struct ccfg *c,
                               size_t index, const char *issuer, int deleting)
{
    const struct ccfg_service_account *sa = &c->service_accounts[index];
    if (deleting) {
        add_service_account_delete(p, c, sa);
        return;
    }
    struct lbc_text lbc = { .text = NULL };
    read_lbc(sa, &lbc);
    add_service_account_stack(p, c, sa, issuer, &lbc);
    free(lbc.text);
}

void plan_add_call(struct plan *p, const char *name,
                   const char *description)
{
    add_step(p, PLAN_CALL, name, "%s", description);
}

void plan_cleanup(struct plan *p)
{
    for (size_t i = 0; i < p->count; i++) {
        struct plan_step *s = &p->steps[i];
        free(s->name);
        free(s->description);
        free(s->depends_on);
        ccfg_map_free(&s->tags);
        free(s->template_json);
        for (size_t j = 0; j < s->resource_count; j++) {
            free(s->resources[j].logical_id);
            free(s->resources[j].type);
        }
        free(s->resources);
        for (size_t j = 0; j < s->note_count; j++)
            free(s->notes[j]);
        free(s->notes);
        free(s->blocked);
    }
    free(p->steps);
    memset(p, 0, sizeof(*p));
}
