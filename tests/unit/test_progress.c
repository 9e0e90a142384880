/*
 * The progress model an apply engine drives: which state moves it
 * allows, elapsed time per step and in total on a pinned clock, the
 * resources that stack events add and update, and the failed resource a
 * failure report names.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/progress.h"

struct fixture {
    long now_ms;
    struct progress p;
};

static long pinned_clock(void *ctx)
{
    return ((struct fixture *)ctx)->now_ms;
}

static int setup(void **state)
{
    struct fixture *fx = calloc(1, sizeof(*fx));
    fx->now_ms = 1000000;
    progress_init(&fx->p, "apply cluster shop", pinned_clock, fx);
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *fx = *state;
    progress_cleanup(&fx->p);
    free(fx);
    return 0;
}

static void steps_start_pending(void **state)
{
    struct fixture *fx = *state;
    assert_int_equal(progress_step_add(&fx->p, "eksctl-shop-cluster",
                                       "the cluster"), 0);
    assert_int_equal(progress_step_add(&fx->p, "eksctl-shop-nodegroup-ng",
                                       NULL), 1);
    assert_int_equal(fx->p.count, 2);
    assert_int_equal(fx->p.steps[0].state, PROGRESS_PENDING);
    assert_string_equal(fx->p.steps[0].description, "the cluster");
    assert_null(fx->p.steps[1].description);
    assert_false(progress_running(&fx->p));
    assert_int_equal(progress_elapsed_ms(&fx->p), 0);
    assert_int_equal(progress_step_elapsed_ms(&fx->p, 0), 0);
}

static void allowed_transitions(void **state)
{
    struct fixture *fx = *state;
    progress_step_add(&fx->p, "a", NULL);
    assert_int_equal(progress_step_set(&fx->p, 0, PROGRESS_RUNNING, NULL), 0);
    assert_true(progress_running(&fx->p));
    assert_int_equal(progress_step_set(&fx->p, 0, PROGRESS_FAILED,
                                       "VPC limit"), 0);
    assert_string_equal(fx->p.steps[0].reason, "VPC limit");
    assert_int_equal(progress_step_set(&fx->p, 0, PROGRESS_ROLLED_BACK,
                                       "rolled back"), 0);
    assert_int_equal(fx->p.steps[0].state, PROGRESS_ROLLED_BACK);
    /* A retry after the stack was deleted runs the step again. */
    assert_int_equal(progress_step_set(&fx->p, 0, PROGRESS_RUNNING, NULL), 0);
    assert_null(fx->p.steps[0].reason);
    assert_int_equal(progress_step_set(&fx->p, 0, PROGRESS_DONE, NULL), 0);
    assert_int_equal(fx->p.steps[0].state, PROGRESS_DONE);
    assert_false(progress_running(&fx->p));
}

static void rejected_transitions(void **state)
{
    struct fixture *fx = *state;
    progress_step_add(&fx->p, "a", NULL);
    /* A pending step has not run, so it cannot have finished. */
    assert_int_equal(progress_step_set(&fx->p, 0, PROGRESS_DONE, NULL), -1);
    assert_int_equal(progress_step_set(&fx->p, 0, PROGRESS_FAILED, "x"), -1);
    assert_int_equal(progress_step_set(&fx->p, 0, PROGRESS_ROLLED_BACK, NULL),
                     -1);
    assert_int_equal(fx->p.steps[0].state, PROGRESS_PENDING);
    assert_null(fx->p.steps[0].reason);
    progress_step_set(&fx->p, 0, PROGRESS_RUNNING, NULL);
    progress_step_set(&fx->p, 0, PROGRESS_DONE, NULL);
    /* Done is final, and nothing goes back to pending. */
    assert_int_equal(progress_step_set(&fx->p, 0, PROGRESS_RUNNING, NULL), -1);
    assert_int_equal(progress_step_set(&fx->p, 0, PROGRESS_FAILED, "x"), -1);
    assert_int_equal(progress_step_set(&fx->p, 0, PROGRESS_PENDING, NULL), -1);
    assert_int_equal(fx->p.steps[0].state, PROGRESS_DONE);
    assert_int_equal(progress_step_set(&fx->p, 7, PROGRESS_RUNNING, NULL), -1);
}

static void step_elapsed_follows_clock(void **state)
{
    struct fixture *fx = *state;
    progress_step_add(&fx->p, "a", NULL);
    progress_step_set(&fx->p, 0, PROGRESS_RUNNING, NULL);
    fx->now_ms += 1500;
    assert_int_equal(progress_step_elapsed_ms(&fx->p, 0), 1500);
    fx->now_ms += 2500;
    assert_int_equal(progress_step_elapsed_ms(&fx->p, 0), 4000);
    progress_step_set(&fx->p, 0, PROGRESS_DONE, NULL);
    fx->now_ms += 60000;
    /* A finished step's time stops at its end. */
    assert_int_equal(progress_step_elapsed_ms(&fx->p, 0), 4000);
}

static void rollback_keeps_failure_end(void **state)
{
    struct fixture *fx = *state;
    progress_step_add(&fx->p, "a", NULL);
    progress_step_set(&fx->p, 0, PROGRESS_RUNNING, NULL);
    fx->now_ms += 3000;
    progress_step_set(&fx->p, 0, PROGRESS_FAILED, "limit");
    fx->now_ms += 9000;
    progress_step_set(&fx->p, 0, PROGRESS_ROLLED_BACK, NULL);
    assert_int_equal(progress_step_elapsed_ms(&fx->p, 0), 3000);
    /* A retry counts the failed attempt and runs on from there. */
    progress_step_set(&fx->p, 0, PROGRESS_RUNNING, NULL);
    fx->now_ms += 1000;
    assert_int_equal(progress_step_elapsed_ms(&fx->p, 0), 13000);
}

static void total_elapsed_spans_steps(void **state)
{
    struct fixture *fx = *state;
    progress_step_add(&fx->p, "a", NULL);
    progress_step_add(&fx->p, "b", NULL);
    progress_step_set(&fx->p, 0, PROGRESS_RUNNING, NULL);
    fx->now_ms += 2000;
    progress_step_set(&fx->p, 0, PROGRESS_DONE, NULL);
    fx->now_ms += 500;
    /* Between steps nothing runs: the total stops at the last end. */
    assert_int_equal(progress_elapsed_ms(&fx->p), 2000);
    progress_step_set(&fx->p, 1, PROGRESS_RUNNING, NULL);
    fx->now_ms += 1000;
    assert_int_equal(progress_elapsed_ms(&fx->p), 3500);
    assert_int_equal(progress_step_elapsed_ms(&fx->p, 1), 1000);
    progress_step_set(&fx->p, 1, PROGRESS_DONE, NULL);
    fx->now_ms += 10000;
    assert_int_equal(progress_elapsed_ms(&fx->p), 3500);
}

static void resources_added_then_updated(void **state)
{
    struct fixture *fx = *state;
    progress_step_add(&fx->p, "eksctl-shop-cluster", NULL);
    unsigned long before = fx->p.version;
    assert_int_equal(progress_resource_set(&fx->p, 0, "VPC", "AWS::EC2::VPC",
                                           "CREATE_IN_PROGRESS", NULL), 0);
    assert_int_equal(progress_resource_set(&fx->p, 0, "ControlPlane",
                                           "AWS::EKS::Cluster",
                                           "CREATE_IN_PROGRESS", NULL), 0);
    assert_int_equal(progress_resource_set(&fx->p, 0, "VPC", NULL,
                                           "CREATE_COMPLETE", NULL), 0);
    assert_true(fx->p.version > before);
    const struct progress_step *s = &fx->p.steps[0];
    assert_int_equal(s->resource_count, 2);
    assert_string_equal(s->resources[0].logical_id, "VPC");
    assert_string_equal(s->resources[0].type, "AWS::EC2::VPC");
    assert_string_equal(s->resources[0].status, "CREATE_COMPLETE");
    assert_string_equal(s->resources[1].logical_id, "ControlPlane");
    assert_int_equal(progress_resource_set(&fx->p, 0, "", "T", "S", NULL),
                     -1);
    assert_int_equal(progress_resource_set(&fx->p, 3, "VPC", "T", "S", NULL),
                     -1);
}

static void failed_resource_named(void **state)
{
    struct fixture *fx = *state;
    progress_step_add(&fx->p, "eksctl-shop-cluster", NULL);
    assert_null(progress_failed_resource(&fx->p, 0));
    progress_resource_set(&fx->p, 0, "VPC", "AWS::EC2::VPC",
                          "CREATE_COMPLETE", NULL);
    progress_resource_set(&fx->p, 0, "NATIP", "AWS::EC2::EIP",
                          "CREATE_FAILED", "The maximum number of addresses "
                          "has been reached.");
    const struct progress_resource *r = progress_failed_resource(&fx->p, 0);
    assert_non_null(r);
    assert_string_equal(r->logical_id, "NATIP");
    assert_string_equal(r->reason, "The maximum number of addresses has "
                        "been reached.");
    progress_step_set_next(&fx->p, 0, "delete the stack and apply again");
    assert_string_equal(fx->p.steps[0].next_action,
                        "delete the stack and apply again");
}

static void bounds_kept(void **state)
{
    struct fixture *fx = *state;
    for (int i = 0; i < PROGRESS_MAX_STEPS; i++)
        assert_int_equal(progress_step_add(&fx->p, "s", NULL), i);
    assert_int_equal(progress_step_add(&fx->p, "s", NULL), -1);
    char id[32];
    for (int i = 0; i < PROGRESS_MAX_RESOURCES + 3; i++) {
        snprintf(id, sizeof(id), "R%d", i);
        assert_int_equal(progress_resource_set(&fx->p, 0, id, "T", "S", NULL),
                         0);
    }
    assert_int_equal(fx->p.steps[0].resource_count, PROGRESS_MAX_RESOURCES);
    assert_int_equal(fx->p.steps[0].resources_dropped, 3);
    char *long_reason = malloc(PROGRESS_TEXT_MAX * 2);
    memset(long_reason, 'x', PROGRESS_TEXT_MAX * 2 - 1);
    long_reason[PROGRESS_TEXT_MAX * 2 - 1] = '\0';
    progress_step_set(&fx->p, 1, PROGRESS_RUNNING, NULL);
    progress_step_set(&fx->p, 1, PROGRESS_FAILED, long_reason);
    assert_int_equal(strlen(fx->p.steps[1].reason), PROGRESS_TEXT_MAX);
    free(long_reason);
}

static void state_names(void **state)
{
    (void)state;
    assert_string_equal(progress_state_name(PROGRESS_PENDING), "pending");
    assert_string_equal(progress_state_name(PROGRESS_RUNNING), "running");
    assert_string_equal(progress_state_name(PROGRESS_DONE), "done");
    assert_string_equal(progress_state_name(PROGRESS_FAILED), "failed");
    assert_string_equal(progress_state_name(PROGRESS_ROLLED_BACK),
                        "rolled back");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(steps_start_pending, setup, teardown),
        cmocka_unit_test_setup_teardown(allowed_transitions, setup, teardown),
        cmocka_unit_test_setup_teardown(rejected_transitions, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(step_elapsed_follows_clock, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(rollback_keeps_failure_end, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(total_elapsed_spans_steps, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(resources_added_then_updated, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(failed_resource_named, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(bounds_kept, setup, teardown),
        cmocka_unit_test(state_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
