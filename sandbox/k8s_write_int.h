/*
 * The parts of k8s_write.c shared with k8s_commit.c: one write request,
 * where its kind is stored, and the Status errors and metadata steps
 * every method uses.
 */
#ifndef SANDBOX_K8S_WRITE_INT_H
#define SANDBOX_K8S_WRITE_INT_H

#include <cjson/cJSON.h>

#include "k8s_write.h"

#define MANAGER_MAX 128     /* the API server's limit on fieldManager */

struct k8s_backend {
    cJSON *(*get)(struct world_cluster *c, const struct k8s_resource *r,
                  const char *ns, const char *name);
    int (*put)(struct world_cluster *c, const struct k8s_resource *r,
               cJSON *obj);
    int (*remove)(struct world_cluster *c, const struct k8s_resource *r,
                  const char *ns, const char *name);
    /* Checks the kind's own fields before a store: 0, or -1 with the
     * invalid field and why. NULL when only metadata is checked. */
    int (*check)(const cJSON *obj, char *field, size_t fieldlen,
                 char *detail, size_t detaillen);
};

/* One write request. */
struct write {
    struct world_cluster *c;
    const struct sb_request *req;
    struct sb_response *res;
    const struct k8s_resource *r;
    const struct k8s_backend *backend;
    const char *group;          /* "" for the core group */
    const char *ns;             /* NULL for cluster-scoped resources */
    const char *name;           /* NULL for a POST to the collection */
    char resource[160];         /* "deployments.apps", as in messages */
    char manager[MANAGER_MAX + 1];
    char now[21];
    int dry_run;
};

/* Status errors in the API server's words: 404 NotFound, 409 Conflict
 * ("Operation cannot be fulfilled on RESOURCE "NAME": why"), 422
 * Invalid ("KIND "NAME" is invalid: FIELD: DETAIL"), and any code with
 * details naming the object. */
void write_send_named(struct write *w, int code, const char *reason,
                      const char *name, const char *message);
void write_not_found(struct write *w, const char *name);
void write_conflict(struct write *w, const char *name, const char *why);
void write_invalid(struct write *w, const char *kind, const char *name,
                   const char *field, const char *detail);

/* obj's metadata object, made when missing; a string of it or NULL; and
 * a string of it set (removed when value is NULL). value must not point
 * into the member it replaces. */
cJSON *write_meta_of(cJSON *obj);
const char *write_meta_str(const cJSON *obj, const char *name);
void write_set_meta(cJSON *obj, const char *name, const char *value);

/* Checks what the body says about itself (apiVersion, kind, namespace,
 * name, labels and annotations) against the URL. Returns 0, or -1 after
 * replying 400 or 422. */
int write_check_identity(struct write *w, cJSON *obj, const char *name);

int write_namespace_exists(const struct world_cluster *c, const char *ns);
int write_is_crd(const struct write *w);

/* k8s_admission.c: calls the admission webhooks that match a write of
 * obj (operation CREATE or UPDATE). Returns 0, or -1 after replying with
 * the API server's error for a webhook call that would fail. */
int k8s_admit(struct write *w, const cJSON *obj, const char *operation);

/*
 * Sets what the server owns on obj, the new object for w (old is the
 * live one, NULL for a create), stores it unless dry-run, and replies
 * with code. obj is taken. Field ownership is the caller's for an apply
 * (record_update 0).
 */
void write_commit(struct write *w, const cJSON *old, cJSON *obj,
                  const char *name, int record_update, int code);

#endif
