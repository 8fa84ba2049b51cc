/*
 * Loading model files: the root file and its imports, each parsed once.
 *
 *   import "std/neurons"        a directory of the standard library: every .axon in it
 *   import "std/neurons/lif"    one file (".axon" may be left out)
 *   import "cells"              relative to the importing file, then each AXON_PATH entry
 *
 * Import cycles are reported with the whole chain.
 */
#include "sema/sema_int.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

sema_ctx *sema_new(ax_arena *ar, diag_ctx *d, const char *const *stdlib_dirs,
                   const char *search_path)
{
    sema_ctx *s = arena_alloc(ar, sizeof *s);
    s->ar = ar;
    s->d = d;
    int n = 0;
    while (stdlib_dirs && stdlib_dirs[n])
        n++;
    s->stdlib_dirs = arena_alloc(ar, (size_t)(n + 1) * sizeof *s->stdlib_dirs);
    for (int i = 0; i < n; i++)
        s->stdlib_dirs[i] = arena_strdup(ar, stdlib_dirs[i]);
    s->search_path = search_path ? arena_strdup(ar, search_path) : NULL;
    return s;
}

ax_arena *sema_arena(const sema_ctx *s) { return s->ar; }
diag_ctx *sema_diag(const sema_ctx *s) { return s->d; }

static bool is_dir(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

static bool is_file(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

static int find_loaded(const sema_ctx *s, const char *canon)
{
    for (int i = 0; i < s->nfiles; i++)
        if (s->files[i].canon && !strcmp(s->files[i].canon, canon))
            return i;
    return -1;
}

static int add_file(sema_ctx *s, const char *path, const char *canon, char *text, size_t len)
{
    /* the text is the diagnostics' from here on (or freed when memory runs out) */
    int id = diag_adopt_file(s->d, path, text, len);
    if (s->nfiles == s->capfiles) {
        int cap = s->capfiles ? s->capfiles * 2 : 8;
        s->files = arena_grow(s->ar, s->files, (size_t)s->nfiles, (size_t)cap, sizeof *s->files);
        s->capfiles = cap;
    }
    sm_file *f = &s->files[s->nfiles++];
    f->id = id;
    f->path = arena_strdup(s->ar, path);
    f->canon = canon ? arena_strdup(s->ar, canon) : NULL;
    char *dir = arena_strdup(s->ar, canon ? canon : path);
    char *slash = strrchr(dir, '/');
    if (slash)
        *slash = 0;
    else
        dir = arena_strdup(s->ar, ".");
    f->dir = dir;
    char *sdir = arena_strdup(s->ar, path);
    slash = strrchr(sdir, '/');
    if (slash)
        *slash = 0;
    f->shown_dir = slash ? sdir : ".";
    f->root = parse_file(s->ar, s->d, f->id);
    sema_expand_vectors(s->ar, s->d, f->root);
    return s->nfiles - 1;
}

static void load_imports(sema_ctx *s, int fi);

/* Records that fi and everything it imports are loaded. */
static void loaded(sema_ctx *s, int fi)
{
    s->order = arena_grow(s->ar, s->order, (size_t)s->norder, (size_t)s->norder + 1,
                          sizeof *s->order);
    s->order[s->norder++] = fi;
}

/* How a file found next to the importing file is named in messages: relative
 * to the importer's name as the user wrote it, not as an absolute path. */
static const char *shown_name(sema_ctx *s, const sm_file *from, const char *path)
{
    size_t l = strlen(from->dir);
    if (strncmp(path, from->dir, l) || path[l] != '/')
        return path;
    if (!strcmp(from->shown_dir, "."))
        return path + l + 1;
    return arena_printf(s->ar, "%s%s", from->shown_dir, path + l);
}

/* Loads one file (by canonical path) and, depth first, its imports. */
static int load_canon(sema_ctx *s, const char *shown, const char *canon, const char **err)
{
    int have = find_loaded(s, canon);
    if (have >= 0)
        return have;
    size_t len;
    char *text = s->reader ? s->reader(s->reader_user, canon, &len) : NULL;
    if (text && len > AX_MAX_SOURCE) {
        free(text);
        text = NULL;
        *err = READ_FILE_TOO_LARGE;
    } else if (text) { /* a reader's text, NUL-terminated for the diagnostics */
        char *t = realloc(text, len + 1);
        if (!t) {
            free(text);
            arena_oom(s->ar);
        }
        text = t;
        text[len] = 0;
    } else {
        text = read_file(canon, AX_MAX_SOURCE, &len, err);
    }
    if (!text) {
        if (*err == READ_FILE_TOO_LARGE)
            *err = "larger than " AX_STR(AX_MAX_SOURCE_MIB) " MiB, the limit for a model file";
        return -1;
    }
    int fi = add_file(s, shown, canon, text, len);
    load_imports(s, fi);
    loaded(s, fi);
    return fi;
}

void sema_set_reader(sema_ctx *s, sema_read_fn fn, void *user)
{
    s->reader = fn;
    s->reader_user = user;
}

int sema_load(sema_ctx *s, const char *path, const char **err)
{
    char canon[PATH_MAX];
    if (!realpath(path, canon)) {
        *err = strerror(errno);
        return -1;
    }
    if (is_dir(canon)) {
        *err = "is a directory";
        return -1;
    }
    int fi = load_canon(s, path, canon, err);
    return fi < 0 ? -1 : s->files[fi].id;
}

int sema_load_text(sema_ctx *s, const char *name, const char *text, size_t len)
{
    char *copy = malloc(len + 1);
    if (!copy)
        arena_oom(s->ar);
    memcpy(copy, text, len);
    copy[len] = 0;
    int fi = add_file(s, name, NULL, copy, len);
    load_imports(s, fi);
    loaded(s, fi);
    return s->files[fi].id;
}

ast_node *sema_file_root(const sema_ctx *s, int file)
{
    for (int i = 0; i < s->nfiles; i++)
        if (s->files[i].id == file)
            return s->files[i].root;
    return NULL;
}

/* Candidates for an import path, in search order. */
static int candidates(sema_ctx *s, const sm_file *from, const char *imp, char out[][PATH_MAX],
                      int max)
{
    int n = 0;
    if (!strncmp(imp, "std/", 4) || !strcmp(imp, "std")) {
        const char *rest = imp[3] ? imp + 4 : "";
        for (int i = 0; s->stdlib_dirs[i] && n < max; i++)
            snprintf(out[n++], PATH_MAX, "%s%s%s", s->stdlib_dirs[i], *rest ? "/" : "", rest);
        return n;
    }
    if (imp[0] == '/') {
        snprintf(out[n++], PATH_MAX, "%s", imp);
        return n;
    }
    snprintf(out[n++], PATH_MAX, "%s/%s", from->dir, imp);
    if (s->search_path) {
        const char *p = s->search_path;
        while (*p && n < max) {
            const char *e = strchr(p, ':');
            size_t l = e ? (size_t)(e - p) : strlen(p);
            if (l)
                snprintf(out[n++], PATH_MAX, "%.*s/%s", (int)l, p, imp);
            p += l + (e ? 1 : 0);
            if (!e)
                break;
        }
    }
    return n;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The closest existing stdlib entry to a misspelt "std/..." import. */
static const char *suggest_std(sema_ctx *s, const char *imp)
{
    const char *best = NULL;
    int bestd = 4;
    for (int i = 0; s->stdlib_dirs[i]; i++) {
        const char *sub[] = {"", "neurons", "synapses", "rules", "inputs"};
        for (int k = 0; k < 5; k++) {
            char dir[PATH_MAX];
            snprintf(dir, sizeof dir, "%s%s%s", s->stdlib_dirs[i], k ? "/" : "", sub[k]);
            DIR *dp = opendir(dir);
            if (!dp)
                continue;
            struct dirent *de;
            while ((de = readdir(dp))) {
                if (de->d_name[0] == '.')
                    continue;
                char cand[PATH_MAX];
                size_t l = strlen(de->d_name);
                if (l > 5 && !strcmp(de->d_name + l - 5, ".axon"))
                    l -= 5;
                snprintf(cand, sizeof cand, "std/%s%s%.*s", sub[k], k ? "/" : "", (int)l,
                         de->d_name);
                int d = edit_distance(imp, cand);
                if (d < bestd) {
                    bestd = d;
                    best = arena_strdup(s->ar, cand);
                }
            }
            closedir(dp);
        }
    }
    return best;
}

static void import_one(sema_ctx *s, int fi, const ast_node *imp)
{
    if (!imp->str || !imp->str[0]) {
        diag_error(s->d, imp->span, "an import needs a path, like \"std/neurons\"");
        return;
    }
    char cand[16][PATH_MAX];
    int n = candidates(s, &s->files[fi], imp->str, cand, 16);
    for (int c = 0; c < n; c++) {
        char canon[PATH_MAX];
        const char **list = NULL;
        int nlist = 0;
        if (is_dir(cand[c])) {
            DIR *dp = opendir(cand[c]);
            struct dirent *de;
            while (dp && (de = readdir(dp))) {
                size_t l = strlen(de->d_name);
                if (l > 5 && !strcmp(de->d_name + l - 5, ".axon") && de->d_name[0] != '.') {
                    list = arena_grow(s->ar, list, (size_t)nlist, (size_t)nlist + 1, sizeof *list);
                    list[nlist++] = arena_printf(s->ar, "%s/%s", cand[c], de->d_name);
                }
            }
            if (dp)
                closedir(dp);
            if (nlist > 1)
                qsort(list, (size_t)nlist, sizeof *list, cmp_str);
        } else {
            const char *path = cand[c];
            if (!is_file(path)) {
                path = arena_printf(s->ar, "%s.axon", cand[c]);
                if (!is_file(path))
                    continue;
            }
            list = arena_alloc(s->ar, sizeof *list);
            list[nlist++] = arena_strdup(s->ar, path);
        }
        for (int k = 0; k < nlist; k++) {
            if (!realpath(list[k], canon))
                continue;
            /* a file on the current import chain: a cycle */
            for (int st = 0; st < s->nstack; st++) {
                if (strcmp(s->files[s->stack[st]].canon ? s->files[s->stack[st]].canon : "",
                           canon))
                    continue;
                strbuf sb = {0};
                for (int q = st; q < s->nstack; q++)
                    sb_printf(&sb, "%s -> ", s->files[s->stack[q]].path);
                sb_puts(&sb, s->files[s->stack[st]].path);
                diag_error(s->d, imp->span, "import cycle: %s", sb.buf);
                sb_free(&sb);
                return;
            }
            const char *err = NULL;
            if (load_canon(s, shown_name(s, &s->files[fi], list[k]), canon, &err) < 0)
                diag_error(s->d, imp->span, "cannot read '%s': %s", list[k], err);
        }
        if (nlist == 0)
            diag_warning(s->d, imp->span, "'%s' contains no .axon files", imp->str);
        return;
    }
    diag_error(s->d, imp->span, "cannot find '%s' to import", imp->str);
    if (!strncmp(imp->str, "std", 3)) {
        const char *best = suggest_std(s, imp->str);
        if (best)
            diag_hint(s->d, "did you mean '%s'?", best);
        else if (!s->stdlib_dirs[0])
            diag_hint(s->d, "no standard library directory is configured (set AXON_STDLIB)");
    } else {
        diag_hint(s->d, "relative imports are looked up next to the importing file, then in "
                        "the import path (the axon command's AXON_PATH; a program's "
                        "axonc_options.import_path)");
    }
}

static void load_imports(sema_ctx *s, int fi)
{
    if (s->nstack == (int)(sizeof s->stack / sizeof s->stack[0])) {
        diag_error(s->d, SPAN_NONE, "imports nested too deeply");
        return;
    }
    s->stack[s->nstack++] = fi;
    ast_node *root = s->files[fi].root;
    for (int i = 0; i < root->nkids; i++)
        if (root->kids[i]->kind == AST_IMPORT)
            import_one(s, fi, root->kids[i]);
    s->nstack--;
}
