/*
 * IAM (query protocol) reads: roles, their attached and inline policies,
 * customer managed policies and OIDC providers, paged with Marker,
 * MaxItems and IsTruncated as IAM pages them. Policy documents go out
 * percent-encoded, as IAM sends them. The actions that change IAM state
 * are in aws_iam_write.c.
 *
 * Limits: AWS managed policies are known by ARN only, so GetPolicy and
 * GetPolicyVersion return NoSuchEntity for them; a customer policy keeps
 * only its default version.
 */
#include "aws_iam.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "iampolicy.h"
#include "wfile.h"
#include "world_cluster.h"
#include "world_iam.h"
#include "world_iam_internal.h"

#define MAX_ITEMS_DEFAULT 100
#define MAX_ITEMS_LIMIT 1000
#define MAX_SESSION_DURATION 3600

int aws_iam_read_page(struct awsreply *r, struct aws_iam_page *p)
{
    const char *max = awsreply_param(r, "MaxItems");
    const char *marker = awsreply_param(r, "Marker");
    char *end = NULL;
    p->max_items = max ? strtol(max, &end, 10) : MAX_ITEMS_DEFAULT;
    p->position = NULL;
    if (max && (*end || p->max_items < 1 || p->max_items > MAX_ITEMS_LIMIT)) {
        awsreply_error(r, 400, "ValidationError", "1 validation error "
                       "detected: Value '%s' at 'maxItems' failed to satisfy "
                       "constraint: Member must have value between 1 and %d",
                       max, MAX_ITEMS_LIMIT);
        return -1;
    }
    if (marker && !(p->position = awsreply_marker_decode(marker))) {
        awsreply_error(r, 400, "ValidationError", "Invalid Marker: pass the "
                       "Marker of the previous page unchanged");
        return -1;
    }
    return 0;
}

/* Ends a list: IsTruncated, and the Marker of position when truncated. */
int aws_iam_end_page(struct awsreply *r, const char *next_position)
{
    int rc = awsreply_xml_text(r, "IsTruncated",
                               next_position ? "true" : "false");
    if (next_position) {
        char *marker = awsreply_marker_encode(next_position);
        rc |= marker ? awsreply_xml_text(r, "Marker", marker) : -1;
        free(marker);
    }
    return rc;
}

int aws_iam_index_position(const struct aws_iam_page *p, size_t count,
                           size_t *start)
{
    char *end;
    *start = 0;
    if (!p->position)
        return 0;
    unsigned long v = strtoul(p->position, &end, 10);
    if (*end || v > count)
        return -1;
    *start = v;
    return 0;
}

static const struct world_role *find_role(struct awsreply *r)
{
    const char *name = awsreply_param(r, "RoleName");
    if (!name) {
        awsreply_error(r, 400, "ValidationError", "1 validation error "
                       "detected: Value null at 'roleName' failed to satisfy "
                       "constraint: Member must not be null");
        return NULL;
    }
    const struct world_role *role = world_role(r->world, name);
    if (!role)
        awsreply_error(r, 404, "NoSuchEntity", "The role with name %s cannot "
                       "be found.", name);
    return role;
}

int aws_iam_write_tags(struct awsreply *r, const struct world_kv_list *tags)
{
    int rc = 0;
    if (!tags->count)
        return 0;
    rc |= awsreply_xml_open(r, "Tags");
    for (size_t i = 0; i < tags->count; i++) {
        rc |= awsreply_xml_open(r, "member");
        rc |= awsreply_xml_text(r, "Key", tags->items[i].key);
        rc |= awsreply_xml_text(r, "Value", tags->items[i].value);
        rc |= awsreply_xml_close(r);
    }
    return rc | awsreply_xml_close(r);
}

int aws_iam_write_role(struct awsreply *r, const struct world_role *role,
                       const char *element, unsigned extras)
{
    char max_session[24];
    int rc = awsreply_xml_open(r, element);
    rc |= awsreply_xml_text(r, "Path", role->path);
    rc |= awsreply_xml_text(r, "RoleName", role->name);
    rc |= awsreply_xml_text(r, "RoleId", role->role_id);
    rc |= awsreply_xml_text(r, "Arn", role->arn);
    rc |= awsreply_xml_text(r, "CreateDate", role->created);
    rc |= awsreply_xml_encoded(r, "AssumeRolePolicyDocument",
                               role->trust_policy);
    rc |= awsreply_xml_text(r, "Description", role->description);
    snprintf(max_session, sizeof(max_session), "%d",
             role->max_session_duration ? role->max_session_duration
                                        : MAX_SESSION_DURATION);
    rc |= awsreply_xml_text(r, "MaxSessionDuration", max_session);
    if (extras & AWS_IAM_ROLE_TAGS)
        rc |= aws_iam_write_tags(r, &role->tags);
    if (extras & AWS_IAM_ROLE_LAST_USED) {
        rc |= awsreply_xml_open(r, "RoleLastUsed");
        rc |= awsreply_xml_close(r);
    }
    return rc | awsreply_xml_close(r);
}

void aws_iam_finish(struct awsreply *r, int rc)
{
    if (rc == 0)
        awsreply_xml_end(r);
    else
        awsreply_error(r, 500, "ServiceFailure", "could not write the reply");
}

static void list_roles(struct awsreply *r)
{
    const struct world *w = r->world;
    const char *prefix = awsreply_param(r, "PathPrefix");
    struct aws_iam_page p;
    if (aws_iam_read_page(r, &p) < 0)
        return;
    size_t i = 0;
    /* Roles are sorted by name; the marker is the next page's first. */
    while (p.position && i < w->role_count &&
           strcasecmp(w->roles[i].name, p.position) < 0)
        i++;
    int rc = awsreply_xml_begin(r);
    rc |= awsreply_xml_open(r, "Roles");
    long written = 0;
    for (; i < w->role_count && written < p.max_items; i++) {
        const struct world_role *role = &w->roles[i];
        if (prefix && strncmp(role->path, prefix, strlen(prefix)) != 0)
            continue;
        rc |= aws_iam_write_role(r, role, "member", 0);
        written++;
    }
    while (prefix && i < w->role_count &&
           strncmp(w->roles[i].path, prefix, strlen(prefix)) != 0)
        i++;
    rc |= awsreply_xml_close(r);
    rc |= aws_iam_end_page(r, i < w->role_count ? w->roles[i].name : NULL);
    free(p.position);
    aws_iam_finish(r, rc);
}

static void get_role(struct awsreply *r)
{
    const struct world_role *role = find_role(r);
    if (!role)
        return;
    int rc = awsreply_xml_begin(r);
    rc |= aws_iam_write_role(r, role, "Role",
                             AWS_IAM_ROLE_TAGS | AWS_IAM_ROLE_LAST_USED);
    aws_iam_finish(r, rc);
}

/* "arn:aws:iam::aws:policy/service-role/NAME": the name and the path
 * ("/service-role/") of a policy ARN. */
static const char *policy_name(const char *arn)
{
    const char *slash = strrchr(arn, '/');
    return slash ? slash + 1 : arn;
}

static int policy_path_matches(const char *arn, const char *prefix)
{
    const char *path = strstr(arn, ":policy/");
    if (!prefix)
        return 1;
    return path && strncmp(path + strlen(":policy"), prefix,
                           strlen(prefix)) == 0;
}

static void list_attached_role_policies(struct awsreply *r)
{
    const struct world_role *role = find_role(r);
    const char *prefix = awsreply_param(r, "PathPrefix");
    struct aws_iam_page p;
    size_t i;
    if (!role || aws_iam_read_page(r, &p) < 0)
        return;
    if (aws_iam_index_position(&p, role->attached_count, &i) < 0) {
        free(p.position);
        awsreply_error(r, 400, "ValidationError", "Invalid Marker: pass the "
                       "Marker of the previous page unchanged");
        return;
    }
    int rc = awsreply_xml_begin(r);
    rc |= awsreply_xml_open(r, "AttachedPolicies");
    for (long written = 0; i < role->attached_count &&
                           written < p.max_items; i++) {
        const char *arn = role->attached_policy_arns[i];
        if (!policy_path_matches(arn, prefix))
            continue;
        rc |= awsreply_xml_open(r, "member");
        rc |= awsreply_xml_text(r, "PolicyName", policy_name(arn));
        rc |= awsreply_xml_text(r, "PolicyArn", arn);
        rc |= awsreply_xml_close(r);
        written++;
    }
    rc |= awsreply_xml_close(r);
    char next[24];
    snprintf(next, sizeof(next), "%zu", i);
    rc |= aws_iam_end_page(r, i < role->attached_count ? next : NULL);
    free(p.position);
    aws_iam_finish(r, rc);
}

static void list_role_policies(struct awsreply *r)
{
    const struct world_role *role = find_role(r);
    struct aws_iam_page p;
    size_t i;
    if (!role || aws_iam_read_page(r, &p) < 0)
        return;
    if (aws_iam_index_position(&p, role->inline_count, &i) < 0) {
        free(p.position);
        awsreply_error(r, 400, "ValidationError", "Invalid Marker: pass the "
                       "Marker of the previous page unchanged");
        return;
    }
    int rc = awsreply_xml_begin(r);
    rc |= awsreply_xml_open(r, "PolicyNames");
    for (long written = 0; i < role->inline_count && written < p.max_items;
         i++, written++)
        rc |= awsreply_xml_text(r, "member", role->inline_policies[i].name);
    rc |= awsreply_xml_close(r);
    char next[24];
    snprintf(next, sizeof(next), "%zu", i);
    rc |= aws_iam_end_page(r, i < role->inline_count ? next : NULL);
    free(p.position);
    aws_iam_finish(r, rc);
}

static void get_role_policy(struct awsreply *r)
{
    const struct world_role *role = find_role(r);
    const char *name = awsreply_param(r, "PolicyName");
    if (!role)
        return;
    for (size_t i = 0; name && i < role->inline_count; i++) {
        const struct world_inline_policy *p = &role->inline_policies[i];
        if (strcmp(p->name, name) != 0)
            continue;
        int rc = awsreply_xml_begin(r);
        rc |= awsreply_xml_text(r, "RoleName", role->name);
        rc |= awsreply_xml_text(r, "PolicyName", p->name);
        rc |= awsreply_xml_encoded(r, "PolicyDocument", p->document);
        aws_iam_finish(r, rc);
        return;
    }
    awsreply_error(r, 404, "NoSuchEntity", "The role policy with name %s "
                   "cannot be found.", name ? name : "(none)");
}

const struct world_policy *aws_iam_find_policy(struct awsreply *r)
{
    const char *arn = awsreply_param(r, "PolicyArn");
    const struct world_policy *p = arn ? world_policy(r->world, arn) : NULL;
    if (!p)
        awsreply_error(r, 404, "NoSuchEntity", "Policy %s was not found.",
                       arn ? arn : "(none)");
    return p;
}

int aws_iam_write_policy(struct awsreply *r, const struct world_policy *p)
{
    char count[24], version[16];
    snprintf(count, sizeof(count), "%zu",
             world_iam_attachment_count(r->world, p->arn));
    int rc = awsreply_xml_open(r, "Policy");
    rc |= awsreply_xml_text(r, "PolicyName", p->name);
    rc |= awsreply_xml_text(r, "PolicyId", p->policy_id);
    rc |= awsreply_xml_text(r, "Arn", p->arn);
    rc |= awsreply_xml_text(r, "Path", p->path);
    rc |= awsreply_xml_text(r, "DefaultVersionId",
                            world_policy_version(p, version));
    rc |= awsreply_xml_text(r, "AttachmentCount", count);
    rc |= awsreply_xml_text(r, "PermissionsBoundaryUsageCount", "0");
    rc |= awsreply_xml_text(r, "IsAttachable", "true");
    rc |= awsreply_xml_text(r, "Description", p->description);
    rc |= awsreply_xml_text(r, "CreateDate", p->created);
    rc |= awsreply_xml_text(r, "UpdateDate", p->created);
    rc |= aws_iam_write_tags(r, &p->tags);
    return rc | awsreply_xml_close(r);
}

/* Builds an AWS managed policy from iampolicy.c's table into *out, for
 * one reply (the caller frees it with world_free_policy). Returns 1, 0
 * when the table has no such ARN, or -1 when memory runs out. */
static int load_managed_policy(const char *arn, struct world_policy *out)
{
    const char *document = iampolicy_managed_document(arn);
    memset(out, 0, sizeof(*out));
    if (!document)
        return 0;
    /* NOTE: one fixed creation date, while AWS's differ per policy. */
    const char *created = "2015-02-06T18:39:46Z";
    out->name = strdup(strrchr(arn, '/') + 1);
    out->path = strdup("/");
    out->arn = strdup(arn);
    out->policy_id = iam_new_id("ANPA", arn, created);
    out->document = strdup(document);
    out->created = strdup(created);
    return out->name && out->path && out->arn && out->policy_id &&
           out->document && out->created ? 1 : -1;
}

/* The policy that GetPolicy and GetPolicyVersion read: a customer managed
 * policy of the world, or an AWS managed one of the table loaded into
 * *managed (freed by the caller). NULL after an error reply. */
static const struct world_policy *find_readable_policy(
    struct awsreply *r, struct world_policy *managed)
{
    const char *arn = awsreply_param(r, "PolicyArn");
    memset(managed, 0, sizeof(*managed));
    int loaded = arn && !world_policy(r->world, arn)
                 ? load_managed_policy(arn, managed) : 0;
    if (loaded > 0)
        return managed;
    if (loaded < 0) {
        char msg[200];
        awsreply_error(r, 500, iam_no_memory(msg, sizeof(msg)), "%s", msg);
        return NULL;
    }
    return aws_iam_find_policy(r);
}

static void get_policy(struct awsreply *r)
{
    struct world_policy managed;
    const struct world_policy *p = find_readable_policy(r, &managed);
    if (p) {
        int rc = awsreply_xml_begin(r);
        rc |= aws_iam_write_policy(r, p);
        aws_iam_finish(r, rc);
    }
    world_free_policy(&managed);
}

static void write_policy_version(struct awsreply *r,
                                 const struct world_policy *p)
{
    const char *version = awsreply_param(r, "VersionId");
    char current[16];
    if (!version || strcmp(version, world_policy_version(p, current)) != 0) {
        awsreply_error(r, 404, "NoSuchEntity", "Policy %s version %s does "
                       "not exist or is not attachable.", p->arn,
                       version ? version : "(none)");
        return;
    }
    int rc = awsreply_xml_begin(r);
    rc |= awsreply_xml_open(r, "PolicyVersion");
    rc |= awsreply_xml_encoded(r, "Document", p->document);
    rc |= awsreply_xml_text(r, "VersionId", current);
    rc |= awsreply_xml_text(r, "IsDefaultVersion", "true");
    rc |= awsreply_xml_text(r, "CreateDate", p->created);
    rc |= awsreply_xml_close(r);
    aws_iam_finish(r, rc);
}

static void get_policy_version(struct awsreply *r)
{
    struct world_policy managed;
    const struct world_policy *p = find_readable_policy(r, &managed);
    if (p)
        write_policy_version(r, p);
    world_free_policy(&managed);
}

static void list_oidc_providers(struct awsreply *r)
{
    const struct world *w = r->world;
    int rc = awsreply_xml_begin(r);
    rc |= awsreply_xml_open(r, "OpenIDConnectProviderList");
    for (size_t i = 0; i < w->oidc_provider_count; i++) {
        rc |= awsreply_xml_open(r, "member");
        rc |= awsreply_xml_text(r, "Arn", w->oidc_providers[i].arn);
        rc |= awsreply_xml_close(r);
    }
    rc |= awsreply_xml_close(r);
    aws_iam_finish(r, rc);
}

/* The provider OpenIDConnectProviderArn names, or NULL after replying
 * NoSuchEntity. */
static const struct world_oidc_provider *named_provider(struct awsreply *r)
{
    const char *arn = awsreply_param(r, "OpenIDConnectProviderArn");
    const struct world_oidc_provider *p =
        arn ? world_oidc_provider(r->world, arn) : NULL;
    if (!p)
        awsreply_error(r, 404, "NoSuchEntity", "OpenIDConnect Provider not "
                       "found for arn %s", arn ? arn : "(none)");
    return p;
}

static void get_oidc_provider(struct awsreply *r)
{
    const struct world_oidc_provider *p = named_provider(r);
    if (!p)
        return;
    /* The thumbprints given at creation, or a stand-in for the SHA-1
     * thumbprint of the issuer's root CA, derived from the URL. */
    char *thumbprint = p->thumbprint_count ? NULL :
        wfile_derive("", p->url, 40, WFILE_LOWER_HEX);
    int rc = awsreply_xml_begin(r);
    rc |= awsreply_xml_text(r, "Url", p->url);
    rc |= awsreply_xml_open(r, "ClientIDList");
    for (size_t i = 0; i < p->client_id_count; i++)
        rc |= awsreply_xml_text(r, "member", p->client_ids[i]);
    rc |= awsreply_xml_close(r);
    rc |= awsreply_xml_open(r, "ThumbprintList");
    for (size_t i = 0; i < p->thumbprint_count; i++)
        rc |= awsreply_xml_text(r, "member", p->thumbprints[i]);
    if (!p->thumbprint_count)
        rc |= thumbprint ? awsreply_xml_text(r, "member", thumbprint) : -1;
    rc |= awsreply_xml_close(r);
    rc |= awsreply_xml_text(r, "CreateDate", p->created);
    rc |= aws_iam_write_tags(r, &p->tags);
    free(thumbprint);
    aws_iam_finish(r, rc);
}

static void list_oidc_provider_tags(struct awsreply *r)
{
    const struct world_oidc_provider *p = named_provider(r);
    if (!p)
        return;
    /* At most 50 tags, fewer than MaxItems' default of 100: one page. */
    int rc = awsreply_xml_begin(r);
    if (p->tags.count) {
        rc |= aws_iam_write_tags(r, &p->tags);
    } else {
        rc |= awsreply_xml_open(r, "Tags");  /* required, even when empty */
        rc |= awsreply_xml_close(r);
    }
    rc |= awsreply_xml_text(r, "IsTruncated", "false");
    aws_iam_finish(r, rc);
}

struct operation {
    const char *action;
    void (*serve)(struct awsreply *r);
};

static const struct operation operations[] = {
    {"ListRoles", list_roles},
    {"GetRole", get_role},
    {"ListAttachedRolePolicies", list_attached_role_policies},
    {"ListRolePolicies", list_role_policies},
    {"GetRolePolicy", get_role_policy},
    {"GetPolicy", get_policy},
    {"GetPolicyVersion", get_policy_version},
    {"ListOpenIDConnectProviders", list_oidc_providers},
    {"GetOpenIDConnectProvider", get_oidc_provider},
    {"ListOpenIDConnectProviderTags", list_oidc_provider_tags},
};

void aws_iam_serve(struct awsreply *r)
{
    for (size_t i = 0; i < sizeof(operations) / sizeof(operations[0]); i++)
        if (strcmp(operations[i].action, r->action) == 0) {
            operations[i].serve(r);
            return;
        }
    if (aws_iam_serve_write(r))
        return;
    awsreply_error(r, 400, "InvalidAction", "Could not find operation %s for "
                   "version 2010-05-08", r->action);
}
