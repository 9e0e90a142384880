/*
 * One AWS API call being served, and the writers of AWS's wire formats:
 * query-protocol XML (IAM, STS), ec2-protocol XML and rest-json (EKS),
 * with their error bodies, request ids and headers.
 */
#ifndef SANDBOX_AWSREPLY_H
#define SANDBOX_AWSREPLY_H

#include <cjson/cJSON.h>
#include <libxml/xmlwriter.h>

#include "server.h"

/* JSON is AWS's "json" protocol (1.1): ACM, WAFv2. */
enum awsreply_protocol {
    AWSREPLY_QUERY, AWSREPLY_EC2, AWSREPLY_REST_JSON, AWSREPLY_JSON,
};

struct awsreply {
    struct world *world;
    const struct sb_request *req;
    struct sb_response *res;
    const struct world_credential *who; /* NULL for unsigned calls */
    const char *service;                /* "iam", from the credential scope */
    const char *region;
    enum awsreply_protocol protocol;
    const char *xmlns;                  /* of the service's XML replies */
    const char *action;                 /* query and ec2: the Action */
    const char *request_id;             /* in res->scratch */
    /* Form body and URL query of query and ec2 calls, decoded. */
    struct sigv4_pair *params;
    size_t param_count;
    char *param_text;
    xmlBufferPtr xml_buf;
    xmlTextWriterPtr xml;
};

/* Sets up r for req and res and gives the call a request id. */
void awsreply_init(struct awsreply *r, struct world *w,
                   const struct sb_request *req, struct sb_response *res);
void awsreply_cleanup(struct awsreply *r);

/* Decodes the form body and the URL query into r->params; returns 0 or
 * -1 (when it has replied with an error). */
int awsreply_parse_params(struct awsreply *r);
/* A parameter of a query or ec2 call, or NULL. */
const char *awsreply_param(const struct awsreply *r, const char *name);
/* The values of the query list NAME.member.1, .2, ... into items (at
 * most max); returns their number, or -1 when there are more than max.
 * The values are r's. */
long awsreply_members(const struct awsreply *r, const char *name,
                      const char **items, size_t max);

/* Replies with an error in r->protocol's format: the ErrorResponse or
 * Response XML, x-amzn-ErrorType and {"message"} for rest-json, or
 * {"__type", "message"} for json. */
void awsreply_error(struct awsreply *r, int status, const char *code,
                    const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Query protocol: <ActionResponse xmlns><ActionResult> ... then
 * </ActionResult><ResponseMetadata/></ActionResponse>. Ec2: the response
 * element with <requestId>. Elements are opened and closed in between. */
int awsreply_xml_begin(struct awsreply *r);
int awsreply_xml_end(struct awsreply *r);
int awsreply_xml_open(struct awsreply *r, const char *name);
int awsreply_xml_close(struct awsreply *r);
/* Query protocol, for actions without output (DeleteRole): the
 * response element with ResponseMetadata only, as IAM sends it. */
int awsreply_xml_empty(struct awsreply *r);
/* <name>value</name>; nothing when value is NULL. */
int awsreply_xml_text(struct awsreply *r, const char *name,
                      const char *value);
/* <name>value</name> with value percent-encoded as IAM sends policy
 * documents. */
int awsreply_xml_encoded(struct awsreply *r, const char *name,
                         const char *value);

/* Replies 200 (or status) with body as JSON and frees body; json
 * protocol replies are application/x-amz-json-1.1. */
void awsreply_json(struct awsreply *r, int status, cJSON *body);

/* Opaque paging markers, as IAM and EKS hand out: the encoded form of a
 * position (a name or an index). decode returns NULL when the marker is
 * not one of ours; both return heap strings. */
char *awsreply_marker_encode(const char *position);
char *awsreply_marker_decode(const char *marker);

/* RFC 3339 "2024-05-01T10:00:00Z" to seconds since the epoch (0 when
 * malformed). */
time_t awsreply_parse_time(const char *rfc3339);
void awsreply_format_time(time_t t, char out[21]);

#endif
