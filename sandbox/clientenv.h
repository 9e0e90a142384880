/*
 * What a client needs to reach the sandbox: a kubeconfig for its clusters
 * and the shell environment (endpoint, keys, region, CA bundle). Both are
 * written whole to PATH.tmp and renamed, so a reader never sees half.
 */
#ifndef SANDBOX_CLIENTENV_H
#define SANDBOX_CLIENTENV_H

#include <stddef.h>

#include "world.h"

/*
 * Writes a kubeconfig with one cluster, user and context per world
 * cluster, named by the cluster ARN as `aws eks update-kubeconfig` does;
 * the current context is the first cluster. Users run
 * `aws --region REGION eks get-token --cluster-name NAME`.
 * Returns 0, or -1 with a message in err.
 */
int clientenv_write_kubeconfig(const struct world *w, const char *ca_pem,
                               const char *path, char *err, size_t errlen);

/*
 * Writes KEY=value lines (values shell-quoted when needed) to path, or to
 * stdout when path is NULL: AWS_ENDPOINT_URL, the first credential's keys,
 * the first region, AWS_EC2_METADATA_DISABLED, AWS_CA_BUNDLE, KUBECONFIG.
 */
int clientenv_write_env(const struct world *w, unsigned port,
                        const char *ca_path, const char *kubeconfig_path,
                        const char *path, char *err, size_t errlen);

/* Writes data to path (mode 0600) through path.tmp and a rename. */
int clientenv_write_file(const char *path, const char *data, size_t len,
                         char *err, size_t errlen);

#endif
