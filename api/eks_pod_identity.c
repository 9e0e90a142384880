/*
 * EKS Pod Identity associations: freeing, parsing, the requests and
 * the calls on one association. The listing and the delete by service
 * account are in eks_pod_identity_list.c.
 */
#include "eks_pod_identity.h"

#include <cjson/cJSON.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eks_internal.h"

#define COLLECTION "pod-identity-associations"

/* ---- freeing ---- */

static void free_tags(struct eks_tag *tags, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        free(tags[i].key);
        free(tags[i].value);
    }
    free(tags);
}

void eks_pod_identity_cleanup(struct eks_pod_identity *a)
{
    char **fields[] = {
        &a->association_id, &a->association_arn, &a->cluster_name,
        &a->namespace, &a->service_account, &a->role_arn, &a->owner_arn,
        &a->created_at, &a->modified_at,
    };
    for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
        free(*fields[i]);
        *fields[i] = NULL;
    }
    free_tags(a->tags, a->tag_count);
    a->tags = NULL;
    a->tag_count = 0;
}

void eks_pod_identity_list_free(struct eks_pod_identity_list *l)
{
    if (!l)
        return;
    for (size_t i = 0; i < l->count; i++)
        eks_pod_identity_cleanup(&l->items[i]);
    free(l->items);
    free(l);
}

/* ---- parsing ---- */

static int read_tags(const cJSON *obj, struct eks_pod_identity *a)
{
    const cJSON *tags = cJSON_GetObjectItemCaseSensitive(obj, "tags");
    if (!cJSON_IsObject(tags))
        return 0;
    size_t n = (size_t)cJSON_GetArraySize(tags);
    if (n > EKS_POD_IDENTITY_MAX_TAGS)
        return -1;
    a->tags = calloc(n ? n : 1, sizeof(*a->tags));
    if (!a->tags)
        return -1;
    const cJSON *tag;
    cJSON_ArrayForEach(tag, tags) {
        if (!cJSON_IsString(tag))
            return -1;
        struct eks_tag *t = &a->tags[a->tag_count++];
        t->key = strdup(tag->string);
        t->value = strdup(tag->valuestring);
        if (!t->key || !t->value)
            return -1;
    }
    return 0;
}

/* Fills a from an association or a summary; -1 when the members every
 * one of them carries are missing. */
static int fill(const cJSON *obj, struct eks_pod_identity *a)
{
    a->association_id = eks_json_string(obj, "associationId");
    a->association_arn = eks_json_string(obj, "associationArn");
    a->cluster_name = eks_json_string(obj, "clusterName");
    a->namespace = eks_json_string(obj, "namespace");
    a->service_account = eks_json_string(obj, "serviceAccount");
    a->role_arn = eks_json_string(obj, "roleArn");
    a->owner_arn = eks_json_string(obj, "ownerArn");
    a->created_at = eks_json_time(obj, "createdAt");
    a->modified_at = eks_json_time(obj, "modifiedAt");
    if (!a->association_id || !*a->association_id || !a->namespace ||
        !a->service_account)
        return -1;
    return read_tags(obj, a);
}

int eks_parse_pod_identity(const char *json, size_t len,
                           struct eks_pod_identity *a,
                           struct api_error *err)
{
    memset(a, 0, sizeof(*a));
    cJSON *root = cJSON_ParseWithLength(json, len);
    const cJSON *obj = cJSON_GetObjectItemCaseSensitive(root, "association");
    int rc = cJSON_IsObject(obj) ? fill(obj, a) : -1;
    cJSON_Delete(root);
    if (rc < 0) {
        api_error_set(err, "InvalidReply", "EKS pod identity association "
                      "reply %s", root ? "has no association with an id, "
                      "namespace and service account" : "is not valid JSON");
        eks_pod_identity_cleanup(a);
    }
    return rc;
}

static int fill_page(const cJSON *items, struct eks_pod_identity_list *list)
{
    size_t n = (size_t)cJSON_GetArraySize(items);
    list->items = calloc(n ? n : 1, sizeof(*list->items));
    if (!list->items)
        return -1;
    const cJSON *item;
    cJSON_ArrayForEach(item, items) {
        if (fill(item, &list->items[list->count++]) < 0)
            return -1;
    }
    return 0;
}

int eks_parse_pod_identity_page(const char *json, size_t len,
                                struct eks_pod_identity_list *list,
                                char **next_token, struct api_error *err)
{
    memset(list, 0, sizeof(*list));
    *next_token = NULL;
    cJSON *root = cJSON_ParseWithLength(json, len);
    const cJSON *items = cJSON_GetObjectItemCaseSensitive(root,
                                                          "associations");
    int rc = cJSON_IsArray(items) ? fill_page(items, list) : -1;
    if (rc == 0)
        *next_token = eks_json_string(root, "nextToken");
    cJSON_Delete(root);
    if (rc < 0) {
        api_error_set(err, "InvalidReply", "EKS ListPodIdentityAssociations "
                      "reply has no associations array of summaries with "
                      "an id, namespace and service account");
        for (size_t i = 0; i < list->count; i++)
            eks_pod_identity_cleanup(&list->items[i]);
        free(list->items);
        memset(list, 0, sizeof(*list));
    }
    return rc;
}

/* ---- requests ---- */

/* EKS cluster names are letters, digits, '-' and '_'; association ids
 * are "a-" and lower-case letters and digits. Checking them keeps a
 * '/' or '?' from changing the path. */
static int valid_cluster(const char *name)
{
    static const char allowed[] = "abcdefghijklmnopqrstuvwxyz"
                                  "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_";
    return name && *name && strlen(name) <= 100 &&
           strspn(name, allowed) == strlen(name);
}

static int valid_id(const char *id)
{
    return id && strncmp(id, "a-", 2) == 0 &&
           strlen(id) == EKS_POD_IDENTITY_ID_LEN &&
           strspn(id + 2, "abcdefghijklmnopqrstuvwxyz0123456789") ==
               EKS_POD_IDENTITY_ID_LEN - 2;
}

int eks_pod_identity_check_names(const char *cluster, const char *id,
                                 struct api_error *err)
{
    if (!valid_cluster(cluster)) {
        api_error_set(err, "InvalidParameter", "invalid cluster name \"%s\":"
                      " use the EKS cluster's name (letters, digits, '-' "
                      "and '_')", cluster ? cluster : "");
        return -1;
    }
    if (id && !valid_id(id)) {
        api_error_set(err, "InvalidParameter", "invalid association id "
                      "\"%s\": EKS ids are \"a-\" and 17 lower-case letters "
                      "or digits, as albatross get podidentityassociations "
                      "shows them", id);
        return -1;
    }
    return 0;
}

char *eks_pod_identity_path(const char *cluster, const char *id)
{
    struct buf path;
    buf_init(&path, 0);
    int rc = id ? buf_printf(&path, "/clusters/%s/" COLLECTION "/%s",
                             cluster, id)
                : buf_printf(&path, "/clusters/%s/" COLLECTION, cluster);
    if (rc < 0) {
        buf_cleanup(&path);
        return NULL;
    }
    return buf_take(&path);
}

int eks_request_token(char out[37])
{
    unsigned char b[16];
    if (RAND_bytes(b, sizeof(b)) != 1)
        return -1;
    b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
    b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
    snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
             "%02x%02x%02x%02x%02x%02x", b[0], b[1], b[2], b[3], b[4], b[5],
             b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14],
             b[15]);
    return 0;
}

static char *create_body(const struct eks_pod_identity_spec *spec,
                         const char *token)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "namespace", spec->namespace);
    cJSON_AddStringToObject(o, "serviceAccount", spec->service_account);
    cJSON_AddStringToObject(o, "roleArn", spec->role_arn);
    cJSON_AddStringToObject(o, "clientRequestToken", token);
    if (spec->tag_count) {
        cJSON *tags = cJSON_AddObjectToObject(o, "tags");
        for (size_t i = 0; i < spec->tag_count; i++)
            cJSON_AddStringToObject(tags, spec->tags[i].key,
                                    spec->tags[i].value);
    }
    char *text = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    return text;
}

static int check_spec(const struct eks_pod_identity_spec *spec,
                      struct api_error *err)
{
    if (!spec->namespace || !*spec->namespace || !spec->service_account ||
        !*spec->service_account || !spec->role_arn || !*spec->role_arn) {
        api_error_set(err, "InvalidParameter", "a pod identity association "
                      "needs a namespace, a service account and a role "
                      "ARN");
        return -1;
    }
    if (spec->tag_count > EKS_POD_IDENTITY_MAX_TAGS) {
        api_error_set(err, "InvalidParameter", "%zu tags: EKS takes at most "
                      "%d", spec->tag_count, EKS_POD_IDENTITY_MAX_TAGS);
        return -1;
    }
    return 0;
}

static void oom(struct api_error *err)
{
    api_error_set(err, "InternalError", "out of memory");
}

/* A request of a path and no body: describe, delete, and update before
 * its body is added. */
static int path_request(const char *cluster, const char *id,
                        const char *method, const char *operation,
                        struct eks_pod_identity_request *rq,
                        struct api_error *err)
{
    memset(rq, 0, sizeof(*rq));
    rq->method = method;
    rq->operation = operation;
    if (eks_pod_identity_check_names(cluster, id, err) < 0)
        return -1;
    if (!(rq->path = eks_pod_identity_path(cluster, id))) {
        oom(err);
        return -1;
    }
    return 0;
}

int eks_pod_identity_create_request(const char *cluster,
                                    const struct eks_pod_identity_spec *spec,
                                    struct eks_pod_identity_request *rq,
                                    struct api_error *err)
{
    char token[37];
    memset(rq, 0, sizeof(*rq));
    rq->method = "POST";
    rq->operation = "CreatePodIdentityAssociation";
    if (eks_pod_identity_check_names(cluster, NULL, err) < 0 || check_spec(spec, err) < 0)
        return -1;
    if (eks_request_token(token) < 0) {
        api_error_set(err, "InternalError", "no random bytes for the "
                      "clientRequestToken");
        return -1;
    }
    rq->path = eks_pod_identity_path(cluster, NULL);
    rq->body = create_body(spec, token);
    if (!rq->path || !rq->body) {
        oom(err);
        return -1;
    }
    return 0;
}

int eks_pod_identity_delete_request(const char *cluster, const char *id,
                                    struct eks_pod_identity_request *rq,
                                    struct api_error *err)
{
    return path_request(cluster, id, "DELETE",
                        "DeletePodIdentityAssociation", rq, err);
}

void eks_pod_identity_request_cleanup(struct eks_pod_identity_request *rq)
{
    free(rq->path);
    free(rq->body);
    rq->path = rq->body = NULL;
}

/* ---- single-association calls ---- */

struct single {
    eks_pod_identity_fn done;
    void *ctx;
};

static void on_single(const struct buf *body, const struct api_error *err,
                      void *ctx)
{
    struct single *one = ctx;
    struct api_error parse_err = {0};
    struct eks_pod_identity a;
    memset(&a, 0, sizeof(a));
    if (!err && eks_parse_pod_identity(body->data, body->len, &a,
                                       &parse_err) < 0)
        err = &parse_err;
    one->done(err ? NULL : &a, err, one->ctx);
    eks_pod_identity_cleanup(&a);
    free(one);
}

int eks_pod_identity_fail(eks_pod_identity_fn done, void *ctx,
                          const struct api_error *err)
{
    done(NULL, err, ctx);
    return -1;
}

/* Sends rq; rq stays the caller's. */
static int send_single(struct aws_session *s, const char *region,
                       const struct eks_pod_identity_request *rq,
                       eks_pod_identity_fn done, void *ctx)
{
    struct single *one = calloc(1, sizeof(*one));
    if (!one) {
        struct api_error err = {0};
        oom(&err);
        return eks_pod_identity_fail(done, ctx, &err);
    }
    one->done = done;
    one->ctx = ctx;
    struct aws_call call = {
        .service = &aws_service_eks, .region = region,
        .operation = rq->operation, .method = rq->method, .path = rq->path,
        .body = rq->body, .mutating = strcmp(rq->method, "GET") != 0,
    };
    return aws_send(s, &call, on_single, one);
}

/* Sends rq when it was built (built is 0), else reports err; frees rq
 * either way. */
static int send_built(struct aws_session *s, const char *region, int built,
                      struct eks_pod_identity_request *rq,
                      const struct api_error *err, eks_pod_identity_fn done,
                      void *ctx)
{
    int rc = built < 0 ? eks_pod_identity_fail(done, ctx, err)
                       : send_single(s, region, rq, done, ctx);
    eks_pod_identity_request_cleanup(rq);
    return rc;
}

int eks_describe_pod_identity(struct aws_session *s, const char *region,
                              const char *cluster, const char *id,
                              eks_pod_identity_fn done, void *ctx)
{
    struct eks_pod_identity_request rq;
    struct api_error err = {0};
    int built = path_request(cluster, id, "GET",
                             "DescribePodIdentityAssociation", &rq, &err);
    return send_built(s, region, built, &rq, &err, done, ctx);
}

int eks_create_pod_identity(struct aws_session *s, const char *region,
                            const char *cluster,
                            const struct eks_pod_identity_spec *spec,
                            eks_pod_identity_fn done, void *ctx)
{
    struct eks_pod_identity_request rq;
    struct api_error err = {0};
    int built = eks_pod_identity_create_request(cluster, spec, &rq, &err);
    return send_built(s, region, built, &rq, &err, done, ctx);
}

static char *update_body(const char *role_arn)
{
    char token[37];
    if (eks_request_token(token) < 0)
        return NULL;
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "roleArn", role_arn);
    cJSON_AddStringToObject(o, "clientRequestToken", token);
    char *text = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    return text;
}

int eks_update_pod_identity(struct aws_session *s, const char *region,
                            const char *cluster, const char *id,
                            const char *role_arn, eks_pod_identity_fn done,
                            void *ctx)
{
    struct eks_pod_identity_request rq;
    struct api_error err = {0};
    int built = path_request(cluster, id, "POST",
                             "UpdatePodIdentityAssociation", &rq, &err);
    if (built == 0 && (!role_arn || !*role_arn)) {
        api_error_set(&err, "InvalidParameter", "updating association %s "
                      "needs the new role ARN", id);
        built = -1;
    }
    if (built == 0 && !(rq.body = update_body(role_arn))) {
        oom(&err);
        built = -1;
    }
    return send_built(s, region, built, &rq, &err, done, ctx);
}

int eks_delete_pod_identity(struct aws_session *s, const char *region,
                            const char *cluster, const char *id,
                            eks_pod_identity_fn done, void *ctx)
{
    struct eks_pod_identity_request rq;
    struct api_error err = {0};
    int built = eks_pod_identity_delete_request(cluster, id, &rq, &err);
    return send_built(s, region, built, &rq, &err, done, ctx);
}
