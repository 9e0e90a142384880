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

/*
 * Runs argv (argv[0] looked up in PATH) with env ("NAME=value" entries
 * added to the current environment) and parses its output. Stdin is
 * /dev/null because KUBERNETES_EXEC_INFO sets spec.interactive to false.
 * The plugin and the processes it started are killed after timeout_ms.
 * Returns 0, or -1 with a message that names the command and quotes its
 * stderr.
 *
 * TODO: this blocks for up to timeout_ms; the event loop should read
 * the plugin's pipes instead.
 */
int exec_run(const char *api_version, char *const *argv, char *const *env,
             int timeout_ms, struct exec_credential *cred, char *err,
             size_t errlen);

/* Parses an ExecCredential of api_version. Returns 0, or -1 with err. */
int exec_parse(const char *json, size_t len, const char *api_version,
               struct exec_credential *cred, char *err, size_t errlen);

#endif
