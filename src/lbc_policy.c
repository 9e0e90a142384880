/* The controller's shipped IAM policy (see lbc_policy.h). */
#include "lbc_policy.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../api/buf.h"
#include "../api/policy.h"

int lbc_policy_find(char *path, size_t len)
{
    char exe[PATH_MAX];
    const char *data = getenv("ALBATROSS_DATA_DIR");
    if (data && *data) {
        snprintf(path, len, "%s/%s", data, LBC_POLICY_FILE);
        return access(path, R_OK);
    }
    ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
    if (n <= 0)
        return -1;
    exe[n] = '\0';
    char *slash = strrchr(exe, '/');
    if (slash)
        *slash = '\0';
    const char *const dirs[] = {"data", "../data", "../share/albatross"};
    for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
        snprintf(path, len, "%s/%s/%s", exe, dirs[i], LBC_POLICY_FILE);
        if (access(path, R_OK) == 0)
            return 0;
    }
    return -1;
}

char *lbc_policy_read_shipped(char *why, size_t whylen)
{
    char path[PATH_MAX], reason[128] = "", err[512];
    if (lbc_policy_find(path, sizeof(path)) < 0) {
        snprintf(why, whylen, "the controller's IAM policy %s was not found "
                 "in $ALBATROSS_DATA_DIR or next to albatross: set "
                 "ALBATROSS_DATA_DIR to the directory that contains lbc/",
                 LBC_POLICY_FILE);
        return NULL;
    }
    struct buf text;
    buf_init(&text, POLICY_MAX_BYTES);
    if (buf_read_file(&text, path, reason, sizeof(reason)) < 0) {
        snprintf(why, whylen, "cannot read IAM policy %s: %s", path,
                 reason[0] ? reason : strerror(errno));
        buf_cleanup(&text);
        return NULL;
    }
    struct policy p;
    int rc = policy_parse(text.data ? text.data : "", &p, err, sizeof(err));
    policy_cleanup(&p);
    if (rc != 0) {
        snprintf(why, whylen, "invalid IAM policy %s: %s", path, err);
        buf_cleanup(&text);
        return NULL;
    }
    return buf_take(&text);
}
