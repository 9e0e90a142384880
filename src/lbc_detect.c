/*
 * Controller detection. The v2 chart labels its Deployment
 * app.kubernetes.io/name=aws-load-balancer-controller. The v1 controller
 * ran the image amazon/aws-alb-ingress-controller with a v1 tag; v2.0
 * and v2.1 reused that image name with v2 tags, so the tag decides.
 */
#include "lbc_detect.h"

#include <stdio.h>
#include <string.h>

#include "lbc_render.h"

#define LEGACY_IMAGE "aws-alb-ingress-controller"

static const cJSON *items_of(const cJSON *list)
{
    if (cJSON_IsArray(list))
        return list;
    const cJSON *items = cJSON_GetObjectItemCaseSensitive(list, "items");
    return cJSON_IsArray(items) ? items : NULL;
}

static const char *string_in(const cJSON *obj, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* obj.metadata.{labels|annotations}[key] */
static const char *meta_value(const cJSON *obj, const char *map,
                              const char *key)
{
    const cJSON *meta = cJSON_GetObjectItemCaseSensitive(obj, "metadata");
    return string_in(cJSON_GetObjectItemCaseSensitive(meta, map), key);
}

/* Splits image "REPO[:TAG][@DIGEST]" into the repository's last path
 * component and the tag. */
static void split_image(const char *image, char *base, size_t base_len,
                        char *tag, size_t tag_len)
{
    size_t end = strcspn(image, "@");
    const char *start = image;
    for (size_t i = 0; i < end; i++)
        if (image[i] == '/')
            start = image + i + 1;
    const char *colon = memchr(start, ':', end - (size_t)(start - image));
    size_t base_end = colon ? (size_t)(colon - start)
                            : end - (size_t)(start - image);
    snprintf(base, base_len, "%.*s", (int)base_end, start);
    if (colon)
        snprintf(tag, tag_len, "%.*s", (int)(image + end - colon - 1),
                 colon + 1);
    else
        tag[0] = '\0';
}

/* The first container image of a Deployment whose repository's last
 * component is base; its tag goes to tag. Returns 1 when one is found. */
static int find_image(const cJSON *deploy, const char *base, char *tag,
                      size_t tag_len)
{
    const cJSON *spec = cJSON_GetObjectItemCaseSensitive(deploy, "spec");
    const cJSON *pod = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(spec, "template"), "spec");
    const cJSON *c;
    cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(pod,
                                                           "containers")) {
        const char *image = string_in(c, "image");
        char found[256];
        if (!image)
            continue;
        split_image(image, found, sizeof(found), tag, tag_len);
        if (strcmp(found, base) == 0)
            return 1;
    }
    tag[0] = '\0';
    return 0;
}

static void note(struct lbc_found *f, const cJSON *deploy, const char *tag)
{
    const cJSON *meta = cJSON_GetObjectItemCaseSensitive(deploy, "metadata");
    const char *ns = string_in(meta, "namespace");
    const char *name = string_in(meta, "name");
    if (f->present || !name)
        return;
    f->present = 1;
    snprintf(f->namespace, sizeof(f->namespace), "%s", ns ? ns : "");
    snprintf(f->name, sizeof(f->name), "%s", name);
    snprintf(f->version, sizeof(f->version), "%s", tag);
}

static void check_deployment(const cJSON *deploy, struct lbc_detection *out)
{
    char tag[64];
    /* Items of an API list carry no kind; other lists (kubectl's, a
     * manifest) do, and the chart labels every object alike. */
    const char *kind = string_in(deploy, "kind");
    if (kind && strcmp(kind, "Deployment") != 0)
        return;
    const char *app = meta_value(deploy, "labels", "app.kubernetes.io/name");
    if (app && strcmp(app, LBC_NAME) == 0) {
        if (!find_image(deploy, LBC_NAME, tag, sizeof(tag)))
            find_image(deploy, LEGACY_IMAGE, tag, sizeof(tag));
        note(&out->current, deploy, tag);
    } else if (find_image(deploy, LEGACY_IMAGE, tag, sizeof(tag))) {
        note(tag[0] == 'v' && tag[1] == '1' && tag[2] == '.'
                 ? &out->legacy : &out->current, deploy, tag);
    }
}

void lbc_detect(const cJSON *deployments, const cJSON *ingresses,
                struct lbc_detection *out)
{
    const cJSON *item;
    memset(out, 0, sizeof(*out));
    cJSON_ArrayForEach(item, items_of(deployments))
        check_deployment(item, out);
    cJSON_ArrayForEach(item, items_of(ingresses)) {
        const char *class = meta_value(item, "annotations",
                                       "kubernetes.io/ingress.class");
        if (class && strcmp(class, LBC_INGRESS_CLASS) == 0)
            out->annotated_ingresses++;
    }
}
