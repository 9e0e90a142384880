/* AWS WAFv2 (json protocol 1.1): the web ACL protecting a load balancer. */
#ifndef ALBATROSS_WAFV2_H
#define ALBATROSS_WAFV2_H

#include "aws.h"

struct wafv2_web_acl {
    char *arn;              /* NULL when no web ACL is associated */
    char *name;
    char *id;
};

void wafv2_web_acl_free(struct wafv2_web_acl *acl);

/*
 * GetWebACLForResource for resource_arn (a load balancer) in region.
 * done is called once with the ACL (the callee's; its arn is NULL when
 * none is associated) or with err. Returns 0, or -1 after calling done.
 */
typedef void (*wafv2_acl_fn)(struct wafv2_web_acl *acl,
                             const struct api_error *err, void *ctx);
int wafv2_get_web_acl_for_resource(struct aws_session *s, const char *region,
                                   const char *resource_arn,
                                   wafv2_acl_fn done, void *ctx);

/* Parses a GetWebACLForResource reply; NULL with err when invalid. */
struct wafv2_web_acl *wafv2_parse_web_acl(const char *json, size_t len,
                                          struct api_error *err);

#endif
