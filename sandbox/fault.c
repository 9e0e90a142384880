/*
 * Fault injection for albatross-sandbox. The error replies use each
 * service's own wire format and the codes botocore's retry data
 * (botocore/data/_retry.json and retries/standard.py, 1.43) lists for
 * it: IAM, STS and ELBv2 reply Throttling with 400 in query XML, EC2
 * RequestLimitExceeded with 503, EKS ThrottlingException with 429, ACM
 * and WAFv2 ThrottlingException with 400 in JSON 1.1 (`__type`), and
 * Kubernetes a 429 Status with Retry-After.
 *
 * NOTE: WAFv2's model (wafv2/2019-07-29/service-2.json) names no
 * throttling error, so its ThrottlingException is the JSON services'
 * usual code, not one read from WAFv2 itself.
 *
 * Limits: latency sleeps on the sandbox's one serving thread, so other
 * requests wait behind a delayed one.
 */
#include "fault.h"

#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "awsreply.h"

#define LATENCY_MAX_MS 600000
#define SKEW_MAX_S (366L * 24 * 3600)
#define COUNT_MAX 1000000
#define RETRY_AFTER_MAX_S 3600
#define WATCH_SECONDS_MAX 86400
#define K8S_PREFIX "/k8s/"

/* Each service's generator is seeded with its index, so K8S keeps index
 * 4: moving it would change the faults that a given seed produces. */
enum service {
    SVC_STS, SVC_IAM, SVC_EC2, SVC_EKS, SVC_K8S, SVC_ELBV2, SVC_ACM,
    SVC_WAFV2, SVC_COUNT
};

/* Names in --fault specs and world files. */
static const char *const service_names[SVC_COUNT] = {
    "sts", "iam", "ec2", "eks", "k8s", "elbv2", "acm", "wafv2",
};

/* SigV4 signing names, as in a request's credential scope. */
static const char *const signing_names[SVC_COUNT] = {
    "sts", "iam", "ec2", "eks", NULL, "elasticloadbalancing", "acm",
    "wafv2",
};

#define AWS_SERVICES (((1u << SVC_COUNT) - 1) & ~(1u << SVC_K8S))

struct rule {
    int set;                /* any key given for this service */
    double throttle;        /* fractions of requests, 0 to 1 */
    double server_error;
    int server_status;      /* 500, 502, 503 or 504 */
    double close;
    double truncate;
    double malformed;
    long latency_ms;
    long expired_token;     /* signed requests still to reject */
    long skew_s;
    long retry_after_s;     /* on throttled Kubernetes replies */
    long watch_events;      /* watch streams end after this many events */
    long watch_seconds;     /* or after this many seconds; 0: never */
    double compact;         /* fraction of watches that compact first */
    double watch_cut;       /* fraction whose last event is cut */
};

struct fault_set {
    struct rule rules[SVC_COUNT];
    unsigned long long seed;
    uint64_t state[SVC_COUNT];
    int seeded;
};

/* ---- configuration ------------------------------------------------------ */

static struct fault_set *set_get(struct fault_set **set)
{
    if (!*set) {
        *set = calloc(1, sizeof(**set));
        if (*set) {
            (*set)->seed = FAULT_DEFAULT_SEED;
            for (int i = 0; i < SVC_COUNT; i++)
                (*set)->rules[i].retry_after_s = 1;
        }
    }
    return *set;
}

void fault_set_free(struct fault_set *set)
{
    free(set);
}

int fault_set_seed(struct fault_set **set, unsigned long long seed)
{
    if (!set_get(set))
        return -1;
    (*set)->seed = seed;
    (*set)->seeded = 0;
    return 0;
}

static int parse_rate(const char *v, double *out)
{
    char *end;
    errno = 0;
    double d = strtod(v, &end);
    if (!*v || *end || errno || !(d >= 0 && d <= 1))
        return -1;
    *out = d;
    return 0;
}

static int parse_long(const char *v, long min, long max, long *out)
{
    char *end;
    errno = 0;
    long n = strtol(v, &end, 10);
    if (!*v || *end || errno || n < min || n > max)
        return -1;
    *out = n;
    return 0;
}

/* Sets key of r from its text; returns 0, or -1 with why. */
static int set_key(struct rule *r, const char *key, const char *value,
                   char *why, size_t whylen)
{
    double *rate = !strcmp(key, "throttle") ? &r->throttle
                   : !strcmp(key, "close") ? &r->close
                   : !strcmp(key, "truncate") ? &r->truncate
                   : !strcmp(key, "malformed") ? &r->malformed
                   : !strcmp(key, "compact") ? &r->compact
                   : !strcmp(key, "watchCut") ? &r->watch_cut : NULL;
    int status = !strcmp(key, "500") ? 500 : !strcmp(key, "502") ? 502
                 : !strcmp(key, "503") ? 503 : !strcmp(key, "504") ? 504 : 0;
    int rc = 0;
    if (status) {
        rate = &r->server_error;
        r->server_status = status;
    }
    if (rate) {
        if ((rc = parse_rate(value, rate)) < 0)
            snprintf(why, whylen, "%s is '%s'; use a fraction from 0 to 1",
                     key, value);
    } else if (!strcmp(key, "latency")) {
        if ((rc = parse_long(value, 0, LATENCY_MAX_MS, &r->latency_ms)) < 0)
            snprintf(why, whylen, "latency is '%s'; use milliseconds from 0 "
                     "to %d", value, LATENCY_MAX_MS);
    } else if (!strcmp(key, "expiredToken")) {
        if ((rc = parse_long(value, 0, COUNT_MAX, &r->expired_token)) < 0)
            snprintf(why, whylen, "expiredToken is '%s'; use a count of "
                     "requests from 0 to %d", value, COUNT_MAX);
    } else if (!strcmp(key, "skew")) {
        if ((rc = parse_long(value, -SKEW_MAX_S, SKEW_MAX_S, &r->skew_s)) < 0)
            snprintf(why, whylen, "skew is '%s'; use seconds from -%ld to "
                     "%ld", value, SKEW_MAX_S, SKEW_MAX_S);
    } else if (!strcmp(key, "watchEvents")) {
        if ((rc = parse_long(value, 0, COUNT_MAX, &r->watch_events)) < 0)
            snprintf(why, whylen, "watchEvents is '%s'; use a count of "
                     "events from 0 to %d", value, COUNT_MAX);
    } else if (!strcmp(key, "watchSeconds")) {
        if ((rc = parse_long(value, 0, WATCH_SECONDS_MAX,
                             &r->watch_seconds)) < 0)
            snprintf(why, whylen, "watchSeconds is '%s'; use seconds from 0 "
                     "to %d", value, WATCH_SECONDS_MAX);
    } else if (!strcmp(key, "retryAfter")) {
        if ((rc = parse_long(value, 0, RETRY_AFTER_MAX_S,
                             &r->retry_after_s)) < 0)
            snprintf(why, whylen, "retryAfter is '%s'; use seconds from 0 "
                     "to %d", value, RETRY_AFTER_MAX_S);
    } else {
        snprintf(why, whylen, "unknown fault '%s'; use throttle, 500, 502, "
                 "503, 504, close, truncate, malformed, latency, "
                 "expiredToken, skew, retryAfter, watchEvents, "
                 "watchSeconds, watchCut or compact", key);
        return -1;
    }
    r->set |= rc == 0;
    return rc;
}

/* The services a name selects, as a bit mask; 0 for an unknown name. */
static unsigned services_of(const char *name)
{
    if (!strcmp(name, "all"))
        return (1u << SVC_COUNT) - 1;
    if (!strcmp(name, "aws"))
        return AWS_SERVICES;
    for (int i = 0; i < SVC_COUNT; i++)
        if (!strcmp(name, service_names[i]))
            return 1u << i;
    return 0;
}

static int set_for(struct fault_set *set, unsigned mask, const char *key,
                   const char *value, char *why, size_t whylen)
{
    for (int i = 0; i < SVC_COUNT; i++)
        if ((mask & (1u << i)) &&
            set_key(&set->rules[i], key, value, why, whylen) < 0)
            return -1;
    return 0;
}

/* One KEY=VALUE of a spec, in place. */
static int spec_pair(struct fault_set *set, unsigned mask, char *pair,
                     char *why, size_t whylen)
{
    char *eq = strchr(pair, '=');
    if (!eq) {
        snprintf(why, whylen, "'%s' has no '=': write KEY=VALUE", pair);
        return -1;
    }
    *eq = '\0';
    return set_for(set, mask, pair, eq + 1, why, whylen);
}

int fault_parse_spec(struct fault_set **set, const char *spec, char *err,
                     size_t errlen)
{
    char copy[512], why[256] = "";
    snprintf(copy, sizeof(copy), "%s", spec);
    char *colon = strchr(copy, ':');
    if (colon)
        *colon = '\0';
    unsigned mask = colon ? services_of(copy) : 0;
    int rc = -1;
    if (!colon)
        snprintf(why, sizeof(why), "no service: write SERVICE:KEY=VALUE");
    else if (!mask)
        snprintf(why, sizeof(why), "unknown service '%s': use sts, iam, ec2, "
                 "eks, elbv2, acm, wafv2, k8s, aws or all", copy);
    else if (!set_get(set))
        snprintf(why, sizeof(why), "out of memory");
    else
        rc = 0;
    char *save = NULL;
    for (char *p = rc ? NULL : strtok_r(colon + 1, ",", &save); p && !rc;
         p = strtok_r(NULL, ",", &save))
        rc = spec_pair(*set, mask, p, why, sizeof(why));
    if (rc < 0)
        snprintf(err, errlen, "invalid --fault '%s': %s", spec, why);
    return rc;
}

static int read_service(struct wfile *f, struct fault_set *set,
                        const char *name, const yaml_node_t *map)
{
    unsigned mask = services_of(name);
    char why[256];
    if (!mask)
        return wfile_fail(f, map, "unknown service '%s' under faults; use "
                          "seed, sts, iam, ec2, eks, elbv2, acm, wafv2, k8s, "
                          "aws or all", name);
    if (!ydoc_is_map(map))
        return wfile_fail(f, map, "faults.%s must be a mapping such as "
                          "{throttle: 0.5}", name);
    for (size_t i = 0; i < ydoc_map_len(map); i++) {
        yaml_node_t *key, *value;
        ydoc_pair(f->doc, map, i, &key, &value);
        const char *k = ydoc_str(key), *v = ydoc_str(value);
        if (!k || !v)
            return wfile_fail(f, value, "faults.%s values must be single "
                              "values", name);
        if (set_for(set, mask, k, v, why, sizeof(why)) < 0)
            return wfile_fail(f, value, "faults.%s: %s", name, why);
    }
    return 0;
}

int fault_read_world(struct wfile *f, const yaml_node_t *root)
{
    yaml_node_t *faults = ydoc_get(f->doc, root, "faults");
    if (!faults)
        return 0;
    if (!ydoc_is_map(faults))
        return wfile_fail(f, faults, "'faults' must be a mapping of services "
                          "to faults, such as faults: {iam: {throttle: "
                          "0.5}}");
    if (!set_get(&f->world->faults))
        return wfile_fail(f, faults, "out of memory");
    for (size_t i = 0; i < ydoc_map_len(faults); i++) {
        yaml_node_t *key, *value;
        ydoc_pair(f->doc, faults, i, &key, &value);
        const char *name = ydoc_str(key) ? ydoc_str(key) : "";
        long seed;
        if (!strcmp(name, "seed")) {
            const char *v = ydoc_str(value);
            if (!v || parse_long(v, 0, LONG_MAX, &seed) < 0)
                return wfile_fail(f, value, "faults.seed must be a whole "
                                  "number from 0");
            f->world->faults->seed = (unsigned long long)seed;
        } else if (read_service(f, f->world->faults, name, value) < 0) {
            return -1;
        }
    }
    return 0;
}

void fault_describe(const struct fault_set *set, char *out, size_t outlen)
{
    size_t n = 0;
    out[0] = '\0';
    for (int i = 0; set && i < SVC_COUNT && n < outlen; i++) {
        const struct rule *r = &set->rules[i];
        if (!r->set)
            continue;
        n += (size_t)snprintf(out + n, outlen - n, "%s%s: throttle %g, %d "
                              "%g, close %g, truncate %g, malformed %g, "
                              "latency %ld ms, expiredToken %ld, skew %ld s, "
                              "watchEvents %ld, watchSeconds %ld, watchCut "
                              "%g, compact %g",
                              n ? "; " : "", service_names[i], r->throttle,
                              r->server_status ? r->server_status : 500,
                              r->server_error, r->close, r->truncate,
                              r->malformed, r->latency_ms, r->expired_token,
                              r->skew_s, r->watch_events, r->watch_seconds,
                              r->watch_cut, r->compact);
    }
    if (set && n < outlen)
        snprintf(out + n, outlen - n, "%sseed %llu", n ? "; " : "",
                 set->seed);
}

/* ---- decisions ---------------------------------------------------------- */

/* splitmix64: small, fast, and the same sequence on every platform. */
static uint64_t next_random(uint64_t *state)
{
    uint64_t z = (*state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/* Draws for one rate; a rate of 0 draws nothing, so adding a fault to
 * one kind does not shift the draws of another service. */
static int draw(struct fault_set *set, int svc, double rate)
{
    if (rate <= 0)
        return 0;
    if (!set->seeded) {
        for (int i = 0; i < SVC_COUNT; i++)
            set->state[i] = set->seed * 0x100000001B3ull + (uint64_t)i;
        set->seeded = 1;
    }
    double r = (double)(next_random(&set->state[svc]) >> 11) * 0x1.0p-53;
    return r < rate;
}

/* The AWS service of a request from its credential scope; unsigned STS
 * calls and EKS paths are recognised without one. */
static int aws_service(const struct sb_request *req)
{
    const char *auth = sb_header(req, "Authorization");
    struct sigv4_authorization_parts parts;
    char name[64] = "";
    if (auth && sigv4_parse_authorization(auth, &parts) == 0) {
        snprintf(name, sizeof(name), "%s", parts.service);
        sigv4_authorization_free(&parts);
    }
    for (int i = 0; i < SVC_COUNT; i++)
        if (signing_names[i] && !strcmp(name, signing_names[i]))
            return i;
    if (strncmp(req->path, "/clusters", 9) == 0)
        return SVC_EKS;
    return name[0] ? -1 : SVC_STS;
}

static int service_of(const struct sb_request *req)
{
    if (strncmp(req->path, K8S_PREFIX, strlen(K8S_PREFIX)) == 0)
        return SVC_K8S;
    return aws_service(req);
}

/* ---- injected replies --------------------------------------------------- */

static void k8s_status(struct sb_response *res, int status,
                       const char *reason, const char *message,
                       long retry_after)
{
    cJSON *doc = cJSON_CreateObject();
    cJSON_AddStringToObject(doc, "kind", "Status");
    cJSON_AddStringToObject(doc, "apiVersion", "v1");
    cJSON_AddItemToObject(doc, "metadata", cJSON_CreateObject());
    cJSON_AddStringToObject(doc, "status", "Failure");
    cJSON_AddStringToObject(doc, "message", message);
    cJSON_AddStringToObject(doc, "reason", reason);
    if (retry_after >= 0) {
        cJSON *details = cJSON_AddObjectToObject(doc, "details");
        cJSON_AddNumberToObject(details, "retryAfterSeconds",
                                (double)retry_after);
        snprintf(res->scratch, sizeof(res->scratch), "%ld", retry_after);
        sb_add_header(res, "Retry-After", res->scratch);
    }
    cJSON_AddNumberToObject(doc, "code", status);
    char *text = cJSON_PrintUnformatted(doc);
    cJSON_Delete(doc);
    res->status = status;
    res->content_type = "application/json";
    if (text)
        buf_puts(&res->body, text);
    free(text);
}

static enum awsreply_protocol protocol_of(int svc)
{
    return svc == SVC_EKS ? AWSREPLY_REST_JSON
           : svc == SVC_EC2 ? AWSREPLY_EC2
           : svc == SVC_ACM || svc == SVC_WAFV2 ? AWSREPLY_JSON
                                                : AWSREPLY_QUERY;
}

static const char *xmlns_of(int svc)
{
    return svc == SVC_IAM ? "https://iam.amazonaws.com/doc/2010-05-08/"
           : svc == SVC_STS ? "https://sts.amazonaws.com/doc/2011-06-15/"
           : svc == SVC_ELBV2 ? "http://elasticloadbalancing.amazonaws.com/"
                                "doc/2015-12-01/"
                              : NULL;
}

static void aws_error(struct sb_response *res, const struct sb_request *req,
                      int svc, int status, const char *code,
                      const char *message)
{
    struct awsreply r;
    awsreply_init(&r, NULL, req, res);
    r.protocol = protocol_of(svc);
    r.xmlns = xmlns_of(svc);
    awsreply_error(&r, status, code, "%s", message);
    awsreply_cleanup(&r);
}

static void throttle(struct fault_set *set, int svc,
                     const struct sb_request *req, struct sb_response *res)
{
    if (svc == SVC_K8S)
        k8s_status(res, 429, "TooManyRequests", "Too many requests, please "
                   "try again later.", set->rules[svc].retry_after_s);
    else if (svc == SVC_EKS)
        aws_error(res, req, svc, 429, "ThrottlingException", "Rate exceeded");
    else if (svc == SVC_EC2)
        aws_error(res, req, svc, 503, "RequestLimitExceeded",
                  "Request limit exceeded.");
    else if (protocol_of(svc) == AWSREPLY_JSON)
        aws_error(res, req, svc, 400, "ThrottlingException", "Rate exceeded");
    else
        aws_error(res, req, svc, 400, "Throttling", "Rate exceeded");
}

/* A 5xx as the service sends it; 502 and 504 come from a proxy in front
 * of it, as an HTML page. */
static void server_error(int status, int svc, const struct sb_request *req,
                         struct sb_response *res)
{
    if (status == 502 || status == 504) {
        res->status = status;
        res->content_type = "text/html";
        buf_printf(&res->body, "<html><body><h1>%d %s</h1></body></html>\n",
                   status, status == 502 ? "Bad Gateway" : "Gateway Timeout");
    } else if (svc == SVC_K8S) {
        k8s_status(res, status, status == 503 ? "ServiceUnavailable"
                                              : "InternalError",
                   status == 503 ? "the server is currently unable to "
                   "handle the request" : "an error on the server has "
                   "prevented the request from succeeding", -1);
    } else if (svc == SVC_WAFV2 && status == 500) {
        aws_error(res, req, svc, status, "WAFInternalErrorException", "Your "
                  "request is valid, but WAF couldn't perform the operation "
                  "because of a system problem. Retry your request.");
    } else {
        aws_error(res, req, svc, status, status == 503 ? "ServiceUnavailable"
                                                      : "InternalFailure",
                  status == 503 ? "Service is unavailable" : "We encountered "
                  "an internal error. Please try again.");
    }
}

static void expired(int svc, const struct sb_request *req,
                    struct sb_response *res)
{
    if (svc == SVC_K8S)
        k8s_status(res, 401, "Unauthorized", "Unauthorized", -1);
    else if (svc == SVC_EKS || protocol_of(svc) == AWSREPLY_JSON)
        aws_error(res, req, svc, svc == SVC_EKS ? 403 : 400,
                  "ExpiredTokenException", "The security token included in "
                  "the request is expired");
    else
        aws_error(res, req, svc, svc == SVC_EC2 ? 400 : 403, "ExpiredToken",
                  "The security token included in the request is expired");
}

/* The Date header on the service's clock, which clients use to measure
 * their skew. Single thread: one static buffer is enough, as
 * send_reply copies header values before the next request. */
static void date_header(struct sb_response *res, time_t now)
{
    static char date[64];
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S GMT", &tm);
    sb_add_header(res, "Date", date);
}

static void sleep_ms(long ms)
{
    struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
    while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
        ;
}

static int inject_error(struct fault_set *set, int svc,
                        struct sb_request *req, struct sb_response *res)
{
    struct rule *r = &set->rules[svc];
    if (r->expired_token > 0 && sb_header(req, "Authorization")) {
        r->expired_token--;
        expired(svc, req, res);
        return 1;
    }
    if (draw(set, svc, r->throttle)) {
        throttle(set, svc, req, res);
        return 1;
    }
    if (draw(set, svc, r->server_error)) {
        server_error(r->server_status ? r->server_status : 500, svc, req,
                     res);
        return 1;
    }
    return 0;
}

int fault_before(struct fault_set *set, struct sb_request *req,
                 struct sb_response *res, int *service)
{
    int svc = set ? service_of(req) : -1;
    *service = svc;
    if (svc < 0 || !set->rules[svc].set)
        return 0;
    struct rule *r = &set->rules[svc];
    if (r->latency_ms)
        sleep_ms(r->latency_ms);
    req->now += r->skew_s;
    if (!inject_error(set, svc, req, res))
        return 0;
    fprintf(stderr, "albatross-sandbox: fault: %s %s replied %d\n",
            service_names[svc], req->path, res->status);
    fault_after(set, svc, req, res);
    return 1;
}

/* Keeps the first half of the body, so the client's parser fails. */
static void truncate_body(struct sb_response *res)
{
    res->body.len /= 2;
    if (res->body.data)
        res->body.data[res->body.len] = '\0';
}

static void malform_body(struct sb_response *res)
{
    res->body.len = 0;
    buf_puts(&res->body, "}{<<< malformed reply injected by "
             "albatross-sandbox");
}

void fault_after(struct fault_set *set, int svc, const struct sb_request *req,
                 struct sb_response *res)
{
    if (!set || svc < 0 || !set->rules[svc].set)
        return;
    struct rule *r = &set->rules[svc];
    if (r->skew_s)
        date_header(res, req->now);
    if (res->status < 200 || res->status >= 300)
        return;
    const char *what = NULL;
    if (draw(set, svc, r->close)) {
        res->close_mid_body = 1;
        what = "closed mid-body";
    } else if (draw(set, svc, r->truncate)) {
        truncate_body(res);
        what = "truncated";
    } else if (draw(set, svc, r->malformed)) {
        malform_body(res);
        what = "malformed";
    }
    if (what)
        fprintf(stderr, "albatross-sandbox: fault: %s %s reply %s\n",
                service_names[svc], req->path, what);
}

void fault_watch(struct fault_set *set, struct fault_watch *out)
{
    memset(out, 0, sizeof(*out));
    if (!set || !set->rules[SVC_K8S].set)
        return;
    const struct rule *r = &set->rules[SVC_K8S];
    out->close_after_events = r->watch_events;
    out->close_after_seconds = r->watch_seconds;
    out->compact = draw(set, SVC_K8S, r->compact);
    out->cut_last = out->close_after_events &&
                    draw(set, SVC_K8S, r->watch_cut);
}
