/*
 * world_load: the account, its credentials, IAM policies, roles and OIDC
 * providers. Clusters and their Kubernetes objects are read in
 * world_cluster.c. The schema is documented at the top of
 * sandbox/worlds/demo.yaml.
 */
#include "world.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cfn.h"
#include "fault.h"
#include "oidc_issuer.h"
#include "wfile.h"
#include "world_cluster.h"
#include "world_net.h"
#include "../api/strutil.h"

static const char *const world_keys[] = {
    "account", "regions", "credentials", "policies", "clusters", "roles",
    "oidcProviders", "vpcs", "subnets", "securityGroups", "certificates",
    "webAcls", "loadBalancers", "timing", "limits", "faults", NULL,
};

/* Grows *items so that it has room for need elements of size bytes. */
int world_grow(void *items, size_t *cap, size_t need, size_t size)
{
    void **p = items;
    if (need <= *cap)
        return 0;
    size_t n = *cap ? *cap * 2 : 8;
    while (n < need)
        n *= 2;
    void *grown = realloc(*p, n * size);
    if (!grown)
        return -1;
    memset((char *)grown + *cap * size, 0, (n - *cap) * size);
    *p = grown;
    *cap = n;
    return 0;
}

static int all_digits(const char *s, size_t len)
{
    if (strlen(s) != len)
        return 0;
    for (; *s; s++)
        if (!isdigit((unsigned char)*s))
            return 0;
    return 1;
}

static int read_account(struct wfile *f, const yaml_node_t *root)
{
    if (wfile_str(f, root, "account", 1, &f->world->account_id) < 0)
        return -1;
    if (!all_digits(f->world->account_id, 12))
        return wfile_fail(f, ydoc_get(f->doc, root, "account"),
                          "account '%s' is not a 12-digit AWS account id; "
                          "quote it, as in account: \"111122223333\"",
                          f->world->account_id);
    return 0;
}

/* us-east-2, eu-west-1, us-gov-west-1, ap-southeast-3 ... */
int world_valid_region(const char *s)
{
    size_t dashes = 0, len = strlen(s);
    if (len < 6 || len > 32 || !isdigit((unsigned char)s[len - 1]))
        return 0;
    for (const char *p = s; *p; p++) {
        if (*p == '-')
            dashes++;
        else if (!islower((unsigned char)*p) && !isdigit((unsigned char)*p))
            return 0;
    }
    return dashes >= 2 && s[0] != '-';
}

static int read_regions(struct wfile *f, const yaml_node_t *root)
{
    struct world *w = f->world;
    yaml_node_t *seq = ydoc_get(f->doc, root, "regions");
    if (!seq)
        return wfile_fail(f, root, "missing 'regions'; add regions: "
                          "[us-east-2, eu-west-1]");
    if (wfile_strs(f, root, "regions", &w->regions, &w->region_count) < 0)
        return -1;
    if (w->region_count == 0)
        return wfile_fail(f, seq, "'regions' is empty; list at least one "
                          "region");
    for (size_t i = 0; i < w->region_count; i++) {
        if (!world_valid_region(w->regions[i]))
            return wfile_fail(f, ydoc_item(f->doc, seq, i),
                              "'%s' is not an AWS region name such as "
                              "us-east-2", w->regions[i]);
        for (size_t j = 0; j < i; j++)
            if (strcmp(w->regions[i], w->regions[j]) == 0)
                return wfile_fail(f, ydoc_item(f->doc, seq, i),
                                  "region '%s' is listed twice",
                                  w->regions[i]);
    }
    return 0;
}

static const char *const credential_keys[] = {
    "accessKeyId", "secretAccessKey", "sessionToken", "user", "arn",
    "expiration", NULL,
};

static int read_credential_arn(struct wfile *f, const yaml_node_t *map,
                               struct world_credential *c)
{
    char *user = NULL;
    if (wfile_str(f, map, "user", 0, &user) < 0 ||
        wfile_str(f, map, "arn", 0, &c->arn) < 0) {
        free(user);
        return -1;
    }
    if (!user && !c->arn)
        return wfile_fail(f, map, "credential has neither 'user' nor "
                          "'arn'; add user: NAME");
    if (user && c->arn) {
        free(user);
        return wfile_fail(f, map, "credential has both 'user' and 'arn'; "
                          "keep one");
    }
    if (user)
        c->arn = wfile_printf("arn:aws:iam::%s:user/%s",
                              f->world->account_id, user);
    char *seed = wfile_printf("user:%s", c->arn ? c->arn : "");
    c->user_id = seed ? wfile_derive("AIDA", seed, 17, WFILE_BASE32) : NULL;
    free(seed);
    free(user);
    if (!c->arn || !c->user_id)
        return wfile_fail(f, map, "out of memory");
    return 0;
}

static int read_expiration(struct wfile *f, const yaml_node_t *map,
                           struct world_credential *c)
{
    char *when = NULL;
    if (!ydoc_get(f->doc, map, "expiration"))
        return 0;
    if (wfile_time(f, map, "expiration", "", &when) < 0)
        return -1;
    struct tm tm = {0};
    sscanf(when, "%4d-%2d-%2dT%2d:%2d:%2d", &tm.tm_year, &tm.tm_mon,
           &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec);
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    c->expiration = timegm(&tm);
    free(when);
    return 0;
}

static int read_credential(struct wfile *f, const yaml_node_t *map,
                           struct world_credential *c)
{
    if (wfile_keys(f, map, "credential", credential_keys) < 0 ||
        wfile_str(f, map, "accessKeyId", 1, &c->access_key_id) < 0 ||
        wfile_str(f, map, "secretAccessKey", 1, &c->secret_access_key) < 0 ||
        wfile_str(f, map, "sessionToken", 0, &c->session_token) < 0 ||
        read_credential_arn(f, map, c) < 0 || read_expiration(f, map, c) < 0)
        return -1;
    size_t len = strlen(c->access_key_id);
    if (len < 16 || len > 128)
        return wfile_fail(f, ydoc_get(f->doc, map, "accessKeyId"),
                          "accessKeyId must be 16 to 128 characters, such "
                          "as AKIAIOSFODNN7EXAMPLE");
    return 0;
}

static int read_credentials(struct wfile *f, const yaml_node_t *root)
{
    struct world *w = f->world;
    yaml_node_t *seq = ydoc_get(f->doc, root, "credentials");
    if (!ydoc_is_seq(seq) || ydoc_len(seq) == 0)
        return wfile_fail(f, seq ? seq : root, "'credentials' must list at "
                          "least one access key, such as - {accessKeyId: "
                          "..., secretAccessKey: ..., user: NAME}");
    size_t n = ydoc_len(seq);
    w->credentials = calloc(n, sizeof(*w->credentials));
    if (!w->credentials)
        return wfile_fail(f, seq, "out of memory");
    for (size_t i = 0; i < n; i++) {
        w->credential_count = i + 1;
        yaml_node_t *item = ydoc_item(f->doc, seq, i);
        if (read_credential(f, item, &w->credentials[i]) < 0)
            return -1;
        if (world_credential(w, w->credentials[i].access_key_id) !=
            &w->credentials[i])
            return wfile_fail(f, item, "access key %s is listed twice",
                              w->credentials[i].access_key_id);
    }
    return 0;
}

/* IAM names: letters, digits and +=,.@_- */
int world_valid_iam_name(const char *s, size_t max)
{
    size_t len = strlen(s);
    if (len == 0 || len > max)
        return 0;
    for (; *s; s++)
        if (!isalnum((unsigned char)*s) && !strchr("+=,.@_-", *s))
            return 0;
    return 1;
}

static int read_iam_path(struct wfile *f, const yaml_node_t *map, char **out)
{
    if (wfile_str(f, map, "path", 0, out) < 0)
        return -1;
    if (!*out)
        *out = strdup("/");
    else if ((*out)[0] != '/' || (*out)[strlen(*out) - 1] != '/' ||
             strlen(*out) > 512)
        return wfile_fail(f, ydoc_get(f->doc, map, "path"),
                          "path '%s' must start and end with '/', as in "
                          "/service-accounts/", *out);
    return *out ? 0 : wfile_fail(f, map, "out of memory");
}

static const char *const policy_keys[] = {
    "name", "path", "description", "document", "created", NULL,
};

static int read_policy(struct wfile *f, const yaml_node_t *map,
                       struct world_policy *p)
{
    if (wfile_keys(f, map, "policy", policy_keys) < 0 ||
        wfile_str(f, map, "name", 1, &p->name) < 0 ||
        read_iam_path(f, map, &p->path) < 0 ||
        wfile_str(f, map, "description", 0, &p->description) < 0 ||
        wfile_json(f, map, "document", 1, 1, &p->document) < 0 ||
        wfile_time(f, map, "created", WORLD_DEFAULT_CREATED, &p->created) < 0)
        return -1;
    if (!world_valid_iam_name(p->name, 128))
        return wfile_fail(f, ydoc_get(f->doc, map, "name"),
                          "policy name '%s' may hold only letters, digits "
                          "and +=,.@_- (at most 128)", p->name);
    p->arn = wfile_printf("arn:aws:iam::%s:policy%s%s", f->world->account_id,
                          p->path, p->name);
    p->policy_id = wfile_derive("ANPA", p->arn ? p->arn : "", 17,
                                WFILE_BASE32);
    return p->arn && p->policy_id ? 0 : wfile_fail(f, map, "out of memory");
}

static int read_policies(struct wfile *f, const yaml_node_t *root)
{
    struct world *w = f->world;
    yaml_node_t *seq = ydoc_get(f->doc, root, "policies");
    if (!seq)
        return 0;
    if (!ydoc_is_seq(seq))
        return wfile_fail(f, seq, "'policies' must be a list");
    size_t n = ydoc_len(seq);
    w->policies = calloc(n ? n : 1, sizeof(*w->policies));
    struct wfile_name *names = calloc(n ? n : 1, sizeof(*names));
    int rc = w->policies && names ? 0 : wfile_fail(f, seq, "out of memory");
    for (size_t i = 0; i < n && rc == 0; i++) {
        yaml_node_t *item = ydoc_item(f->doc, seq, i);
        w->policy_count = i + 1;
        rc = read_policy(f, item, &w->policies[i]);
        if (rc == 0) {
            names[i].key = strdup(w->policies[i].name);
            names[i].line = ydoc_line(item);
        }
    }
    if (names && rc == 0)
        rc = wfile_unique(f, names, n, 1, "policy name");
    else
        for (size_t i = 0; names && i < n; i++)
            free(names[i].key);
    free(names);
    return rc;
}

static const char *const role_keys[] = {
    "name", "path", "description", "trustPolicy", "attachedPolicies",
    "inlinePolicies", "tags", "created", "count", NULL,
};

#define AWS_MANAGED_PREFIX "arn:aws:iam::aws:policy/"

static const struct world_policy *policy_by_name(const struct world *w,
                                                 const char *name)
{
    for (size_t i = 0; i < w->policy_count; i++)
        if (strcasecmp(w->policies[i].name, name) == 0)
            return &w->policies[i];
    return NULL;
}

/* An attachment is an AWS managed policy ARN, a customer policy ARN or
 * the name of a policy of this world. */
static int resolve_attachment(struct wfile *f, const yaml_node_t *n,
                              const char *text, char **arn)
{
    const struct world_policy *p = NULL;
    if (strncmp(text, AWS_MANAGED_PREFIX, strlen(AWS_MANAGED_PREFIX)) == 0)
        *arn = strdup(text);
    else if (strncmp(text, "arn:", 4) == 0) {
        if (!(p = world_policy(f->world, text)))
            return wfile_fail(f, n, "policy %s is not defined under "
                              "'policies'; define it there or attach an AWS "
                              "managed policy (" AWS_MANAGED_PREFIX "...)",
                              text);
        *arn = strdup(p->arn);
    } else {
        if (!(p = policy_by_name(f->world, text)))
            return wfile_fail(f, n, "no policy named '%s' under 'policies'; "
                              "define it or give a full policy ARN", text);
        *arn = strdup(p->arn);
    }
    return *arn ? 0 : wfile_fail(f, n, "out of memory");
}

static int read_attachments(struct wfile *f, const yaml_node_t *map,
                            struct world_role *r)
{
    yaml_node_t *seq = ydoc_get(f->doc, map, "attachedPolicies");
    if (!seq)
        return 0;
    if (!ydoc_is_seq(seq))
        return wfile_fail(f, seq, "'attachedPolicies' must be a list of "
                          "policy ARNs or names");
    size_t n = ydoc_len(seq);
    r->attached_policy_arns = calloc(n ? n : 1, sizeof(char *));
    if (!r->attached_policy_arns)
        return wfile_fail(f, seq, "out of memory");
    for (size_t i = 0; i < n; i++) {
        yaml_node_t *item = ydoc_item(f->doc, seq, i);
        const char *text = ydoc_str(item);
        if (!text)
            return wfile_fail(f, item, "items of 'attachedPolicies' must be "
                              "policy ARNs or names");
        char *expanded = wfile_subst(f, text);
        int rc = expanded ? resolve_attachment(f, item, expanded,
                                               &r->attached_policy_arns[i])
                          : wfile_fail(f, item, "out of memory");
        free(expanded);
        if (rc < 0)
            return -1;
        r->attached_count = i + 1;
    }
    return 0;
}

static int read_inline_policies(struct wfile *f, const yaml_node_t *map,
                                struct world_role *r)
{
    yaml_node_t *m = ydoc_get(f->doc, map, "inlinePolicies");
    if (!m)
        return 0;
    if (!ydoc_is_map(m))
        return wfile_fail(f, m, "'inlinePolicies' must map policy names to "
                          "documents");
    size_t n = ydoc_map_len(m);
    r->inline_policies = calloc(n ? n : 1, sizeof(*r->inline_policies));
    if (!r->inline_policies)
        return wfile_fail(f, m, "out of memory");
    for (size_t i = 0; i < n; i++) {
        yaml_node_t *k, *v;
        ydoc_pair(f->doc, m, i, &k, &v);
        struct world_inline_policy *p = &r->inline_policies[i];
        r->inline_count = i + 1;
        if (!ydoc_str(k))
            return wfile_fail(f, k, "inline policy names must be strings");
        p->name = wfile_subst(f, ydoc_str(k));
        if (!p->name)
            return wfile_fail(f, k, "out of memory");
        if (!world_valid_iam_name(p->name, 128))
            return wfile_fail(f, k, "inline policy name '%s' may hold only "
                              "letters, digits and +=,.@_-", p->name);
        if (wfile_json(f, m, ydoc_str(k), 1, 1, &p->document) < 0)
            return -1;
    }
    return 0;
}

static int read_role(struct wfile *f, const yaml_node_t *map,
                     struct world_role *r)
{
    if (wfile_str(f, map, "name", 1, &r->name) < 0 ||
        read_iam_path(f, map, &r->path) < 0 ||
        wfile_str(f, map, "description", 0, &r->description) < 0 ||
        wfile_json(f, map, "trustPolicy", 1, 1, &r->trust_policy) < 0 ||
        read_attachments(f, map, r) < 0 ||
        read_inline_policies(f, map, r) < 0 ||
        wfile_kv(f, map, "tags", &r->tags) < 0 ||
        wfile_time(f, map, "created", WORLD_DEFAULT_CREATED, &r->created) < 0)
        return -1;
    if (!world_valid_iam_name(r->name, 64))
        return wfile_fail(f, ydoc_get(f->doc, map, "name"),
                          "role name '%s' may hold only letters, digits and "
                          "+=,.@_- (at most 64)", r->name);
    r->arn = wfile_printf("arn:aws:iam::%s:role%s%s", f->world->account_id,
                          r->path, r->name);
    r->role_id = wfile_derive("AROA", r->arn ? r->arn : "", 17, WFILE_BASE32);
    return r->arn && r->role_id ? 0 : wfile_fail(f, map, "out of memory");
}

static int read_role_item(struct wfile *f, const yaml_node_t *map,
                          size_t *cap)
{
    struct world *w = f->world;
    unsigned long count;
    if (wfile_keys(f, map, "role", role_keys) < 0 ||
        wfile_count(f, map, "name", &count) < 0)
        return -1;
    int counted = ydoc_get(f->doc, map, "count") != NULL;
    if (world_grow(&w->roles, cap, w->role_count + count,
                   sizeof(*w->roles)) < 0)
        return wfile_fail(f, map, "out of memory");
    for (unsigned long i = 1; i <= count; i++) {
        f->n = counted ? i : 0;
        int rc = read_role(f, map, &w->roles[w->role_count++]);
        f->n = 0;
        if (rc < 0)
            return -1;
    }
    return 0;
}

static int compare_roles(const void *a, const void *b)
{
    const struct world_role *x = a, *y = b;
    return strcasecmp(x->name, y->name);
}

/* Sorts roles by name (IAM lists them in that order, and GetRole uses a
 * binary search), then rejects names that differ only in case, as IAM
 * does. */
static int check_roles(struct wfile *f, const yaml_node_t *seq)
{
    struct world *w = f->world;
    qsort(w->roles, w->role_count, sizeof(*w->roles), compare_roles);
    for (size_t i = 1; i < w->role_count; i++)
        if (strcasecmp(w->roles[i - 1].name, w->roles[i].name) == 0)
            return wfile_fail(f, seq, "role name '%s' is defined twice (role "
                              "names ignore case); rename one",
                              w->roles[i].name);
    return 0;
}

static int read_roles(struct wfile *f, const yaml_node_t *root)
{
    yaml_node_t *seq = ydoc_get(f->doc, root, "roles");
    size_t cap = 0;
    if (!seq)
        return 0;
    if (!ydoc_is_seq(seq))
        return wfile_fail(f, seq, "'roles' must be a list");
    for (size_t i = 0; i < ydoc_len(seq); i++)
        if (read_role_item(f, ydoc_item(f->doc, seq, i), &cap) < 0)
            return -1;
    return check_roles(f, seq);
}

static const char *const oidc_keys[] = {
    "url", "clientIds", "created", NULL,
};

int world_add_oidc_provider(struct wfile *f, const yaml_node_t *n,
                            const char *issuer, size_t *cap)
{
    struct world *w = f->world;
    const char *url = issuer;
    if (strncmp(url, "https://", 8) == 0)
        url += 8;
    for (size_t i = 0; i < w->oidc_provider_count; i++)
        if (strcmp(w->oidc_providers[i].url, url) == 0)
            return 0;
    if (world_grow(&w->oidc_providers, cap, w->oidc_provider_count + 1,
                   sizeof(*w->oidc_providers)) < 0)
        return wfile_fail(f, n, "out of memory");
    struct world_oidc_provider *p =
        &w->oidc_providers[w->oidc_provider_count++];
    p->url = strdup(url);
    p->arn = wfile_printf("arn:aws:iam::%s:oidc-provider/%s", w->account_id,
                          url);
    p->created = strdup(WORLD_DEFAULT_CREATED);
    if (!p->url || !p->arn || !p->created)
        return wfile_fail(f, n, "out of memory");
    return 0;
}

static int read_oidc_provider(struct wfile *f, const yaml_node_t *map,
                              size_t *cap)
{
    struct world *w = f->world;
    char *url = NULL;
    if (wfile_keys(f, map, "OIDC provider", oidc_keys) < 0 ||
        wfile_str(f, map, "url", 1, &url) < 0)
        return -1;
    int rc = 0;
    if (strncmp(url, "https://", 8) != 0)
        rc = wfile_fail(f, ydoc_get(f->doc, map, "url"), "url '%s' must "
                        "start with https://", url);
    size_t before = w->oidc_provider_count;
    if (rc == 0)
        rc = world_add_oidc_provider(f, map, url, cap);
    if (rc == 0 && w->oidc_provider_count == before)
        rc = wfile_fail(f, map, "OIDC provider %s is listed twice; remove "
                        "one", url);
    free(url);
    if (rc < 0)
        return rc;
    struct world_oidc_provider *p = &w->oidc_providers[before];
    free(p->created);
    p->created = NULL;
    return wfile_strs(f, map, "clientIds", &p->client_ids,
                      &p->client_id_count) < 0 ||
           wfile_time(f, map, "created", WORLD_DEFAULT_CREATED,
                      &p->created) < 0 ? -1 : 0;
}

static int default_client_ids(struct world *w)
{
    for (size_t i = 0; i < w->oidc_provider_count; i++) {
        struct world_oidc_provider *p = &w->oidc_providers[i];
        if (p->client_id_count)
            continue;
        free(p->client_ids);
        p->client_ids = calloc(1, sizeof(char *));
        if (!p->client_ids || !(p->client_ids[0] = strdup("sts.amazonaws.com")))
            return -1;
        p->client_id_count = 1;
    }
    return 0;
}

/* Explicit providers come first, so their clientIds win over a
 * cluster's derived provider with the same issuer. */
static int read_oidc_providers(struct wfile *f, const yaml_node_t *root,
                               size_t *cap)
{
    yaml_node_t *seq = ydoc_get(f->doc, root, "oidcProviders");
    if (seq && !ydoc_is_seq(seq))
        return wfile_fail(f, seq, "'oidcProviders' must be a list");
    for (size_t i = 0; i < ydoc_len(seq); i++)
        if (read_oidc_provider(f, ydoc_item(f->doc, seq, i), cap) < 0)
            return -1;
    return 0;
}

static int read_world(struct wfile *f, const yaml_node_t *root)
{
    size_t oidc_cap = 0;
    if (!root)
        return wfile_fail(f, root, "the world file is empty; start with "
                          "account: \"111122223333\"");
    if (wfile_keys(f, root, "the world file", world_keys) < 0 ||
        read_account(f, root) < 0 || read_regions(f, root) < 0 ||
        read_credentials(f, root) < 0 || read_policies(f, root) < 0 ||
        read_oidc_providers(f, root, &oidc_cap) < 0 ||
        world_read_net(f, root) < 0 ||
        world_read_clusters(f, root, &oidc_cap) < 0 ||
        read_roles(f, root) < 0 || fault_read_world(f, root) < 0)
        return -1;
    if (default_client_ids(f->world) < 0)
        return wfile_fail(f, root, "out of memory");
    return 0;
}

int world_load(struct world *w, const char *path, char *err, size_t errlen)
{
    struct ydoc doc;
    memset(w, 0, sizeof(*w));
    if (ydoc_load_file(&doc, path, err, errlen) < 0)
        return -1;
    struct wfile f = {.doc = &doc, .world = w, .err = err, .errlen = errlen};
    w->path = strdup(path);
    int rc = w->path ? read_world(&f, ydoc_root(&doc))
                     : wfile_fail(&f, NULL, "out of memory");
    ydoc_free(&doc);
    if (rc < 0)
        world_free(w);
    return rc;
}

static void free_credential(struct world_credential *c)
{
    free(c->access_key_id);
    str_wipe_free(c->secret_access_key);
    str_wipe_free(c->session_token);
    free(c->arn);
    free(c->user_id);
}

void world_free_role(struct world_role *r)
{
    free(r->name);
    free(r->path);
    free(r->arn);
    free(r->role_id);
    free(r->created);
    free(r->description);
    free(r->trust_policy);
    wfile_strs_free(r->attached_policy_arns, r->attached_count);
    for (size_t i = 0; i < r->inline_count; i++) {
        free(r->inline_policies[i].name);
        free(r->inline_policies[i].document);
    }
    free(r->inline_policies);
    wfile_kv_free(&r->tags);
}

void world_free_policy(struct world_policy *p)
{
    free(p->name);
    free(p->path);
    free(p->arn);
    free(p->policy_id);
    free(p->description);
    free(p->document);
    free(p->created);
    wfile_kv_free(&p->tags);
}

void world_free_oidc_provider(struct world_oidc_provider *p)
{
    free(p->arn);
    free(p->url);
    wfile_strs_free(p->client_ids, p->client_id_count);
    wfile_strs_free(p->thumbprints, p->thumbprint_count);
    free(p->created);
    wfile_kv_free(&p->tags);
}

void world_free(struct world *w)
{
    free(w->path);
    free(w->ca_pem);
    free(w->account_id);
    wfile_strs_free(w->regions, w->region_count);
    for (size_t i = 0; i < w->credential_count; i++)
        free_credential(&w->credentials[i]);
    free(w->credentials);
    for (size_t i = 0; i < w->cluster_count; i++)
        world_free_cluster(&w->clusters[i]);
    free(w->clusters);
    for (size_t i = 0; i < w->role_count; i++)
        world_free_role(&w->roles[i]);
    free(w->roles);
    for (size_t i = 0; i < w->policy_count; i++)
        world_free_policy(&w->policies[i]);
    free(w->policies);
    for (size_t i = 0; i < w->oidc_provider_count; i++)
        world_free_oidc_provider(&w->oidc_providers[i]);
    free(w->oidc_providers);
    world_free_net(w);
    fault_set_free(w->faults);
    cfn_free(w->cfn);
    free(w->k8s_base);
    free(w->oidc_jwks);
    memset(w, 0, sizeof(*w));
}

struct world_cluster *world_cluster(struct world *w, const char *region,
                                    const char *name)
{
    for (size_t i = 0; i < w->cluster_count; i++) {
        struct world_cluster *c = &w->clusters[i];
        if (strcmp(c->name, name) == 0 &&
            (!region || strcmp(c->region, region) == 0))
            return c;
    }
    return NULL;
}

const struct world_credential *world_credential(const struct world *w,
                                                const char *access_key_id)
{
    for (size_t i = 0; i < w->credential_count; i++)
        if (strcmp(w->credentials[i].access_key_id, access_key_id) == 0)
            return &w->credentials[i];
    return NULL;
}

const struct world_policy *world_policy(const struct world *w,
                                        const char *arn)
{
    for (size_t i = 0; i < w->policy_count; i++)
        if (strcmp(w->policies[i].arn, arn) == 0)
            return &w->policies[i];
    return NULL;
}

static int compare_role_name(const void *key, const void *item)
{
    const struct world_role *r = item;
    return strcasecmp(key, r->name);
}

const struct world_role *world_role(const struct world *w, const char *name)
{
    if (!w->role_count)
        return NULL;
    return bsearch(name, w->roles, w->role_count, sizeof(*w->roles),
                   compare_role_name);
}

const struct world_role *world_role_by_arn(const struct world *w,
                                           const char *arn)
{
    const char *slash = arn ? strrchr(arn, '/') : NULL;
    const struct world_role *role = slash ? world_role(w, slash + 1) : NULL;
    return role && strcmp(role->arn, arn) == 0 ? role : NULL;
}

const struct world_oidc_provider *world_oidc_provider(const struct world *w,
                                                      const char *arn)
{
    for (size_t i = 0; i < w->oidc_provider_count; i++)
        if (strcmp(w->oidc_providers[i].arn, arn) == 0)
            return &w->oidc_providers[i];
    return NULL;
}

/* Moves an issuer the sandbox serves to base/id/HEX, keeping its id. */
static int serve_issuer(const struct world *w, struct world_cluster *c)
{
    const char *id = c->oidc_issuer ? strstr(c->oidc_issuer, "/id/") : NULL;
    if (!c->issuer_served || !id)
        return 0;
    char *url = oidc_issuer_url(w, c->region, id + strlen("/id/"));
    if (!url)
        return -1;
    free(c->oidc_issuer);
    c->oidc_issuer = url;
    return 0;
}

int world_set_endpoints(struct world *w, const char *base)
{
    free(w->k8s_base);
    if (!(w->k8s_base = strdup(base)))
        return -1;
    for (size_t i = 0; i < w->cluster_count; i++) {
        struct world_cluster *c = &w->clusters[i];
        if (serve_issuer(w, c) < 0)
            return -1;
        if (c->endpoint_fixed)
            continue;
        char *url = wfile_printf("%s/k8s/%s/%s", base, c->region, c->name);
        if (!url)
            return -1;
        free(c->endpoint);
        c->endpoint = url;
    }
    return 0;
}

const struct world_credential *world_add_credential(
    struct world *w, struct world_credential *cred)
{
    struct world_credential *grown =
        realloc(w->credentials, (w->credential_count + 1) * sizeof(*grown));
    if (!grown) {
        free_credential(cred);
        return NULL;
    }
    w->credentials = grown;
    grown[w->credential_count] = *cred;
    return &grown[w->credential_count++];
}
