/*
 * The AWS Load Balancer Controller's Kubernetes objects, rendered natively
 * after what the eks-charts chart 1.4.x (controller v2.4.x) renders with
 * its default values, without Helm: CRDs, service account, RBAC, the
 * webhook TLS Secret with a freshly generated CA and serving certificate,
 * the webhook Service and configurations, the Deployment, and the
 * IngressClass alb with its IngressClassParams.
 *
 * NOTE: the names, rules, ports, probes and webhooks follow the chart's
 * documented objects; the output has not been compared field by field
 * with `helm template` of chart 1.4.8.
 */
#ifndef ALBATROSS_LBC_RENDER_H
#define ALBATROSS_LBC_RENDER_H

#include <stddef.h>

#include <cjson/cJSON.h>

#define LBC_DEFAULT_VERSION          "v2.4.7"
#define LBC_DEFAULT_IMAGE_REPOSITORY \
    "public.ecr.aws/eks/aws-load-balancer-controller"
#define LBC_DEFAULT_NAMESPACE        "kube-system"
#define LBC_DEFAULT_SERVICE_ACCOUNT  "aws-load-balancer-controller"
#define LBC_DEFAULT_REPLICAS         2
#define LBC_MAX_REPLICAS             100

/* Names the chart derives from its release name aws-load-balancer-controller
 * and its prefix aws-load-balancer. */
#define LBC_NAME              "aws-load-balancer-controller"
#define LBC_WEBHOOK_SERVICE   "aws-load-balancer-webhook-service"
#define LBC_WEBHOOK_CONFIG    "aws-load-balancer-webhook"
#define LBC_TLS_SECRET        "aws-load-balancer-tls"
#define LBC_CA_COMMON_NAME    "aws-load-balancer-controller-ca"
#define LBC_INGRESS_CLASS     "alb"
#define LBC_INGRESS_CONTROLLER "ingress.k8s.aws/alb"
#define LBC_IRSA_ANNOTATION   "eks.amazonaws.com/role-arn"
/* Days the webhook CA and certificate stay valid: the chart's 3650, as
 * nothing rotates them and an expired one blocks every Ingress write. */
#define LBC_CERT_VALID_DAYS   3650

enum lbc_identity { LBC_IDENTITY_IRSA, LBC_IDENTITY_POD_IDENTITY };

struct lbc_options {
    const char *cluster_name;      /* required: --cluster-name */
    const char *region;            /* --aws-region; NULL: left out */
    const char *vpc_id;            /* --aws-vpc-id; NULL: left out */
    const char *version;           /* image tag, "v2.4.7" */
    int replicas;
    const char *image_repository;
    const char *namespace;
    /* An existing service account to run as; NULL: render one named
     * LBC_DEFAULT_SERVICE_ACCOUNT. */
    const char *service_account;
    enum lbc_identity identity;
    /* IRSA: the role the rendered service account is annotated with;
     * NULL while the role is still to be created. */
    const char *role_arn;
};

/* Fills o with the chart's defaults and no cluster name. */
void lbc_options_init(struct lbc_options *o);

/* Checks every option; returns 0, or -1 with err naming the value that
 * is wrong and how to fix it ("missing cluster name: ..."). */
int lbc_options_check(const struct lbc_options *o, char *err, size_t errlen);

/* The service account the controller runs as. */
const char *lbc_service_account(const struct lbc_options *o);

/*
 * Renders every object, in the order to apply them (CRDs first, the
 * webhook configurations last), as a cJSON array. The webhook CA and serving
 * certificate are generated here; the CA's key is dropped, the serving
 * key lives only in the Secret's data. Returns the array, or NULL with
 * err set when an option is wrong or OpenSSL fails. Free it with
 * lbc_objects_free.
 */
cJSON *lbc_render(const struct lbc_options *o, char *err, size_t errlen);

/* Wipes the data of obj when it is a Secret; other kinds are left. */
void lbc_secret_wipe(cJSON *obj);
/* Wipes the Secrets' data in objects and frees them. NULL is allowed. */
void lbc_objects_free(cJSON *objects);

#endif
