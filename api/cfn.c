/*
 * CloudFormation calls. The paged calls (DescribeStacks, ListStacks,
 * DescribeStackEvents) send each page with the NextToken of the one
 * before, and call back once with every item. The others are one request
 * each.
 */
#include "cfn.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_PAGES 1000      /* stops a server whose NextToken never ends */
#define KEY_MAX 64          /* "Parameters.member.NNN.ParameterValue" */

static void out_of_memory(struct api_error *err)
{
    api_error_set(err, "InternalError", "out of memory");
}

/* ---- parameters of a query call ---- */

/* Parameters with keys the call composes ("Tags.member.2.Key"). */
struct params {
    struct sigv4_pair *items;
    char (*keys)[KEY_MAX];
    size_t count, cap;
};

static int params_init(struct params *p, size_t cap)
{
    p->items = calloc(cap ? cap : 1, sizeof(*p->items));
    p->keys = calloc(cap ? cap : 1, sizeof(*p->keys));
    p->count = 0;
    p->cap = cap;
    return p->items && p->keys ? 0 : -1;
}

static void params_cleanup(struct params *p)
{
    free(p->items);
    free(p->keys);
}

/* Adds value under the key fmt makes with n (and field); NULL values
 * are left out. */
static void params_add(struct params *p, const char *key, size_t n,
                       const char *field, const char *value)
{
    if (!value || p->count >= p->cap)
        return;
    char *k = p->keys[p->count];
    if (n)
        snprintf(k, KEY_MAX, "%s.member.%zu%s%s", key, n, field ? "." : "",
                 field ? field : "");
    else
        snprintf(k, KEY_MAX, "%s", key);
    p->items[p->count].name = k;
    p->items[p->count].value = value;
    p->count++;
}

/* A NULL region sends to the session's region. */
static int send_call(struct aws_session *s, const char *region,
                     const char *operation, const struct params *p,
                     int mutating, aws_done_fn done, void *ctx)
{
    const struct aws_call call = {
        .service = &aws_service_cloudformation, .region = region,
        .operation = operation, .params = p->items, .param_count = p->count,
        .mutating = mutating,
    };
    return aws_send(s, &call, done, ctx);
}

/* ---- calls of one request ---- */

/* Reads the one string a reply carries (a stack id, a template body). */
typedef int (*text_parser)(const char *xml, size_t len, char **text,
                           struct api_error *err);

struct single_op {
    union {
        cfn_id_fn text;         /* cfn_template_fn has the same shape */
        cfn_done_fn plain;
        cfn_resources_fn resources;
    } done;
    text_parser parse;          /* for done.text */
    void *ctx;
};

static struct single_op *single_op(void *ctx)
{
    struct single_op *op = calloc(1, sizeof(*op));
    if (op)
        op->ctx = ctx;
    return op;
}

static void on_text(const struct buf *body, const struct api_error *err,
                    void *ctx)
{
    struct single_op *op = ctx;
    struct api_error parse_err = {0};
    char *text = NULL;
    if (!err && op->parse(body->data, body->len, &text, &parse_err) < 0)
        err = &parse_err;
    op->done.text(err ? NULL : text, err, op->ctx);
    free(text);
    free(op);
}

int cfn_create_stack(struct aws_session *s, const char *region,
                     const struct cfn_create_request *req, cfn_id_fn done,
                     void *ctx)
{
    struct params p;
    struct single_op *op = single_op(ctx);
    struct api_error err = {0};
    if (params_init(&p, 2 + 2 * req->parameter_count + 2 * req->tag_count +
                            req->capability_count) < 0 || !op) {
        params_cleanup(&p);
        free(op);
        out_of_memory(&err);
        done(NULL, &err, ctx);
        return -1;
    }
    op->done.text = done;
    op->parse = cfn_parse_create_stack;
    params_add(&p, "StackName", 0, NULL, req->name);
    params_add(&p, "TemplateBody", 0, NULL, req->template_body);
    for (size_t i = 0; i < req->parameter_count; i++) {
        params_add(&p, "Parameters", i + 1, "ParameterKey",
                   req->parameters[i].key);
        params_add(&p, "Parameters", i + 1, "ParameterValue",
                   req->parameters[i].value);
    }
    for (size_t i = 0; i < req->tag_count; i++) {
        params_add(&p, "Tags", i + 1, "Key", req->tags[i].key);
        params_add(&p, "Tags", i + 1, "Value", req->tags[i].value);
    }
    for (size_t i = 0; i < req->capability_count; i++)
        params_add(&p, "Capabilities", i + 1, NULL, req->capabilities[i]);
    int rc = send_call(s, region, "CreateStack", &p, 1, on_text, op);
    params_cleanup(&p);
    return rc;
}

static void on_deleted(const struct buf *body, const struct api_error *err,
                       void *ctx)
{
    struct single_op *op = ctx;
    (void)body;
    op->done.plain(err, op->ctx);
    free(op);
}

static void on_resources(const struct buf *body, const struct api_error *err,
                         void *ctx)
{
    struct single_op *op = ctx;
    struct api_error parse_err = {0};
    struct cfn_resource_list *list = err ? NULL : calloc(1, sizeof(*list));
    if (!err && !list) {
        out_of_memory(&parse_err);
        err = &parse_err;
    }
    if (!err && cfn_parse_stack_resources(body->data, body->len, list,
                                          &parse_err) < 0)
        err = &parse_err;
    if (err) {
        cfn_resource_list_free(list);
        list = NULL;
    }
    op->done.resources(list, err, op->ctx);
    free(op);
}

/* Sends operation with StackName for op, which on_reply frees; with op
 * NULL (memory ran out) tells done through on_reply's error path. */
static int send_named(struct aws_session *s, const char *region,
                      const char *operation, const char *name, int mutating,
                      aws_done_fn on_reply, struct single_op *op)
{
    struct params p;
    if (params_init(&p, 1) < 0) {
        struct api_error err = {0};
        out_of_memory(&err);
        params_cleanup(&p);
        on_reply(NULL, &err, op);
        return -1;
    }
    params_add(&p, "StackName", 0, NULL, name);
    int rc = send_call(s, region, operation, &p, mutating, on_reply, op);
    params_cleanup(&p);
    return rc;
}

int cfn_delete_stack(struct aws_session *s, const char *region,
                     const char *name_or_id, cfn_done_fn done, void *ctx)
{
    struct single_op *op = single_op(ctx);
    struct api_error err = {0};
    if (!op) {
        out_of_memory(&err);
        done(&err, ctx);
        return -1;
    }
    op->done.plain = done;
    return send_named(s, region, "DeleteStack", name_or_id, 1, on_deleted,
                      op);
}

int cfn_describe_stack_resources(struct aws_session *s, const char *region,
                                 const char *name_or_id,
                                 cfn_resources_fn done, void *ctx)
{
    struct single_op *op = single_op(ctx);
    struct api_error err = {0};
    if (!op) {
        out_of_memory(&err);
        done(NULL, &err, ctx);
        return -1;
    }
    op->done.resources = done;
    return send_named(s, region, "DescribeStackResources", name_or_id, 0,
                      on_resources, op);
}

int cfn_get_template(struct aws_session *s, const char *region,
                     const char *name_or_id, cfn_template_fn done, void *ctx)
{
    struct single_op *op = single_op(ctx);
    struct api_error err = {0};
    if (!op) {
        out_of_memory(&err);
        done(NULL, &err, ctx);
        return -1;
    }
    op->done.text = done;
    op->parse = cfn_parse_template;
    return send_named(s, region, "GetTemplate", name_or_id, 0, on_text, op);
}

/* ---- paged calls ---- */

struct paged_op {
    struct aws_session *s;
    char *region;               /* NULL: the session's */
    const char *operation;
    char *stack;                /* StackName, or NULL */
    char **status_copies;       /* ListStacks' StackStatusFilter */
    size_t status_count;
    int pages;
    void *list;
    int (*parse)(const char *xml, size_t len, void *list, char **next,
                 struct api_error *err);
    void (*deliver)(struct paged_op *op, const struct api_error *err);
    union {
        cfn_stacks_fn stacks;
        cfn_events_fn events;
    } done;
    void *ctx;
};

static void free_paged(struct paged_op *op)
{
    free(op->region);
    free(op->stack);
    for (size_t i = 0; i < op->status_count; i++)
        free(op->status_copies[i]);
    free(op->status_copies);
    free(op);
}

static void on_page(const struct buf *body, const struct api_error *err,
                    void *ctx);

static void send_page(struct paged_op *op, const char *token)
{
    struct params p;
    if (params_init(&p, 2 + op->status_count) < 0) {
        struct api_error oom = {0};
        out_of_memory(&oom);
        op->deliver(op, &oom);
        return;
    }
    params_add(&p, "StackName", 0, NULL, op->stack);
    params_add(&p, "NextToken", 0, NULL, token);
    for (size_t i = 0; i < op->status_count; i++)
        params_add(&p, "StackStatusFilter", i + 1, NULL,
                   op->status_copies[i]);
    op->pages++;
    send_call(op->s, op->region, op->operation, &p, 0, on_page, op);
    params_cleanup(&p);
}

static void on_page(const struct buf *body, const struct api_error *err,
                    void *ctx)
{
    struct paged_op *op = ctx;
    struct api_error parse_err = {0};
    char *token = NULL;
    if (!err && op->parse(body->data, body->len, op->list, &token,
                          &parse_err) < 0)
        err = &parse_err;
    if (!err && token && op->pages < MAX_PAGES) {
        send_page(op, token);
        free(token);
        return;
    }
    free(token);
    op->deliver(op, err);
}

static int parse_stacks_page(const char *xml, size_t len, void *list,
                             char **next, struct api_error *err)
{
    return cfn_parse_describe_stacks(xml, len, list, next, err);
}

static int parse_summaries_page(const char *xml, size_t len, void *list,
                                char **next, struct api_error *err)
{
    return cfn_parse_list_stacks(xml, len, list, next, err);
}

static int parse_events_page(const char *xml, size_t len, void *list,
                             char **next, struct api_error *err)
{
    return cfn_parse_stack_events(xml, len, list, next, err);
}

static void deliver_stacks(struct paged_op *op, const struct api_error *err)
{
    struct cfn_stack_list *list = op->list;
    if (err) {
        cfn_stack_list_free(list);
        list = NULL;
    }
    op->done.stacks(list, err, op->ctx);
    free_paged(op);
}

static void deliver_events(struct paged_op *op, const struct api_error *err)
{
    struct cfn_event_list *list = op->list;
    if (err) {
        cfn_event_list_free(list);
        list = NULL;
    }
    op->done.events(list, err, op->ctx);
    free_paged(op);
}

/* A paged operation with its list allocated; NULL when memory runs out. */
static struct paged_op *paged_op(struct aws_session *s, const char *region,
                                 const char *operation, const char *stack,
                                 size_t list_size, void *ctx)
{
    struct paged_op *op = calloc(1, sizeof(*op));
    if (!op)
        return NULL;
    op->s = s;
    op->operation = operation;
    op->ctx = ctx;
    op->list = calloc(1, list_size);
    if (!op->list || (stack && !(op->stack = strdup(stack))) ||
        (region && !(op->region = strdup(region)))) {
        free(op->list);
        free_paged(op);
        return NULL;
    }
    return op;
}

static int copy_statuses(struct paged_op *op, const char *const *statuses,
                         size_t count)
{
    op->status_copies = calloc(count ? count : 1, sizeof(char *));
    if (!op->status_copies)
        return -1;
    for (; op->status_count < count; op->status_count++)
        if (!(op->status_copies[op->status_count] =
                  strdup(statuses[op->status_count])))
            return -1;
    return 0;
}

static int start_stacks(struct aws_session *s, const char *region,
                        const char *operation, const char *stack,
                        const char *const *statuses, size_t status_count,
                        cfn_stacks_fn done, void *ctx)
{
    struct paged_op *op = paged_op(s, region, operation, stack,
                                   sizeof(struct cfn_stack_list), ctx);
    if (!op || copy_statuses(op, statuses, status_count) < 0) {
        struct api_error oom = {0};
        out_of_memory(&oom);
        if (op) {
            free(op->list);
            free_paged(op);
        }
        done(NULL, &oom, ctx);
        return -1;
    }
    op->parse = strcmp(operation, "ListStacks") == 0 ? parse_summaries_page
                                                     : parse_stacks_page;
    op->deliver = deliver_stacks;
    op->done.stacks = done;
    send_page(op, NULL);
    return 0;
}

int cfn_describe_stacks(struct aws_session *s, const char *region,
                        const char *name_or_id, cfn_stacks_fn done, void *ctx)
{
    return start_stacks(s, region, "DescribeStacks", name_or_id, NULL, 0,
                        done, ctx);
}

int cfn_list_stacks(struct aws_session *s, const char *region,
                    const char *const *statuses, size_t status_count,
                    cfn_stacks_fn done, void *ctx)
{
    return start_stacks(s, region, "ListStacks", NULL, statuses,
                        status_count, done, ctx);
}

int cfn_describe_stack_events(struct aws_session *s, const char *region,
                              const char *name_or_id, cfn_events_fn done,
                              void *ctx)
{
    struct paged_op *op = paged_op(s, region, "DescribeStackEvents",
                                   name_or_id, sizeof(struct cfn_event_list),
                                   ctx);
    if (!op) {
        struct api_error oom = {0};
        out_of_memory(&oom);
        done(NULL, &oom, ctx);
        return -1;
    }
    op->parse = parse_events_page;
    op->deliver = deliver_events;
    op->done.events = done;
    send_page(op, NULL);
    return 0;
}
