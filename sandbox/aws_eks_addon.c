/*
 * EKS add-ons (rest-json): ListAddons, DescribeAddon, CreateAddon and
 * DeleteAddon under /clusters/NAME/addons.
 *
 * A created add-on is CREATING for the world's timing.addonCreation
 * seconds, then ACTIVE; a deleted one is gone at once, and the delete
 * returns it as DELETING. A create that repeats the clientRequestToken
 * of the add-on it meets returns that add-on, so a retried create
 * succeeds. The sandbox supports a fixed set of add-on names and accepts
 * any version of the form v1.2.3-eksbuild.4 (world_addon.c).
 *
 * NOTE: "No addon: NAME found in cluster: CLUSTER", "Addon already
 * exists." and "Addon NAME specified is not supported" are EKS's texts
 * as clients have reported them; the other messages follow their style
 * and are not copied from EKS.
 */
#include "aws_eks.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wfile.h"
#include "world_addon.h"

/* InvalidParameterException with fmt, which has one %s for value. */
static void invalid(struct awsreply *r, const char *fmt, const char *value)
{
    char message[400];
    snprintf(message, sizeof(message), fmt, value);
    awsreply_error(r, 400, "InvalidParameterException", "%s", message);
}

static void out_of_memory(struct awsreply *r)
{
    awsreply_error(r, 500, "ServerException", "out of memory");
}

static cJSON *addon_json(const struct awsreply *r,
                         const struct world_cluster *c,
                         const struct world_addon *a, const char *status)
{
    cJSON *o = cJSON_CreateObject();
    char *arn = world_addon_arn(r->world, c, a);
    cJSON_AddStringToObject(o, "addonName", a->name);
    cJSON_AddStringToObject(o, "clusterName", c->name);
    cJSON_AddStringToObject(o, "status", status);
    cJSON_AddStringToObject(o, "addonVersion", a->version);
    cJSON *health = cJSON_AddObjectToObject(o, "health");
    cJSON_AddArrayToObject(health, "issues");
    cJSON_AddStringToObject(o, "addonArn", arn ? arn : "");
    cJSON_AddNumberToObject(o, "createdAt",
                            (double)awsreply_parse_time(a->created));
    cJSON_AddNumberToObject(o, "modifiedAt",
                            (double)awsreply_parse_time(a->modified));
    if (a->service_account_role_arn)
        cJSON_AddStringToObject(o, "serviceAccountRoleArn",
                                a->service_account_role_arn);
    cJSON_AddItemToObject(o, "tags", aws_eks_tags_json(&a->tags));
    free(arn);
    return o;
}

static void reply_addon(struct awsreply *r, const struct world_cluster *c,
                        const struct world_addon *a, const char *status)
{
    cJSON *body = cJSON_CreateObject();
    cJSON_AddItemToObject(body, "addon", addon_json(r, c, a, status));
    awsreply_json(r, 200, body);
}

/* The add-on named name, or NULL after replying
 * ResourceNotFoundException. */
static struct world_addon *find(struct awsreply *r, struct world_cluster *c,
                                const char *name)
{
    struct world_addon *a = world_addon(c, name);
    if (!a) {
        char message[400];
        snprintf(message, sizeof(message), "No addon: %s found in cluster: "
                 "%s", name, c->name);
        awsreply_error(r, 404, "ResourceNotFoundException", "%s", message);
    }
    return a;
}

static void list(struct awsreply *r, const struct world_cluster *c)
{
    size_t start;
    long max;
    if (aws_eks_read_page(r, &max, &start, c->addon_count) < 0)
        return;
    cJSON *body = cJSON_CreateObject();
    cJSON *names = cJSON_AddArrayToObject(body, "addons");
    for (size_t i = start; i < c->addon_count && i < start + (size_t)max; i++)
        cJSON_AddItemToArray(names, cJSON_CreateString(c->addons[i].name));
    aws_eks_add_next_token(body, start + (size_t)max, c->addon_count);
    awsreply_json(r, 200, body);
}

/* ---- CreateAddon ---- */

struct create_request {
    const char *name;
    const char *version;
    const char *role_arn;
    const char *token;
    struct world_kv_list tags;
};

/* resolveConflicts, when given, must be one of EKS's three values. */
static int check_resolve_conflicts(struct awsreply *r, const cJSON *body)
{
    const char *value;
    if (aws_eks_body_string(r, body, "resolveConflicts", &value) < 0)
        return -1;
    if (value && strcmp(value, "OVERWRITE") != 0 &&
        strcmp(value, "NONE") != 0 && strcmp(value, "PRESERVE") != 0) {
        invalid(r, "The parameter resolveConflicts '%s' must be OVERWRITE, "
                "NONE or PRESERVE.", value);
        return -1;
    }
    return 0;
}

static int read_create(struct awsreply *r, const cJSON *body,
                       struct create_request *rq)
{
    if (aws_eks_body_string(r, body, "addonName", &rq->name) < 0 ||
        aws_eks_body_string(r, body, "addonVersion", &rq->version) < 0 ||
        aws_eks_body_string(r, body, "serviceAccountRoleArn", &rq->role_arn) < 0 ||
        aws_eks_body_string(r, body, "clientRequestToken", &rq->token) < 0 ||
        check_resolve_conflicts(r, body) < 0 ||
        aws_eks_read_tags(r, body, &rq->tags) < 0)
        return -1;
    if (!rq->name) {
        invalid(r, "%s", "The parameter addonName is required.");
        return -1;
    }
    if (!world_addon_default_version(rq->name)) {
        invalid(r, "Addon %s specified is not supported", rq->name);
        return -1;
    }
    if (rq->version && !world_valid_addon_version(rq->version)) {
        invalid(r, "Addon version %s specified is not supported",
                rq->version);
        return -1;
    }
    return 0;
}

/* Adds the add-on that rq requests and moves rq's tags to it. Returns it,
 * or NULL after replying when memory runs out. */
static struct world_addon *add(struct awsreply *r, struct world_cluster *c,
                               struct create_request *rq)
{
    char now[21];
    awsreply_format_time(r->req->now, now);
    const char *version = rq->version ? rq->version
                                      : world_addon_default_version(rq->name);
    struct world_addon *a = world_add_addon(r->world, c, rq->name, version,
                                            now);
    if (a && ((rq->token && !(a->client_token = strdup(rq->token))) ||
              (rq->role_arn && !(a->service_account_role_arn =
                                     strdup(rq->role_arn))))) {
        world_remove_addon(c, a);
        a = NULL;
    }
    if (!a) {
        out_of_memory(r);
        return NULL;
    }
    a->tags = rq->tags;
    rq->tags = (struct world_kv_list){0};
    return a;
}

static void create(struct awsreply *r, struct world_cluster *c)
{
    cJSON *body = cJSON_ParseWithLength(r->req->body ? r->req->body : "",
                                        r->req->body_len);
    struct create_request rq = {0};
    if (!cJSON_IsObject(body))
        invalid(r, "%s", "The request body is not a JSON object.");
    else if (read_create(r, body, &rq) == 0) {
        const struct world_addon *old = world_addon(c, rq.name);
        int retried = old && rq.token && old->client_token &&
                      strcmp(old->client_token, rq.token) == 0;
        if (retried)
            reply_addon(r, c, old, world_addon_status(r->world, old));
        else if (old)
            awsreply_error(r, 409, "ResourceInUseException", "Addon already "
                           "exists.");
        else if ((old = add(r, c, &rq)) != NULL)
            reply_addon(r, c, old, world_addon_status(r->world, old));
    }
    wfile_kv_free(&rq.tags);
    cJSON_Delete(body);
}

static void delete(struct awsreply *r, struct world_cluster *c,
                   struct world_addon *a)
{
    cJSON *body = cJSON_CreateObject();
    cJSON_AddItemToObject(body, "addon", addon_json(r, c, a, "DELETING"));
    world_remove_addon(c, a);
    awsreply_json(r, 200, body);
}

void aws_eks_addon_serve(struct awsreply *r, const char *cluster,
                         const char *name)
{
    const char *method = r->req->method;
    int get = strcmp(method, "GET") == 0, post = strcmp(method, "POST") == 0;
    int del = strcmp(method, "DELETE") == 0;
    if (!(name ? get || del : get || post)) {
        awsreply_error(r, 404, "UnknownOperationException", "albatross-"
                       "sandbox does not serve %s %s", method, r->req->path);
        return;
    }
    struct world_cluster *c = aws_eks_find_cluster(r, cluster);
    if (!c)
        return;
    if (!name) {
        if (get)
            list(r, c);
        else
            create(r, c);
        return;
    }
    struct world_addon *a = find(r, c, name);
    if (a && get)
        reply_addon(r, c, a, world_addon_status(r->world, a));
    else if (a)
        delete(r, c, a);
}
