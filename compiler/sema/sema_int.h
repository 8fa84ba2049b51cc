/* Internals shared by the sema files (load.c, types.c, module.c). */
#ifndef AXON_SEMA_INT_H
#define AXON_SEMA_INT_H

#include "parser.h"
#include "sema/check.h"
#include "sema/sema.h"

#include <limits.h>

typedef struct {
    int id;            /* diag file id */
    const char *path;  /* as shown in messages */
    const char *canon; /* realpath, NULL for text given directly */
    const char *dir;   /* of canon: where relative imports are looked up */
    const char *shown_dir; /* of path: how those imports are named in messages */
    ast_node *root;
    sm_run *run;       /* its run line, once checked */
} sm_file;

struct sema_ctx {
    ax_arena *ar;
    diag_ctx *d;
    const char **stdlib_dirs;
    const char *search_path;
    sm_file *files;
    int nfiles, capfiles;
    int stack[64]; /* files being loaded (for cycles) */
    int *order;    /* files with their imports first (for the definition table) */
    int norder;
    int nstack;
    sm_def *defs;
    int ndefs, capdefs;
    sx_extern *externs;  /* `extern` C functions of every loaded file */
    int nexterns;
    bool checked;
    bool no_extern_load; /* extern functions are declared, their libraries not loaded */
    sema_read_fn reader; /* reads imported files before the disk does, or NULL */
    void *reader_user;
    int module_depth;  /* modules being checked, one inside the other */
};

/* vector.c: the vectors of the neurons of a parsed file expanded into scalars, in place. */
void sema_expand_vectors(ax_arena *ar, diag_ctx *d, ast_node *root);
/* A population's initialisers (`{ m[k] = rand(); m[0] = 1 }`) for the vectors of type t,
 * expanded the same way; in itself when there is nothing to expand. */
ast_node **sema_expand_init_vectors(ax_arena *ar, diag_ctx *d, const sm_type *t,
                                    ast_node *const *in, int n, int *nout);

sm_type *sema_check_type(sema_ctx *s, sm_def *def);
bool sema_method_known(diag_ctx *d, const ast_node *method);

#endif
