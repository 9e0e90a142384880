/*
 * Writes of service accounts into the world's structs, so the lists, the
 * controller's IRSA lookup and the clients see them like the world
 * file's own. The whole object is kept as JSON beside the struct, so
 * fields the struct lacks (secrets, automountServiceAccountToken,
 * managedFields) survive a write.
 */
#include <stdlib.h>
#include <string.h>

#include "k8s_write.h"
#include "wfile.h"

static struct world_service_account *find_sa(struct world_cluster *c,
                                             const char *ns,
                                             const char *name)
{
    for (size_t i = 0; i < c->service_account_count; i++) {
        struct world_service_account *sa = &c->service_accounts[i];

        if (!strcmp(sa->namespace, ns) && !strcmp(sa->name, name))
            return sa;
    }
    return NULL;
}

cJSON *k8s_sa_get(struct world_cluster *c, const struct k8s_resource *r,
                  const char *ns, const char *name)
{
    struct world_service_account *sa = find_sa(c, ns ? ns : "", name);

    return sa ? r->render(c, (size_t)(sa - c->service_accounts)) : NULL;
}

static const cJSON *metadata(const cJSON *obj, const char *name)
{
    return cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(obj, "metadata"), name);
}

static char *meta_copy(const cJSON *obj, const char *name)
{
    const char *s = cJSON_GetStringValue(metadata(obj, name));

    return strdup(s ? s : "");
}

static void sa_cleanup(struct world_service_account *sa)
{
    free(sa->namespace);
    free(sa->name);
    free(sa->uid);
    free(sa->created);
    free(sa->document);
    wfile_kv_free(&sa->annotations);
    wfile_kv_free(&sa->labels);
}

/* Fills sa from obj; returns 0, or -1 with sa to clean up. */
static int fill_sa(struct world_service_account *sa, cJSON *obj)
{
    const char *rv = cJSON_GetStringValue(metadata(obj, "resourceVersion"));

    cJSON_DeleteItemFromObjectCaseSensitive(obj, "kind");
    cJSON_DeleteItemFromObjectCaseSensitive(obj, "apiVersion");
    sa->namespace = meta_copy(obj, "namespace");
    sa->name = meta_copy(obj, "name");
    sa->uid = meta_copy(obj, "uid");
    sa->created = meta_copy(obj, "creationTimestamp");
    sa->resource_version = rv ? strtoul(rv, NULL, 10) : 0;
    sa->document = cJSON_PrintUnformatted(obj);
    if (!sa->namespace || !sa->name || !sa->uid || !sa->created ||
        !sa->document ||
        k8s_read_map(metadata(obj, "annotations"), &sa->annotations) < 0 ||
        k8s_read_map(metadata(obj, "labels"), &sa->labels) < 0)
        return -1;
    return 0;
}

int k8s_sa_put(struct world_cluster *c, const struct k8s_resource *r,
               cJSON *obj)
{
    struct world_service_account fresh = { .namespace = NULL };
    struct world_service_account *old, *grown;
    int rc = fill_sa(&fresh, obj);

    (void)r;
    cJSON_Delete(obj);
    if (rc < 0) {
        sa_cleanup(&fresh);
        return -1;
    }
    old = find_sa(c, fresh.namespace, fresh.name);
    if (old) {
        sa_cleanup(old);
        *old = fresh;
        return 0;
    }
    grown = realloc(c->service_accounts,
                    (c->service_account_count + 1) * sizeof(*grown));
    if (!grown) {
        sa_cleanup(&fresh);
        return -1;
    }
    c->service_accounts = grown;
    c->service_accounts[c->service_account_count++] = fresh;
    return 0;
}

int k8s_sa_remove(struct world_cluster *c, const struct k8s_resource *r,
                  const char *ns, const char *name)
{
    struct world_service_account *sa = find_sa(c, ns ? ns : "", name);
    size_t after;

    (void)r;
    if (!sa)
        return -1;
    sa_cleanup(sa);
    after = c->service_account_count - (size_t)(sa - c->service_accounts) - 1;
    memmove(sa, sa + 1, after * sizeof(*sa));
    c->service_account_count--;
    return 0;
}
