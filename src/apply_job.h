/*
 * An apply or delete run (src/apply.h) on a worker thread, so the UI's
 * event loop keeps drawing and reading keys while stacks are created.
 *
 * The worker owns its model, HTTP client and AWS session. It shares three
 * things with the thread that started it: the progress (locked inside,
 * see src/progress.h), the cancel flag and a pipe. The pipe's read end
 * becomes readable after every change of the progress and once more when
 * the run ends, so the UI waits on it beside stdin. The worker blocks
 * every signal: they reach the UI thread, which owns the terminal.
 *
 * One-time library setup (curl, libxml2) must be done before the first
 * job starts: http_global_init() and awsxml_global_init() in main.
 */
#ifndef ALBATROSS_APPLY_JOB_H
#define ALBATROSS_APPLY_JOB_H

#include <stddef.h>

#include "model.h"
#include "progress.h"

/* Milliseconds between stack polls in runs the UI starts, when set. */
#define APPLY_JOB_POLL_ENV "ALBATROSS_APPLY_POLL_MS"
#define APPLY_JOB_POLL_MS 2000
/* How long an installation waits for each of CRDs, rollout, webhook. */
#define APPLY_JOB_INSTALL_TIMEOUT_S 600

struct apply_job;

struct apply_job_spec {
    const char *file;           /* the ClusterConfig to apply or delete */
    int deleting;
    /* profile, kubeconfig and readonly are used (and copied); the run
     * takes region and cluster from the file. */
    const struct model_options *model;
    /* An empty progress the job fills: the caller owns it and keeps it
     * until apply_job_free() returns. */
    struct progress *progress;
};

/*
 * Reads and checks spec->file, titles the progress and starts the run.
 * Returns the job, or NULL with the reason in err ("FILE:LINE: what",
 * or what failed in the system).
 */
struct apply_job *apply_job_start(const struct apply_job_spec *spec,
                                  char *err, size_t errlen);

/* An installation (or uninstallation) of the AWS Load Balancer Controller
 * on cluster, the way `albatross install|uninstall controller --cluster
 * NAME` does it with its defaults (IRSA, the shipped policy and
 * version), on the worker. */
struct apply_job_install_spec {
    int uninstalling;
    const char *cluster;
    const char *region;         /* the cluster's */
    const struct model_options *model;
    struct progress *progress;  /* as in struct apply_job_spec */
};
struct apply_job *apply_job_start_install(
    const struct apply_job_install_spec *spec, char *err, size_t errlen);

/* The pipe's read end, to wait on; apply_job_poll() drains it. */
int apply_job_fd(const struct apply_job *j);

/* Drains the pipe. Returns 1 once the run has ended, with its exit
 * status (as apply_run's) in *rc, else 0. */
int apply_job_poll(struct apply_job *j, int *rc);

/* Asks the run to stop at its next wait; it then cancels the call in
 * flight, logs what finished and ends with status 1. */
void apply_job_cancel(struct apply_job *j);

/* Cancels the run if it still goes, waits for the worker and frees the
 * job. Returns the run's exit status. NULL is ignored (returns 0). */
int apply_job_free(struct apply_job *j);

/* What the job runs, for messages and the run record: the file as given,
 * the cluster and the region of the config. They live as long as j. */
const char *apply_job_file(const struct apply_job *j);
const char *apply_job_cluster(const struct apply_job *j);
const char *apply_job_region(const struct apply_job *j);
int apply_job_deleting(const struct apply_job *j);
/* Whether j installs the controller rather than applying a file. */
int apply_job_installing(const struct apply_job *j);

#endif
