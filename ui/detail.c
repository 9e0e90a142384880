#include "detail.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../api/buf.h"
#include "pane.h"

#define UNUSED(x) (void)(x)
#define JSON_MAX_DEPTH 32  /* deeper levels are not indented further */
#define LINE_MAX_BYTES 4096

/* ---- JSON layout ---------------------------------------------------- */

struct json_out {
    struct view *v;
    const char *indent;
    struct buf line;
    int depth;
    int line_depth;     /* depth when the current line started */
};

static void flush(struct json_out *o)
{
    if (o->line.len == 0)
        return;
    int pad = 2 * (o->line_depth < JSON_MAX_DEPTH ? o->line_depth
                                                  : JSON_MAX_DEPTH);
    view_add_line(o->v, THEME_NORMAL, "%s%*s%s", o->indent, pad, "",
                  o->line.data);
    buf_reset(&o->line);
}

static void put(struct json_out *o, const char *s, size_t n)
{
    if (o->line.len == 0)
        o->line_depth = o->depth;
    /* An overlong line is cut, and the rest of it is dropped. */
    if (o->line.len + n < LINE_MAX_BYTES)
        buf_append(&o->line, s, n);
}

static size_t skip_space(const char *s, size_t i)
{
    while (s[i] && isspace((unsigned char)s[i]))
        i++;
    return i;
}

/* Lays out the bracket at s[i]. Returns the index of the last character
 * consumed, which is past i for an empty {} or []. */
static size_t open_bracket(struct json_out *o, const char *s, size_t i)
{
    char close = s[i] == '{' ? '}' : ']';
    put(o, s + i, 1);
    size_t j = skip_space(s, i + 1);
    if (s[j] == close) {
        put(o, &close, 1);
        return j;
    }
    flush(o);
    o->depth++;
    return i;
}

static void layout_json(struct json_out *o, const char *s)
{
    int in_string = 0, escaped = 0;
    for (size_t i = 0; s[i]; i++) {
        char c = s[i];
        if (in_string) {
            put(o, &c, 1);
            if (escaped)
                escaped = 0;
            else if (c == '\\')
                escaped = 1;
            else if (c == '"')
                in_string = 0;
            continue;
        }
        if (isspace((unsigned char)c))
            continue;
        if (c == '{' || c == '[') {
            i = open_bracket(o, s, i);
        } else if (c == '}' || c == ']') {
            flush(o);
            if (o->depth > 0)
                o->depth--;
            put(o, &c, 1);
        } else if (c == ',') {
            put(o, &c, 1);
            flush(o);
        } else if (c == ':') {
            put(o, ": ", 2);
        } else {
            in_string = c == '"';
            put(o, &c, 1);
        }
    }
    flush(o);
}

static int hex_value(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c = tolower(c);
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Decodes %XX escapes into a new string, or returns NULL when memory
 * runs out. */
static char *percent_decode(const char *s)
{
    char *out = malloc(strlen(s) + 1), *p = out;
    if (!out)
        return NULL;
    while (*s) {
        int hi, lo;
        if (s[0] == '%' && (hi = hex_value((unsigned char)s[1])) >= 0 &&
            (lo = hex_value((unsigned char)s[2])) >= 0) {
            *p++ = (char)(hi * 16 + lo);
            s += 3;
        } else {
            *p++ = *s++;
        }
    }
    *p = '\0';
    return out;
}

void detail_add_json(struct view *v, const char *json, const char *indent)
{
    struct json_out o = { .v = v, .indent = indent };
    char *decoded = NULL;
    buf_init(&o.line, LINE_MAX_BYTES);
    if (json[0] == '%')
        decoded = percent_decode(json);
    layout_json(&o, decoded ? decoded : json);
    free(decoded);
    buf_cleanup(&o.line);
}

/* ---- text panes ----------------------------------------------------- */

static const char *line_text(const struct ui *ui, const struct view *v,
                             size_t item, char *buf, size_t len,
                             enum theme_role *role)
{
    UNUSED(ui), UNUSED(buf), UNUSED(len), UNUSED(role);
    return item < v->line_count ? v->lines[item] : "";
}

const struct column detail_text_columns[1] = {
    { .header = "", .weight = 1, .cell = line_text },
};

size_t detail_line_count(const struct ui *ui, const struct view *v)
{
    UNUSED(ui);
    return v->line_count;
}

/* ---- IAM role ------------------------------------------------------- */

static void field(struct view *v, const char *label, const char *value)
{
    view_add_line(v, THEME_NORMAL, "%-13s%s", label,
                  value && *value ? value : "-");
}

static void add_policies(struct view *v, const struct model_role *r)
{
    if (r->details_state == MODEL_LOADING || r->details_state == MODEL_IDLE) {
        view_add_line(v, THEME_DIM, "Policies: loading\u2026");
        return;
    }
    if (r->details_state == MODEL_FAILED) {
        view_add_line(v, THEME_ERROR, "Policies: loading failed; the "
                      "status line has the error, r retries");
        return;
    }
    view_add_line(v, THEME_COLUMN, "Attached policies (%zu)",
                  r->attached_count);
    for (size_t i = 0; i < r->attached_count; i++)
        view_add_line(v, THEME_NORMAL, "  %s", r->attached_arns[i]);
    view_add_line(v, THEME_NORMAL, "%s", "");
    view_add_line(v, THEME_COLUMN, "Inline policies (%zu)", r->inline_count);
    for (size_t i = 0; i < r->inline_count; i++)
        view_add_line(v, THEME_NORMAL, "  %s", r->inline_names[i]);
}

static int can_assume(const struct model_service_account *sa)
{
    return sa->role_status == MODEL_ROLE_OK ||
           sa->role_status == MODEL_ROLE_TOO_BROAD;
}

/* Lists the service accounts annotated with role whose trust check gave
 * allowed (1) or not (0), with the reason of each. */
static void list_users(struct view *v, const struct model *m, size_t role,
                       int allowed)
{
    for (size_t i = 0; i < m->service_account_count; i++) {
        const struct model_service_account *sa = &m->service_accounts[i];
        if (sa->role != role || can_assume(sa) != allowed)
            continue;
        const char *cluster = sa->cluster < m->cluster_count
            ? m->clusters[sa->cluster].name : "-";
        view_add_line(v, THEME_NORMAL, "  %s  %s/%s  %s", cluster,
                      sa->namespace, sa->name,
                      model_role_status_name(sa->role_status));
        if (sa->role_reason[0])
            view_add_line(v, allowed ? THEME_WARNING : THEME_ERROR,
                          "    %s", sa->role_reason);
    }
}

static void add_users(struct view *v, const struct model *m, size_t role)
{
    size_t allowed = 0, annotated = 0;
    for (size_t i = 0; i < m->service_account_count; i++) {
        annotated += m->service_accounts[i].role == role;
        allowed += m->service_accounts[i].role == role &&
                   can_assume(&m->service_accounts[i]);
    }
    view_add_line(v, THEME_COLUMN, "Service accounts that can assume it "
                  "(%zu, of the clusters loaded)", allowed);
    list_users(v, m, role, 1);
    if (annotated == allowed)
        return;
    view_add_line(v, THEME_NORMAL, "%s", "");
    view_add_line(v, THEME_COLUMN, "Annotated with it but not allowed (%zu)",
                  annotated - allowed);
    list_users(v, m, role, 0);
}

static void role_prepare(struct ui *ui, struct view *v)
{
    const struct model *m = ui->m;
    view_clear_lines(v);
    if (v->role >= m->role_count)
        return;
    const struct model_role *r = &m->roles[v->role];
    field(v, "Name", r->name);
    field(v, "ARN", r->arn);
    field(v, "Path", r->path);
    field(v, "Created", r->created);
    field(v, "Description", r->description);
    view_add_line(v, THEME_NORMAL, "%s", "");
    view_add_line(v, THEME_COLUMN, "Trust policy");
    if (r->trust_policy)
        detail_add_json(v, r->trust_policy, "  ");
    else
        view_add_line(v, THEME_DIM, "  -");
    view_add_line(v, THEME_NORMAL, "%s", "");
    add_policies(v, r);
    view_add_line(v, THEME_NORMAL, "%s", "");
    add_users(v, m, v->role);
}

static void role_title(const struct ui *ui, const struct view *v, char *buf,
                       size_t len)
{
    const struct model *m = ui->m;
    snprintf(buf, len, "Role %s", v->role < m->role_count
             ? m->roles[v->role].name : "(gone after a reload)");
}

static enum model_state role_state(const struct ui *ui, const struct view *v,
                                   char *err, size_t len)
{
    if (v->role >= ui->m->role_count) {
        snprintf(err, len, "the role is no longer loaded; press Esc");
        return MODEL_FAILED;
    }
    return MODEL_READY;
}

static int role_reload(struct ui *ui, struct view *v)
{
    if (v->role >= ui->m->role_count)
        return REACT_NONE;
    model_load_role_details(ui->m, v->role);
    return ui_message(ui, 0, "reloading role %s", ui->m->roles[v->role].name);
}

const struct pane detail_role_pane = {
    .name = "role",
    .text = 1,
    .title = role_title,
    .columns = detail_text_columns,
    .column_count = 1,
    .item_count = detail_line_count,
    .state = role_state,
    .prepare = role_prepare,
    .reload = role_reload,
    .noun = "lines",
};

int detail_open_role(struct ui *ui, size_t role)
{
    if (role >= ui->m->role_count)
        return REACT_NONE;
    if (ui->m->roles[role].details_state != MODEL_READY &&
        ui->m->roles[role].details_state != MODEL_LOADING)
        model_load_role_details(ui->m, role);
    struct view v = {
        .pane = &detail_role_pane,
        .cluster = MODEL_NONE,
        .role = role,
    };
    return ui_push(ui, &v);
}
