/*
 * albatross get serviceaccounts|ingresses --watch: the list, then one
 * record per change, as kubectl get --watch --output-watch-events prints
 * them. The loop waits on the model's transfers and a self-pipe that the
 * SIGINT and SIGTERM handlers write to, so a signal ends it at once.
 */
#include "cli.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "util.h"

#define WAIT_SLICE_MS 1000

struct watch_print {
    enum cli_kind kind;
    enum cli_format format;
    FILE *out;
    FILE *err;
    struct output_table events;     /* EVENT, then the kind's columns */
    struct output_column *columns;
    size_t *widths;                 /* of the first table printed */
    int stopped;                    /* a watch gave up */
};

static volatile sig_atomic_t caught;
static int signal_pipe[2] = { -1, -1 };

static void on_signal(int sig)
{
    int saved = errno;
    caught = sig;
    if (signal_pipe[1] >= 0 && write(signal_pipe[1], "", 1) < 0) {
        /* the pipe is full: a wake-up is pending already */
    }
    errno = saved;
}

static int signals_start(struct sigaction *old)
{
    struct sigaction sa;
    if (pipe(signal_pipe) < 0)
        return -1;
    for (int i = 0; i < 2; i++)
        fcntl(signal_pipe[i], F_SETFL,
              fcntl(signal_pipe[i], F_GETFL) | O_NONBLOCK);
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    caught = 0;
    sigaction(SIGINT, &sa, &old[0]);
    sigaction(SIGTERM, &sa, &old[1]);
    return 0;
}

static void signals_stop(const struct sigaction *old)
{
    sigaction(SIGINT, &old[0], NULL);
    sigaction(SIGTERM, &old[1], NULL);
    close(signal_pipe[0]);
    close(signal_pipe[1]);
    signal_pipe[0] = signal_pipe[1] = -1;
}

/* ---- printing ----------------------------------------------------------- */

/* The event table's columns: EVENT, then those of the kind's table. */
static void events_init(struct watch_print *p, const struct output_table *t)
{
    p->columns = xrealloc(NULL, (t->column_count + 1) *
                                sizeof(*p->columns));
    p->columns[0] = (struct output_column){ "type", "EVENT", 0 };
    memcpy(p->columns + 1, t->columns,
           t->column_count * sizeof(*t->columns));
    output_init(&p->events, p->columns, t->column_count + 1);
}

/* Appends row r of t to the event table as an event of type. */
static void events_add(struct watch_print *p, const struct output_table *t,
                       size_t r, const char *type)
{
    const char **cells = xrealloc(NULL, (t->column_count + 1) *
                                        sizeof(*cells));
    cells[0] = type;
    for (size_t c = 0; c < t->column_count; c++)
        cells[c + 1] = t->cells[r * t->column_count + c];
    output_add_row(&p->events, cells);
    free(cells);
}

static void print_event(struct watch_print *p, size_t row)
{
    const char *type = p->events.cells[row * p->events.column_count];
    if (p->format == CLI_JSON)
        output_print_json_event(&p->events, row, 1, type, p->out);
    else if (p->format == CLI_YAML)
        output_print_yaml_event(&p->events, row, 1, type, p->out);
    else
        output_print_table_row(&p->events, (long)row, p->widths, p->out);
}

/* Prints the loaded records as ADDED events, with the table's header. */
static void print_initial(struct watch_print *p, const struct model *m)
{
    struct output_table t;
    size_t count = p->kind == CLI_INGRESSES ? m->ingress_count
                                            : m->service_account_count;
    cli_table_init(&t, p->kind);
    for (size_t i = 0; i < count; i++)
        cli_table_add(m, p->kind, i, &t);
    events_init(p, &t);
    for (size_t r = 0; r < t.rows; r++)
        events_add(p, &t, r, "ADDED");
    output_cleanup(&t);
    p->widths = output_table_widths(&p->events);
    if (p->widths[0] < strlen("MODIFIED"))
        p->widths[0] = strlen("MODIFIED");    /* the widest type */
    if (p->format == CLI_TABLE)
        output_print_table_row(&p->events, -1, p->widths, p->out);
    for (size_t r = 0; r < p->events.rows; r++)
        print_event(p, r);
    fflush(p->out);
}

/* Prints one change; the event table keeps only the current one. */
static void print_change(struct watch_print *p, const struct model *m,
                         enum model_change change, size_t index)
{
    struct output_table t;
    cli_table_init(&t, p->kind);
    cli_table_add(m, p->kind, index, &t);
    output_cleanup(&p->events);
    output_init(&p->events, p->columns, t.column_count + 1);
    events_add(p, &t, 0, model_change_name(change));
    output_cleanup(&t);
    print_event(p, 0);
    fflush(p->out);
}

static void on_service_account(struct model *m, enum model_change change,
                               size_t index, void *ctx)
{
    struct watch_print *p = ctx;
    if (p->kind == CLI_SERVICE_ACCOUNTS)
        print_change(p, m, change, index);
}

static void on_ingress(struct model *m, enum model_change change,
                       size_t index, void *ctx)
{
    struct watch_print *p = ctx;
    if (p->kind == CLI_INGRESSES)
        print_change(p, m, change, index);
}

/* Expiry, failures and a stop go to err; restarts only to the log. */
static void on_note(struct model *m, enum kube_watch_resource resource,
                    enum kube_watch_note note, const char *text, void *ctx)
{
    struct watch_print *p = ctx;
    enum kube_watch_resource mine = p->kind == CLI_INGRESSES ?
        KUBE_WATCH_INGRESSES : KUBE_WATCH_SERVICE_ACCOUNTS;
    (void)m;
    if (resource != mine || note == KUBE_WATCH_RESTARTED)
        return;
    output_error(p->err, "%s", text);
    if (note == KUBE_WATCH_STOPPED)
        p->stopped = 1;
}

/* ---- the loop ------------------------------------------------------------ */

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Drives the watches until a signal, the deadline or a stop. */
static void run(struct model *m, struct watch_print *p, long timeout_s)
{
    long long deadline = timeout_s ? now_ms() + timeout_s * 1000LL : 0;
    while (!caught && !p->stopped) {
        long long left = deadline ? deadline - now_ms() : WAIT_SLICE_MS;
        if (left <= 0)
            break;
        int readable = 0;
        if (model_wait(m, &signal_pipe[0], &readable, 1,
                       left < WAIT_SLICE_MS ? (int)left : WAIT_SLICE_MS) < 0)
            break;
    }
}

int cli_watch(struct model *m, enum cli_kind kind, enum cli_format format,
              long timeout_s, FILE *out, FILE *err)
{
    struct watch_print p = { .kind = kind, .format = format, .out = out,
                             .err = err };
    struct sigaction old[2];
    const struct model_cluster *c = &m->clusters[m->current];
    if (!c->watches[kind == CLI_INGRESSES ? KUBE_WATCH_INGRESSES
                                          : KUBE_WATCH_SERVICE_ACCOUNTS]) {
        output_error(err, "cannot watch %s: %s", c->name,
                     m->status[0] ? m->status : "the list has no "
                     "resourceVersion");
        return 1;
    }
    if (signals_start(old) < 0) {
        output_error(err, "cannot create a pipe: %s", strerror(errno));
        return 1;
    }
    m->watch_hooks = (struct model_watch_hooks){
        .service_account = on_service_account, .ingress = on_ingress,
        .note = on_note, .ctx = &p,
    };
    print_initial(&p, m);
    run(m, &p, timeout_s);
    memset(&m->watch_hooks, 0, sizeof(m->watch_hooks));
    signals_stop(old);
    output_cleanup(&p.events);
    free(p.columns);
    free(p.widths);
    return p.stopped ? 1 : 0;
}
