/*
 * The actions of the clusters, IAM roles and service accounts panes.
 * The clusters pane's install and uninstall are in ui/apply_ui.c. Each
 * action gathers its inputs with the dialogs (ui/dialog.h), shows the
 * preview that src/action.h makes and waits for a confirmation, then
 * runs on the event loop. A short action ends with a status-line message; a long one
 * (a CloudFormation stack) opens the progress view, which Esc leaves
 * and p reopens. Afterwards the panes the action changed reload.
 *
 * The panes splice these bindings into their key tables, so the help
 * screen and the key hints list them.
 */
#ifndef ALBATROSS_ACTIONS_H
#define ALBATROSS_ACTIONS_H

#include "view.h"

int actions_attach_policy(struct ui *ui, struct view *v, const char *arg);
int actions_detach_policy(struct ui *ui, struct view *v, const char *arg);
int actions_put_inline(struct ui *ui, struct view *v, const char *arg);
int actions_create_policy(struct ui *ui, struct view *v, const char *arg);
int actions_delete_inline(struct ui *ui, struct view *v, const char *arg);
int actions_edit_trust(struct ui *ui, struct view *v, const char *arg);
int actions_show_policy(struct ui *ui, struct view *v, const char *arg);

int actions_annotate(struct ui *ui, struct view *v, const char *arg);
int actions_unannotate(struct ui *ui, struct view *v, const char *arg);
int actions_create_sa(struct ui *ui, struct view *v, const char *arg);
int actions_delete_sa(struct ui *ui, struct view *v, const char *arg);
int actions_restart(struct ui *ui, struct view *v, const char *arg);
int actions_create_role(struct ui *ui, struct view *v, const char *arg);
int actions_delete_role(struct ui *ui, struct view *v, const char *arg);
int actions_create_pod_identity(struct ui *ui, struct view *v,
                                const char *arg);
int actions_delete_pod_identity(struct ui *ui, struct view *v,
                                const char *arg);

int actions_associate_oidc(struct ui *ui, struct view *v, const char *arg);

/* Bindings of the IAM roles pane's actions, for its key table. */
#define ACTIONS_ROLE_BINDINGS                                              \
    { .keys = { 'A' }, .hint = "attach", .mutates = 1, .help = "Attach a " \
      "managed policy to the role (pick one, or type its name or ARN)",   \
      .run = actions_attach_policy },                                      \
    { .keys = { 'D' }, .hint = "detach", .mutates = 1, .help = "Detach "   \
      "one of the role's managed policies", .run = actions_detach_policy },\
    { .keys = { 'i' }, .hint = "inline", .mutates = 1, .help = "Put an "   \
      "inline policy: its JSON from a file, or written in $EDITOR",       \
      .run = actions_put_inline },                                         \
    { .keys = { 'I' }, .hint = "del-inline", .mutates = 1, .help =         \
      "Delete one of the role's inline policies",                          \
      .run = actions_delete_inline },                                      \
    { .keys = { 'e' }, .hint = "trust", .mutates = 1, .help = "Edit the "  \
      "trust policy in $EDITOR; the diff is shown before it is sent",     \
      .run = actions_edit_trust },                                         \
    { .keys = { 'v' }, .hint = "policy", .help = "Show the default "       \
      "version of one of the role's managed policies",                     \
      .run = actions_show_policy },                                        \
    { .keys = { 'N' }, .command = "create-policy", .hint = "new-policy",   \
      .mutates = 1, .help = "Create a customer managed policy from a "     \
      "JSON file, or written in $EDITOR", .run = actions_create_policy }

/* Bindings of the service accounts pane's actions. */
#define ACTIONS_SA_BINDINGS                                                \
    { .keys = { 'A' }, .hint = "annotate", .mutates = 1, .help =           \
      "Annotate with a role (picked from the roles) and optional STS and " \
      "token annotations",                                                 \
      .run = actions_annotate },                                           \
    { .keys = { 'U' }, .hint = "unannotate", .mutates = 1, .help =         \
      "Remove the role annotation", .run = actions_unannotate },           \
    { .keys = { 'c' }, .hint = "create", .mutates = 1, .help = "Create a " \
      "service account (NAMESPACE/NAME)", .run = actions_create_sa },      \
    { .keys = { UI_CTRL('d') }, .hint = "delete", .mutates = 1, .help =    \
      "Delete the service account (type its name to confirm)",            \
      .run = actions_delete_sa },                                          \
    { .keys = { 'R' }, .hint = "restart", .mutates = 1, .help = "Restart " \
      "the workloads that use the service account, so their pods pick "   \
      "up a new role", .run = actions_restart },                           \
    { .keys = { 'C' }, .hint = "new-role", .mutates = 1, .help = "Create " \
      "an IAM role for the service account as an eksctl iamserviceaccount "\
      "stack, and annotate it", .run = actions_create_role },              \
    { .keys = { 'K' }, .command = "delete-role", .hint = "del-role",       \
      .mutates = 1, .help = "Delete the service account's eksctl "         \
      "iamserviceaccount stack and its role, then the annotation",         \
      .run = actions_delete_role },                                        \
    { .keys = { 'P' }, .command = "podidentity", .hint = "pod-identity",   \
      .mutates = 1, .help = "Create an EKS Pod Identity association for "  \
      "the service account, with a role picked from the roles",           \
      .run = actions_create_pod_identity },                                \
    { .keys = { 'X' }, .command = "delete-podidentity", .mutates = 1,      \
      .help = "Delete the service account's EKS Pod Identity association",\
      .run = actions_delete_pod_identity }

/* Binding of the clusters pane's action. */
#define ACTIONS_CLUSTER_BINDINGS                                           \
    { .keys = { 'O' }, .command = "associate-oidc", .hint = "oidc",        \
      .mutates = 1, .help = "Associate an IAM OIDC provider with the "     \
      "cluster when it has none, as eksctl utils "                         \
      "associate-iam-oidc-provider does", .run = actions_associate_oidc }

/* Frees the last action and its dialog, when the UI ends. */
void actions_free(struct ui *ui);

#endif
