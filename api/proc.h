/*
 * Child processes run from the event loop, for credential_process and
 * kubeconfig exec plugins. The child starts without a shell in a process
 * group of its own, with stdin on /dev/null. Its stdout and stderr are
 * non-blocking pipes that http_wait polls, so the loop keeps handling
 * keys and transfers while it runs. A timeout, an oversized output or
 * http_cancel_all kills the whole group, and the child is always reaped.
 */
#ifndef ALBATROSS_PROC_H
#define ALBATROSS_PROC_H

#include <stddef.h>

#include "buf.h"
#include "http.h"

#define PROC_STDERR_KEPT 4096   /* bytes of stderr kept for messages */
#define PROC_REAP_POLL_MS 10    /* wait for an exit after the pipes closed */

struct proc_result {
    int status;          /* wait status; valid when none of the flags */
    int timed_out;       /* killed because timeout_ms passed */
    int overflow;        /* killed because stdout passed max_output */
    int cancelled;       /* killed by http_cancel_all */
    int closing;         /* killed by http_client_free: see proc_done_fn */
    struct buf *out;     /* stdout; the callback may take the data */
    const char *err_text; /* stderr, NUL-terminated, at most
                           * PROC_STDERR_KEPT bytes */
    long elapsed_ms;
};

/*
 * Called once, from inside http_wait or http_cancel_all, after the child
 * has been reaped. With closing set the HTTP client is being freed: the
 * callback must only drop its pointer to the process and release its own
 * state, without calling the client or other callbacks. The process is
 * freed when the callback returns.
 */
typedef void (*proc_done_fn)(struct proc_result *r, void *ctx);

struct proc;

/*
 * Starts argv (argv[0] looked up in PATH) with the environment envp
 * (NULL: this process's). stdout beyond max_output bytes kills the child.
 * Returns the running process, or NULL with an errno value in
 * *spawn_error (ENOENT when argv[0] is not found); done is not called
 * then.
 */
struct proc *proc_start(struct http_client *c, char *const *argv,
                        char *const *envp, long timeout_ms,
                        size_t max_output, proc_done_fn done, void *ctx,
                        int *spawn_error);

/* Kills the process group, reaps the child and frees p, without calling
 * done. */
void proc_kill(struct proc *p);

/* Number of children started and not yet reaped, for tests. */
size_t proc_running(void);

#endif
