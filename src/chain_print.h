/* Printing one chain for albatross describe ingress. */
#ifndef ALBATROSS_CHAIN_PRINT_H
#define ALBATROSS_CHAIN_PRINT_H

#include <stdio.h>
#include <time.h>

#include "chain.h"

/* Indented text: the ingress, its ALB, listeners and rules, target
 * groups and targets with their pods, events and findings. Control
 * characters in the values are printed as '?'. */
void chain_print_text(const struct chain *c, time_t now, FILE *out);
/* The same as one JSON object, or as YAML when yaml is set. */
void chain_print_doc(const struct chain *c, time_t now, int yaml, FILE *out);

enum { CHAIN_PRINT_TEXT, CHAIN_PRINT_JSON, CHAIN_PRINT_YAML };

/* Every chain of cluster, then the load balancers no ingress claims: as
 * text, or as {"items": [...], "unclaimedLoadBalancers": [...]}. */
void chain_print_all(const struct chains *cs, size_t cluster, time_t now,
                     int format, FILE *out);

/* "42s", "5m", "3h", "2d"; "-" when then is 0. */
void chain_format_age(time_t then, time_t now, char *out, size_t outlen);

#endif
