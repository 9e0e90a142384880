/* What model*.c share and the views do not need. */
#ifndef ALBATROSS_MODEL_INTERNAL_H
#define ALBATROSS_MODEL_INTERNAL_H

#include "../api/eks.h"
#include "model.h"

int model_load_kubeconfig(struct model *m, const char *paths, char *err,
                          size_t errlen);
/* Adds or updates the clusters listed by EKS, matching kubeconfig
 * contexts that reach them. Takes the strings of list's items. */
void model_merge_eks_clusters(struct model *m, struct eks_cluster_list *list);

/* Recomputes each service account's role and each role's count. */
void model_join_roles(struct model *m);
/* Sets sa's role_status and role_reason from its role's trust policy,
 * once sa->role and sa->role_missing are set. */
void model_judge_role(const struct model *m,
                      struct model_service_account *sa);
void model_set_status(struct model *m, const char *what,
                      const struct api_error *err);

void model_free_role(struct model_role *r);
void model_free_service_account(struct model_service_account *sa);
void model_free_ingress(struct model_ingress *ing);
void model_free_strings(char **list, size_t count);

#endif
