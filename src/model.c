/*
 * Model lifetime, lookups and the joins between service accounts and
 * roles. The loads themselves are in model_load.c (AWS),
 * model_cluster.c (the cluster list) and model_objects.c (Kubernetes).
 */
#include "model.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model_internal.h"
#include "util.h"

int model_init(struct model *m, const struct model_options *opt, char *err,
               size_t errlen)
{
    memset(m, 0, sizeof(*m));
    m->current = MODEL_NONE;
    m->http = http_client_new();
    if (!m->http) {
        snprintf(err, errlen, "cannot start the HTTP client");
        return -1;
    }
    if (http_client_configure(m->http, err, errlen) < 0) {
        http_client_free(m->http);
        m->http = NULL;
        return -1;
    }

    struct aws_session_options aws_opt = {
        .profile = opt->profile,
        .region = opt->region,
        .readonly = opt->readonly,
    };
    if (aws_session_init(&m->aws, m->http, &aws_opt, err, errlen) < 0) {
        http_client_free(m->http);
        m->http = NULL;
        return -1;
    }
    m->aws_ready = 1;
    m->requested_cluster = xstrdup(opt->cluster);
    m->requested_context = xstrdup(opt->context);
    m->region_only = opt->region_only;
    m->namespace = xstrdup(opt->namespace);
    m->watch = opt->watch;

    if (model_load_kubeconfig(m, opt->kubeconfig, err, errlen) < 0) {
        model_cleanup(m);
        return -1;
    }
    return 0;
}

static void free_cluster(struct model_cluster *c)
{
    free(c->name);
    free(c->region);
    free(c->status);
    free(c->version);
    free(c->endpoint);
    free(c->oidc_issuer);
    free(c->arn);
    free(c->created);
    free(c->ca_data);
    free(c->context);
    if (c->kube) {
        kube_client_cleanup(c->kube);
        free(c->kube);
    }
}

void model_free_service_account(struct model_service_account *sa)
{
    free(sa->namespace);
    free(sa->name);
    free(sa->role_arn);
    free(sa->created);
}

void model_free_ingress(struct model_ingress *ing)
{
    free(ing->namespace);
    free(ing->name);
    free(ing->class_name);
    free(ing->hosts);
    free(ing->address);
    free(ing->group_name);
    free(ing->created);
}

void model_free_strings(char **list, size_t count)
{
    for (size_t i = 0; i < count; i++)
        free(list[i]);
    free(list);
}

void model_free_role(struct model_role *r)
{
    free(r->name);
    free(r->arn);
    free(r->path);
    free(r->created);
    free(r->description);
    free(r->trust_policy);
    model_free_strings(r->attached_arns, r->attached_count);
    model_free_strings(r->inline_names, r->inline_count);
}

void model_cleanup(struct model *m)
{
    /* Requests in flight point at the model: cancel them first. */
    model_watch_stop_all(m);
    if (m->http)
        http_client_free(m->http);
    m->http = NULL;
    for (size_t i = 0; i < m->cluster_count; i++)
        free_cluster(&m->clusters[i]);
    free(m->clusters);
    for (size_t i = 0; i < m->role_count; i++)
        model_free_role(&m->roles[i]);
    free(m->roles);
    model_free_strings(m->oidc_providers, m->oidc_provider_count);
    for (size_t i = 0; i < m->service_account_count; i++)
        model_free_service_account(&m->service_accounts[i]);
    free(m->service_accounts);
    for (size_t i = 0; i < m->ingress_count; i++)
        model_free_ingress(&m->ingresses[i]);
    free(m->ingresses);
    model_free_pod_identities(m);
    model_free_strings(m->regions, m->region_count);
    free(m->account);
    free(m->caller_arn);
    free(m->requested_cluster);
    free(m->requested_context);
    free(m->namespace);
    if (m->have_kubeconfig)
        kubeconfig_free(&m->kubeconfig);
    if (m->aws_ready)
        aws_session_cleanup(&m->aws);
    memset(m, 0, sizeof(*m));
    m->current = MODEL_NONE;
}

int model_wait(struct model *m, const int *fds, int *readable, size_t nfds,
               int timeout_ms)
{
    return http_wait(m->http, fds, readable, nfds, timeout_ms);
}

size_t model_busy(const struct model *m)
{
    return http_pending(m->http);
}

size_t model_cancel(struct model *m)
{
    size_t n = http_pending(m->http);
    if (n == 0)
        return 0;
    http_cancel_all(m->http);
    snprintf(m->status, sizeof(m->status), "cancelled %zu request%s in "
             "flight; press r to load again", n, n == 1 ? "" : "s");
    m->version++;
    return n;
}

size_t model_role_by_arn(const struct model *m, const char *arn)
{
    for (size_t i = 0; arn && i < m->role_count; i++)
        if (strcmp(m->roles[i].arn, arn) == 0)
            return i;
    return MODEL_NONE;
}

size_t model_cluster_by_name(const struct model *m, const char *name)
{
    for (size_t i = 0; name && i < m->cluster_count; i++)
        if (strcmp(m->clusters[i].name, name) == 0)
            return i;
    return MODEL_NONE;
}

void model_join_roles(struct model *m)
{
    for (size_t i = 0; i < m->role_count; i++)
        m->roles[i].service_account_count = 0;
    for (size_t i = 0; i < m->service_account_count; i++) {
        struct model_service_account *sa = &m->service_accounts[i];
        sa->role = model_role_by_arn(m, sa->role_arn);
        sa->role_missing = sa->role_arn && sa->role == MODEL_NONE &&
                           m->roles_state == MODEL_READY;
        model_judge_role(m, sa);
        model_judge_pod_identity(m, sa);
        if (sa->role_status == MODEL_ROLE_OK ||
            sa->role_status == MODEL_ROLE_TOO_BROAD)
            m->roles[sa->role].service_account_count++;
    }
    m->version++;
}

void model_set_status(struct model *m, const char *what,
                      const struct api_error *err)
{
    if (err->http_status)
        snprintf(m->status, sizeof(m->status), "%s: %s (HTTP %ld): %s", what,
                 err->code, err->http_status, err->message);
    else
        snprintf(m->status, sizeof(m->status), "%s: %s: %s", what, err->code,
                 err->message);
    m->version++;
}

long model_credentials_ttl(const struct model *m, time_t now)
{
    if (!m->aws.creds.access_key_id)
        return -2;
    if (!m->aws.creds.expiration)
        return -1;
    return (long)(m->aws.creds.expiration - now);
}

long model_token_ttl(const struct model *m, time_t now)
{
    if (m->current == MODEL_NONE)
        return -1;
    const struct kube_client *kc = m->clusters[m->current].kube;
    if (!kc || !kc->token || !kc->token_expiry)
        return -1;
    return (long)(kc->token_expiry - now);
}
