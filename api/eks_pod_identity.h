/*
 * EKS Pod Identity associations (rest-json): the alternative to IRSA in
 * which EKS, not an OIDC trust, ties a Kubernetes service account to an
 * IAM role. Paths are /clusters/NAME/pod-identity-associations[/ID].
 *
 * Create, update and delete are mutating, so a --readonly session
 * rejects them in aws_send before anything is sent ("ReadOnly"). Every
 * call copies what it needs: the caller's strings may go once it
 * returns. done runs once, from the event loop, or at once when the
 * call fails before it is sent (the return value is then -1).
 */
#ifndef ALBATROSS_EKS_POD_IDENTITY_H
#define ALBATROSS_EKS_POD_IDENTITY_H

#include <stddef.h>

#include "aws.h"

#define EKS_POD_IDENTITY_ID_LEN 19  /* "a-" and 17 letters or digits */
#define EKS_POD_IDENTITY_MAX_TAGS 50

struct eks_tag {
    char *key;
    char *value;
};

/*
 * One association. ListPodIdentityAssociations returns summaries
 * without role_arn, created_at, modified_at and tags; the list call
 * below describes each one, so its items have them all.
 */
struct eks_pod_identity {
    char *association_id;   /* a-0123456789abcdefg */
    char *association_arn;
    char *cluster_name;
    char *namespace;
    char *service_account;
    char *role_arn;
    char *owner_arn;        /* set when an add-on owns it, else NULL */
    char *created_at;       /* RFC 3339 */
    char *modified_at;
    struct eks_tag *tags;
    size_t tag_count;
};

struct eks_pod_identity_list {
    struct eks_pod_identity *items;
    size_t count;
};

void eks_pod_identity_cleanup(struct eks_pod_identity *a);
void eks_pod_identity_list_free(struct eks_pod_identity_list *l);

/* ListPodIdentityAssociations' filters; NULL members filter nothing. */
struct eks_pod_identity_filter {
    const char *namespace;
    const char *service_account;
};

/*
 * Lists the associations of cluster in region (NULL: the session's),
 * every page, then describes each, all describes in flight together.
 * done gets the associations sorted by namespace and service account,
 * or the first error (the list is then NULL). The list is the
 * callee's to free with eks_pod_identity_list_free.
 */
typedef void (*eks_pod_identities_fn)(struct eks_pod_identity_list *list,
                                      const struct api_error *err,
                                      void *ctx);
int eks_list_pod_identities(struct aws_session *s, const char *region,
                            const char *cluster,
                            const struct eks_pod_identity_filter *filter,
                            eks_pod_identities_fn done, void *ctx);

/* The outcome of a single-association call: a is valid during the
 * callback only, NULL when err is set. */
typedef void (*eks_pod_identity_fn)(const struct eks_pod_identity *a,
                                    const struct api_error *err, void *ctx);

/* What CreatePodIdentityAssociation sends. tags may be NULL. */
struct eks_pod_identity_spec {
    const char *namespace;
    const char *service_account;
    const char *role_arn;
    const struct eks_tag *tags;
    size_t tag_count;
};

int eks_describe_pod_identity(struct aws_session *s, const char *region,
                              const char *cluster, const char *id,
                              eks_pod_identity_fn done, void *ctx);
int eks_create_pod_identity(struct aws_session *s, const char *region,
                            const char *cluster,
                            const struct eks_pod_identity_spec *spec,
                            eks_pod_identity_fn done, void *ctx);
int eks_update_pod_identity(struct aws_session *s, const char *region,
                            const char *cluster, const char *id,
                            const char *role_arn, eks_pod_identity_fn done,
                            void *ctx);
int eks_delete_pod_identity(struct aws_session *s, const char *region,
                            const char *cluster, const char *id,
                            eks_pod_identity_fn done, void *ctx);

/*
 * Deletes the association of service account ns/sa: lists with both
 * filters, then deletes the one found. The lookup is part of the write,
 * so a --readonly session rejects the call before the list is sent.
 * done gets ResourceNotFoundException when there is no association.
 */
int eks_delete_pod_identity_for(struct aws_session *s, const char *region,
                                const char *cluster, const char *ns,
                                const char *sa, eks_pod_identity_fn done,
                                void *ctx);

/*
 * A request as it would be sent, for --dry-run: method, the path
 * (decoded, as signed) and the JSON body or NULL. Filled by
 * eks_pod_identity_create_request and _delete_request; freed with
 * eks_pod_identity_request_cleanup. Returns 0, or -1 with err set.
 */
struct eks_pod_identity_request {
    const char *method;
    const char *operation;
    char *path;
    char *body;
};
int eks_pod_identity_create_request(const char *cluster,
                                    const struct eks_pod_identity_spec *spec,
                                    struct eks_pod_identity_request *rq,
                                    struct api_error *err);
int eks_pod_identity_delete_request(const char *cluster, const char *id,
                                    struct eks_pod_identity_request *rq,
                                    struct api_error *err);
void eks_pod_identity_request_cleanup(struct eks_pod_identity_request *rq);

/* Parses a reply that carries {"association": {...}} into a (zeroed
 * first). Returns 0, or -1 with err set and nothing allocated. */
int eks_parse_pod_identity(const char *json, size_t len,
                           struct eks_pod_identity *a,
                           struct api_error *err);
/* Parses one ListPodIdentityAssociations page: the summaries into list
 * (zeroed first) and the nextToken (NULL on the last page; the caller
 * frees it). Returns 0, or -1 with err set and nothing allocated. */
int eks_parse_pod_identity_page(const char *json, size_t len,
                                struct eks_pod_identity_list *list,
                                char **next_token, struct api_error *err);

#endif
