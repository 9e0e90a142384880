/*
 * The unified diff that the confirmation of an action shows: hunk lines
 * with diff -u's line numbers and counts, three context lines around each
 * change, separate hunks for changes far apart, and a role per line.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "../../ui/dialog.h"

/* Lines "1\n" .. "n\n", with line change (1-based, 0 for none) replaced
 * by "changed". */
static void numbered(char *buf, size_t len, int n, int change)
{
    buf[0] = '\0';
    for (int i = 1; i <= n; i++) {
        size_t used = strlen(buf);
        if (i == change)
            snprintf(buf + used, len - used, "changed\n");
        else
            snprintf(buf + used, len - used, "%d\n", i);
    }
}

static void assert_lines(const struct view *v, const char *const *expected,
                         size_t count)
{
    assert_int_equal(v->line_count, count);
    for (size_t i = 0; i < count; i++)
        assert_string_equal(v->lines[i], expected[i]);
}

static void one_change_in_middle(void **state)
{
    (void)state;
    char before[256], after[256];
    struct view v = { 0 };
    numbered(before, sizeof(before), 10, 0);
    numbered(after, sizeof(after), 10, 5);
    dialog_add_diff(&v, before, after);
    static const char *const expected[] = {
        "  @@ -2,7 +2,7 @@", "   2", "   3", "   4", "  -5", "  +changed",
        "   6", "   7", "   8",
    };
    assert_lines(&v, expected, sizeof(expected) / sizeof(expected[0]));
    assert_int_equal(v.line_roles[0], THEME_DIFF_HUNK);
    assert_int_equal(v.line_roles[1], THEME_NORMAL);
    assert_int_equal(v.line_roles[4], THEME_DIFF_REMOVE);
    assert_int_equal(v.line_roles[5], THEME_DIFF_ADD);
    view_clear_lines(&v);
}

static void far_changes_make_two_hunks(void **state)
{
    (void)state;
    char before[256], after[256];
    struct view v = { 0 };
    numbered(before, sizeof(before), 20, 0);
    numbered(after, sizeof(after), 20, 2);
    /* Line 18 differs too: change it by hand. */
    char *at = strstr(after, "\n18\n");
    assert_non_null(at);
    memcpy(at + 1, "XX", 2);
    dialog_add_diff(&v, before, after);
    assert_string_equal(v.lines[0], "  @@ -1,5 +1,5 @@");
    size_t second = 0;
    for (size_t i = 1; i < v.line_count; i++)
        if (strncmp(v.lines[i], "  @@", 4) == 0)
            second = i;
    assert_true(second > 0);
    assert_string_equal(v.lines[second], "  @@ -15,6 +15,6 @@");
    assert_string_equal(v.lines[v.line_count - 1], "   20");
    view_clear_lines(&v);
}

static void new_document_is_all_added(void **state)
{
    (void)state;
    struct view v = { 0 };
    dialog_add_diff(&v, "", "{\n}\n");
    static const char *const expected[] = {
        "  @@ -0,0 +1,2 @@", "  +{", "  +}",
    };
    assert_lines(&v, expected, sizeof(expected) / sizeof(expected[0]));
    view_clear_lines(&v);
}

static void same_text_shows_no_change(void **state)
{
    (void)state;
    struct view v = { 0 };
    dialog_add_diff(&v, "a\nb\n", "a\nb\n");
    static const char *const expected[] = { "  (no change)" };
    assert_lines(&v, expected, 1);
    view_clear_lines(&v);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(one_change_in_middle),
        cmocka_unit_test(far_changes_make_two_hunks),
        cmocka_unit_test(new_document_is_all_added),
        cmocka_unit_test(same_text_shows_no_change),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
