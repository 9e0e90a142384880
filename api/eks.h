/* EKS: clusters across regions (rest-json, nextToken paging). */
#ifndef ALBATROSS_EKS_H
#define ALBATROSS_EKS_H

#include <stddef.h>

#include "aws.h"

struct eks_cluster {
    char *name;
    char *region;
    char *arn;
    char *status;        /* CREATING, ACTIVE, DELETING, FAILED, ... */
    char *version;       /* "1.29" */
    char *endpoint;      /* https://...; NULL while CREATING */
    char *ca_data;       /* base64 PEM, certificateAuthority.data */
    char *oidc_issuer;   /* identity.oidc.issuer, or NULL */
    char *created_at;    /* RFC 3339 */
    char *platform_version;
    char *role_arn;
    char *vpc_id;
};

struct eks_cluster_list {
    struct eks_cluster *items;
    size_t count;
};

void eks_cluster_list_free(struct eks_cluster_list *l);

/*
 * Lists the clusters of each region in regions (NULL-terminated) with
 * ListClusters, every page, then DescribeCluster for each, all requests in
 * flight together. done gets every cluster that was described, and the
 * first error met (regions that failed are left out, the others kept).
 * The list is the callee's to free with eks_cluster_list_free.
 */
typedef void (*eks_clusters_fn)(struct eks_cluster_list *list,
                                const struct api_error *err, void *ctx);
int eks_list_clusters(struct aws_session *s, const char *const *regions,
                      eks_clusters_fn done, void *ctx);

/* Describes cluster name in region (NULL: the session's) with
 * DescribeCluster; done gets a list of that one cluster, or an error
 * (ResourceNotFoundException when it does not exist). */
int eks_describe_cluster(struct aws_session *s, const char *region,
                         const char *name, eks_clusters_fn done, void *ctx);

/* Parses a DescribeCluster reply body into c (region is not set).
 * Returns 0 or -1 with err set. */
int eks_parse_cluster(const char *json, size_t len, struct eks_cluster *c,
                      struct api_error *err);
void eks_cluster_cleanup(struct eks_cluster *c);

/* Parses a ListClusters reply: the names (an array of count strings, each
 * freed by the caller, then the array) and the nextToken, or NULL on the
 * last page. Returns 0, or -1 with err set and nothing allocated. */
int eks_parse_cluster_names(const char *json, size_t len, char ***names,
                            size_t *count, char **next_token,
                            struct api_error *err);

#endif
