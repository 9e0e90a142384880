#include "redact.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

int redact_header_is_secret(const char *name)
{
    static const char *const secret[] = {
        "Authorization", "Proxy-Authorization", "X-Amz-Security-Token",
        "Cookie", "Set-Cookie",
    };
    for (size_t i = 0; i < sizeof(secret) / sizeof(secret[0]); i++)
        if (strcasecmp(name, secret[i]) == 0)
            return 1;
    return 0;
}

/* Appends s (n bytes) to out at *used, truncating at len - 1. */
static void put(char *out, size_t len, size_t *used, const char *s, size_t n)
{
    if (*used + 1 >= len)
        return;
    if (n > len - 1 - *used)
        n = len - 1 - *used;
    memcpy(out + *used, s, n);
    *used += n;
    out[*used] = '\0';
}

/* The parts of a SigV4 Authorization value worth keeping: the algorithm,
 * Credential (access key id and scope) and SignedHeaders, not the
 * Signature. */
static void put_authorization(char *out, size_t len, size_t *used,
                              const char *value)
{
    size_t scheme = strcspn(value, " ");
    put(out, len, used, value, scheme);
    if (strncmp(value, "AWS4-", 5) != 0 || !value[scheme]) {
        put(out, len, used, " " REDACTED, strlen(" " REDACTED));
        return;
    }
    put(out, len, used, " ", 1);
    const char *p = value + scheme;
    while (*p) {
        p += strspn(p, " ,");
        size_t n = strcspn(p, ",");
        if (n == 0)
            break;
        if (!strncmp(p, "Credential=", 11) || !strncmp(p, "SignedHeaders=", 14))
            put(out, len, used, p, n);
        else
            put(out, len, used, "Signature=" REDACTED,
                strlen("Signature=" REDACTED));
        p += n;
        if (*p)
            put(out, len, used, ", ", 2);
    }
}

void redact_header_line(const char *line, char *out, size_t len)
{
    size_t used = 0, name_len = strcspn(line, ":");
    char name[64];
    if (len == 0)
        return;
    out[0] = '\0';
    snprintf(name, sizeof(name), "%.*s", (int)name_len, line);
    if (!line[name_len] || !redact_header_is_secret(name)) {
        put(out, len, &used, line, strlen(line));
        return;
    }
    put(out, len, &used, line, name_len + 1);
    const char *value = line + name_len + 1;
    value += strspn(value, " ");
    put(out, len, &used, " ", 1);
    if (strcasecmp(name, "Authorization") == 0 ||
        strcasecmp(name, "Proxy-Authorization") == 0)
        put_authorization(out, len, &used, value);
    else
        put(out, len, &used, REDACTED, strlen(REDACTED));
}
