#include "imds.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "http.h"
#include "log.h"
#include "strutil.h"

#define CREDENTIALS_PATH "/latest/meta-data/iam/security-credentials/"

enum imds_step { IMDS_TOKEN, IMDS_ROLE, IMDS_CREDENTIALS };

struct imds {
    struct http_client *http;
    enum imds_step step;
    char *endpoint;         /* no trailing slash */
    char *token;            /* IMDSv2 session token; wiped */
    char *none_found;
    creds_done_fn done;
    void *ctx;
};

static void imds_free(struct imds *m)
{
    free(m->endpoint);
    str_wipe_free(m->token);
    free(m->none_found);
    free(m);
}

static void on_reply(const struct http_request *req,
                     struct http_response *res, void *ctx);

/* Sends the request of the current step for path below the endpoint;
 * returns 0 or -1. */
static int send_step(struct imds *m, const char *method, const char *path)
{
    struct buf url;
    buf_init(&url, 0);
    struct http_request *req = NULL;
    if (buf_printf(&url, "%s%s", m->endpoint, path) == 0)
        req = http_request_new(method, url.data);
    buf_cleanup(&url);
    if (!req)
        return -1;
    req->connect_timeout_ms = IMDS_TIMEOUT_MS / 2;
    req->timeout_ms = IMDS_TIMEOUT_MS;
    req->max_response = IMDS_REPLY_MAX;
    int rc = m->token ? http_request_header(req, "X-aws-ec2-metadata-token",
                                            m->token)
                      : http_request_header(req, "X-aws-ec2-metadata-token-"
                                            "ttl-seconds", "21600");
    if (rc < 0) {
        http_request_free(req);
        return -1;
    }
    return http_submit(m->http, req, on_reply, m);
}

static void finish(struct imds *m, enum creds_end end,
                   struct aws_credentials *creds, const char *error)
{
    m->done(m->ctx, end, creds, error);
    imds_free(m);
}

/* Moves to the next step with the reply's text; returns 0 when the next
 * request was sent. */
static int next_step(struct imds *m, struct buf *body)
{
    if (m->step == IMDS_TOKEN) {
        m->token = buf_take(body);
        m->step = IMDS_ROLE;
        return m->token ? send_step(m, "GET", CREDENTIALS_PATH) : -1;
    }
    body->data[strcspn(body->data, "\r\n")] = '\0';
    struct buf path;
    buf_init(&path, 0);
    int rc = buf_printf(&path, CREDENTIALS_PATH "%s", body->data);
    m->step = IMDS_CREDENTIALS;
    if (rc == 0)
        rc = send_step(m, "GET", path.data);
    buf_cleanup(&path);
    return rc;
}

static void on_reply(const struct http_request *req,
                     struct http_response *res, void *ctx)
{
    struct imds *m = ctx;
    (void)req;
    if (res->cancelled) {
        finish(m, CREDS_CANCELLED, NULL, "reading instance metadata was "
               "cancelled");
        return;
    }
    if (res->failed || res->status != 200 || res->body.len == 0) {
        log_msg(LOG_DEBUG, "imds: step %d returned nothing (HTTP %ld%s%s)",
                (int)m->step, res->status, res->failed ? ", " : "",
                res->failed ? res->error : "");
        finish(m, CREDS_FAILED, NULL, m->none_found);
        return;
    }
    if (m->step != IMDS_CREDENTIALS) {
        if (next_step(m, &res->body) < 0)
            finish(m, CREDS_FAILED, NULL, "out of memory reading instance "
                   "metadata");
        return;
    }
    struct aws_credentials creds;
    char err[512];
    memset(&creds, 0, sizeof(creds));
    if (creds_parse_metadata(res->body.data, res->body.len, &creds, err,
                             sizeof(err)) < 0) {
        finish(m, CREDS_FAILED, NULL, err);
        return;
    }
    finish(m, CREDS_DONE, &creds, NULL);
    aws_credentials_free(&creds);
}

int imds_start(struct http_client *c, const char *none_found,
               creds_done_fn done, void *ctx)
{
    const char *endpoint = getenv(IMDS_ENDPOINT_ENV);
    struct imds *m = calloc(1, sizeof(*m));
    if (!m)
        return -1;
    m->http = c;
    m->step = IMDS_TOKEN;
    m->endpoint = strdup(endpoint && *endpoint ? endpoint : IMDS_ENDPOINT);
    m->none_found = strdup(none_found);
    m->done = done;
    m->ctx = ctx;
    if (!m->endpoint || !m->none_found) {
        imds_free(m);
        return -1;
    }
    size_t n = strlen(m->endpoint);
    while (n > 0 && m->endpoint[n - 1] == '/')
        m->endpoint[--n] = '\0';
    if (send_step(m, "PUT", "/latest/api/token") < 0) {
        imds_free(m);
        return -1;
    }
    return 0;
}
