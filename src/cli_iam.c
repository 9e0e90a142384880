/*
 * albatross create policy, attach policy, detach policy, delete role,
 * associate oidc-provider (cli_oidc.c):
 * option parsing, the session and event loop they share with create
 * role (cli_iam_role.c), and dry runs that print each call instead of
 * sending it.
 */
#include "cli_iam.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "../api/iam.h"
#include "../api/log.h"
#include "cli.h"
#include "cli_action.h"
#include "files.h"
#include "output.h"

#define EXIT_USAGE 2
#define POLICY_FILE_MAX (1024 * 1024)  /* IAM's own limit is far lower */

enum { OPT_SERVICEACCOUNT = CLI_IAM_OPT_OWN, OPT_POLICY, OPT_ROLE,
       OPT_DESCRIPTION, OPT_INLINE, OPT_TRUST_POLICY, OPT_STACK,
       OPT_SERVICE_ACCOUNT, OPT_POLL };

static const struct option options[] = {
    CLI_IAM_COMMON_OPTIONS,
    {"serviceaccount", required_argument, NULL, OPT_SERVICEACCOUNT},
    {"policy", required_argument, NULL, OPT_POLICY},
    {"role", required_argument, NULL, OPT_ROLE},
    {"file", required_argument, NULL, 'f'},
    {"description", required_argument, NULL, OPT_DESCRIPTION},
    {"inline", no_argument, NULL, OPT_INLINE},
    {"trust-policy", required_argument, NULL, OPT_TRUST_POLICY},
    {"stack", no_argument, NULL, OPT_STACK},
    {"service-account", required_argument, NULL, OPT_SERVICE_ACCOUNT},
    {"poll-interval", required_argument, NULL, OPT_POLL},
    {NULL, 0, NULL, 0},
};

static const char usage_text[] =
"usage: albatross create policy NAME -f POLICY.json [--description TEXT]\n"
"       albatross attach policy ARN --role NAME\n"
"       albatross detach policy ARN --role NAME\n"
"       albatross create role NAME --cluster CLUSTER --namespace NS\n"
"                 --serviceaccount SA [--policy ARN ...]\n"
"       albatross delete role NAME\n"
"       albatross create role [NAME] --stack --cluster CLUSTER\n"
"                 --service-account NS/SA [--policy ARN ...]\n"
"       albatross delete role --stack --cluster CLUSTER\n"
"                 --service-account NS/SA\n"
"       albatross put policy NAME --role ROLE -f POLICY.json\n"
"       albatross delete policy NAME --inline --role ROLE\n"
"       albatross update role NAME --trust-policy POLICY.json\n"
"       albatross describe policy ARN\n"
"       albatross associate oidc-provider --cluster CLUSTER [--region R]\n"
"\n"
"create role makes an IAM role that service account NS/SA of the EKS\n"
"cluster may assume through IRSA: its trust policy names the cluster's\n"
"IAM OIDC provider and that service account only. --policy attaches a\n"
"managed policy to it (up to 10). With --stack the role is made as\n"
"eksctl's iamserviceaccount stack (eksctl-CLUSTER-addon-iamserviceaccount-\n"
"NS-SA), which eksctl can list and delete, and the service account is\n"
"annotated with it (created when missing); NAME is then optional.\n"
"delete role --stack undoes that as eksctl delete iamserviceaccount\n"
"does: it deletes the stack, waits until it is gone, then removes the\n"
"annotation if it still names the stack's role.\n"
"\n"
"put policy sets an inline policy of a role, delete policy --inline\n"
"removes one, update role --trust-policy replaces a role's trust policy;\n"
"their --dry-run reads the current document and prints a diff. describe\n"
"policy prints a managed policy's default version and its statements.\n"
"\n"
"associate oidc-provider registers the cluster's OIDC issuer with IAM,\n"
"as eksctl utils associate-iam-oidc-provider --approve does: the SHA-1\n"
"thumbprint of the last certificate the issuer sends, client id\n"
"sts.amazonaws.com and eksctl's tags, then tags the cluster\n"
"alpha.eksctl.io/cluster-oidc-enabled=true. A cluster that has a\n"
"provider already is left as it is.\n"
"\n"
"options:\n"
"  -f, --file PATH      the policy document, JSON\n"
"  --description TEXT   the policy's description\n"
"  --role NAME          the role of attach, detach, put and delete policy\n"
"  --service-account NS/SA  the same as --namespace NS --serviceaccount SA\n"
"  --poll-interval MS   create and delete role --stack: between polls\n"
"                       of the stack\n"
"                       (default: 2000)\n"
"  --dry-run            print the calls that would change the account,\n"
"                       with their documents, and send none of them;\n"
"                       create role still reads the cluster and the OIDC\n"
"                       providers to build its trust policy\n"
"  --profile NAME       AWS profile (default: $AWS_PROFILE, then default)\n"
"  --region NAME        the cluster's region (create role, associate)\n"
"  --readonly           reject every call that would change something\n"
"  --log PATH, --debug  as for albatross --help\n";

/* "--name" of option code opt, for messages. */
static const char *option_name(int opt)
{
    static char name[40];
    for (size_t i = 0; options[i].name; i++)
        if (options[i].val == opt) {
            snprintf(name, sizeof(name), "--%s", options[i].name);
            return name;
        }
    return "that option";
}

/* Whether option opt applies to c's command, for usage errors. */
static int is(const struct cli_iam *c, const char *verb, const char *noun)
{
    return !strcmp(c->verb, verb) && !strcmp(c->noun, noun);
}

static int option_allowed(const struct cli_iam *c, int opt)
{
    int create_role = is(c, "create", "role");
    int role_stack = create_role || is(c, "delete", "role");
    switch (opt) {
    case CLI_IAM_OPT_CLUSTER:
        return role_stack || !strcmp(c->verb, "associate");
    case OPT_STACK: case OPT_SERVICE_ACCOUNT: case OPT_POLL:
        return role_stack;
    case 'n': case OPT_SERVICEACCOUNT: case OPT_POLICY:
        return create_role;
    case 'f':
        return is(c, "create", "policy") || is(c, "put", "policy");
    case OPT_DESCRIPTION:
        return is(c, "create", "policy");
    case OPT_ROLE:
        return !strcmp(c->verb, "attach") || !strcmp(c->verb, "detach") ||
               is(c, "put", "policy") || is(c, "delete", "policy");
    case OPT_INLINE:
        return is(c, "delete", "policy");
    case OPT_TRUST_POLICY:
        return is(c, "update", "role");
    default:
        return 1;
    }
}

static int usage_error(struct cli_iam *c, const char *fmt, const char *value)
{
    char message[1024];
    snprintf(message, sizeof(message), fmt, value);
    output_error(c->err, "%s; see albatross %s %s --help", message,
                 c->verb ? c->verb : "create", c->noun ? c->noun : "role");
    return EXIT_USAGE;
}

/* --service-account NS/SA; returns -1 to go on, or an exit status. */
static int split_service_account(struct cli_iam *c, const char *arg)
{
    const char *slash = strchr(arg, '/');
    if (!slash || slash == arg || !slash[1] || strchr(slash + 1, '/') ||
        (size_t)(slash - arg) >= sizeof(c->sa_namespace))
        return usage_error(c, "invalid --service-account \"%s\": use "
                           "NAMESPACE/NAME", arg);
    snprintf(c->sa_namespace, sizeof(c->sa_namespace), "%.*s",
             (int)(slash - arg), arg);
    c->namespace = c->sa_namespace;
    c->serviceaccount = slash + 1;
    return -1;
}

static int parse_poll(struct cli_iam *c, const char *arg)
{
    char *end;
    c->poll_ms = strtol(arg, &end, 10);
    if (*end || end == arg || c->poll_ms < 1 || c->poll_ms > 600000)
        return usage_error(c, "invalid --poll-interval \"%s\": use "
                           "milliseconds from 1 to 600000", arg);
    return -1;
}

int cli_iam_take_common(struct cli_iam *c, int opt, const char *arg)
{
    switch (opt) {
    case CLI_IAM_OPT_PROFILE: c->profile = arg; break;
    case CLI_IAM_OPT_REGION: c->region = arg; break;
    case CLI_IAM_OPT_READONLY: c->readonly = 1; break;
    case CLI_IAM_OPT_LOG: c->log_path = arg; break;
    case CLI_IAM_OPT_DEBUG: c->debug = 1; break;
    case CLI_IAM_OPT_CLUSTER: c->cluster = arg; break;
    case 'n': c->namespace = arg; break;
    case CLI_IAM_OPT_DRY_RUN: c->dry_run = 1; break;
    default: return 0;
    }
    return 1;
}

/* Returns -1 to go on, or an exit status. */
static int take_option(struct cli_iam *c, int opt)
{
    if (cli_iam_take_common(c, opt, optarg))
        return -1;
    switch (opt) {
    case OPT_SERVICEACCOUNT: c->serviceaccount = optarg; break;
    case OPT_ROLE: c->role = optarg; break;
    case 'f': c->file = optarg; break;
    case OPT_DESCRIPTION: c->description = optarg; break;
    case OPT_INLINE: c->inline_policy = 1; break;
    case OPT_TRUST_POLICY: c->file = optarg; break;
    case OPT_STACK: c->stack = 1; break;
    case OPT_SERVICE_ACCOUNT: return split_service_account(c, optarg);
    case OPT_POLL: return parse_poll(c, optarg);
    case OPT_POLICY:
        if (c->policy_count == CLI_IAM_MAX_POLICIES)
            return usage_error(c, "too many --policy options: IAM attaches "
                               "at most %s managed policies to a role", "10");
        c->policies[c->policy_count++] = optarg;
        break;
    case 'h':
        fputs(usage_text, c->out);
        return 0;
    default:
        /* getopt has printed what was wrong. */
        fputs("see albatross create role --help\n", c->err);
        return EXIT_USAGE;
    }
    return -1;
}

void cli_iam_find_command(int argc, char **argv, const struct option *opts,
                          const char *shorts, const char **verb,
                          const char **noun)
{
    *verb = *noun = NULL;
    for (int i = 1; i < argc && !*noun; i++) {
        const char *a = argv[i];
        int takes_value = a[0] == '-' && a[1] && a[1] != '-' && !a[2] &&
                          strchr(shorts, a[1]);
        for (size_t k = 0; opts[k].name && !takes_value; k++)
            takes_value = opts[k].has_arg == required_argument &&
                          !strncmp(a, "--", 2) && !strcmp(a + 2, opts[k].name);
        if (takes_value) {
            i++;
            continue;
        }
        if (a[0] == '-')
            continue;
        if (!*verb)
            *verb = a;
        else
            *noun = a;
    }
}

int cli_iam_is_command(int argc, char **argv)
{
    static const char *const commands[][2] = {
        {"create", "policy"}, {"create", "role"}, {"attach", "policy"},
        {"detach", "policy"}, {"delete", "role"}, {"put", "policy"},
        {"delete", "policy"}, {"update", "role"}, {"describe", "policy"},
        {"associate", "oidc-provider"},
    };
    const char *verb, *noun;
    cli_iam_find_command(argc, argv, options, "nf", &verb, &noun);
    for (size_t i = 0; verb && noun &&
                       i < sizeof(commands) / sizeof(commands[0]); i++)
        if (!strcmp(verb, commands[i][0]) && !strcmp(noun, commands[i][1]))
            return 1;
    return 0;
}

static int parse(struct cli_iam *c, int argc, char **argv)
{
    int opt;
    cli_iam_find_command(argc, argv, options, "nf", &c->verb, &c->noun);
    optind = 1;
    opterr = 1;
    while ((opt = getopt_long(argc, argv, "hn:f:", options, NULL)) != -1) {
        if (!option_allowed(c, opt))
            return usage_error(c, "option %s does not apply to this "
                               "command", option_name(opt));
        int rc = take_option(c, opt);
        if (rc >= 0)
            return rc;
    }
    /* Arguments left: VERB NOUN NAME, or VERB NOUN for associate and
     * for a stack, which names its own role. */
    if (!strcmp(c->verb, "associate")) {
        if (argc - optind > 2)
            return usage_error(c, "unexpected argument \"%s\"",
                               argv[optind + 2]);
        c->name = c->cluster ? c->cluster : "";
        return -1;
    }
    if (argc - optind == 2 && c->stack && !strcmp(c->noun, "role"))
        return -1;
    if (argc - optind < 3)
        return usage_error(c, "%s needs a name or ARN", c->noun);
    if (argc - optind > 3)
        return usage_error(c, "unexpected argument \"%s\"",
                           argv[optind + 3]);
    c->name = argv[optind + 2];
    return -1;
}

int cli_iam_connect(struct cli_iam *c)
{
    char err[1024];
    struct aws_session_options opt = {
        .profile = c->profile, .region = c->region, .readonly = c->readonly,
    };
    c->http = http_client_new();
    if (!c->http) {
        output_error(c->err, "cannot start the HTTP client");
        return 1;
    }
    if (http_client_configure(c->http, err, sizeof(err)) < 0 ||
        aws_session_init(&c->aws, c->http, &opt, err, sizeof(err)) < 0) {
        output_error(c->err, "%s", err);
        return 1;
    }
    c->connected = 1;
    return 0;
}

int cli_iam_wait(struct cli_iam *c, const int *done)
{
    while (!*done)
        if (http_wait(c->http, NULL, NULL, 0, 1000) < 0) {
            output_error(c->err, "the HTTP client failed while it waited "
                         "for AWS");
            return 1;
        }
    return 0;
}

void cli_iam_on_write(const struct iam_write_result *res,
                      const struct api_error *err, void *ctx)
{
    struct cli_iam_outcome *o = ctx;
    o->done = 1;
    o->failed = err != NULL;
    if (err)
        o->err = *err;
    else if (res->arn)
        snprintf(o->arn, sizeof(o->arn), "%s", res->arn);
}

void cli_iam_fail(struct cli_iam *c, const char *what,
                  const struct api_error *err)
{
    output_error(c->err, "%s failed: %s: %s", what, err->code, err->message);
}

/* Writes s, one line at a time, indented, with each leading tab as two
 * spaces (cJSON indents with tabs) and what a terminal would act on
 * replaced. */
static void put_indented(FILE *out, const char *s, const char *indent)
{
    while (*s) {
        size_t len = strcspn(s, "\n");
        size_t tabs = strspn(s, "\t");
        tabs = tabs < len ? tabs : len;
        char *line = strndup(s + tabs, len - tabs);
        for (char *p = line; p && *p; p++)
            if (*p == '\t')
                *p = ' ';
        fputs(indent, out);
        for (size_t i = 0; i < tabs; i++)
            fputs("  ", out);
        output_put_text(out, line ? line : "");
        fputc('\n', out);
        free(line);
        s += len + (s[len] == '\n');
    }
}

void cli_iam_print_call(FILE *out, const char *operation,
                        const char *const *fields, size_t field_count,
                        const char *document_name, const char *document)
{
    fprintf(out, "IAM %s\n", operation);
    for (size_t i = 0; i + 1 < field_count; i += 2) {
        if (!fields[i + 1])
            continue;
        fprintf(out, "  %s: ", fields[i]);
        output_put_text(out, fields[i + 1]);
        fputc('\n', out);
    }
    if (!document)
        return;
    cJSON *doc = cJSON_Parse(document);
    char *pretty = doc ? cJSON_Print(doc) : NULL;
    fprintf(out, "  %s:\n", document_name);
    put_indented(out, pretty ? pretty : document, "    ");
    free(pretty);
    cJSON_Delete(doc);
}

/* ---- create policy ---- */

/* Reads c->file whole into *text; returns 0, or 1 after printing why. */
static int read_policy_file(struct cli_iam *c, char **text)
{
    FILE *f = fopen(c->file, "r");
    if (!f) {
        output_error(c->err, "cannot read policy file %s: %s", c->file,
                     strerror(errno));
        return 1;
    }
    char *buf = malloc(POLICY_FILE_MAX + 1);
    size_t len = buf ? fread(buf, 1, POLICY_FILE_MAX + 1, f) : 0;
    int failed = !buf || ferror(f);
    fclose(f);
    if (failed || len > POLICY_FILE_MAX) {
        output_error(c->err, "cannot read policy file %s: %s", c->file,
                     !buf ? "out of memory" : failed ? "read error or a "
                     "directory" : "larger than 1 MiB, and IAM accepts "
                     "6144 characters");
        free(buf);
        return 1;
    }
    buf[len] = '\0';
    *text = buf;
    return 0;
}

/* What is wrong at offset pos of text, where the parser stopped, in
 * words. */
static void describe_json_error(const char *text, size_t pos, char *out,
                                size_t len)
{
    size_t before = pos;
    while (before > 0 && strchr(" \t\r\n", text[before - 1]))
        before--;
    char prev = before > 0 ? text[before - 1] : '\0';
    char here = text[pos];
    if (!here)
        snprintf(out, len, "the file ends inside the JSON document (a "
                 "missing } or ], or an unclosed string)");
    else if (prev == ',' && strchr("}]", here))
        snprintf(out, len, "a comma before '%c': JSON allows no trailing "
                 "comma", here);
    else if (here == '\'' || (pos > 0 && text[pos - 1] == '\''))
        snprintf(out, len, "a single quote: JSON strings use double quotes");
    else
        snprintf(out, len, "unexpected character '%c'", here);
}

/* Checks that text is a JSON object with a Statement; returns 0, or 1
 * after printing the file, line, column and what is wrong. */
static int check_policy_json(struct cli_iam *c, const char *text)
{
    const char *end = NULL;
    cJSON *doc = cJSON_ParseWithOpts(text, &end, 1);
    if (!doc) {
        const char *at = end && end >= text ? end : text;
        int line = 1, column = 1;
        for (const char *p = text; p < at; p++) {
            column = *p == '\n' ? 1 : column + 1;
            line += *p == '\n';
        }
        char what[160];
        describe_json_error(text, (size_t)(at - text), what, sizeof(what));
        output_error(c->err, "%s:%d:%d: invalid JSON: %s; fix the policy "
                     "document and run the command again", c->file, line,
                     column, what);
        return 1;
    }
    int ok = cJSON_IsObject(doc) && cJSON_HasObjectItem(doc, "Statement");
    cJSON_Delete(doc);
    if (!ok)
        output_error(c->err, "%s: not an IAM policy: it needs the form "
                     "{\"Version\": \"2012-10-17\", \"Statement\": [...]}",
                     c->file);
    return ok ? 0 : 1;
}

/* ---- attach, detach, delete ---- */

int cli_iam_valid_policy_arn(const char *arn)
{
    return strncmp(arn, "arn:", 4) == 0 && strstr(arn, ":iam::") &&
           strstr(arn, ":policy/");
}

/* The model an action runs on: this command's profile, region and
 * --readonly. Returns 0, or 1 after printing why it failed. */
int cli_iam_model(struct cli_iam *c, struct model *m)
{
    char why[1024];
    struct model_options mo = {
        .profile = c->profile, .region = c->region, .readonly = c->readonly,
        .cluster = c->cluster,
    };
    if (model_init(m, &mo, why, sizeof(why)) == 0)
        return 0;
    output_error(c->err, "%s", why);
    return 1;
}

static int attach_or_detach(struct cli_iam *c)
{
    int attach = !strcmp(c->verb, "attach");
    if (!c->role)
        return usage_error(c, "%s policy needs --role NAME", c->verb);
    if (!cli_iam_valid_policy_arn(c->name))
        return usage_error(c, "invalid policy ARN \"%s\": use "
                           "arn:aws:iam::ACCOUNT:policy/NAME, as create "
                           "policy prints it", c->name);
    struct action a = {
        .kind = attach ? ACTION_ATTACH_POLICY : ACTION_DETACH_POLICY,
        .role = c->role, .policy_arn = c->name,
    };
    struct model m;
    if (cli_iam_model(c, &m))
        return 1;
    int rc = cli_action_run(&m, &a, c->dry_run, c->out, c->err, NULL, NULL);
    model_cleanup(&m);
    if (rc || c->dry_run)
        return rc;
    fprintf(c->out, "%s ", attach ? "attached" : "detached");
    output_put_text(c->out, c->name);
    fprintf(c->out, " %s role ", attach ? "to" : "from");
    output_put_text(c->out, c->role);
    fputc('\n', c->out);
    return 0;
}

struct details_wait {
    int done;
    int failed;
};

static void on_details(struct iam_role *role, const struct api_error *err,
                       void *ctx)
{
    (void)role;
    struct details_wait *w = ctx;
    w->done = 1;
    w->failed = err != NULL;
}

/* After DeleteConflict: names the policies that keep the role, and how
 * to remove them. */
static void explain_delete_conflict(struct cli_iam *c)
{
    struct iam_role role = {.name = strdup(c->name)};
    struct details_wait w = {0};
    if (role.name) {
        iam_load_role_details(&c->aws, &role, on_details, &w);
        cli_iam_wait(c, &w.done);
    }
    for (size_t i = 0; !w.failed && i < role.attached_count; i++)
        output_error(c->err, "role %s has managed policy %s attached: "
                     "albatross detach policy %s --role %s", c->name,
                     role.attached[i].arn, role.attached[i].arn, c->name);
    for (size_t i = 0; !w.failed && i < role.inline_count; i++)
        output_error(c->err, "role %s has inline policy %s: aws iam "
                     "delete-role-policy --role-name %s --policy-name %s",
                     c->name, role.inline_names[i], c->name,
                     role.inline_names[i]);
    iam_role_cleanup(&role);
}

/* ---- the commands on the action layer ---- */

/* Runs a on a model made from c's options; with open_cluster, after the
 * cluster is open (Kubernetes calls, the cluster's issuer). Returns the
 * exit status; *result as cli_action_run. */
static int run_action(struct cli_iam *c, const struct action *a,
                      int open_cluster, char **result,
                      struct api_error *error)
{
    struct model m;
    if (cli_iam_model(c, &m))
        return 1;
    int rc = open_cluster && cli_open_cluster(&m, c->err) ? 1
             : cli_action_run(&m, a, c->dry_run, c->out, c->err, result,
                              error);
    model_cleanup(&m);
    return rc;
}

/* Reads and checks -f or --trust-policy into *document; returns 0, or
 * the exit status after printing why. */
static int read_document(struct cli_iam *c, const char *needs,
                         char **document)
{
    *document = NULL;
    if (!c->file)
        return usage_error(c, needs, c->name);
    if (read_policy_file(c, document) || check_policy_json(c, *document)) {
        free(*document);
        *document = NULL;
        return 1;
    }
    return 0;
}

static void say_done(struct cli_iam *c, const char *fmt, const char *a,
                     const char *b)
{
    char line[1200];
    snprintf(line, sizeof(line), fmt, a, b);
    output_put_text(c->out, line);
    fputc('\n', c->out);
}

static int put_policy(struct cli_iam *c)
{
    char *document;
    if (!c->role)
        return usage_error(c, "put policy %s needs --role NAME", c->name);
    int rc = read_document(c, "put policy %s needs -f POLICY.json",
                           &document);
    if (rc)
        return rc;
    struct action a = {
        .kind = ACTION_PUT_INLINE_POLICY, .role = c->role,
        .policy_name = c->name, .document = document,
    };
    rc = run_action(c, &a, 0, NULL, NULL);
    free(document);
    if (!rc && !c->dry_run)
        say_done(c, "put inline policy %s on role %s", c->name, c->role);
    return rc;
}

static int delete_policy(struct cli_iam *c)
{
    if (!c->inline_policy)
        return usage_error(c, "delete policy %s deletes inline policies "
                           "only: add --inline --role ROLE (a customer "
                           "managed policy: aws iam delete-policy)", c->name);
    if (!c->role)
        return usage_error(c, "delete policy %s needs --role NAME", c->name);
    struct action a = {
        .kind = ACTION_DELETE_INLINE_POLICY, .role = c->role,
        .policy_name = c->name,
    };
    int rc = run_action(c, &a, 0, NULL, NULL);
    if (!rc && !c->dry_run)
        say_done(c, "deleted inline policy %s of role %s", c->name, c->role);
    return rc;
}

static int update_role(struct cli_iam *c)
{
    char *document;
    int rc = read_document(c, "update role %s needs --trust-policy "
                           "POLICY.json", &document);
    if (rc)
        return rc;
    struct action a = {
        .kind = ACTION_UPDATE_TRUST_POLICY, .role = c->name,
        .document = document,
    };
    rc = run_action(c, &a, 0, NULL, NULL);
    free(document);
    if (!rc && !c->dry_run)
        say_done(c, "updated the trust policy of role %s%s", c->name, "");
    return rc;
}

static int describe_policy(struct cli_iam *c)
{
    char *text = NULL;
    if (!cli_iam_valid_policy_arn(c->name))
        return usage_error(c, "invalid policy ARN \"%s\": use "
                           "arn:aws:iam::ACCOUNT:policy/NAME", c->name);
    struct action a = { .kind = ACTION_DESCRIBE_POLICY,
                        .policy_arn = c->name };
    int rc = run_action(c, &a, 0, &text, NULL);
    if (!rc && text)
        cli_action_put_lines(c->out, text, "");
    free(text);
    return rc;
}

static int create_role_stack(struct cli_iam *c)
{
    const char *missing = !c->cluster ? "--cluster CLUSTER"
                          : !c->namespace || !c->serviceaccount
                          ? "--service-account NS/SA" : NULL;
    if (missing)
        return usage_error(c, "create role --stack needs %s", missing);
    struct action a = {
        .kind = ACTION_CREATE_ROLE_STACK, .cluster = c->cluster,
        .namespace = c->namespace, .service_account = c->serviceaccount,
        .role = c->name, .policy_arn_count = c->policy_count,
        .poll_ms = c->poll_ms,
    };
    for (size_t i = 0; i < c->policy_count; i++)
        a.policy_arns[i] = c->policies[i];
    char *arn = NULL;
    int rc = run_action(c, &a, 1, &arn, NULL);
    if (!rc && !c->dry_run && arn) {
        fputs("created role ", c->out);
        output_put_text(c->out, arn);
        fprintf(c->out, " and annotated serviceaccount %s/%s with it\n",
                c->namespace, c->serviceaccount);
    }
    free(arn);
    return rc;
}

static int create_policy(struct cli_iam *c)
{
    char *document, *arn = NULL;
    int rc = read_document(c, "create policy %s needs -f POLICY.json",
                           &document);
    if (rc)
        return rc;
    struct action a = {
        .kind = ACTION_CREATE_POLICY, .policy_name = c->name,
        .document = document, .description = c->description,
    };
    rc = run_action(c, &a, 0, &arn, NULL);
    free(document);
    if (!rc && !c->dry_run)
        say_done(c, "created policy %s: %s", c->name, arn ? arn : "");
    free(arn);
    return rc;
}

static int delete_role_stack(struct cli_iam *c)
{
    const char *missing = !c->cluster ? "--cluster CLUSTER"
                          : !c->namespace || !c->serviceaccount
                          ? "--service-account NS/SA" : NULL;
    if (missing)
        return usage_error(c, "delete role --stack needs %s", missing);
    if (c->name)
        return usage_error(c, "delete role --stack takes no role name: the "
                           "stack of --service-account names it, not "
                           "\"%s\"", c->name);
    struct action a = {
        .kind = ACTION_DELETE_ROLE_STACK, .cluster = c->cluster,
        .namespace = c->namespace, .service_account = c->serviceaccount,
        .poll_ms = c->poll_ms,
    };
    int rc = run_action(c, &a, 1, NULL, NULL);
    if (!rc && !c->dry_run)
        say_done(c, "deleted the role stack of serviceaccount %s/%s",
                 c->namespace, c->serviceaccount);
    return rc;
}

static int delete_role(struct cli_iam *c)
{
    if (c->stack)
        return delete_role_stack(c);
    struct action a = { .kind = ACTION_DELETE_ROLE, .role = c->name };
    struct api_error err = {0};
    int rc = run_action(c, &a, 0, NULL, &err);
    if (rc == 1 && !strcmp(err.code, "DeleteConflict") &&
        !cli_iam_connect(c))
        explain_delete_conflict(c);
    if (!rc && !c->dry_run)
        say_done(c, "deleted role %s%s", c->name, "");
    return rc;
}

static int run(struct cli_iam *c)
{
    if (!strcmp(c->verb, "associate"))
        return cli_oidc_associate(c);
    if (is(c, "create", "policy"))
        return create_policy(c);
    if (is(c, "create", "role"))
        return c->stack ? create_role_stack(c) : cli_iam_create_role(c);
    if (is(c, "delete", "role"))
        return delete_role(c);
    if (is(c, "put", "policy"))
        return put_policy(c);
    if (is(c, "delete", "policy"))
        return delete_policy(c);
    if (is(c, "update", "role"))
        return update_role(c);
    if (is(c, "describe", "policy"))
        return describe_policy(c);
    return attach_or_detach(c);
}

int cli_iam_main(int argc, char **argv)
{
    struct cli_iam c = {.out = stdout, .err = stderr};
    int rc = parse(&c, argc, argv);
    if (rc >= 0)
        return rc;
    files_open_log(c.log_path, c.debug);
    log_msg(LOG_INFO, "albatross %s %s %s%s", c.verb, c.noun,
            c.name ? c.name : "", c.dry_run ? " (dry run)" : "");
    rc = run(&c);
    if (c.connected)
        aws_session_cleanup(&c.aws);
    if (c.http)
        http_client_free(c.http);
    return rc;
}
