/*
 * A nested document (objects, arrays, strings, numbers) written as it is
 * built, as JSON or as YAML. Used by describe commands, whose records do
 * not fit output.h's flat rows.
 */
#ifndef ALBATROSS_DOC_H
#define ALBATROSS_DOC_H

#include <stdio.h>

#define DOC_MAX_DEPTH 32

enum doc_format { DOC_JSON, DOC_YAML };

struct doc_frame {
    int array;              /* 1: array, 0: object */
    char *key;              /* member name in the parent, or NULL */
    int count;              /* children written so far */
    int inline_first;       /* YAML: the next member continues "- " */
};

struct doc {
    FILE *out;
    enum doc_format format;
    struct doc_frame stack[DOC_MAX_DEPTH];
    int depth;              /* frames in use */
};

void doc_init(struct doc *d, FILE *out, enum doc_format format);
/* Closes what is open and ends the line. */
void doc_finish(struct doc *d);

/* key is the member name inside an object and NULL inside an array or
 * at the top. Deeper than DOC_MAX_DEPTH, values are dropped. */
void doc_object(struct doc *d, const char *key);
void doc_array(struct doc *d, const char *key);
void doc_end(struct doc *d);
/* A NULL value is null. */
void doc_string(struct doc *d, const char *key, const char *value);
void doc_number(struct doc *d, const char *key, long value);
void doc_bool(struct doc *d, const char *key, int value);

/* Whether s can be written as a plain YAML scalar that reads back as the
 * same string: no quoting needed, and no reading as a number, boolean or
 * null in YAML 1.1 or 1.2. */
int doc_yaml_plain(const char *s);

#endif
