/* The vpc, node group and iam sections of a ClusterConfig. */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clusterconfig_internal.h"
#include "util.h"

/* Limits on an inline policy converted from YAML: aliases can repeat a
 * subtree, so a small file could otherwise expand without bound. */
#define POLICY_MAX_DEPTH 32
#define POLICY_MAX_NODES 10000

/* ---- vpc ---- */

static void read_cidr(struct ccfg_reader *r, yaml_node_t *n, const char *path,
                      void *target)
{
    ccfg_read_string(r, n, path, &((struct ccfg *)target)->vpc_cidr);
}

static void read_vpc_id(struct ccfg_reader *r, yaml_node_t *n,
                        const char *path, void *target)
{
    ccfg_read_string(r, n, path, &((struct ccfg *)target)->vpc_id);
}

static void read_gateway(struct ccfg_reader *r, yaml_node_t *n,
                         const char *path, void *target)
{
    struct ccfg *c = target;
    const char *s = ccfg_read_scalar(r, n, path);
    if (!s)
        return;
    if (strcmp(s, "Single") == 0)
        c->nat = CCFG_NAT_SINGLE;
    else if (strcmp(s, "HighlyAvailable") == 0)
        c->nat = CCFG_NAT_HIGHLY_AVAILABLE;
    else if (strcmp(s, "Disable") == 0)
        c->nat = CCFG_NAT_DISABLE;
    else {
        ccfg_reader_fail(r, n, path, "must be Single, HighlyAvailable or "
                         "Disable (got \"%s\")", s);
        return;
    }
    c->given |= CCFG_DEF_NAT;
}

static const struct ccfg_field nat_fields[] = {
    {"gateway", read_gateway},
    {NULL, NULL},
};

static void read_nat(struct ccfg_reader *r, yaml_node_t *n, const char *path,
                     void *target)
{
    ccfg_read_fields(r, n, path, nat_fields, target);
}

static void read_subnet_id(struct ccfg_reader *r, yaml_node_t *n,
                           const char *path, void *target)
{
    ccfg_read_string(r, n, path, &((struct ccfg_subnet *)target)->id);
}

static void read_subnet_az(struct ccfg_reader *r, yaml_node_t *n,
                           const char *path, void *target)
{
    ccfg_read_string(r, n, path, &((struct ccfg_subnet *)target)->az);
}

static void read_subnet_cidr(struct ccfg_reader *r, yaml_node_t *n,
                             const char *path, void *target)
{
    ccfg_read_string(r, n, path, &((struct ccfg_subnet *)target)->cidr);
}

static const struct ccfg_field subnet_fields[] = {
    {"id", read_subnet_id},
    {"az", read_subnet_az},
    {"cidr", read_subnet_cidr},
    {NULL, NULL},
};

static void read_subnet_group(struct ccfg_reader *r, yaml_node_t *n,
                              const char *path, int is_private)
{
    struct ccfg *c = r->c;
    if (ccfg_is_null(n))
        return;
    if (!ydoc_is_map(n)) {
        ccfg_reader_fail(r, n, path, "must map subnet names (or zones) to "
                         "{id: subnet-...}");
        return;
    }
    for (size_t i = 0; i < ydoc_map_len(n); i++) {
        yaml_node_t *k, *v;
        char sub[CCFG_PATH_MAX];
        ydoc_pair(r->doc, n, i, &k, &v);
        const char *name = ydoc_str(k);
        if (!name) {
            ccfg_reader_fail(r, k, path, "keys must be plain strings");
            continue;
        }
        c->subnets = xrealloc(c->subnets,
                              (c->subnet_count + 1) * sizeof(*c->subnets));
        struct ccfg_subnet *s = &c->subnets[c->subnet_count++];
        memset(s, 0, sizeof(*s));
        s->name = xstrdup(name);
        s->is_private = is_private;
        s->line = ydoc_line(k);
        snprintf(sub, sizeof(sub), "%s.%s", path, name);
        ccfg_read_fields(r, v, sub, subnet_fields, s);
    }
}

static void read_public_subnets(struct ccfg_reader *r, yaml_node_t *n,
                                const char *path, void *target)
{
    (void)target;
    read_subnet_group(r, n, path, 0);
}

static void read_private_subnets(struct ccfg_reader *r, yaml_node_t *n,
                                 const char *path, void *target)
{
    (void)target;
    read_subnet_group(r, n, path, 1);
}

static const struct ccfg_field subnets_fields[] = {
    {"public", read_public_subnets},
    {"private", read_private_subnets},
    {NULL, NULL},
};

static void read_subnets(struct ccfg_reader *r, yaml_node_t *n,
                         const char *path, void *target)
{
    ccfg_read_fields(r, n, path, subnets_fields, target);
}

static const struct ccfg_field vpc_fields[] = {
    {"cidr", read_cidr},
    {"nat", read_nat},
    {"id", read_vpc_id},
    {"subnets", read_subnets},
    {NULL, NULL},
};

void ccfg_read_vpc(struct ccfg_reader *r, yaml_node_t *n, const char *path,
                   void *target)
{
    ((struct ccfg *)target)->line_of_vpc = ydoc_line(n);
    ccfg_read_fields(r, n, path, vpc_fields, target);
}

/* ---- node groups ---- */

static void read_ng_name(struct ccfg_reader *r, yaml_node_t *n,
                         const char *path, void *target)
{
    ccfg_read_string(r, n, path, &((struct ccfg_nodegroup *)target)->name);
}

static void read_instance_type(struct ccfg_reader *r, yaml_node_t *n,
                               const char *path, void *target)
{
    struct ccfg_nodegroup *ng = target;
    ccfg_read_string(r, n, path, &ng->instance_type);
    if (ng->instance_type)
        ng->given |= CCFG_NG_DEF_INSTANCE_TYPE;
}

static void read_desired(struct ccfg_reader *r, yaml_node_t *n,
                         const char *path, void *target)
{
    struct ccfg_nodegroup *ng = target;
    if (ccfg_read_int(r, n, path, &ng->desired_capacity)) {
        ng->given |= CCFG_NG_DEF_DESIRED;
        ng->line_of_sizes = ydoc_line(n);
    }
}

static void read_min(struct ccfg_reader *r, yaml_node_t *n, const char *path,
                     void *target)
{
    struct ccfg_nodegroup *ng = target;
    if (ccfg_read_int(r, n, path, &ng->min_size)) {
        ng->given |= CCFG_NG_DEF_MIN;
        if (!(ng->given & CCFG_NG_DEF_DESIRED))
            ng->line_of_sizes = ydoc_line(n);
    }
}

static void read_max(struct ccfg_reader *r, yaml_node_t *n, const char *path,
                     void *target)
{
    struct ccfg_nodegroup *ng = target;
    if (ccfg_read_int(r, n, path, &ng->max_size)) {
        ng->given |= CCFG_NG_DEF_MAX;
        if (!ng->line_of_sizes)
            ng->line_of_sizes = ydoc_line(n);
    }
}

static void read_volume(struct ccfg_reader *r, yaml_node_t *n,
                        const char *path, void *target)
{
    struct ccfg_nodegroup *ng = target;
    if (ccfg_read_int(r, n, path, &ng->volume_size)) {
        ng->given |= CCFG_NG_DEF_VOLUME;
        ng->line_of_volume = ydoc_line(n);
    }
}

static void read_private(struct ccfg_reader *r, yaml_node_t *n,
                         const char *path, void *target)
{
    struct ccfg_nodegroup *ng = target;
    if (ccfg_read_bool(r, n, path, &ng->private_networking)) {
        ng->given |= CCFG_NG_DEF_PRIVATE;
        ng->line_of_private = ydoc_line(n);
    }
}

static void read_labels(struct ccfg_reader *r, yaml_node_t *n,
                        const char *path, void *target)
{
    ccfg_read_map(r, n, path, &((struct ccfg_nodegroup *)target)->labels);
}

static void read_ng_tags(struct ccfg_reader *r, yaml_node_t *n,
                         const char *path, void *target)
{
    ccfg_read_map(r, n, path, &((struct ccfg_nodegroup *)target)->tags);
}

static const struct ccfg_field nodegroup_fields[] = {
    {"name", read_ng_name},
    {"instanceType", read_instance_type},
    {"desiredCapacity", read_desired},
    {"minSize", read_min},
    {"maxSize", read_max},
    {"volumeSize", read_volume},
    {"privateNetworking", read_private},
    {"labels", read_labels},
    {"tags", read_ng_tags},
    {NULL, NULL},
};

static void read_nodegroup_list(struct ccfg_reader *r, yaml_node_t *n,
                                const char *path, int managed)
{
    struct ccfg *c = r->c;
    if (ccfg_is_null(n))
        return;
    if (!ydoc_is_seq(n)) {
        ccfg_reader_fail(r, n, path, "must be a list of node groups");
        return;
    }
    for (size_t i = 0; i < ydoc_len(n); i++) {
        char sub[CCFG_PATH_MAX];
        yaml_node_t *item = ydoc_item(r->doc, n, i);
        c->nodegroups = xrealloc(c->nodegroups, (c->nodegroup_count + 1) *
                                 sizeof(*c->nodegroups));
        struct ccfg_nodegroup *ng = &c->nodegroups[c->nodegroup_count++];
        memset(ng, 0, sizeof(*ng));
        ng->managed = managed;
        ng->index = i;
        ng->line = ydoc_line(item);
        snprintf(sub, sizeof(sub), "%s[%zu]", path, i);
        if (ccfg_is_null(item) || !ydoc_is_map(item))
            ccfg_reader_fail(r, item, sub, "must be a mapping with at least "
                             "a name");
        else
            ccfg_read_fields(r, item, sub, nodegroup_fields, ng);
    }
}

void ccfg_read_nodegroups(struct ccfg_reader *r, yaml_node_t *n,
                          const char *path, void *target)
{
    (void)target;
    read_nodegroup_list(r, n, path, 0);
}

void ccfg_read_managed_nodegroups(struct ccfg_reader *r, yaml_node_t *n,
                                  const char *path, void *target)
{
    (void)target;
    read_nodegroup_list(r, n, path, 1);
}

/* ---- iam ---- */

static cJSON *policy_node(struct ccfg_reader *r, yaml_node_t *n,
                          const char *path, int depth, size_t *nodes);

static cJSON *policy_mapping(struct ccfg_reader *r, yaml_node_t *n,
                             const char *path, int depth, size_t *nodes)
{
    cJSON *object = cJSON_CreateObject();
    for (size_t i = 0; object && i < ydoc_map_len(n); i++) {
        yaml_node_t *k, *v;
        ydoc_pair(r->doc, n, i, &k, &v);
        const char *key = ydoc_str(k);
        if (!key) {
            ccfg_reader_fail(r, k, path, "keys must be plain strings");
            cJSON_Delete(object);
            return NULL;
        }
        cJSON *value = policy_node(r, v, path, depth + 1, nodes);
        if (!value) {
            cJSON_Delete(object);
            return NULL;
        }
        cJSON_AddItemToObject(object, key, value);
    }
    return object;
}

static cJSON *policy_sequence(struct ccfg_reader *r, yaml_node_t *n,
                              const char *path, int depth, size_t *nodes)
{
    cJSON *array = cJSON_CreateArray();
    for (size_t i = 0; array && i < ydoc_len(n); i++) {
        cJSON *value = policy_node(r, ydoc_item(r->doc, n, i), path,
                                   depth + 1, nodes);
        if (!value) {
            cJSON_Delete(array);
            return NULL;
        }
        cJSON_AddItemToArray(array, value);
    }
    return array;
}

/* YAML to JSON for a policy document. Scalars become strings, which IAM
 * accepts for every value, booleans and numbers in conditions included. */
static cJSON *policy_node(struct ccfg_reader *r, yaml_node_t *n,
                          const char *path, int depth, size_t *nodes)
{
    if (!n || depth > POLICY_MAX_DEPTH || ++*nodes > POLICY_MAX_NODES) {
        ccfg_reader_fail(r, n, path, "the policy document is nested deeper "
                         "than %d levels or has more than %d values",
                         POLICY_MAX_DEPTH, POLICY_MAX_NODES);
        return NULL;
    }
    if (ydoc_is_map(n))
        return policy_mapping(r, n, path, depth, nodes);
    if (ydoc_is_seq(n))
        return policy_sequence(r, n, path, depth, nodes);
    return cJSON_CreateString(ydoc_str(n));
}

static void read_attach_policy(struct ccfg_reader *r, yaml_node_t *n,
                               const char *path, void *target)
{
    struct ccfg_service_account *sa = target;
    size_t nodes = 0;
    if (ccfg_is_null(n))
        return;
    if (!ydoc_is_map(n) || !ydoc_get(r->doc, n, "Statement")) {
        ccfg_reader_fail(r, n, path, "must be an IAM policy document: a "
                         "mapping with Version and Statement");
        return;
    }
    cJSON *json = policy_node(r, n, path, 0, &nodes);
    if (!json)
        return;
    free(sa->inline_policy);
    sa->inline_policy = cJSON_PrintUnformatted(json);
    cJSON_Delete(json);
}

static void read_sa_name(struct ccfg_reader *r, yaml_node_t *n,
                         const char *path, void *target)
{
    ccfg_read_string(r, n, path,
                     &((struct ccfg_service_account *)target)->name);
}

static void read_sa_namespace(struct ccfg_reader *r, yaml_node_t *n,
                              const char *path, void *target)
{
    ccfg_read_string(r, n, path,
                     &((struct ccfg_service_account *)target)->namespace_name);
}

static const struct ccfg_field sa_metadata_fields[] = {
    {"name", read_sa_name},
    {"namespace", read_sa_namespace},
    {NULL, NULL},
};

static void read_sa_metadata(struct ccfg_reader *r, yaml_node_t *n,
                             const char *path, void *target)
{
    ccfg_read_fields(r, n, path, sa_metadata_fields, target);
}

static void read_policy_arns(struct ccfg_reader *r, yaml_node_t *n,
                             const char *path, void *target)
{
    struct ccfg_service_account *sa = target;
    ccfg_read_string_list(r, n, path, &sa->policy_arns,
                          &sa->policy_arn_count);
}

static void read_role_name(struct ccfg_reader *r, yaml_node_t *n,
                           const char *path, void *target)
{
    ccfg_read_string(r, n, path,
                     &((struct ccfg_service_account *)target)->role_name);
}

static void read_lb_controller(struct ccfg_reader *r, yaml_node_t *n,
                               const char *path, void *target)
{
    ccfg_read_bool(r, n, path,
                   &((struct ccfg_service_account *)target)->lb_controller);
}

static const struct ccfg_field well_known_fields[] = {
    {"awsLoadBalancerController", read_lb_controller},
    {NULL, NULL},
};

static void read_well_known(struct ccfg_reader *r, yaml_node_t *n,
                            const char *path, void *target)
{
    ccfg_read_fields(r, n, path, well_known_fields, target);
}

static const struct ccfg_field service_account_fields[] = {
    {"metadata", read_sa_metadata},
    {"attachPolicyARNs", read_policy_arns},
    {"attachPolicy", read_attach_policy},
    {"roleName", read_role_name},
    {"wellKnownPolicies", read_well_known},
    {NULL, NULL},
};

static void read_service_accounts(struct ccfg_reader *r, yaml_node_t *n,
                                  const char *path, void *target)
{
    struct ccfg *c = target;
    if (ccfg_is_null(n))
        return;
    if (!ydoc_is_seq(n)) {
        ccfg_reader_fail(r, n, path, "must be a list of service accounts");
        return;
    }
    for (size_t i = 0; i < ydoc_len(n); i++) {
        char sub[CCFG_PATH_MAX];
        yaml_node_t *item = ydoc_item(r->doc, n, i);
        c->service_accounts = xrealloc(c->service_accounts,
            (c->service_account_count + 1) * sizeof(*c->service_accounts));
        struct ccfg_service_account *sa =
            &c->service_accounts[c->service_account_count++];
        memset(sa, 0, sizeof(*sa));
        sa->line = ydoc_line(item);
        snprintf(sub, sizeof(sub), "%s[%zu]", path, i);
        if (ccfg_is_null(item) || !ydoc_is_map(item))
            ccfg_reader_fail(r, item, sub, "must be a mapping with "
                             "metadata.name");
        else
            ccfg_read_fields(r, item, sub, service_account_fields, sa);
    }
}

static void read_with_oidc(struct ccfg_reader *r, yaml_node_t *n,
                           const char *path, void *target)
{
    struct ccfg *c = target;
    if (ccfg_read_bool(r, n, path, &c->with_oidc))
        c->given |= CCFG_DEF_OIDC;
}

static const struct ccfg_field iam_fields[] = {
    {"withOIDC", read_with_oidc},
    {"serviceAccounts", read_service_accounts},
    {NULL, NULL},
};

void ccfg_read_iam(struct ccfg_reader *r, yaml_node_t *n, const char *path,
                   void *target)
{
    ccfg_read_fields(r, n, path, iam_fields, target);
}
