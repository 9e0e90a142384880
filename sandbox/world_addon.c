/*
 * EKS add-ons in the world. The sandbox supports a fixed set of add-on
 * names, each with the version a create gets when it names none. The
 * ids at the end of ARNs are derived from the cluster, the name and a
 * serial number, so every load gives the same ones.
 */
#include "world_addon.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "world_net.h"

/* NOTE: the default versions have the form of EKS's releases but are
 * not checked against DescribeAddonVersions for any cluster version. */
static const char *const known_addons[][2] = {
    {"vpc-cni", "v1.18.1-eksbuild.3"},
    {"coredns", "v1.11.1-eksbuild.9"},
    {"kube-proxy", "v1.29.3-eksbuild.2"},
    {"aws-ebs-csi-driver", "v1.31.0-eksbuild.1"},
    {"aws-efs-csi-driver", "v2.0.3-eksbuild.1"},
    {WORLD_POD_IDENTITY_AGENT, "v1.3.4-eksbuild.1"},
    {"amazon-cloudwatch-observability", "v1.7.0-eksbuild.1"},
    {"snapshot-controller", "v8.0.0-eksbuild.1"},
};

static const char *const addon_keys[] = {
    "name", "version", "created", "tags", NULL,
};

const char *world_addon_default_version(const char *name)
{
    for (size_t i = 0; i < sizeof(known_addons) / sizeof(known_addons[0]);
         i++)
        if (strcmp(known_addons[i][0], name) == 0)
            return known_addons[i][1];
    return NULL;
}

/* Digits at *s, at least one; advances *s past them. */
static int skip_digits(const char **s)
{
    const char *start = *s;
    while (isdigit((unsigned char)**s))
        (*s)++;
    return *s > start;
}

int world_valid_addon_version(const char *version)
{
    const char *s = version;
    if (*s++ != 'v' || !skip_digits(&s) || *s++ != '.' ||
        !skip_digits(&s) || *s++ != '.' || !skip_digits(&s))
        return 0;
    if (strncmp(s, "-eksbuild.", 10) != 0)
        return 0;
    s += 10;
    return skip_digits(&s) && *s == '\0';
}

static char *derive_id(const struct world_cluster *c, const char *name,
                       unsigned long serial)
{
    char *seed = wfile_printf("addon/%s/%s/%s/%lu", c->region, c->name,
                              name, serial);
    char *id = seed ? wfile_uuid(seed) : NULL;
    free(seed);
    return id;
}

static int check_addon(struct wfile *f, const yaml_node_t *map,
                       const struct world_addon *a)
{
    if (!world_addon_default_version(a->name))
        return wfile_fail(f, ydoc_get(f->doc, map, "name"), "add-on '%s' is "
                          "not one the sandbox knows; use vpc-cni, coredns, "
                          "kube-proxy, aws-ebs-csi-driver, aws-efs-csi-"
                          "driver, eks-pod-identity-agent, amazon-cloudwatch-"
                          "observability or snapshot-controller", a->name);
    if (a->version && !world_valid_addon_version(a->version))
        return wfile_fail(f, ydoc_get(f->doc, map, "version"), "add-on "
                          "version '%s' must look like v1.3.4-eksbuild.1",
                          a->version);
    return 0;
}

static int read_addon(struct wfile *f, const yaml_node_t *map,
                      struct world_cluster *c, struct world_addon *a)
{
    if (wfile_keys(f, map, "add-on", addon_keys) < 0 ||
        wfile_str(f, map, "name", 1, &a->name) < 0 ||
        wfile_str(f, map, "version", 0, &a->version) < 0 ||
        wfile_time(f, map, "created", c->created, &a->created) < 0 ||
        wfile_kv(f, map, "tags", &a->tags) < 0 ||
        check_addon(f, map, a) < 0)
        return -1;
    if (!a->version)
        a->version = strdup(world_addon_default_version(a->name));
    a->status = strdup("CREATING");
    a->modified = strdup(a->created);
    a->id = derive_id(c, a->name, 0);
    return a->version && a->status && a->modified && a->id
           ? 0 : wfile_fail(f, map, "out of memory");
}

static int check_unique(struct wfile *f, const yaml_node_t *seq,
                        const struct world_cluster *c)
{
    size_t n = c->addon_count;
    struct wfile_name *names = calloc(n ? n : 1, sizeof(*names));
    if (!names)
        return wfile_fail(f, seq, "out of memory");
    int rc = 0;
    for (size_t i = 0; i < n; i++) {
        names[i].key = strdup(c->addons[i].name);
        names[i].line = (int)ydoc_item(f->doc, seq, i)->start_mark.line + 1;
        if (!names[i].key)
            rc = -1;
    }
    if (rc == 0)
        rc = wfile_unique(f, names, n, 0, "add-on");
    else
        for (size_t i = 0; i < n; i++)
            free(names[i].key);
    free(names);
    return rc;
}

int world_read_addons(struct wfile *f, const yaml_node_t *map,
                      struct world_cluster *c)
{
    yaml_node_t *seq = ydoc_get(f->doc, map, "addons");
    if (!seq)
        return 0;
    if (!ydoc_is_seq(seq))
        return wfile_fail(f, seq, "'addons' must be a list");
    size_t n = ydoc_len(seq);
    c->addons = calloc(n ? n : 1, sizeof(*c->addons));
    if (!c->addons)
        return wfile_fail(f, seq, "out of memory");
    for (size_t i = 0; i < n; i++) {
        c->addon_count = i + 1;
        if (read_addon(f, ydoc_item(f->doc, seq, i), c, &c->addons[i]) < 0)
            return -1;
    }
    return check_unique(f, seq, c);
}

static void free_addon(struct world_addon *a)
{
    free(a->name);
    free(a->version);
    free(a->status);
    free(a->created);
    free(a->modified);
    free(a->id);
    free(a->client_token);
    free(a->service_account_role_arn);
    wfile_kv_free(&a->tags);
}

void world_free_addons(struct world_cluster *c)
{
    for (size_t i = 0; i < c->addon_count; i++)
        free_addon(&c->addons[i]);
    free(c->addons);
    c->addons = NULL;
    c->addon_count = 0;
}

struct world_addon *world_addon(struct world_cluster *c, const char *name)
{
    for (size_t i = 0; i < c->addon_count; i++)
        if (strcmp(c->addons[i].name, name) == 0)
            return &c->addons[i];
    return NULL;
}

const char *world_addon_status(const struct world *w,
                               const struct world_addon *a)
{
    if (strcmp(a->status, "CREATING") == 0 && world_clock(w) >= a->ready_at)
        return "ACTIVE";
    return a->status;
}

int world_addon_active(const struct world *w, struct world_cluster *c,
                       const char *name)
{
    const struct world_addon *a = world_addon(c, name);
    return a && strcmp(world_addon_status(w, a), "ACTIVE") == 0;
}

struct world_addon *world_add_addon(const struct world *w,
                                    struct world_cluster *c,
                                    const char *name, const char *version,
                                    const char *now)
{
    char *id = derive_id(c, name, ++c->addon_serial);
    struct world_addon *a = id ? world_append(&c->addons, &c->addon_count,
                                              sizeof(*a))
                               : NULL;
    if (!a) {
        free(id);
        return NULL;
    }
    a->id = id;
    a->name = strdup(name);
    a->version = strdup(version);
    a->status = strdup("CREATING");
    a->ready_at = world_clock(w) + w->timing.addon_creation;
    a->created = strdup(now);
    a->modified = strdup(now);
    if (a->name && a->version && a->status && a->created && a->modified)
        return a;
    world_remove_addon(c, a);
    return NULL;
}

void world_remove_addon(struct world_cluster *c, struct world_addon *a)
{
    size_t i = (size_t)(a - c->addons);
    free_addon(a);
    memmove(a, a + 1, (--c->addon_count - i) * sizeof(*a));
}

char *world_addon_arn(const struct world *w, const struct world_cluster *c,
                      const struct world_addon *a)
{
    return wfile_printf("arn:aws:eks:%s:%s:addon/%s/%s/%s", c->region,
                        w->account_id, c->name, a->name, a->id);
}
