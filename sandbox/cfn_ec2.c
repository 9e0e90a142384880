/*
 * EC2 resource types. VPCs, subnets and security groups go into the
 * world's networking state, where DescribeVpcs, DescribeSubnets and
 * DescribeSecurityGroups serve them. The sandbox's EC2 API serves no
 * gateways, addresses or route tables, so those are records the stack
 * holds (cfn_held finds them), with ids shaped as AWS's. Deletion fails
 * as EC2 does while something outside the stack still uses a resource.
 */
#include "cfn.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wfile.h"
#include "world_net.h"

#define EC2 "AmazonEC2"

/* ---- VPC ---------------------------------------------------------------- */

static size_t vpcs_in_region(const struct world *w, const char *region)
{
    size_t n = 0;
    for (size_t i = 0; i < w->vpc_count; i++)
        n += strcmp(w->vpcs[i].region, region) == 0;
    return n;
}

/* Every VPC has a security group called default, which goes with it. */
static int add_default_group(struct cfn_op *op, const char *vpc_id)
{
    struct world *w = op->w;
    struct world_security_group *g = world_append(
        &w->security_groups, &w->security_group_count, sizeof(*g));
    if (!g)
        return -1;
    g->id = cfn_new_id(op, "sg-");
    g->name = strdup("default");
    g->description = strdup("default VPC security group");
    g->vpc_id = strdup(vpc_id);
    g->region = strdup(op->s->region);
    return cfn_set_attr(op->res, "DefaultSecurityGroup", g->id);
}

static int create_vpc(struct cfn_op *op)
{
    struct world *w = op->w;
    const char *cidr = cfn_prop(op, "CidrBlock");
    if (!cidr)
        return cfn_fail(op, EC2, "MissingParameter", "Either 'cidrBlock' or "
                        "'ipv4IpamPoolId' should be provided.");
    if (vpcs_in_region(w, op->s->region) >= (size_t)w->vpcs_per_region)
        return cfn_fail(op, EC2, "VpcLimitExceeded", "The maximum number of "
                        "VPCs has been reached.");
    struct world_vpc *v = world_append(&w->vpcs, &w->vpc_count, sizeof(*v));
    if (!v)
        return cfn_fail(op, EC2, "InternalError", "out of memory");
    v->id = cfn_new_id(op, "vpc-");
    v->region = strdup(op->s->region);
    v->cidr = strdup(cidr);
    op->res->physical_id = v->id ? strdup(v->id) : NULL;
    if (!op->res->physical_id || cfn_tags(op, 1, &v->tags) < 0 ||
        cfn_set_attr(op->res, "VpcId", v->id) < 0 ||
        cfn_set_attr(op->res, "CidrBlock", cidr) < 0 ||
        cfn_set_attr(op->res, "DefaultNetworkAcl",
                     "acl-00000000000000000") < 0)
        return cfn_fail(op, EC2, "InternalError", "out of memory");
    char *vpc_id = strdup(v->id);
    int rc = vpc_id ? add_default_group(op, vpc_id) : -1;
    free(vpc_id);
    cJSON *assoc = cJSON_AddArrayToObject(op->res->attrs,
                                          "CidrBlockAssociations");
    cJSON_AddItemToArray(assoc, cJSON_CreateString("vpc-cidr-assoc-0"));
    return rc < 0 ? cfn_fail(op, EC2, "InternalError", "out of memory") : 0;
}

static int held_uses(struct cfn_op *op, const char *type, const char *prop,
                     const char *id)
{
    return cfn_held(op->w, type, prop, id) != NULL;
}

static int vpc_in_use(struct cfn_op *op, const char *id)
{
    const struct world *w = op->w;
    for (size_t i = 0; i < w->subnet_count; i++)
        if (strcmp(w->subnets[i].vpc_id, id) == 0)
            return 1;
    for (size_t i = 0; i < w->security_group_count; i++)
        if (w->security_groups[i].vpc_id &&
            strcmp(w->security_groups[i].vpc_id, id) == 0 &&
            strcmp(w->security_groups[i].name, "default") != 0)
            return 1;
    for (size_t i = 0; i < w->load_balancer_count; i++)
        if (strcmp(w->load_balancers[i].vpc_id, id) == 0)
            return 1;
    return held_uses(op, "AWS::EC2::VPCGatewayAttachment", "VpcId", id) ||
           held_uses(op, "AWS::EC2::RouteTable", "VpcId", id);
}

static void remove_vpc_groups(struct world *w, const char *vpc_id)
{
    for (size_t i = w->security_group_count; i-- > 0;) {
        struct world_security_group *g = &w->security_groups[i];
        if (!g->vpc_id || strcmp(g->vpc_id, vpc_id) != 0)
            continue;
        world_free_security_group(g);
        memmove(g, g + 1, (--w->security_group_count - i) * sizeof(*g));
    }
}

static int remove_vpc(struct cfn_op *op)
{
    struct world *w = op->w;
    const char *id = op->res->physical_id;
    if (vpc_in_use(op, id))
        return cfn_fail(op, EC2, "DependencyViolation", "The vpc '%s' has "
                        "dependencies and cannot be deleted.", id);
    remove_vpc_groups(w, id);
    for (size_t i = 0; i < w->vpc_count; i++) {
        if (strcmp(w->vpcs[i].id, id) != 0)
            continue;
        world_free_vpc(&w->vpcs[i]);
        memmove(&w->vpcs[i], &w->vpcs[i + 1],
                (--w->vpc_count - i) * sizeof(w->vpcs[0]));
        break;
    }
    return 0;
}

/* ---- subnet ------------------------------------------------------------- */

static long addresses(const char *cidr)
{
    const char *slash = strchr(cidr, '/');
    long bits = slash ? strtol(slash + 1, NULL, 10) : 24;
    return bits >= 16 && bits <= 28 ? (1L << (32 - bits)) - 5 : 251;
}

static int missing_vpc(struct cfn_op *op, const char *vpc_id)
{
    return cfn_fail(op, EC2, "InvalidVpcID.NotFound", "The vpc ID '%s' "
                    "does not exist", vpc_id ? vpc_id : "");
}

static int create_subnet(struct cfn_op *op)
{
    struct world *w = op->w;
    const char *vpc_id = cfn_prop(op, "VpcId");
    const char *cidr = cfn_prop(op, "CidrBlock");
    const char *az = cfn_prop(op, "AvailabilityZone");
    char default_az[64];
    if (!vpc_id || !world_vpc(w, vpc_id))
        return missing_vpc(op, vpc_id);
    if (!cidr)
        return cfn_fail(op, EC2, "MissingParameter", "The request must "
                        "contain the parameter cidrBlock");
    snprintf(default_az, sizeof(default_az), "%sa", op->s->region);
    struct world_subnet *s = world_append(&w->subnets, &w->subnet_count,
                                          sizeof(*s));
    if (!s)
        return cfn_fail(op, EC2, "InternalError", "out of memory");
    s->id = cfn_new_id(op, "subnet-");
    s->vpc_id = strdup(vpc_id);
    s->region = strdup(op->s->region);
    s->az = strdup(az ? az : default_az);
    s->az_id = s->az ? world_zone_id(s->az) : NULL;
    s->cidr = strdup(cidr);
    s->available_ips = addresses(cidr);
    const cJSON *map = cJSON_GetObjectItemCaseSensitive(
        op->props, "MapPublicIpOnLaunch");
    s->map_public_ip = cJSON_IsTrue(map) ||
                       (cJSON_IsString(map) &&
                        strcmp(map->valuestring, "true") == 0);
    op->res->physical_id = s->id ? strdup(s->id) : NULL;
    if (!op->res->physical_id || !s->az_id || cfn_tags(op, 1, &s->tags) < 0 ||
        cfn_set_attr(op->res, "SubnetId", s->id) < 0 ||
        cfn_set_attr(op->res, "VpcId", vpc_id) < 0 ||
        cfn_set_attr(op->res, "AvailabilityZone", s->az) < 0 ||
        cfn_set_attr(op->res, "CidrBlock", cidr) < 0)
        return cfn_fail(op, EC2, "InternalError", "out of memory");
    return 0;
}

static int subnet_in_use(struct cfn_op *op, const char *id)
{
    const struct world *w = op->w;
    for (size_t i = 0; i < w->load_balancer_count; i++)
        for (size_t j = 0; j < w->load_balancers[i].subnet_count; j++)
            if (strcmp(w->load_balancers[i].subnet_ids[j], id) == 0)
                return 1;
    for (size_t i = 0; i < w->cluster_count; i++)
        for (size_t j = 0; j < w->clusters[i].node_count; j++)
            if (w->clusters[i].nodes[j].subnet_id &&
                strcmp(w->clusters[i].nodes[j].subnet_id, id) == 0)
                return 1;
    return held_uses(op, "AWS::EC2::NatGateway", "SubnetId", id) ||
           held_uses(op, "AWS::EC2::SubnetRouteTableAssociation", "SubnetId",
                     id);
}

static int remove_subnet(struct cfn_op *op)
{
    struct world *w = op->w;
    const char *id = op->res->physical_id;
    if (subnet_in_use(op, id))
        return cfn_fail(op, EC2, "DependencyViolation", "The subnet '%s' has "
                        "dependencies and cannot be deleted.", id);
    for (size_t i = 0; i < w->subnet_count; i++) {
        if (strcmp(w->subnets[i].id, id) != 0)
            continue;
        world_free_subnet(&w->subnets[i]);
        memmove(&w->subnets[i], &w->subnets[i + 1],
                (--w->subnet_count - i) * sizeof(w->subnets[0]));
        break;
    }
    return 0;
}

/* ---- security groups ---------------------------------------------------- */

static const struct world_security_group *find_group(const struct world *w,
                                                     const char *id)
{
    for (size_t i = 0; id && i < w->security_group_count; i++)
        if (strcmp(w->security_groups[i].id, id) == 0)
            return &w->security_groups[i];
    return NULL;
}

static int create_group(struct cfn_op *op)
{
    struct world *w = op->w;
    const char *vpc_id = cfn_prop(op, "VpcId");
    const char *description = cfn_prop(op, "GroupDescription");
    const char *name = cfn_prop(op, "GroupName");
    if (!description)
        return cfn_fail(op, EC2, "MissingParameter", "The request must "
                        "contain the parameter groupDescription");
    if (vpc_id && !world_vpc(w, vpc_id))
        return missing_vpc(op, vpc_id);
    for (size_t i = 0; name && i < w->security_group_count; i++)
        if (strcmp(w->security_groups[i].name, name) == 0 &&
            w->security_groups[i].vpc_id && vpc_id &&
            strcmp(w->security_groups[i].vpc_id, vpc_id) == 0)
            return cfn_fail(op, EC2, "InvalidGroup.Duplicate", "The security "
                            "group '%s' already exists for VPC '%s'", name,
                            vpc_id);
    struct world_security_group *g = world_append(
        &w->security_groups, &w->security_group_count, sizeof(*g));
    if (!g)
        return cfn_fail(op, EC2, "InternalError", "out of memory");
    g->id = cfn_new_id(op, "sg-");
    g->name = name ? strdup(name)
                   : wfile_printf("%s-%s-%s", op->s->name, op->res->logical_id,
                                  g->id ? g->id + 3 : "");
    g->description = strdup(description);
    g->vpc_id = vpc_id ? strdup(vpc_id) : NULL;
    g->region = strdup(op->s->region);
    op->res->physical_id = g->id ? strdup(g->id) : NULL;
    if (!op->res->physical_id || cfn_tags(op, 1, &g->tags) < 0 ||
        cfn_set_attr(op->res, "GroupId", g->id) < 0 ||
        cfn_set_attr(op->res, "VpcId", vpc_id) < 0)
        return cfn_fail(op, EC2, "InternalError", "out of memory");
    return 0;
}

static int group_in_use(struct cfn_op *op, const char *id)
{
    const struct world *w = op->w;
    for (size_t i = 0; i < w->load_balancer_count; i++)
        for (size_t j = 0; j < w->load_balancers[i].security_group_count; j++)
            if (strcmp(w->load_balancers[i].security_group_ids[j], id) == 0)
                return 1;
    return held_uses(op, "AWS::EC2::SecurityGroupIngress",
                     "SourceSecurityGroupId", id);
}

static int remove_group(struct cfn_op *op)
{
    struct world *w = op->w;
    const char *id = op->res->physical_id;
    if (group_in_use(op, id))
        return cfn_fail(op, EC2, "DependencyViolation", "resource %s has a "
                        "dependent object", id);
    for (size_t i = 0; i < w->security_group_count; i++) {
        if (strcmp(w->security_groups[i].id, id) != 0)
            continue;
        world_free_security_group(&w->security_groups[i]);
        memmove(&w->security_groups[i], &w->security_groups[i + 1],
                (--w->security_group_count - i) *
                    sizeof(w->security_groups[0]));
        break;
    }
    return 0;
}

/* SecurityGroupIngress and Egress: a rule of an existing group. The
 * world's groups keep no rules, so the stack holds it. */
static int create_rule(struct cfn_op *op)
{
    const char *group = cfn_prop(op, "GroupId");
    if (!find_group(op->w, group))
        return cfn_fail(op, EC2, "InvalidGroup.NotFound", "The security group "
                        "'%s' does not exist", group ? group : "");
    op->res->physical_id = cfn_new_id(op, "sgr-");
    return op->res->physical_id ? 0 : -1;
}

/* ---- records the stack holds --------------------------------------------- */

/* A held record with id PREFIX-...: its id, and attr set to it. */
static int create_record(struct cfn_op *op, const char *prefix,
                         const char *attr)
{
    op->res->physical_id = cfn_new_id(op, prefix);
    if (!op->res->physical_id ||
        (attr && cfn_set_attr(op->res, attr, op->res->physical_id) < 0))
        return cfn_fail(op, EC2, "InternalError", "out of memory");
    return 0;
}

static int create_gateway(struct cfn_op *op)
{
    return create_record(op, "igw-", "InternetGatewayId");
}

static int remove_gateway(struct cfn_op *op)
{
    if (held_uses(op, "AWS::EC2::VPCGatewayAttachment", "InternetGatewayId",
                  op->res->physical_id))
        return cfn_fail(op, EC2, "DependencyViolation", "The internetGateway "
                        "'%s' has dependencies and cannot be deleted.",
                        op->res->physical_id);
    return 0;
}

static int create_attachment(struct cfn_op *op)
{
    const char *vpc_id = cfn_prop(op, "VpcId");
    const char *igw = cfn_prop(op, "InternetGatewayId");
    if (!vpc_id || !world_vpc(op->w, vpc_id))
        return missing_vpc(op, vpc_id);
    if (!cfn_held(op->w, "AWS::EC2::InternetGateway", NULL, igw))
        return cfn_fail(op, EC2, "InvalidInternetGatewayID.NotFound", "The "
                        "internetGateway ID '%s' does not exist",
                        igw ? igw : "");
    op->res->physical_id = wfile_printf("IGW|%s", vpc_id);
    return op->res->physical_id ? 0 : -1;
}

static int create_address(struct cfn_op *op)
{
    char *alloc = cfn_new_id(op, "eipalloc-");
    unsigned octets[2] = {0, 0};
    if (alloc)
        sscanf(alloc + 9, "%2x%2x", &octets[0], &octets[1]);
    op->res->physical_id = wfile_printf("3.%u.%u.%u", 128 + octets[0] % 64,
                                        octets[1], 1 + octets[0] % 254);
    int rc = alloc && op->res->physical_id &&
             cfn_set_attr(op->res, "AllocationId", alloc) == 0 &&
             cfn_set_attr(op->res, "PublicIp", op->res->physical_id) == 0;
    free(alloc);
    return rc ? 0 : cfn_fail(op, EC2, "InternalError", "out of memory");
}

static int create_nat(struct cfn_op *op)
{
    const char *subnet = cfn_prop(op, "SubnetId");
    if (!subnet || !world_subnet(op->w, subnet))
        return cfn_fail(op, EC2, "InvalidSubnetID.NotFound", "The subnet ID "
                        "'%s' does not exist", subnet ? subnet : "");
    return create_record(op, "nat-", NULL);
}

static int create_route_table(struct cfn_op *op)
{
    const char *vpc_id = cfn_prop(op, "VpcId");
    if (!vpc_id || !world_vpc(op->w, vpc_id))
        return missing_vpc(op, vpc_id);
    return create_record(op, "rtb-", "RouteTableId");
}

static int remove_route_table(struct cfn_op *op)
{
    const char *id = op->res->physical_id;
    if (held_uses(op, "AWS::EC2::SubnetRouteTableAssociation", "RouteTableId",
                  id) ||
        held_uses(op, "AWS::EC2::Route", "RouteTableId", id))
        return cfn_fail(op, EC2, "DependencyViolation", "The routeTable '%s' "
                        "has dependencies and cannot be deleted.", id);
    return 0;
}

static int missing_route_table(struct cfn_op *op, const char *id)
{
    return cfn_fail(op, EC2, "InvalidRouteTableID.NotFound", "The routeTable "
                    "ID '%s' does not exist", id ? id : "");
}

static int create_route(struct cfn_op *op)
{
    const char *table = cfn_prop(op, "RouteTableId");
    const char *cidr = cfn_prop(op, "DestinationCidrBlock");
    if (!cfn_held(op->w, "AWS::EC2::RouteTable", NULL, table))
        return missing_route_table(op, table);
    op->res->physical_id = wfile_printf("%s|%s", table, cidr ? cidr : "");
    return op->res->physical_id ? 0 : -1;
}

static int create_association(struct cfn_op *op)
{
    const char *table = cfn_prop(op, "RouteTableId");
    const char *subnet = cfn_prop(op, "SubnetId");
    if (!cfn_held(op->w, "AWS::EC2::RouteTable", NULL, table))
        return missing_route_table(op, table);
    if (!subnet || !world_subnet(op->w, subnet))
        return cfn_fail(op, EC2, "InvalidSubnetID.NotFound", "The subnet ID "
                        "'%s' does not exist", subnet ? subnet : "");
    return create_record(op, "rtbassoc-", "Id");
}

const struct cfn_type cfn_ec2_types[] = {
    {"AWS::EC2::VPC", 0, NULL, create_vpc, NULL, remove_vpc, NULL},
    {"AWS::EC2::Subnet", 0, NULL, create_subnet, NULL, remove_subnet, NULL},
    {"AWS::EC2::SecurityGroup", 0, NULL, create_group, NULL, remove_group,
     NULL},
    {"AWS::EC2::SecurityGroupIngress", 0, NULL, create_rule, NULL, NULL,
     NULL},
    {"AWS::EC2::SecurityGroupEgress", 0, NULL, create_rule, NULL, NULL, NULL},
    {"AWS::EC2::InternetGateway", 0, NULL, create_gateway, NULL,
     remove_gateway, NULL},
    {"AWS::EC2::VPCGatewayAttachment", 0, NULL, create_attachment, NULL,
     NULL, NULL},
    {"AWS::EC2::EIP", 0, NULL, create_address, NULL, NULL, NULL},
    {"AWS::EC2::NatGateway", 0, NULL, create_nat, NULL, NULL, NULL},
    {"AWS::EC2::RouteTable", 0, NULL, create_route_table, NULL,
     remove_route_table, NULL},
    {"AWS::EC2::Route", 0, NULL, create_route, NULL, NULL, NULL},
    {"AWS::EC2::SubnetRouteTableAssociation", 0, NULL, create_association,
     NULL, NULL, NULL},
    {NULL, 0, NULL, NULL, NULL, NULL, NULL},
};
