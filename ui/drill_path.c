/* The deeper levels of the drill-down: a listener, a rule, the targets of
 * a target group, and one target with the pod behind it. */
#include <stdio.h>
#include <string.h>

#include "detail.h"
#include "drill.h"
#include "drill_text.h"
#include "pane.h"

#define UNUSED(x) (void)(x)

/* The state of a view whose object is missing: loading while the chain
 * is, otherwise gone. */
static enum model_state missing(const struct ui *ui, const struct view *v,
                                const char *what, char *err, size_t len)
{
    if (drill_loading(ui, v))
        return MODEL_LOADING;
    snprintf(err, len, "%s is gone after a refresh; press Esc", what);
    return MODEL_FAILED;
}

/* ---- listener ------------------------------------------------------- */

static void add_certificates(struct view *v, const struct chain_listener *l)
{
    if (l->certificate_count == 0)
        return;
    drill_section(v, "Certificates (%zu)", l->certificate_count);
    for (size_t i = 0; i < l->certificate_count; i++) {
        const struct chain_certificate *c = &l->certificates[i];
        char expiry[64] = "expiry unknown", err[700];
        enum theme_role role = THEME_NORMAL;
        if (c->expires)
            drill_expiry(c->expires, expiry, sizeof(expiry), &role);
        if (c->status && strcmp(c->status, "ISSUED") != 0)
            role = THEME_ERROR;
        view_add_line(v, role, "  %s  %s  expires %s  region %s%s",
                      c->domain ? c->domain : "-",
                      c->status ? c->status : "-", expiry,
                      c->region ? c->region : "-",
                      c->is_default ? "  default" : "");
        view_add_line(v, THEME_DIM, "    %s", c->arn);
        if (!c->error.code[0])
            continue;
        pane_format_error(&c->error, err, sizeof(err));
        drill_wrapped(v, THEME_ERROR, "    DescribeCertificate: ", "    ",
                      err);
    }
    drill_blank(v);
}

static void add_rule_lines(struct view *v, const struct chain_rule *r,
                           const char *indent)
{
    for (size_t i = 0; i < r->condition_count; i++) {
        view_add_line(v, THEME_NORMAL, "%sif    %s", indent,
                      r->conditions[i]);
        view_link_last(v, &drill_rule_pane, r->arn, 0);
    }
    for (size_t i = 0; i < r->action_count; i++) {
        view_add_line(v, THEME_NORMAL, "%sthen  %s", indent, r->actions[i]);
        view_link_last(v, &drill_rule_pane, r->arn, 0);
    }
}

static void listener_prepare(struct ui *ui, struct view *v)
{
    view_clear_lines(v);
    const struct chain_listener *l =
        drill_find_listener(drill_chain(ui, v), v->arn);
    if (!l)
        return;
    char port[16];
    snprintf(port, sizeof(port), "%d", l->port);
    drill_section(v, "Listener");
    drill_field(v, THEME_NORMAL, "ARN", l->arn);
    drill_field(v, THEME_NORMAL, "Protocol", l->protocol);
    drill_field(v, THEME_NORMAL, "Port", port);
    drill_field(v, THEME_NORMAL, "SSL policy", l->ssl_policy);
    drill_blank(v);
    add_certificates(v, l);
    drill_section(v, "Rules (%zu, by priority)  Enter opens a rule",
                  l->rule_count);
    for (size_t i = 0; i < l->rule_count; i++) {
        const struct chain_rule *r = &l->rules[i];
        if (r->is_default)
            view_add_line(v, THEME_NORMAL, "  default rule");
        else
            view_add_line(v, THEME_NORMAL, "  priority %s", r->priority);
        view_link_last(v, &drill_rule_pane, r->arn, 0);
        add_rule_lines(v, r, "    ");
    }
}

static void listener_title(const struct ui *ui, const struct view *v,
                           char *buf, size_t len)
{
    const struct chain *c = drill_chain(ui, v);
    const struct chain_listener *l = drill_find_listener(c, v->arn);
    if (l)
        snprintf(buf, len, "Listener %s:%d of %s", l->protocol, l->port,
                 c->alb ? c->alb->name : "-");
    else
        snprintf(buf, len, "Listener %s", v->arn);
}

static enum model_state listener_state(const struct ui *ui,
                                       const struct view *v, char *err,
                                       size_t len)
{
    if (drill_find_listener(drill_chain(ui, v), v->arn))
        return MODEL_READY;
    return missing(ui, v, "the listener", err, len);
}

const struct pane drill_listener_pane = {
    .name = "listener",
    .text = 1,
    .title = listener_title,
    .columns = detail_text_columns,
    .column_count = 1,
    .item_count = detail_line_count,
    .state = listener_state,
    .prepare = listener_prepare,
    .identity = drill_line_identity,
    .enter = drill_enter_line,
    .reload = drill_reload,
    .noun = "lines",
};

/* ---- rule ----------------------------------------------------------- */

static void add_list(struct view *v, const char *title, char *const *items,
                     size_t count, const char *none)
{
    drill_section(v, "%s (%zu)", title, count);
    if (count == 0)
        view_add_line(v, THEME_DIM, "  %s", none);
    for (size_t i = 0; i < count; i++)
        view_add_line(v, THEME_NORMAL, "  %s", items[i]);
    drill_blank(v);
}

static void rule_prepare(struct ui *ui, struct view *v)
{
    view_clear_lines(v);
    const struct chain *c = drill_chain(ui, v);
    const struct chain_listener *l = NULL;
    const struct chain_rule *r = drill_find_rule(c, v->arn, &l);
    if (!r)
        return;
    drill_section(v, "Rule");
    drill_field(v, THEME_NORMAL, "ARN", r->arn);
    drill_field(v, THEME_NORMAL, "Priority", r->priority);
    drill_blank(v);
    add_list(v, "Conditions", r->conditions, r->condition_count,
             "none: the default rule takes what no other rule matches");
    add_list(v, "Actions", r->actions, r->action_count, "none");
    if (r->target_group_count == 0)
        return;
    drill_section(v, "Target groups (%zu)  Enter lists the targets",
                  r->target_group_count);
    for (size_t i = 0; i < r->target_group_count; i++) {
        const struct chain_target_group *tg = drill_find_target_group(
            ui, v->cluster, r->target_group_arns[i], c);
        if (tg)
            drill_add_target_group(v, tg, 1);
        else
            view_add_line(v, THEME_DIM, "  %s  not loaded: it carries no "
                          "backend of an ingress listed",
                          r->target_group_arns[i]);
    }
}

static void rule_title(const struct ui *ui, const struct view *v, char *buf,
                       size_t len)
{
    const struct chain_listener *l = NULL;
    const struct chain_rule *r = drill_find_rule(drill_chain(ui, v), v->arn,
                                                 &l);
    if (r && r->is_default)
        snprintf(buf, len, "Default rule of %s:%d", l->protocol, l->port);
    else if (r)
        snprintf(buf, len, "Rule %s of %s:%d", r->priority, l->protocol,
                 l->port);
    else
        snprintf(buf, len, "Rule %s", v->arn);
}

static enum model_state rule_state(const struct ui *ui, const struct view *v,
                                   char *err, size_t len)
{
    const struct chain_listener *l = NULL;
    if (drill_find_rule(drill_chain(ui, v), v->arn, &l))
        return MODEL_READY;
    return missing(ui, v, "the rule", err, len);
}

const struct pane drill_rule_pane = {
    .name = "rule",
    .text = 1,
    .title = rule_title,
    .columns = detail_text_columns,
    .column_count = 1,
    .item_count = detail_line_count,
    .state = rule_state,
    .prepare = rule_prepare,
    .identity = drill_line_identity,
    .enter = drill_enter_line,
    .reload = drill_reload,
    .noun = "lines",
};

/* ---- targets -------------------------------------------------------- */

static const struct chain_target_group *view_group(const struct ui *ui,
                                                   const struct view *v)
{
    return drill_find_target_group(ui, v->cluster, v->arn,
                                   drill_chain(ui, v));
}

static const struct chain_target *target_at(const struct ui *ui,
                                            const struct view *v,
                                            size_t item)
{
    const struct chain_target_group *tg = view_group(ui, v);
    return tg && item < tg->target_count ? &tg->targets[item] : NULL;
}

static const char *tgt_id(const struct ui *ui, const struct view *v,
                          size_t item, char *buf, size_t len,
                          enum theme_role *role)
{
    UNUSED(buf), UNUSED(len), UNUSED(role);
    const struct chain_target *t = target_at(ui, v, item);
    return t ? t->id : "-";
}

static const char *tgt_port(const struct ui *ui, const struct view *v,
                            size_t item, char *buf, size_t len,
                            enum theme_role *role)
{
    UNUSED(role);
    const struct chain_target *t = target_at(ui, v, item);
    snprintf(buf, len, "%d", t ? t->port : 0);
    return buf;
}

static const char *tgt_zone(const struct ui *ui, const struct view *v,
                            size_t item, char *buf, size_t len,
                            enum theme_role *role)
{
    UNUSED(buf), UNUSED(len), UNUSED(role);
    const struct chain_target *t = target_at(ui, v, item);
    return t && t->zone ? t->zone : "-";
}

static const char *tgt_state(const struct ui *ui, const struct view *v,
                             size_t item, char *buf, size_t len,
                             enum theme_role *role)
{
    UNUSED(buf), UNUSED(len);
    const struct chain_target *t = target_at(ui, v, item);
    *role = drill_target_role(t ? t->state : NULL);
    return t && t->state ? t->state : "-";
}

static const char *tgt_reason(const struct ui *ui, const struct view *v,
                              size_t item, char *buf, size_t len,
                              enum theme_role *role)
{
    UNUSED(buf), UNUSED(len);
    const struct chain_target *t = target_at(ui, v, item);
    if (!t || !t->reason) {
        *role = THEME_DIM;
        return "-";
    }
    *role = drill_target_role(t->state);
    return t->reason;
}

static const char *tgt_pod(const struct ui *ui, const struct view *v,
                           size_t item, char *buf, size_t len,
                           enum theme_role *role)
{
    const struct chain_target *t = target_at(ui, v, item);
    if (!t || !t->pod) {
        *role = THEME_DIM;
        return "-";
    }
    snprintf(buf, len, "%s/%s", t->pod->namespace, t->pod->name);
    return buf;
}

/* "Running", "Running, not ready", or a waiting container's reason. */
static const char *pod_status(const struct chain_pod *p, char *buf,
                              size_t len, enum theme_role *role)
{
    const char *phase = p->phase ? p->phase : "-";
    *role = p->ready ? THEME_OK : THEME_ERROR;
    if (p->reason)
        snprintf(buf, len, "%s, %s", phase, p->reason);
    else
        snprintf(buf, len, "%s%s", phase, p->ready ? "" : ", not ready");
    return buf;
}

static const char *tgt_pod_status(const struct ui *ui, const struct view *v,
                                  size_t item, char *buf, size_t len,
                                  enum theme_role *role)
{
    const struct chain_target *t = target_at(ui, v, item);
    if (!t || !t->pod) {
        *role = THEME_DIM;
        return "-";
    }
    return pod_status(t->pod, buf, len, role);
}

static const char *tgt_description(const struct ui *ui,
                                   const struct view *v, size_t item,
                                   char *buf, size_t len,
                                   enum theme_role *role)
{
    UNUSED(buf), UNUSED(len), UNUSED(role);
    const struct chain_target *t = target_at(ui, v, item);
    return t && t->description ? t->description : "";
}

static const struct column target_columns[] = {
    { .header = "TARGET", .min_width = 8, .max_width = 40, .cell = tgt_id },
    { .header = "PORT", .min_width = 4, .max_width = 6, .cell = tgt_port },
    { .header = "ZONE", .min_width = 4, .max_width = 14, .cell = tgt_zone },
    { .header = "STATE", .min_width = 6, .max_width = 12,
      .cell = tgt_state },
    { .header = "REASON", .min_width = 8, .max_width = 34,
      .cell = tgt_reason },
    { .header = "POD", .min_width = 6, .weight = 2, .cell = tgt_pod },
    { .header = "POD STATUS", .min_width = 6, .max_width = 28,
      .cell = tgt_pod_status },
    { .header = "DESCRIPTION", .min_width = 8, .weight = 2,
      .cell = tgt_description },
};

static void targets_title(const struct ui *ui, const struct view *v,
                          char *buf, size_t len)
{
    const struct chain_target_group *tg = view_group(ui, v);
    if (!tg) {
        snprintf(buf, len, "Targets of %s", v->arn);
        return;
    }
    const struct chain_health_check *h = &tg->health_check;
    snprintf(buf, len, "Targets of %s (%s, %zu/%zu healthy); health check "
             "%s %s, codes %s", tg->name,
             tg->target_type ? tg->target_type : "-", tg->healthy,
             tg->target_count, h->protocol ? h->protocol : "-",
             h->path ? h->path : "", h->matcher ? h->matcher : "-");
}

static size_t targets_count(const struct ui *ui, const struct view *v)
{
    const struct chain_target_group *tg = view_group(ui, v);
    return tg ? tg->target_count : 0;
}

static int targets_identity(const struct ui *ui, const struct view *v,
                            size_t item, char *buf, size_t len)
{
    const struct chain_target *t = target_at(ui, v, item);
    if (!t)
        return 0;
    snprintf(buf, len, "%s:%d", t->id, t->port);
    return 1;
}

static enum model_state targets_state(const struct ui *ui,
                                      const struct view *v, char *err,
                                      size_t len)
{
    const struct chain_target_group *tg = view_group(ui, v);
    if (!tg)
        return missing(ui, v, "the target group", err, len);
    if (tg->health_state == MODEL_FAILED) {
        pane_format_error(&tg->health_error, err, len);
        return MODEL_FAILED;
    }
    if (tg->target_count == 0)
        snprintf(err, len, "no targets are registered in %s", tg->name);
    return tg->health_state == MODEL_IDLE ? MODEL_LOADING
                                          : tg->health_state;
}

static int targets_enter(struct ui *ui, struct view *v, size_t item)
{
    const struct chain_target *t = target_at(ui, v, item);
    if (!t)
        return REACT_NONE;
    return drill_push(ui, v, &drill_target_pane, v->arn, t->id, t->port);
}

const struct pane drill_targets_pane = {
    .name = "targets",
    .title = targets_title,
    .columns = target_columns,
    .column_count = sizeof(target_columns) / sizeof(target_columns[0]),
    .item_count = targets_count,
    .state = targets_state,
    .identity = targets_identity,
    .enter = targets_enter,
    .reload = drill_reload,
    .noun = "targets",
};

/* ---- one target and its pod ---------------------------------------- */

static const struct chain_target *view_target(const struct ui *ui,
                                              const struct view *v)
{
    const struct chain_target_group *tg = view_group(ui, v);
    for (size_t i = 0; tg && v->target && i < tg->target_count; i++)
        if (strcmp(tg->targets[i].id, v->target) == 0 &&
            tg->targets[i].port == v->port)
            return &tg->targets[i];
    return NULL;
}

static void add_pod(struct view *v, const struct chain_target_group *tg,
                    const struct chain_target *t)
{
    char text[64], status[128];
    const struct chain_pod *p = t->pod;
    if (!p) {
        if (tg->target_type && strcmp(tg->target_type, "ip") != 0)
            view_add_line(v, THEME_DIM, "Pod: none, the target is an %s",
                          tg->target_type);
        else
            view_add_line(v, THEME_WARNING, "Pod: none in the cluster has "
                          "IP %s", t->id);
        return;
    }
    enum theme_role role;
    pod_status(p, status, sizeof(status), &role);
    drill_section(v, "Pod");
    drill_field(v, THEME_NORMAL, "Namespace", p->namespace);
    drill_field(v, THEME_NORMAL, "Name", p->name);
    drill_field(v, role, "Status", status);
    drill_field(v, p->ready ? THEME_OK : THEME_ERROR, "Ready",
                p->ready ? "yes" : "no");
    drill_field(v, THEME_NORMAL, "Node", p->node);
    drill_field(v, THEME_NORMAL, "IP", p->ip);
    snprintf(text, sizeof(text), "%d", p->restarts);
    drill_field(v, p->restarts ? THEME_WARNING : THEME_NORMAL, "Restarts",
                text);
    drill_field(v, THEME_ERROR, "Waiting", p->reason);
}

static void target_prepare(struct ui *ui, struct view *v)
{
    view_clear_lines(v);
    const struct chain_target_group *tg = view_group(ui, v);
    const struct chain_target *t = view_target(ui, v);
    if (!t)
        return;
    enum theme_role role = drill_target_role(t->state);
    char check[512];
    drill_health_check(&tg->health_check, check, sizeof(check));
    drill_section(v, "Target");
    drill_field(v, THEME_NORMAL, "Target group", tg->name);
    drill_field(v, role, "State", t->state);
    drill_field(v, role, "Reason", t->reason);
    drill_field_wrapped(v, role, "Description", t->description);
    drill_field(v, THEME_NORMAL, "Zone", t->zone);
    drill_field_wrapped(v, THEME_NORMAL, "Health check", check);
    drill_blank(v);
    add_pod(v, tg, t);
}

static void target_title(const struct ui *ui, const struct view *v,
                         char *buf, size_t len)
{
    const struct chain_target *t = view_target(ui, v);
    if (t && t->pod)
        snprintf(buf, len, "Target %s:%d, pod %s/%s", t->id, t->port,
                 t->pod->namespace, t->pod->name);
    else
        snprintf(buf, len, "Target %s:%d", v->target, v->port);
}

static enum model_state target_state(const struct ui *ui,
                                     const struct view *v, char *err,
                                     size_t len)
{
    if (view_target(ui, v))
        return MODEL_READY;
    return missing(ui, v, "the target", err, len);
}

const struct pane drill_target_pane = {
    .name = "target",
    .text = 1,
    .title = target_title,
    .columns = detail_text_columns,
    .column_count = 1,
    .item_count = detail_line_count,
    .state = target_state,
    .prepare = target_prepare,
    .reload = drill_reload,
    .noun = "lines",
};
