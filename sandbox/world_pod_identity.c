/*
 * EKS Pod Identity associations in the world. Ids left out of the world
 * file are derived from the cluster, namespace and service account, so
 * every load gives the same ones; created ones from a serial number.
 */
#include "world_pod_identity.h"

#include <stdlib.h>
#include <string.h>

#include "world_cluster.h"
#include "world_net.h"

#define ID_DIGITS 17
#define ID_ALPHABET "abcdefghijklmnopqrstuvwxyz0123456789"

static const char *const association_keys[] = {
    "namespace", "serviceAccount", "roleArn", "id", "created", "tags", NULL,
};

int world_valid_pod_identity_id(const char *id)
{
    return strncmp(id, "a-", 2) == 0 && strlen(id) == ID_DIGITS + 2 &&
           strspn(id + 2, ID_ALPHABET) == ID_DIGITS;
}

/* arn:PARTITION:iam::ACCOUNT:role/NAME, loosely: EKS checks the role
 * itself when an association is created, not when the world loads. */
int world_looks_like_role_arn(const char *arn)
{
    const char *iam = strstr(arn, ":iam::");
    return strncmp(arn, "arn:", 4) == 0 && iam && strstr(iam, ":role/");
}

static char *derive_id(const struct world_cluster *c, const char *ns,
                       const char *sa, unsigned long serial)
{
    char *seed = wfile_printf("%s/%s/%s/%s/%lu", c->region, c->name, ns, sa,
                              serial);
    char *id = seed ? wfile_derive("a-", seed, ID_DIGITS, WFILE_LOWER_HEX)
                    : NULL;
    free(seed);
    return id;
}

static int check_association(struct wfile *f, const yaml_node_t *map,
                             const struct world_pod_identity *a)
{
    if (!world_valid_k8s_name(a->namespace, 0))
        return wfile_fail(f, ydoc_get(f->doc, map, "namespace"),
                          "namespace '%s' must be lower-case letters, digits "
                          "and '-' (at most 63)", a->namespace);
    if (!world_valid_k8s_name(a->service_account, 1))
        return wfile_fail(f, ydoc_get(f->doc, map, "serviceAccount"),
                          "serviceAccount '%s' must be lower-case letters, "
                          "digits, '-' and '.' (at most 253)",
                          a->service_account);
    if (!world_looks_like_role_arn(a->role_arn))
        return wfile_fail(f, ydoc_get(f->doc, map, "roleArn"), "roleArn "
                          "'%s' must be a role ARN, as in arn:aws:iam::"
                          "111122223333:role/NAME", a->role_arn);
    if (a->id && !world_valid_pod_identity_id(a->id))
        return wfile_fail(f, ydoc_get(f->doc, map, "id"), "id '%s' must be "
                          "a- and 17 lower-case letters or digits", a->id);
    return 0;
}

static int read_association(struct wfile *f, const yaml_node_t *map,
                            struct world_cluster *c,
                            struct world_pod_identity *a)
{
    if (wfile_keys(f, map, "pod identity association",
                   association_keys) < 0 ||
        wfile_str(f, map, "namespace", 1, &a->namespace) < 0 ||
        wfile_str(f, map, "serviceAccount", 1, &a->service_account) < 0 ||
        wfile_str(f, map, "roleArn", 1, &a->role_arn) < 0 ||
        wfile_str(f, map, "id", 0, &a->id) < 0 ||
        wfile_time(f, map, "created", c->created, &a->created) < 0 ||
        wfile_kv(f, map, "tags", &a->tags) < 0 ||
        check_association(f, map, a) < 0)
        return -1;
    if (!a->id)
        a->id = derive_id(c, a->namespace, a->service_account, 0);
    a->modified = strdup(a->created);
    return a->id && a->modified ? 0 : wfile_fail(f, map, "out of memory");
}

/* One association per namespace and service account, and unique ids. */
static int check_unique(struct wfile *f, const yaml_node_t *seq,
                        struct world_cluster *c)
{
    size_t n = c->pod_identity_count;
    struct wfile_name *pairs = calloc(n ? n : 1, sizeof(*pairs));
    struct wfile_name *ids = calloc(n ? n : 1, sizeof(*ids));
    int rc = pairs && ids ? 0 : wfile_fail(f, seq, "out of memory");
    for (size_t i = 0; rc == 0 && i < n; i++) {
        const struct world_pod_identity *a = &c->pod_identities[i];
        int line = (int)ydoc_item(f->doc, seq, i)->start_mark.line + 1;
        pairs[i] = (struct wfile_name){
            wfile_printf("%s/%s", a->namespace, a->service_account), line};
        ids[i] = (struct wfile_name){strdup(a->id), line};
        if (!pairs[i].key || !ids[i].key)
            rc = wfile_fail(f, seq, "out of memory");
    }
    if (rc == 0)
        rc = wfile_unique(f, pairs, n, 0, "pod identity association for "
                          "service account");
    else
        for (size_t i = 0; i < n; i++)
            free(pairs[i].key);
    if (rc == 0)
        rc = wfile_unique(f, ids, n, 0, "pod identity association id");
    else
        for (size_t i = 0; i < n; i++)
            free(ids[i].key);
    free(pairs);
    free(ids);
    return rc;
}

int world_read_pod_identities(struct wfile *f, const yaml_node_t *map,
                              struct world_cluster *c)
{
    yaml_node_t *seq = ydoc_get(f->doc, map, "podIdentityAssociations");
    if (!seq)
        return 0;
    if (!ydoc_is_seq(seq))
        return wfile_fail(f, seq, "'podIdentityAssociations' must be a "
                          "list");
    size_t n = ydoc_len(seq);
    c->pod_identities = calloc(n ? n : 1, sizeof(*c->pod_identities));
    if (!c->pod_identities)
        return wfile_fail(f, seq, "out of memory");
    for (size_t i = 0; i < n; i++) {
        c->pod_identity_count = i + 1;
        if (read_association(f, ydoc_item(f->doc, seq, i), c,
                             &c->pod_identities[i]) < 0)
            return -1;
    }
    return check_unique(f, seq, c);
}

static void free_association(struct world_pod_identity *a)
{
    free(a->id);
    free(a->namespace);
    free(a->service_account);
    free(a->role_arn);
    free(a->created);
    free(a->modified);
    free(a->client_token);
    wfile_kv_free(&a->tags);
}

void world_free_pod_identities(struct world_cluster *c)
{
    for (size_t i = 0; i < c->pod_identity_count; i++)
        free_association(&c->pod_identities[i]);
    free(c->pod_identities);
    c->pod_identities = NULL;
    c->pod_identity_count = 0;
}

struct world_pod_identity *world_pod_identity(struct world_cluster *c,
                                              const char *id)
{
    for (size_t i = 0; i < c->pod_identity_count; i++)
        if (strcmp(c->pod_identities[i].id, id) == 0)
            return &c->pod_identities[i];
    return NULL;
}

struct world_pod_identity *world_pod_identity_for(struct world_cluster *c,
                                                  const char *ns,
                                                  const char *sa)
{
    for (size_t i = 0; i < c->pod_identity_count; i++) {
        struct world_pod_identity *a = &c->pod_identities[i];
        if (strcmp(a->namespace, ns) == 0 &&
            strcmp(a->service_account, sa) == 0)
            return a;
    }
    return NULL;
}

/* A new id: the serial number keeps a re-created association from
 * getting the id of the one it replaces. */
static char *new_id(struct world_cluster *c, const char *ns, const char *sa)
{
    for (;;) {
        char *id = derive_id(c, ns, sa, ++c->pod_identity_serial);
        if (!id || !world_pod_identity(c, id))
            return id;
        free(id);
    }
}

struct world_pod_identity *world_add_pod_identity(
    struct world_cluster *c, const char *ns, const char *sa,
    const char *role_arn, const char *now, const char *token)
{
    char *id = new_id(c, ns, sa);
    struct world_pod_identity *a = id ? world_append(&c->pod_identities,
                                                     &c->pod_identity_count,
                                                     sizeof(*a))
                                      : NULL;
    if (!a) {
        free(id);
        return NULL;
    }
    a->id = id;
    a->namespace = strdup(ns);
    a->service_account = strdup(sa);
    a->role_arn = strdup(role_arn);
    a->created = strdup(now);
    a->modified = strdup(now);
    a->client_token = token ? strdup(token) : NULL;
    if (a->namespace && a->service_account && a->role_arn && a->created &&
        a->modified && (!token || a->client_token))
        return a;
    world_remove_pod_identity(c, a);
    return NULL;
}

void world_remove_pod_identity(struct world_cluster *c,
                               struct world_pod_identity *a)
{
    size_t i = (size_t)(a - c->pod_identities);
    free_association(a);
    memmove(a, a + 1, (--c->pod_identity_count - i) * sizeof(*a));
}

char *world_pod_identity_arn(const struct world *w,
                             const struct world_cluster *c,
                             const struct world_pod_identity *a)
{
    return wfile_printf("arn:aws:eks:%s:%s:podidentityassociation/%s/%s",
                        c->region, w->account_id, c->name, a->id);
}
