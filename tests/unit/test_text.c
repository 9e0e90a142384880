/*
 * The sanitiser every piece of outside text goes through before it is
 * drawn, its width measurement and cutting, and the JSON layout of the
 * role view.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "../../ui/detail.h"
#include "../../ui/text.h"

#define REPLACEMENT ((wchar_t)0xFFFD)

static wchar_t out[TEXT_MAX];

static void assert_wide(const wchar_t *got, const wchar_t *want)
{
    if (wcscmp(got, want) != 0)
        fail_msg("got \"%ls\", want \"%ls\"", got, want);
}

static void plain_text_unchanged(void **state)
{
    (void)state;
    assert_int_equal(text_decode("kube-system/aws-node", out, TEXT_MAX),
                     20);
    assert_wide(out, L"kube-system/aws-node");
    assert_int_equal(text_decode(NULL, out, TEXT_MAX), 0);
    assert_wide(out, L"");
}

static void control_characters_replaced(void **state)
{
    (void)state;
    /* ESC starting a colour sequence, then BEL, CR, LF and DEL. */
    text_decode("a\x1b[31mred\x07\r\n\x7f" "b", out, TEXT_MAX);
    assert_int_equal(out[0], L'a');
    assert_int_equal(out[1], REPLACEMENT);
    assert_int_equal(out[2], L'[');
    assert_int_equal(out[6], L'r');
    assert_int_equal(out[9], REPLACEMENT);
    assert_int_equal(out[10], REPLACEMENT);
    assert_int_equal(out[11], REPLACEMENT);
    assert_int_equal(out[12], REPLACEMENT);
    assert_int_equal(out[13], L'b');
    for (size_t i = 0; out[i]; i++)
        assert_true(out[i] >= 0x20 && out[i] != 0x7f);
}

static void c1_controls_replaced(void **state)
{
    (void)state;
    /* U+009B is the 8-bit CSI, U+0085 NEL. */
    text_decode("x\xc2\x9b" "31m\xc2\x85y", out, TEXT_MAX);
    assert_int_equal(out[1], REPLACEMENT);
    assert_int_equal(out[5], REPLACEMENT);
    assert_int_equal(out[6], L'y');
}

static void tab_becomes_space(void **state)
{
    (void)state;
    text_decode("a\tb", out, TEXT_MAX);
    assert_wide(out, L"a b");
}

static void invalid_utf8_replaced(void **state)
{
    static const struct {
        const char *in;
        const char *why;
    } cases[] = {
        { "\xff", "byte never valid" },
        { "\xc3", "truncated sequence" },
        { "\xc0\xaf", "overlong slash" },
        { "\xe0\x80\xaf", "overlong three-byte slash" },
        { "\xed\xa0\x80", "surrogate" },
        { "\xf4\x90\x80\x80", "beyond U+10FFFF" },
        { "\x80", "lone continuation byte" },
    };
    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char in[16];
        snprintf(in, sizeof(in), "<%s>", cases[i].in);
        text_decode(in, out, TEXT_MAX);
        if (out[0] != L'<' || out[1] != REPLACEMENT ||
            out[wcslen(out) - 1] != L'>')
            fail_msg("%s: got \"%ls\"", cases[i].why, out);
        for (size_t j = 1; out[j + 1]; j++)
            if (out[j] != REPLACEMENT)
                fail_msg("%s: kept %#x", cases[i].why, (unsigned)out[j]);
    }
}

static void bidi_overrides_replaced(void **state)
{
    (void)state;
    /* U+202E RIGHT-TO-LEFT OVERRIDE, U+2066 LEFT-TO-RIGHT ISOLATE. */
    text_decode("a\xe2\x80\xae" "b\xe2\x81\xa6" "c", out, TEXT_MAX);
    assert_wide(out, L"a\xfffd" L"b\xfffd" L"c");
}

static void valid_unicode_kept(void **state)
{
    (void)state;
    text_decode("caf\xc3\xa9 \xe6\x9d\xb1\xe4\xba\xac \xf0\x9f\x90\xa6",
                out, TEXT_MAX);
    assert_wide(out, L"caf\xe9 \x6771\x4eac \x1f426");
}

static void output_bounded(void **state)
{
    wchar_t small[4];
    (void)state;
    assert_int_equal(text_decode("abcdef", small, 4), 3);
    assert_wide(small, L"abc");
    assert_int_equal(text_decode("abc", small, 0), 0);
}

static void width_counts_wide_characters(void **state)
{
    (void)state;
    text_decode("\xe6\x9d\xb1\xe4\xba\xac" "ab", out, TEXT_MAX);
    assert_int_equal(text_width(out), 6);
    /* A combining acute accent takes no column of its own. */
    text_decode("e\xcc\x81", out, TEXT_MAX);
    assert_int_equal(text_width(out), 1);
}

static void fit_cuts_with_ellipsis(void **state)
{
    wchar_t fit[32];
    (void)state;
    assert_int_equal(text_fit(L"abcdef", 6, fit, 32), 6);
    assert_wide(fit, L"abcdef");
    assert_int_equal(text_fit(L"abcdefg", 6, fit, 32), 6);
    assert_wide(fit, L"abcde\x2026");
    assert_int_equal(text_fit(L"abc", 0, fit, 32), 0);
    assert_wide(fit, L"");
}

static void fit_never_splits_wide_character(void **state)
{
    wchar_t fit[32];
    (void)state;
    /* Four double-width characters in 5 columns: two fit beside the
     * ellipsis, and the result is one column short rather than over. */
    int used = text_fit(L"\x6771\x4eac\x6771\x4eac", 5, fit, 32);
    assert_wide(fit, L"\x6771\x4eac\x2026");
    assert_int_equal(used, 5);
    used = text_fit(L"\x6771\x4eac\x6771\x4eac", 4, fit, 32);
    assert_wide(fit, L"\x6771\x2026");
    assert_int_equal(used, 3);
}

static void fit_tail_keeps_end(void **state)
{
    wchar_t fit[64];
    (void)state;
    assert_int_equal(text_fit_tail(L"arn:aws:iam::1:role/batch", 11, fit,
                                   64), 11);
    assert_wide(fit, L"\x2026role/batch");
    assert_int_equal(text_fit_tail(L"short", 11, fit, 64), 5);
    assert_wide(fit, L"short");
    /* A double-width character that would straddle the cut is dropped. */
    assert_int_equal(text_fit_tail(L"\x6771\x4eac\x6771", 4, fit, 64), 3);
    assert_wide(fit, L"\x2026\x6771");
}

static void contains_ignores_case(void **state)
{
    (void)state;
    assert_true(text_contains(L"kube-system", L"SYS"));
    assert_true(text_contains(L"Storefront", L"storef"));
    assert_true(text_contains(L"anything", L""));
    assert_false(text_contains(L"shop", L"shops"));
    assert_false(text_contains(L"", L"a"));
    assert_true(text_contains(L"\xc9t\xe9", L"\xe9t\xc9"));
}

/* ---- JSON layout ---------------------------------------------------- */

static void assert_lines(const struct view *v, const char *const *want,
                         size_t count)
{
    for (size_t i = 0; i < count && i < v->line_count; i++)
        if (strcmp(v->lines[i], want[i]) != 0)
            fail_msg("line %zu: got \"%s\", want \"%s\"", i, v->lines[i],
                     want[i]);
    assert_int_equal(v->line_count, count);
}

static void json_indented(void **state)
{
    static const char *const want[] = {
        "> {",
        ">   \"Version\": \"2012-10-17\",",
        ">   \"Statement\": [",
        ">     {",
        ">       \"Effect\": \"Allow\",",
        ">       \"Principal\": {},",
        ">       \"Action\": [",
        ">         \"sts:AssumeRoleWithWebIdentity\"",
        ">       ],",
        ">       \"Condition\": []",
        ">     }",
        ">   ]",
        "> }",
    };
    struct view v;
    (void)state;
    memset(&v, 0, sizeof(v));
    detail_add_json(&v, "{\"Version\":\"2012-10-17\",\"Statement\":[{"
                    "\"Effect\":\"Allow\",\"Principal\":{ },\"Action\":"
                    "[\"sts:AssumeRoleWithWebIdentity\"],\"Condition\":[]}]}",
                    "> ");
    assert_lines(&v, want, sizeof(want) / sizeof(want[0]));
    view_clear_lines(&v);
}

static void json_strings_keep_brackets(void **state)
{
    static const char *const want[] = {
        "{",
        "  \"a\": \"x{,}[:]\\\"y\"",
        "}",
    };
    struct view v;
    (void)state;
    memset(&v, 0, sizeof(v));
    detail_add_json(&v, "{\"a\": \"x{,}[:]\\\"y\"}", "");
    assert_lines(&v, want, 3);
    view_clear_lines(&v);
}

static void json_percent_encoded(void **state)
{
    static const char *const want[] = {
        "{",
        "  \"Version\": \"2012-10-17\"",
        "}",
    };
    struct view v;
    (void)state;
    memset(&v, 0, sizeof(v));
    detail_add_json(&v, "%7B%22Version%22%3A%222012-10-17%22%7D", "");
    assert_lines(&v, want, 3);
    view_clear_lines(&v);
}

static void json_unbalanced_does_not_break(void **state)
{
    struct view v;
    (void)state;
    memset(&v, 0, sizeof(v));
    detail_add_json(&v, "]]]}{\"a\":[1,2", "");
    assert_true(v.line_count > 0);
    for (size_t i = 0; i < v.line_count; i++)
        assert_true(strlen(v.lines[i]) < 100);
    view_clear_lines(&v);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(plain_text_unchanged),
        cmocka_unit_test(control_characters_replaced),
        cmocka_unit_test(c1_controls_replaced),
        cmocka_unit_test(tab_becomes_space),
        cmocka_unit_test(invalid_utf8_replaced),
        cmocka_unit_test(bidi_overrides_replaced),
        cmocka_unit_test(valid_unicode_kept),
        cmocka_unit_test(output_bounded),
        cmocka_unit_test(width_counts_wide_characters),
        cmocka_unit_test(fit_cuts_with_ellipsis),
        cmocka_unit_test(fit_never_splits_wide_character),
        cmocka_unit_test(fit_tail_keeps_end),
        cmocka_unit_test(contains_ignores_case),
        cmocka_unit_test(json_indented),
        cmocka_unit_test(json_strings_keep_brackets),
        cmocka_unit_test(json_percent_encoded),
        cmocka_unit_test(json_unbalanced_does_not_break),
    };
    if (!setlocale(LC_ALL, "C.UTF-8")) {
        fprintf(stderr, "test_text: the C.UTF-8 locale is missing\n");
        return 1;
    }
    return cmocka_run_group_tests(tests, NULL, NULL);
}
