/*
 * The service account actions: set or remove the IRSA annotations,
 * create, delete, and restart the workloads whose pods run as the
 * account. Previews read the account (and for a restart the
 * namespace's workloads), so the diff shows its real annotations and
 * the calls name each workload.
 */
#include "action_internal.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../api/kube_workloads.h"
#include "../api/kube_write.h"
#include "cli_sa.h"
#include "util.h"


/* The kind's state: the requests to send, in the order of the calls,
 * and the account as it was read. */
struct sa_state {
    struct kube_write_request *requests;
    size_t request_count;
    struct kube_sa_list *read;
    char **labels;          /* restart: "deployment.apps/web" per request */
};

static void free_state(void *data)
{
    struct sa_state *st = data;
    for (size_t i = 0; i < st->request_count; i++)
        kube_write_request_cleanup(&st->requests[i]);
    free(st->requests);
    for (size_t i = 0; st->labels && i < st->request_count; i++)
        free(st->labels[i]);
    free(st->labels);
    kube_sa_list_free(st->read);
    free(st);
}

static struct sa_state *state(struct action_run *r)
{
    struct action_priv *p = action_priv(r);
    if (!p->data) {
        p->data = xrealloc(NULL, sizeof(struct sa_state));
        memset(p->data, 0, sizeof(struct sa_state));
        p->data_free = free_state;
    }
    return p->data;
}

/* ---- checks -------------------------------------------------------------- */

static int check_token_expiration(const char *text, struct api_error *err)
{
    if (action_valid_token_expiration(text))
        return 0;
    api_error_set(err, "InvalidParameter", "invalid token expiration \"%s\": "
                  "use %d to %d seconds", text, ACTION_TOKEN_EXPIRATION_MIN,
                  ACTION_TOKEN_EXPIRATION_MAX);
    return -1;
}

static int check_annotate(const struct action *a, struct api_error *err)
{
    if (action_check_service_account(a, err) < 0 ||
        action_check_role_arn(a->role_arn, err) < 0)
        return -1;
    if (a->sts_regional && strcmp(a->sts_regional, "true") != 0 &&
        strcmp(a->sts_regional, "false") != 0) {
        api_error_set(err, "InvalidParameter", "invalid sts-regional-"
                      "endpoints \"%s\": use true or false", a->sts_regional);
        return -1;
    }
    if (a->token_expiration &&
        check_token_expiration(a->token_expiration, err) < 0)
        return -1;
    return 0;
}

static int check_create(const struct action *a, struct api_error *err)
{
    if (action_check_service_account(a, err) < 0)
        return -1;
    return a->role_arn ? action_check_role_arn(a->role_arn, err) : 0;
}

/* ---- the account as text ------------------------------------------------- */

/* The annotations the action sets; for a removal each IRSA one, valued
 * NULL so the merge patch removes it. */
static size_t wanted_annotations(const struct action *a,
                                 struct kube_annotation out[3])
{
    size_t n = 0;
    int remove = a->kind == ACTION_UNANNOTATE_SA;
    const char *values[3] = { a->role_arn, a->sts_regional,
                              a->token_expiration };
    static const char *const keys[3] = {
        ROLE_ARN_ANNOTATION, STS_REGIONAL_ANNOTATION,
        TOKEN_EXPIRATION_ANNOTATION,
    };
    for (size_t i = 0; i < 3; i++)
        if (remove || values[i])
            out[n++] = (struct kube_annotation){ (char *)keys[i],
                                                 remove ? NULL
                                                        : (char *)values[i] };
    return n;
}

static int by_key(const void *x, const void *y)
{
    return strcmp(((const struct kube_annotation *)x)->key,
                  ((const struct kube_annotation *)y)->key);
}

/* The account as YAML a person reads, annotations sorted; "" when sa is
 * NULL (it does not exist). changes (n of them) are applied first: a
 * NULL value removes the key. */
static char *account_text(const struct action *a,
                          const struct kube_service_account *sa,
                          const struct kube_annotation *changes, size_t n)
{
    if (!sa)
        return xstrdup("");
    size_t have = sa->annotation_count;
    struct kube_annotation *all = xrealloc(NULL, (have + n + 1) *
                                                 sizeof(*all));
    size_t count = 0;
    for (size_t i = 0; i < have; i++)
        all[count++] = sa->annotations[i];
    for (size_t k = 0; k < n; k++) {
        size_t i = 0;
        while (i < count && strcmp(all[i].key, changes[k].key) != 0)
            i++;
        if (i == count)
            count++;
        all[i] = changes[k];
    }
    qsort(all, count, sizeof(*all), by_key);
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    if (!f)
        abort();
    fprintf(f, "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n"
            "  name: %s\n  namespace: %s\n", a->service_account,
            a->namespace);
    int header = 0;
    for (size_t i = 0; i < count; i++) {
        if (!all[i].value)
            continue;
        if (!header++)
            fputs("  annotations:\n", f);
        fprintf(f, "    %s: %s\n", all[i].key, all[i].value);
    }
    fclose(f);
    free(all);
    return text;
}

/* ---- preview ------------------------------------------------------------- */

static int build_request(struct action_run *r, struct kube_write_request *rq,
                         struct api_error *err)
{
    const struct action *a = &r->action;
    struct kube_annotation want[3];
    size_t n = wanted_annotations(a, want);
    switch (a->kind) {
    case ACTION_CREATE_SA:
        return kube_sa_create_request(a->namespace, a->service_account,
                                      want, n, rq, err);
    case ACTION_DELETE_SA:
        return kube_sa_delete_request(a->namespace, a->service_account, rq,
                                      err);
    default:
        return kube_sa_annotate_request(a->namespace, a->service_account,
                                        want, n, rq, err);
    }
}

static void add_request(struct action_run *r, struct kube_write_request *rq)
{
    struct sa_state *st = state(r);
    st->requests = xrealloc(st->requests, (st->request_count + 1) *
                                          sizeof(*st->requests));
    st->requests[st->request_count++] = *rq;
    char type[120];
    snprintf(type, sizeof(type), "Content-Type: %s",
             rq->content_type ? rq->content_type : "");
    action_add_call(r, "Kubernetes", rq->method, rq->path,
                    rq->content_type ? type : NULL, rq->body, NULL);
}

static void describe_change(struct action_run *r,
                            const struct kube_service_account *sa)
{
    const struct action *a = &r->action;
    struct kube_annotation want[3];
    size_t n = wanted_annotations(a, want);
    char what[600];
    snprintf(what, sizeof(what), "serviceaccount %s/%s", a->namespace,
             a->service_account);
    char *before = account_text(a, sa, NULL, 0);
    char *after;
    if (a->kind == ACTION_DELETE_SA) {
        after = xstrdup("");
    } else if (a->kind == ACTION_CREATE_SA) {
        struct kube_service_account empty = {0};
        after = account_text(a, &empty, want, n);
    } else {
        after = account_text(a, sa, want, n);
    }
    action_add_change(r, what, before, after);
    r->preview.nothing_to_do = strcmp(before, after) == 0;
    free(before);
    free(after);
}

/* The reason the account as read rules the action out, or NULL. */
static const char *conflict(const struct action *a, int exists)
{
    if (!exists && a->kind != ACTION_CREATE_SA)
        return "not found: check the namespace and name with albatross get "
               "serviceaccounts, or create it with albatross create "
               "serviceaccount";
    if (exists && a->kind == ACTION_CREATE_SA)
        return "exists already: use albatross annotate serviceaccount to "
               "change it";
    return NULL;
}

static void on_account(void *list, const struct api_error *err, void *ctx)
{
    struct action_run *r = ctx;
    struct kube_sa_list *l = list;
    if (!action_arrived(r)) {
        kube_sa_list_free(l);
        return;
    }
    state(r)->read = l;
    if (err) {
        action_previewed(r, err);
        return;
    }
    const struct action *a = &r->action;
    const struct kube_service_account *sa = l->count ? &l->items[0] : NULL;
    const char *why = conflict(a, sa != NULL);
    if (why) {
        struct api_error e = {0};
        api_error_set(&e, sa ? "AlreadyExists" : "NotFound",
                      "serviceaccount %s/%s %s", a->namespace,
                      a->service_account, why);
        action_previewed(r, &e);
        return;
    }
    describe_change(r, sa);
    action_previewed(r, NULL);
}

static int parse_accounts(const char *json, size_t len, void *list,
                          char **next, struct api_error *err)
{
    return kube_parse_sa_page(json, len, list, next, err);
}

/* Reads the account with a field selector on its name; done gets the
 * list (possibly empty). */
static void read_account(struct action_run *r, kube_list_fn done)
{
    struct api_error err = {0};
    struct kube_client *kc = action_kube(r, &err);
    if (!kc) {
        action_previewed(r, &err);
        return;
    }
    char selector[320];
    snprintf(selector, sizeof(selector), "metadata.name=%s",
             r->action.service_account);
    struct kube_sa_list *l = xrealloc(NULL, sizeof(*l));
    memset(l, 0, sizeof(*l));
    action_waiting(r);
    kube_list(kc, "/api/v1", r->action.namespace, "serviceaccounts",
              selector, parse_accounts, l, done, r);
}

static void preview_account(struct action_run *r)
{
    const struct action *a = &r->action;
    static const char *const verbs[] = {
        [ACTION_ANNOTATE_SA] = "annotate", [ACTION_UNANNOTATE_SA] =
        "remove the IRSA annotations of", [ACTION_CREATE_SA] = "create",
        [ACTION_DELETE_SA] = "delete",
    };
    struct kube_write_request rq;
    struct api_error err = {0};
    action_summary(r, "%s serviceaccount %s/%s%s%s", verbs[a->kind],
                   a->namespace, a->service_account,
                   a->role_arn ? " with role " : "",
                   a->role_arn ? a->role_arn : "");
    if (build_request(r, &rq, &err) < 0) {
        kube_write_request_cleanup(&rq);
        action_previewed(r, &err);
        return;
    }
    add_request(r, &rq);
    read_account(r, on_account);
}

/* Sends request call of the state, with done as its callback. */
static void send_with(struct action_run *r, size_t call, kube_write_fn done)
{
    struct api_error err = {0};
    struct kube_client *kc = action_kube(r, &err);
    if (!kc) {
        action_sent(r, &err);
        return;
    }
    action_waiting(r);
    kube_send(kc, &state(r)->requests[call], done, r);
}

static void send_request(struct action_run *r, size_t call)
{
    send_with(r, call, action_on_kube);
}

const struct action_ops action_annotate_sa_ops = {
    .check = check_annotate,
    .preview = preview_account, .send = send_request,
};

const struct action_ops action_unannotate_sa_ops = {
    .check = action_check_service_account,
    .preview = preview_account, .send = send_request,
};

const struct action_ops action_create_sa_ops = {
    .check = check_create,
    .preview = preview_account, .send = send_request,
};

const struct action_ops action_delete_sa_ops = {
    .check = action_check_service_account,
    .preview = preview_account, .send = send_request,
};

/* ---- restart ------------------------------------------------------------- */

static void add_restart(struct action_run *r, const struct kube_workload *w,
                        const char *patch)
{
    struct kube_write_request rq;
    memset(&rq, 0, sizeof(rq));
    const struct kube_object_ref ref = {
        "/apis/apps/v1", w->namespace, w->resource, w->name,
    };
    struct api_error err;
    if (kube_write_path(&ref, "PATCH", 0, NULL, rq.path, sizeof(rq.path),
                        &err) < 0)
        return;     /* a name the server sent that is not valid: skip */
    snprintf(rq.method, sizeof(rq.method), "PATCH");
    rq.content_type = "application/merge-patch+json";
    rq.body = xstrdup(patch);
    add_request(r, &rq);
    struct sa_state *st = state(r);
    char label[400], kind[40];
    snprintf(kind, sizeof(kind), "%s", w->kind);
    for (char *k = kind; *k; k++)
        *k = (char)tolower((unsigned char)*k);
    snprintf(label, sizeof(label), "%s.apps/%s", kind, w->name);
    st->labels = xrealloc(st->labels, st->request_count * sizeof(char *));
    st->labels[st->request_count - 1] = xstrdup(label);
}

/* Adds "KIND.apps/NAME restarted" to the result, as kubectl prints it. */
static void on_restarted(const char *body, size_t len,
                         const struct api_error *err, void *ctx)
{
    struct action_run *r = ctx;
    (void)body;
    (void)len;
    if (!action_arrived(r))
        return;
    if (!err) {
        const char *label = state(r)->labels[action_priv(r)->call];
        size_t n = (r->result ? strlen(r->result) : 0) + strlen(label) + 12;
        char *text = xrealloc(NULL, n);
        snprintf(text, n, "%s%s restarted\n", r->result ? r->result : "",
                 label);
        free(r->result);
        r->result = text;
    }
    action_sent(r, err);
}

static void send_restart(struct action_run *r, size_t call)
{
    send_with(r, call, on_restarted);
}

static void on_workloads(struct kube_workload_list *list,
                         const struct api_error *err, void *ctx)
{
    struct action_run *r = ctx;
    if (!action_arrived(r)) {
        kube_workload_list_free(list);
        return;
    }
    if (err) {
        action_previewed(r, err);
        return;
    }
    char now[32], *patch;
    time_t t = time(NULL);
    struct tm tm;
    strftime(now, sizeof(now), "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&t, &tm));
    patch = kube_restart_patch(now);
    if (!patch)
        abort();
    for (size_t i = 0; i < list->count; i++)
        if (!strcmp(list->items[i].service_account,
                    r->action.service_account))
            add_restart(r, &list->items[i], patch);
    free(patch);
    kube_workload_list_free(list);
    r->preview.nothing_to_do = r->preview.call_count == 0;
    if (r->preview.nothing_to_do)
        action_note(r, "no Deployment, StatefulSet or DaemonSet in namespace "
                    "%s runs pods as serviceaccount %s", r->action.namespace,
                    r->action.service_account);
    action_previewed(r, NULL);
}

static void preview_restart(struct action_run *r)
{
    const struct action *a = &r->action;
    struct api_error err = {0};
    action_summary(r, "restart the workloads of serviceaccount %s/%s",
                   a->namespace, a->service_account);
    action_note(r, "each pod template gets the annotation "
                "kubectl.kubernetes.io/restartedAt, as kubectl rollout "
                "restart sets it, so new pods get the account's current role");
    struct kube_client *kc = action_kube(r, &err);
    if (!kc) {
        action_previewed(r, &err);
        return;
    }
    action_waiting(r);
    kube_list_workloads(kc, a->namespace, on_workloads, r);
}

const struct action_ops action_restart_workloads_ops = {
    .check = action_check_service_account,
    .preview = preview_restart, .send = send_restart,
};
