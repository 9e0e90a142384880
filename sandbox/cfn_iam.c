/*
 * IAM resource types.
 */
#include "cfn.h"

/* TODO: AWS::IAM::Role, Policy, ManagedPolicy and InstanceProfile. */
const struct cfn_type cfn_iam_types[] = {
    {NULL, 0, NULL, NULL, NULL, NULL, NULL},
};
