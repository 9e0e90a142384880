/*
 * Rendering of service accounts, ingresses and namespaces in the shape
 * of the Kubernetes API (core/v1 and networking.k8s.io/v1), and the
 * table of every kind the sandbox serves.
 */
#include "k8s_object.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void k8s_add_map(cJSON *obj, const char *name,
                 const struct world_kv_list *list)
{
    cJSON *map;

    if (!list || !list->count)
        return;
    map = cJSON_AddObjectToObject(obj, name);
    for (size_t i = 0; i < list->count; i++)
        cJSON_AddStringToObject(map, list->items[i].key,
                                list->items[i].value ? list->items[i].value
                                                     : "");
}

void k8s_add_string(cJSON *obj, const char *name, const char *value)
{
    if (value)
        cJSON_AddStringToObject(obj, name, value);
}

int k8s_read_map(const cJSON *map, struct world_kv_list *out)
{
    const cJSON *item;
    size_t n = (size_t)cJSON_GetArraySize(map);

    memset(out, 0, sizeof(*out));
    if (!cJSON_IsObject(map) || !n)
        return 0;
    if (!(out->items = calloc(n, sizeof(*out->items))))
        return -1;
    cJSON_ArrayForEach(item, map) {
        struct world_kv *kv = &out->items[out->count++];

        kv->key = strdup(item->string);
        kv->value = strdup(cJSON_IsString(item) ? item->valuestring : "");
        if (!kv->key || !kv->value)
            return -1;
    }
    return 0;
}

cJSON *k8s_add_metadata(cJSON *obj, const char *ns, const char *name,
                        const char *uid, unsigned long rv,
                        const char *created)
{
    cJSON *meta = cJSON_AddObjectToObject(obj, "metadata");
    char rv_text[32];

    snprintf(rv_text, sizeof(rv_text), "%lu", rv);
    cJSON_AddStringToObject(meta, "name", name);
    k8s_add_string(meta, "namespace", ns);
    k8s_add_string(meta, "uid", uid);
    cJSON_AddStringToObject(meta, "resourceVersion", rv_text);
    k8s_add_string(meta, "creationTimestamp", created);
    return meta;
}

static size_t sa_count(const struct world_cluster *c)
{
    return c->service_account_count;
}

static void sa_key(const struct world_cluster *c, size_t i, struct k8s_entry *e)
{
    e->ns = c->service_accounts[i].namespace;
    e->name = c->service_accounts[i].name;
}

static const struct world_kv_list *sa_labels(const struct world_cluster *c,
                                             size_t i)
{
    return &c->service_accounts[i].labels;
}

static cJSON *sa_render(const struct world_cluster *c, size_t i)
{
    const struct world_service_account *sa = &c->service_accounts[i];
    cJSON *obj, *meta;

    /* A written account's document is kept in step with the struct. */
    if (sa->document)
        return cJSON_Parse(sa->document);
    obj = cJSON_CreateObject();
    meta = k8s_add_metadata(obj, sa->namespace, sa->name, sa->uid,
                            sa->resource_version, sa->created);

    k8s_add_map(meta, "labels", &sa->labels);
    k8s_add_map(meta, "annotations", &sa->annotations);
    return obj;
}

static size_t ing_count(const struct world_cluster *c)
{
    return c->ingress_count;
}

static void ing_key(const struct world_cluster *c, size_t i, struct k8s_entry *e)
{
    e->ns = c->ingresses[i].namespace;
    e->name = c->ingresses[i].name;
}

static const struct world_kv_list *ing_labels(const struct world_cluster *c,
                                              size_t i)
{
    return &c->ingresses[i].labels;
}

static int same_host(const char *a, const char *b)
{
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

static cJSON *ing_path(const struct world_ingress_rule *r)
{
    cJSON *path = cJSON_CreateObject();
    cJSON *service;

    cJSON_AddStringToObject(path, "path", r->path ? r->path : "/");
    cJSON_AddStringToObject(path, "pathType", "Prefix");
    service = cJSON_AddObjectToObject(
        cJSON_AddObjectToObject(path, "backend"), "service");
    cJSON_AddStringToObject(service, "name", r->service ? r->service : "");
    cJSON_AddNumberToObject(cJSON_AddObjectToObject(service, "port"),
                            "number", r->port);
    return path;
}

/* The world keeps one rule per path; Kubernetes groups paths by host, so
 * consecutive rules for the same host share one entry. */
static cJSON *ing_rules(const struct world_ingress *ing)
{
    cJSON *rules = cJSON_CreateArray();
    cJSON *paths = NULL;

    for (size_t i = 0; i < ing->rule_count; i++) {
        const struct world_ingress_rule *r = &ing->rules[i];

        if (!paths || !same_host(r->host, ing->rules[i - 1].host)) {
            cJSON *rule = cJSON_CreateObject();

            k8s_add_string(rule, "host", r->host);
            paths = cJSON_AddArrayToObject(
                cJSON_AddObjectToObject(rule, "http"), "paths");
            cJSON_AddItemToArray(rules, rule);
        }
        cJSON_AddItemToArray(paths, ing_path(r));
    }
    return rules;
}

static cJSON *ing_render(const struct world_cluster *c, size_t i)
{
    const struct world_ingress *ing = &c->ingresses[i];
    cJSON *obj = cJSON_CreateObject();
    cJSON *meta = k8s_add_metadata(obj, ing->namespace, ing->name, ing->uid,
                               ing->resource_version, ing->created);
    cJSON *spec, *lb;

    k8s_add_map(meta, "labels", &ing->labels);
    k8s_add_map(meta, "annotations", &ing->annotations);
    spec = cJSON_AddObjectToObject(obj, "spec");
    k8s_add_string(spec, "ingressClassName", ing->class_name);
    cJSON_AddItemToObject(spec, "rules", ing_rules(ing));
    lb = cJSON_AddObjectToObject(cJSON_AddObjectToObject(obj, "status"),
                                 "loadBalancer");
    if (ing->status_hostname) {
        cJSON *item = cJSON_CreateObject();

        cJSON_AddStringToObject(item, "hostname", ing->status_hostname);
        cJSON_AddItemToArray(cJSON_AddArrayToObject(lb, "ingress"), item);
    }
    return obj;
}

static size_t ns_count(const struct world_cluster *c)
{
    return c->namespace_count;
}

static void ns_key(const struct world_cluster *c, size_t i, struct k8s_entry *e)
{
    e->ns = "";
    e->name = c->namespaces[i];
}

static const struct world_kv_list *ns_labels(const struct world_cluster *c,
                                             size_t i)
{
    (void)c;
    (void)i;
    return NULL;
}

/* The world stores no namespace uid; this one is stable per name. */
static void ns_uid(const struct world_cluster *c, const char *name,
                   char out[37])
{
    unsigned long long h = 1469598103934665603ULL;  /* FNV-1a */
    const char *parts[2] = { c->name, name };

    for (int p = 0; p < 2; p++)
        for (const char *s = parts[p]; *s; s++)
            h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    snprintf(out, 37, "%08llx-%04llx-4%03llx-8%03llx-%012llx",
             h >> 32, (h >> 16) & 0xffff, h & 0xfff, (h >> 20) & 0xfff,
             (h * 31) & 0xffffffffffffULL);
}

static cJSON *ns_render(const struct world_cluster *c, size_t i)
{
    cJSON *obj = cJSON_CreateObject();
    char uid[37];
    cJSON *meta;

    ns_uid(c, c->namespaces[i], uid);
    meta = k8s_add_metadata(obj, NULL, c->namespaces[i], uid, 1, c->created);
    cJSON_AddStringToObject(cJSON_AddObjectToObject(meta, "labels"),
                            "kubernetes.io/metadata.name", c->namespaces[i]);
    cJSON_AddStringToObject(cJSON_AddObjectToObject(obj, "status"), "phase",
                            "Active");
    return obj;
}

static const struct k8s_resource namespace_resource = {
    .group_version = "v1", .plural = "namespaces", .singular = "namespace",
    .kind = "Namespace", .short_name = "ns", .namespaced = 0,
    .count = ns_count, .key = ns_key, .labels = ns_labels,
    .render = ns_render,
};

static const struct k8s_resource sa_resource = {
    .group_version = "v1", .plural = "serviceaccounts",
    .singular = "serviceaccount", .kind = "ServiceAccount",
    .short_name = "sa", .namespaced = 1, .count = sa_count, .key = sa_key,
    .labels = sa_labels, .render = sa_render,
};

static const struct k8s_resource ingress_resource = {
    .group_version = K8S_NETWORKING_V1, .plural = "ingresses",
    .singular = "ingress", .kind = "Ingress", .short_name = "ing",
    .namespaced = 1, .count = ing_count, .key = ing_key,
    .labels = ing_labels, .render = ing_render, .changes = 1,
};

const struct k8s_resource *const k8s_resources[] = {
    &namespace_resource, &sa_resource, &ingress_resource,
    &k8s_service_resource, &k8s_endpoints_resource,
    &k8s_endpoint_slice_resource, &k8s_pod_resource, &k8s_event_resource,
    &k8s_events_v1_resource, &k8s_ingress_class_resource,
    &k8s_class_params_resource,
};
const size_t k8s_resource_count =
    sizeof(k8s_resources) / sizeof(k8s_resources[0]);

const struct k8s_resource *k8s_resource_find(const char *group_version,
                                             const char *plural)
{
    for (size_t i = 0; i < k8s_resource_count; i++)
        if (strcmp(k8s_resources[i]->group_version, group_version) == 0 &&
            strcmp(k8s_resources[i]->plural, plural) == 0)
            return k8s_resources[i];
    return NULL;
}
