/*
 * Scheduled callbacks, timeouts and cancellation on the HTTP client, an
 * AWS call cancelled in flight or while it waits to retry, and calls
 * that wait for a credential_process while the loop goes on. Loopback
 * sockets that accept nothing (or send one reply to everything) stand in
 * for a hung or failing server.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../../api/aws.h"
#include "../../api/http.h"
#include "../../api/proc.h"
#include "../../api/retry.h"

/* A listening socket. With a thread, it sends reply to every request;
 * without one, no connection is accepted and clients wait. */
struct server {
    int fd;
    int port;
    const char *reply;
    int requests;           /* replies sent so far */
    char last[8192];        /* the last request's head, for checks */
    pthread_t thread;
};

static void *reply_to_all(void *arg)
{
    struct server *s = arg;
    char request[8192];
    int fd;
    while ((fd = accept(s->fd, NULL, NULL)) >= 0) {
        ssize_t n;
        while ((n = read(fd, request, sizeof(request) - 1)) > 0) {
            request[n] = '\0';
            if (!strstr(request, "\r\n\r\n"))
                continue;
            memcpy(s->last, request, (size_t)n + 1);
            __atomic_add_fetch(&s->requests, 1, __ATOMIC_SEQ_CST);
            if (write(fd, s->reply, strlen(s->reply)) < 0)
                break;
        }
        close(fd);
    }
    return NULL;
}

static void server_start(struct server *s, const char *reply)
{
    memset(s, 0, sizeof(*s));
    s->reply = reply;
    s->fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(s->fd >= 0);
    struct sockaddr_in addr = {.sin_family = AF_INET};
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(bind(s->fd, (struct sockaddr *)&addr, sizeof(addr)), 0);
    assert_int_equal(listen(s->fd, 8), 0);
    socklen_t len = sizeof(addr);
    getsockname(s->fd, (struct sockaddr *)&addr, &len);
    s->port = ntohs(addr.sin_port);
    if (reply)
        pthread_create(&s->thread, NULL, reply_to_all, s);
}

static void server_stop(struct server *s)
{
    shutdown(s->fd, SHUT_RDWR);
    close(s->fd);
    if (s->reply)
        pthread_join(s->thread, NULL);
}

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- scheduled callbacks ---------------------------------------------- */

struct fired {
    int order[8];
    int count;
    int cancelled;
};

struct timer_arg {
    struct fired *fired;
    int id;
};

static void on_timer(void *ctx, int cancelled)
{
    struct timer_arg *a = ctx;
    a->fired->order[a->fired->count++] = a->id;
    a->fired->cancelled += cancelled;
}

static void timer_runs_after_delay(void **state)
{
    (void)state;
    struct http_client *c = http_client_new();
    struct fired f = {{0}, 0, 0};
    struct timer_arg a = {&f, 1};
    long long start = now_ms();
    assert_int_equal(http_schedule(c, 80, on_timer, &a), 0);
    assert_int_equal(http_pending(c), 1);
    while (http_pending(c) > 0)
        assert_int_equal(http_wait(c, NULL, NULL, 0, 5000), 0);
    long long took = now_ms() - start;
    assert_int_equal(f.count, 1);
    assert_int_equal(f.cancelled, 0);
    assert_true(took >= 80);
    assert_true(took < 1000);  /* the wait ended at the timer, not 5 s */
    http_client_free(c);
}

static void timers_run_in_due_order(void **state)
{
    (void)state;
    struct http_client *c = http_client_new();
    struct fired f = {{0}, 0, 0};
    struct timer_arg a[3] = {{&f, 60}, {&f, 20}, {&f, 40}};
    for (int i = 0; i < 3; i++)
        http_schedule(c, a[i].id, on_timer, &a[i]);
    while (http_pending(c) > 0)
        http_wait(c, NULL, NULL, 0, 1000);
    assert_int_equal(f.count, 3);
    assert_int_equal(f.order[0], 20);
    assert_int_equal(f.order[1], 40);
    assert_int_equal(f.order[2], 60);
    http_client_free(c);
}

/* ---- cancellation ------------------------------------------------------- */

struct outcome {
    int calls;
    int failed;
    int cancelled;
    int timed_out;
    char error[256];
    struct http_client *resubmit_on;    /* submit once more when set */
    const char *url;
};

static void on_done(const struct http_request *req, struct http_response *res,
                    void *ctx)
{
    struct outcome *o = ctx;
    (void)req;
    o->calls++;
    o->failed = res->failed;
    o->cancelled = res->cancelled;
    o->timed_out = res->timed_out;
    snprintf(o->error, sizeof(o->error), "%s", res->error);
    if (o->resubmit_on) {
        struct http_client *c = o->resubmit_on;
        o->resubmit_on = NULL;
        http_submit(c, http_request_new("GET", o->url), on_done, o);
    }
}

static void cancel_calls_each_once(void **state)
{
    (void)state;
    struct server s;
    server_start(&s, NULL);
    char url[96];
    snprintf(url, sizeof(url), "http://127.0.0.1:%d/", s.port);
    struct http_client *c = http_client_new();
    struct outcome o[2] = {{0}, {0}};
    struct fired f = {{0}, 0, 0};
    struct timer_arg a = {&f, 1};
    for (int i = 0; i < 2; i++)
        assert_int_equal(http_submit(c, http_request_new("GET", url),
                                     on_done, &o[i]), 0);
    http_schedule(c, 60000, on_timer, &a);
    http_wait(c, NULL, NULL, 0, 20);
    assert_int_equal(http_pending(c), 3);
    http_cancel_all(c);
    assert_int_equal(http_pending(c), 0);
    for (int i = 0; i < 2; i++) {
        assert_int_equal(o[i].calls, 1);
        assert_int_equal(o[i].failed, 1);
        assert_int_equal(o[i].cancelled, 1);
        assert_string_equal(o[i].error, "cancelled");
    }
    assert_int_equal(f.count, 1);
    assert_int_equal(f.cancelled, 1);
    /* Nothing runs twice afterwards, and the client still works. */
    http_wait(c, NULL, NULL, 0, 20);
    assert_int_equal(o[0].calls + o[1].calls + f.count, 3);
    http_cancel_all(c);
    assert_int_equal(o[0].calls + o[1].calls + f.count, 3);
    http_client_free(c);
    server_stop(&s);
}

static void cancel_reaches_resubmitted(void **state)
{
    (void)state;
    struct server s;
    server_start(&s, NULL);
    char url[96];
    snprintf(url, sizeof(url), "http://127.0.0.1:%d/", s.port);
    struct http_client *c = http_client_new();
    struct outcome o = {.resubmit_on = c, .url = url};
    http_submit(c, http_request_new("GET", url), on_done, &o);
    http_cancel_all(c);
    assert_int_equal(o.calls, 2);
    assert_int_equal(o.cancelled, 1);
    assert_int_equal(http_pending(c), 0);
    http_client_free(c);
    server_stop(&s);
}

/* ---- timeouts ----------------------------------------------------------- */

static void connect_timeout_names_host(void **state)
{
    (void)state;
    struct server s;
    server_start(&s, NULL);     /* TCP connects; TLS never replies */
    char url[96], expected[128];
    snprintf(url, sizeof(url), "https://127.0.0.1:%d/", s.port);
    struct http_client *c = http_client_new();
    http_client_set_timeouts(c, 200, 5000);
    struct outcome o = {0};
    http_submit(c, http_request_new("GET", url), on_done, &o);
    while (http_pending(c) > 0)
        http_wait(c, NULL, NULL, 0, 1000);
    assert_int_equal(o.calls, 1);
    assert_int_equal(o.timed_out, 1);
    snprintf(expected, sizeof(expected), "connecting to 127.0.0.1:%d (the "
             "limit is 200 ms; " HTTP_CONNECT_TIMEOUT_ENV " sets it)",
             s.port);
    assert_non_null(strstr(o.error, expected));
    assert_non_null(strstr(o.error, "timed out after "));
    http_client_free(c);
    server_stop(&s);
}

static void reply_timeout_names_host(void **state)
{
    (void)state;
    struct server s;
    server_start(&s, NULL);
    char url[96], expected[128];
    snprintf(url, sizeof(url), "http://127.0.0.1:%d/", s.port);
    struct http_client *c = http_client_new();
    http_client_set_timeouts(c, 5000, 200);
    struct outcome o = {0};
    http_submit(c, http_request_new("GET", url), on_done, &o);
    while (http_pending(c) > 0)
        http_wait(c, NULL, NULL, 0, 1000);
    assert_int_equal(o.timed_out, 1);
    snprintf(expected, sizeof(expected), "waiting for the reply of "
             "127.0.0.1:%d (the limit is 200 ms; " HTTP_TIMEOUT_ENV, s.port);
    assert_non_null(strstr(o.error, expected));
    http_client_free(c);
    server_stop(&s);
}

static void timeouts_from_environment(void **state)
{
    (void)state;
    struct http_client *c = http_client_new();
    char err[256];
    setenv(HTTP_TIMEOUT_ENV, "soon", 1);
    assert_int_equal(http_client_configure(c, err, sizeof(err)), -1);
    assert_string_equal(err, "invalid " HTTP_TIMEOUT_ENV " 'soon': use a "
                        "whole number of milliseconds from 1 to 3600000");
    setenv(HTTP_TIMEOUT_ENV, "0", 1);
    assert_int_equal(http_client_configure(c, err, sizeof(err)), -1);
    setenv(HTTP_TIMEOUT_ENV, "250", 1);
    setenv(HTTP_CONNECT_TIMEOUT_ENV, "-5", 1);
    assert_int_equal(http_client_configure(c, err, sizeof(err)), -1);
    assert_non_null(strstr(err, HTTP_CONNECT_TIMEOUT_ENV " '-5'"));
    setenv(HTTP_CONNECT_TIMEOUT_ENV, "100", 1);
    assert_int_equal(http_client_configure(c, err, sizeof(err)), 0);
    unsetenv(HTTP_TIMEOUT_ENV);
    unsetenv(HTTP_CONNECT_TIMEOUT_ENV);
    http_client_free(c);
}

/* ---- AWS calls ---------------------------------------------------------- */

struct aws_outcome {
    int calls;
    char code[96];
    char message[512];
};

static void on_aws(const struct buf *body, const struct api_error *err,
                   void *ctx)
{
    struct aws_outcome *o = ctx;
    (void)body;
    o->calls++;
    snprintf(o->code, sizeof(o->code), "%s", err ? err->code : "");
    snprintf(o->message, sizeof(o->message), "%s", err ? err->message : "");
}

static void aws_environment(int port, const char *attempts)
{
    char url[96];
    snprintf(url, sizeof(url), "http://127.0.0.1:%d", port);
    setenv("AWS_ENDPOINT_URL", url, 1);
    setenv("AWS_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE", 1);
    setenv("AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
           1);
    setenv("AWS_REGION", "us-east-2", 1);
    setenv("AWS_CONFIG_FILE", "/nonexistent/albatross-test", 1);
    setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/albatross-test", 1);
    setenv("AWS_EC2_METADATA_DISABLED", "true", 1);
    setenv("AWS_MAX_ATTEMPTS", attempts, 1);
}

static const struct aws_call list_roles = {
    .service = &aws_service_iam, .operation = "ListRoles",
};

static void aws_call_cancelled_in_flight(void **state)
{
    (void)state;
    struct server s;
    server_start(&s, NULL);
    aws_environment(s.port, "3");
    struct http_client *c = http_client_new();
    struct aws_session session;
    char err[512];
    assert_int_equal(aws_session_init(&session, c, NULL, err, sizeof(err)),
                     0);
    struct aws_outcome o = {0};
    assert_int_equal(aws_send(&session, &list_roles, on_aws, &o), 0);
    http_wait(c, NULL, NULL, 0, 20);
    http_cancel_all(c);
    assert_int_equal(o.calls, 1);
    assert_string_equal(o.code, "Cancelled");
    assert_int_equal(http_pending(c), 0);
    http_client_free(c);
    aws_session_cleanup(&session);
    server_stop(&s);
}

static void aws_retry_wait_cancelled(void **state)
{
    (void)state;
    struct server s;
    server_start(&s, "HTTP/1.1 503 Service Unavailable\r\n"
                 "Content-Length: 0\r\n\r\n");
    aws_environment(s.port, "3");
    setenv(RETRY_BASE_ENV, "60000", 1);
    struct http_client *c = http_client_new();
    struct aws_session session;
    char err[512];
    assert_int_equal(aws_session_init(&session, c, NULL, err, sizeof(err)),
                     0);
    assert_int_equal(session.max_attempts, 3);
    struct aws_outcome o = {0};
    aws_send(&session, &list_roles, on_aws, &o);
    for (int i = 0; i < 50 && o.calls == 0 && http_pending(c) > 0; i++)
        http_wait(c, NULL, NULL, 0, 10);
    /* The 503 came back; the call now waits for its retry (or, with a
     * jitter close to 0, has sent it). */
    assert_int_equal(o.calls, 0);
    assert_int_equal(http_pending(c), 1);
    http_cancel_all(c);
    assert_int_equal(o.calls, 1);
    assert_string_equal(o.code, "Cancelled");
    unsetenv(RETRY_BASE_ENV);
    http_client_free(c);
    aws_session_cleanup(&session);
    server_stop(&s);
}

/* Sends an EKS ListClusters to region and waits for it; returns how
 * many requests it took. */
static int list_clusters(struct aws_session *session, struct server *s,
                         const char *region, struct aws_outcome *o)
{
    const struct aws_call call = {
        .service = &aws_service_eks, .region = region,
        .operation = "ListClusters", .method = "GET", .path = "/clusters",
    };
    int before = __atomic_load_n(&s->requests, __ATOMIC_SEQ_CST);
    memset(o, 0, sizeof(*o));
    aws_send(session, &call, on_aws, o);
    while (o->calls == 0)
        http_wait(session->http, NULL, NULL, 0, 100);
    return __atomic_load_n(&s->requests, __ATOMIC_SEQ_CST) - before;
}

static void aws_retry_quota_per_region(void **state)
{
    (void)state;
    struct server s;
    server_start(&s, "HTTP/1.1 503 Service Unavailable\r\n"
                 "Content-Length: 0\r\n\r\n");
    aws_environment(s.port, "20");
    setenv(RETRY_BASE_ENV, "0", 1);
    struct http_client *c = http_client_new();
    struct aws_session session;
    char err[512];
    assert_int_equal(aws_session_init(&session, c, NULL, err, sizeof(err)),
                     0);
    struct aws_outcome o;
    /* 500 tokens pay for 100 retries at 5 each: five calls of 19 retries,
     * then 5 more, then none. */
    for (int i = 0; i < 5; i++)
        assert_int_equal(list_clusters(&session, &s, "us-west-2", &o), 20);
    assert_int_equal(list_clusters(&session, &s, "us-west-2", &o), 6);
    assert_string_equal(o.code, "503");
    assert_non_null(strstr(o.message, "(EKS ListClusters, gave up after 6 "
                           "attempts; the retry quota of eks in us-west-2 "
                           "is used up)"));
    assert_int_equal(list_clusters(&session, &s, "us-west-2", &o), 1);
    assert_non_null(strstr(o.message, "gave up after 1 attempt; the retry "
                           "quota"));
    /* Another region has its own quota. */
    assert_int_equal(list_clusters(&session, &s, "us-east-2", &o), 20);
    unsetenv(RETRY_BASE_ENV);
    http_client_free(c);
    aws_session_cleanup(&session);
    server_stop(&s);
}

static void aws_max_attempts_validated(void **state)
{
    (void)state;
    aws_environment(1, "0");
    struct http_client *c = http_client_new();
    struct aws_session session;
    char err[512];
    assert_int_equal(aws_session_init(&session, c, NULL, err, sizeof(err)),
                     -1);
    assert_string_equal(err, "invalid max attempts '0' in AWS_MAX_ATTEMPTS: "
                        "use a whole number from 1 (no retries) to 20");
    http_client_free(c);
}

/* ---- calls waiting for a credential_process --------------------------- */

/* Points the session at a credential_process that sleeps `seconds`
 * before it prints keys with the access key id AKIDPROCESS. */
static void slow_process_profile(int seconds)
{
    char script[96], config[96];
    snprintf(script, sizeof(script), "/tmp/albatross-slow-process-%ld.sh",
             (long)getpid());
    snprintf(config, sizeof(config), "/tmp/albatross-slow-process-%ld.ini",
             (long)getpid());
    FILE *f = fopen(script, "w");
    assert_non_null(f);
    fprintf(f, "#!/bin/sh\nsleep %d\necho '{\"Version\": 1, "
            "\"AccessKeyId\": \"AKIDPROCESS\", \"SecretAccessKey\": "
            "\"process-secret\"}'\n", seconds);
    fclose(f);
    assert_int_equal(chmod(script, 0700), 0);
    f = fopen(config, "w");
    assert_non_null(f);
    fprintf(f, "[default]\ncredential_process = %s\n", script);
    fclose(f);
    setenv("AWS_CONFIG_FILE", config, 1);
    unsetenv("AWS_ACCESS_KEY_ID");
    unsetenv("AWS_SECRET_ACCESS_KEY");
}

static void on_plain_reply(const struct http_request *req,
                           struct http_response *res, void *ctx)
{
    (void)req;
    *(long *)ctx = res->status;
}

static void credentials_wait_beside_requests(void **state)
{
    (void)state;
    struct server s;
    server_start(&s, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
    aws_environment(s.port, "1");
    slow_process_profile(1);
    struct http_client *c = http_client_new();
    struct aws_session session;
    char err[512], url[64];
    assert_int_equal(aws_session_init(&session, c, NULL, err, sizeof(err)),
                     0);
    long long start = now_ms();
    struct aws_outcome o = {0};
    assert_int_equal(aws_send(&session, &list_roles, on_aws, &o), 0);
    assert_int_equal(proc_running(), 1);

    /* While the process sleeps, a request, a timer and a readable fd (a
     * key press) are all handled. */
    long plain_status = 0;
    snprintf(url, sizeof(url), "http://127.0.0.1:%d/plain", s.port);
    assert_int_equal(http_submit(c, http_request_new("GET", url),
                                 on_plain_reply, &plain_status), 0);
    struct fired fired = {0};
    struct timer_arg timer = {&fired, 1};
    assert_int_equal(http_schedule(c, 50, on_timer, &timer), 0);
    int keys[2];
    assert_int_equal(pipe(keys), 0);
    assert_int_equal(write(keys[1], "j", 1), 1);
    int readable = 0;
    while ((plain_status == 0 || fired.count == 0) &&
           now_ms() - start < 900)
        http_wait(c, keys, &readable, 1, 100);
    assert_int_equal(readable, 1);
    assert_int_equal(plain_status, 200);
    assert_int_equal(fired.count, 1);
    assert_int_equal(o.calls, 0);
    assert_true(now_ms() - start < 900);
    close(keys[0]);
    close(keys[1]);

    /* Then the call goes out, signed with the process's keys. */
    while (o.calls == 0 && now_ms() - start < 10000)
        http_wait(c, NULL, NULL, 0, 100);
    assert_int_equal(o.calls, 1);
    assert_string_equal(o.code, "");
    assert_true(now_ms() - start >= 1000);
    assert_non_null(strstr(s.last, "Credential=AKIDPROCESS/"));
    assert_int_equal(proc_running(), 0);
    http_client_free(c);
    aws_session_cleanup(&session);
    server_stop(&s);
}

static void credentials_wait_cancelled(void **state)
{
    (void)state;
    struct server s;
    server_start(&s, NULL);
    aws_environment(s.port, "1");
    slow_process_profile(30);
    struct http_client *c = http_client_new();
    struct aws_session session;
    char err[512];
    assert_int_equal(aws_session_init(&session, c, NULL, err, sizeof(err)),
                     0);
    struct aws_outcome o = {0};
    assert_int_equal(aws_send(&session, &list_roles, on_aws, &o), 0);
    http_wait(c, NULL, NULL, 0, 20);
    http_cancel_all(c);
    assert_int_equal(o.calls, 1);
    assert_string_equal(o.code, "Cancelled");
    assert_non_null(strstr(o.message, "was cancelled"));
    assert_int_equal(http_pending(c), 0);
    /* The process was killed and reaped. */
    assert_int_equal(proc_running(), 0);
    errno = 0;
    assert_int_equal(waitpid(-1, NULL, WNOHANG), -1);
    assert_int_equal(errno, ECHILD);

    /* A cancellation is not a failure to remember: the next call starts
     * the process again, and freeing the client kills it. */
    assert_int_equal(aws_send(&session, &list_roles, on_aws, &o), 0);
    assert_int_equal(proc_running(), 1);
    http_client_free(c);
    assert_int_equal(proc_running(), 0);
    assert_int_equal(o.calls, 1);
    aws_session_cleanup(&session);
    server_stop(&s);
}

/* Credentials that expire within AWS_CREDS_ADVISORY_REFRESH are renewed
 * in the background: the call that notices goes out at once with the
 * current keys, and the next keys come from a second run. */
static void credentials_refreshed_ahead(void **state)
{
    (void)state;
    struct server s;
    server_start(&s, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
    aws_environment(s.port, "1");
    char script[96], config[96], runs[96];
    snprintf(script, sizeof(script), "/tmp/albatross-expiring-%ld.sh",
             (long)getpid());
    snprintf(config, sizeof(config), "/tmp/albatross-expiring-%ld.ini",
             (long)getpid());
    snprintf(runs, sizeof(runs), "/tmp/albatross-expiring-%ld.runs",
             (long)getpid());
    unlink(runs);
    FILE *f = fopen(script, "w");
    assert_non_null(f);
    /* Each run prints AKIDRUN<n>, valid for 10 minutes. */
    fprintf(f, "#!/bin/sh\necho run >> %s\nn=$(wc -l < %s)\n"
            "sleep 0.3\nprintf '{\"Version\": 1, \"AccessKeyId\": "
            "\"AKIDRUN%%d\", \"SecretAccessKey\": \"s\", "
            "\"Expiration\": \"%%s\"}' $n "
            "$(date -u -d '+600 seconds' +%%Y-%%m-%%dT%%H:%%M:%%SZ)\n",
            runs, runs);
    fclose(f);
    assert_int_equal(chmod(script, 0700), 0);
    f = fopen(config, "w");
    assert_non_null(f);
    fprintf(f, "[default]\ncredential_process = %s\n", script);
    fclose(f);
    setenv("AWS_CONFIG_FILE", config, 1);
    unsetenv("AWS_ACCESS_KEY_ID");
    unsetenv("AWS_SECRET_ACCESS_KEY");
    struct http_client *c = http_client_new();
    struct aws_session session;
    char err[512];
    assert_int_equal(aws_session_init(&session, c, NULL, err, sizeof(err)),
                     0);

    /* Without credentials the first call waits for the first run. */
    struct aws_outcome o = {0};
    aws_send(&session, &list_roles, on_aws, &o);
    while (o.calls == 0)
        http_wait(c, NULL, NULL, 0, 100);
    assert_string_equal(o.code, "");
    assert_string_equal(session.creds.access_key_id, "AKIDRUN1");
    assert_non_null(strstr(s.last, "Credential=AKIDRUN1/"));

    /* The next call is sent with them while a second run starts. */
    memset(&o, 0, sizeof(o));
    assert_int_equal(aws_send(&session, &list_roles, on_aws, &o), 0);
    assert_int_equal(proc_running(), 1);
    while (o.calls == 0)
        http_wait(c, NULL, NULL, 0, 100);
    assert_non_null(strstr(s.last, "Credential=AKIDRUN1/"));
    while (proc_running() > 0)
        http_wait(c, NULL, NULL, 0, 100);
    assert_string_equal(session.creds.access_key_id, "AKIDRUN2");

    /* Within AWS_CREDS_RETRY_AFTER no third run starts. */
    memset(&o, 0, sizeof(o));
    assert_int_equal(aws_send(&session, &list_roles, on_aws, &o), 0);
    assert_int_equal(proc_running(), 0);
    while (o.calls == 0)
        http_wait(c, NULL, NULL, 0, 100);
    assert_non_null(strstr(s.last, "Credential=AKIDRUN2/"));
    http_client_free(c);
    aws_session_cleanup(&session);
    server_stop(&s);
    unlink(script);
    unlink(config);
    unlink(runs);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(timer_runs_after_delay),
        cmocka_unit_test(timers_run_in_due_order),
        cmocka_unit_test(cancel_calls_each_once),
        cmocka_unit_test(cancel_reaches_resubmitted),
        cmocka_unit_test(connect_timeout_names_host),
        cmocka_unit_test(reply_timeout_names_host),
        cmocka_unit_test(timeouts_from_environment),
        cmocka_unit_test(aws_call_cancelled_in_flight),
        cmocka_unit_test(aws_retry_wait_cancelled),
        cmocka_unit_test(aws_retry_quota_per_region),
        cmocka_unit_test(aws_max_attempts_validated),
        cmocka_unit_test(credentials_wait_beside_requests),
        cmocka_unit_test(credentials_wait_cancelled),
        cmocka_unit_test(credentials_refreshed_ahead),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
