/*
 * The progress view's lines, made from a progress model without a
 * terminal: the summary with elapsed time, the note, each step's state
 * and resources, and for a failed step the failed resource, its reason
 * and what to do next.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "../../ui/progress_view.h"

static long clock_ms;

static long pinned_clock(void *ctx)
{
    (void)ctx;
    return clock_ms;
}

/* The index of the first line containing text, or -1. */
static long find_line(const struct view *v, const char *text)
{
    for (size_t i = 0; i < v->line_count; i++)
        if (strstr(v->lines[i], text))
            return (long)i;
    return -1;
}

static void assert_line(const struct view *v, const char *text)
{
    if (find_line(v, text) < 0)
        fail_msg("no line contains \"%s\"", text);
}

static void make_lines(struct progress *p, struct view *v)
{
    struct ui ui;
    memset(&ui, 0, sizeof(ui));
    ui.progress = p;
    memset(v, 0, sizeof(*v));
    progress_pane.prepare(&ui, v);
}

static void failure_names_resource(void **state)
{
    (void)state;
    struct progress p;
    struct view v;
    clock_ms = 5000;
    progress_init(&p, "apply cluster shop", pinned_clock, NULL);
    progress_step_add(&p, "eksctl-shop-cluster", "the VPC and the cluster");
    progress_step_add(&p, "eksctl-shop-nodegroup-ng-1", NULL);
    progress_step_set(&p, 0, PROGRESS_RUNNING, NULL);
    progress_resource_set(&p, 0, "VPC", "AWS::EC2::VPC", "CREATE_COMPLETE",
                          NULL);
    progress_resource_set(&p, 0, "NATIP", "AWS::EC2::EIP", "CREATE_FAILED",
                          "The maximum number of addresses has been "
                          "reached.");
    clock_ms += 42000;
    progress_step_set(&p, 0, PROGRESS_ROLLED_BACK, "stack rolled back");
    progress_step_set_next(&p, 0, "raise the Elastic IP quota, delete the "
                           "stack and apply again");
    progress_set_note(&p, "first line\nsecond line");
    make_lines(&p, &v);

    assert_line(&v, "Elapsed 42s: 0 of 2 steps done, 0 running, 1 failed");
    assert_line(&v, "first line");
    assert_line(&v, "second line");
    long step = find_line(&v, "eksctl-shop-cluster");
    assert_true(step >= 0);
    assert_non_null(strstr(v.lines[step], "rolled back"));
    assert_non_null(strstr(v.lines[step], "42s"));
    assert_int_equal(v.line_roles[step], THEME_ERROR);
    long vpc = find_line(&v, "AWS::EC2::VPC");
    assert_true(vpc > step);
    assert_non_null(strstr(v.lines[vpc], "CREATE_COMPLETE"));
    assert_int_equal(v.line_roles[vpc], THEME_OK);
    assert_line(&v, "Reason: stack rolled back");
    assert_line(&v, "Failed resource: NATIP (AWS::EC2::EIP): The maximum "
                "number of addresses has been reached.");
    assert_line(&v, "Next: raise the Elastic IP quota, delete the stack and "
                "apply again");
    long pending = find_line(&v, "eksctl-shop-nodegroup-ng-1");
    assert_true(pending > step);
    assert_non_null(strstr(v.lines[pending], "pending"));
    assert_int_equal(v.line_roles[pending], THEME_DIM);
    view_clear_lines(&v);
    progress_cleanup(&p);
}

static void running_step_counts_up(void **state)
{
    (void)state;
    struct progress p;
    struct view v;
    clock_ms = 0;
    progress_init(&p, "apply", pinned_clock, NULL);
    progress_step_add(&p, "eksctl-shop-cluster", NULL);
    progress_step_set(&p, 0, PROGRESS_RUNNING, NULL);
    clock_ms = 7000;
    make_lines(&p, &v);
    assert_line(&v, "Elapsed 7s: 0 of 1 steps done, 1 running, 0 failed");
    long step = find_line(&v, "eksctl-shop-cluster");
    assert_non_null(strstr(v.lines[step], "running"));
    assert_non_null(strstr(v.lines[step], "7s"));
    assert_int_equal(find_line(&v, "Next:"), -1);
    view_clear_lines(&v);
    progress_cleanup(&p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(failure_names_resource),
        cmocka_unit_test(running_step_counts_up),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
