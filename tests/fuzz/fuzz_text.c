/*
 * The two ways outside text reaches the terminal: the UI's sanitiser
 * (decoding, measuring, fitting, filtering) and the CLI's table, JSON
 * and YAML output. The input is split at its first NUL byte into a cell
 * and a filter needle.
 */
#include "fuzz.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/output.h"
#include "../../ui/text.h"

static void fit(const wchar_t *s)
{
    wchar_t out[TEXT_MAX];
    int total = text_width(s);
    static const int widths[] = {0, 1, 2, 3, 7, 40};
    for (size_t i = 0; i < sizeof(widths) / sizeof(widths[0]); i++) {
        int w = widths[i];
        if (text_fit(s, w, out, TEXT_MAX) > (w > 0 ? w : 0) ||
            text_fit_tail(s, w, out, TEXT_MAX) > (w > 0 ? w : 0))
            abort();  /* a cell must never overflow its column */
    }
    text_fit(s, total, out, 4);
    text_fit_tail(s, total, out, 3);
}

static void decode(const char *cell, const char *needle)
{
    wchar_t text[TEXT_MAX], pattern[64];
    text_decode(cell, text, TEXT_MAX);
    text_decode(needle, pattern, 64);
    for (const wchar_t *p = text; *p; p++)
        if (*p == 0x1b || *p < 0x20 || (*p >= 0x7f && *p <= 0x9f))
            abort();  /* a control character got through */
    fit(text);
    text_contains(text, pattern);
}

/* Length of the UTF-8 sequence at s whose code point is safe to print,
 * or 0 when it is invalid or a control or bidirectional character. */
static size_t safe_char(const unsigned char *s, size_t left)
{
    unsigned long c = s[0];
    size_t len = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2
               : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 0;
    if (len == 0 || len > left)
        return 0;
    c &= len == 1 ? 0x7F : 0x3F >> (len - 1);
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        c = (c << 6) | (s[i] & 0x3F);
    }
    if ((c < 0x20 && c != '\n') || (c >= 0x7F && c <= 0x9F))
        return 0;
    if ((c >= 0x202A && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069))
        return 0;
    return len;
}

/* Aborts when out holds anything a terminal would act on. */
static void check_printable(const char *out, size_t len)
{
    const unsigned char *s = (const unsigned char *)out;
    size_t i = 0;
    while (i < len) {
        size_t n = safe_char(s + i, len - i);
        if (n == 0)
            abort();
        i += n;
    }
}

static void print_as(const struct output_table *t, int format)
{
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    if (!out)
        return;
    if (format == 0)
        output_print_table(t, out);
    else if (format == 1)
        output_print_json(t, out);
    else
        output_print_yaml(t, out);
    fclose(out);
    check_printable(text, len);
    free(text);
}

static void print(const char *cell, const char *needle)
{
    static const struct output_column columns[] = {
        {"name", "NAME", 0}, {"other", "OTHER", 0}, {"hidden", NULL, 0},
    };
    struct output_table t;
    output_init(&t, columns, 3);
    const char *row[] = {cell, needle, NULL};
    output_add_row(&t, row);
    for (int format = 0; format < 3; format++)
        print_as(&t, format);
    output_cleanup(&t);
}

int fuzz_text(const uint8_t *data, size_t size)
{
    char *cell = fuzz_string(data, size);
    if (!cell)
        return 0;
    size_t len = strlen(cell);
    const char *needle = len < size ? cell + len + 1 : "";
    decode(cell, needle);
    print(cell, needle);
    free(cell);
    return 0;
}
