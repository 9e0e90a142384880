/*
 * The wizard's state and the work behind its screens, shared by
 * wizard.c (field values, validation, review, save, apply) and wizard_view.c
 * (drawing and keys). Private to those two files.
 */
#ifndef ALBATROSS_WIZARD_INTERNAL_H
#define ALBATROSS_WIZARD_INTERNAL_H

#include <stddef.h>

#include "form.h"
#include "view.h"

enum wizard_field {
    WF_PROFILE, WF_REGION,
    WF_NAME, WF_VERSION, WF_NODEGROUP, WF_INSTANCE, WF_DESIRED, WF_MIN,
    WF_MAX, WF_PRIVATE, WF_OIDC,
    WF_SA_ON, WF_SA_NAMESPACE, WF_SA_NAME,
    WF_PATH,
    WF_COUNT
};

enum wizard_screen {
    WS_ACCOUNT, WS_CLUSTER, WS_SERVICE_ACCOUNT, WS_REVIEW, WS_SAVE,
    WS_APPLY, WS_COUNT
};

#define WIZARD_SCREEN_FIELDS 10

struct wizard_screen_def {
    const char *title;
    const char *explain;    /* what the step does and why */
    int fields[WIZARD_SCREEN_FIELDS];
    size_t field_count;
};

extern const struct wizard_screen_def wizard_screens[WS_COUNT];

struct wizard {
    enum wizard_screen screen;
    size_t focus;                  /* index into the screen's fields */
    struct form_field fields[WF_COUNT];
    char *messages[WF_COUNT];      /* validation messages of each field,
                                    * one per line, or NULL */
    char *screen_messages[WS_COUNT]; /* the others, by the screen they
                                      * belong to */
    char **review;                 /* the review screen's lines */
    size_t review_count;
    size_t review_top;
    int review_rows;               /* review lines on screen when drawn */
    int path_edited;               /* the user typed a path */
    char overwrite[FORM_VALUE_MAX]; /* a path that exists, waiting for a
                                     * second Enter to be replaced */
    char saved[FORM_VALUE_MAX + 4096]; /* the file this wizard wrote
                                        * last, replaced without asking */
    char note[1024];               /* the save screen's result */
    int note_is_error;
};

/* Fills the fields with eksctl's defaults and the session's profile and
 * region, then validates. */
void wizard_init(struct wizard *w, const struct ui *ui);
/* Rebuilds the ClusterConfig from the fields and files ccfg_validate's
 * messages under the fields and screens they name. */
void wizard_check(struct wizard *w);
/* Whether the screen's fields have no validation messages. */
int wizard_screen_valid(const struct wizard *w, enum wizard_screen s);

/* Region choices: the session's region, then those EC2 listed. *count
 * gets their number; the array lives until the model changes. */
const char *const *wizard_regions(const struct ui *ui, const char **buf,
                                  size_t cap, size_t *count);

/* Makes the review screen's lines: the YAML, then the plan. */
void wizard_make_review(struct wizard *w);
/* Writes the YAML to the path field (mode 0600, atomically) and sets the
 * note. Returns 0 once saved. */
int wizard_save(struct wizard *w);
/* Saves the file again (as wizard_save) and starts applying it, with
 * the progress view on top. Returns enum react. */
int wizard_apply(struct ui *ui, struct wizard *w);

#endif
