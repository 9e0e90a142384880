/*
 * Writes of IngressClassParams (elbv2.k8s.aws/v1beta1) into the world's
 * structs, so the lists and the controller simulation see them as they
 * see the world file's. The struct keeps the spec fields the simulation
 * reads (scheme, group, ipAddressType, the first certificateArn,
 * sslPolicy, targetType, tags). As for ingress classes, the whole object
 * is kept as JSON beside it, and reads return that.
 */
#include <stdlib.h>
#include <string.h>

#include "k8s_write.h"
#include "world_cluster.h"

static struct world_ingress_class_params *find_params(
    struct world_cluster *c, const char *name)
{
    for (size_t i = 0; i < c->class_params_count; i++)
        if (!strcmp(c->class_params[i].name, name))
            return &c->class_params[i];
    return NULL;
}

cJSON *k8s_params_get(struct world_cluster *c, const struct k8s_resource *r,
                      const char *ns, const char *name)
{
    struct world_ingress_class_params *p = find_params(c, name);

    (void)ns;
    return p ? r->render(c, (size_t)(p - c->class_params)) : NULL;
}

static const cJSON *member(const cJSON *obj, const char *a, const char *b)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, a);

    return b ? cJSON_GetObjectItemCaseSensitive(v, b) : v;
}

/* A copy of v's string, NULL when v is not a string. */
static char *optional(const cJSON *v)
{
    const char *s = cJSON_GetStringValue(v);

    return s ? strdup(s) : NULL;
}

/* spec.tags, a list of {key, value}, as a map. */
static int read_tags(const cJSON *tags, struct world_kv_list *out)
{
    cJSON *map = cJSON_CreateObject();
    const cJSON *t;
    int rc;

    if (!map)
        return -1;
    cJSON_ArrayForEach(t, tags) {
        const char *k = cJSON_GetStringValue(member(t, "key", NULL));
        const char *v = cJSON_GetStringValue(member(t, "value", NULL));
        if (k && v)
            cJSON_AddStringToObject(map, k, v);
    }
    rc = k8s_read_map(map, out);
    cJSON_Delete(map);
    return rc;
}

/* Fills p from obj; returns 0, or -1 with p to clean up. */
static int fill_params(struct world_ingress_class_params *p, cJSON *obj)
{
    const cJSON *meta = member(obj, "metadata", NULL);
    const cJSON *spec = member(obj, "spec", NULL);
    const char *rv = cJSON_GetStringValue(member(meta, "resourceVersion",
                                                 NULL));

    p->name = optional(member(meta, "name", NULL));
    p->uid = optional(member(meta, "uid", NULL));
    p->created = optional(member(meta, "creationTimestamp", NULL));
    p->resource_version = rv ? strtoul(rv, NULL, 10) : 0;
    p->scheme = optional(member(spec, "scheme", NULL));
    p->group = optional(member(spec, "group", "name"));
    p->ip_address_type = optional(member(spec, "ipAddressType", NULL));
    p->certificate_arn = optional(cJSON_GetArrayItem(
        member(spec, "certificateArn", NULL), 0));
    p->ssl_policy = optional(member(spec, "sslPolicy", NULL));
    p->target_type = optional(member(spec, "targetType", NULL));
    /* The render adds kind and apiVersion, as for ingress classes. */
    cJSON_DeleteItemFromObjectCaseSensitive(obj, "kind");
    cJSON_DeleteItemFromObjectCaseSensitive(obj, "apiVersion");
    p->document = cJSON_PrintUnformatted(obj);
    if (!p->name || !p->uid || !p->created || !p->document ||
        k8s_read_map(member(meta, "annotations", NULL),
                     &p->annotations) < 0 ||
        k8s_read_map(member(meta, "labels", NULL), &p->labels) < 0 ||
        read_tags(member(spec, "tags", NULL), &p->tags) < 0)
        return -1;
    return 0;
}

int k8s_params_put(struct world_cluster *c, const struct k8s_resource *r,
                   cJSON *obj)
{
    struct world_ingress_class_params fresh = { .namespace = NULL };
    struct world_ingress_class_params *old, *grown;
    int rc = fill_params(&fresh, obj);

    (void)r;
    cJSON_Delete(obj);
    if (rc < 0) {
        world_free_class_params(&fresh);
        return -1;
    }
    old = find_params(c, fresh.name);
    if (old) {
        world_free_class_params(old);
        *old = fresh;
        return 0;
    }
    grown = realloc(c->class_params,
                    (c->class_params_count + 1) * sizeof(*grown));
    if (!grown) {
        world_free_class_params(&fresh);
        return -1;
    }
    c->class_params = grown;
    c->class_params[c->class_params_count++] = fresh;
    return 0;
}

int k8s_params_remove(struct world_cluster *c, const struct k8s_resource *r,
                      const char *ns, const char *name)
{
    struct world_ingress_class_params *p = find_params(c, name);
    size_t after;

    (void)r;
    (void)ns;
    if (!p)
        return -1;
    world_free_class_params(p);
    after = c->class_params_count - (size_t)(p - c->class_params) - 1;
    memmove(p, p + 1, after * sizeof(*p));
    c->class_params_count--;
    return 0;
}
