/*
 * The AWS Load Balancer Controller's IAM policy that albatross ships,
 * data/lbc/iam_policy.json: found the same way by install controller
 * and by the service account stacks of
 * wellKnownPolicies.awsLoadBalancerController.
 */
#ifndef ALBATROSS_LBC_POLICY_H
#define ALBATROSS_LBC_POLICY_H

#include <stddef.h>

#define LBC_POLICY_FILE "lbc/iam_policy.json"

/* Finds LBC_POLICY_FILE: under $ALBATROSS_DATA_DIR, next to the binary
 * (a build tree), one level up (a sanitizer build directory), or in
 * ../share/albatross (an installed binary). Fills path; returns 0, or
 * -1 when it is nowhere readable. */
int lbc_policy_find(char *path, size_t len);

/* The shipped document's text, checked with policy_parse (the caller
 * frees it), or NULL with the reason, naming the file and the fix, in
 * why. */
char *lbc_policy_read_shipped(char *why, size_t whylen);

#endif
