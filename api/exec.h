/*
 * kubeconfig exec credential plugins (client.authentication.k8s.io):
 * the plugin runs without a shell, with the current environment plus the
 * kubeconfig's env entries and KUBERNETES_EXEC_INFO, and prints an
 * ExecCredential object on stdout.
 */
#ifndef ALBATROSS_EXEC_H
#define ALBATROSS_EXEC_H

#include <stddef.h>
#include <time.h>

#define EXEC_TIMEOUT_MS 30000
#define EXEC_MAX_OUTPUT (1u << 20)  /* bytes of stdout read */

/* The credential an exec plugin returned. */
struct exec_credential {
    char *token;          /* bearer token, or NULL; wiped when freed */
    char *cert_pem;       /* status.clientCertificateData, or NULL */
    char *key_pem;        /* status.clientKeyData, or NULL; wiped */
    time_t expiry;        /* status.expirationTimestamp; 0: none given */
};

void exec_credential_cleanup(struct exec_credential *cred);

enum exec_end {
    EXEC_DONE,        /* cred is set */
    EXEC_FAILED,      /* error names the command and quotes its stderr */
    EXEC_CANCELLED,   /* http_cancel_all stopped it */
    EXEC_CLOSING,     /* the HTTP client is being freed: see proc.h */
};

/* Called once when the plugin ends. On EXEC_DONE the callee may move
 * the members of cred out (what is left is freed after it returns). */
typedef void (*exec_done_fn)(void *ctx, enum exec_end end,
                             struct exec_credential *cred,
                             const char *error);

struct exec_run;
struct http_client;

/*
 * Starts argv (argv[0] looked up in PATH) with env ("NAME=value" entries
 * added to the current environment) on the loop of c. Stdin is /dev/null
 * because KUBERNETES_EXEC_INFO sets spec.interactive to false. The
 * plugin and the processes it started are killed after timeout_ms.
 * Returns the run, or NULL with a message in err when it could not start
 * (done is not called then). done runs from inside http_wait or
 * http_cancel_all.
 */
struct exec_run *exec_start(struct http_client *c, const char *api_version,
                            char *const *argv, char *const *env,
                            int timeout_ms, exec_done_fn done, void *ctx,
                            char *err, size_t errlen);
/* Kills a run without calling its done. */
void exec_kill(struct exec_run *run);

/*
 * Runs the plugin as exec_start does and waits for it on a client of its
 * own, for tools and tests. Returns 0, or -1 with a message that names
 * the command and quotes its stderr.
 */
int exec_run(const char *api_version, char *const *argv, char *const *env,
             int timeout_ms, struct exec_credential *cred, char *err,
             size_t errlen);

/* Parses an ExecCredential of api_version. Returns 0, or -1 with err. */
int exec_parse(const char *json, size_t len, const char *api_version,
               struct exec_credential *cred, char *err, size_t errlen);

#endif
