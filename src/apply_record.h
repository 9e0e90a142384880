/*
 * The record of the last apply or delete the UI started, kept in the
 * XDG state directory (files_state_dir(), file "ui-run"), so that a UI
 * closed or killed mid-run can offer to resume it next time. The engine
 * is idempotent, so resuming is running it again on the same file.
 *
 * The file is a few "key=value" lines; values with a newline are not
 * recorded. Only the newest run is kept.
 */
#ifndef ALBATROSS_APPLY_RECORD_H
#define ALBATROSS_APPLY_RECORD_H

#include <stddef.h>

#define APPLY_RECORD_FILE "ui-run"

enum apply_record_state {
    APPLY_RECORD_RUNNING,   /* started, not seen to end */
    APPLY_RECORD_STOPPED,   /* stopped by the user */
    APPLY_RECORD_FAILED,
    APPLY_RECORD_DONE,
};

struct apply_record {
    char file[4096];        /* absolute path of the ClusterConfig */
    char cluster[256];
    char region[64];
    int deleting;
    enum apply_record_state state;
};

/* Writes r atomically, mode 0600. Returns 0, or -1 with errno set. */
int apply_record_save(const struct apply_record *r);
/* Reads the record. Returns 0, or -1 when there is none or it does not
 * read back whole. */
int apply_record_load(struct apply_record *r);
/* Whether r is a run that did not finish: worth resuming. */
int apply_record_unfinished(const struct apply_record *r);
/* "running", "stopped", "failed", "done". */
const char *apply_record_state_name(enum apply_record_state state);

#endif
