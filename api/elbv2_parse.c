/*
 * Parsing ELBv2 replies into plain structs. Items without their ARN (or,
 * for targets, their Id) are skipped: nothing could refer to them. Missing
 * optional fields stay NULL. The tree is freed before returning.
 */
#include "elbv2.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "awsxml.h"

static const char *const op_names[] = {
    [ELBV2_DESCRIBE_LOAD_BALANCERS] = "DescribeLoadBalancers",
    [ELBV2_DESCRIBE_LISTENERS] = "DescribeListeners",
    [ELBV2_DESCRIBE_RULES] = "DescribeRules",
    [ELBV2_DESCRIBE_TARGET_GROUPS] = "DescribeTargetGroups",
    [ELBV2_DESCRIBE_TARGET_HEALTH] = "DescribeTargetHealth",
    [ELBV2_DESCRIBE_TAGS] = "DescribeTags",
    [ELBV2_DESCRIBE_LOAD_BALANCER_ATTRIBUTES] =
        "DescribeLoadBalancerAttributes",
};

/* ---- freeing ---- */

static void free_strings(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

static void free_pairs(struct elbv2_pair *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(p[i].key);
        free(p[i].value);
    }
    free(p);
}

static void free_load_balancer(struct elbv2_load_balancer *lb)
{
    char *fields[] = {lb->arn, lb->name, lb->dns_name, lb->scheme, lb->state,
                      lb->state_reason, lb->type, lb->vpc_id,
                      lb->ip_address_type, lb->created};
    for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
        free(fields[i]);
    for (size_t i = 0; i < lb->zone_count; i++) {
        free(lb->zones[i].zone);
        free(lb->zones[i].subnet_id);
    }
    free(lb->zones);
    free_strings(lb->security_groups, lb->security_group_count);
}

static void free_actions(struct elbv2_action *a, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char *fields[] = {a[i].type, a[i].target_group_arn,
                          a[i].redirect_protocol, a[i].redirect_port,
                          a[i].redirect_host, a[i].redirect_path,
                          a[i].redirect_status, a[i].fixed_status,
                          a[i].fixed_content_type};
        for (size_t k = 0; k < sizeof(fields) / sizeof(fields[0]); k++)
            free(fields[k]);
        for (size_t k = 0; k < a[i].forward_count; k++)
            free(a[i].forwards[k].target_group_arn);
        free(a[i].forwards);
    }
    free(a);
}

static void free_listener(struct elbv2_listener *l)
{
    free(l->arn);
    free(l->load_balancer_arn);
    free(l->protocol);
    free(l->ssl_policy);
    for (size_t i = 0; i < l->certificate_count; i++)
        free(l->certificates[i].arn);
    free(l->certificates);
    free_actions(l->default_actions, l->default_action_count);
}

static void free_rule(struct elbv2_rule *r)
{
    free(r->arn);
    free(r->priority);
    for (size_t i = 0; i < r->condition_count; i++) {
        free(r->conditions[i].field);
        free_strings(r->conditions[i].values, r->conditions[i].value_count);
    }
    free(r->conditions);
    free_actions(r->actions, r->action_count);
}

static void free_target_group(struct elbv2_target_group *tg)
{
    char *fields[] = {tg->arn, tg->name, tg->protocol, tg->vpc_id,
                      tg->target_type, tg->health_check_protocol,
                      tg->health_check_port, tg->health_check_path,
                      tg->matcher};
    for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
        free(fields[i]);
    free_strings(tg->load_balancer_arns, tg->load_balancer_count);
}

static void free_target(struct elbv2_target_health *t)
{
    free(t->id);
    free(t->zone);
    free(t->state);
    free(t->reason);
    free(t->description);
}

static void free_contents(struct elbv2_result *r)
{
    for (size_t i = 0; i < r->load_balancer_count; i++)
        free_load_balancer(&r->load_balancers[i]);
    free(r->load_balancers);
    for (size_t i = 0; i < r->listener_count; i++)
        free_listener(&r->listeners[i]);
    free(r->listeners);
    for (size_t i = 0; i < r->rule_count; i++)
        free_rule(&r->rules[i]);
    free(r->rules);
    for (size_t i = 0; i < r->target_group_count; i++)
        free_target_group(&r->target_groups[i]);
    free(r->target_groups);
    for (size_t i = 0; i < r->target_count; i++)
        free_target(&r->targets[i]);
    free(r->targets);
    for (size_t i = 0; i < r->tag_set_count; i++) {
        free(r->tag_sets[i].arn);
        free_pairs(r->tag_sets[i].tags, r->tag_sets[i].tag_count);
    }
    free(r->tag_sets);
    free_pairs(r->attributes, r->attribute_count);
}

void elbv2_result_free(struct elbv2_result *r)
{
    if (!r)
        return;
    free_contents(r);
    free(r);
}

/* ---- small readers ---- */

/* Appends one zeroed element to *items; returns it, or NULL when memory
 * runs out or the list reached ELBV2_MAX_ITEMS. */
static void *push(void *items, size_t *count, size_t elem)
{
    void **p = items;
    if (*count >= ELBV2_MAX_ITEMS)
        return NULL;
    char *grown = realloc(*p, (*count + 1) * elem);
    if (!grown)
        return NULL;
    *p = grown;
    memset(grown + *count * elem, 0, elem);
    return grown + (*count)++ * elem;
}

static char *text(const xmlNode *parent, const char *name)
{
    return awsxml_child_text(parent, name);
}

/* An integer child, or fallback when it is absent or not a number. */
static int number(const xmlNode *parent, const char *name, int fallback)
{
    char *s = text(parent, name), *end;
    if (!s)
        return fallback;
    long v = strtol(s, &end, 10);
    int ok = end != s && *end == '\0' && v >= INT_MIN && v <= INT_MAX;
    free(s);
    return ok ? (int)v : fallback;
}

static int flag(const xmlNode *parent, const char *name)
{
    char *s = text(parent, name);
    int on = s && strcmp(s, "true") == 0;
    free(s);
    return on;
}

/* The member elements of the list child name. */
static xmlNode *members(const xmlNode *parent, const char *name)
{
    return awsxml_child(awsxml_child(parent, name), "member");
}

static int push_string(char ***v, size_t *n, char *s)
{
    char **slot = s ? push(v, n, sizeof(**v)) : NULL;
    if (!slot) {
        free(s);
        return -1;
    }
    *slot = s;
    return 0;
}

static int read_strings(const xmlNode *list, char ***v, size_t *n)
{
    for (xmlNode *m = awsxml_child(list, "member"); m; m = awsxml_next(m))
        if (push_string(v, n, awsxml_text(m)) < 0)
            return -1;
    return 0;
}

static int read_pairs(const xmlNode *list, const char *key_name,
                      struct elbv2_pair **pairs, size_t *n)
{
    for (xmlNode *m = awsxml_child(list, "member"); m; m = awsxml_next(m)) {
        char *key = text(m, key_name);
        struct elbv2_pair *p = key ? push(pairs, n, sizeof(**pairs)) : NULL;
        if (!p) {
            free(key);
            if (key)
                return -1;
            continue;   /* a value without its key is of no use */
        }
        p->key = key;
        p->value = text(m, "Value");
    }
    return 0;
}

/* ---- load balancers ---- */

static int read_load_balancer(const xmlNode *m, struct elbv2_load_balancer *lb)
{
    xmlNode *state = awsxml_child(m, "State");
    lb->name = text(m, "LoadBalancerName");
    lb->dns_name = text(m, "DNSName");
    lb->scheme = text(m, "Scheme");
    lb->state = text(state, "Code");
    lb->state_reason = text(state, "Reason");
    lb->type = text(m, "Type");
    lb->vpc_id = text(m, "VpcId");
    lb->ip_address_type = text(m, "IpAddressType");
    lb->created = text(m, "CreatedTime");
    for (xmlNode *z = members(m, "AvailabilityZones"); z;
         z = awsxml_next(z)) {
        struct elbv2_zone *zone = push(&lb->zones, &lb->zone_count,
                                       sizeof(*zone));
        if (!zone)
            return -1;
        zone->zone = text(z, "ZoneName");
        zone->subnet_id = text(z, "SubnetId");
    }
    return read_strings(awsxml_child(m, "SecurityGroups"),
                        &lb->security_groups, &lb->security_group_count);
}

static int read_load_balancers(const xmlNode *result, struct elbv2_result *r)
{
    for (xmlNode *m = members(result, "LoadBalancers"); m;
         m = awsxml_next(m)) {
        char *arn = text(m, "LoadBalancerArn");
        if (!arn)
            continue;
        struct elbv2_load_balancer *lb = push(&r->load_balancers,
                                              &r->load_balancer_count,
                                              sizeof(*lb));
        if (!lb) {
            free(arn);
            return -1;
        }
        lb->arn = arn;
        if (read_load_balancer(m, lb) < 0)
            return -1;
    }
    return 0;
}

/* ---- actions, listeners, rules ---- */

static int read_forward(const xmlNode *m, struct elbv2_action *a)
{
    xmlNode *config = awsxml_child(m, "ForwardConfig");
    for (xmlNode *t = members(config, "TargetGroups"); t;
         t = awsxml_next(t)) {
        char *arn = text(t, "TargetGroupArn");
        if (!arn)
            continue;
        struct elbv2_forward *f = push(&a->forwards, &a->forward_count,
                                       sizeof(*f));
        if (!f) {
            free(arn);
            return -1;
        }
        f->target_group_arn = arn;
        f->weight = number(t, "Weight", -1);
    }
    return 0;
}

static int read_action(const xmlNode *m, struct elbv2_action *a)
{
    xmlNode *redirect = awsxml_child(m, "RedirectConfig");
    xmlNode *fixed = awsxml_child(m, "FixedResponseConfig");
    a->order = number(m, "Order", -1);
    a->target_group_arn = text(m, "TargetGroupArn");
    a->redirect_protocol = text(redirect, "Protocol");
    a->redirect_port = text(redirect, "Port");
    a->redirect_host = text(redirect, "Host");
    a->redirect_path = text(redirect, "Path");
    a->redirect_status = text(redirect, "StatusCode");
    a->fixed_status = text(fixed, "StatusCode");
    a->fixed_content_type = text(fixed, "ContentType");
    return read_forward(m, a);
}

static int read_actions(const xmlNode *list, struct elbv2_action **actions,
                        size_t *n)
{
    for (xmlNode *m = awsxml_child(list, "member"); m; m = awsxml_next(m)) {
        char *type = text(m, "Type");
        if (!type)
            continue;
        struct elbv2_action *a = push(actions, n, sizeof(**actions));
        if (!a) {
            free(type);
            return -1;
        }
        a->type = type;
        if (read_action(m, a) < 0)
            return -1;
    }
    return 0;
}

static int read_listener(const xmlNode *m, struct elbv2_listener *l)
{
    l->load_balancer_arn = text(m, "LoadBalancerArn");
    l->port = number(m, "Port", 0);
    l->protocol = text(m, "Protocol");
    l->ssl_policy = text(m, "SslPolicy");
    for (xmlNode *c = members(m, "Certificates"); c; c = awsxml_next(c)) {
        char *arn = text(c, "CertificateArn");
        if (!arn)
            continue;
        struct elbv2_certificate_ref *ref =
            push(&l->certificates, &l->certificate_count, sizeof(*ref));
        if (!ref) {
            free(arn);
            return -1;
        }
        ref->arn = arn;
        ref->is_default = flag(c, "IsDefault");
    }
    /* DescribeListeners leaves IsDefault out; the first one is the
     * default certificate. */
    if (l->certificate_count == 1)
        l->certificates[0].is_default = 1;
    return read_actions(awsxml_child(m, "DefaultActions"),
                        &l->default_actions, &l->default_action_count);
}

static int read_listeners(const xmlNode *result, struct elbv2_result *r)
{
    for (xmlNode *m = members(result, "Listeners"); m; m = awsxml_next(m)) {
        char *arn = text(m, "ListenerArn");
        if (!arn)
            continue;
        struct elbv2_listener *l = push(&r->listeners, &r->listener_count,
                                        sizeof(*l));
        if (!l) {
            free(arn);
            return -1;
        }
        l->arn = arn;
        if (read_listener(m, l) < 0)
            return -1;
    }
    return 0;
}

/* Values of one condition: the members of the field's config, or the
 * legacy Values list when there is no config (AWS sends both for
 * host-header and path-pattern). Header values read "name: value", query
 * strings "key=value". */
static int read_condition_values(const xmlNode *m, struct elbv2_condition *c)
{
    static const char *const configs[] = {
        "HostHeaderConfig", "PathPatternConfig", "HttpRequestMethodConfig",
        "SourceIpConfig",
    };
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < 4; i++)
        rc = read_strings(awsxml_child(awsxml_child(m, configs[i]),
                                       "Values"),
                          &c->values, &c->value_count);
    xmlNode *header = awsxml_child(m, "HttpHeaderConfig");
    char *name = text(header, "HttpHeaderName");
    for (xmlNode *v = members(header, "Values"); rc == 0 && v;
         v = awsxml_next(v)) {
        char *value = awsxml_text(v);
        char *line = malloc(strlen(name ? name : "") +
                            strlen(value ? value : "") + 3);
        if (line)
            strcat(strcat(strcpy(line, name ? name : ""), ": "),
                   value ? value : "");
        free(value);
        rc = push_string(&c->values, &c->value_count, line);
    }
    free(name);
    if (rc == 0 && c->value_count == 0)
        rc = read_strings(awsxml_child(m, "Values"), &c->values,
                          &c->value_count);
    xmlNode *query = awsxml_child(m, "QueryStringConfig");
    for (xmlNode *v = members(query, "Values"); rc == 0 && v;
         v = awsxml_next(v)) {
        char *key = text(v, "Key"), *value = text(v, "Value");
        char *line = malloc(strlen(key ? key : "") +
                            strlen(value ? value : "") + 2);
        if (line)
            strcat(strcat(strcpy(line, key ? key : ""), "="),
                   value ? value : "");
        free(key);
        free(value);
        rc = push_string(&c->values, &c->value_count, line);
    }
    return rc;
}

static int read_rule(const xmlNode *m, struct elbv2_rule *rule)
{
    rule->priority = text(m, "Priority");
    rule->is_default = flag(m, "IsDefault");
    for (xmlNode *c = members(m, "Conditions"); c; c = awsxml_next(c)) {
        char *field = text(c, "Field");
        if (!field)
            continue;
        struct elbv2_condition *cond = push(&rule->conditions,
                                            &rule->condition_count,
                                            sizeof(*cond));
        if (!cond) {
            free(field);
            return -1;
        }
        cond->field = field;
        if (read_condition_values(c, cond) < 0)
            return -1;
    }
    return read_actions(awsxml_child(m, "Actions"), &rule->actions,
                        &rule->action_count);
}

static int read_rules(const xmlNode *result, struct elbv2_result *r)
{
    for (xmlNode *m = members(result, "Rules"); m; m = awsxml_next(m)) {
        char *arn = text(m, "RuleArn");
        if (!arn)
            continue;
        struct elbv2_rule *rule = push(&r->rules, &r->rule_count,
                                       sizeof(*rule));
        if (!rule) {
            free(arn);
            return -1;
        }
        rule->arn = arn;
        if (read_rule(m, rule) < 0)
            return -1;
    }
    return 0;
}

/* ---- target groups, health, tags, attributes ---- */

static int read_target_group(const xmlNode *m, struct elbv2_target_group *tg)
{
    xmlNode *matcher = awsxml_child(m, "Matcher");
    tg->name = text(m, "TargetGroupName");
    tg->protocol = text(m, "Protocol");
    tg->port = number(m, "Port", 0);
    tg->vpc_id = text(m, "VpcId");
    tg->target_type = text(m, "TargetType");
    tg->health_check_enabled = flag(m, "HealthCheckEnabled");
    tg->health_check_protocol = text(m, "HealthCheckProtocol");
    tg->health_check_port = text(m, "HealthCheckPort");
    tg->health_check_path = text(m, "HealthCheckPath");
    tg->matcher = text(matcher, "HttpCode");
    if (!tg->matcher)
        tg->matcher = text(matcher, "GrpcCode");
    tg->interval_seconds = number(m, "HealthCheckIntervalSeconds", 0);
    tg->timeout_seconds = number(m, "HealthCheckTimeoutSeconds", 0);
    tg->healthy_threshold = number(m, "HealthyThresholdCount", 0);
    tg->unhealthy_threshold = number(m, "UnhealthyThresholdCount", 0);
    return read_strings(awsxml_child(m, "LoadBalancerArns"),
                        &tg->load_balancer_arns, &tg->load_balancer_count);
}

static int read_target_groups(const xmlNode *result, struct elbv2_result *r)
{
    for (xmlNode *m = members(result, "TargetGroups"); m;
         m = awsxml_next(m)) {
        char *arn = text(m, "TargetGroupArn");
        if (!arn)
            continue;
        struct elbv2_target_group *tg = push(&r->target_groups,
                                             &r->target_group_count,
                                             sizeof(*tg));
        if (!tg) {
            free(arn);
            return -1;
        }
        tg->arn = arn;
        if (read_target_group(m, tg) < 0)
            return -1;
    }
    return 0;
}

static int read_targets(const xmlNode *result, struct elbv2_result *r)
{
    for (xmlNode *m = members(result, "TargetHealthDescriptions"); m;
         m = awsxml_next(m)) {
        xmlNode *target = awsxml_child(m, "Target");
        xmlNode *health = awsxml_child(m, "TargetHealth");
        char *id = text(target, "Id");
        if (!id)
            continue;
        struct elbv2_target_health *t = push(&r->targets, &r->target_count,
                                             sizeof(*t));
        if (!t) {
            free(id);
            return -1;
        }
        t->id = id;
        t->port = number(target, "Port", 0);
        t->zone = text(target, "AvailabilityZone");
        t->state = text(health, "State");
        t->reason = text(health, "Reason");
        t->description = text(health, "Description");
    }
    return 0;
}

static int read_tags(const xmlNode *result, struct elbv2_result *r)
{
    for (xmlNode *m = members(result, "TagDescriptions"); m;
         m = awsxml_next(m)) {
        char *arn = text(m, "ResourceArn");
        if (!arn)
            continue;
        struct elbv2_tag_set *set = push(&r->tag_sets, &r->tag_set_count,
                                         sizeof(*set));
        if (!set) {
            free(arn);
            return -1;
        }
        set->arn = arn;
        if (read_pairs(awsxml_child(m, "Tags"), "Key", &set->tags,
                       &set->tag_count) < 0)
            return -1;
    }
    return 0;
}

static int read_attributes(const xmlNode *result, struct elbv2_result *r)
{
    return read_pairs(awsxml_child(result, "Attributes"), "Key",
                      &r->attributes, &r->attribute_count);
}

/* ---- one reply ---- */

static int read_result(enum elbv2_op op, const xmlNode *result,
                       struct elbv2_result *r)
{
    switch (op) {
    case ELBV2_DESCRIBE_LOAD_BALANCERS: return read_load_balancers(result, r);
    case ELBV2_DESCRIBE_LISTENERS: return read_listeners(result, r);
    case ELBV2_DESCRIBE_RULES: return read_rules(result, r);
    case ELBV2_DESCRIBE_TARGET_GROUPS: return read_target_groups(result, r);
    case ELBV2_DESCRIBE_TARGET_HEALTH: return read_targets(result, r);
    case ELBV2_DESCRIBE_TAGS: return read_tags(result, r);
    case ELBV2_DESCRIBE_LOAD_BALANCER_ATTRIBUTES:
        return read_attributes(result, r);
    }
    return -1;
}

/* Moves src's n elements to the end of *dst. */
static int append(void *dst, size_t *dst_count, void *src, size_t n,
                  size_t elem)
{
    void **d = dst;
    if (n == 0)
        return 0;
    if (*dst_count + n > ELBV2_MAX_ITEMS)
        return -1;
    char *grown = realloc(*d, (*dst_count + n) * elem);
    if (!grown)
        return -1;
    memcpy(grown + *dst_count * elem, src, n * elem);
    *d = grown;
    *dst_count += n;
    return 0;
}

struct slot {
    void *dst;
    size_t *dst_count;
    void *src;
    size_t *src_count;
    size_t elem;
};

/* Moves the page's items into r. On failure the page keeps what was not
 * moved, for free_contents(). */
static int merge(struct elbv2_result *r, struct elbv2_result *page)
{
    const struct slot slots[] = {
        {&r->load_balancers, &r->load_balancer_count, &page->load_balancers,
         &page->load_balancer_count, sizeof(*r->load_balancers)},
        {&r->listeners, &r->listener_count, &page->listeners,
         &page->listener_count, sizeof(*r->listeners)},
        {&r->rules, &r->rule_count, &page->rules, &page->rule_count,
         sizeof(*r->rules)},
        {&r->target_groups, &r->target_group_count, &page->target_groups,
         &page->target_group_count, sizeof(*r->target_groups)},
        {&r->targets, &r->target_count, &page->targets, &page->target_count,
         sizeof(*r->targets)},
        {&r->tag_sets, &r->tag_set_count, &page->tag_sets,
         &page->tag_set_count, sizeof(*r->tag_sets)},
        {&r->attributes, &r->attribute_count, &page->attributes,
         &page->attribute_count, sizeof(*r->attributes)},
    };
    for (size_t i = 0; i < sizeof(slots) / sizeof(slots[0]); i++) {
        void **src = slots[i].src;
        if (append(slots[i].dst, slots[i].dst_count, *src,
                   *slots[i].src_count, slots[i].elem) < 0)
            return -1;
        free(*src);
        *src = NULL;
        *slots[i].src_count = 0;
    }
    return 0;
}

int elbv2_parse_reply(enum elbv2_op op, const char *xml, size_t len,
                      struct elbv2_result *r, char **next_marker,
                      struct api_error *err)
{
    char what[64];
    snprintf(what, sizeof(what), "ELBv2 %s", op_names[op]);
    *next_marker = NULL;
    xmlDoc *doc = awsxml_parse(xml, len, what, err);
    if (!doc)
        return -1;
    char result_name[80];
    snprintf(result_name, sizeof(result_name), "%sResult", op_names[op]);
    xmlNode *result = awsxml_find(xmlDocGetRootElement(doc), result_name);
    struct elbv2_result page = {0};
    int rc = result ? read_result(op, result, &page) : -1;
    char *marker = rc == 0 ? text(result, "NextMarker") : NULL;
    xmlFreeDoc(doc);
    if (rc == 0 && marker && !*marker) {
        free(marker);
        marker = NULL;
    }
    if (rc == 0)
        rc = merge(r, &page);
    free_contents(&page);
    if (rc < 0) {
        free(marker);
        api_error_set(err, "InvalidReply", "%s reply has no %s element, or "
                      "more than %d items", what, result_name,
                      ELBV2_MAX_ITEMS);
        return -1;
    }
    *next_marker = marker;
    return 0;
}

const char *elbv2_op_name(enum elbv2_op op)
{
    return op_names[op];
}
