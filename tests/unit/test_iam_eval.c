/*
 * Whether a policy document grants an action: a table of documents with
 * the grant each must give for one action, the Deny rules, the
 * controller's own policy, and the EKS node group reply parsers that
 * feed the node role check.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../api/buf.h"
#include "../../api/eks_internal.h"
#include "../../api/eks_nodegroup.h"
#include "../../api/policy.h"
#include "../../src/iam_eval.h"

#define CREATE "elasticloadbalancing:CreateLoadBalancer"
#define DELETE "elasticloadbalancing:DeleteLoadBalancer"

/* A document of one statement: effect, the action member (with its key),
 * then any further members. */
#define DOC(effect, action, rest)                                       \
    "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"" effect  \
    "\"," action rest "}]}"
#define ALL ",\"Resource\":\"*\""

static const struct {
    const char *name;
    const char *document;
    const char *action;
    enum iam_eval_grant grant;   /* of iam_eval_grants */
    size_t statement;
} cases[] = {
    {"service wildcard", DOC("Allow", "\"Action\":\"elasticloadbalancing:*\"",
                             ALL), CREATE, IAM_EVAL_GRANTED, 0},
    {"action case ignored",
     DOC("Allow", "\"Action\":\"ElasticLoadBalancing:createloadbalancer\"",
         ALL), CREATE, IAM_EVAL_GRANTED, 0},
    {"other action", DOC("Allow", "\"Action\":\"" CREATE "\"", ALL), DELETE,
     IAM_EVAL_NOT_GRANTED, 0},
    {"list of describes",
     DOC("Allow", "\"Action\":[\"ec2:Describe*\","
         "\"elasticloadbalancing:Describe*\"]", ALL), CREATE,
     IAM_EVAL_NOT_GRANTED, 0},
    {"list with action",
     DOC("Allow", "\"Action\":[\"ec2:Describe*\",\"" DELETE "\"]", ALL),
     DELETE, IAM_EVAL_GRANTED, 0},
    {"question mark one character",
     DOC("Allow", "\"Action\":\"elasticloadbalancing:?reateLoadBalancer\"",
         ALL), CREATE, IAM_EVAL_GRANTED, 0},
    {"question mark not a run",
     DOC("Allow", "\"Action\":\"elasticloadbalancing:?LoadBalancer\"", ALL),
     CREATE, IAM_EVAL_NOT_GRANTED, 0},
    {"star inside name",
     DOC("Allow", "\"Action\":\"elasticloadbalancing:*LoadBalancer*\"", ALL),
     DELETE, IAM_EVAL_GRANTED, 0},
    {"everything", DOC("Allow", "\"Action\":\"*\"", ALL), CREATE,
     IAM_EVAL_GRANTED, 0},
    {"other service prefix",
     DOC("Allow", "\"Action\":\"elasticloadbalancingv2:*\"", ALL), CREATE,
     IAM_EVAL_NOT_GRANTED, 0},
    {"not action other service", DOC("Allow", "\"NotAction\":\"iam:*\"", ALL),
     CREATE, IAM_EVAL_GRANTED, 0},
    {"not action this service",
     DOC("Allow", "\"NotAction\":[\"iam:*\",\"elasticloadbalancing:*\"]",
         ALL), CREATE, IAM_EVAL_NOT_GRANTED, 0},
    {"condition may grant",
     DOC("Allow", "\"Action\":\"" CREATE "\"", ALL ",\"Condition\":{"
         "\"Null\":{\"aws:RequestTag/team\":\"false\"}}"), CREATE,
     IAM_EVAL_MAY_GRANT, 0},
    {"narrow resource may grant",
     DOC("Allow", "\"Action\":\"elasticloadbalancing:*\"",
         ",\"Resource\":\"arn:aws:elasticloadbalancing:*:*:loadbalancer/"
         "app/shop-*\""), DELETE, IAM_EVAL_MAY_GRANT, 0},
    {"not resource may grant",
     DOC("Allow", "\"Action\":\"elasticloadbalancing:*\"",
         ",\"NotResource\":\"arn:aws:s3:::*\""), DELETE, IAM_EVAL_MAY_GRANT,
     0},
    {"resource list with star",
     DOC("Allow", "\"Action\":\"elasticloadbalancing:*\"",
         ",\"Resource\":[\"arn:aws:s3:::b\",\"*\"]"), DELETE,
     IAM_EVAL_GRANTED, 0},
    {"deny only", DOC("Deny", "\"Action\":\"*\"", ALL), CREATE,
     IAM_EVAL_NOT_GRANTED, 0},
    {"unconditional beats conditional",
     "{\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"" CREATE "\","
     "\"Resource\":\"*\",\"Condition\":{\"Bool\":{\"aws:SecureTransport\":"
     "\"true\"}}},{\"Effect\":\"Allow\",\"Action\":\"elasticloadbalancing:"
     "Create*\",\"Resource\":\"*\"}]}", CREATE, IAM_EVAL_GRANTED, 1},
    {"deny removes allow",
     "{\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"elasticloadbalancing"
     ":*\",\"Resource\":\"*\"},{\"Effect\":\"Deny\",\"Action\":\"elastic"
     "loadbalancing:Delete*\",\"Resource\":\"*\"}]}", DELETE,
     IAM_EVAL_NOT_GRANTED, 0},
    {"deny of other action keeps allow",
     "{\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"elasticloadbalancing"
     ":*\",\"Resource\":\"*\"},{\"Effect\":\"Deny\",\"Action\":\"elastic"
     "loadbalancing:Delete*\",\"Resource\":\"*\"}]}", CREATE,
     IAM_EVAL_GRANTED, 0},
    {"deny not action removes allow",
     "{\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":"
     "\"*\"},{\"Effect\":\"Deny\",\"NotAction\":\"s3:*\",\"Resource\":\"*\"}"
     "]}", CREATE, IAM_EVAL_NOT_GRANTED, 0},
    {"conditional deny keeps allow",
     "{\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":"
     "\"*\"},{\"Effect\":\"Deny\",\"Action\":\"*\",\"Resource\":\"*\","
     "\"Condition\":{\"Bool\":{\"aws:MultiFactorAuthPresent\":\"false\"}}}"
     "]}", CREATE, IAM_EVAL_GRANTED, 0},
    {"narrow deny keeps allow",
     "{\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":"
     "\"*\"},{\"Effect\":\"Deny\",\"Action\":\"*\",\"Resource\":\"arn:aws:"
     "elasticloadbalancing:*:*:loadbalancer/app/prod-*\"}]}", CREATE,
     IAM_EVAL_GRANTED, 0},
};

static void test_grants_table(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct policy p;
        struct iam_eval_result res;
        char err[300];
        if (policy_parse(cases[i].document, &p, err, sizeof(err)) < 0)
            fail_msg("%s: %s", cases[i].name, err);
        iam_eval_grants(&p, cases[i].action, &res);
        if (res.grant != cases[i].grant)
            fail_msg("%s: %s, expected %s", cases[i].name,
                     iam_eval_grant_name(res.grant),
                     iam_eval_grant_name(cases[i].grant));
        if (res.grant != IAM_EVAL_NOT_GRANTED &&
            res.statement != cases[i].statement)
            fail_msg("%s: statement %zu, expected %zu", cases[i].name,
                     res.statement, cases[i].statement);
        if ((res.grant == IAM_EVAL_MAY_GRANT) != (res.limit != NULL))
            fail_msg("%s: limit %s", cases[i].name,
                     res.limit ? res.limit : "(none)");
        policy_cleanup(&p);
    }
}

static void parse(const char *json, struct policy *p)
{
    char err[300];
    if (policy_parse(json, p, err, sizeof(err)) < 0)
        fail_msg("%s", err);
}

static void test_limit_names_reason(void **state)
{
    (void)state;
    struct policy p;
    struct iam_eval_result res;
    parse(DOC("Allow", "\"Action\":\"" CREATE "\"", ALL ",\"Condition\":{"
              "\"Null\":{\"aws:RequestTag/team\":\"false\"}}"), &p);
    iam_eval_allows(&p, CREATE, &res);
    assert_string_equal(res.limit, "a Condition");
    policy_cleanup(&p);
    parse(DOC("Allow", "\"Action\":\"" CREATE "\"",
              ",\"Resource\":\"arn:aws:elasticloadbalancing:*\""), &p);
    iam_eval_allows(&p, CREATE, &res);
    assert_string_equal(res.limit, "a Resource narrower than \"*\"");
    policy_cleanup(&p);
}

/* A Deny in one policy of a role removes an Allow of another, so the
 * allows and the denies are asked apart. */
static void test_deny_in_other_document(void **state)
{
    (void)state;
    struct policy allow, deny;
    struct iam_eval_result res;
    parse(DOC("Allow", "\"Action\":\"elasticloadbalancing:*\"", ALL), &allow);
    parse(DOC("Deny", "\"Action\":[\"" CREATE "\",\"" DELETE "\"]", ALL),
          &deny);
    iam_eval_allows(&allow, CREATE, &res);
    assert_int_equal(res.grant, IAM_EVAL_GRANTED);
    assert_false(iam_eval_denies(&allow, CREATE));
    assert_true(iam_eval_denies(&deny, CREATE));
    assert_true(iam_eval_denies(&deny, DELETE));
    assert_false(iam_eval_denies(&deny, "elasticloadbalancing:"
                                 "DescribeLoadBalancers"));
    iam_eval_allows(&deny, CREATE, &res);
    assert_int_equal(res.grant, IAM_EVAL_NOT_GRANTED);
    policy_cleanup(&allow);
    policy_cleanup(&deny);
}

/* The controller's own policy allows both actions only under a
 * Condition on the cluster tag. */
static void test_controller_policy(void **state)
{
    (void)state;
    struct buf text;
    char why[300];
    struct policy p;
    struct iam_eval_result res;
    buf_init(&text, 0);
    assert_int_equal(buf_read_file(&text, "data/lbc/iam_policy.json", why,
                                   sizeof(why)), 0);
    parse(text.data, &p);
    iam_eval_grants(&p, CREATE, &res);
    assert_int_equal(res.grant, IAM_EVAL_MAY_GRANT);
    assert_string_equal(res.limit, "a Condition");
    iam_eval_grants(&p, DELETE, &res);
    assert_int_equal(res.grant, IAM_EVAL_MAY_GRANT);
    iam_eval_grants(&p, "iam:CreateRole", &res);
    assert_int_equal(res.grant, IAM_EVAL_NOT_GRANTED);
    policy_cleanup(&p);
    buf_cleanup(&text);
}

static void test_parse_resources(void **state)
{
    (void)state;
    struct policy p;
    char err[300];
    parse(DOC("Allow", "\"Action\":\"s3:*\"",
              ",\"NotResource\":[\"arn:aws:s3:::a\",\"arn:aws:s3:::b\"]"), &p);
    assert_true(p.statements[0].not_resource);
    assert_int_equal(p.statements[0].resources.count, 2);
    assert_string_equal(p.statements[0].resources.items[1], "arn:aws:s3:::b");
    policy_cleanup(&p);
    assert_int_equal(policy_parse(DOC("Allow", "\"Action\":\"s3:*\"",
                                      ALL ",\"NotResource\":\"*\""), &p, err,
                                  sizeof(err)), -1);
    assert_non_null(strstr(err, "Resource or NotResource"));
    policy_cleanup(&p);
    assert_int_equal(policy_parse(DOC("Allow", "\"Action\":\"s3:*\"",
                                      ",\"Resource\":{\"a\":1}"), &p, err,
                                  sizeof(err)), -1);
    assert_non_null(strstr(err, "Resource must be a string"));
    policy_cleanup(&p);
}

static void test_parse_nodegroup(void **state)
{
    (void)state;
    static const char reply[] =
        "{\"nodegroup\":{\"nodegroupName\":\"ng-1\",\"status\":\"ACTIVE\","
        "\"nodeRole\":\"arn:aws:iam::111122223333:role/nodes\","
        "\"scalingConfig\":{\"minSize\":1}}}";
    struct eks_nodegroup ng;
    struct api_error err = {0};
    assert_int_equal(eks_parse_nodegroup(reply, strlen(reply), &ng, &err), 0);
    assert_string_equal(ng.name, "ng-1");
    assert_string_equal(ng.status, "ACTIVE");
    assert_string_equal(ng.node_role, "arn:aws:iam::111122223333:role/nodes");
    eks_nodegroup_cleanup(&ng);

    static const char no_role[] = "{\"nodegroup\":{\"nodegroupName\":\"a\"}}";
    assert_int_equal(eks_parse_nodegroup(no_role, strlen(no_role), &ng,
                                         &err), 0);
    assert_null(ng.node_role);
    eks_nodegroup_cleanup(&ng);

    static const char no_name[] = "{\"nodegroup\":{\"nodeRole\":\"x\"}}";
    assert_int_equal(eks_parse_nodegroup(no_name, strlen(no_name), &ng,
                                         &err), -1);
    assert_string_equal(err.code, "InvalidReply");
    assert_null(ng.node_role);
    assert_int_equal(eks_parse_nodegroup("{", 1, &ng, &err), -1);
    assert_non_null(strstr(err.message, "not valid JSON"));
}

static void test_parse_nodegroup_names(void **state)
{
    (void)state;
    static const char page[] = "{\"nodegroups\":[\"ng-1\",\"ng-2\"],"
                               "\"nextToken\":\"t2\"}";
    char **names, *next;
    size_t count;
    struct api_error err = {0};
    assert_int_equal(eks_parse_names(page, strlen(page), "ListNodegroups",
                                     "nodegroups", &names, &count, &next,
                                     &err), 0);
    assert_int_equal(count, 2);
    assert_string_equal(names[1], "ng-2");
    assert_string_equal(next, "t2");
    for (size_t i = 0; i < count; i++)
        free(names[i]);
    free(names);
    free(next);
    static const char clusters[] = "{\"clusters\":[\"a\"]}";
    assert_int_equal(eks_parse_names(clusters, strlen(clusters),
                                     "ListNodegroups", "nodegroups", &names,
                                     &count, &next, &err), -1);
    assert_string_equal(err.message, "EKS ListNodegroups reply has no "
                        "nodegroups array of names");
    assert_null(names);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_grants_table),
        cmocka_unit_test(test_limit_names_reason),
        cmocka_unit_test(test_deny_in_other_document),
        cmocka_unit_test(test_controller_policy),
        cmocka_unit_test(test_parse_resources),
        cmocka_unit_test(test_parse_nodegroup),
        cmocka_unit_test(test_parse_nodegroup_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
