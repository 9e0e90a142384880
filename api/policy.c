/*
 * IAM policy documents. The grammar follows the IAM JSON policy reference:
 * Statement is one object or an array; Principal is "*" or an object whose
 * Federated, Service and AWS entries are a string or an array; Action and
 * NotAction likewise; Condition maps operators to keys to a string or an
 * array. Numbers and booleans in conditions are kept as their JSON text.
 */
#include "policy.h"

#include <cjson/cJSON.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void free_strings(struct policy_strings *s)
{
    for (size_t i = 0; i < s->count; i++)
        free(s->items[i]);
    free(s->items);
    s->items = NULL;
    s->count = 0;
}

static void free_statement(struct policy_statement *st)
{
    free(st->sid);
    free_strings(&st->federated);
    free_strings(&st->service);
    free_strings(&st->aws);
    free_strings(&st->resources);
    free_strings(&st->actions);
    for (size_t i = 0; i < st->condition_count; i++) {
        free(st->conditions[i].op);
        free(st->conditions[i].key);
        free_strings(&st->conditions[i].values);
    }
    free(st->conditions);
}

void policy_cleanup(struct policy *p)
{
    for (size_t i = 0; i < p->count; i++)
        free_statement(&p->statements[i]);
    free(p->statements);
    free(p->version);
    memset(p, 0, sizeof(*p));
}

static int push(struct policy_strings *s, const char *value)
{
    char *copy = strdup(value);
    char **grown = copy ? realloc(s->items, (s->count + 1) * sizeof(*grown))
                        : NULL;
    if (!grown) {
        free(copy);
        return -1;
    }
    s->items = grown;
    s->items[s->count++] = copy;
    return 0;
}

/* The text of a scalar: strings as they are, numbers and booleans as JSON
 * writes them. NULL for anything else. */
static char *scalar_text(const cJSON *item)
{
    if (cJSON_IsString(item))
        return strdup(item->valuestring);
    if (cJSON_IsBool(item))
        return strdup(cJSON_IsTrue(item) ? "true" : "false");
    if (cJSON_IsNumber(item))
        return cJSON_PrintUnformatted(item);
    return NULL;
}

/* Appends a string, or every string of an array, to out. Returns 0, or -1
 * with err naming field. */
static int read_strings(const cJSON *item, const char *field,
                        struct policy_strings *out, char *err, size_t errlen)
{
    int single = !cJSON_IsArray(item);
    int n = single ? 1 : cJSON_GetArraySize(item);
    if (n > POLICY_MAX_VALUES) {
        snprintf(err, errlen, "%s has %d values; at most %d are read", field,
                 n, POLICY_MAX_VALUES);
        return -1;
    }
    for (int i = 0; i < n; i++) {
        const cJSON *v = single ? item : cJSON_GetArrayItem(item, i);
        char *text = scalar_text(v);
        int rc = text ? push(out, text) : -1;
        free(text);
        if (rc < 0) {
            snprintf(err, errlen, "%s must be a string or an array of "
                     "strings", field);
            return -1;
        }
    }
    return 0;
}

static int read_principal(const cJSON *item, struct policy_statement *st,
                          char *err, size_t errlen)
{
    if (cJSON_IsString(item) && strcmp(item->valuestring, "*") == 0) {
        st->any_principal = 1;
        return 0;
    }
    if (!cJSON_IsObject(item)) {
        snprintf(err, errlen, "Principal must be \"*\" or an object");
        return -1;
    }
    const cJSON *e;
    cJSON_ArrayForEach(e, item) {
        struct policy_strings *to =
            strcmp(e->string, "Federated") == 0 ? &st->federated
            : strcmp(e->string, "Service") == 0 ? &st->service
            : strcmp(e->string, "AWS") == 0     ? &st->aws
                                                 : NULL;
        char field[96];
        snprintf(field, sizeof(field), "Principal.%s", e->string);
        if (!to && strcmp(e->string, "CanonicalUser") == 0)
            continue;
        if (!to) {
            snprintf(err, errlen, "%s is not a principal type IAM knows "
                     "(Federated, Service, AWS, CanonicalUser)", field);
            return -1;
        }
        if (read_strings(e, field, to, err, errlen) < 0)
            return -1;
    }
    for (size_t i = 0; i < st->aws.count; i++)
        if (strcmp(st->aws.items[i], "*") == 0)
            st->any_principal = 1;
    return 0;
}

static int add_condition(struct policy_statement *st, const char *op,
                         const cJSON *key, char *err, size_t errlen)
{
    if (st->condition_count >= POLICY_MAX_CONDITIONS) {
        snprintf(err, errlen, "Condition has more than %d keys",
                 POLICY_MAX_CONDITIONS);
        return -1;
    }
    struct policy_condition *grown =
        realloc(st->conditions, (st->condition_count + 1) * sizeof(*grown));
    if (!grown) {
        snprintf(err, errlen, "out of memory reading Condition");
        return -1;
    }
    st->conditions = grown;
    struct policy_condition *c = &grown[st->condition_count++];
    memset(c, 0, sizeof(*c));
    c->op = strdup(op);
    c->key = strdup(key->string);
    char field[160];
    snprintf(field, sizeof(field), "Condition.%s.%s", op, key->string);
    if (!c->op || !c->key) {
        snprintf(err, errlen, "out of memory reading %s", field);
        return -1;
    }
    return read_strings(key, field, &c->values, err, errlen);
}

static int read_conditions(const cJSON *item, struct policy_statement *st,
                           char *err, size_t errlen)
{
    if (!cJSON_IsObject(item)) {
        snprintf(err, errlen, "Condition must be an object of operators");
        return -1;
    }
    const cJSON *op;
    cJSON_ArrayForEach(op, item) {
        if (!cJSON_IsObject(op)) {
            snprintf(err, errlen, "Condition.%s must be an object of keys",
                     op->string);
            return -1;
        }
        const cJSON *key;
        cJSON_ArrayForEach(key, op)
            if (add_condition(st, op->string, key, err, errlen) < 0)
                return -1;
    }
    return 0;
}

static int read_effect(const cJSON *item, struct policy_statement *st,
                       char *err, size_t errlen)
{
    const char *effect = cJSON_GetStringValue(item);
    if (effect && strcmp(effect, "Allow") == 0)
        st->effect = POLICY_ALLOW;
    else if (effect && strcmp(effect, "Deny") == 0)
        st->effect = POLICY_DENY;
    else {
        snprintf(err, errlen, "Effect must be \"Allow\" or \"Deny\"");
        return -1;
    }
    return 0;
}

static int read_actions(const cJSON *obj, struct policy_statement *st,
                        char *err, size_t errlen)
{
    const cJSON *action = cJSON_GetObjectItemCaseSensitive(obj, "Action");
    const cJSON *not_action =
        cJSON_GetObjectItemCaseSensitive(obj, "NotAction");
    if (!action == !not_action) {
        snprintf(err, errlen, "a statement needs exactly one of Action and "
                 "NotAction");
        return -1;
    }
    st->not_action = not_action != NULL;
    return read_strings(action ? action : not_action,
                        action ? "Action" : "NotAction", &st->actions, err,
                        errlen);
}

/* Resource or NotResource, optional: trust policies have neither. */
static int read_resources(const cJSON *obj, struct policy_statement *st,
                          char *err, size_t errlen)
{
    const cJSON *resource = cJSON_GetObjectItemCaseSensitive(obj, "Resource");
    const cJSON *not_resource =
        cJSON_GetObjectItemCaseSensitive(obj, "NotResource");
    if (resource && not_resource) {
        snprintf(err, errlen, "a statement may have Resource or NotResource,"
                 " not both");
        return -1;
    }
    if (!resource && !not_resource)
        return 0;
    st->not_resource = not_resource != NULL;
    return read_strings(resource ? resource : not_resource,
                        resource ? "Resource" : "NotResource",
                        &st->resources, err, errlen);
}

static int read_statement(const cJSON *obj, struct policy_statement *st,
                          char *err, size_t errlen)
{
    if (!cJSON_IsObject(obj)) {
        snprintf(err, errlen, "each Statement must be an object");
        return -1;
    }
    const char *sid = cJSON_GetStringValue(
        cJSON_GetObjectItemCaseSensitive(obj, "Sid"));
    st->sid = sid ? strdup(sid) : NULL;
    const cJSON *principal =
        cJSON_GetObjectItemCaseSensitive(obj, "Principal");
    const cJSON *condition =
        cJSON_GetObjectItemCaseSensitive(obj, "Condition");
    if (read_effect(cJSON_GetObjectItemCaseSensitive(obj, "Effect"), st,
                    err, errlen) < 0 ||
        read_actions(obj, st, err, errlen) < 0 ||
        read_resources(obj, st, err, errlen) < 0)
        return -1;
    if (principal && read_principal(principal, st, err, errlen) < 0)
        return -1;
    if (condition && read_conditions(condition, st, err, errlen) < 0)
        return -1;
    return 0;
}

static int read_statements(const cJSON *item, struct policy *p, char *err,
                           size_t errlen)
{
    int single = cJSON_IsObject(item);
    int n = single ? 1 : cJSON_IsArray(item) ? cJSON_GetArraySize(item) : -1;
    if (n < 0) {
        snprintf(err, errlen, "Statement is missing or is neither an object "
                 "nor an array");
        return -1;
    }
    if (n > POLICY_MAX_STATEMENTS) {
        snprintf(err, errlen, "Statement has %d entries; at most %d are "
                 "read", n, POLICY_MAX_STATEMENTS);
        return -1;
    }
    p->statements = calloc(n ? (size_t)n : 1, sizeof(*p->statements));
    if (!p->statements) {
        snprintf(err, errlen, "out of memory reading Statement");
        return -1;
    }
    for (int i = 0; i < n; i++) {
        p->count++;
        const cJSON *obj = single ? item : cJSON_GetArrayItem(item, i);
        char where[200];
        if (read_statement(obj, &p->statements[i], where,
                           sizeof(where)) < 0) {
            snprintf(err, errlen, "Statement %d: %s", i + 1, where);
            return -1;
        }
    }
    return 0;
}

int policy_parse(const char *json, struct policy *p, char *err,
                 size_t errlen)
{
    memset(p, 0, sizeof(*p));
    size_t len = json ? strnlen(json, POLICY_MAX_BYTES + 1) : 0;
    if (len == 0 || len > POLICY_MAX_BYTES) {
        snprintf(err, errlen, "the policy document is %s", len ? "larger "
                 "than 128 KiB" : "empty");
        return -1;
    }
    cJSON *root = cJSON_ParseWithLength(json, len);
    int rc = -1;
    if (!cJSON_IsObject(root))
        snprintf(err, errlen, "the policy document is not a JSON object");
    else
        rc = read_statements(
            cJSON_GetObjectItemCaseSensitive(root, "Statement"), p, err,
            errlen);
    const char *version = cJSON_GetStringValue(
        cJSON_GetObjectItemCaseSensitive(root, "Version"));
    if (rc == 0 && version)
        p->version = strdup(version);
    cJSON_Delete(root);
    if (rc < 0)
        policy_cleanup(p);
    return rc;
}

/* Glob match with * (any run, also empty) and ? (one character). */
static int glob(const char *pattern, const char *s, int fold)
{
    const char *star = NULL, *resume = NULL;
    while (*s) {
        int same = fold ? tolower((unsigned char)*pattern) ==
                              tolower((unsigned char)*s)
                        : *pattern == *s;
        if (*pattern == '*') {
            star = pattern++;
            resume = s;
        } else if (*pattern && (*pattern == '?' || same)) {
            pattern++;
            s++;
        } else if (star) {
            pattern = star + 1;
            s = ++resume;
        } else {
            return 0;
        }
    }
    while (*pattern == '*')
        pattern++;
    return *pattern == '\0';
}

int policy_action_matches(const char *pattern, const char *action)
{
    return pattern && action && glob(pattern, action, 1);
}

int policy_statement_covers(const struct policy_statement *st,
                            const char *action)
{
    int listed = 0;
    for (size_t i = 0; i < st->actions.count && !listed; i++)
        listed = policy_action_matches(st->actions.items[i], action);
    return st->not_action ? !listed : listed;
}

int policy_string_like(const char *pattern, const char *value)
{
    return pattern && value && glob(pattern, value, 0);
}
