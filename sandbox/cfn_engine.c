/*
 * The stack engine: runs creations, rollbacks and deletions on the
 * sandbox clock. Like the controller simulation it does its work when
 * asked, under the server's lock: cfn_tick replays what happened
 * between the last call and now, one resource transition at a time, in
 * the order of the sandbox-clock times they fall on (s->sim), so the
 * events read as if the stack had been running all along.
 *
 * A resource starts once everything it depends on is complete; it is
 * created in the world at once and completes duration() later. A failure
 * cancels the resources still in progress and rolls back. Deletion (and
 * rollback) removes one resource at a time, the latest started first of
 * those nothing in the stack still depends on.
 */
#include "cfn.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../api/buf.h"
#include "wfile.h"

#define STACK_TYPE "AWS::CloudFormation::Stack"

struct cfn_world *cfn_world(struct world *w)
{
    if (!w->cfn)
        w->cfn = calloc(1, sizeof(*w->cfn));
    return w->cfn;
}

void cfn_free_stack(struct cfn_stack *s)
{
    if (!s)
        return;
    free(s->id);
    free(s->name);
    free(s->region);
    free(s->body);
    cJSON_Delete(s->template);
    wfile_kv_free(&s->params);
    wfile_kv_free(&s->tags);
    wfile_strs_free(s->capabilities, s->capability_count);
    free(s->status);
    free(s->reason);
    for (size_t i = 0; i < s->resource_count; i++) {
        struct cfn_resource *r = &s->resources[i];
        free(r->logical_id);
        free(r->type);
        free(r->deps);
        free(r->reason);
        free(r->physical_id);
        cJSON_Delete(r->attrs);
        cJSON_Delete(r->props);
    }
    free(s->resources);
    for (size_t i = 0; i < s->event_count; i++) {
        struct cfn_event *e = &s->events[i];
        free(e->id);
        free(e->logical_id);
        free(e->physical_id);
        free(e->type);
        free(e->status);
        free(e->reason);
    }
    free(s->events);
    cJSON_Delete(s->outputs);
    free(s);
}

void cfn_free(struct cfn_world *cw)
{
    if (!cw)
        return;
    for (size_t i = 0; i < cw->count; i++)
        cfn_free_stack(cw->stacks[i]);
    free(cw->stacks);
    free(cw);
}

int cfn_is_live(const struct cfn_stack *s)
{
    return strcmp(s->status, "DELETE_COMPLETE") != 0;
}

struct cfn_stack *cfn_find(struct world *w, const char *region,
                           const char *name_or_id)
{
    struct cfn_world *cw = cfn_world(w);
    int by_id = strncmp(name_or_id, "arn:", 4) == 0;
    for (size_t i = 0; cw && i < cw->count; i++) {
        struct cfn_stack *s = cw->stacks[i];
        if (strcmp(s->region, region) != 0)
            continue;
        if (by_id ? strcmp(s->id, name_or_id) == 0
                  : cfn_is_live(s) && strcmp(s->name, name_or_id) == 0)
            return s;
    }
    return NULL;
}

void cfn_format_time(const struct cfn_stack *s, double c, char out[32])
{
    double t = (double)s->created_wall + (c - s->created_clock);
    time_t whole = (time_t)t;
    int millis = (int)((t - (double)whole) * 1000.0);
    struct tm tm;
    gmtime_r(&whole, &tm);
    snprintf(out, 32, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
             tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
             tm.tm_min, tm.tm_sec, millis % 1000);
}

static char *dup_or_null(const char *s)
{
    return s ? strdup(s) : NULL;
}

static void add_event(struct cfn_stack *s, const char *logical_id,
                      const char *physical_id, const char *type,
                      const char *status, const char *reason)
{
    struct cfn_event *grown = realloc(s->events, (s->event_count + 1) *
                                                 sizeof(*grown));
    if (!grown)
        return;
    s->events = grown;
    struct cfn_event *e = &grown[s->event_count++];
    char *seed = wfile_printf("%s/event/%zu", s->id, s->event_count);
    e->id = seed ? wfile_uuid(seed) : NULL;
    free(seed);
    e->logical_id = dup_or_null(logical_id);
    e->physical_id = dup_or_null(physical_id);
    e->type = dup_or_null(type);
    e->status = dup_or_null(status);
    e->reason = dup_or_null(reason);
    e->clock = s->sim;
}

static void set_stack_status(struct cfn_stack *s, const char *status,
                             const char *reason)
{
    free(s->status);
    free(s->reason);
    s->status = strdup(status);
    s->reason = dup_or_null(reason);
    add_event(s, s->name, s->id, STACK_TYPE, status, reason);
}

const char *cfn_resource_status(const struct cfn_resource *r)
{
    static const char *const names[] = {
        [CFN_PENDING] = NULL, [CFN_CREATING] = "CREATE_IN_PROGRESS",
        [CFN_CREATED] = "CREATE_COMPLETE",
        [CFN_CREATE_FAILED] = "CREATE_FAILED",
        [CFN_DELETING] = "DELETE_IN_PROGRESS",
        [CFN_DELETED] = "DELETE_COMPLETE",
        [CFN_DELETE_FAILED] = "DELETE_FAILED",
    };
    return names[r->state];
}

static void set_resource(struct cfn_stack *s, struct cfn_resource *r,
                         enum cfn_state state, const char *reason)
{
    r->state = state;
    r->updated = s->sim;
    free(r->reason);
    r->reason = dup_or_null(reason);
    add_event(s, r->logical_id, r->physical_id, r->type,
              cfn_resource_status(r), reason);
}

static struct cfn_op make_op(struct world *w, struct cfn_stack *s,
                             struct cfn_resource *r)
{
    struct cfn_op op = {.w = w, .s = s, .res = r, .props = r->props};
    return op;
}

/* ---- creation ---------------------------------------------------------- */

static void begin_rollback(struct cfn_stack *s, const char *reason)
{
    for (size_t i = 0; i < s->resource_count; i++)
        if (s->resources[i].state == CFN_CREATING)
            set_resource(s, &s->resources[i], CFN_CREATE_FAILED,
                         "Resource creation cancelled");
    set_stack_status(s, "ROLLBACK_IN_PROGRESS", reason);
}

static void fail_resource(struct cfn_stack *s, struct cfn_resource *r,
                          const char *reason)
{
    char why[512];
    set_resource(s, r, CFN_CREATE_FAILED, reason);
    snprintf(why, sizeof(why), "The following resource(s) failed to "
             "create: [%s]. Rollback requested by user.", r->logical_id);
    begin_rollback(s, why);
}

static int start_resource(struct world *w, struct cfn_stack *s,
                          struct cfn_resource *r)
{
    struct cfn_ctx x = {w, s};
    char err[1024] = "";
    const cJSON *props = cJSON_GetObjectItemCaseSensitive(r->def,
                                                          "Properties");
    cJSON *empty = props ? NULL : cJSON_CreateObject();
    r->props = cfn_resolve(&x, props ? props : empty, err, sizeof(err));
    cJSON_Delete(empty);
    r->attrs = cJSON_CreateObject();
    r->started = ++s->serial;
    set_resource(s, r, CFN_CREATING, NULL);
    if (!r->props || !r->attrs) {
        fail_resource(s, r, *err ? err : "out of memory");
        return -1;
    }
    const struct cfn_type *t = cfn_type(r->type);
    struct cfn_op op = make_op(w, s, r);
    if (t->create(&op) < 0) {
        fail_resource(s, r, op.reason);
        return -1;
    }
    r->exists = 1;
    add_event(s, r->logical_id, r->physical_id, r->type, "CREATE_IN_PROGRESS",
              "Resource creation Initiated");
    r->ready_at = s->sim + (t->duration ? t->duration(w)
                                        : w->timing.stack_resource);
    return 0;
}

static int startable(const struct cfn_stack *s, const struct cfn_resource *r)
{
    if (r->state != CFN_PENDING || r->skipped)
        return 0;
    for (size_t i = 0; i < r->dep_count; i++) {
        const struct cfn_resource *d = &s->resources[r->deps[i]];
        if (!d->skipped && d->state != CFN_CREATED)
            return 0;
    }
    return 1;
}

/* The resource whose transition comes first, at or before now. */
static struct cfn_resource *next_due(struct cfn_stack *s,
                                     enum cfn_state state, double now)
{
    struct cfn_resource *first = NULL;
    for (size_t i = 0; i < s->resource_count; i++) {
        struct cfn_resource *r = &s->resources[i];
        if (r->state == state && r->ready_at <= now &&
            (!first || r->ready_at < first->ready_at))
            first = r;
    }
    return first;
}

/* Another live stack of the region that exports name, or NULL. */
static const struct cfn_stack *exporter(struct world *w,
                                        const struct cfn_stack *self,
                                        const char *name)
{
    struct cfn_world *cw = cfn_world(w);
    for (size_t i = 0; cw && i < cw->count; i++) {
        const struct cfn_stack *s = cw->stacks[i];
        const cJSON *o;
        if (s == self || !cfn_is_live(s) || strcmp(s->region, self->region))
            continue;
        cJSON_ArrayForEach(o, s->outputs) {
            const char *export = cJSON_GetStringValue(
                cJSON_GetObjectItemCaseSensitive(o, "ExportName"));
            if (export && strcmp(export, name) == 0)
                return s;
        }
    }
    return NULL;
}

static int add_output(struct world *w, struct cfn_stack *s,
                      const cJSON *decl, char *err, size_t len)
{
    struct cfn_ctx x = {w, s};
    const char *cond = cJSON_GetStringValue(
        cJSON_GetObjectItemCaseSensitive(decl, "Condition"));
    int holds = cond ? cfn_condition(&x, cond, err, len) : 1;
    if (holds <= 0)
        return holds;
    cJSON *value = cfn_resolve(&x, cJSON_GetObjectItemCaseSensitive(
                                       decl, "Value"), err, len);
    const cJSON *export = cJSON_GetObjectItemCaseSensitive(decl, "Export");
    cJSON *name = export ? cfn_resolve(&x, cJSON_GetObjectItemCaseSensitive(
                                               export, "Name"), err, len)
                         : NULL;
    const struct cfn_stack *other = cJSON_IsString(name)
                                        ? exporter(w, s, name->valuestring)
                                        : NULL;
    if (other)
        snprintf(err, len, "Export with name %s is already exported by "
                 "stack %s", name->valuestring, other->name);
    int ok = value && (!export || cJSON_IsString(name)) && !other;
    if (ok) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "OutputKey", decl->string);
        cJSON_AddItemToObject(o, "OutputValue", value);
        cJSON_AddItemReferenceToObject(o, "Description",
            cJSON_GetObjectItemCaseSensitive(decl, "Description"));
        if (name)
            cJSON_AddItemToObject(o, "ExportName", name);
        cJSON_AddItemToArray(s->outputs, o);
        return 0;
    }
    cJSON_Delete(value);
    cJSON_Delete(name);
    return -1;
}

static int make_outputs(struct world *w, struct cfn_stack *s, char *err,
                        size_t len)
{
    const cJSON *decl;
    s->outputs = cJSON_CreateArray();
    cJSON_ArrayForEach(decl, cJSON_GetObjectItemCaseSensitive(s->template,
                                                              "Outputs"))
        if (add_output(w, s, decl, err, len) < 0)
            return -1;
    return 0;
}

static void finish_create(struct world *w, struct cfn_stack *s)
{
    char err[1024] = "";
    if (make_outputs(w, s, err, sizeof(err)) < 0) {
        cJSON_Delete(s->outputs);
        s->outputs = NULL;
        begin_rollback(s, err);
        return;
    }
    set_stack_status(s, "CREATE_COMPLETE", NULL);
}

static int all_created(const struct cfn_stack *s)
{
    for (size_t i = 0; i < s->resource_count; i++)
        if (!s->resources[i].skipped &&
            s->resources[i].state != CFN_CREATED)
            return 0;
    return 1;
}

static void run_create(struct world *w, struct cfn_stack *s, double now)
{
    for (;;) {
        for (size_t i = 0; i < s->resource_count; i++)
            if (startable(s, &s->resources[i]) &&
                start_resource(w, s, &s->resources[i]) < 0)
                return;
        struct cfn_resource *r = next_due(s, CFN_CREATING, now);
        if (!r)
            break;
        s->sim = r->ready_at > s->sim ? r->ready_at : s->sim;
        const struct cfn_type *t = cfn_type(r->type);
        struct cfn_op op = make_op(w, s, r);
        if (t->ready)
            t->ready(&op);
        set_resource(s, r, CFN_CREATED, NULL);
    }
    if (all_created(s))
        finish_create(w, s);
}

/* ---- deletion --------------------------------------------------------- */

static int needed(const struct cfn_stack *s, size_t i)
{
    for (size_t j = 0; j < s->resource_count; j++) {
        const struct cfn_resource *r = &s->resources[j];
        if (!r->exists)
            continue;
        for (size_t d = 0; d < r->dep_count; d++)
            if (r->deps[d] == i)
                return 1;
    }
    return 0;
}

/* The next resource to delete: started latest of those that exist or
 * failed, were not tried in this run, and nothing existing needs. */
static struct cfn_resource *next_to_delete(struct cfn_stack *s)
{
    struct cfn_resource *best = NULL;
    for (size_t i = 0; i < s->resource_count; i++) {
        struct cfn_resource *r = &s->resources[i];
        int candidate = r->exists ? r->state != CFN_DELETE_FAILED
                                  : r->state == CFN_CREATE_FAILED;
        if (candidate && !needed(s, i) &&
            (!best || r->started > best->started))
            best = r;
    }
    return best;
}

static void delete_resource(struct world *w, struct cfn_stack *s,
                            struct cfn_resource *r)
{
    set_resource(s, r, CFN_DELETING, NULL);
    if (!r->exists) {
        set_resource(s, r, CFN_DELETED, NULL);
        return;
    }
    const struct cfn_type *t = cfn_type(r->type);
    struct cfn_op op = make_op(w, s, r);
    if (t->remove && t->remove(&op) < 0) {
        set_resource(s, r, CFN_DELETE_FAILED, op.reason);
        return;
    }
    r->exists = 0;
    r->ready_at = s->sim + w->timing.stack_resource;
}

static void finish_delete(struct cfn_stack *s, int rollback)
{
    struct buf b;
    buf_init(&b, 0);
    for (size_t i = 0; i < s->resource_count; i++)
        if (s->resources[i].state == CFN_DELETE_FAILED)
            buf_printf(&b, "%s%s", b.len ? ", " : "",
                       s->resources[i].logical_id);
    if (b.len) {
        char why[1024];
        snprintf(why, sizeof(why), "The following resource(s) failed to "
                 "delete: [%s]. ", b.data);
        set_stack_status(s, rollback ? "ROLLBACK_FAILED" : "DELETE_FAILED",
                         why);
    } else if (rollback) {
        set_stack_status(s, "ROLLBACK_COMPLETE", NULL);
    } else {
        set_stack_status(s, "DELETE_COMPLETE", NULL);
        s->deleted_clock = s->sim;
    }
    buf_cleanup(&b);
}

static void run_delete(struct world *w, struct cfn_stack *s, double now,
                       int rollback)
{
    for (;;) {
        struct cfn_resource *r = next_due(s, CFN_DELETING, now);
        if (r) {
            s->sim = r->ready_at > s->sim ? r->ready_at : s->sim;
            set_resource(s, r, CFN_DELETED, NULL);
            continue;
        }
        for (size_t i = 0; i < s->resource_count; i++)
            if (s->resources[i].state == CFN_DELETING)
                return;     /* not due yet */
        r = next_to_delete(s);
        if (!r)
            break;
        delete_resource(w, s, r);
    }
    finish_delete(s, rollback);
}

/* ---- entry points ------------------------------------------------------ */

int cfn_start_create(struct world *w, struct cfn_stack *s)
{
    struct cfn_world *cw = cfn_world(w);
    struct cfn_stack **grown = cw ? realloc(cw->stacks, (cw->count + 1) *
                                                        sizeof(*grown))
                                  : NULL;
    if (!grown)
        return -1;
    cw->stacks = grown;
    grown[cw->count++] = s;
    s->created_clock = s->sim = world_clock(w);
    s->created_wall = time(NULL);
    set_stack_status(s, "CREATE_IN_PROGRESS", "User Initiated");
    return 0;
}

void cfn_start_delete(struct world *w, struct cfn_stack *s)
{
    double now = world_clock(w);
    s->sim = now > s->sim ? now : s->sim;
    for (size_t i = 0; i < s->resource_count; i++) {
        struct cfn_resource *r = &s->resources[i];
        if (r->state == CFN_CREATING)
            set_resource(s, r, CFN_CREATE_FAILED,
                         "Resource creation cancelled");
        else if (r->state == CFN_DELETE_FAILED)
            r->state = CFN_CREATED;     /* to be tried again */
    }
    set_stack_status(s, "DELETE_IN_PROGRESS", "User Initiated");
}

void cfn_tick(struct world *w)
{
    struct cfn_world *cw = w->cfn;
    double now = world_clock(w);
    for (size_t i = 0; cw && i < cw->count; i++) {
        struct cfn_stack *s = cw->stacks[i];
        if (strcmp(s->status, "CREATE_IN_PROGRESS") == 0)
            run_create(w, s, now);
        if (strcmp(s->status, "ROLLBACK_IN_PROGRESS") == 0)
            run_delete(w, s, now, 1);
        else if (strcmp(s->status, "DELETE_IN_PROGRESS") == 0)
            run_delete(w, s, now, 0);
    }
}
