/*
 * Events (core/v1 and events.k8s.io/v1, two views of the same objects),
 * IngressClasses (networking.k8s.io/v1) and IngressClassParams
 * (elbv2.k8s.aws/v1beta1) in the shape of the Kubernetes API.
 */
#include <stdio.h>
#include <string.h>

#include "k8s_object.h"

/* ---- events ------------------------------------------------------------ */

static size_t event_count(const struct world_cluster *c)
{
    return c->event_count;
}

static void event_key(const struct world_cluster *c, size_t i,
                      struct k8s_entry *e)
{
    e->ns = c->events[i].namespace;
    e->name = c->events[i].name;
}

static const struct world_kv_list *event_labels(const struct world_cluster *c,
                                                size_t i)
{
    (void)c;
    (void)i;
    return NULL;
}

static cJSON *object_reference(const struct world_event *e)
{
    cJSON *ref = cJSON_CreateObject();
    char rv[32];

    snprintf(rv, sizeof(rv), "%lu", e->object_resource_version);
    cJSON_AddStringToObject(ref, "kind", e->object_kind);
    cJSON_AddStringToObject(ref, "namespace", e->object_namespace);
    cJSON_AddStringToObject(ref, "name", e->object_name);
    cJSON_AddStringToObject(ref, "uid", e->object_uid);
    cJSON_AddStringToObject(ref, "apiVersion", e->object_api_version);
    cJSON_AddStringToObject(ref, "resourceVersion", rv);
    return ref;
}

/* As client-go's event recorder writes them: source.component, the first
 * and last timestamps and a count, no eventTime. */
static cJSON *event_render(const struct world_cluster *c, size_t i)
{
    const struct world_event *e = &c->events[i];
    cJSON *obj = cJSON_CreateObject();

    k8s_add_metadata(obj, e->namespace, e->name, e->uid, e->resource_version,
                     e->created);
    cJSON_AddItemToObject(obj, "involvedObject", object_reference(e));
    cJSON_AddStringToObject(obj, "reason", e->reason);
    cJSON_AddStringToObject(obj, "message", e->message);
    cJSON_AddStringToObject(cJSON_AddObjectToObject(obj, "source"),
                            "component", e->component);
    cJSON_AddStringToObject(obj, "firstTimestamp", e->created);
    cJSON_AddStringToObject(obj, "lastTimestamp", e->created);
    cJSON_AddNumberToObject(obj, "count", e->count);
    cJSON_AddStringToObject(obj, "type", e->type);
    cJSON_AddNullToObject(obj, "eventTime");
    cJSON_AddStringToObject(obj, "reportingComponent", "");
    cJSON_AddStringToObject(obj, "reportingInstance", "");
    return obj;
}

static const char *const event_fields[] = {
    "involvedObject.kind", "involvedObject.namespace", "involvedObject.name",
    "involvedObject.uid", "involvedObject.apiVersion",
    "involvedObject.resourceVersion", "involvedObject.fieldPath", "reason",
    "reportingComponent", "source", "type", NULL,
};

static const char *event_field(const struct world_cluster *c, size_t i,
                               const char *key)
{
    const struct world_event *e = &c->events[i];
    static char rv[32];     /* one thread serves every request */
    const char *object = strncmp(key, "involvedObject.", 15) == 0
                             ? key + 15 : NULL;

    if (object && strcmp(object, "kind") == 0)
        return e->object_kind;
    if (object && strcmp(object, "namespace") == 0)
        return e->object_namespace;
    if (object && strcmp(object, "name") == 0)
        return e->object_name;
    if (object && strcmp(object, "uid") == 0)
        return e->object_uid;
    if (object && strcmp(object, "apiVersion") == 0)
        return e->object_api_version;
    if (object && strcmp(object, "resourceVersion") == 0) {
        snprintf(rv, sizeof(rv), "%lu", e->object_resource_version);
        return rv;
    }
    if (strcmp(key, "reason") == 0)
        return e->reason;
    if (strcmp(key, "source") == 0)
        return e->component;
    if (strcmp(key, "type") == 0)
        return e->type;
    return "";  /* involvedObject.fieldPath and reportingComponent */
}

const struct k8s_resource k8s_event_resource = {
    .group_version = "v1", .plural = "events", .singular = "event",
    .kind = "Event", .short_name = "ev", .namespaced = 1,
    .count = event_count, .key = event_key, .labels = event_labels,
    .render = event_render, .fields = event_fields, .field = event_field,
    .changes = 1,
};

/* events.k8s.io/v1 names the same fields differently: regarding, note,
 * and the deprecated* copies of the core/v1 ones. */
static cJSON *event_v1_render(const struct world_cluster *c, size_t i)
{
    const struct world_event *e = &c->events[i];
    cJSON *obj = cJSON_CreateObject();

    k8s_add_metadata(obj, e->namespace, e->name, e->uid, e->resource_version,
                     e->created);
    cJSON_AddNullToObject(obj, "eventTime");
    cJSON_AddStringToObject(obj, "reason", e->reason);
    cJSON_AddItemToObject(obj, "regarding", object_reference(e));
    cJSON_AddStringToObject(obj, "note", e->message);
    cJSON_AddStringToObject(obj, "type", e->type);
    cJSON_AddStringToObject(cJSON_AddObjectToObject(obj, "deprecatedSource"),
                            "component", e->component);
    cJSON_AddStringToObject(obj, "deprecatedFirstTimestamp", e->created);
    cJSON_AddStringToObject(obj, "deprecatedLastTimestamp", e->created);
    cJSON_AddNumberToObject(obj, "deprecatedCount", e->count);
    return obj;
}

static const char *const event_v1_fields[] = {
    "regarding.kind", "regarding.namespace", "regarding.name",
    "regarding.uid", "regarding.apiVersion", "regarding.resourceVersion",
    "regarding.fieldPath", "reason", "reportingController", "type", NULL,
};

static const char *event_v1_field(const struct world_cluster *c, size_t i,
                                  const char *key)
{
    char core[64];

    if (strncmp(key, "regarding.", 10) == 0) {
        snprintf(core, sizeof(core), "involvedObject.%s", key + 10);
        return event_field(c, i, core);
    }
    if (strcmp(key, "reportingController") == 0)
        return "";
    return event_field(c, i, key);
}

const struct k8s_resource k8s_events_v1_resource = {
    .group_version = K8S_EVENTS_V1, .plural = "events", .singular = "event",
    .kind = "Event", .short_name = "ev", .namespaced = 1,
    .count = event_count, .key = event_key, .labels = event_labels,
    .render = event_v1_render, .fields = event_v1_fields,
    .field = event_v1_field, .changes = 1,
};

/* ---- ingress classes ---------------------------------------------------------- */

static size_t class_count(const struct world_cluster *c)
{
    return c->ingress_class_count;
}

static void class_key(const struct world_cluster *c, size_t i,
                      struct k8s_entry *e)
{
    e->ns = "";
    e->name = c->ingress_classes[i].name;
}

static const struct world_kv_list *class_labels(const struct world_cluster *c,
                                                size_t i)
{
    return &c->ingress_classes[i].labels;
}

static cJSON *class_render(const struct world_cluster *c, size_t i)
{
    const struct world_ingress_class *ic = &c->ingress_classes[i];
    cJSON *obj, *meta, *annotations, *spec;

    /* A written class's document is kept in step with the struct. */
    if (ic->document)
        return cJSON_Parse(ic->document);
    obj = cJSON_CreateObject();
    meta = k8s_add_metadata(obj, NULL, ic->name, ic->uid,
                            ic->resource_version, ic->created);

    k8s_add_map(meta, "labels", &ic->labels);
    k8s_add_map(meta, "annotations", &ic->annotations);
    if (ic->is_default) {
        annotations = cJSON_GetObjectItem(meta, "annotations");
        if (!annotations)
            annotations = cJSON_AddObjectToObject(meta, "annotations");
        cJSON_AddStringToObject(annotations,
                                "ingressclass.kubernetes.io/is-default-class",
                                "true");
    }
    spec = cJSON_AddObjectToObject(obj, "spec");
    cJSON_AddStringToObject(spec, "controller", ic->controller);
    if (ic->parameters) {
        cJSON *params = cJSON_AddObjectToObject(spec, "parameters");

        cJSON_AddStringToObject(params, "apiGroup", "elbv2.k8s.aws");
        cJSON_AddStringToObject(params, "kind", "IngressClassParams");
        cJSON_AddStringToObject(params, "name", ic->parameters);
    }
    return obj;
}

const struct k8s_resource k8s_ingress_class_resource = {
    .group_version = K8S_NETWORKING_V1, .plural = "ingressclasses",
    .singular = "ingressclass", .kind = "IngressClass", .short_name = NULL,
    .namespaced = 0, .count = class_count, .key = class_key,
    .labels = class_labels, .render = class_render,
};

/* ---- IngressClassParams -------------------------------------------------------- */

static size_t params_count(const struct world_cluster *c)
{
    return c->class_params_count;
}

static void params_key(const struct world_cluster *c, size_t i,
                       struct k8s_entry *e)
{
    e->ns = "";
    e->name = c->class_params[i].name;
}

static const struct world_kv_list *params_labels(
    const struct world_cluster *c, size_t i)
{
    return &c->class_params[i].labels;
}

static cJSON *params_spec(const struct world_ingress_class_params *p)
{
    cJSON *spec = cJSON_CreateObject();

    k8s_add_string(spec, "scheme", p->scheme);
    if (p->group)
        cJSON_AddStringToObject(cJSON_AddObjectToObject(spec, "group"),
                                "name", p->group);
    k8s_add_string(spec, "ipAddressType", p->ip_address_type);
    if (p->certificate_arn)
        cJSON_AddItemToArray(cJSON_AddArrayToObject(spec, "certificateArn"),
                             cJSON_CreateString(p->certificate_arn));
    k8s_add_string(spec, "sslPolicy", p->ssl_policy);
    k8s_add_string(spec, "targetType", p->target_type);
    if (p->tags.count) {
        cJSON *tags = cJSON_AddArrayToObject(spec, "tags");

        for (size_t i = 0; i < p->tags.count; i++) {
            cJSON *tag = cJSON_CreateObject();

            cJSON_AddStringToObject(tag, "key", p->tags.items[i].key);
            cJSON_AddStringToObject(tag, "value", p->tags.items[i].value);
            cJSON_AddItemToArray(tags, tag);
        }
    }
    return spec;
}

static cJSON *params_render(const struct world_cluster *c, size_t i)
{
    const struct world_ingress_class_params *p = &c->class_params[i];
    /* A written object's document is kept in step with the struct. */
    if (p->document)
        return cJSON_Parse(p->document);
    cJSON *obj = cJSON_CreateObject();
    cJSON *meta = k8s_add_metadata(obj, NULL, p->name, p->uid,
                                   p->resource_version, p->created);

    k8s_add_map(meta, "labels", &p->labels);
    k8s_add_map(meta, "annotations", &p->annotations);
    cJSON_AddItemToObject(obj, "spec", params_spec(p));
    return obj;
}

const struct k8s_resource k8s_class_params_resource = {
    .group_version = K8S_ELBV2_V1BETA1, .plural = "ingressclassparams",
    .singular = "ingressclassparams", .kind = "IngressClassParams",
    .short_name = NULL, .namespaced = 0, .count = params_count,
    .key = params_key, .labels = params_labels, .render = params_render,
};
