/*
 * The pure parts of installing the load balancer controller: the
 * request path of each rendered object, the rollout test, the advice for
 * pods that do not start, the GetPolicy and GetPolicyVersion parsers,
 * and the plan that holds only the controller's iamserviceaccount stack.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "../../api/iam.h"
#include "../../api/iam_policy.h"
#include "../../src/clusterconfig.h"
#include "../../src/lbc_install_internal.h"
#include "../../src/plan.h"

static cJSON *render_demo(void)
{
    struct lbc_options o;
    char err[512] = "";
    lbc_options_init(&o);
    o.cluster_name = "shop";
    cJSON *objects = lbc_render(&o, err, sizeof(err));
    if (!objects)
        fail_msg("lbc_render failed: %s", err);
    return objects;
}

static void test_object_refs(void **state)
{
    static const char *const expected[][4] = {
        {"/apis/apiextensions.k8s.io/v1", "customresourcedefinitions", NULL,
         "targetgroupbindings.elbv2.k8s.aws"},
        {"/apis/apiextensions.k8s.io/v1", "customresourcedefinitions", NULL,
         "ingressclassparams.elbv2.k8s.aws"},
        {"/api/v1", "serviceaccounts", "kube-system",
         "aws-load-balancer-controller"},
        {"/apis/rbac.authorization.k8s.io/v1", "roles", "kube-system",
         "aws-load-balancer-controller-leader-election-role"},
        {"/apis/rbac.authorization.k8s.io/v1", "rolebindings", "kube-system",
         "aws-load-balancer-controller-leader-election-rolebinding"},
        {"/apis/rbac.authorization.k8s.io/v1", "clusterroles", NULL,
         "aws-load-balancer-controller-role"},
        {"/apis/rbac.authorization.k8s.io/v1", "clusterrolebindings", NULL,
         "aws-load-balancer-controller-rolebinding"},
        {"/api/v1", "secrets", "kube-system", "aws-load-balancer-tls"},
        {"/api/v1", "services", "kube-system",
         "aws-load-balancer-webhook-service"},
        {"/apis/apps/v1", "deployments", "kube-system",
         "aws-load-balancer-controller"},
        {"/apis/elbv2.k8s.aws/v1beta1", "ingressclassparams", NULL, "alb"},
        {"/apis/networking.k8s.io/v1", "ingressclasses", NULL, "alb"},
        {"/apis/admissionregistration.k8s.io/v1",
         "mutatingwebhookconfigurations", NULL, "aws-load-balancer-webhook"},
        {"/apis/admissionregistration.k8s.io/v1",
         "validatingwebhookconfigurations", NULL,
         "aws-load-balancer-webhook"},
    };
    (void)state;
    cJSON *objects = render_demo();
    size_t n = sizeof(expected) / sizeof(expected[0]);
    assert_int_equal(cJSON_GetArraySize(objects), n);
    for (size_t i = 0; i < n; i++) {
        struct kube_object_ref ref;
        assert_int_equal(lbc_object_ref(cJSON_GetArrayItem(objects, (int)i),
                                        &ref), 0);
        assert_string_equal(ref.prefix, expected[i][0]);
        assert_string_equal(ref.resource, expected[i][1]);
        if (expected[i][2])
            assert_string_equal(ref.namespace, expected[i][2]);
        else
            assert_null(ref.namespace);
        assert_string_equal(ref.name, expected[i][3]);
    }
    lbc_objects_free(objects);
}

static void test_unknown_kind_has_no_ref(void **state)
{
    struct kube_object_ref ref;
    (void)state;
    cJSON *obj = cJSON_Parse("{\"apiVersion\":\"v1\",\"kind\":\"Pod\","
                             "\"metadata\":{\"name\":\"x\"}}");
    assert_int_equal(lbc_object_ref(obj, &ref), -1);
    cJSON_Delete(obj);
}

/* A Deployment with spec.replicas 2 and the given status. */
static int rollout(const char *meta_and_status)
{
    char text[1024], why[200];
    snprintf(text, sizeof(text), "{\"spec\":{\"replicas\":2},%s}",
             meta_and_status);
    cJSON *d = cJSON_Parse(text);
    assert_non_null(d);
    int rc = lbc_rolled_out(d, why, sizeof(why));
    assert_true(why[0] != '\0');
    cJSON_Delete(d);
    return rc;
}

static void test_rollout_status(void **state)
{
    (void)state;
    /* Done: the latest generation is observed, 2 updated and available. */
    assert_int_equal(rollout("\"metadata\":{\"generation\":3},\"status\":{"
                             "\"observedGeneration\":3,\"replicas\":2,"
                             "\"updatedReplicas\":2,\"availableReplicas\":2}"),
                     1);
    /* The Deployment controller has not seen the new spec yet. */
    assert_int_equal(rollout("\"metadata\":{\"generation\":4},\"status\":{"
                             "\"observedGeneration\":3,\"replicas\":2,"
                             "\"updatedReplicas\":2,\"availableReplicas\":2}"),
                     0);
    /* An old pod is still there beside the two new ones. */
    assert_int_equal(rollout("\"metadata\":{\"generation\":3},\"status\":{"
                             "\"observedGeneration\":3,\"replicas\":3,"
                             "\"updatedReplicas\":2,\"availableReplicas\":2}"),
                     0);
    /* Updated but not yet available. */
    assert_int_equal(rollout("\"metadata\":{\"generation\":3},\"status\":{"
                             "\"observedGeneration\":3,\"replicas\":2,"
                             "\"updatedReplicas\":2,\"availableReplicas\":1}"),
                     0);
    /* No status at all: just created. */
    assert_int_equal(rollout("\"metadata\":{\"generation\":1}"), 0);
    assert_int_equal(rollout("\"metadata\":{\"generation\":3},\"status\":{"
                             "\"conditions\":[{\"type\":\"Progressing\","
                             "\"status\":\"False\",\"reason\":"
                             "\"ProgressDeadlineExceeded\"}]}"), -1);
}

static void test_pod_advice(void **state)
{
    (void)state;
    assert_non_null(strstr(lbc_pod_advice("ImagePullBackOff", ""), "image"));
    assert_non_null(strstr(lbc_pod_advice("ErrImagePull", ""), "image"));
    assert_non_null(strstr(lbc_pod_advice("CrashLoopBackOff", ""),
                           "kubectl logs"));
    assert_non_null(strstr(lbc_pod_advice("ContainerCreating",
                                          "secret \"aws-load-balancer-tls\" "
                                          "not found"),
                           "webhook certificate"));
    assert_non_null(strstr(lbc_pod_advice("Unschedulable", "0/2 nodes"),
                           "--replicas"));
    assert_null(lbc_pod_advice("ContainerCreating", ""));
}

static void test_parse_policy(void **state)
{
    static const char get_policy[] =
        "<GetPolicyResponse xmlns=\"https://iam.amazonaws.com/doc/"
        "2010-05-08/\"><GetPolicyResult><Policy>"
        "<PolicyName>AWSLoadBalancerControllerIAMPolicy</PolicyName>"
        "<DefaultVersionId>v3</DefaultVersionId>"
        "<Arn>arn:aws:iam::111122223333:policy/P</Arn>"
        "<Tags><member><Key>albatross.io/version</Key><Value>0.1.0</Value>"
        "</member><member><Key>team</Key><Value>web</Value></member></Tags>"
        "</Policy></GetPolicyResult></GetPolicyResponse>";
    static const char get_version[] =
        "<GetPolicyVersionResponse><GetPolicyVersionResult><PolicyVersion>"
        "<Document>%7B%22Version%22%3A%222012-10-17%22%7D</Document>"
        "<VersionId>v3</VersionId></PolicyVersion></GetPolicyVersionResult>"
        "</GetPolicyVersionResponse>";
    struct iam_policy_info *p = calloc(1, sizeof(*p));
    struct api_error err = {0};
    (void)state;
    assert_int_equal(iam_parse_policy(get_policy, strlen(get_policy), p,
                                      &err), 0);
    assert_string_equal(p->arn, "arn:aws:iam::111122223333:policy/P");
    assert_string_equal(p->default_version, "v3");
    assert_string_equal(iam_policy_tag(p, "albatross.io/version"), "0.1.0");
    assert_string_equal(iam_policy_tag(p, "team"), "web");
    assert_null(iam_policy_tag(p, "owner"));
    assert_int_equal(iam_parse_policy_version(get_version,
                                              strlen(get_version), p, &err),
                     0);
    assert_string_equal(p->document, "{\"Version\":\"2012-10-17\"}");
    iam_policy_info_free(p);
}

static void test_parse_policy_without_version(void **state)
{
    static const char reply[] =
        "<GetPolicyResponse><GetPolicyResult><Policy><Arn>a</Arn></Policy>"
        "</GetPolicyResult></GetPolicyResponse>";
    struct iam_policy_info *p = calloc(1, sizeof(*p));
    struct api_error err = {0};
    (void)state;
    assert_int_equal(iam_parse_policy(reply, strlen(reply), p, &err), -1);
    assert_string_equal(err.code, "InvalidReply");
    iam_policy_info_free(p);
}

static void one_account(struct ccfg *c)
{
    memset(c, 0, sizeof(*c));
    c->name = strdup("shop");
    c->region = strdup("us-east-2");
    c->with_oidc = 1;
    c->service_accounts = calloc(1, sizeof(*c->service_accounts));
    c->service_account_count = 1;
    c->service_accounts->name = strdup("aws-load-balancer-controller");
    c->service_accounts->namespace_name = strdup("kube-system");
    c->service_accounts->policy_arns = calloc(1, sizeof(char *));
    c->service_accounts->policy_arns[0] =
        strdup("arn:aws:iam::111122223333:policy/AWSLoadBalancerController"
               "IAMPolicy");
    c->service_accounts->policy_arn_count = 1;
}

static const char *tag(const struct plan_step *s, const char *key)
{
    for (size_t i = 0; i < s->tags.count; i++)
        if (strcmp(s->tags.items[i].key, key) == 0)
            return s->tags.items[i].value;
    return NULL;
}

static void test_plan_holds_one_stack(void **state)
{
    struct ccfg c;
    struct plan p = {0};
    (void)state;
    one_account(&c);
    plan_add_call(&p, "iam:CreatePolicy", "create the policy");
    plan_add_service_account(&p, &c, 0, "oidc.eks.us-east-2.amazonaws.com/"
                             "id/ABC", 0);
    assert_int_equal(p.count, 2);
    const struct plan_step *s = &p.steps[1];
    assert_int_equal(s->kind, PLAN_CREATE_STACK);
    assert_string_equal(s->name, "eksctl-shop-addon-iamserviceaccount-"
                        "kube-system-aws-load-balancer-controller");
    assert_string_equal(tag(s, "alpha.eksctl.io/cluster-name"), "shop");
    assert_string_equal(tag(s, "alpha.eksctl.io/iamserviceaccount-name"),
                        "kube-system/aws-load-balancer-controller");
    assert_non_null(strstr(s->template_json, "AWSLoadBalancerController"
                           "IAMPolicy"));
    assert_non_null(strstr(s->template_json, "oidc.eks.us-east-2.amazonaws."
                           "com/id/ABC:sub"));
    plan_cleanup(&p);

    plan_add_service_account(&p, &c, 0, NULL, 1);
    assert_int_equal(p.count, 1);
    assert_int_equal(p.steps[0].kind, PLAN_DELETE_STACK);
    assert_string_equal(p.steps[0].name, "eksctl-shop-addon-"
                        "iamserviceaccount-kube-system-aws-load-balancer-"
                        "controller");
    plan_cleanup(&p);
    ccfg_cleanup(&c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_object_refs),
        cmocka_unit_test(test_unknown_kind_has_no_ref),
        cmocka_unit_test(test_rollout_status),
        cmocka_unit_test(test_pod_advice),
        cmocka_unit_test(test_parse_policy),
        cmocka_unit_test(test_parse_policy_without_version),
        cmocka_unit_test(test_plan_holds_one_stack),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
