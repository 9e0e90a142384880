/*
 * Create a role for a service account as eksctl's iamserviceaccount
 * stack (eksctl-CLUSTER-addon-iamserviceaccount-NS-NAME), so eksctl
 * lists, updates and deletes it like its own. The plan (src/plan.c)
 * gives the stack's name, tags and template, whose trust is scoped with
 * StringEquals on the issuer's :sub and :aud. This file carries it out
 * on the event loop without blocking it: CreateStack, then a
 * DescribeStackEvents and DescribeStacks poll on a timer until the stack
 * settles, then the annotation with the stack's output Role1. Deleting
 * undoes it as eksctl delete iamserviceaccount does: DeleteStack, the
 * same poll until the stack is gone, then the annotation, unless it
 * names another role by then.
 *
 * TODO: the apply engine (src/apply_stack.c) runs the same create and
 * watch with a loop of its own; move it onto this driver so the UI can
 * run a whole ClusterConfig too.
 */
#include "action_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "../api/cfn.h"
#include "../api/eks.h"
#include "../api/http.h"
#include "../api/iam.h"
#include "../api/kube_write.h"
#include "cli_sa.h"
#include "plan.h"
#include "util.h"

#define DEFAULT_POLL_MS 2000
#define ROLE_PLACEHOLDER "ROLE_ARN_FROM_STACK_OUTPUT_Role1"

struct stack_state {
    struct ccfg config;               /* name and region only, and the
                                       * stack goes to this region */
    struct ccfg_service_account sa;
    struct plan plan;                 /* one stack step, one call step */
    char *issuer;                     /* without https:// */
    char *stack_name;
    char *stack_id;
    char *role_arn;
    int created_account;              /* the patch met no account */
    int deleting;                     /* ACTION_DELETE_ROLE_STACK */
};

static void free_state(void *data)
{
    struct stack_state *st = data;
    plan_cleanup(&st->plan);
    for (size_t i = 0; i < st->sa.policy_arn_count; i++)
        free(st->sa.policy_arns[i]);
    free(st->sa.policy_arns);
    free(st->sa.name);
    free(st->sa.namespace_name);
    free(st->sa.role_name);
    free(st->config.name);
    free(st->config.region);
    free(st->issuer);
    free(st->stack_name);
    free(st->stack_id);
    free(st->role_arn);
    free(st);
}

static struct stack_state *state(struct action_run *r)
{
    return action_priv(r)->data;
}

static int check(const struct action *a, struct api_error *err)
{
    if (action_check_service_account(a, err) < 0)
        return -1;
    if (a->role && action_check_role_name(a->role, err) < 0)
        return -1;
    for (size_t i = 0; i < a->policy_arn_count; i++)
        if (action_check_policy_arn(a->policy_arns[i], err) < 0)
            return -1;
    return 0;
}

/* ---- preview ------------------------------------------------------------- */

/* The cluster as EKS describes it must have an OIDC issuer. Returns 0,
 * or -1 with err. */
static int check_cluster(const struct eks_cluster *c, struct api_error *err)
{
    if (!c->oidc_issuer || strncmp(c->oidc_issuer, "https://", 8) != 0) {
        api_error_set(err, "NoIssuer", "EKS cluster %s has no OIDC issuer, "
                      "so no service account can assume an IAM role "
                      "through IRSA", c->name);
        return -1;
    }
    return 0;
}

static void init_state(struct action_run *r, const struct eks_cluster *c)
{
    const struct action *a = &r->action;
    struct stack_state *st = xrealloc(NULL, sizeof(*st));
    memset(st, 0, sizeof(*st));
    action_priv(r)->data = st;
    action_priv(r)->data_free = free_state;
    st->config.name = xstrdup(c->name);
    st->config.region = xstrdup(c->region ? c->region
                                          : action_cluster_region(r));
    st->sa.name = xstrdup(a->service_account);
    st->sa.namespace_name = xstrdup(a->namespace);
    st->sa.role_name = a->role ? xstrdup(a->role) : NULL;
    st->sa.policy_arns = xrealloc(NULL, (a->policy_arn_count + 1) *
                                        sizeof(char *));
    for (size_t i = 0; i < a->policy_arn_count; i++)
        st->sa.policy_arns[i] = xstrdup(a->policy_arns[i]);
    st->sa.policy_arn_count = a->policy_arn_count;
    st->issuer = xstrdup(c->oidc_issuer + strlen("https://"));
}

/* "k=v, k=v" of the stack's tags. */
static char *tag_text(const struct plan_step *s)
{
    char *text = xstrdup("");
    for (size_t i = 0; i < s->tags.count; i++) {
        char *old = text;
        size_t len = strlen(old) + strlen(s->tags.items[i].key) +
                     strlen(s->tags.items[i].value) + 4;
        text = xrealloc(NULL, len);
        snprintf(text, len, "%s%s%s=%s", old, i ? ", " : "",
                 s->tags.items[i].key, s->tags.items[i].value);
        free(old);
    }
    return text;
}

/* NAMED_IAM covers roles with a RoleName; CloudFormation accepts it for
 * unnamed ones too. */
static const char *capabilities(const struct plan_step *s)
{
    return strstr(s->template_json, "\"RoleName\"")
           ? "CAPABILITY_IAM, CAPABILITY_NAMED_IAM" : "CAPABILITY_IAM";
}

static void describe_plan(struct action_run *r)
{
    struct stack_state *st = state(r);
    const struct plan_step *stack = &st->plan.steps[0];
    const struct action *a = &r->action;
    char *tags = tag_text(stack), what[400], body[600];
    action_summary(r, "create stack %s in %s: an IAM role that "
                   "serviceaccount %s/%s of cluster %s assumes", stack->name,
                   st->config.region, a->namespace, a->service_account,
                   st->config.name);
    action_add_call(r, "CloudFormation", "CreateStack", stack->name,
                    "TemplateBody", stack->template_json, "Region",
                    st->config.region, "StackName", stack->name,
                    "Capabilities", capabilities(stack), "Tags",
                    tags, NULL);
    free(tags);
    snprintf(body, sizeof(body), "{\"metadata\":{\"annotations\":{\"%s\":"
             "\"%s\"}}}", ROLE_ARN_ANNOTATION, ROLE_PLACEHOLDER);
    char path[400];
    snprintf(path, sizeof(path), "/api/v1/namespaces/%s/serviceaccounts/%s"
             "?fieldManager=%s", a->namespace, a->service_account,
             KUBE_FIELD_MANAGER);
    action_add_call(r, "Kubernetes", "PATCH", path,
                    "Content-Type: application/merge-patch+json", body, NULL);
    snprintf(what, sizeof(what), "template of stack %s", stack->name);
    char *pretty = action_pretty_json(stack->template_json);
    action_add_change(r, what, "", pretty);
    free(pretty);
    action_note(r, "%s is the stack's output Role1, known once the stack "
                "is created; the ServiceAccount is created when it does not "
                "exist", ROLE_PLACEHOLDER);
    for (size_t i = 0; i < stack->note_count; i++)
        action_note(r, "%s", stack->notes[i]);
}

static void on_providers(struct iam_oidc_provider_list *list,
                         const struct api_error *err, void *ctx)
{
    struct action_run *r = ctx;
    if (!action_arrived(r)) {
        iam_oidc_provider_list_free(list);
        return;
    }
    struct stack_state *st = state(r);
    int found = 0;
    for (size_t i = 0; list && i < list->count; i++) {
        const char *at = strstr(list->arns[i], ":oidc-provider/");
        found |= at && !strcmp(at + strlen(":oidc-provider/"), st->issuer);
    }
    iam_oidc_provider_list_free(list);
    struct api_error e = {0};
    if (!err && !found) {
        api_error_set(&e, "NoOIDCProvider", "EKS cluster %s has no IAM OIDC "
                      "provider for its issuer https://%s, so IAM would "
                      "reject the trust policy; associate one with O in "
                      "the clusters pane, albatross associate oidc-provider "
                      "--cluster %s --region %s, or eksctl utils "
                      "associate-iam-oidc-provider --cluster %s --region %s "
                      "--approve", st->config.name, st->issuer,
                      st->config.name, st->config.region, st->config.name,
                      st->config.region);
        err = &e;
    }
    if (!err) {
        plan_build_service_account(&st->plan, &st->config, &st->sa,
                                   st->issuer);
        st->stack_name = xstrdup(st->plan.steps[0].name);
        describe_plan(r);
    }
    action_previewed(r, err);
}

static void on_cluster(struct eks_cluster_list *list,
                       const struct api_error *err, void *ctx)
{
    struct action_run *r = ctx;
    if (!action_arrived(r)) {
        eks_cluster_list_free(list);
        return;
    }
    struct api_error e = {0};
    if (err && !strcmp(err->code, "ResourceNotFoundException")) {
        const char *region = action_cluster_region(r);
        api_error_set(&e, err->code, "EKS cluster %s not found in region "
                      "%s: pass --region with the cluster's region",
                      r->action.cluster ? r->action.cluster : "",
                      region ? region : "");
        err = &e;
    } else if (!err && (!list || list->count != 1)) {
        api_error_set(&e, "InvalidReply", "EKS DescribeCluster returned no "
                      "cluster");
        err = &e;
    }
    if (!err && check_cluster(&list->items[0], &e) < 0)
        err = &e;
    if (err) {
        eks_cluster_list_free(list);
        action_previewed(r, err);
        return;
    }
    init_state(r, &list->items[0]);
    eks_cluster_list_free(list);
    action_waiting(r);
    iam_list_oidc_providers(&r->model->aws, on_providers, r);
}

/* The cluster the action names, or else the model's current one, or
 * NULL after ending the preview with an error. */
static const char *cluster_name(struct action_run *r)
{
    const struct model *m = r->model;
    const char *name = r->action.cluster;
    if (!name && m->current != MODEL_NONE && m->current < m->cluster_count)
        name = m->clusters[m->current].name;
    if (!name) {
        struct api_error err = {0};
        api_error_set(&err, "NoCluster", "no EKS cluster selected: pass "
                      "--cluster NAME");
        action_previewed(r, &err);
    }
    return name;
}

/* Describes the cluster in EKS even when the model lists it, because
 * the model may have opened it from the kubeconfig alone, without its
 * issuer. The call goes to the cluster's region, where EKS lists it and
 * where its stack goes, not to the session's. */
static void preview(struct action_run *r)
{
    const char *name = cluster_name(r);
    if (!name)
        return;
    action_waiting(r);
    eks_describe_cluster(&r->model->aws, action_cluster_region(r), name,
                         on_cluster, r);
}

/* ---- the stack ----------------------------------------------------------- */

static void poll_stack(struct action_run *r);

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && strcmp(s + n - k, suffix) == 0;
}

static void on_timer(void *ctx, int cancelled)
{
    struct action_run *r = ctx;
    if (!action_arrived(r))
        return;
    if (cancelled) {
        struct api_error err = {0};
        api_error_set(&err, "Cancelled", "stopped while waiting for stack "
                      "%s", state(r)->stack_name);
        action_sent(r, &err);
        return;
    }
    poll_stack(r);
}

static void wait_and_poll(struct action_run *r)
{
    long ms = r->action.poll_ms > 0 ? r->action.poll_ms : DEFAULT_POLL_MS;
    action_waiting(r);
    if (http_schedule(r->model->http, ms, on_timer, r) < 0) {
        struct api_error err = {0};
        action_arrived(r);
        api_error_set(&err, "Failed", "cannot schedule the next poll");
        action_sent(r, &err);
    }
}

/* The reason of the oldest failed resource event, as eksctl names it. */
static void failure_reason(struct action_run *r, const char *status,
                           struct api_error *err)
{
    const struct stack_state *st = state(r);
    const struct progress_resource *bad =
        progress_failed_resource(&r->progress, 0);
    char hint[200];
    snprintf(hint, sizeof(hint), st->deleting ? "fix the cause, often a "
             "policy attached outside the stack, and delete again" :
             "delete it with aws cloudformation delete-stack --region %s "
             "--stack-name %s, fix the cause and run the action again",
             st->config.region, st->stack_name);
    api_error_set(err, "StackFailed", "stack %s is %s%s%s%s; %s",
                  st->stack_name, status, bad ? ": " : "",
                  bad ? bad->logical_id : "",
                  bad && bad->reason ? bad->reason : "",
                  hint);
}

static void settled(struct action_run *r, const struct cfn_stack_info *s)
{
    struct api_error err = {0};
    const char *want = state(r)->deleting ? "DELETE_COMPLETE"
                                          : "CREATE_COMPLETE";
    if (strcmp(s->status, want) != 0) {
        failure_reason(r, s->status, &err);
        action_sent(r, &err);
        return;
    }
    if (state(r)->deleting) {
        action_sent(r, NULL);
        return;
    }
    for (size_t i = 0; i < s->output_count; i++)
        if (!strcmp(s->outputs[i].key, "Role1")) {
            free(state(r)->role_arn);
            state(r)->role_arn = xstrdup(s->outputs[i].value);
        }
    if (!state(r)->role_arn) {
        api_error_set(&err, "InvalidReply", "stack %s has no output Role1",
                      s->name);
        action_sent(r, &err);
        return;
    }
    action_set_result(r, state(r)->role_arn);
    action_sent(r, NULL);
}

/* Whether err is CloudFormation's reply for a stack name it does not
 * know. */
static int stack_missing(const struct api_error *err)
{
    return err && !strcmp(err->code, "ValidationError") &&
           strstr(err->message, "does not exist");
}

static void on_stack(struct cfn_stack_list *list, const struct api_error *err,
                     void *ctx)
{
    struct action_run *r = ctx;
    if (!action_arrived(r)) {
        cfn_stack_list_free(list);
        return;
    }
    if (state(r)->deleting && (stack_missing(err) || (!err && list &&
                                                      !list->count))) {
        action_sent(r, NULL);
    } else if (err || !list || !list->count) {
        struct api_error e = {0};
        if (!err)
            api_error_set(&e, "StackGone", "stack %s disappeared while it "
                          "was created", state(r)->stack_name);
        action_sent(r, err ? err : &e);
    } else if (ends_with(list->items[0].status, "_IN_PROGRESS")) {
        wait_and_poll(r);
    } else {
        settled(r, &list->items[0]);
    }
    cfn_stack_list_free(list);
}

static void on_events(struct cfn_event_list *list,
                      const struct api_error *err, void *ctx)
{
    struct action_run *r = ctx;
    if (!action_arrived(r)) {
        cfn_event_list_free(list);
        return;
    }
    /* Oldest first, so the latest status of each resource wins. */
    for (size_t i = list ? list->count : 0; !err && i-- > 0;) {
        const struct cfn_stack_event *ev = &list->items[i];
        if (strcmp(ev->type, "AWS::CloudFormation::Stack") != 0)
            progress_resource_set(&r->progress, 0, ev->logical_id, ev->type,
                                  ev->status, ev->reason);
    }
    cfn_event_list_free(list);
    action_waiting(r);
    cfn_describe_stacks(&r->model->aws, state(r)->config.region,
                        state(r)->stack_id, on_stack, r);
}

static void poll_stack(struct action_run *r)
{
    action_waiting(r);
    cfn_describe_stack_events(&r->model->aws, state(r)->config.region,
                              state(r)->stack_id, on_events, r);
}

static void on_created(const char *stack_id, const struct api_error *err,
                       void *ctx)
{
    struct action_run *r = ctx;
    if (!action_arrived(r))
        return;
    if (err) {
        action_sent(r, err);
        return;
    }
    state(r)->stack_id = xstrdup(stack_id);
    poll_stack(r);
}

static void create_stack(struct action_run *r)
{
    const struct plan_step *s = &state(r)->plan.steps[0];
    struct cfn_pair *tags = xrealloc(NULL, (s->tags.count + 1) *
                                           sizeof(*tags));
    for (size_t i = 0; i < s->tags.count; i++)
        tags[i] = (struct cfn_pair){ s->tags.items[i].key,
                                     s->tags.items[i].value };
    static const char *const caps[] = { "CAPABILITY_IAM",
                                        "CAPABILITY_NAMED_IAM" };
    struct cfn_create_request req = {
        .name = s->name, .template_body = s->template_json,
        .tags = tags, .tag_count = s->tags.count, .capabilities = caps,
        .capability_count = strstr(s->template_json, "\"RoleName\"") ? 2 : 1,
    };
    action_waiting(r);
    cfn_create_stack(&r->model->aws, state(r)->config.region, &req,
                     on_created, r);
    free(tags);
}

/* A stack of that name already: one complete is used as it is, one in
 * progress is watched, anything else fails with its status. */
static void on_existing(struct cfn_stack_list *list,
                        const struct api_error *err, void *ctx)
{
    struct action_run *r = ctx;
    if (!action_arrived(r)) {
        cfn_stack_list_free(list);
        return;
    }
    if (stack_missing(err) || (!err && (!list || !list->count))) {
        create_stack(r);
    } else if (err) {
        action_sent(r, err);
    } else {
        state(r)->stack_id = xstrdup(list->items[0].id);
        if (ends_with(list->items[0].status, "_IN_PROGRESS"))
            poll_stack(r);
        else
            settled(r, &list->items[0]);
    }
    cfn_stack_list_free(list);
}

/* ---- the ServiceAccount -------------------------------------------------- */

static void send_account(struct action_run *r, int create);

static void on_account(const char *body, size_t len,
                       const struct api_error *err, void *ctx)
{
    struct action_run *r = ctx;
    (void)body;
    (void)len;
    if (!action_arrived(r))
        return;
    if (err && !strcmp(err->code, "NotFound") && !state(r)->created_account) {
        state(r)->created_account = 1;
        send_account(r, 1);
        return;
    }
    action_sent(r, err);
}

/* Patches the account's role annotation, or creates the account with
 * it. TODO: the label app.kubernetes.io/managed-by=eksctl that eksctl
 * sets, and the namespace when it is missing. */
static void send_account(struct action_run *r, int create)
{
    const struct action *a = &r->action;
    struct kube_annotation ann = { ROLE_ARN_ANNOTATION, state(r)->role_arn };
    struct kube_write_request rq;
    struct api_error err = {0};
    struct kube_client *kc = action_kube(r, &err);
    int rc = !kc ? -1 : create
        ? kube_sa_create_request(a->namespace, a->service_account, &ann, 1,
                                 &rq, &err)
        : kube_sa_annotate_request(a->namespace, a->service_account, &ann, 1,
                                   &rq, &err);
    if (rc < 0) {
        if (kc)
            kube_write_request_cleanup(&rq);
        action_sent(r, &err);
        return;
    }
    action_waiting(r);
    kube_send(kc, &rq, on_account, r);
    kube_write_request_cleanup(&rq);
}

static void send(struct action_run *r, size_t call)
{
    if (call == 1) {
        send_account(r, 0);
        return;
    }
    action_waiting(r);
    cfn_describe_stacks(&r->model->aws, state(r)->config.region,
                        state(r)->stack_name, on_existing, r);
}

const struct action_ops action_create_role_stack_ops = {
    .check = check,
    .preview = preview, .send = send,
};

/* ---- deleting ------------------------------------------------------------ */

#define ROLE_ARN_POINTER "/metadata/annotations/eks.amazonaws.com~1role-arn"

/* A JSON patch that removes the role annotation only while it still
 * names role_arn: the API server rejects the whole patch when the test
 * fails. */
static char *unannotate_patch(const char *role_arn)
{
    cJSON *ops = cJSON_CreateArray();
    cJSON *test = cJSON_CreateObject(), *remove = cJSON_CreateObject();
    cJSON_AddStringToObject(test, "op", "test");
    cJSON_AddStringToObject(test, "path", ROLE_ARN_POINTER);
    cJSON_AddStringToObject(test, "value", role_arn);
    cJSON_AddStringToObject(remove, "op", "remove");
    cJSON_AddStringToObject(remove, "path", ROLE_ARN_POINTER);
    cJSON_AddItemToArray(ops, test);
    cJSON_AddItemToArray(ops, remove);
    char *text = cJSON_PrintUnformatted(ops);
    cJSON_Delete(ops);
    return text;
}

static int unannotate_request(struct action_run *r,
                              struct kube_write_request *rq,
                              struct api_error *err)
{
    const struct action *a = &r->action;
    struct kube_object_ref ref = { "/api/v1", a->namespace,
                                   "serviceaccounts", a->service_account };
    memset(rq, 0, sizeof(*rq));
    snprintf(rq->method, sizeof(rq->method), "PATCH");
    rq->content_type = "application/json-patch+json";
    if (kube_write_path(&ref, "PATCH", 0, NULL, rq->path, sizeof(rq->path),
                        err) < 0)
        return -1;
    rq->body = unannotate_patch(state(r)->role_arn);
    if (!rq->body) {
        api_error_set(err, "OutOfMemory", "out of memory");
        return -1;
    }
    return 0;
}

static void describe_delete(struct action_run *r)
{
    const struct stack_state *st = state(r);
    const struct action *a = &r->action;
    struct kube_write_request rq;
    struct api_error err = {0};
    action_summary(r, "delete stack %s: the IAM role %s that serviceaccount "
                   "%s/%s of cluster %s assumes", st->stack_name,
                   st->role_arn ? st->role_arn : "(no output Role1)",
                   a->namespace, a->service_account, st->config.name);
    action_add_call(r, "CloudFormation", "DeleteStack", st->stack_name, NULL,
                    NULL, "StackName", st->stack_name, NULL);
    if (st->role_arn && unannotate_request(r, &rq, &err) == 0) {
        action_add_call(r, "Kubernetes", "PATCH", rq.path,
                        "Content-Type: application/json-patch+json", rq.body,
                        NULL);
        action_note(r, "the annotation %s is removed only while it still "
                    "names the stack's role", ROLE_ARN_ANNOTATION);
    }
    if (st->role_arn)
        kube_write_request_cleanup(&rq);
}

static void on_delete_found(struct cfn_stack_list *list,
                            const struct api_error *err, void *ctx)
{
    struct action_run *r = ctx;
    if (!action_arrived(r)) {
        cfn_stack_list_free(list);
        return;
    }
    struct stack_state *st = state(r);
    struct api_error e = {0};
    if (stack_missing(err) || (!err && (!list || !list->count))) {
        api_error_set(&e, "StackNotFound", "stack %s does not exist in %s, "
                      "so its role was not made as an eksctl stack: remove "
                      "the annotation and delete the role in IAM instead",
                      st->stack_name,
                      st->config.region ? st->config.region
                                        : "the session's region");
        err = &e;
    }
    if (!err) {
        const struct cfn_stack_info *info = &list->items[0];
        st->stack_id = xstrdup(info->id);
        for (size_t i = 0; i < info->output_count; i++)
            if (!strcmp(info->outputs[i].key, "Role1"))
                st->role_arn = xstrdup(info->outputs[i].value);
        describe_delete(r);
    }
    cfn_stack_list_free(list);
    action_previewed(r, err);
}

static void preview_delete(struct action_run *r)
{
    const struct action *a = &r->action;
    const char *name = cluster_name(r);
    if (!name)
        return;
    struct stack_state *st = xrealloc(NULL, sizeof(*st));
    memset(st, 0, sizeof(*st));
    action_priv(r)->data = st;
    action_priv(r)->data_free = free_state;
    st->deleting = 1;
    st->config.name = xstrdup(name);
    st->config.region = xstrdup(action_cluster_region(r));
    st->stack_name = xrealloc(NULL, 512);
    snprintf(st->stack_name, 512, "eksctl-%s-addon-iamserviceaccount-%s-%s",
             name, a->namespace, a->service_account);
    action_waiting(r);
    cfn_describe_stacks(&r->model->aws, st->config.region, st->stack_name,
                        on_delete_found, r);
}

static void on_delete_sent(const struct api_error *err, void *ctx)
{
    struct action_run *r = ctx;
    if (!action_arrived(r))
        return;
    if (err)
        action_sent(r, err);
    else
        poll_stack(r);
}

/* An account gone, or annotated with another role by now, is left as
 * it is. */
static void on_unannotated(const char *body, size_t len,
                           const struct api_error *err, void *ctx)
{
    struct action_run *r = ctx;
    (void)body;
    (void)len;
    if (!action_arrived(r))
        return;
    if (err && (!strcmp(err->code, "NotFound") ||
                !strcmp(err->code, "Invalid")))
        err = NULL;
    action_sent(r, err);
}

static void send_delete(struct action_run *r, size_t call)
{
    struct api_error err = {0};
    if (call == 0) {
        action_waiting(r);
        cfn_delete_stack(&r->model->aws, state(r)->config.region,
                         state(r)->stack_id, on_delete_sent, r);
        return;
    }
    struct kube_write_request rq;
    struct kube_client *kc = action_kube(r, &err);
    if (!kc || unannotate_request(r, &rq, &err) < 0) {
        action_sent(r, &err);
        return;
    }
    action_waiting(r);
    kube_send(kc, &rq, on_unannotated, r);
    kube_write_request_cleanup(&rq);
}

const struct action_ops action_delete_role_stack_ops = {
    .check = check,
    .preview = preview_delete, .send = send_delete,
};
