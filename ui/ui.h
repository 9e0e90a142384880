/*
 * The terminal UI: panes of clusters, service accounts, IAM roles and
 * ingresses over the model, in one thread and one event loop.
 */
#ifndef ALBATROSS_UI_H
#define ALBATROSS_UI_H

#include <stddef.h>

#include "../src/chain.h"
#include "../src/model.h"

enum ui_pane {
    UI_PANE_CLUSTERS,
    UI_PANE_SERVICE_ACCOUNTS,
    UI_PANE_ROLES,
    UI_PANE_INGRESSES,
};

struct ui_options {
    const char *theme;      /* theme name or path; NULL: "default" */
    int no_color;           /* NO_COLOR is set: attributes only */
    enum ui_pane pane;      /* pane shown first */
    /* The session's options, for the applies the UI starts (profile,
     * kubeconfig, readonly); NULL: the defaults. */
    const struct model_options *model;
};

/* The theme that ui_run() will use, found by ui_check_theme(). */
struct ui_theme_check {
    char name[64];          /* "default", "mono", ..., or "built-in" */
    char path[4096];        /* file it comes from, or "" */
};

/*
 * Loads the theme that opt names without touching the terminal, so a
 * broken theme can be reported (and the program exit 2) first. Returns 0,
 * or -1 with "file:line: what is wrong" in err.
 */
int ui_check_theme(const struct ui_options *opt, struct ui_theme_check *out,
                   char *err, size_t errlen);

/*
 * Runs the UI until the user quits. The model must be initialised and
 * its loads started, and chains initialised on it. The UI loads and
 * refreshes the chains of the clusters whose ingresses it shows. Returns
 * 0 after a quit and 1 when the terminal cannot be set up. Returns 2 when the theme cannot be loaded, after
 * printing "file:line: what" on stderr without touching the terminal.
 * After SIGINT, SIGTERM or SIGHUP it returns 128 + the signal number.
 */
int ui_run(struct model *m, struct chains *chains,
           const struct ui_options *opt);

#endif
