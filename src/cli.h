/* The commands that run without the UI: albatross get KIND and
 * albatross describe ingress NAMESPACE/NAME. */
#ifndef ALBATROSS_CLI_H
#define ALBATROSS_CLI_H

#include <stdio.h>

#include "model.h"

enum cli_format { CLI_TABLE, CLI_JSON, CLI_YAML };

enum cli_kind { CLI_CLUSTERS, CLI_SERVICE_ACCOUNTS, CLI_ROLES,
                CLI_INGRESSES };

/* Parses a kind name or alias ("sa", "ing", ...); returns 0 or -1. */
int cli_parse_kind(const char *name, enum cli_kind *kind);
/* Parses "table", "json" or "yaml"; returns 0 or -1. */
int cli_parse_format(const char *name, enum cli_format *format);

/*
 * Loads what KIND needs into m, waiting until every request has finished,
 * and prints it to out. Returns the exit status: 0, or 1 when a load
 * failed (the error is printed to err).
 */
int cli_get(struct model *m, enum cli_kind kind, enum cli_format format,
            FILE *out, FILE *err);

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
