#include "theme.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../api/yamldoc.h"
#include "files.h"

static const struct {
    const char *name;
    const char *description;
} roles[THEME_ROLE_COUNT] = {
#define THEME_ROW(id, n, what) [THEME_##id] = { n, what },
    THEME_ROLES(THEME_ROW)
#undef THEME_ROW
};

/* The attributes-only palette: readable on any terminal, and the base
 * under every theme file. */
static const struct theme_style builtin[THEME_ROLE_COUNT] = {
    [THEME_HEADER_LABEL] = { .attrs = THEME_ATTR_BOLD },
    [THEME_TITLE] = { .attrs = THEME_ATTR_REVERSE | THEME_ATTR_BOLD },
    [THEME_COLUMN] = { .attrs = THEME_ATTR_BOLD | THEME_ATTR_UNDERLINE },
    [THEME_SELECTED] = { .attrs = THEME_ATTR_REVERSE },
    [THEME_STATUS_ERROR] = { .attrs = THEME_ATTR_BOLD },
    [THEME_SPINNER] = { .attrs = THEME_ATTR_BOLD },
    [THEME_WARNING] = { .attrs = THEME_ATTR_BOLD },
    [THEME_ERROR] = { .attrs = THEME_ATTR_BOLD | THEME_ATTR_UNDERLINE },
    [THEME_DIM] = { .attrs = THEME_ATTR_DIM },
    [THEME_FILTER] = { .attrs = THEME_ATTR_BOLD },
    [THEME_KEY] = { .attrs = THEME_ATTR_BOLD },
    [THEME_DIFF_ADD] = { .attrs = THEME_ATTR_BOLD },
    [THEME_DIFF_REMOVE] = { .attrs = THEME_ATTR_DIM },
    [THEME_DIFF_HUNK] = { .attrs = THEME_ATTR_UNDERLINE },
};

static const char *const color_names[] = {
    "black", "red", "green", "yellow", "blue", "magenta", "cyan", "white",
};

static const struct {
    const char *name;
    unsigned bit;
} attr_names[] = {
    { "bold", THEME_ATTR_BOLD },
    { "underline", THEME_ATTR_UNDERLINE },
    { "reverse", THEME_ATTR_REVERSE },
    { "dim", THEME_ATTR_DIM },
};

#define COLOR_COUNT (sizeof(color_names) / sizeof(color_names[0]))
#define ATTR_COUNT (sizeof(attr_names) / sizeof(attr_names[0]))

const char *theme_role_name(enum theme_role role)
{
    return (unsigned)role < THEME_ROLE_COUNT ? roles[role].name : NULL;
}

const char *theme_role_description(enum theme_role role)
{
    return (unsigned)role < THEME_ROLE_COUNT ? roles[role].description : NULL;
}

int theme_role_by_name(const char *name)
{
    for (int i = 0; i < THEME_ROLE_COUNT; i++)
        if (strcmp(roles[i].name, name) == 0)
            return i;
    return -1;
}

void theme_init_builtin(struct theme *t)
{
    memset(t, 0, sizeof(*t));
    snprintf(t->name, sizeof(t->name), "built-in");
    for (int i = 0; i < THEME_ROLE_COUNT; i++) {
        t->styles[i] = builtin[i];
        t->styles[i].fg = THEME_DEFAULT_COLOR;
        t->styles[i].bg = THEME_DEFAULT_COLOR;
    }
}

void theme_strip_colors(struct theme *t)
{
    for (int i = 0; i < THEME_ROLE_COUNT; i++) {
        struct theme_style *s = &t->styles[i];
        /* A role marked by colour alone, such as a selected row in cyan,
         * would vanish, so it gets the built-in attributes too. */
        if (s->fg != THEME_DEFAULT_COLOR || s->bg != THEME_DEFAULT_COLOR)
            s->attrs |= builtin[i].attrs;
        s->fg = THEME_DEFAULT_COLOR;
        s->bg = THEME_DEFAULT_COLOR;
    }
}

/* "default", a colour name, "bright-" and a colour name, or 0-255. */
static int parse_color(const char *s, int *color)
{
    if (strcmp(s, "default") == 0) {
        *color = THEME_DEFAULT_COLOR;
        return 0;
    }
    int bright = strncmp(s, "bright-", 7) == 0;
    const char *base = bright ? s + 7 : s;
    for (size_t i = 0; i < COLOR_COUNT; i++) {
        if (strcmp(base, color_names[i]) == 0) {
            *color = (int)i + (bright ? 8 : 0);
            return 0;
        }
    }
    char *end;
    errno = 0;
    long n = strtol(s, &end, 10);
    if (*s < '0' || *s > '9' || *end || errno || n > 255)
        return -1;
    *color = (int)n;
    return 0;
}

static int load_color(struct ydoc *d, yaml_node_t *node, const char *key,
                      int *color, char *err, size_t errlen)
{
    const char *s = ydoc_str(node);
    if (!s)
        return ydoc_error(d, node, err, errlen,
                          "%s must be a colour name or a number 0-255", key);
    if (parse_color(s, color) < 0)
        return ydoc_error(d, node, err, errlen,
                          "invalid colour \"%s\" for %s: use default, black, "
                          "red, green, yellow, blue, magenta, cyan, white, "
                          "bright-<colour> or a number 0-255", s, key);
    return 0;
}

static int load_attrs(struct ydoc *d, yaml_node_t *node, unsigned *attrs,
                      char *err, size_t errlen)
{
    if (!ydoc_is_seq(node))
        return ydoc_error(d, node, err, errlen,
                          "attrs must be a list, such as [bold, underline]");
    *attrs = 0;
    for (size_t i = 0; i < ydoc_len(node); i++) {
        yaml_node_t *item = ydoc_item(d, node, i);
        const char *s = ydoc_str(item);
        size_t j = 0;
        while (s && j < ATTR_COUNT && strcmp(s, attr_names[j].name) != 0)
            j++;
        if (!s || j == ATTR_COUNT)
            return ydoc_error(d, item, err, errlen,
                              "invalid attribute \"%s\": use bold, "
                              "underline, reverse or dim", s ? s : "");
        *attrs |= attr_names[j].bit;
    }
    return 0;
}

static int load_style(struct ydoc *d, yaml_node_t *node,
                      struct theme_style *style, char *err, size_t errlen)
{
    if (!ydoc_is_map(node))
        return ydoc_error(d, node, err, errlen,
                          "a role must be a mapping with fg, bg and attrs");
    struct theme_style s = { THEME_DEFAULT_COLOR, THEME_DEFAULT_COLOR, 0 };
    for (size_t i = 0; i < ydoc_map_len(node); i++) {
        yaml_node_t *k, *v;
        ydoc_pair(d, node, i, &k, &v);
        const char *key = ydoc_str(k);
        int rc;
        if (key && strcmp(key, "fg") == 0)
            rc = load_color(d, v, key, &s.fg, err, errlen);
        else if (key && strcmp(key, "bg") == 0)
            rc = load_color(d, v, key, &s.bg, err, errlen);
        else if (key && strcmp(key, "attrs") == 0)
            rc = load_attrs(d, v, &s.attrs, err, errlen);
        else
            rc = ydoc_error(d, k, err, errlen,
                            "unknown key \"%s\": a role has fg, bg and attrs",
                            key ? key : "");
        if (rc < 0)
            return rc;
    }
    *style = s;
    return 0;
}

static int load_roles(struct ydoc *d, struct theme *t, char *err,
                      size_t errlen)
{
    yaml_node_t *root = ydoc_root(d);
    if (!root)
        return 0;  /* an empty file changes nothing */
    if (!ydoc_is_map(root))
        return ydoc_error(d, root, err, errlen,
                          "a theme must be a mapping from role name to style");
    for (size_t i = 0; i < ydoc_map_len(root); i++) {
        yaml_node_t *k, *v;
        ydoc_pair(d, root, i, &k, &v);
        const char *name = ydoc_str(k);
        int role = name ? theme_role_by_name(name) : -1;
        if (role < 0)
            return ydoc_error(d, k, err, errlen,
                              "unknown role \"%s\" (roles: normal, header, "
                              "title, column, selected, status-error, ...; "
                              "see themes/default.yaml)", name ? name : "");
        if (load_style(d, v, &t->styles[role], err, errlen) < 0)
            return -1;
    }
    return 0;
}

static void set_name(struct theme *t, const char *path)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    size_t len = strlen(base);
    if (len > 5 && strcmp(base + len - 5, ".yaml") == 0)
        len -= 5;
    snprintf(t->name, sizeof(t->name), "%.*s", (int)len, base);
    snprintf(t->path, sizeof(t->path), "%s", path);
}

int theme_load_file(struct theme *t, const char *path, char *err,
                    size_t errlen)
{
    struct ydoc d;
    theme_init_builtin(t);
    if (ydoc_load_file(&d, path, err, errlen) < 0)
        return -1;
    int rc = load_roles(&d, t, err, errlen);
    ydoc_free(&d);
    if (rc == 0)
        set_name(t, path);
    return rc;
}

static int is_path(const char *name)
{
    size_t len = strlen(name);
    return strchr(name, '/') || (len > 5 && !strcmp(name + len - 5, ".yaml"));
}

/* Directory of the running executable, without a trailing slash. */
static int exe_dir(char *dir, size_t len)
{
    ssize_t n = readlink("/proc/self/exe", dir, len - 1);
    if (n <= 0)
        return -1;
    dir[n] = '\0';
    char *slash = strrchr(dir, '/');
    if (!slash)
        return -1;
    *slash = '\0';
    return 0;
}

static int user_dir(char *dir, size_t len)
{
    return files_xdg_path(dir, len, "XDG_CONFIG_HOME", ".config",
                          "albatross/themes");
}

/* Theme directories beside the executable: themes/ in its directory (a
 * source tree), in its parent (a build directory such as build-asan/),
 * and ../share/albatross/themes (an installed prefix). */
static const char *const exe_relative[] = {
    "/themes", "/../themes", "/../share/albatross/themes",
};
#define EXE_DIRS (sizeof(exe_relative) / sizeof(exe_relative[0]))

/* Finds NAME.yaml in the theme directories, the user's first. searched
 * gets the directories tried, for the error message. */
static int find_theme(const char *name, char *path, size_t len,
                      char *searched, size_t searched_len)
{
    char dirs[1 + EXE_DIRS][PATH_MAX], exe[PATH_MAX];
    size_t count = 0;
    if (user_dir(dirs[count], sizeof(dirs[0])) == 0)
        count++;
    if (exe_dir(exe, sizeof(exe)) == 0)
        for (size_t i = 0; i < EXE_DIRS; i++) {
            int n = snprintf(dirs[count], sizeof(dirs[0]), "%s%s", exe,
                             exe_relative[i]);
            if (n > 0 && (size_t)n < sizeof(dirs[0]))
                count++;
        }
    searched[0] = '\0';
    for (size_t i = 0; i < count; i++) {
        int n = snprintf(path, len, "%s/%s.yaml", dirs[i], name);
        if (n > 0 && (size_t)n < len && access(path, R_OK) == 0)
            return 0;
        size_t used = strlen(searched);
        snprintf(searched + used, searched_len - used, "%s%s",
                 used ? ", " : "", dirs[i]);
    }
    return -1;
}

int theme_load(struct theme *t, const char *name, char *err, size_t errlen)
{
    int is_default = !name || !*name;
    if (is_default)
        name = "default";
    if (is_path(name))
        return theme_load_file(t, name, err, errlen);

    char path[PATH_MAX + 64], searched[(1 + EXE_DIRS) * (PATH_MAX + 2)];
    if (find_theme(name, path, sizeof(path), searched, sizeof(searched)) == 0)
        return theme_load_file(t, path, err, errlen);
    theme_init_builtin(t);
    if (is_default)
        return 0;
    snprintf(err, errlen,
             "theme \"%s\" not found in %s: give a path to a theme file or "
             "put %s.yaml in one of those directories",
             name, *searched ? searched : "any theme directory", name);
    return -1;
}
