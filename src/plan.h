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

/* The plan as text for a person: the config's values with defaults
 * marked, then each step; templates too when show_templates is set. */
void plan_print_text(FILE *out, const struct ccfg *c, const struct plan *p,
                     int show_templates);
/* The plan as one JSON object: {"cluster": ..., "steps": [...]}. */
void plan_print_json(FILE *out, const struct ccfg *c, const struct plan *p,
                     int show_templates);

#endif
