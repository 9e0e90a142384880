/*
 * albatross get KIND: the panes' data without the UI. It starts only the
 * loads KIND needs, drives them to completion on the same model and event
 * loop as the UI, and prints the records.
 */
#include "cli.h"

#include <stdio.h>
#include <string.h>

#include "output.h"

static const struct {
    const char *name;
    enum cli_kind kind;
} kind_names[] = {
    {"clusters", CLI_CLUSTERS}, {"cluster", CLI_CLUSTERS},
    {"cl", CLI_CLUSTERS},
    {"serviceaccounts", CLI_SERVICE_ACCOUNTS},
    {"serviceaccount", CLI_SERVICE_ACCOUNTS}, {"sa", CLI_SERVICE_ACCOUNTS},
    {"roles", CLI_ROLES}, {"role", CLI_ROLES},
    {"ingresses", CLI_INGRESSES}, {"ingress", CLI_INGRESSES},
    {"ing", CLI_INGRESSES},
};

int cli_parse_kind(const char *name, enum cli_kind *kind)
{
    for (size_t i = 0; i < sizeof(kind_names) / sizeof(kind_names[0]); i++) {
        if (strcmp(name, kind_names[i].name) == 0) {
            *kind = kind_names[i].kind;
            return 0;
        }
    }
    return -1;
}

int cli_parse_format(const char *name, enum cli_format *format)
{
    static const char *const names[] = {"table", "json", "yaml"};
    for (int i = 0; i < 3; i++) {
        if (strcmp(name, names[i]) == 0) {
            *format = (enum cli_format)i;
            return 0;
        }
    }
    return -1;
}

static const struct output_column cluster_columns[] = {
    {"name", "NAME", 0},       {"region", "REGION", 0},
    {"status", "STATUS", 0},   {"version", "VERSION", 0},
    {"oidcIssuer", "OIDC ISSUER", 0}, {"context", "CONTEXT", 0},
    {"endpoint", NULL, 0},     {"arn", NULL, 0},
    {"created", NULL, 0},      {"oidcProvider", NULL, 1},
};

static const struct output_column service_account_columns[] = {
    {"namespace", "NAMESPACE", 0}, {"name", "NAME", 0},
    {"roleArn", "ROLE ARN", 0},    {"roleStatus", "ROLE STATUS", 0},
    {"cluster", "CLUSTER", 0},     {"created", NULL, 0},
    {"roleReason", NULL, 0},       {"identity", "IDENTITY", 0},
    {"podIdentityRoleArn", NULL, 0}, {"podIdentityStatus", NULL, 0},
    {"podIdentityAssociationId", NULL, 0}, {"podIdentityReason", NULL, 0},
};

static const struct output_column role_columns[] = {
    {"name", "NAME", 0},       {"path", "PATH", 0},
    {"created", "CREATED", 0}, {"serviceAccounts", "SERVICE ACCOUNTS", 1},
    {"arn", "ARN", 0},
};

static const struct output_column ingress_columns[] = {
    {"namespace", "NAMESPACE", 0}, {"name", "NAME", 0},
    {"class", "CLASS", 0},         {"hosts", "HOSTS", 0},
    {"address", "ADDRESS", 0},     {"cluster", "CLUSTER", 0},
    {"created", NULL, 0},
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static void add_clusters(const struct model *m, struct output_table *t)
{
    output_init(t, cluster_columns, COUNT(cluster_columns));
    for (size_t i = 0; i < m->cluster_count; i++) {
        const struct model_cluster *c = &m->clusters[i];
        /* With --region, kubeconfig contexts of other regions go too. */
        if (m->region_only && c->region && m->aws.region &&
            strcmp(c->region, m->aws.region) != 0)
            continue;
        /* null when unknown: a kubeconfig-only context, or the OIDC
         * providers could not be listed */
        int provider = c->in_aws ? model_cluster_has_provider(m, c) : -1;
        const char *row[] = {c->name, c->region, c->status, c->version,
                             c->oidc_issuer, c->context, c->endpoint, c->arn,
                             c->created,
                             provider < 0 ? NULL : provider ? "true"
                                                            : "false"};
        output_add_row(t, row);
    }
}

static void add_service_account(const struct model *m, size_t i,
                                struct output_table *t)
{
    const struct model_service_account *sa = &m->service_accounts[i];
    const struct model_pod_identity *a = sa->pod_identity != MODEL_NONE
        ? &m->pod_identities[sa->pod_identity] : NULL;
    const char *row[] = {sa->namespace, sa->name, sa->role_arn,
                         model_role_status_name(sa->role_status),
                         m->clusters[sa->cluster].name, sa->created,
                         sa->role_reason[0] ? sa->role_reason : NULL,
                         model_identity_name(sa), a ? a->role_arn : NULL,
                         model_role_status_name(sa->pod_status),
                         a ? a->id : NULL,
                         sa->pod_reason[0] ? sa->pod_reason : NULL};
    output_add_row(t, row);
}

static void add_service_accounts(const struct model *m,
                                 struct output_table *t)
{
    output_init(t, service_account_columns, COUNT(service_account_columns));
    for (size_t i = 0; i < m->service_account_count; i++)
        add_service_account(m, i, t);
}

static void add_roles(const struct model *m, struct output_table *t)
{
    output_init(t, role_columns, COUNT(role_columns));
    for (size_t i = 0; i < m->role_count; i++) {
        const struct model_role *r = &m->roles[i];
        char count[24];
        snprintf(count, sizeof(count), "%zu", r->service_account_count);
        const char *row[] = {r->name, r->path, r->created, count, r->arn};
        output_add_row(t, row);
    }
}

static void add_ingress(const struct model *m, size_t i,
                        struct output_table *t)
{
    const struct model_ingress *ing = &m->ingresses[i];
    const char *row[] = {ing->namespace, ing->name, ing->class_name,
                         ing->hosts, ing->address,
                         m->clusters[ing->cluster].name, ing->created};
    output_add_row(t, row);
}

static void add_ingresses(const struct model *m, struct output_table *t)
{
    output_init(t, ingress_columns, COUNT(ingress_columns));
    for (size_t i = 0; i < m->ingress_count; i++)
        add_ingress(m, i, t);
}

void cli_table_init(struct output_table *t, enum cli_kind kind)
{
    if (kind == CLI_INGRESSES)
        output_init(t, ingress_columns, COUNT(ingress_columns));
    else
        output_init(t, service_account_columns,
                    COUNT(service_account_columns));
}

void cli_table_add(const struct model *m, enum cli_kind kind, size_t index,
                   struct output_table *t)
{
    if (kind == CLI_INGRESSES)
        add_ingress(m, index, t);
    else
        add_service_account(m, index, t);
}

static void drain(struct model *m)
{
    while (model_busy(m) > 0)
        if (model_wait(m, NULL, NULL, 0, 1000) < 0)
            break;
}

int cli_open_cluster(struct model *m, FILE *err)
{
    if (!model_select_initial(m) && !m->selection_failed) {
        model_load_clusters(m);
        drain(m);
        model_select_initial(m);
    }
    if (m->current == MODEL_NONE) {
        output_error(err, "%s",
                     m->status[0] ? m->status
                                  : "no cluster to open: pass --cluster NAME "
                                    "or --context NAME, or set a current "
                                    "context");
        return 1;
    }
    drain(m);
    const struct model_cluster *c = &m->clusters[m->current];
    if (c->tls_insecure) {
        char warning[512];
        model_insecure_warning(c, warning, sizeof(warning));
        output_error(err, "%s", warning);
    }
    if (c->objects_state == MODEL_FAILED) {
        output_error(err, "%s: %s: %s", c->name, c->error.code,
                     c->error.message);
        return 1;
    }
    return 0;
}

static int report(const char *what, enum model_state state,
                  const struct api_error *e, FILE *err)
{
    if (state != MODEL_FAILED)
        return 0;
    output_error(err, "%s: %s: %s", what, e->code, e->message);
    return 1;
}

static int load(struct model *m, enum cli_kind kind, FILE *err)
{
    switch (kind) {
    case CLI_CLUSTERS:
        model_load_clusters(m);
        model_load_providers(m);
        drain(m);
        return report("list clusters", m->clusters_state, &m->clusters_error,
                      err);
    case CLI_ROLES:
        model_load_roles(m);
        /* The count of service accounts comes from the selected cluster,
         * when one can be opened without listing EKS. */
        model_select_initial(m);
        /* Only service accounts that can assume a role count, which
         * needs their cluster's issuer from EKS. */
        if (m->current != MODEL_NONE)
            model_load_clusters(m);
        drain(m);
        return report("list roles", m->roles_state, &m->roles_error, err);
    case CLI_SERVICE_ACCOUNTS:
        if (cli_open_cluster(m, err))
            return 1;
        /* The role status needs the roles, the providers and the
         * cluster's issuer, which only EKS lists. Their failures leave
         * the status "unknown" instead of failing the listing. */
        model_load_roles(m);
        if (m->clusters_state == MODEL_IDLE)
            model_load_clusters(m);
        drain(m);
        return 0;
    case CLI_INGRESSES:
        return cli_open_cluster(m, err);
    }
    return 1;
}

/* A listing that succeeded for some regions and failed for others is
 * printed, and the failure reported with exit status 1, so a script
 * never takes a partial list for the whole account. */
static int partial_failure(const struct model *m, enum cli_kind kind,
                           FILE *err)
{
    if (kind != CLI_CLUSTERS || !m->clusters_error.code[0])
        return 0;
    output_error(err, "list clusters: %s: %s; the list above lacks the "
                 "regions that failed", m->clusters_error.code,
                 m->clusters_error.message);
    return 1;
}

int cli_get(struct model *m, enum cli_kind kind, enum cli_format format,
            const struct cli_watch_options *watch, FILE *out, FILE *err)
{
    int rc = load(m, kind, err);
    if (rc != 0)
        return rc;
    if (watch && watch->enabled)
        return cli_watch(m, kind, format, watch->timeout_s, out, err);

    struct output_table t;
    switch (kind) {
    case CLI_CLUSTERS: add_clusters(m, &t); break;
    case CLI_SERVICE_ACCOUNTS: add_service_accounts(m, &t); break;
    case CLI_ROLES: add_roles(m, &t); break;
    case CLI_INGRESSES: add_ingresses(m, &t); break;
    }
    if (format == CLI_JSON)
        output_print_json(&t, out);
    else if (format == CLI_YAML)
        output_print_yaml(&t, out);
    else
        output_print_table(&t, out);
    output_cleanup(&t);
    return partial_failure(m, kind, err);
}
