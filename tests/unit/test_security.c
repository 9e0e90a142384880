/*
 * Secrets kept out of the log, the log's escaping and file modes, files
 * written whole, the read-only check of the Kubernetes client, the
 * credential_process timeout, and the CLI's output of hostile text.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../../api/aws.h"
#include "../../api/awsconfig.h"
#include "../../api/creds.h"
#include "../../api/kube.h"
#include "../../api/log.h"
#include "../../api/proc.h"
#include "../../api/redact.h"
#include "../../src/files.h"
#include "../../src/output.h"

#define SECRET "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
#define SIGNATURE \
    "fe5f80f77d5fa3beca038a248ff027d0445342fe2855ddc963176630326f1024"

static char dir[64];

static int make_dir(void **state)
{
    (void)state;
    snprintf(dir, sizeof(dir), "/tmp/albatross-security-XXXXXX");
    return mkdtemp(dir) ? 0 : -1;
}

static int remove_dir(void **state)
{
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

static char *read_text(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    static char text[16384];
    size_t n = fread(text, 1, sizeof(text) - 1, f);
    text[n] = '\0';
    fclose(f);
    return text;
}

/* ---- redaction ------------------------------------------------------- */

static void bearer_token_redacted(void **state)
{
    (void)state;
    char out[256];
    redact_header_line("Authorization: Bearer k8s-aws-v1.aHR0cHM6Ly9zdHM",
                       out, sizeof(out));
    assert_string_equal(out, "Authorization: Bearer " REDACTED);
    redact_header_line("authorization:Basic dXNlcjpwYXNz", out, sizeof(out));
    assert_string_equal(out, "authorization: Basic " REDACTED);
}

static void sigv4_signature_redacted(void **state)
{
    (void)state;
    char out[512];
    redact_header_line("Authorization: AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE"
                       "/20240501/us-east-1/iam/aws4_request, SignedHeaders="
                       "host;x-amz-date, Signature=" SIGNATURE,
                       out, sizeof(out));
    assert_string_equal(out, "Authorization: AWS4-HMAC-SHA256 Credential="
                        "AKIDEXAMPLE/20240501/us-east-1/iam/aws4_request, "
                        "SignedHeaders=host;x-amz-date, Signature=" REDACTED);
}

static void session_token_header_redacted(void **state)
{
    (void)state;
    char out[256];
    redact_header_line("X-Amz-Security-Token: IQoJb3JpZ2luX2VjEJr", out,
                       sizeof(out));
    assert_string_equal(out, "X-Amz-Security-Token: " REDACTED);
    redact_header_line("X-Amz-Date: 20240501T000000Z", out, sizeof(out));
    assert_string_equal(out, "X-Amz-Date: 20240501T000000Z");
    redact_header_line("Cookie: session=abc", out, sizeof(out));
    assert_string_equal(out, "Cookie: " REDACTED);
}

static void redaction_truncates_safely(void **state)
{
    (void)state;
    char out[12];
    redact_header_line("Authorization: Bearer " SECRET, out, sizeof(out));
    assert_null(strstr(out, "wJal"));
    assert_int_equal(strlen(out), sizeof(out) - 1);
}

/* ---- log file -------------------------------------------------------- */

static void log_created_private(void **state)
{
    (void)state;
    char path[128];
    struct stat st;
    snprintf(path, sizeof(path), "%s/new.log", dir);
    mode_t old = umask(0);
    int rc = log_open(path, LOG_INFO);
    umask(old);
    assert_int_equal(rc, 0);
    log_close();
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
}

static void log_narrowed_when_wider(void **state)
{
    (void)state;
    char path[128];
    struct stat st;
    snprintf(path, sizeof(path), "%s/old.log", dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fclose(f);
    assert_int_equal(chmod(path, 0644), 0);
    assert_int_equal(log_open(path, LOG_INFO), 0);
    log_close();
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
}

static void log_escapes_terminal_controls(void **state)
{
    (void)state;
    char path[128];
    snprintf(path, sizeof(path), "%s/escape.log", dir);
    assert_int_equal(log_open(path, LOG_INFO), 0);
    log_msg(LOG_WARN, "server said: %s", "\x1b]0;pwned\x07\x1b[2J\r\n"
            "fake line \xc2\x9b" "1m \xff \xe6\x9d\xb1");
    log_msg(LOG_DEBUG, "not written below the threshold");
    assert_false(log_enabled(LOG_DEBUG));
    assert_true(log_enabled(LOG_WARN));
    log_close();
    const char *text = read_text(path);
    assert_non_null(text);
    assert_null(strchr(text, '\x1b'));
    assert_null(strchr(text, '\x07'));
    assert_null(strchr(text, '\r'));
    assert_null(strstr(text, "\xc2\x9b"));
    assert_null(strstr(text, "threshold"));
    assert_non_null(strstr(text, "\\x1b]0;pwned\\x07\\x1b[2J\\x0d\\x0afake "
                               "line \\xc2\\x9b1m \\xff \xe6\x9d\xb1\n"));
    /* One message, one line. */
    assert_int_equal(strchr(text, '\n') - text + 1, (long)strlen(text));
}

static void log_line_bounded(void **state)
{
    (void)state;
    char path[128];
    size_t big = 1u << 20;
    char *huge = malloc(big + 1);
    assert_non_null(huge);
    memset(huge, 'a', big);
    huge[big] = '\0';
    snprintf(path, sizeof(path), "%s/big.log", dir);
    assert_int_equal(log_open(path, LOG_INFO), 0);
    log_msg(LOG_WARN, "%s", huge);
    log_close();
    free(huge);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_true(st.st_size < 8192);
    assert_non_null(strstr(read_text(path), "bytes cut)\n"));
}

/* ---- files ----------------------------------------------------------- */

static void dirs_created_private(void **state)
{
    (void)state;
    char path[128];
    struct stat st;
    snprintf(path, sizeof(path), "%s/state/deep/albatross", dir);
    assert_int_equal(files_make_dir(path), 0);
    assert_int_equal(stat(path, &st), 0);
    assert_true(S_ISDIR(st.st_mode));
    assert_int_equal(st.st_mode & 0777, 0700);
    snprintf(path, sizeof(path), "%s/state", dir);
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0700);
}

static void own_dir_narrowed(void **state)
{
    (void)state;
    char path[128];
    struct stat st;
    snprintf(path, sizeof(path), "%s/shared", dir);
    assert_int_equal(mkdir(path, 0755), 0);
    assert_int_equal(chmod(path, 0755), 0);
    assert_int_equal(files_make_dir(path), 0);
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0700);
}

static void dir_over_file_fails(void **state)
{
    (void)state;
    char path[128];
    snprintf(path, sizeof(path), "%s/plain", dir);
    assert_int_equal(files_write(path, "x", 1), 0);
    assert_int_equal(files_make_dir(path), -1);
    assert_int_equal(errno, ENOTDIR);
}

static void file_written_whole(void **state)
{
    (void)state;
    char path[128];
    struct stat st;
    snprintf(path, sizeof(path), "%s/config.yaml", dir);
    assert_int_equal(files_write(path, "old: 1\n", 7), 0);
    assert_int_equal(chmod(path, 0644), 0);
    assert_int_equal(files_write(path, "new: 2\n", 7), 0);
    assert_string_equal(read_text(path), "new: 2\n");
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    /* No temporary file is left beside it. */
    char cmd[256];
    snprintf(cmd, sizeof(cmd), "ls '%s' | grep -q 'config.yaml.'", dir);
    assert_int_not_equal(system(cmd), 0);
}

static void failed_write_keeps_old(void **state)
{
    (void)state;
    char path[128];
    snprintf(path, sizeof(path), "%s/missing-dir/file", dir);
    assert_int_equal(files_write(path, "x", 1), -1);
    assert_int_equal(errno, ENOENT);
}

/* ---- read-only ------------------------------------------------------- */

static void readonly_client_sends_only_reads(void **state)
{
    (void)state;
    struct kube_client kc;
    struct api_error err;
    memset(&kc, 0, sizeof(kc));
    kc.readonly = 1;
    assert_int_equal(kube_check_method(&kc, "GET", "/api/v1/pods", &err), 0);
    assert_int_equal(kube_check_method(&kc, "HEAD", "/api", &err), 0);
    static const char *const mutating[] = {"POST", "PUT", "PATCH",
                                           "DELETE"};
    for (size_t i = 0; i < 4; i++) {
        memset(&err, 0, sizeof(err));
        assert_int_equal(kube_check_method(&kc, mutating[i],
                                           "/api/v1/namespaces/a/pods",
                                           &err), -1);
        assert_string_equal(err.code, "ReadOnly");
        assert_non_null(strstr(err.message, mutating[i]));
        assert_non_null(strstr(err.message, "--readonly"));
    }
    kc.readonly = 0;
    assert_int_equal(kube_check_method(&kc, "DELETE", "/api", &err), 0);
}

static void readonly_inherited_from_session(void **state)
{
    (void)state;
    struct aws_session aws;
    struct kube_client kc;
    struct kube_endpoint ep;
    memset(&aws, 0, sizeof(aws));
    memset(&ep, 0, sizeof(ep));
    aws.readonly = 1;
    kube_client_init(&kc, NULL, &aws, &ep);
    assert_int_equal(kc.readonly, 1);
    kube_client_cleanup(&kc);
    aws.readonly = 0;
    kube_client_init(&kc, NULL, &aws, &ep);
    assert_int_equal(kc.readonly, 0);
    kube_client_cleanup(&kc);
}

/* ---- credential_process ---------------------------------------------- */

static long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000L + ts.tv_nsec / 1000000;
}

static void credential_process_times_out(void **state)
{
    (void)state;
    char script[128], config[128], text[512], err[512];
    snprintf(script, sizeof(script), "%s/slow.sh", dir);
    snprintf(config, sizeof(config), "%s/config", dir);
    /* A child that keeps stdout open outlives a plain kill of the
     * script; the whole process group must go. */
    snprintf(text, sizeof(text), "#!/bin/sh\nsleep 30 &\nsleep 30\n");
    assert_int_equal(files_write(script, text, strlen(text)), 0);
    assert_int_equal(chmod(script, 0700), 0);
    snprintf(text, sizeof(text), "[profile slow]\ncredential_process = %s "
             "'an argument'\n", script);
    assert_int_equal(files_write(config, text, strlen(text)), 0);

    setenv("AWS_CONFIG_FILE", config, 1);
    setenv(CREDS_PROCESS_TIMEOUT_ENV, "300", 1);
    setenv("AWS_EC2_METADATA_DISABLED", "true", 1);
    struct aws_session s;
    struct aws_session_options opt = {.profile = "slow"};
    assert_int_equal(aws_session_init(&s, NULL, &opt, err, sizeof(err)), 0);
    long start = now_ms();
    int rc = aws_session_refresh_credentials(&s);
    long took = now_ms() - start;
    snprintf(err, sizeof(err), "%s", s.creds_error);
    aws_session_cleanup(&s);
    unsetenv(CREDS_PROCESS_TIMEOUT_ENV);
    unsetenv("AWS_CONFIG_FILE");
    assert_int_equal(rc, -1);
    assert_non_null(strstr(err, "timed out"));
    assert_non_null(strstr(err, "300 ms"));
    assert_true(took >= 300);
    assert_true(took < 5000);

    /* The script was reaped: no child is left, not even a zombie. */
    assert_int_equal(proc_running(), 0);
    errno = 0;
    assert_int_equal(waitpid(-1, NULL, WNOHANG), -1);
    assert_int_equal(errno, ECHILD);
}

/* ---- CLI output ------------------------------------------------------ */

static char *capture(void (*print)(const struct output_table *, FILE *),
                     const char *cell)
{
    static const struct output_column columns[] = {{"name", "NAME", 0}};
    struct output_table t;
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    output_init(&t, columns, 1);
    output_add_row(&t, &cell);
    print(&t, out);
    output_cleanup(&t);
    fclose(out);
    return text;
}

static const char hostile[] =
    "a\x1b[2J\xc2\x9b" "1m\xe2\x80\xae" "b\xff\xe6\x9d\xb1";

static void table_replaces_controls(void **state)
{
    (void)state;
    char *text = capture(output_print_table, hostile);
    assert_string_equal(text, "NAME\na?[2J?1m?b?\xe6\x9d\xb1\n");
    free(text);
}

static void json_escapes_controls(void **state)
{
    (void)state;
    char *text = capture(output_print_json, hostile);
    assert_non_null(strstr(text, "\"a\\u001b[2J\\u009b1m\\u202eb\\ufffd"
                                 "\xe6\x9d\xb1\""));
    free(text);
}

static void yaml_quotes_non_ascii(void **state)
{
    (void)state;
    char *text = capture(output_print_yaml, hostile);
    assert_non_null(strstr(text, "- name: \"a\\u001b[2J\\u009b1m"));
    free(text);
    text = capture(output_print_yaml, "plain-name");
    assert_string_equal(text, "items:\n- name: plain-name\n");
    free(text);
}

static void error_message_sanitised(void **state)
{
    (void)state;
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    output_error(out, "%s: %s", "list", "Forbidden\x1b]0;x\x07\nfake");
    fclose(out);
    assert_string_equal(text, "albatross: list: Forbidden?]0;x??fake\n");
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(bearer_token_redacted),
        cmocka_unit_test(sigv4_signature_redacted),
        cmocka_unit_test(session_token_header_redacted),
        cmocka_unit_test(redaction_truncates_safely),
        cmocka_unit_test(log_created_private),
        cmocka_unit_test(log_narrowed_when_wider),
        cmocka_unit_test(log_escapes_terminal_controls),
        cmocka_unit_test(log_line_bounded),
        cmocka_unit_test(dirs_created_private),
        cmocka_unit_test(own_dir_narrowed),
        cmocka_unit_test(dir_over_file_fails),
        cmocka_unit_test(file_written_whole),
        cmocka_unit_test(failed_write_keeps_old),
        cmocka_unit_test(readonly_client_sends_only_reads),
        cmocka_unit_test(readonly_inherited_from_session),
        cmocka_unit_test(credential_process_times_out),
        cmocka_unit_test(table_replaces_controls),
        cmocka_unit_test(json_escapes_controls),
        cmocka_unit_test(yaml_quotes_non_ascii),
        cmocka_unit_test(error_message_sanitised),
    };
    if (!setlocale(LC_ALL, "C.UTF-8")) {
        fprintf(stderr, "test_security: the C.UTF-8 locale is missing\n");
        return 1;
    }
    return cmocka_run_group_tests(tests, make_dir, remove_dir);
}
