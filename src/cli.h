/* The commands that run without the UI: albatross get KIND and
 * albatross describe ingress NAMESPACE/NAME. */
#ifndef ALBATROSS_CLI_H
#define ALBATROSS_CLI_H

#include <stdio.h>

#include "model.h"
#include "output.h"

enum cli_format { CLI_TABLE, CLI_JSON, CLI_YAML };

enum cli_kind { CLI_CLUSTERS, CLI_SERVICE_ACCOUNTS, CLI_ROLES,
                CLI_INGRESSES };

/* Parses a kind name or alias ("sa", "ing", ...); returns 0 or -1. */
int cli_parse_kind(const char *name, enum cli_kind *kind);
/* Parses "table", "json" or "yaml"; returns 0 or -1. */
int cli_parse_format(const char *name, enum cli_format *format);

/* albatross get --watch: only for service accounts and ingresses, whose
 * model must have been made with model_options.watch set. */
struct cli_watch_options {
    int enabled;
    long timeout_s;         /* stop after this many seconds; 0: never */
};

/*
 * Loads what KIND needs into m, waiting until every request has finished,
 * and prints it to out; with watch enabled, as cli_watch. Returns the
 * exit status: 0, or 1 when a load failed (the error is printed to err).
 */
int cli_get(struct model *m, enum cli_kind kind, enum cli_format format,
            const struct cli_watch_options *watch, FILE *out, FILE *err);

/*
 * Prints the loaded service accounts or ingresses of m as ADDED events,
 * then one event per change the watches make, flushed at once: in a
 * table with an EVENT column, as JSON lines {"type": ..., "object":
 * {...}}, or as YAML documents. Runs until SIGINT or SIGTERM (exit
 * status 0), timeout_s seconds (0: no limit; exit status 0), or a watch
 * stops on an error (printed to err; exit status 1).
 */
int cli_watch(struct model *m, enum cli_kind kind, enum cli_format format,
              long timeout_s, FILE *out, FILE *err);

/* The table of kind (service accounts or ingresses), and one more of its
 * records: index into model.service_accounts or model.ingresses. */
void cli_table_init(struct output_table *t, enum cli_kind kind);
void cli_table_add(const struct model *m, enum cli_kind kind, size_t index,
                   struct output_table *t);

/* Opens the selected cluster and waits for its objects: straight from
 * the kubeconfig when it names one, otherwise after EKS has listed the
 * clusters. Returns 0, or 1 after printing why no cluster is open. */
int cli_open_cluster(struct model *m, FILE *err);

/* Splits "NAMESPACE/NAME" into ns and name; returns 0, or -1 when arg
 * is not of that form or a part does not fit. */
int cli_split_name(const char *arg, char *ns, size_t nslen, char *name,
                   size_t namelen);

/*
 * albatross describe ingress: loads the chain of ingress ns/name of the
 * selected cluster and prints it; with name NULL, the chains of every
 * ingress (without their ALBs' listeners and rules) and the unclaimed
 * ALBs. Returns 0 when it was printed, even when it is unhealthy; 1 when
 * the ingress does not exist ("ingress NS/NAME not found") or a call
 * failed (printed to err).
 */
int cli_describe_ingress(struct model *m, const char *ns, const char *name,
                         enum cli_format format, FILE *out, FILE *err);

#endif
