/*
 * peakrss: runs a command and writes its peak resident memory to a file.
 *
 *   usage: peakrss FILE COMMAND [ARG]...
 *
 * The command runs with this program's standard input, output and error; once it has ended,
 * FILE gets one line, "peak_rss_mib=M" (wait4's ru_maxrss of the child, in MiB: the largest
 * of the child's and of the descendants it waited for), and peakrss exits with the command's
 * status (128 + the signal if a signal ended it; 127 if it could not be started; 125 if FILE
 * could not be written).
 *
 * Why a program of its own: a child's ru_maxrss starts from its parent's resident memory at
 * the fork (Linux keeps it across exec), so a benchmark driver in Python (some 10-20 MiB)
 * could not report a side that uses less. This program's own resident memory, about 1 MiB, is
 * the floor here. The benchmarks in bench/ compile it with `cc -O2` into their temporary
 * directory.
 */
#define _DEFAULT_SOURCE /* wait4 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: peakrss FILE COMMAND [ARG]...\n");
        return 2;
    }
    pid_t pid = fork();
    if (pid < 0) {
        fprintf(stderr, "peakrss: fork: %s\n", strerror(errno));
        return 127;
    }
    if (pid == 0) {
        execvp(argv[2], argv + 2);
        fprintf(stderr, "peakrss: %s: %s\n", argv[2], strerror(errno));
        _exit(127);
    }
    int status;
    struct rusage ru;
    while (wait4(pid, &status, 0, &ru) < 0)
        if (errno != EINTR) {
            fprintf(stderr, "peakrss: wait4: %s\n", strerror(errno));
            return 127;
        }
    FILE *f = fopen(argv[1], "w");
    int bad = !f || fprintf(f, "peak_rss_mib=%.1f\n", ru.ru_maxrss / 1024.0) < 0;
    if (f && fclose(f) != 0)
        bad = 1;
    if (bad) {
        fprintf(stderr, "peakrss: cannot write %s: %s\n", argv[1], strerror(errno));
        return 125;
    }
    if (WIFSIGNALED(status))
        return 128 + WTERMSIG(status);
    return WEXITSTATUS(status);
}
