/*
 * The parts of world_load shared between world.c (account, IAM) and
 * world_cluster.c (clusters and their Kubernetes objects).
 */
#ifndef SANDBOX_WORLD_CLUSTER_H
#define SANDBOX_WORLD_CLUSTER_H

#include "wfile.h"
#include "world.h"

/* Reads `clusters`, adding an OIDC provider for each cluster with
 * `oidc: true` unless it sets `oidcProvider: false`. */
int world_read_clusters(struct wfile *f, const yaml_node_t *root,
                        size_t *oidc_cap);
void world_free_cluster(struct world_cluster *c);
/* Frees the members of one IngressClassParams, not p itself. */
void world_free_class_params(struct world_ingress_class_params *p);
/* Free what an IAM item owns, not the item itself (world_iam.c uses
 * them when it removes one). */
void world_free_role(struct world_role *r);
void world_free_policy(struct world_policy *p);
void world_free_oidc_provider(struct world_oidc_provider *p);

/* Adds cluster name to region as EKS creates it: CREATING, with its
 * Kubernetes API under the world's k8s_base, the default namespaces and
 * nothing in them. Returns it, or NULL when memory runs out. Pointers to
 * the other clusters may move. */
struct world_cluster *world_add_cluster(struct world *w, const char *region,
                                        const char *name, const char *created);
/* The id of the security group EKS makes for the cluster, derived from
 * its VPC; the caller frees it. */
char *world_cluster_security_group(const struct world_cluster *c);
/* Frees c and takes it out of w->clusters. */
void world_remove_cluster(struct world *w, struct world_cluster *c);

/* Adds the IAM OIDC provider of issuer (with or without https://) unless
 * the world has it already. */
int world_add_oidc_provider(struct wfile *f, const yaml_node_t *n,
                            const char *issuer, size_t *cap);

/* Grows the array *items (of size-byte elements, capacity *cap) to hold
 * need elements, zeroing the new ones. Returns 0 or -1. */
int world_grow(void *items, size_t *cap, size_t need, size_t size);

/* Reads a list of Kubernetes objects where each item may carry
 * `count: N`, and checks that namespace/name is unique. */
struct world_object_kind {
    const char *key;        /* "serviceAccounts" */
    const char *what;       /* "service account" */
    const char *const *keys;
    size_t size;            /* of a struct that starts with namespace and
                             * name */
    int (*read)(struct wfile *f, const yaml_node_t *map,
                struct world_cluster *c, void *item);
};
int world_read_objects(struct wfile *f, const yaml_node_t *map,
                       struct world_cluster *c,
                       const struct world_object_kind *kind, void *items,
                       size_t *count);
/* namespace (default "default") and name of an object, validated. */
int world_read_object_name(struct wfile *f, const yaml_node_t *map,
                           const char *what, char **ns, char **name);
/* A uid derived from the cluster, kind, namespace and name. */
char *world_object_uid(const struct world_cluster *c, const char *kind,
                       const char *ns, const char *name);
/* DNS-1123 label, or subdomain when subdomain is set. */
int world_valid_k8s_name(const char *s, int subdomain);

/* world_k8s.c: services, pods, ingress classes and their parameters,
 * the controller, and the nodes of the node groups. */
int world_read_k8s(struct wfile *f, const yaml_node_t *map,
                   struct world_cluster *c);
/* What the API server and the endpoint slice controller derive for a
 * service: the EndpointSlice's name and labels (0 or -1), the node port
 * of one of its ports, and its cluster IP (NULL when memory runs out).
 * The same names always give the same values. */
int world_service_slice(struct world_service *svc);
int world_node_port(const struct world_service *svc, int port);
char *world_cluster_ip(const struct world_cluster *c,
                       const struct world_service *svc);
/* An address inside cidr chosen by seed, away from the block's first
 * addresses; in 192.168.0.0/16 when cidr is NULL. NULL when memory runs
 * out. */
char *world_address_in(const char *cidr, const char *seed);
/* Frees what a pod owns, not the pod itself. */
void world_free_pod(struct world_pod *p);
/* Gives the objects of world_read_k8s resource versions from *next. */
void world_number_k8s(struct world_cluster *c, unsigned long *next);
void world_free_k8s(struct world_cluster *c);

int world_valid_region(const char *s);
int world_valid_iam_name(const char *s, size_t max);
/* world_pod_identity.c: arn:PARTITION:iam::ACCOUNT:role/NAME, loosely. */
int world_looks_like_role_arn(const char *arn);

#endif
