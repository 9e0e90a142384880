#include "iampolicy.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

/* AWS managed policies the sandbox knows, reduced to the actions that
 * matter for the load balancer controller, each on Resource "*". The full
 * documents are much longer; an unknown AWS managed policy grants nothing
 * here. */
#define ALLOW_ON_ALL(actions)                                           \
    "{\"Statement\":[{\"Effect\":\"Allow\",\"Action\":" actions         \
    ",\"Resource\":\"*\"}]}"
static const struct {
    const char *name;
    const char *document;
} managed[] = {
    {"AdministratorAccess", ALLOW_ON_ALL("\"*\"")},
    {"ElasticLoadBalancingFullAccess",
     ALLOW_ON_ALL("[\"elasticloadbalancing:*\",\"ec2:Describe*\","
                  "\"ec2:CreateSecurityGroup\","
                  "\"ec2:AuthorizeSecurityGroupIngress\",\"ec2:CreateTags\","
                  "\"acm:DescribeCertificate\",\"acm:ListCertificates\"]")},
    {"ElasticLoadBalancingReadOnly",
     ALLOW_ON_ALL("[\"elasticloadbalancing:Describe*\",\"ec2:Describe*\"]")},
    {"AmazonEC2ReadOnlyAccess",
     ALLOW_ON_ALL("[\"ec2:Describe*\",\"elasticloadbalancing:Describe*\"]")},
    {"AmazonEC2FullAccess",
     ALLOW_ON_ALL("[\"ec2:*\",\"elasticloadbalancing:*\"]")},
    /* The node role's policies that eksctl attaches, so a check of the
     * node role reads them as it would on AWS. */
    {"AmazonEKSWorkerNodePolicy",
     ALLOW_ON_ALL("[\"ec2:DescribeInstances\",\"ec2:DescribeInstanceTypes\","
                  "\"ec2:DescribeRouteTables\",\"ec2:DescribeSecurityGroups\","
                  "\"ec2:DescribeSubnets\",\"ec2:DescribeVolumes\","
                  "\"ec2:DescribeVpcs\",\"eks:DescribeCluster\","
                  "\"eks-auth:AssumeRoleForPodIdentity\"]")},
    {"AmazonEC2ContainerRegistryReadOnly",
     ALLOW_ON_ALL("[\"ecr:GetAuthorizationToken\","
                  "\"ecr:BatchCheckLayerAvailability\","
                  "\"ecr:GetDownloadUrlForLayer\",\"ecr:BatchGetImage\","
                  "\"ecr:DescribeRepositories\",\"ecr:DescribeImages\","
                  "\"ecr:ListImages\"]")},
    {"AmazonSSMManagedInstanceCore",
     ALLOW_ON_ALL("[\"ssm:UpdateInstanceInformation\",\"ssm:GetDocument\","
                  "\"ssm:ListAssociations\",\"ssmmessages:*\","
                  "\"ec2messages:*\"]")},
    {"AmazonEKS_CNI_Policy",
     ALLOW_ON_ALL("[\"ec2:AssignPrivateIpAddresses\","
                  "\"ec2:AttachNetworkInterface\",\"ec2:CreateNetworkInterface\","
                  "\"ec2:DeleteNetworkInterface\",\"ec2:DescribeInstances\","
                  "\"ec2:DescribeNetworkInterfaces\","
                  "\"ec2:DetachNetworkInterface\","
                  "\"ec2:UnassignPrivateIpAddresses\"]")},
};

#define MANAGED_PREFIX "arn:aws:iam::aws:policy/"

/* IAM action names ignore case; "*" matches any run, "?" one character. */
static int glob(const char *pattern, const char *s)
{
    if (!*pattern)
        return !*s;
    if (*pattern == '*')
        return glob(pattern + 1, s) || (*s && glob(pattern, s + 1));
    if (!*s)
        return 0;
    return (*pattern == '?' ||
            tolower((unsigned char)*pattern) == tolower((unsigned char)*s)) &&
           glob(pattern + 1, s + 1);
}

static int matches(const cJSON *value, const char *action)
{
    if (cJSON_IsString(value))
        return glob(value->valuestring, action);
    const cJSON *item;
    cJSON_ArrayForEach(item, value)
        if (cJSON_IsString(item) && glob(item->valuestring, action))
            return 1;
    return 0;
}

/* 1 when the statement's Action (or NotAction) covers action. */
static int covers(const cJSON *st, const char *action)
{
    const cJSON *list = cJSON_GetObjectItemCaseSensitive(st, "Action");
    if (list)
        return matches(list, action);
    list = cJSON_GetObjectItemCaseSensitive(st, "NotAction");
    return list ? !matches(list, action) : 0;
}

static void apply(const cJSON *st, const char *action,
                  enum iampolicy_decision *d)
{
    const char *effect = cJSON_GetStringValue(
        cJSON_GetObjectItemCaseSensitive(st, "Effect"));
    if (!effect || !covers(st, action))
        return;
    if (strcmp(effect, "Deny") == 0)
        *d = IAMPOLICY_EXPLICIT_DENY;
    else if (strcmp(effect, "Allow") == 0 && *d == IAMPOLICY_IMPLICIT_DENY)
        *d = IAMPOLICY_ALLOW;
}

static void evaluate_document(const char *text, const char *action,
                              enum iampolicy_decision *d)
{
    cJSON *doc = text ? cJSON_Parse(text) : NULL;
    const cJSON *statements = cJSON_GetObjectItemCaseSensitive(doc,
                                                               "Statement");
    const cJSON *st;
    if (cJSON_IsObject(statements))
        apply(statements, action, d);
    else if (cJSON_IsArray(statements))
        cJSON_ArrayForEach(st, statements)
            apply(st, action, d);
    cJSON_Delete(doc);
}

const char *iampolicy_managed_document(const char *arn)
{
    if (strncmp(arn, MANAGED_PREFIX, strlen(MANAGED_PREFIX)) != 0)
        return NULL;
    const char *name = arn + strlen(MANAGED_PREFIX);
    for (size_t i = 0; i < sizeof(managed) / sizeof(managed[0]); i++)
        if (strcmp(managed[i].name, name) == 0)
            return managed[i].document;
    return NULL;
}

static const char *attached_document(const struct world *w, const char *arn)
{
    const struct world_policy *p = world_policy(w, arn);
    return p ? p->document : iampolicy_managed_document(arn);
}

enum iampolicy_decision iampolicy_evaluate(const struct world *w,
                                           const struct world_role *role,
                                           const char *action)
{
    enum iampolicy_decision d = IAMPOLICY_IMPLICIT_DENY;
    for (size_t i = 0; i < role->attached_count; i++)
        evaluate_document(attached_document(w, role->attached_policy_arns[i]),
                          action, &d);
    for (size_t i = 0; i < role->inline_count; i++)
        evaluate_document(role->inline_policies[i].document, action, &d);
    return d;
}

/* ---- checks before a document is stored --------------------------------- */

#define SYNTAX_ERRORS "Syntax errors in policy."

/* Copies IAM's message text into msg; always returns -1. */
static int fail(char *msg, size_t msglen, const char *text)
{
    snprintf(msg, msglen, "%s", text);
    return -1;
}

/* A string or a non-empty array of strings. */
static int string_or_list(const cJSON *v)
{
    const cJSON *item;
    if (cJSON_IsString(v))
        return 1;
    if (!cJSON_IsArray(v) || cJSON_GetArraySize(v) == 0)
        return 0;
    cJSON_ArrayForEach(item, v)
        if (!cJSON_IsString(item))
            return 0;
    return 1;
}

/* Every action is "*" or "service:pattern". */
static int check_actions(const cJSON *st, char *msg, size_t msglen)
{
    const cJSON *list = cJSON_GetObjectItemCaseSensitive(st, "Action");
    if (!list)
        list = cJSON_GetObjectItemCaseSensitive(st, "NotAction");
    if (!list) {
        snprintf(msg, msglen, "Policy statement must contain actions.");
        return -1;
    }
    if (!string_or_list(list)) {
        snprintf(msg, msglen, SYNTAX_ERRORS);
        return -1;
    }
    const cJSON *item = cJSON_IsString(list) ? list : list->child;
    for (; item; item = cJSON_IsString(list) ? NULL : item->next) {
        const char *a = item->valuestring;
        const char *colon = strchr(a, ':');
        if (strcmp(a, "*") != 0 && (!colon || colon == a || !colon[1])) {
            snprintf(msg, msglen, "Actions/Conditions must be prefaced by a "
                     "vendor, e.g., iam, sdb, ec2, etc.");
            return -1;
        }
    }
    return 0;
}

/* A Federated principal naming one of this account's OIDC providers
 * must name one that exists, as IAM resolves principals when it stores
 * a trust policy. */
static int check_federated(const struct world *w, const char *arn,
                           char *msg, size_t msglen)
{
    char own[64];
    snprintf(own, sizeof(own), "arn:aws:iam::%s:oidc-provider/",
             w->account_id);
    if (strncmp(arn, own, strlen(own)) != 0 || world_oidc_provider(w, arn))
        return 0;
    snprintf(msg, msglen, "Invalid principal in policy: \"Federated\":\"%s\"",
             arn);
    return -1;
}

static int check_principal(const struct world *w, const cJSON *principal,
                           char *msg, size_t msglen)
{
    static const char *const types[] = {
        "AWS", "Service", "Federated", "CanonicalUser",
    };
    if (cJSON_IsString(principal) && strcmp(principal->valuestring, "*") == 0)
        return 0;
    if (!cJSON_IsObject(principal) || !principal->child)
        goto bad;
    const cJSON *entry, *item;
    cJSON_ArrayForEach(entry, principal) {
        size_t t = 0;
        while (t < sizeof(types) / sizeof(types[0]) &&
               strcmp(types[t], entry->string) != 0)
            t++;
        if (t == sizeof(types) / sizeof(types[0]) || !string_or_list(entry))
            goto bad;
        if (strcmp(entry->string, "Federated") != 0)
            continue;
        if (cJSON_IsString(entry))
            item = entry;
        else
            item = entry->child;
        for (; item; item = cJSON_IsString(entry) ? NULL : item->next)
            if (check_federated(w, item->valuestring, msg, msglen) < 0)
                return -1;
    }
    return 0;
bad:
    snprintf(msg, msglen, "Invalid principal in policy");
    return -1;
}

/* Condition: {"Operator": {"key": value or [values]}}. */
static int check_condition(const cJSON *condition)
{
    const cJSON *op, *key;
    if (!condition)
        return 0;
    if (!cJSON_IsObject(condition))
        return -1;
    cJSON_ArrayForEach(op, condition) {
        if (!cJSON_IsObject(op))
            return -1;
        cJSON_ArrayForEach(key, op)
            if (cJSON_IsObject(key) || cJSON_IsNull(key))
                return -1;
    }
    return 0;
}

static int check_statement(const struct world *w, const cJSON *st,
                           enum iampolicy_kind kind, char *msg,
                           size_t msglen)
{
    const char *effect = cJSON_GetStringValue(
        cJSON_GetObjectItemCaseSensitive(st, "Effect"));
    const int has_principal =
        cJSON_HasObjectItem(st, "Principal") ||
        cJSON_HasObjectItem(st, "NotPrincipal");
    const int has_resource = cJSON_HasObjectItem(st, "Resource") ||
                             cJSON_HasObjectItem(st, "NotResource");
    if (!cJSON_IsObject(st) || !effect ||
        (strcmp(effect, "Allow") != 0 && strcmp(effect, "Deny") != 0) ||
        check_condition(cJSON_GetObjectItemCaseSensitive(st, "Condition")))
        return fail(msg, msglen, SYNTAX_ERRORS);
    if (check_actions(st, msg, msglen) < 0)
        return -1;
    if (kind == IAMPOLICY_IDENTITY) {
        if (has_principal)
            return fail(msg, msglen, "Policy document should not "
                            "specify a principal.");
        if (!has_resource)
            return fail(msg, msglen, "Policy statement must contain "
                            "resources.");
        return 0;
    }
    if (has_resource)
        return fail(msg, msglen, "Has prohibited field Resource");
    const cJSON *principal = cJSON_GetObjectItemCaseSensitive(st,
                                                              "Principal");
    if (!principal)
        principal = cJSON_GetObjectItemCaseSensitive(st, "NotPrincipal");
    if (!principal)
        return fail(msg, msglen, "Invalid principal in policy: "
                        "com.amazon.balsa.error.InvalidPolicyException: The "
                        "passed in policy has a statement with no "
                        "principals!");
    return check_principal(w, principal, msg, msglen);
}

static int check_document(const struct world *w, const cJSON *doc,
                          enum iampolicy_kind kind, char *msg, size_t msglen)
{
    const char *version = cJSON_GetStringValue(
        cJSON_GetObjectItemCaseSensitive(doc, "Version"));
    const cJSON *statements = cJSON_GetObjectItemCaseSensitive(doc,
                                                               "Statement");
    const cJSON *st;
    if ((cJSON_HasObjectItem(doc, "Version") &&
         (!version || (strcmp(version, "2012-10-17") != 0 &&
                       strcmp(version, "2008-10-17") != 0))) ||
        !(cJSON_IsObject(statements) ||
          (cJSON_IsArray(statements) && cJSON_GetArraySize(statements)))) {
        snprintf(msg, msglen, SYNTAX_ERRORS);
        return -1;
    }
    if (cJSON_IsObject(statements))
        return check_statement(w, statements, kind, msg, msglen);
    cJSON_ArrayForEach(st, statements)
        if (check_statement(w, st, kind, msg, msglen) < 0)
            return -1;
    return 0;
}

int iampolicy_check(const struct world *w, const char *document,
                    enum iampolicy_kind kind, char *msg, size_t msglen)
{
    const char *end = NULL;
    cJSON *doc = document ? cJSON_ParseWithOpts(document, &end, 1) : NULL;
    if (!cJSON_IsObject(doc)) {
        cJSON_Delete(doc);
        snprintf(msg, msglen, "This policy contains invalid Json");
        return -1;
    }
    int rc = check_document(w, doc, kind, msg, msglen);
    cJSON_Delete(doc);
    return rc;
}
