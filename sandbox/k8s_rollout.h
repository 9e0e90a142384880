/*
 * The workload controllers and the kubelet of a sandbox cluster, run on
 * the sandbox clock. Deployments written through the Kubernetes API get
 * pods made from their template, as their ReplicaSet would make them.
 * The pods go from Pending to Running in timing.pod_startup sandbox
 * seconds, or stop where a real node stops them: an image that cannot
 * be pulled, a container that exits, a Secret volume that does not
 * exist. The Deployment's status follows, as kubectl rollout status
 * reads it.
 *
 * A pod pulls its image when the registry is one the sandbox knows
 * (public.ecr.aws, ECR's ACCOUNT.dkr.ecr.REGION.amazonaws.com,
 * docker.io, registry.k8s.io, quay.io, ghcr.io, gcr.io) and, for the AWS
 * Load Balancer Controller's repository, the tag is a released version
 * (v2.0.0 to v2.13.x). A container exits when its command is false or
 * /bin/false, and the controller's container when it has no
 * --cluster-name.
 */
#ifndef SANDBOX_K8S_ROLLOUT_H
#define SANDBOX_K8S_ROLLOUT_H

#include <cjson/cJSON.h>

#include "world.h"

/* The template and progress of a Deployment's pod. */
struct k8s_pod_run {
    char *deployment;       /* the owning Deployment's name */
    char *replica_set;      /* NAME-HASH, its ReplicaSet */
    char *rs_uid;
    char *hash;             /* pod-template-hash */
    char *spec;             /* the pod spec as JSON text */
    double born;            /* sandbox clock at creation */
    double mounted;         /* sandbox clock when its volumes mounted,
                             * -1 while a Secret is missing */
    const char *reason;     /* the containers' waiting reason, NULL
                             * while they run */
    char *message;          /* of that reason, or NULL */
    int restarts;
    int exited;             /* lastState is terminated with exit code 1 */
    char *started_at;       /* RFC 3339 once running */
    unsigned events;        /* the EV_ bits of the events recorded */
};

void k8s_pod_run_free(struct k8s_pod_run *run);

/* Brings every cluster's Deployments, pods and their statuses up to the
 * sandbox clock; callers hold the world. Returns 0, or -1 when memory
 * runs out. */
int k8s_rollout_tick(struct world *w);

/* The pod of a Deployment as the API server returns it, without kind
 * and apiVersion. */
cJSON *k8s_rollout_render_pod(const struct world_cluster *c,
                              const struct world_pod *pod);

/* The object an event is about. */
struct k8s_event_ref {
    const char *kind;
    const char *api_version;
    const char *ns;
    const char *name;
    const char *uid;
    unsigned long resource_version;
};

/* Records a core/v1 Event in the object's namespace with the next
 * resourceVersion. Returns 0, or -1 when memory runs out. */
int k8s_record_event(struct world_cluster *c, const struct k8s_event_ref *ref,
                     const char *type, const char *reason,
                     const char *message, const char *component);

/* A string at a path of object members, ending with NULL; NULL when a
 * member is missing or not a string. */
const char *k8s_json_str(const cJSON *obj, ...);

#endif
