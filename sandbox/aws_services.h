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

#endif
