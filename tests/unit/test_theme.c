/*
 * The theme loader: the shipped themes, colours and attributes, themes
 * found by name, and an error naming file and line for each kind of
 * broken theme file.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../src/theme.h"

struct fixture {
    char dir[64];
    char themes[128];
    char path[192];
    char err[1024];
    struct theme theme;
};

static int setup(void **state)
{
    struct fixture *fx = calloc(1, sizeof(*fx));

    assert_non_null(fx);
    strcpy(fx->dir, "/tmp/albatross-theme-XXXXXX");
    assert_non_null(mkdtemp(fx->dir));
    snprintf(fx->themes, sizeof(fx->themes), "%s/albatross", fx->dir);
    mkdir(fx->themes, 0700);
    snprintf(fx->themes, sizeof(fx->themes), "%s/albatross/themes", fx->dir);
    mkdir(fx->themes, 0700);
    snprintf(fx->path, sizeof(fx->path), "%s/test.yaml", fx->themes);
    setenv("XDG_CONFIG_HOME", fx->dir, 1);
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *fx = *state;
    char path[192];

    unlink(fx->path);
    snprintf(path, sizeof(path), "%s/ocean.yaml", fx->themes);
    unlink(path);
    rmdir(fx->themes);
    snprintf(path, sizeof(path), "%s/albatross", fx->dir);
    rmdir(path);
    rmdir(fx->dir);
    free(fx);
    return 0;
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");

    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

/* Loads text as a theme file; returns what theme_load_file returned. */
static int load_text(struct fixture *fx, const char *text)
{
    write_file(fx->path, text);
    fx->err[0] = '\0';
    return theme_load_file(&fx->theme, fx->path, fx->err, sizeof(fx->err));
}

/* Asserts that text fails to load with "PATH:line: " and fragment. */
static void assert_error(struct fixture *fx, const char *text, int line,
                         const char *fragment)
{
    char prefix[256];

    assert_int_equal(load_text(fx, text), -1);
    snprintf(prefix, sizeof(prefix), "%s:%d: ", fx->path, line);
    if (strncmp(fx->err, prefix, strlen(prefix)) != 0)
        fail_msg("expected \"%s\" at the start of \"%s\"", prefix, fx->err);
    if (!strstr(fx->err, fragment))
        fail_msg("expected \"%s\" in \"%s\"", fragment, fx->err);
}

static void role_names_unique(void **state)
{
    (void)state;
    for (int i = 0; i < THEME_ROLE_COUNT; i++) {
        const char *name = theme_role_name(i);
        assert_non_null(name);
        assert_non_null(theme_role_description(i));
        assert_int_equal(theme_role_by_name(name), i);
    }
    assert_null(theme_role_name(THEME_ROLE_COUNT));
    assert_int_equal(theme_role_by_name("no-such-role"), -1);
}

/* Every role in the shipped files, and in the same order as the code,
 * so a new role cannot be forgotten in them. */
static void assert_lists_every_role(const char *path)
{
    char line[256];
    int role = 0;
    FILE *f = fopen(path, "r");

    assert_non_null(f);
    while (fgets(line, sizeof(line), f)) {
        if (line[0] == '#' || line[0] == '\n')
            continue;
        size_t n = strcspn(line, ":");
        assert_true(role < THEME_ROLE_COUNT);
        assert_int_equal(n, strlen(theme_role_name(role)));
        assert_memory_equal(line, theme_role_name(role), n);
        role++;
    }
    fclose(f);
    assert_int_equal(role, THEME_ROLE_COUNT);
}

static void shipped_default_has_colors(void **state)
{
    struct fixture *fx = *state;
    int colored = 0;

    assert_int_equal(theme_load_file(&fx->theme, "themes/default.yaml",
                                     fx->err, sizeof(fx->err)), 0);
    assert_string_equal(fx->theme.name, "default");
    for (int i = 0; i < THEME_ROLE_COUNT; i++)
        colored += fx->theme.styles[i].fg != THEME_DEFAULT_COLOR ||
                   fx->theme.styles[i].bg != THEME_DEFAULT_COLOR;
    assert_true(colored > THEME_ROLE_COUNT / 2);
    assert_lists_every_role("themes/default.yaml");
}

static void shipped_mono_has_no_colors(void **state)
{
    struct fixture *fx = *state;
    struct theme builtin;

    assert_int_equal(theme_load_file(&fx->theme, "themes/mono.yaml",
                                     fx->err, sizeof(fx->err)), 0);
    theme_init_builtin(&builtin);
    for (int i = 0; i < THEME_ROLE_COUNT; i++) {
        assert_int_equal(fx->theme.styles[i].fg, THEME_DEFAULT_COLOR);
        assert_int_equal(fx->theme.styles[i].bg, THEME_DEFAULT_COLOR);
        assert_int_equal(fx->theme.styles[i].attrs,
                         builtin.styles[i].attrs);
    }
    assert_lists_every_role("themes/mono.yaml");
}

static void colors_and_attributes_parse(void **state)
{
    struct fixture *fx = *state;

    assert_int_equal(load_text(fx,
        "title: {fg: red, bg: bright-blue, attrs: [bold, underline]}\n"
        "error: {fg: 196, bg: 0, attrs: [reverse, dim]}\n"
        "ok: {fg: default}\n"), 0);
    assert_int_equal(fx->theme.styles[THEME_TITLE].fg, 1);
    assert_int_equal(fx->theme.styles[THEME_TITLE].bg, 12);
    assert_int_equal(fx->theme.styles[THEME_TITLE].attrs,
                     THEME_ATTR_BOLD | THEME_ATTR_UNDERLINE);
    assert_int_equal(fx->theme.styles[THEME_ERROR].fg, 196);
    assert_int_equal(fx->theme.styles[THEME_ERROR].bg, 0);
    assert_int_equal(fx->theme.styles[THEME_ERROR].attrs,
                     THEME_ATTR_REVERSE | THEME_ATTR_DIM);
    assert_int_equal(fx->theme.styles[THEME_OK].fg, THEME_DEFAULT_COLOR);
    assert_int_equal(fx->theme.styles[THEME_OK].attrs, 0);
    assert_string_equal(fx->theme.name, "test");
    assert_string_equal(fx->theme.path, fx->path);
}

static void unnamed_roles_keep_builtin(void **state)
{
    struct fixture *fx = *state;
    struct theme builtin;

    theme_init_builtin(&builtin);
    assert_int_equal(load_text(fx, "title: {fg: green}\n"), 0);
    assert_int_equal(fx->theme.styles[THEME_SELECTED].attrs,
                     builtin.styles[THEME_SELECTED].attrs);
    assert_int_equal(fx->theme.styles[THEME_SELECTED].fg,
                     THEME_DEFAULT_COLOR);
    assert_int_equal(fx->theme.styles[THEME_TITLE].fg, 2);
}

static void empty_file_is_builtin(void **state)
{
    struct fixture *fx = *state;

    assert_int_equal(load_text(fx, "# nothing yet\n"), 0);
    assert_int_equal(fx->theme.styles[THEME_SELECTED].attrs,
                     THEME_ATTR_REVERSE);
}

static void unknown_role_names_line(void **state)
{
    assert_error(*state, "title: {fg: red}\n\nheadr: {fg: blue}\n", 3,
                 "unknown role \"headr\"");
}

static void bad_colors_name_line(void **state)
{
    struct fixture *fx = *state;

    assert_error(fx, "ok: {fg: green}\nerror:\n  fg: purple\n", 3,
                 "invalid colour \"purple\" for fg");
    assert_error(fx, "error: {bg: 256}\n", 1, "invalid colour \"256\"");
    assert_error(fx, "error: {bg: -1}\n", 1, "invalid colour \"-1\"");
    assert_error(fx, "error: {fg: bright-}\n", 1, "invalid colour");
    assert_error(fx, "error: {fg: 12abc}\n", 1, "invalid colour");
}

static void wrong_types_name_line(void **state)
{
    struct fixture *fx = *state;

    assert_error(fx, "title: red\n", 1, "must be a mapping");
    assert_error(fx, "ok: {}\ntitle:\n  fg: [red]\n", 3,
                 "fg must be a colour name");
    assert_error(fx, "title:\n  attrs: bold\n", 2, "attrs must be a list");
    assert_error(fx, "- title\n", 1, "a theme must be a mapping");
    assert_error(fx, "title: {attrs: [bold, blink]}\n", 1,
                 "invalid attribute \"blink\"");
    assert_error(fx, "title: {colour: red}\n", 1, "unknown key \"colour\"");
}

static void invalid_yaml_names_line(void **state)
{
    struct fixture *fx = *state;

    assert_int_equal(load_text(fx, "title: {fg: red\nok: [\n"), -1);
    assert_non_null(strstr(fx->err, fx->path));
    assert_non_null(strstr(fx->err, "invalid YAML"));
}

static void duplicate_key_names_line(void **state)
{
    assert_error(*state, "title: {fg: red}\nerror: {fg: blue}\n"
                 "title: {fg: green}\n", 3,
                 "duplicate key \"title\" (first given on line 1)");
}

/* A FIFO named as the theme fails at once; alarm turns a hang into a
 * failure. */
static void fifo_theme_is_an_error(void **state)
{
    struct fixture *fx = *state;

    assert_int_equal(mkfifo(fx->path, 0600), 0);
    alarm(10);
    assert_int_equal(theme_load_file(&fx->theme, fx->path, fx->err,
                                     sizeof(fx->err)), -1);
    alarm(0);
    assert_non_null(strstr(fx->err, fx->path));
    assert_non_null(strstr(fx->err, "a FIFO, not a regular file"));
}

static void theme_found_by_name(void **state)
{
    struct fixture *fx = *state;
    char path[192];

    snprintf(path, sizeof(path), "%s/ocean.yaml", fx->themes);
    write_file(path, "title: {fg: blue}\n");
    assert_int_equal(theme_load(&fx->theme, "ocean", fx->err,
                                sizeof(fx->err)), 0);
    assert_string_equal(fx->theme.name, "ocean");
    assert_string_equal(fx->theme.path, path);
    assert_int_equal(fx->theme.styles[THEME_TITLE].fg, 4);
}

static void theme_found_by_path(void **state)
{
    struct fixture *fx = *state;

    write_file(fx->path, "title: {fg: cyan}\n");
    assert_int_equal(theme_load(&fx->theme, fx->path, fx->err,
                                sizeof(fx->err)), 0);
    assert_int_equal(fx->theme.styles[THEME_TITLE].fg, 6);
}

static void missing_theme_is_an_error(void **state)
{
    struct fixture *fx = *state;

    assert_int_equal(theme_load(&fx->theme, "nosuch", fx->err,
                                sizeof(fx->err)), -1);
    assert_non_null(strstr(fx->err, "theme \"nosuch\" not found"));
    assert_non_null(strstr(fx->err, fx->themes));
}

/* The test binary has no themes/ beside it and the XDG directory has no
 * default.yaml, so the built-in palette is used without an error. */
static void missing_default_is_builtin(void **state)
{
    struct fixture *fx = *state;

    assert_int_equal(theme_load(&fx->theme, NULL, fx->err,
                                sizeof(fx->err)), 0);
    assert_string_equal(fx->theme.name, "built-in");
    assert_int_equal(fx->theme.styles[THEME_SELECTED].attrs,
                     THEME_ATTR_REVERSE);
}

static void strip_colors_keeps_attrs(void **state)
{
    struct fixture *fx = *state;

    assert_int_equal(load_text(fx, "filter: {fg: red, bg: 4, attrs: "
                               "[underline]}\ndim: {attrs: [bold]}\n"), 0);
    theme_strip_colors(&fx->theme);
    assert_int_equal(fx->theme.styles[THEME_FILTER].fg, THEME_DEFAULT_COLOR);
    assert_int_equal(fx->theme.styles[THEME_FILTER].bg, THEME_DEFAULT_COLOR);
    assert_int_equal(fx->theme.styles[THEME_FILTER].attrs,
                     THEME_ATTR_UNDERLINE | THEME_ATTR_BOLD);
    assert_int_equal(fx->theme.styles[THEME_DIM].attrs, THEME_ATTR_BOLD);
}

/* The default theme marks the selected row by colour only; without
 * colours it must still stand out. */
static void strip_colors_keeps_selection(void **state)
{
    struct fixture *fx = *state;

    assert_int_equal(theme_load_file(&fx->theme, "themes/default.yaml",
                                     fx->err, sizeof(fx->err)), 0);
    theme_strip_colors(&fx->theme);
    assert_true(fx->theme.styles[THEME_SELECTED].attrs & THEME_ATTR_REVERSE);
    assert_true(fx->theme.styles[THEME_TITLE].attrs & THEME_ATTR_REVERSE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(role_names_unique),
        cmocka_unit_test_setup_teardown(shipped_default_has_colors, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(shipped_mono_has_no_colors, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(colors_and_attributes_parse, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(unnamed_roles_keep_builtin, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(empty_file_is_builtin, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(unknown_role_names_line, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(bad_colors_name_line, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(wrong_types_name_line, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(invalid_yaml_names_line, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(duplicate_key_names_line, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(fifo_theme_is_an_error, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(theme_found_by_name, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(theme_found_by_path, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(missing_theme_is_an_error, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(missing_default_is_builtin, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(strip_colors_keeps_attrs, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(strip_colors_keeps_selection, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
