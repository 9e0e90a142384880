#include "draw.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "keys.h"
#include "text.h"

int draw_wide(int y, int x, int width, const wchar_t *text, attr_t attr,
              int pad)
{
    wchar_t fit[TEXT_MAX];
    if (width <= 0)
        return 0;
    int used = text_fit(text, width, fit, TEXT_MAX);
    attrset(attr);
    mvaddnwstr(y, x, fit, -1);
    if (pad)
        for (int i = used; i < width; i++)
            mvaddch(y, x + i, ' ');
    return pad ? width : used;
}

int draw_text(int y, int x, int width, const char *text, attr_t attr,
              int pad)
{
    wchar_t wide[TEXT_MAX];
    text_decode(text, wide, TEXT_MAX);
    return draw_wide(y, x, width, wide, attr, pad);
}

int draw_text_tail(int y, int x, int width, const char *text, attr_t attr)
{
    wchar_t wide[TEXT_MAX], fit[TEXT_MAX];
    if (width <= 0)
        return 0;
    text_decode(text, wide, TEXT_MAX);
    int used = text_fit_tail(wide, width, fit, TEXT_MAX);
    attrset(attr);
    mvaddnwstr(y, x, fit, -1);
    return used;
}

int draw_wrapped(int y, int x, int width, int lines, const char *text,
                 attr_t attr)
{
    wchar_t wide[TEXT_MAX], line[TEXT_MAX];
    const wchar_t *s = wide;
    int drawn = 0;
    if (width <= 0)
        return 0;
    text_decode(text, wide, TEXT_MAX);
    while (*s && drawn < lines) {
        size_t n = drawn == lines - 1 ? wcslen(s) : text_line_break(s, width);
        wmemcpy(line, s, n);
        line[n] = L'\0';
        draw_wide(y + drawn++, x, width, line, attr, 0);
        s += n;
        while (*s == L' ')
            s++;
    }
    return drawn;
}

int draw_wrapped_count(int width, const char *text)
{
    wchar_t wide[TEXT_MAX];
    const wchar_t *s = wide;
    int lines = 0;
    if (width <= 0)
        return 0;
    text_decode(text, wide, TEXT_MAX);
    while (*s) {
        s += text_line_break(s, width);
        lines++;
        while (*s == L' ')
            s++;
    }
    return lines;
}

void draw_duration(long seconds, char *buf, size_t len)
{
    if (seconds < 60)
        snprintf(buf, len, "%lds", seconds);
    else if (seconds < 3600)
        snprintf(buf, len, "%ldm", seconds / 60);
    else if (seconds < 86400)
        snprintf(buf, len, "%ldh%02ldm", seconds / 3600, seconds % 3600 / 60);
    else
        snprintf(buf, len, "%ldd", seconds / 86400);
}

/* Draws "label value" pairs left to right on line y until the width runs
 * out. */
struct field {
    const char *label;
    const char *value;
    enum theme_role role;
};

static void draw_fields(struct ui *ui, int y, const struct field *f,
                        size_t count)
{
    int x = 0;
    move(y, 0);
    attrset(ui->attrs[THEME_HEADER]);
    hline(' ', COLS);
    for (size_t i = 0; i < count && x < COLS; i++) {
        x += draw_text(y, x, COLS - x, f[i].label,
                       ui->attrs[THEME_HEADER_LABEL], 0);
        x += draw_text(y, x, COLS - x, " ", ui->attrs[THEME_HEADER], 0);
        x += draw_text(y, x, COLS - x, f[i].value, ui->attrs[f[i].role], 0);
        x += draw_text(y, x, COLS - x, "   ", ui->attrs[THEME_HEADER], 0);
    }
}

static const char *identity_text(const struct model *m, char *buf,
                                 size_t len, int account)
{
    if (m->identity_state == MODEL_FAILED) {
        snprintf(buf, len, "unknown (%s)", m->identity_error.code[0]
                 ? m->identity_error.code : "failed");
        return buf;
    }
    const char *v = account ? m->account : m->caller_arn;
    if (v)
        return v;
    return m->identity_state == MODEL_LOADING ? "loading\u2026" : "-";
}

static const char *credentials_text(const struct model *m, time_t now,
                                    char *buf, size_t len,
                                    enum theme_role *role)
{
    if (!m->aws_ready)
        return "none";
    if (m->aws.creds_error[0]) {
        *role = THEME_ERROR;
        snprintf(buf, len, "expired, reload failed: %s", m->aws.creds_error);
        return buf;
    }
    long ttl = model_credentials_ttl(m, now);
    if (ttl == -1)
        return "no expiry";
    if (ttl == -2)
        return "not loaded yet";
    if (ttl <= 0) {
        *role = THEME_ERROR;
        return "expired";
    }
    if (ttl < 300)
        *role = THEME_WARNING;
    draw_duration(ttl, buf, len);
    return buf;
}

static const char *token_text(const struct model *m, time_t now, char *buf,
                              size_t len, enum theme_role *role)
{
    long ttl = model_token_ttl(m, now);
    if (ttl < 0)
        return "-";
    if (ttl == 0) {
        *role = THEME_WARNING;
        return "expired";
    }
    draw_duration(ttl, buf, len);
    return buf;
}

/* Whether context names the cluster already: the cluster's own name, or
 * the ARN ending in cluster/NAME that `aws eks update-kubeconfig` uses. */
static int context_is_name(const char *context, const char *name)
{
    size_t clen = strlen(context), nlen = strlen(name);
    if (strcmp(context, name) == 0)
        return 1;
    return clen > nlen + 8 && strncmp(context, "arn:", 4) == 0 &&
           strcmp(context + clen - nlen, name) == 0 &&
           strncmp(context + clen - nlen - 8, "cluster/", 8) == 0;
}

static const char *cluster_text(const struct model *m, char *buf, size_t len)
{
    if (m->current == MODEL_NONE || m->current >= m->cluster_count)
        return "none selected";
    const struct model_cluster *c = &m->clusters[m->current];
    if (c->context && !context_is_name(c->context, c->name))
        snprintf(buf, len, "%s (context %s)", c->name, c->context);
    else
        snprintf(buf, len, "%s", c->name);
    return buf;
}

void draw_header(struct ui *ui)
{
    const struct model *m = ui->m;
    char account[128], caller[256], cluster[256], creds[600], token[32];
    time_t now = time(NULL);
    struct field top[] = {
        { "account", identity_text(m, account, sizeof(account), 1),
          THEME_HEADER },
        { "caller", identity_text(m, caller, sizeof(caller), 0),
          THEME_HEADER },
        { "profile", m->aws_ready && m->aws.profile ? m->aws.profile : "-",
          THEME_HEADER },
        { "region", m->aws_ready && m->aws.region ? m->aws.region : "-",
          THEME_HEADER },
    };
    struct field second[] = {
        { "cluster", cluster_text(m, cluster, sizeof(cluster)),
          THEME_HEADER },
        { "credentials", NULL, THEME_HEADER },
        { "token", NULL, THEME_HEADER },
    };
    second[1].value = credentials_text(m, now, creds, sizeof(creds),
                                       &second[1].role);
    second[2].value = token_text(m, now, token, sizeof(token),
                                 &second[2].role);
    draw_fields(ui, 0, top, sizeof(top) / sizeof(top[0]));
    draw_fields(ui, 1, second, sizeof(second) / sizeof(second[0]));
}

void draw_title(struct ui *ui, int y)
{
    struct view *v = ui_top(ui);
    char title[512];
    v->pane->title(ui, v, title, sizeof(title));
    move(y, 0);
    attrset(ui->attrs[THEME_TITLE]);
    hline(' ', COLS);
    draw_text(y, 1, COLS - 1, title, ui->attrs[THEME_TITLE], 0);
}

static void add_item(char *buf, size_t len, const char *fmt, const char *arg)
{
    size_t used = strlen(buf);
    if (used + 4 >= len)
        return;
    if (used)
        snprintf(buf + used, len - used, ", ");
    used = strlen(buf);
    snprintf(buf + used, len - used, fmt, arg);
}

void draw_loading_summary(const struct ui *ui, char *buf, size_t len)
{
    const struct model *m = ui->m;
    buf[0] = '\0';
    if (m->identity_state == MODEL_LOADING)
        add_item(buf, len, "%s", "identity");
    if (m->clusters_state == MODEL_LOADING)
        add_item(buf, len, "%s", "clusters");
    if (m->roles_state == MODEL_LOADING)
        add_item(buf, len, "%s", "roles");
    for (size_t i = 0; i < m->cluster_count; i++)
        if (m->clusters[i].objects_state == MODEL_LOADING)
            add_item(buf, len, "objects of %s", m->clusters[i].name);
    for (size_t i = 0; i < m->role_count; i++)
        if (m->roles[i].details_state == MODEL_LOADING)
            add_item(buf, len, "role %s", m->roles[i].name);
    for (size_t i = 0; i < m->cluster_count; i++) {
        const struct chain_cluster *cc = chains_cluster(ui->chains, i);
        if (cc && cc->state == MODEL_LOADING)
            add_item(buf, len, "load balancers of %s", m->clusters[i].name);
    }
}

static int draw_input(struct ui *ui, int y)
{
    wchar_t line[UI_INPUT_MAX + 2];
    line[0] = ui->mode == UI_MODE_COMMAND ? L':' : L'/';
    wmemcpy(line + 1, ui->input, ui->input_len);
    line[ui->input_len + 1] = L'\0';
    int x = draw_wide(y, 0, COLS, line, ui->attrs[THEME_FILTER], 0);
    return x < COLS ? x : COLS - 1;
}

/* Draws the counts at the right end of line y; returns their width. */
static int draw_counts(struct ui *ui, int y)
{
    const struct view *v = ui_top(ui);
    const struct table *t = &v->table;
    char counts[256], filter[4 * 128];
    if (!v->pane->noun)
        return 0;
    wcstombs(filter, t->filter, sizeof(filter));
    filter[sizeof(filter) - 1] = '\0';
    if (t->filter[0])
        snprintf(counts, sizeof(counts), " %zu of %zu %s  filter \"%s\" ",
                 t->row_count, t->total, v->pane->noun, filter);
    else
        snprintf(counts, sizeof(counts), " %zu %s ", t->row_count,
                 v->pane->noun);
    wchar_t wide[TEXT_MAX];
    text_decode(counts, wide, TEXT_MAX);
    int w = text_width(wide);
    if (w >= COLS / 2)
        return 0;
    draw_wide(y, COLS - w, w, wide, ui->attrs[THEME_STATUS_INFO], 0);
    return w;
}

/* Draws the pane's own keys that have a hint ("A attach  D detach")
 * from x, in at most width columns; writes are dim when read-only. */
static void draw_hints(struct ui *ui, int y, int x, int width)
{
    const struct pane *p = ui_top(ui)->pane;
    int end = x + width;
    for (size_t i = 0; i < p->key_count && x < end; i++) {
        const struct binding *b = &p->keys[i];
        char key[16], text[64];
        if (!b->hint)
            continue;
        keys_name(b->keys[0], key, sizeof(key));
        snprintf(text, sizeof(text), "%s %s  ", key, b->hint);
        if (x + (int)strlen(text) > end)
            break;
        int off = b->mutates && ui->m->aws.readonly;
        x += draw_text(y, x, end - x, key,
                       ui->attrs[off ? THEME_DIM : THEME_KEY], 0);
        x += draw_text(y, x, end - x, text + strlen(key),
                       ui->attrs[off ? THEME_DIM : THEME_STATUS_INFO], 0);
    }
}

void draw_status(struct ui *ui, int y)
{
    static const char frames[] = "|/-\\";
    move(y, 0);
    attrset(ui->attrs[THEME_STATUS_INFO]);
    hline(' ', COLS);
    if (ui->mode != UI_MODE_NORMAL) {
        int x = draw_input(ui, y);
        move(y, x);
        return;
    }
    int right = draw_counts(ui, y);
    int x = 0;
    if (model_busy(ui->m) > 0) {
        char what[300], line[320];
        draw_loading_summary(ui, what, sizeof(what));
        snprintf(line, sizeof(line), "%c loading %s ",
                 frames[ui->spinner % 4], what[0] ? what : "\u2026");
        x += draw_text(y, x, COLS / 2, line, ui->attrs[THEME_SPINNER], 0);
    }
    const char *note = ui->message[0] ? ui->message : ui->m->status;
    int is_error = ui->message[0] ? ui->message_is_error : 1;
    if (note[0])
        draw_text(y, x, COLS - x - right, note,
                  ui->attrs[is_error ? THEME_STATUS_ERROR
                                     : THEME_STATUS_INFO], 0);
    else
        draw_hints(ui, y, x, COLS - x - right - 1);
}

void draw_too_small(struct ui *ui)
{
    char need[64];
    snprintf(need, sizeof(need), "%dx%d, need %dx%d", COLS, LINES,
             UI_MIN_COLS, UI_MIN_LINES);
    draw_text(0, 0, COLS, "terminal too small", ui->attrs[THEME_ERROR], 0);
    if (LINES > 1)
        draw_text(1, 0, COLS, need, ui->attrs[THEME_ERROR], 0);
}
