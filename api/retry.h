/*
 * Retry decisions of the AWS SDKs' "standard" retry mode, shared by the
 * AWS and Kubernetes clients. They say which failures are worth another
 * attempt and how long to wait before it (capped exponential backoff with
 * full jitter). The retry quota, a token bucket, stops retries when most
 * recent attempts failed. The numbers are botocore's
 * (botocore/retries/standard.py and quota.py, version 1.43).
 *
 * Nothing here sleeps or sends: callers schedule the delay on the event
 * loop and count their own attempts.
 */
#ifndef ALBATROSS_RETRY_H
#define ALBATROSS_RETRY_H

#include <stddef.h>
#include <time.h>

#define RETRY_DEFAULT_MAX_ATTEMPTS 3
#define RETRY_MAX_ATTEMPTS_LIMIT 20     /* largest accepted max_attempts */
#define RETRY_BASE_MS 1000              /* backoff base: 2^(n-1) s */
#define RETRY_MAX_BACKOFF_MS 20000
#define RETRY_QUOTA_CAPACITY 500
#define RETRY_COST 5                    /* taken by a retry */
#define RETRY_TIMEOUT_COST 10           /* taken by a retry after a timeout */
#define RETRY_NO_RETRY_INCREMENT 1      /* given back by a first-try success */

/* Environment variable that scales the backoff base, in milliseconds,
 * for tests that cannot wait seconds. */
#define RETRY_BASE_ENV "ALBATROSS_RETRY_BASE_MS"

enum retry_class {
    RETRY_NONE,         /* not retryable: a client error, or success */
    RETRY_THROTTLING,   /* the service asked the caller to slow down */
    RETRY_TRANSIENT,    /* a 5xx, a dropped connection, RequestTimeout */
    RETRY_TIMEOUT,      /* the client gave up waiting */
};

/*
 * Classifies a failed attempt. status is the HTTP status (0 when no reply
 * arrived), code the service's error code ("" or NULL when there is
 * none), transport set when the connection failed, timed_out when it
 * failed because a timeout passed.
 */
enum retry_class retry_classify(long status, const char *code, int transport,
                                int timed_out);

/* Whether code is one of the throttling error codes of the SDKs. */
int retry_is_throttling_code(const char *code);

/* Random numbers in [0, 1): a function and its state, so tests can pin
 * the jitter. */
typedef double (*retry_random_fn)(void *ctx);

struct retry_backoff {
    long base_ms;
    long max_ms;
    retry_random_fn random;     /* NULL: a process-wide erand48 stream */
    void *random_ctx;
};

/* Sets the defaults: RETRY_BASE_MS, or RETRY_BASE_ENV when it contains a
 * whole number from 0 to 60000, and RETRY_MAX_BACKOFF_MS. */
void retry_backoff_init(struct retry_backoff *b);

/*
 * Delay before the next attempt after attempt number `attempt` (1 for
 * the first) failed: random(0,1) * min(base * 2^(attempt-1), max), in
 * milliseconds.
 */
long retry_delay_ms(const struct retry_backoff *b, int attempt);

/* The retry quota of one service in one region. */
struct retry_quota {
    int available;
};

void retry_quota_init(struct retry_quota *q);
/* Takes the cost of one retry after a failure of class c. Returns the
 * amount taken, or 0 when the bucket cannot pay (then do not retry). */
int retry_quota_acquire(struct retry_quota *q, enum retry_class c);
/* Records a successful attempt: gives back `taken`, the amount the last
 * retry of this call acquired, or RETRY_NO_RETRY_INCREMENT when the call
 * was not retried (taken 0). Never grows past the capacity. */
void retry_quota_release(struct retry_quota *q, int taken);

/*
 * Parses a max_attempts value: a whole number from 1 to
 * RETRY_MAX_ATTEMPTS_LIMIT. source names where it came from
 * ("AWS_MAX_ATTEMPTS", "~/.aws/config:3: max_attempts") for the message.
 * Returns 0, or -1 with the value and the fix in err.
 */
int retry_parse_max_attempts(const char *text, const char *source, int *out,
                             char *err, size_t errlen);

/* A Retry-After header value (delay-seconds or an HTTP date) as
 * milliseconds from now; -1 when it is missing or invalid. */
long retry_after_ms(const char *value, time_t now);

/* An HTTP date ("Sun, 06 Nov 1994 08:49:37 GMT") as seconds since the
 * epoch; -1 when it is not one. */
time_t retry_parse_http_date(const char *value);

#endif
