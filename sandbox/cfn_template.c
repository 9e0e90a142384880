/*
 * cfn_template_load: reads a JSON template and checks it as CreateStack
 * does before it creates anything: the sections, resource types,
 * parameters, conditions, references between resources, cycles and the
 * capabilities IAM resources need. The messages are CloudFormation's.
 */
#include "cfn.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../api/buf.h"
#include "world_net.h"

#define VALIDATION "ValidationError"
#define RESOURCES_MAX 500   /* CloudFormation's quota per template */

static const char *const sections[] = {
    "AWSTemplateFormatVersion", "Description", "Metadata", "Parameters",
    "Mappings", "Conditions", "Transform", "Resources", "Outputs", "Rules",
    NULL,
};

/* Names joined as CloudFormation lists them: "[A, B]". */
static void name_list(char *out, size_t len, char **names, size_t count)
{
    struct buf b;
    buf_init(&b, 0);
    for (size_t i = 0; i < count; i++)
        buf_printf(&b, "%s%s", i ? ", " : "", names[i]);
    snprintf(out, len, "[%s]", b.data ? b.data : "");
    buf_cleanup(&b);
}

static void free_names(char **names, size_t count)
{
    for (size_t i = 0; i < count; i++)
        free(names[i]);
    free(names);
}

/* The parse error message, with the line and column where cJSON stopped. */
static void parse_error(const char *body, char *msg, size_t len)
{
    const char *at = cJSON_GetErrorPtr();
    int line = 1, column = 1;
    for (const char *p = body; at && p < at && *p; p++) {
        column = *p == '\n' ? 1 : column + 1;
        line += *p == '\n';
    }
    snprintf(msg, len, "Template format error: JSON not well-formed. (line "
             "%d, column %d)", line, column);
}

static const char *parse(struct cfn_stack *s, char *msg, size_t len)
{
    const char *p = s->body + strspn(s->body, " \t\r\n");
    if (*p != '{') {
        /* TODO: YAML templates. */
        snprintf(msg, len, "Template format error: albatross-sandbox reads "
                 "JSON templates only; send the template as a JSON object");
        return VALIDATION;
    }
    s->template = cJSON_Parse(s->body);
    if (!cJSON_IsObject(s->template)) {
        parse_error(s->body, msg, len);
        return VALIDATION;
    }
    const cJSON *item;
    cJSON_ArrayForEach(item, s->template) {
        int known = 0;
        for (const char *const *k = sections; *k; k++)
            known |= strcmp(*k, item->string) == 0;
        if (!known) {
            snprintf(msg, len, "Template format error: Invalid template "
                     "property or properties [%s]", item->string);
            return VALIDATION;
        }
        if (!cJSON_IsString(item) && !cJSON_IsObject(item)) {
            snprintf(msg, len, "Template format error: %s must be a JSON "
                     "object", item->string);
            return VALIDATION;
        }
    }
    return NULL;
}

static const char *read_resources(struct cfn_stack *s, char *msg, size_t len)
{
    const cJSON *res = cJSON_GetObjectItemCaseSensitive(s->template,
                                                        "Resources");
    int n = cJSON_IsObject(res) ? cJSON_GetArraySize(res) : 0;
    if (n == 0) {
        snprintf(msg, len, "Template format error: At least one Resources "
                 "member must be defined.");
        return VALIDATION;
    }
    if (n > RESOURCES_MAX) {
        snprintf(msg, len, "Template format error: Number of resources, %d, "
                 "is greater than maximum allowed, %d", n, RESOURCES_MAX);
        return VALIDATION;
    }
    s->resources = calloc((size_t)n, sizeof(*s->resources));
    if (!s->resources) {
        snprintf(msg, len, "out of memory");
        return "InternalFailure";
    }
    char **unknown = NULL;
    size_t unknown_count = 0;
    const cJSON *def;
    cJSON_ArrayForEach(def, res) {
        struct cfn_resource *r = &s->resources[s->resource_count++];
        const char *type = cJSON_GetStringValue(
            cJSON_GetObjectItemCaseSensitive(def, "Type"));
        r->def = def;
        r->logical_id = strdup(def->string);
        r->type = type ? strdup(type) : NULL;
        if (!type) {
            free_names(unknown, unknown_count);
            snprintf(msg, len, "Template format error: [/Resources/%s] "
                     "Every Resources object must contain a Type member.",
                     def->string);
            return VALIDATION;
        }
        if (!cfn_type(type)) {
            char **grown = realloc(unknown, (unknown_count + 1) *
                                            sizeof(*grown));
            if (grown) {
                unknown = grown;
                unknown[unknown_count++] = strdup(type);
            }
        }
    }
    if (!unknown_count)
        return NULL;
    char names[512];
    name_list(names, sizeof(names), unknown, unknown_count);
    free_names(unknown, unknown_count);
    snprintf(msg, len, "Template format error: Unrecognized resource types: "
             "%s", names);
    return VALIDATION;
}

static const char *allowed_value(const char *name, const cJSON *decl,
                                 const char *value, char *msg, size_t len)
{
    const cJSON *allowed = cJSON_GetObjectItemCaseSensitive(decl,
                                                            "AllowedValues");
    const cJSON *item;
    if (!cJSON_IsArray(allowed))
        return NULL;
    cJSON_ArrayForEach(item, allowed)
        if (cJSON_IsString(item) && strcmp(item->valuestring, value) == 0)
            return NULL;
    snprintf(msg, len, "Parameter '%s' must be one of AllowedValues", name);
    return VALIDATION;
}

/* s->params: each declared parameter's given value or its default. */
static const char *read_parameters(struct cfn_stack *s,
                                   const struct world_kv_list *given,
                                   char *msg, size_t len)
{
    const cJSON *decls = cJSON_GetObjectItemCaseSensitive(s->template,
                                                          "Parameters");
    for (size_t i = 0; i < given->count; i++)
        if (!cJSON_GetObjectItemCaseSensitive(decls, given->items[i].key)) {
            snprintf(msg, len, "Parameters: [%s] do not exist in the "
                     "template", given->items[i].key);
            return VALIDATION;
        }
    char **missing = NULL;
    size_t missing_count = 0;
    const cJSON *decl;
    cJSON_ArrayForEach(decl, decls) {
        const char *value = world_tag(given, decl->string);
        const cJSON *dflt = cJSON_GetObjectItemCaseSensitive(decl, "Default");
        char number[32];
        if (!value && cJSON_IsNumber(dflt)) {
            snprintf(number, sizeof(number), "%g", dflt->valuedouble);
            value = number;
        } else if (!value) {
            value = cJSON_GetStringValue(dflt);
        }
        if (!value) {
            char **grown = realloc(missing, (missing_count + 1) *
                                            sizeof(*grown));
            if (grown && (grown[missing_count] = strdup(decl->string)))
                missing_count++;
            missing = grown ? grown : missing;
            continue;
        }
        const char *code = allowed_value(decl->string, decl, value, msg, len);
        if (code || world_kv_add(&s->params, decl->string, value) < 0) {
            free_names(missing, missing_count);
            return code ? code : "InternalFailure";
        }
    }
    if (!missing_count)
        return NULL;
    char names[512];
    name_list(names, sizeof(names), missing, missing_count);
    free_names(missing, missing_count);
    snprintf(msg, len, "Parameters: %s must have values", names);
    return VALIDATION;
}

static long find_resource(const struct cfn_stack *s, const char *name)
{
    for (size_t i = 0; i < s->resource_count; i++)
        if (strcmp(s->resources[i].logical_id, name) == 0)
            return (long)i;
    return -1;
}

/* The names a resource refers to, its DependsOn included. */
static int resource_names(const struct cfn_resource *r, const cJSON *params,
                          char ***names, size_t *count)
{
    const cJSON *depends = cJSON_GetObjectItemCaseSensitive(r->def,
                                                            "DependsOn");
    cJSON *list = cJSON_IsString(depends) ? cJSON_CreateArray() : NULL;
    if (list)
        cJSON_AddItemToArray(list, cJSON_CreateString(depends->valuestring));
    const cJSON *items = list ? list : depends;
    const cJSON *item;
    int rc = cfn_references(cJSON_GetObjectItemCaseSensitive(r->def,
                                                             "Properties"),
                            params, names, count);
    cJSON_ArrayForEach(item, items) {
        const char *name = cJSON_GetStringValue(item);
        if (rc == 0 && name) {
            cJSON *ref = cJSON_CreateObject();
            cJSON_AddStringToObject(ref, "Ref", name);
            rc = cfn_references(ref, NULL, names, count);
            cJSON_Delete(ref);
        }
    }
    cJSON_Delete(list);
    return rc;
}

static const char *unresolved(const struct cfn_stack *s, char **names,
                              size_t count, const char *block, char *msg,
                              size_t len)
{
    char **missing = NULL;
    size_t missing_count = 0;
    for (size_t i = 0; i < count; i++)
        if (find_resource(s, names[i]) < 0) {
            char **grown = realloc(missing, (missing_count + 1) *
                                            sizeof(*grown));
            if (grown)
                (missing = grown)[missing_count++] = names[i];
        }
    if (!missing_count)
        return NULL;
    char list[512];
    name_list(list, sizeof(list), missing, missing_count);
    free(missing);
    snprintf(msg, len, "Template format error: Unresolved resource "
             "dependencies %s in the %s block of the template", list, block);
    return VALIDATION;
}

static const char *link_resources(struct cfn_stack *s, char *msg, size_t len)
{
    const cJSON *params = cJSON_GetObjectItemCaseSensitive(s->template,
                                                           "Parameters");
    for (size_t i = 0; i < s->resource_count; i++) {
        struct cfn_resource *r = &s->resources[i];
        char **names = NULL;
        size_t count = 0;
        const char *code = resource_names(r, params, &names, &count) < 0
                               ? "InternalFailure"
                               : unresolved(s, names, count, "Resources",
                                            msg, len);
        r->deps = code ? NULL : calloc(count ? count : 1, sizeof(size_t));
        for (size_t j = 0; r->deps && j < count; j++)
            r->deps[r->dep_count++] = (size_t)find_resource(s, names[j]);
        free_names(names, count);
        if (code)
            return code;
    }
    char **names = NULL;
    size_t count = 0;
    cfn_references(cJSON_GetObjectItemCaseSensitive(s->template, "Outputs"),
                   params, &names, &count);
    const char *code = unresolved(s, names, count, "Outputs", msg, len);
    free_names(names, count);
    return code;
}

/* Depth-first search for a cycle through i; marks: 0 new, 1 on the
 * path, 2 done. Returns 1 with the cycle's names in *path. */
static int cycle_from(const struct cfn_stack *s, size_t i, int *mark,
                      size_t *path, size_t *depth)
{
    mark[i] = 1;
    path[(*depth)++] = i;
    for (size_t d = 0; d < s->resources[i].dep_count; d++) {
        size_t j = s->resources[i].deps[d];
        if (mark[j] == 1) {
            size_t k = 0;
            while (path[k] != j)
                k++;
            memmove(path, path + k, (*depth - k) * sizeof(*path));
            *depth -= k;
            return 1;
        }
        if (mark[j] == 0 && cycle_from(s, j, mark, path, depth))
            return 1;
    }
    mark[i] = 2;
    (*depth)--;
    return 0;
}

static const char *check_cycles(const struct cfn_stack *s, char *msg,
                                size_t len)
{
    int *mark = calloc(s->resource_count, sizeof(*mark));
    size_t *path = calloc(s->resource_count + 1, sizeof(*path));
    size_t depth = 0;
    const char *code = NULL;
    for (size_t i = 0; mark && path && !code && i < s->resource_count; i++) {
        if (mark[i] || !cycle_from(s, i, mark, path, &depth))
            continue;
        char **names = calloc(depth, sizeof(*names));
        for (size_t k = 0; names && k < depth; k++)
            names[k] = s->resources[path[k]].logical_id;
        char list[512];
        name_list(list, sizeof(list), names, names ? depth : 0);
        free(names);
        snprintf(msg, len, "Circular dependency between resources: %s",
                 list);
        code = VALIDATION;
    }
    if (!mark || !path) {
        snprintf(msg, len, "out of memory");
        code = "InternalFailure";
    }
    free(mark);
    free(path);
    return code;
}

static int has_capability(const struct cfn_stack *s, const char *name)
{
    for (size_t i = 0; i < s->capability_count; i++)
        if (strcmp(s->capabilities[i], name) == 0)
            return 1;
    return 0;
}

static const char *check_capabilities(const struct cfn_stack *s, char *msg,
                                      size_t len)
{
    const char *need = NULL;
    for (size_t i = 0; i < s->resource_count; i++) {
        const struct cfn_type *t = cfn_type(s->resources[i].type);
        const cJSON *props = cJSON_GetObjectItemCaseSensitive(
            s->resources[i].def, "Properties");
        if (t->named_iam && cJSON_GetObjectItemCaseSensitive(props,
                                                             t->named_iam))
            need = "CAPABILITY_NAMED_IAM";
        else if (t->iam && !need)
            need = "CAPABILITY_IAM";
    }
    if (!need || has_capability(s, "CAPABILITY_NAMED_IAM") ||
        (strcmp(need, "CAPABILITY_IAM") == 0 &&
         has_capability(s, "CAPABILITY_IAM")))
        return NULL;
    snprintf(msg, len, "Requires capabilities : [%s]", need);
    return "InsufficientCapabilitiesException";
}

static const char *apply_conditions(struct world *w, struct cfn_stack *s,
                                    char *msg, size_t len)
{
    struct cfn_ctx x = {w, s};
    for (size_t i = 0; i < s->resource_count; i++) {
        const cJSON *cond = cJSON_GetObjectItemCaseSensitive(
            s->resources[i].def, "Condition");
        if (!cond)
            continue;
        int holds = cJSON_IsString(cond)
                        ? cfn_condition(&x, cond->valuestring, msg, len)
                        : -1;
        if (holds < 0) {
            if (!cJSON_IsString(cond))
                snprintf(msg, len, "Template format error: the Condition of "
                         "%s must be a string", s->resources[i].logical_id);
            return VALIDATION;
        }
        s->resources[i].skipped = !holds;
    }
    return NULL;
}

const char *cfn_template_load(struct world *w, struct cfn_stack *s,
                              const struct world_kv_list *given, char *msg,
                              size_t len)
{
    const char *code = parse(s, msg, len);
    if (!code)
        code = read_resources(s, msg, len);
    if (!code)
        code = read_parameters(s, given, msg, len);
    if (!code)
        code = link_resources(s, msg, len);
    if (!code)
        code = check_cycles(s, msg, len);
    if (!code)
        code = apply_conditions(w, s, msg, len);
    if (!code)
        code = check_capabilities(s, msg, len);
    return code;
}
