/*
 * The ClusterConfig reader: eksctl's defaults and which values they set,
 * one broken file per validation rule with the message it must give,
 * the writer's round trip, and the templates' subnet and NAT layout.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/cfn.h"
#include "../../src/clusterconfig.h"
#include "../../src/plan.h"

#define HEADER "apiVersion: eksctl.io/v1alpha5\nkind: ClusterConfig\n"
#define METADATA "metadata:\n  name: demo\n  region: us-west-2\n"

static int load(struct ccfg *c, const char *text, struct ccfg_errors *e)
{
    ccfg_errors_init(e);
    return ccfg_load_string(c, "cluster.yaml", text, strlen(text), e);
}

/* Loads text, which must be valid. */
static void load_ok(struct ccfg *c, const char *text)
{
    struct ccfg_errors e;
    int rc = load(c, text, &e);
    if (rc != 0)
        fail_msg("unexpected errors:\n%s", e.text.data);
    ccfg_errors_cleanup(&e);
}

/* Loads text, which must fail with a message containing expected. */
static void expect_error(const char *text, const char *expected)
{
    struct ccfg c;
    struct ccfg_errors e;
    assert_int_equal(load(&c, text, &e), -1);
    assert_non_null(e.text.data);
    if (!strstr(e.text.data, expected))
        fail_msg("expected \"%s\" in:\n%s", expected, e.text.data);
    ccfg_errors_cleanup(&e);
}

static void defaults_minimal(void **state)
{
    (void)state;
    struct ccfg c;
    load_ok(&c, HEADER METADATA "managedNodeGroups:\n- name: ng-1\n");
    assert_string_equal(c.version, CCFG_DEFAULT_VERSION);
    assert_string_equal(c.vpc_cidr, "192.168.0.0/16");
    assert_int_equal(c.nat, CCFG_NAT_SINGLE);
    assert_int_equal(c.default_zone_count, 3);
    assert_int_equal(c.with_oidc, 0);
    assert_int_equal(c.defaults, CCFG_DEF_VERSION | CCFG_DEF_ZONES |
                     CCFG_DEF_CIDR | CCFG_DEF_NAT | CCFG_DEF_OIDC);
    const struct ccfg_nodegroup *ng = &c.nodegroups[0];
    assert_string_equal(ng->instance_type, "m5.large");
    assert_int_equal(ng->desired_capacity, 2);
    assert_int_equal(ng->min_size, 2);
    assert_int_equal(ng->max_size, 2);
    assert_int_equal(ng->volume_size, 80);
    assert_int_equal(ng->private_networking, 0);
    assert_int_equal(ng->defaults, CCFG_NG_DEF_INSTANCE_TYPE |
                     CCFG_NG_DEF_DESIRED | CCFG_NG_DEF_MIN | CCFG_NG_DEF_MAX |
                     CCFG_NG_DEF_VOLUME | CCFG_NG_DEF_PRIVATE);
    ccfg_cleanup(&c);
}

static void defaults_not_marked_when_given(void **state)
{
    (void)state;
    struct ccfg c;
    load_ok(&c, HEADER METADATA "  version: \"1.31\"\n"
            "vpc:\n  cidr: 10.10.0.0/16\n  nat: {gateway: HighlyAvailable}\n"
            "iam:\n  withOIDC: false\n"
            "nodeGroups:\n- name: ng\n  instanceType: t3.large\n"
            "  desiredCapacity: 3\n  minSize: 1\n  maxSize: 4\n"
            "  volumeSize: 20\n  privateNetworking: true\n");
    assert_string_equal(c.version, "1.31");
    assert_string_equal(c.vpc_cidr, "10.10.0.0/16");
    assert_int_equal(c.nat, CCFG_NAT_HIGHLY_AVAILABLE);
    assert_int_equal(c.defaults, CCFG_DEF_ZONES);
    assert_int_equal(c.nodegroups[0].defaults, 0);
    assert_int_equal(c.nodegroups[0].managed, 0);
    ccfg_cleanup(&c);
}

static void defaults_follow_given_sizes(void **state)
{
    (void)state;
    struct ccfg c;
    load_ok(&c, HEADER METADATA "managedNodeGroups:\n"
            "- name: a\n  desiredCapacity: 5\n"
            "- name: b\n  minSize: 3\n"
            "- name: c\n  maxSize: 1\n"
            "- name: d\n  minSize: 1\n  maxSize: 6\n");
    assert_int_equal(c.nodegroups[0].min_size, 5);
    assert_int_equal(c.nodegroups[0].max_size, 5);
    assert_int_equal(c.nodegroups[1].desired_capacity, 3);
    assert_int_equal(c.nodegroups[1].max_size, 3);
    assert_int_equal(c.nodegroups[2].desired_capacity, 1);
    assert_int_equal(c.nodegroups[2].min_size, 1);
    assert_int_equal(c.nodegroups[3].desired_capacity, 1);
    ccfg_cleanup(&c);
}

static void defaults_zones_and_namespace(void **state)
{
    (void)state;
    struct ccfg c;
    load_ok(&c, HEADER "metadata:\n  name: east\n  region: us-east-1\n"
            "iam:\n  withOIDC: true\n  serviceAccounts:\n"
            "  - metadata: {name: reader}\n"
            "    attachPolicyARNs: [arn:aws:iam::aws:policy/ReadOnlyAccess]\n");
    assert_int_equal(c.default_zone_count, 2);
    assert_string_equal(c.service_accounts[0].namespace_name, "default");
    assert_int_equal(c.service_accounts[0].defaults, CCFG_SA_DEF_NAMESPACE);
    ccfg_cleanup(&c);
    load_ok(&c, HEADER METADATA
            "availabilityZones: [us-west-2a, us-west-2b]\n");
    assert_int_equal(c.zone_count, 2);
    assert_int_equal(c.defaults & CCFG_DEF_ZONES, 0);
    ccfg_cleanup(&c);
}

/* One file a rule, and the message it must produce. */
static const struct {
    const char *yaml;
    const char *message;
} rules[] = {
    {"kind: ClusterConfig\n" METADATA, "apiVersion: missing"},
    {"apiVersion: eksctl.io/v1alpha4\nkind: ClusterConfig\n" METADATA,
     "apiVersion: must be eksctl.io/v1alpha5"},
    {"apiVersion: eksctl.io/v1alpha5\nkind: Cluster\n" METADATA,
     "kind: must be ClusterConfig"},
    {HEADER "metadata:\n  region: us-west-2\n", "metadata.name: missing"},
    {HEADER "metadata:\n  name: 1st\n  region: us-west-2\n",
     "metadata.name: \"1st\" must start with a letter"},
    {HEADER "metadata:\n  name: demo\n", "metadata.region: missing"},
    {HEADER "metadata:\n  name: demo\n  region: west\n",
     "metadata.region: \"west\" is not an AWS region"},
    {HEADER METADATA "  version: 1.30\n",
     "cluster.yaml:6: metadata.version: write the version in quotes"},
    {HEADER METADATA "  version: \"2.x\"\n", "metadata.version: \"2.x\""},
    {HEADER METADATA "  tags: {aws:owner: me}\n",
     "metadata.tags.aws:owner: keys starting with aws: are reserved"},
    {HEADER METADATA "  tags: {alpha.eksctl.io/cluster-name: x}\n",
     "metadata.tags.alpha.eksctl.io/cluster-name: eksctl's tags are set"},
    {HEADER METADATA "  owner: me\n",
     "cluster.yaml:6: metadata.owner: unsupported field"},
    {HEADER METADATA "fargateProfiles: []\n",
     "fargateProfiles: unsupported field"},
    {HEADER METADATA "availabilityZones: [us-west-2a]\n",
     "availabilityZones: EKS needs at least 2 zones"},
    {HEADER METADATA "availabilityZones: [us-west-2a, eu-west-1a]\n",
     "availabilityZones[1]: \"eu-west-1a\" is not a zone of us-west-2"},
    {HEADER METADATA "availabilityZones: [us-west-2a, us-west-2a]\n",
     "availabilityZones[1]: \"us-west-2a\" is listed twice"},
    {HEADER METADATA "vpc:\n  cidr: 10.0.0.1/16\n",
     "vpc.cidr: \"10.0.0.1/16\" must be an IPv4 network from /16 to /24"},
    {HEADER METADATA "vpc:\n  cidr: 10.0.0.0/8\n",
     "vpc.cidr: \"10.0.0.0/8\" must be"},
    {HEADER METADATA "availabilityZones: [us-west-2a, us-west-2b, us-west-2c,"
     " us-west-2d, us-west-2e, us-west-2f, us-west-2g, us-west-2h,"
     " us-west-2i]\nvpc:\n  cidr: 10.0.0.0/24\n",
     "vpc.cidr: 10.0.0.0/24 is too small"},
    {HEADER METADATA "vpc:\n  nat: {gateway: Double}\n",
     "cluster.yaml:7: vpc.nat.gateway: must be Single, HighlyAvailable or "
     "Disable"},
    {HEADER METADATA "vpc:\n  clusterEndpoints: {publicAccess: true}\n",
     "vpc.clusterEndpoints: unsupported field"},
    {HEADER METADATA "vpc:\n  id: vpc-1\n",
     "vpc.id: \"vpc-1\" is not a VPC id"},
    {HEADER METADATA "vpc:\n  subnets:\n    public:\n      us-west-2a: "
     "{id: subnet-0123456789abcdef0}\n",
     "vpc.id: required with vpc.subnets"},
    {HEADER METADATA "vpc:\n  id: vpc-0123456789abcdef0\n",
     "vpc.subnets: an existing VPC needs at least 2 subnets"},
    {HEADER METADATA "vpc:\n  id: vpc-0123456789abcdef0\n  subnets:\n"
     "    public:\n      a: {id: subnet-0123456789abcdef0}\n"
     "      b: {id: bogus}\n",
     "vpc.subnets.public.b.id: invalid"},
    {HEADER METADATA "vpc:\n  id: vpc-0123456789abcdef0\n  subnets:\n"
     "    public:\n      a: {id: subnet-0123456789abcdef0}\n"
     "      b: {id: subnet-0123456789abcdef1}\n"
     "managedNodeGroups:\n- name: ng\n  privateNetworking: true\n",
     "managedNodeGroups[0].privateNetworking: is true, but vpc.subnets has "
     "no private subnets"},
    {HEADER METADATA "nodeGroups:\n- instanceType: m5.large\n",
     "nodeGroups[0].name: missing"},
    {HEADER METADATA "nodeGroups:\n- name: ng_1\n",
     "nodeGroups[0].name: \"ng_1\" must start with a letter"},
    {HEADER METADATA "nodeGroups:\n- name: ng\nmanagedNodeGroups:\n- name: ng\n",
     "managedNodeGroups[0].name: \"ng\" is already used"},
    {HEADER METADATA "managedNodeGroups:\n- name: ng\n  desiredCapacity: 5\n"
     "  minSize: 1\n  maxSize: 3\n",
     "cluster.yaml:8: managedNodeGroups[0].desiredCapacity: must be between "
     "minSize and maxSize"},
    {HEADER METADATA "managedNodeGroups:\n- name: ng\n  minSize: 4\n"
     "  maxSize: 3\n",
     "managedNodeGroups[0].minSize: must not be greater than maxSize"},
    {HEADER METADATA "managedNodeGroups:\n- name: ng\n  desiredCapacity: 0\n"
     "  maxSize: 0\n", "managedNodeGroups[0].maxSize: must be at least 1"},
    {HEADER METADATA "managedNodeGroups:\n- name: ng\n  volumeSize: 0\n",
     "managedNodeGroups[0].volumeSize: must be from 1 to 16384 GiB"},
    {HEADER METADATA "managedNodeGroups:\n- name: ng\n  desiredCapacity: \"2\"\n",
     "managedNodeGroups[0].desiredCapacity: must be a whole number"},
    {HEADER METADATA "managedNodeGroups:\n- name: ng\n  minSize: -1\n",
     "managedNodeGroups[0].minSize: must be a whole number"},
    {HEADER METADATA "managedNodeGroups:\n- name: ng\n  privateNetworking: yes\n",
     "managedNodeGroups[0].privateNetworking: must be true or false"},
    {HEADER METADATA "managedNodeGroups:\n- name: ng\n  instanceType: large\n",
     "managedNodeGroups[0].instanceType: \"large\" is not an EC2 instance type"},
    {HEADER METADATA "managedNodeGroups:\n- name: ng\n  ssh: {allow: true}\n",
     "managedNodeGroups[0].ssh: unsupported field"},
    {HEADER METADATA "managedNodeGroups:\n- name: ng\n  labels: [a, b]\n",
     "managedNodeGroups[0].labels: must be a mapping"},
    {HEADER METADATA "managedNodeGroups:\n- name: ng\n  labels:\n"
     "    alpha.eksctl.io/nodegroup-name: other\n",
     "managedNodeGroups[0].labels.alpha.eksctl.io/nodegroup-name: eksctl's "
     "labels are set"},
    {HEADER METADATA "managedNodeGroups:\n- name: ng\n  tags: {aws:x: y}\n",
     "managedNodeGroups[0].tags.aws:x: keys starting with aws:"},
    {HEADER METADATA "vpc:\n  nat: {gateway: Disable}\nmanagedNodeGroups:\n"
     "- name: ng\n  privateNetworking: true\n",
     "managedNodeGroups[0].privateNetworking: nodes in private subnets need a "
     "NAT gateway"},
    {HEADER METADATA "managedNodeGroups:\n- name: n012345678901234567890123456"
     "789012345678901234567890123456789012345678901234567890123456789\n",
     "managedNodeGroups[0].name: \"n0"},
    {HEADER METADATA "iam:\n  serviceAccounts:\n  - metadata: {name: a}\n"
     "    attachPolicyARNs: [arn:aws:iam::aws:policy/ReadOnlyAccess]\n",
     "iam.withOIDC: must be true for iam.serviceAccounts"},
    {HEADER METADATA "iam:\n  withOIDC: true\n  serviceAccounts:\n"
     "  - attachPolicyARNs: [arn:aws:iam::aws:policy/ReadOnlyAccess]\n",
     "iam.serviceAccounts[0].metadata.name: missing"},
    {HEADER METADATA "iam:\n  withOIDC: true\n  serviceAccounts:\n"
     "  - metadata: {name: My.Reader}\n"
     "    attachPolicyARNs: [arn:aws:iam::aws:policy/ReadOnlyAccess]\n",
     "iam.serviceAccounts[0].metadata.name: \"My.Reader\" must be lower-case"},
    {HEADER METADATA "iam:\n  withOIDC: true\n  serviceAccounts:\n"
     "  - metadata: {name: a, namespace: Kube_System}\n"
     "    attachPolicyARNs: [arn:aws:iam::aws:policy/ReadOnlyAccess]\n",
     "iam.serviceAccounts[0].metadata.namespace: \"Kube_System\""},
    {HEADER METADATA "iam:\n  withOIDC: true\n  serviceAccounts:\n"
     "  - metadata: {name: a}\n",
     "iam.serviceAccounts[0]: give at least one of attachPolicyARNs"},
    {HEADER METADATA "iam:\n  withOIDC: true\n  serviceAccounts:\n"
     "  - metadata: {name: a}\n    attachPolicyARNs: [ReadOnlyAccess]\n",
     "iam.serviceAccounts[0].attachPolicyARNs[0]: \"ReadOnlyAccess\" is not "
     "an IAM policy ARN"},
    {HEADER METADATA "iam:\n  withOIDC: true\n  serviceAccounts:\n"
     "  - metadata: {name: a}\n    attachPolicy: {Version: \"2012-10-17\"}\n",
     "iam.serviceAccounts[0].attachPolicy: must be an IAM policy document"},
    {HEADER METADATA "iam:\n  withOIDC: true\n  serviceAccounts:\n"
     "  - metadata: {name: a}\n    roleName: \"bad name\"\n"
     "    attachPolicyARNs: [arn:aws:iam::aws:policy/ReadOnlyAccess]\n",
     "iam.serviceAccounts[0].roleName: \"bad name\""},
    {HEADER METADATA "iam:\n  withOIDC: true\n  serviceAccounts:\n"
     "  - metadata: {name: a}\n"
     "    attachPolicyARNs: [arn:aws:iam::aws:policy/ReadOnlyAccess]\n"
     "  - metadata: {name: a, namespace: default}\n"
     "    attachPolicyARNs: [arn:aws:iam::aws:policy/ReadOnlyAccess]\n",
     "iam.serviceAccounts[1]: default/a is already listed"},
    {HEADER METADATA "iam:\n  withOIDC: true\n  serviceAccounts:\n"
     "  - metadata: {name: a}\n    wellKnownPolicies: {ebsCSIController: true}\n",
     "iam.serviceAccounts[0].wellKnownPolicies.ebsCSIController: unsupported"},
    {HEADER METADATA "iam:\n  withOIDC: maybe\n",
     "iam.withOIDC: must be true or false"},
    {HEADER METADATA "metadata:\n  name: again\n", "duplicate key \"metadata\""},
    {HEADER "metadata: [a]\n", "metadata: must be a mapping"},
    {"- a\n- b\n", "a ClusterConfig must be a mapping"},
    {HEADER METADATA "nodeGroups: {name: ng}\n",
     "nodeGroups: must be a list of node groups"},
};

static void validation_rules(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(rules) / sizeof(rules[0]); i++) {
        print_message("rule %zu: %s\n", i, rules[i].message);
        expect_error(rules[i].yaml, rules[i].message);
    }
}

static void validation_stack_name_length(void **state)
{
    (void)state;
    char yaml[1024];
    char name[70];
    memset(name, 'a', 63);
    name[63] = '\0';
    snprintf(yaml, sizeof(yaml), HEADER "metadata:\n  name: c%s\n"
             "  region: us-west-2\niam:\n  withOIDC: true\n"
             "  serviceAccounts:\n  - metadata: {name: %s, namespace: %s}\n"
             "    attachPolicyARNs: [arn:aws:iam::aws:policy/ReadOnlyAccess]\n",
             name, name, name);
    expect_error(yaml, "would pass CloudFormation's 128 characters");
}

static void validation_size_limits(void **state)
{
    (void)state;
    struct buf yaml;
    buf_init(&yaml, BUF_MAX_DEFAULT);
    buf_puts(&yaml, HEADER METADATA "  tags:\n");
    for (int i = 0; i < 45; i++)
        buf_printf(&yaml, "    tag%d: v\n", i);
    expect_error(yaml.data, "metadata.tags: has 45 tags; at most 44 fit");
    buf_reset(&yaml);

    buf_printf(&yaml, HEADER METADATA "managedNodeGroups:\n- name: ng\n"
               "  labels: {role: %064d}\n", 0);
    expect_error(yaml.data, "managedNodeGroups[0].labels.role: Kubernetes "
                 "label names and values have at most 63 characters");
    buf_reset(&yaml);

    buf_puts(&yaml, HEADER METADATA "iam:\n  withOIDC: true\n"
             "  serviceAccounts:\n  - metadata: {name: a}\n"
             "    attachPolicy:\n      Statement:\n");
    for (int i = 0; i < 200; i++)
        buf_printf(&yaml, "      - {Effect: Allow, Action: \"s3:GetObject\", "
                   "Resource: \"arn:aws:s3:::bucket-%d/*\"}\n", i);
    expect_error(yaml.data, "iam.serviceAccounts[0].attachPolicy: ");
    expect_error(yaml.data, "IAM allows 10240 for a role's inline policies");
    buf_reset(&yaml);

    buf_puts(&yaml, HEADER METADATA "managedNodeGroups:\n- name: ng\n"
             "  volumeSize: 16385\n");
    expect_error(yaml.data, "cluster.yaml:8: managedNodeGroups[0].volumeSize: "
                 "must be from 1 to 16384 GiB (got 16385)");
    buf_cleanup(&yaml);
}

static void errors_are_all_reported(void **state)
{
    (void)state;
    struct ccfg c;
    struct ccfg_errors e;
    assert_int_equal(load(&c, HEADER METADATA "extra: 1\nmore: 2\n", &e), -1);
    assert_int_equal(e.count, 2);
    assert_non_null(strstr(e.text.data, "cluster.yaml:6: extra:"));
    assert_non_null(strstr(e.text.data, "cluster.yaml:7: more:"));
    ccfg_errors_cleanup(&e);
}

static const char full_config[] =
    HEADER
    "metadata:\n"
    "  name: full\n"
    "  region: eu-west-1\n"
    "  version: \"1.30\"\n"
    "  tags: {team: \"42\", env: \"true\", note: 'a: b'}\n"
    "availabilityZones: [eu-west-1a, eu-west-1b, eu-west-1c]\n"
    "vpc:\n"
    "  cidr: 10.20.0.0/16\n"
    "  nat: {gateway: HighlyAvailable}\n"
    "iam:\n"
    "  withOIDC: true\n"
    "  serviceAccounts:\n"
    "  - metadata: {name: s3-reader, namespace: apps}\n"
    "    attachPolicyARNs: [\"arn:aws:iam::123456789012:policy/Extra\"]\n"
    "    attachPolicy:\n"
    "      Version: \"2012-10-17\"\n"
    "      Statement:\n"
    "      - Effect: Allow\n"
    "        Action: [\"s3:GetObject\", \"s3:ListBucket\"]\n"
    "        Resource: \"*\"\n"
    "        Condition: {Bool: {aws:SecureTransport: \"true\"}}\n"
    "    roleName: s3-reader-role\n"
    "  - metadata: {name: aws-load-balancer-controller, namespace: kube-system}\n"
    "    wellKnownPolicies: {awsLoadBalancerController: true}\n"
    "nodeGroups:\n"
    "- name: self\n"
    "  instanceType: c5.xlarge\n"
    "  minSize: 1\n"
    "  maxSize: 3\n"
    "managedNodeGroups:\n"
    "- name: managed\n"
    "  instanceType: m6g.large\n"
    "  desiredCapacity: 3\n"
    "  minSize: 2\n"
    "  maxSize: 5\n"
    "  volumeSize: 50\n"
    "  privateNetworking: true\n"
    "  labels: {role: worker, \"yes\": \"no\"}\n"
    "  tags: {cost-center: \"0012\"}\n";

static void assert_maps_equal(const struct ccfg_map *a,
                              const struct ccfg_map *b)
{
    assert_int_equal(a->count, b->count);
    for (size_t i = 0; i < a->count; i++) {
        assert_string_equal(a->items[i].key, b->items[i].key);
        assert_string_equal(a->items[i].value, b->items[i].value);
    }
}

static void assert_nodegroups_equal(const struct ccfg_nodegroup *a,
                                    const struct ccfg_nodegroup *b)
{
    assert_string_equal(a->name, b->name);
    assert_int_equal(a->managed, b->managed);
    assert_string_equal(a->instance_type, b->instance_type);
    assert_int_equal(a->desired_capacity, b->desired_capacity);
    assert_int_equal(a->min_size, b->min_size);
    assert_int_equal(a->max_size, b->max_size);
    assert_int_equal(a->volume_size, b->volume_size);
    assert_int_equal(a->private_networking, b->private_networking);
    assert_maps_equal(&a->labels, &b->labels);
    assert_maps_equal(&a->tags, &b->tags);
}

static void assert_accounts_equal(const struct ccfg_service_account *a,
                                  const struct ccfg_service_account *b)
{
    assert_string_equal(a->name, b->name);
    assert_string_equal(a->namespace_name, b->namespace_name);
    assert_int_equal(a->policy_arn_count, b->policy_arn_count);
    for (size_t i = 0; i < a->policy_arn_count; i++)
        assert_string_equal(a->policy_arns[i], b->policy_arns[i]);
    if (a->inline_policy || b->inline_policy)
        assert_string_equal(a->inline_policy, b->inline_policy);
    if (a->role_name || b->role_name)
        assert_string_equal(a->role_name, b->role_name);
    assert_int_equal(a->lb_controller, b->lb_controller);
}

static void assert_configs_equal(const struct ccfg *a, const struct ccfg *b)
{
    assert_string_equal(a->name, b->name);
    assert_string_equal(a->region, b->region);
    assert_string_equal(a->version, b->version);
    assert_maps_equal(&a->tags, &b->tags);
    assert_int_equal(a->zone_count, b->zone_count);
    for (size_t i = 0; i < a->zone_count; i++)
        assert_string_equal(a->zones[i], b->zones[i]);
    assert_int_equal(a->default_zone_count, b->default_zone_count);
    if (a->vpc_cidr || b->vpc_cidr)
        assert_string_equal(a->vpc_cidr, b->vpc_cidr);
    if (a->vpc_id || b->vpc_id)
        assert_string_equal(a->vpc_id, b->vpc_id);
    assert_int_equal(a->subnet_count, b->subnet_count);
    for (size_t i = 0; i < a->subnet_count; i++) {
        assert_string_equal(a->subnets[i].name, b->subnets[i].name);
        assert_string_equal(a->subnets[i].id, b->subnets[i].id);
        assert_int_equal(a->subnets[i].is_private, b->subnets[i].is_private);
    }
    assert_int_equal(a->nat, b->nat);
    assert_int_equal(a->with_oidc, b->with_oidc);
    assert_int_equal(a->nodegroup_count, b->nodegroup_count);
    for (size_t i = 0; i < a->nodegroup_count; i++)
        assert_nodegroups_equal(&a->nodegroups[i], &b->nodegroups[i]);
    assert_int_equal(a->service_account_count, b->service_account_count);
    for (size_t i = 0; i < a->service_account_count; i++)
        assert_accounts_equal(&a->service_accounts[i],
                              &b->service_accounts[i]);
}

/* read -> write -> read gives the same config, and writing it again gives
 * the same text. */
static void round_trip(const char *yaml)
{
    struct ccfg first, second;
    struct buf written, again;
    load_ok(&first, yaml);
    buf_init(&written, BUF_MAX_DEFAULT);
    assert_int_equal(ccfg_write(&first, &written), 0);
    load_ok(&second, written.data);
    assert_configs_equal(&first, &second);
    buf_init(&again, BUF_MAX_DEFAULT);
    assert_int_equal(ccfg_write(&second, &again), 0);
    assert_string_equal(written.data, again.data);
    buf_cleanup(&written);
    buf_cleanup(&again);
    ccfg_cleanup(&first);
    ccfg_cleanup(&second);
}

static void round_trip_full(void **state)
{
    (void)state;
    round_trip(full_config);
}

static void round_trip_minimal(void **state)
{
    (void)state;
    round_trip(HEADER METADATA);
}

static void round_trip_existing_vpc(void **state)
{
    (void)state;
    round_trip(HEADER METADATA "vpc:\n  id: vpc-0123456789abcdef0\n"
               "  subnets:\n    private:\n"
               "      us-west-2a: {id: subnet-0123456789abcdef0}\n"
               "      us-west-2b: {id: subnet-0123456789abcdef1, "
               "az: us-west-2b, cidr: 10.0.1.0/24}\n"
               "managedNodeGroups:\n- name: ng\n  privateNetworking: true\n");
}

static void writer_quotes_typed_strings(void **state)
{
    (void)state;
    struct ccfg c;
    struct buf out;
    load_ok(&c, full_config);
    buf_init(&out, BUF_MAX_DEFAULT);
    assert_int_equal(ccfg_write(&c, &out), 0);
    assert_non_null(strstr(out.data, "version: \"1.30\""));
    assert_non_null(strstr(out.data, "team: \"42\""));
    assert_non_null(strstr(out.data, "env: \"true\""));
    assert_non_null(strstr(out.data, "cost-center: \"0012\""));
    assert_non_null(strstr(out.data, "desiredCapacity: 3\n"));
    assert_non_null(strstr(out.data, "withOIDC: true\n"));
    buf_cleanup(&out);
    ccfg_cleanup(&c);
}

static size_t count_type(const cJSON *template, const char *type)
{
    size_t n = 0;
    const cJSON *r;
    cJSON_ArrayForEach(r, cJSON_GetObjectItem(template, "Resources"))
        if (strcmp(cJSON_GetObjectItem(r, "Type")->valuestring, type) == 0)
            n++;
    return n;
}

static const char *property(const cJSON *template, const char *id,
                            const char *name)
{
    const cJSON *r = cJSON_GetObjectItem(cJSON_GetObjectItem(template,
                                         "Resources"), id);
    assert_non_null(r);
    const cJSON *p = cJSON_GetObjectItem(cJSON_GetObjectItem(r, "Properties"),
                                         name);
    return cJSON_GetStringValue(p);
}

static void template_subnet_layout(void **state)
{
    (void)state;
    struct ccfg c;
    load_ok(&c, HEADER METADATA
            "availabilityZones: [us-west-2a, us-west-2b, us-west-2c]\n");
    cJSON *t = cfn_cluster_template(&c);
    /* eksctl's layout: eight /19 of the /16, public first. */
    assert_string_equal(property(t, "SubnetPublicUSWEST2A", "CidrBlock"),
                        "192.168.0.0/19");
    assert_string_equal(property(t, "SubnetPublicUSWEST2C", "CidrBlock"),
                        "192.168.64.0/19");
    assert_string_equal(property(t, "SubnetPrivateUSWEST2A", "CidrBlock"),
                        "192.168.96.0/19");
    assert_string_equal(property(t, "SubnetPrivateUSWEST2C", "CidrBlock"),
                        "192.168.160.0/19");
    assert_string_equal(property(t, "SubnetPrivateUSWEST2B",
                                 "AvailabilityZone"), "us-west-2b");
    assert_int_equal(count_type(t, "AWS::EC2::NatGateway"), 1);
    assert_int_equal(count_type(t, "AWS::EC2::Subnet"), 6);
    cJSON_Delete(t);
    ccfg_cleanup(&c);
}

static void template_nat_modes(void **state)
{
    (void)state;
    struct ccfg c;
    load_ok(&c, HEADER METADATA "vpc:\n  nat: {gateway: HighlyAvailable}\n");
    cJSON *t = cfn_cluster_template(&c);
    assert_int_equal(count_type(t, "AWS::EC2::NatGateway"), 3);
    assert_int_equal(count_type(t, "AWS::EC2::EIP"), 3);
    cJSON_Delete(t);
    ccfg_cleanup(&c);
    load_ok(&c, HEADER METADATA "vpc:\n  nat: {gateway: Disable}\n");
    t = cfn_cluster_template(&c);
    assert_int_equal(count_type(t, "AWS::EC2::NatGateway"), 0);
    assert_int_equal(count_type(t, "AWS::EC2::Route"), 1);
    cJSON_Delete(t);
    ccfg_cleanup(&c);
}

static void template_existing_vpc(void **state)
{
    (void)state;
    struct ccfg c;
    load_ok(&c, HEADER METADATA "vpc:\n  id: vpc-0123456789abcdef0\n"
            "  subnets:\n    public:\n"
            "      a: {id: subnet-0123456789abcdef0}\n"
            "      b: {id: subnet-0123456789abcdef1}\n");
    cJSON *t = cfn_cluster_template(&c);
    assert_int_equal(count_type(t, "AWS::EC2::VPC"), 0);
    assert_int_equal(count_type(t, "AWS::EC2::Subnet"), 0);
    assert_int_equal(count_type(t, "AWS::EKS::Cluster"), 1);
    assert_string_equal(property(t, "ControlPlaneSecurityGroup", "VpcId"),
                        "vpc-0123456789abcdef0");
    cJSON_Delete(t);
    ccfg_cleanup(&c);
}

static void plan_delete_order(void **state)
{
    (void)state;
    struct ccfg c;
    struct plan p;
    load_ok(&c, full_config);
    plan_build_delete(&p, &c);
    assert_int_equal(p.count, 6);
    assert_string_equal(p.steps[0].name, "eksctl-full-addon-iamserviceaccount-"
                        "kube-system-aws-load-balancer-controller");
    assert_string_equal(p.steps[1].name,
                        "eksctl-full-addon-iamserviceaccount-apps-s3-reader");
    assert_string_equal(p.steps[2].name, "eksctl-full-nodegroup-managed");
    assert_string_equal(p.steps[3].name, "eksctl-full-nodegroup-self");
    assert_string_equal(p.steps[4].name, "iam:DeleteOpenIDConnectProvider");
    assert_string_equal(p.steps[5].name, "eksctl-full-cluster");
    assert_int_equal(p.steps[5].depend_count, 3);
    plan_cleanup(&p);
    ccfg_cleanup(&c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(defaults_minimal),
        cmocka_unit_test(defaults_not_marked_when_given),
        cmocka_unit_test(defaults_follow_given_sizes),
        cmocka_unit_test(defaults_zones_and_namespace),
        cmocka_unit_test(validation_rules),
        cmocka_unit_test(validation_stack_name_length),
        cmocka_unit_test(validation_size_limits),
        cmocka_unit_test(errors_are_all_reported),
        cmocka_unit_test(round_trip_full),
        cmocka_unit_test(round_trip_minimal),
        cmocka_unit_test(round_trip_existing_vpc),
        cmocka_unit_test(writer_quotes_typed_strings),
        cmocka_unit_test(template_subnet_layout),
        cmocka_unit_test(template_nat_modes),
        cmocka_unit_test(template_existing_vpc),
        cmocka_unit_test(plan_delete_order),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
