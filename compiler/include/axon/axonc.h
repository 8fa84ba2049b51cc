/*
 * axonc.h — the compiler as a library (libaxonc).
 *
 * One pipeline, used by the `axon` command, the tests and any program that compiles
 * models at run time:
 *
 *     axonc_session *s = axonc_session_new(&(axonc_options){.on_diag = show, .user = ui});
 *     axonc_unit *u;
 *     if (axonc_load_string(s, "<model>", text, len, &u) == AXONC_OK &&
 *         axonc_check(u) == AXONC_OK) {
 *         axonc_instance *in;
 *         axonc_override set[] = {{"N", 400, NULL}};
 *         if (axonc_instantiate(u, &(axonc_instance_opts){.set = set, .nset = 1}, &in) == AXONC_OK) {
 *             const axon_model_desc *m;
 *             if (axonc_jit(in, &m) == AXONC_OK) { ... axon_sim_new(m, ...) ... }
 *             axonc_instance_free(in);   (releases the JIT code: free simulations first)
 *         }
 *     }
 *     axonc_unit_free(u);
 *     axonc_session_free(s);
 *
 * Objects. A session holds the options and one JIT (ORC LLJIT); a unit is one loaded source
 * (a file or a string with its imports) with its syntax trees and checked definitions; an
 * instance is one module of a unit instantiated with its parameters (the flat model), which
 * can be compiled into the session's JIT (each instance's code is its own resource in the JIT:
 * freeing the instance removes it and releases its memory) or emitted as an object, a shared
 * library or an executable. Units and instances belong to the session that made them and must
 * be freed before it (axonc_session_free frees whatever is left).
 *
 * Diagnostics are records (axonc_diag) delivered to options.on_diag as they are found, in
 * source order within a phase; a group that repeats an earlier one exactly is delivered once.
 * axonc_diag_render turns one record into the text the `axon` command prints
 * (`file:line:col: error: message`, the source line, a caret, hints and notes). Records and
 * their strings are valid only during the callback.
 *
 * Status. Every function returns an axonc_status; AXONC_EDIAG means the model has errors (they
 * were delivered to on_diag). The message of the last failed call on a session is
 * axonc_session_error(); it is set by every failing call and cleared by every successful one.
 * NULL handles and bad arguments give AXONC_EINVAL, never a crash.
 *
 * Threads. Sessions are independent (no global state): two sessions may be used by two
 * threads at once. One session, and everything made from it, must be used by one thread at a
 * time. LLVM's native target is initialised once per process (pthread_once).
 */
#ifndef AXON_AXONC_H
#define AXON_AXONC_H

#include <stddef.h>
#include <stdint.h>

#include "axon/model.h"

#ifdef __cplusplus
extern "C" {
#endif

#define AXONC_API_VERSION 1

typedef enum {
    AXONC_OK = 0,
    AXONC_EDIAG = 1,    /* the model has errors: see the diagnostics */
    AXONC_EINVAL = 2,   /* a bad argument (NULL handle, unknown name, bad value) */
    AXONC_EIO = 3,      /* a file could not be read or written */
    AXONC_ENOMEM = 4,   /* out of memory */
    AXONC_ETOOL = 5,    /* the C compiler driver (linking) failed */
} axonc_status;

/* ---- diagnostics ------------------------------------------------------------------------- */

typedef enum { AXONC_ERROR = 0, AXONC_WARNING = 1, AXONC_NOTE = 2 } axonc_severity;

/* A place in a source file. file is NULL when there is none. Lines and columns are 1-based
 * (columns count characters); end_line/end_col point one past the end. line_text is the source
 * line `line` (line_len bytes, no newline, not NUL-terminated), for excerpts, and
 * [mark_begin, mark_end) the bytes of that line that the place covers. */
typedef struct {
    const char *file;
    int line, col, end_line, end_col;
    const char *line_text;
    int line_len;
    int mark_begin, mark_end;
} axonc_loc;

/* Something attached to a diagnostic, in the order it was given: a hint (no location) or a
 * note with a location of its own. */
typedef struct {
    int is_hint;
    axonc_loc loc;
    const char *message;
} axonc_note;

typedef struct {
    axonc_severity severity;
    axonc_loc loc;
    const char *message;
    int nnotes;
    const axonc_note *notes;
} axonc_diag;

typedef void (*axonc_diag_fn)(void *user, const axonc_diag *d);

enum {
    AXONC_RENDER_COLOR = 1, /* ANSI colours */
    AXONC_RENDER_BRIEF = 2, /* one line, no excerpt, hints and notes left out */
};
/* The text of one diagnostic as `axon check` prints it (malloc'd; the caller frees), or NULL
 * when out of memory. */
char *axonc_diag_render(const axonc_diag *d, int flags);

/* ---- sessions ------------------------------------------------------------------------------ */

typedef struct {
    int precision;            /* bytes per stored value: 4 (float) or 8 (double); 0 = 8 */
    int opt_level;            /* 1..3; 0 = 3 (the default); -1 = no optimisation (-O0) */
    const char *target_cpu;   /* NULL: this machine's CPU; an LLVM CPU name such as x86-64-v3 */
    const char *stdlib_dir;   /* where `import "std/..."` is found; NULL: the installed stdlib,
                                 then the source tree's (uninstalled builds) */
    const char *import_path;  /* colon-separated directories for other imports, or NULL */
    int werror;               /* warnings are errors */
    size_t memory_limit;      /* the most memory, in bytes, that the syntax trees, checked
                                 definitions and model IR of one unit may take; past it (or
                                 when malloc fails) a call gives AXONC_ENOMEM and the unit can
                                 only be freed. 0: no limit */
    axonc_diag_fn on_diag;    /* NULL: diagnostics are counted, not delivered */
    void *user;               /* passed to on_diag */
    /* linking (axonc_emit of shared libraries and executables) */
    const char *cc;           /* the C compiler driver, may hold arguments ("ccache gcc");
                                 NULL: "cc" */
    const char *runtime_libdir; /* where libaxonrt is; NULL: the installed libdir, else this
                                   build tree's */
    /* (issue 13) checking does not load the libraries of `extern` functions: they are
       declared without an address, their calls are checked for their arguments and never
       called, and a missing library or function is not reported. For checking files one does
       not trust (the language server); such a unit cannot be compiled (axonc_jit and
       axonc_emit give AXONC_EINVAL). */
    int no_extern_load;
    /* bytes per stored value of the synapse variables that no equation, handler, rule or
       structural update writes (static weights, per-synapse parameters and constants): 4
       stores them as float in a double-precision model (the kernels load and convert them,
       computing in double; plastic ones keep the precision); 0 or 8 = the precision */
    int synapse_precision;
} axonc_options;

/* Whether code can be generated for the CPU named name on this machine's architecture (for
 * options.target_cpu): on x86-64 the 64-bit CPUs LLVM knows, and x86-64, x86-64-v2/v3/v4. */
int axonc_target_cpu_known(const char *name);

typedef struct axonc_session axonc_session;
typedef struct axonc_unit axonc_unit;
typedef struct axonc_instance axonc_instance;

/* A session with options o (NULL: all defaults; the options are copied, strings too).
 * Returns NULL only when out of memory or when o holds a bad value (precision or
 * synapse_precision not 0, 4 or 8;
 * opt_level outside -1..3). */
axonc_session *axonc_session_new(const axonc_options *o);
/* Frees the session and every unit and instance still alive in it. NULL is a no-op. */
void axonc_session_free(axonc_session *s);
/* The message of the last failed call on s ("" after a success; a static string for NULL). */
const char *axonc_session_error(const axonc_session *s);

/* (issue 13) Imported files are read through fn first: fn(user, path, &len) returns the text
 * of the file at canonical path `path` (malloc'd; the library frees it) and its length, or
 * NULL to read the file from disk. For an editor's unsaved buffers (the language server).
 * NULL fn: files are read from disk. */
typedef char *(*axonc_read_fn)(void *user, const char *path, size_t *len);
void axonc_session_set_reader(axonc_session *s, axonc_read_fn fn, void *user);
/* Errors and warnings delivered so far by this session. */
int axonc_error_count(const axonc_session *s);
int axonc_warning_count(const axonc_session *s);

/* ---- loading and checking ------------------------------------------------------------------ */

/* Loads and parses a file and everything it imports. On AXONC_OK or AXONC_EDIAG (syntax or
 * import errors) *out is a unit the caller frees; on AXONC_EIO (unreadable file, with the
 * reason in axonc_session_error) and other errors *out is NULL. */
axonc_status axonc_load_file(axonc_session *s, const char *path, axonc_unit **out);
/* The same for source text (len bytes, need not be NUL-terminated) shown in diagnostics as
 * name ("<repl:3>"). Relative imports are looked up from the current directory. */
axonc_status axonc_load_string(axonc_session *s, const char *name, const char *text, size_t len,
                               axonc_unit **out);
/* Checks every definition (names, types, units), and instantiates every module of the root
 * file with its default parameters (so that module errors are found). AXONC_EDIAG when there
 * are errors, also for a unit that failed to load. Checking twice reports nothing new. */
axonc_status axonc_check(axonc_unit *u);
void axonc_unit_free(axonc_unit *u);

/* What a unit defines: its own definitions and those of its imports. */
typedef enum { AXONC_NEURON = 0, AXONC_SYNAPSE = 1, AXONC_RULE = 2, AXONC_MODULE = 3 } axonc_def_kind;

typedef enum {
    AXONC_PARAM = 0,      /* shared parameter (neurons, synapses, rules), or module parameter */
    AXONC_PARAM_EACH = 1, /* per-neuron / per-synapse parameter */
    AXONC_STATE = 2,      /* state variable */
    AXONC_INPUT = 3,      /* summed input */
} axonc_member_kind;

typedef struct {
    const char *name;
    axonc_member_kind kind;
    const char *unit;     /* the SI unit ("V", "S", "1"); NULL when not known (modules: the
                             unit of the default value, NULL when it has none) */
    int has_default;
    double default_si;    /* the default value in SI units, when it is a constant */
} axonc_member;

typedef struct {
    const char *name;
    axonc_def_kind kind;
    axonc_loc loc;        /* where it is defined */
    int nmembers;         /* parameters, state, inputs (neurons, synapses, rules); parameters
                             (modules); needs axonc_check first for neurons, synapses and rules */
} axonc_def;

/* Definitions, in the order they were loaded (imports first). */
int axonc_def_count(const axonc_unit *u);
axonc_status axonc_def_get(const axonc_unit *u, int i, axonc_def *out);
axonc_status axonc_def_member(const axonc_unit *u, int i, int k, axonc_member *out);
/* Index of the definition named name, or -1. */
int axonc_def_find(const axonc_unit *u, const char *name);

/* ---- instances ------------------------------------------------------------------------------ */

/* A parameter value: value in the given unit (NULL or "" for a number without a unit, "1" for
 * dimensionless). name is a module parameter ("N") or a population's parameter ("E.tau_m"). */
typedef struct {
    const char *name;
    double value;
    const char *unit;
    const char *text;  /* the value as the user wrote it, for messages; NULL: value and unit */
} axonc_override;

/* Parses "NAME=VALUE" as written on a command line (`--set w=2nS`, `--set N=4000`) into *out
 * (name and unit point into storage the caller provides: buf of size bytes). AXONC_EINVAL with
 * a message when it is not a name, '=', a finite number and an optional unit. */
axonc_status axonc_parse_override(axonc_session *s, const char *text, axonc_override *out,
                                  char *buf, size_t size);

typedef struct {
    const char *module;         /* NULL: the file's `run` module, else its only module */
    const axonc_override *set;  /* overrides on top of the `run` line's arguments */
    int nset;
    double dt;                  /* the time step in s; 0 = 0.1 ms */
    int call;                   /* how messages name an override: 0 as a command line's
                                   `--set NAME=VALUE`; nonzero as the arguments of a call,
                                   `MODULE(NAME = VALUE)` (the REPL) */
} axonc_instance_opts;

/* Instantiates a module of a checked unit (o may be NULL) and chooses the integration
 * schemes. AXONC_EDIAG on errors in the model or the overrides; *out is NULL then. */
axonc_status axonc_instantiate(axonc_unit *u, const axonc_instance_opts *o, axonc_instance **out);
/* The module's name and its default run length (`run ... for`, s; 0 if none). */
const char *axonc_instance_module(const axonc_instance *in);
double axonc_instance_duration(const axonc_instance *in);
/* Frees the instance and the JIT code compiled from it (descriptors from axonc_jit become
 * invalid: free the simulations that use them first). NULL is a no-op. */
void axonc_instance_free(axonc_instance *in);

/* Compiles the instance into the session's JIT (once; later calls return the same
 * descriptor). *desc lives until axonc_instance_free. */
axonc_status axonc_jit(axonc_instance *in, const axon_model_desc **desc);

typedef enum {
    AXONC_EMIT_OBJECT = 0, /* path (.o) and a header next to it (path without .o, plus .h) */
    AXONC_EMIT_SHARED = 1, /* a shared library */
    AXONC_EMIT_EXE = 2,    /* a standalone program (see <axon/exe.h>) */
} axonc_emit_kind;

typedef struct {
    const char *symbol;    /* the descriptor's name and the prefix of every symbol the model
                              defines; NULL: "axon_model" */
    double duration;       /* default run length of an executable, s; 0: the model's */
    const char *header;    /* AXONC_EMIT_OBJECT: the header's path; NULL: from path */
} axonc_emit_opts;

/* Writes the compiled instance to path, atomically (a failure leaves no file and no partial
 * output behind). Linking runs options.cc; its output is in the error message on failure. */
axonc_status axonc_emit(axonc_instance *in, axonc_emit_kind kind, const char *path,
                        const axonc_emit_opts *o);

/* ---- several sources and constant expressions (a REPL) ---------------------------------- */

typedef struct {
    const char *name;   /* shown in diagnostics ("<repl:3>") */
    const char *text;
    size_t len;
} axonc_source;

/* Loads n sources into one unit, in order, as if they were files of one program (each with
 * its imports): later sources see the definitions of earlier ones. Otherwise as
 * axonc_load_string. */
axonc_status axonc_load_sources(axonc_session *s, const axonc_source *src, int n,
                                axonc_unit **out);

/* A constant with its unit. */
typedef struct {
    double value;       /* in SI units */
    int is_bool;        /* a truth value (value 0 or 1) */
    char unit[64];      /* the SI unit ("V", "V/s", "1" for a plain number) */
    char quantity[40];  /* its name ("voltage"), or "" */
} axonc_value;

/* A name with a constant value for axonc_eval; unit is an SI unit as in axonc_value. */
typedef struct {
    const char *name;
    double value;
    const char *unit;
    int is_bool;
} axonc_binding;

/* Checks and evaluates the expression text (len bytes, shown in diagnostics as name) in a
 * loaded unit: numbers with units, arithmetic, functions, the bindings as names. AXONC_EDIAG
 * for a syntax, name or unit error, or an expression that is not a constant. */
axonc_status axonc_eval(axonc_unit *u, const char *name, const char *text, size_t len,
                        const axonc_binding *bindings, int nbindings, axonc_value *out);

/* Whether two units are the same unit ("V" and "kg*m^2*s^-3*A^-1"; "1", "" and NULL for plain
 * numbers); 0 also when either is not a unit. */
int axonc_same_unit(const char *a, const char *b);

/* The unit to show values of SI unit si_unit in, for values like typical: the unit a modeller
 * writes (mV, nS, ms) when the number reads well in it, else the SI unit itself ("" for plain
 * numbers). *scale is the SI value of one of it (1e-3 for mV). AXONC_EINVAL when si_unit is not
 * a unit or unit is too small. */
axonc_status axonc_display_unit(const char *si_unit, double typical, char *unit, size_t size,
                                double *scale);

/* Writes value (SI, of SI unit si_unit) as people read it: "-65 mV", "0.5 V/s", "4000",
 * "true" (is_bool). AXONC_EINVAL when si_unit is not a unit or buf is too small. */
axonc_status axonc_format(double value, const char *si_unit, int is_bool, char *buf,
                          size_t size);

/* ---- looking inside ------------------------------------------------------------------------- */

typedef enum {
    AXONC_DUMP_TOKENS = 0, /* the root file's tokens (needs only loading) */
    AXONC_DUMP_AST = 1,    /* the root file's syntax tree */
    AXONC_DUMP_AST_SPANS = 2,
    AXONC_DUMP_UNITS = 3,  /* every declared quantity with its unit (needs axonc_check) */
} axonc_unit_dump;
/* The text (malloc'd; the caller frees) in *out. */
axonc_status axonc_dump_unit(axonc_unit *u, axonc_unit_dump what, char **out);

typedef enum {
    AXONC_DUMP_IR = 0,   /* populations, schemes, the update of one step, projections, records */
    AXONC_DUMP_LLVM = 1, /* the optimised LLVM IR */
} axonc_instance_dump;
axonc_status axonc_dump_instance(axonc_instance *in, axonc_instance_dump what, char **out);

/* The text of a model file as axonc_parse_file reads it from the disk: at most 64 MiB (an
 * endless file such as /dev/zero is not read past the limit), through an open that does not wait
 * on a FIFO without a writer (which reads as empty). *text is malloc'd and NUL-terminated (the
 * caller frees), *len its length. AXONC_EIO with the reason in axonc_session_error ("cannot
 * read 'm.axon': larger than 64 MiB, the limit for a model file"). `axon fmt` and the REPL's
 * `:load` read their files so. */
axonc_status axonc_read_file(axonc_session *s, const char *path, char **text, size_t *len);

/* Parses one file alone, without its imports, names or units (`axon check --syntax-only`,
 * `axon dump tokens|ast`): like axonc_load_file otherwise, but the unit cannot be checked
 * (axonc_check gives AXONC_EINVAL). */
axonc_status axonc_parse_file(axonc_session *s, const char *path, axonc_unit **out);

/* ==== editors: the formatter and the language server's queries (issue 13) ==================== */

/* The canonical layout of a model file (`axon fmt`): text (len bytes, shown in diagnostics as
 * name) laid out as described in docs/fmt.md, with every comment where it was; the result parses
 * to exactly the same syntax tree. *out is the new text (malloc'd; the caller frees). AXONC_EDIAG
 * when the text has syntax errors (they were delivered: a file that does not parse is not
 * formatted), AXONC_EINVAL when the formatter could not keep the syntax tree (a bug; *out NULL). */
axonc_status axonc_fmt(axonc_session *s, const char *name, const char *text, size_t len,
                       char **out);

/* What a name in a unit's files is. The first four are the definitions of axonc_def_kind. */
typedef enum {
    AXONC_SYM_NEURON = 0, AXONC_SYM_SYNAPSE = 1, AXONC_SYM_RULE = 2, AXONC_SYM_MODULE = 3,
    AXONC_SYM_PARAM = 4,       /* a shared parameter of a neuron, synapse or rule */
    AXONC_SYM_PARAM_EACH = 5,  /* a per-neuron / per-synapse parameter */
    AXONC_SYM_STATE = 6,
    AXONC_SYM_INPUT = 7,
    AXONC_SYM_DEFINITION = 8,  /* `name = expr` in equations */
    AXONC_SYM_OUTPUT = 9,
    AXONC_SYM_MODULATOR = 10,
    AXONC_SYM_LET = 11,
    AXONC_SYM_MODULE_PARAM = 12,
    AXONC_SYM_POPULATION = 13,
    AXONC_SYM_PROJECTION = 14,
    AXONC_SYM_INSTANCE = 15,   /* a module inside a module */
    AXONC_SYM_SIGNAL = 16,
    AXONC_SYM_EXTERN = 17,     /* an extern C function */
    AXONC_SYM_FUNCTION = 18,   /* completion only: a function of the language */
    AXONC_SYM_UNIT = 19,       /* completion only: a unit symbol */
    AXONC_SYM_KEYWORD = 20,    /* completion only */
    AXONC_SYM_BUILTIN = 21,    /* completion only: t, dt, i, j, w */
    AXONC_SYM_FILE = 22,       /* completion only: an import path */
} axonc_symbol_kind;

/* A declared name. Strings live as long as the unit. */
typedef struct {
    const char *name;
    axonc_symbol_kind kind;
    axonc_loc loc;          /* the name where it is declared */
    axonc_loc extent;       /* the whole declaration (an outline's range) */
    int parent;             /* the symbol it belongs to (a parameter: its neuron), or -1 */
    int type;               /* a population: its neuron type; an instance: its module; a
                               projection: its synapse (symbol indices), else -1 */
    const char *signature;  /* the declaration as written, on one line ("tau_m = 20 ms") */
    const char *detail;     /* what it is ("parameter of neuron LIF: a time (ms)") */
    const char *doc;        /* its doc comment: the comment lines right above the declaration
                               and a comment at the end of its line, without '#'; or NULL */
    const char *unit;       /* the unit a value of it is shown in ("mV"), or NULL */
} axonc_symbol;

/* The names declared in a unit's files (its own and its imports'): definitions, their
 * members, lets, module items, extern functions. The index is built on the first call, from
 * whatever parsed; units are known for a unit that was checked (axonc_check) without
 * errors in the definition concerned. */
int axonc_symbol_count(axonc_unit *u);
axonc_status axonc_symbol_get(axonc_unit *u, int i, axonc_symbol *out);
/* The symbol named at a place of a file of the unit (file as in diagnostics, line and col
 * 1-based as in axonc_loc), or -1; *where (may be NULL) is that occurrence. */
int axonc_symbol_at(axonc_unit *u, const char *file, int line, int col, axonc_loc *where);
/* Where symbol sym is named: its declaration first, then every use, across the unit's files. */
int axonc_ref_count(axonc_unit *u, int sym);
axonc_status axonc_ref_get(axonc_unit *u, int sym, int k, axonc_loc *where, int *is_decl);

/* A possible completion; strings valid during the callback. */
typedef struct {
    const char *label;
    axonc_symbol_kind kind;
    const char *detail;     /* or NULL */
} axonc_completion;
typedef void (*axonc_complete_fn)(void *user, const axonc_completion *c);
/* What may be written at (file, line, col) of the unit's source: after `pre.`, `post.`, a
 * population's `E.` or a path through instances (`c1.E.`) its variables, after an instance's
 * name its items, inside `import "std/` the standard library's files; at the start of a
 * statement the keywords that may start one there; after `population P =` neuron types,
 * after `project ... :` synapses, after `learn` rules, after `run` or `c1 =` modules, after
 * `method` schemes, after `connect` connectors, after a number units; elsewhere the names in
 * scope, functions, units and the keywords of expressions. The client filters by what was
 * typed. */
axonc_status axonc_complete(axonc_unit *u, const char *file, int line, int col,
                            axonc_complete_fn fn, void *user);

/* Whether symbol sym may be renamed to new_name (NULL: whether it may be renamed at all):
 * AXONC_OK, or AXONC_EINVAL with the reason, a sentence for the user, in axonc_session_error.
 * A rename replaces the name at every place axonc_ref_get gives (the unit's files). Refused:
 * names defined in the standard library or built in; extern functions (the name is the C
 * function's); a neuron's variable also named as pre.x or post.x; a variable of a synapse or
 * rule that takes values from a connection file's columns; a signal or modulator bound by
 * name to the other; new names that are not names, are keywords, units, functions or built-in
 * names (t, dt, i, j, w, pi), or are already declared in the same scope. */
axonc_status axonc_rename_check(axonc_unit *u, int sym, const char *new_name);

#ifdef __cplusplus
}
#endif

#endif /* AXON_AXONC_H */
