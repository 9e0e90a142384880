/*
 * Writes to the sandbox's Kubernetes API: POST (create), PUT (replace),
 * PATCH (JSON patch, merge patch, strategic merge patch and server-side
 * apply) and DELETE of service accounts, services, ingress classes and
 * the stored kinds
 * (k8s_store.h), with dryRun=All and the API server's Status errors.
 */
#ifndef SANDBOX_K8S_WRITE_H
#define SANDBOX_K8S_WRITE_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "k8s_object.h"
#include "server.h"

#define K8S_BODY_MAX (3u << 20)     /* the API server's request limit */

/*
 * Serves a request whose method is not GET or HEAD. parts is the path
 * after /k8s/REGION/NAME, split at '/': api/v1/... or
 * apis/GROUP/VERSION/..., then [namespaces/NS/]RESOURCE[/NAME].
 */
void k8s_write_serve(struct world_cluster *c, const struct sb_request *req,
                     struct sb_response *res, const char *const *parts,
                     size_t count);

/* The service account store of the write side (k8s_sa_write.c), with
 * the same contracts as k8s_store_get, k8s_store_put and
 * k8s_store_remove. */
cJSON *k8s_sa_get(struct world_cluster *c, const struct k8s_resource *r,
                  const char *ns, const char *name);
int k8s_sa_put(struct world_cluster *c, const struct k8s_resource *r,
               cJSON *obj);
int k8s_sa_remove(struct world_cluster *c, const struct k8s_resource *r,
                  const char *ns, const char *name);

/* The same for services (k8s_service_write.c), which also check the
 * spec: 0, or -1 with the invalid field and why. */
cJSON *k8s_service_get(struct world_cluster *c, const struct k8s_resource *r,
                       const char *ns, const char *name);
int k8s_service_put(struct world_cluster *c, const struct k8s_resource *r,
                    cJSON *obj);
int k8s_service_remove(struct world_cluster *c, const struct k8s_resource *r,
                       const char *ns, const char *name);
int k8s_service_check(const cJSON *obj, char *field, size_t fieldlen,
                      char *detail, size_t detaillen);

/* The same for ingress classes (k8s_class_write.c). */
cJSON *k8s_class_get(struct world_cluster *c, const struct k8s_resource *r,
                     const char *ns, const char *name);
int k8s_class_put(struct world_cluster *c, const struct k8s_resource *r,
                  cJSON *obj);
int k8s_class_remove(struct world_cluster *c, const struct k8s_resource *r,
                     const char *ns, const char *name);

/* The same for namespaces (k8s_ns_write.c); k8s_ns_protected is 1 for
 * the namespaces the API server refuses to delete. */
cJSON *k8s_ns_get(struct world_cluster *c, const struct k8s_resource *r,
                  const char *ns, const char *name);
int k8s_ns_put(struct world_cluster *c, const struct k8s_resource *r,
               cJSON *obj);
int k8s_ns_remove(struct world_cluster *c, const struct k8s_resource *r,
                  const char *ns, const char *name);
int k8s_ns_protected(const char *name);

/* The same for IngressClassParams (k8s_params_write.c). */
cJSON *k8s_params_get(struct world_cluster *c, const struct k8s_resource *r,
                      const char *ns, const char *name);
int k8s_params_put(struct world_cluster *c, const struct k8s_resource *r,
                   cJSON *obj);
int k8s_params_remove(struct world_cluster *c, const struct k8s_resource *r,
                      const char *ns, const char *name);

#endif
