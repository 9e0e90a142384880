/*
 * Options, the shared builders, and the controller's service account,
 * RBAC, webhook Service and Deployment. The webhook TLS and
 * configurations are in lbc_webhook.c, the CRDs and IngressClass in
 * lbc_crd.c.
 */
#include "lbc_render.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "lbc_internal.h"

void lbc_options_init(struct lbc_options *o)
{
    memset(o, 0, sizeof(*o));
    o->version = LBC_DEFAULT_VERSION;
    o->replicas = LBC_DEFAULT_REPLICAS;
    o->image_repository = LBC_DEFAULT_IMAGE_REPOSITORY;
    o->namespace = LBC_DEFAULT_NAMESPACE;
    o->identity = LBC_IDENTITY_IRSA;
}

const char *lbc_service_account(const struct lbc_options *o)
{
    return o->service_account ? o->service_account
                              : LBC_DEFAULT_SERVICE_ACCOUNT;
}

/* ---- option checks ---- */

/* A DNS-1123 label: what Kubernetes takes as a namespace or, here, a
 * service account name. */
static int dns_label(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > 63 || !isalnum((unsigned char)s[0]) ||
        !isalnum((unsigned char)s[n - 1]))
        return 0;
    for (const char *p = s; *p; p++)
        if (!(islower((unsigned char)*p) || isdigit((unsigned char)*p) ||
              *p == '-'))
            return 0;
    return 1;
}

/* EKS cluster names: a letter or digit, then letters, digits, - and _,
 * at most 100 characters. */
static int cluster_name_valid(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > 100 || !isalnum((unsigned char)s[0]))
        return 0;
    return strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                     "0123456789-_") == n;
}

/* Whether every character of s is in set and s is not empty. */
static int only(const char *s, const char *set)
{
    return *s && strspn(s, set) == strlen(s);
}

#define LOWER_DIGITS "abcdefghijklmnopqrstuvwxyz0123456789"

/* "v2.MINOR.PATCH": the chart 1.4.x shape this file renders belongs to
 * the v2 releases; v3 adds Gateway API objects that are not rendered. */
static int version_valid(const char *s)
{
    unsigned minor, patch;
    char end;
    return sscanf(s, "v2.%u.%u%c", &minor, &patch, &end) == 2 &&
           only(s + 1, "0123456789.");
}

static int role_arn_valid(const char *s)
{
    const char *iam = strstr(s, ":iam::");
    return strncmp(s, "arn:aws", 7) == 0 && iam &&
           strspn(iam + 6, "0123456789") == 12 &&
           strncmp(iam + 18, ":role/", 6) == 0 && iam[24];
}

static int check_names(const struct lbc_options *o, char *err, size_t errlen)
{
    if (!o->cluster_name || !*o->cluster_name) {
        snprintf(err, errlen, "missing cluster name: give --cluster NAME, "
                 "the EKS cluster the controller runs in");
        return -1;
    }
    if (!cluster_name_valid(o->cluster_name)) {
        snprintf(err, errlen, "invalid cluster name \"%s\": use letters, "
                 "digits, - and _ (at most 100)", o->cluster_name);
        return -1;
    }
    if (!o->namespace || !dns_label(o->namespace)) {
        snprintf(err, errlen, "invalid namespace \"%s\": use a DNS label "
                 "(a-z, 0-9 and -, at most 63)", o->namespace ? o->namespace
                                                               : "");
        return -1;
    }
    if (!dns_label(lbc_service_account(o))) {
        snprintf(err, errlen, "invalid service account name \"%s\": use a "
                 "DNS label (a-z, 0-9 and -, at most 63)",
                 lbc_service_account(o));
        return -1;
    }
    return 0;
}

static int check_aws(const struct lbc_options *o, char *err, size_t errlen)
{
    if (o->region && !only(o->region, LOWER_DIGITS "-")) {
        snprintf(err, errlen, "invalid region \"%s\": use a region name "
                 "such as us-east-1", o->region);
        return -1;
    }
    if (o->vpc_id && (strncmp(o->vpc_id, "vpc-", 4) != 0 ||
                      !only(o->vpc_id + 4, "0123456789abcdef"))) {
        snprintf(err, errlen, "invalid VPC id \"%s\": use vpc- and hex "
                 "digits, as DescribeVpcs lists them", o->vpc_id);
        return -1;
    }
    if (o->role_arn && !role_arn_valid(o->role_arn)) {
        snprintf(err, errlen, "invalid role ARN \"%s\": use "
                 "arn:aws:iam::ACCOUNT:role/NAME", o->role_arn);
        return -1;
    }
    return 0;
}

static int check_image(const struct lbc_options *o, char *err, size_t errlen)
{
    if (!o->version || !version_valid(o->version)) {
        snprintf(err, errlen, "unsupported controller version \"%s\": use "
                 "a v2 release such as %s", o->version ? o->version : "",
                 LBC_DEFAULT_VERSION);
        return -1;
    }
    if (o->replicas < 1 || o->replicas > LBC_MAX_REPLICAS) {
        snprintf(err, errlen, "invalid replica count %d: use 1 to %d",
                 o->replicas, LBC_MAX_REPLICAS);
        return -1;
    }
    if (!o->image_repository ||
        !only(o->image_repository, LOWER_DIGITS "./-_:")) {
        snprintf(err, errlen, "invalid image repository \"%s\": use a "
                 "repository without a tag, such as %s",
                 o->image_repository ? o->image_repository : "",
                 LBC_DEFAULT_IMAGE_REPOSITORY);
        return -1;
    }
    return 0;
}

int lbc_options_check(const struct lbc_options *o, char *err, size_t errlen)
{
    if (check_names(o, err, errlen) < 0 || check_aws(o, err, errlen) < 0 ||
        check_image(o, err, errlen) < 0)
        return -1;
    return 0;
}

/* ---- builders ---- */

cJSON *lbc_must(cJSON *item)
{
    if (!item) {
        fputs("albatross: out of memory\n", stderr);
        abort();
    }
    return item;
}

void lbc_put(cJSON *obj, const char *key, cJSON *item)
{
    if (!cJSON_AddItemToObject(obj, key, lbc_must(item)))
        lbc_must(NULL);
}

void lbc_put_string(cJSON *obj, const char *key, const char *value)
{
    lbc_put(obj, key, cJSON_CreateString(value));
}

void lbc_put_number(cJSON *obj, const char *key, double value)
{
    lbc_put(obj, key, cJSON_CreateNumber(value));
}

void lbc_put_bool(cJSON *obj, const char *key, int value)
{
    lbc_put(obj, key, cJSON_CreateBool(value));
}

void lbc_append(cJSON *array, cJSON *item)
{
    if (!cJSON_AddItemToArray(array, lbc_must(item)))
        lbc_must(NULL);
}

cJSON *lbc_new_object(void)
{
    return lbc_must(cJSON_CreateObject());
}

cJSON *lbc_strings(const char *const *list)
{
    cJSON *array = lbc_must(cJSON_CreateArray());
    for (size_t i = 0; list[i]; i++)
        lbc_append(array, cJSON_CreateString(list[i]));
    return array;
}

cJSON *lbc_selector_labels(void)
{
    cJSON *labels = lbc_new_object();
    lbc_put_string(labels, "app.kubernetes.io/name", LBC_NAME);
    lbc_put_string(labels, "app.kubernetes.io/instance", LBC_NAME);
    return labels;
}

cJSON *lbc_object(const char *api_version, const char *kind,
                  const char *name, const char *ns)
{
    cJSON *obj = lbc_new_object();
    cJSON *meta = lbc_new_object();
    cJSON *labels = lbc_selector_labels();
    lbc_put_string(obj, "apiVersion", api_version);
    lbc_put_string(obj, "kind", kind);
    lbc_put_string(meta, "name", name);
    if (ns)
        lbc_put_string(meta, "namespace", ns);
    lbc_put_string(labels, "app.kubernetes.io/managed-by", "albatross");
    lbc_put(meta, "labels", labels);
    lbc_put(obj, "metadata", meta);
    return obj;
}

/* ---- service account and RBAC ---- */

static cJSON *service_account(const struct lbc_options *o)
{
    cJSON *sa = lbc_object("v1", "ServiceAccount", lbc_service_account(o),
                           o->namespace);
    if (o->identity == LBC_IDENTITY_IRSA && o->role_arn) {
        cJSON *annotations = lbc_new_object();
        lbc_put_string(annotations, LBC_IRSA_ANNOTATION, o->role_arn);
        lbc_put(cJSON_GetObjectItemCaseSensitive(sa, "metadata"),
                "annotations", annotations);
    }
    lbc_put_bool(sa, "automountServiceAccountToken", 1);
    return sa;
}

static cJSON *rule(const char *const *groups, const char *const *resources,
                   const char *const *names, const char *const *verbs)
{
    cJSON *r = lbc_new_object();
    lbc_put(r, "apiGroups", lbc_strings(groups));
    lbc_put(r, "resources", lbc_strings(resources));
    if (names)
        lbc_put(r, "resourceNames", lbc_strings(names));
    lbc_put(r, "verbs", lbc_strings(verbs));
    return r;
}

#define LIST(...) ((const char *const[]){__VA_ARGS__, NULL})
#define READ LIST("get", "list", "watch")

static cJSON *leader_election_role(const struct lbc_options *o)
{
    cJSON *role = lbc_object("rbac.authorization.k8s.io/v1", "Role",
                             LBC_NAME "-leader-election-role", o->namespace);
    cJSON *rules = lbc_must(cJSON_CreateArray());
    const char *const *leader = LIST(LBC_NAME "-leader");
    lbc_append(rules, rule(LIST(""), LIST("configmaps"), NULL,
                           LIST("create")));
    lbc_append(rules, rule(LIST(""), LIST("configmaps"), leader,
                           LIST("get", "update", "patch")));
    lbc_append(rules, rule(LIST("coordination.k8s.io"), LIST("leases"), NULL,
                           LIST("create")));
    lbc_append(rules, rule(LIST("coordination.k8s.io"), LIST("leases"),
                           leader, LIST("get", "update", "patch")));
    lbc_put(role, "rules", rules);
    return role;
}

static cJSON *cluster_role(void)
{
    cJSON *role = lbc_object("rbac.authorization.k8s.io/v1", "ClusterRole",
                             LBC_NAME "-role", NULL);
    cJSON *rules = lbc_must(cJSON_CreateArray());
    lbc_append(rules, rule(LIST("elbv2.k8s.aws"),
                           LIST("targetgroupbindings"), NULL,
                           LIST("create", "delete", "get", "list", "patch",
                                "update", "watch")));
    lbc_append(rules, rule(LIST("elbv2.k8s.aws"), LIST("ingressclassparams"),
                           NULL, READ));
    lbc_append(rules, rule(LIST(""), LIST("events"), NULL,
                           LIST("create", "patch")));
    lbc_append(rules, rule(LIST(""), LIST("pods"), NULL, READ));
    lbc_append(rules, rule(LIST("networking.k8s.io"), LIST("ingressclasses"),
                           NULL, READ));
    lbc_append(rules, rule(LIST("", "extensions", "networking.k8s.io"),
                           LIST("services", "ingresses"), NULL,
                           LIST("get", "list", "patch", "update", "watch")));
    lbc_append(rules, rule(LIST(""), LIST("nodes", "namespaces", "endpoints"),
                           NULL, READ));
    lbc_append(rules, rule(LIST("elbv2.k8s.aws", "", "extensions",
                                "networking.k8s.io"),
                           LIST("targetgroupbindings/status", "pods/status",
                                "services/status", "ingresses/status"),
                           NULL, LIST("update", "patch")));
    lbc_append(rules, rule(LIST("discovery.k8s.io"), LIST("endpointslices"),
                           NULL, READ));
    lbc_put(role, "rules", rules);
    return role;
}

static cJSON *binding(const struct lbc_options *o, const char *kind,
                      const char *name, const char *role_kind,
                      const char *role_name)
{
    cJSON *b = lbc_object("rbac.authorization.k8s.io/v1", kind, name,
                          strcmp(kind, "RoleBinding") == 0 ? o->namespace
                                                           : NULL);
    cJSON *ref = lbc_new_object();
    cJSON *subject = lbc_new_object();
    cJSON *subjects = lbc_must(cJSON_CreateArray());
    lbc_put_string(ref, "apiGroup", "rbac.authorization.k8s.io");
    lbc_put_string(ref, "kind", role_kind);
    lbc_put_string(ref, "name", role_name);
    lbc_put(b, "roleRef", ref);
    lbc_put_string(subject, "kind", "ServiceAccount");
    lbc_put_string(subject, "name", lbc_service_account(o));
    lbc_put_string(subject, "namespace", o->namespace);
    lbc_append(subjects, subject);
    lbc_put(b, "subjects", subjects);
    return b;
}

/* ---- webhook Service and Deployment ---- */

#define WEBHOOK_PORT 9443
#define METRICS_PORT 8080
#define HEALTH_PORT  61779
#define CERT_DIR     "/tmp/k8s-webhook-server/serving-certs"

static cJSON *webhook_service(const struct lbc_options *o)
{
    cJSON *svc = lbc_object("v1", "Service", LBC_WEBHOOK_SERVICE,
                            o->namespace);
    cJSON *spec = lbc_new_object();
    cJSON *ports = lbc_must(cJSON_CreateArray());
    cJSON *port = lbc_new_object();
    lbc_put_string(port, "name", "webhook-server");
    lbc_put_number(port, "port", 443);
    lbc_put_string(port, "targetPort", "webhook-server");
    lbc_append(ports, port);
    lbc_put(spec, "ports", ports);
    lbc_put(spec, "selector", lbc_selector_labels());
    lbc_put(svc, "spec", spec);
    return svc;
}

static cJSON *container_port(const char *name, int number)
{
    cJSON *port = lbc_new_object();
    lbc_put_string(port, "name", name);
    lbc_put_number(port, "containerPort", number);
    lbc_put_string(port, "protocol", "TCP");
    return port;
}

static cJSON *probe(const char *path, int initial_delay)
{
    cJSON *p = lbc_new_object();
    cJSON *get = lbc_new_object();
    lbc_put_number(p, "failureThreshold", 2);
    lbc_put_string(get, "path", path);
    lbc_put_number(get, "port", HEALTH_PORT);
    lbc_put_string(get, "scheme", "HTTP");
    lbc_put(p, "httpGet", get);
    lbc_put_number(p, "initialDelaySeconds", initial_delay);
    lbc_put_number(p, "timeoutSeconds", 10);
    return p;
}

/* Appends "--NAME=value" to args, or nothing when value is NULL. */
static void add_arg(cJSON *args, const char *name, const char *value)
{
    char arg[256];
    if (!value)
        return;
    snprintf(arg, sizeof(arg), "--%s=%s", name, value);
    lbc_append(args, cJSON_CreateString(arg));
}

static cJSON *controller_container(const struct lbc_options *o)
{
    cJSON *c = lbc_new_object();
    cJSON *args = lbc_must(cJSON_CreateArray());
    cJSON *security = lbc_new_object();
    cJSON *mount = lbc_new_object();
    cJSON *mounts = lbc_must(cJSON_CreateArray());
    cJSON *ports = lbc_must(cJSON_CreateArray());
    char image[512];

    lbc_put_string(c, "name", LBC_NAME);
    add_arg(args, "cluster-name", o->cluster_name);
    add_arg(args, "ingress-class", LBC_INGRESS_CLASS);
    add_arg(args, "aws-region", o->region);
    add_arg(args, "aws-vpc-id", o->vpc_id);
    lbc_put(c, "args", args);
    snprintf(image, sizeof(image), "%s:%s", o->image_repository, o->version);
    lbc_put_string(c, "image", image);
    lbc_put_string(c, "imagePullPolicy", "IfNotPresent");
    lbc_put_bool(security, "readOnlyRootFilesystem", 1);
    lbc_put_bool(security, "runAsNonRoot", 1);
    lbc_put_bool(security, "allowPrivilegeEscalation", 0);
    lbc_put(c, "securityContext", security);
    lbc_put_string(mount, "mountPath", CERT_DIR);
    lbc_put_string(mount, "name", "cert");
    lbc_put_bool(mount, "readOnly", 1);
    lbc_append(mounts, mount);
    lbc_put(c, "volumeMounts", mounts);
    lbc_append(ports, container_port("webhook-server", WEBHOOK_PORT));
    lbc_append(ports, container_port("metrics-server", METRICS_PORT));
    lbc_put(c, "ports", ports);
    lbc_put(c, "livenessProbe", probe("/healthz", 30));
    lbc_put(c, "readinessProbe", probe("/readyz", 10));
    return c;
}

static cJSON *pod_spec(const struct lbc_options *o)
{
    cJSON *spec = lbc_new_object();
    cJSON *volumes = lbc_must(cJSON_CreateArray());
    cJSON *volume = lbc_new_object();
    cJSON *secret = lbc_new_object();
    cJSON *security = lbc_new_object();
    cJSON *containers = lbc_must(cJSON_CreateArray());

    lbc_put_string(spec, "serviceAccountName", lbc_service_account(o));
    lbc_put_string(volume, "name", "cert");
    lbc_put_number(secret, "defaultMode", 0644);
    lbc_put_string(secret, "secretName", LBC_TLS_SECRET);
    lbc_put(volume, "secret", secret);
    lbc_append(volumes, volume);
    lbc_put(spec, "volumes", volumes);
    lbc_put_number(security, "fsGroup", 65534);
    lbc_put(spec, "securityContext", security);
    lbc_append(containers, controller_container(o));
    lbc_put(spec, "containers", containers);
    lbc_put_number(spec, "terminationGracePeriodSeconds", 10);
    lbc_put_string(spec, "priorityClassName", "system-cluster-critical");
    return spec;
}

static cJSON *deployment(const struct lbc_options *o)
{
    cJSON *d = lbc_object("apps/v1", "Deployment", LBC_NAME, o->namespace);
    cJSON *spec = lbc_new_object();
    cJSON *selector = lbc_new_object();
    cJSON *template = lbc_new_object();
    cJSON *meta = lbc_new_object();
    cJSON *annotations = lbc_new_object();

    lbc_put_number(spec, "replicas", o->replicas);
    lbc_put(selector, "matchLabels", lbc_selector_labels());
    lbc_put(spec, "selector", selector);
    lbc_put(meta, "labels", lbc_selector_labels());
    lbc_put_string(annotations, "prometheus.io/scrape", "true");
    lbc_put_string(annotations, "prometheus.io/port", "8080");
    lbc_put(meta, "annotations", annotations);
    lbc_put(template, "metadata", meta);
    lbc_put(template, "spec", pod_spec(o));
    lbc_put(spec, "template", template);
    lbc_put(d, "spec", spec);
    return d;
}

/* ---- everything ---- */

static void render_rbac(cJSON *objects, const struct lbc_options *o)
{
    if (!o->service_account)
        lbc_append(objects, service_account(o));
    lbc_append(objects, leader_election_role(o));
    lbc_append(objects, binding(o, "RoleBinding",
                                LBC_NAME "-leader-election-rolebinding",
                                "Role", LBC_NAME "-leader-election-role"));
    lbc_append(objects, cluster_role());
    lbc_append(objects, binding(o, "ClusterRoleBinding",
                                LBC_NAME "-rolebinding", "ClusterRole",
                                LBC_NAME "-role"));
}

cJSON *lbc_render(const struct lbc_options *o, char *err, size_t errlen)
{
    if (lbc_options_check(o, err, errlen) < 0)
        return NULL;
    struct lbc_webhook_objects webhooks;
    if (lbc_render_webhooks(o, &webhooks, err, errlen) < 0)
        return NULL;
    cJSON *objects = lbc_must(cJSON_CreateArray());
    lbc_append(objects, lbc_target_group_binding_crd());
    lbc_append(objects, lbc_ingress_class_params_crd());
    render_rbac(objects, o);
    lbc_append(objects, webhooks.secret);
    lbc_append(objects, webhook_service(o));
    lbc_append(objects, deployment(o));
    lbc_append(objects, lbc_ingress_class_params());
    lbc_append(objects, lbc_ingress_class());
    /* Last: from here on the API server calls the controller for every
     * Ingress and TargetGroupBinding write, so the objects before them
     * do not wait for its pods. */
    lbc_append(objects, webhooks.mutating);
    lbc_append(objects, webhooks.validating);
    return objects;
}

static void wipe_string(cJSON *item)
{
    if (cJSON_IsString(item) && item->valuestring)
        OPENSSL_cleanse(item->valuestring, strlen(item->valuestring));
}

void lbc_secret_wipe(cJSON *obj)
{
    const cJSON *kind = cJSON_GetObjectItemCaseSensitive(obj, "kind");
    if (!cJSON_IsString(kind) || strcmp(kind->valuestring, "Secret"))
        return;
    cJSON *value;
    cJSON_ArrayForEach(value, cJSON_GetObjectItemCaseSensitive(obj, "data"))
        wipe_string(value);
}

void lbc_objects_free(cJSON *objects)
{
    cJSON *obj;
    cJSON_ArrayForEach(obj, objects)
        lbc_secret_wipe(obj);
    cJSON_Delete(objects);
}
