/*
 * Actions: the changes a person requests on a pane or on the command
 * line (attach a policy, annotate a service account, restart its
 * workloads, ...), shared by the UI and the CLI so both show the same
 * preview and send the same calls.
 *
 * One action runs in three steps on the model's event loop, with no
 * loop of its own:
 *
 *   struct action a = { .kind = ACTION_ATTACH_POLICY, .role = "web",
 *                       .policy_arn = arn };
 *   struct action_run *r = action_new(m, &a, &err);     checks, copies
 *   action_preview(r, on_previewed, ctx);   reads what the diff needs
 *   ... show r->preview, ask for confirmation ...
 *   action_start(r, on_done, ctx);          sends the calls in order
 *   ... the view shows r->progress; on_done refreshes the panes ...
 *   action_free(r);
 *
 * Callbacks run from inside model_wait(), or before action_preview or
 * action_start returns when the step needs no request (a preview with
 * nothing to read, a run with no calls) or fails before one is sent. --readonly is enforced by the API
 * layer: a read-only model makes every write fail with "ReadOnly" and
 * nothing reaches the server.
 *
 * Kubernetes actions use the cluster named by action.cluster (NULL: the
 * model's current one), which must be open (model_open_cluster) so it
 * has a client. IAM calls go to the model's AWS session. EKS and
 * CloudFormation calls go to the cluster's region as the model lists
 * it, or to the session's region for a cluster it does not list.
 */
#ifndef ALBATROSS_ACTION_H
#define ALBATROSS_ACTION_H

#include <stddef.h>

#include "../api/error.h"
#include "model.h"
#include "progress.h"

enum action_kind {
    ACTION_ATTACH_POLICY,        /* role, policy_arn */
    ACTION_DETACH_POLICY,        /* role, policy_arn */
    ACTION_PUT_INLINE_POLICY,    /* role, policy_name, document */
    ACTION_DELETE_INLINE_POLICY, /* role, policy_name */
    ACTION_UPDATE_TRUST_POLICY,  /* role, document */
    ACTION_CREATE_POLICY,        /* policy_name, document, [description] */
    ACTION_DESCRIBE_POLICY,      /* policy_arn; a read: result is the text */
    ACTION_DELETE_ROLE,          /* role */
    ACTION_CREATE_ROLE_STACK,    /* cluster, namespace, service_account,
                                  * [role], [policy_arns]: an eksctl
                                  * iamserviceaccount stack, then the
                                  * annotation */
    ACTION_DELETE_ROLE_STACK,    /* cluster, namespace, service_account:
                                  * the stack, then the annotation while
                                  * it names the stack's role */
    ACTION_ANNOTATE_SA,          /* namespace, service_account, role_arn,
                                  * [sts_regional], [token_expiration] */
    ACTION_UNANNOTATE_SA,        /* namespace, service_account */
    ACTION_CREATE_SA,            /* namespace, service_account, [role_arn] */
    ACTION_DELETE_SA,            /* namespace, service_account */
    ACTION_RESTART_WORKLOADS,    /* namespace, service_account */
    ACTION_ASSOCIATE_OIDC,       /* cluster: its IAM OIDC provider */
    ACTION_CREATE_POD_IDENTITY,  /* cluster, namespace, service_account,
                                  * role_arn */
    ACTION_DELETE_POD_IDENTITY,  /* cluster, namespace, service_account */
    ACTION_KIND_COUNT
};

#define ACTION_MAX_POLICIES 10   /* IAM's quota of managed policies a role */

/* An action request: its kind and parameters. Strings are borrowed
 * because action_new copies them. Members a kind does not take (see
 * enum action_kind) must be NULL. */
struct action {
    enum action_kind kind;
    const char *cluster;          /* model cluster name; NULL: current */
    const char *namespace;
    const char *service_account;
    const char *role;             /* role name */
    const char *role_arn;         /* for the annotation */
    const char *policy_arn;
    const char *policy_name;      /* inline or customer managed policy */
    const char *document;         /* JSON policy text */
    const char *description;
    const char *sts_regional;     /* "true" or "false", or NULL */
    const char *token_expiration; /* seconds as text, or NULL */
    const char *policy_arns[ACTION_MAX_POLICIES];
    size_t policy_arn_count;
    long poll_ms;                 /* stacks: between polls; 0: 2000 */
};

/* One call the action sends, in order. */
struct action_call {
    char *service;       /* "IAM", "CloudFormation", "Kubernetes" */
    char *operation;     /* "AttachRolePolicy", "PATCH", ... */
    char *target;        /* role name, stack name, or the request path */
    char *parameters;    /* "Name: value" lines, or NULL */
    char *body_name;     /* "PolicyDocument", "Content-Type: ...", or NULL */
    char *body;          /* the document or request body, or NULL */
};

/* A document or object the action changes, as text before and after
 * ("" for none), for a diff (src/diff.h). JSON documents are indented
 * the same way on both sides so only real changes differ. */
struct action_change {
    char *what;          /* "trust policy of role web" */
    char *before;
    char *after;
};

struct action_preview {
    char *summary;                  /* one line */
    struct action_call *calls;
    size_t call_count;
    struct action_change *changes;
    size_t change_count;
    char *note;          /* what the reader must know, or NULL: the
                          * reads made, what is skipped, why */
    int nothing_to_do;   /* the action would change nothing */
};

enum action_state {
    ACTION_NEW,
    ACTION_PREVIEWING,
    ACTION_PREVIEWED,
    ACTION_RUNNING,
    ACTION_DONE,
    ACTION_FAILED,
};

struct action_run;

/* Called once per action_preview or action_start: err NULL on success,
 * otherwise the failure (also in r->error). */
typedef void (*action_done_fn)(struct action_run *r,
                               const struct api_error *err, void *ctx);

/* Members are the callers' to read, never to change. */
struct action_run {
    struct action action;           /* owned copies */
    struct model *model;
    enum action_state state;
    struct action_preview preview;  /* filled by action_preview */
    struct progress progress;       /* one step per call, by action_start */
    char *result;        /* after success, what to tell the user (the
                          * created ARN, the policy text of a describe),
                          * or NULL */
    struct api_error error;
    void *priv;          /* private to src/action*.c */
};

/* json indented two spaces a level, keys in their order, ending in
 * '\n'; a copy of json when it does not parse; "" for NULL. The caller
 * frees it. */
char *action_pretty_json(const char *json);

/* Checks the command line makes before it builds an action, too. */
/* arn:PARTITION:iam::ACCOUNT:role/[PATH/]NAME, with IAM's name
 * characters. */
int action_valid_role_arn(const char *arn);
/* The eks.amazonaws.com/token-expiration annotation: whole seconds,
 * digits only, from 600 (Kubernetes rejects a projected token's
 * expirationSeconds below that) to 86400, the maximum for EKS according
 * to pkg/constants.go of amazon-eks-pod-identity-webhook.
 * NOTE: that webhook raises a value below its own configurable minimum
 * (3600 by default) to the minimum, without an error. */
#define ACTION_TOKEN_EXPIRATION_MIN 600
#define ACTION_TOKEN_EXPIRATION_MAX 86400
int action_valid_token_expiration(const char *text);
/* Kubernetes names: lower-case letters, digits, '-' and '.' (when dots
 * is set), at most max, starting and ending with a letter or digit;
 * namespaces are DNS labels: max 63, no dots. */
int action_valid_k8s_name(const char *s, size_t max, int dots);

/* "attach policy", "annotate serviceaccount", ... */
const char *action_kind_name(enum action_kind kind);

/*
 * Checks a's members for its kind (names, ARNs, JSON documents) and
 * returns a new run, or NULL with err set (code "InvalidParameter") and
 * a message that names the value and the fix. The model must outlive
 * the run.
 */
struct action_run *action_new(struct model *m, const struct action *a,
                              struct api_error *err);

/*
 * Fills r->preview: the summary, the calls and the changes, making the
 * reads the changes need (the current trust policy, the service
 * account's annotations, the workloads that use it). Returns 0, or -1
 * after calling done with the error.
 */
int action_preview(struct action_run *r, action_done_fn done, void *ctx);

/*
 * Sends the calls of the preview (previewing first when that was not
 * done) and records each in r->progress. Returns 0, or -1 after calling
 * done with the error. The caller refreshes its panes in done.
 */
int action_start(struct action_run *r, action_done_fn done, void *ctx);

/* Frees r. A run still waiting for a reply is freed when the reply
 * arrives (or is cancelled), and its callback is not called. */
void action_free(struct action_run *r);

#endif
