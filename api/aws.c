/*
 * AWS sessions: profile, region, CA and endpoint resolution, request
 * building in the four protocols, SigV4 signing and error replies.
 *
 * Calls are retried as the SDKs' standard retry mode does (see retry.h):
 * each attempt is signed again, the delay waits on the event loop, and a
 * clock skew or expired credentials are fixed once and the call resent.
 *
 * Limits: endpoints are those of the aws partition only (no
 * amazonaws.com.cn or GovCloud defaults).
 */
#include "aws.h"

#include <cjson/cJSON.h>
#include <ctype.h>
#include <curl/curl.h>
#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "aws_internal.h"
#include "awsconfig.h"
#include "awsxml.h"
#include "log.h"
#include "retry.h"
#include "strutil.h"

#define CA_BUNDLE_MAX (4u << 20)
#define CLOCK_SKEW_MIN 60       /* seconds; smaller differences are ignored */

const struct aws_service aws_service_sts = {
    .signing_name = "sts", .service_id = "STS",
    .api_version = "2011-06-15", .protocol = AWS_PROTOCOL_QUERY,
};
const struct aws_service aws_service_eks = {
    .signing_name = "eks", .service_id = "EKS",
    .api_version = "2017-11-01", .protocol = AWS_PROTOCOL_REST_JSON,
};
const struct aws_service aws_service_iam = {
    .signing_name = "iam", .service_id = "IAM",
    .api_version = "2010-05-08", .protocol = AWS_PROTOCOL_QUERY,
    .global = 1,
};
const struct aws_service aws_service_cloudformation = {
    .signing_name = "cloudformation", .service_id = "CloudFormation",
    .api_version = "2010-05-15", .protocol = AWS_PROTOCOL_QUERY,
};
const struct aws_service aws_service_ec2 = {
    .signing_name = "ec2", .service_id = "EC2",
    .api_version = "2016-11-15", .protocol = AWS_PROTOCOL_EC2,
};
const struct aws_service aws_service_elbv2 = {
    .signing_name = "elasticloadbalancing",
    .service_id = "Elastic Load Balancing v2",
    .api_version = "2015-12-01", .protocol = AWS_PROTOCOL_QUERY,
};
const struct aws_service aws_service_acm = {
    .signing_name = "acm", .service_id = "ACM",
    .api_version = "2015-12-08", .protocol = AWS_PROTOCOL_JSON,
    .json_target = "CertificateManager",
};
const struct aws_service aws_service_wafv2 = {
    .signing_name = "wafv2", .service_id = "WAFV2",
    .api_version = "2019-07-29", .protocol = AWS_PROTOCOL_JSON,
    .json_target = "AWSWAF_20190729",
};

static const char *env(const char *name)
{
    const char *v = getenv(name);
    return v && *v ? v : NULL;
}

static struct session_priv *priv(const struct aws_session *s)
{
    return s->priv;
}

const struct awsconfig_section *aws_config_profile(const struct
                                                   aws_session *s)
{
    return awsconfig_section(&priv(s)->config, "profile", s->profile);
}

const struct awsconfig_section *aws_credentials_profile(const struct
                                                        aws_session *s)
{
    return awsconfig_section(&priv(s)->credentials, "profile", s->profile);
}

static const struct awsconfig_entry *entry(const struct awsconfig_section *sec,
                                           const char *key)
{
    for (size_t i = 0; sec && i < sec->entry_count; i++)
        if (strcasecmp(sec->entries[i].key, key) == 0)
            return &sec->entries[i];
    return NULL;
}

/* ---- session setup ---- */

static char *home_path(const char *rest)
{
    const char *home = env("HOME");
    char pwbuf[4096];
    if (!home) {
        /* The reentrant form: an apply may run on a worker thread. */
        struct passwd pwd, *pw = NULL;
        getpwuid_r(getuid(), &pwd, pwbuf, sizeof(pwbuf), &pw);
        home = pw ? pw->pw_dir : "/";
    }
    struct buf b;
    buf_init(&b, 0);
    if (buf_printf(&b, "%s/%s", home, rest) < 0)
        return NULL;
    return buf_take(&b);
}

/* The file named by var (with a leading ~/ expanded), or ~/fallback. */
static char *file_path(const char *var, const char *fallback)
{
    const char *v = env(var);
    if (!v)
        return home_path(fallback);
    if (strncmp(v, "~/", 2) == 0)
        return home_path(v + 2);
    return strdup(v);
}

static int load_files(struct aws_session *s, char *err, size_t errlen)
{
    struct session_priv *p = priv(s);
    char *config = file_path("AWS_CONFIG_FILE", ".aws/config");
    char *creds = file_path("AWS_SHARED_CREDENTIALS_FILE",
                            ".aws/credentials");
    int rc = config && creds ? 0 : -1;
    if (rc < 0)
        snprintf(err, errlen, "out of memory");
    if (rc == 0)
        rc = awsconfig_load(&p->config, config, 0, err, errlen);
    if (rc == 0)
        rc = awsconfig_load(&p->credentials, creds, 1, err, errlen);
    free(config);
    free(creds);
    return rc;
}

static int choose_profile(struct aws_session *s,
                          const struct aws_session_options *opt, char *err,
                          size_t errlen)
{
    const char *name = opt && opt->profile ? opt->profile : NULL;
    priv(s)->profile_explicit = name != NULL;
    const char *from = "--profile";
    if (!name && (name = env("AWS_PROFILE")))
        from = "AWS_PROFILE";
    s->profile = strdup(name ? name : "default");
    if (!s->profile) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    if (!name || aws_config_profile(s) || aws_credentials_profile(s))
        return 0;
    snprintf(err, errlen, "profile %s (from %s) not found in %s or %s: add "
             "[profile %s] to the config file or choose another profile",
             name, from, priv(s)->config.path, priv(s)->credentials.path,
             name);
    return -1;
}

static int set_region(struct aws_session *s, const char *region,
                      const char *source)
{
    s->region = strdup(region);
    s->region_source = strdup(source);
    return s->region && s->region_source ? 0 : -1;
}

static int choose_region(struct aws_session *s,
                         const struct aws_session_options *opt)
{
    if (opt && opt->region)
        return set_region(s, opt->region, "--region");
    if (env("AWS_REGION"))
        return set_region(s, env("AWS_REGION"), "AWS_REGION");
    if (env("AWS_DEFAULT_REGION"))
        return set_region(s, env("AWS_DEFAULT_REGION"), "AWS_DEFAULT_REGION");
    const struct awsconfig_entry *e = entry(aws_config_profile(s), "region");
    if (!e)
        return 0;
    char source[512];
    snprintf(source, sizeof(source), "profile %s (%s:%d)", s->profile,
             priv(s)->config.path, e->line);
    return set_region(s, e->value, source);
}

static int read_file(const char *path, size_t max, char **out)
{
    struct buf b;
    char why[128];
    buf_init(&b, max);
    if (buf_read_file(&b, path, why, sizeof(why)) < 0) {
        int saved = errno;
        buf_cleanup(&b);
        errno = saved;
        return -1;
    }
    *out = buf_take(&b);
    return *out ? 0 : -1;
}

static int load_ca(struct aws_session *s, char *err, size_t errlen)
{
    const char *path = env("AWS_CA_BUNDLE");
    char where[512];
    snprintf(where, sizeof(where), "AWS_CA_BUNDLE");
    if (!path) {
        const struct awsconfig_entry *e = entry(aws_config_profile(s),
                                                "ca_bundle");
        if (!e)
            return 0;
        path = e->value;
        snprintf(where, sizeof(where), "%s:%d: ca_bundle",
                 priv(s)->config.path, e->line);
    }
    errno = 0;
    if (read_file(path, CA_BUNDLE_MAX, &s->ca_pem) == 0)
        return 0;
    snprintf(err, errlen, "%s %s cannot be read: %s; point it at a PEM file "
             "of trusted CA certificates (at most %u bytes)", where, path,
             strerror(errno), CA_BUNDLE_MAX);
    return -1;
}

static int choose_max_attempts(struct aws_session *s, char *err,
                               size_t errlen)
{
    char source[600] = "AWS_MAX_ATTEMPTS";
    const char *value = env("AWS_MAX_ATTEMPTS");
    s->max_attempts = RETRY_DEFAULT_MAX_ATTEMPTS;
    if (!value) {
        const struct awsconfig_entry *e = entry(aws_config_profile(s),
                                                "max_attempts");
        if (!e)
            return 0;
        value = e->value;
        snprintf(source, sizeof(source), "%s:%d: max_attempts of profile %s",
                 priv(s)->config.path, e->line, s->profile);
    }
    return retry_parse_max_attempts(value, source, &s->max_attempts, err,
                                    errlen);
}

time_t aws_session_time(const struct aws_session *s)
{
    return time(NULL) + (s->priv ? priv(s)->clock_skew : 0);
}

int aws_session_init(struct aws_session *s, struct http_client *http,
                     const struct aws_session_options *opt, char *err,
                     size_t errlen)
{
    memset(s, 0, sizeof(*s));
    s->http = http;
    s->readonly = opt ? opt->readonly : 0;
    s->priv = calloc(1, sizeof(struct session_priv));
    if (!s->priv) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    int rc = load_files(s, err, errlen);
    if (rc == 0)
        rc = choose_profile(s, opt, err, errlen);
    if (rc == 0 && choose_region(s, opt) < 0) {
        snprintf(err, errlen, "out of memory");
        rc = -1;
    }
    if (rc == 0)
        rc = load_ca(s, err, errlen);
    if (rc == 0)
        rc = choose_max_attempts(s, err, errlen);
    retry_backoff_init(&priv(s)->backoff);
    if (rc < 0)
        aws_session_cleanup(s);
    return rc;
}

void aws_session_cleanup(struct aws_session *s)
{
    if (s->priv) {
        aws_creds_cleanup(s);
        awsconfig_free(&priv(s)->config);
        awsconfig_free(&priv(s)->credentials);
        free(priv(s)->quotas);
        free(s->priv);
    }
    free(s->profile);
    free(s->region);
    free(s->region_source);
    free(s->ca_pem);
    aws_credentials_free(&s->creds);
    memset(s, 0, sizeof(*s));
}

/* ---- endpoints ---- */

static int ignore_configured_endpoints(const struct aws_session *s)
{
    const char *v = env("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS");
    if (!v && aws_config_profile(s))
        v = awsconfig_get(aws_config_profile(s),
                          "ignore_configured_endpoint_urls");
    return v && strcasecmp(v, "true") == 0;
}

/* "AWS_ENDPOINT_URL_" + service id upper-cased, spaces and dashes as
 * underscores; or the id lower-cased the same way for the services
 * section ("elastic_load_balancing_v2"). */
static void service_key(const char *id, int upper, char *out, size_t outlen)
{
    size_t n = 0;
    for (; *id && n + 1 < outlen; id++, n++) {
        unsigned char c = (unsigned char)*id;
        out[n] = c == ' ' || c == '-' ? '_'
                 : (char)(upper ? toupper(c) : tolower(c));
    }
    out[n] = '\0';
}

static const char *services_endpoint(const struct aws_session *s,
                                     const struct aws_service *svc)
{
    const struct awsconfig_section *prof = aws_config_profile(s);
    const char *name = prof ? awsconfig_get(prof, "services") : NULL;
    if (!name)
        return NULL;
    const struct awsconfig_section *sec =
        awsconfig_section(&priv(s)->config, "services", name);
    char id[64], key[96];
    service_key(svc->service_id, 0, id, sizeof(id));
    snprintf(key, sizeof(key), "%s.endpoint_url", id);
    return sec ? awsconfig_get(sec, key) : NULL;
}

static const char *configured_endpoint(const struct aws_session *s,
                                       const struct aws_service *svc)
{
    if (ignore_configured_endpoints(s))
        return NULL;
    char id[64], var[96];
    service_key(svc->service_id, 1, id, sizeof(id));
    snprintf(var, sizeof(var), "AWS_ENDPOINT_URL_%s", id);
    const char *url = env(var);
    if (!url)
        url = env("AWS_ENDPOINT_URL");
    if (!url)
        url = services_endpoint(s, svc);
    if (!url && aws_config_profile(s))
        url = awsconfig_get(aws_config_profile(s), "endpoint_url");
    return url;
}

char *aws_endpoint(struct aws_session *s, const struct aws_service *svc,
                   const char *region)
{
    const char *url = configured_endpoint(s, svc);
    struct buf b;
    buf_init(&b, 0);
    int rc;
    if (!region)
        region = s->region;
    if (url)
        rc = buf_puts(&b, url);
    else if (svc->global || !region)
        rc = buf_printf(&b, "https://%s.amazonaws.com", svc->signing_name);
    else
        rc = buf_printf(&b, "https://%s.%s.amazonaws.com", svc->signing_name,
                        region);
    if (rc < 0) {
        buf_cleanup(&b);
        return NULL;
    }
    while (b.len && b.data[b.len - 1] == '/')
        b.data[--b.len] = '\0';
    return buf_take(&b);
}

/* ---- building and signing a request ---- */

struct target {
    char *base;      /* scheme://host[:port], no path */
    char *host;      /* Host header value */
    char *path;      /* the endpoint's own path, without trailing '/' */
};

static void target_cleanup(struct target *t)
{
    free(t->base);
    free(t->host);
    free(t->path);
}

static int default_port(const char *scheme, const char *port)
{
    return (strcmp(scheme, "https") == 0 && strcmp(port, "443") == 0) ||
           (strcmp(scheme, "http") == 0 && strcmp(port, "80") == 0);
}

static int target_from_parts(struct target *t, const char *scheme,
                             const char *host, const char *port,
                             const char *path)
{
    struct buf b;
    buf_init(&b, 0);
    int rc = buf_puts(&b, host);
    if (rc == 0 && port && !default_port(scheme, port))
        rc = buf_printf(&b, ":%s", port);
    t->host = rc == 0 ? buf_take(&b) : NULL;
    rc = t->host ? buf_printf(&b, "%s://%s", scheme, t->host) : -1;
    t->base = rc == 0 ? buf_take(&b) : NULL;
    buf_cleanup(&b);
    t->path = strdup(path);
    if (!t->host || !t->base || !t->path)
        return -1;
    size_t n = strlen(t->path);
    while (n && t->path[n - 1] == '/')
        t->path[--n] = '\0';
    return 0;
}

static int parse_target(const char *endpoint, struct target *t)
{
    memset(t, 0, sizeof(*t));
    CURLU *u = curl_url();
    char *scheme = NULL, *host = NULL, *port = NULL, *path = NULL;
    int rc = -1;
    if (u && curl_url_set(u, CURLUPART_URL, endpoint, 0) == CURLUE_OK &&
        curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK &&
        curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK &&
        curl_url_get(u, CURLUPART_PATH, &path, CURLU_URLDECODE) ==
            CURLUE_OK) {
        curl_url_get(u, CURLUPART_PORT, &port, 0);
        rc = target_from_parts(t, scheme, host, port, path);
    }
    curl_free(scheme);
    curl_free(host);
    curl_free(port);
    curl_free(path);
    curl_url_cleanup(u);
    if (rc < 0)
        target_cleanup(t);
    return rc;
}

static int put_pair(struct buf *out, const char *name, const char *value)
{
    if (out->len && buf_putc(out, '&') < 0)
        return -1;
    if (sigv4_uri_encode(out, name, strlen(name), 0) < 0 ||
        buf_putc(out, '=') < 0)
        return -1;
    return sigv4_uri_encode(out, value, strlen(value), 0);
}

/* Query and ec2 protocols: Action, Version, then the parameters. */
static int form_body(const struct aws_call *call, struct buf *body)
{
    int rc = put_pair(body, "Action", call->operation);
    if (rc == 0)
        rc = put_pair(body, "Version", call->service->api_version);
    for (size_t i = 0; rc == 0 && i < call->param_count; i++)
        rc = put_pair(body, call->params[i].name, call->params[i].value);
    return rc;
}

struct signing {
    struct sigv4_pair headers[6];
    size_t header_count;
    char date[17];
    char target[160];
    struct buf path;         /* decoded, as signed */
    struct buf url;
};

static void add_signed(struct signing *sg, const char *name,
                       const char *value)
{
    sg->headers[sg->header_count].name = name;
    sg->headers[sg->header_count].value = value;
    sg->header_count++;
}

static const char *content_type(const struct aws_service *svc)
{
    switch (svc->protocol) {
    case AWS_PROTOCOL_JSON:
        return "application/x-amz-json-1.1";
    case AWS_PROTOCOL_REST_JSON:
        return "application/json";
    default:
        return "application/x-www-form-urlencoded; charset=utf-8";
    }
}

static int build_url(struct signing *sg, const struct target *t,
                     const struct aws_call *call, int rest)
{
    const char *path = rest && call->path ? call->path : "/";
    int rc = buf_puts(&sg->path, t->path);
    if (rc == 0)
        rc = buf_puts(&sg->path, path);
    if (rc == 0)
        rc = buf_puts(&sg->url, t->base);
    if (rc == 0)
        rc = sigv4_uri_encode(&sg->url, sg->path.data, sg->path.len, 1);
    if (!rest || rc < 0 || call->param_count == 0)
        return rc;
    struct buf query;
    buf_init(&query, 0);
    for (size_t i = 0; rc == 0 && i < call->param_count; i++)
        rc = put_pair(&query, call->params[i].name, call->params[i].value);
    if (rc == 0)
        rc = buf_printf(&sg->url, "?%s", query.data);
    buf_cleanup(&query);
    return rc;
}

static int add_request_headers(struct http_request *req,
                               const struct signing *sg)
{
    for (size_t i = 0; i < sg->header_count; i++)
        if (http_request_header(req, sg->headers[i].name,
                                sg->headers[i].value) < 0)
            return -1;
    return http_request_header(req, "User-Agent",
                               "albatross/" ALBATROSS_VERSION);
}

static int sign(struct aws_session *s, const struct aws_call *call,
                const char *region, struct signing *sg,
                struct http_request *req)
{
    const struct aws_service *svc = call->service;
    int rest = svc->protocol == AWS_PROTOCOL_REST_JSON;
    const struct sigv4_request sreq = {
        .method = req->method,
        .path = sg->path.data,
        .query = rest ? call->params : NULL,
        .query_count = rest ? call->param_count : 0,
        .headers = sg->headers,
        .header_count = sg->header_count,
        .body = req->body.data,
        .body_len = req->body.len,
    };
    const struct sigv4_credentials creds = {
        .access_key_id = s->creds.access_key_id,
        .secret_access_key = s->creds.secret_access_key,
        .session_token = s->creds.session_token,
    };
    struct sigv4_scope scope = {
        .region = region, .service = svc->signing_name,
        .time = aws_session_time(s), .normalize_path = 1,
        .double_encode = 1,
    };
    sigv4_format_time(scope.time, sg->date);
    struct buf auth;
    buf_init(&auth, 0);
    int rc = call->anonymous ? 0
             : sigv4_authorization(&sreq, &creds, &scope, &auth);
    if (rc == 0)
        rc = add_request_headers(req, sg);
    if (rc == 0 && !call->anonymous)
        rc = http_request_header(req, "Authorization", auth.data);
    buf_wipe(&auth);
    return rc;
}

static struct http_request *build_request(struct aws_session *s,
                                          const struct aws_call *call,
                                          const char *endpoint,
                                          const char *region)
{
    const struct aws_service *svc = call->service;
    int rest = svc->protocol == AWS_PROTOCOL_REST_JSON;
    struct target t;
    if (parse_target(endpoint, &t) < 0)
        return NULL;
    struct signing sg = {0};
    buf_init(&sg.path, 0);
    buf_init(&sg.url, 0);
    struct http_request *req = NULL;
    int rc = build_url(&sg, &t, call, rest);
    if (rc == 0)
        req = http_request_new(rest && call->method ? call->method : "POST",
                               sg.url.data);
    if (req && (svc->protocol == AWS_PROTOCOL_QUERY ||
                svc->protocol == AWS_PROTOCOL_EC2))
        rc = form_body(call, &req->body);
    else if (req && call->body)
        rc = buf_puts(&req->body, call->body);
    if (req && rc == 0) {
        add_signed(&sg, "Host", t.host);
        if (!rest || req->body.len)
            add_signed(&sg, "Content-Type", content_type(svc));
        add_signed(&sg, "X-Amz-Date", sg.date);
        if (s->creds.session_token && !call->anonymous)
            add_signed(&sg, "X-Amz-Security-Token", s->creds.session_token);
        if (svc->protocol == AWS_PROTOCOL_JSON) {
            snprintf(sg.target, sizeof(sg.target), "%s.%s",
                     svc->json_target, call->operation);
            add_signed(&sg, "X-Amz-Target", sg.target);
        }
        rc = http_request_set(&req->ca_pem, s->ca_pem);
        if (rc == 0)
            rc = sign(s, call, region, &sg, req);
    }
    if (req && rc < 0) {
        http_request_free(req);
        req = NULL;
    }
    buf_cleanup(&sg.path);
    buf_cleanup(&sg.url);
    target_cleanup(&t);
    return req;
}

/* ---- sending and replies ---- */

/*
 * One call through its attempts. The call is copied, because each attempt
 * is built and signed again (a fresh X-Amz-Date) after the caller's
 * aws_call is gone.
 */
struct pending_call {
    struct aws_session *s;
    struct aws_call call;       /* points at the copies below */
    char *strings[5];           /* region, operation, method, path, body */
    struct sigv4_pair *params;
    char *endpoint;
    char *signing_region;
    aws_done_fn done;
    void *ctx;
    char what[96];   /* "IAM ListRoles", for messages and the log */
    int attempts;    /* requests sent so far */
    int corrections; /* of those, resent after a clock or credential fix */
    int quota_taken; /* what the last retry took from the retry quota */
    int quota_empty; /* a retry was due and the quota could not pay */
};

static void pending_free(struct pending_call *pc)
{
    for (size_t i = 0; i < 5; i++)
        free(pc->strings[i]);
    /* Values may be secrets (a web identity token). */
    for (size_t i = 0; pc->params && i < pc->call.param_count; i++) {
        free((char *)pc->params[i].name);
        str_wipe_free((char *)pc->params[i].value);
    }
    free(pc->params);
    free(pc->endpoint);
    free(pc->signing_region);
    free(pc);
}

/* Copies s into pc->strings[i]; returns the copy, NULL for NULL. */
static const char *keep(struct pending_call *pc, size_t i, const char *s,
                        int *oom)
{
    if (!s)
        return NULL;
    pc->strings[i] = strdup(s);
    *oom |= !pc->strings[i];
    return pc->strings[i];
}

static int copy_call(struct pending_call *pc, const struct aws_call *call)
{
    int oom = 0;
    pc->call = *call;
    pc->call.region = keep(pc, 0, call->region, &oom);
    pc->call.operation = keep(pc, 1, call->operation, &oom);
    pc->call.method = keep(pc, 2, call->method, &oom);
    pc->call.path = keep(pc, 3, call->path, &oom);
    pc->call.body = keep(pc, 4, call->body, &oom);
    pc->call.params = NULL;
    if (call->param_count) {
        pc->params = calloc(call->param_count, sizeof(*pc->params));
        oom |= !pc->params;
    }
    for (size_t i = 0; pc->params && i < call->param_count; i++) {
        pc->params[i].name = strdup(call->params[i].name);
        pc->params[i].value = strdup(call->params[i].value);
        oom |= !pc->params[i].name || !pc->params[i].value;
    }
    pc->call.params = pc->params;
    return oom ? -1 : 0;
}

static void transport_error(struct api_error *err, const char *what,
                            const struct http_request *req,
                            const struct http_response *res)
{
    const char *code = res->cancelled ? "Cancelled"
                       : res->timed_out ? "Timeout"
                       : strstr(res->error, "larger than") ? "ReplyTooLarge"
                                                           : "ConnectionFailed";
    api_error_set(err, code, "%s to %.*s failed: %s", what,
                  (int)strcspn(req->url, "?"), req->url, res->error);
}

static void request_id_from_headers(struct api_error *err,
                                    const struct http_response *res)
{
    const char *id = http_response_header(res, "x-amzn-RequestId");
    if (!id)
        id = http_response_header(res, "x-amz-request-id");
    if (id && !err->request_id[0])
        snprintf(err->request_id, sizeof(err->request_id), "%s", id);
}

/* The retry quota of pc's service in its region, created on first use;
 * NULL when memory runs out. One bucket per service and region, as
 * botocore keeps one per client, so a failing region cannot use up the
 * retries of the others. */
static struct retry_quota *call_quota(struct pending_call *pc)
{
    struct session_priv *p = priv(pc->s);
    char key[sizeof(p->quotas[0].key)];
    snprintf(key, sizeof(key), "%s %s", pc->call.service->signing_name,
             pc->signing_region);
    for (size_t i = 0; i < p->quota_count; i++)
        if (strcmp(p->quotas[i].key, key) == 0)
            return &p->quotas[i].quota;
    struct region_quota *grown = realloc(p->quotas, (p->quota_count + 1) *
                                                    sizeof(*grown));
    if (!grown)
        return NULL;
    p->quotas = grown;
    struct region_quota *q = &grown[p->quota_count++];
    snprintf(q->key, sizeof(q->key), "%s", key);
    retry_quota_init(&q->quota);
    return &q->quota;
}

static void on_reply(const struct http_request *req,
                     struct http_response *res, void *ctx);

/* Builds, signs and submits the next attempt, or parks the call until
 * the session's credentials are resolved; returns 0, or -1 with err. */
static int send_attempt(struct pending_call *pc, struct api_error *err)
{
    struct aws_session *s = pc->s;
    int ready = pc->call.anonymous ? 0
                : aws_session_credentials(s, aws_call_credentials_ready,
                                          pc);
    if (ready < 0) {
        api_error_set(err, "NoCredentials", "%s", s->creds_error);
        return -1;
    }
    if (ready > 0)
        return 0;   /* aws_call_credentials_ready sends it */
    struct http_request *req = build_request(s, &pc->call, pc->endpoint,
                                             pc->signing_region);
    if (!req) {
        api_error_set(err, "InternalError", "could not build the request: "
                      "out of memory or an invalid endpoint URL");
        return -1;
    }
    pc->attempts++;
    if (http_submit(s->http, req, on_reply, pc) < 0) {
        api_error_set(err, "InternalError", "could not start the HTTP "
                      "request");
        return -1;
    }
    return 0;
}

/* Appends what the retries did to a final error, so the status line
 * shows the operation and the attempts made. */
static void note_attempts(const struct pending_call *pc,
                          struct api_error *err)
{
    char quota[160] = "";
    size_t used = strlen(err->message);
    if (pc->attempts - pc->corrections <= 1 && !pc->quota_empty)
        return;
    if (pc->quota_empty)
        snprintf(quota, sizeof(quota), "; the retry quota of %s in %s is "
                 "used up", pc->call.service->signing_name,
                 pc->signing_region);
    snprintf(err->message + used, sizeof(err->message) - used,
             " (%s, gave up after %d attempt%s%s)", pc->what, pc->attempts,
             pc->attempts == 1 ? "" : "s", quota);
}

/* Calls done once with err (or the body on success) and frees pc. */
static void finish_call(struct pending_call *pc, const struct buf *body,
                        struct api_error *err)
{
    struct buf empty;
    buf_init(&empty, 0);
    if (err) {
        err->attempts = pc->attempts - pc->corrections;
        note_attempts(pc, err);
        log_msg(LOG_WARN, "aws %s failed: %ld %s: %s (request id %s)",
                pc->what, err->http_status, err->code, err->message,
                err->request_id[0] ? err->request_id : "none");
    }
    pc->done(body ? body : &empty, err, pc->ctx);
    pending_free(pc);
}

void aws_call_credentials_ready(void *ctx, const char *error, int cancelled)
{
    struct pending_call *pc = ctx;
    struct api_error err = {0};
    if (error)
        api_error_set(&err, cancelled ? "Cancelled" : "NoCredentials", "%s",
                      error);
    if (error || send_attempt(pc, &err) < 0)
        finish_call(pc, NULL, &err);
}

void aws_call_drop(void *ctx)
{
    pending_free(ctx);
}

static void on_retry_timer(void *ctx, int cancelled)
{
    struct pending_call *pc = ctx;
    struct api_error err = {0};
    if (cancelled) {
        api_error_set(&err, "Cancelled", "%s was cancelled while it waited "
                      "to retry", pc->what);
        finish_call(pc, NULL, &err);
    } else if (send_attempt(pc, &err) < 0) {
        finish_call(pc, NULL, &err);
    }
}

/* A signature rejected because the client's clock differs from AWS's:
 * the codes and messages the SDKs' clock skew handling looks for. */
static int clock_skew_error(const struct api_error *err)
{
    static const char *const codes[] = {
        "RequestTimeTooSkewed", "RequestExpired", "RequestInTheFuture",
        NULL,
    };
    for (size_t i = 0; codes[i]; i++)
        if (strcmp(err->code, codes[i]) == 0)
            return 1;
    return (strcmp(err->code, "SignatureDoesNotMatch") == 0 ||
            strcmp(err->code, "InvalidSignatureException") == 0) &&
           (strstr(err->message, "Signature expired") ||
            strstr(err->message, "Signature not yet current"));
}

/* Learns the clock skew from the reply's Date header; returns 0 when it
 * changed, so signing again with it can help. */
static int correct_clock(struct pending_call *pc,
                         const struct http_response *res)
{
    time_t server = retry_parse_http_date(http_response_header(res,
                                                               "Date"));
    if (server < 0)
        return -1;
    long skew = (long)(server - time(NULL));
    struct session_priv *p = priv(pc->s);
    if (labs(skew - p->clock_skew) < CLOCK_SKEW_MIN)
        return -1;
    p->clock_skew = skew;
    log_msg(LOG_WARN, "aws %s: the local clock is %ld s %s AWS's (reply "
            "Date %s); signing with the corrected time", pc->what,
            labs(skew), skew > 0 ? "behind" : "ahead of",
            http_response_header(res, "Date"));
    return 0;
}

/* Resolves credentials again after AWS reported them expired. */
static int renew_credentials(struct pending_call *pc,
                             const struct api_error *err)
{
    int expired = strcmp(err->code, "ExpiredToken") == 0 ||
                  strcmp(err->code, "ExpiredTokenException") == 0;
    if (!expired || pc->call.anonymous)
        return -1;
    log_msg(LOG_WARN, "aws %s: %s: resolving credentials again", pc->what,
            err->code);
    aws_credentials_free(&pc->s->creds);
    return 0;   /* the resend waits for the new credentials */
}

/* Sends the call once more, at once, after fixing the clock or the
 * credentials; such a resend is not a retry and takes no quota. Returns
 * 0 when it was sent. */
static int try_correction(struct pending_call *pc,
                          const struct http_response *res,
                          const struct api_error *err)
{
    struct api_error ignored = {0};
    if (pc->corrections > 0 || res->failed)
        return -1;
    int fixed = clock_skew_error(err) ? correct_clock(pc, res)
                                      : renew_credentials(pc, err);
    if (fixed < 0)
        return -1;
    pc->corrections++;
    return send_attempt(pc, &ignored);
}

/* Schedules the next attempt when the failure is retryable, attempts are
 * left and the quota pays; returns 0 when it did. */
static int try_retry(struct pending_call *pc, const struct http_response *res,
                     struct api_error *err)
{
    enum retry_class cls = retry_classify(res->status, err->code,
                                          res->failed && !res->cancelled,
                                          res->timed_out);
    int attempt = pc->attempts - pc->corrections;
    if (cls == RETRY_NONE || res->cancelled ||
        attempt >= pc->s->max_attempts)
        return -1;
    struct retry_quota *q = call_quota(pc);
    int taken = q ? retry_quota_acquire(q, cls) : 0;
    if (!taken) {
        pc->quota_empty = 1;
        log_msg(LOG_WARN, "aws %s: not retrying %s: the retry quota of %s "
                "in %s is used up", pc->what, err->code,
                pc->call.service->signing_name, pc->signing_region);
        return -1;
    }
    pc->quota_taken = taken;
    long delay = retry_delay_ms(&priv(pc->s)->backoff, attempt);
    log_msg(LOG_WARN, "aws %s: attempt %d of %d failed: %s (HTTP %ld); "
            "retrying in %ld ms", pc->what, attempt, pc->s->max_attempts,
            err->code, res->status, delay);
    return http_schedule(pc->s->http, delay, on_retry_timer, pc);
}

static void on_reply(const struct http_request *req,
                     struct http_response *res, void *ctx)
{
    struct pending_call *pc = ctx;
    struct api_error err = {0};
    if (res->failed) {
        transport_error(&err, pc->what, req, res);
    } else if (res->status < 200 || res->status >= 300) {
        aws_error_from_reply(&err, res->status,
                             http_response_header(res, "Content-Type"),
                             http_response_header(res, "x-amzn-ErrorType"),
                             &res->body);
        request_id_from_headers(&err, res);
    } else {
        struct retry_quota *q = call_quota(pc);
        if (q)
            retry_quota_release(q, pc->quota_taken);
        finish_call(pc, &res->body, NULL);
        return;
    }
    if (try_correction(pc, res, &err) == 0 || try_retry(pc, res, &err) == 0)
        return;
    finish_call(pc, &res->body, &err);
}

static int fail_call(aws_done_fn done, void *ctx, const char *code,
                     const char *message)
{
    struct api_error err = {0};
    struct buf empty;
    buf_init(&empty, 0);
    api_error_set(&err, code, "%s", message);
    log_msg(LOG_WARN, "aws: %s: %s", code, message);
    done(&empty, &err, ctx);
    return -1;
}

int aws_check_write(const struct aws_session *s, const char *what,
                    struct api_error *err)
{
    if (!s->readonly)
        return 0;
    api_error_set(err, "ReadOnly", "%s changes the account and the session "
                  "is read-only (--readonly); run without --readonly to "
                  "allow it", what);
    return -1;
}

/* Checks what can fail before a request exists; returns 0, or -1 after
 * calling done. */
static int preflight(struct aws_session *s, const struct aws_call *call,
                     const char *region, const char *what, aws_done_fn done,
                     void *ctx)
{
    char msg[600];
    struct api_error err = {0};
    if (call->mutating && aws_check_write(s, what, &err) < 0)
        return fail_call(done, ctx, err.code, err.message);
    if (!region) {
        snprintf(msg, sizeof(msg), "%s needs an AWS region and none is "
                 "configured: pass --region, set AWS_REGION or add region "
                 "to profile %s", what, s->profile);
        return fail_call(done, ctx, "NoRegion", msg);
    }
    return 0;
}

int aws_send(struct aws_session *s, const struct aws_call *call,
             aws_done_fn done, void *ctx)
{
    const struct aws_service *svc = call->service;
    char what[96];
    snprintf(what, sizeof(what), "%s %s", svc->service_id, call->operation);
    const char *region = svc->global ? "us-east-1"
                         : call->region ? call->region : s->region;
    /* Without a region STS goes to its global endpoint, as the aws CLI
     * does; aws_endpoint picks https://sts.amazonaws.com then. */
    if (!region && svc == &aws_service_sts)
        region = "us-east-1";
    if (preflight(s, call, region, what, done, ctx) < 0)
        return -1;
    struct pending_call *pc = calloc(1, sizeof(*pc));
    if (pc) {
        pc->s = s;
        pc->endpoint = aws_endpoint(s, svc, call->region);
        pc->signing_region = strdup(region);
    }
    if (!pc || copy_call(pc, call) < 0 || !pc->endpoint ||
        !pc->signing_region) {
        if (pc)
            pending_free(pc);
        return fail_call(done, ctx, "InternalError", "out of memory");
    }
    pc->done = done;
    pc->ctx = ctx;
    snprintf(pc->what, sizeof(pc->what), "%s", what);
    /* One line per call, so a log shows which operations a refresh made. */
    log_msg(LOG_DEBUG, "aws call %s in %s", what, region);
    struct api_error err = {0};
    if (send_attempt(pc, &err) < 0) {
        pending_free(pc);
        return fail_call(done, ctx, err.code, err.message);
    }
    return 0;
}

/* ---- error replies ---- */

static void clean(char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || *s == 0x7f)
            *s = ' ';
}

static void copy_clean(char *out, size_t outlen, const char *s)
{
    snprintf(out, outlen, "%s", s ? s : "");
    clean(out);
}

static int xml_error(struct api_error *err, const struct buf *body)
{
    xmlDoc *doc = awsxml_parse(body->data, body->len, "error", NULL);
    if (!doc)
        return -1;
    xmlNode *root = xmlDocGetRootElement(doc);
    xmlNode *e = awsxml_find(root, "Error");
    if (e) {
        awsxml_child_copy(e, "Code", err->code, sizeof(err->code));
        awsxml_child_copy(e, "Message", err->message, sizeof(err->message));
    }
    xmlNode *id = awsxml_find(root, "RequestId");
    if (!id)
        id = awsxml_find(root, "RequestID");
    if (id)
        awsxml_child_copy(id->parent, (const char *)id->name,
                          err->request_id, sizeof(err->request_id));
    xmlFreeDoc(doc);
    return err->code[0] ? 0 : -1;
}

static const char *json_text(const cJSON *obj, const char *a, const char *b)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, a);
    if (!cJSON_IsString(v))
        v = cJSON_GetObjectItemCaseSensitive(obj, b);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* "aws.protocoltests#FooError:http://..." gives "FooError": botocore
 * drops a namespace before '#' and anything after ':'. */
static void error_code(char *out, size_t outlen, const char *type)
{
    const char *hash = strchr(type, '#');
    if (hash)
        type = hash + 1;
    copy_clean(out, outlen, type);
    out[strcspn(out, ":")] = '\0';
}

static int json_error(struct api_error *err, const struct buf *body)
{
    cJSON *root = cJSON_ParseWithLength(body->data, body->len);
    if (!cJSON_IsObject(root)) {
        cJSON_Delete(root);
        return -1;
    }
    const char *type = json_text(root, "__type", "code");
    if (type && !err->code[0])
        error_code(err->code, sizeof(err->code), type);
    copy_clean(err->message, sizeof(err->message),
               json_text(root, "message", "Message"));
    const char *id = json_text(root, "requestId", "RequestId");
    if (id)
        copy_clean(err->request_id, sizeof(err->request_id), id);
    cJSON_Delete(root);
    return err->code[0] ? 0 : -1;
}

static const char *first_text(const struct buf *body)
{
    const char *p = body->data ? body->data : "";
    while (isspace((unsigned char)*p))
        p++;
    return p;
}

void aws_error_from_reply(struct api_error *err, long status,
                          const char *content_type, const char *error_type,
                          const struct buf *body)
{
    (void)content_type; /* the body's first character decides the format */
    memset(err, 0, sizeof(*err));
    err->http_status = status;
    if (error_type && *error_type)
        error_code(err->code, sizeof(err->code), error_type);
    const char *p = first_text(body);
    int rc = -1;
    if (*p == '<')
        rc = xml_error(err, body);
    else if (*p == '{')
        rc = json_error(err, body);
    if (rc == 0 || err->code[0]) {
        if (!err->message[0])
            snprintf(err->message, sizeof(err->message),
                     "HTTP %ld with no message", status);
        return;
    }
    snprintf(err->code, sizeof(err->code), "%ld", status);
    snprintf(err->message, sizeof(err->message),
             "HTTP %ld with no AWS error in the reply%s%.200s", status,
             *p ? ": " : "", p);
    clean(err->message);
}
