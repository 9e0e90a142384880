/*
 * A loaded YAML document with lookups that keep line numbers, so every
 * reader of kubeconfig, world, theme or ClusterConfig files can report
 * "file:line: message" and carry on.
 *
 * Nodes are borrowed from the document and live until ydoc_free().
 * Aliases stay references to one node (libyaml does not copy them), so
 * a small file cannot expand into a large tree.
 */
#ifndef ALBATROSS_YAMLDOC_H
#define ALBATROSS_YAMLDOC_H

#include <stdarg.h>
#include <stddef.h>
#include <yaml.h>

#define YDOC_MAX_FILE (16u << 20) /* 16 MiB */

struct ydoc {
    yaml_document_t doc;
    char *name;  /* file path or a label, used in messages */
    int loaded;
};

/* Each loader returns 0, or -1 with "name:line:column: what" in err.
 * An empty file loads as a document with no root. */
int ydoc_load_file(struct ydoc *d, const char *path, char *err, size_t errlen);
int ydoc_load_string(struct ydoc *d, const char *name, const char *text,
                     size_t len, char *err, size_t errlen);
void ydoc_free(struct ydoc *d);

yaml_node_t *ydoc_root(struct ydoc *d);
int ydoc_is_map(const yaml_node_t *n);
int ydoc_is_seq(const yaml_node_t *n);
/* Scalar text, or NULL when n is missing or not a scalar. */
const char *ydoc_str(const yaml_node_t *n);
/* 1-based line of n, or 0 for NULL. */
int ydoc_line(const yaml_node_t *n);

/* Value of key in a mapping; NULL if absent or map is not a mapping. */
yaml_node_t *ydoc_get(struct ydoc *d, const yaml_node_t *map, const char *key);
/* Scalar value of key, or NULL. */
const char *ydoc_get_str(struct ydoc *d, const yaml_node_t *map,
                         const char *key);

/* Sequence length (0 for anything else) and its i-th item. */
size_t ydoc_len(const yaml_node_t *seq);
yaml_node_t *ydoc_item(struct ydoc *d, const yaml_node_t *seq, size_t i);

/* Number of pairs in a mapping and the i-th key and value. */
size_t ydoc_map_len(const yaml_node_t *map);
void ydoc_pair(struct ydoc *d, const yaml_node_t *map, size_t i,
               yaml_node_t **key, yaml_node_t **value);

/* Writes "name:line: message" into err and returns -1, so a reader can
 * write `return ydoc_error(d, node, err, len, "...", ...);`. */
int ydoc_error(struct ydoc *d, const yaml_node_t *n, char *err, size_t errlen,
               const char *fmt, ...) __attribute__((format(printf, 5, 6)));

#endif
