/* Template building blocks and stack names. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfn_internal.h"

const char *const cfn_resource_types[] = {
    "AWS::EC2::VPC",
    "AWS::EC2::Subnet",
    "AWS::EC2::InternetGateway",
    "AWS::EC2::VPCGatewayAttachment",
    "AWS::EC2::EIP",
    "AWS::EC2::NatGateway",
    "AWS::EC2::RouteTable",
    "AWS::EC2::Route",
    "AWS::EC2::SubnetRouteTableAssociation",
    "AWS::EC2::SecurityGroup",
    "AWS::EC2::SecurityGroupIngress",
    "AWS::EC2::SecurityGroupEgress",
    "AWS::IAM::Role",
    "AWS::IAM::Policy",
    "AWS::IAM::ManagedPolicy",
    "AWS::IAM::InstanceProfile",
    "AWS::EKS::Cluster",
    "AWS::EKS::Nodegroup",
    NULL,
};

cJSON *cfn_need(cJSON *node)
{
    if (!node) {
        fputs("albatross: out of memory\n", stderr);
        abort();
    }
    return node;
}

void cfn_put(cJSON *object, const char *key, cJSON *value)
{
    if (!cJSON_AddItemToObject(object, key, cfn_need(value)))
        cfn_need(NULL);
}

void cfn_append(cJSON *array, cJSON *value)
{
    if (!cJSON_AddItemToArray(array, cfn_need(value)))
        cfn_need(NULL);
}

cJSON *cfn_string(const char *value)
{
    return cfn_need(cJSON_CreateString(value));
}

void cfn_put_string(cJSON *object, const char *key, const char *value)
{
    cfn_put(object, key, cfn_string(value));
}

static cJSON *function(const char *name, cJSON *argument)
{
    cJSON *f = cfn_need(cJSON_CreateObject());
    cfn_put(f, name, argument);
    return f;
}

cJSON *cfn_ref(const char *logical_id)
{
    return function("Ref", cfn_string(logical_id));
}

cJSON *cfn_get_att(const char *logical_id, const char *attribute)
{
    cJSON *args = cfn_need(cJSON_CreateArray());
    cfn_append(args, cfn_string(logical_id));
    cfn_append(args, cfn_string(attribute));
    return function("Fn::GetAtt", args);
}

cJSON *cfn_sub(const char *text)
{
    return function("Fn::Sub", cfn_string(text));
}

cJSON *cfn_import(const char *export_name)
{
    return function("Fn::ImportValue", cfn_string(export_name));
}

cJSON *cfn_zone_select(size_t index)
{
    cJSON *args = cfn_need(cJSON_CreateArray());
    cfn_append(args, cfn_need(cJSON_CreateNumber((double)index)));
    cfn_append(args, function("Fn::GetAZs", cfn_string("")));
    return function("Fn::Select", args);
}

cJSON *cfn_aws_policy_arn(const char *name)
{
    char text[160];
    snprintf(text, sizeof(text), "arn:${AWS::Partition}:iam::aws:policy/%s",
             name);
    return cfn_sub(text);
}

cJSON *cfn_new_template(const char *description)
{
    cJSON *t = cfn_need(cJSON_CreateObject());
    cfn_put_string(t, "AWSTemplateFormatVersion", "2010-09-09");
    cfn_put_string(t, "Description", description);
    cfn_put(t, "Resources", cJSON_CreateObject());
    cfn_put(t, "Outputs", cJSON_CreateObject());
    return t;
}

cJSON *cfn_add_resource(cJSON *template, const char *id, const char *type)
{
    cJSON *resource = cfn_need(cJSON_CreateObject());
    cfn_put_string(resource, "Type", type);
    cJSON *properties = cfn_need(cJSON_CreateObject());
    cfn_put(resource, "Properties", properties);
    cfn_put(cJSON_GetObjectItemCaseSensitive(template, "Resources"), id,
            resource);
    return properties;
}

void cfn_depends_on(cJSON *template, const char *id, const char *on)
{
    cJSON *resources = cJSON_GetObjectItemCaseSensitive(template,
                                                        "Resources");
    cJSON *resource = cJSON_GetObjectItemCaseSensitive(resources, id);
    cJSON *list = cJSON_GetObjectItemCaseSensitive(resource, "DependsOn");
    if (!list) {
        list = cfn_need(cJSON_CreateArray());
        cfn_put(resource, "DependsOn", list);
    }
    cfn_append(list, cfn_string(on));
}

void cfn_add_output(cJSON *template, const char *name, cJSON *value,
                    int export_it)
{
    cJSON *output = cfn_need(cJSON_CreateObject());
    cfn_put(output, "Value", value);
    if (export_it) {
        char text[160];
        snprintf(text, sizeof(text), "${AWS::StackName}::%s", name);
        cJSON *export_object = cfn_need(cJSON_CreateObject());
        cfn_put(export_object, "Name", cfn_sub(text));
        cfn_put(output, "Export", export_object);
    }
    cfn_put(cJSON_GetObjectItemCaseSensitive(template, "Outputs"), name,
            output);
}

void cfn_add_tag(cJSON *list, const char *key, const char *value)
{
    cJSON *tag = cfn_need(cJSON_CreateObject());
    cfn_put_string(tag, "Key", key);
    cfn_put_string(tag, "Value", value);
    cfn_append(list, tag);
}

cJSON *cfn_tag_list(const char *name, const struct ccfg_map *tags)
{
    cJSON *list = cfn_need(cJSON_CreateArray());
    if (name) {
        char text[160];
        snprintf(text, sizeof(text), "${AWS::StackName}/%s", name);
        cJSON *tag = cfn_need(cJSON_CreateObject());
        cfn_put_string(tag, "Key", "Name");
        cfn_put(tag, "Value", cfn_sub(text));
        cfn_append(list, tag);
    }
    for (size_t i = 0; tags && i < tags->count; i++)
        cfn_add_tag(list, tags->items[i].key, tags->items[i].value);
    return list;
}

void cfn_zone_suffix(const struct ccfg *c, size_t i, char *out, size_t len)
{
    if (i >= c->zone_count) {
        snprintf(out, len, "AZ%zu", i + 1);
        return;
    }
    size_t n = 0;
    for (const char *p = c->zones[i]; *p && n + 1 < len; p++)
        if (isalnum((unsigned char)*p))
            out[n++] = (char)toupper((unsigned char)*p);
    out[n] = '\0';
}

size_t cfn_zone_count(const struct ccfg *c)
{
    return c->zone_count ? c->zone_count : c->default_zone_count;
}

void cfn_cluster_stack_name(const struct ccfg *c, char *out, size_t len)
{
    snprintf(out, len, "eksctl-%s-cluster", c->name);
}

void cfn_nodegroup_stack_name(const struct ccfg *c,
                              const struct ccfg_nodegroup *ng, char *out,
                              size_t len)
{
    snprintf(out, len, "eksctl-%s-nodegroup-%s", c->name, ng->name);
}

void cfn_service_account_stack_name(const struct ccfg *c,
                                    const struct ccfg_service_account *sa,
                                    char *out, size_t len)
{
    snprintf(out, len, "eksctl-%s-addon-iamserviceaccount-%s-%s", c->name,
             sa->namespace_name, sa->name);
}
