/*
 * EKS Pod Identity associations (rest-json): Create, List, Describe,
 * Update and Delete under /clusters/NAME/pod-identity-associations.
 *
 * As EKS does, a create or update checks that the role exists and that
 * its trust policy lets pods.eks.amazonaws.com call sts:AssumeRole and
 * sts:TagSession; the service account need not exist. A create that
 * repeats the clientRequestToken of the association it meets returns
 * that association, so a retried create succeeds.
 *
 * NOTE: the ResourceInUseException, associationId length and "Role
 * provided ... does not exist" and "Trust policy ... is invalid" messages
 * are EKS's as clients have reported them; the other messages are
 * written to match their style, not copied from EKS.
 */
#include "aws_eks.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wfile.h"
#include "world_net.h"
#include "world_pod_identity.h"

#define POD_PRINCIPAL "pods.eks.amazonaws.com"
#define MAX_TAGS 50

static void invalid(struct awsreply *r, const char *message)
{
    awsreply_error(r, 400, "InvalidParameterException", "%s", message);
}

static void invalid_value(struct awsreply *r, const char *fmt,
                          const char *value)
{
    char message[300];
    snprintf(message, sizeof(message), fmt, value);
    invalid(r, message);
}

static cJSON *association_json(const struct awsreply *r,
                               const struct world_cluster *c,
                               const struct world_pod_identity *a,
                               int summary)
{
    cJSON *o = cJSON_CreateObject();
    char *arn = world_pod_identity_arn(r->world, c, a);
    cJSON_AddStringToObject(o, "clusterName", c->name);
    cJSON_AddStringToObject(o, "namespace", a->namespace);
    cJSON_AddStringToObject(o, "serviceAccount", a->service_account);
    cJSON_AddStringToObject(o, "associationArn", arn ? arn : "");
    cJSON_AddStringToObject(o, "associationId", a->id);
    free(arn);
    if (summary)
        return o;
    cJSON_AddStringToObject(o, "roleArn", a->role_arn);
    if (a->tags.count)
        cJSON_AddItemToObject(o, "tags", aws_eks_tags_json(&a->tags));
    cJSON_AddNumberToObject(o, "createdAt",
                            (double)awsreply_parse_time(a->created));
    cJSON_AddNumberToObject(o, "modifiedAt",
                            (double)awsreply_parse_time(a->modified));
    cJSON_AddBoolToObject(o, "disableSessionTags", 0);
    return o;
}

static void reply_association(struct awsreply *r,
                              const struct world_cluster *c,
                              const struct world_pod_identity *a)
{
    cJSON *body = cJSON_CreateObject();
    cJSON_AddItemToObject(body, "association", association_json(r, c, a, 0));
    awsreply_json(r, 200, body);
}

/* ---- the role's trust ---- */

/* "*" and "?" wildcards, ignoring case as IAM does for action names. */
static int action_like(const char *pattern, const char *s)
{
    if (!*pattern)
        return !*s;
    if (*pattern == '*')
        return action_like(pattern + 1, s) || (*s && action_like(pattern,
                                                                 s + 1));
    return *s && (*pattern == '?' ||
                  tolower((unsigned char)*pattern) ==
                      tolower((unsigned char)*s)) &&
           action_like(pattern + 1, s + 1);
}

/* A string or an array of strings: 1 when one matches s. */
static int any_matches(const cJSON *value, const char *s, int like)
{
    if (cJSON_IsString(value))
        return like ? action_like(value->valuestring, s)
                    : strcmp(value->valuestring, s) == 0;
    const cJSON *item;
    cJSON_ArrayForEach(item, value)
        if (cJSON_IsString(item) && any_matches(item, s, like))
            return 1;
    return 0;
}

/* Adds to *granted (bit 1 AssumeRole, bit 2 TagSession) what one Allow
 * statement for the Pod Identity principal grants. Conditions are not
 * evaluated: EKS accepts a trust policy scoped with aws:SourceArn. */
static void add_grants(const cJSON *st, unsigned *granted)
{
    const char *effect = cJSON_GetStringValue(
        cJSON_GetObjectItemCaseSensitive(st, "Effect"));
    const cJSON *principal = cJSON_GetObjectItemCaseSensitive(st,
                                                              "Principal");
    const cJSON *service = cJSON_GetObjectItemCaseSensitive(principal,
                                                            "Service");
    if (!effect || strcmp(effect, "Allow") != 0 ||
        !any_matches(service, POD_PRINCIPAL, 0))
        return;
    const cJSON *action = cJSON_GetObjectItemCaseSensitive(st, "Action");
    if (any_matches(action, "sts:AssumeRole", 1))
        *granted |= 1;
    if (any_matches(action, "sts:TagSession", 1))
        *granted |= 2;
}

int aws_eks_role_trusts_pods(const struct world_role *role)
{
    cJSON *doc = cJSON_Parse(role->trust_policy);
    const cJSON *statements = cJSON_GetObjectItemCaseSensitive(doc,
                                                               "Statement");
    unsigned granted = 0;
    const cJSON *st;
    if (cJSON_IsObject(statements))
        add_grants(statements, &granted);
    else if (cJSON_IsArray(statements))
        cJSON_ArrayForEach(st, statements)
            add_grants(st, &granted);
    cJSON_Delete(doc);
    return granted == 3;
}

/* 0 when role_arn names a role of the world that Pod Identity may
 * assume; -1 after replying. */
static int check_role(struct awsreply *r, const char *role_arn)
{
    const struct world_role *role = world_role_by_arn(r->world, role_arn);
    if (!role) {
        invalid(r, "Role provided in the request does not exist");
        return -1;
    }
    if (!aws_eks_role_trusts_pods(role)) {
        invalid(r, "Trust policy of the role provided is invalid.");
        return -1;
    }
    return 0;
}

/* ---- request bodies ---- */

int aws_eks_body_string(struct awsreply *r, const cJSON *body,
                       const char *name, const char **out)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(body, name);
    *out = NULL;
    if (!v)
        return 0;
    if (!cJSON_IsString(v) || !v->valuestring[0]) {
        invalid_value(r, "The parameter %s must be a non-empty string.",
                      name);
        return -1;
    }
    *out = v->valuestring;
    return 0;
}

int aws_eks_read_tags(struct awsreply *r, const cJSON *body,
                      struct world_kv_list *tags)
{
    const cJSON *o = cJSON_GetObjectItemCaseSensitive(body, "tags");
    if (!o)
        return 0;
    if (!cJSON_IsObject(o) || cJSON_GetArraySize(o) > MAX_TAGS) {
        invalid(r, "The parameter tags must be a map of at most 50 tags.");
        return -1;
    }
    const cJSON *tag;
    cJSON_ArrayForEach(tag, o) {
        if (!cJSON_IsString(tag) || !tag->string[0]) {
            invalid_value(r, "Tag '%s' must have a non-empty key and a "
                          "string value.", tag->string);
            return -1;
        }
        if (world_kv_add(tags, tag->string, tag->valuestring) < 0) {
            awsreply_error(r, 500, "ServerException", "out of memory");
            return -1;
        }
    }
    return 0;
}

/* The JSON object of the request body, or NULL after replying. */
static cJSON *parse_body(struct awsreply *r)
{
    cJSON *body = cJSON_ParseWithLength(r->req->body ? r->req->body : "",
                                        r->req->body_len);
    if (!cJSON_IsObject(body)) {
        cJSON_Delete(body);
        invalid(r, "The request body is not a JSON object.");
        return NULL;
    }
    return body;
}

/* ---- the calls ---- */

struct create_request {
    const char *namespace;
    const char *service_account;
    const char *role_arn;
    const char *token;
};

static int read_create(struct awsreply *r, const cJSON *body,
                       struct create_request *rq)
{
    if (aws_eks_body_string(r, body, "namespace", &rq->namespace) < 0 ||
        aws_eks_body_string(r, body, "serviceAccount", &rq->service_account) < 0 ||
        aws_eks_body_string(r, body, "roleArn", &rq->role_arn) < 0 ||
        aws_eks_body_string(r, body, "clientRequestToken", &rq->token) < 0)
        return -1;
    const char *missing = !rq->namespace ? "namespace"
                          : !rq->service_account ? "serviceAccount"
                          : !rq->role_arn ? "roleArn" : NULL;
    if (missing) {
        invalid_value(r, "The parameter %s is required.", missing);
        return -1;
    }
    return 0;
}

/* Whether a, which has rq's namespace and service account, is what a
 * retry of rq's create made. */
static int same_create(const struct world_pod_identity *a,
                       const struct create_request *rq)
{
    return rq->token && a->client_token &&
           strcmp(a->client_token, rq->token) == 0 &&
           strcmp(a->role_arn, rq->role_arn) == 0;
}

static void create(struct awsreply *r, struct world_cluster *c)
{
    cJSON *body = parse_body(r);
    struct create_request rq = {0};
    struct world_kv_list tags = {0};
    if (!body || read_create(r, body, &rq) < 0 ||
        aws_eks_read_tags(r, body, &tags) < 0)
        goto done;
    const struct world_pod_identity *old = world_pod_identity_for(
        c, rq.namespace, rq.service_account);
    if (old && same_create(old, &rq)) {
        reply_association(r, c, old);
        goto done;
    }
    if (old) {
        awsreply_error(r, 409, "ResourceInUseException", "Association "
                       "already exists: %s", old->id);
        goto done;
    }
    if (check_role(r, rq.role_arn) < 0)
        goto done;
    char now[21];
    awsreply_format_time(r->req->now, now);
    struct world_pod_identity *a = world_add_pod_identity(
        c, rq.namespace, rq.service_account, rq.role_arn, now, rq.token);
    if (!a) {
        awsreply_error(r, 500, "ServerException", "out of memory");
        goto done;
    }
    a->tags = tags;
    tags = (struct world_kv_list){0};
    reply_association(r, c, a);
done:
    wfile_kv_free(&tags);
    cJSON_Delete(body);
}

/* The associations that match the namespace and serviceAccount filters,
 * in the order they were made. */
static size_t select_matching(struct awsreply *r,
                              const struct world_cluster *c,
                              const struct world_pod_identity **out)
{
    const char *ns = sb_query(r->req, "namespace");
    const char *sa = sb_query(r->req, "serviceAccount");
    size_t n = 0;
    for (size_t i = 0; i < c->pod_identity_count; i++) {
        const struct world_pod_identity *a = &c->pod_identities[i];
        if ((!ns || strcmp(a->namespace, ns) == 0) &&
            (!sa || strcmp(a->service_account, sa) == 0))
            out[n++] = a;
    }
    return n;
}

static void list(struct awsreply *r, const struct world_cluster *c)
{
    const struct world_pod_identity **matching =
        calloc(c->pod_identity_count + 1, sizeof(*matching));
    if (!matching) {
        awsreply_error(r, 500, "ServerException", "out of memory");
        return;
    }
    size_t count = select_matching(r, c, matching), start;
    long max;
    if (aws_eks_read_page(r, &max, &start, count) < 0) {
        free(matching);
        return;
    }
    cJSON *body = cJSON_CreateObject();
    cJSON *items = cJSON_AddArrayToObject(body, "associations");
    for (size_t i = start; i < count && i < start + (size_t)max; i++)
        cJSON_AddItemToArray(items, association_json(r, c, matching[i], 1));
    aws_eks_add_next_token(body, start + (size_t)max, count);
    free(matching);
    awsreply_json(r, 200, body);
}

/* The association id names, or NULL after replying. */
static struct world_pod_identity *find(struct awsreply *r,
                                       struct world_cluster *c,
                                       const char *id)
{
    if (strlen(id) != 19) {
        invalid(r, "The parameter associationId should be 19 characters "
                "long.");
        return NULL;
    }
    struct world_pod_identity *a = world_pod_identity(c, id);
    if (!a)
        awsreply_error(r, 404, "ResourceNotFoundException", "No pod "
                       "identity association found for id: %s.", id);
    return a;
}

static void update(struct awsreply *r, struct world_cluster *c,
                   struct world_pod_identity *a)
{
    cJSON *body = parse_body(r);
    const char *role_arn = NULL, *token = NULL;
    if (!body || aws_eks_body_string(r, body, "roleArn", &role_arn) < 0 ||
        aws_eks_body_string(r, body, "clientRequestToken", &token) < 0 ||
        (role_arn && check_role(r, role_arn) < 0)) {
        cJSON_Delete(body);
        return;
    }
    char now[21];
    awsreply_format_time(r->req->now, now);
    char *new_role = strdup(role_arn ? role_arn : a->role_arn);
    char *modified = strdup(now);
    if (!new_role || !modified) {
        free(new_role);
        free(modified);
        cJSON_Delete(body);
        awsreply_error(r, 500, "ServerException", "out of memory");
        return;
    }
    free(a->role_arn);
    free(a->modified);
    a->role_arn = new_role;
    a->modified = modified;
    cJSON_Delete(body);
    reply_association(r, c, a);
}

static void delete(struct awsreply *r, struct world_cluster *c,
                   struct world_pod_identity *a)
{
    cJSON *body = cJSON_CreateObject();
    cJSON_AddItemToObject(body, "association", association_json(r, c, a, 0));
    world_remove_pod_identity(c, a);
    awsreply_json(r, 200, body);
}

void aws_eks_pod_identity_serve(struct awsreply *r, const char *cluster,
                                const char *id)
{
    const char *method = r->req->method;
    int get = strcmp(method, "GET") == 0, post = strcmp(method, "POST") == 0;
    int del = strcmp(method, "DELETE") == 0;
    if (!(id ? get || post || del : get || post)) {
        awsreply_error(r, 404, "UnknownOperationException", "albatross-"
                       "sandbox does not serve %s %s", method, r->req->path);
        return;
    }
    struct world_cluster *c = aws_eks_find_cluster(r, cluster);
    if (!c)
        return;
    if (!id) {
        if (get)
            list(r, c);
        else
            create(r, c);
        return;
    }
    struct world_pod_identity *a = find(r, c, id);
    if (!a)
        return;
    if (get)
        reply_association(r, c, a);
    else if (post)
        update(r, c, a);
    else
        delete(r, c, a);
}
