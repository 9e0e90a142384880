/*
 * IAM policy reads: a managed policy with the document of its default
 * version (GetPolicy, then GetPolicyVersion), and a role's inline
 * policy (GetRolePolicy). Documents come back decoded, as JSON text.
 */
#ifndef ALBATROSS_IAM_POLICY_H
#define ALBATROSS_IAM_POLICY_H

#include <stddef.h>

#include "aws.h"

struct iam_policy_info {
    char *name;
    char *arn;
    char *description;        /* may be NULL */
    char *default_version;    /* "v3" */
    char *attachment_count;   /* as IAM sends it, or NULL */
    char *created;
    char *updated;            /* may be NULL */
    char *document;           /* the default version's JSON text */
    char **tag_keys;
    char **tag_values;
    size_t tag_count;
};

void iam_policy_info_free(struct iam_policy_info *p);
/* The value of tag key, or NULL. */
const char *iam_policy_tag(const struct iam_policy_info *p, const char *key);

/* info is the callee's to free with iam_policy_info_free; NULL on
 * failure. */
typedef void (*iam_policy_fn)(struct iam_policy_info *info,
                              const struct api_error *err, void *ctx);
/* Each returns 0, or -1 after calling done with the error. */
int iam_get_policy(struct aws_session *s, const char *arn,
                   iam_policy_fn done, void *ctx);

/* document is borrowed for the call; NULL on failure. A role without
 * that inline policy fails with "NoSuchEntity". */
typedef void (*iam_document_fn)(const char *document,
                                const struct api_error *err, void *ctx);
int iam_get_role_policy(struct aws_session *s, const char *role,
                        const char *policy_name, iam_document_fn done,
                        void *ctx);

/* Parsers of one reply each; each returns 0, or -1 with err set
 * ("InvalidReply"). iam_parse_policy fills info but its document. */
int iam_parse_policy(const char *xml, size_t len,
                     struct iam_policy_info *info, struct api_error *err);
/* *document: the decoded Document of GetPolicyVersion, or the
 * PolicyDocument of GetRolePolicy; the caller frees it. */
int iam_parse_policy_document(const char *xml, size_t len,
                              const char *operation, char **document,
                              struct api_error *err);

/* Sets p->document from a GetPolicyVersion reply. Returns 0, or -1
 * with err. */
int iam_parse_policy_version(const char *xml, size_t len,
                             struct iam_policy_info *p,
                             struct api_error *err);

#endif
