/*
 * The apply engine's stacks: look one up by name, create or delete it,
 * and watch it on the event loop until it settles, printing each new
 * event once and recording it in the progress.
 */
#include <stdlib.h>
#include <string.h>

#include "apply_internal.h"
#include "util.h"

/* ---- replies ------------------------------------------------------------- */

struct stack_reply {
    struct engine *e;
    struct cfn_stack_list *stacks;   /* the latest reply, or NULL */
    struct cfn_event_list *events;
    char *id;
};

static void record_error(struct engine *e, const struct api_error *err)
{
    e->call_done = 1;
    e->call_failed = err != NULL;
    if (err)
        e->error = *err;
}

static void on_stacks(struct cfn_stack_list *list, const struct api_error *err,
                      void *ctx)
{
    struct stack_reply *r = ctx;
    r->stacks = list;
    record_error(r->e, err);
}

static void on_events(struct cfn_event_list *list, const struct api_error *err,
                      void *ctx)
{
    struct stack_reply *r = ctx;
    r->events = list;
    record_error(r->e, err);
}

static void on_id(const char *stack_id, const struct api_error *err,
                  void *ctx)
{
    struct stack_reply *r = ctx;
    r->id = stack_id ? xstrdup(stack_id) : NULL;
    record_error(r->e, err);
}

static void on_done(const struct api_error *err, void *ctx)
{
    struct stack_reply *r = ctx;
    record_error(r->e, err);
}

static void reply_cleanup(struct stack_reply *r)
{
    cfn_stack_list_free(r->stacks);
    cfn_event_list_free(r->events);
    free(r->id);
    memset(r, 0, sizeof(*r));
}

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && strcmp(s + n - k, suffix) == 0;
}

/* CloudFormation answers ValidationError "Stack with id X does not
 * exist" for a stack it does not know. */
static int is_missing(const struct api_error *err)
{
    return strcmp(err->code, "ValidationError") == 0 &&
           strstr(err->message, "does not exist") != NULL;
}

/* Looks the stack up. Returns 1 when found (r->stacks->items[0]), 0 when
 * there is no such stack, -1 on failure (reported). */
static int describe(struct engine *e, const char *name_or_id,
                    struct stack_reply *r)
{
    cfn_stack_list_free(r->stacks);
    r->stacks = NULL;
    e->call_done = 0;
    cfn_describe_stacks(&e->m.aws, NULL, name_or_id, on_stacks, r);
    if (apply_wait_call(e) == 0)
        return r->stacks && r->stacks->count > 0;
    if (e->call_done && is_missing(&e->error))
        return 0;
    if (e->call_done)
        apply_log(e, MARK_FAIL, "describe stack \"%s\": %s: %s", name_or_id,
                  e->error.code, e->error.message);
    return -1;
}

/* ---- events -------------------------------------------------------------- */

static int seen_before(struct engine *e, const char *id)
{
    for (size_t i = 0; i < e->seen_count; i++)
        if (strcmp(e->seen[i], id) == 0)
            return 1;
    e->seen = xrealloc(e->seen, (e->seen_count + 1) * sizeof(*e->seen));
    e->seen[e->seen_count++] = xstrdup(id);
    return 0;
}

static void print_event(struct engine *e, size_t step,
                        const struct cfn_stack_event *ev)
{
    int failed = ends_with(ev->status, "_FAILED");
    if (ev->reason && *ev->reason && failed)
        apply_log(e, MARK_FAIL, "%s/%s: %s %s \"%s\"", ev->type,
                  ev->logical_id, ev->status, e->utf8 ? "–" : "-",
                  ev->reason);
    else
        apply_log(e, MARK_INFO, "%s/%s: %s", ev->type, ev->logical_id,
                  ev->status);
    if (strcmp(ev->type, "AWS::CloudFormation::Stack") != 0)
        progress_resource_set(e->progress, step, ev->logical_id, ev->type,
                              ev->status, ev->reason);
}

/* Prints the events not printed yet, oldest first. */
static int print_new_events(struct engine *e, size_t step, const char *id,
                            struct stack_reply *r)
{
    cfn_event_list_free(r->events);
    r->events = NULL;
    e->call_done = 0;
    cfn_describe_stack_events(&e->m.aws, NULL, id, on_events, r);
    if (apply_wait_call(e) < 0)
        return -1;
    for (size_t i = r->events ? r->events->count : 0; i-- > 0;) {
        const struct cfn_stack_event *ev = &r->events->items[i];
        if (ev->id && !seen_before(e, ev->id))
            print_event(e, step, ev);
    }
    return 0;
}

/* The event a failure report names: the oldest *_FAILED one with a
 * reason, as eksctl reports it. */
static const struct cfn_stack_event *failing_event(
    const struct cfn_event_list *events)
{
    if (!events)
        return NULL;
    for (size_t i = events->count; i-- > 0;) {
        const struct cfn_stack_event *ev = &events->items[i];
        if (ends_with(ev->status, "_FAILED") && ev->reason &&
            strcmp(ev->type, "AWS::CloudFormation::Stack") != 0 &&
            !strstr(ev->reason, "cancelled"))
            return ev;
    }
    return NULL;
}

/* Waits until the stack leaves *_IN_PROGRESS. Returns its status (a
 * copy), or NULL when interrupted or a call failed. */
static char *watch(struct engine *e, size_t step, const char *id,
                   struct stack_reply *r)
{
    apply_log(e, MARK_INFO, "waiting for CloudFormation stack \"%s\"",
              e->plan.steps[step].name);
    for (;;) {
        if (print_new_events(e, step, id, r) < 0)
            return NULL;
        int found = describe(e, id, r);
        if (found < 0)
            return NULL;
        if (!found)
            return xstrdup("DELETE_COMPLETE");
        const char *status = r->stacks->items[0].status;
        if (!ends_with(status, "_IN_PROGRESS"))
            return xstrdup(status);
        if (apply_pause(e, e->rq->poll_ms) < 0)
            return NULL;
    }
}

/* Marks step failed with the failing resource and the way out. */
static int report_failure(struct engine *e, size_t step, const char *status,
                          struct stack_reply *r)
{
    const char *name = e->plan.steps[step].name;
    const struct cfn_stack_event *ev = failing_event(r->events);
    char reason[1024];
    if (ev)
        snprintf(reason, sizeof(reason), "%s/%s: %s: %s", ev->type,
                 ev->logical_id, ev->status, ev->reason);
    else
        snprintf(reason, sizeof(reason), "stack %s", status);
    char next[600];
    if (e->rq->fix_hint)
        snprintf(next, sizeof(next), "%s", e->rq->fix_hint);
    else if (e->rq->deleting)
        snprintf(next, sizeof(next), "remove what still depends on the "
                 "resource, then run albatross delete -f %s again",
                 e->rq->file);
    else
        snprintf(next, sizeof(next), "run albatross delete -f %s, then "
                 "albatross apply -f %s again", e->rq->file, e->rq->file);
    progress_step_set(e->progress, step, ends_with(status, "ROLLBACK_COMPLETE")
                      ? PROGRESS_ROLLED_BACK : PROGRESS_FAILED, reason);
    progress_step_set_next(e->progress, step, next);
    apply_log(e, MARK_FAIL, "stack \"%s\" is %s; %s", name, status, reason);
    apply_log(e, MARK_INFO, "to fix it: %s", next);
    return -1;
}

/* Watches stack id of step until it settles. Returns 0 when it reached
 * want (and logs "DONE stack"), or -1 after reporting the failure. */
static int settle(struct engine *e, size_t step, const char *id,
                  const char *want, const char *done, struct stack_reply *r)
{
    char *status = watch(e, step, id, r);
    int rc = -1;
    if (status && strcmp(status, want) == 0) {
        apply_log(e, MARK_DONE, "%s stack \"%s\"", done,
                  e->plan.steps[step].name);
        progress_step_set(e->progress, step, PROGRESS_DONE, NULL);
        rc = 0;
    } else if (status) {
        report_failure(e, step, status, r);
    }
    free(status);
    return rc;
}

/* ---- create -------------------------------------------------------------- */

static int send_create(struct engine *e, size_t step, struct stack_reply *r)
{
    const struct plan_step *s = &e->plan.steps[step];
    struct cfn_pair *tags = xrealloc(NULL, (s->tags.count + 1) * sizeof(*tags));
    for (size_t i = 0; i < s->tags.count; i++) {
        tags[i].key = s->tags.items[i].key;
        tags[i].value = s->tags.items[i].value;
    }
    /* NAMED_IAM covers roles with a RoleName; CloudFormation accepts it
     * for unnamed ones too. */
    static const char *const capabilities[] = { "CAPABILITY_IAM",
                                                "CAPABILITY_NAMED_IAM" };
    struct cfn_create_request req = {
        .name = s->name, .template_body = s->template_json,
        .tags = tags, .tag_count = s->tags.count,
        .capabilities = capabilities,
        .capability_count = strstr(s->template_json, "\"RoleName\"") ? 2 : 1,
    };
    e->call_done = 0;
    free(r->id);
    r->id = NULL;
    apply_log(e, MARK_INFO, "deploying stack \"%s\"", s->name);
    cfn_create_stack(&e->m.aws, NULL, &req, on_id, r);
    int rc = apply_wait_call(e);
    free(tags);
    return rc;
}

/* Creates the stack when describe found none. Returns the id to watch
 * (r->id), or -1. A CreateStack whose reply was lost may have created
 * it: AlreadyExistsException then means watch the one there. */
static int create(struct engine *e, size_t step, struct stack_reply *r)
{
    if (send_create(e, step, r) == 0)
        return 0;
    if (!e->call_done)
        return -1;
    if (strcmp(e->error.code, "AlreadyExistsException") == 0 &&
        describe(e, e->plan.steps[step].name, r) == 1) {
        r->id = xstrdup(r->stacks->items[0].id);
        return 0;
    }
    apply_log(e, MARK_FAIL, "create stack \"%s\": %s: %s",
              e->plan.steps[step].name, e->error.code, e->error.message);
    progress_step_set(e->progress, step, PROGRESS_FAILED, e->error.message);
    return -1;
}

int apply_stack_create(struct engine *e, size_t step)
{
    const char *name = e->plan.steps[step].name;
    struct stack_reply r = { .e = e };
    int rc = -1;
    progress_step_set(e->progress, step, PROGRESS_RUNNING, NULL);
    const char *blocked = e->plan.steps[step].blocked;
    if (blocked) {
        apply_log(e, MARK_FAIL, "cannot create stack \"%s\": %s", name,
                  blocked);
        progress_step_set(e->progress, step, PROGRESS_FAILED, blocked);
        return -1;
    }
    int found = describe(e, name, &r);
    if (found < 0)
        goto out;
    if (found && strcmp(r.stacks->items[0].status, "CREATE_COMPLETE") == 0) {
        apply_log(e, MARK_DONE, "stack \"%s\" exists already (CREATE_COMPLETE)"
                  "; skipping it", name);
        progress_step_set(e->progress, step, PROGRESS_DONE, NULL);
        rc = 0;
        goto out;
    }
    if (found)
        r.id = xstrdup(r.stacks->items[0].id);
    else if (create(e, step, &r) < 0)
        goto out;
    char *id = xstrdup(r.id);
    rc = settle(e, step, id, "CREATE_COMPLETE", "created", &r);
    free(id);
out:
    reply_cleanup(&r);
    return rc;
}

char *apply_stack_output(struct engine *e, size_t step, const char *key)
{
    struct stack_reply r = { .e = e };
    char *value = NULL;
    if (describe(e, e->plan.steps[step].name, &r) == 1) {
        const struct cfn_stack_info *s = &r.stacks->items[0];
        for (size_t i = 0; i < s->output_count && !value; i++)
            if (strcmp(s->outputs[i].key, key) == 0)
                value = xstrdup(s->outputs[i].value);
    }
    reply_cleanup(&r);
    return value;
}

/* ---- delete -------------------------------------------------------------- */

int apply_stack_delete(struct engine *e, size_t step)
{
    const char *name = e->plan.steps[step].name;
    struct stack_reply r = { .e = e };
    int rc = -1;
    progress_step_set(e->progress, step, PROGRESS_RUNNING, NULL);
    int found = describe(e, name, &r);
    if (found <= 0) {
        if (found == 0) {
            apply_log(e, MARK_DONE, "stack \"%s\" does not exist; nothing to "
                      "delete", name);
            progress_step_set(e->progress, step, PROGRESS_DONE, NULL);
            rc = 0;
        }
        goto out;
    }
    char *id = xstrdup(r.stacks->items[0].id);
    if (strcmp(r.stacks->items[0].status, "DELETE_IN_PROGRESS") != 0) {
        apply_log(e, MARK_INFO, "deleting stack \"%s\"", name);
        e->call_done = 0;
        cfn_delete_stack(&e->m.aws, NULL, name, on_done, &r);
        if (apply_wait_call(e) < 0) {
            if (e->call_done)
                apply_log(e, MARK_FAIL, "delete stack \"%s\": %s: %s", name,
                          e->error.code, e->error.message);
            free(id);
            goto out;
        }
    }
    rc = settle(e, step, id, "DELETE_COMPLETE", "deleted", &r);
    free(id);
out:
    reply_cleanup(&r);
    return rc;
}
