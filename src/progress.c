#include "progress.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util.h"

static long monotonic_ms(void *ctx)
{
    (void)ctx;
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

static long now_ms(const struct progress *p)
{
    return p->clock(p->clock_ctx);
}

/* A copy of s cut to PROGRESS_TEXT_MAX bytes, or NULL for NULL. The cut
 * may split a UTF-8 character; the UI's sanitiser shows it as U+FFFD. */
static char *copy_text(const char *s)
{
    if (!s)
        return NULL;
    size_t n = strnlen(s, PROGRESS_TEXT_MAX);
    char *copy = xrealloc(NULL, n + 1);
    memcpy(copy, s, n);
    copy[n] = '\0';
    return copy;
}

static void replace_text(char **field, const char *s)
{
    free(*field);
    *field = copy_text(s);
}

void progress_init(struct progress *p, const char *title,
                   progress_clock_fn clock, void *clock_ctx)
{
    memset(p, 0, sizeof(*p));
    p->title = copy_text(title);
    p->clock = clock ? clock : monotonic_ms;
    p->clock_ctx = clock_ctx;
    pthread_mutex_init(&p->lock, NULL);
}

void progress_lock(struct progress *p)
{
    pthread_mutex_lock(&p->lock);
}

void progress_unlock(struct progress *p)
{
    pthread_mutex_unlock(&p->lock);
}

void progress_set_notify(struct progress *p, progress_notify_fn fn,
                         void *ctx)
{
    progress_lock(p);
    p->notify = fn;
    p->notify_ctx = ctx;
    progress_unlock(p);
}

/* Ends a change made under the mutex: a new version, then the hook. */
static void changed(struct progress *p)
{
    p->version++;
    progress_notify_fn fn = p->notify;
    void *ctx = p->notify_ctx;
    progress_unlock(p);
    if (fn)
        fn(ctx);
}

/* Ends a call that changed nothing. Returns rc. */
static int unchanged(struct progress *p, int rc)
{
    progress_unlock(p);
    return rc;
}

static void free_step(struct progress_step *s)
{
    free(s->name);
    free(s->description);
    free(s->reason);
    free(s->next_action);
    for (size_t i = 0; i < s->resource_count; i++) {
        free(s->resources[i].logical_id);
        free(s->resources[i].type);
        free(s->resources[i].status);
        free(s->resources[i].reason);
    }
    free(s->resources);
}

void progress_cleanup(struct progress *p)
{
    for (size_t i = 0; i < p->count; i++)
        free_step(&p->steps[i]);
    free(p->steps);
    for (size_t i = 0; i < p->event_count; i++)
        free(p->events[i]);
    free(p->events);
    free(p->title);
    free(p->note);
    pthread_mutex_destroy(&p->lock);
    memset(p, 0, sizeof(*p));
}

void progress_set_title(struct progress *p, const char *title)
{
    progress_lock(p);
    replace_text(&p->title, title);
    changed(p);
}

void progress_set_note(struct progress *p, const char *note)
{
    progress_lock(p);
    replace_text(&p->note, note);
    changed(p);
}

void progress_event_add(struct progress *p, const char *line)
{
    progress_lock(p);
    if (p->event_count == PROGRESS_MAX_EVENTS) {
        free(p->events[0]);
        memmove(p->events, p->events + 1,
                (p->event_count - 1) * sizeof(*p->events));
        p->event_count--;
    } else {
        p->events = xrealloc(p->events,
                             (p->event_count + 1) * sizeof(*p->events));
    }
    p->events[p->event_count++] = copy_text(line ? line : "");
    p->events_total++;
    changed(p);
}

int progress_step_add(struct progress *p, const char *name,
                      const char *description)
{
    progress_lock(p);
    if (p->count >= PROGRESS_MAX_STEPS)
        return unchanged(p, -1);
    p->steps = xrealloc(p->steps, (p->count + 1) * sizeof(*p->steps));
    struct progress_step *s = &p->steps[p->count];
    memset(s, 0, sizeof(*s));
    s->name = copy_text(name);
    s->description = copy_text(description);
    s->state = PROGRESS_PENDING;
    s->started_ms = s->ended_ms = -1;
    int index = (int)p->count++;
    changed(p);
    return index;
}

static int allowed(enum progress_state from, enum progress_state to)
{
    switch (to) {
    case PROGRESS_RUNNING:
        return from == PROGRESS_PENDING || from == PROGRESS_FAILED ||
               from == PROGRESS_ROLLED_BACK;
    case PROGRESS_DONE:
        return from == PROGRESS_RUNNING;
    case PROGRESS_FAILED:
        return from == PROGRESS_RUNNING;
    case PROGRESS_ROLLED_BACK:
        return from == PROGRESS_RUNNING || from == PROGRESS_FAILED;
    case PROGRESS_PENDING:
        return 0;
    }
    return 0;
}

int progress_step_set(struct progress *p, size_t step,
                      enum progress_state state, const char *reason)
{
    progress_lock(p);
    if (step >= p->count)
        return unchanged(p, -1);
    struct progress_step *s = &p->steps[step];
    if (s->state != state && !allowed(s->state, state))
        return unchanged(p, -1);
    if (s->state != state) {
        long now = now_ms(p);
        if (state == PROGRESS_RUNNING) {
            /* A retry keeps the first start, so the step's time counts
             * the failed attempt too. */
            if (s->started_ms < 0)
                s->started_ms = now;
            s->ended_ms = -1;
        } else if (s->ended_ms < 0) {
            /* A rollback after a failure keeps the failure's end. */
            s->ended_ms = now;
        }
        s->state = state;
    }
    replace_text(&s->reason, reason);
    changed(p);
    return 0;
}

int progress_step_set_next(struct progress *p, size_t step,
                           const char *next_action)
{
    progress_lock(p);
    if (step >= p->count)
        return unchanged(p, -1);
    replace_text(&p->steps[step].next_action, next_action);
    changed(p);
    return 0;
}

static struct progress_resource *find_resource(struct progress_step *s,
                                               const char *logical_id)
{
    for (size_t i = 0; i < s->resource_count; i++)
        if (strcmp(s->resources[i].logical_id, logical_id) == 0)
            return &s->resources[i];
    return NULL;
}

int progress_resource_set(struct progress *p, size_t step,
                          const char *logical_id, const char *type,
                          const char *status, const char *reason)
{
    progress_lock(p);
    if (step >= p->count || !logical_id || !*logical_id)
        return unchanged(p, -1);
    struct progress_step *s = &p->steps[step];
    struct progress_resource *r = find_resource(s, logical_id);
    if (!r) {
        if (s->resource_count >= PROGRESS_MAX_RESOURCES) {
            s->resources_dropped++;
            changed(p);
            return 0;
        }
        s->resources = xrealloc(s->resources,
                                (s->resource_count + 1) * sizeof(*r));
        r = &s->resources[s->resource_count++];
        memset(r, 0, sizeof(*r));
        r->logical_id = copy_text(logical_id);
    }
    if (type)
        replace_text(&r->type, type);
    replace_text(&r->status, status);
    replace_text(&r->reason, reason);
    changed(p);
    return 0;
}

long progress_step_elapsed_ms(const struct progress *p, size_t step)
{
    if (step >= p->count || p->steps[step].started_ms < 0)
        return 0;
    const struct progress_step *s = &p->steps[step];
    long end = s->ended_ms >= 0 ? s->ended_ms : now_ms(p);
    return end - s->started_ms;
}

long progress_elapsed_ms(const struct progress *p)
{
    long first = -1, last = -1;
    int running = 0;
    for (size_t i = 0; i < p->count; i++) {
        const struct progress_step *s = &p->steps[i];
        if (s->started_ms < 0)
            continue;
        if (first < 0 || s->started_ms < first)
            first = s->started_ms;
        if (s->ended_ms < 0)
            running = 1;
        else if (s->ended_ms > last)
            last = s->ended_ms;
    }
    if (first < 0)
        return 0;
    return (running ? now_ms(p) : last) - first;
}

int progress_running(const struct progress *p)
{
    for (size_t i = 0; i < p->count; i++)
        if (p->steps[i].state == PROGRESS_RUNNING)
            return 1;
    return 0;
}

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

const struct progress_resource *
progress_failed_resource(const struct progress *p, size_t step)
{
    if (step >= p->count)
        return NULL;
    const struct progress_step *s = &p->steps[step];
    for (size_t i = 0; i < s->resource_count; i++)
        if (s->resources[i].status && ends_with(s->resources[i].status,
                                                "_FAILED"))
            return &s->resources[i];
    return NULL;
}

const char *progress_state_name(enum progress_state state)
{
    switch (state) {
    case PROGRESS_PENDING:
        return "pending";
    case PROGRESS_RUNNING:
        return "running";
    case PROGRESS_DONE:
        return "done";
    case PROGRESS_FAILED:
        return "failed";
    case PROGRESS_ROLLED_BACK:
        return "rolled back";
    }
    return "unknown";
}
