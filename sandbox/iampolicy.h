/*
 * Evaluation of an IAM role's identity-based policies for one action, as
 * the controller simulation needs it to decide whether a call of the
 * controller would be denied.
 */
#ifndef SANDBOX_IAMPOLICY_H
#define SANDBOX_IAMPOLICY_H

#include "world.h"

enum iampolicy_decision {
    IAMPOLICY_IMPLICIT_DENY,    /* no statement allows it */
    IAMPOLICY_ALLOW,
    IAMPOLICY_EXPLICIT_DENY,    /* a Deny statement matches */
};

/*
 * Evaluates action ("elasticloadbalancing:CreateLoadBalancer") against
 * the role's attached and inline policies. Customer managed policies
 * come from the world; of the AWS managed policies only a few that
 * matter for load balancers are known, and the rest grant nothing.
 * Limits: Resource, NotResource and Condition are not evaluated, so a
 * statement applies to every resource; NotAction is.
 */
enum iampolicy_decision iampolicy_evaluate(const struct world *w,
                                           const struct world_role *role,
                                           const char *action);

/* The reduced document of an AWS managed policy in the sandbox's table
 * (arn:aws:iam::aws:policy/NAME), or NULL for any other ARN. */
const char *iampolicy_managed_document(const char *arn);

/* What a document is for: a role's permissions (customer managed or
 * inline policy), or a role's trust policy. */
enum iampolicy_kind { IAMPOLICY_IDENTITY, IAMPOLICY_TRUST };

/*
 * Checks document as IAM does before it stores a policy. Returns 0, or
 * -1 with the message of IAM's MalformedPolicyDocument error in msg.
 * Federated principals that name an OIDC provider of this account must
 * exist in w. Limits: the grammar checks are IAM's main ones (JSON,
 * Version, Statement, Effect, Action, Principal, Resource, Condition
 * shapes), not its full validator; sizes are checked by the caller.
 */
int iampolicy_check(const struct world *w, const char *document,
                    enum iampolicy_kind kind, char *msg, size_t msglen);

#endif
