#include "pane.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "../api/creds.h"
#include "actions.h"
#include "apply_ui.h"
#include "detail.h"
#include "drill.h"

#define UNUSED(x) (void)(x)

void pane_format_error(const struct api_error *err, char *buf, size_t len)
{
    const char *code = err->code[0] ? err->code : "Error";
    if (err->http_status)
        snprintf(buf, len, "%s: %s (HTTP %ld)", code, err->message,
                 err->http_status);
    else
        snprintf(buf, len, "%s: %s", code, err->message);
}

void pane_format_age(const char *created, char *buf, size_t len)
{
    time_t then;
    if (!created || creds_parse_time(created, &then) < 0) {
        snprintf(buf, len, "-");
        return;
    }
    pane_format_since(then, buf, len);
}

void pane_format_since(time_t then, char *buf, size_t len)
{
    long s = (long)difftime(time(NULL), then);
    if (s < 0)
        s = 0;
    if (s < 120)
        snprintf(buf, len, "%lds", s);
    else if (s < 7200)
        snprintf(buf, len, "%ldm", s / 60);
    else if (s < 2 * 86400)
        snprintf(buf, len, "%ldh", s / 3600);
    else if (s < 2 * 365 * 86400L)
        snprintf(buf, len, "%ldd", s / 86400);
    else
        snprintf(buf, len, "%ldy", s / (365 * 86400L));
}

static const char *or_dash(const char *s)
{
    return s && *s ? s : "-";
}

static const char *cluster_name(const struct model *m, size_t i)
{
    return i < m->cluster_count ? m->clusters[i].name : "-";
}

/* ---- clusters ---------------------------------------------------- */

#define CLUSTER(ui, item) (&(ui)->m->clusters[item])

static const char *cl_name(const struct ui *ui, const struct view *v,
                           size_t item, char *buf, size_t len,
                           enum theme_role *role)
{
    UNUSED(v), UNUSED(buf), UNUSED(len);
    if (item == ui->m->current)
        *role = THEME_KEY;
    return CLUSTER(ui, item)->name;
}

static const char *cl_region(const struct ui *ui, const struct view *v,
                             size_t item, char *buf, size_t len,
                             enum theme_role *role)
{
    UNUSED(v), UNUSED(buf), UNUSED(len), UNUSED(role);
    return or_dash(CLUSTER(ui, item)->region);
}

static const char *cl_status(const struct ui *ui, const struct view *v,
                             size_t item, char *buf, size_t len,
                             enum theme_role *role)
{
    UNUSED(v), UNUSED(buf), UNUSED(len);
    const char *s = or_dash(CLUSTER(ui, item)->status);
    if (strcmp(s, "ACTIVE") == 0)
        *role = THEME_OK;
    else if (strcmp(s, "FAILED") == 0 || strcmp(s, "DELETING") == 0)
        *role = THEME_ERROR;
    else if (strcmp(s, "-") == 0)
        *role = THEME_DIM;
    else
        *role = THEME_WARNING;
    return s;
}

static const char *cl_version(const struct ui *ui, const struct view *v,
                              size_t item, char *buf, size_t len,
                              enum theme_role *role)
{
    UNUSED(v), UNUSED(buf), UNUSED(len), UNUSED(role);
    return or_dash(CLUSTER(ui, item)->version);
}

static const char *cl_oidc(const struct ui *ui, const struct view *v,
                           size_t item, char *buf, size_t len,
                           enum theme_role *role)
{
    UNUSED(v), UNUSED(buf), UNUSED(len);
    const struct model_cluster *c = CLUSTER(ui, item);
    if (!c->in_aws) {
        *role = THEME_DIM;
        return "-";
    }
    if (c->oidc_issuer && model_cluster_has_provider(ui->m, c) == 0) {
        *role = THEME_ERROR;
        return "no provider";
    }
    if (c->oidc_issuer)
        return "yes";
    *role = THEME_WARNING;
    return "no";
}

static const char *cl_context(const struct ui *ui, const struct view *v,
                              size_t item, char *buf, size_t len,
                              enum theme_role *role)
{
    UNUSED(v), UNUSED(buf), UNUSED(len), UNUSED(role);
    return or_dash(CLUSTER(ui, item)->context);
}

static const struct column cluster_columns[] = {
    { .header = "NAME", .min_width = 8, .weight = 3, .cell = cl_name },
    { .header = "REGION", .min_width = 6, .max_width = 16,
      .cell = cl_region },
    { .header = "STATUS", .min_width = 6, .max_width = 10,
      .cell = cl_status },
    { .header = "VERSION", .min_width = 4, .max_width = 8,
      .cell = cl_version },
    { .header = "OIDC", .min_width = 3, .max_width = 11, .cell = cl_oidc },
    { .header = "CONTEXT", .min_width = 6, .weight = 2, .keep_end = 1,
      .cell = cl_context },
};

static void cl_title(const struct ui *ui, const struct view *v, char *buf,
                     size_t len)
{
    UNUSED(v);
    const struct model *m = ui->m;
    snprintf(buf, len, "Clusters (%zu) in %zu region%s and the kubeconfig",
             m->cluster_count, m->region_count,
             m->region_count == 1 ? "" : "s");
}

static size_t cl_count(const struct ui *ui, const struct view *v)
{
    UNUSED(v);
    return ui->m->cluster_count;
}

static enum model_state cl_state(const struct ui *ui, const struct view *v,
                                 char *err, size_t len)
{
    UNUSED(v);
    const struct model *m = ui->m;
    if (m->clusters_state == MODEL_FAILED)
        pane_format_error(&m->clusters_error, err, len);
    else if (m->cluster_count == 0)
        snprintf(err, len, "no clusters in the account's regions or the "
                 "kubeconfig");
    return m->clusters_state;
}

static int cl_enter(struct ui *ui, struct view *v, size_t item)
{
    UNUSED(v);
    return pane_open_cluster(ui, item);
}

static int install_selected(struct ui *ui)
{
    size_t item = ui->install_item;
    if (item >= ui->m->cluster_count)
        return REACT_NONE;
    const struct model_cluster *c = &ui->m->clusters[item];
    return apply_ui_start_install(ui, c->name, c->region,
                                  ui->install_removes);
}

/* Asks about the selected EKS cluster, then (un)installs. */
static int ask_install(struct ui *ui, struct view *v, int uninstalling)
{
    size_t item = table_selected_item(&v->table);
    if (item == (size_t)-1 || item >= ui->m->cluster_count)
        return REACT_NONE;
    const struct model_cluster *c = &ui->m->clusters[item];
    if (!c->in_aws)
        return ui_message(ui, 1, "%s is known only from the kubeconfig: "
                          "the controller needs its EKS cluster", c->name);
    ui->install_item = item;
    ui->install_removes = uninstalling;
    if (uninstalling)
        return ui_confirm(ui, install_selected, "uninstall the AWS Load "
                          "Balancer Controller from %s in %s (its objects, "
                          "then the role stack and policy albatross made)?",
                          c->name, c->region);
    return ui_confirm(ui, install_selected, "install the AWS Load Balancer "
                      "Controller on %s in %s (policy, IRSA role stack, "
                      "objects, rollout)?", c->name, c->region);
}

static int cl_install(struct ui *ui, struct view *v, const char *arg)
{
    UNUSED(arg);
    return ask_install(ui, v, 0);
}

static int cl_uninstall(struct ui *ui, struct view *v, const char *arg)
{
    UNUSED(arg);
    return ask_install(ui, v, 1);
}

static const struct binding cluster_keys[] = {
    { .keys = { 'I' }, .command = "install", .hint = "install-lbc",
      .mutates = 1, .help = "Install the AWS Load Balancer Controller on "
      "the cluster, with its IAM policy and IRSA role", .run = cl_install },
    { .keys = { 'X' }, .command = "uninstall", .hint = "uninstall-lbc",
      .mutates = 1, .help = "Uninstall the AWS Load Balancer Controller "
      "from the cluster, and the role and policy albatross made for it",
      .run = cl_uninstall },
    ACTIONS_CLUSTER_BINDINGS,
};

static int cl_reload(struct ui *ui, struct view *v)
{
    UNUSED(v);
    model_load(ui->m);
    return ui_message(ui, 0, "reloading clusters and roles");
}

const struct pane pane_clusters = {
    .name = "clusters",
    .title = cl_title,
    .columns = cluster_columns,
    .column_count = sizeof(cluster_columns) / sizeof(cluster_columns[0]),
    .item_count = cl_count,
    .state = cl_state,
    .enter = cl_enter,
    .reload = cl_reload,
    .keys = cluster_keys,
    .key_count = sizeof(cluster_keys) / sizeof(cluster_keys[0]),
    .noun = "clusters",
};

/* ---- service accounts and ingresses: shared scope ------------------ */

/* Starts loading the objects of every cluster not loaded yet, without
 * changing the current cluster. */
static void open_all_clusters(struct model *m)
{
    size_t current = m->current;
    for (size_t i = 0; i < m->cluster_count; i++)
        if (m->clusters[i].objects_state == MODEL_IDLE)
            model_open_cluster(m, i);
    m->current = current;
}

static enum model_state objects_state(const struct ui *ui,
                                      const struct view *v, char *err,
                                      size_t len)
{
    const struct model *m = ui->m;
    if (v->all_clusters) {
        enum model_state state = MODEL_READY;
        for (size_t i = 0; i < m->cluster_count; i++)
            if (m->clusters[i].objects_state == MODEL_LOADING)
                state = MODEL_LOADING;
        if (m->cluster_count == 0 && m->clusters_state == MODEL_LOADING)
            state = MODEL_LOADING;
        return state;
    }
    size_t c = view_cluster(ui, v);
    if (c == MODEL_NONE) {
        snprintf(err, len, "no cluster selected: choose one in the clusters "
                 "pane (1) and press Enter, or press a for all clusters");
        return m->clusters_state == MODEL_LOADING ? MODEL_LOADING
                                                  : MODEL_READY;
    }
    const struct model_cluster *cl = &m->clusters[c];
    if (cl->objects_state == MODEL_FAILED)
        pane_format_error(&cl->error, err, len);
    return cl->objects_state;
}

static int objects_reload(struct ui *ui, struct view *v)
{
    struct model *m = ui->m;
    if (!v->all_clusters) {
        size_t c = view_cluster(ui, v);
        if (c == MODEL_NONE)
            return ui_message(ui, 1, "no cluster selected to reload");
        model_reload_cluster(m, c);
        return ui_message(ui, 0, "reloading %s", m->clusters[c].name);
    }
    for (size_t i = 0; i < m->cluster_count; i++)
        if (m->clusters[i].objects_state != MODEL_IDLE)
            model_reload_cluster(m, i);
    return ui_message(ui, 0, "reloading every open cluster");
}

static int toggle_all(struct ui *ui, struct view *v, const char *arg)
{
    UNUSED(arg);
    if (v->role != MODEL_NONE)
        return ui_message(ui, 1, "this list already spans every cluster");
    v->all_clusters = !v->all_clusters;
    if (v->all_clusters)
        open_all_clusters(ui->m);
    else if (view_cluster(ui, v) != MODEL_NONE)
        model_open_cluster(ui->m, view_cluster(ui, v));
    return REACT_ROWS;
}

#define TOGGLE_ALL_BINDING                                                \
    { .keys = { 'a' }, .help = "Toggle all clusters and the "            \
      "current cluster", .run = toggle_all }

static const struct binding objects_keys[] = { TOGGLE_ALL_BINDING };

static void scope_title(const struct ui *ui, const struct view *v,
                        const char *what, char *buf, size_t len)
{
    const struct model *m = ui->m;
    size_t c = view_cluster(ui, v);
    if (v->role != MODEL_NONE && v->role < m->role_count)
        snprintf(buf, len, "%s using role %s", what, m->roles[v->role].name);
    else if (v->all_clusters)
        snprintf(buf, len, "%s of all clusters", what);
    else if (c != MODEL_NONE)
        snprintf(buf, len, "%s of %s%s%s", what, m->clusters[c].name,
                 m->clusters[c].region ? " in " : "",
                 m->clusters[c].region ? m->clusters[c].region : "");
    else
        snprintf(buf, len, "%s", what);
}

static int in_scope(const struct ui *ui, const struct view *v,
                    size_t cluster)
{
    return v->all_clusters || cluster == view_cluster(ui, v);
}

/* ---- service accounts ---------------------------------------------- */

#define SA(ui, item) (&(ui)->m->service_accounts[item])

static const char *sa_cluster(const struct ui *ui, const struct view *v,
                              size_t item, char *buf, size_t len,
                              enum theme_role *role)
{
    UNUSED(v), UNUSED(buf), UNUSED(len), UNUSED(role);
    return cluster_name(ui->m, SA(ui, item)->cluster);
}

static const char *sa_namespace(const struct ui *ui, const struct view *v,
                                size_t item, char *buf, size_t len,
                                enum theme_role *role)
{
    UNUSED(v), UNUSED(buf), UNUSED(len), UNUSED(role);
    return SA(ui, item)->namespace;
}

static const char *sa_name(const struct ui *ui, const struct view *v,
                           size_t item, char *buf, size_t len,
                           enum theme_role *role)
{
    UNUSED(v), UNUSED(buf), UNUSED(len), UNUSED(role);
    return SA(ui, item)->name;
}

static const char *sa_role_arn(const struct ui *ui, const struct view *v,
                               size_t item, char *buf, size_t len,
                               enum theme_role *role)
{
    UNUSED(v), UNUSED(buf), UNUSED(len);
    const char *arn = SA(ui, item)->role_arn;
    if (!arn)
        *role = THEME_DIM;
    return or_dash(arn);
}

/* The role status from the trust policy; "unknown" until the roles, the
 * OIDC providers and the cluster's issuer are loaded. */
static const char *sa_role_status(const struct ui *ui, const struct view *v,
                                  size_t item, char *buf, size_t len,
                                  enum theme_role *role)
{
    UNUSED(v), UNUSED(buf), UNUSED(len);
    enum model_role_status status = SA(ui, item)->role_status;
    switch (status) {
    case MODEL_ROLE_OK:
        *role = THEME_OK;
        break;
    case MODEL_ROLE_TOO_BROAD:
        *role = THEME_WARNING;
        break;
    case MODEL_ROLE_MISSING:
    case MODEL_ROLE_NOT_TRUSTED:
    case MODEL_ROLE_NO_PROVIDER:
        *role = THEME_ERROR;
        break;
    case MODEL_ROLE_NONE:
    case MODEL_ROLE_UNKNOWN:
        *role = THEME_DIM;
        break;
    }
    return model_role_status_name(status);
}

/* The role EKS Pod Identity gives, by name, next to the IRSA annotation:
 * red when its trust rejects pods.eks.amazonaws.com or when the
 * annotation names another role. */
static const char *sa_pod_identity(const struct ui *ui, const struct view *v,
                                   size_t item, char *buf, size_t len,
                                   enum theme_role *role)
{
    UNUSED(v);
    const struct model_service_account *sa = SA(ui, item);
    if (sa->pod_identity == MODEL_NONE) {
        *role = THEME_DIM;
        return sa->pod_status == MODEL_ROLE_UNKNOWN ? "?" : "-";
    }
    const char *arn = ui->m->pod_identities[sa->pod_identity].role_arn;
    const char *slash = arn ? strrchr(arn, '/') : NULL;
    int bad = sa->pod_status == MODEL_ROLE_MISSING ||
              sa->pod_status == MODEL_ROLE_NOT_TRUSTED;
    *role = sa->identity_conflict || bad ? THEME_ERROR
            : sa->pod_status == MODEL_ROLE_OK ? THEME_OK : THEME_DIM;
    snprintf(buf, len, "%s%s", slash ? slash + 1 : or_dash(arn),
             sa->identity_conflict ? " (conflict)"
             : sa->pod_status == MODEL_ROLE_MISSING ? " (missing role)"
             : bad ? " (not trusted)" : "");
    return buf;
}

static const struct column sa_columns[] = {
    { .header = "CLUSTER", .min_width = 6, .weight = 1,
      .spans_clusters = 1, .cell = sa_cluster },
    { .header = "NAMESPACE", .min_width = 6, .weight = 1,
      .cell = sa_namespace },
    { .header = "NAME", .min_width = 8, .weight = 2, .cell = sa_name },
    { .header = "POD IDENTITY", .min_width = 4, .max_width = 32,
      .cell = sa_pod_identity },
    { .header = "ROLE ARN", .min_width = 8, .weight = 3, .keep_end = 1,
      .cell = sa_role_arn },
    { .header = "ROLE STATUS", .min_width = 4, .max_width = 16,
      .cell = sa_role_status },
};

static void sa_title(const struct ui *ui, const struct view *v, char *buf,
                     size_t len)
{
    scope_title(ui, v, "Service accounts", buf, len);
}

static size_t sa_count(const struct ui *ui, const struct view *v)
{
    UNUSED(v);
    return ui->m->service_account_count;
}

static int sa_includes(const struct ui *ui, const struct view *v,
                       size_t item)
{
    const struct model_service_account *sa = SA(ui, item);
    if (v->role != MODEL_NONE)
        return sa->role == v->role;
    return in_scope(ui, v, sa->cluster);
}

static int sa_enter(struct ui *ui, struct view *v, size_t item)
{
    UNUSED(v);
    const struct model_service_account *sa = SA(ui, item);
    if (!sa->role_arn)
        return ui_message(ui, 1, "%s/%s has no eks.amazonaws.com/role-arn "
                          "annotation", sa->namespace, sa->name);
    if (sa->role_missing)
        return ui_message(ui, 1, "role %s does not exist in this account",
                          sa->role_arn);
    if (sa->role == MODEL_NONE)
        return ui_message(ui, 1, "role %s is not loaded yet; wait for the "
                          "roles or press r", sa->role_arn);
    return detail_open_role(ui, sa->role);
}

static int sa_describe(struct ui *ui, struct view *v, const char *arg)
{
    UNUSED(arg);
    size_t item = table_selected_item(&v->table);
    if (item == (size_t)-1)
        return REACT_NONE;
    return detail_open_service_account(ui, item);
}

static const struct binding sa_keys[] = {
    TOGGLE_ALL_BINDING,
    { .keys = { 'd' }, .help = "Describe the service account: its IRSA "
      "and Pod Identity roles", .run = sa_describe },
    ACTIONS_SA_BINDINGS,
};

const struct pane pane_service_accounts = {
    .name = "service accounts",
    .title = sa_title,
    .columns = sa_columns,
    .column_count = sizeof(sa_columns) / sizeof(sa_columns[0]),
    .item_count = sa_count,
    .includes = sa_includes,
    .state = objects_state,
    .enter = sa_enter,
    .reload = objects_reload,
    .keys = sa_keys,
    .key_count = sizeof(sa_keys) / sizeof(sa_keys[0]),
    .noun = "service accounts",
};

/* ---- IAM roles ------------------------------------------------------ */

#define ROLE(ui, item) (&(ui)->m->roles[item])

static const char *role_name(const struct ui *ui, const struct view *v,
                             size_t item, char *buf, size_t len,
                             enum theme_role *role)
{
    UNUSED(v), UNUSED(buf), UNUSED(len), UNUSED(role);
    return ROLE(ui, item)->name;
}

static const char *role_path(const struct ui *ui, const struct view *v,
                             size_t item, char *buf, size_t len,
                             enum theme_role *role)
{
    UNUSED(v), UNUSED(buf), UNUSED(len), UNUSED(role);
    return or_dash(ROLE(ui, item)->path);
}

/* The date part of the creation time. */
static const char *role_created(const struct ui *ui, const struct view *v,
                                size_t item, char *buf, size_t len,
                                enum theme_role *role)
{
    UNUSED(v), UNUSED(role);
    const char *created = ROLE(ui, item)->created;
    if (!created)
        return "-";
    snprintf(buf, len, "%.10s", created);
    return buf;
}

static const char *role_users(const struct ui *ui, const struct view *v,
                              size_t item, char *buf, size_t len,
                              enum theme_role *role)
{
    UNUSED(v);
    size_t n = ROLE(ui, item)->service_account_count;
    if (n == 0)
        *role = THEME_DIM;
    snprintf(buf, len, "%zu", n);
    return buf;
}

static const struct column role_columns[] = {
    { .header = "NAME", .min_width = 8, .weight = 3, .cell = role_name },
    { .header = "PATH", .min_width = 4, .weight = 1, .cell = role_path },
    { .header = "CREATED", .min_width = 10, .max_width = 10,
      .cell = role_created },
    { .header = "SERVICE ACCOUNTS", .min_width = 3, .max_width = 16,
      .cell = role_users },
};

static void role_title(const struct ui *ui, const struct view *v, char *buf,
                       size_t len)
{
    UNUSED(v);
    snprintf(buf, len, "IAM roles (%zu)", ui->m->role_count);
}

static size_t role_count(const struct ui *ui, const struct view *v)
{
    UNUSED(v);
    return ui->m->role_count;
}

static enum model_state role_state(const struct ui *ui, const struct view *v,
                                   char *err, size_t len)
{
    UNUSED(v);
    if (ui->m->roles_state == MODEL_FAILED)
        pane_format_error(&ui->m->roles_error, err, len);
    return ui->m->roles_state;
}

static int role_enter(struct ui *ui, struct view *v, size_t item)
{
    UNUSED(v);
    return pane_open_role_users(ui, item);
}

static int role_describe(struct ui *ui, struct view *v, const char *arg)
{
    UNUSED(arg);
    size_t item = table_selected_item(&v->table);
    if (item == (size_t)-1)
        return REACT_NONE;
    return detail_open_role(ui, item);
}

static const struct binding role_keys[] = {
    { .keys = { 'd' }, .help = "Describe the role: trust "
      "policy, policies, service accounts", .run = role_describe },
    ACTIONS_ROLE_BINDINGS,
};

const struct pane pane_roles = {
    .name = "roles",
    .title = role_title,
    .columns = role_columns,
    .column_count = sizeof(role_columns) / sizeof(role_columns[0]),
    .item_count = role_count,
    .state = role_state,
    .enter = role_enter,
    .reload = cl_reload,
    .keys = role_keys,
    .key_count = sizeof(role_keys) / sizeof(role_keys[0]),
    .noun = "roles",
};

/* ---- ingresses ------------------------------------------------------ */

/* Rows are the chains of ui->chains: the ingress and the summary of the
 * load balancer behind it, refreshed by the chain layer. */
#define CHAIN(ui, item) (&(ui)->chains->items[item])

/* Starts loading the chains of cluster c unless they are loaded, loading
 * or failed (r retries a failure). */
static void open_chains(struct ui *ui, size_t c)
{
    const struct chain_cluster *cc = chains_cluster(ui->chains, c);
    if (c < ui->m->cluster_count && (!cc || cc->state == MODEL_IDLE))
        chains_load_cluster(ui->chains, c);
}

static const char *ing_cluster(const struct ui *ui, const struct view *v,
                               size_t item, char *buf, size_t len,
                               enum theme_role *role)
{
    UNUSED(v), UNUSED(buf), UNUSED(len), UNUSED(role);
    return cluster_name(ui->m, CHAIN(ui, item)->cluster);
}

static const char *ing_namespace(const struct ui *ui, const struct view *v,
                                 size_t item, char *buf, size_t len,
                                 enum theme_role *role)
{
    UNUSED(v), UNUSED(buf), UNUSED(len), UNUSED(role);
    return CHAIN(ui, item)->namespace;
}

static const char *ing_name(const struct ui *ui, const struct view *v,
                            size_t item, char *buf, size_t len,
                            enum theme_role *role)
{
    UNUSED(v), UNUSED(buf), UNUSED(len), UNUSED(role);
    return CHAIN(ui, item)->name;
}

static const char *ing_class(const struct ui *ui, const struct view *v,
                             size_t item, char *buf, size_t len,
                             enum theme_role *role)
{
    UNUSED(v), UNUSED(buf), UNUSED(len);
    const char *s = CHAIN(ui, item)->class_name;
    if (!s)
        *role = THEME_DIM;
    return or_dash(s);
}

static const char *ing_hosts(const struct ui *ui, const struct view *v,
                             size_t item, char *buf, size_t len,
                             enum theme_role *role)
{
    UNUSED(v), UNUSED(buf), UNUSED(len);
    const char *s = CHAIN(ui, item)->hosts;
    if (!s)
        *role = THEME_DIM;
    return s ? s : "*";
}

enum theme_role pane_alb_state_role(enum chain_alb_state state)
{
    switch (state) {
    case CHAIN_ALB_ACTIVE:
        return THEME_OK;
    case CHAIN_ALB_PROVISIONING:
        return THEME_WARNING;
    case CHAIN_ALB_FAILED:
    case CHAIN_ALB_MISSING:
        return THEME_ERROR;
    default:
        return THEME_DIM;
    }
}

static const char *ing_alb(const struct ui *ui, const struct view *v,
                           size_t item, char *buf, size_t len,
                           enum theme_role *role)
{
    UNUSED(v), UNUSED(buf), UNUSED(len);
    const struct chain *c = CHAIN(ui, item);
    if (c->state == MODEL_FAILED) {
        *role = THEME_ERROR;
        return "error";
    }
    *role = pane_alb_state_role(c->alb_state);
    return chain_alb_state_name(c->alb_state);
}

enum theme_role pane_targets_role(size_t healthy, size_t total)
{
    if (total == 0)
        return THEME_DIM;
    if (healthy == total)
        return THEME_OK;
    return healthy == 0 ? THEME_ERROR : THEME_WARNING;
}

/* "healthy/total", or "-" while no target group is known. */
static const char *ing_targets(const struct ui *ui, const struct view *v,
                               size_t item, char *buf, size_t len,
                               enum theme_role *role)
{
    UNUSED(v);
    const struct chain *c = CHAIN(ui, item);
    *role = pane_targets_role(c->targets_healthy, c->targets_total);
    if (!c->alb || c->target_group_count == 0)
        return "-";
    snprintf(buf, len, "%zu/%zu", c->targets_healthy, c->targets_total);
    return buf;
}

static const char *ing_warning(const struct ui *ui, const struct view *v,
                               size_t item, char *buf, size_t len,
                               enum theme_role *role)
{
    UNUSED(v);
    const struct chain *c = CHAIN(ui, item);
    if (!c->last_warning) {
        *role = THEME_DIM;
        return "-";
    }
    *role = THEME_WARNING;
    pane_format_since(c->last_warning, buf, len);
    return buf;
}

static const char *ing_address(const struct ui *ui, const struct view *v,
                               size_t item, char *buf, size_t len,
                               enum theme_role *role)
{
    UNUSED(v), UNUSED(buf), UNUSED(len);
    const char *s = CHAIN(ui, item)->address;
    if (!s)
        *role = THEME_WARNING;
    return s ? s : "none";
}

static const char *ing_age(const struct ui *ui, const struct view *v,
                           size_t item, char *buf, size_t len,
                           enum theme_role *role)
{
    UNUSED(v), UNUSED(role);
    pane_format_age(CHAIN(ui, item)->created, buf, len);
    return buf;
}

static const struct column ing_columns[] = {
    { .header = "CLUSTER", .min_width = 6, .weight = 1,
      .spans_clusters = 1, .cell = ing_cluster },
    { .header = "NAMESPACE", .min_width = 6, .weight = 1,
      .cell = ing_namespace },
    { .header = "NAME", .min_width = 8, .weight = 2, .cell = ing_name },
    { .header = "CLASS", .min_width = 3, .max_width = 12,
      .cell = ing_class },
    { .header = "HOSTS", .min_width = 5, .weight = 2, .cell = ing_hosts },
    { .header = "ALB", .min_width = 7, .max_width = 12, .cell = ing_alb },
    { .header = "TARGETS", .min_width = 7, .max_width = 9,
      .cell = ing_targets },
    { .header = "LAST WARNING", .min_width = 4, .max_width = 12,
      .cell = ing_warning },
    { .header = "ADDRESS", .min_width = 7, .weight = 3,
      .cell = ing_address },
    { .header = "AGE", .min_width = 3, .max_width = 5, .cell = ing_age },
};

/* The scope, and why load balancers are missing when a load failed. */
static void ing_title(const struct ui *ui, const struct view *v, char *buf,
                      size_t len)
{
    scope_title(ui, v, "Ingresses", buf, len);
    for (size_t i = 0; i < ui->m->cluster_count; i++) {
        const struct chain_cluster *cc = chains_cluster(ui->chains, i);
        if (!in_scope(ui, v, i) || !cc || cc->state != MODEL_FAILED)
            continue;
        size_t used = strlen(buf);
        snprintf(buf + used, len - used, "; loading the load balancers of "
                 "%s failed: %s", ui->m->clusters[i].name,
                 cc->error.code[0] ? cc->error.code : cc->error.message);
        return;
    }
}

static size_t ing_count(const struct ui *ui, const struct view *v)
{
    UNUSED(v);
    return ui->chains->count;
}

static int ing_includes(const struct ui *ui, const struct view *v,
                        size_t item)
{
    return in_scope(ui, v, CHAIN(ui, item)->cluster);
}

static int ing_identity(const struct ui *ui, const struct view *v,
                        size_t item, char *buf, size_t len)
{
    UNUSED(v);
    const struct chain *c = CHAIN(ui, item);
    snprintf(buf, len, "%zu %s/%s", c->cluster, c->namespace, c->name);
    return 1;
}

static void ing_prepare(struct ui *ui, struct view *v)
{
    if (!v->all_clusters) {
        size_t c = view_cluster(ui, v);
        if (c != MODEL_NONE)
            open_chains(ui, c);
        return;
    }
    for (size_t i = 0; i < ui->m->cluster_count; i++)
        open_chains(ui, i);
}

static enum model_state chains_state(const struct ui *ui, size_t c,
                                     char *err, size_t len)
{
    const struct chain_cluster *cc = chains_cluster(ui->chains, c);
    if (!cc || cc->state == MODEL_IDLE)
        return MODEL_LOADING;
    if (cc->state == MODEL_FAILED)
        pane_format_error(&cc->error, err, len);
    return cc->state;
}

static enum model_state ing_state(const struct ui *ui, const struct view *v,
                                  char *err, size_t len)
{
    const struct model *m = ui->m;
    if (!v->all_clusters) {
        size_t c = view_cluster(ui, v);
        if (c == MODEL_NONE)
            return objects_state(ui, v, err, len);
        return chains_state(ui, c, err, len);
    }
    enum model_state state = MODEL_READY;
    for (size_t i = 0; i < m->cluster_count; i++)
        if (chains_state(ui, i, err, len) == MODEL_LOADING)
            state = MODEL_LOADING;
    if (m->cluster_count == 0 && m->clusters_state == MODEL_LOADING)
        state = MODEL_LOADING;
    err[0] = '\0';
    return state;
}

static int ing_enter(struct ui *ui, struct view *v, size_t item)
{
    UNUSED(v);
    const struct chain *c = CHAIN(ui, item);
    return drill_open_ingress(ui, c->cluster, c->namespace, c->name);
}

static int ing_reload(struct ui *ui, struct view *v)
{
    struct model *m = ui->m;
    for (size_t i = 0; i < m->cluster_count; i++) {
        if (!in_scope(ui, v, i))
            continue;
        const struct chain_cluster *cc = chains_cluster(ui->chains, i);
        if (cc && cc->state != MODEL_IDLE && cc->state != MODEL_FAILED)
            chains_refresh(ui->chains, i);
        else
            chains_load_cluster(ui->chains, i);
    }
    if (v->all_clusters)
        return ui_message(ui, 0, "reloading the ingresses of every cluster");
    size_t c = view_cluster(ui, v);
    if (c == MODEL_NONE)
        return ui_message(ui, 1, "no cluster selected to reload");
    return ui_message(ui, 0, "reloading the ingresses of %s",
                      m->clusters[c].name);
}

const struct pane pane_ingresses = {
    .name = "ingresses",
    .title = ing_title,
    .columns = ing_columns,
    .column_count = sizeof(ing_columns) / sizeof(ing_columns[0]),
    .item_count = ing_count,
    .includes = ing_includes,
    .state = ing_state,
    .prepare = ing_prepare,
    .identity = ing_identity,
    .enter = ing_enter,
    .reload = ing_reload,
    .keys = objects_keys,
    .key_count = sizeof(objects_keys) / sizeof(objects_keys[0]),
    .noun = "ingresses",
};

/* ---- opening panes -------------------------------------------------- */

static const struct pane *const pane_of[] = {
    [UI_PANE_CLUSTERS] = &pane_clusters,
    [UI_PANE_SERVICE_ACCOUNTS] = &pane_service_accounts,
    [UI_PANE_ROLES] = &pane_roles,
    [UI_PANE_INGRESSES] = &pane_ingresses,
};

int pane_show(struct ui *ui, enum ui_pane pane, int all_clusters)
{
    struct view v = {
        .pane = pane_of[pane],
        .cluster = MODEL_NONE,
        .role = MODEL_NONE,
        .all_clusters = all_clusters,
    };
    struct model *m = ui->m;
    if (pane == UI_PANE_SERVICE_ACCOUNTS || pane == UI_PANE_INGRESSES) {
        if (all_clusters)
            open_all_clusters(m);
        else if (m->current != MODEL_NONE)
            model_open_cluster(m, m->current);
    }
    return ui_replace(ui, &v);
}

int pane_open_cluster(struct ui *ui, size_t cluster)
{
    if (cluster >= ui->m->cluster_count)
        return REACT_NONE;
    model_open_cluster(ui->m, cluster);
    struct view v = {
        .pane = &pane_service_accounts,
        .cluster = cluster,
        .role = MODEL_NONE,
    };
    return ui_push(ui, &v);
}

int pane_open_role_users(struct ui *ui, size_t role)
{
    if (role >= ui->m->role_count)
        return REACT_NONE;
    struct view v = {
        .pane = &pane_service_accounts,
        .cluster = MODEL_NONE,
        .role = role,
        .all_clusters = 1,
    };
    return ui_push(ui, &v);
}
