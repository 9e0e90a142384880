/*
 * The cluster stack, eksctl-CLUSTER-cluster. With a new VPC it creates
 * the VPC, a public and a private subnet in each zone, the internet
 * gateway, the NAT gateways, route tables and routes. In every case it
 * creates the control plane and shared node security groups, the
 * cluster service role and the EKS cluster.
 */
#include <stdio.h>
#include <string.h>

#include "cfn_internal.h"

#define ID_MAX 64

static void subnet_cidr(const struct ccfg *c, size_t block, char *out,
                        size_t len)
{
    unsigned long base;
    int prefix;
    ccfg_parse_cidr(c->vpc_cidr, &base, &prefix);
    int sub_prefix = prefix + ccfg_subnet_bits(cfn_zone_count(c));
    unsigned long ip = base + block * (1UL << (32 - sub_prefix));
    snprintf(out, len, "%lu.%lu.%lu.%lu/%d", (ip >> 24) & 255,
             (ip >> 16) & 255, (ip >> 8) & 255, ip & 255, sub_prefix);
}

static void add_vpc(cJSON *t, const struct ccfg *c)
{
    cJSON *p = cfn_add_resource(t, "VPC", "AWS::EC2::VPC");
    cfn_put_string(p, "CidrBlock", c->vpc_cidr);
    cfn_put(p, "EnableDnsHostnames", cJSON_CreateTrue());
    cfn_put(p, "EnableDnsSupport", cJSON_CreateTrue());
    cfn_put(p, "Tags", cfn_tag_list("VPC", NULL));

    p = cfn_add_resource(t, "InternetGateway", "AWS::EC2::InternetGateway");
    cfn_put(p, "Tags", cfn_tag_list("InternetGateway", NULL));
    p = cfn_add_resource(t, "VPCGatewayAttachment",
                         "AWS::EC2::VPCGatewayAttachment");
    cfn_put(p, "InternetGatewayId", cfn_ref("InternetGateway"));
    cfn_put(p, "VpcId", cfn_ref("VPC"));

    p = cfn_add_resource(t, "PublicRouteTable", "AWS::EC2::RouteTable");
    cfn_put(p, "VpcId", cfn_ref("VPC"));
    cfn_put(p, "Tags", cfn_tag_list("PublicRouteTable", NULL));
    p = cfn_add_resource(t, "PublicSubnetRoute", "AWS::EC2::Route");
    cfn_put_string(p, "DestinationCidrBlock", "0.0.0.0/0");
    cfn_put(p, "GatewayId", cfn_ref("InternetGateway"));
    cfn_put(p, "RouteTableId", cfn_ref("PublicRouteTable"));
    cfn_depends_on(t, "PublicSubnetRoute", "VPCGatewayAttachment");
}

static void add_subnet(cJSON *t, const struct ccfg *c, size_t zone,
                       int is_private)
{
    char suffix[ID_MAX], id[ID_MAX], table[ID_MAX], assoc[ID_MAX];
    char cidr[32];
    size_t zones = cfn_zone_count(c);
    cfn_zone_suffix(c, zone, suffix, sizeof(suffix));
    snprintf(id, sizeof(id), "Subnet%s%s", is_private ? "Private" : "Public",
             suffix);
    subnet_cidr(c, is_private ? zones + zone : zone, cidr, sizeof(cidr));

    cJSON *p = cfn_add_resource(t, id, "AWS::EC2::Subnet");
    if (zone < c->zone_count)
        cfn_put_string(p, "AvailabilityZone", c->zones[zone]);
    else
        cfn_put(p, "AvailabilityZone", cfn_zone_select(zone));
    cfn_put_string(p, "CidrBlock", cidr);
    cfn_put(p, "VpcId", cfn_ref("VPC"));
    if (!is_private)
        cfn_put(p, "MapPublicIpOnLaunch", cJSON_CreateTrue());
    cJSON *tags = cfn_tag_list(id, NULL);
    /* Load balancer controllers find subnets by these role tags. */
    cfn_add_tag(tags, is_private ? "kubernetes.io/role/internal-elb"
                                 : "kubernetes.io/role/elb", "1");
    cfn_put(p, "Tags", tags);

    if (is_private) {
        snprintf(table, sizeof(table), "PrivateRouteTable%s", suffix);
        p = cfn_add_resource(t, table, "AWS::EC2::RouteTable");
        cfn_put(p, "VpcId", cfn_ref("VPC"));
        cfn_put(p, "Tags", cfn_tag_list(table, NULL));
    } else {
        snprintf(table, sizeof(table), "PublicRouteTable");
    }
    snprintf(assoc, sizeof(assoc), "RouteTableAssociation%s%s",
             is_private ? "Private" : "Public", suffix);
    p = cfn_add_resource(t, assoc, "AWS::EC2::SubnetRouteTableAssociation");
    cfn_put(p, "RouteTableId", cfn_ref(table));
    cfn_put(p, "SubnetId", cfn_ref(id));
}

/* One NAT gateway in the first zone (Single) or one per zone
 * (HighlyAvailable). Each private route table routes through one. */
static void add_nat(cJSON *t, const struct ccfg *c)
{
    size_t zones = cfn_zone_count(c);
    size_t gateways = c->nat == CCFG_NAT_HIGHLY_AVAILABLE ? zones : 1;
    char suffix[ID_MAX], ip[ID_MAX], gateway[ID_MAX], subnet[ID_MAX];
    char route[ID_MAX], table[ID_MAX];

    for (size_t i = 0; i < gateways; i++) {
        cfn_zone_suffix(c, i, suffix, sizeof(suffix));
        const char *tail = gateways > 1 ? suffix : "";
        snprintf(ip, sizeof(ip), "NATIP%s", tail);
        snprintf(gateway, sizeof(gateway), "NATGateway%s", tail);
        snprintf(subnet, sizeof(subnet), "SubnetPublic%s", suffix);
        cJSON *p = cfn_add_resource(t, ip, "AWS::EC2::EIP");
        cfn_put_string(p, "Domain", "vpc");
        cfn_put(p, "Tags", cfn_tag_list(ip, NULL));
        cfn_depends_on(t, ip, "VPCGatewayAttachment");
        p = cfn_add_resource(t, gateway, "AWS::EC2::NatGateway");
        cfn_put(p, "AllocationId", cfn_get_att(ip, "AllocationId"));
        cfn_put(p, "SubnetId", cfn_ref(subnet));
        cfn_put(p, "Tags", cfn_tag_list(gateway, NULL));
    }
    for (size_t i = 0; i < zones; i++) {
        cfn_zone_suffix(c, i, suffix, sizeof(suffix));
        snprintf(route, sizeof(route), "NATPrivateSubnetRoute%s", suffix);
        snprintf(table, sizeof(table), "PrivateRouteTable%s", suffix);
        if (gateways > 1)
            snprintf(gateway, sizeof(gateway), "NATGateway%s", suffix);
        else
            snprintf(gateway, sizeof(gateway), "NATGateway");
        cJSON *p = cfn_add_resource(t, route, "AWS::EC2::Route");
        cfn_put_string(p, "DestinationCidrBlock", "0.0.0.0/0");
        cfn_put(p, "NatGatewayId", cfn_ref(gateway));
        cfn_put(p, "RouteTableId", cfn_ref(table));
    }
}

static cJSON *vpc_id(const struct ccfg *c)
{
    return c->vpc_id ? cfn_string(c->vpc_id) : cfn_ref("VPC");
}

static void add_ingress(cJSON *t, const char *id, cJSON *group,
                        cJSON *source, const char *description)
{
    cJSON *p = cfn_add_resource(t, id, "AWS::EC2::SecurityGroupIngress");
    cfn_put_string(p, "Description", description);
    cfn_put(p, "GroupId", group);
    cfn_put(p, "SourceSecurityGroupId", source);
    cfn_put_string(p, "IpProtocol", "-1");  /* every protocol and port */
}

static void add_security_groups(cJSON *t, const struct ccfg *c)
{
    cJSON *p = cfn_add_resource(t, "ControlPlaneSecurityGroup",
                                "AWS::EC2::SecurityGroup");
    cfn_put_string(p, "GroupDescription", "Communication between the control "
                   "plane and worker nodegroups");
    cfn_put(p, "VpcId", vpc_id(c));
    cfn_put(p, "Tags", cfn_tag_list("ControlPlaneSecurityGroup", NULL));

    p = cfn_add_resource(t, "ClusterSharedNodeSecurityGroup",
                         "AWS::EC2::SecurityGroup");
    cfn_put_string(p, "GroupDescription", "Communication between all nodes "
                   "in the cluster");
    cfn_put(p, "VpcId", vpc_id(c));
    cfn_put(p, "Tags", cfn_tag_list("ClusterSharedNodeSecurityGroup", NULL));

    add_ingress(t, "IngressInterNodeGroupSG",
                cfn_ref("ClusterSharedNodeSecurityGroup"),
                cfn_ref("ClusterSharedNodeSecurityGroup"),
                "Allow nodes to communicate with each other (all ports)");
    /* EKS creates the cluster security group, and managed nodes carry it. */
    add_ingress(t, "IngressDefaultClusterToNodeSG",
                cfn_ref("ClusterSharedNodeSecurityGroup"),
                cfn_get_att("ControlPlane", "ClusterSecurityGroupId"),
                "Allow managed and unmanaged nodes to communicate with each "
                "other (all ports)");
    add_ingress(t, "IngressNodeToDefaultClusterSG",
                cfn_get_att("ControlPlane", "ClusterSecurityGroupId"),
                cfn_ref("ClusterSharedNodeSecurityGroup"),
                "Allow unmanaged nodes to communicate with control plane "
                "(all ports)");
}

cJSON *cfn_service_trust_policy(const char *service, int tag_session)
{
    cJSON *doc = cfn_need(cJSON_CreateObject());
    cfn_put_string(doc, "Version", "2012-10-17");
    cJSON *statements = cfn_need(cJSON_CreateArray());
    cJSON *st = cfn_need(cJSON_CreateObject());
    cfn_put_string(st, "Effect", "Allow");
    cJSON *principal = cfn_need(cJSON_CreateObject());
    cJSON *services = cfn_need(cJSON_CreateArray());
    cfn_append(services, cfn_string(service));
    cfn_put(principal, "Service", services);
    cfn_put(st, "Principal", principal);
    cJSON *actions = cfn_need(cJSON_CreateArray());
    cfn_append(actions, cfn_string("sts:AssumeRole"));
    if (tag_session)
        cfn_append(actions, cfn_string("sts:TagSession"));
    cfn_put(st, "Action", actions);
    cfn_append(statements, st);
    cfn_put(doc, "Statement", statements);
    return doc;
}

static void add_service_role(cJSON *t)
{
    cJSON *p = cfn_add_resource(t, "ServiceRole", "AWS::IAM::Role");
    cfn_put(p, "AssumeRolePolicyDocument",
            cfn_service_trust_policy("eks.amazonaws.com", 1));
    cJSON *arns = cfn_need(cJSON_CreateArray());
    cfn_append(arns, cfn_aws_policy_arn("AmazonEKSClusterPolicy"));
    cfn_append(arns, cfn_aws_policy_arn("AmazonEKSVPCResourceController"));
    cfn_put(p, "ManagedPolicyArns", arns);
    cfn_put(p, "Tags", cfn_tag_list("ServiceRole", NULL));
}

/* The subnet ids the cluster uses: Refs, or the existing subnets. */
static cJSON *cluster_subnets(const struct ccfg *c, int is_private)
{
    cJSON *list = cfn_need(cJSON_CreateArray());
    if (c->vpc_id) {
        for (size_t i = 0; i < c->subnet_count; i++)
            if (c->subnets[i].is_private == is_private)
                cfn_append(list, cfn_string(c->subnets[i].id));
        return list;
    }
    for (size_t i = 0; i < cfn_zone_count(c); i++) {
        char suffix[ID_MAX], id[ID_MAX];
        cfn_zone_suffix(c, i, suffix, sizeof(suffix));
        snprintf(id, sizeof(id), "Subnet%s%s",
                 is_private ? "Private" : "Public", suffix);
        cfn_append(list, cfn_ref(id));
    }
    return list;
}

static void add_control_plane(cJSON *t, const struct ccfg *c)
{
    cJSON *p = cfn_add_resource(t, "ControlPlane", "AWS::EKS::Cluster");
    cfn_put_string(p, "Name", c->name);
    cfn_put_string(p, "Version", c->version);
    cfn_put(p, "RoleArn", cfn_get_att("ServiceRole", "Arn"));
    cJSON *vpc = cfn_need(cJSON_CreateObject());
    cJSON *groups = cfn_need(cJSON_CreateArray());
    cfn_append(groups, cfn_ref("ControlPlaneSecurityGroup"));
    cfn_put(vpc, "SecurityGroupIds", groups);
    cJSON *subnets = cluster_subnets(c, 0);
    cJSON *private_subnets = cluster_subnets(c, 1);
    cJSON *item;
    cJSON_ArrayForEach(item, private_subnets)
        cfn_append(subnets, cJSON_Duplicate(item, 1));
    cJSON_Delete(private_subnets);
    cfn_put(vpc, "SubnetIds", subnets);
    cfn_put(vpc, "EndpointPublicAccess", cJSON_CreateTrue());
    cfn_put(vpc, "EndpointPrivateAccess", cJSON_CreateFalse());
    cfn_put(p, "ResourcesVpcConfig", vpc);
    cJSON *access = cfn_need(cJSON_CreateObject());
    cfn_put_string(access, "AuthenticationMode", "API_AND_CONFIG_MAP");
    cfn_put(access, "BootstrapClusterCreatorAdminPermissions",
            cJSON_CreateTrue());
    cfn_put(p, "AccessConfig", access);
    cfn_put(p, "BootstrapSelfManagedAddons", cJSON_CreateFalse());
    cJSON *network = cfn_need(cJSON_CreateObject());
    cfn_put_string(network, "IpFamily", "ipv4");
    cfn_put(p, "KubernetesNetworkConfig", network);
    cfn_put(p, "Tags", cfn_tag_list("ControlPlane", &c->tags));
}

static cJSON *joined(cJSON *list)
{
    cJSON *args = cfn_need(cJSON_CreateArray());
    cfn_append(args, cfn_string(","));
    cfn_append(args, list);
    cJSON *f = cfn_need(cJSON_CreateObject());
    cfn_put(f, "Fn::Join", args);
    return f;
}

/* One output per subnet as well, so node group stacks can import each
 * one without Fn::Split, which the sandbox's CloudFormation lacks. */
static void add_subnet_outputs(cJSON *t, const struct ccfg *c)
{
    for (int is_private = 0; is_private <= 1 && !c->vpc_id; is_private++)
        for (size_t i = 0; i < cfn_zone_count(c); i++) {
            char suffix[ID_MAX], id[ID_MAX];
            cfn_zone_suffix(c, i, suffix, sizeof(suffix));
            snprintf(id, sizeof(id), "Subnet%s%s",
                     is_private ? "Private" : "Public", suffix);
            cfn_add_output(t, id, cfn_ref(id), 1);
        }
}

static void add_outputs(cJSON *t, const struct ccfg *c)
{
    cfn_add_output(t, "VPC", vpc_id(c), 1);
    cfn_add_output(t, "SubnetsPublic", joined(cluster_subnets(c, 0)), 1);
    cfn_add_output(t, "SubnetsPrivate", joined(cluster_subnets(c, 1)), 1);
    add_subnet_outputs(t, c);
    cfn_add_output(t, "SecurityGroup", cfn_ref("ControlPlaneSecurityGroup"),
                   1);
    cfn_add_output(t, "SharedNodeSecurityGroup",
                   cfn_ref("ClusterSharedNodeSecurityGroup"), 1);
    cfn_add_output(t, "ClusterSecurityGroupId",
                   cfn_get_att("ControlPlane", "ClusterSecurityGroupId"), 1);
    cfn_add_output(t, "ServiceRoleARN", cfn_get_att("ServiceRole", "Arn"), 1);
    cfn_add_output(t, "ARN", cfn_get_att("ControlPlane", "Arn"), 1);
    cfn_add_output(t, "Endpoint", cfn_get_att("ControlPlane", "Endpoint"), 1);
    cfn_add_output(t, "CertificateAuthorityData",
                   cfn_get_att("ControlPlane", "CertificateAuthorityData"), 0);
    cfn_add_output(t, "OIDCIssuerURL",
                   cfn_get_att("ControlPlane", "OpenIdConnectIssuerUrl"), 0);
    cfn_add_output(t, "ClusterStackName", cfn_ref("AWS::StackName"), 0);
    cfn_add_output(t, "FeatureNATMode", cfn_string(ccfg_nat_name(c->nat)), 0);
}

cJSON *cfn_cluster_template(const struct ccfg *c)
{
    char description[160];
    snprintf(description, sizeof(description), "EKS cluster (dedicated VPC: "
             "%s, NAT: %s) [created by albatross, in eksctl's format]",
             c->vpc_id ? "false" : "true", ccfg_nat_name(c->nat));
    cJSON *t = cfn_new_template(description);
    if (!c->vpc_id) {
        add_vpc(t, c);
        for (size_t i = 0; i < cfn_zone_count(c); i++) {
            add_subnet(t, c, i, 0);
            add_subnet(t, c, i, 1);
        }
        if (c->nat != CCFG_NAT_DISABLE)
            add_nat(t, c);
    }
    add_security_groups(t, c);
    add_service_role(t);
    add_control_plane(t, c);
    add_outputs(t, c);
    return t;
}
