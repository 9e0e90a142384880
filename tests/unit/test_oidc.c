/*
 * The OIDC provider's pieces that need no network: the thumbprint of a
 * certificate, checked against openssl x509 -fingerprint -sha1 as an
 * independent oracle, and ListOpenIDConnectProviderTags replies,
 * well-formed, paged and broken.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../api/certgen.h"
#include "../../api/iam_oidc.h"
#include "../../api/oidc_thumbprint.h"

/* What OpenSSL's command line says of pem: "SHA1 Fingerprint=AB:CD:..."
 * turned into 40 lower-case hex digits. */
static void openssl_sha1(const char *pem, char out[41])
{
    char path[] = "/tmp/albatross-test-cert-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, pem, strlen(pem)), (ssize_t)strlen(pem));
    close(fd);
    char cmd[128], line[256];
    snprintf(cmd, sizeof(cmd), "openssl x509 -noout -fingerprint -sha1 -in %s",
             path);
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    assert_non_null(fgets(line, sizeof(line), p));
    pclose(p);
    unlink(path);
    const char *eq = strchr(line, '=');
    assert_non_null(eq);
    size_t n = 0;
    for (const char *s = eq + 1; *s && n < 40; s++)
        if (isxdigit((unsigned char)*s))
            out[n++] = (char)tolower((unsigned char)*s);
    out[n] = '\0';
    assert_int_equal(n, 40);
}

static void test_thumbprint_matches_openssl(void **state)
{
    (void)state;
    const struct certgen_spec spec = {
        .ca_common_name = "test CA", .common_name = "localhost",
        .subject_alt_names = "DNS:localhost", .valid_days = 1,
    };
    struct certgen_pems pems;
    char err[256], mine[OIDC_THUMBPRINT_LEN + 1], oracle[41];
    assert_int_equal(certgen_generate(&spec, &pems, err, sizeof(err)), 0);
    const char *const certs[] = { pems.ca_cert, pems.cert };
    for (size_t i = 0; i < 2; i++) {
        assert_int_equal(oidc_thumbprint_of_pem(certs[i], mine), 0);
        openssl_sha1(certs[i], oracle);
        assert_string_equal(mine, oracle);
    }
    certgen_pems_cleanup(&pems);
}

static void test_thumbprint_rejects_garbage(void **state)
{
    (void)state;
    char out[OIDC_THUMBPRINT_LEN + 1];
    assert_int_equal(oidc_thumbprint_of_pem("", out), -1);
    assert_int_equal(oidc_thumbprint_of_pem("-----BEGIN CERTIFICATE-----\n"
                                            "bm90IGEgY2VydA==\n"
                                            "-----END CERTIFICATE-----\n",
                                            out), -1);
}

#define TAGS_REPLY(tags, tail) \
    "<ListOpenIDConnectProviderTagsResponse xmlns=\"https://iam.amazonaws." \
    "com/doc/2010-05-08/\"><ListOpenIDConnectProviderTagsResult>" tags tail \
    "</ListOpenIDConnectProviderTagsResult></ListOpenIDConnectProviderTags" \
    "Response>"
#define TAG(k, v) "<member><Key>" k "</Key><Value>" v "</Value></member>"

static int parse(const char *xml, struct iam_tag_list *l, char **marker,
                 struct api_error *err)
{
    return iam_parse_tags(xml, strlen(xml), "ListOpenIDConnectProviderTags",
                          l, marker, err);
}

static void test_tags_parse_pages(void **state)
{
    (void)state;
    struct iam_tag_list *l = calloc(1, sizeof(*l));
    struct api_error err = {0};
    char *marker = NULL;
    assert_int_equal(parse(TAGS_REPLY("<Tags>" TAG("alpha.eksctl.io/cluster-"
                                      "name", "demo") "</Tags>",
                                      "<IsTruncated>true</IsTruncated>"
                                      "<Marker>m1</Marker>"),
                           l, &marker, &err), 0);
    assert_string_equal(marker, "m1");
    free(marker);
    assert_int_equal(parse(TAGS_REPLY("<Tags>" TAG("team", "") "</Tags>",
                                      "<IsTruncated>false</IsTruncated>"),
                           l, &marker, &err), 0);
    assert_null(marker);
    assert_int_equal(l->count, 2);
    assert_string_equal(iam_tag_list_get(l, "alpha.eksctl.io/cluster-name"),
                        "demo");
    assert_string_equal(iam_tag_list_get(l, "team"), "");
    assert_null(iam_tag_list_get(l, "absent"));
    iam_tag_list_free(l);
}

static void test_tags_parse_rejects_broken_replies(void **state)
{
    (void)state;
    static const char *const broken[] = {
        "<nope/>",
        "not xml",
        TAGS_REPLY("<Tags><member><Value>v</Value></member></Tags>", ""),
        TAGS_REPLY("<Tags></Tags>", "<IsTruncated>true</IsTruncated>"),
    };
    for (size_t i = 0; i < sizeof(broken) / sizeof(broken[0]); i++) {
        struct iam_tag_list *l = calloc(1, sizeof(*l));
        struct api_error err = {0};
        char *marker = NULL;
        assert_int_equal(parse(broken[i], l, &marker, &err), -1);
        assert_null(marker);
        assert_true(err.code[0] != '\0');
        iam_tag_list_free(l);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_thumbprint_matches_openssl),
        cmocka_unit_test(test_thumbprint_rejects_garbage),
        cmocka_unit_test(test_tags_parse_pages),
        cmocka_unit_test(test_tags_parse_rejects_broken_replies),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
