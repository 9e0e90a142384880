/*
 * Parsing the Kubernetes objects around an ingress. Strings longer than
 * a Kubernetes name are dropped (NULL) except event messages, which are
 * cut at KUBE_MAX_MESSAGE. The JSON tree is freed page by page.
 */
#include "kube_objects.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "creds.h"

#define MAX_NAME 253
#define MAX_TEXT 1024           /* hosts, reasons, ports, ... */
#define MAX_ITEMS 100000
#define MAX_BACKENDS 1000
#define MAX_PORTS 256

/* Shared state of one page: the out-of-memory flag every copy sets. */
struct reader {
    int oom;
};

/* ---- freeing ---- */

static void free_annotations(struct kube_annotation *a, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(a[i].key);
        free(a[i].value);
    }
    free(a);
}

static void free_ingress(struct kube_ingress_info *in)
{
    free(in->namespace);
    free(in->name);
    free(in->uid);
    free(in->created);
    free(in->class_name);
    free(in->hosts);
    free(in->address);
    free_annotations(in->annotations, in->annotation_count);
    for (size_t i = 0; i < in->backend_count; i++) {
        free(in->backends[i].service);
        free(in->backends[i].port);
    }
    free(in->backends);
}

static void free_event(struct kube_event *e)
{
    char *fields[] = {e->namespace, e->kind, e->object, e->type, e->reason,
                      e->message, e->source};
    for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
        free(fields[i]);
}

static void free_service(struct kube_service *s)
{
    free(s->namespace);
    free(s->name);
    free(s->type);
    for (size_t i = 0; i < s->port_count; i++) {
        free(s->ports[i].name);
        free(s->ports[i].target_port);
    }
    free(s->ports);
}

static void free_endpoints(struct kube_endpoints *e)
{
    free(e->namespace);
    free(e->name);
    for (size_t i = 0; i < e->address_count; i++) {
        free(e->addresses[i].ip);
        free(e->addresses[i].pod);
    }
    free(e->addresses);
}

static void free_pod(struct kube_pod *p)
{
    char *fields[] = {p->namespace, p->name, p->phase, p->node, p->ip,
                      p->waiting_reason};
    for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
        free(fields[i]);
}

void kube_objects_free(struct kube_objects *o)
{
    if (!o)
        return;
    for (size_t i = 0; i < o->ingress_count; i++)
        free_ingress(&o->ingresses[i]);
    free(o->ingresses);
    for (size_t i = 0; i < o->event_count; i++)
        free_event(&o->events[i]);
    free(o->events);
    for (size_t i = 0; i < o->service_count; i++)
        free_service(&o->services[i]);
    free(o->services);
    for (size_t i = 0; i < o->endpoints_count; i++)
        free_endpoints(&o->endpoints[i]);
    free(o->endpoints);
    for (size_t i = 0; i < o->pod_count; i++)
        free_pod(&o->pods[i]);
    free(o->pods);
    for (size_t i = 0; i < o->class_count; i++) {
        free(o->classes[i].name);
        free(o->classes[i].controller);
        free(o->classes[i].params_kind);
        free(o->classes[i].params_name);
    }
    free(o->classes);
    for (size_t i = 0; i < o->params_count; i++) {
        free(o->params[i].name);
        free(o->params[i].scheme);
        free(o->params[i].group);
    }
    free(o->params);
    free(o);
}

/* ---- small readers ---- */

static void *push(struct reader *r, void *items, size_t *count, size_t elem,
                  size_t max)
{
    void **p = items;
    if (*count >= max)
        return NULL;
    char *grown = realloc(*p, (*count + 1) * elem);
    if (!grown) {
        r->oom = 1;
        return NULL;
    }
    *p = grown;
    memset(grown + *count * elem, 0, elem);
    return grown + (*count)++ * elem;
}

static const cJSON *at(const cJSON *obj, const char *name)
{
    return cJSON_IsObject(obj) ?
           cJSON_GetObjectItemCaseSensitive(obj, name) : NULL;
}

static char *copy(struct reader *r, const char *s, size_t max)
{
    if (!s || strlen(s) > max)
        return NULL;
    char *c = strdup(s);
    if (!c)
        r->oom = 1;
    return c;
}

static char *str(struct reader *r, const cJSON *obj, const char *name,
                 size_t max)
{
    return copy(r, cJSON_GetStringValue(at(obj, name)), max);
}

static int integer(const cJSON *obj, const char *name)
{
    const cJSON *v = at(obj, name);
    if (!cJSON_IsNumber(v) || v->valuedouble < 0 || v->valuedouble > 1e9)
        return 0;
    return (int)v->valuedouble;
}

/* A port that is a number or a name, as text. */
static char *port_text(struct reader *r, const cJSON *v)
{
    char buf[24];
    if (cJSON_IsNumber(v) && v->valuedouble >= 0 && v->valuedouble < 1e6) {
        snprintf(buf, sizeof(buf), "%d", (int)v->valuedouble);
        return copy(r, buf, sizeof(buf));
    }
    return copy(r, cJSON_GetStringValue(v), MAX_NAME);
}

static const char *annotation(const struct kube_annotation *a, size_t n,
                              const char *key)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(a[i].key, key) == 0)
            return a[i].value;
    return NULL;
}

static void read_annotations(struct reader *r, const cJSON *meta,
                             struct kube_annotation **out, size_t *count)
{
    const cJSON *a;
    cJSON_ArrayForEach(a, at(meta, "annotations")) {
        if (!cJSON_IsString(a) || !a->string || strlen(a->string) > 317)
            continue;
        struct kube_annotation *kv = push(r, out, count, sizeof(**out),
                                          KUBE_MAX_ANNOTATIONS);
        if (!kv)
            return;
        kv->key = copy(r, a->string, 317);
        kv->value = copy(r, a->valuestring, 262144);
        if (!kv->value)   /* longer than Kubernetes allows: keep it empty */
            kv->value = copy(r, "", 1);
    }
}

/* ---- ingresses ---- */

static void add_backend(struct reader *r, struct kube_ingress_info *in,
                        const cJSON *backend)
{
    const cJSON *service = at(backend, "service");
    const cJSON *port = at(service, "port");
    char *name = str(r, service, "name", MAX_NAME);
    char *p = port_text(r, at(port, "number"));
    if (!p)
        p = str(r, port, "name", MAX_NAME);
    for (size_t i = 0; name && i < in->backend_count; i++) {
        const struct kube_backend *b = &in->backends[i];
        if (strcmp(b->service, name) == 0 &&
            strcmp(b->port ? b->port : "", p ? p : "") == 0) {
            free(name);
            name = NULL;    /* already listed */
        }
    }
    struct kube_backend *b = name ? push(r, &in->backends, &in->backend_count,
                                         sizeof(*b), MAX_BACKENDS) : NULL;
    if (!b) {
        free(name);
        free(p);
        return;
    }
    b->service = name;
    b->port = p;
}

static void read_rules(struct reader *r, struct kube_ingress_info *in,
                       const cJSON *spec)
{
    char hosts[MAX_TEXT] = "";
    size_t used = 0;
    const cJSON *rule, *path;
    add_backend(r, in, at(spec, "defaultBackend"));
    cJSON_ArrayForEach(rule, at(spec, "rules")) {
        const char *host = cJSON_GetStringValue(at(rule, "host"));
        if (host && used + strlen(host) + 2 < sizeof(hosts))
            used += (size_t)snprintf(hosts + used, sizeof(hosts) - used,
                                     "%s%s", used ? "," : "", host);
        cJSON_ArrayForEach(path, at(at(rule, "http"), "paths"))
            add_backend(r, in, at(path, "backend"));
    }
    in->hosts = used ? copy(r, hosts, sizeof(hosts)) : NULL;
}

static void read_ingress(struct reader *r, const cJSON *item,
                         struct kube_ingress_info *in)
{
    const cJSON *meta = at(item, "metadata");
    const cJSON *spec = at(item, "spec");
    const cJSON *lbs = at(at(at(item, "status"), "loadBalancer"), "ingress");
    in->namespace = str(r, meta, "namespace", MAX_NAME);
    in->uid = str(r, meta, "uid", MAX_NAME);
    in->created = str(r, meta, "creationTimestamp", 64);
    read_annotations(r, meta, &in->annotations, &in->annotation_count);
    const char *legacy = annotation(in->annotations, in->annotation_count,
                                    "kubernetes.io/ingress.class");
    in->class_name = legacy ? copy(r, legacy, MAX_NAME)
                            : str(r, spec, "ingressClassName", MAX_NAME);
    in->address = str(r, cJSON_GetArrayItem(lbs, 0), "hostname", MAX_TEXT);
    read_rules(r, in, spec);
}

/* ---- events ---- */

static time_t event_time(const cJSON *item)
{
    const char *candidates[] = {
        cJSON_GetStringValue(at(at(item, "series"), "lastObservedTime")),
        cJSON_GetStringValue(at(item, "lastTimestamp")),
        cJSON_GetStringValue(at(item, "eventTime")),
        cJSON_GetStringValue(at(item, "firstTimestamp")),
        cJSON_GetStringValue(at(at(item, "metadata"), "creationTimestamp")),
    };
    for (size_t i = 0; i < sizeof(candidates) / sizeof(candidates[0]); i++) {
        time_t t;
        if (candidates[i] && creds_parse_time(candidates[i], &t) == 0)
            return t;
    }
    return 0;
}

static void read_event(struct reader *r, const cJSON *item,
                       struct kube_event *e)
{
    const cJSON *involved = at(item, "involvedObject");
    const char *message = cJSON_GetStringValue(at(item, "message"));
    e->namespace = str(r, at(item, "metadata"), "namespace", MAX_NAME);
    e->kind = str(r, involved, "kind", MAX_NAME);
    e->object = str(r, involved, "name", MAX_NAME);
    e->type = str(r, item, "type", MAX_NAME);
    e->reason = str(r, item, "reason", MAX_TEXT);
    if (message) {
        e->message = strndup(message, KUBE_MAX_MESSAGE);
        r->oom |= !e->message;
    }
    e->source = str(r, at(item, "source"), "component", MAX_NAME);
    if (!e->source)
        e->source = str(r, item, "reportingComponent", MAX_NAME);
    e->count = integer(item, "count");
    e->last_seen = event_time(item);
}

/* ---- services, endpoints, pods ---- */

static void read_service(struct reader *r, const cJSON *item,
                         struct kube_service *s)
{
    const cJSON *spec = at(item, "spec"), *p;
    s->namespace = str(r, at(item, "metadata"), "namespace", MAX_NAME);
    s->type = str(r, spec, "type", MAX_NAME);
    cJSON_ArrayForEach(p, at(spec, "ports")) {
        struct kube_service_port *port = push(r, &s->ports, &s->port_count,
                                              sizeof(*port), MAX_PORTS);
        if (!port)
            return;
        port->name = str(r, p, "name", MAX_NAME);
        port->port = integer(p, "port");
        port->target_port = port_text(r, at(p, "targetPort"));
        port->node_port = integer(p, "nodePort");
    }
}

static void read_addresses(struct reader *r, const cJSON *list, int ready,
                           struct kube_endpoints *e)
{
    const cJSON *a;
    cJSON_ArrayForEach(a, list) {
        struct kube_address *addr = push(r, &e->addresses, &e->address_count,
                                         sizeof(*addr), MAX_ITEMS);
        if (!addr)
            return;
        const cJSON *ref = at(a, "targetRef");
        const char *kind = cJSON_GetStringValue(at(ref, "kind"));
        addr->ip = str(r, a, "ip", 64);
        addr->ready = ready;
        if (kind && strcmp(kind, "Pod") == 0)
            addr->pod = str(r, ref, "name", MAX_NAME);
    }
}

static void read_endpoints(struct reader *r, const cJSON *item,
                           struct kube_endpoints *e)
{
    const cJSON *subset;
    e->namespace = str(r, at(item, "metadata"), "namespace", MAX_NAME);
    cJSON_ArrayForEach(subset, at(item, "subsets"))
        read_addresses(r, at(subset, "addresses"), 1, e);
    cJSON_ArrayForEach(subset, at(item, "subsets"))
        read_addresses(r, at(subset, "notReadyAddresses"), 0, e);
}

static void read_containers(struct reader *r, const cJSON *status,
                            struct kube_pod *p)
{
    const cJSON *c;
    cJSON_ArrayForEach(c, at(status, "containerStatuses")) {
        p->restarts += integer(c, "restartCount");
        const cJSON *waiting = at(at(c, "state"), "waiting");
        if (!p->waiting_reason && waiting)
            p->waiting_reason = str(r, waiting, "reason", MAX_TEXT);
    }
}

static void read_pod(struct reader *r, const cJSON *item, struct kube_pod *p)
{
    const cJSON *status = at(item, "status"), *c;
    p->namespace = str(r, at(item, "metadata"), "namespace", MAX_NAME);
    p->phase = str(r, status, "phase", MAX_NAME);
    p->node = str(r, at(item, "spec"), "nodeName", MAX_NAME);
    p->ip = str(r, status, "podIP", 64);
    cJSON_ArrayForEach(c, at(status, "conditions")) {
        const char *type = cJSON_GetStringValue(at(c, "type"));
        const char *value = cJSON_GetStringValue(at(c, "status"));
        if (type && value && strcmp(type, "Ready") == 0)
            p->ready = strcmp(value, "True") == 0;
    }
    read_containers(r, status, p);
}

/* ---- classes ---- */

static void read_class(struct reader *r, const cJSON *item,
                       struct kube_ingress_class *c)
{
    const cJSON *spec = at(item, "spec");
    const cJSON *params = at(spec, "parameters");
    struct kube_annotation *a = NULL;
    size_t n = 0;
    read_annotations(r, at(item, "metadata"), &a, &n);
    const char *def = annotation(a, n,
                                 "ingressclass.kubernetes.io/is-default-class");
    c->is_default = def && strcmp(def, "true") == 0;
    free_annotations(a, n);
    c->controller = str(r, spec, "controller", MAX_NAME);
    c->params_kind = str(r, params, "kind", MAX_NAME);
    c->params_name = str(r, params, "name", MAX_NAME);
}

static void read_params(struct reader *r, const cJSON *item,
                        struct kube_class_params *p)
{
    const cJSON *spec = at(item, "spec");
    p->scheme = str(r, spec, "scheme", MAX_NAME);
    p->group = str(r, at(spec, "group"), "name", MAX_NAME);
}

/* ---- one page ---- */

/* Appends an item of kind named name (which it takes) to o. Events keep
 * the name of the object they are about, not their own. */
static void read_item(struct reader *r, enum kube_object_kind kind,
                      const cJSON *item, char *name, struct kube_objects *o)
{
    struct kube_ingress_info *in;
    struct kube_event *ev;
    struct kube_service *svc;
    struct kube_endpoints *ep;
    struct kube_pod *pod;
    struct kube_ingress_class *cls;
    struct kube_class_params *params;

    switch (kind) {
    case KUBE_INGRESS_INFO:
        in = push(r, &o->ingresses, &o->ingress_count, sizeof(*in),
                  MAX_ITEMS);
        if (in && (in->name = name))
            read_ingress(r, item, in);
        return;
    case KUBE_EVENTS:
        free(name);
        ev = push(r, &o->events, &o->event_count, sizeof(*ev), MAX_ITEMS);
        if (ev)
            read_event(r, item, ev);
        return;
    case KUBE_SERVICES:
        svc = push(r, &o->services, &o->service_count, sizeof(*svc),
                   MAX_ITEMS);
        if (svc && (svc->name = name))
            read_service(r, item, svc);
        return;
    case KUBE_ENDPOINTS:
        ep = push(r, &o->endpoints, &o->endpoints_count, sizeof(*ep),
                  MAX_ITEMS);
        if (ep && (ep->name = name))
            read_endpoints(r, item, ep);
        return;
    case KUBE_PODS:
        pod = push(r, &o->pods, &o->pod_count, sizeof(*pod), MAX_ITEMS);
        if (pod && (pod->name = name))
            read_pod(r, item, pod);
        return;
    case KUBE_INGRESS_CLASSES:
        cls = push(r, &o->classes, &o->class_count, sizeof(*cls), MAX_ITEMS);
        if (cls && (cls->name = name))
            read_class(r, item, cls);
        return;
    case KUBE_CLASS_PARAMS:
        params = push(r, &o->params, &o->params_count, sizeof(*params),
                      MAX_ITEMS);
        if (params && (params->name = name))
            read_params(r, item, params);
        return;
    }
}

int kube_parse_objects(enum kube_object_kind kind, const char *json,
                       size_t len, struct kube_objects *o, char **next,
                       struct api_error *err)
{
    struct reader r = {0};
    const cJSON *item;
    *next = NULL;
    cJSON *root = json ? cJSON_ParseWithLength(json, len) : NULL;
    const cJSON *items = at(root, "items");
    if (!cJSON_IsObject(root) || (items && !cJSON_IsArray(items))) {
        cJSON_Delete(root);
        api_error_set(err, "InvalidReply", "the list reply is not a JSON "
                      "object with an items array");
        return -1;
    }
    o->pages++;
    cJSON_ArrayForEach(item, items) {
        char *name = str(&r, at(item, "metadata"), "name", MAX_NAME);
        if (name)
            read_item(&r, kind, item, name, o);
    }
    char *token = str(&r, at(root, "metadata"), "continue", 65536);
    cJSON_Delete(root);
    if (token && !*token) {
        free(token);
        token = NULL;
    }
    if (r.oom) {
        free(token);
        api_error_set(err, "OutOfMemory", "out of memory while reading a "
                      "list");
        return -1;
    }
    *next = token;
    return 0;
}

/* ---- listing ---- */

struct objects_call {
    enum kube_object_kind kind;
    struct kube_objects *objects;
    kube_objects_fn done;
    void *ctx;
};

static int parse_page(const char *json, size_t len, void *list, char **next,
                      struct api_error *err)
{
    struct objects_call *call = list;
    return kube_parse_objects(call->kind, json, len, call->objects, next,
                              err);
}

static void on_list(void *list, const struct api_error *err, void *ctx)
{
    struct objects_call *call = list;
    struct kube_objects *o = call->objects;
    (void)ctx;
    if (err && call->kind == KUBE_CLASS_PARAMS && err->http_status == 404)
        err = NULL;     /* the CRD is not installed: there are none */
    if (err) {
        kube_objects_free(o);
        o = NULL;
    }
    call->done(o, err, call->ctx);
    free(call);
}

int kube_list_objects(struct kube_client *kc, enum kube_object_kind kind,
                      const char *namespace, const char *field_selector,
                      kube_objects_fn done, void *ctx)
{
    static const struct {
        const char *prefix, *resource;
        int cluster_wide;
    } paths[] = {
        [KUBE_INGRESS_INFO] = {"/apis/networking.k8s.io/v1", "ingresses", 0},
        [KUBE_EVENTS] = {"/api/v1", "events", 0},
        [KUBE_SERVICES] = {"/api/v1", "services", 0},
        [KUBE_ENDPOINTS] = {"/api/v1", "endpoints", 0},
        [KUBE_PODS] = {"/api/v1", "pods", 0},
        [KUBE_INGRESS_CLASSES] = {"/apis/networking.k8s.io/v1",
                                  "ingressclasses", 1},
        [KUBE_CLASS_PARAMS] = {"/apis/elbv2.k8s.aws/v1beta1",
                               "ingressclassparams", 1},
    };
    struct objects_call *call = calloc(1, sizeof(*call));
    if (call)
        call->objects = calloc(1, sizeof(*call->objects));
    if (!call || !call->objects) {
        struct api_error err = {0};
        api_error_set(&err, "OutOfMemory", "out of memory");
        free(call);
        done(NULL, &err, ctx);
        return -1;
    }
    call->kind = kind;
    call->done = done;
    call->ctx = ctx;
    return kube_list(kc, paths[kind].prefix,
                     paths[kind].cluster_wide ? NULL : namespace,
                     paths[kind].resource, field_selector, parse_page, call,
                     on_list, NULL);
}
