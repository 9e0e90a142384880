#include "iampolicy.h"

#include <ctype.h>
#include <string.h>

#include <cjson/cJSON.h>

/* AWS managed policies the sandbox knows, reduced to the actions that
 * matter for the load balancer controller. The full documents are much
 * longer; an unknown AWS managed policy grants nothing here. */
static const struct {
    const char *name;
    const char *document;
} managed[] = {
    {"AdministratorAccess",
     "{\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"*\"}]}"},
    {"ElasticLoadBalancingFullAccess",
     "{\"Statement\":[{\"Effect\":\"Allow\",\"Action\":["
     "\"elasticloadbalancing:*\",\"ec2:Describe*\",\"ec2:CreateSecurityGroup\","
     "\"ec2:AuthorizeSecurityGroupIngress\",\"ec2:CreateTags\","
     "\"acm:DescribeCertificate\",\"acm:ListCertificates\"]}]}"},
    {"ElasticLoadBalancingReadOnly",
     "{\"Statement\":[{\"Effect\":\"Allow\",\"Action\":["
     "\"elasticloadbalancing:Describe*\",\"ec2:Describe*\"]}]}"},
    {"AmazonEC2ReadOnlyAccess",
     "{\"Statement\":[{\"Effect\":\"Allow\",\"Action\":["
     "\"ec2:Describe*\",\"elasticloadbalancing:Describe*\"]}]}"},
    {"AmazonEC2FullAccess",
     "{\"Statement\":[{\"Effect\":\"Allow\",\"Action\":["
     "\"ec2:*\",\"elasticloadbalancing:*\"]}]}"},
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

static const char *attached_document(const struct world *w, const char *arn)
{
    const struct world_policy *p = world_policy(w, arn);
    if (p)
        return p->document;
    if (strncmp(arn, MANAGED_PREFIX, strlen(MANAGED_PREFIX)) != 0)
        return NULL;
    const char *name = arn + strlen(MANAGED_PREFIX);
    for (size_t i = 0; i < sizeof(managed) / sizeof(managed[0]); i++)
        if (strcmp(managed[i].name, name) == 0)
            return managed[i].document;
    return NULL;
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
