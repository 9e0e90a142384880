/*
 * Text views that describe one object: an IAM role (trust policy,
 * attached and inline policies, the service accounts that use it). The
 * drill-down of an ingress is in drill.h.
 */
#ifndef ALBATROSS_DETAIL_H
#define ALBATROSS_DETAIL_H

#include <stddef.h>

#include "view.h"

extern const struct pane detail_role_pane;

/* The one column of a text view and its row count: its lines. */
extern const struct column detail_text_columns[1];
size_t detail_line_count(const struct ui *ui, const struct view *v);

/* Opens role i's description and starts loading its policies. Returns
 * enum react. */
int detail_open_role(struct ui *ui, size_t role);

/* Opens the description of service account item (an index into
 * model.service_accounts): its IRSA and Pod Identity roles and their
 * findings (detail_sa.c). Returns enum react. */
extern const struct pane detail_sa_pane;
int detail_open_service_account(struct ui *ui, size_t item);

/* Appends JSON text to v as indented lines, two spaces per level, each
 * prefixed with indent. Text that is not JSON is laid out as far as its
 * brackets go; it is never rejected. Percent-encoded text (as IAM returns
 * policy documents) is decoded first. */
void detail_add_json(struct view *v, const char *json, const char *indent);

#endif
