#include "sts.h"

#include <stdlib.h>
#include <string.h>

#include "awsxml.h"

static void identity_cleanup(struct sts_identity *id)
{
    free(id->account);
    free(id->arn);
    free(id->user_id);
    memset(id, 0, sizeof(*id));
}

void sts_identity_free(struct sts_identity *id)
{
    if (!id)
        return;
    identity_cleanup(id);
    free(id);
}

int sts_parse_identity(const char *xml, size_t len, struct sts_identity *id,
                       struct api_error *err)
{
    static const char what[] = "STS GetCallerIdentity";
    memset(id, 0, sizeof(*id));
    xmlDoc *doc = awsxml_parse(xml, len, what, err);
    if (!doc)
        return -1;
    xmlNode *result = awsxml_find(xmlDocGetRootElement(doc),
                                  "GetCallerIdentityResult");
    id->account = awsxml_child_text(result, "Account");
    id->arn = awsxml_child_text(result, "Arn");
    id->user_id = awsxml_child_text(result, "UserId");
    xmlFreeDoc(doc);
    if (!id->account || !*id->account || !id->arn || !*id->arn) {
        api_error_set(err, "InvalidReply", "%s reply has no "
                      "GetCallerIdentityResult with Account and Arn", what);
        identity_cleanup(id);
        return -1;
    }
    return 0;
}

struct identity_call {
    sts_identity_fn done;
    void *ctx;
};

static void on_identity(const struct buf *body, const struct api_error *err,
                        void *ctx)
{
    struct identity_call *call = ctx;
    struct api_error parse_err = {0};
    struct sts_identity *id = NULL;
    if (!err) {
        id = calloc(1, sizeof(*id));
        if (!id)
            api_error_set(&parse_err, "InternalError", "out of memory");
        else if (sts_parse_identity(body->data, body->len, id,
                                    &parse_err) < 0) {
            sts_identity_free(id);
            id = NULL;
        }
        if (!id)
            err = &parse_err;
    }
    call->done(id, err, call->ctx);
    free(call);
}

int sts_get_caller_identity(struct aws_session *s, sts_identity_fn done,
                            void *ctx)
{
    struct identity_call *call = calloc(1, sizeof(*call));
    if (!call) {
        struct api_error err = {0};
        api_error_set(&err, "InternalError", "out of memory");
        done(NULL, &err, ctx);
        return -1;
    }
    call->done = done;
    call->ctx = ctx;
    const struct aws_call req = {
        .service = &aws_service_sts,
        .operation = "GetCallerIdentity",
    };
    return aws_send(s, &req, on_identity, call);
}
