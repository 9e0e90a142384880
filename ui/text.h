/*
 * The one way text from outside (names, annotations, error messages)
 * reaches the terminal: decoded from UTF-8 into wide characters that are
 * safe to draw, and measured in terminal columns with wcwidth().
 *
 * Control characters (C0, DEL, C1), the escape character that starts
 * terminal sequences, bidirectional overrides, invalid or overlong UTF-8,
 * surrogates and characters the locale cannot print become U+FFFD, or '?'
 * when the locale cannot print U+FFFD either. A tab becomes one space.
 */
#ifndef ALBATROSS_TEXT_H
#define ALBATROSS_TEXT_H

#include <stddef.h>
#include <wchar.h>

#define TEXT_MAX 1024 /* wide characters kept of one cell or line */

/* Decodes in (UTF-8, NULL is "") into out, at most outlen - 1 characters
 * and NUL-terminated. Returns the number of characters written. */
size_t text_decode(const char *in, wchar_t *out, size_t outlen);

/* Columns that s takes on the terminal. s must come from text_decode. */
int text_width(const wchar_t *s);

/* Copies the longest prefix of s that fits in width columns into out; when
 * s is wider, the copy ends with an ellipsis. Returns the columns used. */
int text_fit(const wchar_t *s, int width, wchar_t *out, size_t outlen);

/* Like text_fit(), but keeps the end of s and starts with the ellipsis.
 * ARNs need this because they differ in their last part. */
int text_fit_tail(const wchar_t *s, int width, wchar_t *out, size_t outlen);

/* Returns the length of the first line of s in width columns: up to the
 * last blank that fits, or else as many characters as fit (at least one). */
size_t text_line_break(const wchar_t *s, int width);

/* Whether needle occurs in hay, ignoring case. An empty needle matches. */
int text_contains(const wchar_t *hay, const wchar_t *needle);

/* The character drawn in place of unsafe input. */
wchar_t text_replacement(void);

#endif
