/*
 * The AWS shared config and credentials files, read the way botocore's
 * configparser-based loader reads them:
 * - full-line comments start with '#' or ';', also after indentation,
 *   and a section header may end with one,
 * - "key = value" only ('=' is the one separator), keys compared without
 *   case, values kept as written (an inline '#' is part of the value);
 * - an indented line continues the value above it, joined with '\n',
 *   unless that value is empty: then each indented "key = value" is a
 *   sub-key stored as "parent.key" (as in [services NAME] sections);
 * - a key set twice in one section, or a section repeated, is an error,
 *   as in botocore.
 * One difference: a blank line ends a continued value here, where
 * configparser would keep it inside the value when more indented lines
 * follow. Files larger than AWSCONFIG_FILE_MAX are rejected.
 */
#include "awsconfig.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "strutil.h"

#define AWSCONFIG_FILE_MAX (1u << 20)

/* Parser state across lines. */
struct parser {
    struct awsconfig_file *f;
    int is_credentials;
    int line;
    struct awsconfig_section *section;  /* NULL before the first header */
    struct awsconfig_entry *last;       /* entry an indented line extends */
    char parent[128];                   /* sub-section key, or "" */
    int seen_default[2];                /* [default], [profile default] */
    char *err;
    size_t errlen;
};

static int fail(struct parser *p, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int fail(struct parser *p, const char *fmt, ...)
{
    va_list ap;
    int n = snprintf(p->err, p->errlen, "%s:%d: ", p->f->path, p->line);

    if (n >= 0 && (size_t)n < p->errlen) {
        va_start(ap, fmt);
        vsnprintf(p->err + n, p->errlen - (size_t)n, fmt, ap);
        va_end(ap);
    }
    return -1;
}

static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    char *end = s + strlen(s);
    while (end > s && (end[-1] == ' ' || end[-1] == '\t'))
        *--end = '\0';
    return s;
}

static void free_section(struct awsconfig_section *sec)
{
    for (size_t i = 0; i < sec->entry_count; i++) {
        free(sec->entries[i].key);
        /* Values may be secret keys or session tokens. */
        str_wipe_free(sec->entries[i].value);
    }
    free(sec->entries);
    free(sec->kind);
    free(sec->name);
}

void awsconfig_free(struct awsconfig_file *f)
{
    for (size_t i = 0; i < f->section_count; i++)
        free_section(&f->sections[i]);
    free(f->sections);
    free(f->path);
    memset(f, 0, sizeof(*f));
}

/* Kind and name of a header's inside: "profile dev" in config, "dev" in
 * credentials, "default" in both. A bare kind gives an empty name. */
static void classify(const char *inside, int is_credentials,
                     const char **kind, const char **name)
{
    static const char *kinds[] = { "profile", "sso-session", "services" };

    *kind = "";
    *name = inside;
    if (is_credentials || strcmp(inside, "default") == 0) {
        *kind = "profile";
        return;
    }
    for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
        size_t len = strlen(kinds[i]);
        const char *rest = inside + len;
        if (strncmp(inside, kinds[i], len) != 0 ||
            (*rest && *rest != ' ' && *rest != '\t'))
            continue;
        *kind = kinds[i];
        while (*rest == ' ' || *rest == '\t')
            rest++;
        *name = rest;
        return;
    }
}

/* The last section of that kind and name: [default] and [profile default]
 * may both be in a config file, and botocore uses the later one. */
static const struct awsconfig_section *
find_header(const struct awsconfig_file *f, const char *kind,
            const char *name)
{
    for (size_t i = f->section_count; i-- > 0;)
        if (strcmp(f->sections[i].kind, kind) == 0 &&
            strcmp(f->sections[i].name, name) == 0)
            return &f->sections[i];
    return NULL;
}

static int add_section(struct parser *p, const char *kind, const char *name)
{
    struct awsconfig_file *f = p->f;
    struct awsconfig_section *grown =
        realloc(f->sections, (f->section_count + 1) * sizeof(*grown));

    if (!grown)
        return fail(p, "out of memory");
    f->sections = grown;
    struct awsconfig_section *sec = &f->sections[f->section_count];
    memset(sec, 0, sizeof(*sec));
    sec->kind = strdup(kind);
    sec->name = strdup(name);
    f->section_count++;
    if (!sec->kind || !sec->name)
        return fail(p, "out of memory");
    p->section = sec;
    p->last = NULL;
    p->parent[0] = '\0';
    return 0;
}

/* Whether this header was seen before. [default] and [profile default]
 * name one profile but are different headers. */
static int is_repeated(struct parser *p, const char *inside,
                       const char *kind, const char *name)
{
    if (!p->is_credentials && strcmp(kind, "profile") == 0 &&
        strcmp(name, "default") == 0) {
        int *seen = &p->seen_default[strcmp(inside, "default") != 0];
        return (*seen)++ > 0;
    }
    return find_header(p->f, kind, name) != NULL;
}

/* "[profile dev]", "[default]  # comment" */
static int parse_header(struct parser *p, char *line)
{
    char *close = strrchr(line, ']');
    const char *kind, *name;

    if (!close)
        return fail(p, "section header has no closing ']'; write it as "
                       "[profile NAME]");
    char *after = trim(close + 1);
    if (*after && *after != '#' && *after != ';')
        return fail(p, "unexpected text \"%s\" after the section header; "
                       "move it to a comment line", after);
    *close = '\0';
    char *inside = trim(line + 1);
    classify(inside, p->is_credentials, &kind, &name);
    if (!*name)
        return fail(p, "section header [%s] has no name; write it as "
                       "[%s NAME]", inside, *kind ? kind : "profile");
    if (is_repeated(p, inside, kind, name))
        return fail(p, "section [%s] appears twice; merge the two into "
                       "one", inside);
    return add_section(p, kind, name);
}

static const struct awsconfig_entry *
find_entry(const struct awsconfig_section *sec, const char *key)
{
    for (size_t i = 0; i < sec->entry_count; i++)
        if (strcasecmp(sec->entries[i].key, key) == 0)
            return &sec->entries[i];
    return NULL;
}

static int add_entry(struct parser *p, const char *key, const char *value)
{
    struct awsconfig_section *sec = p->section;
    const struct awsconfig_entry *old = find_entry(sec, key);

    if (old)
        return fail(p, "\"%s\" is set twice in [%s%s%s] (first on line "
                       "%d); remove one", key, sec->kind,
                    *sec->kind ? " " : "", sec->name, old->line);
    struct awsconfig_entry *grown =
        realloc(sec->entries, (sec->entry_count + 1) * sizeof(*grown));
    if (!grown)
        return fail(p, "out of memory");
    sec->entries = grown;
    struct awsconfig_entry *e = &sec->entries[sec->entry_count++];
    e->key = strdup(key);
    e->value = strdup(value);
    e->line = p->line;
    if (!e->key || !e->value)
        return fail(p, "out of memory");
    p->last = e;
    return 0;
}

/* Splits "key = value"; returns the trimmed key, or NULL. */
static char *split_assignment(char *line, char **value)
{
    char *eq = strchr(line, '=');

    if (!eq)
        return NULL;
    *eq = '\0';
    *value = trim(eq + 1);
    return trim(line);
}

static int parse_assignment(struct parser *p, char *line)
{
    char *value;
    char *key = split_assignment(line, &value);

    if (!key)
        return fail(p, "expected \"key = value\", a [section] header or a "
                       "comment, not \"%s\"", trim(line));
    if (!*key)
        return fail(p, "the line has a value but no key before '='");
    if (!p->section)
        return fail(p, "\"%s\" comes before any section; put it under "
                       "[default] or [profile NAME]", key);
    if (add_entry(p, key, value) < 0)
        return -1;
    /* An empty value may open a sub-section on the lines below. */
    if (!*value && strlen(key) < sizeof(p->parent))
        strcpy(p->parent, key);
    else
        p->parent[0] = '\0';
    return 0;
}

/* An indented "key = value" below "parent =": stored as "parent.key". */
static int parse_subkey(struct parser *p, char *line)
{
    char *value;
    char *key = split_assignment(line, &value);
    char full[512];

    if (!key || !*key)
        return fail(p, "expected \"key = value\" in the indented block "
                       "under \"%s\"", p->parent);
    /* The parent, stored empty when its line was read, is a sub-section
     * and no key of its own. */
    if (p->last && strcmp(p->last->key, p->parent) == 0 &&
        p->last == &p->section->entries[p->section->entry_count - 1]) {
        free(p->last->key);
        free(p->last->value);
        p->section->entry_count--;
    }
    p->last = NULL;
    if ((size_t)snprintf(full, sizeof(full), "%s.%s", p->parent, key) >=
        sizeof(full))
        return fail(p, "key \"%s.%s\" is too long", p->parent, key);
    return add_entry(p, full, value);
}

/* An indented line below a key: a sub-key, or more of the value above. */
static int parse_indented(struct parser *p, char *line)
{
    if (p->parent[0])
        return parse_subkey(p, line);

    struct buf joined;
    buf_init(&joined, AWSCONFIG_FILE_MAX);
    if (buf_printf(&joined, "%s\n%s", p->last->value, trim(line)) < 0) {
        buf_wipe(&joined);
        return fail(p, "out of memory");
    }
    str_wipe_free(p->last->value);
    p->last->value = buf_take(&joined);
    return 0;
}

static int parse_line(struct parser *p, char *line)
{
    size_t len = strlen(line);

    if (len > 0 && line[len - 1] == '\r')
        line[--len] = '\0';
    int indented = line[0] == ' ' || line[0] == '\t';
    char *text = trim(line);
    if (*text == '\0') {
        /* A blank line ends a continued value and a sub-section. */
        p->last = NULL;
        p->parent[0] = '\0';
        return 0;
    }
    if (*text == '#' || *text == ';')
        return 0;
    if (indented && p->section && (p->last || p->parent[0]))
        return parse_indented(p, text);
    if (*text == '[')
        return parse_header(p, text);
    return parse_assignment(p, text);
}

static int parse(struct parser *p, char *text, size_t len)
{
    char *line = text;

    if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0)
        line += 3; /* UTF-8 byte order mark */
    for (p->line = 1; line < text + len; p->line++) {
        char *end = memchr(line, '\n', (size_t)(text + len - line));
        if (end)
            *end = '\0';
        if (strlen(line) != (size_t)((end ? end : text + len) - line))
            return fail(p, "the line contains a NUL byte; is this a text "
                           "file?");
        if (parse_line(p, line) < 0)
            return -1;
        if (!end)
            break;
        line = end + 1;
    }
    return 0;
}

/* Reads path into *out. Returns 1 when it does not exist, 0, or -1. */
static int read_text(const char *path, struct buf *out, char *err,
                     size_t errlen)
{
    char why[128];
    if (buf_read_file(out, path, why, sizeof(why)) == 0)
        return 0;
    if (errno == ENOENT)
        return 1;
    if (errno == EFBIG)
        snprintf(err, errlen, "%s: larger than %u KiB; is this an AWS "
                 "config file?", path, AWSCONFIG_FILE_MAX >> 10);
    else
        snprintf(err, errlen, "%s: cannot read: %s", path, why);
    return -1;
}

int awsconfig_load(struct awsconfig_file *f, const char *path,
                   int is_credentials, char *err, size_t errlen)
{
    struct buf text;
    struct parser p = {
        .f = f, .is_credentials = is_credentials, .err = err,
        .errlen = errlen,
    };
    int rc;

    memset(f, 0, sizeof(*f));
    if (errlen)
        err[0] = '\0';
    f->path = strdup(path);
    if (!f->path) {
        snprintf(err, errlen, "%s: out of memory", path);
        return -1;
    }
    buf_init(&text, AWSCONFIG_FILE_MAX);
    rc = read_text(path, &text, err, errlen);
    if (rc == 0)
        rc = parse(&p, text.data ? text.data : "", text.len);
    buf_wipe(&text);
    if (rc < 0) {
        awsconfig_free(f);
        return -1;
    }
    return 0;
}

const struct awsconfig_section *
awsconfig_section(const struct awsconfig_file *f, const char *kind,
                  const char *name)
{
    return find_header(f, kind, name);
}

const char *awsconfig_get(const struct awsconfig_section *sec,
                          const char *key)
{
    const struct awsconfig_entry *e = sec ? find_entry(sec, key) : NULL;

    return e ? e->value : NULL;
}
