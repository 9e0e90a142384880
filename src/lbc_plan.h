/*
 * The IAM side of installing the load balancer controller, as a list of
 * steps to show before anything runs: create the controller's policy from
 * the shipped document, then give the controller's service account a role
 * through IRSA (an eksctl-style iamserviceaccount stack, or an existing
 * role) or through an EKS Pod Identity association.
 */
#ifndef ALBATROSS_LBC_PLAN_H
#define ALBATROSS_LBC_PLAN_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "lbc_render.h"

/* The name AWS's installation guide gives the policy. */
#define LBC_POLICY_NAME "AWSLoadBalancerControllerIAMPolicy"
/* The role created for EKS Pod Identity when no --role-arn is given. */
#define LBC_POD_IDENTITY_ROLE "AmazonEKSLoadBalancerControllerRole"

/* What DescribeCluster returned about the target cluster. */
struct lbc_cluster_info {
    const char *arn;          /* arn:PARTITION:eks:REGION:ACCOUNT:cluster/N */
    const char *oidc_issuer;  /* NULL when the cluster has none */
};

/* The shipped policy document, checked by policy_parse. */
struct lbc_policy_document {
    const char *path;
    size_t bytes;
    size_t statements;
    int shipped;              /* albatross's own data/lbc/iam_policy.json */
};

/* The trust policy AWS documents for an EKS Pod Identity role:
 * pods.eks.amazonaws.com may sts:AssumeRole and sts:TagSession. */
cJSON *lbc_pod_identity_trust(void);

/* Writes the ARN of the controller's policy in the account and partition
 * of an EKS cluster ARN. Returns 0, or -1 when cluster_arn is not one. */
int lbc_policy_arn(const char *cluster_arn, char *out, size_t len);

/*
 * Builds the IAM steps, in order, as a cJSON array of objects with
 * "service", "operation" and the call's main parameters. Returns NULL
 * with err set when the cluster ARN is not an EKS cluster ARN, or IRSA
 * is chosen for a cluster without an OIDC issuer.
 */
cJSON *lbc_plan_iam(const struct lbc_options *o,
                    const struct lbc_cluster_info *cluster,
                    const struct lbc_policy_document *policy, char *err,
                    size_t errlen);

#endif
