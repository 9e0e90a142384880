/*
 * Writes of namespaces: a create adds the name to the cluster's list,
 * which the read side renders, and a delete removes it. The API server
 * forbids deleting default, kube-system and kube-public; so does
 * k8s_ns_protected, which the write side checks before a delete.
 *
 * TODO: labels and annotations given at creation are not kept (the
 * list holds names only), and a delete leaves the namespace's objects
 * in place where the API server would delete them first.
 */
#include <stdlib.h>
#include <string.h>

#include "k8s_write.h"

static long find_ns(const struct world_cluster *c, const char *name)
{
    for (size_t i = 0; i < c->namespace_count; i++)
        if (!strcmp(c->namespaces[i], name))
            return (long)i;
    return -1;
}

int k8s_ns_protected(const char *name)
{
    static const char *const kept[] = { "default", "kube-system",
                                        "kube-public" };
    for (size_t i = 0; i < sizeof(kept) / sizeof(kept[0]); i++)
        if (!strcmp(kept[i], name))
            return 1;
    return 0;
}

cJSON *k8s_ns_get(struct world_cluster *c, const struct k8s_resource *r,
                  const char *ns, const char *name)
{
    long i = find_ns(c, name);

    (void)ns;
    return i < 0 ? NULL : r->render(c, (size_t)i);
}

int k8s_ns_put(struct world_cluster *c, const struct k8s_resource *r,
               cJSON *obj)
{
    const char *name = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(obj, "metadata"), "name"));
    /* Looked up once, before realloc may free c->namespaces. */
    int exists = name && find_ns(c, name) >= 0;
    char *copy = name && !exists ? strdup(name) : NULL;
    char **grown = copy ? realloc(c->namespaces, (c->namespace_count + 1) *
                                                 sizeof(char *)) : NULL;
    int rc = exists ? 0 : -1;

    (void)r;
    if (grown) {
        c->namespaces = grown;
        c->namespaces[c->namespace_count++] = copy;
        rc = 0;
    } else {
        free(copy);
    }
    cJSON_Delete(obj);
    return rc;
}

int k8s_ns_remove(struct world_cluster *c, const struct k8s_resource *r,
                  const char *ns, const char *name)
{
    long i = find_ns(c, name);

    (void)r;
    (void)ns;
    if (i < 0)
        return -1;
    free(c->namespaces[i]);
    memmove(&c->namespaces[i], &c->namespaces[i + 1],
            (c->namespace_count - (size_t)i - 1) * sizeof(char *));
    c->namespace_count--;
    return 0;
}
