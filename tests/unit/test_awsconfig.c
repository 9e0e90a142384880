/*
 * The AWS config and credentials parser: the sections and keys real files
 * use, and an error naming file and line for each kind of malformed file.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../api/awsconfig.h"

struct fixture {
    char dir[64];
    char path[128];
    char err[512];
    struct awsconfig_file file;
};

static int setup(void **state)
{
    struct fixture *fx = calloc(1, sizeof(*fx));

    assert_non_null(fx);
    strcpy(fx->dir, "/tmp/albatross-awsconfig-XXXXXX");
    assert_non_null(mkdtemp(fx->dir));
    snprintf(fx->path, sizeof(fx->path), "%s/config", fx->dir);
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *fx = *state;

    awsconfig_free(&fx->file);
    unlink(fx->path);
    rmdir(fx->dir);
    free(fx);
    return 0;
}

static void write_bytes(struct fixture *fx, const char *data, size_t len)
{
    FILE *f = fopen(fx->path, "wb");

    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
}

static int load_text(struct fixture *fx, const char *text, int credentials)
{
    write_bytes(fx, text, strlen(text));
    return awsconfig_load(&fx->file, fx->path, credentials, fx->err,
                          sizeof(fx->err));
}

static const char *get(struct fixture *fx, const char *kind,
                       const char *name, const char *key)
{
    const struct awsconfig_section *sec =
        awsconfig_section(&fx->file, kind, name);

    assert_non_null(sec);
    return awsconfig_get(sec, key);
}

static void test_config_profiles(void **state)
{
    struct fixture *fx = *state;
    const char *text =
        "# shared config\n"
        "; another comment\n"
        "[default]\n"
        "region = us-east-1\n"
        "output=json\n"
        "\n"
        "[profile dev]   # the developers' account\n"
        "Region = eu-west-1\n"
        "   ; indented comment\n"
        "role_arn = arn:aws:iam::123456789012:role/dev\n"
        "source_profile = default\n"
        "credential_process = /bin/creds --profile=dev # kept\n"
        "[profile  spaced name ]\n"
        "region = ap-south-1\n";

    assert_int_equal(load_text(fx, text, 0), 0);
    assert_string_equal(fx->err, "");
    assert_int_equal(fx->file.section_count, 3);
    assert_string_equal(get(fx, "profile", "default", "region"), "us-east-1");
    assert_string_equal(get(fx, "profile", "default", "output"), "json");
    assert_string_equal(get(fx, "profile", "dev", "region"), "eu-west-1");
    assert_string_equal(get(fx, "profile", "dev", "REGION"), "eu-west-1");
    assert_string_equal(get(fx, "profile", "dev", "role_arn"),
                        "arn:aws:iam::123456789012:role/dev");
    assert_string_equal(get(fx, "profile", "dev", "credential_process"),
                        "/bin/creds --profile=dev # kept");
    assert_string_equal(get(fx, "profile", "spaced name", "region"),
                        "ap-south-1");
    assert_null(get(fx, "profile", "dev", "output"));
    assert_null(awsconfig_section(&fx->file, "profile", "missing"));
    assert_null(awsconfig_get(NULL, "region"));
}

static void test_entry_lines(void **state)
{
    struct fixture *fx = *state;

    assert_int_equal(load_text(fx, "\n[default]\n# c\nregion = x\n", 0), 0);
    const struct awsconfig_section *sec =
        awsconfig_section(&fx->file, "profile", "default");
    assert_non_null(sec);
    assert_int_equal(sec->entry_count, 1);
    assert_string_equal(sec->entries[0].key, "region");
    assert_int_equal(sec->entries[0].line, 4);
    assert_string_equal(fx->file.path, fx->path);
}

static void test_sso_and_services(void **state)
{
    struct fixture *fx = *state;
    const char *text =
        "[profile sandbox]\n"
        "services = local\n"
        "sso_session = corp\n"
        "[sso-session corp]\n"
        "sso_start_url = https://corp.awsapps.com/start\n"
        "sso_region = us-east-1\n"
        "[services local]\n"
        "eks =\n"
        "  endpoint_url = http://127.0.0.1:4566\n"
        "\tsigning_name = eks\n"
        "sts =\n"
        "  endpoint_url = http://127.0.0.1:4567\n"
        "endpoint_url = http://127.0.0.1:9999\n";

    assert_int_equal(load_text(fx, text, 0), 0);
    assert_string_equal(get(fx, "sso-session", "corp", "sso_region"),
                        "us-east-1");
    assert_string_equal(get(fx, "services", "local", "eks.endpoint_url"),
                        "http://127.0.0.1:4566");
    assert_string_equal(get(fx, "services", "local", "eks.signing_name"),
                        "eks");
    assert_string_equal(get(fx, "services", "local", "sts.endpoint_url"),
                        "http://127.0.0.1:4567");
    assert_string_equal(get(fx, "services", "local", "endpoint_url"),
                        "http://127.0.0.1:9999");
    /* A parent with sub-keys is no key of its own. */
    assert_null(get(fx, "services", "local", "eks"));
    assert_int_equal(awsconfig_section(&fx->file, "services", "local")
                         ->entry_count, 4);
    assert_null(awsconfig_section(&fx->file, "profile", "corp"));
}

static void test_continuation_lines(void **state)
{
    struct fixture *fx = *state;
    const char *text =
        "[default]\n"
        "  region = us-east-2\n"
        "ca_bundle = first\n"
        "    second\n"
        "\tthird\n"
        "empty =\n"
        "\n"
        "  next = 1\n";

    assert_int_equal(load_text(fx, text, 0), 0);
    assert_string_equal(get(fx, "profile", "default", "region"),
                        "us-east-2");
    assert_string_equal(get(fx, "profile", "default", "ca_bundle"),
                        "first\nsecond\nthird");
    assert_string_equal(get(fx, "profile", "default", "empty"), "");
    assert_string_equal(get(fx, "profile", "default", "next"), "1");
}

static void test_credentials_sections(void **state)
{
    struct fixture *fx = *state;
    const char *text =
        "[default]\n"
        "aws_access_key_id = AKIAIOSFODNN7EXAMPLE\n"
        "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n"
        "[dev]\n"
        "aws_access_key_id = AKIADEV\n"
        "aws_secret_access_key = secret=with=equals\n"
        "aws_session_token = tok\n";

    assert_int_equal(load_text(fx, text, 1), 0);
    assert_string_equal(get(fx, "profile", "default", "aws_access_key_id"),
                        "AKIAIOSFODNN7EXAMPLE");
    assert_string_equal(get(fx, "profile", "dev",
                            "aws_secret_access_key"), "secret=with=equals");
    assert_string_equal(get(fx, "profile", "dev", "aws_session_token"),
                        "tok");
}

/* In config, [dev] is not a profile: botocore ignores such sections. */
static void test_config_bare_section(void **state)
{
    struct fixture *fx = *state;

    assert_int_equal(load_text(fx, "[dev]\nregion = x\n", 0), 0);
    assert_null(awsconfig_section(&fx->file, "profile", "dev"));
    assert_string_equal(get(fx, "", "dev", "region"), "x");
}

/* botocore reads both and keeps the later section. */
static void test_default_written_twice(void **state)
{
    struct fixture *fx = *state;

    assert_int_equal(load_text(fx, "[default]\nregion = a\n"
                                   "[profile default]\nregion = b\n", 0), 0);
    assert_int_equal(fx->file.section_count, 2);
    assert_string_equal(get(fx, "profile", "default", "region"), "b");
}

static void test_crlf_and_bom(void **state)
{
    struct fixture *fx = *state;

    assert_int_equal(load_text(fx, "\xef\xbb\xbf[default]\r\n"
                                   "region = us-west-1\r\n"
                                   "output = text", 0), 0);
    assert_string_equal(get(fx, "profile", "default", "region"),
                        "us-west-1");
    assert_string_equal(get(fx, "profile", "default", "output"), "text");
}

static void test_missing_file_is_empty(void **state)
{
    struct fixture *fx = *state;
    char path[160];

    snprintf(path, sizeof(path), "%s/absent", fx->dir);
    assert_int_equal(awsconfig_load(&fx->file, path, 0, fx->err,
                                    sizeof(fx->err)), 0);
    assert_int_equal(fx->file.section_count, 0);
    assert_null(awsconfig_section(&fx->file, "profile", "default"));
}

static void test_empty_file(void **state)
{
    struct fixture *fx = *state;

    assert_int_equal(load_text(fx, "", 0), 0);
    assert_int_equal(fx->file.section_count, 0);
}

struct malformed {
    const char *text;
    int line;
    const char *message;   /* part of the message after "path:line: " */
};

static void test_malformed_files(void **state)
{
    struct fixture *fx = *state;
    static const struct malformed cases[] = {
        { "[default\nregion = x\n", 1, "no closing ']'" },
        { "[default] extra\n", 1, "unexpected text \"extra\"" },
        { "\n[profile]\n", 2, "[profile] has no name" },
        { "[profile   ]\n", 1, "has no name" },
        { "[]\n", 1, "[] has no name" },
        { "[sso-session]\n", 1, "write it as [sso-session NAME]" },
        { "[default]\n[default]\n", 2, "[default] appears twice" },
        { "[profile a]\nx=1\n[profile a]\n", 3, "appears twice" },
        { "[profile default]\n[default]\n[profile default]\n", 3,
          "[profile default] appears twice" },
        { "[default]\nregion = a\nRegion = b\n", 3,
          "\"Region\" is set twice in [profile default] (first on line 2)" },
        { "region = us-east-1\n[default]\n", 1,
          "comes before any section; put it under [default]" },
        { "[default]\nregion us-east-1\n", 2,
          "expected \"key = value\", a [section] header or a comment" },
        { "[default]\n= value\n", 2, "no key before '='" },
        { "[services s]\neks =\n  endpoint_url\n", 3,
          "indented block under \"eks\"" },
        { "[services s]\neks =\n  url = a\n  url = b\n", 4,
          "\"eks.url\" is set twice" },
    };

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char prefix[200];
        snprintf(prefix, sizeof(prefix), "%s:%d: ", fx->path, cases[i].line);
        int rc = load_text(fx, cases[i].text, 0);
        if (rc != -1 || strncmp(fx->err, prefix, strlen(prefix)) != 0 ||
            !strstr(fx->err, cases[i].message))
            print_error("case %zu: \"%s\" gave \"%s\"\n", i, cases[i].text,
                        fx->err);
        assert_int_equal(rc, -1);
        assert_memory_equal(fx->err, prefix, strlen(prefix));
        assert_non_null(strstr(fx->err, cases[i].message));
        assert_int_equal(fx->file.section_count, 0);
        assert_null(fx->file.path);
    }
}

static void test_nul_byte(void **state)
{
    struct fixture *fx = *state;
    static const char text[] = "[default]\nregion = a\0b\n";
    char prefix[200];

    write_bytes(fx, text, sizeof(text) - 1);
    snprintf(prefix, sizeof(prefix), "%s:2: ", fx->path);
    assert_int_equal(awsconfig_load(&fx->file, fx->path, 0, fx->err,
                                    sizeof(fx->err)), -1);
    assert_memory_equal(fx->err, prefix, strlen(prefix));
    assert_non_null(strstr(fx->err, "NUL byte"));
}

static void test_file_too_large(void **state)
{
    struct fixture *fx = *state;
    size_t len = (1u << 20) + 1;
    char *text = malloc(len);

    assert_non_null(text);
    memset(text, '#', len);
    write_bytes(fx, text, len);
    free(text);
    assert_int_equal(awsconfig_load(&fx->file, fx->path, 0, fx->err,
                                    sizeof(fx->err)), -1);
    assert_non_null(strstr(fx->err, fx->path));
    assert_non_null(strstr(fx->err, "larger than 1024 KiB"));
}

static void test_directory_rejected(void **state)
{
    struct fixture *fx = *state;

    assert_int_equal(awsconfig_load(&fx->file, fx->dir, 0, fx->err,
                                    sizeof(fx->err)), -1);
    assert_non_null(strstr(fx->err, fx->dir));
}

/* A FIFO would block a plain open until a writer came; it is refused at
 * once. The alarm turns a regression into a failure instead of a hang. */
static void test_fifo_rejected(void **state)
{
    struct fixture *fx = *state;

    assert_int_equal(mkfifo(fx->path, 0600), 0);
    alarm(10);
    assert_int_equal(awsconfig_load(&fx->file, fx->path, 1, fx->err,
                                    sizeof(fx->err)), -1);
    alarm(0);
    assert_non_null(strstr(fx->err, fx->path));
    assert_non_null(strstr(fx->err, "a FIFO, not a regular file"));
}

static void test_dev_null_is_empty(void **state)
{
    struct fixture *fx = *state;

    assert_int_equal(awsconfig_load(&fx->file, "/dev/null", 0, fx->err,
                                    sizeof(fx->err)), 0);
    assert_int_equal(fx->file.section_count, 0);
}

static void test_short_error_buffer(void **state)
{
    struct fixture *fx = *state;
    char err[8];

    write_bytes(fx, "junk\n", 5);
    assert_int_equal(awsconfig_load(&fx->file, fx->path, 0, err,
                                    sizeof(err)), -1);
    assert_int_equal(strlen(err), sizeof(err) - 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_config_profiles, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_entry_lines, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sso_and_services, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_continuation_lines, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_credentials_sections, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_config_bare_section, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_default_written_twice, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_crlf_and_bom, setup, teardown),
        cmocka_unit_test_setup_teardown(test_missing_file_is_empty, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_empty_file, setup, teardown),
        cmocka_unit_test_setup_teardown(test_malformed_files, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_nul_byte, setup, teardown),
        cmocka_unit_test_setup_teardown(test_file_too_large, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_directory_rejected, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_fifo_rejected, setup, teardown),
        cmocka_unit_test_setup_teardown(test_dev_null_is_empty, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_short_error_buffer, setup,
                                        teardown),
    };

    return cmocka_run_group_tests_name("awsconfig", tests, NULL, NULL);
}
