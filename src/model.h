/*
 * The domain model: clusters, service accounts, IAM roles and ingresses of
 * one AWS session and kubeconfig, joined (which role a service account
 * assumes, how many service accounts use a role), and the asynchronous
 * loads that fill it. The UI and the command line read it; neither talks
 * to the API layer directly.
 *
 * Loads run on the shared HTTP client and complete inside model_wait().
 * Every change bumps model.version, so a view redraws only when needed.
 */
#ifndef ALBATROSS_MODEL_H
#define ALBATROSS_MODEL_H

#include <stddef.h>
#include <time.h>

#include "../api/aws.h"
#include "../api/error.h"
#include "../api/kube.h"
#include "../api/kube_watch.h"
#include "../api/kubeconfig.h"

enum model_state { MODEL_IDLE, MODEL_LOADING, MODEL_READY, MODEL_FAILED };

#define MODEL_NONE ((size_t)-1)

struct model_cluster {
    char *name;
    char *region;          /* NULL for a kubeconfig-only context */
    char *status;          /* ACTIVE, CREATING, ...; "-" when unknown */
    char *version;
    char *endpoint;
    char *oidc_issuer;     /* NULL when OIDC is not enabled */
    char *arn;
    char *created;
    char *ca_data;         /* base64 CA from DescribeCluster */
    char *context;         /* kubeconfig context that reaches it, or NULL */
    int in_aws;            /* listed by EKS; 0: from kubeconfig only */
    enum model_state objects_state; /* its service accounts and ingresses */
    struct api_error error;         /* why objects_state is FAILED */
    struct kube_client *kube;       /* created on first open */
    int tls_insecure;      /* its kubeconfig entry turns TLS verification
                            * off (insecure-skip-tls-verify) */
    int loads_pending;              /* private */
    unsigned load_generation;       /* private: drops stale replies */
    /* Bumped by each watch change of its ingresses, so the chains know
     * to refresh. */
    unsigned long ingress_changes;
    /* private: the watches of its service accounts and ingresses (by
     * enum kube_watch_resource) and their callback contexts */
    struct kube_watch *watches[2];
    void *watch_refs[2];
    /* Its EKS Pod Identity associations (model_pod_identity.c); their
     * failure leaves objects_state alone, because a cluster without
     * them still lists its objects. */
    enum model_state pod_identities_state;
    struct api_error pod_identities_error;
    /* Whether it has the eks-pod-identity-agent add-on, from ListAddons,
     * which is sent only once it has associations (model_pod_identity.c). */
    enum model_state addons_state;
    int pod_identity_agent;
};

/* Whether a service account can assume the role its annotation names,
 * from the role's trust policy and the account's OIDC providers. */
enum model_role_status {
    MODEL_ROLE_NONE,           /* no eks.amazonaws.com/role-arn */
    MODEL_ROLE_UNKNOWN,        /* roles or providers not loaded yet */
    MODEL_ROLE_OK,
    MODEL_ROLE_TOO_BROAD,      /* allowed, and other accounts are too */
    MODEL_ROLE_MISSING,        /* the account has no such role */
    MODEL_ROLE_NOT_TRUSTED,    /* the trust policy rejects it */
    MODEL_ROLE_NO_PROVIDER,    /* no IAM OIDC provider for the issuer */
};

struct model_service_account {
    size_t cluster;        /* index into model.clusters */
    char *namespace;
    char *name;
    char *role_arn;        /* eks.amazonaws.com/role-arn, or NULL */
    char *created;
    /* Index into model.roles, MODEL_NONE when there is no annotation or
     * the role is not in the account (see role_missing). */
    size_t role;
    int role_missing;      /* annotated with a role the account lacks */
    enum model_role_status role_status;
    char role_reason[512]; /* why, for NOT_TRUSTED, NO_PROVIDER and
                            * TOO_BROAD; "" otherwise */
    /* Its EKS Pod Identity association: an index into
     * model.pod_identities or MODEL_NONE, and whether the role it names
     * trusts pods.eks.amazonaws.com (NONE, UNKNOWN, OK, MISSING or
     * NOT_TRUSTED, with the reason in pod_reason). */
    size_t pod_identity;
    enum model_role_status pod_status;
    char pod_reason[512];
    /* It has an association, but its cluster lacks the
     * eks-pod-identity-agent add-on, so its pods get no credentials from
     * the association. pod_reason then describes it, unless the role's
     * trust reason already fills pod_reason. */
    int pod_agent_missing;
    /* Both the annotation and an association name a role, and not the
     * same one. botocore's default credential chain tries web identity
     * (IRSA) before container credentials (Pod Identity), so its pods
     * get the annotation's role. */
    int identity_conflict;
};

/* An EKS Pod Identity association of an opened cluster. */
struct model_pod_identity {
    size_t cluster;        /* index into model.clusters */
    char *id;
    char *arn;
    char *namespace;
    char *service_account;
    char *role_arn;
    char *created;
    char *modified;
};

struct model_ingress {
    size_t cluster;
    char *namespace;
    char *name;
    char *class_name;
    char *hosts;           /* comma-separated, or NULL */
    char *address;         /* load balancer hostname, or NULL */
    char *group_name;
    char *created;
};

struct model_role {
    char *name;
    char *arn;
    char *path;
    char *created;
    char *description;
    char *trust_policy;    /* JSON text */
    /* Loaded service accounts that can assume it (status OK or
     * TOO_BROAD); those annotated with it but rejected are not counted. */
    size_t service_account_count;
    char **attached_arns;  /* filled by model_load_role_details */
    size_t attached_count;
    char **inline_names;
    size_t inline_count;
    enum model_state details_state;
};

struct model_options {
    const char *profile;
    const char *region;
    const char *cluster;       /* select this EKS cluster by name */
    const char *context;       /* select this kubeconfig context */
    const char *kubeconfig;    /* NULL: $KUBECONFIG or ~/.kube/config */
    const char *namespace;     /* list objects of this namespace only */
    int readonly;
    int region_only;           /* list clusters of the session's region
                                * only, not of every region */
    int watch;                 /* keep opened clusters' service accounts
                                * and ingresses current with watches */
};

struct model;

enum model_change { MODEL_ADDED, MODEL_MODIFIED, MODEL_DELETED };

/* "ADDED", "MODIFIED", "DELETED", as in a watch event. */
const char *model_change_name(enum model_change change);

/*
 * Told of each change a watch makes to the model, from inside
 * model_wait(): index is into model.service_accounts or model.ingresses,
 * and for MODEL_DELETED the object is still there, removed after the
 * call. A relist after an expired watch reports the differences it
 * made. note gets each note of the watches (restarts, expiry, failures,
 * a stop) as a line of text. Any member may be NULL.
 */
struct model_watch_hooks {
    void (*service_account)(struct model *m, enum model_change change,
                            size_t index, void *ctx);
    void (*ingress)(struct model *m, enum model_change change, size_t index,
                    void *ctx);
    void (*note)(struct model *m, enum kube_watch_resource resource,
                 enum kube_watch_note note, const char *text, void *ctx);
    void *ctx;
};

struct model {
    struct http_client *http;
    struct aws_session aws;
    int aws_ready;             /* session initialised */
    struct kubeconfig kubeconfig;
    int have_kubeconfig;
    char kubeconfig_error[512];

    char *account;             /* from GetCallerIdentity */
    char *caller_arn;
    enum model_state identity_state;
    struct api_error identity_error;

    char **regions;            /* from EC2 DescribeRegions */
    size_t region_count;

    struct model_cluster *clusters;
    size_t cluster_count;
    enum model_state clusters_state;
    struct api_error clusters_error;

    struct model_role *roles;
    size_t role_count;
    enum model_state roles_state;
    struct api_error roles_error;

    char **oidc_providers;     /* ARNs from ListOpenIDConnectProviders */
    size_t oidc_provider_count;
    enum model_state providers_state;
    struct api_error providers_error;

    struct model_service_account *service_accounts; /* every open cluster */
    size_t service_account_count;
    struct model_ingress *ingresses;
    size_t ingress_count;
    struct model_pod_identity *pod_identities; /* every open cluster */
    size_t pod_identity_count;

    size_t current;            /* selected cluster, or MODEL_NONE */
    int selection_failed;      /* --cluster or --context matched nothing */
    char *requested_cluster;      /* private: --cluster until it is listed */
    char *requested_context;
    int region_only;           /* private: from the options */
    char *namespace;           /* private: from the options */
    int watch;                 /* private: from the options */
    struct model_watch_hooks watch_hooks;

    char status[600];          /* last error, for the status line */
    unsigned long version;     /* bumped on every change */
};

/* The warning shown while a cluster has c->tls_insecure set. */
void model_insecure_warning(const struct model_cluster *c, char *buf,
                            size_t len);

/* Reads the AWS configuration and the kubeconfig. A broken AWS config
 * file or kubeconfig fails with "file:line: what" in err. */
int model_init(struct model *m, const struct model_options *opt, char *err,
               size_t errlen);
void model_cleanup(struct model *m);

/* Starts the account-wide loads: identity, regions then clusters, roles.
 * The command line starts only the ones it needs. */
void model_load(struct model *m);
void model_load_identity(struct model *m);
void model_load_clusters(struct model *m);
/* Lists the roles, then the account's OIDC providers. */
void model_load_roles(struct model *m);
void model_load_providers(struct model *m);
/* Opens the cluster the options or the kubeconfig select, when that needs
 * no EKS listing; returns 1 when a cluster is open. */
int model_select_initial(struct model *m);
/* Starts loading cluster i's service accounts and ingresses, unless they
 * are loaded or loading; makes it the current cluster. */
void model_open_cluster(struct model *m, size_t i);
/* Forgets cluster i's objects and loads them again. */
void model_reload_cluster(struct model *m, size_t i);
/* Starts loading cluster i's EKS Pod Identity associations, unless they
 * are loaded or loading or EKS does not list the cluster. */
void model_load_pod_identities(struct model *m, size_t i);
/* Which mechanism gives sa a role: "none", "irsa", "pod-identity",
 * "both" (the same role) or "conflict" (different roles). */
const char *model_identity_name(const struct model_service_account *sa);
/* Judges whether role (an index into roles) trusts the EKS Pod Identity
 * agent for cluster's pods (pod_identity.h). When it does not,
 * out->reason contains the cause. */
struct pod_identity_result;
void model_judge_pod_identity_trust(const struct model *m, size_t role,
                                    size_t cluster,
                                    struct pod_identity_result *out);
/* The association of namespace/name in cluster, or MODEL_NONE. */
size_t model_pod_identity_for(const struct model *m, size_t cluster,
                              const char *ns, const char *name);
/* Starts loading role i's policies (GetRole and the policy lists). */
void model_load_role_details(struct model *m, size_t i);

/* Drives the loads: waits for network progress, one of fds, or
 * timeout_ms, as http_wait(). */
int model_wait(struct model *m, const int *fds, int *readable, size_t nfds,
               int timeout_ms);
/* Number of requests in flight. */
size_t model_busy(const struct model *m);
/* Cancels every request in flight and every retry waiting for its delay.
 * Each load ends once with a "Cancelled" error, as any failure does, and
 * can be started again. Returns how many were cancelled. */
size_t model_cancel(struct model *m);

size_t model_role_by_arn(const struct model *m, const char *arn);
/* "none", "unknown", "ok", "too broad", "missing role", "not trusted" or
 * "no OIDC provider". */
const char *model_role_status_name(enum model_role_status status);
/* 1 when the account has an IAM OIDC provider for c's issuer, 0 when it
 * has none or c has no issuer, -1 while the providers are not loaded. */
int model_cluster_has_provider(const struct model *m,
                               const struct model_cluster *c);
size_t model_cluster_by_name(const struct model *m, const char *name);

/* Seconds the current AWS credentials remain valid; -1 when they do not
 * expire, -2 when there are none. */
long model_credentials_ttl(const struct model *m, time_t now);
/* Seconds the current cluster's bearer token remains valid; -1 when it
 * does not expire or none was made yet. */
long model_token_ttl(const struct model *m, time_t now);

#endif
