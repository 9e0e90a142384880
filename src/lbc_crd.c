/*
 * The controller's CRDs (TargetGroupBinding, IngressClassParams) and the
 * IngressClass alb that points at its IngressClassParams.
 *
 * NOTE: each CRD version's schema is an object with
 * x-kubernetes-preserve-unknown-fields, which an API server accepts as a
 * structural schema but which validates nothing inside spec. The chart's
 * CRDs carry the full generated schemas; the controller's webhooks still
 * validate TargetGroupBindings.
 */
#include <stdio.h>

#include "lbc_internal.h"

#define GROUP "elbv2.k8s.aws"

static cJSON *crd_version(const char *name, int storage)
{
    cJSON *v = lbc_new_object();
    cJSON *schema = lbc_new_object();
    cJSON *open_api = lbc_new_object();
    cJSON *subresources = lbc_new_object();
    lbc_put_string(v, "name", name);
    lbc_put_bool(v, "served", 1);
    lbc_put_bool(v, "storage", storage);
    lbc_put_string(open_api, "type", "object");
    lbc_put_bool(open_api, "x-kubernetes-preserve-unknown-fields", 1);
    lbc_put(schema, "openAPIV3Schema", open_api);
    lbc_put(v, "schema", schema);
    lbc_put(subresources, "status", lbc_new_object());
    lbc_put(v, "subresources", subresources);
    return v;
}

static cJSON *crd(const char *plural, const char *singular, const char *kind,
                  const char *scope, cJSON *versions)
{
    char name[128];
    char list_kind[128];
    snprintf(name, sizeof(name), "%s." GROUP, plural);
    snprintf(list_kind, sizeof(list_kind), "%sList", kind);
    cJSON *c = lbc_object("apiextensions.k8s.io/v1",
                          "CustomResourceDefinition", name, NULL);
    cJSON *spec = lbc_new_object();
    cJSON *names = lbc_new_object();
    lbc_put_string(spec, "group", GROUP);
    lbc_put_string(names, "kind", kind);
    lbc_put_string(names, "listKind", list_kind);
    lbc_put_string(names, "plural", plural);
    lbc_put_string(names, "singular", singular);
    lbc_put(spec, "names", names);
    lbc_put_string(spec, "scope", scope);
    lbc_put(spec, "versions", versions);
    lbc_put(c, "spec", spec);
    return c;
}

/* v1alpha1 is still served for old objects; v1beta1 is stored. */
cJSON *lbc_target_group_binding_crd(void)
{
    cJSON *versions = lbc_must(cJSON_CreateArray());
    lbc_append(versions, crd_version("v1alpha1", 0));
    lbc_append(versions, crd_version("v1beta1", 1));
    return crd("targetgroupbindings", "targetgroupbinding",
               "TargetGroupBinding", "Namespaced", versions);
}

cJSON *lbc_ingress_class_params_crd(void)
{
    cJSON *versions = lbc_must(cJSON_CreateArray());
    lbc_append(versions, crd_version("v1beta1", 1));
    return crd("ingressclassparams", "ingressclassparams",
               "IngressClassParams", "Cluster", versions);
}

/* With an empty spec: the chart's default values set no parameter. */
cJSON *lbc_ingress_class_params(void)
{
    cJSON *params = lbc_object(GROUP "/v1beta1", "IngressClassParams",
                               LBC_INGRESS_CLASS, NULL);
    lbc_put(params, "spec", lbc_new_object());
    return params;
}

cJSON *lbc_ingress_class(void)
{
    cJSON *class = lbc_object("networking.k8s.io/v1", "IngressClass",
                              LBC_INGRESS_CLASS, NULL);
    cJSON *spec = lbc_new_object();
    cJSON *parameters = lbc_new_object();
    lbc_put_string(spec, "controller", LBC_INGRESS_CONTROLLER);
    lbc_put_string(parameters, "apiGroup", GROUP);
    lbc_put_string(parameters, "kind", "IngressClassParams");
    lbc_put_string(parameters, "name", LBC_INGRESS_CLASS);
    lbc_put(spec, "parameters", parameters);
    lbc_put(class, "spec", spec);
    return class;
}
