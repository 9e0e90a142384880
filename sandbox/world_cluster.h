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

/* Adds the IAM OIDC provider of issuer (with or without https://) unless
 * the world has it already. */
int world_add_oidc_provider(struct wfile *f, const yaml_node_t *n,
                            const char *issuer, size_t *cap);

/* Grows the array *items (of size-byte elements, capacity *cap) to hold
 * need elements, zeroing the new ones. Returns 0 or -1. */
int world_grow(void *items, size_t *cap, size_t need, size_t size);

int world_valid_region(const char *s);
int world_valid_iam_name(const char *s, size_t max);

#endif
