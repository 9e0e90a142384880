/*
 * IAM calls that change the account: roles, their trust, inline and
 * attached policies and tags, customer managed policies and OIDC
 * providers. Every call is mutating, so a --readonly session rejects it
 * in aws_send before anything is sent ("ReadOnly").
 *
 * Calls are retried as the SDKs retry them (throttling, 5xx, dropped
 * connections). IAM has no idempotency token, so when the reply to a
 * create is lost and the retry meets EntityAlreadyExists, the first
 * attempt may have created the entity; likewise a delete or detach
 * whose retry meets NoSuchEntity. The error says so and keeps IAM's
 * code.
 */
#ifndef ALBATROSS_IAM_WRITE_H
#define ALBATROSS_IAM_WRITE_H

#include <stddef.h>

#include "aws.h"

#define IAM_MAX_TAGS 50          /* IAM's quota of tags per entity */
#define IAM_MAX_LIST_ITEMS 100   /* client ids of an OIDC provider */

struct iam_tag {
    const char *key;
    const char *value;
};

/* What CreateRole sends. path and description may be NULL. */
struct iam_role_spec {
    const char *name;
    const char *path;
    const char *trust_policy;    /* JSON text */
    const char *description;
    const struct iam_tag *tags;
    size_t tag_count;
};

/* What CreatePolicy sends. path and description may be NULL. */
struct iam_policy_spec {
    const char *name;
    const char *path;
    const char *document;        /* JSON text */
    const char *description;
    const struct iam_tag *tags;
    size_t tag_count;
};

/* What CreateOpenIDConnectProvider sends; url starts with https://. */
struct iam_oidc_provider_spec {
    const char *url;
    const char *const *client_ids;
    size_t client_id_count;
    const char *const *thumbprints;
    size_t thumbprint_count;
    const struct iam_tag *tags;
    size_t tag_count;
};

/* The outcome of a write. A create sets arn (and id for roles and
 * policies) to strings valid during the callback; other calls leave
 * both NULL. */
struct iam_write_result {
    const char *arn;
    const char *id;
};

typedef void (*iam_write_fn)(const struct iam_write_result *res,
                             const struct api_error *err, void *ctx);

/*
 * Each call copies what it needs, so the caller's strings may go once
 * it returns. done runs once, from the event loop, or at once when the
 * call fails before it is sent (then the return value is -1).
 */
int iam_create_role(struct aws_session *s, const struct iam_role_spec *spec,
                    iam_write_fn done, void *ctx);
int iam_delete_role(struct aws_session *s, const char *role,
                    iam_write_fn done, void *ctx);
int iam_update_trust_policy(struct aws_session *s, const char *role,
                            const char *document, iam_write_fn done,
                            void *ctx);
int iam_tag_role(struct aws_session *s, const char *role,
                 const struct iam_tag *tags, size_t tag_count,
                 iam_write_fn done, void *ctx);
int iam_put_role_policy(struct aws_session *s, const char *role,
                        const char *policy_name, const char *document,
                        iam_write_fn done, void *ctx);
int iam_delete_role_policy(struct aws_session *s, const char *role,
                           const char *policy_name, iam_write_fn done,
                           void *ctx);
int iam_attach_role_policy(struct aws_session *s, const char *role,
                           const char *policy_arn, iam_write_fn done,
                           void *ctx);
int iam_detach_role_policy(struct aws_session *s, const char *role,
                           const char *policy_arn, iam_write_fn done,
                           void *ctx);
int iam_create_policy(struct aws_session *s,
                      const struct iam_policy_spec *spec, iam_write_fn done,
                      void *ctx);
/* Adds a version with document to policy arn, as its default when
 * set_default is set. IAM keeps at most five versions: a sixth fails
 * with LimitExceeded until an old one is deleted. */
int iam_create_policy_version(struct aws_session *s, const char *arn,
                              const char *document, int set_default,
                              iam_write_fn done, void *ctx);
int iam_delete_policy(struct aws_session *s, const char *arn,
                      iam_write_fn done, void *ctx);
int iam_create_oidc_provider(struct aws_session *s,
                             const struct iam_oidc_provider_spec *spec,
                             iam_write_fn done, void *ctx);
int iam_tag_oidc_provider(struct aws_session *s, const char *arn,
                          const struct iam_tag *tags, size_t tag_count,
                          iam_write_fn done, void *ctx);
int iam_untag_oidc_provider(struct aws_session *s, const char *arn,
                            const char *const *keys, size_t key_count,
                            iam_write_fn done, void *ctx);
int iam_delete_oidc_provider(struct aws_session *s, const char *arn,
                             iam_write_fn done, void *ctx);

/*
 * Parses a create reply: the ARN and id under element ("Role",
 * "Policy"), or the OpenIDConnectProviderArn when element is NULL.
 * Fills *arn and *id (NULL when absent; the caller frees both).
 * Returns 0, or -1 with err set ("InvalidReply") when there is no ARN.
 */
int iam_parse_created(const char *xml, size_t len, const char *operation,
                      const char *element, char **arn, char **id,
                      struct api_error *err);

#endif
