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
};

extern const struct k8s_resource k8s_resources[];
extern const size_t k8s_resource_count;

/* The resource of group_version ("v1", "networking.k8s.io/v1") named
 * plural, or NULL. */
const struct k8s_resource *k8s_resource_find(const char *group_version,
                                             const char *plural);

#endif
