/*
 * The sandbox's HTTPS front: libmicrohttpd collects each request into a
 * struct sb_request, hands it to the Kubernetes or AWS handlers and sends
 * their struct sb_response. Each connection has a thread, so a watch
 * that waits for changes delays no other client. Handlers and streams
 * take the server's lock, so they run one at a time.
 */
#include "server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <pthread.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <microhttpd.h>

#include "cfn.h"
#include "controller.h"
#include "fault.h"
#include "oidc_issuer.h"

#define BODY_MAX        (8u << 20)  /* larger bodies get 413 */
#define PAIRS_MAX       512         /* headers or query parameters */
#define IDLE_TIMEOUT_S  60
#define K8S_PREFIX      "/k8s/"
#define STREAM_POLL_MS  100         /* how often a stream looks again */

struct sb_server {
    struct MHD_Daemon *daemon;
    struct world *world;
    unsigned port;
    pthread_mutex_t lock;       /* held by handlers and streams */
};

struct pairs {
    struct sigv4_pair items[PAIRS_MAX];
    size_t count;
};

/* Per-connection state between MHD's calls for one request. */
struct exchange {
    struct buf body;
    int too_large;
    struct pairs headers;
    struct pairs query;
};

const char *sb_header(const struct sb_request *req, const char *name)
{
    for (size_t i = 0; i < req->header_count; i++)
        if (strcasecmp(req->headers[i].name, name) == 0)
            return req->headers[i].value;
    return NULL;
}

const char *sb_query(const struct sb_request *req, const char *name)
{
    for (size_t i = 0; i < req->query_count; i++)
        if (strcmp(req->query[i].name, name) == 0)
            return req->query[i].value;
    return NULL;
}

void sb_add_header(struct sb_response *res, const char *name,
                   const char *value)
{
    size_t max = sizeof(res->headers) / sizeof(res->headers[0]);

    if (res->header_count < max) {
        res->headers[res->header_count].name = name;
        res->headers[res->header_count].value = value;
        res->header_count++;
    }
}

/* MHD iterator: collects name/value pairs; a key without '=' gets "". */
static enum MHD_Result collect(void *cls, enum MHD_ValueKind kind,
                               const char *key, const char *value)
{
    struct pairs *p = cls;

    (void)kind;
    if (p->count == PAIRS_MAX)
        return MHD_NO;
    p->items[p->count].name = key;
    p->items[p->count].value = value ? value : "";
    p->count++;
    return MHD_YES;
}

static void log_exchange(const char *method, const char *url, int status,
                         size_t bytes)
{
    /* The path only: presigned query strings carry signatures. */
    fprintf(stderr, "albatross-sandbox: %s %s %d %zu\n", method, url, status,
            bytes);
}

/* A body announced whole but cut after its first half: the connection
 * closes mid-body (fault injection). */
struct partial_body {
    char *data;
    size_t len;
};

static ssize_t read_partial(void *cls, uint64_t pos, char *out, size_t max)
{
    struct partial_body *p = cls;
    size_t half = p->len / 2;

    if (pos >= half)
        return MHD_CONTENT_READER_END_WITH_ERROR;
    size_t n = half - (size_t)pos < max ? half - (size_t)pos : max;
    memcpy(out, p->data + pos, n);
    return (ssize_t)n;
}

static void free_partial(void *cls)
{
    struct partial_body *p = cls;

    free(p->data);
    free(p);
}

static struct MHD_Response *make_response(char *data, size_t len,
                                          int close_mid_body)
{
    struct MHD_Response *reply;
    struct partial_body *p;

    if (!close_mid_body || len < 2)
        return MHD_create_response_from_buffer(len, data,
                                               MHD_RESPMEM_MUST_FREE);
    p = malloc(sizeof(*p));
    if (!p)
        return NULL;
    p->data = data;
    p->len = len;
    reply = MHD_create_response_from_callback(len, 4096, read_partial, p,
                                              free_partial);
    if (!reply)
        free(p);    /* the caller frees data */
    return reply;
}

/* A stream being sent: the bytes it wrote that MHD has not taken. */
struct streaming {
    struct sb_server *server;
    struct sb_stream *stream;
    struct buf pending;
    size_t sent;            /* of pending */
    int over;
};

static void stream_more(struct streaming *st)
{
    struct sb_server *s = st->server;

    buf_reset(&st->pending);
    st->sent = 0;
    pthread_mutex_lock(&s->lock);
    st->over = !st->stream->next(st->stream, s->world, &st->pending);
    pthread_mutex_unlock(&s->lock);
}

/* Copies what the stream has written into MHD's buffer. With nothing
 * yet it pauses and returns 0, so MHD calls again; the pause delays only
 * this connection's thread. */
static ssize_t read_stream(void *cls, uint64_t pos, char *out, size_t max)
{
    struct streaming *st = cls;
    struct timespec pause = { 0, STREAM_POLL_MS * 1000000L };

    (void)pos;
    if (st->sent == st->pending.len && !st->over)
        stream_more(st);
    if (st->sent == st->pending.len) {
        if (st->over)
            return MHD_CONTENT_READER_END_OF_STREAM;
        nanosleep(&pause, NULL);
        return 0;
    }
    size_t n = st->pending.len - st->sent < max ? st->pending.len - st->sent
                                                : max;
    memcpy(out, st->pending.data + st->sent, n);
    st->sent += n;
    return (ssize_t)n;
}

static void free_stream(void *cls)
{
    struct streaming *st = cls;

    st->stream->free(st->stream);
    buf_cleanup(&st->pending);
    free(st);
}

static struct MHD_Response *make_stream(struct sb_server *s,
                                        struct sb_stream *stream)
{
    struct streaming *st = calloc(1, sizeof(*st));
    struct MHD_Response *reply;

    if (!st) {
        stream->free(stream);
        return NULL;
    }
    st->server = s;
    st->stream = stream;
    buf_init(&st->pending, BUF_MAX_DEFAULT);
    reply = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 16384,
                                              read_stream, st, free_stream);
    if (!reply)
        free_stream(st);
    return reply;
}

static enum MHD_Result send_reply(struct sb_server *s,
                                  struct MHD_Connection *conn,
                                  const char *method, const char *url,
                                  struct sb_response *res)
{
    size_t len = res->body.len;
    char *data = buf_take(&res->body);
    struct MHD_Response *reply;
    enum MHD_Result rc;

    if (!data)
        return MHD_NO;
    if (res->stream) {
        free(data);
        data = NULL;
        reply = make_stream(s, res->stream);
    } else {
        reply = make_response(data, len, res->close_mid_body);
    }
    if (!reply) {
        free(data);
        return MHD_NO;
    }
    if (res->content_type)
        MHD_add_response_header(reply, MHD_HTTP_HEADER_CONTENT_TYPE,
                                res->content_type);
    for (size_t i = 0; i < res->header_count; i++)
        MHD_add_response_header(reply, res->headers[i].name,
                                res->headers[i].value);
    rc = MHD_queue_response(conn, (unsigned)res->status, reply);
    MHD_destroy_response(reply);
    log_exchange(method, url, res->status, len);
    return rc;
}

static enum MHD_Result send_too_large(struct sb_server *s,
                                      struct MHD_Connection *conn,
                                      const char *method, const char *url)
{
    struct sb_response res = { .status = MHD_HTTP_CONTENT_TOO_LARGE,
                               .content_type = "text/plain" };

    buf_init(&res.body, BUF_MAX_DEFAULT);
    buf_printf(&res.body, "request body larger than %u bytes\n", BODY_MAX);
    return send_reply(s, conn, method, url, &res);
}

static int declared_too_large(struct MHD_Connection *conn)
{
    const char *len = MHD_lookup_connection_value(
        conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);

    return len && strtoull(len, NULL, 10) > BODY_MAX;
}

static void dispatch(struct sb_server *s, struct sb_request *req,
                     struct sb_response *res)
{
    int service;

    res->status = MHD_HTTP_INTERNAL_SERVER_ERROR;
    buf_init(&res->body, BUF_MAX_DEFAULT);
    if (controller_tick(s->world) < 0)
        fprintf(stderr, "albatross-sandbox: out of memory while reconciling "
                "ingresses\n");
    cfn_tick(s->world);
    if (fault_before(s->world->faults, req, res, &service))
        return;
    if (strncmp(req->path, K8S_PREFIX, strlen(K8S_PREFIX)) == 0)
        k8s_serve(s->world, req, res);
    else if (strncmp(req->path, OIDC_ISSUER_PREFIX,
                     strlen(OIDC_ISSUER_PREFIX)) == 0)
        oidc_issuer_serve(s->world, req, res);
    else
        aws_serve(s->world, req, res);
    fault_after(s->world->faults, service, req, res);
}

static enum MHD_Result serve(struct sb_server *s, struct MHD_Connection *conn,
                             const char *url, const char *method,
                             struct exchange *ex)
{
    struct sb_response res = { .status = 0 };
    struct sb_request req = { .method = method, .path = url };

    ex->headers.count = ex->query.count = 0;
    MHD_get_connection_values(conn, MHD_HEADER_KIND, collect, &ex->headers);
    MHD_get_connection_values(conn, MHD_GET_ARGUMENT_KIND, collect,
                              &ex->query);
    if (buf_putc(&ex->body, '\0') < 0)
        return MHD_NO;
    ex->body.len--;
    req.headers = ex->headers.items;
    req.header_count = ex->headers.count;
    req.query = ex->query.items;
    req.query_count = ex->query.count;
    req.body = ex->body.data;
    req.body_len = ex->body.len;
    req.now = time(NULL);
    pthread_mutex_lock(&s->lock);
    dispatch(s, &req, &res);
    pthread_mutex_unlock(&s->lock);
    return send_reply(s, conn, method, url, &res);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn,
                                  const char *url, const char *method,
                                  const char *version,
                                  const char *upload_data,
                                  size_t *upload_data_size, void **con_cls)
{
    struct exchange *ex = *con_cls;

    (void)version;
    if (!ex) {
        if (declared_too_large(conn))
            return send_too_large(cls, conn, method, url);
        ex = calloc(1, sizeof(*ex));
        if (!ex)
            return MHD_NO;
        buf_init(&ex->body, BODY_MAX);
        *con_cls = ex;
        return MHD_YES;
    }
    if (*upload_data_size) {
        if (!ex->too_large &&
            buf_append(&ex->body, upload_data, *upload_data_size) < 0)
            ex->too_large = 1;
        *upload_data_size = 0;
        return MHD_YES;
    }
    if (ex->too_large)
        return send_too_large(cls, conn, method, url);
    return serve(cls, conn, url, method, ex);
}

static void on_completed(void *cls, struct MHD_Connection *conn,
                         void **con_cls,
                         enum MHD_RequestTerminationCode code)
{
    struct exchange *ex = *con_cls;

    (void)cls;
    (void)conn;
    (void)code;
    if (ex) {
        buf_wipe(&ex->body); /* bodies may carry secrets */
        free(ex);
        *con_cls = NULL;
    }
}

static void on_mhd_error(void *cls, const char *fmt, va_list ap)
{
    (void)cls;
    fputs("albatross-sandbox: ", stderr);
    vfprintf(stderr, fmt, ap);
}

/* Binds and listens on 127.0.0.1:port; returns the socket or -1. */
static int listen_loopback(unsigned *port, char *err, size_t errlen)
{
    struct sockaddr_in addr = { .sin_family = AF_INET };
    socklen_t len = sizeof(addr);
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int on = 1;

    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons((uint16_t)*port);
    if (fd < 0 ||
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) < 0 ||
        bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0 ||
        listen(fd, 64) < 0 ||
        getsockname(fd, (struct sockaddr *)&addr, &len) < 0) {
        snprintf(err, errlen, "cannot listen on 127.0.0.1:%u: %s%s", *port,
                 strerror(errno),
                 errno == EADDRINUSE ? " (choose another --port, or 0)" : "");
        if (fd >= 0)
            close(fd);
        return -1;
    }
    *port = ntohs(addr.sin_port);
    return fd;
}

static struct MHD_Daemon *start_daemon(struct sb_server *s, int fd,
                                       const char *cert_pem,
                                       const char *key_pem)
{
    unsigned flags = MHD_USE_TLS | MHD_USE_THREAD_PER_CONNECTION |
                     MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG;

    return MHD_start_daemon(
        flags, 0, NULL, NULL, on_request, s,
        MHD_OPTION_EXTERNAL_LOGGER, on_mhd_error, NULL, /* must be first */
        MHD_OPTION_LISTEN_SOCKET, fd,
        MHD_OPTION_HTTPS_MEM_KEY, key_pem,
        MHD_OPTION_HTTPS_MEM_CERT, cert_pem,
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL,
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)IDLE_TIMEOUT_S,
        MHD_OPTION_END);
}

struct sb_server *sb_server_start(struct world *w, unsigned port,
                                  const char *cert_pem, const char *key_pem,
                                  char *err, size_t errlen)
{
    struct sb_server *s = calloc(1, sizeof(*s));
    char base[64];
    int fd;

    if (!s) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    s->world = w;
    pthread_mutex_init(&s->lock, NULL);
    s->port = port;
    fd = listen_loopback(&s->port, err, errlen);
    if (fd < 0) {
        pthread_mutex_destroy(&s->lock);
        free(s);
        return NULL;
    }
    snprintf(base, sizeof(base), "https://127.0.0.1:%u", s->port);
    if (world_set_endpoints(w, base) < 0) {
        snprintf(err, errlen, "out of memory");
    } else if (!(s->daemon = start_daemon(s, fd, cert_pem, key_pem))) {
        snprintf(err, errlen, "libmicrohttpd could not start the HTTPS "
                 "server on 127.0.0.1:%u", s->port);
    } else {
        return s;
    }
    close(fd);
    pthread_mutex_destroy(&s->lock);
    free(s);
    return NULL;
}

int sb_server_read_world(struct sb_server *s,
                         int (*fn)(const struct world *w, void *ctx),
                         void *ctx)
{
    pthread_mutex_lock(&s->lock);
    int rc = fn(s->world, ctx);
    pthread_mutex_unlock(&s->lock);
    return rc;
}

unsigned sb_server_port(const struct sb_server *s)
{
    return s->port;
}

void sb_server_stop(struct sb_server *s)
{
    if (!s)
        return;
    MHD_stop_daemon(s->daemon); /* closes the listening socket too */
    pthread_mutex_destroy(&s->lock);
    free(s);
}
