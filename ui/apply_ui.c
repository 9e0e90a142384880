#include "apply_ui.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../src/apply_job.h"
#include "../src/apply_record.h"
#include "../src/clusterconfig.h"
#include "../src/util.h"
#include "progress_view.h"

struct apply_ui {
    struct apply_job *job;
    struct apply_record run;    /* the run going, or the last one */
    int have_run;
    int stopped;                /* the user stopped the last run */
    struct apply_record pending; /* what the question asked about */
    int resume_offered;
    /* The run's progress. It is the UI's and not the view's, so a pane
     * action that puts its own progress in the view cannot free it under
     * the worker. */
    struct progress progress;
    int progress_ready;
    int installing;             /* the job (un)installs the controller */
    int uninstalling;
    char install_cluster[256];  /* ... on this cluster */
    char install_region[64];
};

static struct apply_ui *state(struct ui *ui)
{
    if (!ui->apply) {
        ui->apply = xrealloc(NULL, sizeof(*ui->apply));
        memset(ui->apply, 0, sizeof(*ui->apply));
    }
    return ui->apply;
}

int apply_ui_running(const struct ui *ui)
{
    return ui->apply && ui->apply->job;
}

static const char *verb(int deleting)
{
    return deleting ? "delete" : "apply";
}

/* Saves the run's state. A record that cannot be written only costs the
 * resume offer, so the failure goes to the status line and nothing more. */
static void record(struct ui *ui, enum apply_record_state s)
{
    struct apply_ui *a = state(ui);
    a->run.state = s;
    if (apply_record_save(&a->run) < 0)
        ui_message(ui, 1, "cannot record the run in the state directory "
                   "(%s): it cannot be resumed after a quit",
                   strerror(errno));
}

/* ---- starting --------------------------------------------------------- */

static void remember(struct apply_ui *a, const char *file, int deleting)
{
    memset(&a->run, 0, sizeof(a->run));
    snprintf(a->run.file, sizeof(a->run.file), "%s", file);
    snprintf(a->run.cluster, sizeof(a->run.cluster), "%s",
             apply_job_cluster(a->job));
    snprintf(a->run.region, sizeof(a->run.region), "%s",
             apply_job_region(a->job));
    a->run.deleting = deleting;
    a->have_run = 1;
    a->stopped = 0;
}

/* Empties the run's progress for a new job and shows it in the view. */
static void fresh_progress(struct ui *ui, struct apply_ui *a,
                           const char *title)
{
    if (a->progress_ready)
        progress_cleanup(&a->progress);
    progress_init(&a->progress, title, NULL, NULL);
    a->progress_ready = 1;
    progress_view_show(ui, &a->progress);
}

static const char *install_noun(const struct apply_ui *a)
{
    return a->uninstalling ? "uninstallation" : "installation";
}

static int busy(struct ui *ui, const struct apply_ui *a)
{
    if (a->installing)
        return ui_message(ui, 1, "the controller %s on %s is running: "
                          "wait for it, or quit (q) to stop it",
                          install_noun(a), a->install_cluster);
    return ui_message(ui, 1, "a %s of cluster %s is running: wait for it, "
                      "or quit (q) to stop it", verb(a->run.deleting),
                      a->run.cluster);
}

int apply_ui_start(struct ui *ui, const char *file, int deleting)
{
    struct apply_ui *a = state(ui);
    if (a->job)
        return busy(ui, a);
    char path[PATH_MAX];
    if (!realpath(file, path))
        return ui_message(ui, 1, "cannot read %s: %s", file,
                          strerror(errno));
    fresh_progress(ui, a, path);
    static const struct model_options defaults;
    struct apply_job_spec spec = {
        .file = path, .deleting = deleting,
        .model = ui->model_options ? ui->model_options : &defaults,
        .progress = &a->progress,
    };
    char err[1024];
    a->job = apply_job_start(&spec, err, sizeof(err));
    if (!a->job) {
        progress_view_free(ui);
        return ui_message(ui, 1, "cannot %s %s: %s", verb(deleting), path,
                          err);
    }
    remember(a, path, deleting);
    record(ui, APPLY_RECORD_RUNNING);
    /* The view may be on top already, showing the last run. */
    return progress_view_open(ui) | REACT_ROWS;
}

int apply_ui_start_install(struct ui *ui, const char *cluster,
                           const char *region, int uninstalling)
{
    struct apply_ui *a = state(ui);
    if (a->job)
        return busy(ui, a);
    fresh_progress(ui, a, cluster);
    static const struct model_options defaults;
    struct apply_job_install_spec spec = {
        .uninstalling = uninstalling, .cluster = cluster, .region = region,
        .model = ui->model_options ? ui->model_options : &defaults,
        .progress = &a->progress,
    };
    char err[1024];
    a->job = apply_job_start_install(&spec, err, sizeof(err));
    if (!a->job) {
        progress_view_free(ui);
        return ui_message(ui, 1, "cannot %s the controller on %s: %s",
                          uninstalling ? "uninstall" : "install", cluster,
                          err);
    }
    a->installing = 1;
    a->uninstalling = uninstalling;
    snprintf(a->install_cluster, sizeof(a->install_cluster), "%s", cluster);
    snprintf(a->install_region, sizeof(a->install_region), "%s",
             region ? region : "");
    return progress_view_open(ui) | REACT_ROWS;
}

/* ---- questions -------------------------------------------------------- */

static int delete_yes(struct ui *ui)
{
    return apply_ui_start(ui, state(ui)->pending.file, 1);
}

int apply_ui_ask_delete(struct ui *ui, const char *file)
{
    struct apply_ui *a = state(ui);
    if (!file || !*file) {
        struct apply_record last;
        if (a->have_run)
            file = a->run.file;
        else if (apply_record_load(&last) == 0)
            file = last.file;
        else
            return ui_message(ui, 1, "name the ClusterConfig to delete: "
                              ":delete FILE");
    }
    struct ccfg c;
    struct ccfg_errors errors;
    ccfg_errors_init(&errors);
    if (ccfg_load_file(&c, file, &errors) < 0) {
        const char *text = errors.text.data ? errors.text.data : "";
        int react = ui_message(ui, 1, "cannot delete: %.*s",
                               (int)strcspn(text, "\n"), text);
        ccfg_errors_cleanup(&errors);
        return react;
    }
    ccfg_errors_cleanup(&errors);
    memset(&a->pending, 0, sizeof(a->pending));
    snprintf(a->pending.file, sizeof(a->pending.file), "%s", file);
    int react = ui_confirm(ui, delete_yes, "delete cluster %s in %s and "
                           "every stack %s made for it?", c.name, c.region,
                           file);
    ccfg_cleanup(&c);
    return react;
}

static int resume_yes(struct ui *ui)
{
    struct apply_ui *a = state(ui);
    return apply_ui_start(ui, a->pending.file, a->pending.deleting);
}

int apply_ui_offer_resume(struct ui *ui)
{
    struct apply_ui *a = state(ui);
    if (a->resume_offered || a->job)
        return REACT_NONE;
    a->resume_offered = 1;
    if (apply_record_load(&a->pending) < 0 ||
        !apply_record_unfinished(&a->pending))
        return REACT_NONE;
    return ui_confirm(ui, resume_yes, "the %s of cluster %s in %s (%s) did "
                      "not finish (%s): resume it?",
                      verb(a->pending.deleting), a->pending.cluster,
                      a->pending.region, a->pending.file,
                      apply_record_state_name(a->pending.state));
}

/* ---- running and ending ----------------------------------------------- */

int apply_ui_fd(const struct ui *ui)
{
    return apply_ui_running(ui) ? apply_job_fd(ui->apply->job) : -1;
}

/* The installation ended with status rc. */
static int installed(struct ui *ui, int rc)
{
    struct apply_ui *a = state(ui);
    a->installing = 0;
    /* The controller's service account and the ALBs it makes show on the
     * panes once they are read again. */
    size_t c = model_cluster_by_name(ui->m, a->install_cluster);
    if (c != MODEL_NONE)
        model_reload_cluster(ui->m, c);
    if (rc != 0)
        return ui_message(ui, 1, "the controller %s on %s failed: the "
                          "progress view (p) says why", install_noun(a),
                          a->install_cluster) | REACT_ROWS;
    return ui_message(ui, 0, a->uninstalling
                      ? "the AWS Load Balancer Controller is uninstalled "
                        "from %s" : "the AWS Load Balancer Controller runs "
                      "on %s", a->install_cluster) | REACT_ROWS;
}

/* The run ended with the engine's exit status rc. */
static int finished(struct ui *ui, int rc)
{
    struct apply_ui *a = state(ui);
    a->job = NULL;
    if (a->installing)
        return installed(ui, rc);
    record(ui, rc == 0 ? APPLY_RECORD_DONE : APPLY_RECORD_FAILED);
    /* The new cluster, or its absence, shows on the clusters pane. */
    model_load_clusters(ui->m);
    if (rc != 0)
        return ui_message(ui, 1, "the %s of cluster %s failed: the "
                          "progress view (p) says why", verb(a->run.deleting),
                          a->run.cluster) | REACT_ROWS;
    if (a->run.deleting)
        return ui_message(ui, 0, "the delete of cluster %s in %s is done",
                          a->run.cluster, a->run.region) | REACT_ROWS;
    /* The wizard's path goes on to the controller, as eksctl users go on
     * to its installation once the cluster is up. A message and not a
     * question, so the next key does what it always does. */
    return ui_message(ui, 0, "cluster %s in %s is ready; next, install the "
                      "AWS Load Balancer Controller: I on the clusters pane",
                      a->run.cluster, a->run.region) | REACT_ROWS;
}

int apply_ui_poll(struct ui *ui)
{
    int rc;
    if (!apply_ui_running(ui) || !apply_job_poll(ui->apply->job, &rc))
        return REACT_NONE;
    apply_job_free(ui->apply->job);
    return finished(ui, rc);
}

/* Stops the run and waits for its worker. The record's state becomes
 * "stopped". */
static void stop(struct ui *ui)
{
    struct apply_ui *a = state(ui);
    if (!a->job)
        return;
    apply_job_free(a->job);
    a->job = NULL;
    a->stopped = 1;
    /* The record is for applies; an installation just runs again. */
    if (!a->installing)
        record(ui, APPLY_RECORD_STOPPED);
}

static int quit_yes(struct ui *ui)
{
    stop(ui);
    return REACT_QUIT;
}

int apply_ui_quit(struct ui *ui)
{
    if (!apply_ui_running(ui))
        return REACT_QUIT;
    struct apply_ui *a = ui->apply;
    if (a->installing)
        return ui_confirm(ui, quit_yes, "the controller %s on %s is "
                          "running: stop it and quit? Running it again "
                          "carries on from where it stopped",
                          install_noun(a), a->install_cluster);
    return ui_confirm(ui, quit_yes, "the %s of cluster %s is running: stop "
                      "it and quit? The wizard (:wizard) can resume it",
                      verb(a->run.deleting), a->run.cluster);
}

void apply_ui_free(struct ui *ui)
{
    struct apply_ui *a = ui->apply;
    if (!a)
        return;
    stop(ui);
    if (a->stopped && a->installing)
        fprintf(stderr, "albatross: stopped the controller %s on %s; run "
                "albatross %s controller --cluster %s%s%s to finish it\n",
                install_noun(a), a->install_cluster,
                a->uninstalling ? "uninstall" : "install", a->install_cluster,
                *a->install_region ? " --region " : "", a->install_region);
    else if (a->stopped)
        fprintf(stderr, "albatross: stopped the %s of cluster %s in %s; "
                "open the wizard (albatross, then :wizard) to resume it, "
                "or run albatross %s -f %s\n", verb(a->run.deleting),
                a->run.cluster, a->run.region, verb(a->run.deleting),
                a->run.file);
    if (ui->progress == &a->progress)
        progress_view_free(ui);
    if (a->progress_ready)
        progress_cleanup(&a->progress);
    free(a);
    ui->apply = NULL;
}
