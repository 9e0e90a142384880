/*
 * Customer managed policies and OIDC providers: create, delete, tag.
 * The checks, codes and messages are IAM's (see world_iam.h).
 */
#include "world_iam.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "iampolicy.h"
#include "wfile.h"
#include "world_cluster.h"
#include "world_iam_internal.h"

#define AWS_MANAGED_PREFIX "arn:aws:iam::aws:policy/"
#define HTTPS "https://"

size_t world_iam_attachment_count(const struct world *w, const char *arn)
{
    size_t n = 0;
    for (size_t i = 0; i < w->role_count; i++)
        for (size_t j = 0; j < w->roles[i].attached_count; j++)
            n += strcmp(w->roles[i].attached_policy_arns[j], arn) == 0;
    return n;
}

const char *iam_check_arn(const char *arn, char *msg, size_t msglen)
{
    if (!arn || !*arn)
        return iam_fail(msg, msglen, "ValidationError", "1 validation error "
                        "detected: Value null at 'policyArn' failed to "
                        "satisfy constraint: Member must not be null");
    if (strncmp(arn, "arn:", 4) != 0 || !strstr(arn, ":iam::") ||
        !strstr(arn, ":policy/") || strlen(arn) > 2048)
        return iam_fail(msg, msglen, "ValidationError", "ARN %s is not "
                        "valid.", arn);
    return NULL;
}

const char *world_iam_check_attachable(const struct world *w, const char *arn,
                                 char *msg, size_t msglen)
{
    const char *code = iam_check_arn(arn, msg, msglen);
    if (code)
        return code;
    /* NOTE: the sandbox cannot list every AWS managed policy, so any
     * name under arn:aws:iam::aws:policy/ is taken as one. */
    if (world_policy(w, arn) ||
        strncmp(arn, AWS_MANAGED_PREFIX, strlen(AWS_MANAGED_PREFIX)) == 0)
        return NULL;
    return iam_fail(msg, msglen, "NoSuchEntity", "Policy %s does not exist "
                    "or is not attachable.", arn);
}

static const char *check_new_policy(const struct world *w, const char *name,
                                    const char *path, const char *document,
                                    const char *description, char *msg,
                                    size_t msglen)
{
    const char *code = iam_check_name(name, 128, "policyName", msg, msglen);
    if (!code)
        code = iam_check_path(path, msg, msglen);
    if (!code)
        code = iam_check_description(description, msg, msglen);
    if (code)
        return code;
    if (!document)
        return iam_fail(msg, msglen, "ValidationError", "1 validation error "
                        "detected: Value null at 'policyDocument' failed to "
                        "satisfy constraint: Member must not be null");
    if (iam_policy_size(document) > WORLD_IAM_POLICY_SIZE_MAX)
        return iam_fail(msg, msglen, "LimitExceeded", "Cannot exceed quota "
                        "for PolicySize: %d", WORLD_IAM_POLICY_SIZE_MAX);
    if (iampolicy_check(w, document, IAMPOLICY_IDENTITY, msg, msglen) < 0)
        return "MalformedPolicyDocument";
    for (size_t i = 0; i < w->policy_count; i++)
        if (strcasecmp(w->policies[i].name, name) == 0)
            return iam_fail(msg, msglen, "EntityAlreadyExists", "A policy "
                            "called %s already exists. Duplicate names are "
                            "not allowed.", name);
    return NULL;
}

static int build_policy(const struct world *w, struct world_policy *p,
                        const char *name, const char *path,
                        const char *document, const char *description)
{
    char created[21];
    iam_now(created);
    p->name = strdup(name);
    p->path = strdup(path ? path : "/");
    p->arn = wfile_printf("arn:aws:iam::%s:policy%s%s", w->account_id,
                          path ? path : "/", name);
    p->policy_id = iam_new_id("ANPA", p->arn, created);
    p->description = description ? strdup(description) : NULL;
    p->document = strdup(document);
    p->created = strdup(created);
    return p->name && p->path && p->arn && p->policy_id &&
           (p->description || !description) && p->document && p->created
           ? 0 : -1;
}

const char *world_iam_create_policy(struct world *w, const char *name,
                                    const char *path, const char *document,
                                    const char *description,
                                    const struct world_kv_list *tags,
                                    const struct world_policy **out,
                                    char *msg, size_t msglen)
{
    const char *code = check_new_policy(w, name, path, document,
                                        description, msg, msglen);
    if (code)
        return code;
    struct world_policy p = {0};
    if (build_policy(w, &p, name, path, document, description) < 0) {
        world_free_policy(&p);
        return iam_no_memory(msg, msglen);
    }
    if ((code = iam_merge_tags(&p.tags, tags, msg, msglen))) {
        world_free_policy(&p);
        return code;
    }
    struct world_policy *grown = realloc(w->policies, (w->policy_count + 1) *
                                                      sizeof(*grown));
    if (!grown) {
        world_free_policy(&p);
        return iam_no_memory(msg, msglen);
    }
    w->policies = grown;
    grown[w->policy_count] = p;
    if (out)
        *out = &grown[w->policy_count];
    w->policy_count++;
    return NULL;
}

#define POLICY_VERSIONS_MAX 5   /* IAM's quota of versions per policy */

const char *world_policy_version(const struct world_policy *p, char *buf)
{
    snprintf(buf, 16, "v%u", p->version_count ? p->version_count : 1);
    return buf;
}

const char *world_iam_create_policy_version(struct world *w, const char *arn,
                                            const char *document,
                                            int set_default,
                                            unsigned *version, char *msg,
                                            size_t msglen)
{
    const char *code = iam_check_arn(arn, msg, msglen);
    if (code)
        return code;
    struct world_policy *p = (struct world_policy *)world_policy(w, arn);
    if (!p)
        return iam_fail(msg, msglen, "NoSuchEntity", "Policy %s was not "
                        "found.", arn);
    /* NOTE: the sandbox keeps one document per policy, the default's. */
    if (!set_default)
        return iam_fail(msg, msglen, "ValidationError", "the sandbox "
                        "creates policy versions only with SetAsDefault "
                        "true");
    if (!document)
        return iam_fail(msg, msglen, "ValidationError", "1 validation error "
                        "detected: Value null at 'policyDocument' failed to "
                        "satisfy constraint: Member must not be null");
    unsigned n = p->version_count ? p->version_count : 1;
    if (n >= POLICY_VERSIONS_MAX)
        return iam_fail(msg, msglen, "LimitExceeded", "A managed policy can "
                        "have up to %d versions. Before you create a new "
                        "version, you must delete an existing version.",
                        POLICY_VERSIONS_MAX);
    if (iam_policy_size(document) > WORLD_IAM_POLICY_SIZE_MAX)
        return iam_fail(msg, msglen, "LimitExceeded", "Cannot exceed quota "
                        "for PolicySize: %d", WORLD_IAM_POLICY_SIZE_MAX);
    if (iampolicy_check(w, document, IAMPOLICY_IDENTITY, msg, msglen) < 0)
        return "MalformedPolicyDocument";
    char *copy = strdup(document);
    if (!copy)
        return iam_no_memory(msg, msglen);
    free(p->document);
    p->document = copy;
    p->version_count = n + 1;
    *version = p->version_count;
    return NULL;
}

const char *world_iam_delete_policy(struct world *w, const char *arn,
                                    char *msg, size_t msglen)
{
    const char *code = iam_check_arn(arn, msg, msglen);
    if (code)
        return code;
    const struct world_policy *p = world_policy(w, arn);
    if (!p)
        return iam_fail(msg, msglen, "NoSuchEntity", "Policy %s was not "
                        "found.", arn);
    if (world_iam_attachment_count(w, arn))
        return iam_fail(msg, msglen, "DeleteConflict", "Cannot delete a "
                        "policy attached to entities.");
    size_t pos = (size_t)(p - w->policies);
    world_free_policy(&w->policies[pos]);
    memmove(&w->policies[pos], &w->policies[pos + 1],
            (w->policy_count - pos - 1) * sizeof(*w->policies));
    w->policy_count--;
    return NULL;
}

/* ---- OIDC providers ----------------------------------------------------- */

static const char *check_url(const struct world *w, const char *url,
                             char *msg, size_t msglen)
{
    if (!url || strncmp(url, HTTPS, strlen(HTTPS)) != 0 ||
        !url[strlen(HTTPS)] || strlen(url) > 255)
        return iam_fail(msg, msglen, "ValidationError", "The URL %s is not "
                        "valid: it must start with https:// and have at "
                        "most 255 characters.", url ? url : "(none)");
    for (size_t i = 0; i < w->oidc_provider_count; i++)
        if (strcmp(w->oidc_providers[i].url, url + strlen(HTTPS)) == 0)
            return iam_fail(msg, msglen, "EntityAlreadyExists", "Provider "
                            "with url %s already exists.", url);
    if (w->oidc_provider_count >= WORLD_IAM_OIDC_PROVIDERS_MAX)
        return iam_fail(msg, msglen, "LimitExceeded", "Cannot exceed quota "
                        "for OpenIdConnectProvidersPerAccount: %d",
                        WORLD_IAM_OIDC_PROVIDERS_MAX);
    return NULL;
}

static int is_thumbprint(const char *s)
{
    size_t n = 0;
    for (; s[n]; n++)
        if (!isxdigit((unsigned char)s[n]))
            return 0;
    return n == 40;
}

static const char *check_lists(const char *const *client_ids, size_t n_ids,
                               const char *const *thumbprints, size_t n_thumbs,
                               char *msg, size_t msglen)
{
    if (n_ids > 100)
        return iam_fail(msg, msglen, "LimitExceeded", "Cannot exceed quota "
                        "for ClientIdsPerOpenIdConnectProvider: 100");
    for (size_t i = 0; i < n_ids; i++)
        if (!client_ids[i] || !*client_ids[i] || strlen(client_ids[i]) > 255)
            return iam_fail(msg, msglen, "ValidationError", "1 validation "
                            "error detected: Value at 'clientIDList' failed "
                            "to satisfy constraint: Member must have length "
                            "between 1 and 255");
    if (n_thumbs > 5)
        return iam_fail(msg, msglen, "LimitExceeded", "Cannot exceed quota "
                        "for ThumbprintsPerOpenIdConnectProvider: 5");
    for (size_t i = 0; i < n_thumbs; i++)
        if (!thumbprints[i] || !is_thumbprint(thumbprints[i]))
            return iam_fail(msg, msglen, "ValidationError", "1 validation "
                            "error detected: Value '%s' at 'thumbprintList' "
                            "failed to satisfy constraint: Member must be "
                            "40 hexadecimal characters",
                            thumbprints[i] ? thumbprints[i] : "");
    return NULL;
}

static char **copy_strs(const char *const *v, size_t n)
{
    char **copy = calloc(n ? n : 1, sizeof(char *));
    for (size_t i = 0; copy && i < n; i++)
        if (!(copy[i] = strdup(v[i]))) {
            wfile_strs_free(copy, i);
            return NULL;
        }
    return copy;
}

const char *world_iam_create_oidc_provider(
    struct world *w, const char *url, const char *const *client_ids,
    size_t n_client_ids, const char *const *thumbprints,
    size_t n_thumbprints, const struct world_kv_list *tags,
    const struct world_oidc_provider **out, char *msg, size_t msglen)
{
    const char *code = check_url(w, url, msg, msglen);
    if (!code)
        code = check_lists(client_ids, n_client_ids, thumbprints,
                           n_thumbprints, msg, msglen);
    if (code)
        return code;
    char created[21];
    iam_now(created);
    struct world_oidc_provider p = {
        .url = strdup(url + strlen(HTTPS)),
        .arn = wfile_printf("arn:aws:iam::%s:oidc-provider/%s",
                            w->account_id, url + strlen(HTTPS)),
        .client_ids = copy_strs(client_ids, n_client_ids),
        .client_id_count = n_client_ids,
        .thumbprints = copy_strs(thumbprints, n_thumbprints),
        .thumbprint_count = n_thumbprints,
        .created = strdup(created),
    };
    if (!p.client_ids)
        p.client_id_count = 0;
    if (!p.thumbprints)
        p.thumbprint_count = 0;
    code = p.url && p.arn && p.client_ids && p.thumbprints && p.created
           ? iam_merge_tags(&p.tags, tags, msg, msglen)
           : iam_no_memory(msg, msglen);
    struct world_oidc_provider *grown = code ? NULL :
        realloc(w->oidc_providers,
                (w->oidc_provider_count + 1) * sizeof(*grown));
    if (!grown) {
        world_free_oidc_provider(&p);
        return code ? code : iam_no_memory(msg, msglen);
    }
    w->oidc_providers = grown;
    grown[w->oidc_provider_count] = p;
    if (out)
        *out = &grown[w->oidc_provider_count];
    w->oidc_provider_count++;
    return NULL;
}

static struct world_oidc_provider *find_provider(struct world *w,
                                                 const char *arn, char *msg,
                                                 size_t msglen,
                                                 const char **code)
{
    for (size_t i = 0; arn && i < w->oidc_provider_count; i++)
        if (strcmp(w->oidc_providers[i].arn, arn) == 0)
            return &w->oidc_providers[i];
    *code = iam_fail(msg, msglen, "NoSuchEntity", "OpenIDConnect Provider "
                     "not found for arn %s", arn ? arn : "(none)");
    return NULL;
}

const char *world_iam_delete_oidc_provider(struct world *w, const char *arn,
                                           char *msg, size_t msglen)
{
    const char *code = NULL;
    struct world_oidc_provider *p = find_provider(w, arn, msg, msglen, &code);
    if (!p)
        return code;
    size_t pos = (size_t)(p - w->oidc_providers);
    world_free_oidc_provider(p);
    memmove(p, p + 1, (w->oidc_provider_count - pos - 1) * sizeof(*p));
    w->oidc_provider_count--;
    return NULL;
}

const char *world_iam_tag_oidc_provider(struct world *w, const char *arn,
                                        const struct world_kv_list *tags,
                                        char *msg, size_t msglen)
{
    const char *code = NULL;
    struct world_oidc_provider *p = find_provider(w, arn, msg, msglen, &code);
    return p ? iam_merge_tags(&p->tags, tags, msg, msglen) : code;
}

const char *world_iam_untag_oidc_provider(struct world *w, const char *arn,
                                          const char *const *keys,
                                          size_t key_count, char *msg,
                                          size_t msglen)
{
    const char *code = NULL;
    struct world_oidc_provider *p = find_provider(w, arn, msg, msglen, &code);
    if (!p)
        return code;
    if (key_count > WORLD_IAM_TAGS_MAX)
        return iam_fail(msg, msglen, "ValidationError", "1 validation error "
                        "detected: Value at 'tagKeys' failed to satisfy "
                        "constraint: Member must have length less than or "
                        "equal to %d", WORLD_IAM_TAGS_MAX);
    iam_remove_tags(&p->tags, keys, key_count);
    return NULL;
}
