/*
 * Kubernetes writes: create (POST), replace (PUT), JSON merge patch,
 * server-side apply (field manager "albatross") and delete of one
 * object. Each passes kube_check_method first, so a read-only client
 * sends nothing and reports "ReadOnly".
 *
 * Retries follow the list calls' rules (429, 5xx and transport failures,
 * up to the AWS session's max_attempts) for the idempotent writes: PUT,
 * merge patch, apply and DELETE. A POST is retried only after a 429,
 * which the API server sends before it acts on a request, because a
 * create whose reply was lost may have happened. Every write sends the
 * request again once with a new token after a 401, when the client
 * makes its own tokens (EKS or exec plugin).
 */
#ifndef ALBATROSS_KUBE_WRITE_H
#define ALBATROSS_KUBE_WRITE_H

#include <stddef.h>

#include "kube.h"

#define KUBE_FIELD_MANAGER "albatross"

/* The object of one write: PREFIX[/namespaces/NS]/RESOURCE[/NAME], as
 * "/api/v1", "default", "serviceaccounts", "web". namespace is NULL for
 * cluster-scoped resources and name NULL for a create. */
struct kube_object_ref {
    const char *prefix;
    const char *namespace;
    const char *resource;
    const char *name;
};

/*
 * Called once from inside http_wait(), or from the write call itself
 * when the request was never sent: on success with the reply body (the
 * object, or a Status for a delete) and err NULL; on failure with err
 * and the body NULL. The body is borrowed for the call.
 */
typedef void (*kube_write_fn)(const char *body, size_t len,
                              const struct api_error *err, void *ctx);

/*
 * Each sends one write and returns 0, or -1 after calling done with the
 * error (read-only session, invalid namespace or name, no credentials).
 * body is the JSON text to send; dry_run adds dryRun=All, so the server
 * checks the write and changes nothing. The client must outlive the
 * call's done: kube_client_cleanup does not cancel writes.
 */
int kube_create(struct kube_client *kc, const struct kube_object_ref *ref,
                const char *body, int dry_run, kube_write_fn done,
                void *ctx);
int kube_replace(struct kube_client *kc, const struct kube_object_ref *ref,
                 const char *body, int dry_run, kube_write_fn done,
                 void *ctx);
int kube_merge_patch(struct kube_client *kc,
                     const struct kube_object_ref *ref, const char *body,
                     int dry_run, kube_write_fn done, void *ctx);
/* force takes over fields other managers own instead of failing with a
 * 409 Conflict. */
int kube_apply(struct kube_client *kc, const struct kube_object_ref *ref,
               const char *body, int force, int dry_run, kube_write_fn done,
               void *ctx);
int kube_delete(struct kube_client *kc, const struct kube_object_ref *ref,
                int dry_run, kube_write_fn done, void *ctx);
/* Reads the object at ref, or the list at ref without a name, with query
 * ("labelSelector=..."; already encoded) or NULL. It is sent and retried
 * as the writes are, and done gets the object or list as JSON text. A
 * read-only client sends it too. */
int kube_get(struct kube_client *kc, const struct kube_object_ref *ref,
             const char *query, kube_write_fn done, void *ctx);

/*
 * Writes the path and query a write with method sends for ref into
 * path: the object's path, fieldManager (except for DELETE), dryRun=All
 * when dry_run is set, and query ("force=true") when not NULL. Returns
 * 0, or -1 with err when ref names an invalid namespace or name or the
 * path does not fit.
 */
int kube_write_path(const struct kube_object_ref *ref, const char *method,
                    int dry_run, const char *query, char *path,
                    size_t pathlen, struct api_error *err);

/*
 * A write prepared but not sent, so the command line can print it for
 * --dry-run or send it. body is owned (NULL when content_type is NULL).
 */
struct kube_write_request {
    char method[8];
    char path[1024];            /* with the query */
    const char *content_type;   /* static string */
    char *body;
};

void kube_write_request_cleanup(struct kube_write_request *rq);
/* Sends rq (which stays the caller's) as the calls above do. */
int kube_send(struct kube_client *kc, const struct kube_write_request *rq,
              kube_write_fn done, void *ctx);

/*
 * Prepare writes of service account ns/name: a merge patch of its
 * annotations (a NULL value removes that annotation), a create with
 * annotations, and a delete. Each returns 0, or -1 with err when the
 * namespace or name is invalid.
 */
int kube_sa_annotate_request(const char *ns, const char *name,
                             const struct kube_annotation *a, size_t n,
                             struct kube_write_request *rq,
                             struct api_error *err);
int kube_sa_create_request(const char *ns, const char *name,
                           const struct kube_annotation *a, size_t n,
                           struct kube_write_request *rq,
                           struct api_error *err);
int kube_sa_delete_request(const char *ns, const char *name,
                           struct kube_write_request *rq,
                           struct api_error *err);

#endif
