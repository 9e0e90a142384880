/*
 * The bytes of a watch: lines split as the pieces arrive, and each line
 * parsed as a watch event, {"type": T, "object": {...}}.
 */
#include "kube_watch.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *kube_watch_type_name(enum kube_watch_type type)
{
    switch (type) {
    case KUBE_WATCH_ADDED: return "ADDED";
    case KUBE_WATCH_MODIFIED: return "MODIFIED";
    case KUBE_WATCH_DELETED: return "DELETED";
    case KUBE_WATCH_BOOKMARK: return "BOOKMARK";
    }
    return "?";
}

const char *kube_watch_resource_name(enum kube_watch_resource resource)
{
    return resource == KUBE_WATCH_INGRESSES ? "ingresses"
                                            : "service accounts";
}

void kube_watch_event_cleanup(struct kube_watch_event *ev)
{
    if (ev->service_account) {
        kube_service_account_cleanup(ev->service_account);
        free(ev->service_account);
    }
    if (ev->ingress) {
        kube_ingress_cleanup(ev->ingress);
        free(ev->ingress);
    }
    memset(ev, 0, sizeof(*ev));
}

/* ---- lines -------------------------------------------------------------- */

void kube_lines_init(struct kube_lines *l, size_t max)
{
    buf_init(&l->line, max);
    l->overflow = 0;
}

void kube_lines_cleanup(struct kube_lines *l)
{
    buf_cleanup(&l->line);
    l->overflow = 0;
}

void kube_lines_reset(struct kube_lines *l)
{
    buf_reset(&l->line);
    l->overflow = 0;
}

size_t kube_lines_pending(const struct kube_lines *l)
{
    return l->line.len + (size_t)l->overflow;
}

static int emit(struct kube_lines *l, kube_line_fn fn, void *ctx)
{
    size_t n = l->line.len;
    if (n > 0 && l->line.data[n - 1] == '\r')
        n--;
    int rc = n > 0 ? fn(l->line.data, n, ctx) : 0;
    buf_reset(&l->line);
    return rc;
}

int kube_lines_feed(struct kube_lines *l, const char *data, size_t len,
                    kube_line_fn fn, void *ctx)
{
    int rc = 0;
    while (len > 0) {
        const char *nl = memchr(data, '\n', len);
        size_t take = nl ? (size_t)(nl - data) : len;
        if (!l->overflow && buf_append(&l->line, data, take) < 0) {
            /* Past max: drop the line to its end, and report it once. */
            buf_reset(&l->line);
            l->overflow = 1;
            rc = -1;
        }
        data += take;
        len -= take;
        if (!nl)
            break;
        data++;
        len--;
        if (l->overflow) {
            l->overflow = 0;
            continue;
        }
        if (emit(l, fn, ctx) < 0)
            return -1;
    }
    return rc;
}

/* ---- events ------------------------------------------------------------- */

static const cJSON *member(const cJSON *obj, const char *name)
{
    return cJSON_IsObject(obj) ?
           cJSON_GetObjectItemCaseSensitive(obj, name) : NULL;
}

static int parse_type(const char *s, enum kube_watch_type *type)
{
    static const enum kube_watch_type all[] = {
        KUBE_WATCH_ADDED, KUBE_WATCH_MODIFIED, KUBE_WATCH_DELETED,
        KUBE_WATCH_BOOKMARK,
    };
    for (size_t i = 0; s && i < sizeof(all) / sizeof(all[0]); i++)
        if (!strcmp(s, kube_watch_type_name(all[i]))) {
            *type = all[i];
            return 0;
        }
    return -1;
}

/* The Status object of an ERROR event into err. */
static void error_event(const cJSON *status, struct api_error *err)
{
    const cJSON *code = member(status, "code");
    const char *reason = cJSON_GetStringValue(member(status, "reason"));
    const char *message = cJSON_GetStringValue(member(status, "message"));
    memset(err, 0, sizeof(*err));
    err->http_status = cJSON_IsNumber(code) ? (long)code->valuedouble : 0;
    snprintf(err->code, sizeof(err->code), "%s",
             reason && *reason ? reason : "WatchError");
    snprintf(err->message, sizeof(err->message), "%s",
             message && *message ? message : "the server ended the watch "
             "with an ERROR event");
}

/* The object of the watched resource into ev; returns 0, or -1 with why
 * (a static string). */
static int parse_object(enum kube_watch_resource resource,
                        const cJSON *obj, struct kube_watch_event *ev,
                        const char **why)
{
    int rc;
    if (resource == KUBE_WATCH_INGRESSES) {
        ev->ingress = calloc(1, sizeof(*ev->ingress));
        rc = ev->ingress ? kube_ingress_from_json(obj, ev->ingress) : -1;
        if (rc <= 0) {
            free(ev->ingress);
            ev->ingress = NULL;
        }
    } else {
        ev->service_account = calloc(1, sizeof(*ev->service_account));
        rc = ev->service_account ?
             kube_service_account_from_json(obj, ev->service_account) : -1;
        if (rc <= 0) {
            free(ev->service_account);
            ev->service_account = NULL;
        }
    }
    *why = rc < 0 ? "out of memory" : rc == 0 ? "the object has no "
           "metadata.name" : NULL;
    return rc == 1 ? 0 : -1;
}

static enum kube_line_result invalid(enum kube_watch_resource resource,
                                     const char *why, const char *line,
                                     size_t len, struct api_error *err)
{
    char excerpt[81];
    size_t n = len < sizeof(excerpt) - 1 ? len : sizeof(excerpt) - 1;
    for (size_t i = 0; i < n; i++)
        excerpt[i] = line[i] >= 0x20 && line[i] < 0x7f ? line[i] : '?';
    excerpt[n] = '\0';
    api_error_set(err, "InvalidWatchEvent", "invalid watch event of %s: "
                  "%s (line of %zu bytes starting \"%s\")",
                  kube_watch_resource_name(resource), why, len, excerpt);
    return KUBE_LINE_INVALID;
}

enum kube_line_result kube_watch_parse_line(enum kube_watch_resource resource,
                                            const char *line, size_t len,
                                            struct kube_watch_event *ev,
                                            struct api_error *err)
{
    memset(ev, 0, sizeof(*ev));
    cJSON *root = cJSON_ParseWithLength(line, len);
    const char *type = cJSON_GetStringValue(member(root, "type"));
    const cJSON *obj = member(root, "object");
    const char *rv = cJSON_GetStringValue(
        member(member(obj, "metadata"), "resourceVersion"));
    const char *why = NULL;
    enum kube_line_result result = KUBE_LINE_EVENT;

    if (!cJSON_IsObject(root))
        why = "not a JSON object";
    else if (type && !strcmp(type, "ERROR") && cJSON_IsObject(obj)) {
        error_event(obj, err);
        result = KUBE_LINE_ERROR;
    } else if (parse_type(type, &ev->type) < 0)
        why = "type is not ADDED, MODIFIED, DELETED, BOOKMARK or ERROR";
    else if (!cJSON_IsObject(obj))
        why = "object is missing";
    else if (rv && strlen(rv) > KUBE_MAX_RESOURCE_VERSION)
        why = "metadata.resourceVersion is too long";
    else if (ev->type == KUBE_WATCH_BOOKMARK && (!rv || !*rv))
        why = "a BOOKMARK without metadata.resourceVersion";
    else if (ev->type != KUBE_WATCH_BOOKMARK)
        parse_object(resource, obj, ev, &why);
    if (!why && rv && result == KUBE_LINE_EVENT)
        snprintf(ev->resource_version, sizeof(ev->resource_version), "%s",
                 rv);
    cJSON_Delete(root);
    if (why) {
        kube_watch_event_cleanup(ev);
        return invalid(resource, why, line, len, err);
    }
    return result;
}

int kube_watch_is_expired(long status, const char *reason)
{
    return status == 410 ||
           (reason && (!strcmp(reason, "Expired") ||
                       !strcmp(reason, "Gone")));
}
