/*
 * The EKS identity actions of the clusters and service accounts panes:
 * associate the cluster's IAM OIDC provider (src/oidc.c, as eksctl
 * utils associate-iam-oidc-provider does), and create or delete the
 * EKS Pod Identity association of a service account. The previews read
 * what the calls need (the issuer and its thumbprint, the association
 * that exists), so the calls shown are the calls sent.
 */
#define _GNU_SOURCE  /* asprintf */
#include "action_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../api/eks_pod_identity.h"
#include "../api/iam_oidc.h"
#include "oidc.h"
#include "plan.h"
#include "pod_identity.h"
#include "util.h"

#define OIDC_CLIENT_ID "sts.amazonaws.com"

/* The kind's state: what the preview read, for the calls. */
struct eks_state {
    char *region;
    struct oidc_result oidc;
    char *association_id;       /* delete: the association found */
};

static void free_state(void *data)
{
    struct eks_state *st = data;
    free(st->region);
    free(st->association_id);
    free(st);
}

static struct eks_state *state(struct action_run *r)
{
    struct action_priv *p = action_priv(r);
    if (!p->data) {
        p->data = xrealloc(NULL, sizeof(struct eks_state));
        memset(p->data, 0, sizeof(struct eks_state));
        p->data_free = free_state;
    }
    return p->data;
}

/* Stores the region of the action's cluster in the state: the one EKS
 * listed it in, or NULL for the session's when the model has only its
 * kubeconfig context (the command line opens a cluster without listing
 * EKS). A cluster EKS does not know fails the first call with EKS's
 * ResourceNotFoundException. */
static void find_region(struct action_run *r)
{
    const struct model *m = r->model;
    size_t i = model_cluster_by_name(m, r->action.cluster);
    if (i < m->cluster_count && m->clusters[i].region)
        state(r)->region = xstrdup(m->clusters[i].region);
}

static int check_cluster(const struct action *a, struct api_error *err)
{
    return action_need(a->cluster, "cluster", err);
}

/* ---- associate the IAM OIDC provider ------------------------------------- */

/* The tags CreateOpenIDConnectProvider sends, as "key=value, ..." for
 * the preview. */
static char *tag_lines(const char *cluster)
{
    struct ccfg_map tags = {0};
    plan_shared_tags(&tags, cluster, NULL);
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    if (!f)
        abort();
    for (size_t i = 0; i < tags.count; i++)
        fprintf(f, "%s%s=%s", i ? ", " : "", tags.items[i].key,
                tags.items[i].value);
    fclose(f);
    ccfg_map_free(&tags);
    return text;
}

static void describe_provider(struct action_run *r)
{
    const struct action *a = &r->action;
    const struct oidc_result *res = &state(r)->oidc;
    char *tags = tag_lines(a->cluster);
    action_add_call(r, "IAM", "CreateOpenIDConnectProvider", res->issuer,
                    NULL, NULL, "Url", res->issuer, "ClientIDList",
                    OIDC_CLIENT_ID, "ThumbprintList", res->thumbprint,
                    "Tags", tags, NULL);
    action_add_call(r, "EKS", "TagResource", res->cluster_arn, NULL, NULL,
                    "tags", OIDC_ENABLED_TAG "=true", NULL);
    char what[600], *after = NULL;
    snprintf(what, sizeof(what), "IAM OIDC provider of cluster %s",
             a->cluster);
    if (asprintf(&after, "Url: %s\nClientIDList:\n  - %s\nThumbprintList:\n"
                 "  - %s\n", res->issuer, OIDC_CLIENT_ID,
                 res->thumbprint) < 0)
        abort();
    action_add_change(r, what, "", after);
    action_note(r, "the thumbprint is the SHA-1 of the last certificate "
                "the issuer %s sent, as eksctl computes it", res->issuer);
    free(after);
    free(tags);
}

static void on_oidc_read(const struct oidc_result *res,
                         const struct api_error *err, void *ctx)
{
    struct action_run *r = ctx;
    if (!action_arrived(r))
        return;
    if (err) {
        action_previewed(r, err);
        return;
    }
    state(r)->oidc = *res;
    if (res->outcome == OIDC_EXISTS) {
        struct api_error e = {0};
        api_error_set(&e, "AlreadyExists", "cluster %s has an IAM OIDC "
                      "provider already (%s): there is nothing to associate",
                      r->action.cluster, res->provider_arn);
        action_previewed(r, &e);
        return;
    }
    if (!res->cluster_arn[0]) {
        struct api_error e = {0};
        api_error_set(&e, "InvalidReply", "EKS DescribeCluster gave no ARN "
                      "for cluster %s, so it cannot be tagged",
                      r->action.cluster);
        action_previewed(r, &e);
        return;
    }
    describe_provider(r);
    action_previewed(r, NULL);
}

static void preview_oidc(struct action_run *r)
{
    const struct action *a = &r->action;
    action_summary(r, "associate an IAM OIDC provider with cluster %s",
                   a->cluster);
    find_region(r);
    /* A dry run reads the issuer, the account's providers and the
     * issuer's certificate chain, and creates nothing. */
    const struct oidc_request rq = {
        .region = state(r)->region, .cluster = a->cluster, .dry_run = 1,
    };
    action_waiting(r);
    oidc_associate(&r->model->aws, &rq, on_oidc_read, r);
}

static void on_provider_created(const struct oidc_result *res,
                                const struct api_error *err, void *ctx)
{
    struct action_run *r = ctx;
    if (!action_arrived(r))
        return;
    if (!err)
        action_set_result(r, res->provider_arn);
    action_sent(r, err);
}

static void send_oidc(struct action_run *r, size_t call)
{
    struct eks_state *st = state(r);
    action_waiting(r);
    if (call == 0) {
        const struct oidc_request rq = {
            .region = st->region, .cluster = r->action.cluster,
        };
        oidc_create_provider(&r->model->aws, &rq, st->oidc.issuer,
                             st->oidc.thumbprint, on_provider_created, r);
        return;
    }
    const struct iam_tag tag = { OIDC_ENABLED_TAG, "true" };
    eks_tag_resource(&r->model->aws, st->region, st->oidc.cluster_arn, &tag,
                     1, action_on_iam, r);
}

const struct action_ops action_associate_oidc_ops = {
    .check = check_cluster,
    .preview = preview_oidc, .send = send_oidc,
};

/* ---- EKS Pod Identity associations --------------------------------------- */

static int check_pod_identity(const struct action *a, struct api_error *err)
{
    if (check_cluster(a, err) < 0 || action_check_service_account(a, err) < 0)
        return -1;
    if (a->kind == ACTION_CREATE_POD_IDENTITY)
        return action_check_role_arn(a->role_arn, err);
    return 0;
}

/* The association as YAML-like text for the diff. */
static char *association_text(const char *ns, const char *sa,
                              const char *role_arn, const char *id)
{
    char *text = NULL;
    if (asprintf(&text, "%s%s%snamespace: %s\nserviceAccount: %s\n"
                 "roleArn: %s\n", id ? "associationId: " : "", id ? id : "",
                 id ? "\n" : "", ns, sa, role_arn ? role_arn : "-") < 0)
        abort();
    return text;
}

/* Adds rq as a call; id is the association a delete names, or NULL. */
static void add_request(struct action_run *r,
                        const struct eks_pod_identity_request *rq,
                        const char *id)
{
    action_add_call(r, "EKS", rq->operation, rq->path,
                    rq->body ? "JSON body" : NULL, rq->body, "clusterName",
                    r->action.cluster, "associationId", id, NULL);
}

/* Warns in the preview when the model's copy of the role's trust policy
 * does not let the Pod Identity agent assume it. The role may not be
 * loaded (or may be in another account): then EKS alone judges it. */
static void note_untrusted_role(struct action_run *r)
{
    const struct model *m = r->model;
    size_t role = model_role_by_arn(m, r->action.role_arn);
    if (role == MODEL_NONE || !m->roles[role].trust_policy)
        return;
    struct pod_identity_result result;
    model_judge_pod_identity_trust(m, role, model_cluster_by_name(
                                   m, r->action.cluster), &result);
    if (!result.trusted)
        action_note(r, "EKS will reject role %s: %s", m->roles[role].name,
                    result.reason);
}

static void describe_create(struct action_run *r)
{
    const struct action *a = &r->action;
    const struct eks_pod_identity_spec spec = {
        .namespace = a->namespace, .service_account = a->service_account,
        .role_arn = a->role_arn,
    };
    struct eks_pod_identity_request rq;
    struct api_error err = {0};
    if (eks_pod_identity_create_request(a->cluster, &spec, &rq, &err) < 0) {
        eks_pod_identity_request_cleanup(&rq);
        action_previewed(r, &err);
        return;
    }
    add_request(r, &rq, NULL);
    eks_pod_identity_request_cleanup(&rq);
    char what[600];
    snprintf(what, sizeof(what), "pod identity association of "
             "serviceaccount %s/%s in cluster %s", a->namespace,
             a->service_account, a->cluster);
    char *after = association_text(a->namespace, a->service_account,
                                   a->role_arn, NULL);
    action_add_change(r, what, "", after);
    free(after);
    note_untrusted_role(r);
    action_note(r, "EKS accepts the role only when its trust policy lets "
                "the service principal pods.eks.amazonaws.com call "
                "sts:AssumeRole and sts:TagSession, and pods get it "
                "through the eks-pod-identity-agent add-on");
    action_previewed(r, NULL);
}

static void describe_delete(struct action_run *r,
                            const struct eks_pod_identity *found)
{
    const struct action *a = &r->action;
    struct eks_pod_identity_request rq;
    struct api_error err = {0};
    if (eks_pod_identity_delete_request(a->cluster, found->association_id,
                                        &rq, &err) < 0) {
        eks_pod_identity_request_cleanup(&rq);
        action_previewed(r, &err);
        return;
    }
    add_request(r, &rq, found->association_id);
    eks_pod_identity_request_cleanup(&rq);
    state(r)->association_id = xstrdup(found->association_id);
    char what[600];
    snprintf(what, sizeof(what), "pod identity association of "
             "serviceaccount %s/%s in cluster %s", a->namespace,
             a->service_account, a->cluster);
    char *before = association_text(found->namespace, found->service_account,
                                    found->role_arn, found->association_id);
    action_add_change(r, what, before, "");
    free(before);
    action_previewed(r, NULL);
}

/* Previews the create or the delete from the association listed, or
 * ends the preview with the reason the action cannot go on. */
static void on_associations(struct eks_pod_identity_list *list,
                            const struct api_error *err, void *ctx)
{
    struct action_run *r = ctx;
    if (!action_arrived(r)) {
        eks_pod_identity_list_free(list);
        return;
    }
    if (err) {
        action_previewed(r, err);
        return;
    }
    const struct action *a = &r->action;
    const struct eks_pod_identity *found = list->count ? &list->items[0]
                                                       : NULL;
    struct api_error e = {0};
    if (a->kind == ACTION_CREATE_POD_IDENTITY && found) {
        api_error_set(&e, "ResourceInUseException", "serviceaccount %s/%s "
                      "has pod identity association %s already: delete it "
                      "first (cluster %s, role %s)", a->namespace,
                      a->service_account, found->association_id, a->cluster,
                      found->role_arn ? found->role_arn : "-");
        action_previewed(r, &e);
    } else if (a->kind == ACTION_DELETE_POD_IDENTITY && !found) {
        api_error_set(&e, "ResourceNotFoundException", "serviceaccount "
                      "%s/%s in cluster %s has no pod identity association "
                      "to delete", a->namespace, a->service_account,
                      a->cluster);
        action_previewed(r, &e);
    } else if (found) {
        describe_delete(r, found);
    } else {
        describe_create(r);
    }
    eks_pod_identity_list_free(list);
}

static void preview_pod_identity(struct action_run *r)
{
    const struct action *a = &r->action;
    if (a->kind == ACTION_CREATE_POD_IDENTITY)
        action_summary(r, "associate serviceaccount %s/%s with role %s "
                       "through EKS Pod Identity", a->namespace,
                       a->service_account, a->role_arn);
    else
        action_summary(r, "delete the pod identity association of "
                       "serviceaccount %s/%s", a->namespace,
                       a->service_account);
    find_region(r);
    const struct eks_pod_identity_filter filter = {
        .namespace = a->namespace, .service_account = a->service_account,
    };
    action_waiting(r);
    eks_list_pod_identities(&r->model->aws, state(r)->region, a->cluster,
                            &filter, on_associations, r);
}

static void on_pod_identity_written(const struct eks_pod_identity *assoc,
                                    const struct api_error *err, void *ctx)
{
    struct action_run *r = ctx;
    if (!action_arrived(r))
        return;
    if (!err && assoc && assoc->association_id)
        action_set_result(r, assoc->association_id);
    action_sent(r, err);
}

static void send_pod_identity(struct action_run *r, size_t call)
{
    const struct action *a = &r->action;
    struct eks_state *st = state(r);
    (void)call;
    action_waiting(r);
    if (a->kind == ACTION_DELETE_POD_IDENTITY) {
        eks_delete_pod_identity(&r->model->aws, st->region, a->cluster,
                                st->association_id, on_pod_identity_written,
                                r);
        return;
    }
    const struct eks_pod_identity_spec spec = {
        .namespace = a->namespace, .service_account = a->service_account,
        .role_arn = a->role_arn,
    };
    eks_create_pod_identity(&r->model->aws, st->region, a->cluster, &spec,
                            on_pod_identity_written, r);
}

const struct action_ops action_create_pod_identity_ops = {
    .check = check_pod_identity,
    .preview = preview_pod_identity, .send = send_pod_identity,
};

const struct action_ops action_delete_pod_identity_ops = {
    .check = check_pod_identity,
    .preview = preview_pod_identity, .send = send_pod_identity,
};
