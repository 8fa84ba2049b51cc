#define _POSIX_C_SOURCE 200809L

#include "afile.h"
#include "axon/io.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "axon/rng.h"

/* ---- temporary names (afile.h) */

char *rt_join(const char *a, const char *sep, const char *c)
{
    size_t la = strlen(a), ls = strlen(sep), lc = strlen(c);
    char *p = malloc(la + ls + lc + 1);
    if (p) {
        memcpy(p, a, la);
        memcpy(p + la, sep, ls);
        memcpy(p + la + ls, c, lc + 1);
    }
    return p;
}

/* This host's name as it appears in temporary names: [A-Za-z0-9._], others as '_'. */
static void rt_host(char out[65])
{
    if (gethostname(out, 64) != 0)
        out[0] = '\0';
    out[64] = '\0';
    for (char *c = out; *c; c++)
        if (!isalnum((unsigned char)*c) && *c != '.' && *c != '_')
            *c = '_';
    if (!out[0])
        strcpy(out, "host");
}

/* "PATH.tmp-HOST-" (then PID-XXXXXX), malloc'd. */
char *rt_tmp_prefix(const char *dir)
{
    char host[65];
    rt_host(host);
    char *a = rt_join(dir, ".tmp-", host);
    char *p = a ? rt_join(a, "-", "") : NULL;
    free(a);
    return p;
}

/* The process id in a temporary name after its prefix: "PID-XXXXXX" and nothing more (the
 * six characters of mkdtemp); 0 when name is not one. */
static long rt_tmp_pid(const char *rest)
{
    long pid = 0;
    const char *c = rest;
    while (*c >= '0' && *c <= '9' && pid < 1000000000L)
        pid = pid * 10 + (*c++ - '0');
    if (c == rest || *c != '-' || strlen(c + 1) != 6)
        return 0;
    for (const char *x = c + 1; *x; x++)
        if (!isalnum((unsigned char)*x))
            return 0;
    return pid;
}

void rt_tmp_clean(const char *dir, void (*remove)(const char *name, const struct stat *st))
{
    char *prefix = rt_tmp_prefix(dir);
    if (!prefix)
        return;
    const char *slash = strrchr(prefix, '/');
    const char *base = slash ? slash + 1 : prefix;
    char *parent = slash ? malloc((size_t)(slash - prefix) + 2) : NULL;
    if (slash && !parent) { /* out of memory: the cleaning is for another time */
        free(prefix);
        return;
    }
    if (slash) {
        size_t n = slash == prefix ? 1 : (size_t)(slash - prefix); /* "/x": the parent is "/" */
        memcpy(parent, prefix, n);
        parent[n] = '\0';
    }
    DIR *d = opendir(slash ? parent : ".");
    size_t bl = strlen(base);
    struct dirent *e;
    while (d && (e = readdir(d))) {
        if (strncmp(e->d_name, base, bl))
            continue;
        long pid = rt_tmp_pid(e->d_name + bl);
        if (pid <= 0 || pid == (long)getpid() || kill((pid_t)pid, 0) == 0 || errno != ESRCH)
            continue; /* alive, or not ours to judge */
        char *path = slash ? rt_join(parent, "/", e->d_name) : rt_join(e->d_name, "", "");
        struct stat st;
        if (path && lstat(path, &st) == 0 && st.st_uid == geteuid())
            remove(path, &st);
        free(path);
    }
    if (d)
        closedir(d);
    free(parent);
    free(prefix);
}

/* ---- atomic files */

/* A temporary file of a dead run of this host, next to the file being written. */
static void rt_remove_stale_file(const char *name, const struct stat *st)
{
    if (S_ISREG(st->st_mode))
        unlink(name);
}

static void rt_afile_release(rt_afile *f)
{
    free(f->path);
    free(f->tmp_path);
    f->fp = NULL;
    f->path = NULL;
    f->tmp_path = NULL;
}

/*
 * Like mkstemp, but mkstemp creates mode 0600 and the umask-respecting mode cannot be restored
 * without racing on umask(); so the name is drawn here and created with O_EXCL and mode 0666.
 */
static int rt_create_tmp(char *tmp, size_t suffix_at)
{
    static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    uint32_t key[2] = {(uint32_t)getpid(), (uint32_t)(uintptr_t)tmp};
    uint32_t ctr[4] = {(uint32_t)ts.tv_nsec, (uint32_t)ts.tv_sec, 0, 0x4146494Cu}, w[4];
    for (int attempt = 0; attempt < 100; attempt++) {
        ctr[2] = (uint32_t)attempt;
        axon_philox4x32_10(ctr, key, w);
        for (int i = 0; i < 6; i++)
            tmp[suffix_at + i] = alphabet[(w[i / 2] >> (16 * (i % 2))) % 62];
        int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        if (fd >= 0 || errno != EEXIST)
            return fd;
    }
    return -1;
}

axon_status rt_afile_open(rt_afile *f, const char *path, axon_err *err)
{
    f->fp = NULL;
    f->path = NULL;
    f->tmp_path = NULL;
    if (!path || !*path)
        return axon_err_set(err, AXON_EINVAL, "empty output path");
    size_t len = strlen(path);
    /* "PATH.tmp-HOST-PID-XXXXXX": a temporary that a dead run left is told apart from a live
       one's, and the stale ones of this path go first */
    rt_tmp_clean(path, rt_remove_stale_file);
    char *prefix = rt_tmp_prefix(path), pid[32];
    snprintf(pid, sizeof pid, "%ld-XXXXXX", (long)getpid());
    f->path = malloc(len + 1);
    f->tmp_path = prefix ? rt_join(prefix, "", pid) : NULL;
    free(prefix);
    if (!f->path || !f->tmp_path) {
        rt_afile_release(f);
        return axon_err_set(err, AXON_ENOMEM, "%s: out of memory", path);
    }
    memcpy(f->path, path, len + 1);
    int fd = rt_create_tmp(f->tmp_path, strlen(f->tmp_path) - 6);
    if (fd < 0) {
        axon_status s = axon_err_set(err, AXON_EIO, "%s: cannot create temporary file: %s", path,
                                     strerror(errno));
        rt_afile_release(f);
        return s;
    }
    f->fp = fdopen(fd, "wb");
    if (!f->fp) {
        axon_status s = axon_err_set(err, AXON_EIO, "%s: %s", path, strerror(errno));
        close(fd);
        unlink(f->tmp_path);
        rt_afile_release(f);
        return s;
    }
    return AXON_OK;
}

axon_status rt_afile_commit(rt_afile *f, axon_err *err)
{
    const char *what = NULL;
    int e = 0;
    if (fflush(f->fp) != 0 || ferror(f->fp)) {
        what = "write failed";
        e = errno;
    } else if (fsync(fileno(f->fp)) != 0 && errno != EINVAL && errno != ENOTSUP) {
        /* EINVAL/ENOTSUP: the file system cannot sync, which is not a write error */
        what = "fsync failed";
        e = errno;
    }
    if (fclose(f->fp) != 0 && !what) {
        what = "close failed";
        e = errno;
    }
    f->fp = NULL;
    if (!what && rename(f->tmp_path, f->path) != 0) {
        what = "cannot rename temporary file into place";
        e = errno;
    }
    if (what) {
        axon_status s = axon_err_set(err, AXON_EIO, "%s: %s: %s", f->path, what,
                                     e ? strerror(e) : "unknown error");
        unlink(f->tmp_path);
        rt_afile_release(f);
        return s;
    }
    rt_afile_release(f);
    return AXON_OK;
}

void rt_afile_abort(rt_afile *f)
{
    if (f->fp)
        fclose(f->fp);
    if (f->tmp_path)
        unlink(f->tmp_path);
    rt_afile_release(f);
}

FILE *axon_file_open_read(const char *path)
{
    if (!path) {
        errno = EINVAL;
        return NULL;
    }
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0)
        return NULL;
    int fl = fcntl(fd, F_GETFL);
    FILE *fp = fl >= 0 && fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) == 0 ? fdopen(fd, "rb") : NULL;
    if (!fp) {
        int e = errno;
        close(fd);
        errno = e;
    }
    return fp;
}
