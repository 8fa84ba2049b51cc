/*
 * `axon repl`: define, run, look, change, run again.
 *
 * Entries. An entry is read until its brackets close. It is one of
 *   - a definition (`neuron`, `synapse`, `rule`, `module`, `import`): kept as a source of its
 *     own ("<repl:N>"). All the kept sources are loaded and checked together as one program
 *     (axonc_load_sources), so later entries use earlier definitions; an entry that defines a
 *     name again replaces the older definition. A definition is taken only when the whole
 *     program still checks, so the session never holds a broken program;
 *   - `NAME = MODULE(args)`: a simulation, compiled to native code (its own code in the
 *     session's JIT) and kept with the definitions it was made from, so redefining a neuron
 *     does not change a simulation that already runs;
 *   - `NAME = EXPR`: a named constant; `sim.POP.VAR = EXPR` sets a state variable or
 *     per-neuron parameter of every neuron;
 *   - `sim.POP.VAR[a:b]`, `sim.POP`, `sim`: values and summaries, with units;
 *   - a `:command`;
 *   - otherwise an expression, evaluated with units (`1 mV / 2 ms` is 0.5 V/s).
 * Errors are located diagnostics in the entry and never end an interactive session; a
 * session that reads a script (stdin not a terminal, or -e) stops at the first error with
 * exit status 1.
 */
#include "config.h"

#include "repl/repl.h"

#include "axon/analysis.h"
#include "axon/axon.h"
#include "axon/axonc.h"

#include <ctype.h>
#include <errno.h>
#include <ftw.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#if defined(HAVE_LIBEDIT)
#include <editline/readline.h>
#elif defined(HAVE_READLINE)
#include <readline/history.h>
#include <readline/readline.h>
#endif

/* ---- state -------------------------------------------------------------------------------- */

typedef struct {
    char *name;     /* "<repl:3>", or a file's path */
    char *text;
    char **defines; /* the names its definitions define */
    int ndefines;
    char *import;   /* an import entry: the imported path */
} entry;

/* A program: the sources it was loaded from, checked. Simulations keep the program they were
 * made from alive (refs). */
typedef struct program {
    axonc_unit *unit;
    int refs;
    struct program *next;
} program;

typedef struct {
    char *name;
    char *module;
    program *prog;
    axonc_instance *in;
    const axon_model_desc *desc;
    axon_sim *sim;
    uint64_t seed;
    bool stale; /* a definition it runs was replaced since (tell_replaced) */
} simulation;

typedef struct {
    char *name;
    axonc_value v;
} binding;

typedef struct {
    axonc_session *s;
    bool interactive; /* prompts, colour, progress, errors do not end the session */
    bool color;
    int diag_flags;
    const char *current_entry; /* diagnostics of other sources are shown only when errors */
    entry *entries;
    int nentries;
    program *programs; /* every program alive; programs->... the current one is cur */
    program *cur;
    simulation *sims;
    int nsims;
    binding *binds;
    int nbinds;
    int counter;
    uint64_t seed;
    FILE *out;
} repl;

/* Ctrl-C: the handler can reach only static storage. It stops the run in progress at the end
 * of its current step (axon_sim_stop only sets a flag, so it is safe here), or marks the line
 * being typed as abandoned. */
static volatile sig_atomic_t interrupted;
static axon_sim *volatile running;

static void on_sigint(int sig)
{
    (void)sig;
    interrupted = 1;
    axon_sim *sim = running;
    if (sim)
        axon_sim_stop(sim);
}

static char *xstrdup(const char *s)
{
    char *c = strdup(s ? s : "");
    if (!c) {
        fputs("axon repl: out of memory\n", stderr);
        exit(1);
    }
    return c;
}

static void *xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q) {
        fputs("axon repl: out of memory\n", stderr);
        exit(1);
    }
    return q;
}

static char *xprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *xprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = NULL;
    if (vasprintf(&s, fmt, ap) < 0) {
        fputs("axon repl: out of memory\n", stderr);
        exit(1);
    }
    va_end(ap);
    return s;
}

/* An error of the REPL itself (not a diagnostic of the model). */
static bool error(repl *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static bool error(repl *r, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fflush(r->out); /* the output before it comes first, where both go to one place */
    fprintf(stderr, "%serror:%s ", r->color ? "\033[1;31m" : "", r->color ? "\033[0m" : "");
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    return false;
}

static void show_diag(void *user, const axonc_diag *d)
{
    repl *r = user;
    /* warnings of older entries were shown when they were entered */
    if (d->severity != AXONC_ERROR && d->loc.file && r->current_entry &&
        strcmp(d->loc.file, r->current_entry))
        return;
    char *text = axonc_diag_render(d, r->diag_flags);
    fflush(r->out); /* the output before it comes first, where both go to one place */
    fputs(text ? text : d->message, stderr);
    free(text);
}

/* ---- small parsing helpers ------------------------------------------------------------------ */

static const char *skip_ws(const char *p)
{
    while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
        p++;
    return p;
}

static bool is_ident_start(int c) { return isalpha(c) || c == '_'; }
static bool is_ident_char(int c) { return isalnum(c) || c == '_'; }

/* The identifier at p (into buf); returns the end, or NULL when there is none. */
static const char *ident(const char *p, char *buf, size_t size)
{
    if (!is_ident_start((unsigned char)*p))
        return NULL;
    size_t n = 0;
    while (is_ident_char((unsigned char)p[n]))
        n++;
    if (n >= size)
        return NULL;
    memcpy(buf, p, n);
    buf[n] = 0;
    return p + n;
}

/* Bracket depth at the end of text (comments and strings skipped): > 0 means the entry goes
 * on. */
static int open_brackets(const char *text)
{
    int depth = 0;
    bool str = false;
    for (const char *p = text; *p; p++) {
        if (str) {
            if (*p == '\\' && p[1])
                p++;
            else if (*p == '"')
                str = false;
        } else if (*p == '"') {
            str = true;
        } else if (*p == '#') {
            while (*p && *p != '\n')
                p++;
            if (!*p)
                break;
        } else if (*p == '{' || *p == '(' || *p == '[') {
            depth++;
        } else if (*p == '}' || *p == ')' || *p == ']') {
            depth--;
        }
    }
    return depth;
}

static const char *const DEF_KEYWORDS[] = {"neuron", "synapse", "rule", "module"};

/* The names an entry's top-level definitions define (neuron X, module Y ...), and its import. */
static void scan_definitions(const char *text, entry *e)
{
    int depth = 0;
    const char *p = text;
    while (*p) {
        if (*p == '#') {
            while (*p && *p != '\n')
                p++;
            continue;
        }
        if (*p == '"') {
            for (p++; *p && *p != '"'; p++)
                if (*p == '\\' && p[1])
                    p++;
            if (*p)
                p++;
            continue;
        }
        if (*p == '{' || *p == '(') {
            depth++;
            p++;
            continue;
        }
        if (*p == '}' || *p == ')') {
            depth--;
            p++;
            continue;
        }
        char word[64];
        const char *end = is_ident_start((unsigned char)*p) && (p == text || !is_ident_char((unsigned char)p[-1]))
                              ? ident(p, word, sizeof word) : NULL;
        if (!end) {
            p++;
            continue;
        }
        if (depth == 0) {
            for (size_t k = 0; k < sizeof DEF_KEYWORDS / sizeof *DEF_KEYWORDS; k++) {
                char name[64];
                const char *q = skip_ws(end);
                if (!strcmp(word, DEF_KEYWORDS[k]) && ident(q, name, sizeof name)) {
                    e->defines = xrealloc(e->defines, (size_t)(e->ndefines + 1) * sizeof *e->defines);
                    e->defines[e->ndefines++] = xstrdup(name);
                }
            }
            if (!strcmp(word, "extern")) {
                /* extern "LIB" fn NAME(...): NAME is what it defines */
                const char *q = skip_ws(end);
                const char *close = *q == '"' ? strchr(q + 1, '"') : NULL;
                char fn[16], name[64];
                const char *after = close ? ident(skip_ws(close + 1), fn, sizeof fn) : NULL;
                if (after && ident(skip_ws(after), name, sizeof name)) {
                    e->defines = xrealloc(e->defines, (size_t)(e->ndefines + 1) * sizeof *e->defines);
                    e->defines[e->ndefines++] = xstrdup(name);
                }
            }
            if (!strcmp(word, "import")) {
                const char *q = skip_ws(end);
                if (*q == '"') {
                    const char *close = strchr(q + 1, '"');
                    if (close && !e->import)
                        e->import = strndup(q + 1, (size_t)(close - q - 1));
                }
            }
        }
        p = end;
    }
}

static bool starts_with_keyword(const char *text)
{
    char word[32];
    const char *p = skip_ws(text);
    while (*p == '#') { /* leading comments */
        while (*p && *p != '\n')
            p++;
        p = skip_ws(p);
    }
    if (!ident(p, word, sizeof word))
        return false;
    for (size_t k = 0; k < sizeof DEF_KEYWORDS / sizeof *DEF_KEYWORDS; k++)
        if (!strcmp(word, DEF_KEYWORDS[k]))
            return true;
    return !strcmp(word, "import") || !strcmp(word, "extern");
}

/* ---- programs ------------------------------------------------------------------------------- */

static void program_release(repl *r, program *p)
{
    if (!p || --p->refs > 0)
        return;
    for (program **q = &r->programs; *q; q = &(*q)->next)
        if (*q == p) {
            *q = p->next;
            break;
        }
    axonc_unit_free(p->unit);
    free(p);
}

static void entry_free(entry *e)
{
    free(e->name);
    free(e->text);
    for (int k = 0; k < e->ndefines; k++)
        free(e->defines[k]);
    free(e->defines);
    free(e->import);
}

/* Loads and checks the entries as one program; NULL after the diagnostics were shown. */
static program *build(repl *r, const entry *entries, int n)
{
    axonc_source *src = xrealloc(NULL, (size_t)(n + 1) * sizeof *src);
    for (int i = 0; i < n; i++)
        src[i] = (axonc_source){entries[i].name, entries[i].text, strlen(entries[i].text)};
    axonc_unit *u = NULL;
    axonc_status st = axonc_load_sources(r->s, src, n, &u);
    free(src);
    if (st == AXONC_OK)
        st = axonc_check(u);
    if (st != AXONC_OK) {
        if (st != AXONC_EDIAG)
            error(r, "%s", axonc_session_error(r->s));
        axonc_unit_free(u);
        return NULL;
    }
    program *p = xrealloc(NULL, sizeof *p);
    *p = (program){u, 1, r->programs};
    r->programs = p;
    return p;
}

/* Whether simulation sm may run definition `name` of its program: its module, a neuron type
 * of its populations, a synapse type of its projections; a rule or another module, which the
 * descriptor does not name, counts when its program defines it. */
static bool sim_uses(const simulation *sm, const char *name)
{
    int di = axonc_def_find(sm->prog->unit, name);
    axonc_def d;
    if (di < 0 || axonc_def_get(sm->prog->unit, di, &d) != AXONC_OK)
        return false;
    if (!strcmp(sm->module, name))
        return true;
    if (d.kind == AXONC_NEURON) {
        for (uint32_t k = 0; k < sm->desc->npops; k++)
            if (sm->desc->pops[k].type && !strcmp(sm->desc->pops[k].type, name))
                return true;
        return false;
    }
    if (d.kind == AXONC_SYNAPSE) {
        for (uint32_t k = 0; k < sm->desc->nprojs; k++)
            if (sm->desc->projs[k].type && !strcmp(sm->desc->projs[k].type, name))
                return true;
        return false;
    }
    return true;
}

/* The simulations made from definitions that the new entry replaces. */
static void tell_replaced(repl *r, const entry *e, const char *kind_of_first)
{
    (void)kind_of_first;
    for (int k = 0; k < e->ndefines; k++) {
        bool told = false;
        for (int i = 0; i < r->nsims; i++) {
            simulation *sm = &r->sims[i];
            if (sm->prog == r->cur || !sim_uses(sm, e->defines[k]))
                continue;
            sm->stale = true;
            if (!told)
                fprintf(r->out, "note: simulations made before still use the old '%s':",
                        e->defines[k]);
            fprintf(r->out, " %s", sm->name);
            told = true;
        }
        if (told)
            fputc('\n', r->out);
    }
}

static const char *kind_name(axonc_def_kind k)
{
    static const char *const N[] = {"neuron", "synapse", "rule", "module"};
    return k >= 0 && k <= 3 ? N[k] : "definition";
}

/* A definition entry: kept when the program with it checks. */
static bool define(repl *r, const char *name, const char *text)
{
    entry e = {xstrdup(name), xstrdup(text), NULL, 0, NULL};
    scan_definitions(text, &e);
    /* the new program: the old entries less those it replaces (or repeats, for imports), then
       it */
    entry *next = xrealloc(NULL, (size_t)(r->nentries + 1) * sizeof *next);
    int n = 0;
    bool *dropped = xrealloc(NULL, (size_t)(r->nentries + 1) * sizeof *dropped);
    bool replaces = false;
    for (int i = 0; i < r->nentries; i++) {
        const entry *old = &r->entries[i];
        bool drop = old->import && e.import && !strcmp(old->import, e.import) && !e.ndefines &&
                    !old->ndefines;
        for (int a = 0; a < old->ndefines && !drop; a++)
            for (int b = 0; b < e.ndefines && !drop; b++)
                drop = !strcmp(old->defines[a], e.defines[b]);
        dropped[i] = drop;
        replaces |= drop && e.ndefines;
        if (!drop)
            next[n++] = *old;
    }
    next[n++] = e;
    r->current_entry = e.name;
    program *p = build(r, next, n);
    r->current_entry = NULL;
    if (!p) {
        free(next);
        free(dropped);
        entry_free(&e);
        return false;
    }
    for (int i = 0; i < r->nentries; i++)
        if (dropped[i])
            entry_free(&r->entries[i]);
    free(dropped);
    free(r->entries);
    r->entries = next;
    r->nentries = n;
    program *old = r->cur;
    r->cur = p;
    program_release(r, old);
    {
        for (int k = 0; k < e.ndefines; k++) {
            axonc_def d;
            int i = axonc_def_find(p->unit, e.defines[k]);
            if (i >= 0 && axonc_def_get(p->unit, i, &d) == AXONC_OK)
                fprintf(r->out, "%s %s %s\n", replaces ? "redefined" : "defined",
                        kind_name(d.kind), d.name);
            else if (i < 0)
                fprintf(r->out, "%s extern function %s\n", replaces ? "redefined" : "declared",
                        e.defines[k]);
        }
        if (replaces)
            tell_replaced(r, &e, NULL);
    }
    return true;
}

/* The current program, made empty when nothing was defined yet (for expressions). */
static program *current(repl *r)
{
    if (!r->cur)
        r->cur = build(r, NULL, 0);
    return r->cur;
}

/* ---- values ---------------------------------------------------------------------------------- */

static axonc_binding *bindings(repl *r)
{
    axonc_binding *b = xrealloc(NULL, (size_t)(r->nbinds + 1) * sizeof *b);
    for (int i = 0; i < r->nbinds; i++)
        b[i] = (axonc_binding){r->binds[i].name, r->binds[i].v.value, r->binds[i].v.unit,
                               r->binds[i].v.is_bool};
    return b;
}

static bool eval(repl *r, const char *text, axonc_value *v)
{
    program *p = current(r);
    if (!p)
        return false;
    char *name = xprintf("<repl:%d>", r->counter);
    axonc_binding *b = bindings(r);
    r->current_entry = name;
    axonc_status st = axonc_eval(p->unit, name, text, strlen(text), b, r->nbinds, v);
    r->current_entry = NULL;
    free(b);
    free(name);
    if (st != AXONC_OK && st != AXONC_EDIAG)
        error(r, "%s", axonc_session_error(r->s));
    return st == AXONC_OK;
}

static void print_value(repl *r, const axonc_value *v)
{
    char buf[96];
    if (axonc_format(v->value, v->unit, v->is_bool, buf, sizeof buf) == AXONC_OK)
        fprintf(r->out, "%s\n", buf);
    else
        fprintf(r->out, "%.10g %s\n", v->value, v->unit);
}

static void set_binding(repl *r, const char *name, const axonc_value *v)
{
    for (int i = 0; i < r->nbinds; i++)
        if (!strcmp(r->binds[i].name, name)) {
            r->binds[i].v = *v;
            return;
        }
    r->binds = xrealloc(r->binds, (size_t)(r->nbinds + 1) * sizeof *r->binds);
    r->binds[r->nbinds++] = (binding){xstrdup(name), *v};
}

/* Drops the value bound to name, if any: a simulation made under that name replaces it. */
static void drop_binding(repl *r, const char *name)
{
    for (int i = 0; i < r->nbinds; i++)
        if (!strcmp(r->binds[i].name, name)) {
            free(r->binds[i].name);
            r->binds[i] = r->binds[--r->nbinds];
            return;
        }
}

/* ---- simulations ----------------------------------------------------------------------------- */

static simulation *find_sim(repl *r, const char *name)
{
    for (int i = 0; i < r->nsims; i++)
        if (!strcmp(r->sims[i].name, name))
            return &r->sims[i];
    return NULL;
}

static void sim_free(repl *r, simulation *sm)
{
    axon_sim_free(sm->sim);      /* the simulation runs the instance's code: first */
    axonc_instance_free(sm->in); /* then the code */
    program_release(r, sm->prog);
    free(sm->name);
    free(sm->module);
}

/* Splits "a = 1, b = 2 mV" at top-level commas into n parts (modified in place). */
static int split_args(char *s, char **parts, int max)
{
    int n = 0, depth = 0;
    char *start = s;
    for (char *p = s;; p++) {
        if (*p == '(' || *p == '[' || *p == '{')
            depth++;
        else if (*p == ')' || *p == ']' || *p == '}')
            depth--;
        if ((*p == ',' && depth == 0) || !*p) {
            bool end = !*p;
            *p = 0;
            if (n < max && *skip_ws(start))
                parts[n++] = start;
            if (end)
                break;
            start = p + 1;
        }
    }
    return n;
}

/* `NAME = MODULE(args)`: args is the text inside the parentheses (NULL: none). */
static bool make_sim(repl *r, const char *name, const char *module, const char *args)
{
    program *p = current(r);
    if (!p)
        return false;
    int di = axonc_def_find(p->unit, module);
    axonc_def d;
    if (di < 0 || axonc_def_get(p->unit, di, &d) != AXONC_OK || d.kind != AXONC_MODULE)
        return error(r, "'%s' is not a module", module);
    axonc_override set[64];
    axonc_value vals[64];
    char names[64][64];
    int nset = 0;
    bool good = true;
    char *copy = args ? xstrdup(args) : NULL; /* the values' text, until instantiated */
    if (copy) {
        char *parts[64];
        int n = split_args(copy, parts, 64);
        for (int k = 0; k < n && good; k++) {
            char pname[64];
            const char *q = ident(skip_ws(parts[k]), pname, sizeof pname);
            const char *eq = q ? skip_ws(q) : NULL;
            const char *value = parts[k];
            if (eq && *eq == '=' && eq[1] != '=') {
                value = eq + 1;
            } else {
                /* positional: the module's parameters in order */
                axonc_member m;
                if (axonc_def_member(p->unit, di, k, &m) != AXONC_OK) {
                    good = error(r, "%s takes %d parameter%s", module, d.nmembers,
                                 d.nmembers == 1 ? "" : "s");
                    break;
                }
                snprintf(pname, sizeof pname, "%s", m.name);
            }
            for (int j = 0; j < nset && good; j++)
                if (!strcmp(names[j], pname))
                    good = error(r, "%s(...) sets %s twice", module, pname);
            if (!good)
                break;
            if (!eval(r, value, &vals[k])) {
                good = false;
                break;
            }
            snprintf(names[k], sizeof names[k], "%s", pname);
            /* messages quote the value as written (split_args wrote in the copy) */
            char *text = (char *)skip_ws(value), *end = text + strlen(text);
            while (end > text && isspace((unsigned char)end[-1]))
                *--end = 0;
            set[nset++] = (axonc_override){names[k], vals[k].value,
                                           strcmp(vals[k].unit, "1") ? vals[k].unit : NULL, text};
        }
    }
    if (!good) {
        free(copy);
        return false;
    }
    axonc_instance *in = NULL;
    const axon_model_desc *desc = NULL;
    char *where = xprintf("<repl:%d>", r->counter);
    r->current_entry = where;
    axonc_status st = axonc_instantiate(p->unit, &(axonc_instance_opts){module, set, nset, 0, 1}, &in);
    free(copy);
    if (st == AXONC_OK)
        st = axonc_jit(in, &desc);
    r->current_entry = NULL;
    free(where);
    if (st != AXONC_OK) {
        if (st != AXONC_EDIAG)
            error(r, "%s", axonc_session_error(r->s));
        axonc_instance_free(in);
        return false;
    }
    axon_err err;
    /* as axon run does: a network larger than the machine's memory is refused before it is
       built (which would take minutes, then swap or be killed) */
    double total = 0;
    long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
    double limit = pages > 0 && page > 0 ? (double)pages * (double)page : 0;
    if (axon_model_memory(desc, 0, NULL, 0, &total, &err) == AXON_OK && limit > 0 &&
        total > limit) {
        axonc_instance_free(in);
        return error(r,
                     "%s(...) would take about %.1f GiB, more than the machine's memory "
                     "(%.1f GiB): make it smaller",
                     module, total / 1073741824.0, limit / 1073741824.0);
    }
    /* Ctrl-C stops a large network's build (the runtime reads the flag between its stages) */
    axon_sim *sim = axon_sim_new(desc, &(axon_opts){.seed = r->seed, .stop = &interrupted}, &err);
    if (!sim) {
        axonc_instance_free(in);
        if (interrupted) {
            interrupted = 0;
            fprintf(r->out, "interrupted: %s was not built\n", name);
            return !r->interactive ? false : true;
        }
        return error(r, "%s", err.msg);
    }
    drop_binding(r, name); /* x = 3 mV, then x = COBA: x is the simulation */
    simulation *old = find_sim(r, name);
    if (old)
        sim_free(r, old);
    else {
        r->sims = xrealloc(r->sims, (size_t)(r->nsims + 1) * sizeof *r->sims);
        old = &r->sims[r->nsims++];
    }
    p->refs++;
    *old = (simulation){xstrdup(name), xstrdup(module), p, in, desc, sim, r->seed, false};
    {
        uint64_t neurons = 0;
        for (uint32_t k = 0; k < desc->npops; k++)
            neurons += desc->pops[k].size;
        fprintf(r->out, "%s: %s, %llu neurons in %u population%s, %u projection%s\n", name,
                module, (unsigned long long)neurons, desc->npops, desc->npops == 1 ? "" : "s",
                desc->nprojs, desc->nprojs == 1 ? "" : "s");
    }
    return true;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void progress(double f)
{
    int w = 40, n = (int)(f * w + 0.5);
    fprintf(stderr, "\r  [%.*s%*s] %3.0f%%", n, "========================================", w - n,
            "", f * 100);
    fflush(stderr);
}

static void progress_cb(void *user, double f)
{
    (void)user;
    progress(f);
}

/* Runs sm for duration seconds; Ctrl-C stops it at the end of the current step with the state
 * kept (axon_sim_stop), and :run continues from there. */
static bool run_sim(repl *r, simulation *sm, double duration)
{
    double dt = sm->desc->dt;
    uint64_t steps = (uint64_t)llround(duration / dt);
    if (!(duration > 0) || steps == 0)
        return error(r, "the duration must be at least one time step (%g ms)", dt * 1e3);
    double t0 = now();
    running = sm->sim;
    if (interrupted) /* Ctrl-C while the entry was being compiled: stop before the first step */
        axon_sim_stop(sm->sim);
    axon_status st = axon_sim_run(sm->sim, duration, r->interactive ? progress_cb : NULL, NULL);
    running = NULL;
    if (r->interactive)
        fputs("\r\033[K", stderr);
    if (st != AXON_OK && st != AXON_ESTOPPED)
        return error(r, "%s", axon_sim_error(sm->sim));
    double wall = now() - t0;
    if (st == AXON_ESTOPPED) {
        fprintf(r->out, "interrupted: %s is at t = %g ms (state kept; :run continues)\n",
                sm->name, axon_sim_time(sm->sim) * 1e3);
        interrupted = 0;
        return !r->interactive ? false : true;
    }
    /* the time run: whole steps (0.24 ms at 0.1 ms is 2 steps, 0.2 ms) */
    double ran = (double)steps * dt;
    if (r->interactive)
        fprintf(r->out, "%s: t = %g ms (%g ms in %.3f s, real-time factor %.3g)\n", sm->name,
                axon_sim_time(sm->sim) * 1e3, ran * 1e3, wall, wall / ran);
    else
        fprintf(r->out, "%s: t = %g ms\n", sm->name, axon_sim_time(sm->sim) * 1e3);
    return true;
}

/* ---- paths: sim, sim.POP, sim.POP.VAR[a:b] ----------------------------------------------------- */

typedef struct {
    simulation *sm;
    int pop;             /* -1: the simulation itself */
    int var;             /* -1: the population */
    int param;           /* a shared parameter (axon_sim_param_index), or -1 */
    long from, to;       /* a slice [from, to) of neurons, -1: all */
} path;

/* Parses "sim", "sim.POP", "sim.POP.VAR", "sim.POP.VAR[a:b]" or "[i]" (population names may
 * hold dots: the longest match wins). Returns the end of the path, or NULL when text does not
 * start with a simulation's name. *err is set when it does but the rest is wrong. */
static const char *parse_path(repl *r, const char *text, path *out, bool *bad)
{
    char name[64];
    const char *p = ident(skip_ws(text), name, sizeof name);
    *bad = false;
    if (!p)
        return NULL;
    simulation *sm = find_sim(r, name);
    if (!sm)
        return NULL;
    *out = (path){sm, -1, -1, -1, -1, -1};
    if (*p != '.')
        return p;
    /* the longest population name after the dot */
    const axon_model_desc *d = sm->desc;
    size_t best = 0;
    for (uint32_t k = 0; k < d->npops; k++) {
        size_t l = strlen(d->pops[k].name);
        if (!strncmp(p + 1, d->pops[k].name, l) && !is_ident_char((unsigned char)p[1 + l]) &&
            l > best) {
            best = l;
            out->pop = (int)k;
        }
    }
    if (out->pop < 0) {
        char pop[64];
        ident(p + 1, pop, sizeof pop);
        *bad = true;
        error(r, "%s has no population '%s'", sm->name, pop);
        return NULL;
    }
    p += 1 + best;
    if (*p != '.')
        return p;
    char var[64];
    const char *q = ident(p + 1, var, sizeof var);
    const axon_pop_desc *pd = &d->pops[out->pop];
    for (uint32_t k = 0; q && k < pd->nvars; k++)
        if (!strcmp(pd->vars[k].name, var) && pd->vars[k].kind != AXON_VAR_HIDDEN)
            out->var = (int)k;
    if (out->var < 0 && q) {
        /* a shared parameter, changed at run time through the runtime's parameter table */
        char pname[192];
        snprintf(pname, sizeof pname, "%s.%s", pd->name, var);
        int k = axon_sim_param_index(sm->sim, pname);
        if (k >= 0 && *q != '[') {
            out->param = k;
            return q;
        }
    }
    if (out->var < 0) {
        /* the visible variables, then the shared parameters, within one error line */
        char has[768] = "";
        size_t used = 0, npar = 0, plen = strlen(pd->name);
        for (uint32_t k = 0; k < pd->nvars && used < sizeof has; k++)
            if (pd->vars[k].kind != AXON_VAR_HIDDEN) {
                int w = snprintf(has + used, sizeof has - used, " %s", pd->vars[k].name);
                used += w > 0 ? (size_t)w : 0;
            }
        for (uint32_t k = 0; k < axon_sim_param_count(sm->sim) && used < sizeof has; k++) {
            const axon_param_desc *pp = axon_sim_param_desc(sm->sim, k);
            if (!pp || (pp->flags & AXON_PARAM_PROJ) || pp->kind != AXON_PARAM_SHARED ||
                strncmp(pp->name, pd->name, plen) || pp->name[plen] != '.')
                continue;
            int w = snprintf(has + used, sizeof has - used, "%s %s", npar++ ? "" : "; parameters",
                             pp->name + plen + 1);
            used += w > 0 ? (size_t)w : 0;
        }
        *bad = true;
        error(r, "population %s has no variable or parameter '%s' (it has:%s)", pd->name,
              q ? var : "", has);
        return NULL;
    }
    p = q;
    if (*p == '[') {
        char *end;
        long a = 0, b = (long)pd->size;
        const char *s = skip_ws(p + 1);
        if (*s != ':')
            a = strtol(s, &end, 10), s = skip_ws(end);
        if (*s == ':') {
            s = skip_ws(s + 1);
            if (*s != ']')
                b = strtol(s, &end, 10), s = skip_ws(end);
        } else {
            b = a + 1;
        }
        if (*s != ']' || a < 0 || b > (long)pd->size || a >= b) {
            *bad = true;
            error(r, "a slice of %s is [i] or [a:b] with 0 <= a < b <= %u", pd->name, pd->size);
            return NULL;
        }
        out->from = a;
        out->to = b;
        p = s + 1;
    }
    return p;
}

/* Element i of a 1-D view: float or double, or a small integer (a refractory counter). */
static double element(const axon_tensor *t, size_t i)
{
    return axon_tensor_get_f64(t, &i);
}

static void print_path(repl *r, const path *pa)
{
    simulation *sm = pa->sm;
    const axon_model_desc *d = sm->desc;
    if (pa->pop < 0) {
        fprintf(r->out, "%s = %s at t = %g ms\n", sm->name, sm->module, axon_sim_time(sm->sim) * 1e3);
        for (uint32_t k = 0; k < d->npops; k++)
            fprintf(r->out, "  %-12s %-14s %8u neurons\n", d->pops[k].name, d->pops[k].type,
                    d->pops[k].size);
        return;
    }
    const axon_pop_desc *pd = &d->pops[pa->pop];
    if (pa->param >= 0) {
        const axon_param_desc *pm = axon_sim_param_desc(sm->sim, (uint32_t)pa->param);
        double v;
        char buf[96];
        if (axon_sim_get_param(sm->sim, pm->name, &v) != AXON_OK) {
            error(r, "%s", axon_sim_error(sm->sim));
            return;
        }
        if (axonc_format(v, pm->unit, (pm->flags & AXON_PARAM_BOOL) != 0, buf, sizeof buf) !=
            AXONC_OK)
            snprintf(buf, sizeof buf, "%g %s", v, pm->unit);
        fprintf(r->out, "%s\n", buf);
        return;
    }
    if (pa->var < 0) {
        fprintf(r->out, "%s.%s = %s[%u]:", sm->name, pd->name, pd->type, pd->size);
        for (uint32_t k = 0; k < pd->nvars; k++)
            if (pd->vars[k].kind != AXON_VAR_HIDDEN)
                fprintf(r->out, " %s", pd->vars[k].name);
        fputc('\n', r->out);
        return;
    }
    char path_s[256];
    snprintf(path_s, sizeof path_s, "%s.%s", pd->name, pd->vars[pa->var].name);
    axon_tensor t;
    if (axon_sim_var(sm->sim, path_s, &t) != AXON_OK) {
        error(r, "%s", axon_sim_error(sm->sim));
        return;
    }
    size_t from = pa->from < 0 ? 0 : (size_t)pa->from, to = pa->to < 0 ? pd->size : (size_t)pa->to;
    const char *si = pd->vars[pa->var].unit;
    double typical = 0;
    for (size_t i = from; i < to; i++)
        if (fabs(element(&t, i)) > fabs(typical))
            typical = element(&t, i);
    char unit[64];
    double scale = 1;
    if (axonc_display_unit(si, typical, unit, sizeof unit, &scale) != AXONC_OK)
        snprintf(unit, sizeof unit, "%s", si);
    bool one = pa->to >= 0 && to - from == 1;
    if (!one)
        fputc('[', r->out);
    size_t shown = to - from > 20 ? 10 : to - from;
    for (size_t i = from; i < from + shown; i++)
        fprintf(r->out, "%s%.6g", i > from ? ", " : "", element(&t, i) / scale);
    if (shown < to - from) {
        fprintf(r->out, ", ... (%zu more), ", to - from - shown - 5);
        for (size_t i = to - 5; i < to; i++)
            fprintf(r->out, "%s%.6g", i > to - 5 ? ", " : "", element(&t, i) / scale);
    }
    fprintf(r->out, "%s%s%s\n", one ? "" : "]", *unit ? " " : "", unit);
}

/* sim.POP.VAR = value: every neuron (or the slice). */
static bool assign_path(repl *r, const path *pa, const char *text)
{
    if (pa->param >= 0) {
        const axon_param_desc *pm = axon_sim_param_desc(pa->sm->sim, (uint32_t)pa->param);
        axonc_value v;
        if (!eval(r, text, &v))
            return false;
        if (!axonc_same_unit(v.unit, pm->unit)) {
            char want[64], got[96];
            double sc;
            axonc_display_unit(pm->unit, 1, want, sizeof want, &sc);
            axonc_format(v.value, v.unit, v.is_bool, got, sizeof got);
            return error(r, "%s is in %s, but %s is not", pm->name,
                         *want ? want : "plain numbers", got);
        }
        if (axon_sim_set_param(pa->sm->sim, pm->name, v.value, NULL) != AXON_OK)
            return error(r, "%s", axon_sim_error(pa->sm->sim));
        return true;
    }
    if (pa->var < 0)
        return error(r, "only a variable can be assigned (sim.POP.VAR = value)");
    const axon_pop_desc *pd = &pa->sm->desc->pops[pa->pop];
    const axon_var_desc *vd = &pd->vars[pa->var];
    axonc_value v;
    if (!eval(r, text, &v))
        return false;
    if (!axonc_same_unit(v.unit, vd->unit)) {
        char want[64], got[96];
        double sc;
        axonc_display_unit(vd->unit, 1, want, sizeof want, &sc);
        axonc_format(v.value, v.unit, v.is_bool, got, sizeof got);
        if (*want)
            return error(r, "%s.%s is in %s, but %s is not", pd->name, vd->name, want, got);
        return error(r, "%s.%s is a plain number, but %s is not", pd->name, vd->name, got);
    }
    char p[256];
    snprintf(p, sizeof p, "%s.%s", pd->name, vd->name);
    axon_tensor t;
    if (axon_sim_var(pa->sm->sim, p, &t) != AXON_OK)
        return error(r, "%s", axon_sim_error(pa->sm->sim));
    size_t from = pa->from < 0 ? 0 : (size_t)pa->from, to = pa->to < 0 ? pd->size : (size_t)pa->to;
    /* a variable stored in integers (model.h, axon_elem) takes only whole numbers in range */
    if ((t.dtype != AXON_F32 && t.dtype != AXON_F64) && from < to &&
        (v.value != floor(v.value) || axon_tensor_set_f64(&t, &from, v.value) != AXON_OK))
        return error(r, "%s.%s holds whole numbers (%s): %g does not fit", pd->name, vd->name,
                     axon_dtype_name(t.dtype), v.value);
    for (size_t i = from; i < to; i++)
        axon_tensor_set_f64(&t, &i, v.value);
    return true;
}

/* ---- commands -------------------------------------------------------------------------------- */

typedef struct {
    const char *name, *args, *summary, *detail;
} command_help;

/* The summary fits the list of :help; the detail (lines of at most 78 characters) is for
 * :help COMMAND. */
static const command_help COMMANDS[] = {
    {"help", "[COMMAND]", "this list, or one command's help", NULL},
    {"quit", "", "leave (Ctrl-D too)", NULL},
    {"type", "EXPR", "the dimension and SI unit of an expression", NULL},
    {"run", "SIM DURATION", "run a simulation on from where it stopped",
     "Ctrl-C stops it at the end of the current step with the state kept.\n"
     "DURATION is an expression: 100 ms, 2 * tau."},
    {"reset", "SIM", "start a simulation again from t = 0 (same model, same seed)", NULL},
    {"drop", "SIM", "free a simulation and its code (NAME = MODULE(...) replaces one)", NULL},
    {"stats", "SIM", "spikes and mean rates per population so far", NULL},
    {"raster", "SIM.POP [FROM, TO]", "a population's spikes drawn in the terminal", NULL},
    {"rate", "SIM.POP", "a population's rate drawn in the terminal", NULL},
    {"plot", "KIND SIM[.POP] [FROM, TO] to FILE.svg", "a figure as an SVG file",
     "KIND is raster, rate, isi, spectrum, cch or avalanches: the figures of\n"
     "axon analyze's report, of one population or of all, for the whole run so\n"
     "far or the window FROM, TO (like 50 ms, 200 ms)."},
    {"defs", "", "what is defined, with the parameters", NULL},
    {"sims", "", "the simulations", NULL},
    {"load", "FILE", "load the definitions of a model file", NULL},
    {"seed", "N", "the seed of simulations made from now on (default 0)", NULL},
    {"save", "SIM FILE", "checkpoint a simulation into FILE",
     "The whole state is saved, so that a run restored from it goes on bit for bit."},
    {"restore", "SIM FILE", "bring a simulation back to a checkpoint made by :save",
     "The checkpoint must be of the same model."},
    {"time", "ENTRY", "run an entry and print the wall time it took",
     "ENTRY is a definition, a simulation or a command."},
    {"write", "SIM DIR", "write a simulation's recordings so far into DIR",
     "NPY files and manifest.json, as axon run -o DIR writes them."},
};

static bool cmd_help(repl *r, const char *arg)
{
    if (*arg) {
        for (size_t k = 0; k < sizeof COMMANDS / sizeof *COMMANDS; k++) {
            const command_help *c = &COMMANDS[k];
            if (strcmp(arg, c->name) && !(arg[0] == ':' && !strcmp(arg + 1, c->name)))
                continue;
            fprintf(r->out, ":%s %s\n  %s\n", c->name, c->args, c->summary);
            for (const char *d = c->detail; d && *d;) {
                size_t n = strcspn(d, "\n");
                fprintf(r->out, "  %.*s\n", (int)n, d);
                d += n + (d[n] == '\n');
            }
            return true;
        }
        return error(r, "no command ':%s' (:help lists them)", arg);
    }
    fprintf(r->out,
            "Enter definitions (neuron, synapse, rule, module, import), expressions with units\n"
            "(1 mV / 2 ms), simulations (sim = COBA(N = 1000)), values (sim.E.v[0:5]) and\n"
            "assignments (tau = 10 ms, sim.E.v = -70 mV). Commands (:help COMMAND for more):\n");
    for (size_t k = 0; k < sizeof COMMANDS / sizeof *COMMANDS; k++) {
        const command_help *c = &COMMANDS[k];
        if (strlen(c->args) > 20)
            fprintf(r->out, "  :%-7s %s\n  %-29s %s\n", c->name, c->args, "", c->summary);
        else
            fprintf(r->out, "  :%-7s %-20s %s\n", c->name, c->args, c->summary);
    }
    return true;
}

static simulation *sim_arg(repl *r, const char **arg)
{
    char name[64];
    const char *p = ident(skip_ws(*arg), name, sizeof name);
    simulation *sm = p ? find_sim(r, name) : NULL;
    if (!sm) {
        error(r, p ? "no simulation named '%s' (:sims lists them)" : "which simulation?%s",
              p ? name : "");
        return NULL;
    }
    *arg = skip_ws(p);
    return sm;
}

static bool cmd_run(repl *r, const char *arg)
{
    simulation *sm = sim_arg(r, &arg);
    if (!sm)
        return false;
    if (!*arg)
        return error(r, "how long? (:run %s 100 ms)", sm->name);
    axonc_value v;
    if (!eval(r, arg, &v))
        return false;
    if (strcmp(v.unit, "s"))
        return error(r, "the duration must be a time, like 100 ms, not %s", v.unit);
    return run_sim(r, sm, v.value);
}

/* Nothing may follow a command's arguments (`:stats sim junk` is not `:stats sim`). */
static bool no_more(repl *r, const char *arg, const char *cmd)
{
    if (*skip_ws(arg))
        return error(r, "unexpected '%s' after :%s's arguments", skip_ws(arg), cmd);
    return true;
}

static bool cmd_drop(repl *r, const char *arg)
{
    simulation *sm = sim_arg(r, &arg);
    if (!sm || !no_more(r, arg, "drop"))
        return false;
    sim_free(r, sm);
    int k = (int)(sm - r->sims);
    memmove(&r->sims[k], &r->sims[k + 1], (size_t)(r->nsims - k - 1) * sizeof *r->sims);
    r->nsims--;
    return true;
}

static bool cmd_reset(repl *r, const char *arg)
{
    simulation *sm = sim_arg(r, &arg);
    if (!sm || !no_more(r, arg, "reset"))
        return false;
    axon_err err;
    axon_sim *fresh =
        axon_sim_new(sm->desc, &(axon_opts){.seed = sm->seed, .stop = &interrupted}, &err);
    if (!fresh && interrupted) {
        interrupted = 0;
        fprintf(r->out, "interrupted: %s was not reset (state kept)\n", sm->name);
        return !r->interactive ? false : true;
    }
    if (!fresh)
        return error(r, "%s", err.msg);
    axon_sim_free(sm->sim);
    sm->sim = fresh;
    return true;
}

static bool cmd_stats(repl *r, const char *arg)
{
    simulation *sm = sim_arg(r, &arg);
    if (!sm || !no_more(r, arg, "stats"))
        return false;
    double t = axon_sim_time(sm->sim);
    fprintf(r->out, "%s at t = %g ms\n", sm->name, t * 1e3);
    fprintf(r->out, "  %-16s %10s %12s %12s\n", "population", "neurons", "spikes", "rate (Hz)");
    for (uint32_t k = 0; k < sm->desc->npops; k++) {
        const axon_pop_desc *pd = &sm->desc->pops[k];
        uint64_t n = axon_sim_spike_count(sm->sim, (int)k);
        if (pd->spiking && t > 0)
            fprintf(r->out, "  %-16s %10u %12llu %12.3f\n", pd->name, pd->size,
                    (unsigned long long)n, (double)n / pd->size / t);
        else
            fprintf(r->out, "  %-16s %10u %12s %12s\n", pd->name, pd->size, "-", "-");
    }
    return true;
}

static void term_size(int *w, int *h)
{
    struct winsize ws;
    *w = 80;
    *h = 24;
    if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col >= 20 && ws.ws_row >= 8) {
        *w = ws.ws_col;
        *h = ws.ws_row;
    }
}

/* Reads "FROM, TO" (two times) into t0 and t1. */
/* FROM, TO within the run so far (0 to now). */
static bool window_arg(repl *r, const char *text, double now, double *t0, double *t1)
{
    char *copy = xstrdup(text), *parts[3];
    int np = split_args(copy, parts, 3);
    axonc_value a, b;
    bool good = np == 2 && eval(r, parts[0], &a) && eval(r, parts[1], &b);
    free(copy);
    if (!good || strcmp(a.unit, "s") || strcmp(b.unit, "s"))
        return error(r, "the window is FROM, TO: two times, like 0 ms, 100 ms");
    if (!(a.value < b.value))
        return error(r, "the window's end (%g ms) is not after its start (%g ms)", b.value * 1e3,
                     a.value * 1e3);
    if (a.value < 0 || b.value > now * (1 + 1e-12))
        return error(r, "the window %g to %g ms is not within the run so far, 0 to %g ms",
                     a.value * 1e3, b.value * 1e3, now * 1e3);
    *t0 = a.value;
    *t1 = b.value;
    return true;
}

/* A population's spike record, for :raster and :rate. */
typedef struct {
    simulation *sm;
    int pop;
    const double *t;
    const uint32_t *idx;
    size_t n;
} spike_view;

/* The record of SIM.POP at *arg (moved past it), which has run: an error message otherwise. */
static bool spikes_of(repl *r, const char **arg, spike_view *v)
{
    path pa;
    bool bad;
    const char *end = parse_path(r, *arg, &pa, &bad);
    if (!end) {
        if (!bad)
            error(r, "which population? (:raster sim.E)");
        return false;
    }
    if (pa.pop < 0)
        return error(r, "which population of %s? (%s.%s)", pa.sm->name, pa.sm->name,
                     pa.sm->desc->npops ? pa.sm->desc->pops[0].name : "E");
    if (axon_sim_spikes(pa.sm->sim, pa.pop, &v->t, &v->idx, &v->n) != AXON_OK)
        return error(r, "%s.%s has no spike record (add `record spikes %s` to the module)",
                     pa.sm->name, pa.sm->desc->pops[pa.pop].name, pa.sm->desc->pops[pa.pop].name);
    if (!(axon_sim_time(pa.sm->sim) > 0))
        return error(r, "%s has not run yet (:run %s 100 ms)", pa.sm->name, pa.sm->name);
    v->sm = pa.sm;
    v->pop = pa.pop;
    *arg = skip_ws(end);
    return true;
}

static bool cmd_raster(repl *r, const char *arg)
{
    spike_view v;
    if (!spikes_of(r, &arg, &v))
        return false;
    double t0 = 0, t1 = axon_sim_time(v.sm->sim);
    if (*arg && !window_arg(r, arg, t1, &t0, &t1))
        return false;
    int w, h;
    term_size(&w, &h);
    size_t shown = 0; /* the spikes in the window, its end included, as the header counts them */
    for (size_t k = 0; k < v.n; k++)
        shown += v.t[k] >= t0 && v.t[k] <= t1;
    const axon_pop_desc *pd = &v.sm->desc->pops[v.pop];
    fprintf(r->out, "%s.%s: %zu spikes, %g to %g ms\n", v.sm->name, pd->name, shown, t0 * 1e3,
            t1 * 1e3);
    term_raster(r->out, v.t, v.idx, v.n, pd->size, t0, t1, w - 10, h / 2 > 4 ? h / 2 : 4);
    return true;
}

static bool cmd_rate(repl *r, const char *arg)
{
    spike_view v;
    if (!spikes_of(r, &arg, &v) || !no_more(r, arg, "rate"))
        return false;
    double t1 = axon_sim_time(v.sm->sim);
    int w, h;
    term_size(&w, &h);
    const axon_pop_desc *pd = &v.sm->desc->pops[v.pop];
    fprintf(r->out, "%s.%s: population rate (Hz), 0 to %g ms\n", v.sm->name, pd->name, t1 * 1e3);
    term_rate(r->out, v.t, v.n, pd->size, 0, t1, w - 12, h / 3 > 4 ? h / 3 : 4);
    return true;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *f)
{
    (void)st;
    (void)flag;
    (void)f;
    return remove(path);
}

/* :plot KIND SIM[.POP] [FROM, TO] to FILE.svg — the recordings so far go through a temporary
 * directory in $TMPDIR or /tmp (axon_sim_write), which the analysis library reads like any other
 * recording, and which is removed after. */
static bool cmd_plot(repl *r, const char *arg)
{
    char kind[32];
    const char *p = ident(skip_ws(arg), kind, sizeof kind);
    bool known = false;
    for (size_t k = 0; p && axon_figure_kind(k); k++)
        known |= !strcmp(axon_figure_kind(k), kind);
    if (!known)
        return error(r, "which figure? :plot raster|rate|isi|spectrum|cch|avalanches SIM[.POP] "
                        "to FILE.svg");
    const char *to = strstr(p, " to ");
    for (const char *q = to; q; q = strstr(q + 1, " to "))
        to = q;
    const char *file = to ? skip_ws(to + 4) : NULL;
    size_t fl = file ? strlen(file) : 0;
    while (fl && isspace((unsigned char)file[fl - 1]))
        fl--;
    if (!file || fl < 5 || strncmp(file + fl - 4, ".svg", 4))
        return error(r, "into which file? figures are SVG: :plot %s SIM to FILE.svg", kind);
    char *middle = xstrdup(p), *out = xstrdup(file);
    middle[to - p] = 0;
    out[fl] = 0;
    path pa;
    bool bad, good = false;
    const char *rest = parse_path(r, middle, &pa, &bad);
    simulation *sm = rest ? pa.sm : NULL;
    double t0 = 0, t1 = sm ? axon_sim_time(sm->sim) : 0;
    const char *td = getenv("TMPDIR");
    char tmp[4096], dir[4200];
    snprintf(tmp, sizeof tmp, "%s/axon-plot-XXXXXX", td && *td == '/' ? td : "/tmp");
    if (!rest) {
        if (!bad)
            error(r, "of which simulation? (:plot %s sim.E to %s)", kind, out);
    } else if (pa.var >= 0 || pa.param >= 0) {
        error(r, "figures are of populations: :plot %s %s.%s to %s", kind, sm->name,
              sm->desc->pops[pa.pop].name, out);
    } else if (!(axon_sim_time(sm->sim) > 0)) {
        error(r, "%s has not run yet (:run %s 100 ms)", sm->name, sm->name);
    } else if (*skip_ws(rest) && !window_arg(r, skip_ws(rest), t1, &t0, &t1)) {
        /* reported */
    } else if (!mkdtemp(tmp)) {
        error(r, "cannot make a temporary directory: %s", strerror(errno));
    } else {
        axon_err err;
        axon_recording *rec = NULL;
        axon_analysis *a = NULL;
        snprintf(dir, sizeof dir, "%s/rec", tmp);
        if (axon_sim_write(sm->sim, dir, &err) == AXON_OK &&
            (rec = axon_recording_open(dir, &err)) &&
            (a = axon_analyze(rec, t0, t1, NULL, &err)) &&
            axon_analysis_figure(a, kind, pa.pop >= 0 ? sm->desc->pops[pa.pop].name : NULL, out,
                                 &err) == AXON_OK) {
            fprintf(r->out, "wrote the %s figure of %s%s%s, %g to %g ms, into %s\n", kind,
                    sm->name, pa.pop >= 0 ? "." : "", pa.pop >= 0 ? sm->desc->pops[pa.pop].name : "",
                    t0 * 1e3, t1 * 1e3, out);
            good = true;
        } else {
            /* the temporary recording's path is no name the user knows */
            size_t dl = strlen(dir);
            error(r, "%s",
                  !strncmp(err.msg, dir, dl) && err.msg[dl] == ':' ? err.msg + dl + 2 : err.msg);
        }
        axon_analysis_free(a);
        axon_recording_free(rec);
        nftw(tmp, remove_entry, 8, FTW_DEPTH | FTW_PHYS);
    }
    free(middle);
    free(out);
    return good;
}

static bool cmd_defs(repl *r, const char *arg)
{
    (void)arg;
    program *p = current(r);
    if (!p)
        return false;
    int n = axonc_def_count(p->unit);
    for (int i = 0; i < n; i++) {
        axonc_def d;
        if (axonc_def_get(p->unit, i, &d) != AXONC_OK)
            continue;
        fprintf(r->out, "%-8s %-20s", kind_name(d.kind), d.name);
        for (int k = 0; k < d.nmembers; k++) {
            axonc_member m;
            if (axonc_def_member(p->unit, i, k, &m) == AXONC_OK &&
                (m.kind == AXONC_PARAM || m.kind == AXONC_PARAM_EACH))
                fprintf(r->out, " %s", m.name);
        }
        fputc('\n', r->out);
    }
    return true;
}

static bool cmd_sims(repl *r, const char *arg)
{
    (void)arg;
    for (int i = 0; i < r->nsims; i++)
        fprintf(r->out, "%-10s %-16s t = %g ms%s\n", r->sims[i].name, r->sims[i].module,
                axon_sim_time(r->sims[i].sim) * 1e3,
                r->sims[i].stale ? " (made from older definitions)" : "");
    return true;
}

static bool load_file(repl *r, const char *path)
{
    /* the model file's limit, and no open that waits on a FIFO */
    char *text = NULL;
    size_t len = 0;
    if (axonc_read_file(r->s, path, &text, &len) != AXONC_OK)
        return error(r, "%s", axonc_session_error(r->s));
    /* a file's `run` line belongs to `axon run`: the REPL keeps its definitions */
    bool good = define(r, path, text);
    free(text);
    return good;
}

static bool cmd_load(repl *r, const char *arg)
{
    if (!*arg)
        return error(r, "which file? (:load model.axon)");
    return load_file(r, arg);
}

static bool cmd_seed(repl *r, const char *arg)
{
    char *end;
    errno = 0;
    unsigned long long s = strtoull(arg, &end, 10);
    if (!*arg || *skip_ws(end) || errno || *arg == '-')
        return error(r, "the seed is a whole number of at least 0");
    r->seed = s;
    return true;
}

static bool cmd_write(repl *r, const char *arg)
{
    simulation *sm = sim_arg(r, &arg);
    if (!sm)
        return false;
    if (!*arg)
        return error(r, "into which directory? (:write %s out)", sm->name);
    axon_err err;
    if (axon_sim_write(sm->sim, arg, &err) != AXON_OK)
        return error(r, "%s", err.msg);
    fprintf(r->out, "wrote the recordings of %s into %s/\n", sm->name, arg);
    return true;
}

/* :save SIM FILE and :restore SIM FILE: checkpoints (the whole state, spikes in flight, the
 * step, signals, recordings and parameters), so that a run goes on bit for bit. */
static bool cmd_checkpoint(repl *r, const char *arg, bool save)
{
    simulation *sm = sim_arg(r, &arg);
    if (!sm)
        return false;
    if (!*arg)
        return error(r, "which file? (:%s %s state.axck)", save ? "save" : "restore", sm->name);
    axon_status st = save ? axon_sim_checkpoint(sm->sim, arg) : axon_sim_restore(sm->sim, arg);
    if (st != AXON_OK)
        return error(r, "%s", axon_sim_error(sm->sim));
    fprintf(r->out, "%s %s %s %s (t = %g ms)\n", save ? "saved" : "restored", sm->name,
            save ? "into" : "from", arg, axon_sim_time(sm->sim) * 1e3);
    return true;
}

static bool cmd_save(repl *r, const char *arg) { return cmd_checkpoint(r, arg, true); }
static bool cmd_restore(repl *r, const char *arg) { return cmd_checkpoint(r, arg, false); }

static bool cmd_type(repl *r, const char *arg)
{
    axonc_value v;
    if (!eval(r, arg, &v))
        return false;
    if (v.is_bool)
        fprintf(r->out, "a truth value\n");
    else if (!strcmp(v.unit, "1"))
        fprintf(r->out, "dimensionless\n");
    else if (*v.quantity)
        fprintf(r->out, "%s (%s)\n", v.quantity, v.unit);
    else
        fprintf(r->out, "%s\n", v.unit);
    return true;
}

/* Returns false on an error; *quit is set by :quit. */
static bool command(repl *r, const char *line, bool *quit)
{
    char name[32];
    const char *p = ident(line + 1, name, sizeof name);
    if (!p)
        return error(r, "a command is ':' and a name (:help lists them)");
    const char *arg = skip_ws(p);
    char *a = xstrdup(arg);
    size_t l = strlen(a);
    while (l && isspace((unsigned char)a[l - 1]))
        a[--l] = 0;
    static const struct {
        const char *name;
        bool (*fn)(repl *, const char *);
    } TABLE[] = {
        {"help", cmd_help}, {"type", cmd_type},   {"run", cmd_run},       {"reset", cmd_reset},
        {"drop", cmd_drop}, {"stats", cmd_stats}, {"raster", cmd_raster}, {"plot", cmd_plot},
        {"rate", cmd_rate}, {"defs", cmd_defs},   {"sims", cmd_sims},     {"load", cmd_load},
        {"seed", cmd_seed}, {"write", cmd_write}, {"save", cmd_save},     {"restore", cmd_restore}};
    bool good = false, found = false;
    if (!strcmp(name, "quit") || !strcmp(name, "q") || !strcmp(name, "exit")) {
        *quit = true;
        good = found = true;
    }
    for (size_t k = 0; k < sizeof TABLE / sizeof *TABLE && !found; k++)
        if (!strcmp(name, TABLE[k].name)) {
            found = true;
            good = TABLE[k].fn(r, a);
        }
    if (!found)
        good = error(r, "no command ':%s' (:help lists them)", name);
    free(a);
    return good;
}

/* ---- one entry ------------------------------------------------------------------------------- */

static bool handle(repl *r, const char *text, bool *quit)
{
    const char *p = skip_ws(text);
    if (!*p || *p == '#')
        return true;
    if (!strncmp(p, ":time", 5) && (isspace((unsigned char)p[5]) || !p[5])) {
        double t0 = now();
        bool good = handle(r, p + 5, quit);
        fprintf(r->out, "time: %.3f ms\n", (now() - t0) * 1e3);
        return good;
    }
    r->counter++;
    if (*p == ':')
        return command(r, p, quit);
    if (starts_with_keyword(p)) {
        char *name = xprintf("<repl:%d>", r->counter);
        bool good = define(r, name, text);
        free(name);
        return good;
    }
    /* NAME = ..., or a path assignment */
    char name[64];
    const char *q = ident(p, name, sizeof name);
    path pa;
    bool bad = false;
    const char *pend = parse_path(r, p, &pa, &bad);
    if (bad)
        return false;
    if (pend) {
        const char *rest = skip_ws(pend);
        /* `sim = MODULE(...)` on an existing simulation replaces it (below) */
        if (*rest == '=' && rest[1] != '=' && pa.pop >= 0)
            return assign_path(r, &pa, rest + 1);
        if (!*rest) {
            print_path(r, &pa);
            return true;
        }
    }
    if (q) {
        const char *eq = skip_ws(q);
        if (*eq == '=' && eq[1] != '=') {
            const char *rhs = skip_ws(eq + 1);
            char mod[64];
            const char *m = ident(rhs, mod, sizeof mod);
            program *cur = r->cur;
            int di = m && cur ? axonc_def_find(cur->unit, mod) : -1;
            axonc_def d;
            if (di >= 0 && axonc_def_get(cur->unit, di, &d) == AXONC_OK && d.kind == AXONC_MODULE) {
                const char *after = skip_ws(m);
                if (!*after)
                    return make_sim(r, name, mod, NULL);
                if (*after == '(') {
                    const char *close = strrchr(after, ')');
                    if (!close || *skip_ws(close + 1))
                        return error(r, "a simulation is NAME = MODULE(name = value, ...)");
                    char *args = strndup(after + 1, (size_t)(close - after - 1));
                    bool good = make_sim(r, name, mod, args);
                    free(args);
                    return good;
                }
            }
            if (find_sim(r, name))
                return error(r, "'%s' is a simulation; assign to one of its variables "
                                "(%s.POP.VAR = value)", name, name);
            axonc_value v;
            if (!eval(r, rhs, &v))
                return false;
            set_binding(r, name, &v);
            return true;
        }
    }
    axonc_value v;
    if (!eval(r, p, &v))
        return false;
    print_value(r, &v);
    return true;
}

/* ---- line editing ---------------------------------------------------------------------------- */

#if defined(HAVE_LIBEDIT) || defined(HAVE_READLINE)
/* The one REPL whose names completion offers: readline's completion hooks take no user
 * pointer, so the session being edited is kept here while readline runs. */
static repl *completing;

static const char *const KEYWORDS[] = {
    "import", "neuron", "synapse", "rule", "module", "parameters", "state", "inputs",
    "equations", "spike", "when", "refractory", "method", "population", "project", "connect",
    "delay", "learn", "signal", "record", "every", "on", "pre", "post", "let", "if", "then",
    "else", "and", "or", "not", "true", "false", "where", "from", "continuous", "step",
    "output", "modulator", "exp", "log", "sqrt", "sin", "cos", "tanh", "abs", "min", "max",
    "mV", "ms", "nS", "nA", "pA", "pF", "Mohm", "Hz", "s", "us", "uS", "mS", "V", "A",
};

static char **candidates;
static int ncandidates;

static void add_candidate(const char *prefix, size_t plen, const char *word, const char *head)
{
    if (strncmp(word, prefix, plen))
        return;
    candidates = xrealloc(candidates, (size_t)(ncandidates + 1) * sizeof *candidates);
    candidates[ncandidates++] = head ? xprintf("%s%s", head, word) : xstrdup(word);
}

/* Fills candidates for the word being completed (with its member path: "sim.E.v"). */
static void gather(const char *text)
{
    repl *r = completing;
    size_t len = strlen(text);
    const char *dot = strrchr(text, '.');
    if (dot) {
        /* member paths: sim.POP.VAR */
        char head[256];
        size_t hl = (size_t)(dot - text) + 1;
        if (hl >= sizeof head)
            return;
        memcpy(head, text, hl);
        head[hl] = 0;
        char simname[64];
        const char *e = ident(text, simname, sizeof simname);
        simulation *sm = e ? find_sim(r, simname) : NULL;
        if (!sm)
            return;
        if (e == dot) {
            for (uint32_t k = 0; k < sm->desc->npops; k++)
                add_candidate(dot + 1, len - hl, sm->desc->pops[k].name, head);
            return;
        }
        for (uint32_t k = 0; k < sm->desc->npops; k++) {
            const axon_pop_desc *pd = &sm->desc->pops[k];
            size_t pl = strlen(pd->name);
            if ((size_t)(dot - e - 1) != pl || strncmp(e + 1, pd->name, pl))
                continue;
            for (uint32_t v = 0; v < pd->nvars; v++)
                if (pd->vars[v].kind != AXON_VAR_HIDDEN)
                    add_candidate(dot + 1, len - hl, pd->vars[v].name, head);
            /* and its shared parameters (per-neuron ones are variables above) */
            for (uint32_t k2 = 0; k2 < axon_sim_param_count(sm->sim); k2++) {
                const axon_param_desc *pp = axon_sim_param_desc(sm->sim, k2);
                if (pp && !(pp->flags & AXON_PARAM_PROJ) && pp->kind == AXON_PARAM_SHARED &&
                    !strncmp(pp->name, pd->name, pl) && pp->name[pl] == '.')
                    add_candidate(dot + 1, len - hl, pp->name + pl + 1, head);
            }
        }
        return;
    }
    if (rl_line_buffer && rl_line_buffer[0] == ':' && !strchr(rl_line_buffer, ' ')) {
        for (size_t k = 0; k < sizeof COMMANDS / sizeof *COMMANDS; k++)
            add_candidate(text[0] == ':' ? text + 1 : text, text[0] == ':' ? len - 1 : len,
                          COMMANDS[k].name, text[0] == ':' ? ":" : NULL);
        return;
    }
    for (size_t k = 0; k < sizeof KEYWORDS / sizeof *KEYWORDS; k++)
        add_candidate(text, len, KEYWORDS[k], NULL);
    for (int i = 0; i < r->nsims; i++)
        add_candidate(text, len, r->sims[i].name, NULL);
    for (int i = 0; i < r->nbinds; i++)
        add_candidate(text, len, r->binds[i].name, NULL);
    if (r->cur)
        for (int i = 0; i < axonc_def_count(r->cur->unit); i++) {
            axonc_def d;
            if (axonc_def_get(r->cur->unit, i, &d) == AXONC_OK)
                add_candidate(text, len, d.name, NULL);
        }
}

static char *next_candidate(const char *text, int state)
{
    static int at; /* readline's generator protocol: state 0 starts over */
    if (state == 0) {
        for (int i = 0; i < ncandidates; i++)
            free(candidates[i]);
        ncandidates = 0;
        at = 0;
        gather(text);
    }
    return at < ncandidates ? xstrdup(candidates[at++]) : NULL;
}

static char **complete(const char *text, int start, int end)
{
    (void)start;
    (void)end;
    return rl_completion_matches(text, next_candidate);
}

/* mkdir -p with mode 0700: the XDG base directory specification asks for the missing
 * directories of a state file to be made */
static void make_dirs(char *path)
{
    for (char *p = path + 1; *p; p++)
        if (*p == '/') {
            *p = 0;
            mkdir(path, 0700);
            *p = '/';
        }
    mkdir(path, 0700);
}

static char *history_path(void)
{
    const char *state = getenv("XDG_STATE_HOME");
    if (state && *state) {
        char *dir = xprintf("%s/axon", state);
        make_dirs(dir);
        free(dir);
        return xprintf("%s/axon/history", state);
    }
    const char *home = getenv("HOME");
    return home && *home ? xprintf("%s/.axon_history", home) : NULL;
}
#endif

#if defined(HAVE_LIBEDIT) || defined(HAVE_READLINE)
/* Ctrl-D typed while a command ran: the terminal, in its cooked mode then, took it for the end
 * of an empty line, which the line editor, in raw mode, never sees (the session then waited at
 * the prompt for a key already typed). Such a pending end polls ready with no bytes to read
 * (FIONREAD 0: a canonical terminal does not count the marker), and reading it returns 0. A
 * line typed ahead (bytes ready) is left to the editor. */
static bool eof_typed_ahead(void)
{
    struct pollfd p = {.fd = STDIN_FILENO, .events = POLLIN};
    int n = -1;
    if (poll(&p, 1, 0) != 1 || !(p.revents & POLLIN) || ioctl(STDIN_FILENO, FIONREAD, &n) != 0 ||
        n != 0)
        return false;
    char c;
    return read(STDIN_FILENO, &c, 1) == 0;
}
#endif

/* Reads one line: with line editing on a terminal, else from stdin. NULL at the end. */
static char *read_line(repl *r, const char *prompt)
{
#if defined(HAVE_LIBEDIT) || defined(HAVE_READLINE)
    if (r->interactive)
        return eof_typed_ahead() ? NULL : readline(prompt);
#endif
    (void)r;
    (void)prompt;
    char *line = NULL;
    size_t cap = 0;
    ssize_t n = getline(&line, &cap, stdin);
    if (n < 0) {
        free(line);
        return NULL;
    }
    if (n && line[n - 1] == '\n')
        line[n - 1] = 0;
    return line;
}

/* Reads one entry: lines until the brackets close. NULL at the end of input. */
static char *read_entry(repl *r)
{
    char *entry = NULL;
    for (;;) {
        const char *prompt = r->color ? (entry ? "\001\033[2m\002  ...\001\033[0m\002 "
                                               : "\001\033[1;34m\002axon>\001\033[0m\002 ")
                                      : (entry ? "  ... " : "axon> ");
        char *line = read_line(r, prompt);
        if (!line && r->interactive && interrupted) {
            /* Ctrl-C at the prompt drops what was typed, as in a shell */
            interrupted = 0;
            fputc('\n', r->out);
            free(entry);
            entry = NULL;
            continue;
        }
        if (!line) {
            if (entry && !r->interactive)
                return entry; /* a script that ends inside an entry: its error shows */
            free(entry);
            return NULL;
        }
        char *joined = entry ? xprintf("%s\n%s", entry, line) : xstrdup(line);
        free(entry);
        free(line);
        entry = joined;
        if (open_brackets(entry) <= 0)
            break;
    }
#if defined(HAVE_LIBEDIT) || defined(HAVE_READLINE)
    if (r->interactive && *skip_ws(entry))
        add_history(entry);
#endif
    return entry;
}

/* ---- main ------------------------------------------------------------------------------------ */

static int usage(const char *msg, const char *arg)
{
    fprintf(stderr, "axon repl: ");
    fprintf(stderr, msg, arg);
    fprintf(stderr, "\nTry 'axon help repl' for more information.\n");
    return 2;
}

int repl_main(int argc, char **argv)
{
    const char *exprs[64];
    int nexprs = 0;
    const char *files[64];
    int nfiles = 0;
    bool quiet = false;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-e")) {
            if (++i == argc)
                return usage("-e needs code to run, like -e '1 mV / 2 ms'%s", "");
            if (nexprs == 64)
                return usage("too many -e options%s", "");
            exprs[nexprs++] = argv[i];
        } else if (!strcmp(argv[i], "-q") || !strcmp(argv[i], "--quiet")) {
            quiet = true;
        } else if (argv[i][0] == '-' && argv[i][1]) {
            return usage("unknown option '%s'", argv[i]);
        } else if (nfiles < 64) {
            files[nfiles++] = argv[i];
        } else {
            return usage("too many files%s", "");
        }
    }
    repl r = {0};
    r.out = stdout;
    r.interactive = !nexprs && isatty(STDIN_FILENO);
    const char *nc = getenv("NO_COLOR");
    r.color = r.interactive && isatty(STDERR_FILENO) && !(nc && *nc);
    r.diag_flags = r.color ? AXONC_RENDER_COLOR : 0;
    axonc_options o = {.on_diag = show_diag, .user = &r};
    o.stdlib_dir = getenv("AXON_STDLIB");
    o.import_path = getenv("AXON_PATH");
    r.s = axonc_session_new(&o);
    if (!r.s) {
        fputs("axon repl: out of memory\n", stderr);
        return 1;
    }
    struct sigaction sa = {0};
    sa.sa_handler = on_sigint;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
#if defined(HAVE_LIBEDIT) || defined(HAVE_READLINE)
    char *hist = NULL;
    int hist_start = 0;
    if (r.interactive) {
        completing = &r;
        rl_attempted_completion_function = complete;
        rl_completer_word_break_characters = " \t\n\"\\'`@$><=;|&{(,+-*/^[]:";
        hist = history_path();
        if (hist)
            read_history(hist);
        hist_start = history_length;
    }
#endif
    int status = 0;
    bool quit = false;
    for (int i = 0; i < nfiles && !status; i++)
        if (!load_file(&r, files[i]))
            status = 1;
    if (r.interactive && !quiet && !status)
        fprintf(r.out, "Axon %s — :help for help, Ctrl-D to leave\n", PACKAGE_VERSION);
    for (int i = 0; i < nexprs && !status && !quit; i++) {
        fflush(r.out); /* what came before, ahead of this entry's errors (standard error) */
        if (!handle(&r, exprs[i], &quit))
            status = 1;
    }
    while (!quit && !nexprs && !(status && !r.interactive)) {
        char *e = read_entry(&r);
        if (!e)
            break;
        interrupted = 0;
        fflush(r.out); /* what came before, ahead of this entry's errors (standard error) */
        if (!handle(&r, e, &quit) && !r.interactive)
            status = 1;
        fflush(r.out);
        free(e);
    }
    if (r.interactive && !quit)
        fputc('\n', r.out);
#if defined(HAVE_LIBEDIT) || defined(HAVE_READLINE)
    if (hist) {
        /* The file as it is now (another session open at once may have added to it), then
           this session's entries, written whole: both sessions' entries stay (a rewrite from
           what this session read at its start lost the other's). The newest 1000 are kept.
           libedit's append_history repeats an entry and its history_truncate_file drops the
           file's header, so neither is used. */
        int added = history_length - hist_start;
        if (added > 0) {
            char **mine = xrealloc(NULL, (size_t)added * sizeof *mine);
            for (int k = 0; k < added; k++) {
                HIST_ENTRY *h = history_get(history_base + hist_start + k);
                mine[k] = h && h->line ? xstrdup(h->line) : NULL;
            }
            clear_history();
            read_history(hist); /* none yet: nothing to keep */
            for (int k = 0; k < added; k++) {
                if (mine[k])
                    add_history(mine[k]);
                free(mine[k]);
            }
            free(mine);
            stifle_history(1000);
            write_history(hist);
        }
        free(hist);
    }
    for (int i = 0; i < ncandidates; i++)
        free(candidates[i]);
    free(candidates);
    candidates = NULL;
    ncandidates = 0;
    completing = NULL;
#endif
    for (int i = 0; i < r.nsims; i++)
        sim_free(&r, &r.sims[i]);
    free(r.sims);
    for (int i = 0; i < r.nentries; i++)
        entry_free(&r.entries[i]);
    free(r.entries);
    for (int i = 0; i < r.nbinds; i++)
        free(r.binds[i].name);
    free(r.binds);
    program_release(&r, r.cur);
    axonc_session_free(r.s);
    return status;
}
