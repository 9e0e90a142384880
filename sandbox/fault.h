/*
 * Fault injection: per service (sts, iam, ec2, eks, elbv2, acm, wafv2,
 * k8s), a fraction of requests rejected with the service's throttling
 * error or a 5xx, added latency, replies closed mid-body, truncated or
 * malformed, the first N signed requests rejected as carrying an expired
 * credential or token, a clock that runs ahead or behind, and Kubernetes
 * watch streams that end early or find their resourceVersion compacted
 * away. Faults come from the world
 * file's `faults:` section and from --fault flags; the schema is in the
 * header of sandbox/worlds/demo.yaml.
 *
 * Every random choice comes from a per-service generator seeded from the
 * seed, so a test that sends the same requests to a service sees the
 * same faults, whatever other services receive meanwhile.
 */
#ifndef SANDBOX_FAULT_H
#define SANDBOX_FAULT_H

#include <stddef.h>

#include "server.h"
#include "wfile.h"

#define FAULT_DEFAULT_SEED 1

struct fault_set;

/* Reads the world file's optional `faults:` mapping into
 * f->world->faults. Returns 0, or -1 with "path:line: message". */
int fault_read_world(struct wfile *f, const yaml_node_t *root);

/*
 * Adds one --fault SPEC, "SERVICE:KEY=VALUE[,KEY=VALUE...]" such as
 * "iam:throttle=0.5" or "k8s:503=1,retryAfter=2", to *set (created when
 * NULL). SERVICE is sts, iam, ec2, eks, elbv2, acm, wafv2, k8s, aws (the
 * seven AWS services) or all. Returns 0, or -1 with the spec and the fix in err.
 */
int fault_parse_spec(struct fault_set **set, const char *spec, char *err,
                     size_t errlen);
/* Sets the seed of every service's generator (created when NULL).
 * Returns 0, or -1 when memory runs out. */
int fault_set_seed(struct fault_set **set, unsigned long long seed);
void fault_set_free(struct fault_set *set);

/* A one-line summary for the sandbox's log, e.g. "iam: throttle 0.5". */
void fault_describe(const struct fault_set *set, char *out, size_t outlen);

/*
 * Before a request is served: sleeps for the added latency, moves
 * req->now by the clock skew, and replies with an injected error when
 * one is drawn. Returns 1 when res contains that reply, 0 to serve the
 * request normally. *service is set for fault_after.
 */
int fault_before(struct fault_set *set, struct sb_request *req,
                 struct sb_response *res, int *service);

/* After a successful reply: may mark it to be closed mid-body, or cut
 * or replace its body. Sets the Date header when the clock is skewed. */
void fault_after(struct fault_set *set, int service,
                 const struct sb_request *req, struct sb_response *res);

/* The faults of one Kubernetes watch stream. */
struct fault_watch {
    long close_after_events;    /* end the stream after N events; 0: no */
    long close_after_seconds;   /* end it after N seconds; 0: no */
    int compact;                /* first raise the cluster's compaction
                                 * point to its resourceVersion */
    int cut_last;               /* the event that ends the stream after
                                 * close_after_events is cut in half */
};

/* Draws the faults of a watch stream as it starts (k8s's watchEvents,
 * watchSeconds, watchCut and compact). set may be NULL. */
void fault_watch(struct fault_set *set, struct fault_watch *out);

#endif
