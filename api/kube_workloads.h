/*
 * The workloads of a namespace that run pods with a service account:
 * Deployments, StatefulSets and DaemonSets, with the service account
 * their pod template names. kubectl rollout restart restarts such a
 * workload; albatross does it to make pods pick up a new IRSA role.
 */
#ifndef ALBATROSS_KUBE_WORKLOADS_H
#define ALBATROSS_KUBE_WORKLOADS_H

#include <stddef.h>

#include "kube.h"

struct kube_workload {
    const char *kind;          /* "Deployment" (static) */
    const char *resource;      /* "deployments" (static) */
    char *namespace;
    char *name;
    /* spec.template.spec.serviceAccountName, else the deprecated
     * serviceAccount, else "default" as the API server fills it */
    char *service_account;
};

struct kube_workload_list {
    struct kube_workload *items;
    size_t count;
};

void kube_workload_list_free(struct kube_workload_list *l);

/* list is the callee's to free; NULL on failure. */
typedef void (*kube_workloads_fn)(struct kube_workload_list *list,
                                  const struct api_error *err, void *ctx);

/* Lists the three kinds in namespace ns, one after the other, every
 * page. A kind the server does not serve (404) has none. Returns 0, or
 * -1 after calling done with the error. */
int kube_list_workloads(struct kube_client *kc, const char *ns,
                        kube_workloads_fn done, void *ctx);

/* Appends one list page of the workloads of kind index (0 Deployment,
 * 1 StatefulSet, 2 DaemonSet) to l; *next as kube_page_fn. Returns 0,
 * or -1 with err. */
int kube_parse_workload_page(size_t kind, const char *json, size_t len,
                             struct kube_workload_list *l, char **next,
                             struct api_error *err);

/* The JSON merge patch kubectl rollout restart sends: the pod template
 * annotation kubectl.kubernetes.io/restartedAt set to now (RFC 3339,
 * UTC). The caller frees it. */
char *kube_restart_patch(const char *now);

#define KUBE_WORKLOAD_KINDS 3

#endif
