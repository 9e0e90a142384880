/*
 * Finding a load balancer controller that is already installed, from the
 * cluster's Deployments and Ingresses as the Kubernetes API lists them:
 * the current controller (v2 and later) by its app.kubernetes.io/name
 * label, and the legacy v1 ALB Ingress Controller by its image, with the
 * Ingresses that still select it through the kubernetes.io/ingress.class
 * annotation.
 */
#ifndef ALBATROSS_LBC_DETECT_H
#define ALBATROSS_LBC_DETECT_H

#include <stddef.h>

#include <cjson/cJSON.h>

/* One controller Deployment found. */
struct lbc_found {
    int present;
    char namespace[64];
    char name[254];
    char version[64];          /* the image tag, "" without one */
};

struct lbc_detection {
    struct lbc_found current;  /* aws-load-balancer-controller */
    struct lbc_found legacy;   /* aws-alb-ingress-controller v1 */
    /* Ingresses annotated kubernetes.io/ingress.class: alb, which the v1
     * controller reads; v2 honours the annotation too, but IngressClass
     * alb is its way. */
    size_t annotated_ingresses;
};

/*
 * Fills out from deployments and ingresses, each a Kubernetes list (an
 * object with "items") or a plain array; either may be NULL. The first
 * match of each kind is kept. Items with a kind other than Deployment
 * in deployments, and malformed items, are skipped.
 */
void lbc_detect(const cJSON *deployments, const cJSON *ingresses,
                struct lbc_detection *out);

#endif
