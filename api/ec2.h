/* EC2 (ec2 protocol, XML): the account's regions, and the subnets,
 * security groups and VPCs behind a load balancer. */
#ifndef ALBATROSS_EC2_H
#define ALBATROSS_EC2_H

#include <stddef.h>

#include "aws.h"

/*
 * Lists the regions enabled for the account with DescribeRegions (not
 * paginated). On success err is NULL and names (count strings, in the
 * reply's order) is the caller's: free each string, then the array. On
 * failure names is NULL and count 0.
 */
typedef void (*ec2_regions_fn)(char **names, size_t count,
                               const struct api_error *err, void *ctx);
int ec2_describe_regions(struct aws_session *s, ec2_regions_fn done,
                         void *ctx);

/* Parses a DescribeRegions reply into names and count, owned as above.
 * Returns 0, or -1 with err set and nothing allocated. */
int ec2_parse_regions(const char *xml, size_t len, char ***names,
                      size_t *count, struct api_error *err);

struct ec2_tag {
    char *key;
    char *value;
};

struct ec2_subnet {
    char *id;
    char *vpc_id;
    char *zone;             /* availabilityZone */
    char *cidr;
    char *name;             /* the Name tag, or NULL */
    int available_ips;
    struct ec2_tag *tags;
    size_t tag_count;
};

struct ec2_security_group {
    char *id;
    char *name;
    char *description;
    char *vpc_id;
};

struct ec2_vpc {
    char *id;
    char *cidr;
    char *state;
    int is_default;
};

/* What one network call returned; only its own array is set. */
struct ec2_network {
    struct ec2_subnet *subnets;
    size_t subnet_count;
    struct ec2_security_group *security_groups;
    size_t security_group_count;
    struct ec2_vpc *vpcs;
    size_t vpc_count;
    size_t requests;        /* replies it took */
};

void ec2_network_free(struct ec2_network *n);

enum ec2_network_op {
    EC2_DESCRIBE_SUBNETS,
    EC2_DESCRIBE_SECURITY_GROUPS,
    EC2_DESCRIBE_VPCS,
};

/* A Filter.N: name ("vpc-id", "tag:kubernetes.io/role/elb") and values. */
struct ec2_filter {
    const char *name;
    const char *const *values;
    size_t value_count;
};

#define EC2_MAX_IDS 200      /* ids or filter values of one call */
#define EC2_MAX_PAGES 1000

/*
 * Describes the subnets, security groups or VPCs with the given ids (all
 * of them when id_count is 0) that match every filter, through every
 * page (NextToken). At most EC2_MAX_IDS ids and EC2_MAX_IDS filter values
 * in all. done is called once with the result (the callee's, free with
 * ec2_network_free) or with err. Returns 0, or -1 after calling done.
 */
typedef void (*ec2_network_fn)(struct ec2_network *n,
                               const struct api_error *err, void *ctx);
int ec2_describe_network(struct aws_session *s, const char *region,
                         enum ec2_network_op op, const char *const *ids,
                         size_t id_count, const struct ec2_filter *filters,
                         size_t filter_count, ec2_network_fn done,
                         void *ctx);

/* Appends one reply's items to n and sets *next_token (NULL on the last
 * page). Returns 0, or -1 with err; n stays the caller's to free. */
int ec2_parse_network(enum ec2_network_op op, const char *xml, size_t len,
                      struct ec2_network *n, char **next_token,
                      struct api_error *err);

#endif
