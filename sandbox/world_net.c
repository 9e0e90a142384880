/*
 * world_load, continued: VPCs, subnets, security groups, ACM
 * certificates, WAFv2 web ACLs, load balancers that exist before the
 * sandbox starts, and the timing of slow AWS work.
 */
#include "world_net.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "world_cluster.h"

/* Defaults of `timing`, in sandbox seconds: short, so that the demo shows
 * provisioning and initial health checks without making anyone wait. */
#define PROVISIONING_DEFAULT 3.0
#define REGISTRATION_DEFAULT 2.0
#define INITIAL_CHECKS_DEFAULT 4.0
/* CloudFormation: seconds per resource, and the EKS cluster and node
 * group creation, a few minutes each in AWS. */
#define STACK_RESOURCE_DEFAULT 1.0
#define CLUSTER_CREATION_DEFAULT 10.0
#define ADDON_CREATION_DEFAULT 2.0
#define NODEGROUP_CREATION_DEFAULT 5.0
/* A pod pulls its images and starts in a few seconds. */
#define POD_STARTUP_DEFAULT 2.0
#define VPCS_PER_REGION_DEFAULT 5

/* Reads one item of a list into item; items may carry `count: N`. */
struct net_kind {
    const char *key;        /* "subnets" */
    const char *what;       /* "subnet" */
    const char *name_key;   /* the key that must carry {n} when counted */
    const char *const *keys;
    size_t size;
    int (*read)(struct wfile *f, const yaml_node_t *map, void *item);
};

void *world_append(void *items, size_t *count, size_t size)
{
    char **p = items;
    char *grown = realloc(*p, (*count + 1) * size);
    if (!grown)
        return NULL;
    memset(grown + *count * size, 0, size);
    *p = grown;
    return grown + (*count)++ * size;
}

static int known_region(const struct world *w, const char *region)
{
    for (size_t i = 0; i < w->region_count; i++)
        if (strcmp(w->regions[i], region) == 0)
            return 1;
    return 0;
}

static int read_region(struct wfile *f, const yaml_node_t *map, char **out)
{
    if (wfile_str(f, map, "region", 1, out) < 0)
        return -1;
    if (!known_region(f->world, *out))
        return wfile_fail(f, ydoc_get(f->doc, map, "region"), "region '%s' "
                          "is not under 'regions'; add it there", *out);
    return 0;
}

/* a.b.c.d/n */
static int valid_cidr(const char *s)
{
    unsigned a, b, c, d, n;
    char extra;
    return sscanf(s, "%u.%u.%u.%u/%u%c", &a, &b, &c, &d, &n, &extra) == 5 &&
           a < 256 && b < 256 && c < 256 && d < 256 && n <= 32;
}

static int read_cidr(struct wfile *f, const yaml_node_t *map,
                     const char *fallback, char **out)
{
    if (wfile_str(f, map, "cidr", fallback == NULL, out) < 0)
        return -1;
    if (!*out && !(*out = strdup(fallback)))
        return wfile_fail(f, map, "out of memory");
    if (!valid_cidr(*out))
        return wfile_fail(f, ydoc_get(f->doc, map, "cidr"), "cidr '%s' is "
                          "not an IPv4 block such as 192.168.0.0/19", *out);
    return 0;
}

static int has_prefix(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0 && s[strlen(prefix)];
}

static int read_id(struct wfile *f, const yaml_node_t *map, const char *key,
                   const char *prefix, char **out)
{
    if (wfile_str(f, map, key, 1, out) < 0)
        return -1;
    if (!has_prefix(*out, prefix))
        return wfile_fail(f, ydoc_get(f->doc, map, key), "'%s' is '%s'; "
                          "it must start with %s", key, *out, prefix);
    return 0;
}

/* ---- VPCs, subnets, security groups ---------------------------------- */

static const char *const vpc_keys[] = {
    "id", "region", "cidr", "default", "tags", "count", NULL,
};

static int read_vpc(struct wfile *f, const yaml_node_t *map, void *item)
{
    struct world_vpc *v = item;
    return read_id(f, map, "id", "vpc-", &v->id) < 0 ||
           read_region(f, map, &v->region) < 0 ||
           read_cidr(f, map, "192.168.0.0/16", &v->cidr) < 0 ||
           wfile_bool(f, map, "default", &v->is_default) < 0 ||
           wfile_kv(f, map, "tags", &v->tags) < 0 ? -1 : 0;
}

static const char *const subnet_keys[] = {
    "id", "vpc", "availabilityZone", "availabilityZoneId", "cidr",
    "availableIpAddressCount", "mapPublicIpOnLaunch", "tags", "count", NULL,
};

/* use2-az1 for us-east-2a: AWS's zone ids differ per account, so any
 * stable one will do. */
char *world_zone_id(const char *az)
{
    char area[8] = "", direction[8] = "";
    int digit = 1;
    char zone = 'a';
    sscanf(az, "%7[a-z]-%7[a-z]-%d%c", area, direction, &digit, &zone);
    return wfile_printf("%s%c%d-az%d", area,
                        direction[0] ? direction[0] : 'x', digit,
                        (zone - 'a') % 6 + 1);
}

/* The usable addresses of a block: AWS keeps five of every subnet. */
static long block_size(const char *cidr)
{
    const char *slash = strchr(cidr, '/');
    int bits = slash ? atoi(slash + 1) : 24;
    long size = bits >= 28 ? 16 : 1L << (32 - bits);
    return size - 5;
}

static int subnet_zone(struct wfile *f, const yaml_node_t *map,
                       struct world_subnet *s, const struct world_vpc *vpc)
{
    size_t len = strlen(vpc->region);
    if (strncmp(s->az, vpc->region, len) != 0 || strlen(s->az) != len + 1 ||
        !islower((unsigned char)s->az[len]))
        return wfile_fail(f, ydoc_get(f->doc, map, "availabilityZone"),
                          "availabilityZone '%s' is not a zone of %s, the "
                          "region of %s; use %sa, %sb, ...", s->az,
                          vpc->region, vpc->id, vpc->region, vpc->region);
    if (wfile_str(f, map, "availabilityZoneId", 0, &s->az_id) < 0)
        return -1;
    if (!s->az_id && !(s->az_id = world_zone_id(s->az)))
        return wfile_fail(f, map, "out of memory");
    return 0;
}

static int read_subnet(struct wfile *f, const yaml_node_t *map, void *item)
{
    struct world_subnet *s = item;
    if (read_id(f, map, "id", "subnet-", &s->id) < 0 ||
        read_id(f, map, "vpc", "vpc-", &s->vpc_id) < 0 ||
        wfile_str(f, map, "availabilityZone", 1, &s->az) < 0 ||
        read_cidr(f, map, NULL, &s->cidr) < 0 ||
        wfile_bool(f, map, "mapPublicIpOnLaunch", &s->map_public_ip) < 0 ||
        wfile_kv(f, map, "tags", &s->tags) < 0)
        return -1;
    const struct world_vpc *vpc = world_vpc(f->world, s->vpc_id);
    if (!vpc)
        return wfile_fail(f, ydoc_get(f->doc, map, "vpc"), "VPC %s is not "
                          "under 'vpcs'; define it there", s->vpc_id);
    s->available_ips = block_size(s->cidr);
    if (wfile_int(f, map, "availableIpAddressCount", 0, 1L << 24,
                  &s->available_ips) < 0 ||
        subnet_zone(f, map, s, vpc) < 0)
        return -1;
    s->region = strdup(vpc->region);
    return s->region ? 0 : wfile_fail(f, map, "out of memory");
}

static const char *const sg_keys[] = {
    "id", "name", "description", "vpc", "tags", "count", NULL,
};

static int read_security_group(struct wfile *f, const yaml_node_t *map,
                               void *item)
{
    struct world_security_group *g = item;
    if (read_id(f, map, "id", "sg-", &g->id) < 0 ||
        wfile_str(f, map, "name", 1, &g->name) < 0 ||
        wfile_str(f, map, "description", 0, &g->description) < 0 ||
        read_id(f, map, "vpc", "vpc-", &g->vpc_id) < 0 ||
        wfile_kv(f, map, "tags", &g->tags) < 0)
        return -1;
    const struct world_vpc *vpc = world_vpc(f->world, g->vpc_id);
    if (!vpc)
        return wfile_fail(f, ydoc_get(f->doc, map, "vpc"), "VPC %s is not "
                          "under 'vpcs'; define it there", g->vpc_id);
    if (!g->description && !(g->description = strdup(g->name)))
        return wfile_fail(f, map, "out of memory");
    g->region = strdup(vpc->region);
    return g->region ? 0 : wfile_fail(f, map, "out of memory");
}

/* ---- certificates and web ACLs --------------------------------------- */

static const char *const certificate_keys[] = {
    "arn", "domain", "subjectAlternativeNames", "status", "type",
    "created", "notBefore", "notAfter", "count", NULL,
};

static const char *const certificate_statuses[] = {
    "PENDING_VALIDATION", "ISSUED", "INACTIVE", "EXPIRED",
    "VALIDATION_TIMED_OUT", "REVOKED", "FAILED", NULL,
};

static int one_of(const char *s, const char *const *list)
{
    for (; *list; list++)
        if (strcmp(*list, s) == 0)
            return 1;
    return 0;
}

/* arn:aws:acm:REGION:ACCOUNT:certificate/ID; the region comes from it. */
static int certificate_region(struct wfile *f, const yaml_node_t *map,
                              struct world_certificate *c)
{
    char region[64], account[64], id[256];
    if (sscanf(c->arn, "arn:aws:acm:%63[^:]:%63[^:]:certificate/%255s",
               region, account, id) != 3)
        return wfile_fail(f, ydoc_get(f->doc, map, "arn"), "arn '%s' is not "
                          "an ACM certificate ARN such as arn:aws:acm:"
                          "us-east-2:%s:certificate/UUID", c->arn,
                          f->world->account_id);
    if (!known_region(f->world, region))
        return wfile_fail(f, ydoc_get(f->doc, map, "arn"), "the region %s "
                          "of %s is not under 'regions'; add it there",
                          region, c->arn);
    c->region = strdup(region);
    return c->region ? 0 : wfile_fail(f, map, "out of memory");
}

static int certificate_names(struct wfile *f, const yaml_node_t *map,
                             struct world_certificate *c)
{
    if (wfile_strs(f, map, "subjectAlternativeNames", &c->sans,
                   &c->san_count) < 0)
        return -1;
    if (c->san_count)
        return 0;
    free(c->sans);
    c->sans = calloc(1, sizeof(char *));
    if (!c->sans || !(c->sans[0] = strdup(c->domain)))
        return wfile_fail(f, map, "out of memory");
    c->san_count = 1;
    return 0;
}

static int read_certificate(struct wfile *f, const yaml_node_t *map,
                            void *item)
{
    struct world_certificate *c = item;
    if (wfile_str(f, map, "arn", 1, &c->arn) < 0 ||
        certificate_region(f, map, c) < 0 ||
        wfile_str(f, map, "domain", 1, &c->domain) < 0 ||
        certificate_names(f, map, c) < 0 ||
        wfile_str(f, map, "status", 0, &c->status) < 0 ||
        wfile_str(f, map, "type", 0, &c->type) < 0 ||
        wfile_time(f, map, "created", WORLD_DEFAULT_CREATED, &c->created) < 0 ||
        wfile_time(f, map, "notBefore", c->created, &c->not_before) < 0 ||
        wfile_time(f, map, "notAfter", "2030-05-01T10:00:00Z",
                   &c->not_after) < 0)
        return -1;
    if ((!c->status && !(c->status = strdup("ISSUED"))) ||
        (!c->type && !(c->type = strdup("AMAZON_ISSUED"))))
        return wfile_fail(f, map, "out of memory");
    if (!one_of(c->status, certificate_statuses))
        return wfile_fail(f, ydoc_get(f->doc, map, "status"), "status '%s' "
                          "is not one of PENDING_VALIDATION, ISSUED, "
                          "INACTIVE, EXPIRED, VALIDATION_TIMED_OUT, REVOKED, "
                          "FAILED", c->status);
    if (strcmp(c->type, "AMAZON_ISSUED") && strcmp(c->type, "IMPORTED"))
        return wfile_fail(f, ydoc_get(f->doc, map, "type"), "type '%s' is "
                          "not AMAZON_ISSUED or IMPORTED", c->type);
    return 0;
}

static const char *const web_acl_keys[] = {
    "name", "region", "id", "description", "defaultAction", "count", NULL,
};

static int read_web_acl(struct wfile *f, const yaml_node_t *map, void *item)
{
    struct world_web_acl *a = item;
    if (wfile_str(f, map, "name", 1, &a->name) < 0 ||
        read_region(f, map, &a->region) < 0 ||
        wfile_str(f, map, "id", 0, &a->id) < 0 ||
        wfile_str(f, map, "description", 0, &a->description) < 0 ||
        wfile_str(f, map, "defaultAction", 0, &a->default_action) < 0)
        return -1;
    if (!a->default_action && !(a->default_action = strdup("Allow")))
        return wfile_fail(f, map, "out of memory");
    if (strcmp(a->default_action, "Allow") &&
        strcmp(a->default_action, "Block"))
        return wfile_fail(f, ydoc_get(f->doc, map, "defaultAction"),
                          "defaultAction '%s' is not Allow or Block",
                          a->default_action);
    if (!a->id) {
        char *seed = wfile_printf("webacl/%s/%s", a->region, a->name);
        a->id = seed ? wfile_uuid(seed) : NULL;
        free(seed);
    }
    a->arn = a->id ? wfile_printf("arn:aws:wafv2:%s:%s:regional/webacl/%s/%s",
                                  a->region, f->world->account_id, a->name,
                                  a->id)
                   : NULL;
    return a->arn ? 0 : wfile_fail(f, map, "out of memory");
}

/* ---- load balancers ---------------------------------------------------- */

char *world_elb_id(const char *seed)
{
    return wfile_derive("", seed, 16, WFILE_LOWER_HEX);
}

char *world_lb_dns_name(const char *name, const char *scheme,
                        const char *region)
{
    char *seed = wfile_printf("dns/%s/%s", region, name);
    char *hex = seed ? wfile_derive("", seed, 8, WFILE_LOWER_HEX) : NULL;
    char *dns = NULL;
    /* ELB puts 9 or 10 decimal digits after the name. */
    if (hex)
        dns = wfile_printf("%s%s-%lu.%s.elb.amazonaws.com",
                           strcmp(scheme, "internal") == 0 ? "internal-" : "",
                           name, strtoul(hex, NULL, 16) % 9000000000UL +
                                 1000000000UL, region);
    free(seed);
    free(hex);
    return dns;
}

/* Canonical hosted zones of Application Load Balancers, from AWS's
 * table of Elastic Load Balancing endpoints. */
static const char *const zones[][2] = {
    {"us-east-1", "Z35SXDOTRQ7X7K"}, {"us-east-2", "Z3AADJGX6KTTL2"},
    {"us-west-1", "Z368ELLRRE2KJ0"}, {"us-west-2", "Z1H1FL5HABSF5"},
    {"eu-west-1", "Z32O12XQLNTSW2"}, {"eu-central-1", "Z215JYRZR1TBD5"},
};

const char *world_lb_zone(const char *region)
{
    for (size_t i = 0; i < sizeof(zones) / sizeof(zones[0]); i++)
        if (strcmp(zones[i][0], region) == 0)
            return zones[i][1];
    return "Z1SANDBOXZONE00";
}

static const char *const lb_keys[] = {
    "name", "region", "vpc", "scheme", "state", "subnets", "securityGroups",
    "dnsName", "created", "tags", "count", NULL,
};

static const char *const lb_states[] = {
    "active", "provisioning", "active_impaired", "failed", NULL,
};

static int check_lb_refs(struct wfile *f, const yaml_node_t *map,
                         struct world_load_balancer *lb)
{
    const struct world_vpc *vpc = world_vpc(f->world, lb->vpc_id);
    if (!vpc || strcmp(vpc->region, lb->region) != 0)
        return wfile_fail(f, ydoc_get(f->doc, map, "vpc"), "VPC %s is not "
                          "a VPC of %s under 'vpcs'", lb->vpc_id, lb->region);
    for (size_t i = 0; i < lb->subnet_count; i++) {
        const struct world_subnet *s = world_subnet(f->world,
                                                    lb->subnet_ids[i]);
        if (!s || strcmp(s->vpc_id, lb->vpc_id) != 0)
            return wfile_fail(f, ydoc_get(f->doc, map, "subnets"), "subnet "
                              "%s is not a subnet of %s under 'subnets'",
                              lb->subnet_ids[i], lb->vpc_id);
    }
    return 0;
}

static int derive_lb(struct wfile *f, const yaml_node_t *map,
                     struct world_load_balancer *lb)
{
    char *seed = wfile_printf("lb/%s/%s", lb->region, lb->name);
    char *id = seed ? world_elb_id(seed) : NULL;
    free(seed);
    lb->arn = id ? wfile_printf("arn:aws:elasticloadbalancing:%s:%s:"
                                "loadbalancer/app/%s/%s", lb->region,
                                f->world->account_id, lb->name, id)
                 : NULL;
    free(id);
    if (!lb->dns_name)
        lb->dns_name = world_lb_dns_name(lb->name, lb->scheme, lb->region);
    lb->ip_address_type = strdup("ipv4");
    if (!lb->arn || !lb->dns_name || !lb->ip_address_type)
        return wfile_fail(f, map, "out of memory");
    return 0;
}

static int read_lb_fields(struct wfile *f, const yaml_node_t *map,
                          struct world_load_balancer *lb)
{
    if (wfile_str(f, map, "name", 1, &lb->name) < 0 ||
        read_region(f, map, &lb->region) < 0 ||
        read_id(f, map, "vpc", "vpc-", &lb->vpc_id) < 0 ||
        wfile_str(f, map, "scheme", 0, &lb->scheme) < 0 ||
        wfile_str(f, map, "state", 0, &lb->state) < 0 ||
        wfile_strs(f, map, "subnets", &lb->subnet_ids,
                   &lb->subnet_count) < 0 ||
        wfile_strs(f, map, "securityGroups", &lb->security_group_ids,
                   &lb->security_group_count) < 0 ||
        wfile_str(f, map, "dnsName", 0, &lb->dns_name) < 0 ||
        wfile_time(f, map, "created", WORLD_DEFAULT_CREATED, &lb->created) < 0 ||
        wfile_kv(f, map, "tags", &lb->tags) < 0)
        return -1;
    return 0;
}

static int read_load_balancer(struct wfile *f, const yaml_node_t *map,
                              void *item)
{
    struct world_load_balancer *lb = item;
    if (read_lb_fields(f, map, lb) < 0)
        return -1;
    if (strlen(lb->name) > 32)
        return wfile_fail(f, ydoc_get(f->doc, map, "name"), "load balancer "
                          "name '%s' is longer than 32 characters", lb->name);
    if ((!lb->scheme && !(lb->scheme = strdup("internet-facing"))) ||
        (!lb->state && !(lb->state = strdup("active"))))
        return wfile_fail(f, map, "out of memory");
    if (strcmp(lb->scheme, "internet-facing") && strcmp(lb->scheme,
                                                         "internal"))
        return wfile_fail(f, ydoc_get(f->doc, map, "scheme"), "scheme '%s' "
                          "is not internet-facing or internal", lb->scheme);
    if (!one_of(lb->state, lb_states))
        return wfile_fail(f, ydoc_get(f->doc, map, "state"), "state '%s' is "
                          "not one of active, provisioning, active_impaired, "
                          "failed", lb->state);
    return check_lb_refs(f, map, lb) < 0 ? -1 : derive_lb(f, map, lb);
}

/* ---- lists --------------------------------------------------------------- */

static const struct net_kind kinds[] = {
    {"vpcs", "VPC", "id", vpc_keys, sizeof(struct world_vpc), read_vpc},
    {"subnets", "subnet", "id", subnet_keys, sizeof(struct world_subnet),
     read_subnet},
    {"securityGroups", "security group", "id", sg_keys,
     sizeof(struct world_security_group), read_security_group},
    {"certificates", "certificate", "arn", certificate_keys,
     sizeof(struct world_certificate), read_certificate},
    {"webAcls", "web ACL", "name", web_acl_keys,
     sizeof(struct world_web_acl), read_web_acl},
    {"loadBalancers", "load balancer", "name", lb_keys,
     sizeof(struct world_load_balancer), read_load_balancer},
};

/* Every struct above starts with its identifier (id, arn or name). */
static int check_unique(struct wfile *f, const yaml_node_t *seq,
                        const struct net_kind *k, void *items, size_t count)
{
    char *base = *(char **)items;
    for (size_t i = 1; i < count; i++) {
        const char *a = *(char **)(base + i * k->size);
        for (size_t j = 0; j < i; j++)
            if (strcmp(a, *(char **)(base + j * k->size)) == 0)
                return wfile_fail(f, seq, "%s %s is defined twice", k->what,
                                  a);
    }
    return 0;
}

static int read_item(struct wfile *f, const struct net_kind *k,
                     const yaml_node_t *map, void *items, size_t *count)
{
    unsigned long copies;
    if (wfile_keys(f, map, k->what, k->keys) < 0 ||
        wfile_count(f, map, k->name_key, &copies) < 0)
        return -1;
    int counted = ydoc_get(f->doc, map, "count") != NULL;
    for (unsigned long i = 1; i <= copies; i++) {
        void *item = world_append(items, count, k->size);
        if (!item)
            return wfile_fail(f, map, "out of memory");
        f->n = counted ? i : 0;
        int rc = k->read(f, map, item);
        f->n = 0;
        if (rc < 0)
            return -1;
    }
    return 0;
}

static int read_list(struct wfile *f, const yaml_node_t *root,
                     const struct net_kind *k, void *items, size_t *count)
{
    yaml_node_t *seq = ydoc_get(f->doc, root, k->key);
    if (!seq)
        return 0;
    if (!ydoc_is_seq(seq))
        return wfile_fail(f, seq, "'%s' must be a list", k->key);
    for (size_t i = 0; i < ydoc_len(seq); i++)
        if (read_item(f, k, ydoc_item(f->doc, seq, i), items, count) < 0)
            return -1;
    return check_unique(f, seq, k, items, *count);
}

static const char *const timing_keys[] = {
    "loadBalancerProvisioning", "targetRegistration", "initialHealthChecks",
    "controllerStart", "stackResource", "clusterCreation",
    "nodegroupCreation", "podStartup", "addonCreation", NULL,
};

/* One `timing` key into *out, with its default. */
static int read_seconds(struct wfile *f, const yaml_node_t *map,
                        const char *key, double dflt, double *out)
{
    long value = (long)dflt;
    if (map && wfile_int(f, map, key, 0, 86400, &value) < 0)
        return -1;
    *out = (double)value;
    return 0;
}

static int read_timing(struct wfile *f, const yaml_node_t *root)
{
    struct world_timing *t = &f->world->timing;
    yaml_node_t *map = ydoc_get(f->doc, root, "timing");
    if (map && wfile_keys(f, map, "timing", timing_keys) < 0)
        return -1;
    return read_seconds(f, map, "loadBalancerProvisioning",
                        PROVISIONING_DEFAULT, &t->provisioning) < 0 ||
           read_seconds(f, map, "targetRegistration", REGISTRATION_DEFAULT,
                        &t->registration) < 0 ||
           read_seconds(f, map, "initialHealthChecks",
                        INITIAL_CHECKS_DEFAULT, &t->initial_checks) < 0 ||
           read_seconds(f, map, "controllerStart", 0,
                        &t->controller_start) < 0 ||
           read_seconds(f, map, "stackResource", STACK_RESOURCE_DEFAULT,
                        &t->stack_resource) < 0 ||
           read_seconds(f, map, "clusterCreation", CLUSTER_CREATION_DEFAULT,
                        &t->cluster_creation) < 0 ||
           read_seconds(f, map, "nodegroupCreation",
                        NODEGROUP_CREATION_DEFAULT,
                        &t->nodegroup_creation) < 0 ||
           read_seconds(f, map, "podStartup", POD_STARTUP_DEFAULT,
                        &t->pod_startup) < 0 ||
           read_seconds(f, map, "addonCreation", ADDON_CREATION_DEFAULT,
                        &t->addon_creation) < 0 ? -1 : 0;
}

static const char *const limits_keys[] = {"vpcsPerRegion", NULL};

static int read_limits(struct wfile *f, const yaml_node_t *root)
{
    yaml_node_t *map = ydoc_get(f->doc, root, "limits");
    f->world->vpcs_per_region = VPCS_PER_REGION_DEFAULT;
    if (!map)
        return 0;
    return wfile_keys(f, map, "limits", limits_keys) < 0 ||
           wfile_int(f, map, "vpcsPerRegion", 0, 1000,
                     &f->world->vpcs_per_region) < 0 ? -1 : 0;
}

int world_read_net(struct wfile *f, const yaml_node_t *root)
{
    struct world *w = f->world;
    void *items[] = {
        &w->vpcs, &w->subnets, &w->security_groups, &w->certificates,
        &w->web_acls, &w->load_balancers,
    };
    size_t *counts[] = {
        &w->vpc_count, &w->subnet_count, &w->security_group_count,
        &w->certificate_count, &w->web_acl_count, &w->load_balancer_count,
    };
    w->clock_speed = 1.0;
    for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
        if (read_list(f, root, &kinds[i], items[i], counts[i]) < 0)
            return -1;
    return read_timing(f, root) < 0 ? -1 : read_limits(f, root);
}

/* ---- lookups ----------------------------------------------------------- */

const struct world_vpc *world_vpc(const struct world *w, const char *id)
{
    for (size_t i = 0; id && i < w->vpc_count; i++)
        if (strcmp(w->vpcs[i].id, id) == 0)
            return &w->vpcs[i];
    return NULL;
}

const struct world_subnet *world_subnet(const struct world *w,
                                        const char *id)
{
    for (size_t i = 0; id && i < w->subnet_count; i++)
        if (strcmp(w->subnets[i].id, id) == 0)
            return &w->subnets[i];
    return NULL;
}

const struct world_web_acl *world_web_acl(const struct world *w,
                                          const char *arn)
{
    for (size_t i = 0; arn && i < w->web_acl_count; i++)
        if (strcmp(w->web_acls[i].arn, arn) == 0)
            return &w->web_acls[i];
    return NULL;
}

const struct world_load_balancer *world_load_balancer(const struct world *w,
                                                      const char *arn)
{
    for (size_t i = 0; arn && i < w->load_balancer_count; i++)
        if (strcmp(w->load_balancers[i].arn, arn) == 0)
            return &w->load_balancers[i];
    return NULL;
}

const struct world_target_group *world_target_group(const struct world *w,
                                                    const char *arn)
{
    for (size_t i = 0; arn && i < w->target_group_count; i++)
        if (strcmp(w->target_groups[i].arn, arn) == 0)
            return &w->target_groups[i];
    return NULL;
}

const struct world_certificate *world_certificate(const struct world *w,
                                                  const char *arn)
{
    for (size_t i = 0; arn && i < w->certificate_count; i++)
        if (strcmp(w->certificates[i].arn, arn) == 0)
            return &w->certificates[i];
    return NULL;
}

const char *world_tag(const struct world_kv_list *tags, const char *key)
{
    for (size_t i = 0; tags && i < tags->count; i++)
        if (strcmp(tags->items[i].key, key) == 0)
            return tags->items[i].value;
    return NULL;
}

int world_kv_add(struct world_kv_list *l, const char *key, const char *value)
{
    struct world_kv *grown = realloc(l->items,
                                     (l->count + 1) * sizeof(*grown));
    if (!grown)
        return -1;
    l->items = grown;
    grown[l->count].key = strdup(key);
    grown[l->count].value = strdup(value ? value : "");
    if (!grown[l->count].key || !grown[l->count].value) {
        free(grown[l->count].key);
        free(grown[l->count].value);
        return -1;
    }
    l->count++;
    return 0;
}

double world_clock(const struct world *w)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    double real = (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
    return (real - w->clock_start) * w->clock_speed;
}

const char *world_load_balancer_state(const struct world *w,
                                      const struct world_load_balancer *lb)
{
    if (lb->state)
        return lb->state;
    return world_clock(w) - lb->created_clock < w->timing.provisioning
               ? "provisioning" : "active";
}

/* ---- freeing ----------------------------------------------------------- */

void world_free_action(struct world_action *a)
{
    char **fields[] = {
        &a->type, &a->target_group_arn, &a->status_code, &a->content_type,
        &a->message_body, &a->redirect_protocol, &a->redirect_port,
    };
    for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
        free(*fields[i]);
}

void world_free_load_balancer(struct world_load_balancer *lb)
{
    char **fields[] = {
        &lb->arn, &lb->name, &lb->dns_name, &lb->region, &lb->vpc_id,
        &lb->scheme, &lb->ip_address_type, &lb->created, &lb->state,
        &lb->web_acl_arn,
    };
    for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
        free(*fields[i]);
    wfile_strs_free(lb->subnet_ids, lb->subnet_count);
    wfile_strs_free(lb->security_group_ids, lb->security_group_count);
    wfile_kv_free(&lb->tags);
    wfile_kv_free(&lb->attributes);
}

void world_free_listener(struct world_listener *l)
{
    free(l->arn);
    free(l->lb_arn);
    free(l->protocol);
    free(l->ssl_policy);
    wfile_strs_free(l->certificate_arns, l->certificate_count);
    world_free_action(&l->default_action);
    wfile_kv_free(&l->tags);
}

void world_free_rule(struct world_rule *r)
{
    free(r->arn);
    free(r->listener_arn);
    wfile_strs_free(r->hosts, r->host_count);
    wfile_strs_free(r->paths, r->path_count);
    world_free_action(&r->action);
    wfile_kv_free(&r->tags);
}

void world_free_target_group(struct world_target_group *tg)
{
    char **fields[] = {
        &tg->arn, &tg->name, &tg->region, &tg->vpc_id, &tg->protocol,
        &tg->protocol_version, &tg->target_type, &tg->health_path,
        &tg->health_port, &tg->health_protocol, &tg->matcher, &tg->lb_arn,
    };
    for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
        free(*fields[i]);
    for (size_t i = 0; i < tg->target_count; i++) {
        free(tg->targets[i].id);
        free(tg->targets[i].az);
        free(tg->targets[i].state);
        free(tg->targets[i].reason);
        free(tg->targets[i].description);
    }
    free(tg->targets);
    wfile_kv_free(&tg->tags);
}

void world_free_vpc(struct world_vpc *v)
{
    free(v->id);
    free(v->region);
    free(v->cidr);
    wfile_kv_free(&v->tags);
}

void world_free_subnet(struct world_subnet *s)
{
    free(s->id);
    free(s->vpc_id);
    free(s->region);
    free(s->az);
    free(s->az_id);
    free(s->cidr);
    wfile_kv_free(&s->tags);
}

void world_free_security_group(struct world_security_group *g)
{
    free(g->id);
    free(g->name);
    free(g->description);
    free(g->vpc_id);
    free(g->region);
    wfile_kv_free(&g->tags);
}

static void free_networks(struct world *w)
{
    for (size_t i = 0; i < w->vpc_count; i++)
        world_free_vpc(&w->vpcs[i]);
    free(w->vpcs);
    for (size_t i = 0; i < w->subnet_count; i++)
        world_free_subnet(&w->subnets[i]);
    free(w->subnets);
    for (size_t i = 0; i < w->security_group_count; i++)
        world_free_security_group(&w->security_groups[i]);
    free(w->security_groups);
}

static void free_certificates(struct world *w)
{
    for (size_t i = 0; i < w->certificate_count; i++) {
        struct world_certificate *c = &w->certificates[i];
        free(c->arn);
        free(c->region);
        free(c->domain);
        wfile_strs_free(c->sans, c->san_count);
        free(c->status);
        free(c->type);
        free(c->created);
        free(c->not_before);
        free(c->not_after);
    }
    free(w->certificates);
    for (size_t i = 0; i < w->web_acl_count; i++) {
        struct world_web_acl *a = &w->web_acls[i];
        free(a->name);
        free(a->id);
        free(a->arn);
        free(a->region);
        free(a->description);
        free(a->default_action);
    }
    free(w->web_acls);
}

void world_free_net(struct world *w)
{
    free_networks(w);
    free_certificates(w);
    for (size_t i = 0; i < w->load_balancer_count; i++)
        world_free_load_balancer(&w->load_balancers[i]);
    free(w->load_balancers);
    for (size_t i = 0; i < w->listener_count; i++)
        world_free_listener(&w->listeners[i]);
    free(w->listeners);
    for (size_t i = 0; i < w->rule_count; i++)
        world_free_rule(&w->rules[i]);
    free(w->rules);
    for (size_t i = 0; i < w->target_group_count; i++)
        world_free_target_group(&w->target_groups[i]);
    free(w->target_groups);
}
