/* Parsing of write bodies, JSON merge patch and JSON patch. */
#include "k8s_patch.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../api/yamldoc.h"

/* A YAML document's nesting and node count, bounded so that a body
 * whose aliases refer to each other cannot expand without end. */
#define YAML_DEPTH_MAX  64
#define YAML_NODES_MAX  200000

/* ---- bodies -------------------------------------------------------------- */

static cJSON *yaml_scalar(const yaml_node_t *n)
{
    const char *s = (const char *)n->data.scalar.value;
    char *end;
    double number;

    if (n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
        return cJSON_CreateString(s);
    if (!*s || !strcmp(s, "~") || !strcasecmp(s, "null"))
        return cJSON_CreateNull();
    if (!strcmp(s, "true") || !strcmp(s, "True") || !strcmp(s, "TRUE"))
        return cJSON_CreateTrue();
    if (!strcmp(s, "false") || !strcmp(s, "False") || !strcmp(s, "FALSE"))
        return cJSON_CreateFalse();
    errno = 0;
    number = strtod(s, &end);
    if (!*end && !errno && strpbrk(s, "0123456789") &&
        !strpbrk(s, "xXnN") && s[0] != '.')
        return cJSON_CreateNumber(number);
    return cJSON_CreateString(s);
}

struct yaml_walk {
    struct ydoc *doc;
    size_t nodes;
    char *err;
    size_t errlen;
};

static cJSON *yaml_to_json(struct yaml_walk *w, yaml_node_t *n, int depth);

static cJSON *yaml_map(struct yaml_walk *w, yaml_node_t *n, int depth)
{
    cJSON *obj = cJSON_CreateObject();

    for (size_t i = 0; obj && i < ydoc_map_len(n); i++) {
        yaml_node_t *key, *value;
        cJSON *item;

        ydoc_pair(w->doc, n, i, &key, &value);
        if (!ydoc_str(key)) {
            snprintf(w->err, w->errlen, "line %d: a mapping key is not a "
                     "string", ydoc_line(key));
            cJSON_Delete(obj);
            return NULL;
        }
        item = yaml_to_json(w, value, depth + 1);
        if (!item) {
            cJSON_Delete(obj);
            return NULL;
        }
        cJSON_DeleteItemFromObjectCaseSensitive(obj, ydoc_str(key));
        cJSON_AddItemToObject(obj, ydoc_str(key), item);
    }
    return obj;
}

static cJSON *yaml_to_json(struct yaml_walk *w, yaml_node_t *n, int depth)
{
    cJSON *out = NULL;

    if (!n || depth > YAML_DEPTH_MAX || ++w->nodes > YAML_NODES_MAX) {
        snprintf(w->err, w->errlen, "line %d: the document is nested "
                 "deeper than %d levels or has more than %d nodes",
                 ydoc_line(n), YAML_DEPTH_MAX, YAML_NODES_MAX);
        return NULL;
    }
    if (n->type == YAML_SCALAR_NODE)
        return yaml_scalar(n);
    if (ydoc_is_map(n))
        return yaml_map(w, n, depth);
    out = cJSON_CreateArray();
    for (size_t i = 0; out && i < ydoc_len(n); i++) {
        cJSON *item = yaml_to_json(w, ydoc_item(w->doc, n, i), depth + 1);

        if (!item) {
            cJSON_Delete(out);
            return NULL;
        }
        cJSON_AddItemToArray(out, item);
    }
    return out;
}

static cJSON *parse_yaml(const char *body, size_t len, char *err,
                         size_t errlen)
{
    struct ydoc doc;
    struct yaml_walk w = { &doc, 0, err, errlen };
    cJSON *out;

    if (ydoc_load_string(&doc, "body", body, len, err, errlen) < 0)
        return NULL;
    if (!ydoc_root(&doc)) {
        snprintf(err, errlen, "the body is empty");
        ydoc_free(&doc);
        return NULL;
    }
    out = yaml_to_json(&w, ydoc_root(&doc), 0);
    ydoc_free(&doc);
    return out;
}

cJSON *k8s_parse_body(const char *body, size_t len, int yaml, char *err,
                      size_t errlen)
{
    const char *end = NULL;
    cJSON *doc;

    if (yaml)
        return parse_yaml(body, len, err, errlen);
    doc = cJSON_ParseWithLengthOpts(body, len, &end, 0);
    if (!doc) {
        size_t at = end && end >= body ? (size_t)(end - body) : 0;

        snprintf(err, errlen, len ? "invalid JSON at byte %zu" :
                 "the body is empty", at);
    }
    return doc;
}

/* ---- JSON merge patch ---------------------------------------------------- */

int k8s_merge_patch(cJSON **target, const cJSON *patch)
{
    const cJSON *item;

    if (!cJSON_IsObject(patch)) {
        cJSON *copy = cJSON_Duplicate(patch, 1);

        if (!copy)
            return -1;
        cJSON_Delete(*target);
        *target = copy;
        return 0;
    }
    if (!cJSON_IsObject(*target)) {
        cJSON_Delete(*target);
        if (!(*target = cJSON_CreateObject()))
            return -1;
    }
    cJSON_ArrayForEach(item, patch) {
        cJSON *old = cJSON_DetachItemFromObjectCaseSensitive(*target,
                                                             item->string);

        if (cJSON_IsNull(item)) {
            cJSON_Delete(old);
            continue;
        }
        if (k8s_merge_patch(&old, item) < 0) {
            cJSON_Delete(old);
            return -1;
        }
        cJSON_AddItemToObject(*target, item->string, old);
    }
    return 0;
}

/* ---- JSON patch ---------------------------------------------------------- */

/* One step of a JSON pointer, unescaped (~1 is '/', ~0 is '~'). */
static int pointer_token(const char **p, char *out, size_t outlen)
{
    size_t n = 0;

    if (**p != '/')
        return -1;
    for ((*p)++; **p && **p != '/'; (*p)++) {
        char c = **p;

        if (c == '~') {
            (*p)++;
            if (**p != '0' && **p != '1')
                return -1;
            c = **p == '0' ? '~' : '/';
        }
        if (n + 1 >= outlen)
            return -1;
        out[n++] = c;
    }
    out[n] = '\0';
    return 0;
}

/* Array index of token in an array of count items; "-" is count. */
static long array_index(const char *token, int size, int allow_end)
{
    char *end;
    long i;

    if (allow_end && !strcmp(token, "-"))
        return size;
    if (!*token || (token[0] == '0' && token[1]) || token[0] == '-')
        return -1;
    i = strtol(token, &end, 10);
    if (*end || i > size || (!allow_end && i == size))
        return -1;
    return i;
}

/*
 * Finds the parent of the value path names, and its last token. Returns
 * the parent, or NULL when a step before the last does not exist.
 */
static cJSON *resolve_parent(cJSON *doc, const char *path, char *last,
                             size_t lastlen)
{
    const char *p = path;
    cJSON *cur = doc;
    char token[512];

    if (pointer_token(&p, last, lastlen) < 0)
        return NULL;
    while (*p) {
        snprintf(token, sizeof(token), "%s", last);
        if (cJSON_IsArray(cur)) {
            long i = array_index(token, cJSON_GetArraySize(cur), 0);

            cur = i < 0 ? NULL : cJSON_GetArrayItem(cur, (int)i);
        } else {
            cur = cJSON_GetObjectItemCaseSensitive(cur, token);
        }
        if (!cur || pointer_token(&p, last, lastlen) < 0)
            return NULL;
    }
    return cur;
}

static cJSON *get_value(cJSON *doc, const char *path)
{
    char last[512];
    cJSON *parent;

    if (!*path)
        return doc;
    parent = resolve_parent(doc, path, last, sizeof(last));
    if (cJSON_IsArray(parent)) {
        long i = array_index(last, cJSON_GetArraySize(parent), 0);

        return i < 0 ? NULL : cJSON_GetArrayItem(parent, (int)i);
    }
    return cJSON_IsObject(parent) ?
           cJSON_GetObjectItemCaseSensitive(parent, last) : NULL;
}

/* Detaches the value at path; NULL when there is none. */
static cJSON *detach_value(cJSON *doc, const char *path)
{
    char last[512];
    cJSON *parent = *path ? resolve_parent(doc, path, last, sizeof(last))
                          : NULL;

    if (cJSON_IsArray(parent)) {
        long i = array_index(last, cJSON_GetArraySize(parent), 0);

        return i < 0 ? NULL : cJSON_DetachItemFromArray(parent, (int)i);
    }
    return cJSON_IsObject(parent) ?
           cJSON_DetachItemFromObjectCaseSensitive(parent, last) : NULL;
}

/* Inserts value (taken) into array before index i, or at the end when
 * i is the size. cJSON_InsertItemInArray of cJSON 1.7.15 returns false
 * for an array from cJSON_Parse, so the items from i on move behind the
 * new one instead. */
static void insert_at(cJSON *array, int i, cJSON *value)
{
    int after = cJSON_GetArraySize(array) - i;

    cJSON_AddItemToArray(array, value);
    for (int n = 0; n < after; n++)
        cJSON_AddItemToArray(array, cJSON_DetachItemFromArray(array, i));
}

/* Adds value (taken) at path, replacing an object member or inserting
 * into an array. Returns 0 or -1 (value freed). */
static int add_value(cJSON **doc, const char *path, cJSON *value)
{
    char last[512];
    cJSON *parent;

    if (!*path) {
        cJSON_Delete(*doc);
        *doc = value;
        return 0;
    }
    parent = resolve_parent(*doc, path, last, sizeof(last));
    if (cJSON_IsArray(parent)) {
        int size = cJSON_GetArraySize(parent);
        long i = array_index(last, size, 1);

        if (i < 0)
            goto fail;
        insert_at(parent, (int)i, value);
        return 0;
    }
    if (cJSON_IsObject(parent)) {
        cJSON_DeleteItemFromObjectCaseSensitive(parent, last);
        cJSON_AddItemToObject(parent, last, value);
        return 0;
    }
fail:
    cJSON_Delete(value);
    return -1;
}

static int apply_op(cJSON **doc, const char *op, const char *path,
                    const cJSON *value, const char *from)
{
    cJSON *moved;

    if (!strcmp(op, "add"))
        return value ? add_value(doc, path, cJSON_Duplicate(value, 1)) : -1;
    if (!strcmp(op, "remove")) {
        cJSON *old = detach_value(*doc, path);

        cJSON_Delete(old);
        return old ? 0 : -1;
    }
    if (!strcmp(op, "replace")) {
        if (!value || !get_value(*doc, path))
            return -1;
        return add_value(doc, path, cJSON_Duplicate(value, 1));
    }
    if (!strcmp(op, "test"))
        return value && cJSON_Compare(get_value(*doc, path), value, 1)
               ? 0 : -1;
    if (!from)
        return -1;
    if (!strcmp(op, "copy")) {
        const cJSON *source = get_value(*doc, from);

        return source ? add_value(doc, path, cJSON_Duplicate(source, 1))
                      : -1;
    }
    if (!strcmp(op, "move")) {
        size_t n = strlen(from);

        /* A value cannot move into one of its own children. */
        if (!strncmp(path, from, n) && path[n] == '/')
            return -1;
        moved = detach_value(*doc, from);
        return moved ? add_value(doc, path, moved) : -1;
    }
    return -1;
}

int k8s_json_patch(cJSON **doc, const cJSON *ops, char *err, size_t errlen)
{
    const cJSON *item;
    int n = 0;

    if (!cJSON_IsArray(ops)) {
        snprintf(err, errlen, "a JSON patch must be an array of "
                 "operations");
        return -1;
    }
    cJSON_ArrayForEach(item, ops) {
        const char *op = cJSON_GetStringValue(
            cJSON_GetObjectItemCaseSensitive(item, "op"));
        const char *path = cJSON_GetStringValue(
            cJSON_GetObjectItemCaseSensitive(item, "path"));
        const char *from = cJSON_GetStringValue(
            cJSON_GetObjectItemCaseSensitive(item, "from"));
        const cJSON *value = cJSON_GetObjectItemCaseSensitive(item, "value");

        if (!op || !path) {
            snprintf(err, errlen, "operation %d lacks \"op\" or \"path\"", n);
            return -1;
        }
        if (apply_op(doc, op, path, value, from) < 0) {
            snprintf(err, errlen, "operation %d (%.16s %.200s) failed: "
                     "the path does not exist, the value is missing or a "
                     "test did not match", n, op, path);
            return -1;
        }
        n++;
    }
    return 0;
}
