/*
 * albatross annotate|create|delete serviceaccount NAMESPACE/NAME: writes
 * of the IRSA annotations of a service account in the selected cluster.
 * main.c adds CLI_SA_LONG_OPTIONS to its option table, passes the
 * options it does not know to cli_sa_option, and runs cli_sa_run when
 * cli_sa_is_command matches the arguments.
 */
#ifndef ALBATROSS_CLI_SA_H
#define ALBATROSS_CLI_SA_H

#include <getopt.h>
#include <stdio.h>

#include "model.h"

#define ROLE_ARN_ANNOTATION "eks.amazonaws.com/role-arn"
#define STS_REGIONAL_ANNOTATION "eks.amazonaws.com/sts-regional-endpoints"
#define TOKEN_EXPIRATION_ANNOTATION "eks.amazonaws.com/token-expiration"

/* Option values far above main.c's own, so the two never collide. */
enum {
    CLI_SA_OPT_ROLE_ARN = 0x1000,
    CLI_SA_OPT_STS_REGIONAL,
    CLI_SA_OPT_TOKEN_EXPIRATION,
    CLI_SA_OPT_REMOVE,
    CLI_SA_OPT_DRY_RUN,
};

#define CLI_SA_LONG_OPTIONS                                                 \
    {"role-arn", required_argument, NULL, CLI_SA_OPT_ROLE_ARN},             \
    {"sts-regional-endpoints", required_argument, NULL,                     \
     CLI_SA_OPT_STS_REGIONAL},                                              \
    {"token-expiration", required_argument, NULL,                           \
     CLI_SA_OPT_TOKEN_EXPIRATION},                                          \
    {"remove", no_argument, NULL, CLI_SA_OPT_REMOVE},                       \
    {"dry-run", no_argument, NULL, CLI_SA_OPT_DRY_RUN}

struct cli_sa_options {
    const char *role_arn;
    const char *sts_regional;       /* "true" or "false" */
    const char *token_expiration;   /* seconds */
    int remove;
    int dry_run;
    int given;                      /* any of the above was given */
};

/* Stores option c (with its argument) in o; returns 1 when c is one of
 * CLI_SA_LONG_OPTIONS, 0 when it is not. */
int cli_sa_option(struct cli_sa_options *o, int c, const char *arg);

/* Whether arn has the form arn:PARTITION:iam::ACCOUNT:role/[PATH/]NAME
 * with IAM's name characters. */
int cli_sa_valid_role_arn(const char *arn);

/* Whether args (the words after the options) are annotate, create or
 * delete of a service account. */
int cli_sa_is_command(char *const *args, int count);

/*
 * Checks the arguments and options, then prints the request (with
 * --dry-run) or opens the cluster that model_options selects and sends
 * it. Returns the exit status: 0, 1 when the write failed, 2 for a usage
 * error. Messages go to err and name the value and the fix.
 */
int cli_sa_run(const struct model_options *model,
               const struct cli_sa_options *o, char *const *args, int count,
               FILE *out, FILE *err);

#endif
