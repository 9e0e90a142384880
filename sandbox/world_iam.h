/*
 * Changes to the world's IAM state: roles, their trust, inline and
 * attached policies, customer managed policies and OIDC providers. The
 * IAM API handlers (aws_iam_write.c) and CloudFormation's AWS::IAM::*
 * resources both go through these, so both check and fail alike.
 *
 * Each function returns NULL on success, or an IAM error code
 * ("EntityAlreadyExists", "NoSuchEntity", "DeleteConflict",
 * "MalformedPolicyDocument", "LimitExceeded", "ValidationError",
 * "ServiceFailure" when memory runs out) with msg set to the message
 * AWS sends; world_iam_status gives the HTTP status for the code. A
 * failed call leaves the world as it was.
 *
 * Strings are copied; the caller keeps its own. Roles, policies and
 * providers live in arrays that grow and shrink, so every create and
 * delete may move them: a pointer from *out, world_role() or
 * world_policy() is valid only until the next change to the world's IAM
 * state. Keep names and ARNs, not pointers.
 */
#ifndef SANDBOX_WORLD_IAM_H
#define SANDBOX_WORLD_IAM_H

#include <stddef.h>

#include "world.h"

/* IAM's default quotas, which the sandbox enforces as LimitExceeded. */
#define WORLD_IAM_TRUST_POLICY_MAX 2048     /* ACLSizePerRole */
#define WORLD_IAM_POLICY_SIZE_MAX 6144      /* PolicySize */
#define WORLD_IAM_INLINE_SIZE_MAX 10240     /* inline policies of a role */
#define WORLD_IAM_ATTACHED_MAX 10           /* PoliciesPerRole */
#define WORLD_IAM_TAGS_MAX 50
#define WORLD_IAM_OIDC_PROVIDERS_MAX 100

/* The HTTP status IAM sends with code (400 for codes it does not know). */
int world_iam_status(const char *code);

/* path NULL means "/"; description and tags may be NULL. */
const char *world_iam_create_role(struct world *w, const char *name,
                                  const char *path, const char *trust_policy,
                                  const char *description,
                                  const struct world_kv_list *tags,
                                  const struct world_role **out, char *msg,
                                  size_t msglen);
/* Fails with DeleteConflict while policies are attached or inline. */
const char *world_iam_delete_role(struct world *w, const char *name,
                                  char *msg, size_t msglen);
const char *world_iam_update_trust_policy(struct world *w, const char *role,
                                          const char *document, char *msg,
                                          size_t msglen);
/* Adds or replaces the role's inline policy policy_name. */
const char *world_iam_put_role_policy(struct world *w, const char *role,
                                      const char *policy_name,
                                      const char *document, char *msg,
                                      size_t msglen);
const char *world_iam_delete_role_policy(struct world *w, const char *role,
                                         const char *policy_name, char *msg,
                                         size_t msglen);
/* policy_arn is a customer managed policy of the world or an AWS
 * managed one (arn:aws:iam::aws:policy/...), which the sandbox accepts
 * by ARN alone. Attaching an attached policy succeeds, as in IAM. */
const char *world_iam_attach_role_policy(struct world *w, const char *role,
                                         const char *policy_arn, char *msg,
                                         size_t msglen);
const char *world_iam_detach_role_policy(struct world *w, const char *role,
                                         const char *policy_arn, char *msg,
                                         size_t msglen);
/* Adds the role's tags, replacing the values of keys it has. */
const char *world_iam_tag_role(struct world *w, const char *role,
                               const struct world_kv_list *tags, char *msg,
                               size_t msglen);

/* A customer managed policy with one version, v1. */
const char *world_iam_create_policy(struct world *w, const char *name,
                                    const char *path, const char *document,
                                    const char *description,
                                    const struct world_kv_list *tags,
                                    const struct world_policy **out,
                                    char *msg, size_t msglen);
/* Adds version v(N+1) with document to policy arn as its default, as
 * CreatePolicyVersion with SetAsDefault; *version gets N+1. Only the
 * default version's document is kept, so set_default must be set
 * (otherwise ValidationError). LimitExceeded past IAM's five versions. */
const char *world_iam_create_policy_version(struct world *w, const char *arn,
                                            const char *document,
                                            int set_default,
                                            unsigned *version, char *msg,
                                            size_t msglen);
/* Writes the policy's default version id into buf (16 bytes) and
 * returns buf: "v1" for a policy never changed. */
const char *world_policy_version(const struct world_policy *p, char *buf);
/* Fails with DeleteConflict while a role has it attached. */
const char *world_iam_delete_policy(struct world *w, const char *arn,
                                    char *msg, size_t msglen);
/* Checks that arn names a customer managed policy of w or an AWS
 * managed policy (NoSuchEntity, or ValidationError for a malformed
 * ARN). */
const char *world_iam_check_attachable(const struct world *w,
                                       const char *arn, char *msg,
                                       size_t msglen);
/* The number of roles that have the policy ARN attached. */
size_t world_iam_attachment_count(const struct world *w, const char *arn);

/* url starts with https://; the provider's ARN and url leave it out.
 * thumbprints are 40 hex characters each, at most 5. */
const char *world_iam_create_oidc_provider(
    struct world *w, const char *url, const char *const *client_ids,
    size_t n_client_ids, const char *const *thumbprints,
    size_t n_thumbprints, const struct world_kv_list *tags,
    const struct world_oidc_provider **out, char *msg, size_t msglen);
const char *world_iam_delete_oidc_provider(struct world *w, const char *arn,
                                           char *msg, size_t msglen);
const char *world_iam_tag_oidc_provider(struct world *w, const char *arn,
                                        const struct world_kv_list *tags,
                                        char *msg, size_t msglen);
/* Removes the tags with the given keys; keys the provider lacks are
 * ignored, as IAM ignores them. */
const char *world_iam_untag_oidc_provider(struct world *w, const char *arn,
                                          const char *const *keys,
                                          size_t key_count, char *msg,
                                          size_t msglen);

#endif
