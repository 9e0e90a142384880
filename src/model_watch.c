/*
 * Watches that keep an opened cluster's service accounts and ingresses
 * current between lists. A change updates the flat arrays in place, so a
 * modified object keeps its index. An added one goes to the end, and a
 * deleted one is removed with the order of the others kept. A relist
 * after an expired watch is applied as the differences it makes. Each
 * cluster holds at most KUBE_MAX_ITEMS objects of a kind, as a list
 * does.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../api/log.h"
#include "model_internal.h"
#include "util.h"

/* The callback context of one watch. */
struct watch_ref {
    struct model *m;
    size_t cluster;
    enum kube_watch_resource resource;
};

const char *model_change_name(enum model_change change)
{
    switch (change) {
    case MODEL_ADDED: return "ADDED";
    case MODEL_MODIFIED: return "MODIFIED";
    case MODEL_DELETED: return "DELETED";
    }
    return "?";
}

static int same(const char *a, const char *b)
{
    return a == b || (a && b && strcmp(a, b) == 0);
}

static int compare_keys(const char *ns_a, const char *name_a,
                        const char *ns_b, const char *name_b)
{
    int rc = strcmp(ns_a ? ns_a : "", ns_b ? ns_b : "");
    return rc ? rc : strcmp(name_a ? name_a : "", name_b ? name_b : "");
}

static void report(struct model *m, enum kube_watch_resource resource,
                   enum model_change change, size_t index)
{
    const struct model_watch_hooks *h = &m->watch_hooks;
    if (resource == KUBE_WATCH_INGRESSES && h->ingress)
        h->ingress(m, change, index, h->ctx);
    else if (resource == KUBE_WATCH_SERVICE_ACCOUNTS && h->service_account)
        h->service_account(m, change, index, h->ctx);
}

/* ---- the two kinds -------------------------------------------------------- */

/* The operations on one of the model's flat arrays that a watch needs.
 * Model objects are addressed by index. API objects are the kube_*
 * structs of a list or event, and take() steals their strings. */
struct kind {
    enum kube_watch_resource resource;
    size_t (*count)(const struct model *m);
    size_t (*cluster_of)(const struct model *m, size_t k);
    void (*key)(const struct model *m, size_t k, const char **ns,
                const char **name);
    size_t item_size;       /* of the API object */
    void (*item_key)(const void *item, const char **ns, const char **name);
    int (*differs)(const struct model *m, size_t k, const void *item);
    /* Grows the array by one and returns the new, unset index. */
    size_t (*grow)(struct model *m);
    void (*free_at)(struct model *m, size_t k);
    void (*take)(struct model *m, size_t k, size_t cluster, void *item);
    /* Removes index k, already freed, keeping the order. */
    void (*remove)(struct model *m, size_t k);
    /* After changes to cluster's objects: joins and version bumps. */
    void (*changed)(struct model *m, size_t cluster);
};

static size_t sa_count(const struct model *m)
{
    return m->service_account_count;
}

static size_t sa_cluster(const struct model *m, size_t k)
{
    return m->service_accounts[k].cluster;
}

static void sa_key(const struct model *m, size_t k, const char **ns,
                   const char **name)
{
    *ns = m->service_accounts[k].namespace;
    *name = m->service_accounts[k].name;
}

static void sa_item_key(const void *item, const char **ns, const char **name)
{
    const struct kube_service_account *sa = item;
    *ns = sa->namespace;
    *name = sa->name;
}

static int sa_differs(const struct model *m, size_t k, const void *item)
{
    const struct model_service_account *sa = &m->service_accounts[k];
    const struct kube_service_account *src = item;
    return !same(sa->role_arn, src->role_arn) ||
           !same(sa->created, src->created);
}

static size_t sa_grow(struct model *m)
{
    m->service_accounts = xrealloc(m->service_accounts,
        (m->service_account_count + 1) * sizeof(*m->service_accounts));
    return m->service_account_count++;
}

static void sa_free_at(struct model *m, size_t k)
{
    model_free_service_account(&m->service_accounts[k]);
}

static void sa_take(struct model *m, size_t k, size_t cluster, void *item)
{
    model_take_service_account(&m->service_accounts[k], cluster, item);
}

static void sa_remove(struct model *m, size_t k)
{
    memmove(&m->service_accounts[k], &m->service_accounts[k + 1],
            (m->service_account_count - k - 1) *
            sizeof(*m->service_accounts));
    m->service_account_count--;
}

static void sa_changed(struct model *m, size_t cluster)
{
    (void)cluster;
    model_join_roles(m);    /* the roles' counts and each status */
}

static const struct kind service_accounts = {
    .resource = KUBE_WATCH_SERVICE_ACCOUNTS,
    .count = sa_count, .cluster_of = sa_cluster, .key = sa_key,
    .item_size = sizeof(struct kube_service_account),
    .item_key = sa_item_key, .differs = sa_differs, .grow = sa_grow,
    .free_at = sa_free_at, .take = sa_take, .remove = sa_remove,
    .changed = sa_changed,
};

static size_t ing_count(const struct model *m)
{
    return m->ingress_count;
}

static size_t ing_cluster(const struct model *m, size_t k)
{
    return m->ingresses[k].cluster;
}

static void ing_key(const struct model *m, size_t k, const char **ns,
                    const char **name)
{
    *ns = m->ingresses[k].namespace;
    *name = m->ingresses[k].name;
}

static void ing_item_key(const void *item, const char **ns,
                         const char **name)
{
    const struct kube_ingress *in = item;
    *ns = in->namespace;
    *name = in->name;
}

static int ing_differs(const struct model *m, size_t k, const void *item)
{
    const struct model_ingress *ing = &m->ingresses[k];
    const struct kube_ingress *src = item;
    return !same(ing->class_name, src->class_name) ||
           !same(ing->hosts, src->hosts) ||
           !same(ing->address, src->address) ||
           !same(ing->group_name, src->group_name) ||
           !same(ing->created, src->created);
}

static size_t ing_grow(struct model *m)
{
    m->ingresses = xrealloc(m->ingresses,
                            (m->ingress_count + 1) * sizeof(*m->ingresses));
    return m->ingress_count++;
}

static void ing_free_at(struct model *m, size_t k)
{
    model_free_ingress(&m->ingresses[k]);
}

static void ing_take(struct model *m, size_t k, size_t cluster, void *item)
{
    model_take_ingress(&m->ingresses[k], cluster, item);
}

static void ing_remove(struct model *m, size_t k)
{
    memmove(&m->ingresses[k], &m->ingresses[k + 1],
            (m->ingress_count - k - 1) * sizeof(*m->ingresses));
    m->ingress_count--;
}

/* Tells the chains that the cluster's ingresses changed. */
static void ing_changed(struct model *m, size_t cluster)
{
    m->clusters[cluster].ingress_changes++;
    m->version++;
}

static const struct kind ingresses = {
    .resource = KUBE_WATCH_INGRESSES,
    .count = ing_count, .cluster_of = ing_cluster, .key = ing_key,
    .item_size = sizeof(struct kube_ingress),
    .item_key = ing_item_key, .differs = ing_differs, .grow = ing_grow,
    .free_at = ing_free_at, .take = ing_take, .remove = ing_remove,
    .changed = ing_changed,
};

/* ---- applying changes ----------------------------------------------------- */

static size_t find(const struct kind *kind, const struct model *m,
                   size_t cluster, const char *ns, const char *name)
{
    for (size_t k = 0; k < kind->count(m); k++) {
        const char *k_ns, *k_name;
        kind->key(m, k, &k_ns, &k_name);
        if (kind->cluster_of(m, k) == cluster &&
            compare_keys(k_ns, k_name, ns, name) == 0)
            return k;
    }
    return MODEL_NONE;
}

static size_t count_in(const struct kind *kind, const struct model *m,
                       size_t cluster)
{
    size_t n = 0;
    for (size_t k = 0; k < kind->count(m); k++)
        n += kind->cluster_of(m, k) == cluster;
    return n;
}

/* Reports the deletion, then frees and removes index k. */
static void delete_at(const struct kind *kind, struct model *m, size_t k)
{
    report(m, kind->resource, MODEL_DELETED, k);
    kind->free_at(m, k);
    kind->remove(m, k);
}

/* Adds or replaces item; returns its index and sets *change, or
 * MODEL_NONE when the cluster has KUBE_MAX_ITEMS of the kind already. */
static size_t put(const struct kind *kind, struct model *m, size_t cluster,
                  void *item, enum model_change *change)
{
    const char *ns, *name;
    kind->item_key(item, &ns, &name);
    size_t k = find(kind, m, cluster, ns, name);
    *change = k == MODEL_NONE ? MODEL_ADDED : MODEL_MODIFIED;
    if (k == MODEL_NONE) {
        if (count_in(kind, m, cluster) >= KUBE_MAX_ITEMS)
            return MODEL_NONE;
        k = kind->grow(m);
    } else {
        kind->free_at(m, k);
    }
    kind->take(m, k, cluster, item);
    return k;
}

static void apply_event(const struct kind *kind, struct model *m,
                        size_t cluster, struct kube_watch_event *ev)
{
    void *item = kind->resource == KUBE_WATCH_INGRESSES
                 ? (void *)ev->ingress : (void *)ev->service_account;
    enum model_change change;
    if (ev->type == KUBE_WATCH_DELETED) {
        const char *ns, *name;
        kind->item_key(item, &ns, &name);
        size_t k = find(kind, m, cluster, ns, name);
        if (k != MODEL_NONE)
            delete_at(kind, m, k);
        kind->changed(m, cluster);
        return;
    }
    size_t k = put(kind, m, cluster, item, &change);
    kind->changed(m, cluster);
    if (k != MODEL_NONE)
        report(m, kind->resource, change, k);
}

/* A relisted object's key and where it is. */
struct keyed {
    const char *ns;
    const char *name;
    void *item;
    size_t at;              /* index in the model, or MODEL_NONE */
};

static int compare_keyed(const void *a, const void *b)
{
    const struct keyed *x = a, *y = b;
    return compare_keys(x->ns, x->name, y->ns, y->name);
}

static struct keyed *find_keyed(const struct kind *kind,
                                const struct model *m, size_t k,
                                struct keyed *keys, size_t n)
{
    struct keyed key;
    kind->key(m, k, &key.ns, &key.name);
    return bsearch(&key, keys, n, sizeof(*keys), compare_keyed);
}

/* The model indices changed by a relist, reported once all are in. */
struct changes {
    size_t *index;
    enum model_change *change;
    size_t count;
};

static void changes_add(struct changes *c, size_t index,
                        enum model_change change)
{
    c->index = xrealloc(c->index, (c->count + 1) * sizeof(*c->index));
    c->change = xrealloc(c->change, (c->count + 1) * sizeof(*c->change));
    c->index[c->count] = index;
    c->change[c->count++] = change;
}

/* Removes the cluster's objects that the relist lacks, then finds where
 * the others are, by binary search in the sorted keys. */
static void match_relisted(const struct kind *kind, struct model *m,
                           size_t cluster, struct keyed *keys, size_t n)
{
    for (size_t k = kind->count(m); k-- > 0;)
        if (kind->cluster_of(m, k) == cluster &&
            !find_keyed(kind, m, k, keys, n))
            delete_at(kind, m, k);
    for (size_t k = 0; k < kind->count(m); k++) {
        struct keyed *found = kind->cluster_of(m, k) == cluster
                              ? find_keyed(kind, m, k, keys, n) : NULL;
        if (found)
            found->at = k;
    }
}

/* Applies a relist of items (count n): what it lacks is deleted, what
 * differs replaced and what is new appended; then each change is
 * reported. */
static void apply_relist(const struct kind *kind, struct model *m,
                         size_t cluster, char *items, size_t n)
{
    struct changes changes = { NULL, NULL, 0 };
    struct keyed *keys = xrealloc(NULL, (n + 1) * sizeof(*keys));
    for (size_t i = 0; i < n; i++) {
        keys[i].item = items + i * kind->item_size;
        keys[i].at = MODEL_NONE;
        kind->item_key(keys[i].item, &keys[i].ns, &keys[i].name);
    }
    qsort(keys, n, sizeof(*keys), compare_keyed);
    match_relisted(kind, m, cluster, keys, n);
    size_t have = count_in(kind, m, cluster);
    for (size_t i = 0; i < n; i++) {
        size_t k = keys[i].at;
        if (k != MODEL_NONE && !kind->differs(m, k, keys[i].item))
            continue;
        if (k != MODEL_NONE) {
            kind->free_at(m, k);
            changes_add(&changes, k, MODEL_MODIFIED);
        } else if (have < KUBE_MAX_ITEMS) {
            have++;
            k = kind->grow(m);
            changes_add(&changes, k, MODEL_ADDED);
        } else {
            continue;
        }
        kind->take(m, k, cluster, keys[i].item);
    }
    free(keys);
    kind->changed(m, cluster);
    for (size_t i = 0; i < changes.count; i++)
        report(m, kind->resource, changes.change[i], changes.index[i]);
    free(changes.index);
    free(changes.change);
}

/* ---- the watches --------------------------------------------------------- */

static const struct kind *kind_of(enum kube_watch_resource resource)
{
    return resource == KUBE_WATCH_INGRESSES ? &ingresses : &service_accounts;
}

void model_watch_apply_event(struct model *m, size_t i,
                             enum kube_watch_resource resource,
                             struct kube_watch_event *ev)
{
    if (ev->type != KUBE_WATCH_BOOKMARK)
        apply_event(kind_of(resource), m, i, ev);
}

void model_watch_apply_relist(struct model *m, size_t i,
                              struct kube_sa_list *sa_list,
                              struct kube_ingress_list *ingress_list)
{
    if (sa_list) {
        apply_relist(&service_accounts, m, i, (char *)sa_list->items,
                     sa_list->count);
        kube_sa_list_free(sa_list);
    }
    if (ingress_list) {
        apply_relist(&ingresses, m, i, (char *)ingress_list->items,
                     ingress_list->count);
        kube_ingress_list_free(ingress_list);
    }
}

static void on_event(struct kube_watch_event *ev, void *ctx)
{
    struct watch_ref *ref = ctx;
    model_watch_apply_event(ref->m, ref->cluster, ref->resource, ev);
}

static void on_relisted(struct kube_sa_list *sa_list,
                        struct kube_ingress_list *ingress_list, void *ctx)
{
    struct watch_ref *ref = ctx;
    model_watch_apply_relist(ref->m, ref->cluster, sa_list, ingress_list);
}

static void on_note(enum kube_watch_note note, const struct api_error *err,
                    void *ctx)
{
    struct watch_ref *ref = ctx;
    struct model *m = ref->m;
    char text[700];
    snprintf(text, sizeof(text), "watch of %s on %s: %s%s",
             kube_watch_resource_name(ref->resource),
             m->clusters[ref->cluster].name, err->message,
             note == KUBE_WATCH_STOPPED ? "; press r to list again" : "");
    /* A restart is routine; the others are worth the status line. */
    if (note != KUBE_WATCH_RESTARTED) {
        snprintf(m->status, sizeof(m->status), "%s", text);
        m->version++;
    }
    if (m->watch_hooks.note)
        m->watch_hooks.note(m, ref->resource, note, text,
                            m->watch_hooks.ctx);
}

static void stop_watch(struct model_cluster *c, int kind)
{
    kube_watch_free(c->watches[kind]);
    free(c->watch_refs[kind]);
    c->watches[kind] = NULL;
    c->watch_refs[kind] = NULL;
}

void model_watch_start(struct model *m, size_t i,
                       enum kube_watch_resource resource, const char *rv)
{
    static const struct kube_watch_handlers handlers = {
        .event = on_event, .relisted = on_relisted, .note = on_note,
    };
    struct model_cluster *c = &m->clusters[i];
    struct api_error err;
    if (!m->watch || !c->kube)
        return;
    stop_watch(c, resource);
    if (!rv || !*rv) {
        log_msg(LOG_WARN, "%s: the list of %s has no resourceVersion; not "
                "watching it", c->name, kube_watch_resource_name(resource));
        return;
    }
    struct watch_ref *ref = xrealloc(NULL, sizeof(*ref));
    ref->m = m;
    ref->cluster = i;
    ref->resource = resource;
    c->watch_refs[resource] = ref;
    c->watches[resource] = kube_watch_start(c->kube, resource, m->namespace,
                                            rv, &handlers, ref, &err);
    if (!c->watches[resource]) {
        model_set_status(m, "watch", &err);
        stop_watch(c, resource);
    }
}

void model_watch_stop_all(struct model *m)
{
    for (size_t i = 0; i < m->cluster_count; i++) {
        stop_watch(&m->clusters[i], KUBE_WATCH_SERVICE_ACCOUNTS);
        stop_watch(&m->clusters[i], KUBE_WATCH_INGRESSES);
    }
}
