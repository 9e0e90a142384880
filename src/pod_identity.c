/*
 * Pod Identity trust evaluation. As in IAM, operators and the keys under
 * one operator AND together and the values of one key OR together; an
 * explicit Deny wins over any Allow. The two actions are judged apart:
 * one statement may grant sts:AssumeRole and another sts:TagSession.
 */
#include "pod_identity.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

static const char *const actions[] = { "sts:AssumeRole", "sts:TagSession" };
#define ACTION_COUNT 2

struct context {
    const char *cluster_arn;
    char account[16];
    char unsupported[200];   /* the first condition not evaluated */
    int mismatch;            /* a condition did not match the cluster */
};

static int names_principal(const struct policy_statement *st)
{
    if (st->any_principal)
        return 1;
    for (size_t i = 0; i < st->service.count; i++)
        if (strcmp(st->service.items[i], POD_IDENTITY_PRINCIPAL) == 0)
            return 1;
    return 0;
}

/* The value of a condition key for the agent's call, or NULL when the
 * key is not one this module evaluates. */
static const char *key_value(const struct context *cx, const char *key)
{
    if (strcasecmp(key, "aws:SourceArn") == 0)
        return cx->cluster_arn ? cx->cluster_arn : "";
    if (strcasecmp(key, "aws:SourceAccount") == 0)
        return cx->account;
    return NULL;
}

/* 1 when the condition holds, 0 when not, -1 when it is not evaluated. */
static int condition_holds(struct context *cx,
                           const struct policy_condition *c)
{
    int like = strcmp(c->op, "StringLike") == 0 ||
               strcmp(c->op, "ArnLike") == 0;
    int equals = strcmp(c->op, "StringEquals") == 0 ||
                 strcmp(c->op, "ArnEquals") == 0;
    const char *value = key_value(cx, c->key);
    if ((!like && !equals) || !value) {
        if (!cx->unsupported[0])
            snprintf(cx->unsupported, sizeof(cx->unsupported), "%s on %s",
                     c->op, c->key);
        return -1;
    }
    for (size_t i = 0; i < c->values.count; i++)
        if (like ? policy_string_like(c->values.items[i], value)
                 : strcmp(c->values.items[i], value) == 0)
            return 1;
    return 0;
}

/* 1 when every condition holds, 0 when one does not, -1 when one is not
 * evaluated (and none fails). */
static int conditions_hold(struct context *cx,
                           const struct policy_statement *st)
{
    int result = 1;
    for (size_t i = 0; i < st->condition_count; i++) {
        int held = condition_holds(cx, &st->conditions[i]);
        if (held == 0) {
            cx->mismatch = 1;
            return 0;
        }
        if (held < 0)
            result = -1;
    }
    return result;
}

/* Which actions the statement matches: bit i for actions[i]. Statements
 * with a condition not evaluated match none. */
static unsigned statement_matches(struct context *cx,
                                  const struct policy_statement *st)
{
    if (!names_principal(st) || conditions_hold(cx, st) != 1)
        return 0;
    unsigned bits = 0;
    for (unsigned i = 0; i < ACTION_COUNT; i++)
        if (policy_statement_covers(st, actions[i]))
            bits |= 1u << i;
    return bits;
}

static void account_of(const char *arn, char out[16])
{
    /* arn:PARTITION:eks:REGION:ACCOUNT:cluster/NAME */
    const char *p = arn;
    out[0] = '\0';
    for (int colons = 0; p && colons < 4; colons++)
        p = (p = strchr(p, ':')) ? p + 1 : NULL;
    if (p && strcspn(p, ":") < 16)
        snprintf(out, 16, "%.*s", (int)strcspn(p, ":"), p);
}

static void explain(struct context *cx, unsigned allowed, int principal,
                    struct pod_identity_result *out)
{
    if (!principal)
        snprintf(out->reason, sizeof(out->reason), "the trust policy does "
                 "not trust the service principal " POD_IDENTITY_PRINCIPAL
                 ", which EKS Pod Identity assumes the role as");
    else if (cx->unsupported[0] && allowed != 3)
        snprintf(out->reason, sizeof(out->reason), "the condition %s is not "
                 "evaluated by albatross, so the role is not shown as "
                 "trusted", cx->unsupported);
    else if (cx->mismatch && allowed != 3)
        snprintf(out->reason, sizeof(out->reason), "a condition of the "
                 "trust policy does not match cluster %s (aws:SourceArn) "
                 "or its account (aws:SourceAccount)",
                 cx->cluster_arn ? cx->cluster_arn : "-");
    else if (!allowed)
        snprintf(out->reason, sizeof(out->reason), "the trust policy names "
                 POD_IDENTITY_PRINCIPAL " but allows neither sts:AssumeRole "
                 "nor sts:TagSession; EKS Pod Identity needs both");
    else
        snprintf(out->reason, sizeof(out->reason), "the trust policy lets "
                 POD_IDENTITY_PRINCIPAL " call %s but not %s; EKS Pod "
                 "Identity needs both", allowed & 1 ? actions[0]
                                                    : actions[1],
                 allowed & 1 ? actions[1] : actions[0]);
}

void pod_identity_evaluate(const struct pod_identity_request *rq,
                           const struct policy *trust,
                           struct pod_identity_result *out)
{
    struct context cx = { .cluster_arn = rq->cluster_arn };
    unsigned allowed = 0, denied = 0;
    int principal = 0;
    memset(out, 0, sizeof(*out));
    if (rq->cluster_arn)
        account_of(rq->cluster_arn, cx.account);
    for (size_t i = 0; i < trust->count; i++) {
        const struct policy_statement *st = &trust->statements[i];
        unsigned bits = statement_matches(&cx, st);
        if (st->effect == POLICY_DENY) {
            denied |= bits;
            continue;
        }
        principal |= names_principal(st);
        allowed |= bits;
    }
    if (denied) {
        snprintf(out->reason, sizeof(out->reason), "a Deny statement of the "
                 "trust policy denies " POD_IDENTITY_PRINCIPAL " %s",
                 denied & 1 ? actions[0] : actions[1]);
        return;
    }
    out->trusted = allowed == 3;
    if (!out->trusted)
        explain(&cx, allowed, principal, out);
}
