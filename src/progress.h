/*
 * The state of one long action (an apply, a delete) as its progress view
 * shows it: steps with a state and elapsed time, and under each step the
 * resources whose status events have arrived. An engine drives it with
 * progress_step_add(), progress_step_set() and progress_resource_set()
 * from the event loop's callbacks; the view only reads it. No curses and
 * no I/O here, so the engine and the unit tests use it as it is.
 *
 * Threads: an engine may drive it from a worker thread while the UI
 * thread draws it. Every function that changes it takes its mutex
 * itself. A reader on another thread holds progress_lock() while it
 * reads fields or calls the read-only functions below, because those
 * take no lock. After each change the notify hook runs (outside the mutex), so
 * the writer can wake the reader's event loop.
 *
 * Times come from an injectable clock in milliseconds, so tests can pin
 * it; the default is CLOCK_MONOTONIC.
 */
#ifndef ALBATROSS_PROGRESS_H
#define ALBATROSS_PROGRESS_H

#include <pthread.h>
#include <stddef.h>

#define PROGRESS_MAX_STEPS 64
#define PROGRESS_MAX_RESOURCES 500  /* per step; later resources are counted */
#define PROGRESS_TEXT_MAX 1024      /* bytes kept of a status or reason */
#define PROGRESS_MAX_EVENTS 1000    /* event lines kept; older ones go */

enum progress_state {
    PROGRESS_PENDING,
    PROGRESS_RUNNING,
    PROGRESS_DONE,
    PROGRESS_FAILED,
    PROGRESS_ROLLED_BACK,
};

/* Milliseconds on a clock that never goes back. */
typedef long (*progress_clock_fn)(void *ctx);
/* Told that the progress changed; runs on the writer's thread. */
typedef void (*progress_notify_fn)(void *ctx);

/* A stack resource as its latest event reports it. */
struct progress_resource {
    char *logical_id;
    char *type;             /* "AWS::EC2::VPC" */
    char *status;           /* "CREATE_IN_PROGRESS", "CREATE_FAILED", ... */
    char *reason;           /* the event's status reason, or NULL */
};

struct progress_step {
    char *name;             /* a stack name or a call */
    char *description;      /* one line: what the step does */
    enum progress_state state;
    char *reason;           /* why it failed or rolled back, or NULL */
    char *next_action;      /* what the user can do about it, or NULL */
    long started_ms;        /* -1 until it first runs */
    long ended_ms;          /* -1 while pending or running */
    struct progress_resource *resources;
    size_t resource_count;
    size_t resources_dropped;  /* beyond PROGRESS_MAX_RESOURCES */
};

struct progress {
    char *title;            /* "apply cluster shop in eu-west-1" */
    char *note;             /* lines above the steps, or NULL */
    struct progress_step *steps;
    size_t count;
    /* The engine's log lines, oldest first: the last PROGRESS_MAX_EVENTS
     * of events_total. */
    char **events;
    size_t event_count;
    size_t events_total;
    progress_clock_fn clock;
    void *clock_ctx;
    progress_notify_fn notify;
    void *notify_ctx;
    pthread_mutex_t lock;
    unsigned long version;  /* bumped on every change, for redraws */
};

/* Starts an empty progress. clock NULL: CLOCK_MONOTONIC. */
void progress_init(struct progress *p, const char *title,
                   progress_clock_fn clock, void *clock_ctx);
void progress_cleanup(struct progress *p);

/* Holds the mutex while another thread's writer may run; see the top. */
void progress_lock(struct progress *p);
void progress_unlock(struct progress *p);
/* Calls fn(ctx) after every later change (fn NULL: no call). Set it before
 * the writer starts. */
void progress_set_notify(struct progress *p, progress_notify_fn fn,
                         void *ctx);

/* Appends a line to the event log, dropping the oldest one beyond
 * PROGRESS_MAX_EVENTS. */
void progress_event_add(struct progress *p, const char *line);

/* Replaces the title. */
void progress_set_title(struct progress *p, const char *title);
/* Sets (or with NULL clears) the text shown above the steps; '\n'
 * separates its lines. */
void progress_set_note(struct progress *p, const char *note);

/* Appends a pending step. Returns its index, or -1 when
 * PROGRESS_MAX_STEPS are there already. */
int progress_step_add(struct progress *p, const char *name,
                      const char *description);

/*
 * Moves step to state, with reason (NULL for none) for a failure or a
 * rollback. Allowed moves: pending to running; running to done, failed
 * or rolled back; failed to rolled back (the stack's rollback finished);
 * failed or rolled back to running (a retry). A move to the state the
 * step is in updates the reason only. Returns 0, or -1 for any other
 * move or a bad index, leaving the step as it was.
 */
int progress_step_set(struct progress *p, size_t step,
                      enum progress_state state, const char *reason);
/* Sets what the user can do next about a failed step (NULL clears). */
int progress_step_set_next(struct progress *p, size_t step,
                           const char *next_action);

/* Records the latest status of a resource of step, by logical id: the
 * first event adds it, later ones update status and reason (and type
 * when given). Returns 0, or -1 for a bad index or a missing id. */
int progress_resource_set(struct progress *p, size_t step,
                          const char *logical_id, const char *type,
                          const char *status, const char *reason);

/* Milliseconds step has run: 0 while pending, up to now while running,
 * up to its end once ended. */
long progress_step_elapsed_ms(const struct progress *p, size_t step);
/* Milliseconds from the first step's start to now while a step runs, or
 * to the last end; 0 before anything ran. */
long progress_elapsed_ms(const struct progress *p);
/* Whether a step is running. */
int progress_running(const struct progress *p);
/* The first resource of step whose status ends in _FAILED, or NULL: the
 * one a failure report names. */
const struct progress_resource *
progress_failed_resource(const struct progress *p, size_t step);

/* "pending", "running", "done", "failed" or "rolled back". */
const char *progress_state_name(enum progress_state state);

#endif
