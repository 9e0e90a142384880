/*
 * The sandbox's IAM state changes (world_iam.h): codes and messages as
 * IAM sends them, sorted roles, policy document checks, conflicts and
 * quotas, and a world left unchanged by a failed call.
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

#include "../../sandbox/world.h"
#include "../../sandbox/world_iam.h"

#define ACCOUNT "111122223333"
#define ISSUER_HOST "oidc.eks.us-east-2.amazonaws.com/id/ABC"
#define PROVIDER_ARN "arn:aws:iam::" ACCOUNT ":oidc-provider/" ISSUER_HOST

static const char world_text[] =
    "account: \"" ACCOUNT "\"\n"
    "regions: [us-east-2]\n"
    "credentials:\n"
    "  - {accessKeyId: AKIAIOSFODNN7EXAMPLE, secretAccessKey: secret,"
    " user: t}\n"
    "policies:\n"
    "  - name: Existing\n"
    "    document: {Version: \"2012-10-17\", Statement: [{Effect: Allow,"
    " Action: \"s3:GetObject\", Resource: \"*\"}]}\n"
    "oidcProviders:\n"
    "  - url: https://" ISSUER_HOST "\n"
    "roles:\n"
    "  - name: beta\n"
    "    trustPolicy: {Statement: [{Effect: Allow, Action: sts:AssumeRole,"
    " Principal: {Service: ec2.amazonaws.com}}]}\n";

static const char trust[] =
    "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
    "\"Principal\":{\"Federated\":\"" PROVIDER_ARN "\"},"
    "\"Action\":\"sts:AssumeRoleWithWebIdentity\",\"Condition\":"
    "{\"StringEquals\":{\"" ISSUER_HOST ":sub\":"
    "\"system:serviceaccount:default:app\"}}}]}";

static const char permissions[] =
    "{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\","
    "\"Action\":[\"s3:ListBucket\"],\"Resource\":\"*\"}}";

static int setup(void **state)
{
    char path[] = "/tmp/albatross-iam-XXXXXX";
    int fd = mkstemp(path);
    FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
    if (!f)
        return -1;
    fputs(world_text, f);
    fclose(f);
    struct world *w = calloc(1, sizeof(*w));
    char err[512];
    int rc = w ? world_load(w, path, err, sizeof(err)) : -1;
    unlink(path);
    if (rc < 0) {
        fprintf(stderr, "%s\n", err);
        free(w);
        return -1;
    }
    *state = w;
    return 0;
}

static int teardown(void **state)
{
    world_free(*state);
    free(*state);
    return 0;
}

static void expect(const char *code, const char *expected_code,
                   const char *msg, const char *expected_msg)
{
    if (!expected_code) {
        if (code)
            fail_msg("expected success, got %s: %s", code, msg);
        return;
    }
    assert_non_null(code);
    assert_string_equal(code, expected_code);
    if (!strstr(msg, expected_msg))
        fail_msg("%s: message \"%s\" lacks \"%s\"", code, msg,
                 expected_msg);
}

static void test_create_role_sorted(void **state)
{
    struct world *w = *state;
    char msg[512];
    const struct world_role *r = NULL;
    expect(world_iam_create_role(w, "Alpha", "/irsa/", trust, "app role",
                                 NULL, &r, msg, sizeof(msg)),
           NULL, msg, NULL);
    assert_string_equal(r->arn, "arn:aws:iam::" ACCOUNT ":role/irsa/Alpha");
    assert_int_equal(strncmp(r->role_id, "AROA", 4), 0);
    assert_string_equal(r->description, "app role");
    expect(world_iam_create_role(w, "gamma", NULL, trust, NULL, NULL, NULL,
                                 msg, sizeof(msg)),
           NULL, msg, NULL);
    assert_int_equal(w->role_count, 3);
    assert_string_equal(w->roles[0].name, "Alpha");
    assert_string_equal(w->roles[1].name, "beta");
    assert_string_equal(w->roles[2].name, "gamma");
    assert_non_null(world_role(w, "gamma"));
    assert_string_equal(world_role(w, "gamma")->path, "/");
}

static void test_create_role_errors(void **state)
{
    struct world *w = *state;
    char msg[512];
    expect(world_iam_create_role(w, "BETA", NULL, trust, NULL, NULL, NULL,
                                 msg, sizeof(msg)),
           "EntityAlreadyExists", msg, "Role with name BETA already exists.");
    expect(world_iam_create_role(w, "bad name", NULL, trust, NULL, NULL,
                                 NULL, msg, sizeof(msg)),
           "ValidationError", msg, "regular expression pattern");
    expect(world_iam_create_role(w, "r", "nopath", trust, NULL, NULL, NULL,
                                 msg, sizeof(msg)),
           "ValidationError", msg, "It must begin and end with /");
    expect(world_iam_create_role(w, "r", NULL, "{\"Statement\":", NULL,
                                 NULL, NULL, msg, sizeof(msg)),
           "MalformedPolicyDocument", msg,
           "This policy contains invalid Json");
    expect(world_iam_create_role(w, "r", NULL, permissions, NULL, NULL,
                                 NULL, msg, sizeof(msg)),
           "MalformedPolicyDocument", msg, "Has prohibited field Resource");
    expect(world_iam_create_role(w, "r", NULL, "{\"Statement\":{\"Effect\":"
                                 "\"Allow\",\"Action\":\"sts:AssumeRole\"}}",
                                 NULL, NULL, NULL, msg, sizeof(msg)),
           "MalformedPolicyDocument", msg, "statement with no principals");
    assert_int_equal(w->role_count, 1);
}

static void test_trust_needs_provider(void **state)
{
    struct world *w = *state;
    char msg[512];
    char *other = strdup(trust);
    memcpy(strstr(other, "/id/ABC"), "/id/XYZ", 7);
    expect(world_iam_create_role(w, "r", NULL, other, NULL, NULL, NULL, msg,
                                 sizeof(msg)),
           "MalformedPolicyDocument", msg,
           "Invalid principal in policy: \"Federated\":\"arn:aws:iam::"
           ACCOUNT ":oidc-provider/oidc.eks.us-east-2.amazonaws.com/id/XYZ");
    expect(world_iam_update_trust_policy(w, "beta", other, msg, sizeof(msg)),
           "MalformedPolicyDocument", msg, "Invalid principal");
    free(other);
    expect(world_iam_update_trust_policy(w, "beta", trust, msg, sizeof(msg)),
           NULL, msg, NULL);
    assert_string_equal(world_role(w, "beta")->trust_policy, trust);
}

static void test_identity_policy_checks(void **state)
{
    struct world *w = *state;
    char msg[512];
    static const struct {
        const char *document;
        const char *message;
    } cases[] = {
        {"[]", "This policy contains invalid Json"},
        {"{\"Version\":\"2012-10-17\"}", "Syntax errors in policy."},
        {"{\"Version\":\"2013-01-01\",\"Statement\":[{\"Effect\":\"Allow\","
         "\"Action\":\"s3:*\",\"Resource\":\"*\"}]}",
         "Syntax errors in policy."},
        {"{\"Statement\":[{\"Effect\":\"Permit\",\"Action\":\"s3:*\","
         "\"Resource\":\"*\"}]}", "Syntax errors in policy."},
        {"{\"Statement\":[{\"Effect\":\"Allow\",\"Resource\":\"*\"}]}",
         "Policy statement must contain actions."},
        {"{\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"GetObject\","
         "\"Resource\":\"*\"}]}", "must be prefaced by a vendor"},
        {"{\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:*\"}]}",
         "Policy statement must contain resources."},
        {"{\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:*\","
         "\"Resource\":\"*\",\"Principal\":\"*\"}]}",
         "Policy document should not specify a principal."},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        expect(world_iam_create_policy(w, "P", NULL, cases[i].document, NULL,
                                       NULL, NULL, msg, sizeof(msg)),
               "MalformedPolicyDocument", msg, cases[i].message);
        expect(world_iam_put_role_policy(w, "beta", "p", cases[i].document,
                                         msg, sizeof(msg)),
               "MalformedPolicyDocument", msg, cases[i].message);
    }
    assert_int_equal(w->policy_count, 1);
    assert_int_equal(world_role(w, "beta")->inline_count, 0);
}

static void test_policy_lifecycle(void **state)
{
    struct world *w = *state;
    char msg[512];
    const struct world_policy *p = NULL;
    expect(world_iam_create_policy(w, "AppPolicy", "/app/", permissions,
                                   "reads", NULL, &p, msg, sizeof(msg)),
           NULL, msg, NULL);
    assert_string_equal(p->arn, "arn:aws:iam::" ACCOUNT
                                ":policy/app/AppPolicy");
    char arn[256];
    snprintf(arn, sizeof(arn), "%s", p->arn);
    expect(world_iam_create_policy(w, "apppolicy", NULL, permissions, NULL,
                                   NULL, NULL, msg, sizeof(msg)),
           "EntityAlreadyExists", msg,
           "A policy called apppolicy already exists.");
    expect(world_iam_attach_role_policy(w, "beta", arn, msg, sizeof(msg)),
           NULL, msg, NULL);
    expect(world_iam_attach_role_policy(w, "beta", arn, msg, sizeof(msg)),
           NULL, msg, NULL);
    assert_int_equal(world_role(w, "beta")->attached_count, 1);
    assert_int_equal(world_iam_attachment_count(w, arn), 1);
    expect(world_iam_delete_policy(w, arn, msg, sizeof(msg)),
           "DeleteConflict", msg, "Cannot delete a policy attached to "
           "entities.");
    expect(world_iam_delete_role(w, "beta", msg, sizeof(msg)),
           "DeleteConflict", msg, "must detach all policies first.");
    expect(world_iam_detach_role_policy(w, "beta", arn, msg, sizeof(msg)),
           NULL, msg, NULL);
    expect(world_iam_detach_role_policy(w, "beta", arn, msg, sizeof(msg)),
           "NoSuchEntity", msg, "was not found.");
    expect(world_iam_delete_policy(w, arn, msg, sizeof(msg)), NULL, msg,
           NULL);
    assert_null(world_policy(w, arn));
    expect(world_iam_delete_policy(w, arn, msg, sizeof(msg)),
           "NoSuchEntity", msg, "was not found.");
}

static void test_attach_checks(void **state)
{
    struct world *w = *state;
    char msg[512];
    expect(world_iam_attach_role_policy(w, "beta", "arn:aws:iam::" ACCOUNT
                                        ":policy/Missing", msg, sizeof(msg)),
           "NoSuchEntity", msg, "does not exist or is not attachable.");
    expect(world_iam_attach_role_policy(w, "nobody", "arn:aws:iam::aws:"
                                        "policy/ReadOnlyAccess", msg,
                                        sizeof(msg)),
           "NoSuchEntity", msg, "The role with name nobody cannot be found.");
    expect(world_iam_attach_role_policy(w, "beta", "not-an-arn", msg,
                                        sizeof(msg)),
           "ValidationError", msg, "ARN not-an-arn is not valid.");
    char arn[128];
    for (int i = 0; i < WORLD_IAM_ATTACHED_MAX; i++) {
        snprintf(arn, sizeof(arn), "arn:aws:iam::aws:policy/P%d", i);
        expect(world_iam_attach_role_policy(w, "beta", arn, msg, sizeof(msg)),
               NULL, msg, NULL);
    }
    expect(world_iam_attach_role_policy(w, "beta", "arn:aws:iam::aws:policy/"
                                        "One", msg, sizeof(msg)),
           "LimitExceeded", msg, "Cannot exceed quota for PoliciesPerRole: "
           "10");
}

static void test_inline_policies(void **state)
{
    struct world *w = *state;
    char msg[512];
    expect(world_iam_put_role_policy(w, "beta", "s3", permissions, msg,
                                     sizeof(msg)),
           NULL, msg, NULL);
    expect(world_iam_put_role_policy(w, "beta", "s3", permissions, msg,
                                     sizeof(msg)),
           NULL, msg, NULL);
    assert_int_equal(world_role(w, "beta")->inline_count, 1);
    expect(world_iam_delete_role(w, "beta", msg, sizeof(msg)),
           "DeleteConflict", msg, "must delete policies first.");
    expect(world_iam_delete_role_policy(w, "beta", "s4", msg, sizeof(msg)),
           "NoSuchEntity", msg, "The role policy with name s4 cannot be "
           "found.");
    expect(world_iam_delete_role_policy(w, "beta", "s3", msg, sizeof(msg)),
           NULL, msg, NULL);
    expect(world_iam_delete_role(w, "beta", msg, sizeof(msg)), NULL, msg,
           NULL);
    assert_int_equal(w->role_count, 0);
    assert_null(world_role(w, "beta"));
    expect(world_iam_delete_role(w, "beta", msg, sizeof(msg)),
           "NoSuchEntity", msg, "The role with name beta cannot be found.");
}

static void test_inline_size_quota(void **state)
{
    struct world *w = *state;
    char msg[512];
    size_t len = 4000;
    char *doc = malloc(len + 200);
    int n = snprintf(doc, len + 200, "{\"Statement\":[{\"Effect\":\"Allow\","
                     "\"Action\":\"s3:GetObject\",\"Resource\":\"");
    memset(doc + n, 'a', len);
    strcpy(doc + n + len, "\"}]}");
    expect(world_iam_put_role_policy(w, "beta", "a", doc, msg, sizeof(msg)),
           NULL, msg, NULL);
    expect(world_iam_put_role_policy(w, "beta", "b", doc, msg, sizeof(msg)),
           NULL, msg, NULL);
    expect(world_iam_put_role_policy(w, "beta", "c", doc, msg, sizeof(msg)),
           "LimitExceeded", msg, "Maximum policy size of 10240 bytes "
           "exceeded for role beta");
    /* Replacing a policy counts its new size, not both. */
    expect(world_iam_put_role_policy(w, "beta", "b", doc, msg, sizeof(msg)),
           NULL, msg, NULL);
    free(doc);
}

static void test_tags_merge(void **state)
{
    struct world *w = *state;
    char msg[512];
    struct world_kv first[] = {{"team", "a"}, {"env", "dev"}};
    struct world_kv second[] = {{"env", "prod"}, {"owner", "x"}};
    struct world_kv_list a = {first, 2}, b = {second, 2};
    expect(world_iam_tag_role(w, "beta", &a, msg, sizeof(msg)), NULL, msg,
           NULL);
    expect(world_iam_tag_role(w, "beta", &b, msg, sizeof(msg)), NULL, msg,
           NULL);
    const struct world_kv_list *tags = &world_role(w, "beta")->tags;
    assert_int_equal(tags->count, 3);
    assert_string_equal(tags->items[1].key, "env");
    assert_string_equal(tags->items[1].value, "prod");
    struct world_kv reserved[] = {{"aws:x", "y"}};
    struct world_kv_list bad = {reserved, 1};
    expect(world_iam_tag_role(w, "beta", &bad, msg, sizeof(msg)),
           "ValidationError", msg, "tags.1.member.key");
}

static void test_oidc_providers(void **state)
{
    struct world *w = *state;
    char msg[512];
    const char *ids[] = {"sts.amazonaws.com"};
    const char *thumbs[] = {"9e99a48a9960b14926bb7f3b02e22da2b0ab7280"};
    const char *bad_thumbs[] = {"abc"};
    const struct world_oidc_provider *p = NULL;
    expect(world_iam_create_oidc_provider(w, "https://" ISSUER_HOST, ids, 1,
                                          thumbs, 1, NULL, NULL, msg,
                                          sizeof(msg)),
           "EntityAlreadyExists", msg, "Provider with url https://"
           ISSUER_HOST " already exists.");
    expect(world_iam_create_oidc_provider(w, "http://x", ids, 1, thumbs, 1,
                                          NULL, NULL, msg, sizeof(msg)),
           "ValidationError", msg, "must start with https://");
    expect(world_iam_create_oidc_provider(w, "https://idp.example", ids, 1,
                                          bad_thumbs, 1, NULL, NULL, msg,
                                          sizeof(msg)),
           "ValidationError", msg, "thumbprintList");
    expect(world_iam_create_oidc_provider(w, "https://idp.example/id/1", ids,
                                          1, thumbs, 1, NULL, &p, msg,
                                          sizeof(msg)),
           NULL, msg, NULL);
    assert_string_equal(p->arn, "arn:aws:iam::" ACCOUNT
                                ":oidc-provider/idp.example/id/1");
    assert_string_equal(p->url, "idp.example/id/1");
    assert_int_equal(p->thumbprint_count, 1);
    assert_int_equal(w->oidc_provider_count, 2);
    expect(world_iam_delete_oidc_provider(w, PROVIDER_ARN, msg, sizeof(msg)),
           NULL, msg, NULL);
    assert_null(world_oidc_provider(w, PROVIDER_ARN));
    expect(world_iam_delete_oidc_provider(w, PROVIDER_ARN, msg, sizeof(msg)),
           "NoSuchEntity", msg, "OpenIDConnect Provider not found for arn");
    /* A trust policy naming the deleted provider is rejected now. */
    expect(world_iam_create_role(w, "r", NULL, trust, NULL, NULL, NULL, msg,
                                 sizeof(msg)),
           "MalformedPolicyDocument", msg, "Invalid principal");
}

static void test_status_codes(void **state)
{
    (void)state;
    assert_int_equal(world_iam_status("NoSuchEntity"), 404);
    assert_int_equal(world_iam_status("EntityAlreadyExists"), 409);
    assert_int_equal(world_iam_status("DeleteConflict"), 409);
    assert_int_equal(world_iam_status("LimitExceeded"), 409);
    assert_int_equal(world_iam_status("MalformedPolicyDocument"), 400);
    assert_int_equal(world_iam_status("ValidationError"), 400);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_create_role_sorted, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_create_role_errors, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_trust_needs_provider, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_identity_policy_checks, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_policy_lifecycle, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_attach_checks, setup, teardown),
        cmocka_unit_test_setup_teardown(test_inline_policies, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_inline_size_quota, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_tags_merge, setup, teardown),
        cmocka_unit_test_setup_teardown(test_oidc_providers, setup,
                                        teardown),
        cmocka_unit_test(test_status_codes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
