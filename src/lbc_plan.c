/*
 * IAM steps of the controller installation. The trust policies are the
 * ones eksctl writes for an iamserviceaccount (sts:AssumeRoleWithWebIdentity
 * from the cluster's OIDC provider, sub and aud pinned) and the one AWS
 * documents for EKS Pod Identity (pods.eks.amazonaws.com may
 * sts:AssumeRole and sts:TagSession).
 */
#include "lbc_plan.h"

#include <stdio.h>
#include <string.h>

#include "irsa.h"
#include "lbc_internal.h"

/* Partition and account of an EKS cluster ARN, as "arn:PARTITION:iam::
 * ACCOUNT:" into prefix. Returns 0, or -1 when arn is not of that form. */
static int iam_prefix(const char *arn, char *prefix, size_t len)
{
    char partition[32], region[32], account[16];
    if (!arn || sscanf(arn, "arn:%31[^:]:eks:%31[^:]:%15[0-9]:cluster/",
                       partition, region, account) != 3 ||
        strlen(account) != 12)
        return -1;
    int n = snprintf(prefix, len, "arn:%s:iam::%s:", partition, account);
    return n > 0 && (size_t)n < len ? 0 : -1;
}

int lbc_policy_arn(const char *cluster_arn, char *out, size_t len)
{
    char iam[128];
    if (iam_prefix(cluster_arn, iam, sizeof(iam)) < 0)
        return -1;
    int n = snprintf(out, len, "%spolicy/%s", iam, LBC_POLICY_NAME);
    return n > 0 && (size_t)n < len ? 0 : -1;
}

static cJSON *step(const char *service, const char *operation,
                   const char *description)
{
    cJSON *s = lbc_new_object();
    lbc_put_string(s, "service", service);
    lbc_put_string(s, "operation", operation);
    lbc_put_string(s, "description", description);
    return s;
}

static cJSON *create_policy(const struct lbc_options *o,
                            const struct lbc_policy_document *policy)
{
    char note[256];
    cJSON *s = step("iam", "CreatePolicy", "create the controller's "
                    "customer managed policy from the policy document");
    lbc_put_string(s, "policyName", LBC_POLICY_NAME);
    lbc_put_string(s, "document", policy->path);
    lbc_put_number(s, "documentBytes", (double)policy->bytes);
    lbc_put_number(s, "statements", (double)policy->statements);
    /* NOTE: data/lbc/iam_policy.json is the document of the v2.0 and
     * v2.1 releases; later ones call actions it does not allow. */
    if (policy->shipped) {
        snprintf(note, sizeof(note), "the shipped document is the policy "
                 "of controller v2.0 and v2.1; %s also needs the actions "
                 "listed in data/lbc/README.md", o->version);
        lbc_put_string(s, "warning", note);
    }
    return s;
}

static cJSON *statement(cJSON *actions, cJSON *principal)
{
    cJSON *st = lbc_new_object();
    lbc_put_string(st, "Effect", "Allow");
    lbc_put(st, "Principal", principal);
    lbc_put(st, "Action", actions);
    return st;
}

static cJSON *policy_document(cJSON *statement_item)
{
    cJSON *doc = lbc_new_object();
    cJSON *statements = lbc_must(cJSON_CreateArray());
    lbc_put_string(doc, "Version", "2012-10-17");
    lbc_append(statements, statement_item);
    lbc_put(doc, "Statement", statements);
    return doc;
}

/* The web identity trust policy for one service account, or NULL when the
 * provider ARN does not fit. */
static cJSON *irsa_trust(const struct lbc_options *o, const char *iam,
                         const char *issuer)
{
    char role_like[320], provider[512], key[512], subject[300];
    snprintf(role_like, sizeof(role_like), "%srole/x", iam);
    if (irsa_provider_arn(role_like, issuer, provider, sizeof(provider)) < 0)
        return NULL;
    cJSON *principal = lbc_new_object();
    lbc_put_string(principal, "Federated", provider);
    cJSON *st = statement(lbc_strings((const char *const[]){IRSA_ACTION,
                                                            NULL}),
                          principal);
    cJSON *equals = lbc_new_object();
    const char *host_path = strstr(provider, ":oidc-provider/") +
                            strlen(":oidc-provider/");
    snprintf(subject, sizeof(subject), "system:serviceaccount:%s:%s",
             o->namespace, lbc_service_account(o));
    snprintf(key, sizeof(key), "%s:sub", host_path);
    lbc_put_string(equals, key, subject);
    snprintf(key, sizeof(key), "%s:aud", host_path);
    lbc_put_string(equals, key, IRSA_AUDIENCE);
    cJSON *condition = lbc_new_object();
    lbc_put(condition, "StringEquals", equals);
    lbc_put(st, "Condition", condition);
    return policy_document(st);
}

cJSON *lbc_pod_identity_trust(void)
{
    cJSON *principal = lbc_new_object();
    lbc_put_string(principal, "Service", "pods.eks.amazonaws.com");
    return policy_document(statement(lbc_strings((const char *const[]){
        "sts:AssumeRole", "sts:TagSession", NULL}), principal));
}

static cJSON *attach(const char *role, const char *policy_arn)
{
    cJSON *s = step("iam", "AttachRolePolicy", "attach the controller's "
                    "policy to the role");
    lbc_put_string(s, "role", role);
    lbc_put_string(s, "policyArn", policy_arn);
    return s;
}

static int plan_irsa(cJSON *steps, const struct lbc_options *o,
                     const struct lbc_cluster_info *c, const char *iam,
                     const char *policy_arn, char *err, size_t errlen)
{
    if (o->role_arn) {
        lbc_append(steps, attach(o->role_arn, policy_arn));
        return 0;
    }
    cJSON *trust = c->oidc_issuer ? irsa_trust(o, iam, c->oidc_issuer) : NULL;
    if (!trust) {
        snprintf(err, errlen, "cluster %s has no usable OIDC issuer for "
                 "IRSA: use --identity pod-identity", o->cluster_name);
        return -1;
    }
    cJSON *provider = step("iam", "CreateOpenIDConnectProvider", "register "
                           "the cluster's OIDC issuer, unless the account "
                           "has a provider for it");
    lbc_put_string(provider, "url", c->oidc_issuer);
    lbc_append(steps, provider);

    char stack[512];
    snprintf(stack, sizeof(stack),
             "eksctl-%s-addon-iamserviceaccount-%s-%s", o->cluster_name,
             o->namespace, lbc_service_account(o));
    cJSON *s = step("cloudformation", "CreateStack", "create the role for "
                    "the controller's service account as eksctl's "
                    "iamserviceaccount does; the ServiceAccount is annotated "
                    "with the stack's Role1 output");
    lbc_put_string(s, "stackName", stack);
    lbc_put(s, "trustPolicy", trust);
    lbc_put(s, "managedPolicyArns", lbc_strings((const char *const[]){
        policy_arn, NULL}));
    lbc_append(steps, s);
    return 0;
}

static void plan_pod_identity(cJSON *steps, const struct lbc_options *o,
                              const char *iam, const char *policy_arn)
{
    char role[320];
    cJSON *agent = step("eks", "CreateAddon", "make sure the cluster has the "
                        "eks-pod-identity-agent add-on, which serves Pod "
                        "Identity credentials: create it unless DescribeAddon "
                        "finds it, and wait until it is ACTIVE");
    lbc_put_string(agent, "clusterName", o->cluster_name);
    lbc_put_string(agent, "addonName", "eks-pod-identity-agent");
    lbc_append(steps, agent);
    if (o->role_arn) {
        snprintf(role, sizeof(role), "%s", o->role_arn);
    } else {
        snprintf(role, sizeof(role), "%srole/%s", iam, LBC_POD_IDENTITY_ROLE);
        cJSON *create = step("iam", "CreateRole", "create the role that EKS "
                             "Pod Identity hands to the controller");
        lbc_put_string(create, "roleName", LBC_POD_IDENTITY_ROLE);
        lbc_put(create, "trustPolicy", lbc_pod_identity_trust());
        lbc_append(steps, create);
    }
    lbc_append(steps, attach(role, policy_arn));
    cJSON *s = step("eks", "CreatePodIdentityAssociation", "let the "
                    "controller's service account assume the role");
    lbc_put_string(s, "clusterName", o->cluster_name);
    lbc_put_string(s, "namespace", o->namespace);
    lbc_put_string(s, "serviceAccount", lbc_service_account(o));
    lbc_put_string(s, "roleArn", role);
    lbc_append(steps, s);
}

cJSON *lbc_plan_iam(const struct lbc_options *o,
                    const struct lbc_cluster_info *cluster,
                    const struct lbc_policy_document *policy, char *err,
                    size_t errlen)
{
    char iam[128], policy_arn[256];
    if (iam_prefix(cluster->arn, iam, sizeof(iam)) < 0) {
        snprintf(err, errlen, "cluster ARN \"%s\" is not an EKS cluster ARN",
                 cluster->arn ? cluster->arn : "");
        return NULL;
    }
    lbc_policy_arn(cluster->arn, policy_arn, sizeof(policy_arn));
    cJSON *steps = lbc_must(cJSON_CreateArray());
    lbc_append(steps, create_policy(o, policy));
    if (o->identity == LBC_IDENTITY_POD_IDENTITY) {
        plan_pod_identity(steps, o, iam, policy_arn);
    } else if (plan_irsa(steps, o, cluster, iam, policy_arn, err,
                         errlen) < 0) {
        cJSON_Delete(steps);
        return NULL;
    }
    return steps;
}
