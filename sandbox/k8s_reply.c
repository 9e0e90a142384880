/* Replies and Status errors of the sandbox's Kubernetes API. */
#include "k8s_reply.h"

#include <stdio.h>
#include <stdlib.h>

void k8s_send_json(struct sb_response *res, int status, cJSON *doc)
{
    char *text = doc ? cJSON_PrintUnformatted(doc) : NULL;

    cJSON_Delete(doc);
    buf_reset(&res->body);
    if (!text) {
        res->status = 500;
        res->content_type = "text/plain";
        buf_puts(&res->body, "out of memory\n");
        return;
    }
    res->status = status;
    res->content_type = K8S_JSON_TYPE;
    buf_puts(&res->body, text);
    free(text);
}

cJSON *k8s_status_doc(int code, const char *reason, const char *message,
                      const char *name, const char *group, const char *kind)
{
    cJSON *doc = cJSON_CreateObject();

    cJSON_AddStringToObject(doc, "kind", "Status");
    cJSON_AddStringToObject(doc, "apiVersion", "v1");
    cJSON_AddObjectToObject(doc, "metadata");
    cJSON_AddStringToObject(doc, "status", "Failure");
    cJSON_AddStringToObject(doc, "message", message);
    cJSON_AddStringToObject(doc, "reason", reason);
    if (kind) {
        cJSON *details = cJSON_AddObjectToObject(doc, "details");

        if (name)
            cJSON_AddStringToObject(details, "name", name);
        if (group && *group)
            cJSON_AddStringToObject(details, "group", group);
        cJSON_AddStringToObject(details, "kind", kind);
    }
    cJSON_AddNumberToObject(doc, "code", code);
    return doc;
}

void k8s_send_status(struct sb_response *res, int code, const char *reason,
                     const char *fmt, ...)
{
    char message[1024];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(message, sizeof(message), fmt, ap);
    va_end(ap);
    k8s_send_json(res, code,
                  k8s_status_doc(code, reason, message, NULL, NULL, NULL));
}
