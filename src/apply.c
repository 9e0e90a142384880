/*
 * The apply engine's walk through the plan: the stacks (src/apply_stack.c),
 * the OIDC provider, the ServiceAccounts, and the log lines. Each call is
 * sent and then the event loop runs until it calls back; polls wait on
 * an http_schedule timer, so nothing sleeps.
 *
 * TODO: the UI needs a driver that returns to its own loop between
 * calls; this one runs the loop itself, which suits the command line.
 */
#include "apply.h"

#include <langinfo.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../api/eks.h"
#include "../api/http.h"
#include "../api/iam.h"
#include "../api/iam_write.h"
#include "../api/kube_write.h"
#include "apply_internal.h"
#include "cli.h"
#include "cli_sa.h"
#include "util.h"

#define EXIT_FAILED 1
#define EXIT_SETUP 2
#define WAIT_SLICE_MS 500

volatile sig_atomic_t apply_interrupted;

static void on_sigint(int sig)
{
    (void)sig;
    apply_interrupted = 1;
}

/* ---- log lines ----------------------------------------------------------- */

void apply_log(struct engine *e, enum apply_mark mark, const char *fmt, ...)
{
    static const char *const utf8_marks[] = { "ℹ", "✔", "✖", "!" };
    static const char *const ascii_marks[] = { "i", "+", "x", "!" };
    char stamp[32];
    time_t now = time(NULL);
    struct tm tm;
    strftime(stamp, sizeof(stamp), "%Y-%m-%d %H:%M:%S",
             localtime_r(&now, &tm));
    fprintf(e->out, "%s [%s]  ", stamp,
            (e->utf8 ? utf8_marks : ascii_marks)[mark]);
    va_list ap;
    va_start(ap, fmt);
    vfprintf(e->out, fmt, ap);
    va_end(ap);
    fputc('\n', e->out);
    fflush(e->out);
}

/* ---- the event loop ------------------------------------------------------ */

int apply_wait_call(struct engine *e)
{
    while (!e->call_done && !apply_interrupted)
        if (model_wait(&e->m, NULL, NULL, 0, WAIT_SLICE_MS) < 0)
            break;
    if (!e->call_done) {
        /* The callback runs with "Cancelled" and changes nothing more. */
        model_cancel(&e->m);
        return -1;
    }
    return e->call_failed ? -1 : 0;
}

static void on_timer(void *ctx, int cancelled)
{
    int *fired = ctx;
    (void)cancelled;
    *fired = 1;
}

int apply_pause(struct engine *e, long ms)
{
    int fired = 0;
    if (http_schedule(e->m.http, ms, on_timer, &fired) < 0)
        return -1;
    while (!fired && !apply_interrupted)
        if (model_wait(&e->m, NULL, NULL, 0, WAIT_SLICE_MS) < 0)
            break;
    if (!fired)
        http_unschedule(e->m.http, on_timer, &fired);
    return fired ? 0 : -1;
}

/* ---- the OIDC provider --------------------------------------------------- */

struct cluster_reply {
    struct engine *e;
    struct eks_cluster_list *clusters;
    struct iam_oidc_provider_list *providers;
};

static void on_clusters(struct eks_cluster_list *list,
                        const struct api_error *err, void *ctx)
{
    struct cluster_reply *r = ctx;
    r->clusters = list;
    r->e->call_done = 1;
    r->e->call_failed = err != NULL;
    if (err)
        r->e->error = *err;
}

static void on_providers(struct iam_oidc_provider_list *list,
                         const struct api_error *err, void *ctx)
{
    struct cluster_reply *r = ctx;
    r->providers = list;
    r->e->call_done = 1;
    r->e->call_failed = err != NULL;
    if (err)
        r->e->error = *err;
}

static void on_written(const struct iam_write_result *res,
                       const struct api_error *err, void *ctx)
{
    struct engine *e = ctx;
    (void)res;
    e->call_done = 1;
    e->call_failed = err != NULL;
    if (err)
        e->error = *err;
}

/* Reads the cluster's issuer from EKS into e->issuer. */
static int load_issuer(struct engine *e)
{
    struct cluster_reply r = { .e = e };
    const struct ccfg *c = e->rq->config;
    e->call_done = 0;
    eks_describe_cluster(&e->m.aws, c->region, c->name, on_clusters, &r);
    int rc = apply_wait_call(e);
    if (rc == 0 && r.clusters && r.clusters->count &&
        r.clusters->items[0].oidc_issuer) {
        free(e->issuer);
        e->issuer = xstrdup(r.clusters->items[0].oidc_issuer);
    } else if (rc == 0) {
        snprintf(e->error.code, sizeof(e->error.code), "NoIssuer");
        snprintf(e->error.message, sizeof(e->error.message), "EKS reports "
                 "no OIDC issuer for cluster %s", c->name);
        rc = -1;
    }
    eks_cluster_list_free(r.clusters);
    return rc;
}

/* Whether IAM has a provider for e->issuer already. Returns 1, 0 or -1. */
static int provider_exists(struct engine *e)
{
    struct cluster_reply r = { .e = e };
    e->call_done = 0;
    iam_list_oidc_providers(&e->m.aws, on_providers, &r);
    if (apply_wait_call(e) < 0)
        return -1;
    const char *host = e->issuer + strlen("https://");
    int found = 0;
    for (size_t i = 0; r.providers && i < r.providers->count && !found;
         i++) {
        const char *slash = strstr(r.providers->arns[i], ":oidc-provider/");
        found = slash && strcmp(slash + strlen(":oidc-provider/"), host) == 0;
    }
    iam_oidc_provider_list_free(r.providers);
    return found;
}

static int create_provider(struct engine *e)
{
    const struct ccfg *c = e->rq->config;
    static const char *const client_ids[] = { "sts.amazonaws.com" };
    const struct iam_tag tags[] = {
        { "alpha.eksctl.io/cluster-name", c->name },
        { PLAN_VERSION_TAG, ALBATROSS_VERSION },
    };
    /* TODO: send the SHA-1 thumbprint of the last certificate of the
     * issuer's TLS chain. Without ThumbprintList IAM fetches it itself,
     * and albatross reaches no host but the configured endpoints. */
    struct iam_oidc_provider_spec spec = {
        .url = e->issuer, .client_ids = client_ids, .client_id_count = 1,
        .tags = tags, .tag_count = 2,
    };
    e->call_done = 0;
    iam_create_oidc_provider(&e->m.aws, &spec, on_written, e);
    return apply_wait_call(e);
}

static int step_failed(struct engine *e, size_t step, const char *what)
{
    if (!e->call_done)
        return -1;  /* interrupted: the summary says so */
    char reason[700];
    snprintf(reason, sizeof(reason), "%s: %s: %s", what, e->error.code,
             e->error.message);
    apply_log(e, MARK_FAIL, "%s", reason);
    progress_step_set(&e->progress, step, PROGRESS_FAILED, reason);
    return -1;
}

static int ensure_provider(struct engine *e, size_t step)
{
    if (load_issuer(e) < 0)
        return step_failed(e, step, "read the cluster's OIDC issuer");
    int exists = provider_exists(e);
    if (exists < 0)
        return step_failed(e, step, "list the IAM OIDC providers");
    if (exists) {
        apply_log(e, MARK_DONE, "IAM OIDC provider for %s exists already; "
                  "skipping it", e->issuer);
    } else {
        apply_log(e, MARK_INFO, "creating the IAM OIDC provider for %s",
                  e->issuer);
        if (create_provider(e) < 0 &&
            strcmp(e->error.code, "EntityAlreadyExists") != 0)
            return step_failed(e, step, "create the IAM OIDC provider");
        apply_log(e, MARK_DONE, "created the IAM OIDC provider for %s",
                  e->issuer);
    }
    /* The service account stacks trust this issuer: plan them again with
     * it instead of the placeholder. Step indices stay the same. */
    plan_cleanup(&e->plan);
    plan_build_create(&e->plan, e->rq->config,
                      e->issuer + strlen("https://"));
    return 0;
}

/* ---- the ServiceAccount -------------------------------------------------- */

static void on_kube_written(const char *body, size_t len,
                            const struct api_error *err, void *ctx)
{
    struct engine *e = ctx;
    (void)body;
    (void)len;
    e->call_done = 1;
    e->call_failed = err != NULL;
    if (err)
        e->error = *err;
}

static int send_kube(struct engine *e, struct kube_write_request *rq)
{
    e->call_done = 0;
    kube_send(e->m.clusters[e->m.current].kube, rq, on_kube_written, e);
    int rc = apply_wait_call(e);
    kube_write_request_cleanup(rq);
    return rc;
}

/* Creates namespace ns; one that exists already is fine.
 * NOTE: the sandbox rejects namespace writes (MethodNotAllowed), so the
 * tests cover only accounts in existing namespaces. */
static int create_namespace(struct engine *e, const char *ns)
{
    static const struct kube_object_ref namespaces = {
        "/api/v1", NULL, "namespaces", NULL,
    };
    char body[400];
    snprintf(body, sizeof(body), "{\"apiVersion\":\"v1\",\"kind\":"
             "\"Namespace\",\"metadata\":{\"name\":\"%s\"}}", ns);
    e->call_done = 0;
    kube_create(e->m.clusters[e->m.current].kube, &namespaces, body, 0,
                on_kube_written, e);
    if (apply_wait_call(e) == 0)
        return 0;
    return e->call_done && strcmp(e->error.code, "AlreadyExists") == 0
           ? 0 : -1;
}

/* Creates the account with the role annotation, and its namespace when
 * the create finds none. */
static int create_service_account(struct engine *e,
                                  const struct ccfg_service_account *sa,
                                  const struct kube_annotation *a)
{
    struct kube_write_request rq;
    struct api_error err;
    for (int attempt = 0; attempt < 2; attempt++) {
        if (kube_sa_create_request(sa->namespace_name, sa->name, a, 1, &rq,
                                   &err) < 0) {
            e->error = err;
            return -1;
        }
        if (send_kube(e, &rq) == 0)
            return 0;
        if (attempt || !e->call_done || strcmp(e->error.code, "NotFound"))
            return -1;
        apply_log(e, MARK_INFO, "creating namespace \"%s\"",
                  sa->namespace_name);
        if (create_namespace(e, sa->namespace_name) < 0)
            return -1;
    }
    return -1;
}

/* Patches the account's role annotation, or creates the account when
 * the patch finds none. TODO: the label app.kubernetes.io/managed-by
 * that eksctl sets. */
static int write_service_account(struct engine *e,
                                 const struct ccfg_service_account *sa)
{
    struct kube_annotation a = { ROLE_ARN_ANNOTATION, e->role_arn };
    struct kube_write_request rq;
    struct api_error err;
    if (kube_sa_annotate_request(sa->namespace_name, sa->name, &a, 1, &rq,
                                 &err) < 0) {
        e->error = err;
        e->call_done = 1;
        return -1;
    }
    if (send_kube(e, &rq) == 0)
        return 0;
    if (!e->call_done || strcmp(e->error.code, "NotFound") != 0)
        return -1;
    return create_service_account(e, sa, &a);
}

int apply_open_cluster(struct engine *e)
{
    if (e->kube_open)
        return 0;
    if (cli_open_cluster(&e->m, e->out) != 0)
        return -1;
    e->kube_open = 1;
    return 0;
}

/* The service account of plan step i: the n-th such call of the plan. */
static int ensure_service_account(struct engine *e, size_t step,
                                  size_t index)
{
    const struct ccfg_service_account *sa =
        &e->rq->config->service_accounts[index];
    free(e->role_arn);
    e->role_arn = apply_stack_output(e, step - 1, "Role1");
    if (!e->role_arn)
        return step_failed(e, step, "read the role from the stack's output "
                           "Role1");
    if (apply_open_cluster(e) < 0) {
        progress_step_set(&e->progress, step, PROGRESS_FAILED,
                          "the cluster's Kubernetes API cannot be reached");
        return -1;
    }
    if (write_service_account(e, sa) < 0)
        return step_failed(e, step, "write the ServiceAccount");
    apply_log(e, MARK_DONE, "serviceaccount \"%s/%s\" has %s=%s",
              sa->namespace_name, sa->name, ROLE_ARN_ANNOTATION, e->role_arn);
    return 0;
}

/* ---- the walk ------------------------------------------------------------ */

static int run_call(struct engine *e, size_t step, size_t *accounts)
{
    const char *name = e->plan.steps[step].name;
    progress_step_set(&e->progress, step, PROGRESS_RUNNING, NULL);
    int rc = 0;
    if (strcmp(name, "iam:CreateOpenIDConnectProvider") == 0) {
        rc = ensure_provider(e, step);
    } else if (strcmp(name, "kubernetes:ServiceAccount") == 0) {
        rc = ensure_service_account(e, step, (*accounts)++);
    } else if (strcmp(name, "iam:DeleteOpenIDConnectProvider") == 0) {
        /* TODO: read the provider's tags (ListOpenIDConnectProviderTags)
         * and delete it when it carries the cluster's; until then it is
         * left alone, as the plan promises for untagged ones. */
        apply_log(e, MARK_WARN, "the IAM OIDC provider of %s is left in "
                  "place: albatross cannot check its tags yet; delete it "
                  "with aws iam delete-open-id-connect-provider if nothing "
                  "else uses it", e->rq->config->name);
    } else {
        /* TODO: eks:TagResource alpha.eksctl.io/cluster-oidc-enabled. */
        apply_log(e, MARK_WARN, "%s is not carried out yet; skipping it",
                  name);
    }
    if (rc == 0)
        progress_step_set(&e->progress, step, PROGRESS_DONE, NULL);
    return rc;
}

static int run_step(struct engine *e, size_t step, size_t *accounts)
{
    switch (e->plan.steps[step].kind) {
    case PLAN_CREATE_STACK: return apply_stack_create(e, step);
    case PLAN_DELETE_STACK: return apply_stack_delete(e, step);
    case PLAN_CALL: return run_call(e, step, accounts);
    }
    return -1;
}

/* What finished and what did not, after a failure or an interruption. */
static void summarize(struct engine *e)
{
    for (size_t i = 0; i < e->progress.count; i++) {
        const struct progress_step *s = &e->progress.steps[i];
        apply_log(e, s->state == PROGRESS_DONE ? MARK_DONE : MARK_WARN,
                  "%s: %s", s->name, s->state == PROGRESS_RUNNING
                  ? "interrupted" : progress_state_name(s->state));
    }
}

static void readonly_hint(struct engine *e)
{
    if (strcmp(e->error.code, "ReadOnly") == 0)
        apply_log(e, MARK_FAIL, "this session is read-only (--readonly), so "
                  "nothing was changed; run albatross %s -f %s without "
                  "--readonly to make the changes", e->rq->deleting
                  ? "delete" : "apply", e->rq->file);
}

static int walk(struct engine *e)
{
    size_t accounts = 0;
    for (size_t i = 0; i < e->plan.count; i++) {
        if (run_step(e, i, &accounts) == 0 && !apply_interrupted)
            continue;
        if (apply_interrupted)
            apply_log(e, MARK_WARN, "interrupted; run albatross %s -f %s "
                      "again to carry on where this run stopped",
                      e->rq->deleting ? "delete" : "apply", e->rq->file);
        else
            readonly_hint(e);
        summarize(e);
        return EXIT_FAILED;
    }
    const struct ccfg *c = e->rq->config;
    apply_log(e, MARK_DONE, e->rq->deleting
              ? "all stacks of cluster \"%s\" in \"%s\" are deleted"
              : "EKS cluster \"%s\" in \"%s\" region is ready", c->name,
              c->region);
    return 0;
}

static int utf8_locale(void)
{
    const char *codeset = nl_langinfo(CODESET);
    return codeset && (strcmp(codeset, "UTF-8") == 0 ||
                       strcmp(codeset, "utf8") == 0);
}

void apply_engine_cleanup(struct engine *e)
{
    for (size_t i = 0; i < e->seen_count; i++)
        free(e->seen[i]);
    free(e->seen);
    free(e->issuer);
    free(e->role_arn);
    plan_cleanup(&e->plan);
    progress_cleanup(&e->progress);
    model_cleanup(&e->m);
}

int apply_engine_init(struct engine *e, const struct apply_request *rq,
                      FILE *out, const char *title, char *why, size_t len)
{
    const struct ccfg *c = rq->config;
    memset(e, 0, sizeof(*e));
    e->rq = rq;
    e->out = out;
    e->utf8 = utf8_locale();
    struct model_options mo = rq->model;
    mo.region = c->region;
    mo.cluster = c->name;
    mo.region_only = 1;
    if (model_init(&e->m, &mo, why, len) < 0)
        return -1;
    progress_init(&e->progress, title, NULL, NULL);
    return 0;
}

void apply_catch_sigint(struct sigaction *old)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_sigint;
    sigaction(SIGINT, &sa, old);
    apply_interrupted = 0;
}

int apply_run(const struct apply_request *rq, FILE *out)
{
    const struct ccfg *c = rq->config;
    struct engine e;
    char why[1024], title[300];
    snprintf(title, sizeof(title), "%s cluster %s in %s", rq->deleting
             ? "delete" : "apply", c->name, c->region);
    if (apply_engine_init(&e, rq, out, title, why, sizeof(why)) < 0) {
        fprintf(stderr, "albatross %s: %s\n", rq->deleting ? "delete"
                : "apply", why);
        return EXIT_SETUP;
    }
    if (rq->deleting)
        plan_build_delete(&e.plan, c);
    else
        plan_build_create(&e.plan, c, NULL);
    for (size_t i = 0; i < e.plan.count; i++)
        progress_step_add(&e.progress, e.plan.steps[i].name,
                          e.plan.steps[i].description);

    struct sigaction old;
    apply_catch_sigint(&old);
    apply_log(&e, MARK_INFO, "%s %zu steps for cluster \"%s\" in \"%s\" "
              "(from %s)", rq->deleting ? "deleting:" : "applying:",
              e.plan.count, c->name, c->region, rq->file);
    int rc = walk(&e);
    sigaction(SIGINT, &old, NULL);
    apply_engine_cleanup(&e);
    return rc;
}
