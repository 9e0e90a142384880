#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void out_of_memory(void)
{
    fputs("albatross: out of memory\n", stderr);
    abort();
}

char *xstrdup(const char *s)
{
    if (!s)
        return NULL;
    char *p = strdup(s);
    if (!p)
        out_of_memory();
    return p;
}

void *xrealloc(void *p, size_t size)
{
    void *q = realloc(p, size ? size : 1);
    if (!q)
        out_of_memory();
    return q;
}

void grow(void **items, size_t *cap, size_t count, size_t elem)
{
    if (count < *cap)
        return;
    size_t n = *cap ? *cap * 2 : 16;
    while (n <= count)
        n *= 2;
    *items = xrealloc(*items, n * elem);
    *cap = n;
}

char *steal(char **from)
{
    char *p = *from;
    *from = NULL;
    return p;
}
