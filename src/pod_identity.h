/*
 * EKS Pod Identity: whether a role's trust policy lets the EKS Pod
 * Identity agent assume it for a cluster's pods. EKS asks of the role
 * that the service principal pods.eks.amazonaws.com may call
 * sts:AssumeRole and sts:TagSession (CreatePodIdentityAssociation
 * rejects it otherwise with "Trust policy of the role provided is
 * invalid."). Pure functions, in the style of irsa.h.
 *
 * Evaluated: Allow and Deny statements, Principal (Service, "*"), Action
 * and NotAction with wildcards, and StringEquals, StringLike, ArnEquals
 * and ArnLike on aws:SourceArn (the cluster's ARN) and aws:SourceAccount.
 * Any other operator or key makes its statement unevaluated: it then
 * grants nothing and denies nothing, and the reason names it.
 */
#ifndef ALBATROSS_POD_IDENTITY_H
#define ALBATROSS_POD_IDENTITY_H

#include "../api/policy.h"

#define POD_IDENTITY_PRINCIPAL "pods.eks.amazonaws.com"

struct pod_identity_request {
    /* arn:aws:eks:REGION:ACCOUNT:cluster/NAME, the aws:SourceArn of the
     * agent's call, and its account the aws:SourceAccount; NULL when
     * not known, and then no condition on them holds. */
    const char *cluster_arn;
};

struct pod_identity_result {
    int trusted;               /* both actions allowed, none denied */
    char reason[512];          /* why not, when trusted is 0 */
};

void pod_identity_evaluate(const struct pod_identity_request *rq,
                           const struct policy *trust,
                           struct pod_identity_result *out);

#endif
