/*
 * Services, Endpoints, EndpointSlices (discovery.k8s.io/v1) and Pods in
 * the shape of the Kubernetes API. Endpoints and slices are derived as
 * the endpoint controllers derive them: the Running pods a service's
 * selector matches, ready or not, one Endpoints object and one slice per
 * service that has a selector.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "k8s_object.h"
#include "k8s_rollout.h"

/* ---- services ------------------------------------------------------------ */

static size_t svc_count(const struct world_cluster *c)
{
    return c->service_count;
}

static void svc_key(const struct world_cluster *c, size_t i,
                    struct k8s_entry *e)
{
    e->ns = c->services[i].namespace;
    e->name = c->services[i].name;
}

static const struct world_kv_list *svc_labels(const struct world_cluster *c,
                                              size_t i)
{
    return &c->services[i].labels;
}

/* targetPort is an integer in JSON when it is a number. */
static void add_int_or_string(cJSON *obj, const char *name, const char *v)
{
    char *end;
    long n = strtol(v, &end, 10);

    if (*v && !*end)
        cJSON_AddNumberToObject(obj, name, (double)n);
    else
        cJSON_AddStringToObject(obj, name, v);
}

static cJSON *svc_ports(const struct world_service *svc)
{
    cJSON *ports = cJSON_CreateArray();

    for (size_t i = 0; i < svc->port_count; i++) {
        const struct world_service_port *p = &svc->ports[i];
        cJSON *port = cJSON_CreateObject();

        k8s_add_string(port, "name", p->name);
        cJSON_AddStringToObject(port, "protocol", p->protocol);
        cJSON_AddNumberToObject(port, "port", p->port);
        add_int_or_string(port, "targetPort", p->target_port);
        if (p->node_port)
            cJSON_AddNumberToObject(port, "nodePort", p->node_port);
        cJSON_AddItemToArray(ports, port);
    }
    return ports;
}

static cJSON *svc_render(const struct world_cluster *c, size_t i)
{
    const struct world_service *svc = &c->services[i];
    cJSON *obj, *meta, *spec;

    /* A written service's document is kept in step with the struct. */
    if (svc->document)
        return cJSON_Parse(svc->document);
    obj = cJSON_CreateObject();
    meta = k8s_add_metadata(obj, svc->namespace, svc->name, svc->uid,
                            svc->resource_version, svc->created);

    k8s_add_map(meta, "labels", &svc->labels);
    k8s_add_map(meta, "annotations", &svc->annotations);
    spec = cJSON_AddObjectToObject(obj, "spec");
    cJSON_AddItemToObject(spec, "ports", svc_ports(svc));
    k8s_add_map(spec, "selector", &svc->selector);
    cJSON_AddStringToObject(spec, "clusterIP", svc->cluster_ip);
    cJSON_AddItemToArray(cJSON_AddArrayToObject(spec, "clusterIPs"),
                         cJSON_CreateString(svc->cluster_ip));
    cJSON_AddStringToObject(spec, "type", svc->type);
    cJSON_AddStringToObject(spec, "sessionAffinity", "None");
    if (strcmp(svc->type, "ClusterIP") != 0)
        cJSON_AddStringToObject(spec, "externalTrafficPolicy", "Cluster");
    cJSON_AddItemToArray(cJSON_AddArrayToObject(spec, "ipFamilies"),
                         cJSON_CreateString("IPv4"));
    cJSON_AddStringToObject(spec, "ipFamilyPolicy", "SingleStack");
    cJSON_AddStringToObject(spec, "internalTrafficPolicy", "Cluster");
    cJSON_AddObjectToObject(cJSON_AddObjectToObject(obj, "status"),
                            "loadBalancer");
    return obj;
}

const struct k8s_resource k8s_service_resource = {
    .group_version = "v1", .plural = "services", .singular = "service",
    .kind = "Service", .short_name = "svc", .namespaced = 1,
    .count = svc_count, .key = svc_key, .labels = svc_labels,
    .render = svc_render,
};

/* ---- endpoints ------------------------------------------------------------ */

static int selects(const struct world_service *svc,
                   const struct world_pod *pod)
{
    if (!svc->selector.count || strcmp(svc->namespace, pod->namespace) != 0 ||
        strcmp(pod->phase, "Running") != 0)
        return 0;
    for (size_t i = 0; i < svc->selector.count; i++) {
        const char *key = svc->selector.items[i].key;
        int found = 0;

        for (size_t j = 0; j < pod->labels.count && !found; j++)
            found = strcmp(pod->labels.items[j].key, key) == 0 &&
                    strcmp(pod->labels.items[j].value,
                           svc->selector.items[i].value) == 0;
        if (!found)
            return 0;
    }
    return 1;
}

static cJSON *target_ref(const struct world_pod *pod)
{
    cJSON *ref = cJSON_CreateObject();

    cJSON_AddStringToObject(ref, "kind", "Pod");
    cJSON_AddStringToObject(ref, "namespace", pod->namespace);
    cJSON_AddStringToObject(ref, "name", pod->name);
    cJSON_AddStringToObject(ref, "uid", pod->uid);
    return ref;
}

/* The pods' port for a service port: the target port when it is a
 * number, else the first pod's container port (80 when it names none). */
static int endpoint_port(const struct world_cluster *c,
                         const struct world_service *svc,
                         const struct world_service_port *p)
{
    char *end;
    long n = strtol(p->target_port, &end, 10);

    if (!*end)
        return (int)n;
    for (size_t i = 0; i < c->pod_count; i++)
        if (selects(svc, &c->pods[i]) && c->pods[i].container_port)
            return c->pods[i].container_port;
    return 80;
}

static cJSON *endpoint_ports(const struct world_cluster *c,
                             const struct world_service *svc)
{
    cJSON *ports = cJSON_CreateArray();

    for (size_t i = 0; i < svc->port_count; i++) {
        cJSON *port = cJSON_CreateObject();

        k8s_add_string(port, "name", svc->ports[i].name);
        cJSON_AddNumberToObject(port, "port",
                                endpoint_port(c, svc, &svc->ports[i]));
        cJSON_AddStringToObject(port, "protocol", svc->ports[i].protocol);
        cJSON_AddItemToArray(ports, port);
    }
    return ports;
}

static cJSON *ep_render(const struct world_cluster *c, size_t i)
{
    const struct world_service *svc = &c->services[i];
    cJSON *obj = cJSON_CreateObject();
    cJSON *meta = k8s_add_metadata(obj, svc->namespace, svc->name, svc->uid,
                                   svc->resource_version, svc->created);
    cJSON *subset = cJSON_CreateObject();
    cJSON *ready = cJSON_CreateArray(), *not_ready = cJSON_CreateArray();

    k8s_add_map(meta, "labels", &svc->labels);
    for (size_t j = 0; j < c->pod_count; j++) {
        const struct world_pod *pod = &c->pods[j];
        cJSON *address;

        if (!selects(svc, pod))
            continue;
        address = cJSON_CreateObject();
        cJSON_AddStringToObject(address, "ip", pod->ip);
        k8s_add_string(address, "nodeName", pod->node);
        cJSON_AddItemToObject(address, "targetRef", target_ref(pod));
        cJSON_AddItemToArray(pod->ready ? ready : not_ready, address);
    }
    cJSON_AddItemToObject(subset, "addresses", ready);
    cJSON_AddItemToObject(subset, "notReadyAddresses", not_ready);
    cJSON_AddItemToObject(subset, "ports", endpoint_ports(c, svc));
    if (cJSON_GetArraySize(ready) || cJSON_GetArraySize(not_ready))
        cJSON_AddItemToArray(cJSON_AddArrayToObject(obj, "subsets"), subset);
    else
        cJSON_Delete(subset);
    return obj;
}

const struct k8s_resource k8s_endpoints_resource = {
    .group_version = "v1", .plural = "endpoints", .singular = "endpoints",
    .kind = "Endpoints", .short_name = "ep", .namespaced = 1,
    .count = svc_count, .key = svc_key, .labels = svc_labels,
    .render = ep_render,
};

/* ---- endpoint slices -------------------------------------------------------- */

static void slice_key(const struct world_cluster *c, size_t i,
                      struct k8s_entry *e)
{
    e->ns = c->services[i].namespace;
    e->name = c->services[i].slice_name;
}

static const struct world_kv_list *slice_labels(const struct world_cluster *c,
                                                size_t i)
{
    return &c->services[i].slice_labels;
}

static const char *node_zone(const struct world_cluster *c, const char *name)
{
    for (size_t i = 0; name && i < c->node_count; i++)
        if (strcmp(c->nodes[i].name, name) == 0)
            return c->nodes[i].az;
    return NULL;
}

static cJSON *slice_endpoint(const struct world_cluster *c,
                             const struct world_pod *pod)
{
    cJSON *ep = cJSON_CreateObject();
    cJSON *conditions;

    cJSON_AddItemToArray(cJSON_AddArrayToObject(ep, "addresses"),
                         cJSON_CreateString(pod->ip));
    conditions = cJSON_AddObjectToObject(ep, "conditions");
    cJSON_AddBoolToObject(conditions, "ready", pod->ready);
    cJSON_AddBoolToObject(conditions, "serving", pod->ready);
    cJSON_AddBoolToObject(conditions, "terminating", 0);
    k8s_add_string(ep, "nodeName", pod->node);
    cJSON_AddItemToObject(ep, "targetRef", target_ref(pod));
    k8s_add_string(ep, "zone", node_zone(c, pod->node));
    return ep;
}

static cJSON *slice_render(const struct world_cluster *c, size_t i)
{
    const struct world_service *svc = &c->services[i];
    cJSON *obj = cJSON_CreateObject();
    cJSON *meta = k8s_add_metadata(obj, svc->namespace, svc->slice_name,
                                   svc->uid, svc->resource_version,
                                   svc->created);
    cJSON *endpoints;

    k8s_add_map(meta, "labels", &svc->slice_labels);
    cJSON_AddStringToObject(obj, "addressType", "IPv4");
    endpoints = cJSON_AddArrayToObject(obj, "endpoints");
    for (size_t j = 0; j < c->pod_count; j++)
        if (selects(svc, &c->pods[j]))
            cJSON_AddItemToArray(endpoints, slice_endpoint(c, &c->pods[j]));
    cJSON_AddItemToObject(obj, "ports", endpoint_ports(c, svc));
    return obj;
}

const struct k8s_resource k8s_endpoint_slice_resource = {
    .group_version = K8S_DISCOVERY_V1, .plural = "endpointslices",
    .singular = "endpointslice", .kind = "EndpointSlice", .short_name = NULL,
    .namespaced = 1, .count = svc_count, .key = slice_key,
    .labels = slice_labels, .render = slice_render,
};

/* ---- pods -------------------------------------------------------------------- */

static size_t pod_count(const struct world_cluster *c)
{
    return c->pod_count;
}

static void pod_key(const struct world_cluster *c, size_t i,
                    struct k8s_entry *e)
{
    e->ns = c->pods[i].namespace;
    e->name = c->pods[i].name;
}

static const struct world_kv_list *pod_labels(const struct world_cluster *c,
                                              size_t i)
{
    return &c->pods[i].labels;
}

const char *k8s_node_ip(const struct world_cluster *c, const char *name)
{
    for (size_t i = 0; name && i < c->node_count; i++)
        if (strcmp(c->nodes[i].name, name) == 0)
            return c->nodes[i].ip;
    return NULL;
}

static cJSON *pod_spec(const struct world_pod *pod)
{
    cJSON *spec = cJSON_CreateObject();
    cJSON *container = cJSON_CreateObject();
    char image[300];

    snprintf(image, sizeof(image), "public.ecr.aws/sandbox/%s:latest",
             pod->namespace);
    cJSON_AddStringToObject(container, "name", "app");
    cJSON_AddStringToObject(container, "image", image);
    if (pod->container_port) {
        cJSON *port = cJSON_CreateObject();

        cJSON_AddNumberToObject(port, "containerPort", pod->container_port);
        cJSON_AddStringToObject(port, "protocol", "TCP");
        cJSON_AddItemToArray(cJSON_AddArrayToObject(container, "ports"),
                             port);
    }
    cJSON_AddItemToArray(cJSON_AddArrayToObject(spec, "containers"),
                         container);
    k8s_add_string(spec, "nodeName", pod->node);
    cJSON_AddStringToObject(spec, "serviceAccountName", "default");
    cJSON_AddStringToObject(spec, "restartPolicy", "Always");
    return spec;
}

cJSON *k8s_add_pod_condition(cJSON *list, const char *type, int status,
                             const char *when)
{
    cJSON *cond = cJSON_CreateObject();

    cJSON_AddStringToObject(cond, "type", type);
    cJSON_AddStringToObject(cond, "status", status ? "True" : "False");
    cJSON_AddStringToObject(cond, "lastTransitionTime", when);
    cJSON_AddItemToArray(list, cond);
    return cond;
}

static cJSON *pod_status(const struct world_cluster *c,
                         const struct world_pod *pod)
{
    cJSON *status = cJSON_CreateObject();
    cJSON *conditions, *state, *cs, *ip;
    int running = strcmp(pod->phase, "Running") == 0;
    int ready = running && pod->ready;

    cJSON_AddStringToObject(status, "phase", pod->phase);
    conditions = cJSON_AddArrayToObject(status, "conditions");
    k8s_add_pod_condition(conditions, "Initialized", 1, pod->created);
    k8s_add_pod_condition(conditions, "Ready", ready, pod->created);
    k8s_add_pod_condition(conditions, "ContainersReady", ready, pod->created);
    k8s_add_pod_condition(conditions, "PodScheduled", pod->node != NULL,
                  pod->created);
    k8s_add_string(status, "hostIP", k8s_node_ip(c, pod->node));
    cJSON_AddStringToObject(status, "podIP", pod->ip);
    ip = cJSON_CreateObject();
    cJSON_AddStringToObject(ip, "ip", pod->ip);
    cJSON_AddItemToArray(cJSON_AddArrayToObject(status, "podIPs"), ip);
    cJSON_AddStringToObject(status, "startTime", pod->created);
    cs = cJSON_CreateObject();
    cJSON_AddStringToObject(cs, "name", "app");
    cJSON_AddBoolToObject(cs, "ready", ready);
    cJSON_AddBoolToObject(cs, "started", running);
    cJSON_AddNumberToObject(cs, "restartCount", 0);
    state = cJSON_AddObjectToObject(cs, "state");
    if (running)
        cJSON_AddStringToObject(cJSON_AddObjectToObject(state, "running"),
                                "startedAt", pod->created);
    else
        cJSON_AddStringToObject(cJSON_AddObjectToObject(state, "waiting"),
                                "reason", "ContainerCreating");
    cJSON_AddItemToArray(cJSON_AddArrayToObject(status, "containerStatuses"),
                         cs);
    return status;
}

static cJSON *pod_render(const struct world_cluster *c, size_t i)
{
    const struct world_pod *pod = &c->pods[i];
    cJSON *obj, *meta;

    if (pod->run)
        return k8s_rollout_render_pod(c, pod);
    obj = cJSON_CreateObject();
    meta = k8s_add_metadata(obj, pod->namespace, pod->name, pod->uid,
                            pod->resource_version, pod->created);
    k8s_add_map(meta, "labels", &pod->labels);
    k8s_add_map(meta, "annotations", &pod->annotations);
    cJSON_AddItemToObject(obj, "spec", pod_spec(pod));
    cJSON_AddItemToObject(obj, "status", pod_status(c, pod));
    return obj;
}

static const char *const pod_fields[] = {
    "spec.nodeName", "status.phase", "status.podIP", NULL,
};

static const char *pod_field(const struct world_cluster *c, size_t i,
                             const char *key)
{
    const struct world_pod *pod = &c->pods[i];

    if (strcmp(key, "spec.nodeName") == 0)
        return pod->node;
    if (strcmp(key, "status.phase") == 0)
        return pod->phase;
    return strcmp(key, "status.podIP") == 0 ? pod->ip : NULL;
}

const struct k8s_resource k8s_pod_resource = {
    .group_version = "v1", .plural = "pods", .singular = "pod",
    .kind = "Pod", .short_name = "po", .namespaced = 1,
    .count = pod_count, .key = pod_key, .labels = pod_labels,
    .render = pod_render, .fields = pod_fields, .field = pod_field,
    .changes = 1,
};
