/*
 * Editing a document in the user's editor, as kubectl edit and k9s do:
 * the text goes to a private temporary file, the terminal is handed to
 * $VISUAL or $EDITOR (vi when neither is set) until it exits, and the
 * file is read back. Also reading a document from a file the user names.
 */
#ifndef ALBATROSS_EDITOR_H
#define ALBATROSS_EDITOR_H

#include <stddef.h>

#define EDITOR_MAX_BYTES (1u << 20) /* larger documents are rejected */

/*
 * Writes text to a temporary file ending in suffix (".json"), runs the
 * editor on it with curses suspended, and stores what the file contains
 * afterwards in *out (freed by the caller). The editor command is split
 * at blanks, without a shell, so "code --wait" works. Returns 0, or -1
 * with the reason in err: the editor could not start or exited with a
 * failure status, or the file grew past EDITOR_MAX_BYTES.
 */
int editor_edit(const char *text, const char *suffix, char **out,
                char *err, size_t errlen);

/* Reads the file at path (a leading "~/" is the home directory) into
 * *out. Returns 0, or -1 with "PATH: reason" in err. */
int editor_read_file(const char *path, char **out, char *err,
                     size_t errlen);

#endif
