/* Builders shared by the lbc_*.c files that render the controller's
 * objects. cJSON allocation failures abort, as xstrdup's do: a manifest
 * with a member silently missing would be applied as it is. */
#ifndef ALBATROSS_LBC_INTERNAL_H
#define ALBATROSS_LBC_INTERNAL_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "lbc_render.h"

cJSON *lbc_must(cJSON *item);
void lbc_put(cJSON *obj, const char *key, cJSON *item);
void lbc_put_string(cJSON *obj, const char *key, const char *value);
void lbc_put_number(cJSON *obj, const char *key, double value);
void lbc_put_bool(cJSON *obj, const char *key, int value);
void lbc_append(cJSON *array, cJSON *item);
cJSON *lbc_new_object(void);
/* An array of the strings in list, which ends with NULL. */
cJSON *lbc_strings(const char *const *list);
/* apiVersion, kind and metadata (name, the namespace unless ns is NULL,
 * and the chart's app.kubernetes.io labels). */
cJSON *lbc_object(const char *api_version, const char *kind,
                  const char *name, const char *ns);
/* The labels that select the controller's pods. */
cJSON *lbc_selector_labels(void);

/* The webhook TLS Secret and the webhook configurations whose caBundle
 * is the Secret's CA, all owned by the caller. */
struct lbc_webhook_objects {
    cJSON *secret;
    cJSON *mutating;
    cJSON *validating;
};

/* lbc_webhook.c: generates the certificates and renders w. Returns 0, or
 * -1 with err set and nothing allocated when generation fails. */
int lbc_render_webhooks(const struct lbc_options *o,
                        struct lbc_webhook_objects *w, char *err,
                        size_t errlen);

/* lbc_crd.c */
cJSON *lbc_target_group_binding_crd(void);
cJSON *lbc_ingress_class_params_crd(void);
cJSON *lbc_ingress_class_params(void);
cJSON *lbc_ingress_class(void);

#endif
