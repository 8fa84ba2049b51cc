/*
 * axonc: the compiler as a library (see <axon/axonc.h>). The pipeline
 *
 *     load (parse + imports) -> check (sema) -> instantiate (ir) -> schemes -> JIT | emit
 *
 * is written here once; the `axon` command, the tests and embedding programs are its
 * clients. Each unit owns one compilation (arena, diagnostics, sema); the session owns the
 * options, the JIT and the error message, and keeps lists of its units and instances so
 * that freeing the session frees whatever is left.
 */
#include "config.h"

#include "axon/axonc.h"
#include "axon/model.h"

#include "ast.h"
#include "codegen/cg.h"
#include "diag.h"
#include "fmt.h"
#include "ide.h"
#include "lex.h"
#include "lower/ir.h"
#include "parse.h"
#include "parser.h"
#include "sema/sema.h"
#include "sema/units.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

struct axonc_session {
    axonc_options o;
    char *stdlib_dir, *import_path, *target_cpu, *cc, *runtime_libdir; /* owned copies */
    char err[1024];
    int errors, warnings;
    cg_jit *jit;                  /* made on the first axonc_jit */
    int next_symbol;              /* JIT symbols are unique per session */
    axonc_unit *units;            /* alive, for axonc_session_free */
    axonc_read_fn reader;         /* axonc_session_set_reader */
    void *reader_user;
    axonc_instance *instances;
};

struct axonc_unit {
    axonc_session *s;
    axonc_unit *prev, *next;
    ax_arena *ar;
    diag_ctx *d;
    sema_ctx *sema;               /* NULL for a unit of axonc_parse_file */
    int root;                     /* the root file's id */
    int delivered;                /* diagnostics handed to on_diag so far */
    bool load_failed, checked, check_ok;
    /* out of memory in the front end jumps back to the API call that was running (GUARD) */
    jmp_buf jump;
    ax_oom oom;
    bool broken;                  /* ran out of memory: can only be freed */
    ide_index *index;             /* the editor's index (issue 13), built on demand ... */
    bool index_checked;           /* ... after axonc_check */
};

typedef axonc_status (*pass_fn)(axonc_unit *u, void *arg);

struct axonc_instance {
    axonc_unit *u;
    axonc_instance *prev, *next;
    ir_model *ir;
    cg_jit_code *code;
    const axon_model_desc *desc;
};

/* ---- errors and diagnostics ---------------------------------------------------------------- */

static axonc_status fail(axonc_session *s, axonc_status st, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static axonc_status fail(axonc_session *s, axonc_status st, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(s->err, sizeof s->err, fmt, ap);
    va_end(ap);
    return st;
}

static axonc_status out_of_memory(axonc_unit *u)
{
    u->broken = true;
    return fail(u->s, AXONC_ENOMEM, "out of memory while compiling%s",
                u->s->o.memory_limit ? " (or past the session's memory limit)" : "");
}

static axonc_status ok(axonc_session *s)
{
    s->err[0] = 0;
    return AXONC_OK;
}

/* Runs fn(u, arg) with the unit's out-of-memory jump set: an allocation of the front end that
 * fails (or passes options.memory_limit) anywhere below returns AXONC_ENOMEM from here and
 * leaves the unit broken. What was being built is lost; the arena and the diagnostics go with
 * the unit, and a pass frees what it holds outside them before the jump can be taken
 * (sb_arena_take, diag_adopt_file): tests/unit/failalloc.c fails every allocation of a small
 * model's compilation in turn and finds no leak. Outside a
 * guarded pass the jump is unset, and running out of memory aborts as before. */
static axonc_status guarded(axonc_unit *u, pass_fn fn, void *arg)
{
    if (u->broken)
        return fail(u->s, AXONC_ENOMEM, "this unit ran out of memory: it can only be freed");
    if (setjmp(u->jump)) {
        u->oom.jump = NULL;
        return out_of_memory(u);
    }
    u->oom.jump = &u->jump;
    axonc_status st = fn(u, arg);
    u->oom.jump = NULL;
    return st;
}

/* Hands the unit's new diagnostics to the callback, once each; returns whether the unit has
 * errors now. */
static bool deliver(axonc_unit *u)
{
    diag_ctx *d = u->d;
    int n = diag_count(d);
    axonc_session *s = u->s;
    while (u->delivered < n) {
        int i = u->delivered;
        int len = diag_group_len(d, i);
        if (!diag_group_repeated(d, i)) {
            axonc_note stack_notes[16];
            axonc_note *notes = len - 1 <= 16 ? stack_notes : calloc((size_t)len, sizeof *notes);
            if (notes) {
                axonc_diag rec;
                diag_record(d, i, &rec, notes);
                if (rec.severity == AXONC_ERROR)
                    s->errors++;
                else if (rec.severity == AXONC_WARNING)
                    s->warnings++;
                if (s->o.on_diag)
                    s->o.on_diag(s->o.user, &rec);
                if (notes != stack_notes)
                    free(notes);
            }
        }
        u->delivered = i + len;
    }
    return diag_error_count(d) > 0;
}

/* The note that some diagnostics were dropped, delivered once at the end of a unit's check or
 * of an instance's pass. */
static void deliver_dropped(axonc_unit *u, int before)
{
    int dropped = diag_dropped(u->d) - before;
    if (!dropped || !u->s->o.on_diag)
        return;
    char msg[96];
    snprintf(msg, sizeof msg, "%d more diagnostic%s not shown", dropped, dropped == 1 ? "" : "s");
    axonc_diag rec = {.severity = AXONC_NOTE, .message = msg};
    u->s->o.on_diag(u->s->o.user, &rec);
}

/* The passes over an instance (instantiate, compile, emit, evaluate, dump) report into the
 * unit's diagnostics, and hand them on (pass_end); then the unit forgets them again. So a
 * failed instantiation (a bad override, a size of 10.5) leaves the unit as its check left it:
 * the next one is judged on its own, an error repeated is reported again, and a long REPL
 * session never reaches the limit of reported diagnostics. The check's diagnostics stay, so a
 * pass does not repeat one of them. */
static diag_mark pass_begin(const axonc_unit *u)
{
    return diag_mark_now(u->d);
}

/* Delivers what the pass begun at m reported; returns whether it reported errors. */
static bool pass_end(axonc_unit *u, diag_mark m)
{
    deliver(u);
    deliver_dropped(u, m.dropped);
    bool errors = diag_error_count(u->d) > m.errors;
    diag_rollback(u->d, m);
    u->delivered = diag_count(u->d);
    return errors;
}

char *axonc_diag_render(const axonc_diag *d, int flags)
{
    if (!d)
        return NULL;
    strbuf sb = {0};
    diag_render_record(&sb, d, flags);
    return sb_take(&sb);
}

int axonc_target_cpu_known(const char *name)
{
    return name && cg_target_cpu_known(name);
}

/* ---- sessions ------------------------------------------------------------------------------ */

static char *dup_opt(const char *s, bool *oom)
{
    if (!s)
        return NULL;
    char *c = strdup(s);
    if (!c)
        *oom = true;
    return c;
}

axonc_session *axonc_session_new(const axonc_options *o)
{
    axonc_options def = {0};
    if (!o)
        o = &def;
    if ((o->precision != 0 && o->precision != 4 && o->precision != 8) ||
        (o->synapse_precision != 0 && o->synapse_precision != 4 && o->synapse_precision != 8) ||
        o->opt_level < -1 || o->opt_level > 3)
        return NULL;
    axonc_session *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->o = *o;
    bool oom = false;
    s->o.stdlib_dir = s->stdlib_dir = dup_opt(o->stdlib_dir, &oom);
    s->o.import_path = s->import_path = dup_opt(o->import_path, &oom);
    s->o.target_cpu = s->target_cpu = dup_opt(o->target_cpu, &oom);
    s->o.cc = s->cc = dup_opt(o->cc, &oom);
    s->o.runtime_libdir = s->runtime_libdir = dup_opt(o->runtime_libdir, &oom);
    if (oom) {
        axonc_session_free(s);
        return NULL;
    }
    return s;
}

void axonc_session_free(axonc_session *s)
{
    if (!s)
        return;
    while (s->instances)
        axonc_instance_free(s->instances);
    while (s->units)
        axonc_unit_free(s->units);
    cg_jit_free(s->jit);
    free(s->stdlib_dir);
    free(s->import_path);
    free(s->target_cpu);
    free(s->cc);
    free(s->runtime_libdir);
    free(s);
}

void axonc_session_set_reader(axonc_session *s, axonc_read_fn fn, void *user)
{
    if (!s)
        return;
    s->reader = fn;
    s->reader_user = user;
}

const char *axonc_session_error(const axonc_session *s)
{
    return s ? s->err : "no session (NULL)";
}

int axonc_error_count(const axonc_session *s) { return s ? s->errors : 0; }
int axonc_warning_count(const axonc_session *s) { return s ? s->warnings : 0; }

/* ---- units --------------------------------------------------------------------------------- */

static axonc_unit *unit_new(axonc_session *s)
{
    axonc_unit *u = calloc(1, sizeof *u);
    if (!u)
        return NULL;
    u->s = s;
    u->ar = arena_new();
    u->d = diag_new();
    if (!u->ar || !u->d) {
        arena_free(u->ar);
        diag_free(u->d);
        free(u);
        return NULL;
    }
    u->oom = (ax_oom){NULL, s->o.memory_limit};
    arena_set_oom(u->ar, &u->oom);
    diag_set_oom(u->d, &u->oom);
    diag_set_werror(u->d, s->o.werror != 0);
    u->next = s->units;
    if (s->units)
        s->units->prev = u;
    s->units = u;
    return u;
}

void axonc_unit_free(axonc_unit *u)
{
    if (!u)
        return;
    axonc_session *s = u->s;
    /* instances live in the unit's arena: they go with it */
    for (axonc_instance *in = s->instances, *next; in; in = next) {
        next = in->next;
        if (in->u == u)
            axonc_instance_free(in);
    }
    if (u->prev)
        u->prev->next = u->next;
    else
        s->units = u->next;
    if (u->next)
        u->next->prev = u->prev;
    arena_free(u->ar);
    diag_free(u->d);
    free(u);
}

/* Where "std/..." imports are found: the option alone when set, else the installed standard
 * library, then the source tree's (for uninstalled builds). */
static void stdlib_dirs(const axonc_session *s, const char *dirs[3])
{
    if (s->o.stdlib_dir && *s->o.stdlib_dir) {
        dirs[0] = s->o.stdlib_dir;
        dirs[1] = NULL;
    } else {
        dirs[0] = AXON_STDLIB_DIR;
        dirs[1] = AXON_SRC_STDLIB_DIR;
        dirs[2] = NULL;
    }
}

static axonc_status loaded(axonc_unit *u, axonc_unit **out)
{
    *out = u;
    if (deliver(u)) {
        u->load_failed = true;
        fail(u->s, AXONC_EDIAG, "the model has errors");
        return AXONC_EDIAG;
    }
    return ok(u->s);
}

typedef struct {
    const char *path, *name, *text;
    size_t len;
    const char *err;
} load_args;

static axonc_status load_pass(axonc_unit *u, void *arg)
{
    load_args *a = arg;
    const char *dirs[3];
    stdlib_dirs(u->s, dirs);
    u->sema = sema_new(u->ar, u->d, dirs, u->s->o.import_path);
    sema_set_extern_loading(u->sema, !u->s->o.no_extern_load);
    sema_set_reader(u->sema, u->s->reader, u->s->reader_user);
    if (a->path) {
        u->root = sema_load(u->sema, a->path, &a->err);
        if (u->root < 0)
            return AXONC_EIO;
    } else {
        u->root = sema_load_text(u->sema, a->name, a->text ? a->text : "", a->len);
    }
    return AXONC_OK;
}

static axonc_status parse_pass(axonc_unit *u, void *arg)
{
    load_args *a = arg;
    u->root = diag_add_file(u->d, a->path, a->text, a->len);
    parse_file(u->ar, u->d, u->root);
    return AXONC_OK;
}

/* A new unit made by pass; freed again when the pass fails. */
static axonc_status load(axonc_session *s, pass_fn pass, load_args *a, axonc_unit **out)
{
    axonc_unit *u = unit_new(s);
    if (!u)
        return fail(s, AXONC_ENOMEM, "out of memory");
    axonc_status st = guarded(u, pass, a);
    if (st != AXONC_OK) {
        axonc_unit_free(u);
        return st == AXONC_EIO ? fail(s, st, "cannot read '%s': %s", a->path, a->err) : st;
    }
    return loaded(u, out);
}

axonc_status axonc_load_file(axonc_session *s, const char *path, axonc_unit **out)
{
    if (out)
        *out = NULL;
    if (!s)
        return AXONC_EINVAL;
    if (!path || !out)
        return fail(s, AXONC_EINVAL, "axonc_load_file: a NULL argument");
    return load(s, load_pass, &(load_args){.path = path}, out);
}

axonc_status axonc_load_string(axonc_session *s, const char *name, const char *text, size_t len,
                               axonc_unit **out)
{
    if (out)
        *out = NULL;
    if (!s)
        return AXONC_EINVAL;
    if (!out || !name || (!text && len))
        return fail(s, AXONC_EINVAL, "axonc_load_string: a NULL argument");
    return load(s, load_pass, &(load_args){.name = name, .text = text, .len = len}, out);
}

/* A model file's text from the disk, at most AX_MAX_SOURCE bytes, through an open that does not
 * wait on a FIFO (read_file); AXONC_EIO with the reason. */
static axonc_status read_source(axonc_session *s, const char *path, char **text, size_t *len)
{
    const char *err = NULL;
    *text = read_file(path, AX_MAX_SOURCE, len, &err);
    if (!*text && err == READ_FILE_TOO_LARGE)
        return fail(s, AXONC_EIO, "cannot read '%s': larger than %d MiB, the limit for a model "
                    "file", path, AX_MAX_SOURCE_MIB);
    if (!*text)
        return fail(s, AXONC_EIO, "cannot read '%s': %s", path, err);
    return AXONC_OK;
}

axonc_status axonc_parse_file(axonc_session *s, const char *path, axonc_unit **out)
{
    if (out)
        *out = NULL;
    if (!s)
        return AXONC_EINVAL;
    if (!path || !out)
        return fail(s, AXONC_EINVAL, "axonc_parse_file: a NULL argument");
    load_args a = {.path = path};
    char *text;
    axonc_status st = read_source(s, path, &text, &a.len);
    if (st != AXONC_OK)
        return st;
    a.text = text;
    st = load(s, parse_pass, &a, out);
    free(text);
    return st;
}

/* The name of the module of the root file's `run` line, or NULL. */
static const char *run_module_of(const ast_node *root)
{
    const char *run_module = NULL;
    for (int i = 0; root && i < root->nkids; i++)
        if (root->kids[i]->kind == AST_RUN && root->kids[i]->a)
            run_module = root->kids[i]->a->name;
    return run_module;
}

/* Module k of the root file (a child of root) built with its defaults, or the `run` line's
 * arguments for the run module (*is_run); NULL after errors. */
static ir_model *build_root_module(axonc_unit *u, const ast_node *root, int k, bool *is_run)
{
    const char *run_module = run_module_of(root), *name = root->kids[k]->name;
    *is_run = run_module && !strcmp(run_module, name);
    return ir_build(u->sema, u->root, *is_run ? NULL : name, NULL, 0, 0); /* step not known */
}

axonc_status axonc_read_file(axonc_session *s, const char *path, char **text, size_t *len)
{
    if (text)
        *text = NULL;
    if (len)
        *len = 0;
    if (!s)
        return AXONC_EINVAL;
    if (!path || !text || !len)
        return fail(s, AXONC_EINVAL, "axonc_read_file: a NULL argument");
    axonc_status st = read_source(s, path, text, len);
    return st == AXONC_OK ? ok(s) : st;
}

/* Instantiates every module of the root file (the `run` module with its arguments) so that
 * projections, records and schemes are checked too. */
static void check_modules(axonc_unit *u)
{
    ast_node *root = sema_file_root(u->sema, u->root);
    bool is_run;
    for (int i = 0; root && i < root->nkids; i++)
        if (root->kids[i]->kind == AST_MODULE)
            build_root_module(u, root, i, &is_run);
}

static axonc_status check_pass(axonc_unit *u, void *arg)
{
    (void)arg;
    /* semantic checks on top of syntax errors would mostly repeat them */
    if (!u->load_failed && !diag_error_count(u->d)) {
        sema_check_all(u->sema);
        if (!diag_error_count(u->d))
            check_modules(u);
    }
    u->checked = true;
    u->check_ok = !deliver(u);
    deliver_dropped(u, 0);
    return AXONC_OK;
}

axonc_status axonc_check(axonc_unit *u)
{
    if (!u)
        return AXONC_EINVAL;
    if (!u->sema)
        return fail(u->s, AXONC_EINVAL, "a unit of axonc_parse_file cannot be checked");
    if (!u->checked) {
        axonc_status st = guarded(u, check_pass, NULL);
        if (st != AXONC_OK)
            return st;
    }
    if (!u->check_ok)
        return fail(u->s, AXONC_EDIAG, "the model has errors");
    return ok(u->s);
}

/* ---- what a unit defines ------------------------------------------------------------------- */

int axonc_def_count(const axonc_unit *u)
{
    return u && u->sema ? sema_def_count(u->sema) : 0;
}

int axonc_def_find(const axonc_unit *u, const char *name)
{
    if (!u || !u->sema || !name)
        return -1;
    for (int i = 0; i < sema_def_count(u->sema); i++)
        if (!strcmp(sema_def(u->sema, i)->name, name))
            return i;
    return -1;
}

static axonc_loc span_loc(const axonc_unit *u, ax_span sp)
{
    axonc_loc l = {0};
    if (sp.file < 0)
        return l;
    l.file = diag_file_name(u->d, sp.file);
    l.line = sp.line;
    l.col = sp.col;
    l.end_line = sp.end_line;
    l.end_col = sp.end_col;
    return l;
}

static const sm_def *def_at(const axonc_unit *u, int i)
{
    if (!u || !u->sema || i < 0 || i >= sema_def_count(u->sema))
        return NULL;
    return sema_def(u->sema, i);
}

/* The members listed for a definition: the type's variables without algebraic definitions,
 * or a module's parameters. */
static int member_count(const sm_def *d)
{
    if (d->kind == AST_MODULE)
        return d->ast->a ? d->ast->a->nkids : 0;
    int n = 0;
    for (int k = 0; d->type && k < d->type->nvars; k++)
        n += d->type->vars[k].kind != VAR_ALG;
    return n;
}

axonc_status axonc_def_get(const axonc_unit *u, int i, axonc_def *out)
{
    const sm_def *d = def_at(u, i);
    if (!d || !out)
        return u ? fail(u->s, AXONC_EINVAL, "no definition %d", i) : AXONC_EINVAL;
    static const axonc_def_kind KIND[] = {[AST_NEURON] = AXONC_NEURON, [AST_SYNAPSE] = AXONC_SYNAPSE,
                                          [AST_RULE] = AXONC_RULE, [AST_MODULE] = AXONC_MODULE};
    *out = (axonc_def){d->name, KIND[d->kind], span_loc(u, d->ast->span), member_count(d)};
    return ok(u->s);
}

axonc_status axonc_def_member(const axonc_unit *u, int i, int k, axonc_member *out)
{
    const sm_def *d = def_at(u, i);
    if (!d || !out || k < 0 || k >= member_count(d))
        return u ? fail(u->s, AXONC_EINVAL, "no member %d of definition %d", k, i) : AXONC_EINVAL;
    memset(out, 0, sizeof *out);
    if (d->kind == AST_MODULE) {
        const ast_node *p = d->ast->a->kids[k];
        out->name = p->name;
        out->kind = AXONC_PARAM;
        const ast_node *v = p->a;
        bool neg = v && v->kind == AST_UNARY && v->op == '-' && v->a && v->a->kind == AST_NUM;
        if (neg)
            v = v->a;
        if (v && v->kind == AST_NUM) {
            ax_unit un = {DIM_NONE, 1.0};
            char err[128];
            if (!v->str || unit_parse(v->str, &un, err, sizeof err)) {
                out->has_default = 1;
                out->default_si = (neg ? -v->num : v->num) * un.scale;
                char buf[64];
                dim_si_name(un.dim, buf, sizeof buf);
                out->unit = arena_strdup(u->ar, buf);
            }
        }
        return ok(u->s);
    }
    int seen = 0;
    for (int v = 0; v < d->type->nvars; v++) {
        const sm_var *sv = &d->type->vars[v];
        if (sv->kind == VAR_ALG || seen++ != k)
            continue;
        out->name = sv->name;
        out->kind = sv->kind == VAR_PARAM ? (sv->per_item ? AXONC_PARAM_EACH : AXONC_PARAM)
                  : sv->kind == VAR_STATE ? AXONC_STATE : AXONC_INPUT;
        char buf[64];
        dim_si_name(sv->dim, buf, sizeof buf);
        out->unit = arena_strdup(u->ar, buf);
        if (sv->value && sv->value->kind == SX_CONST) {
            out->has_default = 1;
            out->default_si = sv->value->v;
        }
        break;
    }
    return ok(u->s);
}

/* ---- overrides and instances --------------------------------------------------------------- */

axonc_status axonc_parse_override(axonc_session *s, const char *text, axonc_override *out,
                                  char *buf, size_t size)
{
    if (!s)
        return AXONC_EINVAL;
    if (!text || !out || !buf)
        return fail(s, AXONC_EINVAL, "axonc_parse_override: a NULL argument");
    const char *eq = strchr(text, '=');
    if (!eq || eq == text)
        return fail(s, AXONC_EINVAL, "'%s' is not NAME=VALUE", text);
    size_t nlen = (size_t)(eq - text), vlen = strlen(eq + 1);
    if (nlen + 1 + vlen + 1 > size)
        return fail(s, AXONC_EINVAL, "'%s' is too long", text);
    memcpy(buf, text, nlen);
    buf[nlen] = 0;
    char *value = buf + nlen + 1;
    memcpy(value, eq + 1, vlen + 1);
    /* one parser of quantities: the one ir_instantiate's overrides use */
    ir_override ov;
    char err[256];
    if (!ir_override_parse(buf, value, &ov, err, sizeof err))
        return fail(s, AXONC_EINVAL, "%s: %s", text, err);
    char *unit = NULL;
    double x = ov.value.boolean ? ov.value.si : strtod(value, &unit);
    const char *written = eq + 1;
    if (unit) {
        while (*unit == ' ')
            unit++;
        size_t ul = strlen(unit);
        while (ul && unit[ul - 1] == ' ')
            unit[--ul] = 0;
    }
    *out = (axonc_override){buf, x, unit && *unit ? unit : NULL, written};
    return ok(s);
}

/* The overrides as ir_instantiate takes them, through the same parser as the command line's:
 * the value is a number and a unit, so the text handed on cannot be anything else. */
static ir_override *ir_overrides(axonc_unit *u, const axonc_override *set, int n,
                                 const char *call)
{
    ir_override *ov = arena_alloc(u->ar, (size_t)(n + 1) * sizeof *ov);
    for (int i = 0; i < n; i++) {
        const axonc_override *o = &set[i];
        if (!o->name || !isfinite(o->value)) {
            fail(u->s, AXONC_EINVAL, "override %d: a name and a finite value are needed", i);
            return NULL;
        }
        for (int j = 0; j < i; j++) /* which would win is anybody's guess */
            if (set[j].name && !strcmp(set[j].name, o->name)) {
                fail(u->s, AXONC_EINVAL, "'%s' is set twice (overrides %d and %d)", o->name, j, i);
                return NULL;
            }
        char num[32], err[256];
        fmt_double(num, o->value);
        const char *text = o->unit && *o->unit && strcmp(o->unit, "1")
                               ? arena_printf(u->ar, "%s %s", num, o->unit)
                               : arena_strdup(u->ar, num);
        if (!ir_override_parse(arena_strdup(u->ar, o->name), text, &ov[i], err, sizeof err)) {
            fail(u->s, AXONC_EINVAL, "%s=%s: %s", o->name, text, err);
            return NULL;
        }
        if (o->text)
            ov[i].text = arena_strdup(u->ar, o->text); /* shown in messages as written */
        ov[i].call = call;
    }
    return ov;
}

typedef struct {
    const axonc_instance_opts *o;
    ir_model *ir;
} inst_args;

static axonc_status instantiate_pass(axonc_unit *u, void *arg)
{
    inst_args *a = arg;
    const axonc_instance_opts *o = a->o;
    ir_override *ov = ir_overrides(u, o->set, o->nset,
                                   o->call ? arena_strdup(u->ar, o->module ? o->module : "") : NULL);
    if (!ov)
        return AXONC_EINVAL;
    diag_mark m = pass_begin(u);
    a->ir = ir_build(u->sema, u->root, o->module, ov, o->nset, o->dt > 0 ? o->dt : 1e-4);
    if (pass_end(u, m) || !a->ir)
        return fail(u->s, AXONC_EDIAG, "the model has errors");
    /* float storage of the synapse variables no handler writes, in a double model */
    if (u->s->o.synapse_precision == 4 && u->s->o.precision != 4)
        ir_narrow_synapses(a->ir);
    /* postsynaptic traces advanced every step (in double: a float multiplied every step
       would add a rounding error per step) */
    if (u->s->o.precision != 4)
        ir_clock_traces(a->ir);
    return AXONC_OK;
}

axonc_status axonc_instantiate(axonc_unit *u, const axonc_instance_opts *o, axonc_instance **out)
{
    if (out)
        *out = NULL;
    if (!u)
        return AXONC_EINVAL;
    axonc_session *s = u->s;
    axonc_instance_opts def = {0};
    if (!o)
        o = &def;
    if (!out || (o->nset && !o->set) || o->nset < 0)
        return fail(s, AXONC_EINVAL, "axonc_instantiate: a NULL argument");
    if (!(o->dt >= 0) || o->dt > 0.01 || !isfinite(o->dt))
        return fail(s, AXONC_EINVAL, "the time step must be positive and at most 10 ms");
    if (!u->checked) {
        axonc_status st = axonc_check(u);
        if (st != AXONC_OK && st != AXONC_EDIAG)
            return st;
    }
    if (!u->check_ok)
        return fail(s, AXONC_EDIAG, "the model has errors");
    inst_args a = {o, NULL};
    axonc_status st = guarded(u, instantiate_pass, &a);
    if (st != AXONC_OK)
        return st;
    axonc_instance *in = calloc(1, sizeof *in);
    if (!in)
        return fail(s, AXONC_ENOMEM, "out of memory");
    in->u = u;
    in->ir = a.ir;
    in->next = s->instances;
    if (s->instances)
        s->instances->prev = in;
    s->instances = in;
    *out = in;
    return ok(s);
}

const char *axonc_instance_module(const axonc_instance *in) { return in ? in->ir->module : NULL; }
double axonc_instance_duration(const axonc_instance *in) { return in ? in->ir->duration : 0; }

void axonc_instance_free(axonc_instance *in)
{
    if (!in)
        return;
    axonc_session *s = in->u->s;
    cg_jit_remove(in->code);
    if (in->prev)
        in->prev->next = in->next;
    else
        s->instances = in->next;
    if (in->next)
        in->next->prev = in->prev;
    free(in);
}

static cg_opts codegen_opts(const axonc_session *s, const char *symbol, bool with_main)
{
    cg_opts co = {s->o.precision ? s->o.precision : 8,
                  s->o.opt_level == 0 ? 3 : s->o.opt_level < 0 ? 0 : s->o.opt_level, true, symbol,
                  with_main, s->o.target_cpu};
    return co;
}

/* issue 13: a unit checked without its extern libraries has functions with no address */
static bool externs_not_loaded(const axonc_unit *u)
{
    return u->s->o.no_extern_load && u->sema && sema_extern_count(u->sema) > 0;
}

axonc_status axonc_jit(axonc_instance *in, const axon_model_desc **desc)
{
    if (!in)
        return AXONC_EINVAL;
    axonc_session *s = in->u->s;
    if (!desc)
        return fail(s, AXONC_EINVAL, "axonc_jit: desc is NULL");
    if (externs_not_loaded(in->u))
        return fail(s, AXONC_EINVAL, "the session does not load extern libraries "
                                     "(no_extern_load): this model cannot be compiled");
    if (!in->desc) {
        diag_mark m = pass_begin(in->u);
        if (!s->jit) {
            s->jit = cg_jit_new(in->u->d);
            if (!s->jit) {
                pass_end(in->u, m);
                return fail(s, AXONC_EDIAG, "cannot start the JIT");
            }
        }
        char symbol[48];
        snprintf(symbol, sizeof symbol, "axonc_m%d", ++s->next_symbol);
        cg_opts co = codegen_opts(s, symbol, false);
        const void *d = NULL;
        in->code = cg_jit_add(s->jit, in->ir, &co, in->u->d, &d);
        if (pass_end(in->u, m) || !in->code) {
            cg_jit_remove(in->code);
            in->code = NULL;
            return fail(s, AXONC_EDIAG, "the model could not be compiled");
        }
        in->desc = d;
    }
    *desc = in->desc;
    return ok(s);
}

/* ---- emitting ------------------------------------------------------------------------------ */

static bool file_exists(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0;
}

/* Where libaxonrt is: the option, the installed libdir, or this build tree. */
static const char *runtime_libdir(const axonc_session *s)
{
    if (s->o.runtime_libdir && *s->o.runtime_libdir)
        return s->o.runtime_libdir;
    if (file_exists(AXON_LIBDIR "/libaxonrt.so"))
        return AXON_LIBDIR;
    return AXON_BUILD_LIBDIR;
}

/* The process's umask, read without changing it (umask(2) sets it: not in a library that
 * threads may call); 022 where /proc does not say. */
static mode_t process_umask(void)
{
    mode_t m = 022;
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    unsigned v;
    while (f && fgets(line, sizeof line, f))
        if (sscanf(line, "Umask: %o", &v) == 1) {
            m = (mode_t)v;
            break;
        }
    if (f)
        fclose(f);
    return m;
}

/* Renames the finished temporary file tmp over path, with the permissions a file created there
 * would have had (mode less the umask: mkstemp makes its files 0600). */
static bool publish(const char *tmp, const char *path, mode_t mode)
{
    return chmod(tmp, mode & ~process_umask()) == 0 && rename(tmp, path) == 0;
}

/* A fresh, exclusively created temporary path next to path (the file exists, empty). */
static char *temp_next_to(const char *path, const char *suffix)
{
    char *t;
    if (asprintf(&t, "%s.tmp-XXXXXX%s", path, suffix) < 0)
        return NULL;
    int fd = mkstemps(t, (int)strlen(suffix));
    if (fd < 0) {
        free(t);
        return NULL;
    }
    close(fd);
    return t;
}

/* The typed header's C identifier for a descriptor name: "c1.E" -> "c1_E", "E->I" -> "E_to_I";
 * any other character that cannot be in an identifier becomes '_'. */
static void hdr_ident(char *out, size_t n, const char *name)
{
    size_t k = 0;
    for (const char *p = name; *p && k + 5 < n; p++) {
        if (p[0] == '-' && p[1] == '>') {
            memcpy(out + k, "_to_", 4);
            k += 4;
            p++;
        } else {
            unsigned char c = (unsigned char)*p;
            out[k++] = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                               c == '_'
                           ? (char)c
                           : '_';
        }
    }
    out[k] = '\0';
}

/* Identifiers the header defines so far: a second one (two names that differ only in
 * characters mapped to '_', or a variable named like a constant) is left out rather than
 * breaking the header. */
typedef struct {
    char **v;
    int n;
    bool oom;
} hdr_names;

static bool hdr_taken(const hdr_names *h, const char *id)
{
    for (int k = 0; k < h->n; k++)
        if (!strcmp(h->v[k], id))
            return true;
    return false;
}

static bool hdr_new_name(hdr_names *h, const char *id)
{
    if (hdr_taken(h, id))
        return false;
    char **v = realloc(h->v, (size_t)(h->n + 1) * sizeof *v);
    char *c = strdup(id);
    if (!v || !c) {
        free(c);
        if (v)
            h->v = v;
        h->oom = true;
        return false;
    }
    h->v = v;
    h->v[h->n++] = c;
    return true;
}

/* Takes the names of one variable's accessor (full = SYM_OWNER_VAR), index (_var), path
 * (_path) and, for a projection's (proj), its spacing (_stride, _block); false, taking none, when one
 * of them is taken. */
static bool hdr_var_names(hdr_names *h, char *full, size_t n, const char *symbol, const char *owner,
                          const char *var, bool proj)
{
    static const char *const SUFFIX[] = {"", "_var", "_path", "_stride", "_block"};
    const int nsuffix = proj ? 5 : 3;
    char nm[700];
    for (int k = 0; k < nsuffix; k++) {
        snprintf(nm, sizeof nm, "%s_%s_%s%s", symbol, owner, var, SUFFIX[k]);
        if (hdr_taken(h, nm))
            return false;
    }
    for (int k = 0; k < nsuffix; k++) {
        snprintf(nm, sizeof nm, "%s_%s_%s%s", symbol, owner, var, SUFFIX[k]);
        hdr_new_name(h, nm);
    }
    snprintf(full, n, "%s_%s_%s", symbol, owner, var);
    return true;
}

/*
 * The header of `axon build --emit obj` (and axonc_emit of an object): the descriptor, and the
 * model's layout as C names, so that a misspelt population, projection or variable is a compile
 * error rather than a run-time lookup that fails:
 *   SYM_pop_E, SYM_E_size, SYM_proj_E_to_I        indices and sizes (enum constants)
 *   SYM_E_v_var, SYM_E_v_path ("E.v")              a variable's index and path
 *   SYM_E_v(sim), SYM_E_to_I_w(sim)                the live array (typed by the precision, or
 *                                                  by the variable's element type: int8_t *
 *                                                  for a narrow refractory counter), or NULL
 *                                                  for a simulation of another model
 *   SYM_ee_a_post_stride                           a projection's variable's spacing in its
 *                                                  array: element x at [x * stride]; 1, or
 *                                                  more for one stored per neuron in an array
 *                                                  it shares (model.h, ABI 12); with
 *                                                  SYM_ee_w_block (ABI 13, the targets and
 *                                                  the weight in blocks) synapse x at
 *                                                  [(x / block) * stride + x % block]
 *   SYM_signal_dopamine ("dopamine")               signal names
 */
/* The index, path and typed accessor of variable v of population or projection `owner`
 * (kind "pop" or "proj"), named full (hdr_var_names made it). */
static void hdr_accessor(FILE *f, const char *full, const char *real, const char *symbol,
                         const char *owner, const char *var, const char *kind, int index, int v)
{
    fprintf(f, "enum { %s_var = %d };\n#define %s_path \"%s.%s\"\n", full, v, full, owner, var);
    fprintf(f, "static inline %s *%s(axon_sim *sim)\n{\n    return axon_sim_model(sim) == "
               "&%s ? (%s *)axon_sim_%s_data(sim, %d, %d) : 0;\n}\n",
            real, full, symbol, real, kind, index, v);
}

/* The C type of a variable's elements (ir_var.elem, model.h's axon_elem); real: the model's. */
static const char *hdr_elem_type(int elem, const char *real)
{
    switch (elem) {
    case AXON_ELEM_I8: return "int8_t";
    case AXON_ELEM_I16: return "int16_t";
    case AXON_ELEM_I32: return "int32_t";
    case AXON_ELEM_F32: return "float";
    case AXON_ELEM_F64: return "double";
    default: return real;
    }
}

static bool write_header(const char *path, const cg_opts *co, const ir_model *ir)
{
    const char *symbol = co->symbol;
    const char *real = co->precision == 4 ? "float" : "double";
    char *tmp = temp_next_to(path, "");
    if (!tmp)
        return false;
    FILE *f = fopen(tmp, "w");
    if (!f) {
        remove(tmp);
        free(tmp);
        return false;
    }
    hdr_names names = {0};
    char id[256], vid[256], full[600];
    fprintf(f, "/* Generated by axon build from module %s. Link with -laxonrt -lm\n"
               " * (pkg-config --cflags --libs axon). Names that do not exist in the model are C\n"
               " * compile errors; the accessors return the live arrays of <axon/axon.h>'s\n"
               " * axon_sim_pop_data / axon_sim_proj_data, valid until axon_sim_free. */\n",
            ir->module);
    fprintf(f, "#ifndef AXON_MODEL_%s_H\n#define AXON_MODEL_%s_H\n\n", symbol, symbol);
    fprintf(f, "#include <axon/axon.h>\n\n");
    fprintf(f, "#ifdef __cplusplus\nextern \"C\" {\n#endif\n\n");
    fprintf(f, "extern const axon_model_desc %s;\n\n", symbol);
    fprintf(f, "/* the model's precision (%d bytes per value) */\ntypedef %s %s_real;\n\n",
            co->precision == 4 ? 4 : 8, real, symbol);
    for (int i = 0; i < ir->npops; i++) {
        const ir_pop *p = &ir->pops[i];
        hdr_ident(id, sizeof id, p->name);
        snprintf(full, sizeof full, "%s_pop_%s", symbol, id);
        if (!hdr_new_name(&names, full)) {
            fprintf(f, "/* population %s: its C name is taken */\n\n", p->name);
            continue;
        }
        snprintf(full, sizeof full, "%s_%s_size", symbol, id);
        hdr_new_name(&names, full);
        fprintf(f, "/* population %d: %s = %s[%d] */\n", i, p->name, p->type_name, p->size);
        fprintf(f, "enum { %s_pop_%s = %d, %s_%s_size = %d };\n", symbol, id, i, symbol, id,
                p->size);
        for (int v = 0; v < p->nvars; v++) {
            hdr_ident(vid, sizeof vid, p->vars[v].name);
            if (hdr_var_names(&names, full, sizeof full, symbol, id, vid, false))
                hdr_accessor(f, full, hdr_elem_type(p->vars[v].elem, real), symbol, p->name,
                             p->vars[v].name, "pop", i, v);
        }
        fputc('\n', f);
    }
    for (int q = 0; q < ir->nprojs; q++) {
        const ir_proj *pj = &ir->projs[q];
        hdr_ident(id, sizeof id, pj->name);
        snprintf(full, sizeof full, "%s_proj_%s", symbol, id);
        if (!hdr_new_name(&names, full)) {
            fprintf(f, "/* projection %s: its C name is taken */\n\n", pj->name);
            continue;
        }
        fprintf(f, "/* projection %d: %s (%s -> %s); variables per synapse in CSR order, or per "
                   "pre / post neuron */\n",
                q, pj->name, ir->pops[pj->pre].name, ir->pops[pj->post].name);
        fprintf(f, "enum { %s_proj_%s = %d };\n", symbol, id, q);
        for (int v = 0; v < pj->nvars; v++) {
            hdr_ident(vid, sizeof vid, pj->vars[v].name);
            if (!hdr_var_names(&names, full, sizeof full, symbol, id, vid, true))
                continue;
            hdr_accessor(f, full, hdr_elem_type(pj->vars[v].elem, real), symbol, pj->name,
                         pj->vars[v].name, "proj", q, v);
            /* 1, or more where interleaved with the side's other variables (model.h, ABI 12) */
            int lane, stride = ir_pack(pj, v, &lane), bs, bl;
            if (ir_block(ir, pj, v, co->precision == 4 ? 4 : 8, &bs, &bl) > 1)
                fprintf(f, "/* synapse x at [(x / %d) * %d + x %% %d], with the targets (the "
                           "array's first %d elements of each block: model.h, ABI 13) */\n"
                           "enum { %s_stride = %d, %s_block = %d };\n",
                        AXON_SYN_BLOCK, bs, AXON_SYN_BLOCK, bl, full, bs, full,
                        AXON_SYN_BLOCK);
            else
                fprintf(f, "/* element x (synapse or neuron) at [x * %d]%s */\n"
                           "enum { %s_stride = %d };\n",
                        stride, stride > 1 ? " (shares its array)" : "", full, stride);
        }
        fputc('\n', f);
    }
    for (int k = 0; k < ir->nsignals; k++) {
        hdr_ident(id, sizeof id, ir->signals[k].name);
        snprintf(full, sizeof full, "%s_signal_%s", symbol, id);
        if (hdr_new_name(&names, full))
            fprintf(f, "#define %s \"%s\"\n", full, ir->signals[k].name);
    }
    fprintf(f, "\n#ifdef __cplusplus\n}\n#endif\n\n#endif\n");
    for (int k = 0; k < names.n; k++)
        free(names.v[k]);
    free(names.v);
    bool good = !ferror(f) && !names.oom;
    good = fclose(f) == 0 && good && publish(tmp, path, 0666);
    if (!good)
        remove(tmp);
    free(tmp);
    return good;
}

extern char **environ;

/* Runs the C compiler driver (as linker) with its output captured; the output goes into the
 * session's message on failure. */
static axonc_status run_linker(axonc_session *s, char *const argv[])
{
    char log[] = "/tmp/axonc-link-XXXXXX";
    int fd = mkstemp(log);
    if (fd < 0)
        return fail(s, AXONC_EIO, "cannot make a temporary file: %s", strerror(errno));
    unlink(log);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, fd, 1);
    posix_spawn_file_actions_adddup2(&fa, fd, 2);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    pid_t pid;
    int e = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    if (e != 0) {
        close(fd);
        return fail(s, AXONC_ETOOL, "cannot run the C compiler '%s': %s", argv[0], strerror(e));
    }
    int st;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
        ;
    if (WIFEXITED(st) && WEXITSTATUS(st) == 0) {
        close(fd);
        return AXONC_OK;
    }
    char out[700] = "";
    ssize_t n = pread(fd, out, sizeof out - 1, 0);
    close(fd);
    out[n > 0 ? n : 0] = 0;
    return fail(s, AXONC_ETOOL, "linking with '%s' failed%s%s", argv[0], *out ? ":\n" : "", out);
}

static bool valid_symbol(const char *p)
{
    if (!*p)
        return false;
    for (const char *q = p; *q; q++)
        if (!((*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z') || *q == '_' ||
              (q > p && *q >= '0' && *q <= '9')))
            return false;
    return true;
}

/* The linker's command line: cc (split at spaces), the sanitizer flags of this build, the
 * object, the runtime. */
static axonc_status link_output(axonc_unit *u, bool shared, const char *obj, const char *out)
{
    axonc_session *s = u->s;
    char *words = strdup(s->o.cc && *s->o.cc ? s->o.cc : "cc");
    char san[] = AXON_LINK_SAN;
    const char *lib = runtime_libdir(s);
    char *lflag = NULL, *rpath = NULL;
    if (!words || asprintf(&lflag, "-L%s", lib) < 0 || asprintf(&rpath, "-Wl,-rpath,%s", lib) < 0) {
        free(words);
        free(lflag);
        return fail(s, AXONC_ENOMEM, "out of memory");
    }
    /* the libraries of `extern` functions: by path, or by file name through the linker's
       search path (-l:libm.so.6) */
    int next = u->sema ? sema_extern_count(u->sema) : 0;
    char **libs = calloc((size_t)next + 1, sizeof *libs);
    char *args[64 + 16];
    int n = 0;
    char *save = NULL;
    for (char *t = strtok_r(words, " \t", &save); t && n < 40; t = strtok_r(NULL, " \t", &save))
        args[n++] = t;
    /* a sanitizer build of libaxonrt needs the sanitizer runtime in the program */
    for (char *t = strtok_r(san, " ", &save); t && n < 48; t = strtok_r(NULL, " ", &save))
        args[n++] = t;
    axonc_status st = AXONC_OK;
    if (!n)
        st = fail(s, AXONC_EINVAL, "the C compiler option is empty");
    if (shared)
        args[n++] = "-shared";
    args[n++] = "-o";
    args[n++] = (char *)out;
    args[n++] = (char *)obj;
    args[n++] = lflag;
    args[n++] = rpath;
    if (!shared)
        args[n++] = "-laxonexe";
    args[n++] = "-laxonrt";
    for (int k = 0; libs && k < next && k < 16; k++) {
        const char *ext_lib = sema_extern(u->sema, k)->lib;
        bool dup = false;
        for (int j = 0; j < k; j++)
            dup |= !strcmp(sema_extern(u->sema, j)->lib, ext_lib);
        if (dup)
            continue;
        if (strchr(ext_lib, '/'))
            libs[k] = strdup(ext_lib);
        else if (asprintf(&libs[k], "-l:%s", ext_lib) < 0)
            libs[k] = NULL;
        if (libs[k])
            args[n++] = libs[k];
    }
    args[n++] = "-lm";
    args[n] = NULL;
    if (st == AXONC_OK)
        st = run_linker(s, args);
    for (int k = 0; libs && k < next; k++)
        free(libs[k]);
    free(libs);
    free(words);
    free(lflag);
    free(rpath);
    return st;
}

/* The name of the unit's source file that path is (the same file, by any name), or NULL. */
static const char *source_at(const axonc_unit *u, const char *path)
{
    struct stat o, st;
    if (stat(path, &o) != 0)
        return NULL;
    for (int f = 0; f < diag_file_count(u->d); f++) {
        const char *name = diag_file_name(u->d, f);
        if (stat(name, &st) == 0 && st.st_dev == o.st_dev && st.st_ino == o.st_ino)
            return name;
    }
    return NULL;
}

axonc_status axonc_emit(axonc_instance *in, axonc_emit_kind kind, const char *path,
                        const axonc_emit_opts *eo)
{
    if (!in)
        return AXONC_EINVAL;
    axonc_session *s = in->u->s;
    axonc_emit_opts def = {0};
    if (!eo)
        eo = &def;
    if (!path || !*path)
        return fail(s, AXONC_EINVAL, "axonc_emit: no output path");
    if (kind != AXONC_EMIT_OBJECT && kind != AXONC_EMIT_SHARED && kind != AXONC_EMIT_EXE)
        return fail(s, AXONC_EINVAL, "axonc_emit: unknown kind %d", (int)kind);
    const char *symbol = eo->symbol ? eo->symbol : "axon_model";
    if (!valid_symbol(symbol))
        return fail(s, AXONC_EINVAL, "the symbol must be a C identifier, not '%s'", symbol);
    if (!(eo->duration >= 0) || !isfinite(eo->duration))
        return fail(s, AXONC_EINVAL, "the duration must be positive");
    if (externs_not_loaded(in->u))
        return fail(s, AXONC_EINVAL, "the session does not load extern libraries "
                                     "(no_extern_load): this model cannot be compiled");
    /* a path starting with '-' would be an option to the C compiler */
    char *safe = NULL;
    if (path[0] == '-' && asprintf(&safe, "./%s", path) < 0)
        return fail(s, AXONC_ENOMEM, "out of memory");
    if (safe)
        path = safe;
    char *hdr = NULL;
    if (kind == AXONC_EMIT_OBJECT) {
        size_t l = strlen(path);
        if (eo->header)
            hdr = strdup(eo->header);
        else if (asprintf(&hdr, "%.*s.h", (int)(l > 2 && !strcmp(path + l - 2, ".o") ? l - 2 : l),
                          path) < 0)
            hdr = NULL;
        if (!hdr) {
            free(safe);
            return fail(s, AXONC_ENOMEM, "out of memory");
        }
    }
    const char *src = source_at(in->u, path), *hsrc = hdr ? source_at(in->u, hdr) : NULL;
    if (src || hsrc) {
        axonc_status st = fail(s, AXONC_EINVAL,
                               "'%s'%s is a file the model was read from (a "
                               "model or data file), which the output would replace",
                               src ? path : hdr, src ? "" : " (the header)");
        free(hdr);
        free(safe);
        return st;
    }
    double saved = in->ir->duration;
    if (eo->duration > 0)
        in->ir->duration = eo->duration;
    cg_opts co = codegen_opts(s, symbol, kind == AXONC_EMIT_EXE);
    axonc_status st = AXONC_OK;
    char *obj = temp_next_to(path, ".o");
    char *out = kind == AXONC_EMIT_OBJECT ? NULL : temp_next_to(path, "");
    if (!obj || (kind != AXONC_EMIT_OBJECT && !out))
        st = fail(s, AXONC_EIO, "cannot write next to '%s': %s", path, strerror(errno));
    if (st == AXONC_OK) {
        diag_mark m = pass_begin(in->u);
        bool good = cg_emit_object(in->ir, &co, in->u->d, obj);
        if (pass_end(in->u, m) || !good)
            st = fail(s, AXONC_EDIAG, "the model could not be compiled");
    }
    in->ir->duration = saved;
    if (st == AXONC_OK && kind == AXONC_EMIT_OBJECT) {
        if (!write_header(hdr, &co, in->ir))
            st = fail(s, AXONC_EIO, "cannot write '%s': %s", hdr, strerror(errno));
        else if (!publish(obj, path, 0666)) {
            st = fail(s, AXONC_EIO, "cannot write '%s': %s", path, strerror(errno));
            remove(hdr);
        }
    } else if (st == AXONC_OK) {
        st = link_output(in->u, kind == AXONC_EMIT_SHARED, obj, out);
        if (st == AXONC_OK && !publish(out, path, 0777))
            st = fail(s, AXONC_EIO, "cannot write '%s': %s", path, strerror(errno));
    }
    if (obj)
        remove(obj);
    if (out && st != AXONC_OK)
        remove(out);
    free(obj);
    free(out);
    free(hdr);
    free(safe);
    return st == AXONC_OK ? ok(s) : st;
}

/* ---- several sources, constant expressions ---------------------------------------------- */

typedef struct {
    const axonc_source *src;
    int n;
} sources_args;

static axonc_status sources_pass(axonc_unit *u, void *arg)
{
    sources_args *a = arg;
    const char *dirs[3];
    stdlib_dirs(u->s, dirs);
    u->sema = sema_new(u->ar, u->d, dirs, u->s->o.import_path);
    sema_set_extern_loading(u->sema, !u->s->o.no_extern_load);
    sema_set_reader(u->sema, u->s->reader, u->s->reader_user);
    for (int i = 0; i < a->n; i++)
        u->root = sema_load_text(u->sema, a->src[i].name, a->src[i].text ? a->src[i].text : "",
                                 a->src[i].len);
    return AXONC_OK;
}

axonc_status axonc_load_sources(axonc_session *s, const axonc_source *src, int n,
                                axonc_unit **out)
{
    if (out)
        *out = NULL;
    if (!s)
        return AXONC_EINVAL;
    if (!out || n < 0 || (n && !src))
        return fail(s, AXONC_EINVAL, "axonc_load_sources: a NULL argument");
    for (int i = 0; i < n; i++)
        if (!src[i].name || (!src[i].text && src[i].len))
            return fail(s, AXONC_EINVAL, "axonc_load_sources: source %d has no name or text", i);
    axonc_unit *u = unit_new(s);
    if (!u)
        return fail(s, AXONC_ENOMEM, "out of memory");
    axonc_status st = guarded(u, sources_pass, &(sources_args){src, n});
    if (st != AXONC_OK) {
        axonc_unit_free(u);
        return st;
    }
    return loaded(u, out);
}

typedef struct {
    const char *name, *text;
    size_t len;
    const axonc_binding *b;
    int nb;
    axonc_value *out;
} eval_args;

static bool parse_si(const char *unit, ax_dim *dim, double *scale)
{
    ax_unit un = {DIM_NONE, 1.0};
    char err[160];
    if (unit && *unit && strcmp(unit, "1") && !unit_parse(unit, &un, err, sizeof err))
        return false;
    *dim = un.dim;
    if (scale)
        *scale = un.scale;
    return true;
}

static axonc_status eval_pass(axonc_unit *u, void *arg)
{
    eval_args *a = arg;
    sema_binding *b = arena_alloc(u->ar, (size_t)(a->nb + 1) * sizeof *b);
    for (int k = 0; k < a->nb; k++) {
        double scale;
        if (!a->b[k].name || !parse_si(a->b[k].unit, &b[k].dim, &scale) || scale != 1.0)
            return fail(u->s, AXONC_EINVAL, "binding %d: no name, or not an SI unit", k);
        b[k].name = a->b[k].name;
        b[k].value = a->b[k].value;
        b[k].boolean = a->b[k].is_bool != 0;
    }
    int file = diag_add_file(u->d, a->name, a->text, a->len);
    diag_mark m = pass_begin(u);
    ast_node *e = parse_expr(u->ar, u->d, file);
    sx *v = e && diag_error_count(u->d) == m.errors ? sema_eval(u->sema, e, b, a->nb) : NULL;
    if (pass_end(u, m))
        v = NULL;
    if (!v)
        return fail(u->s, AXONC_EDIAG, "the expression has errors");
    memset(a->out, 0, sizeof *a->out);
    a->out->value = v->v;
    a->out->is_bool = v->boolean;
    dim_si_name(v->dim, a->out->unit, sizeof a->out->unit);
    const char *q = dim_quantity(v->dim);
    snprintf(a->out->quantity, sizeof a->out->quantity, "%s",
             q && !dim_is_none(v->dim) ? q : "");
    return ok(u->s);
}

axonc_status axonc_eval(axonc_unit *u, const char *name, const char *text, size_t len,
                        const axonc_binding *bindings, int nbindings, axonc_value *out)
{
    if (!u)
        return AXONC_EINVAL;
    if (!name || (!text && len) || !out || nbindings < 0 || (nbindings && !bindings))
        return fail(u->s, AXONC_EINVAL, "axonc_eval: a NULL argument");
    if (!u->sema)
        return fail(u->s, AXONC_EINVAL, "a unit of axonc_parse_file cannot evaluate");
    eval_args a = {name, text ? text : "", len, bindings, nbindings, out};
    return guarded(u, eval_pass, &a);
}

int axonc_same_unit(const char *a, const char *b)
{
    ax_dim da, db;
    double sa, sb;
    return parse_si(a, &da, &sa) && parse_si(b, &db, &sb) && dim_eq(da, db) && sa == sb;
}

axonc_status axonc_display_unit(const char *si_unit, double typical, char *unit, size_t size,
                                double *scale)
{
    ax_dim dim;
    if (!unit || !size || !scale || !parse_si(si_unit, &dim, NULL))
        return AXONC_EINVAL;
    char shown[64], si[64];
    dim_unit_name(dim, shown, sizeof shown);
    dim_si_name(dim, si, sizeof si);
    double sc = 1.0;
    ax_dim sd;
    bool use_shown = strcmp(shown, si) && parse_si(shown, &sd, &sc) && dim_eq(sd, dim) &&
                     sc != 1.0 && typical != 0 && fabs(typical / sc) >= 1e-3 &&
                     fabs(typical / sc) < 1e5;
    *scale = use_shown ? sc : 1.0;
    int n = snprintf(unit, size, "%s", dim_is_none(dim) ? "" : use_shown ? shown : si);
    return n >= 0 && (size_t)n < size ? AXONC_OK : AXONC_EINVAL;
}

axonc_status axonc_format(double value, const char *si_unit, int is_bool, char *buf, size_t size)
{
    if (!buf || !size)
        return AXONC_EINVAL;
    if (is_bool)
        return snprintf(buf, size, "%s", value != 0 ? "true" : "false") < (int)size ? AXONC_OK
                                                                              : AXONC_EINVAL;
    char unit[64];
    double scale;
    if (axonc_display_unit(si_unit, value, unit, sizeof unit, &scale) != AXONC_OK)
        return AXONC_EINVAL;
    int n = snprintf(buf, size, "%.10g%s%s", value / scale, *unit ? " " : "", unit);
    return n >= 0 && (size_t)n < size ? AXONC_OK : AXONC_EINVAL;
}

/* ---- dumps --------------------------------------------------------------------------------- */

static void dump_tokens(FILE *f, diag_ctx *d, ax_arena *ar, int id)
{
    lex_state L;
    lex_init(&L, d, ar, id);
    for (;;) {
        lex_token t = lex_next(&L);
        const char *desc = lex_token_desc(t.tok);
        fprintf(f, "%d:%d-%d:%d\t", t.span.line, t.span.col, t.span.end_line, t.span.end_col);
        if (t.tok == SEP)
            fprintf(f, "SEP%s\n", t.virt ? " (before })" : t.newline ? " (newline)" : "");
        else if (t.tok == IDENT || t.tok == PRIMED)
            fprintf(f, "%s %s\n", desc, t.str);
        else if (t.tok == STRING)
            fprintf(f, "string \"%s\"\n", t.str);
        else if (t.tok == NUMBER)
            fprintf(f, "number %.17g%s%s\n", t.node->num, t.node->str ? " " : "",
                    t.node->str ? t.node->str : "");
        else if (desc)
            fprintf(f, "%s\n", desc);
        else
            fprintf(f, "'%c'\n", t.tok);
        if (t.tok == AXP_EOF)
            break;
    }
}

typedef struct {
    axonc_unit_dump what;
    FILE *f;
    diag_ctx *d;  /* the dump's own diagnostics (a lexer or parser of its own), freed after */
    bool whole;   /* false when the text is incomplete (memory ran out) */
} dump_args;

/* The text of axonc_dump_unit, run guarded (out of memory anywhere gives AXONC_ENOMEM). */
static axonc_status dump_pass(axonc_unit *u, void *arg)
{
    dump_args *a = arg;
    if (a->what == AXONC_DUMP_UNITS) {
        sm_dump_units(u->sema, a->f);
        return AXONC_OK;
    }
    ast_node *root = u->sema ? sema_file_root(u->sema, u->root) : NULL;
    if (a->what == AXONC_DUMP_TOKENS || !u->sema) {
        /* a lexer (parser) of its own: the unit's diagnostics already hold the errors */
        if (!(a->d = diag_new()))
            arena_oom(u->ar);
        diag_set_oom(a->d, &u->oom);
        size_t tl;
        const char *text = diag_file_text(u->d, u->root, &tl);
        int id = diag_add_file(a->d, diag_file_name(u->d, u->root), text, tl);
        if (a->what == AXONC_DUMP_TOKENS) {
            dump_tokens(a->f, a->d, u->ar, id);
            return AXONC_OK;
        }
        root = parse_file(u->ar, a->d, id);
    }
    a->whole = ast_dump(a->f, root, a->what == AXONC_DUMP_AST_SPANS);
    return AXONC_OK;
}

axonc_status axonc_dump_unit(axonc_unit *u, axonc_unit_dump what, char **out)
{
    if (!u)
        return AXONC_EINVAL;
    axonc_session *s = u->s;
    if (!out)
        return fail(s, AXONC_EINVAL, "axonc_dump_unit: out is NULL");
    *out = NULL;
    if (what == AXONC_DUMP_UNITS && (!u->sema || !u->checked || !u->check_ok))
        return fail(s, AXONC_EINVAL, "units can be listed only for a checked unit without errors");
    if ((what == AXONC_DUMP_AST || what == AXONC_DUMP_AST_SPANS) && u->load_failed)
        return fail(s, AXONC_EDIAG, "the model has syntax errors");
    if (what < AXONC_DUMP_TOKENS || what > AXONC_DUMP_UNITS)
        return fail(s, AXONC_EINVAL, "axonc_dump_unit: unknown dump %d", (int)what);
    size_t len;
    FILE *f = open_memstream(out, &len);
    if (!f)
        return fail(s, AXONC_ENOMEM, "out of memory");
    dump_args a = {what, f, NULL, true};
    axonc_status st = guarded(u, dump_pass, &a);
    diag_free(a.d);
    if ((fclose(f) != 0 || !a.whole) && st == AXONC_OK)
        st = fail(s, AXONC_ENOMEM, "out of memory");
    if (st != AXONC_OK) {
        free(*out);
        *out = NULL;
        return st;
    }
    return ok(s);
}

axonc_status axonc_dump_instance(axonc_instance *in, axonc_instance_dump what, char **out)
{
    if (!in)
        return AXONC_EINVAL;
    axonc_session *s = in->u->s;
    if (!out)
        return fail(s, AXONC_EINVAL, "axonc_dump_instance: out is NULL");
    *out = NULL;
    if (what == AXONC_DUMP_LLVM) {
        cg_opts co = codegen_opts(s, NULL, false);
        diag_mark m = pass_begin(in->u);
        *out = cg_llvm_text(in->ir, &co, in->u->d);
        if (pass_end(in->u, m) || !*out) {
            free(*out);
            *out = NULL;
            return fail(s, AXONC_EDIAG, "the model could not be compiled");
        }
        return ok(s);
    }
    if (what != AXONC_DUMP_IR)
        return fail(s, AXONC_EINVAL, "axonc_dump_instance: unknown dump %d", (int)what);
    size_t len;
    FILE *f = open_memstream(out, &len);
    if (!f)
        return fail(s, AXONC_ENOMEM, "out of memory");
    bool whole = ir_dump(in->ir, f);
    if (fclose(f) != 0 || !whole) {
        free(*out);
        *out = NULL;
        return fail(s, AXONC_ENOMEM, "out of memory");
    }
    return ok(s);
}

/* ==== editors: the formatter and the language server's queries (issue 13) ==================== */

axonc_status axonc_fmt(axonc_session *s, const char *name, const char *text, size_t len,
                       char **out)
{
    if (out)
        *out = NULL;
    if (!s)
        return AXONC_EINVAL;
    if (!name || !out || (!text && len))
        return fail(s, AXONC_EINVAL, "axonc_fmt: a NULL argument");
    if (!text)
        text = "";
    /* a file that does not parse is left alone: its tokens may not mean what they seem */
    axonc_unit *u = NULL;
    axonc_status st = load(s, parse_pass, &(load_args){.path = name, .text = text, .len = len}, &u);
    axonc_unit_free(u);
    if (st != AXONC_OK)
        return st;
    int rc = fmt_source(text, len, out);
    if (rc == FMT_NOMEM)
        return fail(s, AXONC_ENOMEM, "out of memory while formatting '%s'", name);
    if (rc != FMT_OK)
        return fail(s, AXONC_EINVAL, "the formatter could not lay out '%s' without changing "
                                     "its syntax tree (a bug: please report it)", name);
    return ok(s);
}

/* The index of the unit's files, built on first use (again after axonc_check, which adds
 * units to what it knows). NULL for a unit of axonc_parse_file or when out of memory. */
static axonc_status index_pass(axonc_unit *u, void *arg)
{
    (void)arg;
    u->index = ide_build(u->ar, u->sema, u->d);
    u->index_checked = u->checked;
    /* the sizes of the populations of the root file's modules and the schemes chosen for them,
       as axon check instantiates them (the run module with the run line's arguments; its
       diagnostics were delivered then, and repeats are not delivered) */
    ast_node *root = u->check_ok ? sema_file_root(u->sema, u->root) : NULL;
    for (int i = 0; root && i < root->nkids; i++) {
        if (root->kids[i]->kind != AST_MODULE)
            continue;
        bool is_run;
        ir_model *ir = build_root_module(u, root, i, &is_run);
        if (!ir)
            continue;
        for (int k = 0; k < ir->npops; k++)
            ide_set_size(u->index, root->kids[i]->name, ir->pops[k].name, ir->pops[k].size,
                         is_run ? "with the run line's arguments" : "with the default parameters");
        for (int k = 0; k < ir->npops; k++)
            if (ir->pops[k].scheme != SCH_NONE)
                ide_set_scheme(u->index, ir->pops[k].type_name, root->kids[i]->name,
                               ir->pops[k].name, ir_scheme_name(ir->pops[k].scheme),
                               ir->pops[k].scheme_why);
    }
    return AXONC_OK;
}

static ide_index *unit_index(axonc_unit *u)
{
    if (!u || !u->sema)
        return NULL;
    if ((!u->index || (u->checked && !u->index_checked)) && guarded(u, index_pass, NULL) != AXONC_OK)
        return NULL;
    return u->index;
}

static int file_id(const axonc_unit *u, const char *file)
{
    for (int i = 0; file && i < diag_file_count(u->d); i++)
        if (!strcmp(diag_file_name(u->d, i), file))
            return i;
    return -1;
}

int axonc_symbol_count(axonc_unit *u)
{
    return ide_symbol_count(unit_index(u));
}

axonc_status axonc_symbol_get(axonc_unit *u, int i, axonc_symbol *out)
{
    const ide_sym *y = ide_symbol(unit_index(u), i);
    if (!y || !out)
        return u ? fail(u->s, AXONC_EINVAL, "no symbol %d", i) : AXONC_EINVAL;
    *out = (axonc_symbol){y->name, y->kind, span_loc(u, y->span), span_loc(u, y->extent),
                          y->parent, y->type, y->signature, y->detail, y->doc, y->unit};
    return ok(u->s);
}

int axonc_symbol_at(axonc_unit *u, const char *file, int line, int col, axonc_loc *where)
{
    ide_index *x = unit_index(u);
    int f = x ? file_id(u, file) : -1;
    ax_span sp;
    int k = f >= 0 ? ide_symbol_at(x, f, line, col, &sp) : -1;
    if (k >= 0 && where)
        *where = span_loc(u, sp);
    return k;
}

int axonc_ref_count(axonc_unit *u, int sym)
{
    return ide_ref_count(unit_index(u), sym);
}

axonc_status axonc_ref_get(axonc_unit *u, int sym, int k, axonc_loc *where, int *is_decl)
{
    ax_span sp;
    bool decl;
    if (!ide_ref(unit_index(u), sym, k, &sp, &decl) || !where)
        return u ? fail(u->s, AXONC_EINVAL, "no reference %d of symbol %d", k, sym) : AXONC_EINVAL;
    *where = span_loc(u, sp);
    if (is_decl)
        *is_decl = decl;
    return ok(u->s);
}

axonc_status axonc_complete(axonc_unit *u, const char *file, int line, int col,
                            axonc_complete_fn fn, void *user)
{
    ide_index *x = unit_index(u);
    if (!x || !fn)
        return u ? fail(u->s, AXONC_EINVAL, "axonc_complete: no index or no callback")
                 : AXONC_EINVAL;
    int f = file_id(u, file);
    if (f < 0)
        return fail(u->s, AXONC_EINVAL, "'%s' is not a file of this unit", file ? file : "");
    ide_complete(x, f, line, col, fn, user);
    return ok(u->s);
}

axonc_status axonc_rename_check(axonc_unit *u, int sym, const char *new_name)
{
    ide_index *x = unit_index(u);
    if (!x)
        return u ? fail(u->s, AXONC_EINVAL, "axonc_rename_check: the unit has no index")
                 : AXONC_EINVAL;
    const char *why = ide_rename_refusal(x, sym, new_name);
    return why ? fail(u->s, AXONC_EINVAL, "%s", why) : ok(u->s);
}
