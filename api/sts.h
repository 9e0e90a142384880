/* STS: caller identity (query protocol, XML). */
#ifndef ALBATROSS_STS_H
#define ALBATROSS_STS_H

#include "aws.h"

struct sts_identity {
    char *account;
    char *arn;
    char *user_id;
};

void sts_identity_free(struct sts_identity *id);

/* On success err is NULL and id is the caller's to free with
 * sts_identity_free; on failure id is NULL. */
typedef void (*sts_identity_fn)(struct sts_identity *id,
                                const struct api_error *err, void *ctx);
int sts_get_caller_identity(struct aws_session *s, sts_identity_fn done,
                            void *ctx);

/* Parses a GetCallerIdentity XML reply; returns 0 or -1 with err set. */
int sts_parse_identity(const char *xml, size_t len, struct sts_identity *id,
                       struct api_error *err);

#endif
