/*
 * The wizard's screens as one pane: each screen's explanation, its fields
 * with their validation messages under them, and the keys that move
 * between fields and screens. Screens taller than the terminal scroll so
 * that the selected field and its messages stay in view.
 */
#include <stdio.h>
#include <string.h>

#include "apply_ui.h"
#include "draw.h"
#include "form.h"
#include "wizard.h"
#include "wizard_internal.h"

#define UNUSED(x) (void)(x)
#define MESSAGE_INDENT 4

const struct wizard_screen_def wizard_screens[WS_COUNT] = {
    [WS_ACCOUNT] = {
        "Account",
        "Choose where the cluster goes. The profile's credentials create "
        "everything, in the region chosen here; to use another profile, "
        "start albatross with --profile.",
        { WF_PROFILE, WF_REGION }, 2 },
    [WS_CLUSTER] = {
        "Cluster",
        "Describe the EKS cluster and its managed node group, as eksctl's "
        "ClusterConfig does. The OIDC provider lets Kubernetes service "
        "accounts assume IAM roles (IRSA).",
        { WF_NAME, WF_VERSION, WF_NODEGROUP, WF_INSTANCE, WF_DESIRED,
          WF_MIN, WF_MAX, WF_PRIVATE, WF_OIDC }, 9 },
    [WS_SERVICE_ACCOUNT] = {
        "Load balancer controller's service account",
        "The AWS Load Balancer Controller turns ingresses into load "
        "balancers. It needs an IAM role that trusts its service account; "
        "this creates both, with the controller's policy.",
        { WF_SA_ON, WF_SA_NAMESPACE, WF_SA_NAME }, 3 },
    [WS_REVIEW] = {
        "Review",
        "Check the ClusterConfig and the stacks it creates before anything "
        "is made. j/k and PgUp/PgDn scroll.",
        { 0 }, 0 },
    [WS_SAVE] = {
        "Save",
        "Save the ClusterConfig as a file that eksctl and albatross apply "
        "-f accept, so the setup can be repeated or deleted later. Tab "
        "goes on without saving.",
        { WF_PATH }, 1 },
    [WS_APPLY] = {
        "Apply",
        "Enter saves the file again and applies it: the CloudFormation "
        "stacks are created in order, as eksctl names them, and the "
        "progress view shows each step. Esc leaves that view while the work "
        "goes on, and p returns to it. D deletes what the file created.",
        { 0 }, 0 },
};

static struct wizard *state(const struct ui *ui)
{
    return ui->wizard;
}

static struct form_field *focused(struct wizard *w)
{
    const struct wizard_screen_def *def = &wizard_screens[w->screen];
    if (def->field_count == 0)
        return NULL;
    return &w->fields[def->fields[w->focus]];
}

/* ---- drawing -------------------------------------------------------- */

/* Rows of the screen in a virtual column, drawn from row top on. A block
 * of rows is drawn only when all of it is in view. */
struct layout {
    struct ui *ui;
    int y, height, top, row, width;
    int drawing;
    int focus_end;          /* the row after the focused field's messages */
};

static int in_view(const struct layout *l, int rows)
{
    return l->drawing && l->row >= l->top &&
           l->row + rows <= l->top + l->height;
}

static void put_wrapped(struct layout *l, int x, const char *text,
                        enum theme_role role)
{
    int rows = draw_wrapped_count(l->width - x, text);
    if (rows == 0)
        rows = 1;
    if (in_view(l, rows))
        draw_wrapped(l->y + l->row - l->top, x, l->width - x, rows, text,
                     l->ui->attrs[role]);
    l->row += rows;
}

/* Each line of messages, wrapped under the field. */
static void put_messages(struct layout *l, const char *messages)
{
    char line[1024];
    while (messages && *messages) {
        size_t len = strcspn(messages, "\n");
        snprintf(line, sizeof(line), "%.*s", (int)len, messages);
        put_wrapped(l, MESSAGE_INDENT, line, THEME_ERROR);
        messages += len + (messages[len] == '\n');
    }
}

static void put_field(struct layout *l, struct wizard *w, size_t i)
{
    int f = wizard_screens[w->screen].fields[i];
    struct form_field *field = &w->fields[f];
    int is_focus = i == w->focus;
    if (in_view(l, 1)) {
        int y = l->y + l->row - l->top;
        draw_text(y, 0, 2, is_focus ? ">" : "", l->ui->attrs[THEME_KEY], 0);
        int x = form_draw(field, y, 2, l->width - 2,
                          l->ui->attrs[is_focus ? THEME_SELECTED
                                                : THEME_NORMAL],
                          l->ui->attrs[THEME_NORMAL]);
        if (is_focus && (field->kind == FORM_TEXT ||
                         field->kind == FORM_NUMBER)) {
            l->ui->cursor_y = y;
            l->ui->cursor_x = x;
        }
    }
    l->row++;
    int hidden = f != WF_SA_ON && wizard_screens[w->screen].fields[0] ==
                 WF_SA_ON && !w->fields[WF_SA_ON].on;
    if (!hidden)
        put_messages(l, w->messages[f]);
    if (is_focus)
        l->focus_end = l->row;
}

static void put_screen(struct layout *l, struct wizard *w)
{
    const struct wizard_screen_def *def = &wizard_screens[w->screen];
    put_wrapped(l, 1, def->explain, THEME_NORMAL);
    l->row++;
    for (size_t i = 0; i < def->field_count; i++)
        put_field(l, w, i);
    put_messages(l, w->screen_messages[w->screen]);
    if ((w->screen == WS_SAVE || w->screen == WS_APPLY) && w->note[0])
        put_wrapped(l, 2, w->note, w->note_is_error ? THEME_ERROR
                                                    : THEME_OK);
    l->row++;
    put_wrapped(l, 1, w->screen == WS_APPLY
                ? "Enter: apply   D: delete   Esc: back"
                : "Enter: next   Esc: back   Up/Down: field   "
                  "Space, Left/Right: change", THEME_DIM);
}

static void draw_review(struct ui *ui, struct wizard *w, int y, int height)
{
    const struct wizard_screen_def *def = &wizard_screens[WS_REVIEW];
    int used = draw_wrapped(y, 1, COLS - 1, 2, def->explain,
                            ui->attrs[THEME_NORMAL]);
    w->review_rows = height - used - 1 > 1 ? height - used - 1 : 1;
    for (int row = used + 1; row < height; row++) {
        size_t i = w->review_top + (size_t)(row - used - 1);
        if (i >= w->review_count)
            break;
        draw_text(y + row, 1, COLS - 1, w->review[i],
                  ui->attrs[THEME_NORMAL], 0);
    }
}

static void wizard_draw(struct ui *ui, struct view *v, int y, int height)
{
    UNUSED(v);
    struct wizard *w = state(ui);
    if (w->screen == WS_REVIEW) {
        draw_review(ui, w, y, height);
        return;
    }
    struct layout l = { .ui = ui, .y = y, .height = height, .width = COLS };
    put_screen(&l, w);
    l.top = l.focus_end > height ? l.focus_end - height : 0;
    l.row = 0;
    l.drawing = 1;
    put_screen(&l, w);
}

static void wizard_title(const struct ui *ui, const struct view *v,
                         char *buf, size_t len)
{
    UNUSED(v);
    const struct wizard *w = state(ui);
    snprintf(buf, len, "Setup wizard, step %d of %d: %s", (int)w->screen + 1,
             WS_COUNT, wizard_screens[w->screen].title);
}

static size_t wizard_item_count(const struct ui *ui, const struct view *v)
{
    UNUSED(ui), UNUSED(v);
    return 0;
}

/* ---- keys ----------------------------------------------------------- */

static int scroll_review(struct wizard *w, long delta)
{
    long top = (long)w->review_top + delta;
    long last = (long)w->review_count - w->review_rows;
    if (top > last)
        top = last;
    if (top < 0)
        top = 0;
    w->review_top = (size_t)top;
    return REACT_DRAW;
}

static void enter_screen(struct wizard *w, enum wizard_screen s)
{
    /* The save screen's note stays on the apply screen: it names the
     * file that was written. */
    if (!(w->screen == WS_SAVE && s == WS_APPLY))
        w->note[0] = '\0';
    w->screen = s;
    w->focus = 0;
    w->overwrite[0] = '\0';
    if (s == WS_REVIEW)
        wizard_make_review(w);
    if (s == WS_SAVE && !w->path_edited)
        snprintf(w->fields[WF_PATH].value, sizeof(w->fields[WF_PATH].value),
                 "%.200s.yaml", w->fields[WF_NAME].value);
}

/* Moves on unless the screen has problems; with act set, Enter's action
 * on the save and apply screens runs first. */
static int go_next(struct ui *ui, int act)
{
    struct wizard *w = state(ui);
    if (!wizard_screen_valid(w, w->screen))
        return ui_message(ui, 1, "fix the fields marked in red first");
    if (w->screen == WS_APPLY)
        return act ? wizard_apply(ui, w) : REACT_NONE;
    if (w->screen == WS_SAVE && act && wizard_save(w) < 0)
        return REACT_DRAW;
    enter_screen(w, w->screen + 1);
    return REACT_DRAW;
}

static int act_enter(struct ui *ui, struct view *v, const char *arg)
{
    UNUSED(v), UNUSED(arg);
    return go_next(ui, 1);
}

static int act_tab(struct ui *ui, struct view *v, const char *arg)
{
    UNUSED(v), UNUSED(arg);
    return go_next(ui, 0);
}

static int act_back(struct ui *ui, struct view *v, const char *arg)
{
    UNUSED(v), UNUSED(arg);
    struct wizard *w = state(ui);
    if (w->screen == WS_ACCOUNT)
        return ui_pop(ui);
    enter_screen(w, w->screen - 1);
    return REACT_DRAW;
}

static int move_focus(struct ui *ui, int delta)
{
    struct wizard *w = state(ui);
    if (w->screen == WS_REVIEW)
        return scroll_review(w, delta);
    size_t count = wizard_screens[w->screen].field_count;
    if (count == 0)
        return REACT_NONE;
    w->focus = (w->focus + count + (size_t)(delta > 0 ? 1 : count - 1)) %
               count;
    return REACT_DRAW;
}

static int act_down(struct ui *ui, struct view *v, const char *arg)
{
    UNUSED(v), UNUSED(arg);
    return move_focus(ui, 1);
}

static int act_up(struct ui *ui, struct view *v, const char *arg)
{
    UNUSED(v), UNUSED(arg);
    return move_focus(ui, -1);
}

static int change(struct ui *ui, int direction)
{
    struct wizard *w = state(ui);
    struct form_field *f = focused(w);
    if (!f)
        return REACT_NONE;
    if (f->kind == FORM_TOGGLE) {
        f->on = !f->on;
    } else if (f == &w->fields[WF_REGION]) {
        const char *buf[64];
        size_t count;
        const char *const *regions = wizard_regions(ui, buf, 64, &count);
        form_cycle(f, regions, count, direction);
    } else if (f == &w->fields[WF_PROFILE]) {
        /* TODO: list the profiles of the AWS config files and switch the
         * session; only the session's profile is offered now. */
        return ui_message(ui, 0, "start albatross with --profile NAME to "
                          "use another profile");
    } else {
        return REACT_NONE;
    }
    wizard_check(w);
    return REACT_DRAW;
}

static int act_right(struct ui *ui, struct view *v, const char *arg)
{
    UNUSED(v), UNUSED(arg);
    return change(ui, 1);
}

static int act_left(struct ui *ui, struct view *v, const char *arg)
{
    UNUSED(v), UNUSED(arg);
    return change(ui, -1);
}

static int act_page_down(struct ui *ui, struct view *v, const char *arg)
{
    UNUSED(v), UNUSED(arg);
    return scroll_review(state(ui), state(ui)->review_rows);
}

static int act_page_up(struct ui *ui, struct view *v, const char *arg)
{
    UNUSED(v), UNUSED(arg);
    return scroll_review(state(ui), -state(ui)->review_rows);
}

static int act_delete(struct ui *ui, struct view *v, const char *arg)
{
    UNUSED(v), UNUSED(arg);
    struct wizard *w = state(ui);
    if (w->screen != WS_APPLY)
        return REACT_NONE;
    return apply_ui_ask_delete(ui, w->saved);
}

/* Typing into the focused text field comes before the bindings, so that
 * j, q or 1 become part of a name there. */
static int wizard_input(struct ui *ui, struct view *v, int key)
{
    UNUSED(v);
    struct wizard *w = state(ui);
    struct form_field *f = focused(w);
    if (!f || (f->kind == FORM_TOGGLE && key != ' '))
        return -1;
    if (!form_edit(f, key))
        return -1;
    if (f == &w->fields[WF_PATH]) {
        w->path_edited = 1;
        w->overwrite[0] = '\0';
    }
    wizard_check(w);
    return REACT_DRAW;
}

static const struct binding wizard_keys[] = {
    { .keys = { '\n', '\r', UI_FKEY(KEY_ENTER) }, .help = "Next screen; "
      "saves the file on the save screen, applies it on the last",
      .run = act_enter },
    { .keys = { '\t' }, .help = "Next screen, without saving",
      .run = act_tab },
    { .keys = { UI_ESC, UI_FKEY(KEY_BTAB) }, .help = "Previous screen; "
      "the first leaves the wizard, and :wizard returns to it",
      .run = act_back },
    { .keys = { UI_FKEY(KEY_DOWN), 'j' }, .help = "Next field, or scroll "
      "the review", .run = act_down },
    { .keys = { UI_FKEY(KEY_UP), 'k' }, .help = "Previous field, or "
      "scroll the review", .run = act_up },
    { .keys = { UI_FKEY(KEY_RIGHT), ' ' }, .help = "Next choice, or switch "
      "a toggle", .run = act_right },
    { .keys = { UI_FKEY(KEY_LEFT) }, .help = "Previous choice, or switch "
      "a toggle", .run = act_left },
    { .keys = { UI_FKEY(KEY_NPAGE) }, .help = "Scroll the review a page "
      "down", .run = act_page_down },
    { .keys = { UI_FKEY(KEY_PPAGE) }, .help = "Scroll the review a page "
      "up", .run = act_page_up },
    { .keys = { 'D' }, .help = "On the apply screen: delete the cluster "
      "and the stacks of the saved file (asks first)", .run = act_delete },
    { .keys = { 0 }, .help = "In a text field, other keys type; Backspace "
      "deletes, ^U clears" },
};

const struct pane wizard_pane = {
    .name = "wizard",
    .title = wizard_title,
    .columns = NULL,
    .column_count = 0,
    .item_count = wizard_item_count,
    .keys = wizard_keys,
    .key_count = sizeof(wizard_keys) / sizeof(wizard_keys[0]),
    .input = wizard_input,
    .draw = wizard_draw,
};
