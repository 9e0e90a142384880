/* albatross apply and albatross delete: provisioning from an eksctl
 * ClusterConfig file. */
#ifndef ALBATROSS_CLI_APPLY_H
#define ALBATROSS_CLI_APPLY_H

/* Runs the command in argv[0] ("apply" or "delete") with its options;
 * returns the exit status. */
int cli_apply_main(int argc, char **argv);

#endif
