/* managedFields: which manager set which field of an object. */
#include "k8s_fields.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "k8s_patch.h"

#define PATH_DEPTH_MAX 64
#define CONFLICTS_MAX  20   /* listed in one message */

struct path {
    const char *names[PATH_DEPTH_MAX];
    size_t depth;
};

/* Fields that identify the object or that the server sets; no manager
 * owns them. */
static int server_field(const struct path *p, const char *name)
{
    static const char *const meta[] = {
        "name", "namespace", "uid", "resourceVersion", "generation",
        "creationTimestamp", "managedFields", "deletionTimestamp",
        "selfLink", NULL,
    };

    if (p->depth == 0)
        return !strcmp(name, "apiVersion") || !strcmp(name, "kind") ||
               !strcmp(name, "status");
    if (p->depth == 1 && !strcmp(p->names[0], "metadata"))
        for (const char *const *m = meta; *m; m++)
            if (!strcmp(*m, name))
                return 1;
    return 0;
}

typedef int (*leaf_fn)(const struct path *p, const cJSON *value, void *ctx);

/* Calls fn for each leaf of obj: a value that is not an object, or an
 * empty object. Stops at the first non-zero return. */
static int each_leaf(const cJSON *obj, struct path *p, leaf_fn fn, void *ctx)
{
    const cJSON *item;

    cJSON_ArrayForEach(item, obj) {
        int rc;

        if (server_field(p, item->string) || p->depth == PATH_DEPTH_MAX)
            continue;
        p->names[p->depth++] = item->string;
        rc = cJSON_IsObject(item) && item->child
             ? each_leaf(item, p, fn, ctx) : fn(p, item, ctx);
        p->depth--;
        if (rc)
            return rc;
    }
    return 0;
}

static const cJSON *value_at(const cJSON *obj, const struct path *p)
{
    for (size_t i = 0; obj && i < p->depth; i++)
        obj = cJSON_IsObject(obj)
              ? cJSON_GetObjectItemCaseSensitive(obj, p->names[i]) : NULL;
    return obj;
}

/* The FieldsV1 name of a member. */
static void field_key(char *out, size_t len, const char *name)
{
    snprintf(out, len, "f:%s", name);
}

static int set_has(const cJSON *set, const struct path *p)
{
    char key[512];

    for (size_t i = 0; set && i < p->depth; i++) {
        field_key(key, sizeof(key), p->names[i]);
        set = cJSON_GetObjectItemCaseSensitive(set, key);
    }
    return set != NULL && !set->child;
}

static int set_add(cJSON *set, const struct path *p)
{
    char key[512];

    for (size_t i = 0; i < p->depth; i++) {
        cJSON *next;

        field_key(key, sizeof(key), p->names[i]);
        next = cJSON_GetObjectItemCaseSensitive(set, key);
        if (!next && !(next = cJSON_AddObjectToObject(set, key)))
            return -1;
        set = next;
    }
    return 0;
}

/* Removes a leaf and the parents it leaves empty. */
static void set_remove(cJSON *set, const struct path *p, size_t from)
{
    char key[512];
    cJSON *child;

    if (!set || from >= p->depth)
        return;
    field_key(key, sizeof(key), p->names[from]);
    child = cJSON_GetObjectItemCaseSensitive(set, key);
    if (!child)
        return;
    if (from + 1 < p->depth)
        set_remove(child, p, from + 1);
    if (from + 1 == p->depth || !child->child)
        cJSON_DeleteItemFromObjectCaseSensitive(set, key);
}

static void path_text(const struct path *p, char *out, size_t len)
{
    size_t used = 0;

    out[0] = '\0';
    for (size_t i = 0; i < p->depth && used < len; i++)
        used += (size_t)snprintf(out + used, len - used, ".%s", p->names[i]);
}

/* ---- the managedFields list ---------------------------------------------- */

static cJSON *managed_fields(cJSON *obj)
{
    cJSON *meta = cJSON_GetObjectItemCaseSensitive(obj, "metadata");
    cJSON *list = cJSON_GetObjectItemCaseSensitive(meta, "managedFields");

    if (!cJSON_IsObject(meta))
        return NULL;
    if (!cJSON_IsArray(list)) {
        cJSON_DeleteItemFromObjectCaseSensitive(meta, "managedFields");
        list = cJSON_AddArrayToObject(meta, "managedFields");
    }
    return list;
}

static const char *entry_str(const cJSON *entry, const char *name)
{
    const char *s = cJSON_GetStringValue(
        cJSON_GetObjectItemCaseSensitive(entry, name));

    return s ? s : "";
}

static cJSON *entry_fields(cJSON *entry)
{
    cJSON *set = cJSON_GetObjectItemCaseSensitive(entry, "fieldsV1");

    if (!cJSON_IsObject(set)) {
        cJSON_DeleteItemFromObjectCaseSensitive(entry, "fieldsV1");
        set = cJSON_AddObjectToObject(entry, "fieldsV1");
    }
    return set;
}

/* The entry of manager and operation (and apiVersion for updates),
 * added when missing; its time becomes now. */
static cJSON *find_entry(cJSON *list, const char *manager,
                         const char *operation, const char *api_version,
                         const char *now)
{
    cJSON *entry;
    int apply = !strcmp(operation, "Apply");

    cJSON_ArrayForEach(entry, list) {
        if (!strcmp(entry_str(entry, "manager"), manager) &&
            !strcmp(entry_str(entry, "operation"), operation) &&
            (apply || !strcmp(entry_str(entry, "apiVersion"), api_version)))
            break;
    }
    if (!entry) {
        entry = cJSON_CreateObject();
        if (!entry)
            return NULL;
        cJSON_AddStringToObject(entry, "manager", manager);
        cJSON_AddStringToObject(entry, "operation", operation);
        cJSON_AddItemToArray(list, entry);
    }
    cJSON_DeleteItemFromObjectCaseSensitive(entry, "apiVersion");
    cJSON_DeleteItemFromObjectCaseSensitive(entry, "time");
    cJSON_DeleteItemFromObjectCaseSensitive(entry, "fieldsType");
    cJSON_AddStringToObject(entry, "apiVersion", api_version);
    cJSON_AddStringToObject(entry, "time", now);
    cJSON_AddStringToObject(entry, "fieldsType", "FieldsV1");
    return entry_fields(entry) ? entry : NULL;
}

/* Drops entries that own nothing, as the API server does. */
static void drop_empty(cJSON *obj)
{
    cJSON *list = managed_fields(obj);
    cJSON *entry = list ? list->child : NULL;

    while (entry) {
        cJSON *next = entry->next;
        cJSON *set = cJSON_GetObjectItemCaseSensitive(entry, "fieldsV1");

        if (!set || !set->child)
            cJSON_Delete(cJSON_DetachItemViaPointer(list, entry));
        entry = next;
    }
    if (list && !list->child)
        cJSON_DeleteItemFromObjectCaseSensitive(
            cJSON_GetObjectItemCaseSensitive(obj, "metadata"),
            "managedFields");
}

/* ---- updates ------------------------------------------------------------- */

struct update {
    const cJSON *old;
    cJSON *list;
    cJSON *mine;
};

static void disown_others(cJSON *list, const cJSON *mine,
                          const struct path *p)
{
    cJSON *entry;

    cJSON_ArrayForEach(entry, list)
        if (entry != mine)
            set_remove(cJSON_GetObjectItemCaseSensitive(entry, "fieldsV1"),
                       p, 0);
}

static int claim_changed(const struct path *p, const cJSON *value, void *ctx)
{
    struct update *u = ctx;
    const cJSON *before = value_at(u->old, p);

    if (before && cJSON_Compare(before, value, 1))
        return 0;
    disown_others(u->list, u->mine, p);
    return set_add(entry_fields(u->mine), p);
}

static int disown_removed(const struct path *p, const cJSON *value,
                          void *ctx)
{
    struct update *u = ctx;
    cJSON *entry;

    (void)value;
    if (value_at(u->mine, p))
        return 0;
    cJSON_ArrayForEach(entry, u->list)
        set_remove(cJSON_GetObjectItemCaseSensitive(entry, "fieldsV1"), p, 0);
    return 0;
}

int k8s_fields_update(cJSON *obj, const cJSON *old, const char *manager,
                      const char *api_version, const char *now)
{
    cJSON *list = managed_fields(obj);
    struct update u = { old, list, NULL };
    struct path p = { .depth = 0 };

    if (!list || !(u.mine = find_entry(list, manager, "Update", api_version,
                                       now)))
        return -1;
    if (each_leaf(obj, &p, claim_changed, &u) < 0)
        return -1;
    if (old) {
        struct update gone = { NULL, list, obj };

        each_leaf(old, &p, disown_removed, &gone);
    }
    drop_empty(obj);
    return 0;
}

/* ---- server-side apply --------------------------------------------------- */

struct conflict {
    char manager[300];
    char path[512];
};

struct apply {
    const cJSON *live;
    cJSON *list;
    cJSON *mine;
    int force;
    size_t conflicts;
    struct conflict found[CONFLICTS_MAX];
};

/* The manager's name as the API server writes it in a conflict, with
 * the apiVersion for an Update. */
static void manager_name(const cJSON *entry, char *out, size_t len)
{
    if (!strcmp(entry_str(entry, "operation"), "Update"))
        snprintf(out, len, "\"%s\" using %s", entry_str(entry, "manager"),
                 entry_str(entry, "apiVersion"));
    else
        snprintf(out, len, "\"%s\"", entry_str(entry, "manager"));
}

static int check_conflict(const struct path *p, const cJSON *value,
                          void *ctx)
{
    struct apply *a = ctx;
    const cJSON *live = value_at(a->live, p);
    cJSON *entry;

    if (live && cJSON_Compare(live, value, 1))
        return 0;
    cJSON_ArrayForEach(entry, a->list) {
        cJSON *set = cJSON_GetObjectItemCaseSensitive(entry, "fieldsV1");

        if (entry == a->mine || !set_has(set, p))
            continue;
        if (a->force) {
            set_remove(set, p, 0);
            continue;
        }
        if (a->conflicts < CONFLICTS_MAX) {
            struct conflict *c = &a->found[a->conflicts];

            manager_name(entry, c->manager, sizeof(c->manager));
            path_text(p, c->path, sizeof(c->path));
        }
        a->conflicts++;
    }
    return 0;
}

static int owned_by_other(const struct apply *a, const struct path *p)
{
    const cJSON *entry;

    cJSON_ArrayForEach(entry, a->list)
        if (entry != a->mine &&
            set_has(cJSON_GetObjectItemCaseSensitive(entry, "fieldsV1"), p))
            return 1;
    return 0;
}

/* Removes from the live object a field the manager no longer applies. */
static void remove_field(cJSON *obj, const struct path *p)
{
    cJSON *parent = obj;

    for (size_t i = 0; parent && i + 1 < p->depth; i++)
        parent = cJSON_GetObjectItemCaseSensitive(parent, p->names[i]);
    if (cJSON_IsObject(parent))
        cJSON_DeleteItemFromObjectCaseSensitive(parent,
                                                p->names[p->depth - 1]);
}

/* Removes from obj the fields of old_set (the manager's last apply)
 * that new_set lacks and no other manager owns. p is built from the
 * FieldsV1 keys on the way down. */
static void remove_dropped(struct apply *a, cJSON *obj, const cJSON *old_set,
                           const cJSON *new_set, struct path *p)
{
    const cJSON *item;

    cJSON_ArrayForEach(item, old_set) {
        const cJSON *next = new_set
            ? cJSON_GetObjectItemCaseSensitive(new_set, item->string) : NULL;

        if (strncmp(item->string, "f:", 2) || p->depth == PATH_DEPTH_MAX)
            continue;
        p->names[p->depth++] = item->string + 2;
        if (item->child)
            remove_dropped(a, obj, item, next, p);
        else if (!next && !owned_by_other(a, p))
            remove_field(obj, p);
        p->depth--;
    }
}

static int add_to_set(const struct path *p, const cJSON *value, void *ctx)
{
    (void)value;
    return set_add(ctx, p);
}

static int finish_apply(struct apply *a, cJSON **obj, const cJSON *applied)
{
    cJSON *old_set = cJSON_DetachItemFromObjectCaseSensitive(a->mine,
                                                             "fieldsV1");
    cJSON *new_set = cJSON_AddObjectToObject(a->mine, "fieldsV1");
    struct path p = { .depth = 0 };
    cJSON *body = cJSON_Duplicate(applied, 1);
    cJSON *meta = cJSON_GetObjectItemCaseSensitive(body, "metadata");
    int rc = -1;

    if (new_set && body && each_leaf(applied, &p, add_to_set, new_set) == 0) {
        cJSON_DeleteItemFromObjectCaseSensitive(meta, "managedFields");
        cJSON_DeleteItemFromObjectCaseSensitive(meta, "resourceVersion");
        remove_dropped(a, *obj, old_set, new_set, &p);
        rc = k8s_merge_patch(obj, body);
    }
    cJSON_Delete(body);
    cJSON_Delete(old_set);
    if (rc == 0)
        drop_empty(*obj);
    return rc;
}

/*
 * The API server's words: "Apply failed with 1 conflict: conflict with
 * "m": .a.b", or for several "Apply failed with 2 conflicts: conflicts
 * with "m":" and one "- .path" line per field, grouped by manager.
 */
static void conflict_message(const struct apply *a, char *msg, size_t len)
{
    size_t shown = a->conflicts < CONFLICTS_MAX ? a->conflicts
                                                : CONFLICTS_MAX;
    size_t used;

    if (a->conflicts == 1) {
        snprintf(msg, len, "Apply failed with 1 conflict: conflict with "
                 "%s: %s", a->found[0].manager, a->found[0].path);
        return;
    }
    used = (size_t)snprintf(msg, len, "Apply failed with %zu conflicts: ",
                            a->conflicts);
    for (size_t i = 0; i < shown && used < len; i++) {
        int first = 1;

        for (size_t j = 0; j < i; j++)
            first = first && strcmp(a->found[j].manager, a->found[i].manager);
        if (!first)
            continue;
        used += (size_t)snprintf(msg + used, len - used, "%sconflicts with "
                                 "%s:", i ? "\n" : "", a->found[i].manager);
        for (size_t j = i; j < shown && used < len; j++)
            if (!strcmp(a->found[j].manager, a->found[i].manager))
                used += (size_t)snprintf(msg + used, len - used, "\n- %s",
                                         a->found[j].path);
    }
}

int k8s_fields_apply(cJSON **obj, const cJSON *applied, const char *manager,
                     const char *api_version, int force, const char *now,
                     char *msg, size_t msglen)
{
    struct apply a = { .live = *obj, .force = force };
    struct path p = { .depth = 0 };

    a.list = managed_fields(*obj);
    if (!a.list || !(a.mine = find_entry(a.list, manager, "Apply",
                                         api_version, now)))
        return -1;
    each_leaf(applied, &p, check_conflict, &a);
    if (a.conflicts && !force) {
        conflict_message(&a, msg, msglen);
        return 1;
    }
    return finish_apply(&a, obj, applied);
}
