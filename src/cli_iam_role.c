/*
 * albatross create role NAME --cluster C --namespace NS --serviceaccount
 * SA: an IRSA role. Its trust policy has eksctl's shape: one statement
 * that lets the cluster's IAM OIDC provider assume the role with
 * sts:AssumeRoleWithWebIdentity when the token's sub is
 * system:serviceaccount:NS:SA and its aud is sts.amazonaws.com.
 *
 * TODO: create the role as eksctl's iamserviceaccount CloudFormation
 * stack (eksctl-CLUSTER-addon-iamserviceaccount-NS-SA) once albatross
 * has a stack layer, so that eksctl can manage and delete it.
 */
#include "cli_iam.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "../api/eks.h"
#include "../api/iam.h"
#include "action.h"
#include "output.h"

#define AUDIENCE "sts.amazonaws.com"

/* The result of the cluster lookup: issuer, ARN and region. */
struct issuer {
    int done;
    struct api_error err;
    int failed;
    char issuer[512];       /* https://oidc.eks.REGION.amazonaws.com/id/X */
    char cluster_arn[512];
    char region[64];
};

static void on_cluster(struct eks_cluster_list *list,
                       const struct api_error *err, void *ctx)
{
    struct issuer *is = ctx;
    is->done = 1;
    is->failed = err != NULL || !list || list->count != 1;
    if (err)
        is->err = *err;
    if (!is->failed) {
        const struct eks_cluster *c = &list->items[0];
        snprintf(is->issuer, sizeof(is->issuer), "%s",
                 c->oidc_issuer ? c->oidc_issuer : "");
        snprintf(is->cluster_arn, sizeof(is->cluster_arn), "%s",
                 c->arn ? c->arn : "");
        snprintf(is->region, sizeof(is->region), "%s",
                 c->region ? c->region : "");
    }
    eks_cluster_list_free(list);
}

struct providers {
    int done;
    int failed;
    struct api_error err;
    const char *wanted;
    int found;
};

static void on_providers(struct iam_oidc_provider_list *list,
                         const struct api_error *err, void *ctx)
{
    struct providers *p = ctx;
    p->done = 1;
    p->failed = err != NULL;
    if (err)
        p->err = *err;
    for (size_t i = 0; list && i < list->count; i++)
        p->found |= strcmp(list->arns[i], p->wanted) == 0;
    iam_oidc_provider_list_free(list);
}

/* IAM role names: 1 to 64 of letters, digits and +=,.@_- */
static int valid_role_name(const char *s)
{
    size_t len = strlen(s);
    for (const char *p = s; *p; p++)
        if (!isalnum((unsigned char)*p) && !strchr("+=,.@_-", *p))
            return 0;
    return len >= 1 && len <= 64;
}

static int check_arguments(struct cli_iam *c)
{
    const char *missing = !c->cluster ? "--cluster CLUSTER"
                          : !c->namespace ? "--namespace NS"
                          : !c->serviceaccount ? "--serviceaccount SA" : NULL;
    if (missing) {
        output_error(c->err, "create role %s needs %s; see albatross create "
                     "role --help", c->name, missing);
        return 2;
    }
    if (!valid_role_name(c->name)) {
        output_error(c->err, "invalid role name \"%s\": use 1 to 64 letters, "
                     "digits and +=,.@_-", c->name);
        return 2;
    }
    if (!action_valid_k8s_name(c->namespace, 63, 0) ||
        !action_valid_k8s_name(c->serviceaccount, 253, 1)) {
        output_error(c->err, "invalid service account %s/%s: Kubernetes "
                     "names use lower-case letters, digits and '-'",
                     c->namespace, c->serviceaccount);
        return 2;
    }
    for (size_t i = 0; i < c->policy_count; i++)
        if (!cli_iam_valid_policy_arn(c->policies[i])) {
            output_error(c->err, "invalid policy ARN \"%s\": use "
                         "arn:aws:iam::ACCOUNT:policy/NAME",
                         c->policies[i]);
            return 2;
        }
    return 0;
}

/* The cluster's issuer, from DescribeCluster. Returns 0 or 1. */
static int find_issuer(struct cli_iam *c, struct issuer *is)
{
    eks_describe_cluster(&c->aws, c->region, c->cluster, on_cluster, is);
    if (cli_iam_wait(c, &is->done))
        return 1;
    if (is->failed && !strcmp(is->err.code, "ResourceNotFoundException")) {
        output_error(c->err, "EKS cluster %s not found in region %s: pass "
                     "--region with the cluster's region", c->cluster,
                     c->region ? c->region : c->aws.region);
        return 1;
    }
    if (is->failed) {
        cli_iam_fail(c, "EKS DescribeCluster", &is->err);
        return 1;
    }
    if (strncmp(is->issuer, "https://", 8) != 0) {
        output_error(c->err, "EKS cluster %s has no OIDC issuer, so no "
                     "service account can assume an IAM role through IRSA",
                     c->cluster);
        return 1;
    }
    return 0;
}

/* arn:PARTITION:iam::ACCOUNT:oidc-provider/HOST/PATH from the cluster's
 * ARN (arn:PARTITION:eks:REGION:ACCOUNT:cluster/NAME) and issuer. */
static int provider_arn(const struct issuer *is, char *out, size_t len)
{
    char partition[32], account[32];
    if (sscanf(is->cluster_arn, "arn:%31[^:]:eks:%*[^:]:%31[^:]:",
               partition, account) != 2)
        return -1;
    snprintf(out, len, "arn:%s:iam::%s:oidc-provider/%s", partition,
             account, is->issuer + strlen("https://"));
    return 0;
}

/* Checks that the account has the issuer's OIDC provider; returns 0,
 * or 1 after printing how to associate it. */
static int check_provider(struct cli_iam *c, const struct issuer *is,
                          const char *arn)
{
    struct providers p = {.wanted = arn};
    iam_list_oidc_providers(&c->aws, on_providers, &p);
    if (cli_iam_wait(c, &p.done))
        return 1;
    if (p.failed) {
        cli_iam_fail(c, "IAM ListOpenIDConnectProviders", &p.err);
        return 1;
    }
    if (!p.found)
        output_error(c->err, "EKS cluster %s has no IAM OIDC provider for "
                     "its issuer %s (%s), so IAM would reject the trust "
                     "policy; associate one with: albatross associate "
                     "oidc-provider --cluster %s --region %s (or eksctl "
                     "utils associate-iam-oidc-provider --cluster %s "
                     "--region %s --approve)", c->cluster, is->issuer, arn,
                     c->cluster, is->region, c->cluster, is->region);
    return p.found ? 0 : 1;
}

/* The trust policy as compact JSON (the caller frees it), or NULL. */
static char *trust_policy(const struct cli_iam *c, const struct issuer *is,
                          const char *provider)
{
    const char *host = is->issuer + strlen("https://");
    char key[600], subject[600];
    cJSON *doc = cJSON_CreateObject();
    cJSON *statement = cJSON_CreateObject();
    cJSON *principal = cJSON_CreateObject();
    cJSON *equals = cJSON_CreateObject();
    cJSON *condition = cJSON_CreateObject();
    cJSON_AddStringToObject(doc, "Version", "2012-10-17");
    cJSON_AddItemToArray(cJSON_AddArrayToObject(doc, "Statement"), statement);
    cJSON_AddStringToObject(statement, "Effect", "Allow");
    cJSON_AddStringToObject(principal, "Federated", provider);
    cJSON_AddItemToObject(statement, "Principal", principal);
    cJSON_AddStringToObject(statement, "Action",
                            "sts:AssumeRoleWithWebIdentity");
    snprintf(key, sizeof(key), "%s:sub", host);
    snprintf(subject, sizeof(subject), "system:serviceaccount:%s:%s",
             c->namespace, c->serviceaccount);
    cJSON_AddStringToObject(equals, key, subject);
    snprintf(key, sizeof(key), "%s:aud", host);
    cJSON_AddStringToObject(equals, key, AUDIENCE);
    cJSON_AddItemToObject(condition, "StringEquals", equals);
    cJSON_AddItemToObject(statement, "Condition", condition);
    char *text = cJSON_PrintUnformatted(doc);
    cJSON_Delete(doc);
    return text;
}

static void print_plan(struct cli_iam *c, const char *description,
                       const char *trust)
{
    const char *fields[] = {"RoleName", c->name, "Description", description};
    cli_iam_print_call(c->out, "CreateRole", fields, 4,
                       "AssumeRolePolicyDocument", trust);
    for (size_t i = 0; i < c->policy_count; i++) {
        const char *attach[] = {"RoleName", c->name,
                                "PolicyArn", c->policies[i]};
        cli_iam_print_call(c->out, "AttachRolePolicy", attach, 4, NULL,
                           NULL);
    }
    fputs("dry run: no change was sent (EKS DescribeCluster and IAM "
          "ListOpenIDConnectProviders were read to build the trust "
          "policy)\n", c->out);
}

/* Attaches --policy ARNs in order; returns 0, or 1 after saying which
 * failed and that the role exists. */
static int attach_policies(struct cli_iam *c)
{
    for (size_t i = 0; i < c->policy_count; i++) {
        struct cli_iam_outcome o = {0};
        iam_attach_role_policy(&c->aws, c->name, c->policies[i],
                               cli_iam_on_write, &o);
        if (cli_iam_wait(c, &o.done))
            return 1;
        if (o.failed) {
            cli_iam_fail(c, "attach policy", &o.err);
            output_error(c->err, "role %s was created; attach the policy "
                         "with albatross attach policy %s --role %s, or "
                         "delete the role with albatross delete role %s",
                         c->name, c->policies[i], c->name, c->name);
            return 1;
        }
        fputs("attached ", c->out);
        output_put_text(c->out, c->policies[i]);
        fputc('\n', c->out);
    }
    return 0;
}

static int send_role(struct cli_iam *c, const char *description,
                     const char *trust)
{
    struct iam_role_spec spec = {
        .name = c->name, .trust_policy = trust, .description = description,
    };
    struct cli_iam_outcome o = {0};
    iam_create_role(&c->aws, &spec, cli_iam_on_write, &o);
    if (cli_iam_wait(c, &o.done))
        return 1;
    if (o.failed) {
        cli_iam_fail(c, "create role", &o.err);
        return 1;
    }
    fprintf(c->out, "created role %s: ", c->name);
    output_put_text(c->out, o.arn);
    fputc('\n', c->out);
    int rc = attach_policies(c);
    fprintf(c->out, "annotate the service account to use it: kubectl "
            "annotate serviceaccount -n %s %s eks.amazonaws.com/role-arn=",
            c->namespace, c->serviceaccount);
    output_put_text(c->out, o.arn);
    fputc('\n', c->out);
    return rc;
}

int cli_iam_create_role(struct cli_iam *c)
{
    struct issuer is = {0};
    char provider[1200], description[600];
    int rc = check_arguments(c);
    if (rc)
        return rc;
    if (cli_iam_connect(c) || find_issuer(c, &is))
        return 1;
    if (provider_arn(&is, provider, sizeof(provider)) < 0) {
        output_error(c->err, "EKS cluster %s has an ARN of an unknown form: "
                     "%s", c->cluster, is.cluster_arn);
        return 1;
    }
    if (check_provider(c, &is, provider))
        return 1;
    char *trust = trust_policy(c, &is, provider);
    if (!trust) {
        output_error(c->err, "out of memory");
        return 1;
    }
    snprintf(description, sizeof(description),
             "IAM role for serviceaccount \"%s/%s\"", c->namespace,
             c->serviceaccount);
    if (c->dry_run)
        print_plan(c, description, trust);
    else
        rc = send_role(c, description, trust);
    free(trust);
    return rc;
}
