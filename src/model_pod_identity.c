/*
 * EKS Pod Identity associations of the opened clusters, joined to their
 * service accounts next to the IRSA annotation: which role each
 * mechanism gives, whether the association's role trusts
 * pods.eks.amazonaws.com (see pod_identity.h), whether the two
 * mechanisms name different roles, and whether the cluster has the
 * eks-pod-identity-agent add-on, without which an association gives
 * pods no credentials. The add-ons are listed only for a cluster with
 * associations.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../api/eks_addon.h"
#include "../api/eks_pod_identity.h"
#include "../api/policy.h"
#include "model_internal.h"
#include "pod_identity.h"
#include "util.h"

/* One ListPodIdentityAssociations or ListAddons in flight for a
 * cluster. */
struct association_load {
    struct model *m;
    size_t cluster;
    unsigned generation;
};

static void free_one(struct model_pod_identity *a)
{
    char *fields[] = { a->id, a->arn, a->namespace, a->service_account,
                       a->role_arn, a->created, a->modified };
    for (size_t k = 0; k < sizeof(fields) / sizeof(fields[0]); k++)
        free(fields[k]);
}

void model_free_pod_identities(struct model *m)
{
    for (size_t i = 0; i < m->pod_identity_count; i++)
        free_one(&m->pod_identities[i]);
    free(m->pod_identities);
    m->pod_identities = NULL;
    m->pod_identity_count = 0;
}

/* Drops cluster i's associations from the flat array. */
static void forget(struct model *m, size_t i)
{
    size_t kept = 0;
    for (size_t k = 0; k < m->pod_identity_count; k++) {
        struct model_pod_identity *a = &m->pod_identities[k];
        if (a->cluster == i)
            free_one(a);
        else
            m->pod_identities[kept++] = *a;
    }
    m->pod_identity_count = kept;
}

static void take(struct model_pod_identity *dst, size_t cluster,
                 struct eks_pod_identity *src)
{
    memset(dst, 0, sizeof(*dst));
    dst->cluster = cluster;
    dst->id = steal(&src->association_id);
    dst->arn = steal(&src->association_arn);
    dst->namespace = steal(&src->namespace);
    dst->service_account = steal(&src->service_account);
    dst->role_arn = steal(&src->role_arn);
    dst->created = steal(&src->created_at);
    dst->modified = steal(&src->modified_at);
}

static void store(struct model *m, size_t cluster,
                  struct eks_pod_identity_list *list)
{
    forget(m, cluster);
    size_t n = m->pod_identity_count;
    m->pod_identities = xrealloc(m->pod_identities,
                                 (n + list->count + 1) *
                                     sizeof(*m->pod_identities));
    for (size_t i = 0; i < list->count; i++)
        take(&m->pod_identities[n + i], cluster, &list->items[i]);
    m->pod_identity_count = n + list->count;
}

static struct association_load *new_load(struct model *m, size_t i)
{
    struct association_load *load = xrealloc(NULL, sizeof(*load));
    load->m = m;
    load->cluster = i;
    load->generation = m->clusters[i].load_generation;
    return load;
}

/* The cluster of a reply, or NULL when a reload made the reply stale. */
static struct model_cluster *cluster_of(const struct association_load *load)
{
    struct model *m = load->m;
    struct model_cluster *c = load->cluster < m->cluster_count
        ? &m->clusters[load->cluster] : NULL;
    return c && c->load_generation == load->generation ? c : NULL;
}

static void on_addons(char *const *names, size_t count,
                      const struct api_error *err, void *ctx)
{
    struct association_load *load = ctx;
    struct model *m = load->m;
    struct model_cluster *c = cluster_of(load);
    if (c) {
        c->addons_state = err ? MODEL_FAILED : MODEL_READY;
        c->pod_identity_agent = 0;
        for (size_t i = 0; i < count; i++)
            c->pod_identity_agent |= strcmp(names[i],
                                            EKS_POD_IDENTITY_AGENT) == 0;
        if (err) {
            char label[300];
            snprintf(label, sizeof(label), "list add-ons on %s", c->name);
            model_set_status(m, label, err);
        }
        model_join_roles(m);
    }
    free(load);
}

/* Lists cluster i's add-ons, to find the eks-pod-identity-agent. */
static void load_addons(struct model *m, size_t i)
{
    struct model_cluster *c = &m->clusters[i];
    struct association_load *load = new_load(m, i);
    c->addons_state = MODEL_LOADING;
    eks_list_addons(&m->aws, c->region, c->name, on_addons, load);
}

static int has_associations(const struct model *m, size_t cluster)
{
    for (size_t i = 0; i < m->pod_identity_count; i++)
        if (m->pod_identities[i].cluster == cluster)
            return 1;
    return 0;
}

static void on_associations(struct eks_pod_identity_list *list,
                            const struct api_error *err, void *ctx)
{
    struct association_load *load = ctx;
    struct model *m = load->m;
    struct model_cluster *c = cluster_of(load);
    if (c) {
        if (list)
            store(m, load->cluster, list);
        c->pod_identities_state = err ? MODEL_FAILED : MODEL_READY;
        if (err) {
            c->pod_identities_error = *err;
            char label[300];
            snprintf(label, sizeof(label), "list pod identity associations "
                     "on %s", c->name);
            model_set_status(m, label, err);
        }
        if (!err && has_associations(m, load->cluster))
            load_addons(m, load->cluster);
        model_join_roles(m);
    }
    eks_pod_identity_list_free(list);
    free(load);
}

void model_load_pod_identities(struct model *m, size_t i)
{
    if (i >= m->cluster_count)
        return;
    struct model_cluster *c = &m->clusters[i];
    if (!c->in_aws || !c->region ||
        c->pod_identities_state == MODEL_LOADING ||
        c->pod_identities_state == MODEL_READY)
        return;
    struct association_load *load = new_load(m, i);
    c->pod_identities_state = MODEL_LOADING;
    memset(&c->pod_identities_error, 0, sizeof(c->pod_identities_error));
    m->version++;
    eks_list_pod_identities(&m->aws, c->region, c->name, NULL,
                            on_associations, load);
}

void model_load_open_pod_identities(struct model *m)
{
    for (size_t i = 0; i < m->cluster_count; i++)
        if (m->clusters[i].objects_state != MODEL_IDLE)
            model_load_pod_identities(m, i);
}

size_t model_pod_identity_for(const struct model *m, size_t cluster,
                              const char *ns, const char *name)
{
    for (size_t i = 0; i < m->pod_identity_count; i++) {
        const struct model_pod_identity *a = &m->pod_identities[i];
        if (a->cluster == cluster && strcmp(a->namespace, ns) == 0 &&
            strcmp(a->service_account, name) == 0)
            return i;
    }
    return MODEL_NONE;
}

void model_judge_pod_identity_trust(const struct model *m, size_t role,
                                    size_t cluster,
                                    struct pod_identity_result *out)
{
    struct policy trust;
    char err[256];
    if (policy_parse(m->roles[role].trust_policy, &trust, err,
                     sizeof(err)) < 0) {
        out->trusted = 0;
        snprintf(out->reason, sizeof(out->reason), "the trust policy is "
                 "invalid: %s", err);
    } else {
        const struct pod_identity_request rq = {
            .cluster_arn = cluster < m->cluster_count
                               ? m->clusters[cluster].arn : NULL,
        };
        pod_identity_evaluate(&rq, &trust, out);
    }
    policy_cleanup(&trust);
}

/* Sets pod_status and pod_reason from the trust of the association's
 * role, once roles are loaded. */
static void judge_trust(const struct model *m,
                        struct model_service_account *sa,
                        const struct model_pod_identity *a)
{
    size_t r = model_role_by_arn(m, a->role_arn);
    if (r == MODEL_NONE) {
        int known = m->roles_state == MODEL_READY;
        sa->pod_status = known ? MODEL_ROLE_MISSING : MODEL_ROLE_UNKNOWN;
        if (known)
            snprintf(sa->pod_reason, sizeof(sa->pod_reason), "role %s of "
                     "pod identity association %s does not exist in this "
                     "account", a->role_arn, a->id);
        return;
    }
    struct pod_identity_result result;
    model_judge_pod_identity_trust(m, r, sa->cluster, &result);
    sa->pod_status = result.trusted ? MODEL_ROLE_OK : MODEL_ROLE_NOT_TRUSTED;
    if (!result.trusted)
        snprintf(sa->pod_reason, sizeof(sa->pod_reason), "role %s: %s",
                 m->roles[r].name, result.reason);
}

/* Sets pod_agent_missing once the cluster's add-ons are listed. */
static void judge_agent(const struct model *m,
                        struct model_service_account *sa,
                        const struct model_pod_identity *a)
{
    if (sa->cluster >= m->cluster_count)
        return;
    const struct model_cluster *c = &m->clusters[sa->cluster];
    sa->pod_agent_missing = c->addons_state == MODEL_READY &&
                            !c->pod_identity_agent;
    if (!sa->pod_agent_missing || sa->pod_reason[0])
        return;
    snprintf(sa->pod_reason, sizeof(sa->pod_reason), "cluster %s has no "
             EKS_POD_IDENTITY_AGENT " add-on, so pods get no credentials "
             "from association %s; create it with aws eks create-addon "
             "--cluster-name %s --addon-name " EKS_POD_IDENTITY_AGENT,
             c->name, a->id, c->name);
}

void model_judge_pod_identity(const struct model *m,
                              struct model_service_account *sa)
{
    sa->pod_reason[0] = '\0';
    sa->identity_conflict = 0;
    sa->pod_agent_missing = 0;
    sa->pod_identity = model_pod_identity_for(m, sa->cluster, sa->namespace,
                                              sa->name);
    if (sa->pod_identity == MODEL_NONE) {
        const struct model_cluster *c = sa->cluster < m->cluster_count
            ? &m->clusters[sa->cluster] : NULL;
        int listed = c && c->pod_identities_state == MODEL_READY;
        sa->pod_status = listed || !c || !c->in_aws ? MODEL_ROLE_NONE
                                                    : MODEL_ROLE_UNKNOWN;
        return;
    }
    const struct model_pod_identity *a = &m->pod_identities[sa->pod_identity];
    judge_trust(m, sa, a);
    judge_agent(m, sa, a);
    sa->identity_conflict = sa->role_arn && a->role_arn &&
                            strcmp(sa->role_arn, a->role_arn) != 0;
}

const char *model_identity_name(const struct model_service_account *sa)
{
    int pod = sa->pod_identity != MODEL_NONE;
    if (sa->identity_conflict)
        return "conflict";
    if (pod && sa->role_arn)
        return "both";
    if (pod)
        return "pod-identity";
    return sa->role_arn ? "irsa" : "none";
}
