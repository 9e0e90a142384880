/*
 * Dialogs that the pane actions are built from, each a view on the
 * stack: a picker of one choice from a list (`/` filters it), a one-line
 * input, and the confirmation of an action that shows its preview (the
 * summary, the numbered calls and a unified diff of each document it
 * changes). A dialog pops itself before it calls its callback, so the
 * callback may open the next dialog. One dialog is open at a time.
 */
#ifndef ALBATROSS_DIALOG_H
#define ALBATROSS_DIALOG_H

#include <stddef.h>

#include "../src/action.h"
#include "view.h"

/* Called with the value chosen, typed or confirmed, or with NULL when
 * the user cancelled (Esc). Returns enum react. */
typedef int (*dialog_done_fn)(struct ui *ui, const char *value, void *ctx);

extern const struct pane dialog_pick_pane;
extern const struct pane dialog_input_pane;
extern const struct pane dialog_confirm_pane;

/* Opens a picker of choices (copied). Enter picks the selected row.
 * With accept_typed set, Enter on a filter that no row matches passes
 * the filter text, so a value the lists lack can be typed. */
int dialog_pick(struct ui *ui, const char *title, const char *const *choices,
                size_t count, int accept_typed, dialog_done_fn done,
                void *ctx);

/* Opens a one-line input under an explanation (help, may be NULL), with
 * value as its initial text. Enter passes the text, which may be "". */
int dialog_input(struct ui *ui, const char *title, const char *help,
                 const char *label, const char *value, dialog_done_fn done,
                 void *ctx);

/*
 * Opens the confirmation of preview. y or Enter passes "yes". With
 * confirm_text set (the name of what a delete removes), the user has to
 * type it before Enter is accepted. readonly_note, when set, is shown
 * above the prompt: the session will reject the calls.
 */
int dialog_confirm(struct ui *ui, const char *title,
                   const struct action_preview *preview,
                   const char *confirm_text, const char *readonly_note,
                   dialog_done_fn done, void *ctx);

/* Appends a unified diff of before and after to v: "@@ -a,b +c,d @@"
 * hunk lines and "-", "+" and " " lines with context lines around each
 * change, in the diff theme roles. */
void dialog_add_diff(struct view *v, const char *before, const char *after);

void dialog_free(struct ui *ui);

#endif
