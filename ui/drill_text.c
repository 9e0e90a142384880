#include "drill_text.h"

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "../src/util.h"
#include "drill.h"
#include "pane.h"
#include "text.h"

#define WRAP_MIN 20             /* columns a wrapped text gets at least */
#define WRAP_MAX_BYTES 16384    /* of one wrapped text; the rest is cut */
#define EXPIRY_WARNING (30 * 86400L) /* seconds before a certificate
                                      * expires that it is flagged */

/* ---- lines ---------------------------------------------------------- */

void drill_field(struct view *v, enum theme_role role, const char *label,
                 const char *value)
{
    if (!value || !*value)
        view_add_line(v, THEME_DIM, "  %-14s-", label);
    else
        view_add_line(v, role, "  %-14s%s", label, value);
}

void drill_section(struct view *v, const char *fmt, ...)
{
    char line[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    view_add_line(v, THEME_COLUMN, "%s", line);
}

void drill_blank(struct view *v)
{
    view_add_line(v, THEME_NORMAL, "%s", "");
}

/* Encodes n wide characters of s into out in the locale's encoding. */
static void encode(const wchar_t *s, size_t n, char *out, size_t outlen)
{
    mbstate_t state;
    size_t used = 0;
    memset(&state, 0, sizeof(state));
    for (size_t i = 0; i < n; i++) {
        char mb[MB_LEN_MAX];
        size_t k = wcrtomb(mb, s[i], &state);
        if (k == (size_t)-1) {
            mb[0] = '?';
            k = 1;
            memset(&state, 0, sizeof(state));
        }
        if (used + k >= outlen)
            break;
        memcpy(out + used, mb, k);
        used += k;
    }
    out[used] = '\0';
}

/* Appends one paragraph (no line breaks) wrapped to width; *prefix moves
 * from the first line's prefix to rest. */
static void wrap_paragraph(struct view *v, enum theme_role role,
                           const char **prefix, const char *rest,
                           const char *para, int width, wchar_t *wide,
                           size_t wide_len, char *out, size_t out_len)
{
    text_decode(para, wide, wide_len);
    const wchar_t *s = wide;
    do {
        size_t n = text_line_break(s, width), kept = n;
        while (kept > 1 && s[kept - 1] == L' ')
            kept--;
        encode(s, kept, out, out_len);
        view_add_line(v, role, "%s%s", *prefix, out);
        *prefix = rest;
        s += n;
        while (*s == L' ')
            s++;
    } while (*s);
}

void drill_wrapped(struct view *v, enum theme_role role, const char *first,
                   const char *rest, const char *text)
{
    int width = COLS - (int)strlen(first) - 1;
    size_t len = strnlen(text ? text : "", WRAP_MAX_BYTES);
    char *copy = strndup(text ? text : "", len);
    wchar_t *wide = malloc((len + 1) * sizeof(*wide));
    size_t out_len = (len + 1) * MB_CUR_MAX + 1;
    char *out = malloc(out_len);
    const char *prefix = first;
    if (width < WRAP_MIN)
        width = WRAP_MIN;
    for (char *para = copy, *next; copy && wide && out && para;
         para = next) {
        next = strchr(para, '\n');
        if (next)
            *next++ = '\0';
        size_t plen = strlen(para);
        if (plen && para[plen - 1] == '\r')
            para[plen - 1] = '\0';
        wrap_paragraph(v, role, &prefix, rest, para, width, wide, len + 1,
                       out, out_len);
    }
    free(copy);
    free(wide);
    free(out);
}

void drill_field_wrapped(struct view *v, enum theme_role role,
                         const char *label, const char *text)
{
    char first[32];
    snprintf(first, sizeof(first), "  %-14s", label);
    if (!text || !*text)
        view_add_line(v, THEME_DIM, "%s-", first);
    else
        drill_wrapped(v, role, first, "                ", text);
}

/* ---- colours -------------------------------------------------------- */

enum theme_role drill_alb_role(const char *state)
{
    if (!state)
        return THEME_DIM;
    if (strcmp(state, "active") == 0)
        return THEME_OK;
    if (strcmp(state, "provisioning") == 0 ||
        strcmp(state, "active_impaired") == 0)
        return THEME_WARNING;
    return THEME_ERROR;
}

enum theme_role drill_target_role(const char *state)
{
    if (!state)
        return THEME_DIM;
    if (strcmp(state, "healthy") == 0)
        return THEME_OK;
    if (strcmp(state, "initial") == 0 || strcmp(state, "draining") == 0)
        return THEME_WARNING;
    if (strcmp(state, "unused") == 0)
        return THEME_DIM;
    return THEME_ERROR;
}

void drill_expiry(time_t expires, char *buf, size_t len,
                  enum theme_role *role)
{
    char date[32], span[32];
    struct tm tm;
    long left = (long)difftime(expires, time(NULL));
    gmtime_r(&expires, &tm);
    strftime(date, sizeof(date), "%Y-%m-%d", &tm);
    pane_format_since(time(NULL) - (left < 0 ? -left : left), span,
                      sizeof(span));
    *role = left < 0 ? THEME_ERROR
                     : left < EXPIRY_WARNING ? THEME_WARNING : THEME_NORMAL;
    if (left < 0)
        snprintf(buf, len, "%s (expired %s ago)", date, span);
    else
        snprintf(buf, len, "%s (in %s)", date, span);
}

void drill_health_check(const struct chain_health_check *h, char *buf,
                        size_t len)
{
    if (!h->enabled) {
        snprintf(buf, len, "disabled");
        return;
    }
    snprintf(buf, len, "%s %s %s, codes %s, every %ds, timeout %ds, "
             "healthy after %d, unhealthy after %d",
             h->protocol ? h->protocol : "-", h->port ? h->port : "-",
             h->path ? h->path : "", h->matcher ? h->matcher : "-",
             h->interval_seconds, h->timeout_seconds, h->healthy_threshold,
             h->unhealthy_threshold);
}

/* ---- lookups -------------------------------------------------------- */

const struct chain *drill_chain(const struct ui *ui, const struct view *v)
{
    if (!v->namespace || !v->name)
        return NULL;
    return chains_find(ui->chains, v->cluster, v->namespace, v->name);
}

static int same(const char *a, const char *b)
{
    return a && b && strcmp(a, b) == 0;
}

const struct chain *drill_claimer(const struct ui *ui, size_t cluster,
                                  const char *arn)
{
    const struct chains *cs = ui->chains;
    for (size_t i = 0; i < cs->count; i++)
        if (cs->items[i].cluster == cluster && cs->items[i].alb &&
            same(cs->items[i].alb->arn, arn))
            return &cs->items[i];
    return NULL;
}

const struct chain_alb *drill_find_alb(const struct ui *ui, size_t cluster,
                                       const char *arn,
                                       const struct chain *prefer)
{
    if (prefer && prefer->alb && same(prefer->alb->arn, arn))
        return prefer->alb;
    const struct chain *c = drill_claimer(ui, cluster, arn);
    if (c)
        return c->alb;
    const struct chain_cluster *cc = chains_cluster(ui->chains, cluster);
    for (size_t i = 0; cc && i < cc->unclaimed_count; i++)
        if (same(cc->unclaimed[i].arn, arn))
            return &cc->unclaimed[i];
    return NULL;
}

const struct chain_listener *drill_find_listener(const struct chain *c,
                                                 const char *arn)
{
    for (size_t i = 0; c && i < c->listener_count; i++)
        if (same(c->listeners[i].arn, arn))
            return &c->listeners[i];
    return NULL;
}

const struct chain_rule *drill_find_rule(const struct chain *c,
                                         const char *arn,
                                         const struct chain_listener **in)
{
    for (size_t i = 0; c && i < c->listener_count; i++) {
        const struct chain_listener *l = &c->listeners[i];
        for (size_t k = 0; k < l->rule_count; k++) {
            if (!same(l->rules[k].arn, arn))
                continue;
            *in = l;
            return &l->rules[k];
        }
    }
    return NULL;
}

static const struct chain_target_group *
target_group_of(const struct chain *c, const char *arn)
{
    for (size_t i = 0; c && i < c->target_group_count; i++)
        if (same(c->target_groups[i].arn, arn))
            return &c->target_groups[i];
    return NULL;
}

const struct chain_target_group *
drill_find_target_group(const struct ui *ui, size_t cluster, const char *arn,
                        const struct chain *prefer)
{
    const struct chain_target_group *tg = target_group_of(prefer, arn);
    const struct chains *cs = ui->chains;
    for (size_t i = 0; !tg && i < cs->count; i++)
        if (cs->items[i].cluster == cluster)
            tg = target_group_of(&cs->items[i], arn);
    return tg;
}

int drill_loading(const struct ui *ui, const struct view *v)
{
    const struct chain_cluster *cc = chains_cluster(ui->chains, v->cluster);
    const struct chain *c = drill_chain(ui, v);
    if (!cc || cc->state == MODEL_IDLE || cc->state == MODEL_LOADING)
        return 1;
    return c && (c->state == MODEL_LOADING ||
                 c->detail_state == MODEL_LOADING);
}

/* ---- shared blocks -------------------------------------------------- */

void drill_add_target_group(struct view *v,
                            const struct chain_target_group *tg,
                            int detailed)
{
    char health[128];
    enum theme_role role = pane_targets_role(tg->healthy, tg->target_count);
    if (tg->health_state == MODEL_FAILED) {
        snprintf(health, sizeof(health), "health unknown: %s",
                 tg->health_error.code[0] ? tg->health_error.code
                                          : "DescribeTargetHealth failed");
        role = THEME_ERROR;
    } else if (tg->target_count == 0) {
        snprintf(health, sizeof(health), "no targets registered");
        role = THEME_ERROR;
    } else {
        snprintf(health, sizeof(health), "%zu/%zu healthy", tg->healthy,
                 tg->target_count);
    }
    view_add_line(v, role, "  %s  %s  %s:%d  %s", tg->name,
                  tg->target_type ? tg->target_type : "-",
                  tg->protocol ? tg->protocol : "-", tg->port, health);
    view_link_last(v, &drill_targets_pane, tg->arn, 0);
    if (!detailed)
        return;
    char check[512];
    drill_health_check(&tg->health_check, check, sizeof(check));
    view_add_line(v, THEME_NORMAL, "    Service       %s",
                  tg->service ? tg->service : "-");
    view_link_last(v, &drill_targets_pane, tg->arn, 0);
    drill_wrapped(v, THEME_NORMAL, "    Health check  ",
                  "                  ", check);
}

/* "2 rules, certificate shop.example.com (ISSUED, expires ...), policy
 * P" for a listener, and the role of its worst certificate. */
static void listener_summary(const struct chain_listener *l, char *buf,
                             size_t len, enum theme_role *role)
{
    size_t used = (size_t)snprintf(buf, len, "%zu rule%s", l->rule_count,
                                   l->rule_count == 1 ? "" : "s");
    *role = THEME_NORMAL;
    for (size_t i = 0; i < l->certificate_count && used < len; i++) {
        const struct chain_certificate *c = &l->certificates[i];
        char expiry[64] = "expiry unknown";
        enum theme_role r = THEME_NORMAL;
        if (c->expires)
            drill_expiry(c->expires, expiry, sizeof(expiry), &r);
        if (c->error.code[0] || (c->status && strcmp(c->status, "ISSUED")))
            r = THEME_ERROR;
        if (r == THEME_ERROR || (r == THEME_WARNING && *role != THEME_ERROR))
            *role = r;
        used += (size_t)snprintf(buf + used, len - used,
                                 ", certificate %s (%s, expires %s)",
                                 c->domain ? c->domain : c->arn,
                                 c->error.code[0] ? c->error.code
                                 : c->status ? c->status : "-", expiry);
    }
    if (l->ssl_policy && used < len)
        snprintf(buf + used, len - used, ", policy %s", l->ssl_policy);
}

void drill_add_listeners(struct view *v, const struct chain *c)
{
    if (c->listener_count == 0) {
        if (c->detail_state == MODEL_LOADING ||
            c->detail_state == MODEL_IDLE)
            view_add_line(v, THEME_DIM, "Listeners: loading\u2026");
        else
            view_add_line(v, THEME_WARNING, "Listeners: none");
        return;
    }
    drill_section(v, "Listeners (%zu)  Enter opens a listener",
                  c->listener_count);
    for (size_t i = 0; i < c->listener_count; i++) {
        const struct chain_listener *l = &c->listeners[i];
        char summary[1024];
        enum theme_role role;
        listener_summary(l, summary, sizeof(summary), &role);
        view_add_line(v, role, "  %s:%d  %s", l->protocol ? l->protocol
                      : "-", l->port, summary);
        view_link_last(v, &drill_listener_pane, l->arn, 0);
    }
}

/* ---- shared slots --------------------------------------------------- */

int drill_push(struct ui *ui, const struct view *from,
               const struct pane *pane, const char *arn,
               const char *target, int port)
{
    struct view next = {
        .pane = pane,
        .cluster = from->cluster,
        .role = MODEL_NONE,
        .namespace = xstrdup(from->namespace),
        .name = xstrdup(from->name),
        .arn = xstrdup(arn),
        .target = xstrdup(target),
        .port = port,
    };
    return ui_push(ui, &next);
}

int drill_enter_line(struct ui *ui, struct view *v, size_t item)
{
    const struct view_link *link = v->links && item < v->line_count
        ? &v->links[item] : NULL;
    if (!link || !link->pane)
        return ui_message(ui, 0, "this line opens nothing: the section "
                          "titles say which lines Enter opens");
    if (link->pane == &drill_ingress_pane) {
        char ref[512];
        snprintf(ref, sizeof(ref), "%s", link->key);
        char *slash = strchr(ref, '/');
        if (!slash)
            return REACT_NONE;
        *slash = '\0';
        return drill_open_ingress(ui, v->cluster, ref, slash + 1);
    }
    if (link->pane == &drill_target_pane)
        return drill_push(ui, v, link->pane, v->arn, link->key, link->port);
    return drill_push(ui, v, link->pane, link->key, NULL, 0);
}

int drill_line_identity(const struct ui *ui, const struct view *v,
                        size_t item, char *buf, size_t len)
{
    (void)ui;
    if (!v->links || item >= v->line_count || !v->links[item].pane)
        return 0;
    const struct view_link *link = &v->links[item];
    size_t n = 0;   /* the lines of a block share a link: number them */
    while (n < item && v->links[item - n - 1].pane == link->pane &&
           strcmp(v->links[item - n - 1].key, link->key) == 0)
        n++;
    snprintf(buf, len, "%s %s:%d#%zu", link->pane->name, link->key,
             link->port, n);
    return 1;
}

int drill_reload(struct ui *ui, struct view *v)
{
    const struct chain *c = drill_chain(ui, v);
    if (v->cluster >= ui->m->cluster_count)
        return REACT_NONE;
    chains_refresh(ui->chains, v->cluster);
    if (c && c->detail_state != MODEL_LOADING &&
        c->detail_state != MODEL_READY) {
        char *ns = xstrdup(v->namespace), *name = xstrdup(v->name);
        chains_load_ingress(ui->chains, v->cluster, ns, name);
        free(ns);
        free(name);
    }
    return ui_message(ui, 0, "reloading the load balancers of %s",
                      ui->m->clusters[v->cluster].name);
}
