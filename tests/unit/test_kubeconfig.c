/*
 * kubeconfig loading and merging, the aws eks get-token recognition,
 * exec credential plugins (real child processes from small scripts) and
 * the parsing of Kubernetes list pages and Status replies.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../../api/base64.h"
#include "../../api/exec.h"
#include "../../api/http.h"
#include "../../api/kube.h"
#include "../../api/kubeconfig.h"
#include "../../api/proc.h"

#define V1BETA1 "client.authentication.k8s.io/v1beta1"
/* "-----BEGIN CERTIFICATE-----\nMIIB\n" in base64 */
#define PEM_TEXT "-----BEGIN CERTIFICATE-----\nMIIB\n"
#define PEM_B64 "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCk1JSUIK"

static char tmpdir[256];

static char *path_in(const char *name)
{
    static char paths[8][512];
    static int next;
    char *p = paths[next++ % 8];
    snprintf(p, sizeof(paths[0]), "%s/%s", tmpdir, name);
    return p;
}

static const char *write_file(const char *name, const char *text)
{
    const char *path = path_in(name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    return path;
}

static const char *write_script(const char *name, const char *text)
{
    const char *path = write_file(name, text);
    assert_int_equal(chmod(path, 0700), 0);
    return path;
}

static int setup(void **state)
{
    (void)state;
    snprintf(tmpdir, sizeof(tmpdir), "/tmp/albatross-kcfg-XXXXXX");
    assert_non_null(mkdtemp(tmpdir));
    return 0;
}

static int teardown(void **state)
{
    char cmd[512];
    (void)state;
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
    return system(cmd) == 0 ? 0 : -1;
}

static const struct kubeconfig_cluster *cluster(const struct kubeconfig *kc,
                                                const char *name)
{
    for (size_t i = 0; i < kc->cluster_count; i++)
        if (!strcmp(kc->clusters[i].name, name))
            return &kc->clusters[i];
    return NULL;
}

static const struct kubeconfig_user *user(const struct kubeconfig *kc,
                                          const char *name)
{
    for (size_t i = 0; i < kc->user_count; i++)
        if (!strcmp(kc->users[i].name, name))
            return &kc->users[i];
    return NULL;
}

/* Loads text as one file and returns the endpoint of its context "c". */
static int endpoint_of(const char *text, struct kube_endpoint *ep, char *err,
                       size_t errlen)
{
    struct kubeconfig kc;
    const char *path = write_file("one.yaml", text);
    if (kubeconfig_load(&kc, path, err, errlen) < 0)
        return -1;
    int rc = kubeconfig_endpoint(&kc, "c", ep, err, errlen);
    kubeconfig_free(&kc);
    return rc;
}

/* Loads text and expects the load to fail with "FILE:LINE: ..." and
 * contains in the message. */
static void expect_load_error(const char *text, int line,
                              const char *contains)
{
    struct kubeconfig kc;
    char err[512], where[600];
    const char *path = write_file("bad.yaml", text);
    assert_int_equal(kubeconfig_load(&kc, path, err, sizeof(err)), -1);
    snprintf(where, sizeof(where), "%s:%d:", path, line);
    if (strncmp(err, where, strlen(where)))
        fail_msg("expected \"%s\" at the start of \"%s\"", where, err);
    if (!strstr(err, contains))
        fail_msg("expected \"%s\" in \"%s\"", contains, err);
}

/* Expects kubeconfig_endpoint for context "c" to fail likewise. */
static void expect_endpoint_error(const char *text, int line,
                                  const char *contains)
{
    struct kube_endpoint ep;
    char err[512], where[600];
    assert_int_equal(endpoint_of(text, &ep, err, sizeof(err)), -1);
    snprintf(where, sizeof(where), "%s:%d:", path_in("one.yaml"), line);
    if (strncmp(err, where, strlen(where)))
        fail_msg("expected \"%s\" at the start of \"%s\"", where, err);
    if (!strstr(err, contains))
        fail_msg("expected \"%s\" in \"%s\"", contains, err);
}

/* ---- loading and merging ------------------------------------------------ */

static void test_merge_first_file_wins(void **state)
{
    (void)state;
    const char *a = write_file("a.yaml",
        "clusters:\n"
        "- name: shared\n"
        "  cluster: {server: https://a.example}\n"
        "users:\n"
        "- name: u\n"
        "  user: {token: from-a}\n"
        "contexts:\n"
        "- name: ctx-a\n"
        "  context: {cluster: shared, user: u}\n"
        "current-context: ctx-a\n");
    const char *b = write_file("b.yaml",
        "clusters:\n"
        "- name: shared\n"
        "  cluster: {server: https://b.example}\n"
        "- name: only-b\n"
        "  cluster: {server: https://only-b.example}\n"
        "users:\n"
        "- name: u\n"
        "  user: {token: from-b}\n"
        "contexts:\n"
        "- name: ctx-b\n"
        "  context: {cluster: only-b, user: u, namespace: team}\n"
        "current-context: ctx-b\n");
    const char *missing = path_in("missing.yaml");
    char list[2048], err[512], want_paths[1100];
    struct kubeconfig kc;

    snprintf(list, sizeof(list), "%s:%s::%s", missing, a, b);
    assert_int_equal(kubeconfig_load(&kc, list, err, sizeof(err)), 0);
    assert_int_equal(kc.cluster_count, 2);
    assert_string_equal(cluster(&kc, "shared")->server, "https://a.example");
    assert_string_equal(cluster(&kc, "only-b")->server,
                        "https://only-b.example");
    assert_string_equal(user(&kc, "u")->token, "from-a");
    assert_int_equal(kc.context_count, 2);
    assert_string_equal(kc.current_context, "ctx-a");
    snprintf(want_paths, sizeof(want_paths), "%s:%s", a, b);
    assert_string_equal(kc.paths, want_paths);

    struct kube_endpoint ep;
    assert_int_equal(kubeconfig_endpoint(&kc, "ctx-b", &ep, err,
                                         sizeof(err)), 0);
    assert_string_equal(ep.server, "https://only-b.example");
    assert_string_equal(ep.token, "from-a");
    assert_string_equal(ep.namespace, "team");
    assert_string_equal(ep.name, "ctx-b");
    kube_endpoint_cleanup(&ep);
    kubeconfig_free(&kc);

    /* The other order: b's entries and current-context win. */
    snprintf(list, sizeof(list), "%s:%s", b, a);
    assert_int_equal(kubeconfig_load(&kc, list, err, sizeof(err)), 0);
    assert_string_equal(cluster(&kc, "shared")->server, "https://b.example");
    assert_string_equal(kc.current_context, "ctx-b");
    kubeconfig_free(&kc);
}

static void test_kubeconfig_env_and_home(void **state)
{
    (void)state;
    char dir[600], err[512];
    struct kubeconfig kc;
    const char *home = getenv("HOME"), *env = getenv("KUBECONFIG");
    char *saved_home = home ? strdup(home) : NULL;
    char *saved_env = env ? strdup(env) : NULL;

    snprintf(dir, sizeof(dir), "%s/.kube", tmpdir);
    mkdir(dir, 0700);
    write_file(".kube/config", "current-context: from-home\n");
    const char *other = write_file("env.yaml", "current-context: from-env\n");

    setenv("HOME", tmpdir, 1);
    setenv("KUBECONFIG", "", 1);
    assert_int_equal(kubeconfig_load(&kc, NULL, err, sizeof(err)), 0);
    assert_string_equal(kc.current_context, "from-home");
    kubeconfig_free(&kc);

    setenv("KUBECONFIG", other, 1);
    assert_int_equal(kubeconfig_load(&kc, NULL, err, sizeof(err)), 0);
    assert_string_equal(kc.current_context, "from-env");
    kubeconfig_free(&kc);

    unsetenv("KUBECONFIG");
    assert_int_equal(kubeconfig_load(&kc, NULL, err, sizeof(err)), 0);
    assert_string_equal(kc.current_context, "from-home");
    kubeconfig_free(&kc);

    if (saved_home)
        setenv("HOME", saved_home, 1);
    if (saved_env)
        setenv("KUBECONFIG", saved_env, 1);
    free(saved_home);
    free(saved_env);
}

static void test_relative_paths(void **state)
{
    (void)state;
    char dir[600], err[512];
    struct kubeconfig kc;
    struct kube_endpoint ep;

    snprintf(dir, sizeof(dir), "%s/conf", tmpdir);
    mkdir(dir, 0700);
    write_file("conf/ca.pem", "CA PEM\n");
    write_file("conf/client.crt", "CERT PEM\n");
    write_file("key.pem", "KEY PEM\n");
    write_file("token.txt", "file-token\n");
    const char *path = write_file("conf/config",
        "clusters:\n"
        "- name: k\n"
        "  cluster:\n"
        "    server: https://127.0.0.1:6443/prefix/\n"
        "    certificate-authority: ca.pem\n"
        "users:\n"
        "- name: u\n"
        "  user:\n"
        "    client-certificate: ./client.crt\n"
        "    client-key: ../key.pem\n"
        "    tokenFile: ../token.txt\n"
        "contexts:\n"
        "- name: c\n"
        "  context: {cluster: k, user: u}\n");
    assert_int_equal(kubeconfig_load(&kc, path, err, sizeof(err)), 0);
    assert_int_equal(kubeconfig_endpoint(&kc, "c", &ep, err, sizeof(err)),
                     0);
    assert_string_equal(ep.ca_pem, "CA PEM\n");
    assert_string_equal(ep.cert_pem, "CERT PEM\n");
    assert_string_equal(ep.key_pem, "KEY PEM\n");
    assert_string_equal(ep.token, "file-token");
    assert_null(ep.namespace);
    kube_endpoint_cleanup(&ep);
    kubeconfig_free(&kc);
}

static void test_base64_data(void **state)
{
    (void)state;
    struct kube_endpoint ep;
    char err[512];
    int rc = endpoint_of(
        "clusters:\n"
        "- name: k\n"
        "  cluster:\n"
        "    server: https://k.example\n"
        "    certificate-authority-data: " PEM_B64 "\n"
        "    certificate-authority: /nonexistent/ignored.pem\n"
        "users:\n"
        "- name: u\n"
        "  user:\n"
        "    client-certificate-data: " PEM_B64 "\n"
        "    client-key-data: S0VZ\n"
        "    token: static\n"
        "contexts:\n"
        "- name: c\n"
        "  context: {cluster: k, user: u}\n", &ep, err, sizeof(err));
    if (rc < 0)
        fail_msg("%s", err);
    assert_string_equal(ep.ca_pem, PEM_TEXT);
    assert_string_equal(ep.cert_pem, PEM_TEXT);
    assert_string_equal(ep.key_pem, "KEY");
    assert_string_equal(ep.token, "static");
    assert_int_equal(ep.insecure_skip_verify, 0);
    kube_endpoint_cleanup(&ep);
}

static void test_base64_decoder(void **state)
{
    (void)state;
    static const struct { const char *in, *out; } ok[] = {
        { "", "" }, { "Zg==", "f" }, { "Zm8=", "fo" }, { "Zm9v", "foo" },
        { "Zg", "f" }, { "Zm9v\nYmFy\r\n", "foobar" },
    };
    static const char *const bad[] = { "Z", "Zg=x", "Zm9v!", "Z===",
                                       "Zm 9v" };
    for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
        struct buf b;
        buf_init(&b, 0);
        assert_int_equal(base64_decode(ok[i].in, strlen(ok[i].in), &b), 0);
        assert_string_equal(b.data, ok[i].out);
        buf_cleanup(&b);
    }
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct buf b;
        buf_init(&b, 0);
        if (base64_decode(bad[i], strlen(bad[i]), &b) == 0)
            fail_msg("\"%s\" decoded", bad[i]);
        buf_cleanup(&b);
    }
}

static void test_base64url_decoder(void **state)
{
    (void)state;
    /* "?>?" encodes to "Pz4/" in standard base64 and "Pz4_" in base64url. */
    struct buf b;
    buf_init(&b, 0);
    assert_int_equal(base64url_decode("Pz4_", 4, &b), 0);
    assert_string_equal(b.data, "?>?");
    buf_cleanup(&b);
    buf_init(&b, 0);
    assert_int_equal(base64url_decode("-_8", 3, &b), 0);
    assert_int_equal(b.len, 2);
    buf_cleanup(&b);
    buf_init(&b, 0);
    assert_int_equal(base64url_decode("Pz4/", 4, &b), -1);
    buf_cleanup(&b);
    buf_init(&b, 0);
    assert_int_equal(base64_decode("Pz4_", 4, &b), -1);
    buf_cleanup(&b);
}

static void test_insecure_and_null(void **state)
{
    (void)state;
    struct kube_endpoint ep;
    char err[512];
    int rc = endpoint_of(
        "clusters:\n"
        "- name: k\n"
        "  cluster:\n"
        "    server: https://k.example\n"
        "    insecure-skip-tls-verify: true\n"
        "    certificate-authority-data: null\n"
        "users:\n"
        "- name: u\n"
        "  user: ~\n"
        "contexts:\n"
        "- name: c\n"
        "  context: {cluster: k, user: u}\n"
        "current-context: \"\"\n", &ep, err, sizeof(err));
    if (rc < 0)
        fail_msg("%s", err);
    assert_int_equal(ep.insecure_skip_verify, 1);
    assert_null(ep.ca_pem);
    assert_null(ep.token);
    assert_null(ep.exec_argv);
    kube_endpoint_cleanup(&ep);
}

/* ---- malformed files ---------------------------------------------------- */

static void test_malformed_files(void **state)
{
    (void)state;
    expect_load_error("clusters: [\n", 2, "invalid YAML");
    expect_load_error("- a\n- b\n", 1, "must be a mapping");
    expect_load_error("clusters:\n  name: k\n", 2, "clusters must be a list");
    expect_load_error("clusters:\n- name: k\n  cluster:\n"
                      "    server: [a, b]\n", 4,
                      "clusters[0].cluster.server must be a string");
    expect_load_error("clusters:\n- name: k\n  cluster: https://x\n", 3,
                      "clusters[0].cluster must be a mapping");
    expect_load_error("clusters:\n- name: k\n  cluster:\n"
                      "    server: https://k\n"
                      "    certificate-authority-data: \"not base64!\"\n",
                      5, "certificate-authority-data is not valid base64");
    expect_load_error("clusters:\n- name: k\n  cluster:\n"
                      "    insecure-skip-tls-verify: maybe\n", 4,
                      "must be true or false");
    expect_load_error("users:\n- name: u\n  user:\n    exec:\n"
                      "      command: aws\n      args: aws eks\n", 6,
                      "users[0].user.exec.args must be a list");
    expect_load_error("users:\n- name: u\n  user:\n    exec:\n"
                      "      command: aws\n      env:\n      - AWS_PROFILE\n",
                      7, "users[0].user.exec.env[0] must be a mapping");
    expect_load_error("contexts:\n- name: c\n  context: {}\n"
                      "- name: c\n  context: {}\n", 4,
                      "name \"c\" is already used");
    expect_load_error("users:\n- user: {token: t}\n", 2, "has no name");
    expect_load_error("current-context: {a: b}\n", 1,
                      "current-context must be a string");
}

static void test_duplicate_keys(void **state)
{
    (void)state;
    expect_load_error("current-context: a\ncurrent-context: b\n", 2,
                      "duplicate key \"current-context\" (first given on "
                      "line 1)");
    expect_load_error("clusters:\n- name: k\n  cluster:\n"
                      "    server: https://a\n    server: http://b\n", 5,
                      "duplicate key \"server\"");
}

/* A FIFO in KUBECONFIG or as a tokenFile is refused at once (the alarm
 * turns a blocking open into a failure), /dev/null loads as empty. */
static void test_special_files(void **state)
{
    (void)state;
    struct kubeconfig kc;
    char err[512];
    const char *fifo = path_in("fifo");
    assert_int_equal(mkfifo(fifo, 0600), 0);
    alarm(10);
    assert_int_equal(kubeconfig_load(&kc, fifo, err, sizeof(err)), -1);
    assert_non_null(strstr(err, fifo));
    assert_non_null(strstr(err, "a FIFO, not a regular file"));

    struct kube_endpoint ep;
    char text[1024];
    snprintf(text, sizeof(text), "contexts:\n- name: c\n"
             "  context: {cluster: k, user: u}\n"
             "clusters:\n- name: k\n  cluster: {server: https://k}\n"
             "users:\n- name: u\n  user:\n    tokenFile: %s\n", fifo);
    assert_int_equal(endpoint_of(text, &ep, err, sizeof(err)), -1);
    alarm(0);
    assert_non_null(strstr(err, "tokenFile"));
    assert_non_null(strstr(err, "a FIFO, not a regular file"));

    assert_int_equal(kubeconfig_load(&kc, "/dev/null", err, sizeof(err)), 0);
    assert_int_equal(kc.cluster_count, 0);
    kubeconfig_free(&kc);
}

/* Credentials go only to https servers; a server that is not a URL is
 * an error, not a guess. */
static void test_plain_http_server(void **state)
{
    (void)state;
    static const char head[] =
        "contexts:\n"
        "- name: c\n"
        "  context: {cluster: k, user: u}\n";
    char text[1024];
    struct kube_endpoint ep;
    char err[512];

    snprintf(text, sizeof(text), "%s"
             "clusters:\n- name: k\n  cluster:\n    server: 42\n"
             "users:\n- name: u\n  user: {token: secret}\n", head);
    expect_endpoint_error(text, 7, "server \"42\", which is not a URL");

    static const char *const users[] = {
        "  user: {token: secret}\n",
        "  user:\n    exec: {apiVersion: " V1BETA1 ", command: aws,"
        " args: [eks, get-token, --cluster-name, k]}\n",
        "  user:\n    exec: {apiVersion: " V1BETA1 ", command: plugin}\n",
        "  user:\n    client-certificate-data: " PEM_B64 "\n"
        "    client-key-data: " PEM_B64 "\n",
    };
    for (size_t i = 0; i < sizeof(users) / sizeof(users[0]); i++) {
        snprintf(text, sizeof(text), "%s"
                 "clusters:\n- name: k\n  cluster:\n"
                 "    server: http://127.0.0.1:1\n"
                 "users:\n- name: u\n%s", head, users[i]);
        expect_endpoint_error(text, 5, "server URL http://127.0.0.1:1 of "
                              "cluster \"k\" is not https; albatross sends "
                              "credentials only over https");
    }

    /* Without credentials there is nothing to leak. */
    snprintf(text, sizeof(text), "contexts:\n- name: c\n"
             "  context: {cluster: k}\n"
             "clusters:\n- name: k\n  cluster:\n"
             "    server: http://127.0.0.1:1\n");
    assert_int_equal(endpoint_of(text, &ep, err, sizeof(err)), 0);
    kube_endpoint_cleanup(&ep);
}

static void test_entry_errors_on_use(void **state)
{
    (void)state;
    static const char head[] =
        "contexts:\n"
        "- name: c\n"
        "  context: {cluster: k, user: u}\n";
    char text[1024];

    snprintf(text, sizeof(text), "%s"
             "clusters:\n- name: k\n  cluster: {}\n", head);
    expect_endpoint_error(text, 6, "cluster \"k\" has no server");

    snprintf(text, sizeof(text), "%s"
             "clusters:\n- name: k\n  cluster:\n    server: https://k\n"
             "    certificate-authority: no-such-ca.pem\n", head);
    expect_endpoint_error(text, 8, "no-such-ca.pem");

    snprintf(text, sizeof(text), "%s"
             "clusters:\n- name: k\n  cluster: {server: https://k}\n"
             "users:\n- name: u\n  user:\n    exec:\n"
             "      apiVersion: client.authentication.k8s.io/v1alpha1\n"
             "      command: aws\n", head);
    expect_endpoint_error(text, 11, "v1alpha1 is no longer supported");

    snprintf(text, sizeof(text), "%s"
             "clusters:\n- name: k\n  cluster: {server: https://k}\n"
             "users:\n- name: u\n  user:\n    exec:\n"
             "      apiVersion: example.com/v9\n"
             "      command: aws\n", head);
    expect_endpoint_error(text, 11, "\"example.com/v9\" is unknown");

    snprintf(text, sizeof(text), "%s"
             "clusters:\n- name: k\n  cluster: {server: https://k}\n"
             "users:\n- name: u\n  user:\n    exec:\n"
             "      apiVersion: " V1BETA1 "\n", head);
    expect_endpoint_error(text, 11, "exec.command is missing");

    /* A context that names an undefined cluster points at the context. */
    snprintf(text, sizeof(text), "%s", head);
    expect_endpoint_error(text, 2, "names cluster \"k\", which no");
}

static void test_missing_context(void **state)
{
    (void)state;
    struct kubeconfig kc;
    struct kube_endpoint ep;
    char err[512];
    const char *path = write_file("nocur.yaml", "clusters: []\n");

    assert_int_equal(kubeconfig_load(&kc, path, err, sizeof(err)), 0);
    assert_int_equal(kubeconfig_endpoint(&kc, NULL, &ep, err, sizeof(err)),
                     -1);
    assert_non_null(strstr(err, "no current context"));
    assert_non_null(strstr(err, path));
    assert_int_equal(kubeconfig_endpoint(&kc, "gone", &ep, err, sizeof(err)),
                     -1);
    assert_non_null(strstr(err, "context \"gone\" not found"));
    kubeconfig_free(&kc);
}

/* ---- exec plugins in the kubeconfig ------------------------------------ */

static char *exec_config(const char *command, const char *args,
                         const char *env)
{
    static char text[2048];
    snprintf(text, sizeof(text),
             "clusters:\n"
             "- name: k\n"
             "  cluster: {server: https://k.example}\n"
             "users:\n"
             "- name: u\n"
             "  user:\n"
             "    exec:\n"
             "      apiVersion: " V1BETA1 "\n"
             "      command: %s\n"
             "      args: %s\n"
             "      env: %s\n"
             "contexts:\n"
             "- name: c\n"
             "  context: {cluster: k, user: u}\n", command, args, env);
    return text;
}

static void test_aws_get_token_native(void **state)
{
    (void)state;
    static const struct {
        const char *command, *args, *env;
        const char *cluster, *region, *profile;
    } cases[] = {
        /* aws eks update-kubeconfig's own form */
        { "aws", "[--region, us-east-2, eks, get-token, --cluster-name, "
          "demo, --output, json]", "[{name: AWS_PROFILE, value: dev}]",
          "demo", "us-east-2", "dev" },
        { "/usr/local/bin/aws", "[eks, get-token, --cluster-name, demo, "
          "--region, eu-west-1]", "null", "demo", "eu-west-1", NULL },
        { "aws", "[eks, get-token, --cluster-name=demo]",
          "[{name: AWS_REGION, value: ap-south-1}]", "demo", "ap-south-1",
          NULL },
        /* --profile wins over AWS_PROFILE, as in the aws CLI */
        { "aws", "[--profile, ops, eks, get-token, --cluster-name, x]",
          "[{name: AWS_PROFILE, value: dev}]", "x", NULL, "ops" },
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct kube_endpoint ep;
        char err[512];
        if (endpoint_of(exec_config(cases[i].command, cases[i].args,
                                    cases[i].env), &ep, err, sizeof(err)) < 0)
            fail_msg("case %zu: %s", i, err);
        assert_null(ep.exec_argv);
        assert_non_null(ep.eks_cluster);
        assert_string_equal(ep.eks_cluster, cases[i].cluster);
        if (cases[i].region)
            assert_string_equal(ep.eks_region, cases[i].region);
        else
            assert_null(ep.eks_region);
        if (cases[i].profile)
            assert_string_equal(ep.eks_profile, cases[i].profile);
        else
            assert_null(ep.eks_profile);
        kube_endpoint_cleanup(&ep);
    }
}

static void test_exec_kept_as_plugin(void **state)
{
    (void)state;
    static const struct { const char *command, *args, *env; } cases[] = {
        { "aws", "[eks, get-token, --cluster-id, abc, --region, us-west-2]",
          "null" },   /* Outposts */
        { "aws", "[eks, get-token, --cluster-name, x, --role-arn, "
          "arn:aws:iam::1:role/r]", "null" },
        { "aws", "[eks, get-token, --cluster-name, x]",
          "[{name: AWS_CONFIG_FILE, value: /tmp/c}]" },
        { "aws", "[eks, describe-cluster, --name, x]", "null" },
        { "aws", "[--endpoint-url, https://x, eks, get-token, "
          "--cluster-name, x]", "null" },
        { "aws-iam-authenticator", "[token, -i, x]",
          "[{name: AWS_PROFILE, value: dev}]" },
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct kube_endpoint ep;
        char err[512];
        if (endpoint_of(exec_config(cases[i].command, cases[i].args,
                                    cases[i].env), &ep, err, sizeof(err)) < 0)
            fail_msg("case %zu: %s", i, err);
        assert_null(ep.eks_cluster);
        assert_non_null(ep.exec_argv);
        assert_string_equal(ep.exec_argv[0], cases[i].command);
        assert_non_null(ep.exec_argv[1]);
        assert_string_equal(ep.exec_api_version, V1BETA1);
        kube_endpoint_cleanup(&ep);
    }
}

static void test_exec_relative_command(void **state)
{
    (void)state;
    struct kube_endpoint ep;
    char err[512], want[600];
    if (endpoint_of(exec_config("./bin/plugin", "[]", "[]"), &ep, err,
                    sizeof(err)) < 0)
        fail_msg("%s", err);
    snprintf(want, sizeof(want), "%s/./bin/plugin", tmpdir);
    assert_string_equal(ep.exec_argv[0], want);
    kube_endpoint_cleanup(&ep);
    if (endpoint_of(exec_config("/opt/plugin", "[]", "[]"), &ep, err,
                    sizeof(err)) < 0)
        fail_msg("%s", err);
    assert_string_equal(ep.exec_argv[0], "/opt/plugin");
    kube_endpoint_cleanup(&ep);
}

static void test_exec_argv_and_env(void **state)
{
    (void)state;
    struct kube_endpoint ep;
    char err[512];
    int rc = endpoint_of(exec_config("kubelogin", "[get-token, \"--a b\"]",
                                     "[{name: A, value: \"x=y\"}, "
                                     "{name: B}]"), &ep, err, sizeof(err));
    if (rc < 0)
        fail_msg("%s", err);
    assert_string_equal(ep.exec_argv[0], "kubelogin");
    assert_string_equal(ep.exec_argv[1], "get-token");
    assert_string_equal(ep.exec_argv[2], "--a b");
    assert_null(ep.exec_argv[3]);
    assert_string_equal(ep.exec_env[0], "A=x=y");
    assert_string_equal(ep.exec_env[1], "B=");
    assert_null(ep.exec_env[2]);
    kube_endpoint_cleanup(&ep);
}

/* ---- running exec plugins ----------------------------------------------- */

static void test_exec_run_credential(void **state)
{
    (void)state;
    /* The plugin checks what kubectl passes it and echoes PLUGIN_TAG. */
    const char *script = write_script("plugin.sh",
        "#!/bin/sh\n"
        "case \"$KUBERNETES_EXEC_INFO\" in\n"
        "*'\"interactive\":false'*) ;;\n"
        "*) echo \"bad exec info: $KUBERNETES_EXEC_INFO\" >&2; exit 4 ;;\n"
        "esac\n"
        "[ \"$1\" = \"first arg\" ] || { echo \"bad arg: $1\" >&2; exit 5; }\n"
        "printf '{\"kind\":\"ExecCredential\",\"apiVersion\":\"%s\",'"
        " \"" V1BETA1 "\"\n"
        "printf '\"status\":{\"token\":\"tok-%s\",'"
        " \"$PLUGIN_TAG\"\n"
        "printf '\"expirationTimestamp\":\"2030-01-02T03:04:05Z\"}}'\n");
    char *argv[] = { (char *)script, "first arg", NULL };
    char *env[] = { "PLUGIN_TAG=abc", NULL };
    struct exec_credential cred;
    char err[512];

    if (exec_run(V1BETA1, argv, env, 5000, &cred, err, sizeof(err)) < 0)
        fail_msg("%s", err);
    assert_string_equal(cred.token, "tok-abc");
    assert_int_equal(cred.expiry, 1893553445);
    assert_null(cred.cert_pem);
    exec_credential_cleanup(&cred);

    /* Asked for v1, the same plugin returns v1beta1: rejected. */
    assert_int_equal(exec_run("client.authentication.k8s.io/v1", argv, env,
                              5000, &cred, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "apiVersion is \"" V1BETA1 "\""));
}

/* Whether pid has exited (gone, or a zombie not reaped yet). */
static int process_gone(long pid)
{
    char path[64], stat[512];
    snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
    FILE *f = fopen(path, "r");
    if (!f)
        return 1;
    size_t n = fread(stat, 1, sizeof(stat) - 1, f);
    fclose(f);
    stat[n] = '\0';
    const char *paren = strrchr(stat, ')');
    return paren && paren[1] == ' ' && paren[2] == 'Z';
}

static void test_exec_run_timeout(void **state)
{
    (void)state;
    /* sleep runs as a child of sh: the whole group must be killed. */
    char text[1024];
    snprintf(text, sizeof(text), "#!/bin/sh\necho starting >&2\n"
             "sleep 30 &\necho $! > '%s'\nwait\necho '{}'\n",
             path_in("hang.pid"));
    const char *script = write_script("hang.sh", text);
    char *argv[] = { (char *)script, NULL };
    struct exec_credential cred;
    char err[512];
    time_t start = time(NULL);

    assert_int_equal(exec_run(V1BETA1, argv, NULL, 300, &cred, err,
                              sizeof(err)), -1);
    assert_true(time(NULL) - start < 5);
    assert_non_null(strstr(err, "timed out after 300 ms"));
    assert_non_null(strstr(err, "starting"));

    long pid = 0;
    FILE *f = fopen(path_in("hang.pid"), "r");
    assert_non_null(f);
    assert_int_equal(fscanf(f, "%ld", &pid), 1);
    fclose(f);
    for (int i = 0; i < 100 && !process_gone(pid); i++)
        usleep(20000);
    assert_true(process_gone(pid));
}

static void test_exec_run_failures(void **state)
{
    (void)state;
    const char *failing = write_script("fail.sh",
        "#!/bin/sh\necho 'could not log in:\ntry again' >&2\nexit 3\n");
    const char *noisy = write_script("noisy.sh",
        "#!/bin/sh\nhead -c 2000000 /dev/zero | tr '\\0' x\n");
    const char *garbage = write_script("garbage.sh",
        "#!/bin/sh\necho 'not json'\n");
    char *fail_argv[] = { (char *)failing, NULL };
    char *noisy_argv[] = { (char *)noisy, NULL };
    char *garbage_argv[] = { (char *)garbage, NULL };
    char *missing_argv[] = { "albatross-no-such-plugin", NULL };
    struct exec_credential cred;
    char err[512];

    assert_int_equal(exec_run(V1BETA1, fail_argv, NULL, 5000, &cred, err,
                              sizeof(err)), -1);
    assert_non_null(strstr(err, "exit status 3"));
    assert_non_null(strstr(err, "could not log in: try again"));

    assert_int_equal(exec_run(V1BETA1, noisy_argv, NULL, 5000, &cred, err,
                              sizeof(err)), -1);
    assert_non_null(strstr(err, "more than 1024 KiB"));

    assert_int_equal(exec_run(V1BETA1, garbage_argv, NULL, 5000, &cred, err,
                              sizeof(err)), -1);
    assert_non_null(strstr(err, "not a JSON object"));

    assert_int_equal(exec_run(V1BETA1, missing_argv, NULL, 5000, &cred, err,
                              sizeof(err)), -1);
    assert_non_null(strstr(err, "not found in PATH"));
}

struct plugin_outcome {
    int calls;
    enum exec_end end;
    char token[64];
    char error[512];
};

static void on_plugin(void *ctx, enum exec_end end,
                      struct exec_credential *cred, const char *error)
{
    struct plugin_outcome *o = ctx;
    o->calls++;
    o->end = end;
    snprintf(o->token, sizeof(o->token), "%s",
             cred && cred->token ? cred->token : "");
    snprintf(o->error, sizeof(o->error), "%s", error ? error : "");
}

static void on_tick(void *ctx, int cancelled)
{
    (void)cancelled;
    (*(int *)ctx)++;
}

static long long monotonic_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* A plugin that takes a second runs while the loop handles a timer. */
static void test_exec_start_beside_loop(void **state)
{
    (void)state;
    const char *script = write_script("late.sh",
        "#!/bin/sh\nsleep 1\n"
        "printf '{\"kind\":\"ExecCredential\",\"apiVersion\":\"%s\",'"
        " \"" V1BETA1 "\"\n"
        "printf '\"status\":{\"token\":\"tok-late\"}}'\n");
    char *argv[] = { (char *)script, NULL };
    struct plugin_outcome o = {0};
    char err[512];
    struct http_client *c = http_client_new();
    long long start = monotonic_ms();
    struct exec_run *run = exec_start(c, V1BETA1, argv, NULL, 5000,
                                      on_plugin, &o, err, sizeof(err));
    assert_non_null(run);
    int ticks = 0;
    assert_int_equal(http_schedule(c, 50, on_tick, &ticks), 0);
    while (ticks == 0 && monotonic_ms() - start < 900)
        http_wait(c, NULL, NULL, 0, 100);
    assert_int_equal(ticks, 1);
    assert_int_equal(o.calls, 0);
    assert_true(monotonic_ms() - start < 900);

    while (o.calls == 0 && monotonic_ms() - start < 5000)
        http_wait(c, NULL, NULL, 0, 100);
    assert_int_equal(o.calls, 1);
    assert_int_equal(o.end, EXEC_DONE);
    assert_string_equal(o.token, "tok-late");
    assert_int_equal(proc_running(), 0);
    http_client_free(c);
}

static void test_exec_start_cancelled(void **state)
{
    (void)state;
    const char *script = write_script("stuck.sh", "#!/bin/sh\nsleep 30\n");
    char *argv[] = { (char *)script, NULL };
    struct plugin_outcome o = {0};
    char err[512];
    struct http_client *c = http_client_new();
    assert_non_null(exec_start(c, V1BETA1, argv, NULL, 30000, on_plugin, &o,
                               err, sizeof(err)));
    assert_int_equal(proc_running(), 1);
    http_wait(c, NULL, NULL, 0, 20);
    http_cancel_all(c);
    assert_int_equal(o.calls, 1);
    assert_int_equal(o.end, EXEC_CANCELLED);
    assert_non_null(strstr(o.error, "stuck.sh was cancelled"));
    assert_int_equal(http_pending(c), 0);
    assert_int_equal(proc_running(), 0);
    errno = 0;
    assert_int_equal(waitpid(-1, NULL, WNOHANG), -1);
    assert_int_equal(errno, ECHILD);
    http_client_free(c);
}

static void test_exec_parse(void **state)
{
    (void)state;
    static const struct { const char *json, *error; } bad[] = {
        { "[]", "not a JSON object" },
        { "{\"kind\":\"Other\",\"apiVersion\":\"" V1BETA1 "\"}", "kind" },
        { "{\"kind\":\"ExecCredential\",\"apiVersion\":\"" V1BETA1 "\"}",
          "no status" },
        { "{\"kind\":\"ExecCredential\",\"apiVersion\":\"" V1BETA1 "\","
          "\"status\":{\"token\":7}}", "status.token must be a string" },
        { "{\"kind\":\"ExecCredential\",\"apiVersion\":\"" V1BETA1 "\","
          "\"status\":{}}", "neither a token" },
        { "{\"kind\":\"ExecCredential\",\"apiVersion\":\"" V1BETA1 "\","
          "\"status\":{\"clientCertificateData\":\"c\"}}", "only one of" },
        { "{\"kind\":\"ExecCredential\",\"apiVersion\":\"" V1BETA1 "\","
          "\"status\":{\"token\":\"t\",\"expirationTimestamp\":\"soon\"}}",
          "RFC 3339" },
    };
    struct exec_credential cred;
    char err[256];
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_int_equal(exec_parse(bad[i].json, strlen(bad[i].json),
                                    V1BETA1, &cred, err, sizeof(err)), -1);
        if (!strstr(err, bad[i].error))
            fail_msg("case %zu: expected \"%s\" in \"%s\"", i, bad[i].error,
                     err);
    }
    const char *certs = "{\"kind\":\"ExecCredential\",\"apiVersion\":\""
                        V1BETA1 "\",\"status\":{\"clientCertificateData\":"
                        "\"C\",\"clientKeyData\":\"K\"}}";
    assert_int_equal(exec_parse(certs, strlen(certs), V1BETA1, &cred, err,
                                sizeof(err)), 0);
    assert_string_equal(cred.cert_pem, "C");
    assert_string_equal(cred.key_pem, "K");
    assert_null(cred.token);
    assert_int_equal(cred.expiry, 0);
    exec_credential_cleanup(&cred);

    const char *offset = "{\"kind\":\"ExecCredential\",\"apiVersion\":\""
                         V1BETA1 "\",\"status\":{\"token\":\"t\","
                         "\"expirationTimestamp\":"
                         "\"2030-01-02T04:04:05.5+01:00\"}}";
    assert_int_equal(exec_parse(offset, strlen(offset), V1BETA1, &cred, err,
                                sizeof(err)), 0);
    assert_int_equal(cred.expiry, 1893553445);
    exec_credential_cleanup(&cred);
}

/* ---- list pages --------------------------------------------------------- */

static const char sa_page1[] =
    "{\"kind\":\"ServiceAccountList\",\"apiVersion\":\"v1\","
    "\"metadata\":{\"resourceVersion\":\"9\",\"continue\":\"tok+/=1\"},"
    "\"items\":[{\"metadata\":{\"name\":\"lbc\",\"namespace\":\"kube-system\","
    "\"uid\":\"u-1\",\"creationTimestamp\":\"2024-01-01T00:00:00Z\","
    "\"annotations\":{\"eks.amazonaws.com/role-arn\":"
    "\"arn:aws:iam::111122223333:role/lbc\",\"team\":\"web\"}}},"
    "{\"metadata\":{\"name\":\"default\",\"namespace\":\"default\"}}]}";

static const char sa_page2[] =
    "{\"kind\":\"ServiceAccountList\",\"metadata\":{\"continue\":\"\"},"
    "\"items\":[{\"metadata\":{\"name\":\"last\",\"namespace\":\"x\"}}]}";

static void test_parse_sa_pages(void **state)
{
    (void)state;
    struct kube_sa_list *l = calloc(1, sizeof(*l));
    struct api_error err;
    char *next;

    assert_int_equal(kube_parse_sa_page(sa_page1, strlen(sa_page1), l, &next,
                                        &err), 0);
    assert_string_equal(next, "tok+/=1");
    free(next);
    assert_int_equal(kube_parse_sa_page(sa_page2, strlen(sa_page2), l, &next,
                                        &err), 0);
    assert_null(next);
    assert_int_equal(l->count, 3);
    const struct kube_service_account *sa = &l->items[0];
    assert_string_equal(sa->name, "lbc");
    assert_string_equal(sa->namespace, "kube-system");
    assert_string_equal(sa->uid, "u-1");
    assert_string_equal(sa->created, "2024-01-01T00:00:00Z");
    assert_string_equal(sa->role_arn, "arn:aws:iam::111122223333:role/lbc");
    assert_int_equal(sa->annotation_count, 2);
    assert_string_equal(sa->annotations[1].key, "team");
    assert_string_equal(sa->annotations[1].value, "web");
    assert_null(l->items[1].role_arn);
    assert_int_equal(l->items[1].annotation_count, 0);
    assert_string_equal(l->items[2].name, "last");
    kube_sa_list_free(l);
}

static const char ingress_page[] =
    "{\"kind\":\"IngressList\",\"metadata\":{},\"items\":["
    "{\"metadata\":{\"name\":\"web\",\"namespace\":\"shop\",\"annotations\":"
    "{\"alb.ingress.kubernetes.io/group.name\":\"shared\","
    "\"kubernetes.io/ingress.class\":\"legacy\"}},"
    "\"spec\":{\"ingressClassName\":\"alb\","
    "\"rules\":[{\"host\":\"a.example\"},{\"http\":{}},"
    "{\"host\":\"b.example\"}]},"
    "\"status\":{\"loadBalancer\":{\"ingress\":[{\"hostname\":"
    "\"k8s-shared-0123456789.us-east-2.elb.amazonaws.com\"}]}}},"
    "{\"metadata\":{\"name\":\"old\",\"namespace\":\"shop\",\"annotations\":"
    "{\"kubernetes.io/ingress.class\":\"alb\"}},"
    "\"status\":{\"loadBalancer\":{\"ingress\":[{\"ip\":\"10.0.0.7\"}]}}},"
    "{\"metadata\":{\"name\":\"bare\",\"namespace\":\"shop\"},\"spec\":{},"
    "\"status\":{\"loadBalancer\":{}}}]}";

static void test_parse_ingress_page(void **state)
{
    (void)state;
    struct kube_ingress_list *l = calloc(1, sizeof(*l));
    struct api_error err;
    char *next;

    assert_int_equal(kube_parse_ingress_page(ingress_page,
                                             strlen(ingress_page), l, &next,
                                             &err), 0);
    assert_null(next);
    assert_int_equal(l->count, 3);
    const struct kube_ingress *in = &l->items[0];
    assert_string_equal(in->name, "web");
    assert_string_equal(in->class_name, "alb");
    assert_string_equal(in->hosts, "a.example,b.example");
    assert_string_equal(in->address,
                        "k8s-shared-0123456789.us-east-2.elb.amazonaws.com");
    assert_string_equal(in->group_name, "shared");
    in = &l->items[1];
    assert_string_equal(in->class_name, "alb");
    assert_string_equal(in->address, "10.0.0.7");
    assert_null(in->hosts);
    assert_null(in->group_name);
    in = &l->items[2];
    assert_null(in->class_name);
    assert_null(in->address);
    assert_null(in->hosts);
    kube_ingress_list_free(l);
}

static char *huge_string(size_t n)
{
    char *s = malloc(n + 1);
    assert_non_null(s);
    memset(s, 'a', n);
    s[n] = '\0';
    return s;
}

static void test_parse_hostile_pages(void **state)
{
    (void)state;
    static const struct { const char *json, *code; } bad[] = {
        { "not json", "InvalidReply" },
        { "[1,2]", "InvalidReply" },
        { "{\"items\":{\"metadata\":{}}}", "InvalidReply" },
        { "{\"items\":\"x\"}", "InvalidReply" },
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct kube_ingress_list *l = calloc(1, sizeof(*l));
        struct api_error err;
        char *next;
        assert_int_equal(kube_parse_ingress_page(bad[i].json,
                                                 strlen(bad[i].json), l,
                                                 &next, &err), -1);
        assert_string_equal(err.code, bad[i].code);
        assert_null(next);
        kube_ingress_list_free(l);
    }

    /* Wrong types and missing metadata: such items and fields are skipped,
     * the rest of the page is kept. */
    static const char odd[] =
        "{\"metadata\":{\"continue\":5},\"items\":[7,null,{},"
        "{\"metadata\":\"x\"},{\"metadata\":{\"name\":12}},"
        "{\"metadata\":{\"name\":\"ok\",\"namespace\":[1],\"annotations\":"
        "{\"a\":1,\"b\":\"two\",\"c\":null,\"eks.amazonaws.com/role-arn\":{}}},"
        "\"spec\":{\"ingressClassName\":3,\"rules\":{\"host\":\"x\"}},"
        "\"status\":{\"loadBalancer\":{\"ingress\":\"x\"}}}],\"extra\":1}";
    struct kube_sa_list *sl = calloc(1, sizeof(*sl));
    struct kube_ingress_list *il = calloc(1, sizeof(*il));
    struct api_error err;
    char *next;
    assert_int_equal(kube_parse_sa_page(odd, strlen(odd), sl, &next, &err),
                     0);
    assert_null(next);
    assert_int_equal(sl->count, 1);
    assert_string_equal(sl->items[0].name, "ok");
    assert_null(sl->items[0].namespace);
    assert_null(sl->items[0].role_arn);
    assert_int_equal(sl->items[0].annotation_count, 1);
    assert_string_equal(sl->items[0].annotations[0].value, "two");
    assert_int_equal(kube_parse_ingress_page(odd, strlen(odd), il, &next,
                                             &err), 0);
    assert_int_equal(il->count, 1);
    assert_null(il->items[0].class_name);
    assert_null(il->items[0].hosts);
    assert_null(il->items[0].address);
    kube_sa_list_free(sl);
    kube_ingress_list_free(il);

    /* A name past 253 bytes is not a Kubernetes name: skipped. A large
     * annotation value is kept whole. A page without "items" adds nothing. */
    char *big = huge_string(1u << 20);
    struct buf b;
    buf_init(&b, 0);
    buf_printf(&b, "{\"items\":[{\"metadata\":{\"name\":\"%s\"}},"
               "{\"metadata\":{\"name\":\"n\",\"annotations\":{\"k\":\"%s\"}}}"
               "]}", big, big);
    sl = calloc(1, sizeof(*sl));
    assert_int_equal(kube_parse_sa_page(b.data, b.len, sl, &next, &err), 0);
    assert_int_equal(sl->count, 1);
    assert_string_equal(sl->items[0].name, "n");
    assert_int_equal(strlen(sl->items[0].annotations[0].value), 1u << 20);
    assert_int_equal(kube_parse_sa_page("{\"items\":null}", 14, sl, &next,
                                        &err), 0);
    assert_int_equal(kube_parse_sa_page("{}", 2, sl, &next, &err), 0);
    assert_int_equal(sl->count, 1);
    kube_sa_list_free(sl);
    buf_cleanup(&b);
    free(big);
}

static void test_error_from_reply(void **state)
{
    (void)state;
    struct api_error err;
    const char *status = "{\"kind\":\"Status\",\"apiVersion\":\"v1\","
                         "\"status\":\"Failure\",\"message\":\"serviceaccounts"
                         " is forbidden: User \\\"bob\\\" cannot list\","
                         "\"reason\":\"Forbidden\",\"code\":403}";
    kube_error_from_reply(&err, 403, status, strlen(status));
    assert_int_equal(err.http_status, 403);
    assert_string_equal(err.code, "Forbidden");
    assert_string_equal(err.message, "serviceaccounts is forbidden: User "
                        "\"bob\" cannot list");

    kube_error_from_reply(&err, 502, "<html>Bad\x01 gateway\nmore", 24);
    assert_string_equal(err.code, "InternalError");
    assert_string_equal(err.message, "HTTP status 502: <html>Bad? gateway");

    kube_error_from_reply(&err, 401, NULL, 0);
    assert_string_equal(err.code, "Unauthorized");
    assert_string_equal(err.message, "HTTP status 401");
}

static void test_endpoint_from_eks(void **state)
{
    (void)state;
    struct kube_endpoint ep;
    assert_int_equal(kube_endpoint_from_eks(&ep, "demo", "us-east-2",
                                            "https://127.0.0.1:1/k8s/d",
                                            PEM_B64), 0);
    assert_string_equal(ep.server, "https://127.0.0.1:1/k8s/d");
    assert_string_equal(ep.ca_pem, PEM_TEXT);
    assert_string_equal(ep.eks_cluster, "demo");
    assert_string_equal(ep.eks_region, "us-east-2");
    assert_null(ep.eks_profile);
    assert_null(ep.token);
    kube_endpoint_cleanup(&ep);
    assert_int_equal(kube_endpoint_from_eks(&ep, "demo", "us-east-2",
                                            "https://x", "***"), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_merge_first_file_wins),
        cmocka_unit_test(test_kubeconfig_env_and_home),
        cmocka_unit_test(test_relative_paths),
        cmocka_unit_test(test_base64_data),
        cmocka_unit_test(test_base64_decoder),
        cmocka_unit_test(test_base64url_decoder),
        cmocka_unit_test(test_insecure_and_null),
        cmocka_unit_test(test_malformed_files),
        cmocka_unit_test(test_duplicate_keys),
        cmocka_unit_test(test_special_files),
        cmocka_unit_test(test_plain_http_server),
        cmocka_unit_test(test_entry_errors_on_use),
        cmocka_unit_test(test_missing_context),
        cmocka_unit_test(test_aws_get_token_native),
        cmocka_unit_test(test_exec_kept_as_plugin),
        cmocka_unit_test(test_exec_relative_command),
        cmocka_unit_test(test_exec_argv_and_env),
        cmocka_unit_test(test_exec_run_credential),
        cmocka_unit_test(test_exec_run_timeout),
        cmocka_unit_test(test_exec_run_failures),
        cmocka_unit_test(test_exec_start_beside_loop),
        cmocka_unit_test(test_exec_start_cancelled),
        cmocka_unit_test(test_exec_parse),
        cmocka_unit_test(test_parse_sa_pages),
        cmocka_unit_test(test_parse_ingress_page),
        cmocka_unit_test(test_parse_hostile_pages),
        cmocka_unit_test(test_error_from_reply),
        cmocka_unit_test(test_endpoint_from_eks),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
