/*
 * The on-call chain of an ingress. It contains the Application Load Balancer
 * that the AWS Load Balancer Controller made for the ingress, with its
 * listeners, rules, target groups and targets (and the pod behind each IP
 * target). It also contains the controller's events on the ingress, the
 * ingresses sharing the ALB through a group, and findings: the reasons
 * the chain does not serve.
 *
 * A struct chains holds the chains of the model's clusters. Loads run on
 * the model's HTTP client and complete inside model_wait(); each bumps
 * model.version. Pointers into a struct chains (a chain, a listener, a
 * target) stay valid only until the next model_wait() or chains_*() call:
 * a view keeps identities (cluster, namespace and name; listener, rule and
 * target group ARNs; target id and port) and looks them up again with
 * chains_find() after each change. A refresh replaces a chain's contents
 * in place and keeps every array in the same order (ARN, id, name), so a
 * cursor index stays on the same row when nothing was added or removed.
 *
 * Cost of one cluster refresh, whatever the number of ingresses: the
 * Kubernetes lists (ingresses, events, services, endpoints, pods, ingress
 * classes) page by page; DescribeLoadBalancers and DescribeTargetGroups
 * page by page; DescribeTags by 20 ARNs; DescribeTargetHealth once per
 * target group (the API has no batch form). Listeners, rules,
 * attributes, certificates, subnets and security groups are described
 * for the ALBs of chains opened with chains_load_ingress() only, and
 * subnets, security groups and certificates once per distinct id.
 */
#ifndef ALBATROSS_CHAIN_H
#define ALBATROSS_CHAIN_H

#include <stddef.h>
#include <time.h>

#include "../api/error.h"
#include "model.h"

/* State of an ingress's ALB, for the ingress pane's ALB column. */
enum chain_alb_state {
    CHAIN_ALB_UNKNOWN,      /* not loaded yet */
    CHAIN_ALB_MISSING,      /* no load balancer matches the ingress */
    CHAIN_ALB_PROVISIONING,
    CHAIN_ALB_ACTIVE,       /* "active" or "active_impaired" */
    CHAIN_ALB_FAILED,
    CHAIN_ALB_OTHER,        /* the ingress belongs to another controller */
};

/* "unknown", "missing", "provisioning", "active", "failed", "-" for
 * another controller's ingress. */
const char *chain_alb_state_name(enum chain_alb_state s);

enum chain_severity { CHAIN_INFO, CHAIN_WARNING, CHAIN_ERROR };

/* "info", "warning", "error". */
const char *chain_severity_name(enum chain_severity s);

/* A tag, an attribute or a condition value. */
struct chain_pair {
    char *key;
    char *value;
};

struct chain_subnet {
    char *id;
    char *zone;             /* availability zone name, "" when unknown */
    char *vpc;
    char *cidr;
    char *name;             /* Name tag, or NULL */
    int elb_role;           /* tagged kubernetes.io/role/elb */
    int internal_elb_role;  /* tagged kubernetes.io/role/internal-elb */
};

struct chain_security_group {
    char *id;
    char *name;
    char *description;
    char *vpc;
};

struct chain_certificate {
    char *arn;
    char *region;           /* from the ARN */
    char *domain;           /* NULL until described or when it failed */
    char *status;           /* ISSUED, PENDING_VALIDATION, EXPIRED, ... */
    char *not_after;        /* ISO 8601, or NULL */
    time_t expires;         /* 0 when unknown */
    int is_default;         /* the listener's default certificate */
    struct api_error error; /* code "" unless DescribeCertificate failed */
};

/* A rule; its conditions and actions are ready to print, one line each:
 * "host-header: a.example.com, b.example.com", "path-pattern: /api",
 * "forward: k8s-shop-web-0123abcd (weight 1)", "redirect: HTTPS:443 301",
 * "fixed-response: 404 text/plain". */
struct chain_rule {
    char *arn;
    char *priority;         /* "1".."50000", or "default" */
    int is_default;
    char **conditions;
    size_t condition_count;
    char **actions;
    size_t action_count;
    char **target_group_arns; /* of the forward actions */
    size_t target_group_count;
};

struct chain_listener {
    char *arn;
    int port;
    char *protocol;         /* HTTP, HTTPS */
    char *ssl_policy;       /* NULL for HTTP */
    struct chain_certificate *certificates;
    size_t certificate_count;
    struct chain_rule *rules; /* by priority, the default rule last */
    size_t rule_count;
};

struct chain_health_check {
    int enabled;
    char *protocol;
    char *port;             /* "traffic-port" or a number */
    char *path;
    char *matcher;          /* HTTP codes, "200" or "200-399" */
    int interval_seconds;
    int timeout_seconds;
    int healthy_threshold;
    int unhealthy_threshold;
};

struct chain_pod {
    char *namespace;
    char *name;
    char *phase;            /* Running, Pending, ... */
    int ready;              /* condition Ready is True */
    char *node;
    char *ip;
    int restarts;           /* sum over its containers */
    char *reason;           /* a waiting container's reason, or NULL */
};

struct chain_target {
    char *id;               /* instance id or IP address */
    int port;
    char *zone;             /* AvailabilityZone, or NULL */
    char *state;            /* healthy, unhealthy, initial, draining,
                             * unused, unavailable */
    char *reason;           /* Target.FailedHealthChecks, ..., or NULL */
    char *description;      /* AWS's explanation, or NULL */
    struct chain_pod *pod;  /* the pod with this IP, or NULL */
};

struct chain_target_group {
    char *arn;
    char *name;
    char *target_type;      /* ip, instance */
    char *protocol;
    int port;
    char *vpc;
    char *service;          /* NS/NAME:PORT of the Kubernetes backend,
                             * from the controller's tags, or NULL */
    struct chain_health_check health_check;
    struct chain_target *targets;
    size_t target_count;
    size_t healthy;         /* targets in state healthy */
    enum model_state health_state; /* DescribeTargetHealth */
    struct api_error health_error;
};

struct chain_alb {
    char *arn;
    char *name;
    char *dns_name;
    char *scheme;           /* internet-facing, internal */
    char *state;            /* provisioning, active, active_impaired,
                             * failed */
    char *state_reason;     /* State.Reason, or NULL */
    char *type;             /* application */
    char *vpc;
    char *ip_address_type;
    char *created;
    char *stack;            /* ingress.k8s.aws/stack tag, or NULL */
    struct chain_subnet *subnets; /* with their zones */
    size_t subnet_count;
    struct chain_security_group *security_groups;
    size_t security_group_count;
    struct chain_pair *attributes; /* DescribeLoadBalancerAttributes */
    size_t attribute_count;
    struct chain_pair *tags;
    size_t tag_count;
    char *web_acl_arn;      /* GetWebACLForResource, NULL when none */
    char *web_acl_name;
    char *web_acl_error;    /* why GetWebACLForResource failed, or NULL */
};

/* A Kubernetes event on the ingress, newest first. */
struct chain_event {
    char *type;             /* Normal, Warning */
    char *reason;           /* FailedBuildModel, FailedDeployModel, ... */
    char *message;          /* in full */
    char *source;           /* component: ingress, ... */
    int count;
    time_t last_seen;       /* lastTimestamp, eventTime or firstTimestamp */
};

/* A backend the ingress routes to, and what Kubernetes has behind it. */
struct chain_backend {
    char *service;          /* name, in the ingress's namespace */
    char *port;             /* number or name */
    int service_exists;
    size_t endpoints_ready; /* addresses in Endpoints */
    size_t endpoints_not_ready;
};

/* A reason the chain does not serve, or a risk of breaking it soon. */
struct chain_finding {
    enum chain_severity severity;
    char *title;            /* one line: "No subnets for an internet-facing
                             * load balancer" */
    char *detail;           /* what was seen, with names and the event's
                             * full message */
    char *fix;              /* what to do */
};

struct chain_ref {
    char *namespace;
    char *name;
};

struct chain {
    /* identity */
    size_t cluster;         /* index into model.clusters */
    char *namespace;
    char *name;

    /* the ingress */
    char *class_name;       /* NULL when none is set */
    char *controller;       /* the IngressClass's spec.controller, or NULL */
    char *hosts;            /* comma-separated, or NULL */
    char *address;          /* status hostname, or NULL */
    char *group_name;       /* alb.ingress.kubernetes.io/group.name */
    char *scheme;           /* annotation, "internal" by default */
    char *created;
    struct chain_backend *backends;
    size_t backend_count;

    /* the pane's summary */
    enum chain_alb_state alb_state;
    size_t targets_healthy;
    size_t targets_total;
    time_t last_warning;    /* newest Warning event, 0 when none */

    /* the drill-down; listeners and their rules, attributes, subnets,
     * security groups and certificates after chains_load_ingress() */
    struct chain_alb *alb;  /* NULL when missing */
    struct chain_listener *listeners;
    size_t listener_count;
    struct chain_target_group *target_groups; /* of this ingress's
                                               * backends, by ARN */
    size_t target_group_count;
    struct chain_event *events;
    size_t event_count;
    struct chain_ref *siblings;  /* other ingresses on the same ALB */
    size_t sibling_count;
    struct chain_finding *findings; /* errors first */
    size_t finding_count;

    enum model_state state;      /* of the summary */
    enum model_state detail_state; /* of the drill-down */
    struct api_error error;      /* why state or detail_state failed */
    time_t refreshed;            /* when the last load completed */
};

/* The chains of one cluster and the ALBs tagged for it that no ingress
 * claims any more. */
struct chain_cluster {
    size_t cluster;
    enum model_state state;
    struct api_error error;
    struct chain_alb *unclaimed;
    size_t unclaimed_count;
    time_t refreshed;       /* when chains were last stored; 0: never */
    time_t next_poll;       /* private: AWS polling with backoff */
    int backoff;            /* private */
    unsigned generation;    /* private: drops stale replies */
    void *load;             /* private: the load in flight */
    char **drilled;         /* private: "NS/NAME" of the drill-downs */
    size_t drilled_count;
    int again;              /* private: load again when this one ends */
    unsigned long ingress_changes; /* private: the model cluster's count
                                    * when last seen */
};

struct chains {
    struct model *m;        /* borrowed */
    struct chain *items;    /* by cluster, namespace, name */
    size_t count;
    struct chain_cluster *clusters;
    size_t cluster_count;
    void *priv;             /* private: caches of subnets, certificates */
};

void chains_init(struct chains *cs, struct model *m);
/* Frees everything, loads in flight included. Call it when no
 * model_wait() follows, before or after model_cleanup(): the replies of
 * those loads must never arrive (model_cleanup() drops them). */
void chains_cleanup(struct chains *cs);

/*
 * Starts loading the summary of every ingress of cluster i (the model
 * opens the cluster when needed): the ingress pane's columns, the
 * findings that need no drill-down, and the unclaimed ALBs. Returns 0, or
 * -1 when the cluster cannot be reached (the reason in its chain_cluster).
 */
int chains_load_cluster(struct chains *cs, size_t cluster);
/*
 * Starts loading one ingress's whole chain (summary and drill-down). The
 * chain appears in cs->items at once with state MODEL_LOADING. When the
 * ingress does not exist the chain's state becomes MODEL_FAILED with
 * error code "IngressNotFound".
 */
int chains_load_ingress(struct chains *cs, size_t cluster,
                        const char *namespace, const char *name);
/* Loads cluster i again (and the drill-downs loaded before), keeping
 * identities. A load in flight is not restarted. */
void chains_refresh(struct chains *cs, size_t cluster);
/*
 * Starts the refreshes that are due. AWS state is read every 5 s while a
 * load balancer is provisioning or a target is not healthy, and the
 * interval doubles up to 60 s while all is stable; after errors it
 * doubles up to 300 s, twice as fast after throttling. Kubernetes
 * objects are listed again at each refresh, and a cluster whose
 * ingresses a watch changed (model_cluster.ingress_changes) is loaded
 * again at once. Returns the milliseconds until the next refresh is due
 * (for model_wait()'s timeout), or -1 when none is.
 */
int chains_poll(struct chains *cs, time_t now);

const struct chain *chains_find(const struct chains *cs, size_t cluster,
                                const char *namespace, const char *name);
const struct chain_cluster *chains_cluster(const struct chains *cs,
                                           size_t cluster);
/* Number of loads in flight. */
size_t chains_busy(const struct chains *cs);

#endif
