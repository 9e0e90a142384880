/*
 * CloudFormation (query protocol, 2010-05-15): create, describe and
 * delete stacks, their events, resources and templates. Calls that page
 * with NextToken fetch every page before they call back. CreateStack
 * and DeleteStack change the account and are rejected in readonly
 * sessions.
 */
#ifndef ALBATROSS_CFN_H
#define ALBATROSS_CFN_H

#include <stddef.h>

#include "aws.h"

struct cfn_pair {
    char *key;
    char *value;
};

struct cfn_output {
    char *key;
    char *value;
    char *description;      /* may be NULL */
    char *export_name;      /* may be NULL */
};

/* A stack from DescribeStacks, or a summary from ListStacks (which has
 * no parameters, outputs or tags). */
struct cfn_stack_info {
    char *id;
    char *name;
    char *status;           /* CREATE_COMPLETE, ROLLBACK_IN_PROGRESS, ... */
    char *reason;           /* StackStatusReason, may be NULL */
    char *description;      /* may be NULL */
    char *created;          /* RFC 3339 */
    char *deleted;          /* may be NULL */
    struct cfn_pair *parameters;
    size_t parameter_count;
    struct cfn_pair *tags;
    size_t tag_count;
    struct cfn_output *outputs;
    size_t output_count;
};

struct cfn_stack_list {
    struct cfn_stack_info *items;
    size_t count;
};

/* An event of a stack or of one of its resources. */
struct cfn_stack_event {
    char *id;
    char *logical_id;
    char *physical_id;      /* may be NULL or "" */
    char *type;             /* AWS::EC2::VPC, AWS::CloudFormation::Stack */
    char *status;
    char *reason;           /* may be NULL */
    char *timestamp;
};

/* Newest first, as CloudFormation returns them. */
struct cfn_event_list {
    struct cfn_stack_event *items;
    size_t count;
};

struct cfn_stack_resource {
    char *logical_id;
    char *physical_id;      /* may be NULL */
    char *type;
    char *status;
    char *reason;           /* may be NULL */
    char *timestamp;
};

struct cfn_resource_list {
    struct cfn_stack_resource *items;
    size_t count;
};

void cfn_stack_list_free(struct cfn_stack_list *l);
void cfn_event_list_free(struct cfn_event_list *l);
void cfn_resource_list_free(struct cfn_resource_list *l);

/* What CreateStack sends. Capabilities are CAPABILITY_IAM,
 * CAPABILITY_NAMED_IAM or CAPABILITY_AUTO_EXPAND. */
struct cfn_create_request {
    const char *name;
    const char *template_body;
    const struct cfn_pair *parameters;
    size_t parameter_count;
    const struct cfn_pair *tags;
    size_t tag_count;
    const char *const *capabilities;
    size_t capability_count;
};

/* Callbacks get err NULL on success; lists are theirs to free. */
typedef void (*cfn_id_fn)(const char *stack_id, const struct api_error *err,
                          void *ctx);
typedef void (*cfn_done_fn)(const struct api_error *err, void *ctx);
typedef void (*cfn_stacks_fn)(struct cfn_stack_list *list,
                              const struct api_error *err, void *ctx);
typedef void (*cfn_events_fn)(struct cfn_event_list *list,
                              const struct api_error *err, void *ctx);
typedef void (*cfn_resources_fn)(struct cfn_resource_list *list,
                                 const struct api_error *err, void *ctx);
typedef void (*cfn_template_fn)(const char *body, const struct api_error *err,
                                void *ctx);

/* Each sends to CloudFormation in region, or in the session's region
 * when region is NULL, because a stack lives in one region. Each
 * returns 0, or -1 after calling done with the error. */
int cfn_create_stack(struct aws_session *s, const char *region,
                     const struct cfn_create_request *req, cfn_id_fn done,
                     void *ctx);
/* name_or_id: a stack's name, or its id to reach a deleted stack. */
int cfn_delete_stack(struct aws_session *s, const char *region,
                     const char *name_or_id, cfn_done_fn done, void *ctx);
/* name_or_id NULL: every live stack of the region. */
int cfn_describe_stacks(struct aws_session *s, const char *region,
                        const char *name_or_id, cfn_stacks_fn done,
                        void *ctx);
/* Summaries of the region's stacks, deleted ones included, whose status
 * is one of statuses (all when status_count is 0). */
int cfn_list_stacks(struct aws_session *s, const char *region,
                    const char *const *statuses, size_t status_count,
                    cfn_stacks_fn done, void *ctx);
int cfn_describe_stack_events(struct aws_session *s, const char *region,
                              const char *name_or_id, cfn_events_fn done,
                              void *ctx);
int cfn_describe_stack_resources(struct aws_session *s, const char *region,
                                 const char *name_or_id,
                                 cfn_resources_fn done, void *ctx);
int cfn_get_template(struct aws_session *s, const char *region,
                     const char *name_or_id, cfn_template_fn done,
                     void *ctx);

/* Parsers of one reply each (api/cfn_parse.c). Each returns 0, or -1
 * with err set ("InvalidReply"). Page parsers append to list and set
 * *next_token to the next page's token (the caller frees it), or NULL
 * on the last page. */
int cfn_parse_create_stack(const char *xml, size_t len, char **stack_id,
                           struct api_error *err);
int cfn_parse_describe_stacks(const char *xml, size_t len,
                              struct cfn_stack_list *list, char **next_token,
                              struct api_error *err);
int cfn_parse_list_stacks(const char *xml, size_t len,
                          struct cfn_stack_list *list, char **next_token,
                          struct api_error *err);
int cfn_parse_stack_events(const char *xml, size_t len,
                           struct cfn_event_list *list, char **next_token,
                           struct api_error *err);
int cfn_parse_stack_resources(const char *xml, size_t len,
                              struct cfn_resource_list *list,
                              struct api_error *err);
/* The TemplateBody of a GetTemplate reply; the caller frees it. */
int cfn_parse_template(const char *xml, size_t len, char **body,
                       struct api_error *err);

#endif
