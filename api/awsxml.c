#include "awsxml.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>

/* Deeper than any AWS reply; bounds the depth-first search. */
#define MAX_DEPTH 64

static int has_dtd(const char *xml, size_t len)
{
    static const char marker[] = "<!DOCTYPE";
    size_t n = sizeof(marker) - 1;
    for (size_t i = 0; i + n <= len; i++)
        if (xml[i] == '<' && memcmp(xml + i, marker, n) == 0)
            return 1;
    return 0;
}

void awsxml_global_init(void)
{
    xmlInitParser();
}

xmlDoc *awsxml_parse(const char *xml, size_t len, const char *what,
                     struct api_error *err)
{
    if (!xml || len == 0) {
        api_error_set(err, "InvalidReply", "%s reply is empty", what);
        return NULL;
    }
    if (len > INT_MAX || has_dtd(xml, len)) {
        api_error_set(err, "InvalidReply",
                      "%s reply was rejected: it is too large or carries "
                      "a DTD", what);
        return NULL;
    }
    xmlDoc *doc = xmlReadMemory(xml, (int)len, NULL, NULL,
                                XML_PARSE_NONET | XML_PARSE_NOERROR |
                                XML_PARSE_NOWARNING | XML_PARSE_NOCDATA);
    if (!doc || !xmlDocGetRootElement(doc)) {
        const xmlError *e = xmlGetLastError();
        api_error_set(err, "InvalidReply", "%s reply is not valid XML%s%s",
                      what, e && e->message ? ": " : "",
                      e && e->message ? e->message : "");
        /* libxml2's messages end with a newline */
        size_t n = strlen(err ? err->message : "");
        if (err && n && err->message[n - 1] == '\n')
            err->message[n - 1] = '\0';
        xmlFreeDoc(doc);
        return NULL;
    }
    return doc;
}

static int named(const xmlNode *n, const char *name)
{
    return n->type == XML_ELEMENT_NODE &&
           strcmp((const char *)n->name, name) == 0;
}

xmlNode *awsxml_child(const xmlNode *parent, const char *name)
{
    if (!parent)
        return NULL;
    for (xmlNode *n = parent->children; n; n = n->next)
        if (named(n, name))
            return n;
    return NULL;
}

static xmlNode *find(const xmlNode *node, const char *name, int depth)
{
    if (named(node, name))
        return (xmlNode *)node;
    if (depth >= MAX_DEPTH)
        return NULL;
    for (xmlNode *n = node->children; n; n = n->next) {
        if (n->type != XML_ELEMENT_NODE)
            continue;
        xmlNode *hit = find(n, name, depth + 1);
        if (hit)
            return hit;
    }
    return NULL;
}

xmlNode *awsxml_find(const xmlNode *node, const char *name)
{
    return node ? find(node, name, 0) : NULL;
}

xmlNode *awsxml_next(const xmlNode *node)
{
    for (xmlNode *n = node->next; n; n = n->next)
        if (named(n, (const char *)node->name))
            return n;
    return NULL;
}

char *awsxml_text(const xmlNode *node)
{
    if (!node)
        return NULL;
    xmlChar *content = xmlNodeGetContent(node);
    if (!content)
        return strdup("");
    char *copy = strdup((const char *)content);
    xmlFree(content);
    return copy;
}

char *awsxml_child_text(const xmlNode *parent, const char *name)
{
    return awsxml_text(awsxml_child(parent, name));
}

void awsxml_child_copy(const xmlNode *parent, const char *name, char *out,
                       size_t outlen)
{
    out[0] = '\0';
    char *text = awsxml_child_text(parent, name);
    if (!text)
        return;
    snprintf(out, outlen, "%s", text);
    for (char *p = out; *p; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            *p = ' ';
    free(text);
}
