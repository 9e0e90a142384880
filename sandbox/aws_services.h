/*
 * The AWS services the sandbox serves, one file each. aws_serve calls
 * them once the signature is checked (STS's unsigned calls aside) and,
 * for query and ec2 calls, once Action and Version are known.
 */
#ifndef SANDBOX_AWS_SERVICES_H
#define SANDBOX_AWS_SERVICES_H

#include "awsreply.h"

void aws_sts_serve(struct awsreply *r);
void aws_iam_serve(struct awsreply *r);
void aws_ec2_serve(struct awsreply *r);
void aws_eks_serve(struct awsreply *r);
/* EKS tag calls on /tags/ARN; returns 0 when the path is another. */
int aws_eks_serve_tags(struct awsreply *r);
/* DescribeSubnets, DescribeSecurityGroups, DescribeVpcs: returns 1 when
 * r->action is one of them (and it has replied), else 0. */
int aws_ec2_describe_network(struct awsreply *r);
void aws_elbv2_serve(struct awsreply *r);
void aws_acm_serve(struct awsreply *r);
void aws_wafv2_serve(struct awsreply *r);
void aws_cfn_serve(struct awsreply *r);

/*
 * Checks, as AssumeRoleWithWebIdentity does, whether a token from issuer
 * (https://...) for sub and aud may assume role_arn. Returns NULL when it
 * may; otherwise the STS error code, with the HTTP status in *status and
 * STS's message in msg.
 */
const char *aws_sts_check_web_identity(const struct world *w,
                                       const char *role_arn,
                                       const char *issuer, const char *sub,
                                       const char *aud, int *status,
                                       char *msg, size_t len);

#endif
