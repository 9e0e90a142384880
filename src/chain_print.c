/*
 * albatross describe ingress: one chain as indented text, or as a nested
 * JSON or YAML document with the same content.
 */
#include "chain_print.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "doc.h"
#include "output.h"
#include "util.h"

/* ---- text ---- */

/* Writes s with line breaks and tabs as spaces and what else a terminal
 * would act on as '?' (see output_put_text), so that text from the
 * cluster or AWS cannot move the cursor or change colours. */
static void safe(FILE *out, const char *s)
{
    char *copy = xstrdup(s ? s : "-");
    for (char *p = copy; *p; p++)
        if (*p == '\n' || *p == '\t' || *p == '\r')
            *p = ' ';
    output_put_text(out, copy);
    free(copy);
}

static void line(FILE *out, int level, const char *label, const char *value)
{
    fprintf(out, "%*s%s: ", level * 2, "", label);
    safe(out, value);
    fputc('\n', out);
}

void chain_format_age(time_t then, time_t now, char *out, size_t outlen)
{
    long s = (long)(now - then);
    if (!then)
        snprintf(out, outlen, "-");
    else if (s < 0)
        snprintf(out, outlen, "0s");
    else if (s < 120)
        snprintf(out, outlen, "%lds", s);
    else if (s < 7200)
        snprintf(out, outlen, "%ldm", s / 60);
    else if (s < 172800)
        snprintf(out, outlen, "%ldh", s / 3600);
    else
        snprintf(out, outlen, "%ldd", s / 86400);
}

static void text_alb(FILE *out, const struct chain_alb *alb)
{
    char state[300];
    snprintf(state, sizeof(state), "%s%s%s", alb->state ? alb->state : "-",
             alb->state_reason ? ": " : "",
             alb->state_reason ? alb->state_reason : "");
    fputs("Load balancer:\n", out);
    line(out, 1, "Name", alb->name);
    line(out, 1, "DNS name", alb->dns_name);
    line(out, 1, "Scheme", alb->scheme);
    line(out, 1, "State", state);
    line(out, 1, "ARN", alb->arn);
    line(out, 1, "VPC", alb->vpc);
    for (size_t i = 0; i < alb->subnet_count; i++) {
        char s[200];
        snprintf(s, sizeof(s), "%s (%s)", alb->subnets[i].id,
                 alb->subnets[i].zone);
        line(out, 1, "Subnet", s);
    }
    for (size_t i = 0; i < alb->security_group_count; i++) {
        char s[400];
        const struct chain_security_group *g = &alb->security_groups[i];
        snprintf(s, sizeof(s), "%s%s%s%s", g->id, g->name ? " (" : "",
                 g->name ? g->name : "", g->name ? ")" : "");
        line(out, 1, "Security group", s);
    }
    for (size_t i = 0; i < alb->attribute_count; i++) {
        fprintf(out, "  Attribute ");
        safe(out, alb->attributes[i].key);
        fputs(": ", out);
        safe(out, alb->attributes[i].value);
        fputc('\n', out);
    }
    if (alb->web_acl_arn)
        line(out, 1, "Web ACL", alb->web_acl_arn);
}

static void text_listeners(FILE *out, const struct chain *c)
{
    for (size_t i = 0; i < c->listener_count; i++) {
        const struct chain_listener *l = &c->listeners[i];
        fprintf(out, "Listener %d ", l->port);
        safe(out, l->protocol);
        fputc('\n', out);
        if (l->ssl_policy)
            line(out, 1, "SSL policy", l->ssl_policy);
        for (size_t k = 0; k < l->certificate_count; k++) {
            const struct chain_certificate *cert = &l->certificates[k];
            char s[1200];
            snprintf(s, sizeof(s), "%s domain %s status %s expires %s "
                     "region %s", cert->arn, cert->domain ? cert->domain : "-",
                     cert->status ? cert->status : "-",
                     cert->not_after ? cert->not_after : "-",
                     cert->region ? cert->region : "-");
            line(out, 1, "Certificate", s);
        }
        for (size_t k = 0; k < l->rule_count; k++) {
            const struct chain_rule *r = &l->rules[k];
            fprintf(out, "  Rule ");
            safe(out, r->priority);
            fputc('\n', out);
            for (size_t n = 0; n < r->condition_count; n++)
                line(out, 2, "If", r->conditions[n]);
            for (size_t n = 0; n < r->action_count; n++)
                line(out, 2, "Then", r->actions[n]);
        }
    }
}

static void text_target(FILE *out, const struct chain_target *t)
{
    fprintf(out, "    Target ");
    safe(out, t->id);
    fprintf(out, ":%d ", t->port);
    safe(out, t->state);
    if (t->reason) {
        fputc(' ', out);
        safe(out, t->reason);
    }
    if (t->zone) {
        fputs(" in ", out);
        safe(out, t->zone);
    }
    fputc('\n', out);
    if (t->description)
        line(out, 3, "Description", t->description);
    if (t->pod) {
        char s[700];
        snprintf(s, sizeof(s), "%s/%s %s%s on %s, %d restarts%s%s",
                 t->pod->namespace, t->pod->name,
                 t->pod->phase ? t->pod->phase : "-",
                 t->pod->ready ? " ready" : " not ready",
                 t->pod->node ? t->pod->node : "-", t->pod->restarts,
                 t->pod->reason ? ", " : "",
                 t->pod->reason ? t->pod->reason : "");
        line(out, 3, "Pod", s);
    }
}

static void text_target_groups(FILE *out, const struct chain *c)
{
    for (size_t i = 0; i < c->target_group_count; i++) {
        const struct chain_target_group *tg = &c->target_groups[i];
        const struct chain_health_check *hc = &tg->health_check;
        char s[600];
        fputs("Target group ", out);
        safe(out, tg->name);
        fputc('\n', out);
        line(out, 1, "ARN", tg->arn);
        snprintf(s, sizeof(s), "%s %s:%d", tg->target_type ? tg->target_type
                 : "-", tg->protocol ? tg->protocol : "-", tg->port);
        line(out, 1, "Targets", s);
        line(out, 1, "Service", tg->service);
        snprintf(s, sizeof(s), "%s %s port %s matcher %s every %ds, "
                 "timeout %ds, healthy %d, unhealthy %d",
                 hc->protocol ? hc->protocol : "-", hc->path ? hc->path : "-",
                 hc->port ? hc->port : "-", hc->matcher ? hc->matcher : "-",
                 hc->interval_seconds, hc->timeout_seconds,
                 hc->healthy_threshold, hc->unhealthy_threshold);
        line(out, 1, "Health check", s);
        snprintf(s, sizeof(s), "%zu of %zu healthy", tg->healthy,
                 tg->target_count);
        line(out, 1, "Health", s);
        for (size_t k = 0; k < tg->target_count; k++)
            text_target(out, &tg->targets[k]);
    }
}

static void text_events(FILE *out, const struct chain *c, time_t now)
{
    if (c->event_count == 0)
        return;
    fputs("Events:\n", out);
    for (size_t i = 0; i < c->event_count; i++) {
        const struct chain_event *e = &c->events[i];
        char age[16];
        chain_format_age(e->last_seen, now, age, sizeof(age));
        fprintf(out, "  %s ", age);
        safe(out, e->type);
        fputc(' ', out);
        safe(out, e->reason);
        fputs(": ", out);
        safe(out, e->message);
        fputc('\n', out);
    }
}

static void text_findings(FILE *out, const struct chain *c)
{
    if (c->finding_count == 0) {
        fputs("Findings: none\n", out);
        return;
    }
    fputs("Findings:\n", out);
    for (size_t i = 0; i < c->finding_count; i++) {
        const struct chain_finding *f = &c->findings[i];
        fprintf(out, "  %s: ", chain_severity_name(f->severity));
        safe(out, f->title);
        fputc('\n', out);
        line(out, 2, "Detail", f->detail);
        line(out, 2, "Fix", f->fix);
    }
}

void chain_print_text(const struct chain *c, time_t now, FILE *out)
{
    char s[600];
    snprintf(s, sizeof(s), "%s/%s", c->namespace, c->name);
    line(out, 0, "Ingress", s);
    line(out, 1, "Class", c->class_name);
    line(out, 1, "Controller", c->controller);
    line(out, 1, "Hosts", c->hosts);
    line(out, 1, "Address", c->address);
    line(out, 1, "Scheme", c->scheme);
    if (c->group_name)
        line(out, 1, "Group", c->group_name);
    for (size_t i = 0; i < c->sibling_count; i++) {
        snprintf(s, sizeof(s), "%s/%s", c->siblings[i].namespace,
                 c->siblings[i].name);
        line(out, 1, "Shares the ALB with", s);
    }
    for (size_t i = 0; i < c->backend_count; i++) {
        const struct chain_backend *b = &c->backends[i];
        snprintf(s, sizeof(s), "%s:%s %s, %zu ready, %zu not ready",
                 b->service, b->port ? b->port : "-",
                 b->service_exists ? "exists" : "missing",
                 b->endpoints_ready, b->endpoints_not_ready);
        line(out, 1, "Backend", s);
    }
    line(out, 1, "ALB state", chain_alb_state_name(c->alb_state));
    snprintf(s, sizeof(s), "%zu/%zu", c->targets_healthy, c->targets_total);
    line(out, 1, "Healthy targets", s);
    if (c->alb)
        text_alb(out, c->alb);
    text_listeners(out, c);
    text_target_groups(out, c);
    text_events(out, c, now);
    text_findings(out, c);
}

/* ---- JSON and YAML ---- */

static void doc_alb(struct doc *d, const struct chain_alb *alb)
{
    doc_object(d, "loadBalancer");
    doc_string(d, "name", alb->name);
    doc_string(d, "arn", alb->arn);
    doc_string(d, "dnsName", alb->dns_name);
    doc_string(d, "scheme", alb->scheme);
    doc_string(d, "state", alb->state);
    doc_string(d, "stateReason", alb->state_reason);
    doc_string(d, "type", alb->type);
    doc_string(d, "vpc", alb->vpc);
    doc_string(d, "ipAddressType", alb->ip_address_type);
    doc_string(d, "created", alb->created);
    doc_array(d, "subnets");
    for (size_t i = 0; i < alb->subnet_count; i++) {
        doc_object(d, NULL);
        doc_string(d, "id", alb->subnets[i].id);
        doc_string(d, "zone", alb->subnets[i].zone);
        doc_string(d, "cidr", alb->subnets[i].cidr);
        doc_end(d);
    }
    doc_end(d);
    doc_array(d, "securityGroups");
    for (size_t i = 0; i < alb->security_group_count; i++) {
        doc_object(d, NULL);
        doc_string(d, "id", alb->security_groups[i].id);
        doc_string(d, "name", alb->security_groups[i].name);
        doc_end(d);
    }
    doc_end(d);
    doc_object(d, "attributes");
    for (size_t i = 0; i < alb->attribute_count; i++)
        doc_string(d, alb->attributes[i].key, alb->attributes[i].value);
    doc_end(d);
    doc_object(d, "tags");
    for (size_t i = 0; i < alb->tag_count; i++)
        doc_string(d, alb->tags[i].key, alb->tags[i].value);
    doc_end(d);
    doc_string(d, "webAcl", alb->web_acl_arn);
    doc_end(d);
}

static void doc_strings(struct doc *d, const char *key, char *const *v,
                        size_t n)
{
    doc_array(d, key);
    for (size_t i = 0; i < n; i++)
        doc_string(d, NULL, v[i]);
    doc_end(d);
}

static void doc_listener(struct doc *d, const struct chain_listener *l)
{
    doc_object(d, NULL);
    doc_number(d, "port", l->port);
    doc_string(d, "protocol", l->protocol);
    doc_string(d, "sslPolicy", l->ssl_policy);
    doc_array(d, "certificates");
    for (size_t i = 0; i < l->certificate_count; i++) {
        const struct chain_certificate *c = &l->certificates[i];
        doc_object(d, NULL);
        doc_string(d, "arn", c->arn);
        doc_string(d, "domain", c->domain);
        doc_string(d, "status", c->status);
        doc_string(d, "notAfter", c->not_after);
        doc_string(d, "region", c->region);
        doc_bool(d, "default", c->is_default);
        doc_end(d);
    }
    doc_end(d);
    doc_array(d, "rules");
    for (size_t i = 0; i < l->rule_count; i++) {
        const struct chain_rule *r = &l->rules[i];
        doc_object(d, NULL);
        doc_string(d, "priority", r->priority);
        doc_strings(d, "conditions", r->conditions, r->condition_count);
        doc_strings(d, "actions", r->actions, r->action_count);
        doc_end(d);
    }
    doc_end(d);
    doc_end(d);
}

static void doc_target(struct doc *d, const struct chain_target *t)
{
    doc_object(d, NULL);
    doc_string(d, "id", t->id);
    doc_number(d, "port", t->port);
    doc_string(d, "zone", t->zone);
    doc_string(d, "state", t->state);
    doc_string(d, "reason", t->reason);
    doc_string(d, "description", t->description);
    if (t->pod) {
        doc_object(d, "pod");
        doc_string(d, "namespace", t->pod->namespace);
        doc_string(d, "name", t->pod->name);
        doc_string(d, "phase", t->pod->phase);
        doc_bool(d, "ready", t->pod->ready);
        doc_string(d, "node", t->pod->node);
        doc_number(d, "restarts", t->pod->restarts);
        doc_string(d, "reason", t->pod->reason);
        doc_end(d);
    }
    doc_end(d);
}

static void doc_target_group(struct doc *d,
                             const struct chain_target_group *tg)
{
    const struct chain_health_check *hc = &tg->health_check;
    doc_object(d, NULL);
    doc_string(d, "name", tg->name);
    doc_string(d, "arn", tg->arn);
    doc_string(d, "targetType", tg->target_type);
    doc_string(d, "protocol", tg->protocol);
    doc_number(d, "port", tg->port);
    doc_string(d, "service", tg->service);
    doc_object(d, "healthCheck");
    doc_bool(d, "enabled", hc->enabled);
    doc_string(d, "protocol", hc->protocol);
    doc_string(d, "port", hc->port);
    doc_string(d, "path", hc->path);
    doc_string(d, "matcher", hc->matcher);
    doc_number(d, "intervalSeconds", hc->interval_seconds);
    doc_number(d, "timeoutSeconds", hc->timeout_seconds);
    doc_number(d, "healthyThreshold", hc->healthy_threshold);
    doc_number(d, "unhealthyThreshold", hc->unhealthy_threshold);
    doc_end(d);
    doc_number(d, "healthy", (long)tg->healthy);
    doc_array(d, "targets");
    for (size_t i = 0; i < tg->target_count; i++)
        doc_target(d, &tg->targets[i]);
    doc_end(d);
    doc_end(d);
}

static void doc_kube(struct doc *d, const struct chain *c, time_t now)
{
    doc_array(d, "backends");
    for (size_t i = 0; i < c->backend_count; i++) {
        doc_object(d, NULL);
        doc_string(d, "service", c->backends[i].service);
        doc_string(d, "port", c->backends[i].port);
        doc_bool(d, "exists", c->backends[i].service_exists);
        doc_number(d, "ready", (long)c->backends[i].endpoints_ready);
        doc_number(d, "notReady", (long)c->backends[i].endpoints_not_ready);
        doc_end(d);
    }
    doc_end(d);
    doc_array(d, "sharesLoadBalancerWith");
    for (size_t i = 0; i < c->sibling_count; i++) {
        char s[600];
        snprintf(s, sizeof(s), "%s/%s", c->siblings[i].namespace,
                 c->siblings[i].name);
        doc_string(d, NULL, s);
    }
    doc_end(d);
    doc_array(d, "events");
    for (size_t i = 0; i < c->event_count; i++) {
        const struct chain_event *e = &c->events[i];
        char age[16];
        chain_format_age(e->last_seen, now, age, sizeof(age));
        doc_object(d, NULL);
        doc_string(d, "type", e->type);
        doc_string(d, "reason", e->reason);
        doc_string(d, "message", e->message);
        doc_string(d, "source", e->source);
        doc_number(d, "count", e->count);
        doc_string(d, "age", age);
        doc_end(d);
    }
    doc_end(d);
}

static void doc_chain(struct doc *d, const struct chain *c, time_t now)
{
    char age[16];
    doc_object(d, NULL);
    doc_string(d, "namespace", c->namespace);
    doc_string(d, "name", c->name);
    doc_string(d, "class", c->class_name);
    doc_string(d, "controller", c->controller);
    doc_string(d, "hosts", c->hosts);
    doc_string(d, "address", c->address);
    doc_string(d, "scheme", c->scheme);
    doc_string(d, "group", c->group_name);
    doc_string(d, "albState", chain_alb_state_name(c->alb_state));
    doc_number(d, "targetsHealthy", (long)c->targets_healthy);
    doc_number(d, "targetsTotal", (long)c->targets_total);
    chain_format_age(c->last_warning, now, age, sizeof(age));
    doc_string(d, "lastWarningAge", c->last_warning ? age : NULL);
    doc_kube(d, c, now);
    if (c->alb)
        doc_alb(d, c->alb);
    else
        doc_string(d, "loadBalancer", NULL);
    doc_array(d, "listeners");
    for (size_t i = 0; i < c->listener_count; i++)
        doc_listener(d, &c->listeners[i]);
    doc_end(d);
    doc_array(d, "targetGroups");
    for (size_t i = 0; i < c->target_group_count; i++)
        doc_target_group(d, &c->target_groups[i]);
    doc_end(d);
    doc_array(d, "findings");
    for (size_t i = 0; i < c->finding_count; i++) {
        const struct chain_finding *f = &c->findings[i];
        doc_object(d, NULL);
        doc_string(d, "severity", chain_severity_name(f->severity));
        doc_string(d, "title", f->title);
        doc_string(d, "detail", f->detail);
        doc_string(d, "fix", f->fix);
        doc_end(d);
    }
    doc_end(d);
    doc_end(d);
}

void chain_print_doc(const struct chain *c, time_t now, int yaml, FILE *out)
{
    struct doc d;
    doc_init(&d, out, yaml ? DOC_YAML : DOC_JSON);
    doc_chain(&d, c, now);
    doc_finish(&d);
}

static void doc_unclaimed(struct doc *d, const struct chain_cluster *cc)
{
    doc_array(d, "unclaimedLoadBalancers");
    for (size_t i = 0; cc && i < cc->unclaimed_count; i++) {
        const struct chain_alb *alb = &cc->unclaimed[i];
        doc_object(d, NULL);
        doc_string(d, "name", alb->name);
        doc_string(d, "arn", alb->arn);
        doc_string(d, "dnsName", alb->dns_name);
        doc_string(d, "state", alb->state);
        doc_string(d, "stack", alb->stack);
        doc_end(d);
    }
    doc_end(d);
}

void chain_print_all(const struct chains *cs, size_t cluster, time_t now,
                     int format, FILE *out)
{
    const struct chain_cluster *cc = chains_cluster(cs, cluster);
    if (format == CHAIN_PRINT_TEXT) {
        for (size_t i = 0; i < cs->count; i++) {
            if (cs->items[i].cluster != cluster)
                continue;
            chain_print_text(&cs->items[i], now, out);
            fputc('\n', out);
        }
        for (size_t i = 0; cc && i < cc->unclaimed_count; i++) {
            fputs("Unclaimed load balancer: ", out);
            safe(out, cc->unclaimed[i].name);
            fputs(" stack ", out);
            safe(out, cc->unclaimed[i].stack);
            fputc('\n', out);
        }
        return;
    }
    struct doc d;
    doc_init(&d, out, format == CHAIN_PRINT_YAML ? DOC_YAML : DOC_JSON);
    doc_object(&d, NULL);
    doc_array(&d, "items");
    for (size_t i = 0; i < cs->count; i++)
        if (cs->items[i].cluster == cluster)
            doc_chain(&d, &cs->items[i], now);
    doc_end(&d);
    doc_unclaimed(&d, cc);
    doc_finish(&d);
}
