#include "strutil.h"

#include <stdlib.h>

void str_wipe_free(char *s)
{
    if (!s)
        return;
    /* volatile keeps the compiler from dropping stores before free */
    volatile char *p = s;
    while (*p)
        *p++ = '\0';
    free(s);
}

void strv_free(char **v)
{
    if (!v)
        return;
    for (char **p = v; *p; p++)
        free(*p);
    free(v);
}
