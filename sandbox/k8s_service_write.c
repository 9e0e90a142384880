/*
 * Writes of services into the world's structs, so endpoints and endpoint
 * slices follow them (the controller simulation runs once, at its start
 * time, so only services written before then reach its ALBs). The
 * API server's defaults go into the stored object: type ClusterIP, a
 * cluster IP from 10.100.0.0/16 (kept across updates), and each port's
 * protocol, targetPort and, for NodePort and LoadBalancer, nodePort.
 *
 * Limits: ExternalName services and IPv6 are not supported, and a
 * changed clusterIP is taken as given (the API server rejects it).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "k8s_write.h"
#include "wfile.h"
#include "world_cluster.h"

static struct world_service *find_service(struct world_cluster *c,
                                          const char *ns, const char *name)
{
    for (size_t i = 0; i < c->service_count; i++)
        if (!strcmp(c->services[i].namespace, ns) &&
            !strcmp(c->services[i].name, name))
            return &c->services[i];
    return NULL;
}

cJSON *k8s_service_get(struct world_cluster *c, const struct k8s_resource *r,
                       const char *ns, const char *name)
{
    struct world_service *svc = find_service(c, ns ? ns : "", name);

    return svc ? r->render(c, (size_t)(svc - c->services)) : NULL;
}

static const cJSON *member(const cJSON *obj, const char *name)
{
    return cJSON_GetObjectItemCaseSensitive(obj, name);
}

int k8s_service_check(const cJSON *obj, char *field, size_t fieldlen,
                      char *detail, size_t detaillen)
{
    const cJSON *spec = member(obj, "spec");
    const cJSON *ports = member(spec, "ports");
    const char *type = cJSON_GetStringValue(member(spec, "type"));
    const cJSON *port;
    int i = 0;

    if (type && strcmp(type, "ClusterIP") && strcmp(type, "NodePort") &&
        strcmp(type, "LoadBalancer")) {
        snprintf(field, fieldlen, "spec.type");
        snprintf(detail, detaillen, "Unsupported value: \"%.64s\": the "
                 "sandbox supports \"ClusterIP\", \"LoadBalancer\" and "
                 "\"NodePort\"", type);
        return -1;
    }
    if (!cJSON_IsArray(ports) || !cJSON_GetArraySize(ports)) {
        snprintf(field, fieldlen, "spec.ports");
        snprintf(detail, detaillen, "Required value");
        return -1;
    }
    cJSON_ArrayForEach(port, ports) {
        const cJSON *number = member(port, "port");

        if (!cJSON_IsNumber(number) || number->valuedouble < 1 ||
            number->valuedouble > 65535 ||
            number->valuedouble != (int)number->valuedouble) {
            snprintf(field, fieldlen, "spec.ports[%d].port", i);
            snprintf(detail, detaillen, "Invalid value: must be between 1 "
                     "and 65535, inclusive");
            return -1;
        }
        i++;
    }
    return 0;
}

static void set_string(cJSON *obj, const char *name, const char *value)
{
    cJSON_DeleteItemFromObjectCaseSensitive(obj, name);
    cJSON_AddStringToObject(obj, name, value);
}

/* Fills the defaults of one port into its JSON and into p. */
static int fill_port(cJSON *port, const struct world_service *svc,
                     struct world_service_port *p)
{
    const cJSON *target = member(port, "targetPort");
    const cJSON *node = member(port, "nodePort");
    const char *protocol = cJSON_GetStringValue(member(port, "protocol"));
    const char *name = cJSON_GetStringValue(member(port, "name"));

    p->port = member(port, "port")->valueint;
    p->protocol = strdup(protocol ? protocol : "TCP");
    p->name = name ? strdup(name) : NULL;
    if (cJSON_IsString(target))
        p->target_port = strdup(target->valuestring);
    else
        p->target_port = wfile_printf("%d", cJSON_IsNumber(target)
                                            ? target->valueint : p->port);
    if (!cJSON_IsString(target) && !cJSON_IsNumber(target))
        cJSON_AddNumberToObject(port, "targetPort", p->port);
    if (!protocol)
        cJSON_AddStringToObject(port, "protocol", "TCP");
    if (strcmp(svc->type, "ClusterIP") != 0) {
        p->node_port = cJSON_IsNumber(node) ? node->valueint
                                            : world_node_port(svc, p->port);
        if (!cJSON_IsNumber(node))
            cJSON_AddNumberToObject(port, "nodePort", p->node_port);
    }
    return p->protocol && p->target_port && (!name || p->name) ? 0 : -1;
}

static int fill_ports(cJSON *spec, struct world_service *svc)
{
    cJSON *ports = cJSON_GetObjectItemCaseSensitive(spec, "ports");
    cJSON *port;
    int n = cJSON_GetArraySize(ports);

    svc->ports = calloc((size_t)(n ? n : 1), sizeof(*svc->ports));
    if (!svc->ports)
        return -1;
    cJSON_ArrayForEach(port, ports)
        if (fill_port(port, svc, &svc->ports[svc->port_count++]) < 0)
            return -1;
    return 0;
}

static char *meta_copy(const cJSON *obj, const char *name)
{
    const char *s = cJSON_GetStringValue(member(member(obj, "metadata"),
                                                name));

    return strdup(s ? s : "");
}

/* Fills svc from obj, with the defaults added to obj. old_ip is the
 * live service's cluster IP, or NULL for a new one. */
static int fill_service(struct world_service *svc, cJSON *obj,
                        const struct world_cluster *c, const char *old_ip)
{
    const cJSON *meta = member(obj, "metadata");
    cJSON *spec = cJSON_GetObjectItemCaseSensitive(obj, "spec");
    const char *type = cJSON_GetStringValue(member(spec, "type"));
    const char *ip = cJSON_GetStringValue(member(spec, "clusterIP"));
    const char *rv = cJSON_GetStringValue(member(meta, "resourceVersion"));

    cJSON_DeleteItemFromObjectCaseSensitive(obj, "kind");
    cJSON_DeleteItemFromObjectCaseSensitive(obj, "apiVersion");
    svc->namespace = meta_copy(obj, "namespace");
    svc->name = meta_copy(obj, "name");
    svc->uid = meta_copy(obj, "uid");
    svc->created = meta_copy(obj, "creationTimestamp");
    svc->resource_version = rv ? strtoul(rv, NULL, 10) : 0;
    svc->type = strdup(type ? type : "ClusterIP");
    if (ip && *ip && strcmp(ip, "None") != 0)
        svc->cluster_ip = strdup(ip);
    else if (old_ip)
        svc->cluster_ip = strdup(old_ip);
    else if (svc->namespace && svc->name)
        svc->cluster_ip = world_cluster_ip(c, svc);
    if (!svc->namespace || !svc->name || !svc->uid || !svc->created ||
        !svc->type || !svc->cluster_ip || fill_ports(spec, svc) < 0 ||
        k8s_read_map(member(spec, "selector"), &svc->selector) < 0 ||
        k8s_read_map(member(meta, "annotations"), &svc->annotations) < 0 ||
        k8s_read_map(member(meta, "labels"), &svc->labels) < 0 ||
        world_service_slice(svc) < 0)
        return -1;
    set_string(spec, "type", svc->type);
    set_string(spec, "clusterIP", svc->cluster_ip);
    cJSON_DeleteItemFromObjectCaseSensitive(spec, "clusterIPs");
    cJSON_AddItemToArray(cJSON_AddArrayToObject(spec, "clusterIPs"),
                         cJSON_CreateString(svc->cluster_ip));
    svc->document = cJSON_PrintUnformatted(obj);
    return svc->document ? 0 : -1;
}

static void service_cleanup(struct world_service *svc)
{
    free(svc->namespace);
    free(svc->name);
    free(svc->uid);
    free(svc->created);
    free(svc->type);
    free(svc->cluster_ip);
    free(svc->slice_name);
    free(svc->document);
    wfile_kv_free(&svc->selector);
    wfile_kv_free(&svc->slice_labels);
    wfile_kv_free(&svc->annotations);
    wfile_kv_free(&svc->labels);
    for (size_t i = 0; i < svc->port_count; i++) {
        free(svc->ports[i].name);
        free(svc->ports[i].protocol);
        free(svc->ports[i].target_port);
    }
    free(svc->ports);
}

int k8s_service_put(struct world_cluster *c, const struct k8s_resource *r,
                    cJSON *obj)
{
    struct world_service fresh = { .namespace = NULL };
    const char *ns = cJSON_GetStringValue(member(member(obj, "metadata"),
                                                 "namespace"));
    const char *name = cJSON_GetStringValue(member(member(obj, "metadata"),
                                                   "name"));
    struct world_service *old = find_service(c, ns ? ns : "",
                                             name ? name : "");
    struct world_service *grown;
    int rc = fill_service(&fresh, obj, c, old ? old->cluster_ip : NULL);

    (void)r;
    cJSON_Delete(obj);
    if (rc < 0) {
        service_cleanup(&fresh);
        return -1;
    }
    if (old) {
        service_cleanup(old);
        *old = fresh;
        return 0;
    }
    grown = realloc(c->services, (c->service_count + 1) * sizeof(*grown));
    if (!grown) {
        service_cleanup(&fresh);
        return -1;
    }
    c->services = grown;
    c->services[c->service_count++] = fresh;
    return 0;
}

int k8s_service_remove(struct world_cluster *c, const struct k8s_resource *r,
                       const char *ns, const char *name)
{
    struct world_service *svc = find_service(c, ns ? ns : "", name);
    size_t after;

    (void)r;
    if (!svc)
        return -1;
    service_cleanup(svc);
    after = c->service_count - (size_t)(svc - c->services) - 1;
    memmove(svc, svc + 1, after * sizeof(*svc));
    c->service_count--;
    return 0;
}
