#include "files.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../api/log.h"

/* mkdir that accepts an existing directory. */
static int make_one(const char *dir)
{
    struct stat st;
    if (mkdir(dir, 0700) == 0)
        return 0;
    if (errno != EEXIST)
        return -1;
    if (stat(dir, &st) < 0)
        return -1;
    if (!S_ISDIR(st.st_mode)) {
        errno = ENOTDIR;
        return -1;
    }
    return 0;
}

int files_make_dir(const char *dir)
{
    char path[PATH_MAX];
    if (snprintf(path, sizeof(path), "%s", dir) >= (int)sizeof(path)) {
        errno = ENAMETOOLONG;
        return -1;
    }
    for (char *p = path + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        int rc = make_one(path);
        *p = '/';
        if (rc < 0)
            return -1;
    }
    if (make_one(path) < 0)
        return -1;
    struct stat st;
    if (stat(path, &st) == 0 && st.st_uid == getuid() &&
        (st.st_mode & 077) != 0)
        return chmod(path, 0700);
    return 0;
}

static int write_all(int fd, const char *data, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, data, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        data += n;
        len -= (size_t)n;
    }
    return 0;
}

int files_write(const char *path, const void *data, size_t len)
{
    char tmp[PATH_MAX];
    if (snprintf(tmp, sizeof(tmp), "%s.XXXXXX", path) >= (int)sizeof(tmp)) {
        errno = ENAMETOOLONG;
        return -1;
    }
    int fd = mkstemp(tmp);  /* mode 0600 */
    if (fd < 0)
        return -1;
    int rc = write_all(fd, data, len);
    if (rc == 0)
        rc = fsync(fd);
    if (close(fd) < 0)
        rc = -1;
    if (rc == 0)
        rc = rename(tmp, path);
    if (rc < 0) {
        int saved = errno;
        unlink(tmp);
        errno = saved;
    }
    return rc;
}

int files_xdg_path(char *buf, size_t len, const char *var,
                   const char *fallback, const char *rest)
{
    const char *base = getenv(var);
    const char *home = getenv("HOME");
    int n;
    if (base && *base)
        n = snprintf(buf, len, "%s/%s", base, rest);
    else if (home && *home)
        n = snprintf(buf, len, "%s/%s/%s", home, fallback, rest);
    else
        return -1;
    return n > 0 && (size_t)n < len ? 0 : -1;
}

int files_state_dir(char *buf, size_t len)
{
    if (files_xdg_path(buf, len, "XDG_STATE_HOME", ".local/state",
                       "albatross") < 0)
        return -1;
    files_make_dir(buf);
    return 0;
}

void files_open_log(const char *log_path, int debug)
{
    char path[4096];

    if (log_path) {
        snprintf(path, sizeof(path), "%s", log_path);
    } else if (files_state_dir(path, sizeof(path)) == 0) {
        strncat(path, "/albatross.log", sizeof(path) - strlen(path) - 1);
    } else {
        return;
    }
    if (log_open(path, debug ? LOG_DEBUG : LOG_INFO) < 0 && log_path)
        fprintf(stderr, "albatross: cannot open log file %s: %s\n", path,
                strerror(errno));
}
