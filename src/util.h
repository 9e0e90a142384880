/* Small helpers for src/: allocation that cannot fail silently, and
 * growing arrays. */
#ifndef ALBATROSS_UTIL_H
#define ALBATROSS_UTIL_H

#include <stddef.h>

/* strdup that accepts NULL (returns NULL) and aborts when memory runs
 * out: the model has no way to continue without its strings. */
char *xstrdup(const char *s);
void *xrealloc(void *p, size_t size);
/* Grows *items (of size elem) so that index count fits, doubling. */
void grow(void **items, size_t *cap, size_t count, size_t elem);
/* Moves *from into the return value and clears *from. */
char *steal(char **from);

#endif
