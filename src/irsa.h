/*
 * IAM Roles for Service Accounts: whether a role's trust policy lets one
 * Kubernetes service account assume it, decided as STS decides
 * AssumeRoleWithWebIdentity for the token the EKS pod identity webhook
 * mounts (subject system:serviceaccount:NAMESPACE:NAME, audience
 * sts.amazonaws.com, issuer the cluster's OIDC issuer). Pure functions.
 *
 * Evaluated: Allow and Deny statements, Principal (Federated, "*"),
 * Action and NotAction with wildcards, and StringEquals and StringLike on
 * ISSUER:sub and ISSUER:aud. Any other operator (their IfExists and
 * ForAnyValue forms too) or key makes its statement unevaluated: it then
 * grants nothing and denies nothing, and a finding reports it.
 */
#ifndef ALBATROSS_IRSA_H
#define ALBATROSS_IRSA_H

#include <stddef.h>

#include "../api/policy.h"

#define IRSA_ACTION   "sts:AssumeRoleWithWebIdentity"
#define IRSA_AUDIENCE "sts.amazonaws.com"

enum irsa_status {
    IRSA_OK,
    IRSA_TOO_BROAD,        /* allowed, but other service accounts are too */
    IRSA_NOT_TRUSTED,
    IRSA_NO_PROVIDER,      /* the account has no provider for the issuer */
};

/* Findings, as bits of irsa_result.findings. */
enum {
    IRSA_F_NO_PROVIDER = 1 << 0,
    IRSA_F_PROVIDER_NOT_TRUSTED = 1 << 1, /* no Allow names the provider */
    IRSA_F_ACTION_MISSING = 1 << 2,
    IRSA_F_SUBJECT_NOT_ALLOWED = 1 << 3,
    IRSA_F_AUDIENCE_MISSING = 1 << 4,     /* aud condition lacks STS */
    IRSA_F_TOO_BROAD = 1 << 5,
    IRSA_F_DENIED = 1 << 6,
    IRSA_F_UNSUPPORTED = 1 << 7,          /* a statement was not evaluated */
};

struct irsa_request {
    const char *issuer;    /* https://oidc.eks.REGION.amazonaws.com/id/ID */
    int has_provider;      /* the account has an IAM OIDC provider for it */
    const char *role_arn;  /* gives the partition and account */
    const char *namespace;
    const char *name;
};

struct irsa_result {
    enum irsa_status status;
    unsigned findings;
    char reason[512];      /* why, for any status but IRSA_OK */
};

/* Decides whether rq's service account may assume the role whose parsed
 * trust policy is trust, and fills out. */
void irsa_evaluate(const struct irsa_request *rq, const struct policy *trust,
                   struct irsa_result *out);

/* Writes the ARN of the IAM OIDC provider for issuer in role_arn's
 * partition and account. Returns 0, or -1 when role_arn is no IAM ARN or
 * buf is too small. */
int irsa_provider_arn(const char *role_arn, const char *issuer, char *buf,
                      size_t len);

/* "ok", "too broad", "not trusted" or "no OIDC provider". */
const char *irsa_status_name(enum irsa_status status);

#endif
