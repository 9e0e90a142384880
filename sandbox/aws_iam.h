/*
 * The parts of the IAM service shared by its read actions (aws_iam.c)
 * and its write actions (aws_iam_write.c): paging and the XML of roles,
 * policies and tags.
 */
#ifndef SANDBOX_AWS_IAM_H
#define SANDBOX_AWS_IAM_H

#include "aws_services.h"

/* One page: MaxItems and the position Marker names (NULL on page one). */
struct aws_iam_page {
    long max_items;
    char *position;
};

/* Reads MaxItems and Marker; returns 0, or -1 after replying with
 * ValidationError. The caller frees p->position. */
int aws_iam_read_page(struct awsreply *r, struct aws_iam_page *p);
/* Ends a list: IsTruncated, and the Marker of next_position when the
 * list goes on. */
int aws_iam_end_page(struct awsreply *r, const char *next_position);
/* The index a numeric position names, 0 on page one; -1 when it is past
 * count or not a number. */
int aws_iam_index_position(const struct aws_iam_page *p, size_t count,
                           size_t *start);

/* What a Role element carries beyond ListRoles's fields. */
enum {
    AWS_IAM_ROLE_TAGS = 1,
    AWS_IAM_ROLE_LAST_USED = 2,
};
int aws_iam_write_role(struct awsreply *r, const struct world_role *role,
                       const char *element, unsigned extras);
/* A Policy element, with its attachment count and tags. */
int aws_iam_write_policy(struct awsreply *r, const struct world_policy *p);
/* A Tags list; nothing when tags is empty. */
int aws_iam_write_tags(struct awsreply *r, const struct world_kv_list *tags);
/* The customer managed policy PolicyArn names, or NULL after replying
 * NoSuchEntity. */
const struct world_policy *aws_iam_find_policy(struct awsreply *r);
/* Ends the reply, or replies ServiceFailure when rc says writing it
 * failed. */
void aws_iam_finish(struct awsreply *r, int rc);

/* Serves the write actions; returns 1 when r->action is one of them
 * (and it has replied), else 0. */
int aws_iam_serve_write(struct awsreply *r);

#endif
