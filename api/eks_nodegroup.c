/*
 * Listing a cluster's managed node groups. Pages go one after another,
 * and the DescribeNodegroup calls for a page's names go out together. One
 * counter of outstanding calls decides when the listing is done, as in
 * eks.c.
 *
 * TODO: release, note_error and the page fan-out repeat those of
 * eks_pod_identity_list.c; one lister over item callbacks could serve
 * both.
 */
#include "eks_nodegroup.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "eks_internal.h"

#define PAGE_SIZE "100"
#define MAX_PAGES 1000  /* stops a server whose nextToken never ends */

void eks_nodegroup_cleanup(struct eks_nodegroup *ng)
{
    free(ng->name);
    free(ng->status);
    free(ng->node_role);
    memset(ng, 0, sizeof(*ng));
}

void eks_nodegroup_list_free(struct eks_nodegroup_list *l)
{
    if (!l)
        return;
    for (size_t i = 0; i < l->count; i++)
        eks_nodegroup_cleanup(&l->items[i]);
    free(l->items);
    free(l);
}

int eks_parse_nodegroup(const char *json, size_t len, struct eks_nodegroup *ng,
                        struct api_error *err)
{
    memset(ng, 0, sizeof(*ng));
    cJSON *root = cJSON_ParseWithLength(json, len);
    const cJSON *o = cJSON_GetObjectItemCaseSensitive(root, "nodegroup");
    ng->name = cJSON_IsObject(o) ? eks_json_string(o, "nodegroupName") : NULL;
    if (!ng->name || !*ng->name) {
        api_error_set(err, "InvalidReply", "EKS DescribeNodegroup reply %s",
                      root ? "has no nodegroup object with a nodegroupName"
                           : "is not valid JSON");
        cJSON_Delete(root);
        eks_nodegroup_cleanup(ng);
        return -1;
    }
    ng->status = eks_json_string(o, "status");
    ng->node_role = eks_json_string(o, "nodeRole");
    cJSON_Delete(root);
    return 0;
}

/* EKS names node groups with letters, digits, '-' and '_' (at most 63);
 * checking a name from a reply keeps a '/' or '?' out of the next path. */
static int valid_nodegroup_name(const char *name)
{
    static const char allowed[] = "abcdefghijklmnopqrstuvwxyz"
                                  "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_";
    return *name && strlen(name) <= 63 && strspn(name, allowed) ==
           strlen(name);
}

/* ---- listing ---- */

struct listing {
    struct aws_session *s;
    char *region;            /* NULL: the session's */
    char *cluster;
    eks_nodegroups_fn done;
    void *ctx;
    struct eks_nodegroup_list *list;
    size_t pending;
    int pages;
    struct api_error error;  /* the first one; code "" when none */
};

static void oom(struct api_error *err)
{
    api_error_set(err, "InternalError", "out of memory");
}

static int compare(const void *x, const void *y)
{
    const struct eks_nodegroup *a = x, *b = y;
    return strcmp(a->name, b->name);
}

static void listing_free(struct listing *l)
{
    free(l->region);
    free(l->cluster);
    free(l);
}

static void release(struct listing *l)
{
    if (--l->pending > 0)
        return;
    struct eks_nodegroup_list *list = l->list;
    if (l->error.code[0]) {
        eks_nodegroup_list_free(list);
        list = NULL;
    } else if (list->count > 1) {
        qsort(list->items, list->count, sizeof(*list->items), compare);
    }
    l->done(list, l->error.code[0] ? &l->error : NULL, l->ctx);
    listing_free(l);
}

static void note_error(struct listing *l, const struct api_error *err)
{
    if (!l->error.code[0])
        l->error = *err;
}

static void on_page(const struct buf *body, const struct api_error *err,
                    void *ctx);
static void on_nodegroup(const struct buf *body, const struct api_error *err,
                         void *ctx);

/* Sends a ListNodegroups page, or with nodegroup set a DescribeNodegroup. */
static void send_call(struct listing *l, const char *nodegroup,
                      const char *next_token)
{
    struct sigv4_pair params[2] = {{"maxResults", PAGE_SIZE},
                                   {"nextToken", next_token}};
    struct buf path;
    buf_init(&path, 0);
    int rc = nodegroup
             ? buf_printf(&path, "/clusters/%s/node-groups/%s", l->cluster,
                          nodegroup)
             : buf_printf(&path, "/clusters/%s/node-groups", l->cluster);
    if (rc < 0) {
        struct api_error err = {0};
        oom(&err);
        note_error(l, &err);
        buf_cleanup(&path);
        return;
    }
    struct aws_call call = {
        .service = &aws_service_eks, .region = l->region, .method = "GET",
        .operation = "DescribeNodegroup", .path = path.data,
    };
    if (!nodegroup) {
        call.operation = "ListNodegroups";
        call.params = params;
        call.param_count = next_token ? 2 : 1;
    }
    l->pending++;
    if (!nodegroup)
        l->pages++;
    aws_send(l->s, &call, nodegroup ? on_nodegroup : on_page, l);
    buf_cleanup(&path);
}

static void describe_names(struct listing *l, char **names, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        if (valid_nodegroup_name(names[i])) {
            send_call(l, names[i], NULL);
            continue;
        }
        struct api_error err = {0};
        api_error_set(&err, "InvalidReply", "EKS ListNodegroups returned "
                      "an invalid node group name \"%s\"", names[i]);
        note_error(l, &err);
    }
}

static void on_page(const struct buf *body, const struct api_error *err,
                    void *ctx)
{
    struct listing *l = ctx;
    struct api_error parse_err = {0};
    char **names = NULL;
    size_t count = 0;
    char *next = NULL;
    if (!err && eks_parse_names(body->data, body->len, "ListNodegroups",
                                "nodegroups", &names, &count, &next,
                                &parse_err) < 0)
        err = &parse_err;
    if (err) {
        note_error(l, err);
    } else {
        describe_names(l, names, count);
        if (next && *next && l->pages < MAX_PAGES)
            send_call(l, NULL, next);
    }
    for (size_t i = 0; i < count; i++)
        free(names[i]);
    free(names);
    free(next);
    release(l);
}

static int append(struct eks_nodegroup_list *list,
                  const struct eks_nodegroup *ng)
{
    struct eks_nodegroup *grown = realloc(list->items, (list->count + 1) *
                                          sizeof(*grown));
    if (!grown)
        return -1;
    list->items = grown;
    list->items[list->count++] = *ng;
    return 0;
}

static void on_nodegroup(const struct buf *body, const struct api_error *err,
                         void *ctx)
{
    struct listing *l = ctx;
    struct api_error parse_err = {0};
    struct eks_nodegroup ng;
    if (!err && eks_parse_nodegroup(body->data, body->len, &ng,
                                    &parse_err) < 0)
        err = &parse_err;
    if (!err && append(l->list, &ng) < 0) {
        eks_nodegroup_cleanup(&ng);
        oom(&parse_err);
        err = &parse_err;
    }
    if (err)
        note_error(l, err);
    release(l);
}

int eks_list_nodegroups(struct aws_session *s, const char *region,
                        const char *cluster, eks_nodegroups_fn done,
                        void *ctx)
{
    struct api_error err = {0};
    if (eks_pod_identity_check_names(cluster, NULL, &err) < 0) {
        done(NULL, &err, ctx);
        return -1;
    }
    struct listing *l = calloc(1, sizeof(*l));
    if (l) {
        *l = (struct listing){ .s = s, .done = done, .ctx = ctx };
        l->region = region ? strdup(region) : NULL;
        l->cluster = strdup(cluster);
        l->list = calloc(1, sizeof(*l->list));
    }
    if (!l || (region && !l->region) || !l->cluster || !l->list) {
        if (l) {
            free(l->list);
            listing_free(l);
        }
        oom(&err);
        done(NULL, &err, ctx);
        return -1;
    }
    /* Held until the first page is sent, so a reply that fails at once
     * cannot finish the listing early. */
    l->pending = 1;
    send_call(l, NULL, NULL);
    release(l);
    return 0;
}
