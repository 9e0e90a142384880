/*
 * CloudFormation (query protocol, 2010-05-15): CreateStack, DescribeStacks,
 * DescribeStackEvents, DescribeStackResources, ListStacks, DeleteStack
 * and GetTemplate over the stacks of cfn.h, paged with NextToken.
 *
 * Limits: JSON templates only, given as TemplateBody; no updates, change
 * sets or stack policies; OnFailure and DisableRollback are not read
 * (a failure always rolls back).
 */
#include "aws_services.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfn.h"
#include "wfile.h"
#include "world_net.h"

#define PAGE_SIZE 100
#define TEMPLATE_BODY_MAX 51200     /* CloudFormation's TemplateBody quota */
#define VALIDATION "ValidationError"

static void not_found(struct awsreply *r, const char *name)
{
    awsreply_error(r, 400, VALIDATION, "Stack with id %s does not exist",
                   name);
}

/* The stack the StackName parameter names, or NULL after replying. */
static struct cfn_stack *named_stack(struct awsreply *r)
{
    const char *name = awsreply_param(r, "StackName");
    if (!name || !*name) {
        awsreply_error(r, 400, VALIDATION, "1 validation error detected: "
                       "Value null at 'stackName' failed to satisfy "
                       "constraint: Member must not be null");
        return NULL;
    }
    struct cfn_stack *s = cfn_find(r->world, r->region, name);
    if (!s)
        not_found(r, name);
    return s;
}

/* Where NextToken says a page starts; -1 after replying. */
static int page_start(struct awsreply *r, size_t count, size_t *start)
{
    const char *token = awsreply_param(r, "NextToken");
    *start = 0;
    if (!token)
        return 0;
    char *position = awsreply_marker_decode(token);
    char *end = NULL;
    unsigned long v = position ? strtoul(position, &end, 10) : 0;
    int ok = position && !*end && v <= count;
    free(position);
    if (!ok) {
        awsreply_error(r, 400, VALIDATION, "Invalid NextToken: pass the "
                       "NextToken of the previous page unchanged");
        return -1;
    }
    *start = v;
    return 0;
}

static int next_token(struct awsreply *r, size_t next, size_t count)
{
    if (next >= count)
        return 0;
    char position[32];
    snprintf(position, sizeof(position), "%zu", next);
    char *token = awsreply_marker_encode(position);
    int rc = token ? awsreply_xml_text(r, "NextToken", token) : -1;
    free(token);
    return rc;
}

static int write_time(struct awsreply *r, const char *name,
                      const struct cfn_stack *s, double clock)
{
    char text[32];
    cfn_format_time(s, clock, text);
    return awsreply_xml_text(r, name, text);
}

static int write_pairs(struct awsreply *r, const char *list,
                       const struct world_kv_list *kv, const char *key,
                       const char *value)
{
    int rc = awsreply_xml_open(r, list);
    for (size_t i = 0; i < kv->count; i++) {
        rc |= awsreply_xml_open(r, "member");
        rc |= awsreply_xml_text(r, key, kv->items[i].key);
        rc |= awsreply_xml_text(r, value, kv->items[i].value);
        rc |= awsreply_xml_close(r);
    }
    return rc | awsreply_xml_close(r);
}

/* An output value; lists go out comma-joined. */
static int write_output_value(struct awsreply *r, const cJSON *v)
{
    if (cJSON_IsString(v))
        return awsreply_xml_text(r, "OutputValue", v->valuestring);
    char *text = NULL;
    if (cJSON_IsArray(v)) {
        text = cJSON_PrintUnformatted(v);
        size_t n = text ? strlen(text) : 0;
        for (size_t i = 0, j = 0; text && i < n; i++)
            if (text[i] != '[' && text[i] != ']' && text[i] != '"')
                text[j++] = text[i], text[j] = '\0';
    } else {
        text = cJSON_PrintUnformatted(v);
    }
    int rc = awsreply_xml_text(r, "OutputValue", text ? text : "");
    free(text);
    return rc;
}

static int write_outputs(struct awsreply *r, const struct cfn_stack *s)
{
    const cJSON *o;
    int rc = awsreply_xml_open(r, "Outputs");
    cJSON_ArrayForEach(o, s->outputs) {
        rc |= awsreply_xml_open(r, "member");
        rc |= awsreply_xml_text(r, "OutputKey", cJSON_GetStringValue(
            cJSON_GetObjectItemCaseSensitive(o, "OutputKey")));
        rc |= write_output_value(r, cJSON_GetObjectItemCaseSensitive(
                                        o, "OutputValue"));
        rc |= awsreply_xml_text(r, "Description", cJSON_GetStringValue(
            cJSON_GetObjectItemCaseSensitive(o, "Description")));
        rc |= awsreply_xml_text(r, "ExportName", cJSON_GetStringValue(
            cJSON_GetObjectItemCaseSensitive(o, "ExportName")));
        rc |= awsreply_xml_close(r);
    }
    return rc | awsreply_xml_close(r);
}

static const char *description(const struct cfn_stack *s)
{
    return cJSON_GetStringValue(
        cJSON_GetObjectItemCaseSensitive(s->template, "Description"));
}

static int write_drift(struct awsreply *r, const char *element,
                       const char *status_name)
{
    return awsreply_xml_open(r, element) |
           awsreply_xml_text(r, status_name, "NOT_CHECKED") |
           awsreply_xml_close(r);
}

static int write_stack(struct awsreply *r, const struct cfn_stack *s)
{
    int rc = awsreply_xml_open(r, "member");
    rc |= awsreply_xml_text(r, "StackId", s->id);
    rc |= awsreply_xml_text(r, "StackName", s->name);
    rc |= awsreply_xml_text(r, "Description", description(s));
    rc |= write_pairs(r, "Parameters", &s->params, "ParameterKey",
                      "ParameterValue");
    rc |= write_time(r, "CreationTime", s, s->created_clock);
    if (s->deleted_clock > 0)
        rc |= write_time(r, "DeletionTime", s, s->deleted_clock);
    rc |= awsreply_xml_text(r, "StackStatus", s->status);
    rc |= awsreply_xml_text(r, "StackStatusReason", s->reason);
    rc |= awsreply_xml_text(r, "DisableRollback", "false");
    rc |= awsreply_xml_open(r, "NotificationARNs") | awsreply_xml_close(r);
    rc |= awsreply_xml_open(r, "Capabilities");
    for (size_t i = 0; i < s->capability_count; i++)
        rc |= awsreply_xml_text(r, "member", s->capabilities[i]);
    rc |= awsreply_xml_close(r);
    if (s->outputs)
        rc |= write_outputs(r, s);
    rc |= write_pairs(r, "Tags", &s->tags, "Key", "Value");
    rc |= awsreply_xml_text(r, "EnableTerminationProtection", "false");
    rc |= write_drift(r, "DriftInformation", "StackDriftStatus");
    return rc | awsreply_xml_close(r);
}

/* ---- CreateStack -------------------------------------------------------- */

static int valid_stack_name(const char *name)
{
    size_t n = strlen(name);
    if (n == 0 || n > 128 || !((name[0] >= 'a' && name[0] <= 'z') ||
                               (name[0] >= 'A' && name[0] <= 'Z')))
        return 0;
    return strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                        "0123456789-") == n;
}

/* Reads LIST.member.N.KEY / VALUE pairs into out. */
static int read_pairs(struct awsreply *r, const char *list, const char *key,
                      const char *value, struct world_kv_list *out)
{
    for (int i = 1;; i++) {
        char k[96], v[96];
        snprintf(k, sizeof(k), "%s.member.%d.%s", list, i, key);
        snprintf(v, sizeof(v), "%s.member.%d.%s", list, i, value);
        const char *kp = awsreply_param(r, k), *vp = awsreply_param(r, v);
        if (!kp)
            return 0;
        if (world_kv_add(out, kp, vp ? vp : "") < 0)
            return -1;
    }
}

static int read_capabilities(struct awsreply *r, struct cfn_stack *s)
{
    for (int i = 1;; i++) {
        char k[64];
        snprintf(k, sizeof(k), "Capabilities.member.%d", i);
        const char *c = awsreply_param(r, k);
        if (!c)
            return 0;
        if (strcmp(c, "CAPABILITY_IAM") != 0 &&
            strcmp(c, "CAPABILITY_NAMED_IAM") != 0 &&
            strcmp(c, "CAPABILITY_AUTO_EXPAND") != 0) {
            awsreply_error(r, 400, VALIDATION, "1 validation error detected: "
                           "Value '[%s]' at 'capabilities' failed to satisfy "
                           "constraint: Member must satisfy constraint: "
                           "[Member must satisfy enum value set: "
                           "[CAPABILITY_AUTO_EXPAND, CAPABILITY_NAMED_IAM, "
                           "CAPABILITY_IAM]]", c);
            return -1;
        }
        char **grown = realloc(s->capabilities, (s->capability_count + 1) *
                                                sizeof(*grown));
        if (!grown || !(grown[s->capability_count] = strdup(c))) {
            s->capabilities = grown ? grown : s->capabilities;
            awsreply_error(r, 500, "InternalFailure", "out of memory");
            return -1;
        }
        s->capabilities = grown;
        s->capability_count++;
    }
}

static int check_create(struct awsreply *r, const char *name,
                        const char *body)
{
    if (!name || !valid_stack_name(name)) {
        awsreply_error(r, 400, VALIDATION, "1 validation error detected: "
                       "Value '%s' at 'stackName' failed to satisfy "
                       "constraint: Member must satisfy regular expression "
                       "pattern: [a-zA-Z][-a-zA-Z0-9]*", name ? name : "");
        return -1;
    }
    if (!body) {
        awsreply_error(r, 400, VALIDATION, "%s", awsreply_param(r,
                       "TemplateURL") ? "albatross-sandbox takes templates "
                       "as TemplateBody only; send the template itself"
                       : "Either Template URL or Template Body must be "
                         "specified.");
        return -1;
    }
    if (strlen(body) > TEMPLATE_BODY_MAX) {
        awsreply_error(r, 400, VALIDATION, "1 validation error detected: "
                       "Value at 'templateBody' failed to satisfy "
                       "constraint: Member must have length less than or "
                       "equal to %d", TEMPLATE_BODY_MAX);
        return -1;
    }
    if (cfn_find(r->world, r->region, name)) {
        awsreply_error(r, 400, "AlreadyExistsException", "Stack [%s] already "
                       "exists", name);
        return -1;
    }
    return 0;
}

static struct cfn_stack *new_stack(struct awsreply *r, const char *name,
                                   const char *body)
{
    struct cfn_stack *s = calloc(1, sizeof(*s));
    struct cfn_world *cw = cfn_world(r->world);
    char *seed = wfile_printf("%s/%s/%zu", r->region, name,
                              cw ? cw->count : 0);
    char *uuid = seed ? wfile_uuid(seed) : NULL;
    if (s) {
        s->name = strdup(name);
        s->region = strdup(r->region);
        s->body = strdup(body);
        s->id = uuid ? wfile_printf("arn:aws:cloudformation:%s:%s:stack/%s/"
                                    "%s", r->region, r->world->account_id,
                                    name, uuid) : NULL;
    }
    free(seed);
    free(uuid);
    if (!s || !s->name || !s->region || !s->body || !s->id) {
        cfn_free_stack(s);
        awsreply_error(r, 500, "InternalFailure", "out of memory");
        return NULL;
    }
    return s;
}

static void create_stack(struct awsreply *r)
{
    const char *name = awsreply_param(r, "StackName");
    const char *body = awsreply_param(r, "TemplateBody");
    struct world_kv_list given = {0};
    char msg[1024];
    if (check_create(r, name, body) < 0)
        return;
    struct cfn_stack *s = new_stack(r, name, body);
    if (!s)
        return;
    const char *code = NULL;
    if (read_pairs(r, "Parameters", "ParameterKey", "ParameterValue",
                   &given) < 0 ||
        read_pairs(r, "Tags", "Key", "Value", &s->tags) < 0) {
        code = "InternalFailure";
        snprintf(msg, sizeof(msg), "out of memory");
    }
    if (!code && read_capabilities(r, s) < 0) {
        wfile_kv_free(&given);
        cfn_free_stack(s);
        return;
    }
    if (!code)
        code = cfn_template_load(r->world, s, &given, msg, sizeof(msg));
    wfile_kv_free(&given);
    if (code || cfn_start_create(r->world, s) < 0) {
        awsreply_error(r, code && strcmp(code, "InternalFailure") != 0 ? 400
                                                                        : 500,
                       code ? code : "InternalFailure", "%s",
                       code ? msg : "out of memory");
        cfn_free_stack(s);
        return;
    }
    if (awsreply_xml_begin(r) == 0 &&
        awsreply_xml_text(r, "StackId", s->id) == 0)
        awsreply_xml_end(r);
}

/* ---- reading stacks ----------------------------------------------------- */

static void describe_stacks(struct awsreply *r)
{
    const char *name = awsreply_param(r, "StackName");
    struct cfn_world *cw = cfn_world(r->world);
    struct cfn_stack *one = NULL;
    size_t start = 0, count = cw ? cw->count : 0;
    if (name && !(one = named_stack(r)))
        return;
    if (!one && page_start(r, count, &start) < 0)
        return;
    int rc = awsreply_xml_begin(r) | awsreply_xml_open(r, "Stacks");
    size_t i = start, shown = 0;
    for (; !one && i < count && shown < PAGE_SIZE; i++) {
        const struct cfn_stack *s = cw->stacks[count - 1 - i];
        if (cfn_is_live(s) && strcmp(s->region, r->region) == 0) {
            rc |= write_stack(r, s);
            shown++;
        }
    }
    if (one)
        rc |= write_stack(r, one);
    rc |= awsreply_xml_close(r);
    if (!one)
        rc |= next_token(r, i, count);
    if (rc == 0)
        awsreply_xml_end(r);
}

static int write_event(struct awsreply *r, const struct cfn_stack *s,
                       const struct cfn_event *e)
{
    int rc = awsreply_xml_open(r, "member");
    rc |= awsreply_xml_text(r, "StackId", s->id);
    rc |= awsreply_xml_text(r, "EventId", e->id);
    rc |= awsreply_xml_text(r, "StackName", s->name);
    rc |= awsreply_xml_text(r, "LogicalResourceId", e->logical_id);
    rc |= awsreply_xml_text(r, "PhysicalResourceId",
                            e->physical_id ? e->physical_id : "");
    rc |= awsreply_xml_text(r, "ResourceType", e->type);
    rc |= write_time(r, "Timestamp", s, e->clock);
    rc |= awsreply_xml_text(r, "ResourceStatus", e->status);
    rc |= awsreply_xml_text(r, "ResourceStatusReason", e->reason);
    return rc | awsreply_xml_close(r);
}

static void describe_stack_events(struct awsreply *r)
{
    const struct cfn_stack *s = named_stack(r);
    size_t start;
    if (!s || page_start(r, s->event_count, &start) < 0)
        return;
    int rc = awsreply_xml_begin(r) | awsreply_xml_open(r, "StackEvents");
    size_t i = start;
    for (; i < s->event_count && i < start + PAGE_SIZE; i++)
        rc |= write_event(r, s, &s->events[s->event_count - 1 - i]);
    rc |= awsreply_xml_close(r) | next_token(r, i, s->event_count);
    if (rc == 0)
        awsreply_xml_end(r);
}

static int write_resource(struct awsreply *r, const struct cfn_stack *s,
                          const struct cfn_resource *res)
{
    int rc = awsreply_xml_open(r, "member");
    rc |= awsreply_xml_text(r, "StackName", s->name);
    rc |= awsreply_xml_text(r, "StackId", s->id);
    rc |= awsreply_xml_text(r, "LogicalResourceId", res->logical_id);
    rc |= awsreply_xml_text(r, "PhysicalResourceId",
                            res->physical_id ? res->physical_id : "");
    rc |= awsreply_xml_text(r, "ResourceType", res->type);
    rc |= write_time(r, "Timestamp", s, res->updated);
    rc |= awsreply_xml_text(r, "ResourceStatus", cfn_resource_status(res));
    rc |= awsreply_xml_text(r, "ResourceStatusReason", res->reason);
    rc |= write_drift(r, "DriftInformation", "StackResourceDriftStatus");
    return rc | awsreply_xml_close(r);
}

static void describe_stack_resources(struct awsreply *r)
{
    if (!awsreply_param(r, "StackName")) {
        /* TODO: look stacks up by PhysicalResourceId. */
        awsreply_error(r, 400, VALIDATION, "StackName must be specified; "
                       "albatross-sandbox does not look stacks up by "
                       "PhysicalResourceId");
        return;
    }
    const struct cfn_stack *s = named_stack(r);
    const char *logical = awsreply_param(r, "LogicalResourceId");
    if (!s)
        return;
    int rc = awsreply_xml_begin(r) | awsreply_xml_open(r, "StackResources");
    for (size_t i = 0; i < s->resource_count; i++) {
        const struct cfn_resource *res = &s->resources[i];
        if (cfn_resource_status(res) &&
            (!logical || strcmp(logical, res->logical_id) == 0))
            rc |= write_resource(r, s, res);
    }
    rc |= awsreply_xml_close(r);
    if (rc == 0)
        awsreply_xml_end(r);
}

/* Whether StackStatusFilter (if given) lists status. */
static int status_wanted(struct awsreply *r, const char *status)
{
    int filtered = 0;
    for (int i = 1;; i++) {
        char k[64];
        snprintf(k, sizeof(k), "StackStatusFilter.member.%d", i);
        const char *want = awsreply_param(r, k);
        if (!want)
            return !filtered;
        filtered = 1;
        if (strcmp(want, status) == 0)
            return 1;
    }
}

static int write_summary(struct awsreply *r, const struct cfn_stack *s)
{
    int rc = awsreply_xml_open(r, "member");
    rc |= awsreply_xml_text(r, "StackId", s->id);
    rc |= awsreply_xml_text(r, "StackName", s->name);
    rc |= awsreply_xml_text(r, "TemplateDescription", description(s));
    rc |= write_time(r, "CreationTime", s, s->created_clock);
    if (s->deleted_clock > 0)
        rc |= write_time(r, "DeletionTime", s, s->deleted_clock);
    rc |= awsreply_xml_text(r, "StackStatus", s->status);
    rc |= awsreply_xml_text(r, "StackStatusReason", s->reason);
    rc |= write_drift(r, "DriftInformation", "StackDriftStatus");
    return rc | awsreply_xml_close(r);
}

static void list_stacks(struct awsreply *r)
{
    struct cfn_world *cw = cfn_world(r->world);
    size_t start, count = cw ? cw->count : 0;
    if (page_start(r, count, &start) < 0)
        return;
    int rc = awsreply_xml_begin(r) | awsreply_xml_open(r, "StackSummaries");
    size_t i = start, shown = 0;
    for (; i < count && shown < PAGE_SIZE; i++) {
        const struct cfn_stack *s = cw->stacks[count - 1 - i];
        if (strcmp(s->region, r->region) == 0 &&
            status_wanted(r, s->status)) {
            rc |= write_summary(r, s);
            shown++;
        }
    }
    rc |= awsreply_xml_close(r) | next_token(r, i, count);
    if (rc == 0)
        awsreply_xml_end(r);
}

static void get_template(struct awsreply *r)
{
    const struct cfn_stack *s = named_stack(r);
    if (!s)
        return;
    int rc = awsreply_xml_begin(r);
    rc |= awsreply_xml_text(r, "TemplateBody", s->body);
    rc |= awsreply_xml_open(r, "StagesAvailable");
    rc |= awsreply_xml_text(r, "member", "Original");
    rc |= awsreply_xml_text(r, "member", "Processed");
    rc |= awsreply_xml_close(r);
    if (rc == 0)
        awsreply_xml_end(r);
}

/* ---- DeleteStack -------------------------------------------------------- */

static void delete_stack(struct awsreply *r)
{
    const char *name = awsreply_param(r, "StackName");
    if (!name || !*name) {
        named_stack(r);
        return;
    }
    /* Deleting a stack that is gone, or going, succeeds and does
     * nothing, as in CloudFormation. */
    struct cfn_stack *s = cfn_find(r->world, r->region, name);
    if (s && cfn_is_live(s) && strcmp(s->status, "DELETE_IN_PROGRESS") != 0)
        cfn_start_delete(r->world, s);
    if (awsreply_xml_begin(r) == 0)
        awsreply_xml_end(r);
}

void aws_cfn_serve(struct awsreply *r)
{
    static const struct {
        const char *action;
        void (*serve)(struct awsreply *r);
    } actions[] = {
        {"CreateStack", create_stack},
        {"DescribeStacks", describe_stacks},
        {"DescribeStackEvents", describe_stack_events},
        {"DescribeStackResources", describe_stack_resources},
        {"ListStacks", list_stacks},
        {"DeleteStack", delete_stack},
        {"GetTemplate", get_template},
    };
    for (size_t i = 0; i < sizeof(actions) / sizeof(actions[0]); i++)
        if (strcmp(r->action, actions[i].action) == 0) {
            actions[i].serve(r);
            return;
        }
    awsreply_error(r, 400, "InvalidAction", "Could not find operation %s for "
                   "version 2010-05-15", r->action);
}
