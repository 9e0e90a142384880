/* albatross install controller: the AWS Load Balancer Controller's IAM
 * steps and Kubernetes objects, shown with --dry-run. */
#ifndef ALBATROSS_CLI_CONTROLLER_H
#define ALBATROSS_CLI_CONTROLLER_H

/* Runs "install controller ..." with argv[0] = "install"; parses its own
 * options, since --version takes a value here. Returns the exit status:
 * 0 when the plan was printed, 1 when a call or a file failed, 2 for bad
 * usage and for an install without --dry-run, which is not built yet. */
int cli_install(int argc, char **argv);

#endif
