/*
 * Listing EKS Pod Identity associations, and deleting one found by its
 * service account. A listing sends its pages one after another and a
 * DescribePodIdentityAssociation for each summary a page returns, all
 * on the shared HTTP client; one counter of outstanding calls decides
 * when it is done, as in eks.c.
 */
#include "eks_pod_identity.h"

#include <stdlib.h>
#include <string.h>

#include "eks_internal.h"

#define PAGE_SIZE "100"
#define MAX_PAGES 1000  /* stops a server whose nextToken never ends */

static void oom(struct api_error *err)
{
    api_error_set(err, "InternalError", "out of memory");
}

/* ---- listing ---- */

struct listing {
    struct aws_session *s;
    char *region;            /* NULL: the session's */
    char *cluster;
    char *namespace;         /* filters, or NULL */
    char *service_account;
    eks_pod_identities_fn done;
    void *ctx;
    struct eks_pod_identity_list *list;
    size_t pending;
    int pages;
    struct api_error error;  /* the first one; code "" when none */
};

static int compare(const void *x, const void *y)
{
    const struct eks_pod_identity *a = x, *b = y;
    int r = strcmp(a->namespace, b->namespace);
    if (!r)
        r = strcmp(a->service_account, b->service_account);
    return r ? r : strcmp(a->association_id, b->association_id);
}

static void listing_free(struct listing *l)
{
    free(l->region);
    free(l->cluster);
    free(l->namespace);
    free(l->service_account);
    free(l);
}

static void release(struct listing *l)
{
    if (--l->pending > 0)
        return;
    struct eks_pod_identity_list *list = l->list;
    if (l->error.code[0]) {
        eks_pod_identity_list_free(list);
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

static void send_page(struct listing *l, const char *next_token)
{
    struct sigv4_pair params[4] = {{"maxResults", PAGE_SIZE}};
    size_t n = 1;
    if (l->namespace)
        params[n++] = (struct sigv4_pair){"namespace", l->namespace};
    if (l->service_account)
        params[n++] = (struct sigv4_pair){"serviceAccount",
                                          l->service_account};
    if (next_token)
        params[n++] = (struct sigv4_pair){"nextToken", next_token};
    char *path = eks_pod_identity_path(l->cluster, NULL);
    if (!path) {
        struct api_error err = {0};
        oom(&err);
        note_error(l, &err);
        return;
    }
    struct aws_call call = {
        .service = &aws_service_eks, .region = l->region, .method = "GET",
        .operation = "ListPodIdentityAssociations", .path = path,
        .params = params, .param_count = n,
    };
    l->pending++;
    l->pages++;
    aws_send(l->s, &call, on_page, l);
    free(path);
}

static int append(struct eks_pod_identity_list *list,
                  const struct eks_pod_identity *a)
{
    struct eks_pod_identity *grown = realloc(list->items,
                                             (list->count + 1) *
                                             sizeof(*grown));
    if (!grown)
        return -1;
    list->items = grown;
    list->items[list->count++] = *a;
    return 0;
}

/* Takes a copy of a described association into the listing. */
static int take_copy(struct listing *l, const struct eks_pod_identity *a)
{
    struct eks_pod_identity copy;
    memset(&copy, 0, sizeof(copy));
    char *const *from[] = {
        &a->association_id, &a->association_arn, &a->cluster_name,
        &a->namespace, &a->service_account, &a->role_arn, &a->owner_arn,
        &a->created_at, &a->modified_at,
    };
    char **to[] = {
        &copy.association_id, &copy.association_arn, &copy.cluster_name,
        &copy.namespace, &copy.service_account, &copy.role_arn,
        &copy.owner_arn, &copy.created_at, &copy.modified_at,
    };
    int rc = 0;
    for (size_t i = 0; i < sizeof(to) / sizeof(to[0]); i++)
        if (*from[i] && !(*to[i] = strdup(*from[i])))
            rc = -1;
    copy.tags = a->tag_count ? calloc(a->tag_count, sizeof(*copy.tags))
                             : NULL;
    for (size_t i = 0; copy.tags && i < a->tag_count; i++) {
        copy.tags[copy.tag_count].key = strdup(a->tags[i].key);
        copy.tags[copy.tag_count++].value = strdup(a->tags[i].value);
        rc |= !copy.tags[i].key || !copy.tags[i].value ? -1 : 0;
    }
    if (a->tag_count && !copy.tags)
        rc = -1;
    if (rc == 0 && append(l->list, &copy) == 0)
        return 0;
    eks_pod_identity_cleanup(&copy);
    return -1;
}

static void on_described(const struct eks_pod_identity *a,
                         const struct api_error *err, void *ctx)
{
    struct listing *l = ctx;
    struct api_error copy_err = {0};
    if (!err && take_copy(l, a) < 0) {
        oom(&copy_err);
        err = &copy_err;
    }
    if (err)
        note_error(l, err);
    release(l);
}

static void describe_page(struct listing *l,
                          const struct eks_pod_identity_list *page)
{
    for (size_t i = 0; i < page->count; i++) {
        l->pending++;
        eks_describe_pod_identity(l->s, l->region, l->cluster,
                                  page->items[i].association_id,
                                  on_described, l);
    }
}

static void on_page(const struct buf *body, const struct api_error *err,
                    void *ctx)
{
    struct listing *l = ctx;
    struct api_error parse_err = {0};
    struct eks_pod_identity_list page;
    char *next = NULL;
    memset(&page, 0, sizeof(page));
    if (!err && eks_parse_pod_identity_page(body->data, body->len, &page,
                                            &next, &parse_err) < 0)
        err = &parse_err;
    if (err) {
        note_error(l, err);
    } else {
        describe_page(l, &page);
        if (next && *next && l->pages < MAX_PAGES)
            send_page(l, next);
    }
    for (size_t i = 0; i < page.count; i++)
        eks_pod_identity_cleanup(&page.items[i]);
    free(page.items);
    free(next);
    release(l);
}

static char *copy_or_null(const char *s, int *failed)
{
    char *c = s ? strdup(s) : NULL;
    if (s && !c)
        *failed = 1;
    return c;
}

static struct listing *new_listing(struct aws_session *s, const char *region,
                                   const char *cluster,
                                   const struct eks_pod_identity_filter *f,
                                   eks_pod_identities_fn done, void *ctx)
{
    struct listing *l = calloc(1, sizeof(*l));
    if (!l)
        return NULL;
    int failed = 0;
    l->s = s;
    l->done = done;
    l->ctx = ctx;
    l->region = copy_or_null(region, &failed);
    l->cluster = copy_or_null(cluster, &failed);
    l->namespace = copy_or_null(f ? f->namespace : NULL, &failed);
    l->service_account = copy_or_null(f ? f->service_account : NULL,
                                      &failed);
    l->list = calloc(1, sizeof(*l->list));
    if (failed || !l->list) {
        free(l->list);
        listing_free(l);
        return NULL;
    }
    /* Held until the first page is sent, so a reply that fails at once
     * cannot finish the listing early. */
    l->pending = 1;
    return l;
}

int eks_list_pod_identities(struct aws_session *s, const char *region,
                            const char *cluster,
                            const struct eks_pod_identity_filter *filter,
                            eks_pod_identities_fn done, void *ctx)
{
    struct api_error err = {0};
    if (eks_pod_identity_check_names(cluster, NULL, &err) < 0) {
        done(NULL, &err, ctx);
        return -1;
    }
    struct listing *l = new_listing(s, region, cluster, filter, done, ctx);
    if (!l) {
        oom(&err);
        done(NULL, &err, ctx);
        return -1;
    }
    send_page(l, NULL);
    release(l);
    return 0;
}

/* ---- delete by service account ---- */

struct delete_for {
    struct aws_session *s;
    char *region;
    char *cluster;
    char *ns;
    char *sa;
    eks_pod_identity_fn done;
    void *ctx;
};

static void delete_for_free(struct delete_for *d)
{
    free(d->region);
    free(d->cluster);
    free(d->ns);
    free(d->sa);
    free(d);
}

static void on_found(struct eks_pod_identity_list *list,
                     const struct api_error *err, void *ctx)
{
    struct delete_for *d = ctx;
    struct api_error missing = {0};
    if (!err && list->count == 0) {
        api_error_set(&missing, "ResourceNotFoundException", "cluster %s "
                      "has no pod identity association for service account "
                      "%s/%s", d->cluster, d->ns, d->sa);
        err = &missing;
    }
    if (err)
        d->done(NULL, err, d->ctx);
    else
        eks_delete_pod_identity(d->s, d->region, d->cluster,
                                list->items[0].association_id, d->done,
                                d->ctx);
    eks_pod_identity_list_free(list);
    delete_for_free(d);
}

int eks_delete_pod_identity_for(struct aws_session *s, const char *region,
                                const char *cluster, const char *ns,
                                const char *sa, eks_pod_identity_fn done,
                                void *ctx)
{
    struct api_error err = {0};
    if (s->readonly) {
        api_error_set(&err, "ReadOnly", "EKS DeletePodIdentityAssociation "
                      "changes the account and the session is read-only "
                      "(--readonly); run without --readonly to allow it");
        return eks_pod_identity_fail(done, ctx, &err);
    }
    if (!ns || !*ns || !sa || !*sa) {
        api_error_set(&err, "InvalidParameter", "deleting a pod identity "
                      "association needs a namespace and a service "
                      "account");
        return eks_pod_identity_fail(done, ctx, &err);
    }
    struct delete_for *d = calloc(1, sizeof(*d));
    int failed = !d;
    if (d) {
        *d = (struct delete_for){ .s = s, .done = done, .ctx = ctx };
        d->region = copy_or_null(region, &failed);
        d->cluster = copy_or_null(cluster, &failed);
        d->ns = copy_or_null(ns, &failed);
        d->sa = copy_or_null(sa, &failed);
    }
    if (failed) {
        if (d)
            delete_for_free(d);
        oom(&err);
        return eks_pod_identity_fail(done, ctx, &err);
    }
    const struct eks_pod_identity_filter filter = { ns, sa };
    return eks_list_pod_identities(s, region, cluster, &filter, on_found, d);
}
