#include "ec2.h"

#include <stdlib.h>
#include <string.h>

#include "awsxml.h"

static void free_names(char **names, size_t count)
{
    for (size_t i = 0; i < count; i++)
        free(names[i]);
    free(names);
}

static int add_name(char ***names, size_t *count, char *name)
{
    char **grown = realloc(*names, (*count + 1) * sizeof(*grown));
    if (!grown)
        return -1;
    *names = grown;
    grown[(*count)++] = name;
    return 0;
}

int ec2_parse_regions(const char *xml, size_t len, char ***names,
                      size_t *count, struct api_error *err)
{
    static const char what[] = "EC2 DescribeRegions";
    *names = NULL;
    *count = 0;
    xmlDoc *doc = awsxml_parse(xml, len, what, err);
    if (!doc)
        return -1;
    xmlNode *info = awsxml_find(xmlDocGetRootElement(doc), "regionInfo");
    int rc = info ? 0 : -1;
    for (xmlNode *item = awsxml_child(info, "item"); item && rc == 0;
         item = awsxml_next(item)) {
        char *name = awsxml_child_text(item, "regionName");
        if (!name || !*name || add_name(names, count, name) < 0) {
            free(name);
            rc = -1;
        }
    }
    xmlFreeDoc(doc);
    if (rc < 0) {
        api_error_set(err, "InvalidReply", "%s reply has no regionInfo or "
                      "an item without a regionName", what);
        free_names(*names, *count);
        *names = NULL;
        *count = 0;
    }
    return rc;
}

struct regions_call {
    ec2_regions_fn done;
    void *ctx;
};

static void on_regions(const struct buf *body, const struct api_error *err,
                       void *ctx)
{
    struct regions_call *call = ctx;
    struct api_error parse_err = {0};
    char **names = NULL;
    size_t count = 0;
    if (!err && ec2_parse_regions(body->data, body->len, &names, &count,
                                  &parse_err) < 0)
        err = &parse_err;
    call->done(names, count, err, call->ctx);
    free(call);
}

int ec2_describe_regions(struct aws_session *s, ec2_regions_fn done,
                         void *ctx)
{
    struct regions_call *call = calloc(1, sizeof(*call));
    if (!call) {
        struct api_error err = {0};
        api_error_set(&err, "InternalError", "out of memory");
        done(NULL, 0, &err, ctx);
        return -1;
    }
    call->done = done;
    call->ctx = ctx;
    const struct aws_call req = {
        .service = &aws_service_ec2,
        .operation = "DescribeRegions",
    };
    return aws_send(s, &req, on_regions, call);
}
