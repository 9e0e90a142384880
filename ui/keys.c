#include "keys.h"

#include <curses.h>
#include <stdio.h>
#include <string.h>

#include "detail.h"
#include "drill.h"
#include "pane.h"
#include "apply_ui.h"
#include "progress_view.h"
#include "wizard.h"

#define UNUSED(x) (void)(x)
#define WHEEL_ROWS 3

/* ---- actions -------------------------------------------------------- */

static int act_down(struct ui *ui, struct view *v, const char *arg)
{
    UNUSED(ui), UNUSED(arg);
    return table_move(&v->table, 1);
}

static int act_up(struct ui *ui, struct view *v, const char *arg)
{
    UNUSED(ui), UNUSED(arg);
    return table_move(&v->table, -1);
}

static int act_page_down(struct ui *ui, struct view *v, const char *arg)
{
    UNUSED(ui), UNUSED(arg);
    return table_page(&v->table, 1);
}

static int act_page_up(struct ui *ui, struct view *v, const char *arg)
{
    UNUSED(ui), UNUSED(arg);
    return table_page(&v->table, -1);
}

static int act_home(struct ui *ui, struct view *v, const char *arg)
{
    UNUSED(ui), UNUSED(arg);
    return table_home(&v->table);
}

static int act_end(struct ui *ui, struct view *v, const char *arg)
{
    UNUSED(ui), UNUSED(arg);
    return table_end(&v->table);
}

static int act_enter(struct ui *ui, struct view *v, const char *arg)
{
    UNUSED(arg);
    size_t item = table_selected_item(&v->table);
    if (item == (size_t)-1 || !v->pane->enter)
        return REACT_NONE;
    return v->pane->enter(ui, v, item);
}

static int act_back(struct ui *ui, struct view *v, const char *arg)
{
    UNUSED(arg);
    if (v->table.filter[0]) {
        v->table.filter[0] = L'\0';
        return REACT_ROWS;
    }
    return ui_pop(ui);
}

static int act_filter(struct ui *ui, struct view *v, const char *arg)
{
    UNUSED(arg);
    ui->mode = UI_MODE_FILTER;
    ui->input_len = wcslen(v->table.filter);
    if (ui->input_len >= UI_INPUT_MAX)
        ui->input_len = UI_INPUT_MAX - 1;
    wmemcpy(ui->input, v->table.filter, ui->input_len);
    return REACT_DRAW;
}

static int act_command(struct ui *ui, struct view *v, const char *arg)
{
    UNUSED(v), UNUSED(arg);
    ui->mode = UI_MODE_COMMAND;
    ui->input_len = 0;
    return REACT_DRAW;
}

/* Shows pane for arg: NULL (a key) or "" keeps the current cluster, "all"
 * spans every cluster, anything else names a cluster. */
static int show_objects(struct ui *ui, enum ui_pane pane, const char *arg)
{
    if (!arg || !*arg)
        return pane_show(ui, pane, 0);
    if (strcmp(arg, "all") == 0)
        return pane_show(ui, pane, 1);
    size_t c = model_cluster_by_name(ui->m, arg);
    if (c == MODEL_NONE)
        return ui_message(ui, 1, "no cluster named \"%s\": give a name from "
                          "the clusters pane, or all", arg);
    model_open_cluster(ui->m, c);
    return pane_show(ui, pane, 0);
}

static int act_clusters(struct ui *ui, struct view *v, const char *arg)
{
    UNUSED(v), UNUSED(arg);
    return pane_show(ui, UI_PANE_CLUSTERS, 0);
}

static int act_service_accounts(struct ui *ui, struct view *v,
                                const char *arg)
{
    UNUSED(v);
    return show_objects(ui, UI_PANE_SERVICE_ACCOUNTS, arg);
}

static int act_roles(struct ui *ui, struct view *v, const char *arg)
{
    UNUSED(v), UNUSED(arg);
    return pane_show(ui, UI_PANE_ROLES, 0);
}

static int act_ingresses(struct ui *ui, struct view *v, const char *arg)
{
    UNUSED(v);
    return show_objects(ui, UI_PANE_INGRESSES, arg);
}

/* Opens the load balancers of the cluster arg names, or of the cluster
 * the view shows. */
static int act_load_balancers(struct ui *ui, struct view *v, const char *arg)
{
    size_t c = view_cluster(ui, v);
    if (arg && *arg) {
        c = model_cluster_by_name(ui->m, arg);
        if (c == MODEL_NONE)
            return ui_message(ui, 1, "no cluster named \"%s\": give a name "
                              "from the clusters pane", arg);
    }
    if (c != MODEL_NONE)
        model_open_cluster(ui->m, c);
    return drill_open_load_balancers(ui, c);
}

static int act_wizard(struct ui *ui, struct view *v, const char *arg)
{
    UNUSED(v), UNUSED(arg);
    return wizard_open(ui);
}

static int act_progress(struct ui *ui, struct view *v, const char *arg)
{
    UNUSED(v), UNUSED(arg);
    return progress_view_open(ui);
}

static int act_reload(struct ui *ui, struct view *v, const char *arg)
{
    UNUSED(arg);
    if (!v->pane->reload)
        return ui_message(ui, 0, "nothing to reload here");
    return v->pane->reload(ui, v) | REACT_ROWS;
}

static int act_cancel(struct ui *ui, struct view *v, const char *arg)
{
    UNUSED(v), UNUSED(arg);
    if (model_cancel(ui->m) == 0)
        return ui_message(ui, 0, "nothing is loading");
    return REACT_ROWS;
}

static int act_help(struct ui *ui, struct view *v, const char *arg)
{
    UNUSED(arg);
    if (v->pane == &keys_help_pane)
        return REACT_NONE;
    struct view help = {
        .pane = &keys_help_pane,
        .cluster = MODEL_NONE,
        .role = MODEL_NONE,
        .explains = v->pane,
    };
    return ui_push(ui, &help);
}

static int act_quit(struct ui *ui, struct view *v, const char *arg)
{
    UNUSED(v), UNUSED(arg);
    return apply_ui_quit(ui);
}

static int act_delete(struct ui *ui, struct view *v, const char *arg)
{
    UNUSED(v);
    return apply_ui_ask_delete(ui, arg);
}

static int act_mouse(struct ui *ui, struct view *v, const char *arg)
{
    UNUSED(arg);
    MEVENT ev;
    if (getmouse(&ev) != OK)
        return REACT_NONE;
    if (ev.bstate & BUTTON4_PRESSED)
        return table_move(&v->table, -WHEEL_ROWS);
#ifdef BUTTON5_PRESSED
    if (ev.bstate & BUTTON5_PRESSED)
        return table_move(&v->table, WHEEL_ROWS);
#endif
    if (ev.bstate & BUTTON1_DOUBLE_CLICKED) {
        if (table_click(&v->table, ev.y) == REACT_NONE)
            return REACT_NONE;
        return REACT_DRAW | act_enter(ui, v, NULL);
    }
    if (ev.bstate & BUTTON1_CLICKED)
        return table_click(&v->table, ev.y);
    return REACT_NONE;
}

/* ---- the table ------------------------------------------------------ */

static const struct binding global_keys[] = {
    { .keys = { UI_FKEY(KEY_DOWN), 'j' }, .help = "Next row",
      .run = act_down },
    { .keys = { UI_FKEY(KEY_UP), 'k' }, .help = "Previous row",
      .run = act_up },
    { .keys = { UI_FKEY(KEY_NPAGE), UI_CTRL('f'), ' ' },
      .help = "Next page", .run = act_page_down },
    { .keys = { UI_FKEY(KEY_PPAGE), UI_CTRL('b') },
      .help = "Previous page", .run = act_page_up },
    { .keys = { UI_FKEY(KEY_HOME), 'g' }, .help = "First row",
      .run = act_home },
    { .keys = { UI_FKEY(KEY_END), 'G' }, .help = "Last row",
      .run = act_end },
    { .keys = { '\n', '\r', UI_FKEY(KEY_ENTER) }, .help = "Open the "
      "selected row: a cluster's service accounts, a service account's "
      "role, the service accounts of a role, an ingress's load balancer, "
      "listeners, rules, targets and pods", .run = act_enter },
    { .keys = { UI_ESC }, .help = "Clear the filter, or go back",
      .run = act_back },
    { .keys = { '/' }, .help = "Filter the rows as you type (Enter keeps "
      "the filter, Esc clears it)", .run = act_filter },
    { .keys = { ':' }, .help = "Command line (Tab completes)",
      .run = act_command },
    { .keys = { '1' }, .command = "clusters", .alias = "cl",
      .help = "Clusters of the account and the kubeconfig",
      .run = act_clusters },
    { .keys = { '2' }, .command = "sa", .alias = "serviceaccounts",
      .help = "Service accounts of the current cluster; :sa all for every "
      "cluster, :sa NAME for one", .run = act_service_accounts },
    { .keys = { '3' }, .command = "roles", .alias = "ro",
      .help = "IAM roles of the account", .run = act_roles },
    { .keys = { '4' }, .command = "ing", .alias = "ingresses",
      .help = "Ingresses of the current cluster; :ing all for every "
      "cluster, :ing NAME for one", .run = act_ingresses },
    { .keys = { '5' }, .command = "alb", .alias = "lb",
      .help = "Load balancers of the current cluster, with those no "
      "ingress claims; :alb NAME for another cluster",
      .run = act_load_balancers },
    { .keys = { 'w' }, .command = "wizard", .help = "Setup wizard: a "
      "cluster with OIDC and the load balancer controller's service "
      "account, reviewed as YAML and a plan, saved as an eksctl file",
      .run = act_wizard },
    { .keys = { 'p' }, .command = "progress", .help = "Progress of the "
      "last long action, such as the wizard's apply", .run = act_progress },
    { .keys = { 0 }, .command = "delete", .help = "Delete a cluster and "
      "the stacks a ClusterConfig made: :delete FILE (asks first; no FILE: "
      "the last apply's)", .run = act_delete },
    { .keys = { 'r', UI_CTRL('r') }, .command = "reload",
      .help = "Reload what this view shows", .run = act_reload },
    { .keys = { 'x' }, .command = "cancel",
      .help = "Cancel every load in flight and the retries waiting to run",
      .run = act_cancel },
    { .keys = { '?' }, .command = "help", .help = "This help",
      .run = act_help },
    { .keys = { 'q' }, .command = "q", .alias = "quit", .help = "Quit",
      .run = act_quit },
    { .keys = { UI_FKEY(KEY_MOUSE) }, .help = "Wheel scrolls, a click "
      "selects, a double click opens", .run = act_mouse },
};

#define GLOBAL_COUNT (sizeof(global_keys) / sizeof(global_keys[0]))

static const struct binding *find_key(const struct binding *b, size_t n,
                                      int key)
{
    for (size_t i = 0; i < n; i++)
        for (size_t k = 0; k < 4 && b[i].keys[k]; k++)
            if (b[i].keys[k] == key)
                return &b[i];
    return NULL;
}

int keys_dispatch(struct ui *ui, int key)
{
    struct view *v = ui_top(ui);
    if (v->pane->input) {
        int react = v->pane->input(ui, v, key);
        if (react >= 0)
            return react;
    }
    const struct binding *b = find_key(v->pane->keys, v->pane->key_count,
                                       key);
    if (!b)
        b = find_key(global_keys, GLOBAL_COUNT, key);
    return b ? b->run(ui, v, NULL) : REACT_NONE;
}

static int is_command(const struct binding *b, const char *word, size_t n)
{
    return (b->command && strlen(b->command) == n &&
            strncmp(b->command, word, n) == 0) ||
           (b->alias && strlen(b->alias) == n &&
            strncmp(b->alias, word, n) == 0);
}

int keys_command(struct ui *ui, const char *line)
{
    while (*line == ' ')
        line++;
    size_t n = strcspn(line, " ");
    const char *arg = line + n;
    while (*arg == ' ')
        arg++;
    char trimmed[UI_INPUT_MAX * 4];
    snprintf(trimmed, sizeof(trimmed), "%s", arg);
    size_t len = strlen(trimmed);
    while (len && trimmed[len - 1] == ' ')
        trimmed[--len] = '\0';
    if (n == 0)
        return REACT_DRAW;
    /* The pane's own commands first, as keys_dispatch tries its keys
     * first. */
    struct view *v = ui_top(ui);
    for (size_t i = 0; i < v->pane->key_count; i++)
        if (is_command(&v->pane->keys[i], line, n))
            return v->pane->keys[i].run(ui, v, trimmed);
    for (size_t i = 0; i < GLOBAL_COUNT; i++)
        if (is_command(&global_keys[i], line, n))
            return global_keys[i].run(ui, v, trimmed);
    return ui_message(ui, 1, "unknown command \":%.*s\": try :clusters, :sa, "
                      ":roles, :ing, :alb, :wizard, :q, or ? for help",
                      (int)n, line);
}

static void add_match(char *list, size_t len, const char *name, size_t *count,
                      const char **only)
{
    size_t used = strlen(list);
    snprintf(list + used, len - used, "%s:%s", used ? " " : "", name);
    *only = name;
    (*count)++;
}

int keys_complete(struct ui *ui, char *line, size_t len)
{
    size_t n = strlen(line);
    if (strchr(line, ' '))
        return REACT_NONE;
    char list[512] = "";
    size_t count = 0;
    const char *only = NULL;
    const struct view *v = ui_top(ui);
    for (size_t i = 0; i < v->pane->key_count + GLOBAL_COUNT; i++) {
        const struct binding *b = i < v->pane->key_count
            ? &v->pane->keys[i] : &global_keys[i - v->pane->key_count];
        if (b->command && strncmp(b->command, line, n) == 0)
            add_match(list, sizeof(list), b->command, &count, &only);
        else if (b->alias && strncmp(b->alias, line, n) == 0)
            add_match(list, sizeof(list), b->alias, &count, &only);
    }
    if (count == 1) {
        snprintf(line, len, "%s", only);
        return REACT_DRAW;
    }
    if (count == 0)
        return ui_message(ui, 1, "no command starts with \"%s\"", line);
    return ui_message(ui, 0, "%s", list);
}

/* ---- help ----------------------------------------------------------- */

void keys_name(int key, char *buf, size_t len)
{
    static const struct {
        int key;
        const char *name;
    } names[] = {
        { UI_FKEY(KEY_DOWN), "Down" }, { UI_FKEY(KEY_UP), "Up" },
        { UI_FKEY(KEY_NPAGE), "PgDn" }, { UI_FKEY(KEY_PPAGE), "PgUp" },
        { UI_FKEY(KEY_HOME), "Home" }, { UI_FKEY(KEY_END), "End" },
        { UI_FKEY(KEY_ENTER), "Enter" }, { UI_FKEY(KEY_MOUSE), "mouse" },
        { '\n', "Enter" }, { '\r', "Enter" }, { UI_ESC, "Esc" },
        { ' ', "Space" }, { '\t', "Tab" }, { UI_FKEY(KEY_BTAB), "Shift-Tab" },
        { UI_FKEY(KEY_LEFT), "Left" }, { UI_FKEY(KEY_RIGHT), "Right" },
    };
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        if (names[i].key == key) {
            snprintf(buf, len, "%s", names[i].name);
            return;
        }
    }
    if (key > 0 && key < 32)
        snprintf(buf, len, "^%c", key + '@');
    else
        snprintf(buf, len, "%lc", (wint_t)key);
}

/* Help lists the pane's own keys first, then the global ones. */
static const struct binding *help_binding(const struct view *v, size_t item)
{
    const struct pane *p = v->explains;
    size_t own = p ? p->key_count : 0;
    return item < own ? &p->keys[item] : &global_keys[item - own];
}

static const char *help_keys(const struct ui *ui, const struct view *v,
                             size_t item, char *buf, size_t len,
                             enum theme_role *role)
{
    const struct binding *b = help_binding(v, item);
    *role = b->mutates && ui->m->aws.readonly ? THEME_DIM : THEME_KEY;
    buf[0] = '\0';
    for (size_t k = 0; k < 4 && b->keys[k]; k++) {
        char name[16], earlier[16];
        keys_name(b->keys[k], name, sizeof(name));
        size_t j = 0;
        /* '\n', '\r' and KEY_ENTER all read "Enter": list it once. */
        for (; j < k; j++) {
            keys_name(b->keys[j], earlier, sizeof(earlier));
            if (strcmp(earlier, name) == 0)
                break;
        }
        if (j < k)
            continue;
        size_t used = strlen(buf);
        snprintf(buf + used, len - used, "%s%s", used ? " " : "", name);
    }
    return buf;
}

static const char *help_command(const struct ui *ui, const struct view *v,
                                size_t item, char *buf, size_t len,
                                enum theme_role *role)
{
    UNUSED(ui), UNUSED(role);
    const struct binding *b = help_binding(v, item);
    if (!b->command)
        return "";
    if (b->alias)
        snprintf(buf, len, ":%s :%s", b->command, b->alias);
    else
        snprintf(buf, len, ":%s", b->command);
    return buf;
}

static const char *help_text(const struct ui *ui, const struct view *v,
                             size_t item, char *buf, size_t len,
                             enum theme_role *role)
{
    const struct binding *b = help_binding(v, item);
    if (!b->mutates || !ui->m->aws.readonly)
        return b->help;
    *role = THEME_DIM;
    snprintf(buf, len, "%s (the read-only session rejects it)", b->help);
    return buf;
}

static const struct column help_columns[] = {
    { .header = "KEYS", .min_width = 5, .max_width = 18, .cell = help_keys },
    { .header = "COMMAND", .min_width = 4, .max_width = 22,
      .cell = help_command },
    { .header = "ACTION", .min_width = 10, .weight = 1, .cell = help_text },
};

static void help_title(const struct ui *ui, const struct view *v, char *buf,
                       size_t len)
{
    UNUSED(ui);
    snprintf(buf, len, "Help: keys of the %s pane and everywhere (Esc "
             "returns)", v->explains ? v->explains->name : "");
}

static size_t help_count(const struct ui *ui, const struct view *v)
{
    UNUSED(ui);
    return (v->explains ? v->explains->key_count : 0) + GLOBAL_COUNT;
}

const struct pane keys_help_pane = {
    .name = "help",
    .title = help_title,
    .columns = help_columns,
    .column_count = sizeof(help_columns) / sizeof(help_columns[0]),
    .item_count = help_count,
    .noun = "keys",
};
