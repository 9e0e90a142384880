/* EC2 (ec2 protocol): DescribeRegions over the world's regions; the
 * network calls are in aws_ec2_net.c. */
#include "aws_services.h"

#include <stdio.h>
#include <string.h>

/* RegionName.1, RegionName.2, ...: 1 when the call names no regions or
 * names this one. */
static int region_requested(const struct awsreply *r, const char *region)
{
    int named = 0;
    for (int i = 1;; i++) {
        char key[32];
        snprintf(key, sizeof(key), "RegionName.%d", i);
        const char *value = awsreply_param(r, key);
        if (!value)
            return !named;
        named = 1;
        if (strcmp(value, region) == 0)
            return 1;
    }
}

static int unknown_region(struct awsreply *r)
{
    for (int i = 1;; i++) {
        char key[32];
        snprintf(key, sizeof(key), "RegionName.%d", i);
        const char *value = awsreply_param(r, key);
        if (!value)
            return 0;
        int known = 0;
        for (size_t j = 0; j < r->world->region_count; j++)
            known |= strcmp(r->world->regions[j], value) == 0;
        if (!known) {
            awsreply_error(r, 400, "InvalidParameterValue", "Invalid region: "
                           "%s", value);
            return -1;
        }
    }
}

static void describe_regions(struct awsreply *r)
{
    if (unknown_region(r) < 0)
        return;
    int rc = awsreply_xml_begin(r);
    rc |= awsreply_xml_open(r, "regionInfo");
    for (size_t i = 0; i < r->world->region_count; i++) {
        const char *name = r->world->regions[i];
        char endpoint[96];
        if (!region_requested(r, name))
            continue;
        snprintf(endpoint, sizeof(endpoint), "ec2.%s.amazonaws.com", name);
        rc |= awsreply_xml_open(r, "item");
        rc |= awsreply_xml_text(r, "regionName", name);
        rc |= awsreply_xml_text(r, "regionEndpoint", endpoint);
        rc |= awsreply_xml_text(r, "optInStatus", "opt-in-not-required");
        rc |= awsreply_xml_close(r);
    }
    rc |= awsreply_xml_close(r);
    if (rc == 0)
        awsreply_xml_end(r);
    else
        awsreply_error(r, 500, "InternalError", "could not write the reply");
}

void aws_ec2_serve(struct awsreply *r)
{
    if (strcmp(r->action, "DescribeRegions") == 0)
        describe_regions(r);
    else if (aws_ec2_describe_network(r))
        return;
    else
        awsreply_error(r, 400, "InvalidAction", "The action %s is not valid "
                       "for this web service.", r->action);
}
