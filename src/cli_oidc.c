/*
 * albatross associate oidc-provider --cluster NAME [--region R]
 * [--dry-run]: what eksctl utils associate-iam-oidc-provider --approve
 * does (src/oidc.c), on cli_iam's session and loop.
 */
#include <stdio.h>
#include <string.h>

#include "cli_iam.h"
#include "oidc.h"
#include "output.h"
#include "plan.h"

struct associate_reply {
    int done;
    int failed;
    struct api_error err;
    struct oidc_result res;
};

static void on_associated(const struct oidc_result *res,
                          const struct api_error *err, void *ctx)
{
    struct associate_reply *r = ctx;
    r->done = 1;
    r->failed = err != NULL;
    if (err)
        r->err = *err;
    else
        r->res = *res;
}

#define DRY_RUN_TAGS 16   /* eksctl's three and a config's few */

static void print_dry_run(struct cli_iam *c, const struct oidc_result *res)
{
    struct ccfg_map tags = {0};
    plan_shared_tags(&tags, c->cluster, NULL);
    const char *fields[6 + 2 * DRY_RUN_TAGS] = {
        "Url", res->issuer,
        "ClientIDList.member.1", "sts.amazonaws.com",
        "ThumbprintList.member.1", res->thumbprint,
    };
    char names[DRY_RUN_TAGS][32], values[DRY_RUN_TAGS][400];
    size_t n = 6;
    for (size_t i = 0; i < tags.count && i < DRY_RUN_TAGS; i++) {
        snprintf(names[i], sizeof(names[i]), "Tags.member.%zu", i + 1);
        snprintf(values[i], sizeof(values[i]), "%s=%s", tags.items[i].key,
                 tags.items[i].value);
        fields[n++] = names[i];
        fields[n++] = values[i];
    }
    fprintf(c->out, "would create the IAM OIDC provider of cluster \"%s\" "
            "and tag the cluster:\n", c->cluster);
    cli_iam_print_call(c->out, "CreateOpenIDConnectProvider", fields, n,
                       NULL, NULL);
    fputs("EKS TagResource\n  resourceArn: the cluster's ARN\n"
          "  tags: " OIDC_ENABLED_TAG "=true\n", c->out);
    ccfg_map_free(&tags);
}

int cli_oidc_associate(struct cli_iam *c)
{
    if (!c->cluster) {
        output_error(c->err, "associate oidc-provider needs --cluster NAME; "
                     "see albatross associate oidc-provider --help");
        return 2;
    }
    int rc = cli_iam_connect(c);
    if (rc)
        return rc;
    struct associate_reply r = {0};
    const struct oidc_request rq = {
        .region = c->region, .cluster = c->cluster, .dry_run = c->dry_run,
        .tag_cluster = 1,
    };
    oidc_associate(&c->aws, &rq, on_associated, &r);
    if (cli_iam_wait(c, &r.done))
        return 1;
    if (r.failed) {
        cli_iam_fail(c, "associate oidc-provider", &r.err);
        return 1;
    }
    if (r.res.outcome == OIDC_EXISTS)
        fprintf(c->out, "IAM OIDC provider %s is already associated with "
                "cluster \"%s\"\n", r.res.provider_arn, c->cluster);
    else if (c->dry_run)
        print_dry_run(c, &r.res);
    else
        fprintf(c->out, "created IAM OIDC provider %s for cluster \"%s\" "
                "(thumbprint %s)\n", r.res.provider_arn, c->cluster,
                r.res.thumbprint);
    return 0;
}
