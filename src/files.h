/*
 * Files albatross writes under the user's XDG directories (logs now;
 * journals, saved configuration and cached tokens later): directories of
 * mode 0700 and files of mode 0600, whole files written to a temporary
 * file and renamed over the old one, so a crash leaves either the old
 * file or the new one, never half of it.
 */
#ifndef ALBATROSS_FILES_H
#define ALBATROSS_FILES_H

#include <stddef.h>

/*
 * Creates dir and its missing parents with mode 0700, as the XDG base
 * directory specification requires. The last component is albatross's own,
 * so when it exists with a wider mode and belongs to the user it is
 * narrowed to 0700; existing parents are left as they are. Returns 0, or
 * -1 with errno set.
 */
int files_make_dir(const char *dir);

/*
 * Writes len bytes of data to path through a temporary file in the same
 * directory (mode 0600), flushed to disk and then renamed over path.
 * Returns 0, or -1 with errno set and path untouched.
 */
int files_write(const char *path, const void *data, size_t len);

/*
 * Writes $VAR/rest to buf when the environment variable var (an XDG base
 * directory such as XDG_CONFIG_HOME) is set and not empty, else
 * $HOME/fallback/rest. Returns 0, or -1 when neither is set or the path
 * does not fit.
 */
int files_xdg_path(char *buf, size_t len, const char *var,
                   const char *fallback, const char *rest);

/*
 * Writes albatross's state directory to buf: $XDG_STATE_HOME/albatross,
 * or else ~/.local/state/albatross, made as files_make_dir does. Returns
 * 0, or -1 when neither variable is set or the path does not fit.
 */
int files_state_dir(char *buf, size_t len);

/*
 * Opens the log: path, or else $XDG_STATE_HOME/albatross/albatross.log,
 * or else ~/.local/state/albatross/albatross.log (the directory made as
 * files_make_dir does); at the debug level when debug is set. Prints
 * to stderr when an explicit path cannot be opened.
 */
void files_open_log(const char *path, int debug);

#endif
