/*
 * The reconcile of one ingress group, shared by the parts of the
 * controller simulation: controller.c (classes, groups, credentials,
 * events), controller_build.c (the model) and controller_deploy.c (the
 * AWS resources).
 */
#ifndef SANDBOX_CONTROLLER_TASK_H
#define SANDBOX_CONTROLLER_TASK_H

#include <stddef.h>

#include "world.h"

#define CTL_LISTENERS_MAX 8
#define CTL_SUBNETS_MAX   16
#define CTL_MESSAGE_MAX   2048

/* The tag keys the controller puts on everything it creates. */
#define CTL_TAG_CLUSTER   "elbv2.k8s.aws/cluster"
#define CTL_TAG_STACK     "ingress.k8s.aws/stack"
#define CTL_TAG_RESOURCE  "ingress.k8s.aws/resource"

struct ctl_member {
    struct world_ingress *ing;
    const struct world_ingress_class_params *params;
    long order;             /* alb.ingress.kubernetes.io/group.order */
};

/* The identity the controller's AWS calls run as. */
struct ctl_creds {
    const struct world_role *role;  /* NULL when it has none */
    char *caller_arn;       /* arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION */
    /* Why there are no credentials. A failed web identity sets the STS
     * error code, status and message. A service account with neither a
     * role annotation nor a Pod Identity association sets no_role. A Pod
     * Identity association that gives no credentials sets the container
     * credentials provider's error text, a static string. */
    const char *sts_code;
    int sts_status;
    char sts_message[512];
    int no_role;
    const char *container_error;
};

struct ctl_listener {
    int port;
    const char *protocol;   /* HTTP or HTTPS */
    char **certificates;
    size_t certificate_count;
    const char *ssl_policy;
    int redirect_port;      /* ssl-redirect: HTTP answers 301 to it; 0 */
    char *arn;
};

struct ctl_target_group {
    char *name;
    const char *target_type;
    const struct world_ingress *ing;
    const struct world_service *svc;
    const struct world_service_port *port;
    int tg_port;
    const char *health_path;
    const char *matcher;
    char *arn;
};

/* One rule of a listener: conditions and where it forwards. */
struct ctl_rule {
    const struct world_ingress *ing;
    const char *host;
    char *paths[2];
    size_t path_count;
    int target_group;       /* index, or -1 for the 503 of a missing
                             * service */
};

struct ctl_model {
    char *lb_name;
    char *dns_name;         /* set when a member's status pins it */
    const char *scheme;
    const char *ip_address_type;
    const struct world_subnet *subnets[CTL_SUBNETS_MAX];
    size_t subnet_count;
    struct ctl_listener listeners[CTL_LISTENERS_MAX];
    size_t listener_count;
    struct ctl_rule *rules;
    size_t rule_count;
    struct ctl_target_group *target_groups;
    size_t target_group_count;
    const char *web_acl_arn;
    const char *attributes; /* load-balancer-attributes annotation */
    struct world_kv_list tags; /* the tags annotation */
};

struct ctl_task {
    struct world *w;
    struct world_cluster *c;
    char *stack;            /* group name, or NAMESPACE/NAME */
    int explicit_group;
    struct ctl_member *members;
    size_t member_count;
    struct ctl_creds *creds;
    int version;            /* 20702 for v2.7.2 */
    unsigned long requests; /* numbers the request ids of error texts */
    struct ctl_model model;
    const char *reason;     /* FailedBuildModel or FailedDeployModel */
    char message[CTL_MESSAGE_MAX];
    int oom;
};

/* controller_build.c: fills t->model; returns 0, or -1 with t->reason
 * and t->message set. */
int ctl_build(struct ctl_task *t);
void ctl_model_free(struct ctl_model *m);

/* controller_deploy.c: creates the model's AWS resources; returns 0, or
 * -1 with t->reason and t->message set (what was created stays). */
int ctl_deploy(struct ctl_task *t);

/* controller.c */

/* Reconciles every ingress of c the controller owns, once. Returns 0,
 * or -1 when memory runs out. */
int ctl_run_cluster(struct world *w, struct world_cluster *c);

/* controller_gate.c: starts the simulation for a cluster whose
 * controller Deployment is available, reruns it when its ingresses
 * change, and stops it when the Deployment goes. Returns 0 or -1. */
int ctl_gate_tick(struct world *w);

/* Checks that the controller may call SERVICE:OPERATION (iam_action
 * "ec2:DescribeSubnets"). Returns 0, or -1 with the AWS SDK's error text
 * in t->message after prefix ("couldn't auto-discover subnets: "). */
int ctl_call(struct ctl_task *t, const char *iam_action, const char *prefix);
/* Writes an AWS error as the controller's SDK prints it into
 * t->message, after prefix. modeled: the service's model declares the
 * error code, so the SDK names it without "api error". */
void ctl_aws_error(struct ctl_task *t, const char *prefix,
                   const char *iam_action, int status, const char *code,
                   int modeled, const char *message);
/* The member's annotation, or NULL. */
const char *ctl_annotation(const struct world_ingress *ing,
                           const char *suffix);
/* First 10 hex digits of SHA-256 over the strings, in order; parts end
 * with NULL. */
void ctl_hash10(char out[11], const char *first, ...);

#endif
