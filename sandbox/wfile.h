/*
 * Readers for the fields of a world file, shared by the parts of
 * world_load. Each reader returns 0, or -1 with "path:line: message" in
 * the reader's error buffer; the message names the key and the fix.
 * Strings a reader returns are heap copies the caller owns.
 */
#ifndef SANDBOX_WFILE_H
#define SANDBOX_WFILE_H

#include <stddef.h>

#include "../api/yamldoc.h"
#include "world.h"

/* Creation time of anything the world file gives none for. */
#define WORLD_DEFAULT_CREATED "2024-05-01T10:00:00Z"

struct wfile {
    struct ydoc *doc;
    struct world *world;
    char *err;
    size_t errlen;
    /* Copy number while expanding `count: N` (1..N), substituted for
     * "{n}" in every string read; 0 outside a counted item. */
    unsigned long n;
};

/* Copy of s with "{n}" replaced by the copy number; NULL when memory
 * runs out. */
char *wfile_subst(const struct wfile *f, const char *s);

/* One name of a kind of item and where it was defined, for
 * wfile_unique. */
struct wfile_name {
    char *key;              /* owned, freed by wfile_unique */
    int line;
};

/* Fails when two of names are equal (ignoring case when nocase is set);
 * what names the kind ("role name"). Sorts and frees the keys. */
int wfile_unique(struct wfile *f, struct wfile_name *names, size_t count,
                 int nocase, const char *what);

/* Fails with message at node n; always returns -1. */
int wfile_fail(struct wfile *f, const yaml_node_t *n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Checks that map is a mapping whose keys are all in allowed (a
 * NULL-terminated list); what names the item in messages ("role"). */
int wfile_keys(struct wfile *f, const yaml_node_t *map, const char *what,
               const char *const *allowed);

/* Scalar of key with "{n}" substituted; *out stays NULL when the key is
 * absent and not required. */
int wfile_str(struct wfile *f, const yaml_node_t *map, const char *key,
              int required, char **out);
/* Integer of key within [min, max]; *out is kept when the key is absent. */
int wfile_int(struct wfile *f, const yaml_node_t *map, const char *key,
              long min, long max, long *out);
/* true or false; *out is kept when the key is absent. */
int wfile_bool(struct wfile *f, const yaml_node_t *map, const char *key,
               int *out);
/* A mapping of scalars to scalars, e.g. tags or annotations. */
int wfile_kv(struct wfile *f, const yaml_node_t *map, const char *key,
             struct world_kv_list *out);
/* A sequence of scalars. */
int wfile_strs(struct wfile *f, const yaml_node_t *map, const char *key,
               char ***out, size_t *count);
/* A JSON document given as a YAML mapping or as a JSON string; *out is
 * compact JSON text (mapping) or the string as written. The document
 * must be an object; with statements set it must carry "Statement". */
int wfile_json(struct wfile *f, const yaml_node_t *map, const char *key,
               int required, int statements, char **out);
/* An RFC 3339 time "2024-05-01T10:00:00Z" (seconds, UTC); *out is a copy
 * of fallback when the key is absent. */
int wfile_time(struct wfile *f, const yaml_node_t *map, const char *key,
               const char *fallback, char **out);

/* `count` of an item (1 when absent), and a check that a counted item's
 * name carries "{n}" so the copies differ. */
int wfile_count(struct wfile *f, const yaml_node_t *map,
                const char *name_key, unsigned long *count);

/* Deterministic identifiers derived from seed with SHA-256, so a world
 * file gives the same ids on every load: len characters of upper-case
 * hex, of the AWS id alphabet (A-Z, 2-7), or of lower-case hex. */
enum wfile_alphabet { WFILE_UPPER_HEX, WFILE_BASE32, WFILE_LOWER_HEX };
char *wfile_derive(const char *prefix, const char *seed, size_t len,
                   enum wfile_alphabet alphabet);
/* A version 4 style UUID derived from seed. */
char *wfile_uuid(const char *seed);

/* printf into a new heap string; NULL when memory runs out. */
char *wfile_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

void wfile_kv_free(struct world_kv_list *l);
void wfile_strs_free(char **v, size_t count);

#endif
