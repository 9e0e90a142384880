#include "output.h"

#include <langinfo.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "../api/utf8.h"
#include "util.h"

void output_init(struct output_table *t, const struct output_column *columns,
                 size_t column_count)
{
    memset(t, 0, sizeof(*t));
    t->columns = columns;
    t->column_count = column_count;
}

void output_cleanup(struct output_table *t)
{
    for (size_t i = 0; i < t->rows * t->column_count; i++)
        free(t->cells[i]);
    free(t->cells);
    memset(t, 0, sizeof(*t));
}

void output_add_row(struct output_table *t, const char *const *cells)
{
    size_t n = t->column_count;
    if (t->rows == t->capacity) {
        t->capacity = t->capacity ? t->capacity * 2 : 64;
        t->cells = xrealloc(t->cells, t->capacity * n * sizeof(char *));
    }
    for (size_t c = 0; c < n; c++)
        t->cells[t->rows * n + c] = xstrdup(cells[c]);
    t->rows++;
}

static const char *cell(const struct output_table *t, size_t row, size_t col)
{
    return t->cells[row * t->column_count + col];
}

static int utf8_locale(void)
{
    return MB_CUR_MAX > 1 && strcmp(nl_langinfo(CODESET), "UTF-8") == 0;
}

/* Writes s to out, or only measures it when out is NULL. Every character
 * a terminal would act on, every invalid byte and, outside a UTF-8
 * locale, every non-ASCII character becomes '?', so that names from the
 * cluster cannot move the cursor or change the terminal. Returns the
 * number of columns written. */
static size_t put_safe(const char *s, int utf8, FILE *out)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t width = 0;
    while (*p) {
        unsigned long c;
        size_t n = utf8_next(p, &c);
        int w = n && utf8_printable(c) && (utf8 || c < 0x80)
                    ? wcwidth((wchar_t)c) : -1;
        if (w < 0) {
            if (out)
                fputc('?', out);
            width++;
            p += n ? n : 1;
            continue;
        }
        if (out)
            fwrite(p, 1, n, out);
        width += (size_t)w;
        p += n;
    }
    return width;
}

size_t output_put_text(FILE *out, const char *s)
{
    return put_safe(s, utf8_locale(), out);
}

void output_error(FILE *out, const char *fmt, ...)
{
    char message[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(message, sizeof(message), fmt, ap);
    va_end(ap);
    fputs("albatross: ", out);
    put_safe(message, utf8_locale(), out);
    fputc('\n', out);
}

size_t *output_table_widths(const struct output_table *t)
{
    size_t *widths = xrealloc(NULL, (t->column_count + 1) * sizeof(size_t));
    int utf8 = utf8_locale();
    for (size_t c = 0; c < t->column_count; c++) {
        const char *h = t->columns[c].header;
        widths[c] = h ? strlen(h) : 0;
        for (size_t r = 0; h && r < t->rows; r++) {
            const char *s = cell(t, r, c);
            size_t w = put_safe(s ? s : "-", utf8, NULL);
            if (w > widths[c])
                widths[c] = w;
        }
    }
    return widths;
}

void output_print_table_row(const struct output_table *t, long row,
                            const size_t *widths, FILE *out)
{
    int utf8 = utf8_locale();
    size_t pad = 0;
    for (size_t c = 0; c < t->column_count; c++) {
        if (!t->columns[c].header)
            continue;
        const char *s = row < 0 ? t->columns[c].header
                                : cell(t, (size_t)row, c);
        fprintf(out, "%*s", (int)pad, "");
        size_t w = put_safe(s ? s : "-", utf8, out);
        pad = w < widths[c] ? widths[c] - w + 3 : 3;
    }
    fputc('\n', out);
}

void output_print_table(const struct output_table *t, FILE *out)
{
    size_t *widths = output_table_widths(t);
    for (long r = -1; r < (long)t->rows; r++)
        output_print_table_row(t, r, widths, out);
    free(widths);
}

/* JSON string with the escapes RFC 8259 requires, and \u escapes for
 * the characters utf8_printable() rejects, so the output is safe on a
 * terminal too. Bytes that are not valid UTF-8 become U+FFFD. */
static void put_json_string(const char *s, FILE *out)
{
    fputc('"', out);
    for (const unsigned char *p = (const unsigned char *)s; *p;) {
        unsigned long c;
        size_t n = utf8_next(p, &c);
        if (n == 0) {
            fputs("\\ufffd", out);
            p++;
            continue;
        }
        if (c == '"' || c == '\\')
            fprintf(out, "\\%c", (int)c);
        else if (c == '\n')
            fputs("\\n", out);
        else if (c == '\t')
            fputs("\\t", out);
        else if (!utf8_printable(c))
            fprintf(out, "\\u%04lx", c);
        else
            fwrite(p, 1, n, out);
        p += n;
    }
    fputc('"', out);
}

void output_put_json_string(FILE *out, const char *s)
{
    put_json_string(s, out);
}

static void put_json_value(const char *s, int numeric, FILE *out)
{
    if (!s)
        fputs("null", out);
    else if (numeric)
        fputs(s, out);
    else
        put_json_string(s, out);
}

void output_print_json(const struct output_table *t, FILE *out)
{
    fputs("{\n  \"items\": [", out);
    for (size_t r = 0; r < t->rows; r++) {
        fputs(r ? ",\n    {" : "\n    {", out);
        for (size_t c = 0; c < t->column_count; c++) {
            fprintf(out, "%s\n      \"%s\": ", c ? "," : "", t->columns[c].key);
            put_json_value(cell(t, r, c), t->columns[c].numeric, out);
        }
        fputs("\n    }", out);
    }
    fputs(t->rows ? "\n  ]\n}\n" : "]\n}\n", out);
}

/* Returns whether s can be written as a plain YAML scalar: it must not
 * read as another type or as YAML syntax. Other strings are written as
 * JSON strings, which YAML parses to the same value. */
static int plain_yaml_safe(const char *s)
{
    static const char *const reserved[] = {
        "", "~", "null", "Null", "NULL", "true", "True", "TRUE", "false",
        "False", "FALSE", "yes", "Yes", "YES", "no", "No", "NO", "on", "On",
        "ON", "off", "Off", "OFF", "y", "Y", "n", "N"};
    for (size_t i = 0; i < sizeof(reserved) / sizeof(reserved[0]); i++)
        if (strcmp(s, reserved[i]) == 0)
            return 0;
    if (strchr("-?:,[]{}#&*!|>'\"%@` 0123456789.+", s[0]))
        return 0;
    /* Non-ASCII text goes through put_json_string() to be checked. */
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p < 0x20 || *p >= 0x7f || *p == '#' || *p == '"' ||
            (*p == ':' && (p[1] == ' ' || p[1] == '\0')))
            return 0;
    return s[strlen(s) - 1] != ' ';
}

static void put_yaml_value(const char *s, int numeric, FILE *out)
{
    if (!s)
        fputs("null", out);
    else if (numeric || plain_yaml_safe(s))
        fputs(s, out);
    else
        put_json_string(s, out);
    fputc('\n', out);
}

void output_print_yaml(const struct output_table *t, FILE *out)
{
    fputs(t->rows ? "items:\n" : "items: []\n", out);
    for (size_t r = 0; r < t->rows; r++) {
        for (size_t c = 0; c < t->column_count; c++) {
            fprintf(out, "%s%s: ", c ? "  " : "- ", t->columns[c].key);
            put_yaml_value(cell(t, r, c), t->columns[c].numeric, out);
        }
    }
}

void output_print_json_event(const struct output_table *t, size_t row,
                             size_t first, const char *type, FILE *out)
{
    fputs("{\"type\": ", out);
    put_json_string(type, out);
    fputs(", \"object\": {", out);
    for (size_t c = first; c < t->column_count; c++) {
        fprintf(out, "%s\"%s\": ", c > first ? ", " : "",
                t->columns[c].key);
        put_json_value(cell(t, row, c), t->columns[c].numeric, out);
    }
    fputs("}}\n", out);
}

void output_print_yaml_event(const struct output_table *t, size_t row,
                             size_t first, const char *type, FILE *out)
{
    fprintf(out, "---\ntype: %s\nobject:\n", type);
    for (size_t c = first; c < t->column_count; c++) {
        fprintf(out, "  %s: ", t->columns[c].key);
        put_yaml_value(cell(t, row, c), t->columns[c].numeric, out);
    }
}
