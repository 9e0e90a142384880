/*
 * The parts of world_load that read networking and load balancing
 * (world_net.c), and the helpers the controller simulation uses to add
 * AWS resources to a loaded world.
 */
#ifndef SANDBOX_WORLD_NET_H
#define SANDBOX_WORLD_NET_H

#include "wfile.h"
#include "world.h"

/* Reads vpcs, subnets, securityGroups, certificates, webAcls,
 * loadBalancers and timing. Needs the account and regions read. */
int world_read_net(struct wfile *f, const yaml_node_t *root);
void world_free_net(struct world *w);

/* Appends one zeroed element to the array *items of *count elements of
 * size bytes; returns it, or NULL when memory runs out. Pointers into
 * the array may move. */
void *world_append(void *items, size_t *count, size_t size);

/* Deterministic names from seed: an ELBv2 ARN suffix (16 lower-case hex
 * digits) and the number in a load balancer's DNS name. */
char *world_elb_id(const char *seed);
char *world_lb_dns_name(const char *name, const char *scheme,
                        const char *region);
/* The Route 53 zone of the region's load balancer DNS names. */
const char *world_lb_zone(const char *region);

const struct world_vpc *world_vpc(const struct world *w, const char *id);
const struct world_subnet *world_subnet(const struct world *w,
                                        const char *id);
const struct world_web_acl *world_web_acl(const struct world *w,
                                          const char *arn);
/* The value of tag key in tags, or NULL. */
const char *world_tag(const struct world_kv_list *tags, const char *key);
int world_kv_add(struct world_kv_list *l, const char *key,
                 const char *value);

/* The zone id of an AZ, "use2-az1" for us-east-2a. */
char *world_zone_id(const char *az);

void world_free_vpc(struct world_vpc *v);
void world_free_subnet(struct world_subnet *s);
void world_free_security_group(struct world_security_group *g);
void world_free_action(struct world_action *a);
void world_free_load_balancer(struct world_load_balancer *lb);
void world_free_listener(struct world_listener *l);
void world_free_rule(struct world_rule *r);
void world_free_target_group(struct world_target_group *tg);

#endif
