/* AWS Certificate Manager (json protocol 1.1): DescribeCertificate for the
 * certificates of a load balancer's listeners. */
#ifndef ALBATROSS_ACM_H
#define ALBATROSS_ACM_H

#include <time.h>

#include "aws.h"

struct acm_certificate {
    char *arn;
    char *region;           /* from the ARN */
    char *domain;           /* DomainName */
    char *status;           /* ISSUED, PENDING_VALIDATION, EXPIRED, ... */
    char *type;             /* AMAZON_ISSUED, IMPORTED, PRIVATE */
    char *failure_reason;   /* FailureReason, or NULL */
    time_t not_after;       /* 0 when absent */
    char **in_use_by;       /* resource ARNs */
    size_t in_use_count;
};

void acm_certificate_free(struct acm_certificate *c);

/* Region of an ACM ARN "arn:aws:acm:REGION:ACCOUNT:certificate/ID" as a
 * new string, or NULL when arn is not one. */
char *acm_arn_region(const char *arn);

/*
 * Describes the certificate in its own region (from the ARN, whatever the
 * session's region). done is called once with the certificate (the
 * callee's, free with acm_certificate_free) or with err. Returns 0, or -1
 * after calling done.
 */
typedef void (*acm_certificate_fn)(struct acm_certificate *c,
                                   const struct api_error *err, void *ctx);
int acm_describe_certificate(struct aws_session *s, const char *arn,
                             acm_certificate_fn done, void *ctx);

/* Parses a DescribeCertificate reply. Returns the certificate, or NULL
 * with err. */
struct acm_certificate *acm_parse_certificate(const char *json, size_t len,
                                              struct api_error *err);

#endif
