/* Shared by the apply engine's files (src/apply*.c) and the controller
 * installation (src/lbc_install*.c), which drives the same engine; not
 * an interface. */
#ifndef ALBATROSS_APPLY_INTERNAL_H
#define ALBATROSS_APPLY_INTERNAL_H

#include <signal.h>
#include <stdio.h>

#include "../api/cfn.h"
#include "apply.h"
#include "plan.h"
#include "progress.h"

enum apply_mark { MARK_INFO, MARK_DONE, MARK_FAIL, MARK_WARN };

struct engine {
    const struct apply_request *rq;
    struct model m;
    struct plan plan;
    struct progress *progress; /* rq->progress, or own_progress */
    struct progress own_progress;
    atomic_int *cancel;        /* rq->cancel, or the SIGINT flag */
    FILE *out;                 /* NULL: the progress's event log only */
    int utf8;
    /* The result of the request in flight. */
    int call_done;
    int call_failed;
    struct api_error error;
    /* Event ids printed already, so each event is printed once. */
    char **seen;
    size_t seen_count;
    char *issuer;              /* https://..., once known */
    char *role_arn;            /* the last service account stack's Role1 */
    int kube_open;
};

/* Whether the run was asked to stop. */
int apply_stopping(const struct engine *e);

void apply_log(struct engine *e, enum apply_mark mark, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Runs the event loop until the call in flight calls back. Returns 0
 * when it succeeded, -1 when it failed (e->error) or was stopped. */
int apply_wait_call(struct engine *e);
/* Lets the event loop run for ms without blocking it. Returns -1 when
 * stopped. */
int apply_pause(struct engine *e, long ms);

/* Starts e for rq: the model's session for the config's cluster and
 * region, and an empty plan and progress titled title. Returns 0, or -1
 * with why. Clean up with apply_engine_cleanup. */
int apply_engine_init(struct engine *e, const struct apply_request *rq,
                      FILE *out, const char *title, char *why, size_t len);
void apply_engine_cleanup(struct engine *e);
/* From now on SIGINT stops the runs that have no cancel flag of their
 * own; old receives the handler to restore with sigaction. */
void apply_catch_sigint(struct sigaction *old);
/* Opens the config's cluster in the model once (its Kubernetes client).
 * Returns 0, or -1 with the reason printed to e->out. */
int apply_open_cluster(struct engine *e);

/* Creates the stack of plan step i, or skips or watches the one there.
 * Returns 0 when it is CREATE_COMPLETE, -1 otherwise (reported). */
int apply_stack_create(struct engine *e, size_t i);
/* Deletes the stack of plan step i and waits until it is gone. */
int apply_stack_delete(struct engine *e, size_t i);
/* The output key of the stack of plan step i (a copy), or NULL. */
char *apply_stack_output(struct engine *e, size_t i, const char *key);

#endif
