/*
 * Findings: why an ingress has no working load balancer, from what the
 * snapshot shows. The controller's own warning events carry the real
 * reason when it could not build or deploy the ALB; the checks here name
 * the broken link and what to do, and quote the event in full.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chain_internal.h"
#include "util.h"

void chain_add_finding(struct chain *c, enum chain_severity severity,
                       const char *title, const char *fix,
                       const char *detail_fmt, ...)
{
    char detail[4096];
    va_list ap;
    va_start(ap, detail_fmt);
    vsnprintf(detail, sizeof(detail), detail_fmt, ap);
    va_end(ap);
    c->findings = xrealloc(c->findings,
                           (c->finding_count + 1) * sizeof(*c->findings));
    struct chain_finding *f = &c->findings[c->finding_count++];
    f->severity = severity;
    f->title = xstrdup(title);
    f->detail = xstrdup(detail);
    f->fix = xstrdup(fix);
}

static int contains(const char *text, const char *word)
{
    return text && strstr(text, word) != NULL;
}

/* ---- the class ---- */

/* Returns 1 when the ingress is the ALB controller's to serve. */
static int check_class(const struct chain_snapshot *s,
                       const struct kube_ingress_info *in, struct chain *c)
{
    int legacy = 0;
    for (size_t i = 0; i < in->annotation_count; i++)
        legacy |= strcmp(in->annotations[i].key,
                         "kubernetes.io/ingress.class") == 0;
    if (legacy)     /* the controller matches the annotation by name */
        return in->class_name && strcmp(in->class_name, "alb") == 0;
    if (!c->controller && s->classes) {
        if (in->class_name)
            chain_add_finding(c, CHAIN_ERROR,
                "IngressClass does not exist",
                "Create the IngressClass (the AWS Load Balancer Controller's "
                "chart does with createIngressClassResource), or set "
                "spec.ingressClassName to an existing class such as alb.",
                "The ingress asks for class \"%s\" and the cluster has no "
                "IngressClass of that name, so no controller serves it.",
                in->class_name);
        else
            chain_add_finding(c, CHAIN_ERROR, "No ingress class",
                "Set spec.ingressClassName: alb.",
                "The ingress names no class and no IngressClass is marked "
                "as the default, so no controller serves it.");
        return 0;
    }
    if (c->controller && strcmp(c->controller, CHAIN_CONTROLLER) != 0) {
        chain_add_finding(c, CHAIN_INFO,
            "Served by another controller",
            "Nothing to do for an ALB; use class alb to get one.",
            "IngressClass %s belongs to controller %s, not to the AWS Load "
            "Balancer Controller (%s).", in->class_name ? in->class_name
                                                         : "(default)",
            c->controller, CHAIN_CONTROLLER);
        return 0;
    }
    return 1;
}

static void check_class_params(const struct chain_snapshot *s,
                               struct chain *c)
{
    const struct kube_ingress_class *k = NULL;
    for (size_t i = 0; s->classes && i < s->classes->class_count; i++)
        if (c->class_name &&
            strcmp(s->classes->classes[i].name, c->class_name) == 0)
            k = &s->classes->classes[i];
    if (!k || !k->params_name || !s->params)
        return;
    for (size_t i = 0; i < s->params->params_count; i++)
        if (strcmp(s->params->params[i].name, k->params_name) == 0)
            return;
    chain_add_finding(c, CHAIN_ERROR, "IngressClassParams does not exist",
        "Create the IngressClassParams object, or remove spec.parameters "
        "from the IngressClass.",
        "IngressClass %s refers to %s %s, which does not exist; the "
        "controller rejects the class (invalid ingress class).", k->name,
        k->params_kind ? k->params_kind : "IngressClassParams",
        k->params_name);
}

/* ---- the controller's events ---- */

static const struct chain_event *last_warning(const struct chain *c)
{
    for (size_t i = 0; i < c->event_count; i++)
        if (strcmp(c->events[i].type, "Warning") == 0)
            return &c->events[i];
    return NULL;
}

static int subnets_tagged(const struct chain_snapshot *s, const char *role)
{
    const struct ec2_network *n = s->role_subnets;
    for (size_t i = 0; n && i < n->subnet_count; i++)
        for (size_t k = 0; k < n->subnets[i].tag_count; k++)
            if (strcmp(n->subnets[i].tags[k].key, role) == 0)
                return 1;
    return !n;      /* not checked: assume tagged */
}

/* Turns a FailedBuildModel or FailedDeployModel message into a title and
 * what to do; the message itself goes in the detail. Credentials come
 * first: the controller reports them inside the step that needed them
 * ("couldn't auto-discover subnets: WebIdentityErr: ..."). */
static void explain_event(const struct chain_snapshot *s,
                          const struct chain_event *e, struct chain *c)
{
    const char *m = e->message;
    int internal = strcmp(c->scheme, "internal") == 0;
    const char *role = internal ? "kubernetes.io/role/internal-elb"
                                : "kubernetes.io/role/elb";
    char title[200], fix[600];
    if (contains(m, "AssumeRoleWithWebIdentity") ||
               contains(m, "WebIdentityErr")) {
        snprintf(title, sizeof(title), "The controller cannot assume its "
                 "IAM role");
        snprintf(fix, sizeof(fix), "Make the role's trust policy allow "
                 "sts:AssumeRoleWithWebIdentity from the cluster's OIDC "
                 "provider with the condition sub = system:serviceaccount:"
                 "kube-system:aws-load-balancer-controller (the "
                 "controller's service account) and aud = "
                 "sts.amazonaws.com.");
    } else if (contains(m, "AccessDenied") || contains(m, "not authorized") ||
               contains(m, "UnauthorizedOperation")) {
        snprintf(title, sizeof(title), "The controller's IAM role lacks a "
                 "permission");
        snprintf(fix, sizeof(fix), "Attach the AWS Load Balancer "
                 "Controller's IAM policy (iam_policy.json of the "
                 "controller's release) to the role of its service "
                 "account; the message names the missing action.");
    } else if (contains(m, "ertificate")) {
        snprintf(title, sizeof(title), "The listener's certificate cannot "
                 "be used");
        snprintf(fix, sizeof(fix), "Use an ISSUED ACM certificate from "
                 "the load balancer's region (%s) in "
                 "alb.ingress.kubernetes.io/certificate-arn.",
                 s->region ? s->region : "the cluster's region");
    } else if (contains(m, "subnet")) {
        snprintf(title, sizeof(title), "No subnets for an %s load balancer",
                 internal ? "internal" : "internet-facing");
        snprintf(fix, sizeof(fix), "Tag at least two subnets in different "
                 "Availability Zones of the cluster's VPC with %s=1, or "
                 "list them in alb.ingress.kubernetes.io/subnets.%s", role,
                 subnets_tagged(s, role) ? "" : " No subnet of the region "
                 "carries the tag now.");
    } else if (contains(m, "ervice") && contains(m, "not found")) {
        snprintf(title, sizeof(title), "A backend service does not exist");
        snprintf(fix, sizeof(fix), "Create the service, or point the "
                 "ingress at an existing one.");
    } else if (contains(m, "ingress class") || contains(m, "IngressClass")) {
        snprintf(title, sizeof(title), "The ingress class is invalid");
        snprintf(fix, sizeof(fix), "Fix the IngressClass or its "
                 "IngressClassParams.");
    } else {
        snprintf(title, sizeof(title), "The controller failed to %s the "
                 "load balancer", contains(e->reason, "Deploy") ? "deploy"
                                                                 : "build");
        snprintf(fix, sizeof(fix), "Read the message; then check the "
                 "controller's logs (kube-system, "
                 "aws-load-balancer-controller).");
    }
    chain_add_finding(c, CHAIN_ERROR, title, fix, "%s: %s", e->reason, m);
}

static void check_missing_alb(const struct chain_snapshot *s,
                              struct chain *c)
{
    const struct chain_event *e = last_warning(c);
    if (e) {
        explain_event(s, e, c);
        return;
    }
    int internal = strcmp(c->scheme, "internal") == 0;
    const char *role = internal ? "kubernetes.io/role/internal-elb"
                                : "kubernetes.io/role/elb";
    if (!subnets_tagged(s, role)) {
        chain_add_finding(c, CHAIN_ERROR, "No subnets tagged for the scheme",
            "Tag at least two subnets in different Availability Zones "
            "with the role tag.",
            "No subnet of %s carries %s, which an %s load balancer needs.",
            s->region ? s->region : "the region", role, c->scheme);
        return;
    }
    chain_add_finding(c, CHAIN_ERROR, "No load balancer and no events",
        "Check that the AWS Load Balancer Controller runs (deployment "
        "aws-load-balancer-controller in kube-system) and read its logs.",
        "No load balancer is tagged %s=%s for this ingress and the "
        "controller left no event on it.", CHAIN_TAG_STACK,
        c->group_name ? c->group_name : "NAMESPACE/NAME");
}

/* ---- backends, load balancer, targets, certificates ---- */

static void check_backends(const struct chain_snapshot *s, struct chain *c)
{
    if (!s->services || !s->endpoints)
        return;     /* unknown: the partial-list finding gives the reason */
    for (size_t i = 0; i < c->backend_count; i++) {
        const struct chain_backend *b = &c->backends[i];
        if (!b->service_exists)
            chain_add_finding(c, CHAIN_ERROR, "Backend service missing",
                "Create the service or fix the ingress's backend.",
                "The ingress routes to service %s/%s (port %s), which does "
                "not exist.", c->namespace, b->service,
                b->port ? b->port : "?");
        else if (b->endpoints_ready == 0)
            chain_add_finding(c, CHAIN_WARNING, "Backend has no ready pods",
                "Check the service's selector and its pods' readiness.",
                "Service %s/%s has %zu ready and %zu not ready endpoints.",
                c->namespace, b->service, b->endpoints_ready,
                b->endpoints_not_ready);
    }
}

static void check_alb_state(struct chain *c)
{
    if (c->alb_state == CHAIN_ALB_PROVISIONING)
        chain_add_finding(c, CHAIN_INFO, "Load balancer provisioning",
            "Wait: AWS moves a new ALB to active within minutes.",
            "%s is provisioning.", c->alb->name);
    else if (c->alb_state == CHAIN_ALB_FAILED)
        chain_add_finding(c, CHAIN_ERROR, "Load balancer failed",
            "Read the reason; delete the ingress's ALB so the controller "
            "makes a new one, or fix what the reason names.",
            "%s is in state %s: %s", c->alb->name, c->alb->state,
            c->alb->state_reason ? c->alb->state_reason : "no reason given");
}

/* The targets that are not healthy, as "ID:PORT STATE REASON
 * (DESCRIPTION)" joined by "; ", into out. */
static void reason_summary(const struct chain_target_group *tg, char *out,
                           size_t outlen)
{
    size_t used = 0;
    out[0] = '\0';
    for (size_t i = 0; i < tg->target_count && used + 1 < outlen; i++) {
        const struct chain_target *t = &tg->targets[i];
        if (strcmp(t->state, "healthy") == 0)
            continue;
        used += (size_t)snprintf(out + used, outlen - used,
                                 "%s%s:%d %s %s%s%s%s", used ? "; " : "",
                                 t->id, t->port, t->state,
                                 t->reason ? t->reason : "",
                                 t->description ? " (" : "",
                                 t->description ? t->description : "",
                                 t->description ? ")" : "");
    }
}

/* Targets in registration or their first health checks: not yet a
 * failure. */
static size_t settling(const struct chain_target_group *tg)
{
    size_t n = 0;
    for (size_t i = 0; i < tg->target_count; i++)
        n += strcmp(tg->targets[i].state, "initial") == 0;
    return n;
}

static void check_targets(struct chain *c)
{
    char reasons[2048];
    for (size_t i = 0; i < c->target_group_count; i++) {
        const struct chain_target_group *tg = &c->target_groups[i];
        if (tg->health_state != MODEL_READY)
            continue;
        if (tg->target_count == 0) {
            chain_add_finding(c, CHAIN_WARNING, "No targets registered",
                "Check that the backend service has ready pods; the "
                "controller registers them.",
                "Target group %s has no targets.", tg->name);
            continue;
        }
        if (tg->healthy == tg->target_count)
            continue;
        reason_summary(tg, reasons, sizeof(reasons));
        if (tg->healthy + settling(tg) == tg->target_count) {
            chain_add_finding(c, CHAIN_INFO, "Targets being checked",
                "Wait for the health checks (interval times healthy "
                "threshold) to finish.",
                "Target group %s: %zu of %zu healthy; %s", tg->name,
                tg->healthy, tg->target_count, reasons);
            continue;
        }
        chain_add_finding(c, tg->healthy ? CHAIN_WARNING : CHAIN_ERROR,
            tg->healthy ? "Some targets are unhealthy"
                        : "No healthy targets",
            "Compare the health check (path, port, matcher) with what the "
            "pods answer, and check the security groups between the ALB "
            "and the pods.",
            "Target group %s: %zu of %zu healthy; %s", tg->name,
            tg->healthy, tg->target_count, reasons);
    }
}

static void check_certificate(const struct chain_snapshot *s,
                              const struct chain_certificate *cert,
                              struct chain *c)
{
    if (cert->region && s->region && strcmp(cert->region, s->region) != 0)
        chain_add_finding(c, CHAIN_ERROR, "Certificate in another region",
            "Request or import the certificate in the load balancer's "
            "region and use that ARN.",
            "Certificate %s is in %s; the load balancer is in %s and can "
            "only use certificates of its own region.", cert->arn,
            cert->region, s->region);
    if (cert->status && strcmp(cert->status, "ISSUED") != 0)
        chain_add_finding(c, CHAIN_ERROR, "Certificate not issued",
            "Complete the certificate's validation (DNS or email), or use "
            "an issued certificate.",
            "Certificate %s (%s) has status %s.", cert->arn,
            cert->domain ? cert->domain : "?", cert->status);
    else if (cert->expires && cert->expires < s->now)
        chain_add_finding(c, CHAIN_ERROR, "Certificate expired",
            "Renew or replace the certificate.",
            "Certificate %s (%s) expired on %s.", cert->arn,
            cert->domain ? cert->domain : "?", cert->not_after);
    else if (cert->expires && cert->expires < s->now + CHAIN_EXPIRY_WARNING)
        chain_add_finding(c, CHAIN_WARNING, "Certificate expires soon",
            "Renew the certificate before it expires.",
            "Certificate %s (%s) expires on %s.", cert->arn,
            cert->domain ? cert->domain : "?", cert->not_after);
    if (cert->error.code[0])
        chain_add_finding(c, CHAIN_WARNING, "Certificate not readable",
            "Check that the certificate exists and the caller may call "
            "acm:DescribeCertificate.",
            "DescribeCertificate %s failed: %s: %s", cert->arn,
            cert->error.code, cert->error.message);
}

/* The certificates the annotation lists, checked even when no
 * listener exists (a wrong region is what stops the listener). */
static void check_annotated_certificates(const struct chain_snapshot *s,
                                         const struct kube_ingress_info *in,
                                         struct chain *c)
{
    const char *list = chain_annotation(in, "certificate-arn");
    char arn[2048];
    while (list && *list) {
        size_t n = strcspn(list, ",");
        snprintf(arn, sizeof(arn), "%.*s", (int)n, list);
        list += n + (list[n] == ',');
        char *start = arn + strspn(arn, " ");
        start[strcspn(start, " ")] = '\0';
        int on_listener = 0;
        for (size_t i = 0; i < c->listener_count; i++)
            for (size_t k = 0; k < c->listeners[i].certificate_count; k++)
                on_listener |= strcmp(c->listeners[i].certificates[k].arn,
                                      start) == 0;
        if (on_listener || !*start)
            continue;   /* checked with the listener's certificates */
        struct chain_certificate cert = {0};
        cert.arn = start;
        cert.region = acm_arn_region(start);
        for (size_t i = 0; i < s->certificate_count; i++) {
            if (strcmp(s->certificate_arns[i], start) != 0 ||
                !s->certificates[i])
                continue;
            cert.status = s->certificates[i]->status;
            cert.domain = s->certificates[i]->domain;
        }
        check_certificate(s, &cert, c);
        free(cert.region);
    }
}

static void check_web_acl(const struct kube_ingress_info *in,
                          struct chain *c)
{
    const char *want = chain_annotation(in, "wafv2-acl-arn");
    if (!want || !c->alb || c->detail_state != MODEL_READY ||
        strcmp(want, "none") == 0)
        return;
    if (c->alb->web_acl_error) {
        chain_add_finding(c, CHAIN_WARNING, "Web ACL not readable",
            "Check that the caller may call wafv2:GetWebACLForResource, "
            "or load again if AWS throttled the call.",
            "The ingress asks for web ACL %s, but GetWebACLForResource of "
            "the load balancer failed: %s", want, c->alb->web_acl_error);
        return;
    }
    if (!c->alb->web_acl_arn || strcmp(c->alb->web_acl_arn, want) != 0)
        chain_add_finding(c, CHAIN_WARNING, "Web ACL not attached",
            "Check the controller's wafv2 permissions and its events.",
            "The ingress asks for web ACL %s; the load balancer has %s.",
            want, c->alb->web_acl_arn ? c->alb->web_acl_arn : "none");
}

/* Errors first, keeping the order of findings of equal severity. */
static void sort_findings(struct chain *c)
{
    for (size_t i = 1; i < c->finding_count; i++) {
        struct chain_finding f = c->findings[i];
        size_t k = i;
        for (; k > 0 && c->findings[k - 1].severity < f.severity; k--)
            c->findings[k] = c->findings[k - 1];
        c->findings[k] = f;
    }
}

void chain_find_problems(const struct chain_snapshot *s,
                         const struct kube_ingress_info *in, struct chain *c)
{
    if (s->kube_partial.code[0])
        chain_add_finding(c, CHAIN_WARNING, "Some Kubernetes objects are "
            "missing", "Check that your user may list events, services, "
            "endpoints, pods and ingressclasses.",
            "A list failed, so events, backends or pods may be missing "
            "below: %s: %s", s->kube_partial.code, s->kube_partial.message);
    if (s->aws_partial.code[0] && c->alb)
        chain_add_finding(c, CHAIN_WARNING, "Some load balancer details are "
            "missing", "Check that the caller may call the "
            "elasticloadbalancing and ec2 Describe actions, or load again "
            "if AWS throttled the calls.",
            "A call failed, so target health, listener rules, attributes, "
            "subnets or security groups may be missing below: %s: %s",
            s->aws_partial.code, s->aws_partial.message);
    if (!check_class(s, in, c))
        return;
    check_class_params(s, c);
    check_backends(s, c);
    if (!c->alb && c->alb_state == CHAIN_ALB_MISSING)
        check_missing_alb(s, c);
    if (c->alb)
        check_alb_state(c);
    /* With an ALB, a warning newer than any success means the last
     * change (a listener, a certificate) did not go through. */
    if (c->alb && c->event_count && strcmp(c->events[0].type, "Warning") == 0)
        explain_event(s, &c->events[0], c);
    check_targets(c);
    for (size_t i = 0; i < c->listener_count; i++)
        for (size_t k = 0; k < c->listeners[i].certificate_count; k++)
            check_certificate(s, &c->listeners[i].certificates[k], c);
    check_annotated_certificates(s, in, c);
    check_web_acl(in, c);
    sort_findings(c);
}
