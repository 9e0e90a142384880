/*
 * Form fields for the wizard's screens: text and numbers typed in place,
 * on/off toggles, and choices from a list. A field keeps its value as
 * UTF-8 text and is drawn through the sanitiser like all other text.
 */
#ifndef ALBATROSS_FORM_H
#define ALBATROSS_FORM_H

#include <curses.h>
#include <stddef.h>

#define FORM_VALUE_MAX 256  /* bytes of a value, NUL included */
#define FORM_LABEL_WIDTH 26 /* columns before the values */

enum form_kind { FORM_TEXT, FORM_NUMBER, FORM_TOGGLE, FORM_CHOICE };

struct form_field {
    enum form_kind kind;
    const char *label;
    /* The ClusterConfig path that validation messages about this field
     * start with, such as "metadata.name"; NULL for none. */
    const char *path;
    char value[FORM_VALUE_MAX]; /* text, number and choice values */
    int on;                     /* toggles */
};

/* Edits f with key: characters type into text and number fields,
 * Backspace deletes the last character, Ctrl-U clears, Space flips a
 * toggle. The caller changes choices, because it has the list.
 * Returns 1 when f changed, 0 when the key is not f's. */
int form_edit(struct form_field *f, int key);

/* Selects the choice after (direction 1) or before (-1) f's value in
 * choices, wrapping around; an unknown value moves to the first. */
void form_cycle(struct form_field *f, const char *const *choices,
                size_t count, int direction);

/* Draws f on line y: its label, then its value from x + FORM_LABEL_WIDTH
 * in at most width columns. Returns the column just after the value,
 * where a cursor goes. */
int form_draw(const struct form_field *f, int y, int x, int width,
              attr_t label_attr, attr_t value_attr);

#endif
