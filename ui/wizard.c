#include "wizard.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../api/buf.h"
#include "../src/clusterconfig.h"
#include "../src/files.h"
#include "../src/plan.h"
#include "../src/util.h"
#include "apply_ui.h"
#include "progress_view.h"
#include "wizard_internal.h"

/* The source name that validation messages start with. The wizard strips
 * it before showing them. */
#define SOURCE "wizard"
#define LB_CONTROLLER_NAMESPACE "kube-system"
#define LB_CONTROLLER_NAME "aws-load-balancer-controller"
#define DEFAULT_CLUSTER_NAME "my-cluster"
#define DEFAULT_NODEGROUP_NAME "ng-1"
#define REVIEW_MAX_BYTES (4u << 20)

static const struct {
    enum form_kind kind;
    const char *label;
    const char *path;
} field_defs[WF_COUNT] = {
    [WF_PROFILE] = { FORM_CHOICE, "AWS profile", NULL },
    [WF_REGION] = { FORM_CHOICE, "Region", "metadata.region" },
    [WF_NAME] = { FORM_TEXT, "Cluster name", "metadata.name" },
    [WF_VERSION] = { FORM_TEXT, "Kubernetes version", "metadata.version" },
    [WF_NODEGROUP] = { FORM_TEXT, "Node group name",
                       "managedNodeGroups[0].name" },
    [WF_INSTANCE] = { FORM_TEXT, "Instance type",
                      "managedNodeGroups[0].instanceType" },
    [WF_DESIRED] = { FORM_NUMBER, "Desired nodes",
                     "managedNodeGroups[0].desiredCapacity" },
    [WF_MIN] = { FORM_NUMBER, "Minimum nodes",
                 "managedNodeGroups[0].minSize" },
    [WF_MAX] = { FORM_NUMBER, "Maximum nodes",
                 "managedNodeGroups[0].maxSize" },
    [WF_PRIVATE] = { FORM_TOGGLE, "Private networking",
                     "managedNodeGroups[0].privateNetworking" },
    [WF_OIDC] = { FORM_TOGGLE, "OIDC provider (IRSA)", "iam.withOIDC" },
    [WF_SA_ON] = { FORM_TOGGLE, "Create it", NULL },
    [WF_SA_NAMESPACE] = { FORM_TEXT, "Namespace",
                          "iam.serviceAccounts[0].metadata.namespace" },
    [WF_SA_NAME] = { FORM_TEXT, "Name",
                     "iam.serviceAccounts[0].metadata.name" },
    [WF_PATH] = { FORM_TEXT, "Save as", NULL },
};

/* ---- field values --------------------------------------------------- */

static void set_value(struct wizard *w, enum wizard_field f, const char *s)
{
    snprintf(w->fields[f].value, sizeof(w->fields[f].value), "%s",
             s ? s : "");
}

static void set_number(struct wizard *w, enum wizard_field f, int n)
{
    snprintf(w->fields[f].value, sizeof(w->fields[f].value), "%d", n);
}

/* The node group values eksctl's defaults give a group with none set. */
static void fill_defaults(struct wizard *w)
{
    struct ccfg c;
    struct ccfg_nodegroup ng;
    memset(&c, 0, sizeof(c));
    memset(&ng, 0, sizeof(ng));
    ng.managed = 1;
    c.nodegroups = &ng;
    c.nodegroup_count = 1;
    ccfg_apply_defaults(&c);
    set_value(w, WF_VERSION, c.version);
    set_value(w, WF_INSTANCE, ng.instance_type);
    set_number(w, WF_DESIRED, ng.desired_capacity);
    set_number(w, WF_MIN, ng.min_size);
    set_number(w, WF_MAX, ng.max_size);
    w->fields[WF_PRIVATE].on = ng.private_networking;
    free(ng.instance_type);
    c.nodegroups = NULL;
    c.nodegroup_count = 0;
    ccfg_cleanup(&c);
}

void wizard_init(struct wizard *w, const struct ui *ui)
{
    memset(w, 0, sizeof(*w));
    for (int f = 0; f < WF_COUNT; f++) {
        w->fields[f].kind = field_defs[f].kind;
        w->fields[f].label = field_defs[f].label;
        w->fields[f].path = field_defs[f].path;
    }
    const struct aws_session *s = &ui->m->aws;
    set_value(w, WF_PROFILE, ui->m->aws_ready && s->profile ? s->profile
                                                          : "default");
    size_t count;
    const char *buf[64];
    const char *const *regions = wizard_regions(ui, buf, 64, &count);
    set_value(w, WF_REGION, count ? regions[0] : "");
    set_value(w, WF_NAME, DEFAULT_CLUSTER_NAME);
    set_value(w, WF_NODEGROUP, DEFAULT_NODEGROUP_NAME);
    fill_defaults(w);
    /* IRSA needs the OIDC provider, and the load balancer controller's
     * role is the first thing a newcomer gives a service account. */
    w->fields[WF_OIDC].on = 1;
    w->fields[WF_SA_ON].on = 1;
    set_value(w, WF_SA_NAMESPACE, LB_CONTROLLER_NAMESPACE);
    set_value(w, WF_SA_NAME, LB_CONTROLLER_NAME);
    wizard_check(w);
}

const char *const *wizard_regions(const struct ui *ui, const char **buf,
                                  size_t cap, size_t *count)
{
    size_t n = 0;
    const char *session = ui->m->aws_ready ? ui->m->aws.region : NULL;
    if (session && n < cap)
        buf[n++] = session;
    for (size_t i = 0; i < ui->m->region_count && n < cap; i++)
        if (!session || strcmp(ui->m->regions[i], session) != 0)
            buf[n++] = ui->m->regions[i];
    *count = n;
    return buf;
}

/* ---- the ClusterConfig and its validation --------------------------- */

static char *text_or_null(const struct wizard *w, enum wizard_field f)
{
    return w->fields[f].value[0] ? xstrdup(w->fields[f].value) : NULL;
}

/* Sets *out and the given bit from a number field. An empty field is left
 * to eksctl's defaults, and anything but a whole number is an error. */
static void read_count(const struct wizard *w, enum wizard_field f, int *out,
                       unsigned bit, unsigned *given,
                       struct ccfg_errors *errors)
{
    const char *s = w->fields[f].value;
    if (!*s)
        return;
    char *end;
    errno = 0;
    long n = strtol(s, &end, 10);
    if (*end || errno || n < -1000000 || n > 1000000) {
        ccfg_errors_add(errors, SOURCE, 0, "%s: \"%s\" is not a whole number",
                        w->fields[f].path, s);
        return;
    }
    *out = (int)n;
    *given |= bit;
}

static void build_nodegroup(const struct wizard *w, struct ccfg *c,
                            struct ccfg_errors *errors)
{
    c->nodegroups = xrealloc(NULL, sizeof(*c->nodegroups));
    c->nodegroup_count = 1;
    struct ccfg_nodegroup *ng = &c->nodegroups[0];
    memset(ng, 0, sizeof(*ng));
    ng->managed = 1;
    ng->name = text_or_null(w, WF_NODEGROUP);
    ng->instance_type = text_or_null(w, WF_INSTANCE);
    if (ng->instance_type)
        ng->given |= CCFG_NG_DEF_INSTANCE_TYPE;
    read_count(w, WF_DESIRED, &ng->desired_capacity, CCFG_NG_DEF_DESIRED,
               &ng->given, errors);
    read_count(w, WF_MIN, &ng->min_size, CCFG_NG_DEF_MIN, &ng->given, errors);
    read_count(w, WF_MAX, &ng->max_size, CCFG_NG_DEF_MAX, &ng->given, errors);
    ng->private_networking = w->fields[WF_PRIVATE].on;
    ng->given |= CCFG_NG_DEF_PRIVATE;
}

/* The ClusterConfig the fields describe, with eksctl's defaults filled
 * in and every problem in errors. The caller frees c with ccfg_cleanup. */
static void build(const struct wizard *w, struct ccfg *c,
                  struct ccfg_errors *errors)
{
    memset(c, 0, sizeof(*c));
    c->source = xstrdup(SOURCE);
    c->name = text_or_null(w, WF_NAME);
    c->region = text_or_null(w, WF_REGION);
    c->version = text_or_null(w, WF_VERSION);
    c->with_oidc = w->fields[WF_OIDC].on;
    c->given |= CCFG_DEF_OIDC;
    build_nodegroup(w, c, errors);
    if (w->fields[WF_SA_ON].on) {
        c->service_accounts = xrealloc(NULL, sizeof(*c->service_accounts));
        c->service_account_count = 1;
        struct ccfg_service_account *sa = &c->service_accounts[0];
        memset(sa, 0, sizeof(*sa));
        sa->name = text_or_null(w, WF_SA_NAME);
        sa->namespace_name = text_or_null(w, WF_SA_NAMESPACE);
        sa->lb_controller = 1;
    }
    ccfg_apply_defaults(c);
    ccfg_validate(c, errors);
}

static void append_line(char **to, const char *line, size_t len)
{
    size_t old = *to ? strlen(*to) : 0;
    *to = xrealloc(*to, old + len + 2);
    if (old)
        (*to)[old++] = '\n';
    memcpy(*to + old, line, len);
    (*to)[old + len] = '\0';
}

static int starts_with_path(const char *message, const char *path)
{
    size_t n = path ? strlen(path) : 0;
    return n && strncmp(message, path, n) == 0 && message[n] == ':';
}

static enum wizard_screen screen_of(const char *message)
{
    if (strncmp(message, "metadata.region", 15) == 0)
        return WS_ACCOUNT;
    if (strncmp(message, "iam.serviceAccounts", 19) == 0)
        return WS_SERVICE_ACCOUNT;
    return WS_CLUSTER;
}

/* Files one "wizard: PATH: RULE" message under its field or screen. */
static void file_message(struct wizard *w, const char *line, size_t len)
{
    size_t skip = strlen(SOURCE ": ");
    if (len >= skip && strncmp(line, SOURCE ": ", skip) == 0) {
        line += skip;
        len -= skip;
    }
    char message[1024];
    snprintf(message, sizeof(message), "%.*s", (int)len, line);
    for (int f = 0; f < WF_COUNT; f++)
        if (starts_with_path(message, w->fields[f].path)) {
            append_line(&w->messages[f], message, strlen(message));
            return;
        }
    append_line(&w->screen_messages[screen_of(message)], message,
                strlen(message));
}

static void clear_messages(struct wizard *w)
{
    for (int f = 0; f < WF_COUNT; f++) {
        free(w->messages[f]);
        w->messages[f] = NULL;
    }
    for (int s = 0; s < WS_COUNT; s++) {
        free(w->screen_messages[s]);
        w->screen_messages[s] = NULL;
    }
}

void wizard_check(struct wizard *w)
{
    struct ccfg c;
    struct ccfg_errors errors;
    ccfg_errors_init(&errors);
    build(w, &c, &errors);
    ccfg_cleanup(&c);
    clear_messages(w);
    const char *text = errors.text.data ? errors.text.data : "";
    while (*text) {
        size_t len = strcspn(text, "\n");
        file_message(w, text, len);
        text += len + (text[len] == '\n');
    }
    ccfg_errors_cleanup(&errors);
}

int wizard_screen_valid(const struct wizard *w, enum wizard_screen s)
{
    if (w->screen_messages[s])
        return 0;
    const struct wizard_screen_def *def = &wizard_screens[s];
    for (size_t i = 0; i < def->field_count; i++)
        if (w->messages[def->fields[i]])
            return 0;
    return 1;
}

/* ---- review, save, apply -------------------------------------------- */

static void review_add(struct wizard *w, const char *text, size_t len)
{
    w->review = xrealloc(w->review, (w->review_count + 1) *
                                        sizeof(*w->review));
    char *line = xrealloc(NULL, len + 1);
    memcpy(line, text, len);
    line[len] = '\0';
    w->review[w->review_count++] = line;
}

static void review_add_text(struct wizard *w, const char *text)
{
    while (*text) {
        size_t len = strcspn(text, "\n");
        review_add(w, text, len);
        text += len + (text[len] == '\n');
    }
}

static void review_clear(struct wizard *w)
{
    for (size_t i = 0; i < w->review_count; i++)
        free(w->review[i]);
    free(w->review);
    w->review = NULL;
    w->review_count = w->review_top = 0;
}

/* The plan as plan_print_text() prints it for `apply --dry-run`. */
static char *plan_text(const struct ccfg *c)
{
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    if (!out)
        return NULL;
    struct plan p;
    plan_build_create(&p, c, NULL);
    plan_print_text(out, c, &p, 0);
    plan_cleanup(&p);
    fclose(out);
    return text;
}

/* Adds the plan of the YAML as read back, so that the review shows the
 * plan of the very file the save screen writes. */
static void review_add_plan(struct wizard *w, const struct buf *yaml)
{
    struct ccfg loaded;
    struct ccfg_errors errors;
    ccfg_errors_init(&errors);
    if (ccfg_load_string(&loaded, SOURCE, yaml->data, yaml->len,
                         &errors) < 0) {
        review_add_text(w, "(the YAML does not read back:)");
        review_add_text(w, errors.text.data ? errors.text.data : "");
        ccfg_errors_cleanup(&errors);
        return;
    }
    char *plan = plan_text(&loaded);
    review_add_text(w, plan ? plan : "(the plan could not be printed)");
    free(plan);
    ccfg_cleanup(&loaded);
    ccfg_errors_cleanup(&errors);
}

void wizard_make_review(struct wizard *w)
{
    struct ccfg c;
    struct ccfg_errors errors;
    struct buf yaml;
    review_clear(w);
    ccfg_errors_init(&errors);
    buf_init(&yaml, REVIEW_MAX_BYTES);
    build(w, &c, &errors);
    review_add_text(w, "--- ClusterConfig, as the next screen saves it ---");
    if (ccfg_write(&c, &yaml) == 0 && yaml.data) {
        review_add_text(w, yaml.data);
        review_add_text(w, "--- Plan, as albatross apply -f FILE --dry-run "
                           "prints it ---");
        review_add_plan(w, &yaml);
    } else {
        review_add_text(w, "(the YAML could not be made: out of memory)");
    }
    buf_cleanup(&yaml);
    ccfg_cleanup(&c);
    ccfg_errors_cleanup(&errors);
}

/* Writes path to out, with a leading "~/" made absolute from $HOME. */
static void expand_home(const char *path, char *out, size_t len)
{
    const char *home = getenv("HOME");
    if (strncmp(path, "~/", 2) == 0 && home && *home)
        snprintf(out, len, "%s/%s", home, path + 2);
    else
        snprintf(out, len, "%s", path);
}

static int save_yaml(struct wizard *w, const char *path)
{
    struct ccfg c;
    struct ccfg_errors errors;
    struct buf yaml;
    ccfg_errors_init(&errors);
    buf_init(&yaml, REVIEW_MAX_BYTES);
    build(w, &c, &errors);
    int rc = -1;
    if (errors.count)
        snprintf(w->note, sizeof(w->note), "not saved: the config has %zu "
                 "problems; go back and fix the fields marked", errors.count);
    else if (ccfg_write(&c, &yaml) < 0 || !yaml.data)
        snprintf(w->note, sizeof(w->note), "not saved: out of memory");
    else if (files_write(path, yaml.data, yaml.len) < 0)
        snprintf(w->note, sizeof(w->note), "cannot write %s: %s; choose "
                 "another path", path, strerror(errno));
    else
        rc = 0;
    buf_cleanup(&yaml);
    ccfg_cleanup(&c);
    ccfg_errors_cleanup(&errors);
    return rc;
}

int wizard_save(struct wizard *w)
{
    char path[FORM_VALUE_MAX + 4096];
    w->note_is_error = 1;
    if (!w->fields[WF_PATH].value[0]) {
        snprintf(w->note, sizeof(w->note), "give a file name to save to");
        return -1;
    }
    expand_home(w->fields[WF_PATH].value, path, sizeof(path));
    struct stat st;
    if (stat(path, &st) == 0 && strcmp(w->overwrite, path) != 0 &&
        strcmp(w->saved, path) != 0) {
        snprintf(w->overwrite, sizeof(w->overwrite), "%s", path);
        snprintf(w->note, sizeof(w->note), "%s exists: press Enter again to "
                 "replace it, or change the name", path);
        return -1;
    }
    w->overwrite[0] = '\0';
    if (save_yaml(w, path) < 0)
        return -1;
    w->note_is_error = 0;
    snprintf(w->saved, sizeof(w->saved), "%s", path);
    snprintf(w->note, sizeof(w->note), "saved %s (mode 0600); eksctl and "
             "albatross apply -f read it", path);
    return 0;
}

int wizard_apply(struct ui *ui, struct wizard *w)
{
    /* The file applied is the one reviewed: saved again from the fields,
     * which may have changed since the save screen. */
    if (wizard_save(w) < 0)
        return REACT_DRAW;
    return apply_ui_start(ui, w->saved, 0);
}

/* ---- lifetime ------------------------------------------------------- */

int wizard_open(struct ui *ui)
{
    if (!ui->wizard) {
        ui->wizard = xrealloc(NULL, sizeof(*ui->wizard));
        wizard_init(ui->wizard, ui);
    }
    /* A run the last session left unfinished comes first. */
    int react = apply_ui_offer_resume(ui);
    if (ui_top(ui)->pane == &wizard_pane)
        return react;
    struct view v = {
        .pane = &wizard_pane,
        .cluster = MODEL_NONE,
        .role = MODEL_NONE,
    };
    return react | ui_push(ui, &v);
}

void wizard_free(struct wizard *w)
{
    if (!w)
        return;
    clear_messages(w);
    review_clear(w);
    free(w);
}
