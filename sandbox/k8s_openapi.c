/*
 * The OpenAPI v3 documents kubectl reads before it sends a create or an
 * apply: the list of group versions, and per group version the PATCH
 * operation of each kind with the query parameters it takes. kubectl
 * looks for fieldValidation among them. When it is there, kubectl leaves
 * validation to the server, so it never downloads the OpenAPI v2 schema,
 * which the sandbox does not serve.
 *
 * Limits: the documents carry no schemas, so kubectl explain and
 * client-side apply, which need them, do not work against the sandbox.
 */
#include "k8s_openapi.h"

#include <stdio.h>
#include <string.h>

#include "k8s_reply.h"
#include "k8s_store.h"

/* Calls fn for every kind the cluster serves: the world's, then the
 * store's. */
static void each_resource(struct world_cluster *c,
                          void (*fn)(const struct k8s_resource *r,
                                     void *ctx),
                          void *ctx)
{
    for (size_t i = 0; i < k8s_resource_count; i++)
        fn(k8s_resources[i], ctx);
    for (size_t i = 0; i < k8s_store_kind_count(c); i++)
        if (k8s_store_kind_at(c, i))
            fn(k8s_store_kind_at(c, i), ctx);
}

/* The path of group_version's document: "api/v1" or "apis/GROUP/V". */
static void document_path(const char *group_version, char *out, size_t len)
{
    snprintf(out, len, "%s%s",
             strchr(group_version, '/') ? "apis/" : "api/", group_version);
}

static void add_group_version(const struct k8s_resource *r, void *ctx)
{
    cJSON *paths = ctx;
    char path[300], url[400];

    document_path(r->group_version, path, sizeof(path));
    if (cJSON_GetObjectItemCaseSensitive(paths, path))
        return;
    snprintf(url, sizeof(url), "/openapi/v3/%s", path);
    cJSON_AddStringToObject(cJSON_AddObjectToObject(paths, path),
                            "serverRelativeURL", url);
}

static cJSON *parameter(const char *name)
{
    cJSON *p = cJSON_CreateObject();

    cJSON_AddStringToObject(p, "name", name);
    cJSON_AddStringToObject(p, "in", "query");
    cJSON_AddStringToObject(cJSON_AddObjectToObject(p, "schema"), "type",
                            "string");
    return p;
}

struct gv_walk {
    const char *group_version;
    cJSON *paths;
};

static void add_patch_operation(const struct k8s_resource *r, void *ctx)
{
    static const char *const params[] = {
        "dryRun", "fieldManager", "fieldValidation", "force",
    };
    struct gv_walk *walk = ctx;
    const char *slash = strchr(r->group_version, '/');
    cJSON *patch, *gvk, *list;
    char path[400], group[200];

    if (strcmp(r->group_version, walk->group_version) != 0)
        return;
    snprintf(path, sizeof(path), "/%s%s%s/%s/{name}",
             slash ? "apis/" : "api/", r->group_version,
             r->namespaced ? "/namespaces/{namespace}" : "", r->plural);
    patch = cJSON_AddObjectToObject(
        cJSON_AddObjectToObject(walk->paths, path), "patch");
    gvk = cJSON_AddObjectToObject(patch, "x-kubernetes-group-version-kind");
    snprintf(group, sizeof(group), "%.*s",
             slash ? (int)(slash - r->group_version) : 0, r->group_version);
    cJSON_AddStringToObject(gvk, "group", group);
    cJSON_AddStringToObject(gvk, "version",
                            slash ? slash + 1 : r->group_version);
    cJSON_AddStringToObject(gvk, "kind", r->kind);
    list = cJSON_AddArrayToObject(patch, "parameters");
    for (size_t i = 0; i < sizeof(params) / sizeof(params[0]); i++)
        cJSON_AddItemToArray(list, parameter(params[i]));
}

void k8s_openapi_serve(struct world_cluster *c, struct sb_response *res,
                       const char *const *parts, size_t count)
{
    cJSON *doc = cJSON_CreateObject();
    char group_version[300];
    struct gv_walk walk;

    if (count == 1 && !strcmp(parts[0], "v3")) {
        each_resource(c, add_group_version,
                      cJSON_AddObjectToObject(doc, "paths"));
        k8s_send_json(res, 200, doc);
        return;
    }
    if (count == 3 && !strcmp(parts[0], "v3") && !strcmp(parts[1], "api"))
        snprintf(group_version, sizeof(group_version), "%s", parts[2]);
    else if (count == 4 && !strcmp(parts[0], "v3") &&
             !strcmp(parts[1], "apis"))
        snprintf(group_version, sizeof(group_version), "%.100s/%.60s",
                 parts[2], parts[3]);
    else
        group_version[0] = '\0';
    walk.group_version = group_version;
    walk.paths = cJSON_CreateObject();
    if (group_version[0])
        each_resource(c, add_patch_operation, &walk);
    if (!walk.paths->child) {
        cJSON_Delete(walk.paths);
        cJSON_Delete(doc);
        k8s_send_status(res, 404, "NotFound", "the server could not find "
                        "the requested resource");
        return;
    }
    cJSON_AddStringToObject(doc, "openapi", "3.0.0");
    cJSON_AddStringToObject(cJSON_AddObjectToObject(doc, "info"), "title",
                            "Kubernetes");
    cJSON_AddItemToObject(doc, "paths", walk.paths);
    k8s_send_json(res, 200, doc);
}
