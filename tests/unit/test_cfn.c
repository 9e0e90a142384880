/*
 * The CloudFormation client without a network: each reply parser on
 * replies shaped as CloudFormation's (and the sandbox's), paging tokens,
 * replies missing what every item must carry, and the readonly session
 * refusing CreateStack and DeleteStack before anything is sent.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "../../api/cfn.h"

#define NS "xmlns=\"http://cloudformation.amazonaws.com/doc/2010-05-15/\""
#define META "<ResponseMetadata><RequestId>r1</RequestId></ResponseMetadata>"

static const char stacks[] =
    "<DescribeStacksResponse " NS "><DescribeStacksResult><Stacks><member>"
    "<StackId>arn:aws:cloudformation:us-east-2:111122223333:stack/"
    "eksctl-demo-cluster/1f2e</StackId>"
    "<StackName>eksctl-demo-cluster</StackName>"
    "<Description>EKS cluster</Description>"
    "<Parameters><member><ParameterKey>Cidr</ParameterKey>"
    "<ParameterValue>10.0.0.0/16</ParameterValue></member></Parameters>"
    "<CreationTime>2026-12-04T19:12:47.000Z</CreationTime>"
    "<StackStatus>ROLLBACK_COMPLETE</StackStatus>"
    "<StackStatusReason>The following resource(s) failed to create: [VPC]."
    " Rollback requested by user.</StackStatusReason>"
    "<Outputs><member><OutputKey>VPC</OutputKey><OutputValue>vpc-1"
    "</OutputValue><ExportName>demo::VPC</ExportName></member></Outputs>"
    "<Tags><member><Key>alpha.eksctl.io/cluster-name</Key><Value>demo"
    "</Value></member></Tags></member></Stacks>"
    "<NextToken>page2</NextToken></DescribeStacksResult>" META
    "</DescribeStacksResponse>";

static void stacks_parsed(void **state)
{
    (void)state;
    struct cfn_stack_list *list = calloc(1, sizeof(*list));
    struct api_error err = {0};
    char *token = NULL;
    assert_int_equal(cfn_parse_describe_stacks(stacks, strlen(stacks), list,
                                               &token, &err), 0);
    assert_string_equal(token, "page2");
    assert_int_equal(list->count, 1);
    const struct cfn_stack_info *s = &list->items[0];
    assert_string_equal(s->name, "eksctl-demo-cluster");
    assert_string_equal(s->status, "ROLLBACK_COMPLETE");
    assert_non_null(strstr(s->reason, "failed to create: [VPC]"));
    assert_string_equal(s->description, "EKS cluster");
    assert_null(s->deleted);
    assert_int_equal(s->parameter_count, 1);
    assert_string_equal(s->parameters[0].value, "10.0.0.0/16");
    assert_int_equal(s->output_count, 1);
    assert_string_equal(s->outputs[0].export_name, "demo::VPC");
    assert_null(s->outputs[0].description);
    assert_int_equal(s->tag_count, 1);
    assert_string_equal(s->tags[0].key, "alpha.eksctl.io/cluster-name");
    free(token);
    cfn_stack_list_free(list);
}

static const char summaries[] =
    "<ListStacksResponse " NS "><ListStacksResult><StackSummaries><member>"
    "<StackId>arn:1</StackId><StackName>gone</StackName>"
    "<TemplateDescription>old</TemplateDescription>"
    "<CreationTime>2026-12-04T19:00:00Z</CreationTime>"
    "<DeletionTime>2026-12-04T19:05:00Z</DeletionTime>"
    "<StackStatus>DELETE_COMPLETE</StackStatus></member></StackSummaries>"
    "</ListStacksResult>" META "</ListStacksResponse>";

static void summaries_parsed(void **state)
{
    (void)state;
    struct cfn_stack_list *list = calloc(1, sizeof(*list));
    struct api_error err = {0};
    char *token = NULL;
    assert_int_equal(cfn_parse_list_stacks(summaries, strlen(summaries),
                                           list, &token, &err), 0);
    assert_null(token);
    assert_int_equal(list->count, 1);
    assert_string_equal(list->items[0].description, "old");
    assert_string_equal(list->items[0].deleted, "2026-12-04T19:05:00Z");
    cfn_stack_list_free(list);
}

static const char events[] =
    "<DescribeStackEventsResponse " NS "><DescribeStackEventsResult>"
    "<StackEvents><member><StackId>arn:1</StackId><EventId>e2</EventId>"
    "<StackName>s</StackName><LogicalResourceId>VPC</LogicalResourceId>"
    "<PhysicalResourceId></PhysicalResourceId>"
    "<ResourceType>AWS::EC2::VPC</ResourceType>"
    "<Timestamp>2026-12-04T19:00:01.000Z</Timestamp>"
    "<ResourceStatus>CREATE_FAILED</ResourceStatus>"
    "<ResourceStatusReason>The maximum number of VPCs has been reached."
    "</ResourceStatusReason></member><member><StackId>arn:1</StackId>"
    "<EventId>e1</EventId><StackName>s</StackName>"
    "<LogicalResourceId>s</LogicalResourceId>"
    "<ResourceType>AWS::CloudFormation::Stack</ResourceType>"
    "<Timestamp>2026-12-04T19:00:00.000Z</Timestamp>"
    "<ResourceStatus>CREATE_IN_PROGRESS</ResourceStatus></member>"
    "</StackEvents><NextToken>t2</NextToken></DescribeStackEventsResult>"
    META "</DescribeStackEventsResponse>";

static void events_parsed_newest_first(void **state)
{
    (void)state;
    struct cfn_event_list *list = calloc(1, sizeof(*list));
    struct api_error err = {0};
    char *token = NULL;
    assert_int_equal(cfn_parse_stack_events(events, strlen(events), list,
                                            &token, &err), 0);
    assert_string_equal(token, "t2");
    assert_int_equal(list->count, 2);
    assert_string_equal(list->items[0].id, "e2");
    assert_string_equal(list->items[0].status, "CREATE_FAILED");
    assert_string_equal(list->items[0].physical_id, "");
    assert_non_null(strstr(list->items[0].reason, "maximum number of VPCs"));
    assert_string_equal(list->items[1].type, "AWS::CloudFormation::Stack");
    assert_null(list->items[1].reason);
    free(token);
    cfn_event_list_free(list);
}

static const char resources[] =
    "<DescribeStackResourcesResponse " NS "><DescribeStackResourcesResult>"
    "<StackResources><member><StackName>s</StackName>"
    "<LogicalResourceId>VPC</LogicalResourceId>"
    "<PhysicalResourceId>vpc-1</PhysicalResourceId>"
    "<ResourceType>AWS::EC2::VPC</ResourceType>"
    "<Timestamp>2026-12-04T19:00:01.000Z</Timestamp>"
    "<ResourceStatus>DELETE_FAILED</ResourceStatus>"
    "<ResourceStatusReason>The vpc 'vpc-1' has dependencies and cannot be "
    "deleted.</ResourceStatusReason></member></StackResources>"
    "</DescribeStackResourcesResult>" META
    "</DescribeStackResourcesResponse>";

static void resources_parsed(void **state)
{
    (void)state;
    struct cfn_resource_list *list = calloc(1, sizeof(*list));
    struct api_error err = {0};
    assert_int_equal(cfn_parse_stack_resources(resources, strlen(resources),
                                               list, &err), 0);
    assert_int_equal(list->count, 1);
    assert_string_equal(list->items[0].physical_id, "vpc-1");
    assert_string_equal(list->items[0].status, "DELETE_FAILED");
    assert_non_null(strstr(list->items[0].reason, "has dependencies"));
    cfn_resource_list_free(list);
}

static void create_and_template_parsed(void **state)
{
    (void)state;
    static const char created[] =
        "<CreateStackResponse " NS "><CreateStackResult><StackId>arn:aws:"
        "cloudformation:us-east-2:1:stack/s/u</StackId></CreateStackResult>"
        META "</CreateStackResponse>";
    static const char template[] =
        "<GetTemplateResponse " NS "><GetTemplateResult><TemplateBody>"
        "{\"Resources\": {}}</TemplateBody><StagesAvailable><member>Original"
        "</member></StagesAvailable></GetTemplateResult>" META
        "</GetTemplateResponse>";
    struct api_error err = {0};
    char *out = NULL;
    assert_int_equal(cfn_parse_create_stack(created, strlen(created), &out,
                                            &err), 0);
    assert_string_equal(out, "arn:aws:cloudformation:us-east-2:1:stack/s/u");
    free(out);
    assert_int_equal(cfn_parse_template(template, strlen(template), &out,
                                        &err), 0);
    assert_string_equal(out, "{\"Resources\": {}}");
    free(out);
}

static void incomplete_replies_rejected(void **state)
{
    (void)state;
    static const char nameless[] =
        "<DescribeStacksResponse " NS "><DescribeStacksResult><Stacks>"
        "<member><StackStatus>CREATE_COMPLETE</StackStatus><CreationTime>t"
        "</CreationTime></member></Stacks></DescribeStacksResult>"
        "</DescribeStacksResponse>";
    static const char no_list[] =
        "<DescribeStackEventsResponse " NS "><DescribeStackEventsResult/>"
        "</DescribeStackEventsResponse>";
    static const char no_id[] =
        "<CreateStackResponse " NS "><CreateStackResult><StackId>"
        "</StackId></CreateStackResult></CreateStackResponse>";
    struct cfn_stack_list *stack_list = calloc(1, sizeof(*stack_list));
    struct cfn_event_list *event_list = calloc(1, sizeof(*event_list));
    struct api_error err = {0};
    char *token = NULL, *id = NULL;
    assert_int_equal(cfn_parse_describe_stacks(nameless, strlen(nameless),
                                               stack_list, &token, &err), -1);
    assert_string_equal(err.code, "InvalidReply");
    assert_non_null(strstr(err.message, "CloudFormation DescribeStacks"));
    assert_int_equal(cfn_parse_stack_events(no_list, strlen(no_list),
                                            event_list, &token, &err), -1);
    assert_non_null(strstr(err.message, "no StackEvents"));
    assert_int_equal(cfn_parse_create_stack(no_id, strlen(no_id), &id, &err),
                     -1);
    assert_null(id);
    assert_int_equal(cfn_parse_template("<not xml", 8, &id, &err), -1);
    assert_string_equal(err.code, "InvalidReply");
    cfn_stack_list_free(stack_list);
    cfn_event_list_free(event_list);
}

/* ---- readonly ---- */

struct outcome {
    int calls;
    struct api_error err;
};

static void on_id(const char *id, const struct api_error *err, void *ctx)
{
    struct outcome *o = ctx;
    assert_null(id);
    o->calls++;
    if (err)
        o->err = *err;
}

static void on_done(const struct api_error *err, void *ctx)
{
    on_id(NULL, err, ctx);
}

static void readonly_rejects_create_and_delete(void **state)
{
    (void)state;
    setenv("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE", 1);
    setenv("AWS_SECRET_ACCESS_KEY", "secret", 1);
    struct http_client *http = http_client_new();
    struct aws_session s;
    char why[512];
    struct aws_session_options opt = {.region = "us-east-2", .readonly = 1};
    assert_int_equal(aws_session_init(&s, http, &opt, why, sizeof(why)), 0);
    const struct cfn_pair tag = {"team", "web"};
    const char *const caps[] = {"CAPABILITY_IAM"};
    const struct cfn_create_request req = {
        .name = "s", .template_body = "{}", .tags = &tag, .tag_count = 1,
        .capabilities = caps, .capability_count = 1,
    };
    struct outcome created = {0}, deleted = {0};
    assert_int_equal(cfn_create_stack(&s, NULL, &req, on_id, &created), -1);
    assert_int_equal(created.calls, 1);
    assert_string_equal(created.err.code, "ReadOnly");
    assert_non_null(strstr(created.err.message, "CreateStack"));
    assert_int_equal(cfn_delete_stack(&s, NULL, "s", on_done, &deleted), -1);
    assert_int_equal(deleted.calls, 1);
    assert_string_equal(deleted.err.code, "ReadOnly");
    assert_non_null(strstr(deleted.err.message, "DeleteStack"));
    assert_int_equal(http_pending(http), 0);
    aws_session_cleanup(&s);
    http_client_free(http);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(stacks_parsed),
        cmocka_unit_test(summaries_parsed),
        cmocka_unit_test(events_parsed_newest_first),
        cmocka_unit_test(resources_parsed),
        cmocka_unit_test(create_and_template_parsed),
        cmocka_unit_test(incomplete_replies_rejected),
        cmocka_unit_test(readonly_rejects_create_and_delete),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
