/*
 * The credential provider chain. Every provider runs synchronously,
 * because the session resolves credentials before it signs. That happens
 * once, and again only when temporary credentials near their expiry.
 *
 * Limits: assume-role profiles (role_arn with source_profile or
 * credential_source), IAM Identity Center profiles and the container
 * provider (ECS, EKS Pod Identity) are not supported; the first two are
 * reported as errors instead of falling through to other credentials.
 */
#include "creds.h"

#include <cjson/cJSON.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "aws.h"
#include "awsxml.h"
#include "buf.h"
#include "http.h"
#include "sigv4.h"
#include "strutil.h"

extern char **environ;

#define TOKEN_FILE_MAX (64u << 10)
#define STS_TIMEOUT_MS 15000
#define IMDS_URL "http://169.254.169.254"
#define IMDS_TIMEOUT_MS 2000
#define IMDS_REPLY_MAX (64u << 10)

void aws_credentials_free(struct aws_credentials *c)
{
    if (!c)
        return;
    free(c->access_key_id);
    str_wipe_free(c->secret_access_key);
    str_wipe_free(c->session_token);
    memset(c, 0, sizeof(*c));
}

static void fail(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void fail(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

static const char *env(const char *name)
{
    const char *v = getenv(name);
    return v && *v ? v : NULL;
}

/* Sets out's keys from copies; returns 0 or -1 when memory runs out. */
static int set_keys(struct aws_credentials *out, const char *id,
                    const char *secret, const char *token)
{
    memset(out, 0, sizeof(*out));
    out->access_key_id = strdup(id);
    out->secret_access_key = strdup(secret);
    out->session_token = token && *token ? strdup(token) : NULL;
    if (!out->access_key_id || !out->secret_access_key ||
        (token && *token && !out->session_token)) {
        aws_credentials_free(out);
        return -1;
    }
    return 0;
}

/* ---- RFC 3339 times ---- */

static int two(const char *s, int *v)
{
    if (!isdigit((unsigned char)s[0]) || !isdigit((unsigned char)s[1]))
        return -1;
    *v = (s[0] - '0') * 10 + (s[1] - '0');
    return 0;
}

static int zone_offset(const char *s, long *offset)
{
    int hh, mm;
    if ((*s == 'Z' || *s == 'z') && s[1] == '\0') {
        *offset = 0;
        return 0;
    }
    if ((*s != '+' && *s != '-') || two(s + 1, &hh) || s[3] != ':' ||
        two(s + 4, &mm) || s[6] != '\0' || hh > 23 || mm > 59)
        return -1;
    *offset = (hh * 3600L + mm * 60L) * (*s == '-' ? -1 : 1);
    return 0;
}

int creds_parse_time(const char *s, time_t *out)
{
    int y1, y2, mon, day, hour, min, sec;
    if (!s || strlen(s) < 20 || two(s, &y1) || two(s + 2, &y2) ||
        s[4] != '-' || two(s + 5, &mon) || s[7] != '-' ||
        two(s + 8, &day) || (s[10] != 'T' && s[10] != 't') ||
        two(s + 11, &hour) || s[13] != ':' || two(s + 14, &min) ||
        s[16] != ':' || two(s + 17, &sec))
        return -1;
    const char *p = s + 19;
    if (*p == '.')
        for (p++; isdigit((unsigned char)*p); p++)
            ;
    long offset;
    if (zone_offset(p, &offset) < 0 || mon < 1 || mon > 12 || day < 1 ||
        day > 31 || hour > 23 || min > 59 || sec > 60)
        return -1;
    struct tm tm = {
        .tm_year = y1 * 100 + y2 - 1900, .tm_mon = mon - 1, .tm_mday = day,
        .tm_hour = hour, .tm_min = min, .tm_sec = sec,
    };
    time_t t = timegm(&tm);
    if (t == (time_t)-1)
        return -1;
    *out = t - offset;
    return 0;
}

/* ---- credential_process: splitting and running the command ---- */

void creds_free_words(char **words)
{
    if (!words)
        return;
    for (char **w = words; *w; w++)
        free(*w);
    free(words);
}

static int push_word(char ***words, size_t *n, struct buf *word)
{
    char **grown = realloc(*words, (*n + 2) * sizeof(**words));
    if (!grown)
        return -1;
    *words = grown;
    grown[*n] = buf_take(word);
    if (!grown[*n])
        return -1;
    grown[++*n] = NULL;
    return 0;
}

/* Reads one word starting at *pp into word; returns 0, or -1 on an
 * unterminated quote or a failed append. */
static int read_word(const char **pp, struct buf *word)
{
    const char *p = *pp;
    int rc = 0;
    while (*p && !isspace((unsigned char)*p) && rc == 0) {
        if (*p == '\'') {
            const char *end = strchr(p + 1, '\'');
            if (!end)
                return -1;
            rc = buf_append(word, p + 1, (size_t)(end - p - 1));
            p = end + 1;
        } else if (*p == '"') {
            for (p++; *p && *p != '"' && rc == 0; p++) {
                if (*p == '\\' && p[1] && strchr("\\\"$`\n", p[1]))
                    p++;
                rc = buf_putc(word, *p);
            }
            if (*p != '"')
                return -1;
            p++;
        } else if (*p == '\\' && p[1]) {
            rc = buf_putc(word, p[1]);
            p += 2;
        } else {
            rc = buf_putc(word, *p++);
        }
    }
    *pp = p;
    return rc;
}

char **creds_split_command(const char *command)
{
    char **words = NULL;
    size_t n = 0;
    const char *p = command;
    struct buf word;
    buf_init(&word, 0);
    for (;;) {
        while (isspace((unsigned char)*p))
            p++;
        if (!*p)
            break;
        if (read_word(&p, &word) < 0 || push_word(&words, &n, &word) < 0) {
            buf_cleanup(&word);
            creds_free_words(words);
            return NULL;
        }
    }
    return words;
}

static long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

static int make_pipe(int fds[2])
{
    if (pipe(fds) < 0)
        return -1;
    fcntl(fds[0], F_SETFD, FD_CLOEXEC);
    fcntl(fds[1], F_SETFD, FD_CLOEXEC);
    return 0;
}

/* Reads fd into b; returns 1 at end of file, 0 for more, -1 past b's
 * maximum or on a read error. */
static int drain(int fd, struct buf *b)
{
    char chunk[4096];
    ssize_t n = read(fd, chunk, sizeof(chunk));
    if (n < 0)
        return errno == EINTR || errno == EAGAIN ? 0 : -1;
    if (n == 0)
        return 1;
    return buf_append(b, chunk, (size_t)n) < 0 ? -1 : 0;
}

/* Collects stdout and stderr until both close, the output grows past its
 * limit or the deadline passes. Returns 0, or -1 with what went wrong. */
static int collect(int outfd, int errfd, struct buf *out, struct buf *errout,
                   long timeout_ms, const char **reason)
{
    struct pollfd p[2] = {{.fd = outfd, .events = POLLIN},
                          {.fd = errfd, .events = POLLIN}};
    struct buf *bufs[2] = {out, errout};
    long deadline = now_ms() + timeout_ms;
    while (p[0].fd >= 0 || p[1].fd >= 0) {
        long left = deadline - now_ms();
        if (left <= 0) {
            *reason = "timed out";
            return -1;
        }
        if (poll(p, 2, (int)left) < 0 && errno != EINTR) {
            *reason = "poll failed";
            return -1;
        }
        for (int i = 0; i < 2; i++) {
            if (p[i].fd < 0 || !(p[i].revents & (POLLIN | POLLHUP)))
                continue;
            int rc = drain(p[i].fd, bufs[i]);
            if (rc < 0 && i == 0) {
                *reason = "wrote more output than allowed";
                return -1;
            }
            if (rc != 0)
                p[i].fd = -1; /* end of file, or stderr past its limit */
        }
    }
    return 0;
}

static int wait_child(pid_t pid)
{
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    return status;
}

/* First line of the process's stderr, for an error message. */
static void stderr_line(const struct buf *errout, char *out, size_t outlen)
{
    size_t n = errout->len ? strcspn(errout->data, "\r\n") : 0;
    snprintf(out, outlen, "%.*s", (int)n, errout->len ? errout->data : "");
}

struct process_run {
    pid_t pid;
    int out[2];
    int err[2];
};

static int spawn(char **argv, struct process_run *run, int *spawn_errno)
{
    run->out[0] = run->out[1] = run->err[0] = run->err[1] = -1;
    if (make_pipe(run->out) < 0 || make_pipe(run->err) < 0) {
        *spawn_errno = errno;
        return -1;
    }
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&fa, run->out[1], 1);
    posix_spawn_file_actions_adddup2(&fa, run->err[1], 2);
    /* Its own process group, so a timeout kills what it started too. */
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
    posix_spawnattr_setpgroup(&attr, 0);
    *spawn_errno = posix_spawnp(&run->pid, argv[0], &fa, &attr, argv,
                                environ);
    posix_spawnattr_destroy(&attr);
    posix_spawn_file_actions_destroy(&fa);
    close(run->out[1]);
    close(run->err[1]);
    return *spawn_errno ? -1 : 0;
}

static void close_run(struct process_run *run)
{
    if (run->out[0] >= 0)
        close(run->out[0]);
    if (run->err[0] >= 0)
        close(run->err[0]);
}

/* CREDS_PROCESS_TIMEOUT_MS, or the environment's valid override. */
static long process_timeout_ms(void)
{
    const char *text = getenv(CREDS_PROCESS_TIMEOUT_ENV);
    char *end;
    long ms = text && *text ? strtol(text, &end, 10) : 0;
    if (!text || !*text || *end || ms <= 0 ||
        ms > CREDS_PROCESS_TIMEOUT_MAX_MS)
        return CREDS_PROCESS_TIMEOUT_MS;
    return ms;
}

/*
 * While a credential_process runs, a stop signal kills its process group
 * before albatross goes, so no helper outlives it; the previous handler
 * is then restored and the signal raised again.
 */
static volatile sig_atomic_t running_group;
static const int stop_signals[] = { SIGTERM, SIGINT, SIGHUP };
static struct sigaction saved_actions[3];

static void on_stop(int sig)
{
    if (running_group > 0)
        kill(-(pid_t)running_group, SIGKILL);
    for (int i = 0; i < 3; i++)
        if (stop_signals[i] == sig)
            sigaction(sig, &saved_actions[i], NULL);
    raise(sig);
}

static void guard_group(pid_t pid)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_stop;
    sigemptyset(&sa.sa_mask);
    running_group = pid;
    for (int i = 0; i < 3; i++)
        sigaction(stop_signals[i], &sa, &saved_actions[i]);
}

static void unguard_group(void)
{
    for (int i = 0; i < 3; i++)
        sigaction(stop_signals[i], &saved_actions[i], NULL);
    running_group = 0;
}

/* Runs command without a shell and leaves its stdout in out. */
static int run_process(const char *command, const char *profile,
                       struct buf *out, char *err, size_t errlen)
{
    char **argv = creds_split_command(command);
    if (!argv) {
        fail(err, errlen, "credential_process \"%s\" is empty or has an "
             "unterminated quote", command);
        return -1;
    }
    struct process_run run;
    int spawn_errno = 0;
    int rc = spawn(argv, &run, &spawn_errno);
    if (rc < 0) {
        fail(err, errlen, "credential_process: cannot run %s: %s", argv[0],
             strerror(spawn_errno));
        close_run(&run);
        creds_free_words(argv);
        return -1;
    }
    struct buf errout;
    buf_init(&errout, 4096);
    const char *reason = NULL;
    long timeout_ms = process_timeout_ms();
    guard_group(run.pid);
    /* TODO: this blocks the event loop for up to timeout_ms; run the
     * process from the loop instead. */
    rc = collect(run.out[0], run.err[0], out, &errout, timeout_ms, &reason);
    if (rc < 0) {
        kill(-run.pid, SIGKILL);
        kill(run.pid, SIGKILL);
    }
    int status = wait_child(run.pid);
    unguard_group();
    char line[200];
    stderr_line(&errout, line, sizeof(line));
    if (rc < 0 && !strcmp(reason, "timed out"))
        fail(err, errlen, "credential_process for profile %s timed out "
             "after %ld%s: %s (%s sets the limit in ms)", profile,
             timeout_ms % 1000 ? timeout_ms : timeout_ms / 1000,
             timeout_ms % 1000 ? " ms" : " s", command,
             CREDS_PROCESS_TIMEOUT_ENV);
    else if (rc < 0)
        fail(err, errlen, "credential_process for profile %s %s (limit: %u "
             "bytes of output): %s", profile, reason,
             CREDS_PROCESS_MAX_OUTPUT, command);
    else if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        fail(err, errlen, "credential_process %s exited with status %d%s%s",
             argv[0], WIFEXITED(status) ? WEXITSTATUS(status) : -1,
             line[0] ? ": " : "", line);
        rc = -1;
    }
    buf_cleanup(&errout);
    close_run(&run);
    creds_free_words(argv);
    return rc;
}

/* ---- JSON credentials (credential_process, instance metadata) ---- */

/* cJSON_Delete frees strings without clearing them. */
static void wipe_json(cJSON *node)
{
    for (; node; node = node->next) {
        if (node->valuestring) {
            volatile char *p = node->valuestring;
            while (*p)
                *p++ = 0;
        }
        wipe_json(node->child);
    }
}

static const char *json_string(const cJSON *obj, const char *name)
{
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(obj, name);
    return cJSON_IsString(item) && item->valuestring[0] ? item->valuestring
                                                        : NULL;
}

/* Fills out from AccessKeyId, SecretAccessKey, token_key and Expiration
 * members of obj; what names the source for messages. */
static int json_keys(const cJSON *obj, const char *token_key,
                     const char *what, struct aws_credentials *out,
                     char *err, size_t errlen)
{
    const char *id = json_string(obj, "AccessKeyId");
    const char *secret = json_string(obj, "SecretAccessKey");
    const char *token = json_string(obj, token_key);
    const cJSON *exp = cJSON_GetObjectItemCaseSensitive(obj, "Expiration");
    if (!id || !secret) {
        fail(err, errlen, "%s has no AccessKeyId or SecretAccessKey string",
             what);
        return -1;
    }
    time_t expiration = 0;
    if (exp && (!cJSON_IsString(exp) ||
                creds_parse_time(exp->valuestring, &expiration) < 0)) {
        fail(err, errlen, "%s has an Expiration that is not an RFC 3339 "
             "time", what);
        return -1;
    }
    if (set_keys(out, id, secret, token) < 0) {
        fail(err, errlen, "%s: out of memory", what);
        return -1;
    }
    out->expiration = expiration;
    return 0;
}

int creds_parse_process_output(const char *json, size_t len,
                               struct aws_credentials *out, char *err,
                               size_t errlen)
{
    static const char what[] = "credential_process output";
    cJSON *root = cJSON_ParseWithLength(json, len);
    int rc = -1;
    const cJSON *version = cJSON_GetObjectItemCaseSensitive(root, "Version");
    if (!cJSON_IsObject(root))
        fail(err, errlen, "%s is not a JSON object", what);
    else if (!cJSON_IsNumber(version) || version->valuedouble != 1)
        fail(err, errlen, "%s has no \"Version\": 1; only version 1 is "
             "supported", what);
    else
        rc = json_keys(root, "SessionToken", what, out, err, errlen);
    wipe_json(root);
    cJSON_Delete(root);
    return rc;
}

static int process_provider(const char *command, const char *profile,
                            struct aws_credentials *out, char *err,
                            size_t errlen)
{
    struct buf output;
    buf_init(&output, CREDS_PROCESS_MAX_OUTPUT);
    int rc = run_process(command, profile, &output, err, errlen);
    if (rc == 0)
        rc = creds_parse_process_output(output.data ? output.data : "",
                                        output.len, out, err, errlen);
    buf_wipe(&output);
    if (rc == 0 && out->expiration && out->expiration <= time(NULL)) {
        char when[32];
        struct tm tm;
        gmtime_r(&out->expiration, &tm);
        strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
        fail(err, errlen, "credential_process for profile %s returned "
             "credentials that expired at %s; renew them (log in again) "
             "or fix the process: %s", profile, when, command);
        aws_credentials_free(out);
        return -1;
    }
    if (rc == 0)
        snprintf(out->source, sizeof(out->source),
                 "credential_process of profile %s", profile);
    return rc;
}

/* ---- one synchronous request on a client of its own ---- */

struct fetched {
    int done;
    long status;
    int failed;
    char error[256];
    char content_type[128];
    char error_type[128];
    char request_id[80];
    struct buf body;
};

static void copy_header(const struct http_response *res, const char *name,
                        char *out, size_t outlen)
{
    const char *v = http_response_header(res, name);
    snprintf(out, outlen, "%s", v ? v : "");
}

static void on_fetched(const struct http_request *req,
                       struct http_response *res, void *ctx)
{
    (void)req;
    struct fetched *f = ctx;
    f->done = 1;
    f->status = res->status;
    f->failed = res->failed;
    snprintf(f->error, sizeof(f->error), "%s", res->error);
    copy_header(res, "Content-Type", f->content_type,
                sizeof(f->content_type));
    copy_header(res, "x-amzn-ErrorType", f->error_type,
                sizeof(f->error_type));
    copy_header(res, "x-amzn-RequestId", f->request_id,
                sizeof(f->request_id));
    f->body = res->body; /* taken: the transport frees an empty buffer */
    buf_init(&res->body, 0);
}

/* Sends req and waits for the reply; f->body must be wiped by the
 * caller. Returns 0 when a reply arrived, or -1 with f->error set. */
static int fetch(struct http_request *req, struct fetched *f)
{
    memset(f, 0, sizeof(*f));
    buf_init(&f->body, 0);
    struct http_client *c = http_client_new();
    if (!c || http_submit(c, req, on_fetched, f) < 0) {
        if (!c)
            http_request_free(req);
        http_client_free(c);
        snprintf(f->error, sizeof(f->error), "could not start the request");
        return -1;
    }
    while (!f->done && http_pending(c) > 0)
        if (http_wait(c, NULL, NULL, 0, 250) < 0)
            break;
    http_client_free(c);
    if (!f->done)
        snprintf(f->error, sizeof(f->error), "the HTTP client failed");
    return f->done && !f->failed ? 0 : -1;
}

/* ---- web identity ---- */

static char *read_token_file(const char *path, char *err, size_t errlen)
{
    struct buf b;
    char why[128];
    buf_init(&b, TOKEN_FILE_MAX);
    int rc = buf_read_file(&b, path, why, sizeof(why));
    if (rc < 0 && errno != EFBIG) {
        fail(err, errlen, "web identity token file %s: %s", path, why);
        buf_wipe(&b);
        return NULL;
    }
    while (b.len && isspace((unsigned char)b.data[b.len - 1]))
        b.data[--b.len] = '\0';
    if (rc < 0 || b.len == 0) {
        fail(err, errlen, "web identity token file %s is empty or larger "
             "than %u bytes", path, TOKEN_FILE_MAX);
        buf_wipe(&b);
        return NULL;
    }
    return buf_take(&b);
}

static int put_param(struct buf *body, const char *name, const char *value)
{
    if (body->len && buf_putc(body, '&') < 0)
        return -1;
    if (buf_puts(body, name) < 0 || buf_putc(body, '=') < 0)
        return -1;
    return sigv4_uri_encode(body, value, strlen(value), 0);
}

int creds_parse_sts_reply(const char *xml, size_t len,
                          struct aws_credentials *out, char *err,
                          size_t errlen)
{
    struct api_error e = {0};
    xmlDoc *doc = awsxml_parse(xml, len, "STS", &e);
    if (!doc) {
        fail(err, errlen, "%s", e.message);
        return -1;
    }
    xmlNode *c = awsxml_find(xmlDocGetRootElement(doc), "Credentials");
    char *id = awsxml_child_text(c, "AccessKeyId");
    char *secret = awsxml_child_text(c, "SecretAccessKey");
    char *token = awsxml_child_text(c, "SessionToken");
    char *exp = awsxml_child_text(c, "Expiration");
    int rc = -1;
    time_t expiration = 0;
    if (!id || !*id || !secret || !*secret)
        fail(err, errlen, "STS reply has no Credentials with AccessKeyId "
             "and SecretAccessKey");
    else if (exp && creds_parse_time(exp, &expiration) < 0)
        fail(err, errlen, "STS reply has an invalid Expiration \"%.40s\"",
             exp);
    else if (set_keys(out, id, secret, token) < 0)
        fail(err, errlen, "out of memory reading the STS reply");
    else
        rc = 0;
    out->expiration = rc == 0 ? expiration : 0;
    free(id);
    str_wipe_free(secret);
    str_wipe_free(token);
    free(exp);
    xmlFreeDoc(doc);
    return rc;
}

static struct http_request *web_identity_request(const struct creds_chain *ch,
                                                 const char *role_arn,
                                                 const char *session,
                                                 const char *token)
{
    struct buf url;
    buf_init(&url, 0);
    if (buf_printf(&url, "%s/", ch->sts_endpoint) < 0)
        return NULL;
    struct http_request *req = http_request_new("POST", url.data);
    buf_cleanup(&url);
    if (!req)
        return NULL;
    req->timeout_ms = STS_TIMEOUT_MS;
    if (put_param(&req->body, "Action", "AssumeRoleWithWebIdentity") < 0 ||
        put_param(&req->body, "Version", "2011-06-15") < 0 ||
        put_param(&req->body, "RoleArn", role_arn) < 0 ||
        put_param(&req->body, "RoleSessionName", session) < 0 ||
        put_param(&req->body, "WebIdentityToken", token) < 0 ||
        http_request_header(req, "Content-Type", "application/"
                            "x-www-form-urlencoded; charset=utf-8") < 0 ||
        http_request_set(&req->ca_pem, ch->ca_pem) < 0) {
        http_request_free(req);
        return NULL;
    }
    return req;
}

static int web_identity_reply(struct fetched *f, const char *role_arn,
                              struct aws_credentials *out, char *err,
                              size_t errlen)
{
    if (f->status != 200) {
        struct api_error e = {0};
        aws_error_from_reply(&e, f->status, f->content_type, f->error_type,
                             &f->body);
        fail(err, errlen, "web identity: STS AssumeRoleWithWebIdentity "
             "for %s failed: %s: %s", role_arn, e.code, e.message);
        return -1;
    }
    return creds_parse_sts_reply(f->body.data, f->body.len, out, err,
                                 errlen);
}

static int web_identity(const struct creds_chain *ch, const char *token_file,
                        const char *role_arn, const char *session_name,
                        struct aws_credentials *out, char *err, size_t errlen)
{
    if (!ch->sts_endpoint) {
        fail(err, errlen, "web identity: no STS endpoint; set AWS_REGION");
        return -1;
    }
    char *token = read_token_file(token_file, err, errlen);
    if (!token)
        return -1;
    char session[64];
    if (session_name)
        snprintf(session, sizeof(session), "%s", session_name);
    else
        snprintf(session, sizeof(session), "albatross-%lld",
                 (long long)time(NULL));
    struct http_request *req = web_identity_request(ch, role_arn, session,
                                                    token);
    str_wipe_free(token);
    if (!req) {
        fail(err, errlen, "web identity: out of memory");
        return -1;
    }
    struct fetched f;
    int rc = fetch(req, &f);
    if (rc < 0)
        fail(err, errlen, "web identity: STS %s: %s", ch->sts_endpoint,
             f.error);
    else
        rc = web_identity_reply(&f, role_arn, out, err, errlen);
    buf_wipe(&f.body);
    if (rc == 0)
        snprintf(out->source, sizeof(out->source), "web identity %.40s",
                 role_arn);
    return rc;
}

/* ---- instance metadata (IMDSv2) ---- */

static int imds_get(const char *method, const char *path, const char *token,
                    struct fetched *f)
{
    struct http_request *req = http_request_new(method, path);
    if (!req)
        return -1;
    req->connect_timeout_ms = IMDS_TIMEOUT_MS / 2;
    req->timeout_ms = IMDS_TIMEOUT_MS;
    req->max_response = IMDS_REPLY_MAX;
    int rc = token ? http_request_header(req, "X-aws-ec2-metadata-token",
                                         token)
                   : http_request_header(req,
                                         "X-aws-ec2-metadata-token-ttl-"
                                         "seconds", "21600");
    if (rc < 0) {
        http_request_free(req);
        return -1;
    }
    rc = fetch(req, f);
    return rc == 0 && f->status == 200 && f->body.len ? 0 : -1;
}

static int imds_credentials(const char *json, size_t len,
                            struct aws_credentials *out, char *err,
                            size_t errlen)
{
    cJSON *root = cJSON_ParseWithLength(json, len);
    int rc = json_keys(root, "Token", "instance metadata credentials", out,
                       err, errlen);
    wipe_json(root);
    cJSON_Delete(root);
    return rc;
}

/* Returns 1 when the metadata service gave nothing (not on EC2, no
 * role), so the chain reports that no credentials were found. */
static int imds(struct aws_credentials *out, char *err, size_t errlen)
{
    static const char creds_path[] =
        IMDS_URL "/latest/meta-data/iam/security-credentials/";
    struct fetched token = {0}, role = {0}, creds = {0};
    struct buf url;
    buf_init(&url, 0);
    int rc = imds_get("PUT", IMDS_URL "/latest/api/token", NULL, &token);
    if (rc == 0)
        rc = imds_get("GET", creds_path, token.body.data, &role);
    if (rc == 0) {
        role.body.data[strcspn(role.body.data, "\r\n")] = '\0';
        rc = buf_printf(&url, "%s%s", creds_path, role.body.data);
    }
    if (rc == 0)
        rc = imds_get("GET", url.data, token.body.data, &creds);
    if (rc == 0)
        rc = imds_credentials(creds.body.data, creds.body.len, out, err,
                              errlen);
    else
        rc = 1;
    buf_cleanup(&url);
    buf_wipe(&token.body);
    buf_cleanup(&role.body);
    buf_wipe(&creds.body);
    if (rc == 0)
        snprintf(out->source, sizeof(out->source), "instance metadata");
    return rc;
}

/* ---- the chain ---- */

static const char *cfg(const struct creds_chain *ch, const char *key)
{
    return ch->config ? awsconfig_get(ch->config, key) : NULL;
}

static const char *cred_file(const struct creds_chain *ch, const char *key)
{
    return ch->credentials ? awsconfig_get(ch->credentials, key) : NULL;
}

/* Returns 1 when the environment has no keys, 0 when out was filled,
 * -1 on a half-set pair. */
static int environment(struct aws_credentials *out, char *err, size_t errlen)
{
    const char *id = env("AWS_ACCESS_KEY_ID");
    const char *secret = env("AWS_SECRET_ACCESS_KEY");
    if (!id && !secret)
        return 1;
    if (!id || !secret) {
        fail(err, errlen, "%s is set but %s is not: set both or neither",
             id ? "AWS_ACCESS_KEY_ID" : "AWS_SECRET_ACCESS_KEY",
             id ? "AWS_SECRET_ACCESS_KEY" : "AWS_ACCESS_KEY_ID");
        return -1;
    }
    if (set_keys(out, id, secret, env("AWS_SESSION_TOKEN")) < 0) {
        fail(err, errlen, "out of memory");
        return -1;
    }
    snprintf(out->source, sizeof(out->source), "environment");
    return 0;
}

/* Static keys of a profile section; path names the file for messages. */
static int static_keys(const struct awsconfig_section *sec, const char *path,
                       const char *profile, struct aws_credentials *out,
                       char *err, size_t errlen)
{
    if (!sec)
        return 1;
    const char *id = awsconfig_get(sec, "aws_access_key_id");
    const char *secret = awsconfig_get(sec, "aws_secret_access_key");
    if (!id && !secret)
        return 1;
    if (!id || !secret) {
        fail(err, errlen, "%s: profile %s has %s but not %s", path, profile,
             id ? "aws_access_key_id" : "aws_secret_access_key",
             id ? "aws_secret_access_key" : "aws_access_key_id");
        return -1;
    }
    if (set_keys(out, id, secret, awsconfig_get(sec, "aws_session_token"))) {
        fail(err, errlen, "out of memory");
        return -1;
    }
    snprintf(out->source, sizeof(out->source), "profile %s", profile);
    return 0;
}

/* Profiles this chain does not handle yet: fail loudly, so the session
 * never signs with some other identity than the one configured. */
static int unsupported_profile(const struct creds_chain *ch, char *err,
                               size_t errlen)
{
    const char *role = cfg(ch, "role_arn");
    if (role && !cfg(ch, "web_identity_token_file")) {
        fail(err, errlen, "%s: profile %s assumes role %s through "
             "source_profile or credential_source, which albatross does not "
             "support yet; export that role's credentials with `aws "
             "configure export-credentials --profile %s --format env`",
             ch->config_path, ch->profile, role, ch->profile);
        return -1;
    }
    if (cfg(ch, "sso_session") || cfg(ch, "sso_start_url")) {
        fail(err, errlen, "%s: profile %s uses IAM Identity Center (SSO), "
             "which albatross does not support yet; export credentials with "
             "`aws configure export-credentials --profile %s --format env`",
             ch->config_path, ch->profile, ch->profile);
        return -1;
    }
    return 1;
}

static int web_identity_provider(const struct creds_chain *ch,
                                 struct aws_credentials *out, char *err,
                                 size_t errlen)
{
    const char *token_file = env("AWS_WEB_IDENTITY_TOKEN_FILE");
    if (!token_file)
        token_file = cfg(ch, "web_identity_token_file");
    if (!token_file)
        return 1;
    const char *role = env("AWS_ROLE_ARN");
    if (!role)
        role = cfg(ch, "role_arn");
    if (!role) {
        fail(err, errlen, "web identity token file %s is configured but no "
             "role: set AWS_ROLE_ARN or role_arn in profile %s", token_file,
             ch->profile);
        return -1;
    }
    const char *session = env("AWS_ROLE_SESSION_NAME");
    if (!session)
        session = cfg(ch, "role_session_name");
    return web_identity(ch, token_file, role, session, out, err, errlen);
}

static int process_from_profile(const struct creds_chain *ch,
                                struct aws_credentials *out, char *err,
                                size_t errlen)
{
    const char *command = cfg(ch, "credential_process");
    if (!command)
        command = cred_file(ch, "credential_process");
    if (!command)
        return 1;
    return process_provider(command, ch->profile, out, err, errlen);
}

static int metadata_disabled(void)
{
    const char *v = env("AWS_EC2_METADATA_DISABLED");
    return v && strcasecmp(v, "true") == 0;
}

static void none_found(const struct creds_chain *ch, char *err, size_t errlen)
{
    fail(err, errlen, "no AWS credentials found: set AWS_ACCESS_KEY_ID and "
         "AWS_SECRET_ACCESS_KEY, or configure profile %s in %s or %s%s",
         ch->profile, ch->credentials_path ? ch->credentials_path : "-",
         ch->config_path ? ch->config_path : "-",
         metadata_disabled() ? " (instance metadata is disabled by "
                               "AWS_EC2_METADATA_DISABLED)" : "");
}

int creds_resolve(const struct creds_chain *ch, struct aws_credentials *out,
                  char *err, size_t errlen)
{
    memset(out, 0, sizeof(*out));
    int rc = ch->profile_explicit ? 1 : environment(out, err, errlen);
    if (rc == 1)
        rc = unsupported_profile(ch, err, errlen);
    if (rc == 1)
        rc = web_identity_provider(ch, out, err, errlen);
    if (rc == 1)
        rc = static_keys(ch->credentials, ch->credentials_path, ch->profile,
                         out, err, errlen);
    if (rc == 1)
        rc = process_from_profile(ch, out, err, errlen);
    if (rc == 1)
        rc = static_keys(ch->config, ch->config_path, ch->profile, out, err,
                         errlen);
    if (rc == 1 && !metadata_disabled())
        rc = imds(out, err, errlen);
    if (rc == 1)
        none_found(ch, err, errlen);
    return rc == 0 ? 0 : -1;
}
