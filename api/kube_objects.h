/*
 * The Kubernetes objects around an ingress: the ingresses themselves with
 * their backends, the events on them, the services, endpoints and pods
 * behind the backends, IngressClasses and the controller's
 * IngressClassParams. Each kind is listed page by page through
 * kube_list() and parsed into plain structs.
 */
#ifndef ALBATROSS_KUBE_OBJECTS_H
#define ALBATROSS_KUBE_OBJECTS_H

#include <stddef.h>
#include <time.h>

#include "kube.h"

#define KUBE_MAX_MESSAGE 16384  /* bytes of an event message kept */

struct kube_backend {
    char *service;          /* service.name */
    char *port;             /* service.port.number or .name */
};

struct kube_ingress_info {
    char *namespace;
    char *name;
    char *uid;
    char *created;
    char *class_name;       /* kubernetes.io/ingress.class annotation,
                             * which the controller prefers, or
                             * spec.ingressClassName */
    char *hosts;            /* rule hosts joined by ',', or NULL */
    char *address;          /* status.loadBalancer.ingress[0].hostname */
    struct kube_annotation *annotations;
    size_t annotation_count;
    struct kube_backend *backends;  /* distinct, in rule order; the
                                     * default backend first */
    size_t backend_count;
};

struct kube_event {
    char *namespace;
    char *kind;             /* involvedObject.kind */
    char *object;           /* involvedObject.name */
    char *type;             /* Normal, Warning */
    char *reason;
    char *message;          /* at most KUBE_MAX_MESSAGE bytes */
    char *source;           /* source.component or reportingComponent */
    int count;
    time_t last_seen;       /* series, lastTimestamp, eventTime or
                             * firstTimestamp; 0 when none parses */
};

struct kube_service_port {
    char *name;
    int port;
    char *target_port;
    int node_port;
};

struct kube_service {
    char *namespace;
    char *name;
    char *type;             /* ClusterIP, NodePort, LoadBalancer */
    struct kube_service_port *ports;
    size_t port_count;
};

struct kube_address {
    char *ip;
    char *pod;              /* targetRef.name when it is a Pod */
    int ready;
};

struct kube_endpoints {
    char *namespace;
    char *name;
    struct kube_address *addresses;  /* ready ones first */
    size_t address_count;
};

struct kube_pod {
    char *namespace;
    char *name;
    char *phase;
    char *node;
    char *ip;               /* status.podIP */
    int ready;              /* condition Ready is True */
    int restarts;
    char *waiting_reason;   /* first waiting container's reason, or NULL */
};

struct kube_ingress_class {
    char *name;
    char *controller;       /* spec.controller */
    int is_default;         /* ingressclass.kubernetes.io/is-default-class */
    char *params_kind;      /* spec.parameters.kind, or NULL */
    char *params_name;
};

struct kube_class_params {
    char *name;
    char *scheme;           /* spec.scheme, or NULL */
    char *group;            /* spec.group.name, or NULL */
};

/* One list's objects; only the array of the listed kind is set. */
struct kube_objects {
    struct kube_ingress_info *ingresses;
    size_t ingress_count;
    struct kube_event *events;
    size_t event_count;
    struct kube_service *services;
    size_t service_count;
    struct kube_endpoints *endpoints;
    size_t endpoints_count;
    struct kube_pod *pods;
    size_t pod_count;
    struct kube_ingress_class *classes;
    size_t class_count;
    struct kube_class_params *params;
    size_t params_count;
    size_t pages;           /* replies it took */
};

void kube_objects_free(struct kube_objects *o);

enum kube_object_kind {
    KUBE_INGRESS_INFO,
    KUBE_EVENTS,
    KUBE_SERVICES,
    KUBE_ENDPOINTS,
    KUBE_PODS,
    KUBE_INGRESS_CLASSES,
    KUBE_CLASS_PARAMS,      /* ingressclassparams.elbv2.k8s.aws */
};

/*
 * Lists objects of kind in namespace (NULL: every namespace; ignored for
 * the cluster-wide IngressClasses and IngressClassParams), with an
 * optional fieldSelector ("involvedObject.kind=Ingress"). done is called
 * once with the objects (the callee's, free with kube_objects_free) or
 * with err. A 404 for IngressClassParams (the CRD is not installed) gives
 * an empty list. Returns 0, or -1 after calling done.
 */
typedef void (*kube_objects_fn)(struct kube_objects *o,
                                const struct api_error *err, void *ctx);
int kube_list_objects(struct kube_client *kc, enum kube_object_kind kind,
                      const char *namespace, const char *field_selector,
                      kube_objects_fn done, void *ctx);

/* Appends one page of a list reply of kind to o; as kube_page_fn. Items
 * without metadata.name are skipped. Exported for tests. */
int kube_parse_objects(enum kube_object_kind kind, const char *json,
                       size_t len, struct kube_objects *o, char **next,
                       struct api_error *err);

#endif
