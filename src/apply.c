/*
 * The apply engine's walk through the plan: the stacks (src/apply_stack.c),
 * the OIDC provider (src/oidc.c), the ServiceAccounts, and the log lines. Each call is
 * sent and then the event loop runs until it calls back; polls wait on
 * an http_schedule timer, so nothing sleeps.
 *
 * The walk runs the loop itself. The UI keeps its terminal responsive by
 * running the whole walk on a worker thread (src/apply_job.c), instead
 * of turning each step into a state machine that its own loop drives.
 * So the walk stays the straight-line code the command line uses, and
 * the threads share only the progress and the cancel flag.
 */
#include "apply.h"

#include <langinfo.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../api/http.h"
#include "../api/kube_write.h"
#include "apply_internal.h"
#include "cli.h"
#include "cli_sa.h"
#include "oidc.h"
#include "util.h"

#define EXIT_FAILED 1
#define EXIT_SETUP 2
#define WAIT_SLICE_MS 500

#define LOG_LINE_MAX 1200

/* The command line's stop flag: SIGINT sets it. Runs started with their
 * own flag (the UI's) leave signals alone. */
static atomic_int sigint_seen;

static void on_sigint(int sig)
{
    (void)sig;
    atomic_store(&sigint_seen, 1);
}

int apply_stopping(const struct engine *e)
{
    return atomic_load(e->cancel) != 0;
}

/* ---- log lines ----------------------------------------------------------- */

void apply_log(struct engine *e, enum apply_mark mark, const char *fmt, ...)
{
    static const char *const utf8_marks[] = { "ℹ", "✔", "✖", "!" };
    static const char *const ascii_marks[] = { "i", "+", "x", "!" };
    char line[LOG_LINE_MAX];
    time_t now = time(NULL);
    struct tm tm;
    size_t n = strftime(line, sizeof(line), "%Y-%m-%d %H:%M:%S",
                        localtime_r(&now, &tm));
    n += (size_t)snprintf(line + n, sizeof(line) - n, " [%s]  ",
                          (e->utf8 ? utf8_marks : ascii_marks)[mark]);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line + n, sizeof(line) - n, fmt, ap);
    va_end(ap);
    progress_event_add(e->progress, line);
    if (e->out) {
        fprintf(e->out, "%s\n", line);
        fflush(e->out);
    }
}

/* ---- the event loop ------------------------------------------------------ */

int apply_wait_call(struct engine *e)
{
    while (!e->call_done && !apply_stopping(e))
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
    while (!fired && !apply_stopping(e))
        if (model_wait(&e->m, NULL, NULL, 0, WAIT_SLICE_MS) < 0)
            break;
    if (!fired)
        http_unschedule(e->m.http, on_timer, &fired);
    return fired ? 0 : -1;
}

/* ---- the OIDC provider (src/oidc.c) -------------------------------------- */

struct oidc_reply {
    struct engine *e;
    struct oidc_result res;
};

static void on_oidc(const struct oidc_result *res, const struct api_error *err,
                    void *ctx)
{
    struct oidc_reply *r = ctx;
    r->e->call_done = 1;
    r->e->call_failed = err != NULL;
    if (err)
        r->e->error = *err;
    else
        r->res = *res;
}

typedef int (*oidc_call_fn)(struct aws_session *s,
                            const struct oidc_request *rq, oidc_fn done,
                            void *ctx);

/* Runs one src/oidc.c operation on the cluster to its end. */
static int run_oidc(struct engine *e, oidc_call_fn call,
                    struct oidc_reply *r)
{
    const struct ccfg *c = e->rq->config;
    const struct oidc_request rq = {
        .region = c->region, .cluster = c->name, .tags = &c->tags,
    };
    r->e = e;
    e->call_done = 0;
    call(&e->m.aws, &rq, on_oidc, r);
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
    progress_step_set(e->progress, step, PROGRESS_FAILED, reason);
    return -1;
}

static int ensure_provider(struct engine *e, size_t step)
{
    struct oidc_reply r;
    if (run_oidc(e, oidc_associate, &r) < 0)
        return step_failed(e, step, "associate the IAM OIDC provider");
    if (r.res.outcome == OIDC_EXISTS)
        apply_log(e, MARK_DONE, "IAM OIDC provider for %s exists already; "
                  "skipping it", r.res.issuer);
    else
        apply_log(e, MARK_DONE, "created IAM OIDC provider %s (thumbprint "
                  "%s)", r.res.provider_arn, r.res.thumbprint);
    free(e->issuer);
    e->issuer = xstrdup(r.res.issuer);
    /* The service account stacks trust this issuer: plan them again with
     * it instead of the placeholder. Step indices stay the same. */
    plan_cleanup(&e->plan);
    plan_build_create(&e->plan, e->rq->config,
                      e->issuer + strlen("https://"));
    return 0;
}

static int mark_cluster(struct engine *e, size_t step)
{
    struct oidc_reply r;
    if (run_oidc(e, oidc_mark_cluster, &r) < 0)
        return step_failed(e, step, "tag the cluster " OIDC_ENABLED_TAG);
    apply_log(e, MARK_DONE, "tagged cluster \"%s\" %s=true",
              e->rq->config->name, OIDC_ENABLED_TAG);
    return 0;
}

/* Deletes the provider only when it is tagged as the cluster's. */
static int delete_provider(struct engine *e, size_t step)
{
    struct oidc_reply r;
    if (run_oidc(e, oidc_delete_owned, &r) < 0) {
        if (e->call_done && strcmp(e->error.code,
                                   "ResourceNotFoundException") == 0) {
            apply_log(e, MARK_WARN, "cluster \"%s\" is gone, so its OIDC "
                      "issuer and provider cannot be found; delete the "
                      "provider with aws iam delete-open-id-connect-provider "
                      "if it remains", e->rq->config->name);
            return 0;
        }
        return step_failed(e, step, "delete the IAM OIDC provider");
    }
    if (r.res.outcome == OIDC_DELETED)
        apply_log(e, MARK_DONE, "deleted IAM OIDC provider %s",
                  r.res.provider_arn);
    else if (r.res.outcome == OIDC_KEPT)
        apply_log(e, MARK_WARN, "kept IAM OIDC provider %s: %s",
                  r.res.provider_arn, r.res.why);
    else
        apply_log(e, MARK_INFO, "no IAM OIDC provider for %s; nothing to "
                  "delete", r.res.issuer);
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

/* Creates namespace ns; one that exists already is fine. */
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

/* Opens the cluster's Kubernetes API. Without e->out, what
 * cli_open_cluster() reports goes to the event log. */
int apply_open_cluster(struct engine *e)
{
    if (e->kube_open)
        return 0;
    char *text = NULL;
    size_t len = 0;
    FILE *err = e->out ? e->out : open_memstream(&text, &len);
    if (!err)
        return -1;
    int rc = cli_open_cluster(&e->m, err);
    if (err != e->out) {
        fclose(err);
        for (char *line = text; line && *line;) {
            size_t n = strcspn(line, "\n");
            apply_log(e, MARK_FAIL, "%.*s", (int)n, line);
            line += n + (line[n] == '\n');
        }
        free(text);
    }
    if (rc != 0)
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
        progress_step_set(e->progress, step, PROGRESS_FAILED,
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
    progress_step_set(e->progress, step, PROGRESS_RUNNING, NULL);
    int rc = 0;
    if (strcmp(name, "iam:CreateOpenIDConnectProvider") == 0) {
        rc = ensure_provider(e, step);
    } else if (strcmp(name, "kubernetes:ServiceAccount") == 0) {
        rc = ensure_service_account(e, step, (*accounts)++);
    } else if (strcmp(name, "eks:TagResource") == 0) {
        rc = mark_cluster(e, step);
    } else if (strcmp(name, "iam:DeleteOpenIDConnectProvider") == 0) {
        rc = delete_provider(e, step);
    } else {
        apply_log(e, MARK_WARN, "%s is not carried out yet; skipping it",
                  name);
    }
    if (rc == 0)
        progress_step_set(e->progress, step, PROGRESS_DONE, NULL);
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
    for (size_t i = 0; i < e->progress->count; i++) {
        const struct progress_step *s = &e->progress->steps[i];
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
        if (run_step(e, i, &accounts) == 0 && !apply_stopping(e))
            continue;
        if (apply_stopping(e))
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
    if (e->progress == &e->own_progress)
        progress_cleanup(&e->own_progress);
    model_cleanup(&e->m);
}

void apply_title(const struct ccfg *c, int deleting, char *buf, size_t len)
{
    snprintf(buf, len, "%s cluster %s in %s", deleting ? "delete" : "apply",
             c->name, c->region);
}

int apply_engine_init(struct engine *e, const struct apply_request *rq,
                      FILE *out, const char *title, char *why, size_t len)
{
    const struct ccfg *c = rq->config;
    memset(e, 0, sizeof(*e));
    e->rq = rq;
    e->out = out;
    e->utf8 = utf8_locale();
    e->cancel = rq->cancel ? rq->cancel : &sigint_seen;
    struct model_options mo = rq->model;
    mo.region = c->region;
    mo.cluster = c->name;
    mo.region_only = 1;
    if (model_init(&e->m, &mo, why, len) < 0)
        return -1;
    /* The steps go to the caller's progress, or to the run's own. */
    if (rq->progress) {
        e->progress = rq->progress;
    } else {
        progress_init(&e->own_progress, title, NULL, NULL);
        e->progress = &e->own_progress;
    }
    return 0;
}

void apply_catch_sigint(struct sigaction *old)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_sigint;
    sigaction(SIGINT, &sa, old);
    atomic_store(&sigint_seen, 0);
}

int apply_run(const struct apply_request *rq, FILE *out)
{
    const struct ccfg *c = rq->config;
    struct engine e;
    char why[1024], title[300];
    apply_title(c, rq->deleting, title, sizeof(title));
    if (apply_engine_init(&e, rq, out, title, why, sizeof(why)) < 0) {
        /* A run on the UI's behalf must not write on its terminal. */
        if (rq->progress)
            progress_set_note(rq->progress, why);
        else
            fprintf(stderr, "albatross %s: %s\n", rq->deleting ? "delete"
                    : "apply", why);
        return EXIT_SETUP;
    }
    if (rq->deleting)
        plan_build_delete(&e.plan, c);
    else
        plan_build_create(&e.plan, c, NULL);
    for (size_t i = 0; i < e.plan.count; i++)
        progress_step_add(e.progress, e.plan.steps[i].name,
                          e.plan.steps[i].description);
    /* A run with its own cancel flag (the UI's worker) leaves SIGINT to
     * the thread that owns the terminal. */
    struct sigaction old;
    if (!rq->cancel)
        apply_catch_sigint(&old);
    apply_log(&e, MARK_INFO, "%s %zu steps for cluster \"%s\" in \"%s\" "
              "(from %s)", rq->deleting ? "deleting:" : "applying:",
              e.plan.count, c->name, c->region, rq->file);
    int rc = walk(&e);
    if (!rq->cancel)
        sigaction(SIGINT, &old, NULL);
    apply_engine_cleanup(&e);
    return rc;
}
