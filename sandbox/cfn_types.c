/*
 * The resource types CloudFormation can create here, and the helpers
 * their handlers share: properties, ids, tags, attributes and failure
 * reasons in the words CloudFormation's resource handlers use.
 */
#include "cfn.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wfile.h"
#include "world_net.h"

const struct cfn_type *cfn_type(const char *name)
{
    const struct cfn_type *tables[] = {
        cfn_ec2_types, cfn_eks_types, cfn_iam_types,
    };
    for (size_t i = 0; name && i < sizeof(tables) / sizeof(tables[0]); i++)
        for (const struct cfn_type *t = tables[i]; t->name; t++)
            if (strcmp(t->name, name) == 0)
                return t;
    return NULL;
}

const char *cfn_prop(const struct cfn_op *op, const char *name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(op->props, name);
    return cJSON_GetStringValue(v);
}

int cfn_fail(struct cfn_op *op, const char *service, const char *code,
             const char *fmt, ...)
{
    char message[768];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(message, sizeof(message), fmt, ap);
    va_end(ap);
    char *seed = wfile_printf("%s/%s/%s", op->s->id, op->res->logical_id,
                              code);
    char *id = seed ? wfile_uuid(seed) : NULL;
    snprintf(op->reason, sizeof(op->reason), "%s (Service: %s; Status Code: "
             "400; Error Code: %s; Request ID: %s; Proxy: null)", message,
             service, code, id ? id : "");
    free(seed);
    free(id);
    return -1;
}

char *cfn_new_id(const struct cfn_op *op, const char *prefix)
{
    char *seed = wfile_printf("%s/%s/%lu", op->s->id, op->res->logical_id,
                              op->res->started);
    char *id = seed ? wfile_derive(prefix, seed, 17, WFILE_LOWER_HEX) : NULL;
    free(seed);
    return id;
}

/* NOTE: IAM names are at most 64 characters. The room left to the stack
 * name is modelled on names seen on real accounts, where a Role1 keeps
 * 44 characters of its stack's name; CloudFormation does not document
 * the rule. */
#define PHYSICAL_NAME_MAX 63
#define PHYSICAL_SUFFIX   12
#define PHYSICAL_LOGICAL  30    /* characters kept of the logical id */

char *cfn_physical_name(const struct cfn_op *op, int with_stack)
{
    char *seed = wfile_printf("%s/%s/name", op->s->id, op->res->logical_id);
    char *suffix = seed ? wfile_derive("", seed, PHYSICAL_SUFFIX,
                                       WFILE_BASE32) : NULL;
    int logical = (int)strnlen(op->res->logical_id, PHYSICAL_LOGICAL);
    int stack = PHYSICAL_NAME_MAX - PHYSICAL_SUFFIX - logical - 2;
    char *name = !suffix ? NULL
                 : with_stack ? wfile_printf("%.*s-%.*s-%s", stack,
                                             op->s->name, logical,
                                             op->res->logical_id, suffix)
                              : wfile_printf("%.50s-%s", op->res->logical_id,
                                             suffix);
    free(seed);
    free(suffix);
    return name;
}

int cfn_tags(const struct cfn_op *op, int stack_tags,
             struct world_kv_list *out)
{
    const struct cfn_stack *s = op->s;
    int rc = 0;
    if (stack_tags)
        rc = world_kv_add(out, "aws:cloudformation:stack-name", s->name) |
             world_kv_add(out, "aws:cloudformation:stack-id", s->id) |
             world_kv_add(out, "aws:cloudformation:logical-id",
                          op->res->logical_id);
    for (size_t i = 0; i < s->tags.count; i++)
        rc |= world_kv_add(out, s->tags.items[i].key, s->tags.items[i].value);
    const cJSON *tag;
    cJSON_ArrayForEach(tag, cJSON_GetObjectItemCaseSensitive(op->props,
                                                             "Tags")) {
        const char *key = cJSON_GetStringValue(
            cJSON_GetObjectItemCaseSensitive(tag, "Key"));
        const char *value = cJSON_GetStringValue(
            cJSON_GetObjectItemCaseSensitive(tag, "Value"));
        if (key && value)
            rc |= world_kv_add(out, key, value);
    }
    return rc ? -1 : 0;
}

int cfn_set_attr(struct cfn_resource *res, const char *name,
                 const char *value)
{
    cJSON_DeleteItemFromObjectCaseSensitive(res->attrs, name);
    return cJSON_AddStringToObject(res->attrs, name, value ? value : "")
               ? 0 : -1;
}

const struct cfn_resource *cfn_held(struct world *w, const char *type,
                                    const char *prop, const char *value)
{
    struct cfn_world *cw = cfn_world(w);
    for (size_t i = 0; cw && value && i < cw->count; i++) {
        const struct cfn_stack *s = cw->stacks[i];
        for (size_t j = 0; j < s->resource_count; j++) {
            const struct cfn_resource *r = &s->resources[j];
            if (!r->exists || strcmp(r->type, type) != 0)
                continue;
            const char *have = prop ? cJSON_GetStringValue(
                                          cJSON_GetObjectItemCaseSensitive(
                                              r->props, prop))
                                    : r->physical_id;
            if (have && strcmp(have, value) == 0)
                return r;
        }
    }
    return NULL;
}
