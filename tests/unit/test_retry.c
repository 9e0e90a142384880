/*
 * The retry rules of the SDKs' standard mode: which failures are retried,
 * the backoff and its jitter bounds with a pinned random source, the
 * retry quota's accounting, max_attempts values and Retry-After headers
 * with a pinned clock.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "../../api/retry.h"

/* A random source that returns the values of a table in turn. */
struct sequence {
    const double *values;
    size_t count;
    size_t next;
};

static double from_sequence(void *ctx)
{
    struct sequence *s = ctx;
    return s->values[s->next++ % s->count];
}

static struct retry_backoff pinned(struct sequence *seq, long base)
{
    struct retry_backoff b = {
        .base_ms = base, .max_ms = RETRY_MAX_BACKOFF_MS,
        .random = from_sequence, .random_ctx = seq,
    };
    return b;
}

static void throttling_codes_retried(void **state)
{
    (void)state;
    static const char *const codes[] = {
        "Throttling", "ThrottlingException", "ThrottledException",
        "RequestThrottledException", "TooManyRequestsException",
        "ProvisionedThroughputExceededException", "RequestLimitExceeded",
        "BandwidthLimitExceeded", "LimitExceededException",
        "RequestThrottled", "SlowDown", "PriorRequestNotComplete",
        "EC2ThrottledException",
    };
    for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
        assert_int_equal(retry_classify(400, codes[i], 0, 0),
                         RETRY_THROTTLING);
        assert_true(retry_is_throttling_code(codes[i]));
    }
    assert_int_equal(retry_classify(429, "", 0, 0), RETRY_THROTTLING);
    assert_int_equal(retry_classify(429, NULL, 0, 0), RETRY_THROTTLING);
}

static void transient_failures_retried(void **state)
{
    (void)state;
    static const long statuses[] = {500, 502, 503, 504};
    for (size_t i = 0; i < 4; i++)
        assert_int_equal(retry_classify(statuses[i], "InternalFailure", 0,
                                        0), RETRY_TRANSIENT);
    assert_int_equal(retry_classify(400, "RequestTimeout", 0, 0),
                     RETRY_TRANSIENT);
    assert_int_equal(retry_classify(400, "RequestTimeoutException", 0, 0),
                     RETRY_TRANSIENT);
    assert_int_equal(retry_classify(400, "IDPCommunicationError", 0, 0),
                     RETRY_TRANSIENT);
    assert_int_equal(retry_classify(0, NULL, 1, 0), RETRY_TRANSIENT);
    assert_int_equal(retry_classify(0, NULL, 1, 1), RETRY_TIMEOUT);
}

static void client_errors_not_retried(void **state)
{
    (void)state;
    assert_int_equal(retry_classify(403, "AccessDenied", 0, 0), RETRY_NONE);
    assert_int_equal(retry_classify(400, "ValidationError", 0, 0),
                     RETRY_NONE);
    assert_int_equal(retry_classify(404, "NoSuchEntity", 0, 0), RETRY_NONE);
    assert_int_equal(retry_classify(401, NULL, 0, 0), RETRY_NONE);
    assert_int_equal(retry_classify(501, NULL, 0, 0), RETRY_NONE);
    assert_false(retry_is_throttling_code("AccessDenied"));
    assert_false(retry_is_throttling_code(NULL));
}

static void backoff_doubles_per_attempt(void **state)
{
    (void)state;
    static const double half[] = {0.5};
    struct sequence seq = {half, 1, 0};
    struct retry_backoff b = pinned(&seq, 1000);
    assert_int_equal(retry_delay_ms(&b, 1), 500);
    assert_int_equal(retry_delay_ms(&b, 2), 1000);
    assert_int_equal(retry_delay_ms(&b, 3), 2000);
    assert_int_equal(retry_delay_ms(&b, 5), 8000);
    /* 2^5 s is past the cap of 20 s. */
    assert_int_equal(retry_delay_ms(&b, 6), 10000);
    assert_int_equal(retry_delay_ms(&b, 40), 10000);
}

static void jitter_stays_in_bounds(void **state)
{
    (void)state;
    static const double values[] = {0.0, 0.999999, 0.25, 0.75, 0.5};
    struct sequence seq = {values, 5, 0};
    struct retry_backoff b = pinned(&seq, 1000);
    for (int attempt = 1; attempt <= 8; attempt++) {
        long cap = 1000L << (attempt - 1);
        if (cap > RETRY_MAX_BACKOFF_MS)
            cap = RETRY_MAX_BACKOFF_MS;
        for (size_t i = 0; i < 5; i++) {
            long d = retry_delay_ms(&b, attempt);
            assert_true(d >= 0);
            assert_true(d < cap);
            assert_int_equal(d, (long)(values[i] * (double)cap));
        }
    }
    assert_int_equal(seq.next, 40);
}

static void random_out_of_range_gives_zero(void **state)
{
    (void)state;
    static const double bad[] = {1.0, -0.5};
    struct sequence seq = {bad, 2, 0};
    struct retry_backoff b = pinned(&seq, 1000);
    assert_int_equal(retry_delay_ms(&b, 3), 0);
    assert_int_equal(retry_delay_ms(&b, 3), 0);
}

static void default_random_within_cap(void **state)
{
    (void)state;
    struct retry_backoff b;
    unsetenv(RETRY_BASE_ENV);
    retry_backoff_init(&b);
    assert_int_equal(b.base_ms, RETRY_BASE_MS);
    assert_int_equal(b.max_ms, RETRY_MAX_BACKOFF_MS);
    long distinct = -1;
    int differ = 0;
    for (int i = 0; i < 200; i++) {
        long d = retry_delay_ms(&b, 2);
        assert_true(d >= 0 && d < 2000);
        differ |= distinct >= 0 && d != distinct;
        distinct = d;
    }
    assert_true(differ);
}

static void base_from_environment(void **state)
{
    (void)state;
    struct retry_backoff b;
    setenv(RETRY_BASE_ENV, "10", 1);
    retry_backoff_init(&b);
    assert_int_equal(b.base_ms, 10);
    setenv(RETRY_BASE_ENV, "ten", 1);
    retry_backoff_init(&b);
    assert_int_equal(b.base_ms, RETRY_BASE_MS);
    setenv(RETRY_BASE_ENV, "60001", 1);
    retry_backoff_init(&b);
    assert_int_equal(b.base_ms, RETRY_BASE_MS);
    unsetenv(RETRY_BASE_ENV);
}

static void quota_charges_per_class(void **state)
{
    (void)state;
    struct retry_quota q;
    retry_quota_init(&q);
    assert_int_equal(q.available, 500);
    assert_int_equal(retry_quota_acquire(&q, RETRY_THROTTLING), 5);
    assert_int_equal(q.available, 495);
    assert_int_equal(retry_quota_acquire(&q, RETRY_TRANSIENT), 5);
    assert_int_equal(q.available, 490);
    assert_int_equal(retry_quota_acquire(&q, RETRY_TIMEOUT), 10);
    assert_int_equal(q.available, 480);
    assert_int_equal(retry_quota_acquire(&q, RETRY_NONE), 0);
    assert_int_equal(q.available, 480);
}

static void quota_empties_then_refuses(void **state)
{
    (void)state;
    struct retry_quota q;
    retry_quota_init(&q);
    int retries = 0;
    while (retry_quota_acquire(&q, RETRY_TRANSIENT) == 5)
        retries++;
    assert_int_equal(retries, 100);
    assert_int_equal(q.available, 0);
    assert_int_equal(retry_quota_acquire(&q, RETRY_THROTTLING), 0);
    /* Four first-try successes give back 4: still short of a retry. */
    for (int i = 0; i < 4; i++)
        retry_quota_release(&q, 0);
    assert_int_equal(q.available, 4);
    assert_int_equal(retry_quota_acquire(&q, RETRY_TRANSIENT), 0);
    retry_quota_release(&q, 0);
    assert_int_equal(retry_quota_acquire(&q, RETRY_TRANSIENT), 5);
    assert_int_equal(q.available, 0);
    q.available = 9;
    assert_int_equal(retry_quota_acquire(&q, RETRY_TIMEOUT), 0);
    assert_int_equal(q.available, 9);
}

static void quota_refunds_retried_success(void **state)
{
    (void)state;
    struct retry_quota q;
    retry_quota_init(&q);
    int taken = retry_quota_acquire(&q, RETRY_TIMEOUT);
    assert_int_equal(q.available, 490);
    retry_quota_release(&q, taken);
    assert_int_equal(q.available, 500);
    /* Never past the capacity. */
    retry_quota_release(&q, 0);
    retry_quota_release(&q, 10);
    assert_int_equal(q.available, RETRY_QUOTA_CAPACITY);
}

static void max_attempts_values(void **state)
{
    (void)state;
    char err[256];
    int n = 0;
    assert_int_equal(retry_parse_max_attempts("1", "AWS_MAX_ATTEMPTS", &n,
                                              err, sizeof(err)), 0);
    assert_int_equal(n, 1);
    assert_int_equal(retry_parse_max_attempts("20", "AWS_MAX_ATTEMPTS", &n,
                                              err, sizeof(err)), 0);
    assert_int_equal(n, 20);
    static const char *const bad[] = {"0", "21", "-1", "3x", "", "three"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        n = 7;
        assert_int_equal(retry_parse_max_attempts(bad[i], "AWS_MAX_ATTEMPTS",
                                                  &n, err, sizeof(err)), -1);
        assert_int_equal(n, 7);
        assert_non_null(strstr(err, "AWS_MAX_ATTEMPTS"));
        assert_non_null(strstr(err, "from 1"));
    }
    assert_int_equal(retry_parse_max_attempts("0", "config:3: max_attempts",
                                              &n, err, sizeof(err)), -1);
    assert_string_equal(err, "invalid max attempts '0' in config:3: "
                        "max_attempts: use a whole number from 1 (no "
                        "retries) to 20");
}

static void retry_after_seconds_and_dates(void **state)
{
    (void)state;
    time_t now = 784111777;     /* Sun, 06 Nov 1994 08:49:37 GMT */
    assert_int_equal(retry_parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT"),
                     now);
    assert_int_equal(retry_after_ms("2", now), 2000);
    assert_int_equal(retry_after_ms(" 0", now), 0);
    assert_int_equal(retry_after_ms("Sun, 06 Nov 1994 08:49:40 GMT", now),
                     3000);
    assert_int_equal(retry_after_ms("Sun, 06 Nov 1994 08:49:00 GMT", now), 0);
    assert_int_equal(retry_after_ms(NULL, now), -1);
    assert_int_equal(retry_after_ms("soon", now), -1);
    assert_int_equal(retry_after_ms("2s", now), -1);
    assert_int_equal(retry_after_ms("3601", now), -1);
    assert_int_equal(retry_after_ms("Sun, 06 Nov 1994 10:49:37 GMT", now),
                     -1);
    assert_int_equal(retry_parse_http_date("Sun, 06 Nov 1994 08:49:37"), -1);
    assert_int_equal(retry_parse_http_date("yesterday"), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(throttling_codes_retried),
        cmocka_unit_test(transient_failures_retried),
        cmocka_unit_test(client_errors_not_retried),
        cmocka_unit_test(backoff_doubles_per_attempt),
        cmocka_unit_test(jitter_stays_in_bounds),
        cmocka_unit_test(random_out_of_range_gives_zero),
        cmocka_unit_test(default_random_within_cap),
        cmocka_unit_test(base_from_environment),
        cmocka_unit_test(quota_charges_per_class),
        cmocka_unit_test(quota_empties_then_refuses),
        cmocka_unit_test(quota_refunds_retried_success),
        cmocka_unit_test(max_attempts_values),
        cmocka_unit_test(retry_after_seconds_and_dates),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
