/*
 * The load balancer controller's rendered objects and IAM plan: option
 * checks, object names and order, Deployment arguments, the webhook TLS
 * (checked with OpenSSL's verifier, not the generator), the trust policy
 * (checked with the IRSA evaluator), the YAML writer's quoting, and the
 * shipped IAM policy document.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include "../../api/base64.h"
#include "../../api/buf.h"
#include "../../api/policy.h"
#include "../../api/yamldoc.h"
#include "../../src/irsa.h"
#include "../../src/json_yaml.h"
#include "../../src/lbc_plan.h"
#include "../../src/lbc_render.h"

#define CLUSTER_ARN "arn:aws:eks:us-east-2:111122223333:cluster/demo"
#define ISSUER "https://oidc.eks.us-east-2.amazonaws.com/id/" \
               "9B2471C9D67EF4BEE86F463AAEEFD5A5"
#define ROLE "arn:aws:iam::111122223333:role/lbc"

static void demo_options(struct lbc_options *o)
{
    lbc_options_init(o);
    o->cluster_name = "demo";
    o->region = "us-east-2";
    o->vpc_id = "vpc-0c9d8e7f6a5b4c3d2";
}

static cJSON *render(const struct lbc_options *o)
{
    char err[512] = "";
    cJSON *objects = lbc_render(o, err, sizeof(err));
    if (!objects)
        fail_msg("lbc_render failed: %s", err);
    return objects;
}

static const char *str_at(const cJSON *obj, const char *a, const char *b)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, a);
    if (b)
        v = cJSON_GetObjectItemCaseSensitive(v, b);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static const cJSON *find_kind(const cJSON *objects, const char *kind)
{
    const cJSON *obj;
    cJSON_ArrayForEach(obj, objects)
        if (strcmp(str_at(obj, "kind", NULL), kind) == 0)
            return obj;
    return NULL;
}

/* ---- options ---- */

static void test_missing_cluster_rejected(void **state)
{
    (void)state;
    struct lbc_options o;
    char err[512] = "";
    lbc_options_init(&o);
    assert_null(lbc_render(&o, err, sizeof(err)));
    assert_non_null(strstr(err, "missing cluster name"));
}

static void test_invalid_options_rejected(void **state)
{
    (void)state;
    static const struct {
        const char *field;
        const char *value;
        const char *message;
    } cases[] = {
        {"cluster", "-demo", "invalid cluster name \"-demo\""},
        {"region", "US_EAST", "invalid region \"US_EAST\""},
        {"vpc", "vpc-XYZ", "invalid VPC id \"vpc-XYZ\""},
        {"vpc", "subnet-0123", "invalid VPC id"},
        {"version", "v3.0.0", "unsupported controller version \"v3.0.0\""},
        {"version", "v2.4", "unsupported controller version"},
        {"version", "v2.4.7-rc1", "unsupported controller version"},
        {"namespace", "Kube-System", "invalid namespace \"Kube-System\""},
        {"sa", "lbc_sa", "invalid service account name \"lbc_sa\""},
        {"role", "arn:aws:iam::1234:role/x", "invalid role ARN"},
        {"image", "Repo With Space", "invalid image repository"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct lbc_options o;
        char err[512] = "";
        demo_options(&o);
        const char *f = cases[i].field;
        const char *v = cases[i].value;
        if (!strcmp(f, "cluster")) o.cluster_name = v;
        if (!strcmp(f, "region")) o.region = v;
        if (!strcmp(f, "vpc")) o.vpc_id = v;
        if (!strcmp(f, "version")) o.version = v;
        if (!strcmp(f, "namespace")) o.namespace = v;
        if (!strcmp(f, "sa")) o.service_account = v;
        if (!strcmp(f, "role")) o.role_arn = v;
        if (!strcmp(f, "image")) o.image_repository = v;
        assert_int_equal(lbc_options_check(&o, err, sizeof(err)), -1);
        if (!strstr(err, cases[i].message))
            fail_msg("%s=%s: got \"%s\"", f, v, err);
    }
    struct lbc_options o;
    char err[512] = "";
    demo_options(&o);
    o.replicas = 0;
    assert_int_equal(lbc_options_check(&o, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "invalid replica count 0"));
}

/* ---- objects ---- */

static void test_objects_in_apply_order(void **state)
{
    (void)state;
    static const char *const expected[][3] = {
        {"CustomResourceDefinition", "targetgroupbindings.elbv2.k8s.aws", NULL},
        {"CustomResourceDefinition", "ingressclassparams.elbv2.k8s.aws", NULL},
        {"ServiceAccount", "aws-load-balancer-controller", "kube-system"},
        {"Role", "aws-load-balancer-controller-leader-election-role",
         "kube-system"},
        {"RoleBinding", "aws-load-balancer-controller-leader-election-"
         "rolebinding", "kube-system"},
        {"ClusterRole", "aws-load-balancer-controller-role", NULL},
        {"ClusterRoleBinding", "aws-load-balancer-controller-rolebinding",
         NULL},
        {"Secret", "aws-load-balancer-tls", "kube-system"},
        {"Service", "aws-load-balancer-webhook-service", "kube-system"},
        {"Deployment", "aws-load-balancer-controller", "kube-system"},
        {"IngressClassParams", "alb", NULL},
        {"IngressClass", "alb", NULL},
        {"MutatingWebhookConfiguration", "aws-load-balancer-webhook", NULL},
        {"ValidatingWebhookConfiguration", "aws-load-balancer-webhook", NULL},
    };
    struct lbc_options o;
    demo_options(&o);
    cJSON *objects = render(&o);
    size_t n = sizeof(expected) / sizeof(expected[0]);
    assert_int_equal(cJSON_GetArraySize(objects), n);
    for (size_t i = 0; i < n; i++) {
        const cJSON *obj = cJSON_GetArrayItem(objects, (int)i);
        const char *ns = str_at(obj, "metadata", "namespace");
        assert_string_equal(str_at(obj, "kind", NULL), expected[i][0]);
        assert_string_equal(str_at(obj, "metadata", "name"), expected[i][1]);
        if (expected[i][2])
            assert_string_equal(ns, expected[i][2]);
        else
            assert_null(ns);
    }
    lbc_objects_free(objects);
}

static void test_existing_service_account_used(void **state)
{
    (void)state;
    struct lbc_options o;
    demo_options(&o);
    o.service_account = "my-lbc";
    o.namespace = "lbc";
    cJSON *objects = render(&o);
    assert_null(find_kind(objects, "ServiceAccount"));
    const cJSON *binding = find_kind(objects, "ClusterRoleBinding");
    const cJSON *subject = cJSON_GetArrayItem(
        cJSON_GetObjectItemCaseSensitive(binding, "subjects"), 0);
    assert_string_equal(str_at(subject, "name", NULL), "my-lbc");
    assert_string_equal(str_at(subject, "namespace", NULL), "lbc");
    const cJSON *deploy = find_kind(objects, "Deployment");
    const cJSON *pod = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(
            cJSON_GetObjectItemCaseSensitive(deploy, "spec"), "template"),
        "spec");
    assert_string_equal(str_at(pod, "serviceAccountName", NULL), "my-lbc");
    lbc_objects_free(objects);
}

static const char *role_annotation(const cJSON *objects)
{
    const cJSON *sa = find_kind(objects, "ServiceAccount");
    const cJSON *ann = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(sa, "metadata"), "annotations");
    return str_at(ann, "eks.amazonaws.com/role-arn", NULL);
}

static void test_irsa_annotation(void **state)
{
    (void)state;
    struct lbc_options o;
    demo_options(&o);
    o.role_arn = ROLE;
    cJSON *objects = render(&o);
    assert_string_equal(role_annotation(objects), ROLE);
    lbc_objects_free(objects);

    o.identity = LBC_IDENTITY_POD_IDENTITY;
    objects = render(&o);
    assert_null(role_annotation(objects));
    lbc_objects_free(objects);
}

static const cJSON *controller_container(const cJSON *objects)
{
    const cJSON *spec = cJSON_GetObjectItemCaseSensitive(
        find_kind(objects, "Deployment"), "spec");
    const cJSON *pod = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(spec, "template"), "spec");
    return cJSON_GetArrayItem(
        cJSON_GetObjectItemCaseSensitive(pod, "containers"), 0);
}

static void test_deployment_args(void **state)
{
    (void)state;
    static const char *const args[] = {
        "--cluster-name=demo", "--ingress-class=alb",
        "--aws-region=us-east-2", "--aws-vpc-id=vpc-0c9d8e7f6a5b4c3d2",
    };
    struct lbc_options o;
    demo_options(&o);
    o.replicas = 3;
    o.version = "v2.4.6";
    cJSON *objects = render(&o);
    const cJSON *c = controller_container(objects);
    const cJSON *got = cJSON_GetObjectItemCaseSensitive(c, "args");
    assert_int_equal(cJSON_GetArraySize(got), 4);
    for (int i = 0; i < 4; i++)
        assert_string_equal(cJSON_GetArrayItem(got, i)->valuestring, args[i]);
    assert_string_equal(str_at(c, "image", NULL),
                        "public.ecr.aws/eks/aws-load-balancer-controller:"
                        "v2.4.6");
    const cJSON *spec = cJSON_GetObjectItemCaseSensitive(
        find_kind(objects, "Deployment"), "spec");
    assert_int_equal(cJSON_GetObjectItemCaseSensitive(spec, "replicas")
                         ->valueint, 3);
    lbc_objects_free(objects);

    o.region = NULL;
    o.vpc_id = NULL;
    objects = render(&o);
    got = cJSON_GetObjectItemCaseSensitive(controller_container(objects),
                                           "args");
    assert_int_equal(cJSON_GetArraySize(got), 2);
    lbc_objects_free(objects);
}

/* ---- webhook TLS ---- */

static X509 *decode_cert(const char *b64)
{
    struct buf pem;
    buf_init(&pem, 0);
    assert_int_equal(base64_decode(b64, strlen(b64), &pem), 0);
    BIO *bio = BIO_new_mem_buf(pem.data, (int)pem.len);
    X509 *cert = PEM_read_bio_X509(bio, NULL, NULL, NULL);
    BIO_free(bio);
    buf_cleanup(&pem);
    assert_non_null(cert);
    return cert;
}

static EVP_PKEY *decode_key(const char *b64)
{
    struct buf pem;
    buf_init(&pem, 0);
    assert_int_equal(base64_decode(b64, strlen(b64), &pem), 0);
    BIO *bio = BIO_new_mem_buf(pem.data, (int)pem.len);
    EVP_PKEY *key = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL);
    BIO_free(bio);
    buf_wipe(&pem);
    assert_non_null(key);
    return key;
}

static int verifies(X509 *ca, X509 *cert)
{
    X509_STORE *store = X509_STORE_new();
    X509_STORE_CTX *ctx = X509_STORE_CTX_new();
    X509_STORE_add_cert(store, ca);
    X509_STORE_CTX_init(ctx, store, cert, NULL);
    int ok = X509_verify_cert(ctx) == 1;
    X509_STORE_CTX_free(ctx);
    X509_STORE_free(store);
    return ok;
}

static void check_ca_bundles(const cJSON *config, const char *ca)
{
    const cJSON *hook;
    int count = 0;
    cJSON_ArrayForEach(hook,
                       cJSON_GetObjectItemCaseSensitive(config, "webhooks")) {
        assert_string_equal(str_at(hook, "clientConfig", "caBundle"), ca);
        count++;
    }
    assert_int_equal(count, 2);
}

static void test_webhook_tls(void **state)
{
    (void)state;
    struct lbc_options o;
    demo_options(&o);
    o.namespace = "lbc-system";
    cJSON *objects = render(&o);
    const cJSON *secret = find_kind(objects, "Secret");
    const cJSON *data = cJSON_GetObjectItemCaseSensitive(secret, "data");
    const char *ca_b64 = str_at(data, "ca.crt", NULL);
    assert_string_equal(str_at(secret, "type", NULL), "kubernetes.io/tls");
    check_ca_bundles(find_kind(objects, "MutatingWebhookConfiguration"),
                     ca_b64);
    check_ca_bundles(find_kind(objects, "ValidatingWebhookConfiguration"),
                     ca_b64);

    X509 *ca = decode_cert(ca_b64);
    X509 *cert = decode_cert(str_at(data, "tls.crt", NULL));
    EVP_PKEY *key = decode_key(str_at(data, "tls.key", NULL));
    assert_true(verifies(ca, cert));
    assert_int_equal(X509_check_private_key(cert, key), 1);
    static const char *const names[] = {
        "aws-load-balancer-webhook-service.lbc-system",
        "aws-load-balancer-webhook-service.lbc-system.svc",
        "aws-load-balancer-webhook-service.lbc-system.svc.cluster.local",
    };
    for (size_t i = 0; i < 3; i++)
        assert_int_equal(X509_check_host(cert, names[i], 0, 0, NULL), 1);
    assert_int_equal(X509_check_host(cert, "aws-load-balancer-webhook-"
                                     "service.kube-system.svc", 0, 0, NULL),
                     0);
    char cn[128];
    X509_NAME_get_text_by_NID(X509_get_subject_name(ca), NID_commonName, cn,
                              sizeof(cn));
    assert_string_equal(cn, "aws-load-balancer-controller-ca");
    EVP_PKEY_free(key);
    X509_free(cert);
    X509_free(ca);
    lbc_objects_free(objects);
}

/* ---- IAM plan ---- */

static const struct lbc_policy_document shipped = {
    .path = "data/lbc/iam_policy.json", .bytes = 6455, .statements = 12,
    .shipped = 1,
};

static cJSON *plan(const struct lbc_options *o, const char *issuer)
{
    struct lbc_cluster_info c = {.arn = CLUSTER_ARN, .oidc_issuer = issuer};
    char err[512] = "";
    cJSON *steps = lbc_plan_iam(o, &c, &shipped, err, sizeof(err));
    if (!steps)
        fail_msg("lbc_plan_iam failed: %s", err);
    return steps;
}

static void check_operations(const cJSON *steps, const char *const *ops)
{
    size_t n = 0;
    const cJSON *st;
    cJSON_ArrayForEach(st, steps)
        assert_string_equal(str_at(st, "operation", NULL), ops[n++]);
    assert_null(ops[n]);
}

static void test_plan_irsa_stack(void **state)
{
    (void)state;
    struct lbc_options o;
    demo_options(&o);
    cJSON *steps = plan(&o, ISSUER);
    check_operations(steps, (const char *const[]){
        "CreatePolicy", "CreateOpenIDConnectProvider", "CreateStack", NULL});
    const cJSON *stack = cJSON_GetArrayItem(steps, 2);
    assert_string_equal(str_at(stack, "stackName", NULL),
                        "eksctl-demo-addon-iamserviceaccount-kube-system-"
                        "aws-load-balancer-controller");
    assert_string_equal(cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(
                            stack, "managedPolicyArns"), 0)->valuestring,
                        "arn:aws:iam::111122223333:policy/"
                        "AWSLoadBalancerControllerIAMPolicy");

    /* The trust policy must let exactly this service account in. */
    char *trust = cJSON_PrintUnformatted(
        cJSON_GetObjectItemCaseSensitive(stack, "trustPolicy"));
    struct policy p;
    char err[256];
    assert_int_equal(policy_parse(trust, &p, err, sizeof(err)), 0);
    struct irsa_request rq = {
        .issuer = ISSUER, .has_provider = 1, .role_arn = ROLE,
        .namespace = "kube-system", .name = "aws-load-balancer-controller",
    };
    struct irsa_result r;
    irsa_evaluate(&rq, &p, &r);
    assert_int_equal(r.status, IRSA_OK);
    rq.name = "default";
    irsa_evaluate(&rq, &p, &r);
    assert_int_equal(r.status, IRSA_NOT_TRUSTED);
    policy_cleanup(&p);
    free(trust);
    cJSON_Delete(steps);
}

static void test_plan_irsa_needs_issuer(void **state)
{
    (void)state;
    struct lbc_options o;
    struct lbc_cluster_info c = {.arn = CLUSTER_ARN, .oidc_issuer = NULL};
    char err[512] = "";
    demo_options(&o);
    assert_null(lbc_plan_iam(&o, &c, &shipped, err, sizeof(err)));
    assert_non_null(strstr(err, "no usable OIDC issuer"));
    c.arn = "arn:aws:iam::111122223333:role/x";
    c.oidc_issuer = ISSUER;
    assert_null(lbc_plan_iam(&o, &c, &shipped, err, sizeof(err)));
    assert_non_null(strstr(err, "is not an EKS cluster ARN"));
}

static void test_plan_existing_role(void **state)
{
    (void)state;
    struct lbc_options o;
    demo_options(&o);
    o.role_arn = ROLE;
    cJSON *steps = plan(&o, ISSUER);
    check_operations(steps, (const char *const[]){
        "CreatePolicy", "AttachRolePolicy", NULL});
    cJSON_Delete(steps);
}

static void test_plan_pod_identity(void **state)
{
    (void)state;
    struct lbc_options o;
    demo_options(&o);
    o.identity = LBC_IDENTITY_POD_IDENTITY;
    cJSON *steps = plan(&o, NULL);
    check_operations(steps, (const char *const[]){
        "CreatePolicy", "CreateAddon", "CreateRole", "AttachRolePolicy",
        "CreatePodIdentityAssociation", NULL});
    const cJSON *agent = cJSON_GetArrayItem(steps, 1);
    assert_string_equal(str_at(agent, "service", NULL), "eks");
    assert_string_equal(str_at(agent, "clusterName", NULL), "demo");
    assert_string_equal(str_at(agent, "addonName", NULL),
                        "eks-pod-identity-agent");
    const cJSON *assoc = cJSON_GetArrayItem(steps, 4);
    assert_string_equal(str_at(assoc, "clusterName", NULL), "demo");
    assert_string_equal(str_at(assoc, "namespace", NULL), "kube-system");
    assert_string_equal(str_at(assoc, "serviceAccount", NULL),
                        "aws-load-balancer-controller");
    assert_string_equal(str_at(assoc, "roleArn", NULL),
                        "arn:aws:iam::111122223333:role/"
                        "AmazonEKSLoadBalancerControllerRole");
    cJSON_Delete(steps);
}

/* ---- YAML writer ---- */

static void test_yaml_quotes_ambiguous(void **state)
{
    (void)state;
    cJSON *docs = cJSON_Parse("[{\"s\":\"true\",\"num\":8080,\"p\":\"8080\","
                              "\"a\":\"--x=y\",\"b\":true,\"empty\":\"\","
                              "\"k\":\"kubernetes.io/tls\",\"n\":\"x\"},"
                              "{\"z\":[]}]");
    char *text = NULL;
    size_t len = 0;
    char err[256];
    FILE *out = open_memstream(&text, &len);
    assert_int_equal(json_yaml_write(out, docs, err, sizeof(err)), 0);
    fclose(out);
    assert_non_null(strstr(text, "---\ns: \"true\"\n"));
    assert_non_null(strstr(text, "\nnum: 8080\n"));
    assert_non_null(strstr(text, "\np: \"8080\"\n"));
    assert_non_null(strstr(text, "\na: \"--x=y\"\n"));
    assert_non_null(strstr(text, "\nb: true\n"));
    assert_non_null(strstr(text, "\nempty: \"\"\n"));
    /* "n" reads as a boolean in YAML 1.1, so the key is quoted too. */
    assert_non_null(strstr(text, "\n\"n\": x\n"));
    assert_non_null(strstr(text, "\nk: kubernetes.io/tls\n"));
    assert_non_null(strstr(text, "\n---\nz: []\n"));

    struct ydoc d;
    assert_int_equal(ydoc_load_string(&d, "out", text, len, err,
                                      sizeof(err)), 0);
    assert_string_equal(ydoc_get_str(&d, ydoc_root(&d), "a"), "--x=y");
    ydoc_free(&d);
    free(text);
    cJSON_Delete(docs);
}

/* ---- the shipped policy ---- */

static int has_cluster_tag_condition(const struct policy_statement *st)
{
    for (size_t i = 0; i < st->condition_count; i++) {
        const struct policy_condition *c = &st->conditions[i];
        if (!strcmp(c->op, "Null") &&
            !strcmp(c->key, "aws:RequestTag/elbv2.k8s.aws/cluster") &&
            c->values.count == 1 && !strcmp(c->values.items[0], "false"))
            return 1;
    }
    return 0;
}

static void test_shipped_policy(void **state)
{
    (void)state;
    struct buf text;
    char why[128], err[256];
    buf_init(&text, POLICY_MAX_BYTES);
    assert_int_equal(buf_read_file(&text, "data/lbc/iam_policy.json", why,
                                   sizeof(why)), 0);
    assert_int_equal(text.len, shipped.bytes);
    struct policy p;
    assert_int_equal(policy_parse(text.data, &p, err, sizeof(err)), 0);
    assert_int_equal(p.count, shipped.statements);
    int create_lb = 0, unconditional_create_lb = 0;
    for (size_t i = 0; i < p.count; i++) {
        const struct policy_statement *st = &p.statements[i];
        for (size_t j = 0; j < st->actions.count; j++) {
            if (strcmp(st->actions.items[j],
                       "elasticloadbalancing:CreateLoadBalancer"))
                continue;
            if (has_cluster_tag_condition(st))
                create_lb++;
            else
                unconditional_create_lb++;
        }
    }
    assert_int_equal(create_lb, 1);
    assert_int_equal(unconditional_create_lb, 0);
    policy_cleanup(&p);
    buf_cleanup(&text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_missing_cluster_rejected),
        cmocka_unit_test(test_invalid_options_rejected),
        cmocka_unit_test(test_objects_in_apply_order),
        cmocka_unit_test(test_existing_service_account_used),
        cmocka_unit_test(test_irsa_annotation),
        cmocka_unit_test(test_deployment_args),
        cmocka_unit_test(test_webhook_tls),
        cmocka_unit_test(test_plan_irsa_stack),
        cmocka_unit_test(test_plan_irsa_needs_issuer),
        cmocka_unit_test(test_plan_existing_role),
        cmocka_unit_test(test_plan_pod_identity),
        cmocka_unit_test(test_yaml_quotes_ambiguous),
        cmocka_unit_test(test_shipped_policy),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
