/*
 * EKS add-ons of a cluster: read from the world file's addons, and
 * added, found and removed by the EKS handlers (aws_eks_addon.c).
 */
#ifndef SANDBOX_WORLD_ADDON_H
#define SANDBOX_WORLD_ADDON_H

#include "wfile.h"
#include "world.h"

#define WORLD_POD_IDENTITY_AGENT "eks-pod-identity-agent"

/* Reads the cluster map's addons: at most one of each name. */
int world_read_addons(struct wfile *f, const yaml_node_t *map,
                      struct world_cluster *c);
void world_free_addons(struct world_cluster *c);

/* The version EKS installs when a create names none, or NULL when the
 * sandbox does not know the add-on (EKS rejects such a name). */
const char *world_addon_default_version(const char *name);
/* Whether version has the form of an EKS add-on version:
 * vMAJOR.MINOR.PATCH-eksbuild.N. */
int world_valid_addon_version(const char *version);

struct world_addon *world_addon(struct world_cluster *c, const char *name);
/* The add-on's status now: a created one is CREATING until the sandbox
 * clock reaches its ready_at, then ACTIVE. */
const char *world_addon_status(const struct world *w,
                               const struct world_addon *a);
/* Whether the cluster has add-on name and it is ACTIVE. */
int world_addon_active(const struct world *w, struct world_cluster *c,
                       const char *name);

/* Adds an add-on as CreateAddon does: CREATING for the world's
 * timing.addon_creation seconds. Copies every string; the caller sets
 * the optional members. Returns it, or NULL when memory runs out.
 * Pointers to the cluster's other add-ons may move. */
struct world_addon *world_add_addon(const struct world *w,
                                    struct world_cluster *c,
                                    const char *name, const char *version,
                                    const char *now);
void world_remove_addon(struct world_cluster *c, struct world_addon *a);

/* arn:aws:eks:REGION:ACCOUNT:addon/CLUSTER/NAME/ID; the caller frees
 * it. */
char *world_addon_arn(const struct world *w, const struct world_cluster *c,
                      const struct world_addon *a);

#endif
