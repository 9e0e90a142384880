/*
 * EKS Pod Identity associations of a cluster: read from the world file's
 * podIdentityAssociations, and added, found and removed by the EKS
 * handlers (aws_eks_pod_identity.c).
 */
#ifndef SANDBOX_WORLD_POD_IDENTITY_H
#define SANDBOX_WORLD_POD_IDENTITY_H

#include "wfile.h"
#include "world.h"

/* Reads the cluster map's podIdentityAssociations. At most one
 * association per namespace and service account, as EKS allows. */
int world_read_pod_identities(struct wfile *f, const yaml_node_t *map,
                              struct world_cluster *c);
void world_free_pod_identities(struct world_cluster *c);

struct world_pod_identity *world_pod_identity(struct world_cluster *c,
                                              const char *id);
struct world_pod_identity *world_pod_identity_for(struct world_cluster *c,
                                                  const char *ns,
                                                  const char *sa);

/* Adds an association with a new id; copies every string (token may be
 * NULL). Returns it, or NULL when memory runs out. Pointers to the
 * cluster's other associations may move. */
struct world_pod_identity *world_add_pod_identity(
    struct world_cluster *c, const char *ns, const char *sa,
    const char *role_arn, const char *now, const char *token);
void world_remove_pod_identity(struct world_cluster *c,
                               struct world_pod_identity *a);

/* arn:aws:eks:REGION:ACCOUNT:podidentityassociation/CLUSTER/ID; the
 * caller frees it. */
char *world_pod_identity_arn(const struct world *w,
                             const struct world_cluster *c,
                             const struct world_pod_identity *a);

/* Whether id has the form of an association id. */
int world_valid_pod_identity_id(const char *id);

#endif
