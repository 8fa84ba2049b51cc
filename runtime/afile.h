/*
 * Internal: atomic output files. Data goes to "path.tmp.XXXXXX" in the same directory and is
 * renamed over path only on commit, so readers never see a half-written recording and a failed
 * or aborted run leaves any previous file intact. The rt_afile owns the temp file until commit
 * or abort, both of which release everything.
 */
#ifndef AXON_RT_AFILE_H
#define AXON_RT_AFILE_H

#include <stdio.h>

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


#endif /* AXON_RT_AFILE_H */
