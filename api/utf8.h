/*
 * UTF-8 decoding and the code points a terminal must never receive, for
 * every writer of outside text that is not the UI (whose ui/text.c also
 * handles the locale's widths): the CLI's output and the log file.
 */
#ifndef ALBATROSS_UTF8_H
#define ALBATROSS_UTF8_H

#include <stddef.h>

/* Decodes the UTF-8 sequence at s (NUL-terminated) into *cp. Returns its
 * length in bytes, or 0 when it is invalid, overlong, a surrogate or
 * beyond U+10FFFF. */
size_t utf8_next(const unsigned char *s, unsigned long *cp);

/* Whether a terminal shows c as a character: C0 and C1 controls and DEL
 * start or end escape sequences, and bidirectional controls can make a
 * line read in another order than it is written. */
int utf8_printable(unsigned long c);

#endif
