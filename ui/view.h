/*
 * Types shared by the UI modules: panes as tables of callbacks, the views
 * on the view stack, key bindings, and the running UI's state. This is no
 * public interface, because src/main.c uses ui.h only.
 */
#ifndef ALBATROSS_VIEW_H
#define ALBATROSS_VIEW_H

#include <curses.h>
#include <stddef.h>
#include <wchar.h>

#include "../src/chain.h"
#include "../src/model.h"
#include "../src/theme.h"
#include "table.h"
#include "ui.h"

/* Flags for what a handler changed, so the loop can tell what to redo
 * (htop's reaction flags). */
enum react {
    REACT_NONE = 0,
    REACT_DRAW = 1 << 0,  /* repaint the screen */
    REACT_ROWS = 1 << 1,  /* rebuild the rows of the top view, then paint */
    REACT_QUIT = 1 << 2,
};

/* Keys as one int: characters as themselves, curses function keys
 * (KEY_DOWN, KEY_MOUSE...) moved above the Unicode range. */
#define UI_FKEY(k) (0x200000 | (k))
#define UI_CTRL(c) ((c) & 0x1f)
#define UI_ESC 27

struct ui;
struct view;
struct wizard;
struct progress;
struct apply_ui;
struct dialog;
struct ui_action;

/* A key binding: the one table behind dispatch, `:` commands and help. */
struct binding {
    int keys[4];            /* 0-terminated */
    const char *command;    /* `:` command, or NULL */
    const char *alias;      /* short form of command, or NULL */
    const char *help;
    const char *hint;       /* a word for the status line's key hints,
                             * or NULL to leave the key out of them */
    int mutates;            /* sends writes: greyed out when read-only */
    /* arg is the rest of a `:` command line, or NULL for a key. */
    int (*run)(struct ui *ui, struct view *v, const char *arg);
};

struct column {
    const char *header;
    int min_width;
    int max_width;          /* 0: as wide as the widest cell */
    int weight;             /* share of spare or missing width; 0: fixed */
    int spans_clusters;     /* shown only when the view spans clusters */
    int keep_end;           /* cut at the front: ARNs differ at the end */
    /* Returns the UTF-8 text of item's cell, either a string that lives
     * until the model changes or buf. May set *role (preset to normal). */
    const char *(*cell)(const struct ui *ui, const struct view *v,
                        size_t item, char *buf, size_t len,
                        enum theme_role *role);
};

struct pane {
    const char *name;       /* for help and messages */
    int text;               /* a text view: no column headers */
    void (*title)(const struct ui *ui, const struct view *v, char *buf,
                  size_t len);
    const struct column *columns;
    size_t column_count;
    /* Items are indices into a model array (or the view's lines); rows
     * are the items that includes() accepts and the filter matches. */
    size_t (*item_count)(const struct ui *ui, const struct view *v);
    int (*includes)(const struct ui *ui, const struct view *v, size_t item);
    /* Loading state of what the pane shows; err gets the failure. */
    enum model_state (*state)(const struct ui *ui, const struct view *v,
                              char *err, size_t len);
    /* Called before rows are built: text views make their lines. */
    void (*prepare)(struct ui *ui, struct view *v);
    /* Writes a key that names item across refreshes (an ARN, a
     * namespace and name) into buf and returns 1, or returns 0 when item
     * has none. The selection follows this key when rows move; without
     * it, the selection stays on the same item index. */
    int (*identity)(const struct ui *ui, const struct view *v, size_t item,
                    char *buf, size_t len);
    int (*enter)(struct ui *ui, struct view *v, size_t item);
    int (*reload)(struct ui *ui, struct view *v);
    const struct binding *keys;  /* keys of this pane only */
    size_t key_count;
    /* Panes with their own input (the wizard's text fields) get each key
     * before the bindings; returns enum react, or -1 to pass it on. */
    int (*input)(struct ui *ui, struct view *v, int key);
    /* Panes that are no table draw lines y .. y + height - 1 themselves
     * and may place the cursor with ui->cursor_y and ui->cursor_x. */
    void (*draw)(struct ui *ui, struct view *v, int y, int height);
    const char *noun;       /* "service accounts", for counts */
};

/* What Enter on a line of a text view opens. */
struct view_link {
    const struct pane *pane;    /* NULL: the line opens nothing */
    char *key;              /* an ARN, a target id or NAMESPACE/NAME */
    int port;               /* a target's port */
};

struct view {
    const struct pane *pane;
    size_t cluster;         /* MODEL_NONE: follows the model's current */
    size_t role;            /* role detail, or service accounts of a role */
    size_t item;            /* ingress detail: which ingress */
    int all_clusters;
    const struct pane *explains; /* help: the pane whose keys it lists */
    /* The on-call drill-down: the ingress whose chain a view shows (NULL
     * for a load balancer no ingress claims), the load balancer,
     * listener, rule or target group of the view, and the target. */
    char *namespace;
    char *name;
    char *arn;
    char *target;
    int port;
    char **lines;           /* text views; the load balancer list keeps
                             * the ARN of each row here */
    enum theme_role *line_roles;
    struct view_link *links; /* one per line, or NULL */
    size_t line_count;
    int built_cols;         /* COLS when the lines were made */
    struct table table;
    unsigned long built_version;
    int built;
};

enum ui_mode { UI_MODE_NORMAL, UI_MODE_COMMAND, UI_MODE_FILTER };

#define UI_MAX_DEPTH 16
#define UI_INPUT_MAX 128

struct ui {
    struct model *m;
    struct chains *chains;  /* borrowed */
    struct theme theme;
    attr_t attrs[THEME_ROLE_COUNT]; /* curses attributes per role */
    struct view stack[UI_MAX_DEPTH];
    int depth;
    enum ui_mode mode;
    wchar_t input[UI_INPUT_MAX];
    size_t input_len;
    char message[512];      /* the UI's own note, until the next key */
    int message_is_error;
    /* An info message announces work in flight: it is cleared once the
     * model is idle again, so the loads' own errors can show. */
    int message_awaits_idle;
    unsigned spinner;
    int quit;
    int cursor_y, cursor_x; /* where a pane's draw() wants the cursor;
                             * cursor_y -1: hidden */
    struct wizard *wizard;  /* the setup wizard, kept when left */
    struct progress *progress; /* the last long action's, borrowed */
    struct dialog *dialog;  /* the open dialog (ui/dialog.c), or NULL */
    struct ui_action *action; /* the last pane action (ui/actions.c) */
    unsigned long progress_drawn; /* its version when last drawn */
    long progress_second;   /* elapsed second last drawn */
    struct apply_ui *apply; /* the runs the UI starts (ui/apply_ui.h) */
    const struct model_options *model_options; /* the session's, borrowed */
    /* A question on the status line: y runs it, any other key drops it. */
    int (*confirm)(struct ui *ui);
    size_t install_item;    /* the cluster the install question names */
    int install_removes;    /* ... and whether it uninstalls */
};

struct view *ui_top(struct ui *ui);
/* Opens a view above the current one. Returns REACT_ROWS. */
int ui_push(struct ui *ui, const struct view *v);
/* Replaces the whole stack with v: the panes reached by 1-4. */
int ui_replace(struct ui *ui, const struct view *v);
int ui_pop(struct ui *ui);
/* Sets the UI's message line; returns REACT_DRAW. */
int ui_message(struct ui *ui, int is_error, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Asks a yes/no question on the status line; y calls yes, whose result
 * is returned for that key. Returns REACT_DRAW. */
int ui_confirm(struct ui *ui, int (*yes)(struct ui *ui), const char *fmt,
               ...) __attribute__((format(printf, 3, 4)));

/* The cluster a view shows, or MODEL_NONE. */
size_t view_cluster(const struct ui *ui, const struct view *v);
void view_cleanup(struct view *v);
/* Appends a line to a text view; text is copied. */
void view_add_line(struct view *v, enum theme_role role, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void view_clear_lines(struct view *v);
/* Makes the last line added open pane for key (copied) on Enter. */
void view_link_last(struct view *v, const struct pane *pane,
                    const char *key, int port);

#endif
