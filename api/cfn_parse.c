/*
 * Parsers of CloudFormation's XML replies. Every item must carry the
 * members CloudFormation always sends, such as a stack's name, status and
 * creation time. A reply without them is rejected as a whole, so that
 * nothing shows it half-read.
 */
#include "cfn.h"

#include <stdlib.h>
#include <string.h>

#include "awsxml.h"

#define MAX_ITEMS 100000    /* in one list, across its pages */

static void free_pairs(struct cfn_pair *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(p[i].key);
        free(p[i].value);
    }
    free(p);
}

static void free_stack(struct cfn_stack_info *s)
{
    char *fields[] = {s->id, s->name, s->status, s->reason, s->description,
                      s->created, s->deleted};
    for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
        free(fields[i]);
    free_pairs(s->parameters, s->parameter_count);
    free_pairs(s->tags, s->tag_count);
    for (size_t i = 0; i < s->output_count; i++) {
        free(s->outputs[i].key);
        free(s->outputs[i].value);
        free(s->outputs[i].description);
        free(s->outputs[i].export_name);
    }
    free(s->outputs);
}

void cfn_stack_list_free(struct cfn_stack_list *l)
{
    if (!l)
        return;
    for (size_t i = 0; i < l->count; i++)
        free_stack(&l->items[i]);
    free(l->items);
    free(l);
}

static void free_event(struct cfn_stack_event *e)
{
    char *fields[] = {e->id, e->logical_id, e->physical_id, e->type,
                      e->status, e->reason, e->timestamp};
    for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
        free(fields[i]);
}

void cfn_event_list_free(struct cfn_event_list *l)
{
    if (!l)
        return;
    for (size_t i = 0; i < l->count; i++)
        free_event(&l->items[i]);
    free(l->items);
    free(l);
}

static void free_resource(struct cfn_stack_resource *r)
{
    char *fields[] = {r->logical_id, r->physical_id, r->type, r->status,
                      r->reason, r->timestamp};
    for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
        free(fields[i]);
}

void cfn_resource_list_free(struct cfn_resource_list *l)
{
    if (!l)
        return;
    for (size_t i = 0; i < l->count; i++)
        free_resource(&l->items[i]);
    free(l->items);
    free(l);
}

/* Grows *items (count elements of size bytes) by one zeroed element. */
static void *append(void *items, size_t *count, size_t size)
{
    char **p = items;
    if (*count >= MAX_ITEMS)
        return NULL;
    char *grown = realloc(*p, (*count + 1) * size);
    if (!grown)
        return NULL;
    memset(grown + *count * size, 0, size);
    *p = grown;
    return grown + (*count)++ * size;
}

/* Reads <list><member><KEY/><VALUE/></member>...</list>. */
static int read_pairs(const xmlNode *parent, const char *list,
                      const char *key, const char *value,
                      struct cfn_pair **out, size_t *count)
{
    for (xmlNode *m = awsxml_child(awsxml_child(parent, list), "member"); m;
         m = awsxml_next(m)) {
        struct cfn_pair *p = append(out, count, sizeof(*p));
        if (!p)
            return -1;
        p->key = awsxml_child_text(m, key);
        p->value = awsxml_child_text(m, value);
        if (!p->key)
            return -1;
    }
    return 0;
}

static int read_outputs(const xmlNode *stack, struct cfn_stack_info *s)
{
    for (xmlNode *m = awsxml_child(awsxml_child(stack, "Outputs"), "member");
         m; m = awsxml_next(m)) {
        struct cfn_output *o = append(&s->outputs, &s->output_count,
                                      sizeof(*o));
        if (!o)
            return -1;
        o->key = awsxml_child_text(m, "OutputKey");
        o->value = awsxml_child_text(m, "OutputValue");
        o->description = awsxml_child_text(m, "Description");
        o->export_name = awsxml_child_text(m, "ExportName");
        if (!o->key)
            return -1;
    }
    return 0;
}

static int read_stack(const xmlNode *m, struct cfn_stack_info *s)
{
    s->id = awsxml_child_text(m, "StackId");
    s->name = awsxml_child_text(m, "StackName");
    s->status = awsxml_child_text(m, "StackStatus");
    s->reason = awsxml_child_text(m, "StackStatusReason");
    s->description = awsxml_child_text(m, "Description");
    if (!s->description)
        s->description = awsxml_child_text(m, "TemplateDescription");
    s->created = awsxml_child_text(m, "CreationTime");
    s->deleted = awsxml_child_text(m, "DeletionTime");
    if (!s->name || !*s->name || !s->status || !*s->status || !s->created)
        return -1;
    return read_pairs(m, "Parameters", "ParameterKey", "ParameterValue",
                      &s->parameters, &s->parameter_count) < 0 ||
           read_pairs(m, "Tags", "Key", "Value", &s->tags,
                      &s->tag_count) < 0 ||
           read_outputs(m, s) < 0 ? -1 : 0;
}

/* The ACTIONResult element of a reply, or NULL. */
static xmlNode *result_of(xmlDoc *doc, const char *action)
{
    char name[64];
    snprintf(name, sizeof(name), "%sResult", action);
    return awsxml_find(xmlDocGetRootElement(doc), name);
}

static char *token_of(const xmlNode *result)
{
    char *token = awsxml_child_text(result, "NextToken");
    if (token && !*token) {
        free(token);
        token = NULL;
    }
    return token;
}

static int parse_stacks(const char *xml, size_t len, const char *action,
                        const char *list_name, struct cfn_stack_list *list,
                        char **next_token, struct api_error *err)
{
    char what[64];
    snprintf(what, sizeof(what), "CloudFormation %s", action);
    *next_token = NULL;
    xmlDoc *doc = awsxml_parse(xml, len, what, err);
    if (!doc)
        return -1;
    xmlNode *result = result_of(doc, action);
    xmlNode *items = awsxml_child(result, list_name);
    int rc = items ? 0 : -1;
    for (xmlNode *m = awsxml_child(items, "member"); m && rc == 0;
         m = awsxml_next(m)) {
        struct cfn_stack_info *s = append(&list->items, &list->count,
                                          sizeof(*s));
        rc = s ? read_stack(m, s) : -1;
    }
    if (rc == 0)
        *next_token = token_of(result);
    xmlFreeDoc(doc);
    if (rc < 0)
        api_error_set(err, "InvalidReply", "%s reply has no %s list, or a "
                      "stack without StackName, StackStatus or "
                      "CreationTime", what, list_name);
    return rc;
}

int cfn_parse_describe_stacks(const char *xml, size_t len,
                              struct cfn_stack_list *list, char **next_token,
                              struct api_error *err)
{
    return parse_stacks(xml, len, "DescribeStacks", "Stacks", list,
                        next_token, err);
}

int cfn_parse_list_stacks(const char *xml, size_t len,
                          struct cfn_stack_list *list, char **next_token,
                          struct api_error *err)
{
    return parse_stacks(xml, len, "ListStacks", "StackSummaries", list,
                        next_token, err);
}

static int read_event(const xmlNode *m, struct cfn_stack_event *e)
{
    e->id = awsxml_child_text(m, "EventId");
    e->logical_id = awsxml_child_text(m, "LogicalResourceId");
    e->physical_id = awsxml_child_text(m, "PhysicalResourceId");
    e->type = awsxml_child_text(m, "ResourceType");
    e->status = awsxml_child_text(m, "ResourceStatus");
    e->reason = awsxml_child_text(m, "ResourceStatusReason");
    e->timestamp = awsxml_child_text(m, "Timestamp");
    return e->id && *e->id && e->logical_id && e->status && *e->status &&
           e->timestamp ? 0 : -1;
}

int cfn_parse_stack_events(const char *xml, size_t len,
                           struct cfn_event_list *list, char **next_token,
                           struct api_error *err)
{
    static const char what[] = "CloudFormation DescribeStackEvents";
    *next_token = NULL;
    xmlDoc *doc = awsxml_parse(xml, len, what, err);
    if (!doc)
        return -1;
    xmlNode *result = result_of(doc, "DescribeStackEvents");
    xmlNode *items = awsxml_child(result, "StackEvents");
    int rc = items ? 0 : -1;
    for (xmlNode *m = awsxml_child(items, "member"); m && rc == 0;
         m = awsxml_next(m)) {
        struct cfn_stack_event *e = append(&list->items, &list->count,
                                           sizeof(*e));
        rc = e ? read_event(m, e) : -1;
    }
    if (rc == 0)
        *next_token = token_of(result);
    xmlFreeDoc(doc);
    if (rc < 0)
        api_error_set(err, "InvalidReply", "%s reply has no StackEvents "
                      "list, or an event without EventId, LogicalResourceId, "
                      "ResourceStatus or Timestamp", what);
    return rc;
}

static int read_resource(const xmlNode *m, struct cfn_stack_resource *r)
{
    r->logical_id = awsxml_child_text(m, "LogicalResourceId");
    r->physical_id = awsxml_child_text(m, "PhysicalResourceId");
    r->type = awsxml_child_text(m, "ResourceType");
    r->status = awsxml_child_text(m, "ResourceStatus");
    r->reason = awsxml_child_text(m, "ResourceStatusReason");
    r->timestamp = awsxml_child_text(m, "Timestamp");
    return r->logical_id && *r->logical_id && r->type && r->status &&
           *r->status && r->timestamp ? 0 : -1;
}

int cfn_parse_stack_resources(const char *xml, size_t len,
                              struct cfn_resource_list *list,
                              struct api_error *err)
{
    static const char what[] = "CloudFormation DescribeStackResources";
    xmlDoc *doc = awsxml_parse(xml, len, what, err);
    if (!doc)
        return -1;
    xmlNode *items = awsxml_child(result_of(doc, "DescribeStackResources"),
                                  "StackResources");
    int rc = items ? 0 : -1;
    for (xmlNode *m = awsxml_child(items, "member"); m && rc == 0;
         m = awsxml_next(m)) {
        struct cfn_stack_resource *r = append(&list->items, &list->count,
                                              sizeof(*r));
        rc = r ? read_resource(m, r) : -1;
    }
    xmlFreeDoc(doc);
    if (rc < 0)
        api_error_set(err, "InvalidReply", "%s reply has no StackResources "
                      "list, or a resource without LogicalResourceId, "
                      "ResourceType, ResourceStatus or Timestamp", what);
    return rc;
}

static int parse_one(const char *xml, size_t len, const char *action,
                     const char *member, char **out, struct api_error *err)
{
    char what[64];
    snprintf(what, sizeof(what), "CloudFormation %s", action);
    *out = NULL;
    xmlDoc *doc = awsxml_parse(xml, len, what, err);
    if (!doc)
        return -1;
    *out = awsxml_child_text(result_of(doc, action), member);
    xmlFreeDoc(doc);
    if (*out && **out)
        return 0;
    free(*out);
    *out = NULL;
    api_error_set(err, "InvalidReply", "%s reply has no %s", what, member);
    return -1;
}

int cfn_parse_create_stack(const char *xml, size_t len, char **stack_id,
                           struct api_error *err)
{
    return parse_one(xml, len, "CreateStack", "StackId", stack_id, err);
}

int cfn_parse_template(const char *xml, size_t len, char **body,
                       struct api_error *err)
{
    return parse_one(xml, len, "GetTemplate", "TemplateBody", body, err);
}
