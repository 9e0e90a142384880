/*
 * The EKS Pod Identity commands: albatross get podidentityassociations,
 * create podidentityassociation and delete podidentityassociation. They
 * parse their own options, so main hands them the whole command line.
 */
#ifndef ALBATROSS_CLI_PODID_H
#define ALBATROSS_CLI_PODID_H

/* Whether the command line's first two arguments that are not options
 * are get, create or delete and podidentityassociation(s) or pia. */
int cli_podid_is_command(int argc, char **argv);

/* Runs the command; returns the exit status (0, 1 when a call failed,
 * 2 for a usage error). */
int cli_podid_main(int argc, char **argv);

#endif
