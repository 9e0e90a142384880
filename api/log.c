#include "log.h"

#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static FILE *log_file;
static enum log_level log_threshold = LOG_INFO;

int log_open(const char *path, enum log_level level)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (fd < 0)
        return -1;
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

void log_msg(enum log_level level, const char *fmt, ...)
{
    static const char *const names[] = {"error", "warn", "info", "debug"};

    if (!log_file || level > log_threshold)
        return;
    struct timeval tv;
    gettimeofday(&tv, NULL);
    struct tm tm;
    gmtime_r(&tv.tv_sec, &tm);
    char stamp[32];
    strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &tm);
    fprintf(log_file, "%s.%03ldZ %s ", stamp, (long)(tv.tv_usec / 1000),
            names[level]);
    va_list ap;
    va_start(ap, fmt);
    vfprintf(log_file, fmt, ap);
    va_end(ap);
    fputc('\n', log_file);
}
