/*
 * kubeconfig files: KUBECONFIG (several files, ':'-separated, merged with
 * the first file's entry winning, as kubectl does) or ~/.kube/config.
 */
#ifndef ALBATROSS_KUBECONFIG_H
#define ALBATROSS_KUBECONFIG_H

#include <stddef.h>

#include "kube.h"

struct kubeconfig_cluster {
    char *name;
    char *server;
    char *ca_pem;          /* certificate-authority-data decoded, or the
                            * certificate-authority file's contents */
    int insecure_skip_verify;
    char *origin;          /* "file:line" of the entry, for messages */
    char *error;           /* "file:line: what", reported when the entry
                            * is used (unreadable file, missing server),
                            * or NULL */
};

struct kubeconfig_exec {
    char *api_version;     /* client.authentication.k8s.io/v1beta1 */
    char *command;
    char **args;           /* NULL-terminated */
    char **env;            /* "NAME=value", NULL-terminated */
};

struct kubeconfig_user {
    char *name;
    char *token;           /* token or tokenFile contents; wiped */
    char *cert_pem;        /* client-certificate(-data) */
    char *key_pem;         /* client-key(-data); wiped */
    struct kubeconfig_exec *exec; /* NULL when none */
    char *origin;
    char *error;           /* as in kubeconfig_cluster */
};

struct kubeconfig_context {
    char *name;
    char *cluster;
    char *user;
    char *namespace;       /* NULL: "default" */
    char *origin;
};

struct kubeconfig {
    struct kubeconfig_cluster *clusters;
    size_t cluster_count;
    struct kubeconfig_user *users;
    size_t user_count;
    struct kubeconfig_context *contexts;
    size_t context_count;
    char *current_context;
    char *paths;           /* the files read, ':'-separated, for messages */
};

/*
 * Loads paths (':'-separated), or $KUBECONFIG, or ~/.kube/config when
 * paths is NULL. Missing files are skipped as kubectl skips them. Returns 0,
 * or -1 with "file:line: what" in err.
 */
int kubeconfig_load(struct kubeconfig *kc, const char *paths, char *err,
                    size_t errlen);
void kubeconfig_free(struct kubeconfig *kc);

const struct kubeconfig_context *
kubeconfig_context(const struct kubeconfig *kc, const char *name);

/*
 * Fills ep for context (NULL: the current context). An exec plugin that
 * runs `aws eks get-token` becomes a native EKS token (cluster name,
 * region and profile taken from its arguments and env); any other exec
 * plugin is kept to be run without a shell. Returns 0 or -1 with err.
 */
int kubeconfig_endpoint(const struct kubeconfig *kc, const char *context,
                        struct kube_endpoint *ep, char *err, size_t errlen);

#endif
