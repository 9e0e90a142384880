/*
 * IAM's evaluation for one principal's identity policies, reduced to the
 * statements: an explicit Deny wins over any Allow, and without an Allow
 * the request is denied implicitly.
 */
#include "iam_eval.h"

#include <string.h>

/* Returns 1 when Resource is "*" (or a list containing it). NotResource
 * and a missing Resource never count as every resource. */
static int on_every_resource(const struct policy_statement *st)
{
    if (st->not_resource)
        return 0;
    for (size_t i = 0; i < st->resources.count; i++)
        if (strcmp(st->resources.items[i], "*") == 0)
            return 1;
    return 0;
}

/* The limit that makes an Allow grant its actions only in part, or NULL
 * for an Allow on every resource with no Condition. */
static const char *grant_limit(const struct policy_statement *st)
{
    if (st->condition_count)
        return "a Condition";
    if (st->not_resource)
        return "a NotResource";
    if (!st->resources.count)
        return "no Resource";
    if (!on_every_resource(st))
        return "a Resource narrower than \"*\"";
    return NULL;
}

void iam_eval_allows(const struct policy *p, const char *action,
                     struct iam_eval_result *out)
{
    memset(out, 0, sizeof(*out));
    for (size_t i = 0; i < p->count; i++) {
        const struct policy_statement *st = &p->statements[i];
        if (st->effect != POLICY_ALLOW ||
            !policy_statement_covers(st, action))
            continue;
        const char *limit = grant_limit(st);
        if (!limit) {
            out->grant = IAM_EVAL_GRANTED;
            out->statement = i;
            out->limit = NULL;
            return;
        }
        if (out->grant == IAM_EVAL_NOT_GRANTED) {
            out->grant = IAM_EVAL_MAY_GRANT;
            out->statement = i;
            out->limit = limit;
        }
    }
}

int iam_eval_denies(const struct policy *p, const char *action)
{
    for (size_t i = 0; i < p->count; i++) {
        const struct policy_statement *st = &p->statements[i];
        if (st->effect == POLICY_DENY && !st->condition_count &&
            on_every_resource(st) && policy_statement_covers(st, action))
            return 1;
    }
    return 0;
}

void iam_eval_grants(const struct policy *p, const char *action,
                     struct iam_eval_result *out)
{
    iam_eval_allows(p, action, out);
    if (out->grant != IAM_EVAL_NOT_GRANTED && iam_eval_denies(p, action))
        memset(out, 0, sizeof(*out));
}

const char *iam_eval_grant_name(enum iam_eval_grant grant)
{
    switch (grant) {
    case IAM_EVAL_GRANTED:
        return "grants";
    case IAM_EVAL_MAY_GRANT:
        return "may grant";
    case IAM_EVAL_NOT_GRANTED:
        break;
    }
    return "does not grant";
}
