/*
 * The table widget every pane uses: the rows that pass the view's scope
 * and filter, the selection and scroll position, and column widths that
 * fit the terminal. Flexible columns shrink first, cells are cut with an
 * ellipsis, and wide characters count double.
 */
#ifndef ALBATROSS_TABLE_H
#define ALBATROSS_TABLE_H

#include <stddef.h>
#include <wchar.h>

#define TABLE_MAX_COLUMNS 12
#define TABLE_GAP 2         /* blank columns between two columns */

struct ui;
struct view;

struct table {
    size_t *rows;           /* items shown, in order */
    char **keys;            /* each row's identity() key when it was
                             * built, or NULL */
    size_t row_count;
    size_t row_cap;
    size_t total;           /* items in scope before the filter */
    size_t selected;        /* index into rows */
    size_t top;             /* first row on screen */
    int natural[TABLE_MAX_COLUMNS]; /* widest cell or header, per column */
    wchar_t filter[128];
    wchar_t built_filter[128]; /* the filter when rows were last built */
    int y, height;          /* screen lines of the rows, set when drawn */
};

void table_cleanup(struct table *t);

/* Rebuilds rows from the view's pane. The selected item stays selected
 * while it is shown (found by the pane's identity() when it has one) and
 * stays on the same screen line, so a refresh moves neither the cursor
 * nor the rows around it. When the item is gone, the selection keeps its
 * row number. After a filter change, it goes to the first row with a key,
 * which in a text view is the first line that Enter opens. */
void table_rebuild(struct ui *ui, struct view *v);

/* The item of the selected row, or (size_t)-1 when the table is empty. */
size_t table_selected_item(const struct table *t);

/* Moves the selection by delta rows, clamped. Returns enum react. */
int table_move(struct table *t, long delta);
int table_page(struct table *t, int direction);
int table_home(struct table *t);
int table_end(struct table *t);
/* Selects the row drawn on screen line y; returns enum react, or
 * REACT_NONE when y is not a row. */
int table_click(struct table *t, int y);

/* Draws the column headers (unless the pane is a text view) and the rows
 * in screen lines y .. y + height - 1. */
void table_draw(struct ui *ui, struct view *v, int y, int height);

#endif
