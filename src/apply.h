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
 */
#ifndef ALBATROSS_APPLY_H
#define ALBATROSS_APPLY_H

#include <stdio.h>

#include "clusterconfig.h"
#include "model.h"

struct apply_request {
    const struct ccfg *config;
    const char *file;          /* the ClusterConfig's path, for messages */
    int deleting;
    struct model_options model; /* profile, readonly; region and cluster
                                 * are taken from the config */
    long poll_ms;              /* between DescribeStacks polls */
    /* What to do after a stack fails; NULL: delete -f, then apply -f. */
    const char *fix_hint;
};

/* Returns 0 when everything is in place (or gone), 1 when a step failed
 * or was interrupted (SIGINT), 2 when the session could not start. */
int apply_run(const struct apply_request *rq, FILE *out);

#endif
