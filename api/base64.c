#include "base64.h"

/* The value of base64 digit c, with '+' '/' or (url) '-' '_' as the last
 * two; -1 for any other character. */
static int digit(unsigned char c, int url)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == (url ? '-' : '+'))
        return 62;
    if (c == (url ? '_' : '/'))
        return 63;
    return -1;
}

/* Writes the bytes of a group of n digits (2 to 4) held in bits. */
static int flush(struct buf *out, unsigned long bits, int n)
{
    unsigned char bytes[3];
    bits <<= 6 * (4 - n);
    bytes[0] = (unsigned char)(bits >> 16);
    bytes[1] = (unsigned char)(bits >> 8);
    bytes[2] = (unsigned char)bits;
    return buf_append(out, bytes, (size_t)(n - 1));
}

static int decode(const char *text, size_t len, struct buf *out, int url)
{
    unsigned long bits = 0;
    int n = 0;
    size_t pad = 0;

    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)text[i];
        if (c == '\n' || c == '\r')
            continue;
        if (c == '=') {
            pad++;
            continue;
        }
        int v = digit(c, url);
        if (v < 0 || pad)
            return -1;
        bits = bits << 6 | (unsigned long)v;
        if (++n == 4) {
            if (flush(out, bits, 4) < 0)
                return -1;
            bits = 0;
            n = 0;
        }
    }
    if (n == 1 || (pad && (size_t)n + pad != 4))
        return -1;
    if (n > 0 && flush(out, bits, n) < 0)
        return -1;
    /* An empty input still leaves a NUL-terminated, empty buffer. */
    return out->data ? 0 : buf_append(out, "", 0);
}

int base64_decode(const char *text, size_t len, struct buf *out)
{
    return decode(text, len, out, 0);
}

int base64url_decode(const char *text, size_t len, struct buf *out)
{
    return decode(text, len, out, 1);
}
