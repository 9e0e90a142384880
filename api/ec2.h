/* EC2: the account's regions (ec2 protocol, XML). */
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

#endif
