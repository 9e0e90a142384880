/*
 * The plan for a ClusterConfig: the stacks eksctl would create, with
 * eksctl's names and tags, and the calls made outside CloudFormation, in
 * the order they run, each with the earlier steps it waits for.
 */
#ifndef ALBATROSS_PLAN_H
#define ALBATROSS_PLAN_H

#include <stddef.h>
#include <stdio.h>

#include "clusterconfig.h"

#define PLAN_VERSION_TAG "albatross.io/version"

enum plan_kind {
    PLAN_CREATE_STACK,
    PLAN_DELETE_STACK,
    PLAN_CALL,
};

struct plan_resource {
    char *logical_id;
    char *type;
};

struct plan_step {
    enum plan_kind kind;
    char *name;            /* stack name, or the call ("iam:Create...") */
    char *description;     /* one line: what the step does */
    struct ccfg_map tags;  /* stack tags */
    size_t *depends_on;    /* indices of earlier steps */
    size_t depend_count;
    char *template_json;   /* created stacks: the template, indented */
    struct plan_resource *resources;
    size_t resource_count;
    char **notes;          /* what the reader must know: gaps, placeholders */
    size_t note_count;
    char *blocked;         /* why the step cannot run as planned, or NULL:
                            * the plan shows it, apply refuses the step */
};

struct plan {
    struct plan_step *steps;
    size_t count;
};

/*
 * Plans the creation of c. issuer is the cluster's OIDC issuer without
 * https://, or NULL before the cluster exists. The service account
 * templates then carry a placeholder, and a note on their steps names it.
 */
void plan_build_create(struct plan *p, const struct ccfg *c,
                       const char *issuer);
/* Plans one iamserviceaccount of cluster c on its own, as eksctl create
 * iamserviceaccount does: the stack, then the ServiceAccount's
 * annotation. The cluster and its OIDC provider must exist; issuer is
 * as for plan_build_create. */
#define PLAN_NO_STEP ((size_t)-1)
void plan_build_service_account(struct plan *p, const struct ccfg *c,
                                const struct ccfg_service_account *sa,
                                const char *issuer);
/* Plans the deletion: service account stacks, node group stacks, the OIDC
 * provider when it carries the cluster's tag, the cluster stack. */
void plan_build_delete(struct plan *p, const struct ccfg *c);
/* Appends to p only the iamserviceaccount stack of c's service account
 * index: its creation (issuer as for plan_build_create), or its
 * deletion. p starts zeroed, as plan_cleanup leaves it. */
void plan_add_service_account(struct plan *p, const struct ccfg *c,
                              size_t index, const char *issuer, int deleting);
/* Appends a call step that depends on nothing. */
void plan_add_call(struct plan *p, const char *name,
                   const char *description);
void plan_cleanup(struct plan *p);

/* The tags eksctl puts on everything of cluster (stacks, the OIDC
 * provider): alpha.eksctl.io/cluster-name and
 * eksctl.cluster.k8s.io/v1alpha1/cluster-name, albatross's version in
 * place of eksctl's, then extra (the config's tags; may be NULL). */
void plan_shared_tags(struct ccfg_map *out, const char *cluster,
                      const struct ccfg_map *extra);

/* The plan as text for a person: the config's values with defaults
 * marked, then each step; templates too when show_templates is set. */
void plan_print_text(FILE *out, const struct ccfg *c, const struct plan *p,
                     int show_templates);
/* The plan as one JSON object: {"cluster": ..., "steps": [...]}. */
void plan_print_json(FILE *out, const struct ccfg *c, const struct plan *p,
                     int show_templates);

#endif
