/*
 * Parsing of Kubernetes list pages and objects into the client's types:
 * service accounts and ingresses, with the metadata every object has.
 * Hostile replies are bounded: names, annotation keys and counts are
 * capped, and items without a usable name are skipped.
 */
#include "kube.h"

#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#define MAX_NAME 253            /* Kubernetes object names (DNS subdomain) */
#define MAX_ANNOTATION_KEY 317  /* 253-byte prefix, '/', 63-byte name */

static cJSON *member(const cJSON *obj, const char *name)
{
    return cJSON_IsObject(obj) ?
           cJSON_GetObjectItemCaseSensitive(obj, name) : NULL;
}

/* A string member no longer than max, copied; NULL otherwise. *oom is set
 * when a copy fails. */
static char *copy_member(const cJSON *obj, const char *name, size_t max,
                         int *oom)
{
    const char *s = cJSON_GetStringValue(member(obj, name));
    if (!s || strlen(s) > max)
        return NULL;
    char *copy = strdup(s);
    if (!copy)
        *oom = 1;
    return copy;
}

static void annotations_free(struct kube_annotation *a, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(a[i].key);
        free(a[i].value);
    }
    free(a);
}

/* metadata.annotations: string values only, at most KUBE_MAX_ANNOTATIONS. */
static int read_annotations(const cJSON *meta, struct kube_annotation **out,
                            size_t *count)
{
    const cJSON *obj = member(meta, "annotations");
    size_t n = 0;
    const cJSON *a;
    *out = NULL;
    *count = 0;
    cJSON_ArrayForEach(a, obj) {
        if (n < KUBE_MAX_ANNOTATIONS && cJSON_IsString(a) && a->string)
            n++;
    }
    if (!cJSON_IsObject(obj) || n == 0)
        return 0;
    *out = calloc(n, sizeof(**out));
    if (!*out)
        return -1;
    cJSON_ArrayForEach(a, obj) {
        if (*count == n)
            break;
        if (!cJSON_IsString(a) || !a->string ||
            strlen(a->string) > MAX_ANNOTATION_KEY)
            continue;
        struct kube_annotation *kv = &(*out)[(*count)++];
        kv->key = strdup(a->string);
        kv->value = strdup(a->valuestring);
        if (!kv->key || !kv->value)
            return -1;
    }
    return 0;
}

static const char *annotation(const struct kube_annotation *a, size_t n,
                              const char *key)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(a[i].key, key))
            return a[i].value;
    return NULL;
}

static char *dup_or_null(const char *s, int *oom)
{
    if (!s)
        return NULL;
    char *copy = strdup(s);
    if (!copy)
        *oom = 1;
    return copy;
}

/* The fields every object has. Returns 1 when the item has a usable
 * name, 0 to skip it, -1 when memory runs out. */
struct meta {
    char *namespace, *name, *uid, *created;
    struct kube_annotation *annotations;
    size_t annotation_count;
};

static void meta_free(struct meta *m)
{
    free(m->namespace);
    free(m->name);
    free(m->uid);
    free(m->created);
    annotations_free(m->annotations, m->annotation_count);
    memset(m, 0, sizeof(*m));
}

static int read_meta(const cJSON *item, struct meta *m)
{
    const cJSON *meta = member(item, "metadata");
    int oom = 0;
    memset(m, 0, sizeof(*m));
    m->name = copy_member(meta, "name", MAX_NAME, &oom);
    if (!m->name)
        return oom ? -1 : 0;
    m->namespace = copy_member(meta, "namespace", MAX_NAME, &oom);
    m->uid = copy_member(meta, "uid", MAX_NAME, &oom);
    m->created = copy_member(meta, "creationTimestamp", 64, &oom);
    if (read_annotations(meta, &m->annotations, &m->annotation_count) < 0 ||
        oom) {
        meta_free(m);
        return -1;
    }
    return 1;
}

static void sa_free(struct kube_service_account *sa)
{
    free(sa->namespace);
    free(sa->name);
    free(sa->uid);
    free(sa->created);
    free(sa->role_arn);
    annotations_free(sa->annotations, sa->annotation_count);
}

static void ingress_free(struct kube_ingress *in)
{
    free(in->namespace);
    free(in->name);
    free(in->created);
    free(in->class_name);
    free(in->hosts);
    free(in->address);
    free(in->group_name);
    annotations_free(in->annotations, in->annotation_count);
}

void kube_sa_list_free(struct kube_sa_list *l)
{
    if (!l)
        return;
    for (size_t i = 0; i < l->count; i++)
        sa_free(&l->items[i]);
    free(l->items);
    free(l->resource_version);
    free(l);
}

void kube_ingress_list_free(struct kube_ingress_list *l)
{
    if (!l)
        return;
    for (size_t i = 0; i < l->count; i++)
        ingress_free(&l->items[i]);
    free(l->items);
    free(l->resource_version);
    free(l);
}

static int parse_sa(const cJSON *item, struct kube_service_account *sa)
{
    struct meta m;
    int rc = read_meta(item, &m);
    if (rc <= 0)
        return rc;
    int oom = 0;
    sa->namespace = m.namespace;
    sa->name = m.name;
    sa->uid = m.uid;
    sa->created = m.created;
    sa->annotations = m.annotations;
    sa->annotation_count = m.annotation_count;
    sa->role_arn = dup_or_null(annotation(m.annotations, m.annotation_count,
                                          "eks.amazonaws.com/role-arn"),
                               &oom);
    return oom ? -1 : 1;
}

/* spec.rules[].host joined by ','; rules without a host are skipped. */
static char *join_hosts(const cJSON *spec, int *oom)
{
    const cJSON *rule;
    struct buf b;
    buf_init(&b, 1u << 20);
    cJSON_ArrayForEach(rule, member(spec, "rules")) {
        const char *host = cJSON_GetStringValue(member(rule, "host"));
        if (!host || !*host || strlen(host) > MAX_NAME)
            continue;
        if ((b.len && buf_putc(&b, ',') < 0) || buf_puts(&b, host) < 0)
            break;  /* past 1 MiB of hosts: keep those that fit */
    }
    if (!b.data)
        return NULL;
    char *s = buf_take(&b);
    if (!s)
        *oom = 1;
    return s;
}

static char *lb_address(const cJSON *item, int *oom)
{
    const cJSON *lb = member(member(item, "status"), "loadBalancer");
    const cJSON *first = cJSON_GetArrayItem(member(lb, "ingress"), 0);
    char *s = copy_member(first, "hostname", MAX_NAME, oom);
    return s ? s : copy_member(first, "ip", 64, oom);
}

static int parse_ingress(const cJSON *item, struct kube_ingress *in)
{
    struct meta m;
    int rc = read_meta(item, &m);
    if (rc <= 0)
        return rc;
    int oom = 0;
    const cJSON *spec = member(item, "spec");
    in->namespace = m.namespace;
    in->name = m.name;
    in->created = m.created;
    in->annotations = m.annotations;
    in->annotation_count = m.annotation_count;
    free(m.uid);
    in->class_name = copy_member(spec, "ingressClassName", MAX_NAME, &oom);
    if (!in->class_name)
        in->class_name = dup_or_null(annotation(m.annotations,
                                                m.annotation_count,
                                                "kubernetes.io/ingress.class"),
                                     &oom);
    in->group_name = dup_or_null(annotation(m.annotations, m.annotation_count,
                                            "alb.ingress.kubernetes.io/"
                                            "group.name"), &oom);
    in->hosts = join_hosts(spec, &oom);
    in->address = lb_address(item, &oom);
    return oom ? -1 : 1;
}

/* Sets *rv to the list's metadata.resourceVersion unless the first
 * page set it already: later pages carry the same snapshot's. */
static int read_list_version(const cJSON *root, char **rv)
{
    int oom = 0;
    if (!*rv)
        *rv = copy_member(member(root, "metadata"), "resourceVersion",
                          KUBE_MAX_RESOURCE_VERSION, &oom);
    return oom ? -1 : 0;
}

/*
 * Shared part of both page parsers: checks the list object, grows the
 * item array by the page's length, and reads metadata.continue. Sets
 * *arr_out to the items (NULL when there are none) and returns 0, or
 * returns -1 with err set.
 */
static int page_items(const cJSON *root, size_t have, size_t size,
                      void **items, const cJSON **arr_out, char **next,
                      struct api_error *err)
{
    const cJSON *arr = member(root, "items");
    *arr_out = NULL;
    if (!cJSON_IsObject(root) || (arr && !cJSON_IsNull(arr) &&
                                  !cJSON_IsArray(arr))) {
        api_error_set(err, "InvalidReply", "the reply is not a Kubernetes "
                      "list: %s", cJSON_IsObject(root) ?
                      "items is not an array" : "not a JSON object");
        return -1;
    }
    size_t n = (size_t)cJSON_GetArraySize(arr);
    if (n > KUBE_MAX_ITEMS || have > KUBE_MAX_ITEMS - n) {
        api_error_set(err, "TooManyItems", "the list has more than %d "
                      "items; choose a namespace", KUBE_MAX_ITEMS);
        return -1;
    }
    void *grown = realloc(*items, (have + n + 1) * size);
    if (!grown) {
        api_error_set(err, "OutOfMemory", "out of memory");
        return -1;
    }
    *items = grown;
    int oom = 0;
    *next = copy_member(member(root, "metadata"), "continue", 64u << 10,
                        &oom);
    if (*next && !**next) {
        free(*next);
        *next = NULL;
    }
    if (oom) {
        api_error_set(err, "OutOfMemory", "out of memory");
        return -1;
    }
    *arr_out = arr;     /* NULL or JSON null: a page without items */
    return 0;
}

static int parse_failed(cJSON *root, char **next, struct api_error *err)
{
    cJSON_Delete(root);
    free(*next);
    *next = NULL;
    api_error_set(err, "OutOfMemory", "out of memory");
    return -1;
}

/* How to parse and free one item of a list page, for parse_list_page. */
struct page_kind {
    size_t size;
    int (*parse)(const cJSON *item, void *out); /* 1 kept, 0 skipped */
    void (*free)(void *item);
};

/* Appends the items of one page to *items, growing it, and sets *next to
 * the continue token or NULL. Returns 0, or -1 with err set. */
static int parse_list_page(const char *json, size_t len,
                           const struct page_kind *kind, void **items,
                           size_t *count, char **rv, char **next,
                           struct api_error *err)
{
    cJSON *root = cJSON_ParseWithLength(json, len);
    const cJSON *arr, *item;
    *next = NULL;
    memset(err, 0, sizeof(*err));
    if (page_items(root, *count, kind->size, items, &arr, next, err) < 0) {
        cJSON_Delete(root);
        return -1;
    }
    if (read_list_version(root, rv) < 0)
        return parse_failed(root, next, err);
    cJSON_ArrayForEach(item, arr) {
        void *out = (char *)*items + *count * kind->size;
        memset(out, 0, kind->size);
        int rc = kind->parse(item, out);
        if (rc < 0) {
            kind->free(out);
            return parse_failed(root, next, err);
        }
        *count += (size_t)rc;
    }
    cJSON_Delete(root);
    return 0;
}

static int parse_sa_item(const cJSON *item, void *out)
{
    return parse_sa(item, out);
}

static void free_sa_item(void *item)
{
    sa_free(item);
}

static int parse_ingress_item(const cJSON *item, void *out)
{
    return parse_ingress(item, out);
}

static void free_ingress_item(void *item)
{
    ingress_free(item);
}

int kube_parse_sa_page(const char *json, size_t len, struct kube_sa_list *l,
                       char **next, struct api_error *err)
{
    static const struct page_kind kind = {
        .size = sizeof(struct kube_service_account),
        .parse = parse_sa_item,
        .free = free_sa_item,
    };
    return parse_list_page(json, len, &kind, (void **)&l->items, &l->count,
                           &l->resource_version, next, err);
}

int kube_parse_ingress_page(const char *json, size_t len,
                            struct kube_ingress_list *l, char **next,
                            struct api_error *err)
{
    static const struct page_kind kind = {
        .size = sizeof(struct kube_ingress),
        .parse = parse_ingress_item,
        .free = free_ingress_item,
    };
    return parse_list_page(json, len, &kind, (void **)&l->items, &l->count,
                           &l->resource_version, next, err);
}

int kube_service_account_from_json(const struct cJSON *item,
                                   struct kube_service_account *sa)
{
    memset(sa, 0, sizeof(*sa));
    return parse_sa(item, sa);
}

int kube_ingress_from_json(const struct cJSON *item, struct kube_ingress *in)
{
    memset(in, 0, sizeof(*in));
    return parse_ingress(item, in);
}

void kube_service_account_cleanup(struct kube_service_account *sa)
{
    sa_free(sa);
    memset(sa, 0, sizeof(*sa));
}

void kube_ingress_cleanup(struct kube_ingress *in)
{
    ingress_free(in);
    memset(in, 0, sizeof(*in));
}
