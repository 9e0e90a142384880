/*
 * The pieces of a Kubernetes watch: a stream split into lines whatever
 * the chunk boundaries, lines longer than the limit, and each line
 * parsed as an event, a BOOKMARK, an ERROR (410 Expired or another) or
 * an invalid line whose error names the resource.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../api/kube_watch.h"

#define MAX_LINES 16

/* The lines a splitter delivered, copied. */
struct collected {
    char *lines[MAX_LINES];
    size_t count;
    int fail_at;        /* return -1 for this line (1-based); 0: never */
};

static int collect(const char *line, size_t len, void *ctx)
{
    struct collected *c = ctx;
    assert_true(c->count < MAX_LINES);
    c->lines[c->count++] = strndup(line, len);
    return c->fail_at && (int)c->count == c->fail_at ? -1 : 0;
}

static void collected_free(struct collected *c)
{
    for (size_t i = 0; i < c->count; i++)
        free(c->lines[i]);
    memset(c, 0, sizeof(*c));
}

static const char stream[] =
    "{\"type\":\"ADDED\",\"n\":1}\n"
    "\n"                                    /* a keep-alive */
    "{\"type\":\"MODIFIED\",\"n\":2}\r\n"
    "{\"type\":\"BOOKMARK\",\"n\":3}\n";

static void check_stream_lines(const struct collected *c)
{
    assert_int_equal(c->count, 3);
    assert_string_equal(c->lines[0], "{\"type\":\"ADDED\",\"n\":1}");
    assert_string_equal(c->lines[1], "{\"type\":\"MODIFIED\",\"n\":2}");
    assert_string_equal(c->lines[2], "{\"type\":\"BOOKMARK\",\"n\":3}");
}

/* Every split of the stream into two chunks gives the same lines. */
static void lines_split_anywhere(void **state)
{
    (void)state;
    size_t len = strlen(stream);
    for (size_t cut = 0; cut <= len; cut++) {
        struct kube_lines l;
        struct collected c = { .count = 0 };
        kube_lines_init(&l, 1024);
        assert_int_equal(kube_lines_feed(&l, stream, cut, collect, &c), 0);
        assert_int_equal(kube_lines_feed(&l, stream + cut, len - cut,
                                         collect, &c), 0);
        check_stream_lines(&c);
        assert_int_equal(kube_lines_pending(&l), 0);
        collected_free(&c);
        kube_lines_cleanup(&l);
    }
}

/* One byte at a time, as a slow connection could deliver it. */
static void lines_byte_by_byte(void **state)
{
    (void)state;
    struct kube_lines l;
    struct collected c = { .count = 0 };
    kube_lines_init(&l, 1024);
    for (size_t i = 0; stream[i]; i++)
        assert_int_equal(kube_lines_feed(&l, stream + i, 1, collect, &c), 0);
    check_stream_lines(&c);
    collected_free(&c);
    kube_lines_cleanup(&l);
}

static void lines_keep_incomplete_tail(void **state)
{
    (void)state;
    struct kube_lines l;
    struct collected c = { .count = 0 };
    kube_lines_init(&l, 1024);
    assert_int_equal(kube_lines_feed(&l, "{\"a\":1}\n{\"b\"", 12, collect,
                                     &c), 0);
    assert_int_equal(c.count, 1);
    assert_int_equal(kube_lines_pending(&l), 4);
    kube_lines_reset(&l);
    assert_int_equal(kube_lines_pending(&l), 0);
    assert_int_equal(kube_lines_feed(&l, "{\"c\":3}\n", 8, collect, &c), 0);
    assert_int_equal(c.count, 2);
    assert_string_equal(c.lines[1], "{\"c\":3}");
    collected_free(&c);
    kube_lines_cleanup(&l);
}

/* A line past the limit is an error and is dropped to its end, even
 * when its end comes in a later chunk; the next line is whole. */
static void lines_longer_than_max(void **state)
{
    (void)state;
    struct kube_lines l;
    struct collected c = { .count = 0 };
    kube_lines_init(&l, 8);
    assert_int_equal(kube_lines_feed(&l, "0123456789", 10, collect, &c), -1);
    assert_int_equal(c.count, 0);
    assert_int_equal(kube_lines_feed(&l, "abcdef\nok\n", 10, collect, &c), 0);
    assert_int_equal(c.count, 1);
    assert_string_equal(c.lines[0], "ok");
    collected_free(&c);
    kube_lines_cleanup(&l);
}

static void lines_stop_when_callback_fails(void **state)
{
    (void)state;
    struct kube_lines l;
    struct collected c = { .fail_at = 1 };
    kube_lines_init(&l, 1024);
    assert_int_equal(kube_lines_feed(&l, stream, strlen(stream), collect,
                                     &c), -1);
    assert_int_equal(c.count, 1);
    collected_free(&c);
    kube_lines_cleanup(&l);
}

/* ---- events ------------------------------------------------------------- */

static enum kube_line_result parse(enum kube_watch_resource r,
                                   const char *line,
                                   struct kube_watch_event *ev,
                                   struct api_error *err)
{
    memset(err, 0, sizeof(*err));
    return kube_watch_parse_line(r, line, strlen(line), ev, err);
}

static void event_modified_ingress(void **state)
{
    (void)state;
    struct kube_watch_event ev;
    struct api_error err;
    const char *line =
        "{\"type\":\"MODIFIED\",\"object\":{\"kind\":\"Ingress\","
        "\"metadata\":{\"name\":\"web\",\"namespace\":\"shop\","
        "\"resourceVersion\":\"1042\"},\"spec\":{\"ingressClassName\":"
        "\"alb\",\"rules\":[{\"host\":\"a.example.com\"}]},\"status\":"
        "{\"loadBalancer\":{\"ingress\":[{\"hostname\":\"lb.example\"}]}}}}";
    assert_int_equal(parse(KUBE_WATCH_INGRESSES, line, &ev, &err),
                     KUBE_LINE_EVENT);
    assert_int_equal(ev.type, KUBE_WATCH_MODIFIED);
    assert_string_equal(ev.resource_version, "1042");
    assert_non_null(ev.ingress);
    assert_null(ev.service_account);
    assert_string_equal(ev.ingress->namespace, "shop");
    assert_string_equal(ev.ingress->name, "web");
    assert_string_equal(ev.ingress->class_name, "alb");
    assert_string_equal(ev.ingress->hosts, "a.example.com");
    assert_string_equal(ev.ingress->address, "lb.example");
    kube_watch_event_cleanup(&ev);
}

static void event_deleted_service_account(void **state)
{
    (void)state;
    struct kube_watch_event ev;
    struct api_error err;
    const char *line =
        "{\"type\":\"DELETED\",\"object\":{\"metadata\":{\"name\":\"app\","
        "\"namespace\":\"default\",\"resourceVersion\":\"7\","
        "\"annotations\":{\"eks.amazonaws.com/role-arn\":"
        "\"arn:aws:iam::111122223333:role/app\"}}}}";
    assert_int_equal(parse(KUBE_WATCH_SERVICE_ACCOUNTS, line, &ev, &err),
                     KUBE_LINE_EVENT);
    assert_int_equal(ev.type, KUBE_WATCH_DELETED);
    assert_string_equal(ev.resource_version, "7");
    assert_non_null(ev.service_account);
    assert_string_equal(ev.service_account->name, "app");
    assert_string_equal(ev.service_account->role_arn,
                        "arn:aws:iam::111122223333:role/app");
    kube_watch_event_cleanup(&ev);
}

static void event_bookmark(void **state)
{
    (void)state;
    struct kube_watch_event ev;
    struct api_error err;
    const char *line = "{\"type\":\"BOOKMARK\",\"object\":{\"kind\":"
                       "\"Ingress\",\"metadata\":{\"resourceVersion\":"
                       "\"2001\"}}}";
    assert_int_equal(parse(KUBE_WATCH_INGRESSES, line, &ev, &err),
                     KUBE_LINE_EVENT);
    assert_int_equal(ev.type, KUBE_WATCH_BOOKMARK);
    assert_string_equal(ev.resource_version, "2001");
    assert_null(ev.ingress);
    kube_watch_event_cleanup(&ev);
}

static void error_event_expired(void **state)
{
    (void)state;
    struct kube_watch_event ev;
    struct api_error err;
    const char *line = "{\"type\":\"ERROR\",\"object\":{\"kind\":\"Status\","
                       "\"status\":\"Failure\",\"message\":\"too old "
                       "resource version: 5 (12)\",\"reason\":\"Expired\","
                       "\"code\":410}}";
    assert_int_equal(parse(KUBE_WATCH_INGRESSES, line, &ev, &err),
                     KUBE_LINE_ERROR);
    assert_int_equal(err.http_status, 410);
    assert_string_equal(err.code, "Expired");
    assert_string_equal(err.message, "too old resource version: 5 (12)");
    assert_true(kube_watch_is_expired(err.http_status, err.code));
}

static void error_event_other(void **state)
{
    (void)state;
    struct kube_watch_event ev;
    struct api_error err;
    const char *line = "{\"type\":\"ERROR\",\"object\":{\"kind\":\"Status\","
                       "\"reason\":\"InternalError\",\"code\":500}}";
    assert_int_equal(parse(KUBE_WATCH_SERVICE_ACCOUNTS, line, &ev, &err),
                     KUBE_LINE_ERROR);
    assert_int_equal(err.http_status, 500);
    assert_false(kube_watch_is_expired(err.http_status, err.code));
}

static void expired_by_status_or_reason(void **state)
{
    (void)state;
    assert_true(kube_watch_is_expired(410, NULL));
    assert_true(kube_watch_is_expired(0, "Gone"));
    assert_true(kube_watch_is_expired(0, "Expired"));
    assert_false(kube_watch_is_expired(404, "NotFound"));
    assert_false(kube_watch_is_expired(200, NULL));
}

/* Invalid lines are errors that name the resource, never a crash. */
static void invalid_lines_rejected(void **state)
{
    (void)state;
    static const struct {
        const char *line;
        const char *why;
    } cases[] = {
        { "{\"type\":\"ADDED\",\"object\":{\"metadata\":", "not a JSON" },
        { "[1,2]", "not a JSON object" },
        { "{\"object\":{\"metadata\":{\"name\":\"a\"}}}", "type is not" },
        { "{\"type\":\"RENAMED\",\"object\":{}}", "type is not" },
        { "{\"type\":\"ADDED\"}", "object is missing" },
        { "{\"type\":\"ADDED\",\"object\":{\"metadata\":{}}}",
          "no metadata.name" },
        { "{\"type\":\"BOOKMARK\",\"object\":{\"metadata\":{}}}",
          "BOOKMARK without" },
        { "{\"type\":\"ADDED\",\"object\":{\"metadata\":{\"name\":\"a\","
          "\"resourceVersion\":\"1234567890123456789012345678901234567890"
          "12345678901234567890123456789\"}}}", "too long" },
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct kube_watch_event ev;
        struct api_error err;
        assert_int_equal(parse(KUBE_WATCH_INGRESSES, cases[i].line, &ev,
                               &err), KUBE_LINE_INVALID);
        assert_string_equal(err.code, "InvalidWatchEvent");
        assert_non_null(strstr(err.message, "watch event of ingresses"));
        if (!strstr(err.message, cases[i].why))
            fail_msg("case %zu: \"%s\" lacks \"%s\"", i, err.message,
                     cases[i].why);
        assert_null(ev.ingress);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(lines_split_anywhere),
        cmocka_unit_test(lines_byte_by_byte),
        cmocka_unit_test(lines_keep_incomplete_tail),
        cmocka_unit_test(lines_longer_than_max),
        cmocka_unit_test(lines_stop_when_callback_fails),
        cmocka_unit_test(event_modified_ingress),
        cmocka_unit_test(event_deleted_service_account),
        cmocka_unit_test(event_bookmark),
        cmocka_unit_test(error_event_expired),
        cmocka_unit_test(error_event_other),
        cmocka_unit_test(expired_by_status_or_reason),
        cmocka_unit_test(invalid_lines_rejected),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
