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
#include "files.h"
#include "output.h"

#define EXIT_USAGE 2
#define POLICY_FILE_MAX (1024 * 1024)  /* IAM's own limit is far lower */

enum { OPT_PROFILE = 256, OPT_REGION, OPT_READONLY, OPT_LOG, OPT_DEBUG,
       OPT_CLUSTER, OPT_SERVICEACCOUNT, OPT_POLICY, OPT_ROLE,
       OPT_DESCRIPTION, OPT_DRY_RUN };

static const struct option options[] = {
    {"profile", required_argument, NULL, OPT_PROFILE},
    {"region", required_argument, NULL, OPT_REGION},
    {"readonly", no_argument, NULL, OPT_READONLY},
    {"log", required_argument, NULL, OPT_LOG},
    {"debug", no_argument, NULL, OPT_DEBUG},
    {"cluster", required_argument, NULL, OPT_CLUSTER},
    {"namespace", required_argument, NULL, 'n'},
    {"serviceaccount", required_argument, NULL, OPT_SERVICEACCOUNT},
    {"policy", required_argument, NULL, OPT_POLICY},
    {"role", required_argument, NULL, OPT_ROLE},
    {"file", required_argument, NULL, 'f'},
    {"description", required_argument, NULL, OPT_DESCRIPTION},
    {"dry-run", no_argument, NULL, OPT_DRY_RUN},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

static const char usage_text[] =
"usage: albatross create policy NAME -f POLICY.json [--description TEXT]\n"
"       albatross attach policy ARN --role NAME\n"
"       albatross detach policy ARN --role NAME\n"
"       albatross create role NAME --cluster CLUSTER --namespace NS\n"
"                 --serviceaccount SA [--policy ARN ...]\n"
"       albatross delete role NAME\n"
"       albatross associate oidc-provider --cluster CLUSTER [--region R]\n"
"\n"
"create role makes an IAM role that service account NS/SA of the EKS\n"
"cluster may assume through IRSA: its trust policy names the cluster's\n"
"IAM OIDC provider and that service account only. --policy attaches a\n"
"managed policy to it (up to 10).\n"
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
static int option_allowed(const struct cli_iam *c, int opt)
{
    int create_role = !strcmp(c->verb, "create") && !strcmp(c->noun, "role");
    int create_policy = !strcmp(c->verb, "create") &&
                        !strcmp(c->noun, "policy");
    switch (opt) {
    case OPT_CLUSTER:
        return create_role || !strcmp(c->verb, "associate");
    case 'n': case OPT_SERVICEACCOUNT: case OPT_POLICY:
        return create_role;
    case 'f': case OPT_DESCRIPTION:
        return create_policy;
    case OPT_ROLE:
        return !strcmp(c->verb, "attach") || !strcmp(c->verb, "detach");
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

/* Returns -1 to go on, or an exit status. */
static int take_option(struct cli_iam *c, int opt)
{
    switch (opt) {
    case OPT_PROFILE: c->profile = optarg; break;
    case OPT_REGION: c->region = optarg; break;
    case OPT_READONLY: c->readonly = 1; break;
    case OPT_LOG: c->log_path = optarg; break;
    case OPT_DEBUG: c->debug = 1; break;
    case OPT_CLUSTER: c->cluster = optarg; break;
    case 'n': c->namespace = optarg; break;
    case OPT_SERVICEACCOUNT: c->serviceaccount = optarg; break;
    case OPT_ROLE: c->role = optarg; break;
    case 'f': c->file = optarg; break;
    case OPT_DESCRIPTION: c->description = optarg; break;
    case OPT_DRY_RUN: c->dry_run = 1; break;
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

/* The first two arguments that are not options or their values. */
static void find_command(int argc, char **argv, const char **verb,
                         const char **noun)
{
    static const char *const with_value[] = {
        "--profile", "--region", "--cluster", "--context", "--kubeconfig",
        "--namespace", "-n", "--output", "-o", "--theme", "--log",
        "--serviceaccount", "--policy", "--role", "--file", "-f",
        "--description", NULL,
    };
    *verb = *noun = NULL;
    for (int i = 1; i < argc && !*noun; i++) {
        int takes_value = 0;
        for (size_t j = 0; with_value[j]; j++)
            takes_value |= strcmp(argv[i], with_value[j]) == 0;
        if (takes_value) {
            i++;
            continue;
        }
        if (argv[i][0] == '-')
            continue;
        if (!*verb)
            *verb = argv[i];
        else
            *noun = argv[i];
    }
}

int cli_iam_is_command(int argc, char **argv)
{
    static const char *const commands[][2] = {
        {"create", "policy"}, {"create", "role"}, {"attach", "policy"},
        {"detach", "policy"}, {"delete", "role"},
        {"associate", "oidc-provider"},
    };
    const char *verb, *noun;
    find_command(argc, argv, &verb, &noun);
    for (size_t i = 0; verb && noun &&
                       i < sizeof(commands) / sizeof(commands[0]); i++)
        if (!strcmp(verb, commands[i][0]) && !strcmp(noun, commands[i][1]))
            return 1;
    return 0;
}

static int parse(struct cli_iam *c, int argc, char **argv)
{
    int opt;
    find_command(argc, argv, &c->verb, &c->noun);
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
    /* Arguments left: VERB NOUN NAME, or VERB NOUN for associate. */
    if (!strcmp(c->verb, "associate")) {
        if (argc - optind > 2)
            return usage_error(c, "unexpected argument \"%s\"",
                               argv[optind + 2]);
        c->name = c->cluster ? c->cluster : "";
        return -1;
    }
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

static int create_policy(struct cli_iam *c)
{
    char *document = NULL;
    if (!c->file)
        return usage_error(c, "create policy %s needs -f POLICY.json",
                           c->name);
    if (read_policy_file(c, &document) || check_policy_json(c, document)) {
        free(document);
        return 1;
    }
    const char *fields[] = {"PolicyName", c->name,
                            "Description", c->description};
    if (c->dry_run) {
        cli_iam_print_call(c->out, "CreatePolicy", fields, 4,
                           "PolicyDocument", document);
        fputs("dry run: nothing was sent\n", c->out);
        free(document);
        return 0;
    }
    struct iam_policy_spec spec = {
        .name = c->name, .document = document,
        .description = c->description,
    };
    struct cli_iam_outcome o = {0};
    int rc = cli_iam_connect(c);
    if (!rc) {
        iam_create_policy(&c->aws, &spec, cli_iam_on_write, &o);
        rc = cli_iam_wait(c, &o.done);
    }
    free(document);
    if (rc)
        return rc;
    if (o.failed) {
        cli_iam_fail(c, "create policy", &o.err);
        return 1;
    }
    fprintf(c->out, "created policy %s: ", c->name);
    output_put_text(c->out, o.arn);
    fputc('\n', c->out);
    return 0;
}

/* ---- attach, detach, delete ---- */

int cli_iam_valid_policy_arn(const char *arn)
{
    return strncmp(arn, "arn:", 4) == 0 && strstr(arn, ":iam::") &&
           strstr(arn, ":policy/");
}

/* Waits for the write that o tracks; returns 0, or 1 after printing
 * its failure. */
static int run_write(struct cli_iam *c, const char *what,
                     struct cli_iam_outcome *o)
{
    int rc = cli_iam_wait(c, &o->done);
    if (!rc && o->failed) {
        cli_iam_fail(c, what, &o->err);
        rc = 1;
    }
    return rc;
}

static int attach_or_detach(struct cli_iam *c)
{
    int attach = !strcmp(c->verb, "attach");
    const char *operation = attach ? "AttachRolePolicy" : "DetachRolePolicy";
    if (!c->role)
        return usage_error(c, "%s policy needs --role NAME", c->verb);
    if (!cli_iam_valid_policy_arn(c->name))
        return usage_error(c, "invalid policy ARN \"%s\": use "
                           "arn:aws:iam::ACCOUNT:policy/NAME, as create "
                           "policy prints it", c->name);
    const char *fields[] = {"RoleName", c->role, "PolicyArn", c->name};
    if (c->dry_run) {
        cli_iam_print_call(c->out, operation, fields, 4, NULL, NULL);
        fputs("dry run: nothing was sent\n", c->out);
        return 0;
    }
    struct cli_iam_outcome o = {0};
    if (cli_iam_connect(c))
        return 1;
    if (attach)
        iam_attach_role_policy(&c->aws, c->role, c->name, cli_iam_on_write,
                               &o);
    else
        iam_detach_role_policy(&c->aws, c->role, c->name, cli_iam_on_write,
                               &o);
    if (run_write(c, attach ? "attach policy" : "detach policy", &o))
        return 1;
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

static int delete_role(struct cli_iam *c)
{
    const char *fields[] = {"RoleName", c->name};
    if (c->dry_run) {
        cli_iam_print_call(c->out, "DeleteRole", fields, 2, NULL, NULL);
        fputs("dry run: nothing was sent\n", c->out);
        return 0;
    }
    struct cli_iam_outcome o = {0};
    if (cli_iam_connect(c))
        return 1;
    iam_delete_role(&c->aws, c->name, cli_iam_on_write, &o);
    if (run_write(c, "delete role", &o)) {
        if (o.failed && !strcmp(o.err.code, "DeleteConflict"))
            explain_delete_conflict(c);
        return 1;
    }
    fputs("deleted role ", c->out);
    output_put_text(c->out, c->name);
    fputc('\n', c->out);
    return 0;
}

static int run(struct cli_iam *c)
{
    if (!strcmp(c->verb, "associate"))
        return cli_oidc_associate(c);
    if (!strcmp(c->verb, "create") && !strcmp(c->noun, "policy"))
        return create_policy(c);
    if (!strcmp(c->verb, "create"))
        return cli_iam_create_role(c);
    if (!strcmp(c->verb, "delete"))
        return delete_role(c);
    return attach_or_detach(c);
}

int cli_iam_main(int argc, char **argv)
{
    struct cli_iam c = {.out = stdout, .err = stderr};
    int rc = parse(&c, argc, argv);
    if (rc >= 0)
        return rc;
    files_open_log(c.log_path, c.debug);
    log_msg(LOG_INFO, "albatross %s %s %s%s", c.verb, c.noun, c.name,
            c.dry_run ? " (dry run)" : "");
    rc = run(&c);
    if (c.connected)
        aws_session_cleanup(&c.aws);
    if (c.http)
        http_client_free(c.http);
    return rc;
}
