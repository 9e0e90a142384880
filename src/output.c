#include "output.h"

#include <stdlib.h>
#include <string.h>
#include <wchar.h>

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

/* Writes s with control characters replaced by '?', so that names from
 * the cluster cannot move the cursor or change the terminal. Returns the
 * number of columns written. */
static size_t put_safe(const char *s, FILE *out)
{
    mbstate_t state;
    size_t width = 0;

    memset(&state, 0, sizeof(state));
    while (*s) {
        wchar_t wc;
        size_t n = mbrtowc(&wc, s, MB_CUR_MAX, &state);
        if (n == (size_t)-1 || n == (size_t)-2) {
            fputc('?', out);
            memset(&state, 0, sizeof(state));
            s++;
            width++;
            continue;
        }
        int w = wcwidth(wc);
        if (w < 0) {
            fputc('?', out);
            width++;
        } else {
            fwrite(s, 1, n, out);
            width += (size_t)w;
        }
        s += n;
    }
    return width;
}

static size_t text_width(const char *s)
{
    FILE *null = fopen("/dev/null", "w");
    size_t w = null ? put_safe(s, null) : strlen(s);
    if (null)
        fclose(null);
    return w;
}

void output_print_table(const struct output_table *t, FILE *out)
{
    size_t *widths = xrealloc(NULL, t->column_count * sizeof(size_t));
    for (size_t c = 0; c < t->column_count; c++) {
        const char *h = t->columns[c].header;
        widths[c] = h ? strlen(h) : 0;
        for (size_t r = 0; h && r < t->rows; r++) {
            const char *s = cell(t, r, c);
            size_t w = text_width(s ? s : "-");
            if (w > widths[c])
                widths[c] = w;
        }
    }
    for (long r = -1; r < (long)t->rows; r++) {
        size_t pad = 0;
        for (size_t c = 0; c < t->column_count; c++) {
            if (!t->columns[c].header)
                continue;
            const char *s = r < 0 ? t->columns[c].header : cell(t, (size_t)r, c);
            fprintf(out, "%*s", (int)pad, "");
            size_t w = put_safe(s ? s : "-", out);
            pad = widths[c] - w + 3;
        }
        fputc('\n', out);
    }
    free(widths);
}

/* JSON string with the escapes RFC 8259 requires; bytes that are not
 * valid UTF-8 pass through, as the API returned them. */
static void put_json_string(const char *s, FILE *out)
{
    fputc('"', out);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\')
            fprintf(out, "\\%c", *p);
        else if (*p == '\n')
            fputs("\\n", out);
        else if (*p == '\t')
            fputs("\\t", out);
        else if (*p < 0x20 || *p == 0x7f)
            fprintf(out, "\\u%04x", *p);
        else
            fputc(*p, out);
    }
    fputc('"', out);
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
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p < 0x20 || *p == 0x7f || *p == '#' || *p == '"' ||
            (*p == ':' && (p[1] == ' ' || p[1] == '\0')))
            return 0;
    return s[strlen(s) - 1] != ' ';
}

void output_print_yaml(const struct output_table *t, FILE *out)
{
    fputs(t->rows ? "items:\n" : "items: []\n", out);
    for (size_t r = 0; r < t->rows; r++) {
        for (size_t c = 0; c < t->column_count; c++) {
            const char *s = cell(t, r, c);
            fprintf(out, "%s%s: ", c ? "  " : "- ", t->columns[c].key);
            if (!s)
                fputs("null", out);
            else if (t->columns[c].numeric || plain_yaml_safe(s))
                fputs(s, out);
            else
                put_json_string(s, out);
            fputc('\n', out);
        }
    }
}
