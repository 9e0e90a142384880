/*
 * The guided setup wizard (`:wizard`): a newcomer picks the profile and
 * region, describes the cluster and the load balancer controller's
 * service account, reviews the ClusterConfig as YAML and the plan, saves
 * the file and applies it. The wizard keeps its values when it is left
 * with Esc, and `:wizard` returns to the screen it was on.
 */
#ifndef ALBATROSS_WIZARD_H
#define ALBATROSS_WIZARD_H

#include "view.h"

extern const struct pane wizard_pane;

/* Opens the wizard, starting it on first use. Returns enum react. */
int wizard_open(struct ui *ui);
/* Frees the wizard's state; NULL is ignored. */
void wizard_free(struct wizard *w);

#endif
