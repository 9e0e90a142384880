/*
 * ELBv2 calls: one small state machine per call that sends a page, parses
 * it, and sends the next page (NextMarker) or the next batch of tag ARNs
 * until none is left. Pages run one after another because each needs the
 * marker of the one before.
 */
#include "elbv2.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct call {
    struct aws_session *s;
    char *region;
    enum elbv2_op op;
    const char *key_name;      /* "LoadBalancerArn", ... or NULL */
    char *key_value;
    char **arns;               /* DescribeTags: every ARN */
    size_t arn_count;
    size_t next_arn;           /* first ARN of the next batch */
    char *marker;
    size_t pages;
    struct elbv2_result *result;
    elbv2_done_fn done;
    void *ctx;
};

static int pageable(enum elbv2_op op)
{
    return op == ELBV2_DESCRIBE_LOAD_BALANCERS ||
           op == ELBV2_DESCRIBE_LISTENERS || op == ELBV2_DESCRIBE_RULES ||
           op == ELBV2_DESCRIBE_TARGET_GROUPS;
}

static void call_free(struct call *c)
{
    free(c->region);
    free(c->key_value);
    for (size_t i = 0; i < c->arn_count; i++)
        free(c->arns[i]);
    free(c->arns);
    free(c->marker);
    elbv2_result_free(c->result);
    free(c);
}

/* Calls done once, with the result or with err, and frees the call. */
static void finish(struct call *c, const struct api_error *err)
{
    struct elbv2_result *r = err ? NULL : c->result;
    if (r)
        c->result = NULL;
    c->done(r, err, c->ctx);
    call_free(c);
}

static void on_page(const struct buf *body, const struct api_error *err,
                    void *ctx);

/* Parameter storage for one request: names like "ResourceArns.member.20"
 * need room. */
struct params {
    struct sigv4_pair pairs[ELBV2_TAG_BATCH + 4];
    char names[ELBV2_TAG_BATCH][40];
    size_t count;
};

static void add(struct params *p, const char *name, const char *value)
{
    p->pairs[p->count].name = name;
    p->pairs[p->count].value = value;
    p->count++;
}

static void tag_batch(struct call *c, struct params *p)
{
    size_t n = c->arn_count - c->next_arn;
    if (n > ELBV2_TAG_BATCH)
        n = ELBV2_TAG_BATCH;
    for (size_t i = 0; i < n; i++) {
        snprintf(p->names[i], sizeof(p->names[i]), "ResourceArns.member.%zu",
                 i + 1);
        add(p, p->names[i], c->arns[c->next_arn + i]);
    }
    c->next_arn += n;
}

/* Sends the next page or batch; returns what aws_send returns. */
static int send_next(struct call *c)
{
    struct params p = {.count = 0};
    char page_size[16];
    if (c->key_name)
        add(&p, c->key_name, c->key_value);
    if (c->op == ELBV2_DESCRIBE_TAGS)
        tag_batch(c, &p);
    if (pageable(c->op)) {
        snprintf(page_size, sizeof(page_size), "%d", ELBV2_PAGE_SIZE);
        add(&p, "PageSize", page_size);
    }
    if (c->marker)
        add(&p, "Marker", c->marker);
    const struct aws_call req = {
        .service = &aws_service_elbv2,
        .region = c->region,
        .operation = elbv2_op_name(c->op),
        .params = p.pairs,
        .param_count = p.count,
    };
    return aws_send(c->s, &req, on_page, c);
}

/* Takes the next marker; rejects one repeated or pages without end. */
static int advance(struct call *c, char *next, struct api_error *err)
{
    int repeated = c->marker && strcmp(c->marker, next) == 0;
    free(c->marker);
    c->marker = next;
    if (repeated || c->pages >= ELBV2_MAX_PAGES) {
        api_error_set(err, "InvalidReply", "ELBv2 %s sent %s after %zu "
                      "pages; the listing was stopped",
                      elbv2_op_name(c->op),
                      repeated ? "the same NextMarker twice"
                               : "more pages than the limit",
                      c->pages);
        return -1;
    }
    return 0;
}

static void on_page(const struct buf *body, const struct api_error *err,
                    void *ctx)
{
    struct call *c = ctx;
    struct api_error parse_err = {0};
    char *next = NULL;

    if (err) {
        finish(c, err);
        return;
    }
    c->pages++;
    c->result->requests++;
    if (elbv2_parse_reply(c->op, body->data, body->len, c->result, &next,
                          &parse_err) < 0 ||
        (next && advance(c, next, &parse_err) < 0)) {
        finish(c, &parse_err);
        return;
    }
    int more = next || (c->op == ELBV2_DESCRIBE_TAGS &&
                        c->next_arn < c->arn_count);
    if (!more)
        finish(c, NULL);
    else
        send_next(c);   /* on failure it has called on_page with the error */
}

static struct call *call_new(struct aws_session *s, const char *region,
                             enum elbv2_op op, const char *key_name,
                             const char *key_value)
{
    struct call *c = calloc(1, sizeof(*c));
    if (!c)
        return NULL;
    c->s = s;
    c->op = op;
    c->key_name = key_name;
    c->region = region ? strdup(region) : NULL;
    c->key_value = key_value ? strdup(key_value) : NULL;
    c->result = calloc(1, sizeof(*c->result));
    if (!c->result || (region && !c->region) ||
        (key_value && !c->key_value)) {
        call_free(c);
        return NULL;
    }
    return c;
}

static int out_of_memory(elbv2_done_fn done, void *ctx)
{
    struct api_error err = {0};
    api_error_set(&err, "InternalError", "out of memory");
    done(NULL, &err, ctx);
    return -1;
}

static int start(struct aws_session *s, const char *region, enum elbv2_op op,
                 const char *key_name, const char *key_value,
                 elbv2_done_fn done, void *ctx)
{
    if (key_name && !key_value) {
        struct api_error err = {0};
        api_error_set(&err, "InvalidParameter", "ELBv2 %s needs a %s",
                      elbv2_op_name(op), key_name);
        done(NULL, &err, ctx);
        return -1;
    }
    struct call *c = call_new(s, region, op, key_name, key_value);
    if (!c)
        return out_of_memory(done, ctx);
    c->done = done;
    c->ctx = ctx;
    return send_next(c);
}

int elbv2_describe_load_balancers(struct aws_session *s, const char *region,
                                  elbv2_done_fn done, void *ctx)
{
    return start(s, region, ELBV2_DESCRIBE_LOAD_BALANCERS, NULL, NULL, done,
                 ctx);
}

int elbv2_describe_listeners(struct aws_session *s, const char *region,
                             const char *load_balancer_arn,
                             elbv2_done_fn done, void *ctx)
{
    return start(s, region, ELBV2_DESCRIBE_LISTENERS, "LoadBalancerArn",
                 load_balancer_arn, done, ctx);
}

int elbv2_describe_rules(struct aws_session *s, const char *region,
                         const char *listener_arn, elbv2_done_fn done,
                         void *ctx)
{
    return start(s, region, ELBV2_DESCRIBE_RULES, "ListenerArn",
                 listener_arn, done, ctx);
}

int elbv2_describe_target_groups(struct aws_session *s, const char *region,
                                 const char *load_balancer_arn,
                                 elbv2_done_fn done, void *ctx)
{
    return start(s, region, ELBV2_DESCRIBE_TARGET_GROUPS,
                 load_balancer_arn ? "LoadBalancerArn" : NULL,
                 load_balancer_arn, done, ctx);
}

int elbv2_describe_target_health(struct aws_session *s, const char *region,
                                 const char *target_group_arn,
                                 elbv2_done_fn done, void *ctx)
{
    return start(s, region, ELBV2_DESCRIBE_TARGET_HEALTH, "TargetGroupArn",
                 target_group_arn, done, ctx);
}

int elbv2_describe_load_balancer_attributes(struct aws_session *s,
                                            const char *region,
                                            const char *load_balancer_arn,
                                            elbv2_done_fn done, void *ctx)
{
    return start(s, region, ELBV2_DESCRIBE_LOAD_BALANCER_ATTRIBUTES,
                 "LoadBalancerArn", load_balancer_arn, done, ctx);
}

static int copy_arns(struct call *c, const char *const *arns, size_t count)
{
    c->arns = calloc(count ? count : 1, sizeof(*c->arns));
    if (!c->arns)
        return -1;
    for (size_t i = 0; i < count; i++) {
        c->arns[i] = strdup(arns[i]);
        if (!c->arns[i])
            return -1;
        c->arn_count++;
    }
    return 0;
}

int elbv2_describe_tags(struct aws_session *s, const char *region,
                        const char *const *arns, size_t count,
                        elbv2_done_fn done, void *ctx)
{
    struct call *c = call_new(s, region, ELBV2_DESCRIBE_TAGS, NULL, NULL);
    if (!c || copy_arns(c, arns, count) < 0) {
        if (c)
            call_free(c);
        return out_of_memory(done, ctx);
    }
    c->done = done;
    c->ctx = ctx;
    if (count == 0) {
        finish(c, NULL);    /* nothing to ask: AWS would reject it */
        return 0;
    }
    return send_next(c);
}
