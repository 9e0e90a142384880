/*
 * Kubernetes API client: one endpoint (server, CA, credentials) and the
 * list calls the panes need, every page through limit/continue.
 * Credentials are a static bearer token, a client certificate, an exec
 * plugin (run without a shell), or a native EKS token.
 */
#ifndef ALBATROSS_KUBE_H
#define ALBATROSS_KUBE_H

#include <stddef.h>
#include <time.h>

#include "aws.h"
#include "error.h"
#include "http.h"

#define KUBE_PAGE_LIMIT 500
#define KUBE_MAX_PAGE_BYTES (32u << 20)   /* one page's reply */
#define KUBE_MAX_LIST_BYTES (256u << 20)  /* all pages of one list */
#define KUBE_MAX_ITEMS 100000             /* objects in one list */
#define KUBE_MAX_ANNOTATIONS 1024         /* kept per object */
#define KUBE_MAX_RESOURCE_VERSION 64      /* bytes of a resourceVersion */

struct cJSON;

struct kube_endpoint {
    char *name;             /* context or cluster name, for messages */
    char *server;           /* https://host[:port][/prefix] */
    char *ca_pem;
    char *cert_pem;
    char *key_pem;          /* wiped when freed */
    char *token;            /* static bearer token; wiped when freed */
    char **exec_argv;       /* exec plugin, NULL-terminated, or NULL */
    char **exec_env;        /* extra "NAME=value" for the plugin */
    char *exec_api_version; /* client.authentication.k8s.io/v1beta1 */
    char *eks_cluster;      /* native EKS token for this cluster name */
    char *eks_region;
    char *eks_profile;      /* NULL: the session's profile */
    char *namespace;        /* context default namespace, or NULL */
    int insecure_skip_verify;
};

void kube_endpoint_cleanup(struct kube_endpoint *ep);

struct kube_wait;

struct kube_client {
    struct http_client *http;   /* borrowed */
    struct aws_session *aws;    /* borrowed; for EKS tokens, may be NULL */
    struct kube_endpoint ep;    /* owned */
    char *token;                /* current bearer token; wiped */
    time_t token_expiry;        /* when to remake it; 0: never */
    size_t page_limit;          /* items per page; 0: KUBE_PAGE_LIMIT */
    int readonly;               /* only GET and HEAD are sent; set from
                                 * aws's readonly by kube_client_init */
    /* Private: whether token (or an exec plugin's certificate) is set,
     * the session made for an EKS token when aws is NULL or has another
     * profile than ep.eks_profile, the lists in flight, and the exec
     * plugin they wait for. */
    int have_credential;
    struct aws_session *own_aws;
    void *ops;
    void *exec;
    struct kube_wait *plugin_waits;
};

/* Takes ownership of ep's contents and leaves ep empty. */
void kube_client_init(struct kube_client *kc, struct http_client *http,
                      struct aws_session *aws, struct kube_endpoint *ep);
/*
 * Frees the client and the lists still in flight, without calling their
 * callbacks. When lists are in flight, free the HTTP client first (which
 * cancels their requests): a request that completes later would use the
 * freed list.
 */
void kube_client_cleanup(struct kube_client *kc);

/* Whether kc may send a request with method: a read-only client sends
 * only GET and HEAD. Every request of the client passes this check; it
 * returns 0, or -1 with err set ("ReadOnly"). */
int kube_check_method(const struct kube_client *kc, const char *method,
                      const char *path, struct api_error *err);

/* Builds the endpoint of an EKS cluster from DescribeCluster's endpoint,
 * CA data (base64) and name, with a native token. Returns 0 or -1. */
int kube_endpoint_from_eks(struct kube_endpoint *ep, const char *name,
                           const char *region, const char *endpoint,
                           const char *ca_base64);

struct kube_annotation {
    char *key;
    char *value;
};

struct kube_service_account {
    char *namespace;
    char *name;
    char *uid;
    char *created;            /* metadata.creationTimestamp */
    char *role_arn;           /* eks.amazonaws.com/role-arn, or NULL */
    struct kube_annotation *annotations;
    size_t annotation_count;
};

struct kube_ingress {
    char *namespace;
    char *name;
    char *created;
    char *class_name;         /* spec.ingressClassName or the legacy
                               * kubernetes.io/ingress.class annotation */
    char *hosts;              /* rule hosts joined by ',', or NULL */
    char *address;            /* status.loadBalancer.ingress[0].hostname */
    char *group_name;         /* alb.ingress.kubernetes.io/group.name */
    struct kube_annotation *annotations;
    size_t annotation_count;
};

struct kube_sa_list {
    struct kube_service_account *items;
    size_t count;
    size_t pages;             /* replies it took */
    char *resource_version;   /* the list's, where a watch starts; or
                               * NULL when the server sent none */
};

struct kube_ingress_list {
    struct kube_ingress *items;
    size_t count;
    size_t pages;
    char *resource_version;
};

void kube_sa_list_free(struct kube_sa_list *l);
void kube_ingress_list_free(struct kube_ingress_list *l);

/*
 * namespace NULL lists all namespaces. done is called once, from inside
 * http_wait(), with every page's items, or with a NULL list and err; the
 * list is the callee's to free. Each returns 0, or -1 after calling done
 * with the error (invalid namespace, no credentials).
 */
typedef void (*kube_sa_fn)(struct kube_sa_list *list,
                           const struct api_error *err, void *ctx);
typedef void (*kube_ingress_fn)(struct kube_ingress_list *list,
                                const struct api_error *err, void *ctx);
int kube_list_service_accounts(struct kube_client *kc, const char *namespace,
                               kube_sa_fn done, void *ctx);
int kube_list_ingresses(struct kube_client *kc, const char *namespace,
                        kube_ingress_fn done, void *ctx);

/*
 * Appends the items of one page of a ServiceAccountList or IngressList
 * reply to l, and sets *next to metadata.continue (NULL on the last page).
 * Items without metadata.name are skipped. Returns 0, or -1 with err.
 * The list calls use these; they are exported for tests.
 */
int kube_parse_sa_page(const char *json, size_t len, struct kube_sa_list *l,
                       char **next, struct api_error *err);
int kube_parse_ingress_page(const char *json, size_t len,
                            struct kube_ingress_list *l, char **next,
                            struct api_error *err);

/*
 * Lists any resource at PREFIX[/namespaces/NS]/RESOURCE ("/api/v1",
 * "pods"), every page, with an optional fieldSelector. parse appends one
 * page's items to list and sets *next to metadata.continue (NULL on the
 * last page); it returns 0, or -1 with err. done is called once, from
 * inside http_wait(), with list (still the caller's) and err NULL on
 * success. Returns 0, or -1 after calling done with the error.
 */
typedef int (*kube_page_fn)(const char *json, size_t len, void *list,
                            char **next, struct api_error *err);
typedef void (*kube_list_fn)(void *list, const struct api_error *err,
                             void *ctx);
int kube_list(struct kube_client *kc, const char *prefix,
              const char *namespace, const char *resource,
              const char *field_selector, kube_page_fn parse, void *list,
              kube_list_fn done, void *ctx);

/*
 * A request that may wait for the client's credential: an EKS token
 * that needs the AWS session's credentials, or an exec plugin's run.
 * resume is called once, from the event loop, when the credential is
 * ready (err NULL) or cannot be made. recheck is 1 when the request
 * should check the credential again before it is sent (AWS credentials
 * arrived, the token is still to be made) and 0 when it should be sent
 * as it is (a plugin answered, even with a token that has expired).
 */
struct kube_wait {
    struct kube_client *kc;
    void (*resume)(struct kube_wait *w, const struct api_error *err,
                   int recheck);
    struct kube_wait *next;     /* private: in kc->plugin_waits */
};

/* Stops w from being resumed: for a request freed while it waits. */
void kube_wait_forget(struct kube_wait *w);

/*
 * The steps every request of the client takes, for kube_write.c: make
 * sure the server is https when credentials go to it and the token is
 * current (0; 1 when w waits and is resumed later; or -1 with err); build a request with the CA, client
 * certificate and token (NULL when memory runs out); and turn a failed
 * reply into err, explaining a 401 and dropping the rejected token.
 * kube_token_renewable tells whether a new token can be made after a
 * 401. kube_url joins the server URL and a path with its query.
 */
int kube_prepare_request(struct kube_wait *w, struct api_error *err);
struct http_request *kube_request_new(const struct kube_client *kc,
                                      const char *method, const char *url);
void kube_reply_error(struct kube_client *kc, const struct http_response *res,
                      struct api_error *err);
int kube_token_renewable(const struct kube_client *kc);
char *kube_url(const struct kube_client *kc, const char *path_and_query);

/* Sets err from a non-2xx reply: a Kubernetes Status object (reason,
 * message, code), or the start of any other body. */
void kube_error_from_reply(struct api_error *err, long status,
                           const char *body, size_t len);

/* ---- for the other Kubernetes modules (kube_watch.c) ---- */

/* Parses one object of a list or watch event. Returns 1 when it has a
 * name, 0 when it has none (skip it; nothing to clean up), -1 when
 * memory runs out. Clean up with the matching *_cleanup. */
int kube_service_account_from_json(const struct cJSON *item,
                                   struct kube_service_account *sa);
int kube_ingress_from_json(const struct cJSON *item, struct kube_ingress *in);
void kube_service_account_cleanup(struct kube_service_account *sa);
void kube_ingress_cleanup(struct kube_ingress *in);

/* A GET of path_query ("/api/v1/pods?watch=1") on kc's server, with its
 * CA and the client's credential, which kube_prepare_request has made
 * current; NULL with err when memory runs out. The caller submits it. */
struct http_request *kube_get_request(struct kube_client *kc,
                                      const char *path_query,
                                      struct api_error *err);
/* Forgets a token the server rejected (401) so the next request makes a
 * new one. Returns 0, or -1 when the token is static and cannot be
 * remade. */
int kube_renew_token(struct kube_client *kc);
/* Sets err from a failed exchange: the transport's error, or the reply's
 * Status; a 401 is explained and its token dropped. */
void kube_reply_error(struct kube_client *kc, const struct http_response *res,
                      struct api_error *err);
/* Drops the lists in flight whose callback context is ctx, without
 * calling their callbacks. Returns how many. */
size_t kube_forget(struct kube_client *kc, const void *ctx);
/* Whether ns is a DNS label, and so safe in a URL path. */
int kube_valid_namespace(const char *ns);
/* Appends s to b percent-encoded for a query value; returns 0 or -1. */
int kube_url_encode(struct buf *b, const char *s);

#endif
