/*
 * Applies and deletes the UI starts: the wizard's apply step, resuming a
 * run that did not finish, and `:delete FILE`. A run goes on a worker
 * thread (src/apply_job.h) and fills the UI's progress, which the
 * progress view shows; the UI thread alone draws. One run at a time.
 *
 * Each run is recorded in the XDG state directory (src/apply_record.h):
 * quitting or being killed mid-run leaves a record the wizard offers to
 * resume.
 *
 * TODO: a key to stop a run without quitting; only quitting stops one.
 */
#ifndef ALBATROSS_APPLY_UI_H
#define ALBATROSS_APPLY_UI_H

#include "view.h"

/* Starts applying (or with deleting set, deleting) the ClusterConfig at
 * file and opens the progress view. Returns enum react. */
int apply_ui_start(struct ui *ui, const char *file, int deleting);

/* Installs (or with uninstalling set, uninstalls) the AWS Load Balancer
 * Controller on cluster in region as `albatross install|uninstall
 * controller` does with its defaults, and opens the progress view.
 * Returns enum react. */
int apply_ui_start_install(struct ui *ui, const char *cluster,
                           const char *region, int uninstalling);

/* Asks, then deletes what file describes; file NULL or "" means the
 * last run's file. Returns enum react. */
int apply_ui_ask_delete(struct ui *ui, const char *file);

/* Asks once per session whether to resume the recorded run when it did
 * not finish and nothing runs. Returns enum react. */
int apply_ui_offer_resume(struct ui *ui);

/* Handles the quit key: quits at once when nothing runs, else asks for
 * confirmation and then stops the run. Returns enum react. */
int apply_ui_quit(struct ui *ui);

/* The fd to wait on while a run goes, else -1. */
int apply_ui_fd(const struct ui *ui);
/* Called when that fd is readable: notes a run that ended. Returns enum
 * react. */
int apply_ui_poll(struct ui *ui);
/* Whether a run goes. */
int apply_ui_running(const struct ui *ui);

/* Stops a run that still goes and frees the state. Call it after the
 * terminal is given back, because it prints how to resume a stopped run
 * on stderr. */
void apply_ui_free(struct ui *ui);

#endif
