#include "retry.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#define BASE_ENV_MAX_MS 60000
#define RETRY_AFTER_MAX_S 3600      /* longer waits are not honoured */

/* botocore's ThrottledRetryableChecker list, which includes EC2's
 * RequestLimitExceeded and EC2ThrottledException. */
static const char *const throttling_codes[] = {
    "Throttling", "ThrottlingException", "ThrottledException",
    "RequestThrottledException", "TooManyRequestsException",
    "ProvisionedThroughputExceededException", "TransactionInProgressException",
    "RequestLimitExceeded", "BandwidthLimitExceeded", "LimitExceededException",
    "RequestThrottled", "SlowDown", "PriorRequestNotComplete",
    "EC2ThrottledException", NULL,
};

/* TransientRetryableChecker's codes, and STS's IDPCommunicationError,
 * which botocore retries as a special case. */
static const char *const transient_codes[] = {
    "RequestTimeout", "RequestTimeoutException", "PriorRequestNotComplete",
    "IDPCommunicationError", NULL,
};

static int in_list(const char *code, const char *const *list)
{
    for (size_t i = 0; code && list[i]; i++)
        if (strcmp(code, list[i]) == 0)
            return 1;
    return 0;
}

int retry_is_throttling_code(const char *code)
{
    return in_list(code, throttling_codes);
}

enum retry_class retry_classify(long status, const char *code, int transport,
                                int timed_out)
{
    if (transport)
        return timed_out ? RETRY_TIMEOUT : RETRY_TRANSIENT;
    if (status == 429 || retry_is_throttling_code(code))
        return RETRY_THROTTLING;
    if (in_list(code, transient_codes))
        return RETRY_TRANSIENT;
    if (status == 500 || status == 502 || status == 503 || status == 504)
        return RETRY_TRANSIENT;
    return RETRY_NONE;
}

/* ---- backoff ------------------------------------------------------------ */

static double default_random(void *ctx)
{
    /* Per thread: the UI and an apply's worker thread both retry. */
    static _Thread_local unsigned short state[3];
    static _Thread_local int seeded;
    (void)ctx;
    if (!seeded) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        unsigned long mix = (unsigned long)ts.tv_nsec ^
                            ((unsigned long)getpid() << 16) ^
                            (unsigned long)ts.tv_sec;
        state[0] = (unsigned short)mix;
        state[1] = (unsigned short)(mix >> 16);
        state[2] = (unsigned short)(mix >> 32 ^ 0x330e);
        seeded = 1;
    }
    return erand48(state);
}

static long env_base_ms(void)
{
    const char *v = getenv(RETRY_BASE_ENV);
    if (!v || !*v)
        return RETRY_BASE_MS;
    char *end;
    errno = 0;
    long n = strtol(v, &end, 10);
    if (*end || errno || n < 0 || n > BASE_ENV_MAX_MS)
        return RETRY_BASE_MS;
    return n;
}

void retry_backoff_init(struct retry_backoff *b)
{
    b->base_ms = env_base_ms();
    b->max_ms = RETRY_MAX_BACKOFF_MS;
    b->random = NULL;
    b->random_ctx = NULL;
}

long retry_delay_ms(const struct retry_backoff *b, int attempt)
{
    double r = b->random ? b->random(b->random_ctx) : default_random(NULL);
    if (r < 0 || r >= 1)
        r = 0;
    long cap = b->base_ms;
    for (int i = 1; i < attempt && cap < b->max_ms; i++)
        cap *= 2;
    if (cap > b->max_ms)
        cap = b->max_ms;
    return (long)(r * (double)cap);
}

/* ---- quota -------------------------------------------------------------- */

void retry_quota_init(struct retry_quota *q)
{
    q->available = RETRY_QUOTA_CAPACITY;
}

int retry_quota_acquire(struct retry_quota *q, enum retry_class c)
{
    int cost = c == RETRY_TIMEOUT ? RETRY_TIMEOUT_COST : RETRY_COST;
    if (c == RETRY_NONE || cost > q->available)
        return 0;
    q->available -= cost;
    return cost;
}

void retry_quota_release(struct retry_quota *q, int taken)
{
    q->available += taken > 0 ? taken : RETRY_NO_RETRY_INCREMENT;
    if (q->available > RETRY_QUOTA_CAPACITY)
        q->available = RETRY_QUOTA_CAPACITY;
}

/* ---- configuration and headers ----------------------------------------- */

int retry_parse_max_attempts(const char *text, const char *source, int *out,
                             char *err, size_t errlen)
{
    char *end;
    errno = 0;
    long n = text ? strtol(text, &end, 10) : 0;
    if (text && *text && !*end && !errno && n >= 1 &&
        n <= RETRY_MAX_ATTEMPTS_LIMIT) {
        *out = (int)n;
        return 0;
    }
    snprintf(err, errlen, "invalid max attempts '%.40s' in %s: use a whole "
             "number from 1 (no retries) to %d", text ? text : "", source,
             RETRY_MAX_ATTEMPTS_LIMIT);
    return -1;
}

time_t retry_parse_http_date(const char *value)
{
    struct tm tm;
    memset(&tm, 0, sizeof(tm));
    const char *end = value ? strptime(value, "%a, %d %b %Y %H:%M:%S", &tm)
                            : NULL;
    if (!end)
        return -1;
    while (*end == ' ')
        end++;
    if (strcasecmp(end, "GMT") != 0 && strcasecmp(end, "UTC") != 0)
        return -1;
    return timegm(&tm);
}

long retry_after_ms(const char *value, time_t now)
{
    if (!value)
        return -1;
    while (*value == ' ')
        value++;
    if (isdigit((unsigned char)*value)) {
        char *end;
        errno = 0;
        long s = strtol(value, &end, 10);
        while (*end == ' ')
            end++;
        if (*end || errno || s > RETRY_AFTER_MAX_S)
            return -1;
        return s * 1000;
    }
    time_t when = retry_parse_http_date(value);
    if (when < 0 || when - now > RETRY_AFTER_MAX_S)
        return -1;
    return when > now ? (long)(when - now) * 1000 : 0;
}
