#include "actions.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../api/buf.h"
#include "../src/action.h"
#include "../src/util.h"
#include "detail.h"
#include "dialog.h"
#include "editor.h"
#include "progress_view.h"

#define UNUSED(x) (void)(x)

/* A policy to start from when the user writes a new one in $EDITOR. */
#define POLICY_TEMPLATE                                                    \
    "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n    {\n"       \
    "      \"Effect\": \"Allow\",\n      \"Action\": [],\n"                 \
    "      \"Resource\": \"*\"\n    }\n  ]\n}\n"

/* The action being prepared or run, with the inputs gathered so far.
 * The strings are owned; action_new() copies them again. */
struct ui_action {
    enum action_kind kind;
    struct action_run *run;
    char *cluster;
    char *namespace;
    char *service_account;
    char *role;
    char *role_arn;
    char *policy_arn;
    char *policy_name;
    char *document;
    char *sts_regional;     /* annotate: "true", "false" or NULL */
    char *token_expiration; /* annotate: seconds as text, or NULL */
    char *confirm_text;     /* a delete's name to type, or NULL */
};

static void flow_free(struct ui *ui)
{
    struct ui_action *f = ui->action;
    if (!f)
        return;
    if (f->run && ui->progress == &f->run->progress)
        progress_view_free(ui);
    action_free(f->run);
    char *owned[] = { f->cluster, f->namespace, f->service_account, f->role,
                      f->role_arn, f->policy_arn, f->policy_name,
                      f->document, f->sts_regional, f->token_expiration,
                      f->confirm_text };
    for (size_t i = 0; i < sizeof(owned) / sizeof(owned[0]); i++)
        free(owned[i]);
    free(f);
    ui->action = NULL;
}

void actions_free(struct ui *ui)
{
    dialog_free(ui);
    flow_free(ui);
}

static void set(char **field, const char *value)
{
    free(*field);
    *field = xstrdup(value);
}

/* Replaces the last action with a new one of kind, or returns NULL
 * (with a message) while the last one still runs. */
static struct ui_action *flow_begin(struct ui *ui, enum action_kind kind)
{
    struct ui_action *f = ui->action;
    if (f && f->run && (f->run->state == ACTION_RUNNING ||
                        f->run->state == ACTION_PREVIEWING)) {
        ui_message(ui, 1, "%s is still running: wait for it (p shows its "
                   "progress)", action_kind_name(f->kind));
        return NULL;
    }
    flow_free(ui);
    f = xrealloc(NULL, sizeof(*f));
    memset(f, 0, sizeof(*f));
    f->kind = kind;
    ui->action = f;
    return f;
}

/* Callbacks run inside model_wait(), which redraws only for a new
 * model version: bumping it shows their messages and dialogs. */
static void changed(struct ui *ui)
{
    ui->m->version++;
}

static int is_long(enum action_kind kind)
{
    return kind == ACTION_CREATE_ROLE_STACK ||
           kind == ACTION_DELETE_ROLE_STACK;
}

/* ---- refreshing the panes ------------------------------------------- */

static size_t role_index(const struct model *m, const char *name)
{
    for (size_t i = 0; name && i < m->role_count; i++)
        if (strcmp(m->roles[i].name, name) == 0)
            return i;
    return MODEL_NONE;
}

static void reload_changed(struct ui *ui, const struct ui_action *f)
{
    struct model *m = ui->m;
    switch (f->kind) {
    case ACTION_ATTACH_POLICY:
    case ACTION_DETACH_POLICY:
    case ACTION_PUT_INLINE_POLICY:
    case ACTION_DELETE_INLINE_POLICY: {
        size_t i = role_index(m, f->role);
        if (i != MODEL_NONE)
            model_load_role_details(m, i);
        return;
    }
    case ACTION_UPDATE_TRUST_POLICY:
    case ACTION_DELETE_ROLE:
    case ACTION_CREATE_POLICY:
        model_load_roles(m);
        return;
    case ACTION_CREATE_ROLE_STACK:
    case ACTION_DELETE_ROLE_STACK:
        model_load_roles(m);
        break;
    case ACTION_ASSOCIATE_OIDC:
        model_load_providers(m);
        return;
    case ACTION_DESCRIBE_POLICY:
    case ACTION_RESTART_WORKLOADS:
    case ACTION_KIND_COUNT:
        return;
    default:
        break;
    }
    size_t c = f->cluster ? model_cluster_by_name(m, f->cluster) : m->current;
    if (c != MODEL_NONE)
        model_reload_cluster(m, c);
}

/* ---- running -------------------------------------------------------- */

static void show_error(struct ui *ui, const char *what,
                       const struct api_error *err)
{
    if (strcmp(err->code, "ReadOnly") == 0) {
        ui_message(ui, 1, "%s rejected: the session is read-only "
                   "(--readonly) and nothing was sent", what);
        return;
    }
    ui_message(ui, 1, "%s failed: %s: %s", what,
               err->code[0] ? err->code : "Error", err->message);
}

static const struct pane policy_pane;

static void open_policy_text(struct ui *ui, const struct ui_action *f,
                             const char *text)
{
    struct view v = {
        .pane = &policy_pane,
        .cluster = MODEL_NONE,
        .role = MODEL_NONE,
        .arn = xstrdup(f->policy_arn),
    };
    detail_add_json(&v, text ? text : "", "  ");
    ui_push(ui, &v);
}

/* The start of the run's callbacks: returns the UI's action when r is
 * it and succeeded, or NULL after showing the error. */
static struct ui_action *arrived(struct ui *ui, struct action_run *r,
                                 const struct api_error *err)
{
    struct ui_action *f = ui->action;
    changed(ui);
    if (!f || f->run != r)
        return NULL;
    if (err) {
        show_error(ui, action_kind_name(f->kind), err);
        return NULL;
    }
    return f;
}

static void on_done(struct action_run *r, const struct api_error *err,
                    void *ctx)
{
    struct ui *ui = ctx;
    struct ui_action *f = arrived(ui, r, err);
    if (!f)
        return;
    const char *what = action_kind_name(f->kind);
    if (f->kind == ACTION_DESCRIBE_POLICY) {
        open_policy_text(ui, f, r->result);
        return;
    }
    reload_changed(ui, f);
    ui_message(ui, 0, "done: %s%s%s", r->preview.summary
               ? r->preview.summary : what, r->result ? ": " : "",
               r->result ? r->result : "");
    /* Not cleared by the reloads it starts. */
    ui->message_awaits_idle = 0;
}

static int start(struct ui *ui, struct ui_action *f)
{
    if (action_start(f->run, on_done, ui) < 0)
        return REACT_DRAW;
    if (is_long(f->kind)) {
        progress_view_show(ui, &f->run->progress);
        return progress_view_open(ui);
    }
    return ui_message(ui, 0, "%s: sending %zu call%s", action_kind_name(
                      f->kind), f->run->preview.call_count,
                      f->run->preview.call_count == 1 ? "" : "s");
}

static int on_confirmed(struct ui *ui, const char *value, void *ctx)
{
    UNUSED(ctx);
    struct ui_action *f = ui->action;
    if (!f || !f->run)
        return REACT_NONE;
    if (!value)
        return ui_message(ui, 0, "cancelled: nothing was sent");
    return start(ui, f);
}

static void on_previewed(struct action_run *r, const struct api_error *err,
                         void *ctx)
{
    struct ui *ui = ctx;
    struct ui_action *f = arrived(ui, r, err);
    if (!f)
        return;
    const char *what = action_kind_name(f->kind);
    if (r->preview.nothing_to_do) {
        ui_message(ui, 0, "nothing to change: %s", r->preview.summary
                   ? r->preview.summary : what);
        return;
    }
    char title[256];
    snprintf(title, sizeof(title), "Confirm %s (y goes ahead, Esc "
             "cancels)", what);
    ui->message[0] = '\0';  /* "reading what it changes" is over */
    dialog_confirm(ui, title, &r->preview, f->confirm_text,
                   ui->m->aws.readonly ? "This session is read-only "
                   "(--readonly): the calls will be rejected and nothing "
                   "will be sent." : NULL, on_confirmed, NULL);
}

/* Checks the gathered inputs and reads what the preview needs; the
 * confirmation opens when the reads are done. */
static int flow_preview(struct ui *ui)
{
    struct ui_action *f = ui->action;
    struct action a = {
        .kind = f->kind,
        .cluster = f->cluster,
        .namespace = f->namespace,
        .service_account = f->service_account,
        .role = f->role,
        .role_arn = f->role_arn,
        .policy_arn = f->policy_arn,
        .policy_name = f->policy_name,
        .document = f->document,
        .sts_regional = f->sts_regional,
        .token_expiration = f->token_expiration,
    };
    if (f->kind == ACTION_CREATE_ROLE_STACK && f->policy_arn) {
        a.policy_arn = NULL;
        a.policy_arns[0] = f->policy_arn;
        a.policy_arn_count = 1;
    }
    struct api_error err;
    memset(&err, 0, sizeof(err));
    f->run = action_new(ui->m, &a, &err);
    if (!f->run) {
        show_error(ui, action_kind_name(f->kind), &err);
        return REACT_DRAW;
    }
    if (f->kind == ACTION_DESCRIBE_POLICY) {
        action_start(f->run, on_done, ui);
        return ui_message(ui, 0, "reading %s", f->policy_arn);
    }
    if (action_preview(f->run, on_previewed, ui) < 0)
        return REACT_DRAW;
    return ui_message(ui, 0, "%s: reading what it changes",
                      action_kind_name(f->kind));
}

/* ---- inputs --------------------------------------------------------- */

/* The role of the selected row of the roles pane, or NULL. */
static const struct model_role *selected_role(struct ui *ui, struct view *v)
{
    size_t item = table_selected_item(&v->table);
    return item < ui->m->role_count ? &ui->m->roles[item] : NULL;
}

static const struct model_service_account *
selected_sa(struct ui *ui, struct view *v)
{
    size_t item = table_selected_item(&v->table);
    return item < ui->m->service_account_count
        ? &ui->m->service_accounts[item] : NULL;
}

/* Starts an action on the selected role, or returns NULL with a
 * message when no role is selected. */
static struct ui_action *begin_on_role(struct ui *ui, struct view *v,
                                       enum action_kind kind,
                                       const struct model_role **role)
{
    *role = selected_role(ui, v);
    if (!*role) {
        ui_message(ui, 1, "no role selected");
        return NULL;
    }
    struct ui_action *f = flow_begin(ui, kind);
    if (f)
        set(&f->role, (*role)->name);
    return f;
}

static struct ui_action *begin_on_sa(struct ui *ui, struct view *v,
                                     enum action_kind kind)
{
    const struct model_service_account *sa = selected_sa(ui, v);
    if (!sa) {
        ui_message(ui, 1, "no service account selected");
        return NULL;
    }
    struct ui_action *f = flow_begin(ui, kind);
    if (!f)
        return NULL;
    if (sa->cluster < ui->m->cluster_count)
        set(&f->cluster, ui->m->clusters[sa->cluster].name);
    set(&f->namespace, sa->namespace);
    set(&f->service_account, sa->name);
    return f;
}

/* Whether the role's policy lists are loaded. Otherwise starts loading
 * them and shows a message. */
static int details_ready(struct ui *ui, const struct model_role *role)
{
    if (role->details_state == MODEL_READY)
        return 1;
    size_t i = (size_t)(role - ui->m->roles);
    if (role->details_state != MODEL_LOADING)
        model_load_role_details(ui->m, i);
    ui_message(ui, 0, "loading the policies of role %s: press the key "
               "again once they are loaded", role->name);
    return 0;
}

/* A policy ARN for value: an ARN as it is, a name as a customer managed
 * policy of the session's account. */
static int policy_arn_of(struct ui *ui, const char *value, char **arn)
{
    if (strncmp(value, "arn:", 4) == 0) {
        set(arn, value);
        return 0;
    }
    if (!ui->m->account) {
        ui_message(ui, 1, "the account id is not loaded yet: give the "
                   "policy's whole ARN");
        return -1;
    }
    char buf[512];
    snprintf(buf, sizeof(buf), "arn:aws:iam::%s:policy/%s", ui->m->account,
             value);
    set(arn, buf);
    return 0;
}

/* Stores the value picked or typed in the member of ui->action that
 * ctx points to, then previews the action. */
static int on_value(struct ui *ui, const char *value, void *ctx)
{
    char **member = ctx;
    if (!ui->action || !value)
        return ui_message(ui, 0, "cancelled: nothing was sent");
    set(member, value);
    return flow_preview(ui);
}

/* ---- IAM role actions ----------------------------------------------- */

static int on_policy_picked(struct ui *ui, const char *value, void *ctx)
{
    UNUSED(ctx);
    struct ui_action *f = ui->action;
    if (!f || !value)
        return ui_message(ui, 0, "cancelled: nothing was sent");
    if (f->kind == ACTION_DETACH_POLICY || f->kind == ACTION_DESCRIBE_POLICY)
        set(&f->policy_arn, value);
    else if (policy_arn_of(ui, value, &f->policy_arn) < 0)
        return REACT_DRAW;
    return flow_preview(ui);
}

/* Adds arn to the list unless it is there already. */
static void add_unique(const char ***list, size_t *count, size_t *cap,
                       const char *arn)
{
    for (size_t i = 0; i < *count; i++)
        if (strcmp((*list)[i], arn) == 0)
            return;
    grow((void **)list, cap, *count, sizeof(**list));
    (*list)[(*count)++] = arn;
}

/* Offers the managed policies attached to the roles whose details are
 * loaded, except those role has already.
 * TODO: list the account's policies (IAM ListPolicies) once the API
 * layer and the sandbox have it; until then others are typed. */
static int pick_policy_to_attach(struct ui *ui, const struct model_role *role)
{
    const struct model *m = ui->m;
    const char **arns = NULL;
    size_t count = 0, cap = 0;
    for (size_t i = 0; i < m->role_count; i++)
        for (size_t j = 0; j < m->roles[i].attached_count; j++)
            add_unique(&arns, &count, &cap, m->roles[i].attached_arns[j]);
    size_t kept = 0;
    for (size_t i = 0; i < count; i++) {
        int has = 0;
        for (size_t j = 0; j < role->attached_count; j++)
            has |= strcmp(arns[i], role->attached_arns[j]) == 0;
        if (!has)
            arns[kept++] = arns[i];
    }
    char title[256];
    snprintf(title, sizeof(title), "Attach a policy to %s: pick one, or "
             "/ and type a policy name or ARN, then Enter", role->name);
    int react = dialog_pick(ui, title, arns, kept, 1, on_policy_picked,
                            NULL);
    free(arns);
    return react;
}

int actions_attach_policy(struct ui *ui, struct view *v, const char *arg)
{
    UNUSED(arg);
    const struct model_role *role;
    if (!begin_on_role(ui, v, ACTION_ATTACH_POLICY, &role))
        return REACT_DRAW;
    return pick_policy_to_attach(ui, role);
}

/* Picks one of the role's attached policies for the flow's kind. */
static int pick_attached(struct ui *ui, struct view *v,
                         enum action_kind kind, const char *verb)
{
    const struct model_role *role;
    if (!begin_on_role(ui, v, kind, &role) || !details_ready(ui, role))
        return REACT_DRAW;
    if (role->attached_count == 0)
        return ui_message(ui, 1, "role %s has no managed policies",
                          role->name);
    char title[256];
    snprintf(title, sizeof(title), "%s: a managed policy of %s", verb,
             role->name);
    return dialog_pick(ui, title, (const char *const *)role->attached_arns,
                       role->attached_count, 0, on_policy_picked, NULL);
}

int actions_detach_policy(struct ui *ui, struct view *v, const char *arg)
{
    UNUSED(arg);
    return pick_attached(ui, v, ACTION_DETACH_POLICY, "Detach");
}

int actions_show_policy(struct ui *ui, struct view *v, const char *arg)
{
    UNUSED(arg);
    return pick_attached(ui, v, ACTION_DESCRIBE_POLICY, "Show the default "
                         "version");
}

/* Takes a document from path, or from $EDITOR started with start_text
 * when path is empty. Returns 0, or -1 after a message. */
static int read_document(struct ui *ui, const char *path,
                         const char *start_text, char **out)
{
    char err[1024];
    int rc = path && *path ? editor_read_file(path, out, err, sizeof(err))
                           : editor_edit(start_text, ".json", out, err,
                                         sizeof(err));
    if (rc < 0)
        ui_message(ui, 1, "%s", err);
    return rc;
}

static int on_inline_file(struct ui *ui, const char *value, void *ctx)
{
    UNUSED(ctx);
    struct ui_action *f = ui->action;
    if (!f || !value)
        return ui_message(ui, 0, "cancelled: nothing was sent");
    if (read_document(ui, value, POLICY_TEMPLATE, &f->document) < 0)
        return REACT_DRAW | REACT_ROWS;
    return REACT_ROWS | flow_preview(ui);
}

static int on_inline_name(struct ui *ui, const char *value, void *ctx)
{
    UNUSED(ctx);
    struct ui_action *f = ui->action;
    if (!f || !value)
        return ui_message(ui, 0, "cancelled: nothing was sent");
    set(&f->policy_name, value);
    return dialog_input(ui, "Inline policy document", "The path of a JSON "
                        "policy document. Leave it empty to write the "
                        "policy in $EDITOR.", "File", "", on_inline_file,
                        NULL);
}

int actions_put_inline(struct ui *ui, struct view *v, const char *arg)
{
    UNUSED(arg);
    const struct model_role *role;
    if (!begin_on_role(ui, v, ACTION_PUT_INLINE_POLICY, &role))
        return REACT_DRAW;
    char title[256];
    snprintf(title, sizeof(title), "Put an inline policy on %s", role->name);
    return dialog_input(ui, title, "The name of the inline policy: a new "
                        "name adds one, an existing name replaces it.",
                        "Policy name", "", on_inline_name, NULL);
}

static int on_new_policy_name(struct ui *ui, const char *value, void *ctx)
{
    UNUSED(ctx);
    struct ui_action *f = ui->action;
    if (!f || !value)
        return ui_message(ui, 0, "cancelled: nothing was sent");
    set(&f->policy_name, value);
    return dialog_input(ui, "Policy document", "The path of a JSON policy "
                        "document. Leave it empty to write the policy in "
                        "$EDITOR.", "File", "", on_inline_file, NULL);
}

/* A customer managed policy belongs to the account, not to the selected
 * role; A attaches it afterwards by name. */
int actions_create_policy(struct ui *ui, struct view *v, const char *arg)
{
    UNUSED(v);
    UNUSED(arg);
    if (!flow_begin(ui, ACTION_CREATE_POLICY))
        return REACT_DRAW;
    return dialog_input(ui, "Create a customer managed policy", "The name "
                        "of the new policy; attach it to a role with A "
                        "afterwards.", "Policy name", "", on_new_policy_name,
                        NULL);
}

int actions_delete_inline(struct ui *ui, struct view *v, const char *arg)
{
    UNUSED(arg);
    const struct model_role *role;
    if (!begin_on_role(ui, v, ACTION_DELETE_INLINE_POLICY, &role) ||
        !details_ready(ui, role))
        return REACT_DRAW;
    if (role->inline_count == 0)
        return ui_message(ui, 1, "role %s has no inline policies",
                          role->name);
    char title[256];
    snprintf(title, sizeof(title), "Delete an inline policy of %s",
             role->name);
    return dialog_pick(ui, title, (const char *const *)role->inline_names,
                       role->inline_count, 0, on_value,
                       &ui->action->policy_name);
}

/* The trust policy laid out as the role's description shows it, so the
 * editor starts from readable JSON. */
static char *readable_json(const char *json)
{
    struct view v = { 0 };
    struct buf b;
    buf_init(&b, EDITOR_MAX_BYTES);
    detail_add_json(&v, json, "");
    for (size_t i = 0; i < v.line_count; i++)
        if (buf_puts(&b, v.lines[i]) < 0 || buf_putc(&b, '\n') < 0)
            break;
    view_clear_lines(&v);
    return buf_take(&b);
}

int actions_edit_trust(struct ui *ui, struct view *v, const char *arg)
{
    UNUSED(arg);
    const struct model_role *role;
    struct ui_action *f = begin_on_role(ui, v, ACTION_UPDATE_TRUST_POLICY,
                                        &role);
    if (!f)
        return REACT_DRAW;
    char *start_text = readable_json(role->trust_policy ? role->trust_policy
                                                        : "");
    int rc = read_document(ui, NULL, start_text, &f->document);
    int same = rc == 0 && strcmp(f->document, start_text) == 0;
    free(start_text);
    if (rc < 0)
        return REACT_ROWS;
    if (same)
        return REACT_ROWS | ui_message(ui, 0, "the trust policy was not "
                                       "changed: nothing to send");
    return REACT_ROWS | flow_preview(ui);
}

/* ---- service account actions ---------------------------------------- */

/* Opens a picker of the loaded roles' ARNs for the flow's service
 * account; a role ARN the list lacks can be typed. */
static int pick_role_arn(struct ui *ui, const char *verb, dialog_done_fn done,
                         void *ctx)
{
    const struct ui_action *f = ui->action;
    const struct model *m = ui->m;
    const char **arns = xrealloc(NULL, (m->role_count + 1) * sizeof(*arns));
    for (size_t i = 0; i < m->role_count; i++)
        arns[i] = m->roles[i].arn;
    char title[256];
    snprintf(title, sizeof(title), "%s %s/%s with a role: pick one, or / "
             "and type a role ARN, then Enter", verb, f->namespace,
             f->service_account);
    int react = dialog_pick(ui, title, arns, m->role_count, 1, done, ctx);
    free(arns);
    return react;
}

/* Stores value in *member, or NULL when it is blank: the annotation
 * stays unset. */
static void set_optional(char **member, const char *value)
{
    free(*member);
    *member = *value ? xstrdup(value) : NULL;
}

static int on_token_expiration(struct ui *ui, const char *value, void *ctx)
{
    UNUSED(ctx);
    struct ui_action *f = ui->action;
    if (!f || !value)
        return ui_message(ui, 0, "cancelled: nothing was sent");
    set_optional(&f->token_expiration, value);
    return flow_preview(ui);
}

static int on_sts_regional(struct ui *ui, const char *value, void *ctx)
{
    UNUSED(ctx);
    struct ui_action *f = ui->action;
    if (!f || !value)
        return ui_message(ui, 0, "cancelled: nothing was sent");
    set_optional(&f->sts_regional, value);
    char help[300];
    snprintf(help, sizeof(help), "eks.amazonaws.com/token-expiration: how "
             "long the pods' projected service account token lives, in "
             "seconds from %d to %d. Leave it empty to leave it unset (the "
             "webhook's default).", ACTION_TOKEN_EXPIRATION_MIN,
             ACTION_TOKEN_EXPIRATION_MAX);
    return dialog_input(ui, "Token expiration (optional)", help, "Seconds",
                        "", on_token_expiration, NULL);
}

static int on_annotate_role(struct ui *ui, const char *value, void *ctx)
{
    UNUSED(ctx);
    struct ui_action *f = ui->action;
    if (!f || !value)
        return ui_message(ui, 0, "cancelled: nothing was sent");
    set(&f->role_arn, value);
    return dialog_input(ui, "STS regional endpoints (optional)",
                        "eks.amazonaws.com/sts-regional-endpoints: true makes "
                        "the pods' SDKs call the STS endpoint of their own "
                        "region. Type true or false, or leave it empty to "
                        "leave it unset.", "Value", "", on_sts_regional, NULL);
}

int actions_annotate(struct ui *ui, struct view *v, const char *arg)
{
    UNUSED(arg);
    if (!begin_on_sa(ui, v, ACTION_ANNOTATE_SA))
        return REACT_DRAW;
    return pick_role_arn(ui, "Annotate", on_annotate_role, NULL);
}

int actions_create_pod_identity(struct ui *ui, struct view *v,
                                const char *arg)
{
    UNUSED(arg);
    const struct model_service_account *sa = selected_sa(ui, v);
    if (sa && sa->pod_identity != MODEL_NONE)
        return ui_message(ui, 1, "%s/%s has pod identity association %s "
                          "already: delete it first (X)", sa->namespace,
                          sa->name, ui->m->pod_identities[sa->pod_identity].id);
    struct ui_action *f = begin_on_sa(ui, v, ACTION_CREATE_POD_IDENTITY);
    if (!f)
        return REACT_DRAW;
    return pick_role_arn(ui, "Associate (EKS Pod Identity)", on_value,
                         &f->role_arn);
}

int actions_delete_pod_identity(struct ui *ui, struct view *v,
                                const char *arg)
{
    UNUSED(arg);
    const struct model_service_account *sa = selected_sa(ui, v);
    if (sa && sa->pod_identity == MODEL_NONE &&
        sa->pod_status != MODEL_ROLE_UNKNOWN)
        return ui_message(ui, 1, "%s/%s has no pod identity association to "
                          "delete", sa->namespace, sa->name);
    if (!begin_on_sa(ui, v, ACTION_DELETE_POD_IDENTITY))
        return REACT_DRAW;
    return flow_preview(ui);
}

int actions_unannotate(struct ui *ui, struct view *v, const char *arg)
{
    UNUSED(arg);
    if (!begin_on_sa(ui, v, ACTION_UNANNOTATE_SA))
        return REACT_DRAW;
    return flow_preview(ui);
}

int actions_restart(struct ui *ui, struct view *v, const char *arg)
{
    UNUSED(arg);
    if (!begin_on_sa(ui, v, ACTION_RESTART_WORKLOADS))
        return REACT_DRAW;
    return flow_preview(ui);
}

int actions_delete_sa(struct ui *ui, struct view *v, const char *arg)
{
    UNUSED(arg);
    struct ui_action *f = begin_on_sa(ui, v, ACTION_DELETE_SA);
    if (!f)
        return REACT_DRAW;
    set(&f->confirm_text, f->service_account);
    return flow_preview(ui);
}

static int on_sa_named(struct ui *ui, const char *value, void *ctx)
{
    UNUSED(ctx);
    struct ui_action *f = ui->action;
    if (!f || !value)
        return ui_message(ui, 0, "cancelled: nothing was sent");
    const char *slash = strchr(value, '/');
    if (!slash || slash == value || !slash[1])
        return ui_message(ui, 1, "\"%s\" is not NAMESPACE/NAME: give both, "
                          "such as default/web", value);
    free(f->namespace);
    f->namespace = xrealloc(NULL, (size_t)(slash - value) + 1);
    snprintf(f->namespace, (size_t)(slash - value) + 1, "%s", value);
    set(&f->service_account, slash + 1);
    return flow_preview(ui);
}

int actions_create_sa(struct ui *ui, struct view *v, const char *arg)
{
    UNUSED(arg);
    size_t c = view_cluster(ui, v);
    const struct model_service_account *sa = selected_sa(ui, v);
    if (c == MODEL_NONE && sa)
        c = sa->cluster;
    if (c == MODEL_NONE || c >= ui->m->cluster_count)
        return ui_message(ui, 1, "no cluster selected: open a cluster's "
                          "service accounts first");
    struct ui_action *f = flow_begin(ui, ACTION_CREATE_SA);
    if (!f)
        return REACT_DRAW;
    set(&f->cluster, ui->m->clusters[c].name);
    char title[256], start_text[512];
    snprintf(title, sizeof(title), "Create a service account in %s",
             f->cluster);
    snprintf(start_text, sizeof(start_text), "%s/",
             sa ? sa->namespace : "default");
    return dialog_input(ui, title, "The namespace and name of the new "
                        "service account, as NAMESPACE/NAME.",
                        "Service account", start_text, on_sa_named, NULL);
}

static int on_stack_policy(struct ui *ui, const char *value, void *ctx)
{
    UNUSED(ctx);
    struct ui_action *f = ui->action;
    if (!f || !value)
        return ui_message(ui, 0, "cancelled: nothing was sent");
    if (*value && policy_arn_of(ui, value, &f->policy_arn) < 0)
        return REACT_DRAW;
    return flow_preview(ui);
}

int actions_create_role(struct ui *ui, struct view *v, const char *arg)
{
    UNUSED(arg);
    struct ui_action *f = begin_on_sa(ui, v, ACTION_CREATE_ROLE_STACK);
    if (!f)
        return REACT_DRAW;
    char title[256];
    snprintf(title, sizeof(title), "Create a role for %s/%s",
             f->namespace, f->service_account);
    return dialog_input(ui, title, "An eksctl iamserviceaccount stack "
                        "creates a role that trusts only this service "
                        "account, then the service account is annotated "
                        "with it. Give a managed policy to attach (a name "
                        "in this account or an ARN), or leave it empty.",
                        "Policy", "", on_stack_policy, NULL);
}

/* Deleting a role is not undone by a key, so the name is typed, as for
 * deleting the account. */
int actions_delete_role(struct ui *ui, struct view *v, const char *arg)
{
    UNUSED(arg);
    struct ui_action *f = begin_on_sa(ui, v, ACTION_DELETE_ROLE_STACK);
    if (!f)
        return REACT_DRAW;
    set(&f->confirm_text, f->service_account);
    return flow_preview(ui);
}

/* ---- cluster actions ---------------------------------------------------- */

int actions_associate_oidc(struct ui *ui, struct view *v, const char *arg)
{
    UNUSED(arg);
    size_t item = table_selected_item(&v->table);
    if (item >= ui->m->cluster_count)
        return ui_message(ui, 1, "no cluster selected");
    const struct model_cluster *c = &ui->m->clusters[item];
    if (!c->in_aws)
        return ui_message(ui, 1, "%s is known only from the kubeconfig: an "
                          "IAM OIDC provider needs its EKS cluster", c->name);
    if (!c->oidc_issuer)
        return ui_message(ui, 1, "EKS reports no OIDC issuer for cluster %s: "
                          "wait until it is ACTIVE, then press r", c->name);
    if (model_cluster_has_provider(ui->m, c) == 1)
        return ui_message(ui, 1, "cluster %s has an IAM OIDC provider "
                          "already: there is nothing to associate", c->name);
    struct ui_action *f = flow_begin(ui, ACTION_ASSOCIATE_OIDC);
    if (!f)
        return REACT_DRAW;
    set(&f->cluster, c->name);
    return flow_preview(ui);
}

/* ---- the policy text view ------------------------------------------- */

static void policy_title(const struct ui *ui, const struct view *v,
                         char *buf, size_t len)
{
    UNUSED(ui);
    snprintf(buf, len, "Default version of %s (Esc returns)",
             v->arn ? v->arn : "");
}

static const struct pane policy_pane = {
    .name = "policy",
    .text = 1,
    .title = policy_title,
    .columns = detail_text_columns,
    .column_count = 1,
    .item_count = detail_line_count,
    .noun = "lines",
};
