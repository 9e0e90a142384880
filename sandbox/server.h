/*
 * The sandbox's request and reply, independent of the HTTP library, and
 * the handlers that serve them. Handlers run one at a time under the
 * server's lock, so they change the world without locks of their own.
 */
#ifndef SANDBOX_SERVER_H
#define SANDBOX_SERVER_H

#include <stddef.h>
#include <time.h>

#include "../api/buf.h"
#include "../api/sigv4.h"
#include "world.h"

struct sb_request {
    const char *method;
    const char *path;                /* decoded, without the query */
    const struct sigv4_pair *query;  /* decoded query parameters */
    size_t query_count;
    const struct sigv4_pair *headers; /* names as received */
    size_t header_count;
    const char *body;                /* NUL-terminated */
    size_t body_len;
    time_t now;                      /* the sandbox clock */
};

/*
 * A reply sent in pieces as they come, such as a Kubernetes watch. The
 * server calls next with the world locked, again and again while it
 * returns 1, and calls free once the connection is done with it.
 */
struct sb_stream {
    /* Appends the next bytes to out, if there are any yet; returns 1 to
     * go on, 0 when the stream is over. */
    int (*next)(struct sb_stream *s, struct world *w, struct buf *out);
    void (*free)(struct sb_stream *s);
};

struct sb_response {
    int status;
    const char *content_type;        /* static string */
    struct buf body;
    struct sigv4_pair headers[8];    /* extra headers, static or owned
                                      * by the handler until sent */
    size_t header_count;
    char scratch[256];               /* storage for one header value */
    int close_mid_body;              /* fault injection: send half the
                                      * body, then close the connection */
    struct sb_stream *stream;        /* owned; sent in place of body */
};

/* Header value from req (case-insensitive), or NULL. */
const char *sb_header(const struct sb_request *req, const char *name);
/* Query parameter from req (case-sensitive), or NULL. */
const char *sb_query(const struct sb_request *req, const char *name);
/* Adds a header to res; name and value must outlive the reply. */
void sb_add_header(struct sb_response *res, const char *name,
                   const char *value);

/* AWS APIs (STS, EKS, IAM): every request not under /k8s/. */
void aws_serve(struct world *w, const struct sb_request *req,
               struct sb_response *res);

/* Kubernetes API of one cluster: paths under /k8s/REGION/CLUSTER/. */
void k8s_serve(struct world *w, const struct sb_request *req,
               struct sb_response *res);

/*
 * Verifies the SigV4 Authorization header of req against the world's
 * credentials. Returns NULL when it is valid and sets *who; otherwise
 * returns the AWS error code ("MissingAuthenticationToken",
 * "InvalidClientTokenId", "SignatureDoesNotMatch", "IncompleteSignature")
 * and writes a message in the words AWS uses into msg.
 */
const char *auth_verify_request(const struct world *w,
                                const struct sb_request *req,
                                const struct world_credential **who,
                                char *msg, size_t msglen);

/*
 * Verifies an EKS bearer token for cluster_name as aws-iam-authenticator
 * does: prefix, size, allowed query keys, GetCallerIdentity, signed
 * x-k8s-aws-id, signature, and X-Amz-Date within 15 minutes of now.
 * Returns NULL and sets *who when valid, or a reason for the 401 reply.
 */
const char *auth_verify_eks_token(const struct world *w, const char *token,
                                  const char *cluster_name, time_t now,
                                  const struct world_credential **who);

/*
 * The HTTPS daemon: one thread on 127.0.0.1:port (0 picks a free port)
 * serving w with the given PEM certificate chain and key, which must
 * outlive the server. Before it serves, every cluster of w whose endpoint
 * is not fixed gets https://127.0.0.1:PORT/k8s/REGION/NAME. Returns NULL
 * with a message in err on failure.
 */
struct sb_server;
struct sb_server *sb_server_start(struct world *w, unsigned port,
                                  const char *cert_pem, const char *key_pem,
                                  char *err, size_t errlen);
unsigned sb_server_port(const struct sb_server *s);
/* Calls fn on the served world under the handlers' lock, so that it
 * reads no half-made change. Returns what fn returns. */
int sb_server_read_world(struct sb_server *s,
                         int (*fn)(const struct world *w, void *ctx),
                         void *ctx);
/* Stops serving, waits for the thread and frees s; NULL is ignored. */
void sb_server_stop(struct sb_server *s);

#endif
