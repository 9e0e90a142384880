/*
 * Admission webhooks: before a write is stored, the API server calls
 * each MutatingWebhookConfiguration's and then each
 * ValidatingWebhookConfiguration's webhooks whose rules and selectors
 * match it. The sandbox makes no call. It checks what a call needs
 * from the cluster: the webhook's Service, a ready pod behind it, and
 * that pod's serving certificate (tls.crt of its Secret volume), which
 * must verify against the caBundle for SERVICE.NAMESPACE.svc. When one
 * of those would fail the call, the write fails with the API server's
 * message. A webhook whose call would succeed admits the write
 * unchanged.
 */
#include "k8s_write_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include "../api/base64.h"
#include "k8s_reply.h"
#include "k8s_rollout.h"
#include "k8s_store.h"
#include "world_net.h"

#define CALL_ERROR_MAX 1500

/* ---- matching ------------------------------------------------------------ */

static int listed(const cJSON *list, const char *value)
{
    const cJSON *item;

    cJSON_ArrayForEach(item, list)
        if (cJSON_IsString(item) && (strcmp(item->valuestring, "*") == 0 ||
                                     strcmp(item->valuestring, value) == 0))
            return 1;
    return 0;
}

static const char *version_of(const struct write *w)
{
    const char *slash = strrchr(w->r->group_version, '/');

    return slash ? slash + 1 : w->r->group_version;
}

static int rule_matches(const struct write *w, const cJSON *rule,
                        const char *operation)
{
    return listed(cJSON_GetObjectItemCaseSensitive(rule, "operations"),
                  operation) &&
           listed(cJSON_GetObjectItemCaseSensitive(rule, "apiGroups"),
                  w->group) &&
           listed(cJSON_GetObjectItemCaseSensitive(rule, "apiVersions"),
                  version_of(w)) &&
           listed(cJSON_GetObjectItemCaseSensitive(rule, "resources"),
                  w->r->plural);
}

/* Whether a LabelSelector (matchLabels, matchExpressions with In,
 * NotIn, Exists and DoesNotExist) selects labels; a missing or empty
 * selector selects everything. */
static int selector_matches(const cJSON *sel, const cJSON *labels)
{
    const cJSON *item;

    cJSON_ArrayForEach(item, cJSON_GetObjectItemCaseSensitive(sel,
                                                              "matchLabels")) {
        const char *have = k8s_json_str(labels, item->string, NULL);

        if (!cJSON_IsString(item) || !have ||
            strcmp(have, item->valuestring) != 0)
            return 0;
    }
    cJSON_ArrayForEach(item, cJSON_GetObjectItemCaseSensitive(
                           sel, "matchExpressions")) {
        const char *key = k8s_json_str(item, "key", NULL);
        const char *op = k8s_json_str(item, "operator", NULL);
        const char *have = key ? k8s_json_str(labels, key, NULL) : NULL;
        int in = have && listed(cJSON_GetObjectItemCaseSensitive(item,
                                                                 "values"),
                                have);

        if (!op || (strcmp(op, "In") == 0 && !in) ||
            (strcmp(op, "NotIn") == 0 && in) ||
            (strcmp(op, "Exists") == 0 && !have) ||
            (strcmp(op, "DoesNotExist") == 0 && have))
            return 0;
    }
    return 1;
}

/* Whether webhook hook is called for this write of obj. Namespaces
 * carry only the kubernetes.io/metadata.name label in the sandbox. */
static int webhook_matches(const struct write *w, const cJSON *hook,
                           const cJSON *obj, const char *operation)
{
    const cJSON *rule, *labels = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(obj, "metadata"), "labels");
    int matched = 0;

    cJSON_ArrayForEach(rule, cJSON_GetObjectItemCaseSensitive(hook, "rules"))
        matched |= rule_matches(w, rule, operation);
    if (!matched ||
        !selector_matches(cJSON_GetObjectItemCaseSensitive(hook,
                                                           "objectSelector"),
                          labels))
        return 0;
    if (w->ns) {
        cJSON *ns_labels = cJSON_CreateObject();
        int ok;

        cJSON_AddStringToObject(ns_labels, "kubernetes.io/metadata.name",
                                w->ns);
        ok = selector_matches(cJSON_GetObjectItemCaseSensitive(
                                  hook, "namespaceSelector"), ns_labels);
        cJSON_Delete(ns_labels);
        return ok;
    }
    return 1;
}

/* ---- the call ------------------------------------------------------------ */

static const struct world_service *find_service(const struct world_cluster *c,
                                                const char *ns,
                                                const char *name)
{
    for (size_t i = 0; i < c->service_count; i++)
        if (strcmp(c->services[i].namespace, ns) == 0 &&
            strcmp(c->services[i].name, name) == 0)
            return &c->services[i];
    return NULL;
}

/* A ready pod the service selects, or NULL: the endpoint a call goes to. */
static const struct world_pod *ready_endpoint(const struct world_cluster *c,
                                              const struct world_service *svc)
{
    for (size_t i = 0; svc->selector.count && i < c->pod_count; i++) {
        const struct world_pod *pod = &c->pods[i];
        int selected = strcmp(pod->namespace, svc->namespace) == 0 &&
                       pod->ready && strcmp(pod->phase, "Running") == 0;

        for (size_t j = 0; selected && j < svc->selector.count; j++) {
            const char *v = world_tag(&pod->labels,
                                      svc->selector.items[j].key);

            selected = v && strcmp(v, svc->selector.items[j].value) == 0;
        }
        if (selected)
            return pod;
    }
    return NULL;
}

/* The serving certificate chain (PEM) of a pod: tls.crt of its first
 * Secret volume, decoded into out. Returns 0, or -1 when there is none. */
static int serving_chain(struct world_cluster *c, const struct world_pod *pod,
                         struct buf *out)
{
    cJSON *spec = pod->run ? cJSON_Parse(pod->run->spec) : NULL;
    const struct k8s_resource *secrets = k8s_cluster_resource(c, "v1",
                                                              "secrets");
    const cJSON *vol;
    int rc = -1;

    cJSON_ArrayForEach(vol, cJSON_GetObjectItemCaseSensitive(spec,
                                                             "volumes")) {
        const char *name = k8s_json_str(vol, "secret", "secretName", NULL);
        cJSON *secret = name && secrets
            ? k8s_store_get(c, secrets, pod->namespace, name) : NULL;
        const char *crt = k8s_json_str(secret, "data", "tls.crt", NULL);

        if (crt && *crt && base64_decode(crt, strlen(crt), out) == 0)
            rc = 0;
        cJSON_Delete(secret);
        if (rc == 0)
            break;
    }
    cJSON_Delete(spec);
    return rc;
}

/* Reads every certificate of pem into a new stack; NULL when none. */
static STACK_OF(X509) *read_certs(const char *pem, size_t len)
{
    BIO *bio = BIO_new_mem_buf(pem, (int)len);
    STACK_OF(X509) *certs = sk_X509_new_null();
    X509 *cert;

    while (bio && certs && (cert = PEM_read_bio_X509(bio, NULL, NULL, NULL)))
        if (!sk_X509_push(certs, cert))
            X509_free(cert);
    BIO_free(bio);
    if (certs && sk_X509_num(certs) == 0) {
        sk_X509_free(certs);
        certs = NULL;
    }
    return certs;
}

/* Names the certificate's DNS SANs, comma-separated, into out. */
static void san_list(X509 *cert, char *out, size_t len)
{
    GENERAL_NAMES *names = X509_get_ext_d2i(cert, NID_subject_alt_name,
                                            NULL, NULL);
    size_t used = 0;

    out[0] = '\0';
    for (int i = 0; names && i < sk_GENERAL_NAME_num(names); i++) {
        const GENERAL_NAME *n = sk_GENERAL_NAME_value(names, i);

        if (n->type != GEN_DNS)
            continue;
        used += (size_t)snprintf(out + used, used < len ? len - used : 0,
                                 "%s%.*s", used ? ", " : "",
                                 ASN1_STRING_length(n->d.dNSName),
                                 (const char *)ASN1_STRING_get0_data(
                                     n->d.dNSName));
        if (used >= len)
            break;
    }
    GENERAL_NAMES_free(names);
}

/* Verifies the serving chain against the CA bundle (PEM) for host, as
 * Go's TLS client does. Returns 0, or -1 with Go's x509 error in why. */
static int verify_serving(const struct buf *chain, const struct buf *ca,
                          const char *host, char *why, size_t len)
{
    STACK_OF(X509) *served = read_certs(chain->data, chain->len);
    STACK_OF(X509) *roots = ca->len ? read_certs(ca->data, ca->len) : NULL;
    X509_STORE *store = X509_STORE_new();
    X509_STORE_CTX *ctx = X509_STORE_CTX_new();
    X509 *leaf = served ? sk_X509_value(served, 0) : NULL;
    int rc = -1;

    if (!leaf) {
        snprintf(why, len, "remote error: tls: internal error");
        goto done;
    }
    for (int i = 0; roots && store && i < sk_X509_num(roots); i++)
        X509_STORE_add_cert(store, sk_X509_value(roots, i));
    if (!roots || !store || !ctx ||
        !X509_STORE_CTX_init(ctx, store, leaf, served) ||
        X509_verify_cert(ctx) != 1) {
        snprintf(why, len, "tls: failed to verify certificate: x509: "
                 "certificate signed by unknown authority");
        goto done;
    }
    if (X509_check_host(leaf, host, 0, 0, NULL) != 1) {
        char sans[600];

        san_list(leaf, sans, sizeof(sans));
        snprintf(why, len, "tls: failed to verify certificate: x509: "
                 "certificate is valid for %s, not %s", sans, host);
        goto done;
    }
    rc = 0;
done:
    X509_STORE_CTX_free(ctx);
    X509_STORE_free(store);
    sk_X509_pop_free(served, X509_free);
    sk_X509_pop_free(roots, X509_free);
    return rc;
}

/* Checks that hook could be called. Returns 0, or -1 with the call's
 * error in why. */
static int call_error(struct world_cluster *c, const cJSON *hook, char *why,
                      size_t len)
{
    const cJSON *client = cJSON_GetObjectItemCaseSensitive(hook,
                                                           "clientConfig");
    const cJSON *service = cJSON_GetObjectItemCaseSensitive(client,
                                                            "service");
    const char *ns = k8s_json_str(service, "namespace", NULL);
    const char *name = k8s_json_str(service, "name", NULL);
    const char *path = k8s_json_str(service, "path", NULL);
    const char *ca = k8s_json_str(client, "caBundle", NULL);
    const cJSON *port = cJSON_GetObjectItemCaseSensitive(service, "port");
    const struct world_service *svc;
    const struct world_pod *pod;
    char url[700], host[600], detail[900];
    struct buf chain, roots;
    int rc;

    if (!ns || !name)
        return 0;   /* TODO: URL webhooks are not checked */
    snprintf(host, sizeof(host), "%s.%s.svc", name, ns);
    snprintf(url, sizeof(url), "https://%s:%d%s?timeout=10s", host,
             cJSON_IsNumber(port) ? port->valueint : 443, path ? path : "");
    svc = find_service(c, ns, name);
    pod = svc ? ready_endpoint(c, svc) : NULL;
    if (!svc)
        snprintf(detail, sizeof(detail), "service \"%s\" not found", name);
    else if (!pod)
        snprintf(detail, sizeof(detail), "no endpoints available for "
                 "service \"%s\"", name);
    if (!svc || !pod) {
        snprintf(why, len, "failed to call webhook: Post \"%s\": %s", url,
                 detail);
        return -1;
    }
    buf_init(&chain, 1u << 20);
    buf_init(&roots, 1u << 20);
    if (serving_chain(c, pod, &chain) < 0)
        buf_cleanup(&chain);
    if (ca && base64_decode(ca, strlen(ca), &roots) < 0)
        buf_cleanup(&roots);
    rc = verify_serving(&chain, &roots, host, detail, sizeof(detail));
    if (rc < 0)
        snprintf(why, len, "failed to call webhook: Post \"%s\": %s", url,
                 detail);
    buf_cleanup(&chain);
    buf_cleanup(&roots);
    return rc;
}

/* ---- admission ------------------------------------------------------------ */

static void send_call_error(struct write *w, const char *hook_name,
                            const char *why)
{
    char message[CALL_ERROR_MAX + 300], cause[CALL_ERROR_MAX + 200];
    cJSON *doc;

    snprintf(cause, sizeof(cause), "failed calling webhook \"%s\": %s",
             hook_name, why);
    snprintf(message, sizeof(message), "Internal error occurred: %s", cause);
    doc = k8s_status_doc(500, "InternalError", message, NULL, NULL, NULL);
    cJSON *details = cJSON_AddObjectToObject(doc, "details");
    cJSON *item = cJSON_CreateObject();

    cJSON_AddStringToObject(item, "message", cause);
    cJSON_AddItemToArray(cJSON_AddArrayToObject(details, "causes"), item);
    k8s_send_json(w->res, 500, doc);
}

/* Runs the webhooks of one kind of configuration. Returns 0, or -1
 * after replying. */
static int run_configs(struct write *w, const char *plural, const cJSON *obj,
                       const char *operation)
{
    const struct k8s_resource *r = k8s_cluster_resource(
        w->c, "admissionregistration.k8s.io/v1", plural);
    size_t count = r ? r->count(w->c) : 0;
    int rc = 0;

    for (size_t i = 0; i < count && rc == 0; i++) {
        cJSON *config = r->render(w->c, i);
        const cJSON *hook;

        cJSON_ArrayForEach(hook, cJSON_GetObjectItemCaseSensitive(
                               config, "webhooks")) {
            const char *policy = k8s_json_str(hook, "failurePolicy", NULL);
            char why[CALL_ERROR_MAX];

            if (!webhook_matches(w, hook, obj, operation) ||
                call_error(w->c, hook, why, sizeof(why)) == 0 ||
                (policy && strcmp(policy, "Ignore") == 0))
                continue;
            send_call_error(w, k8s_json_str(hook, "name", NULL)
                                   ? k8s_json_str(hook, "name", NULL) : "",
                            why);
            rc = -1;
            break;
        }
        cJSON_Delete(config);
    }
    return rc;
}

int k8s_admit(struct write *w, const cJSON *obj, const char *operation)
{
    if (!w->c->store)
        return 0;   /* no webhook configuration was ever written */
    if (run_configs(w, "mutatingwebhookconfigurations", obj, operation) < 0)
        return -1;
    return run_configs(w, "validatingwebhookconfigurations", obj, operation);
}
