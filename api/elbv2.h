/*
 * Elastic Load Balancing v2 (query protocol, XML, version 2015-12-01): the
 * read calls behind the ingress drill-down. Each call fetches every page
 * (Marker/NextMarker) or, for DescribeTags, every batch of 20 ARNs, and
 * completes once with all the items.
 */
#ifndef ALBATROSS_ELBV2_H
#define ALBATROSS_ELBV2_H

#include <stddef.h>

#include "aws.h"

#define ELBV2_TAG_BATCH 20      /* ARNs per DescribeTags call (AWS's limit) */
#define ELBV2_PAGE_SIZE 400     /* PageSize, AWS's maximum */
#define ELBV2_MAX_PAGES 1000    /* pages of one call before it is stopped */
#define ELBV2_MAX_ITEMS 100000  /* items of one call */

struct elbv2_pair {
    char *key;
    char *value;
};

struct elbv2_zone {
    char *zone;             /* ZoneName */
    char *subnet_id;
};

struct elbv2_load_balancer {
    char *arn;
    char *name;
    char *dns_name;
    char *scheme;
    char *state;            /* State.Code */
    char *state_reason;     /* State.Reason, or NULL */
    char *type;
    char *vpc_id;
    char *ip_address_type;
    char *created;
    struct elbv2_zone *zones;
    size_t zone_count;
    char **security_groups;
    size_t security_group_count;
};

struct elbv2_forward {
    char *target_group_arn;
    int weight;             /* -1 when absent */
};

struct elbv2_action {
    char *type;             /* forward, redirect, fixed-response, ... */
    int order;              /* -1 when absent */
    char *target_group_arn; /* TargetGroupArn, or NULL */
    struct elbv2_forward *forwards; /* ForwardConfig.TargetGroups */
    size_t forward_count;
    /* RedirectConfig */
    char *redirect_protocol;
    char *redirect_port;
    char *redirect_host;
    char *redirect_path;
    char *redirect_status;
    /* FixedResponseConfig */
    char *fixed_status;
    char *fixed_content_type;
};

struct elbv2_certificate_ref {
    char *arn;
    int is_default;
};

struct elbv2_listener {
    char *arn;
    char *load_balancer_arn;
    int port;
    char *protocol;
    char *ssl_policy;       /* NULL for HTTP */
    struct elbv2_certificate_ref *certificates;
    size_t certificate_count;
    struct elbv2_action *default_actions;
    size_t default_action_count;
};

/* A condition: its Field and its values, from the legacy Values or the
 * field's own config ("name: value" for headers, "key=value" for query
 * strings). */
struct elbv2_condition {
    char *field;
    char **values;
    size_t value_count;
};

struct elbv2_rule {
    char *arn;
    char *priority;         /* "1".."50000" or "default" */
    int is_default;
    struct elbv2_condition *conditions;
    size_t condition_count;
    struct elbv2_action *actions;
    size_t action_count;
};

struct elbv2_target_group {
    char *arn;
    char *name;
    char *protocol;
    int port;               /* 0 for lambda targets */
    char *vpc_id;
    char *target_type;
    int health_check_enabled;
    char *health_check_protocol;
    char *health_check_port;
    char *health_check_path;
    char *matcher;          /* Matcher.HttpCode or Matcher.GrpcCode */
    int interval_seconds;
    int timeout_seconds;
    int healthy_threshold;
    int unhealthy_threshold;
    char **load_balancer_arns;
    size_t load_balancer_count;
};

struct elbv2_target_health {
    char *id;
    int port;
    char *zone;             /* AvailabilityZone, or NULL */
    char *state;
    char *reason;           /* or NULL */
    char *description;      /* or NULL */
};

struct elbv2_tag_set {
    char *arn;              /* ResourceArn */
    struct elbv2_pair *tags;
    size_t tag_count;
};

/* Everything one call returned; only the arrays of that call are set. */
struct elbv2_result {
    struct elbv2_load_balancer *load_balancers;
    size_t load_balancer_count;
    struct elbv2_listener *listeners;
    size_t listener_count;
    struct elbv2_rule *rules;
    size_t rule_count;
    struct elbv2_target_group *target_groups;
    size_t target_group_count;
    struct elbv2_target_health *targets;
    size_t target_count;
    struct elbv2_tag_set *tag_sets;
    size_t tag_set_count;
    struct elbv2_pair *attributes;
    size_t attribute_count;
    size_t requests;        /* replies it took */
};

void elbv2_result_free(struct elbv2_result *r);

enum elbv2_op {
    ELBV2_DESCRIBE_LOAD_BALANCERS,
    ELBV2_DESCRIBE_LISTENERS,
    ELBV2_DESCRIBE_RULES,
    ELBV2_DESCRIBE_TARGET_GROUPS,
    ELBV2_DESCRIBE_TARGET_HEALTH,
    ELBV2_DESCRIBE_TAGS,
    ELBV2_DESCRIBE_LOAD_BALANCER_ATTRIBUTES,
};

/*
 * Called once per call, from inside http_wait(), with every page's items
 * or with a NULL result and err. The result is the callee's to free with
 * elbv2_result_free(). Every function below returns 0, or -1 after
 * calling done with the error. region NULL means the session's region.
 */
typedef void (*elbv2_done_fn)(struct elbv2_result *r,
                              const struct api_error *err, void *ctx);

/* Every load balancer of the region. */
int elbv2_describe_load_balancers(struct aws_session *s, const char *region,
                                  elbv2_done_fn done, void *ctx);
int elbv2_describe_listeners(struct aws_session *s, const char *region,
                             const char *load_balancer_arn,
                             elbv2_done_fn done, void *ctx);
int elbv2_describe_rules(struct aws_session *s, const char *region,
                         const char *listener_arn, elbv2_done_fn done,
                         void *ctx);
/* The target groups of one load balancer, or of the region when
 * load_balancer_arn is NULL. */
int elbv2_describe_target_groups(struct aws_session *s, const char *region,
                                 const char *load_balancer_arn,
                                 elbv2_done_fn done, void *ctx);
int elbv2_describe_target_health(struct aws_session *s, const char *region,
                                 const char *target_group_arn,
                                 elbv2_done_fn done, void *ctx);
/* Tags of count resources, in calls of ELBV2_TAG_BATCH ARNs. The ARNs are
 * copied. */
int elbv2_describe_tags(struct aws_session *s, const char *region,
                        const char *const *arns, size_t count,
                        elbv2_done_fn done, void *ctx);
int elbv2_describe_load_balancer_attributes(struct aws_session *s,
                                            const char *region,
                                            const char *load_balancer_arn,
                                            elbv2_done_fn done, void *ctx);

/* "DescribeLoadBalancers", ... */
const char *elbv2_op_name(enum elbv2_op op);

/*
 * Appends the items of one reply to op to r and sets *next_marker to
 * NextMarker (NULL on the last page; always NULL for calls without
 * paging). Returns 0, or -1 with err set; r may then hold part of the
 * reply and is still the caller's to free. The calls above use it; it is
 * exported for tests.
 */
int elbv2_parse_reply(enum elbv2_op op, const char *xml, size_t len,
                      struct elbv2_result *r, char **next_marker,
                      struct api_error *err);

#endif
