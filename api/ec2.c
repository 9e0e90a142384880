#include "ec2.h"

#include <stdlib.h>
#include <string.h>

#include "awsxml.h"

static void region_list_cleanup(struct ec2_region_list *l)
{
    for (size_t i = 0; i < l->count; i++)
        free(l->names[i]);
    free(l->names);
    l->names = NULL;
    l->count = 0;
}

void ec2_region_list_free(struct ec2_region_list *l)
{
    if (!l)
        return;
    region_list_cleanup(l);
    free(l);
}

static int add_name(struct ec2_region_list *l, char *name)
{
    char **grown = realloc(l->names, (l->count + 1) * sizeof(*grown));
    if (!grown)
        return -1;
    l->names = grown;
    l->names[l->count++] = name;
    return 0;
}

int ec2_parse_regions(const char *xml, size_t len, struct ec2_region_list *l,
                      struct api_error *err)
{
    static const char what[] = "EC2 DescribeRegions";
    memset(l, 0, sizeof(*l));
    xmlDoc *doc = awsxml_parse(xml, len, what, err);
    if (!doc)
        return -1;
    xmlNode *info = awsxml_find(xmlDocGetRootElement(doc), "regionInfo");
    int rc = info ? 0 : -1;
    for (xmlNode *item = awsxml_child(info, "item"); item && rc == 0;
         item = awsxml_next(item)) {
        char *name = awsxml_child_text(item, "regionName");
        if (!name || !*name || add_name(l, name) < 0) {
            free(name);
            rc = -1;
        }
    }
    xmlFreeDoc(doc);
    if (rc < 0) {
        api_error_set(err, "InvalidReply", "%s reply has no regionInfo or "
                      "an item without a regionName", what);
        region_list_cleanup(l);
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
    struct ec2_region_list *list = NULL;
    if (!err) {
        list = calloc(1, sizeof(*list));
        if (!list)
            api_error_set(&parse_err, "InternalError", "out of memory");
        else if (ec2_parse_regions(body->data, body->len, list,
                                   &parse_err) < 0) {
            ec2_region_list_free(list);
            list = NULL;
        }
        if (!list)
            err = &parse_err;
    }
    call->done(list, err, call->ctx);
    free(call);
}

int ec2_describe_regions(struct aws_session *s, ec2_regions_fn done,
                         void *ctx)
{
    struct regions_call *call = calloc(1, sizeof(*call));
    if (!call) {
        struct api_error err = {0};
        api_error_set(&err, "InternalError", "out of memory");
        done(NULL, &err, ctx);
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
