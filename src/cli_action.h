/*
 * The command line's side of the actions (src/action.h): run one to its
 * end on the model's loop, and print a preview for --dry-run in the
 * form the IAM commands have always printed their calls, with a diff
 * of each document or object that changes.
 */
#ifndef ALBATROSS_CLI_ACTION_H
#define ALBATROSS_CLI_ACTION_H

#include <stdio.h>

#include "action.h"

/* Lines of context the dry run's diffs keep around each change. */
#define CLI_ACTION_DIFF_CONTEXT 3

/* Writes each line of text after indent, made safe for a terminal. */
void cli_action_put_lines(FILE *out, const char *text, const char *indent);

/* Prints p: each call ("IAM AttachRolePolicy", its parameters, its
 * document indented), each change of something that exists as a diff
 * (a new document is shown whole in its call), then the note. */
void cli_action_print_preview(FILE *out, const struct action_preview *p);

/* Previews r (preview != 0) or runs it, driving m's loop until it
 * ends. Returns 0, or -1 with the failure in *err when err is not
 * NULL. */
int cli_action_step(struct model *m, struct action_run *r, int preview,
                    struct api_error *err);

/*
 * Previews a on m, then prints the preview (dry_run) or runs the action,
 * driving model_wait until it ends. On success returns 0 and, when
 * result is not NULL, sets *result to the run's result (a copy the
 * caller frees, or NULL). On failure prints "albatross: WHAT failed:
 * CODE: MESSAGE" to err (WHAT is the kind's name) and returns 1, or 2
 * when a's members are invalid. When error is not NULL it gets the
 * failure, so a caller can add a hint.
 */
int cli_action_run(struct model *m, const struct action *a, int dry_run,
                   FILE *out, FILE *err, char **result,
                   struct api_error *error);

#endif
