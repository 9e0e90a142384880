/* Stored Kubernetes objects and tombstones of one cluster. */
#include "k8s_store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wfile.h"

#define STORE_KINDS_MAX 32      /* built-in kinds plus custom resources */

struct stored_object {
    char *ns;                   /* "" for cluster-scoped objects */
    char *name;
    cJSON *object;              /* without kind and apiVersion */
    struct world_kv_list labels;
};

struct stored_kind {
    struct k8s_resource r;      /* its callbacks read this kind's slot */
    const char *group;          /* "" for the core group */
    const char *version;
    char *owned[6];             /* the strings of a custom resource kind:
                                 * r's five, then "group\0version" */
    int served;                 /* 0 once its definition is deleted */
    struct stored_object *items;
    size_t count;
};

struct k8s_store {
    struct stored_kind kinds[STORE_KINDS_MAX];
    size_t kind_count;
    struct k8s_tombstone *tombstones;
    size_t tombstone_count;
};

/* ---- the callbacks of each slot ------------------------------------------ */

static struct stored_kind *slot(const struct world_cluster *c, size_t n)
{
    return &c->store->kinds[n];
}

static size_t slot_count(const struct world_cluster *c, size_t n)
{
    return slot(c, n)->served ? slot(c, n)->count : 0;
}

static void slot_key(const struct world_cluster *c, size_t n, size_t i,
                     struct k8s_entry *e)
{
    e->ns = slot(c, n)->items[i].ns;
    e->name = slot(c, n)->items[i].name;
}

static const struct world_kv_list *slot_labels(const struct world_cluster *c,
                                               size_t n, size_t i)
{
    return &slot(c, n)->items[i].labels;
}

static cJSON *slot_render(const struct world_cluster *c, size_t n, size_t i)
{
    return cJSON_Duplicate(slot(c, n)->items[i].object, 1);
}

/* The k8s_resource callbacks take no resource, so each slot gets its
 * own small functions that pass the slot number on. */
#define SLOT(n)                                                             \
    static size_t count_##n(const struct world_cluster *c)                  \
    { return slot_count(c, n); }                                            \
    static void key_##n(const struct world_cluster *c, size_t i,            \
                        struct k8s_entry *e)                                \
    { slot_key(c, n, i, e); }                                               \
    static const struct world_kv_list *labels_##n(                          \
        const struct world_cluster *c, size_t i)                            \
    { return slot_labels(c, n, i); }                                        \
    static cJSON *render_##n(const struct world_cluster *c, size_t i)       \
    { return slot_render(c, n, i); }

SLOT(0) SLOT(1) SLOT(2) SLOT(3) SLOT(4) SLOT(5) SLOT(6) SLOT(7)
SLOT(8) SLOT(9) SLOT(10) SLOT(11) SLOT(12) SLOT(13) SLOT(14) SLOT(15)
SLOT(16) SLOT(17) SLOT(18) SLOT(19) SLOT(20) SLOT(21) SLOT(22) SLOT(23)
SLOT(24) SLOT(25) SLOT(26) SLOT(27) SLOT(28) SLOT(29) SLOT(30) SLOT(31)

#define SLOT_FNS(n) { count_##n, key_##n, labels_##n, render_##n }

static const struct {
    size_t (*count)(const struct world_cluster *c);
    void (*key)(const struct world_cluster *c, size_t i, struct k8s_entry *e);
    const struct world_kv_list *(*labels)(const struct world_cluster *c,
                                          size_t i);
    cJSON *(*render)(const struct world_cluster *c, size_t i);
} slot_fns[STORE_KINDS_MAX] = {
    SLOT_FNS(0), SLOT_FNS(1), SLOT_FNS(2), SLOT_FNS(3), SLOT_FNS(4),
    SLOT_FNS(5), SLOT_FNS(6), SLOT_FNS(7), SLOT_FNS(8), SLOT_FNS(9),
    SLOT_FNS(10), SLOT_FNS(11), SLOT_FNS(12), SLOT_FNS(13), SLOT_FNS(14),
    SLOT_FNS(15), SLOT_FNS(16), SLOT_FNS(17), SLOT_FNS(18), SLOT_FNS(19),
    SLOT_FNS(20), SLOT_FNS(21), SLOT_FNS(22), SLOT_FNS(23), SLOT_FNS(24),
    SLOT_FNS(25), SLOT_FNS(26), SLOT_FNS(27), SLOT_FNS(28), SLOT_FNS(29),
    SLOT_FNS(30), SLOT_FNS(31),
};

/* ---- kinds --------------------------------------------------------------- */

/* The kinds every cluster can store, with their group_version strings
 * as the API server spells them. */
static const struct builtin_kind {
    const char *group;
    const char *group_version;
    const char *plural;
    const char *singular;
    const char *kind;
    const char *short_name;
    int namespaced;
} builtin_kinds[] = {
    { "apps", "apps/v1", "deployments", "deployment", "Deployment",
      "deploy", 1 },
    { "apps", "apps/v1", "replicasets", "replicaset", "ReplicaSet", "rs",
      1 },
    { "", "v1", "secrets", "secret", "Secret", NULL, 1 },
    { "", "v1", "configmaps", "configmap", "ConfigMap", "cm", 1 },
    { "rbac.authorization.k8s.io", "rbac.authorization.k8s.io/v1",
      "clusterroles", "clusterrole", "ClusterRole", NULL, 0 },
    { "rbac.authorization.k8s.io", "rbac.authorization.k8s.io/v1",
      "clusterrolebindings", "clusterrolebinding", "ClusterRoleBinding",
      NULL, 0 },
    { "rbac.authorization.k8s.io", "rbac.authorization.k8s.io/v1",
      "roles", "role", "Role", NULL, 1 },
    { "rbac.authorization.k8s.io", "rbac.authorization.k8s.io/v1",
      "rolebindings", "rolebinding", "RoleBinding", NULL, 1 },
    { "admissionregistration.k8s.io", "admissionregistration.k8s.io/v1",
      "mutatingwebhookconfigurations", "mutatingwebhookconfiguration",
      "MutatingWebhookConfiguration", NULL, 0 },
    { "admissionregistration.k8s.io", "admissionregistration.k8s.io/v1",
      "validatingwebhookconfigurations", "validatingwebhookconfiguration",
      "ValidatingWebhookConfiguration", NULL, 0 },
    { "apiextensions.k8s.io", "apiextensions.k8s.io/v1",
      "customresourcedefinitions", "customresourcedefinition",
      "CustomResourceDefinition", "crd", 0 },
};

#define BUILTIN_COUNT (sizeof(builtin_kinds) / sizeof(builtin_kinds[0]))

static void init_slot(struct stored_kind *k, size_t n)
{
    k->r.count = slot_fns[n].count;
    k->r.key = slot_fns[n].key;
    k->r.labels = slot_fns[n].labels;
    k->r.render = slot_fns[n].render;
    k->r.changes = 1;
    k->served = 1;
}

static struct k8s_store *store_of(struct world_cluster *c)
{
    struct k8s_store *s = c->store;

    if (s)
        return s;
    if (!(s = calloc(1, sizeof(*s))))
        return NULL;
    for (size_t i = 0; i < BUILTIN_COUNT; i++) {
        const struct builtin_kind *b = &builtin_kinds[i];
        struct stored_kind *k = &s->kinds[i];
        const char *slash = strrchr(b->group_version, '/');

        init_slot(k, i);
        k->r.group_version = b->group_version;
        k->r.plural = b->plural;
        k->r.singular = b->singular;
        k->r.kind = b->kind;
        k->r.short_name = b->short_name;
        k->r.namespaced = b->namespaced;
        k->group = b->group;
        k->version = slash ? slash + 1 : b->group_version;
    }
    s->kind_count = BUILTIN_COUNT;
    c->store = s;
    return s;
}

static struct stored_kind *kind_of(const struct world_cluster *c,
                                   const struct k8s_resource *r)
{
    struct k8s_store *s = c->store;

    for (size_t i = 0; s && i < s->kind_count; i++)
        if (&s->kinds[i].r == r)
            return &s->kinds[i];
    return NULL;
}

int k8s_store_owns(const struct world_cluster *c,
                   const struct k8s_resource *r)
{
    return kind_of(c, r) != NULL;
}

int k8s_store_custom(const struct world_cluster *c,
                     const struct k8s_resource *r)
{
    const struct stored_kind *k = kind_of(c, r);

    return k && k >= &c->store->kinds[BUILTIN_COUNT];
}

const struct k8s_resource *k8s_cluster_resource(struct world_cluster *c,
                                                const char *group_version,
                                                const char *plural)
{
    const struct k8s_resource *r = k8s_resource_find(group_version, plural);
    struct k8s_store *s = r ? NULL : store_of(c);

    for (size_t i = 0; s && i < s->kind_count; i++) {
        const struct stored_kind *k = &s->kinds[i];

        if (k->served && !strcmp(k->r.group_version, group_version) &&
            !strcmp(k->r.plural, plural))
            return &k->r;
    }
    return r;
}

/* ---- discovery ----------------------------------------------------------- */

static cJSON *string_array(const char *const *items, size_t count)
{
    cJSON *array = cJSON_CreateArray();

    for (size_t i = 0; i < count; i++)
        cJSON_AddItemToArray(array, cJSON_CreateString(items[i]));
    return array;
}

cJSON *k8s_resource_json(const struct world_cluster *c,
                         const struct k8s_resource *r)
{
    static const char *const verbs[] = {
        "get", "list", "watch", "create", "update", "patch", "delete",
    };
    int writable = kind_of(c, r) ||
                   r == k8s_resource_find("v1", "serviceaccounts") ||
                   r == &k8s_service_resource ||
                   r == &k8s_ingress_class_resource;
    cJSON *obj = cJSON_CreateObject();

    cJSON_AddStringToObject(obj, "name", r->plural);
    cJSON_AddStringToObject(obj, "singularName", r->singular);
    cJSON_AddBoolToObject(obj, "namespaced", r->namespaced);
    cJSON_AddStringToObject(obj, "kind", r->kind);
    cJSON_AddItemToObject(obj, "verbs", string_array(verbs,
                                                     writable ? 7 : 3));
    if (r->short_name)
        cJSON_AddItemToObject(obj, "shortNames",
                              string_array(&r->short_name, 1));
    return obj;
}

void k8s_store_add_resources(struct world_cluster *c,
                             const char *group_version, cJSON *list)
{
    struct k8s_store *s = store_of(c);

    for (size_t i = 0; s && i < s->kind_count; i++)
        if (s->kinds[i].served &&
            !strcmp(s->kinds[i].r.group_version, group_version))
            cJSON_AddItemToArray(list, k8s_resource_json(c, &s->kinds[i].r));
}

size_t k8s_store_kind_count(struct world_cluster *c)
{
    struct k8s_store *s = store_of(c);

    return s ? s->kind_count : 0;
}

const struct k8s_resource *k8s_store_kind_at(struct world_cluster *c,
                                             size_t i)
{
    struct stored_kind *k = &store_of(c)->kinds[i];

    return k->served ? &k->r : NULL;
}

static int listed(const char *group, const char *const *skip)
{
    for (; *skip; skip++)
        if (!strcmp(*skip, group))
            return 1;
    return 0;
}

void k8s_store_add_groups(struct world_cluster *c, cJSON *groups,
                          const char *const *skip)
{
    struct k8s_store *s = store_of(c);

    for (size_t i = 0; s && i < s->kind_count; i++) {
        const struct stored_kind *k = &s->kinds[i];
        cJSON *group, *version;
        int seen = 0;

        for (size_t j = 0; j < i; j++)
            seen = seen || (s->kinds[j].served &&
                            !strcmp(s->kinds[j].group, k->group));
        if (!k->served || !*k->group || seen || listed(k->group, skip))
            continue;
        group = cJSON_CreateObject();
        version = cJSON_CreateObject();
        cJSON_AddStringToObject(version, "groupVersion", k->r.group_version);
        cJSON_AddStringToObject(version, "version", k->version);
        cJSON_AddStringToObject(group, "name", k->group);
        cJSON_AddItemToArray(cJSON_AddArrayToObject(group, "versions"),
                             cJSON_Duplicate(version, 1));
        cJSON_AddItemToObject(group, "preferredVersion", version);
        cJSON_AddItemToArray(groups, group);
    }
}

const char *k8s_store_group_version(struct world_cluster *c,
                                    const char *group)
{
    struct k8s_store *s = store_of(c);

    for (size_t i = 0; s && i < s->kind_count; i++)
        if (s->kinds[i].served && *group &&
            !strcmp(s->kinds[i].group, group))
            return s->kinds[i].r.group_version;
    return NULL;
}

/* ---- objects ------------------------------------------------------------- */

static const char *meta_string(const cJSON *obj, const char *name)
{
    const char *s = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(obj, "metadata"), name));

    return s ? s : "";
}

static struct stored_object *find_object(struct stored_kind *k,
                                         const char *ns, const char *name)
{
    for (size_t i = 0; k && i < k->count; i++)
        if (!strcmp(k->items[i].ns, ns ? ns : "") &&
            !strcmp(k->items[i].name, name))
            return &k->items[i];
    return NULL;
}

cJSON *k8s_store_get(struct world_cluster *c, const struct k8s_resource *r,
                     const char *ns, const char *name)
{
    struct stored_object *o = find_object(kind_of(c, r), ns, name);

    return o ? cJSON_Duplicate(o->object, 1) : NULL;
}

static void object_cleanup(struct stored_object *o)
{
    free(o->ns);
    free(o->name);
    cJSON_Delete(o->object);
    wfile_kv_free(&o->labels);
}

int k8s_store_put(struct world_cluster *c, const struct k8s_resource *r,
                  cJSON *obj)
{
    struct stored_kind *k = kind_of(c, r);
    const char *ns = meta_string(obj, "namespace");
    const char *name = meta_string(obj, "name");
    struct stored_object fresh = { .object = obj }, *o, *grown;

    cJSON_DeleteItemFromObjectCaseSensitive(obj, "kind");
    cJSON_DeleteItemFromObjectCaseSensitive(obj, "apiVersion");
    fresh.ns = strdup(r->namespaced ? ns : "");
    fresh.name = strdup(name);
    if (!k || !fresh.ns || !fresh.name ||
        k8s_read_map(cJSON_GetObjectItemCaseSensitive(
            cJSON_GetObjectItemCaseSensitive(obj, "metadata"), "labels"),
                     &fresh.labels) < 0) {
        object_cleanup(&fresh);
        return -1;
    }
    o = find_object(k, fresh.ns, fresh.name);
    if (o) {
        object_cleanup(o);
        *o = fresh;
        return 0;
    }
    grown = realloc(k->items, (k->count + 1) * sizeof(*grown));
    if (!grown) {
        object_cleanup(&fresh);
        return -1;
    }
    k->items = grown;
    k->items[k->count++] = fresh;
    return 0;
}

int k8s_store_remove(struct world_cluster *c, const struct k8s_resource *r,
                     const char *ns, const char *name)
{
    struct stored_kind *k = kind_of(c, r);
    struct stored_object *o = find_object(k, ns, name);

    if (!o)
        return -1;
    object_cleanup(o);
    memmove(o, o + 1, (size_t)(k->items + k->count - (o + 1)) * sizeof(*o));
    k->count--;
    return 0;
}

/* ---- custom resources ---------------------------------------------------- */

static const char *crd_string(const cJSON *crd, const char *a, const char *b)
{
    const cJSON *spec = cJSON_GetObjectItemCaseSensitive(crd, "spec");
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(spec, a);

    if (b)
        v = cJSON_GetObjectItemCaseSensitive(v, b);
    return cJSON_GetStringValue(v);
}

/* The version to serve: the one marked storage, else the first served. */
static const char *crd_version(const cJSON *crd)
{
    const cJSON *versions = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(crd, "spec"), "versions");
    const cJSON *v;
    const char *first = NULL;

    cJSON_ArrayForEach(v, versions) {
        const char *name = cJSON_GetStringValue(
            cJSON_GetObjectItemCaseSensitive(v, "name"));

        if (!name || !cJSON_IsTrue(
                cJSON_GetObjectItemCaseSensitive(v, "served")))
            continue;
        if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(v, "storage")))
            return name;
        first = first ? first : name;
    }
    return first;
}

static struct stored_kind *custom_kind(struct k8s_store *s,
                                       const char *group_version,
                                       const char *plural)
{
    for (size_t i = BUILTIN_COUNT; i < s->kind_count; i++)
        if (!strcmp(s->kinds[i].r.group_version, group_version) &&
            !strcmp(s->kinds[i].r.plural, plural))
            return &s->kinds[i];
    return NULL;
}

static int fill_custom_kind(struct stored_kind *k, const cJSON *crd,
                            const char *group_version)
{
    const cJSON *short_names = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(
            cJSON_GetObjectItemCaseSensitive(crd, "spec"), "names"),
        "shortNames");
    const char *short_name = cJSON_GetStringValue(
        cJSON_GetArrayItem(short_names, 0));
    const char *singular = crd_string(crd, "names", "singular");
    const char *kind = crd_string(crd, "names", "kind");
    char *lower = kind ? strdup(kind) : NULL;

    for (char *p = lower; p && *p; p++)
        *p = (char)(*p >= 'A' && *p <= 'Z' ? *p - 'A' + 'a' : *p);
    k->owned[0] = strdup(group_version);
    k->owned[1] = strdup(crd_string(crd, "names", "plural"));
    k->owned[2] = singular && *singular ? strdup(singular) : lower;
    k->owned[3] = strdup(kind);
    k->owned[4] = short_name ? strdup(short_name) : NULL;
    if (k->owned[2] != lower)
        free(lower);
    k->r.group_version = k->owned[0];
    k->r.plural = k->owned[1];
    k->r.singular = k->owned[2];
    k->r.kind = k->owned[3];
    k->r.short_name = k->owned[4];
    k->r.namespaced = !strcmp(crd_string(crd, "scope", NULL), "Namespaced");
    for (int i = 0; i < 4; i++)
        if (!k->owned[i])
            return -1;
    if (!(k->owned[5] = strdup(group_version)))
        return -1;
    k->group = k->owned[5];
    *strchr(k->owned[5], '/') = '\0';
    k->version = k->owned[5] + strlen(k->owned[5]) + 1;
    return 0;
}

int k8s_store_define(struct world_cluster *c, const cJSON *crd, int served,
                     char *err, size_t errlen)
{
    struct k8s_store *s = store_of(c);
    const char *group = crd_string(crd, "group", NULL);
    const char *plural = crd_string(crd, "names", "plural");
    const char *kind = crd_string(crd, "names", "kind");
    const char *scope = crd_string(crd, "scope", NULL);
    const char *version = crd_version(crd);
    char group_version[320];
    struct stored_kind *k;

    if (!s || !group || !*group || !plural || !*plural || !kind || !*kind ||
        !version || !scope || (strcmp(scope, "Namespaced") &&
                               strcmp(scope, "Cluster"))) {
        snprintf(err, errlen, "spec.group, spec.names.plural, "
                 "spec.names.kind, spec.scope (Namespaced or Cluster) and "
                 "a served spec.versions entry are required");
        return -1;
    }
    snprintf(group_version, sizeof(group_version), "%s/%s", group, version);
    k = custom_kind(s, group_version, plural);
    if (k) {
        /* Deleting the definition deletes its objects. */
        for (size_t i = 0; !served && i < k->count; i++)
            object_cleanup(&k->items[i]);
        if (!served)
            k->count = 0;
        k->served = served;
        return 0;
    }
    if (!served || k8s_resource_find(group_version, plural))
        return 0;
    if (s->kind_count == STORE_KINDS_MAX) {
        snprintf(err, errlen, "the sandbox serves at most %d custom "
                 "resource kinds per cluster",
                 (int)(STORE_KINDS_MAX - BUILTIN_COUNT));
        return -1;
    }
    k = &s->kinds[s->kind_count];
    init_slot(k, s->kind_count);
    if (fill_custom_kind(k, crd, group_version) < 0) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    s->kind_count++;
    return 0;
}

/* ---- tombstones ---------------------------------------------------------- */

static void tombstone_cleanup(struct k8s_tombstone *t)
{
    free(t->ns);
    free(t->name);
    cJSON_Delete(t->object);
}

void k8s_store_bury(struct world_cluster *c, const struct k8s_resource *r,
                    const char *ns, const char *name, unsigned long rv,
                    cJSON *obj)
{
    struct k8s_store *s = store_of(c);
    struct k8s_tombstone t = { r, strdup(ns ? ns : ""), strdup(name), rv,
                               obj };
    struct k8s_tombstone *grown;

    if (!s || !t.ns || !t.name) {
        tombstone_cleanup(&t);
        return;
    }
    if (s->tombstone_count == K8S_TOMBSTONES_MAX) {
        tombstone_cleanup(&s->tombstones[0]);
        memmove(s->tombstones, s->tombstones + 1,
                (K8S_TOMBSTONES_MAX - 1) * sizeof(*s->tombstones));
        s->tombstone_count--;
    }
    grown = realloc(s->tombstones, (s->tombstone_count + 1) * sizeof(t));
    if (!grown) {
        tombstone_cleanup(&t);
        return;
    }
    s->tombstones = grown;
    s->tombstones[s->tombstone_count++] = t;
}

size_t k8s_tombstone_count(const struct world_cluster *c)
{
    return c->store ? c->store->tombstone_count : 0;
}

const struct k8s_tombstone *k8s_tombstone_at(const struct world_cluster *c,
                                             size_t i)
{
    return &c->store->tombstones[i];
}

void k8s_store_free(struct k8s_store *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->kind_count; i++) {
        struct stored_kind *k = &s->kinds[i];

        for (size_t j = 0; j < k->count; j++)
            object_cleanup(&k->items[j]);
        free(k->items);
        for (int j = 0; j < 6; j++)
            free(k->owned[j]);
    }
    for (size_t i = 0; i < s->tombstone_count; i++)
        tombstone_cleanup(&s->tombstones[i]);
    free(s->tombstones);
    free(s);
}
