/*
 * Checks and helpers shared by world_iam.c (roles) and
 * world_iam_policy.c (managed policies, OIDC providers). Functions that
 * return const char * return NULL or an IAM error code with msg set, as
 * the world_iam_* functions do.
 */
#ifndef SANDBOX_WORLD_IAM_INTERNAL_H
#define SANDBOX_WORLD_IAM_INTERNAL_H

#include <stddef.h>

#include "world.h"

/* Formats IAM's message into msg and returns code. */
const char *iam_fail(char *msg, size_t msglen, const char *code,
                     const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* ServiceFailure for a failed allocation. */
const char *iam_no_memory(char *msg, size_t msglen);
/* The current time as IAM writes it: 2024-05-01T10:00:00Z. */
void iam_now(char out[21]);
/* A new id such as AROA... for the entity arn created at created:
 * the time joins the seed, so an entity created again after a delete
 * a second or more later gets a new id, as in IAM. */
char *iam_new_id(const char *prefix, const char *arn, const char *created);

/* An IAM name of at most max characters of [\w+=,.@-]; field is the
 * request member IAM names in its message ("roleName"). */
const char *iam_check_name(const char *name, size_t max, const char *field,
                           char *msg, size_t msglen);
/* NULL (the default "/") or /.../ of printable ASCII, at most 512. */
const char *iam_check_path(const char *path, char *msg, size_t msglen);
const char *iam_check_description(const char *text, char *msg,
                                  size_t msglen);
/* A policy ARN: arn:PARTITION:iam::ACCOUNT:policy/... */
const char *iam_check_arn(const char *arn, char *msg, size_t msglen);
/* Characters of document that are not whitespace, as IAM sizes them. */
size_t iam_policy_size(const char *document);
/* Checks tags and adds them to into, replacing values of keys it has;
 * into is unchanged when it fails. */
/* Drops the tags of into whose key is one of keys. */
void iam_remove_tags(struct world_kv_list *into, const char *const *keys,
                     size_t key_count);
const char *iam_merge_tags(struct world_kv_list *into,
                           const struct world_kv_list *tags, char *msg,
                           size_t msglen);

#endif
