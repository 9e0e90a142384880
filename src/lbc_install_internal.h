/* Shared by the controller installation's files (src/lbc_install*.c). */
#ifndef ALBATROSS_LBC_INSTALL_INTERNAL_H
#define ALBATROSS_LBC_INSTALL_INTERNAL_H

#include <cjson/cJSON.h>

#include "../api/kube_write.h"
#include "apply_internal.h"
#include "clusterconfig.h"
#include "lbc_install.h"

struct lbc_run {
    struct engine e;
    const struct lbc_install_request *rq;
    struct apply_request apply;
    struct ccfg config;           /* the cluster and its one service account */
    struct lbc_options lbc;       /* rq->lbc with the cluster's values */
    char *cluster_arn;
    char *region;
    char *vpc_id;
    char *issuer;                 /* https://... */
    char policy_arn[256];
    char fix_hint[512];
    cJSON *objects;               /* rendered; lbc_objects_free */
    size_t step;                  /* the plan step running */
};

/* lbc_install.c: callbacks that record a call's outcome in e (ctx is
 * the engine for lbc_on_written), and the log line of a failed call,
 * which returns -1. */
struct iam_write_result;
void lbc_record(struct engine *e, const struct api_error *err);
void lbc_on_written(const struct iam_write_result *res,
                    const struct api_error *err, void *ctx);
int lbc_failed(struct lbc_run *r, const char *what);

/* lbc_install_podid.c, for --identity pod-identity. Each returns 0, or
 * -1 after logging the failure. */

/* Creates role AmazonEKSLoadBalancerControllerRole unless it exists,
 * attaches the controller's policy, and sets r->lbc.role_arn. */
int lbc_ensure_pod_identity_role(struct lbc_run *r);
/* Associates the controller's service account with r->lbc.role_arn;
 * an association with another role fails the step. */
int lbc_ensure_pod_identity(struct lbc_run *r);
/* Makes sure the cluster has the eks-pod-identity-agent add-on, which
 * serves Pod Identity credentials: creates it when missing and waits
 * until it is ACTIVE. */
int lbc_ensure_pod_identity_agent(struct lbc_run *r);
/* Delete the association and the role when albatross created them. */
int lbc_delete_pod_identity(struct lbc_run *r);
int lbc_delete_pod_identity_role(struct lbc_run *r);

/* lbc_nodes.c: warns about each managed node group whose node role may
 * create or delete load balancers, and about each read that failed. It
 * returns nothing, so the run goes on; the preflight calls it before an
 * install or upgrade changes anything. */
void lbc_check_node_roles(struct lbc_run *r);

/* lbc_install_kube.c. Each returns 0, or -1 after logging the failure
 * (e->error holds the API error when there was one). */

/* The request path of a rendered object; 0, or -1 for an unknown kind. */
int lbc_object_ref(const cJSON *obj, struct kube_object_ref *ref);
/* Server-side applies obj with force. */
int lbc_kube_apply(struct lbc_run *r, const cJSON *obj);
/* GETs ref (with query). Returns the object, NULL with *missing set for
 * a 404, or NULL after logging any other failure. */
cJSON *lbc_kube_get(struct lbc_run *r, const struct kube_object_ref *ref,
                    const char *query, int *missing);
int lbc_kube_delete(struct lbc_run *r, const struct kube_object_ref *ref);
/* Puts the live webhook Secret's certificates into the rendered Secret
 * and caBundles, so an upgrade or a second install keeps the CA that the
 * running pods' certificate chains to. Nothing changes when there is no
 * complete Secret yet.
 * NOTE: the live certificate's expiry and names are not checked. */
int lbc_reuse_webhook_certificate(struct lbc_run *r);
/* Applies the CRDs and waits until each is Established. */
int lbc_apply_crds(struct lbc_run *r);
/* Applies every object but the CRDs, in the rendered order. */
int lbc_apply_objects(struct lbc_run *r);
/* Runs check until it returns 1 (done) or -1 (failed), with a pause of
 * poll_ms between runs, for at most timeout_s. what names the wait in
 * the log. Returns 0, or -1 after a failed check or a logged timeout. */
typedef int (*lbc_check_fn)(struct lbc_run *r, void *ctx);
int lbc_wait_until(struct lbc_run *r, const char *what, lbc_check_fn check,
                   void *ctx);
/* Waits for the Deployment's rollout, printing each pod's status. */
int lbc_wait_rollout(struct lbc_run *r);
/* Waits until the webhook Service has a ready endpoint. */
int lbc_wait_webhook(struct lbc_run *r);
/* Deletes the objects albatross applied, webhooks first. */
int lbc_delete_objects(struct lbc_run *r);
/* kubectl rollout status's test on a Deployment: the controller saw
 * the latest spec, and every replica is updated and available, with no
 * old ones left. Returns 1 when rolled out, 0 while it is not, -1 when
 * its progress deadline passed; why says where it stands. */
int lbc_rolled_out(const cJSON *deployment, char *why, size_t len);
/* What to do about a pod that does not start, from its container's
 * waiting reason or failed condition and the message; NULL when there
 * is no advice for it. */
const char *lbc_pod_advice(const char *reason, const char *message);
/* The image tag of the installed Deployment (a copy), or NULL with
 * *missing set when there is none. */
char *lbc_installed_version(struct lbc_run *r, int *missing);

#endif
