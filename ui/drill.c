/* The first levels of the drill-down: an ingress, a load balancer, and
 * the load balancers of a cluster. */
#include "drill.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../src/util.h"
#include "detail.h"
#include "drill_text.h"
#include "pane.h"

#define UNUSED(x) (void)(x)

static const char *cluster_name(const struct ui *ui, size_t c)
{
    return c < ui->m->cluster_count ? ui->m->clusters[c].name : "-";
}

/* ---- ingress -------------------------------------------------------- */

static enum theme_role severity_role(enum chain_severity s)
{
    return s == CHAIN_ERROR ? THEME_ERROR
         : s == CHAIN_WARNING ? THEME_WARNING : THEME_NORMAL;
}

static void add_findings(struct view *v, const struct chain *c)
{
    if (c->finding_count == 0) {
        if (c->state == MODEL_READY)
            view_add_line(v, THEME_OK, "Findings: none");
        else if (c->state == MODEL_FAILED)
            view_add_line(v, THEME_DIM, "Findings: unknown until the "
                          "chain loads");
        else
            view_add_line(v, THEME_DIM, "Findings: loading\u2026");
        drill_blank(v);
        return;
    }
    drill_section(v, "Findings (%zu)", c->finding_count);
    for (size_t i = 0; i < c->finding_count; i++) {
        const struct chain_finding *f = &c->findings[i];
        char first[32];
        snprintf(first, sizeof(first), "  %-9s",
                 chain_severity_name(f->severity));
        drill_wrapped(v, severity_role(f->severity), first, DRILL_INDENT,
                      f->title);
        if (f->detail && *f->detail)
            drill_wrapped(v, THEME_NORMAL, DRILL_INDENT, DRILL_INDENT,
                          f->detail);
        if (f->fix && *f->fix)
            drill_wrapped(v, THEME_NORMAL, DRILL_INDENT "Fix: ",
                          DRILL_INDENT "     ", f->fix);
    }
    drill_blank(v);
}

static void add_load_error(struct view *v, const struct chain *c)
{
    char err[700];
    if (!c->error.code[0] && !c->error.message[0])
        return;
    if (c->state != MODEL_FAILED && c->detail_state != MODEL_FAILED)
        return;
    pane_format_error(&c->error, err, sizeof(err));
    drill_wrapped(v, THEME_ERROR, "Loading failed: ", DRILL_INDENT, err);
    drill_blank(v);
}

static void add_ingress(struct view *v, const struct ui *ui,
                        const struct chain *c)
{
    char text[600], age[32];
    drill_section(v, "Ingress");
    drill_field(v, THEME_NORMAL, "Cluster", cluster_name(ui, c->cluster));
    drill_field(v, THEME_NORMAL, "Namespace", c->namespace);
    drill_field(v, THEME_NORMAL, "Name", c->name);
    snprintf(text, sizeof(text), "%s, controller %s",
             c->class_name ? c->class_name : "(default)",
             c->controller ? c->controller : "unknown: no such IngressClass");
    drill_field(v, c->controller ? THEME_NORMAL : THEME_WARNING, "Class",
                text);
    drill_field_wrapped(v, THEME_NORMAL, "Hosts", c->hosts ? c->hosts
                        : "* (every host)");
    if (c->address)
        drill_field(v, THEME_NORMAL, "Address", c->address);
    else
        drill_field(v, THEME_WARNING, "Address",
                    "none: no load balancer has been provisioned");
    drill_field(v, THEME_NORMAL, "Group", c->group_name);
    drill_field(v, THEME_NORMAL, "Scheme", c->scheme);
    pane_format_age(c->created, age, sizeof(age));
    snprintf(text, sizeof(text), "%s (%s ago)", c->created ? c->created
             : "-", age);
    drill_field(v, THEME_NORMAL, "Created", c->created ? text : NULL);
    drill_blank(v);
}

static void add_backends(struct view *v, const struct chain *c)
{
    drill_section(v, "Backends (%zu)", c->backend_count);
    for (size_t i = 0; i < c->backend_count; i++) {
        const struct chain_backend *b = &c->backends[i];
        char name[300];
        snprintf(name, sizeof(name), "%s:%s", b->service,
                 b->port ? b->port : "-");
        if (!b->service_exists) {
            view_add_line(v, THEME_ERROR, "  %-30s service %s/%s does not "
                          "exist", name, c->namespace, b->service);
            continue;
        }
        enum theme_role role = b->endpoints_ready == 0 ? THEME_ERROR
            : b->endpoints_not_ready ? THEME_WARNING : THEME_OK;
        view_add_line(v, role, "  %-30s %zu ready, %zu not ready endpoints",
                      name, b->endpoints_ready, b->endpoints_not_ready);
    }
    drill_blank(v);
}

static void add_events(struct view *v, const struct chain *c)
{
    if (c->event_count == 0) {
        view_add_line(v, THEME_DIM, "Events: none");
        drill_blank(v);
        return;
    }
    drill_section(v, "Events (%zu, newest first)", c->event_count);
    for (size_t i = 0; i < c->event_count; i++) {
        const struct chain_event *e = &c->events[i];
        int warning = e->type && strcmp(e->type, "Warning") == 0;
        char age[32] = "-", times[32] = "";
        if (e->last_seen)
            pane_format_since(e->last_seen, age, sizeof(age));
        if (e->count > 1)
            snprintf(times, sizeof(times), ", %d times", e->count);
        view_add_line(v, warning ? THEME_WARNING : THEME_NORMAL,
                      "  %-8s %s  %s ago%s, from %s", e->type, e->reason,
                      age, times, e->source ? e->source : "-");
        drill_wrapped(v, THEME_NORMAL, DRILL_INDENT, DRILL_INDENT,
                      e->message);
    }
    drill_blank(v);
}

static void add_alb_summary(struct view *v, const struct chain *c)
{
    drill_section(v, "Load balancer  Enter opens it");
    const struct chain_alb *alb = c->alb;
    if (alb) {
        view_add_line(v, drill_alb_role(alb->state), "  %s  %s  %s",
                      alb->name, alb->state ? alb->state : "-",
                      alb->scheme ? alb->scheme : "-");
        view_link_last(v, &drill_alb_pane, alb->arn, 0);
        drill_field(v, THEME_NORMAL, "DNS name", alb->dns_name);
        view_link_last(v, &drill_alb_pane, alb->arn, 0);
    } else if (c->alb_state == CHAIN_ALB_OTHER) {
        view_add_line(v, THEME_DIM, "  none: the ingress belongs to "
                      "another controller (%s)",
                      c->controller ? c->controller : "-");
    } else if (c->alb_state == CHAIN_ALB_UNKNOWN) {
        view_add_line(v, THEME_DIM, "  not loaded yet");
    } else {
        view_add_line(v, THEME_ERROR, "  none: no load balancer is tagged "
                      "for this ingress or has its address");
    }
    drill_blank(v);
    if (!alb)
        return;
    drill_add_listeners(v, c);
    drill_blank(v);
}

static void add_target_groups(struct view *v, const struct chain *c)
{
    if (!c->alb)
        return;
    if (c->target_group_count == 0) {
        view_add_line(v, THEME_WARNING, "Target groups: none carries a "
                      "backend of this ingress");
        drill_blank(v);
        return;
    }
    drill_section(v, "Target groups (%zu)  Enter lists the targets",
                  c->target_group_count);
    for (size_t i = 0; i < c->target_group_count; i++)
        drill_add_target_group(v, &c->target_groups[i], 0);
    drill_blank(v);
}

static void add_siblings(struct view *v, const struct chain *c)
{
    if (c->sibling_count == 0)
        return;
    drill_section(v, "Ingresses sharing the load balancer (%zu)  Enter "
                  "opens one", c->sibling_count);
    for (size_t i = 0; i < c->sibling_count; i++) {
        char ref[512];
        snprintf(ref, sizeof(ref), "%s/%s", c->siblings[i].namespace,
                 c->siblings[i].name);
        view_add_line(v, THEME_NORMAL, "  %s", ref);
        view_link_last(v, &drill_ingress_pane, ref, 0);
    }
    drill_blank(v);
}

static void ingress_prepare(struct ui *ui, struct view *v)
{
    view_clear_lines(v);
    const struct chain *c = drill_chain(ui, v);
    if (!c || c->state == MODEL_IDLE)
        return;
    add_findings(v, c);
    add_load_error(v, c);
    add_events(v, c);
    add_ingress(v, ui, c);
    add_backends(v, c);
    add_alb_summary(v, c);
    add_target_groups(v, c);
    add_siblings(v, c);
}

static void ingress_title(const struct ui *ui, const struct view *v,
                          char *buf, size_t len)
{
    snprintf(buf, len, "Ingress %s/%s of %s", v->namespace, v->name,
             cluster_name(ui, v->cluster));
}

static enum model_state ingress_state(const struct ui *ui,
                                      const struct view *v, char *err,
                                      size_t len)
{
    const struct chain *c = drill_chain(ui, v);
    if ((!c || c->state == MODEL_IDLE) && drill_loading(ui, v))
        return MODEL_LOADING;
    if (!c || (c->state == MODEL_FAILED &&
               strstr(c->error.code, "NotFound"))) {
        snprintf(err, len, "ingress %s/%s is not in cluster %s any more; "
                 "press Esc", v->namespace, v->name,
                 cluster_name(ui, v->cluster));
        return MODEL_FAILED;
    }
    if (c->state == MODEL_FAILED)
        pane_format_error(&c->error, err, len);
    return c->state;
}

const struct pane drill_ingress_pane = {
    .name = "ingress",
    .text = 1,
    .title = ingress_title,
    .columns = detail_text_columns,
    .column_count = 1,
    .item_count = detail_line_count,
    .state = ingress_state,
    .prepare = ingress_prepare,
    .identity = drill_line_identity,
    .enter = drill_enter_line,
    .reload = drill_reload,
    .noun = "lines",
};

int drill_open_ingress(struct ui *ui, size_t cluster, const char *namespace,
                       const char *name)
{
    struct view v = {
        .pane = &drill_ingress_pane,
        .cluster = cluster,
        .role = MODEL_NONE,
        /* Copied first: loading may move the chain these point into. */
        .namespace = xstrdup(namespace),
        .name = xstrdup(name),
    };
    const struct chain *c = chains_find(ui->chains, cluster, namespace,
                                        name);
    if (!c || c->detail_state == MODEL_IDLE ||
        c->detail_state == MODEL_FAILED)
        chains_load_ingress(ui->chains, cluster, v.namespace, v.name);
    return ui_push(ui, &v);
}

/* ---- load balancer -------------------------------------------------- */

static void add_alb_fields(struct view *v, const struct chain_alb *alb)
{
    drill_section(v, "Load balancer");
    drill_field(v, THEME_NORMAL, "Name", alb->name);
    drill_field(v, THEME_NORMAL, "ARN", alb->arn);
    drill_field(v, THEME_NORMAL, "DNS name", alb->dns_name);
    drill_field(v, THEME_NORMAL, "Scheme", alb->scheme);
    drill_field(v, drill_alb_role(alb->state), "State", alb->state);
    if (alb->state_reason)
        drill_field_wrapped(v, drill_alb_role(alb->state), "State reason",
                            alb->state_reason);
    drill_field(v, THEME_NORMAL, "Type", alb->type);
    drill_field(v, THEME_NORMAL, "VPC", alb->vpc);
    drill_field(v, THEME_NORMAL, "IP addresses", alb->ip_address_type);
    drill_field(v, THEME_NORMAL, "Created", alb->created);
    drill_field(v, THEME_NORMAL, "Stack", alb->stack);
    drill_field(v, THEME_NORMAL, "Web ACL", alb->web_acl_name
                ? alb->web_acl_name : alb->web_acl_arn);
    drill_blank(v);
}

static void add_subnets(struct view *v, const struct chain_alb *alb)
{
    drill_section(v, "Subnets (%zu)", alb->subnet_count);
    for (size_t i = 0; i < alb->subnet_count; i++) {
        const struct chain_subnet *s = &alb->subnets[i];
        const char *role = s->elb_role ? "tagged kubernetes.io/role/elb"
            : s->internal_elb_role ? "tagged kubernetes.io/role/internal-elb"
            : s->vpc ? "no role tag" : "not described";
        view_add_line(v, THEME_NORMAL, "  %-26s %-12s %-18s %s  %s", s->id,
                      s->zone && *s->zone ? s->zone : "-",
                      s->cidr ? s->cidr : "-", s->name ? s->name : "-",
                      role);
    }
    drill_blank(v);
}

static void add_security_groups(struct view *v, const struct chain_alb *alb)
{
    drill_section(v, "Security groups (%zu)", alb->security_group_count);
    for (size_t i = 0; i < alb->security_group_count; i++) {
        const struct chain_security_group *g = &alb->security_groups[i];
        view_add_line(v, THEME_NORMAL, "  %-22s %s  %s", g->id,
                      g->name ? g->name : "-",
                      g->description ? g->description : "");
    }
    drill_blank(v);
}

static void add_pairs(struct view *v, const char *title,
                      const struct chain_pair *pairs, size_t count)
{
    drill_section(v, "%s (%zu)", title, count);
    for (size_t i = 0; i < count; i++)
        view_add_line(v, THEME_NORMAL, "  %-44s %s", pairs[i].key,
                      pairs[i].value ? pairs[i].value : "");
    drill_blank(v);
}

/* The ingresses whose chain leads to alb, each linked to its drill-down. */
static void add_claimers(struct view *v, const struct ui *ui,
                         const struct chain_alb *alb)
{
    const struct chains *cs = ui->chains;
    size_t n = 0;
    for (size_t i = 0; i < cs->count; i++)
        n += cs->items[i].cluster == v->cluster && cs->items[i].alb &&
             strcmp(cs->items[i].alb->arn, alb->arn) == 0;
    if (n == 0) {
        view_add_line(v, THEME_WARNING, "Ingresses: none claims this load "
                      "balancer; its ingress was deleted or moved to "
                      "another group");
        drill_blank(v);
        return;
    }
    drill_section(v, "Ingresses (%zu)  Enter opens one", n);
    for (size_t i = 0; i < cs->count; i++) {
        const struct chain *c = &cs->items[i];
        if (c->cluster != v->cluster || !c->alb ||
            strcmp(c->alb->arn, alb->arn) != 0)
            continue;
        char ref[512];
        snprintf(ref, sizeof(ref), "%s/%s", c->namespace, c->name);
        view_add_line(v, THEME_NORMAL, "  %s", ref);
        view_link_last(v, &drill_ingress_pane, ref, 0);
    }
    drill_blank(v);
}

static void alb_prepare(struct ui *ui, struct view *v)
{
    view_clear_lines(v);
    const struct chain *owner = drill_chain(ui, v);
    const struct chain_alb *alb = drill_find_alb(ui, v->cluster, v->arn,
                                                 owner);
    if (!alb)
        return;
    add_alb_fields(v, alb);
    if (owner && owner->alb == alb) {
        drill_add_listeners(v, owner);
        drill_blank(v);
    }
    add_claimers(v, ui, alb);
    add_subnets(v, alb);
    add_security_groups(v, alb);
    add_pairs(v, "Attributes", alb->attributes, alb->attribute_count);
    add_pairs(v, "Tags", alb->tags, alb->tag_count);
}

static void alb_title(const struct ui *ui, const struct view *v, char *buf,
                      size_t len)
{
    const struct chain_alb *alb = drill_find_alb(ui, v->cluster, v->arn,
                                                 drill_chain(ui, v));
    snprintf(buf, len, "Load balancer %s of %s", alb ? alb->name : v->arn,
             cluster_name(ui, v->cluster));
}

static enum model_state alb_state(const struct ui *ui, const struct view *v,
                                  char *err, size_t len)
{
    if (drill_find_alb(ui, v->cluster, v->arn, drill_chain(ui, v)))
        return MODEL_READY;
    if (drill_loading(ui, v))
        return MODEL_LOADING;
    snprintf(err, len, "load balancer %s is gone; press Esc", v->arn);
    return MODEL_FAILED;
}

const struct pane drill_alb_pane = {
    .name = "load balancer",
    .text = 1,
    .title = alb_title,
    .columns = detail_text_columns,
    .column_count = 1,
    .item_count = detail_line_count,
    .state = alb_state,
    .prepare = alb_prepare,
    .identity = drill_line_identity,
    .enter = drill_enter_line,
    .reload = drill_reload,
    .noun = "lines",
};

/* ---- the load balancers of a cluster ------------------------------- */

/* Rows are load balancer ARNs kept in the view's lines: those of the
 * cluster's chains, then those no ingress claims. */
static const char *albs_arn(const struct view *v, size_t item)
{
    return item < v->line_count ? v->lines[item] : "";
}

static const struct chain_alb *albs_alb(const struct ui *ui,
                                        const struct view *v, size_t item)
{
    return drill_find_alb(ui, v->cluster, albs_arn(v, item), NULL);
}

static int listed(const struct view *v, const char *arn)
{
    for (size_t i = 0; i < v->line_count; i++)
        if (strcmp(v->lines[i], arn) == 0)
            return 1;
    return 0;
}

static void albs_prepare(struct ui *ui, struct view *v)
{
    const struct chains *cs = ui->chains;
    view_clear_lines(v);
    for (size_t i = 0; i < cs->count; i++) {
        const struct chain *c = &cs->items[i];
        if (c->cluster == v->cluster && c->alb && !listed(v, c->alb->arn))
            view_add_line(v, THEME_NORMAL, "%s", c->alb->arn);
    }
    const struct chain_cluster *cc = chains_cluster(cs, v->cluster);
    for (size_t i = 0; cc && i < cc->unclaimed_count; i++)
        if (!listed(v, cc->unclaimed[i].arn))
            view_add_line(v, THEME_NORMAL, "%s", cc->unclaimed[i].arn);
}

static const char *albs_name(const struct ui *ui, const struct view *v,
                             size_t item, char *buf, size_t len,
                             enum theme_role *role)
{
    UNUSED(buf), UNUSED(len), UNUSED(role);
    const struct chain_alb *alb = albs_alb(ui, v, item);
    return alb ? alb->name : "-";
}

static const char *albs_state(const struct ui *ui, const struct view *v,
                              size_t item, char *buf, size_t len,
                              enum theme_role *role)
{
    UNUSED(buf), UNUSED(len);
    const struct chain_alb *alb = albs_alb(ui, v, item);
    *role = drill_alb_role(alb ? alb->state : NULL);
    return alb && alb->state ? alb->state : "-";
}

static const char *albs_scheme(const struct ui *ui, const struct view *v,
                               size_t item, char *buf, size_t len,
                               enum theme_role *role)
{
    UNUSED(buf), UNUSED(len), UNUSED(role);
    const struct chain_alb *alb = albs_alb(ui, v, item);
    return alb && alb->scheme ? alb->scheme : "-";
}

/* "shop/storefront, shop/shop-api", or "none" for an unclaimed one. */
static const char *albs_ingresses(const struct ui *ui, const struct view *v,
                                  size_t item, char *buf, size_t len,
                                  enum theme_role *role)
{
    const struct chains *cs = ui->chains;
    const char *arn = albs_arn(v, item);
    size_t used = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < cs->count && used < len; i++) {
        const struct chain *c = &cs->items[i];
        if (c->cluster != v->cluster || !c->alb ||
            strcmp(c->alb->arn, arn) != 0)
            continue;
        used += (size_t)snprintf(buf + used, len - used, "%s%s/%s",
                                 used ? ", " : "", c->namespace, c->name);
    }
    if (used)
        return buf;
    *role = THEME_WARNING;
    return "none (unclaimed)";
}

static const char *albs_dns(const struct ui *ui, const struct view *v,
                            size_t item, char *buf, size_t len,
                            enum theme_role *role)
{
    UNUSED(buf), UNUSED(len), UNUSED(role);
    const struct chain_alb *alb = albs_alb(ui, v, item);
    return alb && alb->dns_name ? alb->dns_name : "-";
}

static const struct column albs_columns[] = {
    { .header = "NAME", .min_width = 8, .weight = 2, .cell = albs_name },
    { .header = "STATE", .min_width = 6, .max_width = 16,
      .cell = albs_state },
    { .header = "SCHEME", .min_width = 6, .max_width = 16,
      .cell = albs_scheme },
    { .header = "INGRESSES", .min_width = 8, .weight = 2,
      .cell = albs_ingresses },
    { .header = "DNS NAME", .min_width = 8, .weight = 3, .cell = albs_dns },
};

static void albs_title(const struct ui *ui, const struct view *v, char *buf,
                       size_t len)
{
    const struct chain_cluster *cc = chains_cluster(ui->chains, v->cluster);
    snprintf(buf, len, "Load balancers of %s (%zu, %zu claimed by no "
             "ingress)", cluster_name(ui, v->cluster), v->line_count,
             cc ? cc->unclaimed_count : 0);
}

static size_t albs_count(const struct ui *ui, const struct view *v)
{
    UNUSED(ui);
    return v->line_count;
}

static int albs_identity(const struct ui *ui, const struct view *v,
                         size_t item, char *buf, size_t len)
{
    UNUSED(ui);
    snprintf(buf, len, "%s", albs_arn(v, item));
    return 1;
}

static enum model_state albs_state_of(const struct ui *ui,
                                      const struct view *v, char *err,
                                      size_t len)
{
    const struct chain_cluster *cc = chains_cluster(ui->chains, v->cluster);
    if (!cc || cc->state == MODEL_IDLE)
        return MODEL_LOADING;
    if (cc->state == MODEL_FAILED)
        pane_format_error(&cc->error, err, len);
    return cc->state;
}

/* Opens the load balancer with the chain of the first ingress claiming
 * it, whose drill-down has its listeners. */
static int albs_enter(struct ui *ui, struct view *v, size_t item)
{
    const struct chain *owner = drill_claimer(ui, v->cluster,
                                              albs_arn(v, item));
    struct view next = {
        .pane = &drill_alb_pane,
        .cluster = v->cluster,
        .role = MODEL_NONE,
        .arn = xstrdup(albs_arn(v, item)),
        .namespace = owner ? xstrdup(owner->namespace) : NULL,
        .name = owner ? xstrdup(owner->name) : NULL,
    };
    if (owner && (owner->detail_state == MODEL_IDLE ||
                  owner->detail_state == MODEL_FAILED))
        chains_load_ingress(ui->chains, v->cluster, next.namespace,
                            next.name);
    return ui_push(ui, &next);
}

const struct pane drill_albs_pane = {
    .name = "load balancers",
    .title = albs_title,
    .columns = albs_columns,
    .column_count = sizeof(albs_columns) / sizeof(albs_columns[0]),
    .item_count = albs_count,
    .state = albs_state_of,
    .prepare = albs_prepare,
    .identity = albs_identity,
    .enter = albs_enter,
    .reload = drill_reload,
    .noun = "load balancers",
};

int drill_open_load_balancers(struct ui *ui, size_t cluster)
{
    if (cluster >= ui->m->cluster_count)
        return ui_message(ui, 1, "no cluster selected: choose one in the "
                          "clusters pane (1), or give its name: :alb NAME");
    const struct chain_cluster *cc = chains_cluster(ui->chains, cluster);
    if (!cc || cc->state == MODEL_IDLE || cc->state == MODEL_FAILED)
        chains_load_cluster(ui->chains, cluster);
    struct view v = {
        .pane = &drill_albs_pane,
        .cluster = cluster,
        .role = MODEL_NONE,
    };
    return ui_push(ui, &v);
}
