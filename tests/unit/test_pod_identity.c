/*
 * EKS Pod Identity without a server: the trust evaluation of a role for
 * pods.eks.amazonaws.com, the parsers of EKS's association replies, the
 * requests --dry-run prints, and a read-only session that rejects each
 * write before anything is queued. The same for the add-on calls that
 * Pod Identity needs (the eks-pod-identity-agent add-on).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "../../api/eks_addon.h"
#include "../../api/eks_pod_identity.h"
#include "../../api/policy.h"
#include "../../src/pod_identity.h"

#define CLUSTER_ARN "arn:aws:eks:us-east-2:111122223333:cluster/pods"
#define ROLE "arn:aws:iam::111122223333:role/pod-reader"
#define ID "a-0123456789abcdefg"

/* One statement with principal, action and an optional condition. */
#define STATEMENT(effect, principal, action, condition)                   \
    "{\"Effect\":\"" effect "\",\"Principal\":" principal ",\"Action\":" \
    action condition "}"
#define PODS "{\"Service\":\"pods.eks.amazonaws.com\"}"
#define BOTH "[\"sts:AssumeRole\",\"sts:TagSession\"]"
#define POLICY(...) "{\"Version\":\"2012-10-17\",\"Statement\":[" \
    __VA_ARGS__ "]}"

struct trust_case {
    const char *name;
    const char *policy;
    int trusted;
    const char *reason;    /* a part of the reason, when not trusted */
};

static const struct trust_case trust_cases[] = {
    { "both actions", POLICY(STATEMENT("Allow", PODS, BOTH, "")), 1, NULL },
    { "wildcard action", POLICY(STATEMENT("Allow", PODS, "\"sts:*\"", "")),
      1, NULL },
    { "actions in two statements",
      POLICY(STATEMENT("Allow", PODS, "\"sts:AssumeRole\"", "") ","
             STATEMENT("Allow", PODS, "\"sts:TagSession\"", "")), 1, NULL },
    { "AssumeRole only",
      POLICY(STATEMENT("Allow", PODS, "\"sts:AssumeRole\"", "")), 0,
      "not sts:TagSession" },
    { "other service",
      POLICY(STATEMENT("Allow", "{\"Service\":\"ec2.amazonaws.com\"}", BOTH,
                       "")), 0, "does not trust the service principal" },
    { "web identity only",
      POLICY(STATEMENT("Allow", "{\"Federated\":\"arn:aws:iam::1:oidc-"
                       "provider/x\"}", "\"sts:AssumeRoleWithWebIdentity\"",
                       "")), 0, "does not trust" },
    { "neither action",
      POLICY(STATEMENT("Allow", PODS, "\"s3:GetObject\"", "")), 0,
      "neither sts:AssumeRole nor sts:TagSession" },
    { "deny wins",
      POLICY(STATEMENT("Allow", PODS, BOTH, "") ","
             STATEMENT("Deny", PODS, "\"sts:TagSession\"", "")), 0,
      "Deny" },
    { "source arn matches",
      POLICY(STATEMENT("Allow", PODS, BOTH, ",\"Condition\":{\"ArnEquals\":"
                       "{\"aws:SourceArn\":\"" CLUSTER_ARN "\"}}")), 1, NULL },
    { "source account matches",
      POLICY(STATEMENT("Allow", PODS, BOTH, ",\"Condition\":{\"StringEquals"
                       "\":{\"aws:SourceAccount\":\"111122223333\"}}")), 1,
      NULL },
    { "source arn of another cluster",
      POLICY(STATEMENT("Allow", PODS, BOTH, ",\"Condition\":{\"ArnLike\":"
                       "{\"aws:SourceArn\":\"arn:aws:eks:*:*:cluster/"
                       "other\"}}")), 0,
      "does not match cluster " CLUSTER_ARN },
    { "condition not evaluated",
      POLICY(STATEMENT("Allow", PODS, BOTH, ",\"Condition\":{\"Bool\":"
                       "{\"aws:SecureTransport\":\"true\"}}")), 0,
      "Bool on aws:SecureTransport is not evaluated" },
};

static void trust_table(void **state)
{
    (void)state;
    const struct pod_identity_request rq = { .cluster_arn = CLUSTER_ARN };
    for (size_t i = 0; i < sizeof(trust_cases) / sizeof(trust_cases[0]);
         i++) {
        const struct trust_case *c = &trust_cases[i];
        struct policy p;
        char err[256];
        struct pod_identity_result out;
        print_message("case: %s\n", c->name);
        assert_int_equal(policy_parse(c->policy, &p, err, sizeof(err)), 0);
        pod_identity_evaluate(&rq, &p, &out);
        policy_cleanup(&p);
        assert_int_equal(out.trusted, c->trusted);
        if (c->reason)
            assert_non_null(strstr(out.reason, c->reason));
        else
            assert_string_equal(out.reason, "");
    }
}

static void parse_association(void **state)
{
    (void)state;
    static const char reply[] =
        "{\"association\":{\"clusterName\":\"pods\",\"namespace\":\"apps\","
        "\"serviceAccount\":\"web\",\"roleArn\":\"" ROLE "\","
        "\"associationArn\":\"arn:aws:eks:us-east-2:111122223333:"
        "podidentityassociation/pods/" ID "\",\"associationId\":\"" ID "\","
        "\"tags\":{\"team\":\"shop\"},\"createdAt\":1717243200,"
        "\"modifiedAt\":1717243260.5}}";
    struct eks_pod_identity a;
    struct api_error err = {0};
    assert_int_equal(eks_parse_pod_identity(reply, strlen(reply), &a, &err),
                     0);
    assert_string_equal(a.association_id, ID);
    assert_string_equal(a.namespace, "apps");
    assert_string_equal(a.service_account, "web");
    assert_string_equal(a.role_arn, ROLE);
    assert_string_equal(a.created_at, "2024-06-01T12:00:00Z");
    assert_string_equal(a.modified_at, "2024-06-01T12:01:00Z");
    assert_int_equal(a.tag_count, 1);
    assert_string_equal(a.tags[0].key, "team");
    assert_string_equal(a.tags[0].value, "shop");
    assert_null(a.owner_arn);
    eks_pod_identity_cleanup(&a);
}

static void parse_rejects_bad_replies(void **state)
{
    (void)state;
    static const char *const replies[] = {
        "not json",
        "{}",
        "{\"association\":{\"namespace\":\"apps\",\"serviceAccount\":\"x\"}}",
        "{\"association\":{\"associationId\":\"" ID "\",\"namespace\":\"a\","
        "\"serviceAccount\":\"x\",\"tags\":{\"k\":1}}}",
    };
    for (size_t i = 0; i < sizeof(replies) / sizeof(replies[0]); i++) {
        struct eks_pod_identity a;
        struct api_error err = {0};
        assert_int_equal(eks_parse_pod_identity(replies[i],
                                                strlen(replies[i]), &a,
                                                &err), -1);
        assert_string_equal(err.code, "InvalidReply");
        assert_null(a.association_id);
    }
}

static void parse_page(void **state)
{
    (void)state;
    static const char reply[] =
        "{\"associations\":[{\"clusterName\":\"pods\",\"namespace\":\"a\","
        "\"serviceAccount\":\"x\",\"associationId\":\"" ID "\"},"
        "{\"clusterName\":\"pods\",\"namespace\":\"b\",\"serviceAccount\":"
        "\"y\",\"associationId\":\"a-aaaaaaaaaaaaaaaaa\"}],"
        "\"nextToken\":\"Mg==\"}";
    struct eks_pod_identity_list list;
    char *next = NULL;
    struct api_error err = {0};
    assert_int_equal(eks_parse_pod_identity_page(reply, strlen(reply), &list,
                                                 &next, &err), 0);
    assert_int_equal(list.count, 2);
    assert_string_equal(list.items[1].namespace, "b");
    assert_null(list.items[0].role_arn);
    assert_string_equal(next, "Mg==");
    for (size_t i = 0; i < list.count; i++)
        eks_pod_identity_cleanup(&list.items[i]);
    free(list.items);
    free(next);

    static const char bad[] = "{\"associations\":[{\"namespace\":\"a\"}]}";
    assert_int_equal(eks_parse_pod_identity_page(bad, strlen(bad), &list,
                                                 &next, &err), -1);
    assert_int_equal(list.count, 0);
    assert_null(next);
}

static void create_request_body(void **state)
{
    (void)state;
    const struct eks_tag tags[] = {{"owner", "me"}};
    const struct eks_pod_identity_spec spec = {
        .namespace = "apps", .service_account = "web", .role_arn = ROLE,
        .tags = tags, .tag_count = 1,
    };
    struct eks_pod_identity_request rq;
    struct api_error err = {0};
    assert_int_equal(eks_pod_identity_create_request("pods", &spec, &rq,
                                                     &err), 0);
    assert_string_equal(rq.method, "POST");
    assert_string_equal(rq.path, "/clusters/pods/pod-identity-associations");
    cJSON *body = cJSON_Parse(rq.body);
    assert_non_null(body);
    assert_string_equal(cJSON_GetObjectItem(body, "namespace")->valuestring,
                        "apps");
    assert_string_equal(
        cJSON_GetObjectItem(body, "serviceAccount")->valuestring, "web");
    assert_string_equal(cJSON_GetObjectItem(body, "roleArn")->valuestring,
                        ROLE);
    const cJSON *token = cJSON_GetObjectItem(body, "clientRequestToken");
    assert_int_equal(strlen(token->valuestring), 36);
    assert_string_equal(cJSON_GetObjectItem(cJSON_GetObjectItem(body, "tags"),
                                            "owner")->valuestring, "me");
    cJSON_Delete(body);
    eks_pod_identity_request_cleanup(&rq);
}

static void requests_reject_bad_names(void **state)
{
    (void)state;
    const struct eks_pod_identity_spec spec = {
        .namespace = "apps", .service_account = "web", .role_arn = ROLE,
    };
    const struct eks_pod_identity_spec no_role = {
        .namespace = "apps", .service_account = "web",
    };
    struct eks_pod_identity_request rq;
    struct api_error err = {0};
    assert_int_equal(eks_pod_identity_create_request("a/b", &spec, &rq, &err),
                     -1);
    assert_non_null(strstr(err.message, "a/b"));
    eks_pod_identity_request_cleanup(&rq);
    assert_int_equal(eks_pod_identity_create_request("pods", &no_role, &rq,
                                                     &err), -1);
    eks_pod_identity_request_cleanup(&rq);
    assert_int_equal(eks_pod_identity_delete_request("pods", "a-1/../x", &rq,
                                                     &err), -1);
    assert_non_null(strstr(err.message, "a-1/../x"));
    eks_pod_identity_request_cleanup(&rq);
    assert_int_equal(eks_pod_identity_delete_request("pods", ID, &rq, &err),
                     0);
    assert_string_equal(rq.method, "DELETE");
    assert_string_equal(rq.path,
                        "/clusters/pods/pod-identity-associations/" ID);
    assert_null(rq.body);
    eks_pod_identity_request_cleanup(&rq);
}

struct outcome {
    int calls;
    int had_association;
    struct api_error err;
};

static void record(const struct eks_pod_identity *a,
                   const struct api_error *err, void *ctx)
{
    struct outcome *o = ctx;
    o->calls++;
    o->had_association = a != NULL;
    if (err)
        o->err = *err;
}

/* A read-only session in us-east-2 with example keys; returns its HTTP
 * client, which the caller frees after aws_session_cleanup. */
static struct http_client *open_readonly(struct aws_session *s)
{
    setenv("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE", 1);
    setenv("AWS_SECRET_ACCESS_KEY", "secret", 1);
    struct http_client *http = http_client_new();
    char why[512];
    struct aws_session_options opt = {.region = "us-east-2", .readonly = 1};
    assert_int_equal(aws_session_init(s, http, &opt, why, sizeof(why)), 0);
    return http;
}

static void readonly_rejects_writes(void **state)
{
    (void)state;
    struct aws_session s;
    struct http_client *http = open_readonly(&s);
    const struct eks_pod_identity_spec spec = {
        .namespace = "apps", .service_account = "web", .role_arn = ROLE,
    };
    struct outcome o[4];
    memset(o, 0, sizeof(o));
    assert_int_equal(eks_create_pod_identity(&s, NULL, "pods", &spec, record,
                                             &o[0]), -1);
    assert_int_equal(eks_update_pod_identity(&s, NULL, "pods", ID, ROLE,
                                             record, &o[1]), -1);
    assert_int_equal(eks_delete_pod_identity(&s, NULL, "pods", ID, record,
                                             &o[2]), -1);
    assert_int_equal(eks_delete_pod_identity_for(&s, NULL, "pods", "apps",
                                                 "web", record, &o[3]), -1);
    for (int i = 0; i < 4; i++) {
        assert_int_equal(o[i].calls, 1);
        assert_int_equal(o[i].had_association, 0);
        assert_string_equal(o[i].err.code, "ReadOnly");
        assert_non_null(strstr(o[i].err.message, "--readonly"));
    }
    assert_int_equal(http_pending(http), 0);
    aws_session_cleanup(&s);
    http_client_free(http);
}

static void parse_addon_reply(void **state)
{
    (void)state;
    static const char reply[] =
        "{\"addon\":{\"addonName\":\"eks-pod-identity-agent\","
        "\"clusterName\":\"pods\",\"status\":\"CREATING\","
        "\"addonVersion\":\"v1.3.4-eksbuild.1\",\"addonArn\":"
        "\"arn:aws:eks:us-east-2:111122223333:addon/pods/"
        "eks-pod-identity-agent/1\",\"health\":{\"issues\":[]},"
        "\"createdAt\":1717243200,\"modifiedAt\":1717243200}}";
    struct eks_addon a;
    struct api_error err = {0};
    assert_int_equal(eks_parse_addon(reply, strlen(reply), &a, &err), 0);
    assert_string_equal(a.name, EKS_POD_IDENTITY_AGENT);
    assert_string_equal(a.cluster_name, "pods");
    assert_string_equal(a.status, "CREATING");
    assert_string_equal(a.version, "v1.3.4-eksbuild.1");
    assert_string_equal(a.created_at, "2024-06-01T12:00:00Z");
    eks_addon_cleanup(&a);
    static const char *const bad[] = {
        "not json", "{}", "{\"addon\":{\"addonName\":\"x\"}}",
        "{\"addon\":{\"status\":\"ACTIVE\"}}",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_int_equal(eks_parse_addon(bad[i], strlen(bad[i]), &a, &err),
                         -1);
        assert_string_equal(err.code, "InvalidReply");
        assert_null(a.name);
    }
}

static void record_addon(const struct eks_addon *a,
                         const struct api_error *err, void *ctx)
{
    struct outcome *o = ctx;
    o->calls++;
    o->had_association = a != NULL;
    if (err)
        o->err = *err;
}

static void addon_calls_reject_bad_input(void **state)
{
    (void)state;
    struct aws_session s;
    struct http_client *http = open_readonly(&s);
    struct outcome o[3];
    memset(o, 0, sizeof(o));
    assert_int_equal(eks_describe_addon(&s, NULL, "pods", "../x",
                                        record_addon, &o[0]), -1);
    assert_string_equal(o[0].err.code, "InvalidParameter");
    assert_non_null(strstr(o[0].err.message, "\"../x\""));
    assert_int_equal(eks_create_addon(&s, NULL, "a/b", EKS_POD_IDENTITY_AGENT,
                                      NULL, record_addon, &o[1]), -1);
    assert_non_null(strstr(o[1].err.message, "a/b"));
    assert_int_equal(eks_create_addon(&s, NULL, "pods", EKS_POD_IDENTITY_AGENT,
                                      NULL, record_addon, &o[2]), -1);
    assert_string_equal(o[2].err.code, "ReadOnly");
    for (int i = 0; i < 3; i++) {
        assert_int_equal(o[i].calls, 1);
        assert_int_equal(o[i].had_association, 0);
    }
    assert_int_equal(http_pending(http), 0);
    aws_session_cleanup(&s);
    http_client_free(http);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(trust_table),
        cmocka_unit_test(parse_association),
        cmocka_unit_test(parse_rejects_bad_replies),
        cmocka_unit_test(parse_page),
        cmocka_unit_test(create_request_body),
        cmocka_unit_test(requests_reject_bad_names),
        cmocka_unit_test(readonly_rejects_writes),
        cmocka_unit_test(parse_addon_reply),
        cmocka_unit_test(addon_calls_reject_bad_input),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
