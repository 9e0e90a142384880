/*
 * EKS add-ons: DescribeAddon, CreateAddon, and ListAddons page by page.
 */
#include "eks_addon.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "eks_internal.h"

#define PAGE_SIZE "100"
#define MAX_PAGES 100   /* stops a server whose nextToken never ends */
#define NAME_MAX_LEN 100

static void oom(struct api_error *err)
{
    api_error_set(err, "InternalError", "out of memory");
}

void eks_addon_cleanup(struct eks_addon *a)
{
    char **fields[] = {
        &a->name, &a->cluster_name, &a->status, &a->version, &a->arn,
        &a->created_at, &a->modified_at,
    };
    for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
        free(*fields[i]);
        *fields[i] = NULL;
    }
}

int eks_parse_addon(const char *json, size_t len, struct eks_addon *a,
                    struct api_error *err)
{
    memset(a, 0, sizeof(*a));
    cJSON *root = cJSON_ParseWithLength(json, len);
    const cJSON *obj = cJSON_GetObjectItemCaseSensitive(root, "addon");
    if (cJSON_IsObject(obj)) {
        a->name = eks_json_string(obj, "addonName");
        a->cluster_name = eks_json_string(obj, "clusterName");
        a->status = eks_json_string(obj, "status");
        a->version = eks_json_string(obj, "addonVersion");
        a->arn = eks_json_string(obj, "addonArn");
        a->created_at = eks_json_time(obj, "createdAt");
        a->modified_at = eks_json_time(obj, "modifiedAt");
    }
    cJSON_Delete(root);
    if (a->name && a->status)
        return 0;
    api_error_set(err, "InvalidReply", "EKS add-on reply %s", root
                  ? "has no addon with a name and a status"
                  : "is not valid JSON");
    eks_addon_cleanup(a);
    return -1;
}

/* Add-on names are lower-case letters, digits and '-' (vpc-cni,
 * eks-pod-identity-agent); checking them keeps a '/' or '?' out of the
 * path. */
static int check_names(const char *cluster, const char *name,
                       struct api_error *err)
{
    static const char allowed[] = "abcdefghijklmnopqrstuvwxyz0123456789-";
    if (eks_pod_identity_check_names(cluster, NULL, err) < 0)
        return -1;
    if (name && (!*name || strlen(name) > NAME_MAX_LEN ||
                 strspn(name, allowed) != strlen(name))) {
        api_error_set(err, "InvalidParameter", "invalid add-on name \"%s\": "
                      "EKS add-on names are lower-case letters, digits and "
                      "'-', as in eks-pod-identity-agent", name);
        return -1;
    }
    return 0;
}

static char *addon_path(const char *cluster, const char *name)
{
    struct buf path;
    buf_init(&path, 0);
    int rc = name ? buf_printf(&path, "/clusters/%s/addons/%s", cluster, name)
                  : buf_printf(&path, "/clusters/%s/addons", cluster);
    if (rc < 0) {
        buf_cleanup(&path);
        return NULL;
    }
    return buf_take(&path);
}

/* ---- single add-on calls ---- */

struct single {
    eks_addon_fn done;
    void *ctx;
};

static void on_single(const struct buf *body, const struct api_error *err,
                      void *ctx)
{
    struct single *pending = ctx;
    struct api_error parse_err = {0};
    struct eks_addon a;
    memset(&a, 0, sizeof(a));
    if (!err && eks_parse_addon(body->data, body->len, &a, &parse_err) < 0)
        err = &parse_err;
    pending->done(err ? NULL : &a, err, pending->ctx);
    eks_addon_cleanup(&a);
    free(pending);
}

static int fail(eks_addon_fn done, void *ctx, const struct api_error *err)
{
    done(NULL, err, ctx);
    return -1;
}

/* Sends one call on add-on name (NULL: the collection) with body (may
 * be NULL). */
static int send_single(struct aws_session *s, const char *region,
                       const char *cluster, const char *name,
                       const char *method, const char *operation,
                       const char *body, eks_addon_fn done, void *ctx)
{
    struct api_error err = {0};
    if (check_names(cluster, name, &err) < 0)
        return fail(done, ctx, &err);
    struct single *pending = calloc(1, sizeof(*pending));
    char *path = addon_path(cluster, name);
    if (!pending || !path) {
        free(pending);
        free(path);
        oom(&err);
        return fail(done, ctx, &err);
    }
    pending->done = done;
    pending->ctx = ctx;
    struct aws_call call = {
        .service = &aws_service_eks, .region = region,
        .operation = operation, .method = method, .path = path,
        .body = body, .mutating = strcmp(method, "GET") != 0,
    };
    int rc = aws_send(s, &call, on_single, pending);
    free(path);
    return rc;
}

int eks_describe_addon(struct aws_session *s, const char *region,
                       const char *cluster, const char *name,
                       eks_addon_fn done, void *ctx)
{
    return send_single(s, region, cluster, name, "GET", "DescribeAddon",
                       NULL, done, ctx);
}

static char *create_body(const char *name, const char *version,
                         const char *token)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "addonName", name);
    if (version)
        cJSON_AddStringToObject(o, "addonVersion", version);
    cJSON_AddStringToObject(o, "clientRequestToken", token);
    char *text = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    return text;
}

int eks_create_addon(struct aws_session *s, const char *region,
                     const char *cluster, const char *name,
                     const char *version, eks_addon_fn done, void *ctx)
{
    struct api_error err = {0};
    char token[37];
    if (check_names(cluster, name ? name : "", &err) < 0)
        return fail(done, ctx, &err);
    if (eks_request_token(token) < 0) {
        api_error_set(&err, "InternalError", "no random bytes for the "
                      "clientRequestToken");
        return fail(done, ctx, &err);
    }
    char *body = create_body(name, version, token);
    if (!body) {
        oom(&err);
        return fail(done, ctx, &err);
    }
    int rc = send_single(s, region, cluster, NULL, "POST", "CreateAddon",
                         body, done, ctx);
    free(body);
    return rc;
}

/* ---- ListAddons ---- */

struct listing {
    struct aws_session *s;
    char *region;            /* NULL: the session's */
    char *cluster;
    eks_addon_names_fn done;
    void *ctx;
    char **names;
    size_t count;
    int pages;
};

static void finish(struct listing *l, const struct api_error *err)
{
    l->done(err ? NULL : l->names, err ? 0 : l->count, err, l->ctx);
    for (size_t i = 0; i < l->count; i++)
        free(l->names[i]);
    free(l->names);
    free(l->region);
    free(l->cluster);
    free(l);
}

static int send_page(struct listing *l, const char *next_token);

/* Appends the page's names; returns its nextToken (the caller frees
 * it), NULL on the last page, or NULL with err set. */
static char *read_page(struct listing *l, const struct buf *body,
                       struct api_error *err)
{
    cJSON *root = cJSON_ParseWithLength(body->data ? body->data : "",
                                        body->len);
    const cJSON *names = cJSON_GetObjectItemCaseSensitive(root, "addons");
    const cJSON *item;
    char *next = NULL;
    if (!cJSON_IsArray(names)) {
        api_error_set(err, "InvalidReply", "EKS ListAddons reply has no "
                      "addons array");
        cJSON_Delete(root);
        return NULL;
    }
    cJSON_ArrayForEach(item, names) {
        char **grown = realloc(l->names, (l->count + 1) * sizeof(*grown));
        char *copy = cJSON_IsString(item) ? strdup(item->valuestring) : NULL;
        if (!grown || !copy) {
            free(copy);
            if (grown)
                l->names = grown;
            oom(err);
            break;
        }
        l->names = grown;
        l->names[l->count++] = copy;
    }
    if (!err->code[0])
        next = eks_json_string(root, "nextToken");
    cJSON_Delete(root);
    return next;
}

static void on_page(const struct buf *body, const struct api_error *err,
                    void *ctx)
{
    struct listing *l = ctx;
    struct api_error page_err = {0};
    if (err) {
        finish(l, err);
        return;
    }
    char *next = read_page(l, body, &page_err);
    if (page_err.code[0]) {
        finish(l, &page_err);
    } else if (!next || !*next) {
        finish(l, NULL);
    } else if (l->pages >= MAX_PAGES) {
        api_error_set(&page_err, "InvalidReply", "EKS ListAddons returned "
                      "more than %d pages; stopped", MAX_PAGES);
        finish(l, &page_err);
    } else {
        send_page(l, next);
    }
    free(next);
}

static int send_page(struct listing *l, const char *next_token)
{
    struct sigv4_pair params[2] = {{"maxResults", PAGE_SIZE}};
    size_t n = 1;
    if (next_token)
        params[n++] = (struct sigv4_pair){"nextToken", next_token};
    char *path = addon_path(l->cluster, NULL);
    if (!path) {
        struct api_error err = {0};
        oom(&err);
        finish(l, &err);
        return -1;
    }
    struct aws_call call = {
        .service = &aws_service_eks, .region = l->region, .method = "GET",
        .operation = "ListAddons", .path = path, .params = params,
        .param_count = n,
    };
    l->pages++;
    int rc = aws_send(l->s, &call, on_page, l);
    free(path);
    return rc;
}

int eks_list_addons(struct aws_session *s, const char *region,
                    const char *cluster, eks_addon_names_fn done, void *ctx)
{
    struct api_error err = {0};
    if (check_names(cluster, NULL, &err) < 0) {
        done(NULL, 0, &err, ctx);
        return -1;
    }
    struct listing *l = calloc(1, sizeof(*l));
    if (l) {
        l->region = region ? strdup(region) : NULL;
        l->cluster = strdup(cluster);
    }
    if (!l || !l->cluster || (region && !l->region)) {
        if (l) {
            free(l->region);
            free(l->cluster);
        }
        free(l);
        oom(&err);
        done(NULL, 0, &err, ctx);
        return -1;
    }
    l->s = s;
    l->done = done;
    l->ctx = ctx;
    return send_page(l, NULL);
}
