/*
 * One AWS session (profile, region, endpoints, credentials, CA) and the
 * calls made through it: build a request in the service's protocol, sign
 * it with SigV4, send it on the shared HTTP client and turn an error reply
 * into an aws_error. Service files (sts.c, eks.c, iam.c) build on this.
 */
#ifndef ALBATROSS_AWS_H
#define ALBATROSS_AWS_H

#include <stddef.h>
#include <time.h>

#include "buf.h"
#include "creds.h"
#include "error.h"
#include "http.h"
#include "sigv4.h"

enum aws_protocol { AWS_PROTOCOL_QUERY, AWS_PROTOCOL_EC2,
                    AWS_PROTOCOL_JSON, AWS_PROTOCOL_REST_JSON };

struct aws_service {
    const char *signing_name;  /* "eks", "iam", "sts" */
    const char *service_id;    /* "EKS", "IAM", "STS": AWS_ENDPOINT_URL_<id> */
    const char *api_version;   /* "2017-11-01" */
    enum aws_protocol protocol;
    int global;                /* IAM: one endpoint, signed for us-east-1 */
    const char *json_target;   /* json protocol X-Amz-Target prefix */
};

extern const struct aws_service aws_service_sts;
extern const struct aws_service aws_service_eks;
extern const struct aws_service aws_service_iam;
extern const struct aws_service aws_service_ec2;
extern const struct aws_service aws_service_elbv2;
extern const struct aws_service aws_service_acm;
extern const struct aws_service aws_service_wafv2;
extern const struct aws_service aws_service_cloudformation;

/* Options that the command line or the UI chose; NULL fields fall back
 * to the environment and the config files. */
struct aws_session_options {
    const char *profile;
    const char *region;
    int readonly;
};

struct aws_session {
    struct http_client *http;      /* borrowed */
    char *profile;                 /* "default" when none was chosen */
    char *region;                  /* NULL when none is configured */
    char *region_source;           /* "--region", "AWS_REGION", ... */
    char *ca_pem;                  /* AWS_CA_BUNDLE / ca_bundle contents */
    struct aws_credentials creds;  /* current; empty until resolved */
    char creds_error[512];         /* why resolution failed, or "" */
    int readonly;
    int max_attempts;              /* per call, retries included; from
                                    * AWS_MAX_ATTEMPTS or max_attempts */
    /* Private: loaded config files and credential refresh state. */
    void *priv;
};

/*
 * Resolves profile, region and CA from options, environment and the config
 * files. Credentials are resolved lazily on the first call and again when
 * they expire. Returns 0, or -1 with a message naming the file, line or
 * variable and what to fix.
 */
int aws_session_init(struct aws_session *s, struct http_client *http,
                     const struct aws_session_options *opt, char *err,
                     size_t errlen);
void aws_session_cleanup(struct aws_session *s);

/* The time to sign with: the local clock plus the skew learned from an
 * AWS reply that rejected a signature as too old or too new. */
time_t aws_session_time(const struct aws_session *s);

/* Seconds a failed credential resolution is remembered before the next
 * call tries again; also the least time between two refreshes ahead of
 * expiry. */
#define AWS_CREDS_RETRY_AFTER 60
/* Credentials that expire within this many seconds are refreshed in the
 * background while they still sign calls (botocore's advisory refresh
 * time). */
#define AWS_CREDS_ADVISORY_REFRESH 900
/* Within this many seconds of expiry, calls wait for new credentials. */
#define AWS_CREDS_MANDATORY_REFRESH 60

/* Called once when a resolution that a caller waited for ends: error is
 * NULL when s->creds can sign, otherwise the reason; cancelled is set
 * when http_cancel_all stopped it. Runs from inside http_wait or
 * http_cancel_all. */
typedef void (*aws_creds_fn)(void *ctx, const char *error, int cancelled);

/*
 * Makes sure s->creds can sign a call without blocking the loop.
 * Returns 0 when they can now (credentials near their expiry are then
 * refreshed in the background); -1 with the reason in s->creds_error
 * when resolution failed, now or within the last AWS_CREDS_RETRY_AFTER
 * seconds; 1 when a resolution (credential_process, web identity) is
 * running, and then fn(ctx, ...) is called once when it ends.
 */
int aws_session_credentials(struct aws_session *s, aws_creds_fn fn,
                            void *ctx);

/* Removes fn(ctx) from the callers waiting for credentials, without
 * calling it; for an owner freed while it waits. */
void aws_session_forget_waiter(struct aws_session *s, aws_creds_fn fn,
                               void *ctx);

/*
 * Resolves credentials now if they are missing or near their expiry and
 * waits for the result by driving s->http (a client of its own when
 * s->http is NULL). Only for tools and tests: it runs other requests'
 * callbacks, so never call it from one. Returns 0, or -1 with the reason
 * in s->creds_error.
 */
int aws_session_refresh_credentials(struct aws_session *s);

/* Endpoint URL (no trailing slash) for svc in region, honouring
 * AWS_ENDPOINT_URL_<ID>, AWS_ENDPOINT_URL, the profile's services section
 * and endpoint_url, in that order; otherwise AWS's public endpoint. */
char *aws_endpoint(struct aws_session *s, const struct aws_service *svc,
                   const char *region);

/* A request to send. For the query and ec2 protocols, params carries the
 * operation's parameters (Action and Version are added). For json and
 * rest-json, body is the JSON text, or NULL. */
struct aws_call {
    const struct aws_service *service;
    const char *region;       /* NULL: the session's region */
    const char *operation;    /* "ListRoles"; json/query Action name */
    const char *method;       /* rest-json; others POST */
    const char *path;         /* rest-json, decoded; others "/" */
    const struct sigv4_pair *params;
    size_t param_count;
    const char *body;
    int mutating;             /* rejected in readonly sessions */
    int anonymous;            /* sent unsigned and without credentials,
                               * as STS AssumeRoleWithWebIdentity is */
};

/* Called once per call. On success err is NULL and body contains the reply
 * (XML or JSON text). On failure err is set and body may be empty. */
typedef void (*aws_done_fn)(const struct buf *body, const struct api_error *err,
                            void *ctx);

/* Signs and submits call; while the session's credentials are being
 * resolved, the call waits for them. Returns 0, or -1 after calling done
 * with the error (failed credentials, readonly, no region...). */
int aws_send(struct aws_session *s, const struct aws_call *call,
             aws_done_fn done, void *ctx);

/* Checks that s may send a call that changes the account, as aws_send
 * checks each mutating call: returns 0, or -1 with err set ("ReadOnly")
 * for a read-only session. what names the change in the message. A
 * command that changes things calls it before its first read, so a
 * read-only run sends nothing at all. */
int aws_check_write(const struct aws_session *s, const char *what,
                    struct api_error *err);

/* Sets err from a reply in any protocol's error format. */
void aws_error_from_reply(struct api_error *err, long status,
                          const char *content_type, const char *error_type,
                          const struct buf *body);

#endif
