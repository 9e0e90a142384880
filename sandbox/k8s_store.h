/*
 * The objects that only Kubernetes writes create: a store of JSON
 * documents per cluster for the kinds the world file has no structs for
 * (Deployments, Secrets, ConfigMaps, RBAC, webhook configurations,
 * CustomResourceDefinitions and their custom resources), and the
 * tombstones of deleted objects that watches report as DELETED.
 *
 * Each stored kind has a struct k8s_resource like the world's kinds, so
 * lists, gets, selectors, paging and watches in k8s.c serve it as they
 * serve those.
 */
#ifndef SANDBOX_K8S_STORE_H
#define SANDBOX_K8S_STORE_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "k8s_object.h"
#include "world.h"

#define K8S_TOMBSTONES_MAX 1024     /* the oldest are forgotten first */

struct k8s_tombstone {
    const struct k8s_resource *r;
    char *ns;                       /* "" for cluster-scoped objects */
    char *name;
    unsigned long rv;               /* the deletion's resourceVersion */
    cJSON *object;                  /* as last stored, with that rv */
};

/* Frees the cluster's store; NULL is ignored. */
void k8s_store_free(struct k8s_store *s);

/* The resource of group_version and plural among the world's kinds and
 * the cluster's stored kinds, or NULL. */
const struct k8s_resource *k8s_cluster_resource(struct world_cluster *c,
                                                const char *group_version,
                                                const char *plural);
/* Whether r is one of the store's kinds, and whether it is a custom
 * resource kind, defined by a CustomResourceDefinition. */
int k8s_store_owns(const struct world_cluster *c,
                   const struct k8s_resource *r);
int k8s_store_custom(const struct world_cluster *c,
                     const struct k8s_resource *r);

/* Discovery: the stored kinds of group_version as APIResource objects
 * added to list, and the API groups (besides the core group and the
 * names in skip, NULL-terminated) added to groups as APIGroup objects.
 * k8s_store_group_version returns "group/version" of a stored group, or
 * NULL. */
void k8s_store_add_resources(struct world_cluster *c,
                             const char *group_version, cJSON *list);
void k8s_store_add_groups(struct world_cluster *c, cJSON *groups,
                          const char *const *skip);
const char *k8s_store_group_version(struct world_cluster *c,
                                    const char *group);

/* The stored kinds, for walks over every kind: index i below
 * k8s_store_kind_count, NULL for a custom kind no longer served. */
size_t k8s_store_kind_count(struct world_cluster *c);
const struct k8s_resource *k8s_store_kind_at(struct world_cluster *c,
                                             size_t i);

/* The APIResource discovery document of r, with the write verbs when
 * the sandbox takes writes of r. */
cJSON *k8s_resource_json(const struct world_cluster *c,
                         const struct k8s_resource *r);

/* The stored object (a copy, without kind and apiVersion), or NULL. */
cJSON *k8s_store_get(struct world_cluster *c, const struct k8s_resource *r,
                     const char *ns, const char *name);
/* Stores obj (taken) under its namespace and name, replacing any object
 * there. Returns 0 or -1 (obj freed). */
int k8s_store_put(struct world_cluster *c, const struct k8s_resource *r,
                  cJSON *obj);
/* Removes the object; returns 0, or -1 when there is none. */
int k8s_store_remove(struct world_cluster *c, const struct k8s_resource *r,
                     const char *ns, const char *name);

/*
 * Registers the custom resource kind of a CustomResourceDefinition
 * (spec.group, spec.names, spec.scope and the served version marked
 * storage), or drops it with served 0. Returns 0, or -1 with the reason
 * in err.
 */
int k8s_store_define(struct world_cluster *c, const cJSON *crd, int served,
                     char *err, size_t errlen);

/* Records a deletion for watchers; obj is taken. */
void k8s_store_bury(struct world_cluster *c, const struct k8s_resource *r,
                    const char *ns, const char *name, unsigned long rv,
                    cJSON *obj);
/* The cluster's tombstones, oldest first. */
size_t k8s_tombstone_count(const struct world_cluster *c);
const struct k8s_tombstone *k8s_tombstone_at(const struct world_cluster *c,
                                             size_t i);

#endif
