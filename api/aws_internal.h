/* Private state of the AWS session, shared by aws.c and aws_creds.c. */
#ifndef ALBATROSS_AWS_INTERNAL_H
#define ALBATROSS_AWS_INTERNAL_H

#include <time.h>

#include "aws.h"
#include "awsconfig.h"
#include "retry.h"

struct region_quota {
    char key[96];           /* "iam us-east-1": signing name and region */
    struct retry_quota quota;
};

struct creds_refresh;
struct creds_waiter;

struct session_priv {
    struct awsconfig_file config;
    struct awsconfig_file credentials;
    int profile_explicit;
    struct retry_backoff backoff;
    struct region_quota *quotas;
    size_t quota_count;
    long clock_skew;        /* seconds to add to the local clock */
    time_t creds_failed;    /* when resolution last failed, or 0 */
    time_t refreshed_ahead; /* when the last refresh ahead of expiry
                             * started, or 0 */
    struct creds_refresh *refresh;  /* resolution in flight, or NULL */
    struct creds_waiter *waiters;   /* calls waiting for it */
};

const struct awsconfig_section *aws_config_profile(const struct
                                                   aws_session *s);
const struct awsconfig_section *aws_credentials_profile(const struct
                                                        aws_session *s);

/* Stops a resolution in flight and drops the waiters without calling
 * them; for aws_session_cleanup. */
void aws_creds_cleanup(struct aws_session *s);

/* A call of aws_send waits for credentials with this callback. Session
 * cleanup frees such calls with aws_call_drop, without calling them back,
 * as http_client_free frees requests in flight. */
void aws_call_credentials_ready(void *ctx, const char *error, int cancelled);
void aws_call_drop(void *ctx);

#endif
