/*
 * eksctl's defaults for a ClusterConfig, and the rules a config must
 * follow before any stack is planned. Limits come from eksctl's
 * validation (names usable in stack names) and from AWS (EKS names,
 * CloudFormation's 128-character stack names, IAM's role and policy
 * limits, 50 tags per resource).
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clusterconfig_internal.h"
#include "util.h"

#define STACK_NAME_MAX 128
#define CLUSTER_NAME_MAX 100
#define NODEGROUP_NAME_MAX 63
#define ROLE_NAME_MAX 64
#define INLINE_POLICY_MAX 10240  /* IAM: characters of a role's inline policies */
#define VOLUME_SIZE_MAX 16384    /* GiB, gp2 and gp3 */
#define SUBNET_PREFIX_MAX 28     /* AWS: the smallest subnet is a /28 */
#define TAGS_MAX 50              /* AWS: tags per resource */
#define TAGS_ADDED_MAX 6         /* tags albatross adds to a resource, at most */

static void default_nodegroup(struct ccfg_nodegroup *ng)
{
    unsigned given = ng->given;
    if (!(given & CCFG_NG_DEF_INSTANCE_TYPE))
        ng->instance_type = xstrdup(CCFG_DEFAULT_INSTANCE_TYPE);
    /* A missing count follows the ones given, else two nodes. NOTE:
     * modelled on eksctl's --nodes flags (default 2); eksctl's code for
     * a config file was not checked. */
    if (!(given & CCFG_NG_DEF_DESIRED)) {
        if (given & CCFG_NG_DEF_MIN)
            ng->desired_capacity = ng->min_size;
        else if ((given & CCFG_NG_DEF_MAX) &&
                 ng->max_size < CCFG_DEFAULT_NODE_COUNT)
            ng->desired_capacity = ng->max_size;
        else
            ng->desired_capacity = CCFG_DEFAULT_NODE_COUNT;
    }
    if (!(given & CCFG_NG_DEF_MIN))
        ng->min_size = ng->desired_capacity;
    if (!(given & CCFG_NG_DEF_MAX))
        ng->max_size = ng->desired_capacity > ng->min_size
                           ? ng->desired_capacity : ng->min_size;
    if (!(given & CCFG_NG_DEF_VOLUME))
        ng->volume_size = CCFG_DEFAULT_VOLUME_SIZE;
    ng->defaults = ~given & (CCFG_NG_DEF_INSTANCE_TYPE | CCFG_NG_DEF_DESIRED |
                             CCFG_NG_DEF_MIN | CCFG_NG_DEF_MAX |
                             CCFG_NG_DEF_VOLUME | CCFG_NG_DEF_PRIVATE);
}

void ccfg_apply_defaults(struct ccfg *c)
{
    c->defaults = 0;
    if (!c->version) {
        c->version = xstrdup(CCFG_DEFAULT_VERSION);
        c->defaults |= CCFG_DEF_VERSION;
    }
    /* eksctl picks three zones, two in us-east-1, when none are given. */
    if (c->zone_count == 0 && !c->vpc_id) {
        c->default_zone_count =
            c->region && strcmp(c->region, "us-east-1") == 0 ? 2 : 3;
        c->defaults |= CCFG_DEF_ZONES;
    }
    if (!c->vpc_cidr && !c->vpc_id) {
        c->vpc_cidr = xstrdup(CCFG_DEFAULT_CIDR);
        c->defaults |= CCFG_DEF_CIDR;
    }
    if (!(c->given & CCFG_DEF_NAT)) {
        c->nat = CCFG_NAT_SINGLE;
        c->defaults |= CCFG_DEF_NAT;
    }
    if (!(c->given & CCFG_DEF_OIDC))
        c->defaults |= CCFG_DEF_OIDC;
    for (size_t i = 0; i < c->nodegroup_count; i++)
        default_nodegroup(&c->nodegroups[i]);
    for (size_t i = 0; i < c->service_account_count; i++) {
        struct ccfg_service_account *sa = &c->service_accounts[i];
        sa->defaults = 0;
        if (!sa->namespace_name) {
            sa->namespace_name = xstrdup(CCFG_DEFAULT_NAMESPACE);
            sa->defaults |= CCFG_SA_DEF_NAMESPACE;
        }
    }
}

/* ---- small matchers ---- */

/* A letter, then letters, digits and '-': eksctl's rule for names that
 * become part of stack names. */
static int is_stack_word(const char *s)
{
    if (!s || !isalpha((unsigned char)*s))
        return 0;
    for (; *s; s++)
        if (!isalnum((unsigned char)*s) && *s != '-')
            return 0;
    return 1;
}

/* A Kubernetes DNS-1123 label: at most 63 lower-case letters, digits and
 * '-', starting and ending with a letter or digit. */
static int is_dns_label(const char *s)
{
    size_t len = s ? strlen(s) : 0;
    if (len == 0 || len > 63)
        return 0;
    if (!isalnum((unsigned char)s[0]) || !isalnum((unsigned char)s[len - 1]))
        return 0;
    for (; *s; s++)
        if (!(islower((unsigned char)*s) || isdigit((unsigned char)*s) ||
              *s == '-'))
            return 0;
    return 1;
}

static int has_prefix(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

static int is_region(const char *s)
{
    size_t letters = 0;
    while (islower((unsigned char)s[letters]))
        letters++;
    if (letters != 2 || s[2] != '-')
        return 0;
    const char *last = strrchr(s, '-');
    if (last == s + 2 || !isdigit((unsigned char)last[1]))
        return 0;
    for (const char *p = s; *p; p++)
        if (!islower((unsigned char)*p) && !isdigit((unsigned char)*p) &&
            *p != '-')
            return 0;
    for (const char *p = last + 1; *p; p++)
        if (!isdigit((unsigned char)*p))
            return 0;
    return 1;
}

static int is_version(const char *s)
{
    if (strncmp(s, "1.", 2) != 0)
        return 0;
    size_t digits = strspn(s + 2, "0123456789");
    return digits >= 1 && digits <= 2 && s[2 + digits] == '\0';
}

/* prefix* for the id shapes AWS uses: vpc-0abc..., subnet-0abc... */
static int is_aws_id(const char *s, const char *prefix)
{
    if (!s || !has_prefix(s, prefix))
        return 0;
    s += strlen(prefix);
    size_t hex = strspn(s, "0123456789abcdef");
    return hex >= 8 && hex <= 17 && s[hex] == '\0';
}

int ccfg_subnet_bits(size_t zones)
{
    int bits = 3;
    while (((size_t)1 << bits) < 2 * zones)
        bits++;
    return bits;
}

int ccfg_parse_cidr(const char *s, unsigned long *address, int *prefix)
{
    unsigned a, b, c, d, p;
    char tail;
    if (!s || sscanf(s, "%3u.%3u.%3u.%3u/%2u%c", &a, &b, &c, &d, &p,
                     &tail) != 5)
        return -1;
    if (a > 255 || b > 255 || c > 255 || d > 255 || p > 32)
        return -1;
    unsigned long ip = ((unsigned long)a << 24) | (b << 16) | (c << 8) | d;
    unsigned long mask = p ? (0xffffffffUL << (32 - p)) & 0xffffffffUL : 0;
    if (ip & ~mask & 0xffffffffUL)
        return -1;  /* host bits set: 10.0.0.1/16 */
    *address = ip;
    *prefix = (int)p;
    return 0;
}

static int is_policy_arn(const char *s)
{
    if (!has_prefix(s, "arn:aws"))
        return 0;
    const char *iam = strstr(s, ":iam::");
    if (!iam)
        return 0;
    const char *account = iam + 6;
    size_t digits = strspn(account, "0123456789");
    int aws_managed = has_prefix(account, "aws:");
    if (!aws_managed && !(digits == 12 && account[12] == ':'))
        return 0;
    const char *resource = account + (aws_managed ? 4 : 13);
    return has_prefix(resource, "policy/") && resource[7] != '\0';
}

static int is_role_name(const char *s)
{
    size_t len = strlen(s);
    if (len == 0 || len > ROLE_NAME_MAX)
        return 0;
    for (; *s; s++)
        if (!isalnum((unsigned char)*s) && !strchr("+=,.@_-", *s))
            return 0;
    return 1;
}

/* ---- rules ---- */

struct check {
    const struct ccfg *c;
    struct ccfg_errors *errors;
};

#define FAIL(k, line, ...) ccfg_errors_add((k)->errors, (k)->c->source, \
                                           (line), __VA_ARGS__)

static void check_tags(struct check *k, const struct ccfg_map *tags,
                       const char *path, int line)
{
    if (tags->count + TAGS_ADDED_MAX > TAGS_MAX)
        FAIL(k, line, "%s: has %zu tags; at most %d fit, because AWS allows "
             "%d tags a resource and albatross adds %d", path, tags->count,
             TAGS_MAX - TAGS_ADDED_MAX, TAGS_MAX, TAGS_ADDED_MAX);
    for (size_t i = 0; i < tags->count; i++) {
        const char *key = tags->items[i].key;
        if (has_prefix(key, "aws:"))
            FAIL(k, line, "%s.%s: keys starting with aws: are reserved by "
                 "AWS", path, key);
        else if (has_prefix(key, "alpha.eksctl.io/") ||
                 has_prefix(key, "eksctl.cluster.k8s.io/"))
            FAIL(k, line, "%s.%s: eksctl's tags are set by albatross; remove "
                 "it", path, key);
        else if (strlen(key) > 128 || !*key)
            FAIL(k, line, "%s.%s: tag keys must have 1 to 128 characters",
                 path, key);
        if (strlen(tags->items[i].value) > 256)
            FAIL(k, line, "%s.%s: tag values must have at most 256 "
                 "characters", path, key);
    }
}

static void check_metadata(struct check *k)
{
    const struct ccfg *c = k->c;
    int line = c->line_of_metadata;
    if (!c->name)
        FAIL(k, line, "metadata.name: missing; name the cluster");
    else if (!is_stack_word(c->name) || strlen(c->name) > CLUSTER_NAME_MAX)
        FAIL(k, line, "metadata.name: \"%s\" must start with a letter and "
             "contain only letters, digits and '-', at most %d characters",
             c->name, CLUSTER_NAME_MAX);
    if (!c->region)
        FAIL(k, line, "metadata.region: missing; set the AWS region, for "
             "example us-west-2");
    else if (!is_region(c->region))
        FAIL(k, line, "metadata.region: \"%s\" is not an AWS region name "
             "such as us-west-2", c->region);
    if (!is_version(c->version))
        FAIL(k, line, "metadata.version: \"%s\" must be a Kubernetes minor "
             "version such as \"%s\"", c->version, CCFG_DEFAULT_VERSION);
    check_tags(k, &c->tags, "metadata.tags", line);
}

static void check_zones(struct check *k)
{
    const struct ccfg *c = k->c;
    for (size_t i = 0; i < c->zone_count; i++) {
        const char *z = c->zones[i];
        if (c->region && is_region(c->region) &&
            (!has_prefix(z, c->region) ||
             strlen(z) != strlen(c->region) + 1 ||
             !islower((unsigned char)z[strlen(z) - 1])))
            FAIL(k, c->line_of_metadata, "availabilityZones[%zu]: \"%s\" is "
                 "not a zone of %s (such as %sa)", i, z, c->region,
                 c->region);
        for (size_t j = 0; j < i; j++)
            if (strcmp(c->zones[j], z) == 0)
                FAIL(k, c->line_of_metadata, "availabilityZones[%zu]: \"%s\" "
                     "is listed twice", i, z);
    }
    if (c->zone_count == 1)
        FAIL(k, c->line_of_metadata, "availabilityZones: EKS needs at least "
             "2 zones; add another");
    if (c->zone_count > 16)
        FAIL(k, c->line_of_metadata, "availabilityZones: at most 16 zones");
}

static void check_vpc(struct check *k)
{
    const struct ccfg *c = k->c;
    unsigned long address;
    int prefix;
    size_t zones = c->zone_count ? c->zone_count : c->default_zone_count;
    if (c->vpc_cidr && (ccfg_parse_cidr(c->vpc_cidr, &address, &prefix) < 0 ||
                        prefix < 16 || prefix > 24))
        FAIL(k, c->line_of_vpc, "vpc.cidr: \"%s\" must be an IPv4 network from /16 to "
             "/24, such as %s", c->vpc_cidr, CCFG_DEFAULT_CIDR);
    else if (c->vpc_cidr && prefix + ccfg_subnet_bits(zones) > SUBNET_PREFIX_MAX)
        FAIL(k, c->line_of_vpc, "vpc.cidr: %s is too small for a public and a "
             "private subnet in each of %zu zones, each at least /%d; use a "
             "larger network such as /16", c->vpc_cidr, zones,
             SUBNET_PREFIX_MAX);
    if (c->vpc_id && !is_aws_id(c->vpc_id, "vpc-"))
        FAIL(k, c->line_of_vpc, "vpc.id: \"%s\" is not a VPC id such as vpc-0123456789abcdef0",
             c->vpc_id);
    if (c->subnet_count && !c->vpc_id)
        FAIL(k, c->subnets[0].line, "vpc.id: required with vpc.subnets; give "
             "the id of the VPC the subnets belong to");
    if (c->vpc_id && c->subnet_count < 2)
        FAIL(k, c->line_of_vpc, "vpc.subnets: an existing VPC needs at least 2 subnets in "
             "different zones");
    for (size_t i = 0; i < c->subnet_count; i++) {
        const struct ccfg_subnet *s = &c->subnets[i];
        const char *group = s->is_private ? "private" : "public";
        if (!is_aws_id(s->id, "subnet-"))
            FAIL(k, s->line, "vpc.subnets.%s.%s.id: %s; give a subnet id "
                 "such as subnet-0123456789abcdef0", group, s->name,
                 s->id ? "invalid" : "missing");
        if (s->cidr && ccfg_parse_cidr(s->cidr, &address, &prefix) < 0)
            FAIL(k, s->line, "vpc.subnets.%s.%s.cidr: \"%s\" is not an IPv4 "
                 "network", group, s->name, s->cidr);
    }
}

static int has_subnets(const struct ccfg *c, int is_private)
{
    for (size_t i = 0; i < c->subnet_count; i++)
        if (c->subnets[i].is_private == is_private)
            return 1;
    return 0;
}

static void check_nodegroup_sizes(struct check *k,
                                  const struct ccfg_nodegroup *ng,
                                  const char *path)
{
    int line = ng->line_of_sizes ? ng->line_of_sizes : ng->line;
    int volume_line = ng->line_of_volume ? ng->line_of_volume : ng->line;
    if (ng->min_size > ng->max_size)
        FAIL(k, line, "%s.minSize: must not be greater than maxSize "
             "(%d > %d)", path, ng->min_size, ng->max_size);
    else if (ng->desired_capacity < ng->min_size ||
             ng->desired_capacity > ng->max_size)
        FAIL(k, line, "%s.desiredCapacity: must be between minSize and "
             "maxSize (%d is not in %d..%d)", path, ng->desired_capacity,
             ng->min_size, ng->max_size);
    if (ng->max_size < 1)
        FAIL(k, line, "%s.maxSize: must be at least 1", path);
    if (ng->volume_size < 1 || ng->volume_size > VOLUME_SIZE_MAX)
        FAIL(k, volume_line, "%s.volumeSize: must be from 1 to %d GiB (got %d)",
             path, VOLUME_SIZE_MAX, ng->volume_size);
}

static void check_labels(struct check *k, const struct ccfg_nodegroup *ng,
                         const char *path)
{
    for (size_t i = 0; i < ng->labels.count; i++) {
        const struct ccfg_pair *l = &ng->labels.items[i];
        const char *slash = strrchr(l->key, '/');
        const char *name = slash ? slash + 1 : l->key;
        if (!*name || strlen(name) > 63 || strlen(l->value) > 63)
            FAIL(k, ng->line, "%s.labels.%s: Kubernetes label names and "
                 "values have at most 63 characters", path, l->key);
        if (has_prefix(l->key, "alpha.eksctl.io/"))
            FAIL(k, ng->line, "%s.labels.%s: eksctl's labels are set by "
                 "albatross; remove it", path, l->key);
    }
}

static void check_nodegroup(struct check *k, size_t index)
{
    const struct ccfg *c = k->c;
    const struct ccfg_nodegroup *ng = &c->nodegroups[index];
    char path[64];
    ccfg_nodegroup_path(ng, path, sizeof(path));
    if (!ng->name)
        FAIL(k, ng->line, "%s.name: missing; name the node group", path);
    else if (!is_stack_word(ng->name) ||
             strlen(ng->name) > NODEGROUP_NAME_MAX)
        FAIL(k, ng->line, "%s.name: \"%s\" must start with a letter and "
             "contain only letters, digits and '-', at most %d characters",
             path, ng->name, NODEGROUP_NAME_MAX);
    for (size_t j = 0; ng->name && j < index; j++)
        if (c->nodegroups[j].name &&
            strcmp(c->nodegroups[j].name, ng->name) == 0)
            FAIL(k, ng->line, "%s.name: \"%s\" is already used by another "
                 "node group", path, ng->name);
    if (ng->name && c->name && strlen("eksctl--nodegroup-") +
        strlen(c->name) + strlen(ng->name) > STACK_NAME_MAX)
        FAIL(k, ng->line, "%s.name: the stack name eksctl-%s-nodegroup-%s "
             "would pass CloudFormation's %d characters; shorten it", path,
             c->name, ng->name, STACK_NAME_MAX);
    const char *dot = strchr(ng->instance_type, '.');
    if (!dot || dot == ng->instance_type || !dot[1] ||
        strspn(ng->instance_type, "abcdefghijklmnopqrstuvwxyz0123456789-.")
            != strlen(ng->instance_type))
        FAIL(k, ng->line, "%s.instanceType: \"%s\" is not an EC2 instance "
             "type such as %s", path, ng->instance_type,
             CCFG_DEFAULT_INSTANCE_TYPE);
    check_nodegroup_sizes(k, ng, path);
    int private_line = ng->line_of_private ? ng->line_of_private : ng->line;
    if (ng->private_networking && !c->vpc_id && c->nat == CCFG_NAT_DISABLE)
        FAIL(k, private_line, "%s.privateNetworking: nodes in private subnets "
             "need a NAT gateway to reach EKS and ECR, but vpc.nat.gateway is "
             "Disable", path);
    if (c->vpc_id && !has_subnets(c, ng->private_networking))
        FAIL(k, private_line, "%s.privateNetworking: is %s, but vpc.subnets has "
             "no %s subnets", path, ng->private_networking ? "true" : "false",
             ng->private_networking ? "private" : "public");
    check_labels(k, ng, path);
    char tags_path[80];
    snprintf(tags_path, sizeof(tags_path), "%s.tags", path);
    check_tags(k, &ng->tags, tags_path, ng->line);
}

static void check_service_account_policies(struct check *k, size_t index)
{
    const struct ccfg_service_account *sa = &k->c->service_accounts[index];
    if (!sa->policy_arn_count && !sa->inline_policy && !sa->lb_controller)
        FAIL(k, sa->line, "iam.serviceAccounts[%zu]: give at least one of "
             "attachPolicyARNs, attachPolicy or wellKnownPolicies", index);
    for (size_t j = 0; j < sa->policy_arn_count; j++)
        if (!is_policy_arn(sa->policy_arns[j]))
            FAIL(k, sa->line, "iam.serviceAccounts[%zu].attachPolicyARNs[%zu]"
                 ": \"%s\" is not an IAM policy ARN such as "
                 "arn:aws:iam::aws:policy/ReadOnlyAccess", index, j,
                 sa->policy_arns[j]);
    if (sa->inline_policy && strlen(sa->inline_policy) > INLINE_POLICY_MAX)
        FAIL(k, sa->line, "iam.serviceAccounts[%zu].attachPolicy: %zu "
             "characters as JSON; IAM allows %d for a role's inline "
             "policies", index, strlen(sa->inline_policy), INLINE_POLICY_MAX);
    if (sa->role_name && !is_role_name(sa->role_name))
        FAIL(k, sa->line, "iam.serviceAccounts[%zu].roleName: \"%s\" must "
             "have 1 to %d letters, digits or +=,.@_-", index, sa->role_name,
             ROLE_NAME_MAX);
}

static void check_service_account(struct check *k, size_t index)
{
    const struct ccfg *c = k->c;
    const struct ccfg_service_account *sa = &c->service_accounts[index];
    if (!c->with_oidc && index == 0)
        FAIL(k, sa->line, "iam.withOIDC: must be true for "
             "iam.serviceAccounts, whose roles trust the cluster's OIDC "
             "provider");
    if (!sa->name)
        FAIL(k, sa->line, "iam.serviceAccounts[%zu].metadata.name: missing; "
             "name the service account", index);
    else if (!is_dns_label(sa->name))
        FAIL(k, sa->line, "iam.serviceAccounts[%zu].metadata.name: \"%s\" "
             "must be lower-case letters, digits and '-', at most 63, as it "
             "becomes part of a stack name", index, sa->name);
    if (!is_dns_label(sa->namespace_name))
        FAIL(k, sa->line, "iam.serviceAccounts[%zu].metadata.namespace: "
             "\"%s\" must be lower-case letters, digits and '-', at most 63",
             index, sa->namespace_name);
    for (size_t j = 0; sa->name && j < index; j++) {
        const struct ccfg_service_account *o = &c->service_accounts[j];
        if (o->name && strcmp(o->name, sa->name) == 0 &&
            strcmp(o->namespace_name, sa->namespace_name) == 0)
            FAIL(k, sa->line, "iam.serviceAccounts[%zu]: %s/%s is already "
                 "listed as iam.serviceAccounts[%zu]", index,
                 sa->namespace_name, sa->name, j);
    }
    if (sa->name && c->name &&
        strlen("eksctl--addon-iamserviceaccount--") + strlen(c->name) +
        strlen(sa->namespace_name) + strlen(sa->name) > STACK_NAME_MAX)
        FAIL(k, sa->line, "iam.serviceAccounts[%zu]: the stack name "
             "eksctl-%s-addon-iamserviceaccount-%s-%s would pass "
             "CloudFormation's %d characters; shorten the names", index,
             c->name, sa->namespace_name, sa->name, STACK_NAME_MAX);
    check_service_account_policies(k, index);
}

size_t ccfg_validate(const struct ccfg *c, struct ccfg_errors *errors)
{
    struct check k = { c, errors };
    size_t before = errors->count;
    check_metadata(&k);
    check_zones(&k);
    check_vpc(&k);
    for (size_t i = 0; i < c->nodegroup_count; i++)
        check_nodegroup(&k, i);
    for (size_t i = 0; i < c->service_account_count; i++)
        check_service_account(&k, i);
    return errors->count - before;
}
