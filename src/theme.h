/*
 * Colour themes: the roles the UI draws with are named here, once; the
 * palettes are YAML files keyed by role name (themes/default.yaml,
 * themes/mono.yaml). The loader returns plain structs and does not use
 * curses, so the UI decides how a style becomes a colour pair.
 */
#ifndef ALBATROSS_THEME_H
#define ALBATROSS_THEME_H

#include <stddef.h>

/* X(enum suffix, name in theme files, what it colours) */
#define THEME_ROLES(X)                                                   \
    X(NORMAL, "normal", "table cells and plain text")                    \
    X(HEADER, "header", "the account and session lines at the top")      \
    X(HEADER_LABEL, "header-label", "labels in the header lines")        \
    X(TITLE, "title", "the pane title bar")                              \
    X(COLUMN, "column", "table column headers")                          \
    X(SELECTED, "selected", "the selected row")                          \
    X(STATUS_INFO, "status-info", "counts and hints on the status line") \
    X(STATUS_ERROR, "status-error", "the last error on the status line") \
    X(SPINNER, "spinner", "the loading spinner and what is loading")     \
    X(OK, "ok", "healthy values such as an existing role")               \
    X(WARNING, "warning", "values that need attention")                  \
    X(ERROR, "error", "broken values such as a missing role")            \
    X(DIM, "dim", "absent or unimportant values")                        \
    X(FILTER, "filter", "the filter and command input line")             \
    X(KEY, "key", "key names on the help screen")                        \
    X(DIFF_ADD, "diff-add", "lines an action adds, in its diff")         \
    X(DIFF_REMOVE, "diff-remove", "lines an action removes")             \
    X(DIFF_HUNK, "diff-hunk", "the @@ line where a diff hunk starts")

enum theme_role {
#define THEME_ENUM(id, name, what) THEME_##id,
    THEME_ROLES(THEME_ENUM)
#undef THEME_ENUM
    THEME_ROLE_COUNT
};

enum theme_attr {
    THEME_ATTR_BOLD = 1 << 0,
    THEME_ATTR_UNDERLINE = 1 << 1,
    THEME_ATTR_REVERSE = 1 << 2,
    THEME_ATTR_DIM = 1 << 3,
};

#define THEME_DEFAULT_COLOR (-1) /* the terminal's own foreground/background */

struct theme_style {
    int fg;          /* 0-255, or THEME_DEFAULT_COLOR */
    int bg;
    unsigned attrs;  /* enum theme_attr bits */
};

struct theme {
    char name[64];       /* file name without .yaml, or "built-in" */
    char path[4096];     /* file it came from, or "" for the built-in */
    struct theme_style styles[THEME_ROLE_COUNT];
};

/* Name of a role as written in theme files, or NULL when out of range. */
const char *theme_role_name(enum theme_role role);
/* One-line description of what the role colours. */
const char *theme_role_description(enum theme_role role);
/* Role named name, or -1 when there is none. */
int theme_role_by_name(const char *name);

/* Fills t with the built-in attributes-only palette, which is also the
 * base that every theme file overrides role by role. */
void theme_init_builtin(struct theme *t);

/* Loads the theme file at path over the built-in palette. Returns 0, or
 * -1 with "file:line: what is wrong" in err. */
int theme_load_file(struct theme *t, const char *path, char *err,
                    size_t errlen);

/*
 * Loads a theme by name or path. A value with a '/' or ending in ".yaml"
 * is a path. Otherwise NAME.yaml is looked up in
 * $XDG_CONFIG_HOME/albatross/themes (~/.config when unset) first, so a
 * user can override a shipped theme, then in themes/ in the executable's
 * directory or its parent, then in ../share/albatross/themes from it.
 * name NULL means "default", and a missing default theme falls back to
 * the built-in palette. Returns 0, or -1 with a message.
 */
int theme_load(struct theme *t, const char *name, char *err, size_t errlen);

/* Drops every colour, for NO_COLOR. A role that had a colour also gets
 * the built-in palette's attributes, so it stays distinct. */
void theme_strip_colors(struct theme *t);

#endif
