#include "table.h"

#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "draw.h"
#include "text.h"
#include "view.h"

#define CELL_MAX 512  /* bytes of one cell's UTF-8 text */
#define TABLE_KEY_MAX 1024 /* bytes of an identity() key */

static void free_keys(struct table *t)
{
    for (size_t i = 0; t->keys && i < t->row_count; i++)
        free(t->keys[i]);
}

void table_cleanup(struct table *t)
{
    free_keys(t);
    free(t->rows);
    free(t->keys);
    t->rows = NULL;
    t->keys = NULL;
    t->row_count = t->row_cap = 0;
}

static int column_shown(const struct view *v, const struct column *c)
{
    return !c->spans_clusters || v->all_clusters;
}

static const char *cell_text(const struct ui *ui, const struct view *v,
                             const struct column *c, size_t item, char *buf,
                             enum theme_role *role)
{
    *role = THEME_NORMAL;
    buf[0] = '\0';
    const char *s = c->cell(ui, v, item, buf, CELL_MAX, role);
    return s ? s : "";
}

/* Whether any shown cell of item contains the filter. Widens the natural
 * column widths either way, so columns keep their place while a filter is
 * typed. */
static int match_row(const struct ui *ui, struct view *v, size_t item)
{
    const struct pane *p = v->pane;
    struct table *t = &v->table;
    int match = !t->filter[0];
    for (size_t i = 0; i < p->column_count && i < TABLE_MAX_COLUMNS; i++) {
        const struct column *c = &p->columns[i];
        if (!column_shown(v, c))
            continue;
        char buf[CELL_MAX];
        wchar_t wide[TEXT_MAX];
        enum theme_role role;
        text_decode(cell_text(ui, v, c, item, buf, &role), wide, TEXT_MAX);
        int width = text_width(wide);
        if (width > t->natural[i])
            t->natural[i] = width;
        if (!match && text_contains(wide, t->filter))
            match = 1;
    }
    return match;
}

/* Appends item and its identity() key, or NULL when it has none. */
static int push_row(const struct ui *ui, const struct view *v,
                    struct table *t, size_t item)
{
    if (t->row_count == t->row_cap) {
        size_t cap = t->row_cap ? t->row_cap * 2 : 64;
        size_t *rows = realloc(t->rows, cap * sizeof(*rows));
        if (rows)
            t->rows = rows;
        char **keys = realloc(t->keys, cap * sizeof(*keys));
        if (keys)
            t->keys = keys;
        if (!rows || !keys)
            return -1;
        t->row_cap = cap;
    }
    char key[TABLE_KEY_MAX];
    t->keys[t->row_count] = NULL;
    if (v->pane->identity && v->pane->identity(ui, v, item, key,
                                               sizeof(key)))
        t->keys[t->row_count] = strdup(key);
    t->rows[t->row_count++] = item;
    return 0;
}

static void reset_widths(const struct view *v, struct table *t)
{
    const struct pane *p = v->pane;
    for (size_t i = 0; i < TABLE_MAX_COLUMNS; i++) {
        t->natural[i] = 0;
        if (i < p->column_count && !p->text) {
            wchar_t wide[TEXT_MAX];
            text_decode(p->columns[i].header, wide, TEXT_MAX);
            t->natural[i] = text_width(wide);
        }
    }
}

/* The row showing the item whose key is key, or item itself when key
 * is NULL; (size_t)-1 when it is not shown. */
static size_t find_row(const struct table *t, const char *key, size_t item)
{
    for (size_t i = 0; i < t->row_count; i++) {
        if (!key && !t->keys[i] && t->rows[i] == item)
            return i;
        if (key && t->keys[i] && strcmp(t->keys[i], key) == 0)
            return i;
    }
    return (size_t)-1;
}

/* The first row with an identity() key, such as the first line of a
 * text view that opens something, or row 0 when none has one. */
static size_t first_keyed(const struct table *t)
{
    for (size_t i = 0; i < t->row_count; i++)
        if (t->keys[i])
            return i;
    return 0;
}

/* Selects row, shifting the scroll position by as many rows as the
 * selection moved, so the selected row keeps its screen line. */
static void reselect(struct table *t, size_t row)
{
    size_t old = t->selected;
    if (row > old)
        t->top += row - old;
    else
        t->top -= old - row < t->top ? old - row : t->top;
    t->selected = row;
}

void table_rebuild(struct ui *ui, struct view *v)
{
    struct table *t = &v->table;
    /* The key was made when the rows were built, because the item
     * index it came from may name another item now. */
    size_t keep = table_selected_item(t);
    char *key = NULL;
    if (keep != (size_t)-1) {
        key = t->keys[t->selected];
        t->keys[t->selected] = NULL;    /* taken from free_keys() */
    }
    int refiltered = wcscmp(t->filter, t->built_filter) != 0;
    if (v->pane->prepare)
        v->pane->prepare(ui, v);
    size_t count = v->pane->item_count(ui, v);
    reset_widths(v, t);
    free_keys(t);
    t->row_count = 0;
    t->total = 0;
    for (size_t item = 0; item < count; item++) {
        if (v->pane->includes && !v->pane->includes(ui, v, item))
            continue;
        t->total++;
        if (match_row(ui, v, item) && push_row(ui, v, t, item) < 0)
            break;
    }
    size_t row = keep == (size_t)-1 ? (size_t)-1 : find_row(t, key, keep);
    free(key);
    if (row == (size_t)-1)
        row = refiltered ? first_keyed(t) : t->selected;
    if (row >= t->row_count)
        row = t->row_count ? t->row_count - 1 : 0;
    reselect(t, row);
    wcscpy(t->built_filter, t->filter);
    v->built_version = ui->m->version;
    v->built = 1;
}

size_t table_selected_item(const struct table *t)
{
    return t->selected < t->row_count ? t->rows[t->selected] : (size_t)-1;
}

int table_move(struct table *t, long delta)
{
    size_t old = t->selected;
    if (t->row_count == 0)
        return REACT_NONE;
    if (delta < 0 && (size_t)-delta > t->selected)
        t->selected = 0;
    else if (delta > 0 && t->selected + (size_t)delta >= t->row_count)
        t->selected = t->row_count - 1;
    else
        t->selected += delta;
    return t->selected != old ? REACT_DRAW : REACT_NONE;
}

int table_page(struct table *t, int direction)
{
    long page = t->height > 1 ? t->height - 1 : 1;
    return table_move(t, direction * page);
}

int table_home(struct table *t)
{
    return table_move(t, -(long)t->selected);
}

int table_end(struct table *t)
{
    return table_move(t, (long)t->row_count);
}

int table_click(struct table *t, int y)
{
    if (y < t->y || y >= t->y + t->height)
        return REACT_NONE;
    size_t row = t->top + (size_t)(y - t->y);
    if (row >= t->row_count)
        return REACT_NONE;
    t->selected = row;
    return REACT_DRAW;
}

/* Takes one column from the column that is widest for its weight,
 * among the flexible ones unless any is set. Returns -1 when every
 * candidate is at its minimum. */
static int shrink_one(const struct view *v, int *w, int any)
{
    const struct pane *p = v->pane;
    int best = -1, best_weight = 1;
    for (size_t i = 0; i < p->column_count && i < TABLE_MAX_COLUMNS; i++) {
        const struct column *c = &p->columns[i];
        if (!column_shown(v, c) || w[i] <= c->min_width)
            continue;
        if (!any && c->weight == 0)
            continue;
        int weight = c->weight ? c->weight : 1;
        if (best < 0 || w[i] * best_weight > w[best] * weight) {
            best = (int)i;
            best_weight = weight;
        }
    }
    if (best < 0)
        return -1;
    w[best]--;
    return 0;
}

/* Computes column widths for width screen columns. Each column starts at
 * its natural width within its limits. Spare width goes to flexible
 * columns by weight. Missing width is taken from flexible columns first,
 * then from any column, down to the minimums, and what still does not
 * fit is cut at the right edge. */
static void layout(const struct view *v, int width, int *w)
{
    const struct pane *p = v->pane;
    const struct table *t = &v->table;
    int total = 0, weights = 0, shown = 0;
    for (size_t i = 0; i < p->column_count && i < TABLE_MAX_COLUMNS; i++) {
        const struct column *c = &p->columns[i];
        w[i] = 0;
        if (!column_shown(v, c))
            continue;
        w[i] = t->natural[i];
        if (c->max_width && w[i] > c->max_width)
            w[i] = c->max_width;
        if (w[i] < c->min_width)
            w[i] = c->min_width;
        total += w[i] + (shown++ ? TABLE_GAP : 0);
        weights += c->weight;
    }
    int spare = width - total;
    for (size_t i = 0; spare > 0 && weights && i < p->column_count &&
                       i < TABLE_MAX_COLUMNS; i++) {
        const struct column *c = &p->columns[i];
        if (column_shown(v, c) && c->weight)
            w[i] += spare * c->weight / weights;
    }
    while (total > width && shrink_one(v, w, 0) == 0)
        total--;
    while (total > width && shrink_one(v, w, 1) == 0)
        total--;
}

static void draw_headers(struct ui *ui, struct view *v, int y, const int *w)
{
    const struct pane *p = v->pane;
    int x = 0;
    move(y, 0);
    attrset(ui->attrs[THEME_NORMAL]);
    hline(' ', COLS);
    for (size_t i = 0; i < p->column_count && x < COLS; i++) {
        if (!column_shown(v, &p->columns[i]))
            continue;
        draw_text(y, x, w[i] < COLS - x ? w[i] : COLS - x,
                  p->columns[i].header, ui->attrs[THEME_COLUMN], 1);
        x += w[i] + TABLE_GAP;
    }
}

static void draw_row(struct ui *ui, struct view *v, int y, size_t item,
                     int selected, const int *w)
{
    const struct pane *p = v->pane;
    attr_t fill = ui->attrs[selected ? THEME_SELECTED : THEME_NORMAL];
    int x = 0;
    move(y, 0);
    attrset(fill);
    hline(' ', COLS);
    for (size_t i = 0; i < p->column_count && x < COLS; i++) {
        const struct column *c = &p->columns[i];
        if (!column_shown(v, c))
            continue;
        char buf[CELL_MAX];
        enum theme_role role;
        const char *s = cell_text(ui, v, c, item, buf, &role);
        if (p->text && v->line_roles && item < v->line_count)
            role = v->line_roles[item];
        attr_t attr = selected ? fill : ui->attrs[role];
        int room = p->text ? COLS - x : (w[i] < COLS - x ? w[i] : COLS - x);
        if (c->keep_end)
            draw_text_tail(y, x, room, s, attr);
        else
            draw_text(y, x, room, s, attr, 0);
        x += w[i] + TABLE_GAP;
    }
}

/* Keeps the selected row on screen. */
static void scroll_to_selection(struct table *t)
{
    size_t h = t->height > 0 ? (size_t)t->height : 1;
    if (t->selected < t->top)
        t->top = t->selected;
    else if (t->selected >= t->top + h)
        t->top = t->selected - h + 1;
    if (t->top + h > t->row_count)
        t->top = t->row_count > h ? t->row_count - h : 0;
}

static void draw_state(struct ui *ui, struct view *v, int y, int height)
{
    char err[700] = "";
    enum model_state state = v->pane->state
        ? v->pane->state(ui, v, err, sizeof(err)) : MODEL_READY;
    const char *text = NULL;
    enum theme_role role = THEME_DIM;
    if (state == MODEL_LOADING || state == MODEL_IDLE)
        text = "loading\u2026";
    else if (state == MODEL_FAILED) {
        text = err[0] ? err : "failed";
        role = THEME_ERROR;
    } else if (v->table.filter[0])
        text = "no rows match the filter (Esc clears it)";
    else if (err[0])
        text = err;
    else
        text = "none";
    draw_wrapped(y, 1, COLS - 2, height, text, ui->attrs[role]);
}

void table_draw(struct ui *ui, struct view *v, int y, int height)
{
    struct table *t = &v->table;
    int w[TABLE_MAX_COLUMNS];
    layout(v, COLS, w);
    if (!v->pane->text) {
        draw_headers(ui, v, y, w);
        y++;
        height--;
    }
    t->y = y;
    t->height = height > 0 ? height : 0;
    attrset(ui->attrs[THEME_NORMAL]);
    for (int i = 0; i < height; i++) {
        move(y + i, 0);
        hline(' ', COLS);
    }
    if (t->row_count == 0) {
        draw_state(ui, v, y, height);
        return;
    }
    scroll_to_selection(t);
    for (int i = 0; i < height && t->top + (size_t)i < t->row_count; i++) {
        size_t row = t->top + (size_t)i;
        draw_row(ui, v, y + i, t->rows[row], row == t->selected, w);
    }
}
