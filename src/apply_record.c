#include "apply_record.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "files.h"

static const char *const state_names[] = {
    [APPLY_RECORD_RUNNING] = "running",
    [APPLY_RECORD_STOPPED] = "stopped",
    [APPLY_RECORD_FAILED] = "failed",
    [APPLY_RECORD_DONE] = "done",
};

#define STATE_COUNT (sizeof(state_names) / sizeof(state_names[0]))

const char *apply_record_state_name(enum apply_record_state state)
{
    return (size_t)state < STATE_COUNT ? state_names[state] : "unknown";
}

static int record_path(char *buf, size_t len)
{
    char dir[4096];
    if (files_state_dir(dir, sizeof(dir)) < 0)
        return -1;
    int n = snprintf(buf, len, "%s/%s", dir, APPLY_RECORD_FILE);
    return n < 0 || (size_t)n >= len ? -1 : 0;
}

int apply_record_save(const struct apply_record *r)
{
    char path[4200], text[8192];
    if (strchr(r->file, '\n') || strchr(r->cluster, '\n') ||
        strchr(r->region, '\n') || record_path(path, sizeof(path)) < 0) {
        errno = EINVAL;
        return -1;
    }
    int n = snprintf(text, sizeof(text), "# the last run albatross's UI "
                     "started\nfile=%s\ncluster=%s\nregion=%s\naction=%s\n"
                     "state=%s\n", r->file, r->cluster, r->region,
                     r->deleting ? "delete" : "apply",
                     apply_record_state_name(r->state));
    if (n < 0 || (size_t)n >= sizeof(text)) {
        errno = ENAMETOOLONG;
        return -1;
    }
    return files_write(path, text, (size_t)n);
}

/* Copies the value of a "key=value" line into the record. Returns 1 for
 * a recognised key, 0 for any other line. */
static int read_line(struct apply_record *r, const char *line)
{
    const char *eq = strchr(line, '=');
    if (!eq)
        return 0;
    size_t key = (size_t)(eq - line);
    const char *value = eq + 1;
    if (key == 4 && strncmp(line, "file", 4) == 0)
        snprintf(r->file, sizeof(r->file), "%s", value);
    else if (key == 7 && strncmp(line, "cluster", 7) == 0)
        snprintf(r->cluster, sizeof(r->cluster), "%s", value);
    else if (key == 6 && strncmp(line, "region", 6) == 0)
        snprintf(r->region, sizeof(r->region), "%s", value);
    else if (key == 6 && strncmp(line, "action", 6) == 0)
        r->deleting = strcmp(value, "delete") == 0;
    else if (key == 5 && strncmp(line, "state", 5) == 0) {
        for (size_t s = 0; s < STATE_COUNT; s++)
            if (strcmp(value, state_names[s]) == 0)
                r->state = (enum apply_record_state)s;
    } else
        return 0;
    return 1;
}

int apply_record_load(struct apply_record *r)
{
    char path[4200], line[4200];
    memset(r, 0, sizeof(*r));
    r->state = APPLY_RECORD_DONE;
    if (record_path(path, sizeof(path)) < 0)
        return -1;
    FILE *f = fopen(path, "re");
    if (!f)
        return -1;
    while (fgets(line, sizeof(line), f)) {
        line[strcspn(line, "\n")] = '\0';
        read_line(r, line);
    }
    fclose(f);
    return r->file[0] && r->cluster[0] && r->region[0] ? 0 : -1;
}

int apply_record_unfinished(const struct apply_record *r)
{
    return r->state != APPLY_RECORD_DONE;
}
