/*
 * The Kubernetes objects of an opened cluster: its service accounts and
 * ingresses, kept in flat arrays tagged with the cluster's index so that
 * the "all clusters" views need no merge.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../api/log.h"
#include "model_internal.h"
#include "util.h"

/* One list request in flight for a cluster. */
struct object_load {
    struct model *m;
    size_t cluster;
    unsigned generation;
};

static struct model_cluster *load_target(struct object_load *load)
{
    struct model_cluster *c = &load->m->clusters[load->cluster];
    return c->load_generation == load->generation ? c : NULL;
}

static void load_finished(struct model *m, struct model_cluster *c,
                          const char *what, const struct api_error *err)
{
    if (err) {
        c->error = *err;
        c->objects_state = MODEL_FAILED;
        char label[300];
        snprintf(label, sizeof(label), "%s on %s", what, c->name);
        model_set_status(m, label, err);
    }
    if (--c->loads_pending == 0 && c->objects_state != MODEL_FAILED)
        c->objects_state = MODEL_READY;
    m->version++;
}

/* Drops cluster i's service accounts from the flat array. */
static void forget_service_accounts(struct model *m, size_t i)
{
    size_t kept = 0;
    for (size_t k = 0; k < m->service_account_count; k++) {
        if (m->service_accounts[k].cluster == i)
            model_free_service_account(&m->service_accounts[k]);
        else
            m->service_accounts[kept++] = m->service_accounts[k];
    }
    m->service_account_count = kept;
}

/* Drops cluster i's ingresses from the flat array. */
static void forget_ingresses(struct model *m, size_t i)
{
    size_t kept = 0;
    for (size_t k = 0; k < m->ingress_count; k++) {
        if (m->ingresses[k].cluster == i)
            model_free_ingress(&m->ingresses[k]);
        else
            m->ingresses[kept++] = m->ingresses[k];
    }
    m->ingress_count = kept;
}

static void on_service_accounts(struct kube_sa_list *list,
                                const struct api_error *err, void *ctx)
{
    struct object_load *load = ctx;
    struct model *m = load->m;
    struct model_cluster *c = load_target(load);

    if (c && list) {
        forget_service_accounts(m, load->cluster);
        size_t n = m->service_account_count;
        m->service_accounts = xrealloc(m->service_accounts,
            (n + list->count) * sizeof(*m->service_accounts));
        for (size_t i = 0; i < list->count; i++)
            model_take_service_account(&m->service_accounts[n + i],
                                       load->cluster, &list->items[i]);
        m->service_account_count = n + list->count;
        model_join_roles(m);
        model_watch_start(m, load->cluster, KUBE_WATCH_SERVICE_ACCOUNTS,
                          list->resource_version);
    }
    kube_sa_list_free(list);
    if (c)
        load_finished(m, c, "list service accounts", err);
    free(load);
}

static void on_ingresses(struct kube_ingress_list *list,
                         const struct api_error *err, void *ctx)
{
    struct object_load *load = ctx;
    struct model *m = load->m;
    struct model_cluster *c = load_target(load);

    if (c && list) {
        forget_ingresses(m, load->cluster);
        size_t n = m->ingress_count;
        m->ingresses = xrealloc(m->ingresses,
                                (n + list->count) * sizeof(*m->ingresses));
        for (size_t i = 0; i < list->count; i++)
            model_take_ingress(&m->ingresses[n + i], load->cluster,
                               &list->items[i]);
        m->ingress_count = n + list->count;
        model_watch_start(m, load->cluster, KUBE_WATCH_INGRESSES,
                          list->resource_version);
    }
    kube_ingress_list_free(list);
    if (c)
        load_finished(m, c, "list ingresses", err);
    free(load);
}

void model_take_service_account(struct model_service_account *dst,
                                size_t cluster,
                                struct kube_service_account *src)
{
    memset(dst, 0, sizeof(*dst));
    dst->cluster = cluster;
    dst->namespace = steal(&src->namespace);
    dst->name = steal(&src->name);
    dst->role_arn = steal(&src->role_arn);
    dst->created = steal(&src->created);
}

void model_take_ingress(struct model_ingress *dst, size_t cluster,
                        struct kube_ingress *src)
{
    memset(dst, 0, sizeof(*dst));
    dst->cluster = cluster;
    dst->namespace = steal(&src->namespace);
    dst->name = steal(&src->name);
    dst->class_name = steal(&src->class_name);
    dst->hosts = steal(&src->hosts);
    dst->address = steal(&src->address);
    dst->group_name = steal(&src->group_name);
    dst->created = steal(&src->created);
}

void model_insecure_warning(const struct model_cluster *c, char *buf,
                            size_t len)
{
    snprintf(buf, len, "warning: TLS verification is off for %s "
             "(insecure-skip-tls-verify in the kubeconfig), so the server is "
             "not authenticated; set certificate-authority-data instead",
             c->name);
}

/* Creates the cluster's API client from its context or from what
 * DescribeCluster returned. Returns 0, or -1 with c->error set. */
static int connect_cluster(struct model *m, struct model_cluster *c)
{
    struct kube_endpoint ep;
    char err[512];

    memset(&ep, 0, sizeof(ep));
    if (c->context) {
        if (kubeconfig_endpoint(&m->kubeconfig, c->context, &ep, err,
                                sizeof(err)) < 0) {
            api_error_set(&c->error, "InvalidKubeconfig", "%s", err);
            return -1;
        }
    } else if (!c->endpoint || !c->ca_data) {
        api_error_set(&c->error, "ClusterNotReady",
                      "cluster %s has no API endpoint yet (status %s)",
                      c->name, c->status ? c->status : "unknown");
        return -1;
    } else if (kube_endpoint_from_eks(&ep, c->name, c->region, c->endpoint,
                                      c->ca_data) < 0) {
        api_error_set(&c->error, "InvalidCluster",
                      "cluster %s: certificateAuthority.data is not valid "
                      "base64", c->name);
        return -1;
    }
    /* kubectl honours the setting silently; here it is never silent. */
    c->tls_insecure = ep.insecure_skip_verify;
    if (c->tls_insecure) {
        model_insecure_warning(c, m->status, sizeof(m->status));
        log_msg(LOG_WARN, "%s", m->status);
        m->version++;
    }
    c->kube = xrealloc(NULL, sizeof(*c->kube));
    kube_client_init(c->kube, m->http, &m->aws, &ep);
    return 0;
}

static struct object_load *new_load(struct model *m, size_t i)
{
    struct object_load *load = xrealloc(NULL, sizeof(*load));
    load->m = m;
    load->cluster = i;
    load->generation = m->clusters[i].load_generation;
    return load;
}

void model_open_cluster(struct model *m, size_t i)
{
    if (i >= m->cluster_count)
        return;
    struct model_cluster *c = &m->clusters[i];
    m->current = i;
    m->version++;
    if (c->objects_state == MODEL_LOADING || c->objects_state == MODEL_READY)
        return;
    if (!c->kube && connect_cluster(m, c) < 0) {
        c->objects_state = MODEL_FAILED;
        model_set_status(m, c->name, &c->error);
        return;
    }
    c->objects_state = MODEL_LOADING;
    c->loads_pending = 2;
    memset(&c->error, 0, sizeof(c->error));
    kube_list_service_accounts(c->kube, m->namespace, on_service_accounts,
                               new_load(m, i));
    /* The first call may have failed synchronously and reloaded. */
    c = &m->clusters[i];
    kube_list_ingresses(c->kube, m->namespace, on_ingresses, new_load(m, i));
    model_load_pod_identities(m, i);
}

void model_reload_cluster(struct model *m, size_t i)
{
    if (i >= m->cluster_count)
        return;
    struct model_cluster *c = &m->clusters[i];
    c->load_generation++;  /* replies still in flight are dropped */
    c->loads_pending = 0;
    c->objects_state = MODEL_IDLE;
    c->pod_identities_state = MODEL_IDLE;
    c->addons_state = MODEL_IDLE;
    /* The old objects stay on screen until the new lists replace them,
     * and stay if the reload fails. */
    model_open_cluster(m, i);
}
