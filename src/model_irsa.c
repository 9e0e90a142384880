/*
 * Each service account's role status: the annotation joined to a role,
 * then the role's trust policy evaluated for that service account and its
 * cluster's OIDC issuer (see irsa.h).
 */
#include <stdio.h>
#include <string.h>

#include "../api/policy.h"
#include "irsa.h"
#include "model_internal.h"

const char *model_role_status_name(enum model_role_status status)
{
    static const char *const names[] = {
        [MODEL_ROLE_NONE] = "none",
        [MODEL_ROLE_UNKNOWN] = "unknown",
        [MODEL_ROLE_OK] = "ok",
        [MODEL_ROLE_TOO_BROAD] = "too broad",
        [MODEL_ROLE_MISSING] = "missing role",
        [MODEL_ROLE_NOT_TRUSTED] = "not trusted",
        [MODEL_ROLE_NO_PROVIDER] = "no OIDC provider",
    };
    return (size_t)status < sizeof(names) / sizeof(names[0])
        ? names[status] : "unknown";
}

/* The provider ARN ends with the issuer's host and path, whatever the
 * account, so the suffix is compared. */
int model_cluster_has_provider(const struct model *m,
                               const struct model_cluster *c)
{
    if (!c->oidc_issuer)
        return 0;
    if (m->providers_state != MODEL_READY)
        return -1;
    const char *issuer = c->oidc_issuer;
    if (strncmp(issuer, "https://", 8) == 0)
        issuer += 8;
    for (size_t i = 0; i < m->oidc_provider_count; i++) {
        const char *p = strstr(m->oidc_providers[i], ":oidc-provider/");
        if (p && strcmp(p + strlen(":oidc-provider/"), issuer) == 0)
            return 1;
    }
    return 0;
}

static void judge_trust(const struct model *m,
                        struct model_service_account *sa,
                        const struct model_cluster *c, int has_provider)
{
    const struct model_role *r = &m->roles[sa->role];
    struct policy trust;
    char err[256];
    if (policy_parse(r->trust_policy, &trust, err, sizeof(err)) < 0) {
        sa->role_status = MODEL_ROLE_NOT_TRUSTED;
        snprintf(sa->role_reason, sizeof(sa->role_reason), "the trust "
                 "policy of %s is invalid: %s", r->name, err);
        policy_cleanup(&trust);
        return;
    }
    const struct irsa_request rq = {
        .issuer = c->oidc_issuer, .has_provider = has_provider,
        .role_arn = r->arn, .namespace = sa->namespace, .name = sa->name,
    };
    struct irsa_result result;
    irsa_evaluate(&rq, &trust, &result);
    policy_cleanup(&trust);
    static const enum model_role_status statuses[] = {
        [IRSA_OK] = MODEL_ROLE_OK,
        [IRSA_TOO_BROAD] = MODEL_ROLE_TOO_BROAD,
        [IRSA_NOT_TRUSTED] = MODEL_ROLE_NOT_TRUSTED,
        [IRSA_NO_PROVIDER] = MODEL_ROLE_NO_PROVIDER,
    };
    sa->role_status = statuses[result.status];
    snprintf(sa->role_reason, sizeof(sa->role_reason), "%s", result.reason);
}

void model_judge_role(const struct model *m,
                      struct model_service_account *sa)
{
    sa->role_reason[0] = '\0';
    const struct model_cluster *c = sa->cluster < m->cluster_count
        ? &m->clusters[sa->cluster] : NULL;
    if (!sa->role_arn) {
        sa->role_status = MODEL_ROLE_NONE;
        return;
    }
    if (sa->role_missing) {
        sa->role_status = MODEL_ROLE_MISSING;
        snprintf(sa->role_reason, sizeof(sa->role_reason), "role %s does "
                 "not exist in this account", sa->role_arn);
        return;
    }
    /* A kubeconfig-only cluster has no known issuer until EKS lists it. */
    int has_provider = c ? model_cluster_has_provider(m, c) : -1;
    if (sa->role == MODEL_NONE || !c || !c->in_aws) {
        sa->role_status = MODEL_ROLE_UNKNOWN;
        return;
    }
    /* NOTE: when ListOpenIDConnectProviders failed (no permission, say),
     * the provider is assumed to exist and only the trust is judged. */
    if (has_provider < 0 && m->providers_state != MODEL_FAILED) {
        sa->role_status = MODEL_ROLE_UNKNOWN;
        return;
    }
    judge_trust(m, sa, c, has_provider != 0);
}
