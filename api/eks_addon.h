/*
 * EKS add-ons (rest-json): DescribeAddon, CreateAddon and ListAddons on
 * /clusters/NAME/addons[/ADDON]. EKS Pod Identity needs the
 * eks-pod-identity-agent add-on, whose DaemonSet serves the pods'
 * credentials.
 *
 * CreateAddon is mutating, so a --readonly session rejects it in
 * aws_send before anything is sent ("ReadOnly"). Every call copies what
 * it needs. done runs once, from the event loop, or at once when the
 * call fails before it is sent (the return value is then -1).
 */
#ifndef ALBATROSS_EKS_ADDON_H
#define ALBATROSS_EKS_ADDON_H

#include <stddef.h>

#include "aws.h"

#define EKS_POD_IDENTITY_AGENT "eks-pod-identity-agent"

struct eks_addon {
    char *name;             /* eks-pod-identity-agent */
    char *cluster_name;
    char *status;           /* CREATING, ACTIVE, CREATE_FAILED, DEGRADED... */
    char *version;          /* v1.3.4-eksbuild.1 */
    char *arn;
    char *created_at;       /* RFC 3339 */
    char *modified_at;
};

void eks_addon_cleanup(struct eks_addon *a);

/* The outcome of a single add-on call: a is valid during the callback
 * only, NULL when err is set. */
typedef void (*eks_addon_fn)(const struct eks_addon *a,
                             const struct api_error *err, void *ctx);

/* Describes add-on name of cluster in region (NULL: the session's).
 * A missing add-on is ResourceNotFoundException. */
int eks_describe_addon(struct aws_session *s, const char *region,
                       const char *cluster, const char *name,
                       eks_addon_fn done, void *ctx);

/* Creates add-on name (version NULL: the one EKS picks for the
 * cluster), with a clientRequestToken so a retry cannot make a second
 * one. EKS replies while it is CREATING. */
int eks_create_addon(struct aws_session *s, const char *region,
                     const char *cluster, const char *name,
                     const char *version, eks_addon_fn done, void *ctx);

/* The names of the cluster's add-ons, every page; names is NULL when
 * err is set, and valid during the callback only. */
typedef void (*eks_addon_names_fn)(char *const *names, size_t count,
                                   const struct api_error *err, void *ctx);
int eks_list_addons(struct aws_session *s, const char *region,
                    const char *cluster, eks_addon_names_fn done, void *ctx);

/* Parses a reply that carries {"addon": {...}} into a (zeroed first).
 * Returns 0, or -1 with err set and nothing allocated. */
int eks_parse_addon(const char *json, size_t len, struct eks_addon *a,
                    struct api_error *err);

#endif
