/*
 * The apply engine: carries out a plan (src/plan.h) against AWS and the
 * cluster, headless. Creation walks the plan's steps in order; each
 * stack is first looked up by name, so a second run skips what is
 * complete, watches what is in progress and stops at what rolled back:
 * nothing is created twice. Deletion deletes the stacks in the plan's
 * order and waits for each.
 *
 * Every stack event is printed as one line in eksctl's style and
 * recorded in a struct progress, which a progress view can show.
 *
 * A run owns its model (its own HTTP client and AWS session) and runs
 * its own event loop, so it can run on a worker thread (src/apply_job.h)
 * beside the UI's. It shares only the progress (locked inside) and the
 * cancel flag with the thread that started it.
 */
#ifndef ALBATROSS_APPLY_H
#define ALBATROSS_APPLY_H

#include <stdatomic.h>
#include <stdio.h>

#include "clusterconfig.h"
#include "model.h"
#include "progress.h"

struct apply_request {
    const struct ccfg *config;
    const char *file;          /* the ClusterConfig's path, for messages */
    int deleting;
    struct model_options model; /* profile, readonly; region and cluster
                                 * are taken from the config */
    long poll_ms;              /* between DescribeStacks polls */
    /* The destination of the steps, resources and log lines: an empty
     * progress the caller owns, or NULL for one the run keeps. */
    struct progress *progress;
    /* Set to stop the run at its next wait, which then cancels the call
     * in flight; NULL: the run stops on SIGINT (the command line). */
    atomic_int *cancel;
    /* What to do after a stack fails; NULL: delete -f, then apply -f. */
    const char *fix_hint;
};

/* Returns 0 when everything is in place (or gone), 1 when a step failed
 * or was stopped, 2 when the session could not start. The log lines go
 * to out, when not NULL, and to the progress's event log. */
int apply_run(const struct apply_request *rq, FILE *out);

/* The progress title of a run: "apply cluster NAME in REGION". */
void apply_title(const struct ccfg *c, int deleting, char *buf, size_t len);

#endif
