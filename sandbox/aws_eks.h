/*
 * The parts of the EKS handlers that aws_eks.c and
 * aws_eks_pod_identity.c share.
 */
#ifndef SANDBOX_AWS_EKS_H
#define SANDBOX_AWS_EKS_H

#include <cjson/cJSON.h>
#include <stddef.h>

#include "awsreply.h"
#include "world.h"

/* Reads maxResults (1 to 100, default 100) and nextToken of a list of
 * count items into *max and *start. Returns 0, or -1 after replying
 * with InvalidParameterException. */
int aws_eks_read_page(struct awsreply *r, long *max, size_t *start,
                      size_t count);
/* Adds nextToken for position next when items remain after it. */
void aws_eks_add_next_token(cJSON *body, size_t next, size_t count);
/* {"KEY": "VALUE", ...} of tags. */
cJSON *aws_eks_tags_json(const struct world_kv_list *tags);
/* The cluster of the signing region named name, or NULL after replying
 * ResourceNotFoundException. */
struct world_cluster *aws_eks_find_cluster(struct awsreply *r,
                                           const char *name);

/* Serves /clusters/CLUSTER/pod-identity-associations[/ID]; id is NULL
 * for the collection. */
void aws_eks_pod_identity_serve(struct awsreply *r, const char *cluster,
                                const char *id);

/* Reads the string member name of body into *out: NULL when absent.
 * Returns 0, or -1 after replying InvalidParameterException when it is
 * there but not a non-empty string. */
int aws_eks_body_string(struct awsreply *r, const cJSON *body,
                        const char *name, const char **out);
/* Adds body's "tags" map (at most 50) to tags. Returns 0, or -1 after
 * replying. */
int aws_eks_read_tags(struct awsreply *r, const cJSON *body,
                      struct world_kv_list *tags);

/* Serves /clusters/CLUSTER/addons[/NAME] (aws_eks_addon.c); name is
 * NULL for the collection. */
void aws_eks_addon_serve(struct awsreply *r, const char *cluster,
                         const char *name);

/* Whether role's trust policy lets pods.eks.amazonaws.com call
 * sts:AssumeRole and sts:TagSession, as EKS Pod Identity requires.
 * Conditions are not evaluated. */
int aws_eks_role_trusts_pods(const struct world_role *role);

#endif
