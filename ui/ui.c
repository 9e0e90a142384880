#include "ui.h"

#include <curses.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "../src/theme.h"
#include "apply_ui.h"
#include "actions.h"
#include "draw.h"
#include "keys.h"
#include "pane.h"
#include "progress_view.h"
#include "text.h"
#include "view.h"
#include "wizard.h"

#define SPINNER_MS 125      /* 8 frames a second while loading */
#define IDLE_MS 1000        /* header countdowns are checked this often */
#define ESC_DELAY_MS 25     /* wait for the rest of an escape sequence */

/* ---- the view stack ------------------------------------------------- */

struct view *ui_top(struct ui *ui)
{
    return &ui->stack[ui->depth - 1];
}

int ui_push(struct ui *ui, const struct view *v)
{
    if (ui->depth == UI_MAX_DEPTH) {
        view_cleanup(&ui->stack[1]);
        memmove(&ui->stack[1], &ui->stack[2],
                (UI_MAX_DEPTH - 2) * sizeof(ui->stack[0]));
        ui->depth--;
    }
    ui->stack[ui->depth++] = *v;
    return REACT_ROWS;
}

int ui_replace(struct ui *ui, const struct view *v)
{
    while (ui->depth > 0)
        view_cleanup(&ui->stack[--ui->depth]);
    return ui_push(ui, v);
}

int ui_pop(struct ui *ui)
{
    if (ui->depth <= 1)
        return REACT_NONE;
    view_cleanup(&ui->stack[--ui->depth]);
    return REACT_ROWS;
}

int ui_message(struct ui *ui, int is_error, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(ui->message, sizeof(ui->message), fmt, ap);
    va_end(ap);
    ui->message_is_error = is_error;
    ui->message_awaits_idle = !is_error && model_busy(ui->m) > 0;
    return REACT_DRAW;
}

int ui_confirm(struct ui *ui, int (*yes)(struct ui *ui), const char *fmt,
               ...)
{
    char question[sizeof(ui->message) - 16];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(question, sizeof(question), fmt, ap);
    va_end(ap);
    snprintf(ui->message, sizeof(ui->message), "%s (y/n)", question);
    ui->message_is_error = 0;
    ui->message_awaits_idle = 0;
    ui->confirm = yes;
    return REACT_DRAW;
}

/* The key after a question: y answers yes, anything else no. */
static int answer(struct ui *ui, int key)
{
    int (*yes)(struct ui *ui) = ui->confirm;
    ui->confirm = NULL;
    ui->message[0] = '\0';
    if (key == 'y' || key == 'Y')
        return yes(ui) | REACT_DRAW;
    return ui_message(ui, 0, "%s", "not done");
}

/* ---- signals through a pipe ----------------------------------------- */

static int signal_pipe[2] = { -1, -1 };

static void on_signal(int sig)
{
    int saved = errno;
    unsigned char byte = (unsigned char)sig;
    if (write(signal_pipe[1], &byte, 1) < 0) {
        /* The pipe is full: the loop has signals to read already. */
    }
    errno = saved;
}

static const int caught[] = { SIGWINCH, SIGINT, SIGTERM, SIGHUP };
#define CAUGHT_COUNT (sizeof(caught) / sizeof(caught[0]))

static int signals_start(struct sigaction *old)
{
    if (pipe(signal_pipe) < 0)
        return -1;
    for (int i = 0; i < 2; i++) {
        fcntl(signal_pipe[i], F_SETFL, O_NONBLOCK);
        fcntl(signal_pipe[i], F_SETFD, FD_CLOEXEC);
    }
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    for (size_t i = 0; i < CAUGHT_COUNT; i++)
        sigaction(caught[i], &sa, &old[i]);
    return 0;
}

static void signals_stop(const struct sigaction *old)
{
    for (size_t i = 0; i < CAUGHT_COUNT; i++)
        sigaction(caught[i], &old[i], NULL);
    close(signal_pipe[0]);
    close(signal_pipe[1]);
    signal_pipe[0] = signal_pipe[1] = -1;
}

/* ---- terminal ------------------------------------------------------- */

/* A theme colour the terminal can show: bright colours become their
 * base colour on 8-colour terminals, other missing ones the default. */
static short curses_color(int color, int fallback)
{
    if (color >= 8 && color < 16 && color >= COLORS)
        color -= 8;
    if (color == THEME_DEFAULT_COLOR || color >= COLORS)
        return (short)fallback;
    return (short)color;
}

static attr_t curses_attrs(unsigned attrs)
{
    attr_t a = A_NORMAL;
    if (attrs & THEME_ATTR_BOLD)
        a |= A_BOLD;
    if (attrs & THEME_ATTR_UNDERLINE)
        a |= A_UNDERLINE;
    if (attrs & THEME_ATTR_REVERSE)
        a |= A_REVERSE;
    if (attrs & THEME_ATTR_DIM)
        a |= A_DIM;
    return a;
}

/* Maps theme roles to attributes, with a colour pair per role unless
 * colours are off or the terminal has none. */
static void setup_colors(struct ui *ui, int no_color)
{
    int colors = !no_color && has_colors() && start_color() == OK;
    int fg_default = -1, bg_default = -1;
    if (colors && use_default_colors() != OK) {
        fg_default = COLOR_WHITE;
        bg_default = COLOR_BLACK;
    }
    for (int i = 0; i < THEME_ROLE_COUNT; i++) {
        const struct theme_style *s = &ui->theme.styles[i];
        ui->attrs[i] = curses_attrs(s->attrs);
        if (!colors || i + 1 >= COLOR_PAIRS)
            continue;
        if (s->fg == THEME_DEFAULT_COLOR && s->bg == THEME_DEFAULT_COLOR)
            continue;
        init_pair((short)(i + 1), curses_color(s->fg, fg_default),
                  curses_color(s->bg, bg_default));
        ui->attrs[i] |= COLOR_PAIR(i + 1);
    }
}

static SCREEN *terminal_start(struct ui *ui, int no_color)
{
    SCREEN *screen = newterm(NULL, stdout, stdin);
    if (!screen)
        return NULL;
    set_escdelay(ESC_DELAY_MS);
    cbreak();
    noecho();
    nonl();
    keypad(stdscr, TRUE);
    nodelay(stdscr, TRUE);
    curs_set(0);
    /* Without BUTTON1_PRESSED, ncurses turns presses into clicks and
     * double clicks. */
    mousemask(BUTTON1_CLICKED | BUTTON1_DOUBLE_CLICKED | BUTTON4_PRESSED
#ifdef BUTTON5_PRESSED
              | BUTTON5_PRESSED
#endif
              , NULL);
    setup_colors(ui, no_color);
    return screen;
}

static void resize(void)
{
    struct winsize ws;
    if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0 &&
        ws.ws_col > 0) {
        resizeterm(ws.ws_row, ws.ws_col);
    } else {
        endwin();
        refresh();
    }
    clear();
}

/* ---- drawing -------------------------------------------------------- */

static void draw(struct ui *ui, int rebuild)
{
    struct view *v = ui_top(ui);
    /* Text views wrap their lines to the screen width. */
    if (rebuild || !v->built || v->built_version != ui->m->version ||
        (v->pane->text && v->built_cols != COLS)) {
        table_rebuild(ui, v);
        v->built_cols = COLS;
    }
    erase();
    if (LINES < UI_MIN_LINES || COLS < UI_MIN_COLS) {
        draw_too_small(ui);
        curs_set(0);
        refresh();
        return;
    }
    draw_header(ui);
    draw_title(ui, DRAW_HEADER_LINES);
    int body = DRAW_HEADER_LINES + 1, height = LINES - DRAW_HEADER_LINES - 2;
    ui->cursor_y = -1;
    if (v->pane->draw)
        v->pane->draw(ui, v, body, height);
    else
        table_draw(ui, v, body, height);
    int pane_cursor = ui->mode == UI_MODE_NORMAL && ui->cursor_y >= 0;
    curs_set(ui->mode == UI_MODE_NORMAL && !pane_cursor ? 0 : 1);
    draw_status(ui, LINES - 1);  /* last, so the cursor stays there */
    if (pane_cursor)
        move(ui->cursor_y, ui->cursor_x);
    refresh();
}

/* A value that changes whenever the header's countdowns would read
 * differently, so an idle screen is redrawn only then. */
static long header_stamp(const struct ui *ui)
{
    time_t now = time(NULL);
    long creds = model_credentials_ttl(ui->m, now);
    long token = model_token_ttl(ui->m, now);
    creds = creds > 60 ? creds / 60 : creds;
    token = token > 60 ? token / 60 : token;
    return creds * 100003L + token;
}

/* ---- input ---------------------------------------------------------- */

static void input_to_utf8(const struct ui *ui, char *out, size_t len)
{
    wchar_t wide[UI_INPUT_MAX + 1];
    wmemcpy(wide, ui->input, ui->input_len);
    wide[ui->input_len] = L'\0';
    size_t n = wcstombs(out, wide, len - 1);
    out[n == (size_t)-1 ? 0 : n] = '\0';
}

static void input_from_utf8(struct ui *ui, const char *s)
{
    size_t n = mbstowcs(ui->input, s, UI_INPUT_MAX - 1);
    ui->input_len = n == (size_t)-1 ? 0 : n;
}

static int apply_filter(struct ui *ui)
{
    struct table *t = &ui_top(ui)->table;
    size_t n = ui->input_len < 127 ? ui->input_len : 127;
    wmemcpy(t->filter, ui->input, n);
    t->filter[n] = L'\0';
    return REACT_ROWS;
}

static int finish_input(struct ui *ui, int run)
{
    enum ui_mode mode = ui->mode;
    char line[UI_INPUT_MAX * 4];
    ui->mode = UI_MODE_NORMAL;
    if (mode == UI_MODE_FILTER && run)
        return REACT_DRAW;
    if (mode == UI_MODE_FILTER) {
        ui->input_len = 0;
        return apply_filter(ui);
    }
    if (!run)
        return REACT_DRAW;
    input_to_utf8(ui, line, sizeof(line));
    return REACT_DRAW | keys_command(ui, line);
}

static int edit_input(struct ui *ui, int key)
{
    int react = REACT_DRAW;
    if (key == UI_ESC)
        return finish_input(ui, 0);
    if (key == '\n' || key == '\r' || key == UI_FKEY(KEY_ENTER))
        return finish_input(ui, 1);
    if (key == UI_FKEY(KEY_BACKSPACE) || key == 127 || key == '\b') {
        if (ui->input_len == 0)
            return finish_input(ui, 0);
        ui->input_len--;
    } else if (key == UI_CTRL('u')) {
        ui->input_len = 0;
    } else if (key == '\t' && ui->mode == UI_MODE_COMMAND) {
        char line[UI_INPUT_MAX * 4];
        input_to_utf8(ui, line, sizeof(line));
        react |= keys_complete(ui, line, sizeof(line));
        input_from_utf8(ui, line);
    } else if (key >= ' ' && key < UI_FKEY(0) && key != 127 &&
               ui->input_len + 1 < UI_INPUT_MAX) {
        ui->input[ui->input_len++] = (wchar_t)key;
    } else {
        return REACT_NONE;
    }
    if (ui->mode == UI_MODE_FILTER)
        react |= apply_filter(ui);
    return react;
}

static int handle_key(struct ui *ui, int key)
{
    if (key == UI_FKEY(KEY_RESIZE)) {
        clear();
        return REACT_DRAW;
    }
    if (ui->confirm)
        return answer(ui, key);
    ui->message[0] = '\0';
    if (ui->mode != UI_MODE_NORMAL)
        return edit_input(ui, key) | REACT_DRAW;
    return keys_dispatch(ui, key) | REACT_DRAW;
}

/* Handles every key ncurses has read, so buffered input is not left
 * waiting for the next poll. */
static int read_keys(struct ui *ui)
{
    int react = REACT_NONE;
    wint_t ch;
    int rc;
    while ((rc = get_wch(&ch)) != ERR) {
        int key = rc == KEY_CODE_YES ? UI_FKEY((int)ch) : (int)ch;
        react |= handle_key(ui, key);
        if (react & REACT_QUIT)
            break;
    }
    return react;
}

/* Reads the signal pipe; returns the first terminating signal, or 0. */
static int read_signals(int *resized)
{
    unsigned char sigs[32];
    ssize_t n;
    int stop = 0;
    while ((n = read(signal_pipe[0], sigs, sizeof(sigs))) > 0)
        for (ssize_t i = 0; i < n; i++) {
            if (sigs[i] == SIGWINCH)
                *resized = 1;
            else if (!stop)
                stop = sigs[i];
        }
    return stop;
}

/* ---- the event loop ------------------------------------------------- */

static long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

static int run_loop(struct ui *ui)
{
    int react = REACT_ROWS;
    unsigned long drawn_version = ui->m->version;
    long stamp = header_stamp(ui), last_tick = now_ms();
    for (;;) {
        if (react & REACT_QUIT)
            return 0;
        if (react & (REACT_DRAW | REACT_ROWS)) {
            draw(ui, react & REACT_ROWS);
            drawn_version = ui->m->version;
            stamp = header_stamp(ui);
        }
        react = REACT_NONE;
        int busy = model_busy(ui->m) > 0;
        int timeout = busy ? SPINNER_MS : IDLE_MS;
        int due = chains_poll(ui->chains, time(NULL));
        if (due >= 0 && due < timeout)
            timeout = due;
        /* A run's pipe, while one goes: its progress changed. */
        int fds[3] = { STDIN_FILENO, signal_pipe[0], apply_ui_fd(ui) };
        int readable[3] = { 0 };
        model_wait(ui->m, fds, readable, fds[2] >= 0 ? 3 : 2, timeout);

        int resized = 0, stop = readable[1] ? read_signals(&resized) : 0;
        if (stop)
            return 128 + stop;
        if (resized) {
            resize();
            react |= REACT_DRAW;
        }
        react |= read_keys(ui);
        if (readable[2])
            react |= apply_ui_poll(ui);
        if (ui->message_awaits_idle && model_busy(ui->m) == 0) {
            ui->message[0] = '\0';
            ui->message_awaits_idle = 0;
            react |= REACT_DRAW;
        }
        if (ui->m->version != drawn_version || header_stamp(ui) != stamp)
            react |= REACT_DRAW;
        react |= progress_view_due(ui);
        if ((busy || model_busy(ui->m) > 0) &&
            now_ms() - last_tick >= SPINNER_MS) {
            ui->spinner++;
            last_tick = now_ms();
            react |= REACT_DRAW;
        }
    }
}

int ui_check_theme(const struct ui_options *opt, struct ui_theme_check *out,
                   char *err, size_t errlen)
{
    struct theme theme;
    if (theme_load(&theme, opt->theme, err, errlen) < 0)
        return -1;
    snprintf(out->name, sizeof(out->name), "%s", theme.name);
    snprintf(out->path, sizeof(out->path), "%s", theme.path);
    return 0;
}

int ui_run(struct model *m, struct chains *chains,
           const struct ui_options *opt)
{
    struct ui ui;
    char err[1024];
    memset(&ui, 0, sizeof(ui));
    ui.m = m;
    ui.chains = chains;
    ui.model_options = opt->model;
    if (theme_load(&ui.theme, opt->theme, err, sizeof(err)) < 0) {
        fprintf(stderr, "albatross: %s\n", err);
        return 2;
    }
    if (opt->no_color)
        theme_strip_colors(&ui.theme);

    struct sigaction old[CAUGHT_COUNT];
    if (signals_start(old) < 0) {
        fprintf(stderr, "albatross: cannot create a pipe: %s\n",
                strerror(errno));
        return 1;
    }
    SCREEN *screen = terminal_start(&ui, opt->no_color);
    if (!screen) {
        signals_stop(old);
        fprintf(stderr, "albatross: cannot set up the terminal (TERM=%s)\n",
                getenv("TERM") ? getenv("TERM") : "unset");
        return 1;
    }
    pane_show(&ui, opt->pane, 0);
    int status = run_loop(&ui);
    endwin();
    delscreen(screen);
    /* The run stops before its progress is freed, and prints how to
     * resume it on the terminal, which ncurses has given back. */
    apply_ui_free(&ui);
    signals_stop(old);
    while (ui.depth > 0)
        view_cleanup(&ui.stack[--ui.depth]);
    wizard_free(ui.wizard);
    actions_free(&ui);
    progress_view_free(&ui);
    return status;
}
