/*
 * Credentials from the EC2 instance metadata service (IMDSv2), read on
 * the event loop in three requests: a session token (PUT), the name of
 * the instance profile's role, then its credentials.
 */
#ifndef ALBATROSS_IMDS_H
#define ALBATROSS_IMDS_H

#include "creds.h"

#define IMDS_ENDPOINT "http://169.254.169.254"
/* Overrides IMDS_ENDPOINT, as in botocore; tests point it at loopback. */
#define IMDS_ENDPOINT_ENV "AWS_EC2_METADATA_SERVICE_ENDPOINT"
#define IMDS_TIMEOUT_MS 2000        /* per request; connect: half */
#define IMDS_REPLY_MAX (64u << 10)

/*
 * Starts reading on c. done is called once from inside http_wait or
 * http_cancel_all: CREDS_DONE with the credentials, or CREDS_FAILED with
 * none_found when the service gives nothing (not on EC2, no role), or
 * with the reason when its reply is invalid. When c is freed first, done
 * is not called. Returns 0, or -1 when memory runs out (done is not
 * called then).
 */
int imds_start(struct http_client *c, const char *none_found,
               creds_done_fn done, void *ctx);

#endif
