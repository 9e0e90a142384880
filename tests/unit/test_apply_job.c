/*
 * The handoff between an apply's worker thread and the thread that
 * started it (src/apply_job.h). The pipe wakes the reader after the
 * worker changes the progress, and the reader sees the steps and the log
 * lines under the progress's lock while the worker runs. A cancel stops
 * a run blocked on a hung server, which ends with status 1 and the
 * "interrupted" summary. A bad file fails before any thread starts.
 *
 * The AWS endpoint is a loopback socket that listens and never answers,
 * so the run's first call hangs until it is cancelled.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../../api/awsxml.h"
#include "../../api/http.h"
#include "../../src/apply_job.h"

#define WAIT_MS 30000  /* only a broken handoff waits this long */

static const char config_text[] =
    "apiVersion: eksctl.io/v1alpha5\n"
    "kind: ClusterConfig\n"
    "metadata:\n"
    "  name: handoff\n"
    "  region: us-east-2\n"
    "managedNodeGroups:\n"
    "- name: ng-1\n";

struct fixture {
    int server;              /* listens, never accepts */
    char dir[64];
    char file[128];
    struct progress progress;
};

static int listen_hung(char *endpoint, size_t len)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in addr = { .sin_family = AF_INET };
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t alen = sizeof(addr);
    if (fd < 0 || bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0 ||
        listen(fd, 16) < 0 ||
        getsockname(fd, (struct sockaddr *)&addr, &alen) < 0)
        return -1;
    snprintf(endpoint, len, "http://127.0.0.1:%d", ntohs(addr.sin_port));
    return fd;
}

static int setup(void **state)
{
    struct fixture *fx = calloc(1, sizeof(*fx));
    char endpoint[64];
    fx->server = listen_hung(endpoint, sizeof(endpoint));
    assert_true(fx->server >= 0);
    snprintf(fx->dir, sizeof(fx->dir), "/tmp/albatross-job-XXXXXX");
    assert_non_null(mkdtemp(fx->dir));
    snprintf(fx->file, sizeof(fx->file), "%s/handoff.yaml", fx->dir);
    FILE *f = fopen(fx->file, "w");
    assert_non_null(f);
    fputs(config_text, f);
    fclose(f);
    setenv("HOME", fx->dir, 1);
    setenv("AWS_ENDPOINT_URL", endpoint, 1);
    setenv("AWS_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE", 1);
    setenv("AWS_SECRET_ACCESS_KEY", "secret", 1);
    setenv("AWS_REGION", "us-east-2", 1);
    setenv("AWS_EC2_METADATA_DISABLED", "true", 1);
    setenv("KUBECONFIG", "/dev/null", 1);
    progress_init(&fx->progress, "", NULL, NULL);
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *fx = *state;
    progress_cleanup(&fx->progress);
    close(fx->server);
    unlink(fx->file);
    rmdir(fx->dir);
    free(fx);
    return 0;
}

/* Waits until the job's pipe is readable, as the UI loop does. */
static void wait_woken(struct apply_job *j)
{
    struct pollfd p = { .fd = apply_job_fd(j), .events = POLLIN };
    assert_int_equal(poll(&p, 1, WAIT_MS), 1);
}

/* Whether any event line contains text, read under the lock. */
static int has_event(struct progress *p, const char *text)
{
    progress_lock(p);
    int found = 0;
    for (size_t i = 0; i < p->event_count && !found; i++)
        found = strstr(p->events[i], text) != NULL;
    progress_unlock(p);
    return found;
}

/* Wakes until the worker's first log line is there. */
static void wait_event(struct apply_job *j, struct progress *p,
                       const char *text)
{
    int rc;
    while (!has_event(p, text)) {
        wait_woken(j);
        assert_int_equal(apply_job_poll(j, &rc), 0);
    }
}

static void progress_reaches_reader_then_cancel_stops(void **state)
{
    struct fixture *fx = *state;
    static const struct model_options options;
    struct apply_job_spec spec = {
        .file = fx->file, .model = &options, .progress = &fx->progress,
    };
    char err[512] = "";
    struct apply_job *j = apply_job_start(&spec, err, sizeof(err));
    assert_non_null(j);
    assert_string_equal(err, "");
    assert_string_equal(apply_job_cluster(j), "handoff");
    assert_string_equal(apply_job_region(j), "us-east-2");
    assert_string_equal(fx->progress.title, "apply cluster handoff in "
                        "us-east-2");

    wait_event(j, &fx->progress, "applying: ");
    progress_lock(&fx->progress);
    assert_true(fx->progress.count >= 2);
    assert_string_equal(fx->progress.steps[0].name,
                        "eksctl-handoff-cluster");
    progress_unlock(&fx->progress);
    /* The first call hangs on the silent server: the run goes on. */
    int rc = -1;
    assert_int_equal(apply_job_poll(j, &rc), 0);

    apply_job_cancel(j);
    while (!apply_job_poll(j, &rc))
        wait_woken(j);
    assert_int_equal(rc, 1);
    assert_true(has_event(&fx->progress, "interrupted; run albatross apply "
                          "-f"));
    assert_true(has_event(&fx->progress, "eksctl-handoff-cluster: "
                          "interrupted"));
    assert_int_equal(apply_job_free(j), 1);
    /* The worker is gone: its hook no longer runs on changes. */
    assert_null(fx->progress.notify);
}

static void free_stops_a_running_job(void **state)
{
    struct fixture *fx = *state;
    static const struct model_options options;
    struct apply_job_spec spec = {
        .file = fx->file, .deleting = 1, .model = &options,
        .progress = &fx->progress,
    };
    char err[512];
    struct apply_job *j = apply_job_start(&spec, err, sizeof(err));
    assert_non_null(j);
    assert_int_equal(apply_job_deleting(j), 1);
    wait_event(j, &fx->progress, "deleting: ");
    assert_int_equal(apply_job_free(j), 1);
    assert_true(has_event(&fx->progress, "interrupted; run albatross delete "
                          "-f"));
}

static void bad_file_fails_before_starting(void **state)
{
    struct fixture *fx = *state;
    static const struct model_options options;
    FILE *f = fopen(fx->file, "w");
    fputs("apiVersion: eksctl.io/v1alpha5\nkind: ClusterConfig\n"
          "metadata:\n  name: _bad\n  region: us-east-2\n", f);
    fclose(f);
    struct apply_job_spec spec = {
        .file = fx->file, .model = &options, .progress = &fx->progress,
    };
    char err[512] = "";
    assert_null(apply_job_start(&spec, err, sizeof(err)));
    assert_non_null(strstr(err, fx->file));
    assert_non_null(strstr(err, "metadata.name"));
    assert_int_equal(fx->progress.count, 0);
    assert_null(fx->progress.notify);
}

int main(void)
{
    http_global_init();
    awsxml_global_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(
            progress_reaches_reader_then_cancel_stops, setup, teardown),
        cmocka_unit_test_setup_teardown(free_stops_a_running_job, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(bad_file_fails_before_starting,
                                        setup, teardown),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    http_global_cleanup();
    return rc;
}
