/*
 * eksctl's ClusterConfig (apiVersion eksctl.io/v1alpha5, kind
 * ClusterConfig): the part albatross provisions, read from YAML with
 * eksctl's defaults filled in and validated, and written back as a file
 * eksctl accepts.
 *
 * Supported fields: metadata (name, region, version, tags),
 * availabilityZones, vpc (cidr, nat.gateway, id, subnets), nodeGroups and
 * managedNodeGroups (name, instanceType, desiredCapacity, minSize,
 * maxSize, privateNetworking, volumeSize, labels, tags), iam.withOIDC and
 * iam.serviceAccounts (metadata.name, metadata.namespace,
 * attachPolicyARNs, attachPolicy, roleName,
 * wellKnownPolicies.awsLoadBalancerController). Any other field is an
 * error that names its path, so nothing in a file is ignored in silence.
 */
#ifndef ALBATROSS_CLUSTERCONFIG_H
#define ALBATROSS_CLUSTERCONFIG_H

#include <stddef.h>

#include "../api/buf.h"

#define CCFG_API_VERSION "eksctl.io/v1alpha5"
#define CCFG_KIND "ClusterConfig"
#define CCFG_MAX_ERRORS 50  /* messages kept; later ones are counted only */

/* eksctl's defaults, from its pkg/apis/eksctl.io/v1alpha5 (types.go and
 * defaults.go); the CIDR is the one eksctl's subnet layout starts from. */
#define CCFG_DEFAULT_CIDR "192.168.0.0/16"
#define CCFG_DEFAULT_INSTANCE_TYPE "m5.large"
#define CCFG_DEFAULT_NODE_COUNT 2
#define CCFG_DEFAULT_VOLUME_SIZE 80  /* GiB */
#define CCFG_DEFAULT_NAMESPACE "default"
/* NOTE: eksctl moves its default Kubernetes version to the newest EKS
 * release (eksctl issue 979; 1.30 from June 2024, pull request 7827).
 * 1.35 was the newest version in EKS standard support (until March
 * 2027) in a listing checked in April 2026; eksctl's own constant was
 * not checked. */
#define CCFG_DEFAULT_VERSION "1.35"

enum ccfg_nat { CCFG_NAT_SINGLE, CCFG_NAT_HIGHLY_AVAILABLE, CCFG_NAT_DISABLE };

/* A string map in file order: tags, labels. */
struct ccfg_pair {
    char *key;
    char *value;
};

struct ccfg_map {
    struct ccfg_pair *items;
    size_t count;
};

/* Appends copies of key and value (aborts when memory runs out). */
void ccfg_map_add(struct ccfg_map *m, const char *key, const char *value);
void ccfg_map_free(struct ccfg_map *m);
/* Value of key, or NULL. */
const char *ccfg_map_get(const struct ccfg_map *m, const char *key);

/* Bits of ccfg.defaults: values eksctl's defaults filled in. */
enum {
    CCFG_DEF_VERSION = 1u << 0,
    CCFG_DEF_ZONES = 1u << 1,      /* zones chosen at apply time */
    CCFG_DEF_CIDR = 1u << 2,
    CCFG_DEF_NAT = 1u << 3,
    CCFG_DEF_OIDC = 1u << 4,
};

/* Bits of ccfg_nodegroup.defaults. */
enum {
    CCFG_NG_DEF_INSTANCE_TYPE = 1u << 0,
    CCFG_NG_DEF_DESIRED = 1u << 1,
    CCFG_NG_DEF_MIN = 1u << 2,
    CCFG_NG_DEF_MAX = 1u << 3,
    CCFG_NG_DEF_VOLUME = 1u << 4,
    CCFG_NG_DEF_PRIVATE = 1u << 5,
};

/* Bits of ccfg_service_account.defaults. */
enum { CCFG_SA_DEF_NAMESPACE = 1u << 0 };

/* An existing subnet under vpc.subnets.public or vpc.subnets.private. */
struct ccfg_subnet {
    char *name;    /* the key: an availability zone or a free name */
    char *id;
    char *az;      /* NULL unless given */
    char *cidr;    /* NULL unless given */
    int is_private;
    int line;
};

struct ccfg_nodegroup {
    char *name;
    int managed;             /* from managedNodeGroups */
    size_t index;            /* position in its list, for messages */
    char *instance_type;
    int desired_capacity;
    int min_size;
    int max_size;
    int volume_size;         /* GiB */
    int private_networking;
    struct ccfg_map labels;
    struct ccfg_map tags;
    unsigned defaults;
    unsigned given;          /* CCFG_NG_DEF_* bits set in the file */
    int line;
    int line_of_sizes;       /* desiredCapacity's, else minSize's or maxSize's */
    int line_of_volume;
    int line_of_private;
};

struct ccfg_service_account {
    char *name;
    char *namespace_name;
    char **policy_arns;
    size_t policy_arn_count;
    char *inline_policy;     /* attachPolicy as JSON text, or NULL */
    char *role_name;         /* NULL: CloudFormation names the role */
    int lb_controller;       /* wellKnownPolicies.awsLoadBalancerController */
    unsigned defaults;
    int line;
};

struct ccfg {
    char *source;            /* file name used in messages */
    char *name;
    char *region;
    char *version;
    struct ccfg_map tags;
    char **zones;            /* availabilityZones; none: chosen at apply */
    size_t zone_count;
    size_t default_zone_count;  /* zones chosen at apply when none given */
    char *vpc_cidr;
    enum ccfg_nat nat;
    char *vpc_id;            /* an existing VPC, or NULL for a new one */
    struct ccfg_subnet *subnets;
    size_t subnet_count;
    struct ccfg_nodegroup *nodegroups;  /* nodeGroups, then managedNodeGroups */
    size_t nodegroup_count;
    int with_oidc;
    struct ccfg_service_account *service_accounts;
    size_t service_account_count;
    unsigned defaults;
    unsigned given;          /* CCFG_DEF_* bits set in the file */
    int line_of_metadata;
    int line_of_vpc;
};

/* Messages of one load, "FILE:LINE: PATH: RULE", one per line. */
struct ccfg_errors {
    struct buf text;
    size_t count;
};

void ccfg_errors_init(struct ccfg_errors *e);
void ccfg_errors_cleanup(struct ccfg_errors *e);
void ccfg_errors_add(struct ccfg_errors *e, const char *source, int line,
                     const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/*
 * Reads a ClusterConfig from text (name is used in messages), fills in
 * eksctl's defaults and validates it. Returns 0, or -1 with every problem
 * found in errors; c is then cleaned up. The caller frees c with
 * ccfg_cleanup().
 */
int ccfg_load_string(struct ccfg *c, const char *name, const char *text,
                     size_t len, struct ccfg_errors *errors);
int ccfg_load_file(struct ccfg *c, const char *path,
                   struct ccfg_errors *errors);
void ccfg_cleanup(struct ccfg *c);

/* Fills in eksctl's defaults and records which values they set. */
void ccfg_apply_defaults(struct ccfg *c);
/* Appends a message for each rule c breaks; returns how many. */
size_t ccfg_validate(const struct ccfg *c, struct ccfg_errors *errors);

/*
 * Writes c as ClusterConfig YAML that eksctl accepts. Defaults are
 * written out too, so the file means the same to any eksctl release.
 * Returns 0, or -1 when memory runs out.
 */
int ccfg_write(const struct ccfg *c, struct buf *out);

const char *ccfg_nat_name(enum ccfg_nat nat);
/* Number of bits the VPC prefix grows by so that a public and a private
 * subnet per zone fit: eksctl splits a /16 into eight /19 for up to four
 * zones. */
int ccfg_subnet_bits(size_t zones);
/* Parses "a.b.c.d/p" with no host bits set; returns 0 or -1. */
int ccfg_parse_cidr(const char *s, unsigned long *address, int *prefix);
/* Path of a node group in messages: "managedNodeGroups[1]". */
void ccfg_nodegroup_path(const struct ccfg_nodegroup *ng, char *out,
                         size_t len);

#endif
