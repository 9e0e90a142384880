/*
 * Roles: create, delete, trust policy, inline and attached policies,
 * tags. The checks, codes and messages are IAM's (see world_iam.h);
 * world_iam_policy.c has the managed policies and OIDC providers.
 */
#include "world_iam.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "iampolicy.h"
#include "wfile.h"
#include "world_cluster.h"
#include "world_iam_internal.h"

#define ROLE_NAME_MAX 64

int world_iam_status(const char *code)
{
    static const struct {
        const char *code;
        int status;
    } statuses[] = {
        {"NoSuchEntity", 404}, {"EntityAlreadyExists", 409},
        {"DeleteConflict", 409}, {"LimitExceeded", 409},
        {"ServiceFailure", 500}, {"ConcurrentModification", 409},
    };
    for (size_t i = 0; i < sizeof(statuses) / sizeof(statuses[0]); i++)
        if (strcmp(statuses[i].code, code) == 0)
            return statuses[i].status;
    return 400;
}

const char *iam_fail(char *msg, size_t msglen, const char *code,
                     const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, msglen, fmt, ap);
    va_end(ap);
    return code;
}

const char *iam_no_memory(char *msg, size_t msglen)
{
    return iam_fail(msg, msglen, "ServiceFailure", "The sandbox ran out of "
                    "memory; the request was not carried out.");
}

void iam_now(char out[21])
{
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(out, 21, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

const char *iam_check_name(const char *name, size_t max, const char *field,
                           char *msg, size_t msglen)
{
    if (!name || !*name)
        return iam_fail(msg, msglen, "ValidationError", "1 validation error "
                        "detected: Value null at '%s' failed to satisfy "
                        "constraint: Member must not be null", field);
    if (strlen(name) > max)
        return iam_fail(msg, msglen, "ValidationError", "1 validation error "
                        "detected: Value '%s' at '%s' failed to satisfy "
                        "constraint: Member must have length less than or "
                        "equal to %zu", name, field, max);
    if (!world_valid_iam_name(name, max))
        return iam_fail(msg, msglen, "ValidationError", "1 validation error "
                        "detected: Value '%s' at '%s' failed to satisfy "
                        "constraint: Member must satisfy regular expression "
                        "pattern: [\\w+=,.@-]+", name, field);
    return NULL;
}

const char *iam_check_path(const char *path, char *msg, size_t msglen)
{
    size_t len = path ? strlen(path) : 0;
    int ok = len >= 1 && len <= 512 && path[0] == '/' &&
             path[len - 1] == '/';
    for (size_t i = 0; ok && i < len; i++)
        ok = path[i] > ' ' && path[i] < 0x7f;
    if (path && !ok)
        return iam_fail(msg, msglen, "ValidationError", "The specified value "
                        "for path is invalid. It must begin and end with / "
                        "and contain only alphanumeric characters and/or / "
                        "characters.");
    return NULL;
}

const char *iam_check_description(const char *text, char *msg,
                                  size_t msglen)
{
    if (text && strlen(text) > 1000)
        return iam_fail(msg, msglen, "ValidationError", "1 validation error "
                        "detected: Value at 'description' failed to satisfy "
                        "constraint: Member must have length less than or "
                        "equal to 1000");
    return NULL;
}

char *iam_new_id(const char *prefix, const char *arn, const char *created)
{
    char *seed = wfile_printf("%s@%s", arn ? arn : "", created);
    char *id = seed ? wfile_derive(prefix, seed, 17, WFILE_BASE32) : NULL;
    free(seed);
    return id;
}

/* IAM counts a document's size without its whitespace. */
size_t iam_policy_size(const char *document)
{
    size_t n = 0;
    for (; *document; document++)
        n += !isspace((unsigned char)*document);
    return n;
}

static struct world_kv *find_tag(const struct world_kv_list *l,
                                 const char *key)
{
    for (size_t i = 0; i < l->count; i++)
        if (strcmp(l->items[i].key, key) == 0)
            return &l->items[i];
    return NULL;
}

static const char *check_tags(const struct world_kv_list *tags, char *msg,
                              size_t msglen)
{
    for (size_t i = 0; tags && i < tags->count; i++) {
        const struct world_kv *t = &tags->items[i];
        if (!t->key || !*t->key || strlen(t->key) > 128 ||
            strncasecmp(t->key, "aws:", 4) == 0)
            return iam_fail(msg, msglen, "ValidationError", "1 validation "
                            "error detected: Value '%s' at 'tags.%zu.member"
                            ".key' failed to satisfy constraint: Member must "
                            "have length between 1 and 128 and not start "
                            "with aws:", t->key ? t->key : "", i + 1);
        if (!t->value || strlen(t->value) > 256)
            return iam_fail(msg, msglen, "ValidationError", "1 validation "
                            "error detected: Value at 'tags.%zu.member.value'"
                            " failed to satisfy constraint: Member must have "
                            "length less than or equal to 256", i + 1);
    }
    return NULL;
}

void iam_remove_tags(struct world_kv_list *into, const char *const *keys,
                     size_t key_count)
{
    for (size_t k = 0; k < key_count; k++) {
        struct world_kv *t = keys[k] ? find_tag(into, keys[k]) : NULL;
        if (!t)
            continue;
        free(t->key);
        free(t->value);
        *t = into->items[--into->count];
    }
}

const char *iam_merge_tags(struct world_kv_list *into,
                           const struct world_kv_list *tags, char *msg,
                           size_t msglen)
{
    const char *code = check_tags(tags, msg, msglen);
    if (code || !tags || !tags->count)
        return code;
    size_t added = 0;
    for (size_t i = 0; i < tags->count; i++)
        added += !find_tag(into, tags->items[i].key);
    if (into->count + added > WORLD_IAM_TAGS_MAX)
        return iam_fail(msg, msglen, "LimitExceeded", "Cannot exceed quota "
                        "for TagsPerResource: %d", WORLD_IAM_TAGS_MAX);
    /* Copy every string first, so a failure changes nothing. */
    struct world_kv *grown = realloc(into->items, (into->count + added) *
                                                  sizeof(*grown));
    char **values = calloc(tags->count, sizeof(char *));
    char **keys = calloc(tags->count, sizeof(char *));
    int ok = grown && values && keys;
    if (grown)
        into->items = grown;
    for (size_t i = 0; ok && i < tags->count; i++)
        ok = (values[i] = strdup(tags->items[i].value)) &&
             (keys[i] = strdup(tags->items[i].key));
    for (size_t i = 0; ok && i < tags->count; i++) {
        struct world_kv *t = find_tag(into, keys[i]);
        if (t) {
            free(t->value);
            free(keys[i]);
            t->value = values[i];
            continue;
        }
        into->items[into->count].key = keys[i];
        into->items[into->count++].value = values[i];
    }
    if (!ok)
        for (size_t i = 0; i < tags->count; i++) {
            free(values[i]);
            free(keys[i]);
        }
    free(values);
    free(keys);
    return ok ? NULL : iam_no_memory(msg, msglen);
}

/* The role named name (IAM role names ignore case), or NULL; *pos is
 * where it is or would go in the sorted array. */
static struct world_role *role_at(struct world *w, const char *name,
                                  size_t *pos)
{
    size_t i = 0;
    while (i < w->role_count && strcasecmp(w->roles[i].name, name) < 0)
        i++;
    if (pos)
        *pos = i;
    if (i < w->role_count && strcasecmp(w->roles[i].name, name) == 0)
        return &w->roles[i];
    return NULL;
}

static const char *find_role(struct world *w, const char *name,
                             struct world_role **out, char *msg,
                             size_t msglen)
{
    const char *code = iam_check_name(name, ROLE_NAME_MAX, "roleName", msg,
                                      msglen);
    if (code)
        return code;
    *out = role_at(w, name, NULL);
    if (!*out)
        return iam_fail(msg, msglen, "NoSuchEntity", "The role with name %s "
                        "cannot be found.", name);
    return NULL;
}

static const char *check_trust_policy(const struct world *w,
                                      const char *document, char *msg,
                                      size_t msglen)
{
    if (!document)
        return iam_fail(msg, msglen, "ValidationError", "1 validation error "
                        "detected: Value null at 'assumeRolePolicyDocument' "
                        "failed to satisfy constraint: Member must not be "
                        "null");
    if (iam_policy_size(document) > WORLD_IAM_TRUST_POLICY_MAX)
        return iam_fail(msg, msglen, "LimitExceeded", "Cannot exceed quota "
                        "for ACLSizePerRole: %d", WORLD_IAM_TRUST_POLICY_MAX);
    if (iampolicy_check(w, document, IAMPOLICY_TRUST, msg, msglen) < 0)
        return "MalformedPolicyDocument";
    return NULL;
}

static const char *check_new_role(const struct world *w, const char *name,
                                  const char *path, const char *trust_policy,
                                  const char *description,
                                  const struct world_kv_list *tags,
                                  char *msg, size_t msglen)
{
    const char *code = iam_check_name(name, ROLE_NAME_MAX, "roleName", msg,
                                      msglen);
    if (!code)
        code = iam_check_path(path, msg, msglen);
    if (!code)
        code = iam_check_description(description, msg, msglen);
    if (!code)
        code = check_tags(tags, msg, msglen);
    if (!code && tags && tags->count > WORLD_IAM_TAGS_MAX)
        code = iam_fail(msg, msglen, "LimitExceeded", "Cannot exceed quota "
                        "for TagsPerResource: %d", WORLD_IAM_TAGS_MAX);
    if (!code)
        code = check_trust_policy(w, trust_policy, msg, msglen);
    return code;
}

/* Fills r from the checked arguments; returns 0 or -1 (no memory). */
static int build_role(const struct world *w, struct world_role *r,
                      const char *name, const char *path,
                      const char *trust_policy, const char *description)
{
    char created[21];
    iam_now(created);
    r->name = strdup(name);
    r->path = strdup(path ? path : "/");
    r->arn = wfile_printf("arn:aws:iam::%s:role%s%s", w->account_id,
                          path ? path : "/", name);
    r->role_id = iam_new_id("AROA", r->arn, created);
    r->created = strdup(created);
    r->description = description ? strdup(description) : NULL;
    r->trust_policy = strdup(trust_policy);
    r->attached_policy_arns = calloc(1, sizeof(char *));
    r->inline_policies = calloc(1, sizeof(*r->inline_policies));
    return r->name && r->path && r->arn && r->role_id && r->created &&
           (r->description || !description) && r->trust_policy &&
           r->attached_policy_arns && r->inline_policies ? 0 : -1;
}

const char *world_iam_create_role(struct world *w, const char *name,
                                  const char *path, const char *trust_policy,
                                  const char *description,
                                  const struct world_kv_list *tags,
                                  const struct world_role **out, char *msg,
                                  size_t msglen)
{
    size_t pos;
    const char *code = check_new_role(w, name, path, trust_policy,
                                      description, tags, msg, msglen);
    if (code)
        return code;
    if (role_at(w, name, &pos))
        return iam_fail(msg, msglen, "EntityAlreadyExists", "Role with name "
                        "%s already exists.", name);
    struct world_role r = {0};
    if (build_role(w, &r, name, path, trust_policy, description) < 0 ||
        iam_merge_tags(&r.tags, tags, msg, msglen)) {
        world_free_role(&r);
        return iam_no_memory(msg, msglen);
    }
    struct world_role *grown = realloc(w->roles, (w->role_count + 1) *
                                                 sizeof(*grown));
    if (!grown) {
        world_free_role(&r);
        return iam_no_memory(msg, msglen);
    }
    w->roles = grown;
    memmove(&grown[pos + 1], &grown[pos],
            (w->role_count - pos) * sizeof(*grown));
    grown[pos] = r;
    w->role_count++;
    if (out)
        *out = &grown[pos];
    return NULL;
}

const char *world_iam_delete_role(struct world *w, const char *name,
                                  char *msg, size_t msglen)
{
    struct world_role *role;
    const char *code = find_role(w, name, &role, msg, msglen);
    if (code)
        return code;
    if (role->attached_count)
        return iam_fail(msg, msglen, "DeleteConflict", "Cannot delete "
                        "entity, must detach all policies first.");
    if (role->inline_count)
        return iam_fail(msg, msglen, "DeleteConflict", "Cannot delete "
                        "entity, must delete policies first.");
    size_t pos = (size_t)(role - w->roles);
    world_free_role(role);
    memmove(role, role + 1, (w->role_count - pos - 1) * sizeof(*role));
    w->role_count--;
    return NULL;
}

const char *world_iam_update_trust_policy(struct world *w, const char *role,
                                          const char *document, char *msg,
                                          size_t msglen)
{
    struct world_role *r;
    const char *code = find_role(w, role, &r, msg, msglen);
    if (!code)
        code = check_trust_policy(w, document, msg, msglen);
    if (code)
        return code;
    char *copy = strdup(document);
    if (!copy)
        return iam_no_memory(msg, msglen);
    free(r->trust_policy);
    r->trust_policy = copy;
    return NULL;
}

static struct world_inline_policy *find_inline(const struct world_role *r,
                                               const char *name)
{
    for (size_t i = 0; i < r->inline_count; i++)
        if (strcmp(r->inline_policies[i].name, name) == 0)
            return &r->inline_policies[i];
    return NULL;
}

/* The inline policies' total size once name's document is document. */
static size_t inline_size_with(const struct world_role *r, const char *name,
                               const char *document)
{
    size_t total = iam_policy_size(document);
    for (size_t i = 0; i < r->inline_count; i++)
        if (strcmp(r->inline_policies[i].name, name) != 0)
            total += iam_policy_size(r->inline_policies[i].document);
    return total;
}

static const char *check_inline(const struct world *w,
                                const struct world_role *r, const char *name,
                                const char *document, char *msg,
                                size_t msglen)
{
    const char *code = iam_check_name(name, 128, "policyName", msg, msglen);
    if (code)
        return code;
    if (!document)
        return iam_fail(msg, msglen, "ValidationError", "1 validation error "
                        "detected: Value null at 'policyDocument' failed to "
                        "satisfy constraint: Member must not be null");
    if (iampolicy_check(w, document, IAMPOLICY_IDENTITY, msg, msglen) < 0)
        return "MalformedPolicyDocument";
    if (inline_size_with(r, name, document) > WORLD_IAM_INLINE_SIZE_MAX)
        return iam_fail(msg, msglen, "LimitExceeded", "Maximum policy size of "
                        "%d bytes exceeded for role %s",
                        WORLD_IAM_INLINE_SIZE_MAX, r->name);
    return NULL;
}

const char *world_iam_put_role_policy(struct world *w, const char *role,
                                      const char *policy_name,
                                      const char *document, char *msg,
                                      size_t msglen)
{
    struct world_role *r;
    const char *code = find_role(w, role, &r, msg, msglen);
    if (!code)
        code = check_inline(w, r, policy_name, document, msg, msglen);
    if (code)
        return code;
    char *copy = strdup(document);
    struct world_inline_policy *p = copy ? find_inline(r, policy_name) : NULL;
    if (p) {
        free(p->document);
        p->document = copy;
        return NULL;
    }
    char *name = copy ? strdup(policy_name) : NULL;
    struct world_inline_policy *grown =
        name ? realloc(r->inline_policies,
                       (r->inline_count + 1) * sizeof(*grown)) : NULL;
    if (!grown) {
        free(copy);
        free(name);
        return iam_no_memory(msg, msglen);
    }
    r->inline_policies = grown;
    grown[r->inline_count].name = name;
    grown[r->inline_count++].document = copy;
    return NULL;
}

const char *world_iam_delete_role_policy(struct world *w, const char *role,
                                         const char *policy_name, char *msg,
                                         size_t msglen)
{
    struct world_role *r;
    const char *code = find_role(w, role, &r, msg, msglen);
    if (!code)
        code = iam_check_name(policy_name, 128, "policyName", msg, msglen);
    if (code)
        return code;
    struct world_inline_policy *p = find_inline(r, policy_name);
    if (!p)
        return iam_fail(msg, msglen, "NoSuchEntity", "The role policy with "
                        "name %s cannot be found.", policy_name);
    size_t pos = (size_t)(p - r->inline_policies);
    free(p->name);
    free(p->document);
    memmove(p, p + 1, (r->inline_count - pos - 1) * sizeof(*p));
    r->inline_count--;
    return NULL;
}

static int has_attached(const struct world_role *r, const char *arn,
                        size_t *pos)
{
    for (size_t i = 0; i < r->attached_count; i++)
        if (strcmp(r->attached_policy_arns[i], arn) == 0) {
            *pos = i;
            return 1;
        }
    return 0;
}

const char *world_iam_attach_role_policy(struct world *w, const char *role,
                                         const char *policy_arn, char *msg,
                                         size_t msglen)
{
    struct world_role *r;
    size_t pos;
    const char *code = find_role(w, role, &r, msg, msglen);
    if (!code)
        code = world_iam_check_attachable(w, policy_arn, msg, msglen);
    if (code)
        return code;
    if (has_attached(r, policy_arn, &pos))
        return NULL;
    if (r->attached_count >= WORLD_IAM_ATTACHED_MAX)
        return iam_fail(msg, msglen, "LimitExceeded", "Cannot exceed quota "
                        "for PoliciesPerRole: %d", WORLD_IAM_ATTACHED_MAX);
    char *copy = strdup(policy_arn);
    char **grown = copy ? realloc(r->attached_policy_arns,
                                  (r->attached_count + 1) * sizeof(char *))
                        : NULL;
    if (!grown) {
        free(copy);
        return iam_no_memory(msg, msglen);
    }
    r->attached_policy_arns = grown;
    grown[r->attached_count++] = copy;
    return NULL;
}

const char *world_iam_detach_role_policy(struct world *w, const char *role,
                                         const char *policy_arn, char *msg,
                                         size_t msglen)
{
    struct world_role *r;
    size_t pos;
    const char *code = find_role(w, role, &r, msg, msglen);
    if (!code)
        code = iam_check_arn(policy_arn, msg, msglen);
    if (code)
        return code;
    if (!has_attached(r, policy_arn, &pos))
        return iam_fail(msg, msglen, "NoSuchEntity", "Policy %s was not "
                        "found.", policy_arn);
    free(r->attached_policy_arns[pos]);
    memmove(&r->attached_policy_arns[pos], &r->attached_policy_arns[pos + 1],
            (r->attached_count - pos - 1) * sizeof(char *));
    r->attached_count--;
    return NULL;
}

const char *world_iam_tag_role(struct world *w, const char *role,
                               const struct world_kv_list *tags, char *msg,
                               size_t msglen)
{
    struct world_role *r;
    const char *code = find_role(w, role, &r, msg, msglen);
    return code ? code : iam_merge_tags(&r->tags, tags, msg, msglen);
}
