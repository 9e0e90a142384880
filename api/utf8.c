#include "utf8.h"

size_t utf8_next(const unsigned char *s, unsigned long *cp)
{
    static const unsigned long min_of[5] = { 0, 0, 0x80, 0x800, 0x10000 };
    unsigned long c = s[0];
    size_t len = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2
               : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 0;
    if (len <= 1) {
        *cp = c;
        return len;
    }
    c &= 0x3Fu >> (len - 1);
    /* A NUL byte ends the loop: it is no continuation byte. */
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        c = (c << 6) | (s[i] & 0x3F);
    }
    if (c < min_of[len] || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
        return 0;
    *cp = c;
    return len;
}

int utf8_printable(unsigned long c)
{
    if (c < 0x20 || (c >= 0x7F && c <= 0x9F))
        return 0;
    if ((c >= 0x202A && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069))
        return 0;
    return c != 0x200E && c != 0x200F && c != 0x061C;
}
