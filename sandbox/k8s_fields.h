/*
 * Field ownership of Kubernetes objects (metadata.managedFields), as
 * server-side apply records it. Each entry names a manager, its
 * operation (Apply or Update) and the fields it set, in the FieldsV1
 * format: {"f:metadata":{"f:labels":{"f:app":{}}}}.
 *
 * Limits: lists are atomic, owned whole by the manager that set them
 * (the API server tracks list items by key, "k:{...}", for lists with a
 * merge key such as containers). Ownership of a parent field does not
 * cover its children.
 */
#ifndef SANDBOX_K8S_FIELDS_H
#define SANDBOX_K8S_FIELDS_H

#include <stddef.h>

#include <cjson/cJSON.h>

/*
 * Records an Update by manager on obj (whose metadata.managedFields is
 * old's): the fields whose value is new or changed become the manager's
 * and no other manager's, and fields that old had and obj lacks leave
 * every manager. old is NULL for a create. Returns 0 or -1 (memory).
 */
int k8s_fields_update(cJSON *obj, const cJSON *old, const char *manager,
                      const char *api_version, const char *now);

/*
 * Server-side apply of applied by manager on *obj (the live object, or
 * a skeleton with metadata.name for a create). Fields that another
 * manager owns with a different value conflict: with force they change
 * hands, without it nothing changes and the conflicts are described in
 * msg in the API server's words. Fields the manager applied before and
 * no longer applies are removed unless another manager owns them.
 * Returns 0, 1 on conflict, or -1 when memory runs out.
 */
int k8s_fields_apply(cJSON **obj, const cJSON *applied, const char *manager,
                     const char *api_version, int force, const char *now,
                     char *msg, size_t msglen);

#endif
