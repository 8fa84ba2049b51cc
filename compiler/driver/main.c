/*
 * The `axon` command: the only part of Axon that prints and exits. Each
 * subcommand parses its options, calls the libraries, renders their
 * diagnostics and picks the exit status:
 *   0  success, no errors
 *   1  the model has errors (diagnostics were printed), or the run failed
 *   2  usage error (bad option, bad value, unreadable input file)
 */
#include "config.h"

#include "ast.h"
#include "diag.h"
#include "lex.h"
#include "parse.h"
#include "axon/axon.h"
#include "axon/exe.h"
#include "codegen/cg.h"
#include "sema/units.h"
#include "lower/ir.h"
#include "parser.h"
#include "sema/sema.h"
#include "util.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>
#include <time.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

enum { EXIT_OK = 0, EXIT_DIAG = 1, EXIT_USAGE = 2 };

typedef struct {
    const char *name;
    int (*fn)(int argc, char **argv);
    const char *summary;
    const char *usage;
} command;

static int diag_flags(FILE *f, bool brief)
{
    int flags = brief ? DIAG_RENDER_BRIEF : 0;
    const char *nc = getenv("NO_COLOR");
    if (isatty(fileno(f)) && !(nc && *nc))
        flags |= DIAG_RENDER_COLOR;
    return flags;
}

static int usage_error(const char *cmd, const char *fmt, const char *arg)
{
    fprintf(stderr, "axon%s%s: ", cmd ? " " : "", cmd ? cmd : "");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\nTry 'axon help%s%s' for more information.\n", cmd ? " " : "",
            cmd ? cmd : "");
    return EXIT_USAGE;
}

/* Reads and registers a source file. Returns the file id or -1 after
 * printing a usage error (an unreadable input is a bad command-line value). */
static int load_source(diag_ctx *d, const char *cmd, const char *path)
{
    size_t len;
    const char *err;
    char *text = read_file(path, &len, &err);
    if (!text) {
        fprintf(stderr, "axon %s: cannot read '%s': %s\n", cmd, path, err);
        return -1;
    }
    int id = diag_add_file(d, path, text, len);
    free(text);
    return id;
}

/* ---- loading and checking a model ------------------------------------- */

/* Where "std/..." imports are found: $AXON_STDLIB alone when set, else the
 * installed standard library, then the source tree's (for uninstalled builds). */
static const char *const *stdlib_dirs(void)
{
    static const char *dirs[3];
    const char *env = getenv("AXON_STDLIB");
    if (env && *env) {
        dirs[0] = env;
        dirs[1] = NULL;
    } else {
        dirs[0] = AXON_STDLIB_DIR;
        dirs[1] = AXON_SRC_STDLIB_DIR;
        dirs[2] = NULL;
    }
    return dirs;
}

typedef struct {
    diag_ctx *d;
    ax_arena *ar;
    sema_ctx *s;
    int root;
} model;

/* Loads and checks path. Returns false on a usage error (unreadable file). */
static bool load_model(model *m, const char *cmd, const char *path, bool werror)
{
    m->d = diag_new();
    diag_set_werror(m->d, werror);
    m->ar = arena_new();
    m->s = sema_new(m->ar, m->d, stdlib_dirs(), getenv("AXON_PATH"));
    const char *err;
    m->root = sema_load(m->s, path, &err);
    if (m->root < 0) {
        fprintf(stderr, "axon %s: cannot read '%s': %s\n", cmd, path, err);
        return false;
    }
    /* semantic checks on top of syntax errors would mostly repeat them */
    if (!diag_error_count(m->d))
        sema_check_all(m->s);
    return true;
}

static void free_model(model *m)
{
    arena_free(m->ar);
    diag_free(m->d);
}

/* Instantiates every module of the root file (the `run` module with its
 * arguments) so that projections, records and schemes are checked too. */
static void check_modules(model *m, double dt)
{
    if (diag_error_count(m->d))
        return;
    ast_node *root = sema_file_root(m->s, m->root);
    const char *run_module = NULL;
    for (int i = 0; i < root->nkids; i++)
        if (root->kids[i]->kind == AST_RUN && root->kids[i]->a)
            run_module = root->kids[i]->a->name;
    for (int i = 0; i < root->nkids; i++) {
        if (root->kids[i]->kind != AST_MODULE)
            continue;
        const char *name = root->kids[i]->name;
        bool is_run = run_module && !strcmp(run_module, name);
        ir_model *ir = ir_instantiate(m->s, m->root, is_run ? NULL : name, NULL, 0, dt);
        if (ir)
            ir_schemes(m->s, ir);
    }
}

/* ---- axon check ------------------------------------------------------ */

static int cmd_check(int argc, char **argv)
{
    bool brief = false, werror = false, units = false, syntax = false;
    int nfiles = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--brief"))
            brief = true;
        else if (!strcmp(argv[i], "--syntax-only"))
            syntax = true;
        else if (!strcmp(argv[i], "-Werror"))
            werror = true;
        else if (!strcmp(argv[i], "--explain-units"))
            units = true;
        else if (argv[i][0] == '-' && argv[i][1])
            return usage_error("check", "unknown option '%s'", argv[i]);
        else
            nfiles++;
    }
    if (!nfiles)
        return usage_error("check", "%sno input files", "");
    int status = EXIT_OK;
    for (int i = 1; i < argc; i++) {
        if (argv[i][0] == '-' && argv[i][1])
            continue;
        if (syntax) {
            diag_ctx *d = diag_new();
            ax_arena *ar = arena_new();
            int id = load_source(d, "check", argv[i]);
            if (id < 0) {
                status = EXIT_USAGE;
            } else {
                parse_file(ar, d, id);
                diag_render(d, stderr, diag_flags(stderr, brief));
                if (diag_error_count(d) && status == EXIT_OK)
                    status = EXIT_DIAG;
            }
            arena_free(ar);
            diag_free(d);
            continue;
        }
        model m;
        if (!load_model(&m, "check", argv[i], werror)) {
            status = EXIT_USAGE;
        } else {
            check_modules(&m, 1e-4);
            diag_render(m.d, stderr, diag_flags(stderr, brief));
            if (diag_error_count(m.d) && status == EXIT_OK)
                status = EXIT_DIAG;
            if (units && !diag_error_count(m.d))
                sm_dump_units(m.s, stdout);
        }
        free_model(&m);
    }
    return status;
}

/* ---- axon dump -------------------------------------------------------- */

static int dump_tokens(diag_ctx *d, ax_arena *ar, int id)
{
    lex_state L;
    lex_init(&L, d, ar, id);
    for (;;) {
        lex_token t = lex_next(&L);
        const char *desc = lex_token_desc(t.tok);
        printf("%d:%d-%d:%d\t", t.span.line, t.span.col, t.span.end_line, t.span.end_col);
        if (t.tok == SEP)
            printf("SEP%s\n", t.virt ? " (before })" : t.newline ? " (newline)" : "");
        else if (t.tok == IDENT || t.tok == PRIMED)
            printf("%s %s\n", desc, t.str);
        else if (t.tok == STRING)
            printf("string \"%s\"\n", t.str);
        else if (t.tok == NUMBER)
            printf("number %.17g%s%s\n", t.node->num, t.node->str ? " " : "",
                   t.node->str ? t.node->str : "");
        else if (desc)
            printf("%s\n", desc);
        else
            printf("'%c'\n", t.tok);
        if (t.tok == AXP_EOF)
            break;
    }
    return 0;
}

static int cmd_dump(int argc, char **argv)
{
    bool spans = false;
    int precision = 8;
    const char *what = NULL, *path = NULL, *module = NULL;
    ir_override sets[64];
    int nsets = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--spans"))
            spans = true;
        else if (!strcmp(argv[i], "-m") || !strcmp(argv[i], "--module")) {
            if (++i == argc)
                return usage_error("dump", "%s-m needs a module name", "");
            module = argv[i];
        } else if (!strcmp(argv[i], "--precision")) {
            if (++i == argc || (strcmp(argv[i], "single") && strcmp(argv[i], "double")))
                return usage_error("dump", "--precision takes single or double%s", "");
            precision = !strcmp(argv[i], "single") ? 4 : 8;
        } else if (!strcmp(argv[i], "--set")) {
            if (++i == argc || !strchr(argv[i], '=') || argv[i][0] == '=')
                return usage_error("dump", "--set needs NAME=VALUE, not '%s'", i < argc ? argv[i] : "");
            if (nsets == 64)
                return usage_error("dump", "%stoo many --set options", "");
            char *eq = strchr(argv[i], '='), err[300], msg[4400];
            *eq = 0;
            if (!ir_override_parse(argv[i], eq + 1, &sets[nsets++], err, sizeof err)) {
                snprintf(msg, sizeof msg, "--set %s=%s: %s", argv[i], eq + 1, err);
                return usage_error("dump", "%s", msg);
            }
        }
        else if (argv[i][0] == '-' && argv[i][1])
            return usage_error("dump", "unknown option '%s'", argv[i]);
        else if (!what)
            what = argv[i];
        else if (!path)
            path = argv[i];
        else
            return usage_error("dump", "unexpected argument '%s'", argv[i]);
    }
    if (!what)
        return usage_error("dump", "%smissing what to dump (ast, tokens, units or ir)", "");
    if (strcmp(what, "ast") && strcmp(what, "tokens") && strcmp(what, "units") && strcmp(what, "ir") &&
        strcmp(what, "llvm"))
        return usage_error("dump", "cannot dump '%s' (choose ast, tokens, units, ir or llvm)", what);
    if (!path)
        return usage_error("dump", "%smissing input file", "");
    if (!strcmp(what, "units") || !strcmp(what, "ir") || !strcmp(what, "llvm")) {
        model m;
        if (!load_model(&m, "dump", path, false))
            return EXIT_USAGE;
        if (!diag_error_count(m.d)) {
            if (!strcmp(what, "units")) {
                sm_dump_units(m.s, stdout);
            } else {
                ir_model *ir = ir_instantiate(m.s, m.root, module, sets, nsets, 1e-4);
                if (ir && ir_schemes(m.s, ir)) {
                    if (!strcmp(what, "ir")) {
                        ir_dump(ir, stdout);
                    } else {
                        cg_opts co = {precision, 3, true, NULL, false};
                        char *text = cg_llvm_text(ir, &co, m.d);
                        if (text)
                            fputs(text, stdout);
                        free(text);
                    }
                }
            }
        }
        diag_render(m.d, stderr, diag_flags(stderr, false));
        int st = diag_error_count(m.d) ? EXIT_DIAG : EXIT_OK;
        free_model(&m);
        return st;
    }
    diag_ctx *d = diag_new();
    ax_arena *ar = arena_new();
    int status = EXIT_OK;
    int id = load_source(d, "dump", path);
    if (id < 0) {
        status = EXIT_USAGE;
    } else if (!strcmp(what, "tokens")) {
        dump_tokens(d, ar, id);
    } else {
        ast_node *root = parse_file(ar, d, id);
        if (!diag_error_count(d))
            ast_dump(stdout, root, spans);
    }
    if (id >= 0) {
        diag_render(d, stderr, diag_flags(stderr, false));
        if (diag_error_count(d))
            status = EXIT_DIAG;
    }
    arena_free(ar);
    diag_free(d);
    return status;
}


/* ---- axon run ------------------------------------------------------------------------ */

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* "1 s", "500ms", "0.1 ms" -> seconds; false when not a positive time. */
static bool parse_time(const char *text, double *out)
{
    char *end;
    double v = strtod(text, &end);
    if (end == text || !isfinite(v))
        return false;
    while (*end == ' ')
        end++;
    ax_unit u = {DIM_TIME, 1.0};
    if (*end) {
        char err[128];
        if (!unit_parse(end, &u, err, sizeof err) || !dim_eq(u.dim, DIM_TIME))
            return false;
    }
    *out = v * u.scale;
    return *out > 0;
}

static bool parse_uint(const char *text, unsigned long long max, unsigned long long *out)
{
    char *end;
    if (!*text || *text == '-')
        return false;
    errno = 0;
    unsigned long long v = strtoull(text, &end, 10);
    if (*end || errno || v > max)
        return false;
    *out = v;
    return true;
}

typedef struct {
    const char *file, *module, *outdir;
    ir_override sets[64];
    int nsets;
    double duration, dt;
    unsigned long long seed, threads;
    int precision, opt;
    bool quiet;
    unsigned long long grain;  /* --grain: 0 = the default of the runtime */
    const char *sig_names[16]; /* --signal NAME=VALUE: pinned for the whole run */
    double sig_values[16];
    int nsig;
} run_opts;

/* Options shared by `axon run` and `axon build`. Returns -1 when consumed
 * nothing, else the number of arguments used, or -2 after a usage error. */
static int run_option(const char *cmd, run_opts *o, int argc, char **argv, int i)
{
    const char *a = argv[i];
    const char *v = i + 1 < argc ? argv[i + 1] : NULL;
#define NEED(what)                                                                                 \
    if (!v) {                                                                                      \
        usage_error(cmd, "%s needs a value", a);                                                   \
        return -2;                                                                                 \
    }
    if (!strcmp(a, "-m") || !strcmp(a, "--module")) {
        NEED();
        o->module = v;
        return 2;
    }
    if (!strcmp(a, "--set")) {
        NEED();
        const char *eq = strchr(v, '=');
        if (!eq || eq == v || !eq[1]) {
            usage_error(cmd, "--set needs NAME=VALUE, not '%s'", v);
            return -2;
        }
        if (o->nsets == 64) {
            usage_error(cmd, "%stoo many --set options", "");
            return -2;
        }
        char *name = strndup(v, (size_t)(eq - v)), err[300], msg[4400];
        if (!ir_override_parse(name, eq + 1, &o->sets[o->nsets], err, sizeof err)) {
            snprintf(msg, sizeof msg, "--set %s: %s", v, err);
            usage_error(cmd, "%s", msg);
            free(name);
            return -2;
        }
        o->nsets++;
        return 2;
    }
    if (!strcmp(a, "--grain")) {
        NEED();
        if (!parse_uint(v, UINT32_MAX, &o->grain) || o->grain == 0) {
            usage_error(cmd, "--grain needs a positive whole number, not '%s'", v);
            return -2;
        }
        return 2;
    }
    if (!strcmp(a, "--signal")) {
        NEED();
        const char *eq = strchr(v, '=');
        char *end = NULL;
        double x = eq ? strtod(eq + 1, &end) : 0;
        if (!eq || eq == v || !eq[1] || *end || !isfinite(x)) {
            usage_error(cmd, "--signal needs NAME=NUMBER, not '%s'", v);
            return -2;
        }
        if (o->nsig == 16) {
            usage_error(cmd, "%stoo many --signal options", "");
            return -2;
        }
        o->sig_names[o->nsig] = strndup(v, (size_t)(eq - v));
        o->sig_values[o->nsig++] = x;
        return 2;
    }
    if (!strcmp(a, "-t") || !strcmp(a, "--time")) {
        NEED();
        if (!parse_time(v, &o->duration)) {
            usage_error(cmd, "-t needs a positive duration with a unit, like '1 s' or 500ms; not '%s'", v);
            return -2;
        }
        return 2;
    }
    if (!strcmp(a, "--dt")) {
        NEED();
        if (!parse_time(v, &o->dt) || o->dt > 0.01) {
            usage_error(cmd, "--dt needs a time step like '0.1 ms' (at most 10 ms); not '%s'", v);
            return -2;
        }
        return 2;
    }
    if (!strcmp(a, "--seed")) {
        NEED();
        if (!parse_uint(v, UINT64_MAX, &o->seed)) {
            usage_error(cmd, "--seed needs a non-negative whole number, not '%s'", v);
            return -2;
        }
        return 2;
    }
    if (!strcmp(a, "--threads")) {
        NEED();
        if (!parse_uint(v, AXON_MAX_THREADS, &o->threads) || o->threads == 0) {
            usage_error(cmd, "--threads needs a number from 1 to 1024, not '%s'", v);
            return -2;
        }
        return 2;
    }
    if (!strcmp(a, "--precision")) {
        NEED();
        if (strcmp(v, "single") && strcmp(v, "double")) {
            usage_error(cmd, "--precision is single or double, not '%s'", v);
            return -2;
        }
        o->precision = !strcmp(v, "single") ? 4 : 8;
        return 2;
    }
    if (a[0] == '-' && a[1] == 'O' && a[2] >= '0' && a[2] <= '3' && !a[3]) {
        o->opt = a[2] - '0';
        return 1;
    }
    if (!strcmp(a, "-q") || !strcmp(a, "--quiet")) {
        o->quiet = true;
        return 1;
    }
#undef NEED
    return -1;
}


/* Front end, IR and JIT: the model descriptor, or NULL after diagnostics. */
static const axon_model_desc *compile_model(model *m, run_opts *o, cg_jit **jit,
                                            double *duration)
{
    if (diag_error_count(m->d))
        return NULL;
    ir_model *ir = ir_instantiate(m->s, m->root, o->module, o->sets, o->nsets, o->dt);
    if (!ir || !ir_schemes(m->s, ir))
        return NULL;
    *duration = ir->duration;
    cg_opts co = {o->precision, o->opt, true, NULL, false};
    const void *desc = NULL;
    *jit = cg_jit_compile(ir, &co, m->d, &desc);
    return *jit ? desc : NULL;
}

static int cmd_run(int argc, char **argv)
{
    run_opts o = {.dt = 1e-4, .threads = 1, .precision = 8, .opt = 3};
    for (int i = 1; i < argc;) {
        int used = run_option("run", &o, argc, argv, i);
        if (used == -2)
            return EXIT_USAGE;
        if (used > 0) {
            i += used;
            continue;
        }
        if (!strcmp(argv[i], "-o") || !strcmp(argv[i], "--output")) {
            if (i + 1 == argc)
                return usage_error("run", "%s-o needs a directory", "");
            o.outdir = argv[i + 1];
            i += 2;
            continue;
        }
        if (argv[i][0] == '-' && argv[i][1])
            return usage_error("run", "unknown option '%s'", argv[i]);
        if (o.file)
            return usage_error("run", "unexpected argument '%s' (one model file at a time)", argv[i]);
        o.file = argv[i++];
    }
    if (!o.file)
        return usage_error("run", "%smissing model file", "");
    bool tty = isatty(fileno(stderr)) && !o.quiet;
    double t0 = now_seconds();
    model m;
    if (!load_model(&m, "run", o.file, false)) {
        free_model(&m);
        return EXIT_USAGE;
    }
    cg_jit *jit = NULL;
    double default_duration = 0;
    const axon_model_desc *desc = compile_model(&m, &o, &jit, &default_duration);
    diag_render(m.d, stderr, diag_flags(stderr, false));
    if (!desc) {
        cg_jit_free(jit);
        free_model(&m);
        return EXIT_DIAG;
    }
    double compile_s = now_seconds() - t0;
    double duration = o.duration > 0 ? o.duration : default_duration;
    if (duration <= 0) {
        fprintf(stderr, "axon run: the model has no 'run ... for' line: give the duration with -t, "
                        "like -t 1s\n");
        cg_jit_free(jit);
        free_model(&m);
        return EXIT_USAGE;
    }
    axon_err err = {{0}};
    axon_opts ao = {o.seed, (int)o.threads};
    axon_sim *sim = axon_sim_new(desc, &ao, &err);
    int status = EXIT_OK;
    if (sim && o.grain)
        axon_sim_set_grain(sim, (uint32_t)o.grain);
    for (int q = 0; sim && q < (int)desc->nprojs; q++) {
        uint64_t nr = 0;
        if (axon_sim_proj_delays(sim, q, NULL, NULL, &nr) == AXON_OK && nr > 0)
            fprintf(stderr,
                    "axon run: warning: projection '%s': %llu of %llu delays changed by more than "
                    "1%% when rounded to the time step (%g ms)\n",
                    desc->projs[q].name, (unsigned long long)nr,
                    (unsigned long long)axon_sim_synapse_count(sim, q), desc->dt * 1e3);
    }
    for (int k = 0; sim && k < o.nsig && status == EXIT_OK; k++)
        if (axon_sim_set_signal(sim, o.sig_names[k], o.sig_values[k]) != AXON_OK) {
            fprintf(stderr, "axon run: --signal: %s\n", axon_sim_error(sim));
            status = EXIT_USAGE;
        }
    if (status != EXIT_OK) {
    } else if (!sim) {
        fprintf(stderr, "axon run: %s\n", err.msg);
        status = EXIT_DIAG;
    } else if (axon_sim_run(sim, duration, tty ? axon_exe_progress : NULL, NULL) != AXON_OK) {
        fprintf(stderr, "axon run: %s\n", axon_sim_error(sim));
        status = EXIT_DIAG;
    } else {
        if (o.outdir && axon_sim_write(sim, o.outdir, &err) != AXON_OK) {
            fprintf(stderr, "axon run: %s\n", err.msg);
            status = EXIT_DIAG;
        }
        if (!o.quiet && status == EXIT_OK)
            axon_exe_summary(stdout, sim, compile_s, o.outdir);
    }
    axon_sim_free(sim);
    cg_jit_free(jit);
    free_model(&m);
    for (int k = 0; k < o.nsets; k++)
        free((char *)o.sets[k].name);
    for (int k = 0; k < o.nsig; k++)
        free((char *)o.sig_names[k]);
    return status;
}


/* ---- axon build ---------------------------------------------------------------------------- */

extern char **environ;

/* Runs a program (the C compiler driver, as linker) and waits for it. */
static bool run_program(char *const argv[])
{
    pid_t pid;
    if (posix_spawnp(&pid, argv[0], NULL, NULL, argv, environ) != 0) {
        fprintf(stderr, "axon build: cannot run '%s': %s\n", argv[0], strerror(errno));
        return false;
    }
    int st;
    if (waitpid(pid, &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
        fprintf(stderr, "axon build: '%s' failed\n", argv[0]);
        return false;
    }
    return true;
}

static bool file_exists(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0;
}

/* Where libaxonrt is: $AXON_LIBDIR, the installed libdir, or this build tree. */
static const char *runtime_libdir(void)
{
    const char *env = getenv("AXON_LIBDIR");
    if (env && *env)
        return env;
    if (file_exists(AXON_LIBDIR "/libaxonrt.so"))
        return AXON_LIBDIR;
    return AXON_BUILD_LIBDIR;
}

static const char *runtime_includedir(void)
{
    return file_exists(AXON_INCLUDEDIR "/axon/model.h") ? AXON_INCLUDEDIR : AXON_SRC_INCLUDEDIR;
}

static bool write_header(const char *path, const char *symbol, const axon_model_desc *unused,
                         const ir_model *ir)
{
    (void)unused;
    char *tmp;
    if (asprintf(&tmp, "%s.tmp", path) < 0)
        return false;
    FILE *f = fopen(tmp, "w");
    if (!f) {
        free(tmp);
        return false;
    }
    fprintf(f, "/* Generated by axon build from module %s. Link with -laxonrt -lm. */\n", ir->module);
    fprintf(f, "#ifndef AXON_MODEL_%s_H\n#define AXON_MODEL_%s_H\n\n", symbol, symbol);
    fprintf(f, "#include <axon/model.h>\n\n");
    fprintf(f, "/* populations: */\n");
    for (int i = 0; i < ir->npops; i++)
        fprintf(f, "/*   %d: %s = %s[%d] */\n", i, ir->pops[i].name, ir->pops[i].type_name,
                ir->pops[i].size);
    fprintf(f, "\n#ifdef __cplusplus\nextern \"C\" {\n#endif\n\n");
    fprintf(f, "extern const axon_model_desc %s;\n\n", symbol);
    fprintf(f, "#ifdef __cplusplus\n}\n#endif\n\n#endif\n");
    bool ok = fclose(f) == 0 && rename(tmp, path) == 0;
    if (!ok)
        remove(tmp);
    free(tmp);
    return ok;
}

static int cmd_build(int argc, char **argv)
{
    run_opts o = {.dt = 1e-4, .threads = 1, .precision = 8, .opt = 3};
    const char *out = NULL, *emit = NULL, *symbol = "axon_model";
    for (int i = 1; i < argc;) {
        int used = run_option("build", &o, argc, argv, i);
        if (used == -2)
            return EXIT_USAGE;
        if (used > 0) {
            i += used;
            continue;
        }
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "-o") || !strcmp(a, "--emit") || !strcmp(a, "--symbol")) {
            if (!v)
                return usage_error("build", "%s needs a value", a);
            if (a[1] == 'o')
                out = v;
            else if (a[2] == 'e')
                emit = v;
            else
                symbol = v;
            i += 2;
            continue;
        }
        if (a[0] == '-' && a[1])
            return usage_error("build", "unknown option '%s'", a);
        if (o.file)
            return usage_error("build", "unexpected argument '%s'", a);
        o.file = argv[i++];
    }
    if (!o.file)
        return usage_error("build", "%smissing model file", "");
    if (!out)
        return usage_error("build", "%smissing -o OUTPUT", "");
    if (!emit) {
        size_t l = strlen(out);
        emit = l > 2 && !strcmp(out + l - 2, ".o") ? "obj" : l > 3 && !strcmp(out + l - 3, ".so")
                                                                 ? "shared" : "exe";
    }
    if (strcmp(emit, "obj") && strcmp(emit, "shared") && strcmp(emit, "exe"))
        return usage_error("build", "--emit is obj, shared or exe, not '%s'", emit);
    for (const char *p = symbol; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || *p == '_' ||
              (p > symbol && *p >= '0' && *p <= '9')))
            return usage_error("build", "--symbol must be a C identifier, not '%s'", symbol);
    model m;
    if (!load_model(&m, "build", o.file, false)) {
        free_model(&m);
        return EXIT_USAGE;
    }
    int status = EXIT_DIAG;
    ir_model *ir = NULL;
    if (!diag_error_count(m.d))
        ir = ir_instantiate(m.s, m.root, o.module, o.sets, o.nsets, o.dt);
    if (ir && ir_schemes(m.s, ir)) {
        if (o.duration > 0)
            ir->duration = o.duration;
        cg_opts co = {o.precision, o.opt, true, symbol, !strcmp(emit, "exe")};
        char obj[4300];
        if (!strcmp(emit, "obj"))
            snprintf(obj, sizeof obj, "%s", out);
        else
            snprintf(obj, sizeof obj, "%s.tmp-%d.o", out, (int)getpid());
        if (cg_emit_object(ir, &co, m.d, obj)) {
            status = EXIT_OK;
            const char *lib = runtime_libdir();
            char lflag[4400], rpath[4400], tmpout[4400];
            snprintf(lflag, sizeof lflag, "-L%s", lib);
            snprintf(rpath, sizeof rpath, "-Wl,-rpath,%s", lib);
            snprintf(tmpout, sizeof tmpout, "%s.tmp-%d", out, (int)getpid());
            const char *cc = getenv("CC") && *getenv("CC") ? getenv("CC") : "cc";
            if (!strcmp(emit, "obj")) {
                char hdr[4400];
                size_t l = strlen(out);
                snprintf(hdr, sizeof hdr, "%.*s.h", (int)(l > 2 && !strcmp(out + l - 2, ".o") ? l - 2 : l), out);
                if (!write_header(hdr, symbol, NULL, ir)) {
                    fprintf(stderr, "axon build: cannot write '%s'\n", hdr);
                    status = EXIT_DIAG;
                } else if (!o.quiet) {
                    printf("wrote %s and %s (link with -L%s -laxonrt -lm; headers in %s)\n", out,
                           hdr, lib, runtime_includedir());
                }
            } else {
                bool shared = !strcmp(emit, "shared");
                char *args[32];
                int n = 0;
                args[n++] = (char *)cc;
                /* a sanitizer build of libaxonrt needs the sanitizer runtime in the program */
                char san[] = AXON_LINK_SAN;
                char *save = NULL;
                for (char *tok = strtok_r(san, " ", &save); tok && n < 20;
                     tok = strtok_r(NULL, " ", &save))
                    args[n++] = tok;
                if (shared)
                    args[n++] = "-shared";
                args[n++] = "-o";
                args[n++] = tmpout;
                args[n++] = obj;
                args[n++] = lflag;
                args[n++] = rpath;
                if (!shared)
                    args[n++] = "-laxonexe";
                args[n++] = "-laxonrt";
                args[n++] = "-lm";
                args[n] = NULL;
                if (!run_program(args) || rename(tmpout, out) != 0) {
                    remove(tmpout);
                    status = EXIT_DIAG;
                } else if (!o.quiet) {
                    printf("wrote %s (%s)\n", out, shared ? "shared library" : "executable");
                }
                remove(obj);
            }
        }
    }
    diag_render(m.d, stderr, diag_flags(stderr, false));
    free_model(&m);
    for (int k = 0; k < o.nsets; k++)
        free((char *)o.sets[k].name);
    return status;
}

/* ---- help ---------------------------------------------------------------------------- */


static int cmd_help(int argc, char **argv);

static const command COMMANDS[] = {
    {"check", cmd_check, "check model files for errors",
     "usage: axon check [--brief] [-Werror] [--syntax-only] [--explain-units] FILE...\n"
     "\n"
     "Parses and checks each FILE and prints every problem found as\n"
     "  file:line:col: error: message\n"
     "followed by the source line and a caret under the mistake.\n"
     "\n"
     "options:\n"
     "  --brief    one line per diagnostic, without the source excerpt\n"
     "  -Werror    treat warnings as errors\n"
     "  --syntax-only\n"
     "             parse only: report syntax errors, skip names, units and imports\n"
     "  --explain-units\n"
     "             list every declared quantity of every neuron, synapse and rule\n"
     "             with its unit\n"
     "\n"
     "exit status: 0 no errors, 1 errors found, 2 usage error or unreadable file\n"},
    {"run", cmd_run, "compile a model and simulate it",
     "usage: axon run FILE [options]\n"
     "\n"
     "Compiles the model to native code and simulates it. Without -m the file's\n"
     "'run' module (or its only module) runs, for the 'run ... for' duration.\n"
     "\n"
     "options:\n"
     "  -m, --module NAME      the module to run\n"
     "  --set NAME=VALUE       override a module parameter (repeatable): --set N=8000 --set 'w=2 nS'\n"
     "  --signal NAME=NUMBER   pin a module signal (a rule's modulator) to a value for the run\n"
     "  --grain N              work (neuron updates, synaptic events) per thread for a step to\n"
     "                         run in parallel; 1: every step (default: measured)\n"
     "  -t, --time DURATION    model time to simulate, e.g. 1s, '500 ms'\n"
     "  --dt STEP              the time step (default 0.1 ms)\n"
     "  -o, --output DIR       write the recordings (NPY files and manifest.json) into DIR;\n"
     "                         written atomically: a failed run leaves DIR as it was\n"
     "  --seed N               random seed (default 0); same seed, same results\n"
     "  --threads N            worker threads (results are identical for any N)\n"
     "  --precision P          single or double (default double)\n"
     "  -O0 .. -O3             optimisation level (default -O3)\n"
     "  -q, --quiet            no progress bar and no summary\n"
     "\n"
     "A progress bar is shown on a terminal; the summary lists neurons, spikes and\n"
     "mean rates per population, compile time, run time and real-time factor.\n"},
    {"build", cmd_build, "compile a model to an object, a shared library or an executable",
     "usage: axon build FILE -o OUTPUT [--emit obj|shared|exe] [options]\n"
     "\n"
     "Compiles the model ahead of time for this machine's CPU.\n"
     "  --emit obj      OUTPUT (.o) and a header OUTPUT.h declaring the model\n"
     "                  descriptor (an axon_model_desc, see <axon/model.h>) to run\n"
     "                  with libaxonrt (<axon/axon.h>) from your own C program\n"
     "  --emit shared   a shared library exporting the descriptor\n"
     "  --emit exe      a standalone program; it takes -t, -o, --seed, --threads, -q\n"
     "The default follows OUTPUT's extension: .o, .so, else an executable.\n"
     "\n"
     "options (as for axon run): -m MODULE, --set NAME=VALUE, -t DURATION (the\n"
     "default run length), --dt STEP, --precision single|double, -O0..-O3, -q;\n"
     "  --symbol NAME   the descriptor's name (default axon_model), so that several\n"
     "                  models can be linked into one program\n"
     "Linking uses the C compiler driver ($CC or cc) with libaxonrt.\n"},
    {"dump", cmd_dump, "print the compiler's view of a model",
     "usage: axon dump WHAT FILE [--spans] [-m MODULE] [--set NAME=VALUE]...\n"
     "\n"
     "WHAT is one of:\n"
     "  tokens   the token stream, with the separators the newline rules insert\n"
     "  ast      the syntax tree (with --spans: the source span of every node)\n"
     "  units    every declared quantity with its unit\n"
     "  llvm     the optimised LLVM IR of the generated kernels (--precision single|double)\n"
     "  ir       the instantiated model: populations, state layout, the chosen\n"
     "           integration scheme and the discrete update of one step,\n"
     "           projections, signals and records. -m picks the module (default:\n"
     "           the file's 'run' module, or its only module); --set overrides a\n"
     "           module parameter, e.g. --set N=400 --set 'w=2 nS'\n"},
    {"help", cmd_help, "show help for a command", "usage: axon help [COMMAND]\n"},
};

enum { NCOMMANDS = sizeof COMMANDS / sizeof COMMANDS[0] };

static void general_help(FILE *out)
{
    fprintf(out,
            "usage: axon COMMAND [ARGS...]\n"
            "\n"
            "Axon compiles models of neurons, synapses, learning rules and networks.\n"
            "\n"
            "commands:\n");
    for (int i = 0; i < NCOMMANDS; i++)
        fprintf(out, "  %-8s %s\n", COMMANDS[i].name, COMMANDS[i].summary);
    fprintf(out, "\n'axon help COMMAND' describes one command. 'axon --version' prints the version.\n");
}

static int cmd_help(int argc, char **argv)
{
    if (argc < 2) {
        general_help(stdout);
        return EXIT_OK;
    }
    for (int i = 0; i < NCOMMANDS; i++)
        if (!strcmp(argv[1], COMMANDS[i].name)) {
            fputs(COMMANDS[i].usage, stdout);
            return EXIT_OK;
        }
    return usage_error("help", "unknown command '%s'", argv[1]);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        general_help(stderr);
        return EXIT_USAGE;
    }
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))
        return cmd_help(1, argv);
    if (!strcmp(argv[1], "--version")) {
        printf("axon %s\n", PACKAGE_VERSION);
        return EXIT_OK;
    }
    for (int i = 0; i < NCOMMANDS; i++)
        if (!strcmp(argv[1], COMMANDS[i].name)) {
            for (int j = 2; j < argc; j++)
                if (!strcmp(argv[j], "--help") || !strcmp(argv[j], "-h")) {
                    fputs(COMMANDS[i].usage, stdout);
                    return EXIT_OK;
                }
            return COMMANDS[i].fn(argc - 1, argv + 1);
        }
    return usage_error(NULL, "unknown command '%s'", argv[1]);
}
