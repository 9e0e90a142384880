/*
 * The Kubernetes objects the sandbox serves from a world cluster, as a
 * table of resources: how to count, key, label-match and render each one
 * as the JSON the API server returns.
 */
#ifndef SANDBOX_K8S_OBJECT_H
#define SANDBOX_K8S_OBJECT_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "world.h"

#define K8S_NETWORKING    "networking.k8s.io"
#define K8S_NETWORKING_V1 K8S_NETWORKING "/v1"
#define K8S_DISCOVERY_V1  "discovery.k8s.io/v1"
#define K8S_EVENTS_V1     "events.k8s.io/v1"
#define K8S_ELBV2_V1BETA1 "elbv2.k8s.aws/v1beta1"

/* One object in a list, by its sort key. */
struct k8s_entry {
    const char *ns;     /* "" for cluster-scoped objects */
    const char *name;
    size_t index;
};

struct k8s_resource {
    const char *group_version;
    const char *plural;
    const char *singular;
    const char *kind;
    const char *short_name;
    int namespaced;
    size_t (*count)(const struct world_cluster *c);
    void (*key)(const struct world_cluster *c, size_t i, struct k8s_entry *e);
    const struct world_kv_list *(*labels)(const struct world_cluster *c,
                                          size_t i);
    /* The object as a list item: without kind and apiVersion. */
    cJSON *(*render)(const struct world_cluster *c, size_t i);
    /* Field selector keys besides metadata.name and metadata.namespace,
     * NULL-terminated, and the value of one for object i (NULL when the
     * object has none). Both NULL when there are none. */
    const char *const *fields;
    const char *(*field)(const struct world_cluster *c, size_t i,
                         const char *key);
    /* The cluster's objects of this kind change while the sandbox
     * runs, so watchers are told (ingresses and events). */
    int changes;
};

extern const struct k8s_resource *const k8s_resources[];
extern const size_t k8s_resource_count;

/* Helpers for the render functions of every kind. */
void k8s_add_map(cJSON *obj, const char *name,
                 const struct world_kv_list *list);
void k8s_add_string(cJSON *obj, const char *name, const char *value);
/* Copies a map of strings (labels, annotations) into out; values that
 * are not strings become "". Returns 0, or -1 with out partly filled
 * for the caller to free. */
int k8s_read_map(const cJSON *map, struct world_kv_list *out);
cJSON *k8s_add_metadata(cJSON *obj, const char *ns, const char *name,
                        const char *uid, unsigned long rv,
                        const char *created);

/* k8s_workload.c: services, endpoints, endpoint slices, pods. */
extern const struct k8s_resource k8s_service_resource;
extern const struct k8s_resource k8s_endpoints_resource;
extern const struct k8s_resource k8s_endpoint_slice_resource;
extern const struct k8s_resource k8s_pod_resource;
/* Appends a pod condition with status True or False; returns it. */
cJSON *k8s_add_pod_condition(cJSON *list, const char *type, int status,
                             const char *when);
/* The IP address of the node named name, or NULL. */
const char *k8s_node_ip(const struct world_cluster *c, const char *name);

/* k8s_events.c: core/v1 and events.k8s.io/v1 events, ingress classes
 * and IngressClassParams. */
extern const struct k8s_resource k8s_event_resource;
extern const struct k8s_resource k8s_events_v1_resource;
extern const struct k8s_resource k8s_ingress_class_resource;
extern const struct k8s_resource k8s_class_params_resource;

/* The resource of group_version ("v1", "networking.k8s.io/v1") named
 * plural, or NULL. */
const struct k8s_resource *k8s_resource_find(const char *group_version,
                                             const char *plural);

#endif
