/* EC2: the account's regions (ec2 protocol, XML). */
#ifndef ALBATROSS_EC2_H
#define ALBATROSS_EC2_H

#include <stddef.h>

#include "aws.h"

struct ec2_region_list {
    char **names;      /* "us-east-1", ... in the reply's order */
    size_t count;
};

void ec2_region_list_free(struct ec2_region_list *l);

/*
 * Lists the regions enabled for the account with DescribeRegions (not
 * paginated). On success err is NULL and the list is the caller's to free
 * with ec2_region_list_free; on failure list is NULL.
 */
typedef void (*ec2_regions_fn)(struct ec2_region_list *list,
                               const struct api_error *err, void *ctx);
int ec2_describe_regions(struct aws_session *s, ec2_regions_fn done,
                         void *ctx);

/* Parses a DescribeRegions reply into l (emptied first). Returns 0, or -1
 * with err set and l empty. */
int ec2_parse_regions(const char *xml, size_t len, struct ec2_region_list *l,
                      struct api_error *err);

#endif
