/*
 * Elastic Load Balancing v2 (query protocol, 2015-12-01): the describe
 * calls over the world's load balancers, listeners, rules and target
 * groups, which the controller simulation created or the world file
 * lists. Each call returns the resources of the request's region only.
 * Load balancers go from provisioning to active, and targets from
 * initial to their health, on the sandbox clock.
 *
 * Limits: read-only; Describe* pages with Marker and PageSize as AWS
 * does, but DescribeListeners and DescribeRules ignore PageSize.
 */
#include "aws_services.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "world_net.h"

#define PAGE_DEFAULT 400
#define PAGE_MAX     400
#define TAGS_MAX     20     /* ARNs per DescribeTags */
#define MEMBERS_MAX  400

/* Values of a query list parameter NAME.member.1, .2, ... */
struct members {
    const char *items[MEMBERS_MAX];
    size_t count;
};

static int members(const struct awsreply *r, const char *name,
                   struct members *m)
{
    long n = awsreply_members(r, name, m->items, MEMBERS_MAX);
    m->count = n < 0 ? 0 : (size_t)n;
    return n < 0 ? -1 : 0;
}

static int listed(const struct members *m, const char *value)
{
    for (size_t i = 0; i < m->count; i++)
        if (strcmp(m->items[i], value) == 0)
            return 1;
    return 0;
}

static int write_int(struct awsreply *r, const char *name, long value)
{
    char text[32];
    snprintf(text, sizeof(text), "%ld", value);
    return awsreply_xml_text(r, name, text);
}

static void finish(struct awsreply *r, int rc)
{
    if (rc == 0)
        awsreply_xml_end(r);
    else
        awsreply_error(r, 500, "InternalFailure", "could not write the reply");
}

/* ---- paging ---------------------------------------------------------------- */

struct page {
    size_t start;
    size_t size;
};

/* Marker and PageSize; returns 0, or -1 after replying with the error. */
static int read_page(struct awsreply *r, struct page *p)
{
    const char *size = awsreply_param(r, "PageSize");
    const char *marker = awsreply_param(r, "Marker");
    p->start = 0;
    p->size = PAGE_DEFAULT;
    if (size) {
        char *end;
        long n = strtol(size, &end, 10);
        if (*end || !*size || n < 1 || n > PAGE_MAX) {
            awsreply_error(r, 400, "ValidationError", "1 validation error "
                           "detected: Value '%.20s' at 'pageSize' failed to "
                           "satisfy constraint: Member must have value %s",
                           size, n < 1 ? "greater than or equal to 1"
                                       : "less than or equal to 400");
            return -1;
        }
        p->size = (size_t)n;
    }
    if (marker && *marker) {
        char *position = awsreply_marker_decode(marker);
        char *end = NULL;
        unsigned long n = position ? strtoul(position, &end, 10) : 0;
        int valid = position && *position && !*end;
        free(position);
        if (!valid) {
            awsreply_error(r, 400, "ValidationError", "Invalid marker '%.64s'",
                           marker);
            return -1;
        }
        p->start = n;
    }
    return 0;
}

/* NextMarker when items after `shown` remain. */
static int write_next_marker(struct awsreply *r, size_t shown, size_t total)
{
    if (shown >= total)
        return 0;
    char position[32];
    snprintf(position, sizeof(position), "%zu", shown);
    char *marker = awsreply_marker_encode(position);
    int rc = marker ? awsreply_xml_text(r, "NextMarker", marker) : -1;
    free(marker);
    return rc;
}

static int in_region(const struct awsreply *r, const char *arn)
{
    char prefix[96];
    snprintf(prefix, sizeof(prefix), "arn:aws:elasticloadbalancing:%s:",
             r->region);
    return strncmp(arn, prefix, strlen(prefix)) == 0;
}

/* ---- DescribeLoadBalancers -------------------------------------------------- */

static int write_zones(struct awsreply *r,
                       const struct world_load_balancer *lb)
{
    int rc = awsreply_xml_open(r, "AvailabilityZones");
    for (size_t i = 0; i < lb->subnet_count; i++) {
        const struct world_subnet *s = world_subnet(r->world,
                                                    lb->subnet_ids[i]);
        rc |= awsreply_xml_open(r, "member");
        rc |= awsreply_xml_text(r, "ZoneName", s ? s->az : "unknown");
        rc |= awsreply_xml_text(r, "SubnetId", lb->subnet_ids[i]);
        rc |= awsreply_xml_open(r, "LoadBalancerAddresses");
        rc |= awsreply_xml_close(r);
        rc |= awsreply_xml_close(r);
    }
    return rc | awsreply_xml_close(r);
}

static int write_load_balancer(struct awsreply *r,
                               const struct world_load_balancer *lb)
{
    const char *state = world_load_balancer_state(r->world, lb);
    int rc = awsreply_xml_open(r, "member");
    rc |= awsreply_xml_text(r, "LoadBalancerArn", lb->arn);
    rc |= awsreply_xml_text(r, "DNSName", lb->dns_name);
    rc |= awsreply_xml_text(r, "CanonicalHostedZoneId",
                            world_lb_zone(lb->region));
    rc |= awsreply_xml_text(r, "CreatedTime", lb->created);
    rc |= awsreply_xml_text(r, "LoadBalancerName", lb->name);
    rc |= awsreply_xml_text(r, "Scheme", lb->scheme);
    rc |= awsreply_xml_text(r, "VpcId", lb->vpc_id);
    rc |= awsreply_xml_open(r, "State");
    rc |= awsreply_xml_text(r, "Code", state);
    rc |= awsreply_xml_close(r);
    rc |= awsreply_xml_text(r, "Type", "application");
    rc |= write_zones(r, lb);
    rc |= awsreply_xml_open(r, "SecurityGroups");
    for (size_t i = 0; i < lb->security_group_count; i++)
        rc |= awsreply_xml_text(r, "member", lb->security_group_ids[i]);
    rc |= awsreply_xml_close(r);
    rc |= awsreply_xml_text(r, "IpAddressType", lb->ip_address_type);
    return rc | awsreply_xml_close(r);
}

/* Replies LoadBalancerNotFound unless every ARN and name is one of the
 * region's load balancers; returns 0 when they all are. */
static int check_named(struct awsreply *r, const struct members *arns,
                       const struct members *names)
{
    const struct members *m = arns->count ? arns : names;
    for (size_t i = 0; i < m->count; i++) {
        int found = 0;
        for (size_t j = 0; j < r->world->load_balancer_count && !found; j++) {
            const struct world_load_balancer *lb = &r->world->load_balancers[j];
            found = strcmp(lb->region, r->region) == 0 &&
                    strcmp(m == arns ? lb->arn : lb->name, m->items[i]) == 0;
        }
        if (found)
            continue;
        if (m == arns)
            awsreply_error(r, 400, "LoadBalancerNotFound", "One or more load "
                           "balancers not found");
        else
            awsreply_error(r, 400, "LoadBalancerNotFound", "Load balancers "
                           "'[%.200s]' not found", m->items[i]);
        return -1;
    }
    return 0;
}

static int lb_selected(const struct awsreply *r,
                       const struct world_load_balancer *lb,
                       const struct members *arns,
                       const struct members *names)
{
    if (strcmp(lb->region, r->region) != 0)
        return 0;
    if (arns->count)
        return listed(arns, lb->arn);
    return !names->count || listed(names, lb->name);
}

static void describe_load_balancers(struct awsreply *r)
{
    static struct members arns, names;  /* one thread serves requests */
    struct page page;
    if (members(r, "LoadBalancerArns", &arns) < 0 ||
        members(r, "Names", &names) < 0) {
        awsreply_error(r, 400, "ValidationError", "Too many load balancers "
                       "requested");
        return;
    }
    if (arns.count && names.count) {
        awsreply_error(r, 400, "ValidationError", "Load balancer names and "
                       "load balancer ARNs cannot be specified at the same "
                       "time");
        return;
    }
    if (read_page(r, &page) < 0 || check_named(r, &arns, &names) < 0)
        return;
    size_t seen = 0, shown = 0;
    int rc = awsreply_xml_begin(r);
    rc |= awsreply_xml_open(r, "LoadBalancers");
    for (size_t i = 0; i < r->world->load_balancer_count; i++) {
        const struct world_load_balancer *lb = &r->world->load_balancers[i];
        if (!lb_selected(r, lb, &arns, &names))
            continue;
        if (seen++ < page.start || shown >= page.size)
            continue;
        rc |= write_load_balancer(r, lb);
        shown++;
    }
    rc |= awsreply_xml_close(r);
    rc |= write_next_marker(r, page.start + shown, seen);
    finish(r, rc);
}

/* ---- listeners and rules ------------------------------------------------------ */

static int write_action(struct awsreply *r, const struct world_action *a)
{
    int rc = awsreply_xml_open(r, "member");
    rc |= awsreply_xml_text(r, "Type", a->type);
    if (strcmp(a->type, "forward") == 0) {
        rc |= awsreply_xml_text(r, "TargetGroupArn", a->target_group_arn);
        rc |= awsreply_xml_open(r, "ForwardConfig");
        rc |= awsreply_xml_open(r, "TargetGroups");
        rc |= awsreply_xml_open(r, "member");
        rc |= awsreply_xml_text(r, "TargetGroupArn", a->target_group_arn);
        rc |= write_int(r, "Weight", 1);
        rc |= awsreply_xml_close(r);
        rc |= awsreply_xml_close(r);
        rc |= awsreply_xml_open(r, "TargetGroupStickinessConfig");
        rc |= awsreply_xml_text(r, "Enabled", "false");
        rc |= awsreply_xml_close(r);
        rc |= awsreply_xml_close(r);
    } else if (strcmp(a->type, "fixed-response") == 0) {
        rc |= awsreply_xml_open(r, "FixedResponseConfig");
        rc |= awsreply_xml_text(r, "MessageBody", a->message_body);
        rc |= awsreply_xml_text(r, "StatusCode", a->status_code);
        rc |= awsreply_xml_text(r, "ContentType", a->content_type);
        rc |= awsreply_xml_close(r);
    } else if (strcmp(a->type, "redirect") == 0) {
        rc |= awsreply_xml_open(r, "RedirectConfig");
        rc |= awsreply_xml_text(r, "Protocol", a->redirect_protocol);
        rc |= awsreply_xml_text(r, "Port", a->redirect_port);
        rc |= awsreply_xml_text(r, "Host", "#{host}");
        rc |= awsreply_xml_text(r, "Path", "/#{path}");
        rc |= awsreply_xml_text(r, "Query", "#{query}");
        rc |= awsreply_xml_text(r, "StatusCode", a->status_code);
        rc |= awsreply_xml_close(r);
    }
    return rc | awsreply_xml_close(r);
}

static int write_listener(struct awsreply *r, const struct world_listener *l)
{
    int rc = awsreply_xml_open(r, "member");
    rc |= awsreply_xml_text(r, "ListenerArn", l->arn);
    rc |= awsreply_xml_text(r, "LoadBalancerArn", l->lb_arn);
    rc |= write_int(r, "Port", l->port);
    rc |= awsreply_xml_text(r, "Protocol", l->protocol);
    if (l->certificate_count) {
        /* AWS lists only the default certificate here. */
        rc |= awsreply_xml_open(r, "Certificates");
        rc |= awsreply_xml_open(r, "member");
        rc |= awsreply_xml_text(r, "CertificateArn", l->certificate_arns[0]);
        rc |= awsreply_xml_close(r);
        rc |= awsreply_xml_close(r);
    }
    rc |= awsreply_xml_text(r, "SslPolicy", l->ssl_policy);
    rc |= awsreply_xml_open(r, "DefaultActions");
    rc |= write_action(r, &l->default_action);
    rc |= awsreply_xml_close(r);
    return rc | awsreply_xml_close(r);
}

static const struct world_listener *find_listener(const struct world *w,
                                                  const char *arn)
{
    for (size_t i = 0; arn && i < w->listener_count; i++)
        if (strcmp(w->listeners[i].arn, arn) == 0)
            return &w->listeners[i];
    return NULL;
}

static int listener_selected(const struct awsreply *r,
                             const struct world_listener *l,
                             const char *lb_arn, const struct members *arns)
{
    if (!in_region(r, l->arn))
        return 0;
    return lb_arn ? strcmp(l->lb_arn, lb_arn) == 0 : listed(arns, l->arn);
}

static int check_listeners(struct awsreply *r, const char *lb_arn,
                           const struct members *arns)
{
    const struct world_load_balancer *lb = world_load_balancer(r->world,
                                                               lb_arn);
    if (!lb_arn && !arns->count) {
        awsreply_error(r, 400, "ValidationError", "You must specify either "
                       "listener ARNs or a load balancer ARN");
        return -1;
    }
    if (lb_arn && (!lb || !in_region(r, lb->arn))) {
        awsreply_error(r, 400, "LoadBalancerNotFound", "One or more load "
                       "balancers not found");
        return -1;
    }
    for (size_t i = 0; !lb_arn && i < arns->count; i++) {
        const struct world_listener *l = find_listener(r->world,
                                                       arns->items[i]);
        if (!l || !in_region(r, l->arn)) {
            awsreply_error(r, 400, "ListenerNotFound", "One or more "
                           "listeners not found");
            return -1;
        }
    }
    return 0;
}

static void describe_listeners(struct awsreply *r)
{
    static struct members arns;
    const char *lb_arn = awsreply_param(r, "LoadBalancerArn");
    struct page page;
    if (members(r, "ListenerArns", &arns) < 0 || read_page(r, &page) < 0 ||
        check_listeners(r, lb_arn, &arns) < 0)
        return;
    size_t seen = 0, shown = 0;
    int rc = awsreply_xml_begin(r);
    rc |= awsreply_xml_open(r, "Listeners");
    for (size_t i = 0; i < r->world->listener_count; i++) {
        const struct world_listener *l = &r->world->listeners[i];
        if (!listener_selected(r, l, lb_arn, &arns))
            continue;
        if (seen++ < page.start || shown >= page.size)
            continue;
        rc |= write_listener(r, l);
        shown++;
    }
    rc |= awsreply_xml_close(r);
    rc |= write_next_marker(r, page.start + shown, seen);
    finish(r, rc);
}

static int write_condition(struct awsreply *r, const char *field,
                           char **values, size_t count)
{
    const char *config = strcmp(field, "host-header") == 0
                             ? "HostHeaderConfig" : "PathPatternConfig";
    int rc = awsreply_xml_open(r, "member");
    rc |= awsreply_xml_text(r, "Field", field);
    rc |= awsreply_xml_open(r, "Values");
    for (size_t i = 0; i < count; i++)
        rc |= awsreply_xml_text(r, "member", values[i]);
    rc |= awsreply_xml_close(r);
    rc |= awsreply_xml_open(r, config);
    rc |= awsreply_xml_open(r, "Values");
    for (size_t i = 0; i < count; i++)
        rc |= awsreply_xml_text(r, "member", values[i]);
    rc |= awsreply_xml_close(r);
    rc |= awsreply_xml_close(r);
    return rc | awsreply_xml_close(r);
}

static int write_rule(struct awsreply *r, const struct world_rule *rule)
{
    char priority[16];
    snprintf(priority, sizeof(priority), "%d", rule->priority);
    int rc = awsreply_xml_open(r, "member");
    rc |= awsreply_xml_text(r, "RuleArn", rule->arn);
    rc |= awsreply_xml_text(r, "Priority",
                            rule->priority ? priority : "default");
    rc |= awsreply_xml_open(r, "Conditions");
    if (rule->host_count)
        rc |= write_condition(r, "host-header", rule->hosts,
                              rule->host_count);
    if (rule->path_count)
        rc |= write_condition(r, "path-pattern", rule->paths,
                              rule->path_count);
    rc |= awsreply_xml_close(r);
    rc |= awsreply_xml_open(r, "Actions");
    rc |= write_action(r, &rule->action);
    rc |= awsreply_xml_close(r);
    rc |= awsreply_xml_text(r, "IsDefault",
                            rule->priority ? "false" : "true");
    return rc | awsreply_xml_close(r);
}

static const struct world_rule *find_rule(const struct world *w,
                                          const char *arn)
{
    for (size_t i = 0; i < w->rule_count; i++)
        if (strcmp(w->rules[i].arn, arn) == 0)
            return &w->rules[i];
    return NULL;
}

static int check_rules(struct awsreply *r, const char *listener_arn,
                       const struct members *arns)
{
    const struct world_listener *l = find_listener(r->world, listener_arn);
    if (!listener_arn && !arns->count) {
        awsreply_error(r, 400, "ValidationError", "You must specify either "
                       "listener rule ARNs or a listener ARN");
        return -1;
    }
    if (listener_arn && (!l || !in_region(r, l->arn))) {
        awsreply_error(r, 400, "ListenerNotFound", "One or more listeners "
                       "not found");
        return -1;
    }
    for (size_t i = 0; !listener_arn && i < arns->count; i++) {
        const struct world_rule *rule = find_rule(r->world, arns->items[i]);
        if (!rule || !in_region(r, rule->arn)) {
            awsreply_error(r, 400, "RuleNotFound", "One or more rules not "
                           "found");
            return -1;
        }
    }
    return 0;
}

/* Rules in priority order, the default rule last, as AWS lists them. */
static void describe_rules(struct awsreply *r)
{
    static struct members arns;
    const char *listener_arn = awsreply_param(r, "ListenerArn");
    struct page page;
    if (members(r, "RuleArns", &arns) < 0 || read_page(r, &page) < 0 ||
        check_rules(r, listener_arn, &arns) < 0)
        return;
    size_t seen = 0, shown = 0;
    int rc = awsreply_xml_begin(r);
    rc |= awsreply_xml_open(r, "Rules");
    for (int pass = 0; pass < 2; pass++)
        for (size_t i = 0; i < r->world->rule_count; i++) {
            const struct world_rule *rule = &r->world->rules[i];
            int wanted = listener_arn
                             ? strcmp(rule->listener_arn, listener_arn) == 0
                             : listed(&arns, rule->arn);
            if (!wanted || (rule->priority == 0) != pass)
                continue;
            if (seen++ < page.start || shown >= page.size)
                continue;
            rc |= write_rule(r, rule);
            shown++;
        }
    rc |= awsreply_xml_close(r);
    rc |= write_next_marker(r, page.start + shown, seen);
    finish(r, rc);
}

/* ---- target groups ---------------------------------------------------------------- */

static int write_target_group(struct awsreply *r,
                              const struct world_target_group *tg)
{
    int rc = awsreply_xml_open(r, "member");
    rc |= awsreply_xml_text(r, "TargetGroupArn", tg->arn);
    rc |= awsreply_xml_text(r, "TargetGroupName", tg->name);
    rc |= awsreply_xml_text(r, "Protocol", tg->protocol);
    rc |= write_int(r, "Port", tg->port);
    rc |= awsreply_xml_text(r, "VpcId", tg->vpc_id);
    rc |= awsreply_xml_text(r, "HealthCheckProtocol", tg->health_protocol);
    rc |= awsreply_xml_text(r, "HealthCheckPort", tg->health_port);
    rc |= awsreply_xml_text(r, "HealthCheckEnabled", "true");
    rc |= write_int(r, "HealthCheckIntervalSeconds", tg->health_interval);
    rc |= write_int(r, "HealthCheckTimeoutSeconds", tg->health_timeout);
    rc |= write_int(r, "HealthyThresholdCount", tg->healthy_threshold);
    rc |= write_int(r, "UnhealthyThresholdCount", tg->unhealthy_threshold);
    rc |= awsreply_xml_text(r, "HealthCheckPath", tg->health_path);
    rc |= awsreply_xml_open(r, "Matcher");
    rc |= awsreply_xml_text(r, "HttpCode", tg->matcher);
    rc |= awsreply_xml_close(r);
    rc |= awsreply_xml_open(r, "LoadBalancerArns");
    if (tg->lb_arn)
        rc |= awsreply_xml_text(r, "member", tg->lb_arn);
    rc |= awsreply_xml_close(r);
    rc |= awsreply_xml_text(r, "TargetType", tg->target_type);
    rc |= awsreply_xml_text(r, "ProtocolVersion", tg->protocol_version);
    rc |= awsreply_xml_text(r, "IpAddressType", "ipv4");
    return rc | awsreply_xml_close(r);
}

static int tg_selected(const struct awsreply *r,
                       const struct world_target_group *tg,
                       const char *lb_arn, const struct members *arns,
                       const struct members *names)
{
    if (strcmp(tg->region, r->region) != 0)
        return 0;
    if (lb_arn)
        return tg->lb_arn && strcmp(tg->lb_arn, lb_arn) == 0;
    if (arns->count)
        return listed(arns, tg->arn);
    return !names->count || listed(names, tg->name);
}

static int check_target_groups(struct awsreply *r, const char *lb_arn,
                               const struct members *arns,
                               const struct members *names)
{
    const struct world_load_balancer *lb = world_load_balancer(r->world,
                                                               lb_arn);
    if ((lb_arn != NULL) + (arns->count > 0) + (names->count > 0) > 1) {
        awsreply_error(r, 400, "ValidationError", "Only one of the load "
                       "balancer ARN, target group ARNs and names can be "
                       "specified");
        return -1;
    }
    if (lb_arn && (!lb || strcmp(lb->region, r->region) != 0)) {
        awsreply_error(r, 400, "LoadBalancerNotFound", "One or more load "
                       "balancers not found");
        return -1;
    }
    const struct members *m = arns->count ? arns : names;
    for (size_t i = 0; i < m->count; i++) {
        int found = 0;
        for (size_t j = 0; j < r->world->target_group_count && !found; j++) {
            const struct world_target_group *tg = &r->world->target_groups[j];
            found = strcmp(tg->region, r->region) == 0 &&
                    strcmp(m == arns ? tg->arn : tg->name, m->items[i]) == 0;
        }
        if (!found) {
            awsreply_error(r, 400, "TargetGroupNotFound", "One or more target "
                           "groups not found");
            return -1;
        }
    }
    return 0;
}

static void describe_target_groups(struct awsreply *r)
{
    static struct members arns, names;
    const char *lb_arn = awsreply_param(r, "LoadBalancerArn");
    struct page page;
    if (members(r, "TargetGroupArns", &arns) < 0 ||
        members(r, "Names", &names) < 0 || read_page(r, &page) < 0 ||
        check_target_groups(r, lb_arn, &arns, &names) < 0)
        return;
    size_t seen = 0, shown = 0;
    int rc = awsreply_xml_begin(r);
    rc |= awsreply_xml_open(r, "TargetGroups");
    for (size_t i = 0; i < r->world->target_group_count; i++) {
        const struct world_target_group *tg = &r->world->target_groups[i];
        if (!tg_selected(r, tg, lb_arn, &arns, &names))
            continue;
        if (seen++ < page.start || shown >= page.size)
            continue;
        rc |= write_target_group(r, tg);
        shown++;
    }
    rc |= awsreply_xml_close(r);
    rc |= write_next_marker(r, page.start + shown, seen);
    finish(r, rc);
}

/* ---- DescribeTargetHealth ---------------------------------------------------------- */

struct health {
    const char *state;
    const char *reason;
    const char *description;
};

/* Registration, then the initial checks, then the target's own health;
 * a target group no load balancer uses has no checks at all. */
static void target_health(const struct awsreply *r,
                          const struct world_target_group *tg,
                          const struct world_target *t, struct health *h)
{
    const struct world_timing *timing = &r->world->timing;
    double age = world_clock(r->world) - tg->registered;
    if (!tg->lb_arn) {
        *h = (struct health){ "unused", "Target.NotInUse", "Target group is "
                              "not configured to receive traffic from the "
                              "load balancer" };
    } else if (age < timing->registration) {
        *h = (struct health){ "initial", "Elb.RegistrationInProgress",
                              "Target registration is in progress" };
    } else if (age < timing->registration + timing->initial_checks) {
        *h = (struct health){ "initial", "Elb.InitialHealthChecking",
                              "Initial health checks in progress" };
    } else {
        *h = (struct health){ t->state, t->reason, t->description };
    }
}

static int write_health(struct awsreply *r,
                        const struct world_target_group *tg, const char *id,
                        int port, const char *az, const struct health *h)
{
    char port_text[16];
    snprintf(port_text, sizeof(port_text), "%d", port);
    int rc = awsreply_xml_open(r, "member");
    rc |= awsreply_xml_open(r, "Target");
    rc |= awsreply_xml_text(r, "Id", id);
    rc |= write_int(r, "Port", port);
    rc |= awsreply_xml_text(r, "AvailabilityZone", az);
    rc |= awsreply_xml_close(r);
    rc |= awsreply_xml_text(r, "HealthCheckPort",
                            strcmp(tg->health_port, "traffic-port") == 0
                                ? port_text : tg->health_port);
    rc |= awsreply_xml_open(r, "TargetHealth");
    rc |= awsreply_xml_text(r, "State", h->state);
    rc |= awsreply_xml_text(r, "Reason", h->reason);
    rc |= awsreply_xml_text(r, "Description", h->description);
    rc |= awsreply_xml_close(r);
    return rc | awsreply_xml_close(r);
}

static const struct world_target *find_target(
    const struct world_target_group *tg, const char *id, int port)
{
    for (size_t i = 0; i < tg->target_count; i++)
        if (strcmp(tg->targets[i].id, id) == 0 &&
            (port == 0 || tg->targets[i].port == port))
            return &tg->targets[i];
    return NULL;
}

/* Targets.member.N.Id and .Port: the health of those targets only, and
 * Target.NotRegistered for any the group does not have. */
static int write_named_targets(struct awsreply *r,
                               const struct world_target_group *tg)
{
    int rc = 0;
    for (size_t i = 1;; i++) {
        char key[64];
        snprintf(key, sizeof(key), "Targets.member.%zu.Id", i);
        const char *id = awsreply_param(r, key);
        if (!id)
            return rc;
        snprintf(key, sizeof(key), "Targets.member.%zu.Port", i);
        const char *port_text = awsreply_param(r, key);
        int port = port_text ? atoi(port_text) : 0;
        const struct world_target *t = find_target(tg, id, port);
        struct health h = { "unused", "Target.NotRegistered",
                            "Target is not registered to the target group" };
        if (t)
            target_health(r, tg, t, &h);
        rc |= write_health(r, tg, id, t ? t->port : (port ? port : tg->port),
                           t ? t->az : NULL, &h);
    }
}

static void describe_target_health(struct awsreply *r)
{
    const char *arn = awsreply_param(r, "TargetGroupArn");
    const struct world_target_group *tg = world_target_group(r->world, arn);
    if (!arn) {
        awsreply_error(r, 400, "ValidationError", "1 validation error "
                       "detected: Value null at 'targetGroupArn' failed to "
                       "satisfy constraint: Member must not be null");
        return;
    }
    if (!tg || strcmp(tg->region, r->region) != 0) {
        awsreply_error(r, 400, "TargetGroupNotFound", "Target groups '%.300s' "
                       "not found", arn);
        return;
    }
    int rc = awsreply_xml_begin(r);
    rc |= awsreply_xml_open(r, "TargetHealthDescriptions");
    if (awsreply_param(r, "Targets.member.1.Id")) {
        rc |= write_named_targets(r, tg);
    } else {
        for (size_t i = 0; i < tg->target_count; i++) {
            const struct world_target *t = &tg->targets[i];
            struct health h;
            target_health(r, tg, t, &h);
            rc |= write_health(r, tg, t->id, t->port, t->az, &h);
        }
    }
    rc |= awsreply_xml_close(r);
    finish(r, rc);
}

/* ---- DescribeTags and attributes ---------------------------------------------------- */

/* The tags of any ELBv2 resource by ARN; NULL after replying with the
 * resource kind's not-found error. */
static const struct world_kv_list *tags_of(struct awsreply *r,
                                           const char *arn)
{
    const struct world *w = r->world;
    if (in_region(r, arn)) {
        if (world_load_balancer(w, arn))
            return &world_load_balancer(w, arn)->tags;
        if (world_target_group(w, arn))
            return &world_target_group(w, arn)->tags;
        if (find_listener(w, arn))
            return &find_listener(w, arn)->tags;
        if (find_rule(w, arn))
            return &find_rule(w, arn)->tags;
    }
    if (strstr(arn, ":targetgroup/"))
        awsreply_error(r, 400, "TargetGroupNotFound", "Target groups "
                       "'%.300s' not found", arn);
    else if (strstr(arn, ":listener-rule/"))
        awsreply_error(r, 400, "RuleNotFound", "One or more rules not found");
    else if (strstr(arn, ":listener/"))
        awsreply_error(r, 400, "ListenerNotFound", "One or more listeners not "
                       "found");
    else
        awsreply_error(r, 400, "LoadBalancerNotFound", "Load balancer "
                       "'%.300s' not found", arn);
    return NULL;
}

static void describe_tags(struct awsreply *r)
{
    static struct members arns;
    const struct world_kv_list *lists[TAGS_MAX];
    if (members(r, "ResourceArns", &arns) < 0 || arns.count > TAGS_MAX) {
        awsreply_error(r, 400, "ValidationError", "1 validation error "
                       "detected: Value at 'resourceArns' failed to satisfy "
                       "constraint: Member must have length less than or "
                       "equal to %d", TAGS_MAX);
        return;
    }
    if (arns.count == 0) {
        awsreply_error(r, 400, "ValidationError", "1 validation error "
                       "detected: Value '[]' at 'resourceArns' failed to "
                       "satisfy constraint: Member must have length greater "
                       "than or equal to 1");
        return;
    }
    for (size_t i = 0; i < arns.count; i++)
        if (!(lists[i] = tags_of(r, arns.items[i])))
            return;
    int rc = awsreply_xml_begin(r);
    rc |= awsreply_xml_open(r, "TagDescriptions");
    for (size_t i = 0; i < arns.count; i++) {
        rc |= awsreply_xml_open(r, "member");
        rc |= awsreply_xml_text(r, "ResourceArn", arns.items[i]);
        rc |= awsreply_xml_open(r, "Tags");
        for (size_t j = 0; j < lists[i]->count; j++) {
            rc |= awsreply_xml_open(r, "member");
            rc |= awsreply_xml_text(r, "Key", lists[i]->items[j].key);
            rc |= awsreply_xml_text(r, "Value", lists[i]->items[j].value);
            rc |= awsreply_xml_close(r);
        }
        rc |= awsreply_xml_close(r);
        rc |= awsreply_xml_close(r);
    }
    rc |= awsreply_xml_close(r);
    finish(r, rc);
}

/* Attributes AWS reports for a load balancer the world file lists. */
static const char *const default_attributes[][2] = {
    {"deletion_protection.enabled", "false"},
    {"idle_timeout.timeout_seconds", "60"},
    {"routing.http2.enabled", "true"},
    {"access_logs.s3.enabled", "false"},
};

static void describe_attributes(struct awsreply *r)
{
    const char *arn = awsreply_param(r, "LoadBalancerArn");
    const struct world_load_balancer *lb = world_load_balancer(r->world, arn);
    if (!lb || !in_region(r, lb->arn)) {
        awsreply_error(r, 400, "LoadBalancerNotFound", "Load balancer "
                       "'%.300s' not found", arn ? arn : "");
        return;
    }
    int rc = awsreply_xml_begin(r);
    rc |= awsreply_xml_open(r, "Attributes");
    size_t n = lb->attributes.count
                   ? lb->attributes.count
                   : sizeof(default_attributes) / sizeof(default_attributes[0]);
    for (size_t i = 0; i < n; i++) {
        rc |= awsreply_xml_open(r, "member");
        rc |= awsreply_xml_text(r, "Key", lb->attributes.count
                                              ? lb->attributes.items[i].key
                                              : default_attributes[i][0]);
        rc |= awsreply_xml_text(r, "Value", lb->attributes.count
                                                ? lb->attributes.items[i].value
                                                : default_attributes[i][1]);
        rc |= awsreply_xml_close(r);
    }
    rc |= awsreply_xml_close(r);
    finish(r, rc);
}

static const struct {
    const char *action;
    void (*serve)(struct awsreply *r);
} actions[] = {
    {"DescribeLoadBalancers", describe_load_balancers},
    {"DescribeListeners", describe_listeners},
    {"DescribeRules", describe_rules},
    {"DescribeTargetGroups", describe_target_groups},
    {"DescribeTargetHealth", describe_target_health},
    {"DescribeTags", describe_tags},
    {"DescribeLoadBalancerAttributes", describe_attributes},
};

void aws_elbv2_serve(struct awsreply *r)
{
    for (size_t i = 0; i < sizeof(actions) / sizeof(actions[0]); i++)
        if (strcmp(actions[i].action, r->action) == 0) {
            actions[i].serve(r);
            return;
        }
    awsreply_error(r, 400, "InvalidAction", "Could not find operation %s for "
                   "version 2015-12-01", r->action);
}
