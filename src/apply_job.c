#include "apply_job.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "apply.h"
#include "clusterconfig.h"
#include "lbc_install.h"
#include "lbc_policy.h"
#include "util.h"

struct apply_job {
    struct ccfg config;
    struct apply_request rq;
    /* An installation of the load balancer controller instead, when
     * installing is set; config then holds only name and region. */
    int installing;
    struct lbc_install_request install;
    char *policy;               /* the controller's policy document */
    char *file;
    char *profile;
    char *kubeconfig;
    struct progress *progress;
    atomic_int cancel;
    atomic_int ended;
    int rc;                     /* written by the worker before ended */
    int joined;
    pthread_t thread;
    int wake[2];                /* read end, write end; non-blocking */
};

/* ---- the pipe ------------------------------------------------------- */

/* Runs on the worker after each change: one byte is enough, and a full
 * pipe means the reader has bytes to read already. */
static void wake(void *ctx)
{
    struct apply_job *j = ctx;
    unsigned char byte = 1;
    if (write(j->wake[1], &byte, 1) < 0) {
        /* EAGAIN: the reader has not drained the earlier bytes yet. */
    }
}

static int open_pipe(int fds[2])
{
    if (pipe(fds) < 0)
        return -1;
    for (int i = 0; i < 2; i++) {
        fcntl(fds[i], F_SETFL, O_NONBLOCK);
        fcntl(fds[i], F_SETFD, FD_CLOEXEC);
    }
    return 0;
}

/* ---- the worker ----------------------------------------------------- */

static void *work(void *arg)
{
    struct apply_job *j = arg;
    j->rc = j->installing ? lbc_install_run(&j->install, NULL)
                          : apply_run(&j->rq, NULL);
    atomic_store(&j->ended, 1);
    wake(j);
    return NULL;
}

/* Starts the worker with every signal blocked, so the UI thread gets
 * them; the caller's mask is restored. */
static int start_thread(struct apply_job *j)
{
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    int rc = pthread_create(&j->thread, NULL, work, j);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    return rc;
}

/* ---- the job -------------------------------------------------------- */

static char *copy_or_null(const char *s)
{
    return s ? xstrdup(s) : NULL;
}

/* Reads the file; on failure its first problem goes to err. */
static int load_config(struct apply_job *j, char *err, size_t errlen)
{
    struct ccfg_errors errors;
    ccfg_errors_init(&errors);
    int rc = ccfg_load_file(&j->config, j->file, &errors);
    if (rc < 0) {
        const char *text = errors.text.data ? errors.text.data : "";
        snprintf(err, errlen, "%.*s", (int)strcspn(text, "\n"), text);
    }
    ccfg_errors_cleanup(&errors);
    return rc;
}

/* APPLY_JOB_POLL_ENV when it is a sane number, else the default. */
static long poll_interval(void)
{
    const char *poll = getenv(APPLY_JOB_POLL_ENV);
    long poll_ms = poll ? strtol(poll, NULL, 10) : 0;
    return poll_ms > 0 && poll_ms <= 600000 ? poll_ms : APPLY_JOB_POLL_MS;
}

static void fill_request(struct apply_job *j, const struct apply_job_spec *s)
{
    j->profile = copy_or_null(s->model->profile);
    j->kubeconfig = copy_or_null(s->model->kubeconfig);
    j->rq = (struct apply_request) {
        .config = &j->config, .file = j->file, .deleting = s->deleting,
        .model = { .profile = j->profile, .kubeconfig = j->kubeconfig,
                   .readonly = s->model->readonly },
        .poll_ms = poll_interval(),
        .progress = s->progress,
        .cancel = &j->cancel,
    };
}

static void job_free(struct apply_job *j)
{
    if (j->wake[0] >= 0)
        close(j->wake[0]);
    if (j->wake[1] >= 0)
        close(j->wake[1]);
    free(j->file);
    free(j->policy);
    free(j->profile);
    free(j->kubeconfig);
    free(j);
}

static struct apply_job *job_new(const char *file, struct progress *p)
{
    struct apply_job *j = xrealloc(NULL, sizeof(*j));
    memset(j, 0, sizeof(*j));
    j->wake[0] = j->wake[1] = -1;
    j->file = xstrdup(file);
    j->progress = p;
    atomic_init(&j->cancel, 0);
    atomic_init(&j->ended, 0);
    return j;
}

/* Opens the pipe, titles the progress and starts the worker; on failure
 * frees j and returns NULL with err. */
static struct apply_job *launch(struct apply_job *j, const char *title,
                                char *err, size_t errlen)
{
    if (open_pipe(j->wake) < 0) {
        snprintf(err, errlen, "cannot create a pipe: %s", strerror(errno));
        ccfg_cleanup(&j->config);
        job_free(j);
        return NULL;
    }
    progress_set_title(j->progress, title);
    progress_set_notify(j->progress, wake, j);
    int rc = start_thread(j);
    if (rc != 0) {
        snprintf(err, errlen, "cannot start a thread: %s", strerror(rc));
        progress_set_notify(j->progress, NULL, NULL);
        ccfg_cleanup(&j->config);
        job_free(j);
        return NULL;
    }
    return j;
}

struct apply_job *apply_job_start(const struct apply_job_spec *spec,
                                  char *err, size_t errlen)
{
    struct apply_job *j = job_new(spec->file, spec->progress);
    if (load_config(j, err, errlen) < 0) {
        job_free(j);
        return NULL;
    }
    fill_request(j, spec);
    char title[300];
    apply_title(&j->config, spec->deleting, title, sizeof(title));
    return launch(j, title, err, errlen);
}

struct apply_job *apply_job_start_install(
    const struct apply_job_install_spec *spec, char *err, size_t errlen)
{
    char why[512];
    char *policy = lbc_policy_read_shipped(why, sizeof(why));
    if (!policy) {
        snprintf(err, errlen, "%s", why);
        return NULL;
    }
    struct apply_job *j = job_new(LBC_POLICY_FILE, spec->progress);
    j->installing = 1;
    j->policy = policy;
    j->config.name = xstrdup(spec->cluster);
    j->config.region = copy_or_null(spec->region);
    j->profile = copy_or_null(spec->model->profile);
    j->kubeconfig = copy_or_null(spec->model->kubeconfig);
    j->install = (struct lbc_install_request) {
        .action = spec->uninstalling ? LBC_UNINSTALL : LBC_INSTALL,
        .policy_document = j->policy,
        .policy_path = j->file,
        .model = { .profile = j->profile, .kubeconfig = j->kubeconfig,
                   .readonly = spec->model->readonly },
        .poll_ms = poll_interval(), .timeout_s = APPLY_JOB_INSTALL_TIMEOUT_S,
        .progress = spec->progress, .cancel = &j->cancel,
    };
    lbc_options_init(&j->install.lbc);
    j->install.lbc.cluster_name = j->config.name;
    j->install.lbc.region = j->config.region;
    char title[300];
    snprintf(title, sizeof(title), "%s the AWS Load Balancer Controller "
             "on %s", spec->uninstalling ? "uninstall" : "install",
             spec->cluster);
    return launch(j, title, err, errlen);
}

int apply_job_fd(const struct apply_job *j)
{
    return j->wake[0];
}

static void join(struct apply_job *j)
{
    if (j->joined)
        return;
    pthread_join(j->thread, NULL);
    j->joined = 1;
    progress_set_notify(j->progress, NULL, NULL);
}

int apply_job_poll(struct apply_job *j, int *rc)
{
    unsigned char bytes[64];
    while (read(j->wake[0], bytes, sizeof(bytes)) > 0)
        continue;
    if (!atomic_load(&j->ended))
        return 0;
    join(j);
    *rc = j->rc;
    return 1;
}

void apply_job_cancel(struct apply_job *j)
{
    atomic_store(&j->cancel, 1);
}

int apply_job_free(struct apply_job *j)
{
    if (!j)
        return 0;
    apply_job_cancel(j);
    join(j);
    int rc = j->rc;
    ccfg_cleanup(&j->config);
    job_free(j);
    return rc;
}

const char *apply_job_file(const struct apply_job *j)
{
    return j->file;
}

const char *apply_job_cluster(const struct apply_job *j)
{
    return j->config.name;
}

const char *apply_job_region(const struct apply_job *j)
{
    return j->config.region;
}

int apply_job_deleting(const struct apply_job *j)
{
    return j->rq.deleting;
}

int apply_job_installing(const struct apply_job *j)
{
    return j->installing;
}
