/*
 * EKS TagResource, UntagResource and ListTagsForResource on clusters
 * (rest-json: POST, DELETE and GET /tags/{resourceArn}), which eksctl
 * uses to mark a cluster alpha.eksctl.io/cluster-oidc-enabled=true once
 * its OIDC provider is associated. Node groups carry no tags here.
 */
#include "aws_services.h"

#include <stdlib.h>
#include <string.h>

#define TAGS_PREFIX "/tags/"
#define EKS_TAGS_MAX 50
#define KEY_MAX 128
#define VALUE_MAX 256

static struct world_cluster *cluster_by_arn(struct awsreply *r,
                                            const char *arn)
{
    for (size_t i = 0; i < r->world->cluster_count; i++) {
        struct world_cluster *c = &r->world->clusters[i];
        if (c->arn && strcmp(c->arn, arn) == 0)
            return c;
    }
    awsreply_error(r, 404, "ResourceNotFoundException", "No cluster found "
                   "for arn: %s.", arn);
    return NULL;
}

static struct world_kv *find_tag(struct world_kv_list *l, const char *key)
{
    for (size_t i = 0; i < l->count; i++)
        if (strcmp(l->items[i].key, key) == 0)
            return &l->items[i];
    return NULL;
}

/* Checks the body's "tags" object as EKS does; NULL after replying. */
static const cJSON *read_tags(struct awsreply *r, const cJSON *body,
                              const struct world_kv_list *have)
{
    const cJSON *tags = cJSON_GetObjectItemCaseSensitive(body, "tags");
    if (!cJSON_IsObject(tags) || !tags->child) {
        awsreply_error(r, 400, "BadRequestException", "tags must be a "
                       "non-empty map of strings");
        return NULL;
    }
    size_t added = 0;
    const cJSON *t;
    cJSON_ArrayForEach(t, tags) {
        if (!cJSON_IsString(t) || !*t->string ||
            strlen(t->string) > KEY_MAX || strlen(t->valuestring) > VALUE_MAX) {
            awsreply_error(r, 400, "BadRequestException", "tag %s: keys "
                           "have 1 to %d characters and values are strings "
                           "of at most %d", t->string, KEY_MAX, VALUE_MAX);
            return NULL;
        }
        added += !find_tag((struct world_kv_list *)have, t->string);
    }
    if (have->count + added > EKS_TAGS_MAX) {
        awsreply_error(r, 400, "BadRequestException", "a resource can have "
                       "at most %d tags", EKS_TAGS_MAX);
        return NULL;
    }
    return tags;
}

static int set_tag(struct world_kv_list *l, const char *key,
                   const char *value)
{
    struct world_kv *t = find_tag(l, key);
    char *v = strdup(value);
    if (!v)
        return -1;
    if (t) {
        free(t->value);
        t->value = v;
        return 0;
    }
    struct world_kv *grown = realloc(l->items, (l->count + 1) *
                                               sizeof(*grown));
    char *k = strdup(key);
    if (grown)
        l->items = grown;
    if (!grown || !k) {
        free(k);
        free(v);
        return -1;
    }
    l->items[l->count].key = k;
    l->items[l->count++].value = v;
    return 0;
}

static void tag_resource(struct awsreply *r, struct world_cluster *c)
{
    cJSON *body = cJSON_ParseWithLength(r->req->body ? r->req->body : "",
                                        r->req->body_len);
    const cJSON *tags = read_tags(r, body, &c->tags);
    const cJSON *t;
    int rc = 0;
    cJSON_ArrayForEach(t, tags)
        rc |= set_tag(&c->tags, t->string, t->valuestring);
    cJSON_Delete(body);
    if (!tags)
        return;
    if (rc < 0)
        awsreply_error(r, 500, "ServerException", "out of memory");
    else
        awsreply_json(r, 200, cJSON_CreateObject());
}

static void untag_resource(struct awsreply *r, struct world_cluster *c)
{
    size_t keys = 0;
    for (size_t i = 0; i < r->req->query_count; i++) {
        if (strcmp(r->req->query[i].name, "tagKeys") != 0)
            continue;
        keys++;
        struct world_kv *t = find_tag(&c->tags, r->req->query[i].value);
        if (!t)
            continue;
        free(t->key);
        free(t->value);
        *t = c->tags.items[--c->tags.count];
    }
    if (!keys)
        awsreply_error(r, 400, "InvalidParameterException", "tagKeys must "
                       "name at least one tag");
    else
        awsreply_json(r, 200, cJSON_CreateObject());
}

static void list_tags(struct awsreply *r, const struct world_cluster *c)
{
    cJSON *body = cJSON_CreateObject();
    cJSON *tags = cJSON_AddObjectToObject(body, "tags");
    for (size_t i = 0; i < c->tags.count; i++)
        cJSON_AddStringToObject(tags, c->tags.items[i].key,
                                c->tags.items[i].value);
    awsreply_json(r, 200, body);
}

int aws_eks_serve_tags(struct awsreply *r)
{
    const char *path = r->req->path;
    if (strncmp(path, TAGS_PREFIX, strlen(TAGS_PREFIX)) != 0)
        return 0;
    const char *method = r->req->method;
    struct world_cluster *c = cluster_by_arn(r, path + strlen(TAGS_PREFIX));
    if (!c)
        return 1;
    if (strcmp(method, "POST") == 0)
        tag_resource(r, c);
    else if (strcmp(method, "DELETE") == 0)
        untag_resource(r, c);
    else if (strcmp(method, "GET") == 0)
        list_tags(r, c);
    else
        awsreply_error(r, 405, "UnknownOperationException", "albatross-sandbox "
                       "does not serve %s on tags", method);
    return 1;
}
