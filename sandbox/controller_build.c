/*
 * ctl_build: the model the controller builds for an ingress group, in
 * the controller's order: listen ports and certificates of each member,
 * the scheme, the subnets, then listener rules and the target groups of
 * their backends. Names follow the controller: a load balancer
 * k8s-NS-NAME-HASH (k8s-GROUP-HASH for an explicit group) and target
 * groups k8s-NS-SERVICE-HASH, with the non-alphanumerics of each part
 * removed and HASH the first 10 hex digits of a SHA-256.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cjson/cJSON.h>

#include "controller_task.h"
#include "wfile.h"
#include "world_net.h"

#define DEFAULT_SSL_POLICY  "ELBSecurityPolicy-2016-08"
#define ROLE_ELB            "kubernetes.io/role/elb"
#define ROLE_INTERNAL_ELB   "kubernetes.io/role/internal-elb"
#define MIN_FREE_IPS        8
#define SUBNET_PREFIX       "couldn't auto-discover subnets: "

static int fail(struct ctl_task *t, const char *reason, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int fail(struct ctl_task *t, const char *reason, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(t->message, sizeof(t->message), fmt, ap);
    va_end(ap);
    t->reason = reason;
    return -1;
}

static int build_fail_call(struct ctl_task *t)
{
    t->reason = "FailedBuildModel";
    return -1;
}

static int no_memory(struct ctl_task *t)
{
    t->oom = 1;
    return fail(t, "FailedBuildModel", "out of memory");
}

/* The part with only letters and digits, cut to max characters. */
static void sanitize(char *out, size_t size, const char *s, size_t max)
{
    size_t n = 0;
    for (; *s && n < max && n + 1 < size; s++)
        if (isalnum((unsigned char)*s))
            out[n++] = *s;
    out[n] = '\0';
}

/* ---- listen ports and certificates ---------------------------------------- */

static struct ctl_listener *listener_for(struct ctl_model *m, int port,
                                         const char *protocol)
{
    for (size_t i = 0; i < m->listener_count; i++)
        if (m->listeners[i].port == port)
            return &m->listeners[i];
    if (m->listener_count == CTL_LISTENERS_MAX)
        return NULL;
    struct ctl_listener *l = &m->listeners[m->listener_count++];
    l->port = port;
    l->protocol = protocol;
    return l;
}

static int add_certificate(struct ctl_listener *l, const char *arn)
{
    for (size_t i = 0; i < l->certificate_count; i++)
        if (strcmp(l->certificates[i], arn) == 0)
            return 0;
    char **grown = realloc(l->certificates,
                           (l->certificate_count + 1) * sizeof(char *));
    if (!grown)
        return -1;
    l->certificates = grown;
    if (!(grown[l->certificate_count] = strdup(arn)))
        return -1;
    l->certificate_count++;
    return 0;
}

/* Splits the certificate-arn annotation (a comma list) into certs. */
static size_t split_arns(const char *text, char arns[][512], size_t max)
{
    size_t n = 0;
    while (text && *text && n < max) {
        while (*text == ' ' || *text == ',')
            text++;
        size_t len = strcspn(text, ", ");
        if (len)
            snprintf(arns[n++], 512, "%.*s", (int)len, text);
        text += len;
    }
    return n;
}

/* "*.example.com" covers one label; anything else must be equal. */
static int domain_covers(const char *domain, const char *host)
{
    if (strncmp(domain, "*.", 2) == 0) {
        const char *dot = strchr(host, '.');
        return dot && strcasecmp(dot + 1, domain + 2) == 0;
    }
    return strcasecmp(domain, host) == 0;
}

static const struct world_certificate *discover(const struct ctl_task *t,
                                                const char *host)
{
    for (size_t i = 0; i < t->w->certificate_count; i++) {
        const struct world_certificate *c = &t->w->certificates[i];
        if (strcmp(c->region, t->c->region) != 0 ||
            strcmp(c->status, "ISSUED") != 0)
            continue;
        for (size_t j = 0; j < c->san_count; j++)
            if (domain_covers(c->sans[j], host))
                return c;
    }
    return NULL;
}

/* The controller's certificate discovery: an ISSUED ACM certificate of
 * the region for every host of the ingress. */
static int discover_certificates(struct ctl_task *t,
                                 const struct world_ingress *ing,
                                 struct ctl_listener *l)
{
    char prefix[600];
    snprintf(prefix, sizeof(prefix), "ingress: %s/%s: ", ing->namespace,
             ing->name);
    if (ctl_call(t, "acm:ListCertificates", prefix) < 0 ||
        ctl_call(t, "acm:DescribeCertificate", prefix) < 0)
        return build_fail_call(t);
    for (size_t i = 0; i < ing->rule_count; i++) {
        const char *host = ing->rules[i].host;
        if (!host)
            continue;
        const struct world_certificate *c = discover(t, host);
        if (!c)
            return fail(t, "FailedBuildModel", "%snone certificate found for "
                        "host: %s", prefix, host);
        if (add_certificate(l, c->arn) < 0)
            return no_memory(t);
    }
    return 0;
}

static int member_certificates(const struct ctl_member *m, char arns[][512],
                               size_t max)
{
    const char *text = ctl_annotation(m->ing, "certificate-arn");
    if (!text && m->params)
        text = m->params->certificate_arn;
    return (int)split_arns(text, arns, max);
}

static int add_port(struct ctl_task *t, const struct ctl_member *m,
                    const char *protocol, int port, char arns[][512],
                    size_t arn_count)
{
    struct ctl_listener *l = listener_for(&t->model, port, protocol);
    if (!l)
        return fail(t, "FailedBuildModel", "ingress: %s/%s: more than %d "
                    "listen ports", m->ing->namespace, m->ing->name,
                    CTL_LISTENERS_MAX);
    if (strcmp(l->protocol, protocol) != 0)
        return fail(t, "FailedBuildModel", "failed to merge listPort config "
                    "for port: %d: conflicting protocol", port);
    if (strcmp(protocol, "HTTPS") != 0)
        return 0;
    const char *policy = ctl_annotation(m->ing, "ssl-policy");
    if (!policy && m->params)
        policy = m->params->ssl_policy;
    if (!l->ssl_policy || policy)
        l->ssl_policy = policy ? policy : DEFAULT_SSL_POLICY;
    for (size_t i = 0; i < arn_count; i++)
        if (add_certificate(l, arns[i]) < 0)
            return no_memory(t);
    if (arn_count == 0 && l->certificate_count == 0)
        return discover_certificates(t, m->ing, l);
    return 0;
}

/* listen-ports: [{"HTTP": 80}, {"HTTPS": 443}]; the default is HTTP 80,
 * or HTTPS 443 when the ingress names a certificate. */
static int member_ports(struct ctl_task *t, const struct ctl_member *m)
{
    char arns[8][512];
    size_t arn_count = (size_t)member_certificates(m, arns, 8);
    const char *text = ctl_annotation(m->ing, "listen-ports");
    if (!text)
        return add_port(t, m, arn_count ? "HTTPS" : "HTTP",
                        arn_count ? 443 : 80, arns, arn_count);
    cJSON *doc = cJSON_Parse(text);
    const cJSON *entry, *port;
    int rc = cJSON_IsArray(doc) && cJSON_GetArraySize(doc) > 0 ? 0 : -1;
    cJSON_ArrayForEach(entry, doc) {
        port = entry->child;
        if (rc < 0 || !cJSON_IsObject(entry) || !port ||
            !cJSON_IsNumber(port) ||
            (strcmp(port->string, "HTTP") && strcmp(port->string, "HTTPS"))) {
            rc = -1;
            break;
        }
        rc = add_port(t, m, strcmp(port->string, "HTTP") == 0 ? "HTTP"
                                                              : "HTTPS",
                      port->valueint, arns, arn_count);
        if (rc < 0)
            break;
    }
    cJSON_Delete(doc);
    if (rc < 0 && !t->reason)
        return fail(t, "FailedBuildModel", "ingress: %s/%s: failed to parse "
                    "json annotation, alb.ingress.kubernetes.io/listen-ports: "
                    "%s", m->ing->namespace, m->ing->name, text);
    return rc;
}

static int compare_listeners(const void *a, const void *b)
{
    const struct ctl_listener *x = a, *y = b;
    return x->port - y->port;
}

static int build_listeners(struct ctl_task *t)
{
    for (size_t i = 0; i < t->member_count; i++)
        if (member_ports(t, &t->members[i]) < 0)
            return -1;
    qsort(t->model.listeners, t->model.listener_count,
          sizeof(t->model.listeners[0]), compare_listeners);
    for (size_t i = 0; i < t->member_count; i++) {
        const char *redirect = ctl_annotation(t->members[i].ing,
                                              "ssl-redirect");
        for (size_t j = 0; redirect && j < t->model.listener_count; j++)
            if (strcmp(t->model.listeners[j].protocol, "HTTP") == 0)
                t->model.listeners[j].redirect_port = atoi(redirect);
    }
    return 0;
}

/* ---- load balancer ------------------------------------------------------------ */

static int build_scheme(struct ctl_task *t)
{
    const char *scheme = NULL;
    for (size_t i = 0; i < t->member_count; i++) {
        const struct ctl_member *m = &t->members[i];
        const char *s = m->params && m->params->scheme
                            ? m->params->scheme
                            : ctl_annotation(m->ing, "scheme");
        if (s && scheme && strcmp(s, scheme) != 0)
            return fail(t, "FailedBuildModel", "conflicting scheme: [%s %s]",
                        strcmp(s, scheme) < 0 ? s : scheme,
                        strcmp(s, scheme) < 0 ? scheme : s);
        if (s)
            scheme = s;
    }
    scheme = scheme ? scheme : "internal";  /* the controller's default */
    if (strcmp(scheme, "internal") && strcmp(scheme, "internet-facing"))
        return fail(t, "FailedBuildModel", "unknown scheme: %s", scheme);
    t->model.scheme = scheme;
    const struct ctl_member *m = &t->members[0];
    const char *type = m->params && m->params->ip_address_type
                           ? m->params->ip_address_type
                           : ctl_annotation(m->ing, "ip-address-type");
    t->model.ip_address_type = type ? type : "ipv4";
    return 0;
}

/* A status hostname the world file gave pins the DNS name, and with it
 * the name: NAME-DIGITS.REGION.elb.amazonaws.com, internal- first for
 * internal load balancers. */
static char *pinned_name(const char *dns)
{
    const char *start = strncmp(dns, "internal-", 9) == 0 ? dns + 9 : dns;
    const char *dot = strchr(start, '.');
    const char *dash = dot ? dot : start;
    while (dash > start && dash[-1] != '-')
        dash--;
    if (!dot || dash <= start + 1 || !strstr(dot, ".elb.amazonaws.com"))
        return NULL;
    return strndup(start, (size_t)(dash - 1 - start));
}

static int build_name(struct ctl_task *t)
{
    struct ctl_model *m = &t->model;
    char hash[11], a[32], b[32];
    for (size_t i = 0; i < t->member_count && !m->lb_name; i++) {
        const char *dns = t->members[i].ing->status_hostname;
        if (dns && (m->lb_name = pinned_name(dns)))
            m->dns_name = strdup(dns);
    }
    if (m->lb_name)
        return m->dns_name ? 0 : no_memory(t);
    ctl_hash10(hash, t->c->name, t->stack, m->scheme, NULL);
    if (t->explicit_group) {
        sanitize(a, sizeof(a), t->stack, 17);
        m->lb_name = wfile_printf("k8s-%s-%s", a, hash);
    } else {
        sanitize(a, sizeof(a), t->members[0].ing->namespace, 8);
        sanitize(b, sizeof(b), t->members[0].ing->name, 8);
        m->lb_name = wfile_printf("k8s-%s-%s-%s", a, b, hash);
    }
    m->dns_name = m->lb_name ? world_lb_dns_name(m->lb_name, m->scheme,
                                                 t->c->region)
                             : NULL;
    return m->dns_name ? 0 : no_memory(t);
}

/* ---- subnets -------------------------------------------------------------------- */

struct subnet_counts {
    size_t evaluated;       /* in the VPC with the role tag */
    size_t other_cluster;
    size_t few_ips;
};

/* Tagged kubernetes.io/cluster/X for other clusters but not this one. */
static int other_cluster(const struct ctl_task *t, const struct world_subnet *s)
{
    char ours[300];
    int others = 0;
    snprintf(ours, sizeof(ours), "kubernetes.io/cluster/%s", t->c->name);
    for (size_t i = 0; i < s->tags.count; i++) {
        const char *key = s->tags.items[i].key;
        if (strcmp(key, ours) == 0)
            return 0;
        others |= strncmp(key, "kubernetes.io/cluster/", 22) == 0;
    }
    return others;
}

/* One subnet per zone: the first by id among the candidates. */
static void pick(struct ctl_model *m, const struct world_subnet *s)
{
    for (size_t i = 0; i < m->subnet_count; i++)
        if (strcmp(m->subnets[i]->az, s->az) == 0) {
            if (strcmp(s->id, m->subnets[i]->id) < 0)
                m->subnets[i] = s;
            return;
        }
    if (m->subnet_count < CTL_SUBNETS_MAX)
        m->subnets[m->subnet_count++] = s;
}

static int no_subnet(struct ctl_task *t, const char *role,
                     const struct subnet_counts *n)
{
    if (t->version < 20500)
        return fail(t, "FailedBuildModel", SUBNET_PREFIX "unable to discover "
                    "at least one subnet");
    /* NOTE: from v2.12 the controller falls back to subnets it finds
     * through route tables when none is tagged. The sandbox keeps no
     * route tables, so it reports the failure instead. */
    if (t->version >= 21200)
        return fail(t, "FailedBuildModel", SUBNET_PREFIX "unable to resolve "
                    "at least one subnet. Evaluated %zu subnets: %zu are "
                    "tagged for other clusters, and %zu have insufficient "
                    "available IP addresses", n->evaluated, n->other_cluster,
                    n->few_ips);
    return fail(t, "FailedBuildModel", SUBNET_PREFIX "unable to resolve at "
                "least one subnet (0 match VPC and tags: [%s])", role);
}

static int discover_subnets(struct ctl_task *t)
{
    const char *role = strcmp(t->model.scheme, "internal") == 0
                           ? ROLE_INTERNAL_ELB : ROLE_ELB;
    struct subnet_counts n = { 0 };
    if (ctl_call(t, "ec2:DescribeSubnets", SUBNET_PREFIX) < 0)
        return build_fail_call(t);
    for (size_t i = 0; i < t->w->subnet_count; i++) {
        const struct world_subnet *s = &t->w->subnets[i];
        const char *value = world_tag(&s->tags, role);
        if (strcmp(s->vpc_id, t->c->vpc_id) != 0 || !value ||
            (*value && strcmp(value, "1") != 0))
            continue;
        n.evaluated++;
        if (other_cluster(t, s))
            n.other_cluster++;
        else if (s->available_ips < MIN_FREE_IPS)
            n.few_ips++;
        else
            pick(&t->model, s);
    }
    if (t->model.subnet_count == 0)
        return no_subnet(t, role, &n);
    if (t->model.subnet_count < 2)
        return fail(t, "FailedBuildModel", SUBNET_PREFIX "subnets count less "
                    "than minimal required count: %zu < 2",
                    t->model.subnet_count);
    return 0;
}

/* alb.ingress.kubernetes.io/subnets names them by id. */
static int named_subnets(struct ctl_task *t, const char *text)
{
    char ids[CTL_SUBNETS_MAX][512];
    size_t n = split_arns(text, ids, CTL_SUBNETS_MAX), found = 0;
    if (ctl_call(t, "ec2:DescribeSubnets", "") < 0)
        return build_fail_call(t);
    for (size_t i = 0; i < n; i++) {
        const struct world_subnet *s = world_subnet(t->w, ids[i]);
        if (s && strcmp(s->vpc_id, t->c->vpc_id) == 0) {
            pick(&t->model, s);
            found++;
        }
    }
    if (found != n)
        return fail(t, "FailedBuildModel", "couldn't find all subnets, "
                    "nameOrIDs: [%s], found: %zu", text, found);
    return 0;
}

static int build_subnets(struct ctl_task *t)
{
    for (size_t i = 0; i < t->member_count; i++) {
        const char *named = ctl_annotation(t->members[i].ing, "subnets");
        if (named)
            return named_subnets(t, named);
    }
    return discover_subnets(t);
}

/* ---- rules and target groups --------------------------------------------------- */

static const struct world_service *find_service(const struct ctl_task *t,
                                                const char *ns,
                                                const char *name)
{
    for (size_t i = 0; i < t->c->service_count; i++)
        if (strcmp(t->c->services[i].namespace, ns) == 0 &&
            strcmp(t->c->services[i].name, name) == 0)
            return &t->c->services[i];
    return NULL;
}

/* A setting of the service's annotations, then the ingress's. */
static const char *setting(const struct world_service *svc,
                           const struct world_ingress *ing,
                           const char *suffix)
{
    char key[128];
    snprintf(key, sizeof(key), "alb.ingress.kubernetes.io/%s", suffix);
    const char *v = world_tag(&svc->annotations, key);
    return v ? v : world_tag(&ing->annotations, key);
}

static int target_port_number(const struct world_service_port *p)
{
    char *end;
    long n = strtol(p->target_port, &end, 10);
    return *end ? 1 : (int)n;   /* a named port: the controller uses 1 */
}

static int tg_spec(struct ctl_task *t, const struct ctl_member *m,
                   const struct world_service *svc,
                   const struct world_service_port *port,
                   struct ctl_target_group *tg)
{
    const char *type = m->params && m->params->target_type
                           ? m->params->target_type
                           : setting(svc, m->ing, "target-type");
    type = type ? type : "instance";
    if (strcmp(type, "instance") && strcmp(type, "ip"))
        return fail(t, "FailedBuildModel", "ingress: %s/%s: unknown "
                    "targetType: %s", m->ing->namespace, m->ing->name, type);
    if (strcmp(type, "instance") == 0 && strcmp(svc->type, "ClusterIP") == 0)
        return fail(t, "FailedBuildModel", "ingress: %s/%s: %s/%s service is "
                    "not of type NodePort or LoadBalancer and target-type is "
                    "instance", m->ing->namespace, m->ing->name,
                    svc->namespace, svc->name);
    tg->target_type = type;
    tg->ing = m->ing;
    tg->svc = svc;
    tg->port = port;
    tg->tg_port = strcmp(type, "instance") == 0 ? port->node_port
                                                : target_port_number(port);
    tg->health_path = setting(svc, m->ing, "healthcheck-path");
    tg->health_path = tg->health_path ? tg->health_path : "/";
    tg->matcher = setting(svc, m->ing, "success-codes");
    tg->matcher = tg->matcher ? tg->matcher : "200";
    return 0;
}

static int tg_name(struct ctl_task *t, struct ctl_target_group *tg)
{
    char hash[11], ns[16], name[16], port[16], tg_port[16];
    snprintf(port, sizeof(port), "%d", tg->port->port);
    snprintf(tg_port, sizeof(tg_port), "%d", tg->tg_port);
    ctl_hash10(hash, t->c->name, t->stack, tg->ing->namespace, tg->ing->name,
               tg->svc->uid, port, tg_port, tg->target_type, "HTTP", "HTTP1",
               NULL);
    sanitize(ns, sizeof(ns), tg->svc->namespace, 8);
    sanitize(name, sizeof(name), tg->svc->name, 8);
    tg->name = wfile_printf("k8s-%s-%s-%s", ns, name, hash);
    return tg->name ? 0 : no_memory(t);
}

/* The index of the target group of (ingress, service, port), added when
 * new. */
static int target_group(struct ctl_task *t, const struct ctl_member *m,
                        const struct world_service *svc,
                        const struct world_service_port *port)
{
    struct ctl_model *model = &t->model;
    for (size_t i = 0; i < model->target_group_count; i++) {
        const struct ctl_target_group *tg = &model->target_groups[i];
        if (tg->ing == m->ing && tg->svc == svc && tg->port == port)
            return (int)i;
    }
    struct ctl_target_group *tg = world_append(
        &model->target_groups, &model->target_group_count, sizeof(*tg));
    if (!tg)
        return no_memory(t);
    if (tg_spec(t, m, svc, port, tg) < 0 || tg_name(t, tg) < 0)
        return -1;
    return (int)(model->target_group_count - 1);
}

static const struct world_service_port *find_port(
    const struct world_service *svc, int number)
{
    for (size_t i = 0; i < svc->port_count; i++)
        if (svc->ports[i].port == number)
            return &svc->ports[i];
    return NULL;
}

/* The backend of one path: its target group, or -1 for the fixed 503
 * reply the controller gives for a missing service it tolerates. */
static int backend(struct ctl_task *t, const struct ctl_member *m,
                   const struct world_ingress_rule *r, int *index)
{
    const struct world_ingress *ing = m->ing;
    const struct world_service *svc = find_service(t, ing->namespace,
                                                   r->service);
    *index = -1;
    if (!svc && t->c->controller.tolerate_missing_service)
        return 0;
    if (!svc)
        return fail(t, "FailedBuildModel", "ingress: %s/%s: services \"%s\" "
                    "not found", ing->namespace, ing->name, r->service);
    const struct world_service_port *port = find_port(svc, r->port);
    if (!port)
        return fail(t, "FailedBuildModel", "ingress: %s/%s: unable to find "
                    "port %d on service %s/%s", ing->namespace, ing->name,
                    r->port, svc->namespace, svc->name);
    *index = target_group(t, m, svc, port);
    return *index < 0 ? -1 : 0;
}

/* Prefix paths: "/" matches everything, as the pattern "/" "*"; "/v1"
 * matches "/v1" and "/v1/" "*". */
static int add_rule(struct ctl_task *t, const struct ctl_member *m,
                    const struct world_ingress_rule *r, int index)
{
    struct ctl_rule *rule = world_append(&t->model.rules,
                                         &t->model.rule_count, sizeof(*rule));
    if (!rule)
        return no_memory(t);
    rule->ing = m->ing;
    rule->host = r->host;
    rule->target_group = index;
    size_t len = strlen(r->path);
    while (len > 1 && r->path[len - 1] == '/')
        len--;
    if (strcmp(r->path, "/") == 0) {
        rule->paths[rule->path_count++] = strdup("/*");
    } else {
        rule->paths[rule->path_count++] = strndup(r->path, len);
        rule->paths[rule->path_count++] = wfile_printf("%.*s/*", (int)len,
                                                       r->path);
    }
    for (size_t i = 0; i < rule->path_count; i++)
        if (!rule->paths[i])
            return no_memory(t);
    return 0;
}

/* Paths of one host in the controller's order: longer prefixes first. */
static void sort_paths(const struct world_ingress *ing, size_t *order,
                       size_t start, size_t end)
{
    for (size_t i = start + 1; i < end; i++)
        for (size_t j = i; j > start &&
             strlen(ing->rules[order[j]].path) >
                 strlen(ing->rules[order[j - 1]].path); j--) {
            size_t tmp = order[j];
            order[j] = order[j - 1];
            order[j - 1] = tmp;
        }
}

static int same_host(const char *a, const char *b)
{
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

static int member_rules(struct ctl_task *t, const struct ctl_member *m)
{
    const struct world_ingress *ing = m->ing;
    size_t *order = calloc(ing->rule_count ? ing->rule_count : 1,
                           sizeof(*order));
    if (!order)
        return no_memory(t);
    for (size_t i = 0; i < ing->rule_count; i++)
        order[i] = i;
    for (size_t start = 0, end; start < ing->rule_count; start = end) {
        for (end = start + 1; end < ing->rule_count &&
             same_host(ing->rules[end].host, ing->rules[start].host); end++)
            ;
        sort_paths(ing, order, start, end);
    }
    int rc = 0;
    for (size_t i = 0; i < ing->rule_count && rc == 0; i++) {
        int index;
        rc = backend(t, m, &ing->rules[order[i]], &index);
        if (rc == 0)
            rc = add_rule(t, m, &ing->rules[order[i]], index);
    }
    free(order);
    return rc;
}

static int build_addons(struct ctl_task *t)
{
    for (size_t i = 0; i < t->member_count; i++) {
        const struct world_ingress *ing = t->members[i].ing;
        const char *acl = ctl_annotation(ing, "wafv2-acl-arn");
        const char *attributes = ctl_annotation(ing,
                                                "load-balancer-attributes");
        const char *tags = ctl_annotation(ing, "tags");
        if (acl && strcmp(acl, "none") != 0)
            t->model.web_acl_arn = acl;
        if (attributes)
            t->model.attributes = attributes;
        for (const char *p = tags; p && *p;) {
            size_t len = strcspn(p, ",");
            const char *eq = memchr(p, '=', len);
            if (eq) {
                char key[256], value[256];
                snprintf(key, sizeof(key), "%.*s", (int)(eq - p), p);
                snprintf(value, sizeof(value), "%.*s",
                         (int)(len - (size_t)(eq - p) - 1), eq + 1);
                if (world_kv_add(&t->model.tags, key, value) < 0)
                    return no_memory(t);
            }
            p += len + (p[len] == ',');
        }
    }
    return 0;
}

int ctl_build(struct ctl_task *t)
{
    if (build_listeners(t) < 0 || build_scheme(t) < 0 ||
        build_name(t) < 0 || build_subnets(t) < 0)
        return -1;
    for (size_t i = 0; i < t->member_count; i++)
        if (member_rules(t, &t->members[i]) < 0)
            return -1;
    return build_addons(t);
}

void ctl_model_free(struct ctl_model *m)
{
    free(m->lb_name);
    free(m->dns_name);
    for (size_t i = 0; i < m->listener_count; i++) {
        wfile_strs_free(m->listeners[i].certificates,
                        m->listeners[i].certificate_count);
        free(m->listeners[i].arn);
    }
    for (size_t i = 0; i < m->rule_count; i++)
        for (size_t j = 0; j < m->rules[i].path_count; j++)
            free(m->rules[i].paths[j]);
    free(m->rules);
    for (size_t i = 0; i < m->target_group_count; i++) {
        free(m->target_groups[i].name);
        free(m->target_groups[i].arn);
    }
    free(m->target_groups);
    wfile_kv_free(&m->tags);
}
