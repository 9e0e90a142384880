/*
 * The line diff behind the previews: the edit script it finds, its
 * printing with context, and the texts at its edges (empty, no final
 * newline, too long for the table).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/diff.h"

/* The diff as "  a", "- b", "+ c" lines joined by '\n'. */
static char *script(const char *before, const char *after)
{
    static const char marks[] = " -+";
    struct diff d;
    assert_int_equal(diff_lines(before, after, &d), 0);
    size_t len = 1;
    for (size_t i = 0; i < d.count; i++)
        len += d.lines[i].len + 3;
    char *out = calloc(1, len);
    char *o = out;
    for (size_t i = 0; i < d.count; i++)
        o += sprintf(o, "%c%.*s\n", marks[d.lines[i].op],
                     (int)d.lines[i].len, d.lines[i].text);
    diff_cleanup(&d);
    return out;
}

static void test_same_texts_have_no_change(void **state)
{
    (void)state;
    struct diff d;
    assert_int_equal(diff_lines("a\nb\n", "a\nb\n", &d), 0);
    assert_int_equal(d.changed, 0);
    assert_int_equal(d.count, 2);
    diff_cleanup(&d);
}

static void test_changed_line_is_removed_then_added(void **state)
{
    (void)state;
    char *s = script("{\n  \"a\": 1,\n  \"b\": 2\n}\n",
                     "{\n  \"a\": 1,\n  \"b\": 3\n}\n");
    assert_string_equal(s, " {\n"
                           "   \"a\": 1,\n"
                           "-  \"b\": 2\n"
                           "+  \"b\": 3\n"
                           " }\n");
    free(s);
}

static void test_insertion_and_deletion_keep_common_lines(void **state)
{
    (void)state;
    char *s = script("a\nb\nc\nd\n", "a\nc\nd\ne\n");
    assert_string_equal(s, " a\n-b\n c\n d\n+e\n");
    free(s);
}

static void test_empty_sides(void **state)
{
    (void)state;
    char *s = script("", "x\ny");
    assert_string_equal(s, "+x\n+y\n");
    free(s);
    s = script("x\n", NULL);
    assert_string_equal(s, "-x\n");
    free(s);
    struct diff d;
    assert_int_equal(diff_lines(NULL, "", &d), 0);
    assert_int_equal(d.count, 0);
    diff_cleanup(&d);
}

static void test_final_newline_does_not_count(void **state)
{
    (void)state;
    struct diff d;
    assert_int_equal(diff_lines("a\nb", "a\nb\n", &d), 0);
    assert_int_equal(d.changed, 0);
    diff_cleanup(&d);
    /* An empty line in the middle is a line. */
    char *s = script("a\n\nb\n", "a\nb\n");
    assert_string_equal(s, " a\n-\n b\n");
    free(s);
}

static void test_too_long_texts_are_replaced_whole(void **state)
{
    (void)state;
    size_t n = DIFF_MAX_LINES + 1;
    char *big = malloc(n * 2 + 1);
    for (size_t i = 0; i < n; i++) {
        big[2 * i] = 'x';
        big[2 * i + 1] = '\n';
    }
    big[2 * n] = '\0';
    struct diff d;
    assert_int_equal(diff_lines(big, "x\n", &d), 0);
    assert_int_equal(d.count, n + 1);
    assert_int_equal(d.changed, n + 1);
    assert_int_equal(d.lines[0].op, DIFF_REMOVED);
    assert_int_equal(d.lines[n].op, DIFF_ADDED);
    diff_cleanup(&d);
    free(big);
}

/* diff_print's output for before and after with context lines. */
static char *printed(const char *before, const char *after, size_t context)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    struct diff d;
    assert_int_equal(diff_lines(before, after, &d), 0);
    diff_print(f, &d, context, "> ");
    diff_cleanup(&d);
    fclose(f);
    return text;
}

static void test_print_keeps_context_and_elides_the_rest(void **state)
{
    (void)state;
    char *s = printed("1\n2\n3\n4\n5\n6\n7\n8\n9\n",
                      "1\n2\n3\n4\nfive\n6\n7\n8\n9\n", 1);
    assert_string_equal(s, ">   ...\n"
                           ">   4\n"
                           "> - 5\n"
                           "> + five\n"
                           ">   6\n"
                           ">   ...\n");
    free(s);
}

static void test_print_replaces_control_characters(void **state)
{
    (void)state;
    char *s = printed("", "ok\x1b[2Jbad\n", 3);
    assert_null(strchr(s, '\x1b'));
    assert_non_null(strstr(s, "+ ok"));
    free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_same_texts_have_no_change),
        cmocka_unit_test(test_changed_line_is_removed_then_added),
        cmocka_unit_test(test_insertion_and_deletion_keep_common_lines),
        cmocka_unit_test(test_empty_sides),
        cmocka_unit_test(test_final_newline_does_not_count),
        cmocka_unit_test(test_too_long_texts_are_replaced_whole),
        cmocka_unit_test(test_print_keeps_context_and_elides_the_rest),
        cmocka_unit_test(test_print_replaces_control_characters),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
