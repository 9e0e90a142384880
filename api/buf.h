/*
 * Growable byte buffer with a ceiling set at creation, for anything read
 * from the network or a file. The data is always NUL-terminated so text
 * can be passed to parsers and printf without a copy.
 */
#ifndef ALBATROSS_BUF_H
#define ALBATROSS_BUF_H

#include <stdarg.h>
#include <stddef.h>

#define BUF_MAX_DEFAULT (64u << 20) /* 64 MiB: larger than any page we ask for */

struct buf {
    char *data;  /* NULL until the first append; then NUL-terminated */
    size_t len;
    size_t cap;
    size_t max;  /* appends that would pass this fail with -1 */
};

void buf_init(struct buf *b, size_t max);
/* Frees the data and leaves the buffer empty and reusable. */
void buf_cleanup(struct buf *b);
/* Like buf_cleanup, but overwrites the bytes first: for secrets. */
void buf_wipe(struct buf *b);
void buf_reset(struct buf *b);

/* Each returns 0, or -1 when memory runs out or max would be passed. */
int buf_append(struct buf *b, const void *data, size_t len);
int buf_puts(struct buf *b, const char *s);
int buf_putc(struct buf *b, char c);
int buf_printf(struct buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
int buf_vprintf(struct buf *b, const char *fmt, va_list ap);

/* Hands the data to the caller, who frees it; the buffer is left empty.
 * Never returns NULL unless memory runs out: an empty buffer gives "". */
char *buf_take(struct buf *b);

/*
 * Appends the whole of the file at path to b. Only a regular file is
 * read, and /dev/null as an empty one: the open does not wait, so a FIFO
 * or a device named by a setting cannot block the caller. Returns 0, or
 * -1 with errno set (ENOENT when path does not exist, EFBIG past b's
 * max) and a short reason in why ("a FIFO, not a regular file").
 */
int buf_read_file(struct buf *b, const char *path, char *why, size_t whylen);

#endif
