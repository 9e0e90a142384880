/*
 * The AWS client's parsing and resolution without a network: error replies
 * in each protocol, STS, IAM, EKS and EC2 replies (well-formed, malformed
 * and hostile), endpoint, region and profile resolution from the
 * environment and config files, and the credential chain with a
 * credential_process script written by the test.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../api/aws.h"
#include "../../api/creds.h"
#include "../../api/ec2.h"
#include "../../api/eks.h"
#include "../../api/iam.h"
#include "../../api/sts.h"

static char tmpdir[256];

static const char *const aws_vars[] = {
    "AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_REGION", "AWS_DEFAULT_REGION",
    "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
    "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE", "AWS_CA_BUNDLE",
    "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_EKS", "AWS_ENDPOINT_URL_IAM",
    "AWS_ENDPOINT_URL_STS", "AWS_ENDPOINT_URL_EC2",
    "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_ROLE_ARN", "AWS_ROLE_SESSION_NAME",
};

static struct buf text(const char *s)
{
    struct buf b;
    buf_init(&b, 0);
    buf_puts(&b, s);
    return b;
}

static char *path_in_tmp(const char *name)
{
    static char paths[8][512];
    static int next;
    char *p = paths[next++ % 8];
    snprintf(p, 512, "%s/%s", tmpdir, name);
    return p;
}

static void write_file(const char *name, const char *content, int mode)
{
    const char *path = path_in_tmp(name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(content, f);
    fclose(f);
    chmod(path, (mode_t)mode);
}

/* Every test starts from a clean environment: no AWS variables, HOME in
 * an empty temporary directory, instance metadata disabled. */
static int clean_env(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(aws_vars) / sizeof(aws_vars[0]); i++)
        unsetenv(aws_vars[i]);
    snprintf(tmpdir, sizeof(tmpdir), "/tmp/albatross-aws-XXXXXX");
    assert_non_null(mkdtemp(tmpdir));
    setenv("HOME", tmpdir, 1);
    setenv("AWS_EC2_METADATA_DISABLED", "true", 1);
    return 0;
}

static int remove_tmp(void **state)
{
    (void)state;
    char cmd[400];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
    return system(cmd) == 0 ? 0 : -1;
}

/* ---- error replies ---- */

static void error_query_xml(void **state)
{
    (void)state;
    struct buf body = text(
        "<ErrorResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\">"
        "<Error><Type>Sender</Type><Code>NoSuchEntity</Code>"
        "<Message>The role with name x cannot be found.</Message></Error>"
        "<RequestId>4f1b-9c</RequestId></ErrorResponse>");
    struct api_error err;
    aws_error_from_reply(&err, 404, "text/xml", NULL, &body);
    assert_int_equal(err.http_status, 404);
    assert_string_equal(err.code, "NoSuchEntity");
    assert_string_equal(err.message, "The role with name x cannot be found.");
    assert_string_equal(err.request_id, "4f1b-9c");
    buf_cleanup(&body);
}

static void error_ec2_xml(void **state)
{
    (void)state;
    struct buf body = text(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Response><Errors><Error>"
        "<Code>UnauthorizedOperation</Code><Message>You are not authorized"
        "</Message></Error></Errors><RequestID>ec2-req-1</RequestID>"
        "</Response>");
    struct api_error err;
    aws_error_from_reply(&err, 403, NULL, NULL, &body);
    assert_string_equal(err.code, "UnauthorizedOperation");
    assert_string_equal(err.message, "You are not authorized");
    assert_string_equal(err.request_id, "ec2-req-1");
    buf_cleanup(&body);
}

static void error_rest_json_header(void **state)
{
    (void)state;
    struct buf body = text("{\"message\":\"No cluster found for name: x.\"}");
    struct api_error err;
    aws_error_from_reply(&err, 404, "application/json",
                         "ResourceNotFoundException:http://internal.amazon."
                         "com/coral/com.amazonaws.eks/", &body);
    assert_string_equal(err.code, "ResourceNotFoundException");
    assert_string_equal(err.message, "No cluster found for name: x.");
    buf_cleanup(&body);
}

static void error_json_type(void **state)
{
    (void)state;
    struct buf body = text("{\"__type\":\"com.amazonaws.acm#ResourceNotFound"
                           "Exception\",\"Message\":\"no certificate\"}");
    struct api_error err;
    aws_error_from_reply(&err, 400, "application/x-amz-json-1.1", NULL, &body);
    assert_string_equal(err.code, "ResourceNotFoundException");
    assert_string_equal(err.message, "no certificate");
    buf_cleanup(&body);
}

static void error_rest_json_code_member(void **state)
{
    (void)state;
    struct buf body = text("{\"code\":\"InvalidParameterException\","
                           "\"message\":\"bad version\"}");
    struct api_error err;
    aws_error_from_reply(&err, 400, "application/json", "", &body);
    assert_string_equal(err.code, "InvalidParameterException");
    assert_string_equal(err.message, "bad version");
    buf_cleanup(&body);
}

static void error_not_aws(void **state)
{
    (void)state;
    struct buf body = text("<html><body>502 Bad Gateway</body></html>");
    struct api_error err;
    aws_error_from_reply(&err, 502, "text/html", NULL, &body);
    assert_string_equal(err.code, "502");
    assert_non_null(strstr(err.message, "HTTP 502"));
    buf_cleanup(&body);
}

static void error_truncated_xml(void **state)
{
    (void)state;
    struct buf body = text("<ErrorResponse><Error><Code>Throttl");
    struct api_error err;
    aws_error_from_reply(&err, 400, "text/xml", NULL, &body);
    assert_string_equal(err.code, "400");
    assert_non_null(strstr(err.message, "HTTP 400"));
    buf_cleanup(&body);
}

static void error_empty_body(void **state)
{
    (void)state;
    struct buf body;
    buf_init(&body, 0);
    struct api_error err;
    aws_error_from_reply(&err, 503, NULL, NULL, &body);
    assert_string_equal(err.code, "503");
    assert_string_equal(err.request_id, "");
}

static void error_huge_message(void **state)
{
    (void)state;
    struct buf body = text("<ErrorResponse><Error><Code>");
    for (int i = 0; i < 1000; i++)
        buf_puts(&body, "CodeCodeCode");
    buf_puts(&body, "</Code><Message>");
    for (int i = 0; i < 100000; i++)
        buf_puts(&body, "m\n");
    buf_puts(&body, "</Message></Error></ErrorResponse>");
    struct api_error err;
    aws_error_from_reply(&err, 400, NULL, NULL, &body);
    assert_int_equal(strlen(err.code), sizeof(err.code) - 1);
    assert_int_equal(strlen(err.message), sizeof(err.message) - 1);
    assert_null(strchr(err.message, '\n'));
    buf_cleanup(&body);
}

static void error_json_control_characters(void **state)
{
    (void)state;
    struct buf body = text("{\"__type\":\"Bad\\u001b[2J\",\"message\":"
                           "\"line1\\nline2\\u0007\"}");
    struct api_error err;
    aws_error_from_reply(&err, 400, NULL, NULL, &body);
    assert_string_equal(err.code, "Bad [2J");
    assert_string_equal(err.message, "line1 line2 ");
    buf_cleanup(&body);
}

static void error_dtd_rejected(void **state)
{
    (void)state;
    struct buf body = text(
        "<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\">"
        "<!ENTITY lol2 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">]>"
        "<ErrorResponse><Error><Code>&lol2;</Code></Error></ErrorResponse>");
    struct api_error err;
    aws_error_from_reply(&err, 400, NULL, NULL, &body);
    assert_string_equal(err.code, "400");
    buf_cleanup(&body);
}

static void error_json_wrong_types(void **state)
{
    (void)state;
    struct buf body = text("{\"__type\":42,\"message\":[\"x\"]}");
    struct api_error err;
    aws_error_from_reply(&err, 500, NULL, NULL, &body);
    assert_string_equal(err.code, "500");
    buf_cleanup(&body);
}

/* ---- STS ---- */

static const char identity_xml[] =
    "<GetCallerIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/"
    "2011-06-15/\"><GetCallerIdentityResult>"
    "<Arn>arn:aws:iam::111122223333:user/alice</Arn>"
    "<UserId>AIDAEXAMPLE</UserId><Account>111122223333</Account>"
    "</GetCallerIdentityResult><ResponseMetadata><RequestId>r1</RequestId>"
    "</ResponseMetadata></GetCallerIdentityResponse>";

static void sts_identity_parsed(void **state)
{
    (void)state;
    struct sts_identity *id = calloc(1, sizeof(*id));
    struct api_error err = {0};
    assert_int_equal(sts_parse_identity(identity_xml, strlen(identity_xml),
                                        id, &err), 0);
    assert_string_equal(id->account, "111122223333");
    assert_string_equal(id->arn, "arn:aws:iam::111122223333:user/alice");
    assert_string_equal(id->user_id, "AIDAEXAMPLE");
    sts_identity_free(id);
}

static void sts_identity_missing_account(void **state)
{
    (void)state;
    static const char xml[] =
        "<GetCallerIdentityResponse><GetCallerIdentityResult><Arn>a</Arn>"
        "</GetCallerIdentityResult></GetCallerIdentityResponse>";
    struct sts_identity id;
    struct api_error err = {0};
    assert_int_equal(sts_parse_identity(xml, strlen(xml), &id, &err), -1);
    assert_string_equal(err.code, "InvalidReply");
    assert_null(id.account);
    assert_null(id.arn);
}

static void sts_identity_truncated(void **state)
{
    (void)state;
    struct sts_identity id;
    struct api_error err = {0};
    assert_int_equal(sts_parse_identity(identity_xml, 80, &id, &err), -1);
    assert_string_equal(err.code, "InvalidReply");
    assert_non_null(strstr(err.message, "not valid XML"));
}

/* ---- IAM ---- */

static const char roles_page1[] =
    "<ListRolesResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\">"
    "<ListRolesResult><IsTruncated>true</IsTruncated>"
    "<Marker>page2</Marker><Roles>"
    "<member><Path>/</Path><RoleName>alpha</RoleName><RoleId>AROA1</RoleId>"
    "<Arn>arn:aws:iam::111122223333:role/alpha</Arn>"
    "<CreateDate>2024-01-02T03:04:05Z</CreateDate>"
    "<AssumeRolePolicyDocument>%7B%22Version%22%3A%222012-10-17%22%7D"
    "</AssumeRolePolicyDocument><Description>first role</Description>"
    "</member>"
    "<member><Path>/app/</Path><RoleName>beta</RoleName>"
    "<Arn>arn:aws:iam::111122223333:role/app/beta</Arn></member>"
    "</Roles></ListRolesResult></ListRolesResponse>";

static const char roles_page2[] =
    "<ListRolesResponse><ListRolesResult><IsTruncated>false</IsTruncated>"
    "<Roles><member><RoleName>gamma</RoleName>"
    "<Arn>arn:aws:iam::111122223333:role/gamma</Arn></member></Roles>"
    "</ListRolesResult></ListRolesResponse>";

static void iam_roles_two_pages(void **state)
{
    (void)state;
    struct iam_role_list *list = calloc(1, sizeof(*list));
    struct api_error err = {0};
    char *marker = NULL;
    assert_int_equal(iam_parse_roles_page(roles_page1, strlen(roles_page1),
                                          list, &marker, &err), 0);
    assert_string_equal(marker, "page2");
    free(marker);
    assert_int_equal(iam_parse_roles_page(roles_page2, strlen(roles_page2),
                                          list, &marker, &err), 0);
    assert_null(marker);
    assert_int_equal(list->count, 3);
    assert_string_equal(list->items[0].name, "alpha");
    assert_string_equal(list->items[0].trust_policy,
                        "{\"Version\":\"2012-10-17\"}");
    assert_string_equal(list->items[0].created, "2024-01-02T03:04:05Z");
    assert_string_equal(list->items[0].description, "first role");
    assert_string_equal(list->items[1].path, "/app/");
    assert_null(list->items[1].description);
    assert_string_equal(list->items[2].arn,
                        "arn:aws:iam::111122223333:role/gamma");
    iam_role_list_free(list);
}

static void iam_roles_truncated_without_marker(void **state)
{
    (void)state;
    static const char xml[] =
        "<ListRolesResponse><ListRolesResult><IsTruncated>true</IsTruncated>"
        "<Roles/></ListRolesResult></ListRolesResponse>";
    struct iam_role_list list = {0};
    struct api_error err = {0};
    char *marker = NULL;
    assert_int_equal(iam_parse_roles_page(xml, strlen(xml), &list, &marker,
                                          &err), -1);
    assert_string_equal(err.code, "InvalidReply");
    assert_null(marker);
}

static void iam_roles_member_without_name(void **state)
{
    (void)state;
    static const char xml[] =
        "<ListRolesResponse><ListRolesResult><Roles><member><Arn>x</Arn>"
        "</member></Roles></ListRolesResult></ListRolesResponse>";
    struct iam_role_list list = {0};
    struct api_error err = {0};
    char *marker = NULL;
    assert_int_equal(iam_parse_roles_page(xml, strlen(xml), &list, &marker,
                                          &err), -1);
    assert_int_equal(list.count, 0);
}

static void iam_roles_not_xml(void **state)
{
    (void)state;
    static const char json[] = "{\"Roles\": []}";
    struct iam_role_list list = {0};
    struct api_error err = {0};
    char *marker = NULL;
    assert_int_equal(iam_parse_roles_page(json, strlen(json), &list, &marker,
                                          &err), -1);
    assert_string_equal(err.code, "InvalidReply");
}

static void iam_role_details_parsed(void **state)
{
    (void)state;
    static const char get_role[] =
        "<GetRoleResponse><GetRoleResult><Role><RoleName>alpha</RoleName>"
        "<Arn>arn:aws:iam::1:role/alpha</Arn><AssumeRolePolicyDocument>"
        "%7B%7D</AssumeRolePolicyDocument></Role></GetRoleResult>"
        "</GetRoleResponse>";
    static const char attached[] =
        "<ListAttachedRolePoliciesResponse><ListAttachedRolePoliciesResult>"
        "<AttachedPolicies><member><PolicyName>ReadOnly</PolicyName>"
        "<PolicyArn>arn:aws:iam::aws:policy/ReadOnly</PolicyArn></member>"
        "</AttachedPolicies><IsTruncated>true</IsTruncated><Marker>m2"
        "</Marker></ListAttachedRolePoliciesResult>"
        "</ListAttachedRolePoliciesResponse>";
    static const char inline_names[] =
        "<ListRolePoliciesResponse><ListRolePoliciesResult><PolicyNames>"
        "<member>s3-read</member><member>logs</member></PolicyNames>"
        "<IsTruncated>false</IsTruncated></ListRolePoliciesResult>"
        "</ListRolePoliciesResponse>";
    struct iam_role role = {.name = strdup("alpha")};
    struct api_error err = {0};
    char *marker = NULL;
    assert_int_equal(iam_parse_role(get_role, strlen(get_role), &role, &err),
                     0);
    assert_string_equal(role.trust_policy, "{}");
    assert_int_equal(iam_parse_attached_policies(attached, strlen(attached),
                                                 &role, &marker, &err), 0);
    assert_string_equal(marker, "m2");
    free(marker);
    assert_int_equal(iam_parse_inline_policies(inline_names,
                                               strlen(inline_names), &role,
                                               &marker, &err), 0);
    assert_null(marker);
    assert_int_equal(role.attached_count, 1);
    assert_string_equal(role.attached[0].arn,
                        "arn:aws:iam::aws:policy/ReadOnly");
    assert_int_equal(role.inline_count, 2);
    assert_string_equal(role.inline_names[1], "logs");
    iam_role_cleanup(&role);
}

/* ---- EKS ---- */

static const char cluster_json[] =
    "{\"cluster\":{\"name\":\"prod\",\"arn\":\"arn:aws:eks:us-east-1:1:"
    "cluster/prod\",\"createdAt\":1700000000.123,\"version\":\"1.29\","
    "\"endpoint\":\"https://ABC.gr7.us-east-1.eks.amazonaws.com\","
    "\"roleArn\":\"arn:aws:iam::1:role/eks\",\"resourcesVpcConfig\":"
    "{\"vpcId\":\"vpc-1\"},\"identity\":{\"oidc\":{\"issuer\":"
    "\"https://oidc.eks.us-east-1.amazonaws.com/id/ABC\"}},"
    "\"status\":\"ACTIVE\",\"certificateAuthority\":{\"data\":\"LS0t\"},"
    "\"platformVersion\":\"eks.5\",\"tags\":{}}}";

static void eks_cluster_parsed(void **state)
{
    (void)state;
    struct eks_cluster c;
    struct api_error err = {0};
    assert_int_equal(eks_parse_cluster(cluster_json, strlen(cluster_json),
                                       &c, &err), 0);
    assert_string_equal(c.name, "prod");
    assert_string_equal(c.status, "ACTIVE");
    assert_string_equal(c.version, "1.29");
    assert_string_equal(c.ca_data, "LS0t");
    assert_string_equal(c.oidc_issuer,
                        "https://oidc.eks.us-east-1.amazonaws.com/id/ABC");
    assert_string_equal(c.created_at, "2023-11-14T22:13:20Z");
    assert_string_equal(c.vpc_id, "vpc-1");
    assert_string_equal(c.platform_version, "eks.5");
    assert_null(c.region);
    eks_cluster_cleanup(&c);
}

static void eks_cluster_wrong_types(void **state)
{
    (void)state;
    static const char optional[] =
        "{\"cluster\":{\"name\":\"dev\",\"version\":1.29,\"identity\":"
        "\"none\",\"createdAt\":-5,\"endpoint\":null}}";
    struct eks_cluster c;
    struct api_error err = {0};
    assert_int_equal(eks_parse_cluster(optional, strlen(optional), &c, &err),
                     0);
    assert_string_equal(c.name, "dev");
    assert_null(c.version);
    assert_null(c.oidc_issuer);
    assert_null(c.created_at);
    assert_null(c.endpoint);
    eks_cluster_cleanup(&c);

    static const char bad_name[] = "{\"cluster\":{\"name\":7}}";
    assert_int_equal(eks_parse_cluster(bad_name, strlen(bad_name), &c, &err),
                     -1);
    assert_string_equal(err.code, "InvalidReply");
    static const char not_object[] = "{\"cluster\":[\"prod\"]}";
    assert_int_equal(eks_parse_cluster(not_object, strlen(not_object), &c,
                                       &err), -1);
}

static void eks_cluster_truncated(void **state)
{
    (void)state;
    struct eks_cluster c;
    struct api_error err = {0};
    assert_int_equal(eks_parse_cluster(cluster_json, 60, &c, &err), -1);
    assert_non_null(strstr(err.message, "not valid JSON"));
    assert_null(c.name);
}

static void eks_names_paged(void **state)
{
    (void)state;
    static const char page[] =
        "{\"clusters\":[\"a\",\"b\"],\"nextToken\":\"tok==\"}";
    char **names;
    size_t count;
    char *next;
    struct api_error err = {0};
    assert_int_equal(eks_parse_cluster_names(page, strlen(page), &names,
                                             &count, &next, &err), 0);
    assert_int_equal(count, 2);
    assert_string_equal(names[0], "a");
    assert_string_equal(names[1], "b");
    assert_string_equal(next, "tok==");
    for (size_t i = 0; i < count; i++)
        free(names[i]);
    free(names);
    free(next);

    static const char last[] = "{\"clusters\":[],\"nextToken\":null}";
    assert_int_equal(eks_parse_cluster_names(last, strlen(last), &names,
                                             &count, &next, &err), 0);
    assert_int_equal(count, 0);
    assert_null(next);
    free(names);
}

static void eks_names_wrong_types(void **state)
{
    (void)state;
    static const char *const bodies[] = {
        "{\"clusters\":[\"a\",3]}", "{\"clusters\":\"a\"}", "[]", "{",
        "{\"clusters\":[\"\"]}",
    };
    for (size_t i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
        char **names = (char **)1;
        size_t count = 9;
        char *next = (char *)1;
        struct api_error err = {0};
        assert_int_equal(eks_parse_cluster_names(bodies[i], strlen(bodies[i]),
                                                 &names, &count, &next,
                                                 &err), -1);
        assert_null(names);
        assert_int_equal(count, 0);
        assert_null(next);
        assert_string_equal(err.code, "InvalidReply");
    }
}

static void eks_cluster_huge_strings(void **state)
{
    (void)state;
    struct buf body = text("{\"cluster\":{\"name\":\"");
    for (int i = 0; i < 200000; i++)
        buf_puts(&body, "abcde");
    buf_puts(&body, "\"}}");
    struct eks_cluster c;
    struct api_error err = {0};
    assert_int_equal(eks_parse_cluster(body.data, body.len, &c, &err), 0);
    assert_int_equal(strlen(c.name), 1000000);
    eks_cluster_cleanup(&c);
    buf_cleanup(&body);
}

/* ---- EC2 ---- */

static void ec2_regions_parsed(void **state)
{
    (void)state;
    static const char xml[] =
        "<DescribeRegionsResponse xmlns=\"http://ec2.amazonaws.com/doc/"
        "2016-11-15/\"><requestId>r</requestId><regionInfo>"
        "<item><regionName>us-east-1</regionName><regionEndpoint>ec2.us-"
        "east-1.amazonaws.com</regionEndpoint></item>"
        "<item><regionName>eu-west-1</regionName></item>"
        "</regionInfo></DescribeRegionsResponse>";
    char **names;
    size_t count;
    struct api_error err = {0};
    assert_int_equal(ec2_parse_regions(xml, strlen(xml), &names, &count,
                                       &err), 0);
    assert_int_equal(count, 2);
    assert_string_equal(names[0], "us-east-1");
    assert_string_equal(names[1], "eu-west-1");
    for (size_t i = 0; i < count; i++)
        free(names[i]);
    free(names);
}

static void ec2_regions_malformed(void **state)
{
    (void)state;
    static const char *const bodies[] = {
        "<DescribeRegionsResponse><regionInfo><item><regionEndpoint>x"
        "</regionEndpoint></item></regionInfo></DescribeRegionsResponse>",
        "<DescribeRegionsResponse/>",
        "<DescribeRegionsResponse><regionInfo><item><regionName>us-",
    };
    for (size_t i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
        char **names;
        size_t count;
        struct api_error err = {0};
        assert_int_equal(ec2_parse_regions(bodies[i], strlen(bodies[i]),
                                           &names, &count, &err), -1);
        assert_null(names);
        assert_int_equal(count, 0);
    }
}

/* ---- sessions: profile, region, endpoints, CA ---- */

static const char config_text[] =
    "[default]\n"
    "region = eu-west-1\n"
    "\n"
    "[profile dev]\n"
    "region = us-west-2\n"
    "services = local\n"
    "endpoint_url = http://127.0.0.1:9000/\n"
    "\n"
    "[services local]\n"
    "eks =\n"
    "  endpoint_url = http://127.0.0.1:9001\n";

static int session(struct aws_session *s, const char *profile,
                   const char *region, char *err, size_t errlen)
{
    struct aws_session_options opt = {.profile = profile, .region = region};
    return aws_session_init(s, NULL, &opt, err, errlen);
}

static void use_config(void)
{
    write_file("config", config_text, 0600);
    setenv("AWS_CONFIG_FILE", path_in_tmp("config"), 1);
    setenv("AWS_SHARED_CREDENTIALS_FILE", path_in_tmp("credentials"), 1);
}

static void region_order(void **state)
{
    (void)state;
    use_config();
    struct aws_session s;
    char err[512];
    assert_int_equal(session(&s, NULL, NULL, err, sizeof(err)), 0);
    assert_string_equal(s.profile, "default");
    assert_string_equal(s.region, "eu-west-1");
    assert_non_null(strstr(s.region_source, "config:2"));
    aws_session_cleanup(&s);

    setenv("AWS_DEFAULT_REGION", "ap-south-1", 1);
    assert_int_equal(session(&s, NULL, NULL, err, sizeof(err)), 0);
    assert_string_equal(s.region, "ap-south-1");
    assert_string_equal(s.region_source, "AWS_DEFAULT_REGION");
    aws_session_cleanup(&s);

    setenv("AWS_REGION", "ca-central-1", 1);
    assert_int_equal(session(&s, NULL, NULL, err, sizeof(err)), 0);
    assert_string_equal(s.region, "ca-central-1");
    assert_string_equal(s.region_source, "AWS_REGION");
    aws_session_cleanup(&s);

    assert_int_equal(session(&s, NULL, "sa-east-1", err, sizeof(err)), 0);
    assert_string_equal(s.region, "sa-east-1");
    assert_string_equal(s.region_source, "--region");
    aws_session_cleanup(&s);
}

static void region_none(void **state)
{
    (void)state;
    struct aws_session s;
    char err[512];
    assert_int_equal(session(&s, NULL, NULL, err, sizeof(err)), 0);
    assert_null(s.region);
    assert_null(s.region_source);
    aws_session_cleanup(&s);
}

static void profile_from_env(void **state)
{
    (void)state;
    use_config();
    setenv("AWS_PROFILE", "dev", 1);
    struct aws_session s;
    char err[512];
    assert_int_equal(session(&s, NULL, NULL, err, sizeof(err)), 0);
    assert_string_equal(s.profile, "dev");
    assert_string_equal(s.region, "us-west-2");
    aws_session_cleanup(&s);
}

static void profile_missing(void **state)
{
    (void)state;
    use_config();
    struct aws_session s;
    char err[512];
    assert_int_equal(session(&s, "nope", NULL, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "profile nope"));
    assert_non_null(strstr(err, "not found"));
}

static void config_error_names_line(void **state)
{
    (void)state;
    write_file("config", "[default]\nregion = a\nregion = b\n", 0600);
    setenv("AWS_CONFIG_FILE", path_in_tmp("config"), 1);
    struct aws_session s;
    char err[512];
    assert_int_equal(session(&s, NULL, NULL, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "config:3"));
}

static void endpoint_order(void **state)
{
    (void)state;
    use_config();
    struct aws_session s;
    char err[512];
    assert_int_equal(session(&s, "dev", NULL, err, sizeof(err)), 0);
    char *url;

    url = aws_endpoint(&s, &aws_service_iam, NULL);
    assert_string_equal(url, "http://127.0.0.1:9000");
    free(url);
    url = aws_endpoint(&s, &aws_service_eks, NULL);
    assert_string_equal(url, "http://127.0.0.1:9001");
    free(url);

    setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9002/", 1);
    url = aws_endpoint(&s, &aws_service_eks, NULL);
    assert_string_equal(url, "http://127.0.0.1:9002");
    free(url);

    setenv("AWS_ENDPOINT_URL_EKS", "http://[::1]:9003", 1);
    url = aws_endpoint(&s, &aws_service_eks, NULL);
    assert_string_equal(url, "http://[::1]:9003");
    free(url);
    url = aws_endpoint(&s, &aws_service_sts, NULL);
    assert_string_equal(url, "http://127.0.0.1:9002");
    free(url);

    setenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true", 1);
    url = aws_endpoint(&s, &aws_service_eks, "eu-central-1");
    assert_string_equal(url, "https://eks.eu-central-1.amazonaws.com");
    free(url);
    aws_session_cleanup(&s);
}

static void endpoint_defaults(void **state)
{
    (void)state;
    struct aws_session s;
    char err[512];
    assert_int_equal(session(&s, NULL, "us-east-2", err, sizeof(err)), 0);
    char *url = aws_endpoint(&s, &aws_service_iam, NULL);
    assert_string_equal(url, "https://iam.amazonaws.com");
    free(url);
    url = aws_endpoint(&s, &aws_service_sts, NULL);
    assert_string_equal(url, "https://sts.us-east-2.amazonaws.com");
    free(url);
    url = aws_endpoint(&s, &aws_service_eks, "ap-northeast-1");
    assert_string_equal(url, "https://eks.ap-northeast-1.amazonaws.com");
    free(url);
    url = aws_endpoint(&s, &aws_service_ec2, NULL);
    assert_string_equal(url, "https://ec2.us-east-2.amazonaws.com");
    free(url);
    aws_session_cleanup(&s);
}

static void ca_bundle_loaded(void **state)
{
    (void)state;
    write_file("ca.pem", "-----BEGIN CERTIFICATE-----\nMIIB\n", 0600);
    setenv("AWS_CA_BUNDLE", path_in_tmp("ca.pem"), 1);
    struct aws_session s;
    char err[512];
    assert_int_equal(session(&s, NULL, NULL, err, sizeof(err)), 0);
    assert_string_equal(s.ca_pem, "-----BEGIN CERTIFICATE-----\nMIIB\n");
    aws_session_cleanup(&s);

    setenv("AWS_CA_BUNDLE", path_in_tmp("missing.pem"), 1);
    assert_int_equal(session(&s, NULL, NULL, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "AWS_CA_BUNDLE"));
    assert_non_null(strstr(err, "missing.pem"));
}

static void ca_bundle_from_profile(void **state)
{
    (void)state;
    char config[600];
    snprintf(config, sizeof(config), "[default]\nca_bundle = %s\n",
             path_in_tmp("none.pem"));
    write_file("config", config, 0600);
    setenv("AWS_CONFIG_FILE", path_in_tmp("config"), 1);
    struct aws_session s;
    char err[512];
    assert_int_equal(session(&s, NULL, NULL, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "config:2: ca_bundle"));
}

/* ---- readonly ---- */

struct outcome {
    int calls;
    struct api_error err;
};

static void record(const struct buf *body, const struct api_error *err,
                   void *ctx)
{
    (void)body;
    struct outcome *o = ctx;
    o->calls++;
    if (err)
        o->err = *err;
}

static void readonly_rejects_mutation(void **state)
{
    (void)state;
    setenv("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE", 1);
    setenv("AWS_SECRET_ACCESS_KEY", "secret", 1);
    struct http_client *http = http_client_new();
    struct aws_session s;
    char err[512];
    struct aws_session_options opt = {.region = "us-east-1", .readonly = 1};
    assert_int_equal(aws_session_init(&s, http, &opt, err, sizeof(err)), 0);
    const struct sigv4_pair params[] = {{"RoleName", "x"}};
    struct aws_call call = {
        .service = &aws_service_iam, .operation = "DeleteRole",
        .params = params, .param_count = 1, .mutating = 1,
    };
    struct outcome o = {0};
    assert_int_equal(aws_send(&s, &call, record, &o), -1);
    assert_int_equal(o.calls, 1);
    assert_string_equal(o.err.code, "ReadOnly");
    assert_non_null(strstr(o.err.message, "IAM DeleteRole"));
    assert_int_equal(http_pending(http), 0);
    aws_session_cleanup(&s);
    http_client_free(http);
}

static void no_credentials_before_request(void **state)
{
    (void)state;
    struct http_client *http = http_client_new();
    struct aws_session s;
    char err[512];
    struct aws_session_options opt = {.region = "us-east-1"};
    assert_int_equal(aws_session_init(&s, http, &opt, err, sizeof(err)), 0);
    struct aws_call call = {.service = &aws_service_sts,
                            .operation = "GetCallerIdentity"};
    struct outcome o = {0};
    assert_int_equal(aws_send(&s, &call, record, &o), -1);
    assert_string_equal(o.err.code, "NoCredentials");
    assert_non_null(strstr(o.err.message, "AWS_EC2_METADATA_DISABLED"));
    assert_int_equal(http_pending(http), 0);
    aws_session_cleanup(&s);
    http_client_free(http);
}

/* ---- the credential chain ---- */

static int resolve(const char *profile, struct aws_credentials *c, char *err,
                   size_t errlen)
{
    struct aws_session s;
    struct aws_session_options opt = {.profile = profile};
    if (aws_session_init(&s, NULL, &opt, err, errlen) < 0)
        return -1;
    int rc = aws_session_refresh_credentials(&s);
    snprintf(err, errlen, "%s", s.creds_error);
    *c = s.creds;
    memset(&s.creds, 0, sizeof(s.creds));
    aws_session_cleanup(&s);
    return rc;
}

static void write_process(const char *name, const char *body)
{
    char script[2048];
    snprintf(script, sizeof(script), "#!/bin/sh\n%s\n", body);
    write_file(name, script, 0700);
}

static void write_chain_files(void)
{
    char config[2048];
    write_process("proc.sh",
                  "echo '{\"Version\": 1, \"AccessKeyId\": \"AKIDPROC\", "
                  "\"SecretAccessKey\": \"s\", \"SessionToken\": \"t\", "
                  "\"Expiration\": \"2099-01-01T00:00:00Z\"}'");
    snprintf(config, sizeof(config),
             "[default]\n"
             "aws_access_key_id = AKIDCONFIG\n"
             "aws_secret_access_key = c\n"
             "credential_process = %s --flag 'with space'\n"
             "[profile keys-only]\n"
             "aws_access_key_id = AKIDCONFIGONLY\n"
             "aws_secret_access_key = c2\n",
             path_in_tmp("proc.sh"));
    write_file("config", config, 0600);
    write_file("credentials",
               "[default]\n"
               "aws_access_key_id = AKIDFILE\n"
               "aws_secret_access_key = f\n"
               "[keys-only]\n", 0600);
    setenv("AWS_CONFIG_FILE", path_in_tmp("config"), 1);
    setenv("AWS_SHARED_CREDENTIALS_FILE", path_in_tmp("credentials"), 1);
}

static void chain_environment_first(void **state)
{
    (void)state;
    write_chain_files();
    setenv("AWS_ACCESS_KEY_ID", "AKIDENV", 1);
    setenv("AWS_SECRET_ACCESS_KEY", "e", 1);
    setenv("AWS_SESSION_TOKEN", "tok", 1);
    struct aws_credentials c;
    char err[512];
    assert_int_equal(resolve(NULL, &c, err, sizeof(err)), 0);
    assert_string_equal(c.access_key_id, "AKIDENV");
    assert_string_equal(c.session_token, "tok");
    assert_string_equal(c.source, "environment");
    aws_credentials_free(&c);

    /* A profile chosen on the command line skips the environment. */
    assert_int_equal(resolve("default", &c, err, sizeof(err)), 0);
    assert_string_equal(c.access_key_id, "AKIDFILE");
    aws_credentials_free(&c);
}

static void chain_files_then_process(void **state)
{
    (void)state;
    write_chain_files();
    struct aws_credentials c;
    char err[512];
    assert_int_equal(resolve(NULL, &c, err, sizeof(err)), 0);
    assert_string_equal(c.access_key_id, "AKIDFILE");
    assert_string_equal(c.source, "profile default");
    assert_int_equal(c.expiration, 0);
    aws_credentials_free(&c);

    /* Without keys in the credentials file, credential_process is next. */
    write_file("credentials", "", 0600);
    assert_int_equal(resolve(NULL, &c, err, sizeof(err)), 0);
    assert_string_equal(c.access_key_id, "AKIDPROC");
    assert_string_equal(c.secret_access_key, "s");
    assert_string_equal(c.session_token, "t");
    assert_int_equal(c.expiration, 4070908800);
    assert_string_equal(c.source, "credential_process of profile default");
    aws_credentials_free(&c);

    /* Keys in the config file come last. */
    assert_int_equal(resolve("keys-only", &c, err, sizeof(err)), 0);
    assert_string_equal(c.access_key_id, "AKIDCONFIGONLY");
    aws_credentials_free(&c);
}

static void process_receives_quoted_words(void **state)
{
    (void)state;
    write_process("args.sh",
                  "[ \"$1\" = 'a b' ] && [ \"$2\" = \"it's\" ] && "
                  "[ $# -eq 2 ] || exit 9\n"
                  "printf '{\"Version\":1,\"AccessKeyId\":\"AKIDARGS\","
                  "\"SecretAccessKey\":\"x\"}'");
    char config[1024];
    snprintf(config, sizeof(config),
             "[default]\ncredential_process = %s \"a b\" it\\'s\n",
             path_in_tmp("args.sh"));
    write_file("config", config, 0600);
    setenv("AWS_CONFIG_FILE", path_in_tmp("config"), 1);
    struct aws_credentials c;
    char err[512];
    assert_int_equal(resolve(NULL, &c, err, sizeof(err)), 0);
    assert_string_equal(c.access_key_id, "AKIDARGS");
    aws_credentials_free(&c);
}

static void process_failure_reported(void **state)
{
    (void)state;
    write_process("fail.sh", "echo 'token expired, run login' >&2\nexit 3");
    char config[1024];
    snprintf(config, sizeof(config), "[default]\ncredential_process = %s\n",
             path_in_tmp("fail.sh"));
    write_file("config", config, 0600);
    setenv("AWS_CONFIG_FILE", path_in_tmp("config"), 1);
    struct aws_credentials c;
    char err[512];
    assert_int_equal(resolve(NULL, &c, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "credential_process for profile default "
                                "exited with status 3"));
    assert_non_null(strstr(err, "token expired, run login"));
    assert_non_null(strstr(err, path_in_tmp("fail.sh")));
    assert_null(c.access_key_id);
}

/* Credentials past their Expiration would only fail later with
 * InvalidClientTokenId; they are refused at resolution. */
static void process_expired_rejected(void **state)
{
    (void)state;
    write_process("old.sh",
                  "echo '{\"Version\": 1, \"AccessKeyId\": \"AKIDOLD\", "
                  "\"SecretAccessKey\": \"s\", \"SessionToken\": \"t\", "
                  "\"Expiration\": \"2020-01-02T03:04:05Z\"}'");
    char config[1024];
    snprintf(config, sizeof(config), "[profile old]\ncredential_process = "
             "%s\n", path_in_tmp("old.sh"));
    write_file("config", config, 0600);
    setenv("AWS_CONFIG_FILE", path_in_tmp("config"), 1);
    struct aws_credentials c;
    char err[512];
    assert_int_equal(resolve("old", &c, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "credential_process for profile old "
                                "returned credentials that expired at "
                                "2020-01-02T03:04:05Z"));
    assert_null(c.access_key_id);
}

/* A hung process is named with its profile, command and limit. */
static void process_timeout_named(void **state)
{
    (void)state;
    assert_int_equal(CREDS_PROCESS_TIMEOUT_MS, 15000);
    write_process("hang.sh", "sleep 30");
    char config[1024];
    snprintf(config, sizeof(config), "[default]\ncredential_process = "
             "%s --wait\n", path_in_tmp("hang.sh"));
    write_file("config", config, 0600);
    setenv("AWS_CONFIG_FILE", path_in_tmp("config"), 1);
    setenv(CREDS_PROCESS_TIMEOUT_ENV, "2000", 1);
    struct aws_credentials c;
    char err[512], expected[600];
    int rc = resolve(NULL, &c, err, sizeof(err));
    unsetenv(CREDS_PROCESS_TIMEOUT_ENV);
    assert_int_equal(rc, -1);
    snprintf(expected, sizeof(expected), "credential_process for profile "
             "default timed out after 2 s: %s --wait", path_in_tmp("hang.sh"));
    if (!strstr(err, expected))
        fail_msg("expected \"%s\" in \"%s\"", expected, err);
}

/* A failed resolution is remembered: the next call fails at once with
 * the same error instead of running the process again. */
static void process_failure_remembered(void **state)
{
    (void)state;
    char body[1024];
    snprintf(body, sizeof(body), "echo run >> %s\necho down >&2\nexit 1",
             path_in_tmp("runs"));
    write_process("down.sh", body);
    unlink(path_in_tmp("runs"));
    char config[1024];
    snprintf(config, sizeof(config), "[default]\ncredential_process = %s\n",
             path_in_tmp("down.sh"));
    write_file("config", config, 0600);
    setenv("AWS_CONFIG_FILE", path_in_tmp("config"), 1);
    struct aws_session s;
    struct aws_session_options opt = {0};
    char err[512];
    assert_int_equal(aws_session_init(&s, NULL, &opt, err, sizeof(err)), 0);
    for (int i = 0; i < 3; i++) {
        assert_int_equal(aws_session_refresh_credentials(&s), -1);
        assert_non_null(strstr(s.creds_error, "exited with status 1"));
    }
    aws_session_cleanup(&s);
    FILE *f = fopen(path_in_tmp("runs"), "r");
    assert_non_null(f);
    char line[16];
    int runs = 0;
    while (fgets(line, sizeof(line), f))
        runs++;
    fclose(f);
    assert_int_equal(runs, 1);
}

static void process_output_too_large(void **state)
{
    (void)state;
    write_process("flood.sh", "head -c 200000 /dev/zero | tr '\\0' a");
    char config[1024];
    snprintf(config, sizeof(config), "[default]\ncredential_process = %s\n",
             path_in_tmp("flood.sh"));
    write_file("config", config, 0600);
    setenv("AWS_CONFIG_FILE", path_in_tmp("config"), 1);
    struct aws_credentials c;
    char err[512];
    assert_int_equal(resolve(NULL, &c, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "wrote more output than allowed"));
    assert_null(c.access_key_id);
}

static void process_missing_program(void **state)
{
    (void)state;
    write_file("config", "[default]\ncredential_process = "
               "/nonexistent/helper --x\n", 0600);
    setenv("AWS_CONFIG_FILE", path_in_tmp("config"), 1);
    struct aws_credentials c;
    char err[512];
    assert_int_equal(resolve(NULL, &c, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "credential_process for profile default: "
                                "cannot run /nonexistent/helper"));
}

static void process_output_checked(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "{\"Version\":2,\"AccessKeyId\":\"a\",\"SecretAccessKey\":\"b\"}",
        "{\"Version\":1,\"AccessKeyId\":\"a\"}",
        "{\"Version\":1,\"AccessKeyId\":5,\"SecretAccessKey\":\"b\"}",
        "{\"Version\":1,\"AccessKeyId\":\"a\",\"SecretAccessKey\":\"b\","
        "\"Expiration\":\"tomorrow\"}",
        "not json", "[1]",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct aws_credentials c = {0};
        char err[256] = "";
        assert_int_equal(creds_parse_process_output(bad[i], strlen(bad[i]),
                                                    &c, err, sizeof(err)),
                         -1);
        assert_non_null(strstr(err, "credential_process output"));
        assert_null(c.access_key_id);
    }
}

static void chain_half_environment(void **state)
{
    (void)state;
    setenv("AWS_ACCESS_KEY_ID", "AKIDENV", 1);
    struct aws_credentials c;
    char err[512];
    assert_int_equal(resolve(NULL, &c, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "AWS_SECRET_ACCESS_KEY is not"));
}

static void chain_nothing_found(void **state)
{
    (void)state;
    struct aws_credentials c;
    char err[512];
    assert_int_equal(resolve(NULL, &c, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "no AWS credentials found"));
    assert_non_null(strstr(err, "AWS_EC2_METADATA_DISABLED"));
}

static void chain_assume_role_unsupported(void **state)
{
    (void)state;
    write_file("config", "[profile ops]\nrole_arn = arn:aws:iam::1:role/ops\n"
               "source_profile = default\n", 0600);
    write_file("credentials", "[default]\naws_access_key_id = AKIDFILE\n"
               "aws_secret_access_key = f\n", 0600);
    setenv("AWS_CONFIG_FILE", path_in_tmp("config"), 1);
    setenv("AWS_SHARED_CREDENTIALS_FILE", path_in_tmp("credentials"), 1);
    struct aws_credentials c;
    char err[512];
    assert_int_equal(resolve("ops", &c, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "assumes role arn:aws:iam::1:role/ops"));
}

static void chain_web_identity_needs_role(void **state)
{
    (void)state;
    write_file("token", "eyJ.token\n", 0600);
    setenv("AWS_WEB_IDENTITY_TOKEN_FILE", path_in_tmp("token"), 1);
    struct aws_credentials c;
    char err[512];
    assert_int_equal(resolve(NULL, &c, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "AWS_ROLE_ARN"));
}

static void sts_credentials_parsed(void **state)
{
    (void)state;
    static const char xml[] =
        "<AssumeRoleWithWebIdentityResponse xmlns=\"https://sts.amazonaws.com"
        "/doc/2011-06-15/\"><AssumeRoleWithWebIdentityResult><Credentials>"
        "<AccessKeyId>ASIAWEB</AccessKeyId><SecretAccessKey>sec"
        "</SecretAccessKey><SessionToken>tok</SessionToken>"
        "<Expiration>2030-01-01T00:00:00.000Z</Expiration></Credentials>"
        "</AssumeRoleWithWebIdentityResult>"
        "</AssumeRoleWithWebIdentityResponse>";
    struct aws_credentials c = {0};
    char err[256];
    assert_int_equal(creds_parse_sts_reply(xml, strlen(xml), &c, err,
                                           sizeof(err)), 0);
    assert_string_equal(c.access_key_id, "ASIAWEB");
    assert_string_equal(c.session_token, "tok");
    assert_int_equal(c.expiration, 1893456000);
    aws_credentials_free(&c);
    assert_int_equal(creds_parse_sts_reply(xml, 100, &c, err, sizeof(err)),
                     -1);
    assert_null(c.access_key_id);
}

static void command_split(void **state)
{
    (void)state;
    char **w = creds_split_command("  /bin/helper --a 'b c' \"d \\\"e\\\"\" "
                                   "f\\ g h''i ");
    assert_non_null(w);
    assert_string_equal(w[0], "/bin/helper");
    assert_string_equal(w[1], "--a");
    assert_string_equal(w[2], "b c");
    assert_string_equal(w[3], "d \"e\"");
    assert_string_equal(w[4], "f g");
    assert_string_equal(w[5], "hi");
    assert_null(w[6]);
    creds_free_words(w);
    assert_null(creds_split_command("helper 'open"));
    assert_null(creds_split_command("helper \"open"));
    assert_null(creds_split_command("   "));
}

static void rfc3339_times(void **state)
{
    (void)state;
    time_t t;
    assert_int_equal(creds_parse_time("2030-01-01T00:00:00Z", &t), 0);
    assert_int_equal(t, 1893456000);
    assert_int_equal(creds_parse_time("2030-01-01T02:00:00.5+02:00", &t), 0);
    assert_int_equal(t, 1893456000);
    assert_int_equal(creds_parse_time("2029-12-31T23:00:00-01:00", &t), 0);
    assert_int_equal(t, 1893456000);
    assert_int_equal(creds_parse_time("2030-01-01 00:00:00Z", &t), -1);
    assert_int_equal(creds_parse_time("2030-13-01T00:00:00Z", &t), -1);
    assert_int_equal(creds_parse_time("2030-01-01T00:00:00", &t), -1);
    assert_int_equal(creds_parse_time("", &t), -1);
}

#define T(name) cmocka_unit_test_setup_teardown(name, clean_env, remove_tmp)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(error_query_xml), T(error_ec2_xml), T(error_rest_json_header),
        T(error_json_type), T(error_rest_json_code_member),
        T(error_not_aws), T(error_truncated_xml), T(error_empty_body),
        T(error_huge_message), T(error_json_control_characters),
        T(error_dtd_rejected),
        T(error_json_wrong_types),
        T(sts_identity_parsed), T(sts_identity_missing_account),
        T(sts_identity_truncated),
        T(iam_roles_two_pages), T(iam_roles_truncated_without_marker),
        T(iam_roles_member_without_name), T(iam_roles_not_xml),
        T(iam_role_details_parsed),
        T(eks_cluster_parsed), T(eks_cluster_wrong_types),
        T(eks_cluster_truncated), T(eks_names_paged),
        T(eks_names_wrong_types), T(eks_cluster_huge_strings),
        T(ec2_regions_parsed), T(ec2_regions_malformed),
        T(region_order), T(region_none), T(profile_from_env),
        T(profile_missing), T(config_error_names_line), T(endpoint_order),
        T(endpoint_defaults), T(ca_bundle_loaded), T(ca_bundle_from_profile),
        T(readonly_rejects_mutation), T(no_credentials_before_request),
        T(chain_environment_first), T(chain_files_then_process),
        T(process_receives_quoted_words), T(process_failure_reported),
        T(process_expired_rejected), T(process_failure_remembered),
        T(process_timeout_named), T(process_output_too_large),
        T(process_missing_program), T(process_output_checked),
        T(chain_half_environment), T(chain_nothing_found),
        T(chain_assume_role_unsupported), T(chain_web_identity_needs_role),
        T(sts_credentials_parsed), T(command_split), T(rfc3339_times),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
