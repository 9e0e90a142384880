/*
 * The HTTP transport against a loopback server thread that sends canned
 * replies: headers collected, the response limit, callbacks that submit
 * new requests, connection reuse, the caller's file descriptors reported
 * by http_wait, a transfer that times out, and streamed replies: a
 * chunked body handed to on_data, an error body kept, a receiver that
 * stops, and background requests that neither count as pending nor are
 * cancelled with the others.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "../../api/http.h"

/* What the server sends for every request, and what it saw. */
struct server {
    int listen_fd;
    int port;
    const char *reply;        /* complete HTTP reply, or NULL to stall */
    int connections;
    int requests;
    char last_request[4096];
    pthread_t thread;
};

static int read_request(int fd, char *out, size_t outlen)
{
    size_t len = 0;
    while (len + 1 < outlen) {
        ssize_t n = read(fd, out + len, outlen - 1 - len);
        if (n <= 0)
            return -1;
        len += (size_t)n;
        out[len] = '\0';
        if (strstr(out, "\r\n\r\n"))
            return 0;
    }
    return -1;
}

static void serve_connection(struct server *s, int fd)
{
    char request[4096];
    while (read_request(fd, request, sizeof(request)) == 0) {
        s->requests++;
        snprintf(s->last_request, sizeof(s->last_request), "%s", request);
        if (!s->reply) {
            sleep(2); /* longer than the client's timeout */
            break;
        }
        size_t left = strlen(s->reply);
        const char *p = s->reply;
        while (left > 0) {
            ssize_t n = write(fd, p, left);
            if (n <= 0)
                return;
            p += n;
            left -= (size_t)n;
        }
    }
}

static void *serve(void *arg)
{
    struct server *s = arg;
    for (;;) {
        int fd = accept(s->listen_fd, NULL, NULL);
        if (fd < 0)
            return NULL;
        s->connections++;
        serve_connection(s, fd);
        close(fd);
    }
}

static void server_start(struct server *s, const char *reply)
{
    memset(s, 0, sizeof(*s));
    s->reply = reply;
    s->listen_fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(s->listen_fd >= 0);
    struct sockaddr_in addr = {.sin_family = AF_INET};
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(bind(s->listen_fd, (struct sockaddr *)&addr,
                          sizeof(addr)), 0);
    assert_int_equal(listen(s->listen_fd, 8), 0);
    socklen_t len = sizeof(addr);
    getsockname(s->listen_fd, (struct sockaddr *)&addr, &len);
    s->port = ntohs(addr.sin_port);
    pthread_create(&s->thread, NULL, serve, s);
}

static void server_stop(struct server *s)
{
    shutdown(s->listen_fd, SHUT_RDWR);
    close(s->listen_fd);
    pthread_join(s->thread, NULL);
}

struct result {
    int calls;
    long status;
    int failed;
    char error[256];
    char body[256];
    char request_id[64];
    struct http_client *client;
    int resubmit;             /* requests the callback still submits */
    const char *url;
};

static void on_done(const struct http_request *req, struct http_response *res,
                    void *ctx)
{
    (void)req;
    struct result *r = ctx;
    r->calls++;
    r->status = res->status;
    r->failed = res->failed;
    snprintf(r->error, sizeof(r->error), "%s", res->error);
    snprintf(r->body, sizeof(r->body), "%s", res->body.data ? res->body.data
                                                            : "");
    const char *id = http_response_header(res, "X-Amzn-RequestId");
    snprintf(r->request_id, sizeof(r->request_id), "%s", id ? id : "");
    if (r->resubmit > 0) {
        r->resubmit--;
        http_submit(r->client, http_request_new("GET", r->url), on_done, r);
    }
}

static void run_until_idle(struct http_client *c)
{
    for (int i = 0; i < 100 && http_pending(c) > 0; i++)
        assert_int_equal(http_wait(c, NULL, NULL, 0, 100), 0);
}

static const char ok_reply[] =
    "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nx-amzn-requestid: id-1\r\n"
    "Content-Type: text/plain\r\n\r\nhello";

static void url_of(const struct server *s, const char *path, char *out,
                   size_t outlen)
{
    snprintf(out, outlen, "http://127.0.0.1:%d%s", s->port, path);
}

static void response_and_headers(void **state)
{
    (void)state;
    struct server s;
    server_start(&s, ok_reply);
    char url[128];
    url_of(&s, "/path?q=1", url, sizeof(url));
    struct http_client *c = http_client_new();
    struct http_request *req = http_request_new("POST", url);
    assert_int_equal(http_request_header(req, "X-Test", "yes"), 0);
    req->bearer_token = strdup("tok123");
    buf_puts(&req->body, "a=b");
    struct result r = {0};
    assert_int_equal(http_submit(c, req, on_done, &r), 0);
    assert_int_equal(http_pending(c), 1);
    run_until_idle(c);
    assert_int_equal(r.calls, 1);
    assert_int_equal(r.status, 200);
    assert_string_equal(r.body, "hello");
    assert_string_equal(r.request_id, "id-1");
    assert_non_null(strstr(s.last_request, "POST /path?q=1 HTTP/1.1"));
    assert_non_null(strstr(s.last_request, "X-Test: yes"));
    assert_non_null(strstr(s.last_request, "Authorization: Bearer tok123"));
    assert_null(strstr(s.last_request, "Expect:"));
    http_client_free(c);
    server_stop(&s);
}

static void response_over_limit(void **state)
{
    (void)state;
    struct server s;
    server_start(&s, ok_reply);
    char url[128];
    url_of(&s, "/", url, sizeof(url));
    struct http_client *c = http_client_new();
    struct http_request *req = http_request_new("GET", url);
    req->max_response = 3;
    struct result r = {0};
    http_submit(c, req, on_done, &r);
    run_until_idle(c);
    assert_int_equal(r.calls, 1);
    assert_int_equal(r.failed, 1);
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.error, "larger than the limit of 3 bytes"));
    http_client_free(c);
    server_stop(&s);
}

static void callback_submits_and_reuses(void **state)
{
    (void)state;
    struct server s;
    server_start(&s, ok_reply);
    char url[128];
    url_of(&s, "/", url, sizeof(url));
    struct http_client *c = http_client_new();
    struct result r = {.client = c, .resubmit = 2, .url = url};
    http_submit(c, http_request_new("GET", url), on_done, &r);
    run_until_idle(c);
    assert_int_equal(r.calls, 3);
    assert_int_equal(s.requests, 3);
    assert_int_equal(s.connections, 1);
    http_client_free(c);
    server_stop(&s);
}

static void caller_fd_reported(void **state)
{
    (void)state;
    struct http_client *c = http_client_new();
    int p[2];
    assert_int_equal(pipe(p), 0);
    int readable[2] = {7, 7};
    int fds[2] = {p[0], p[0]};
    assert_int_equal(http_wait(c, fds, readable, 1, 10), 0);
    assert_int_equal(readable[0], 0);
    assert_int_equal(write(p[1], "x", 1), 1);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    assert_int_equal(http_wait(c, fds, readable, 2, 5000), 0);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    assert_int_equal(readable[0], 1);
    assert_int_equal(readable[1], 1);
    assert_true(t1.tv_sec - t0.tv_sec < 2);
    close(p[0]);
    close(p[1]);
    http_client_free(c);
}

static void transfer_times_out(void **state)
{
    (void)state;
    struct server s;
    server_start(&s, NULL);
    char url[128];
    url_of(&s, "/", url, sizeof(url));
    struct http_client *c = http_client_new();
    struct http_request *req = http_request_new("GET", url);
    req->timeout_ms = 300;
    struct result r = {0};
    http_submit(c, req, on_done, &r);
    run_until_idle(c);
    assert_int_equal(r.calls, 1);
    assert_int_equal(r.failed, 1);
    assert_non_null(strstr(r.error, "timed out"));
    http_client_free(c);
    server_stop(&s);
}

static void free_cancels_without_callbacks(void **state)
{
    (void)state;
    struct server s;
    server_start(&s, NULL);
    char url[128];
    url_of(&s, "/", url, sizeof(url));
    struct http_client *c = http_client_new();
    struct result r = {0};
    http_submit(c, http_request_new("GET", url), on_done, &r);
    http_wait(c, NULL, NULL, 0, 50);
    assert_int_equal(http_pending(c), 1);
    http_client_free(c);
    assert_int_equal(r.calls, 0);
    server_stop(&s);
}

/* ---- streamed replies ---------------------------------------------------- */

static const char chunked_reply[] =
    "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n"
    "Content-Type: application/json\r\n\r\n"
    "7\r\n{\"a\":1}\r\n"
    "3\r\n\n{\"\r\n"
    "6\r\nb\":2}\n\r\n"
    "0\r\n\r\n";

/* on_done's result and what on_data received; the request's one ctx
 * points at both, since result comes first. */
struct streamed {
    struct result r;
    char data[256];
    size_t len;
    int pieces;
    int stop;               /* return -1 from on_data */
};

static int on_piece(const char *data, size_t len, void *ctx)
{
    struct streamed *st = ctx;
    assert_true(st->len + len < sizeof(st->data));
    memcpy(st->data + st->len, data, len);
    st->len += len;
    st->pieces++;
    return st->stop ? -1 : 0;
}

static void submit_streamed(struct http_client *c, const char *url,
                            struct streamed *st)
{
    struct http_request *req = http_request_new("GET", url);
    req->on_data = on_piece;
    assert_int_equal(http_submit(c, req, on_done, st), 0);
}

static void streamed_body_to_on_data(void **state)
{
    (void)state;
    struct server s;
    struct streamed st = {0};
    char url[128];
    server_start(&s, chunked_reply);
    url_of(&s, "/watch", url, sizeof(url));
    struct http_client *c = http_client_new();
    submit_streamed(c, url, &st);
    run_until_idle(c);
    assert_int_equal(st.r.calls, 1);
    assert_int_equal(st.r.status, 200);
    assert_false(st.r.failed);
    assert_string_equal(st.r.body, "");
    assert_int_equal(st.len, strlen("{\"a\":1}\n{\"b\":2}\n"));
    assert_memory_equal(st.data, "{\"a\":1}\n{\"b\":2}\n", st.len);
    http_client_free(c);
    server_stop(&s);
}

static void streamed_error_body_kept(void **state)
{
    (void)state;
    static const char gone[] =
        "HTTP/1.1 410 Gone\r\nContent-Length: 18\r\n\r\n"
        "{\"code\":410,\"x\":1}";
    struct server s;
    struct streamed st = {0};
    char url[128];
    server_start(&s, gone);
    url_of(&s, "/watch", url, sizeof(url));
    struct http_client *c = http_client_new();
    submit_streamed(c, url, &st);
    run_until_idle(c);
    assert_int_equal(st.r.calls, 1);
    assert_int_equal(st.r.status, 410);
    assert_string_equal(st.r.body, "{\"code\":410,\"x\":1}");
    assert_int_equal(st.pieces, 0);
    http_client_free(c);
    server_stop(&s);
}

static void streamed_receiver_stops(void **state)
{
    (void)state;
    struct server s;
    struct streamed st = { .stop = 1 };
    char url[128];
    server_start(&s, chunked_reply);
    url_of(&s, "/watch", url, sizeof(url));
    struct http_client *c = http_client_new();
    submit_streamed(c, url, &st);
    run_until_idle(c);
    assert_int_equal(st.r.calls, 1);
    assert_true(st.r.failed);
    assert_int_equal(st.pieces, 1);
    assert_string_equal(st.r.error, "stopped by the receiver");
    http_client_free(c);
    server_stop(&s);
}

static void timer_never_called(void *ctx, int cancelled)
{
    (void)ctx;
    (void)cancelled;
    fail_msg("a forgotten background timer ran");
}

static void background_not_pending_or_cancelled(void **state)
{
    (void)state;
    struct server s;
    struct result r = {0};
    char url[128];
    server_start(&s, NULL);     /* the reply never comes */
    url_of(&s, "/watch", url, sizeof(url));
    struct http_client *c = http_client_new();
    struct http_request *req = http_request_new("GET", url);
    req->background = 1;
    assert_int_equal(http_submit(c, req, on_done, &r), 0);
    assert_int_equal(http_schedule_background(c, 60000, timer_never_called,
                                              &r), 0);
    http_wait(c, NULL, NULL, 0, 50);
    assert_int_equal(http_pending(c), 0);
    http_cancel_all(c);
    assert_int_equal(r.calls, 0);
    assert_int_equal(http_forget(c, &r), 2);
    assert_int_equal(http_forget(c, &r), 0);
    http_wait(c, NULL, NULL, 0, 50);
    assert_int_equal(r.calls, 0);
    http_client_free(c);
    server_stop(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(response_and_headers),
        cmocka_unit_test(response_over_limit),
        cmocka_unit_test(callback_submits_and_reuses),
        cmocka_unit_test(caller_fd_reported),
        cmocka_unit_test(transfer_times_out),
        cmocka_unit_test(free_cancels_without_callbacks),
        cmocka_unit_test(streamed_body_to_on_data),
        cmocka_unit_test(streamed_error_body_kept),
        cmocka_unit_test(streamed_receiver_stops),
        cmocka_unit_test(background_not_pending_or_cancelled),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
