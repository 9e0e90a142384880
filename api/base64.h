/*
 * Standard base64 (RFC 4648 section 4) decoding, as kubeconfig's *-data
 * fields and DescribeCluster's certificateAuthority.data carry it.
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

#endif
