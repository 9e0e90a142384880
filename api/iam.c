/*
 * IAM roles. ListRoles pages run one after another (each needs the Marker
 * of the one before); a role's details run three chains at once: GetRole,
 * ListAttachedRolePolicies pages and ListRolePolicies pages.
 */
#include "iam.h"

#include <stdlib.h>
#include <string.h>

#include "awsxml.h"

#define PAGE_SIZE "100"   /* MaxItems: IAM's default, sent explicitly */
#define MAX_PAGES 10000   /* stops a server whose Marker never ends */

static void free_attached(struct iam_role *r)
{
    for (size_t i = 0; i < r->attached_count; i++) {
        free(r->attached[i].name);
        free(r->attached[i].arn);
    }
    free(r->attached);
    r->attached = NULL;
    r->attached_count = 0;
}

static void free_inline(struct iam_role *r)
{
    for (size_t i = 0; i < r->inline_count; i++)
        free(r->inline_names[i]);
    free(r->inline_names);
    r->inline_names = NULL;
    r->inline_count = 0;
}

static void free_fields(struct iam_role *r)
{
    char **fields[] = {&r->name, &r->arn, &r->role_id, &r->path,
                       &r->created, &r->description, &r->trust_policy};
    for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
        free(*fields[i]);
        *fields[i] = NULL;
    }
}

void iam_role_cleanup(struct iam_role *r)
{
    free_fields(r);
    free_attached(r);
    free_inline(r);
    r->details_loaded = 0;
}

void iam_role_list_free(struct iam_role_list *l)
{
    if (!l)
        return;
    for (size_t i = 0; i < l->count; i++)
        iam_role_cleanup(&l->items[i]);
    free(l->items);
    free(l);
}

/* ---- parsing ---- */

static int hex(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

void iam_percent_decode(char *s)
{
    char *out = s;
    for (char *p = s; *p; p++) {
        if (*p == '%' && hex(p[1]) >= 0 && hex(p[2]) >= 0) {
            *out++ = (char)(hex(p[1]) * 16 + hex(p[2]));
            p += 2;
        } else {
            *out++ = *p;
        }
    }
    *out = '\0';
}

/* Fills r from a <Role> or <member> element; name and ARN are required. */
static int parse_role(const xmlNode *n, struct iam_role *r)
{
    r->name = awsxml_child_text(n, "RoleName");
    r->arn = awsxml_child_text(n, "Arn");
    r->role_id = awsxml_child_text(n, "RoleId");
    r->path = awsxml_child_text(n, "Path");
    r->created = awsxml_child_text(n, "CreateDate");
    r->description = awsxml_child_text(n, "Description");
    r->trust_policy = awsxml_child_text(n, "AssumeRolePolicyDocument");
    if (r->trust_policy)
        iam_percent_decode(r->trust_policy);
    if (!r->name || !*r->name || !r->arn || !*r->arn) {
        free_fields(r);
        return -1;
    }
    return 0;
}

/* The Marker of the next page, or NULL on the last one. Returns 0, or -1
 * when IsTruncated is true without a Marker. */
static int next_marker(const xmlNode *result, char **marker)
{
    char *truncated = awsxml_child_text(result, "IsTruncated");
    int more = truncated && strcmp(truncated, "true") == 0;
    free(truncated);
    *marker = more ? awsxml_child_text(result, "Marker") : NULL;
    if (more && (!*marker || !**marker)) {
        free(*marker);
        *marker = NULL;
        return -1;
    }
    return 0;
}

static int append_role(struct iam_role_list *list, const xmlNode *member)
{
    struct iam_role r = {0};
    if (parse_role(member, &r) < 0)
        return -1;
    struct iam_role *grown = realloc(list->items,
                                     (list->count + 1) * sizeof(*grown));
    if (!grown) {
        iam_role_cleanup(&r);
        return -1;
    }
    list->items = grown;
    list->items[list->count++] = r;
    return 0;
}

int iam_parse_roles_page(const char *xml, size_t len,
                         struct iam_role_list *list, char **marker,
                         struct api_error *err)
{
    static const char what[] = "IAM ListRoles";
    *marker = NULL;
    xmlDoc *doc = awsxml_parse(xml, len, what, err);
    if (!doc)
        return -1;
    xmlNode *result = awsxml_find(xmlDocGetRootElement(doc),
                                  "ListRolesResult");
    xmlNode *roles = awsxml_child(result, "Roles");
    int rc = roles ? 0 : -1;
    for (xmlNode *m = awsxml_child(roles, "member"); m && rc == 0;
         m = awsxml_next(m))
        rc = append_role(list, m);
    if (rc == 0)
        rc = next_marker(result, marker);
    xmlFreeDoc(doc);
    if (rc < 0)
        api_error_set(err, "InvalidReply", "%s reply has no Roles, a role "
                      "without RoleName or Arn, or IsTruncated without a "
                      "Marker", what);
    return rc;
}

int iam_parse_role(const char *xml, size_t len, struct iam_role *role,
                   struct api_error *err)
{
    static const char what[] = "IAM GetRole";
    xmlDoc *doc = awsxml_parse(xml, len, what, err);
    if (!doc)
        return -1;
    xmlNode *result = awsxml_find(xmlDocGetRootElement(doc),
                                  "GetRoleResult");
    struct iam_role fresh = {0};
    int rc = parse_role(awsxml_child(result, "Role"), &fresh);
    xmlFreeDoc(doc);
    if (rc < 0) {
        api_error_set(err, "InvalidReply", "%s reply has no Role with "
                      "RoleName and Arn", what);
        return -1;
    }
    free_fields(role);
    role->name = fresh.name;
    role->arn = fresh.arn;
    role->role_id = fresh.role_id;
    role->path = fresh.path;
    role->created = fresh.created;
    role->description = fresh.description;
    role->trust_policy = fresh.trust_policy;
    return 0;
}

static int add_attached(struct iam_role *r, const xmlNode *member)
{
    char *name = awsxml_child_text(member, "PolicyName");
    char *arn = awsxml_child_text(member, "PolicyArn");
    struct iam_attached_policy *grown =
        name && arn && *arn ? realloc(r->attached, (r->attached_count + 1) *
                                                       sizeof(*grown))
                            : NULL;
    if (!grown) {
        free(name);
        free(arn);
        return -1;
    }
    r->attached = grown;
    grown[r->attached_count].name = name;
    grown[r->attached_count].arn = arn;
    r->attached_count++;
    return 0;
}

static int add_inline(struct iam_role *r, const xmlNode *member)
{
    char *name = awsxml_text(member);
    char **grown = name && *name ? realloc(r->inline_names,
                                           (r->inline_count + 1) *
                                               sizeof(*grown))
                                 : NULL;
    if (!grown) {
        free(name);
        return -1;
    }
    r->inline_names = grown;
    grown[r->inline_count++] = name;
    return 0;
}

/* Appends one page of ListAttachedRolePolicies (attached set) or
 * ListRolePolicies to role. */
static int parse_policies_page(const char *xml, size_t len, int attached,
                               struct iam_role *role, char **marker,
                               struct api_error *err)
{
    const char *what = attached ? "IAM ListAttachedRolePolicies"
                                : "IAM ListRolePolicies";
    *marker = NULL;
    xmlDoc *doc = awsxml_parse(xml, len, what, err);
    if (!doc)
        return -1;
    xmlNode *result = awsxml_find(xmlDocGetRootElement(doc),
                                  attached ? "ListAttachedRolePoliciesResult"
                                           : "ListRolePoliciesResult");
    xmlNode *items = awsxml_child(result, attached ? "AttachedPolicies"
                                                   : "PolicyNames");
    int rc = items ? 0 : -1;
    for (xmlNode *m = awsxml_child(items, "member"); m && rc == 0;
         m = awsxml_next(m))
        rc = attached ? add_attached(role, m) : add_inline(role, m);
    if (rc == 0)
        rc = next_marker(result, marker);
    xmlFreeDoc(doc);
    if (rc < 0)
        api_error_set(err, "InvalidReply", "%s reply has no %s list, an "
                      "entry without a name, or IsTruncated without a "
                      "Marker", what,
                      attached ? "AttachedPolicies" : "PolicyNames");
    return rc;
}

int iam_parse_attached_policies(const char *xml, size_t len,
                                struct iam_role *role, char **marker,
                                struct api_error *err)
{
    return parse_policies_page(xml, len, 1, role, marker, err);
}

int iam_parse_inline_policies(const char *xml, size_t len,
                              struct iam_role *role, char **marker,
                              struct api_error *err)
{
    return parse_policies_page(xml, len, 0, role, marker, err);
}

/* ---- ListRoles, every page ---- */

struct roles_op {
    struct aws_session *s;
    iam_roles_fn done;
    void *ctx;
    struct iam_role_list *list;
    int pages;
};

static void on_roles_page(const struct buf *body, const struct api_error *err,
                          void *ctx);

static void send_roles_page(struct roles_op *op, const char *marker)
{
    const struct sigv4_pair params[] = {{"MaxItems", PAGE_SIZE},
                                        {"Marker", marker}};
    const struct aws_call call = {
        .service = &aws_service_iam, .operation = "ListRoles",
        .params = params, .param_count = marker ? 2 : 1,
    };
    op->pages++;
    aws_send(op->s, &call, on_roles_page, op);
}

static void on_roles_page(const struct buf *body, const struct api_error *err,
                          void *ctx)
{
    struct roles_op *op = ctx;
    struct api_error parse_err = {0};
    char *marker = NULL;
    if (!err && iam_parse_roles_page(body->data, body->len, op->list,
                                     &marker, &parse_err) < 0)
        err = &parse_err;
    if (!err && marker && op->pages < MAX_PAGES) {
        send_roles_page(op, marker);
        free(marker);
        return;
    }
    free(marker);
    if (err) {
        iam_role_list_free(op->list);
        op->list = NULL;
    }
    op->done(op->list, err, op->ctx);
    free(op);
}

int iam_list_roles(struct aws_session *s, iam_roles_fn done, void *ctx)
{
    struct roles_op *op = calloc(1, sizeof(*op));
    struct iam_role_list *list = calloc(1, sizeof(*list));
    if (!op || !list) {
        free(op);
        free(list);
        struct api_error err = {0};
        api_error_set(&err, "InternalError", "out of memory");
        done(NULL, &err, ctx);
        return -1;
    }
    op->s = s;
    op->done = done;
    op->ctx = ctx;
    op->list = list;
    send_roles_page(op, NULL);
    return 0;
}

/* ---- one role's details ---- */

enum detail_kind { DETAIL_ROLE, DETAIL_ATTACHED, DETAIL_INLINE };

struct details_op {
    struct aws_session *s;
    struct iam_role *role;
    iam_role_fn done;
    void *ctx;
    size_t pending;
    struct api_error error;   /* the first one; code "" when none */
};

struct detail_step {
    struct details_op *op;
    enum detail_kind kind;
    int page;
};

static void on_detail(const struct buf *body, const struct api_error *err,
                      void *ctx);

static void send_detail(struct details_op *op, enum detail_kind kind,
                        const char *marker, int page)
{
    static const char *const operations[] = {
        "GetRole", "ListAttachedRolePolicies", "ListRolePolicies",
    };
    struct detail_step *st = calloc(1, sizeof(*st));
    if (!st) {
        if (!op->error.code[0])
            api_error_set(&op->error, "InternalError", "out of memory");
        return;
    }
    st->op = op;
    st->kind = kind;
    st->page = page;
    const struct sigv4_pair params[] = {{"RoleName", op->role->name},
                                        {"MaxItems", PAGE_SIZE},
                                        {"Marker", marker}};
    const struct aws_call call = {
        .service = &aws_service_iam, .operation = operations[kind],
        .params = params,
        .param_count = kind == DETAIL_ROLE ? 1 : marker ? 3 : 2,
    };
    op->pending++;
    aws_send(op->s, &call, on_detail, st);
}

static void release_details(struct details_op *op)
{
    if (--op->pending > 0)
        return;
    op->role->details_loaded = op->error.code[0] == '\0';
    op->done(op->role, op->error.code[0] ? &op->error : NULL, op->ctx);
    free(op);
}

static int parse_detail(const struct detail_step *st, const struct buf *body,
                        char **marker, struct api_error *err)
{
    struct iam_role *role = st->op->role;
    *marker = NULL;
    if (st->kind == DETAIL_ROLE)
        return iam_parse_role(body->data, body->len, role, err);
    return parse_policies_page(body->data, body->len,
                               st->kind == DETAIL_ATTACHED, role, marker,
                               err);
}

static void on_detail(const struct buf *body, const struct api_error *err,
                      void *ctx)
{
    struct detail_step *st = ctx;
    struct details_op *op = st->op;
    struct api_error parse_err = {0};
    char *marker = NULL;
    if (!err && parse_detail(st, body, &marker, &parse_err) < 0)
        err = &parse_err;
    if (err && !op->error.code[0])
        op->error = *err;
    if (!err && marker && st->page + 1 < MAX_PAGES)
        send_detail(op, st->kind, marker, st->page + 1);
    free(marker);
    free(st);
    release_details(op);
}

int iam_load_role_details(struct aws_session *s, struct iam_role *role,
                          iam_role_fn done, void *ctx)
{
    struct details_op *op = role->name ? calloc(1, sizeof(*op)) : NULL;
    if (!op) {
        struct api_error err = {0};
        api_error_set(&err, "InternalError", role->name
                      ? "out of memory" : "the role to load has no name");
        done(role, &err, ctx);
        return -1;
    }
    op->s = s;
    op->role = role;
    op->done = done;
    op->ctx = ctx;
    free_attached(role);
    free_inline(role);
    role->details_loaded = 0;
    /* Held until all three chains are sent; see release_details. */
    op->pending = 1;
    send_detail(op, DETAIL_ROLE, NULL, 0);
    send_detail(op, DETAIL_ATTACHED, NULL, 0);
    send_detail(op, DETAIL_INLINE, NULL, 0);
    release_details(op);
    return 0;
}

/* ---- OIDC providers ---- */

void iam_oidc_provider_list_free(struct iam_oidc_provider_list *l)
{
    if (!l)
        return;
    for (size_t i = 0; i < l->count; i++)
        free(l->arns[i]);
    free(l->arns);
    free(l);
}

static int add_provider(struct iam_oidc_provider_list *list,
                        const xmlNode *member)
{
    char *arn = awsxml_child_text(member, "Arn");
    char **grown = arn && *arn && list->count < IAM_MAX_OIDC_PROVIDERS
        ? realloc(list->arns, (list->count + 1) * sizeof(*grown))
        : NULL;
    if (!grown) {
        free(arn);
        return -1;
    }
    list->arns = grown;
    grown[list->count++] = arn;
    return 0;
}

int iam_parse_oidc_providers(const char *xml, size_t len,
                             struct iam_oidc_provider_list *list,
                             struct api_error *err)
{
    static const char what[] = "IAM ListOpenIDConnectProviders";
    xmlDoc *doc = awsxml_parse(xml, len, what, err);
    if (!doc)
        return -1;
    xmlNode *result = awsxml_find(xmlDocGetRootElement(doc),
                                  "ListOpenIDConnectProvidersResult");
    xmlNode *items = awsxml_child(result, "OpenIDConnectProviderList");
    int rc = items ? 0 : -1;
    for (xmlNode *m = awsxml_child(items, "member"); m && rc == 0;
         m = awsxml_next(m))
        rc = add_provider(list, m);
    xmlFreeDoc(doc);
    if (rc < 0)
        api_error_set(err, "InvalidReply", "%s reply has no "
                      "OpenIDConnectProviderList, a provider without an Arn, "
                      "or more than %d providers", what,
                      IAM_MAX_OIDC_PROVIDERS);
    return rc;
}

struct providers_op {
    iam_oidc_providers_fn done;
    void *ctx;
};

static void on_providers(const struct buf *body, const struct api_error *err,
                         void *ctx)
{
    struct providers_op *op = ctx;
    struct api_error parse_err = {0};
    struct iam_oidc_provider_list *list = calloc(1, sizeof(*list));
    if (!err && !list) {
        api_error_set(&parse_err, "InternalError", "out of memory");
        err = &parse_err;
    }
    if (!err && iam_parse_oidc_providers(body->data, body->len, list,
                                         &parse_err) < 0)
        err = &parse_err;
    if (err) {
        iam_oidc_provider_list_free(list);
        list = NULL;
    }
    op->done(list, err, op->ctx);
    free(op);
}

int iam_list_oidc_providers(struct aws_session *s, iam_oidc_providers_fn done,
                            void *ctx)
{
    struct providers_op *op = calloc(1, sizeof(*op));
    if (!op) {
        struct api_error err = {0};
        api_error_set(&err, "InternalError", "out of memory");
        done(NULL, &err, ctx);
        return -1;
    }
    op->done = done;
    op->ctx = ctx;
    const struct aws_call call = {
        .service = &aws_service_iam,
        .operation = "ListOpenIDConnectProviders",
    };
    aws_send(s, &call, on_providers, op);
    return 0;
}
