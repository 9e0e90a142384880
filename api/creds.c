/*
 * The credential provider chain. creds_choose walks it up to the first
 * provider that applies. Keys from the environment and the files come
 * back at once. credential_process runs from the event loop
 * (creds_process_start), instance metadata is read there too (imds.c),
 * and web identity is an STS call that the session sends (aws_creds.c).
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
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/wait.h>
#include <time.h>

#include "awsxml.h"
#include "buf.h"
#include "error.h"
#include "http.h"
#include "proc.h"
#include "strutil.h"

#define TOKEN_FILE_MAX (64u << 10)

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

/* First line of the process's stderr, for an error message. */
static void stderr_line(const char *text, char *out, size_t outlen)
{
    size_t n = strcspn(text, "\r\n");
    snprintf(out, outlen, "%.*s", (int)n, text);
}

long creds_process_timeout_ms(void)
{
    const char *text = getenv(CREDS_PROCESS_TIMEOUT_ENV);
    char *end;
    long ms = text && *text ? strtol(text, &end, 10) : 0;
    if (!text || !*text || *end || ms <= 0 ||
        ms > CREDS_PROCESS_TIMEOUT_MAX_MS)
        return CREDS_PROCESS_TIMEOUT_MS;
    return ms;
}

struct creds_process {
    struct proc *proc;
    char *command;
    char *profile;
    long timeout_ms;
    creds_done_fn done;
    void *ctx;
};

static void process_free(struct creds_process *run)
{
    free(run->command);
    free(run->profile);
    free(run);
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

/* Judges a finished run and parses its output into out. Returns 0, or
 * -1 with the profile, the command and the fix in err. */
static int process_result(const struct creds_process *run,
                          const struct proc_result *r,
                          struct aws_credentials *out, char *err,
                          size_t errlen)
{
    long ms = run->timeout_ms;
    char line[200];
    stderr_line(r->err_text, line, sizeof(line));
    if (r->timed_out) {
        fail(err, errlen, "credential_process for profile %s timed out "
             "after %ld%s: %s (%s sets the limit in ms)", run->profile,
             ms % 1000 ? ms : ms / 1000, ms % 1000 ? " ms" : " s",
             run->command, CREDS_PROCESS_TIMEOUT_ENV);
        return -1;
    }
    if (r->overflow) {
        fail(err, errlen, "credential_process for profile %s wrote more "
             "output than allowed (limit: %u bytes of output): %s",
             run->profile, CREDS_PROCESS_MAX_OUTPUT, run->command);
        return -1;
    }
    if (r->cancelled || r->closing) {
        fail(err, errlen, "credential_process for profile %s was "
             "cancelled: %s", run->profile, run->command);
        return -1;
    }
    if (WIFSIGNALED(r->status)) {
        fail(err, errlen, "credential_process for profile %s was killed by "
             "signal %d%s%s (command: %s)", run->profile,
             WTERMSIG(r->status), line[0] ? ": " : "", line, run->command);
        return -1;
    }
    if (WEXITSTATUS(r->status) != 0) {
        fail(err, errlen, "credential_process for profile %s exited with "
             "status %d%s%s (command: %s)", run->profile,
             WEXITSTATUS(r->status), line[0] ? ": " : "", line,
             run->command);
        return -1;
    }
    const struct buf *o = r->out;
    return creds_parse_process_output(o->data ? o->data : "", o->len, out,
                                      err, errlen);
}

/* Rejects credentials that expired already: they would only fail later
 * with InvalidClientTokenId. */
static int check_not_expired(const struct creds_process *run,
                             struct aws_credentials *out, char *err,
                             size_t errlen)
{
    if (!out->expiration || out->expiration > time(NULL))
        return 0;
    char when[32];
    struct tm tm;
    gmtime_r(&out->expiration, &tm);
    strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
    fail(err, errlen, "credential_process for profile %s returned "
         "credentials that expired at %s; renew them (log in again) or "
         "fix the process: %s", run->profile, when, run->command);
    aws_credentials_free(out);
    return -1;
}

static void on_process_done(struct proc_result *r, void *ctx)
{
    struct creds_process *run = ctx;
    struct aws_credentials creds;
    char err[512];
    memset(&creds, 0, sizeof(creds));
    int rc = process_result(run, r, &creds, err, sizeof(err));
    if (rc == 0)
        rc = check_not_expired(run, &creds, err, sizeof(err));
    if (rc == 0)
        snprintf(creds.source, sizeof(creds.source),
                 "credential_process of profile %s", run->profile);
    enum creds_end end = rc == 0 ? CREDS_DONE
                         : r->closing ? CREDS_CLOSING
                         : r->cancelled ? CREDS_CANCELLED : CREDS_FAILED;
    run->done(run->ctx, end, rc == 0 ? &creds : NULL, rc == 0 ? NULL : err);
    aws_credentials_free(&creds);
    process_free(run);
}

struct creds_process *creds_process_start(struct http_client *c,
                                          const char *command,
                                          const char *profile,
                                          creds_done_fn done, void *ctx,
                                          char *err, size_t errlen)
{
    char **argv = creds_split_command(command);
    if (!argv) {
        fail(err, errlen, "credential_process \"%s\" is empty or has an "
             "unterminated quote", command);
        return NULL;
    }
    struct creds_process *run = calloc(1, sizeof(*run));
    if (run) {
        run->command = strdup(command);
        run->profile = strdup(profile);
        run->timeout_ms = creds_process_timeout_ms();
        run->done = done;
        run->ctx = ctx;
    }
    int spawn_error = ENOMEM;
    if (run && run->command && run->profile)
        run->proc = proc_start(c, argv, NULL, run->timeout_ms,
                               CREDS_PROCESS_MAX_OUTPUT, on_process_done,
                               run, &spawn_error);
    if (!run || !run->proc) {
        fail(err, errlen, "credential_process for profile %s: cannot run "
             "%s: %s; fix the command or install it", profile, argv[0],
             strerror(spawn_error));
        if (run)
            process_free(run);
        run = NULL;
    }
    creds_free_words(argv);
    return run;
}

void creds_process_kill(struct creds_process *run)
{
    if (!run)
        return;
    proc_kill(run->proc);
    process_free(run);
}

/* ---- web identity ---- */

char *creds_read_token_file(const char *path, char *err, size_t errlen)
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

/* ---- instance metadata ---- */

int creds_parse_metadata(const char *json, size_t len,
                         struct aws_credentials *out, char *err,
                         size_t errlen)
{
    cJSON *root = cJSON_ParseWithLength(json, len);
    int rc = json_keys(root, "Token", "instance metadata credentials", out,
                       err, errlen);
    wipe_json(root);
    cJSON_Delete(root);
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
                                 struct creds_plan *plan, char *err,
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
    plan->step = CREDS_WEB_IDENTITY;
    plan->token_file = token_file;
    plan->role_arn = role;
    plan->session_name = session;
    return 0;
}

static int process_from_profile(const struct creds_chain *ch,
                                struct creds_plan *plan)
{
    const char *command = cfg(ch, "credential_process");
    if (!command)
        command = cred_file(ch, "credential_process");
    if (!command)
        return 1;
    plan->step = CREDS_PROCESS;
    plan->command = command;
    return 0;
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

int creds_choose(const struct creds_chain *ch, struct aws_credentials *out,
                 struct creds_plan *plan, char *err, size_t errlen)
{
    memset(out, 0, sizeof(*out));
    memset(plan, 0, sizeof(*plan));
    plan->step = CREDS_READY;
    int rc = ch->profile_explicit ? 1 : environment(out, err, errlen);
    if (rc == 1)
        rc = unsupported_profile(ch, err, errlen);
    if (rc == 1)
        rc = web_identity_provider(ch, plan, err, errlen);
    if (rc == 1)
        rc = static_keys(ch->credentials, ch->credentials_path, ch->profile,
                         out, err, errlen);
    if (rc == 1)
        rc = process_from_profile(ch, plan);
    if (rc == 1)
        rc = static_keys(ch->config, ch->config_path, ch->profile, out, err,
                         errlen);
    if (rc == 1)
        none_found(ch, err, errlen);
    if (rc == 1 && !metadata_disabled()) {
        plan->step = CREDS_METADATA;
        rc = 0;
    }
    return rc == 0 ? 0 : -1;
}
