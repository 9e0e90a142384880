/*
 * The sandbox's patch formats and field ownership: JSON merge patch
 * (RFC 7386), JSON patch (RFC 6902) with JSON pointer escapes, YAML
 * bodies, and the conflicts and removals of server-side apply.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../sandbox/k8s_fields.h"
#include "../../sandbox/k8s_patch.h"

#define NOW "2026-01-01T00:00:00Z"

/* Asserts that doc prints as the JSON text expected, then frees doc. */
static void assert_json(cJSON *doc, const char *expected)
{
    cJSON *want = cJSON_Parse(expected);
    char *got = cJSON_PrintUnformatted(doc);

    assert_non_null(want);
    if (!cJSON_Compare(doc, want, 1))
        fail_msg("got %s, expected %s", got ? got : "(null)", expected);
    free(got);
    cJSON_Delete(want);
    cJSON_Delete(doc);
}

static void test_merge_patch(void **state)
{
    static const char *const cases[][3] = {
        /* target, patch, result (RFC 7386 appendix A) */
        { "{\"a\":\"b\"}", "{\"a\":\"c\"}", "{\"a\":\"c\"}" },
        { "{\"a\":\"b\"}", "{\"a\":null}", "{}" },
        { "{\"a\":[{\"b\":\"c\"}]}", "{\"a\":[1]}", "{\"a\":[1]}" },
        { "{\"a\":{\"b\":\"c\"}}", "{\"a\":{\"b\":\"d\",\"c\":null}}",
          "{\"a\":{\"b\":\"d\"}}" },
        { "[1,2]", "{\"a\":\"b\"}", "{\"a\":\"b\"}" },
        { "{\"e\":null}", "{\"a\":1}", "{\"e\":null,\"a\":1}" },
        { "{\"a\":\"foo\"}", "[\"c\"]", "[\"c\"]" },
    };
    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        cJSON *target = cJSON_Parse(cases[i][0]);
        cJSON *patch = cJSON_Parse(cases[i][1]);

        assert_int_equal(k8s_merge_patch(&target, patch), 0);
        assert_json(target, cases[i][2]);
        cJSON_Delete(patch);
    }
}

static void test_json_patch(void **state)
{
    static const char *const cases[][3] = {
        /* document, operations, result; NULL result: the patch fails */
        { "{\"a/b\":1,\"m~n\":2}",
          "[{\"op\":\"replace\",\"path\":\"/a~1b\",\"value\":3},"
          "{\"op\":\"remove\",\"path\":\"/m~0n\"}]", "{\"a/b\":3}" },
        { "{\"l\":[1,3]}",
          "[{\"op\":\"add\",\"path\":\"/l/1\",\"value\":2},"
          "{\"op\":\"add\",\"path\":\"/l/-\",\"value\":4}]",
          "{\"l\":[1,2,3,4]}" },
        { "{\"a\":{\"b\":1}}",
          "[{\"op\":\"move\",\"from\":\"/a/b\",\"path\":\"/c\"},"
          "{\"op\":\"copy\",\"from\":\"/c\",\"path\":\"/d\"}]",
          "{\"a\":{},\"c\":1,\"d\":1}" },
        { "{\"a\":1}", "[{\"op\":\"test\",\"path\":\"/a\",\"value\":1}]",
          "{\"a\":1}" },
        { "{\"a\":1}", "[{\"op\":\"test\",\"path\":\"/a\",\"value\":2}]",
          NULL },
        { "{\"a\":1}", "[{\"op\":\"remove\",\"path\":\"/b\"}]", NULL },
        { "{\"a\":1}", "[{\"op\":\"replace\",\"path\":\"/b\",\"value\":1}]",
          NULL },
        { "{\"l\":[1]}", "[{\"op\":\"add\",\"path\":\"/l/01\",\"value\":2}]",
          NULL },
        { "{\"a\":{\"b\":{}}}",
          "[{\"op\":\"move\",\"from\":\"/a\",\"path\":\"/a/b/c\"}]", NULL },
        { "{}", "[{\"path\":\"/a\"}]", NULL },
        { "{}", "{\"op\":\"add\"}", NULL },
    };
    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        cJSON *doc = cJSON_Parse(cases[i][0]);
        cJSON *ops = cJSON_Parse(cases[i][1]);
        char err[300] = "";
        int rc = k8s_json_patch(&doc, ops, err, sizeof(err));

        if (cases[i][2]) {
            assert_int_equal(rc, 0);
            assert_json(doc, cases[i][2]);
        } else {
            assert_int_equal(rc, -1);
            assert_true(err[0] != '\0');
            cJSON_Delete(doc);
        }
        cJSON_Delete(ops);
    }
}

static void test_yaml_body(void **state)
{
    static const char yaml[] =
        "metadata:\n  name: web\n  labels: {n: \"1\"}\n"
        "spec:\n  replicas: 2\n  paused: false\n  note: ~\n"
        "  args: [a, '2']\n";
    static const char bomb[] =
        "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
        "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
        "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
        "d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
        "e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\n"
        "f: [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]\n";
    char err[300];
    (void)state;

    assert_json(k8s_parse_body(yaml, strlen(yaml), 1, err, sizeof(err)),
                "{\"metadata\":{\"name\":\"web\",\"labels\":{\"n\":\"1\"}},"
                "\"spec\":{\"replicas\":2,\"paused\":false,\"note\":null,"
                "\"args\":[\"a\",\"2\"]}}");
    assert_null(k8s_parse_body(bomb, strlen(bomb), 1, err, sizeof(err)));
    assert_non_null(strstr(err, "nodes"));
    assert_null(k8s_parse_body("{\"a\":", 5, 0, err, sizeof(err)));
    assert_non_null(strstr(err, "invalid JSON"));
}

/* An object with metadata.managedFields as given. */
static cJSON *live_object(const char *fields)
{
    char text[1024];

    snprintf(text, sizeof(text), "{\"metadata\":{\"name\":\"x\","
             "\"managedFields\":%s},\"spec\":{\"a\":1,\"b\":2}}", fields);
    return cJSON_Parse(text);
}

static void test_apply_conflicts(void **state)
{
    static const char owned[] =
        "[{\"manager\":\"other\",\"operation\":\"Update\","
        "\"apiVersion\":\"v1\",\"fieldsType\":\"FieldsV1\","
        "\"fieldsV1\":{\"f:spec\":{\"f:a\":{},\"f:b\":{}}}}]";
    cJSON *applied = cJSON_Parse("{\"spec\":{\"a\":5,\"b\":6}}");
    cJSON *obj = live_object(owned);
    char msg[1024];
    (void)state;

    assert_int_equal(k8s_fields_apply(&obj, applied, "me", "v1", 0, NOW, msg,
                                      sizeof(msg)), 1);
    assert_string_equal(msg, "Apply failed with 2 conflicts: conflicts with "
                        "\"other\" using v1:\n- .spec.a\n- .spec.b");
    cJSON_Delete(obj);

    obj = live_object(owned);
    assert_int_equal(k8s_fields_apply(&obj, applied, "me", "v1", 1, NOW, msg,
                                      sizeof(msg)), 0);
    assert_int_equal(cJSON_GetObjectItem(cJSON_GetObjectItem(obj, "spec"),
                                         "a")->valueint, 5);
    /* The forced fields left the other manager, whose entry is gone. */
    cJSON *list = cJSON_GetObjectItem(cJSON_GetObjectItem(obj, "metadata"),
                                      "managedFields");
    assert_int_equal(cJSON_GetArraySize(list), 1);
    assert_string_equal(cJSON_GetObjectItem(cJSON_GetArrayItem(list, 0),
                                            "manager")->valuestring, "me");
    cJSON_Delete(obj);
    cJSON_Delete(applied);
}

static void test_apply_removes_dropped(void **state)
{
    cJSON *obj = live_object("[]");
    cJSON *first = cJSON_Parse("{\"spec\":{\"a\":1,\"c\":3}}");
    cJSON *second = cJSON_Parse("{\"spec\":{\"a\":1}}");
    char msg[256];
    (void)state;

    assert_int_equal(k8s_fields_apply(&obj, first, "me", "v1", 0, NOW, msg,
                                      sizeof(msg)), 0);
    assert_int_equal(k8s_fields_apply(&obj, second, "me", "v1", 0, NOW, msg,
                                      sizeof(msg)), 0);
    /* c was only ever the applier's, so it goes; b was nobody's, and
     * stays. */
    assert_json(cJSON_DetachItemFromObject(obj, "spec"),
                "{\"a\":1,\"b\":2}");
    cJSON_Delete(obj);
    cJSON_Delete(first);
    cJSON_Delete(second);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_merge_patch),
        cmocka_unit_test(test_json_patch),
        cmocka_unit_test(test_yaml_body),
        cmocka_unit_test(test_apply_conflicts),
        cmocka_unit_test(test_apply_removes_dropped),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
