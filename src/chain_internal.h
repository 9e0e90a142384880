/* What chain*.c share and the views do not need: the raw replies of one
 * load (a snapshot) and the pure functions that turn it into chains. */
#ifndef ALBATROSS_CHAIN_INTERNAL_H
#define ALBATROSS_CHAIN_INTERNAL_H

#include "../api/acm.h"
#include "../api/ec2.h"
#include "../api/elbv2.h"
#include "../api/kube_objects.h"
#include "../api/wafv2.h"
#include "chain.h"

#define CHAIN_TAG_CLUSTER "elbv2.k8s.aws/cluster"
#define CHAIN_TAG_STACK "ingress.k8s.aws/stack"
#define CHAIN_TAG_RESOURCE "ingress.k8s.aws/resource"
#define CHAIN_ANNOTATION "alb.ingress.kubernetes.io/"
#define CHAIN_CONTROLLER "ingress.k8s.aws/alb"
#define CHAIN_EXPIRY_WARNING (30 * 24 * 3600) /* seconds before expiry */

/* The drill-down replies for one load balancer. */
struct chain_lb_detail {
    char *arn;
    struct elbv2_result *listeners;
    struct elbv2_result **rules;    /* one per listener, same order */
    struct elbv2_result *attributes;
    struct wafv2_web_acl *web_acl;
    int web_acl_loaded;
    struct api_error web_acl_error; /* GetWebACLForResource; code "" if
                                     * it was read */
};

/* Everything one load of a cluster received; all owned, any may be NULL
 * when its call failed or was not made. */
struct chain_snapshot {
    char *cluster_name;     /* as the controller tags it */
    char *region;
    time_t now;

    struct kube_objects *ingresses;
    struct kube_objects *events;
    struct kube_objects *services;
    struct kube_objects *endpoints;
    struct kube_objects *pods;
    struct kube_objects *classes;
    struct kube_objects *params;

    struct elbv2_result *load_balancers;
    struct elbv2_result *target_groups;
    struct elbv2_result *tags;      /* of load balancers and target groups */
    struct elbv2_result **health;   /* one per target group, same order */

    struct chain_lb_detail *details;
    size_t detail_count;
    struct acm_certificate **certificates;
    struct api_error *certificate_errors;  /* code "" when described */
    char **certificate_arns;        /* requested, same order */
    size_t certificate_count;
    struct ec2_network *subnets;    /* of the detailed load balancers */
    struct ec2_network *security_groups;
    struct ec2_network *role_subnets; /* tagged kubernetes.io/role/... */

    struct api_error aws_error;     /* first AWS failure, code "" if none */
    struct api_error kube_error;    /* listing the ingresses failed */
    struct api_error kube_partial;  /* another list failed */
    /* A drill-down call failed (target health, rules, attributes,
     * subnets, security groups); code "" if none. */
    struct api_error aws_partial;
};

void chain_snapshot_cleanup(struct chain_snapshot *s);

/* The value of tag key in the tag set of arn, or NULL. */
const char *chain_tag(const struct chain_snapshot *s, const char *arn,
                      const char *key);
/* An ingress's annotation alb.ingress.kubernetes.io/NAME, or NULL. */
const char *chain_annotation(const struct kube_ingress_info *in,
                             const char *name);
/* The controller's stack id: the group name, or NAMESPACE/NAME. Written
 * to out. */
void chain_stack_id(const struct kube_ingress_info *in, char *out,
                    size_t outlen);

/*
 * Builds the chain of every ingress in s (or of the one named when
 * namespace and name are set) for cluster index cluster, sorted by
 * namespace and name, and the unclaimed load balancers. Reads s only.
 */
void chain_build(const struct chain_snapshot *s, size_t cluster,
                 struct chain **chains, size_t *count,
                 struct chain_alb **unclaimed, size_t *unclaimed_count);

/* Adds the findings of c, built from s; called by chain_build(). */
void chain_find_problems(const struct chain_snapshot *s,
                         const struct kube_ingress_info *in, struct chain *c);
void chain_add_finding(struct chain *c, enum chain_severity severity,
                       const char *title, const char *fix,
                       const char *detail_fmt, ...)
    __attribute__((format(printf, 5, 6)));

void chain_free_contents(struct chain *c);
void chain_free_alb(struct chain_alb *alb);

/* The load balancer serving in: the one tagged for this cluster with its
 * stack id, else the one whose DNS name is in its status; or NULL. */
const struct elbv2_load_balancer *
chain_match_load_balancer(const struct chain_snapshot *s,
                          const struct kube_ingress_info *in);

/* chain.c: the store */
struct chain_cluster *chains_cluster_state(struct chains *cs,
                                           size_t cluster);
struct chain *chains_insert(struct chains *cs, size_t cluster,
                            const char *namespace, const char *name);
void chains_replace(struct chains *cs, size_t cluster, struct chain *built,
                    size_t count, struct chain_alb *unclaimed,
                    size_t unclaimed_count);

/* chain_load.c: frees a load in flight whose calls will not complete,
 * and the list of drill-downs. */
void chain_load_free(void *load);
void chain_free_drilled(struct chain_cluster *cc);

#endif
