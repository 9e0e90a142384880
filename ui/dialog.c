#include "dialog.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../src/diff.h"
#include "../src/util.h"
#include "detail.h"
#include "draw.h"
#include "form.h"

#define UNUSED(x) (void)(x)
#define DIFF_CONTEXT 3      /* unchanged lines around each change */
#define BODY_SHOWN 300      /* bytes of a call's body in the call list */
#define PROMPT_LINES 2      /* the confirmation's prompt under the text */

/* The open dialog. Its view on the stack carries the lines; the rest is
 * here, because a view has no member for callbacks. */
struct dialog {
    char *title;
    char *help;
    char *confirm_text;     /* what a confirmation needs typed, or NULL */
    char *note;
    int accept_typed;
    struct form_field field;
    dialog_done_fn done;
    void *ctx;
};

static void destroy(struct dialog *d)
{
    if (!d)
        return;
    free(d->title);
    free(d->help);
    free(d->confirm_text);
    free(d->note);
    free(d);
}

void dialog_free(struct ui *ui)
{
    destroy(ui->dialog);
    ui->dialog = NULL;
}

static struct dialog *dialog_new(struct ui *ui, const char *title,
                                 dialog_done_fn done, void *ctx)
{
    dialog_free(ui);
    struct dialog *d = xrealloc(NULL, sizeof(*d));
    memset(d, 0, sizeof(*d));
    d->title = xstrdup(title);
    d->done = done;
    d->ctx = ctx;
    ui->dialog = d;
    return d;
}

/* Closes the dialog on top and calls its callback with value. */
static int finish(struct ui *ui, const char *value)
{
    struct dialog *d = ui->dialog;
    if (!d)
        return ui_pop(ui);
    dialog_done_fn done = d->done;
    void *ctx = d->ctx;
    char *copy = xstrdup(value);
    ui->dialog = NULL;
    ui_pop(ui);
    destroy(d);
    int react = REACT_ROWS | done(ui, copy, ctx);
    free(copy);
    return react;
}

static void dialog_title(const struct ui *ui, const struct view *v,
                         char *buf, size_t len)
{
    UNUSED(v);
    snprintf(buf, len, "%s", ui->dialog ? ui->dialog->title : "");
}

static int push_dialog(struct ui *ui, const struct pane *pane,
                       struct view *v)
{
    v->pane = pane;
    v->cluster = MODEL_NONE;
    v->role = MODEL_NONE;
    return ui_push(ui, v);
}

/* Esc clears the filter first, as in every list, then cancels. */
static int cancel(struct ui *ui, struct view *v, const char *arg)
{
    UNUSED(arg);
    if (v->table.filter[0]) {
        v->table.filter[0] = L'\0';
        return REACT_ROWS;
    }
    return finish(ui, NULL);
}

/* ---- picker --------------------------------------------------------- */

static int pick_choose(struct ui *ui, struct view *v, const char *arg)
{
    UNUSED(arg);
    size_t item = table_selected_item(&v->table);
    if (item != (size_t)-1 && item < v->line_count)
        return finish(ui, v->lines[item]);
    if (!ui->dialog || !ui->dialog->accept_typed || !v->table.filter[0])
        return ui_message(ui, 1, "nothing to pick: change the filter "
                          "(/) or press Esc");
    char typed[4 * 128];
    size_t n = wcstombs(typed, v->table.filter, sizeof(typed) - 1);
    typed[n == (size_t)-1 ? 0 : n] = '\0';
    return finish(ui, typed);
}

static const struct binding pick_keys[] = {
    { .keys = { '\n', '\r', UI_FKEY(KEY_ENTER) }, .help = "Pick the "
      "selected row (or, where the title says so, the filter text as "
      "typed)", .run = pick_choose },
    { .keys = { UI_ESC }, .help = "Clear the filter, or cancel",
      .run = cancel },
};

const struct pane dialog_pick_pane = {
    .name = "picker",
    .text = 1,
    .title = dialog_title,
    .columns = detail_text_columns,
    .column_count = 1,
    .item_count = detail_line_count,
    .keys = pick_keys,
    .key_count = sizeof(pick_keys) / sizeof(pick_keys[0]),
    .noun = "choices",
};

int dialog_pick(struct ui *ui, const char *title, const char *const *choices,
                size_t count, int accept_typed, dialog_done_fn done,
                void *ctx)
{
    struct dialog *d = dialog_new(ui, title, done, ctx);
    d->accept_typed = accept_typed;
    struct view v = { 0 };
    for (size_t i = 0; i < count; i++)
        view_add_line(&v, THEME_NORMAL, "%s", choices[i]);
    return push_dialog(ui, &dialog_pick_pane, &v);
}

/* ---- one-line input ------------------------------------------------- */

static int input_accept(struct ui *ui, struct view *v, const char *arg)
{
    UNUSED(v), UNUSED(arg);
    char value[FORM_VALUE_MAX] = "";
    if (ui->dialog)
        snprintf(value, sizeof(value), "%s", ui->dialog->field.value);
    return finish(ui, value);
}

static int input_cancel(struct ui *ui, struct view *v, const char *arg)
{
    UNUSED(v), UNUSED(arg);
    return finish(ui, NULL);
}

/* Printable keys type into the field rather than run bindings. */
static int input_key(struct ui *ui, struct view *v, int key)
{
    UNUSED(v);
    if (!ui->dialog)
        return -1;
    return form_edit(&ui->dialog->field, key) ? REACT_DRAW : -1;
}

static void input_draw(struct ui *ui, struct view *v, int y, int height)
{
    UNUSED(v);
    struct dialog *d = ui->dialog;
    if (!d || height < 1)
        return;
    int used = 0;
    if (d->help && height > 2)
        used = draw_wrapped(y + 1, 1, COLS - 2, height - 2, d->help,
                            ui->attrs[THEME_NORMAL]) + 1;
    int line = y + 1 + used;
    if (line >= y + height)
        line = y + height - 1;
    ui->cursor_x = form_draw(&d->field, line, 1, COLS - 2,
                             ui->attrs[THEME_KEY], ui->attrs[THEME_FILTER]);
    ui->cursor_y = line;
}

static const struct binding input_keys[] = {
    { .keys = { '\n', '\r', UI_FKEY(KEY_ENTER) }, .help = "Accept the "
      "text typed", .run = input_accept },
    { .keys = { UI_ESC }, .help = "Cancel", .run = input_cancel },
};

const struct pane dialog_input_pane = {
    .name = "input",
    .text = 1,
    .title = dialog_title,
    .columns = detail_text_columns,
    .column_count = 1,
    .item_count = detail_line_count,
    .input = input_key,
    .draw = input_draw,
    .keys = input_keys,
    .key_count = sizeof(input_keys) / sizeof(input_keys[0]),
};

int dialog_input(struct ui *ui, const char *title, const char *help,
                 const char *label, const char *value, dialog_done_fn done,
                 void *ctx)
{
    struct dialog *d = dialog_new(ui, title, done, ctx);
    d->help = xstrdup(help);
    d->field.kind = FORM_TEXT;
    d->field.label = label;
    snprintf(d->field.value, sizeof(d->field.value), "%s",
             value ? value : "");
    struct view v = { 0 };
    return push_dialog(ui, &dialog_input_pane, &v);
}

/* ---- unified diff --------------------------------------------------- */

/* Marks the lines a unified diff shows: each change and up to
 * DIFF_CONTEXT unchanged lines on either side of it. */
static char *shown_lines(const struct diff *d)
{
    char *shown = calloc(d->count ? d->count : 1, 1);
    if (!shown)
        return NULL;
    for (size_t i = 0; i < d->count; i++) {
        if (d->lines[i].op == DIFF_SAME)
            continue;
        size_t from = i > DIFF_CONTEXT ? i - DIFF_CONTEXT : 0;
        size_t to = i + DIFF_CONTEXT < d->count ? i + DIFF_CONTEXT
                                                : d->count - 1;
        memset(shown + from, 1, to - from + 1);
    }
    return shown;
}

/* Adds the hunk of lines from .. to - 1, whose first line is line
 * old_at of before and new_at of after (counting from 1). */
static void add_hunk(struct view *v, const struct diff *d, size_t from,
                     size_t to, size_t old_at, size_t new_at)
{
    size_t old_count = 0, new_count = 0;
    for (size_t i = from; i < to; i++) {
        old_count += d->lines[i].op != DIFF_ADDED;
        new_count += d->lines[i].op != DIFF_REMOVED;
    }
    /* As diff -u, an empty side starts at the line before it. */
    view_add_line(v, THEME_DIFF_HUNK, "  @@ -%zu,%zu +%zu,%zu @@",
                  old_count ? old_at : old_at - 1, old_count,
                  new_count ? new_at : new_at - 1, new_count);
    for (size_t i = from; i < to; i++) {
        const struct diff_line *l = &d->lines[i];
        static const char mark[] = { ' ', '-', '+' };
        enum theme_role role = l->op == DIFF_ADDED ? THEME_DIFF_ADD
            : l->op == DIFF_REMOVED ? THEME_DIFF_REMOVE : THEME_NORMAL;
        view_add_line(v, role, "  %c%.*s", mark[l->op], (int)l->len,
                      l->text);
    }
}

void dialog_add_diff(struct view *v, const char *before, const char *after)
{
    struct diff d;
    if (diff_lines(before, after, &d) < 0) {
        view_add_line(v, THEME_ERROR, "  (out of memory for the diff)");
        return;
    }
    char *shown = shown_lines(&d);
    size_t old_at = 1, new_at = 1;
    for (size_t i = 0; shown && i < d.count;) {
        if (!shown[i]) {
            old_at += d.lines[i].op != DIFF_ADDED;
            new_at += d.lines[i].op != DIFF_REMOVED;
            i++;
            continue;
        }
        size_t end = i;
        while (end < d.count && shown[end])
            end++;
        add_hunk(v, &d, i, end, old_at, new_at);
        for (; i < end; i++) {
            old_at += d.lines[i].op != DIFF_ADDED;
            new_at += d.lines[i].op != DIFF_REMOVED;
        }
    }
    if (d.changed == 0)
        view_add_line(v, THEME_DIM, "  (no change)");
    free(shown);
    diff_cleanup(&d);
}

/* ---- confirmation --------------------------------------------------- */

/* Adds text as lines in role, each prefixed by indent. */
static void add_text(struct view *v, enum theme_role role, const char *indent,
                     const char *text)
{
    while (text && *text) {
        size_t len = strcspn(text, "\n");
        view_add_line(v, role, "%s%.*s", indent, (int)len, text);
        text += len + (text[len] == '\n');
    }
}

/* A call's body on one line: its blanks collapsed, cut at BODY_SHOWN. */
static void flatten(const char *body, char *out, size_t len)
{
    size_t n = 0;
    int blank = 0;
    for (const char *p = body; *p && n + 4 < len && n < BODY_SHOWN; p++) {
        int is_blank = *p == ' ' || *p == '\n' || *p == '\t' || *p == '\r';
        if (is_blank && blank)
            continue;
        blank = is_blank;
        out[n++] = is_blank ? ' ' : *p;
    }
    out[n] = '\0';
    if (body[0] && strlen(body) > n)
        snprintf(out + n, len - n, "...");
}

static void add_preview(struct view *v, const struct action_preview *p)
{
    char body[BODY_SHOWN + 8];
    view_add_line(v, THEME_COLUMN, "%s", p->summary ? p->summary : "");
    add_text(v, THEME_WARNING, "", p->note);
    view_add_line(v, THEME_NORMAL, "%s", "");
    view_add_line(v, THEME_COLUMN, "Calls (%zu)", p->call_count);
    for (size_t i = 0; i < p->call_count; i++) {
        const struct action_call *c = &p->calls[i];
        view_add_line(v, THEME_NORMAL, "  %zu. %s %s %s", i + 1, c->service,
                      c->operation, c->target ? c->target : "");
        if (!c->body)
            continue;
        flatten(c->body, body, sizeof(body));
        view_add_line(v, THEME_DIM, "     %s", body);
    }
    for (size_t i = 0; i < p->change_count; i++) {
        const struct action_change *c = &p->changes[i];
        view_add_line(v, THEME_NORMAL, "%s", "");
        view_add_line(v, THEME_DIFF_REMOVE, "  --- %s (now)", c->what);
        view_add_line(v, THEME_DIFF_ADD, "  +++ %s (after)", c->what);
        dialog_add_diff(v, c->before, c->after);
    }
}

static int confirm_yes(struct ui *ui, struct view *v, const char *arg)
{
    UNUSED(v), UNUSED(arg);
    struct dialog *d = ui->dialog;
    if (d && d->confirm_text && strcmp(d->field.value, d->confirm_text) != 0)
        return ui_message(ui, 1, "type \"%s\" exactly to confirm, or press "
                          "Esc", d->confirm_text);
    return finish(ui, "yes");
}

static int confirm_no(struct ui *ui, struct view *v, const char *arg)
{
    UNUSED(v), UNUSED(arg);
    return finish(ui, NULL);
}

/* With a name to type, printable keys go to the field; otherwise y and
 * n answer and the other keys scroll. */
static int confirm_key(struct ui *ui, struct view *v, int key)
{
    struct dialog *d = ui->dialog;
    if (!d || !d->confirm_text)
        return -1;
    UNUSED(v);
    return form_edit(&d->field, key) ? REACT_DRAW : -1;
}

static void confirm_draw(struct ui *ui, struct view *v, int y, int height)
{
    struct dialog *d = ui->dialog;
    int text = height > PROMPT_LINES + 1 ? height - PROMPT_LINES : height;
    table_draw(ui, v, y, text);
    if (!d || text == height)
        return;
    int line = y + text;
    if (d->note)
        draw_text(line, 1, COLS - 2, d->note, ui->attrs[THEME_WARNING], 0);
    line++;
    if (!d->confirm_text) {
        draw_text(line, 1, COLS - 2, "y or Enter: go ahead    n or Esc: "
                  "cancel    j/k PgUp/PgDn: scroll", ui->attrs[THEME_KEY], 0);
        return;
    }
    ui->cursor_x = form_draw(&d->field, line, 1, COLS - 2,
                             ui->attrs[THEME_KEY], ui->attrs[THEME_FILTER]);
    ui->cursor_y = line;
}

static const struct binding confirm_keys[] = {
    { .keys = { 'y', '\n', '\r', UI_FKEY(KEY_ENTER) }, .help = "Go ahead "
      "(where a name is asked for, type it, then Enter)",
      .run = confirm_yes },
    { .keys = { 'n', UI_ESC }, .help = "Cancel: nothing is sent",
      .run = confirm_no },
};

const struct pane dialog_confirm_pane = {
    .name = "confirmation",
    .text = 1,
    .title = dialog_title,
    .columns = detail_text_columns,
    .column_count = 1,
    .item_count = detail_line_count,
    .input = confirm_key,
    .draw = confirm_draw,
    .keys = confirm_keys,
    .key_count = sizeof(confirm_keys) / sizeof(confirm_keys[0]),
    .noun = "lines",
};

int dialog_confirm(struct ui *ui, const char *title,
                   const struct action_preview *preview,
                   const char *confirm_text, const char *readonly_note,
                   dialog_done_fn done, void *ctx)
{
    struct dialog *d = dialog_new(ui, title, done, ctx);
    d->note = xstrdup(readonly_note);
    d->confirm_text = xstrdup(confirm_text);
    d->field.kind = FORM_TEXT;
    d->field.label = "Type the name to confirm";
    struct view v = { 0 };
    add_preview(&v, preview);
    return push_dialog(ui, &dialog_confirm_pane, &v);
}
