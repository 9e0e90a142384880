/*
 * Whether an identity policy document grants an action, decided from its
 * statements alone: Action and NotAction with IAM's case-insensitive
 * wildcards * and ?, Resource and NotResource, Allow and Deny. Pure
 * functions, for the checks that look for permissions a role should not
 * carry.
 *
 * Not evaluated: Condition values, the resource the action would act on,
 * permission boundaries, SCPs and session policies. A statement with a
 * Condition, or with a Resource other than "*", therefore "may" allow.
 */
#ifndef ALBATROSS_IAM_EVAL_H
#define ALBATROSS_IAM_EVAL_H

#include <stddef.h>

#include "../api/policy.h"

enum iam_eval_grant {
    IAM_EVAL_NOT_GRANTED,
    IAM_EVAL_MAY_GRANT,    /* only with a Condition or on some resources */
    IAM_EVAL_GRANTED,      /* on every resource, unconditionally */
};

struct iam_eval_result {
    enum iam_eval_grant grant;
    size_t statement;      /* index of the Allow behind grant, if any */
    const char *limit;     /* reason for MAY_GRANT: "a Condition", ... */
};

/* Finds the strongest Allow in p that covers action, where a GRANTED
 * statement wins over a MAY_GRANT one. Deny statements are ignored. */
void iam_eval_allows(const struct policy *p, const char *action,
                     struct iam_eval_result *out);

/* Returns 1 when a Deny in p covers action on every resource with no
 * Condition, so that no Allow of the same principal can grant it. */
int iam_eval_denies(const struct policy *p, const char *action);

/* Runs iam_eval_allows, then iam_eval_denies on the same document, whose
 * Deny makes the result NOT_GRANTED. A Deny in one of a role's policies
 * also overrides the others, so callers with several documents combine
 * the two functions themselves. */
void iam_eval_grants(const struct policy *p, const char *action,
                     struct iam_eval_result *out);

const char *iam_eval_grant_name(enum iam_eval_grant grant);

#endif
