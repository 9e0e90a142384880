/*
 * Writes of ingress classes into the world's structs, so the lists and
 * the controller simulation see them as they see the world file's (the
 * simulation runs once, at its start time, and sees only classes written
 * before then).
 * As for service accounts, the whole object is kept as JSON beside the
 * struct. The struct records spec.parameters only when they name an
 * elbv2.k8s.aws IngressClassParams, the only kind the controller reads.
 */
#include <stdlib.h>
#include <string.h>

#include "k8s_write.h"
#include "wfile.h"

#define DEFAULT_CLASS_ANNOTATION "ingressclass.kubernetes.io/is-default-class"

static struct world_ingress_class *find_class(struct world_cluster *c,
                                              const char *name)
{
    for (size_t i = 0; i < c->ingress_class_count; i++)
        if (!strcmp(c->ingress_classes[i].name, name))
            return &c->ingress_classes[i];
    return NULL;
}

cJSON *k8s_class_get(struct world_cluster *c, const struct k8s_resource *r,
                     const char *ns, const char *name)
{
    struct world_ingress_class *ic = find_class(c, name);

    (void)ns;
    return ic ? r->render(c, (size_t)(ic - c->ingress_classes)) : NULL;
}

static const cJSON *member(const cJSON *obj, const char *a, const char *b)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, a);

    return b ? cJSON_GetObjectItemCaseSensitive(v, b) : v;
}

static char *copy_string(const cJSON *v)
{
    const char *s = cJSON_GetStringValue(v);

    return strdup(s ? s : "");
}

static void class_cleanup(struct world_ingress_class *ic)
{
    free(ic->name);
    free(ic->uid);
    free(ic->created);
    free(ic->controller);
    free(ic->parameters);
    free(ic->document);
    wfile_kv_free(&ic->annotations);
    wfile_kv_free(&ic->labels);
}

/* The render adds the default-class annotation from is_default, so the
 * struct's annotations leave it out. */
static void take_default_flag(struct world_ingress_class *ic)
{
    struct world_kv_list *a = &ic->annotations;

    for (size_t i = 0; i < a->count; i++) {
        if (strcmp(a->items[i].key, DEFAULT_CLASS_ANNOTATION) != 0)
            continue;
        ic->is_default = !strcmp(a->items[i].value, "true");
        free(a->items[i].key);
        free(a->items[i].value);
        a->items[i] = a->items[--a->count];
        return;
    }
}

static int is_alb_params(const cJSON *params)
{
    const char *group = cJSON_GetStringValue(member(params, "apiGroup",
                                                    NULL));
    const char *kind = cJSON_GetStringValue(member(params, "kind", NULL));

    return group && kind && !strcmp(group, "elbv2.k8s.aws") &&
           !strcmp(kind, "IngressClassParams");
}

/* Fills ic from obj; returns 0, or -1 with ic to clean up. */
static int fill_class(struct world_ingress_class *ic, cJSON *obj)
{
    const cJSON *meta = member(obj, "metadata", NULL);
    const cJSON *params = member(obj, "spec", "parameters");
    const char *rv = cJSON_GetStringValue(member(meta, "resourceVersion",
                                                 NULL));

    cJSON_DeleteItemFromObjectCaseSensitive(obj, "kind");
    cJSON_DeleteItemFromObjectCaseSensitive(obj, "apiVersion");
    ic->name = copy_string(member(meta, "name", NULL));
    ic->uid = copy_string(member(meta, "uid", NULL));
    ic->created = copy_string(member(meta, "creationTimestamp", NULL));
    ic->resource_version = rv ? strtoul(rv, NULL, 10) : 0;
    ic->controller = copy_string(member(obj, "spec", "controller"));
    if (is_alb_params(params) &&
        !(ic->parameters = copy_string(member(params, "name", NULL))))
        return -1;
    ic->document = cJSON_PrintUnformatted(obj);
    if (!ic->name || !ic->uid || !ic->created || !ic->controller ||
        !ic->document ||
        k8s_read_map(member(meta, "annotations", NULL),
                     &ic->annotations) < 0 ||
        k8s_read_map(member(meta, "labels", NULL), &ic->labels) < 0)
        return -1;
    take_default_flag(ic);
    return 0;
}

int k8s_class_put(struct world_cluster *c, const struct k8s_resource *r,
                  cJSON *obj)
{
    struct world_ingress_class fresh = { .namespace = NULL };
    struct world_ingress_class *old, *grown;
    int rc = fill_class(&fresh, obj);

    (void)r;
    cJSON_Delete(obj);
    if (rc < 0) {
        class_cleanup(&fresh);
        return -1;
    }
    old = find_class(c, fresh.name);
    if (old) {
        class_cleanup(old);
        *old = fresh;
        return 0;
    }
    grown = realloc(c->ingress_classes,
                    (c->ingress_class_count + 1) * sizeof(*grown));
    if (!grown) {
        class_cleanup(&fresh);
        return -1;
    }
    c->ingress_classes = grown;
    c->ingress_classes[c->ingress_class_count++] = fresh;
    return 0;
}

int k8s_class_remove(struct world_cluster *c, const struct k8s_resource *r,
                     const char *ns, const char *name)
{
    struct world_ingress_class *ic = find_class(c, name);
    size_t after;

    (void)r;
    (void)ns;
    if (!ic)
        return -1;
    class_cleanup(ic);
    after = c->ingress_class_count - (size_t)(ic - c->ingress_classes) - 1;
    memmove(ic, ic + 1, after * sizeof(*ic));
    c->ingress_class_count--;
    return 0;
}
