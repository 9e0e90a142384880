/*
 * Request bodies of Kubernetes writes: JSON or YAML documents parsed
 * into cJSON, and the patch formats the API server takes (JSON merge
 * patch, RFC 7386, and JSON patch, RFC 6902).
 */
#ifndef SANDBOX_K8S_PATCH_H
#define SANDBOX_K8S_PATCH_H

#include <stddef.h>

#include <cjson/cJSON.h>

/*
 * Parses a body as JSON or, with yaml set, as one YAML document (JSON is
 * YAML too). Returns the document, or NULL with the problem and its
 * position in err.
 */
cJSON *k8s_parse_body(const char *body, size_t len, int yaml, char *err,
                      size_t errlen);

/*
 * Applies a JSON merge patch to *target (replaced when the patch is not
 * an object). Members set to null are removed and objects merge
 * recursively; anything else, arrays included, replaces the old value.
 * Returns 0, or -1 when memory runs out.
 */
int k8s_merge_patch(cJSON **target, const cJSON *patch);

/*
 * Applies a JSON patch (an array of add, remove, replace, move, copy and
 * test operations) to *doc. Returns 0, or -1 with the failed operation
 * in err; *doc may then be partly changed, so callers patch a copy.
 */
int k8s_json_patch(cJSON **doc, const cJSON *ops, char *err, size_t errlen);

#endif
