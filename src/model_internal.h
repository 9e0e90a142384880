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
/* Sets sa's pod_identity, pod_status, pod_reason and identity_conflict
 * from the cluster's associations and the roles. */
void model_judge_pod_identity(const struct model *m,
                              struct model_service_account *sa);
/* Loads the associations of every opened cluster that EKS now lists. */
void model_load_open_pod_identities(struct model *m);
void model_free_pod_identities(struct model *m);
void model_set_status(struct model *m, const char *what,
                      const struct api_error *err);

/* Starts watching cluster i's service accounts or ingresses from a
 * list's resourceVersion, replacing the watch of that kind, when the
 * options asked for watches. */
void model_watch_start(struct model *m, size_t i,
                       enum kube_watch_resource resource, const char *rv);
/* Stops every watch of the model; call it before freeing the HTTP
 * client. */
void model_watch_stop_all(struct model *m);
/* Apply one watch event, or a relist (one list set, freed here), to
 * cluster i's objects, as its watches do; exported for tests. */
void model_watch_apply_event(struct model *m, size_t i,
                             enum kube_watch_resource resource,
                             struct kube_watch_event *ev);
void model_watch_apply_relist(struct model *m, size_t i,
                              struct kube_sa_list *service_accounts,
                              struct kube_ingress_list *ingresses);
/* Sets dst from src, taking its strings. */
void model_take_service_account(struct model_service_account *dst,
                                size_t cluster,
                                struct kube_service_account *src);
void model_take_ingress(struct model_ingress *dst, size_t cluster,
                        struct kube_ingress *src);

void model_free_role(struct model_role *r);
void model_free_service_account(struct model_service_account *sa);
void model_free_ingress(struct model_ingress *ing);
void model_free_strings(char **list, size_t count);

#endif
