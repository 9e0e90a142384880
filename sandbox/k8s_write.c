/*
 * POST, PUT, PATCH and DELETE of Kubernetes objects. Each write reads
 * the live object as JSON, builds the new one (the body, a patch of the
 * live one, or a server-side apply), checks it, sets the metadata the
 * API server owns (uid, creationTimestamp, generation, resourceVersion,
 * managedFields) and stores it, unless dryRun=All.
 *
 * Errors are Status objects with the API server's reasons and messages:
 * NotFound (404), AlreadyExists and Conflict (409), Invalid (422),
 * BadRequest (400), UnsupportedMediaType (415).
 *
 * Limits: strategic merge patch merges maps as a JSON merge patch does
 * and replaces lists whole. The API server merges lists such as
 * containers by their merge key and takes $patch directives. Admission
 * checks only whether the webhooks could be called (k8s_admission.c),
 * and there is no defaulting or schema validation beyond metadata and a
 * service's type and ports. Of the world file's kinds only service
 * accounts, services, ingress classes, IngressClassParams and
 * namespaces take writes.
 */
#include "k8s_write_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "awsreply.h"
#include "k8s_fields.h"
#include "k8s_patch.h"
#include "k8s_reply.h"
#include "k8s_store.h"
#include "wfile.h"
#include "world_cluster.h"

static const struct k8s_backend sa_backend = {
    k8s_sa_get, k8s_sa_put, k8s_sa_remove, NULL,
};
static const struct k8s_backend service_backend = {
    k8s_service_get, k8s_service_put, k8s_service_remove, k8s_service_check,
};
static const struct k8s_backend class_backend = {
    k8s_class_get, k8s_class_put, k8s_class_remove, NULL,
};
static const struct k8s_backend ns_backend = {
    k8s_ns_get, k8s_ns_put, k8s_ns_remove, NULL,
};
static const struct k8s_backend params_backend = {
    k8s_params_get, k8s_params_put, k8s_params_remove, NULL,
};
static const struct k8s_backend store_backend = {
    k8s_store_get, k8s_store_put, k8s_store_remove, NULL,
};

/* ---- request parameters -------------------------------------------------- */

/* dryRun, from the query or from a DeleteOptions body; only "All" is
 * valid. Returns 0, or -1 after replying. */
static int read_dry_run(struct write *w, const char *options,
                        const char *value)
{
    if (!value || !*value)
        return 0;
    if (strcmp(value, "All") != 0) {
        char detail[200];

        snprintf(detail, sizeof(detail), "Unsupported value: \"%.64s\": "
                 "supported values: \"All\"", value);
        write_invalid(w, options, "", "dryRun", detail);
        return -1;
    }
    w->dry_run = 1;
    return 0;
}

/* The API server's default manager: the User-Agent up to its first
 * '/', as in "kubectl" from "kubectl/v1.32.4 (linux/amd64)". */
static int read_manager(struct write *w, const char *options)
{
    const char *manager = sb_query(w->req, "fieldManager");
    const char *agent = sb_header(w->req, "User-Agent");

    if (manager && strlen(manager) > MANAGER_MAX) {
        write_invalid(w, options, "", "fieldManager", "Too long: may not be "
                      "longer than 128");
        return -1;
    }
    if (manager && *manager)
        snprintf(w->manager, sizeof(w->manager), "%s", manager);
    else if (agent && *agent)
        snprintf(w->manager, sizeof(w->manager), "%.*s",
                 (int)strcspn(agent, "/"), agent);
    else
        snprintf(w->manager, sizeof(w->manager), "unknown");
    return 0;
}

/* The media type of the body, without parameters, lowercased. */
static void media_type(const struct sb_request *req, char *out, size_t len)
{
    const char *type = sb_header(req, "Content-Type");
    size_t n = type ? strcspn(type, "; ") : 0;

    snprintf(out, len, "%.*s", (int)n, type ? type : "");
    for (char *p = out; *p; p++)
        *p = (char)(*p >= 'A' && *p <= 'Z' ? *p - 'A' + 'a' : *p);
}

/* Parses the body; returns it, or NULL after replying 400 or 413. */
static cJSON *read_body(struct write *w, int yaml)
{
    char err[300];
    cJSON *doc;

    if (w->req->body_len > K8S_BODY_MAX) {
        k8s_send_status(w->res, 413, "RequestEntityTooLarge", "Request "
                        "entity too large: limit is %u", K8S_BODY_MAX);
        return NULL;
    }
    doc = k8s_parse_body(w->req->body, w->req->body_len, yaml, err,
                         sizeof(err));
    if (!doc)
        k8s_send_status(w->res, 400, "BadRequest", "the request body is "
                        "not valid %s: %s", yaml ? "YAML" : "JSON", err);
    else if (!cJSON_IsObject(doc) && !cJSON_IsArray(doc)) {
        k8s_send_status(w->res, 400, "BadRequest", "the request body must "
                        "be a JSON object");
        cJSON_Delete(doc);
        doc = NULL;
    }
    return doc;
}

/* ---- the methods --------------------------------------------------------- */

/* A name from generateName: the prefix and five characters, as the API
 * server makes them. */
static void generate_name(const struct write *w, const char *prefix,
                          char *out, size_t len)
{
    static const char alphabet[] = "bcdfghjklmnpqrstvwxz2456789";
    unsigned long h = 5381 + w->c->resource_version;

    for (const char *p = prefix; *p; p++)
        h = h * 33 + (unsigned char)*p;
    snprintf(out, len, "%.58s", prefix);
    for (int i = 0; i < 5 && strlen(out) + 1 < len; i++) {
        size_t n = strlen(out);

        out[n] = alphabet[h % (sizeof(alphabet) - 1)];
        out[n + 1] = '\0';
        h /= sizeof(alphabet) - 1;
    }
}

/* A create needs its namespace to exist, as the API server's
 * NamespaceLifecycle admission requires. Returns 0, or -1 after 404. */
static int check_namespace(struct write *w)
{
    if (!w->ns || write_namespace_exists(w->c, w->ns))
        return 0;
    k8s_send_status(w->res, 404, "NotFound", "namespaces \"%.100s\" not "
                    "found", w->ns);
    return -1;
}

static void serve_create(struct write *w, int yaml)
{
    cJSON *obj = read_body(w, yaml), *old;
    const char *name = write_meta_str(obj, "name");
    const char *prefix = write_meta_str(obj, "generateName");
    char generated[64];

    if (!obj || read_dry_run(w, "CreateOptions.meta.k8s.io",
                             sb_query(w->req, "dryRun")) < 0 ||
        read_manager(w, "CreateOptions.meta.k8s.io") < 0)
        goto done;
    if ((!name || !*name) && prefix && *prefix) {
        generate_name(w, prefix, generated, sizeof(generated));
        name = generated;
    }
    if (!name || !*name) {
        write_invalid(w, w->r->kind, "", "metadata.name", "Required value: "
                      "name or generateName is required");
        goto done;
    }
    if (check_namespace(w) < 0)
        goto done;
    old = w->backend->get(w->c, w->r, w->ns, name);
    if (old) {
        char message[600];

        cJSON_Delete(old);
        snprintf(message, sizeof(message), "%s \"%.200s\" already exists",
                 w->resource, name);
        write_send_named(w, 409, "AlreadyExists", name, message);
        goto done;
    }
    if (name == generated) {
        write_set_meta(obj, "name", generated);
        name = write_meta_str(obj, "name");
    }
    write_commit(w, NULL, obj, name, 1, 201);
    return;
done:
    cJSON_Delete(obj);
}

/* A resourceVersion in the new object must be the live one's (the
 * API server's optimistic concurrency). Returns 0, or -1 after 409. */
static int check_version(struct write *w, const cJSON *old,
                         const cJSON *update)
{
    const char *want = write_meta_str(update, "resourceVersion");
    const char *have = write_meta_str(old, "resourceVersion");

    if (!want || !*want || (have && !strcmp(want, have)))
        return 0;
    write_conflict(w, w->name, "the object has been modified; please apply "
                   "your changes to the latest version and try again");
    return -1;
}

/* The name in a body sent to an object's URL must be that name. */
static int check_name(struct write *w, const cJSON *obj)
{
    const char *name = write_meta_str(obj, "name");

    if (!name || !*name || !strcmp(name, w->name))
        return 0;
    k8s_send_status(w->res, 400, "BadRequest", "the name of the object "
                    "(%.200s) does not match the name on the URL (%.200s)",
                    name, w->name);
    return -1;
}

static void serve_replace(struct write *w, int yaml)
{
    cJSON *obj = read_body(w, yaml);
    cJSON *old = NULL;

    if (!obj || read_dry_run(w, "UpdateOptions.meta.k8s.io",
                             sb_query(w->req, "dryRun")) < 0 ||
        read_manager(w, "UpdateOptions.meta.k8s.io") < 0 ||
        check_name(w, obj) < 0)
        goto done;
    old = w->backend->get(w->c, w->r, w->ns, w->name);
    if (!old) {
        write_not_found(w, w->name);
        goto done;
    }
    if (check_version(w, old, obj) < 0)
        goto done;
    /* The update cannot rewrite the server's record of who set what. */
    write_set_meta(obj, "managedFields", NULL);
    cJSON_AddItemToObject(write_meta_of(obj), "managedFields",
                          cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(
                              write_meta_of(old), "managedFields"), 1));
    write_commit(w, old, obj, w->name, 1, 200);
    obj = NULL;
done:
    cJSON_Delete(old);
    cJSON_Delete(obj);
}

static void serve_apply(struct write *w, cJSON *patch)
{
    const char *force = sb_query(w->req, "force");
    const char *manager = sb_query(w->req, "fieldManager");
    cJSON *old = w->backend->get(w->c, w->r, w->ns, w->name);
    cJSON *obj = old ? cJSON_Duplicate(old, 1) : cJSON_CreateObject();
    char message[8192];
    int rc;

    if (!cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(
            patch, "apiVersion")) ||
        !cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(
            patch, "kind"))) {
        k8s_send_status(w->res, 400, "BadRequest", "invalid object type: "
                        "apiVersion and kind must be set in an apply "
                        "request");
        goto done;
    }
    if (!manager || !*manager) {
        write_invalid(w, "PatchOptions.meta.k8s.io", "", "fieldManager",
                      "Required value: is required for apply patch");
        goto done;
    }
    if (write_check_identity(w, patch, w->name) < 0)
        goto done;
    if (!old && check_namespace(w) < 0)
        goto done;
    write_set_meta(obj, "name", w->name);
    rc = k8s_fields_apply(&obj, patch, w->manager, w->r->group_version,
                          force && !strcmp(force, "true"), w->now, message,
                          sizeof(message));
    if (rc == 1)
        write_send_named(w, 409, "Conflict", w->name, message);
    if (rc != 0) {
        if (rc < 0)
            k8s_send_status(w->res, 500, "InternalError", "out of memory");
        goto done;
    }
    write_commit(w, old, obj, w->name, 0, old ? 200 : 201);
    obj = NULL;
done:
    cJSON_Delete(old);
    cJSON_Delete(obj);
}

static void serve_patch(struct write *w)
{
    char type[80], err[300];
    int json_patch, apply, merge, strategic, custom;
    cJSON *patch, *old = NULL, *obj = NULL;

    media_type(w->req, type, sizeof(type));
    json_patch = !strcmp(type, "application/json-patch+json");
    apply = !strcmp(type, "application/apply-patch+yaml");
    strategic = !strcmp(type, "application/strategic-merge-patch+json");
    /* Custom resources take no strategic merge patch, as in the API
     * server, which has no merge keys for them. */
    custom = k8s_store_custom(w->c, w->r);
    merge = !strcmp(type, "application/merge-patch+json") ||
            (strategic && !custom);
    if (!json_patch && !apply && !merge) {
        k8s_send_status(w->res, 415, "UnsupportedMediaType", "the body of "
                        "the request was in an unknown format - accepted "
                        "media types include: application/json-patch+json, "
                        "application/merge-patch+json, "
                        "application/apply-patch+yaml%s",
                        custom ? "" :
                        ", application/strategic-merge-patch+json");
        return;
    }
    patch = read_body(w, apply);
    if (!patch || read_dry_run(w, "PatchOptions.meta.k8s.io",
                               sb_query(w->req, "dryRun")) < 0 ||
        read_manager(w, "PatchOptions.meta.k8s.io") < 0 ||
        (!json_patch && check_name(w, patch) < 0))
        goto done;
    if (apply) {
        serve_apply(w, patch);
        goto done;
    }
    old = w->backend->get(w->c, w->r, w->ns, w->name);
    if (!old) {
        write_not_found(w, w->name);
        goto done;
    }
    obj = cJSON_Duplicate(old, 1);
    if (json_patch && k8s_json_patch(&obj, patch, err, sizeof(err)) < 0) {
        k8s_send_status(w->res, 422, "Invalid", "the JSON patch could not be "
                        "applied: %s", err);
        goto done;
    }
    if (!json_patch && (check_version(w, old, patch) < 0 ||
                        k8s_merge_patch(&obj, patch) < 0))
        goto done;
    if (json_patch && check_version(w, old, obj) < 0)
        goto done;
    write_commit(w, old, obj, w->name, 1, 200);
    obj = NULL;
done:
    cJSON_Delete(old);
    cJSON_Delete(obj);
    cJSON_Delete(patch);
}

/* Checks DeleteOptions.preconditions against the live object. */
static int check_preconditions(struct write *w, const cJSON *options,
                               const cJSON *old)
{
    static const char *const fields[][2] = {
        { "uid", "UID" }, { "resourceVersion", "ResourceVersion" },
    };
    const cJSON *pre = cJSON_GetObjectItemCaseSensitive(options,
                                                        "preconditions");

    for (int i = 0; i < 2; i++) {
        const char *want = cJSON_GetStringValue(
            cJSON_GetObjectItemCaseSensitive(pre, fields[i][0]));
        const char *have = write_meta_str(old, fields[i][0]);
        char why[600];

        if (!want || (have && !strcmp(want, have)))
            continue;
        snprintf(why, sizeof(why), "Precondition failed: %s in "
                 "precondition: %.100s, %s in object meta: %.100s",
                 fields[i][1], want, fields[i][1], have ? have : "");
        write_conflict(w, w->name, why);
        return -1;
    }
    return 0;
}

static const char *options_dry_run(const cJSON *options)
{
    const cJSON *list = cJSON_GetObjectItemCaseSensitive(options, "dryRun");

    return cJSON_GetStringValue(cJSON_GetArrayItem(list, 0));
}

/* Deletes at once (there are no finalizers or graceful deletion) and
 * leaves a tombstone, so watchers get a DELETED event. */
static void serve_delete(struct write *w)
{
    cJSON *options = w->req->body_len ? read_body(w, 0) : NULL;
    cJSON *old = NULL, *doc;
    char rv[32];

    if ((w->req->body_len && !options) ||
        read_dry_run(w, "DeleteOptions.meta.k8s.io",
                     sb_query(w->req, "dryRun")) < 0 ||
        read_dry_run(w, "DeleteOptions.meta.k8s.io",
                     options_dry_run(options)) < 0)
        goto done;
    old = w->backend->get(w->c, w->r, w->ns, w->name);
    if (!old) {
        write_not_found(w, w->name);
        goto done;
    }
    if (check_preconditions(w, options, old) < 0)
        goto done;
    doc = k8s_status_doc(200, "", "", w->name, w->group, w->r->plural);
    cJSON_ReplaceItemInObjectCaseSensitive(doc, "status",
                                           cJSON_CreateString("Success"));
    cJSON_DeleteItemFromObjectCaseSensitive(doc, "message");
    cJSON_DeleteItemFromObjectCaseSensitive(doc, "reason");
    cJSON_AddStringToObject(cJSON_GetObjectItemCaseSensitive(doc, "details"),
                            "uid", write_meta_str(old, "uid"));
    if (!w->dry_run) {
        unsigned long next = ++w->c->resource_version;

        snprintf(rv, sizeof(rv), "%lu", next);
        write_set_meta(old, "resourceVersion", rv);
        cJSON_AddStringToObject(old, "kind", w->r->kind);
        cJSON_AddStringToObject(old, "apiVersion", w->r->group_version);
        if (write_is_crd(w))
            k8s_store_define(w->c, old, 0, rv, sizeof(rv));
        w->backend->remove(w->c, w->r, w->ns, w->name);
        k8s_store_bury(w->c, w->r, w->ns, w->name, next, old);
        old = NULL;
    }
    k8s_send_json(w->res, 200, doc);
done:
    cJSON_Delete(old);
    cJSON_Delete(options);
}

/* ---- routing ------------------------------------------------------------- */

static int method_is(const struct write *w, const char *method)
{
    return !strcmp(w->req->method, method);
}

static void serve_method(struct write *w)
{
    char type[80];
    int yaml;

    media_type(w->req, type, sizeof(type));
    yaml = !strcmp(type, "application/yaml");
    if ((method_is(w, "POST") || method_is(w, "PUT")) && *type && !yaml &&
        strcmp(type, "application/json")) {
        k8s_send_status(w->res, 415, "UnsupportedMediaType", "the body of "
                        "the request was in an unknown format - accepted "
                        "media types include: application/json, "
                        "application/yaml");
    } else if (method_is(w, "POST") && !w->name) {
        serve_create(w, yaml);
    } else if (method_is(w, "PUT") && w->name) {
        serve_replace(w, yaml);
    } else if (method_is(w, "PATCH") && w->name) {
        serve_patch(w);
    } else if (method_is(w, "DELETE") && w->name &&
               w->backend == &ns_backend && k8s_ns_protected(w->name)) {
        k8s_send_status(w->res, 403, "Forbidden", "namespaces \"%.100s\" "
                        "is forbidden: this namespace may not be deleted",
                        w->name);
    } else if (method_is(w, "DELETE") && w->name) {
        serve_delete(w);
    } else {
        k8s_send_status(w->res, 405, "MethodNotAllowed", "%.16s is not "
                        "supported on %s of %s in the sandbox",
                        w->req->method, w->name ? "an object" : "the list",
                        w->resource);
    }
}

/* Splits [namespaces/NS/]RESOURCE[/NAME] into w; returns the resource's
 * plural, or NULL when the path has another shape. */
static const char *split_object_path(struct write *w, const char *const *p,
                                     size_t n)
{
    if (n >= 3 && !strcmp(p[0], "namespaces")) {
        w->ns = p[1];
        p += 2;
        n -= 2;
    }
    if (n < 1 || n > 2)
        return NULL;
    w->name = n == 2 ? p[1] : NULL;
    return p[0];
}

/* Kinds the sandbox does not store (ingresses) still go through the
 * admission webhooks first, as the API server would call them before
 * storing. Returns 1 when the write is admitted, 0 after replying. */
static int admit_unstored(struct write *w)
{
    const char *op = method_is(w, "POST") ? "CREATE"
                     : method_is(w, "DELETE") ? NULL : "UPDATE";
    cJSON *body = op ? cJSON_ParseWithLength(w->req->body,
                                             w->req->body_len) : NULL;
    int admitted = !op || k8s_admit(w, body, op) == 0;

    cJSON_Delete(body);
    return admitted;
}

void k8s_write_serve(struct world_cluster *c, const struct sb_request *req,
                     struct sb_response *res, const char *const *parts,
                     size_t count)
{
    struct write w = { .c = c, .req = req, .res = res, .group = "" };
    char group_version[200];
    const char *plural = NULL;

    if (count >= 3 && !strcmp(parts[0], "api") && !strcmp(parts[1], "v1")) {
        snprintf(group_version, sizeof(group_version), "v1");
        plural = split_object_path(&w, parts + 2, count - 2);
    } else if (count >= 4 && !strcmp(parts[0], "apis")) {
        snprintf(group_version, sizeof(group_version), "%.100s/%.60s",
                 parts[1], parts[2]);
        w.group = parts[1];
        plural = split_object_path(&w, parts + 3, count - 3);
    }
    w.r = plural ? k8s_cluster_resource(c, group_version, plural) : NULL;
    if (!w.r || (w.ns && !w.r->namespaced)) {
        k8s_send_status(res, 404, "NotFound", "the server could not find "
                        "the requested resource");
        return;
    }
    if (!w.r->namespaced)
        w.ns = NULL;
    snprintf(w.resource, sizeof(w.resource), "%s%s%s", w.r->plural,
             *w.group ? "." : "", w.group);
    awsreply_format_time(req->now, w.now);
    if (w.r == k8s_resource_find("v1", "serviceaccounts"))
        w.backend = &sa_backend;
    else if (w.r == &k8s_service_resource)
        w.backend = &service_backend;
    else if (w.r == &k8s_ingress_class_resource)
        w.backend = &class_backend;
    else if (w.r == k8s_resource_find("v1", "namespaces"))
        w.backend = &ns_backend;
    else if (w.r == &k8s_class_params_resource)
        w.backend = &params_backend;
    else if (k8s_store_owns(c, w.r))
        w.backend = &store_backend;
    if (!w.backend && !admit_unstored(&w))
        return;
    if (!w.backend)
        k8s_send_status(res, 405, "MethodNotAllowed", "%.16s is not "
                        "supported on %s: the sandbox takes writes of "
                        "namespaces, service accounts, services, ingress "
                        "classes and the kinds it stores, not of the world file's other "
                        "objects",
                        req->method, w.resource);
    else
        serve_method(&w);
}
