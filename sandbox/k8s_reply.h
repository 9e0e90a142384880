/*
 * Replies of the sandbox's Kubernetes API: JSON documents and the Status
 * objects the API server sends for errors, shared by the read side
 * (k8s.c) and the write side (k8s_write.c).
 */
#ifndef SANDBOX_K8S_REPLY_H
#define SANDBOX_K8S_REPLY_H

#include <stdarg.h>

#include <cjson/cJSON.h>

#include "server.h"

#define K8S_JSON_TYPE "application/json"

/* Sends doc (taken, may be NULL for a 500) as the reply body. */
void k8s_send_json(struct sb_response *res, int status, cJSON *doc);

/* Sends a Failure Status with reason ("NotFound") and a message. */
void k8s_send_status(struct sb_response *res, int code, const char *reason,
                     const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* The Failure Status document itself, with details {name, group, kind}
 * when kind is not NULL; for callers that add causes. */
cJSON *k8s_status_doc(int code, const char *reason, const char *message,
                      const char *name, const char *group,
                      const char *kind);

#endif
