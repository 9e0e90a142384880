#include "editor.h"

#include <curses.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../api/buf.h"

#define EDITOR_MAX_ARGS 16

int editor_read_file(const char *path, char **out, char *err,
                     size_t errlen)
{
    char full[4096], why[256] = "";
    const char *home = getenv("HOME");
    if (strncmp(path, "~/", 2) == 0 && home && *home)
        snprintf(full, sizeof(full), "%s/%s", home, path + 2);
    else
        snprintf(full, sizeof(full), "%s", path);
    struct buf b;
    buf_init(&b, EDITOR_MAX_BYTES);
    if (buf_read_file(&b, full, why, sizeof(why)) < 0) {
        snprintf(err, errlen, "%s: %s", full, why);
        buf_cleanup(&b);
        return -1;
    }
    *out = buf_take(&b);
    return *out ? 0 : -1;
}

static int write_all(int fd, const char *text)
{
    size_t len = strlen(text), done = 0;
    while (done < len) {
        ssize_t n = write(fd, text + done, len - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        done += (size_t)n;
    }
    return 0;
}

/* Splits command at blanks into argv (its words point into command)
 * and appends path. Returns the word count, 0 for an empty command. */
static int split_command(char *command, const char *path, char **argv)
{
    int argc = 0;
    for (char *word = strtok(command, " \t"); word && argc <
         EDITOR_MAX_ARGS - 2; word = strtok(NULL, " \t"))
        argv[argc++] = word;
    if (argc == 0)
        return 0;
    argv[argc++] = (char *)path;
    argv[argc] = NULL;
    return argc;
}

static const char *editor_command(void)
{
    const char *names[] = { "VISUAL", "EDITOR" };
    for (size_t i = 0; i < 2; i++) {
        const char *value = getenv(names[i]);
        if (value && *value)
            return value;
    }
    return "vi";
}

/* Runs the editor on path with the terminal handed over, and waits for
 * it. Returns 0, or -1 with the reason in err. */
static int run_editor(const char *path, char *err, size_t errlen)
{
    char command[1024], *argv[EDITOR_MAX_ARGS];
    snprintf(command, sizeof(command), "%s", editor_command());
    if (split_command(command, path, argv) == 0) {
        snprintf(err, errlen, "EDITOR is blank: set it to an editor "
                 "command such as vi");
        return -1;
    }
    def_prog_mode();
    endwin();
    pid_t pid = fork();
    if (pid == 0) {
        execvp(argv[0], argv);
        fprintf(stderr, "albatross: cannot run %s: %s\n", argv[0],
                strerror(errno));
        _exit(127);
    }
    int status = 0;
    while (pid > 0 && waitpid(pid, &status, 0) < 0 && errno == EINTR)
        continue;
    reset_prog_mode();
    clear();
    refresh();
    if (pid < 0) {
        snprintf(err, errlen, "cannot start the editor: %s", strerror(errno));
        return -1;
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        snprintf(err, errlen, "the editor \"%s\" failed (status %d): "
                 "nothing was changed", editor_command(),
                 WIFEXITED(status) ? WEXITSTATUS(status) : -1);
        return -1;
    }
    return 0;
}

int editor_edit(const char *text, const char *suffix, char **out,
                char *err, size_t errlen)
{
    const char *tmp = getenv("TMPDIR");
    char path[4096];
    snprintf(path, sizeof(path), "%s/albatross-edit-XXXXXX%s",
             tmp && *tmp ? tmp : "/tmp", suffix);
    /* mkstemps makes the file with mode 0600: policies stay private. */
    int fd = mkstemps(path, (int)strlen(suffix));
    if (fd < 0) {
        snprintf(err, errlen, "cannot create %s: %s", path, strerror(errno));
        return -1;
    }
    int rc = write_all(fd, text);
    close(fd);
    if (rc < 0)
        snprintf(err, errlen, "cannot write %s: %s", path, strerror(errno));
    else
        rc = run_editor(path, err, errlen);
    if (rc == 0)
        rc = editor_read_file(path, out, err, errlen);
    unlink(path);
    return rc;
}
