/*
 * Deployments, their pods and the kubelet on the sandbox clock (see
 * k8s_rollout.h). The tick runs before every request is served, so a
 * client sees each change with its own resourceVersion and watches
 * report it.
 *
 * The rollout replaces pods as a Deployment with maxSurge 100% would:
 * the pods of the new template are made at once, and the old ones are
 * deleted when the new ones are all ready.
 * TODO: maxSurge and maxUnavailable, progressDeadlineSeconds
 * (ProgressDeadlineExceeded), revisionHistoryLimit and the scale
 * subresource are not simulated, and pods are deleted without a grace
 * period.
 */
#include "k8s_rollout.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "awsreply.h"
#include "k8s_object.h"
#include "k8s_store.h"
#include "wfile.h"
#include "world_cluster.h"
#include "world_net.h"

#define CONTROLLER_REPOSITORY "aws-load-balancer-controller"
#define CRASH_RESTART_EVERY   10.0  /* sandbox seconds per crash restart */
#define CRASH_RESTARTS_MAX    5
/* NOTE: a Deployment gets at most this many pods, so that a mistyped
 * replica count cannot exhaust the sandbox's memory. A real cluster
 * would leave the rest Pending once its nodes are full. */
#define DEPLOYMENT_PODS_MAX   256

/* The events recorded once per pod. */
enum {
    EV_SCHEDULED = 1u << 0,
    EV_MOUNT = 1u << 1,
    EV_STARTED = 1u << 2,
    EV_PULL_FAILED = 1u << 3,
    EV_PULL_BACKOFF = 1u << 4,
    EV_CRASH = 1u << 5,
};

void k8s_pod_run_free(struct k8s_pod_run *run)
{
    if (!run)
        return;
    free(run->deployment);
    free(run->replica_set);
    free(run->rs_uid);
    free(run->hash);
    free(run->spec);
    free(run->message);
    free(run->started_at);
    free(run);
}

const char *k8s_json_str(const cJSON *obj, ...)
{
    va_list ap;
    const char *key;

    va_start(ap, obj);
    while (obj && (key = va_arg(ap, const char *)))
        obj = cJSON_GetObjectItemCaseSensitive(obj, key);
    va_end(ap);
    return cJSON_GetStringValue(obj);
}

static void now_text(char out[21])
{
    awsreply_format_time(time(NULL), out);
}

/* ---- events ---------------------------------------------------------- */

int k8s_record_event(struct world_cluster *c, const struct k8s_event_ref *ref,
                     const char *type, const char *reason,
                     const char *message, const char *component)
{
    struct world_event *e = world_append(&c->events, &c->event_count,
                                         sizeof(*e));
    char created[21], *seed, *suffix;

    if (!e)
        return -1;
    now_text(created);
    e->resource_version = ++c->resource_version;
    e->namespace = strdup(ref->ns);
    seed = wfile_printf("%s/%s/%s/%s/%lu", c->name, ref->kind, ref->ns,
                        ref->name, e->resource_version);
    suffix = seed ? wfile_derive("", seed, 16, WFILE_LOWER_HEX) : NULL;
    e->name = suffix ? wfile_printf("%s.%s", ref->name, suffix) : NULL;
    e->uid = seed ? wfile_uuid(seed) : NULL;
    free(seed);
    free(suffix);
    e->created = strdup(created);
    e->type = strdup(type);
    e->reason = strdup(reason);
    e->message = strdup(message);
    e->component = strdup(component);
    e->count = 1;
    e->object_kind = strdup(ref->kind);
    e->object_api_version = strdup(ref->api_version);
    e->object_namespace = strdup(ref->ns);
    e->object_name = strdup(ref->name);
    e->object_uid = strdup(ref->uid ? ref->uid : "");
    e->object_resource_version = ref->resource_version;
    return e->namespace && e->name && e->uid && e->created && e->type &&
           e->reason && e->message && e->component && e->object_kind &&
           e->object_api_version && e->object_namespace &&
           e->object_name && e->object_uid ? 0 : -1;
}

static int pod_event(struct world_cluster *c, const struct world_pod *pod,
                     const char *type, const char *reason,
                     const char *message, const char *component)
{
    struct k8s_event_ref ref = {
        "Pod", "v1", pod->namespace, pod->name, pod->uid,
        pod->resource_version,
    };

    return k8s_record_event(c, &ref, type, reason, message, component);
}

/* ---- names ----------------------------------------------------------- */

/* len characters of the alphabet the API server uses for generated
 * names and pod-template-hash, derived from seed. */
static void safe_encode(const char *seed, size_t len, char *out)
{
    static const char alphabet[] = "bcdfghjklmnpqrstvwxz2456789";
    char *hex = wfile_derive("", seed, len * 2, WFILE_LOWER_HEX);

    for (size_t i = 0; i < len; i++) {
        unsigned v = hex ? (unsigned)strtoul((char[3]){ hex[2 * i],
                                                        hex[2 * i + 1], 0 },
                                             NULL, 16) : (unsigned)i;
        out[i] = alphabet[v % (sizeof(alphabet) - 1)];
    }
    out[len] = '\0';
    free(hex);
}

/* The pod-template-hash of a template: over its JSON text. */
static void template_hash(const cJSON *tmpl, char out[11])
{
    char *text = cJSON_PrintUnformatted(tmpl);

    safe_encode(text ? text : "", 10, out);
    free(text);
}

/* ---- images and containers ----------------------------------------------- */

static int known_registry(const char *host)
{
    static const char *const hosts[] = {
        "public.ecr.aws", "docker.io", "registry-1.docker.io",
        "registry.k8s.io", "quay.io", "ghcr.io", "gcr.io", NULL,
    };
    size_t n = strlen(host);
    const char *ecr = strstr(host, ".dkr.ecr.");

    for (const char *const *h = hosts; *h; h++)
        if (strcmp(host, *h) == 0)
            return 1;
    return ecr && n > 14 && strcmp(host + n - 14, ".amazonaws.com") == 0;
}

/* Checks that image can be pulled. Returns 0, or -1 with the reason in
 * the kubelet's words (its Failed event) in why. */
static int pull_error(const char *image, char *why, size_t len)
{
    const char *slash = strchr(image, '/');
    const char *last = strrchr(image, '/');
    const char *colon = strrchr(last ? last : image, ':');
    char host[256];
    unsigned major = 0, minor = 0;

    /* A first part with a dot or a colon is a registry host; without
     * one the image is on Docker Hub. */
    if (slash && strcspn(image, ".:") < (size_t)(slash - image))
        snprintf(host, sizeof(host), "%.*s", (int)(slash - image), image);
    else
        snprintf(host, sizeof(host), "docker.io");
    if (!known_registry(host)) {
        snprintf(why, len, "rpc error: code = Unknown desc = failed to pull "
                 "and unpack image \"%s\": failed to resolve reference "
                 "\"%s\": failed to do request: Head \"https://%s/v2/\": "
                 "dial tcp: lookup %s: no such host", image, image, host,
                 host);
        return -1;
    }
    if (!strstr(image, CONTROLLER_REPOSITORY))
        return 0;
    if (colon && sscanf(colon, ":v2.%u.%u", &minor, &major) == 2 &&
        minor <= 13)
        return 0;
    snprintf(why, len, "rpc error: code = NotFound desc = failed to pull and "
             "unpack image \"%s\": failed to resolve reference \"%s\": %s: "
             "not found", image, image, image);
    return -1;
}

static int has_arg(const cJSON *container, const char *prefix)
{
    const cJSON *arg;
    size_t n = strlen(prefix);

    cJSON_ArrayForEach(arg, cJSON_GetObjectItemCaseSensitive(container,
                                                             "args"))
        if (cJSON_IsString(arg) && strncmp(arg->valuestring, prefix, n) == 0)
            return 1;
    return 0;
}

/* Whether the container exits as soon as it starts. */
static int exits(const cJSON *container)
{
    const char *image = k8s_json_str(container, "image", NULL);
    const char *command = cJSON_GetStringValue(cJSON_GetArrayItem(
        cJSON_GetObjectItemCaseSensitive(container, "command"), 0));

    if (command && (strcmp(command, "false") == 0 ||
                    strcmp(command, "/bin/false") == 0))
        return 1;
    /* The controller: "unable to load controller config", "kubernetes
     * cluster name must be specified", exit 1. */
    return image && strstr(image, CONTROLLER_REPOSITORY) &&
           !has_arg(container, "--cluster-name=");
}

/* ---- pod state ------------------------------------------------------- */

/* The first Secret volume whose Secret does not exist, or NULL; vol
 * gets the volume's name. */
static const char *missing_secret(struct world_cluster *c,
                                  const struct world_pod *pod,
                                  const cJSON *spec, const char **vol)
{
    const struct k8s_resource *secrets = k8s_cluster_resource(c, "v1",
                                                              "secrets");
    const cJSON *v;

    cJSON_ArrayForEach(v, cJSON_GetObjectItemCaseSensitive(spec, "volumes")) {
        const cJSON *secret = cJSON_GetObjectItemCaseSensitive(v, "secret");
        const char *name = k8s_json_str(secret, "secretName", NULL);
        cJSON *found;

        if (!name || cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(
                         secret, "optional")))
            continue;
        found = secrets ? k8s_store_get(c, secrets, pod->namespace, name)
                        : NULL;
        if (found) {
            cJSON_Delete(found);
            continue;
        }
        *vol = k8s_json_str(v, "name", NULL);
        return name;
    }
    return NULL;
}

/* The state a pod should be in now. */
struct pod_state {
    const char *phase;
    int ready;
    const char *reason;     /* waiting reason, NULL when running */
    char message[1024];
    int restarts;
    int exited;
    /* The events of this state and of the states before it that a
     * tick may have skipped: each EV_ bit is recorded once. */
    struct {
        unsigned bit;
        const char *type;
        char reason[32];
        char message[1200];
    } events[2];
    size_t event_count;
};

static void set_event(struct pod_state *s, unsigned bit, const char *type,
                      const char *reason, const char *message)
{
    if (s->event_count == sizeof(s->events) / sizeof(s->events[0]))
        return;
    s->events[s->event_count].bit = bit;
    s->events[s->event_count].type = type;
    snprintf(s->events[s->event_count].reason,
             sizeof(s->events[0].reason), "%s", reason);
    snprintf(s->events[s->event_count].message,
             sizeof(s->events[0].message), "%s", message);
    s->event_count++;
}

static void image_state(struct pod_state *s, const cJSON *container,
                        double since, double startup)
{
    const char *image = k8s_json_str(container, "image", NULL);
    char why[900], text[1100];

    if (!image || pull_error(image, why, sizeof(why)) == 0)
        return;
    s->phase = "Pending";
    s->ready = 0;
    snprintf(text, sizeof(text), "Failed to pull image \"%s\": %s", image,
             why);
    set_event(s, EV_PULL_FAILED, "Warning", "Failed", text);
    if (since < startup) {
        s->reason = "ErrImagePull";
        snprintf(s->message, sizeof(s->message), "%s", why);
        return;
    }
    s->reason = "ImagePullBackOff";
    snprintf(s->message, sizeof(s->message), "Back-off pulling image "
             "\"%s\"", image);
    set_event(s, EV_PULL_BACKOFF, "Normal", "BackOff", s->message);
}

static void crash_state(struct pod_state *s, const struct world_pod *pod,
                        const cJSON *container, double since, double startup)
{
    const char *name = k8s_json_str(container, "name", NULL);
    int restarts = 1 + (int)((since - startup) / CRASH_RESTART_EVERY);
    char text[600];

    s->phase = "Running";
    s->ready = 0;
    s->reason = "CrashLoopBackOff";
    s->exited = 1;
    s->restarts = restarts < CRASH_RESTARTS_MAX ? restarts
                                                : CRASH_RESTARTS_MAX;
    snprintf(s->message, sizeof(s->message), "back-off %ds restarting "
             "failed container=%s pod=%s_%s(%s)",
             10 << (s->restarts - 1 < 5 ? s->restarts - 1 : 5),
             name ? name : "", pod->name, pod->namespace, pod->uid);
    snprintf(text, sizeof(text), "Back-off restarting failed container %s "
             "in pod %s_%s(%s)", name ? name : "", pod->name,
             pod->namespace, pod->uid);
    set_event(s, EV_CRASH, "Warning", "BackOff", text);
}

/* Works out where the pod is on the clock, mounting its volumes when
 * their Secrets have appeared. */
static void pod_state_now(struct world *w, struct world_cluster *c,
                          struct world_pod *pod, const cJSON *spec,
                          struct pod_state *s)
{
    struct k8s_pod_run *run = pod->run;
    double now = world_clock(w), startup = w->timing.pod_startup, since;
    const char *vol = NULL, *secret = missing_secret(c, pod, spec, &vol);
    const cJSON *container;
    char text[600];

    memset(s, 0, sizeof(*s));
    s->phase = "Pending";
    s->reason = "ContainerCreating";
    if (secret) {
        run->mounted = -1;
        snprintf(text, sizeof(text), "MountVolume.SetUp failed for volume "
                 "\"%s\" : secret \"%s\" not found", vol ? vol : "", secret);
        set_event(s, EV_MOUNT, "Warning", "FailedMount", text);
        return;
    }
    if (run->mounted < 0)
        run->mounted = now;
    since = now - (run->mounted > run->born ? run->mounted : run->born);
    if (since < startup)
        return;
    cJSON_ArrayForEach(container, cJSON_GetObjectItemCaseSensitive(
                           spec, "containers")) {
        image_state(s, container, since - startup, startup);
        if (s->reason && strcmp(s->reason, "ContainerCreating") != 0)
            return;
    }
    cJSON_ArrayForEach(container, cJSON_GetObjectItemCaseSensitive(
                           spec, "containers"))
        if (exits(container)) {
            crash_state(s, pod, container, since, startup);
            return;
        }
    s->phase = "Running";
    s->ready = 1;
    s->reason = NULL;
    container = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(
        spec, "containers"), 0);
    snprintf(text, sizeof(text), "Started container %s",
             k8s_json_str(container, "name", NULL)
                 ? k8s_json_str(container, "name", NULL) : "");
    set_event(s, EV_STARTED, "Normal", "Started", text);
}

static int same_state(const struct world_pod *pod, const struct pod_state *s)
{
    const struct k8s_pod_run *run = pod->run;

    return strcmp(pod->phase, s->phase) == 0 && pod->ready == s->ready &&
           (run->reason == s->reason ||
            (run->reason && s->reason && !strcmp(run->reason, s->reason))) &&
           run->restarts == s->restarts && run->exited == s->exited &&
           (!s->reason || (run->message && !strcmp(run->message,
                                                   s->message)));
}

/* Moves pod i to its state now. Returns 0 or -1. */
static int advance_pod(struct world *w, struct world_cluster *c, size_t i)
{
    struct world_pod *pod = &c->pods[i];
    struct k8s_pod_run *run = pod->run;
    cJSON *spec = cJSON_Parse(run->spec);
    struct pod_state s;
    char started[21];
    int rc = 0;

    if (!spec)
        return -1;
    pod_state_now(w, c, pod, spec, &s);
    cJSON_Delete(spec);
    if (!same_state(pod, &s)) {
        char *phase = strdup(s.phase);
        char *message = s.reason ? strdup(s.message) : NULL;

        if (!phase || (s.reason && !message)) {
            free(phase);
            return -1;
        }
        free(pod->phase);
        pod->phase = phase;
        pod->ready = s.ready;
        run->reason = s.reason;
        free(run->message);
        run->message = message;
        run->restarts = s.restarts;
        run->exited = s.exited;
        if (!run->started_at && strcmp(s.phase, "Running") == 0) {
            now_text(started);
            if (!(run->started_at = strdup(started)))
                return -1;
        }
        pod->resource_version = ++c->resource_version;
    }
    for (size_t e = 0; e < s.event_count && rc == 0; e++) {
        if (run->events & s.events[e].bit)
            continue;
        run->events |= s.events[e].bit;
        rc = pod_event(c, pod, s.events[e].type, s.events[e].reason,
                       s.events[e].message, "kubelet");
    }
    return rc;
}

/* ---- pods of a Deployment -------------------------------------------- */

/* Sets the defaults the API server gives a pod spec, and the node the
 * scheduler chose. */
static void default_spec(cJSON *spec, const char *node)
{
    static const char *const defaults[][2] = {
        { "restartPolicy", "Always" }, { "dnsPolicy", "ClusterFirst" },
        { "schedulerName", "default-scheduler" },
        { "serviceAccountName", "default" },
    };
    cJSON *container;

    for (size_t i = 0; i < sizeof(defaults) / sizeof(defaults[0]); i++)
        if (!cJSON_GetObjectItemCaseSensitive(spec, defaults[i][0]))
            cJSON_AddStringToObject(spec, defaults[i][0], defaults[i][1]);
    cJSON_DeleteItemFromObjectCaseSensitive(spec, "serviceAccount");
    cJSON_AddStringToObject(spec, "serviceAccount",
                            k8s_json_str(spec, "serviceAccountName", NULL));
    if (!cJSON_GetObjectItemCaseSensitive(spec,
                                          "terminationGracePeriodSeconds"))
        cJSON_AddNumberToObject(spec, "terminationGracePeriodSeconds", 30);
    cJSON_ArrayForEach(container, cJSON_GetObjectItemCaseSensitive(
                           spec, "containers")) {
        if (!cJSON_GetObjectItemCaseSensitive(container, "imagePullPolicy"))
            cJSON_AddStringToObject(container, "imagePullPolicy",
                                    "IfNotPresent");
        if (!cJSON_GetObjectItemCaseSensitive(container,
                                              "terminationMessagePolicy"))
            cJSON_AddStringToObject(container, "terminationMessagePolicy",
                                    "File");
    }
    cJSON_DeleteItemFromObjectCaseSensitive(spec, "nodeName");
    if (node)
        cJSON_AddStringToObject(spec, "nodeName", node);
}

/* Copies a map of strings of obj into list. */
static int read_map(const cJSON *map, struct world_kv_list *list)
{
    if (!map)
        return 0;
    return k8s_read_map(map, list);
}

static int first_port(const cJSON *spec)
{
    const cJSON *port = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(
        cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(spec,
                                                            "containers"), 0),
        "ports"), 0);
    const cJSON *n = cJSON_GetObjectItemCaseSensitive(port, "containerPort");

    return cJSON_IsNumber(n) ? n->valueint : 0;
}

/* The Deployment being synced. */
struct deploy {
    struct world *w;
    struct world_cluster *c;
    const char *ns;
    const char *name;
    const char *uid;
    const cJSON *tmpl;
    char hash[11];
    char rs_name[300];
    char *rs_uid;
    size_t made;            /* pods made by this sync, for their names */
    /* Why the ReplicaSet cannot create pods (FailedCreate), or "". */
    char create_error[600];
};

static int fill_pod(struct deploy *d, struct world_pod *pod, const char *seed)
{
    const struct world_cluster *c = d->c;
    const struct world_node *node = c->node_count
        ? &c->nodes[(c->pod_count + d->made) % c->node_count] : NULL;
    const struct world_subnet *subnet = node ? world_subnet(d->w,
                                                            node->subnet_id)
                                             : NULL;
    cJSON *spec = cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(d->tmpl,
                                                                   "spec"),
                                  1);
    const cJSON *meta = cJSON_GetObjectItemCaseSensitive(d->tmpl, "metadata");
    struct k8s_pod_run *run = calloc(1, sizeof(*run));
    char suffix[6], created[21];

    safe_encode(seed, 5, suffix);
    now_text(created);
    pod->run = run;
    if (!spec || !run) {
        cJSON_Delete(spec);
        return -1;
    }
    default_spec(spec, node ? node->name : NULL);
    pod->namespace = strdup(d->ns);
    pod->name = wfile_printf("%s-%s", d->rs_name, suffix);
    pod->uid = wfile_uuid(seed);
    pod->created = strdup(created);
    pod->ip = world_address_in(subnet ? subnet->cidr : NULL, seed);
    pod->phase = strdup("Pending");
    pod->node = node ? strdup(node->name) : NULL;
    pod->health_check = strdup("pass");
    pod->container_port = first_port(spec);
    run->spec = cJSON_PrintUnformatted(spec);
    cJSON_Delete(spec);
    run->deployment = strdup(d->name);
    run->replica_set = strdup(d->rs_name);
    run->rs_uid = strdup(d->rs_uid);
    run->hash = strdup(d->hash);
    run->born = world_clock(d->w);
    run->mounted = -1;
    run->reason = "ContainerCreating";
    if (read_map(cJSON_GetObjectItemCaseSensitive(meta, "labels"),
                 &pod->labels) < 0 ||
        read_map(cJSON_GetObjectItemCaseSensitive(meta, "annotations"),
                 &pod->annotations) < 0)
        return -1;
    struct world_kv *kv = world_append(&pod->labels.items, &pod->labels.count,
                                       sizeof(*kv));
    if (!kv || !(kv->key = strdup("pod-template-hash")) ||
        !(kv->value = strdup(d->hash)))
        return -1;
    return pod->namespace && pod->name && pod->uid && pod->created &&
           pod->ip && pod->phase && (!node || pod->node) &&
           pod->health_check && run->spec && run->deployment &&
           run->replica_set && run->rs_uid && run->hash ? 0 : -1;
}

static int make_pod(struct deploy *d)
{
    struct world_cluster *c = d->c;
    char *seed = wfile_printf("%s/%s/%s/%s/%lu/%zu", c->region, c->name,
                              d->ns, d->rs_name, c->resource_version,
                              d->made);
    struct world_pod *pod = seed ? world_append(&c->pods, &c->pod_count,
                                                sizeof(*pod)) : NULL;
    char text[700];
    int rc;

    if (!pod) {
        free(seed);
        return -1;
    }
    rc = fill_pod(d, pod, seed);
    free(seed);
    d->made++;
    pod->resource_version = ++c->resource_version;
    if (rc < 0)
        return -1;
    if (!pod->node)
        return 0;   /* TODO: unschedulable pods get no FailedScheduling */
    pod->run->events |= EV_SCHEDULED;
    snprintf(text, sizeof(text), "Successfully assigned %s/%s to %s",
             pod->namespace, pod->name, pod->node);
    return pod_event(c, pod, "Normal", "Scheduled", text,
                     "default-scheduler");
}

/* Deletes pod i at once, telling watchers. */
static void remove_pod(struct world_cluster *c, size_t i)
{
    struct world_pod *pod = &c->pods[i];
    cJSON *obj = k8s_pod_resource.render(c, i);
    unsigned long rv = ++c->resource_version;
    char text[32];

    snprintf(text, sizeof(text), "%lu", rv);
    if (obj) {
        cJSON *meta = cJSON_GetObjectItemCaseSensitive(obj, "metadata");

        cJSON_DeleteItemFromObjectCaseSensitive(meta, "resourceVersion");
        cJSON_AddStringToObject(meta, "resourceVersion", text);
        cJSON_AddStringToObject(obj, "kind", "Pod");
        cJSON_AddStringToObject(obj, "apiVersion", "v1");
        k8s_store_bury(c, &k8s_pod_resource, pod->namespace, pod->name, rv,
                       obj);
    }
    world_free_pod(pod);
    memmove(pod, pod + 1, (--c->pod_count - i) * sizeof(*pod));
}

static int owned_by(const struct world_pod *pod, const char *ns,
                    const char *name)
{
    return pod->run && strcmp(pod->namespace, ns) == 0 &&
           strcmp(pod->run->deployment, name) == 0;
}

/* Counts of a Deployment's pods. */
struct tally {
    int total, updated, ready, old;
};

static struct tally count_pods(const struct deploy *d)
{
    struct tally t = { 0, 0, 0, 0 };

    for (size_t i = 0; i < d->c->pod_count; i++) {
        const struct world_pod *pod = &d->c->pods[i];

        if (!owned_by(pod, d->ns, d->name))
            continue;
        t.total++;
        t.ready += pod->ready;
        if (strcmp(pod->run->hash, d->hash) == 0)
            t.updated++;
        else
            t.old++;
    }
    return t;
}

static int scaled_event(struct deploy *d, const char *rs, const char *way,
                        int to, int from)
{
    struct k8s_event_ref ref = {
        "Deployment", "apps/v1", d->ns, d->name, d->uid, 0,
    };
    char text[600];

    snprintf(text, sizeof(text), "Scaled %s replica set %s to %d from %d",
             way, rs, to, from);
    return k8s_record_event(d->c, &ref, "Normal", "ScalingReplicaSet", text,
                            "deployment-controller");
}

/* Makes or deletes pods until the Deployment has want of the new
 * template, and deletes the old ones once those are all ready. */
static int scale(struct deploy *d, int want)
{
    struct tally t = count_pods(d);
    int rc = 0;

    if (t.updated < want && *d->create_error)
        return 0;
    if (t.updated < want) {
        for (int n = t.updated; n < want && rc == 0; n++)
            rc = make_pod(d);
        if (rc == 0)
            rc = scaled_event(d, d->rs_name, "up", want, t.updated);
    }
    for (size_t i = d->c->pod_count; t.updated > want && i-- > 0;)
        if (owned_by(&d->c->pods[i], d->ns, d->name) &&
            strcmp(d->c->pods[i].run->hash, d->hash) == 0) {
            remove_pod(d->c, i);
            if (--t.updated == want)
                rc = scaled_event(d, d->rs_name, "down", want, want + 1);
        }
    t = count_pods(d);
    if (rc < 0 || !t.old || t.ready - (t.total - t.updated) < want)
        return rc;
    /* The new pods are all ready: the old ReplicaSets go to 0. */
    for (size_t i = d->c->pod_count; i-- > 0;) {
        const struct world_pod *pod = &d->c->pods[i];

        if (owned_by(pod, d->ns, d->name) &&
            strcmp(pod->run->hash, d->hash) != 0) {
            char old_rs[300];

            snprintf(old_rs, sizeof(old_rs), "%s", pod->run->replica_set);
            remove_pod(d->c, i);
            if (rc == 0)
                rc = scaled_event(d, old_rs, "down", 0, 1);
        }
    }
    return rc;
}

/* ---- Deployment status ------------------------------------------------ */

static void add_count(cJSON *status, const char *name, int n)
{
    if (n > 0)
        cJSON_AddNumberToObject(status, name, n);
}

/* A condition, keeping lastTransitionTime (and lastUpdateTime while
 * reason and message stay) from the old status. */
static void add_condition(cJSON *list, const cJSON *old_status,
                          const char *type, int ok, const char *reason,
                          const char *message)
{
    cJSON *cond = cJSON_CreateObject(), *prev = NULL, *item;
    const char *update = NULL, *transition = NULL;
    char now[21];

    now_text(now);
    cJSON_ArrayForEach(item, cJSON_GetObjectItemCaseSensitive(old_status,
                                                              "conditions"))
        if (k8s_json_str(item, "type", NULL) &&
            strcmp(k8s_json_str(item, "type", NULL), type) == 0)
            prev = item;
    if (prev && k8s_json_str(prev, "status", NULL) &&
        strcmp(k8s_json_str(prev, "status", NULL), ok ? "True" : "False")
            == 0) {
        transition = k8s_json_str(prev, "lastTransitionTime", NULL);
        if (k8s_json_str(prev, "reason", NULL) &&
            strcmp(k8s_json_str(prev, "reason", NULL), reason) == 0 &&
            k8s_json_str(prev, "message", NULL) &&
            strcmp(k8s_json_str(prev, "message", NULL), message) == 0)
            update = k8s_json_str(prev, "lastUpdateTime", NULL);
    }
    cJSON_AddStringToObject(cond, "type", type);
    cJSON_AddStringToObject(cond, "status", ok ? "True" : "False");
    cJSON_AddStringToObject(cond, "lastUpdateTime", update ? update : now);
    cJSON_AddStringToObject(cond, "lastTransitionTime",
                            transition ? transition : now);
    cJSON_AddStringToObject(cond, "reason", reason);
    cJSON_AddStringToObject(cond, "message", message);
    cJSON_AddItemToArray(list, cond);
}

/* The status the deployment controller writes for want replicas. */
static cJSON *deployment_status(const struct deploy *d, const cJSON *obj,
                                int want)
{
    const cJSON *old = cJSON_GetObjectItemCaseSensitive(obj, "status");
    const cJSON *generation = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(obj, "metadata"), "generation");
    struct tally t = count_pods(d);
    cJSON *status = cJSON_CreateObject(), *conditions;
    int max_unavailable = want / 4;   /* 25%, rounded down */
    int done = t.updated == want && t.total == want && t.ready >= want;
    char message[400];

    cJSON_AddNumberToObject(status, "observedGeneration",
                            cJSON_IsNumber(generation)
                                ? generation->valuedouble : 1);
    add_count(status, "replicas", t.total);
    add_count(status, "updatedReplicas", t.updated);
    add_count(status, "readyReplicas", t.ready);
    add_count(status, "availableReplicas", t.ready);
    add_count(status, "unavailableReplicas", want - t.ready);
    conditions = cJSON_AddArrayToObject(status, "conditions");
    if (t.ready >= want - max_unavailable)
        add_condition(conditions, old, "Available", 1,
                      "MinimumReplicasAvailable",
                      "Deployment has minimum availability.");
    else
        add_condition(conditions, old, "Available", 0,
                      "MinimumReplicasUnavailable",
                      "Deployment does not have minimum availability.");
    snprintf(message, sizeof(message), done
             ? "ReplicaSet \"%s\" has successfully progressed."
             : "ReplicaSet \"%s\" is progressing.", d->rs_name);
    add_condition(conditions, old, "Progressing", 1,
                  done ? "NewReplicaSetAvailable" : "ReplicaSetUpdated",
                  message);
    if (*d->create_error)
        add_condition(conditions, old, "ReplicaFailure", 1, "FailedCreate",
                      d->create_error);
    return status;
}

/* Stores obj's new status when it differs, with the next
 * resourceVersion. obj is taken. */
static int store_status(struct world_cluster *c, const struct k8s_resource *r,
                        cJSON *obj, cJSON *status)
{
    char rv[32];
    cJSON *meta = cJSON_GetObjectItemCaseSensitive(obj, "metadata");

    if (cJSON_Compare(cJSON_GetObjectItemCaseSensitive(obj, "status"),
                      status, 1)) {
        cJSON_Delete(status);
        cJSON_Delete(obj);
        return 0;
    }
    cJSON_DeleteItemFromObjectCaseSensitive(obj, "status");
    cJSON_AddItemToObject(obj, "status", status);
    snprintf(rv, sizeof(rv), "%lu", ++c->resource_version);
    cJSON_DeleteItemFromObjectCaseSensitive(meta, "resourceVersion");
    cJSON_AddStringToObject(meta, "resourceVersion", rv);
    return k8s_store_put(c, r, obj);
}

/* The ServiceAccount admission plugin rejects a pod whose service
 * account does not exist; every namespace has "default". */
static void check_service_account(struct deploy *d)
{
    const char *sa = k8s_json_str(d->tmpl, "spec", "serviceAccountName",
                                  NULL);

    d->create_error[0] = '\0';
    if (!sa || !*sa || strcmp(sa, "default") == 0)
        return;
    for (size_t i = 0; i < d->c->service_account_count; i++)
        if (strcmp(d->c->service_accounts[i].namespace, d->ns) == 0 &&
            strcmp(d->c->service_accounts[i].name, sa) == 0)
            return;
    snprintf(d->create_error, sizeof(d->create_error), "pods \"%.200s-\" is "
             "forbidden: error looking up service account %.100s/%.100s: "
             "serviceaccount \"%.100s\" not found", d->rs_name, d->ns, sa,
             sa);
}

/* ---- ReplicaSets ------------------------------------------------------ */

/* Counts the pods of one ReplicaSet (by its pod-template-hash). */
static void count_hash(const struct deploy *d, const char *hash, int *pods,
                       int *ready)
{
    *pods = *ready = 0;
    for (size_t i = 0; i < d->c->pod_count; i++) {
        const struct world_pod *pod = &d->c->pods[i];

        if (owned_by(pod, d->ns, d->name) &&
            strcmp(pod->run->hash, hash) == 0) {
            (*pods)++;
            *ready += pod->ready;
        }
    }
}

static void set_number(cJSON *obj, const char *name, double n)
{
    cJSON_DeleteItemFromObjectCaseSensitive(obj, name);
    cJSON_AddNumberToObject(obj, name, n);
}

/* A new ReplicaSet of the Deployment's template, as the deployment
 * controller creates it: the template and selector with the
 * pod-template-hash label, owned by the Deployment. */
static cJSON *new_replica_set(const struct deploy *d, const cJSON *dep,
                              int revision)
{
    cJSON *rs = cJSON_CreateObject(), *meta, *labels, *spec, *sel, *ref;
    cJSON *tmpl = cJSON_Duplicate(d->tmpl, 1);
    char created[21], text[32];

    now_text(created);
    meta = k8s_add_metadata(rs, d->ns, d->rs_name, d->rs_uid, 0, created);
    cJSON_DeleteItemFromObjectCaseSensitive(meta, "resourceVersion");
    cJSON_AddNumberToObject(meta, "generation", 1);
    labels = cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(d->tmpl, "metadata"), "labels"), 1);
    if (!labels)
        labels = cJSON_CreateObject();
    cJSON_AddStringToObject(labels, "pod-template-hash", d->hash);
    cJSON_AddItemToObject(meta, "labels", labels);
    snprintf(text, sizeof(text), "%d", revision);
    cJSON_AddStringToObject(cJSON_AddObjectToObject(meta, "annotations"),
                            "deployment.kubernetes.io/revision", text);
    ref = cJSON_CreateObject();
    cJSON_AddStringToObject(ref, "apiVersion", "apps/v1");
    cJSON_AddStringToObject(ref, "kind", "Deployment");
    cJSON_AddStringToObject(ref, "name", d->name);
    cJSON_AddStringToObject(ref, "uid", d->uid ? d->uid : "");
    cJSON_AddBoolToObject(ref, "controller", 1);
    cJSON_AddBoolToObject(ref, "blockOwnerDeletion", 1);
    cJSON_AddItemToArray(cJSON_AddArrayToObject(meta, "ownerReferences"),
                         ref);
    spec = cJSON_AddObjectToObject(rs, "spec");
    sel = cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(dep, "spec"), "selector"), 1);
    if (!sel)
        sel = cJSON_CreateObject();
    if (!cJSON_GetObjectItemCaseSensitive(sel, "matchLabels"))
        cJSON_AddObjectToObject(sel, "matchLabels");
    cJSON_AddStringToObject(cJSON_GetObjectItemCaseSensitive(sel,
                                                             "matchLabels"),
                            "pod-template-hash", d->hash);
    cJSON_AddItemToObject(spec, "selector", sel);
    if (tmpl && cJSON_GetObjectItemCaseSensitive(tmpl, "metadata"))
        cJSON_ReplaceItemInObjectCaseSensitive(
            cJSON_GetObjectItemCaseSensitive(tmpl, "metadata"), "labels",
            cJSON_Duplicate(labels, 1));
    cJSON_AddItemToObject(spec, "template", tmpl);
    cJSON_AddObjectToObject(rs, "status");
    return rs;
}

/* Brings a ReplicaSet's replicas and status to its pods; stores it with
 * the next resourceVersion when it changed. rs is taken. */
static int update_replica_set(struct deploy *d, const struct k8s_resource *r,
                              cJSON *rs, int replicas)
{
    const char *hash = k8s_json_str(rs, "metadata", "labels",
                                    "pod-template-hash", NULL);
    cJSON *before = cJSON_Duplicate(rs, 1);
    cJSON *status = cJSON_CreateObject();
    int pods = 0, ready = 0, rc = 0;
    char rv[32];

    count_hash(d, hash ? hash : "", &pods, &ready);
    set_number(cJSON_GetObjectItemCaseSensitive(rs, "spec"), "replicas",
               replicas);
    cJSON_AddNumberToObject(status, "replicas", pods);
    add_count(status, "fullyLabeledReplicas", pods);
    add_count(status, "readyReplicas", ready);
    add_count(status, "availableReplicas", ready);
    cJSON_AddNumberToObject(status, "observedGeneration", 1);
    cJSON_DeleteItemFromObjectCaseSensitive(rs, "status");
    cJSON_AddItemToObject(rs, "status", status);
    if (!cJSON_Compare(before, rs, 1)) {
        snprintf(rv, sizeof(rv), "%lu", ++d->c->resource_version);
        cJSON_DeleteItemFromObjectCaseSensitive(
            cJSON_GetObjectItemCaseSensitive(rs, "metadata"),
            "resourceVersion");
        cJSON_AddStringToObject(cJSON_GetObjectItemCaseSensitive(rs,
                                                                 "metadata"),
                                "resourceVersion", rv);
        rc = k8s_store_put(d->c, r, rs);
        rs = NULL;
    }
    cJSON_Delete(before);
    cJSON_Delete(rs);
    return rc;
}

static int owns_replica_set(const struct deploy *d, const cJSON *rs)
{
    const cJSON *ref = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(rs, "metadata"), "ownerReferences"),
        0);
    const char *ns = k8s_json_str(rs, "metadata", "namespace", NULL);
    const char *uid = k8s_json_str(ref, "uid", NULL);

    return ns && uid && d->uid && strcmp(ns, d->ns) == 0 &&
           strcmp(uid, d->uid) == 0;
}

/* Keeps a ReplicaSet per template the Deployment has had: the current
 * one at want replicas, the old ones at the pods they still have. */
static int sync_replica_sets(struct deploy *d, const cJSON *dep, int want)
{
    const struct k8s_resource *r = k8s_cluster_resource(d->c, "apps/v1",
                                                        "replicasets");
    size_t count = r ? r->count(d->c) : 0;
    int revision = 0, current = 0, rc = 0;

    for (size_t i = 0; i < count && rc == 0; i++) {
        cJSON *rs = r->render(d->c, i);
        const char *name = k8s_json_str(rs, "metadata", "name", NULL);
        const char *rev = k8s_json_str(rs, "metadata", "annotations",
                                       "deployment.kubernetes.io/revision",
                                       NULL);
        int pods, ready;

        if (!owns_replica_set(d, rs)) {
            cJSON_Delete(rs);
            continue;
        }
        if (rev && atoi(rev) > revision)
            revision = atoi(rev);
        current |= name && strcmp(name, d->rs_name) == 0;
        count_hash(d, k8s_json_str(rs, "metadata", "labels",
                                   "pod-template-hash", NULL)
                          ? k8s_json_str(rs, "metadata", "labels",
                                         "pod-template-hash", NULL) : "",
                   &pods, &ready);
        rc = update_replica_set(d, r, rs, name && strcmp(name, d->rs_name)
                                                  == 0 ? want : pods);
    }
    if (rc == 0 && r && !current)
        rc = update_replica_set(d, r, new_replica_set(d, dep, revision + 1),
                                want);
    return rc;
}

/* Deletes the ReplicaSets whose Deployment is gone, as the garbage
 * collector does. */
static void orphan_replica_sets(struct world_cluster *c,
                                const struct k8s_resource *deployments)
{
    const struct k8s_resource *r = k8s_cluster_resource(c, "apps/v1",
                                                        "replicasets");

    for (size_t i = r ? r->count(c) : 0; i-- > 0;) {
        cJSON *rs = r->render(c, i);
        const char *ns = k8s_json_str(rs, "metadata", "namespace", NULL);
        const char *name = k8s_json_str(rs, "metadata", "name", NULL);
        const cJSON *ref = cJSON_GetArrayItem(
            cJSON_GetObjectItemCaseSensitive(
                cJSON_GetObjectItemCaseSensitive(rs, "metadata"),
                "ownerReferences"), 0);
        const char *owner = k8s_json_str(ref, "name", NULL);
        cJSON *d = ns && owner ? k8s_store_get(c, deployments, ns, owner)
                               : NULL;
        const char *uid = k8s_json_str(d, "metadata", "uid", NULL);
        char rv[32];

        if (!ns || !name || (d && uid && k8s_json_str(ref, "uid", NULL) &&
                             strcmp(uid, k8s_json_str(ref, "uid", NULL))
                                 == 0)) {
            cJSON_Delete(d);
            cJSON_Delete(rs);
            continue;
        }
        cJSON_Delete(d);
        snprintf(rv, sizeof(rv), "%lu", ++c->resource_version);
        cJSON_DeleteItemFromObjectCaseSensitive(
            cJSON_GetObjectItemCaseSensitive(rs, "metadata"),
            "resourceVersion");
        cJSON_AddStringToObject(cJSON_GetObjectItemCaseSensitive(rs,
                                                                 "metadata"),
                                "resourceVersion", rv);
        k8s_store_remove(c, r, ns, name);
        cJSON_AddStringToObject(rs, "kind", "ReplicaSet");
        cJSON_AddStringToObject(rs, "apiVersion", "apps/v1");
        k8s_store_bury(c, r, ns, name, c->resource_version, rs);
    }
}

static int sync_deployment(struct world *w, struct world_cluster *c,
                           const struct k8s_resource *r, cJSON *obj)
{
    const cJSON *spec = cJSON_GetObjectItemCaseSensitive(obj, "spec");
    const cJSON *replicas = cJSON_GetObjectItemCaseSensitive(spec,
                                                             "replicas");
    int want = cJSON_IsNumber(replicas) && replicas->valueint >= 0
                   ? replicas->valueint : 1;
    if (want > DEPLOYMENT_PODS_MAX)
        want = DEPLOYMENT_PODS_MAX;
    struct deploy d = {
        .w = w, .c = c,
        .ns = k8s_json_str(obj, "metadata", "namespace", NULL),
        .name = k8s_json_str(obj, "metadata", "name", NULL),
        .uid = k8s_json_str(obj, "metadata", "uid", NULL),
        .tmpl = cJSON_GetObjectItemCaseSensitive(spec, "template"),
    };
    char *seed;
    int rc;

    if (!d.ns || !d.name || !cJSON_IsObject(d.tmpl)) {
        cJSON_Delete(obj);
        return 0;   /* nothing a pod could be made from */
    }
    template_hash(d.tmpl, d.hash);
    snprintf(d.rs_name, sizeof(d.rs_name), "%.200s-%s", d.name, d.hash);
    check_service_account(&d);
    seed = wfile_printf("%s/%s/%s/replicaset/%s", c->region, c->name, d.ns,
                        d.rs_name);
    d.rs_uid = seed ? wfile_uuid(seed) : NULL;
    free(seed);
    rc = d.rs_uid ? scale(&d, want) : -1;
    for (size_t i = 0; rc == 0 && i < c->pod_count; i++)
        if (owned_by(&c->pods[i], d.ns, d.name))
            rc = advance_pod(w, c, i);
    if (rc == 0)
        rc = sync_replica_sets(&d, obj, want);
    if (rc == 0)
        rc = store_status(c, r, obj, deployment_status(&d, obj, want));
    else
        cJSON_Delete(obj);
    free(d.rs_uid);
    return rc;
}

/* Deletes the pods whose Deployment is gone. */
static void orphans(struct world_cluster *c, const struct k8s_resource *r)
{
    for (size_t i = c->pod_count; i-- > 0;) {
        const struct world_pod *pod = &c->pods[i];
        cJSON *d;

        if (!pod->run)
            continue;
        d = k8s_store_get(c, r, pod->namespace, pod->run->deployment);
        if (d)
            cJSON_Delete(d);
        else
            remove_pod(c, i);
    }
}

static int tick_cluster(struct world *w, struct world_cluster *c)
{
    const struct k8s_resource *r = k8s_cluster_resource(c, "apps/v1",
                                                        "deployments");
    size_t count;
    int rc = 0;

    if (!r)
        return 0;
    orphans(c, r);
    orphan_replica_sets(c, r);
    count = r->count(c);
    for (size_t i = 0; i < count && rc == 0; i++)
        rc = sync_deployment(w, c, r, r->render(c, i));
    return rc;
}

int k8s_rollout_tick(struct world *w)
{
    for (size_t i = 0; i < w->cluster_count; i++)
        if (w->clusters[i].store && tick_cluster(w, &w->clusters[i]) < 0)
            return -1;
    return 0;
}
