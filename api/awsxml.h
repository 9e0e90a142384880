/*
 * Reading the XML that the query and ec2 protocols return (IAM, STS, EC2,
 * errors). Replies carry a default namespace, so elements are matched by
 * local name only. Documents with a DTD are rejected: AWS never sends one,
 * and entity declarations are the usual way to make a parser blow up.
 */
#ifndef ALBATROSS_AWSXML_H
#define ALBATROSS_AWSXML_H

#include <stddef.h>

#include <libxml/tree.h>

#include "error.h"

/* Sets libxml2 up once; call it before a second thread parses (libxml2
 * 2.9 does not make its own first setup thread-safe). */
void awsxml_global_init(void);

/* Parses xml; returns the document (free with xmlFreeDoc) or NULL with
 * err set to "InvalidReply" naming what (e.g. "IAM ListRoles"). */
xmlDoc *awsxml_parse(const char *xml, size_t len, const char *what,
                     struct api_error *err);

/* First element child of parent with local name name, or NULL. */
xmlNode *awsxml_child(const xmlNode *parent, const char *name);
/* First element named name at or below node, depth first, or NULL. */
xmlNode *awsxml_find(const xmlNode *node, const char *name);
/* Next element sibling after node with the same local name, or NULL. */
xmlNode *awsxml_next(const xmlNode *node);

/* Text content of node as a new string; NULL when node is NULL or memory
 * runs out. */
char *awsxml_text(const xmlNode *node);
/* awsxml_text of the child named name, or NULL when it is absent. */
char *awsxml_child_text(const xmlNode *parent, const char *name);
/* Copies the child's text into out (truncated, control characters
 * replaced by spaces); out is "" when the child is absent. */
void awsxml_child_copy(const xmlNode *parent, const char *name, char *out,
                       size_t outlen);

#endif
