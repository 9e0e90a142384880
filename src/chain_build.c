/*
 * Turning a snapshot into chains. The load balancer of an ingress is the
 * one with the controller's cluster and stack tags, else the one named in
 * its status. Its target groups are those whose resource tag names one of
 * its backends. Then come the targets and the pods behind them, its
 * events and the ingresses sharing its ALB. Everything is copied, so the
 * chains outlive the snapshot.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "chain_internal.h"
#include "util.h"

/* Appends a zeroed element to the array *items of *count elements of
 * size elem; returns it. */
static void *append(void *items, size_t *count, size_t elem)
{
    char **p = items;
    *p = xrealloc(*p, (*count + 1) * elem);
    memset(*p + *count * elem, 0, elem);
    return *p + (*count)++ * elem;
}

/* ---- lookups ---- */

const char *chain_tag(const struct chain_snapshot *s, const char *arn,
                      const char *key)
{
    if (!s->tags || !arn)
        return NULL;
    for (size_t i = 0; i < s->tags->tag_set_count; i++) {
        const struct elbv2_tag_set *set = &s->tags->tag_sets[i];
        if (strcmp(set->arn, arn) != 0)
            continue;
        for (size_t k = 0; k < set->tag_count; k++)
            if (strcmp(set->tags[k].key, key) == 0)
                return set->tags[k].value ? set->tags[k].value : "";
        return NULL;
    }
    return NULL;
}

const char *chain_annotation(const struct kube_ingress_info *in,
                             const char *name)
{
    char key[256];
    snprintf(key, sizeof(key), "%s%s", CHAIN_ANNOTATION, name);
    for (size_t i = 0; i < in->annotation_count; i++)
        if (strcmp(in->annotations[i].key, key) == 0)
            return in->annotations[i].value;
    return NULL;
}

void chain_stack_id(const struct kube_ingress_info *in, char *out,
                    size_t outlen)
{
    const char *group = chain_annotation(in, "group.name");
    if (group && *group)
        snprintf(out, outlen, "%s", group);
    else
        snprintf(out, outlen, "%s/%s", in->namespace ? in->namespace : "",
                 in->name);
}

/* Whether load balancer lb was made by the controller for this cluster. */
static int ours(const struct chain_snapshot *s, const char *arn)
{
    const char *cluster = chain_tag(s, arn, CHAIN_TAG_CLUSTER);
    return cluster && s->cluster_name &&
           strcmp(cluster, s->cluster_name) == 0;
}

const struct elbv2_load_balancer *
chain_match_load_balancer(const struct chain_snapshot *s,
                          const struct kube_ingress_info *in)
{
    char stack[320];
    if (!s->load_balancers)
        return NULL;
    chain_stack_id(in, stack, sizeof(stack));
    for (size_t i = 0; i < s->load_balancers->load_balancer_count; i++) {
        const struct elbv2_load_balancer *lb =
            &s->load_balancers->load_balancers[i];
        const char *tag = chain_tag(s, lb->arn, CHAIN_TAG_STACK);
        if (ours(s, lb->arn) && tag && strcmp(tag, stack) == 0)
            return lb;
    }
    for (size_t i = 0; in->address &&
                       i < s->load_balancers->load_balancer_count; i++) {
        const struct elbv2_load_balancer *lb =
            &s->load_balancers->load_balancers[i];
        if (lb->dns_name && strcasecmp(lb->dns_name, in->address) == 0)
            return lb;
    }
    return NULL;
}

static const struct chain_lb_detail *detail_of(const struct chain_snapshot *s,
                                               const char *arn)
{
    for (size_t i = 0; i < s->detail_count; i++)
        if (strcmp(s->details[i].arn, arn) == 0)
            return &s->details[i];
    return NULL;
}

static const struct ec2_subnet *subnet_of(const struct chain_snapshot *s,
                                          const char *id)
{
    for (size_t i = 0; s->subnets && i < s->subnets->subnet_count; i++)
        if (strcmp(s->subnets->subnets[i].id, id) == 0)
            return &s->subnets->subnets[i];
    return NULL;
}

static int has_tag(const struct ec2_subnet *sn, const char *key)
{
    for (size_t i = 0; i < sn->tag_count; i++)
        if (strcmp(sn->tags[i].key, key) == 0)
            return 1;
    return 0;
}

/* ---- the load balancer ---- */

static void copy_subnets(const struct chain_snapshot *s,
                         const struct elbv2_load_balancer *lb,
                         struct chain_alb *alb)
{
    for (size_t i = 0; i < lb->zone_count; i++) {
        const struct elbv2_zone *z = &lb->zones[i];
        if (!z->subnet_id)
            continue;
        struct chain_subnet *sn = append(&alb->subnets, &alb->subnet_count,
                                         sizeof(*alb->subnets));
        const struct ec2_subnet *ec2 = subnet_of(s, z->subnet_id);
        sn->id = xstrdup(z->subnet_id);
        sn->zone = xstrdup(z->zone ? z->zone : "");
        if (!ec2)
            continue;
        sn->vpc = xstrdup(ec2->vpc_id);
        sn->cidr = xstrdup(ec2->cidr);
        sn->name = xstrdup(ec2->name);
        sn->elb_role = has_tag(ec2, "kubernetes.io/role/elb");
        sn->internal_elb_role = has_tag(ec2, "kubernetes.io/role/internal-elb");
    }
}

static void copy_security_groups(const struct chain_snapshot *s,
                                 const struct elbv2_load_balancer *lb,
                                 struct chain_alb *alb)
{
    const struct ec2_network *n = s->security_groups;
    for (size_t i = 0; i < lb->security_group_count; i++) {
        struct chain_security_group *g =
            append(&alb->security_groups, &alb->security_group_count,
                   sizeof(*alb->security_groups));
        g->id = xstrdup(lb->security_groups[i]);
        for (size_t k = 0; n && k < n->security_group_count; k++) {
            const struct ec2_security_group *e = &n->security_groups[k];
            if (strcmp(e->id, g->id) != 0)
                continue;
            g->name = xstrdup(e->name);
            g->description = xstrdup(e->description);
            g->vpc = xstrdup(e->vpc_id);
        }
    }
}

static void copy_tags(const struct chain_snapshot *s, const char *arn,
                      struct chain_pair **pairs, size_t *count)
{
    for (size_t i = 0; s->tags && i < s->tags->tag_set_count; i++) {
        const struct elbv2_tag_set *set = &s->tags->tag_sets[i];
        if (strcmp(set->arn, arn) != 0)
            continue;
        for (size_t k = 0; k < set->tag_count; k++) {
            struct chain_pair *p = append(pairs, count, sizeof(**pairs));
            p->key = xstrdup(set->tags[k].key);
            p->value = xstrdup(set->tags[k].value ? set->tags[k].value : "");
        }
        return;
    }
}

static struct chain_alb *build_alb(const struct chain_snapshot *s,
                                   const struct elbv2_load_balancer *lb)
{
    struct chain_alb *alb = xrealloc(NULL, sizeof(*alb));
    memset(alb, 0, sizeof(*alb));
    alb->arn = xstrdup(lb->arn);
    alb->name = xstrdup(lb->name);
    alb->dns_name = xstrdup(lb->dns_name);
    alb->scheme = xstrdup(lb->scheme);
    alb->state = xstrdup(lb->state);
    alb->state_reason = xstrdup(lb->state_reason);
    alb->type = xstrdup(lb->type);
    alb->vpc = xstrdup(lb->vpc_id);
    alb->ip_address_type = xstrdup(lb->ip_address_type);
    alb->created = xstrdup(lb->created);
    alb->stack = xstrdup(chain_tag(s, lb->arn, CHAIN_TAG_STACK));
    copy_subnets(s, lb, alb);
    copy_security_groups(s, lb, alb);
    copy_tags(s, lb->arn, &alb->tags, &alb->tag_count);
    const struct chain_lb_detail *d = detail_of(s, lb->arn);
    for (size_t i = 0; d && d->attributes &&
                       i < d->attributes->attribute_count; i++) {
        const struct elbv2_pair *a = &d->attributes->attributes[i];
        struct chain_pair *p = append(&alb->attributes, &alb->attribute_count,
                                      sizeof(*alb->attributes));
        p->key = xstrdup(a->key);
        p->value = xstrdup(a->value ? a->value : "");
    }
    if (d && d->web_acl) {
        alb->web_acl_arn = xstrdup(d->web_acl->arn);
        alb->web_acl_name = xstrdup(d->web_acl->name);
    }
    if (d && d->web_acl_error.code[0]) {
        char why[sizeof(d->web_acl_error.code) +
                 sizeof(d->web_acl_error.message) + 2];
        snprintf(why, sizeof(why), "%s: %s", d->web_acl_error.code,
                 d->web_acl_error.message);
        alb->web_acl_error = xstrdup(why);
    }
    return alb;
}

static enum chain_alb_state alb_state(const char *state)
{
    if (!state)
        return CHAIN_ALB_UNKNOWN;
    if (strcmp(state, "provisioning") == 0)
        return CHAIN_ALB_PROVISIONING;
    if (strncmp(state, "active", 6) == 0)
        return CHAIN_ALB_ACTIVE;
    return CHAIN_ALB_FAILED;
}

/* ---- listeners and rules ---- */

static char *join_values(const char *label, char *const *values, size_t n)
{
    size_t len = strlen(label) + 3;
    for (size_t i = 0; i < n; i++)
        len += strlen(values[i]) + 2;
    char *out = xrealloc(NULL, len);
    size_t used = (size_t)snprintf(out, len, "%s:", label);
    for (size_t i = 0; i < n; i++)
        used += (size_t)snprintf(out + used, len - used, "%s%s",
                                 i ? ", " : " ", values[i]);
    return out;
}

/* The name of target group arn, or the ARN when it is not listed. */
static const char *group_name(const struct chain_snapshot *s,
                              const char *arn)
{
    for (size_t i = 0; s->target_groups &&
                       i < s->target_groups->target_group_count; i++) {
        const struct elbv2_target_group *tg =
            &s->target_groups->target_groups[i];
        if (strcmp(tg->arn, arn) == 0 && tg->name)
            return tg->name;
    }
    return arn;
}

static char *format_action(const struct chain_snapshot *s,
                           const struct elbv2_action *a)
{
    char buf[1024];
    const char *type = a->type;
    if (strcmp(type, "redirect") == 0) {
        snprintf(buf, sizeof(buf), "redirect: %s:%s%s%s %s",
                 a->redirect_protocol ? a->redirect_protocol : "#{protocol}",
                 a->redirect_port ? a->redirect_port : "#{port}",
                 a->redirect_host ? " host " : "",
                 a->redirect_host ? a->redirect_host : "",
                 a->redirect_status ? a->redirect_status : "");
    } else if (strcmp(type, "fixed-response") == 0) {
        snprintf(buf, sizeof(buf), "fixed-response: %s %s",
                 a->fixed_status ? a->fixed_status : "",
                 a->fixed_content_type ? a->fixed_content_type : "");
    } else if (strcmp(type, "forward") == 0 && a->forward_count > 0) {
        size_t used = (size_t)snprintf(buf, sizeof(buf), "forward:");
        for (size_t i = 0; i < a->forward_count && used < sizeof(buf); i++)
            used += (size_t)snprintf(buf + used, sizeof(buf) - used,
                                     "%s %s (weight %d)", i ? "," : "",
                                     group_name(s,
                                         a->forwards[i].target_group_arn),
                                     a->forwards[i].weight);
    } else {
        snprintf(buf, sizeof(buf), "%s: %s", type,
                 a->target_group_arn ? group_name(s, a->target_group_arn)
                                     : "");
    }
    return xstrdup(buf);
}

static void add_target_group_arn(struct chain_rule *r, const char *arn)
{
    for (size_t i = 0; i < r->target_group_count; i++)
        if (strcmp(r->target_group_arns[i], arn) == 0)
            return;
    char **slot = append(&r->target_group_arns, &r->target_group_count,
                         sizeof(*r->target_group_arns));
    *slot = xstrdup(arn);
}

static void copy_actions(const struct chain_snapshot *s,
                         const struct elbv2_action *actions, size_t n,
                         struct chain_rule *r)
{
    for (size_t i = 0; i < n; i++) {
        const struct elbv2_action *a = &actions[i];
        char **slot = append(&r->actions, &r->action_count,
                             sizeof(*r->actions));
        *slot = format_action(s, a);
        if (a->target_group_arn)
            add_target_group_arn(r, a->target_group_arn);
        for (size_t k = 0; k < a->forward_count; k++)
            add_target_group_arn(r, a->forwards[k].target_group_arn);
    }
}

static void copy_rule(const struct chain_snapshot *s,
                      const struct elbv2_rule *src, struct chain_rule *r)
{
    r->arn = xstrdup(src->arn);
    r->is_default = src->is_default;
    r->priority = xstrdup(src->priority ? src->priority : "default");
    for (size_t i = 0; i < src->condition_count; i++) {
        const struct elbv2_condition *c = &src->conditions[i];
        char **slot = append(&r->conditions, &r->condition_count,
                             sizeof(*r->conditions));
        *slot = join_values(c->field, c->values, c->value_count);
    }
    copy_actions(s, src->actions, src->action_count, r);
}

static long priority_key(const struct chain_rule *r)
{
    return r->is_default ? 1000000L : strtol(r->priority, NULL, 10);
}

static int by_priority(const void *a, const void *b)
{
    long x = priority_key(a), y = priority_key(b);
    return (x > y) - (x < y);
}

static void copy_certificate(const struct chain_snapshot *s,
                             const struct elbv2_certificate_ref *ref,
                             struct chain_certificate *c)
{
    c->arn = xstrdup(ref->arn);
    c->is_default = ref->is_default;
    c->region = acm_arn_region(ref->arn);
    for (size_t i = 0; i < s->certificate_count; i++) {
        if (strcmp(s->certificate_arns[i], ref->arn) != 0)
            continue;
        const struct acm_certificate *a = s->certificates[i];
        if (a) {
            c->domain = xstrdup(a->domain);
            c->status = xstrdup(a->status);
            c->expires = a->not_after;
        } else {
            c->error = s->certificate_errors[i];
        }
    }
    if (c->expires) {
        char when[32];
        struct tm tm;
        gmtime_r(&c->expires, &tm);
        strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
        c->not_after = xstrdup(when);
    }
}

static void copy_listener(const struct chain_snapshot *s,
                          const struct chain_lb_detail *d, size_t index,
                          struct chain_listener *l)
{
    const struct elbv2_listener *src = &d->listeners->listeners[index];
    const struct elbv2_result *rules = d->rules ? d->rules[index] : NULL;
    l->arn = xstrdup(src->arn);
    l->port = src->port;
    l->protocol = xstrdup(src->protocol);
    l->ssl_policy = xstrdup(src->ssl_policy);
    for (size_t i = 0; i < src->certificate_count; i++)
        copy_certificate(s, &src->certificates[i],
                         append(&l->certificates, &l->certificate_count,
                                sizeof(*l->certificates)));
    for (size_t i = 0; rules && i < rules->rule_count; i++)
        copy_rule(s, &rules->rules[i], append(&l->rules, &l->rule_count,
                                              sizeof(*l->rules)));
    if (!rules) {   /* without DescribeRules, the default actions */
        struct chain_rule *r = append(&l->rules, &l->rule_count,
                                      sizeof(*l->rules));
        r->arn = xstrdup(src->arn);
        r->priority = xstrdup("default");
        r->is_default = 1;
        copy_actions(s, src->default_actions, src->default_action_count, r);
    }
    if (l->rule_count > 1)  /* rules is NULL when empty */
        qsort(l->rules, l->rule_count, sizeof(*l->rules), by_priority);
}

static int by_port(const void *a, const void *b)
{
    const struct chain_listener *x = a, *y = b;
    return (x->port > y->port) - (x->port < y->port);
}

static void copy_listeners(const struct chain_snapshot *s, struct chain *c)
{
    const struct chain_lb_detail *d = c->alb ? detail_of(s, c->alb->arn)
                                             : NULL;
    if (!d || !d->listeners)
        return;
    for (size_t i = 0; i < d->listeners->listener_count; i++)
        copy_listener(s, d, i, append(&c->listeners, &c->listener_count,
                                      sizeof(*c->listeners)));
    if (c->listener_count > 1)
        qsort(c->listeners, c->listener_count, sizeof(*c->listeners),
              by_port);
}

/* ---- target groups, targets, pods ---- */

static const struct kube_pod *pod_by_ip(const struct chain_snapshot *s,
                                        const char *ip)
{
    for (size_t i = 0; s->pods && i < s->pods->pod_count; i++) {
        const struct kube_pod *p = &s->pods->pods[i];
        if (p->ip && strcmp(p->ip, ip) == 0)
            return p;
    }
    return NULL;
}

static struct chain_pod *copy_pod(const struct kube_pod *p)
{
    struct chain_pod *pod = xrealloc(NULL, sizeof(*pod));
    pod->namespace = xstrdup(p->namespace);
    pod->name = xstrdup(p->name);
    pod->phase = xstrdup(p->phase);
    pod->ready = p->ready;
    pod->node = xstrdup(p->node);
    pod->ip = xstrdup(p->ip);
    pod->restarts = p->restarts;
    pod->reason = xstrdup(p->waiting_reason);
    return pod;
}

static void copy_targets(const struct chain_snapshot *s, size_t index,
                         struct chain_target_group *tg)
{
    const struct elbv2_result *h = s->health ? s->health[index] : NULL;
    tg->health_state = h ? MODEL_READY : MODEL_FAILED;
    for (size_t i = 0; h && i < h->target_count; i++) {
        const struct elbv2_target_health *src = &h->targets[i];
        struct chain_target *t = append(&tg->targets, &tg->target_count,
                                        sizeof(*tg->targets));
        t->id = xstrdup(src->id);
        t->port = src->port;
        t->zone = xstrdup(src->zone);
        t->state = xstrdup(src->state ? src->state : "unknown");
        t->reason = xstrdup(src->reason);
        t->description = xstrdup(src->description);
        const struct kube_pod *pod = pod_by_ip(s, src->id);
        if (pod && tg->target_type && strcmp(tg->target_type, "ip") == 0)
            t->pod = copy_pod(pod);
        if (strcmp(t->state, "healthy") == 0)
            tg->healthy++;
    }
}

static void copy_target_group(const struct chain_snapshot *s, size_t index,
                              struct chain_target_group *tg)
{
    const struct elbv2_target_group *src =
        &s->target_groups->target_groups[index];
    tg->arn = xstrdup(src->arn);
    tg->name = xstrdup(src->name);
    tg->target_type = xstrdup(src->target_type);
    tg->protocol = xstrdup(src->protocol);
    tg->port = src->port;
    tg->vpc = xstrdup(src->vpc_id);
    tg->service = xstrdup(chain_tag(s, src->arn, CHAIN_TAG_RESOURCE));
    tg->health_check.enabled = src->health_check_enabled;
    tg->health_check.protocol = xstrdup(src->health_check_protocol);
    tg->health_check.port = xstrdup(src->health_check_port);
    tg->health_check.path = xstrdup(src->health_check_path);
    tg->health_check.matcher = xstrdup(src->matcher);
    tg->health_check.interval_seconds = src->interval_seconds;
    tg->health_check.timeout_seconds = src->timeout_seconds;
    tg->health_check.healthy_threshold = src->healthy_threshold;
    tg->health_check.unhealthy_threshold = src->unhealthy_threshold;
    copy_targets(s, index, tg);
}

static int serves_alb(const struct elbv2_target_group *tg, const char *arn)
{
    for (size_t i = 0; i < tg->load_balancer_count; i++)
        if (strcmp(tg->load_balancer_arns[i], arn) == 0)
            return 1;
    return 0;
}

/* Whether target group tg carries one of the ingress's backends: its
 * resource tag is NS/INGRESS-SERVICE:PORT. */
static int carries_backend(const struct chain_snapshot *s,
                           const struct kube_ingress_info *in,
                           const struct elbv2_target_group *tg)
{
    const char *resource = chain_tag(s, tg->arn, CHAIN_TAG_RESOURCE);
    char want[800];
    if (!resource)
        return -1;
    for (size_t i = 0; i < in->backend_count; i++) {
        snprintf(want, sizeof(want), "%s/%s-%s:%s",
                 in->namespace ? in->namespace : "", in->name,
                 in->backends[i].service,
                 in->backends[i].port ? in->backends[i].port : "");
        if (strcmp(resource, want) == 0)
            return 1;
    }
    return 0;
}

static int by_arn(const void *a, const void *b)
{
    const struct chain_target_group *x = a, *y = b;
    return strcmp(x->arn, y->arn);
}

/* The target groups of the ALB that carry this ingress's backends; when
 * the controller's resource tags are missing, every target group of the
 * ALB. */
static void copy_target_groups(const struct chain_snapshot *s,
                               const struct kube_ingress_info *in,
                               struct chain *c)
{
    if (!c->alb || !s->target_groups)
        return;
    for (size_t i = 0; i < s->target_groups->target_group_count; i++) {
        const struct elbv2_target_group *tg =
            &s->target_groups->target_groups[i];
        if (!serves_alb(tg, c->alb->arn) || carries_backend(s, in, tg) == 0)
            continue;
        struct chain_target_group *out =
            append(&c->target_groups, &c->target_group_count,
                   sizeof(*c->target_groups));
        copy_target_group(s, i, out);
        c->targets_healthy += out->healthy;
        c->targets_total += out->target_count;
    }
    if (c->target_group_count > 1)
        qsort(c->target_groups, c->target_group_count,
              sizeof(*c->target_groups), by_arn);
}

/* ---- Kubernetes side ---- */

static int by_newest(const void *a, const void *b)
{
    const struct chain_event *x = a, *y = b;
    return (x->last_seen < y->last_seen) - (x->last_seen > y->last_seen);
}

static void copy_events(const struct chain_snapshot *s,
                        const struct kube_ingress_info *in, struct chain *c)
{
    for (size_t i = 0; s->events && i < s->events->event_count; i++) {
        const struct kube_event *e = &s->events->events[i];
        if (!e->kind || strcmp(e->kind, "Ingress") != 0 || !e->object ||
            strcmp(e->object, in->name) != 0 || !e->namespace ||
            !in->namespace || strcmp(e->namespace, in->namespace) != 0)
            continue;
        struct chain_event *ev = append(&c->events, &c->event_count,
                                        sizeof(*c->events));
        ev->type = xstrdup(e->type ? e->type : "Normal");
        ev->reason = xstrdup(e->reason ? e->reason : "");
        ev->message = xstrdup(e->message ? e->message : "");
        ev->source = xstrdup(e->source);
        ev->count = e->count;
        ev->last_seen = e->last_seen;
        if (strcmp(ev->type, "Warning") == 0 &&
            ev->last_seen > c->last_warning)
            c->last_warning = ev->last_seen;
    }
    if (c->event_count > 1)
        qsort(c->events, c->event_count, sizeof(*c->events), by_newest);
}

static const struct kube_endpoints *
endpoints_of(const struct chain_snapshot *s, const char *ns, const char *name)
{
    for (size_t i = 0; s->endpoints && i < s->endpoints->endpoints_count;
         i++) {
        const struct kube_endpoints *e = &s->endpoints->endpoints[i];
        if (e->namespace && strcmp(e->namespace, ns) == 0 &&
            strcmp(e->name, name) == 0)
            return e;
    }
    return NULL;
}

static int service_exists(const struct chain_snapshot *s, const char *ns,
                          const char *name)
{
    for (size_t i = 0; s->services && i < s->services->service_count; i++) {
        const struct kube_service *svc = &s->services->services[i];
        if (svc->namespace && strcmp(svc->namespace, ns) == 0 &&
            strcmp(svc->name, name) == 0)
            return 1;
    }
    return 0;
}

static void copy_backends(const struct chain_snapshot *s,
                          const struct kube_ingress_info *in, struct chain *c)
{
    const char *ns = in->namespace ? in->namespace : "";
    for (size_t i = 0; i < in->backend_count; i++) {
        struct chain_backend *b = append(&c->backends, &c->backend_count,
                                         sizeof(*c->backends));
        b->service = xstrdup(in->backends[i].service);
        b->port = xstrdup(in->backends[i].port);
        b->service_exists = service_exists(s, ns, b->service);
        const struct kube_endpoints *e = endpoints_of(s, ns, b->service);
        for (size_t k = 0; e && k < e->address_count; k++) {
            if (e->addresses[k].ready)
                b->endpoints_ready++;
            else
                b->endpoints_not_ready++;
        }
    }
}

static const struct kube_ingress_class *
class_of(const struct chain_snapshot *s, const char *name)
{
    for (size_t i = 0; s->classes && i < s->classes->class_count; i++) {
        const struct kube_ingress_class *k = &s->classes->classes[i];
        if (name ? strcmp(k->name, name) == 0 : k->is_default)
            return k;
    }
    return NULL;
}

/* Siblings: the other ingresses of the same stack (group), or on the
 * same load balancer by hostname. */
static void copy_siblings(const struct chain_snapshot *s,
                          const struct kube_ingress_info *in, struct chain *c)
{
    char stack[320], other[320];
    chain_stack_id(in, stack, sizeof(stack));
    for (size_t i = 0; i < s->ingresses->ingress_count; i++) {
        const struct kube_ingress_info *o = &s->ingresses->ingresses[i];
        if (o == in)
            continue;
        chain_stack_id(o, other, sizeof(other));
        int same = strcmp(stack, other) == 0 ||
                   (c->alb && c->alb->dns_name && o->address &&
                    strcasecmp(o->address, c->alb->dns_name) == 0);
        if (!same)
            continue;
        struct chain_ref *ref = append(&c->siblings, &c->sibling_count,
                                       sizeof(*c->siblings));
        ref->namespace = xstrdup(o->namespace);
        ref->name = xstrdup(o->name);
    }
}

/* ---- one chain ---- */

static void build_one(const struct chain_snapshot *s, size_t cluster,
                      const struct kube_ingress_info *in, struct chain *c)
{
    const char *scheme = chain_annotation(in, "scheme");
    c->cluster = cluster;
    c->namespace = xstrdup(in->namespace ? in->namespace : "");
    c->name = xstrdup(in->name);
    c->class_name = xstrdup(in->class_name);
    c->hosts = xstrdup(in->hosts);
    c->address = xstrdup(in->address);
    c->group_name = xstrdup(chain_annotation(in, "group.name"));
    c->scheme = xstrdup(scheme ? scheme : "internal");
    c->created = xstrdup(in->created);
    const struct kube_ingress_class *k = class_of(s, in->class_name);
    c->controller = xstrdup(k ? k->controller : NULL);
    copy_backends(s, in, c);
    copy_events(s, in, c);

    const struct elbv2_load_balancer *lb = chain_match_load_balancer(s, in);
    if (lb) {
        c->alb = build_alb(s, lb);
        c->alb_state = alb_state(lb->state);
    } else {
        c->alb_state = s->load_balancers ? CHAIN_ALB_MISSING
                                         : CHAIN_ALB_UNKNOWN;
    }
    copy_listeners(s, c);
    if (c->alb && detail_of(s, c->alb->arn))
        c->detail_state = MODEL_READY;
    copy_target_groups(s, in, c);
    copy_siblings(s, in, c);
    c->state = MODEL_READY;
    c->refreshed = s->now;
    chain_find_problems(s, in, c);
    if (c->alb_state == CHAIN_ALB_MISSING && c->controller &&
        strcmp(c->controller, CHAIN_CONTROLLER) != 0)
        c->alb_state = CHAIN_ALB_OTHER;
}

static int by_name(const void *a, const void *b)
{
    const struct chain *x = a, *y = b;
    int rc = strcmp(x->namespace, y->namespace);
    return rc ? rc : strcmp(x->name, y->name);
}

/* Load balancers tagged for this cluster by the ingress controller that
 * no ingress claims. */
static void find_unclaimed(const struct chain_snapshot *s,
                           const struct chain *chains, size_t count,
                           struct chain_alb **out, size_t *n)
{
    for (size_t i = 0; s->load_balancers &&
                       i < s->load_balancers->load_balancer_count; i++) {
        const struct elbv2_load_balancer *lb =
            &s->load_balancers->load_balancers[i];
        if (!ours(s, lb->arn) || !chain_tag(s, lb->arn, CHAIN_TAG_STACK))
            continue;
        int claimed = 0;
        for (size_t k = 0; k < count && !claimed; k++)
            claimed = chains[k].alb && strcmp(chains[k].alb->arn,
                                              lb->arn) == 0;
        if (claimed)
            continue;
        struct chain_alb *alb = build_alb(s, lb);
        *out = xrealloc(*out, (*n + 1) * sizeof(**out));
        (*out)[(*n)++] = *alb;
        free(alb);
    }
}

void chain_build(const struct chain_snapshot *s, size_t cluster,
                 struct chain **chains, size_t *count,
                 struct chain_alb **unclaimed, size_t *unclaimed_count)
{
    *chains = NULL;
    *count = 0;
    *unclaimed = NULL;
    *unclaimed_count = 0;
    for (size_t i = 0; s->ingresses && i < s->ingresses->ingress_count;
         i++)
        build_one(s, cluster, &s->ingresses->ingresses[i],
                  append(chains, count, sizeof(**chains)));
    if (*count > 1)
        qsort(*chains, *count, sizeof(**chains), by_name);
    find_unclaimed(s, *chains, *count, unclaimed, unclaimed_count);
}
