/*
 * The controller's webhook TLS and admission webhooks, as chart 1.4.x
 * renders them without cert-manager. A CA named
 * aws-load-balancer-controller-ca signs a serving certificate for the
 * webhook Service's DNS names. The Secret contains both certificates and
 * the key, and every webhook trusts the CA through its caBundle.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "../api/certgen.h"
#include "../api/strutil.h"
#include "lbc_internal.h"

/* Standard base64 of a NUL-terminated string, on one line. */
static char *base64_text(const char *text)
{
    size_t len = strlen(text);
    char *out = malloc(4 * ((len + 2) / 3) + 1);
    if (!out)
        return NULL;
    EVP_EncodeBlock((unsigned char *)out, (const unsigned char *)text,
                    (int)len);
    return out;
}

static cJSON *tls_secret(const struct lbc_options *o,
                         const char *const data[3])
{
    cJSON *secret = lbc_object("v1", "Secret", LBC_TLS_SECRET, o->namespace);
    cJSON *fields = lbc_new_object();
    lbc_put_string(secret, "type", "kubernetes.io/tls");
    lbc_put_string(fields, "ca.crt", data[0]);
    lbc_put_string(fields, "tls.crt", data[1]);
    lbc_put_string(fields, "tls.key", data[2]);
    lbc_put(secret, "data", fields);
    return secret;
}

/* The operations and resources of one admission rule. */
struct webhook_rule {
    const char *group;
    const char *version;
    const char *resource;
    int on_update;              /* CREATE and UPDATE; 0: CREATE only */
};

static cJSON *webhook(const struct lbc_options *o, const char *name,
                      const char *path, const char *ca_bundle,
                      const struct webhook_rule *r)
{
    cJSON *w = lbc_new_object();
    cJSON *client = lbc_new_object();
    cJSON *service = lbc_new_object();
    cJSON *rules = lbc_must(cJSON_CreateArray());
    cJSON *rule = lbc_new_object();

    lbc_put_string(w, "name", name);
    lbc_put_string(client, "caBundle", ca_bundle);
    lbc_put_string(service, "name", LBC_WEBHOOK_SERVICE);
    lbc_put_string(service, "namespace", o->namespace);
    lbc_put_string(service, "path", path);
    lbc_put(client, "service", service);
    lbc_put(w, "clientConfig", client);
    lbc_put_string(w, "failurePolicy", "Fail");
    lbc_put(rule, "apiGroups", lbc_strings((const char *const[]){
        r->group, NULL}));
    lbc_put(rule, "apiVersions", lbc_strings((const char *const[]){
        r->version, NULL}));
    lbc_put(rule, "operations", lbc_strings((const char *const[]){
        "CREATE", r->on_update ? "UPDATE" : NULL, NULL}));
    lbc_put(rule, "resources", lbc_strings((const char *const[]){
        r->resource, NULL}));
    lbc_append(rules, rule);
    lbc_put(w, "rules", rules);
    lbc_put_string(w, "sideEffects", "None");
    /* AdmissionReview v1beta1 only, as chart 1.4.x lists it. */
    lbc_put(w, "admissionReviewVersions", lbc_strings((const char *const[]){
        "v1beta1", NULL}));
    return w;
}

/* One matchExpressions entry: key OPERATOR [value]. */
static cJSON *label_expression(const char *key, const char *op,
                               const char *value)
{
    cJSON *selector = lbc_new_object();
    cJSON *expressions = lbc_must(cJSON_CreateArray());
    cJSON *e = lbc_new_object();
    lbc_put_string(e, "key", key);
    lbc_put_string(e, "operator", op);
    lbc_put(e, "values", lbc_strings((const char *const[]){value, NULL}));
    lbc_append(expressions, e);
    lbc_put(selector, "matchExpressions", expressions);
    return selector;
}

static const struct webhook_rule pod_rule = {"", "v1", "pods", 0};
static const struct webhook_rule tgb_rule = {
    "elbv2.k8s.aws", "v1beta1", "targetgroupbindings", 1};
static const struct webhook_rule ingress_rule = {
    "networking.k8s.io", "v1", "ingresses", 1};

static cJSON *mutating(const struct lbc_options *o, const char *ca)
{
    cJSON *config = lbc_object("admissionregistration.k8s.io/v1",
                               "MutatingWebhookConfiguration",
                               LBC_WEBHOOK_CONFIG, NULL);
    cJSON *hooks = lbc_must(cJSON_CreateArray());
    /* Pod readiness gates: only in namespaces that opt in, and never for
     * the controller's own pods, which must start without it. */
    cJSON *pod = webhook(o, "mpod.elbv2.k8s.aws", "/mutate-v1-pod", ca,
                         &pod_rule);
    lbc_put(pod, "namespaceSelector", label_expression(
        "elbv2.k8s.aws/pod-readiness-gate-inject", "In", "enabled"));
    lbc_put(pod, "objectSelector", label_expression(
        "app.kubernetes.io/name", "NotIn", LBC_NAME));
    lbc_append(hooks, pod);
    lbc_append(hooks, webhook(o, "mtargetgroupbinding.elbv2.k8s.aws",
                              "/mutate-elbv2-k8s-aws-v1beta1-"
                              "targetgroupbinding", ca, &tgb_rule));
    lbc_put(config, "webhooks", hooks);
    return config;
}

static cJSON *validating(const struct lbc_options *o, const char *ca)
{
    cJSON *config = lbc_object("admissionregistration.k8s.io/v1",
                               "ValidatingWebhookConfiguration",
                               LBC_WEBHOOK_CONFIG, NULL);
    cJSON *hooks = lbc_must(cJSON_CreateArray());
    lbc_append(hooks, webhook(o, "vtargetgroupbinding.elbv2.k8s.aws",
                              "/validate-elbv2-k8s-aws-v1beta1-"
                              "targetgroupbinding", ca, &tgb_rule));
    /* Every Ingress of the cluster, whatever its class. */
    cJSON *ingress = webhook(o, "vingress.elbv2.k8s.aws",
                             "/validate-networking-v1-ingress", ca,
                             &ingress_rule);
    lbc_put_string(ingress, "matchPolicy", "Equivalent");
    lbc_append(hooks, ingress);
    lbc_put(config, "webhooks", hooks);
    return config;
}

/* The serving certificate's names: the webhook Service as the API
 * server may address it. */
static void service_names(const struct lbc_options *o, char *out, size_t len)
{
    const char *svc = LBC_WEBHOOK_SERVICE;
    const char *ns = o->namespace;
    snprintf(out, len, "DNS:%s.%s,DNS:%s.%s.svc,DNS:%s.%s.svc.cluster.local",
             svc, ns, svc, ns, svc, ns);
}

int lbc_render_webhooks(const struct lbc_options *o,
                        struct lbc_webhook_objects *w, char *err,
                        size_t errlen)
{
    memset(w, 0, sizeof(*w));
    char names[512];
    service_names(o, names, sizeof(names));
    const struct certgen_spec spec = {
        .ca_common_name = LBC_CA_COMMON_NAME,
        .common_name = LBC_NAME,
        .subject_alt_names = names,
        .valid_days = LBC_CERT_VALID_DAYS,
    };
    struct certgen_pems pems;
    if (certgen_generate(&spec, &pems, err, errlen) < 0)
        return -1;
    char *data[3] = {
        base64_text(pems.ca_cert), base64_text(pems.cert),
        base64_text(pems.key),
    };
    certgen_pems_cleanup(&pems);
    int rc = data[0] && data[1] && data[2] ? 0 : -1;
    if (rc == 0) {
        w->secret = tls_secret(o, (const char *const *)data);
        w->mutating = mutating(o, data[0]);
        w->validating = validating(o, data[0]);
    } else {
        snprintf(err, errlen, "out of memory encoding the webhook "
                 "certificates");
    }
    free(data[0]);
    free(data[1]);
    str_wipe_free(data[2]);
    return rc;
}
