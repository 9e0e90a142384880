/* The AWS shared config and credentials readers. */
#include "fuzz.h"

#include "../../api/awsconfig.h"

static void read_as(const char *path, int is_credentials)
{
    struct awsconfig_file f;
    char err[512];
    if (awsconfig_load(&f, path, is_credentials, err, sizeof(err)) < 0)
        return;
    for (size_t i = 0; i < f.section_count; i++) {
        const struct awsconfig_section *sec = &f.sections[i];
        awsconfig_section(&f, sec->kind, sec->name);
        awsconfig_get(sec, "region");
    }
    awsconfig_section(&f, "profile", "default");
    awsconfig_free(&f);
}

int fuzz_awsconfig(const uint8_t *data, size_t size)
{
    const char *path = fuzz_file(data, size);
    if (!path)
        return 0;
    read_as(path, 0);
    read_as(path, 1);
    return 0;
}
