#include "proc.h"

#include <errno.h>
#include <pthread.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

extern char **environ;

#define GUARDED_MAX 16

struct proc {
    struct http_client *http;
    pid_t pid;
    int out, err;                /* read ends; -1 once closed */
    struct buf stdout_buf;
    char stderr_text[PROC_STDERR_KEPT + 1];
    size_t stderr_len;
    struct timespec start;
    proc_done_fn done;
    void *ctx;
};

/* ---- killing the running groups on a stop signal ---- */

/*
 * While children run, SIGTERM, SIGINT and SIGHUP kill their process
 * groups before albatross goes, so no helper outlives it. The previous
 * handlers are then restored and the signal raised again. Only the
 * first GUARDED_MAX children are guarded. The table is shared by the
 * threads that spawn (the UI's and an apply's worker), so a mutex keeps
 * the count and the saved handlers in step.
 */
static volatile sig_atomic_t guarded[GUARDED_MAX];
static size_t running;
static const int stop_signals[] = { SIGTERM, SIGINT, SIGHUP };
static struct sigaction saved_actions[3];
static pthread_mutex_t guard_lock = PTHREAD_MUTEX_INITIALIZER;

static void on_stop(int sig)
{
    for (size_t i = 0; i < GUARDED_MAX; i++)
        if (guarded[i] > 0)
            kill(-(pid_t)guarded[i], SIGKILL);
    for (int i = 0; i < 3; i++)
        if (stop_signals[i] == sig)
            sigaction(sig, &saved_actions[i], NULL);
    raise(sig);
}

static void guard(pid_t pid)
{
    pthread_mutex_lock(&guard_lock);
    if (running++ == 0) {
        struct sigaction sa;
        memset(&sa, 0, sizeof(sa));
        sa.sa_handler = on_stop;
        sigemptyset(&sa.sa_mask);
        for (int i = 0; i < 3; i++)
            sigaction(stop_signals[i], &sa, &saved_actions[i]);
    }
    for (size_t i = 0; i < GUARDED_MAX; i++)
        if (guarded[i] == 0) {
            guarded[i] = pid;
            break;
        }
    pthread_mutex_unlock(&guard_lock);
}

static void unguard(pid_t pid)
{
    pthread_mutex_lock(&guard_lock);
    for (size_t i = 0; i < GUARDED_MAX; i++)
        if (guarded[i] == pid)
            guarded[i] = 0;
    if (--running == 0)
        for (int i = 0; i < 3; i++)
            sigaction(stop_signals[i], &saved_actions[i], NULL);
    pthread_mutex_unlock(&guard_lock);
}

size_t proc_running(void)
{
    pthread_mutex_lock(&guard_lock);
    size_t n = running;
    pthread_mutex_unlock(&guard_lock);
    return n;
}

/* ---- starting ---- */

static void close_pair(int fds[2])
{
    for (int i = 0; i < 2; i++)
        if (fds[i] >= 0)
            close(fds[i]);
}

/* Pipes closed on exec, with a non-blocking read end. */
static int make_pipe(int fds[2])
{
    if (pipe(fds) < 0) {
        fds[0] = fds[1] = -1;
        return -1;
    }
    fcntl(fds[0], F_SETFD, FD_CLOEXEC);
    fcntl(fds[1], F_SETFD, FD_CLOEXEC);
    return fcntl(fds[0], F_SETFL, O_NONBLOCK);
}

static int spawn(struct proc *p, char *const *argv, char *const *envp)
{
    int out[2], errp[2] = { -1, -1 };
    if (make_pipe(out) < 0 || make_pipe(errp) < 0) {
        int e = errno;
        close_pair(out);
        close_pair(errp);
        return e;
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
    /* Its own process group, so a kill reaches what it started too. */
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP |
                             POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);
    posix_spawnattr_setpgroup(&attr, 0);
    posix_spawnattr_setsigdefault(&attr, &all);
    posix_spawnattr_setsigmask(&attr, &none);
    int rc = posix_spawnp(&p->pid, argv[0], &fa, &attr, argv,
                          envp ? envp : environ);
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&attr);
    close(out[1]);
    close(errp[1]);
    p->out = out[0];
    p->err = errp[0];
    if (rc != 0) {
        close(out[0]);
        close(errp[0]);
        p->out = p->err = -1;
    }
    return rc;
}

static void on_readable(void *ctx, int fd, enum http_watch_event ev);
static void on_deadline(void *ctx, int cancelled);
static void on_reap_poll(void *ctx, int cancelled);

struct proc *proc_start(struct http_client *c, char *const *argv,
                        char *const *envp, long timeout_ms,
                        size_t max_output, proc_done_fn done, void *ctx,
                        int *spawn_error)
{
    struct proc *p = calloc(1, sizeof(*p));
    if (!p) {
        *spawn_error = ENOMEM;
        return NULL;
    }
    p->http = c;
    p->done = done;
    p->ctx = ctx;
    buf_init(&p->stdout_buf, max_output);
    clock_gettime(CLOCK_MONOTONIC, &p->start);
    *spawn_error = spawn(p, argv, envp);
    if (*spawn_error) {
        free(p);
        return NULL;
    }
    guard(p->pid);
    if (http_watch(c, p->out, on_readable, p) < 0 ||
        http_watch(c, p->err, on_readable, p) < 0 ||
        http_schedule(c, timeout_ms, on_deadline, p) < 0) {
        proc_kill(p);
        *spawn_error = ENOMEM;
        return NULL;
    }
    log_msg(LOG_DEBUG, "proc: started %s as pid %ld", argv[0],
            (long)p->pid);
    return p;
}

/* ---- finishing ---- */

static void close_fd(struct proc *p, int *fd)
{
    if (*fd < 0)
        return;
    http_unwatch(p->http, *fd);
    close(*fd);
    *fd = -1;
}

/* Kills (unless it exited: reaped set), reaps and releases everything
 * the child holds except p itself. Returns the wait status. */
static int stop_child(struct proc *p, int reaped, int status)
{
    if (!reaped) {
        kill(-p->pid, SIGKILL);
        kill(p->pid, SIGKILL);
        while (waitpid(p->pid, &status, 0) < 0 && errno == EINTR)
            ;
    }
    unguard(p->pid);
    close_fd(p, &p->out);
    close_fd(p, &p->err);
    http_unschedule(p->http, on_deadline, p);
    http_unschedule(p->http, on_reap_poll, p);
    return status;
}

static long elapsed_ms(const struct proc *p)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (now.tv_sec - p->start.tv_sec) * 1000L +
           (now.tv_nsec - p->start.tv_nsec) / 1000000L;
}

/* Ends the child, calls done with r's flags and frees p. */
static void finish(struct proc *p, struct proc_result *r, int reaped,
                   int status)
{
    r->status = stop_child(p, reaped, status);
    r->out = &p->stdout_buf;
    r->err_text = p->stderr_text;
    r->elapsed_ms = elapsed_ms(p);
    log_msg(LOG_DEBUG, "proc: pid %ld ended after %ld ms%s", (long)p->pid,
            r->elapsed_ms, r->timed_out ? " (timed out)"
                           : r->cancelled || r->closing ? " (cancelled)"
                           : r->overflow ? " (too much output)" : "");
    p->done(r, p->ctx);
    buf_wipe(&p->stdout_buf);
    free(p);
}

void proc_kill(struct proc *p)
{
    if (!p)
        return;
    stop_child(p, 0, 0);
    buf_wipe(&p->stdout_buf);
    free(p);
}

/* Reaps the child once both pipes are closed; an exit that lags behind
 * the pipes is polled for until the deadline. */
static void try_reap(struct proc *p)
{
    int status = 0;
    pid_t r = waitpid(p->pid, &status, WNOHANG);
    if (r == p->pid || (r < 0 && errno == ECHILD)) {
        struct proc_result res = {0};
        finish(p, &res, 1, status);
        return;
    }
    if (http_schedule(p->http, PROC_REAP_POLL_MS, on_reap_poll, p) < 0) {
        struct proc_result res = { .cancelled = 1 };
        finish(p, &res, 0, 0);
    }
}

static void on_reap_poll(void *ctx, int cancelled)
{
    struct proc *p = ctx;
    if (!cancelled) {
        try_reap(p);
        return;
    }
    struct proc_result r = { .cancelled = 1 };
    finish(p, &r, 0, 0);
}

static void on_deadline(void *ctx, int cancelled)
{
    struct proc *p = ctx;
    struct proc_result r = { .timed_out = !cancelled,
                             .cancelled = cancelled };
    finish(p, &r, 0, 0);
}

static void keep_stderr(struct proc *p, const char *chunk, size_t n)
{
    size_t room = PROC_STDERR_KEPT - p->stderr_len;
    size_t keep = n < room ? n : room;
    memcpy(p->stderr_text + p->stderr_len, chunk, keep);
    p->stderr_len += keep;
    p->stderr_text[p->stderr_len] = '\0';
}

/* Reads fd until it would block. Returns 1 at end of file, 0 when it
 * would block, -1 when stdout passed its maximum. */
static int drain(struct proc *p, int fd)
{
    char chunk[8192];
    for (;;) {
        ssize_t n = read(fd, chunk, sizeof(chunk));
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && errno == EAGAIN)
            return 0;
        if (n <= 0)
            return 1;
        if (fd != p->out)
            keep_stderr(p, chunk, (size_t)n);
        else if (buf_append(&p->stdout_buf, chunk, (size_t)n) < 0)
            return -1;
    }
}

static void on_readable(void *ctx, int fd, enum http_watch_event ev)
{
    struct proc *p = ctx;
    struct proc_result r = {0};
    if (ev != HTTP_WATCH_READABLE) {
        /* The watch on fd is gone already: close the fd here. */
        int *own = fd == p->out ? &p->out : &p->err;
        close(*own);
        *own = -1;
        r.cancelled = ev == HTTP_WATCH_CANCELLED;
        r.closing = ev == HTTP_WATCH_CLOSING;
        finish(p, &r, 0, 0);
        return;
    }
    int rc = drain(p, fd);
    if (rc < 0) {
        r.overflow = 1;
        finish(p, &r, 0, 0);
        return;
    }
    if (rc == 1)
        close_fd(p, fd == p->out ? &p->out : &p->err);
    if (p->out < 0 && p->err < 0)
        try_reap(p);
}
