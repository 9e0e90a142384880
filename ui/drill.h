/*
 * The on-call drill-down, one pane per level, each left with Esc:
 *
 *   ingress        findings, the ingress and its backends, the
 *                  controller's events with their full messages, the
 *                  load balancer, listeners and target groups, and the
 *                  ingresses sharing the load balancer
 *   load balancer  DNS name, scheme, state, subnets and their zones,
 *                  security groups, attributes, tags, listeners
 *   listener       port, protocol, SSL policy, certificates and their
 *                  expiry, rules
 *   rule           conditions, actions, target groups and health checks
 *   targets        a table of a target group's targets: health state,
 *                  reason code, pod
 *   target         one target and the pod behind it
 *
 * and the load balancers of a cluster (`:alb`), including those that no
 * ingress claims. A view keeps identities (cluster, namespace and name,
 * an ARN, a target id and port) and looks the chain up again at each
 * rebuild, because a refresh replaces the chains.
 */
#ifndef ALBATROSS_DRILL_H
#define ALBATROSS_DRILL_H

#include <stddef.h>

#include "view.h"

extern const struct pane drill_ingress_pane;
extern const struct pane drill_alb_pane;
extern const struct pane drill_listener_pane;
extern const struct pane drill_rule_pane;
extern const struct pane drill_targets_pane;
extern const struct pane drill_target_pane;
extern const struct pane drill_albs_pane;

/* Opens the drill-down of an ingress and starts loading its whole chain
 * unless it is loaded or loading. Returns enum react. */
int drill_open_ingress(struct ui *ui, size_t cluster, const char *namespace,
                       const char *name);
/* Opens the load balancers of cluster, claimed or not. Returns enum
 * react. */
int drill_open_load_balancers(struct ui *ui, size_t cluster);

#endif
