/*
 * The last step of every Kubernetes write: checks of the new object
 * against its URL, the metadata the API server owns, and the store. The
 * Status errors of the write side live here too.
 */
#include "k8s_write_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "k8s_fields.h"
#include "k8s_reply.h"
#include "k8s_store.h"
#include "wfile.h"
#include "world_cluster.h"

/* ---- errors -------------------------------------------------------------- */

void write_send_named(struct write *w, int code, const char *reason,
                      const char *name, const char *message)
{
    k8s_send_json(w->res, code, k8s_status_doc(code, reason, message, name,
                                               w->group, w->r->plural));
}

void write_not_found(struct write *w, const char *name)
{
    char message[600];

    snprintf(message, sizeof(message), "%s \"%.200s\" not found",
             w->resource, name);
    write_send_named(w, 404, "NotFound", name, message);
}

void write_conflict(struct write *w, const char *name, const char *why)
{
    char message[1200];

    snprintf(message, sizeof(message), "Operation cannot be fulfilled on "
             "%s \"%.200s\": %s", w->resource, name, why);
    write_send_named(w, 409, "Conflict", name, message);
}

/* 422 Invalid: "KIND "NAME" is invalid: FIELD: DETAIL", with a cause. */
void write_invalid(struct write *w, const char *kind, const char *name,
                   const char *field, const char *detail)
{
    char message[1200], cause_text[900];
    cJSON *doc, *cause;

    snprintf(message, sizeof(message), "%s \"%.200s\" is invalid: %s: %s",
             kind, name, field, detail);
    snprintf(cause_text, sizeof(cause_text), "%s", detail);
    doc = k8s_status_doc(422, "Invalid", message, name, w->group, kind);
    cause = cJSON_CreateObject();
    cJSON_AddStringToObject(cause, "reason",
                            strncmp(detail, "Required", 8)
                            ? "FieldValueInvalid" : "FieldValueRequired");
    cJSON_AddStringToObject(cause, "message", cause_text);
    cJSON_AddStringToObject(cause, "field", field);
    cJSON_AddItemToArray(cJSON_AddArrayToObject(
        cJSON_GetObjectItemCaseSensitive(doc, "details"), "causes"), cause);
    k8s_send_json(w->res, 422, doc);
}

/* ---- metadata ------------------------------------------------------------ */

cJSON *write_meta_of(cJSON *obj)
{
    cJSON *meta = cJSON_GetObjectItemCaseSensitive(obj, "metadata");

    if (!cJSON_IsObject(meta)) {
        cJSON_DeleteItemFromObjectCaseSensitive(obj, "metadata");
        meta = cJSON_AddObjectToObject(obj, "metadata");
    }
    return meta;
}

const char *write_meta_str(const cJSON *obj, const char *name)
{
    return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(obj, "metadata"), name));
}

void write_set_meta(cJSON *obj, const char *name, const char *value)
{
    cJSON *meta = write_meta_of(obj);

    cJSON_DeleteItemFromObjectCaseSensitive(meta, name);
    if (value)
        cJSON_AddStringToObject(meta, name, value);
}

/* Labels and annotations must be maps of strings; returns the name of
 * the first that is not, or NULL. */
static const char *bad_string_map(const cJSON *obj)
{
    static const char *const maps[] = { "labels", "annotations" };

    for (int i = 0; i < 2; i++) {
        const cJSON *map = cJSON_GetObjectItemCaseSensitive(
            cJSON_GetObjectItemCaseSensitive(obj, "metadata"), maps[i]);
        const cJSON *item;

        if (!map || cJSON_IsNull(map))
            continue;
        if (!cJSON_IsObject(map))
            return maps[i];
        cJSON_ArrayForEach(item, map)
            if (!cJSON_IsString(item))
                return maps[i];
    }
    return NULL;
}

int write_check_identity(struct write *w, cJSON *obj, const char *name)
{
    const char *api_version = cJSON_GetStringValue(
        cJSON_GetObjectItemCaseSensitive(obj, "apiVersion"));
    const char *kind = cJSON_GetStringValue(
        cJSON_GetObjectItemCaseSensitive(obj, "kind"));
    const char *body_ns = write_meta_str(obj, "namespace");
    const char *bad_map = bad_string_map(obj);

    if (api_version && strcmp(api_version, w->r->group_version)) {
        k8s_send_status(w->res, 400, "BadRequest", "the API version in the "
                        "data (%.100s) does not match the expected API "
                        "version (%s)", api_version, w->r->group_version);
        return -1;
    }
    if (kind && strcmp(kind, w->r->kind)) {
        k8s_send_status(w->res, 400, "BadRequest", "the kind in the data "
                        "(%.100s) does not match the expected kind (%s)",
                        kind, w->r->kind);
        return -1;
    }
    if (bad_map) {
        k8s_send_status(w->res, 400, "BadRequest", "metadata.%s must map "
                        "names to strings", bad_map);
        return -1;
    }
    if (w->ns && body_ns && *body_ns && strcmp(body_ns, w->ns)) {
        k8s_send_status(w->res, 400, "BadRequest", "the namespace of the "
                        "provided object does not match the namespace sent "
                        "on the request");
        return -1;
    }
    if (!world_valid_k8s_name(name, 1)) {
        char detail[700];

        snprintf(detail, sizeof(detail), "Invalid value: \"%.200s\": a "
                 "lowercase RFC 1123 subdomain must consist of lower case "
                 "alphanumeric characters, '-' or '.', and must start and "
                 "end with an alphanumeric character (e.g. 'example.com', "
                 "regex used for validation is '[a-z0-9]([-a-z0-9]*"
                 "[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')", name);
        write_invalid(w, w->r->kind, name, "metadata.name", detail);
        return -1;
    }
    return 0;
}

int write_namespace_exists(const struct world_cluster *c, const char *ns)
{
    for (size_t i = 0; i < c->namespace_count; i++)
        if (!strcmp(c->namespaces[i], ns))
            return 1;
    return 0;
}

/* Whether anything besides metadata and status differs: such changes
 * bump metadata.generation. */
static int spec_changed(const cJSON *old, const cJSON *obj)
{
    static const char *const ignored[] = {
        "metadata", "status", "kind", "apiVersion",
    };
    cJSON *a = cJSON_Duplicate(old, 1), *b = cJSON_Duplicate(obj, 1);
    int changed;

    for (int i = 0; i < 4; i++) {
        cJSON_DeleteItemFromObjectCaseSensitive(a, ignored[i]);
        cJSON_DeleteItemFromObjectCaseSensitive(b, ignored[i]);
    }
    changed = !cJSON_Compare(a, b, 1);
    cJSON_Delete(a);
    cJSON_Delete(b);
    return changed;
}

static void set_generation(cJSON *obj, const cJSON *old)
{
    const cJSON *before = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(old, "metadata"), "generation");
    double generation = cJSON_IsNumber(before) ? before->valuedouble : 0;
    cJSON *meta = write_meta_of(obj);

    if (!old || spec_changed(old, obj))
        generation++;
    cJSON_DeleteItemFromObjectCaseSensitive(meta, "generation");
    cJSON_AddNumberToObject(meta, "generation", generation);
}

/* A CustomResourceDefinition is established at once: its kind is served
 * from the first write on. Returns 0, or -1 after replying 422. */
static int establish(struct write *w, cJSON *crd, const char *name)
{
    static const char *const conditions[] = { "NamesAccepted",
                                              "Established" };
    const cJSON *spec = cJSON_GetObjectItemCaseSensitive(crd, "spec");
    const char *group = cJSON_GetStringValue(
        cJSON_GetObjectItemCaseSensitive(spec, "group"));
    const char *plural = cJSON_GetStringValue(
        cJSON_GetObjectItemCaseSensitive(
            cJSON_GetObjectItemCaseSensitive(spec, "names"), "plural"));
    cJSON *status, *list;
    char err[600];

    snprintf(err, sizeof(err), "%s.%s", plural ? plural : "",
             group ? group : "");
    if (strcmp(name, err) != 0) {
        snprintf(err, sizeof(err), "Invalid value: \"%.200s\": must be "
                 "spec.names.plural+\".\"+spec.group", name);
        write_invalid(w, w->r->kind, name, "metadata.name", err);
        return -1;
    }
    if (!w->dry_run &&
        k8s_store_define(w->c, crd, 1, err, sizeof(err)) < 0) {
        write_invalid(w, w->r->kind, name, "spec", err);
        return -1;
    }
    cJSON_DeleteItemFromObjectCaseSensitive(crd, "status");
    status = cJSON_AddObjectToObject(crd, "status");
    list = cJSON_AddArrayToObject(status, "conditions");
    for (int i = 0; i < 2; i++) {
        cJSON *cond = cJSON_CreateObject();

        cJSON_AddStringToObject(cond, "type", conditions[i]);
        cJSON_AddStringToObject(cond, "status", "True");
        cJSON_AddStringToObject(cond, "lastTransitionTime", w->now);
        cJSON_AddStringToObject(cond, "reason", i ? "InitialNamesAccepted"
                                                  : "NoConflicts");
        cJSON_AddStringToObject(cond, "message", i
            ? "the initial names have been accepted"
            : "no conflicts found");
        cJSON_AddItemToArray(list, cond);
    }
    cJSON_AddItemToObject(status, "acceptedNames", cJSON_Duplicate(
        cJSON_GetObjectItemCaseSensitive(
            cJSON_GetObjectItemCaseSensitive(crd, "spec"), "names"), 1));
    return 0;
}

int write_is_crd(const struct write *w)
{
    return !strcmp(w->r->plural, "customresourcedefinitions");
}

/* Empty labels and annotations are left out, as the API server's
 * encoding leaves out empty maps. */
static void drop_empty_maps(cJSON *obj)
{
    static const char *const maps[] = { "labels", "annotations" };
    cJSON *meta = write_meta_of(obj);

    for (int i = 0; i < 2; i++) {
        const cJSON *map = cJSON_GetObjectItemCaseSensitive(meta, maps[i]);

        if (map && (cJSON_IsNull(map) || !map->child))
            cJSON_DeleteItemFromObjectCaseSensitive(meta, maps[i]);
    }
}

/* The kind's own checks (see k8s_backend.check). Returns 0, or -1
 * after replying 422. */
static int check_kind(struct write *w, const cJSON *obj, const char *name)
{
    char field[80], detail[300];

    if (!w->backend->check ||
        w->backend->check(obj, field, sizeof(field), detail,
                          sizeof(detail)) == 0)
        return 0;
    write_invalid(w, w->r->kind, name, field, detail);
    return -1;
}

/* The object as stored, with the defaults a store adds (a service's
 * cluster IP); obj when it cannot be read back. */
static cJSON *reread(struct write *w, cJSON *obj, const char *name)
{
    cJSON *stored = w->backend->get(w->c, w->r, w->ns, name);

    if (!stored)
        return obj;
    cJSON_Delete(obj);
    cJSON_AddStringToObject(stored, "apiVersion", w->r->group_version);
    cJSON_AddStringToObject(stored, "kind", w->r->kind);
    return stored;
}

void write_commit(struct write *w, const cJSON *old, cJSON *obj,
                  const char *name_in, int record_update, int code)
{
    unsigned long next = w->c->resource_version + 1;
    char rv[32], *seed, *uid = NULL, name[300];

    /* name_in may point into obj, whose metadata is rewritten below. */
    snprintf(name, sizeof(name), "%s", name_in);
    if (!cJSON_IsObject(obj)) {
        k8s_send_status(w->res, 400, "BadRequest", "the object to store is "
                        "not a JSON object: check the body or the patch");
        goto done;
    }
    if (write_check_identity(w, obj, name) < 0 || check_kind(w, obj, name) ||
        k8s_admit(w, obj, old ? "UPDATE" : "CREATE") < 0)
        goto done;
    cJSON_DeleteItemFromObjectCaseSensitive(obj, "kind");
    cJSON_DeleteItemFromObjectCaseSensitive(obj, "apiVersion");
    cJSON_AddStringToObject(obj, "apiVersion", w->r->group_version);
    cJSON_AddStringToObject(obj, "kind", w->r->kind);
    write_set_meta(obj, "name", name);
    write_set_meta(obj, "namespace", w->ns);
    seed = wfile_printf("%s/%s/%s/%s/%s/%lu", w->c->region, w->c->name,
                        w->r->plural, w->ns ? w->ns : "", name, next);
    if (!old && seed)
        uid = wfile_uuid(seed);
    free(seed);
    write_set_meta(obj, "uid", old ? write_meta_str(old, "uid") : uid);
    write_set_meta(obj, "creationTimestamp",
             old ? write_meta_str(old, "creationTimestamp") : w->now);
    write_set_meta(obj, "deletionTimestamp", NULL);
    drop_empty_maps(obj);
    write_set_meta(obj, "selfLink", NULL);
    set_generation(obj, old);
    if (record_update &&
        k8s_fields_update(obj, old, w->manager, w->r->group_version,
                          w->now) < 0)
        goto out_of_memory;
    snprintf(rv, sizeof(rv), "%lu", next);
    write_set_meta(obj, "resourceVersion",
             !w->dry_run ? rv : old ? write_meta_str(old, "resourceVersion")
                                    : NULL);
    if (write_is_crd(w) && establish(w, obj, name) < 0)
        goto done;
    if (!w->dry_run) {
        if (w->backend->put(w->c, w->r, cJSON_Duplicate(obj, 1)) < 0)
            goto out_of_memory;
        w->c->resource_version = next;
        obj = reread(w, obj, name);
    }
    free(uid);
    k8s_send_json(w->res, code, obj);
    return;
out_of_memory:
    k8s_send_status(w->res, 500, "InternalError", "out of memory");
done:
    free(uid);
    cJSON_Delete(obj);
}

