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
#include "lower/ir.h"
#include "parser.h"
#include "sema/sema.h"
#include "util.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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
        } else if (!strcmp(argv[i], "--set")) {
            if (++i == argc || !strchr(argv[i], '=') || argv[i][0] == '=')
                return usage_error("dump", "--set needs NAME=VALUE, not '%s'", i < argc ? argv[i] : "");
            if (nsets == 64)
                return usage_error("dump", "%stoo many --set options", "");
            char *eq = strchr(argv[i], '=');
            *eq = 0;
            sets[nsets++] = (ir_override){argv[i], eq + 1};
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
    if (strcmp(what, "ast") && strcmp(what, "tokens") && strcmp(what, "units") && strcmp(what, "ir"))
        return usage_error("dump", "cannot dump '%s' (choose ast, tokens, units or ir)", what);
    if (!path)
        return usage_error("dump", "%smissing input file", "");
    if (!strcmp(what, "units") || !strcmp(what, "ir")) {
        model m;
        if (!load_model(&m, "dump", path, false))
            return EXIT_USAGE;
        if (!diag_error_count(m.d)) {
            if (!strcmp(what, "units")) {
                sm_dump_units(m.s, stdout);
            } else {
                ir_model *ir = ir_instantiate(m.s, m.root, module, sets, nsets, 1e-4);
                if (ir && ir_schemes(m.s, ir))
                    ir_dump(ir, stdout);
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

/* ---- help ---------------------------------------------------------------- */

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
    {"dump", cmd_dump, "print the compiler's view of a model",
     "usage: axon dump WHAT FILE [--spans] [-m MODULE] [--set NAME=VALUE]...\n"
     "\n"
     "WHAT is one of:\n"
     "  tokens   the token stream, with the separators the newline rules insert\n"
     "  ast      the syntax tree (with --spans: the source span of every node)\n"
     "  units    every declared quantity with its unit\n"
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
