/*
 * Loading a cluster's chains. One load runs in phases, each a set of
 * calls in parallel:
 *   1. the Kubernetes lists, DescribeLoadBalancers, DescribeTargetGroups;
 *   2. DescribeTags of those ARNs, 20 a call;
 *   3. DescribeTargetHealth of the cluster's target groups, the tagged
 *      subnets when an ingress has no ALB, and the drill-down of the ALBs
 *      of the drilled ingresses (listeners, then their rules and
 *      certificates; attributes, subnets, security groups, web ACL);
 * then the snapshot is built into chains. The calls made do not depend
 * on the number of ingresses, only on pages, load balancers and target
 * groups.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chain_internal.h"
#include "util.h"

#define POLL_FAST 5        /* seconds between refreshes while changing */
#define POLL_SLOW 60       /* when stable */
#define POLL_MAX 300       /* after repeated errors */
#define HEALTH_IN_FLIGHT 16 /* DescribeTargetHealth calls at once */

struct load {
    struct chains *cs;          /* NULL once detached */
    size_t cluster;
    int pending;
    int phase;
    struct chain_snapshot snap;
    char **drilled;             /* copies of the cluster's list */
    size_t drilled_count;
    size_t *health_queue;       /* target groups whose health to read */
    size_t health_count;
    size_t health_next;         /* first one not yet sent */
    struct part *parts;         /* calls in flight */
};

/* One call's context: the load and what the reply fills. The load keeps
 * its parts in a list, so that chains_cleanup() can free them when the
 * calls will never complete. */
struct part {
    struct load *load;
    struct part *prev, *next;
    size_t index;               /* target group, certificate, EC2 call */
    enum kube_object_kind kind;
    size_t detail;              /* load balancer detail */
    size_t listener;
};

static void advance(struct load *l);

static struct part *part_new(struct load *l, size_t index)
{
    struct part *p = xrealloc(NULL, sizeof(*p));
    memset(p, 0, sizeof(*p));
    p->load = l;
    p->index = index;
    p->kind = KUBE_INGRESS_INFO;
    p->next = l->parts;
    if (l->parts)
        l->parts->prev = p;
    l->parts = p;
    l->pending++;
    return p;
}

static void part_unlink(struct part *p)
{
    if (p->prev)
        p->prev->next = p->next;
    else
        p->load->parts = p->next;
    if (p->next)
        p->next->prev = p->prev;
}

/* Ends one call: frees its context and moves the load on when it was
 * the last one of its phase. */
static void part_done(struct part *p)
{
    struct load *l = p->load;
    part_unlink(p);
    free(p);
    if (--l->pending == 0)
        advance(l);
}

static void note_error(struct api_error *slot, const struct api_error *err)
{
    if (err && !slot->code[0])
        *slot = *err;
}

/* ---- phase 1: Kubernetes lists, load balancers, target groups ---- */

static void on_objects(struct kube_objects *o, const struct api_error *err,
                       void *ctx)
{
    struct part *p = ctx;
    struct chain_snapshot *s = &p->load->snap;
    struct kube_objects **slots[] = {
        [KUBE_INGRESS_INFO] = &s->ingresses, [KUBE_EVENTS] = &s->events,
        [KUBE_SERVICES] = &s->services, [KUBE_ENDPOINTS] = &s->endpoints,
        [KUBE_PODS] = &s->pods, [KUBE_INGRESS_CLASSES] = &s->classes,
        [KUBE_CLASS_PARAMS] = &s->params,
    };
    /* Only the ingresses are needed; without the others the chains lack
     * their events, backends or pods, which a finding reports. */
    if (err && p->kind == KUBE_INGRESS_INFO)
        note_error(&s->kube_error, err);
    else if (err && p->kind != KUBE_CLASS_PARAMS)
        note_error(&s->kube_partial, err);
    kube_objects_free(*slots[p->kind]);
    *slots[p->kind] = o;
    part_done(p);
}

static void on_load_balancers(struct elbv2_result *r,
                              const struct api_error *err, void *ctx)
{
    struct part *p = ctx;
    note_error(&p->load->snap.aws_error, err);
    p->load->snap.load_balancers = r;
    part_done(p);
}

static void on_target_groups(struct elbv2_result *r,
                             const struct api_error *err, void *ctx)
{
    struct part *p = ctx;
    note_error(&p->load->snap.aws_error, err);
    p->load->snap.target_groups = r;
    part_done(p);
}

static void start_lists(struct load *l, struct model *m,
                        struct kube_client *kube)
{
    static const enum kube_object_kind kinds[] = {
        KUBE_INGRESS_INFO, KUBE_EVENTS, KUBE_SERVICES, KUBE_ENDPOINTS,
        KUBE_PODS, KUBE_INGRESS_CLASSES, KUBE_CLASS_PARAMS,
    };
    for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
        struct part *p = part_new(l, 0);
        p->kind = kinds[i];
        kube_list_objects(kube, kinds[i], m->namespace,
                          kinds[i] == KUBE_EVENTS
                              ? "involvedObject.kind=Ingress" : NULL,
                          on_objects, p);
    }
    elbv2_describe_load_balancers(&m->aws, l->snap.region,
                                  on_load_balancers, part_new(l, 0));
    elbv2_describe_target_groups(&m->aws, l->snap.region, NULL,
                                 on_target_groups, part_new(l, 0));
}

/* ---- phase 2: tags ---- */

static void on_tags(struct elbv2_result *r, const struct api_error *err,
                    void *ctx)
{
    struct part *p = ctx;
    note_error(&p->load->snap.aws_error, err);
    p->load->snap.tags = r;
    part_done(p);
}

static void start_tags(struct load *l, struct model *m)
{
    const struct chain_snapshot *s = &l->snap;
    size_t nlb = s->load_balancers ? s->load_balancers->load_balancer_count
                                   : 0;
    size_t ntg = s->target_groups ? s->target_groups->target_group_count : 0;
    const char **arns = xrealloc(NULL, (nlb + ntg + 1) * sizeof(*arns));
    for (size_t i = 0; i < nlb; i++)
        arns[i] = s->load_balancers->load_balancers[i].arn;
    for (size_t i = 0; i < ntg; i++)
        arns[nlb + i] = s->target_groups->target_groups[i].arn;
    elbv2_describe_tags(&m->aws, l->snap.region, arns, nlb + ntg, on_tags,
                        part_new(l, 0));
    free(arns);
}

/* ---- phase 3: target health, tagged subnets, drill-downs ---- */

static void send_health(struct load *l);

static void on_health(struct elbv2_result *r, const struct api_error *err,
                      void *ctx)
{
    struct part *p = ctx;
    /* The target group shows the failure as no health. */
    note_error(&p->load->snap.aws_partial, err);
    p->load->snap.health[p->index] = r;
    send_health(p->load);
    part_done(p);
}

/* Sends the next queued DescribeTargetHealth, so that at most
 * HEALTH_IN_FLIGHT run at once: hundreds of parallel calls would open as
 * many connections and meet AWS's request rate limits. */
static void send_health(struct load *l)
{
    struct model *m = l->cs ? l->cs->m : NULL;
    if (!m || l->health_next >= l->health_count)
        return;
    size_t i = l->health_queue[l->health_next++];
    elbv2_describe_target_health(&m->aws, l->snap.region,
                                 l->snap.target_groups->target_groups[i].arn,
                                 on_health, part_new(l, i));
}

static void start_health(struct load *l)
{
    struct chain_snapshot *s = &l->snap;
    if (!s->target_groups)
        return;
    size_t n = s->target_groups->target_group_count;
    s->health = xrealloc(NULL, (n + 1) * sizeof(*s->health));
    memset(s->health, 0, (n + 1) * sizeof(*s->health));
    l->health_queue = xrealloc(NULL, (n + 1) * sizeof(*l->health_queue));
    for (size_t i = 0; i < n; i++) {
        const char *arn = s->target_groups->target_groups[i].arn;
        const char *cluster = chain_tag(s, arn, CHAIN_TAG_CLUSTER);
        if (cluster && strcmp(cluster, s->cluster_name) == 0)
            l->health_queue[l->health_count++] = i;
        /* else another cluster's, or not the controller's */
    }
    for (size_t k = 0; k < HEALTH_IN_FLIGHT; k++)
        send_health(l);
}

static void on_role_subnets(struct ec2_network *n,
                            const struct api_error *err, void *ctx)
{
    struct part *p = ctx;
    (void)err;      /* without them the subnet check is skipped */
    p->load->snap.role_subnets = n;
    part_done(p);
}

static int alb_ingress(const struct chain_snapshot *s,
                       const struct kube_ingress_info *in)
{
    if (!in->class_name)
        return 0;
    if (strcmp(in->class_name, "alb") == 0)
        return 1;
    for (size_t i = 0; s->classes && i < s->classes->class_count; i++)
        if (strcmp(s->classes->classes[i].name, in->class_name) == 0)
            return s->classes->classes[i].controller &&
                   strcmp(s->classes->classes[i].controller,
                          CHAIN_CONTROLLER) == 0;
    return 0;
}

/* One DescribeSubnets for the role tags, when an ALB ingress has none. */
static void start_role_subnets(struct load *l, struct model *m)
{
    static const char *const keys[] = {"kubernetes.io/role/elb",
                                       "kubernetes.io/role/internal-elb"};
    const struct chain_snapshot *s = &l->snap;
    int needed = 0;
    for (size_t i = 0; s->ingresses && i < s->ingresses->ingress_count &&
                       !needed; i++) {
        const struct kube_ingress_info *in = &s->ingresses->ingresses[i];
        needed = alb_ingress(s, in) && !chain_match_load_balancer(s, in);
    }
    if (!needed || !s->load_balancers)
        return;
    const struct ec2_filter filter = {"tag-key", keys, 2};
    ec2_describe_network(&m->aws, s->region, EC2_DESCRIBE_SUBNETS, NULL, 0,
                         &filter, 1, on_role_subnets, part_new(l, 0));
}

/* ---- phase 3: the drill-down of drilled ingresses ---- */

static void on_certificate(struct acm_certificate *c,
                           const struct api_error *err, void *ctx)
{
    struct part *p = ctx;
    struct chain_snapshot *s = &p->load->snap;
    s->certificates[p->index] = c;
    if (err)
        s->certificate_errors[p->index] = *err;
    part_done(p);
}

/* Describes certificate arn unless it was already asked for. */
static void want_certificate(struct load *l, struct model *m,
                             const char *arn)
{
    struct chain_snapshot *s = &l->snap;
    for (size_t i = 0; i < s->certificate_count; i++)
        if (strcmp(s->certificate_arns[i], arn) == 0)
            return;
    size_t n = s->certificate_count + 1;
    s->certificate_arns = xrealloc(s->certificate_arns,
                                   n * sizeof(*s->certificate_arns));
    s->certificates = xrealloc(s->certificates, n * sizeof(*s->certificates));
    s->certificate_errors = xrealloc(s->certificate_errors,
                                     n * sizeof(*s->certificate_errors));
    s->certificate_arns[n - 1] = xstrdup(arn);
    s->certificates[n - 1] = NULL;
    memset(&s->certificate_errors[n - 1], 0, sizeof(struct api_error));
    s->certificate_count = n;
    acm_describe_certificate(&m->aws, arn, on_certificate,
                             part_new(l, n - 1));
}

static void want_annotated_certificates(struct load *l, struct model *m,
                                        const struct kube_ingress_info *in)
{
    const char *list = chain_annotation(in, "certificate-arn");
    char arn[2048];
    while (list && *list) {
        size_t n = strcspn(list, ",");
        snprintf(arn, sizeof(arn), "%.*s", (int)n, list);
        list += n + (list[n] == ',');
        char *start = arn + strspn(arn, " ");
        start[strcspn(start, " ")] = '\0';
        if (*start)
            want_certificate(l, m, start);
    }
}

/* A drill-down call: the detail is found again by index, because the
 * array may grow while the call is in flight. */
static struct part *detail_part_new(struct load *l, size_t detail,
                                    size_t listener)
{
    struct part *p = part_new(l, 0);
    p->detail = detail;
    p->listener = listener;
    return p;
}

static void on_rules(struct elbv2_result *r, const struct api_error *err,
                     void *ctx)
{
    struct part *p = ctx;
    /* The listener then shows its default actions only. */
    note_error(&p->load->snap.aws_partial, err);
    p->load->snap.details[p->detail].rules[p->listener] = r;
    part_done(p);
}

static void on_listeners(struct elbv2_result *r, const struct api_error *err,
                         void *ctx)
{
    struct part *p = ctx;
    struct load *l = p->load;
    struct chain_lb_detail *d = &l->snap.details[p->detail];
    struct model *m = l->cs ? l->cs->m : NULL;
    note_error(&l->snap.aws_error, err);
    d->listeners = r;
    if (r && m) {
        size_t n = r->listener_count;
        d->rules = xrealloc(NULL, (n + 1) * sizeof(*d->rules));
        memset(d->rules, 0, (n + 1) * sizeof(*d->rules));
        for (size_t i = 0; i < n; i++) {
            const struct elbv2_listener *li = &r->listeners[i];
            elbv2_describe_rules(&m->aws, l->snap.region, li->arn, on_rules,
                                 detail_part_new(l, p->detail, i));
            for (size_t k = 0; k < li->certificate_count; k++)
                want_certificate(l, m, li->certificates[k].arn);
        }
    }
    part_done(p);
}

static void on_attributes(struct elbv2_result *r, const struct api_error *err,
                          void *ctx)
{
    struct part *p = ctx;
    note_error(&p->load->snap.aws_partial, err);
    p->load->snap.details[p->detail].attributes = r;
    part_done(p);
}

static void on_web_acl(struct wafv2_web_acl *acl, const struct api_error *err,
                       void *ctx)
{
    struct part *p = ctx;
    struct chain_lb_detail *d = &p->load->snap.details[p->detail];
    d->web_acl = acl;
    d->web_acl_loaded = !err;
    note_error(&d->web_acl_error, err);
    part_done(p);
}

static void on_network(struct ec2_network *n, const struct api_error *err,
                       void *ctx)
{
    struct part *p = ctx;
    /* Subnets and groups are then shown by id only. */
    note_error(&p->load->snap.aws_partial, err);
    if (p->index == EC2_DESCRIBE_SUBNETS)
        p->load->snap.subnets = n;
    else
        p->load->snap.security_groups = n;
    part_done(p);
}

/* Adds the detail of load balancer lb unless present; returns its
 * index and sets *added. */
static size_t add_detail(struct chain_snapshot *s,
                         const struct elbv2_load_balancer *lb, int *added)
{
    *added = 0;
    for (size_t i = 0; i < s->detail_count; i++)
        if (strcmp(s->details[i].arn, lb->arn) == 0)
            return i;
    s->details = xrealloc(s->details,
                          (s->detail_count + 1) * sizeof(*s->details));
    struct chain_lb_detail *d = &s->details[s->detail_count];
    memset(d, 0, sizeof(*d));
    d->arn = xstrdup(lb->arn);
    *added = 1;
    return s->detail_count++;
}

static void add_id(const char ***ids, size_t *n, const char *id)
{
    for (size_t i = 0; i < *n; i++)
        if (strcmp((*ids)[i], id) == 0)
            return;
    if (*n >= EC2_MAX_IDS)
        return;
    *ids = xrealloc(*ids, (*n + 1) * sizeof(**ids));
    (*ids)[(*n)++] = id;
}

static void start_network(struct load *l, struct model *m,
                          const struct elbv2_load_balancer **lbs, size_t n)
{
    const char **subnets = NULL, **groups = NULL;
    size_t subnet_count = 0, group_count = 0;
    for (size_t i = 0; i < n; i++) {
        for (size_t k = 0; k < lbs[i]->zone_count; k++)
            if (lbs[i]->zones[k].subnet_id)
                add_id(&subnets, &subnet_count, lbs[i]->zones[k].subnet_id);
        for (size_t k = 0; k < lbs[i]->security_group_count; k++)
            add_id(&groups, &group_count, lbs[i]->security_groups[k]);
    }
    if (subnet_count)
        ec2_describe_network(&m->aws, l->snap.region, EC2_DESCRIBE_SUBNETS,
                             subnets, subnet_count, NULL, 0, on_network,
                             part_new(l, EC2_DESCRIBE_SUBNETS));
    if (group_count)
        ec2_describe_network(&m->aws, l->snap.region,
                             EC2_DESCRIBE_SECURITY_GROUPS, groups,
                             group_count, NULL, 0, on_network,
                             part_new(l, EC2_DESCRIBE_SECURITY_GROUPS));
    free(subnets);
    free(groups);
}

static const struct kube_ingress_info *drilled_ingress(const struct load *l,
                                                      size_t i)
{
    const struct chain_snapshot *s = &l->snap;
    const char *slash = strchr(l->drilled[i], '/');
    size_t ns_len = slash ? (size_t)(slash - l->drilled[i]) : 0;
    for (size_t k = 0; slash && s->ingresses &&
                       k < s->ingresses->ingress_count; k++) {
        const struct kube_ingress_info *in = &s->ingresses->ingresses[k];
        if (in->namespace && strlen(in->namespace) == ns_len &&
            strncmp(in->namespace, l->drilled[i], ns_len) == 0 &&
            strcmp(in->name, slash + 1) == 0)
            return in;
    }
    return NULL;
}

static void start_detail(struct load *l, struct model *m,
                         const struct elbv2_load_balancer *lb, size_t index,
                         int web_acl)
{
    const char *region = l->snap.region;
    elbv2_describe_listeners(&m->aws, region, lb->arn, on_listeners,
                             detail_part_new(l, index, 0));
    elbv2_describe_load_balancer_attributes(&m->aws, region, lb->arn,
                                            on_attributes,
                                            detail_part_new(l, index, 0));
    if (web_acl)
        wafv2_get_web_acl_for_resource(&m->aws, region, lb->arn, on_web_acl,
                                       detail_part_new(l, index, 0));
}

static void start_details(struct load *l, struct model *m)
{
    const struct elbv2_load_balancer **lbs = NULL;
    size_t lb_count = 0;
    for (size_t i = 0; i < l->drilled_count; i++) {
        const struct kube_ingress_info *in = drilled_ingress(l, i);
        if (!in)
            continue;
        want_annotated_certificates(l, m, in);
        const struct elbv2_load_balancer *lb =
            chain_match_load_balancer(&l->snap, in);
        if (!lb)
            continue;
        int added;
        size_t index = add_detail(&l->snap, lb, &added);
        if (!added)
            continue;
        lbs = xrealloc(lbs, (lb_count + 1) * sizeof(*lbs));
        lbs[lb_count++] = lb;
        start_detail(l, m, lb, index,
                     chain_annotation(in, "wafv2-acl-arn") != NULL);
    }
    start_network(l, m, lbs, lb_count);
    free(lbs);
}

/* ---- driving ---- */

static void finish(struct load *l);

static void advance(struct load *l)
{
    struct model *m = l->cs ? l->cs->m : NULL;
    l->pending++;           /* calls failing at once must not re-enter */
    l->phase++;
    if (!m || l->snap.kube_error.code[0]) {
        l->phase = 4;
    } else if (l->phase == 2) {
        start_tags(l, m);
    } else if (l->phase == 3) {
        start_health(l);
        start_role_subnets(l, m);
        start_details(l, m);
    }
    if (--l->pending > 0)
        return;
    if (l->phase >= 3)
        finish(l);
    else
        advance(l);
}

static void load_free(struct load *l)
{
    chain_snapshot_cleanup(&l->snap);
    for (size_t i = 0; i < l->drilled_count; i++)
        free(l->drilled[i]);
    free(l->drilled);
    free(l->health_queue);
    free(l);
}

void chain_load_free(void *load)
{
    struct load *l = load;
    if (!l)
        return;
    while (l->parts) {
        struct part *p = l->parts;
        l->parts = p->next;
        free(p);
    }
    load_free(l);
}

void chain_snapshot_cleanup(struct chain_snapshot *s)
{
    free(s->cluster_name);
    free(s->region);
    struct kube_objects *lists[] = {s->ingresses, s->events, s->services,
                                    s->endpoints, s->pods, s->classes,
                                    s->params};
    for (size_t i = 0; i < sizeof(lists) / sizeof(lists[0]); i++)
        kube_objects_free(lists[i]);
    size_t ntg = s->target_groups ? s->target_groups->target_group_count
                                  : 0;
    for (size_t i = 0; s->health && i < ntg; i++)
        elbv2_result_free(s->health[i]);
    free(s->health);
    elbv2_result_free(s->load_balancers);
    elbv2_result_free(s->target_groups);
    elbv2_result_free(s->tags);
    for (size_t i = 0; i < s->detail_count; i++) {
        struct chain_lb_detail *d = &s->details[i];
        size_t n = d->listeners ? d->listeners->listener_count : 0;
        for (size_t k = 0; d->rules && k < n; k++)
            elbv2_result_free(d->rules[k]);
        free(d->rules);
        elbv2_result_free(d->listeners);
        elbv2_result_free(d->attributes);
        wafv2_web_acl_free(d->web_acl);
        free(d->arn);
    }
    free(s->details);
    for (size_t i = 0; i < s->certificate_count; i++) {
        acm_certificate_free(s->certificates[i]);
        free(s->certificate_arns[i]);
    }
    free(s->certificates);
    free(s->certificate_arns);
    free(s->certificate_errors);
    ec2_network_free(s->subnets);
    ec2_network_free(s->security_groups);
    ec2_network_free(s->role_subnets);
    memset(s, 0, sizeof(*s));
}

void chain_free_drilled(struct chain_cluster *cc)
{
    for (size_t i = 0; i < cc->drilled_count; i++)
        free(cc->drilled[i]);
    free(cc->drilled);
    cc->drilled = NULL;
    cc->drilled_count = 0;
}

/* ---- finishing a load ---- */

static int throttled(const struct api_error *e)
{
    return strstr(e->code, "Throttl") || strstr(e->code, "LimitExceeded") ||
           strstr(e->code, "TooManyRequests");
}

/* Seconds until the next refresh: fast while something is changing or
 * broken, doubling towards POLL_SLOW when stable, and after errors
 * doubling towards POLL_MAX. */
static int next_interval(const struct chains *cs, size_t cluster,
                         const struct chain_snapshot *s, int previous)
{
    if (s->aws_error.code[0] || s->kube_error.code[0]) {
        int next = previous ? previous * 2 : POLL_FAST * 2;
        if (throttled(&s->aws_error))
            next *= 2;
        return next > POLL_MAX ? POLL_MAX : next;
    }
    for (size_t i = 0; i < cs->count; i++) {
        const struct chain *c = &cs->items[i];
        if (c->cluster == cluster &&
            (c->alb_state == CHAIN_ALB_PROVISIONING ||
             c->targets_healthy < c->targets_total))
            return POLL_FAST;
    }
    int next = previous ? previous * 2 : POLL_FAST;
    return next > POLL_SLOW ? POLL_SLOW : next;
}

/* Marks each drilled ingress that the load did not find. */
static void mark_missing(struct chains *cs, const struct load *l)
{
    for (size_t i = 0; i < l->drilled_count; i++) {
        const char *slash = strchr(l->drilled[i], '/');
        if (!slash)
            continue;
        char *ns = strndup(l->drilled[i], (size_t)(slash - l->drilled[i]));
        if (!chains_find(cs, l->cluster, ns, slash + 1)) {
            struct chain *c = chains_insert(cs, l->cluster, ns, slash + 1);
            c->state = MODEL_FAILED;
            c->detail_state = MODEL_FAILED;
            api_error_set(&c->error, "IngressNotFound",
                          "ingress %s not found",
                          l->drilled[i]);
        }
        free(ns);
    }
}

static void store(struct chains *cs, struct load *l)
{
    struct chain *built;
    struct chain_alb *unclaimed;
    size_t count, unclaimed_count;
    l->snap.now = time(NULL);
    chain_build(&l->snap, l->cluster, &built, &count, &unclaimed,
                &unclaimed_count);
    for (size_t i = 0; l->snap.aws_error.code[0] && i < count; i++) {
        built[i].state = MODEL_FAILED;
        built[i].error = l->snap.aws_error;
    }
    chains_replace(cs, l->cluster, built, count, unclaimed, unclaimed_count);
    mark_missing(cs, l);
}

static int start_load(struct chains *cs, size_t cluster);

static void finish(struct load *l)
{
    struct chains *cs = l->cs;
    if (!cs) {
        load_free(l);
        return;
    }
    struct chain_cluster *cc = chains_cluster_state(cs, l->cluster);
    cc->load = NULL;
    if (l->snap.kube_error.code[0]) {
        cc->state = MODEL_FAILED;
        cc->error = l->snap.kube_error;
        for (size_t i = 0; i < cs->count; i++)
            if (cs->items[i].cluster == l->cluster &&
                cs->items[i].state == MODEL_LOADING) {
                cs->items[i].state = MODEL_FAILED;
                cs->items[i].detail_state = MODEL_FAILED;
                cs->items[i].error = l->snap.kube_error;
            }
    } else {
        store(cs, l);
        cc = chains_cluster_state(cs, l->cluster);
        cc->state = l->snap.aws_error.code[0] ? MODEL_FAILED : MODEL_READY;
        cc->error = l->snap.aws_error;
        cc->refreshed = time(NULL);     /* the chains are this new */
    }
    cc->backoff = next_interval(cs, l->cluster, &l->snap, cc->backoff);
    cc->next_poll = time(NULL) + cc->backoff;
    cs->m->version++;
    load_free(l);
    if (cc->again) {
        cc->again = 0;
        start_load(cs, cc->cluster);
    }
}

/* ---- starting ---- */

/* The cluster name the controller tags with: the EKS name, which is the
 * last part of a cluster ARN used as a context name. */
static char *tag_cluster_name(const struct model_cluster *c)
{
    const char *name = c->arn ? c->arn : c->name;
    const char *slash = strstr(name, ":cluster/");
    return xstrdup(slash ? slash + strlen(":cluster/") : c->name);
}

/* Opens cluster i in the model without changing the current cluster;
 * returns its Kubernetes client, or NULL with the reason in cc. */
static struct kube_client *open_cluster(struct model *m, size_t i,
                                        struct chain_cluster *cc)
{
    size_t current = m->current;
    model_open_cluster(m, i);
    if (current != MODEL_NONE)
        m->current = current;
    const struct model_cluster *c = &m->clusters[i];
    if (!c->kube) {
        cc->state = MODEL_FAILED;
        cc->error = c->error;
        m->version++;
    }
    return c->kube;
}

static int start_load(struct chains *cs, size_t cluster)
{
    struct model *m = cs->m;
    if (cluster >= m->cluster_count)
        return -1;
    struct chain_cluster *cc = chains_cluster_state(cs, cluster);
    if (cc->load)
        return 0;
    struct kube_client *kube = open_cluster(m, cluster, cc);
    if (!kube)
        return -1;
    const struct model_cluster *c = &m->clusters[cluster];
    struct load *l = xrealloc(NULL, sizeof(*l));
    memset(l, 0, sizeof(*l));
    l->cs = cs;
    l->cluster = cluster;
    l->snap.cluster_name = tag_cluster_name(c);
    l->snap.region = xstrdup(c->region ? c->region : m->aws.region);
    l->drilled = xrealloc(NULL, (cc->drilled_count + 1) * sizeof(char *));
    for (size_t i = 0; i < cc->drilled_count; i++)
        l->drilled[i] = xstrdup(cc->drilled[i]);
    l->drilled_count = cc->drilled_count;
    cc->load = l;
    cc->state = MODEL_LOADING;
    m->version++;
    l->phase = 1;
    l->pending = 1;
    start_lists(l, m, kube);
    if (--l->pending == 0)
        advance(l);
    return 0;
}

int chains_load_cluster(struct chains *cs, size_t cluster)
{
    return start_load(cs, cluster);
}

static void add_drilled(struct chain_cluster *cc, const char *key)
{
    for (size_t i = 0; i < cc->drilled_count; i++)
        if (strcmp(cc->drilled[i], key) == 0)
            return;
    cc->drilled = xrealloc(cc->drilled,
                          (cc->drilled_count + 1) * sizeof(*cc->drilled));
    cc->drilled[cc->drilled_count++] = xstrdup(key);
}

int chains_load_ingress(struct chains *cs, size_t cluster,
                        const char *namespace, const char *name)
{
    char key[600];
    if (cluster >= cs->m->cluster_count || !namespace || !name)
        return -1;
    snprintf(key, sizeof(key), "%s/%s", namespace, name);
    struct chain_cluster *cc = chains_cluster_state(cs, cluster);
    add_drilled(cc, key);
    struct chain *c = chains_insert(cs, cluster, namespace, name);
    if (c->state != MODEL_READY)
        c->state = MODEL_LOADING;
    c->detail_state = MODEL_LOADING;
    if (cc->load) {
        cc->again = 1;  /* the load in flight does not know this one */
        return 0;
    }
    return start_load(cs, cluster);
}

void chains_refresh(struct chains *cs, size_t cluster)
{
    start_load(cs, cluster);
}

/* Loads cc again when a watch changed its cluster's ingresses since the
 * last look: at once, or after the load in flight. Returns 1 when a
 * load started. */
static int watch_changed(struct chains *cs, struct chain_cluster *cc)
{
    const struct model *m = cs->m;
    if (cc->cluster >= m->cluster_count)
        return 0;
    unsigned long changes = m->clusters[cc->cluster].ingress_changes;
    if (changes == cc->ingress_changes)
        return 0;
    cc->ingress_changes = changes;
    if (cc->load) {
        cc->again = 1;
        return 0;
    }
    start_load(cs, cc->cluster);
    return 1;
}

int chains_poll(struct chains *cs, time_t now)
{
    long soonest = -1;
    for (size_t i = 0; i < cs->cluster_count; i++) {
        struct chain_cluster *cc = &cs->clusters[i];
        if (watch_changed(cs, cc))
            continue;
        if (cc->load || !cc->next_poll)
            continue;
        if (cc->next_poll <= now) {
            start_load(cs, cc->cluster);
            continue;
        }
        long wait = (long)(cc->next_poll - now) * 1000;
        if (soonest < 0 || wait < soonest)
            soonest = wait;
    }
    return (int)soonest;
}
