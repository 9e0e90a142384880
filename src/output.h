/*
 * Records printed as an aligned table, JSON ({"items": [...]}) or YAML.
 * A record is a row of cells; a NULL cell is "-" in a table and null in
 * JSON and YAML. Columns marked numeric print as numbers.
 */
#ifndef ALBATROSS_OUTPUT_H
#define ALBATROSS_OUTPUT_H

#include <stddef.h>
#include <stdio.h>

struct output_column {
    const char *key;      /* JSON and YAML key */
    const char *header;   /* table header; NULL: JSON and YAML only */
    int numeric;
};

struct output_table {
    const struct output_column *columns;
    size_t column_count;
    char **cells;         /* row-major, rows * column_count, owned */
    size_t rows;
    size_t capacity;
};

void output_init(struct output_table *t, const struct output_column *columns,
                 size_t column_count);
void output_cleanup(struct output_table *t);
/* Appends a row; cells[column_count] are copied (NULL allowed). */
void output_add_row(struct output_table *t, const char *const *cells);

/* Prints "albatross: MESSAGE" and a newline to out (stderr), with the
 * characters of MESSAGE a terminal would act on replaced by '?', since
 * messages quote servers and files. */
void output_error(FILE *out, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Writes s for a terminal: characters a terminal would act on (controls,
 * bidirectional overrides), invalid UTF-8 and, outside a UTF-8 locale,
 * non-ASCII characters become '?'. Returns the columns written. */
size_t output_put_text(FILE *out, const char *s);
/* Writes s as a JSON string (also valid YAML) that is safe on a terminal:
 * those characters as \u escapes, invalid UTF-8 as U+FFFD. */
void output_put_json_string(FILE *out, const char *s);

void output_print_table(const struct output_table *t, FILE *out);
/* The width of each column of t's table (its header and every row), to
 * align rows printed later; free it. */
size_t *output_table_widths(const struct output_table *t);
/* Prints row (-1: the header) of t as one table line with widths; a
 * wider cell pushes the columns after it. */
void output_print_table_row(const struct output_table *t, long row,
                            const size_t *widths, FILE *out);
/* Prints row of t, from column first on, as a watch event: one JSON
 * line {"type": TYPE, "object": {...}}, or a YAML document with type
 * and object. type must be a plain word (ADDED). */
void output_print_json_event(const struct output_table *t, size_t row,
                             size_t first, const char *type, FILE *out);
void output_print_yaml_event(const struct output_table *t, size_t row,
                             size_t first, const char *type, FILE *out);
void output_print_json(const struct output_table *t, FILE *out);
void output_print_yaml(const struct output_table *t, FILE *out);

#endif
