/*
 * A simulation of the AWS Load Balancer Controller (v2) for the clusters
 * of a world that have it installed. For each ingress group it builds
 * the model the controller builds (subnets, listeners, rules, target
 * groups). It then deploys the model into the world's ELBv2 state with
 * the controller's names and tags, registers the pods or nodes as
 * targets and writes the ingress status. When the world is
 * misconfigured it stops where the controller stops and records the
 * controller's Warning event (FailedBuildModel or FailedDeployModel) on
 * every ingress of the group, in the words of the controller version
 * the world names.
 */
#ifndef SANDBOX_CONTROLLER_H
#define SANDBOX_CONTROLLER_H

#include "world.h"

/* Reconciles every cluster once. Call after world_load, with the
 * sandbox clock set. Returns 0, or -1 when memory runs out. */
int controller_run(struct world *w);

/* Runs controller_run once timing.controller_start has passed on the
 * sandbox clock, and never again; callers hold the world (the server's
 * lock). Returns 0, or -1 when memory runs out. */
int controller_tick(struct world *w);

#endif
