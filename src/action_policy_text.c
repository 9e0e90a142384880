/*
 * The text of albatross describe policy: the policy's facts, then each
 * statement of its default version on a few lines (effect, actions,
 * resources, principal, conditions), then the document itself. Reading
 * a statement list is quicker than reading the JSON, and the JSON stays
 * for copying.
 */
#define _GNU_SOURCE  /* open_memstream is POSIX; asprintf is not */
#include "action_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "../api/iam_policy.h"
#include "util.h"

static void field(FILE *f, const char *name, const char *value)
{
    if (value && *value)
        fprintf(f, "%-16s %s\n", name, value);
}

/* A string as it is, an array of strings one a line (under the first,
 * at column indent), anything else as compact JSON. */
static void put_value(FILE *f, const cJSON *v, int indent)
{
    if (cJSON_IsString(v)) {
        fputs(v->valuestring, f);
        return;
    }
    if (cJSON_IsArray(v)) {
        const cJSON *item;
        int first = 1, strings = 1;
        cJSON_ArrayForEach(item, v)
            strings &= cJSON_IsString(item);
        if (strings) {
            cJSON_ArrayForEach(item, v) {
                fprintf(f, "%s%*s%s", first ? "" : "\n", first ? 0 : indent,
                        "", item->valuestring);
                first = 0;
            }
            return;
        }
    }
    char *text = cJSON_PrintUnformatted(v);
    fputs(text ? text : "?", f);
    free(text);
}

static void statement_line(FILE *f, const cJSON *st, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(st, key);
    if (!v)
        return;
    fprintf(f, "     %-12s ", key);
    put_value(f, v, 18);
    fputc('\n', f);
}

static void statement(FILE *f, const cJSON *st, int n)
{
    static const char *const keys[] = {
        "Sid", "Principal", "NotPrincipal", "Action", "NotAction",
        "Resource", "NotResource", "Condition",
    };
    fprintf(f, "  %d. ", n);
    put_value(f, cJSON_GetObjectItemCaseSensitive(st, "Effect"), 0);
    fputc('\n', f);
    for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++)
        statement_line(f, st, keys[k]);
}

static void statements(FILE *f, const char *document)
{
    cJSON *doc = cJSON_Parse(document);
    const cJSON *list = cJSON_GetObjectItemCaseSensitive(doc, "Statement");
    if (cJSON_IsObject(list)) {
        /* A single statement may stand without its array. */
        fputs("Statements:\n", f);
        statement(f, list, 1);
    } else if (cJSON_IsArray(list)) {
        fputs("Statements:\n", f);
        int n = 0;
        const cJSON *st;
        cJSON_ArrayForEach(st, list)
            statement(f, st, ++n);
    } else {
        fputs("Statements:      none (the document has no Statement)\n", f);
    }
    cJSON_Delete(doc);
}

char *action_describe_policy_text(const struct iam_policy_info *info)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    if (!f)
        abort();
    field(f, "Name:", info->name);
    field(f, "ARN:", info->arn);
    field(f, "Description:", info->description);
    field(f, "Default version:", info->default_version);
    field(f, "Attachments:", info->attachment_count);
    field(f, "Created:", info->created);
    field(f, "Updated:", info->updated);
    statements(f, info->document ? info->document : "");
    char *pretty = action_pretty_json(info->document);
    fputs("Document:\n", f);
    for (const char *s = pretty; *s;) {
        size_t n = strcspn(s, "\n");
        fprintf(f, "  %.*s\n", (int)n, s);
        s += n + (s[n] == '\n');
    }
    free(pretty);
    fclose(f);
    return text;
}
