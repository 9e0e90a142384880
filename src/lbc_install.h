/*
 * Installing, upgrading and uninstalling the AWS Load Balancer
 * Controller on an EKS cluster, through the apply engine (src/apply.h):
 * the controller's customer managed policy, the iamserviceaccount stack
 * eksctl would create for its service account, then every rendered
 * object by server-side apply, watching the rollout until the webhook
 * answers. Each step is printed as one line in eksctl's style and
 * recorded in the engine's struct progress.
 */
#ifndef ALBATROSS_LBC_INSTALL_H
#define ALBATROSS_LBC_INSTALL_H

#include <stdatomic.h>
#include <stdio.h>

#include "lbc_render.h"
#include "model.h"
#include "progress.h"

enum lbc_action { LBC_INSTALL, LBC_UPGRADE, LBC_UNINSTALL };

struct lbc_install_request {
    enum lbc_action action;
    /* The rendering options; region and vpc_id default to the cluster's
     * and role_arn to the stack's role. */
    struct lbc_options lbc;
    const char *policy_document;  /* JSON text of the controller's policy */
    const char *policy_path;      /* where it was read, for messages */
    struct model_options model;   /* profile, readonly */
    long poll_ms;                 /* between status polls */
    long timeout_s;               /* for each wait: add-on, CRDs, rollout,
                                   * webhook */
    /* As in struct apply_request: the caller's progress and cancel flag
     * (a run on the UI's worker), or NULL for the command line's. */
    struct progress *progress;
    atomic_int *cancel;
};

/* Returns 0 when the controller is installed (or gone) and answering, 1
 * when a step failed, timed out or was interrupted (SIGINT), 2 when the
 * session could not start or the request is rejected before any call
 * (--readonly). */
int lbc_install_run(const struct lbc_install_request *rq, FILE *out);

#endif
