/*
 * The store of chains: a sorted array replaced cluster by cluster when a
 * load completes, the per-cluster state, and freeing.
 */
#include <stdlib.h>
#include <string.h>

#include "chain_internal.h"
#include "util.h"

const char *chain_alb_state_name(enum chain_alb_state s)
{
    static const char *const names[] = {
        [CHAIN_ALB_UNKNOWN] = "unknown",
        [CHAIN_ALB_MISSING] = "missing",
        [CHAIN_ALB_PROVISIONING] = "provisioning",
        [CHAIN_ALB_ACTIVE] = "active",
        [CHAIN_ALB_FAILED] = "failed",
        [CHAIN_ALB_OTHER] = "-",
    };
    return (size_t)s < sizeof(names) / sizeof(names[0]) ? names[s] : "?";
}

const char *chain_severity_name(enum chain_severity s)
{
    return s == CHAIN_ERROR ? "error" : s == CHAIN_WARNING ? "warning"
                                                           : "info";
}

/* ---- freeing ---- */

static void free_strings(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

static void free_pairs(struct chain_pair *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(p[i].key);
        free(p[i].value);
    }
    free(p);
}

void chain_free_alb(struct chain_alb *alb)
{
    char *fields[] = {alb->arn, alb->name, alb->dns_name, alb->scheme,
                      alb->state, alb->state_reason, alb->type, alb->vpc,
                      alb->ip_address_type, alb->created, alb->stack,
                      alb->web_acl_arn, alb->web_acl_name,
                      alb->web_acl_error};
    for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
        free(fields[i]);
    for (size_t i = 0; i < alb->subnet_count; i++) {
        struct chain_subnet *s = &alb->subnets[i];
        free(s->id);
        free(s->zone);
        free(s->vpc);
        free(s->cidr);
        free(s->name);
    }
    free(alb->subnets);
    for (size_t i = 0; i < alb->security_group_count; i++) {
        struct chain_security_group *g = &alb->security_groups[i];
        free(g->id);
        free(g->name);
        free(g->description);
        free(g->vpc);
    }
    free(alb->security_groups);
    free_pairs(alb->attributes, alb->attribute_count);
    free_pairs(alb->tags, alb->tag_count);
}

static void free_listener(struct chain_listener *l)
{
    free(l->arn);
    free(l->protocol);
    free(l->ssl_policy);
    for (size_t i = 0; i < l->certificate_count; i++) {
        struct chain_certificate *c = &l->certificates[i];
        free(c->arn);
        free(c->region);
        free(c->domain);
        free(c->status);
        free(c->not_after);
    }
    free(l->certificates);
    for (size_t i = 0; i < l->rule_count; i++) {
        struct chain_rule *r = &l->rules[i];
        free(r->arn);
        free(r->priority);
        free_strings(r->conditions, r->condition_count);
        free_strings(r->actions, r->action_count);
        free_strings(r->target_group_arns, r->target_group_count);
    }
    free(l->rules);
}

static void free_pod(struct chain_pod *p)
{
    if (!p)
        return;
    free(p->namespace);
    free(p->name);
    free(p->phase);
    free(p->node);
    free(p->ip);
    free(p->reason);
    free(p);
}

static void free_target_group(struct chain_target_group *tg)
{
    char *fields[] = {tg->arn, tg->name, tg->target_type, tg->protocol,
                      tg->vpc, tg->service, tg->health_check.protocol,
                      tg->health_check.port, tg->health_check.path,
                      tg->health_check.matcher};
    for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
        free(fields[i]);
    for (size_t i = 0; i < tg->target_count; i++) {
        struct chain_target *t = &tg->targets[i];
        free(t->id);
        free(t->zone);
        free(t->state);
        free(t->reason);
        free(t->description);
        free_pod(t->pod);
    }
    free(tg->targets);
}

static void free_events(struct chain_event *e, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(e[i].type);
        free(e[i].reason);
        free(e[i].message);
        free(e[i].source);
    }
    free(e);
}

static void free_findings(struct chain_finding *f, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(f[i].title);
        free(f[i].detail);
        free(f[i].fix);
    }
    free(f);
}

void chain_free_contents(struct chain *c)
{
    char *fields[] = {c->namespace, c->name, c->class_name, c->controller,
                      c->hosts, c->address, c->group_name, c->scheme,
                      c->created};
    for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
        free(fields[i]);
    for (size_t i = 0; i < c->backend_count; i++) {
        free(c->backends[i].service);
        free(c->backends[i].port);
    }
    free(c->backends);
    if (c->alb) {
        chain_free_alb(c->alb);
        free(c->alb);
    }
    for (size_t i = 0; i < c->listener_count; i++)
        free_listener(&c->listeners[i]);
    free(c->listeners);
    for (size_t i = 0; i < c->target_group_count; i++)
        free_target_group(&c->target_groups[i]);
    free(c->target_groups);
    free_events(c->events, c->event_count);
    for (size_t i = 0; i < c->sibling_count; i++) {
        free(c->siblings[i].namespace);
        free(c->siblings[i].name);
    }
    free(c->siblings);
    free_findings(c->findings, c->finding_count);
    memset(c, 0, sizeof(*c));
}

static void free_unclaimed(struct chain_cluster *cc)
{
    for (size_t i = 0; i < cc->unclaimed_count; i++)
        chain_free_alb(&cc->unclaimed[i]);
    free(cc->unclaimed);
    cc->unclaimed = NULL;
    cc->unclaimed_count = 0;
}

/* ---- the store ---- */

void chains_init(struct chains *cs, struct model *m)
{
    memset(cs, 0, sizeof(*cs));
    cs->m = m;
}

void chains_cleanup(struct chains *cs)
{
    for (size_t i = 0; i < cs->cluster_count; i++) {
        chain_load_free(cs->clusters[i].load);
        free_unclaimed(&cs->clusters[i]);
        chain_free_drilled(&cs->clusters[i]);
    }
    free(cs->clusters);
    for (size_t i = 0; i < cs->count; i++)
        chain_free_contents(&cs->items[i]);
    free(cs->items);
    memset(cs, 0, sizeof(*cs));
}

struct chain_cluster *chains_cluster_state(struct chains *cs, size_t cluster)
{
    for (size_t i = 0; i < cs->cluster_count; i++)
        if (cs->clusters[i].cluster == cluster)
            return &cs->clusters[i];
    cs->clusters = xrealloc(cs->clusters,
                            (cs->cluster_count + 1) * sizeof(*cs->clusters));
    struct chain_cluster *cc = &cs->clusters[cs->cluster_count++];
    memset(cc, 0, sizeof(*cc));
    cc->cluster = cluster;
    return cc;
}

const struct chain_cluster *chains_cluster(const struct chains *cs,
                                           size_t cluster)
{
    for (size_t i = 0; i < cs->cluster_count; i++)
        if (cs->clusters[i].cluster == cluster)
            return &cs->clusters[i];
    return NULL;
}

static int compare(size_t cluster, const char *ns, const char *name,
                   const struct chain *c)
{
    if (cluster != c->cluster)
        return cluster < c->cluster ? -1 : 1;
    int rc = strcmp(ns, c->namespace);
    return rc ? rc : strcmp(name, c->name);
}

/* Index of the first chain not before (cluster, ns, name). */
static size_t lower_bound(const struct chains *cs, size_t cluster,
                          const char *ns, const char *name)
{
    size_t lo = 0, hi = cs->count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (compare(cluster, ns, name, &cs->items[mid]) > 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

const struct chain *chains_find(const struct chains *cs, size_t cluster,
                                const char *namespace, const char *name)
{
    if (!namespace || !name)
        return NULL;
    size_t i = lower_bound(cs, cluster, namespace, name);
    if (i < cs->count && compare(cluster, namespace, name,
                                 &cs->items[i]) == 0)
        return &cs->items[i];
    return NULL;
}

/* Inserts an empty chain for (cluster, ns, name) unless one exists. */
struct chain *chains_insert(struct chains *cs, size_t cluster,
                            const char *namespace, const char *name)
{
    size_t i = lower_bound(cs, cluster, namespace, name);
    if (i < cs->count && compare(cluster, namespace, name,
                                 &cs->items[i]) == 0)
        return &cs->items[i];
    cs->items = xrealloc(cs->items, (cs->count + 1) * sizeof(*cs->items));
    memmove(&cs->items[i + 1], &cs->items[i],
            (cs->count - i) * sizeof(*cs->items));
    cs->count++;
    struct chain *c = &cs->items[i];
    memset(c, 0, sizeof(*c));
    c->cluster = cluster;
    c->namespace = xstrdup(namespace);
    c->name = xstrdup(name);
    return c;
}

/* Replaces cluster's chains with built (sorted, taken) and its unclaimed
 * load balancers. */
void chains_replace(struct chains *cs, size_t cluster, struct chain *built,
                    size_t count, struct chain_alb *unclaimed,
                    size_t unclaimed_count)
{
    size_t kept = 0;
    for (size_t i = 0; i < cs->count; i++) {
        if (cs->items[i].cluster == cluster)
            chain_free_contents(&cs->items[i]);
        else
            cs->items[kept++] = cs->items[i];
    }
    cs->items = xrealloc(cs->items, (kept + count) * sizeof(*cs->items));
    size_t at = 0;
    while (at < kept && cs->items[at].cluster < cluster)
        at++;
    memmove(&cs->items[at + count], &cs->items[at],
            (kept - at) * sizeof(*cs->items));
    if (count)
        memcpy(&cs->items[at], built, count * sizeof(*built));
    cs->count = kept + count;
    free(built);
    struct chain_cluster *cc = chains_cluster_state(cs, cluster);
    free_unclaimed(cc);
    cc->unclaimed = unclaimed;
    cc->unclaimed_count = unclaimed_count;
}

size_t chains_busy(const struct chains *cs)
{
    size_t n = 0;
    for (size_t i = 0; i < cs->cluster_count; i++)
        n += cs->clusters[i].load != NULL;
    return n;
}
