/*
 * EC2 DescribeSubnets, DescribeSecurityGroups and DescribeVpcs: the
 * network a load balancer sits in. Pages follow NextToken one after
 * another. Items without an id are skipped.
 */
#include "ec2.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "awsxml.h"

#define MAX_ITEMS 100000

static const struct {
    const char *operation;
    const char *set;        /* the reply's item set */
    const char *id_param;   /* "SubnetId" as in SubnetId.1 */
} ops[] = {
    [EC2_DESCRIBE_SUBNETS] = {"DescribeSubnets", "subnetSet", "SubnetId"},
    [EC2_DESCRIBE_SECURITY_GROUPS] = {"DescribeSecurityGroups",
                                      "securityGroupInfo", "GroupId"},
    [EC2_DESCRIBE_VPCS] = {"DescribeVpcs", "vpcSet", "VpcId"},
};

void ec2_network_free(struct ec2_network *n)
{
    if (!n)
        return;
    for (size_t i = 0; i < n->subnet_count; i++) {
        struct ec2_subnet *s = &n->subnets[i];
        free(s->id);
        free(s->vpc_id);
        free(s->zone);
        free(s->cidr);
        free(s->name);
        for (size_t k = 0; k < s->tag_count; k++) {
            free(s->tags[k].key);
            free(s->tags[k].value);
        }
        free(s->tags);
    }
    free(n->subnets);
    for (size_t i = 0; i < n->security_group_count; i++) {
        struct ec2_security_group *g = &n->security_groups[i];
        free(g->id);
        free(g->name);
        free(g->description);
        free(g->vpc_id);
    }
    free(n->security_groups);
    for (size_t i = 0; i < n->vpc_count; i++) {
        free(n->vpcs[i].id);
        free(n->vpcs[i].cidr);
        free(n->vpcs[i].state);
    }
    free(n->vpcs);
    free(n);
}

/* ---- parsing ---- */

static void *push(void *items, size_t *count, size_t elem)
{
    void **p = items;
    if (*count >= MAX_ITEMS)
        return NULL;
    char *grown = realloc(*p, (*count + 1) * elem);
    if (!grown)
        return NULL;
    *p = grown;
    memset(grown + *count * elem, 0, elem);
    return grown + (*count)++ * elem;
}

static int number(const xmlNode *parent, const char *name)
{
    char *s = awsxml_child_text(parent, name), *end;
    long v = s ? strtol(s, &end, 10) : 0;
    int ok = s && end != s && *end == '\0' && v >= 0 && v <= INT_MAX;
    free(s);
    return ok ? (int)v : 0;
}

static int read_subnet(const xmlNode *item, struct ec2_subnet *s)
{
    s->vpc_id = awsxml_child_text(item, "vpcId");
    s->zone = awsxml_child_text(item, "availabilityZone");
    s->cidr = awsxml_child_text(item, "cidrBlock");
    s->available_ips = number(item, "availableIpAddressCount");
    xmlNode *set = awsxml_child(item, "tagSet");
    for (xmlNode *t = awsxml_child(set, "item"); t; t = awsxml_next(t)) {
        char *key = awsxml_child_text(t, "key");
        struct ec2_tag *tag = key ? push(&s->tags, &s->tag_count,
                                         sizeof(*tag)) : NULL;
        if (!tag) {
            free(key);
            if (key)
                return -1;
            continue;
        }
        tag->key = key;
        tag->value = awsxml_child_text(t, "value");
        if (!s->name && strcmp(key, "Name") == 0 && tag->value)
            s->name = strdup(tag->value);
    }
    return 0;
}

static int read_item(enum ec2_network_op op, const xmlNode *item,
                     struct ec2_network *n)
{
    static const char *const id_names[] = {"subnetId", "groupId", "vpcId"};
    char *id = awsxml_child_text(item, id_names[op]);
    if (!id)
        return 0;
    if (op == EC2_DESCRIBE_SUBNETS) {
        struct ec2_subnet *s = push(&n->subnets, &n->subnet_count,
                                    sizeof(*s));
        if (!s)
            goto fail;
        s->id = id;
        return read_subnet(item, s);
    }
    if (op == EC2_DESCRIBE_SECURITY_GROUPS) {
        struct ec2_security_group *g = push(&n->security_groups,
                                            &n->security_group_count,
                                            sizeof(*g));
        if (!g)
            goto fail;
        g->id = id;
        g->name = awsxml_child_text(item, "groupName");
        g->description = awsxml_child_text(item, "groupDescription");
        g->vpc_id = awsxml_child_text(item, "vpcId");
        return 0;
    }
    struct ec2_vpc *v = push(&n->vpcs, &n->vpc_count, sizeof(*v));
    if (!v)
        goto fail;
    v->id = id;
    v->cidr = awsxml_child_text(item, "cidrBlock");
    v->state = awsxml_child_text(item, "state");
    char *is_default = awsxml_child_text(item, "isDefault");
    v->is_default = is_default && strcmp(is_default, "true") == 0;
    free(is_default);
    return 0;
fail:
    free(id);
    return -1;
}

int ec2_parse_network(enum ec2_network_op op, const char *xml, size_t len,
                      struct ec2_network *n, char **next_token,
                      struct api_error *err)
{
    char what[64];
    snprintf(what, sizeof(what), "EC2 %s", ops[op].operation);
    *next_token = NULL;
    xmlDoc *doc = awsxml_parse(xml, len, what, err);
    if (!doc)
        return -1;
    xmlNode *root = xmlDocGetRootElement(doc);
    xmlNode *set = awsxml_child(root, ops[op].set);
    int rc = set ? 0 : -1;
    for (xmlNode *item = awsxml_child(set, "item"); item && rc == 0;
         item = awsxml_next(item))
        rc = read_item(op, item, n);
    char *token = rc == 0 ? awsxml_child_text(root, "nextToken") : NULL;
    xmlFreeDoc(doc);
    if (rc < 0) {
        api_error_set(err, "InvalidReply", "%s reply has no %s, or more "
                      "than %d items", what, ops[op].set, MAX_ITEMS);
        return -1;
    }
    if (token && !*token) {
        free(token);
        token = NULL;
    }
    *next_token = token;
    return 0;
}

/* ---- calls ---- */

struct network_call {
    struct aws_session *s;
    char *region;
    enum ec2_network_op op;
    struct sigv4_pair *params;   /* ids and filters; names and values
                                  * owned */
    size_t param_count;
    char *token;
    size_t pages;
    struct ec2_network *result;
    ec2_network_fn done;
    void *ctx;
};

static void call_free(struct network_call *c)
{
    for (size_t i = 0; i < c->param_count; i++) {
        free((char *)c->params[i].name);
        free((char *)c->params[i].value);
    }
    free(c->params);
    free(c->region);
    free(c->token);
    ec2_network_free(c->result);
    free(c);
}

static void finish(struct network_call *c, const struct api_error *err)
{
    struct ec2_network *n = err ? NULL : c->result;
    if (n)
        c->result = NULL;
    c->done(n, err, c->ctx);
    call_free(c);
}

static void on_page(const struct buf *body, const struct api_error *err,
                    void *ctx);

static int send_page(struct network_call *c)
{
    size_t n = c->param_count;
    struct sigv4_pair *p = calloc(n + 1, sizeof(*p));
    if (!p) {
        struct api_error err = {0};
        api_error_set(&err, "InternalError", "out of memory");
        finish(c, &err);
        return -1;
    }
    memcpy(p, c->params, n * sizeof(*p));
    if (c->token) {
        p[n].name = "NextToken";
        p[n++].value = c->token;
    }
    const struct aws_call req = {
        .service = &aws_service_ec2,
        .region = c->region,
        .operation = ops[c->op].operation,
        .params = p,
        .param_count = n,
    };
    int rc = aws_send(c->s, &req, on_page, c);
    free(p);
    return rc;
}

static void on_page(const struct buf *body, const struct api_error *err,
                    void *ctx)
{
    struct network_call *c = ctx;
    struct api_error parse_err = {0};
    char *next = NULL;
    if (err) {
        finish(c, err);
        return;
    }
    c->pages++;
    c->result->requests++;
    if (ec2_parse_network(c->op, body->data, body->len, c->result, &next,
                          &parse_err) < 0) {
        finish(c, &parse_err);
        return;
    }
    if (!next) {
        finish(c, NULL);
        return;
    }
    int repeated = c->token && strcmp(c->token, next) == 0;
    free(c->token);
    c->token = next;
    if (repeated || c->pages >= EC2_MAX_PAGES) {
        api_error_set(&parse_err, "InvalidReply", "EC2 %s sent the same "
                      "NextToken twice or too many pages; the listing was "
                      "stopped", ops[c->op].operation);
        finish(c, &parse_err);
        return;
    }
    send_page(c);
}

static int add_param(struct network_call *c, const char *name,
                     const char *value)
{
    struct sigv4_pair *p = &c->params[c->param_count];
    p->name = strdup(name);
    p->value = strdup(value ? value : "");
    c->param_count++;
    return p->name && p->value ? 0 : -1;
}

static int add_params(struct network_call *c, const char *const *ids,
                      size_t id_count, const struct ec2_filter *filters,
                      size_t filter_count)
{
    char name[64];
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < id_count; i++) {
        snprintf(name, sizeof(name), "%s.%zu", ops[c->op].id_param, i + 1);
        rc = add_param(c, name, ids[i]);
    }
    for (size_t f = 0; rc == 0 && f < filter_count; f++) {
        snprintf(name, sizeof(name), "Filter.%zu.Name", f + 1);
        rc = add_param(c, name, filters[f].name);
        for (size_t v = 0; rc == 0 && v < filters[f].value_count; v++) {
            snprintf(name, sizeof(name), "Filter.%zu.Value.%zu", f + 1,
                     v + 1);
            rc = add_param(c, name, filters[f].values[v]);
        }
    }
    return rc;
}

static size_t value_total(const struct ec2_filter *filters, size_t count)
{
    size_t n = 0;
    for (size_t i = 0; i < count; i++)
        n += 1 + filters[i].value_count;
    return n;
}

int ec2_describe_network(struct aws_session *s, const char *region,
                         enum ec2_network_op op, const char *const *ids,
                         size_t id_count, const struct ec2_filter *filters,
                         size_t filter_count, ec2_network_fn done,
                         void *ctx)
{
    struct api_error err = {0};
    size_t values = value_total(filters, filter_count);
    if (id_count > EC2_MAX_IDS || values > EC2_MAX_IDS) {
        api_error_set(&err, "InvalidParameter", "EC2 %s got %zu ids and "
                      "%zu filter values; at most %d each",
                      ops[op].operation, id_count, values, EC2_MAX_IDS);
        done(NULL, &err, ctx);
        return -1;
    }
    struct network_call *c = calloc(1, sizeof(*c));
    if (c) {
        c->s = s;
        c->op = op;
        c->done = done;
        c->ctx = ctx;
        c->region = region ? strdup(region) : NULL;
        c->result = calloc(1, sizeof(*c->result));
        c->params = calloc(id_count + values + 1, sizeof(*c->params));
    }
    if (!c || !c->result || !c->params || (region && !c->region) ||
        add_params(c, ids, id_count, filters, filter_count) < 0) {
        if (c)
            call_free(c);
        api_error_set(&err, "InternalError", "out of memory");
        done(NULL, &err, ctx);
        return -1;
    }
    return send_page(c);
}
