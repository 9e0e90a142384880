/*
 * Every file of every fuzz corpus (tests/fuzz/corpus/NAME) fed to its
 * fuzz target without libFuzzer, so the inputs that once crashed a reader
 * stay regression tests in make test, make asan and under valgrind. A
 * target fails by crashing, by a sanitizer report or by abort().
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../api/buf.h"
#include "../fuzz/fuzz.h"

#define CORPUS "tests/fuzz/corpus"
#define CORPUS_MAX_INPUT (4u << 20)

static int read_input(const char *path, struct buf *b)
{
    FILE *f = fopen(path, "rb");
    char chunk[8192];
    size_t got;
    if (!f)
        return -1;
    while ((got = fread(chunk, 1, sizeof(chunk), f)) > 0)
        if (buf_append(b, chunk, got) < 0)
            break;
    int rc = ferror(f) || !feof(f) ? -1 : 0;
    fclose(f);
    return rc;
}

/* Feeds each file of corpus NAME to run; fails when there is none. */
static void replay(const char *name, int (*run)(const uint8_t *, size_t))
{
    char dir[256], path[512];
    snprintf(dir, sizeof(dir), "%s/%s", CORPUS, name);
    DIR *d = opendir(dir);
    if (!d)
        fail_msg("cannot open corpus %s; run the tests from the top "
                 "directory", dir);
    size_t count = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
        struct buf input;
        buf_init(&input, CORPUS_MAX_INPUT);
        if (read_input(path, &input) < 0)
            fail_msg("cannot read %s (larger than 4 MiB?)", path);
        /* An empty buffer has no data: give the target a valid pointer. */
        const uint8_t *data = (const uint8_t *)(input.data ? input.data : "");
        if (run(data, input.len) != 0)
            fail_msg("%s: target returned non-zero", path);
        buf_cleanup(&input);
        count++;
    }
    closedir(d);
    if (count == 0)
        fail_msg("corpus %s is empty", dir);
}

#define CORPUS_TEST(name) \
    static void name##_corpus(void **state) \
    { \
        (void)state; \
        replay(#name, fuzz_##name); \
    }

CORPUS_TEST(kubeconfig)
CORPUS_TEST(awsconfig)
CORPUS_TEST(theme)
CORPUS_TEST(xml)
CORPUS_TEST(json)
CORPUS_TEST(policy)
CORPUS_TEST(world)
CORPUS_TEST(text)
CORPUS_TEST(clusterconfig)

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(kubeconfig_corpus),
        cmocka_unit_test(awsconfig_corpus),
        cmocka_unit_test(theme_corpus),
        cmocka_unit_test(xml_corpus),
        cmocka_unit_test(json_corpus),
        cmocka_unit_test(policy_corpus),
        cmocka_unit_test(world_corpus),
        cmocka_unit_test(text_corpus),
        cmocka_unit_test(clusterconfig_corpus),
    };
    if (!setlocale(LC_ALL, "C.UTF-8")) {
        fprintf(stderr, "test_fuzz_corpus: the C.UTF-8 locale is missing\n");
        return 1;
    }
    return cmocka_run_group_tests(tests, NULL, NULL);
}
