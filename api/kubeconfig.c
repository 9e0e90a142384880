/*
 * kubeconfig reading, with kubectl's rules:
 * - KUBECONFIG lists files separated by ':'; missing files are skipped;
 *   for clusters, users and contexts the first file that defines a name
 *   wins, and current-context comes from the first file that sets it.
 * - A name defined twice in one file, a value of the wrong type and bad
 *   base64 make the whole load fail, as they make kubectl fail.
 * - Problems that kubectl reports only when an entry is used (missing
 *   server, unreadable certificate file, unsupported exec apiVersion) are
 *   kept in the entry's error and reported by kubeconfig_endpoint, so one
 *   stale entry does not hide every context.
 * - Relative file paths, and exec commands that contain a '/', are
 *   resolved against the directory of the kubeconfig file that names them.
 */
#include "kubeconfig.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "base64.h"
#include "buf.h"
#include "yamldoc.h"
#include "strutil.h"

#define MAX_ENTRIES 10000           /* clusters, users or contexts */
#define MAX_EXEC_ITEMS 1024         /* exec args or env entries */
#define MAX_REFERENCED_FILE (1u << 20)
/* Bytes copied out of all documents of one load. YAML aliases let a small
 * file name one large scalar many times; this keeps the copies bounded. */
#define COPY_BUDGET (64u << 20)

#define EXEC_V1BETA1 "client.authentication.k8s.io/v1beta1"
#define EXEC_V1 "client.authentication.k8s.io/v1"
#define EXEC_V1ALPHA1 "client.authentication.k8s.io/v1alpha1"

struct reader {
    struct ydoc *d;
    char *dir;              /* directory of the file, for relative paths */
    size_t budget;          /* bytes left to copy */
    char *err;
    size_t errlen;
};

/* ---- reading values ---------------------------------------------------- */

static const char *kind_name(const yaml_node_t *n)
{
    if (ydoc_is_map(n))
        return "a mapping";
    if (ydoc_is_seq(n))
        return "a list";
    return "a string";
}

/* YAML null (absent value) as Go's YAML decoder reads it. */
static int is_null(const yaml_node_t *n)
{
    if (!n)
        return 1;
    if (n->type != YAML_SCALAR_NODE ||
        n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
        return 0;
    const char *s = ydoc_str(n);
    return !*s || !strcmp(s, "~") || !strcmp(s, "null") ||
           !strcmp(s, "Null") || !strcmp(s, "NULL");
}

static int fail(struct reader *r, const yaml_node_t *n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int fail(struct reader *r, const yaml_node_t *n, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    return ydoc_error(r->d, n, r->err, r->errlen, "%s", msg);
}

static char *copy_str(struct reader *r, const char *s, size_t len)
{
    if (len >= r->budget)
        return NULL;
    r->budget -= len + 1;
    return strndup(s, len);
}

static int no_memory(struct reader *r, const yaml_node_t *n)
{
    return fail(r, n, "out of memory, or the file repeats large values "
                "through aliases more than %u MiB", COPY_BUDGET >> 20);
}

/*
 * Copies the string at key of map into *out; leaves *out NULL when the key
 * is absent or null. where names the map for messages ("users[1].user").
 */
static int get_str(struct reader *r, yaml_node_t *map, const char *where,
                   const char *key, char **out)
{
    yaml_node_t *n = ydoc_get(r->d, map, key);
    *out = NULL;
    if (is_null(n))
        return 0;
    const char *s = ydoc_str(n);
    if (!s)
        return fail(r, n, "%s.%s must be a string, not %s", where, key,
                    kind_name(n));
    *out = copy_str(r, s, n->data.scalar.length);
    return *out ? 0 : no_memory(r, n);
}

static int get_bool(struct reader *r, yaml_node_t *map, const char *where,
                    const char *key, int *out)
{
    static const char *const yes[] = { "true", "True", "TRUE", "yes",
                                       "Yes", "YES", "on", "On", "ON" };
    static const char *const no[] = { "false", "False", "FALSE", "no",
                                      "No", "NO", "off", "Off", "OFF" };
    yaml_node_t *n = ydoc_get(r->d, map, key);
    const char *s = ydoc_str(n);

    *out = 0;
    if (is_null(n))
        return 0;
    for (size_t i = 0; s && i < sizeof(yes) / sizeof(yes[0]); i++) {
        if (!strcmp(s, yes[i]))
            return *out = 1, 0;
        if (!strcmp(s, no[i]))
            return 0;
    }
    return fail(r, n, "%s.%s must be true or false", where, key);
}

/* Decodes the base64 at key (certificate-authority-data, ...) to text. */
static int get_data(struct reader *r, yaml_node_t *map, const char *where,
                    const char *key, char **out)
{
    yaml_node_t *n = ydoc_get(r->d, map, key);
    char *text;
    *out = NULL;
    if (get_str(r, map, where, key, &text) < 0)
        return -1;
    if (!text)
        return 0;

    struct buf b;
    buf_init(&b, r->budget);
    int rc = base64_decode(text, strlen(text), &b);
    str_wipe_free(text);
    if (rc < 0) {
        buf_wipe(&b);
        return fail(r, n, "%s.%s is not valid base64; put the file's "
                    "base64 encoding there (base64 -w0 FILE)", where, key);
    }
    r->budget -= b.len;
    *out = buf_take(&b);
    return *out ? 0 : no_memory(r, n);
}

/* A relative path resolved against the kubeconfig file's directory. */
static char *resolve(const struct reader *r, const char *path)
{
    struct buf b;
    buf_init(&b, 0);
    if (path[0] != '/' && buf_printf(&b, "%s/", r->dir) < 0)
        return NULL;
    if (buf_puts(&b, path) < 0) {
        buf_cleanup(&b);
        return NULL;
    }
    return buf_take(&b);
}

/*
 * Reads the file that key of map names into *out. When it cannot be read,
 * *out stays NULL and *deferred gets the message, since kubectl too fails
 * only when the entry is used.
 */
static int read_ref(struct reader *r, yaml_node_t *map, const char *where,
                    const char *key, char **out, char **deferred)
{
    char *name;
    *out = NULL;
    if (get_str(r, map, where, key, &name) < 0)
        return -1;
    if (!name)
        return 0;
    yaml_node_t *n = ydoc_get(r->d, map, key);
    char *path = resolve(r, name);
    free(name);
    if (!path)
        return no_memory(r, n);

    struct buf b;
    buf_init(&b, MAX_REFERENCED_FILE);
    char reason[128];
    const char *why = NULL;
    if (buf_read_file(&b, path, reason, sizeof(reason)) < 0)
        why = reason;
    if (why) {
        buf_wipe(&b);
        if (!*deferred) {
            char msg[1024];
            ydoc_error(r->d, n, msg, sizeof(msg),
                       "cannot read %s.%s %s: %s; fix the path", where, key,
                       path, why);
            *deferred = strdup(msg);
        }
        free(path);
        return 0;
    }
    free(path);
    *out = buf_take(&b);
    return *out ? 0 : no_memory(r, n);
}

static void defer(struct reader *r, const yaml_node_t *n, char **deferred,
                  const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* Keeps the first problem of an entry for kubeconfig_endpoint. */
static void defer(struct reader *r, const yaml_node_t *n, char **deferred,
                  const char *fmt, ...)
{
    if (*deferred)
        return;
    char msg[512], line[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    ydoc_error(r->d, n, line, sizeof(line), "%s", msg);
    *deferred = strdup(line);
}

static char *origin_of(struct reader *r, const yaml_node_t *n)
{
    char s[1024];
    snprintf(s, sizeof(s), "%s:%d", r->d->name, ydoc_line(n));
    return strdup(s);
}

/* ---- one entry of each kind -------------------------------------------- */

/* Whether server starts with http:// or https://. Anything else is an
 * error rather than a guess: "42" must not become http://42. */
static int has_scheme(const char *server)
{
    return !strncasecmp(server, "https://", 8) ||
           !strncasecmp(server, "http://", 7);
}

static int read_cluster(struct reader *r, yaml_node_t *item, const char *where,
                        struct kubeconfig_cluster *c)
{
    char inner[64];
    yaml_node_t *m = ydoc_get(r->d, item, "cluster");
    snprintf(inner, sizeof(inner), "%s.cluster", where);
    if (!is_null(m) && !ydoc_is_map(m))
        return fail(r, m, "%s must be a mapping, not %s", inner, kind_name(m));

    if (get_str(r, m, inner, "server", &c->server) < 0 ||
        get_data(r, m, inner, "certificate-authority-data", &c->ca_pem) < 0 ||
        get_bool(r, m, inner, "insecure-skip-tls-verify",
                 &c->insecure_skip_verify) < 0)
        return -1;
    /* The -data field overrides the file, as in kubectl. */
    if (!c->ca_pem && read_ref(r, m, inner, "certificate-authority",
                               &c->ca_pem, &c->error) < 0)
        return -1;
    if (!c->server || !*c->server)
        defer(r, m ? m : item, &c->error, "cluster \"%s\" has no server; "
              "set %s.server to the API server's https:// URL", c->name,
              inner);
    else if (!has_scheme(c->server))
        defer(r, ydoc_get(r->d, m, "server"), &c->error, "cluster \"%s\" "
              "has server \"%s\", which is not a URL; set %s.server to "
              "the API server's https:// URL", c->name, c->server, inner);
    else if (c->insecure_skip_verify && c->ca_pem)
        defer(r, m, &c->error, "cluster \"%s\" sets both a certificate "
              "authority and insecure-skip-tls-verify; remove one",
              c->name);
    return 0;
}

static int read_exec_args(struct reader *r, yaml_node_t *x, const char *where,
                          char ***out)
{
    yaml_node_t *seq = ydoc_get(r->d, x, "args");
    size_t n = ydoc_len(seq);
    *out = NULL;
    if (!is_null(seq) && !ydoc_is_seq(seq))
        return fail(r, seq, "%s.args must be a list of strings", where);
    if (n > MAX_EXEC_ITEMS)
        return fail(r, seq, "%s.args has more than %d entries", where,
                    MAX_EXEC_ITEMS);
    *out = calloc(n + 1, sizeof(char *));
    if (!*out)
        return no_memory(r, seq);
    for (size_t i = 0; i < n; i++) {
        yaml_node_t *a = ydoc_item(r->d, seq, i);
        const char *s = ydoc_str(a);
        if (!s)
            return fail(r, a, "%s.args[%zu] must be a string, not %s", where,
                        i, kind_name(a));
        (*out)[i] = copy_str(r, s, a->data.scalar.length);
        if (!(*out)[i])
            return no_memory(r, a);
    }
    return 0;
}

static int read_exec_env(struct reader *r, yaml_node_t *x, const char *where,
                         char ***out)
{
    yaml_node_t *seq = ydoc_get(r->d, x, "env");
    size_t n = ydoc_len(seq);
    *out = NULL;
    if (!is_null(seq) && !ydoc_is_seq(seq))
        return fail(r, seq, "%s.env must be a list of name/value pairs",
                    where);
    if (n > MAX_EXEC_ITEMS)
        return fail(r, seq, "%s.env has more than %d entries", where,
                    MAX_EXEC_ITEMS);
    *out = calloc(n + 1, sizeof(char *));
    if (!*out)
        return no_memory(r, seq);
    for (size_t i = 0; i < n; i++) {
        yaml_node_t *e = ydoc_item(r->d, seq, i);
        char at[96], *name, *value;
        snprintf(at, sizeof(at), "%s.env[%zu]", where, i);
        if (!ydoc_is_map(e))
            return fail(r, e, "%s must be a mapping with name and value",
                        at);
        if (get_str(r, e, at, "name", &name) < 0)
            return -1;
        if (!name || !*name || strchr(name, '=')) {
            free(name);
            return fail(r, e, "%s.name must be a variable name", at);
        }
        if (get_str(r, e, at, "value", &value) < 0) {
            free(name);
            return -1;
        }
        struct buf b;
        buf_init(&b, r->budget);
        int rc = buf_printf(&b, "%s=%s", name, value ? value : "");
        free(name);
        str_wipe_free(value);
        if (rc < 0)
            return no_memory(r, e);
        (*out)[i] = buf_take(&b);
    }
    return 0;
}

static void exec_free(struct kubeconfig_exec *x)
{
    if (!x)
        return;
    free(x->api_version);
    free(x->command);
    strv_free(x->args);
    strv_free(x->env);
    free(x);
}

static int read_exec(struct reader *r, yaml_node_t *u, const char *where,
                     struct kubeconfig_user *user)
{
    char at[64];
    yaml_node_t *x = ydoc_get(r->d, u, "exec");
    snprintf(at, sizeof(at), "%s.exec", where);
    if (is_null(x))
        return 0;
    if (!ydoc_is_map(x))
        return fail(r, x, "%s must be a mapping, not %s", at, kind_name(x));
    user->exec = calloc(1, sizeof(*user->exec));
    if (!user->exec)
        return no_memory(r, x);

    struct kubeconfig_exec *e = user->exec;
    if (get_str(r, x, at, "apiVersion", &e->api_version) < 0 ||
        get_str(r, x, at, "command", &e->command) < 0 ||
        read_exec_args(r, x, at, &e->args) < 0 ||
        read_exec_env(r, x, at, &e->env) < 0)
        return -1;
    /* A command with a '/' is a path, relative to the kubeconfig file's
     * directory as in kubectl; one without is looked up in PATH. */
    if (e->command && strchr(e->command, '/') && e->command[0] != '/') {
        char *path = resolve(r, e->command);
        if (!path)
            return no_memory(r, x);
        free(e->command);
        e->command = path;
    }

    const char *v = e->api_version;
    if (!v)
        defer(r, x, &user->error, "%s.apiVersion is missing; set it to "
              EXEC_V1BETA1, at);
    else if (!strcmp(v, EXEC_V1ALPHA1))
        defer(r, x, &user->error, "%s.apiVersion " EXEC_V1ALPHA1 " is no "
              "longer supported (kubectl 1.24 removed it); change it to "
              EXEC_V1BETA1 ", or rerun aws eks update-kubeconfig", at);
    else if (strcmp(v, EXEC_V1BETA1) && strcmp(v, EXEC_V1))
        defer(r, x, &user->error, "%s.apiVersion \"%s\" is unknown; use "
              EXEC_V1BETA1 " or " EXEC_V1, at, v);
    if (!e->command || !*e->command)
        defer(r, x, &user->error, "%s.command is missing; name the "
              "credential plugin to run", at);
    return 0;
}

static int read_user(struct reader *r, yaml_node_t *item, const char *where,
                     struct kubeconfig_user *user)
{
    char inner[64];
    yaml_node_t *m = ydoc_get(r->d, item, "user");
    snprintf(inner, sizeof(inner), "%s.user", where);
    if (!is_null(m) && !ydoc_is_map(m))
        return fail(r, m, "%s must be a mapping, not %s", inner, kind_name(m));

    if (get_str(r, m, inner, "token", &user->token) < 0 ||
        get_data(r, m, inner, "client-certificate-data",
                 &user->cert_pem) < 0 ||
        get_data(r, m, inner, "client-key-data", &user->key_pem) < 0 ||
        read_exec(r, m, inner, user) < 0)
        return -1;
    /* token wins over tokenFile, and -data fields over files, as in
     * kubectl; the files are read only when they are used. */
    if ((!user->token && read_ref(r, m, inner, "tokenFile", &user->token,
                                  &user->error) < 0) ||
        (!user->cert_pem && read_ref(r, m, inner, "client-certificate",
                                     &user->cert_pem, &user->error) < 0) ||
        (!user->key_pem && read_ref(r, m, inner, "client-key",
                                    &user->key_pem, &user->error) < 0))
        return -1;
    /* A token file's trailing newline is not part of the token. */
    if (user->token)
        user->token[strcspn(user->token, "\r\n")] = '\0';
    if (ydoc_get(r->d, m, "auth-provider") && !user->token &&
        !user->exec)
        defer(r, m, &user->error, "%s.auth-provider is not supported; use "
              "an exec plugin (kubectl 1.26 removed the built-in providers)",
              inner);
    return 0;
}

static int read_context(struct reader *r, yaml_node_t *item,
                        const char *where, struct kubeconfig_context *c)
{
    char inner[64];
    yaml_node_t *m = ydoc_get(r->d, item, "context");
    snprintf(inner, sizeof(inner), "%s.context", where);
    if (!is_null(m) && !ydoc_is_map(m))
        return fail(r, m, "%s must be a mapping, not %s", inner, kind_name(m));
    if (get_str(r, m, inner, "cluster", &c->cluster) < 0 ||
        get_str(r, m, inner, "user", &c->user) < 0 ||
        get_str(r, m, inner, "namespace", &c->namespace) < 0)
        return -1;
    return 0;
}

static void cluster_free(struct kubeconfig_cluster *c)
{
    free(c->name);
    free(c->server);
    free(c->ca_pem);
    free(c->origin);
    free(c->error);
}

static void user_free(struct kubeconfig_user *u)
{
    free(u->name);
    str_wipe_free(u->token);
    free(u->cert_pem);
    str_wipe_free(u->key_pem);
    exec_free(u->exec);
    free(u->origin);
    free(u->error);
}

static void context_free(struct kubeconfig_context *c)
{
    free(c->name);
    free(c->cluster);
    free(c->user);
    free(c->namespace);
    free(c->origin);
}

/* ---- lists of entries -------------------------------------------------- */

/*
 * One kind of list ("clusters") as a table, so that the same loop reads
 * all three: entries live in an array of size bytes each, whose first
 * member is the name.
 */
struct section {
    const char *key;        /* "clusters" */
    const char *inner;      /* "cluster" */
    size_t size;
    int (*read)(struct reader *, yaml_node_t *, const char *, void *);
    void (*free)(void *);
};

static int read_cluster_any(struct reader *r, yaml_node_t *item,
                            const char *where, void *entry)
{
    return read_cluster(r, item, where, entry);
}

static int read_user_any(struct reader *r, yaml_node_t *item,
                         const char *where, void *entry)
{
    return read_user(r, item, where, entry);
}

static int read_context_any(struct reader *r, yaml_node_t *item,
                            const char *where, void *entry)
{
    return read_context(r, item, where, entry);
}

static void cluster_free_any(void *e) { cluster_free(e); }
static void user_free_any(void *e) { user_free(e); }
static void context_free_any(void *e) { context_free(e); }

static const struct section clusters_section = {
    "clusters", "cluster", sizeof(struct kubeconfig_cluster),
    read_cluster_any, cluster_free_any,
};
static const struct section users_section = {
    "users", "user", sizeof(struct kubeconfig_user),
    read_user_any, user_free_any,
};
static const struct section contexts_section = {
    "contexts", "context", sizeof(struct kubeconfig_context),
    read_context_any, context_free_any,
};

/* Name and origin sit at the same places in all three entry types. */
static char **entry_name(void *array, const struct section *s, size_t i)
{
    return (char **)((char *)array + i * s->size);
}

static size_t find_entry(void *array, const struct section *s, size_t from,
                         size_t count, const char *name)
{
    for (size_t i = from; i < count; i++)
        if (!strcmp(*entry_name(array, s, i), name))
            return i;
    return (size_t)-1;
}

static char **origin_ptr(const struct section *s, void *entry)
{
    if (s == &clusters_section)
        return &((struct kubeconfig_cluster *)entry)->origin;
    if (s == &users_section)
        return &((struct kubeconfig_user *)entry)->origin;
    return &((struct kubeconfig_context *)entry)->origin;
}

/*
 * Appends the entries of one file's list; file_start is the index of the
 * first entry that came from this file, so that a repeated name in the
 * same file is an error and one from an earlier file is skipped.
 */
static int read_section(struct reader *r, yaml_node_t *root,
                        const struct section *s, void **array, size_t *count)
{
    yaml_node_t *seq = ydoc_get(r->d, root, s->key);
    size_t n = ydoc_len(seq), file_start = *count;
    if (is_null(seq))
        return 0;
    if (!ydoc_is_seq(seq))
        return fail(r, seq, "%s must be a list, not %s", s->key,
                    kind_name(seq));
    for (size_t i = 0; i < n; i++) {
        yaml_node_t *item = ydoc_item(r->d, seq, i);
        char where[48], *name;
        snprintf(where, sizeof(where), "%s[%zu]", s->key, i);
        if (!ydoc_is_map(item))
            return fail(r, item, "%s must be a mapping with name and %s",
                        where, s->inner);
        if (get_str(r, item, where, "name", &name) < 0)
            return -1;
        if (!name || !*name) {
            free(name);
            return fail(r, item, "%s has no name; give it one", where);
        }
        size_t dup = find_entry(*array, s, 0, *count, name);
        if (dup != (size_t)-1 && dup >= file_start) {
            char *first = *origin_ptr(s, (char *)*array + dup * s->size);
            fail(r, item, "%s name \"%s\" is already used (at %s); names "
                 "must be unique", s->inner, name, first);
            free(name);
            return -1;
        }
        if (dup != (size_t)-1) {
            free(name);     /* an earlier file defined it: that one wins */
            continue;
        }
        if (*count >= MAX_ENTRIES) {
            free(name);
            return fail(r, item, "more than %d %s", MAX_ENTRIES, s->key);
        }
        void *grown = realloc(*array, (*count + 1) * s->size);
        if (!grown) {
            free(name);
            return no_memory(r, item);
        }
        *array = grown;
        void *entry = (char *)grown + *count * s->size;
        memset(entry, 0, s->size);
        (*count)++;
        *entry_name(grown, s, *count - 1) = name;
        *origin_ptr(s, entry) = origin_of(r, item);
        if (s->read(r, item, where, entry) < 0)
            return -1;
    }
    return 0;
}

static char *dir_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        return strdup(".");
    if (slash == path)
        return strdup("/");
    return strndup(path, (size_t)(slash - path));
}

static int read_document(struct kubeconfig *kc, struct reader *r)
{
    yaml_node_t *root = ydoc_root(r->d);
    if (!root || is_null(root))
        return 0;   /* an empty file adds nothing, as in kubectl */
    if (!ydoc_is_map(root))
        return fail(r, root, "a kubeconfig must be a mapping with "
                    "clusters, users and contexts, not %s", kind_name(root));
    if (read_section(r, root, &clusters_section, (void **)&kc->clusters,
                     &kc->cluster_count) < 0 ||
        read_section(r, root, &users_section, (void **)&kc->users,
                     &kc->user_count) < 0 ||
        read_section(r, root, &contexts_section, (void **)&kc->contexts,
                     &kc->context_count) < 0)
        return -1;
    char *current;
    if (get_str(r, root, "kubeconfig", "current-context", &current) < 0)
        return -1;
    if (current && *current && !kc->current_context)
        kc->current_context = current;
    else
        free(current);
    return 0;
}

static int load_file(struct kubeconfig *kc, const char *path, size_t *budget,
                     char *err, size_t errlen)
{
    struct stat st;
    if (stat(path, &st) < 0 && errno == ENOENT)
        return 0;   /* kubectl skips missing files */

    struct ydoc d;
    if (ydoc_load_file(&d, path, err, errlen) < 0)
        return -1;
    struct reader r = { &d, dir_of(path), *budget, err, errlen };
    int rc = -1;
    if (!r.dir)
        snprintf(err, errlen, "%s: out of memory", path);
    else
        rc = read_document(kc, &r);
    *budget = r.budget;
    free(r.dir);
    ydoc_free(&d);
    if (rc == 0) {
        struct buf b;
        buf_init(&b, 0);
        if (kc->paths)
            buf_printf(&b, "%s:", kc->paths);
        buf_puts(&b, path);
        free(kc->paths);
        kc->paths = buf_take(&b);
    }
    return rc;
}

/* KUBECONFIG, or ~/.kube/config when it is unset or empty. */
static char *default_paths(char *err, size_t errlen)
{
    const char *env = getenv("KUBECONFIG");
    if (env && *env)
        return strdup(env);
    const char *home = getenv("HOME");
    if (!home || !*home) {
        snprintf(err, errlen, "HOME is not set, so ~/.kube/config cannot "
                 "be found; set KUBECONFIG to the kubeconfig file");
        return NULL;
    }
    struct buf b;
    buf_init(&b, 0);
    buf_printf(&b, "%s/.kube/config", home);
    return buf_take(&b);
}

int kubeconfig_load(struct kubeconfig *kc, const char *paths, char *err,
                    size_t errlen)
{
    memset(kc, 0, sizeof(*kc));
    char *list = paths ? strdup(paths) : default_paths(err, errlen);
    if (!list) {
        if (paths)
            snprintf(err, errlen, "out of memory");
        return -1;
    }
    size_t budget = COPY_BUDGET;
    int rc = 0;
    char *save = NULL;
    for (char *p = strtok_r(list, ":", &save); p && rc == 0;
         p = strtok_r(NULL, ":", &save))
        rc = load_file(kc, p, &budget, err, errlen);
    free(list);
    if (rc < 0)
        kubeconfig_free(kc);
    return rc;
}

void kubeconfig_free(struct kubeconfig *kc)
{
    for (size_t i = 0; i < kc->cluster_count; i++)
        cluster_free(&kc->clusters[i]);
    for (size_t i = 0; i < kc->user_count; i++)
        user_free(&kc->users[i]);
    for (size_t i = 0; i < kc->context_count; i++)
        context_free(&kc->contexts[i]);
    free(kc->clusters);
    free(kc->users);
    free(kc->contexts);
    free(kc->current_context);
    free(kc->paths);
    memset(kc, 0, sizeof(*kc));
}

/* ---- lookups and endpoints --------------------------------------------- */

const struct kubeconfig_context *
kubeconfig_context(const struct kubeconfig *kc, const char *name)
{
    if (!name)
        name = kc->current_context;
    for (size_t i = 0; name && i < kc->context_count; i++)
        if (!strcmp(kc->contexts[i].name, name))
            return &kc->contexts[i];
    return NULL;
}

static const struct kubeconfig_cluster *
find_cluster(const struct kubeconfig *kc, const char *name)
{
    for (size_t i = 0; name && i < kc->cluster_count; i++)
        if (!strcmp(kc->clusters[i].name, name))
            return &kc->clusters[i];
    return NULL;
}

static const struct kubeconfig_user *find_user(const struct kubeconfig *kc,
                                               const char *name)
{
    for (size_t i = 0; name && i < kc->user_count; i++)
        if (!strcmp(kc->users[i].name, name))
            return &kc->users[i];
    return NULL;
}

/* Copies s into *dst; returns 0, or -1 when memory runs out. */
static int dup_into(char **dst, const char *s)
{
    *dst = NULL;
    if (!s)
        return 0;
    *dst = strdup(s);
    return *dst ? 0 : -1;
}

static char **strv_dup(const char *first, char *const *rest)
{
    size_t n = 0;
    while (rest && rest[n])
        n++;
    size_t total = n + (first ? 1 : 0);
    char **v = calloc(total + 1, sizeof(char *));
    if (!v)
        return NULL;
    size_t j = 0;
    if (first && !(v[j++] = strdup(first)))
        goto oom;
    for (size_t i = 0; i < n; i++)
        if (!(v[j++] = strdup(rest[i])))
            goto oom;
    return v;
oom:
    strv_free(v);
    return NULL;
}

/* The cluster, region and profile of an `aws ... eks get-token` command. */
struct eks_args {
    const char *cluster;
    const char *region;
    const char *profile;
};

static int option_is(const char *arg, const char *name, const char **inline_v)
{
    size_t n = strlen(name);
    if (strncmp(arg, name, n))
        return 0;
    if (arg[n] == '=') {
        *inline_v = arg + n + 1;
        return 1;
    }
    *inline_v = NULL;
    return arg[n] == '\0';
}

/*
 * Reads the arguments of `aws [global options] eks get-token [options]`.
 * Only options known not to change the token are accepted: any other
 * (--role-arn, --cluster-id for Outposts, --endpoint-url) means the
 * plugin must run as written. Returns 1 when args are such a command.
 */
static int parse_get_token(char *const *args, struct eks_args *out)
{
    static const char *const valued[] = {
        "--region", "--profile", "--cluster-name", "--output", "--color",
        "--cli-read-timeout", "--cli-connect-timeout",
    };
    static const char *const flags[] = {
        "--debug", "--no-cli-pager", "--no-paginate", "--no-cli-auto-prompt",
    };
    const char *positional[2];
    size_t npos = 0;

    memset(out, 0, sizeof(*out));
    for (size_t i = 0; args && args[i]; i++) {
        const char *a = args[i], *v = NULL;
        size_t k;
        if (a[0] != '-') {
            if (npos == 2)
                return 0;
            positional[npos++] = a;
            continue;
        }
        for (k = 0; k < sizeof(flags) / sizeof(flags[0]); k++)
            if (!strcmp(a, flags[k]))
                break;
        if (k < sizeof(flags) / sizeof(flags[0]))
            continue;
        for (k = 0; k < sizeof(valued) / sizeof(valued[0]); k++)
            if (option_is(a, valued[k], &v))
                break;
        if (k == sizeof(valued) / sizeof(valued[0]))
            return 0;
        if (!v && !(v = args[++i]))
            return 0;
        if (k == 0)
            out->region = v;
        else if (k == 1)
            out->profile = v;
        else if (k == 2)
            out->cluster = v;
    }
    return npos == 2 && !strcmp(positional[0], "eks") &&
           !strcmp(positional[1], "get-token") && out->cluster &&
           *out->cluster;
}

/*
 * Applies the plugin's env to what the aws CLI would read from it.
 * Returns 0 when an entry other than the profile and region is set,
 * since it could change how the CLI signs (AWS_CONFIG_FILE, ...).
 */
static int parse_get_token_env(char *const *env, struct eks_args *out)
{
    const char *profile = NULL, *region = NULL, *default_region = NULL;
    for (size_t i = 0; env && env[i]; i++) {
        const char *e = env[i];
        if (!strncmp(e, "AWS_PROFILE=", 12))
            profile = e + 12;
        else if (!strncmp(e, "AWS_REGION=", 11))
            region = e + 11;
        else if (!strncmp(e, "AWS_DEFAULT_REGION=", 19))
            default_region = e + 19;
        else
            return 0;
    }
    /* Command line options win over the environment in the aws CLI. */
    if (!out->profile && profile && *profile)
        out->profile = profile;
    if (!out->region)
        out->region = region && *region ? region : default_region;
    if (out->region && !*out->region)
        out->region = NULL;
    return 1;
}

static int is_aws_get_token(const struct kubeconfig_exec *x,
                            struct eks_args *out)
{
    const char *base = x->command ? strrchr(x->command, '/') : NULL;
    base = base ? base + 1 : x->command;
    return base && !strcmp(base, "aws") && parse_get_token(x->args, out) &&
           parse_get_token_env(x->env, out);
}

static int fill_exec(const struct kubeconfig_exec *x, struct kube_endpoint *ep)
{
    struct eks_args eks;
    if (is_aws_get_token(x, &eks))
        return dup_into(&ep->eks_cluster, eks.cluster) |
               dup_into(&ep->eks_region, eks.region) |
               dup_into(&ep->eks_profile, eks.profile);
    ep->exec_argv = strv_dup(x->command, x->args);
    ep->exec_env = strv_dup(NULL, x->env);
    if (!ep->exec_argv || !ep->exec_env)
        return -1;
    return dup_into(&ep->exec_api_version, x->api_version);
}

static int fill_endpoint(const struct kubeconfig_context *ctx,
                         const struct kubeconfig_cluster *c,
                         const struct kubeconfig_user *u,
                         struct kube_endpoint *ep)
{
    int rc = dup_into(&ep->name, ctx->name) |
             dup_into(&ep->server, c->server) |
             dup_into(&ep->ca_pem, c->ca_pem) |
             dup_into(&ep->namespace, ctx->namespace);
    ep->insecure_skip_verify = c->insecure_skip_verify;
    if (rc || !u)
        return rc;
    rc = dup_into(&ep->cert_pem, u->cert_pem) |
         dup_into(&ep->key_pem, u->key_pem) |
         dup_into(&ep->token, u->token);
    /* A static token wins over an exec plugin, as in kubectl. */
    if (rc == 0 && u->exec && !u->token)
        rc = fill_exec(u->exec, ep);
    return rc;
}

int kubeconfig_endpoint(const struct kubeconfig *kc, const char *context,
                        struct kube_endpoint *ep, char *err, size_t errlen)
{
    const char *files = kc->paths ? kc->paths : "no kubeconfig file found";
    memset(ep, 0, sizeof(*ep));
    if (!context && !kc->current_context) {
        snprintf(err, errlen, "no current context (%s); set "
                 "current-context or choose a context", files);
        return -1;
    }
    const struct kubeconfig_context *ctx = kubeconfig_context(kc, context);
    if (!ctx) {
        snprintf(err, errlen, "context \"%s\" not found in %s",
                 context ? context : kc->current_context, files);
        return -1;
    }
    const struct kubeconfig_cluster *c = find_cluster(kc, ctx->cluster);
    const struct kubeconfig_user *u = find_user(kc, ctx->user);
    if (!c) {
        snprintf(err, errlen, "%s: context \"%s\" names cluster \"%s\", "
                 "which no kubeconfig file defines", ctx->origin, ctx->name,
                 ctx->cluster ? ctx->cluster : "");
        return -1;
    }
    if (c->error) {
        snprintf(err, errlen, "%s", c->error);
        return -1;
    }
    /* No user at all is an anonymous client, as in kubectl. */
    if (!u && ctx->user && *ctx->user) {
        snprintf(err, errlen, "%s: context \"%s\" names user \"%s\", "
                 "which no kubeconfig file defines", ctx->origin, ctx->name,
                 ctx->user);
        return -1;
    }
    if (u && u->error) {
        snprintf(err, errlen, "%s", u->error);
        return -1;
    }
    /* kubectl sends no credentials over plain HTTP, and neither do we. */
    if (u && (u->token || u->cert_pem || u->exec) &&
        strncasecmp(c->server, "https://", 8) != 0) {
        snprintf(err, errlen, "%s: server URL %s of cluster \"%s\" is not "
                 "https; albatross sends credentials only over https; use "
                 "the API server's https:// URL", c->origin, c->server,
                 c->name);
        return -1;
    }
    if (fill_endpoint(ctx, c, u, ep) < 0) {
        kube_endpoint_cleanup(ep);
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    return 0;
}
