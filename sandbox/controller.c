/*
 * controller_run: which ingresses the controller owns, how it groups
 * them, the credentials its pods get through IRSA or EKS Pod Identity,
 * and the events it records. Error texts follow the controller's own:
 * "Failed build model due to ..." and "Failed deploy model due to ..."
 * around the AWS SDK's error, which reads differently before v2.9.0
 * (aws-sdk-go) and from it on (aws-sdk-go-v2), as in the controller's
 * logs and issue reports.
 */
#include "controller.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/sha.h>

#include "../api/buf.h"
#include "aws_eks.h"
#include "aws_services.h"
#include "awsreply.h"
#include "controller_task.h"
#include "iampolicy.h"
#include "k8s_rollout.h"
#include "wfile.h"
#include "world_addon.h"
#include "world_net.h"
#include "world_pod_identity.h"

#define ANNOTATION_PREFIX   "alb.ingress.kubernetes.io/"
#define CLASS_ANNOTATION    "kubernetes.io/ingress.class"
#define ROLE_ANNOTATION     "eks.amazonaws.com/role-arn"
#define ALB_CONTROLLER      "ingress.k8s.aws/alb"
#define SDK_V2_VERSION      20900   /* v2.9.0 moved to aws-sdk-go-v2 */

/* ---- helpers shared with the other parts --------------------------------- */

const char *ctl_annotation(const struct world_ingress *ing,
                           const char *suffix)
{
    char key[128];
    snprintf(key, sizeof(key), ANNOTATION_PREFIX "%s", suffix);
    return world_tag(&ing->annotations, key);
}

void ctl_hash10(char out[11], const char *first, ...)
{
    struct buf b;
    unsigned char md[SHA256_DIGEST_LENGTH];
    va_list ap;
    buf_init(&b, 0);
    va_start(ap, first);
    for (const char *s = first; s; s = va_arg(ap, const char *))
        buf_puts(&b, s);
    va_end(ap);
    SHA256((const unsigned char *)(b.data ? b.data : ""), b.len, md);
    buf_cleanup(&b);
    for (int i = 0; i < 5; i++)
        snprintf(out + 2 * i, 3, "%02x", md[i]);
}

/* The name the SDK gives a service in "operation error NAME: ...". */
static const char *sdk_service(const char *iam_action)
{
    static const char *const names[][2] = {
        {"ec2:", "EC2"}, {"elasticloadbalancing:", "Elastic Load Balancing v2"},
        {"acm:", "ACM"}, {"wafv2:", "WAFV2"},
    };
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (strncmp(iam_action, names[i][0], strlen(names[i][0])) == 0)
            return names[i][1];
    return "AWS";
}

static void request_id(struct ctl_task *t, char out[37])
{
    char seed[128];
    snprintf(seed, sizeof(seed), "request/%s/%s/%lu", t->c->name, t->stack,
             ++t->requests);
    char *uuid = wfile_uuid(seed);
    snprintf(out, 37, "%s", uuid ? uuid : "00000000-0000-4000-8000-000000000000");
    free(uuid);
}

void ctl_aws_error(struct ctl_task *t, const char *prefix,
                   const char *iam_action, int status, const char *code,
                   int modeled, const char *message)
{
    char id[37];
    const char *op = strchr(iam_action, ':') + 1;
    request_id(t, id);
    if (t->version >= SDK_V2_VERSION)
        snprintf(t->message, sizeof(t->message), "%soperation error %s: %s, "
                 "https response error StatusCode: %d, RequestID: %s, %s%s: "
                 "%s", prefix, sdk_service(iam_action), op, status, id,
                 modeled ? "" : "api error ", code, message);
    else
        snprintf(t->message, sizeof(t->message), "%s%s: %s\n\tstatus code: "
                 "%d, request id: %s", prefix, code, message, status, id);
}

/* The text of a call made without credentials. From v2.9.0 on, a pod
 * with a Pod Identity association reports the container credentials
 * endpoint's error. Before v2.9.0, aws-sdk-go's chain reports only
 * NoCredentialProviders, as for a pod without a role. */
static void credentials_error(struct ctl_task *t, const char *prefix,
                              const char *iam_action)
{
    const struct ctl_creds *k = t->creds;
    const char *op = strchr(iam_action, ':') + 1;
    int no_provider = k->no_role || k->container_error;
    char id[37];
    request_id(t, id);
    if (k->container_error && t->version >= SDK_V2_VERSION)
        snprintf(t->message, sizeof(t->message), "%soperation error %s: %s, "
                 "get identity: get credentials: failed to refresh cached "
                 "credentials, %s", prefix, sdk_service(iam_action), op,
                 k->container_error);
    else if (k->no_role && t->version >= SDK_V2_VERSION)
        snprintf(t->message, sizeof(t->message), "%soperation error %s: %s, "
                 "get identity: get credentials: failed to refresh cached "
                 "credentials, no EC2 IMDS role found, operation error "
                 "ec2imds: GetMetadata, http response error StatusCode: 404, "
                 "request to EC2 IMDS failed", prefix,
                 sdk_service(iam_action), op);
    else if (no_provider)
        snprintf(t->message, sizeof(t->message), "%sNoCredentialProviders: "
                 "no valid providers in chain. Deprecated.\n\tFor verbose "
                 "messaging see aws.Config.CredentialsChainVerboseErrors",
                 prefix);
    else if (t->version >= SDK_V2_VERSION)
        snprintf(t->message, sizeof(t->message), "%soperation error %s: %s, "
                 "get identity: get credentials: failed to refresh cached "
                 "credentials, failed to retrieve credentials, operation "
                 "error STS: AssumeRoleWithWebIdentity, https response error "
                 "StatusCode: %d, RequestID: %s, %s%s: %s", prefix,
                 sdk_service(iam_action), op, k->sts_status, id,
                 strcmp(k->sts_code, "AccessDenied") == 0 ? "api error " : "",
                 k->sts_code, k->sts_message);
    else
        snprintf(t->message, sizeof(t->message), "%sWebIdentityErr: failed "
                 "to retrieve credentials\ncaused by: %s: %s\n\tstatus code: "
                 "%d, request id: %s", prefix, k->sts_code, k->sts_message,
                 k->sts_status, id);
}

/* The code and message AWS returns for a denied call. */
static void denied_error(struct ctl_task *t, const char *prefix,
                         const char *iam_action, int explicit_deny)
{
    char text[1024];
    const char *code = "AccessDenied";
    int ec2 = strncmp(iam_action, "ec2:", 4) == 0;
    if (ec2)
        code = "UnauthorizedOperation";
    else if (strncmp(iam_action, "acm:", 4) == 0 ||
             strncmp(iam_action, "wafv2:", 6) == 0)
        code = "AccessDeniedException";
    if (explicit_deny)
        snprintf(text, sizeof(text), "%sUser: %s is not authorized to "
                 "perform: %s with an explicit deny in an identity-based "
                 "policy", ec2 ? "You are not authorized to perform this "
                 "operation. " : "", t->creds->caller_arn, iam_action);
    else
        snprintf(text, sizeof(text), "%sUser: %s is not authorized to "
                 "perform: %s because no identity-based policy allows the %s "
                 "action", ec2 ? "You are not authorized to perform this "
                 "operation. " : "", t->creds->caller_arn, iam_action,
                 iam_action);
    /* ACM and WAFv2 reply 400; EC2 and ELBv2 403. */
    int json = strcmp(code, "AccessDeniedException") == 0;
    ctl_aws_error(t, prefix, iam_action, json ? 400 : 403, code, json, text);
}

int ctl_call(struct ctl_task *t, const char *iam_action, const char *prefix)
{
    if (!t->creds->role) {
        credentials_error(t, prefix, iam_action);
        return -1;
    }
    enum iampolicy_decision d = iampolicy_evaluate(t->w, t->creds->role,
                                                   iam_action);
    if (d == IAMPOLICY_ALLOW)
        return 0;
    denied_error(t, prefix, iam_action, d == IAMPOLICY_EXPLICIT_DENY);
    return -1;
}

/* ---- credentials ---------------------------------------------------------- */

static const struct world_service_account *find_sa(const struct world_cluster *c,
                                                   const char *ns,
                                                   const char *name)
{
    for (size_t i = 0; i < c->service_account_count; i++)
        if (strcmp(c->service_accounts[i].namespace, ns) == 0 &&
            strcmp(c->service_accounts[i].name, name) == 0)
            return &c->service_accounts[i];
    return NULL;
}

/* The session name the SDKs give web identity sessions: the time in
 * nanoseconds. */
static int assumed_arn(struct world *w, struct ctl_creds *k)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    k->caller_arn = wfile_printf("arn:aws:sts::%s:assumed-role/%s/%lld%09ld",
                                 w->account_id, k->role->name,
                                 (long long)ts.tv_sec, ts.tv_nsec);
    return k->caller_arn ? 0 : -1;
}

/* The pods' credentials from the role's web identity (IRSA). */
static int web_identity_creds(struct world *w, const struct world_cluster *c,
                              const char *role_arn, struct ctl_creds *k)
{
    const struct world_controller *ctl = &c->controller;
    char sub[512];
    snprintf(sub, sizeof(sub), "system:serviceaccount:%s:%s",
             ctl->sa_namespace, ctl->sa_name);
    const char *issuer = c->oidc_issuer ? c->oidc_issuer
                                        : "https://oidc.eks.invalid";
    k->sts_code = aws_sts_check_web_identity(w, role_arn, issuer, sub,
                                             "sts.amazonaws.com",
                                             &k->sts_status, k->sts_message,
                                             sizeof(k->sts_message));
    if (k->sts_code)
        return 1;
    k->role = world_role_by_arn(w, role_arn);
    return assumed_arn(w, k) < 0 ? -1 : 1;
}

/*
 * The pods' credentials from a Pod Identity association: the EKS Pod
 * Identity Agent (the eks-pod-identity-agent add-on) serves them on
 * 169.254.170.23 once it has assumed the association's role.
 * NOTE: the two error texts are modelled, not captured from a cluster.
 * The first is aws-sdk-go-v2's container credentials provider after
 * three refused connections. The second is the agent's reply when EKS
 * cannot assume the role, as users have reported it.
 */
static int pod_identity_creds(struct world *w, struct world_cluster *c,
                              const struct world_pod_identity *a,
                              struct ctl_creds *k)
{
    const struct world_role *role = world_role_by_arn(w, a->role_arn);
    c->controller.awaiting_agent = !world_addon_active(
        w, c, WORLD_POD_IDENTITY_AGENT);
    if (c->controller.awaiting_agent) {
        k->container_error = "failed to load credentials, exceeded maximum "
                             "number of attempts, 3, request send failed, "
                             "Get \"http://169.254.170.23/v1/credentials\": "
                             "dial tcp 169.254.170.23:80: connect: "
                             "connection refused";
        return 1;
    }
    if (!role || !aws_eks_role_trusts_pods(role)) {
        k->container_error = "failed to load credentials, Unauthorized "
                             "Exception! EKS does not have permissions to "
                             "assume the associated role., fault: client";
        return 1;
    }
    k->role = role;
    /* EKS names the session eks-CLUSTER-POD-UUID. The pod's name is
     * not known here, so a hash of the association replaces POD-UUID. */
    char hash[11];
    ctl_hash10(hash, c->name, a->id, NULL);
    k->caller_arn = wfile_printf("arn:aws:sts::%s:assumed-role/%s/eks-%.20s-"
                                 "%s", w->account_id, role->name, c->name,
                                 hash);
    return k->caller_arn ? 1 : -1;
}

/* Resolves what the controller's pods run as, in the order of the AWS
 * SDK's default chain: web identity (the IRSA annotation) before
 * container credentials (a Pod Identity association). Returns 1 when
 * they run at all (the service account exists), 0 when not, -1 on no
 * memory. */
static int resolve_creds(struct world *w, struct world_cluster *c,
                         struct ctl_creds *k)
{
    const struct world_controller *ctl = &c->controller;
    const struct world_service_account *sa = find_sa(c, ctl->sa_namespace,
                                                     ctl->sa_name);
    c->controller.awaiting_agent = 0;
    if (!sa)
        return 0;   /* the Deployment's pods cannot be created */
    const char *role_arn = ctl->role_arn ? ctl->role_arn
                                         : world_tag(&sa->annotations,
                                                     ROLE_ANNOTATION);
    if (role_arn)
        return web_identity_creds(w, c, role_arn, k);
    const struct world_pod_identity *a = world_pod_identity_for(
        c, ctl->sa_namespace, ctl->sa_name);
    if (a)
        return pod_identity_creds(w, c, a, k);
    k->no_role = 1;
    return 1;
}

/* ---- which ingresses, in which groups ------------------------------------- */

static const struct world_ingress_class *find_class(
    const struct world_cluster *c, const char *name)
{
    for (size_t i = 0; i < c->ingress_class_count; i++)
        if (strcmp(c->ingress_classes[i].name, name) == 0)
            return &c->ingress_classes[i];
    return NULL;
}

static const struct world_ingress_class_params *find_params(
    const struct world_cluster *c, const char *name)
{
    for (size_t i = 0; name && i < c->class_params_count; i++)
        if (strcmp(c->class_params[i].name, name) == 0)
            return &c->class_params[i];
    return NULL;
}

static const struct world_ingress_class *default_class(
    const struct world_cluster *c)
{
    for (size_t i = 0; i < c->ingress_class_count; i++)
        if (c->ingress_classes[i].is_default)
            return &c->ingress_classes[i];
    return NULL;
}

/* Whether the controller owns ing. The class annotation wins over
 * spec.ingressClassName, whose IngressClass must exist and name this
 * controller. An ingress with neither goes to the default class. */
static int owns(const struct world_cluster *c, const struct world_ingress *ing,
                const struct world_ingress_class_params **params)
{
    const char *annotated = world_tag(&ing->annotations, CLASS_ANNOTATION);
    const struct world_ingress_class *ic;
    *params = NULL;
    if (annotated)
        return strcmp(annotated, c->controller.ingress_class) == 0;
    ic = ing->class_name ? find_class(c, ing->class_name) : default_class(c);
    if (!ic || strcmp(ic->controller, ALB_CONTROLLER) != 0)
        return 0;
    *params = find_params(c, ic->parameters);
    return 1;
}

static const char *group_name(const struct ctl_member *m)
{
    if (m->params && m->params->group)
        return m->params->group;
    return ctl_annotation(m->ing, "group.name");
}

static int compare_members(const void *a, const void *b)
{
    const struct ctl_member *x = a, *y = b;
    if (x->order != y->order)
        return x->order < y->order ? -1 : 1;
    int rc = strcmp(x->ing->namespace, y->ing->namespace);
    return rc ? rc : strcmp(x->ing->name, y->ing->name);
}

/* ---- events ----------------------------------------------------------------- */

static int add_event(struct world_cluster *c, const struct world_ingress *ing,
                     const char *type, const char *reason,
                     const char *message)
{
    struct k8s_event_ref ref = {
        "Ingress", "networking.k8s.io/v1", ing->namespace, ing->name,
        ing->uid, ing->resource_version,
    };

    return k8s_record_event(c, &ref, type, reason, message, "ingress");
}

static int record(struct ctl_task *t, const char *type, const char *reason,
                  const char *message)
{
    for (size_t i = 0; i < t->member_count; i++)
        if (add_event(t->c, t->members[i].ing, type, reason, message) < 0)
            return -1;
    return 0;
}

/* Points every member's status at the load balancer. */
static int update_status(struct ctl_task *t)
{
    for (size_t i = 0; i < t->member_count; i++) {
        struct world_ingress *ing = t->members[i].ing;
        if (ing->status_hostname &&
            strcmp(ing->status_hostname, t->model.dns_name) == 0)
            continue;
        char *host = strdup(t->model.dns_name);
        if (!host)
            return -1;
        free(ing->status_hostname);
        ing->status_hostname = host;
        ing->resource_version = ++t->c->resource_version;
    }
    return 0;
}

/* ---- one group ---------------------------------------------------------------- */

static int parse_version(const char *v)
{
    unsigned major = 2, minor = 0, patch = 0;
    sscanf(v, "v%u.%u.%u", &major, &minor, &patch);
    return (int)(major * 10000 + minor * 100 + patch);
}

static int reconcile(struct ctl_task *t)
{
    char text[CTL_MESSAGE_MAX + 64];
    qsort(t->members, t->member_count, sizeof(*t->members), compare_members);
    int rc = ctl_build(t);
    if (rc == 0)
        rc = ctl_deploy(t);
    if (t->oom)
        return -1;
    if (rc == 0)
        return update_status(t) < 0 ||
               record(t, "Normal", "SuccessfullyReconciled",
                      "Successfully reconciled") < 0 ? -1 : 0;
    snprintf(text, sizeof(text), "Failed %s model due to %s",
             strcmp(t->reason, "FailedBuildModel") == 0 ? "build" : "deploy",
             t->message);
    return record(t, "Warning", t->reason, text);
}

static int run_group(struct world *w, struct world_cluster *c,
                     struct ctl_creds *k, struct ctl_member *members,
                     size_t count, const char *stack, int explicit_group)
{
    struct ctl_task t = {
        .w = w, .c = c, .members = members, .member_count = count,
        .creds = k, .explicit_group = explicit_group,
        .version = parse_version(c->controller.version),
    };
    t.stack = strdup(stack);
    int rc = t.stack ? reconcile(&t) : -1;
    ctl_model_free(&t.model);
    free(t.stack);
    return rc;
}

/* The stack of member i: its group name, or NAMESPACE/NAME. */
static char *stack_of(const struct ctl_member *m)
{
    const char *group = group_name(m);
    return group ? strdup(group)
                 : wfile_printf("%s/%s", m->ing->namespace, m->ing->name);
}

/* Runs each group once, members in the order of their first ingress. */
static int run_groups(struct world *w, struct world_cluster *c,
                      struct ctl_creds *k, struct ctl_member *owned,
                      size_t count)
{
    struct ctl_member *group = calloc(count ? count : 1, sizeof(*group));
    char **stacks = calloc(count ? count : 1, sizeof(*stacks));
    int rc = group && stacks ? 0 : -1;
    for (size_t i = 0; i < count && rc == 0; i++)
        if (!(stacks[i] = stack_of(&owned[i])))
            rc = -1;
    for (size_t i = 0; i < count && rc == 0; i++) {
        size_t n = 0, first = i;
        for (size_t j = 0; j < i; j++)
            if (strcmp(stacks[j], stacks[i]) == 0)
                first = j;
        if (first != i)
            continue;   /* ran with its group */
        for (size_t j = i; j < count; j++)
            if (strcmp(stacks[j], stacks[i]) == 0)
                group[n++] = owned[j];
        rc = run_group(w, c, k, group, n, stacks[i],
                       group_name(&owned[i]) != NULL);
    }
    for (size_t i = 0; stacks && i < count; i++)
        free(stacks[i]);
    free(stacks);
    free(group);
    return rc;
}

int ctl_run_cluster(struct world *w, struct world_cluster *c)
{
    struct ctl_creds creds = { .role = NULL };
    int running = resolve_creds(w, c, &creds);
    struct ctl_member *owned = calloc(c->ingress_count ? c->ingress_count : 1,
                                      sizeof(*owned));
    size_t count = 0;
    int rc = running < 0 || !owned ? -1 : 0;
    for (size_t i = 0; running > 0 && rc == 0 && i < c->ingress_count; i++) {
        struct ctl_member *m = &owned[count];
        m->ing = &c->ingresses[i];
        if (!owns(c, m->ing, &m->params))
            continue;
        const char *order = ctl_annotation(m->ing, "group.order");
        m->order = order ? strtol(order, NULL, 10) : 0;
        count++;
    }
    if (rc == 0 && running > 0)
        rc = run_groups(w, c, &creds, owned, count);
    free(owned);
    free(creds.caller_arn);
    return rc;
}

int controller_tick(struct world *w)
{
    if (k8s_rollout_tick(w) < 0)
        return -1;
    if (world_clock(w) < w->timing.controller_start)
        return 0;
    if (!w->controllers_done) {
        w->controllers_done = 1;
        if (controller_run(w) < 0)
            return -1;
    }
    return ctl_gate_tick(w);
}

int controller_run(struct world *w)
{
    for (size_t i = 0; i < w->cluster_count; i++)
        if (w->clusters[i].controller.installed &&
            !w->clusters[i].controller.deployed &&
            ctl_run_cluster(w, &w->clusters[i]) < 0)
            return -1;
    return 0;
}
