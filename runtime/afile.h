/*
 * Internal: atomic output files. Data goes to "path.tmp-HOST-PID-XXXXXX" in the same directory and
 * is renamed over path only on commit, so readers never see a half-written recording and a failed
 * or aborted run leaves any previous file intact. The rt_afile owns the temp file until commit
 * or abort, both of which release everything.
 */
#ifndef AXON_RT_AFILE_H
#define AXON_RT_AFILE_H

#include <stdio.h>
#include <sys/stat.h>

#include "axon/status.h"

typedef struct {
    FILE *fp;
    char *path;
    char *tmp_path;
} rt_afile;

axon_status rt_afile_open(rt_afile *f, const char *path, axon_err *err);
/* Flushes, fsyncs, closes and renames; on failure removes the temp file. */
axon_status rt_afile_commit(rt_afile *f, axon_err *err);
/* Closes and removes the temp file; safe on a zeroed or already released rt_afile. */
void rt_afile_abort(rt_afile *f);

/* Temporary names of this host's runs, next to a path: "PATH.tmp-HOST-PID-XXXXXX" (the
 * recordings' directories, write.c, and the files here). A run that dies (SIGKILL, a second
 * SIGINT while it writes) leaves its temporary behind; the next run writing next to the same
 * path removes those of dead processes of this host (rt_tmp_clean). */
/* a + sep + c, malloc'd (NULL when out of memory). */
char *rt_join(const char *a, const char *sep, const char *c);
/* "PATH.tmp-HOST-", malloc'd. */
char *rt_tmp_prefix(const char *path);
/* Calls remove(name, st) for every entry next to path named "PATH.tmp-HOST-PID-XXXXXX" with
 * this host, a process id that is not alive and this user as owner (lstat's st). */
void rt_tmp_clean(const char *path, void (*remove)(const char *name, const struct stat *st));

#endif /* AXON_RT_AFILE_H */
