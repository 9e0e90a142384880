#include "exec.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "buf.h"
#include "creds.h"
#include "http.h"
#include "proc.h"
#include "strutil.h"

#define EXEC_INFO_VAR "KUBERNETES_EXEC_INFO"

extern char **environ;

void exec_credential_cleanup(struct exec_credential *cred)
{
    str_wipe_free(cred->token);
    free(cred->cert_pem);
    str_wipe_free(cred->key_pem);
    memset(cred, 0, sizeof(*cred));
}

/* ---- ExecCredential ----------------------------------------------------- */

/* Copies a string member of status, then overwrites it in the tree so the
 * secret does not outlive the parse in freed memory. */
static int take_string(cJSON *status, const char *name, char **out,
                       char *err, size_t errlen)
{
    cJSON *v = cJSON_GetObjectItemCaseSensitive(status, name);
    *out = NULL;
    if (!v || cJSON_IsNull(v))
        return 0;
    if (!cJSON_IsString(v) || !v->valuestring) {
        snprintf(err, errlen, "status.%s must be a string", name);
        return -1;
    }
    *out = strdup(v->valuestring);
    memset(v->valuestring, 0, strlen(v->valuestring));
    if (!*out) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    return 0;
}

static int parse_status(cJSON *status, struct exec_credential *cred,
                        char *err, size_t errlen)
{
    if (take_string(status, "token", &cred->token, err, errlen) < 0 ||
        take_string(status, "clientCertificateData", &cred->cert_pem, err,
                    errlen) < 0 ||
        take_string(status, "clientKeyData", &cred->key_pem, err,
                    errlen) < 0)
        return -1;
    if (!cred->cert_pem != !cred->key_pem) {
        snprintf(err, errlen, "status has only one of clientCertificateData "
                 "and clientKeyData; the plugin must return both");
        return -1;
    }
    if ((!cred->token || !*cred->token) && !cred->cert_pem) {
        snprintf(err, errlen, "status has neither a token nor "
                 "clientCertificateData and clientKeyData");
        return -1;
    }
    cJSON *t = cJSON_GetObjectItemCaseSensitive(status,
                                                "expirationTimestamp");
    if (!t || cJSON_IsNull(t))
        return 0;
    if (!cJSON_IsString(t) ||
        creds_parse_time(t->valuestring, &cred->expiry) < 0) {
        snprintf(err, errlen, "status.expirationTimestamp must be an RFC "
                 "3339 time such as 2024-05-01T12:00:00Z");
        return -1;
    }
    return 0;
}

static int check_header(cJSON *root, const char *api_version, char *err,
                        size_t errlen)
{
    const char *kind = cJSON_GetStringValue(
        cJSON_GetObjectItemCaseSensitive(root, "kind"));
    const char *version = cJSON_GetStringValue(
        cJSON_GetObjectItemCaseSensitive(root, "apiVersion"));
    if (!kind || strcmp(kind, "ExecCredential")) {
        snprintf(err, errlen, "kind is \"%.64s\", expected ExecCredential",
                 kind ? kind : "");
        return -1;
    }
    if (!version || strcmp(version, api_version)) {
        snprintf(err, errlen, "apiVersion is \"%.80s\" but the kubeconfig "
                 "asks for %s; make the two agree",
                 version ? version : "", api_version);
        return -1;
    }
    return 0;
}

int exec_parse(const char *json, size_t len, const char *api_version,
               struct exec_credential *cred, char *err, size_t errlen)
{
    memset(cred, 0, sizeof(*cred));
    cJSON *root = cJSON_ParseWithLength(json, len);
    int rc = -1;
    if (!cJSON_IsObject(root))
        snprintf(err, errlen, "output is not a JSON object");
    else if (check_header(root, api_version, err, errlen) == 0) {
        cJSON *status = cJSON_GetObjectItemCaseSensitive(root, "status");
        if (!cJSON_IsObject(status))
            snprintf(err, errlen, "output has no status object");
        else
            rc = parse_status(status, cred, err, errlen);
    }
    cJSON_Delete(root);
    if (rc < 0)
        exec_credential_cleanup(cred);
    return rc;
}

/* ---- running the plugin ------------------------------------------------- */

static int same_name(const char *a, const char *b)
{
    size_t n = strcspn(a, "=");
    return !strncmp(a, b, n) && b[n] == '=';
}

/* environ with env's entries replacing those of the same name, then
 * KUBERNETES_EXEC_INFO. The strings are borrowed; free the array only. */
static char **build_env(char *const *env, char *exec_info)
{
    size_t n = 0, m = 0, k = 0;
    while (environ && environ[n])
        n++;
    while (env && env[m])
        m++;
    char **v = calloc(n + m + 2, sizeof(char *));
    if (!v)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        int replaced = same_name(EXEC_INFO_VAR "=", environ[i]);
        for (size_t j = 0; j < m && !replaced; j++)
            replaced = same_name(env[j], environ[i]);
        if (!replaced)
            v[k++] = environ[i];
    }
    for (size_t j = 0; j < m; j++)
        v[k++] = env[j];
    v[k] = exec_info;
    return v;
}

struct exec_run {
    struct proc *proc;
    char *api_version;
    char *command;          /* argv[0], for messages */
    int timeout_ms;
    exec_done_fn done;
    void *ctx;
};

static void run_free(struct exec_run *run)
{
    free(run->api_version);
    free(run->command);
    free(run);
}

/* stderr as one line for a message: control characters become spaces. */
static const char *stderr_line(const char *text, char *out, size_t outlen)
{
    snprintf(out, outlen, "%s", text);
    size_t n = strlen(out);
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)out[i] < 0x20 || out[i] == 0x7f)
            out[i] = ' ';
    while (n > 0 && out[n - 1] == ' ')
        out[--n] = '\0';
    char *s = out + strspn(out, " ");
    return *s ? s : "(nothing on stderr)";
}

/* Sets err when the run did not end with exit status 0. */
static int report_end(const struct exec_run *run, const struct proc_result *r,
                      char *err, size_t errlen)
{
    char line[PROC_STDERR_KEPT + 1];
    const char *cmd = run->command;
    const char *text = stderr_line(r->err_text, line, sizeof(line));
    if (r->overflow)
        snprintf(err, errlen, "exec plugin %s printed more than %u KiB on "
                 "stdout and was killed", cmd, EXEC_MAX_OUTPUT >> 10);
    else if (r->timed_out)
        snprintf(err, errlen, "exec plugin %s timed out after %d ms and was "
                 "killed; stderr: %.300s", cmd, run->timeout_ms, text);
    else if (r->cancelled || r->closing)
        snprintf(err, errlen, "exec plugin %s was cancelled", cmd);
    else if (WIFSIGNALED(r->status))
        snprintf(err, errlen, "exec plugin %s was killed by signal %d: "
                 "%.300s", cmd, WTERMSIG(r->status), text);
    else if (WEXITSTATUS(r->status) != 0)
        snprintf(err, errlen, "exec plugin %s failed with exit status %d: "
                 "%.300s", cmd, WEXITSTATUS(r->status), text);
    else
        return 0;
    return -1;
}

static void on_plugin_done(struct proc_result *r, void *ctx)
{
    struct exec_run *run = ctx;
    struct exec_credential cred;
    char err[768], why[256];
    memset(&cred, 0, sizeof(cred));
    int rc = report_end(run, r, err, sizeof(err));
    if (rc == 0) {
        const char *out = r->out->data ? r->out->data : "";
        rc = exec_parse(out, r->out->len, run->api_version, &cred, why,
                        sizeof(why));
        if (rc < 0)
            snprintf(err, sizeof(err), "exec plugin %s printed an invalid "
                     "ExecCredential: %s", run->command, why);
    }
    enum exec_end end = rc == 0 ? EXEC_DONE
                        : r->closing ? EXEC_CLOSING
                        : r->cancelled ? EXEC_CANCELLED : EXEC_FAILED;
    run->done(run->ctx, end, rc == 0 ? &cred : NULL, rc == 0 ? NULL : err);
    exec_credential_cleanup(&cred);
    run_free(run);
}

/* Starts argv for run; returns 0, or an errno value. */
static int start_plugin(struct http_client *c, struct exec_run *run,
                        char *const *argv, char *const *env)
{
    struct buf info;
    buf_init(&info, 0);
    if (buf_printf(&info, EXEC_INFO_VAR "={\"kind\":\"ExecCredential\","
                   "\"apiVersion\":\"%s\",\"spec\":{\"interactive\":false}}",
                   run->api_version) < 0)
        return ENOMEM;
    char **envp = build_env(env, info.data);
    int spawn_error = ENOMEM;
    if (envp)
        run->proc = proc_start(c, argv, envp, run->timeout_ms,
                               EXEC_MAX_OUTPUT, on_plugin_done, run,
                               &spawn_error);
    free(envp);
    buf_cleanup(&info);
    return run->proc ? 0 : spawn_error;
}

struct exec_run *exec_start(struct http_client *c, const char *api_version,
                            char *const *argv, char *const *env,
                            int timeout_ms, exec_done_fn done, void *ctx,
                            char *err, size_t errlen)
{
    if (!argv || !argv[0] || !api_version) {
        snprintf(err, errlen, "exec plugin has no command or apiVersion");
        return NULL;
    }
    struct exec_run *run = calloc(1, sizeof(*run));
    int rc = ENOMEM;
    if (run) {
        run->api_version = strdup(api_version);
        run->command = strdup(argv[0]);
        run->timeout_ms = timeout_ms;
        run->done = done;
        run->ctx = ctx;
    }
    if (run && run->api_version && run->command)
        rc = start_plugin(c, run, argv, env);
    if (rc == 0)
        return run;
    if (rc == ENOENT)
        snprintf(err, errlen, "exec plugin %s not found in PATH; install "
                 "it, or fix exec.command in the kubeconfig", argv[0]);
    else
        snprintf(err, errlen, "cannot run exec plugin %s: %s", argv[0],
                 strerror(rc));
    if (run)
        run_free(run);
    return NULL;
}

void exec_kill(struct exec_run *run)
{
    if (!run)
        return;
    proc_kill(run->proc);
    run_free(run);
}

/* ---- waiting, for tools and tests --------------------------------------- */

struct blocking_run {
    int done;
    int rc;
    struct exec_credential *cred;
    char *err;
    size_t errlen;
};

static void on_blocking_done(void *ctx, enum exec_end end,
                             struct exec_credential *cred, const char *error)
{
    struct blocking_run *b = ctx;
    b->done = 1;
    b->rc = end == EXEC_DONE ? 0 : -1;
    if (end == EXEC_DONE) {
        *b->cred = *cred;
        memset(cred, 0, sizeof(*cred));
    } else {
        snprintf(b->err, b->errlen, "%s", error);
    }
}

int exec_run(const char *api_version, char *const *argv, char *const *env,
             int timeout_ms, struct exec_credential *cred, char *err,
             size_t errlen)
{
    struct blocking_run b = { 0, -1, cred, err, errlen };
    memset(cred, 0, sizeof(*cred));
    struct http_client *c = http_client_new();
    if (!c) {
        snprintf(err, errlen, "cannot start the HTTP client");
        return -1;
    }
    struct exec_run *run = exec_start(c, api_version, argv, env, timeout_ms,
                                      on_blocking_done, &b, err, errlen);
    while (run && !b.done)
        if (http_wait(c, NULL, NULL, 0, 250) < 0)
            break;
    http_client_free(c);    /* kills the plugin if the wait failed */
    return b.done ? b.rc : -1;
}
