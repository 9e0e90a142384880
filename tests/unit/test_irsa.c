/*
 * IRSA trust evaluation and the policy parser under it: a table of trust
 * policies and service accounts with the status and finding each must
 * give, among them AWS's documented IRSA trust policy and the mistakes
 * planted in the sandbox's demo world.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../api/policy.h"
#include "../../src/irsa.h"

#define ROLE "arn:aws:iam::111122223333:role/r"
#define ISSUER "https://oidc.eks.us-east-2.amazonaws.com/id/" \
               "9B2471C9D67EF4BEE86F463AAEEFD5A5"
#define HOST "oidc.eks.us-east-2.amazonaws.com/id/" \
             "9B2471C9D67EF4BEE86F463AAEEFD5A5"
#define PROVIDER "arn:aws:iam::111122223333:oidc-provider/" HOST
#define STAGING_HOST "oidc.eks.eu-west-1.amazonaws.com/id/" \
                     "997349A4F6AADC7A524AE35DB3474D0A"

/* One Allow statement for PROVIDER with the given action and condition. */
#define TRUST(action, condition)                                        \
    "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","  \
    "\"Principal\":{\"Federated\":\"" PROVIDER "\"},"                    \
    "\"Action\":" action condition "}]}"
#define EQUALS_SUB(sa) ",\"Condition\":{\"StringEquals\":{\"" HOST     \
    ":sub\":\"system:serviceaccount:" sa "\",\"" HOST                   \
    ":aud\":\"sts.amazonaws.com\"}}"
#define LIKE_SUB(pattern) ",\"Condition\":{\"StringLike\":{\"" HOST    \
    ":sub\":\"" pattern "\"}}"
#define WEB "\"sts:AssumeRoleWithWebIdentity\""

/* AWS's example from "Assign IAM roles to Kubernetes service accounts"
 * in the EKS user guide, with its placeholders filled in. */
static const char aws_example[] =
    "{\n"
    "  \"Version\": \"2012-10-17\",\n"
    "  \"Statement\": [\n"
    "    {\n"
    "      \"Effect\": \"Allow\",\n"
    "      \"Principal\": {\n"
    "        \"Federated\": \"" PROVIDER "\"\n"
    "      },\n"
    "      \"Action\": \"sts:AssumeRoleWithWebIdentity\",\n"
    "      \"Condition\": {\n"
    "        \"StringEquals\": {\n"
    "          \"" HOST ":aud\": \"sts.amazonaws.com\",\n"
    "          \"" HOST ":sub\": "
    "\"system:serviceaccount:default:my-service-account\"\n"
    "        }\n"
    "      }\n"
    "    }\n"
    "  ]\n"
    "}\n";

/* The demo world's staging controller role: scoped to alb-controller. */
static const char staging_trust[] =
    "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
    "\"Principal\":{\"Federated\":\"arn:aws:iam::111122223333:"
    "oidc-provider/" STAGING_HOST "\"},"
    "\"Action\":\"sts:AssumeRoleWithWebIdentity\",\"Condition\":{"
    "\"StringEquals\":{\"" STAGING_HOST ":sub\":"
    "\"system:serviceaccount:kube-system:alb-controller\",\""
    STAGING_HOST ":aud\":\"sts.amazonaws.com\"}}}]}";

struct irsa_case {
    const char *name;
    const char *trust;
    const char *issuer;
    int has_provider;
    const char *namespace;
    const char *sa;
    enum irsa_status status;
    unsigned finding;      /* a bit that must be set, or 0 */
    const char *reason;    /* a part the reason must contain, or NULL */
};

static const struct irsa_case cases[] = {
    {"aws example allows its account", aws_example, ISSUER, 1,
     "default", "my-service-account", IRSA_OK, 0, NULL},
    {"aws example rejects another", aws_example, ISSUER, 1,
     "default", "other", IRSA_NOT_TRUSTED, IRSA_F_SUBJECT_NOT_ALLOWED,
     "trusts only system:serviceaccount:default:my-service-account"},
    {"issuer without provider", aws_example, ISSUER, 0,
     "default", "my-service-account", IRSA_NO_PROVIDER, IRSA_F_NO_PROVIDER,
     "create " PROVIDER},
    {"cluster without issuer", aws_example, NULL, 0,
     "default", "my-service-account", IRSA_NO_PROVIDER, IRSA_F_NO_PROVIDER,
     "no OIDC issuer"},
    {"demo staging controller", staging_trust,
     "https://" STAGING_HOST, 1, "kube-system",
     "aws-load-balancer-controller", IRSA_NOT_TRUSTED,
     IRSA_F_SUBJECT_NOT_ALLOWED,
     "only system:serviceaccount:kube-system:alb-controller"},
    {"demo staging alb-controller", staging_trust,
     "https://" STAGING_HOST, 1, "kube-system", "alb-controller",
     IRSA_OK, 0, NULL},
    {"other cluster's provider", staging_trust, ISSUER, 1, "kube-system",
     "alb-controller", IRSA_NOT_TRUSTED, IRSA_F_PROVIDER_NOT_TRUSTED,
     PROVIDER},
    {"demo external-dns any account",
     TRUST(WEB, LIKE_SUB("system:serviceaccount:*:*")), ISSUER, 1,
     "external-dns", "external-dns", IRSA_TOO_BROAD, IRSA_F_TOO_BROAD,
     HOST ":sub"},
    {"whole namespace is broad",
     TRUST(WEB, LIKE_SUB("system:serviceaccount:kube-system:*")), ISSUER,
     1, "kube-system", "x", IRSA_TOO_BROAD, IRSA_F_TOO_BROAD, NULL},
    {"no condition is broad", TRUST(WEB, ""), ISSUER, 1, "a", "b",
     IRSA_TOO_BROAD, IRSA_F_TOO_BROAD, NULL},
    {"demo batch prefix allowed",
     TRUST(WEB, LIKE_SUB("system:serviceaccount:batch:report-worker-*")),
     ISSUER, 1, "batch", "report-worker-3", IRSA_OK, 0, NULL},
    {"demo batch prefix rejects",
     TRUST(WEB, LIKE_SUB("system:serviceaccount:batch:report-worker-*")),
     ISSUER, 1, "batch", "cleaner", IRSA_NOT_TRUSTED,
     IRSA_F_SUBJECT_NOT_ALLOWED, "report-worker-*"},
    {"question mark one character",
     TRUST(WEB, LIKE_SUB("system:serviceaccount:a:worker-?")), ISSUER, 1,
     "a", "worker-10", IRSA_NOT_TRUSTED, IRSA_F_SUBJECT_NOT_ALLOWED, NULL},
    {"equals takes no wildcard",
     TRUST(WEB, ",\"Condition\":{\"StringEquals\":{\"" HOST ":sub\":"
                "\"system:serviceaccount:a:*\"}}"),
     ISSUER, 1, "a", "b", IRSA_NOT_TRUSTED, IRSA_F_SUBJECT_NOT_ALLOWED,
     NULL},
    {"sts wildcard action", TRUST("\"sts:*\"", EQUALS_SUB("a:b")), ISSUER,
     1, "a", "b", IRSA_OK, 0, NULL},
    {"action case ignored",
     TRUST("[\"sts:assumerolewithwebidentity\"]", EQUALS_SUB("a:b")),
     ISSUER, 1, "a", "b", IRSA_OK, 0, NULL},
    {"plain AssumeRole only", TRUST("\"sts:AssumeRole\"", EQUALS_SUB("a:b")),
     ISSUER, 1, "a", "b", IRSA_NOT_TRUSTED, IRSA_F_ACTION_MISSING,
     "does not allow sts:AssumeRoleWithWebIdentity"},
    {"wrong audience",
     TRUST(WEB, ",\"Condition\":{\"StringEquals\":{\"" HOST ":sub\":"
                "\"system:serviceaccount:a:b\",\"" HOST ":aud\":"
                "\"sts.example.com\"}}"),
     ISSUER, 1, "a", "b", IRSA_NOT_TRUSTED, IRSA_F_AUDIENCE_MISSING,
     "sts.amazonaws.com"},
    {"condition key case ignored",
     TRUST(WEB, ",\"Condition\":{\"StringEquals\":{\"OIDC.EKS.US-EAST-2."
                "AMAZONAWS.COM/id/9B2471C9D67EF4BEE86F463AAEEFD5A5:SUB\":"
                "\"system:serviceaccount:a:b\"}}"),
     ISSUER, 1, "a", "b", IRSA_OK, 0, NULL},
    {"subject values or together",
     TRUST(WEB, ",\"Condition\":{\"StringEquals\":{\"" HOST ":sub\":"
                "[\"system:serviceaccount:x:y\","
                "\"system:serviceaccount:a:b\"]}}"),
     ISSUER, 1, "a", "b", IRSA_OK, 0, NULL},
    {"ForAnyValue unsupported",
     TRUST(WEB, ",\"Condition\":{\"ForAnyValue:StringLike\":{\"" HOST
                ":sub\":\"system:serviceaccount:a:b\"}}"),
     ISSUER, 1, "a", "b", IRSA_NOT_TRUSTED, IRSA_F_UNSUPPORTED,
     "ForAnyValue:StringLike"},
    {"IfExists unsupported",
     TRUST(WEB, ",\"Condition\":{\"StringEqualsIfExists\":{\"" HOST
                ":sub\":\"system:serviceaccount:a:b\"}}"),
     ISSUER, 1, "a", "b", IRSA_NOT_TRUSTED, IRSA_F_UNSUPPORTED,
     "StringEqualsIfExists"},
    {"any principal",
     "{\"Statement\":{\"Effect\":\"Allow\",\"Principal\":\"*\","
     "\"Action\":" WEB EQUALS_SUB("a:b") "}}",
     ISSUER, 1, "a", "b", IRSA_OK, 0, NULL},
    {"federated array",
     "{\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"Federated\":"
     "[\"arn:aws:iam::111122223333:oidc-provider/other\",\"" PROVIDER
     "\"]},\"Action\":" WEB EQUALS_SUB("a:b") "}]}",
     ISSUER, 1, "a", "b", IRSA_OK, 0, NULL},
    {"service principal only",
     "{\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"Service\":"
     "\"ec2.amazonaws.com\"},\"Action\":\"sts:AssumeRole\"}]}",
     ISSUER, 1, "a", "b", IRSA_NOT_TRUSTED, IRSA_F_PROVIDER_NOT_TRUSTED,
     NULL},
    {"deny wins",
     "{\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"Federated\":\""
     PROVIDER "\"},\"Action\":" WEB "},{\"Sid\":\"NoDefault\",\"Effect\":"
     "\"Deny\",\"Principal\":\"*\",\"Action\":\"sts:*\"" LIKE_SUB(
         "system:serviceaccount:default:*") "}]}",
     ISSUER, 1, "default", "b", IRSA_NOT_TRUSTED, IRSA_F_DENIED,
     "statement NoDefault"},
    {"deny elsewhere ignored",
     "{\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"Federated\":\""
     PROVIDER "\"},\"Action\":" WEB EQUALS_SUB("a:b") "},{\"Effect\":"
     "\"Deny\",\"Principal\":\"*\",\"Action\":\"sts:*\"" LIKE_SUB(
         "system:serviceaccount:default:*") "}]}",
     ISSUER, 1, "a", "b", IRSA_OK, 0, NULL},
    {"NotAction excludes others",
     "{\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"Federated\":\""
     PROVIDER "\"},\"NotAction\":\"sts:AssumeRole\"" EQUALS_SUB("a:b")
     "}]}",
     ISSUER, 1, "a", "b", IRSA_OK, 0, NULL},
};

static void evaluate_case(const struct irsa_case *c)
{
    struct policy p;
    char err[256] = "";
    if (policy_parse(c->trust, &p, err, sizeof(err)) < 0)
        fail_msg("%s: policy_parse: %s", c->name, err);
    struct irsa_request rq = {
        .issuer = c->issuer, .has_provider = c->has_provider,
        .role_arn = ROLE, .namespace = c->namespace, .name = c->sa,
    };
    struct irsa_result r;
    irsa_evaluate(&rq, &p, &r);
    policy_cleanup(&p);
    if (r.status != c->status)
        fail_msg("%s: status %s, expected %s (%s)", c->name,
                 irsa_status_name(r.status), irsa_status_name(c->status),
                 r.reason);
    if (c->finding && !(r.findings & c->finding))
        fail_msg("%s: findings 0x%x lack 0x%x (%s)", c->name, r.findings,
                 c->finding, r.reason);
    if (c->reason && !strstr(r.reason, c->reason))
        fail_msg("%s: reason \"%s\" lacks \"%s\"", c->name, r.reason,
                 c->reason);
    if (c->status == IRSA_OK && r.reason[0])
        fail_msg("%s: ok with a reason: %s", c->name, r.reason);
}

static void test_irsa_table(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        evaluate_case(&cases[i]);
}

static void test_provider_arn(void **state)
{
    (void)state;
    char buf[256];
    assert_int_equal(irsa_provider_arn(ROLE, ISSUER, buf, sizeof(buf)), 0);
    assert_string_equal(buf, PROVIDER);
    assert_int_equal(irsa_provider_arn("arn:aws-cn:iam::123456789012:role/x",
                                       "https://oidc.eks.cn-north-1."
                                       "amazonaws.com.cn/id/AB", buf,
                                       sizeof(buf)), 0);
    assert_string_equal(buf, "arn:aws-cn:iam::123456789012:oidc-provider/"
                             "oidc.eks.cn-north-1.amazonaws.com.cn/id/AB");
    assert_int_equal(irsa_provider_arn("not-an-arn", ISSUER, buf,
                                       sizeof(buf)), -1);
    assert_int_equal(irsa_provider_arn(ROLE, ISSUER, buf, 20), -1);
}

struct parse_error_case {
    const char *json;
    const char *message;   /* a part of the error */
};

static void test_policy_parse_errors(void **state)
{
    (void)state;
    static const struct parse_error_case errors[] = {
        {"not json", "not a JSON object"},
        {"", "empty"},
        {"{\"Version\":\"2012-10-17\"}", "Statement is missing"},
        {"{\"Statement\":[{\"Effect\":\"Maybe\",\"Action\":\"a\"}]}",
         "Statement 1: Effect"},
        {"{\"Statement\":[{\"Effect\":\"Allow\"}]}",
         "exactly one of Action and NotAction"},
        {"{\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"a\","
         "\"NotAction\":\"b\"}]}", "exactly one of Action"},
        {"{\"Statement\":[{\"Effect\":\"Allow\",\"Action\":[1,{}]}]}",
         "Action must be a string or an array"},
        {"{\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"a\"},"
         "{\"Effect\":\"Allow\",\"Action\":\"a\",\"Principal\":"
         "{\"Robot\":\"x\"}}]}", "Statement 2: Principal.Robot"},
        {"{\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"a\","
         "\"Principal\":7}]}", "Principal must be"},
        {"{\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"a\","
         "\"Condition\":{\"StringLike\":\"x\"}}]}",
         "Condition.StringLike must be an object"},
        {"{\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"a\","
         "\"Condition\":{\"StringLike\":{\"k\":[{}]}}}]}",
         "Condition.StringLike.k must be a string"},
    };
    for (size_t i = 0; i < sizeof(errors) / sizeof(errors[0]); i++) {
        struct policy p;
        char err[256] = "";
        assert_int_equal(policy_parse(errors[i].json, &p, err, sizeof(err)),
                         -1);
        assert_int_equal(p.count, 0);
        if (!strstr(err, errors[i].message))
            fail_msg("%s: error \"%s\" lacks \"%s\"", errors[i].json, err,
                     errors[i].message);
        policy_cleanup(&p);
    }
}

static void test_policy_parse_fields(void **state)
{
    (void)state;
    struct policy p;
    char err[256] = "";
    const char *json =
        "{\"Version\":\"2012-10-17\",\"Statement\":{\"Sid\":\"S\","
        "\"Effect\":\"Deny\",\"Principal\":{\"AWS\":[\"*\"],\"Service\":"
        "\"eks.amazonaws.com\",\"CanonicalUser\":\"abc\"},"
        "\"NotAction\":[\"sts:TagSession\",\"sts:AssumeRole\"],"
        "\"Condition\":{\"NumericLessThan\":{\"k\":5},\"Bool\":{\"b\":true,"
        "\"c\":[\"x\",\"y\"]}}}}";
    assert_int_equal(policy_parse(json, &p, err, sizeof(err)), 0);
    assert_string_equal(p.version, "2012-10-17");
    assert_int_equal(p.count, 1);
    const struct policy_statement *st = &p.statements[0];
    assert_string_equal(st->sid, "S");
    assert_int_equal(st->effect, POLICY_DENY);
    assert_true(st->any_principal);
    assert_int_equal(st->service.count, 1);
    assert_string_equal(st->service.items[0], "eks.amazonaws.com");
    assert_true(st->not_action);
    assert_int_equal(st->actions.count, 2);
    assert_int_equal(st->condition_count, 3);
    assert_string_equal(st->conditions[0].op, "NumericLessThan");
    assert_string_equal(st->conditions[0].values.items[0], "5");
    assert_string_equal(st->conditions[1].key, "b");
    assert_string_equal(st->conditions[1].values.items[0], "true");
    assert_int_equal(st->conditions[2].values.count, 2);
    policy_cleanup(&p);
}

static void test_policy_bounds(void **state)
{
    (void)state;
    size_t n = POLICY_MAX_STATEMENTS + 1;
    size_t cap = 64 + n * 40;
    char *json = malloc(cap);
    size_t used = (size_t)snprintf(json, cap, "{\"Statement\":[");
    for (size_t i = 0; i < n; i++)
        used += (size_t)snprintf(json + used, cap - used,
                                 "%s{\"Effect\":\"Allow\",\"Action\":\"a\"}",
                                 i ? "," : "");
    snprintf(json + used, cap - used, "]}");
    struct policy p;
    char err[256] = "";
    assert_int_equal(policy_parse(json, &p, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "at most"));
    policy_cleanup(&p);
    free(json);
}

static void test_glob(void **state)
{
    (void)state;
    assert_true(policy_string_like("a*c", "abbbc"));
    assert_true(policy_string_like("a*", "a"));
    assert_true(policy_string_like("*:*", "x:y"));
    assert_false(policy_string_like("a?c", "ac"));
    assert_false(policy_string_like("A*", "abc"));
    assert_true(policy_action_matches("STS:Assume*", "sts:AssumeRole"));
    assert_false(policy_action_matches("sts:AssumeRole", "sts:AssumeRoleX"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_irsa_table),
        cmocka_unit_test(test_provider_arn),
        cmocka_unit_test(test_policy_parse_errors),
        cmocka_unit_test(test_policy_parse_fields),
        cmocka_unit_test(test_policy_bounds),
        cmocka_unit_test(test_glob),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
