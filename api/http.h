/*
 * HTTP transport on one libcurl multi handle. Requests run concurrently
 * and complete through callbacks from http_wait(), which the event loop
 * calls with its own file descriptors (terminal, signal pipe), so a slow
 * request never blocks a key press. Connections are reused between
 * requests to the same host. TLS verification is always on; CA data is
 * passed from memory.
 */
#ifndef ALBATROSS_HTTP_H
#define ALBATROSS_HTTP_H

#include <stddef.h>

#include "buf.h"

#define HTTP_CONNECT_TIMEOUT_MS 5000
#define HTTP_TIMEOUT_MS 30000
#define HTTP_TIMEOUT_MAX_MS 3600000      /* largest accepted timeout */
#define HTTP_MAX_RESPONSE (64u << 20)

/* Environment variables that override the client's default timeouts, in
 * milliseconds; see http_client_configure. */
#define HTTP_CONNECT_TIMEOUT_ENV "ALBATROSS_CONNECT_TIMEOUT_MS"
#define HTTP_TIMEOUT_ENV "ALBATROSS_HTTP_TIMEOUT_MS"

struct http_header {
    char *name;
    char *value;
};

/* Receives the body of a 2xx reply as it arrives, before done runs;
 * see http_request.on_data. Returns 0 to go on, -1 to stop the
 * transfer. */
typedef int (*http_data_fn)(const char *data, size_t len, void *ctx);

struct http_request {
    char *method;
    char *url;
    struct http_header *headers;
    size_t header_count;
    struct buf body;
    char *ca_pem;        /* trusted CAs as PEM; NULL: the system store */
    char *cert_pem;      /* client certificate (kubeconfig), or NULL */
    char *key_pem;       /* its key; wiped when the request is freed */
    char *bearer_token;  /* sent as Authorization; never logged */
    long connect_timeout_ms; /* 0: the client's default */
    long timeout_ms;         /* whole exchange; 0: the client's default */
    size_t max_response;
    int insecure_skip_verify; /* only from an explicit kubeconfig entry */
    /* A streamed reply (a Kubernetes watch): when set, a 2xx body goes to
     * on_data in pieces, called from http_wait() outside libcurl with
     * the request's ctx, and never into res->body; max_response then
     * bounds only the bytes received within one http_wait(). A non-2xx
     * body is collected in res->body as usual. on_data must not free
     * the client or forget its own request; it returns -1 to end the
     * transfer, which done then sees failed with "stopped by the
     * receiver". */
    http_data_fn on_data;
    /* Long-lived (a watch): not counted by http_pending() and left
     * alone by http_cancel_all(), so a running watch neither looks like
     * a load in progress nor is cancelled with the loads. */
    int background;
    /* Ask for the certificate chain the server sends (an OIDC issuer's
     * thumbprint): the request opens a connection of its own, since a
     * reused one reports no chain, and res->last_cert_pem is set. */
    int want_cert_chain;
};

struct http_response {
    long status;             /* 0 when the transfer failed */
    struct http_header *headers;
    size_t header_count;
    struct buf body;
    int failed;              /* transport error: see error */
    int timed_out;           /* failed because a timeout passed */
    int cancelled;           /* failed because http_cancel_all ran */
    char error[256];
    long elapsed_ms;
    /* With want_cert_chain, the last certificate of the chain as the
     * server sent it (PEM), or NULL when TLS gave none. */
    char *last_cert_pem;
};

struct http_request *http_request_new(const char *method, const char *url);
void http_request_free(struct http_request *req);
/* Adds a header; returns 0 or -1. Names keep the case given. */
int http_request_header(struct http_request *req, const char *name,
                        const char *value);
/* Sets a string member (ca_pem, cert_pem, ...) to a copy of value. */
int http_request_set(char **member, const char *value);

/* Case-insensitive header lookup; NULL when absent. */
const char *http_response_header(const struct http_response *res,
                                 const char *name);

/* Called once per submitted request, from inside http_wait(). res and
 * req are freed when it returns; it may submit new requests. */
typedef void (*http_done_fn)(const struct http_request *req,
                             struct http_response *res, void *ctx);

struct http_client;

/* Process-wide setup and teardown of the transport (libcurl's global
 * state); call once from main before any client exists. */
void http_global_init(void);
void http_global_cleanup(void);

struct http_client *http_client_new(void);
/* Cancels what is in flight and the scheduled callbacks without calling
 * them, tells each watch HTTP_WATCH_CLOSING, then frees. */
void http_client_free(struct http_client *c);

/*
 * Sets the default timeouts of requests that set none: HTTP_*_TIMEOUT_MS,
 * or HTTP_CONNECT_TIMEOUT_ENV and HTTP_TIMEOUT_ENV when set. Returns 0,
 * or -1 with the variable, its value and the valid range in err.
 */
int http_client_configure(struct http_client *c, char *err, size_t errlen);
void http_client_set_timeouts(struct http_client *c, long connect_ms,
                              long total_ms);

/* Takes ownership of req. Returns 0, or -1 (req freed, done not called). */
int http_submit(struct http_client *c, struct http_request *req,
                http_done_fn done, void *ctx);

/*
 * Waits until a transfer progresses, one of fds is readable, or timeout_ms
 * passes; then drives transfers and calls the callbacks of those that
 * finished. readable[i] is set to 1 for each readable fds[i] (readable may
 * be NULL when nfds is 0). Returns 0, or -1 on a libcurl failure.
 */
int http_wait(struct http_client *c, const int *fds, int *readable,
              size_t nfds, int timeout_ms);

/* Number of requests submitted and not yet completed, plus the
 * scheduled callbacks not yet run and the watched fds; background
 * requests and callbacks are not counted. */
size_t http_pending(const struct http_client *c);

/* Called once: from inside http_wait() when its delay has passed, or
 * from http_cancel_all() with cancelled set. It may submit requests. */
typedef void (*http_timer_fn)(void *ctx, int cancelled);

/* Runs fn(ctx, 0) after delay_ms without blocking the loop: http_wait
 * shortens its wait to the earliest due callback. Returns 0, or -1 (fn
 * not called) when memory runs out. */
int http_schedule(struct http_client *c, long delay_ms, http_timer_fn fn,
                  void *ctx);

/* Removes the scheduled callbacks fn(ctx) without calling them. */
void http_unschedule(struct http_client *c, http_timer_fn fn, void *ctx);

enum http_watch_event {
    HTTP_WATCH_READABLE,   /* the fd is readable or hung up */
    HTTP_WATCH_CANCELLED,  /* from http_cancel_all: fail and clean up */
    HTTP_WATCH_CLOSING,    /* from http_client_free: clean up silently */
};

/* Called from http_wait when the fd is readable. On CANCELLED and
 * CLOSING the watch is already removed; on CLOSING the owner must free
 * what it holds without calling the client or any other callback. */
typedef void (*http_watch_fn)(void *ctx, int fd, enum http_watch_event ev);

/*
 * Adds fd to what http_wait polls, for a child process's pipes, so the
 * loop reads them without blocking. A watch counts in http_pending until
 * http_unwatch removes it. Returns 0, or -1 when memory runs out.
 */
int http_watch(struct http_client *c, int fd, http_watch_fn fn, void *ctx);
/* Removes the watch on fd without calling it; the caller closes fd. */
void http_unwatch(struct http_client *c, int fd);

/* As http_schedule, for a background task (a watch's restart): not
 * counted by http_pending() and left alone by http_cancel_all(). */
int http_schedule_background(struct http_client *c, long delay_ms,
                             http_timer_fn fn, void *ctx);

/*
 * Drops every request in flight and every scheduled callback whose ctx
 * is ctx, background ones included, without calling their callbacks.
 * Returns how many it dropped. Not for use from the callbacks of the
 * requests it drops.
 */
size_t http_forget(struct http_client *c, const void *ctx);

/*
 * Cancels every request in flight, every scheduled callback and every
 * watched fd, except background requests and callbacks: each request's
 * callback runs once with res->failed and res->cancelled set
 * ("cancelled"), each timer's with cancelled set, each watch's with
 * HTTP_WATCH_CANCELLED. Requests that those callbacks submit are
 * cancelled too. The client stays usable.
 */
void http_cancel_all(struct http_client *c);

#endif
