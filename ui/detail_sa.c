/*
 * The description of one service account: the role IRSA gives it (the
 * eks.amazonaws.com/role-arn annotation) and the role EKS Pod Identity
 * gives it (an association), each with its trust status, and the
 * findings when both are set with different roles or when the Pod
 * Identity role does not trust pods.eks.amazonaws.com.
 *
 * TODO: create and delete associations from here; only the command line
 * (albatross create|delete podidentityassociation) does it now.
 */
#include "detail.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ui.h"

/* The service account the view describes, found again by cluster,
 * namespace and name because a reload replaces the array. */
static const struct model_service_account *find(const struct ui *ui,
                                                const struct view *v)
{
    const struct model *m = ui->m;
    for (size_t i = 0; i < m->service_account_count; i++) {
        const struct model_service_account *sa = &m->service_accounts[i];
        if (sa->cluster == v->cluster && !strcmp(sa->namespace, v->namespace)
            && !strcmp(sa->name, v->name))
            return sa;
    }
    return NULL;
}

static enum theme_role status_role(enum model_role_status status)
{
    switch (status) {
    case MODEL_ROLE_OK:
        return THEME_OK;
    case MODEL_ROLE_TOO_BROAD:
        return THEME_WARNING;
    case MODEL_ROLE_MISSING:
    case MODEL_ROLE_NOT_TRUSTED:
    case MODEL_ROLE_NO_PROVIDER:
        return THEME_ERROR;
    case MODEL_ROLE_NONE:
    case MODEL_ROLE_UNKNOWN:
        break;
    }
    return THEME_DIM;
}

static void add_status(struct view *v, enum model_role_status status,
                       const char *reason)
{
    view_add_line(v, status_role(status), "  Status        %s",
                  model_role_status_name(status));
    if (reason[0])
        view_add_line(v, status_role(status), "    %s", reason);
}

static void add_irsa(struct view *v, const struct model_service_account *sa)
{
    view_add_line(v, THEME_COLUMN, "IRSA (annotation eks.amazonaws.com/"
                  "role-arn)");
    view_add_line(v, sa->role_arn ? THEME_NORMAL : THEME_DIM,
                  "  Role          %s", sa->role_arn ? sa->role_arn : "-");
    if (sa->role_arn)
        add_status(v, sa->role_status, sa->role_reason);
}

static void add_pod_identity(struct view *v, const struct model *m,
                             const struct model_service_account *sa)
{
    view_add_line(v, THEME_COLUMN, "EKS Pod Identity association");
    if (sa->pod_identity == MODEL_NONE) {
        view_add_line(v, THEME_DIM, "  %s",
                      sa->pod_status == MODEL_ROLE_UNKNOWN
                          ? "not loaded yet, or the listing failed"
                          : "none");
        return;
    }
    const struct model_pod_identity *a = &m->pod_identities[sa->pod_identity];
    view_add_line(v, THEME_NORMAL, "  Role          %s",
                  a->role_arn ? a->role_arn : "-");
    view_add_line(v, THEME_NORMAL, "  Association   %s", a->id);
    view_add_line(v, THEME_NORMAL, "  Created       %s",
                  a->created ? a->created : "-");
    add_status(v, sa->pod_status, sa->pod_reason);
}

static void add_findings(struct view *v, const struct model *m,
                         const struct model_service_account *sa)
{
    int untrusted = sa->pod_status == MODEL_ROLE_NOT_TRUSTED ||
                    sa->pod_status == MODEL_ROLE_MISSING;
    if (!sa->identity_conflict && !untrusted && !sa->pod_agent_missing)
        return;
    view_add_line(v, THEME_NORMAL, "%s", "");
    view_add_line(v, THEME_COLUMN, "Findings");
    if (sa->identity_conflict) {
        view_add_line(v, THEME_ERROR, "  Conflict: IRSA and Pod Identity "
                      "give different roles");
        view_add_line(v, THEME_ERROR, "    IRSA          %s", sa->role_arn);
        view_add_line(v, THEME_ERROR, "    Pod Identity  %s",
                      m->pod_identities[sa->pod_identity].role_arn);
        view_add_line(v, THEME_NORMAL, "    SDKs that try web identity "
                      "before container credentials (botocore does) use");
        view_add_line(v, THEME_NORMAL, "    the IRSA role; remove the "
                      "annotation or the association");
    }
    if (untrusted)
        view_add_line(v, THEME_ERROR, "  The Pod Identity agent cannot "
                      "assume the association's role (see its status)");
    if (sa->pod_agent_missing)
        view_add_line(v, THEME_ERROR, "  The cluster has no "
                      "eks-pod-identity-agent add-on, so its pods get no "
                      "credentials from the association");
}

static void sa_prepare(struct ui *ui, struct view *v)
{
    const struct model *m = ui->m;
    const struct model_service_account *sa = find(ui, v);
    view_clear_lines(v);
    if (!sa)
        return;
    view_add_line(v, THEME_NORMAL, "Namespace       %s", sa->namespace);
    view_add_line(v, THEME_NORMAL, "Name            %s", sa->name);
    view_add_line(v, THEME_NORMAL, "Cluster         %s",
                  sa->cluster < m->cluster_count
                      ? m->clusters[sa->cluster].name : "-");
    view_add_line(v, THEME_NORMAL, "Created         %s",
                  sa->created ? sa->created : "-");
    view_add_line(v, THEME_NORMAL, "Identity        %s",
                  model_identity_name(sa));
    view_add_line(v, THEME_NORMAL, "%s", "");
    add_irsa(v, sa);
    view_add_line(v, THEME_NORMAL, "%s", "");
    add_pod_identity(v, m, sa);
    add_findings(v, m, sa);
}

static void sa_title(const struct ui *ui, const struct view *v, char *buf,
                     size_t len)
{
    (void)ui;
    snprintf(buf, len, "Service account %s/%s", v->namespace, v->name);
}

static enum model_state sa_state(const struct ui *ui, const struct view *v,
                                 char *err, size_t len)
{
    if (!find(ui, v)) {
        snprintf(err, len, "the service account is no longer loaded; "
                 "press Esc");
        return MODEL_FAILED;
    }
    return MODEL_READY;
}

static int sa_reload(struct ui *ui, struct view *v)
{
    model_reload_cluster(ui->m, v->cluster);
    return ui_message(ui, 0, "reloading %s/%s", v->namespace, v->name);
}

const struct pane detail_sa_pane = {
    .name = "service account",
    .text = 1,
    .title = sa_title,
    .columns = detail_text_columns,
    .column_count = 1,
    .item_count = detail_line_count,
    .state = sa_state,
    .prepare = sa_prepare,
    .reload = sa_reload,
    .noun = "lines",
};

int detail_open_service_account(struct ui *ui, size_t item)
{
    if (item >= ui->m->service_account_count)
        return REACT_NONE;
    const struct model_service_account *sa = &ui->m->service_accounts[item];
    struct view v = {
        .pane = &detail_sa_pane,
        .cluster = sa->cluster,
        .role = MODEL_NONE,
        .namespace = strdup(sa->namespace),
        .name = strdup(sa->name),
    };
    if (!v.namespace || !v.name) {
        free(v.namespace);
        free(v.name);
        return ui_message(ui, 1, "out of memory");
    }
    return ui_push(ui, &v);
}
