/*
 * The simulated account: everything the sandbox serves, loaded from a
 * world file (YAML) and changed only by the sandbox's own handlers.
 * Strings are owned by the world and freed by world_free().
 */
#ifndef SANDBOX_WORLD_H
#define SANDBOX_WORLD_H

#include <stddef.h>
#include <time.h>

struct world_kv {
    char *key;
    char *value;
};

struct world_kv_list {
    struct world_kv *items;
    size_t count;
};

struct world_credential {
    char *access_key_id;
    char *secret_access_key;
    char *session_token;    /* NULL for long-term keys */
    char *arn;              /* arn:aws:iam::ACCOUNT:user/NAME */
    char *user_id;          /* AIDA..., or AROA...:SESSION */
    time_t expiration;      /* 0 for long-term keys */
};

struct world_service_account {
    char *namespace;
    char *name;
    char *uid;
    char *created;          /* RFC 3339 */
    unsigned long resource_version;
    struct world_kv_list annotations;
    struct world_kv_list labels;
};

struct world_ingress_rule {
    char *host;             /* may be NULL */
    char *path;             /* "/" when absent */
    char *service;          /* backend service name */
    int port;
};

struct world_ingress {
    char *namespace;
    char *name;
    char *uid;
    char *created;
    unsigned long resource_version;
    char *class_name;       /* spec.ingressClassName, or NULL */
    char *status_hostname;  /* status.loadBalancer.ingress[0].hostname */
    struct world_kv_list annotations;
    struct world_kv_list labels;
    struct world_ingress_rule *rules;
    size_t rule_count;
};

struct world_nodegroup {
    char *name;
    char *instance_type;
    int desired, min, max;
    char *status;
    int private_networking;
};

struct world_cluster {
    char *name;
    char *region;
    char *arn;
    char *version;
    char *status;           /* ACTIVE unless the world says otherwise */
    char *endpoint;         /* from the world, or set by the server to
                             * https://127.0.0.1:PORT/k8s/REGION/NAME */
    int endpoint_fixed;     /* endpoint came from the world file */
    char *oidc_issuer;      /* https://oidc.eks.REGION.amazonaws.com/id/HEX,
                             * or NULL when OIDC is not enabled */
    char *created;
    char *role_arn;
    char *vpc_id;
    char *platform_version;
    struct world_kv_list tags;
    struct world_nodegroup *nodegroups;
    size_t nodegroup_count;
    char **namespaces;      /* derived from objects plus the defaults */
    size_t namespace_count;
    struct world_service_account *service_accounts;
    size_t service_account_count;
    struct world_ingress *ingresses;
    size_t ingress_count;
};

struct world_inline_policy {
    char *name;
    char *document;         /* JSON text */
};

struct world_role {
    char *name;
    char *path;             /* "/" */
    char *arn;
    char *role_id;          /* AROA... */
    char *created;
    char *description;      /* may be NULL */
    char *trust_policy;     /* JSON text */
    char **attached_policy_arns;
    size_t attached_count;
    struct world_inline_policy *inline_policies;
    size_t inline_count;
    struct world_kv_list tags;
};

struct world_policy {
    char *name;
    char *path;             /* "/" */
    char *arn;
    char *policy_id;        /* ANPA... */
    char *description;      /* may be NULL */
    char *document;         /* default version, JSON text */
    char *created;
};

struct world_oidc_provider {
    char *arn;
    char *url;              /* issuer without https:// */
    char **client_ids;      /* audiences; "sts.amazonaws.com" by default */
    size_t client_id_count;
    char *created;
};

struct world {
    char *path;             /* the file it came from, for messages */
    char *ca_pem;           /* the sandbox CA certificate (PEM), which
                             * DescribeCluster returns; set by main, freed
                             * by world_free, NULL until then */
    char *account_id;       /* 12 digits */
    char **regions;
    size_t region_count;
    struct world_credential *credentials;
    size_t credential_count;
    struct world_cluster *clusters;
    size_t cluster_count;
    struct world_role *roles;
    size_t role_count;
    struct world_policy *policies;
    size_t policy_count;
    struct world_oidc_provider *oidc_providers;
    size_t oidc_provider_count;
    /* Faults to inject (fault.h), from the world file's faults section
     * and --fault flags; NULL when there are none. Freed by world_free. */
    struct fault_set *faults;
};

/* Loads path; returns 0, or -1 with "path:line: what" in err. */
int world_load(struct world *w, const char *path, char *err, size_t errlen);
void world_free(struct world *w);

struct world_cluster *world_cluster(struct world *w, const char *region,
                                    const char *name);
const struct world_credential *world_credential(const struct world *w,
                                                const char *access_key_id);
const struct world_policy *world_policy(const struct world *w,
                                        const char *arn);
const struct world_role *world_role(const struct world *w, const char *name);
const struct world_oidc_provider *world_oidc_provider(const struct world *w,
                                                      const char *arn);

/* Points every cluster whose endpoint the world file did not fix at
 * BASE/k8s/REGION/NAME, e.g. base "https://127.0.0.1:8443". Returns 0,
 * or -1 when memory runs out. */
int world_set_endpoints(struct world *w, const char *base);

/* Adds temporary credentials (STS); the world takes every string, which
 * must be heap-allocated. Returns the stored credential, or NULL when
 * memory runs out (the strings are then freed). Pointers to earlier
 * credentials may move. */
const struct world_credential *world_add_credential(
    struct world *w, struct world_credential *cred);

#endif
