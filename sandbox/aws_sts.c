/*
 * STS (query protocol): GetCallerIdentity, in XML or in JSON when the
 * caller accepts it, and AssumeRoleWithWebIdentity, which checks the web
 * identity token's issuer, audience and expiry and the role's trust
 * policy, then registers temporary credentials in the world.
 *
 * Limits: the token's signature is not checked, because the sandbox
 * publishes no JWKS. Trust policies are evaluated for Allow statements
 * with StringEquals and StringLike conditions only, and any other
 * condition operator denies.
 */
#include "aws_services.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/rand.h>

#include "../api/base64.h"

#define DURATION_DEFAULT 3600
#define DURATION_MIN 900
#define DURATION_MAX 43200
#define TOKEN_MAX 20000
#define MSG_NOT_AUTHORIZED "Not authorized to perform " \
    "sts:AssumeRoleWithWebIdentity"

static void caller_identity_json(struct awsreply *r)
{
    cJSON *body = cJSON_CreateObject();
    cJSON *response = cJSON_AddObjectToObject(body,
                                              "GetCallerIdentityResponse");
    cJSON *result = cJSON_AddObjectToObject(response,
                                            "GetCallerIdentityResult");
    cJSON_AddStringToObject(result, "Account", r->world->account_id);
    cJSON_AddStringToObject(result, "Arn", r->who->arn);
    cJSON_AddStringToObject(result, "UserId", r->who->user_id);
    cJSON *meta = cJSON_AddObjectToObject(response, "ResponseMetadata");
    cJSON_AddStringToObject(meta, "RequestId", r->request_id);
    awsreply_json(r, 200, body);
}

static void get_caller_identity(struct awsreply *r)
{
    const char *accept = sb_header(r->req, "Accept");
    if (accept && strstr(accept, "application/json")) {
        caller_identity_json(r);
        return;
    }
    int rc = awsreply_xml_begin(r);
    rc |= awsreply_xml_text(r, "Arn", r->who->arn);
    rc |= awsreply_xml_text(r, "UserId", r->who->user_id);
    rc |= awsreply_xml_text(r, "Account", r->world->account_id);
    if (rc == 0)
        awsreply_xml_end(r);
    else
        awsreply_error(r, 500, "InternalFailure", "could not write the reply");
}

/* The claims of a web identity token that STS looks at. */
struct claims {
    cJSON *json;
    const char *iss;
    const char *sub;
    const char *aud;        /* the first audience */
    double exp;
};

/* Reads the payload of a JWT (header.payload.signature). */
static int read_claims(const char *token, struct claims *c)
{
    const char *dot1 = strchr(token, '.');
    const char *dot2 = dot1 ? strchr(dot1 + 1, '.') : NULL;
    struct buf payload;
    memset(c, 0, sizeof(*c));
    if (!dot2 || strlen(token) > TOKEN_MAX)
        return -1;
    buf_init(&payload, TOKEN_MAX);
    if (base64url_decode(dot1 + 1, (size_t)(dot2 - dot1 - 1), &payload) == 0
        && payload.data)
        c->json = cJSON_Parse(payload.data);
    buf_cleanup(&payload);
    if (!cJSON_IsObject(c->json))
        return -1;
    cJSON *aud = cJSON_GetObjectItemCaseSensitive(c->json, "aud");
    if (cJSON_IsArray(aud))
        aud = cJSON_GetArrayItem(aud, 0);
    cJSON *exp = cJSON_GetObjectItemCaseSensitive(c->json, "exp");
    c->iss = cJSON_GetStringValue(
        cJSON_GetObjectItemCaseSensitive(c->json, "iss"));
    c->sub = cJSON_GetStringValue(
        cJSON_GetObjectItemCaseSensitive(c->json, "sub"));
    c->aud = cJSON_GetStringValue(aud);
    c->exp = cJSON_IsNumber(exp) ? exp->valuedouble : 0;
    return c->iss && c->sub && c->aud && c->exp > 0 ? 0 : -1;
}

/* "*" matches any run of characters and "?" one, as IAM's StringLike. */
static int glob_match(const char *pattern, const char *s)
{
    if (!*pattern)
        return !*s;
    if (*pattern == '*')
        return glob_match(pattern + 1, s) || (*s && glob_match(pattern, s + 1));
    if (!*s)
        return 0;
    return (*pattern == '?' || *pattern == *s) &&
           glob_match(pattern + 1, s + 1);
}

/* A policy value is a string or an array of strings; 1 when one of them
 * matches s. */
static int value_matches(const cJSON *value, const char *s, int like)
{
    if (cJSON_IsString(value))
        return like ? glob_match(value->valuestring, s)
                    : strcmp(value->valuestring, s) == 0;
    const cJSON *item;
    cJSON_ArrayForEach(item, value)
        if (value_matches(item, s, like))
            return 1;
    return 0;
}

/* The value a condition key has for this request: ISSUER:sub,
 * ISSUER:aud, ISSUER:oaud; NULL for any other key. */
static const char *condition_value(const char *key, const char *issuer,
                                   const struct claims *c)
{
    size_t len = strlen(issuer);
    if (strncmp(key, issuer, len) != 0 || key[len] != ':')
        return NULL;
    const char *claim = key + len + 1;
    if (strcmp(claim, "sub") == 0)
        return c->sub;
    if (strcmp(claim, "aud") == 0 || strcmp(claim, "oaud") == 0)
        return c->aud;
    return NULL;
}

static int conditions_hold(const cJSON *condition, const char *issuer,
                           const struct claims *c)
{
    const cJSON *op;
    cJSON_ArrayForEach(op, condition) {
        int like;
        if (strcmp(op->string, "StringEquals") == 0)
            like = 0;
        else if (strcmp(op->string, "StringLike") == 0)
            like = 1;
        else
            return 0;
        const cJSON *test;
        cJSON_ArrayForEach(test, op) {
            const char *actual = condition_value(test->string, issuer, c);
            if (!actual || !value_matches(test, actual, like))
                return 0;
        }
    }
    return 1;
}

static int action_allowed(const cJSON *action)
{
    return value_matches(action, "sts:AssumeRoleWithWebIdentity", 1) ||
           value_matches(action, "sts:assumerolewithwebidentity", 1);
}

static int statement_allows(const cJSON *st, const char *provider_arn,
                            const char *issuer, const struct claims *c)
{
    const char *effect = cJSON_GetStringValue(
        cJSON_GetObjectItemCaseSensitive(st, "Effect"));
    const cJSON *principal = cJSON_GetObjectItemCaseSensitive(st,
                                                              "Principal");
    const cJSON *federated = cJSON_GetObjectItemCaseSensitive(principal,
                                                              "Federated");
    if (!effect || strcmp(effect, "Allow") != 0 || !federated ||
        !value_matches(federated, provider_arn, 0))
        return 0;
    if (!action_allowed(cJSON_GetObjectItemCaseSensitive(st, "Action")))
        return 0;
    return conditions_hold(cJSON_GetObjectItemCaseSensitive(st, "Condition"),
                           issuer, c);
}

static int trust_allows(const struct world_role *role,
                        const char *provider_arn, const char *issuer,
                        const struct claims *c)
{
    cJSON *doc = cJSON_Parse(role->trust_policy);
    const cJSON *statements = cJSON_GetObjectItemCaseSensitive(doc,
                                                               "Statement");
    int allowed = 0;
    if (cJSON_IsObject(statements))
        allowed = statement_allows(statements, provider_arn, issuer, c);
    const cJSON *st;
    if (cJSON_IsArray(statements))
        cJSON_ArrayForEach(st, statements)
            allowed |= statement_allows(st, provider_arn, issuer, c);
    cJSON_Delete(doc);
    return allowed;
}

static const struct world_role *role_by_arn(const struct world *w,
                                            const char *arn)
{
    const char *slash = arn ? strrchr(arn, '/') : NULL;
    const struct world_role *role = slash ? world_role(w, slash + 1) : NULL;
    return role && strcmp(role->arn, arn) == 0 ? role : NULL;
}

/* len random characters of set. */
static char *random_text(const char *prefix, size_t len, const char *set)
{
    size_t plen = strlen(prefix), base = strlen(set);
    unsigned char *bytes = malloc(len);
    char *out = malloc(plen + len + 1);
    if (!bytes || !out || RAND_bytes(bytes, (int)len) != 1) {
        free(bytes);
        free(out);
        return NULL;
    }
    memcpy(out, prefix, plen);
    for (size_t i = 0; i < len; i++)
        out[plen + i] = set[bytes[i] % base];
    out[plen + len] = '\0';
    free(bytes);
    return out;
}

#define UPPER_SET "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
#define SECRET_SET "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz" \
    "0123456789+/"

static const struct world_credential *issue(struct awsreply *r,
                                            const struct world_role *role,
                                            const char *session,
                                            time_t expiration)
{
    struct world_credential c = {
        .access_key_id = random_text("ASIA", 16, UPPER_SET),
        .secret_access_key = random_text("", 40, SECRET_SET),
        .session_token = random_text("IQoJb3JpZ2luX2VjE", 300, SECRET_SET),
        .arn = NULL, .user_id = NULL, .expiration = expiration,
    };
    size_t len = strlen(role->name) + strlen(session) + 64;
    c.arn = malloc(len);
    c.user_id = malloc(len);
    if (c.arn)
        snprintf(c.arn, len, "arn:aws:sts::%s:assumed-role/%s/%s",
                 r->world->account_id, role->name, session);
    if (c.user_id)
        snprintf(c.user_id, len, "%s:%s", role->role_id, session);
    if (!c.access_key_id || !c.secret_access_key || !c.session_token ||
        !c.arn || !c.user_id) {
        free(c.access_key_id);
        free(c.secret_access_key);
        free(c.session_token);
        free(c.arn);
        free(c.user_id);
        return NULL;
    }
    return world_add_credential(r->world, &c);
}

static int write_assumed(struct awsreply *r, const struct world_credential *c,
                         const struct claims *claims,
                         const char *provider_arn)
{
    char expiration[21];
    awsreply_format_time(c->expiration, expiration);
    int rc = awsreply_xml_begin(r);
    rc |= awsreply_xml_open(r, "Credentials");
    rc |= awsreply_xml_text(r, "AccessKeyId", c->access_key_id);
    rc |= awsreply_xml_text(r, "SecretAccessKey", c->secret_access_key);
    rc |= awsreply_xml_text(r, "SessionToken", c->session_token);
    rc |= awsreply_xml_text(r, "Expiration", expiration);
    rc |= awsreply_xml_close(r);
    rc |= awsreply_xml_text(r, "SubjectFromWebIdentityToken", claims->sub);
    rc |= awsreply_xml_open(r, "AssumedRoleUser");
    rc |= awsreply_xml_text(r, "AssumedRoleId", c->user_id);
    rc |= awsreply_xml_text(r, "Arn", c->arn);
    rc |= awsreply_xml_close(r);
    rc |= awsreply_xml_text(r, "Provider", provider_arn);
    rc |= awsreply_xml_text(r, "Audience", claims->aud);
    return rc ? -1 : awsreply_xml_end(r);
}

static int valid_session_name(const char *s)
{
    size_t len = strlen(s);
    if (len < 2 || len > 64)
        return 0;
    for (; *s; s++)
        if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                    "0123456789+=,.@_-", *s))
            return 0;
    return 1;
}

/* Parameter checks, with the validation messages of AWS's front end. */
static int read_assume_params(struct awsreply *r, const char **role_arn,
                              const char **session, const char **token,
                              long *duration)
{
    *role_arn = awsreply_param(r, "RoleArn");
    *session = awsreply_param(r, "RoleSessionName");
    *token = awsreply_param(r, "WebIdentityToken");
    const char *seconds = awsreply_param(r, "DurationSeconds");
    const char *missing = !*role_arn ? "roleArn"
                          : !*session ? "roleSessionName"
                          : !*token ? "webIdentityToken" : NULL;
    if (missing) {
        awsreply_error(r, 400, "ValidationError", "1 validation error "
                       "detected: Value null at '%s' failed to satisfy "
                       "constraint: Member must not be null", missing);
        return -1;
    }
    if (!valid_session_name(*session)) {
        awsreply_error(r, 400, "ValidationError", "1 validation error "
                       "detected: Value '%s' at 'roleSessionName' failed to "
                       "satisfy constraint: Member must satisfy regular "
                       "expression pattern: [\\w+=,.@-]*", *session);
        return -1;
    }
    char *end = NULL;
    *duration = seconds ? strtol(seconds, &end, 10) : DURATION_DEFAULT;
    if (seconds && (*end || *duration < DURATION_MIN ||
                    *duration > DURATION_MAX)) {
        awsreply_error(r, 400, "ValidationError", "The requested "
                       "DurationSeconds exceeds the 1 hour session limit for "
                       "roles, or is not between %d and %d", DURATION_MIN,
                       DURATION_MAX);
        return -1;
    }
    return 0;
}

static int audience_known(const struct world_oidc_provider *p,
                          const char *aud)
{
    for (size_t i = 0; i < p->client_id_count; i++)
        if (strcmp(p->client_ids[i], aud) == 0)
            return 1;
    return 0;
}

/* Checks the token against the account's OIDC providers; returns the
 * provider, or NULL after replying with the error. */
static const struct world_oidc_provider *check_token(struct awsreply *r,
                                                     const struct claims *c)
{
    const char *issuer = c->iss;
    if (strncmp(issuer, "https://", 8) == 0)
        issuer += 8;
    char arn[512];
    snprintf(arn, sizeof(arn), "arn:aws:iam::%s:oidc-provider/%s",
             r->world->account_id, issuer);
    const struct world_oidc_provider *p = world_oidc_provider(r->world, arn);
    if (!p) {
        awsreply_error(r, 400, "InvalidIdentityToken", "No OpenIDConnect "
                       "provider found in your account for %s", c->iss);
        return NULL;
    }
    if (!audience_known(p, c->aud)) {
        awsreply_error(r, 400, "InvalidIdentityToken", "Incorrect token "
                       "audience");
        return NULL;
    }
    if (c->exp <= (double)r->req->now) {
        awsreply_error(r, 400, "ExpiredTokenException", "Token expired: "
                       "current date/time %lld must be before the expiration "
                       "date/time %.0f", (long long)r->req->now, c->exp);
        return NULL;
    }
    return p;
}

static void assume_role_with_web_identity(struct awsreply *r)
{
    const char *role_arn, *session, *token;
    long duration;
    struct claims claims;
    if (read_assume_params(r, &role_arn, &session, &token, &duration) < 0)
        return;
    if (read_claims(token, &claims) < 0) {
        cJSON_Delete(claims.json);
        awsreply_error(r, 400, "InvalidIdentityToken", "Couldn't parse web "
                       "identity token: it needs iss, sub, aud and exp");
        return;
    }
    const struct world_oidc_provider *p = check_token(r, &claims);
    const struct world_role *role = p ? role_by_arn(r->world, role_arn)
                                      : NULL;
    if (!p) {
        /* check_token has replied */
    } else if (!role || !trust_allows(role, p->arn, p->url, &claims)) {
        awsreply_error(r, 403, "AccessDenied", MSG_NOT_AUTHORIZED);
    } else {
        const struct world_credential *c =
            issue(r, role, session, r->req->now + duration);
        if (!c)
            awsreply_error(r, 500, "InternalFailure", "out of memory");
        else
            write_assumed(r, c, &claims, p->arn);
    }
    cJSON_Delete(claims.json);
}

const char *aws_sts_check_web_identity(const struct world *w,
                                       const char *role_arn,
                                       const char *issuer, const char *sub,
                                       const char *aud, int *status,
                                       char *msg, size_t len)
{
    char arn[512];
    const char *host = strncmp(issuer, "https://", 8) == 0 ? issuer + 8
                                                           : issuer;
    snprintf(arn, sizeof(arn), "arn:aws:iam::%s:oidc-provider/%s",
             w->account_id, host);
    const struct world_oidc_provider *p = world_oidc_provider(w, arn);
    struct claims claims = { .iss = issuer, .sub = sub, .aud = aud };
    const struct world_role *role = world_role_by_arn(w, role_arn);
    *status = 400;
    if (!p) {
        snprintf(msg, len, "No OpenIDConnect provider found in your account "
                 "for %s", issuer);
        return "InvalidIdentityToken";
    }
    if (!audience_known(p, aud)) {
        snprintf(msg, len, "Incorrect token audience");
        return "InvalidIdentityToken";
    }
    *status = 403;
    if (!role || !trust_allows(role, p->arn, p->url, &claims)) {
        snprintf(msg, len, MSG_NOT_AUTHORIZED);
        return "AccessDenied";
    }
    *status = 200;
    return NULL;
}

void aws_sts_serve(struct awsreply *r)
{
    if (!r->who && strcmp(r->action, "AssumeRoleWithWebIdentity") != 0) {
        awsreply_error(r, 403, "MissingAuthenticationToken", "Request is "
                       "missing Authentication Token");
        return;
    }
    if (strcmp(r->action, "GetCallerIdentity") == 0)
        get_caller_identity(r);
    else if (strcmp(r->action, "AssumeRoleWithWebIdentity") == 0)
        assume_role_with_web_identity(r);
    else
        awsreply_error(r, 400, "InvalidAction", "Could not find operation %s "
                       "for version 2011-06-15", r->action);
}
