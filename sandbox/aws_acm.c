/*
 * ACM (json protocol, CertificateManager.*): DescribeCertificate over
 * the world's certificates, and WAFv2 (AWSWAF_20190729.*):
 * GetWebACLForResource over the web ACLs the controller associated with
 * load balancers. A certificate is found only through the region of its
 * ARN, as ACM keeps certificates per region.
 */
#include "aws_services.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wfile.h"
#include "world_net.h"

#define NONEXISTENT "AWS WAF couldn\xe2\x80\x99t perform the operation " \
    "because your resource doesn\xe2\x80\x99t exist."

/* The string member name of the request's JSON body; NULL after replying
 * with the error when the body is not an object or the member is not a
 * string. *doc must be freed. */
static const char *body_string(struct awsreply *r, cJSON **doc,
                               const char *name, const char *error)
{
    *doc = cJSON_ParseWithLength(r->req->body ? r->req->body : "",
                                 r->req->body_len);
    const char *value = cJSON_GetStringValue(
        cJSON_GetObjectItemCaseSensitive(*doc, name));
    if (!cJSON_IsObject(*doc))
        awsreply_error(r, 400, "SerializationException", "The request body "
                       "is not a JSON object");
    else if (!value)
        awsreply_error(r, 400, error, "1 validation error detected: Value "
                       "null at '%c%s' failed to satisfy constraint: Member "
                       "must not be null", name[0] + 'a' - 'A', name + 1);
    return cJSON_IsObject(*doc) ? value : NULL;
}

static void add_time(cJSON *obj, const char *name, const char *rfc3339)
{
    cJSON_AddNumberToObject(obj, name,
                            (double)awsreply_parse_time(rfc3339));
}

static cJSON *string_list(char **items, size_t count)
{
    cJSON *list = cJSON_CreateArray();
    for (size_t i = 0; i < count; i++)
        cJSON_AddItemToArray(list, cJSON_CreateString(items[i]));
    return list;
}

/* DNS validation records: one CNAME per name, derived from it. */
static cJSON *validation_options(const struct world_certificate *c)
{
    cJSON *list = cJSON_CreateArray();
    int issued = strcmp(c->status, "PENDING_VALIDATION") != 0;
    for (size_t i = 0; i < c->san_count; i++) {
        cJSON *o = cJSON_CreateObject(), *record;
        char *token = wfile_derive("_", c->sans[i], 32, WFILE_LOWER_HEX);
        char name[600], value[600];
        snprintf(name, sizeof(name), "%s.%s.", token ? token : "_",
                 strncmp(c->sans[i], "*.", 2) == 0 ? c->sans[i] + 2
                                                   : c->sans[i]);
        snprintf(value, sizeof(value), "%s.acm-validations.aws.",
                 token ? token + 1 : "x");
        free(token);
        cJSON_AddStringToObject(o, "DomainName", c->sans[i]);
        cJSON_AddStringToObject(o, "ValidationDomain", c->sans[i]);
        cJSON_AddStringToObject(o, "ValidationStatus",
                                issued ? "SUCCESS" : "PENDING_VALIDATION");
        record = cJSON_AddObjectToObject(o, "ResourceRecord");
        cJSON_AddStringToObject(record, "Name", name);
        cJSON_AddStringToObject(record, "Type", "CNAME");
        cJSON_AddStringToObject(record, "Value", value);
        cJSON_AddStringToObject(o, "ValidationMethod", "DNS");
        cJSON_AddItemToArray(list, o);
    }
    return list;
}

/* The load balancers whose listeners use the certificate. */
static cJSON *in_use_by(const struct world *w, const char *arn)
{
    cJSON *list = cJSON_CreateArray();
    for (size_t i = 0; i < w->load_balancer_count; i++) {
        const char *lb = w->load_balancers[i].arn;
        int used = 0;
        for (size_t j = 0; j < w->listener_count && !used; j++) {
            const struct world_listener *l = &w->listeners[j];
            for (size_t k = 0; k < l->certificate_count && !used; k++)
                used = strcmp(l->lb_arn, lb) == 0 &&
                       strcmp(l->certificate_arns[k], arn) == 0;
        }
        if (used)
            cJSON_AddItemToArray(list, cJSON_CreateString(lb));
    }
    return list;
}

static cJSON *certificate_json(const struct world *w,
                               const struct world_certificate *c)
{
    cJSON *cert = cJSON_CreateObject();
    char subject[300];
    int issued = strcmp(c->status, "PENDING_VALIDATION") != 0 &&
                 strcmp(c->status, "FAILED") != 0 &&
                 strcmp(c->status, "VALIDATION_TIMED_OUT") != 0;
    snprintf(subject, sizeof(subject), "CN=%s", c->domain);
    cJSON_AddStringToObject(cert, "CertificateArn", c->arn);
    cJSON_AddStringToObject(cert, "DomainName", c->domain);
    cJSON_AddItemToObject(cert, "SubjectAlternativeNames",
                          string_list(c->sans, c->san_count));
    cJSON_AddItemToObject(cert, "DomainValidationOptions",
                          validation_options(c));
    cJSON_AddStringToObject(cert, "Subject", subject);
    add_time(cert, "CreatedAt", c->created);
    if (issued) {
        cJSON_AddStringToObject(cert, "Issuer", "Amazon");
        add_time(cert, "IssuedAt", c->not_before);
        add_time(cert, "NotBefore", c->not_before);
        add_time(cert, "NotAfter", c->not_after);
    }
    cJSON_AddStringToObject(cert, "Status", c->status);
    cJSON_AddStringToObject(cert, "KeyAlgorithm", "RSA_2048");
    cJSON_AddStringToObject(cert, "SignatureAlgorithm", "SHA256WITHRSA");
    cJSON_AddItemToObject(cert, "InUseBy", in_use_by(w, c->arn));
    cJSON_AddStringToObject(cert, "Type", c->type);
    cJSON_AddStringToObject(cert, "RenewalEligibility",
                            cJSON_GetArraySize(cJSON_GetObjectItem(
                                cert, "InUseBy")) ? "ELIGIBLE"
                                                  : "INELIGIBLE");
    cJSON_AddStringToObject(cJSON_AddObjectToObject(cert, "Options"),
                            "CertificateTransparencyLoggingPreference",
                            "ENABLED");
    return cert;
}

/* arn:aws:acm:REGION:ACCOUNT:certificate/ID */
static int valid_certificate_arn(const char *arn)
{
    char region[64], account[64], id[256];
    return sscanf(arn, "arn:aws:acm:%63[^:]:%63[^:]:certificate/%255s",
                  region, account, id) == 3;
}

static void describe_certificate(struct awsreply *r)
{
    cJSON *doc;
    const char *arn = body_string(r, &doc, "CertificateArn",
                                  "ValidationException");
    char prefix[128];
    snprintf(prefix, sizeof(prefix), "arn:aws:acm:%s:%s:certificate/",
             r->region, r->world->account_id);
    const struct world_certificate *c = arn ? world_certificate(r->world, arn)
                                            : NULL;
    if (!arn) {
        /* body_string has replied */
    } else if (!valid_certificate_arn(arn)) {
        awsreply_error(r, 400, "InvalidArnException", "String '%.300s' is "
                       "not a valid ARN", arn);
    } else if (!c || strncmp(arn, prefix, strlen(prefix)) != 0) {
        awsreply_error(r, 400, "ResourceNotFoundException", "Could not find "
                       "certificate %.300s.", arn);
    } else {
        cJSON *body = cJSON_CreateObject();
        cJSON_AddItemToObject(body, "Certificate",
                              certificate_json(r->world, c));
        awsreply_json(r, 200, body);
    }
    cJSON_Delete(doc);
}

void aws_acm_serve(struct awsreply *r)
{
    if (strcmp(r->action, "DescribeCertificate") == 0)
        describe_certificate(r);
    else
        awsreply_error(r, 400, "UnknownOperationException", "The operation "
                       "%s is not served by albatross-sandbox",
                       r->action);
}

/* ---- WAFv2 ------------------------------------------------------------------ */

static cJSON *web_acl_json(const struct world *w, const struct world_web_acl *a)
{
    cJSON *acl = cJSON_CreateObject();
    cJSON *visibility;
    char label[400];
    snprintf(label, sizeof(label), "awswaf:%s:webacl:%s:", w->account_id,
             a->name);
    cJSON_AddStringToObject(acl, "Name", a->name);
    cJSON_AddStringToObject(acl, "Id", a->id);
    cJSON_AddStringToObject(acl, "ARN", a->arn);
    cJSON_AddObjectToObject(cJSON_AddObjectToObject(acl, "DefaultAction"),
                            a->default_action);
    if (a->description)
        cJSON_AddStringToObject(acl, "Description", a->description);
    cJSON_AddArrayToObject(acl, "Rules");
    visibility = cJSON_AddObjectToObject(acl, "VisibilityConfig");
    cJSON_AddBoolToObject(visibility, "SampledRequestsEnabled", 1);
    cJSON_AddBoolToObject(visibility, "CloudWatchMetricsEnabled", 1);
    cJSON_AddStringToObject(visibility, "MetricName", a->name);
    cJSON_AddNumberToObject(acl, "Capacity", 0);
    cJSON_AddBoolToObject(acl, "ManagedByFirewallManager", 0);
    cJSON_AddStringToObject(acl, "LabelNamespace", label);
    return acl;
}

static void get_web_acl_for_resource(struct awsreply *r)
{
    cJSON *doc;
    const char *arn = body_string(r, &doc, "ResourceArn",
                                  "WAFInvalidParameterException");
    const struct world_load_balancer *lb = arn
        ? world_load_balancer(r->world, arn) : NULL;
    if (!arn) {
        /* body_string has replied */
    } else if (strncmp(arn, "arn:aws:", 8) != 0) {
        awsreply_error(r, 400, "WAFInvalidParameterException", "Error "
                       "reason: The ARN isn't valid., field: RESOURCE_ARN, "
                       "parameter: %.300s", arn);
    } else if (!lb || strcmp(lb->region, r->region) != 0) {
        awsreply_error(r, 400, "WAFNonexistentItemException", NONEXISTENT);
    } else {
        cJSON *body = cJSON_CreateObject();
        const struct world_web_acl *acl = world_web_acl(r->world,
                                                        lb->web_acl_arn);
        if (acl)
            cJSON_AddItemToObject(body, "WebACL", web_acl_json(r->world, acl));
        awsreply_json(r, 200, body);
    }
    cJSON_Delete(doc);
}

void aws_wafv2_serve(struct awsreply *r)
{
    if (strcmp(r->action, "GetWebACLForResource") == 0)
        get_web_acl_for_resource(r);
    else
        awsreply_error(r, 400, "UnknownOperationException", "The operation "
                       "%s is not served by albatross-sandbox",
                       r->action);
}
