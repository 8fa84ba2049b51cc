#define _POSIX_C_SOURCE 200809L

#include "afile.h"
#include "axon/io.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "axon/rng.h"

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
    f->path = malloc(len + 1);
    f->tmp_path = malloc(len + sizeof ".tmp.XXXXXX");
    if (!f->path || !f->tmp_path) {
        rt_afile_release(f);
        return axon_err_set(err, AXON_ENOMEM, "%s: out of memory", path);
    }
    memcpy(f->path, path, len + 1);
    memcpy(f->tmp_path, path, len);
    memcpy(f->tmp_path + len, ".tmp.XXXXXX", sizeof ".tmp.XXXXXX");
    int fd = rt_create_tmp(f->tmp_path, len + 5);
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
