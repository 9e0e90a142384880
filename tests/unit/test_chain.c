/*
 * The chain without a network: Kubernetes object lists parsed from canned
 * replies, then a canned snapshot of one cluster built into chains. It
 * checks matching by tags and by hostname, other clusters' load
 * balancers, groups, unclaimed ALBs, target health, pods behind targets,
 * the findings of each failure kind, and the describe output.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/chain_internal.h"
#include "../../src/chain_print.h"

static struct kube_objects *objects(enum kube_object_kind kind,
                                    const char *json)
{
    struct kube_objects *o = calloc(1, sizeof(*o));
    struct api_error err = {0};
    char *next = NULL;
    assert_int_equal(kube_parse_objects(kind, json, strlen(json), o, &next,
                                        &err), 0);
    free(next);
    return o;
}

static struct elbv2_result *elbv2(enum elbv2_op op, const char *xml)
{
    struct elbv2_result *r = calloc(1, sizeof(*r));
    struct api_error err = {0};
    char *next = NULL;
    assert_int_equal(elbv2_parse_reply(op, xml, strlen(xml), r, &next, &err),
                     0);
    free(next);
    return r;
}

/* ---- Kubernetes parsing ---- */

static const char ingresses_json[] =
    "{\"kind\":\"IngressList\",\"metadata\":{\"continue\":\"\"},\"items\":["
    "{\"metadata\":{\"namespace\":\"web\",\"name\":\"web\"},"
    " \"spec\":{\"ingressClassName\":\"alb\",\"defaultBackend\":{\"service\":"
    "  {\"name\":\"web\",\"port\":{\"number\":80}}},\"rules\":[{\"host\":"
    "  \"web.example.com\",\"http\":{\"paths\":[{\"path\":\"/\",\"backend\":"
    "  {\"service\":{\"name\":\"web\",\"port\":{\"number\":80}}}}]}}]},"
    " \"status\":{\"loadBalancer\":{\"ingress\":[{\"hostname\":"
    "  \"lb1.elb.amazonaws.com\"}]}}},"
    "{\"metadata\":{\"namespace\":\"shop\",\"name\":\"a\",\"annotations\":"
    "  {\"alb.ingress.kubernetes.io/group.name\":\"shop\"}},"
    " \"spec\":{\"ingressClassName\":\"alb\",\"rules\":[{\"http\":{\"paths\":"
    "  [{\"backend\":{\"service\":{\"name\":\"a\",\"port\":{\"number\":80}}}}"
    "  ]}}]}},"
    "{\"metadata\":{\"namespace\":\"shop\",\"name\":\"b\",\"annotations\":"
    "  {\"alb.ingress.kubernetes.io/group.name\":\"shop\"}},"
    " \"spec\":{\"ingressClassName\":\"alb\",\"rules\":[{\"http\":{\"paths\":"
    "  [{\"backend\":{\"service\":{\"name\":\"b\",\"port\":{\"name\":"
    "  \"http\"}}}}]}}]}},"
    "{\"metadata\":{\"namespace\":\"web\",\"name\":\"broken\",\"annotations\":"
    "  {\"alb.ingress.kubernetes.io/scheme\":\"internet-facing\"}},"
    " \"spec\":{\"ingressClassName\":\"alb\"}},"
    "{\"metadata\":{\"namespace\":\"web\",\"name\":\"nginx\"},"
    " \"spec\":{\"ingressClassName\":\"nginx\"}},"
    "{\"metadata\":{\"namespace\":\"web\",\"name\":\"noclass\"},"
    " \"spec\":{\"ingressClassName\":\"missing\"}},"
    "{\"metadata\":{\"namespace\":\"web\",\"name\":\"byhost\",\"annotations\":"
    "  {\"alb.ingress.kubernetes.io/certificate-arn\":"
    "  \"arn:aws:acm:eu-west-1:1:certificate/x\"}},"
    " \"spec\":{\"ingressClassName\":\"alb\"},"
    " \"status\":{\"loadBalancer\":{\"ingress\":[{\"hostname\":"
    "  \"LB3.elb.amazonaws.com\"}]}}},"
    "{\"metadata\":{\"namespace\":\"web\"}}"
    "]}";

static void kube_ingresses_parsed(void **state)
{
    (void)state;
    struct kube_objects *o = objects(KUBE_INGRESS_INFO, ingresses_json);
    assert_int_equal(o->ingress_count, 7);     /* one has no name */
    const struct kube_ingress_info *in = &o->ingresses[0];
    assert_string_equal(in->class_name, "alb");
    assert_string_equal(in->hosts, "web.example.com");
    assert_string_equal(in->address, "lb1.elb.amazonaws.com");
    assert_int_equal(in->backend_count, 1);    /* listed twice, kept once */
    assert_string_equal(in->backends[0].port, "80");
    assert_string_equal(o->ingresses[2].backends[0].port, "http");
    assert_int_equal(o->pages, 1);
    kube_objects_free(o);
}

static void kube_events_pods_classes_parsed(void **state)
{
    (void)state;
    struct kube_objects *ev = objects(KUBE_EVENTS,
        "{\"items\":[{\"metadata\":{\"name\":\"e1\",\"namespace\":\"web\"},"
        "\"involvedObject\":{\"kind\":\"Ingress\",\"name\":\"broken\"},"
        "\"type\":\"Warning\",\"reason\":\"FailedDeployModel\",\"message\":"
        "\"Failed deploy model due to \\u001b[31mAccessDenied\",\"count\":3,"
        "\"lastTimestamp\":\"2026-01-02T03:04:05Z\",\"source\":"
        "{\"component\":\"ingress\"}},{\"metadata\":{\"name\":\"e2\"},"
        "\"eventTime\":\"2026-01-02T03:04:06.123456Z\",\"series\":{}}]}");
    assert_int_equal(ev->event_count, 2);
    assert_string_equal(ev->events[0].object, "broken");
    assert_int_equal(ev->events[0].count, 3);
    assert_int_equal(ev->events[0].last_seen, 1767323045);
    assert_int_equal(ev->events[1].last_seen, 1767323046);
    assert_non_null(strstr(ev->events[0].message, "AccessDenied"));
    kube_objects_free(ev);

    struct kube_objects *pods = objects(KUBE_PODS,
        "{\"items\":[{\"metadata\":{\"name\":\"web-1\",\"namespace\":\"web\"},"
        "\"spec\":{\"nodeName\":\"ip-10-0-1-1\"},\"status\":{\"phase\":"
        "\"Running\",\"podIP\":\"10.0.1.5\",\"conditions\":[{\"type\":"
        "\"Ready\",\"status\":\"False\"}],\"containerStatuses\":[{"
        "\"restartCount\":4,\"state\":{\"waiting\":{\"reason\":"
        "\"CrashLoopBackOff\"}}}]}}]}");
    assert_string_equal(pods->pods[0].ip, "10.0.1.5");
    assert_false(pods->pods[0].ready);
    assert_int_equal(pods->pods[0].restarts, 4);
    assert_string_equal(pods->pods[0].waiting_reason, "CrashLoopBackOff");
    kube_objects_free(pods);

    struct kube_objects *classes = objects(KUBE_INGRESS_CLASSES,
        "{\"items\":[{\"metadata\":{\"name\":\"alb\",\"annotations\":{"
        "\"ingressclass.kubernetes.io/is-default-class\":\"true\"}},"
        "\"spec\":{\"controller\":\"ingress.k8s.aws/alb\",\"parameters\":"
        "{\"kind\":\"IngressClassParams\",\"name\":\"alb-params\"}}}]}");
    assert_true(classes->classes[0].is_default);
    assert_string_equal(classes->classes[0].params_name, "alb-params");
    kube_objects_free(classes);
}

static void kube_hostile_lists_rejected(void **state)
{
    (void)state;
    static const char *const bad[] = {"", "[]", "{\"items\":{}}", "{\"items\""};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct kube_objects o = {0};
        struct api_error err = {0};
        char *next = NULL;
        assert_int_equal(kube_parse_objects(KUBE_PODS, bad[i], strlen(bad[i]),
                                            &o, &next, &err), -1);
        assert_null(next);
    }
    /* Wrong types inside items are skipped, not trusted. */
    struct kube_objects *o = objects(KUBE_SERVICES,
        "{\"items\":[{\"metadata\":{\"name\":7}},{\"metadata\":{\"name\":"
        "\"s\"},\"spec\":{\"ports\":[{\"port\":\"x\",\"targetPort\":"
        "{\"a\":1}}]}}]}");
    assert_int_equal(o->service_count, 1);
    assert_int_equal(o->services[0].ports[0].port, 0);
    assert_null(o->services[0].ports[0].target_port);
    kube_objects_free(o);
}

/* ---- a canned cluster ---- */

#define NS "xmlns=\"http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/\""
#define LB(arn, dns, state) \
    "<member><LoadBalancerArn>" arn "</LoadBalancerArn><DNSName>" dns \
    "</DNSName><LoadBalancerName>" arn "</LoadBalancerName><Scheme>" \
    "internet-facing</Scheme><State><Code>" state "</Code></State>" \
    "<AvailabilityZones><member><ZoneName>us-east-2a</ZoneName><SubnetId>" \
    "subnet-a</SubnetId></member></AvailabilityZones></member>"
#define TG(arn, lb) \
    "<member><TargetGroupArn>" arn "</TargetGroupArn><TargetGroupName>" \
    arn "</TargetGroupName><TargetType>ip</TargetType><Port>80</Port>" \
    "<LoadBalancerArns><member>" lb "</member></LoadBalancerArns></member>"
#define TAGS(arn, cluster, stack, resource) \
    "<member><ResourceArn>" arn "</ResourceArn><Tags><member><Key>" \
    "elbv2.k8s.aws/cluster</Key><Value>" cluster "</Value></member><member>" \
    "<Key>ingress.k8s.aws/stack</Key><Value>" stack "</Value></member>" \
    "<member><Key>ingress.k8s.aws/resource</Key><Value>" resource \
    "</Value></member></Tags></member>"
#define HEALTH(body) \
    "<DescribeTargetHealthResponse " NS "><DescribeTargetHealthResult>" \
    "<TargetHealthDescriptions>" body "</TargetHealthDescriptions>" \
    "</DescribeTargetHealthResult></DescribeTargetHealthResponse>"
#define TARGET(ip, state, reason) \
    "<member><Target><Id>" ip "</Id><Port>8080</Port></Target>" \
    "<TargetHealth><State>" state "</State>" reason "</TargetHealth></member>"

static void canned_snapshot(struct chain_snapshot *s)
{
    memset(s, 0, sizeof(*s));
    s->cluster_name = strdup("shop");
    s->region = strdup("us-east-2");
    s->now = 1767323100;
    s->ingresses = objects(KUBE_INGRESS_INFO, ingresses_json);
    s->events = objects(KUBE_EVENTS,
        "{\"items\":[{\"metadata\":{\"name\":\"e1\",\"namespace\":\"web\"},"
        "\"involvedObject\":{\"kind\":\"Ingress\",\"name\":\"broken\"},"
        "\"type\":\"Warning\",\"reason\":\"FailedBuildModel\",\"message\":"
        "\"Failed build model due to couldn't auto-discover subnets: unable "
        "to resolve at least one subnet\",\"lastTimestamp\":"
        "\"2026-01-02T03:04:05Z\"},{\"metadata\":{\"name\":\"e2\","
        "\"namespace\":\"other\"},\"involvedObject\":{\"kind\":\"Ingress\","
        "\"name\":\"broken\"},\"type\":\"Warning\",\"reason\":\"X\"}]}");
    s->services = objects(KUBE_SERVICES,
        "{\"items\":[{\"metadata\":{\"name\":\"web\",\"namespace\":\"web\"}},"
        "{\"metadata\":{\"name\":\"a\",\"namespace\":\"shop\"}}]}");
    s->endpoints = objects(KUBE_ENDPOINTS,
        "{\"items\":[{\"metadata\":{\"name\":\"web\",\"namespace\":\"web\"},"
        "\"subsets\":[{\"addresses\":[{\"ip\":\"10.0.1.5\",\"targetRef\":"
        "{\"kind\":\"Pod\",\"name\":\"web-1\"}}],\"notReadyAddresses\":"
        "[{\"ip\":\"10.0.1.6\"}]}]}]}");
    s->pods = objects(KUBE_PODS,
        "{\"items\":[{\"metadata\":{\"name\":\"web-1\",\"namespace\":\"web\"},"
        "\"status\":{\"phase\":\"Running\",\"podIP\":\"10.0.1.5\"}}]}");
    s->classes = objects(KUBE_INGRESS_CLASSES,
        "{\"items\":[{\"metadata\":{\"name\":\"alb\"},\"spec\":"
        "{\"controller\":\"ingress.k8s.aws/alb\"}},{\"metadata\":{\"name\":"
        "\"nginx\"},\"spec\":{\"controller\":\"k8s.io/ingress-nginx\"}}]}");
    s->load_balancers = elbv2(ELBV2_DESCRIBE_LOAD_BALANCERS,
        "<DescribeLoadBalancersResponse " NS "><DescribeLoadBalancersResult>"
        "<LoadBalancers>"
        LB("lb5", "lb5.elb.amazonaws.com", "active")
        LB("lb1", "lb1.elb.amazonaws.com", "active")
        LB("lb2", "lb2.elb.amazonaws.com", "provisioning")
        LB("lb3", "lb3.elb.amazonaws.com", "active")
        LB("lb4", "lb4.elb.amazonaws.com", "active")
        "</LoadBalancers></DescribeLoadBalancersResult>"
        "</DescribeLoadBalancersResponse>");
    s->target_groups = elbv2(ELBV2_DESCRIBE_TARGET_GROUPS,
        "<DescribeTargetGroupsResponse " NS "><DescribeTargetGroupsResult>"
        "<TargetGroups>" TG("tg1", "lb1") TG("tg2", "lb2") TG("tg3", "lb2")
        TG("tg5", "lb5") "</TargetGroups></DescribeTargetGroupsResult>"
        "</DescribeTargetGroupsResponse>");
    s->tags = elbv2(ELBV2_DESCRIBE_TAGS,
        "<DescribeTagsResponse " NS "><DescribeTagsResult><TagDescriptions>"
        TAGS("lb5", "other", "web/web", "LoadBalancer")
        TAGS("lb1", "shop", "web/web", "LoadBalancer")
        TAGS("lb2", "shop", "shop", "LoadBalancer")
        TAGS("lb4", "shop", "old/gone", "LoadBalancer")
        TAGS("tg1", "shop", "web/web", "web/web-web:80")
        TAGS("tg2", "shop", "shop", "shop/a-a:80")
        TAGS("tg3", "shop", "shop", "shop/b-b:http")
        "</TagDescriptions></DescribeTagsResult></DescribeTagsResponse>");
    s->health = calloc(4, sizeof(*s->health));
    s->health[0] = elbv2(ELBV2_DESCRIBE_TARGET_HEALTH, HEALTH(
        TARGET("10.0.1.5", "healthy", "")
        TARGET("10.0.1.6", "unhealthy",
               "<Reason>Target.FailedHealthChecks</Reason>")));
    s->health[1] = elbv2(ELBV2_DESCRIBE_TARGET_HEALTH, HEALTH(
        TARGET("10.0.2.1", "healthy", "")));
    s->health[2] = elbv2(ELBV2_DESCRIBE_TARGET_HEALTH, HEALTH(""));
}

struct built {
    struct chain_snapshot snap;
    struct chain *chains;
    size_t count;
    struct chain_alb *unclaimed;
    size_t unclaimed_count;
};

static int setup(void **state)
{
    struct built *b = calloc(1, sizeof(*b));
    canned_snapshot(&b->snap);
    chain_build(&b->snap, 0, &b->chains, &b->count, &b->unclaimed,
                &b->unclaimed_count);
    *state = b;
    return 0;
}

static int teardown(void **state)
{
    struct built *b = *state;
    for (size_t i = 0; i < b->count; i++)
        chain_free_contents(&b->chains[i]);
    free(b->chains);
    for (size_t i = 0; i < b->unclaimed_count; i++)
        chain_free_alb(&b->unclaimed[i]);
    free(b->unclaimed);
    chain_snapshot_cleanup(&b->snap);
    free(b);
    return 0;
}

static const struct chain *find(const struct built *b, const char *ns,
                                const char *name)
{
    for (size_t i = 0; i < b->count; i++)
        if (!strcmp(b->chains[i].namespace, ns) &&
            !strcmp(b->chains[i].name, name))
            return &b->chains[i];
    fail_msg("no chain %s/%s", ns, name);
    return NULL;
}

static const struct chain_finding *finding(const struct chain *c,
                                           const char *title)
{
    for (size_t i = 0; i < c->finding_count; i++)
        if (strstr(c->findings[i].title, title))
            return &c->findings[i];
    return NULL;
}

static void chain_sorted_by_name(void **state)
{
    const struct built *b = *state;
    assert_int_equal(b->count, 7);
    for (size_t i = 1; i < b->count; i++) {
        int order = strcmp(b->chains[i - 1].namespace, b->chains[i].namespace);
        if (order == 0)
            order = strcmp(b->chains[i - 1].name, b->chains[i].name);
        assert_true(order < 0);
    }
}

static void chain_matched_by_cluster_and_stack(void **state)
{
    const struct built *b = *state;
    const struct chain *c = find(b, "web", "web");
    assert_non_null(c->alb);
    assert_string_equal(c->alb->arn, "lb1");    /* not lb5 of "other" */
    assert_int_equal(c->alb_state, CHAIN_ALB_ACTIVE);
    assert_int_equal(c->target_group_count, 1);
    assert_int_equal(c->targets_total, 2);
    assert_int_equal(c->targets_healthy, 1);
    const struct chain_target *t = &c->target_groups[0].targets[0];
    assert_non_null(t->pod);
    assert_string_equal(t->pod->name, "web-1");
    assert_null(c->target_groups[0].targets[1].pod);
    assert_string_equal(c->target_groups[0].targets[1].reason,
                        "Target.FailedHealthChecks");
    const struct chain_finding *f = finding(c, "unhealthy");
    assert_non_null(f);
    assert_int_equal(f->severity, CHAIN_WARNING);
    assert_non_null(strstr(f->detail, "Target.FailedHealthChecks"));
    assert_int_equal(c->backends[0].endpoints_ready, 1);
    assert_int_equal(c->backends[0].endpoints_not_ready, 1);
}

static void chain_group_shares_alb(void **state)
{
    const struct built *b = *state;
    const struct chain *a = find(b, "shop", "a");
    const struct chain *bb = find(b, "shop", "b");
    assert_string_equal(a->alb->arn, "lb2");
    assert_string_equal(bb->alb->arn, "lb2");
    assert_int_equal(a->alb_state, CHAIN_ALB_PROVISIONING);
    assert_int_equal(a->sibling_count, 1);
    assert_string_equal(a->siblings[0].name, "b");
    /* Each ingress sees the target group of its own backend. */
    assert_int_equal(a->target_group_count, 1);
    assert_string_equal(a->target_groups[0].arn, "tg2");
    assert_int_equal(bb->target_group_count, 1);
    assert_string_equal(bb->target_groups[0].arn, "tg3");
    assert_non_null(finding(bb, "Backend service missing"));
    assert_non_null(finding(bb, "No targets registered"));
    assert_non_null(finding(a, "provisioning"));
    assert_null(finding(a, "Backend service missing"));
}

static void chain_matched_by_hostname(void **state)
{
    const struct built *b = *state;
    const struct chain *c = find(b, "web", "byhost");
    assert_non_null(c->alb);
    assert_string_equal(c->alb->arn, "lb3");
    const struct chain_finding *f = finding(c, "another region");
    assert_non_null(f);
    assert_int_equal(f->severity, CHAIN_ERROR);
    assert_non_null(strstr(f->detail, "eu-west-1"));
}

static void chain_missing_alb_explained(void **state)
{
    const struct built *b = *state;
    const struct chain *c = find(b, "web", "broken");
    assert_null(c->alb);
    assert_int_equal(c->alb_state, CHAIN_ALB_MISSING);
    assert_int_equal(c->event_count, 1);    /* not the other namespace's */
    assert_int_equal(c->last_warning, 1767323045);
    assert_true(c->finding_count > 0);
    const struct chain_finding *f = &c->findings[0];
    assert_int_equal(f->severity, CHAIN_ERROR);
    assert_string_equal(f->title,
                        "No subnets for an internet-facing load balancer");
    assert_non_null(strstr(f->detail, "FailedBuildModel: Failed build model "
                                      "due to couldn't auto-discover"));
    assert_non_null(strstr(f->fix, "kubernetes.io/role/elb"));
}

static void chain_class_findings(void **state)
{
    const struct built *b = *state;
    const struct chain *nginx = find(b, "web", "nginx");
    assert_int_equal(nginx->alb_state, CHAIN_ALB_OTHER);
    assert_string_equal(nginx->findings[0].title,
                        "Served by another controller");
    const struct chain *none = find(b, "web", "noclass");
    assert_string_equal(none->findings[0].title,
                        "IngressClass does not exist");
    assert_non_null(strstr(none->findings[0].detail, "\"missing\""));
}

static void chain_unclaimed_albs(void **state)
{
    const struct built *b = *state;
    assert_int_equal(b->unclaimed_count, 1);
    assert_string_equal(b->unclaimed[0].arn, "lb4");
    assert_string_equal(b->unclaimed[0].stack, "old/gone");
}

static void chain_printed_as_text_and_json(void **state)
{
    const struct built *b = *state;
    const struct chain *c = find(b, "web", "broken");
    char *text = NULL, *json = NULL;
    size_t len;
    FILE *f = open_memstream(&text, &len);
    chain_print_text(c, b->snap.now, f);
    fclose(f);
    assert_non_null(strstr(text, "Ingress: web/broken"));
    assert_non_null(strstr(text, "ALB state: missing"));
    assert_non_null(strstr(text, "Warning FailedBuildModel"));
    f = open_memstream(&json, &len);
    chain_print_doc(c, b->snap.now, 0, f);
    fclose(f);
    assert_non_null(strstr(json, "\"albState\": \"missing\""));
    assert_non_null(strstr(json, "\"loadBalancer\": null"));
    assert_non_null(strstr(json, "\"lastWarningAge\": \"55s\""));
    free(text);
    free(json);
}

/* The controller's messages as it words them, and the title each gets:
 * credentials are named even inside the step that needed them. */
static void chain_event_messages_explained(void **state)
{
    (void)state;
    static const struct {
        const char *message, *title;
    } cases[] = {
        {"Failed build model due to couldn't auto-discover subnets: "
         "WebIdentityErr: failed to retrieve credentials\\ncaused by: "
         "AccessDenied: Not authorized to perform "
         "sts:AssumeRoleWithWebIdentity",
         "The controller cannot assume its IAM role"},
        {"Failed build model due to couldn't auto-discover subnets: "
         "UnauthorizedOperation: You are not authorized to perform this "
         "operation", "The controller's IAM role lacks a permission"},
        {"Failed deploy model due to AccessDenied: User is not authorized "
         "to perform: elasticloadbalancing:CreateLoadBalancer",
         "The controller's IAM role lacks a permission"},
        {"Failed build model due to couldn't auto-discover subnets: unable "
         "to resolve at least one subnet",
         "No subnets for an internet-facing load balancer"},
        {"Failed deploy model due to CertificateNotFound: Certificate "
         "'arn:aws:acm:eu-west-1:1:certificate/x' not found",
         "The listener's certificate cannot be used"},
        {"Failed build model due to ingress: web/broken: Service \\\"api\\\" "
         "not found", "A backend service does not exist"},
        {"Failed deploy model due to something new",
         "The controller failed to deploy the load balancer"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct chain_snapshot s;
        char json[1024];
        canned_snapshot(&s);
        kube_objects_free(s.events);
        snprintf(json, sizeof(json),
                 "{\"items\":[{\"metadata\":{\"name\":\"e\",\"namespace\":"
                 "\"web\"},\"involvedObject\":{\"kind\":\"Ingress\",\"name\":"
                 "\"broken\"},\"type\":\"Warning\",\"reason\":"
                 "\"FailedDeployModel\",\"message\":\"%s\"}]}",
                 cases[i].message);
        s.events = objects(KUBE_EVENTS, json);
        struct chain *chains;
        struct chain_alb *unclaimed;
        size_t count, unclaimed_count;
        chain_build(&s, 0, &chains, &count, &unclaimed, &unclaimed_count);
        const struct chain *c = NULL;
        for (size_t k = 0; k < count; k++)
            if (!strcmp(chains[k].name, "broken"))
                c = &chains[k];
        assert_non_null(c);
        assert_true(c->finding_count > 0);
        assert_string_equal(c->findings[0].title, cases[i].title);
        assert_non_null(strstr(c->findings[0].detail, "FailedDeployModel: "));
        for (size_t k = 0; k < count; k++)
            chain_free_contents(&chains[k]);
        free(chains);
        for (size_t k = 0; k < unclaimed_count; k++)
            chain_free_alb(&unclaimed[k]);
        free(unclaimed);
        chain_snapshot_cleanup(&s);
    }
}

static void chain_age_formatted(void **state)
{
    (void)state;
    char out[16];
    chain_format_age(0, 100, out, sizeof(out));
    assert_string_equal(out, "-");
    chain_format_age(100, 100 + 119, out, sizeof(out));
    assert_string_equal(out, "119s");
    chain_format_age(100, 100 + 3600, out, sizeof(out));
    assert_string_equal(out, "60m");
    chain_format_age(100, 100 + 3 * 86400, out, sizeof(out));
    assert_string_equal(out, "3d");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(kube_ingresses_parsed),
        cmocka_unit_test(kube_events_pods_classes_parsed),
        cmocka_unit_test(kube_hostile_lists_rejected),
        cmocka_unit_test_setup_teardown(chain_sorted_by_name, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(chain_matched_by_cluster_and_stack,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(chain_group_shares_alb, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(chain_matched_by_hostname, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(chain_missing_alb_explained, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(chain_class_findings, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(chain_unclaimed_albs, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(chain_printed_as_text_and_json, setup,
                                        teardown),
        cmocka_unit_test(chain_event_messages_explained),
        cmocka_unit_test(chain_age_formatted),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
