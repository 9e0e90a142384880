/*
 * Base64 decoding: standard (RFC 4648 section 4), as kubeconfig's *-data
 * fields and DescribeCluster's certificateAuthority.data carry it, and
 * base64url (section 5), as EKS tokens, JWTs and the sandbox's continue
 * tokens carry it.
 */
#ifndef ALBATROSS_BASE64_H
#define ALBATROSS_BASE64_H

#include <stddef.h>

#include "buf.h"

/*
 * Appends the bytes that text encodes to out. Line breaks are skipped, as
 * Go's decoder skips them; padding is optional. Returns 0, or -1 when text
 * contains another character or a truncated group, or out's ceiling is hit.
 */
int base64_decode(const char *text, size_t len, struct buf *out);

/* Like base64_decode, with '-' and '_' in place of '+' and '/'. */
int base64url_decode(const char *text, size_t len, struct buf *out);

#endif
