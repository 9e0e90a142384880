/*
 * Clusters: kubeconfig contexts and EKS clusters merged into one list, and
 * the initial selection. Only the selected cluster is opened (see
 * model_objects.c), so one unreachable API server never slows the others.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../api/eks.h"
#include "model_internal.h"
#include "util.h"

static struct model_cluster *append_cluster(struct model *m)
{
    m->clusters = xrealloc(m->clusters,
                           (m->cluster_count + 1) * sizeof(*m->clusters));
    struct model_cluster *c = &m->clusters[m->cluster_count++];
    memset(c, 0, sizeof(*c));
    return c;
}

/* Adds one entry per context; an EKS cluster that a context reaches is
 * merged into it when EKS lists it. */
static void add_contexts(struct model *m)
{
    for (size_t i = 0; i < m->kubeconfig.context_count; i++) {
        const struct kubeconfig_context *ctx = &m->kubeconfig.contexts[i];
        struct kube_endpoint ep;
        char err[512];

        memset(&ep, 0, sizeof(ep));
        struct model_cluster *c = append_cluster(m);
        c->context = xstrdup(ctx->name);
        c->status = xstrdup("-");
        if (kubeconfig_endpoint(&m->kubeconfig, ctx->name, &ep, err,
                                sizeof(err)) == 0) {
            c->name = xstrdup(ep.eks_cluster ? ep.eks_cluster : ctx->name);
            c->region = xstrdup(ep.eks_region);
            c->endpoint = xstrdup(ep.server);
        } else {
            c->name = xstrdup(ctx->name);
            c->objects_state = MODEL_FAILED;
            api_error_set(&c->error, "InvalidKubeconfig", "%s", err);
        }
        kube_endpoint_cleanup(&ep);
    }
}

int model_load_kubeconfig(struct model *m, const char *paths, char *err,
                          size_t errlen)
{
    if (kubeconfig_load(&m->kubeconfig, paths, err, errlen) < 0)
        return -1;
    m->have_kubeconfig = 1;
    add_contexts(m);
    return 0;
}

static int same(const char *a, const char *b)
{
    return a && b && strcmp(a, b) == 0;
}

static struct model_cluster *find_match(struct model *m,
                                        const struct eks_cluster *e)
{
    for (size_t i = 0; i < m->cluster_count; i++) {
        struct model_cluster *c = &m->clusters[i];
        if (c->in_aws)
            continue;
        if (c->region ? same(c->name, e->name) && same(c->region, e->region)
                      : same(c->endpoint, e->endpoint))
            return c;
    }
    return NULL;
}

static void replace(char **field, char **value)
{
    free(*field);
    *field = steal(value);
}

void model_merge_eks_clusters(struct model *m, struct eks_cluster_list *list)
{
    for (size_t i = 0; i < list->count; i++) {
        struct eks_cluster *e = &list->items[i];
        struct model_cluster *c = find_match(m, e);
        if (!c)
            c = append_cluster(m);
        c->in_aws = 1;
        replace(&c->name, &e->name);
        replace(&c->region, &e->region);
        replace(&c->status, &e->status);
        replace(&c->version, &e->version);
        replace(&c->endpoint, &e->endpoint);
        replace(&c->oidc_issuer, &e->oidc_issuer);
        replace(&c->arn, &e->arn);
        replace(&c->created, &e->created_at);
        replace(&c->ca_data, &e->ca_data);
    }
    /* Role statuses depend on the issuers just listed. */
    model_join_roles(m);
    model_load_open_pod_identities(m);
}

static size_t find_context(const struct model *m, const char *context)
{
    for (size_t i = 0; context && i < m->cluster_count; i++)
        if (same(m->clusters[i].context, context))
            return i;
    return MODEL_NONE;
}

static size_t first_aws_cluster(const struct model *m)
{
    for (size_t i = 0; i < m->cluster_count; i++)
        if (m->clusters[i].in_aws)
            return i;
    return m->cluster_count ? 0 : MODEL_NONE;
}

static void selection_failed(struct model *m, const char *what,
                             const char *name, const char *where)
{
    snprintf(m->status, sizeof(m->status),
             "%s \"%s\" was not found in %s; pass --context or --cluster "
             "with one that exists", what, name, where);
    m->selection_failed = 1;
}

/* Picks --context, else --cluster once EKS has listed it, else the
 * kubeconfig's current context, else the first EKS cluster. */
int model_select_initial(struct model *m)
{
    if (m->current != MODEL_NONE || m->selection_failed)
        return m->current != MODEL_NONE;
    size_t i = MODEL_NONE;
    int listed = m->clusters_state == MODEL_READY ||
                 m->clusters_state == MODEL_FAILED;

    if (m->requested_context) {
        i = find_context(m, m->requested_context);
        if (i == MODEL_NONE)
            selection_failed(m, "context", m->requested_context,
                             m->have_kubeconfig ? m->kubeconfig.paths
                                                : "the kubeconfig");
    } else if (m->requested_cluster) {
        i = model_cluster_by_name(m, m->requested_cluster);
        if (i == MODEL_NONE && listed)
            selection_failed(m, "cluster", m->requested_cluster,
                             m->region_only ? m->aws.region
                                            : "any region of the account");
    } else {
        const char *current = m->have_kubeconfig
                                  ? m->kubeconfig.current_context
                                  : NULL;
        if (current) {
            /* As kubectl, a current-context that names no context is an
             * error, not a reason to pick another cluster. */
            i = find_context(m, current);
            if (i == MODEL_NONE) {
                selection_failed(m, "current-context", current,
                                 m->kubeconfig.paths);
                return 0;
            }
        }
        if (i == MODEL_NONE && listed)
            i = first_aws_cluster(m);
    }
    if (i != MODEL_NONE)
        model_open_cluster(m, i);
    m->version++;
    return i != MODEL_NONE;
}
