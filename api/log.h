/*
 * Log file. The terminal belongs to ncurses, so nothing is printed: lines
 * go to the file named by log_open(), or nowhere. Callers must not pass
 * secrets; URLs are logged without their query string.
 */
#ifndef ALBATROSS_LOG_H
#define ALBATROSS_LOG_H

enum log_level { LOG_ERROR, LOG_WARN, LOG_INFO, LOG_DEBUG };

/* Opens path for appending (mode 0600); returns 0 or -1. */
int log_open(const char *path, enum log_level level);
void log_close(void);
/* Whether a line of level would be written: callers skip building costly
 * debug lines otherwise. */
int log_enabled(enum log_level level);
void log_msg(enum log_level level, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
