/*
 * IRSA trust evaluation. A statement allows (or, for Deny, denies) the web
 * identity call when its principal, its action and every one of its
 * conditions match. As in IAM, operators and the keys under one operator
 * AND together, and the values of one key OR together. An explicit Deny
 * wins over any Allow.
 */
#include "irsa.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#define SA_PREFIX "system:serviceaccount:"

/* The result of checking one statement against the request. */
enum outcome {
    MATCHES,
    NO_PRINCIPAL,
    NO_ACTION,
    NO_SUBJECT,            /* the sub condition rejects the subject */
    NO_AUDIENCE,
    UNSUPPORTED,           /* a condition this module does not evaluate */
};

struct request {
    const struct irsa_request *rq;
    char provider[512];
    char host_path[400];   /* the issuer without https:// */
    char subject[400];
    char bad_condition[200]; /* the first unsupported operator and key */
};

const char *irsa_status_name(enum irsa_status status)
{
    switch (status) {
    case IRSA_OK:
        return "ok";
    case IRSA_TOO_BROAD:
        return "too broad";
    case IRSA_NOT_TRUSTED:
        return "not trusted";
    case IRSA_NO_PROVIDER:
        return "no OIDC provider";
    }
    return "?";
}

static const char *strip_scheme(const char *issuer)
{
    return strncmp(issuer, "https://", 8) == 0 ? issuer + 8 : issuer;
}

int irsa_provider_arn(const char *role_arn, const char *issuer, char *buf,
                      size_t len)
{
    /* arn:PARTITION:iam::ACCOUNT:role/NAME */
    const char *partition = role_arn && strncmp(role_arn, "arn:", 4) == 0
        ? role_arn + 4 : NULL;
    const char *service = partition ? strchr(partition, ':') : NULL;
    if (!service || strncmp(service, ":iam::", 6) != 0 || !issuer)
        return -1;
    const char *account = service + 6;
    const char *end = strchr(account, ':');
    if (!end)
        return -1;
    int n = snprintf(buf, len, "arn:%.*s:iam::%.*s:oidc-provider/%s",
                     (int)(service - partition), partition,
                     (int)(end - account), account, strip_scheme(issuer));
    return n > 0 && (size_t)n < len ? 0 : -1;
}

static int contains(const struct policy_strings *s, const char *value)
{
    for (size_t i = 0; i < s->count; i++)
        if (strcmp(s->items[i], value) == 0)
            return 1;
    return 0;
}

/* 1 when key is HOST_PATH:claim, compared ignoring case as IAM does. */
static int is_claim_key(const struct request *r, const char *key,
                        const char *claim)
{
    size_t n = strlen(r->host_path);
    return strncasecmp(key, r->host_path, n) == 0 && key[n] == ':' &&
           strcasecmp(key + n + 1, claim) == 0;
}

static int value_matches(const struct policy_condition *c, int like,
                         const char *value)
{
    for (size_t i = 0; i < c->values.count; i++)
        if (like ? policy_string_like(c->values.items[i], value)
                 : strcmp(c->values.items[i], value) == 0)
            return 1;
    return 0;
}

static enum outcome check_condition(struct request *r,
                                    const struct policy_condition *c)
{
    int like = strcmp(c->op, "StringLike") == 0;
    int sub = is_claim_key(r, c->key, "sub");
    int aud = is_claim_key(r, c->key, "aud");
    if ((!like && strcmp(c->op, "StringEquals") != 0) || (!sub && !aud)) {
        if (!r->bad_condition[0])
            snprintf(r->bad_condition, sizeof(r->bad_condition), "%s on %s",
                     c->op, c->key);
        return UNSUPPORTED;
    }
    if (sub)
        return value_matches(c, like, r->subject) ? MATCHES : NO_SUBJECT;
    return value_matches(c, like, IRSA_AUDIENCE) ? MATCHES : NO_AUDIENCE;
}

/* The first failing condition decides, but an unsupported one is reported
 * before a subject or audience mismatch so that no guess is shown. */
static enum outcome check_statement(struct request *r,
                                    const struct policy_statement *st)
{
    if (!st->any_principal && !contains(&st->federated, r->provider))
        return NO_PRINCIPAL;
    if (!policy_statement_covers(st, IRSA_ACTION))
        return NO_ACTION;
    enum outcome worst = MATCHES;
    for (size_t i = 0; i < st->condition_count; i++) {
        enum outcome o = check_condition(r, &st->conditions[i]);
        if (o == UNSUPPORTED || (o != MATCHES && worst == MATCHES))
            worst = o;
    }
    return worst;
}

/* 1 when a sub pattern admits service accounts of other namespaces, or
 * every service account of one namespace. A name prefix such as
 * system:serviceaccount:batch:worker-* is taken as deliberate. */
static int pattern_is_broad(const char *pattern)
{
    if (!strpbrk(pattern, "*?"))
        return 0;
    if (strncmp(pattern, SA_PREFIX, strlen(SA_PREFIX)) != 0)
        return 1;
    const char *ns = pattern + strlen(SA_PREFIX);
    const char *colon = strchr(ns, ':');
    if (!colon || strcspn(ns, "*?") < (size_t)(colon - ns))
        return 1;
    return strspn(colon + 1, "*") == strlen(colon + 1);
}

static int statement_is_broad(struct request *r,
                              const struct policy_statement *st)
{
    int has_sub = 0;
    for (size_t i = 0; i < st->condition_count; i++) {
        const struct policy_condition *c = &st->conditions[i];
        if (!is_claim_key(r, c->key, "sub"))
            continue;
        has_sub = 1;
        int like = strcmp(c->op, "StringLike") == 0;
        for (size_t k = 0; like && k < c->values.count; k++)
            if (pattern_is_broad(c->values.items[k]))
                return 1;
    }
    return !has_sub;
}

static void statement_name(const struct policy *p, size_t i, char *buf,
                           size_t len)
{
    if (p->statements[i].sid && p->statements[i].sid[0])
        snprintf(buf, len, "statement %s", p->statements[i].sid);
    else
        snprintf(buf, len, "statement %zu", i + 1);
}

/* Writes the sub values of the statements that name the provider and the
 * action to buf, so the reason lists the subjects the role trusts. */
static void list_subjects(struct request *r, const struct policy *p,
                          char *buf, size_t len)
{
    size_t used = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < p->count; i++) {
        const struct policy_statement *st = &p->statements[i];
        if (st->effect != POLICY_ALLOW ||
            check_statement(r, st) != NO_SUBJECT)
            continue;
        for (size_t c = 0; c < st->condition_count; c++) {
            const struct policy_condition *cond = &st->conditions[c];
            if (!is_claim_key(r, cond->key, "sub"))
                continue;
            for (size_t k = 0; k < cond->values.count && used < len; k++)
                used += (size_t)snprintf(buf + used, len - used, "%s%s",
                                         used ? ", " : "",
                                         cond->values.items[k]);
        }
    }
}

static void set(struct irsa_result *out, enum irsa_status status,
                unsigned finding, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void set(struct irsa_result *out, enum irsa_status status,
                unsigned finding, const char *fmt, ...)
{
    out->status = status;
    out->findings |= finding;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(out->reason, sizeof(out->reason), fmt, ap);
    va_end(ap);
}

/* Explains why no Allow statement matched, from the furthest any got. */
static void explain_rejection(struct request *r, const struct policy *p,
                              enum outcome best, struct irsa_result *out)
{
    char subjects[400];
    switch (best) {
    case NO_PRINCIPAL:
    case MATCHES:
        set(out, IRSA_NOT_TRUSTED, IRSA_F_PROVIDER_NOT_TRUSTED, "the trust "
            "policy does not trust the federated principal %s",
            r->provider);
        break;
    case NO_ACTION:
        set(out, IRSA_NOT_TRUSTED, IRSA_F_ACTION_MISSING, "the trust policy "
            "trusts %s but does not allow %s", r->provider, IRSA_ACTION);
        break;
    case NO_SUBJECT:
        list_subjects(r, p, subjects, sizeof(subjects));
        set(out, IRSA_NOT_TRUSTED, IRSA_F_SUBJECT_NOT_ALLOWED, "%s is not "
            "allowed; the role trusts only %s", r->subject, subjects);
        break;
    case NO_AUDIENCE:
        set(out, IRSA_NOT_TRUSTED, IRSA_F_AUDIENCE_MISSING, "the aud "
            "condition does not include %s, the audience of the token the "
            "EKS webhook mounts", IRSA_AUDIENCE);
        break;
    case UNSUPPORTED:
        set(out, IRSA_NOT_TRUSTED, IRSA_F_UNSUPPORTED, "the condition %s "
            "is not evaluated by albatross, so the role is not shown as "
            "trusted", r->bad_condition);
        break;
    }
}

/* How far a statement got: a later outcome explains a rejection best. */
static int progress(enum outcome o)
{
    static const int rank[] = {
        [NO_PRINCIPAL] = 0, [NO_ACTION] = 1, [UNSUPPORTED] = 2,
        [NO_AUDIENCE] = 3, [NO_SUBJECT] = 4, [MATCHES] = 5,
    };
    return rank[o];
}

static void decide(struct request *r, const struct policy *p,
                   struct irsa_result *out)
{
    enum outcome best = NO_PRINCIPAL;
    int allowed = 0, broad = 0;
    for (size_t i = 0; i < p->count; i++) {
        const struct policy_statement *st = &p->statements[i];
        enum outcome o = check_statement(r, st);
        if (o == UNSUPPORTED)
            out->findings |= IRSA_F_UNSUPPORTED;
        if (st->effect == POLICY_DENY && o == MATCHES) {
            char name[80];
            statement_name(p, i, name, sizeof(name));
            set(out, IRSA_NOT_TRUSTED, IRSA_F_DENIED, "%s of the trust "
                "policy denies %s", name, r->subject);
            return;
        }
        if (st->effect != POLICY_ALLOW)
            continue;
        if (o == MATCHES) {
            allowed = 1;
            broad |= statement_is_broad(r, st);
        }
        if (progress(o) > progress(best))
            best = o;
    }
    if (!allowed)
        explain_rejection(r, p, best, out);
    else if (broad)
        set(out, IRSA_TOO_BROAD, IRSA_F_TOO_BROAD, "the trust policy lets "
            "%s assume the role, and other service accounts too: scope its "
            "%s:sub condition to one service account", r->subject,
            r->host_path);
}

void irsa_evaluate(const struct irsa_request *rq, const struct policy *trust,
                   struct irsa_result *out)
{
    memset(out, 0, sizeof(*out));
    struct request r = {.rq = rq};
    snprintf(r.host_path, sizeof(r.host_path), "%s",
             rq->issuer ? strip_scheme(rq->issuer) : "");
    snprintf(r.subject, sizeof(r.subject), SA_PREFIX "%s:%s", rq->namespace,
             rq->name);
    if (!rq->issuer) {
        set(out, IRSA_NO_PROVIDER, IRSA_F_NO_PROVIDER, "the cluster has no "
            "OIDC issuer");
        return;
    }
    if (irsa_provider_arn(rq->role_arn, rq->issuer, r.provider,
                          sizeof(r.provider)) < 0) {
        set(out, IRSA_NOT_TRUSTED, IRSA_F_PROVIDER_NOT_TRUSTED, "%s is not "
            "the ARN of an IAM role", rq->role_arn ? rq->role_arn : "-");
        return;
    }
    if (!rq->has_provider) {
        set(out, IRSA_NO_PROVIDER, IRSA_F_NO_PROVIDER, "the account has no "
            "IAM OIDC provider for %s; create %s", rq->issuer, r.provider);
        return;
    }
    decide(&r, trust, out);
}
