/*
 * Parsing the replies of IAM's create calls: the new entity's ARN and
 * id, and InvalidReply for replies without them.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "../../api/iam_write.h"

#define NS "xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\""

static int parse(const char *xml, const char *operation, const char *element,
                 char **arn, char **id, struct api_error *err)
{
    return iam_parse_created(xml, strlen(xml), operation, element, arn, id,
                             err);
}

static void test_created_role(void **state)
{
    (void)state;
    const char *xml =
        "<CreateRoleResponse " NS "><CreateRoleResult><Role>"
        "<Path>/</Path><RoleName>app</RoleName>"
        "<RoleId>AROAEXAMPLE</RoleId>"
        "<Arn>arn:aws:iam::111122223333:role/app</Arn>"
        "</Role></CreateRoleResult></CreateRoleResponse>";
    char *arn, *id;
    struct api_error err = {0};
    assert_int_equal(parse(xml, "CreateRole", "Role", &arn, &id, &err), 0);
    assert_string_equal(arn, "arn:aws:iam::111122223333:role/app");
    assert_string_equal(id, "AROAEXAMPLE");
    free(arn);
    free(id);
}

static void test_created_policy(void **state)
{
    (void)state;
    const char *xml =
        "<CreatePolicyResponse " NS "><CreatePolicyResult><Policy>"
        "<PolicyName>p</PolicyName><PolicyId>ANPAEXAMPLE</PolicyId>"
        "<Arn>arn:aws:iam::111122223333:policy/p</Arn>"
        "</Policy></CreatePolicyResult></CreatePolicyResponse>";
    char *arn, *id;
    struct api_error err = {0};
    assert_int_equal(parse(xml, "CreatePolicy", "Policy", &arn, &id, &err),
                     0);
    assert_string_equal(arn, "arn:aws:iam::111122223333:policy/p");
    assert_string_equal(id, "ANPAEXAMPLE");
    free(arn);
    free(id);
}

static void test_created_oidc_provider(void **state)
{
    (void)state;
    const char *xml =
        "<CreateOpenIDConnectProviderResponse " NS ">"
        "<CreateOpenIDConnectProviderResult><OpenIDConnectProviderArn>"
        "arn:aws:iam::111122223333:oidc-provider/idp.example"
        "</OpenIDConnectProviderArn></CreateOpenIDConnectProviderResult>"
        "</CreateOpenIDConnectProviderResponse>";
    char *arn, *id;
    struct api_error err = {0};
    assert_int_equal(parse(xml, "CreateOpenIDConnectProvider", NULL, &arn,
                           &id, &err), 0);
    assert_string_equal(arn,
                        "arn:aws:iam::111122223333:oidc-provider/idp.example");
    assert_null(id);
    free(arn);
}

static void test_reply_without_arn(void **state)
{
    (void)state;
    static const char *const replies[] = {
        "<CreateRoleResponse " NS "><CreateRoleResult/></CreateRoleResponse>",
        "<CreateRoleResponse " NS "><CreateRoleResult><Role><Arn></Arn>"
        "</Role></CreateRoleResult></CreateRoleResponse>",
        "not xml at all",
        "",
    };
    for (size_t i = 0; i < sizeof(replies) / sizeof(replies[0]); i++) {
        char *arn = (char *)"unset", *id = (char *)"unset";
        struct api_error err = {0};
        assert_int_equal(parse(replies[i], "CreateRole", "Role", &arn, &id,
                               &err), -1);
        assert_string_equal(err.code, "InvalidReply");
        assert_non_null(strstr(err.message, "IAM CreateRole"));
        assert_null(arn);
        assert_null(id);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_created_role),
        cmocka_unit_test(test_created_policy),
        cmocka_unit_test(test_created_oidc_provider),
        cmocka_unit_test(test_reply_without_arn),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
