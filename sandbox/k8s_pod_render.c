/*
 * A Deployment's pod as the API server returns it (k8s_rollout.h): its
 * owner, conditions and container statuses, drawn from the pod's run
 * on the sandbox clock.
 */
#include "k8s_rollout.h"

#include <stdio.h>
#include <string.h>

#include "k8s_object.h"
#include "world_cluster.h"

static cJSON *owner_reference(const struct k8s_pod_run *run)
{
    cJSON *ref = cJSON_CreateObject();

    cJSON_AddStringToObject(ref, "apiVersion", "apps/v1");
    cJSON_AddStringToObject(ref, "kind", "ReplicaSet");
    cJSON_AddStringToObject(ref, "name", run->replica_set);
    cJSON_AddStringToObject(ref, "uid", run->rs_uid);
    cJSON_AddBoolToObject(ref, "controller", 1);
    cJSON_AddBoolToObject(ref, "blockOwnerDeletion", 1);
    return ref;
}

static void add_pod_condition(cJSON *list, const char *type, int ok,
                              const char *when)
{
    cJSON *cond = k8s_add_pod_condition(list, type, ok, when);

    if (!ok && strcmp(type, "PodScheduled") != 0)
        cJSON_AddStringToObject(cond, "reason", "ContainersNotReady");
}

static cJSON *container_status(const struct world_pod *pod,
                               const cJSON *container)
{
    const struct k8s_pod_run *run = pod->run;
    cJSON *cs = cJSON_CreateObject(), *state, *last;
    const char *image = k8s_json_str(container, "image", NULL);

    cJSON_AddStringToObject(cs, "name", k8s_json_str(container, "name", NULL)
                            ? k8s_json_str(container, "name", NULL) : "");
    cJSON_AddStringToObject(cs, "image", image ? image : "");
    cJSON_AddStringToObject(cs, "imageID", run->started_at && image
                            ? image : "");
    cJSON_AddBoolToObject(cs, "ready", pod->ready);
    cJSON_AddBoolToObject(cs, "started", !run->reason);
    cJSON_AddNumberToObject(cs, "restartCount", run->restarts);
    state = cJSON_AddObjectToObject(cs, "state");
    last = cJSON_AddObjectToObject(cs, "lastState");
    if (run->reason) {
        cJSON *waiting = cJSON_AddObjectToObject(state, "waiting");

        cJSON_AddStringToObject(waiting, "reason", run->reason);
        if (run->message)
            cJSON_AddStringToObject(waiting, "message", run->message);
    } else {
        cJSON_AddStringToObject(cJSON_AddObjectToObject(state, "running"),
                                "startedAt", run->started_at
                                ? run->started_at : pod->created);
    }
    if (run->exited) {
        cJSON *term = cJSON_AddObjectToObject(last, "terminated");

        cJSON_AddNumberToObject(term, "exitCode", 1);
        cJSON_AddStringToObject(term, "reason", "Error");
        cJSON_AddStringToObject(term, "startedAt", run->started_at
                                ? run->started_at : pod->created);
        cJSON_AddStringToObject(term, "finishedAt", run->started_at
                                ? run->started_at : pod->created);
    }
    return cs;
}

static cJSON *pod_status(const struct world_cluster *c,
                         const struct world_pod *pod, const cJSON *spec)
{
    const struct k8s_pod_run *run = pod->run;
    cJSON *status = cJSON_CreateObject(), *conditions, *list;
    const cJSON *container;
    int sandbox = run->mounted >= 0;    /* the pod has its network */

    cJSON_AddStringToObject(status, "phase", pod->phase);
    conditions = cJSON_AddArrayToObject(status, "conditions");
    add_pod_condition(conditions, "Initialized", 1, pod->created);
    add_pod_condition(conditions, "Ready", pod->ready, pod->created);
    add_pod_condition(conditions, "ContainersReady", pod->ready,
                      pod->created);
    add_pod_condition(conditions, "PodScheduled", pod->node != NULL,
                      pod->created);
    if (pod->node && k8s_node_ip(c, pod->node))
        cJSON_AddStringToObject(status, "hostIP", k8s_node_ip(c, pod->node));
    if (sandbox) {
        cJSON *ip = cJSON_CreateObject();

        cJSON_AddStringToObject(status, "podIP", pod->ip);
        cJSON_AddStringToObject(ip, "ip", pod->ip);
        cJSON_AddItemToArray(cJSON_AddArrayToObject(status, "podIPs"), ip);
    }
    cJSON_AddStringToObject(status, "startTime", pod->created);
    cJSON_AddStringToObject(status, "qosClass", "BestEffort");
    list = cJSON_AddArrayToObject(status, "containerStatuses");
    cJSON_ArrayForEach(container, cJSON_GetObjectItemCaseSensitive(
                           spec, "containers"))
        cJSON_AddItemToArray(list, container_status(pod, container));
    return status;
}

cJSON *k8s_rollout_render_pod(const struct world_cluster *c,
                              const struct world_pod *pod)
{
    cJSON *obj = cJSON_CreateObject();
    cJSON *meta = k8s_add_metadata(obj, pod->namespace, pod->name, pod->uid,
                                   pod->resource_version, pod->created);
    cJSON *spec = cJSON_Parse(pod->run->spec);
    char prefix[310];

    snprintf(prefix, sizeof(prefix), "%s-", pod->run->replica_set);
    cJSON_AddStringToObject(meta, "generateName", prefix);
    k8s_add_map(meta, "labels", &pod->labels);
    k8s_add_map(meta, "annotations", &pod->annotations);
    cJSON_AddItemToArray(cJSON_AddArrayToObject(meta, "ownerReferences"),
                         owner_reference(pod->run));
    if (!spec)
        spec = cJSON_CreateObject();
    cJSON_AddItemToObject(obj, "status", pod_status(c, pod, spec));
    cJSON_AddItemToObject(obj, "spec", spec);
    return obj;
}
