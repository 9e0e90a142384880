#include "exec.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "buf.h"
#include "creds.h"
#include "strutil.h"

#define STDERR_KEPT 4096      /* bytes of stderr quoted in messages */
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

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

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

struct child {
    pid_t pid;
    int out, err;          /* read ends; -1 once closed */
    struct buf stdout_buf;
    char stderr_text[STDERR_KEPT + 1];
    size_t stderr_len;
    int overflow;
};

static int spawn(struct child *ch, char *const *argv, char **envp)
{
    int out[2], errp[2];
    if (pipe(out) < 0)
        return errno;
    if (pipe(errp) < 0) {
        int e = errno;
        close(out[0]);
        close(out[1]);
        return e;
    }
    for (int i = 0; i < 2; i++) {
        fcntl(out[i], F_SETFD, FD_CLOEXEC);
        fcntl(errp[i], F_SETFD, FD_CLOEXEC);
    }
    posix_spawn_file_actions_t fa;
    posix_spawnattr_t attr;
    sigset_t all, none;
    sigfillset(&all);
    sigemptyset(&none);
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&fa, out[1], 1);
    posix_spawn_file_actions_adddup2(&fa, errp[1], 2);
    posix_spawnattr_init(&attr);
    /* Its own process group, so a timeout kills what it started too. */
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP |
                             POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);
    posix_spawnattr_setpgroup(&attr, 0);
    posix_spawnattr_setsigdefault(&attr, &all);
    posix_spawnattr_setsigmask(&attr, &none);
    int rc = posix_spawnp(&ch->pid, argv[0], &fa, &attr, argv, envp);
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&attr);
    close(out[1]);
    close(errp[1]);
    ch->out = out[0];
    ch->err = errp[0];
    if (rc != 0) {
        close(out[0]);
        close(errp[0]);
        ch->out = ch->err = -1;
    }
    return rc;
}

static void drain(struct child *ch, int *fd, int is_stdout)
{
    char chunk[8192];
    ssize_t n = read(*fd, chunk, sizeof(chunk));
    if (n < 0 && (errno == EINTR || errno == EAGAIN))
        return;
    if (n <= 0) {
        close(*fd);
        *fd = -1;
        return;
    }
    if (is_stdout) {
        if (buf_append(&ch->stdout_buf, chunk, (size_t)n) < 0)
            ch->overflow = 1;
        return;
    }
    size_t room = STDERR_KEPT - ch->stderr_len;
    size_t keep = (size_t)n < room ? (size_t)n : room;
    memcpy(ch->stderr_text + ch->stderr_len, chunk, keep);
    ch->stderr_len += keep;
    ch->stderr_text[ch->stderr_len] = '\0';
}

/* Reads both pipes until they close, the deadline passes (returns -1) or
 * stdout passes its ceiling (sets overflow). */
static int read_output(struct child *ch, long long deadline)
{
    while ((ch->out >= 0 || ch->err >= 0) && !ch->overflow) {
        long long left = deadline - now_ms();
        if (left <= 0)
            return -1;
        struct pollfd p[2] = { { ch->out, POLLIN, 0 },
                               { ch->err, POLLIN, 0 } };
        int n = poll(p, 2, (int)left);
        if (n < 0 && errno != EINTR)
            return -1;
        if (n <= 0)
            continue;
        if (p[0].revents)
            drain(ch, &ch->out, 1);
        if (p[1].revents)
            drain(ch, &ch->err, 0);
    }
    return 0;
}

/* Waits for the child until the deadline; returns 0 with its status, or
 * -1 when it is still running. */
static int wait_child(pid_t pid, long long deadline, int *status)
{
    for (;;) {
        pid_t r = waitpid(pid, status, WNOHANG);
        if (r == pid)
            return 0;
        if (r < 0 && errno != EINTR)
            return *status = 0, 0;
        if (now_ms() >= deadline)
            return -1;
        struct timespec ts = { 0, 10 * 1000000 };
        nanosleep(&ts, NULL);
    }
}

static void kill_child(pid_t pid)
{
    kill(-pid, SIGKILL);
    kill(pid, SIGKILL);
    while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
        ;
}

/* stderr as one line for a message: control characters become spaces. */
static const char *stderr_line(struct child *ch)
{
    char *s = ch->stderr_text;
    size_t n = ch->stderr_len;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
            s[i] = ' ';
    while (n > 0 && s[n - 1] == ' ')
        s[--n] = '\0';
    while (*s == ' ')
        s++;
    return *s ? s : "(nothing on stderr)";
}

static int report_exit(struct child *ch, const char *cmd, int status,
                       char *err, size_t errlen)
{
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
        return 0;
    if (WIFSIGNALED(status))
        snprintf(err, errlen, "exec plugin %s was killed by signal %d: "
                 "%.300s", cmd, WTERMSIG(status), stderr_line(ch));
    else
        snprintf(err, errlen, "exec plugin %s failed with exit status %d: "
                 "%.300s", cmd, WEXITSTATUS(status), stderr_line(ch));
    return -1;
}

static int collect(struct child *ch, const char *cmd, int timeout_ms,
                   char *err, size_t errlen)
{
    long long deadline = now_ms() + timeout_ms;
    int status = 0;
    int rc = read_output(ch, deadline);
    if (rc == 0 && !ch->overflow)
        rc = wait_child(ch->pid, deadline, &status);
    if (rc < 0 || ch->overflow) {
        kill_child(ch->pid);
        if (ch->overflow)
            snprintf(err, errlen, "exec plugin %s printed more than %u KiB "
                     "on stdout and was killed", cmd, EXEC_MAX_OUTPUT >> 10);
        else
            snprintf(err, errlen, "exec plugin %s timed out after %d ms and "
                     "was killed; stderr: %.300s", cmd, timeout_ms,
                     stderr_line(ch));
        return -1;
    }
    return report_exit(ch, cmd, status, err, errlen);
}

static int run_child(struct child *ch, const char *api_version,
                     char *const *argv, char *const *env, int timeout_ms,
                     char *err, size_t errlen)
{
    struct buf info;
    buf_init(&info, 0);
    if (buf_printf(&info, EXEC_INFO_VAR "={\"kind\":\"ExecCredential\","
                   "\"apiVersion\":\"%s\",\"spec\":{\"interactive\":false}}",
                   api_version) < 0) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    char **envp = build_env(env, info.data);
    int rc = envp ? spawn(ch, argv, envp) : ENOMEM;
    free(envp);
    buf_cleanup(&info);
    if (rc == ENOENT) {
        snprintf(err, errlen, "exec plugin %s not found in PATH; install "
                 "it, or fix exec.command in the kubeconfig", argv[0]);
        return -1;
    }
    if (rc != 0) {
        snprintf(err, errlen, "cannot run exec plugin %s: %s", argv[0],
                 strerror(rc));
        return -1;
    }
    rc = collect(ch, argv[0], timeout_ms, err, errlen);
    if (ch->out >= 0)
        close(ch->out);
    if (ch->err >= 0)
        close(ch->err);
    return rc;
}

int exec_run(const char *api_version, char *const *argv, char *const *env,
             int timeout_ms, struct exec_credential *cred, char *err,
             size_t errlen)
{
    struct child ch = { .pid = -1, .out = -1, .err = -1 };
    memset(cred, 0, sizeof(*cred));
    if (!argv || !argv[0] || !api_version) {
        snprintf(err, errlen, "exec plugin has no command or apiVersion");
        return -1;
    }
    buf_init(&ch.stdout_buf, EXEC_MAX_OUTPUT);
    int rc = run_child(&ch, api_version, argv, env, timeout_ms, err, errlen);
    if (rc == 0) {
        char why[256];
        const char *out = ch.stdout_buf.data ? ch.stdout_buf.data : "";
        rc = exec_parse(out, ch.stdout_buf.len, api_version, cred, why,
                        sizeof(why));
        if (rc < 0)
            snprintf(err, errlen, "exec plugin %s printed an invalid "
                     "ExecCredential: %s", argv[0], why);
    }
    buf_wipe(&ch.stdout_buf);
    return rc;
}
