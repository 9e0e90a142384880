/*
 * A Kubernetes watch of service accounts or ingresses that keeps going:
 * GET LIST_PATH?watch=1&resourceVersion=RV&allowWatchBookmarks=true
 * &timeoutSeconds=N on the shared HTTP client, its body split into JSON
 * lines as the pieces arrive. When the stream ends or breaks, the watch
 * starts again from the last resourceVersion it saw, after a backoff
 * when the stream failed or ended at once. When that version has expired
 * (an HTTP 410, or an ERROR event whose Status has code 410 or reason
 * Expired or Gone), it lists the resource again, hands over the whole
 * list, and watches from the list's resourceVersion. This is what
 * client-go's reflector does.
 *
 * Watch requests are background requests (see http.h): they count
 * neither as loads in progress nor are cancelled with the loads. The
 * lists after a 410 are ordinary requests.
 */
#ifndef ALBATROSS_KUBE_WATCH_H
#define ALBATROSS_KUBE_WATCH_H

#include <stddef.h>

#include "buf.h"
#include "error.h"
#include "kube.h"

#define KUBE_WATCH_MAX_LINE (4u << 20)  /* bytes of one event */
#define KUBE_WATCH_TIMEOUT_S 300        /* timeoutSeconds of each stream */
#define KUBE_WATCH_SHORT_MS 1000        /* a stream that ends sooner with
                                         * no event counts as a failure */

enum kube_watch_resource {
    KUBE_WATCH_SERVICE_ACCOUNTS,
    KUBE_WATCH_INGRESSES,
};

enum kube_watch_type {
    KUBE_WATCH_ADDED,
    KUBE_WATCH_MODIFIED,
    KUBE_WATCH_DELETED,
    KUBE_WATCH_BOOKMARK,    /* only a newer resourceVersion */
};

/* "ADDED", "MODIFIED", "DELETED", "BOOKMARK". */
const char *kube_watch_type_name(enum kube_watch_type type);
/* "service accounts", "ingresses". */
const char *kube_watch_resource_name(enum kube_watch_resource resource);

/* One event. For a BOOKMARK both objects are NULL; otherwise the one of
 * the watched resource is set. */
struct kube_watch_event {
    enum kube_watch_type type;
    char resource_version[KUBE_MAX_RESOURCE_VERSION + 1];
    struct kube_service_account *service_account;
    struct kube_ingress *ingress;
};

void kube_watch_event_cleanup(struct kube_watch_event *ev);

/* What a watch reports besides events, for logs and status lines. */
enum kube_watch_note {
    KUBE_WATCH_RESTARTED,   /* a stream ended; the next one has started */
    KUBE_WATCH_EXPIRED,     /* the version expired (410); listing again */
    KUBE_WATCH_FAILED,      /* a stream or list failed; trying again
                             * after a backoff */
    KUBE_WATCH_STOPPED,     /* a failure retrying cannot fix (401 after a
                             * new token, 403, 404): the watch does
                             * nothing more until it is freed */
};

/*
 * Called from inside http_wait(). None of them may free the watch or
 * the client.
 * event: one change; the callee may take the object's strings (setting
 * the members it takes to NULL).
 * relisted: after a 410, every object again; exactly one list is set
 * and it is the callee's to free (kube_sa_list_free, ...). Objects
 * missing from it were deleted meanwhile.
 * note: what happened, in err's code and message.
 */
struct kube_watch_handlers {
    void (*event)(struct kube_watch_event *ev, void *ctx);
    void (*relisted)(struct kube_sa_list *service_accounts,
                     struct kube_ingress_list *ingresses, void *ctx);
    void (*note)(enum kube_watch_note note, const struct api_error *err,
                 void *ctx);
};

struct kube_watch;

/*
 * Starts watching resource in namespace (NULL: every namespace) from
 * resource_version, a list's; NULL or "" lists first and hands that
 * list to relisted. Returns the watch, or NULL with err (invalid
 * namespace, out of memory). h is copied; kc must outlive the watch.
 */
struct kube_watch *kube_watch_start(struct kube_client *kc,
                                    enum kube_watch_resource resource,
                                    const char *namespace,
                                    const char *resource_version,
                                    const struct kube_watch_handlers *h,
                                    void *ctx, struct api_error *err);

/* Stops the watch, its request, list and timer included, without calling
 * the handlers. Call it while the HTTP client still exists. NULL is a
 * no-op. */
void kube_watch_free(struct kube_watch *w);

/* The newest resourceVersion seen (an event's, a bookmark's or a
 * list's). */
const char *kube_watch_resource_version(const struct kube_watch *w);

struct kube_watch_stats {
    unsigned long events;   /* bookmarks included */
    unsigned long streams;  /* watch requests sent */
    unsigned long relists;  /* lists after a 410 */
};

void kube_watch_stats(const struct kube_watch *w,
                      struct kube_watch_stats *out);

/* ---- the pieces, exported for tests ---- */

/* Splits a byte stream into lines of at most max bytes. */
struct kube_lines {
    struct buf line;        /* the incomplete last line */
    int overflow;           /* the current line passed max */
};

typedef int (*kube_line_fn)(const char *line, size_t len, void *ctx);

void kube_lines_init(struct kube_lines *l, size_t max);
void kube_lines_cleanup(struct kube_lines *l);
/* Forgets the incomplete line, for a new stream. */
void kube_lines_reset(struct kube_lines *l);
/*
 * Appends data and calls fn once for each complete line, without its
 * '\n' or a '\r' before it; blank lines (keep-alives) are skipped.
 * Returns 0; -1 when a line passed max (fn is not called for it, and the
 * rest of it is dropped when fed later); or fn's -1, which stops at
 * that line.
 */
int kube_lines_feed(struct kube_lines *l, const char *data, size_t len,
                    kube_line_fn fn, void *ctx);
/* Bytes of an incomplete line held: a stream that ends with some ended
 * inside an event. */
size_t kube_lines_pending(const struct kube_lines *l);

enum kube_line_result {
    KUBE_LINE_EVENT,        /* ev is set */
    KUBE_LINE_ERROR,        /* an ERROR event: its Status in err, its
                             * code in err->http_status */
    KUBE_LINE_INVALID,      /* not a watch event: err names resource
                             * and the fault */
};

/* Parses one line of a watch of resource. */
enum kube_line_result kube_watch_parse_line(enum kube_watch_resource resource,
                                            const char *line, size_t len,
                                            struct kube_watch_event *ev,
                                            struct api_error *err);

/* Whether a failed watch request or an ERROR event means the
 * resourceVersion has expired: status 410, or reason Expired or Gone. */
int kube_watch_is_expired(long status, const char *reason);

#endif
