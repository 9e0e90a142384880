/* IAM: roles and their policies (query protocol, Marker/IsTruncated). */
#ifndef ALBATROSS_IAM_H
#define ALBATROSS_IAM_H

#include <stddef.h>

#include "aws.h"

struct iam_attached_policy {
    char *name;
    char *arn;
};

struct iam_role {
    char *name;
    char *arn;
    char *role_id;
    char *path;
    char *created;          /* CreateDate, RFC 3339 */
    char *description;
    char *trust_policy;     /* URL-decoded JSON document */
    struct iam_attached_policy *attached;
    size_t attached_count;
    char **inline_names;
    size_t inline_count;
    int details_loaded;     /* attached and inline lists were fetched */
};

struct iam_role_list {
    struct iam_role *items;
    size_t count;
};

void iam_role_cleanup(struct iam_role *r);
void iam_role_list_free(struct iam_role_list *l);

/* Lists every role with ListRoles, all pages. The list is the callee's
 * to free with iam_role_list_free. */
typedef void (*iam_roles_fn)(struct iam_role_list *list,
                             const struct api_error *err, void *ctx);
int iam_list_roles(struct aws_session *s, iam_roles_fn done, void *ctx);

/* Fills role with GetRole, ListAttachedRolePolicies and ListRolePolicies
 * (all pages), then calls done with role (still owned by the caller, who
 * must keep it alive until done runs). */
typedef void (*iam_role_fn)(struct iam_role *role,
                            const struct api_error *err, void *ctx);
int iam_load_role_details(struct aws_session *s, struct iam_role *role,
                          iam_role_fn done, void *ctx);

/* Parsers of one reply each, for the calls above and for tests. Each
 * returns 0, or -1 with err set ("InvalidReply"). A page parser appends to
 * list or role and sets *marker to the next page's Marker (the caller
 * frees it), or NULL on the last page. */
int iam_parse_roles_page(const char *xml, size_t len,
                         struct iam_role_list *list, char **marker,
                         struct api_error *err);
/* Replaces role's name, ARN, id, path, dates, description and trust
 * policy with the GetRole reply's; lists are kept. */
int iam_parse_role(const char *xml, size_t len, struct iam_role *role,
                   struct api_error *err);
int iam_parse_attached_policies(const char *xml, size_t len,
                                struct iam_role *role, char **marker,
                                struct api_error *err);
int iam_parse_inline_policies(const char *xml, size_t len,
                              struct iam_role *role, char **marker,
                              struct api_error *err);

/* ARNs of the account's IAM OIDC identity providers, as
 * arn:aws:iam::ACCOUNT:oidc-provider/ISSUER-HOST-AND-PATH. */
struct iam_oidc_provider_list {
    char **arns;
    size_t count;
};

#define IAM_MAX_OIDC_PROVIDERS 1000  /* IAM's quota is 100 per account */

void iam_oidc_provider_list_free(struct iam_oidc_provider_list *l);

/* Lists the account's OIDC providers with ListOpenIDConnectProviders,
 * which IAM does not page. The list is the callee's to free with
 * iam_oidc_provider_list_free. */
typedef void (*iam_oidc_providers_fn)(struct iam_oidc_provider_list *list,
                                      const struct api_error *err,
                                      void *ctx);
int iam_list_oidc_providers(struct aws_session *s, iam_oidc_providers_fn done,
                            void *ctx);
/* Appends the ARNs of a ListOpenIDConnectProviders reply to list. Returns
 * 0, or -1 with err set ("InvalidReply"). */
int iam_parse_oidc_providers(const char *xml, size_t len,
                             struct iam_oidc_provider_list *list,
                             struct api_error *err);

/* IAM returns policy documents percent-encoded (RFC 3986, '+' kept);
 * a malformed escape is kept as it is. Decodes s in place. */
void iam_percent_decode(char *s);

/* A customer managed policy: GetPolicy, then GetPolicyVersion of its
 * default version. */
struct iam_policy_info {
    char *arn;
    char *default_version;  /* "v1" */
    char *document;         /* the default version's JSON, decoded */
    char **tag_keys;
    char **tag_values;
    size_t tag_count;
};

void iam_policy_info_free(struct iam_policy_info *p);
/* The value of tag key, or NULL. */
const char *iam_policy_tag(const struct iam_policy_info *p, const char *key);

/* Reads policy arn and its default version's document. done gets the
 * policy (the callee's, free with iam_policy_info_free), or NULL and err;
 * a missing policy is err "NoSuchEntity". */
typedef void (*iam_policy_fn)(struct iam_policy_info *policy,
                              const struct api_error *err, void *ctx);
int iam_get_policy(struct aws_session *s, const char *arn, iam_policy_fn done,
                   void *ctx);
/* Fills p from a GetPolicy reply (ARN, default version, tags) or adds
 * the document of a GetPolicyVersion reply. Return 0, or -1 with err. */
int iam_parse_policy(const char *xml, size_t len, struct iam_policy_info *p,
                     struct api_error *err);
int iam_parse_policy_version(const char *xml, size_t len,
                             struct iam_policy_info *p,
                             struct api_error *err);

#endif
