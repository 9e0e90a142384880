/*
 * Detection of an installed load balancer controller from Deployments and
 * Ingresses as the Kubernetes API lists them: the current controller by
 * label, the legacy v1 controller by image tag, and the Ingresses that
 * select a controller by annotation.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/lbc_detect.h"
#include "../../src/lbc_render.h"

/* A Deployment as the API lists it; label may be NULL. */
static cJSON *deployment(const char *ns, const char *name, const char *label,
                         const char *image)
{
    char text[1024];
    snprintf(text, sizeof(text),
             "{\"metadata\":{\"namespace\":\"%s\",\"name\":\"%s\","
             "\"labels\":{%s%s%s}},\"spec\":{\"template\":{\"spec\":"
             "{\"containers\":[{\"name\":\"sidecar\",\"image\":\"busybox\"},"
             "{\"name\":\"main\",\"image\":\"%s\"}]}}}}",
             ns, name, label ? "\"app.kubernetes.io/name\":\"" : "",
             label ? label : "", label ? "\"" : "", image);
    cJSON *d = cJSON_Parse(text);
    assert_non_null(d);
    return d;
}

static cJSON *list_of(cJSON *item)
{
    cJSON *list = cJSON_CreateObject();
    cJSON *items = cJSON_AddArrayToObject(list, "items");
    cJSON_AddItemToArray(items, item);
    return list;
}

static void test_current_by_label(void **state)
{
    (void)state;
    cJSON *list = list_of(deployment(
        "kube-system", "aws-load-balancer-controller",
        "aws-load-balancer-controller",
        "public.ecr.aws/eks/aws-load-balancer-controller:v2.4.7"));
    struct lbc_detection d;
    lbc_detect(list, NULL, &d);
    assert_true(d.current.present);
    assert_string_equal(d.current.namespace, "kube-system");
    assert_string_equal(d.current.name, "aws-load-balancer-controller");
    assert_string_equal(d.current.version, "v2.4.7");
    assert_false(d.legacy.present);
    assert_int_equal(d.annotated_ingresses, 0);
    cJSON_Delete(list);
}

static void test_legacy_by_image_tag(void **state)
{
    (void)state;
    cJSON *list = cJSON_CreateArray();
    cJSON_AddItemToArray(list, deployment(
        "default", "nginx", "nginx", "nginx:1.25"));
    cJSON_AddItemToArray(list, deployment(
        "kube-system", "alb-ingress-controller", NULL,
        "docker.io/amazon/aws-alb-ingress-controller:v1.1.9"));
    struct lbc_detection d;
    lbc_detect(list, NULL, &d);
    assert_true(d.legacy.present);
    assert_string_equal(d.legacy.name, "alb-ingress-controller");
    assert_string_equal(d.legacy.version, "v1.1.9");
    assert_false(d.current.present);
    cJSON_Delete(list);
}

/* v2.0 and v2.1 shipped under the v1 image name. */
static void test_v2_under_old_image_name(void **state)
{
    (void)state;
    static const char *const images[] = {
        "amazon/aws-alb-ingress-controller:v2.1.3",
        "localhost:5000/aws-alb-ingress-controller:v2.0.0@sha256:00ff",
    };
    for (size_t i = 0; i < 2; i++) {
        cJSON *list = list_of(deployment("kube-system", "lbc", NULL,
                                         images[i]));
        struct lbc_detection d;
        lbc_detect(list, NULL, &d);
        assert_true(d.current.present);
        assert_false(d.legacy.present);
        assert_string_equal(d.current.version, i ? "v2.0.0" : "v2.1.3");
        cJSON_Delete(list);
    }
}

static void test_none_found(void **state)
{
    (void)state;
    cJSON *list = list_of(deployment(
        "default", "web", "aws-load-balancer-controller-demo",
        "example.com/aws-load-balancer-controller-fork:v2"));
    cJSON *malformed = cJSON_Parse("{\"items\":[1,{\"metadata\":7},[]]}");
    struct lbc_detection d;
    lbc_detect(list, NULL, &d);
    assert_false(d.current.present);
    assert_false(d.legacy.present);
    lbc_detect(malformed, malformed, &d);
    assert_false(d.current.present);
    assert_int_equal(d.annotated_ingresses, 0);
    lbc_detect(NULL, NULL, &d);
    assert_false(d.current.present);
    cJSON_Delete(malformed);
    cJSON_Delete(list);
}

static void test_annotated_ingresses(void **state)
{
    (void)state;
    cJSON *ingresses = cJSON_Parse(
        "{\"items\":["
        "{\"metadata\":{\"annotations\":{\"kubernetes.io/ingress.class\":"
        "\"alb\"}}},"
        "{\"metadata\":{\"annotations\":{\"kubernetes.io/ingress.class\":"
        "\"nginx\"}}},"
        "{\"metadata\":{},\"spec\":{\"ingressClassName\":\"alb\"}},"
        "{\"metadata\":{\"annotations\":{\"kubernetes.io/ingress.class\":"
        "\"alb\"}}}]}");
    struct lbc_detection d;
    lbc_detect(NULL, ingresses, &d);
    assert_int_equal(d.annotated_ingresses, 2);
    cJSON_Delete(ingresses);
}

static void test_rendered_deployment_found(void **state)
{
    (void)state;
    struct lbc_options o;
    char err[256];
    lbc_options_init(&o);
    o.cluster_name = "demo";
    cJSON *objects = lbc_render(&o, err, sizeof(err));
    assert_non_null(objects);
    struct lbc_detection d;
    lbc_detect(objects, NULL, &d);
    assert_true(d.current.present);
    assert_string_equal(d.current.name, LBC_NAME);
    assert_string_equal(d.current.version, LBC_DEFAULT_VERSION);
    lbc_objects_free(objects);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_current_by_label),
        cmocka_unit_test(test_legacy_by_image_tag),
        cmocka_unit_test(test_v2_under_old_image_name),
        cmocka_unit_test(test_none_found),
        cmocka_unit_test(test_annotated_ingresses),
        cmocka_unit_test(test_rendered_deployment_found),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
