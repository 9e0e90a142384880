/*
 * The EKS bearer token: "k8s-aws-v1." followed by unpadded base64url of a
 * presigned STS GetCallerIdentity URL that signs host and x-k8s-aws-id,
 * with X-Amz-Expires=60, as `aws eks get-token` makes it. The API server
 * accepts it for 15 minutes after its X-Amz-Date.
 */
#ifndef ALBATROSS_EKS_TOKEN_H
#define ALBATROSS_EKS_TOKEN_H

#include <time.h>

#include "buf.h"
#include "sigv4.h"

#define EKS_TOKEN_PREFIX "k8s-aws-v1."
#define EKS_TOKEN_LIFETIME 900   /* seconds the server accepts it */
#define EKS_TOKEN_REFRESH 840    /* seconds before we make a new one */

/*
 * Builds a token for cluster_name. sts_url is the STS endpoint for region,
 * without a trailing slash ("https://sts.us-east-2.amazonaws.com").
 * Returns 0, or -1 when memory runs out or sts_url is not an http or
 * https URL of the form "scheme://host[:port][/path]".
 */
int eks_token_make(const struct sigv4_credentials *creds, const char *region,
                   const char *sts_url, const char *cluster_name, time_t now,
                   struct buf *token);

#endif
