/*
 * aws_serve: finds the service of a request from its SigV4 credential
 * scope (or, for the unsigned STS calls, from its Action), checks the
 * signature and hands the call to the service's handler.
 */
#include "server.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws_services.h"
#include "awsreply.h"

struct service {
    const char *name;           /* signing name, as in the scope */
    enum awsreply_protocol protocol;
    const char *xmlns;
    const char *version;        /* API version query calls must name */
    void (*serve)(struct awsreply *r);
    const char *target_prefix;  /* json protocol: X-Amz-Target before the
                                 * dot */
};

static const struct service services[] = {
    {"sts", AWSREPLY_QUERY, "https://sts.amazonaws.com/doc/2011-06-15/",
     "2011-06-15", aws_sts_serve, NULL},
    {"iam", AWSREPLY_QUERY, "https://iam.amazonaws.com/doc/2010-05-08/",
     "2010-05-08", aws_iam_serve, NULL},
    {"ec2", AWSREPLY_EC2, "http://ec2.amazonaws.com/doc/2016-11-15/",
     "2016-11-15", aws_ec2_serve, NULL},
    {"eks", AWSREPLY_REST_JSON, NULL, NULL, aws_eks_serve, NULL},
    {"elasticloadbalancing", AWSREPLY_QUERY,
     "http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/",
     "2015-12-01", aws_elbv2_serve, NULL},
    {"acm", AWSREPLY_JSON, NULL, NULL, aws_acm_serve, "CertificateManager"},
    {"wafv2", AWSREPLY_JSON, NULL, NULL, aws_wafv2_serve, "AWSWAF_20190729"},
    {"cloudformation", AWSREPLY_QUERY,
     "http://cloudformation.amazonaws.com/doc/2010-05-15/", "2010-05-15",
     aws_cfn_serve, NULL},
};

static const struct service *find_service(const char *name)
{
    for (size_t i = 0; i < sizeof(services) / sizeof(services[0]); i++)
        if (name && strcmp(services[i].name, name) == 0)
            return &services[i];
    return NULL;
}

/* Copies the service and region of the credential scope, from the
 * Authorization header or a presigned X-Amz-Credential. */
static int credential_scope(const struct sb_request *req, char *service,
                            char *region, size_t len)
{
    const char *auth = sb_header(req, "Authorization");
    struct sigv4_authorization_parts parts;
    if (auth && sigv4_parse_authorization(auth, &parts) == 0) {
        snprintf(service, len, "%s", parts.service);
        snprintf(region, len, "%s", parts.region);
        sigv4_authorization_free(&parts);
        return 0;
    }
    const char *cred = sb_query(req, "X-Amz-Credential");
    char key[128], date[16];
    if (cred && sscanf(cred, "%127[^/]/%15[^/]/%63[^/]/%63[^/]/", key, date,
                       region, service) == 4)
        return 0;
    return -1;
}

/* Calls that clients send unsigned, which STS identifies by their Action. */
static int unsigned_call(struct awsreply *r)
{
    const char *action = awsreply_param(r, "Action");
    return action && (strcmp(action, "AssumeRoleWithWebIdentity") == 0 ||
                      strcmp(action, "AssumeRoleWithSAML") == 0);
}

struct auth_error {
    const char *code;       /* as auth_verify_request returns it */
    const char *json_code;  /* the same failure in rest-json services */
    int status;
};

static const struct auth_error auth_errors[] = {
    {"InvalidClientTokenId", "UnrecognizedClientException", 403},
    {"SignatureDoesNotMatch", "InvalidSignatureException", 403},
    {"IncompleteSignature", "IncompleteSignatureException", 400},
    {"MissingAuthenticationToken", "MissingAuthenticationTokenException",
     403},
    {"ExpiredToken", "ExpiredTokenException", 403},
    {"AuthorizationQueryParametersError", "IncompleteSignatureException",
     400},
};

static void auth_failed(struct awsreply *r, const char *code,
                        const char *message)
{
    const struct auth_error *e = NULL;
    for (size_t i = 0; i < sizeof(auth_errors) / sizeof(auth_errors[0]); i++)
        if (strcmp(auth_errors[i].code, code) == 0)
            e = &auth_errors[i];
    int status = e ? e->status : 403;
    if ((r->protocol == AWSREPLY_REST_JSON || r->protocol == AWSREPLY_JSON) &&
        e) {
        if (strcmp(code, "MissingAuthenticationToken") == 0)
            message = "Missing Authentication Token";
        code = e->json_code;
    } else if (r->protocol == AWSREPLY_EC2 &&
               strcmp(code, "InvalidClientTokenId") == 0) {
        code = "AuthFailure";
        message = "AWS was not able to validate the provided access "
                  "credentials";
        status = 401;
    }
    awsreply_error(r, status, code, "%s", message);
}

/* Query and ec2 calls name their Action and the API version. */
static int check_action(struct awsreply *r, const struct service *svc)
{
    r->action = awsreply_param(r, "Action");
    const char *version = awsreply_param(r, "Version");
    if (!r->action || !*r->action) {
        awsreply_error(r, 400, "MissingAction", "Missing Action");
        return -1;
    }
    if (strlen(r->action) > 64) {
        awsreply_error(r, 400, "InvalidAction", "The action is longer than "
                       "64 characters");
        return -1;
    }
    if (!version || strcmp(version, svc->version) != 0) {
        awsreply_error(r, 400, "InvalidAction", "Could not find operation %s "
                       "for version %s", r->action,
                       version ? version : "NO_VERSION_SPECIFIED");
        return -1;
    }
    return 0;
}

/* The json protocol names its operation in X-Amz-Target, as
 * "CertificateManager.DescribeCertificate"; returns 0, or -1 after
 * replying with an error. */
static int check_target(struct awsreply *r, const struct service *svc)
{
    const char *target = sb_header(r->req, "X-Amz-Target");
    size_t len = strlen(svc->target_prefix);
    if (!target || strncmp(target, svc->target_prefix, len) != 0 ||
        target[len] != '.' || !target[len + 1] || strlen(target) > 128) {
        awsreply_error(r, 400, "UnknownOperationException", "X-Amz-Target "
                       "'%s' names no operation of this service",
                       target ? target : "");
        return -1;
    }
    r->action = target + len + 1;
    return 0;
}

static const struct service *target_service(const struct sb_request *req)
{
    const char *target = sb_header(req, "X-Amz-Target");
    for (size_t i = 0; target && i < sizeof(services) / sizeof(services[0]);
         i++) {
        const char *prefix = services[i].target_prefix;
        if (prefix && strncmp(target, prefix, strlen(prefix)) == 0)
            return &services[i];
    }
    return NULL;
}

/* The service of a request that names none in a credential scope, for
 * the error reply: EKS by its paths, json services by X-Amz-Target, the
 * others by their API version. */
static const struct service *guess_service(struct awsreply *r)
{
    if (strncmp(r->req->path, "/clusters", 9) == 0)
        return find_service("eks");
    if (target_service(r->req))
        return target_service(r->req);
    const char *version = awsreply_param(r, "Version");
    for (size_t i = 0; version && i < sizeof(services) / sizeof(services[0]);
         i++)
        if (services[i].version && strcmp(services[i].version, version) == 0)
            return &services[i];
    return NULL;
}

static void serve(struct awsreply *r)
{
    char service[64] = "", region[64] = "", msg[512];
    int scoped = credential_scope(r->req, service, region,
                                  sizeof(service)) == 0;
    const struct service *svc = scoped ? find_service(service) : NULL;
    int json = svc ? svc->protocol == AWSREPLY_REST_JSON ||
                         svc->protocol == AWSREPLY_JSON
                   : strncmp(r->req->path, "/clusters", 9) == 0 ||
                     target_service(r->req);
    if (!json && awsreply_parse_params(r) < 0)
        return;
    if (!scoped)
        svc = guess_service(r);
    if (svc) {
        r->protocol = svc->protocol;
        r->xmlns = svc->xmlns;
    }
    if (!scoped && unsigned_call(r)) {
        svc = find_service("sts");
        r->xmlns = svc->xmlns;
        r->region = "us-east-1";
    } else {
        const char *code = auth_verify_request(r->world, r->req, &r->who,
                                               msg, sizeof(msg));
        if (code) {
            auth_failed(r, code, msg);
            return;
        }
        if (!svc) {
            awsreply_error(r, 400, "UnknownService", "albatross-sandbox "
                           "does not serve the '%s' service; it serves sts, "
                           "iam, ec2, eks, elasticloadbalancing, acm, "
                           "wafv2 and cloudformation", service);
            return;
        }
        r->region = region;
    }
    r->service = svc->name;
    if (svc->protocol == AWSREPLY_JSON) {
        if (check_target(r, svc) < 0)
            return;
    } else if (svc->protocol != AWSREPLY_REST_JSON &&
               check_action(r, svc) < 0) {
        return;
    }
    /* Query and ec2 calls all POST to "/", so the request line alone does
     * not show which operation ran. */
    if (r->action)
        fprintf(stderr, "albatross-sandbox: %s %s\n", svc->name, r->action);
    svc->serve(r);
}

void aws_serve(struct world *w, const struct sb_request *req,
               struct sb_response *res)
{
    struct awsreply r;
    awsreply_init(&r, w, req, res);
    serve(&r);
    awsreply_cleanup(&r);
}
