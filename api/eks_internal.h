/* Helpers that the EKS files share: reading EKS JSON replies, and the
 * pieces of the Pod Identity calls that eks_pod_identity_list.c uses. */
#ifndef ALBATROSS_EKS_INTERNAL_H
#define ALBATROSS_EKS_INTERNAL_H

#include <cjson/cJSON.h>

#include "eks_pod_identity.h"

/* A copy of obj's string member at the dotted path ("identity.oidc.
 * issuer"), or NULL when a part is missing or not of the expected type. */
char *eks_json_string(const cJSON *obj, const char *path);

/* Parses a list reply (ListClusters, ListNodegroups). The strings of its
 * array key go to *names and *count, and the caller frees each, then the
 * array. *next_token is the nextToken, or NULL on the last page. Returns
 * 0, or -1 with err naming operation and nothing allocated. */
int eks_parse_names(const char *json, size_t len, const char *operation,
                    const char *key, char ***names, size_t *count,
                    char **next_token, struct api_error *err);

/* A copy of obj's timestamp member name as RFC 3339: rest-json sends
 * epoch seconds, and a string is taken as it is. NULL when it is
 * missing or out of range. */
char *eks_json_time(const cJSON *obj, const char *name);

/* Checks that cluster (and id, unless NULL) are safe in a path. Returns
 * 0, or -1 with err naming the value and the expected form. */
int eks_pod_identity_check_names(const char *cluster, const char *id,
                                 struct api_error *err);
/* /clusters/CLUSTER/pod-identity-associations[/ID], decoded; NULL when
 * memory runs out. The caller frees it. */
char *eks_pod_identity_path(const char *cluster, const char *id);
/* Calls done(NULL, err, ctx) and returns -1. */
int eks_pod_identity_fail(eks_pod_identity_fn done, void *ctx,
                          const struct api_error *err);

/* Writes a version 4 UUID for clientRequestToken, as the SDKs generate
 * it, so that a retried create cannot make a second resource. Returns
 * 0, or -1 when there are no random bytes. */
int eks_request_token(char out[37]);

#endif
