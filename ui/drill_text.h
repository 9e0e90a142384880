/*
 * What the drill-down panes share: lines of label and value, text
 * wrapped to the screen width, colours of states, and lookups of a view's
 * chain, load balancer, listener, rule and target group by identity.
 * Private to drill*.c.
 */
#ifndef ALBATROSS_DRILL_TEXT_H
#define ALBATROSS_DRILL_TEXT_H

#include <stddef.h>
#include <time.h>

#include "view.h"

#define DRILL_INDENT "           "  /* continuation lines under a label */

/* "  Label         value", dim "-" when value is NULL or "". */
void drill_field(struct view *v, enum theme_role role, const char *label,
                 const char *value);
void drill_section(struct view *v, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void drill_blank(struct view *v);
/* Appends text wrapped to the screen width: the first line after first,
 * the others after rest (ASCII, usually as wide as first). Line breaks
 * in text start new lines. */
void drill_wrapped(struct view *v, enum theme_role role, const char *first,
                   const char *rest, const char *text);
/* Appends "  label" and text wrapped under it. */
void drill_field_wrapped(struct view *v, enum theme_role role,
                         const char *label, const char *text);

enum theme_role drill_alb_role(const char *state);
enum theme_role drill_target_role(const char *state);
/* "2024-06-01 (in 12d)" or "2024-06-01 (expired 3d ago)"; the role
 * warns within 30 days of expires and is an error after it. */
void drill_expiry(time_t expires, char *buf, size_t len,
                  enum theme_role *role);
/* "HTTP traffic-port /healthz, codes 200, every 15s, timeout 5s,
 * healthy after 2, unhealthy after 2", or "disabled". */
void drill_health_check(const struct chain_health_check *h, char *buf,
                        size_t len);

const struct chain *drill_chain(const struct ui *ui, const struct view *v);
/* The load balancer arn of cluster: prefer's, another chain's, or one no
 * ingress claims. NULL when none is loaded. */
const struct chain_alb *drill_find_alb(const struct ui *ui, size_t cluster,
                                       const char *arn,
                                       const struct chain *prefer);
/* The first chain of cluster whose load balancer is arn, or NULL. */
const struct chain *drill_claimer(const struct ui *ui, size_t cluster,
                                  const char *arn);
const struct chain_listener *drill_find_listener(const struct chain *c,
                                                 const char *arn);
/* The rule arn and, in *listener, the listener it belongs to. */
const struct chain_rule *drill_find_rule(const struct chain *c,
                                         const char *arn,
                                         const struct chain_listener **in);
/* The target group arn among prefer's, then any chain's of cluster. */
const struct chain_target_group *
drill_find_target_group(const struct ui *ui, size_t cluster, const char *arn,
                        const struct chain *prefer);

/* Whether anything a drill view waits for is still loading: the cluster's
 * chains or a chain's drill-down. */
int drill_loading(const struct ui *ui, const struct view *v);

/* Appends the target group's summary line, linked to its targets, and
 * its service and health check when detailed is set. */
void drill_add_target_group(struct view *v,
                            const struct chain_target_group *tg,
                            int detailed);
/* Appends the listeners of c, each line linked to the listener pane. */
void drill_add_listeners(struct view *v, const struct chain *c);

/* Shared slots of the text panes: Enter follows the selected line's
 * link, identity() names a linked line, r refreshes the chain. */
int drill_enter_line(struct ui *ui, struct view *v, size_t item);
int drill_line_identity(const struct ui *ui, const struct view *v,
                        size_t item, char *buf, size_t len);
int drill_reload(struct ui *ui, struct view *v);
/* Pushes pane for the view's chain, with arn, target and port. */
int drill_push(struct ui *ui, const struct view *from,
               const struct pane *pane, const char *arn,
               const char *target, int port);

#endif
