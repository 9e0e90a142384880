/*
 * albatross apply -f FILE [--dry-run] [--show-templates] [-o text|json]
 * albatross delete -f FILE [--dry-run] [-o text|json]
 *
 * Both read and validate the ClusterConfig and build the plan; with
 * --dry-run they print it and change nothing, without it the apply
 * engine (src/apply.c) carries it out.
 */
#include "cli_apply.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apply.h"
#include "clusterconfig.h"
#include "output.h"
#include "plan.h"

#define EXIT_INVALID 1
#define EXIT_USAGE 2

struct apply_options {
    int deleting;
    const char *file;
    int dry_run;
    int show_templates;
    int json;
    int readonly;
    const char *profile;
    long poll_ms;
};

static void usage(FILE *out)
{
    fputs(
"usage: albatross apply -f FILE [--dry-run [--show-templates] [-o FORMAT]]\n"
"       albatross delete -f FILE [--dry-run [-o FORMAT]]\n"
"\n"
"Reads an eksctl ClusterConfig (eksctl.io/v1alpha5) and creates what\n"
"eksctl would: the CloudFormation stacks, with eksctl's names and tags,\n"
"and the calls made outside CloudFormation, in order, printing each\n"
"stack event. Stacks that exist are skipped or watched, so running it\n"
"again after an interruption carries on. delete deletes the stacks in\n"
"the reverse order. With --dry-run both print the plan instead.\n"
"\n"
"options:\n"
"  -f, --filename FILE  the ClusterConfig file\n"
"  --dry-run            print the plan and change nothing\n"
"  --profile NAME       the AWS profile (default: $AWS_PROFILE)\n"
"  --readonly           refuse every change (the plan still runs until\n"
"                       its first change)\n"
"  --poll-interval MS   between stack status polls (default: 2000)\n"
"  --show-templates     print each stack's template too (apply only)\n"
"  -o, --output FORMAT  text or json (default: text)\n"
"  -h, --help           show this help\n",
        out);
}

static int bad_usage(const char *command, const char *fmt, const char *value)
{
    fprintf(stderr, "albatross %s: ", command);
    fprintf(stderr, fmt, value);
    fprintf(stderr, "; see albatross %s --help\n", command);
    return EXIT_USAGE;
}

enum { OPT_DRY_RUN = 256, OPT_SHOW_TEMPLATES, OPT_READONLY, OPT_PROFILE,
       OPT_POLL };

static const struct option long_options[] = {
    {"filename", required_argument, NULL, 'f'},
    {"dry-run", no_argument, NULL, OPT_DRY_RUN},
    {"show-templates", no_argument, NULL, OPT_SHOW_TEMPLATES},
    {"output", required_argument, NULL, 'o'},
    {"readonly", no_argument, NULL, OPT_READONLY},
    {"profile", required_argument, NULL, OPT_PROFILE},
    {"poll-interval", required_argument, NULL, OPT_POLL},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

/* Returns -1 to go on, or an exit status. */
static int parse_options(struct apply_options *o, int argc, char **argv)
{
    const char *command = argv[0];
    int c;
    optind = 0;  /* glibc: restart option parsing from argv[1] */
    opterr = 1;
    while ((c = getopt_long(argc, argv, "f:o:h", long_options, NULL)) != -1) {
        switch (c) {
        case 'f': o->file = optarg; break;
        case OPT_DRY_RUN: o->dry_run = 1; break;
        case OPT_SHOW_TEMPLATES: o->show_templates = 1; break;
        case OPT_READONLY: o->readonly = 1; break;
        case OPT_PROFILE: o->profile = optarg; break;
        case OPT_POLL: {
            char *end;
            o->poll_ms = strtol(optarg, &end, 10);
            if (*end || end == optarg || o->poll_ms < 1 || o->poll_ms > 600000)
                return bad_usage(command, "invalid --poll-interval \"%s\": "
                                 "give milliseconds, 1 to 600000", optarg);
            break;
        }
        case 'o':
            if (strcmp(optarg, "json") == 0)
                o->json = 1;
            else if (strcmp(optarg, "text") != 0)
                return bad_usage(command, "invalid output format \"%s\": use "
                                 "text or json", optarg);
            break;
        case 'h':
            usage(stdout);
            return 0;
        default:
            return bad_usage(command, "%s", "invalid option");
        }
    }
    if (optind < argc)
        return bad_usage(command, "unexpected argument \"%s\"", argv[optind]);
    if (!o->file)
        return bad_usage(command, "%s", "missing -f FILE: name the "
                         "ClusterConfig file");
    if (o->deleting && o->show_templates)
        return bad_usage(command, "%s", "--show-templates is for apply; "
                         "delete creates no templates");
    return -1;
}

static int print_errors(const struct ccfg_errors *errors)
{
    /* Messages quote the file: print them as text a terminal does not
     * act on, one line each. */
    const char *text = errors->text.data ? errors->text.data : "";
    while (*text) {
        const char *end = strchr(text, '\n');
        size_t len = end ? (size_t)(end - text) : strlen(text);
        output_error(stderr, "%.*s", (int)len, text);
        text += len + (end ? 1 : 0);
    }
    if (errors->count > CCFG_MAX_ERRORS)
        output_error(stderr, "and %zu more problems", errors->count -
                     CCFG_MAX_ERRORS);
    return EXIT_INVALID;
}

int cli_apply_main(int argc, char **argv)
{
    struct apply_options o = { .deleting = strcmp(argv[0], "delete") == 0 };
    int rc = parse_options(&o, argc, argv);
    if (rc >= 0)
        return rc;

    struct ccfg config;
    struct ccfg_errors errors;
    ccfg_errors_init(&errors);
    if (ccfg_load_file(&config, o.file, &errors) < 0) {
        rc = print_errors(&errors);
        ccfg_errors_cleanup(&errors);
        return rc;
    }
    ccfg_errors_cleanup(&errors);

    struct plan plan;
    if (o.deleting)
        plan_build_delete(&plan, &config);
    else
        plan_build_create(&plan, &config, NULL);
    if (!o.dry_run) {
        struct apply_request rq = {
            .config = &config, .file = o.file, .deleting = o.deleting,
            .model = { .profile = o.profile, .readonly = o.readonly },
            .poll_ms = o.poll_ms ? o.poll_ms : 2000,
        };
        rc = apply_run(&rq, stdout);
    } else if (o.json) {
        plan_print_json(stdout, &config, &plan, o.show_templates);
        rc = 0;
    } else {
        plan_print_text(stdout, &config, &plan, o.show_templates);
        rc = 0;
    }
    plan_cleanup(&plan);
    ccfg_cleanup(&config);
    return rc;
}
