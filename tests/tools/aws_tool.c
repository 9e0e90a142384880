/*
 * aws_tool: runs one AWS operation of the API layer against the
 * environment (profile, region, endpoints, credentials as albatross
 * resolves them) and prints the result as JSON on stdout, for the
 * integration tests.
 *
 *   aws_tool [--profile NAME] [--region NAME] [--readonly] COMMAND
 *     identity            STS GetCallerIdentity
 *     regions             EC2 DescribeRegions
 *     clusters [REGION]…  EKS clusters (every region of the account
 *                         when none is given)
 *     roles               IAM ListRoles, all pages
 *     role NAME           IAM GetRole and its attached and inline policies
 *     credentials         the credential chain's source and key id
 *     stack-create NAME FILE [CAPABILITY...]
 *                         CloudFormation CreateStack of the template in
 *                         FILE
 *     stacks [NAME]       DescribeStacks, all pages
 *     stack-list [STATUS...]  ListStacks, all pages
 *     stack-events NAME   DescribeStackEvents, all pages
 *     stack-resources NAME  DescribeStackResources
 *     stack-template NAME GetTemplate
 *     stack-delete NAME   DeleteStack
 *
 * A failed operation prints {"error": {...}} and exits 1; a usage or
 * configuration error exits 2. AWS_TOOL_LOG names a log file.
 */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../api/aws.h"
#include "../../api/cfn.h"
#include "../../api/ec2.h"
#include "../../api/eks.h"
#include "../../api/iam.h"
#include "../../api/log.h"
#include "../../api/sts.h"

struct run {
    struct aws_session s;
    struct buf template;    /* stack-create's template body */
    struct http_client *http;
    int done;
    int failed;
    cJSON *out;
    const char *const *regions;
};

static void add_string(cJSON *obj, const char *name, const char *value)
{
    if (value)
        cJSON_AddStringToObject(obj, name, value);
    else
        cJSON_AddNullToObject(obj, name);
}

static void finish_error(struct run *r, const struct api_error *err)
{
    cJSON *e = cJSON_CreateObject();
    add_string(e, "code", err->code);
    add_string(e, "message", err->message);
    add_string(e, "request_id", err->request_id);
    cJSON_AddNumberToObject(e, "http_status", (double)err->http_status);
    cJSON_AddItemToObject(r->out, "error", e);
    r->failed = 1;
    r->done = 1;
}

static void on_identity(struct sts_identity *id, const struct api_error *err,
                        void *ctx)
{
    struct run *r = ctx;
    if (err) {
        finish_error(r, err);
        return;
    }
    add_string(r->out, "account", id->account);
    add_string(r->out, "arn", id->arn);
    add_string(r->out, "user_id", id->user_id);
    sts_identity_free(id);
    r->done = 1;
}

static void free_names(char **names, size_t count)
{
    for (size_t i = 0; i < count; i++)
        free(names[i]);
    free(names);
}

static void on_regions(char **names, size_t count,
                       const struct api_error *err, void *ctx)
{
    struct run *r = ctx;
    if (err) {
        finish_error(r, err);
        return;
    }
    cJSON *items = cJSON_AddArrayToObject(r->out, "regions");
    for (size_t i = 0; i < count; i++)
        cJSON_AddItemToArray(items, cJSON_CreateString(names[i]));
    free_names(names, count);
    r->done = 1;
}

static cJSON *cluster_json(const struct eks_cluster *c)
{
    cJSON *o = cJSON_CreateObject();
    add_string(o, "name", c->name);
    add_string(o, "region", c->region);
    add_string(o, "arn", c->arn);
    add_string(o, "status", c->status);
    add_string(o, "version", c->version);
    add_string(o, "endpoint", c->endpoint);
    add_string(o, "oidc_issuer", c->oidc_issuer);
    add_string(o, "created_at", c->created_at);
    add_string(o, "platform_version", c->platform_version);
    add_string(o, "role_arn", c->role_arn);
    add_string(o, "vpc_id", c->vpc_id);
    cJSON_AddBoolToObject(o, "has_ca_data", c->ca_data != NULL);
    return o;
}

static void on_clusters(struct eks_cluster_list *list,
                        const struct api_error *err, void *ctx)
{
    struct run *r = ctx;
    cJSON *items = cJSON_AddArrayToObject(r->out, "clusters");
    for (size_t i = 0; list && i < list->count; i++)
        cJSON_AddItemToArray(items, cluster_json(&list->items[i]));
    eks_cluster_list_free(list);
    if (err)
        finish_error(r, err);
    r->done = 1;
}

/* Regions first when none were given, as the EKS pane does. */
static void on_account_regions(char **names, size_t count,
                               const struct api_error *err, void *ctx)
{
    struct run *r = ctx;
    if (err) {
        finish_error(r, err);
        return;
    }
    char **regions = realloc(names, (count + 1) * sizeof(*names));
    if (!regions) {
        free_names(names, count);
        return;
    }
    regions[count] = NULL;
    eks_list_clusters(&r->s, (const char *const *)regions, on_clusters, r);
    free_names(regions, count);
}

static cJSON *role_json(const struct iam_role *role)
{
    cJSON *o = cJSON_CreateObject();
    add_string(o, "name", role->name);
    add_string(o, "arn", role->arn);
    add_string(o, "role_id", role->role_id);
    add_string(o, "path", role->path);
    add_string(o, "created", role->created);
    add_string(o, "description", role->description);
    add_string(o, "trust_policy", role->trust_policy);
    if (!role->details_loaded)
        return o;
    cJSON *attached = cJSON_AddArrayToObject(o, "attached");
    for (size_t i = 0; i < role->attached_count; i++) {
        cJSON *p = cJSON_CreateObject();
        add_string(p, "name", role->attached[i].name);
        add_string(p, "arn", role->attached[i].arn);
        cJSON_AddItemToArray(attached, p);
    }
    cJSON *inline_names = cJSON_AddArrayToObject(o, "inline");
    for (size_t i = 0; i < role->inline_count; i++)
        cJSON_AddItemToArray(inline_names,
                             cJSON_CreateString(role->inline_names[i]));
    return o;
}

static void on_roles(struct iam_role_list *list, const struct api_error *err,
                     void *ctx)
{
    struct run *r = ctx;
    if (err) {
        finish_error(r, err);
        return;
    }
    cJSON *items = cJSON_AddArrayToObject(r->out, "roles");
    for (size_t i = 0; i < list->count; i++)
        cJSON_AddItemToArray(items, role_json(&list->items[i]));
    iam_role_list_free(list);
    r->done = 1;
}

static void on_role(struct iam_role *role, const struct api_error *err,
                    void *ctx)
{
    struct run *r = ctx;
    if (err)
        finish_error(r, err);
    else
        cJSON_AddItemToObject(r->out, "role", role_json(role));
    r->done = 1;
}

/* ---- CloudFormation, with the aws CLI's member names ---- */

/* Takes the error, or returns 0 for the caller to go on. */
static int failed(struct run *r, const struct api_error *err)
{
    if (err)
        finish_error(r, err);
    return err != NULL;
}

static void on_stack_id(const char *id, const struct api_error *err,
                        void *ctx)
{
    struct run *r = ctx;
    if (!failed(r, err))
        add_string(r->out, "StackId", id);
    r->done = 1;
}

static void on_stack_deleted(const struct api_error *err, void *ctx)
{
    struct run *r = ctx;
    failed(r, err);
    r->done = 1;
}

static cJSON *stack_json(const struct cfn_stack_info *s)
{
    cJSON *o = cJSON_CreateObject();
    add_string(o, "StackId", s->id);
    add_string(o, "StackName", s->name);
    add_string(o, "StackStatus", s->status);
    add_string(o, "StackStatusReason", s->reason);
    add_string(o, "CreationTime", s->created);
    add_string(o, "DeletionTime", s->deleted);
    cJSON *outputs = cJSON_AddArrayToObject(o, "Outputs");
    for (size_t i = 0; i < s->output_count; i++) {
        cJSON *out = cJSON_CreateObject();
        add_string(out, "OutputKey", s->outputs[i].key);
        add_string(out, "OutputValue", s->outputs[i].value);
        add_string(out, "ExportName", s->outputs[i].export_name);
        cJSON_AddItemToArray(outputs, out);
    }
    cJSON *tags = cJSON_AddArrayToObject(o, "Tags");
    for (size_t i = 0; i < s->tag_count; i++) {
        cJSON *tag = cJSON_CreateObject();
        add_string(tag, "Key", s->tags[i].key);
        add_string(tag, "Value", s->tags[i].value);
        cJSON_AddItemToArray(tags, tag);
    }
    return o;
}

static void on_stacks(struct cfn_stack_list *list,
                      const struct api_error *err, void *ctx)
{
    struct run *r = ctx;
    r->done = 1;
    if (failed(r, err))
        return;
    cJSON *items = cJSON_AddArrayToObject(r->out, "Stacks");
    for (size_t i = 0; i < list->count; i++)
        cJSON_AddItemToArray(items, stack_json(&list->items[i]));
    cfn_stack_list_free(list);
}

static void on_stack_events(struct cfn_event_list *list,
                            const struct api_error *err, void *ctx)
{
    struct run *r = ctx;
    r->done = 1;
    if (failed(r, err))
        return;
    cJSON *items = cJSON_AddArrayToObject(r->out, "StackEvents");
    for (size_t i = 0; i < list->count; i++) {
        const struct cfn_stack_event *e = &list->items[i];
        cJSON *o = cJSON_CreateObject();
        add_string(o, "EventId", e->id);
        add_string(o, "LogicalResourceId", e->logical_id);
        add_string(o, "ResourceType", e->type);
        add_string(o, "ResourceStatus", e->status);
        add_string(o, "ResourceStatusReason", e->reason);
        add_string(o, "Timestamp", e->timestamp);
        cJSON_AddItemToArray(items, o);
    }
    cfn_event_list_free(list);
}

static void on_stack_resources(struct cfn_resource_list *list,
                               const struct api_error *err, void *ctx)
{
    struct run *r = ctx;
    r->done = 1;
    if (failed(r, err))
        return;
    cJSON *items = cJSON_AddArrayToObject(r->out, "StackResources");
    for (size_t i = 0; i < list->count; i++) {
        const struct cfn_stack_resource *res = &list->items[i];
        cJSON *o = cJSON_CreateObject();
        add_string(o, "LogicalResourceId", res->logical_id);
        add_string(o, "PhysicalResourceId", res->physical_id);
        add_string(o, "ResourceType", res->type);
        add_string(o, "ResourceStatus", res->status);
        add_string(o, "ResourceStatusReason", res->reason);
        cJSON_AddItemToArray(items, o);
    }
    cfn_resource_list_free(list);
}

static void on_template(const char *body, const struct api_error *err,
                        void *ctx)
{
    struct run *r = ctx;
    if (!failed(r, err))
        add_string(r->out, "TemplateBody", body);
    r->done = 1;
}

static int create_stack(struct run *r, int argc, char **argv)
{
    char why[256];
    if (buf_read_file(&r->template, argv[2], why, sizeof(why)) < 0) {
        fprintf(stderr, "aws_tool: %s\n", why);
        return -1;
    }
    const struct cfn_create_request req = {
        .name = argv[1], .template_body = r->template.data,
        .capabilities = (const char *const *)argv + 3,
        .capability_count = (size_t)argc - 3,
    };
    cfn_create_stack(&r->s, NULL, &req, on_stack_id, r);
    return 0;
}

/* The stack-* commands; 1 when cmd is none of them. */
static int start_stack(struct run *r, int argc, char **argv)
{
    const char *cmd = argv[0], *name = argc > 1 ? argv[1] : NULL;
    if (strcmp(cmd, "stack-create") == 0 && argc >= 3)
        return create_stack(r, argc, argv);
    if (strcmp(cmd, "stacks") == 0 && argc <= 2)
        cfn_describe_stacks(&r->s, NULL, name, on_stacks, r);
    else if (strcmp(cmd, "stack-list") == 0)
        cfn_list_stacks(&r->s, NULL, (const char *const *)argv + 1,
                        (size_t)argc - 1, on_stacks, r);
    else if (strcmp(cmd, "stack-events") == 0 && argc == 2)
        cfn_describe_stack_events(&r->s, NULL, name, on_stack_events, r);
    else if (strcmp(cmd, "stack-resources") == 0 && argc == 2)
        cfn_describe_stack_resources(&r->s, NULL, name, on_stack_resources,
                                     r);
    else if (strcmp(cmd, "stack-template") == 0 && argc == 2)
        cfn_get_template(&r->s, NULL, name, on_template, r);
    else if (strcmp(cmd, "stack-delete") == 0 && argc == 2)
        cfn_delete_stack(&r->s, NULL, name, on_stack_deleted, r);
    else
        return 1;
    return 0;
}

static int credentials(struct run *r)
{
    if (aws_session_refresh_credentials(&r->s) < 0) {
        struct api_error err = {0};
        api_error_set(&err, "NoCredentials", "%s", r->s.creds_error);
        finish_error(r, &err);
        return 0;
    }
    add_string(r->out, "source", r->s.creds.source);
    add_string(r->out, "access_key_id", r->s.creds.access_key_id);
    cJSON_AddBoolToObject(r->out, "session_token",
                          r->s.creds.session_token != NULL);
    cJSON_AddNumberToObject(r->out, "expiration",
                            (double)r->s.creds.expiration);
    r->done = 1;
    return 0;
}

static int start(struct run *r, int argc, char **argv, struct iam_role *role)
{
    const char *cmd = argv[0];
    if (strcmp(cmd, "identity") == 0)
        sts_get_caller_identity(&r->s, on_identity, r);
    else if (strcmp(cmd, "regions") == 0)
        ec2_describe_regions(&r->s, on_regions, r);
    else if (strcmp(cmd, "clusters") == 0 && argc > 1)
        eks_list_clusters(&r->s, (const char *const *)argv + 1, on_clusters,
                          r);
    else if (strcmp(cmd, "clusters") == 0)
        ec2_describe_regions(&r->s, on_account_regions, r);
    else if (strcmp(cmd, "roles") == 0)
        iam_list_roles(&r->s, on_roles, r);
    else if (strcmp(cmd, "role") == 0 && argc == 2) {
        role->name = strdup(argv[1]);
        iam_load_role_details(&r->s, role, on_role, r);
    } else if (strcmp(cmd, "credentials") == 0)
        return credentials(r);
    else if (strncmp(cmd, "stack", 5) == 0)
        return start_stack(r, argc, argv) == 1 ? -1 : 0;
    else
        return -1;
    return 0;
}

static void usage(void)
{
    fprintf(stderr, "usage: aws_tool [--profile NAME] [--region NAME] "
            "[--readonly] identity|regions|clusters [REGION...]|roles|"
            "role NAME|credentials|stack-create NAME FILE [CAPABILITY...]|"
            "stacks [NAME]|stack-list [STATUS...]|stack-events NAME|"
            "stack-resources NAME|stack-template NAME|stack-delete NAME\n");
}

int main(int argc, char **argv)
{
    struct aws_session_options opt = {0};
    int i = 1;
    for (; i < argc && strncmp(argv[i], "--", 2) == 0; i++) {
        if (strcmp(argv[i], "--readonly") == 0)
            opt.readonly = 1;
        else if (strcmp(argv[i], "--profile") == 0 && i + 1 < argc)
            opt.profile = argv[++i];
        else if (strcmp(argv[i], "--region") == 0 && i + 1 < argc)
            opt.region = argv[++i];
        else
            break;
    }
    if (i >= argc) {
        usage();
        return 2;
    }
    if (getenv("AWS_TOOL_LOG"))
        log_open(getenv("AWS_TOOL_LOG"), LOG_DEBUG);
    struct run r = {0};
    char err[1024];
    buf_init(&r.template, 0);
    r.http = http_client_new();
    if (aws_session_init(&r.s, r.http, &opt, err, sizeof(err)) < 0) {
        fprintf(stderr, "aws_tool: %s\n", err);
        http_client_free(r.http);
        return 2;
    }
    r.out = cJSON_CreateObject();
    struct iam_role role = {0};
    int rc = start(&r, argc - i, argv + i, &role);
    if (rc < 0)
        usage();
    while (rc == 0 && !r.done && http_pending(r.http) > 0)
        http_wait(r.http, NULL, NULL, 0, 1000);
    if (rc == 0) {
        char *text = cJSON_Print(r.out);
        printf("%s\n", text);
        free(text);
    }
    iam_role_cleanup(&role);
    buf_cleanup(&r.template);
    cJSON_Delete(r.out);
    aws_session_cleanup(&r.s);
    http_client_free(r.http);
    log_close();
    return rc < 0 ? 2 : r.failed ? 1 : 0;
}
