/*
 * EKS (rest-json): ListClusters, DescribeCluster, ListNodegroups and
 * DescribeNodegroup for the clusters of the signing region; the Pod
 * Identity association calls are in aws_eks_pod_identity.c, the add-on
 * calls in aws_eks_addon.c and the tag calls in aws_eks_tags.c.
 */
#include "aws_eks.h"
#include "aws_services.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "wfile.h"
#include "world_cluster.h"

#define MAX_RESULTS_DEFAULT 100
#define MAX_RESULTS_LIMIT 100
#define SUBNETS_PER_CLUSTER 3

static void not_found(struct awsreply *r, const char *fmt, const char *name)
{
    awsreply_error(r, 404, "ResourceNotFoundException", fmt, name);
}

int aws_eks_read_page(struct awsreply *r, long *max, size_t *start,
                      size_t count)
{
    const char *max_text = sb_query(r->req, "maxResults");
    const char *token = sb_query(r->req, "nextToken");
    char *end = NULL;
    *max = max_text ? strtol(max_text, &end, 10) : MAX_RESULTS_DEFAULT;
    *start = 0;
    if (max_text && (*end || *max < 1 || *max > MAX_RESULTS_LIMIT)) {
        awsreply_error(r, 400, "InvalidParameterException", "maxResults "
                       "must be between 1 and %d", MAX_RESULTS_LIMIT);
        return -1;
    }
    if (!token)
        return 0;
    char *position = awsreply_marker_decode(token);
    unsigned long v = position ? strtoul(position, &end, 10) : 0;
    int ok = position && !*end && v <= count;
    free(position);
    if (!ok) {
        awsreply_error(r, 400, "InvalidParameterException", "The nextToken "
                       "is not valid; pass the one the previous page "
                       "returned");
        return -1;
    }
    *start = v;
    return 0;
}

void aws_eks_add_next_token(cJSON *body, size_t next, size_t count)
{
    char position[24];
    if (next >= count)
        return;
    snprintf(position, sizeof(position), "%zu", next);
    char *token = awsreply_marker_encode(position);
    if (token)
        cJSON_AddStringToObject(body, "nextToken", token);
    free(token);
}

static int in_region(const struct awsreply *r, const struct world_cluster *c)
{
    return strcmp(c->region, r->region) == 0;
}

static void list_clusters(struct awsreply *r)
{
    const struct world *w = r->world;
    size_t count = 0, start, i;
    long max;
    for (i = 0; i < w->cluster_count; i++)
        count += in_region(r, &w->clusters[i]);
    if (aws_eks_read_page(r, &max, &start, count) < 0)
        return;
    cJSON *body = cJSON_CreateObject();
    cJSON *names = cJSON_AddArrayToObject(body, "clusters");
    size_t seen = 0;
    for (i = 0; i < w->cluster_count; i++) {
        const struct world_cluster *c = &w->clusters[i];
        if (!in_region(r, c))
            continue;
        if (seen >= start && seen < start + (size_t)max)
            cJSON_AddItemToArray(names, cJSON_CreateString(c->name));
        seen++;
    }
    aws_eks_add_next_token(body, start + (size_t)max, count);
    awsreply_json(r, 200, body);
}

static cJSON *string_array(char **items, size_t count)
{
    cJSON *a = cJSON_CreateArray();
    for (size_t i = 0; i < count; i++)
        cJSON_AddItemToArray(a, cJSON_CreateString(items[i] ? items[i] : ""));
    return a;
}

cJSON *aws_eks_tags_json(const struct world_kv_list *tags)
{
    cJSON *o = cJSON_CreateObject();
    for (size_t i = 0; i < tags->count; i++)
        cJSON_AddStringToObject(o, tags->items[i].key, tags->items[i].value);
    return o;
}

/* World file clusters name no subnets or security groups, so stable
 * ids are derived from the VPC. */
static char *derived_id(const char *prefix, const struct world_cluster *c,
                        const char *what)
{
    char *seed = wfile_printf("%s/%s", c->vpc_id, what);
    char *id = seed ? wfile_derive(prefix, seed, 17, WFILE_LOWER_HEX) : NULL;
    free(seed);
    return id;
}

static cJSON *vpc_config(const struct world_cluster *c)
{
    char *derived[SUBNETS_PER_CLUSTER] = {NULL};
    char *shared = NULL;
    char **subnets = c->subnet_ids, **groups = c->security_group_ids;
    size_t subnet_count = c->subnet_id_count;
    size_t group_count = c->security_group_id_count;
    if (!subnet_count) {
        for (int i = 0; i < SUBNETS_PER_CLUSTER; i++) {
            char what[16];
            snprintf(what, sizeof(what), "subnet-%d", i);
            derived[i] = derived_id("subnet-", c, what);
        }
        shared = derived_id("sg-", c, "control-plane-sg");
        subnets = derived;
        subnet_count = SUBNETS_PER_CLUSTER;
        groups = &shared;
        group_count = 1;
    }
    char *sg = world_cluster_security_group(c);
    cJSON *v = cJSON_CreateObject();
    cJSON_AddItemToObject(v, "subnetIds", string_array(subnets, subnet_count));
    cJSON_AddItemToObject(v, "securityGroupIds",
                          string_array(groups, group_count));
    cJSON_AddStringToObject(v, "clusterSecurityGroupId", sg ? sg : "");
    cJSON_AddStringToObject(v, "vpcId", c->vpc_id);
    cJSON_AddBoolToObject(v, "endpointPublicAccess", 1);
    cJSON_AddBoolToObject(v, "endpointPrivateAccess", 0);
    char *everywhere = "0.0.0.0/0";
    cJSON_AddItemToObject(v, "publicAccessCidrs",
                          string_array(&everywhere, 1));
    for (int i = 0; i < SUBNETS_PER_CLUSTER; i++)
        free(derived[i]);
    free(sg);
    free(shared);
    return v;
}

/* certificateAuthority.data: the CA PEM, base64-encoded once more, as
 * EKS sends it. */
static cJSON *certificate_authority(const struct world *w)
{
    const char *pem = w->ca_pem ? w->ca_pem : "";
    size_t len = strlen(pem);
    char *data = malloc(4 * ((len + 2) / 3) + 1);
    cJSON *o = cJSON_CreateObject();
    if (data) {
        EVP_EncodeBlock((unsigned char *)data, (const unsigned char *)pem,
                        (int)len);
        cJSON_AddStringToObject(o, "data", data);
    }
    free(data);
    return o;
}

static cJSON *logging_config(void)
{
    static char *types[] = {
        "api", "audit", "authenticator", "controllerManager", "scheduler",
    };
    cJSON *setup = cJSON_CreateObject();
    cJSON_AddItemToObject(setup, "types", string_array(types, 5));
    cJSON_AddBoolToObject(setup, "enabled", 0);
    cJSON *logging = cJSON_CreateObject();
    cJSON *list = cJSON_AddArrayToObject(logging, "clusterLogging");
    cJSON_AddItemToArray(list, setup);
    return logging;
}

static cJSON *cluster_json(const struct world *w, const struct world_cluster *c)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "name", c->name);
    cJSON_AddStringToObject(o, "arn", c->arn);
    cJSON_AddNumberToObject(o, "createdAt",
                            (double)awsreply_parse_time(c->created));
    cJSON_AddStringToObject(o, "version", c->version);
    cJSON_AddStringToObject(o, "endpoint", c->endpoint);
    cJSON_AddStringToObject(o, "roleArn", c->role_arn);
    cJSON_AddItemToObject(o, "resourcesVpcConfig", vpc_config(c));
    cJSON *net = cJSON_AddObjectToObject(o, "kubernetesNetworkConfig");
    cJSON_AddStringToObject(net, "serviceIpv4Cidr", "10.100.0.0/16");
    cJSON_AddStringToObject(net, "ipFamily", "ipv4");
    cJSON_AddItemToObject(o, "logging", logging_config());
    if (c->oidc_issuer) {
        cJSON *identity = cJSON_AddObjectToObject(o, "identity");
        cJSON *oidc = cJSON_AddObjectToObject(identity, "oidc");
        cJSON_AddStringToObject(oidc, "issuer", c->oidc_issuer);
    }
    cJSON_AddStringToObject(o, "status", c->status);
    cJSON_AddItemToObject(o, "certificateAuthority", certificate_authority(w));
    cJSON_AddStringToObject(o, "platformVersion", c->platform_version);
    cJSON_AddItemToObject(o, "tags", aws_eks_tags_json(&c->tags));
    cJSON *access = cJSON_AddObjectToObject(o, "accessConfig");
    cJSON_AddStringToObject(access, "authenticationMode",
                            "API_AND_CONFIG_MAP");
    return o;
}

struct world_cluster *aws_eks_find_cluster(struct awsreply *r,
                                           const char *name)
{
    struct world_cluster *c = world_cluster(r->world, r->region, name);
    if (!c)
        not_found(r, "No cluster found for name: %s.", name);
    return c;
}

static void describe_cluster(struct awsreply *r, const char *name)
{
    const struct world_cluster *c = aws_eks_find_cluster(r, name);
    if (!c)
        return;
    cJSON *body = cJSON_CreateObject();
    cJSON_AddItemToObject(body, "cluster", cluster_json(r->world, c));
    awsreply_json(r, 200, body);
}

static void list_nodegroups(struct awsreply *r, const char *name)
{
    const struct world_cluster *c = aws_eks_find_cluster(r, name);
    size_t start;
    long max;
    if (!c || aws_eks_read_page(r, &max, &start, c->nodegroup_count) < 0)
        return;
    cJSON *body = cJSON_CreateObject();
    cJSON *names = cJSON_AddArrayToObject(body, "nodegroups");
    for (size_t i = start; i < c->nodegroup_count &&
                           i < start + (size_t)max; i++)
        cJSON_AddItemToArray(names,
                             cJSON_CreateString(c->nodegroups[i].name));
    aws_eks_add_next_token(body, start + (size_t)max, c->nodegroup_count);
    awsreply_json(r, 200, body);
}

static cJSON *nodegroup_json(const struct awsreply *r,
                             const struct world_cluster *c,
                             const struct world_nodegroup *ng)
{
    cJSON *o = cJSON_CreateObject();
    char *arn = wfile_printf("arn:aws:eks:%s:%s:nodegroup/%s/%s/%s",
                             c->region, r->world->account_id, c->name,
                             ng->name, c->vpc_id + 4);
    cJSON_AddStringToObject(o, "nodegroupName", ng->name);
    cJSON_AddStringToObject(o, "nodegroupArn", arn ? arn : "");
    cJSON_AddStringToObject(o, "clusterName", c->name);
    cJSON_AddStringToObject(o, "version", c->version);
    cJSON_AddNumberToObject(o, "createdAt",
                            (double)awsreply_parse_time(c->created));
    cJSON_AddStringToObject(o, "status", ng->status);
    cJSON_AddStringToObject(o, "capacityType", "ON_DEMAND");
    cJSON *scaling = cJSON_AddObjectToObject(o, "scalingConfig");
    cJSON_AddNumberToObject(scaling, "minSize", ng->min);
    cJSON_AddNumberToObject(scaling, "maxSize", ng->max);
    cJSON_AddNumberToObject(scaling, "desiredSize", ng->desired);
    char *type = ng->instance_type;
    cJSON_AddItemToObject(o, "instanceTypes", string_array(&type, 1));
    cJSON_AddStringToObject(o, "amiType", "AL2_x86_64");
    if (ng->node_role)
        cJSON_AddStringToObject(o, "nodeRole", ng->node_role);
    cJSON *labels = cJSON_AddObjectToObject(o, "labels");
    cJSON_AddStringToObject(labels, "alpha.eksctl.io/nodegroup-name",
                            ng->name);
    free(arn);
    return o;
}

static void describe_nodegroup(struct awsreply *r, const char *name,
                               const char *nodegroup)
{
    const struct world_cluster *c = aws_eks_find_cluster(r, name);
    if (!c)
        return;
    for (size_t i = 0; i < c->nodegroup_count; i++) {
        if (strcmp(c->nodegroups[i].name, nodegroup) != 0)
            continue;
        cJSON *body = cJSON_CreateObject();
        cJSON_AddItemToObject(body, "nodegroup",
                              nodegroup_json(r, c, &c->nodegroups[i]));
        awsreply_json(r, 200, body);
        return;
    }
    not_found(r, "No node group found for name: %s.", nodegroup);
}

/* Splits "/clusters/NAME/node-groups/NG" into at most four segments. */
static size_t split_path(const char *path, char segments[4][128])
{
    size_t n = 0;
    while (*path == '/' && n < 4) {
        const char *start = path + 1;
        const char *end = strchr(start, '/');
        size_t len = end ? (size_t)(end - start) : strlen(start);
        if (len == 0 || len >= sizeof(segments[0]))
            return 0;
        memcpy(segments[n], start, len);
        segments[n++][len] = '\0';
        path = start + len;
    }
    return *path ? 0 : n;
}

void aws_eks_serve(struct awsreply *r)
{
    char seg[4][128];
    if (aws_eks_serve_tags(r))
        return;
    size_t n = split_path(r->req->path, seg);
    int get = strcmp(r->req->method, "GET") == 0;
    if (get && n == 1 && strcmp(seg[0], "clusters") == 0)
        list_clusters(r);
    else if (get && n == 2 && strcmp(seg[0], "clusters") == 0)
        describe_cluster(r, seg[1]);
    else if (get && n == 3 && strcmp(seg[0], "clusters") == 0 &&
             strcmp(seg[2], "node-groups") == 0)
        list_nodegroups(r, seg[1]);
    else if (get && n == 4 && strcmp(seg[0], "clusters") == 0 &&
             strcmp(seg[2], "node-groups") == 0)
        describe_nodegroup(r, seg[1], seg[3]);
    else if (n >= 3 && strcmp(seg[0], "clusters") == 0 &&
             strcmp(seg[2], "pod-identity-associations") == 0)
        aws_eks_pod_identity_serve(r, seg[1], n == 4 ? seg[3] : NULL);
    else if (n >= 3 && strcmp(seg[0], "clusters") == 0 &&
             strcmp(seg[2], "addons") == 0)
        aws_eks_addon_serve(r, seg[1], n == 4 ? seg[3] : NULL);
    else
        awsreply_error(r, 404, "UnknownOperationException", "albatross-sandbox "
                       "does not serve %s %s", r->req->method, r->req->path);
}
