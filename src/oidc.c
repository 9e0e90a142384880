/*
 * The cluster's OIDC provider (see oidc.h). Each operation is one
 * struct oidc_op that moves through its steps as replies arrive; every
 * step's callback sends the next call or finishes, so nothing waits.
 */
#include "oidc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../api/eks.h"
#include "../api/iam.h"
#include "../api/iam_oidc.h"
#include "../api/iam_write.h"
#include "../api/oidc_thumbprint.h"
#include "plan.h"
#include "util.h"

#define PROVIDER_MARK ":oidc-provider/"
#define CLIENT_ID "sts.amazonaws.com"

enum oidc_mode { MODE_ASSOCIATE, MODE_DELETE, MODE_MARK };

struct oidc_op {
    struct aws_session *s;
    enum oidc_mode mode;
    char *region;
    char *cluster;
    char *cluster_arn;
    struct ccfg_map tags;     /* for a created provider */
    int dry_run;
    int tag_cluster;
    struct oidc_result res;
    oidc_fn done;
    void *ctx;
};

static void finish(struct oidc_op *op, const struct api_error *err)
{
    op->done(err ? NULL : &op->res, err, op->ctx);
    free(op->region);
    free(op->cluster);
    free(op->cluster_arn);
    ccfg_map_free(&op->tags);
    free(op);
}

/* ---- the steps, last first ---------------------------------------------- */

static void on_cluster_tagged(const struct iam_write_result *r,
                              const struct api_error *err, void *ctx)
{
    (void)r;
    finish(ctx, err);
}

static void tag_cluster(struct oidc_op *op)
{
    const struct iam_tag tag = { OIDC_ENABLED_TAG, "true" };
    if (!op->cluster_arn) {
        struct api_error err = {0};
        api_error_set(&err, "InvalidReply", "EKS DescribeCluster gave no "
                      "ARN for cluster %s, so it cannot be tagged",
                      op->cluster);
        finish(op, &err);
        return;
    }
    eks_tag_resource(op->s, op->region, op->cluster_arn, &tag, 1,
                     on_cluster_tagged, op);
}

static void on_created(const struct iam_write_result *r,
                       const struct api_error *err, void *ctx)
{
    struct oidc_op *op = ctx;
    if (err && strcmp(err->code, "EntityAlreadyExists") == 0) {
        /* Someone created it between the list and the create. */
        op->res.outcome = OIDC_EXISTS;
        finish(op, NULL);
        return;
    }
    if (err) {
        finish(op, err);
        return;
    }
    if (r && r->arn)
        snprintf(op->res.provider_arn, sizeof(op->res.provider_arn), "%s",
                 r->arn);
    op->res.outcome = OIDC_CREATED;
    if (op->tag_cluster)
        tag_cluster(op);
    else
        finish(op, NULL);
}

static int create_provider(struct oidc_op *op)
{
    static const char *const client_ids[] = { CLIENT_ID };
    const char *thumbprints[] = { op->res.thumbprint };
    struct iam_tag tags[IAM_MAX_TAGS];
    size_t n = op->tags.count < IAM_MAX_TAGS ? op->tags.count : IAM_MAX_TAGS;
    for (size_t i = 0; i < n; i++) {
        tags[i].key = op->tags.items[i].key;
        tags[i].value = op->tags.items[i].value;
    }
    const struct iam_oidc_provider_spec spec = {
        .url = op->res.issuer, .client_ids = client_ids,
        .client_id_count = 1, .thumbprints = thumbprints,
        .thumbprint_count = 1, .tags = tags, .tag_count = n,
    };
    return iam_create_oidc_provider(op->s, &spec, on_created, op);
}

static void on_thumbprint(const char *thumbprint, const struct api_error *err,
                          void *ctx)
{
    struct oidc_op *op = ctx;
    if (err) {
        finish(op, err);
        return;
    }
    snprintf(op->res.thumbprint, sizeof(op->res.thumbprint), "%s",
             thumbprint);
    if (op->dry_run) {
        op->res.outcome = OIDC_CREATED;
        finish(op, NULL);
        return;
    }
    create_provider(op);
}

static void on_deleted(const struct iam_write_result *r,
                       const struct api_error *err, void *ctx)
{
    struct oidc_op *op = ctx;
    (void)r;
    if (err && strcmp(err->code, "NoSuchEntity") == 0)
        err = NULL;  /* gone already: what was asked for */
    op->res.outcome = OIDC_DELETED;
    finish(op, err);
}

/* Why the provider is not the cluster's, or NULL when it is. */
static const char *not_owned(struct oidc_op *op,
                             const struct iam_tag_list *tags)
{
    const char *owner = iam_tag_list_get(tags, OIDC_OWNER_TAG);
    const char *old = iam_tag_list_get(tags, OIDC_OWNER_TAG_OLD);
    if ((owner && strcmp(owner, op->cluster) == 0) ||
        (old && strcmp(old, op->cluster) == 0))
        return NULL;
    if (owner || old)
        snprintf(op->res.why, sizeof(op->res.why), "it is tagged %s=%s, "
                 "another cluster's", owner ? OIDC_OWNER_TAG
                                            : OIDC_OWNER_TAG_OLD,
                 owner ? owner : old);
    else
        snprintf(op->res.why, sizeof(op->res.why), "it carries neither "
                 "%s=%s nor %s=%s, so neither albatross nor eksctl created "
                 "it for this cluster", OIDC_OWNER_TAG, op->cluster,
                 OIDC_OWNER_TAG_OLD, op->cluster);
    return op->res.why;
}

static void on_tags(struct iam_tag_list *tags, const struct api_error *err,
                    void *ctx)
{
    struct oidc_op *op = ctx;
    if (err) {
        finish(op, err);
        return;
    }
    const char *why = not_owned(op, tags);
    iam_tag_list_free(tags);
    if (why) {
        op->res.outcome = OIDC_KEPT;
        finish(op, NULL);
    } else if (op->dry_run) {
        op->res.outcome = OIDC_DELETED;
        finish(op, NULL);
    } else {
        iam_delete_oidc_provider(op->s, op->res.provider_arn, on_deleted, op);
    }
}

/* Sets res.provider_arn to the provider of res.issuer; 1 when found. */
static int find_provider(struct oidc_op *op,
                         const struct iam_oidc_provider_list *list)
{
    const char *host = op->res.issuer + strlen("https://");
    for (size_t i = 0; list && i < list->count; i++) {
        const char *mark = strstr(list->arns[i], PROVIDER_MARK);
        if (mark && strcmp(mark + strlen(PROVIDER_MARK), host) == 0) {
            snprintf(op->res.provider_arn, sizeof(op->res.provider_arn),
                     "%s", list->arns[i]);
            return 1;
        }
    }
    return 0;
}

static void on_providers(struct iam_oidc_provider_list *list,
                         const struct api_error *err, void *ctx)
{
    struct oidc_op *op = ctx;
    int found = err ? 0 : find_provider(op, list);
    iam_oidc_provider_list_free(list);
    if (err) {
        finish(op, err);
    } else if (op->mode == MODE_DELETE && !found) {
        op->res.outcome = OIDC_NONE;
        finish(op, NULL);
    } else if (op->mode == MODE_DELETE) {
        iam_list_oidc_provider_tags(op->s, op->res.provider_arn, on_tags, op);
    } else if (found) {
        op->res.outcome = OIDC_EXISTS;
        finish(op, NULL);
    } else {
        oidc_thumbprint(op->s, op->res.issuer, on_thumbprint, op);
    }
}

static void on_cluster(struct eks_cluster_list *list,
                       const struct api_error *err, void *ctx)
{
    struct oidc_op *op = ctx;
    struct api_error none = {0};
    const struct eks_cluster *c = !err && list && list->count
                                  ? &list->items[0] : NULL;
    if (c && c->oidc_issuer && strncmp(c->oidc_issuer, "https://", 8) == 0) {
        snprintf(op->res.issuer, sizeof(op->res.issuer), "%s",
                 c->oidc_issuer);
        snprintf(op->res.cluster_arn, sizeof(op->res.cluster_arn), "%s",
                 c->arn ? c->arn : "");
        op->cluster_arn = xstrdup(c->arn);
    } else if (!err) {
        api_error_set(&none, "NoIssuer", "EKS reports no OIDC issuer for "
                      "cluster %s; wait until it is ACTIVE and run again",
                      op->cluster);
        err = &none;
    }
    eks_cluster_list_free(list);
    if (err) {
        finish(op, err);
    } else if (op->mode == MODE_MARK) {
        op->res.outcome = OIDC_EXISTS;
        if (op->dry_run)
            finish(op, NULL);
        else
            tag_cluster(op);
    } else {
        iam_list_oidc_providers(op->s, on_providers, op);
    }
}

static struct oidc_op *op_new(struct aws_session *s,
                              const struct oidc_request *rq,
                              enum oidc_mode mode, oidc_fn done, void *ctx)
{
    struct oidc_op *op = xrealloc(NULL, sizeof(*op));
    memset(op, 0, sizeof(*op));
    op->s = s;
    op->mode = mode;
    op->region = xstrdup(rq->region);
    op->cluster = xstrdup(rq->cluster);
    op->dry_run = rq->dry_run;
    op->tag_cluster = rq->tag_cluster;
    op->done = done;
    op->ctx = ctx;
    if (mode == MODE_ASSOCIATE)
        plan_shared_tags(&op->tags, rq->cluster, rq->tags);
    return op;
}

static int start(struct aws_session *s, const struct oidc_request *rq,
                 enum oidc_mode mode, oidc_fn done, void *ctx)
{
    struct oidc_op *op = op_new(s, rq, mode, done, ctx);
    return eks_describe_cluster(s, rq->region, rq->cluster, on_cluster, op);
}

int oidc_create_provider(struct aws_session *s, const struct oidc_request *rq,
                         const char *issuer, const char *thumbprint,
                         oidc_fn done, void *ctx)
{
    struct oidc_op *op = op_new(s, rq, MODE_ASSOCIATE, done, ctx);
    op->tag_cluster = 0;
    op->dry_run = 0;
    snprintf(op->res.issuer, sizeof(op->res.issuer), "%s", issuer);
    snprintf(op->res.thumbprint, sizeof(op->res.thumbprint), "%s",
             thumbprint);
    return create_provider(op);
}

int oidc_associate(struct aws_session *s, const struct oidc_request *rq,
                   oidc_fn done, void *ctx)
{
    return start(s, rq, MODE_ASSOCIATE, done, ctx);
}

int oidc_delete_owned(struct aws_session *s, const struct oidc_request *rq,
                      oidc_fn done, void *ctx)
{
    return start(s, rq, MODE_DELETE, done, ctx);
}

int oidc_mark_cluster(struct aws_session *s, const struct oidc_request *rq,
                      oidc_fn done, void *ctx)
{
    return start(s, rq, MODE_MARK, done, ctx);
}
