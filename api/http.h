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
#define HTTP_MAX_RESPONSE (64u << 20)

struct http_header {
    char *name;
    char *value;
};

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
    long connect_timeout_ms;
    long timeout_ms;
    size_t max_response;
    int insecure_skip_verify; /* only from an explicit kubeconfig entry */
};

struct http_response {
    long status;             /* 0 when the transfer failed */
    struct http_header *headers;
    size_t header_count;
    struct buf body;
    int failed;              /* transport error: see error */
    char error[256];
    long elapsed_ms;
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
/* Cancels what is in flight without calling callbacks, then frees. */
void http_client_free(struct http_client *c);

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

/* Number of requests submitted and not yet completed. */
size_t http_pending(const struct http_client *c);

#endif
