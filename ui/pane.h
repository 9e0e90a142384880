/*
 * The four list panes (clusters, service accounts, IAM roles, ingresses)
 * as tables of callbacks over the model.
 */
#ifndef ALBATROSS_PANE_H
#define ALBATROSS_PANE_H

#include <stddef.h>
#include <time.h>

#include "../api/error.h"
#include "view.h"

extern const struct pane pane_clusters;
extern const struct pane pane_service_accounts;
extern const struct pane pane_roles;
extern const struct pane pane_ingresses;

/* Replaces the view stack with pane's list. all_clusters applies to the
 * service account and ingress panes. Returns enum react. */
int pane_show(struct ui *ui, enum ui_pane pane, int all_clusters);

/* Opens the service accounts of cluster i (Enter on a cluster). */
int pane_open_cluster(struct ui *ui, size_t cluster);
/* Opens the service accounts, of every cluster, that use role i. */
int pane_open_role_users(struct ui *ui, size_t role);

/* Writes "Code: message (HTTP 403)" for err into buf. */
void pane_format_error(const struct api_error *err, char *buf, size_t len);

/* Formats the time since an RFC 3339 timestamp as kubectl's AGE column
 * does ("42s", "5m", "3h", "12d", "2y"); "-" when it does not parse. */
void pane_format_age(const char *created, char *buf, size_t len);
/* The same for a time_t. */
void pane_format_since(time_t then, char *buf, size_t len);

/* Colours of a load balancer state and of "healthy/total" targets. */
enum theme_role pane_alb_state_role(enum chain_alb_state state);
enum theme_role pane_targets_role(size_t healthy, size_t total);

#endif
