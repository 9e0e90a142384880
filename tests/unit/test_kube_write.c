/*
 * The Kubernetes write calls without a server. A read-only client sends
 * nothing and reports ReadOnly for every write. Paths and queries are
 * built and checked before sending, and the service account requests
 * carry the bodies the command line prints for --dry-run.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "../../api/http.h"
#include "../../api/kube_write.h"

struct outcome {
    int calls;
    struct api_error err;
};

static void record(const char *body, size_t len, const struct api_error *err,
                   void *ctx)
{
    struct outcome *o = ctx;
    (void)body;
    (void)len;
    o->calls++;
    if (err)
        o->err = *err;
}

static void readonly_writes_send_nothing(void **state)
{
    (void)state;
    struct http_client *http = http_client_new();
    struct kube_endpoint ep;
    struct kube_client kc;
    memset(&ep, 0, sizeof(ep));
    ep.server = strdup("https://127.0.0.1:9");
    ep.token = strdup("token");
    kube_client_init(&kc, http, NULL, &ep);
    kc.readonly = 1;
    struct kube_object_ref ref = { "/api/v1", "default", "serviceaccounts",
                                   "app" };
    struct outcome o[5];
    memset(o, 0, sizeof(o));

    kube_create(&kc, &ref, "{}", 0, record, &o[0]);
    kube_replace(&kc, &ref, "{}", 0, record, &o[1]);
    kube_merge_patch(&kc, &ref, "{}", 0, record, &o[2]);
    kube_apply(&kc, &ref, "{}", 1, 0, record, &o[3]);
    kube_delete(&kc, &ref, 0, record, &o[4]);
    for (int i = 0; i < 5; i++) {
        assert_int_equal(o[i].calls, 1);
        assert_string_equal(o[i].err.code, "ReadOnly");
    }
    assert_int_equal(http_pending(http), 0);
    kube_client_cleanup(&kc);
    http_client_free(http);
}

static void write_paths(void **state)
{
    (void)state;
    struct kube_object_ref sa = { "/api/v1", "kube-system", "serviceaccounts",
                                  "aws-load-balancer-controller" };
    struct kube_object_ref role = { "/apis/rbac.authorization.k8s.io/v1",
                                    NULL, "clusterroles", "reader" };
    struct api_error err;
    char path[1024];

    assert_int_equal(kube_write_path(&sa, "PATCH", 1, "force=true", path,
                                     sizeof(path), &err), 0);
    assert_string_equal(path, "/api/v1/namespaces/kube-system/"
                        "serviceaccounts/aws-load-balancer-controller"
                        "?fieldManager=albatross&dryRun=All&force=true");
    assert_int_equal(kube_write_path(&role, "DELETE", 0, NULL, path,
                                     sizeof(path), &err), 0);
    assert_string_equal(path, "/apis/rbac.authorization.k8s.io/v1/"
                        "clusterroles/reader");
    assert_int_equal(kube_write_path(&role, "DELETE", 1, NULL, path,
                                     sizeof(path), &err), 0);
    assert_string_equal(path, "/apis/rbac.authorization.k8s.io/v1/"
                        "clusterroles/reader?dryRun=All");

    static const char *const bad_names[] = {
        "UPPER", "a/b", "a?b", "-lead", "trail-", "", "a b",
    };
    for (size_t i = 0; i < sizeof(bad_names) / sizeof(bad_names[0]); i++) {
        struct kube_object_ref ref = sa;
        ref.name = bad_names[i];
        memset(&err, 0, sizeof(err));
        assert_int_equal(kube_write_path(&ref, "PUT", 0, NULL, path,
                                         sizeof(path), &err), -1);
        assert_string_equal(err.code, "InvalidName");
    }
    struct kube_object_ref dotted_ns = sa;
    dotted_ns.namespace = "a.b";
    assert_int_equal(kube_write_path(&dotted_ns, "PUT", 0, NULL, path,
                                     sizeof(path), &err), -1);
    assert_string_equal(err.code, "InvalidNamespace");
    assert_int_equal(kube_write_path(&sa, "PUT", 0, NULL, path, 40, &err),
                     -1);
}

static void service_account_requests(void **state)
{
    (void)state;
    struct kube_annotation set[] = {
        { "eks.amazonaws.com/role-arn", "arn:aws:iam::1:role/r" },
        { "eks.amazonaws.com/token-expiration", NULL },
    };
    struct kube_write_request rq;
    struct api_error err;

    assert_int_equal(kube_sa_annotate_request("ns", "app", set, 2, &rq,
                                              &err), 0);
    assert_string_equal(rq.method, "PATCH");
    assert_string_equal(rq.path, "/api/v1/namespaces/ns/serviceaccounts/app"
                        "?fieldManager=albatross");
    assert_string_equal(rq.content_type, "application/merge-patch+json");
    assert_string_equal(rq.body, "{\"metadata\":{\"annotations\":{"
                        "\"eks.amazonaws.com/role-arn\":"
                        "\"arn:aws:iam::1:role/r\","
                        "\"eks.amazonaws.com/token-expiration\":null}}}");
    kube_write_request_cleanup(&rq);

    assert_int_equal(kube_sa_create_request("ns", "app", set, 1, &rq, &err),
                     0);
    assert_string_equal(rq.method, "POST");
    assert_string_equal(rq.path, "/api/v1/namespaces/ns/serviceaccounts"
                        "?fieldManager=albatross");
    assert_string_equal(rq.body, "{\"apiVersion\":\"v1\",\"kind\":"
                        "\"ServiceAccount\",\"metadata\":{\"name\":\"app\","
                        "\"namespace\":\"ns\",\"annotations\":{"
                        "\"eks.amazonaws.com/role-arn\":"
                        "\"arn:aws:iam::1:role/r\"}}}");
    kube_write_request_cleanup(&rq);

    assert_int_equal(kube_sa_create_request("ns", "Bad_Name", NULL, 0, &rq,
                                            &err), -1);
    assert_string_equal(err.code, "InvalidName");
    kube_write_request_cleanup(&rq);

    assert_int_equal(kube_sa_delete_request("ns", "app", &rq, &err), 0);
    assert_string_equal(rq.method, "DELETE");
    assert_string_equal(rq.path, "/api/v1/namespaces/ns/serviceaccounts/app");
    assert_null(rq.content_type);
    assert_null(rq.body);
    kube_write_request_cleanup(&rq);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(readonly_writes_send_nothing),
        cmocka_unit_test(write_paths),
        cmocka_unit_test(service_account_requests),
    };
    http_global_init();
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    http_global_cleanup();
    return rc;
}
