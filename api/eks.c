/*
 * EKS clusters across regions. Every region's ListClusters pages and the
 * DescribeCluster calls for the names they return are in flight together
 * on the shared HTTP client; one counter of outstanding calls decides when
 * the listing is done.
 */
#include "eks.h"
#include "eks_internal.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define PAGE_SIZE "100"
#define MAX_PAGES 1000  /* per region: stops a server that never ends */

void eks_cluster_cleanup(struct eks_cluster *c)
{
    char **fields[] = {
        &c->name, &c->region, &c->arn, &c->status, &c->version,
        &c->endpoint, &c->ca_data, &c->oidc_issuer, &c->created_at,
        &c->platform_version, &c->role_arn, &c->vpc_id,
    };
    for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
        free(*fields[i]);
        *fields[i] = NULL;
    }
}

void eks_cluster_list_free(struct eks_cluster_list *l)
{
    if (!l)
        return;
    for (size_t i = 0; i < l->count; i++)
        eks_cluster_cleanup(&l->items[i]);
    free(l->items);
    free(l);
}

/* ---- parsing ---- */

char *eks_json_string(const cJSON *obj, const char *path)
{
    char part[64];
    while (obj) {
        size_t n = strcspn(path, ".");
        snprintf(part, sizeof(part), "%.*s", (int)n, path);
        obj = cJSON_GetObjectItemCaseSensitive(obj, part);
        if (!path[n])
            break;
        path += n + 1;
    }
    return cJSON_IsString(obj) ? strdup(obj->valuestring) : NULL;
}

char *eks_json_time(const cJSON *obj, const char *name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, name);
    if (cJSON_IsString(v))
        return strdup(v->valuestring);
    /* 253402300799 is 9999-12-31T23:59:59Z */
    if (!cJSON_IsNumber(v) || v->valuedouble < 0 ||
        v->valuedouble > 253402300799.0)
        return NULL;
    time_t t = (time_t)v->valuedouble;
    struct tm tm;
    char out[32];
    if (!gmtime_r(&t, &tm) ||
        !strftime(out, sizeof(out), "%Y-%m-%dT%H:%M:%SZ", &tm))
        return NULL;
    return strdup(out);
}

static void fill_cluster(const cJSON *c, struct eks_cluster *out)
{
    out->arn = eks_json_string(c, "arn");
    out->status = eks_json_string(c, "status");
    out->version = eks_json_string(c, "version");
    out->endpoint = eks_json_string(c, "endpoint");
    out->ca_data = eks_json_string(c, "certificateAuthority.data");
    out->oidc_issuer = eks_json_string(c, "identity.oidc.issuer");
    out->created_at = eks_json_time(c, "createdAt");
    out->platform_version = eks_json_string(c, "platformVersion");
    out->role_arn = eks_json_string(c, "roleArn");
    out->vpc_id = eks_json_string(c, "resourcesVpcConfig.vpcId");
}

int eks_parse_cluster(const char *json, size_t len, struct eks_cluster *c,
                      struct api_error *err)
{
    memset(c, 0, sizeof(*c));
    cJSON *root = cJSON_ParseWithLength(json, len);
    const cJSON *cluster = cJSON_GetObjectItemCaseSensitive(root, "cluster");
    c->name = cJSON_IsObject(cluster) ? eks_json_string(cluster, "name") : NULL;
    if (!c->name || !*c->name) {
        api_error_set(err, "InvalidReply", "EKS DescribeCluster reply %s",
                      root ? "has no cluster object with a name"
                           : "is not valid JSON");
        cJSON_Delete(root);
        eks_cluster_cleanup(c);
        return -1;
    }
    fill_cluster(cluster, c);
    cJSON_Delete(root);
    return 0;
}

static void free_names(char **names, size_t count)
{
    for (size_t i = 0; i < count; i++)
        free(names[i]);
    free(names);
}

static int collect_names(const cJSON *clusters, char ***names, size_t *count)
{
    size_t n = (size_t)cJSON_GetArraySize(clusters);
    *names = calloc(n ? n : 1, sizeof(**names));
    if (!*names)
        return -1;
    const cJSON *item;
    cJSON_ArrayForEach(item, clusters) {
        if (!cJSON_IsString(item) || !item->valuestring[0])
            return -1;
        if (!((*names)[(*count)++] = strdup(item->valuestring)))
            return -1;
    }
    return 0;
}

int eks_parse_names(const char *json, size_t len, const char *operation,
                    const char *key, char ***names, size_t *count,
                    char **next_token, struct api_error *err)
{
    *names = NULL;
    *count = 0;
    *next_token = NULL;
    cJSON *root = cJSON_ParseWithLength(json, len);
    const cJSON *array = cJSON_GetObjectItemCaseSensitive(root, key);
    int rc = cJSON_IsArray(array) ? collect_names(array, names, count) : -1;
    if (rc == 0)
        *next_token = eks_json_string(root, "nextToken");
    cJSON_Delete(root);
    if (rc < 0) {
        api_error_set(err, "InvalidReply", "EKS %s reply has no %s array "
                      "of names", operation, key);
        free_names(*names, *count);
        *names = NULL;
        *count = 0;
    }
    return rc;
}

int eks_parse_cluster_names(const char *json, size_t len, char ***names,
                            size_t *count, char **next_token,
                            struct api_error *err)
{
    return eks_parse_names(json, len, "ListClusters", "clusters", names,
                           count, next_token, err);
}

/* ---- listing across regions ---- */

struct listing {
    struct aws_session *s;
    eks_clusters_fn done;
    void *ctx;
    struct eks_cluster_list *list;
    size_t pending;
    struct api_error error;    /* the first one; code "" when none */
};

/* One outstanding call: a ListClusters page or a DescribeCluster. */
struct step {
    struct listing *l;
    char *region;
    char *cluster;            /* DescribeCluster; NULL for a page */
    int page;
};

static int compare_clusters(const void *a, const void *b)
{
    const struct eks_cluster *x = a, *y = b;
    int r = strcmp(x->region ? x->region : "", y->region ? y->region : "");
    return r ? r : strcmp(x->name, y->name);
}

static void release(struct listing *l)
{
    if (--l->pending > 0)
        return;
    struct eks_cluster_list *list = l->list;
    if (list->count > 1)
        qsort(list->items, list->count, sizeof(*list->items),
              compare_clusters);
    l->done(list, l->error.code[0] ? &l->error : NULL, l->ctx);
    free(l);
}

static void note_error(struct listing *l, const struct api_error *err)
{
    if (!l->error.code[0])
        l->error = *err;
}

static void step_free(struct step *st)
{
    free(st->region);
    free(st->cluster);
    free(st);
}

static void on_page(const struct buf *body, const struct api_error *err,
                    void *ctx);
static void on_cluster(const struct buf *body, const struct api_error *err,
                       void *ctx);

static struct step *new_step(struct listing *l, const char *region,
                             const char *cluster, int page)
{
    struct step *st = calloc(1, sizeof(*st));
    if (!st)
        return NULL;
    st->l = l;
    st->page = page;
    st->region = strdup(region);
    st->cluster = cluster ? strdup(cluster) : NULL;
    if (!st->region || (cluster && !st->cluster)) {
        step_free(st);
        return NULL;
    }
    return st;
}

/* Sends one ListClusters page or DescribeCluster; on failure the error is
 * noted and nothing is left pending. */
static void send_step(struct listing *l, const char *region,
                      const char *cluster, const char *next_token, int page)
{
    struct step *st = new_step(l, region, cluster, page);
    if (!st) {
        struct api_error err = {0};
        api_error_set(&err, "InternalError", "out of memory");
        note_error(l, &err);
        return;
    }
    struct buf path;
    buf_init(&path, 0);
    struct sigv4_pair params[2] = {{"maxResults", PAGE_SIZE},
                                   {"nextToken", next_token}};
    struct aws_call call = {
        .service = &aws_service_eks, .region = region, .method = "GET",
        .operation = cluster ? "DescribeCluster" : "ListClusters",
        .path = "/clusters",
    };
    if (cluster && buf_printf(&path, "/clusters/%s", cluster) < 0) {
        struct api_error err = {0};
        api_error_set(&err, "InternalError", "out of memory");
        note_error(l, &err);
        step_free(st);
        return;
    }
    if (cluster) {
        call.path = path.data;
    } else {
        call.params = params;
        call.param_count = next_token ? 2 : 1;
    }
    l->pending++;
    aws_send(l->s, &call, cluster ? on_cluster : on_page, st);
    buf_cleanup(&path);
}

static void describe_all(struct step *st, char **names, size_t count,
                         char *next_token)
{
    struct listing *l = st->l;
    for (size_t i = 0; i < count; i++)
        send_step(l, st->region, names[i], NULL, 0);
    if (next_token && *next_token && st->page + 1 < MAX_PAGES)
        send_step(l, st->region, NULL, next_token, st->page + 1);
}

static void on_page(const struct buf *body, const struct api_error *err,
                    void *ctx)
{
    struct step *st = ctx;
    struct listing *l = st->l;
    struct api_error parse_err = {0};
    char **names = NULL;
    size_t count = 0;
    char *next = NULL;
    if (!err && eks_parse_cluster_names(body->data, body->len, &names,
                                        &count, &next, &parse_err) < 0)
        err = &parse_err;
    if (err)
        note_error(l, err);
    else
        describe_all(st, names, count, next);
    free_names(names, count);
    free(next);
    step_free(st);
    release(l);
}

static int append_cluster(struct eks_cluster_list *list,
                          struct eks_cluster *c)
{
    struct eks_cluster *grown = realloc(list->items,
                                        (list->count + 1) * sizeof(*grown));
    if (!grown)
        return -1;
    list->items = grown;
    list->items[list->count++] = *c;
    return 0;
}

static void on_cluster(const struct buf *body, const struct api_error *err,
                       void *ctx)
{
    struct step *st = ctx;
    struct listing *l = st->l;
    struct api_error parse_err = {0};
    struct eks_cluster c;
    if (!err && eks_parse_cluster(body->data, body->len, &c, &parse_err) < 0)
        err = &parse_err;
    if (!err) {
        c.region = st->region;
        st->region = NULL;
        if (append_cluster(l->list, &c) < 0) {
            api_error_set(&parse_err, "InternalError", "out of memory");
            eks_cluster_cleanup(&c);
            err = &parse_err;
        }
    }
    if (err)
        note_error(l, err);
    step_free(st);
    release(l);
}

static struct listing *new_listing(struct aws_session *s,
                                   eks_clusters_fn done, void *ctx)
{
    struct listing *l = calloc(1, sizeof(*l));
    struct eks_cluster_list *list = calloc(1, sizeof(*list));
    if (!l || !list) {
        free(l);
        free(list);
        struct api_error err = {0};
        api_error_set(&err, "InternalError", "out of memory");
        done(NULL, &err, ctx);
        return NULL;
    }
    l->s = s;
    l->done = done;
    l->ctx = ctx;
    l->list = list;
    /* Held until every call is sent, so replies that fail at once
     * cannot finish the listing early. */
    l->pending = 1;
    return l;
}

int eks_list_clusters(struct aws_session *s, const char *const *regions,
                      eks_clusters_fn done, void *ctx)
{
    struct listing *l = new_listing(s, done, ctx);
    if (!l)
        return -1;
    for (size_t i = 0; regions && regions[i]; i++)
        send_step(l, regions[i], NULL, NULL, 0);
    release(l);
    return 0;
}

int eks_describe_cluster(struct aws_session *s, const char *region,
                         const char *name, eks_clusters_fn done, void *ctx)
{
    if (!region)
        region = s->region;
    if (!region) {
        struct api_error err = {0};
        api_error_set(&err, "NoRegion", "no region to find EKS cluster %s "
                      "in: pass --region or set AWS_REGION", name);
        done(NULL, &err, ctx);
        return -1;
    }
    struct listing *l = new_listing(s, done, ctx);
    if (!l)
        return -1;
    send_step(l, region, name, NULL, 0);
    release(l);
    return 0;
}
