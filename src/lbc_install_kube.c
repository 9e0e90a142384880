/*
 * The controller's Kubernetes side: server-side apply of the rendered
 * objects (field manager albatross, force) and the deletion of them. The
 * waits after an apply test what kubectl tests: the CRD condition
 * Established, the Deployment's rollout status, and ready endpoints of
 * the webhook Service. While the rollout runs, each pod's status is
 * printed, with what to do when one does not start.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../api/strutil.h"
#include "lbc_install_internal.h"
#include "util.h"

/* ---- object paths --------------------------------------------------------- */

static const struct {
    const char *kind;
    const char *resource;
    int namespaced;
} kinds[] = {
    {"CustomResourceDefinition", "customresourcedefinitions", 0},
    {"ServiceAccount", "serviceaccounts", 1},
    {"Role", "roles", 1},
    {"RoleBinding", "rolebindings", 1},
    {"ClusterRole", "clusterroles", 0},
    {"ClusterRoleBinding", "clusterrolebindings", 0},
    {"Secret", "secrets", 1},
    {"Service", "services", 1},
    {"Deployment", "deployments", 1},
    {"IngressClassParams", "ingressclassparams", 0},
    {"IngressClass", "ingressclasses", 0},
    {"MutatingWebhookConfiguration", "mutatingwebhookconfigurations", 0},
    {"ValidatingWebhookConfiguration", "validatingwebhookconfigurations", 0},
};

static const char *string_at(const cJSON *obj, const char *a, const char *b)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, a);
    if (b)
        v = cJSON_GetObjectItemCaseSensitive(v, b);
    return cJSON_GetStringValue(v);
}

/* "/api/v1" for the core group, "/apis/GROUP/VERSION" for the others;
 * prefix must hold 128 bytes. */
static void api_prefix(const char *api_version, char *prefix)
{
    if (strchr(api_version, '/'))
        snprintf(prefix, 128, "/apis/%s", api_version);
    else
        snprintf(prefix, 128, "/api/%s", api_version);
}

/* The prefixes live as long as the process: there are few kinds. */
int lbc_object_ref(const cJSON *obj, struct kube_object_ref *ref)
{
    static char prefixes[sizeof(kinds) / sizeof(kinds[0])][128];
    const char *kind = string_at(obj, "kind", NULL);
    const char *version = string_at(obj, "apiVersion", NULL);
    for (size_t i = 0; kind && version && i < sizeof(kinds) / sizeof(kinds[0]);
         i++) {
        if (strcmp(kinds[i].kind, kind) != 0)
            continue;
        api_prefix(version, prefixes[i]);
        ref->prefix = prefixes[i];
        ref->resource = kinds[i].resource;
        ref->name = string_at(obj, "metadata", "name");
        ref->namespace = kinds[i].namespaced
                         ? string_at(obj, "metadata", "namespace") : NULL;
        return 0;
    }
    return -1;
}

static const char *object_name(const cJSON *obj, char *out, size_t len)
{
    const char *ns = string_at(obj, "metadata", "namespace");
    snprintf(out, len, "%s \"%s%s%s\"", string_at(obj, "kind", NULL),
             ns ? ns : "", ns ? "/" : "", string_at(obj, "metadata", "name"));
    return out;
}

/* ---- calls ------------------------------------------------------------------ */

struct kube_reply {
    struct engine *e;
    cJSON *json;
};

static void on_reply(const char *body, size_t len, const struct api_error *err,
                     void *ctx)
{
    struct kube_reply *r = ctx;
    r->e->call_done = 1;
    r->e->call_failed = err != NULL;
    if (err)
        r->e->error = *err;
    else
        r->json = cJSON_ParseWithLength(body, len);
}

static struct kube_client *kube(struct lbc_run *r)
{
    return r->e.m.clusters[r->e.m.current].kube;
}

static void log_error(struct lbc_run *r, const char *what, const char *name)
{
    if (r->e.call_done)
        apply_log(&r->e, MARK_FAIL, "%s %s: %s: %s", what, name,
                  r->e.error.code, r->e.error.message);
}

int lbc_kube_apply(struct lbc_run *r, const cJSON *obj)
{
    struct kube_object_ref ref;
    struct kube_reply reply = { .e = &r->e };
    char name[400];
    object_name(obj, name, sizeof(name));
    if (lbc_object_ref(obj, &ref) < 0) {
        apply_log(&r->e, MARK_FAIL, "cannot apply %s: unknown kind", name);
        return -1;
    }
    char *body = cJSON_PrintUnformatted(obj);
    if (!body)
        return -1;
    r->e.call_done = 0;
    kube_apply(kube(r), &ref, body, 1, 0, on_reply, &reply);
    str_wipe_free(body);   /* the Secret's key */
    int rc = apply_wait_call(&r->e);
    cJSON_Delete(reply.json);
    if (rc < 0) {
        log_error(r, "apply", name);
        return -1;
    }
    apply_log(&r->e, MARK_DONE, "applied %s", name);
    progress_resource_set(r->e.progress, r->step, name,
                          string_at(obj, "kind", NULL), "APPLIED", NULL);
    return 0;
}

cJSON *lbc_kube_get(struct lbc_run *r, const struct kube_object_ref *ref,
                    const char *query, int *missing)
{
    struct kube_reply reply = { .e = &r->e };
    *missing = 0;
    r->e.call_done = 0;
    kube_get(kube(r), ref, query, on_reply, &reply);
    if (apply_wait_call(&r->e) == 0 && reply.json)
        return reply.json;
    cJSON_Delete(reply.json);
    if (r->e.call_done && strcmp(r->e.error.code, "NotFound") == 0) {
        *missing = 1;
        return NULL;
    }
    log_error(r, "read", ref->name ? ref->name : ref->resource);
    return NULL;
}

int lbc_kube_delete(struct lbc_run *r, const struct kube_object_ref *ref)
{
    struct kube_reply reply = { .e = &r->e };
    r->e.call_done = 0;
    kube_delete(kube(r), ref, 0, on_reply, &reply);
    int rc = apply_wait_call(&r->e);
    cJSON_Delete(reply.json);
    if (rc < 0 && r->e.call_done && strcmp(r->e.error.code, "NotFound") == 0)
        return 0;
    if (rc < 0)
        log_error(r, "delete", ref->name);
    return rc;
}

/* ---- waiting ---------------------------------------------------------------- */

static long now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long)ts.tv_sec;
}

int lbc_wait_until(struct lbc_run *r, const char *what, lbc_check_fn check,
                   void *ctx)
{
    long deadline = now_s() + r->rq->timeout_s;
    apply_log(&r->e, MARK_INFO, "waiting for %s", what);
    for (;;) {
        int rc = check(r, ctx);
        if (rc != 0)
            return rc > 0 ? 0 : -1;
        if (now_s() >= deadline) {
            apply_log(&r->e, MARK_FAIL, "timed out after %ld s waiting for "
                      "%s", r->rq->timeout_s, what);
            return -1;
        }
        if (apply_pause(&r->e, r->rq->poll_ms) < 0)
            return -1;
    }
}

/* Whether obj's status.conditions has type with status "True". */
static int condition_true(const cJSON *obj, const char *type)
{
    const cJSON *status = cJSON_GetObjectItemCaseSensitive(obj, "status");
    const cJSON *c;
    cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(status,
                                                           "conditions")) {
        const char *t = string_at(c, "type", NULL);
        const char *s = string_at(c, "status", NULL);
        if (t && s && strcmp(t, type) == 0)
            return strcmp(s, "True") == 0;
    }
    return 0;
}

static int crd_established(struct lbc_run *r, void *ctx)
{
    const cJSON *crd = ctx;
    struct kube_object_ref ref;
    int missing;
    lbc_object_ref(crd, &ref);
    cJSON *got = lbc_kube_get(r, &ref, NULL, &missing);
    if (!got)
        return missing ? 0 : -1;
    int done = condition_true(got, "Established");
    cJSON_Delete(got);
    return done;
}

static int is_kind(const cJSON *obj, const char *kind)
{
    const char *k = string_at(obj, "kind", NULL);
    return k && strcmp(k, kind) == 0;
}

int lbc_apply_crds(struct lbc_run *r)
{
    const cJSON *obj;
    char what[400];
    cJSON_ArrayForEach(obj, r->objects)
        if (is_kind(obj, "CustomResourceDefinition") &&
            lbc_kube_apply(r, obj) < 0)
            return -1;
    cJSON_ArrayForEach(obj, r->objects) {
        if (!is_kind(obj, "CustomResourceDefinition"))
            continue;
        snprintf(what, sizeof(what), "CustomResourceDefinition \"%s\" to be "
                 "established", string_at(obj, "metadata", "name"));
        if (lbc_wait_until(r, what, crd_established, (void *)obj) < 0)
            return -1;
    }
    return 0;
}

int lbc_apply_objects(struct lbc_run *r)
{
    const cJSON *obj;
    cJSON_ArrayForEach(obj, r->objects)
        if (!is_kind(obj, "CustomResourceDefinition") &&
            lbc_kube_apply(r, obj) < 0)
            return -1;
    return 0;
}

/* ---- the webhook certificate --------------------------------------------- */

/* Replaces the string at obj[key] with a copy of value. */
static void replace_string(cJSON *obj, const char *key, const char *value)
{
    cJSON *copy = cJSON_CreateString(value);
    if (copy && !cJSON_ReplaceItemInObjectCaseSensitive(obj, key, copy))
        cJSON_Delete(copy);
}

/* Points every webhook of config at the CA ca (base64 PEM). */
static void set_ca_bundles(cJSON *config, const char *ca)
{
    cJSON *hook;
    cJSON_ArrayForEach(hook, cJSON_GetObjectItemCaseSensitive(config,
                                                              "webhooks"))
        replace_string(cJSON_GetObjectItemCaseSensitive(hook, "clientConfig"),
                       "caBundle", ca);
}

int lbc_reuse_webhook_certificate(struct lbc_run *r)
{
    struct kube_object_ref ref = { "/api/v1", r->lbc.namespace, "secrets",
                                   LBC_TLS_SECRET };
    static const char *const keys[] = {"ca.crt", "tls.crt", "tls.key"};
    int missing;
    cJSON *live = lbc_kube_get(r, &ref, NULL, &missing);
    if (!live)
        return missing ? 0 : -1;
    const cJSON *data = cJSON_GetObjectItemCaseSensitive(live, "data");
    int complete = 1;
    for (size_t i = 0; i < 3; i++)
        complete &= cJSON_IsString(cJSON_GetObjectItemCaseSensitive(
            data, keys[i]));
    cJSON *obj;
    cJSON_ArrayForEach(obj, r->objects) {
        if (!complete)
            break;
        if (is_kind(obj, "Secret")) {
            cJSON *mine = cJSON_GetObjectItemCaseSensitive(obj, "data");
            for (size_t i = 0; i < 3; i++)
                replace_string(mine, keys[i], cJSON_GetStringValue(
                    cJSON_GetObjectItemCaseSensitive(data, keys[i])));
        } else if (is_kind(obj, "MutatingWebhookConfiguration") ||
                   is_kind(obj, "ValidatingWebhookConfiguration")) {
            set_ca_bundles(obj, cJSON_GetStringValue(
                cJSON_GetObjectItemCaseSensitive(data, "ca.crt")));
        }
    }
    lbc_secret_wipe(live);
    cJSON_Delete(live);
    if (complete)
        apply_log(&r->e, MARK_INFO, "keeping the webhook certificate of "
                  "Secret \"%s/%s\", which the running pods serve",
                  r->lbc.namespace, LBC_TLS_SECRET);
    return 0;
}

/* ---- the rollout ------------------------------------------------------------ */

static double number_at(const cJSON *obj, const char *a, const char *b)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(obj, a), b);
    return cJSON_IsNumber(v) ? v->valuedouble : 0;
}

struct rollout {
    char last[2048];    /* the pods' status lines printed last */
    /* Advice printed already, once each: every pod of a rollout
     * fails the same way. lbc_pod_advice returns static strings. */
    const char *advised[8];
    size_t advised_count;
};

static int advised_before(struct rollout *ro, const char *advice)
{
    for (size_t i = 0; i < ro->advised_count; i++)
        if (ro->advised[i] == advice)
            return 1;
    if (ro->advised_count < sizeof(ro->advised) / sizeof(ro->advised[0]))
        ro->advised[ro->advised_count++] = advice;
    return 0;
}

/* The reason a pod is not ready: the first waiting container's reason
 * and message, or else the first condition that is False. */
static void container_problem(const cJSON *pod, char *reason, size_t rlen,
                              char *message, size_t mlen)
{
    const cJSON *st;
    const cJSON *status = cJSON_GetObjectItemCaseSensitive(pod, "status");
    reason[0] = message[0] = '\0';
    cJSON_ArrayForEach(st, cJSON_GetObjectItemCaseSensitive(
                               status, "containerStatuses")) {
        const cJSON *state = cJSON_GetObjectItemCaseSensitive(st, "state");
        const cJSON *waiting = cJSON_GetObjectItemCaseSensitive(state,
                                                                "waiting");
        if (waiting) {
            snprintf(reason, rlen, "%s", string_at(waiting, "reason", NULL)
                     ? string_at(waiting, "reason", NULL) : "Waiting");
            snprintf(message, mlen, "%s", string_at(waiting, "message", NULL)
                     ? string_at(waiting, "message", NULL) : "");
            return;
        }
    }
    const cJSON *c;
    cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(status,
                                                           "conditions")) {
        const char *s = string_at(c, "status", NULL);
        if (s && strcmp(s, "False") == 0 && string_at(c, "reason", NULL)) {
            snprintf(reason, rlen, "%s", string_at(c, "reason", NULL));
            snprintf(message, mlen, "%s", string_at(c, "message", NULL)
                     ? string_at(c, "message", NULL) : "");
            return;
        }
    }
}

const char *lbc_pod_advice(const char *reason, const char *message)
{
    if (!strcmp(reason, "ErrImagePull") || !strcmp(reason, "ImagePullBackOff")
        || !strcmp(reason, "InvalidImageName"))
        return "the node cannot pull the controller's image: check --version "
               "and --image (the image must exist in that registry) and that "
               "the nodes can reach the registry";
    if (!strcmp(reason, "CrashLoopBackOff") || !strcmp(reason, "Error"))
        return "the controller exits after it starts: read kubectl logs -n "
               "NAMESPACE POD --previous; usual causes are a wrong "
               "--cluster-name or region, or an IAM role its pods cannot "
               "assume";
    if (strstr(message, LBC_TLS_SECRET) ||
        !strcmp(reason, "CreateContainerConfigError"))
        return "the webhook certificate Secret " LBC_TLS_SECRET " is missing "
               "or invalid: run albatross install controller again, which "
               "makes a new one";
    if (!strcmp(reason, "Unschedulable"))
        return "no node can run the pod: add nodes, or lower --replicas";
    return NULL;
}

static int pod_ready(const cJSON *pod)
{
    return condition_true(pod, "Ready");
}

/* Appends pod's status line to lines and prints it when it is new. */
static void report_pod(struct lbc_run *r, const cJSON *pod,
                       struct rollout *ro, char *lines, size_t len)
{
    char reason[128], message[512], line[800];
    const char *name = string_at(pod, "metadata", "name");
    const char *phase = string_at(pod, "status", "phase");
    int ready = pod_ready(pod);
    container_problem(pod, reason, sizeof(reason), message, sizeof(message));
    snprintf(line, sizeof(line), "pod \"%s\": %s%s%s%s%s", name ? name : "?",
             phase ? phase : "Pending", ready ? ", ready" : "",
             !ready && reason[0] ? " (" : "", !ready ? reason : "",
             !ready && reason[0] ? ")" : "");
    size_t used = strlen(lines);
    snprintf(lines + used, len - used, "%s\n", line);
    if (strstr(ro->last, line))
        return;
    const char *todo = ready ? NULL : lbc_pod_advice(reason, message);
    /* The status column: Ready, else the container's reason, else the
     * phase. */
    const char *status = phase ? phase : "Pending";
    if (ready)
        status = "Ready";
    else if (reason[0])
        status = reason;
    progress_resource_set(r->e.progress, r->step, name ? name : "?", "Pod",
                          status, message[0] && !ready ? message : NULL);
    apply_log(&r->e, todo ? MARK_WARN : MARK_INFO, "%s%s%s", line,
              message[0] && !ready ? ": " : "", !ready ? message : "");
    if (todo && !advised_before(ro, todo))
        apply_log(&r->e, MARK_INFO, "to fix it: %s", todo);
}

static void report_pods(struct lbc_run *r, struct rollout *ro)
{
    struct kube_object_ref ref = { "/api/v1", r->lbc.namespace, "pods",
                                   NULL };
    int missing;
    cJSON *list = lbc_kube_get(r, &ref, "labelSelector=app.kubernetes.io%2F"
                               "name%3D" LBC_NAME, &missing);
    char lines[sizeof(ro->last)] = "";
    const cJSON *pod;
    cJSON_ArrayForEach(pod, cJSON_GetObjectItemCaseSensitive(list, "items"))
        report_pod(r, pod, ro, lines, sizeof(lines));
    snprintf(ro->last, sizeof(ro->last), "%s", lines);
    cJSON_Delete(list);
}

int lbc_rolled_out(const cJSON *d, char *why, size_t len)
{
    const cJSON *progressing = NULL, *c;
    double generation = number_at(d, "metadata", "generation");
    double observed = number_at(d, "status", "observedGeneration");
    double want = number_at(d, "spec", "replicas");
    double updated = number_at(d, "status", "updatedReplicas");
    double replicas = number_at(d, "status", "replicas");
    double available = number_at(d, "status", "availableReplicas");
    cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(
                              cJSON_GetObjectItemCaseSensitive(d, "status"),
                              "conditions"))
        if (string_at(c, "type", NULL) &&
            !strcmp(string_at(c, "type", NULL), "Progressing"))
            progressing = c;
    const char *reason = string_at(progressing, "reason", NULL);
    if (reason && strcmp(reason, "ProgressDeadlineExceeded") == 0) {
        snprintf(why, len, "the Deployment exceeded its progress deadline");
        return -1;
    }
    snprintf(why, len, "%.0f of %.0f updated replicas are available",
             available, want);
    return observed >= generation && generation > 0 && updated == want &&
           replicas == updated && available == want;
}

static int check_rollout(struct lbc_run *r, void *ctx)
{
    struct rollout *ro = ctx;
    struct kube_object_ref ref = { "/apis/apps/v1", r->lbc.namespace,
                                   "deployments", LBC_NAME };
    int missing;
    char why[200];
    cJSON *d = lbc_kube_get(r, &ref, NULL, &missing);
    if (!d) {
        if (missing)
            apply_log(&r->e, MARK_FAIL, "Deployment \"%s/%s\" is gone",
                      r->lbc.namespace, LBC_NAME);
        return -1;
    }
    int rc = lbc_rolled_out(d, why, sizeof(why));
    cJSON_Delete(d);
    report_pods(r, ro);
    if (rc < 0)
        apply_log(&r->e, MARK_FAIL, "%s", why);
    return rc;
}

int lbc_wait_rollout(struct lbc_run *r)
{
    struct rollout ro = { .last = "" };
    char what[300];
    snprintf(what, sizeof(what), "the rollout of Deployment \"%s/%s\"",
             r->lbc.namespace, LBC_NAME);
    if (lbc_wait_until(r, what, check_rollout, &ro) < 0)
        return -1;
    apply_log(&r->e, MARK_DONE, "Deployment \"%s/%s\" is rolled out: %d "
              "available", r->lbc.namespace, LBC_NAME, r->lbc.replicas);
    return 0;
}

/* ---- the webhook ------------------------------------------------------------ */

static int endpoints_ready(struct lbc_run *r, void *ctx)
{
    struct kube_object_ref ref = { "/api/v1", r->lbc.namespace, "endpoints",
                                   LBC_WEBHOOK_SERVICE };
    int missing;
    (void)ctx;
    cJSON *ep = lbc_kube_get(r, &ref, NULL, &missing);
    if (!ep)
        return missing ? 0 : -1;
    const cJSON *subset;
    int ready = 0;
    cJSON_ArrayForEach(subset, cJSON_GetObjectItemCaseSensitive(ep, "subsets"))
        ready += cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(
            subset, "addresses"));
    cJSON_Delete(ep);
    return ready > 0;
}

int lbc_wait_webhook(struct lbc_run *r)
{
    char what[300];
    snprintf(what, sizeof(what), "a ready endpoint of Service \"%s/%s\", "
             "which the API server calls for the webhooks", r->lbc.namespace,
             LBC_WEBHOOK_SERVICE);
    if (lbc_wait_until(r, what, endpoints_ready, NULL) < 0)
        return -1;
    apply_log(&r->e, MARK_DONE, "the webhook Service \"%s/%s\" has ready "
              "endpoints", r->lbc.namespace, LBC_WEBHOOK_SERVICE);
    return 0;
}

char *lbc_installed_version(struct lbc_run *r, int *missing)
{
    struct kube_object_ref ref = { "/apis/apps/v1", r->lbc.namespace,
                                   "deployments", LBC_NAME };
    cJSON *d = lbc_kube_get(r, &ref, NULL, missing);
    if (!d)
        return NULL;
    const cJSON *spec = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(d, "spec"), "template");
    const cJSON *c = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(spec, "spec"), "containers"), 0);
    const char *image = string_at(c, "image", NULL);
    const char *colon = image ? strrchr(image, ':') : NULL;
    char *tag = xstrdup(colon && !strchr(colon, '/') ? colon + 1 : "");
    cJSON_Delete(d);
    return tag;
}

/* ---- deletion --------------------------------------------------------------- */

static int managed_by_albatross(const cJSON *obj)
{
    const cJSON *labels = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(obj, "metadata"), "labels");
    const char *by = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(
        labels, "app.kubernetes.io/managed-by"));
    return by && strcmp(by, "albatross") == 0;
}

/* Whether any TargetGroupBinding is left: deleting its CRD would delete
 * them with it, and the controller that removes their finalizers is
 * gone. Returns 1, 0, or -1 when the list failed. */
static int target_group_bindings_left(struct lbc_run *r)
{
    struct kube_object_ref ref = { "/apis/elbv2.k8s.aws/v1beta1", NULL,
                                   "targetgroupbindings", NULL };
    int missing;
    cJSON *list = lbc_kube_get(r, &ref, NULL, &missing);
    if (!list)
        return missing ? 0 : -1;
    int n = cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(list,
                                                                "items"));
    cJSON_Delete(list);
    return n > 0;
}

/* Deletes obj when it is there and albatross applied it. */
static int delete_object(struct lbc_run *r, const cJSON *obj)
{
    struct kube_object_ref ref;
    char name[400];
    int missing;
    object_name(obj, name, sizeof(name));
    lbc_object_ref(obj, &ref);
    cJSON *got = lbc_kube_get(r, &ref, NULL, &missing);
    if (!got) {
        if (missing)
            apply_log(&r->e, MARK_DONE, "%s does not exist; nothing to "
                      "delete", name);
        return missing ? 0 : -1;
    }
    int ours = managed_by_albatross(got);
    cJSON_Delete(got);
    if (!ours) {
        apply_log(&r->e, MARK_WARN, "%s is left in place: it lacks the label "
                  "app.kubernetes.io/managed-by=albatross, so albatross did "
                  "not create it", name);
        return 0;
    }
    if (lbc_kube_delete(r, &ref) < 0)
        return -1;
    apply_log(&r->e, MARK_DONE, "deleted %s", name);
    progress_resource_set(r->e.progress, r->step, name,
                          string_at(obj, "kind", NULL), "DELETED", NULL);
    return 0;
}

int lbc_delete_objects(struct lbc_run *r)
{
    int n = cJSON_GetArraySize(r->objects);
    int bindings = target_group_bindings_left(r);
    if (bindings < 0)
        return -1;
    for (int i = n - 1; i >= 0; i--) {
        const cJSON *obj = cJSON_GetArrayItem(r->objects, i);
        if (is_kind(obj, "CustomResourceDefinition") && bindings) {
            apply_log(&r->e, MARK_WARN, "CustomResourceDefinition \"%s\" is "
                      "left in place: TargetGroupBindings still exist and "
                      "would be deleted with it; delete the Ingresses and "
                      "TargetGroupBindings first, then run albatross "
                      "uninstall controller again",
                      string_at(obj, "metadata", "name"));
            continue;
        }
        if (delete_object(r, obj) < 0)
            return -1;
    }
    return 0;
}
