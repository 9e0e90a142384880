/*
 * The watch's state machine: stream, then restart (at once after a
 * stream that ran, after a backoff after a failure), or list again after
 * a 410, then stream from the list's resourceVersion.
 */
#include "kube_watch.h"

#include <stdio.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "retry.h"

#define TIMEOUT_MARGIN_S 30     /* client timeout past timeoutSeconds */
#define MAX_PIECE (4 * KUBE_WATCH_MAX_LINE) /* bytes taken per http_wait */

enum watch_state {
    WATCH_STREAMING,        /* a watch request in flight */
    WATCH_LISTING,          /* a list in flight */
    WATCH_WAITING,          /* a backoff timer pending */
    WATCH_CREDENTIAL,       /* waiting for the client's credential */
    WATCH_STOPPED,
};

struct kube_watch {
    struct kube_client *kc;
    enum kube_watch_resource resource;
    char *path;                 /* "/api/v1/namespaces/NS/serviceaccounts" */
    char *namespace;            /* NULL: every namespace */
    struct kube_watch_handlers h;
    void *ctx;
    char rv[KUBE_MAX_RESOURCE_VERSION + 1];
    enum watch_state state;
    int relist_next;            /* the timer lists instead of streaming */
    int failures;               /* in a row, for the backoff */
    int token_renewed;          /* since the last stream that ran */
    struct kube_lines lines;
    long long stream_start_ms;
    unsigned long stream_events;
    int expired;                /* the stream sent a 410 ERROR event */
    struct api_error stream_error; /* code "" unless the stream failed */
    struct kube_watch_stats stats;
    struct kube_wait wait;      /* for the client's credential */
};

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static const char *cluster_name(const struct kube_watch *w)
{
    return w->kc->ep.name ? w->kc->ep.name : w->kc->ep.server;
}

static void note(struct kube_watch *w, enum kube_watch_note what,
                 const struct api_error *err)
{
    log_msg(what == KUBE_WATCH_RESTARTED ? LOG_INFO : LOG_WARN,
            "kube %s: watch of %s: %s: %s", cluster_name(w),
            kube_watch_resource_name(w->resource), err->code, err->message);
    if (w->h.note)
        w->h.note(what, err, w->ctx);
}

static void stop(struct kube_watch *w, const struct api_error *err)
{
    w->state = WATCH_STOPPED;
    note(w, KUBE_WATCH_STOPPED, err);
}

/* ---- streaming ---------------------------------------------------------- */

static int on_line(const char *line, size_t len, void *ctx)
{
    struct kube_watch *w = ctx;
    struct kube_watch_event ev;
    struct api_error err;
    memset(&err, 0, sizeof(err));
    switch (kube_watch_parse_line(w->resource, line, len, &ev, &err)) {
    case KUBE_LINE_ERROR:
        if (kube_watch_is_expired(err.http_status, err.code))
            w->expired = 1;
        w->stream_error = err;
        return -1;
    case KUBE_LINE_INVALID:
        w->stream_error = err;
        return -1;
    case KUBE_LINE_EVENT:
        break;
    }
    if (ev.resource_version[0])
        memcpy(w->rv, ev.resource_version, sizeof(w->rv));
    w->stream_events++;
    w->stats.events++;
    if (w->h.event)
        w->h.event(&ev, w->ctx);
    kube_watch_event_cleanup(&ev);
    return 0;
}

static int on_data(const char *data, size_t len, void *ctx)
{
    struct kube_watch *w = ctx;
    if (kube_lines_feed(&w->lines, data, len, on_line, w) == 0)
        return 0;
    if (!w->stream_error.code[0])
        api_error_set(&w->stream_error, "InvalidWatchEvent", "a watch event "
                      "of %s on %s is longer than the limit of %u bytes",
                      kube_watch_resource_name(w->resource), cluster_name(w),
                      KUBE_WATCH_MAX_LINE);
    return -1;
}

static void on_stream_done(const struct http_request *req,
                           struct http_response *res, void *ctx);
static void relist(struct kube_watch *w);

static char *stream_path(const struct kube_watch *w)
{
    struct buf b;
    buf_init(&b, 0);
    int rc = buf_printf(&b, "%s?watch=1&allowWatchBookmarks=true"
                        "&timeoutSeconds=%d&resourceVersion=", w->path,
                        KUBE_WATCH_TIMEOUT_S);
    if (rc < 0 || kube_url_encode(&b, w->rv) < 0) {
        buf_cleanup(&b);
        return NULL;
    }
    return buf_take(&b);
}

static int stream_now(struct kube_watch *w, struct api_error *err);
static void retry_later(struct kube_watch *w, int relist_next,
                        long server_delay_ms);

/* Sends the watch request once the credential is ready; a credential
 * that cannot be made is retried later, like a failed stream. */
static void resume_stream(struct kube_wait *wait, const struct api_error *err,
                          int recheck)
{
    struct kube_watch *w = (struct kube_watch *)(void *)
                           ((char *)wait - offsetof(struct kube_watch, wait));
    struct api_error send_err;
    memset(&send_err, 0, sizeof(send_err));
    if (!err) {
        int ready = recheck ? kube_prepare_request(&w->wait, &send_err) : 0;
        if (ready > 0 || (ready == 0 && stream_now(w, &send_err) == 0))
            return;
        err = &send_err;
    }
    note(w, KUBE_WATCH_FAILED, err);
    retry_later(w, 0, 0);
}

/* Sends the next watch request from w->rv, or waits for the client's
 * credential first. Returns 0, or -1 with err. */
static int stream(struct kube_watch *w, struct api_error *err)
{
    w->wait.kc = w->kc;
    w->wait.resume = resume_stream;
    int ready = kube_prepare_request(&w->wait, err);
    if (ready < 0)
        return -1;
    if (ready > 0) {
        w->state = WATCH_CREDENTIAL;
        return 0;
    }
    return stream_now(w, err);
}

/* Sends the next watch request with the current credential. */
static int stream_now(struct kube_watch *w, struct api_error *err)
{
    char *path = stream_path(w);
    struct http_request *req = path ? kube_get_request(w->kc, path, err)
                                    : NULL;
    free(path);
    if (!req) {
        if (!err->code[0])
            api_error_set(err, "OutOfMemory", "out of memory");
        return -1;
    }
    req->on_data = on_data;
    req->background = 1;
    req->max_response = MAX_PIECE;
    req->timeout_ms = (KUBE_WATCH_TIMEOUT_S + TIMEOUT_MARGIN_S) * 1000L;
    kube_lines_reset(&w->lines);
    w->stream_start_ms = now_ms();
    w->stream_events = 0;
    w->expired = 0;
    memset(&w->stream_error, 0, sizeof(w->stream_error));
    log_msg(LOG_INFO, "kube %s: watching %s from resourceVersion %s",
            cluster_name(w), kube_watch_resource_name(w->resource), w->rv);
    if (http_submit(w->kc->http, req, on_stream_done, w) < 0) {
        api_error_set(err, "RequestFailed", "cannot send a request to %s",
                      w->kc->ep.server);
        return -1;
    }
    w->state = WATCH_STREAMING;
    w->stats.streams++;
    return 0;
}

static void on_timer(void *ctx, int cancelled);

/* Tries again after the backoff of the failures so far. */
static void retry_later(struct kube_watch *w, int relist_next,
                        long server_delay_ms)
{
    struct retry_backoff backoff;
    retry_backoff_init(&backoff);
    w->failures++;
    long delay = retry_delay_ms(&backoff, w->failures);
    if (server_delay_ms > delay)
        delay = server_delay_ms < RETRY_MAX_BACKOFF_MS ? server_delay_ms
                                                       : RETRY_MAX_BACKOFF_MS;
    w->relist_next = relist_next;
    if (http_schedule_background(w->kc->http, delay, on_timer, w) < 0) {
        struct api_error err;
        api_error_set(&err, "OutOfMemory", "out of memory");
        stop(w, &err);
        return;
    }
    w->state = WATCH_WAITING;
}

/* Starts the next stream now. A failure to send is retried later,
 * unless retrying cannot help: a server that is not https, or a
 * read-only session (which a GET never trips, but the check is kept). */
static void restart(struct kube_watch *w)
{
    struct api_error err;
    memset(&err, 0, sizeof(err));
    if (stream(w, &err) == 0)
        return;
    if (!strcmp(err.code, "InsecureServer") || !strcmp(err.code, "ReadOnly")) {
        stop(w, &err);
        return;
    }
    note(w, KUBE_WATCH_FAILED, &err);
    retry_later(w, 0, 0);
}

static void on_timer(void *ctx, int cancelled)
{
    struct kube_watch *w = ctx;
    if (cancelled || w->state != WATCH_WAITING)
        return;
    if (w->relist_next)
        relist(w);
    else
        restart(w);
}

static void expired(struct kube_watch *w, const struct api_error *why)
{
    struct api_error err;
    api_error_set(&err, "Expired", "resourceVersion %s expired (%s); "
                  "listing again", w->rv, why->message);
    note(w, KUBE_WATCH_EXPIRED, &err);
    relist(w);
}

/* A stream that ended without an error: start again from the last
 * version, at once unless it ended before it could have done anything. */
static void ended(struct kube_watch *w)
{
    struct api_error err;
    int short_lived = w->stream_events == 0 &&
                      now_ms() - w->stream_start_ms < KUBE_WATCH_SHORT_MS;
    if (kube_lines_pending(&w->lines)) {
        api_error_set(&err, "WatchBroken", "the stream ended inside an "
                      "event; resuming from resourceVersion %s", w->rv);
        note(w, KUBE_WATCH_FAILED, &err);
        retry_later(w, 0, 0);
        return;
    }
    api_error_set(&err, "WatchEnded", "the stream ended after %lu events; "
                  "resuming from resourceVersion %s", w->stream_events,
                  w->rv);
    note(w, KUBE_WATCH_RESTARTED, &err);
    if (short_lived) {
        retry_later(w, 0, 0);
        return;
    }
    w->failures = 0;
    w->token_renewed = 0;
    restart(w);
}

/* Whether a failed reply can be fixed by trying again. */
static int retryable(const struct http_response *res)
{
    return res->failed || res->status == 429 || res->status >= 500;
}

static void failed(struct kube_watch *w, const struct http_response *res)
{
    struct api_error err;
    kube_reply_error(w->kc, res, &err);
    if (res->status == 401 && !w->token_renewed &&
        kube_renew_token(w->kc) == 0) {
        w->token_renewed = 1;
        note(w, KUBE_WATCH_FAILED, &err);
        restart(w);
    } else if (retryable(res)) {
        note(w, KUBE_WATCH_FAILED, &err);
        retry_later(w, 0, retry_after_ms(http_response_header(res,
                                                              "Retry-After"),
                                         time(NULL)));
    } else {
        stop(w, &err);
    }
}

static void on_stream_done(const struct http_request *req,
                           struct http_response *res, void *ctx)
{
    struct kube_watch *w = ctx;
    struct api_error err;
    (void)req;
    if (w->expired) {
        expired(w, &w->stream_error);
    } else if (w->stream_error.code[0]) {
        note(w, KUBE_WATCH_FAILED, &w->stream_error);
        retry_later(w, 0, 0);
    } else if (!res->failed && res->status >= 200 && res->status < 300) {
        ended(w);
    } else if (!res->failed && res->status == 410) {
        kube_error_from_reply(&err, res->status, res->body.data,
                              res->body.len);
        expired(w, &err);
    } else {
        failed(w, res);
    }
}

/* ---- listing after a 410 ------------------------------------------------ */

/* Watches from the list's version, or stops when it has none. */
static void listed(struct kube_watch *w, const char *rv)
{
    struct api_error err;
    if (!rv || !*rv) {
        api_error_set(&err, "InvalidReply", "the list of %s has no "
                      "metadata.resourceVersion to watch from",
                      kube_watch_resource_name(w->resource));
        stop(w, &err);
        return;
    }
    snprintf(w->rv, sizeof(w->rv), "%s", rv);
    w->token_renewed = 0;
    restart(w);
}

static void list_failed(struct kube_watch *w, const struct api_error *err)
{
    long status = err->http_status;
    if (status == 401 || status == 403 || status == 404 ||
        !strcmp(err->code, "Cancelled")) {
        stop(w, err);
        return;
    }
    note(w, KUBE_WATCH_FAILED, err);
    retry_later(w, 1, 0);
}

/* Takes the list's resourceVersion (a copy: the list may be freed) and
 * hands the list to the relisted handler, or frees it. */
static void take_list(struct kube_watch *w, const char *list_rv,
                      struct kube_sa_list *sas,
                      struct kube_ingress_list *ingresses)
{
    char rv[KUBE_MAX_RESOURCE_VERSION + 1];
    snprintf(rv, sizeof(rv), "%s", list_rv ? list_rv : "");
    if (w->h.relisted) {
        w->h.relisted(sas, ingresses, w->ctx);
    } else {
        kube_sa_list_free(sas);
        kube_ingress_list_free(ingresses);
    }
    listed(w, rv);
}

static void on_sa_list(struct kube_sa_list *list, const struct api_error *err,
                       void *ctx)
{
    struct kube_watch *w = ctx;
    if (list)
        take_list(w, list->resource_version, list, NULL);
    else
        list_failed(w, err);
}

static void on_ingress_list(struct kube_ingress_list *list,
                            const struct api_error *err, void *ctx)
{
    struct kube_watch *w = ctx;
    if (list)
        take_list(w, list->resource_version, NULL, list);
    else
        list_failed(w, err);
}

static void relist(struct kube_watch *w)
{
    w->state = WATCH_LISTING;
    w->stats.relists++;
    /* A failure calls the callback at once, which schedules a retry. */
    if (w->resource == KUBE_WATCH_INGRESSES)
        kube_list_ingresses(w->kc, w->namespace, on_ingress_list, w);
    else
        kube_list_service_accounts(w->kc, w->namespace, on_sa_list, w);
}

/* ---- lifetime ----------------------------------------------------------- */

static char *list_path(enum kube_watch_resource resource, const char *ns)
{
    const char *prefix = resource == KUBE_WATCH_INGRESSES ?
                         "/apis/networking.k8s.io/v1" : "/api/v1";
    const char *name = resource == KUBE_WATCH_INGRESSES ? "ingresses"
                                                        : "serviceaccounts";
    struct buf b;
    buf_init(&b, 0);
    int rc = ns ? buf_printf(&b, "%s/namespaces/%s/%s", prefix, ns, name)
                : buf_printf(&b, "%s/%s", prefix, name);
    if (rc < 0) {
        buf_cleanup(&b);
        return NULL;
    }
    return buf_take(&b);
}

struct kube_watch *kube_watch_start(struct kube_client *kc,
                                    enum kube_watch_resource resource,
                                    const char *namespace,
                                    const char *resource_version,
                                    const struct kube_watch_handlers *h,
                                    void *ctx, struct api_error *err)
{
    memset(err, 0, sizeof(*err));
    if (namespace && !kube_valid_namespace(namespace)) {
        api_error_set(err, "InvalidNamespace", "invalid namespace "
                      "\"%.64s\": use lowercase letters, digits and '-'",
                      namespace);
        return NULL;
    }
    if (resource_version && strlen(resource_version) >
                            KUBE_MAX_RESOURCE_VERSION) {
        api_error_set(err, "InvalidReply", "resourceVersion \"%.32s...\" "
                      "is longer than %d bytes", resource_version,
                      KUBE_MAX_RESOURCE_VERSION);
        return NULL;
    }
    struct kube_watch *w = calloc(1, sizeof(*w));
    if (w) {
        w->path = list_path(resource, namespace);
        w->namespace = namespace ? strdup(namespace) : NULL;
    }
    if (!w || !w->path || (namespace && !w->namespace)) {
        if (w) {
            free(w->path);
            free(w->namespace);
        }
        free(w);
        api_error_set(err, "OutOfMemory", "out of memory");
        return NULL;
    }
    w->kc = kc;
    w->resource = resource;
    w->h = *h;
    w->ctx = ctx;
    kube_lines_init(&w->lines, KUBE_WATCH_MAX_LINE);
    if (resource_version && *resource_version) {
        snprintf(w->rv, sizeof(w->rv), "%s", resource_version);
        restart(w);
    } else {
        relist(w);
    }
    return w;
}

void kube_watch_free(struct kube_watch *w)
{
    if (!w)
        return;
    http_forget(w->kc->http, w);
    kube_forget(w->kc, w);
    kube_wait_forget(&w->wait);
    kube_lines_cleanup(&w->lines);
    free(w->path);
    free(w->namespace);
    free(w);
}

const char *kube_watch_resource_version(const struct kube_watch *w)
{
    return w->rv;
}

void kube_watch_stats(const struct kube_watch *w,
                      struct kube_watch_stats *out)
{
    *out = w->stats;
}
