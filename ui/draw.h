/*
 * Drawing on stdscr: text cut to a width, the header lines at the top and
 * the status line at the bottom. Everything goes through text_decode().
 */
#ifndef ALBATROSS_DRAW_H
#define ALBATROSS_DRAW_H

#include <curses.h>
#include <wchar.h>

#include "view.h"

/* Lines the header takes at the top of the screen. */
#define DRAW_HEADER_LINES 2

/* Draws UTF-8 text at y, x in at most width columns, cut with an ellipsis
 * and padded with spaces to width when pad is set. Returns the columns
 * drawn. */
int draw_text(int y, int x, int width, const char *text, attr_t attr,
              int pad);
/* The same for text already decoded by text_decode(). */
int draw_wide(int y, int x, int width, const wchar_t *text, attr_t attr,
              int pad);
/* Draws text over at most lines screen lines, breaking at blanks where
 * it can. Returns the lines used. */
int draw_wrapped(int y, int x, int width, int lines, const char *text,
                 attr_t attr);
/* Lines that draw_wrapped() needs for all of text in width columns. */
int draw_wrapped_count(int width, const char *text);
/* draw_text() that keeps the end of text when it is cut. */
int draw_text_tail(int y, int x, int width, const char *text, attr_t attr);

/* The smallest terminal the panes and the wizard are laid out for. */
#define UI_MIN_COLS 40
#define UI_MIN_LINES 8

/* Draws a message that the terminal is too small, with the size needed. */
void draw_too_small(struct ui *ui);
void draw_header(struct ui *ui);
void draw_title(struct ui *ui, int y);
void draw_status(struct ui *ui, int y);

/* What is loading, such as "clusters, roles", for the spinner line. */
void draw_loading_summary(const struct ui *ui, char *buf, size_t len);

/* Formats a duration in seconds as "42s", "17m", "3h05m" or "4d". */
void draw_duration(long seconds, char *buf, size_t len);

#endif
