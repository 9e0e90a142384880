/*
 * The session's credentials, resolved without blocking the event loop.
 * Keys from the environment and the files are set at once. A
 * credential_process runs as a child that the loop reads, instance
 * metadata is read with requests on the loop, and web identity is an
 * unsigned STS AssumeRoleWithWebIdentity call sent like any other, so it
 * gets the standard-mode retries and the clock skew correction. Calls that need credentials while a resolution runs wait
 * in a list and go on when it ends.
 *
 * Credentials that expire soon are refreshed ahead of time: within
 * AWS_CREDS_ADVISORY_REFRESH seconds in the background while they still
 * sign calls, and within AWS_CREDS_MANDATORY_REFRESH seconds calls wait
 * for the new ones.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "aws_internal.h"
#include "creds.h"
#include "imds.h"
#include "log.h"
#include "strutil.h"

struct creds_waiter {
    aws_creds_fn fn;
    void *ctx;
    struct creds_waiter *next;
};

/* One resolution in flight. */
struct creds_refresh {
    struct aws_session *s;          /* NULL once the session is gone */
    struct creds_process *process;  /* credential_process, or NULL */
    char *role_arn;                 /* web identity: the role, for messages */
};

static struct session_priv *priv(const struct aws_session *s)
{
    return s->priv;
}

/* Whether s->creds can sign for at least margin more seconds. */
static int usable(const struct aws_session *s, time_t now, long margin)
{
    return s->creds.access_key_id &&
           (s->creds.expiration == 0 || s->creds.expiration - now > margin);
}

static void refresh_free(struct creds_refresh *r)
{
    free(r->role_arn);
    free(r);
}

static void install(struct aws_session *s, struct aws_credentials *fresh)
{
    aws_credentials_free(&s->creds);
    s->creds = *fresh;
    memset(fresh, 0, sizeof(*fresh));
    s->creds_error[0] = '\0';
    priv(s)->creds_failed = 0;
    log_msg(LOG_INFO, "aws: credentials from %s", s->creds.source);
}

static void record_failure(struct aws_session *s, const char *error)
{
    snprintf(s->creds_error, sizeof(s->creds_error), "%s", error);
    priv(s)->creds_failed = time(NULL);
    log_msg(LOG_WARN, "aws: credentials: %s (not tried again for %d s)",
            s->creds_error, AWS_CREDS_RETRY_AFTER);
}

/* Frees a waiter without calling it, and the aws_send call behind it:
 * nobody is left to answer once the session or the client closes. */
static void drop_waiter(struct creds_waiter *w)
{
    if (w->fn == aws_call_credentials_ready)
        aws_call_drop(w->ctx);
    free(w);
}

/* Calls the waiters once with the outcome; they may wait again. */
static void wake_waiters(struct aws_session *s, enum creds_end end,
                         const char *error)
{
    struct creds_waiter *w = priv(s)->waiters;
    priv(s)->waiters = NULL;
    /* Credentials that have not expired yet still sign the calls. */
    int ok = end == CREDS_DONE ||
             (end == CREDS_FAILED && usable(s, time(NULL), 0));
    while (w) {
        struct creds_waiter *next = w->next;
        if (end == CREDS_CLOSING) {
            drop_waiter(w);
        } else {
            w->fn(w->ctx, ok ? NULL : error, end == CREDS_CANCELLED);
            free(w);
        }
        w = next;
    }
}

/* Ends the resolution r: installs creds or records the error, then
 * wakes the waiters. */
static void end_refresh(struct creds_refresh *r, enum creds_end end,
                        struct aws_credentials *creds, const char *error)
{
    struct aws_session *s = r->s;
    refresh_free(r);
    if (!s)
        return;
    priv(s)->refresh = NULL;
    if (end == CREDS_DONE)
        install(s, creds);
    else if (end == CREDS_FAILED)
        record_failure(s, error);
    else
        log_msg(LOG_INFO, "aws: credential resolution stopped: %s", error);
    wake_waiters(s, end, end == CREDS_FAILED ? s->creds_error : error);
}

static void on_provider_done(void *ctx, enum creds_end end,
                             struct aws_credentials *creds,
                             const char *error)
{
    end_refresh(ctx, end, creds, error);
}

static void on_sts_reply(const struct buf *body, const struct api_error *err,
                         void *ctx)
{
    struct creds_refresh *r = ctx;
    char msg[512];
    struct aws_credentials creds;
    memset(&creds, 0, sizeof(creds));
    if (err) {
        snprintf(msg, sizeof(msg), "web identity: STS "
                 "AssumeRoleWithWebIdentity for %s failed: %s: %s",
                 r->role_arn, err->code, err->message);
        end_refresh(r, strcmp(err->code, "Cancelled") ? CREDS_FAILED
                                                      : CREDS_CANCELLED,
                    NULL, msg);
        return;
    }
    if (creds_parse_sts_reply(body->data ? body->data : "", body->len,
                              &creds, msg, sizeof(msg)) < 0) {
        end_refresh(r, CREDS_FAILED, NULL, msg);
        return;
    }
    snprintf(creds.source, sizeof(creds.source), "web identity %.40s",
             r->role_arn);
    end_refresh(r, CREDS_DONE, &creds, NULL);
    aws_credentials_free(&creds);
}

/* Sends AssumeRoleWithWebIdentity for plan. Returns 1 when it is in
 * flight, -1 when it failed at once (r is freed then). */
static int start_web_identity(struct creds_refresh *r,
                              const struct creds_plan *plan)
{
    struct aws_session *s = r->s;
    char err[512], session[64];
    char *token = creds_read_token_file(plan->token_file, err, sizeof(err));
    r->role_arn = strdup(plan->role_arn);
    if (!token || !r->role_arn) {
        end_refresh(r, CREDS_FAILED, NULL, token ? "out of memory" : err);
        str_wipe_free(token);
        return -1;
    }
    if (plan->session_name)
        snprintf(session, sizeof(session), "%s", plan->session_name);
    else
        snprintf(session, sizeof(session), "albatross-%lld",
                 (long long)time(NULL));
    const struct sigv4_pair params[] = {
        { "RoleArn", plan->role_arn },
        { "RoleSessionName", session },
        { "WebIdentityToken", token },
    };
    const struct aws_call call = {
        .service = &aws_service_sts,
        .operation = "AssumeRoleWithWebIdentity",
        .params = params,
        .param_count = 3,
        .anonymous = 1,
    };
    /* On a failure aws_send has called on_sts_reply, which ended r. */
    int rc = aws_send(s, &call, on_sts_reply, r);
    str_wipe_free(token);
    return rc < 0 ? -1 : priv(s)->refresh ? 1 : -1;
}

static void chain_of(const struct aws_session *s, struct creds_chain *ch)
{
    memset(ch, 0, sizeof(*ch));
    ch->profile = s->profile;
    ch->profile_explicit = priv(s)->profile_explicit;
    ch->config = aws_config_profile(s);
    ch->config_path = priv(s)->config.path;
    ch->credentials = aws_credentials_profile(s);
    ch->credentials_path = priv(s)->credentials.path;
}

/* Starts a resolution. Returns 0 when credentials were set at once, 1
 * when one is in flight (priv(s)->refresh), -1 with s->creds_error. */
static int start_refresh(struct aws_session *s)
{
    struct creds_chain chain;
    struct aws_credentials fresh;
    struct creds_plan plan;
    char err[512];
    chain_of(s, &chain);
    if (creds_choose(&chain, &fresh, &plan, err, sizeof(err)) < 0) {
        record_failure(s, err);
        return -1;
    }
    if (plan.step == CREDS_READY) {
        install(s, &fresh);
        return 0;
    }
    if (!s->http) {
        /* A session made without a client (tools, tests) resolves
         * through aws_session_refresh_credentials, which lends it one. */
        record_failure(s, "credentials need the HTTP client, and the "
                       "session has none");
        return -1;
    }
    struct creds_refresh *r = calloc(1, sizeof(*r));
    if (!r) {
        record_failure(s, "out of memory");
        return -1;
    }
    r->s = s;
    priv(s)->refresh = r;
    if (plan.step == CREDS_WEB_IDENTITY)
        return start_web_identity(r, &plan);
    if (plan.step == CREDS_METADATA) {
        /* err holds what to report when the service has nothing. */
        if (imds_start(s->http, err, on_provider_done, r) == 0)
            return 1;
        end_refresh(r, CREDS_FAILED, NULL, "out of memory");
        return -1;
    }
    r->process = creds_process_start(s->http, plan.command, s->profile,
                                     on_provider_done, r, err, sizeof(err));
    if (!r->process) {
        end_refresh(r, CREDS_FAILED, NULL, err);
        return -1;
    }
    return 1;
}

/* Starts a refresh ahead of expiry, at most once per
 * AWS_CREDS_RETRY_AFTER seconds, while the current keys still sign. */
static void refresh_ahead(struct aws_session *s, time_t now)
{
    if (usable(s, now, AWS_CREDS_ADVISORY_REFRESH) || priv(s)->refresh ||
        now - priv(s)->refreshed_ahead < AWS_CREDS_RETRY_AFTER)
        return;
    priv(s)->refreshed_ahead = now;
    log_msg(LOG_INFO, "aws: credentials from %s expire in %ld s; "
            "refreshing them in the background", s->creds.source,
            (long)(s->creds.expiration - now));
    start_refresh(s);
}

static int add_waiter(struct aws_session *s, aws_creds_fn fn, void *ctx)
{
    struct creds_waiter *w = calloc(1, sizeof(*w));
    if (!w) {
        snprintf(s->creds_error, sizeof(s->creds_error), "out of memory");
        return -1;
    }
    w->fn = fn;
    w->ctx = ctx;
    struct creds_waiter **p = &priv(s)->waiters;
    while (*p)
        p = &(*p)->next;
    *p = w;
    return 1;
}

int aws_session_credentials(struct aws_session *s, aws_creds_fn fn,
                            void *ctx)
{
    time_t now = time(NULL);
    struct session_priv *p = priv(s);
    if (usable(s, now, AWS_CREDS_MANDATORY_REFRESH)) {
        refresh_ahead(s, now);
        return 0;
    }
    if (!p->refresh) {
        /* A failed resolution (a broken credential_process) is not run
         * again for every call: calls fail at once until
         * AWS_CREDS_RETRY_AFTER seconds have passed. */
        int recent = p->creds_failed && s->creds_error[0] &&
                     now >= p->creds_failed &&
                     now - p->creds_failed < AWS_CREDS_RETRY_AFTER;
        int rc = recent ? -1 : start_refresh(s);
        if (rc <= 0)
            return rc == 0 || usable(s, now, 0) ? 0 : -1;
    }
    return add_waiter(s, fn, ctx);
}

void aws_session_forget_waiter(struct aws_session *s, aws_creds_fn fn,
                               void *ctx)
{
    if (!s || !s->priv)
        return;
    struct creds_waiter **p = &priv(s)->waiters;
    while (*p) {
        struct creds_waiter *w = *p;
        if (w->fn == fn && w->ctx == ctx) {
            *p = w->next;
            free(w);
        } else {
            p = &w->next;
        }
    }
}

void aws_creds_cleanup(struct aws_session *s)
{
    struct creds_refresh *r = priv(s)->refresh;
    priv(s)->refresh = NULL;
    if (r && r->process) {
        creds_process_kill(r->process);
        refresh_free(r);
    } else if (r) {
        /* The STS or metadata request still points at r; its callback
         * frees r. */
        r->s = NULL;
    }
    struct creds_waiter *w = priv(s)->waiters;
    priv(s)->waiters = NULL;
    while (w) {
        struct creds_waiter *next = w->next;
        drop_waiter(w);
        w = next;
    }
}

/* ---- waiting, for tools and tests ---- */

struct blocking_wait {
    int done;
    int failed;
};

static void on_blocking_done(void *ctx, const char *error, int cancelled)
{
    struct blocking_wait *w = ctx;
    (void)cancelled;
    w->done = 1;
    w->failed = error != NULL;
}

int aws_session_refresh_credentials(struct aws_session *s)
{
    struct http_client *own = NULL;
    if (!s->http && !(s->http = own = http_client_new())) {
        snprintf(s->creds_error, sizeof(s->creds_error), "cannot start the "
                 "HTTP client");
        return -1;
    }
    struct blocking_wait w = {0};
    int rc = aws_session_credentials(s, on_blocking_done, &w);
    while (rc == 1 && !w.done)
        if (http_wait(s->http, NULL, NULL, 0, 250) < 0)
            break;
    if (rc == 1 && !w.done)
        aws_session_forget_waiter(s, on_blocking_done, &w);
    if (rc == 1)
        rc = w.done && !w.failed ? 0 : -1;
    if (own) {
        http_client_free(own);
        s->http = NULL;
    }
    return rc;
}
