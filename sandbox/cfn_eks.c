/*
 * EKS resource types. A cluster becomes a world cluster, CREATING until
 * its creation time has passed on the sandbox clock and ACTIVE after,
 * with its own Kubernetes API under /k8s/REGION/NAME; a node group joins
 * its cluster the same way. DescribeCluster and DescribeNodegroup serve
 * them from there.
 */
#include "cfn.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "awsreply.h"
#include "oidc_issuer.h"
#include "wfile.h"
#include "world_cluster.h"
#include "world_net.h"

#define EKS "AmazonEKS"

static void now_rfc3339(char out[21])
{
    awsreply_format_time(time(NULL), out);
}

/* certificateAuthority.data as EKS sends it: the PEM, base64-encoded. */
static char *ca_data(const struct world *w)
{
    const char *pem = w->ca_pem ? w->ca_pem : "";
    size_t len = strlen(pem);
    char *data = malloc(4 * ((len + 2) / 3) + 1);
    if (data)
        EVP_EncodeBlock((unsigned char *)data, (const unsigned char *)pem,
                        (int)len);
    return data;
}

static const char *first_subnet(const struct cfn_op *op)
{
    const cJSON *vpc = cJSON_GetObjectItemCaseSensitive(op->props,
                                                        "ResourcesVpcConfig");
    return cJSON_GetStringValue(cJSON_GetArrayItem(
        cJSON_GetObjectItemCaseSensitive(vpc, "SubnetIds"), 0));
}

static int check_cluster_props(struct cfn_op *op, const char *name)
{
    const char *role = cfn_prop(op, "RoleArn");
    const char *subnet = first_subnet(op);
    if (world_cluster(op->w, op->s->region, name))
        return cfn_fail(op, EKS, "ResourceInUseException", "Cluster already "
                        "exists with name: %s", name);
    if (!role || !world_role_by_arn(op->w, role))
        return cfn_fail(op, EKS, "InvalidParameterException", "Role with "
                        "arn: %s, could not be assumed because it does not "
                        "exist or the trusted entity is not correct",
                        role ? role : "");
    if (!subnet || !world_subnet(op->w, subnet))
        return cfn_fail(op, EKS, "InvalidParameterException", "The subnet ID "
                        "'%s' does not exist", subnet ? subnet : "");
    return 0;
}

/* Copies the strings of the list property name into *out. */
static int copy_ids(const cJSON *config, const char *name, char ***out,
                    size_t *count)
{
    const cJSON *list = cJSON_GetObjectItemCaseSensitive(config, name);
    const cJSON *item;
    *out = calloc((size_t)cJSON_GetArraySize(list) + 1, sizeof(char *));
    if (!*out)
        return -1;
    cJSON_ArrayForEach(item, list)
        if (cJSON_IsString(item) &&
            !((*out)[(*count)++] = strdup(item->valuestring)))
            return -1;
    return 0;
}

static int set_cluster(struct cfn_op *op, struct world_cluster *c)
{
    const cJSON *config = cJSON_GetObjectItemCaseSensitive(
        op->props, "ResourcesVpcConfig");
    if (copy_ids(config, "SubnetIds", &c->subnet_ids,
                 &c->subnet_id_count) < 0 ||
        copy_ids(config, "SecurityGroupIds", &c->security_group_ids,
                 &c->security_group_id_count) < 0)
        return -1;
    const char *version = cfn_prop(op, "Version");
    free(c->role_arn);
    free(c->vpc_id);
    c->role_arn = strdup(cfn_prop(op, "RoleArn"));
    c->vpc_id = strdup(world_subnet(op->w, first_subnet(op))->vpc_id);
    char *id = wfile_derive("", c->arn, 32, WFILE_UPPER_HEX);
    free(c->oidc_issuer);
    c->oidc_issuer = id ? oidc_issuer_url(op->w, c->region, id) : NULL;
    c->issuer_served = 1;
    free(id);
    if (version) {
        free(c->version);
        c->version = strdup(version);
    }
    /* CloudFormation gives the cluster the stack's tags, then its own. */
    if (cfn_tags(op, 0, &c->tags) < 0)
        return -1;
    return c->role_arn && c->vpc_id && c->oidc_issuer && c->version ? 0 : -1;
}

static int cluster_attrs(struct cfn_op *op, const struct world_cluster *c)
{
    char *ca = ca_data(op->w);
    char *sg = world_cluster_security_group(c);
    int rc = !ca || !sg ||
             cfn_set_attr(op->res, "Arn", c->arn) < 0 ||
             cfn_set_attr(op->res, "Endpoint", c->endpoint) < 0 ||
             cfn_set_attr(op->res, "CertificateAuthorityData", ca) < 0 ||
             cfn_set_attr(op->res, "ClusterSecurityGroupId", sg) < 0 ||
             cfn_set_attr(op->res, "OpenIdConnectIssuerUrl",
                          c->oidc_issuer) < 0 ? -1 : 0;
    free(ca);
    free(sg);
    return rc;
}

/* EKS makes the cluster security group in the cluster's VPC, and
 * eksctl's template adds rules to it, so EC2 must know it. */
static int add_cluster_group(struct cfn_op *op, const struct world_cluster *c)
{
    struct world *w = op->w;
    struct world_security_group *g = world_append(
        &w->security_groups, &w->security_group_count, sizeof(*g));
    if (!g)
        return -1;
    g->id = world_cluster_security_group(c);
    g->name = wfile_printf("eks-cluster-sg-%s", c->name);
    g->description = strdup("EKS created security group applied to ENI "
                            "that is attached to EKS Control Plane master "
                            "nodes, as well as any managed workloads.");
    g->vpc_id = strdup(c->vpc_id);
    g->region = strdup(c->region);
    return g->id && g->name && g->description && g->vpc_id && g->region
           ? 0 : -1;
}

static void remove_cluster_group(struct world *w, const struct world_cluster *c)
{
    char *id = world_cluster_security_group(c);
    for (size_t i = w->security_group_count; id && i-- > 0;) {
        struct world_security_group *g = &w->security_groups[i];
        if (strcmp(g->id, id) != 0)
            continue;
        world_free_security_group(g);
        memmove(g, g + 1, (--w->security_group_count - i) * sizeof(*g));
    }
    free(id);
}

static int create_cluster(struct cfn_op *op)
{
    char *name = cfn_prop(op, "Name") ? strdup(cfn_prop(op, "Name"))
                                      : cfn_physical_name(op, 0);
    char created[21];
    if (!name)
        return cfn_fail(op, EKS, "ServerException", "out of memory");
    if (check_cluster_props(op, name) < 0) {
        free(name);
        return -1;
    }
    now_rfc3339(created);
    struct world_cluster *c = world_add_cluster(op->w, op->s->region, name,
                                                created);
    op->res->physical_id = name;
    if (!c || set_cluster(op, c) < 0 || cluster_attrs(op, c) < 0 ||
        add_cluster_group(op, c) < 0)
        return cfn_fail(op, EKS, "ServerException", "out of memory");
    return 0;
}

static void cluster_ready(struct cfn_op *op)
{
    struct world_cluster *c = world_cluster(op->w, op->s->region,
                                            op->res->physical_id);
    char *active = strdup("ACTIVE");
    if (c && active) {
        free(c->status);
        c->status = active;
        c->resource_version++;
    } else {
        free(active);
    }
}

static int remove_cluster(struct cfn_op *op)
{
    struct world_cluster *c = world_cluster(op->w, op->s->region,
                                            op->res->physical_id);
    if (!c)
        return 0;
    if (c->nodegroup_count)
        return cfn_fail(op, EKS, "ResourceInUseException", "Cluster has "
                        "nodegroups attached");
    remove_cluster_group(op->w, c);
    world_remove_cluster(op->w, c);
    return 0;
}

static double cluster_duration(const struct world *w)
{
    return w->timing.cluster_creation;
}

/* ---- node groups -------------------------------------------------------- */

static int scaling(const struct cfn_op *op, const char *key, int dflt)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(op->props, "ScalingConfig"), key);
    if (cJSON_IsNumber(v))
        return (int)v->valuedouble;
    return cJSON_IsString(v) ? atoi(v->valuestring) : dflt;
}

static struct world_nodegroup *find_nodegroup(struct world_cluster *c,
                                              const char *name)
{
    for (size_t i = 0; c && i < c->nodegroup_count; i++)
        if (strcmp(c->nodegroups[i].name, name) == 0)
            return &c->nodegroups[i];
    return NULL;
}

/* TODO: derive the node group's worker nodes, as world files get them,
 * so that the Kubernetes API lists them. */
static int fill_nodegroup(struct cfn_op *op, struct world_nodegroup *ng,
                          const char *name)
{
    const char *type = cJSON_GetStringValue(cJSON_GetArrayItem(
        cJSON_GetObjectItemCaseSensitive(op->props, "InstanceTypes"), 0));
    ng->name = strdup(name);
    ng->instance_type = strdup(type ? type : "t3.medium");
    ng->status = strdup("CREATING");
    ng->min = scaling(op, "MinSize", 1);
    ng->max = scaling(op, "MaxSize", 2);
    ng->desired = scaling(op, "DesiredSize", ng->min);
    /* NodeRole is required by AWS::EKS::Nodegroup. */
    const char *role = cfn_prop(op, "NodeRole");
    ng->node_role = role ? strdup(role) : NULL;
    return ng->name && ng->instance_type && ng->status &&
           (!role || ng->node_role) ? 0 : -1;
}

static int create_nodegroup(struct cfn_op *op)
{
    const char *cluster = cfn_prop(op, "ClusterName");
    struct world_cluster *c = cluster ? world_cluster(op->w, op->s->region,
                                                      cluster) : NULL;
    if (!c || strcmp(c->status, "ACTIVE") != 0)
        return cfn_fail(op, EKS, "ResourceNotFoundException", "No cluster "
                        "found for name: %s.", cluster ? cluster : "");
    char *name = cfn_prop(op, "NodegroupName")
                     ? strdup(cfn_prop(op, "NodegroupName"))
                     : cfn_physical_name(op, 0);
    if (name && find_nodegroup(c, name)) {
        cfn_fail(op, EKS, "ResourceInUseException", "NodeGroup already "
                 "exists with name %s and cluster name %s", name, c->name);
        free(name);
        return -1;
    }
    struct world_nodegroup *ng = name ? world_append(
        &c->nodegroups, &c->nodegroup_count, sizeof(*ng)) : NULL;
    op->res->physical_id = name ? wfile_printf("%s/%s", c->name, name)
                                : NULL;
    char *arn = name ? wfile_printf("arn:aws:eks:%s:%s:nodegroup/%s/%s/%s",
                                    c->region, op->w->account_id, c->name,
                                    name, c->vpc_id + 4) : NULL;
    int rc = ng && arn && op->res->physical_id &&
             fill_nodegroup(op, ng, name) == 0 &&
             cfn_set_attr(op->res, "Arn", arn) == 0 &&
             cfn_set_attr(op->res, "ClusterName", c->name) == 0 &&
             cfn_set_attr(op->res, "NodegroupName", name) == 0;
    free(name);
    free(arn);
    return rc ? 0 : cfn_fail(op, EKS, "ServerException", "out of memory");
}

/* The node group of a live resource, by its physical id CLUSTER/NAME. */
static struct world_nodegroup *resource_nodegroup(struct cfn_op *op,
                                                  struct world_cluster **c)
{
    const char *id = op->res->physical_id;
    const char *slash = strchr(id, '/');
    char cluster[256];
    snprintf(cluster, sizeof(cluster), "%.*s", (int)(slash - id), id);
    *c = world_cluster(op->w, op->s->region, cluster);
    return find_nodegroup(*c, slash + 1);
}

static void nodegroup_ready(struct cfn_op *op)
{
    struct world_cluster *c;
    struct world_nodegroup *ng = resource_nodegroup(op, &c);
    char *active = strdup("ACTIVE");
    if (ng && active) {
        free(ng->status);
        ng->status = active;
    } else {
        free(active);
    }
}

static int remove_nodegroup(struct cfn_op *op)
{
    struct world_cluster *c;
    struct world_nodegroup *ng = resource_nodegroup(op, &c);
    if (!ng)
        return 0;
    free(ng->name);
    free(ng->instance_type);
    free(ng->status);
    free(ng->node_role);
    size_t i = (size_t)(ng - c->nodegroups);
    memmove(ng, ng + 1, (--c->nodegroup_count - i) * sizeof(*ng));
    return 0;
}

static double nodegroup_duration(const struct world *w)
{
    return w->timing.nodegroup_creation;
}

const struct cfn_type cfn_eks_types[] = {
    {"AWS::EKS::Cluster", 0, NULL, create_cluster, cluster_ready,
     remove_cluster, cluster_duration},
    {"AWS::EKS::Nodegroup", 0, NULL, create_nodegroup, nodegroup_ready,
     remove_nodegroup, nodegroup_duration},
    {NULL, 0, NULL, NULL, NULL, NULL, NULL},
};
