/* The commands that run without the UI: albatross get KIND. */
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

#endif
