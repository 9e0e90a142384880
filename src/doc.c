/*
 * Writing a nested document as JSON (two-space indent) or block YAML.
 * A container's opening is written when its first child arrives, so that
 * an empty one can still be written as [] or {}.
 */
#include "doc.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "output.h"
#include "util.h"

void doc_init(struct doc *d, FILE *out, enum doc_format format)
{
    memset(d, 0, sizeof(*d));
    d->out = out;
    d->format = format;
}

static void indent(struct doc *d, int level)
{
    for (int i = 0; i < level; i++)
        fputs("  ", d->out);
}

/* Escapes what JSON requires and what a terminal would act on. */
static void json_string(FILE *out, const char *s)
{
    output_put_json_string(out, s);
}

int doc_yaml_plain(const char *s)
{
    static const char *const reserved[] = {
        "true", "false", "null", "yes", "no", "on", "off", "~", "y", "n",
    };
    if (!*s || strspn(s, "0123456789.+-eE") == strlen(s))
        return 0;
    for (size_t i = 0; i < sizeof(reserved) / sizeof(reserved[0]); i++)
        if (strcasecmp(s, reserved[i]) == 0)
            return 0;
    if (strchr("-?:,[]{}#&*!|>'\"%@` ", s[0]))
        return 0;
    for (const char *p = s; *p; p++)
        if (!(*p >= 'a' && *p <= 'z') && !(*p >= 'A' && *p <= 'Z') &&
            !(*p >= '0' && *p <= '9') && !strchr("._/-", *p))
            return 0;
    return 1;
}

/* Writes what comes before a value named key in the current container:
 * the container's own header if this is its first child, a separator,
 * the indentation and the key. */
static void member(struct doc *d, const char *key);

/* Writes the header of the innermost container, whose first child is
 * about to be written. In YAML a container goes on the lines after its
 * "key:", except an object in an array, whose first member continues the
 * "- " line. */
static void open_container(struct doc *d)
{
    struct doc_frame *f = &d->stack[d->depth - 1];
    d->depth--;
    member(d, f->key);
    int nested = d->depth > 0;
    int in_array = nested && d->stack[d->depth - 1].array;
    d->depth++;
    if (d->format == DOC_JSON)
        fputs(f->array ? "[\n" : "{\n", d->out);
    else if (nested && !(in_array && !f->array))
        fputc('\n', d->out);
    f->inline_first = d->format == DOC_YAML && in_array && !f->array;
}

static void member(struct doc *d, const char *key)
{
    if (d->depth == 0)
        return;
    struct doc_frame *parent = &d->stack[d->depth - 1];
    if (parent->count++ == 0)
        open_container(d);
    else if (d->format == DOC_JSON)
        fputs(",\n", d->out);
    int level = d->depth;
    if (d->format == DOC_JSON) {
        indent(d, level);
        if (!parent->array) {
            json_string(d->out, key ? key : "");
            fputs(": ", d->out);
        }
        return;
    }
    if (parent->inline_first)
        parent->inline_first = 0;   /* continues the "- " line */
    else
        indent(d, level - 1);
    if (parent->array)
        fputs("- ", d->out);
    else
        fprintf(d->out, "%s:", key ? key : "");
}

/* In YAML, a scalar member's value follows "key:" after a space. */
static void yaml_value_start(struct doc *d)
{
    struct doc_frame *parent = d->depth ? &d->stack[d->depth - 1] : NULL;
    if (d->format == DOC_YAML && parent && !parent->array)
        fputc(' ', d->out);
}

static void scalar(struct doc *d, const char *key, const char *text,
                   int quote)
{
    member(d, key);
    yaml_value_start(d);
    if (!text)
        fputs("null", d->out);
    else if (!quote || (d->format == DOC_YAML && doc_yaml_plain(text)))
        fputs(text, d->out);
    else
        json_string(d->out, text);
    if (d->format == DOC_YAML)
        fputc('\n', d->out);
}

void doc_string(struct doc *d, const char *key, const char *value)
{
    if (d->depth < DOC_MAX_DEPTH)
        scalar(d, key, value, 1);
}

void doc_number(struct doc *d, const char *key, long value)
{
    char text[32];
    snprintf(text, sizeof(text), "%ld", value);
    if (d->depth < DOC_MAX_DEPTH)
        scalar(d, key, text, 0);
}

void doc_bool(struct doc *d, const char *key, int value)
{
    if (d->depth < DOC_MAX_DEPTH)
        scalar(d, key, value ? "true" : "false", 0);
}

static void push(struct doc *d, const char *key, int array)
{
    if (d->depth >= DOC_MAX_DEPTH) {
        d->depth++;     /* counted so that doc_end stays balanced */
        return;
    }
    struct doc_frame *f = &d->stack[d->depth++];
    f->array = array;
    f->key = xstrdup(key);
    f->count = 0;
    f->inline_first = 0;
}

void doc_object(struct doc *d, const char *key)
{
    push(d, key, 0);
}

void doc_array(struct doc *d, const char *key)
{
    push(d, key, 1);
}

/* Closes the innermost container; an empty one is written whole. */
void doc_end(struct doc *d)
{
    if (d->depth > DOC_MAX_DEPTH) {
        d->depth--;
        return;
    }
    if (d->depth == 0)
        return;
    struct doc_frame *f = &d->stack[--d->depth];
    if (f->count == 0) {
        member(d, f->key);
        yaml_value_start(d);
        fputs(f->array ? "[]" : "{}", d->out);
        if (d->format == DOC_YAML)
            fputc('\n', d->out);
    } else if (d->format == DOC_JSON) {
        fputc('\n', d->out);
        indent(d, d->depth);
        fputc(f->array ? ']' : '}', d->out);
    }
    free(f->key);
    f->key = NULL;
}

void doc_finish(struct doc *d)
{
    while (d->depth > 0)
        doc_end(d);
    if (d->format == DOC_JSON)
        fputc('\n', d->out);
}
