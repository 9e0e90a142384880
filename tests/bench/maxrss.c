/*
 * maxrss FD COMMAND...: runs COMMAND and writes "SECONDS MAXRSS_KIB" of
 * that process to file descriptor FD.
 * A launcher of its own because Linux keeps the parent's RSS high-water
 * mark in a child's ru_maxrss across fork and exec: measured from a large
 * Python process, every program would look at least that large.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    if (argc < 3)
        return 2;
    int report_fd = atoi(argv[1]);
    struct timespec start, end;
    clock_gettime(CLOCK_MONOTONIC, &start);
    pid_t pid = fork();
    if (pid == 0) {
        close(report_fd);
        execvp(argv[2], argv + 2);
        _exit(127);
    }
    int status;
    struct rusage usage;
    if (pid < 0 || wait4(pid, &status, 0, &usage) < 0)
        return 2;
    clock_gettime(CLOCK_MONOTONIC, &end);
    double seconds = (double)(end.tv_sec - start.tv_sec) +
                     (double)(end.tv_nsec - start.tv_nsec) / 1e9;
    FILE *report = fdopen(report_fd, "w");
    if (report) {
        fprintf(report, "%.3f %ld\n", seconds, usage.ru_maxrss);
        fclose(report);
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
