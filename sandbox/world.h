/*
 * The simulated account: everything the sandbox serves, loaded from a
 * world file (YAML) and changed only by the sandbox's own handlers.
 * Strings are owned by the world and freed by world_free().
 */
#ifndef SANDBOX_WORLD_H
#define SANDBOX_WORLD_H

#include <stddef.h>
#include <time.h>

struct world_kv {
    char *key;
    char *value;
};

struct k8s_store;
struct k8s_pod_run;

struct world_kv_list {
    struct world_kv *items;
    size_t count;
};

struct world_credential {
    char *access_key_id;
    char *secret_access_key;
    char *session_token;    /* NULL for long-term keys */
    char *arn;              /* arn:aws:iam::ACCOUNT:user/NAME */
    char *user_id;          /* AIDA..., or AROA...:SESSION */
    time_t expiration;      /* 0 for long-term keys */
};

struct world_service_account {
    char *namespace;
    char *name;
    char *uid;
    char *created;          /* RFC 3339 */
    unsigned long resource_version;
    struct world_kv_list annotations;
    struct world_kv_list labels;
    /* The whole object as JSON once a Kubernetes write has stored it,
     * kept in step with the fields above; NULL for the world file's. */
    char *document;
};

struct world_ingress_rule {
    char *host;             /* may be NULL */
    char *path;             /* "/" when absent */
    char *service;          /* backend service name */
    int port;
};

struct world_ingress {
    char *namespace;
    char *name;
    char *uid;
    char *created;
    unsigned long resource_version;
    char *class_name;       /* spec.ingressClassName, or NULL */
    char *status_hostname;  /* status.loadBalancer.ingress[0].hostname */
    struct world_kv_list annotations;
    struct world_kv_list labels;
    struct world_ingress_rule *rules;
    size_t rule_count;
};

/* A port of a Kubernetes Service. */
struct world_service_port {
    char *name;             /* may be NULL */
    char *protocol;         /* TCP */
    int port;
    char *target_port;      /* a number or a container port name */
    int node_port;          /* 0 for ClusterIP services */
};

/* The Kubernetes objects below start with namespace and name, as the
 * service account and ingress do; cluster-scoped ones have namespace
 * NULL. */
struct world_service {
    char *namespace;
    char *name;
    char *uid;
    char *created;
    unsigned long resource_version;
    struct world_kv_list annotations;
    struct world_kv_list labels;
    char *type;             /* ClusterIP, NodePort or LoadBalancer */
    char *cluster_ip;
    struct world_kv_list selector;
    struct world_service_port *ports;
    size_t port_count;
    /* Its EndpointSlice: the name (NAME-SUFFIX) and the labels the
     * endpoint slice controller gives it. */
    char *slice_name;
    struct world_kv_list slice_labels;
    char *document;         /* as for world_service_account */
};

struct world_pod {
    char *namespace;
    char *name;
    char *uid;
    char *created;
    unsigned long resource_version;
    struct world_kv_list annotations;
    struct world_kv_list labels;
    char *ip;
    char *phase;            /* Running, Pending, ... */
    int ready;
    char *node;             /* spec.nodeName */
    int container_port;     /* the port the container listens on */
    /* The result of the load balancer's health check on the pod: "pass",
     * "fail" (Target.FailedHealthChecks), "timeout" (Target.Timeout) or
     * an HTTP status code, checked against the target group's matcher
     * (Target.ResponseCodeMismatch when it does not match). */
    char *health_check;
    /* What a Deployment's pod runs and how far it got (k8s_rollout.h);
     * NULL for the world file's pods. */
    struct k8s_pod_run *run;
};

/* A worker node, derived from the node groups. */
struct world_node {
    char *name;             /* ip-192-168-1-10.us-east-2.compute.internal */
    char *instance_id;
    char *ip;
    char *az;
    char *subnet_id;        /* NULL when the world has no subnets */
    char *nodegroup;        /* borrowed from the node group */
};

struct world_ingress_class {
    char *namespace;        /* always NULL */
    char *name;
    char *uid;
    char *created;
    unsigned long resource_version;
    struct world_kv_list annotations;
    struct world_kv_list labels;
    char *controller;       /* ingress.k8s.aws/alb */
    char *parameters;       /* IngressClassParams name, or NULL */
    int is_default;
    char *document;         /* as for world_service_account */
};

/* elbv2.k8s.aws/v1beta1 IngressClassParams, cluster-scoped. */
struct world_ingress_class_params {
    char *namespace;        /* always NULL */
    char *name;
    char *uid;
    char *created;
    unsigned long resource_version;
    struct world_kv_list annotations;
    struct world_kv_list labels;
    char *scheme;
    char *group;            /* spec.group.name */
    char *ip_address_type;
    char *certificate_arn;  /* first of spec.certificateArn */
    char *ssl_policy;
    char *target_type;
    struct world_kv_list tags;
    char *document;         /* as for world_service_account */
};

/* A core/v1 Event, written by the controller simulation. */
struct world_event {
    char *namespace;
    char *name;
    char *uid;
    char *created;
    unsigned long resource_version;
    char *type;             /* Normal or Warning */
    char *reason;
    char *message;
    char *component;        /* source.component, "ingress" */
    int count;
    char *object_kind;      /* involvedObject */
    char *object_api_version;
    char *object_namespace;
    char *object_name;
    char *object_uid;
    unsigned long object_resource_version;
};

/* The AWS Load Balancer Controller of a cluster, as deployed. */
struct world_controller {
    int installed;
    char *sa_namespace;     /* its pods' service account */
    char *sa_name;
    char *role_arn;         /* NULL: the service account's role-arn
                             * annotation */
    char *version;          /* v2.7.2 */
    char *ingress_class;    /* --ingress-class, "alb" */
    int tolerate_missing_service; /* --tolerate-non-existent-backend-service */
    /* Running because a Deployment of it is available
     * (controller_gate.c), not because the world file says so; that
     * Deployment's generation; and the newest ingress resourceVersion
     * and ingress count it has reconciled. */
    int deployed;
    double generation;      /* of the Deployment it runs from */
    unsigned long reconciled_rv;
    size_t reconciled_ingresses;
    /* Its last run found a Pod Identity association but no ACTIVE
     * eks-pod-identity-agent add-on. The controller retries failed
     * reconciles, so it runs again once the add-on is ACTIVE. */
    int awaiting_agent;
};

/* An EKS Pod Identity association (sandbox/world_pod_identity.c). */
struct world_pod_identity {
    char *id;               /* a- and 17 lower-case letters or digits */
    char *namespace;
    char *service_account;
    char *role_arn;
    char *created;          /* RFC 3339 */
    char *modified;
    char *client_token;     /* clientRequestToken of its create, or NULL */
    struct world_kv_list tags;
};

/* An EKS add-on of a cluster (sandbox/world_addon.c). */
struct world_addon {
    char *name;             /* eks-pod-identity-agent */
    char *version;          /* v1.3.4-eksbuild.1 */
    char *status;           /* ACTIVE */
    char *created;          /* RFC 3339 */
    char *modified;
    char *id;               /* the UUID that ends its ARN */
    char *client_token;     /* clientRequestToken of its create, or NULL */
    char *service_account_role_arn; /* NULL when not set */
    double ready_at;        /* sandbox clock time a CREATING one turns
                             * ACTIVE */
    struct world_kv_list tags;
};

struct world_nodegroup {
    char *name;
    char *instance_type;
    int desired, min, max;
    char *status;
    int private_networking;
    /* The node instance role's ARN: the world file's nodeRole, or
     * eksctl's name for it, which names a role only when roles lists it. */
    char *node_role;
};

struct world_cluster {
    char *name;
    char *region;
    char *arn;
    char *version;
    char *status;           /* ACTIVE unless the world file sets another */
    char *endpoint;         /* from the world, or set by the server to
                             * https://127.0.0.1:PORT/k8s/REGION/NAME */
    int endpoint_fixed;     /* endpoint came from the world file */
    char *oidc_issuer;      /* https://oidc.eks.REGION.amazonaws.com/id/HEX,
                             * or NULL when OIDC is not enabled */
    /* The sandbox serves the issuer (sandbox/oidc_issuer.h): it is
     * https://127.0.0.1:PORT/id/HEX once the server has started. Set for
     * clusters made by CloudFormation and for those the world file gives
     * no provider, the ones a client associates a provider with. */
    int issuer_served;
    char *created;
    char *role_arn;
    char *vpc_id;
    /* resourcesVpcConfig of a cluster made by CloudFormation; world file
     * clusters have none, and DescribeCluster derives ids from vpc_id. */
    char **subnet_ids;
    size_t subnet_id_count;
    char **security_group_ids;
    size_t security_group_id_count;
    char *platform_version;
    struct world_kv_list tags;
    struct world_nodegroup *nodegroups;
    size_t nodegroup_count;
    char **namespaces;      /* derived from objects plus the defaults */
    size_t namespace_count;
    struct world_service_account *service_accounts;
    size_t service_account_count;
    struct world_ingress *ingresses;
    size_t ingress_count;
    struct world_service *services;
    size_t service_count;
    struct world_pod *pods;
    size_t pod_count;
    struct world_node *nodes;
    size_t node_count;
    struct world_ingress_class *ingress_classes;
    size_t ingress_class_count;
    struct world_ingress_class_params *class_params;
    size_t class_params_count;
    struct world_event *events;
    size_t event_count;
    struct world_controller controller;
    struct world_pod_identity *pod_identities;
    size_t pod_identity_count;
    unsigned long pod_identity_serial; /* creates so far, for new ids */
    struct world_addon *addons;
    size_t addon_count;
    unsigned long addon_serial; /* creates so far, for new ARN ids */
    /* The newest resourceVersion of the cluster's objects; changes
     * (status updates, new events, writes) take the next one. */
    unsigned long resource_version;
    /* Objects of kinds the world file has no structs for, and deleted
     * objects, created by Kubernetes writes (sandbox/k8s_store.c). */
    struct k8s_store *store;
    /* The compaction point: a watch from an older resourceVersion gets
     * 410 Expired. 0 until a compact fault raises it. */
    unsigned long compacted_version;
};

struct world_inline_policy {
    char *name;
    char *document;         /* JSON text */
};

struct world_role {
    char *name;
    char *path;             /* "/" */
    char *arn;
    char *role_id;          /* AROA... */
    char *created;
    char *description;      /* may be NULL */
    char *trust_policy;     /* JSON text */
    char **attached_policy_arns;
    size_t attached_count;
    struct world_inline_policy *inline_policies;
    size_t inline_count;
    struct world_kv_list tags;
    int max_session_duration; /* seconds; 0 for IAM's default, 3600 */
};

struct world_policy {
    char *name;
    char *path;             /* "/" */
    char *arn;
    char *policy_id;        /* ANPA... */
    char *description;      /* may be NULL */
    char *document;         /* default version, JSON text */
    char *created;
    struct world_kv_list tags;
    /* Versions created (v1, v2, ...); the last is the default. 0 is
     * read as 1. */
    unsigned version_count;
};

struct world_oidc_provider {
    char *arn;
    char *url;              /* issuer without https:// */
    char **client_ids;      /* audiences; "sts.amazonaws.com" by default */
    size_t client_id_count;
    /* Set by CreateOpenIDConnectProvider; when there are none,
     * GetOpenIDConnectProvider derives one from the URL. */
    char **thumbprints;
    size_t thumbprint_count;
    char *created;
    struct world_kv_list tags;
};

/* Networking and load balancing (sandbox/world_net.c). Every item
 * belongs to one region. */
struct world_vpc {
    char *id;
    char *region;
    char *cidr;
    int is_default;
    struct world_kv_list tags;
};

struct world_subnet {
    char *id;
    char *vpc_id;
    char *region;           /* the VPC's */
    char *az;               /* us-east-2a */
    char *az_id;            /* use2-az1 */
    char *cidr;
    long available_ips;
    int map_public_ip;
    struct world_kv_list tags;
};

struct world_security_group {
    char *id;
    char *name;
    char *description;
    char *vpc_id;
    char *region;
    struct world_kv_list tags;
};

struct world_certificate {
    char *arn;              /* arn:aws:acm:REGION:ACCOUNT:certificate/UUID */
    char *region;
    char *domain;
    char **sans;            /* subject alternative names, domain first */
    size_t san_count;
    char *status;           /* ISSUED, PENDING_VALIDATION, EXPIRED, ... */
    char *type;             /* AMAZON_ISSUED or IMPORTED */
    char *created;
    char *not_before;
    char *not_after;
};

struct world_web_acl {
    char *name;
    char *id;
    char *arn;              /* arn:aws:wafv2:REGION:ACCOUNT:regional/webacl/NAME/ID */
    char *region;
    char *description;
    char *default_action;   /* Allow or Block */
};

/* An ELBv2 action: forward, fixed-response or redirect. */
struct world_action {
    char *type;
    char *target_group_arn;
    char *status_code;      /* fixed-response "503"; redirect "HTTP_301" */
    char *content_type;
    char *message_body;
    char *redirect_protocol;
    char *redirect_port;
};

struct world_target {
    char *id;               /* an IP address or an instance id */
    int port;
    char *az;
    /* The health once the initial checks are over: state healthy or
     * unhealthy, and for unhealthy a reason code and description. */
    char *state;
    char *reason;
    char *description;
};

struct world_target_group {
    char *arn;
    char *name;
    char *region;
    char *vpc_id;
    char *protocol;
    char *protocol_version;
    int port;
    char *target_type;      /* ip or instance */
    char *health_path;
    char *health_port;      /* "traffic-port" or a number */
    char *health_protocol;
    char *matcher;          /* HTTP codes, "200" or "200-399" or "200,302" */
    int health_interval;
    int health_timeout;
    int healthy_threshold;
    int unhealthy_threshold;
    char *lb_arn;           /* NULL when no load balancer uses it */
    double registered;      /* sandbox clock when the targets were added */
    struct world_target *targets;
    size_t target_count;
    struct world_kv_list tags;
};

struct world_rule {
    char *arn;
    char *listener_arn;
    int priority;           /* 0 for the default rule */
    char **hosts;           /* host-header values */
    size_t host_count;
    char **paths;           /* path-pattern values */
    size_t path_count;
    struct world_action action;
    struct world_kv_list tags;
};

struct world_listener {
    char *arn;
    char *lb_arn;
    int port;
    char *protocol;         /* HTTP or HTTPS */
    char *ssl_policy;       /* HTTPS only */
    char **certificate_arns; /* the first is the default certificate */
    size_t certificate_count;
    struct world_action default_action;
    struct world_kv_list tags;
};

struct world_load_balancer {
    char *arn;
    char *name;
    char *dns_name;
    char *region;
    char *vpc_id;
    char *scheme;           /* internet-facing or internal */
    char *ip_address_type;
    char *created;          /* RFC 3339 */
    double created_clock;   /* sandbox clock at creation */
    char *state;            /* fixed by the world file, or NULL to go from
                             * provisioning to active on the clock */
    char **subnet_ids;
    size_t subnet_count;
    char **security_group_ids;
    size_t security_group_count;
    char *web_acl_arn;      /* associated WAFv2 web ACL, or NULL */
    struct world_kv_list tags;
    struct world_kv_list attributes;
};

/* How long slow AWS work takes, in sandbox seconds. */
struct world_timing {
    double provisioning;    /* a new load balancer stays provisioning */
    double registration;    /* targets stay in Elb.RegistrationInProgress */
    double initial_checks;  /* then in Elb.InitialHealthChecking */
    double controller_start; /* the controllers reconcile at this time */
    double stack_resource;  /* a CloudFormation resource without its own
                             * time below takes this to create or delete */
    double cluster_creation; /* an EKS cluster stays CREATING */
    double nodegroup_creation; /* a node group stays CREATING */
    double pod_startup;     /* a Deployment's pod pulls and starts */
    double addon_creation;  /* a created EKS add-on stays CREATING */
};

struct world {
    char *path;             /* the file it came from, for messages */
    char *ca_pem;           /* the sandbox CA certificate (PEM), which
                             * DescribeCluster returns; set by main, freed
                             * by world_free, NULL until then */
    char *account_id;       /* 12 digits */
    char **regions;
    size_t region_count;
    struct world_credential *credentials;
    size_t credential_count;
    struct world_cluster *clusters;
    size_t cluster_count;
    struct world_role *roles;
    size_t role_count;
    struct world_policy *policies;
    size_t policy_count;
    struct world_oidc_provider *oidc_providers;
    size_t oidc_provider_count;
    /* Faults to inject (fault.h), from the world file's faults section
     * and --fault flags; NULL when there are none. Freed by world_free. */
    struct fault_set *faults;
    struct world_vpc *vpcs;
    size_t vpc_count;
    struct world_subnet *subnets;
    size_t subnet_count;
    struct world_security_group *security_groups;
    size_t security_group_count;
    struct world_certificate *certificates;
    size_t certificate_count;
    struct world_web_acl *web_acls;
    size_t web_acl_count;
    struct world_load_balancer *load_balancers;
    size_t load_balancer_count;
    struct world_listener *listeners;
    size_t listener_count;
    struct world_rule *rules;
    size_t rule_count;
    struct world_target_group *target_groups;
    size_t target_group_count;
    struct world_timing timing;
    long vpcs_per_region;   /* EC2's VPC quota (limits.vpcsPerRegion) */
    /* CloudFormation stacks (sandbox/cfn.h), NULL until the first
     * call; freed by world_free. */
    struct cfn_world *cfn;
    /* https://127.0.0.1:PORT, set by world_set_endpoints, so clusters
     * created later get their Kubernetes API there too. */
    char *k8s_base;
    char *oidc_jwks;        /* the issuers' keys (sandbox/oidc_issuer.h) */
    /* The sandbox clock: sandbox seconds pass clock_speed times as fast
     * as real ones from clock_start, a CLOCK_MONOTONIC reading. Main sets
     * both before the controller simulation runs. */
    double clock_speed;
    double clock_start;
    int controllers_done;   /* the controller simulation has run */
};

/* Loads path; returns 0, or -1 with "path:line: what" in err. */
int world_load(struct world *w, const char *path, char *err, size_t errlen);
void world_free(struct world *w);

struct world_cluster *world_cluster(struct world *w, const char *region,
                                    const char *name);
const struct world_credential *world_credential(const struct world *w,
                                                const char *access_key_id);
const struct world_policy *world_policy(const struct world *w,
                                        const char *arn);
const struct world_role *world_role(const struct world *w, const char *name);
const struct world_oidc_provider *world_oidc_provider(const struct world *w,
                                                      const char *arn);

/* Seconds on the sandbox clock since the sandbox started. */
double world_clock(const struct world *w);

const struct world_role *world_role_by_arn(const struct world *w,
                                           const char *arn);
const struct world_load_balancer *world_load_balancer(const struct world *w,
                                                      const char *arn);
const struct world_target_group *world_target_group(const struct world *w,
                                                    const char *arn);
const struct world_certificate *world_certificate(const struct world *w,
                                                  const char *arn);
/* The load balancer's state now: its fixed state, or provisioning until
 * timing.provisioning has passed since it was created, then active. */
const char *world_load_balancer_state(const struct world *w,
                                      const struct world_load_balancer *lb);

/* Points every cluster whose endpoint the world file did not fix at
 * BASE/k8s/REGION/NAME, e.g. base "https://127.0.0.1:8443". Returns 0,
 * or -1 when memory runs out. */
int world_set_endpoints(struct world *w, const char *base);

/* Adds temporary credentials (STS); the world takes every string, which
 * must be heap-allocated. Returns the stored credential, or NULL when
 * memory runs out (the strings are then freed). Pointers to earlier
 * credentials may move. */
const struct world_credential *world_add_credential(
    struct world *w, struct world_credential *cred);

#endif
