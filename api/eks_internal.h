/* Helpers that eks.c and eks_pod_identity.c share to read EKS JSON replies. */
#ifndef ALBATROSS_EKS_INTERNAL_H
#define ALBATROSS_EKS_INTERNAL_H

#include <cjson/cJSON.h>

/* A copy of obj's string member at the dotted path ("identity.oidc.
 * issuer"), or NULL when a part is missing or not of the expected type. */
char *eks_json_string(const cJSON *obj, const char *path);

/* A copy of obj's timestamp member name as RFC 3339: rest-json sends
 * epoch seconds, and a string is taken as it is. NULL when it is
 * missing or out of range. */
char *eks_json_time(const cJSON *obj, const char *name);

#endif
