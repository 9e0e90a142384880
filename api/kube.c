/*
 * Kubernetes API client. A list is a small state machine on the shared
 * HTTP client: each page's callback parses the page and submits the next
 * one with the continue token, until the server sends none.
 *
 * Credentials, in kubectl's order: a static token, else an exec plugin
 * (run again when its expirationTimestamp passes) or a native EKS token
 * (made again EKS_TOKEN_REFRESH seconds after it was made); a client
 * certificate is sent whenever one is configured.
 */
#include "kube.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base64.h"
#include "eks_token.h"
#include "exec.h"
#include "log.h"
#include "retry.h"
#include "strutil.h"

#define EXEC_EXPIRY_MARGIN 30   /* seconds before expiry to rerun plugins */
#define MAX_PAGES 100000

void kube_endpoint_cleanup(struct kube_endpoint *ep)
{
    free(ep->name);
    free(ep->server);
    free(ep->ca_pem);
    free(ep->cert_pem);
    str_wipe_free(ep->key_pem);
    str_wipe_free(ep->token);
    strv_free(ep->exec_argv);
    strv_free(ep->exec_env);
    free(ep->exec_api_version);
    free(ep->eks_cluster);
    free(ep->eks_region);
    free(ep->eks_profile);
    free(ep->namespace);
    memset(ep, 0, sizeof(*ep));
}

int kube_endpoint_from_eks(struct kube_endpoint *ep, const char *name,
                           const char *region, const char *endpoint,
                           const char *ca_base64)
{
    memset(ep, 0, sizeof(*ep));
    if (!name || !region || !endpoint || !*endpoint)
        return -1;
    struct buf ca;
    buf_init(&ca, 1u << 20);
    if (ca_base64 && base64_decode(ca_base64, strlen(ca_base64), &ca) < 0) {
        buf_cleanup(&ca);
        return -1;
    }
    ep->ca_pem = ca_base64 ? buf_take(&ca) : NULL;
    ep->name = strdup(name);
    ep->server = strdup(endpoint);
    ep->eks_cluster = strdup(name);
    ep->eks_region = strdup(region);
    if ((ca_base64 && !ep->ca_pem) || !ep->name || !ep->server ||
        !ep->eks_cluster || !ep->eks_region) {
        kube_endpoint_cleanup(ep);
        return -1;
    }
    return 0;
}

/* ---- the client and its token ------------------------------------------ */

/* One list in flight: its pages, retries and callback. */
struct kube_op {
    struct kube_client *kc;
    struct kube_op *next;        /* in kc->ops */
    char *path;                  /* "/api/v1/serviceaccounts" */
    char *continue_token;
    size_t bytes;                /* reply bytes of all pages so far */
    struct kube_sa_list *sa;     /* exactly one of sa, ingresses and */
    struct kube_ingress_list *ingresses;   /* raw_list */
    kube_sa_fn sa_done;
    kube_ingress_fn ingress_done;
    void *ctx;
    /* kube_list(): the caller's list, its page parser and callback */
    void *raw_list;
    kube_page_fn raw_parse;
    kube_list_fn raw_done;
    char *field_selector;
    size_t raw_pages;
    int attempts;                /* sent for the current page */
    int token_renewed;           /* a 401 made a new token once */
    struct kube_wait wait;       /* for the client's credential */
};

static void op_free(struct kube_op *op);
static struct kube_op *op_next(struct kube_op *op);

void kube_client_init(struct kube_client *kc, struct http_client *http,
                      struct aws_session *aws, struct kube_endpoint *ep)
{
    memset(kc, 0, sizeof(*kc));
    kc->http = http;
    kc->aws = aws;
    kc->readonly = aws ? aws->readonly : 0;
    kc->ep = *ep;
    memset(ep, 0, sizeof(*ep));
}

int kube_check_method(const struct kube_client *kc, const char *method,
                      const char *path, struct api_error *err)
{
    if (!kc->readonly || !strcmp(method, "GET") || !strcmp(method, "HEAD"))
        return 0;
    api_error_set(err, "ReadOnly", "%s %s would change cluster %s and the "
                  "session is read-only (--readonly); run without "
                  "--readonly to allow it", method, path,
                  kc->ep.name ? kc->ep.name : kc->ep.server);
    log_msg(LOG_WARN, "kube: rejected %s %s: read-only session", method,
            path);
    return -1;
}

static void on_credentials(void *ctx, const char *error, int cancelled);

void kube_wait_forget(struct kube_wait *w)
{
    struct kube_client *kc = w->kc;
    if (!kc)
        return;     /* never waited */
    aws_session_forget_waiter(kc->aws, on_credentials, w);
    aws_session_forget_waiter(kc->own_aws, on_credentials, w);
    for (struct kube_wait **p = (struct kube_wait **)&kc->plugin_waits; *p;
         p = &(*p)->next)
        if (*p == w) {
            *p = w->next;
            break;
        }
    w->next = NULL;
}

void kube_client_cleanup(struct kube_client *kc)
{
    struct kube_op *op = kc->ops;
    while (op) {
        struct kube_op *next = op_next(op);
        kube_wait_forget(&op->wait);
        op_free(op);
        op = next;
    }
    exec_kill(kc->exec);
    if (kc->own_aws) {
        aws_session_cleanup(kc->own_aws);
        free(kc->own_aws);
    }
    str_wipe_free(kc->token);
    kube_endpoint_cleanup(&kc->ep);
    memset(kc, 0, sizeof(*kc));
}

static int set_token(struct kube_client *kc, char *token, time_t expiry)
{
    str_wipe_free(kc->token);
    kc->token = token;
    kc->token_expiry = expiry;
    kc->have_credential = 1;
    return 0;
}

/* Forgets a token the server rejected, so the next list makes a new one. */
static void drop_token(struct kube_client *kc)
{
    if (!kc->ep.eks_cluster && !kc->ep.exec_argv)
        return;     /* a static token cannot be remade */
    set_token(kc, NULL, 0);
    kc->have_credential = 0;
}

/* The session for EKS tokens: the caller's, unless the kubeconfig names
 * another profile or there is none. */
static struct aws_session *eks_session(struct kube_client *kc,
                                       struct api_error *err)
{
    const char *profile = kc->ep.eks_profile;
    if (kc->aws && (!profile || !strcmp(profile, kc->aws->profile)))
        return kc->aws;
    if (kc->own_aws)
        return kc->own_aws;

    struct aws_session_options opt = { profile, kc->ep.eks_region, 1 };
    char why[512];
    kc->own_aws = calloc(1, sizeof(*kc->own_aws));
    if (kc->own_aws &&
        aws_session_init(kc->own_aws, kc->http, &opt, why, sizeof(why)) == 0)
        return kc->own_aws;
    free(kc->own_aws);
    kc->own_aws = NULL;
    api_error_set(err, "CredentialError", "cannot make an EKS token for %s: "
                  "%s", kc->ep.name, why);
    return NULL;
}

/* Resumes a request that waited for the session's credentials; it
 * checks the credential again, which now makes the EKS token. */
static void on_credentials(void *ctx, const char *error, int cancelled)
{
    struct kube_wait *w = ctx;
    struct api_error err;
    memset(&err, 0, sizeof(err));
    if (error)
        api_error_set(&err, cancelled ? "Cancelled" : "CredentialError",
                      "cannot make an EKS token for %s: %s",
                      w->kc->ep.name, error);
    w->resume(w, error ? &err : NULL, 1);
}

/* Makes an EKS token for w's client. Returns 0, 1 when w waits for the
 * session's credentials (on_credentials resumes it), or -1 with err. */
static int make_eks_token(struct kube_wait *w, time_t now,
                          struct api_error *err)
{
    struct kube_client *kc = w->kc;
    struct aws_session *s = eks_session(kc, err);
    if (!s)
        return -1;
    const char *region = kc->ep.eks_region ? kc->ep.eks_region : s->region;
    if (!region) {
        api_error_set(err, "CredentialError", "cannot make an EKS token for "
                      "%s: no region; set AWS_REGION or pass --region",
                      kc->ep.name);
        return -1;
    }
    int ready = aws_session_credentials(s, on_credentials, w);
    if (ready < 0) {
        api_error_set(err, "CredentialError", "cannot make an EKS token for "
                      "%s: %s", kc->ep.name, s->creds_error);
        return -1;
    }
    if (ready > 0)
        return 1;
    struct sigv4_credentials creds = {
        s->creds.access_key_id, s->creds.secret_access_key,
        s->creds.session_token,
    };
    char *sts = aws_endpoint(s, &aws_service_sts, region);
    struct buf token;
    buf_init(&token, 0);
    /* Signed on the session's clock, corrected for skew when AWS has
     * reported one. */
    int rc = sts ? eks_token_make(&creds, region, sts, kc->ep.eks_cluster,
                                  aws_session_time(s), &token) : -1;
    if (rc < 0) {
        api_error_set(err, "CredentialError", "cannot make an EKS token for "
                      "%s with STS endpoint %s", kc->ep.name,
                      sts ? sts : "(none)");
        buf_wipe(&token);
        free(sts);
        return -1;
    }
    free(sts);
    return set_token(kc, buf_take(&token), now + EKS_TOKEN_REFRESH);
}

/* Keeps what an exec plugin returned as the client's credential. */
static void take_exec_credential(struct kube_client *kc,
                                 struct exec_credential *cred)
{
    if (cred->cert_pem) {
        free(kc->ep.cert_pem);
        str_wipe_free(kc->ep.key_pem);
        kc->ep.cert_pem = cred->cert_pem;
        kc->ep.key_pem = cred->key_pem;
        cred->cert_pem = cred->key_pem = NULL;
    }
    time_t expiry = cred->expiry;
    char *token = cred->token && *cred->token ? cred->token : NULL;
    if (token)
        cred->token = NULL;
    /* Without an expirationTimestamp the credential is kept until the
     * server rejects it, as kubectl keeps it. */
    set_token(kc, token, expiry ? expiry - EXEC_EXPIRY_MARGIN : 0);
}

/* Resumes the requests that waited for the plugin: each is sent with
 * the new credential, or fails with the plugin's error. It goes out even
 * with a credential that has expired already, so a plugin that returns
 * stale tokens is not started again and again. */
static void on_plugin_done(void *ctx, enum exec_end end,
                           struct exec_credential *cred, const char *error)
{
    struct kube_client *kc = ctx;
    kc->exec = NULL;
    if (end == EXEC_CLOSING)
        return;     /* the waiters are freed with the client */
    if (end == EXEC_DONE)
        take_exec_credential(kc, cred);
    struct kube_wait *w;
    while ((w = kc->plugin_waits)) {
        struct api_error err;
        memset(&err, 0, sizeof(err));
        kc->plugin_waits = w->next;
        w->next = NULL;
        if (end != EXEC_DONE)
            api_error_set(&err, end == EXEC_CANCELLED ? "Cancelled"
                                                      : "CredentialError",
                          "%s", error);
        w->resume(w, end == EXEC_DONE ? NULL : &err, 0);
    }
}

/* Starts the exec plugin unless it runs already; w waits for it.
 * Returns 1, or -1 with err when the plugin could not start. */
static int run_exec_plugin(struct kube_wait *w, struct api_error *err)
{
    struct kube_client *kc = w->kc;
    char why[512];
    if (!kc->exec)
        kc->exec = exec_start(kc->http, kc->ep.exec_api_version,
                              kc->ep.exec_argv, kc->ep.exec_env,
                              EXEC_TIMEOUT_MS, on_plugin_done, kc, why,
                              sizeof(why));
    if (!kc->exec) {
        api_error_set(err, "CredentialError", "%s", why);
        return -1;
    }
    w->next = kc->plugin_waits;
    kc->plugin_waits = w;
    return 1;
}

/* Makes sure the client's token is current for w's next request.
 * Returns 0, 1 when w waits for credentials, or -1 with err. */
static int refresh_token(struct kube_wait *w, struct api_error *err)
{
    struct kube_client *kc = w->kc;
    time_t now = time(NULL);
    if (kc->have_credential && (!kc->token_expiry || now < kc->token_expiry))
        return 0;
    if (kc->ep.token) {
        char *copy = strdup(kc->ep.token);
        if (!copy) {
            api_error_set(err, "OutOfMemory", "out of memory");
            return -1;
        }
        return set_token(kc, copy, 0);
    }
    if (kc->ep.eks_cluster)
        return make_eks_token(w, now, err);
    if (kc->ep.exec_argv)
        return run_exec_plugin(w, err);
    return 0;   /* a client certificate alone, or anonymous */
}

/* ---- errors ------------------------------------------------------------- */

static const char *reason_of(long status)
{
    switch (status) {
    case 400: return "BadRequest";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "NotFound";
    case 410: return "Expired";
    case 429: return "TooManyRequests";
    case 503: return "ServiceUnavailable";
    case 504: return "Timeout";
    default: return status >= 500 ? "InternalError" : "HTTPError";
    }
}

/* The first line of a body that is not a Status, printable bytes only. */
static void body_excerpt(char *out, size_t outlen, const char *body,
                         size_t len)
{
    size_t j = 0;
    for (size_t i = 0; i < len && j + 1 < outlen && j < 200; i++) {
        unsigned char c = (unsigned char)body[i];
        if (c == '\n' || c == '\r')
            break;
        out[j++] = c >= 0x20 && c != 0x7f ? (char)c : '?';
    }
    out[j] = '\0';
}

void kube_error_from_reply(struct api_error *err, long status,
                           const char *body, size_t len)
{
    memset(err, 0, sizeof(*err));
    err->http_status = status;
    cJSON *root = body ? cJSON_ParseWithLength(body, len) : NULL;
    const cJSON *status_object = cJSON_IsObject(root) ? root : NULL;
    const char *reason = cJSON_GetStringValue(
        cJSON_GetObjectItemCaseSensitive(status_object, "reason"));
    const char *message = cJSON_GetStringValue(
        cJSON_GetObjectItemCaseSensitive(status_object, "message"));
    char excerpt[256];

    snprintf(err->code, sizeof(err->code), "%s",
             reason && *reason ? reason : reason_of(status));
    if (message && *message)
        snprintf(err->message, sizeof(err->message), "%s", message);
    else {
        body_excerpt(excerpt, sizeof(excerpt), body ? body : "", len);
        snprintf(err->message, sizeof(err->message), "HTTP status %ld%s%s",
                 status, *excerpt ? ": " : "", excerpt);
    }
    cJSON_Delete(root);
}

/* The profile whose credentials sign ep's EKS tokens. */
static const char *eks_profile_name(const struct kube_client *kc)
{
    if (kc->ep.eks_profile)
        return kc->ep.eks_profile;
    if (kc->aws && kc->aws->profile)
        return kc->aws->profile;
    return "default";
}

/*
 * What to check when the server rejects the credentials (401). The
 * credential is named by where it came from, not by kc->token, which a
 * failed renewal may have dropped already.
 */
static void explain_unauthorized(const struct kube_client *kc,
                                 struct api_error *err)
{
    char said[256], what[224], hint[320];
    const struct kube_endpoint *ep = &kc->ep;
    const char *cluster = ep->name ? ep->name : "cluster";
    snprintf(said, sizeof(said), "%s", err->message);
    if (ep->token) {
        snprintf(what, sizeof(what), "the bearer token given in the "
                 "kubeconfig user or on the command line");
        snprintf(hint, sizeof(hint), "check that token: it may have "
                 "expired or been revoked");
    } else if (ep->eks_cluster) {
        const struct aws_session *s = kc->own_aws ? kc->own_aws : kc->aws;
        snprintf(what, sizeof(what), "the bearer token made from the AWS "
                 "credentials of profile %s (source: %s)",
                 eks_profile_name(kc),
                 s && s->creds.source[0] ? s->creds.source : "unknown");
        snprintf(hint, sizeof(hint), "check those credentials (a wrong "
                 "secret key or an expired session), that the clock is "
                 "right, and that the identity has an access entry or "
                 "aws-auth mapping in cluster %s", ep->eks_cluster);
    } else if (ep->exec_argv) {
        snprintf(what, sizeof(what), "the bearer token from exec plugin %s",
                 ep->exec_argv[0]);
        snprintf(hint, sizeof(hint), "run the plugin by hand and check its "
                 "credentials, the clock, and the identity's access to the "
                 "cluster");
    } else if (ep->cert_pem) {
        snprintf(what, sizeof(what), "the client certificate");
        snprintf(hint, sizeof(hint), "check that the client certificate "
                 "is signed by the cluster's CA and has not expired");
    } else {
        snprintf(what, sizeof(what), "the anonymous request");
        snprintf(hint, sizeof(hint), "the kubeconfig user has no "
                 "credentials; add a token, certificate or exec plugin");
    }
    snprintf(err->message, sizeof(err->message), "%s rejected %s for %s "
             "(%s: %s); %s", ep->server, what, cluster, err->code, said,
             hint);
}

static void transport_error(const struct kube_client *kc,
                            const struct http_response *res,
                            struct api_error *err)
{
    memset(err, 0, sizeof(*err));
    /* libcurl names the certificate in every TLS verification failure
     * ("SSL certificate problem: ...", "SSL: certificate subject name
     * ... does not match"). */
    if (!res->cancelled && !res->timed_out &&
        strstr(res->error, "certificate")) {
        api_error_set(err, "CertificateError", "the Kubernetes API server "
                      "%s of %s failed TLS verification: %s; set the "
                      "cluster's certificate-authority-data in the "
                      "kubeconfig to the CA that signed its certificate",
                      kc->ep.server, kc->ep.name ? kc->ep.name : "cluster",
                      res->error);
        return;
    }
    api_error_set(err, res->cancelled ? "Cancelled" :
                  res->timed_out ? "Timeout" : "ConnectionError",
                  "cannot reach the Kubernetes API "
                  "server %s of %s: %s", kc->ep.server,
                  kc->ep.name ? kc->ep.name : "cluster", res->error);
}

/* ---- lists -------------------------------------------------------------- */

static struct kube_op *op_next(struct kube_op *op)
{
    return op->next;
}

static void op_free(struct kube_op *op)
{
    kube_sa_list_free(op->sa);
    kube_ingress_list_free(op->ingresses);
    free(op->field_selector);
    free(op->path);
    free(op->continue_token);
    free(op);
}

static void op_unlink(struct kube_op *op)
{
    struct kube_op **p = (struct kube_op **)&op->kc->ops;
    while (*p && *p != op)
        p = &(*p)->next;
    if (*p)
        *p = op->next;
}

/* Calls the list's callback once, with the list or with err, and frees
 * the operation. */
static void op_finish(struct kube_op *op, const struct api_error *err)
{
    op_unlink(op);
    if (op->raw_done) {
        op->raw_done(op->raw_list, err, op->ctx);
    } else if (op->sa_done) {
        struct kube_sa_list *l = err ? NULL : op->sa;
        if (l)
            op->sa = NULL;
        op->sa_done(l, err, op->ctx);
    } else {
        struct kube_ingress_list *l = err ? NULL : op->ingresses;
        if (l)
            op->ingresses = NULL;
        op->ingress_done(l, err, op->ctx);
    }
    op_free(op);
}

static int url_encode(struct buf *b, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        int plain = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                    (c >= '0' && c <= '9') || strchr("-._~", c);
        int rc = plain ? buf_putc(b, (char)c) :
                 buf_printf(b, "%%%c%c", hex[c >> 4], hex[c & 15]);
        if (rc < 0)
            return -1;
    }
    return 0;
}

int kube_url_encode(struct buf *b, const char *s)
{
    return url_encode(b, s);
}

/* The page's path and query string. */
static char *page_url(const struct kube_op *op)
{
    const struct kube_client *kc = op->kc;
    struct buf b;
    buf_init(&b, 0);
    int rc = buf_printf(&b, "%s?limit=%zu", op->path,
                        kc->page_limit ? kc->page_limit : KUBE_PAGE_LIMIT);
    if (op->continue_token)
        rc |= buf_puts(&b, "&continue=") | url_encode(&b, op->continue_token);
    if (op->field_selector)
        rc |= buf_puts(&b, "&fieldSelector=") |
              url_encode(&b, op->field_selector);
    if (rc) {
        buf_cleanup(&b);
        return NULL;
    }
    return buf_take(&b);
}

/* A GET of path_query on kc's server with its CA and credentials. */
static struct http_request *new_get(const struct kube_client *kc,
                                    const char *path_query)
{
    char *url = kube_url(kc, path_query);
    struct http_request *req = url ? kube_request_new(kc, "GET", url) : NULL;
    free(url);
    return req;
}

struct http_request *kube_request_new(const struct kube_client *kc,
                                      const char *method, const char *url)
{
    struct http_request *req = http_request_new(method, url);
    if (!req)
        return NULL;
    req->max_response = KUBE_MAX_PAGE_BYTES;
    req->insecure_skip_verify = kc->ep.insecure_skip_verify;
    if (http_request_header(req, "Accept", "application/json") < 0 ||
        (kc->ep.ca_pem && http_request_set(&req->ca_pem, kc->ep.ca_pem)) ||
        (kc->ep.cert_pem &&
         http_request_set(&req->cert_pem, kc->ep.cert_pem)) ||
        (kc->ep.key_pem && http_request_set(&req->key_pem, kc->ep.key_pem)) ||
        (kc->token && http_request_set(&req->bearer_token, kc->token))) {
        http_request_free(req);
        return NULL;
    }
    return req;
}

static struct http_request *page_request(const struct kube_op *op)
{
    char *path_query = page_url(op);
    struct http_request *req = path_query ? new_get(op->kc, path_query)
                                          : NULL;
    free(path_query);
    return req;
}

static void page_done(const struct http_request *req,
                      struct http_response *res, void *ctx);

/* Credentials go only over https, as in kubectl: a client with any is
 * refused before a token is even made. */
static int check_scheme(const struct kube_client *kc, struct api_error *err)
{
    const struct kube_endpoint *ep = &kc->ep;
    if (!ep->token && !ep->cert_pem && !ep->exec_argv && !ep->eks_cluster)
        return 0;
    if (ep->server && !strncasecmp(ep->server, "https://", 8))
        return 0;
    api_error_set(err, "InsecureServer", "server URL %s of %s is not https; "
                  "albatross sends credentials only over https",
                  ep->server ? ep->server : "(none)",
                  ep->name ? ep->name : "the cluster");
    return -1;
}

int kube_prepare_request(struct kube_wait *w, struct api_error *err)
{
    return check_scheme(w->kc, err) < 0 ? -1 : refresh_token(w, err);
}

struct http_request *kube_get_request(struct kube_client *kc,
                                      const char *path_query,
                                      struct api_error *err)
{
    if (kube_check_method(kc, "GET", path_query, err) < 0)
        return NULL;
    struct http_request *req = new_get(kc, path_query);
    if (!req)
        api_error_set(err, "OutOfMemory", "out of memory");
    return req;
}

int kube_renew_token(struct kube_client *kc)
{
    if (!kube_token_renewable(kc))
        return -1;
    drop_token(kc);
    return 0;
}

void kube_reply_error(struct kube_client *kc, const struct http_response *res,
                      struct api_error *err)
{
    if (res->failed)
        transport_error(kc, res, err);
    else
        kube_error_from_reply(err, res->status, res->body.data,
                              res->body.len);
    if (res->status == 401) {
        explain_unauthorized(kc, err);
        drop_token(kc);
    }
}

int kube_token_renewable(const struct kube_client *kc)
{
    return !kc->ep.token && (kc->ep.eks_cluster || kc->ep.exec_argv);
}

char *kube_url(const struct kube_client *kc, const char *path_and_query)
{
    const char *server = kc->ep.server ? kc->ep.server : "";
    size_t n = strlen(server);
    while (n > 0 && server[n - 1] == '/')
        n--;
    struct buf b;
    buf_init(&b, 0);
    if (buf_append(&b, server, n) < 0 || buf_puts(&b, path_and_query) < 0) {
        buf_cleanup(&b);
        return NULL;
    }
    return buf_take(&b);
}

size_t kube_forget(struct kube_client *kc, const void *ctx)
{
    size_t n = 0;
    struct kube_op **link = (struct kube_op **)&kc->ops;
    while (*link) {
        struct kube_op *op = *link;
        if (op->ctx != ctx) {
            link = &op->next;
            continue;
        }
        *link = op->next;
        http_forget(kc->http, op);
        kube_wait_forget(&op->wait);
        op_free(op);
        n++;
    }
    return n;
}

static int valid_namespace(const char *ns);

int kube_valid_namespace(const char *ns)
{
    return valid_namespace(ns);
}

static int send_page(struct kube_op *op, struct api_error *err);

/* Sends op's next page, or parks op until credentials are ready.
 * Returns 0, or -1 with err. */
static int submit_page(struct kube_op *op, struct api_error *err)
{
    int ready = kube_prepare_request(&op->wait, err);
    if (ready != 0)
        return ready < 0 ? -1 : 0;
    return send_page(op, err);
}

/* Sends op's next page with the client's current credential. */
static int send_page(struct kube_op *op, struct api_error *err)
{
    struct http_request *req = page_request(op);
    if (req && kube_check_method(op->kc, req->method, op->path, err) < 0) {
        http_request_free(req);
        return -1;
    }
    if (!req || http_submit(op->kc->http, req, page_done, op) < 0) {
        api_error_set(err, "RequestFailed", "cannot send a request to %s",
                      op->kc->ep.server);
        return -1;
    }
    op->attempts++;
    return 0;
}

static int parse_page(struct kube_op *op, const struct buf *body,
                      char **next, struct api_error *err)
{
    const char *json = body->data ? body->data : "";
    op->bytes += body->len;
    if (op->raw_parse) {
        op->raw_pages++;
        return op->raw_parse(json, body->len, op->raw_list, next, err);
    }
    if (op->sa) {
        op->sa->pages++;
        return kube_parse_sa_page(json, body->len, op->sa, next, err);
    }
    op->ingresses->pages++;
    return kube_parse_ingress_page(json, body->len, op->ingresses, next,
                                   err);
}

/* Stores the next continue token. Rejects a server that repeats one or
 * sends pages without end. */
static int advance(struct kube_op *op, char *next, struct api_error *err)
{
    size_t pages = op->raw_parse ? op->raw_pages
                   : op->sa ? op->sa->pages : op->ingresses->pages;
    int repeated = op->continue_token && !strcmp(op->continue_token, next);
    free(op->continue_token);
    op->continue_token = next;
    if (repeated || pages >= MAX_PAGES || op->bytes > KUBE_MAX_LIST_BYTES) {
        api_error_set(err, "InvalidReply", "%s sent %s after %zu pages; "
                      "the list was stopped", op->kc->ep.server,
                      repeated ? "the same continue token twice" :
                      "more than the list limit", pages);
        return -1;
    }
    return 0;
}

/* After a 401, a token the client makes (exec plugin or EKS) may have
 * expired early or been revoked: make a new one and resend, once per
 * list. Returns 0 when the page was resent. */
static int renew_token(struct kube_op *op)
{
    struct kube_client *kc = op->kc;
    struct api_error err;
    memset(&err, 0, sizeof(err));
    if (op->token_renewed || kc->ep.token ||
        (!kc->ep.eks_cluster && !kc->ep.exec_argv))
        return -1;
    op->token_renewed = 1;
    drop_token(kc);
    log_msg(LOG_WARN, "kube %s: the server rejected the token (401); "
            "making a new one and sending GET %s again",
            kc->ep.name ? kc->ep.name : kc->ep.server, op->path);
    op->attempts--;     /* the resend is not a retry */
    return submit_page(op, &err);
}

static void on_page_timer(void *ctx, int cancelled)
{
    struct kube_op *op = ctx;
    struct api_error err;
    memset(&err, 0, sizeof(err));
    if (cancelled) {
        api_error_set(&err, "Cancelled", "listing %s of %s was cancelled "
                      "while it waited to retry", op->path,
                      op->kc->ep.name ? op->kc->ep.name : op->kc->ep.server);
        op_finish(op, &err);
    } else if (submit_page(op, &err) < 0) {
        op_finish(op, &err);
    }
}

/* The wait before the next attempt: the server's Retry-After when it
 * sent one (at most RETRY_MAX_BACKOFF_MS), else the jittered backoff. */
static long retry_delay(const struct kube_op *op,
                        const struct http_response *res)
{
    long after = retry_after_ms(http_response_header(res, "Retry-After"),
                                time(NULL));
    if (after >= 0)
        return after < RETRY_MAX_BACKOFF_MS ? after : RETRY_MAX_BACKOFF_MS;
    struct retry_backoff backoff;
    retry_backoff_init(&backoff);
    return retry_delay_ms(&backoff, op->attempts);
}

/* Schedules the page again after a 429, a 5xx or a transport failure,
 * while attempts are left (the AWS session's max_attempts). Returns 0
 * when it did. */
static int retry_page(struct kube_op *op, const struct http_response *res,
                      const struct api_error *err)
{
    const struct kube_client *kc = op->kc;
    int max = kc->aws && kc->aws->max_attempts ? kc->aws->max_attempts
                                               : RETRY_DEFAULT_MAX_ATTEMPTS;
    enum retry_class cls = retry_classify(res->status, NULL,
                                          res->failed && !res->cancelled,
                                          res->timed_out);
    if (cls == RETRY_NONE || op->attempts >= max)
        return -1;
    long delay = retry_delay(op, res);
    log_msg(LOG_WARN, "kube %s GET %s: attempt %d of %d failed: %s (HTTP "
            "%ld); retrying in %ld ms", kc->ep.name ? kc->ep.name : "",
            op->path, op->attempts, max, err->code, res->status, delay);
    return http_schedule(kc->http, delay, on_page_timer, op);
}

static void page_failed(struct kube_op *op, const struct http_response *res)
{
    struct api_error err;
    if (res->failed)
        transport_error(op->kc, res, &err);
    else
        kube_error_from_reply(&err, res->status, res->body.data,
                              res->body.len);
    if (res->status == 401 && renew_token(op) == 0)
        return;
    if (res->status == 401) {
        explain_unauthorized(op->kc, &err);
        drop_token(op->kc);
    }
    if (retry_page(op, res, &err) == 0)
        return;
    size_t used = strlen(err.message);
    if (op->attempts > 1 && used + 40 < sizeof(err.message))
        snprintf(err.message + used, sizeof(err.message) - used,
                 " (gave up after %d attempts)", op->attempts);
    op_finish(op, &err);
}

/* Each page gets the full number of attempts. */
static int next_page(struct kube_op *op, struct api_error *err)
{
    op->attempts = 0;
    return submit_page(op, err);
}

static void page_done(const struct http_request *req,
                      struct http_response *res, void *ctx)
{
    struct kube_op *op = ctx;
    struct api_error err;
    char *next = NULL;
    (void)req;

    memset(&err, 0, sizeof(err));
    if (res->failed || res->status != 200) {
        page_failed(op, res);
    } else if (parse_page(op, &res->body, &next, &err) < 0) {
        op_finish(op, &err);
    } else if (!next) {
        op_finish(op, NULL);
    } else if (advance(op, next, &err) < 0 || next_page(op, &err) < 0) {
        op_finish(op, &err);
    }
}

/* Namespaces are DNS labels: this keeps a name out of the URL's syntax. */
static int valid_namespace(const char *ns)
{
    size_t n = strlen(ns);
    if (n == 0 || n > 63)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!((ns[i] >= 'a' && ns[i] <= 'z') ||
              (ns[i] >= '0' && ns[i] <= '9') || ns[i] == '-'))
            return 0;
    return 1;
}

/* Sends op's page once the credential is ready, or fails op. */
static void resume_op(struct kube_wait *w, const struct api_error *err,
                      int recheck)
{
    struct kube_op *op = (struct kube_op *)(void *)
                         ((char *)w - offsetof(struct kube_op, wait));
    struct api_error send_err;
    memset(&send_err, 0, sizeof(send_err));
    if (err)
        op_finish(op, err);
    else if ((recheck ? submit_page(op, &send_err)
                      : send_page(op, &send_err)) < 0)
        op_finish(op, &send_err);
}

static int start_list(struct kube_op *op, struct kube_client *kc,
                      const char *prefix, const char *namespace,
                      const char *resource)
{
    struct api_error err;
    struct buf path;
    memset(&err, 0, sizeof(err));
    op->kc = kc;
    op->wait.kc = kc;
    op->wait.resume = resume_op;
    op->next = kc->ops;
    kc->ops = op;
    buf_init(&path, 0);
    if (namespace && !valid_namespace(namespace)) {
        api_error_set(&err, "InvalidNamespace", "invalid namespace \"%.64s\":"
                      " use lowercase letters, digits and '-'", namespace);
        op_finish(op, &err);
        return -1;
    }
    int rc = namespace ?
             buf_printf(&path, "%s/namespaces/%s/%s", prefix, namespace,
                        resource) :
             buf_printf(&path, "%s/%s", prefix, resource);
    op->path = rc == 0 ? buf_take(&path) : NULL;
    if (!op->path)
        api_error_set(&err, "OutOfMemory", "out of memory");
    if (!op->path || submit_page(op, &err) < 0) {
        op_finish(op, &err);
        return -1;
    }
    return 0;
}

int kube_list_service_accounts(struct kube_client *kc, const char *namespace,
                               kube_sa_fn done, void *ctx)
{
    struct kube_op *op = calloc(1, sizeof(*op));
    struct kube_sa_list *l = calloc(1, sizeof(*l));
    if (!op || !l) {
        struct api_error err;
        memset(&err, 0, sizeof(err));
        api_error_set(&err, "OutOfMemory", "out of memory");
        free(op);
        free(l);
        done(NULL, &err, ctx);
        return -1;
    }
    op->sa = l;
    op->sa_done = done;
    op->ctx = ctx;
    return start_list(op, kc, "/api/v1", namespace, "serviceaccounts");
}

int kube_list_ingresses(struct kube_client *kc, const char *namespace,
                        kube_ingress_fn done, void *ctx)
{
    struct kube_op *op = calloc(1, sizeof(*op));
    struct kube_ingress_list *l = calloc(1, sizeof(*l));
    if (!op || !l) {
        struct api_error err;
        memset(&err, 0, sizeof(err));
        api_error_set(&err, "OutOfMemory", "out of memory");
        free(op);
        free(l);
        done(NULL, &err, ctx);
        return -1;
    }
    op->ingresses = l;
    op->ingress_done = done;
    op->ctx = ctx;
    return start_list(op, kc, "/apis/networking.k8s.io/v1", namespace,
                      "ingresses");
}

int kube_list(struct kube_client *kc, const char *prefix,
              const char *namespace, const char *resource,
              const char *field_selector, kube_page_fn parse, void *list,
              kube_list_fn done, void *ctx)
{
    struct kube_op *op = calloc(1, sizeof(*op));
    char *selector = field_selector ? strdup(field_selector) : NULL;
    if (!op || (field_selector && !selector)) {
        struct api_error err;
        memset(&err, 0, sizeof(err));
        api_error_set(&err, "OutOfMemory", "out of memory");
        free(op);
        free(selector);
        done(list, &err, ctx);
        return -1;
    }
    op->raw_list = list;
    op->raw_parse = parse;
    op->raw_done = done;
    op->field_selector = selector;
    op->ctx = ctx;
    return start_list(op, kc, prefix, namespace, resource);
}
