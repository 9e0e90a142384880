/*
 * The IAM commands: albatross create policy|role, attach|detach policy,
 * put policy, delete policy --inline, update role, describe policy and
 * delete role. They parse their own options, so main hands them the
 * whole command line.
 */
#ifndef ALBATROSS_CLI_IAM_H
#define ALBATROSS_CLI_IAM_H

#include <getopt.h>
#include <stdio.h>

#include "../api/aws.h"
#include "../api/http.h"
#include "../api/iam_write.h"
#include "model.h"

/* Whether the command line names one of these commands: its first two
 * arguments that are not options are "create policy", "create role",
 * "attach policy", "detach policy", "delete role", "put policy",
 * "delete policy", "update role" or "describe policy". */
int cli_iam_is_command(int argc, char **argv);

/* Runs the command; returns the exit status (0, 1 when a call failed,
 * 2 for a usage error). */
int cli_iam_main(int argc, char **argv);

/* ---- shared by cli_iam.c and cli_iam_role.c ---- */

#define CLI_IAM_MAX_POLICIES 10   /* IAM's quota of policies per role */

struct cli_iam {
    const char *verb;            /* create, attach, detach, delete, put,
                                  * update, describe */
    const char *noun;            /* policy, role */
    const char *name;            /* NAME or ARN after the noun; NULL for
                                  * create role --stack without one */
    const char *profile;
    const char *region;
    const char *cluster;
    const char *namespace;
    const char *serviceaccount;
    const char *role;            /* attach and detach: --role */
    const char *file;            /* -f, or --trust-policy */
    const char *description;
    const char *log_path;
    const char *policies[CLI_IAM_MAX_POLICIES];
    size_t policy_count;
    char sa_namespace[64];       /* from --service-account */
    long poll_ms;                /* --poll-interval */
    int inline_policy;           /* delete policy --inline */
    int stack;                   /* create role --stack */
    int readonly;
    int dry_run;
    int debug;
    FILE *out;
    FILE *err;
    struct http_client *http;
    struct aws_session aws;
    int connected;
};

/* Option codes of CLI_IAM_COMMON_OPTIONS, which every IAM-side command
 * takes. A command numbers its own options from CLI_IAM_OPT_OWN. */
enum { CLI_IAM_OPT_PROFILE = 256, CLI_IAM_OPT_REGION, CLI_IAM_OPT_READONLY,
       CLI_IAM_OPT_LOG, CLI_IAM_OPT_DEBUG, CLI_IAM_OPT_CLUSTER,
       CLI_IAM_OPT_DRY_RUN, CLI_IAM_OPT_OWN };

#define CLI_IAM_COMMON_OPTIONS                                              \
    {"profile", required_argument, NULL, CLI_IAM_OPT_PROFILE},              \
    {"region", required_argument, NULL, CLI_IAM_OPT_REGION},                \
    {"readonly", no_argument, NULL, CLI_IAM_OPT_READONLY},                  \
    {"log", required_argument, NULL, CLI_IAM_OPT_LOG},                      \
    {"debug", no_argument, NULL, CLI_IAM_OPT_DEBUG},                        \
    {"cluster", required_argument, NULL, CLI_IAM_OPT_CLUSTER},              \
    {"namespace", required_argument, NULL, 'n'},                            \
    {"dry-run", no_argument, NULL, CLI_IAM_OPT_DRY_RUN},                    \
    {"help", no_argument, NULL, 'h'}

/* Stores arg in c when opt is one of CLI_IAM_COMMON_OPTIONS other than
 * --help. Returns 1 when it was, 0 otherwise. */
int cli_iam_take_common(struct cli_iam *c, int opt, const char *arg);

/* Sets verb and noun to the first two arguments of argv that are
 * neither options nor their values. Values follow the long options of
 * opts that take one and the short options listed in shorts ("nf"). */
void cli_iam_find_command(int argc, char **argv, const struct option *opts,
                          const char *shorts, const char **verb,
                          const char **noun);

/* Starts the HTTP client and the AWS session; returns 0, or 1 after
 * printing why it failed. */
int cli_iam_connect(struct cli_iam *c);
/* Drives the event loop until *done is set; returns 0, or 1 when the
 * loop failed (printed). */
int cli_iam_wait(struct cli_iam *c, const int *done);

/* The outcome of one IAM write, filled by cli_iam_on_write. */
struct cli_iam_outcome {
    int done;
    int failed;
    struct api_error err;
    char arn[2048];
};
void cli_iam_on_write(const struct iam_write_result *res,
                      const struct api_error *err, void *ctx);

/* Prints "albatross: WHAT failed: CODE: MESSAGE" to c->err. */
void cli_iam_fail(struct cli_iam *c, const char *what,
                  const struct api_error *err);

/* Dry run: prints "IAM OPERATION" and its parameters, one per line;
 * names and values alternate in fields, NULL values are skipped.
 * A document (JSON text) is printed last, indented. */
void cli_iam_print_call(FILE *out, const char *operation,
                        const char *const *fields, size_t field_count,
                        const char *document_name, const char *document);

/* Whether arn has the form of a policy ARN,
 * arn:PARTITION:iam::ACCOUNT:policy/NAME. */
int cli_iam_valid_policy_arn(const char *arn);

/* Makes the model an action runs on from c's profile, region, cluster
 * and --readonly; returns 0, or 1 after printing why it failed. */
int cli_iam_model(struct cli_iam *c, struct model *m);

/* albatross create role (cli_iam_role.c). */
int cli_iam_create_role(struct cli_iam *c);
/* associate oidc-provider (cli_oidc.c). */
int cli_oidc_associate(struct cli_iam *c);

#endif
