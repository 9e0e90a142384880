/*
 * EC2 (ec2 protocol): DescribeSubnets, DescribeSecurityGroups and
 * DescribeVpcs over the world's networks, in the request's region, with
 * the ids lists (SubnetId.N, GroupId.N, GroupName.N, VpcId.N), filters
 * (Filter.N.Name and Filter.N.Value.M, with * and ? wildcards, tag:KEY,
 * tag-key and tag-value) and MaxResults/NextToken paging.
 */
#include "aws_services.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wfile.h"

#define FILTERS_MAX 50
#define VALUES_MAX  200
#define IDS_MAX     1000

/* One kind of resource the calls describe. */
struct kind {
    const char *action;         /* DescribeSubnets */
    const char *set;            /* subnetSet */
    const char *id_param;       /* SubnetId: SubnetId.1, SubnetId.2, ... */
    const char *name_param;     /* GroupName, or NULL */
    const char *not_found;      /* InvalidSubnetID.NotFound */
    const char *what;           /* "subnet ID" */
    size_t (*count)(const struct world *w);
    const char *(*region)(const struct world *w, size_t i);
    const char *(*id)(const struct world *w, size_t i);
    const char *(*name)(const struct world *w, size_t i);
    const struct world_kv_list *(*tags)(const struct world *w, size_t i);
    /* 1 and the value (or NULL) when the kind has the filter. */
    int (*value)(const struct world *w, size_t i, const char *filter,
                 const char **out);
    int (*write)(struct awsreply *r, size_t i);
};

/* ---- writing ------------------------------------------------------------- */

static int write_tags(struct awsreply *r, const struct world_kv_list *tags)
{
    int rc = awsreply_xml_open(r, "tagSet");
    for (size_t i = 0; i < tags->count; i++) {
        rc |= awsreply_xml_open(r, "item");
        rc |= awsreply_xml_text(r, "key", tags->items[i].key);
        rc |= awsreply_xml_text(r, "value", tags->items[i].value);
        rc |= awsreply_xml_close(r);
    }
    return rc | awsreply_xml_close(r);
}

static int write_empty(struct awsreply *r, const char *name)
{
    int rc = awsreply_xml_open(r, name);
    return rc | awsreply_xml_close(r);
}

static int write_long(struct awsreply *r, const char *name, long value)
{
    char text[32];
    snprintf(text, sizeof(text), "%ld", value);
    return awsreply_xml_text(r, name, text);
}

static int write_arn(struct awsreply *r, const char *name,
                     const char *region, const char *kind, const char *id)
{
    char arn[256];
    snprintf(arn, sizeof(arn), "arn:aws:ec2:%s:%s:%s/%s", region,
             r->world->account_id, kind, id);
    return awsreply_xml_text(r, name, arn);
}

/* ---- subnets -------------------------------------------------------------- */

static size_t subnet_count(const struct world *w)
{
    return w->subnet_count;
}

static const char *subnet_region(const struct world *w, size_t i)
{
    return w->subnets[i].region;
}

static const char *subnet_id(const struct world *w, size_t i)
{
    return w->subnets[i].id;
}

static const struct world_kv_list *subnet_tags(const struct world *w,
                                               size_t i)
{
    return &w->subnets[i].tags;
}

static int subnet_value(const struct world *w, size_t i, const char *filter,
                        const char **out)
{
    const struct world_subnet *s = &w->subnets[i];
    static const char *const names[] = {
        "vpc-id", "subnet-id", "availability-zone", "availability-zone-id",
        "cidr-block", "cidrBlock", "cidr", "state", "default-for-az",
        "map-public-ip-on-launch", "owner-id",
    };
    const char *values[] = {
        s->vpc_id, s->id, s->az, s->az_id, s->cidr, s->cidr, s->cidr,
        "available", "false", s->map_public_ip ? "true" : "false",
        w->account_id,
    };
    for (size_t k = 0; k < sizeof(names) / sizeof(names[0]); k++)
        if (strcmp(names[k], filter) == 0) {
            *out = values[k];
            return 1;
        }
    return 0;
}

static int write_subnet(struct awsreply *r, size_t i)
{
    const struct world_subnet *s = &r->world->subnets[i];
    int rc = awsreply_xml_open(r, "item");
    rc |= awsreply_xml_text(r, "subnetId", s->id);
    rc |= write_arn(r, "subnetArn", s->region, "subnet", s->id);
    rc |= awsreply_xml_text(r, "state", "available");
    rc |= awsreply_xml_text(r, "vpcId", s->vpc_id);
    rc |= awsreply_xml_text(r, "cidrBlock", s->cidr);
    rc |= write_empty(r, "ipv6CidrBlockAssociationSet");
    rc |= write_long(r, "availableIpAddressCount", s->available_ips);
    rc |= awsreply_xml_text(r, "availabilityZone", s->az);
    rc |= awsreply_xml_text(r, "availabilityZoneId", s->az_id);
    rc |= awsreply_xml_text(r, "defaultForAz", "false");
    rc |= awsreply_xml_text(r, "mapPublicIpOnLaunch",
                            s->map_public_ip ? "true" : "false");
    rc |= awsreply_xml_text(r, "ownerId", r->world->account_id);
    rc |= awsreply_xml_text(r, "assignIpv6AddressOnCreation", "false");
    rc |= write_tags(r, &s->tags);
    rc |= awsreply_xml_text(r, "mapCustomerOwnedIpOnLaunch", "false");
    rc |= awsreply_xml_text(r, "enableDns64", "false");
    rc |= awsreply_xml_text(r, "ipv6Native", "false");
    rc |= awsreply_xml_open(r, "privateDnsNameOptionsOnLaunch");
    rc |= awsreply_xml_text(r, "hostnameType", "ip-name");
    rc |= awsreply_xml_text(r, "enableResourceNameDnsARecord", "false");
    rc |= awsreply_xml_text(r, "enableResourceNameDnsAAAARecord", "false");
    rc |= awsreply_xml_close(r);
    return rc | awsreply_xml_close(r);
}

/* ---- security groups -------------------------------------------------------- */

static size_t group_count(const struct world *w)
{
    return w->security_group_count;
}

static const char *group_region(const struct world *w, size_t i)
{
    return w->security_groups[i].region;
}

static const char *group_id(const struct world *w, size_t i)
{
    return w->security_groups[i].id;
}

static const char *group_name(const struct world *w, size_t i)
{
    return w->security_groups[i].name;
}

static const struct world_kv_list *group_tags(const struct world *w,
                                              size_t i)
{
    return &w->security_groups[i].tags;
}

static int group_value(const struct world *w, size_t i, const char *filter,
                       const char **out)
{
    const struct world_security_group *g = &w->security_groups[i];
    static const char *const names[] = {
        "group-id", "group-name", "vpc-id", "description", "owner-id",
    };
    const char *values[] = {
        g->id, g->name, g->vpc_id, g->description, w->account_id,
    };
    for (size_t k = 0; k < sizeof(names) / sizeof(names[0]); k++)
        if (strcmp(names[k], filter) == 0) {
            *out = values[k];
            return 1;
        }
    return 0;
}

/* Every group lets all traffic out, as new groups do. */
static int write_egress(struct awsreply *r)
{
    int rc = awsreply_xml_open(r, "ipPermissionsEgress");
    rc |= awsreply_xml_open(r, "item");
    rc |= awsreply_xml_text(r, "ipProtocol", "-1");
    rc |= write_empty(r, "groups");
    rc |= awsreply_xml_open(r, "ipRanges");
    rc |= awsreply_xml_open(r, "item");
    rc |= awsreply_xml_text(r, "cidrIp", "0.0.0.0/0");
    rc |= awsreply_xml_close(r);
    rc |= awsreply_xml_close(r);
    rc |= write_empty(r, "ipv6Ranges");
    rc |= write_empty(r, "prefixListIds");
    rc |= awsreply_xml_close(r);
    return rc | awsreply_xml_close(r);
}

static int write_group(struct awsreply *r, size_t i)
{
    const struct world_security_group *g = &r->world->security_groups[i];
    int rc = awsreply_xml_open(r, "item");
    rc |= awsreply_xml_text(r, "ownerId", r->world->account_id);
    rc |= awsreply_xml_text(r, "groupId", g->id);
    rc |= awsreply_xml_text(r, "groupName", g->name);
    rc |= awsreply_xml_text(r, "groupDescription", g->description);
    rc |= write_empty(r, "ipPermissions");
    rc |= write_egress(r);
    rc |= awsreply_xml_text(r, "vpcId", g->vpc_id);
    rc |= write_arn(r, "securityGroupArn", g->region, "security-group",
                    g->id);
    rc |= write_tags(r, &g->tags);
    return rc | awsreply_xml_close(r);
}

/* ---- VPCs ------------------------------------------------------------------- */

static size_t vpc_count(const struct world *w)
{
    return w->vpc_count;
}

static const char *vpc_region(const struct world *w, size_t i)
{
    return w->vpcs[i].region;
}

static const char *vpc_id(const struct world *w, size_t i)
{
    return w->vpcs[i].id;
}

static const struct world_kv_list *vpc_tags(const struct world *w, size_t i)
{
    return &w->vpcs[i].tags;
}

static int vpc_value(const struct world *w, size_t i, const char *filter,
                     const char **out)
{
    const struct world_vpc *v = &w->vpcs[i];
    static const char *const names[] = {
        "vpc-id", "cidr", "cidr-block-association.cidr-block", "state",
        "is-default", "owner-id",
    };
    const char *values[] = {
        v->id, v->cidr, v->cidr, "available",
        v->is_default ? "true" : "false", w->account_id,
    };
    for (size_t k = 0; k < sizeof(names) / sizeof(names[0]); k++)
        if (strcmp(names[k], filter) == 0) {
            *out = values[k];
            return 1;
        }
    return 0;
}

static int write_vpc(struct awsreply *r, size_t i)
{
    const struct world_vpc *v = &r->world->vpcs[i];
    char *association = wfile_derive("vpc-cidr-assoc-", v->id, 17,
                                     WFILE_LOWER_HEX);
    char *dhcp = wfile_derive("dopt-", v->region, 17, WFILE_LOWER_HEX);
    int rc = awsreply_xml_open(r, "item");
    rc |= awsreply_xml_text(r, "vpcId", v->id);
    rc |= awsreply_xml_text(r, "ownerId", r->world->account_id);
    rc |= awsreply_xml_text(r, "state", "available");
    rc |= awsreply_xml_text(r, "cidrBlock", v->cidr);
    rc |= awsreply_xml_open(r, "cidrBlockAssociationSet");
    rc |= awsreply_xml_open(r, "item");
    rc |= awsreply_xml_text(r, "cidrBlock", v->cidr);
    rc |= awsreply_xml_text(r, "associationId", association);
    rc |= awsreply_xml_open(r, "cidrBlockState");
    rc |= awsreply_xml_text(r, "state", "associated");
    rc |= awsreply_xml_close(r);
    rc |= awsreply_xml_close(r);
    rc |= awsreply_xml_close(r);
    rc |= awsreply_xml_text(r, "dhcpOptionsId", dhcp);
    rc |= awsreply_xml_text(r, "instanceTenancy", "default");
    rc |= awsreply_xml_text(r, "isDefault", v->is_default ? "true" : "false");
    rc |= write_tags(r, &v->tags);
    free(association);
    free(dhcp);
    return !association || !dhcp ? -1 : rc | awsreply_xml_close(r);
}

static const struct kind kinds[] = {
    { .action = "DescribeSubnets", .set = "subnetSet", .id_param = "SubnetId",
      .not_found = "InvalidSubnetID.NotFound", .what = "subnet ID",
      .count = subnet_count, .region = subnet_region, .id = subnet_id,
      .tags = subnet_tags, .value = subnet_value, .write = write_subnet },
    { .action = "DescribeSecurityGroups", .set = "securityGroupInfo",
      .id_param = "GroupId", .name_param = "GroupName",
      .not_found = "InvalidGroup.NotFound", .what = "security group",
      .count = group_count, .region = group_region, .id = group_id,
      .name = group_name, .tags = group_tags, .value = group_value,
      .write = write_group },
    { .action = "DescribeVpcs", .set = "vpcSet", .id_param = "VpcId",
      .not_found = "InvalidVpcID.NotFound", .what = "vpc ID",
      .count = vpc_count, .region = vpc_region, .id = vpc_id,
      .tags = vpc_tags, .value = vpc_value, .write = write_vpc },
};

/* ---- selection ------------------------------------------------------------------ */

struct filter {
    const char *name;
    const char *values[VALUES_MAX];
    size_t value_count;
};

struct request {
    const struct kind *kind;
    const char *ids[IDS_MAX];
    size_t id_count;
    const char *names[IDS_MAX];
    size_t name_count;
    struct filter filters[FILTERS_MAX];
    size_t filter_count;
};

/* EC2's filter values take * for any run and ? for one character. */
static int wildcard(const char *pattern, const char *s)
{
    if (!*pattern)
        return !*s;
    if (*pattern == '*')
        return wildcard(pattern + 1, s) || (*s && wildcard(pattern, s + 1));
    return *s && (*pattern == '?' || *pattern == *s) &&
           wildcard(pattern + 1, s + 1);
}

static int any_value(const struct filter *f, const char *value)
{
    for (size_t i = 0; value && i < f->value_count; i++)
        if (wildcard(f->values[i], value))
            return 1;
    return 0;
}

static int tag_filter_matches(const struct filter *f,
                              const struct world_kv_list *tags)
{
    for (size_t i = 0; i < tags->count; i++) {
        const struct world_kv *t = &tags->items[i];
        if ((strncmp(f->name, "tag:", 4) == 0 &&
             strcmp(f->name + 4, t->key) == 0 && any_value(f, t->value)) ||
            (strcmp(f->name, "tag-key") == 0 && any_value(f, t->key)) ||
            (strcmp(f->name, "tag-value") == 0 && any_value(f, t->value)))
            return 1;
    }
    return 0;
}

static int is_tag_filter(const char *name)
{
    return strncmp(name, "tag:", 4) == 0 || strcmp(name, "tag-key") == 0 ||
           strcmp(name, "tag-value") == 0;
}

static int listed(const char *const *items, size_t count, const char *s)
{
    for (size_t i = 0; s && i < count; i++)
        if (strcmp(items[i], s) == 0)
            return 1;
    return 0;
}

static int selected(const struct awsreply *r, const struct request *q,
                    size_t i)
{
    const struct kind *k = q->kind;
    if (strcmp(k->region(r->world, i), r->region) != 0)
        return 0;
    if (q->id_count && !listed(q->ids, q->id_count, k->id(r->world, i)))
        return 0;
    if (q->name_count &&
        !listed(q->names, q->name_count, k->name(r->world, i)))
        return 0;
    for (size_t f = 0; f < q->filter_count; f++) {
        const struct filter *filter = &q->filters[f];
        const char *value = NULL;
        if (is_tag_filter(filter->name)
                ? !tag_filter_matches(filter, k->tags(r->world, i))
                : !(k->value(r->world, i, filter->name, &value) &&
                    any_value(filter, value)))
            return 0;
    }
    return 1;
}

/* ---- the request ------------------------------------------------------------------ */

static int read_list(const struct awsreply *r, const char *param,
                     const char **items, size_t *count)
{
    *count = 0;
    for (size_t i = 1; param; i++) {
        char key[96];
        snprintf(key, sizeof(key), "%s.%zu", param, i);
        const char *value = awsreply_param(r, key);
        if (!value)
            return 0;
        if (*count == IDS_MAX)
            return -1;
        items[(*count)++] = value;
    }
    return 0;
}

static int read_filter(struct awsreply *r, size_t n, struct filter *f)
{
    char key[96];
    snprintf(key, sizeof(key), "Filter.%zu.Value", n);
    if (read_list(r, key, f->values, &f->value_count) < 0 ||
        f->value_count > VALUES_MAX) {
        awsreply_error(r, 400, "FilterLimitExceeded", "The maximum number "
                       "of filter values specified on a single call is %d",
                       VALUES_MAX);
        return -1;
    }
    return 0;
}

static int read_filters(struct awsreply *r, struct request *q)
{
    for (size_t n = 1;; n++) {
        char key[64];
        snprintf(key, sizeof(key), "Filter.%zu.Name", n);
        const char *name = awsreply_param(r, key);
        const char *ignored;
        if (!name)
            return 0;
        if (q->filter_count == FILTERS_MAX) {
            awsreply_error(r, 400, "FilterLimitExceeded", "The maximum "
                           "number of filters is %d", FILTERS_MAX);
            return -1;
        }
        struct filter *f = &q->filters[q->filter_count++];
        f->name = name;
        if (!is_tag_filter(name) && q->kind->count(r->world) &&
            !q->kind->value(r->world, 0, name, &ignored)) {
            awsreply_error(r, 400, "InvalidParameterValue", "The filter "
                           "'%.100s' is invalid", name);
            return -1;
        }
        if (read_filter(r, n, f) < 0)
            return -1;
    }
}

/* Every id and name the request lists must exist in the region. */
static int check_listed(struct awsreply *r, const struct request *q)
{
    const struct kind *k = q->kind;
    for (int names = 0; names < 2; names++) {
        const char *const *items = names ? q->names : q->ids;
        size_t count = names ? q->name_count : q->id_count;
        for (size_t i = 0; i < count; i++) {
            int found = 0;
            for (size_t j = 0; j < k->count(r->world) && !found; j++)
                found = strcmp(k->region(r->world, j), r->region) == 0 &&
                        strcmp(names ? k->name(r->world, j)
                                     : k->id(r->world, j), items[i]) == 0;
            if (!found) {
                awsreply_error(r, 400, k->not_found, "The %s '%.100s' does "
                               "not exist", k->what, items[i]);
                return -1;
            }
        }
    }
    return 0;
}

static int read_paging(struct awsreply *r, size_t *start, size_t *max)
{
    const char *limit = awsreply_param(r, "MaxResults");
    const char *token = awsreply_param(r, "NextToken");
    *start = 0;
    *max = (size_t)-1;
    if (limit) {
        char *end;
        long n = strtol(limit, &end, 10);
        if (*end || n < 5 || n > 1000) {
            awsreply_error(r, 400, "InvalidParameterValue", "Value ( %.20s ) "
                           "for parameter maxResults is invalid. Expecting a "
                           "value between 5 and 1000.", limit);
            return -1;
        }
        *max = (size_t)n;
    }
    if (token && *token) {
        char *position = awsreply_marker_decode(token);
        char *end = NULL;
        unsigned long n = position ? strtoul(position, &end, 10) : 0;
        int valid = position && *position && !*end;
        free(position);
        if (!valid) {
            awsreply_error(r, 400, "InvalidParameterValue", "The token "
                           "'%.64s' is invalid", token);
            return -1;
        }
        *start = n;
    }
    return 0;
}

static int write_next_token(struct awsreply *r, size_t next, size_t total)
{
    if (next >= total)
        return 0;
    char position[32];
    snprintf(position, sizeof(position), "%zu", next);
    char *token = awsreply_marker_encode(position);
    int rc = token ? awsreply_xml_text(r, "nextToken", token) : -1;
    free(token);
    return rc;
}

static void describe(struct awsreply *r, const struct kind *k)
{
    static struct request q;    /* one thread serves every request */
    size_t start, max, seen = 0, shown = 0;
    memset(&q, 0, sizeof(q));
    q.kind = k;
    if (read_list(r, k->id_param, q.ids, &q.id_count) < 0 ||
        read_list(r, k->name_param, q.names, &q.name_count) < 0) {
        awsreply_error(r, 400, "InvalidParameterValue", "Too many ids");
        return;
    }
    if (read_filters(r, &q) < 0 || check_listed(r, &q) < 0 ||
        read_paging(r, &start, &max) < 0)
        return;
    int rc = awsreply_xml_begin(r);
    rc |= awsreply_xml_open(r, k->set);
    for (size_t i = 0; i < k->count(r->world); i++) {
        if (!selected(r, &q, i))
            continue;
        if (seen++ < start || shown >= max)
            continue;
        rc |= k->write(r, i);
        shown++;
    }
    rc |= awsreply_xml_close(r);
    rc |= write_next_token(r, start + shown, seen);
    if (rc == 0)
        awsreply_xml_end(r);
    else
        awsreply_error(r, 500, "InternalError", "could not write the reply");
}

int aws_ec2_describe_network(struct awsreply *r)
{
    for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
        if (strcmp(kinds[i].action, r->action) == 0) {
            describe(r, &kinds[i]);
            return 1;
        }
    return 0;
}
