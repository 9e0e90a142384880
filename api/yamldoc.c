#include "yamldoc.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"

static int parse_failed(struct ydoc *d, yaml_parser_t *p, char *err,
                        size_t errlen)
{
    snprintf(err, errlen, "%s:%zu:%zu: invalid YAML: %s", d->name,
             p->problem_mark.line + 1, p->problem_mark.column + 1,
             p->problem ? p->problem : "parse error");
    return -1;
}

struct key_ref {
    const char *text;
    yaml_node_t *node;
};

/* By text, then by position, so the first of equal keys comes first. */
static int key_order(const void *a, const void *b)
{
    const struct key_ref *x = a, *y = b;
    int c = strcmp(x->text, y->text);
    if (c)
        return c;
    return (x->node > y->node) - (x->node < y->node);
}

/* Sorts the scalar keys of map into keys (room for all) and reports the
 * first one given twice. */
static int check_map(struct ydoc *d, yaml_node_t *map, struct key_ref *keys,
                     char *err, size_t errlen)
{
    size_t count = 0, total = ydoc_map_len(map);
    for (size_t i = 0; i < total; i++) {
        yaml_node_t *k, *v;
        ydoc_pair(d, map, i, &k, &v);
        const char *text = ydoc_str(k);
        if (text && strcmp(text, "<<") != 0)
            keys[count++] = (struct key_ref){ text, k };
    }
    qsort(keys, count, sizeof(*keys), key_order);
    for (size_t i = 1; i < count; i++)
        if (strcmp(keys[i - 1].text, keys[i].text) == 0)
            return ydoc_error(d, keys[i].node, err, errlen, "duplicate key "
                              "\"%s\" (first given on line %d); keep one",
                              keys[i].text, ydoc_line(keys[i - 1].node));
    return 0;
}

/*
 * Rejects a key given twice in one mapping: readers take the first
 * match, so the second would be ignored in silence, and YAML requires
 * keys to be unique.
 */
static int check_keys(struct ydoc *d, char *err, size_t errlen)
{
    size_t most = 0;
    for (yaml_node_t *n = d->doc.nodes.start; n < d->doc.nodes.top; n++)
        if (ydoc_map_len(n) > most)
            most = ydoc_map_len(n);
    if (most < 2)
        return 0;
    struct key_ref *keys = malloc(most * sizeof(*keys));
    if (!keys) {
        snprintf(err, errlen, "%s: out of memory", d->name);
        return -1;
    }
    int rc = 0;
    for (yaml_node_t *n = d->doc.nodes.start;
         rc == 0 && n < d->doc.nodes.top; n++)
        rc = check_map(d, n, keys, err, errlen);
    free(keys);
    return rc;
}

int ydoc_load_string(struct ydoc *d, const char *name, const char *text,
                     size_t len, char *err, size_t errlen)
{
    yaml_parser_t parser;

    memset(d, 0, sizeof(*d));
    d->name = strdup(name ? name : "<input>");
    if (!d->name || !yaml_parser_initialize(&parser)) {
        snprintf(err, errlen, "%s: out of memory", name);
        free(d->name);
        d->name = NULL;
        return -1;
    }
    yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
    int ok = yaml_parser_load(&parser, &d->doc);
    int rc = ok ? 0 : parse_failed(d, &parser, err, errlen);
    yaml_parser_delete(&parser);
    if (rc == 0 && check_keys(d, err, errlen) < 0) {
        yaml_document_delete(&d->doc);
        rc = -1;
    }
    if (rc == 0)
        d->loaded = 1;
    else {
        free(d->name);
        d->name = NULL;
    }
    return rc;
}

int ydoc_load_file(struct ydoc *d, const char *path, char *err, size_t errlen)
{
    struct buf b;
    char why[128];
    buf_init(&b, YDOC_MAX_FILE);
    int rc = buf_read_file(&b, path, why, sizeof(why));
    if (rc < 0)
        snprintf(err, errlen, "%s: cannot read: %s", path, why);
    else
        rc = ydoc_load_string(d, path, b.data ? b.data : "", b.len, err,
                              errlen);
    buf_cleanup(&b);
    return rc;
}

void ydoc_free(struct ydoc *d)
{
    if (d->loaded)
        yaml_document_delete(&d->doc);
    free(d->name);
    memset(d, 0, sizeof(*d));
}

yaml_node_t *ydoc_root(struct ydoc *d)
{
    return d->loaded ? yaml_document_get_root_node(&d->doc) : NULL;
}

int ydoc_is_map(const yaml_node_t *n)
{
    return n && n->type == YAML_MAPPING_NODE;
}

int ydoc_is_seq(const yaml_node_t *n)
{
    return n && n->type == YAML_SEQUENCE_NODE;
}

const char *ydoc_str(const yaml_node_t *n)
{
    if (!n || n->type != YAML_SCALAR_NODE)
        return NULL;
    return (const char *)n->data.scalar.value;
}

int ydoc_line(const yaml_node_t *n)
{
    return n ? (int)n->start_mark.line + 1 : 0;
}

size_t ydoc_map_len(const yaml_node_t *map)
{
    if (!ydoc_is_map(map))
        return 0;
    return (size_t)(map->data.mapping.pairs.top -
                    map->data.mapping.pairs.start);
}

void ydoc_pair(struct ydoc *d, const yaml_node_t *map, size_t i,
               yaml_node_t **key, yaml_node_t **value)
{
    *key = *value = NULL;
    if (i >= ydoc_map_len(map))
        return;
    yaml_node_pair_t *pair = map->data.mapping.pairs.start + i;
    *key = yaml_document_get_node(&d->doc, pair->key);
    *value = yaml_document_get_node(&d->doc, pair->value);
}

yaml_node_t *ydoc_get(struct ydoc *d, const yaml_node_t *map, const char *key)
{
    size_t n = ydoc_map_len(map);
    for (size_t i = 0; i < n; i++) {
        yaml_node_t *k, *v;
        ydoc_pair(d, map, i, &k, &v);
        const char *s = ydoc_str(k);
        if (s && strcmp(s, key) == 0)
            return v;
    }
    return NULL;
}

const char *ydoc_get_str(struct ydoc *d, const yaml_node_t *map,
                         const char *key)
{
    return ydoc_str(ydoc_get(d, map, key));
}

size_t ydoc_len(const yaml_node_t *seq)
{
    if (!ydoc_is_seq(seq))
        return 0;
    return (size_t)(seq->data.sequence.items.top -
                    seq->data.sequence.items.start);
}

yaml_node_t *ydoc_item(struct ydoc *d, const yaml_node_t *seq, size_t i)
{
    if (i >= ydoc_len(seq))
        return NULL;
    return yaml_document_get_node(&d->doc, seq->data.sequence.items.start[i]);
}

int ydoc_error(struct ydoc *d, const yaml_node_t *n, char *err, size_t errlen,
               const char *fmt, ...)
{
    int used = snprintf(err, errlen, "%s:%d: ", d->name ? d->name : "<input>",
                        ydoc_line(n));
    if (used >= 0 && (size_t)used < errlen) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err + used, errlen - (size_t)used, fmt, ap);
        va_end(ap);
    }
    return -1;
}
