/*
 * Reading an IAM OIDC provider's tags (ListOpenIDConnectProviderTags),
 * which decide whether albatross may delete the provider, and tagging
 * an EKS cluster (TagResource), which eksctl does once the cluster's
 * provider is associated. The IAM writes on providers are in
 * iam_write.h.
 */
#ifndef ALBATROSS_IAM_OIDC_H
#define ALBATROSS_IAM_OIDC_H

#include <stddef.h>

#include "aws.h"
#include "iam_write.h"

struct iam_tag_list {
    char **keys;
    char **values;
    size_t count;
};

void iam_tag_list_free(struct iam_tag_list *l);
/* The value of key, or NULL. */
const char *iam_tag_list_get(const struct iam_tag_list *l, const char *key);

/* list is the callee's to free with iam_tag_list_free; NULL on error. */
typedef void (*iam_tags_fn)(struct iam_tag_list *list,
                            const struct api_error *err, void *ctx);
/* Follows Marker pages until IsTruncated is false. */
int iam_list_oidc_provider_tags(struct aws_session *s, const char *arn,
                                iam_tags_fn done, void *ctx);
/* Appends the tags of one reply to list and sets *marker (NULL on the
 * last page). Returns 0, or -1 with err set ("InvalidReply"). */
int iam_parse_tags(const char *xml, size_t len, const char *operation,
                   struct iam_tag_list *list, char **marker,
                   struct api_error *err);

/* EKS TagResource on resource_arn (a cluster) in region (NULL: the
 * session's). Mutating: a --readonly session refuses it. done gets a
 * NULL res. */
int eks_tag_resource(struct aws_session *s, const char *region,
                     const char *resource_arn, const struct iam_tag *tags,
                     size_t tag_count, iam_write_fn done, void *ctx);

#endif
