/*
 * The node group stacks (eksctl-CLUSTER-nodegroup-NAME) and the IAM
 * service account stacks (eksctl-CLUSTER-addon-iamserviceaccount-NS-NAME).
 * They import the cluster stack's exports, so CloudFormation rejects a
 * deletion of the cluster stack while they exist.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "cfn_internal.h"

#define ID_MAX 64
#define EXPORT_MAX 256

static cJSON *cluster_import(const struct ccfg *c, const char *output)
{
    char stack[160], name[EXPORT_MAX];
    cfn_cluster_stack_name(c, stack, sizeof(stack));
    snprintf(name, sizeof(name), "%s::%s", stack, output);
    return cfn_import(name);
}

/* The node role's managed policies: those eksctl attaches by default
 * when OIDC is off. NOTE: with iam.withOIDC, eksctl moves
 * AmazonEKS_CNI_Policy to an IRSA role for kube-system/aws-node.
 * albatross keeps it on the node role and creates no such service
 * account. */
static const char *const node_policies[] = {
    "AmazonEKSWorkerNodePolicy",
    "AmazonEKS_CNI_Policy",
    "AmazonEC2ContainerRegistryReadOnly",
    "AmazonSSMManagedInstanceCore",
    NULL,
};

static void add_node_role(cJSON *t)
{
    cJSON *p = cfn_add_resource(t, "NodeInstanceRole", "AWS::IAM::Role");
    cfn_put(p, "AssumeRolePolicyDocument",
            cfn_service_trust_policy("ec2.amazonaws.com", 0));
    cJSON *arns = cfn_need(cJSON_CreateArray());
    for (size_t i = 0; node_policies[i]; i++)
        cfn_append(arns, cfn_aws_policy_arn(node_policies[i]));
    cfn_put(p, "ManagedPolicyArns", arns);
    cfn_put_string(p, "Path", "/");
    cfn_put(p, "Tags", cfn_tag_list("NodeInstanceRole", NULL));
}

static cJSON *nodegroup_subnets(const struct ccfg *c,
                                const struct ccfg_nodegroup *ng)
{
    cJSON *list = cfn_need(cJSON_CreateArray());
    const char *kind = ng->private_networking ? "Private" : "Public";
    if (c->vpc_id) {
        for (size_t i = 0; i < c->subnet_count; i++)
            if (c->subnets[i].is_private == ng->private_networking)
                cfn_append(list, cfn_string(c->subnets[i].id));
        return list;
    }
    for (size_t i = 0; i < cfn_zone_count(c); i++) {
        char suffix[ID_MAX], output[ID_MAX];
        cfn_zone_suffix(c, i, suffix, sizeof(suffix));
        snprintf(output, sizeof(output), "Subnet%s%s", kind, suffix);
        cfn_append(list, cluster_import(c, output));
    }
    return list;
}

/* Graviton families (m6g, c7gn, t4g ...) need the ARM64 image. */
static const char *ami_type(const char *instance_type)
{
    const char *p = instance_type;
    while (*p && isalpha((unsigned char)*p))
        p++;
    while (*p && isdigit((unsigned char)*p))
        p++;
    while (*p && *p != '.' && *p != 'g')
        p++;
    return *p == 'g' ? "AL2023_ARM_64_STANDARD" : "AL2023_x86_64_STANDARD";
}

static cJSON *string_map(const struct ccfg_map *m)
{
    cJSON *object = cfn_need(cJSON_CreateObject());
    for (size_t i = 0; i < m->count; i++)
        cfn_put_string(object, m->items[i].key, m->items[i].value);
    return object;
}

static void add_managed_nodegroup(cJSON *t, const struct ccfg *c,
                                  const struct ccfg_nodegroup *ng)
{
    cJSON *p = cfn_add_resource(t, "ManagedNodeGroup", "AWS::EKS::Nodegroup");
    cfn_put_string(p, "ClusterName", c->name);
    cfn_put_string(p, "NodegroupName", ng->name);
    cJSON *scaling = cfn_need(cJSON_CreateObject());
    cfn_put(scaling, "MinSize", cJSON_CreateNumber(ng->min_size));
    cfn_put(scaling, "MaxSize", cJSON_CreateNumber(ng->max_size));
    cfn_put(scaling, "DesiredSize", cJSON_CreateNumber(ng->desired_capacity));
    cfn_put(p, "ScalingConfig", scaling);
    cfn_put(p, "Subnets", nodegroup_subnets(c, ng));
    cfn_put(p, "NodeRole", cfn_get_att("NodeInstanceRole", "Arn"));
    cJSON *types = cfn_need(cJSON_CreateArray());
    cfn_append(types, cfn_string(ng->instance_type));
    cfn_put(p, "InstanceTypes", types);
    cfn_put_string(p, "AmiType", ami_type(ng->instance_type));
    /* eksctl sets the volume in a launch template; without one, DiskSize
     * gives the same root volume. */
    cfn_put(p, "DiskSize", cJSON_CreateNumber(ng->volume_size));
    struct ccfg_map labels = { NULL, 0 };
    ccfg_map_add(&labels, "alpha.eksctl.io/cluster-name", c->name);
    ccfg_map_add(&labels, "alpha.eksctl.io/nodegroup-name", ng->name);
    cJSON *label_object = string_map(&labels);
    ccfg_map_free(&labels);
    for (size_t i = 0; i < ng->labels.count; i++)
        cfn_put_string(label_object, ng->labels.items[i].key,
                       ng->labels.items[i].value);
    cfn_put(p, "Labels", label_object);
    /* eksctl's node group tags, then the group's, then the cluster's
     * where the group did not set the key. */
    cJSON *tags = string_map(&ng->tags);
    cfn_put_string(tags, "alpha.eksctl.io/nodegroup-name", ng->name);
    cfn_put_string(tags, "alpha.eksctl.io/nodegroup-type", "managed");
    for (size_t i = 0; i < c->tags.count; i++)
        if (!cJSON_HasObjectItem(tags, c->tags.items[i].key))
            cfn_put_string(tags, c->tags.items[i].key,
                           c->tags.items[i].value);
    cfn_put(p, "Tags", tags);
}

static void add_rule(cJSON *t, const char *id, const char *type,
                     cJSON *group, const char *peer_key, cJSON *peer,
                     int from_port, int to_port, const char *description)
{
    cJSON *p = cfn_add_resource(t, id, type);
    cfn_put_string(p, "Description", description);
    cfn_put(p, "GroupId", group);
    cfn_put(p, peer_key, peer);
    cfn_put_string(p, "IpProtocol", "tcp");
    cfn_put(p, "FromPort", cJSON_CreateNumber(from_port));
    cfn_put(p, "ToPort", cJSON_CreateNumber(to_port));
}

/* TODO: the launch template and Auto Scaling group of an unmanaged node
 * group are not built (the sandbox's CloudFormation has neither type),
 * so the stack creates the role, profile and security group but no
 * nodes. */
static void add_unmanaged_nodegroup(cJSON *t, const struct ccfg *c,
                                    const struct ccfg_nodegroup *ng)
{
    cJSON *p = cfn_add_resource(t, "NodeInstanceProfile",
                                "AWS::IAM::InstanceProfile");
    cfn_put_string(p, "Path", "/");
    cJSON *roles = cfn_need(cJSON_CreateArray());
    cfn_append(roles, cfn_ref("NodeInstanceRole"));
    cfn_put(p, "Roles", roles);

    char description[192], cluster_tag[160];
    snprintf(description, sizeof(description), "Communication between the "
             "control plane and worker nodes in group %s", ng->name);
    snprintf(cluster_tag, sizeof(cluster_tag), "kubernetes.io/cluster/%s",
             c->name);
    p = cfn_add_resource(t, "SG", "AWS::EC2::SecurityGroup");
    cfn_put_string(p, "GroupDescription", description);
    cfn_put(p, "VpcId", cluster_import(c, "VPC"));
    cJSON *tags = cfn_tag_list("SG", NULL);
    cfn_add_tag(tags, cluster_tag, "owned");
    cfn_put(p, "Tags", tags);

    const char *ingress = "AWS::EC2::SecurityGroupIngress";
    const char *egress = "AWS::EC2::SecurityGroupEgress";
    add_rule(t, "IngressInterCluster", ingress, cfn_ref("SG"),
             "SourceSecurityGroupId", cluster_import(c, "SecurityGroup"),
             1025, 65535, "Allow worker nodes in group to communicate with "
             "control plane (kubelet and workload TCP ports)");
    add_rule(t, "IngressInterClusterAPI", ingress, cfn_ref("SG"),
             "SourceSecurityGroupId", cluster_import(c, "SecurityGroup"),
             443, 443, "Allow worker nodes in group to communicate with "
             "control plane (workloads using HTTPS port)");
    add_rule(t, "IngressInterClusterCP", ingress,
             cluster_import(c, "SecurityGroup"), "SourceSecurityGroupId",
             cfn_ref("SG"), 443, 443, "Allow control plane to receive API "
             "requests from worker nodes in group");
    add_rule(t, "EgressInterCluster", egress,
             cluster_import(c, "SecurityGroup"), "DestinationSecurityGroupId",
             cfn_ref("SG"), 1025, 65535, "Allow control plane to communicate "
             "with worker nodes in group (kubelet and workload TCP ports)");
    cfn_add_output(t, "InstanceProfileARN",
                   cfn_get_att("NodeInstanceProfile", "Arn"), 1);
}

cJSON *cfn_nodegroup_template(const struct ccfg *c,
                              const struct ccfg_nodegroup *ng)
{
    cJSON *t = cfn_new_template(ng->managed
        ? "EKS Managed Nodes (SSH access: false) [created by albatross, in "
          "eksctl's format]"
        : "EKS nodes (AMI family: AmazonLinux2023, SSH access: false) "
          "[created by albatross, in eksctl's format]");
    add_node_role(t);
    if (ng->managed)
        add_managed_nodegroup(t, c, ng);
    else
        add_unmanaged_nodegroup(t, c, ng);
    cfn_add_output(t, "InstanceRoleARN",
                   cfn_get_att("NodeInstanceRole", "Arn"), 1);
    cfn_add_output(t, "FeaturePrivateNetworking",
                   cfn_string(ng->private_networking ? "true" : "false"), 0);
    return t;
}

/* The IRSA trust policy: only this service account's tokens, issued by
 * this cluster for STS, may assume the role. */
static cJSON *irsa_trust_policy(const struct ccfg_service_account *sa,
                                const char *issuer)
{
    char text[EXPORT_MAX + 64], key[EXPORT_MAX + 8], subject[192];
    cJSON *doc = cfn_need(cJSON_CreateObject());
    cfn_put_string(doc, "Version", "2012-10-17");
    cJSON *st = cfn_need(cJSON_CreateObject());
    cfn_put_string(st, "Effect", "Allow");
    cJSON *actions = cfn_need(cJSON_CreateArray());
    cfn_append(actions, cfn_string("sts:AssumeRoleWithWebIdentity"));
    cfn_put(st, "Action", actions);
    cJSON *principal = cfn_need(cJSON_CreateObject());
    snprintf(text, sizeof(text), "arn:${AWS::Partition}:iam::"
             "${AWS::AccountId}:oidc-provider/%s", issuer);
    cfn_put(principal, "Federated", cfn_sub(text));
    cfn_put(st, "Principal", principal);
    cJSON *equals = cfn_need(cJSON_CreateObject());
    snprintf(key, sizeof(key), "%s:sub", issuer);
    snprintf(subject, sizeof(subject), "system:serviceaccount:%s:%s",
             sa->namespace_name, sa->name);
    cfn_put_string(equals, key, subject);
    snprintf(key, sizeof(key), "%s:aud", issuer);
    cfn_put_string(equals, key, "sts.amazonaws.com");
    cJSON *condition = cfn_need(cJSON_CreateObject());
    cfn_put(condition, "StringEquals", equals);
    cfn_put(st, "Condition", condition);
    cJSON *statements = cfn_need(cJSON_CreateArray());
    cfn_append(statements, st);
    cfn_put(doc, "Statement", statements);
    return doc;
}

/* An AWS::IAM::Policy on Role1, named after the stack as eksctl names
 * its inline policies. */
static void add_role_policy(cJSON *t, const char *logical_id,
                            const char *document)
{
    char name[96];
    snprintf(name, sizeof(name), "${AWS::StackName}-%s", logical_id);
    cJSON *q = cfn_add_resource(t, logical_id, "AWS::IAM::Policy");
    cfn_put(q, "PolicyName", cfn_sub(name));
    cfn_put(q, "PolicyDocument", cJSON_Parse(document));
    cJSON *roles = cfn_need(cJSON_CreateArray());
    cfn_append(roles, cfn_ref("Role1"));
    cfn_put(q, "Roles", roles);
}

cJSON *cfn_service_account_template(const struct ccfg *c,
                                    const struct ccfg_service_account *sa,
                                    const char *issuer,
                                    const char *lbc_policy)
{
    char description[192];
    (void)c;
    snprintf(description, sizeof(description), "IAM role for serviceaccount "
             "\"%s/%s\" [created by albatross, in eksctl's format]",
             sa->namespace_name, sa->name);
    cJSON *t = cfn_new_template(description);
    cJSON *p = cfn_add_resource(t, "Role1", "AWS::IAM::Role");
    cfn_put(p, "AssumeRolePolicyDocument", irsa_trust_policy(sa, issuer));
    if (sa->policy_arn_count) {
        cJSON *arns = cfn_need(cJSON_CreateArray());
        for (size_t i = 0; i < sa->policy_arn_count; i++)
            cfn_append(arns, cfn_string(sa->policy_arns[i]));
        cfn_put(p, "ManagedPolicyArns", arns);
    }
    if (sa->role_name)
        cfn_put_string(p, "RoleName", sa->role_name);
    if (sa->inline_policy)
        add_role_policy(t, "Policy1", sa->inline_policy);
    if (sa->lb_controller && lbc_policy)
        add_role_policy(t, "PolicyAWSLoadBalancerController", lbc_policy);
    cfn_add_output(t, "Role1", cfn_get_att("Role1", "Arn"), 0);
    return t;
}
