/*
 * ctl_deploy: the controller's deploy phase, in its order: security
 * groups, target groups, the load balancer, listeners, listener rules,
 * the web ACL, then the targets its TargetGroupBindings register. Each
 * step first checks the calls it makes against the controller's role,
 * so a missing permission stops the deploy where the controller would
 * stop, with what came before left in place.
 *
 * Everything gets the controller's tags: elbv2.k8s.aws/cluster,
 * ingress.k8s.aws/stack (group name or NAMESPACE/NAME) and
 * ingress.k8s.aws/resource (LoadBalancer, ManagedLBSecurityGroup,
 * NAMESPACE/INGRESS-SERVICE:PORT for target groups, PORT for listeners,
 * PORT:PRIORITY for rules).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "awsreply.h"
#include "controller_task.h"
#include "wfile.h"
#include "world_net.h"

#define ELB "elasticloadbalancing:"

static int no_memory(struct ctl_task *t)
{
    t->oom = 1;
    t->reason = "FailedDeployModel";
    snprintf(t->message, sizeof(t->message), "out of memory");
    return -1;
}

/* Checks the calls of one step; names end with NULL. */
static int calls(struct ctl_task *t, const char *first, ...)
{
    va_list ap;
    int rc = 0;
    va_start(ap, first);
    for (const char *a = first; a && rc == 0; a = va_arg(ap, const char *))
        rc = ctl_call(t, a, "");
    va_end(ap);
    if (rc < 0)
        t->reason = "FailedDeployModel";
    return rc;
}

static int tag(struct ctl_task *t, struct world_kv_list *tags,
               const char *resource)
{
    if (world_kv_add(tags, CTL_TAG_CLUSTER, t->c->name) < 0 ||
        world_kv_add(tags, CTL_TAG_STACK, t->stack) < 0 ||
        world_kv_add(tags, CTL_TAG_RESOURCE, resource) < 0)
        return -1;
    for (size_t i = 0; i < t->model.tags.count; i++)
        if (world_kv_add(tags, t->model.tags.items[i].key,
                         t->model.tags.items[i].value) < 0)
            return -1;
    return 0;
}

/* arn:aws:elasticloadbalancing:REGION:ACCOUNT:KIND/PATH/ID, with ID
 * derived from the path and unique, which distinguishes siblings. */
static char *elb_arn(struct ctl_task *t, const char *kind, const char *path,
                     const char *unique)
{
    char *seed = wfile_printf("%s/%s/%s/%s", t->c->region, kind, path,
                              unique);
    char *id = seed ? world_elb_id(seed) : NULL;
    char *arn = id ? wfile_printf("arn:aws:elasticloadbalancing:%s:%s:%s/%s/"
                                  "%s", t->c->region, t->w->account_id, kind,
                                  path, id)
                   : NULL;
    free(seed);
    free(id);
    return arn;
}

/* ---- security groups ------------------------------------------------------ */

static struct world_security_group *add_group(struct ctl_task *t,
                                              const char *name,
                                              const char *description)
{
    struct world_security_group *g = world_append(
        &t->w->security_groups, &t->w->security_group_count, sizeof(*g));
    char *seed = wfile_printf("sg/%s/%s", t->c->region, name);
    if (!g || !seed) {
        free(seed);
        return NULL;
    }
    g->id = wfile_derive("sg-", seed, 17, WFILE_LOWER_HEX);
    free(seed);
    g->name = strdup(name);
    g->description = strdup(description);
    g->vpc_id = strdup(t->c->vpc_id);
    g->region = strdup(t->c->region);
    return g->id && g->name && g->description && g->vpc_id && g->region
               ? g : NULL;
}

/* The cluster's shared backend group, created once. */
static const char *backend_group(struct ctl_task *t)
{
    for (size_t i = 0; i < t->w->security_group_count; i++) {
        const struct world_security_group *g = &t->w->security_groups[i];
        const char *cluster = world_tag(&g->tags, CTL_TAG_CLUSTER);
        const char *resource = world_tag(&g->tags, "elbv2.k8s.aws/resource");
        if (cluster && resource && strcmp(cluster, t->c->name) == 0 &&
            strcmp(resource, "backend-sg") == 0)
            return g->id;
    }
    char hash[11], name[300];
    ctl_hash10(hash, t->c->name, NULL);
    snprintf(name, sizeof(name), "k8s-traffic-%.20s-%s", t->c->name, hash);
    struct world_security_group *g = add_group(
        t, name, "[k8s] Shared Backend SecurityGroup for LoadBalancer");
    if (!g || world_kv_add(&g->tags, CTL_TAG_CLUSTER, t->c->name) < 0 ||
        world_kv_add(&g->tags, "elbv2.k8s.aws/resource", "backend-sg") < 0)
        return NULL;
    return g->id;
}

static int deploy_groups(struct ctl_task *t, char *ids[2])
{
    if (calls(t, "ec2:DescribeSecurityGroups", "ec2:CreateSecurityGroup",
              "ec2:CreateTags", "ec2:AuthorizeSecurityGroupIngress",
              NULL) < 0)
        return -1;
    struct world_security_group *g = add_group(
        t, t->model.lb_name, "[k8s] Managed SecurityGroup for LoadBalancer");
    if (!g || tag(t, &g->tags, "ManagedLBSecurityGroup") < 0 ||
        !(ids[0] = strdup(g->id)))
        return no_memory(t);
    const char *backend = backend_group(t);
    if (!backend || !(ids[1] = strdup(backend)))
        return no_memory(t);
    return 0;
}

/* ---- targets ------------------------------------------------------------------ */

/* Whether code is in the matcher: "200", "200-299" or "200,302". */
static int matcher_accepts(const char *matcher, int code)
{
    for (const char *p = matcher; p && *p;) {
        int low = atoi(p), high = low;
        const char *dash = strchr(p, '-'), *comma = strchr(p, ',');
        if (dash && (!comma || dash < comma))
            high = atoi(dash + 1);
        if (code >= low && code <= high)
            return 1;
        p = comma ? comma + 1 : NULL;
    }
    return 0;
}

struct health {
    const char *state;
    const char *reason;
    char description[128];
};

/* What the health check of a pod ends in. */
static void pod_health(const struct world_pod *pod, const char *matcher,
                       struct health *h)
{
    const char *check = pod->health_check;
    h->state = "unhealthy";
    h->description[0] = '\0';
    if (strcmp(check, "pass") == 0) {
        h->state = "healthy";
        h->reason = NULL;
    } else if (strcmp(check, "fail") == 0) {
        h->reason = "Target.FailedHealthChecks";
        snprintf(h->description, sizeof(h->description),
                 "Health checks failed");
    } else if (strcmp(check, "timeout") == 0) {
        h->reason = "Target.Timeout";
        snprintf(h->description, sizeof(h->description),
                 "Request timed out");
    } else if (matcher_accepts(matcher, atoi(check))) {
        h->state = "healthy";
        h->reason = NULL;
    } else {
        h->reason = "Target.ResponseCodeMismatch";
        snprintf(h->description, sizeof(h->description),
                 "Health checks failed with these codes: [%s]", check);
    }
}

static int selects(const struct world_service *svc,
                   const struct world_pod *pod)
{
    if (!svc->selector.count || strcmp(svc->namespace, pod->namespace) != 0)
        return 0;
    for (size_t i = 0; i < svc->selector.count; i++) {
        const char *v = world_tag(&pod->labels, svc->selector.items[i].key);
        if (!v || strcmp(v, svc->selector.items[i].value) != 0)
            return 0;
    }
    return 1;
}

static int serving(const struct world_pod *pod)
{
    return pod->ready && strcmp(pod->phase, "Running") == 0;
}

static const char *node_zone(const struct world_cluster *c, const char *name)
{
    for (size_t i = 0; name && i < c->node_count; i++)
        if (strcmp(c->nodes[i].name, name) == 0)
            return c->nodes[i].az;
    return NULL;
}

static int add_target(struct world_target_group *tg, const char *id,
                      int port, const char *az, const struct health *h)
{
    struct world_target *target = world_append(&tg->targets,
                                                &tg->target_count,
                                                sizeof(*target));
    if (!target)
        return -1;
    target->id = strdup(id);
    target->port = port;
    target->az = az ? strdup(az) : NULL;
    target->state = strdup(h->state);
    target->reason = h->reason ? strdup(h->reason) : NULL;
    target->description = h->reason ? strdup(h->description) : NULL;
    return target->id && target->state ? 0 : -1;
}

/* The port of pod for a service port: a number, or the pod's container
 * port for a named target port. */
static int pod_port(const struct world_pod *pod,
                    const struct world_service_port *p)
{
    char *end;
    long n = strtol(p->target_port, &end, 10);
    if (!*end)
        return (int)n;
    return pod->container_port ? pod->container_port : 80;
}

static int ip_targets(struct ctl_task *t, const struct ctl_target_group *m,
                      struct world_target_group *tg)
{
    for (size_t i = 0; i < t->c->pod_count; i++) {
        const struct world_pod *pod = &t->c->pods[i];
        struct health h;
        if (!selects(m->svc, pod) || !serving(pod))
            continue;
        pod_health(pod, m->matcher, &h);
        if (add_target(tg, pod->ip, pod_port(pod, m->port),
                       node_zone(t->c, pod->node), &h) < 0)
            return -1;
    }
    return 0;
}

/* Instance targets reach the service through kube-proxy on every node,
 * so each node reports the health of the service's best serving pod. */
static int instance_targets(struct ctl_task *t,
                            const struct ctl_target_group *m,
                            struct world_target_group *tg)
{
    struct health best = { .state = "unhealthy",
                           .reason = "Target.FailedHealthChecks",
                           .description = "Health checks failed" };
    int found = 0;
    for (size_t i = 0; i < t->c->pod_count; i++) {
        const struct world_pod *pod = &t->c->pods[i];
        struct health h;
        if (!selects(m->svc, pod) || !serving(pod))
            continue;
        pod_health(pod, m->matcher, &h);
        if (!found || strcmp(h.state, "healthy") == 0)
            best = h;
        found = 1;
    }
    for (size_t i = 0; i < t->c->node_count; i++)
        if (add_target(tg, t->c->nodes[i].instance_id, m->port->node_port,
                       t->c->nodes[i].az, &best) < 0)
            return -1;
    return 0;
}

/* What the TargetGroupBindings register. NOTE: a denied RegisterTargets
 * leaves the target groups empty without an event on the ingress; the
 * controller reports it on the TargetGroupBinding, which the sandbox
 * does not serve. */
static int register_targets(struct ctl_task *t)
{
    if (ctl_call(t, ELB "RegisterTargets", "") < 0)
        return 0;
    for (size_t i = 0; i < t->model.target_group_count; i++) {
        const struct ctl_target_group *m = &t->model.target_groups[i];
        struct world_target_group *tg =
            (struct world_target_group *)world_target_group(t->w, m->arn);
        int rc = strcmp(m->target_type, "ip") == 0
                     ? ip_targets(t, m, tg) : instance_targets(t, m, tg);
        if (rc < 0)
            return no_memory(t);
        tg->registered = world_clock(t->w);
    }
    return 0;
}

/* ---- target groups and the load balancer ----------------------------------- */

static int fill_target_group(struct ctl_task *t,
                             const struct ctl_target_group *m,
                             struct world_target_group *tg)
{
    char resource[700];
    snprintf(resource, sizeof(resource), "%s/%s-%s:%d", m->ing->namespace,
             m->ing->name, m->svc->name, m->port->port);
    tg->arn = strdup(m->arn);
    tg->name = strdup(m->name);
    tg->region = strdup(t->c->region);
    tg->vpc_id = strdup(t->c->vpc_id);
    tg->protocol = strdup("HTTP");
    tg->protocol_version = strdup("HTTP1");
    tg->port = m->tg_port;
    tg->target_type = strdup(m->target_type);
    tg->health_path = strdup(m->health_path);
    tg->health_port = strdup("traffic-port");
    tg->health_protocol = strdup("HTTP");
    tg->matcher = strdup(m->matcher);
    tg->health_interval = 15;
    tg->health_timeout = 5;
    tg->healthy_threshold = 2;
    tg->unhealthy_threshold = 2;
    return tg->arn && tg->name && tg->region && tg->vpc_id &&
           tg->protocol && tg->protocol_version && tg->target_type &&
           tg->health_path && tg->health_port && tg->health_protocol &&
           tg->matcher ? tag(t, &tg->tags, resource) : -1;
}

static int deploy_target_groups(struct ctl_task *t)
{
    if (calls(t, ELB "DescribeTargetGroups", ELB "DescribeTags",
              ELB "CreateTargetGroup", ELB "AddTags", NULL) < 0)
        return -1;
    for (size_t i = 0; i < t->model.target_group_count; i++) {
        struct ctl_target_group *m = &t->model.target_groups[i];
        m->arn = elb_arn(t, "targetgroup", m->name, "");
        struct world_target_group *tg = m->arn ? world_append(
            &t->w->target_groups, &t->w->target_group_count, sizeof(*tg))
                                               : NULL;
        if (!tg || fill_target_group(t, m, tg) < 0)
            return no_memory(t);
    }
    return 0;
}

/* Application Load Balancer attributes as AWS reports them for a new
 * load balancer, then those of the load-balancer-attributes annotation
 * ("key=value,key=value"). */
static const char *const default_attributes[][2] = {
    {"access_logs.s3.enabled", "false"}, {"access_logs.s3.bucket", ""},
    {"access_logs.s3.prefix", ""}, {"deletion_protection.enabled", "false"},
    {"idle_timeout.timeout_seconds", "60"},
    {"routing.http.desync_mitigation_mode", "defensive"},
    {"routing.http.drop_invalid_header_fields.enabled", "false"},
    {"routing.http.preserve_host_header.enabled", "false"},
    {"routing.http.xff_client_port.enabled", "false"},
    {"routing.http.xff_header_processing.mode", "append"},
    {"routing.http2.enabled", "true"}, {"waf.fail_open.enabled", "false"},
    {"client_keep_alive.seconds", "3600"},
};

static int set_attribute(struct world_kv_list *l, const char *key,
                         const char *value)
{
    for (size_t i = 0; i < l->count; i++)
        if (strcmp(l->items[i].key, key) == 0) {
            char *copy = strdup(value);
            if (!copy)
                return -1;
            free(l->items[i].value);
            l->items[i].value = copy;
            return 0;
        }
    return world_kv_add(l, key, value);
}

static int lb_attributes(struct ctl_task *t, struct world_load_balancer *lb)
{
    size_t n = sizeof(default_attributes) / sizeof(default_attributes[0]);
    for (size_t i = 0; i < n; i++)
        if (world_kv_add(&lb->attributes, default_attributes[i][0],
                         default_attributes[i][1]) < 0)
            return -1;
    for (const char *p = t->model.attributes; p && *p;) {
        size_t len = strcspn(p, ",");
        const char *eq = memchr(p, '=', len);
        char key[256], value[256];
        if (eq) {
            snprintf(key, sizeof(key), "%.*s", (int)(eq - p), p);
            snprintf(value, sizeof(value), "%.*s",
                     (int)(len - (size_t)(eq - p) - 1), eq + 1);
            if (set_attribute(&lb->attributes, key, value) < 0)
                return -1;
        }
        p += len + (p[len] == ',');
    }
    return 0;
}

static int lb_subnets(struct ctl_task *t, struct world_load_balancer *lb,
                      char *groups[2])
{
    lb->subnet_ids = calloc(t->model.subnet_count, sizeof(char *));
    lb->security_group_ids = calloc(2, sizeof(char *));
    if (!lb->subnet_ids || !lb->security_group_ids)
        return -1;
    for (size_t i = 0; i < t->model.subnet_count; i++) {
        if (!(lb->subnet_ids[i] = strdup(t->model.subnets[i]->id)))
            return -1;
        lb->subnet_count = i + 1;
    }
    lb->security_group_ids[0] = groups[0];
    lb->security_group_ids[1] = groups[1];
    lb->security_group_count = 2;
    groups[0] = groups[1] = NULL;
    return 0;
}

static int deploy_load_balancer(struct ctl_task *t, char *groups[2],
                                char **arn)
{
    if (calls(t, ELB "DescribeLoadBalancers", ELB "CreateLoadBalancer",
              ELB "ModifyLoadBalancerAttributes", NULL) < 0)
        return -1;
    struct world_load_balancer *lb = world_append(
        &t->w->load_balancers, &t->w->load_balancer_count, sizeof(*lb));
    char created[21], path[300];
    awsreply_format_time(time(NULL), created);
    snprintf(path, sizeof(path), "app/%s", t->model.lb_name);
    if (!lb || !(lb->arn = elb_arn(t, "loadbalancer", path, "")) ||
        !(lb->name = strdup(t->model.lb_name)) ||
        !(lb->dns_name = strdup(t->model.dns_name)) ||
        !(lb->region = strdup(t->c->region)) ||
        !(lb->vpc_id = strdup(t->c->vpc_id)) ||
        !(lb->scheme = strdup(t->model.scheme)) ||
        !(lb->ip_address_type = strdup(t->model.ip_address_type)) ||
        !(lb->created = strdup(created)) ||
        lb_subnets(t, lb, groups) < 0 || lb_attributes(t, lb) < 0 ||
        tag(t, &lb->tags, "LoadBalancer") < 0 || !(*arn = strdup(lb->arn)))
        return no_memory(t);
    lb->created_clock = world_clock(t->w);
    return 0;
}

/* ---- listeners and rules ------------------------------------------------------ */

/* ELBv2 takes an ACM certificate of the load balancer's own region and
 * account, once issued. */
static int check_certificates(struct ctl_task *t,
                              const struct ctl_listener *l)
{
    for (size_t i = 0; i < l->certificate_count; i++) {
        const struct world_certificate *c = world_certificate(
            t->w, l->certificates[i]);
        if (c && strcmp(c->region, t->c->region) == 0 &&
            strcmp(c->status, "ISSUED") == 0)
            continue;
        char text[700];
        snprintf(text, sizeof(text), "Certificate '%s' not found",
                 l->certificates[i]);
        ctl_aws_error(t, "", ELB "CreateListener", 400,
                      "CertificateNotFound", 1, text);
        t->reason = "FailedDeployModel";
        return -1;
    }
    return 0;
}

static int default_action(const struct ctl_listener *l,
                          struct world_action *a)
{
    if (l->redirect_port) {
        a->type = strdup("redirect");
        a->redirect_protocol = strdup("HTTPS");
        a->redirect_port = wfile_printf("%d", l->redirect_port);
        a->status_code = strdup("HTTP_301");
        return a->type && a->redirect_protocol && a->redirect_port &&
               a->status_code ? 0 : -1;
    }
    /* No default backend: the controller returns 404. */
    a->type = strdup("fixed-response");
    a->status_code = strdup("404");
    a->content_type = strdup("text/plain");
    return a->type && a->status_code && a->content_type ? 0 : -1;
}

static int add_listener(struct ctl_task *t, struct ctl_listener *l,
                        const char *lb_arn)
{
    char path[400], resource[16];
    const struct world_load_balancer *lb = world_load_balancer(t->w, lb_arn);
    snprintf(path, sizeof(path), "app/%s/%s", lb->name,
             strrchr(lb->arn, '/') + 1);
    snprintf(resource, sizeof(resource), "%d", l->port);
    struct world_listener *wl = world_append(&t->w->listeners,
                                             &t->w->listener_count,
                                             sizeof(*wl));
    if (!wl || !(wl->arn = elb_arn(t, "listener", path, resource)) ||
        !(wl->lb_arn = strdup(lb_arn)) ||
        !(wl->protocol = strdup(l->protocol)) ||
        (l->ssl_policy && !(wl->ssl_policy = strdup(l->ssl_policy))) ||
        default_action(l, &wl->default_action) < 0 ||
        tag(t, &wl->tags, resource) < 0 || !(l->arn = strdup(wl->arn)))
        return -1;
    wl->port = l->port;
    wl->certificate_arns = calloc(l->certificate_count + 1, sizeof(char *));
    for (size_t i = 0; wl->certificate_arns && i < l->certificate_count;
         i++) {
        if (!(wl->certificate_arns[i] = strdup(l->certificates[i])))
            return -1;
        wl->certificate_count = i + 1;
    }
    return wl->certificate_arns ? 0 : -1;
}

static int deploy_listeners(struct ctl_task *t, const char *lb_arn)
{
    if (calls(t, ELB "DescribeListeners", ELB "CreateListener", NULL) < 0)
        return -1;
    for (size_t i = 0; i < t->model.listener_count; i++) {
        struct ctl_listener *l = &t->model.listeners[i];
        if (check_certificates(t, l) < 0)
            return -1;
        if (add_listener(t, l, lb_arn) < 0)
            return no_memory(t);
    }
    return 0;
}

static int copy_strings(char ***out, size_t *count, const char *const *in,
                        size_t n)
{
    *out = calloc(n ? n : 1, sizeof(char *));
    if (!*out)
        return -1;
    for (size_t i = 0; i < n; i++) {
        if (!((*out)[i] = strdup(in[i])))
            return -1;
        *count = i + 1;
    }
    return 0;
}

static int rule_action(struct ctl_task *t, const struct ctl_rule *r,
                       const char *lb_arn, struct world_action *a)
{
    if (r->target_group < 0) {
        a->type = strdup("fixed-response");
        a->status_code = strdup("503");
        a->content_type = strdup("text/plain");
        a->message_body = strdup("Backend service does not exist");
        return a->type && a->status_code && a->content_type &&
               a->message_body ? 0 : -1;
    }
    const char *tg_arn = t->model.target_groups[r->target_group].arn;
    struct world_target_group *tg =
        (struct world_target_group *)world_target_group(t->w, tg_arn);
    if (!tg->lb_arn && !(tg->lb_arn = strdup(lb_arn)))
        return -1;
    a->type = strdup("forward");
    a->target_group_arn = strdup(tg_arn);
    return a->type && a->target_group_arn ? 0 : -1;
}

static int add_rule(struct ctl_task *t, const struct ctl_listener *l,
                    const struct ctl_rule *r, int priority,
                    const char *lb_arn)
{
    char path[600], resource[32], number[16];
    snprintf(number, sizeof(number), "%d", priority);
    snprintf(path, sizeof(path), "%s", strstr(l->arn, ":listener/") + 10);
    snprintf(resource, sizeof(resource), "%d:%d", l->port, priority);
    struct world_rule *wr = world_append(&t->w->rules, &t->w->rule_count,
                                         sizeof(*wr));
    const char *hosts[1] = { r->host };
    if (!wr || !(wr->arn = elb_arn(t, "listener-rule", path, number)) ||
        !(wr->listener_arn = strdup(l->arn)) ||
        copy_strings(&wr->hosts, &wr->host_count, hosts, r->host ? 1 : 0) < 0 ||
        copy_strings(&wr->paths, &wr->path_count,
                     (const char *const *)r->paths, r->path_count) < 0 ||
        rule_action(t, r, lb_arn, &wr->action) < 0 ||
        tag(t, &wr->tags, resource) < 0)
        return -1;
    wr->priority = priority;
    return 0;
}

/* Every listener has a default rule that carries its default action. */
static int add_default_rule(struct ctl_task *t, const struct ctl_listener *l)
{
    char path[600];
    snprintf(path, sizeof(path), "%s", strstr(l->arn, ":listener/") + 10);
    struct world_rule *wr = world_append(&t->w->rules, &t->w->rule_count,
                                         sizeof(*wr));
    struct ctl_listener copy = *l;
    if (!wr || !(wr->arn = elb_arn(t, "listener-rule", path, "default")) ||
        !(wr->listener_arn = strdup(l->arn)))
        return -1;
    copy.arn = NULL;
    return default_action(&copy, &wr->action);
}

static int deploy_rules(struct ctl_task *t, const char *lb_arn)
{
    if (calls(t, ELB "DescribeRules", ELB "CreateRule", NULL) < 0)
        return -1;
    for (size_t i = 0; i < t->model.listener_count; i++) {
        const struct ctl_listener *l = &t->model.listeners[i];
        if (add_default_rule(t, l) < 0)
            return no_memory(t);
        for (size_t j = 0; !l->redirect_port && j < t->model.rule_count; j++)
            if (add_rule(t, l, &t->model.rules[j], (int)j + 1, lb_arn) < 0)
                return no_memory(t);
    }
    return 0;
}

/* ---- web ACL ---------------------------------------------------------------- */

static int deploy_web_acl(struct ctl_task *t, const char *lb_arn)
{
    const char *arn = t->model.web_acl_arn;
    if (!arn)
        return 0;
    if (calls(t, "wafv2:GetWebACLForResource", "wafv2:AssociateWebACL",
              NULL) < 0)
        return -1;
    const struct world_web_acl *acl = world_web_acl(t->w, arn);
    if (!acl || strcmp(acl->region, t->c->region) != 0) {
        ctl_aws_error(t, "", "wafv2:AssociateWebACL", 400,
                      "WAFNonexistentItemException", 1,
                      "AWS WAF couldn\xe2\x80\x99t perform the operation "
                      "because your resource doesn\xe2\x80\x99t exist.");
        t->reason = "FailedDeployModel";
        return -1;
    }
    struct world_load_balancer *lb =
        (struct world_load_balancer *)world_load_balancer(t->w, lb_arn);
    free(lb->web_acl_arn);
    lb->web_acl_arn = strdup(arn);
    return lb->web_acl_arn ? 0 : no_memory(t);
}

/* The load balancer a controller run from a Deployment made for this
 * stack before, or NULL. */
static const struct world_load_balancer *deployed_before(struct ctl_task *t)
{
    for (size_t i = 0; t->c->controller.deployed &&
                       i < t->w->load_balancer_count; i++) {
        const struct world_load_balancer *lb = &t->w->load_balancers[i];
        const char *cluster = world_tag(&lb->tags, CTL_TAG_CLUSTER);
        const char *stack = world_tag(&lb->tags, CTL_TAG_STACK);

        if (strcmp(lb->region, t->c->region) == 0 && cluster && stack &&
            strcmp(cluster, t->c->name) == 0 && strcmp(stack, t->stack) == 0)
            return lb;
    }
    return NULL;
}

int ctl_deploy(struct ctl_task *t)
{
    char *groups[2] = { NULL, NULL }, *lb_arn = NULL;
    const struct world_load_balancer *before = deployed_before(t);
    int rc;

    /* A controller started from a Deployment reconciles again on every
     * ingress change and restart. It keeps the load balancer it made.
     * TODO: changes to the model (rules, listeners, targets) are not
     * applied to it, as the controller's diff against the tags would. */
    if (before) {
        char *dns = strdup(before->dns_name);

        if (!dns)
            return no_memory(t);
        free(t->model.dns_name);
        t->model.dns_name = dns;
        return 0;
    }
    rc = deploy_groups(t, groups);
    if (rc == 0)
        rc = deploy_target_groups(t);
    if (rc == 0)
        rc = deploy_load_balancer(t, groups, &lb_arn);
    if (rc == 0)
        rc = deploy_listeners(t, lb_arn);
    if (rc == 0)
        rc = deploy_rules(t, lb_arn);
    if (rc == 0)
        rc = deploy_web_acl(t, lb_arn);
    if (rc == 0)
        rc = register_targets(t);
    free(groups[0]);
    free(groups[1]);
    free(lb_arn);
    return rc;
}
