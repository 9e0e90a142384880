#include "wfile.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <openssl/sha.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../api/base64.h"
#include "../api/buf.h"

/* A YAML document converted to JSON may reference one node many times
 * through aliases; these bounds keep a small file from growing large. */
#define JSON_MAX_DEPTH 64
#define JSON_MAX_NODES 100000

int wfile_fail(struct wfile *f, const yaml_node_t *n, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    return ydoc_error(f->doc, n, f->err, f->errlen, "%s", msg);
}

static int in_list(const char *s, const char *const *list)
{
    for (; *list; list++)
        if (strcmp(s, *list) == 0)
            return 1;
    return 0;
}

static void join(char *out, size_t len, const char *const *list)
{
    size_t used = 0;
    out[0] = '\0';
    for (; *list && used < len; list++) {
        int n = snprintf(out + used, len - used, "%s%s",
                         used ? ", " : "", *list);
        if (n < 0)
            break;
        used += (size_t)n;
    }
}

int wfile_keys(struct wfile *f, const yaml_node_t *map, const char *what,
               const char *const *allowed)
{
    if (!ydoc_is_map(map))
        return wfile_fail(f, map, "%s must be a mapping of keys to values",
                          what);
    size_t count = ydoc_map_len(map);
    for (size_t i = 0; i < count; i++) {
        yaml_node_t *k, *v;
        ydoc_pair(f->doc, map, i, &k, &v);
        const char *name = ydoc_str(k);
        if (!name)
            return wfile_fail(f, k, "%s has a key that is not a string",
                              what);
        if (!in_list(name, allowed)) {
            char names[400];
            join(names, sizeof(names), allowed);
            return wfile_fail(f, k, "unknown key '%s' in %s; use one of: %s",
                              name, what, names);
        }
    }
    return 0;
}

/* Copies s with every "{n}" replaced by f->n (when counting). */
char *wfile_subst(const struct wfile *f, const char *s)
{
    if (!f->n || !strstr(s, "{n}"))
        return strdup(s);
    struct buf b;
    buf_init(&b, 0);
    char num[24];
    snprintf(num, sizeof(num), "%lu", f->n);
    const char *p;
    while ((p = strstr(s, "{n}")) != NULL) {
        if (buf_append(&b, s, (size_t)(p - s)) < 0 || buf_puts(&b, num) < 0)
            break;
        s = p + 3;
    }
    if (buf_puts(&b, s) < 0) {
        buf_cleanup(&b);
        return NULL;
    }
    return buf_take(&b);
}

static int oom(struct wfile *f, const yaml_node_t *n)
{
    return wfile_fail(f, n, "out of memory");
}

static int scalar(struct wfile *f, const yaml_node_t *map, const char *key,
                  yaml_node_t **node)
{
    *node = ydoc_get(f->doc, map, key);
    if (*node && !ydoc_str(*node))
        return wfile_fail(f, *node, "'%s' must be a single value, not a "
                          "list or mapping", key);
    return 0;
}

int wfile_str(struct wfile *f, const yaml_node_t *map, const char *key,
              int required, char **out)
{
    yaml_node_t *n;
    *out = NULL;
    if (scalar(f, map, key, &n) < 0)
        return -1;
    if (!n) {
        if (required)
            return wfile_fail(f, map, "missing '%s'; add %s: VALUE", key,
                              key);
        return 0;
    }
    if (required && !ydoc_str(n)[0])
        return wfile_fail(f, n, "'%s' is empty; give it a value", key);
    *out = wfile_subst(f, ydoc_str(n));
    return *out ? 0 : oom(f, n);
}

int wfile_int(struct wfile *f, const yaml_node_t *map, const char *key,
              long min, long max, long *out)
{
    yaml_node_t *n;
    if (scalar(f, map, key, &n) < 0)
        return -1;
    if (!n)
        return 0;
    const char *s = ydoc_str(n);
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < min || v > max)
        return wfile_fail(f, n, "'%s' is '%s'; use a whole number from %ld "
                          "to %ld", key, s, min, max);
    *out = v;
    return 0;
}

int wfile_bool(struct wfile *f, const yaml_node_t *map, const char *key,
               int *out)
{
    yaml_node_t *n;
    if (scalar(f, map, key, &n) < 0)
        return -1;
    if (!n)
        return 0;
    const char *s = ydoc_str(n);
    if (strcmp(s, "true") == 0)
        *out = 1;
    else if (strcmp(s, "false") == 0)
        *out = 0;
    else
        return wfile_fail(f, n, "'%s' is '%s'; use true or false", key, s);
    return 0;
}

void wfile_kv_free(struct world_kv_list *l)
{
    for (size_t i = 0; i < l->count; i++) {
        free(l->items[i].key);
        free(l->items[i].value);
    }
    free(l->items);
    l->items = NULL;
    l->count = 0;
}

#define BINARY_TAG "tag:yaml.org,2002:binary"

/* A value tagged !!binary holds base64 of bytes that YAML text cannot
 * (invalid UTF-8), so a world can send them to test clients; a NUL byte
 * in them ends the value. Returns 0, or -1 on invalid base64. */
static int kv_value(struct wfile *f, const yaml_node_t *v, char **out)
{
    const char *text = ydoc_str(v);
    *out = NULL;
    if (!v->tag || strcmp((const char *)v->tag, BINARY_TAG) != 0) {
        *out = wfile_subst(f, text);
        return *out ? 0 : oom(f, v);
    }
    struct buf b;
    buf_init(&b, 1u << 20);
    if (base64_decode(text, strlen(text), &b) < 0) {
        buf_cleanup(&b);
        return wfile_fail(f, v, "a !!binary value must be base64 of at "
                          "most 1 MiB");
    }
    *out = buf_take(&b);
    return *out ? 0 : oom(f, v);
}

int wfile_kv(struct wfile *f, const yaml_node_t *map, const char *key,
             struct world_kv_list *out)
{
    yaml_node_t *m = ydoc_get(f->doc, map, key);
    if (!m)
        return 0;
    if (!ydoc_is_map(m))
        return wfile_fail(f, m, "'%s' must be a mapping such as "
                          "'%s: {name: value}'", key, key);
    size_t count = ydoc_map_len(m);
    out->items = calloc(count ? count : 1, sizeof(*out->items));
    if (!out->items)
        return oom(f, m);
    for (size_t i = 0; i < count; i++) {
        yaml_node_t *k, *v;
        ydoc_pair(f->doc, m, i, &k, &v);
        if (!ydoc_str(k) || !ydoc_str(v))
            return wfile_fail(f, k, "'%s' entries must be 'name: value' "
                              "strings", key);
        out->items[i].key = wfile_subst(f, ydoc_str(k));
        out->count = i + 1;
        if (!out->items[i].key)
            return oom(f, k);
        if (kv_value(f, v, &out->items[i].value) < 0)
            return -1;
    }
    return 0;
}

void wfile_strs_free(char **v, size_t count)
{
    for (size_t i = 0; i < count; i++)
        free(v[i]);
    free(v);
}

int wfile_strs(struct wfile *f, const yaml_node_t *map, const char *key,
               char ***out, size_t *count)
{
    yaml_node_t *s = ydoc_get(f->doc, map, key);
    *out = NULL;
    *count = 0;
    if (!s)
        return 0;
    if (!ydoc_is_seq(s))
        return wfile_fail(f, s, "'%s' must be a list such as '%s: [a, b]'",
                          key, key);
    size_t len = ydoc_len(s);
    *out = calloc(len ? len : 1, sizeof(**out));
    if (!*out)
        return oom(f, s);
    for (size_t i = 0; i < len; i++) {
        yaml_node_t *item = ydoc_item(f->doc, s, i);
        if (!ydoc_str(item))
            return wfile_fail(f, item, "items of '%s' must be strings", key);
        (*out)[i] = wfile_subst(f, ydoc_str(item));
        *count = i + 1;
        if (!(*out)[i])
            return oom(f, item);
    }
    return 0;
}

/* Plain (unquoted) true, false, null and integers keep their JSON type;
 * everything else becomes a string, as IAM stores policy values. */
static cJSON *json_scalar(struct wfile *f, const yaml_node_t *n)
{
    const char *s = ydoc_str(n);
    if (n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE) {
        if (strcmp(s, "true") == 0 || strcmp(s, "false") == 0)
            return cJSON_CreateBool(s[0] == 't');
        if (strcmp(s, "null") == 0 || strcmp(s, "~") == 0)
            return cJSON_CreateNull();
        char *end;
        errno = 0;
        long long v = strtoll(s, &end, 10);
        if (*s && !*end && !errno && v > -(1LL << 53) && v < (1LL << 53))
            return cJSON_CreateNumber((double)v);
    }
    char *text = wfile_subst(f, s);
    cJSON *j = text ? cJSON_CreateString(text) : NULL;
    free(text);
    return j;
}

static cJSON *to_json(struct wfile *f, const yaml_node_t *n, int depth,
                      size_t *budget);

static cJSON *json_map(struct wfile *f, const yaml_node_t *n, int depth,
                       size_t *budget)
{
    cJSON *obj = cJSON_CreateObject();
    size_t count = ydoc_map_len(n);
    for (size_t i = 0; obj && i < count; i++) {
        yaml_node_t *k, *v;
        ydoc_pair(f->doc, n, i, &k, &v);
        if (!ydoc_str(k)) {
            wfile_fail(f, k, "policy keys must be strings");
            cJSON_Delete(obj);
            return NULL;
        }
        char *name = wfile_subst(f, ydoc_str(k));
        cJSON *value = name ? to_json(f, v, depth + 1, budget) : NULL;
        if (!value || !cJSON_AddItemToObject(obj, name, value)) {
            cJSON_Delete(value);
            cJSON_Delete(obj);
            obj = NULL;
        }
        free(name);
    }
    return obj;
}

static cJSON *json_seq(struct wfile *f, const yaml_node_t *n, int depth,
                       size_t *budget)
{
    cJSON *arr = cJSON_CreateArray();
    size_t count = ydoc_len(n);
    for (size_t i = 0; arr && i < count; i++) {
        cJSON *value = to_json(f, ydoc_item(f->doc, n, i), depth + 1, budget);
        if (!value || !cJSON_AddItemToArray(arr, value)) {
            cJSON_Delete(value);
            cJSON_Delete(arr);
            arr = NULL;
        }
    }
    return arr;
}

static cJSON *to_json(struct wfile *f, const yaml_node_t *n, int depth,
                      size_t *budget)
{
    if (depth > JSON_MAX_DEPTH || *budget == 0) {
        wfile_fail(f, n, "document is nested deeper than %d levels or has "
                   "more than %d values", JSON_MAX_DEPTH, JSON_MAX_NODES);
        return NULL;
    }
    --*budget;
    if (ydoc_is_map(n))
        return json_map(f, n, depth, budget);
    if (ydoc_is_seq(n))
        return json_seq(f, n, depth, budget);
    cJSON *j = ydoc_str(n) ? json_scalar(f, n) : cJSON_CreateNull();
    if (!j)
        oom(f, n);
    return j;
}

static int check_document(struct wfile *f, const yaml_node_t *n,
                          const char *key, const cJSON *doc, int statements)
{
    if (!cJSON_IsObject(doc))
        return wfile_fail(f, n, "'%s' must be a JSON object", key);
    if (statements && !cJSON_GetObjectItemCaseSensitive(doc, "Statement"))
        return wfile_fail(f, n, "'%s' has no Statement; add Statement: "
                          "[{Effect: Allow, ...}]", key);
    return 0;
}

static int json_from_string(struct wfile *f, const yaml_node_t *n,
                            const char *key, int statements, char **out)
{
    char *text = wfile_subst(f, ydoc_str(n));
    if (!text)
        return oom(f, n);
    cJSON *doc = cJSON_Parse(text);
    if (!doc) {
        free(text);
        return wfile_fail(f, n, "'%s' is not valid JSON; write it as a YAML "
                          "mapping or as a JSON string", key);
    }
    int rc = check_document(f, n, key, doc, statements);
    cJSON_Delete(doc);
    if (rc < 0)
        free(text);
    else
        *out = text;
    return rc;
}

int wfile_json(struct wfile *f, const yaml_node_t *map, const char *key,
               int required, int statements, char **out)
{
    yaml_node_t *n = ydoc_get(f->doc, map, key);
    *out = NULL;
    if (!n)
        return required ? wfile_fail(f, map, "missing '%s'; add it as a "
                                     "YAML mapping or a JSON string", key)
                        : 0;
    if (ydoc_str(n))
        return json_from_string(f, n, key, statements, out);
    size_t budget = JSON_MAX_NODES;
    cJSON *doc = to_json(f, n, 0, &budget);
    if (!doc)
        return -1;
    int rc = check_document(f, n, key, doc, statements);
    if (rc == 0) {
        *out = cJSON_PrintUnformatted(doc);
        if (!*out)
            rc = oom(f, n);
    }
    cJSON_Delete(doc);
    return rc;
}

static int valid_time(const char *s)
{
    int y, mo, d, h, mi, se;
    char z;
    if (strlen(s) != 20 ||
        sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%c", &y, &mo, &d, &h, &mi, &se,
               &z) != 7)
        return 0;
    return z == 'Z' && y >= 1970 && mo >= 1 && mo <= 12 && d >= 1 &&
           d <= 31 && h <= 23 && mi <= 59 && se <= 60;
}

int wfile_time(struct wfile *f, const yaml_node_t *map, const char *key,
               const char *fallback, char **out)
{
    if (wfile_str(f, map, key, 0, out) < 0)
        return -1;
    if (!*out) {
        *out = strdup(fallback);
        return *out ? 0 : oom(f, map);
    }
    if (!valid_time(*out)) {
        yaml_node_t *n = ydoc_get(f->doc, map, key);
        int rc = wfile_fail(f, n, "'%s' is '%s'; use UTC RFC 3339 such as "
                            "2024-05-01T10:00:00Z", key, *out);
        free(*out);
        *out = NULL;
        return rc;
    }
    return 0;
}

int wfile_count(struct wfile *f, const yaml_node_t *map,
                const char *name_key, unsigned long *count)
{
    long n = 1;
    if (wfile_int(f, map, "count", 1, 100000, &n) < 0)
        return -1;
    *count = (unsigned long)n;
    const char *name = ydoc_get_str(f->doc, map, name_key);
    if (n > 1 && name && !strstr(name, "{n}"))
        return wfile_fail(f, ydoc_get(f->doc, map, "count"),
                          "count is %ld but %s '%s' has no {n}; put {n} "
                          "in the name so each copy is unique", n, name_key,
                          name);
    return 0;
}

char *wfile_derive(const char *prefix, const char *seed, size_t len,
                   enum wfile_alphabet alphabet)
{
    static const char *const sets[] = {
        [WFILE_UPPER_HEX] = "0123456789ABCDEF",
        [WFILE_BASE32] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567",
        [WFILE_LOWER_HEX] = "0123456789abcdef",
    };
    const char *set = sets[alphabet];
    size_t base = strlen(set);
    unsigned char md[SHA256_DIGEST_LENGTH];
    SHA256((const unsigned char *)seed, strlen(seed), md);
    size_t plen = strlen(prefix);
    char *out = malloc(plen + len + 1);
    if (!out)
        return NULL;
    memcpy(out, prefix, plen);
    /* One digest byte per character: 32 characters at most, which is
     * more than any id here needs. */
    for (size_t i = 0; i < len; i++)
        out[plen + i] = set[md[i % sizeof(md)] % base];
    out[plen + len] = '\0';
    return out;
}

char *wfile_uuid(const char *seed)
{
    unsigned char md[SHA256_DIGEST_LENGTH];
    SHA256((const unsigned char *)seed, strlen(seed), md);
    md[6] = (unsigned char)((md[6] & 0x0f) | 0x40);
    md[8] = (unsigned char)((md[8] & 0x3f) | 0x80);
    return wfile_printf("%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
                        "%02x%02x%02x%02x%02x%02x",
                        md[0], md[1], md[2], md[3], md[4], md[5], md[6], md[7],
                        md[8], md[9], md[10], md[11], md[12], md[13], md[14],
                        md[15]);
}

char *wfile_printf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return NULL;
    char *s = malloc((size_t)n + 1);
    if (!s)
        return NULL;
    va_start(ap, fmt);
    vsnprintf(s, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return s;
}

static int compare_names(const void *a, const void *b)
{
    const struct wfile_name *x = a, *y = b;
    int c = strcmp(x->key, y->key);
    return c ? c : x->line - y->line;
}

static int compare_names_nocase(const void *a, const void *b)
{
    const struct wfile_name *x = a, *y = b;
    int c = strcasecmp(x->key, y->key);
    return c ? c : x->line - y->line;
}

int wfile_unique(struct wfile *f, struct wfile_name *names, size_t count,
                 int nocase, const char *what)
{
    int rc = 0;
    qsort(names, count, sizeof(*names),
          nocase ? compare_names_nocase : compare_names);
    for (size_t i = 1; i < count && rc == 0; i++) {
        const char *a = names[i - 1].key, *b = names[i].key;
        if (nocase ? strcasecmp(a, b) != 0 : strcmp(a, b) != 0)
            continue;
        snprintf(f->err, f->errlen, "%s:%d: duplicate %s '%s' (first at "
                 "line %d); give each one a different name", f->doc->name,
                 names[i].line, what, b, names[i - 1].line);
        rc = -1;
    }
    for (size_t i = 0; i < count; i++)
        free(names[i].key);
    return rc;
}
