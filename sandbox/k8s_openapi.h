/* OpenAPI v3 documents of a cluster's API, enough for kubectl's checks
 * before a write (see k8s_openapi.c). */
#ifndef SANDBOX_K8S_OPENAPI_H
#define SANDBOX_K8S_OPENAPI_H

#include <stddef.h>

#include "server.h"

/* Serves /openapi/PARTS: parts are the path after "openapi". */
void k8s_openapi_serve(struct world_cluster *c, struct sb_response *res,
                       const char *const *parts, size_t count);

#endif
