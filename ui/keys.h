/*
 * Key bindings and `:` commands: one table drives dispatch, command
 * lookup, completion and the help screen, so they cannot drift apart.
 */
#ifndef ALBATROSS_KEYS_H
#define ALBATROSS_KEYS_H

#include <stddef.h>

#include "view.h"

extern const struct pane keys_help_pane;

/* Runs the binding of key in the top view (its pane's keys first, then
 * the global ones). Returns enum react; REACT_NONE for an unbound key. */
int keys_dispatch(struct ui *ui, int key);

/* Runs a `:` command line such as "sa all". Returns enum react. */
int keys_command(struct ui *ui, const char *line);

/* Completes the command word in line (UTF-8) in place when one command
 * matches; otherwise lists the matches with ui_message(). Returns enum
 * react. */
int keys_complete(struct ui *ui, char *line, size_t len);

/* Writes how the help screen names key, such as "j", "Down" or "^F". */
void keys_name(int key, char *buf, size_t len);

#endif
