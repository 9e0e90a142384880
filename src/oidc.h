/*
 * The cluster's IAM OIDC provider, as eksctl manages it: associate one
 * when the cluster has none (eksctl utils associate-iam-oidc-provider
 * --approve), and on deletion remove it only when it is the cluster's
 * own. The calls go out on the session's event loop and each function
 * reports once through its callback, so the apply engine, the command
 * line and the UI drive them the same way.
 */
#ifndef ALBATROSS_OIDC_H
#define ALBATROSS_OIDC_H

#include "../api/aws.h"
#include "../api/error.h"
#include "clusterconfig.h"

/* The tag eksctl puts on a cluster once its provider is associated. */
#define OIDC_ENABLED_TAG "alpha.eksctl.io/cluster-oidc-enabled"
/* The tag that marks a provider as the cluster's: eksctl's, which
 * albatross writes too. */
#define OIDC_OWNER_TAG "alpha.eksctl.io/cluster-name"
#define OIDC_OWNER_TAG_OLD "eksctl.cluster.k8s.io/v1alpha1/cluster-name"

struct oidc_request {
    const char *region;          /* NULL: the session's */
    const char *cluster;
    const struct ccfg_map *tags; /* the config's own tags, or NULL */
    int dry_run;                 /* read and compute; change nothing */
    int tag_cluster;             /* after creating, tag the cluster
                                  * OIDC_ENABLED_TAG=true, as eksctl */
};

enum oidc_outcome {
    OIDC_EXISTS,        /* associate: a provider for the issuer exists */
    OIDC_CREATED,       /* associate: created (with dry_run: would be) */
    OIDC_DELETED,       /* delete: the cluster's provider is gone */
    OIDC_KEPT,          /* delete: a provider not tagged as the
                         * cluster's was left alone; why says so */
    OIDC_NONE,          /* delete: there is no provider for the issuer */
};

struct oidc_result {
    enum oidc_outcome outcome;
    char issuer[512];
    char cluster_arn[512]; /* from DescribeCluster; "" when not read */
    char provider_arn[640];
    char thumbprint[48];   /* associate, when created */
    char why[512];         /* OIDC_KEPT: the reason in one sentence */
};

/* res is valid during the call; err is NULL on success. */
typedef void (*oidc_fn)(const struct oidc_result *res,
                        const struct api_error *err, void *ctx);

/*
 * DescribeCluster for the issuer, ListOpenIDConnectProviders; when the
 * issuer has no provider: the thumbprint of the issuer's chain, then
 * CreateOpenIDConnectProvider (client id sts.amazonaws.com, the tags of
 * plan_shared_tags with the config's) and, with tag_cluster, TagResource on the cluster.
 * Returns 0, or -1 when done was called at once.
 */
int oidc_associate(struct aws_session *s, const struct oidc_request *rq,
                   oidc_fn done, void *ctx);

/*
 * CreateOpenIDConnectProvider for issuer with thumbprint, as
 * oidc_associate sends it once it has read them (client id
 * sts.amazonaws.com, the tags of plan_shared_tags with the config's)
 * and nothing else: rq->tag_cluster is ignored, so the caller tags the
 * cluster. For a caller that previewed with oidc_associate and dry_run,
 * so the call sent is the one shown. Reports OIDC_CREATED, or
 * OIDC_EXISTS when IAM returns EntityAlreadyExists. Returns 0, or -1
 * when done was called at once.
 */
int oidc_create_provider(struct aws_session *s, const struct oidc_request *rq,
                         const char *issuer, const char *thumbprint,
                         oidc_fn done, void *ctx);

/*
 * DescribeCluster, ListOpenIDConnectProviders, then
 * ListOpenIDConnectProviderTags: deletes the issuer's provider only when
 * OIDC_OWNER_TAG or OIDC_OWNER_TAG_OLD names the cluster. dry_run
 * reports OIDC_DELETED without deleting.
 */
int oidc_delete_owned(struct aws_session *s, const struct oidc_request *rq,
                      oidc_fn done, void *ctx);

/* DescribeCluster, then TagResource OIDC_ENABLED_TAG=true on it: the
 * apply engine's own step, which a resumed run repeats harmlessly.
 * Reports OIDC_EXISTS with the issuer. */
int oidc_mark_cluster(struct aws_session *s, const struct oidc_request *rq,
                      oidc_fn done, void *ctx);

#endif
