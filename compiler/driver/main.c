/*
 * The `axon` command: the only part of Axon that prints and exits. Each subcommand parses its
 * options, drives the compiler library (<axon/axonc.h>) and the runtime (<axon/axon.h>,
 * <axon/exe.h>), prints the diagnostics the library delivers and picks the exit status:
 *   0  success, no errors
 *   1  the model has errors (diagnostics were printed), or the run failed
 *   2  usage error (bad option, bad value, unreadable input file)
 * The pipeline itself (load, check, instantiate, compile) lives in the library, once.
 */
#include "config.h"

#include "axon/analysis.h"
#include "axon/axon.h"
#include "axon/axonc.h"
#include "axon/exe.h"
#ifdef HAVE_REPL
#include "repl/repl.h"
#endif
#ifdef HAVE_LSP
#include "lsp/lsp.h"
#endif

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

enum { EXIT_OK = 0, EXIT_DIAG = 1, EXIT_USAGE = 2 };

typedef struct {
    const char *name;
    int (*fn)(int argc, char **argv);
    const char *summary;
    const char *usage;
} command;

static int usage_error(const char *cmd, const char *fmt, const char *arg)
{
    fprintf(stderr, "axon%s%s: ", cmd ? " " : "", cmd ? cmd : "");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\nTry 'axon help%s%s' for more information.\n", cmd ? " " : "",
            cmd ? cmd : "");
    return EXIT_USAGE;
}

/* ---- diagnostics ------------------------------------------------------------------------- */

static void print_diag(void *user, const axonc_diag *d)
{
    int flags = *(const int *)user;
    char *text = axonc_diag_render(d, flags);
    if (text)
        fputs(text, stderr);
    free(text);
}

static int render_flags(bool brief)
{
    int flags = brief ? AXONC_RENDER_BRIEF : 0;
    const char *nc = getenv("NO_COLOR");
    if (isatty(fileno(stderr)) && !(nc && *nc))
        flags |= AXONC_RENDER_COLOR;
    return flags;
}

/* The options every subcommand shares: diagnostics on stderr, the stdlib and import path from
 * the environment ($AXON_STDLIB, $AXON_PATH), the C compiler from $CC, the runtime from
 * $AXON_LIBDIR. */
static axonc_session *new_session(axonc_options o, const int *flags)
{
    o.on_diag = print_diag;
    o.user = (void *)flags;
    o.stdlib_dir = getenv("AXON_STDLIB");
    o.import_path = getenv("AXON_PATH");
    o.cc = getenv("CC");
    o.runtime_libdir = getenv("AXON_LIBDIR");
    axonc_session *s = axonc_session_new(&o);
    if (!s)
        fprintf(stderr, "axon: out of memory\n");
    return s;
}

/* Loads a file; false after a usage error (unreadable file). *status becomes EXIT_DIAG when
 * the file has errors. */
static bool load(axonc_session *s, const char *cmd, const char *path, axonc_unit **u,
                 bool syntax_only)
{
    axonc_status st = syntax_only ? axonc_parse_file(s, path, u) : axonc_load_file(s, path, u);
    if (st == AXONC_EIO || st == AXONC_EINVAL || st == AXONC_ENOMEM) {
        fprintf(stderr, "axon %s: %s\n", cmd, axonc_session_error(s));
        return false;
    }
    return true;
}

/* ---- options of the compiler ------------------------------------------------------------- */

typedef struct {
    const char *file;
    axonc_options copts;
    axonc_instance_opts iopts;
    axonc_override sets[64];
    char setbuf[64][256];
    const char *settext[64]; /* each --set as written */
    const char *target_cpu;
} compile_opts;

/* Parses a compiler option (-m, --set, --dt, --precision, --synapse-precision, -O0..3,
 * --target-cpu) at argv[i].
 * Returns the arguments used, 0 when it is not one, -1 after a usage error. */
static int compile_option(const char *cmd, compile_opts *o, axonc_session *parser, int argc,
                          char **argv, int i)
{
    const char *a = argv[i];
    if (a[0] == '-' && a[1] == 'O' && a[2] >= '0' && a[2] <= '3' && !a[3]) {
        o->copts.opt_level = a[2] == '0' ? -1 : a[2] - '0';
        return 1;
    }
    bool known = !strcmp(a, "-m") || !strcmp(a, "--module") || !strcmp(a, "--set") ||
                 !strcmp(a, "--dt") || !strcmp(a, "--precision") ||
                 !strcmp(a, "--synapse-precision") || !strcmp(a, "--target-cpu");
    if (!known)
        return 0;
    const char *v = i + 1 < argc ? argv[i + 1] : NULL;
    if (!v) {
        usage_error(cmd, "%s needs a value", a);
        return -1;
    }
    if (!strcmp(a, "-m") || !strcmp(a, "--module")) {
        o->iopts.module = v;
    } else if (!strcmp(a, "--set")) {
        if (o->iopts.nset == 64) {
            usage_error(cmd, "%stoo many --set options", "");
            return -1;
        }
        int k = o->iopts.nset;
        if (axonc_parse_override(parser, v, &o->sets[k], o->setbuf[k], sizeof o->setbuf[k]) !=
            AXONC_OK) {
            fprintf(stderr, "axon %s: --set %s\nTry 'axon help %s' for more information.\n", cmd,
                    axonc_session_error(parser), cmd);
            return -1;
        }
        for (int j = 0; j < k; j++)
            if (!strcmp(o->sets[j].name, o->sets[k].name)) {
                usage_error(cmd, "--set %s is given twice", o->sets[k].name);
                return -1;
            }
        o->settext[k] = v;
        o->iopts.nset++;
    } else if (!strcmp(a, "--dt")) {
        double dt = axon_exe_parse_time(v);
        if (!(dt > 0) || dt > 0.01) {
            usage_error(cmd, "--dt needs a time step like '0.1 ms' (at most 10 ms); not '%s'", v);
            return -1;
        }
        o->iopts.dt = dt;
    } else if (!strcmp(a, "--precision")) {
        if (strcmp(v, "single") && strcmp(v, "double")) {
            usage_error(cmd, "--precision is single or double, not '%s'", v);
            return -1;
        }
        o->copts.precision = !strcmp(v, "single") ? 4 : 8;
    } else if (!strcmp(a, "--synapse-precision")) {
        if (strcmp(v, "single") && strcmp(v, "double")) {
            usage_error(cmd, "--synapse-precision is single or double, not '%s'", v);
            return -1;
        }
        o->copts.synapse_precision = !strcmp(v, "single") ? 4 : 8;
    } else {
        if (!axonc_target_cpu_known(v)) {
            usage_error(cmd, "--target-cpu: '%s' is not a CPU code can be generated for here "
                        "(try x86-64, x86-64-v2, x86-64-v3, x86-64-v4 or a CPU name such as znver3)",
                        v);
            return -1;
        }
        o->copts.target_cpu = v;
    }
    return 2;
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
        return usage_error("check", "no input files%s", "");
    int flags = render_flags(brief);
    axonc_session *s = new_session((axonc_options){.werror = werror}, &flags);
    if (!s)
        return EXIT_DIAG;
    int status = EXIT_OK;
    for (int i = 1; i < argc; i++) {
        if (argv[i][0] == '-' && argv[i][1])
            continue;
        axonc_unit *u = NULL;
        if (!load(s, "check", argv[i], &u, syntax)) {
            status = EXIT_USAGE;
            continue;
        }
        bool bad = syntax ? axonc_error_count(s) > 0 : axonc_check(u) != AXONC_OK;
        if (bad && status == EXIT_OK)
            status = EXIT_DIAG;
        char *text = NULL;
        if (units && !bad && axonc_dump_unit(u, AXONC_DUMP_UNITS, &text) == AXONC_OK)
            fputs(text, stdout);
        free(text);
        axonc_unit_free(u);
    }
    axonc_session_free(s);
    return status;
}

/* ---- axon dump -------------------------------------------------------- */

static int cmd_dump(int argc, char **argv)
{
    bool spans = false;
    const char *what = NULL;
    compile_opts o = {0};
    int flags = render_flags(false);
    axonc_session *parser = axonc_session_new(NULL);
    if (!parser)
        return EXIT_DIAG;
    int status = EXIT_OK;
    for (int i = 1; i < argc && status == EXIT_OK;) {
        int used = compile_option("dump", &o, parser, argc, argv, i);
        if (used < 0) {
            status = EXIT_USAGE;
        } else if (used > 0) {
            i += used;
            continue;
        } else if (!strcmp(argv[i], "--spans")) {
            spans = true;
        } else if (argv[i][0] == '-' && argv[i][1]) {
            status = usage_error("dump", "unknown option '%s'", argv[i]);
        } else if (!what) {
            what = argv[i];
        } else if (!o.file) {
            o.file = argv[i];
        } else {
            status = usage_error("dump", "unexpected argument '%s'", argv[i]);
        }
        i++;
    }
    axonc_session_free(parser);
    if (status != EXIT_OK)
        return status;
    if (!what)
        return usage_error("dump", "missing what to dump (ast, tokens, units, ir or llvm)%s", "");
    static const char *const WHAT[] = {"tokens", "ast", "units", "ir", "llvm"};
    int w = -1;
    for (int k = 0; k < 5; k++)
        if (!strcmp(what, WHAT[k]))
            w = k;
    if (w < 0)
        return usage_error("dump", "cannot dump '%s' (choose ast, tokens, units, ir or llvm)", what);
    if (!o.file)
        return usage_error("dump", "missing input file%s", "");
    axonc_session *s = new_session(o.copts, &flags);
    if (!s)
        return EXIT_DIAG;
    axonc_unit *u = NULL;
    char *text = NULL;
    if (!load(s, "dump", o.file, &u, w <= 1)) {
        status = EXIT_USAGE;
    } else if (w == 0) {
        axonc_dump_unit(u, AXONC_DUMP_TOKENS, &text);
    } else if (w == 1) {
        if (!axonc_error_count(s))
            axonc_dump_unit(u, spans ? AXONC_DUMP_AST_SPANS : AXONC_DUMP_AST, &text);
    } else if (w == 2) {
        if (axonc_check(u) == AXONC_OK)
            axonc_dump_unit(u, AXONC_DUMP_UNITS, &text);
    } else {
        o.iopts.set = o.sets;
        axonc_instance *in = NULL;
        if (axonc_instantiate(u, &o.iopts, &in) == AXONC_OK)
            axonc_dump_instance(in, w == 3 ? AXONC_DUMP_IR : AXONC_DUMP_LLVM, &text);
        axonc_instance_free(in);
    }
    if (text)
        fputs(text, stdout);
    free(text);
    if (status == EXIT_OK && axonc_error_count(s))
        status = EXIT_DIAG;
    axonc_unit_free(u);
    axonc_session_free(s);
    return status;
}

/* ---- axon run and axon build: the shared front half ---------------------------------------- */

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Loads, checks and instantiates o->file. Returns the exit status; on EXIT_OK *in is the
 * instance (freed with the session). */
static int instantiate(axonc_session *s, const char *cmd, compile_opts *o, axonc_instance **in)
{
    axonc_unit *u = NULL;
    if (!load(s, cmd, o->file, &u, false))
        return EXIT_USAGE;
    o->iopts.set = o->sets;
    if (axonc_instantiate(u, &o->iopts, in) != AXONC_OK)
        return axonc_error_count(s) ? EXIT_DIAG : (fprintf(stderr, "axon %s: %s\n", cmd,
                                                           axonc_session_error(s)), EXIT_DIAG);
    return EXIT_OK;
}

/* ---- axon run ------------------------------------------------------------------------ */

/* Resuming, the checkpoint's values replace the parameters' (its run may have changed them),
 * so a population's or projection's parameter that --set compiled in is set again after the
 * restore, as an executable sets it: its run-time names in desc (a projection group's `P.w` is
 * `P.E_E.w`, `P.E_F.w`), as "NAME=VALUE" texts in *texts (freed by the caller) that ro->sets
 * points at. Module parameters build the model, which must be the checkpoint's. */
static int sets_after_restore(const compile_opts *o, const axon_model_desc *desc, axon_exe_opts *ro,
                              char (**texts)[320])
{
    *texts = calloc(AXON_EXE_MAX_SETS, sizeof **texts);
    if (!*texts)
        return fprintf(stderr, "axon run: out of memory\n"), EXIT_DIAG;
    for (int k = 0; k < o->iopts.nset; k++) {
        const char *name = o->sets[k].name, *dot = strrchr(name, '.');
        const char *value = strchr(o->settext[k], '=') + 1;
        if (!dot)
            continue;
        size_t pre = (size_t)(dot - name);
        for (uint32_t q = 0; q < desc->nparams; q++) {
            const char *pn = desc->params[q].name, *last = strrchr(pn, '.');
            /* the name itself, or a pair of the group `name` names: PRE.PAIR.PARAM */
            bool same = !strcmp(pn, name) ||
                        (last && !strcmp(last, dot) && !strncmp(pn, name, pre) && pn[pre] == '.' &&
                         memchr(pn + pre + 1, '.', (size_t)(last - pn - pre - 1)) == NULL &&
                         last > pn + pre + 1);
            if (!same || (desc->params[q].flags & AXON_PARAM_FIXED))
                continue;
            if (ro->nsets == AXON_EXE_MAX_SETS)
                return usage_error("run", "%stoo many --set options", ""), EXIT_USAGE;
            snprintf((*texts)[ro->nsets], sizeof **texts, "%s=%s", pn, value);
            ro->sets[ro->nsets] = (*texts)[ro->nsets];
            ro->nsets++;
        }
    }
    return EXIT_OK;
}

static int cmd_run(int argc, char **argv)
{
    compile_opts o = {0};
    axon_exe_opts ro = {0};
    axonc_session *parser = axonc_session_new(NULL);
    if (!parser)
        return EXIT_DIAG;
    int status = EXIT_OK;
    for (int i = 1; i < argc && status == EXIT_OK;) {
        int used = compile_option("run", &o, parser, argc, argv, i);
        if (used == 0) {
            char err[256];
            used = axon_exe_option(&ro, argc, argv, i, err, sizeof err);
            if (used < 0)
                usage_error("run", "%s", err);
        }
        if (used < 0) {
            status = EXIT_USAGE;
        } else if (used > 0) {
            i += used;
        } else if (argv[i][0] == '-' && argv[i][1]) {
            status = usage_error("run", "unknown option '%s'", argv[i]);
        } else if (o.file) {
            status = usage_error("run", "unexpected argument '%s' (one model file at a time)",
                                 argv[i]);
        } else {
            o.file = argv[i++];
        }
    }
    axonc_session_free(parser);
    if (status != EXIT_OK)
        return status;
    if (!o.file)
        return usage_error("run", "missing model file%s", "");
    double t0 = now_seconds();
    int flags = render_flags(false);
    axonc_session *s = new_session(o.copts, &flags);
    if (!s)
        return EXIT_DIAG;
    axonc_instance *in = NULL;
    const axon_model_desc *desc = NULL;
    status = instantiate(s, "run", &o, &in);
    if (status == EXIT_OK && axonc_jit(in, &desc) != AXONC_OK)
        status = EXIT_DIAG;
    ro.source = o.file; /* provenance for the manifest: the command line from "axon" on */
    ro.argc = argc + 1;
    ro.argv = argv - 1;
    char(*again)[320] = NULL;
    if (status == EXIT_OK && ro.resume)
        status = sets_after_restore(&o, desc, &ro, &again);
    if (status == EXIT_OK)
        status = axon_exe_simulate("axon run", desc, &ro, now_seconds() - t0);
    free(again);
    axonc_session_free(s);
    return status;
}

/* ---- axon build ---------------------------------------------------------------------------- */

static int cmd_build(int argc, char **argv)
{
    compile_opts o = {0};
    axon_exe_opts ro = {0};
    const char *out = NULL, *emit = NULL, *symbol = "axon_model";
    axonc_session *parser = axonc_session_new(NULL);
    if (!parser)
        return EXIT_DIAG;
    int status = EXIT_OK;
    for (int i = 1; i < argc && status == EXIT_OK;) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        int used = compile_option("build", &o, parser, argc, argv, i);
        if (used == 0 && (!strcmp(a, "-t") || !strcmp(a, "--time") || !strcmp(a, "-q") ||
                          !strcmp(a, "--quiet"))) {
            char err[256];
            used = axon_exe_option(&ro, argc, argv, i, err, sizeof err);
            if (used < 0)
                usage_error("build", "%s", err);
        }
        if (used < 0) {
            status = EXIT_USAGE;
        } else if (used > 0) {
            i += used;
        } else if (!strcmp(a, "-o") || !strcmp(a, "--emit") || !strcmp(a, "--symbol")) {
            if (!v) {
                status = usage_error("build", "%s needs a value", a);
            } else {
                if (a[1] == 'o')
                    out = v;
                else if (a[2] == 'e')
                    emit = v;
                else
                    symbol = v;
                i += 2;
            }
        } else if (a[0] == '-' && a[1]) {
            status = usage_error("build", "unknown option '%s'", a);
        } else if (o.file) {
            status = usage_error("build", "unexpected argument '%s'", a);
        } else {
            o.file = argv[i++];
        }
    }
    axonc_session_free(parser);
    if (status != EXIT_OK)
        return status;
    if (!o.file)
        return usage_error("build", "missing model file%s", "");
    if (!out)
        return usage_error("build", "missing -o OUTPUT%s", "");
    if (!emit) {
        size_t l = strlen(out);
        emit = l > 2 && !strcmp(out + l - 2, ".o") ? "obj" : l > 3 && !strcmp(out + l - 3, ".so")
                                                                 ? "shared" : "exe";
    }
    axonc_emit_kind kind = !strcmp(emit, "obj") ? AXONC_EMIT_OBJECT
                         : !strcmp(emit, "shared") ? AXONC_EMIT_SHARED
                         : !strcmp(emit, "exe") ? AXONC_EMIT_EXE : (axonc_emit_kind)-1;
    if ((int)kind < 0)
        return usage_error("build", "--emit is obj, shared or exe, not '%s'", emit);
    for (const char *p = symbol; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || *p == '_' ||
              (p > symbol && *p >= '0' && *p <= '9')))
            return usage_error("build", "--symbol must be a C identifier, not '%s'", symbol);
    int flags = render_flags(false);
    axonc_session *s = new_session(o.copts, &flags);
    if (!s)
        return EXIT_DIAG;
    axonc_instance *in = NULL;
    status = instantiate(s, "build", &o, &in);
    if (status == EXIT_OK) {
        axonc_emit_opts eo = {symbol, ro.duration, NULL};
        if (axonc_emit(in, kind, out, &eo) != AXONC_OK) {
            if (!axonc_error_count(s))
                fprintf(stderr, "axon build: %s\n", axonc_session_error(s));
            status = EXIT_DIAG;
        } else if (!ro.quiet) {
            if (kind == AXONC_EMIT_OBJECT) {
                size_t l = strlen(out);
                printf("wrote %s and %.*s.h (link with -laxonrt -lm)\n", out,
                       (int)(l > 2 && !strcmp(out + l - 2, ".o") ? l - 2 : l), out);
            } else {
                printf("wrote %s (%s)\n", out,
                       kind == AXONC_EMIT_SHARED ? "shared library" : "executable");
            }
        }
    }
    axonc_session_free(s);
    return status;
}

/* ---- axon analyze -------------------------------------------------------------------------- */

/* The SI unit of an analysis parameter that has one (docs/analysis.md), else NULL. */
static const char *param_unit(const char *name)
{
    static const char *const TIMES[] = {"rate_bin", "smooth",  "count_bin", "lvr_R",
                                        "sttc_dt",  "chi_tau", "lz_bin"};
    for (size_t k = 0; k < sizeof TIMES / sizeof *TIMES; k++)
        if (!strcmp(name, TIMES[k]))
            return "s";
    return !strcmp(name, "max_rate") || !strcmp(name, "freq_res") ? "Hz" : NULL;
}

static int cmd_analyze(int argc, char **argv)
{
    const char *dir = NULL, *out = NULL;
    double t0 = 0, t1 = -1;
    bool quiet = false;
    axon_analysis_opts ao = {0};
    axon_err err;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "-q") || !strcmp(a, "--quiet")) {
            quiet = true;
        } else if (!strcmp(a, "--param")) {
            const char *eq = v ? strchr(v, '=') : NULL;
            char name[64], *end = NULL;
            double x = eq ? strtod(eq + 1, &end) : 0;
            if (!eq || eq == v || eq - v >= (long)sizeof name || !eq[1] || end == eq + 1)
                return usage_error("analyze", "--param needs NAME=VALUE, like pairs=5000 or "
                                   "count_bin=5ms; not '%s'", v ? v : "");
            snprintf(name, sizeof name, "%.*s", (int)(eq - v), v);
            axon_analysis_opts probe = {0}; /* a name it knows, before its unit is read */
            if (axon_analysis_opt_set(&probe, name, 1, &err) != AXON_OK)
                return usage_error("analyze", "%s", err.msg);
            while (*end == ' ')
                end++;
            if (*end) { /* a unit: 5ms, 50 Hz */
                const char *want = param_unit(name);
                double scale = 1;
                char msg[256];
                if (!want || !axon_unit_convert(want, end, &scale)) {
                    if (!want)
                        snprintf(msg, sizeof msg,
                                 "--param %s: '%s' is a count or a seed: give a "
                                 "plain number",
                                 v, name);
                    else
                        snprintf(msg, sizeof msg,
                                 "--param %s: '%s' is %s, and '%s' is not a "
                                 "unit of one",
                                 v, name, strcmp(want, "s") ? "a frequency" : "a time", end);
                    return usage_error("analyze", "%s", msg);
                }
                x *= scale;
            }
            if (axon_analysis_opt_set(&ao, name, x, &err) != AXON_OK)
                return usage_error("analyze", "%s", err.msg);
            i++;
        } else if (!strcmp(a, "--from") || !strcmp(a, "--to") || !strcmp(a, "-o")) {
            if (!v)
                return usage_error("analyze", "%s needs a value", a);
            i++;
            if (a[1] == 'o') {
                out = v;
                continue;
            }
            double t = !strcmp(v, "0") ? 0 : axon_exe_parse_time(v);
            if (!(t > 0) && strcmp(v, "0"))
                return usage_error("analyze", "expected a time like '500 ms' or 2s, not '%s'", v);
            if (a[2] == 'f')
                t0 = t;
            else
                t1 = t;
        } else if (a[0] == '-' && a[1]) {
            return usage_error("analyze", "unknown option '%s'", a);
        } else if (dir) {
            return usage_error("analyze", "unexpected argument '%s' (one directory at a time)", a);
        } else {
            dir = a;
        }
    }
    if (!dir)
        return usage_error("analyze", "missing recordings directory%s", "");
    if (t1 >= 0 && t1 <= t0) { /* known before reading a recording of any size */
        char w[96];
        snprintf(w, sizeof w, "--to %g s is not after --from %g s", t1, t0);
        return usage_error("analyze", "%s", w);
    }
    axon_recording *r = axon_recording_open(dir, &err);
    if (!r) {
        fprintf(stderr, "axon analyze: %s\n", err.msg);
        return EXIT_USAGE;
    }
    char *rdir = NULL;
    if (!out) {
        size_t n = strlen(dir) + sizeof "/report";
        rdir = malloc(n);
        if (rdir)
            snprintf(rdir, n, "%s/report", dir);
        out = rdir;
    }
    /* a report that cannot be written is found out before the analysis, not after it */
    if (!out || axon_sim_check_output(out, &err) != AXON_OK) {
        fprintf(stderr, "axon analyze: -o: %s\n", out ? err.msg : "out of memory");
        free(rdir);
        axon_recording_free(r);
        return out ? EXIT_USAGE : EXIT_DIAG;
    }
    int status = EXIT_OK;
    axon_analysis *an = axon_analyze(r, t0, t1, &ao, &err);
    if (!an) {
        fprintf(stderr, "axon analyze: %s\n", err.msg);
        status = EXIT_DIAG;
    } else {
        if (!quiet)
            fputs(axon_analysis_table(an), stdout);
        if (axon_analysis_write(an, out, &err) != AXON_OK) {
            fprintf(stderr, "axon analyze: %s\n", out ? err.msg : "out of memory");
            status = EXIT_DIAG;
        } else if (!quiet) {
            printf("report in %s/index.html (figures and analysis.json next to it)\n", out);
        }
    }
    free(rdir);
    axon_analysis_free(an);
    axon_recording_free(r);
    return status;
}

/* ---- axon fmt ------------------------------------------------------------------------------ */

/* The whole of f (malloc'd, *len bytes), or NULL. */
static char *read_all(FILE *f, size_t *len)
{
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap);
    while (buf) {
        n += fread(buf + n, 1, cap - n, f);
        if (n < cap)
            break;
        char *more = cap < ((size_t)1 << 30) ? realloc(buf, cap *= 2) : NULL;
        if (!more)
            free(buf);
        buf = more;
    }
    if (buf && ferror(f)) {
        free(buf);
        buf = NULL;
    }
    *len = n;
    return buf;
}

/* Replaces path by text, through a temporary file next to it, keeping its permissions; a
 * symbolic link stays one, and the file it names is replaced. */
static bool write_over(const char *given, const char *text)
{
    char *real = realpath(given, NULL);
    const char *path = real ? real : given;
    size_t n = strlen(path) + 16;
    char *tmp = malloc(n);
    if (!tmp) {
        free(real);
        return false;
    }
    snprintf(tmp, n, "%s.fmt-XXXXXX", path);
    int fd = mkstemp(tmp);
    FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
    bool good = f && fputs(text, f) >= 0;
    struct stat st;
    if (good && stat(path, &st) == 0)
        fchmod(fd, st.st_mode & 07777);
    good = f && fclose(f) == 0 && good;
    if (!f && fd >= 0)
        close(fd);
    good = good && rename(tmp, path) == 0;
    if (!good && fd >= 0)
        remove(tmp);
    free(tmp);
    free(real);
    return good;
}

static int cmd_fmt(int argc, char **argv)
{
    bool check = false;
    int nfiles = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--check"))
            check = true;
        else if (argv[i][0] == '-' && argv[i][1])
            return usage_error("fmt", "unknown option '%s'", argv[i]);
        else
            nfiles++;
    }
    if (!nfiles)
        return usage_error("fmt", "no input files (give '-' to format standard input)%s", "");
    int flags = render_flags(false);
    axonc_session *s = new_session((axonc_options){0}, &flags);
    if (!s)
        return EXIT_DIAG;
    int status = EXIT_OK;
    for (int i = 1; i < argc; i++) {
        const char *path = argv[i];
        if (path[0] == '-' && path[1])
            continue;
        bool std_in = !strcmp(path, "-");
        size_t len = 0;
        char *text = NULL;
        if (std_in && !(text = read_all(stdin, &len))) {
            fprintf(stderr, "axon fmt: cannot read the standard input: %s\n", strerror(errno));
            status = EXIT_USAGE;
            continue;
        }
        /* the model file's limit, and no open that waits on a FIFO */
        if (!std_in && axonc_read_file(s, path, &text, &len) != AXONC_OK) {
            fprintf(stderr, "axon fmt: %s\n", axonc_session_error(s));
            status = EXIT_USAGE;
            continue;
        }
        char *out = NULL;
        axonc_status st = axonc_fmt(s, std_in ? "<stdin>" : path, text, len, &out);
        if (st != AXONC_OK) {
            if (st != AXONC_EDIAG)
                fprintf(stderr, "axon fmt: %s\n", axonc_session_error(s));
            if (status == EXIT_OK)
                status = EXIT_DIAG;
        } else if (check) {
            if (strlen(out) != len || memcmp(out, text, len)) {
                printf("%s\n", std_in ? "<stdin>" : path);
                if (status == EXIT_OK)
                    status = EXIT_DIAG;
            }
        } else if (std_in) {
            fputs(out, stdout);
        } else if ((strlen(out) != len || memcmp(out, text, len)) && !write_over(path, out)) {
            fprintf(stderr, "axon fmt: cannot write '%s': %s\n", path, strerror(errno));
            status = EXIT_USAGE;
        }
        free(out);
        free(text);
    }
    axonc_session_free(s);
    return status;
}

/* ---- help ---------------------------------------------------------------------------- */


static int cmd_help(int argc, char **argv);

static int cmd_repl(int argc, char **argv)
{
#ifdef HAVE_REPL
    return repl_main(argc, argv);
#else
    (void)argc;
    (void)argv;
    fprintf(stderr, "axon repl: this axon was built without the REPL (configure --without-repl); "
                    "build it with libedit-dev and libffi-dev installed\n");
    return EXIT_USAGE;
#endif
}

static int cmd_lsp(int argc, char **argv)
{
#ifdef HAVE_LSP
    return lsp_main(argc, argv);
#else
    (void)argc;
    (void)argv;
    fprintf(stderr, "axon lsp: this axon was built without the language server (configure "
                    "--without-lsp); build it with libjson-c-dev installed\n");
    return EXIT_USAGE;
#endif
}

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
     "options of the compiler:\n"
     "  -m, --module NAME      the module to run\n"
     "  --set NAME=VALUE       override a module parameter (repeatable): --set N=8000 --set 'w=2 nS'\n"
     "  --dt STEP              the time step (default 0.1 ms)\n"
     "  --precision P          single or double (default double)\n"
     "  --synapse-precision P  single: store the synapse variables no handler writes\n"
     "                         (static weights, per-synapse constants) as float in a\n"
     "                         double model, 4 bytes each (default: the precision)\n"
     "  -O0 .. -O3             optimisation level (default -O3)\n"
     "  --target-cpu NAME      generate code for that CPU (x86-64, x86-64-v3, znver3, ...)\n"
     "                         instead of this machine's\n"
     "\n"
     "options of the run (also taken by executables from axon build):\n"
     "%RUN%"
     "\n"
     "A progress bar is shown on a terminal; the summary lists neurons, spikes and\n"
     "mean rates per population, compile time, run time and real-time factor.\n"},
    {"build", cmd_build, "compile a model to an object, a shared library or an executable",
     "usage: axon build FILE -o OUTPUT [--emit obj|shared|exe] [options]\n"
     "\n"
     "Compiles the model ahead of time for this machine's CPU (all its features),\n"
     "or with --target-cpu NAME for that CPU: x86-64-v3 runs on any machine of that\n"
     "level, x86-64 on every x86-64 machine (and under valgrind).\n"
     "  --emit obj      OUTPUT (.o) and a header OUTPUT.h declaring the model\n"
     "                  descriptor (an axon_model_desc, see <axon/model.h>) to run\n"
     "                  with libaxonrt (<axon/axon.h>) from your own C program\n"
     "  --emit shared   a shared library exporting the descriptor\n"
     "  --emit exe      a standalone program; it takes the run options of axon run\n"
     "                  and --set POP.NAME=VALUE (a parameter, set before the first\n"
     "                  step); PROGRAM --help lists them\n"
     "The default follows OUTPUT's extension: .o, .so, else an executable.\n"
     "\n"
     "options (as for axon run): -m MODULE, --set NAME=VALUE, -t DURATION (the\n"
     "default run length), --dt STEP, --precision single|double,\n"
     "--synapse-precision single|double, -O0..-O3,\n"
     "--target-cpu NAME, -q;\n"
     "  --symbol NAME   the descriptor's name (default axon_model), the only symbol\n"
     "                  the model exports and the prefix of all its local ones, so\n"
     "                  that several models can be linked into one program\n"
     "Linking uses the C compiler driver ($CC or cc) with libaxonrt.\n"},
    {"dump", cmd_dump, "print the compiler's view of a model",
     "usage: axon dump WHAT FILE [--spans] [-m MODULE] [--set NAME=VALUE]...\n"
     "\n"
     "WHAT is one of:\n"
     "  tokens   the token stream, with the separators the newline rules insert\n"
     "  ast      the syntax tree (with --spans: the source span of every node)\n"
     "  units    every declared quantity with its unit\n"
     "  llvm     the optimised LLVM IR of the generated kernels (--precision single|double,\n"
     "           --synapse-precision single|double, --target-cpu NAME as for\n"
     "           axon run)\n"
     "  ir       the instantiated model: populations, state layout, the chosen\n"
     "           integration scheme and the discrete update of one step,\n"
     "           projections, signals and records. -m picks the module (default:\n"
     "           the file's 'run' module, or its only module); --set overrides a\n"
     "           module parameter, e.g. --set N=400 --set 'w=2 nS'\n"},
    {"repl", cmd_repl, "an interactive session: define, run, look, change, run again",
     "usage: axon repl [FILE...] [-e CODE]... [-q]\n"
     "\n"
     "Loads the definitions of each FILE, then reads entries: definitions (neuron,\n"
     "synapse, rule, module, import), expressions with units (1 mV / 2 ms),\n"
     "simulations (sim = COBA(N = 1000)), values (sim.E.v[0:5]), assignments\n"
     "(tau = 10 ms, sim.E.v = -70 mV) and commands (:run sim 100 ms, :stats sim,\n"
     ":raster sim.E, :help). An entry goes on until its brackets close.\n"
     "\n"
     "On a terminal: line editing, history (~/.axon_history, or\n"
     "$XDG_STATE_HOME/axon/history), tab completion; errors never end the session.\n"
     "With -e, or with standard input not a terminal (axon repl < script.axr), there\n"
     "are no prompts and no colours, and the first error ends the session with exit\n"
     "status 1.\n"
     "\n"
     "options:\n"
     "  -e CODE    run CODE as an entry (repeatable), then leave\n"
     "  -q         no greeting\n"
     "\n"
     "See docs/repl.md.\n"},
    {"analyze", cmd_analyze, "analyse a recordings directory: statistics, figures, report",
     "usage: axon analyze DIR [--from T] [--to T] [--param NAME=VALUE]... [-o OUT] [-q]\n"
     "\n"
     "Reads the recordings written by axon run -o DIR and analyses every recorded\n"
     "population: rates, ISI CV, CV2, LV, LvR, Fano factors, count correlations,\n"
     "STTC, synchrony chi, Kuramoto order parameter, Lempel-Ziv complexity, the\n"
     "spectrum of the population rate, dead and hyperactive neurons, avalanches;\n"
     "recorded state and weights are described and drawn. Prints a table per\n"
     "population and writes OUT (default DIR/report): analysis.json, the figures\n"
     "(SVG) and index.html, a report to open in a browser. docs/analysis.md\n"
     "defines every number.\n"
     "\n"
     "options:\n"
     "  --from T, --to T   analyse the window (T_from, T_to] only, e.g. --from 200ms\n"
     "  --param NAME=VALUE set an analysis parameter (docs/analysis.md), e.g.\n"
     "                     --param count_bin=5ms --param pairs=5000\n"
     "  -o OUT             write the report into OUT\n"
     "  -q, --quiet        no table\n"
     "\n"
     "exit status: 0 done, 1 the analysis failed, 2 usage error or not a recording\n"},
    {"fmt", cmd_fmt, "lay out model files in the canonical style",
     "usage: axon fmt [--check] FILE...\n"
     "\n"
     "Rewrites each FILE in the canonical layout: 4-space indentation, one statement\n"
     "per line, spacing around operators and units, '=' lined up in parameter,\n"
     "state and equation blocks, one blank line around each definition. Comments\n"
     "stay where they were, and the meaning never changes (the file reads as the\n"
     "same tokens). A file with syntax errors is left alone (the errors are shown).\n"
     "FILE '-' reads standard input and writes the result to standard output.\n"
     "See docs/fmt.md.\n"
     "\n"
     "options:\n"
     "  --check    change nothing; list the files that would change\n"
     "\n"
     "exit status: 0 done (with --check: every file is formatted), 1 a file would\n"
     "change (--check) or has syntax errors, 2 usage error or unreadable file\n"},
    {"lsp", cmd_lsp, "the language server for editors (LSP over stdio)",
     "usage: axon lsp [--debounce MS]\n"
     "\n"
     "Speaks the Language Server Protocol on standard input and output, for\n"
     "editors (see editors/README.md): diagnostics as you type (the messages,\n"
     "hints and notes of axon check; those of an imported file on that file\n"
     "too), hover with units and doc comments, go to definition and find\n"
     "references (into the stdlib too), rename (of names defined in your\n"
     "files), completion, the outline, semantic tokens, and formatting as\n"
     "axon fmt does it. The stdlib is found as for axon check ($AXON_STDLIB).\n"
     "Libraries of extern functions are not loaded: their calls are checked\n"
     "for their arguments only.\n"
     "\n"
     "options:\n"
     "  --debounce MS   check a document this long after the last change (200)\n"
     "  --stdio         accepted and ignored (stdio is the only transport)\n"},
    {"help", cmd_help, "show help for a command", "usage: axon help [COMMAND]\n"},
};

enum { NCOMMANDS = sizeof COMMANDS / sizeof COMMANDS[0] };

/* A command's help; "%RUN%" stands for the run options (<axon/exe.h>). */
static void print_usage(const char *usage)
{
    const char *mark = strstr(usage, "%RUN%");
    if (!mark) {
        fputs(usage, stdout);
        return;
    }
    fwrite(usage, 1, (size_t)(mark - usage), stdout);
    fputs(axon_exe_options_help(), stdout);
    fputs(mark + 5, stdout);
}

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
            print_usage(COMMANDS[i].usage);
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
                    print_usage(COMMANDS[i].usage);
                    return EXIT_OK;
                }
            return COMMANDS[i].fn(argc - 1, argv + 1);
        }
    return usage_error(NULL, "unknown command '%s'", argv[1]);
}
