#include "progress_view.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../src/util.h"
#include "apply_ui.h"
#include "detail.h"
#include "draw.h"

#define UNUSED(x) (void)(x)

void progress_view_show(struct ui *ui, struct progress *p)
{
    ui->progress = p;
    ui->progress_drawn = 0;
}

void progress_view_free(struct ui *ui)
{
    ui->progress = NULL;
}

static enum theme_role state_role(enum progress_state state)
{
    switch (state) {
    case PROGRESS_PENDING:
        return THEME_DIM;
    case PROGRESS_RUNNING:
        return THEME_SPINNER;
    case PROGRESS_DONE:
        return THEME_OK;
    case PROGRESS_FAILED:
    case PROGRESS_ROLLED_BACK:
        return THEME_ERROR;
    }
    return THEME_NORMAL;
}

static enum theme_role resource_role(const char *status)
{
    if (!status)
        return THEME_DIM;
    if (strstr(status, "FAILED") || strstr(status, "ROLLBACK"))
        return THEME_ERROR;
    if (strstr(status, "COMPLETE"))
        return THEME_OK;
    return THEME_NORMAL;
}

static void add_summary(struct view *v, const struct progress *p)
{
    size_t done = 0, running = 0, failed = 0;
    for (size_t i = 0; i < p->count; i++) {
        enum progress_state s = p->steps[i].state;
        done += s == PROGRESS_DONE;
        running += s == PROGRESS_RUNNING;
        failed += s == PROGRESS_FAILED || s == PROGRESS_ROLLED_BACK;
    }
    char elapsed[32];
    draw_duration(progress_elapsed_ms(p) / 1000, elapsed, sizeof(elapsed));
    view_add_line(v, THEME_NORMAL, "Elapsed %s: %zu of %zu steps done, %zu "
                  "running, %zu failed", elapsed, done, p->count, running,
                  failed);
    /* The newest log line, so the state of a run shows without
     * scrolling to the end of the events. */
    if (p->event_count)
        view_add_line(v, THEME_NORMAL, "Latest: %s",
                      p->events[p->event_count - 1]);
    for (const char *note = p->note; note && *note;) {
        size_t len = strcspn(note, "\n");
        view_add_line(v, THEME_WARNING, "%.*s", (int)len, note);
        note += len + (note[len] == '\n');
    }
    view_add_line(v, THEME_NORMAL, "%s", "");
}

/* The failed resource, its reason and what to do next. */
static void add_failure(struct view *v, const struct progress *p, size_t i)
{
    const struct progress_step *s = &p->steps[i];
    const struct progress_resource *r = progress_failed_resource(p, i);
    if (s->reason)
        view_add_line(v, THEME_ERROR, "      Reason: %s", s->reason);
    if (r)
        view_add_line(v, THEME_ERROR, "      Failed resource: %s (%s): %s",
                      r->logical_id, r->type ? r->type : "-",
                      r->reason ? r->reason : "no reason given");
    view_add_line(v, THEME_WARNING, "      Next: %s",
                  s->next_action ? s->next_action
                                 : "fix the cause above, then apply again");
}

static void add_step(struct view *v, const struct progress *p, size_t i)
{
    const struct progress_step *s = &p->steps[i];
    char elapsed[32] = "";
    if (s->started_ms >= 0)
        draw_duration(progress_step_elapsed_ms(p, i) / 1000, elapsed,
                      sizeof(elapsed));
    view_add_line(v, state_role(s->state), "  %-12s %6s  %s",
                  progress_state_name(s->state), elapsed, s->name);
    if (s->description)
        view_add_line(v, THEME_DIM, "  %-12s %6s  %s", "", "",
                      s->description);
    for (size_t r = 0; r < s->resource_count; r++) {
        const struct progress_resource *res = &s->resources[r];
        view_add_line(v, resource_role(res->status), "      %-28s %-32s "
                      "%-22s %s", res->logical_id, res->type ? res->type : "-",
                      res->status ? res->status : "-",
                      res->reason ? res->reason : "");
    }
    if (s->resources_dropped)
        view_add_line(v, THEME_DIM, "      and %zu more resources",
                      s->resources_dropped);
    if (s->state == PROGRESS_FAILED || s->state == PROGRESS_ROLLED_BACK)
        add_failure(v, p, i);
}

static int is_failure(const char *line)
{
    return strstr(line, "[✖]") || strstr(line, "[x]");
}

/* The engine's log lines, as `albatross apply -f` prints them. */
static void add_events(struct view *v, const struct progress *p)
{
    if (!p->event_count)
        return;
    view_add_line(v, THEME_NORMAL, "%s", "");
    if (p->events_total > p->event_count)
        view_add_line(v, THEME_NORMAL, "Events (the last %zu of %zu):",
                      p->event_count, p->events_total);
    else
        view_add_line(v, THEME_NORMAL, "%s", "Events:");
    for (size_t i = 0; i < p->event_count; i++)
        view_add_line(v, is_failure(p->events[i]) ? THEME_ERROR
                                                  : THEME_NORMAL,
                      "  %s", p->events[i]);
}

/* Reads the progress under its lock: a run's worker may be changing
 * it. */
static void progress_prepare(struct ui *ui, struct view *v)
{
    view_clear_lines(v);
    struct progress *p = ui->progress;
    if (!p) {
        view_add_line(v, THEME_DIM, "%s", "Nothing has run yet.");
        return;
    }
    progress_lock(p);
    add_summary(v, p);
    for (size_t i = 0; i < p->count; i++)
        add_step(v, p, i);
    add_events(v, p);
    progress_unlock(p);
    if (!apply_ui_running(ui) && p->count)
        view_add_line(v, THEME_DIM, "%s", "D deletes the cluster and the "
                      "stacks of this run's file (asks first).");
}

/* The title is set before a run's worker starts, so it needs no lock. */
static void progress_title(const struct ui *ui, const struct view *v,
                           char *buf, size_t len)
{
    UNUSED(v);
    snprintf(buf, len, "Progress: %s (Esc leaves it running, :progress "
             "returns)", ui->progress && ui->progress->title
                             ? ui->progress->title : "nothing yet");
}

static int act_delete(struct ui *ui, struct view *v, const char *arg)
{
    UNUSED(v), UNUSED(arg);
    return apply_ui_ask_delete(ui, NULL);
}

static const struct binding progress_keys[] = {
    { .keys = { 'D' }, .help = "Delete the cluster and the stacks of the "
      "last run's ClusterConfig (asks first)", .run = act_delete },
};

const struct pane progress_pane = {
    .name = "progress",
    .text = 1,
    .title = progress_title,
    .columns = detail_text_columns,
    .column_count = 1,
    .item_count = detail_line_count,
    .prepare = progress_prepare,
    .keys = progress_keys,
    .key_count = sizeof(progress_keys) / sizeof(progress_keys[0]),
    .noun = "lines",
};

int progress_view_open(struct ui *ui)
{
    if (!ui->progress)
        return ui_message(ui, 0, "nothing has run yet: the wizard's apply "
                          "step (:wizard) and the long pane actions start "
                          "a progress view");
    if (ui_top(ui)->pane == &progress_pane)
        return REACT_NONE;
    struct view v = {
        .pane = &progress_pane,
        .cluster = MODEL_NONE,
        .role = MODEL_NONE,
    };
    return ui_push(ui, &v);
}

int progress_view_due(struct ui *ui)
{
    struct progress *p = ui->progress;
    if (!p || ui_top(ui)->pane != &progress_pane)
        return REACT_NONE;
    progress_lock(p);
    long second = progress_running(p) ? progress_elapsed_ms(p) / 1000 : -1;
    unsigned long version = p->version;
    progress_unlock(p);
    if (version == ui->progress_drawn && second == ui->progress_second)
        return REACT_NONE;
    ui->progress_drawn = version;
    ui->progress_second = second;
    return REACT_ROWS;
}
