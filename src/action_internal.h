/* Shared by the action files (src/action*.c); not an interface. */
#ifndef ALBATROSS_ACTION_INTERNAL_H
#define ALBATROSS_ACTION_INTERNAL_H

#include "../api/iam_write.h"
#include "../api/kube.h"
#include "action.h"

/*
 * What one kind does. check validates the action's members; preview
 * fills r->preview, reading what it needs, and ends with
 * action_previewed(); send sends call i of the preview and ends with
 * action_sent(). Every API callback starts with action_arrived().
 */
struct action_ops {
    int (*check)(const struct action *a, struct api_error *err);
    void (*preview)(struct action_run *r);
    void (*send)(struct action_run *r, size_t call);
};

/* The kinds, defined in the file of their service. */
extern const struct action_ops action_attach_policy_ops;
extern const struct action_ops action_detach_policy_ops;
extern const struct action_ops action_put_inline_policy_ops;
extern const struct action_ops action_delete_inline_policy_ops;
extern const struct action_ops action_update_trust_policy_ops;
extern const struct action_ops action_create_policy_ops;
extern const struct action_ops action_describe_policy_ops;
extern const struct action_ops action_delete_role_ops;
extern const struct action_ops action_create_role_stack_ops;
extern const struct action_ops action_delete_role_stack_ops;
extern const struct action_ops action_annotate_sa_ops;
extern const struct action_ops action_unannotate_sa_ops;
extern const struct action_ops action_create_sa_ops;
extern const struct action_ops action_delete_sa_ops;
extern const struct action_ops action_restart_workloads_ops;
extern const struct action_ops action_associate_oidc_ops;
extern const struct action_ops action_create_pod_identity_ops;
extern const struct action_ops action_delete_pod_identity_ops;

struct action_priv {
    action_done_fn done;
    void *ctx;
    int waiting;            /* a reply is due */
    int freed;              /* action_free ran while waiting */
    int start_after_preview;
    size_t call;            /* the call being sent */
    void *data;             /* the kind's own state */
    void (*data_free)(void *data);
};

static inline struct action_priv *action_priv(struct action_run *r)
{
    return r->priv;
}

/* Marks a request as sent; its callback must call action_arrived. */
void action_waiting(struct action_run *r);
/* At the start of a callback: returns 1 to go on, 0 when the run was
 * freed meanwhile (it is gone now; return at once). */
int action_arrived(struct action_run *r);

void action_previewed(struct action_run *r, const struct api_error *err);
void action_sent(struct action_run *r, const struct api_error *err);

/* Callbacks for one write that ends the current call. An IAM create
 * keeps the new ARN as r->result. */
void action_on_iam(const struct iam_write_result *res,
                   const struct api_error *err, void *ctx);
void action_on_kube(const char *body, size_t len,
                    const struct api_error *err, void *ctx);

/* Preview builders. */
void action_summary(struct action_run *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void action_note(struct action_run *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Adds a call; after body come parameter names and values in pairs,
 * then NULL. Pairs whose value is NULL are left out. */
void action_add_call(struct action_run *r, const char *service,
                     const char *operation, const char *target,
                     const char *body_name, const char *body, ...)
    __attribute__((sentinel));
void action_add_change(struct action_run *r, const char *what,
                       const char *before, const char *after);
void action_set_result(struct action_run *r, const char *text);

/* The Kubernetes client of the action's cluster, or NULL with err set
 * when the cluster is unknown or not open. */
struct kube_client *action_kube(struct action_run *r, struct api_error *err);

/* The region of the action's cluster as the model lists it, where its
 * EKS and CloudFormation calls go whatever the session's region is.
 * Returns the session's region for a cluster from the kubeconfig alone
 * or one the model does not list, and NULL when neither has a region. */
const char *action_cluster_region(const struct action_run *r);

/* The text albatross describe policy prints (action_policy_text.c);
 * the caller frees it. */
struct iam_policy_info;
char *action_describe_policy_text(const struct iam_policy_info *info);

/* Shared checks; each returns 0, or -1 with err naming the value. */
int action_need(const char *value, const char *what, struct api_error *err);
/* IAM names: 1 to max letters, digits and +=,.@_- (what: "role"). */
int action_check_iam_name(const char *name, size_t max, const char *what,
                          struct api_error *err);
int action_check_role_name(const char *name, struct api_error *err);
int action_check_policy_arn(const char *arn, struct api_error *err);
int action_check_role_arn(const char *arn, struct api_error *err);
int action_check_document(const char *json, const char *what,
                          struct api_error *err);
int action_check_service_account(const struct action *a,
                                 struct api_error *err);

#endif
