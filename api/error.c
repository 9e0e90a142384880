#include "error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void api_error_set(struct api_error *err, const char *code, const char *fmt,
                   ...)
{
    if (!err)
        return;
    snprintf(err->code, sizeof(err->code), "%s", code ? code : "");
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof(err->message), fmt, ap);
    va_end(ap);
}
