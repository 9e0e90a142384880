/*
 * IAM (query protocol) actions that change state: roles, their trust,
 * inline and attached policies and tags, customer managed policies,
 * OIDC providers, and ListEntitiesForPolicy and ListPolicyVersions,
 * which read what these create. The checks live in world_iam.c, so
 * CloudFormation's IAM resources fail the same way.
 *
 * Limits: permissions boundaries are rejected, and a customer managed
 * policy keeps only its default version: CreatePolicyVersion needs
 * SetAsDefault true.
 */
#include "aws_iam.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "world_iam.h"

/* One more than IAM's quota, so that world_iam receives the excess and
 * rejects it. */
#define TAGS_READ_MAX (WORLD_IAM_TAGS_MAX + 1)
#define LIST_READ_MAX 101   /* client ids: IAM's quota of 100, plus one */

/* Replies with the IAM error a world_iam_* function returned. */
static void reply_failure(struct awsreply *r, const char *code,
                          const char *msg)
{
    awsreply_error(r, world_iam_status(code), code, "%s", msg);
}

/* Replies to an action without output, or with its failure. */
static void reply_done(struct awsreply *r, const char *code,
                       const char *msg)
{
    if (code)
        reply_failure(r, code, msg);
    else
        awsreply_xml_empty(r);
}

/*
 * Tags.member.N.Key and .Value into items, which borrow r's strings
 * (world_iam copies them). Returns 0, or -1 after replying when there
 * are more than TAGS_READ_MAX.
 */
static int read_tags(struct awsreply *r, struct world_kv *items,
                     struct world_kv_list *out)
{
    out->items = items;
    out->count = 0;
    for (size_t i = 1;; i++) {
        char key[64], value[64];
        snprintf(key, sizeof(key), "Tags.member.%zu.Key", i);
        snprintf(value, sizeof(value), "Tags.member.%zu.Value", i);
        const char *k = awsreply_param(r, key);
        if (!k)
            return 0;
        if (out->count == TAGS_READ_MAX) {
            awsreply_error(r, 409, "LimitExceeded", "Cannot exceed quota for "
                           "TagsPerResource: %d", WORLD_IAM_TAGS_MAX);
            return -1;
        }
        items[out->count].key = (char *)k;
        items[out->count++].value = (char *)awsreply_param(r, value);
    }
}

/* MaxSessionDuration: 3600 to 43200 seconds; 0 when absent. */
static int read_max_session(struct awsreply *r, int *seconds)
{
    const char *text = awsreply_param(r, "MaxSessionDuration");
    char *end = NULL;
    long v = text ? strtol(text, &end, 10) : 0;
    *seconds = (int)v;
    if (text && (*end || v < 3600 || v > 43200)) {
        awsreply_error(r, 400, "ValidationError", "1 validation error "
                       "detected: Value '%s' at 'maxSessionDuration' failed "
                       "to satisfy constraint: Member must have value "
                       "between 3600 and 43200", text);
        return -1;
    }
    return 0;
}

static void create_role(struct awsreply *r)
{
    struct world_kv items[TAGS_READ_MAX];
    struct world_kv_list tags;
    const struct world_role *role = NULL;
    char msg[1024];
    int max_session;
    if (read_tags(r, items, &tags) < 0 || read_max_session(r, &max_session))
        return;
    if (awsreply_param(r, "PermissionsBoundary")) {
        awsreply_error(r, 400, "ValidationError", "The sandbox does not "
                       "support permissions boundaries; create the role "
                       "without PermissionsBoundary.");
        return;
    }
    const char *code = world_iam_create_role(
        r->world, awsreply_param(r, "RoleName"), awsreply_param(r, "Path"),
        awsreply_param(r, "AssumeRolePolicyDocument"),
        awsreply_param(r, "Description"), &tags, &role, msg, sizeof(msg));
    if (code) {
        reply_failure(r, code, msg);
        return;
    }
    /* The same role, reached through the world r may change. */
    r->world->roles[role - r->world->roles].max_session_duration =
        max_session;
    int rc = awsreply_xml_begin(r);
    rc |= aws_iam_write_role(r, role, "Role", AWS_IAM_ROLE_TAGS);
    aws_iam_finish(r, rc);
}

static void delete_role(struct awsreply *r)
{
    char msg[1024];
    const char *code = world_iam_delete_role(
        r->world, awsreply_param(r, "RoleName"), msg, sizeof(msg));
    reply_done(r, code, msg);
}

static void update_assume_role_policy(struct awsreply *r)
{
    char msg[1024];
    const char *code = world_iam_update_trust_policy(
        r->world, awsreply_param(r, "RoleName"),
        awsreply_param(r, "PolicyDocument"), msg, sizeof(msg));
    reply_done(r, code, msg);
}

static void tag_role(struct awsreply *r)
{
    struct world_kv items[TAGS_READ_MAX];
    struct world_kv_list tags;
    char msg[1024];
    if (read_tags(r, items, &tags) < 0)
        return;
    const char *code = world_iam_tag_role(
        r->world, awsreply_param(r, "RoleName"), &tags, msg, sizeof(msg));
    reply_done(r, code, msg);
}

static void put_role_policy(struct awsreply *r)
{
    char msg[1024];
    const char *code = world_iam_put_role_policy(
        r->world, awsreply_param(r, "RoleName"),
        awsreply_param(r, "PolicyName"), awsreply_param(r, "PolicyDocument"),
        msg, sizeof(msg));
    reply_done(r, code, msg);
}

static void delete_role_policy(struct awsreply *r)
{
    char msg[1024];
    const char *code = world_iam_delete_role_policy(
        r->world, awsreply_param(r, "RoleName"),
        awsreply_param(r, "PolicyName"), msg, sizeof(msg));
    reply_done(r, code, msg);
}

static void attach_role_policy(struct awsreply *r)
{
    char msg[1024];
    const char *code = world_iam_attach_role_policy(
        r->world, awsreply_param(r, "RoleName"),
        awsreply_param(r, "PolicyArn"), msg, sizeof(msg));
    reply_done(r, code, msg);
}

static void detach_role_policy(struct awsreply *r)
{
    char msg[1024];
    const char *code = world_iam_detach_role_policy(
        r->world, awsreply_param(r, "RoleName"),
        awsreply_param(r, "PolicyArn"), msg, sizeof(msg));
    reply_done(r, code, msg);
}

static void create_policy(struct awsreply *r)
{
    struct world_kv items[TAGS_READ_MAX];
    struct world_kv_list tags;
    const struct world_policy *p = NULL;
    char msg[1024];
    if (read_tags(r, items, &tags) < 0)
        return;
    const char *code = world_iam_create_policy(
        r->world, awsreply_param(r, "PolicyName"), awsreply_param(r, "Path"),
        awsreply_param(r, "PolicyDocument"), awsreply_param(r, "Description"),
        &tags, &p, msg, sizeof(msg));
    if (code) {
        reply_failure(r, code, msg);
        return;
    }
    int rc = awsreply_xml_begin(r);
    rc |= aws_iam_write_policy(r, p);
    aws_iam_finish(r, rc);
}

static void delete_policy(struct awsreply *r)
{
    char msg[1024];
    const char *code = world_iam_delete_policy(
        r->world, awsreply_param(r, "PolicyArn"), msg, sizeof(msg));
    reply_done(r, code, msg);
}

static void create_policy_version(struct awsreply *r)
{
    char msg[1024], version[16];
    unsigned n = 0;
    const char *set = awsreply_param(r, "SetAsDefault");
    const char *code = world_iam_create_policy_version(
        r->world, awsreply_param(r, "PolicyArn"),
        awsreply_param(r, "PolicyDocument"), set && !strcmp(set, "true"), &n,
        msg, sizeof(msg));
    if (code) {
        reply_failure(r, code, msg);
        return;
    }
    snprintf(version, sizeof(version), "v%u", n);
    int rc = awsreply_xml_begin(r);
    rc |= awsreply_xml_open(r, "PolicyVersion");
    rc |= awsreply_xml_text(r, "VersionId", version);
    rc |= awsreply_xml_text(r, "IsDefaultVersion", "true");
    rc |= awsreply_xml_close(r);
    aws_iam_finish(r, rc);
}

static void list_policy_versions(struct awsreply *r)
{
    struct aws_iam_page page;
    const struct world_policy *p = aws_iam_find_policy(r);
    if (!p || aws_iam_read_page(r, &page) < 0)
        return;
    free(page.position);
    char version[16];
    int rc = awsreply_xml_begin(r);
    rc |= awsreply_xml_open(r, "Versions");
    rc |= awsreply_xml_open(r, "member");
    rc |= awsreply_xml_text(r, "VersionId", world_policy_version(p, version));
    rc |= awsreply_xml_text(r, "IsDefaultVersion", "true");
    rc |= awsreply_xml_text(r, "CreateDate", p->created);
    rc |= awsreply_xml_close(r);
    rc |= awsreply_xml_close(r);
    rc |= aws_iam_end_page(r, NULL);
    aws_iam_finish(r, rc);
}

/* Whether ListEntitiesForPolicy lists roles: EntityFilter absent or
 * Role; -1 after replying when the filter is not one of IAM's. */
static int lists_roles(struct awsreply *r)
{
    static const char *const filters[] = {
        "User", "Group", "LocalManagedPolicy", "AWSManagedPolicy",
    };
    const char *filter = awsreply_param(r, "EntityFilter");
    if (!filter || strcmp(filter, "Role") == 0)
        return 1;
    for (size_t i = 0; i < sizeof(filters) / sizeof(filters[0]); i++)
        if (strcmp(filter, filters[i]) == 0)
            return 0;
    awsreply_error(r, 400, "ValidationError", "1 validation error detected: "
                   "Value '%s' at 'entityFilter' failed to satisfy "
                   "constraint: Member must satisfy enum value set: [User, "
                   "Role, LocalManagedPolicy, Group, AWSManagedPolicy]",
                   filter);
    return -1;
}

static int role_listed(const struct world_role *role, const char *arn,
                       const char *prefix)
{
    if (prefix && strncmp(role->path, prefix, strlen(prefix)) != 0)
        return 0;
    for (size_t j = 0; j < role->attached_count; j++)
        if (strcmp(role->attached_policy_arns[j], arn) == 0)
            return 1;
    return 0;
}

/* PolicyRoles from role index *i on, at most max_items of them. */
static int write_policy_roles(struct awsreply *r, const char *arn,
                              long max_items, size_t *i)
{
    const struct world *w = r->world;
    const char *prefix = awsreply_param(r, "PathPrefix");
    int rc = awsreply_xml_open(r, "PolicyRoles");
    for (long written = 0; *i < w->role_count && written < max_items;
         ++*i) {
        const struct world_role *role = &w->roles[*i];
        if (!role_listed(role, arn, prefix))
            continue;
        rc |= awsreply_xml_open(r, "member");
        rc |= awsreply_xml_text(r, "RoleName", role->name);
        rc |= awsreply_xml_text(r, "RoleId", role->role_id);
        rc |= awsreply_xml_close(r);
        written++;
    }
    while (*i < w->role_count && !role_listed(&w->roles[*i], arn, prefix))
        ++*i;
    return rc | awsreply_xml_close(r);
}

static void list_entities_for_policy(struct awsreply *r)
{
    const char *arn = awsreply_param(r, "PolicyArn");
    struct aws_iam_page page;
    char msg[1024];
    size_t i = 0;
    const char *code = world_iam_check_attachable(r->world, arn, msg,
                                                  sizeof(msg));
    int roles = code ? 0 : lists_roles(r);
    if (code)
        reply_failure(r, code, msg);
    if (code || roles < 0 || aws_iam_read_page(r, &page) < 0)
        return;
    if (aws_iam_index_position(&page, r->world->role_count, &i) < 0) {
        free(page.position);
        awsreply_error(r, 400, "ValidationError", "Invalid Marker: pass the "
                       "Marker of the previous page unchanged");
        return;
    }
    free(page.position);
    int rc = awsreply_xml_begin(r);
    rc |= awsreply_xml_open(r, "PolicyGroups");
    rc |= awsreply_xml_close(r);
    rc |= awsreply_xml_open(r, "PolicyUsers");
    rc |= awsreply_xml_close(r);
    if (roles) {
        rc |= write_policy_roles(r, arn, page.max_items, &i);
    } else {
        rc |= awsreply_xml_open(r, "PolicyRoles");
        rc |= awsreply_xml_close(r);
    }
    char next[24];
    snprintf(next, sizeof(next), "%zu", i);
    rc |= aws_iam_end_page(r, roles && i < r->world->role_count ? next
                                                                : NULL);
    aws_iam_finish(r, rc);
}

static void create_oidc_provider(struct awsreply *r)
{
    struct world_kv items[TAGS_READ_MAX];
    struct world_kv_list tags;
    const char *ids[LIST_READ_MAX], *thumbprints[LIST_READ_MAX];
    const struct world_oidc_provider *p = NULL;
    char msg[1024];
    long n_ids = awsreply_members(r, "ClientIDList", ids, LIST_READ_MAX);
    long n_thumbs = awsreply_members(r, "ThumbprintList", thumbprints,
                                     LIST_READ_MAX);
    if (n_ids < 0 || n_thumbs < 0) {
        awsreply_error(r, 409, "LimitExceeded", "Cannot exceed quota for "
                       "%s", n_ids < 0 ? "ClientIdsPerOpenIdConnectProvider: "
                       "100" : "ThumbprintsPerOpenIdConnectProvider: 5");
        return;
    }
    if (read_tags(r, items, &tags) < 0)
        return;
    const char *code = world_iam_create_oidc_provider(
        r->world, awsreply_param(r, "Url"), ids, (size_t)n_ids, thumbprints,
        (size_t)n_thumbs, &tags, &p, msg, sizeof(msg));
    if (code) {
        reply_failure(r, code, msg);
        return;
    }
    int rc = awsreply_xml_begin(r);
    rc |= awsreply_xml_text(r, "OpenIDConnectProviderArn", p->arn);
    rc |= aws_iam_write_tags(r, &p->tags);
    aws_iam_finish(r, rc);
}

static void tag_oidc_provider(struct awsreply *r)
{
    struct world_kv items[TAGS_READ_MAX];
    struct world_kv_list tags;
    char msg[1024];
    if (read_tags(r, items, &tags) < 0)
        return;
    const char *code = world_iam_tag_oidc_provider(
        r->world, awsreply_param(r, "OpenIDConnectProviderArn"), &tags, msg,
        sizeof(msg));
    reply_done(r, code, msg);
}

static void untag_oidc_provider(struct awsreply *r)
{
    const char *keys[TAGS_READ_MAX];
    char msg[1024];
    long n = awsreply_members(r, "TagKeys", keys, TAGS_READ_MAX);
    if (n < 0) {
        awsreply_error(r, 400, "ValidationError", "1 validation error "
                       "detected: Value at 'tagKeys' failed to satisfy "
                       "constraint: Member must have length less than or "
                       "equal to %d", WORLD_IAM_TAGS_MAX);
        return;
    }
    const char *code = world_iam_untag_oidc_provider(
        r->world, awsreply_param(r, "OpenIDConnectProviderArn"), keys,
        (size_t)n, msg, sizeof(msg));
    reply_done(r, code, msg);
}

static void delete_oidc_provider(struct awsreply *r)
{
    char msg[1024];
    const char *code = world_iam_delete_oidc_provider(
        r->world, awsreply_param(r, "OpenIDConnectProviderArn"), msg,
        sizeof(msg));
    reply_done(r, code, msg);
}

static const struct {
    const char *action;
    void (*serve)(struct awsreply *r);
} operations[] = {
    {"CreateRole", create_role},
    {"DeleteRole", delete_role},
    {"UpdateAssumeRolePolicy", update_assume_role_policy},
    {"TagRole", tag_role},
    {"PutRolePolicy", put_role_policy},
    {"DeleteRolePolicy", delete_role_policy},
    {"AttachRolePolicy", attach_role_policy},
    {"DetachRolePolicy", detach_role_policy},
    {"CreatePolicy", create_policy},
    {"DeletePolicy", delete_policy},
    {"CreatePolicyVersion", create_policy_version},
    {"ListPolicyVersions", list_policy_versions},
    {"ListEntitiesForPolicy", list_entities_for_policy},
    {"CreateOpenIDConnectProvider", create_oidc_provider},
    {"TagOpenIDConnectProvider", tag_oidc_provider},
    {"UntagOpenIDConnectProvider", untag_oidc_provider},
    {"DeleteOpenIDConnectProvider", delete_oidc_provider},
};

int aws_iam_serve_write(struct awsreply *r)
{
    for (size_t i = 0; i < sizeof(operations) / sizeof(operations[0]); i++)
        if (strcmp(operations[i].action, r->action) == 0) {
            operations[i].serve(r);
            return 1;
        }
    return 0;
}
