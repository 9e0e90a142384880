/*
 * Kubernetes writes of one object, on the client's HTTP transport, with
 * the read-only check, token renewal and retries of kube_write.h.
 */
#include "kube_write.h"

#include <stdio.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "buf.h"
#include "log.h"
#include "retry.h"

#define MEDIA_JSON        "application/json"
#define MEDIA_MERGE_PATCH "application/merge-patch+json"
#define MEDIA_APPLY_PATCH "application/apply-patch+yaml"

struct kube_write {
    struct kube_client *kc;
    char *method;
    char *path;                 /* with the query */
    char *content_type;         /* NULL: no body */
    char *body;
    int idempotent;             /* may be sent again after a 5xx */
    int attempts;
    int token_renewed;
    kube_write_fn done;
    void *ctx;
    struct kube_wait wait;      /* for the client's credential */
};

static void write_free(struct kube_write *wr)
{
    free(wr->method);
    free(wr->path);
    free(wr->content_type);
    free(wr->body);
    free(wr);
}

static void finish(struct kube_write *wr, const struct http_response *res,
                   const struct api_error *err)
{
    if (err)
        wr->done(NULL, 0, err, wr->ctx);
    else
        wr->done(res->body.data ? res->body.data : "", res->body.len, NULL,
                 wr->ctx);
    write_free(wr);
}

/* ---- names and paths ---------------------------------------------------- */

/* A DNS-1123 subdomain (object names) or label (namespaces), which keeps
 * the value out of the URL's syntax. */
static int valid_name(const char *s, int subdomain)
{
    size_t n = strlen(s);
    if (n == 0 || n > (subdomain ? 253u : 63u))
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        int alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
        if (!alnum && !(c == '-' && i > 0 && i + 1 < n) &&
            !(subdomain && c == '.' && i > 0 && i + 1 < n))
            return 0;
    }
    return 1;
}

/* A resource or prefix is a fixed string of the caller's, but a
 * malformed one must not reach the URL either. */
static int valid_path_part(const char *s)
{
    if (!s || !*s)
        return 0;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') ||
              *s == '.' || *s == '-' || *s == '/'))
            return 0;
    return 1;
}

int kube_write_path(const struct kube_object_ref *ref, const char *method,
                    int dry_run, const char *query, char *path,
                    size_t pathlen, struct api_error *err)
{
    if (!valid_path_part(ref->prefix) || !valid_path_part(ref->resource)) {
        api_error_set(err, "InvalidRequest", "invalid resource path %s/%s",
                      ref->prefix ? ref->prefix : "",
                      ref->resource ? ref->resource : "");
        return -1;
    }
    if (ref->namespace && !valid_name(ref->namespace, 0)) {
        api_error_set(err, "InvalidNamespace", "invalid namespace \"%.64s\":"
                      " use lowercase letters, digits and '-', at most 63",
                      ref->namespace);
        return -1;
    }
    if (ref->name && !valid_name(ref->name, 1)) {
        api_error_set(err, "InvalidName", "invalid name \"%.253s\": use "
                      "lowercase letters, digits, '-' and '.', at most 253",
                      ref->name);
        return -1;
    }
    struct buf b;
    char separator = '?';
    buf_init(&b, pathlen - 1);
    int rc = buf_puts(&b, ref->prefix);
    if (ref->namespace)
        rc |= buf_printf(&b, "/namespaces/%s", ref->namespace);
    rc |= buf_printf(&b, "/%s", ref->resource);
    if (ref->name)
        rc |= buf_printf(&b, "/%s", ref->name);
    /* DeleteOptions has no fieldManager, and a read changes nothing. */
    if (strcmp(method, "DELETE") != 0 && strcmp(method, "GET") != 0) {
        rc |= buf_printf(&b, "%cfieldManager=%s", separator,
                         KUBE_FIELD_MANAGER);
        separator = '&';
    }
    if (dry_run) {
        rc |= buf_printf(&b, "%cdryRun=All", separator);
        separator = '&';
    }
    if (query)
        rc |= buf_printf(&b, "%c%s", separator, query);
    if (rc) {
        buf_cleanup(&b);
        api_error_set(err, "InvalidRequest", "the request path is longer "
                      "than %zu bytes", pathlen - 1);
        return -1;
    }
    snprintf(path, pathlen, "%s", b.data);
    buf_cleanup(&b);
    return 0;
}

/* ---- sending ---------------------------------------------------------------- */

static void write_done(const struct http_request *req,
                       struct http_response *res, void *ctx);

static const char *cluster_name(const struct kube_client *kc)
{
    if (kc->ep.name)
        return kc->ep.name;
    return kc->ep.server ? kc->ep.server : "";
}

static int send_now(struct kube_write *wr, struct api_error *err);

/* Sends wr once the credential is ready, or fails it. */
static void resume_write(struct kube_wait *w, const struct api_error *err,
                         int recheck);

/* Sends wr, or parks it until the client's credential is ready.
 * Returns 0, or -1 with err. */
static int send_write(struct kube_write *wr, struct api_error *err)
{
    if (kube_check_method(wr->kc, wr->method, wr->path, err) < 0)
        return -1;
    wr->wait.kc = wr->kc;
    wr->wait.resume = resume_write;
    int ready = kube_prepare_request(&wr->wait, err);
    if (ready != 0)
        return ready < 0 ? -1 : 0;
    return send_now(wr, err);
}

static void resume_write(struct kube_wait *w, const struct api_error *err,
                         int recheck)
{
    struct kube_write *wr = (struct kube_write *)(void *)
                            ((char *)w - offsetof(struct kube_write, wait));
    struct api_error send_err;
    memset(&send_err, 0, sizeof(send_err));
    if (err)
        finish(wr, NULL, err);
    else if ((recheck ? send_write(wr, &send_err)
                      : send_now(wr, &send_err)) < 0)
        finish(wr, NULL, &send_err);
}

/* Sends wr with the client's current credential. */
static int send_now(struct kube_write *wr, struct api_error *err)
{
    struct kube_client *kc = wr->kc;
    char *url = kube_url(kc, wr->path);
    struct http_request *req = url ? kube_request_new(kc, wr->method, url)
                                   : NULL;
    free(url);
    int rc = req ? 0 : -1;
    if (req && wr->content_type)
        rc = http_request_header(req, "Content-Type", wr->content_type) |
             buf_puts(&req->body, wr->body);
    if (rc < 0 || http_submit(kc->http, req, write_done, wr) < 0) {
        if (rc < 0)
            http_request_free(req);
        api_error_set(err, "RequestFailed", "cannot send %s %s to %s",
                      wr->method, wr->path, cluster_name(kc));
        return -1;
    }
    wr->attempts++;
    log_msg(LOG_INFO, "kube %s: %s %s (attempt %d)", cluster_name(kc),
            wr->method, wr->path, wr->attempts);
    return 0;
}

static void on_retry_timer(void *ctx, int cancelled)
{
    struct kube_write *wr = ctx;
    struct api_error err;
    memset(&err, 0, sizeof(err));
    if (cancelled) {
        api_error_set(&err, "Cancelled", "%s %s was cancelled while it "
                      "waited to retry", wr->method, wr->path);
        finish(wr, NULL, &err);
    } else if (send_write(wr, &err) < 0) {
        finish(wr, NULL, &err);
    }
}

/* Schedules the write again when the failure allows it (see
 * kube_write.h). Returns 0 when it did. */
static int retry_write(struct kube_write *wr, const struct http_response *res,
                       const struct api_error *err)
{
    const struct kube_client *kc = wr->kc;
    int max = kc->aws && kc->aws->max_attempts ? kc->aws->max_attempts
                                               : RETRY_DEFAULT_MAX_ATTEMPTS;
    enum retry_class cls = retry_classify(res->status, NULL,
                                          res->failed && !res->cancelled,
                                          res->timed_out);
    if (cls == RETRY_NONE || wr->attempts >= max ||
        (!wr->idempotent && res->status != 429))
        return -1;
    long delay = retry_after_ms(http_response_header(res, "Retry-After"),
                                time(NULL));
    if (delay < 0) {
        struct retry_backoff backoff;
        retry_backoff_init(&backoff);
        delay = retry_delay_ms(&backoff, wr->attempts);
    }
    if (delay > RETRY_MAX_BACKOFF_MS)
        delay = RETRY_MAX_BACKOFF_MS;
    log_msg(LOG_WARN, "kube %s %s %s: attempt %d of %d failed: %s (HTTP "
            "%ld); retrying in %ld ms", cluster_name(kc), wr->method,
            wr->path, wr->attempts, max, err->code, res->status, delay);
    return http_schedule(kc->http, delay, on_retry_timer, wr);
}

static void write_failed(struct kube_write *wr, struct http_response *res)
{
    struct api_error err;
    struct api_error ignored;
    int renew = res->status == 401 && !wr->token_renewed &&
                kube_token_renewable(wr->kc);
    kube_reply_error(wr->kc, res, &err);
    if (renew) {
        /* The rejected token is dropped; the next send makes a new one
         * and is not counted as a retry. */
        wr->token_renewed = 1;
        wr->attempts--;
        memset(&ignored, 0, sizeof(ignored));
        log_msg(LOG_WARN, "kube %s: the server rejected the token (401); "
                "making a new one and sending %s %s again",
                cluster_name(wr->kc), wr->method, wr->path);
        if (send_write(wr, &ignored) == 0)
            return;
    }
    if (retry_write(wr, res, &err) == 0)
        return;
    /* A DELETE whose earlier attempt's reply was lost may find the
     * object gone: that attempt deleted it. */
    if (res->status == 404 && wr->attempts > 1 &&
        !strcmp(wr->method, "DELETE")) {
        log_msg(LOG_INFO, "kube %s: DELETE %s: 404 after a retry, taken as "
                "deleted", cluster_name(wr->kc), wr->path);
        finish(wr, res, NULL);
        return;
    }
    log_msg(LOG_WARN, "kube %s: %s %s failed: %s: %s", cluster_name(wr->kc),
            wr->method, wr->path, err.code, err.message);
    finish(wr, NULL, &err);
}

static void write_done(const struct http_request *req,
                       struct http_response *res, void *ctx)
{
    struct kube_write *wr = ctx;
    (void)req;
    if (res->failed || res->status < 200 || res->status > 299)
        write_failed(wr, res);
    else
        finish(wr, res, NULL);
}

/* ---- the calls ------------------------------------------------------------ */

static int submit(struct kube_client *kc, const char *method,
                  const char *path, const char *content_type,
                  const char *body, kube_write_fn done, void *ctx)
{
    struct api_error err;
    memset(&err, 0, sizeof(err));
    struct kube_write *wr = calloc(1, sizeof(*wr));
    if (wr) {
        wr->kc = kc;
        wr->method = strdup(method);
        wr->path = strdup(path);
        if (content_type) {
            wr->content_type = strdup(content_type);
            wr->body = strdup(body ? body : "");
        }
        wr->idempotent = strcmp(method, "POST") != 0;
        wr->done = done;
        wr->ctx = ctx;
    }
    if (!wr || !wr->method || !wr->path ||
        (content_type && (!wr->content_type || !wr->body))) {
        api_error_set(&err, "OutOfMemory", "out of memory");
        if (wr)
            write_free(wr);
        done(NULL, 0, &err, ctx);
        return -1;
    }
    if (send_write(wr, &err) < 0) {
        finish(wr, NULL, &err);
        return -1;
    }
    return 0;
}

static int start_write(struct kube_client *kc,
                       const struct kube_object_ref *ref, const char *method,
                       const char *content_type, const char *body,
                       const char *query, int dry_run, kube_write_fn done,
                       void *ctx)
{
    struct api_error err;
    char path[1024];
    memset(&err, 0, sizeof(err));
    if (kube_write_path(ref, method, dry_run, query, path, sizeof(path),
                        &err) < 0) {
        done(NULL, 0, &err, ctx);
        return -1;
    }
    return submit(kc, method, path, content_type, body, done, ctx);
}

int kube_send(struct kube_client *kc, const struct kube_write_request *rq,
              kube_write_fn done, void *ctx)
{
    return submit(kc, rq->method, rq->path, rq->content_type, rq->body, done,
                  ctx);
}

int kube_create(struct kube_client *kc, const struct kube_object_ref *ref,
                const char *body, int dry_run, kube_write_fn done, void *ctx)
{
    struct kube_object_ref collection = *ref;
    collection.name = NULL;
    return start_write(kc, &collection, "POST", MEDIA_JSON, body ? body : "",
                       NULL, dry_run, done, ctx);
}

int kube_replace(struct kube_client *kc, const struct kube_object_ref *ref,
                 const char *body, int dry_run, kube_write_fn done, void *ctx)
{
    return start_write(kc, ref, "PUT", MEDIA_JSON, body ? body : "", NULL,
                       dry_run, done, ctx);
}

int kube_merge_patch(struct kube_client *kc,
                     const struct kube_object_ref *ref, const char *body,
                     int dry_run, kube_write_fn done, void *ctx)
{
    return start_write(kc, ref, "PATCH", MEDIA_MERGE_PATCH,
                       body ? body : "", NULL, dry_run, done, ctx);
}

int kube_apply(struct kube_client *kc, const struct kube_object_ref *ref,
               const char *body, int force, int dry_run, kube_write_fn done,
               void *ctx)
{
    return start_write(kc, ref, "PATCH", MEDIA_APPLY_PATCH, body ? body : "",
                       force ? "force=true" : NULL, dry_run, done, ctx);
}

int kube_get(struct kube_client *kc, const struct kube_object_ref *ref,
             const char *query, kube_write_fn done, void *ctx)
{
    return start_write(kc, ref, "GET", NULL, NULL, query, 0, done, ctx);
}

int kube_delete(struct kube_client *kc, const struct kube_object_ref *ref,
                int dry_run, kube_write_fn done, void *ctx)
{
    return start_write(kc, ref, "DELETE", NULL, NULL, NULL, dry_run, done,
                       ctx);
}

/* ---- service accounts ------------------------------------------------------ */

void kube_write_request_cleanup(struct kube_write_request *rq)
{
    free(rq->body);
    memset(rq, 0, sizeof(*rq));
}

static int request_path(struct kube_write_request *rq, const char *method,
                        const char *ns, const char *name,
                        struct api_error *err)
{
    struct kube_object_ref ref = { "/api/v1", ns, "serviceaccounts", name };
    snprintf(rq->method, sizeof(rq->method), "%s", method);
    return kube_write_path(&ref, method, 0, NULL, rq->path,
                           sizeof(rq->path), err);
}

/* Adds the annotations to metadata; a NULL value becomes null, which a
 * merge patch reads as "remove". */
static void add_annotations(cJSON *meta, const struct kube_annotation *a,
                            size_t n)
{
    if (!n)
        return;
    cJSON *map = cJSON_AddObjectToObject(meta, "annotations");
    for (size_t i = 0; i < n; i++) {
        if (a[i].value)
            cJSON_AddStringToObject(map, a[i].key, a[i].value);
        else
            cJSON_AddNullToObject(map, a[i].key);
    }
}

static int take_body(struct kube_write_request *rq, cJSON *doc,
                     struct api_error *err)
{
    rq->body = cJSON_PrintUnformatted(doc);
    cJSON_Delete(doc);
    if (!rq->body) {
        api_error_set(err, "OutOfMemory", "out of memory");
        return -1;
    }
    return 0;
}

int kube_sa_annotate_request(const char *ns, const char *name,
                             const struct kube_annotation *a, size_t n,
                             struct kube_write_request *rq,
                             struct api_error *err)
{
    memset(rq, 0, sizeof(*rq));
    if (request_path(rq, "PATCH", ns, name, err) < 0)
        return -1;
    rq->content_type = MEDIA_MERGE_PATCH;
    cJSON *doc = cJSON_CreateObject();
    add_annotations(cJSON_AddObjectToObject(doc, "metadata"), a, n);
    return take_body(rq, doc, err);
}

int kube_sa_create_request(const char *ns, const char *name,
                           const struct kube_annotation *a, size_t n,
                           struct kube_write_request *rq,
                           struct api_error *err)
{
    memset(rq, 0, sizeof(*rq));
    if (!name) {
        api_error_set(err, "InvalidName", "a service account needs a name");
        return -1;
    }
    /* The first call checks the name; the create goes to the list. */
    if (request_path(rq, "POST", ns, name, err) < 0 ||
        request_path(rq, "POST", ns, NULL, err) < 0)
        return -1;
    rq->content_type = MEDIA_JSON;
    cJSON *doc = cJSON_CreateObject();
    cJSON_AddStringToObject(doc, "apiVersion", "v1");
    cJSON_AddStringToObject(doc, "kind", "ServiceAccount");
    cJSON *meta = cJSON_AddObjectToObject(doc, "metadata");
    cJSON_AddStringToObject(meta, "name", name);
    cJSON_AddStringToObject(meta, "namespace", ns);
    add_annotations(meta, a, n);
    return take_body(rq, doc, err);
}

int kube_sa_delete_request(const char *ns, const char *name,
                           struct kube_write_request *rq,
                           struct api_error *err)
{
    memset(rq, 0, sizeof(*rq));
    return request_path(rq, "DELETE", ns, name, err);
}
