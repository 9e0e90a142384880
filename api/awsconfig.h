/*
 * The AWS shared config and credentials files (INI with [profile NAME]
 * sections in config, [NAME] in credentials). Errors name file and line.
 */
#ifndef ALBATROSS_AWSCONFIG_H
#define ALBATROSS_AWSCONFIG_H

#include <stddef.h>

struct awsconfig_entry {
    char *key;
    char *value;
    int line;
};

struct awsconfig_section {
    char *kind;   /* "profile", "sso-session", "services", or "" */
    char *name;   /* profile or section name */
    struct awsconfig_entry *entries;
    size_t entry_count;
    /* Sub-sections such as "eks =\n  endpoint_url = ..." in a
     * [services NAME] section appear as keys "eks.endpoint_url". */
};

struct awsconfig_file {
    char *path;
    struct awsconfig_section *sections;
    size_t section_count;
};

/*
 * Loads path. is_credentials selects the credentials file's naming ([NAME]
 * instead of [profile NAME]; [default] in both). A missing file loads as
 * empty and returns 0. Returns -1 with "path:line: what" in err.
 */
int awsconfig_load(struct awsconfig_file *f, const char *path,
                   int is_credentials, char *err, size_t errlen);
void awsconfig_free(struct awsconfig_file *f);

/* Section of the given kind and name (kind "profile" also matches the
 * credentials file's plain sections); NULL when absent. */
const struct awsconfig_section *
awsconfig_section(const struct awsconfig_file *f, const char *kind,
                  const char *name);
/* Value of key in sec (case-insensitive key), or NULL. */
const char *awsconfig_get(const struct awsconfig_section *sec,
                          const char *key);

#endif
