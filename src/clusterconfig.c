/*
 * Reading a ClusterConfig file into struct ccfg. Each mapping is read
 * through a table of the keys albatross supports; any other key is
 * reported by its path. Type errors name the path and the expected type
 * and reading carries on, so one run reports every problem.
 */
#include "clusterconfig.h"
#include "clusterconfig_internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../api/yamldoc.h"
#include "util.h"

#define ERRORS_MAX_BYTES (64u << 10)

void ccfg_errors_init(struct ccfg_errors *e)
{
    buf_init(&e->text, ERRORS_MAX_BYTES);
    e->count = 0;
}

void ccfg_errors_cleanup(struct ccfg_errors *e)
{
    buf_cleanup(&e->text);
    e->count = 0;
}

void ccfg_errors_add(struct ccfg_errors *e, const char *source, int line,
                     const char *fmt, ...)
{
    e->count++;
    if (e->count > CCFG_MAX_ERRORS)
        return;
    if (line > 0)
        buf_printf(&e->text, "%s:%d: ", source, line);
    else
        buf_printf(&e->text, "%s: ", source);
    va_list ap;
    va_start(ap, fmt);
    buf_vprintf(&e->text, fmt, ap);
    va_end(ap);
    buf_putc(&e->text, '\n');
}

void ccfg_reader_fail(struct ccfg_reader *r, const yaml_node_t *n,
                      const char *path, const char *fmt, ...)
{
    char message[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(message, sizeof(message), fmt, ap);
    va_end(ap);
    ccfg_errors_add(r->errors, r->c->source, ydoc_line(n), "%s: %s", path,
                    message);
}

static int is_plain(const yaml_node_t *n)
{
    return n->type == YAML_SCALAR_NODE &&
           n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
}

/* YAML's null in a plain scalar; eksctl treats such a field as absent. */
int ccfg_is_null(const yaml_node_t *n)
{
    if (!n)
        return 1;
    if (!is_plain(n))
        return 0;
    const char *s = ydoc_str(n);
    return !*s || strcmp(s, "~") == 0 || strcmp(s, "null") == 0 ||
           strcmp(s, "Null") == 0 || strcmp(s, "NULL") == 0;
}

const char *ccfg_read_scalar(struct ccfg_reader *r, const yaml_node_t *n,
                             const char *path)
{
    if (ccfg_is_null(n))
        return NULL;
    if (n->type != YAML_SCALAR_NODE) {
        ccfg_reader_fail(r, n, path, "must be a single value, not a %s",
                         n->type == YAML_MAPPING_NODE ? "mapping" : "list");
        return NULL;
    }
    return ydoc_str(n);
}

void ccfg_read_string(struct ccfg_reader *r, const yaml_node_t *n,
                      const char *path, char **dst)
{
    const char *s = ccfg_read_scalar(r, n, path);
    if (!s)
        return;
    free(*dst);
    *dst = xstrdup(s);
}

int ccfg_read_int(struct ccfg_reader *r, const yaml_node_t *n,
                  const char *path, int *dst)
{
    const char *s = ccfg_read_scalar(r, n, path);
    if (!s)
        return 0;
    char *end;
    long v = strtol(s, &end, 10);
    if (!is_plain(n) || end == s || *end || s[0] == '+' || v < 0 ||
        v > 1000000) {
        ccfg_reader_fail(r, n, path, "must be a whole number from 0 to "
                         "1000000, without quotes (got \"%s\")", s);
        return 0;
    }
    *dst = (int)v;
    return 1;
}

int ccfg_read_bool(struct ccfg_reader *r, const yaml_node_t *n,
                   const char *path, int *dst)
{
    const char *s = ccfg_read_scalar(r, n, path);
    if (!s)
        return 0;
    if (is_plain(n) && strcmp(s, "true") == 0)
        *dst = 1;
    else if (is_plain(n) && strcmp(s, "false") == 0)
        *dst = 0;
    else {
        ccfg_reader_fail(r, n, path, "must be true or false, without quotes "
                         "(got \"%s\")", s);
        return 0;
    }
    return 1;
}

void ccfg_map_add(struct ccfg_map *m, const char *key, const char *value)
{
    m->items = xrealloc(m->items, (m->count + 1) * sizeof(*m->items));
    m->items[m->count].key = xstrdup(key);
    m->items[m->count].value = xstrdup(value);
    m->count++;
}

void ccfg_map_free(struct ccfg_map *m)
{
    for (size_t i = 0; i < m->count; i++) {
        free(m->items[i].key);
        free(m->items[i].value);
    }
    free(m->items);
    m->items = NULL;
    m->count = 0;
}

const char *ccfg_map_get(const struct ccfg_map *m, const char *key)
{
    for (size_t i = 0; i < m->count; i++)
        if (strcmp(m->items[i].key, key) == 0)
            return m->items[i].value;
    return NULL;
}

/* A mapping of strings to strings; numbers and booleans keep their text,
 * as Kubernetes labels and AWS tags are strings. */
void ccfg_read_map(struct ccfg_reader *r, yaml_node_t *n, const char *path,
                   struct ccfg_map *dst)
{
    if (ccfg_is_null(n))
        return;
    if (!ydoc_is_map(n)) {
        ccfg_reader_fail(r, n, path, "must be a mapping of names to values");
        return;
    }
    for (size_t i = 0; i < ydoc_map_len(n); i++) {
        yaml_node_t *k, *v;
        char sub[CCFG_PATH_MAX];
        ydoc_pair(r->doc, n, i, &k, &v);
        const char *key = ydoc_str(k);
        if (!key) {
            ccfg_reader_fail(r, k, path, "keys must be plain strings");
            continue;
        }
        snprintf(sub, sizeof(sub), "%s.%s", path, key);
        const char *value = ccfg_read_scalar(r, v, sub);
        if (!value && v && v->type == YAML_SCALAR_NODE)
            value = "";
        if (value)
            ccfg_map_add(dst, key, value);
    }
}

void ccfg_read_string_list(struct ccfg_reader *r, yaml_node_t *n,
                           const char *path, char ***items, size_t *count)
{
    if (ccfg_is_null(n))
        return;
    if (!ydoc_is_seq(n)) {
        ccfg_reader_fail(r, n, path, "must be a list");
        return;
    }
    for (size_t i = 0; i < ydoc_len(n); i++) {
        char sub[CCFG_PATH_MAX];
        snprintf(sub, sizeof(sub), "%s[%zu]", path, i);
        const char *s = ccfg_read_scalar(r, ydoc_item(r->doc, n, i), sub);
        if (!s)
            continue;
        *items = xrealloc(*items, (*count + 1) * sizeof(**items));
        (*items)[(*count)++] = xstrdup(s);
    }
}

void ccfg_read_fields(struct ccfg_reader *r, yaml_node_t *map,
                      const char *path, const struct ccfg_field *fields,
                      void *target)
{
    if (ccfg_is_null(map))
        return;
    if (!ydoc_is_map(map)) {
        ccfg_reader_fail(r, map, path, "must be a mapping");
        return;
    }
    for (size_t i = 0; i < ydoc_map_len(map); i++) {
        yaml_node_t *k, *v;
        char sub[CCFG_PATH_MAX];
        ydoc_pair(r->doc, map, i, &k, &v);
        const char *key = ydoc_str(k);
        if (!key) {
            ccfg_reader_fail(r, k, path, "keys must be plain strings");
            continue;
        }
        snprintf(sub, sizeof(sub), "%s%s%s", path, *path ? "." : "", key);
        const struct ccfg_field *f = fields;
        while (f->key && strcmp(f->key, key) != 0)
            f++;
        if (f->key)
            f->read(r, v, sub, target);
        else
            ccfg_reader_fail(r, k, sub, "unsupported field: albatross does "
                             "not provision it; remove it, or use eksctl "
                             "for this cluster");
    }
}

/* ---- metadata ---- */

static void read_name(struct ccfg_reader *r, yaml_node_t *n,
                      const char *path, void *target)
{
    ccfg_read_string(r, n, path, &((struct ccfg *)target)->name);
}

static void read_region(struct ccfg_reader *r, yaml_node_t *n,
                        const char *path, void *target)
{
    ccfg_read_string(r, n, path, &((struct ccfg *)target)->region);
}

/* A plain 1.30 is the number 1.3 to eksctl's YAML reader. */
static void read_version(struct ccfg_reader *r, yaml_node_t *n,
                         const char *path, void *target)
{
    struct ccfg *c = target;
    const char *s = ccfg_read_scalar(r, n, path);
    if (!s)
        return;
    const char *dot = strchr(s, '.');
    if (is_plain(n) && dot && s[strlen(s) - 1] == '0') {
        ccfg_reader_fail(r, n, path, "write the version in quotes (\"%s\"): "
                         "unquoted, %s is a number that eksctl reads as "
                         "%.*s", s, s, (int)(strlen(s) - 1), s);
        return;
    }
    free(c->version);
    c->version = xstrdup(s);
}

static void read_cluster_tags(struct ccfg_reader *r, yaml_node_t *n,
                              const char *path, void *target)
{
    ccfg_read_map(r, n, path, &((struct ccfg *)target)->tags);
}

static const struct ccfg_field metadata_fields[] = {
    {"name", read_name},
    {"region", read_region},
    {"version", read_version},
    {"tags", read_cluster_tags},
    {NULL, NULL},
};

static void read_metadata(struct ccfg_reader *r, yaml_node_t *n,
                          const char *path, void *target)
{
    ((struct ccfg *)target)->line_of_metadata = ydoc_line(n);
    ccfg_read_fields(r, n, path, metadata_fields, target);
}

static void read_zones(struct ccfg_reader *r, yaml_node_t *n,
                       const char *path, void *target)
{
    struct ccfg *c = target;
    ccfg_read_string_list(r, n, path, &c->zones, &c->zone_count);
}

static void read_api_version(struct ccfg_reader *r, yaml_node_t *n,
                             const char *path, void *target)
{
    (void)target;
    const char *s = ccfg_read_scalar(r, n, path);
    if (s && strcmp(s, CCFG_API_VERSION) != 0)
        ccfg_reader_fail(r, n, path, "must be %s (got \"%s\")",
                         CCFG_API_VERSION, s);
    r->seen_api_version = s != NULL;
}

static void read_kind(struct ccfg_reader *r, yaml_node_t *n,
                      const char *path, void *target)
{
    (void)target;
    const char *s = ccfg_read_scalar(r, n, path);
    if (s && strcmp(s, CCFG_KIND) != 0)
        ccfg_reader_fail(r, n, path, "must be %s (got \"%s\")", CCFG_KIND,
                         s);
    r->seen_kind = s != NULL;
}

static const struct ccfg_field top_fields[] = {
    {"apiVersion", read_api_version},
    {"kind", read_kind},
    {"metadata", read_metadata},
    {"availabilityZones", read_zones},
    {"vpc", ccfg_read_vpc},
    {"nodeGroups", ccfg_read_nodegroups},
    {"managedNodeGroups", ccfg_read_managed_nodegroups},
    {"iam", ccfg_read_iam},
    {NULL, NULL},
};

static void read_document(struct ccfg_reader *r)
{
    yaml_node_t *root = ydoc_root(r->doc);
    if (!ydoc_is_map(root)) {
        ccfg_errors_add(r->errors, r->c->source, ydoc_line(root),
                        "a ClusterConfig must be a mapping with apiVersion: "
                        "%s and kind: %s", CCFG_API_VERSION, CCFG_KIND);
        return;
    }
    ccfg_read_fields(r, root, "", top_fields, r->c);
    if (!r->seen_api_version)
        ccfg_errors_add(r->errors, r->c->source, ydoc_line(root),
                        "apiVersion: missing; set it to %s", CCFG_API_VERSION);
    if (!r->seen_kind)
        ccfg_errors_add(r->errors, r->c->source, ydoc_line(root),
                        "kind: missing; set it to %s", CCFG_KIND);
}

int ccfg_load_string(struct ccfg *c, const char *name, const char *text,
                     size_t len, struct ccfg_errors *errors)
{
    struct ydoc doc;
    char err[512];
    size_t before = errors->count;

    memset(c, 0, sizeof(*c));
    c->source = xstrdup(name ? name : "<input>");
    if (ydoc_load_string(&doc, c->source, text, len, err, sizeof(err)) < 0) {
        errors->count++;
        buf_printf(&errors->text, "%s\n", err);
        ccfg_cleanup(c);
        return -1;
    }
    struct ccfg_reader r = { .doc = &doc, .c = c, .errors = errors };
    read_document(&r);
    ydoc_free(&doc);
    if (errors->count == before) {
        ccfg_apply_defaults(c);
        ccfg_validate(c, errors);
    }
    if (errors->count != before) {
        ccfg_cleanup(c);
        return -1;
    }
    return 0;
}

int ccfg_load_file(struct ccfg *c, const char *path,
                   struct ccfg_errors *errors)
{
    struct buf b;
    char why[128];
    buf_init(&b, YDOC_MAX_FILE);
    memset(c, 0, sizeof(*c));
    if (buf_read_file(&b, path, why, sizeof(why)) < 0) {
        errors->count++;
        buf_printf(&errors->text, "%s: cannot read: %s\n", path, why);
        buf_cleanup(&b);
        return -1;
    }
    int rc = ccfg_load_string(c, path, b.data ? b.data : "", b.len, errors);
    buf_cleanup(&b);
    return rc;
}

static void free_strings(char **items, size_t count)
{
    for (size_t i = 0; i < count; i++)
        free(items[i]);
    free(items);
}

void ccfg_cleanup(struct ccfg *c)
{
    free(c->source);
    free(c->name);
    free(c->region);
    free(c->version);
    ccfg_map_free(&c->tags);
    free_strings(c->zones, c->zone_count);
    free(c->vpc_cidr);
    free(c->vpc_id);
    for (size_t i = 0; i < c->subnet_count; i++) {
        free(c->subnets[i].name);
        free(c->subnets[i].id);
        free(c->subnets[i].az);
        free(c->subnets[i].cidr);
    }
    free(c->subnets);
    for (size_t i = 0; i < c->nodegroup_count; i++) {
        struct ccfg_nodegroup *ng = &c->nodegroups[i];
        free(ng->name);
        free(ng->instance_type);
        ccfg_map_free(&ng->labels);
        ccfg_map_free(&ng->tags);
    }
    free(c->nodegroups);
    for (size_t i = 0; i < c->service_account_count; i++) {
        struct ccfg_service_account *sa = &c->service_accounts[i];
        free(sa->name);
        free(sa->namespace_name);
        free_strings(sa->policy_arns, sa->policy_arn_count);
        free(sa->inline_policy);
        free(sa->role_name);
    }
    free(c->service_accounts);
    memset(c, 0, sizeof(*c));
}

const char *ccfg_nat_name(enum ccfg_nat nat)
{
    switch (nat) {
    case CCFG_NAT_HIGHLY_AVAILABLE: return "HighlyAvailable";
    case CCFG_NAT_DISABLE: return "Disable";
    case CCFG_NAT_SINGLE: break;
    }
    return "Single";
}

void ccfg_nodegroup_path(const struct ccfg_nodegroup *ng, char *out,
                         size_t len)
{
    snprintf(out, len, "%s[%zu]", ng->managed ? "managedNodeGroups"
             : "nodeGroups", ng->index);
}
