/*
 * Deployments, StatefulSets and DaemonSets of a namespace with the
 * service account of their pod template, listed kind after kind on the
 * event loop.
 */
#define _GNU_SOURCE  /* asprintf */
#include "kube_workloads.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

static const struct {
    const char *kind;
    const char *resource;
} kinds[KUBE_WORKLOAD_KINDS] = {
    {"Deployment", "deployments"},
    {"StatefulSet", "statefulsets"},
    {"DaemonSet", "daemonsets"},
};

void kube_workload_list_free(struct kube_workload_list *l)
{
    if (!l)
        return;
    for (size_t i = 0; i < l->count; i++) {
        free(l->items[i].namespace);
        free(l->items[i].name);
        free(l->items[i].service_account);
    }
    free(l->items);
    free(l);
}

static const char *string_at(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static const cJSON *object_at(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsObject(v) ? v : NULL;
}

static int add_item(struct kube_workload_list *l, size_t kind,
                    const cJSON *item)
{
    const cJSON *meta = object_at(item, "metadata");
    const cJSON *pod = object_at(object_at(object_at(item, "spec"),
                                           "template"), "spec");
    const char *name = string_at(meta, "name");
    const char *sa = string_at(pod, "serviceAccountName");
    if (!sa || !*sa)
        sa = string_at(pod, "serviceAccount");
    if (!name)
        return 0;   /* not a workload we can patch */
    struct kube_workload *grown = realloc(l->items, (l->count + 1) *
                                                    sizeof(*grown));
    if (!grown)
        return -1;
    l->items = grown;
    struct kube_workload *w = &grown[l->count];
    w->kind = kinds[kind].kind;
    w->resource = kinds[kind].resource;
    w->name = strdup(name);
    w->namespace = strdup(string_at(meta, "namespace") ? string_at(meta,
                          "namespace") : "");
    w->service_account = strdup(sa && *sa ? sa : "default");
    l->count++;
    return w->name && w->namespace && w->service_account ? 0 : -1;
}

int kube_parse_workload_page(size_t kind, const char *json, size_t len,
                             struct kube_workload_list *l, char **next,
                             struct api_error *err)
{
    *next = NULL;
    cJSON *root = json ? cJSON_ParseWithLength(json, len) : NULL;
    const cJSON *items = cJSON_GetObjectItemCaseSensitive(root, "items");
    if (!cJSON_IsObject(root) || (items && !cJSON_IsArray(items))) {
        cJSON_Delete(root);
        api_error_set(err, "InvalidReply", "the %s list reply is not a JSON "
                      "object with an items array", kinds[kind].resource);
        return -1;
    }
    const cJSON *item;
    int rc = 0;
    cJSON_ArrayForEach(item, items)
        if (rc == 0)
            rc = add_item(l, kind, item);
    const char *token = string_at(object_at(root, "metadata"), "continue");
    if (rc == 0 && token && *token && !(*next = strdup(token)))
        rc = -1;
    cJSON_Delete(root);
    if (rc < 0)
        api_error_set(err, "OutOfMemory", "out of memory while reading the "
                      "%s", kinds[kind].resource);
    return rc;
}

/* ---- listing, kind after kind ------------------------------------------ */

struct workloads_op {
    struct kube_client *kc;
    char *ns;
    size_t kind;
    struct kube_workload_list *list;
    kube_workloads_fn done;
    void *ctx;
};

static int parse_page(const char *json, size_t len, void *list, char **next,
                      struct api_error *err)
{
    struct workloads_op *op = list;
    return kube_parse_workload_page(op->kind, json, len, op->list, next,
                                    err);
}

static void finish(struct workloads_op *op, const struct api_error *err)
{
    if (err) {
        kube_workload_list_free(op->list);
        op->list = NULL;
    }
    op->done(op->list, err, op->ctx);
    free(op->ns);
    free(op);
}

static void on_kind(void *list, const struct api_error *err, void *ctx);

static void list_kind(struct workloads_op *op)
{
    kube_list(op->kc, "/apis/apps/v1", op->ns, kinds[op->kind].resource,
              NULL, parse_page, op, on_kind, NULL);
}

static void on_kind(void *list, const struct api_error *err, void *ctx)
{
    struct workloads_op *op = list;
    (void)ctx;
    if (err && err->http_status != 404) {
        finish(op, err);
        return;
    }
    if (++op->kind == KUBE_WORKLOAD_KINDS) {
        finish(op, NULL);
        return;
    }
    list_kind(op);
}

int kube_list_workloads(struct kube_client *kc, const char *ns,
                        kube_workloads_fn done, void *ctx)
{
    struct workloads_op *op = calloc(1, sizeof(*op));
    struct kube_workload_list *list = calloc(1, sizeof(*list));
    char *copy = strdup(ns);
    if (!op || !list || !copy) {
        free(op);
        free(list);
        free(copy);
        struct api_error err = {0};
        api_error_set(&err, "OutOfMemory", "out of memory");
        done(NULL, &err, ctx);
        return -1;
    }
    *op = (struct workloads_op){ kc, copy, 0, list, done, ctx };
    list_kind(op);
    return 0;
}

char *kube_restart_patch(const char *now)
{
    char *body = NULL;
    if (asprintf(&body, "{\"spec\":{\"template\":{\"metadata\":"
                 "{\"annotations\":{\"kubectl.kubernetes.io/restartedAt\":"
                 "\"%s\"}}}}}", now) < 0)
        return NULL;
    return body;
}
