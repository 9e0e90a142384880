/*
 * Runs an action for the command line: the preview and the calls on the
 * model's loop, driven here with model_wait until the callback reports
 * the end, since a command has nothing else to do meanwhile.
 */
#include "cli_action.h"

#include <stdlib.h>
#include <string.h>

#include "diff.h"
#include "output.h"
#include "util.h"

#define EXIT_USAGE 2
#define WAIT_SLICE_MS 1000

void cli_action_put_lines(FILE *out, const char *text, const char *indent)
{
    while (*text) {
        size_t len = strcspn(text, "\n");
        char *line = strndup(text, len);
        fputs(indent, out);
        output_put_text(out, line ? line : "");
        fputc('\n', out);
        free(line);
        text += len + (text[len] == '\n');
    }
}

/* An AWS call as the IAM commands print it; a Kubernetes one as an HTTP
 * request, as the service account commands print it. */
static void print_call(FILE *out, const struct action_call *c)
{
    if (!strcmp(c->service, "Kubernetes")) {
        fprintf(out, "%s %s\n", c->operation, c->target);
        if (c->body)
            fprintf(out, "%s\n\n%s\n", c->body_name ? c->body_name : "",
                    c->body);
        return;
    }
    fprintf(out, "%s %s\n", c->service, c->operation);
    if (c->parameters)
        cli_action_put_lines(out, c->parameters, "  ");
    if (c->body) {
        char *pretty = action_pretty_json(c->body);
        fprintf(out, "  %s:\n", c->body_name ? c->body_name : "Body");
        cli_action_put_lines(out, pretty, "    ");
        free(pretty);
    }
}

void cli_action_print_preview(FILE *out, const struct action_preview *p)
{
    for (size_t i = 0; i < p->call_count; i++)
        print_call(out, &p->calls[i]);
    for (size_t i = 0; i < p->change_count; i++) {
        const struct action_change *c = &p->changes[i];
        struct diff d;
        if (!*c->before)
            continue;   /* new: the call above shows it whole */
        fputs("diff of the ", out);
        output_put_text(out, c->what);
        fputs(":\n", out);
        if (diff_lines(c->before, c->after, &d) < 0) {
            fputs("  (out of memory)\n", out);
            continue;
        }
        if (!d.changed)
            fputs("  (no change)\n", out);
        else
            diff_print(out, &d, CLI_ACTION_DIFF_CONTEXT, "  ");
        diff_cleanup(&d);
    }
    if (p->note)
        cli_action_put_lines(out, p->note, "note: ");
}

/* ---- running ------------------------------------------------------------- */

struct wait {
    int done;
    int failed;
    struct api_error err;
};

static void on_done(struct action_run *r, const struct api_error *err,
                    void *ctx)
{
    struct wait *w = ctx;
    (void)r;
    w->done = 1;
    w->failed = err != NULL;
    if (err)
        w->err = *err;
}

/* Drives the loop until w is done. Returns 0, or -1 when the loop
 * failed (w then contains the error). */
static int wait_for(struct model *m, struct wait *w)
{
    while (!w->done)
        if (model_wait(m, NULL, NULL, 0, WAIT_SLICE_MS) < 0) {
            api_error_set(&w->err, "Failed", "the event loop failed");
            w->failed = 1;
            return -1;
        }
    return 0;
}

int cli_action_step(struct model *m, struct action_run *r, int preview,
                    struct api_error *err)
{
    struct wait w = {0};
    if (preview)
        action_preview(r, on_done, &w);
    else
        action_start(r, on_done, &w);
    wait_for(m, &w);
    if (w.failed && err)
        *err = w.err;
    return w.failed ? -1 : 0;
}

int cli_action_run(struct model *m, const struct action *a, int dry_run,
                   FILE *out, FILE *err, char **result,
                   struct api_error *error)
{
    struct api_error e;
    if (result)
        *result = NULL;
    struct action_run *r = action_new(m, a, &e);
    if (!r) {
        output_error(err, "%s", e.message);
        if (error)
            *error = e;
        return EXIT_USAGE;
    }
    int rc = cli_action_step(m, r, 1, &e);
    if (rc == 0 && dry_run) {
        cli_action_print_preview(out, &r->preview);
        fputs("dry run: no change was sent\n", out);
    } else if (rc == 0) {
        rc = cli_action_step(m, r, 0, &e);
    }
    if (rc < 0) {
        output_error(err, "%s failed: %s: %s", action_kind_name(a->kind),
                     e.code, e.message);
        if (error)
            *error = e;
    } else if (result && r->result) {
        *result = xstrdup(r->result);
    }
    action_free(r);
    return rc < 0 ? 1 : 0;
}
