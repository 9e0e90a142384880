/*
 * world_load, continued: EKS clusters, their node groups, and the
 * Kubernetes service accounts and ingresses inside them.
 */
#include "world_cluster.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "k8s_store.h"
#include "world_net.h"
#include "world_addon.h"
#include "world_pod_identity.h"

static const char *const default_namespaces[] = {
    "default", "kube-node-lease", "kube-public", "kube-system", NULL,
};

/* DNS-1123 label (namespaces) or subdomain (object names), as the
 * Kubernetes API server validates them. */
int world_valid_k8s_name(const char *s, int subdomain)
{
    size_t len = strlen(s);
    if (len == 0 || len > (subdomain ? 253u : 63u))
        return 0;
    if (!isalnum((unsigned char)s[0]) || !isalnum((unsigned char)s[len - 1]))
        return 0;
    for (; *s; s++) {
        int ok = islower((unsigned char)*s) || isdigit((unsigned char)*s) ||
                 *s == '-' || (subdomain && *s == '.');
        if (!ok)
            return 0;
    }
    return 1;
}

/* EKS: a letter or digit, then letters, digits, '-' and '_', at most 100. */
static int valid_cluster_name(const char *s)
{
    size_t len = strlen(s);
    if (len == 0 || len > 100 || !isalnum((unsigned char)s[0]))
        return 0;
    for (; *s; s++)
        if (!isalnum((unsigned char)*s) && *s != '-' && *s != '_')
            return 0;
    return 1;
}

int world_read_object_name(struct wfile *f, const yaml_node_t *map,
                           const char *what, char **ns, char **name)
{
    if (wfile_str(f, map, "namespace", 0, ns) < 0 ||
        wfile_str(f, map, "name", 1, name) < 0)
        return -1;
    if (!*ns && !(*ns = strdup("default")))
        return wfile_fail(f, map, "out of memory");
    if (!world_valid_k8s_name(*ns, 0))
        return wfile_fail(f, ydoc_get(f->doc, map, "namespace"),
                          "namespace '%s' must be lower-case letters, digits "
                          "and '-' (at most 63)", *ns);
    if (!world_valid_k8s_name(*name, 1))
        return wfile_fail(f, ydoc_get(f->doc, map, "name"),
                          "%s name '%s' must be lower-case letters, digits, "
                          "'-' and '.' (at most 253)", what, *name);
    return 0;
}

char *world_object_uid(const struct world_cluster *c, const char *kind,
                       const char *ns, const char *name)
{
    char *seed = wfile_printf("%s/%s/%s/%s/%s", c->region, c->name, kind, ns,
                              name);
    char *uid = seed ? wfile_uuid(seed) : NULL;
    free(seed);
    return uid;
}

static const char *const service_account_keys[] = {
    "namespace", "name", "annotations", "labels", "created", "count", NULL,
};

static int read_service_account(struct wfile *f, const yaml_node_t *map,
                                struct world_cluster *c,
                                struct world_service_account *sa)
{
    if (world_read_object_name(f, map, "service account", &sa->namespace,
                         &sa->name) < 0 ||
        wfile_kv(f, map, "annotations", &sa->annotations) < 0 ||
        wfile_kv(f, map, "labels", &sa->labels) < 0 ||
        wfile_time(f, map, "created", c->created, &sa->created) < 0)
        return -1;
    sa->uid = world_object_uid(c, "serviceaccount", sa->namespace, sa->name);
    return sa->uid ? 0 : wfile_fail(f, map, "out of memory");
}

static const char *const rule_keys[] = {
    "host", "path", "service", "port", NULL,
};

static int read_rule(struct wfile *f, const yaml_node_t *map,
                     struct world_ingress_rule *r)
{
    long port = 80;
    if (wfile_keys(f, map, "ingress rule", rule_keys) < 0 ||
        wfile_str(f, map, "host", 0, &r->host) < 0 ||
        wfile_str(f, map, "path", 0, &r->path) < 0 ||
        wfile_str(f, map, "service", 1, &r->service) < 0 ||
        wfile_int(f, map, "port", 1, 65535, &port) < 0)
        return -1;
    r->port = (int)port;
    if (!r->path && !(r->path = strdup("/")))
        return wfile_fail(f, map, "out of memory");
    if (r->path[0] != '/')
        return wfile_fail(f, ydoc_get(f->doc, map, "path"), "path '%s' must "
                          "start with '/'", r->path);
    return 0;
}

static int read_rules(struct wfile *f, const yaml_node_t *map,
                      struct world_ingress *ing)
{
    yaml_node_t *seq = ydoc_get(f->doc, map, "rules");
    if (!seq)
        return 0;
    if (!ydoc_is_seq(seq))
        return wfile_fail(f, seq, "'rules' must be a list of {host, path, "
                          "service, port}");
    size_t n = ydoc_len(seq);
    ing->rules = calloc(n ? n : 1, sizeof(*ing->rules));
    if (!ing->rules)
        return wfile_fail(f, seq, "out of memory");
    for (size_t i = 0; i < n; i++) {
        ing->rule_count = i + 1;
        if (read_rule(f, ydoc_item(f->doc, seq, i), &ing->rules[i]) < 0)
            return -1;
    }
    return 0;
}

static const char *const ingress_keys[] = {
    "namespace", "name", "ingressClassName", "annotations", "labels",
    "rules", "loadBalancerHostname", "created", "count", NULL,
};

static int read_ingress(struct wfile *f, const yaml_node_t *map,
                        struct world_cluster *c, struct world_ingress *ing)
{
    if (world_read_object_name(f, map, "ingress", &ing->namespace,
                               &ing->name) < 0 ||
        wfile_str(f, map, "ingressClassName", 0, &ing->class_name) < 0 ||
        wfile_kv(f, map, "annotations", &ing->annotations) < 0 ||
        wfile_kv(f, map, "labels", &ing->labels) < 0 ||
        read_rules(f, map, ing) < 0 ||
        wfile_str(f, map, "loadBalancerHostname", 0,
                  &ing->status_hostname) < 0 ||
        wfile_time(f, map, "created", c->created, &ing->created) < 0)
        return -1;
    ing->uid = world_object_uid(c, "ingress", ing->namespace, ing->name);
    return ing->uid ? 0 : wfile_fail(f, map, "out of memory");
}

static int read_sa_item(struct wfile *f, const yaml_node_t *map,
                        struct world_cluster *c, void *item)
{
    return read_service_account(f, map, c, item);
}

static int read_ingress_item(struct wfile *f, const yaml_node_t *map,
                             struct world_cluster *c, void *item)
{
    return read_ingress(f, map, c, item);
}

static const struct world_object_kind service_account_kind = {
    .key = "serviceAccounts", .what = "service account",
    .keys = service_account_keys,
    .size = sizeof(struct world_service_account), .read = read_sa_item,
};

static const struct world_object_kind ingress_kind = {
    .key = "ingresses", .what = "ingress", .keys = ingress_keys,
    .size = sizeof(struct world_ingress), .read = read_ingress_item,
};

static int read_counted(struct wfile *f, const struct world_object_kind *kind,
                        const yaml_node_t *map, struct world_cluster *c,
                        void *items, size_t *count, size_t *cap)
{
    unsigned long copies;
    if (wfile_keys(f, map, kind->what, kind->keys) < 0 ||
        wfile_count(f, map, "name", &copies) < 0)
        return -1;
    int counted = ydoc_get(f->doc, map, "count") != NULL;
    if (world_grow(items, cap, *count + copies, kind->size) < 0)
        return wfile_fail(f, map, "out of memory");
    char *base = *(char **)items;
    for (unsigned long i = 1; i <= copies; i++) {
        f->n = counted ? i : 0;
        int rc = kind->read(f, map, c, base + (*count)++ * kind->size);
        f->n = 0;
        if (rc < 0)
            return -1;
    }
    return 0;
}

/* Each object's namespace/name, which must be unique in its cluster. */
static int check_unique(struct wfile *f, const yaml_node_t *seq,
                        const struct world_object_kind *kind, void *items,
                        size_t count, const int *lines)
{
    struct wfile_name *names = calloc(count ? count : 1, sizeof(*names));
    if (!names)
        return wfile_fail(f, seq, "out of memory");
    int rc = 0;
    for (size_t i = 0; i < count && rc == 0; i++) {
        /* Every object struct starts with namespace and name. */
        char **fields = (char **)((char *)items + i * kind->size);
        names[i].key = wfile_printf("%s/%s", fields[0] ? fields[0] : "",
                                    fields[1]);
        names[i].line = lines[i];
        if (!names[i].key)
            rc = wfile_fail(f, seq, "out of memory");
    }
    if (rc == 0)
        rc = wfile_unique(f, names, count, 0, kind->what);
    else
        for (size_t i = 0; i < count; i++)
            free(names[i].key);
    free(names);
    return rc;
}

int world_read_objects(struct wfile *f, const yaml_node_t *map,
                       struct world_cluster *c,
                       const struct world_object_kind *kind, void *items,
                       size_t *count)
{
    yaml_node_t *seq = ydoc_get(f->doc, map, kind->key);
    size_t cap = 0, lines_cap = 0;
    int *lines = NULL, rc = 0;
    if (!seq)
        return 0;
    if (!ydoc_is_seq(seq))
        return wfile_fail(f, seq, "'%s' must be a list", kind->key);
    for (size_t i = 0; i < ydoc_len(seq) && rc == 0; i++) {
        yaml_node_t *item = ydoc_item(f->doc, seq, i);
        size_t before = *count;
        rc = read_counted(f, kind, item, c, items, count, &cap);
        if (rc == 0 && world_grow(&lines, &lines_cap, *count,
                                  sizeof(*lines)) < 0)
            rc = wfile_fail(f, item, "out of memory");
        for (size_t j = before; rc == 0 && j < *count; j++)
            lines[j] = ydoc_line(item);
    }
    if (rc == 0)
        rc = check_unique(f, seq, kind, *(void **)items, *count, lines);
    free(lines);
    return rc;
}

static const char *const nodegroup_keys[] = {
    "name", "instanceType", "desiredCapacity", "minSize", "maxSize",
    "privateNetworking", "status", "nodeRole", NULL,
};

/* eksctl's node instance role: CloudFormation names it after the stack
 * eksctl-CLUSTER-nodegroup-NG, the logical id NodeInstanceRole and a
 * random suffix (derived here), cutting the stack's part so that the
 * name fits IAM's 64 characters. */
static char *default_node_role(const struct world *w,
                               const struct world_cluster *c,
                               const char *nodegroup)
{
    char *seed = wfile_printf("%s/%s/%s", c->region, c->name, nodegroup);
    char *suffix = seed ? wfile_derive("", seed, 12, WFILE_BASE32) : NULL;
    char *stack = wfile_printf("eksctl-%s-nodegroup-%s", c->name, nodegroup);
    const char *logical = "-NodeInstanceRole-";
    char *arn = NULL;
    if (suffix && stack) {
        int room = 64 - (int)strlen(logical) - (int)strlen(suffix);
        arn = wfile_printf("arn:aws:iam::%s:role/%.*s%s%s", w->account_id,
                           room, stack, logical, suffix);
    }
    free(seed);
    free(suffix);
    free(stack);
    return arn;
}

static int read_node_role(struct wfile *f, const yaml_node_t *map,
                          const struct world_cluster *c,
                          struct world_nodegroup *ng)
{
    if (wfile_str(f, map, "nodeRole", 0, &ng->node_role) < 0)
        return -1;
    if (!ng->node_role) {
        ng->node_role = default_node_role(f->world, c, ng->name);
        return ng->node_role ? 0 : wfile_fail(f, map, "out of memory");
    }
    if (!world_looks_like_role_arn(ng->node_role))
        return wfile_fail(f, ydoc_get(f->doc, map, "nodeRole"), "nodeRole "
                          "'%s' of node group %s must be a role ARN, as in "
                          "arn:aws:iam::111122223333:role/NAME",
                          ng->node_role, ng->name);
    return 0;
}

static int read_nodegroup(struct wfile *f, const yaml_node_t *map,
                          const struct world_cluster *c,
                          struct world_nodegroup *ng)
{
    long desired = 2, min = -1, max = -1;
    if (wfile_keys(f, map, "node group", nodegroup_keys) < 0 ||
        wfile_str(f, map, "name", 1, &ng->name) < 0 ||
        wfile_str(f, map, "instanceType", 0, &ng->instance_type) < 0 ||
        wfile_int(f, map, "desiredCapacity", 0, 1000, &desired) < 0 ||
        wfile_int(f, map, "minSize", 0, 1000, &min) < 0 ||
        wfile_int(f, map, "maxSize", 0, 1000, &max) < 0 ||
        wfile_bool(f, map, "privateNetworking", &ng->private_networking) < 0 ||
        wfile_str(f, map, "status", 0, &ng->status) < 0 ||
        read_node_role(f, map, c, ng) < 0)
        return -1;
    ng->desired = (int)desired;
    ng->min = min < 0 ? ng->desired : (int)min;
    ng->max = max < 0 ? ng->desired : (int)max;
    if (ng->min > ng->desired || ng->desired > ng->max)
        return wfile_fail(f, map, "node group %s needs minSize <= "
                          "desiredCapacity <= maxSize (%d, %d, %d)", ng->name,
                          ng->min, ng->desired, ng->max);
    /* m5.large is eksctl's default instance type. */
    if (!ng->instance_type && !(ng->instance_type = strdup("m5.large")))
        return wfile_fail(f, map, "out of memory");
    if (!ng->status && !(ng->status = strdup("ACTIVE")))
        return wfile_fail(f, map, "out of memory");
    return 0;
}

static int read_nodegroups(struct wfile *f, const yaml_node_t *map,
                           struct world_cluster *c)
{
    yaml_node_t *seq = ydoc_get(f->doc, map, "nodegroups");
    if (!seq)
        return 0;
    if (!ydoc_is_seq(seq))
        return wfile_fail(f, seq, "'nodegroups' must be a list");
    size_t n = ydoc_len(seq);
    c->nodegroups = calloc(n ? n : 1, sizeof(*c->nodegroups));
    if (!c->nodegroups)
        return wfile_fail(f, seq, "out of memory");
    for (size_t i = 0; i < n; i++) {
        c->nodegroup_count = i + 1;
        if (read_nodegroup(f, ydoc_item(f->doc, seq, i), c,
                           &c->nodegroups[i]) < 0)
            return -1;
        for (size_t j = 0; j < i; j++)
            if (strcmp(c->nodegroups[j].name, c->nodegroups[i].name) == 0)
                return wfile_fail(f, ydoc_item(f->doc, seq, i),
                                  "node group '%s' is defined twice",
                                  c->nodegroups[i].name);
    }
    return 0;
}

static int compare_strings(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorted, unique namespaces: the four every cluster has, the listed
 * ones, and those of the cluster's objects. */
static int derive_namespaces(struct wfile *f, const yaml_node_t *map,
                             struct world_cluster *c)
{
    char **listed = NULL;
    size_t listed_count = 0;
    if (wfile_strs(f, map, "namespaces", &listed, &listed_count) < 0) {
        wfile_strs_free(listed, listed_count);
        return -1;
    }
    size_t total = 4 + listed_count + c->service_account_count +
                   c->ingress_count + c->service_count + c->pod_count;
    const char **all = calloc(total, sizeof(*all));
    if (!all) {
        wfile_strs_free(listed, listed_count);
        return wfile_fail(f, map, "out of memory");
    }
    size_t n = 0;
    for (const char *const *d = default_namespaces; *d; d++)
        all[n++] = *d;
    for (size_t i = 0; i < listed_count; i++)
        all[n++] = listed[i];
    for (size_t i = 0; i < c->service_account_count; i++)
        all[n++] = c->service_accounts[i].namespace;
    for (size_t i = 0; i < c->ingress_count; i++)
        all[n++] = c->ingresses[i].namespace;
    for (size_t i = 0; i < c->service_count; i++)
        all[n++] = c->services[i].namespace;
    for (size_t i = 0; i < c->pod_count; i++)
        all[n++] = c->pods[i].namespace;
    qsort(all, n, sizeof(*all), compare_strings);
    int rc = 0;
    c->namespaces = calloc(n, sizeof(char *));
    for (size_t i = 0; c->namespaces && i < n && rc == 0; i++) {
        if (i > 0 && strcmp(all[i], all[i - 1]) == 0)
            continue;
        if (!world_valid_k8s_name(all[i], 0))
            rc = wfile_fail(f, ydoc_get(f->doc, map, "namespaces"),
                            "namespace '%s' must be lower-case letters, "
                            "digits and '-'", all[i]);
        else if (!(c->namespaces[c->namespace_count++] = strdup(all[i])))
            rc = wfile_fail(f, map, "out of memory");
    }
    if (!c->namespaces)
        rc = wfile_fail(f, map, "out of memory");
    free(all);
    wfile_strs_free(listed, listed_count);
    return rc;
}

static const char *const statuses[] = {
    "CREATING", "ACTIVE", "DELETING", "FAILED", "UPDATING", "PENDING", NULL,
};

/* Whether url is https://HOST[...] with no space or control character:
 * clients send bearer tokens to it, and only over https. */
static int valid_endpoint(const char *url)
{
    static const char scheme[] = "https://";
    if (strncmp(url, scheme, sizeof(scheme) - 1) != 0)
        return 0;
    const char *host = url + sizeof(scheme) - 1;
    if (!*host || *host == '/' || *host == ':')
        return 0;
    for (const char *p = host; *p; p++)
        if (isspace((unsigned char)*p) || iscntrl((unsigned char)*p))
            return 0;
    return 1;
}

static int check_cluster(struct wfile *f, const yaml_node_t *map,
                         struct world_cluster *c)
{
    if (c->endpoint && !valid_endpoint(c->endpoint))
        return wfile_fail(f, ydoc_get(f->doc, map, "endpoint"), "endpoint "
                          "'%s' must be an https URL with a host, as in "
                          "https://127.0.0.1:8443", c->endpoint);
    int region_known = 0;
    for (size_t i = 0; i < f->world->region_count; i++)
        region_known |= strcmp(f->world->regions[i], c->region) == 0;
    if (!valid_cluster_name(c->name))
        return wfile_fail(f, ydoc_get(f->doc, map, "name"), "cluster name "
                          "'%s' must be letters, digits, '-' and '_', "
                          "starting with a letter or digit", c->name);
    if (!region_known)
        return wfile_fail(f, ydoc_get(f->doc, map, "region"), "region '%s' "
                          "is not under 'regions'; add it there", c->region);
    int status_known = 0;
    for (const char *const *s = statuses; *s; s++)
        status_known |= strcmp(*s, c->status) == 0;
    if (!status_known)
        return wfile_fail(f, ydoc_get(f->doc, map, "status"), "status '%s' "
                          "is not one of CREATING, ACTIVE, DELETING, FAILED, "
                          "UPDATING, PENDING", c->status);
    unsigned major, minor;
    char extra;
    if (sscanf(c->version, "%u.%u%c", &major, &minor, &extra) != 2)
        return wfile_fail(f, ydoc_get(f->doc, map, "version"), "version "
                          "'%s' must be MAJOR.MINOR, as in \"1.29\"",
                          c->version);
    return 0;
}

/* Values the world file may leave out, derived from the cluster's name
 * and region so that every load gives the same ones. */
static int derive_cluster(struct world *w, struct world_cluster *c)
{
    char *seed = wfile_printf("%s/%s", c->region, c->name);
    if (!seed)
        return -1;
    c->arn = wfile_printf("arn:aws:eks:%s:%s:cluster/%s", c->region,
                          w->account_id, c->name);
    if (!c->endpoint)
        c->endpoint = wfile_printf("https://127.0.0.1/k8s/%s/%s", c->region,
                                   c->name);
    if (!c->vpc_id)
        c->vpc_id = wfile_derive("vpc-", seed, 17, WFILE_LOWER_HEX);
    if (!c->role_arn) {
        char *suffix = wfile_derive("", seed, 12, WFILE_BASE32);
        c->role_arn = suffix ? wfile_printf("arn:aws:iam::%s:role/eksctl-%s-"
                                            "cluster-ServiceRole-%s",
                                            w->account_id, c->name, suffix)
                             : NULL;
        free(suffix);
    }
    free(seed);
    return c->arn && c->endpoint && c->vpc_id && c->role_arn ? 0 : -1;
}

static int default_str(char **field, const char *value)
{
    if (!*field)
        *field = strdup(value);
    return *field ? 0 : -1;
}

static int read_oidc(struct wfile *f, const yaml_node_t *map,
                     struct world_cluster *c, size_t *oidc_cap)
{
    int oidc = 0, provider = -1;
    if (wfile_bool(f, map, "oidc", &oidc) < 0 ||
        wfile_bool(f, map, "oidcProvider", &provider) < 0)
        return -1;
    if (!oidc && provider == 1)
        return wfile_fail(f, ydoc_get(f->doc, map, "oidcProvider"),
                          "oidcProvider: true needs oidc: true");
    if (!oidc)
        return 0;
    /* EKS issuer ids are 32 upper-case hex digits; derive ours from the
     * cluster name. */
    char *id = wfile_derive("", c->name, 32, WFILE_UPPER_HEX);
    c->oidc_issuer = id ? wfile_printf("https://oidc.eks.%s.amazonaws.com/"
                                       "id/%s", c->region, id)
                        : NULL;
    free(id);
    if (!c->oidc_issuer)
        return wfile_fail(f, map, "out of memory");
    /* No provider yet: serve the issuer, so a client can associate one
     * without reaching EKS's real hosts. */
    c->issuer_served = provider == 0;
    if (provider == 0)
        return 0;
    return world_add_oidc_provider(f, map, c->oidc_issuer, oidc_cap);
}

static const char *const cluster_keys[] = {
    "name", "region", "version", "status", "oidc", "oidcProvider",
    "endpoint", "roleArn", "vpcId", "platformVersion", "created", "tags",
    "namespaces", "nodegroups", "serviceAccounts", "ingresses", "services",
    "pods", "ingressClasses", "ingressClassParams", "controller",
    "podIdentityAssociations", "addons", NULL,
};

static int read_cluster_fields(struct wfile *f, const yaml_node_t *map,
                               struct world_cluster *c)
{
    if (wfile_keys(f, map, "cluster", cluster_keys) < 0 ||
        wfile_str(f, map, "name", 1, &c->name) < 0 ||
        wfile_str(f, map, "region", 1, &c->region) < 0 ||
        wfile_str(f, map, "version", 0, &c->version) < 0 ||
        wfile_str(f, map, "status", 0, &c->status) < 0 ||
        wfile_str(f, map, "endpoint", 0, &c->endpoint) < 0 ||
        wfile_str(f, map, "roleArn", 0, &c->role_arn) < 0 ||
        wfile_str(f, map, "vpcId", 0, &c->vpc_id) < 0 ||
        wfile_str(f, map, "platformVersion", 0, &c->platform_version) < 0 ||
        wfile_time(f, map, "created", WORLD_DEFAULT_CREATED, &c->created) < 0 ||
        wfile_kv(f, map, "tags", &c->tags) < 0)
        return -1;
    c->endpoint_fixed = c->endpoint != NULL;
    if (default_str(&c->version, "1.29") < 0 ||
        default_str(&c->status, "ACTIVE") < 0 ||
        default_str(&c->platform_version, "eks.1") < 0)
        return wfile_fail(f, map, "out of memory");
    return check_cluster(f, map, c);
}

static int read_cluster(struct wfile *f, const yaml_node_t *map,
                        struct world_cluster *c, size_t *oidc_cap)
{
    if (read_cluster_fields(f, map, c) < 0)
        return -1;
    if (world_cluster(f->world, c->region, c->name) != c)
        return wfile_fail(f, map, "cluster %s is defined twice in %s",
                          c->name, c->region);
    if (derive_cluster(f->world, c) < 0)
        return wfile_fail(f, map, "out of memory");
    if (read_oidc(f, map, c, oidc_cap) < 0 || read_nodegroups(f, map, c) < 0 ||
        world_read_objects(f, map, c, &service_account_kind,
                           &c->service_accounts,
                           &c->service_account_count) < 0 ||
        world_read_objects(f, map, c, &ingress_kind, &c->ingresses,
                           &c->ingress_count) < 0 ||
        world_read_k8s(f, map, c) < 0 ||
        world_read_pod_identities(f, map, c) < 0 ||
        world_read_addons(f, map, c) < 0)
        return -1;
    unsigned long version = 1000;
    for (size_t i = 0; i < c->service_account_count; i++)
        c->service_accounts[i].resource_version = version++;
    for (size_t i = 0; i < c->ingress_count; i++)
        c->ingresses[i].resource_version = version++;
    world_number_k8s(c, &version);
    c->resource_version = version - 1;
    return derive_namespaces(f, map, c);
}

int world_read_clusters(struct wfile *f, const yaml_node_t *root,
                        size_t *oidc_cap)
{
    struct world *w = f->world;
    yaml_node_t *seq = ydoc_get(f->doc, root, "clusters");
    if (!seq)
        return 0;
    if (!ydoc_is_seq(seq))
        return wfile_fail(f, seq, "'clusters' must be a list");
    size_t n = ydoc_len(seq);
    w->clusters = calloc(n ? n : 1, sizeof(*w->clusters));
    if (!w->clusters)
        return wfile_fail(f, seq, "out of memory");
    for (size_t i = 0; i < n; i++) {
        w->cluster_count = i + 1;
        if (read_cluster(f, ydoc_item(f->doc, seq, i), &w->clusters[i],
                         oidc_cap) < 0)
            return -1;
    }
    return 0;
}

static void free_object_meta(char *ns, char *name, char *uid, char *created,
                             struct world_kv_list *annotations,
                             struct world_kv_list *labels)
{
    free(ns);
    free(name);
    free(uid);
    free(created);
    wfile_kv_free(annotations);
    wfile_kv_free(labels);
}

static void free_ingress(struct world_ingress *ing)
{
    free_object_meta(ing->namespace, ing->name, ing->uid, ing->created,
                     &ing->annotations, &ing->labels);
    free(ing->class_name);
    free(ing->status_hostname);
    for (size_t i = 0; i < ing->rule_count; i++) {
        free(ing->rules[i].host);
        free(ing->rules[i].path);
        free(ing->rules[i].service);
    }
    free(ing->rules);
}

void world_free_cluster(struct world_cluster *c)
{
    char **strings[] = {
        &c->name, &c->region, &c->arn, &c->version, &c->status, &c->endpoint,
        &c->oidc_issuer, &c->created, &c->role_arn, &c->vpc_id,
        &c->platform_version,
    };
    for (size_t i = 0; i < sizeof(strings) / sizeof(strings[0]); i++)
        free(*strings[i]);
    wfile_kv_free(&c->tags);
    wfile_strs_free(c->subnet_ids, c->subnet_id_count);
    wfile_strs_free(c->security_group_ids, c->security_group_id_count);
    for (size_t i = 0; i < c->nodegroup_count; i++) {
        free(c->nodegroups[i].name);
        free(c->nodegroups[i].instance_type);
        free(c->nodegroups[i].status);
        free(c->nodegroups[i].node_role);
    }
    free(c->nodegroups);
    wfile_strs_free(c->namespaces, c->namespace_count);
    for (size_t i = 0; i < c->service_account_count; i++) {
        struct world_service_account *sa = &c->service_accounts[i];
        free_object_meta(sa->namespace, sa->name, sa->uid, sa->created,
                         &sa->annotations, &sa->labels);
        free(sa->document);
    }
    free(c->service_accounts);
    for (size_t i = 0; i < c->ingress_count; i++)
        free_ingress(&c->ingresses[i]);
    free(c->ingresses);
    world_free_k8s(c);
    world_free_pod_identities(c);
    world_free_addons(c);
    k8s_store_free(c->store);
}

/* The namespaces every cluster starts with. */
static int default_namespace_list(struct world_cluster *c)
{
    size_t n = 0;
    while (default_namespaces[n])
        n++;
    c->namespaces = calloc(n, sizeof(char *));
    for (size_t i = 0; c->namespaces && i < n; i++)
        if ((c->namespaces[i] = strdup(default_namespaces[i])))
            c->namespace_count++;
    return c->namespaces && c->namespace_count == n ? 0 : -1;
}

struct world_cluster *world_add_cluster(struct world *w, const char *region,
                                        const char *name, const char *created)
{
    struct world_cluster *c = world_append(&w->clusters, &w->cluster_count,
                                           sizeof(*c));
    if (!c)
        return NULL;
    c->name = strdup(name);
    c->region = strdup(region);
    c->created = strdup(created);
    c->resource_version = 1000;
    if (!c->name || !c->region || !c->created ||
        default_str(&c->version, "1.29") < 0 ||
        default_str(&c->status, "CREATING") < 0 ||
        default_str(&c->platform_version, "eks.1") < 0 ||
        (w->k8s_base && !(c->endpoint = wfile_printf(
                              "%s/k8s/%s/%s", w->k8s_base, region, name))) ||
        derive_cluster(w, c) < 0 || default_namespace_list(c) < 0) {
        world_remove_cluster(w, c);
        return NULL;
    }
    return c;
}

char *world_cluster_security_group(const struct world_cluster *c)
{
    char *seed = wfile_printf("%s/cluster-sg", c->vpc_id);
    char *id = seed ? wfile_derive("sg-", seed, 17, WFILE_LOWER_HEX) : NULL;
    free(seed);
    return id;
}

void world_remove_cluster(struct world *w, struct world_cluster *c)
{
    size_t i = (size_t)(c - w->clusters);
    world_free_cluster(c);
    memmove(c, c + 1, (--w->cluster_count - i) * sizeof(*c));
}
