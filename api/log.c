#include "log.h"

#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "utf8.h"

#define LOG_LINE_MAX 4096  /* bytes of one message; the rest is cut */

static FILE *log_file;
static enum log_level log_threshold = LOG_INFO;

int log_open(const char *path, enum log_level level)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (fd < 0)
        return -1;
    /* A log made by an older version or another tool may be readable by
     * others, but the requests and errors in it concern the user only. */
    struct stat st;
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
        st.st_uid == getuid() && (st.st_mode & 077))
        fchmod(fd, 0600);
    FILE *f = fdopen(fd, "a");
    if (!f) {
        close(fd);
        return -1;
    }
    log_close();
    setvbuf(f, NULL, _IOLBF, 0);
    log_file = f;
    log_threshold = level;
    return 0;
}

void log_close(void)
{
    if (log_file)
        fclose(log_file);
    log_file = NULL;
}

int log_enabled(enum log_level level)
{
    return log_file && level <= log_threshold;
}

/* Writes s with every byte a terminal could act on (controls, invalid
 * UTF-8) as \xNN, so that server text quoted in a message cannot change
 * the terminal of someone reading the log, nor start a new line. */
static void put_escaped(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        unsigned long c;
        size_t n = utf8_next(p, &c);
        if (n && utf8_printable(c)) {
            fwrite(p, 1, n, log_file);
            p += n;
            continue;
        }
        for (size_t i = 0; i < (n ? n : 1); i++)
            fprintf(log_file, "\\x%02x", p[i]);
        p += n ? n : 1;
    }
}

void log_msg(enum log_level level, const char *fmt, ...)
{
    static const char *const names[] = {"error", "warn", "info", "debug"};

    if (!log_file || level > log_threshold)
        return;
    /* One line at a time when an apply's worker thread logs too. */
    flockfile(log_file);
    struct timeval tv;
    gettimeofday(&tv, NULL);
    struct tm tm;
    gmtime_r(&tv.tv_sec, &tm);
    char stamp[32];
    strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &tm);
    fprintf(log_file, "%s.%03ldZ %s ", stamp, (long)(tv.tv_usec / 1000),
            names[level]);
    char line[LOG_LINE_MAX];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    put_escaped(line);
    if (n >= (int)sizeof(line))
        fprintf(log_file, "... (%d bytes cut)", n - (int)sizeof(line) + 1);
    fputc('\n', log_file);
    funlockfile(log_file);
}
