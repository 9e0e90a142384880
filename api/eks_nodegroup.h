/* EKS managed node groups of one cluster: their names, status and node
 * instance role (ListNodegroups, then DescribeNodegroup for each). */
#ifndef ALBATROSS_EKS_NODEGROUP_H
#define ALBATROSS_EKS_NODEGROUP_H

#include <stddef.h>

#include "aws.h"

struct eks_nodegroup {
    char *name;
    char *status;        /* CREATING, ACTIVE, DEGRADED, ... or NULL */
    char *node_role;     /* nodeRole: the instance role's ARN, or NULL */
};

struct eks_nodegroup_list {
    struct eks_nodegroup *items;   /* sorted by name */
    size_t count;
};

void eks_nodegroup_cleanup(struct eks_nodegroup *ng);
void eks_nodegroup_list_free(struct eks_nodegroup_list *l);

/* Lists the node groups of cluster in region (NULL: the session's) with
 * ListNodegroups, every page, and describes each with DescribeNodegroup.
 * done gets the list (the callee's to free with eks_nodegroup_list_free),
 * or NULL and the first error met. */
typedef void (*eks_nodegroups_fn)(struct eks_nodegroup_list *list,
                                  const struct api_error *err, void *ctx);
int eks_list_nodegroups(struct aws_session *s, const char *region,
                        const char *cluster, eks_nodegroups_fn done,
                        void *ctx);

/* Parses a DescribeNodegroup reply into ng. Returns 0, or -1 with err set
 * ("InvalidReply") and ng empty. */
int eks_parse_nodegroup(const char *json, size_t len, struct eks_nodegroup *ng,
                        struct api_error *err);

#endif
