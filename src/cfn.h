/*
 * CloudFormation templates of the stacks eksctl creates for a
 * ClusterConfig, built as cJSON trees. Logical ids, outputs and exports
 * follow eksctl's, so eksctl can read the stacks.
 * Templates use only Ref, Fn::GetAtt, Fn::Sub, Fn::Join, Fn::Select,
 * Fn::GetAZs and Fn::ImportValue, and only the resource types in
 * cfn_resource_types.
 */
#ifndef ALBATROSS_CFN_H
#define ALBATROSS_CFN_H

#include <cjson/cJSON.h>
#include <stddef.h>

#include "clusterconfig.h"

/* Resource types the templates may use, NULL-terminated. */
extern const char *const cfn_resource_types[];

/* Stack names, as eksctl names them. */
void cfn_cluster_stack_name(const struct ccfg *c, char *out, size_t len);
void cfn_nodegroup_stack_name(const struct ccfg *c,
                              const struct ccfg_nodegroup *ng, char *out,
                              size_t len);
void cfn_service_account_stack_name(const struct ccfg *c,
                                    const struct ccfg_service_account *sa,
                                    char *out, size_t len);

/* Number of zones the cluster's subnets span. */
size_t cfn_zone_count(const struct ccfg *c);

/* Each returns a template the caller frees with cJSON_Delete; they
 * abort when memory runs out, as xstrdup does. */
cJSON *cfn_cluster_template(const struct ccfg *c);
cJSON *cfn_nodegroup_template(const struct ccfg *c,
                              const struct ccfg_nodegroup *ng);
/* issuer is the OIDC issuer without https:// ("oidc.eks.REGION.
 * amazonaws.com/id/ID"): the trust policy's condition keys contain it,
 * and CloudFormation cannot compute a key, so it is known only once the
 * cluster exists. lbc_policy is the text of the controller's IAM policy
 * (lbc_policy.h), which wellKnownPolicies.awsLoadBalancerController
 * adds as the inline PolicyAWSLoadBalancerController, as eksctl does;
 * NULL leaves it out. */
cJSON *cfn_service_account_template(const struct ccfg *c,
                                    const struct ccfg_service_account *sa,
                                    const char *issuer,
                                    const char *lbc_policy);

#endif
