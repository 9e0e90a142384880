/*
 * HTTP transport on one libcurl multi handle. The multi handle keeps the
 * connection cache, so easy handles are recycled or freed without losing
 * keep-alive connections. Callbacks run from http_wait() after their
 * transfer has left the multi handle, so they may submit new requests.
 * They must not free the client.
 */
#include "http.h"

#include <curl/curl.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "log.h"
#include "redact.h"
#include "strutil.h"

#define MAX_HEADERS 128          /* response headers kept per reply */
#define MAX_HEADER_BYTES 16384   /* one header line */
#define IDLE_HANDLES 8           /* easy handles kept for reuse */
#define STACK_FDS 8
#define CANCEL_ROUNDS 1000       /* bound on callbacks that keep submitting */

struct transfer {
    CURL *easy;
    struct http_request *req;
    struct http_response res;
    struct curl_slist *headers;
    http_done_fn done;
    void *ctx;
    struct timespec start;
    struct buf stream;          /* streamed body not yet given to on_data */
    size_t streamed;            /* bytes given to on_data so far */
    int too_large;
    char errbuf[CURL_ERROR_SIZE];
    struct transfer *prev, *next;
};

/* A callback scheduled by http_schedule, in a list sorted by due time. */
struct timer {
    long long due_ms;           /* on the monotonic clock */
    http_timer_fn fn;
    void *ctx;
    int background;
    struct timer *next;
};

/* An fd polled by http_wait for its owner (see http_watch). */
struct watch {
    int fd;
    http_watch_fn fn;
    void *ctx;
    struct watch *next;
};

struct http_client {
    CURLM *multi;
    struct transfer *active;
    size_t pending;
    CURL *idle[IDLE_HANDLES];
    size_t idle_count;
    struct timer *timers;
    size_t timer_count;
    struct watch *watches;
    size_t watch_count;
    size_t background;          /* of the transfers and timers counted */
    long connect_timeout_ms;    /* defaults for requests that set none */
    long timeout_ms;
};

static void headers_free(struct http_header *h, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        str_wipe_free(h[i].name);
        str_wipe_free(h[i].value);
    }
    free(h);
}

struct http_request *http_request_new(const char *method, const char *url)
{
    struct http_request *req = calloc(1, sizeof(*req));
    if (!req)
        return NULL;
    req->method = strdup(method);
    req->url = strdup(url);
    buf_init(&req->body, 0);
    req->max_response = HTTP_MAX_RESPONSE;
    if (!req->method || !req->url) {
        http_request_free(req);
        return NULL;
    }
    return req;
}

/* Every member may carry a secret (a signed header, a web identity token
 * in the body, a key), so all of them are wiped. */
void http_request_free(struct http_request *req)
{
    if (!req)
        return;
    free(req->method);
    free(req->url);
    headers_free(req->headers, req->header_count);
    buf_wipe(&req->body);
    free(req->ca_pem);
    free(req->cert_pem);
    str_wipe_free(req->key_pem);
    str_wipe_free(req->bearer_token);
    free(req);
}

static int header_add(struct http_header **list, size_t *count,
                      const char *name, size_t name_len, const char *value,
                      size_t value_len)
{
    struct http_header *grown = realloc(*list, (*count + 1) * sizeof(**list));
    if (!grown)
        return -1;
    *list = grown;
    struct http_header *h = &grown[*count];
    h->name = strndup(name, name_len);
    h->value = strndup(value, value_len);
    if (!h->name || !h->value) {
        free(h->name);
        free(h->value);
        return -1;
    }
    (*count)++;
    return 0;
}

int http_request_header(struct http_request *req, const char *name,
                        const char *value)
{
    return header_add(&req->headers, &req->header_count, name, strlen(name),
                      value, strlen(value));
}

int http_request_set(char **member, const char *value)
{
    char *copy = NULL;
    if (value && !(copy = strdup(value)))
        return -1;
    str_wipe_free(*member);
    *member = copy;
    return 0;
}

const char *http_response_header(const struct http_response *res,
                                 const char *name)
{
    for (size_t i = 0; i < res->header_count; i++)
        if (strcasecmp(res->headers[i].name, name) == 0)
            return res->headers[i].value;
    return NULL;
}

static int global_ready;

void http_global_init(void)
{
    if (!global_ready && curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK)
        global_ready = 1;
}

void http_global_cleanup(void)
{
    if (global_ready)
        curl_global_cleanup();
    global_ready = 0;
}

/* Tests and tools that skip http_global_init get it on first use. */
struct http_client *http_client_new(void)
{
    http_global_init();
    if (!global_ready)
        return NULL;
    struct http_client *c = calloc(1, sizeof(*c));
    if (!c)
        return NULL;
    c->multi = curl_multi_init();
    if (!c->multi) {
        free(c);
        return NULL;
    }
    c->connect_timeout_ms = HTTP_CONNECT_TIMEOUT_MS;
    c->timeout_ms = HTTP_TIMEOUT_MS;
    return c;
}

void http_client_set_timeouts(struct http_client *c, long connect_ms,
                              long total_ms)
{
    c->connect_timeout_ms = connect_ms;
    c->timeout_ms = total_ms;
}

/* Reads a timeout variable into *out; returns 0, or -1 with err. */
static int env_timeout(const char *name, long *out, char *err, size_t errlen)
{
    const char *v = getenv(name);
    if (!v || !*v)
        return 0;
    char *end;
    errno = 0;
    long n = strtol(v, &end, 10);
    if (*end || errno || n < 1 || n > HTTP_TIMEOUT_MAX_MS) {
        snprintf(err, errlen, "invalid %s '%.40s': use a whole number of "
                 "milliseconds from 1 to %d", name, v, HTTP_TIMEOUT_MAX_MS);
        return -1;
    }
    *out = n;
    return 0;
}

int http_client_configure(struct http_client *c, char *err, size_t errlen)
{
    long connect_ms = HTTP_CONNECT_TIMEOUT_MS, total_ms = HTTP_TIMEOUT_MS;
    if (env_timeout(HTTP_CONNECT_TIMEOUT_ENV, &connect_ms, err, errlen) < 0 ||
        env_timeout(HTTP_TIMEOUT_ENV, &total_ms, err, errlen) < 0)
        return -1;
    http_client_set_timeouts(c, connect_ms, total_ms);
    return 0;
}

static void transfer_free(struct transfer *t)
{
    curl_slist_free_all(t->headers);
    http_request_free(t->req);
    headers_free(t->res.headers, t->res.header_count);
    buf_wipe(&t->res.body);
    buf_wipe(&t->stream);
    free(t->res.last_cert_pem);
    free(t);
}

static void unlink_transfer(struct http_client *c, struct transfer *t)
{
    if (t->prev)
        t->prev->next = t->next;
    else
        c->active = t->next;
    if (t->next)
        t->next->prev = t->prev;
    c->pending--;
    if (t->req->background)
        c->background--;
}

/* Keeps a few easy handles for reuse; curl_easy_reset drops their options
 * but not the connections, which live in the multi handle's cache. */
static void release_easy(struct http_client *c, CURL *easy)
{
    if (c->idle_count < IDLE_HANDLES) {
        curl_easy_reset(easy);
        c->idle[c->idle_count++] = easy;
    } else {
        curl_easy_cleanup(easy);
    }
}

static CURL *acquire_easy(struct http_client *c)
{
    if (c->idle_count)
        return c->idle[--c->idle_count];
    return curl_easy_init();
}

void http_client_free(struct http_client *c)
{
    if (!c)
        return;
    while (c->active) {
        struct transfer *t = c->active;
        curl_multi_remove_handle(c->multi, t->easy);
        curl_easy_cleanup(t->easy);
        unlink_transfer(c, t);
        transfer_free(t);
    }
    while (c->timers) {
        struct timer *tm = c->timers;
        c->timers = tm->next;
        free(tm);
    }
    while (c->watches) {
        struct watch *w = c->watches;
        c->watches = w->next;
        c->watch_count--;
        w->fn(w->ctx, w->fd, HTTP_WATCH_CLOSING);
        free(w);
    }
    for (size_t i = 0; i < c->idle_count; i++)
        curl_easy_cleanup(c->idle[i]);
    curl_multi_cleanup(c->multi);
    free(c);
}

/* Whether the body goes to on_data: a streamed request's 2xx reply. */
static int streams_body(const struct transfer *t)
{
    long status = 0;
    if (!t->req->on_data)
        return 0;
    curl_easy_getinfo(t->easy, CURLINFO_RESPONSE_CODE, &status);
    return status >= 200 && status < 300;
}

static size_t on_body(char *data, size_t size, size_t n, void *userdata)
{
    struct transfer *t = userdata;
    size_t len = size * n;
    struct buf *to = streams_body(t) ? &t->stream : &t->res.body;
    if (buf_append(to, data, len) < 0) {
        t->too_large = 1;
        return 0; /* curl fails the transfer with CURLE_WRITE_ERROR */
    }
    return len;
}

/* Collects "Name: value" lines. A status line starts a new header block
 * (after "100 Continue", for instance), so earlier headers are dropped. */
static size_t on_header(char *data, size_t size, size_t n, void *userdata)
{
    struct transfer *t = userdata;
    size_t len = size * n;
    if (len >= 5 && strncmp(data, "HTTP/", 5) == 0) {
        headers_free(t->res.headers, t->res.header_count);
        t->res.headers = NULL;
        t->res.header_count = 0;
        return len;
    }
    const char *colon = memchr(data, ':', len);
    if (!colon || len > MAX_HEADER_BYTES || t->res.header_count >= MAX_HEADERS)
        return len;
    const char *value = colon + 1;
    const char *end = data + len;
    while (value < end && (*value == ' ' || *value == '\t'))
        value++;
    while (end > value && (end[-1] == '\r' || end[-1] == '\n' ||
                           end[-1] == ' ' || end[-1] == '\t'))
        end--;
    if (header_add(&t->res.headers, &t->res.header_count, data,
                   (size_t)(colon - data), value, (size_t)(end - value)) < 0)
        return 0;
    return len;
}

static int add_header_line(struct curl_slist **list, const char *name,
                           const char *value)
{
    struct buf line;
    buf_init(&line, 0);
    int rc = buf_printf(&line, "%s: %s", name, value);
    struct curl_slist *grown = rc ? NULL : curl_slist_append(*list,
                                                            line.data);
    buf_wipe(&line);
    if (!grown)
        return -1;
    *list = grown;
    return 0;
}

static int build_headers(struct transfer *t)
{
    const struct http_request *req = t->req;
    for (size_t i = 0; i < req->header_count; i++)
        if (add_header_line(&t->headers, req->headers[i].name,
                            req->headers[i].value) < 0)
            return -1;
    if (req->bearer_token) {
        struct buf v;
        buf_init(&v, 0);
        int rc = buf_printf(&v, "Bearer %s", req->bearer_token);
        if (!rc)
            rc = add_header_line(&t->headers, "Authorization", v.data);
        buf_wipe(&v);
        if (rc)
            return -1;
    }
    /* No "Expect: 100-continue" round trip before a body. */
    struct curl_slist *grown = curl_slist_append(t->headers, "Expect:");
    if (!grown)
        return -1;
    t->headers = grown;
    return 0;
}

static void set_blob(CURL *easy, CURLoption opt, const char *pem)
{
    struct curl_blob blob = {
        .data = (void *)pem, .len = strlen(pem), .flags = CURL_BLOB_COPY,
    };
    curl_easy_setopt(easy, opt, &blob);
}

static void set_tls(CURL *easy, const struct http_request *req)
{
    long verify = req->insecure_skip_verify ? 0L : 1L;
    curl_easy_setopt(easy, CURLOPT_SSL_VERIFYPEER, verify);
    curl_easy_setopt(easy, CURLOPT_SSL_VERIFYHOST, verify ? 2L : 0L);
    if (req->ca_pem) {
        /* Trust exactly the given CAs, not the system store as well. */
        curl_easy_setopt(easy, CURLOPT_CAINFO, NULL);
        curl_easy_setopt(easy, CURLOPT_CAPATH, NULL);
        set_blob(easy, CURLOPT_CAINFO_BLOB, req->ca_pem);
    }
    if (req->cert_pem) {
        set_blob(easy, CURLOPT_SSLCERT_BLOB, req->cert_pem);
        curl_easy_setopt(easy, CURLOPT_SSLCERTTYPE, "PEM");
    }
    if (req->key_pem) {
        set_blob(easy, CURLOPT_SSLKEY_BLOB, req->key_pem);
        curl_easy_setopt(easy, CURLOPT_SSLKEYTYPE, "PEM");
    }
    if (req->want_cert_chain) {
        curl_easy_setopt(easy, CURLOPT_CERTINFO, 1L);
        curl_easy_setopt(easy, CURLOPT_FRESH_CONNECT, 1L);
    }
}

static void set_method(CURL *easy, const struct http_request *req)
{
    const char *m = req->method;
    if (strcmp(m, "HEAD") == 0) {
        curl_easy_setopt(easy, CURLOPT_NOBODY, 1L);
        return;
    }
    if (req->body.len || strcmp(m, "POST") == 0 || strcmp(m, "PUT") == 0 ||
        strcmp(m, "PATCH") == 0) {
        curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE,
                         (curl_off_t)req->body.len);
        curl_easy_setopt(easy, CURLOPT_POSTFIELDS,
                         req->body.data ? req->body.data : "");
    }
    if (strcmp(m, "GET") != 0 && strcmp(m, "POST") != 0)
        curl_easy_setopt(easy, CURLOPT_CUSTOMREQUEST, m);
}

static void configure(const struct http_client *c, struct transfer *t)
{
    CURL *easy = t->easy;
    struct http_request *req = t->req;
    if (!req->connect_timeout_ms)
        req->connect_timeout_ms = c->connect_timeout_ms;
    if (!req->timeout_ms)
        req->timeout_ms = c->timeout_ms;
    curl_easy_setopt(easy, CURLOPT_URL, req->url);
    curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(easy, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS, req->connect_timeout_ms);
    curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, req->timeout_ms);
    /* A stream has no total size; its pieces are bounded instead. */
    curl_easy_setopt(easy, CURLOPT_MAXFILESIZE_LARGE,
                     req->on_data ? (curl_off_t)0
                                  : (curl_off_t)t->res.body.max);
    curl_easy_setopt(easy, CURLOPT_ACCEPT_ENCODING, "");
    curl_easy_setopt(easy, CURLOPT_HTTPHEADER, t->headers);
    curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(easy, CURLOPT_WRITEDATA, t);
    curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(easy, CURLOPT_HEADERDATA, t);
    curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, t->errbuf);
    curl_easy_setopt(easy, CURLOPT_PRIVATE, t);
    set_method(easy, req);
    set_tls(easy, req);
}

static int url_without_query(const char *url);

/* With --debug: the request line and headers as sent, secrets
 * redacted. The URL goes without its query string, as in every log line,
 * and the body with its size only, since bodies can carry tokens
 * (AssumeRoleWithWebIdentity sends one). */
static void log_request(const struct transfer *t)
{
    char line[1024];
    const char *url = t->req->url;
    if (!log_enabled(LOG_DEBUG))
        return;
    log_msg(LOG_DEBUG, "http > %s %.*s (body %zu bytes)", t->req->method,
            url_without_query(url), url, t->req->body.len);
    for (const struct curl_slist *h = t->headers; h; h = h->next) {
        redact_header_line(h->data, line, sizeof(line));
        log_msg(LOG_DEBUG, "http >   %s", line);
    }
}

int http_submit(struct http_client *c, struct http_request *req,
                http_done_fn done, void *ctx)
{
    struct transfer *t = calloc(1, sizeof(*t));
    if (!t) {
        http_request_free(req);
        return -1;
    }
    t->req = req;
    t->done = done;
    t->ctx = ctx;
    buf_init(&t->res.body, req->max_response ? req->max_response
                                             : HTTP_MAX_RESPONSE);
    buf_init(&t->stream, t->res.body.max);
    t->easy = acquire_easy(c);
    if (!t->easy || build_headers(t) < 0) {
        if (t->easy)
            release_easy(c, t->easy);
        transfer_free(t);
        return -1;
    }
    configure(c, t);
    log_request(t);
    clock_gettime(CLOCK_MONOTONIC, &t->start);
    if (curl_multi_add_handle(c->multi, t->easy) != CURLM_OK) {
        release_easy(c, t->easy);
        transfer_free(t);
        return -1;
    }
    t->next = c->active;
    if (c->active)
        c->active->prev = t;
    c->active = t;
    c->pending++;
    if (req->background)
        c->background++;
    return 0;
}

static long elapsed_ms(const struct timespec *start)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (long)(now.tv_sec - start->tv_sec) * 1000 +
           (now.tv_nsec - start->tv_nsec) / 1000000;
}

/* The URL up to its query string or fragment, which may carry a
 * presigned signature. */
static int url_without_query(const char *url)
{
    return (int)strcspn(url, "?#");
}

/* "timed out after 2.0 s connecting to HOST", or waiting for its reply
 * once connected, with the limit that passed. */
static void timeout_message(struct transfer *t)
{
    struct http_response *res = &t->res;
    const char *url = t->req->url;
    const char *host = strstr(url, "://");
    host = host ? host + 3 : url;
    int host_len = (int)strcspn(host, "/?#");
    curl_off_t connected = 0;   /* set once the request could be sent */
    curl_easy_getinfo(t->easy, CURLINFO_PRETRANSFER_TIME_T, &connected);
    long limit = connected ? t->req->timeout_ms : t->req->connect_timeout_ms;
    snprintf(res->error, sizeof(res->error), "timed out after %.1f s %s "
             "%.*s (the limit is %ld ms; %s sets it)",
             (double)res->elapsed_ms / 1000.0,
             connected ? "waiting for the reply of" : "connecting to",
             host_len, host, limit,
             connected ? HTTP_TIMEOUT_ENV : HTTP_CONNECT_TIMEOUT_ENV);
}

/* The "Cert:" field of the chain's last certificate, as libcurl reports
 * the chain the server sent; NULL when there is none. */
static char *last_cert(CURL *easy)
{
    struct curl_certinfo *info = NULL;
    if (curl_easy_getinfo(easy, CURLINFO_CERTINFO, &info) != CURLE_OK ||
        !info || info->num_of_certs < 1)
        return NULL;
    for (struct curl_slist *f = info->certinfo[info->num_of_certs - 1]; f;
         f = f->next)
        if (strncmp(f->data, "Cert:", 5) == 0)
            return strdup(f->data + 5);
    return NULL;
}

static void record_result(struct transfer *t, CURLcode code)
{
    struct http_response *res = &t->res;
    res->elapsed_ms = elapsed_ms(&t->start);
    if (code == CURLE_OK) {
        curl_easy_getinfo(t->easy, CURLINFO_RESPONSE_CODE, &res->status);
        if (t->req->want_cert_chain)
            res->last_cert_pem = last_cert(t->easy);
        return;
    }
    res->failed = 1;
    res->status = 0;
    res->timed_out = code == CURLE_OPERATION_TIMEDOUT;
    if (res->timed_out)
        timeout_message(t);
    else if (t->too_large || code == CURLE_FILESIZE_EXCEEDED)
        snprintf(res->error, sizeof(res->error),
                 "reply larger than the limit of %zu bytes", res->body.max);
    else if (t->errbuf[0])
        snprintf(res->error, sizeof(res->error), "%s", t->errbuf);
    else
        snprintf(res->error, sizeof(res->error), "%s",
                 curl_easy_strerror(code));
}

static void log_exchange(const struct transfer *t)
{
    const struct http_response *res = &t->res;
    const char *url = t->req->url;
    if (res->failed)
        log_msg(LOG_WARN, "http %s %.*s failed after %ld ms: %s",
                t->req->method, url_without_query(url), url,
                res->elapsed_ms, res->error);
    else
        log_msg(LOG_INFO, "http %s %.*s %ld %zu bytes %ld ms",
                t->req->method, url_without_query(url), url, res->status,
                res->body.len + t->streamed, res->elapsed_ms);
}

/* Gives a transfer's streamed bytes to its on_data; returns its result. */
static int deliver(struct transfer *t)
{
    struct buf piece = t->stream;
    buf_init(&t->stream, piece.max);
    t->streamed += piece.len;
    int rc = t->req->on_data(piece.data, piece.len, t->ctx);
    buf_wipe(&piece);
    return rc;
}

static void finish(struct http_client *c, CURL *easy, CURLcode code)
{
    struct transfer *t = NULL;
    curl_easy_getinfo(easy, CURLINFO_PRIVATE, (char **)&t);
    if (!t)
        return;
    if (t->stream.len)
        deliver(t);     /* the last piece; the transfer ends anyway */
    record_result(t, code);
    curl_multi_remove_handle(c->multi, easy);
    unlink_transfer(c, t);
    log_exchange(t);
    release_easy(c, easy);
    t->easy = NULL;
    if (t->done)
        t->done(t->req, &t->res, t->ctx);
    transfer_free(t);
}

/* Returns how many transfers finished. */
static int complete_finished(struct http_client *c)
{
    CURLMsg *msg;
    int left, n = 0;
    while ((msg = curl_multi_info_read(c->multi, &left)))
        if (msg->msg == CURLMSG_DONE) {
            finish(c, msg->easy_handle, msg->data.result);
            n++;
        }
    return n;
}

static long long now_ms(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (long long)now.tv_sec * 1000 + now.tv_nsec / 1000000;
}

static int schedule(struct http_client *c, long delay_ms, http_timer_fn fn,
                    void *ctx, int background)
{
    struct timer *tm = calloc(1, sizeof(*tm));
    if (!tm)
        return -1;
    tm->due_ms = now_ms() + (delay_ms > 0 ? delay_ms : 0);
    tm->fn = fn;
    tm->ctx = ctx;
    tm->background = background;
    c->background += (size_t)background;
    struct timer **p = &c->timers;
    while (*p && (*p)->due_ms <= tm->due_ms)
        p = &(*p)->next;
    tm->next = *p;
    *p = tm;
    c->timer_count++;
    return 0;
}

int http_schedule(struct http_client *c, long delay_ms, http_timer_fn fn,
                  void *ctx)
{
    return schedule(c, delay_ms, fn, ctx, 0);
}

int http_schedule_background(struct http_client *c, long delay_ms,
                             http_timer_fn fn, void *ctx)
{
    return schedule(c, delay_ms, fn, ctx, 1);
}

/* Unlinks the timer *link points at and returns it. */
static struct timer *unlink_timer(struct http_client *c, struct timer **link)
{
    struct timer *tm = *link;
    *link = tm->next;
    c->timer_count--;
    c->background -= (size_t)tm->background;
    return tm;
}

/* Unlinks the timer *link points at and runs it; the callback may
 * schedule more. */
static void run_timer(struct http_client *c, struct timer **link,
                      int cancelled)
{
    struct timer *tm = unlink_timer(c, link);
    http_timer_fn fn = tm->fn;
    void *ctx = tm->ctx;
    free(tm);
    fn(ctx, cancelled);
}

void http_unschedule(struct http_client *c, http_timer_fn fn, void *ctx)
{
    struct timer **p = &c->timers;
    while (*p) {
        struct timer *tm = *p;
        if (tm->fn == fn && tm->ctx == ctx)
            free(unlink_timer(c, p));
        else
            p = &tm->next;
    }
}

int http_watch(struct http_client *c, int fd, http_watch_fn fn, void *ctx)
{
    struct watch *w = calloc(1, sizeof(*w));
    if (!w)
        return -1;
    w->fd = fd;
    w->fn = fn;
    w->ctx = ctx;
    w->next = c->watches;
    c->watches = w;
    c->watch_count++;
    return 0;
}

/* Unlinks the watch on fd and returns it, or NULL. */
static struct watch *unlink_watch(struct http_client *c, int fd)
{
    for (struct watch **p = &c->watches; *p; p = &(*p)->next) {
        struct watch *w = *p;
        if (w->fd == fd) {
            *p = w->next;
            c->watch_count--;
            return w;
        }
    }
    return NULL;
}

void http_unwatch(struct http_client *c, int fd)
{
    free(unlink_watch(c, fd));
}

static struct watch *find_watch(const struct http_client *c, int fd)
{
    for (struct watch *w = c->watches; w; w = w->next)
        if (w->fd == fd)
            return w;
    return NULL;
}

/*
 * Calls the watches whose fd is readable or hung up. A separate poll
 * checks them because curl_multi_poll reports POLLIN only, and a pipe
 * whose writer exited is POLLHUP without POLLIN on Linux. Callbacks may
 * add and remove watches, so each fd is looked up again before its call.
 */
static void run_ready_watches(struct http_client *c)
{
    size_t n = c->watch_count, i = 0;
    if (n == 0)
        return;
    struct pollfd *p = calloc(n, sizeof(*p));
    if (!p)
        return;
    for (struct watch *w = c->watches; w && i < n; w = w->next, i++) {
        p[i].fd = w->fd;
        p[i].events = POLLIN;
    }
    if (poll(p, (nfds_t)i, 0) > 0)
        for (size_t k = 0; k < i; k++) {
            struct watch *w = p[k].revents ? find_watch(c, p[k].fd) : NULL;
            if (w)
                w->fn(w->ctx, w->fd, HTTP_WATCH_READABLE);
        }
    free(p);
}

/* Runs the timers due now, but not those they schedule for now: those
 * wait for the next http_wait, so a callback cannot spin the loop. */
static void run_due_timers(struct http_client *c)
{
    long long now = now_ms();
    size_t n = 0;
    for (struct timer *tm = c->timers; tm && tm->due_ms <= now; tm = tm->next)
        n++;
    while (n-- > 0 && c->timers && c->timers->due_ms <= now)
        run_timer(c, &c->timers, 0);
}

/* timeout_ms shortened to the earliest scheduled callback. */
static int wait_limit(const struct http_client *c, int timeout_ms)
{
    if (!c->timers)
        return timeout_ms;
    long long left = c->timers->due_ms - now_ms();
    if (left < 0)
        left = 0;
    return timeout_ms < 0 || left < timeout_ms ? (int)left : timeout_ms;
}

/* Ends a transfer early as failed, with why as its error, and calls its
 * callback. */
static void end_transfer(struct http_client *c, struct transfer *t,
                         const char *why, int cancelled)
{
    curl_multi_remove_handle(c->multi, t->easy);
    unlink_transfer(c, t);
    t->res.failed = 1;
    t->res.cancelled = cancelled;
    t->res.status = 0;
    t->res.elapsed_ms = elapsed_ms(&t->start);
    snprintf(t->res.error, sizeof(t->res.error), "%s", why);
    log_exchange(t);
    release_easy(c, t->easy);
    t->easy = NULL;
    if (t->done)
        t->done(t->req, &t->res, t->ctx);
    transfer_free(t);
}

/* Gives each streamed transfer's new bytes to its on_data, outside
 * libcurl's callbacks. The scan starts again after each call, because a
 * callback may submit requests or forget other ones. */
static void deliver_streams(struct http_client *c)
{
    for (;;) {
        struct transfer *t = c->active;
        while (t && !t->stream.len)
            t = t->next;
        if (!t)
            return;
        if (deliver(t) < 0)
            end_transfer(c, t, "stopped by the receiver", 0);
    }
}

void http_cancel_all(struct http_client *c)
{
    for (int round = 0; round < CANCEL_ROUNDS; round++) {
        struct transfer *t = c->active;
        struct timer **link = &c->timers;
        while (t && t->req->background)
            t = t->next;
        while (*link && (*link)->background)
            link = &(*link)->next;
        if (t)
            end_transfer(c, t, "cancelled", 1);
        else if (*link)
            run_timer(c, link, 1);
        else if (c->watches) {
            struct watch *w = unlink_watch(c, c->watches->fd);
            w->fn(w->ctx, w->fd, HTTP_WATCH_CANCELLED);
            free(w);
        } else
            return;
    }
    log_msg(LOG_ERROR, "http: callbacks kept submitting requests while "
            "they were cancelled; %zu left in flight", c->pending);
}

int http_wait(struct http_client *c, const int *fds, int *readable,
              size_t nfds, int timeout_ms)
{
    struct curl_waitfd stack[STACK_FDS];
    struct curl_waitfd *wait = stack;
    size_t total = nfds + c->watch_count;
    if (total > STACK_FDS && !(wait = calloc(total, sizeof(*wait))))
        return -1;
    for (size_t i = 0; i < nfds; i++)
        wait[i].fd = fds[i];
    struct watch *w = c->watches;
    for (size_t i = nfds; i < total; i++, w = w->next)
        wait[i].fd = w->fd;
    for (size_t i = 0; i < total; i++) {
        wait[i].events = CURL_WAIT_POLLIN;
        wait[i].revents = 0;
    }
    /* Transfers that finished before the wait complete first; the poll
     * then only checks the caller's fds, so their callbacks are not held
     * back by timeout_ms. */
    int running = 0;
    CURLMcode rc = curl_multi_perform(c->multi, &running);
    if (rc == CURLM_OK)
        deliver_streams(c);
    if (rc == CURLM_OK && complete_finished(c) > 0)
        timeout_ms = 0;
    timeout_ms = wait_limit(c, timeout_ms);
    if (rc == CURLM_OK)
        rc = curl_multi_poll(c->multi, wait, (unsigned)total, timeout_ms,
                             NULL);
    if (rc == CURLM_OK)
        rc = curl_multi_perform(c->multi, &running);
    for (size_t i = 0; i < nfds; i++)
        readable[i] = (wait[i].revents & CURL_WAIT_POLLIN) != 0;
    if (wait != stack)
        free(wait);
    if (rc != CURLM_OK) {
        log_msg(LOG_ERROR, "http: libcurl multi failed: %s",
                curl_multi_strerror(rc));
        return -1;
    }
    deliver_streams(c);
    complete_finished(c);
    run_ready_watches(c);
    run_due_timers(c);
    return 0;
}

size_t http_pending(const struct http_client *c)
{
    return c->pending + c->timer_count + c->watch_count - c->background;
}

size_t http_forget(struct http_client *c, const void *ctx)
{
    size_t n = 0;
    struct transfer *t = c->active;
    while (t) {
        struct transfer *next = t->next;
        if (t->ctx == ctx) {
            curl_multi_remove_handle(c->multi, t->easy);
            unlink_transfer(c, t);
            release_easy(c, t->easy);
            transfer_free(t);
            n++;
        }
        t = next;
    }
    struct timer **link = &c->timers;
    while (*link) {
        if ((*link)->ctx == ctx) {
            free(unlink_timer(c, link));
            n++;
        } else {
            link = &(*link)->next;
        }
    }
    return n;
}
