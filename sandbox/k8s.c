/*
 * The Kubernetes API of each world cluster, under /k8s/REGION/NAME. It
 * serves the discovery documents kubectl reads, and GET and watch of the
 * kinds in k8s_resources (namespaces, service accounts, ingresses,
 * services, endpoints, endpoint slices, pods, events, ingress classes
 * and IngressClassParams). Lists are cluster-wide or per namespace, with
 * limit/continue paging, label selectors and the field selectors each
 * kind supports.
 *
 * Every request needs an EKS bearer token for the cluster, as EKS's API
 * server does. Errors are Kubernetes Status objects.
 *
 * Writes (POST, PUT, PATCH, DELETE) go to k8s_write.c; watches see them,
 * deletions included, as they see the controller simulation's changes.
 *
 * Limits: no Table or protobuf output (kubectl falls back to JSON
 * lists); set-based label selectors (in, notin) are rejected with 400.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <cjson/cJSON.h>
#include <openssl/evp.h>

#include "../api/base64.h"
#include "controller.h"
#include "fault.h"
#include "k8s_object.h"
#include "k8s_openapi.h"
#include "k8s_reply.h"
#include "k8s_store.h"
#include "k8s_write.h"
#include "server.h"

#define PATH_PARTS_MAX  10
#define TOKEN_MAX       4096        /* the EKS authenticator's own limit */
#define CONTINUE_MAX    2048
#define CONTINUE_V      "albatross-sandbox/v1"
#define SELECTOR_MAX    16
#define JSON_TYPE       K8S_JSON_TYPE

/* A request under one cluster: the path after /k8s/REGION/NAME, split. */
struct call {
    struct world_cluster *cluster;
    const struct sb_request *req;
    struct sb_response *res;
    const char *parts[PATH_PARTS_MAX];
    size_t part_count;
};

struct selector_term {
    enum { SEL_EQ, SEL_NE, SEL_EXISTS, SEL_ABSENT } op;
    char *key;
    char *value;
};

/* One term of a field selector: key=value, key==value or key!=value. */
struct field_term {
    const char *key;
    const char *value;
    int negate;
};

struct selector {
    char *copy;     /* owns the strings the terms point into */
    struct selector_term terms[SELECTOR_MAX];
    size_t count;
    struct field_term fields[SELECTOR_MAX];
    size_t field_count;
    char *field_copy;
};

/* ---- replies ---------------------------------------------------------- */

#define send_json   k8s_send_json
#define send_status k8s_send_status

static void send_not_found(struct sb_response *res)
{
    send_status(res, 404, "NotFound",
                "the server could not find the requested resource");
}

/* ---- discovery -------------------------------------------------------- */

static cJSON *string_array(const char *const *items, size_t count)
{
    cJSON *array = cJSON_CreateArray();

    for (size_t i = 0; i < count; i++)
        cJSON_AddItemToArray(array, cJSON_CreateString(items[i]));
    return array;
}

static void serve_resource_list(struct call *k, const char *group_version)
{
    cJSON *doc = cJSON_CreateObject();
    cJSON *list;

    cJSON_AddStringToObject(doc, "kind", "APIResourceList");
    cJSON_AddStringToObject(doc, "apiVersion", "v1");
    cJSON_AddStringToObject(doc, "groupVersion", group_version);
    list = cJSON_AddArrayToObject(doc, "resources");
    for (size_t i = 0; i < k8s_resource_count; i++)
        if (strcmp(k8s_resources[i]->group_version, group_version) == 0)
            cJSON_AddItemToArray(list, k8s_resource_json(k->cluster,
                                                         k8s_resources[i]));
    k8s_store_add_resources(k->cluster, group_version, list);
    send_json(k->res, 200, doc);
}

/* The API groups besides the core group, each with one version. */
static const struct api_group {
    const char *name;
    const char *version;
    const char *group_version;
} groups[] = {
    { K8S_NETWORKING, "v1", K8S_NETWORKING_V1 },
    { "discovery.k8s.io", "v1", K8S_DISCOVERY_V1 },
    { "events.k8s.io", "v1", K8S_EVENTS_V1 },
    { "elbv2.k8s.aws", "v1beta1", K8S_ELBV2_V1BETA1 },
};

#define GROUP_COUNT (sizeof(groups) / sizeof(groups[0]))

/* The group called name: one of the table's, or one of the store's
 * filled into *stored. */
static const struct api_group *find_group(struct call *k, const char *name,
                                          struct api_group *stored)
{
    for (size_t i = 0; i < GROUP_COUNT; i++)
        if (strcmp(groups[i].name, name) == 0)
            return &groups[i];
    stored->group_version = k8s_store_group_version(k->cluster, name);
    if (!stored->group_version)
        return NULL;
    stored->name = name;
    stored->version = strchr(stored->group_version, '/') + 1;
    return stored;
}

static cJSON *group_json(const struct api_group *g)
{
    cJSON *group = cJSON_CreateObject();
    cJSON *version = cJSON_CreateObject();

    cJSON_AddStringToObject(version, "groupVersion", g->group_version);
    cJSON_AddStringToObject(version, "version", g->version);
    cJSON_AddStringToObject(group, "name", g->name);
    cJSON_AddItemToArray(cJSON_AddArrayToObject(group, "versions"),
                         cJSON_Duplicate(version, 1));
    cJSON_AddItemToObject(group, "preferredVersion", version);
    return group;
}

static void serve_group(struct call *k, const struct api_group *g)
{
    cJSON *doc = group_json(g);

    cJSON_AddStringToObject(doc, "kind", "APIGroup");
    cJSON_AddStringToObject(doc, "apiVersion", "v1");
    send_json(k->res, 200, doc);
}

static void serve_group_list(struct call *k)
{
    cJSON *doc = cJSON_CreateObject();
    const char *names[GROUP_COUNT + 1];
    cJSON *list;

    cJSON_AddStringToObject(doc, "kind", "APIGroupList");
    cJSON_AddStringToObject(doc, "apiVersion", "v1");
    list = cJSON_AddArrayToObject(doc, "groups");
    for (size_t i = 0; i < GROUP_COUNT; i++) {
        cJSON_AddItemToArray(list, group_json(&groups[i]));
        names[i] = groups[i].name;
    }
    names[GROUP_COUNT] = NULL;
    k8s_store_add_groups(k->cluster, list, names);
    send_json(k->res, 200, doc);
}

static void serve_versions(struct call *k)
{
    static const char *const v1[] = { "v1" };
    cJSON *doc = cJSON_CreateObject();

    cJSON_AddStringToObject(doc, "kind", "APIVersions");
    cJSON_AddItemToObject(doc, "versions", string_array(v1, 1));
    cJSON_AddArrayToObject(doc, "serverAddressByClientCIDRs");
    send_json(k->res, 200, doc);
}

static void serve_version(struct call *k)
{
    const char *version = k->cluster->version ? k->cluster->version : "1.29";
    const char *dot = strchr(version, '.');
    cJSON *doc = cJSON_CreateObject();
    char major[16], git[64];

    snprintf(major, sizeof(major), "%.*s",
             dot ? (int)(dot - version) : (int)strlen(version), version);
    snprintf(git, sizeof(git), "v%s.0-eks-sandbox", version);
    cJSON_AddStringToObject(doc, "major", major);
    cJSON_AddStringToObject(doc, "minor", dot ? dot + 1 : "0");
    cJSON_AddStringToObject(doc, "gitVersion", git);
    cJSON_AddStringToObject(doc, "platform", "linux/amd64");
    send_json(k->res, 200, doc);
}

static void serve_root(struct call *k)
{
    static const char *const paths[] = {
        "/api", "/api/v1", "/apis", "/apis/" K8S_NETWORKING,
        "/apis/" K8S_NETWORKING_V1, "/apis/discovery.k8s.io",
        "/apis/" K8S_DISCOVERY_V1, "/apis/events.k8s.io",
        "/apis/" K8S_EVENTS_V1, "/apis/elbv2.k8s.aws",
        "/apis/" K8S_ELBV2_V1BETA1, "/version",
    };
    cJSON *doc = cJSON_CreateObject();

    cJSON_AddItemToObject(doc, "paths",
                          string_array(paths, sizeof(paths) /
                                              sizeof(paths[0])));
    send_json(k->res, 200, doc);
}

/* ---- selectors -------------------------------------------------------- */

static int parse_term(char *text, struct selector_term *t)
{
    char *op;

    t->value = NULL;
    if ((op = strstr(text, "!="))) {
        t->op = SEL_NE;
        t->value = op + 2;
    } else if ((op = strstr(text, "=="))) {
        t->op = SEL_EQ;
        t->value = op + 2;
    } else if ((op = strchr(text, '='))) {
        t->op = SEL_EQ;
        t->value = op + 1;
    } else if (text[0] == '!') {
        t->op = SEL_ABSENT;
        text++;
    } else {
        t->op = SEL_EXISTS;
    }
    if (op)
        *op = '\0';
    t->key = text;
    /* Set-based terms ("in", "notin") and odd spacing are not supported. */
    return *t->key && !strpbrk(t->key, " ()!") &&
           (!t->value || !strpbrk(t->value, " ()=!")) ? 0 : -1;
}

static int parse_labels(struct selector *sel, const char *text)
{
    char *save = NULL, *term;

    if (!text || !*text)
        return 0;
    sel->copy = strdup(text);
    if (!sel->copy)
        return -1;
    for (term = strtok_r(sel->copy, ",", &save); term;
         term = strtok_r(NULL, ",", &save)) {
        if (sel->count == SELECTOR_MAX ||
            parse_term(term, &sel->terms[sel->count]) < 0)
            return -1;
        sel->count++;
    }
    return 0;
}

static int parse_fields(struct selector *sel, const char *text)
{
    char *save = NULL, *term;

    if (!text || !*text)
        return 0;
    sel->field_copy = strdup(text);
    if (!sel->field_copy)
        return -1;
    for (term = strtok_r(sel->field_copy, ",", &save); term;
         term = strtok_r(NULL, ",", &save)) {
        char *eq = strchr(term, '=');
        struct field_term *f = &sel->fields[sel->field_count];

        if (!eq || eq == term || sel->field_count == SELECTOR_MAX)
            return -1;
        f->negate = eq[-1] == '!';
        f->value = eq[1] == '=' ? eq + 2 : eq + 1;
        eq[-f->negate] = '\0';
        *eq = '\0';
        f->key = term;
        if (!*f->key)
            return -1;
        sel->field_count++;
    }
    return 0;
}

/* The first field key of sel that r cannot select on, or NULL. */
static const char *unsupported_field(const struct selector *sel,
                                     const struct k8s_resource *r)
{
    for (size_t i = 0; i < sel->field_count; i++) {
        const char *key = sel->fields[i].key;
        int known = strcmp(key, "metadata.name") == 0 ||
                    strcmp(key, "metadata.namespace") == 0;

        for (const char *const *f = r->fields; !known && f && *f; f++)
            known = strcmp(*f, key) == 0;
        if (!known)
            return key;
    }
    return NULL;
}

static void selector_cleanup(struct selector *sel)
{
    free(sel->copy);
    free(sel->field_copy);
}

static const char *label(const struct world_kv_list *labels, const char *key)
{
    for (size_t i = 0; labels && i < labels->count; i++)
        if (strcmp(labels->items[i].key, key) == 0)
            return labels->items[i].value ? labels->items[i].value : "";
    return NULL;
}

static int fields_match(const struct selector *sel,
                        const struct k8s_resource *r,
                        const struct world_cluster *c,
                        const struct k8s_entry *e)
{
    for (size_t i = 0; i < sel->field_count; i++) {
        const struct field_term *f = &sel->fields[i];
        const char *value;

        if (strcmp(f->key, "metadata.name") == 0)
            value = e->name;
        else if (strcmp(f->key, "metadata.namespace") == 0)
            value = e->ns;
        else
            value = r->field(c, e->index, f->key);
        if ((strcmp(value ? value : "", f->value) == 0) == f->negate)
            return 0;
    }
    return 1;
}

static int selector_matches(const struct selector *sel,
                            const struct k8s_resource *r,
                            const struct world_cluster *c,
                            const struct k8s_entry *e)
{
    const struct world_kv_list *labels = r->labels(c, e->index);

    if (!fields_match(sel, r, c, e))
        return 0;
    for (size_t i = 0; i < sel->count; i++) {
        const struct selector_term *t = &sel->terms[i];
        const char *value = label(labels, t->key);

        if ((t->op == SEL_EQ && (!value || strcmp(value, t->value))) ||
            (t->op == SEL_NE && value && !strcmp(value, t->value)) ||
            (t->op == SEL_EXISTS && !value) ||
            (t->op == SEL_ABSENT && value))
            return 0;
    }
    return 1;
}

/* ---- continue tokens -------------------------------------------------- */

/*
 * A continue token is unpadded base64url of {"v","rv","ns","name"}: the
 * list's resourceVersion and the key of the last object sent. The next
 * page starts after that key, so objects added or removed between pages
 * neither repeat nor shift the rest.
 */
static char *continue_encode(unsigned long rv, const struct k8s_entry *last)
{
    cJSON *doc = cJSON_CreateObject();
    char *json, *out = NULL;

    cJSON_AddStringToObject(doc, "v", CONTINUE_V);
    cJSON_AddNumberToObject(doc, "rv", (double)rv);
    cJSON_AddStringToObject(doc, "ns", last->ns);
    cJSON_AddStringToObject(doc, "name", last->name);
    json = cJSON_PrintUnformatted(doc);
    cJSON_Delete(doc);
    if (json && (out = malloc(4 * (strlen(json) + 2) / 3 + 4))) {
        int n = EVP_EncodeBlock((unsigned char *)out,
                                (unsigned char *)json, (int)strlen(json));

        while (n > 0 && out[n - 1] == '=')
            out[--n] = '\0';
        for (char *p = out; *p; p++) {
            if (*p == '+')
                *p = '-';
            else if (*p == '/')
                *p = '_';
        }
    }
    free(json);
    return out;
}

/* Decodes base64url into a NUL-terminated string, or NULL when in is
 * not base64url or decodes to bytes with a NUL among them. */
static char *base64url_text(const char *in)
{
    struct buf out;
    buf_init(&out, 0);
    if (base64url_decode(in, strlen(in), &out) < 0 || !out.data ||
        strlen(out.data) != out.len) {
        buf_cleanup(&out);
        return NULL;
    }
    return buf_take(&out);
}

/* Parses token into *rv and copies of the last key; returns 0 or -1. */
static int continue_decode(const char *token, unsigned long *rv,
                           char **ns, char **name)
{
    char *json = strlen(token) <= CONTINUE_MAX ? base64url_text(token)
                                                : NULL;
    cJSON *doc = json ? cJSON_Parse(json) : NULL;
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(doc, "v");
    const cJSON *r = cJSON_GetObjectItemCaseSensitive(doc, "rv");
    const cJSON *n = cJSON_GetObjectItemCaseSensitive(doc, "ns");
    const cJSON *m = cJSON_GetObjectItemCaseSensitive(doc, "name");
    int rc = -1;

    if (cJSON_IsString(v) && strcmp(v->valuestring, CONTINUE_V) == 0 &&
        cJSON_IsNumber(r) && r->valuedouble >= 0 && cJSON_IsString(n) &&
        cJSON_IsString(m)) {
        *rv = (unsigned long)r->valuedouble;
        *ns = strdup(n->valuestring);
        *name = strdup(m->valuestring);
        rc = *ns && *name ? 0 : -1;
        if (rc) {
            free(*ns);
            free(*name);
        }
    }
    cJSON_Delete(doc);
    free(json);
    return rc;
}

/* ---- lists ------------------------------------------------------------ */

static int compare_keys(const char *ns_a, const char *name_a,
                        const char *ns_b, const char *name_b)
{
    int c = strcmp(ns_a, ns_b);

    return c ? c : strcmp(name_a, name_b);
}

static int compare_entries(const void *a, const void *b)
{
    const struct k8s_entry *x = a, *y = b;

    return compare_keys(x->ns, x->name, y->ns, y->name);
}

/* The list's resourceVersion: the newest object's in the cluster. */
static unsigned long cluster_rv(const struct world_cluster *c)
{
    return c->resource_version > 1 ? c->resource_version : 1;
}

/* Entries of r in namespace ns (every namespace when NULL) that sel
 * matches, sorted by key; NULL with *count 0 when there are none. */
static struct k8s_entry *collect(const struct world_cluster *c,
                             const struct k8s_resource *r, const char *ns,
                             const struct selector *sel, size_t *count)
{
    size_t total = r->count(c), n = 0;
    struct k8s_entry *entries = total ? malloc(total * sizeof(*entries)) : NULL;

    for (size_t i = 0; entries && i < total; i++) {
        struct k8s_entry *e = &entries[n];

        r->key(c, i, e);
        e->index = i;
        if ((!ns || strcmp(e->ns, ns) == 0) &&
            selector_matches(sel, r, c, e))
            n++;
    }
    if (n)
        qsort(entries, n, sizeof(*entries), compare_entries);
    *count = n;
    return entries;
}

/* Index of the first entry after (ns, name), by binary search. */
static size_t first_after(const struct k8s_entry *entries, size_t count,
                          const char *ns, const char *name)
{
    size_t lo = 0, hi = count;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;

        if (compare_keys(entries[mid].ns, entries[mid].name, ns, name) <= 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

struct page {
    size_t start;
    size_t end;
    unsigned long rv;
};

/* Applies limit and continue to a sorted list; returns 0, or -1 after
 * sending the error. */
static int choose_page(struct call *k, const struct k8s_entry *entries,
                       size_t count, struct page *p)
{
    const char *limit = sb_query(k->req, "limit");
    const char *token = sb_query(k->req, "continue");
    unsigned long n = 0;
    char *end;

    p->start = 0;
    p->rv = cluster_rv(k->cluster);
    if (limit && *limit) {
        n = strtoul(limit, &end, 10);
        if (*end || limit[0] == '-') {
            send_status(k->res, 400, "BadRequest",
                        "invalid limit \"%.64s\": expected a non-negative "
                        "integer", limit);
            return -1;
        }
    }
    if (token && *token) {
        char *ns, *name;

        if (continue_decode(token, &p->rv, &ns, &name) < 0) {
            send_status(k->res, 410, "Expired",
                        "The provided continue parameter is too old to "
                        "display a consistent list result. You can start "
                        "a new list without the continue parameter.");
            return -1;
        }
        p->start = first_after(entries, count, ns, name);
        free(ns);
        free(name);
    }
    p->end = n && n < count - p->start ? p->start + n : count;
    return 0;
}

static void add_list_metadata(cJSON *doc, const struct k8s_entry *entries,
                              size_t count, const struct page *p)
{
    cJSON *meta = cJSON_AddObjectToObject(doc, "metadata");
    char rv[32];

    snprintf(rv, sizeof(rv), "%lu", p->rv);
    cJSON_AddStringToObject(meta, "resourceVersion", rv);
    if (p->end < count) {
        char *token = continue_encode(p->rv, &entries[p->end - 1]);

        if (token)
            cJSON_AddStringToObject(meta, "continue", token);
        free(token);
        cJSON_AddNumberToObject(meta, "remainingItemCount",
                                (double)(count - p->end));
    }
}

static void send_list(struct call *k, const struct k8s_resource *r,
                      const struct k8s_entry *entries, size_t count,
                      const struct page *p)
{
    cJSON *doc = cJSON_CreateObject();
    cJSON *items;
    char kind[64];

    snprintf(kind, sizeof(kind), "%sList", r->kind);
    cJSON_AddStringToObject(doc, "kind", kind);
    cJSON_AddStringToObject(doc, "apiVersion", r->group_version);
    add_list_metadata(doc, entries, count, p);
    items = cJSON_AddArrayToObject(doc, "items");
    for (size_t i = p->start; i < p->end; i++)
        cJSON_AddItemToArray(items, r->render(k->cluster, entries[i].index));
    send_json(k->res, 200, doc);
}

/* ---- watch ------------------------------------------------------------- */

/*
 * A watch of a list: first, unless resourceVersion names a version, every
 * object as ADDED; then each object whose resourceVersion passes the
 * newest sent, as MODIFIED when it was sent before and ADDED when not,
 * and each object deleted since as DELETED. The stream ends after timeoutSeconds
 * (WATCH_TIMEOUT by default) and sends a newline when it has been quiet
 * for WATCH_KEEPALIVE seconds, which JSON decoders skip and which keeps
 * the connection from timing out as idle.
 *
 * A resourceVersion older than the cluster's compaction point gets an
 * ERROR event with a 410 Expired Status in a 200 stream, as the API
 * server's watch cache replies. With allowWatchBookmarks=true, a change
 * of the cluster that sent no event to this watch sends a BOOKMARK with
 * the cluster's resourceVersion. The k8s faults watchEvents,
 * watchSeconds, watchCut and compact (fault.h) end streams early, inside
 * an event, and compact.
 *
 * A watch from a resourceVersion counts the objects whose version is not
 * newer as sent, so their later changes go as MODIFIED.
 * TODO: an object changed between that version and the watch's start is
 * sent as ADDED, since objects carry no creation resourceVersion to tell
 * a change from a creation.
 */
#define WATCH_TIMEOUT   1800
#define WATCH_KEEPALIVE 20

struct watch {
    struct sb_stream base;
    /* The cluster by name: clusters come and go (CloudFormation), and
     * their array moves, between calls of watch_next. */
    char *region;
    char *cluster_name;
    const struct k8s_resource *r;
    char *ns;                   /* NULL: every namespace */
    struct selector sel;
    unsigned long since;        /* newest resourceVersion sent */
    unsigned long cluster_rv;   /* the cluster's when last looked */
    int initial;                /* every object still to send as ADDED */
    int bookmarks;              /* allowWatchBookmarks=true */
    int started;                /* the faults are drawn */
    struct fault_watch faults;
    unsigned long events_sent;
    double deadline;            /* CLOCK_MONOTONIC seconds */
    double quiet_since;
    char **seen;                /* "ns/name" of objects sent */
    size_t seen_count;
};

static double monotonic(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Records key as sent; returns 1 when it was sent before. */
static int seen_before(struct watch *wt, const struct k8s_entry *e)
{
    char key[600];
    char **grown;

    snprintf(key, sizeof(key), "%s/%s", e->ns, e->name);
    for (size_t i = 0; i < wt->seen_count; i++)
        if (strcmp(wt->seen[i], key) == 0)
            return 1;
    grown = realloc(wt->seen, (wt->seen_count + 1) * sizeof(*grown));
    if (grown) {
        wt->seen = grown;
        if ((grown[wt->seen_count] = strdup(key)))
            wt->seen_count++;
    }
    return 0;
}

static unsigned long object_rv(const cJSON *obj)
{
    const cJSON *meta = cJSON_GetObjectItemCaseSensitive(obj, "metadata");
    const char *rv = cJSON_GetStringValue(
        cJSON_GetObjectItemCaseSensitive(meta, "resourceVersion"));

    return rv ? strtoul(rv, NULL, 10) : 0;
}

static void watch_line(cJSON *event, struct buf *out);

static void watch_event(struct watch *wt, const struct k8s_entry *e,
                        cJSON *obj, struct buf *out)
{
    cJSON *event = cJSON_CreateObject();

    cJSON_AddStringToObject(obj, "kind", wt->r->kind);
    cJSON_AddStringToObject(obj, "apiVersion", wt->r->group_version);
    cJSON_AddStringToObject(event, "type",
                            seen_before(wt, e) ? "MODIFIED" : "ADDED");
    cJSON_AddItemToObject(event, "object", obj);
    watch_line(event, out);
}

/* Appends event as one line and frees it. */
static void watch_line(cJSON *event, struct buf *out)
{
    char *text = cJSON_PrintUnformatted(event);

    cJSON_Delete(event);
    if (text) {
        buf_puts(out, text);
        buf_putc(out, '\n');
    }
    free(text);
}

/* Whether a deleted object passes the watch's field selector.
 * TODO: label selectors are not checked, so a watch with one is told
 * of every deletion of its kind and namespace. */
static int tombstone_matches(const struct watch *wt,
                             const struct k8s_tombstone *t)
{
    if (t->r != wt->r || t->rv <= wt->since ||
        (wt->ns && strcmp(t->ns, wt->ns) != 0))
        return 0;
    for (size_t i = 0; i < wt->sel.field_count; i++) {
        const struct field_term *f = &wt->sel.fields[i];
        const char *value = strcmp(f->key, "metadata.name") == 0 ? t->name
            : strcmp(f->key, "metadata.namespace") == 0 ? t->ns : NULL;

        if (value && (strcmp(value, f->value) == 0) == f->negate)
            return 0;
    }
    return 1;
}

/* Sends DELETED for objects deleted after the newest version sent, and
 * forgets them, so one created again is ADDED. Returns the newest
 * version sent. */
static unsigned long watch_deleted(struct watch *wt,
                                   const struct world_cluster *c,
                                   unsigned long newest,
                                   struct buf *out)
{
    for (size_t i = 0; i < k8s_tombstone_count(c); i++) {
        const struct k8s_tombstone *t = k8s_tombstone_at(c, i);
        cJSON *event;
        char *text, key[600];

        if (wt->initial || !tombstone_matches(wt, t))
            continue;
        snprintf(key, sizeof(key), "%s/%s", t->ns, t->name);
        for (size_t j = 0; j < wt->seen_count; j++)
            if (strcmp(wt->seen[j], key) == 0)
                wt->seen[j][0] = '\0';
        event = cJSON_CreateObject();
        cJSON_AddStringToObject(event, "type", "DELETED");
        cJSON_AddItemToObject(event, "object", cJSON_Duplicate(t->object, 1));
        text = cJSON_PrintUnformatted(event);
        cJSON_Delete(event);
        if (text) {
            buf_puts(out, text);
            buf_putc(out, '\n');
        }
        free(text);
        newest = t->rv > newest ? t->rv : newest;
    }
    return newest;
}

/* Cuts the last line of out in half (the watchCut fault), so the
 * stream ends inside an event. */
static void watch_cut(struct buf *out)
{
    size_t start = out->len - 1;    /* the line's '\n' */

    while (start > 0 && out->data[start - 1] != '\n')
        start--;
    out->len = start + (out->len - start) / 2;
    out->data[out->len] = '\0';
    fprintf(stderr, "albatross-sandbox: fault: k8s watch stream cut inside "
            "its last event\n");
}

/* The ERROR event of a watch from a compacted resourceVersion, with the
 * API server's words: "too old resource version: ASKED (OLDEST)". */
static void watch_expired(struct watch *wt, const struct world_cluster *c,
                          struct buf *out)
{
    cJSON *event = cJSON_CreateObject();
    cJSON *status = cJSON_AddObjectToObject(event, "object");
    char message[128];

    snprintf(message, sizeof(message), "too old resource version: %lu (%lu)",
             wt->since, c->compacted_version);
    cJSON_AddStringToObject(event, "type", "ERROR");
    cJSON_AddStringToObject(status, "kind", "Status");
    cJSON_AddStringToObject(status, "apiVersion", "v1");
    cJSON_AddItemToObject(status, "metadata", cJSON_CreateObject());
    cJSON_AddStringToObject(status, "status", "Failure");
    cJSON_AddStringToObject(status, "message", message);
    cJSON_AddStringToObject(status, "reason", "Expired");
    cJSON_AddNumberToObject(status, "code", 410);
    watch_line(event, out);
}

static void watch_bookmark(struct watch *wt, unsigned long rv,
                           struct buf *out)
{
    cJSON *event = cJSON_CreateObject();
    cJSON *obj = cJSON_AddObjectToObject(event, "object");
    cJSON *meta;
    char text[32];

    snprintf(text, sizeof(text), "%lu", rv);
    cJSON_AddStringToObject(event, "type", "BOOKMARK");
    cJSON_AddStringToObject(obj, "kind", wt->r->kind);
    cJSON_AddStringToObject(obj, "apiVersion", wt->r->group_version);
    meta = cJSON_AddObjectToObject(obj, "metadata");
    cJSON_AddStringToObject(meta, "resourceVersion", text);
    watch_line(event, out);
}

/* Records the objects at or before the watch's version as sent. */
static void watch_mark_existing(struct watch *wt,
                                const struct world_cluster *c)
{
    size_t count;
    struct k8s_entry *entries = collect(c, wt->r, wt->ns, &wt->sel, &count);

    for (size_t i = 0; i < count; i++) {
        cJSON *obj = wt->r->render(c, entries[i].index);

        if (object_rv(obj) <= wt->since)
            seen_before(wt, &entries[i]);
        cJSON_Delete(obj);
    }
    free(entries);
}

/* Draws the stream's faults and compacts when the compact fault is
 * drawn. Returns 0 after writing the ERROR event when the requested
 * version is too old. */
static int watch_begin(struct watch *wt, struct world *w,
                       struct world_cluster *c, struct buf *out)
{

    wt->started = 1;
    fault_watch(w->faults, &wt->faults);
    if (wt->faults.close_after_seconds &&
        monotonic() + (double)wt->faults.close_after_seconds < wt->deadline)
        wt->deadline = monotonic() + (double)wt->faults.close_after_seconds;
    if (wt->faults.compact && c->compacted_version < c->resource_version) {
        c->compacted_version = c->resource_version;
        fprintf(stderr, "albatross-sandbox: fault: k8s cluster %s compacted "
                "at resourceVersion %lu\n", c->name, c->compacted_version);
    }
    if (wt->initial)
        return 1;
    if (wt->since >= c->compacted_version) {
        watch_mark_existing(wt, c);
        return 1;
    }
    watch_expired(wt, c, out);
    return 0;
}

/* Whether the watchEvents fault ends the stream now. */
static int watch_spent(const struct watch *wt)
{
    return wt->faults.close_after_events &&
           wt->events_sent >= (unsigned long)wt->faults.close_after_events;
}

static int watch_next(struct sb_stream *s, struct world *w, struct buf *out)
{
    struct watch *wt = (struct watch *)s;
    unsigned long newest = wt->since;
    struct k8s_entry *entries;
    size_t count;
    double now = monotonic();

    if (controller_tick(w) < 0)
        return 0;
    struct world_cluster *c = world_cluster(w, wt->region, wt->cluster_name);
    if (!c)
        return 0;
    if (!wt->started && !watch_begin(wt, w, c, out))
        return 0;
    if (now >= wt->deadline || watch_spent(wt))
        return 0;
    if (!wt->initial && c->resource_version == wt->cluster_rv) {
        if (now - wt->quiet_since >= WATCH_KEEPALIVE) {
            buf_putc(out, '\n');
            wt->quiet_since = now;
        }
        return 1;
    }
    wt->cluster_rv = c->resource_version;
    newest = watch_deleted(wt, c, newest, out);
    entries = collect(c, wt->r, wt->ns, &wt->sel, &count);
    for (size_t i = 0; i < count && !watch_spent(wt); i++) {
        cJSON *obj = wt->r->render(c, entries[i].index);
        unsigned long rv = object_rv(obj);

        if (!wt->initial && rv <= wt->since) {
            cJSON_Delete(obj);
            continue;
        }
        newest = rv > newest ? rv : newest;
        watch_event(wt, &entries[i], obj, out);
        wt->events_sent++;
        if (wt->faults.cut_last && watch_spent(wt))
            watch_cut(out);
        wt->quiet_since = now;
    }
    free(entries);
    if (watch_spent(wt))
        return 0;
    /* Every object up to the cluster's version has been sent, so a
     * client may resume from there. */
    if (wt->bookmarks && wt->cluster_rv > newest) {
        newest = wt->cluster_rv;
        watch_bookmark(wt, newest, out);
        wt->quiet_since = now;
    }
    wt->since = newest;
    wt->initial = 0;
    return 1;
}

static void watch_free(struct sb_stream *s)
{
    struct watch *wt = (struct watch *)s;

    selector_cleanup(&wt->sel);
    for (size_t i = 0; i < wt->seen_count; i++)
        free(wt->seen[i]);
    free(wt->seen);
    free(wt->ns);
    free(wt->region);
    free(wt->cluster_name);
    free(wt);
}

static int watch_params(struct call *k, struct watch *wt)
{
    const char *rv = sb_query(k->req, "resourceVersion");
    const char *timeout = sb_query(k->req, "timeoutSeconds");
    const char *bookmarks = sb_query(k->req, "allowWatchBookmarks");
    char *end;
    long seconds = WATCH_TIMEOUT;

    if (timeout && *timeout) {
        seconds = strtol(timeout, &end, 10);
        if (*end || seconds < 0) {
            send_status(k->res, 400, "BadRequest", "invalid timeoutSeconds "
                        "\"%.32s\": expected a non-negative integer",
                        timeout);
            return -1;
        }
    }
    wt->deadline = monotonic() + (double)(seconds ? seconds : WATCH_TIMEOUT);
    wt->quiet_since = monotonic();
    wt->bookmarks = bookmarks && strcmp(bookmarks, "true") == 0;
    wt->initial = !rv || !*rv || strcmp(rv, "0") == 0;
    wt->since = wt->initial ? 0 : strtoul(rv, NULL, 10);
    return 0;
}

/* Replies with a stream of watch events, which takes over sel. */
static void serve_watch(struct call *k, const struct k8s_resource *r,
                        const char *ns, struct selector *sel)
{
    struct watch *wt = calloc(1, sizeof(*wt));

    if (!wt || (ns && !(wt->ns = strdup(ns))) ||
        !(wt->region = strdup(k->cluster->region)) ||
        !(wt->cluster_name = strdup(k->cluster->name))) {
        if (wt)
            watch_free(&wt->base);
        send_status(k->res, 500, "InternalError", "out of memory");
        return;
    }
    wt->base.next = watch_next;
    wt->base.free = watch_free;
    wt->r = r;
    wt->sel = *sel;
    memset(sel, 0, sizeof(*sel));
    if (watch_params(k, wt) < 0) {
        watch_free(&wt->base);
        return;
    }
    k->res->status = 200;
    k->res->content_type = JSON_TYPE;
    k->res->stream = &wt->base;
}

static int watch_requested(const struct call *k)
{
    const char *watch = sb_query(k->req, "watch");

    return watch && strcmp(watch, "false") != 0 && strcmp(watch, "0") != 0;
}

static void serve_list(struct call *k, const struct k8s_resource *r,
                       const char *ns)
{
    struct selector sel = { .copy = NULL };
    struct k8s_entry *entries = NULL;
    struct page page;
    size_t count;

    if (parse_labels(&sel, sb_query(k->req, "labelSelector")) < 0 ||
        parse_fields(&sel, sb_query(k->req, "fieldSelector")) < 0) {
        send_status(k->res, 400, "BadRequest", "unsupported selector: "
                    "the sandbox takes label selectors with =, ==, != and "
                    "existence, and field selectors with =, == and !=");
    } else if (unsupported_field(&sel, r)) {
        send_status(k->res, 400, "BadRequest", "field label not supported: "
                    "%.200s", unsupported_field(&sel, r));
    } else if (watch_requested(k)) {
        serve_watch(k, r, ns, &sel);
    } else {
        entries = collect(k->cluster, r, ns, &sel, &count);
        if (!entries && r->count(k->cluster))
            send_status(k->res, 500, "InternalError", "out of memory");
        else if (choose_page(k, entries, count, &page) == 0)
            send_list(k, r, entries, count, &page);
    }
    free(entries);
    selector_cleanup(&sel);
}

static void serve_object(struct call *k, const struct k8s_resource *r,
                         const char *ns, const char *name)
{
    size_t total = r->count(k->cluster);
    const char *slash;

    for (size_t i = 0; i < total; i++) {
        struct k8s_entry e;

        r->key(k->cluster, i, &e);
        if (strcmp(e.name, name) == 0 && strcmp(e.ns, ns ? ns : "") == 0) {
            cJSON *obj = r->render(k->cluster, i);

            cJSON_AddStringToObject(obj, "kind", r->kind);
            cJSON_AddStringToObject(obj, "apiVersion", r->group_version);
            send_json(k->res, 200, obj);
            return;
        }
    }
    /* The API server qualifies resources of named groups with the group:
     * clusterroles.rbac.authorization.k8s.io. */
    slash = strrchr(r->group_version, '/');
    send_status(k->res, 404, "NotFound", "%s%s%.*s \"%.200s\" not found",
                r->plural, slash ? "." : "",
                slash ? (int)(slash - r->group_version) : 0,
                r->group_version, name);
}

/*
 * Routes the parts after /api/v1 or /apis/GROUP/VERSION:
 *   RESOURCE | namespaces/NS | namespaces/NS/RESOURCE[/NAME]
 */
static void serve_resources(struct call *k, const char *group_version,
                            const char *const *parts, size_t count)
{
    const struct k8s_resource *r;

    if (count == 0) {
        serve_resource_list(k, group_version);
        return;
    }
    if (count == 2 && strcmp(parts[0], "namespaces") == 0 &&
        strcmp(group_version, "v1") == 0) {
        serve_object(k, k8s_resource_find("v1", "namespaces"), NULL, parts[1]);
        return;
    }
    if (count >= 3 && strcmp(parts[0], "namespaces") == 0) {
        r = k8s_cluster_resource(k->cluster, group_version, parts[2]);
        if (!r || !r->namespaced || count > 4)
            send_not_found(k->res);
        else if (count == 4)
            serve_object(k, r, parts[1], parts[3]);
        else
            serve_list(k, r, parts[1]);
        return;
    }
    r = k8s_cluster_resource(k->cluster, group_version, parts[0]);
    if (!r || count > 2 || (count == 2 && r->namespaced))
        send_not_found(k->res);
    else if (count == 2)
        serve_object(k, r, NULL, parts[1]);
    else
        serve_list(k, r, NULL);
}

static int part_is(const struct call *k, size_t i, const char *s)
{
    return k->part_count > i && strcmp(k->parts[i], s) == 0;
}

static void route(struct call *k)
{
    size_t n = k->part_count;
    const struct api_group *g;
    struct api_group stored;

    if (n == 0)
        serve_root(k);
    else if (n == 1 && part_is(k, 0, "version"))
        serve_version(k);
    else if (n == 1 && part_is(k, 0, "api"))
        serve_versions(k);
    else if (n == 1 && part_is(k, 0, "apis"))
        serve_group_list(k);
    else if (part_is(k, 0, "openapi"))
        k8s_openapi_serve(k->cluster, k->res, k->parts + 1, n - 1);
    else if (part_is(k, 0, "api") && part_is(k, 1, "v1"))
        serve_resources(k, "v1", k->parts + 2, n - 2);
    else if (n >= 2 && part_is(k, 0, "apis") &&
             (g = find_group(k, k->parts[1], &stored))) {
        if (n == 2)
            serve_group(k, g);
        else if (part_is(k, 2, g->version))
            serve_resources(k, g->group_version, k->parts + 3, n - 3);
        else
            send_not_found(k->res);
    } else {
        send_not_found(k->res);
    }
}

/* ---- entry ------------------------------------------------------------ */

/* Splits path (under /k8s/) into parts in copy; returns -1 when there
 * are too many. */
static int split_path(char *copy, const char **parts, size_t *count)
{
    char *save = NULL;

    *count = 0;
    for (char *p = strtok_r(copy, "/", &save); p;
         p = strtok_r(NULL, "/", &save)) {
        if (*count == PATH_PARTS_MAX)
            return -1;
        parts[(*count)++] = p;
    }
    return 0;
}

/* Returns 0 when the request carries a valid token for the cluster. */
static int authenticate(struct world *w, struct call *k)
{
    const char *value = sb_header(k->req, "Authorization");
    const struct world_credential *who = NULL;
    const char *reason = "no bearer token";

    if (value && strncasecmp(value, "Bearer ", 7) == 0) {
        const char *token = value + 7;

        reason = strlen(token) > TOKEN_MAX
            ? "token longer than 4096 bytes"
            : auth_verify_eks_token(w, token, k->cluster->name, k->req->now,
                                    &who);
        if (!reason)
            return 0;
    }
    fprintf(stderr, "albatross-sandbox: cluster %s: token rejected: %s\n",
            k->cluster->name, reason);
    send_status(k->res, 401, "Unauthorized", "Unauthorized");
    return -1;
}

static void serve_cluster(struct call *k)
{
    const struct sb_request *req = k->req;

    if (strcmp(req->method, "GET") != 0 && strcmp(req->method, "HEAD") != 0)
        k8s_write_serve(k->cluster, req, k->res, k->parts, k->part_count);
    else
        route(k);
}

void k8s_serve(struct world *w, const struct sb_request *req,
               struct sb_response *res)
{
    struct call k = { .req = req, .res = res };
    char *copy = strdup(req->path);
    const char *region, *name;

    /* parts: "k8s", REGION, NAME, then the Kubernetes path */
    if (!copy || split_path(copy, k.parts, &k.part_count) < 0 ||
        k.part_count < 3) {
        send_not_found(res);
        free(copy);
        return;
    }
    region = k.parts[1];
    name = k.parts[2];
    k.cluster = world_cluster(w, region, name);
    if (!k.cluster) {
        send_status(res, 404, "NotFound",
                    "cluster \"%.100s\" not found in region %.40s", name,
                    region);
    } else if (authenticate(w, &k) == 0) {
        memmove(k.parts, k.parts + 3, (k.part_count - 3) * sizeof(*k.parts));
        k.part_count -= 3;
        serve_cluster(&k);
    }
    free(copy);
}
