/*
 * Parsing the replies behind the ingress drill-down without a network:
 * ELBv2 (every operation, paging markers, hostile and malformed XML),
 * EC2 subnets, security groups and VPCs, ACM certificates and WAFv2 web
 * ACLs.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../api/acm.h"
#include "../../api/ec2.h"
#include "../../api/elbv2.h"
#include "../../api/wafv2.h"

#define NS "xmlns=\"http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/\""

static int parse(enum elbv2_op op, const char *xml, struct elbv2_result *r,
                 char **marker, struct api_error *err)
{
    return elbv2_parse_reply(op, xml, strlen(xml), r, marker, err);
}

static const char load_balancers[] =
    "<DescribeLoadBalancersResponse " NS "><DescribeLoadBalancersResult>"
    "<NextMarker>page2</NextMarker><LoadBalancers><member>"
    "<LoadBalancerArn>arn:aws:elasticloadbalancing:us-east-2:111122223333:"
    "loadbalancer/app/k8s-web-web-f3d768fb87/50dc6c495c0c9188"
    "</LoadBalancerArn><DNSName>k8s-web-web.us-east-2.elb.amazonaws.com"
    "</DNSName><LoadBalancerName>k8s-web-web-f3d768fb87</LoadBalancerName>"
    "<Scheme>internet-facing</Scheme><VpcId>vpc-1</VpcId>"
    "<State><Code>failed</Code><Reason>capacity</Reason></State>"
    "<Type>application</Type><IpAddressType>ipv4</IpAddressType>"
    "<AvailabilityZones><member><ZoneName>us-east-2a</ZoneName>"
    "<SubnetId>subnet-a</SubnetId></member><member>"
    "<ZoneName>us-east-2b</ZoneName><SubnetId>subnet-b</SubnetId></member>"
    "</AvailabilityZones><SecurityGroups><member>sg-1</member>"
    "</SecurityGroups></member>"
    "<member><DNSName>no-arn.example</DNSName></member>"
    "</LoadBalancers></DescribeLoadBalancersResult>"
    "<ResponseMetadata><RequestId>r1</RequestId></ResponseMetadata>"
    "</DescribeLoadBalancersResponse>";

static void elbv2_load_balancers_parsed(void **state)
{
    (void)state;
    struct elbv2_result r = {0};
    struct api_error err = {0};
    char *marker = NULL;
    assert_int_equal(parse(ELBV2_DESCRIBE_LOAD_BALANCERS, load_balancers, &r,
                           &marker, &err), 0);
    assert_string_equal(marker, "page2");
    assert_int_equal(r.load_balancer_count, 1);   /* the one without ARN */
    const struct elbv2_load_balancer *lb = &r.load_balancers[0];
    assert_string_equal(lb->name, "k8s-web-web-f3d768fb87");
    assert_string_equal(lb->scheme, "internet-facing");
    assert_string_equal(lb->state, "failed");
    assert_string_equal(lb->state_reason, "capacity");
    assert_int_equal(lb->zone_count, 2);
    assert_string_equal(lb->zones[1].zone, "us-east-2b");
    assert_string_equal(lb->zones[1].subnet_id, "subnet-b");
    assert_int_equal(lb->security_group_count, 1);
    assert_string_equal(lb->security_groups[0], "sg-1");
    free(marker);

    /* A second page appends. */
    assert_int_equal(parse(ELBV2_DESCRIBE_LOAD_BALANCERS, load_balancers, &r,
                           &marker, &err), 0);
    assert_int_equal(r.load_balancer_count, 2);
    free(marker);
    struct elbv2_result *heap = malloc(sizeof(*heap));
    *heap = r;
    elbv2_result_free(heap);
}

static void elbv2_listeners_and_rules_parsed(void **state)
{
    (void)state;
    static const char listeners[] =
        "<DescribeListenersResponse " NS "><DescribeListenersResult>"
        "<Listeners><member><ListenerArn>arn:l1</ListenerArn>"
        "<LoadBalancerArn>arn:lb</LoadBalancerArn><Port>443</Port>"
        "<Protocol>HTTPS</Protocol><SslPolicy>ELBSecurityPolicy-2016-08"
        "</SslPolicy><Certificates><member><CertificateArn>arn:aws:acm:"
        "us-east-2:1:certificate/abc</CertificateArn></member>"
        "</Certificates><DefaultActions><member><Type>fixed-response</Type>"
        "<FixedResponseConfig><StatusCode>404</StatusCode><ContentType>"
        "text/plain</ContentType></FixedResponseConfig></member>"
        "</DefaultActions></member></Listeners>"
        "</DescribeListenersResult></DescribeListenersResponse>";
    static const char rules[] =
        "<DescribeRulesResponse " NS "><DescribeRulesResult><Rules>"
        "<member><RuleArn>arn:r1</RuleArn><Priority>1</Priority>"
        "<IsDefault>false</IsDefault><Conditions><member>"
        "<Field>host-header</Field><HostHeaderConfig><Values>"
        "<member>a.example.com</member><member>b.example.com</member>"
        "</Values></HostHeaderConfig></member><member>"
        "<Field>http-header</Field><HttpHeaderConfig><HttpHeaderName>"
        "X-Env</HttpHeaderName><Values><member>prod</member></Values>"
        "</HttpHeaderConfig></member><member><Field>query-string</Field>"
        "<QueryStringConfig><Values><member><Key>v</Key><Value>2</Value>"
        "</member></Values></QueryStringConfig></member>"
        "<member><Field>path-pattern</Field><Values><member>/api"
        "</member></Values></member></Conditions>"
        "<Actions><member><Type>forward</Type><TargetGroupArn>arn:tg1"
        "</TargetGroupArn><ForwardConfig><TargetGroups><member>"
        "<TargetGroupArn>arn:tg1</TargetGroupArn><Weight>1</Weight>"
        "</member></TargetGroups></ForwardConfig></member></Actions>"
        "</member><member><RuleArn>arn:r2</RuleArn><Priority>default"
        "</Priority><IsDefault>true</IsDefault><Actions><member>"
        "<Type>redirect</Type><RedirectConfig><Protocol>HTTPS</Protocol>"
        "<Port>443</Port><StatusCode>HTTP_301</StatusCode>"
        "</RedirectConfig></member></Actions></member></Rules>"
        "</DescribeRulesResult></DescribeRulesResponse>";
    struct elbv2_result *r = calloc(1, sizeof(*r));
    struct api_error err = {0};
    char *marker = NULL;
    assert_int_equal(parse(ELBV2_DESCRIBE_LISTENERS, listeners, r, &marker,
                           &err), 0);
    assert_null(marker);
    assert_int_equal(r->listener_count, 1);
    assert_int_equal(r->listeners[0].port, 443);
    assert_string_equal(r->listeners[0].ssl_policy,
                        "ELBSecurityPolicy-2016-08");
    assert_int_equal(r->listeners[0].certificate_count, 1);
    assert_true(r->listeners[0].certificates[0].is_default);
    assert_string_equal(r->listeners[0].default_actions[0].fixed_status,
                        "404");

    assert_int_equal(parse(ELBV2_DESCRIBE_RULES, rules, r, &marker, &err), 0);
    assert_int_equal(r->rule_count, 2);
    const struct elbv2_rule *rule = &r->rules[0];
    assert_int_equal(rule->condition_count, 4);
    assert_int_equal(rule->conditions[0].value_count, 2);
    assert_string_equal(rule->conditions[0].values[1], "b.example.com");
    assert_string_equal(rule->conditions[1].values[0], "X-Env: prod");
    assert_string_equal(rule->conditions[2].values[0], "v=2");
    assert_string_equal(rule->conditions[3].values[0], "/api");
    assert_string_equal(rule->actions[0].forwards[0].target_group_arn,
                        "arn:tg1");
    assert_int_equal(rule->actions[0].forwards[0].weight, 1);
    assert_true(r->rules[1].is_default);
    assert_string_equal(r->rules[1].actions[0].redirect_status, "HTTP_301");
    elbv2_result_free(r);
}

static void elbv2_target_groups_health_tags_parsed(void **state)
{
    (void)state;
    static const char groups[] =
        "<DescribeTargetGroupsResponse " NS "><DescribeTargetGroupsResult>"
        "<TargetGroups><member><TargetGroupArn>arn:tg1</TargetGroupArn>"
        "<TargetGroupName>k8s-web-web-0123</TargetGroupName><Protocol>HTTP"
        "</Protocol><Port>8080</Port><VpcId>vpc-1</VpcId><TargetType>ip"
        "</TargetType><HealthCheckEnabled>true</HealthCheckEnabled>"
        "<HealthCheckPath>/healthz</HealthCheckPath><HealthCheckPort>"
        "traffic-port</HealthCheckPort><HealthCheckIntervalSeconds>15"
        "</HealthCheckIntervalSeconds><HealthyThresholdCount>2"
        "</HealthyThresholdCount><UnhealthyThresholdCount>x"
        "</UnhealthyThresholdCount><Matcher><HttpCode>200</HttpCode>"
        "</Matcher><LoadBalancerArns><member>arn:lb</member>"
        "</LoadBalancerArns></member></TargetGroups><NextMarker></NextMarker>"
        "</DescribeTargetGroupsResult></DescribeTargetGroupsResponse>";
    static const char health[] =
        "<DescribeTargetHealthResponse " NS "><DescribeTargetHealthResult>"
        "<TargetHealthDescriptions><member><Target><Id>10.0.1.5</Id>"
        "<Port>8080</Port><AvailabilityZone>us-east-2a</AvailabilityZone>"
        "</Target><TargetHealth><State>unhealthy</State><Reason>"
        "Target.ResponseCodeMismatch</Reason><Description>Health checks "
        "failed with these codes: [503]</Description></TargetHealth>"
        "</member><member><Target><Port>1</Port></Target></member>"
        "</TargetHealthDescriptions></DescribeTargetHealthResult>"
        "</DescribeTargetHealthResponse>";
    static const char tags[] =
        "<DescribeTagsResponse " NS "><DescribeTagsResult><TagDescriptions>"
        "<member><ResourceArn>arn:lb</ResourceArn><Tags><member>"
        "<Key>elbv2.k8s.aws/cluster</Key><Value>shop</Value></member>"
        "<member><Key>empty</Key></member><member><Value>no key</Value>"
        "</member></Tags></member></TagDescriptions></DescribeTagsResult>"
        "</DescribeTagsResponse>";
    struct elbv2_result *r = calloc(1, sizeof(*r));
    struct api_error err = {0};
    char *marker = NULL;
    assert_int_equal(parse(ELBV2_DESCRIBE_TARGET_GROUPS, groups, r, &marker,
                           &err), 0);
    assert_null(marker);        /* an empty NextMarker ends the listing */
    const struct elbv2_target_group *tg = &r->target_groups[0];
    assert_string_equal(tg->target_type, "ip");
    assert_int_equal(tg->port, 8080);
    assert_true(tg->health_check_enabled);
    assert_string_equal(tg->matcher, "200");
    assert_int_equal(tg->interval_seconds, 15);
    assert_int_equal(tg->unhealthy_threshold, 0);  /* not a number */
    assert_string_equal(tg->load_balancer_arns[0], "arn:lb");

    assert_int_equal(parse(ELBV2_DESCRIBE_TARGET_HEALTH, health, r, &marker,
                           &err), 0);
    assert_int_equal(r->target_count, 1);          /* one without an Id */
    assert_string_equal(r->targets[0].reason, "Target.ResponseCodeMismatch");
    assert_string_equal(r->targets[0].zone, "us-east-2a");

    assert_int_equal(parse(ELBV2_DESCRIBE_TAGS, tags, r, &marker, &err), 0);
    assert_int_equal(r->tag_set_count, 1);
    assert_int_equal(r->tag_sets[0].tag_count, 2);
    assert_string_equal(r->tag_sets[0].tags[0].value, "shop");
    assert_null(r->tag_sets[0].tags[1].value);
    elbv2_result_free(r);
}

static void elbv2_hostile_replies_rejected(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "",
        "not xml at all",
        "<DescribeLoadBalancersResponse><Other/></DescribeLoadBalancersResponse>",
        "<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY a \"aaaa\">]>"
        "<DescribeLoadBalancersResponse><DescribeLoadBalancersResult>&a;"
        "</DescribeLoadBalancersResult></DescribeLoadBalancersResponse>",
        "<DescribeLoadBalancersResponse><DescribeLoadBalancersResult>"
        "<LoadBalancers><member><LoadBalancerArn>x",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct elbv2_result r = {0};
        struct api_error err = {0};
        char *marker = (char *)"unchanged";
        assert_int_equal(parse(ELBV2_DESCRIBE_LOAD_BALANCERS, bad[i], &r,
                               &marker, &err), -1);
        assert_string_equal(err.code, "InvalidReply");
        assert_null(marker);
        assert_int_equal(r.load_balancer_count, 0);
    }
}

static void elbv2_op_names_match_aws(void **state)
{
    (void)state;
    assert_string_equal(elbv2_op_name(ELBV2_DESCRIBE_TAGS), "DescribeTags");
    assert_string_equal(elbv2_op_name(ELBV2_DESCRIBE_LOAD_BALANCER_ATTRIBUTES),
                        "DescribeLoadBalancerAttributes");
}

static void elbv2_attributes_parsed(void **state)
{
    (void)state;
    static const char xml[] =
        "<DescribeLoadBalancerAttributesResponse " NS ">"
        "<DescribeLoadBalancerAttributesResult><Attributes><member>"
        "<Key>idle_timeout.timeout_seconds</Key><Value>60</Value></member>"
        "</Attributes></DescribeLoadBalancerAttributesResult>"
        "</DescribeLoadBalancerAttributesResponse>";
    struct elbv2_result *r = calloc(1, sizeof(*r));
    struct api_error err = {0};
    char *marker = NULL;
    assert_int_equal(parse(ELBV2_DESCRIBE_LOAD_BALANCER_ATTRIBUTES, xml, r,
                           &marker, &err), 0);
    assert_int_equal(r->attribute_count, 1);
    assert_string_equal(r->attributes[0].key, "idle_timeout.timeout_seconds");
    assert_string_equal(r->attributes[0].value, "60");
    elbv2_result_free(r);
}

/* ---- EC2 ---- */

static void ec2_subnets_parsed(void **state)
{
    (void)state;
    static const char xml[] =
        "<DescribeSubnetsResponse xmlns=\"http://ec2.amazonaws.com/doc/"
        "2016-11-15/\"><requestId>r</requestId><subnetSet><item>"
        "<subnetId>subnet-a</subnetId><vpcId>vpc-1</vpcId>"
        "<availabilityZone>us-east-2a</availabilityZone><cidrBlock>"
        "192.168.0.0/19</cidrBlock><availableIpAddressCount>8187"
        "</availableIpAddressCount><tagSet><item><key>Name</key><value>"
        "public-a</value></item><item><key>kubernetes.io/role/elb</key>"
        "<value>1</value></item></tagSet></item><item><vpcId>vpc-1"
        "</vpcId></item></subnetSet><nextToken>t2</nextToken>"
        "</DescribeSubnetsResponse>";
    struct ec2_network *n = calloc(1, sizeof(*n));
    struct api_error err = {0};
    char *token = NULL;
    assert_int_equal(ec2_parse_network(EC2_DESCRIBE_SUBNETS, xml, strlen(xml),
                                       n, &token, &err), 0);
    assert_string_equal(token, "t2");
    assert_int_equal(n->subnet_count, 1);
    assert_string_equal(n->subnets[0].zone, "us-east-2a");
    assert_string_equal(n->subnets[0].name, "public-a");
    assert_int_equal(n->subnets[0].available_ips, 8187);
    assert_int_equal(n->subnets[0].tag_count, 2);
    free(token);
    ec2_network_free(n);
}

static void ec2_groups_and_vpcs_parsed(void **state)
{
    (void)state;
    static const char groups[] =
        "<DescribeSecurityGroupsResponse><securityGroupInfo><item>"
        "<groupId>sg-1</groupId><groupName>k8s-web</groupName>"
        "<groupDescription>[k8s] Managed SecurityGroup</groupDescription>"
        "<vpcId>vpc-1</vpcId></item></securityGroupInfo>"
        "</DescribeSecurityGroupsResponse>";
    static const char vpcs[] =
        "<DescribeVpcsResponse><vpcSet><item><vpcId>vpc-1</vpcId>"
        "<cidrBlock>192.168.0.0/16</cidrBlock><state>available</state>"
        "<isDefault>true</isDefault></item></vpcSet></DescribeVpcsResponse>";
    struct ec2_network *n = calloc(1, sizeof(*n));
    struct api_error err = {0};
    char *token = NULL;
    assert_int_equal(ec2_parse_network(EC2_DESCRIBE_SECURITY_GROUPS, groups,
                                       strlen(groups), n, &token, &err), 0);
    assert_null(token);
    assert_string_equal(n->security_groups[0].name, "k8s-web");
    assert_int_equal(ec2_parse_network(EC2_DESCRIBE_VPCS, vpcs, strlen(vpcs),
                                       n, &token, &err), 0);
    assert_true(n->vpcs[0].is_default);
    assert_string_equal(n->vpcs[0].cidr, "192.168.0.0/16");
    /* The wrong set for the operation is an invalid reply. */
    assert_int_equal(ec2_parse_network(EC2_DESCRIBE_SUBNETS, vpcs,
                                       strlen(vpcs), n, &token, &err), -1);
    assert_string_equal(err.code, "InvalidReply");
    ec2_network_free(n);
}

/* ---- ACM and WAFv2 ---- */

static void acm_certificate_parsed(void **state)
{
    (void)state;
    static const char json[] =
        "{\"Certificate\":{\"CertificateArn\":\"arn:aws:acm:eu-west-1:"
        "111122223333:certificate/0a1b\",\"DomainName\":\"shop.example.com\","
        "\"Status\":\"PENDING_VALIDATION\",\"Type\":\"AMAZON_ISSUED\","
        "\"NotAfter\":1767225600.0,\"InUseBy\":[\"arn:lb\"]}}";
    struct api_error err = {0};
    struct acm_certificate *c = acm_parse_certificate(json, strlen(json),
                                                      &err);
    assert_non_null(c);
    assert_string_equal(c->region, "eu-west-1");
    assert_string_equal(c->domain, "shop.example.com");
    assert_string_equal(c->status, "PENDING_VALIDATION");
    assert_int_equal(c->not_after, 1767225600);
    assert_int_equal(c->in_use_count, 1);
    acm_certificate_free(c);

    assert_null(acm_parse_certificate("{\"Certificate\":{}}", 18, &err));
    assert_string_equal(err.code, "InvalidReply");
    assert_null(acm_parse_certificate("[1,2", 4, &err));
}

static void acm_arn_region_read(void **state)
{
    (void)state;
    char *r = acm_arn_region("arn:aws:acm:us-west-2:1:certificate/x");
    assert_string_equal(r, "us-west-2");
    free(r);
    assert_null(acm_arn_region("arn:aws:iam::1:role/x"));
    assert_null(acm_arn_region("arn:aws:acm::1:certificate/x"));
    assert_null(acm_arn_region(NULL));
}

static void wafv2_web_acl_parsed(void **state)
{
    (void)state;
    static const char json[] =
        "{\"WebACL\":{\"ARN\":\"arn:aws:wafv2:us-east-2:1:regional/webacl/"
        "shop/1\",\"Name\":\"shop\",\"Id\":\"1\"}}";
    struct api_error err = {0};
    struct wafv2_web_acl *acl = wafv2_parse_web_acl(json, strlen(json), &err);
    assert_non_null(acl);
    assert_string_equal(acl->name, "shop");
    wafv2_web_acl_free(acl);
    acl = wafv2_parse_web_acl("{}", 2, &err);   /* no web ACL associated */
    assert_non_null(acl);
    assert_null(acl->arn);
    wafv2_web_acl_free(acl);
    assert_null(wafv2_parse_web_acl("{\"WebACL\":{\"Name\":1}}", 21, &err));
    assert_null(wafv2_parse_web_acl("null", 4, &err));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(elbv2_load_balancers_parsed),
        cmocka_unit_test(elbv2_listeners_and_rules_parsed),
        cmocka_unit_test(elbv2_target_groups_health_tags_parsed),
        cmocka_unit_test(elbv2_hostile_replies_rejected),
        cmocka_unit_test(elbv2_op_names_match_aws),
        cmocka_unit_test(elbv2_attributes_parsed),
        cmocka_unit_test(ec2_subnets_parsed),
        cmocka_unit_test(ec2_groups_and_vpcs_parsed),
        cmocka_unit_test(acm_certificate_parsed),
        cmocka_unit_test(acm_arn_region_read),
        cmocka_unit_test(wafv2_web_acl_parsed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
