#include "text.h"

#include <wctype.h>

wchar_t text_replacement(void)
{
    return wcwidth(0xFFFD) == 1 ? (wchar_t)0xFFFD : L'?';
}

static wchar_t ellipsis(void)
{
    return wcwidth(0x2026) == 1 ? (wchar_t)0x2026 : L'~';
}

/* Decodes one UTF-8 sequence at s. Returns its length in bytes and the
 * code point in *cp, or 0 when the sequence is invalid, overlong, a
 * surrogate or beyond U+10FFFF. */
static size_t utf8_next(const unsigned char *s, unsigned long *cp)
{
    static const unsigned long min_of[5] = { 0, 0, 0x80, 0x800, 0x10000 };
    size_t len;
    unsigned long c = s[0];
    if (c < 0x80) {
        *cp = c;
        return 1;
    } else if ((c & 0xE0) == 0xC0) {
        len = 2;
        c &= 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
        len = 3;
        c &= 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
        len = 4;
        c &= 0x07;
    } else {
        return 0;
    }
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

/* Whether c may be drawn as it is. */
static int is_safe(unsigned long c)
{
    if (c < 0x20 || (c >= 0x7F && c <= 0x9F))
        return 0;  /* C0, DEL, C1: includes ESC and the 8-bit CSI */
    if ((c >= 0x202A && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069))
        return 0;  /* bidirectional overrides could reorder what is shown */
    if (c == 0x200E || c == 0x200F || c == 0xFEFF)
        return 0;
    return wcwidth((wchar_t)c) >= 0;
}

size_t text_decode(const char *in, wchar_t *out, size_t outlen)
{
    const unsigned char *s = (const unsigned char *)(in ? in : "");
    size_t n = 0;
    if (outlen == 0)
        return 0;
    while (*s && n + 1 < outlen) {
        unsigned long c;
        size_t len = utf8_next(s, &c);
        if (len == 0) {
            out[n++] = text_replacement();
            s++;
            continue;
        }
        s += len;
        if (c == '\t')
            out[n++] = L' ';
        else
            out[n++] = is_safe(c) ? (wchar_t)c : text_replacement();
    }
    out[n] = L'\0';
    return n;
}

int text_width(const wchar_t *s)
{
    int w = 0;
    for (; *s; s++) {
        int cw = wcwidth(*s);
        w += cw > 0 ? cw : 0;
    }
    return w;
}

int text_fit(const wchar_t *s, int width, wchar_t *out, size_t outlen)
{
    size_t n = 0;
    int used = 0;
    if (outlen == 0)
        return 0;
    if (width <= 0) {
        out[0] = L'\0';
        return 0;
    }
    int total = text_width(s);
    /* Leave a column for the ellipsis when s does not fit. */
    int room = total > width ? width - 1 : width;
    for (; *s && n + 2 < outlen; s++) {
        int cw = wcwidth(*s);
        cw = cw > 0 ? cw : 0;
        if (used + cw > room)
            break;
        out[n++] = *s;
        used += cw;
    }
    if (total > width) {
        out[n++] = ellipsis();
        used++;
    }
    out[n] = L'\0';
    return used;
}

int text_fit_tail(const wchar_t *s, int width, wchar_t *out, size_t outlen)
{
    int total = text_width(s);
    if (total <= width || width <= 1 || outlen < 3)
        return text_fit(s, width, out, outlen);
    /* Skip characters from the front until the rest and the ellipsis
     * fit. */
    int rest = total;
    while (*s && rest > width - 1) {
        int cw = wcwidth(*s);
        rest -= cw > 0 ? cw : 0;
        s++;
    }
    out[0] = ellipsis();
    int used = 1 + text_fit(s, width - 1, out + 1, outlen - 1);
    return used;
}

int text_contains(const wchar_t *hay, const wchar_t *needle)
{
    if (!*needle)
        return 1;
    for (; *hay; hay++) {
        size_t i = 0;
        while (needle[i] && hay[i] &&
               towlower((wint_t)hay[i]) == towlower((wint_t)needle[i]))
            i++;
        if (!needle[i])
            return 1;
    }
    return 0;
}

size_t text_line_break(const wchar_t *s, int width)
{
    size_t n = 0, blank = 0;
    int used = 0;
    for (; s[n]; n++) {
        int cw = wcwidth(s[n]);
        cw = cw > 0 ? cw : 0;
        if (used + cw > width)
            return blank ? blank : (n ? n : 1);
        if (s[n] == L' ')
            blank = n + 1;
        used += cw;
    }
    return n;
}
