/*
 * CloudFormation's intrinsic functions and conditions, evaluated over a
 * stack's parameters, pseudo parameters, its created resources and the
 * region's exports. Errors read as CloudFormation's resource failures
 * and template errors do.
 */
#include "cfn.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../api/buf.h"
#include "world_net.h"

#define CONDITION_DEPTH 32

cJSON cfn_no_value;

static cJSON *resolve(const struct cfn_ctx *x, const cJSON *v, char *err,
                      size_t len);

static cJSON *fail(char *err, size_t len, const char *fmt, const char *a,
                   const char *b)
{
    snprintf(err, len, fmt, a, b ? b : "");
    return NULL;
}

cJSON *cfn_azs(const char *region)
{
    cJSON *list = cJSON_CreateArray();
    for (char zone = 'a'; list && zone <= 'c'; zone++) {
        char az[64];
        snprintf(az, sizeof(az), "%s%c", region, zone);
        cJSON_AddItemToArray(list, cJSON_CreateString(az));
    }
    return list;
}

/* Pseudo parameters: the value, or NULL when name is not one. */
static cJSON *pseudo(const struct cfn_ctx *x, const char *name)
{
    if (strcmp(name, "AWS::Region") == 0)
        return cJSON_CreateString(x->s->region);
    if (strcmp(name, "AWS::AccountId") == 0)
        return cJSON_CreateString(x->w->account_id);
    if (strcmp(name, "AWS::StackName") == 0)
        return cJSON_CreateString(x->s->name);
    if (strcmp(name, "AWS::StackId") == 0)
        return cJSON_CreateString(x->s->id);
    if (strcmp(name, "AWS::Partition") == 0)
        return cJSON_CreateString("aws");
    if (strcmp(name, "AWS::URLSuffix") == 0)
        return cJSON_CreateString("amazonaws.com");
    if (strcmp(name, "AWS::NotificationARNs") == 0)
        return cJSON_CreateArray();
    if (strcmp(name, "AWS::NoValue") == 0)
        return &cfn_no_value;
    return NULL;
}

static struct cfn_resource *resource(const struct cfn_stack *s,
                                     const char *name)
{
    for (size_t i = 0; i < s->resource_count; i++)
        if (strcmp(s->resources[i].logical_id, name) == 0)
            return &s->resources[i];
    return NULL;
}

/* A parameter's value; list types become arrays. */
static cJSON *parameter(const struct cfn_ctx *x, const char *name)
{
    const char *value = world_tag(&x->s->params, name);
    if (!value)
        return NULL;
    const cJSON *decl = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(x->s->template, "Parameters"), name);
    const char *type = cJSON_GetStringValue(
        cJSON_GetObjectItemCaseSensitive(decl, "Type"));
    if (!type || (strncmp(type, "List<", 5) != 0 &&
                  strcmp(type, "CommaDelimitedList") != 0))
        return cJSON_CreateString(value);
    cJSON *list = cJSON_CreateArray();
    const char *p = value;
    while (list && *value) {
        const char *comma = strchr(p, ',');
        size_t n = comma ? (size_t)(comma - p) : strlen(p);
        char *item = strndup(p, n);
        cJSON_AddItemToArray(list, cJSON_CreateString(item ? item : ""));
        free(item);
        if (!comma)
            break;
        p = comma + 1;
    }
    return list;
}

static cJSON *ref(const struct cfn_ctx *x, const char *name, char *err,
                  size_t len)
{
    cJSON *v = pseudo(x, name);
    if (!v)
        v = parameter(x, name);
    if (v)
        return v;
    const struct cfn_resource *r = resource(x->s, name);
    if (!r)
        return fail(err, len, "Template format error: Unresolved resource "
                    "dependencies [%s] in the Resources block of the "
                    "template%s", name, NULL);
    if (!r->physical_id)
        return fail(err, len, "Resource %s is not created yet%s", name, NULL);
    return cJSON_CreateString(r->physical_id);
}

static cJSON *get_att(const struct cfn_ctx *x, const char *name,
                      const char *attr, char *err, size_t len)
{
    const struct cfn_resource *r = resource(x->s, name);
    if (!r)
        return fail(err, len, "Template format error: Unresolved resource "
                    "dependencies [%s] in the Resources block of the "
                    "template%s", name, NULL);
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(r->attrs, attr);
    if (!v)
        return fail(err, len, "Template error: resource %s does not support "
                    "attribute type %s in Fn::GetAtt", name, attr);
    return cJSON_Duplicate(v, 1);
}

static cJSON *fn_get_att(const struct cfn_ctx *x, const cJSON *arg,
                         char *err, size_t len)
{
    if (cJSON_IsString(arg)) {
        char name[256];
        const char *dot = strchr(arg->valuestring, '.');
        if (!dot || (size_t)(dot - arg->valuestring) >= sizeof(name))
            return fail(err, len, "Template error: Fn::GetAtt '%s' must be "
                        "RESOURCE.ATTRIBUTE%s", arg->valuestring, NULL);
        snprintf(name, sizeof(name), "%.*s",
                 (int)(dot - arg->valuestring), arg->valuestring);
        return get_att(x, name, dot + 1, err, len);
    }
    const char *name = cJSON_GetStringValue(cJSON_GetArrayItem(arg, 0));
    cJSON *attr = resolve(x, cJSON_GetArrayItem(arg, 1), err, len);
    if (!name || !cJSON_IsString(attr) || cJSON_GetArraySize(arg) != 2) {
        cJSON_Delete(attr);
        return fail(err, len, "Template error: every Fn::GetAtt object "
                    "requires two non-empty parameters%s%s", "", NULL);
    }
    cJSON *v = get_att(x, name, attr->valuestring, err, len);
    cJSON_Delete(attr);
    return v;
}

/* The text of one ${NAME} of Fn::Sub. */
static cJSON *sub_variable(const struct cfn_ctx *x, const char *name,
                           const cJSON *vars, char *err, size_t len)
{
    const cJSON *given = cJSON_GetObjectItemCaseSensitive(vars, name);
    if (given)
        return resolve(x, given, err, len);
    const char *dot = strchr(name, '.');
    if (dot && strncmp(name, "AWS::", 5) != 0) {
        char res[256];
        snprintf(res, sizeof(res), "%.*s", (int)(dot - name), name);
        return get_att(x, res, dot + 1, err, len);
    }
    return ref(x, name, err, len);
}

/* Appends the text of ${...} found at p (after "${") to b; returns the
 * character after its "}", or NULL on error. */
static const char *sub_one(const struct cfn_ctx *x, const char *p,
                           const cJSON *vars, struct buf *b, char *err,
                           size_t len)
{
    const char *end = strchr(p, '}');
    if (!end)
        return fail(err, len, "Template error: Fn::Sub '%s' has a ${ with "
                    "no }%s", p - 2, NULL), NULL;
    char name[256];
    snprintf(name, sizeof(name), "%.*s", (int)(end - p), p);
    if (name[0] == '!') {
        buf_printf(b, "${%s}", name + 1);
        return end + 1;
    }
    cJSON *v = sub_variable(x, name, vars, err, len);
    if (!v)
        return NULL;
    if (!cJSON_IsString(v)) {
        cJSON_Delete(v);
        return fail(err, len, "Template error: variable %s in Fn::Sub "
                    "must be a string%s", name, NULL), NULL;
    }
    buf_puts(b, v->valuestring);
    cJSON_Delete(v);
    return end + 1;
}

static cJSON *fn_sub(const struct cfn_ctx *x, const cJSON *arg, char *err,
                     size_t len)
{
    const cJSON *vars = NULL;
    if (cJSON_IsArray(arg)) {
        vars = cJSON_GetArrayItem(arg, 1);
        arg = cJSON_GetArrayItem(arg, 0);
    }
    if (!cJSON_IsString(arg))
        return fail(err, len, "Template error: Fn::Sub needs a string or "
                    "[string, {variables}]%s%s", "", NULL);
    struct buf b;
    buf_init(&b, 0);
    const char *p = arg->valuestring;
    while (p && *p) {
        const char *open = strstr(p, "${");
        if (!open) {
            buf_puts(&b, p);
            break;
        }
        buf_append(&b, p, (size_t)(open - p));
        p = sub_one(x, open + 2, vars, &b, err, len);
    }
    cJSON *v = p ? cJSON_CreateString(b.data ? b.data : "") : NULL;
    buf_cleanup(&b);
    return v;
}

static cJSON *fn_join(const struct cfn_ctx *x, const cJSON *arg, char *err,
                      size_t len)
{
    const char *sep = cJSON_GetStringValue(cJSON_GetArrayItem(arg, 0));
    cJSON *list = resolve(x, cJSON_GetArrayItem(arg, 1), err, len);
    if (!sep || !cJSON_IsArray(list)) {
        if (list || sep)
            snprintf(err, len, "Template error: Fn::Join needs [delimiter, "
                     "[values]]");
        cJSON_Delete(list);
        return NULL;
    }
    struct buf b;
    buf_init(&b, 0);
    const cJSON *item;
    int i = 0, ok = 1;
    cJSON_ArrayForEach(item, list) {
        if (!cJSON_IsString(item))
            ok = 0;
        else
            buf_printf(&b, "%s%s", i++ ? sep : "", item->valuestring);
    }
    cJSON *v = ok ? cJSON_CreateString(b.data ? b.data : "") : NULL;
    if (!ok)
        snprintf(err, len, "Template error: every value of Fn::Join must "
                 "be a string");
    buf_cleanup(&b);
    cJSON_Delete(list);
    return v;
}

static cJSON *fn_select(const struct cfn_ctx *x, const cJSON *arg,
                        char *err, size_t len)
{
    cJSON *index = resolve(x, cJSON_GetArrayItem(arg, 0), err, len);
    cJSON *list = index ? resolve(x, cJSON_GetArrayItem(arg, 1), err, len)
                        : NULL;
    long n = cJSON_IsNumber(index) ? (long)index->valuedouble
             : cJSON_IsString(index) ? strtol(index->valuestring, NULL, 10)
                                     : -1;
    cJSON *v = NULL;
    if (list && (n < 0 || !cJSON_IsArray(list) ||
                 n >= cJSON_GetArraySize(list)))
        snprintf(err, len, "Template error: Fn::Select cannot select "
                 "nonexistent value at index %ld", n);
    else if (list)
        v = cJSON_DetachItemFromArray(list, (int)n);
    cJSON_Delete(index);
    cJSON_Delete(list);
    return v;
}

static cJSON *fn_import(const struct cfn_ctx *x, const cJSON *arg,
                        char *err, size_t len)
{
    cJSON *name = resolve(x, arg, err, len);
    if (!cJSON_IsString(name)) {
        cJSON_Delete(name);
        return name ? fail(err, len, "Template error: Fn::ImportValue needs "
                           "a string%s%s", "", NULL) : NULL;
    }
    struct cfn_world *cw = cfn_world(x->w);
    for (size_t i = 0; cw && i < cw->count; i++) {
        const struct cfn_stack *s = cw->stacks[i];
        const cJSON *o;
        if (!cfn_is_live(s) || strcmp(s->region, x->s->region) != 0)
            continue;
        cJSON_ArrayForEach(o, s->outputs) {
            const char *export = cJSON_GetStringValue(
                cJSON_GetObjectItemCaseSensitive(o, "ExportName"));
            if (export && strcmp(export, name->valuestring) == 0) {
                cJSON_Delete(name);
                return cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(
                                           o, "OutputValue"), 1);
            }
        }
    }
    fail(err, len, "No export named %s found%s", name->valuestring, NULL);
    cJSON_Delete(name);
    return NULL;
}

static cJSON *fn_if(const struct cfn_ctx *x, const cJSON *arg, char *err,
                    size_t len)
{
    const char *cond = cJSON_GetStringValue(cJSON_GetArrayItem(arg, 0));
    if (!cond || cJSON_GetArraySize(arg) != 3)
        return fail(err, len, "Template error: Fn::If requires a list "
                    "argument with three elements%s%s", "", NULL);
    int holds = cfn_condition(x, cond, err, len);
    if (holds < 0)
        return NULL;
    return resolve(x, cJSON_GetArrayItem(arg, holds ? 1 : 2), err, len);
}

static cJSON *fn_get_azs(const struct cfn_ctx *x, const cJSON *arg,
                         char *err, size_t len)
{
    cJSON *region = resolve(x, arg, err, len);
    const char *name = cJSON_GetStringValue(region);
    cJSON *v = region ? cfn_azs(name && *name ? name : x->s->region) : NULL;
    cJSON_Delete(region);
    return v;
}

static cJSON *fn_split(const struct cfn_ctx *x, const cJSON *arg, char *err,
                       size_t len)
{
    const char *sep = cJSON_GetStringValue(cJSON_GetArrayItem(arg, 0));
    cJSON *text = resolve(x, cJSON_GetArrayItem(arg, 1), err, len);
    if (!sep || !*sep || !cJSON_IsString(text)) {
        cJSON_Delete(text);
        return fail(err, len, "Template error: Fn::Split needs [delimiter, "
                    "string]%s%s", "", NULL);
    }
    cJSON *list = cJSON_CreateArray();
    for (const char *p = text->valuestring; list;) {
        const char *next = strstr(p, sep);
        char *item = strndup(p, next ? (size_t)(next - p) : strlen(p));
        cJSON_AddItemToArray(list, cJSON_CreateString(item ? item : ""));
        free(item);
        if (!next)
            break;
        p = next + strlen(sep);
    }
    cJSON_Delete(text);
    return list;
}

typedef cJSON *(*intrinsic_fn)(const struct cfn_ctx *, const cJSON *,
                               char *, size_t);

static const struct {
    const char *name;
    intrinsic_fn fn;
} intrinsics[] = {
    {"Fn::GetAtt", fn_get_att}, {"Fn::Sub", fn_sub}, {"Fn::Join", fn_join},
    {"Fn::Select", fn_select}, {"Fn::ImportValue", fn_import},
    {"Fn::If", fn_if}, {"Fn::GetAZs", fn_get_azs}, {"Fn::Split", fn_split},
};

static cJSON *intrinsic(const struct cfn_ctx *x, const cJSON *v, char *err,
                        size_t len)
{
    const cJSON *arg = v->child;
    if (strcmp(arg->string, "Ref") == 0) {
        if (!cJSON_IsString(arg))
            return fail(err, len, "Template format error: Every Ref object "
                        "must have a single String value.%s%s", "", NULL);
        return ref(x, arg->valuestring, err, len);
    }
    for (size_t i = 0; i < sizeof(intrinsics) / sizeof(intrinsics[0]); i++)
        if (strcmp(arg->string, intrinsics[i].name) == 0)
            return intrinsics[i].fn(x, arg, err, len);
    return fail(err, len, "Template format error: Unrecognized function "
                "'%s'%s", arg->string, NULL);
}

static int is_intrinsic(const cJSON *v)
{
    return cJSON_IsObject(v) && v->child && !v->child->next &&
           (strcmp(v->child->string, "Ref") == 0 ||
            strncmp(v->child->string, "Fn::", 4) == 0);
}

static cJSON *resolve(const struct cfn_ctx *x, const cJSON *v, char *err,
                      size_t len)
{
    if (!v)
        return fail(err, len, "Template error: a function is missing an "
                    "argument%s%s", "", NULL);
    if (is_intrinsic(v))
        return intrinsic(x, v, err, len);
    if (!cJSON_IsObject(v) && !cJSON_IsArray(v))
        return cJSON_Duplicate(v, 0);
    cJSON *out = cJSON_IsObject(v) ? cJSON_CreateObject()
                                   : cJSON_CreateArray();
    const cJSON *item;
    cJSON_ArrayForEach(item, v) {
        cJSON *r = resolve(x, item, err, len);
        if (!r) {
            cJSON_Delete(out);
            return NULL;
        }
        if (r == &cfn_no_value)
            continue;
        if (cJSON_IsObject(v))
            cJSON_AddItemToObject(out, item->string, r);
        else
            cJSON_AddItemToArray(out, r);
    }
    return out;
}

cJSON *cfn_resolve(const struct cfn_ctx *x, const cJSON *value, char *err,
                   size_t len)
{
    cJSON *v = resolve(x, value, err, len);
    return v == &cfn_no_value ? cJSON_CreateNull() : v;
}

/* ---- conditions --------------------------------------------------------- */

static int condition(const struct cfn_ctx *x, const cJSON *v, int depth,
                     char *err, size_t len);

static int named(const struct cfn_ctx *x, const char *name, int depth,
                 char *err, size_t len)
{
    const cJSON *c = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(x->s->template, "Conditions"), name);
    if (!c) {
        snprintf(err, len, "Template format error: Unresolved condition "
                 "dependency %s in Fn::If", name);
        return -1;
    }
    if (depth > CONDITION_DEPTH) {
        snprintf(err, len, "Template format error: Circular condition "
                 "dependency %s", name);
        return -1;
    }
    return condition(x, c, depth + 1, err, len);
}

static int equals(const struct cfn_ctx *x, const cJSON *arg, char *err,
                  size_t len)
{
    cJSON *a = resolve(x, cJSON_GetArrayItem(arg, 0), err, len);
    cJSON *b = a ? resolve(x, cJSON_GetArrayItem(arg, 1), err, len) : NULL;
    int rc = a && b ? cJSON_Compare(a, b, 1) : -1;
    if (a != &cfn_no_value)
        cJSON_Delete(a);
    if (b != &cfn_no_value)
        cJSON_Delete(b);
    return rc;
}

static int condition(const struct cfn_ctx *x, const cJSON *v, int depth,
                     char *err, size_t len)
{
    const cJSON *fn = cJSON_IsObject(v) ? v->child : NULL;
    if (!fn) {
        snprintf(err, len, "Template format error: every condition must be "
                 "a condition function");
        return -1;
    }
    if (strcmp(fn->string, "Condition") == 0 && cJSON_IsString(fn))
        return named(x, fn->valuestring, depth, err, len);
    if (strcmp(fn->string, "Fn::Equals") == 0)
        return equals(x, fn, err, len);
    if (strcmp(fn->string, "Fn::Not") == 0) {
        int rc = condition(x, cJSON_GetArrayItem(fn, 0), depth + 1, err, len);
        return rc < 0 ? -1 : !rc;
    }
    int is_and = strcmp(fn->string, "Fn::And") == 0;
    if (!is_and && strcmp(fn->string, "Fn::Or") != 0) {
        snprintf(err, len, "Template format error: Unrecognized condition "
                 "function '%s'", fn->string);
        return -1;
    }
    const cJSON *item;
    int result = is_and;
    cJSON_ArrayForEach(item, fn) {
        int rc = condition(x, item, depth + 1, err, len);
        if (rc < 0)
            return -1;
        result = is_and ? result && rc : result || rc;
    }
    return result;
}

int cfn_condition(const struct cfn_ctx *x, const char *name, char *err,
                  size_t len)
{
    return named(x, name, 0, err, len);
}

/* ---- references ------------------------------------------------------- */

static int add_name(char ***names, size_t *count, const char *name,
                    size_t n)
{
    for (size_t i = 0; i < *count; i++)
        if (strlen((*names)[i]) == n && strncmp((*names)[i], name, n) == 0)
            return 0;
    char **grown = realloc(*names, (*count + 1) * sizeof(*grown));
    if (!grown)
        return -1;
    *names = grown;
    if (!(grown[*count] = strndup(name, n)))
        return -1;
    (*count)++;
    return 0;
}

static int is_resource_name(const char *name, size_t n, const cJSON *params,
                            const cJSON *vars)
{
    char key[256];
    snprintf(key, sizeof(key), "%.*s", (int)n, name);
    return strncmp(key, "AWS::", 5) != 0 &&
           !cJSON_GetObjectItemCaseSensitive(params, key) &&
           !cJSON_GetObjectItemCaseSensitive(vars, key);
}

static int sub_references(const cJSON *arg, const cJSON *params,
                          char ***names, size_t *count)
{
    const cJSON *vars = NULL;
    if (cJSON_IsArray(arg)) {
        vars = cJSON_GetArrayItem(arg, 1);
        if (cfn_references(vars, params, names, count) < 0)
            return -1;
        arg = cJSON_GetArrayItem(arg, 0);
    }
    const char *p = cJSON_GetStringValue(arg);
    while (p && (p = strstr(p, "${"))) {
        const char *name = p + 2, *end = strchr(name, '}');
        if (!end)
            break;
        size_t n = strcspn(name, ".}");
        if (*name != '!' && is_resource_name(name, n, params, vars) &&
            add_name(names, count, name, n) < 0)
            return -1;
        p = end + 1;
    }
    return 0;
}

int cfn_references(const cJSON *value, const cJSON *params, char ***names,
                   size_t *count)
{
    if (is_intrinsic(value)) {
        const cJSON *arg = value->child;
        const char *name = cJSON_GetStringValue(arg);
        if (strcmp(arg->string, "Ref") == 0 && name)
            return is_resource_name(name, strlen(name), params, NULL)
                       ? add_name(names, count, name, strlen(name)) : 0;
        if (strcmp(arg->string, "Fn::GetAtt") == 0) {
            if (!name)
                name = cJSON_GetStringValue(cJSON_GetArrayItem(arg, 0));
            return name ? add_name(names, count, name, strcspn(name, "."))
                        : 0;
        }
        if (strcmp(arg->string, "Fn::Sub") == 0)
            return sub_references(arg, params, names, count);
    }
    const cJSON *item;
    if (cJSON_IsObject(value) || cJSON_IsArray(value))
        cJSON_ArrayForEach(item, value)
            if (cfn_references(item, params, names, count) < 0)
                return -1;
    return 0;
}
