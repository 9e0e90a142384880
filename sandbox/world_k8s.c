/*
 * world_load, continued: the Kubernetes objects behind ingresses
 * (services and pods), ingress classes and IngressClassParams, the AWS
 * Load Balancer Controller's deployment, and the worker nodes that the
 * node groups imply.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "world_cluster.h"
#include "world_net.h"
#include "k8s_rollout.h"

#define ALB_CONTROLLER      "ingress.k8s.aws/alb"
#define CONTROLLER_VERSION  "v2.7.2"
#define CONTROLLER_SA       "kube-system/aws-load-balancer-controller"

/* ---- addresses --------------------------------------------------------- */

static unsigned long hash_of(const char *seed)
{
    char *hex = wfile_derive("", seed, 8, WFILE_LOWER_HEX);
    unsigned long h = hex ? strtoul(hex, NULL, 16) : 0;
    free(hex);
    return h;
}

/* An address inside cidr chosen by seed, away from the block's first
 * addresses; "192.168.0.0/16" when cidr is NULL. */
char *world_address_in(const char *cidr, const char *seed)
{
    unsigned a = 192, b = 168, c = 0, d = 0, bits = 16;
    if (cidr)
        sscanf(cidr, "%u.%u.%u.%u/%u", &a, &b, &c, &d, &bits);
    unsigned long base = ((unsigned long)a << 24) | (b << 16) | (c << 8) | d;
    unsigned long size = bits >= 27 ? 32 : 1UL << (32 - bits);
    unsigned long ip = base + 10 + hash_of(seed) % (size - 20);
    return wfile_printf("%lu.%lu.%lu.%lu", (ip >> 24) & 255,
                        (ip >> 16) & 255, (ip >> 8) & 255, ip & 255);
}

/* ---- services ---------------------------------------------------------- */

int world_node_port(const struct world_service *svc, int port)
{
    char *seed = wfile_printf("%s/%s/%d", svc->namespace, svc->name, port);
    int node_port = seed ? 30000 + (int)(hash_of(seed) % 2768) : 30080;

    free(seed);
    return node_port;
}

char *world_cluster_ip(const struct world_cluster *c,
                       const struct world_service *svc)
{
    char *seed = wfile_printf("%s/%s/%s", c->name, svc->namespace,
                              svc->name);
    /* EKS gives services addresses from 10.100.0.0/16. */
    char *ip = seed ? world_address_in("10.100.0.0/16", seed) : NULL;

    free(seed);
    return ip;
}

static const char *const service_keys[] = {
    "namespace", "name", "count", "annotations", "labels", "created",
    "type", "clusterIP", "selector", "ports", NULL,
};

static const char *const port_keys[] = {
    "name", "protocol", "port", "targetPort", "nodePort", NULL,
};

static int read_port(struct wfile *f, const yaml_node_t *map,
                     const struct world_service *svc,
                     struct world_service_port *p)
{
    long port = 80, node_port = 0;
    if (wfile_keys(f, map, "service port", port_keys) < 0 ||
        wfile_str(f, map, "name", 0, &p->name) < 0 ||
        wfile_str(f, map, "protocol", 0, &p->protocol) < 0 ||
        wfile_int(f, map, "port", 1, 65535, &port) < 0 ||
        wfile_str(f, map, "targetPort", 0, &p->target_port) < 0 ||
        wfile_int(f, map, "nodePort", 30000, 32767, &node_port) < 0)
        return -1;
    p->port = (int)port;
    if (!node_port && strcmp(svc->type, "ClusterIP") != 0)
        node_port = world_node_port(svc, p->port);
    p->node_port = (int)node_port;
    if (!p->protocol && !(p->protocol = strdup("TCP")))
        return wfile_fail(f, map, "out of memory");
    if (!p->target_port && !(p->target_port = wfile_printf("%d", p->port)))
        return wfile_fail(f, map, "out of memory");
    return 0;
}

static int read_ports(struct wfile *f, const yaml_node_t *map,
                      struct world_service *svc)
{
    yaml_node_t *seq = ydoc_get(f->doc, map, "ports");
    size_t n = seq ? ydoc_len(seq) : 0;
    if (seq && (!ydoc_is_seq(seq) || n == 0))
        return wfile_fail(f, seq, "'ports' must list at least one {port, "
                          "targetPort}");
    svc->ports = calloc(n ? n : 1, sizeof(*svc->ports));
    if (!svc->ports)
        return wfile_fail(f, map, "out of memory");
    if (!seq) {
        /* No ports given: one port 80 to the pods' port 80. */
        svc->port_count = 1;
        svc->ports[0].port = 80;
        svc->ports[0].protocol = strdup("TCP");
        svc->ports[0].target_port = strdup("80");
        return svc->ports[0].protocol && svc->ports[0].target_port
                   ? 0 : wfile_fail(f, map, "out of memory");
    }
    for (size_t i = 0; i < n; i++) {
        svc->port_count = i + 1;
        if (read_port(f, ydoc_item(f->doc, seq, i), svc,
                      &svc->ports[i]) < 0)
            return -1;
    }
    return 0;
}

static const char *const service_types[] = {
    "ClusterIP", "NodePort", "LoadBalancer", NULL,
};

static int read_service_type(struct wfile *f, const yaml_node_t *map,
                             struct world_service *svc)
{
    if (wfile_str(f, map, "type", 0, &svc->type) < 0)
        return -1;
    if (!svc->type && !(svc->type = strdup("ClusterIP")))
        return wfile_fail(f, map, "out of memory");
    for (const char *const *t = service_types; *t; t++)
        if (strcmp(*t, svc->type) == 0)
            return 0;
    return wfile_fail(f, ydoc_get(f->doc, map, "type"), "service type '%s' "
                      "is not ClusterIP, NodePort or LoadBalancer",
                      svc->type);
}

int world_service_slice(struct world_service *svc)
{
    char *suffix = svc->uid ? wfile_derive("", svc->uid, 5, WFILE_LOWER_HEX)
                            : NULL;
    svc->slice_name = suffix ? wfile_printf("%s-%s", svc->name, suffix)
                             : NULL;
    free(suffix);
    if (!svc->slice_name ||
        world_kv_add(&svc->slice_labels, "kubernetes.io/service-name",
                     svc->name) < 0 ||
        world_kv_add(&svc->slice_labels,
                     "endpointslice.kubernetes.io/managed-by",
                     "endpointslice-controller.k8s.io") < 0)
        return -1;
    return 0;
}

static int read_service(struct wfile *f, const yaml_node_t *map,
                        struct world_cluster *c, void *item)
{
    struct world_service *svc = item;
    if (world_read_object_name(f, map, "service", &svc->namespace,
                               &svc->name) < 0 ||
        wfile_kv(f, map, "annotations", &svc->annotations) < 0 ||
        wfile_kv(f, map, "labels", &svc->labels) < 0 ||
        wfile_time(f, map, "created", c->created, &svc->created) < 0 ||
        read_service_type(f, map, svc) < 0 ||
        wfile_str(f, map, "clusterIP", 0, &svc->cluster_ip) < 0 ||
        wfile_kv(f, map, "selector", &svc->selector) < 0 ||
        read_ports(f, map, svc) < 0)
        return -1;
    svc->uid = world_object_uid(c, "service", svc->namespace, svc->name);
    if (world_service_slice(svc) < 0)
        return wfile_fail(f, map, "out of memory");
    if (!svc->cluster_ip)
        svc->cluster_ip = world_cluster_ip(c, svc);
    return svc->uid && svc->cluster_ip ? 0 : wfile_fail(f, map,
                                                        "out of memory");
}

/* ---- pods --------------------------------------------------------------- */

static const char *const pod_keys[] = {
    "namespace", "name", "count", "annotations", "labels", "created", "ip",
    "phase", "ready", "node", "containerPort", "healthCheck", NULL,
};

static const char *const pod_phases[] = {
    "Pending", "Running", "Succeeded", "Failed", "Unknown", NULL,
};

static int valid_health_check(const char *s)
{
    if (strcmp(s, "pass") == 0 || strcmp(s, "fail") == 0 ||
        strcmp(s, "timeout") == 0)
        return 1;
    char *end;
    long code = strtol(s, &end, 10);
    return !*end && code >= 100 && code <= 599;
}

static int check_pod(struct wfile *f, const yaml_node_t *map,
                     struct world_pod *pod)
{
    int phase_known = 0;
    for (const char *const *p = pod_phases; *p; p++)
        phase_known |= strcmp(*p, pod->phase) == 0;
    if (!phase_known)
        return wfile_fail(f, ydoc_get(f->doc, map, "phase"), "phase '%s' is "
                          "not Pending, Running, Succeeded, Failed or "
                          "Unknown", pod->phase);
    if (!valid_health_check(pod->health_check))
        return wfile_fail(f, ydoc_get(f->doc, map, "healthCheck"),
                          "healthCheck '%s' is not pass, fail, timeout or an "
                          "HTTP status code such as 404", pod->health_check);
    return 0;
}

static int read_pod(struct wfile *f, const yaml_node_t *map,
                    struct world_cluster *c, void *item)
{
    struct world_pod *pod = item;
    long port = 0;
    pod->ready = 1;
    if (world_read_object_name(f, map, "pod", &pod->namespace,
                               &pod->name) < 0 ||
        wfile_kv(f, map, "annotations", &pod->annotations) < 0 ||
        wfile_kv(f, map, "labels", &pod->labels) < 0 ||
        wfile_time(f, map, "created", c->created, &pod->created) < 0 ||
        wfile_str(f, map, "ip", 0, &pod->ip) < 0 ||
        wfile_str(f, map, "phase", 0, &pod->phase) < 0 ||
        wfile_bool(f, map, "ready", &pod->ready) < 0 ||
        wfile_str(f, map, "node", 0, &pod->node) < 0 ||
        wfile_int(f, map, "containerPort", 0, 65535, &port) < 0 ||
        wfile_str(f, map, "healthCheck", 0, &pod->health_check) < 0)
        return -1;
    pod->container_port = (int)port;
    pod->uid = world_object_uid(c, "pod", pod->namespace, pod->name);
    if (!pod->uid || (!pod->phase && !(pod->phase = strdup("Running"))) ||
        (!pod->health_check && !(pod->health_check = strdup("pass"))))
        return wfile_fail(f, map, "out of memory");
    return check_pod(f, map, pod);
}

/* ---- ingress classes ---------------------------------------------------- */

static const char *const class_keys[] = {
    "name", "count", "annotations", "labels", "created", "controller",
    "parameters", "default", NULL,
};

static int read_cluster_scoped_name(struct wfile *f, const yaml_node_t *map,
                                    const char *what, char **name)
{
    if (wfile_str(f, map, "name", 1, name) < 0)
        return -1;
    if (!world_valid_k8s_name(*name, 1))
        return wfile_fail(f, ydoc_get(f->doc, map, "name"), "%s name '%s' "
                          "must be lower-case letters, digits, '-' and '.'",
                          what, *name);
    return 0;
}

static int read_class(struct wfile *f, const yaml_node_t *map,
                      struct world_cluster *c, void *item)
{
    struct world_ingress_class *ic = item;
    if (read_cluster_scoped_name(f, map, "IngressClass", &ic->name) < 0 ||
        wfile_kv(f, map, "annotations", &ic->annotations) < 0 ||
        wfile_kv(f, map, "labels", &ic->labels) < 0 ||
        wfile_time(f, map, "created", c->created, &ic->created) < 0 ||
        wfile_str(f, map, "controller", 0, &ic->controller) < 0 ||
        wfile_str(f, map, "parameters", 0, &ic->parameters) < 0 ||
        wfile_bool(f, map, "default", &ic->is_default) < 0)
        return -1;
    ic->uid = world_object_uid(c, "ingressclass", "", ic->name);
    if (!ic->uid ||
        (!ic->controller && !(ic->controller = strdup(ALB_CONTROLLER))))
        return wfile_fail(f, map, "out of memory");
    return 0;
}

static const char *const params_keys[] = {
    "name", "count", "annotations", "labels", "created", "scheme", "group",
    "ipAddressType", "certificateArn", "sslPolicy", "targetType", "tags",
    NULL,
};

static int read_params(struct wfile *f, const yaml_node_t *map,
                       struct world_cluster *c, void *item)
{
    struct world_ingress_class_params *p = item;
    if (read_cluster_scoped_name(f, map, "IngressClassParams",
                                 &p->name) < 0 ||
        wfile_kv(f, map, "annotations", &p->annotations) < 0 ||
        wfile_kv(f, map, "labels", &p->labels) < 0 ||
        wfile_time(f, map, "created", c->created, &p->created) < 0 ||
        wfile_str(f, map, "scheme", 0, &p->scheme) < 0 ||
        wfile_str(f, map, "group", 0, &p->group) < 0 ||
        wfile_str(f, map, "ipAddressType", 0, &p->ip_address_type) < 0 ||
        wfile_str(f, map, "certificateArn", 0, &p->certificate_arn) < 0 ||
        wfile_str(f, map, "sslPolicy", 0, &p->ssl_policy) < 0 ||
        wfile_str(f, map, "targetType", 0, &p->target_type) < 0 ||
        wfile_kv(f, map, "tags", &p->tags) < 0)
        return -1;
    p->uid = world_object_uid(c, "ingressclassparams", "", p->name);
    return p->uid ? 0 : wfile_fail(f, map, "out of memory");
}

static const struct world_object_kind kinds[] = {
    { .key = "services", .what = "service", .keys = service_keys,
      .size = sizeof(struct world_service), .read = read_service },
    { .key = "pods", .what = "pod", .keys = pod_keys,
      .size = sizeof(struct world_pod), .read = read_pod },
    { .key = "ingressClasses", .what = "IngressClass", .keys = class_keys,
      .size = sizeof(struct world_ingress_class), .read = read_class },
    { .key = "ingressClassParams", .what = "IngressClassParams",
      .keys = params_keys, .size = sizeof(struct world_ingress_class_params),
      .read = read_params },
};

/* ---- the controller ------------------------------------------------------ */

static const char *const controller_keys[] = {
    "installed", "serviceAccount", "roleArn", "version", "ingressClass",
    "tolerateNonExistentBackendService", NULL,
};

static int split_service_account(struct wfile *f, const yaml_node_t *map,
                                 const char *text, struct world_controller *k)
{
    const char *slash = strchr(text, '/');
    if (!slash || slash == text || !slash[1] || strchr(slash + 1, '/'))
        return wfile_fail(f, ydoc_get(f->doc, map, "serviceAccount"),
                          "serviceAccount '%s' must be NAMESPACE/NAME, as in "
                          CONTROLLER_SA, text);
    k->sa_namespace = strndup(text, (size_t)(slash - text));
    k->sa_name = strdup(slash + 1);
    return k->sa_namespace && k->sa_name ? 0 : wfile_fail(f, map,
                                                          "out of memory");
}

static int read_controller_fields(struct wfile *f, const yaml_node_t *map,
                                  struct world_controller *k, char **sa)
{
    k->installed = 1;
    k->tolerate_missing_service = 1;
    return wfile_keys(f, map, "controller", controller_keys) < 0 ||
           wfile_bool(f, map, "installed", &k->installed) < 0 ||
           wfile_str(f, map, "serviceAccount", 0, sa) < 0 ||
           wfile_str(f, map, "roleArn", 0, &k->role_arn) < 0 ||
           wfile_str(f, map, "version", 0, &k->version) < 0 ||
           wfile_str(f, map, "ingressClass", 0, &k->ingress_class) < 0 ||
           wfile_bool(f, map, "tolerateNonExistentBackendService",
                      &k->tolerate_missing_service) < 0 ? -1 : 0;
}

static int read_controller(struct wfile *f, const yaml_node_t *cluster,
                           struct world_cluster *c)
{
    struct world_controller *k = &c->controller;
    yaml_node_t *map = ydoc_get(f->doc, cluster, "controller");
    char *sa = NULL;
    if (!map)
        return 0;
    int rc = read_controller_fields(f, map, k, &sa);
    if (rc == 0)
        rc = split_service_account(f, map, sa ? sa : CONTROLLER_SA, k);
    free(sa);
    if (rc < 0)
        return -1;
    unsigned major, minor, patch;
    if (!k->version && !(k->version = strdup(CONTROLLER_VERSION)))
        return wfile_fail(f, map, "out of memory");
    if (sscanf(k->version, "v%u.%u.%u", &major, &minor, &patch) != 3)
        return wfile_fail(f, ydoc_get(f->doc, map, "version"), "version "
                          "'%s' must look like " CONTROLLER_VERSION,
                          k->version);
    if (!k->ingress_class && !(k->ingress_class = strdup("alb")))
        return wfile_fail(f, map, "out of memory");
    return 0;
}

/* The Helm chart creates IngressClass alb by default
 * (createIngressClassResource). A world that lists ingressClasses gets
 * exactly those. */
static int default_class(struct wfile *f, const yaml_node_t *map,
                         struct world_cluster *c)
{
    if (!c->controller.installed || ydoc_get(f->doc, map, "ingressClasses"))
        return 0;
    struct world_ingress_class *ic = world_append(
        &c->ingress_classes, &c->ingress_class_count, sizeof(*ic));
    if (!ic || !(ic->name = strdup(c->controller.ingress_class)) ||
        !(ic->controller = strdup(ALB_CONTROLLER)) ||
        !(ic->created = strdup(c->created)) ||
        !(ic->uid = world_object_uid(c, "ingressclass", "", ic->name)))
        return wfile_fail(f, map, "out of memory");
    return 0;
}

/* ---- nodes ----------------------------------------------------------------- */

/* The subnets of a node group's nodes: those of the cluster's VPC that
 * are tagged private (for internal load balancers) or public to match
 * privateNetworking, or any subnet of the VPC when none is tagged so. */
static size_t node_subnets(const struct world *w, const struct world_cluster *c,
                           const struct world_nodegroup *ng,
                           const struct world_subnet **out, size_t max)
{
    const char *role = ng->private_networking ? "kubernetes.io/role/internal-elb"
                                              : "kubernetes.io/role/elb";
    size_t n = 0;
    for (int pass = 0; pass < 2 && n == 0; pass++)
        for (size_t i = 0; i < w->subnet_count && n < max; i++) {
            const struct world_subnet *s = &w->subnets[i];
            if (strcmp(s->vpc_id, c->vpc_id) == 0 &&
                (pass == 1 || world_tag(&s->tags, role)))
                out[n++] = s;
        }
    return n;
}

static int add_node(const struct world *w, struct world_cluster *c,
                    const struct world_nodegroup *ng, int index,
                    const struct world_subnet *subnet)
{
    struct world_node *node = world_append(&c->nodes, &c->node_count,
                                           sizeof(*node));
    char *seed = wfile_printf("%s/%s/%s/%d", w->account_id, c->name,
                              ng->name, index);
    if (!node || !seed) {
        free(seed);
        return -1;
    }
    node->nodegroup = ng->name;
    node->ip = world_address_in(subnet ? subnet->cidr : NULL, seed);
    node->instance_id = wfile_derive("i-", seed, 17, WFILE_LOWER_HEX);
    node->az = subnet ? strdup(subnet->az) : wfile_printf("%sa", c->region);
    node->subnet_id = subnet ? strdup(subnet->id) : NULL;
    free(seed);
    if (!node->ip || !node->instance_id || !node->az ||
        (subnet && !node->subnet_id))
        return -1;
    /* ip-192-168-1-10.REGION.compute.internal: the address with dashes */
    node->name = wfile_printf("ip-%s.%s.compute.internal", node->ip,
                              c->region);
    char *dot = node->name ? strchr(node->name, '.') : NULL;
    for (int dots = 0; dot && dots < 3; dots++) {
        *dot = '-';
        dot = strchr(dot, '.');
    }
    return node->name ? 0 : -1;
}

static int derive_nodes(struct wfile *f, const yaml_node_t *map,
                        struct world_cluster *c)
{
    const struct world_subnet *subnets[16];
    for (size_t g = 0; g < c->nodegroup_count; g++) {
        const struct world_nodegroup *ng = &c->nodegroups[g];
        size_t n = node_subnets(f->world, c, ng, subnets, 16);
        for (int i = 0; i < ng->desired; i++) {
            if (add_node(f->world, c, ng, i,
                         n ? subnets[(size_t)i % n] : NULL) < 0)
                return wfile_fail(f, map, "out of memory");
        }
    }
    return 0;
}

/* Pods without a node go to the nodes in turn; pods without an address
 * get one in their node's subnet. */
static int place_pods(struct wfile *f, const yaml_node_t *map,
                      struct world_cluster *c)
{
    for (size_t i = 0; i < c->pod_count; i++) {
        struct world_pod *pod = &c->pods[i];
        const struct world_node *node = NULL;
        if (!pod->node && c->node_count) {
            node = &c->nodes[i % c->node_count];
            if (!(pod->node = strdup(node->name)))
                return wfile_fail(f, map, "out of memory");
        }
        for (size_t j = 0; !node && j < c->node_count; j++)
            if (pod->node && strcmp(c->nodes[j].name, pod->node) == 0)
                node = &c->nodes[j];
        if (pod->ip)
            continue;
        const struct world_subnet *s = node ? world_subnet(f->world,
                                                           node->subnet_id)
                                            : NULL;
        char *seed = wfile_printf("%s/pod/%s/%s", c->name, pod->namespace,
                                  pod->name);
        pod->ip = seed ? world_address_in(s ? s->cidr : NULL, seed) : NULL;
        free(seed);
        if (!pod->ip)
            return wfile_fail(f, map, "out of memory");
    }
    return 0;
}

int world_read_k8s(struct wfile *f, const yaml_node_t *map,
                   struct world_cluster *c)
{
    void *items[] = {
        &c->services, &c->pods, &c->ingress_classes, &c->class_params,
    };
    size_t *counts[] = {
        &c->service_count, &c->pod_count, &c->ingress_class_count,
        &c->class_params_count,
    };
    for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
        if (world_read_objects(f, map, c, &kinds[i], items[i],
                               counts[i]) < 0)
            return -1;
    return read_controller(f, map, c) < 0 || default_class(f, map, c) < 0 ||
           derive_nodes(f, map, c) < 0 ? -1 : place_pods(f, map, c);
}

void world_number_k8s(struct world_cluster *c, unsigned long *next)
{
    for (size_t i = 0; i < c->service_count; i++)
        c->services[i].resource_version = (*next)++;
    for (size_t i = 0; i < c->pod_count; i++)
        c->pods[i].resource_version = (*next)++;
    for (size_t i = 0; i < c->ingress_class_count; i++)
        c->ingress_classes[i].resource_version = (*next)++;
    for (size_t i = 0; i < c->class_params_count; i++)
        c->class_params[i].resource_version = (*next)++;
}

/* ---- freeing ----------------------------------------------------------------- */

static void free_meta(char *ns, char *name, char *uid, char *created,
                      struct world_kv_list *annotations,
                      struct world_kv_list *labels)
{
    free(ns);
    free(name);
    free(uid);
    free(created);
    wfile_kv_free(annotations);
    wfile_kv_free(labels);
}

void world_free_class_params(struct world_ingress_class_params *p)
{
    free_meta(p->namespace, p->name, p->uid, p->created, &p->annotations,
              &p->labels);
    free(p->scheme);
    free(p->group);
    free(p->ip_address_type);
    free(p->certificate_arn);
    free(p->ssl_policy);
    free(p->target_type);
    free(p->document);
    wfile_kv_free(&p->tags);
}

void world_free_pod(struct world_pod *p)
{
    free_meta(p->namespace, p->name, p->uid, p->created, &p->annotations,
              &p->labels);
    free(p->ip);
    free(p->phase);
    free(p->node);
    free(p->health_check);
    k8s_pod_run_free(p->run);
}

static void free_services(struct world_cluster *c)
{
    for (size_t i = 0; i < c->service_count; i++) {
        struct world_service *s = &c->services[i];
        free_meta(s->namespace, s->name, s->uid, s->created,
                  &s->annotations, &s->labels);
        free(s->type);
        free(s->cluster_ip);
        wfile_kv_free(&s->selector);
        free(s->slice_name);
        wfile_kv_free(&s->slice_labels);
        free(s->document);
        for (size_t j = 0; j < s->port_count; j++) {
            free(s->ports[j].name);
            free(s->ports[j].protocol);
            free(s->ports[j].target_port);
        }
        free(s->ports);
    }
    free(c->services);
    for (size_t i = 0; i < c->pod_count; i++)
        world_free_pod(&c->pods[i]);
    free(c->pods);
}

static void free_classes(struct world_cluster *c)
{
    for (size_t i = 0; i < c->ingress_class_count; i++) {
        struct world_ingress_class *ic = &c->ingress_classes[i];
        free_meta(ic->namespace, ic->name, ic->uid, ic->created,
                  &ic->annotations, &ic->labels);
        free(ic->controller);
        free(ic->parameters);
        free(ic->document);
    }
    free(c->ingress_classes);
    for (size_t i = 0; i < c->class_params_count; i++)
        world_free_class_params(&c->class_params[i]);
    free(c->class_params);
}

static void free_events(struct world_cluster *c)
{
    for (size_t i = 0; i < c->event_count; i++) {
        struct world_event *e = &c->events[i];
        char **fields[] = {
            &e->namespace, &e->name, &e->uid, &e->created, &e->type,
            &e->reason, &e->message, &e->component, &e->object_kind,
            &e->object_api_version, &e->object_namespace, &e->object_name,
            &e->object_uid,
        };
        for (size_t j = 0; j < sizeof(fields) / sizeof(fields[0]); j++)
            free(*fields[j]);
    }
    free(c->events);
}

void world_free_k8s(struct world_cluster *c)
{
    free_services(c);
    free_classes(c);
    free_events(c);
    for (size_t i = 0; i < c->node_count; i++) {
        free(c->nodes[i].name);
        free(c->nodes[i].instance_id);
        free(c->nodes[i].ip);
        free(c->nodes[i].az);
        free(c->nodes[i].subnet_id);
    }
    free(c->nodes);
    free(c->controller.sa_namespace);
    free(c->controller.sa_name);
    free(c->controller.role_arn);
    free(c->controller.version);
    free(c->controller.ingress_class);
}
