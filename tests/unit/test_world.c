/*
 * The sandbox's world loader (schema, defaults, derived ids, count
 * expansion, errors with file:line) and its request authentication
 * (SigV4 headers and EKS tokens) with a pinned clock.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../api/eks_token.h"
#include "../../api/sigv4.h"
#include "../../sandbox/server.h"
#include "../../sandbox/world.h"

#define DEMO "sandbox/worlds/demo.yaml"
#define KEY "AKIAIOSFODNN7EXAMPLE"
#define SECRET "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
#define NOW ((time_t)1714640000) /* 2024-05-02T08:53:20Z */

static const char header[] =
    "account: \"111122223333\"\n"
    "regions: [us-east-2, eu-west-1]\n"
    "credentials:\n"
    "  - {accessKeyId: " KEY ", secretAccessKey: " SECRET ", user: t}\n";

/* Writes header plus body to a temporary file; returns its path. */
static char *write_world(const char *body)
{
    char *path = strdup("/tmp/albatross-world-XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w");
    assert_non_null(f);
    fputs(header, f);
    fputs(body, f);
    fclose(f);
    return path;
}

/* Loads header plus body; returns world_load's result, err filled. */
static int load(struct world *w, const char *body, char *err, size_t len)
{
    char *path = write_world(body);
    int rc = world_load(w, path, err, len);
    unlink(path);
    free(path);
    return rc;
}

static void test_demo_loads(void **state)
{
    (void)state;
    struct world w;
    char err[512] = "";
    assert_int_equal(world_load(&w, DEMO, err, sizeof(err)), 0);
    assert_string_equal(w.account_id, "111122223333");
    assert_true(w.role_count > 100);
    struct world_cluster *c = world_cluster(&w, "us-east-2",
                                            "alb-demo-cluster");
    assert_non_null(c);
    assert_non_null(c->oidc_issuer);
    /* The controller's role trusts the issuer the cluster derives. */
    const struct world_role *r = world_role(
        &w, "eksctl-alb-demo-cluster-addon-iamserviceacco-Role1-1Q2W3E4R5T6Y");
    assert_non_null(r);
    assert_non_null(strstr(r->trust_policy, c->oidc_issuer + 8));
    assert_non_null(world_oidc_provider(&w, "arn:aws:iam::111122223333:"
                                        "oidc-provider/oidc.eks.us-east-2."
                                        "amazonaws.com/id/"
                                        "9B2471C9D67EF4BEE86F463AAEEFD5A5"));
    world_free(&w);
}

static void test_derived_defaults(void **state)
{
    (void)state;
    struct world w;
    char err[512] = "";
    assert_int_equal(load(&w, "clusters:\n"
                              "  - {name: one, region: eu-west-1, oidc: true}\n",
                          err, sizeof(err)), 0);
    struct world_cluster *c = &w.clusters[0];
    assert_string_equal(c->arn,
                        "arn:aws:eks:eu-west-1:111122223333:cluster/one");
    assert_string_equal(c->status, "ACTIVE");
    assert_int_equal(strlen(c->oidc_issuer),
                     strlen("https://oidc.eks.eu-west-1.amazonaws.com/id/") +
                     32);
    assert_int_equal(c->endpoint_fixed, 0);
    assert_int_equal(c->namespace_count, 4);
    assert_int_equal(w.oidc_provider_count, 1);
    assert_string_equal(w.oidc_providers[0].client_ids[0],
                        "sts.amazonaws.com");
    assert_string_equal(w.credentials[0].arn,
                        "arn:aws:iam::111122223333:user/t");
    assert_int_equal(world_set_endpoints(&w, "https://127.0.0.1:9"), 0);
    assert_string_equal(c->endpoint,
                        "https://127.0.0.1:9/k8s/eu-west-1/one");
    world_free(&w);
}

static void test_count_expands(void **state)
{
    (void)state;
    struct world w;
    char err[512] = "";
    assert_int_equal(load(&w,
        "clusters:\n"
        "  - name: c\n"
        "    region: us-east-2\n"
        "    serviceAccounts:\n"
        "      - namespace: ns-{n}\n"
        "        name: sa-{n}\n"
        "        count: 3\n"
        "        annotations: {eks.amazonaws.com/role-arn: 'r/{n}'}\n",
        err, sizeof(err)), 0);
    struct world_cluster *c = &w.clusters[0];
    assert_int_equal(c->service_account_count, 3);
    assert_string_equal(c->service_accounts[2].name, "sa-3");
    assert_string_equal(c->service_accounts[2].namespace, "ns-3");
    assert_string_equal(c->service_accounts[2].annotations.items[0].value,
                        "r/3");
    assert_string_not_equal(c->service_accounts[0].uid,
                            c->service_accounts[1].uid);
    assert_int_equal(c->namespace_count, 7);
    world_free(&w);
}

static void test_policy_yaml_to_json(void **state)
{
    (void)state;
    struct world w;
    char err[512] = "";
    assert_int_equal(load(&w,
        "roles:\n"
        "  - name: r\n"
        "    trustPolicy: &t\n"
        "      Version: \"2012-10-17\"\n"
        "      Statement:\n"
        "        - {Effect: Allow, Action: 'sts:AssumeRole',\n"
        "           Condition: {Bool: {a: true, b: 'true'},\n"
        "                       NumericLessThan: {c: 12}}}\n"
        "  - name: s\n"
        "    trustPolicy: *t\n",
        err, sizeof(err)), 0);
    assert_string_equal(w.roles[0].trust_policy,
                        "{\"Version\":\"2012-10-17\",\"Statement\":[{"
                        "\"Effect\":\"Allow\",\"Action\":\"sts:AssumeRole\","
                        "\"Condition\":{\"Bool\":{\"a\":true,\"b\":\"true\"},"
                        "\"NumericLessThan\":{\"c\":12}}}]}");
    assert_string_equal(w.roles[0].trust_policy, w.roles[1].trust_policy);
    world_free(&w);
}

static void check_error(const char *body, const char *expected_line,
                        const char *expected_text)
{
    struct world w;
    char err[512] = "";
    assert_int_equal(load(&w, body, err, sizeof(err)), -1);
    assert_non_null(strstr(err, expected_line));
    assert_non_null(strstr(err, expected_text));
    assert_null(w.account_id); /* world_load frees what it read */
}

static void test_errors_name_line(void **state)
{
    (void)state;
    check_error("clusters:\n  - {name: a, regoin: us-east-2}\n", ":6: ",
                "unknown key 'regoin' in cluster");
    check_error("roles:\n  - {name: 'a b', trustPolicy: {Statement: []}}\n",
                ":6: ", "role name 'a b'");
    check_error("roles:\n  - name: a\n    trustPolicy: {Version: x}\n",
                ":7: ", "has no Statement");
    check_error("clusters:\n  - {name: a, region: us-east-2, version: x}\n",
                ":6: ", "version 'x' must be MAJOR.MINOR");
    check_error("policies:\n  - {name: p, document: {Statement: []}}\n"
                "  - {name: P, document: {Statement: []}}\n",
                ":7: ", "duplicate policy name 'P' (first at line 6)");
    check_error("clusters:\n  - name: a\n    region: us-east-2\n"
                "    nodegroups:\n      - {name: n, desiredCapacity: 5,"
                " maxSize: 2}\n", ":9: ", "minSize <= desiredCapacity");
    check_error("clusters:\n  - name: a\n    region: us-east-2\n"
                "    endpoint: \"not a url\"\n", ":8: ",
                "endpoint 'not a url' must be an https URL");
    check_error("clusters:\n  - name: a\n    region: us-east-2\n"
                "    endpoint: http://127.0.0.1:1\n", ":8: ",
                "must be an https URL");
    check_error("account: \"444455556666\"\n", ":5: ",
                "duplicate key \"account\" (first given on line 1)");
}

static void test_add_credential(void **state)
{
    (void)state;
    struct world w;
    char err[512] = "";
    assert_int_equal(load(&w, "", err, sizeof(err)), 0);
    struct world_credential c = {
        .access_key_id = strdup("ASIAEXAMPLEEXAMPLE12"),
        .secret_access_key = strdup("s"), .session_token = strdup("t"),
        .arn = strdup("arn:aws:sts::111122223333:assumed-role/r/s"),
        .user_id = strdup("AROAEXAMPLE:s"), .expiration = NOW + 60,
    };
    assert_non_null(world_add_credential(&w, &c));
    assert_int_equal(w.credential_count, 2);
    assert_ptr_equal(world_credential(&w, "ASIAEXAMPLEEXAMPLE12"),
                     &w.credentials[1]);
    world_free(&w);
}

/* A signed STS GetCallerIdentity request as botocore sends it. */
struct signed_call {
    struct sigv4_pair headers[4];
    struct sb_request req;
    struct buf auth;
    char date[17];
};

static void sign_call(struct signed_call *call, const char *secret,
                      time_t when, time_t now)
{
    static const char body[] = "Action=GetCallerIdentity&Version=2011-06-15";
    sigv4_format_time(when, call->date);
    call->headers[0] = (struct sigv4_pair){"Host", "127.0.0.1:8443"};
    call->headers[1] = (struct sigv4_pair){
        "Content-Type", "application/x-www-form-urlencoded; charset=utf-8"};
    call->headers[2] = (struct sigv4_pair){"X-Amz-Date", call->date};
    struct sigv4_request r = {
        .method = "POST", .path = "/", .headers = call->headers,
        .header_count = 3, .body = body, .body_len = strlen(body),
    };
    struct sigv4_credentials creds = {KEY, secret, NULL};
    struct sigv4_scope scope = {"us-east-2", "sts", when, 1, 1};
    buf_init(&call->auth, 0);
    assert_int_equal(sigv4_authorization(&r, &creds, &scope, &call->auth), 0);
    call->headers[3] = (struct sigv4_pair){"Authorization", call->auth.data};
    call->req = (struct sb_request){
        .method = "POST", .path = "/", .headers = call->headers,
        .header_count = 4, .body = body, .body_len = strlen(body),
        .now = now,
    };
}

static void test_verify_request(void **state)
{
    (void)state;
    struct world w;
    char err[512] = "", msg[512];
    const struct world_credential *who;
    struct signed_call call;
    assert_int_equal(load(&w, "", err, sizeof(err)), 0);

    sign_call(&call, SECRET, NOW, NOW + 60);
    assert_null(auth_verify_request(&w, &call.req, &who, msg, sizeof(msg)));
    assert_ptr_equal(who, &w.credentials[0]);
    buf_cleanup(&call.auth);

    sign_call(&call, "not-the-secret", NOW, NOW);
    assert_string_equal(auth_verify_request(&w, &call.req, &who, msg,
                                            sizeof(msg)),
                        "SignatureDoesNotMatch");
    assert_null(who);
    buf_cleanup(&call.auth);

    sign_call(&call, SECRET, NOW, NOW + 16 * 60);
    assert_string_equal(auth_verify_request(&w, &call.req, &who, msg,
                                            sizeof(msg)),
                        "SignatureDoesNotMatch");
    assert_string_equal(msg, "Signature expired: 20240502T085320Z is now "
                        "earlier than 20240502T085420Z (20240502T090920Z - "
                        "15 min.)");
    buf_cleanup(&call.auth);
    world_free(&w);
}

static void test_verify_eks_token(void **state)
{
    (void)state;
    struct world w;
    char err[512] = "";
    const struct world_credential *who;
    struct sigv4_credentials creds = {KEY, SECRET, NULL};
    struct buf token;
    assert_int_equal(load(&w, "", err, sizeof(err)), 0);
    buf_init(&token, 0);
    assert_int_equal(eks_token_make(&creds, "us-east-2",
                                    "https://127.0.0.1:8443", "demo", NOW,
                                    &token), 0);

    assert_null(auth_verify_eks_token(&w, token.data, "demo", NOW + 60,
                                      &who));
    assert_ptr_equal(who, &w.credentials[0]);
    assert_non_null(auth_verify_eks_token(&w, token.data, "other", NOW,
                                          &who));
    assert_null(who);
    assert_non_null(auth_verify_eks_token(&w, token.data, "demo",
                                          NOW + 15 * 60 + 1, &who));
    token.data[token.len - 2] ^= 1;
    assert_non_null(auth_verify_eks_token(&w, token.data, "demo", NOW,
                                          &who));
    assert_non_null(auth_verify_eks_token(&w, "k8s-aws-v2.abc", "demo", NOW,
                                          &who));
    buf_cleanup(&token);
    world_free(&w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_demo_loads),
        cmocka_unit_test(test_derived_defaults),
        cmocka_unit_test(test_count_expands),
        cmocka_unit_test(test_policy_yaml_to_json),
        cmocka_unit_test(test_errors_name_line),
        cmocka_unit_test(test_add_credential),
        cmocka_unit_test(test_verify_request),
        cmocka_unit_test(test_verify_eks_token),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
