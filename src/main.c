/*
 * albatross: a terminal UI for Amazon EKS, IRSA and ALB ingresses.
 * Without a command it opens the UI; `get` prints the same data for
 * scripts, and `describe ingress` the chain from an ingress to its ALB.
 */
#include <errno.h>
#include <getopt.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../api/awsxml.h"
#include "../api/http.h"
#include "../api/log.h"
#include "../ui/ui.h"
#include "chain.h"
#include "cli.h"
#include "cli_controller.h"
#include "cli_apply.h"
#include "cli_iam.h"
#include "cli_podid.h"
#include "cli_sa.h"
#include "files.h"
#include "model.h"
#include "output.h"

#define EXIT_USAGE 2
#define WATCH_TIMEOUT_MAX_S 604800     /* a week */

struct options {
    struct model_options model;
    enum cli_format format;
    const char *theme;
    const char *log_path;
    int debug;
    struct cli_watch_options watch;
    const char *watch_timeout;  /* --watch-timeout, checked with the kind */
    char **args;
    int arg_count;
    struct cli_sa_options sa;
};

static void usage(FILE *out)
{
    fputs(
"usage: albatross [options]                 open the terminal UI\n"
"       albatross get KIND [options]        print KIND and exit\n"
"       albatross get serviceaccounts|ingresses --watch [options]\n"
"                                           print them, then each change\n"
"       albatross describe ingress [NAMESPACE/NAME] [options]\n"
"                                           print the ingress's ALB, its\n"
"                                           listeners, targets and findings;\n"
"                                           without a name, every ingress\n"
"       albatross apply|delete -f CLUSTER.yaml [--dry-run] [options]\n"
"                                           create or delete what an eksctl\n"
"                                           ClusterConfig describes, through\n"
"                                           CloudFormation; see apply --help\n"
"       albatross install|upgrade|uninstall controller --cluster NAME\n"
"                                           install, upgrade or remove the\n"
"                                           load balancer controller, or\n"
"                                           print its plan with --dry-run;\n"
"                                           see install --help\n"
"       albatross create|attach|detach|put|delete policy|role ...\n"
"       albatross update role|describe policy ...\n"
"                                           IAM policies and IRSA roles; see\n"
"                                           albatross create role --help\n"
"       albatross get|create|delete podidentityassociation --cluster NAME\n"
"                                           EKS Pod Identity, the alternative\n"
"                                           to IRSA; see get pia --help\n"
"       albatross associate oidc-provider --cluster NAME [--region R]\n"
"                 [--dry-run]               register the cluster's OIDC\n"
"                                           issuer with IAM, as eksctl does\n"
"       albatross annotate serviceaccount NAMESPACE/NAME (--role-arn ARN\n"
"                 [--sts-regional-endpoints true|false]\n"
"                 [--token-expiration SECONDS] | --remove) [--dry-run]\n"
"       albatross create serviceaccount NAMESPACE/NAME [--role-arn ARN]\n"
"                 [--dry-run]\n"
"       albatross delete serviceaccount NAMESPACE/NAME [--dry-run]\n"
"       albatross restart serviceaccount NAME -n NS [--dry-run]\n"
"                                           set or remove a service account's\n"
"                                           IRSA annotations (a token\n"
"                                           expiration of 600 to 86400\n"
"                                           seconds), create it,\n"
"                                           delete it, or restart the pods\n"
"                                           that run as it; --dry-run prints\n"
"                                           the requests and sends nothing\n"
"\n"
"KIND is clusters (cl), serviceaccounts (sa), roles or ingresses (ing).\n"
"\n"
"options:\n"
"  --profile NAME       AWS profile (default: $AWS_PROFILE, then default)\n"
"  --region NAME        AWS region; with get clusters, list only this one\n"
"  --cluster NAME       EKS cluster whose objects to show\n"
"  --context NAME       kubeconfig context whose objects to show\n"
"  --kubeconfig PATHS   kubeconfig files, ':'-separated (default:\n"
"                       $KUBECONFIG, then ~/.kube/config)\n"
"  -n, --namespace NS   service accounts and ingresses of NS only\n"
"                       (default: all namespaces)\n"
"  -o, --output FORMAT  table, json or yaml (default: table)\n"
"  -w, --watch          with get serviceaccounts|ingresses: after the list,\n"
"                       print each change (EVENT ADDED, MODIFIED or\n"
"                       DELETED; JSON: one {\"type\", \"object\"} per line)\n"
"                       until SIGINT or SIGTERM, then exit 0\n"
"  --watch-timeout S    with --watch: stop after S seconds, 1 to 604800,\n"
"                       and exit 0 (default: no limit)\n"
"  --readonly           reject every call that would change something\n"
"  --theme NAME|PATH    colour theme (default: default; NO_COLOR turns\n"
"                       colours off)\n"
"  --log PATH           log file (default:\n"
"                       $XDG_STATE_HOME/albatross/albatross.log)\n"
"  --debug              log every request, with secrets redacted\n"
"  -h, --help           show this help\n"
"  --version            show the version\n"
"\n"
"Credentials, region and endpoints come from the usual AWS variables and\n"
"files (AWS_PROFILE, AWS_REGION, AWS_ENDPOINT_URL, ~/.aws/config).\n"
"\n"
"Retries and timeouts:\n"
"  AWS_MAX_ATTEMPTS     attempts per AWS or Kubernetes request, retries\n"
"                       included, 1 to 20 (default: the profile's\n"
"                       max_attempts, else 3)\n"
"  ALBATROSS_CONNECT_TIMEOUT_MS  limit to connect to a server, TLS\n"
"                       handshake included (default: 5000)\n"
"  ALBATROSS_HTTP_TIMEOUT_MS     limit for a whole request (default: 30000)\n"
"  ALBATROSS_CREDENTIAL_PROCESS_TIMEOUT_MS  limit for a profile's\n"
"                       credential_process, at most 600000 (default: 15000);\n"
"                       a failure is kept for 60 s before it is run again\n"
"  ALBATROSS_RETRY_BASE_MS       base of the retry backoff, for tests: the\n"
"                       n-th retry waits up to base * 2^(n-1) ms, at most\n"
"                       20 s (default: 1000)\n",
        out);
}

static int bad_usage(const char *fmt, const char *value)
{
    fputs("albatross: ", stderr);
    fprintf(stderr, fmt, value);
    fputs("; see albatross --help\n", stderr);
    return EXIT_USAGE;
}

enum { OPT_PROFILE = 256, OPT_REGION, OPT_CLUSTER, OPT_CONTEXT,
       OPT_KUBECONFIG, OPT_READONLY, OPT_THEME, OPT_LOG, OPT_DEBUG,
       OPT_VERSION, OPT_WATCH_TIMEOUT };

static const struct option long_options[] = {
    {"profile", required_argument, NULL, OPT_PROFILE},
    {"region", required_argument, NULL, OPT_REGION},
    {"cluster", required_argument, NULL, OPT_CLUSTER},
    {"context", required_argument, NULL, OPT_CONTEXT},
    {"kubeconfig", required_argument, NULL, OPT_KUBECONFIG},
    {"namespace", required_argument, NULL, 'n'},
    {"output", required_argument, NULL, 'o'},
    {"watch", no_argument, NULL, 'w'},
    {"watch-timeout", required_argument, NULL, OPT_WATCH_TIMEOUT},
    {"readonly", no_argument, NULL, OPT_READONLY},
    {"theme", required_argument, NULL, OPT_THEME},
    {"log", required_argument, NULL, OPT_LOG},
    {"debug", no_argument, NULL, OPT_DEBUG},
    {"help", no_argument, NULL, 'h'},
    {"version", no_argument, NULL, OPT_VERSION},
    CLI_SA_LONG_OPTIONS,
    {NULL, 0, NULL, 0},
};

/* Returns -1 to go on, or an exit status. */
static int parse_option(struct options *o, int c)
{
    if (cli_sa_option(&o->sa, c, optarg))
        return -1;
    switch (c) {
    case OPT_PROFILE: o->model.profile = optarg; break;
    case OPT_REGION: o->model.region = optarg; break;
    case OPT_CLUSTER: o->model.cluster = optarg; break;
    case OPT_CONTEXT: o->model.context = optarg; break;
    case OPT_KUBECONFIG: o->model.kubeconfig = optarg; break;
    case 'n': o->model.namespace = optarg; break;
    case OPT_READONLY: o->model.readonly = 1; break;
    case OPT_THEME: o->theme = optarg; break;
    case OPT_LOG: o->log_path = optarg; break;
    case OPT_DEBUG: o->debug = 1; break;
    case 'w': o->watch.enabled = 1; break;
    case OPT_WATCH_TIMEOUT: o->watch_timeout = optarg; break;
    case 'o':
        if (cli_parse_format(optarg, &o->format) < 0)
            return bad_usage("invalid output format \"%s\": use table, json "
                             "or yaml", optarg);
        break;
    case 'h':
        usage(stdout);
        return 0;
    case OPT_VERSION:
        printf("albatross %s\n", ALBATROSS_VERSION);
        return 0;
    default:
        /* getopt has printed what was wrong. */
        fputs("see albatross --help\n", stderr);
        return EXIT_USAGE;
    }
    return -1;
}

static int parse_options(struct options *o, int argc, char **argv)
{
    int c;
    opterr = 1;
    while ((c = getopt_long(argc, argv, "hn:o:w", long_options, NULL)) != -1) {
        int rc = parse_option(o, c);
        if (rc >= 0)
            return rc;
    }
    if (o->model.cluster && o->model.context)
        return bad_usage("--cluster %s and --context cannot be combined",
                         o->model.cluster);
    o->args = argv + optind;
    o->arg_count = argc - optind;
    return -1;
}

/* Checks --watch and --watch-timeout against the kind; returns -1 to go
 * on, or the exit status. */
static int check_watch(struct options *o, enum cli_kind kind)
{
    if (o->watch_timeout && !o->watch.enabled)
        return bad_usage("--watch-timeout %s needs --watch",
                         o->watch_timeout);
    if (!o->watch.enabled)
        return -1;
    if (kind != CLI_SERVICE_ACCOUNTS && kind != CLI_INGRESSES)
        return bad_usage("cannot watch %s: --watch works with "
                         "serviceaccounts and ingresses", o->args[1]);
    if (o->watch_timeout) {
        char *end;
        errno = 0;
        long n = strtol(o->watch_timeout, &end, 10);
        if (!*o->watch_timeout || *end || errno || n < 1 ||
            n > WATCH_TIMEOUT_MAX_S)
            return bad_usage("invalid --watch-timeout \"%s\": use a whole "
                             "number of seconds from 1 to 604800",
                             o->watch_timeout);
        o->watch.timeout_s = n;
    }
    o->model.watch = 1;
    return -1;
}

static int run_get(struct options *o)
{
    enum cli_kind kind;

    if (o->arg_count < 2)
        return bad_usage("get needs a KIND: clusters, serviceaccounts, "
                         "roles or ingresses%s", "");
    if (cli_parse_kind(o->args[1], &kind) < 0)
        return bad_usage("unknown kind \"%s\": use clusters, "
                         "serviceaccounts, roles or ingresses", o->args[1]);
    if (o->arg_count > 2)
        return bad_usage("unexpected argument \"%s\"", o->args[2]);
    int rc = check_watch(o, kind);
    if (rc >= 0)
        return rc;
    /* --region selects that region only, as the aws CLI does. */
    o->model.region_only = kind == CLI_CLUSTERS && o->model.region;

    struct model m;
    char err[1024];
    if (model_init(&m, &o->model, err, sizeof(err)) < 0) {
        output_error(stderr, "%s", err);
        return EXIT_USAGE;
    }
    rc = cli_get(&m, kind, o->format, &o->watch, stdout, stderr);
    model_cleanup(&m);
    return rc;
}

static int run_describe(struct options *o)
{
    char ns[256], name[256];
    if (o->arg_count < 2)
        return bad_usage("describe needs ingress [NAMESPACE/NAME]%s", "");
    if (strcmp(o->args[1], "ingress") != 0 &&
        strcmp(o->args[1], "ingresses") != 0 &&
        strcmp(o->args[1], "ing") != 0)
        return bad_usage("cannot describe \"%s\": use describe ingress "
                         "NAMESPACE/NAME", o->args[1]);
    if (o->arg_count > 2 &&
        cli_split_name(o->args[2], ns, sizeof(ns), name, sizeof(name)) < 0)
        return bad_usage("invalid ingress \"%s\": use NAMESPACE/NAME",
                         o->args[2]);
    if (o->arg_count > 3)
        return bad_usage("unexpected argument \"%s\"", o->args[3]);

    struct model m;
    char err[1024];
    if (model_init(&m, &o->model, err, sizeof(err)) < 0) {
        output_error(stderr, "%s", err);
        return EXIT_USAGE;
    }
    int rc = cli_describe_ingress(&m, ns, o->arg_count > 2 ? name : NULL,
                                  o->format, stdout, stderr);
    model_cleanup(&m);
    return rc;
}

static int run_ui(struct options *o)
{
    struct ui_options ui_opt = {
        .theme = o->theme,
        .no_color = getenv("NO_COLOR") && *getenv("NO_COLOR"),
        .model = &o->model,
    };
    char err[1024];
    struct ui_theme_check check;

    /* A broken theme is reported before the terminal is taken over. */
    if (ui_check_theme(&ui_opt, &check, err, sizeof(err)) < 0) {
        output_error(stderr, "%s", err);
        return EXIT_USAGE;
    }
    if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
        fputs("albatross: the UI needs a terminal; use albatross get KIND "
              "for scripts\n", stderr);
        return EXIT_USAGE;
    }
    struct model m;
    o->model.watch = 1;
    if (model_init(&m, &o->model, err, sizeof(err)) < 0) {
        output_error(stderr, "%s", err);
        return EXIT_USAGE;
    }
    model_load(&m);
    struct chains chains;
    chains_init(&chains, &m);
    int rc = ui_run(&m, &chains, &ui_opt);
    /* The model cancels the chains' requests before they are freed. */
    model_cleanup(&m);
    chains_cleanup(&chains);
    return rc;
}

/*
 * Commands that parse their own options (install's --version takes a
 * value, apply's -f a file). Each run gets the whole command line and
 * opens the log itself.
 */
static int is_install(int argc, char **argv)
{
    return argc > 1 && (strcmp(argv[1], "install") == 0 ||
                        strcmp(argv[1], "upgrade") == 0 ||
                        strcmp(argv[1], "uninstall") == 0);
}

static int run_install(int argc, char **argv)
{
    files_open_log(NULL, 0);
    return cli_install(argc - 1, argv + 1);
}

/* apply -f, and delete -f (delete role and delete serviceaccount are
 * other commands). */
static int is_apply(int argc, char **argv)
{
    if (argc < 2 || (strcmp(argv[1], "apply") != 0 &&
                     strcmp(argv[1], "delete") != 0))
        return 0;
    if (strcmp(argv[1], "apply") == 0)
        return 1;
    for (int i = 2; i < argc; i++)
        if (strncmp(argv[i], "-f", 2) == 0 ||
            strncmp(argv[i], "--filename", 10) == 0)
            return 1;
    return 0;
}

static int run_apply(int argc, char **argv)
{
    files_open_log(NULL, 0);
    return cli_apply_main(argc - 1, argv + 1);
}

static const struct {
    int (*match)(int argc, char **argv);
    int (*run)(int argc, char **argv);
} own_commands[] = {
    {cli_iam_is_command, cli_iam_main},
    {cli_podid_is_command, cli_podid_main},
    {is_install, run_install},
    {is_apply, run_apply},
};

/* Returns 1 + the index in own_commands of the command named, or 0. */
static int own_command(int argc, char **argv)
{
    for (size_t i = 0; i < sizeof(own_commands) / sizeof(own_commands[0]);
         i++)
        if (own_commands[i].match(argc, argv))
            return (int)i + 1;
    return 0;
}

int main(int argc, char **argv)
{
    struct options o;
    memset(&o, 0, sizeof(o));
    setlocale(LC_ALL, "");
    /* A core file would hold the credentials and tokens in memory. */
    struct rlimit no_core = {0, 0};
    setrlimit(RLIMIT_CORE, &no_core);

    /* Commands with options of their own get the whole command line. */
    int own = own_command(argc, argv);
    int rc = own ? -1 : parse_options(&o, argc, argv);
    if (rc >= 0)
        return rc;
    if (!own)
        files_open_log(o.log_path, o.debug);
    log_msg(LOG_INFO, "albatross %s started%s", ALBATROSS_VERSION,
            o.debug ? " with --debug: requests are logged, secrets "
            "redacted" : "");
    http_global_init();
    awsxml_global_init();

    if (own)
        rc = own_commands[own - 1].run(argc, argv);
    else if ((o.watch.enabled || o.watch_timeout) &&
             (o.arg_count == 0 || strcmp(o.args[0], "get") != 0))
        rc = bad_usage("--watch works only with get serviceaccounts|"
                       "ingresses%s", "");
    else if (o.arg_count == 0)
        rc = run_ui(&o);
    else if (cli_sa_is_command(o.args, o.arg_count))
        rc = cli_sa_run(&o.model, &o.sa, o.args, o.arg_count, stdout,
                        stderr);
    else if (strcmp(o.args[0], "get") == 0)
        rc = run_get(&o);
    else if (strcmp(o.args[0], "describe") == 0)
        rc = run_describe(&o);
    else if (is_install(o.arg_count + 1, o.args - 1) ||
             is_apply(o.arg_count + 1, o.args - 1))
        rc = bad_usage("\"%s\" takes its options after the command, as "
                       "in albatross install controller --cluster NAME "
                       "--readonly", o.args[0]);
    else
        rc = bad_usage("unknown command \"%s\": give no command for the "
                       "UI", o.args[0]);
    /* A full disk or a closed pipe must not pass for a complete listing. */
    if (fflush(stdout) == EOF || ferror(stdout)) {
        fprintf(stderr, "albatross: writing the output failed: %s\n",
                strerror(errno));
        rc = rc ? rc : 1;
    }
    http_global_cleanup();
    log_close();
    return rc;
}
