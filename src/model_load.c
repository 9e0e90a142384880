/*
 * Account-wide loads: caller identity, the account's regions and their
 * EKS clusters, and IAM roles with their policies. Each completes in a
 * callback from model_wait() and bumps model.version.
 */
#include <stdlib.h>
#include <string.h>

#include "../api/ec2.h"
#include "../api/eks.h"
#include "../api/iam.h"
#include "../api/sts.h"
#include "model_internal.h"
#include "util.h"

static void on_identity(struct sts_identity *id, const struct api_error *err,
                        void *ctx)
{
    struct model *m = ctx;

    if (err) {
        m->identity_state = MODEL_FAILED;
        m->identity_error = *err;
        model_set_status(m, "GetCallerIdentity", err);
        return;
    }
    free(m->account);
    free(m->caller_arn);
    m->account = steal(&id->account);
    m->caller_arn = steal(&id->arn);
    m->identity_state = MODEL_READY;
    sts_identity_free(id);
    m->version++;
}

static void on_clusters(struct eks_cluster_list *list,
                        const struct api_error *err, void *ctx)
{
    struct model *m = ctx;

    if (list)
        model_merge_eks_clusters(m, list);
    eks_cluster_list_free(list);
    if (err) {
        m->clusters_error = *err;
        model_set_status(m, "ListClusters", err);
    }
    /* Regions that replied are shown even when another one failed. */
    m->clusters_state = err && m->cluster_count == 0 ? MODEL_FAILED
                                                     : MODEL_READY;
    model_select_initial(m);
    m->version++;
}

static void list_clusters(struct model *m)
{
    const char **regions = xrealloc(NULL, (m->region_count + 1) *
                                              sizeof(*regions));
    for (size_t i = 0; i < m->region_count; i++)
        regions[i] = m->regions[i];
    regions[m->region_count] = NULL;
    eks_list_clusters(&m->aws, regions, on_clusters, m);
    free(regions);
}

static void use_session_region(struct model *m)
{
    model_free_strings(m->regions, m->region_count);
    m->regions = xrealloc(NULL, sizeof(char *));
    m->regions[0] = xstrdup(m->aws.region);
    m->region_count = 1;
}

static void on_regions(char **regions, size_t count,
                       const struct api_error *err, void *ctx)
{
    struct model *m = ctx;

    if (err) {
        /* Without the region list, the configured region still works. */
        model_set_status(m, "DescribeRegions", err);
        use_session_region(m);
    } else {
        model_free_strings(m->regions, m->region_count);
        m->regions = regions;
        m->region_count = count;
    }
    list_clusters(m);
}

void model_load_clusters(struct model *m)
{
    if (!m->aws.region) {
        m->clusters_state = MODEL_FAILED;
        api_error_set(&m->clusters_error, "MissingRegion",
                      "no AWS region is configured: set AWS_REGION, "
                      "pass --region, or add region to the profile");
        model_set_status(m, "EKS", &m->clusters_error);
        model_select_initial(m);
        return;
    }
    m->clusters_state = MODEL_LOADING;
    if (m->region_only) {
        use_session_region(m);
        list_clusters(m);
    } else {
        ec2_describe_regions(&m->aws, on_regions, m);
    }
}

static void copy_role(struct model_role *dst, struct iam_role *src)
{
    memset(dst, 0, sizeof(*dst));
    dst->name = steal(&src->name);
    dst->arn = steal(&src->arn);
    dst->path = steal(&src->path);
    dst->created = steal(&src->created);
    dst->description = steal(&src->description);
    dst->trust_policy = steal(&src->trust_policy);
}

static void on_roles(struct iam_role_list *list, const struct api_error *err,
                     void *ctx)
{
    struct model *m = ctx;

    if (err) {
        m->roles_state = MODEL_FAILED;
        m->roles_error = *err;
        model_set_status(m, "ListRoles", err);
        iam_role_list_free(list);
        return;
    }
    for (size_t i = 0; i < m->role_count; i++)
        model_free_role(&m->roles[i]);
    m->roles = xrealloc(m->roles, list->count * sizeof(*m->roles));
    for (size_t i = 0; i < list->count; i++)
        copy_role(&m->roles[i], &list->items[i]);
    m->role_count = list->count;
    m->roles_state = MODEL_READY;
    iam_role_list_free(list);
    model_join_roles(m);
    /* After the roles rather than beside them, so IAM gets one request
     * at a time in a fixed order. */
    if (m->providers_state != MODEL_LOADING)
        model_load_providers(m);
}

void model_load_identity(struct model *m)
{
    m->identity_state = MODEL_LOADING;
    sts_get_caller_identity(&m->aws, on_identity, m);
}

static void on_providers(struct iam_oidc_provider_list *list,
                         const struct api_error *err, void *ctx)
{
    struct model *m = ctx;

    if (err) {
        m->providers_state = MODEL_FAILED;
        m->providers_error = *err;
        model_set_status(m, "ListOpenIDConnectProviders", err);
        model_join_roles(m);
        return;
    }
    model_free_strings(m->oidc_providers, m->oidc_provider_count);
    m->oidc_providers = list->arns;
    m->oidc_provider_count = list->count;
    list->arns = NULL;
    list->count = 0;
    iam_oidc_provider_list_free(list);
    m->providers_state = MODEL_READY;
    model_join_roles(m);
}

void model_load_providers(struct model *m)
{
    m->providers_state = MODEL_LOADING;
    iam_list_oidc_providers(&m->aws, on_providers, m);
}

void model_load_roles(struct model *m)
{
    m->roles_state = MODEL_LOADING;
    iam_list_roles(&m->aws, on_roles, m);
}

void model_load(struct model *m)
{
    model_load_identity(m);
    model_load_roles(m);
    /* A kubeconfig context can be opened before AWS replies. */
    model_select_initial(m);
    model_load_clusters(m);
}

/* A role detail load in flight; the role is looked up again by ARN when
 * it completes, because the role list may have been reloaded. */
struct detail_load {
    struct model *m;
    struct iam_role role;
};

static char **take_attached(struct iam_role *r)
{
    char **arns = xrealloc(NULL, (r->attached_count + 1) * sizeof(*arns));
    for (size_t i = 0; i < r->attached_count; i++)
        arns[i] = steal(&r->attached[i].arn);
    return arns;
}

static void on_role_details(struct iam_role *role, const struct api_error *err,
                            void *ctx)
{
    struct detail_load *load = ctx;
    struct model *m = load->m;
    size_t i = model_role_by_arn(m, role->arn);

    if (i != MODEL_NONE) {
        struct model_role *r = &m->roles[i];
        r->details_state = err ? MODEL_FAILED : MODEL_READY;
        if (!err) {
            model_free_strings(r->attached_arns, r->attached_count);
            model_free_strings(r->inline_names, r->inline_count);
            r->attached_arns = take_attached(role);
            r->attached_count = role->attached_count;
            r->inline_names = role->inline_names;
            r->inline_count = role->inline_count;
            role->inline_names = NULL;
            role->inline_count = 0;
            if (role->trust_policy) {
                free(r->trust_policy);
                r->trust_policy = steal(&role->trust_policy);
            }
        }
    }
    if (err)
        model_set_status(m, "GetRole", err);
    iam_role_cleanup(role);
    free(load);
    m->version++;
}

void model_load_role_details(struct model *m, size_t i)
{
    if (i >= m->role_count || m->roles[i].details_state == MODEL_LOADING)
        return;
    struct detail_load *load = xrealloc(NULL, sizeof(*load));
    memset(load, 0, sizeof(*load));
    load->m = m;
    load->role.name = xstrdup(m->roles[i].name);
    load->role.arn = xstrdup(m->roles[i].arn);
    m->roles[i].details_state = MODEL_LOADING;
    m->version++;
    iam_load_role_details(&m->aws, &load->role, on_role_details, load);
}
