/*
 * The XML replies of the query and ec2 protocols: every parser gets the
 * same input, so one corpus of STS, IAM and EC2 replies and errors covers
 * them all.
 */
#include "fuzz.h"

#include <stdlib.h>
#include <string.h>

#include "../../api/awsxml.h"
#include "../../api/buf.h"
#include "../../api/creds.h"
#include "../../api/ec2.h"
#include "../../api/iam.h"
#include "../../api/sts.h"

static void parse_identity(const char *xml, size_t len)
{
    struct api_error err;
    struct sts_identity *id = calloc(1, sizeof(*id));
    if (id && sts_parse_identity(xml, len, id, &err) == 0)
        sts_identity_free(id);
    else
        free(id);
}

static void parse_role_pages(const char *xml, size_t len)
{
    struct api_error err;
    struct iam_role_list *list = calloc(1, sizeof(*list));
    char *marker = NULL;
    if (!list)
        return;
    iam_parse_roles_page(xml, len, list, &marker, &err);
    free(marker);
    iam_role_list_free(list);
}

static void parse_role(const char *xml, size_t len)
{
    struct api_error err;
    struct iam_role role;
    char *marker = NULL;
    memset(&role, 0, sizeof(role));
    iam_parse_role(xml, len, &role, &err);
    iam_parse_attached_policies(xml, len, &role, &marker, &err);
    free(marker);
    marker = NULL;
    iam_parse_inline_policies(xml, len, &role, &marker, &err);
    free(marker);
    iam_role_cleanup(&role);
}

static void parse_regions(const char *xml, size_t len)
{
    struct api_error err;
    char **names = NULL;
    size_t count = 0;
    if (ec2_parse_regions(xml, len, &names, &count, &err) < 0)
        return;
    for (size_t i = 0; i < count; i++)
        free(names[i]);
    free(names);
}

static void parse_credentials(const char *xml, size_t len)
{
    struct aws_credentials c;
    char err[512];
    memset(&c, 0, sizeof(c));
    creds_parse_sts_reply(xml, len, &c, err, sizeof(err));
    aws_credentials_free(&c);
}

static void parse_error(const uint8_t *data, size_t size)
{
    struct api_error err;
    struct buf body;
    buf_init(&body, 0);
    if (buf_append(&body, data, size) == 0)
        aws_error_from_reply(&err, 400, "text/xml", NULL, &body);
    buf_cleanup(&body);
}

int fuzz_xml(const uint8_t *data, size_t size)
{
    const char *xml = (const char *)data;
    struct api_error err;
    xmlDoc *doc = awsxml_parse(xml, size, "fuzz", &err);
    if (doc) {
        char copy[64];
        xmlNode *root = xmlDocGetRootElement(doc);
        awsxml_child_copy(root, "Message", copy, sizeof(copy));
        free(awsxml_text(awsxml_find(root, "Code")));
        xmlFreeDoc(doc);
    }
    parse_identity(xml, size);
    parse_role_pages(xml, size);
    parse_role(xml, size);
    parse_regions(xml, size);
    parse_credentials(xml, size);
    parse_error(data, size);
    return 0;
}
