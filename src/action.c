/*
 * The action runner: one table of kinds, the preview builders, the walk
 * through the preview's calls, and the checks several kinds share. The
 * kinds themselves live with their service: action_iam.c,
 * action_sa.c, action_stack.c, action_eks.c.
 */
#define _GNU_SOURCE  /* asprintf */
#include "action_internal.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "util.h"

static const struct action_ops *const kinds[ACTION_KIND_COUNT] = {
    [ACTION_ATTACH_POLICY] = &action_attach_policy_ops,
    [ACTION_DETACH_POLICY] = &action_detach_policy_ops,
    [ACTION_PUT_INLINE_POLICY] = &action_put_inline_policy_ops,
    [ACTION_DELETE_INLINE_POLICY] = &action_delete_inline_policy_ops,
    [ACTION_UPDATE_TRUST_POLICY] = &action_update_trust_policy_ops,
    [ACTION_CREATE_POLICY] = &action_create_policy_ops,
    [ACTION_DESCRIBE_POLICY] = &action_describe_policy_ops,
    [ACTION_DELETE_ROLE] = &action_delete_role_ops,
    [ACTION_CREATE_ROLE_STACK] = &action_create_role_stack_ops,
    [ACTION_DELETE_ROLE_STACK] = &action_delete_role_stack_ops,
    [ACTION_ANNOTATE_SA] = &action_annotate_sa_ops,
    [ACTION_UNANNOTATE_SA] = &action_unannotate_sa_ops,
    [ACTION_CREATE_SA] = &action_create_sa_ops,
    [ACTION_DELETE_SA] = &action_delete_sa_ops,
    [ACTION_RESTART_WORKLOADS] = &action_restart_workloads_ops,
    [ACTION_ASSOCIATE_OIDC] = &action_associate_oidc_ops,
    [ACTION_CREATE_POD_IDENTITY] = &action_create_pod_identity_ops,
    [ACTION_DELETE_POD_IDENTITY] = &action_delete_pod_identity_ops,
};

static const char *const kind_names[ACTION_KIND_COUNT] = {
    [ACTION_ATTACH_POLICY] = "attach policy",
    [ACTION_DETACH_POLICY] = "detach policy",
    [ACTION_PUT_INLINE_POLICY] = "put inline policy",
    [ACTION_DELETE_INLINE_POLICY] = "delete inline policy",
    [ACTION_UPDATE_TRUST_POLICY] = "update trust policy",
    [ACTION_CREATE_POLICY] = "create policy",
    [ACTION_DESCRIBE_POLICY] = "describe policy",
    [ACTION_DELETE_ROLE] = "delete role",
    [ACTION_CREATE_ROLE_STACK] = "create role for serviceaccount",
    [ACTION_DELETE_ROLE_STACK] = "delete role for serviceaccount",
    [ACTION_ANNOTATE_SA] = "annotate serviceaccount",
    [ACTION_UNANNOTATE_SA] = "remove serviceaccount annotation",
    [ACTION_CREATE_SA] = "create serviceaccount",
    [ACTION_DELETE_SA] = "delete serviceaccount",
    [ACTION_RESTART_WORKLOADS] = "restart serviceaccount workloads",
    [ACTION_ASSOCIATE_OIDC] = "associate oidc-provider",
    [ACTION_CREATE_POD_IDENTITY] = "create podidentityassociation",
    [ACTION_DELETE_POD_IDENTITY] = "delete podidentityassociation",
};

const char *action_kind_name(enum action_kind kind)
{
    return (unsigned)kind < ACTION_KIND_COUNT ? kind_names[kind] : "action";
}

static const struct action_ops *ops_of(const struct action_run *r)
{
    return kinds[r->action.kind];
}

/* ---- the run ------------------------------------------------------------- */

static char *copy(const char *s)
{
    return s ? xstrdup(s) : NULL;
}

static void copy_action(struct action *to, const struct action *from)
{
    *to = *from;
    to->cluster = copy(from->cluster);
    to->namespace = copy(from->namespace);
    to->service_account = copy(from->service_account);
    to->role = copy(from->role);
    to->role_arn = copy(from->role_arn);
    to->policy_arn = copy(from->policy_arn);
    to->policy_name = copy(from->policy_name);
    to->document = copy(from->document);
    to->description = copy(from->description);
    to->sts_regional = copy(from->sts_regional);
    to->token_expiration = copy(from->token_expiration);
    for (size_t i = 0; i < from->policy_arn_count; i++)
        to->policy_arns[i] = copy(from->policy_arns[i]);
}

static void free_action(struct action *a)
{
    free((char *)a->cluster);
    free((char *)a->namespace);
    free((char *)a->service_account);
    free((char *)a->role);
    free((char *)a->role_arn);
    free((char *)a->policy_arn);
    free((char *)a->policy_name);
    free((char *)a->document);
    free((char *)a->description);
    free((char *)a->sts_regional);
    free((char *)a->token_expiration);
    for (size_t i = 0; i < a->policy_arn_count; i++)
        free((char *)a->policy_arns[i]);
}

struct action_run *action_new(struct model *m, const struct action *a,
                              struct api_error *err)
{
    memset(err, 0, sizeof(*err));
    if ((unsigned)a->kind >= ACTION_KIND_COUNT || !kinds[a->kind]) {
        api_error_set(err, "InvalidParameter", "%s is not available yet",
                      action_kind_name(a->kind));
        return NULL;
    }
    if (a->policy_arn_count > ACTION_MAX_POLICIES) {
        api_error_set(err, "InvalidParameter", "%zu managed policies: IAM "
                      "attaches at most %d to a role", a->policy_arn_count,
                      ACTION_MAX_POLICIES);
        return NULL;
    }
    if (kinds[a->kind]->check(a, err) < 0)
        return NULL;
    struct action_run *r = xrealloc(NULL, sizeof(*r));
    memset(r, 0, sizeof(*r));
    r->priv = xrealloc(NULL, sizeof(struct action_priv));
    memset(r->priv, 0, sizeof(struct action_priv));
    r->model = m;
    copy_action(&r->action, a);
    return r;
}

static void preview_cleanup(struct action_preview *p)
{
    for (size_t i = 0; i < p->call_count; i++) {
        free(p->calls[i].service);
        free(p->calls[i].operation);
        free(p->calls[i].target);
        free(p->calls[i].parameters);
        free(p->calls[i].body_name);
        free(p->calls[i].body);
    }
    for (size_t i = 0; i < p->change_count; i++) {
        free(p->changes[i].what);
        free(p->changes[i].before);
        free(p->changes[i].after);
    }
    free(p->calls);
    free(p->changes);
    free(p->summary);
    free(p->note);
    memset(p, 0, sizeof(*p));
}

static void really_free(struct action_run *r)
{
    struct action_priv *p = action_priv(r);
    if (p->data_free)
        p->data_free(p->data);
    free(p);
    preview_cleanup(&r->preview);
    if (r->state >= ACTION_RUNNING)
        progress_cleanup(&r->progress);
    free_action(&r->action);
    free(r->result);
    free(r);
}

void action_free(struct action_run *r)
{
    if (!r)
        return;
    if (action_priv(r)->waiting)
        action_priv(r)->freed = 1;
    else
        really_free(r);
}

void action_waiting(struct action_run *r)
{
    action_priv(r)->waiting = 1;
}

int action_arrived(struct action_run *r)
{
    struct action_priv *p = action_priv(r);
    p->waiting = 0;
    if (!p->freed)
        return 1;
    really_free(r);
    return 0;
}

/* Calls the caller's callback once; it may free r. */
static void finish(struct action_run *r, const struct api_error *err)
{
    struct action_priv *p = action_priv(r);
    action_done_fn done = p->done;
    void *ctx = p->ctx;
    p->done = NULL;
    if (err)
        r->error = *err;
    if (done)
        done(r, err, ctx);
}

/* ---- preview ------------------------------------------------------------- */

int action_preview(struct action_run *r, action_done_fn done, void *ctx)
{
    struct action_priv *p = action_priv(r);
    if (r->state != ACTION_NEW) {
        struct api_error err;
        api_error_set(&err, "InvalidState", "the %s action was previewed "
                      "already", action_kind_name(r->action.kind));
        r->error = err;
        done(r, &err, ctx);
        return -1;
    }
    p->done = done;
    p->ctx = ctx;
    r->state = ACTION_PREVIEWING;
    ops_of(r)->preview(r);
    return r->state == ACTION_FAILED ? -1 : 0;
}

static void run_call(struct action_run *r);

void action_previewed(struct action_run *r, const struct api_error *err)
{
    struct action_priv *p = action_priv(r);
    r->state = err ? ACTION_FAILED : ACTION_PREVIEWED;
    if (!err && p->start_after_preview) {
        p->start_after_preview = 0;
        action_start(r, p->done, p->ctx);
        return;
    }
    finish(r, err);
}

/* ---- the calls ----------------------------------------------------------- */

static void start_progress(struct action_run *r)
{
    progress_init(&r->progress, r->preview.summary, NULL, NULL);
    for (size_t i = 0; i < r->preview.call_count; i++) {
        const struct action_call *c = &r->preview.calls[i];
        char name[600];
        snprintf(name, sizeof(name), "%s %s", c->service, c->operation);
        progress_step_add(&r->progress, name, c->target);
    }
}

int action_start(struct action_run *r, action_done_fn done, void *ctx)
{
    struct action_priv *p = action_priv(r);
    p->done = done;
    p->ctx = ctx;
    if (r->state == ACTION_NEW) {
        p->start_after_preview = 1;
        return action_preview(r, done, ctx);
    }
    if (r->state != ACTION_PREVIEWED) {
        struct api_error err;
        api_error_set(&err, "InvalidState", "the %s action %s",
                      action_kind_name(r->action.kind),
                      r->state == ACTION_FAILED ? "failed already"
                                                : "was started already");
        r->error = err;
        p->done = NULL;
        done(r, &err, ctx);
        return -1;
    }
    r->state = ACTION_RUNNING;
    start_progress(r);
    p->call = 0;
    run_call(r);
    return r->state == ACTION_FAILED ? -1 : 0;
}

static void run_call(struct action_run *r)
{
    struct action_priv *p = action_priv(r);
    if (p->call >= r->preview.call_count) {
        r->state = ACTION_DONE;
        finish(r, NULL);
        return;
    }
    progress_step_set(&r->progress, p->call, PROGRESS_RUNNING, NULL);
    ops_of(r)->send(r, p->call);
}

void action_sent(struct action_run *r, const struct api_error *err)
{
    struct action_priv *p = action_priv(r);
    if (err) {
        char reason[700];
        snprintf(reason, sizeof(reason), "%s: %s", err->code, err->message);
        progress_step_set(&r->progress, p->call, PROGRESS_FAILED, reason);
        r->state = ACTION_FAILED;
        finish(r, err);
        return;
    }
    progress_step_set(&r->progress, p->call, PROGRESS_DONE, NULL);
    p->call++;
    run_call(r);
}

void action_on_iam(const struct iam_write_result *res,
                   const struct api_error *err, void *ctx)
{
    struct action_run *r = ctx;
    if (!action_arrived(r))
        return;
    if (!err && res && res->arn)
        action_set_result(r, res->arn);
    action_sent(r, err);
}

void action_on_kube(const char *body, size_t len,
                    const struct api_error *err, void *ctx)
{
    struct action_run *r = ctx;
    (void)body;
    (void)len;
    if (!action_arrived(r))
        return;
    action_sent(r, err);
}

/* ---- preview builders ---------------------------------------------------- */

static char *vformat(const char *fmt, va_list ap)
{
    char *s = NULL;
    if (vasprintf(&s, fmt, ap) < 0)
        abort();
    return s;
}

void action_summary(struct action_run *r, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    free(r->preview.summary);
    r->preview.summary = vformat(fmt, ap);
    va_end(ap);
}

void action_note(struct action_run *r, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *line = vformat(fmt, ap);
    va_end(ap);
    char *old = r->preview.note;
    if (old) {
        if (asprintf(&r->preview.note, "%s\n%s", old, line) < 0)
            abort();
        free(old);
        free(line);
    } else {
        r->preview.note = line;
    }
}

/* "Name: value" lines of the pairs in ap, up to a NULL name. */
static char *parameter_lines(va_list ap)
{
    char *text = NULL;
    const char *name;
    while ((name = va_arg(ap, const char *)) != NULL) {
        const char *value = va_arg(ap, const char *);
        if (!value)
            continue;
        char *old = text;
        if (asprintf(&text, "%s%s%s: %s", old ? old : "", old ? "\n" : "",
                     name, value) < 0)
            abort();
        free(old);
    }
    return text;
}

void action_add_call(struct action_run *r, const char *service,
                     const char *operation, const char *target,
                     const char *body_name, const char *body, ...)
{
    struct action_preview *p = &r->preview;
    va_list ap;
    va_start(ap, body);
    char *parameters = parameter_lines(ap);
    va_end(ap);
    p->calls = xrealloc(p->calls, (p->call_count + 1) * sizeof(*p->calls));
    p->calls[p->call_count++] = (struct action_call){
        .service = xstrdup(service), .operation = xstrdup(operation),
        .target = xstrdup(target), .parameters = parameters,
        .body_name = copy(body_name), .body = copy(body),
    };
}

void action_add_change(struct action_run *r, const char *what,
                       const char *before, const char *after)
{
    struct action_preview *p = &r->preview;
    p->changes = xrealloc(p->changes,
                          (p->change_count + 1) * sizeof(*p->changes));
    p->changes[p->change_count++] = (struct action_change){
        xstrdup(what), xstrdup(before ? before : ""),
        xstrdup(after ? after : ""),
    };
}

void action_set_result(struct action_run *r, const char *text)
{
    free(r->result);
    r->result = copy(text);
}

char *action_pretty_json(const char *json)
{
    if (!json)
        return xstrdup("");
    cJSON *doc = cJSON_Parse(json);
    char *tabbed = doc ? cJSON_Print(doc) : NULL;
    cJSON_Delete(doc);
    if (!tabbed)
        return xstrdup(json);
    /* cJSON indents with one tab a level, two spaces read better; it
     * also puts a tab after each colon, which becomes one space. */
    size_t tabs = 0;
    for (const char *s = tabbed; *s; s++)
        tabs += *s == '\t';
    char *out = xrealloc(NULL, strlen(tabbed) + tabs + 2);
    char *o = out;
    int leading = 1;
    for (const char *s = tabbed; *s; s++) {
        if (*s == '\t' && leading) {
            *o++ = ' ';
            *o++ = ' ';
        } else {
            *o++ = *s == '\t' ? ' ' : *s;
            leading = *s == '\n';
        }
    }
    *o++ = '\n';
    *o = '\0';
    free(tabbed);
    return out;
}

/* The index of the action's cluster in the model, or MODEL_NONE. */
static size_t cluster_index(const struct action_run *r)
{
    const struct model *m = r->model;
    size_t i = r->action.cluster ? model_cluster_by_name(m, r->action.cluster)
                                 : m->current;
    return i < m->cluster_count ? i : MODEL_NONE;
}

const char *action_cluster_region(const struct action_run *r)
{
    size_t i = cluster_index(r);
    if (i != MODEL_NONE && r->model->clusters[i].region)
        return r->model->clusters[i].region;
    return r->model->aws.region;
}

struct kube_client *action_kube(struct action_run *r, struct api_error *err)
{
    struct model *m = r->model;
    size_t i = cluster_index(r);
    if (i == MODEL_NONE) {
        api_error_set(err, "NoCluster", "no cluster %s to act on: pass "
                      "--cluster NAME or select a cluster",
                      r->action.cluster ? r->action.cluster : "selected");
        return NULL;
    }
    if (!m->clusters[i].kube)
        api_error_set(err, "NoCluster", "cluster %s is not open yet",
                      m->clusters[i].name);
    return m->clusters[i].kube;
}

/* ---- checks -------------------------------------------------------------- */

int action_need(const char *value, const char *what, struct api_error *err)
{
    if (value && *value)
        return 0;
    api_error_set(err, "InvalidParameter", "missing %s", what);
    return -1;
}

int action_check_iam_name(const char *name, size_t max, const char *what,
                          struct api_error *err)
{
    size_t len = name ? strlen(name) : 0;
    int ok = len >= 1 && len <= max;
    for (size_t i = 0; ok && i < len; i++)
        ok = isalnum((unsigned char)name[i]) || strchr("+=,.@_-", name[i]);
    if (!ok)
        api_error_set(err, "InvalidParameter", "invalid %s name \"%s\": "
                      "use 1 to %zu letters, digits and +=,.@_-", what,
                      name ? name : "", max);
    return ok ? 0 : -1;
}

int action_check_role_name(const char *name, struct api_error *err)
{
    return action_check_iam_name(name, 64, "role", err);
}

int action_check_policy_arn(const char *arn, struct api_error *err)
{
    if (arn && strncmp(arn, "arn:", 4) == 0 && strstr(arn, ":iam::") &&
        strstr(arn, ":policy/"))
        return 0;
    api_error_set(err, "InvalidParameter", "invalid policy ARN \"%s\": use "
                  "arn:aws:iam::ACCOUNT:policy/NAME", arn ? arn : "");
    return -1;
}

int action_valid_role_arn(const char *arn)
{
    const char *p = arn;
    if (strncmp(p, "arn:", 4) != 0)
        return 0;
    p += 4;
    size_t partition = strspn(p, "abcdefghijklmnopqrstuvwxyz-");
    if (!partition || strncmp(p + partition, ":iam::", 6) != 0)
        return 0;
    p += partition + 6;
    if (strspn(p, "0123456789") != 12 || strncmp(p + 12, ":role/", 6) != 0)
        return 0;
    p += 18;
    size_t name = strspn(p, "abcdefghijklmnopqrstuvwxyz"
                            "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+=,.@_-/");
    return name > 0 && !p[name] && p[name - 1] != '/';
}

int action_check_role_arn(const char *arn, struct api_error *err)
{
    if (arn && action_valid_role_arn(arn))
        return 0;
    api_error_set(err, "InvalidParameter", "invalid role ARN \"%s\": use "
                  "arn:aws:iam::ACCOUNT_ID:role/NAME", arn ? arn : "");
    return -1;
}

int action_check_document(const char *json, const char *what,
                          struct api_error *err)
{
    cJSON *doc = json ? cJSON_Parse(json) : NULL;
    int ok = cJSON_IsObject(doc) && cJSON_HasObjectItem(doc, "Statement");
    cJSON_Delete(doc);
    if (!ok)
        api_error_set(err, "InvalidParameter", "%s is not an IAM policy "
                      "document: it needs the form {\"Version\": "
                      "\"2012-10-17\", \"Statement\": [...]}", what);
    return ok ? 0 : -1;
}

int action_valid_token_expiration(const char *text)
{
    size_t digits = strspn(text, "0123456789");
    if (digits == 0 || text[digits] || digits > 6)
        return 0;
    long seconds = strtol(text, NULL, 10);
    return seconds >= ACTION_TOKEN_EXPIRATION_MIN &&
           seconds <= ACTION_TOKEN_EXPIRATION_MAX;
}

int action_valid_k8s_name(const char *s, size_t max, int dots)
{
    size_t len = strlen(s);
    for (const char *p = s; *p; p++)
        if (!islower((unsigned char)*p) && !isdigit((unsigned char)*p) &&
            *p != '-' && !(dots && *p == '.'))
            return 0;
    return len >= 1 && len <= max && isalnum((unsigned char)s[0]) &&
           isalnum((unsigned char)s[len - 1]);
}

int action_check_service_account(const struct action *a,
                                 struct api_error *err)
{
    if (action_need(a->namespace, "namespace", err) < 0 ||
        action_need(a->service_account, "service account name", err) < 0)
        return -1;
    if (action_valid_k8s_name(a->namespace, 63, 0) &&
        action_valid_k8s_name(a->service_account, 253, 1))
        return 0;
    api_error_set(err, "InvalidParameter", "invalid service account %s/%s: "
                  "Kubernetes names use lower-case letters, digits and '-'",
                  a->namespace, a->service_account);
    return -1;
}
