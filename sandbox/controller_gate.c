/*
 * The controller simulation driven by the cluster's own objects. It runs
 * while a Deployment labelled
 * app.kubernetes.io/name=aws-load-balancer-controller is Available, as
 * the pods of that Deployment would. Its service account, version
 * (the image tag) and --ingress-class come from the Deployment. It
 * reconciles every ingress when it starts and again whenever an
 * ingress changes; when the Deployment is deleted or no longer
 * available, it stops. Such a Deployment also replaces a controller the
 * world file installed, as installing the controller over a running one
 * replaces its pods. A run that lacked the eks-pod-identity-agent
 * add-on is retried once the add-on is ACTIVE.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "controller_task.h"
#include "k8s_rollout.h"
#include "k8s_store.h"
#include "wfile.h"
#include "world_addon.h"

#define CONTROLLER_NAME_LABEL "app.kubernetes.io/name"
#define CONTROLLER_NAME       "aws-load-balancer-controller"

static int available(const cJSON *deployment)
{
    const cJSON *cond;

    cJSON_ArrayForEach(cond, cJSON_GetObjectItemCaseSensitive(
                           cJSON_GetObjectItemCaseSensitive(deployment,
                                                            "status"),
                           "conditions")) {
        const char *type = k8s_json_str(cond, "type", NULL);
        const char *status = k8s_json_str(cond, "status", NULL);

        if (type && status && strcmp(type, "Available") == 0)
            return strcmp(status, "True") == 0;
    }
    return 0;
}

/* The cluster's available controller Deployment, or NULL. */
static cJSON *controller_deployment(struct world_cluster *c)
{
    const struct k8s_resource *r = c->store
        ? k8s_cluster_resource(c, "apps/v1", "deployments") : NULL;
    size_t count = r ? r->count(c) : 0;

    for (size_t i = 0; i < count; i++) {
        cJSON *d = r->render(c, i);
        const char *name = k8s_json_str(d, "metadata", "labels",
                                        CONTROLLER_NAME_LABEL, NULL);

        if (name && strcmp(name, CONTROLLER_NAME) == 0 && available(d))
            return d;
        cJSON_Delete(d);
    }
    return NULL;
}

/* The value of --NAME=VALUE among the container's args, or NULL. */
static const char *flag(const cJSON *container, const char *name)
{
    const cJSON *arg;
    size_t n = strlen(name);

    cJSON_ArrayForEach(arg, cJSON_GetObjectItemCaseSensitive(container,
                                                             "args"))
        if (cJSON_IsString(arg) && strncmp(arg->valuestring, name, n) == 0 &&
            arg->valuestring[n] == '=')
            return arg->valuestring + n + 1;
    return NULL;
}

static double generation(const cJSON *d)
{
    const cJSON *g = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(d, "metadata"), "generation");

    return cJSON_IsNumber(g) ? g->valuedouble : 0;
}

static void forget(struct world_controller *k)
{
    free(k->sa_namespace);
    free(k->sa_name);
    free(k->version);
    free(k->ingress_class);
    k->sa_namespace = k->sa_name = k->version = k->ingress_class = NULL;
    k->installed = k->deployed = 0;
    k->generation = 0;
    k->reconciled_rv = 0;
    k->reconciled_ingresses = 0;
    k->awaiting_agent = 0;
}

/* Takes the controller's settings from its Deployment, as new pods of
 * it start: it reconciles every ingress again. */
static int adopt(struct world_controller *k, const cJSON *d)
{
    const cJSON *spec = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(
            cJSON_GetObjectItemCaseSensitive(d, "spec"), "template"), "spec");
    const cJSON *container = cJSON_GetArrayItem(
        cJSON_GetObjectItemCaseSensitive(spec, "containers"), 0);
    const char *sa = k8s_json_str(spec, "serviceAccountName", NULL);
    const char *image = k8s_json_str(container, "image", NULL);
    const char *tag = image ? strrchr(image, ':') : NULL;
    const char *klass = flag(container, "--ingress-class");
    const char *tolerate = flag(container,
                                "--tolerate-non-existent-backend-service");
    unsigned major, minor, patch;

    forget(k);
    /* The pods assume the role their service account's annotation
     * names, not one the world file gave an earlier controller. */
    free(k->role_arn);
    k->role_arn = NULL;
    k->sa_namespace = strdup(k8s_json_str(d, "metadata", "namespace", NULL));
    k->sa_name = strdup(sa ? sa : "default");
    k->version = strdup(tag && sscanf(tag, ":v%u.%u.%u", &major, &minor,
                                      &patch) == 3 ? tag + 1 : "v2.7.2");
    k->ingress_class = strdup(klass ? klass : "alb");
    /* The flag defaults to true from v2.4 on. */
    k->tolerate_missing_service = !tolerate || strcmp(tolerate, "false");
    k->installed = k->deployed = 1;
    k->generation = generation(d);
    return k->sa_namespace && k->sa_name && k->version && k->ingress_class
               ? 0 : -1;
}

static unsigned long newest_ingress(const struct world_cluster *c)
{
    unsigned long newest = 0;

    for (size_t i = 0; i < c->ingress_count; i++)
        if (c->ingresses[i].resource_version > newest)
            newest = c->ingresses[i].resource_version;
    return newest;
}

static int gate_cluster(struct world *w, struct world_cluster *c)
{
    struct world_controller *k = &c->controller;
    cJSON *d;
    int rc = 0;

    d = controller_deployment(c);
    if (!d) {
        /* The world file's controller runs without a Deployment. */
        if (k->deployed)
            forget(k);
        return 0;
    }
    /* An upgrade (a new image or new flags) restarts the controller. */
    if (!k->deployed || k->generation != generation(d))
        rc = adopt(k, d);
    cJSON_Delete(d);
    /* NOTE: the retry comes at the next tick, without the controller's
     * exponential backoff. */
    int retry = k->awaiting_agent &&
                world_addon_active(w, c, WORLD_POD_IDENTITY_AGENT);
    if (rc < 0 || (!retry && k->reconciled_rv == newest_ingress(c) &&
                   k->reconciled_ingresses == c->ingress_count))
        return rc;
    rc = ctl_run_cluster(w, c);
    /* Its own status updates are changes it has seen. */
    k->reconciled_rv = newest_ingress(c);
    k->reconciled_ingresses = c->ingress_count;
    return rc;
}

int ctl_gate_tick(struct world *w)
{
    for (size_t i = 0; i < w->cluster_count; i++)
        if (gate_cluster(w, &w->clusters[i]) < 0)
            return -1;
    return 0;
}
