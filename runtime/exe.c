/* The command line of compiled models (see exe.h). */
#include "config.h"

#include "axon/exe.h"
#include "axon/analysis.h"
#include "axon/io.h"

#include <ctype.h>
#include <errno.h>
#include <libgen.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#ifdef HAVE_MPI
#include <mpi.h>
#endif

double axon_exe_parse_time(const char *text)
{
    char *end;
    double v = strtod(text, &end), scale = 1;
    if (end == text || !isfinite(v) || v <= 0)
        return 0;
    while (*end == ' ')
        end++;
    /* a plain number is in seconds; else any unit of time (axon_unit_convert) */
    if (*end && !axon_unit_convert("s", end, &scale))
        return 0;
    v *= scale;
    return isfinite(v) && v > 0 ? v : 0;
}

double axon_exe_parse_size(const char *text)
{
    char *end;
    double v = strtod(text, &end);
    if (end == text || !isfinite(v) || v <= 0 || !isdigit((unsigned char)*text))
        return 0;
    while (*end == ' ')
        end++;
    static const char UNITS[] = "KMGT";
    double scale = 1;
    if (*end) {
        const char *u = strchr(UNITS, *end);
        if (!u)
            return 0;
        scale = ldexp(1.0, 10 * (int)(u - UNITS + 1));
        end++;
        if (!strcmp(end, "iB"))
            end += 2;
    }
    return *end ? 0 : v * scale;
}

/* "1.5 GiB" */
static const char *exe_bytes(double b, char *buf, size_t n)
{
    static const char *const U[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
    int k = 0;
    while (b >= 1024 && k < 6) {
        b /= 1024;
        k++;
    }
    snprintf(buf, n, k ? "%.1f %s" : "%.0f %s", b, U[k]);
    return buf;
}

/* What record r of m is, as a model writes it ("P.v", "spikes P", "rate P", "E->I.w"). */
static void exe_record_name(const axon_model_desc *m, uint32_t r, char *buf, size_t n)
{
    const axon_record_desc *d = &m->records[r];
    if (d->kind == AXON_REC_WEIGHTS) {
        const axon_proj_desc *q = &m->projs[d->target];
        snprintf(buf, n, "%s.%s", q->name, q->vars[d->var].name);
    } else if (d->kind == AXON_REC_STATE) {
        const axon_pop_desc *p = &m->pops[d->target];
        snprintf(buf, n, "%s.%s", p->name, p->vars[d->var].name);
    } else if (d->kind == AXON_REC_SPIKE_VALUES) { /* the copy "_spike_v" of v */
        const char *v = m->pops[d->target].vars[d->var].name;
        snprintf(buf, n, "spikes %s.%s", m->pops[d->target].name,
                 strncmp(v, "_spike_", 7) ? v : v + 7);
    } else {
        snprintf(buf, n, "%s %s", d->kind == AXON_REC_SPIKES ? "spikes" : "rate",
                 m->pops[d->target].name);
    }
}

/* The memory estimate (axon_model_memory): printed with --dry-run, and a run over --max-memory
 * (or the machine's memory) refused. Returns 0 to go on, 1 for an error, -1 after a dry run. */
static int exe_memory(const char *prog, const axon_model_desc *m, const axon_exe_opts *o,
                      double duration)
{
    axon_err err = {{0}};
    size_t n = (size_t)m->npops + m->nprojs + m->nrecords;
    axon_mem_item *items = o->dry_run ? calloc(n ? n : 1, sizeof *items) : NULL;
    double total;
    if (o->dry_run && !items) {
        fprintf(stderr, "%s: out of memory\n", prog);
        return 1;
    }
    if (axon_model_memory(m, duration, items, n, &total, &err) != AXON_OK) {
        fprintf(stderr, "%s: %s\n", prog, err.msg);
        free(items);
        return 1;
    }
    char b1[32], b2[32], name[160];
    if (o->dry_run) {
        printf("%s: memory for %.6g s of model time (%.0f steps of %g ms), %s precision\n",
               m->name, duration, round(duration / m->dt), m->dt * 1e3,
               m->precision == 4 ? "single" : "double");
        printf("  %-28s %16s %-12s %12s\n", "part", "count", "", "bytes");
        for (size_t k = 0; k < n; k++) {
            const axon_mem_item *it = &items[k];
            const char *what = "neurons";
            if (it->kind == AXON_MEM_POP) {
                snprintf(name, sizeof name, "population %s", m->pops[it->index].name);
            } else if (it->kind == AXON_MEM_PROJ) {
                snprintf(name, sizeof name, "projection %s", m->projs[it->index].name);
                what = it->approx == AXON_MEM_EXPECTED  ? "synapses (expected)"
                       : it->approx == AXON_MEM_AT_MOST ? "synapses (at most)"
                                                        : "synapses";
            } else {
                char rec[128];
                exe_record_name(m, (uint32_t)it->index, rec, sizeof rec);
                snprintf(name, sizeof name, "record %s", rec);
                what = m->records[it->index].kind == AXON_REC_SPIKES ||
                               m->records[it->index].kind == AXON_REC_SPIKE_VALUES
                           ? "spikes a step"
                           : "samples";
            }
            printf("  %-28s %16.0f %-12s %12s\n", name, it->count, what,
                   exe_bytes(it->bytes, b1, sizeof b1));
        }
        printf("  %-28s %16s %-12s %12s = %.0f bytes\n", "total (peak)", "", "",
               exe_bytes(total, b1, sizeof b1), total);
        printf("not counted: 12 bytes per recorded spike; the program (and with axon run the "
               "compiler)\n");
        free(items);
        return -1;
    }
    double limit = o->max_memory;
    const char *whose = "--max-memory";
    if (!(limit > 0)) {
        long pages = sysconf(_SC_PHYS_PAGES), size = sysconf(_SC_PAGESIZE);
        limit = pages > 0 && size > 0 ? (double)pages * (double)size : 0;
        whose = "the machine's memory";
    }
    if (limit > 0 && total > limit) {
        fprintf(stderr,
                "%s: the run would take about %s, more than %s (%s); see --dry-run for the parts%s\n",
                prog, exe_bytes(total, b1, sizeof b1), whose, exe_bytes(limit, b2, sizeof b2),
                o->max_memory > 0 ? "" : ", --max-memory SIZE to allow more (swap)");
        return 1;
    }
    return 0;
}

void axon_exe_summary(FILE *out, axon_sim *sim, double compile_s, const char *outdir)
{
    const axon_model_desc *m = axon_sim_model(sim);
    double t = axon_sim_time(sim), wall = axon_sim_wall_seconds(sim);
    unsigned long long neurons = 0, spikes = 0;
    fprintf(out, "%s: %.4g s of model time in %llu steps of %g ms\n", m->name, t,
            (unsigned long long)axon_sim_steps(sim), m->dt * 1e3);
    fprintf(out, "  %-16s %10s %12s %12s\n", "population", "neurons", "spikes", "rate (Hz)");
    for (uint32_t p = 0; p < m->npops; p++) {
        const axon_pop_desc *pd = &m->pops[p];
        uint64_t n = axon_sim_spike_count(sim, (int)p);
        neurons += pd->size;
        spikes += n;
        if (pd->spiking && t > 0)
            fprintf(out, "  %-16s %10u %12llu %12.3f\n", pd->name, pd->size, (unsigned long long)n,
                    (double)n / pd->size / t);
        else
            fprintf(out, "  %-16s %10u %12s %12s\n", pd->name, pd->size, "-", "-");
    }
    fprintf(out, "  %-16s %10llu %12llu\n", "total", neurons, spikes);
    int th = axon_sim_threads(sim);
    if (compile_s >= 0)
        fprintf(out, "compile %.3f s, ", compile_s);
    fprintf(out, "run %.3f s (%d thread%s), real-time factor %.3g\n", wall, th, th == 1 ? "" : "s",
            t > 0 ? wall / t : 0.0);
    axon_mpi_info mi;
    axon_sim_mpi_info(sim, &mi);
    if (mi.size > 1)
        fprintf(out,
                "MPI: %d ranks of %d thread%s; spikes exchanged every %u step%s (%g ms)%s: "
                "%llu exchanges, %.3f s in them on rank %d, %.0f bytes received per exchange\n",
                mi.size, th, th == 1 ? "" : "s", mi.interval, mi.interval == 1 ? "" : "s",
                mi.interval * m->dt * 1e3, mi.overlap ? ", overlapped" : "",
                (unsigned long long)mi.exchanges, mi.comm_seconds, mi.rank,
                mi.exchanges ? (double)mi.bytes / (double)mi.exchanges : 0.0);
    if (mi.size > 1 && mi.gathers)
        fprintf(out, "MPI: %llu gathers of whole populations' variables, %.6f s in them on rank "
                "%d (%.3g us each)\n", (unsigned long long)mi.gathers, mi.gather_seconds,
                mi.rank, 1e6 * mi.gather_seconds / (double)mi.gathers);
    if (outdir)
        fprintf(out, "recordings in %s/ (see manifest.json)\n", outdir);
    else if (m->nrecords)
        fprintf(out, "note: %u recording%s not saved; use -o DIR\n", m->nrecords,
                m->nrecords == 1 ? "" : "s");
}

void axon_exe_progress(void *user, double f)
{
    (void)user;
    int w = 40, n = (int)(f * w + 0.5);
    fprintf(stderr, "\r  [%.*s%*s] %3.0f%%", n, "========================================", w - n, "",
            f * 100);
    if (f >= 1.0)
        fputs("\r\033[K", stderr);
    fflush(stderr);
}

static int exe_run(const char *prog, const axon_model_desc *model, const axon_exe_opts *o,
                   const void *comm, double duration, double compile_s, int *together);

static const char OPTIONS_HELP[] =
    "  -t, --time DURATION    model time to simulate, e.g. 1s, '500 ms'\n"
    "  -o, --output DIR       write the recordings (NPY files and manifest.json) into DIR;\n"
    "                         written atomically: a failed run leaves DIR as it was\n"
    "  --seed N               random seed (default 0); same seed, same results\n"
    "  --threads N            worker threads (results are identical for any N)\n"
    "  --grain N              work (neuron updates, synaptic events) per thread for a step to\n"
    "                         run in parallel; 1: every step (default: measured)\n"
    "  --signal NAME=NUMBER   pin a module signal (a rule's modulator) to a value for the run\n"
    "  --checkpoint-every DURATION\n"
    "                         write a checkpoint of the whole simulation every DURATION of\n"
    "                         model time, the end of the run included when it is a\n"
    "                         multiple (atomically: a killed run leaves the last one)\n"
    "  --checkpoint FILE      where (default: DIR.checkpoint next to -o DIR); a run stopped\n"
    "                         by SIGINT or SIGTERM writes one there too\n"
    "  --resume FILE          continue from a checkpoint (with its seed) up to -t; the\n"
    "                         recordings equal those of a run that never stopped\n"
    "  --on-nan stop|warn|ignore\n"
    "                         a state variable that becomes NaN or infinite (checked every\n"
    "                         64 steps and at the end): stop the run there, write what was\n"
    "                         recorded (\"partial\": true) and exit with status 1 (stop, the\n"
    "                         default); warn once and go on; or do not check\n"
    "  --dry-run              print the memory the run would take (neurons, synapses, bytes\n"
    "                         per population, projection and record) and stop there\n"
    "  --max-memory SIZE      refuse a run whose estimate is larger than SIZE (a number with\n"
    "                         K, M, G or T: powers of 1024), before allocating anything\n"
    "                         (default: the machine's physical memory)\n"
    "  --report               with -o DIR: analyse the recordings as axon analyze does and\n"
    "                         write the report (figures, index.html) into DIR/report\n"
    "  -q, --quiet            no progress bar and no summary\n";

const char *axon_exe_options_help(void) { return OPTIONS_HELP; }

/* --set of executables (`axon run` lists its own: a compiler option there) */
static const char SET_HELP[] =
    "  --set POP.NAME=VALUE   set a parameter of a population or projection before the first\n"
    "                         step, with its unit (repeatable): --set E.tau_m=30ms --set\n"
    "                         'E->I.w=2 nS'; sizes and module parameters are fixed when the\n"
    "                         model is compiled (axon build --set N=...)\n";

static bool whole(const char *v, unsigned long long max, unsigned long long *out)
{
    char *end;
    if (!*v || *v == '-' || *v == '+' || *v == ' ')
        return false;
    errno = 0;
    unsigned long long x = strtoull(v, &end, 10);
    if (*end || errno || x > max)
        return false;
    *out = x;
    return true;
}

/* Parses the value of `--set NAME=VALUE` (text): a parameter's name with a dot (a population
 * or projection, then the parameter: "E.tau_m", "E->I.w"), '=', a finite number and an
 * optional unit ("30ms", "2 nS"; axon_unit_convert). name (NAME_MAX_SET bytes) and unit
 * (UNIT_MAX_SET bytes, "" when none) receive the parts. false with the message in err. */
enum { NAME_MAX_SET = 128, UNIT_MAX_SET = 64 };
static bool parse_set(const char *text, char *name, double *value, char *unit, char *err,
                      size_t errlen)
{
    const char *eq = strchr(text, '=');
    size_t n = eq ? (size_t)(eq - text) : 0;
    while (n > 0 && (text[n - 1] == ' ' || text[n - 1] == '\t')) /* 'E.tau = 30 ms' */
        n--;
    if (!eq || !n || n >= NAME_MAX_SET || strcspn(text, " \t") < n) {
        snprintf(err, errlen, "--set needs NAME=VALUE, like E.tau_m=30ms; not '%s'", text);
        return false;
    }
    memcpy(name, text, n);
    name[n] = '\0';
    if (!strchr(name, '.')) {
        snprintf(err, errlen,
                 "--set %s: '%s' is not a parameter of a population or projection (POP.NAME); "
                 "a module parameter is fixed when the model is compiled: axon build --set %s",
                 text, name, text);
        return false;
    }
    const char *v = eq + 1;
    while (*v == ' ' || *v == '\t')
        v++;
    if (!strcmp(v, "true") || !strcmp(v, "false")) { /* a condition: ee.learning=false */
        *value = v[0] == 't';
        snprintf(unit, UNIT_MAX_SET, "%s", v); /* apply_sets checks the parameter is one */
        return true;
    }
    char *end;
    double x = strtod(v, &end);
    const char *u = end;
    while (*u == ' ')
        u++;
    bool number = end != v && isfinite(x) && (isdigit((unsigned char)*v) || *v == '-' ||
                                               *v == '+' || *v == '.');
    if (!number || (*u && (strlen(u) >= UNIT_MAX_SET || !axon_unit_convert(u, u, NULL)))) {
        snprintf(err, errlen, "--set %s: '%s' is not a number with an optional unit", text, v);
        return false;
    }
    *value = x;
    snprintf(unit, UNIT_MAX_SET, "%s", u);
    return true;
}

/* Sets the --set parameters of o in sim; false after printing why not. A value without a unit
 * is refused for a parameter that has one (3 would be 3 A, not 3 nA), except 0, as the
 * compiler's --set does. */
static bool apply_sets(const char *prog, axon_sim *sim, const axon_exe_opts *o)
{
    for (int k = 0; k < o->nsets; k++) {
        char name[NAME_MAX_SET], unit[UNIT_MAX_SET], err[256];
        double x;
        if (!parse_set(o->sets[k], name, &x, unit, err, sizeof err)) { /* checked before */
            fprintf(stderr, "%s: %s\n", prog, err);
            return false;
        }
        int p = axon_sim_param_index(sim, name);
        const axon_param_desc *d = p >= 0 ? axon_sim_param_desc(sim, (uint32_t)p) : NULL;
        bool truth = !strcmp(unit, "true") || !strcmp(unit, "false");
        if (d && truth != !!(d->flags & AXON_PARAM_BOOL)) {
            fprintf(stderr, "%s: --set %s: '%s' is %s\n", prog, o->sets[k], name,
                    truth ? "a number, not true or false" : "true or false, not a number");
            return false;
        }
        if (truth)
            unit[0] = '\0';
        if (d && !*unit && x != 0 && !axon_unit_convert("1", d->unit, NULL)) {
            fprintf(stderr, "%s: --set %s: '%s' is in %s, but %s has no unit (write one: --set "
                            "'%s=%s %s', or any unit of its dimension)\n",
                    prog, o->sets[k], name, d->unit, o->sets[k] + strlen(name) + 1, name,
                    o->sets[k] + strlen(name) + 1, d->unit);
            return false;
        }
        if (axon_sim_set_param(sim, name, x, *unit ? unit : NULL) != AXON_OK) {
            fprintf(stderr, "%s: --set %s: %s\n", prog, o->sets[k], axon_sim_error(sim));
            return false;
        }
    }
    return true;
}

int axon_exe_option(axon_exe_opts *o, int argc, char *const *argv, int i, char *err,
                    size_t errlen)
{
    const char *a = argv[i];
    if (!strcmp(a, "-q") || !strcmp(a, "--quiet")) {
        o->quiet = 1;
        return 1;
    }
    if (!strcmp(a, "--report")) {
        o->report = 1;
        return 1;
    }
    if (!strcmp(a, "--dry-run")) {
        o->dry_run = 1;
        return 1;
    }
    /* the names other simulators' users try first */
    static const struct {
        const char *alias, *option;
    } ALIAS[] = {{"--duration", "-t (--time)"}, {"--runtime", "-t (--time)"},
                 {"--T", "-t (--time)"},        {"--out", "-o (--output)"},
                 {"--outdir", "-o (--output)"}, {"--output-dir", "-o (--output)"},
                 {"--nthreads", "--threads"},   {"-j", "--threads"},
                 {"--random-seed", "--seed"},   {"--rng-seed", "--seed"}};
    for (size_t k = 0; k < sizeof ALIAS / sizeof *ALIAS; k++)
        if (!strncmp(a, ALIAS[k].alias, strlen(ALIAS[k].alias)) &&
            (!a[strlen(ALIAS[k].alias)] || a[strlen(ALIAS[k].alias)] == '=')) {
            snprintf(err, errlen, "unknown option '%s': did you mean %s?", a, ALIAS[k].option);
            return -1;
        }
    bool known = !strcmp(a, "-t") || !strcmp(a, "--time") || !strcmp(a, "-o") ||
                 !strcmp(a, "--output") || !strcmp(a, "--seed") || !strcmp(a, "--threads") ||
                 !strcmp(a, "--grain") || !strcmp(a, "--signal") ||
                 !strcmp(a, "--checkpoint-every") || !strcmp(a, "--checkpoint") ||
                 !strcmp(a, "--resume") || !strcmp(a, "--on-nan") ||
                 !strcmp(a, "--max-memory") || !strcmp(a, "--set");
    if (!known)
        return 0;
    if (i + 1 >= argc) {
        snprintf(err, errlen, "%s needs a value", a);
        return -1;
    }
    const char *v = argv[i + 1];
    unsigned long long x;
    if (!strcmp(a, "-t") || !strcmp(a, "--time")) {
        if (!(o->duration = axon_exe_parse_time(v))) {
            snprintf(err, errlen,
                     "-t needs a positive duration (in s, or with a unit of time: "
                     "'1 s', 500ms); not '%s'",
                     v);
            return -1;
        }
    } else if (!strcmp(a, "--checkpoint-every")) {
        if (!(o->checkpoint_every = axon_exe_parse_time(v))) {
            snprintf(err, errlen,
                     "--checkpoint-every needs a positive duration (in s, or with a "
                     "unit of time: 100ms); not '%s'",
                     v);
            return -1;
        }
    } else if (!strcmp(a, "--checkpoint") || !strcmp(a, "--resume")) {
        if (!*v) {
            snprintf(err, errlen, "%s needs a file name", a);
            return -1;
        }
        *(a[2] == 'c' ? &o->checkpoint : &o->resume) = v;
    } else if (!strcmp(a, "--max-memory")) {
        if (!(o->max_memory = axon_exe_parse_size(v))) {
            snprintf(err, errlen, "--max-memory needs a size such as 512M, 4G or '1.5 T', not '%s'",
                     v);
            return -1;
        }
    } else if (!strcmp(a, "--on-nan")) {
        static const char *const ACTIONS[] = {[AXON_NONFINITE_STOP] = "stop",
                                              [AXON_NONFINITE_WARN] = "warn",
                                              [AXON_NONFINITE_IGNORE] = "ignore"};
        int k = 0;
        while (k < 3 && strcmp(v, ACTIONS[k]))
            k++;
        if (k == 3) {
            snprintf(err, errlen, "--on-nan needs stop, warn or ignore, not '%s'", v);
            return -1;
        }
        o->on_nan = k;
    } else if (!strcmp(a, "-o") || !strcmp(a, "--output")) {
        if (!*v) {
            snprintf(err, errlen, "-o needs a directory");
            return -1;
        }
        o->outdir = v;
    } else if (!strcmp(a, "--seed")) {
        if (!whole(v, UINT64_MAX, &x)) {
            snprintf(err, errlen, "--seed needs a non-negative whole number, not '%s'", v);
            return -1;
        }
        o->seed = x;
    } else if (!strcmp(a, "--threads")) {
        if (!whole(v, AXON_MAX_THREADS, &x) || x == 0) {
            snprintf(err, errlen, "--threads needs a number from 1 to %d, not '%s'",
                     AXON_MAX_THREADS, v);
            return -1;
        }
        o->threads = (int)x;
    } else if (!strcmp(a, "--set")) {
        char name[NAME_MAX_SET], unit[UNIT_MAX_SET];
        double y;
        if (!parse_set(v, name, &y, unit, err, errlen))
            return -1;
        for (int k = 0; k < o->nsets; k++) { /* which would win is anybody's guess */
            char other[NAME_MAX_SET], ou[UNIT_MAX_SET], oe[8];
            double oy;
            if (parse_set(o->sets[k], other, &oy, ou, oe, sizeof oe) && !strcmp(other, name)) {
                snprintf(err, errlen, "--set %s is given twice", name);
                return -1;
            }
        }
        if (o->nsets == AXON_EXE_MAX_SETS) {
            snprintf(err, errlen, "too many --set options (at most %d)", AXON_EXE_MAX_SETS);
            return -1;
        }
        o->sets[o->nsets++] = v;
    } else if (!strcmp(a, "--grain")) {
        if (!whole(v, UINT32_MAX, &x) || x == 0) {
            snprintf(err, errlen, "--grain needs a positive whole number, not '%s'", v);
            return -1;
        }
        o->grain = (uint32_t)x;
    } else {
        const char *eq = strchr(v, '=');
        char *end = NULL;
        double y = eq ? strtod(eq + 1, &end) : 0;
        if (!eq || eq == v || !eq[1] || *end || !isfinite(y) || eq - v >= 64) {
            snprintf(err, errlen, "--signal needs NAME=NUMBER, not '%s'", v);
            return -1;
        }
        if (o->nsignals == AXON_EXE_MAX_SIGNALS) {
            snprintf(err, errlen, "too many --signal options (at most %d)", AXON_EXE_MAX_SIGNALS);
            return -1;
        }
        snprintf(o->signal_names[o->nsignals], 64, "%.*s", (int)(eq - v), v);
        o->signal_values[o->nsignals++] = y;
    }
    return 2;
}

/* ---- provenance ------------------------------------------------------------------------- */

/* The command line as a shell would take it back: words with anything unusual quoted, the
 * program by its name (an in-tree or installed path says nothing about the run). */
static char *command_line(int argc, char *const *argv)
{
    size_t len = 1;
    for (int i = 0; i < argc; i++)
        len += 4 * strlen(argv[i]) + 3;
    char *s = malloc(len), *p = s;
    if (!s)
        return NULL;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i], *slash = i == 0 ? strrchr(a, '/') : NULL;
        if (slash && slash[1])
            a = slash + 1;
        bool plain = *a != '\0';
        for (const char *q = a; *q; q++)
            plain &= strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
                            "-_./=:,+@%", *q) != NULL;
        if (i)
            *p++ = ' ';
        if (plain) {
            p += sprintf(p, "%s", a);
            continue;
        }
        *p++ = '\'';
        for (const char *q = a; *q; q++)
            p += *q == '\'' ? sprintf(p, "'\\''") : sprintf(p, "%c", *q);
        *p++ = '\'';
    }
    *p = '\0';
    return s;
}

/* Records where the recordings came from (manifest.json's "meta"); AXON_ENOMEM, with the
 * message in the simulation, when it cannot (recordings without it would not say where they
 * came from). */
static axon_status set_provenance(axon_sim *sim, const axon_exe_opts *o)
{
    axon_status st = AXON_OK;
    if (o->argc > 0 && o->argv) {
        char *cmd = command_line(o->argc, o->argv);
        st = cmd ? axon_sim_set_meta(sim, "command", cmd)
                 : axon_err_set(NULL, AXON_ENOMEM, NULL);
        free(cmd);
    }
    char hex[65];
    if (st == AXON_OK && o->source) {
        st = axon_sim_set_meta(sim, "source", o->source);
        if (st == AXON_OK && axon_sha256_file(o->source, hex, NULL) == AXON_OK)
            st = axon_sim_set_meta(sim, "source_sha256", hex);
    }
    return st;
}

/* --report: axon analyze OUTDIR, from the files just written. */
static int report(const char *prog, const char *outdir, bool quiet)
{
    axon_err err;
    int status = 1;
    axon_recording *r = axon_recording_open(outdir, &err);
    axon_analysis *a = r ? axon_analyze(r, 0, -1, NULL, &err) : NULL;
    size_t n = strlen(outdir) + sizeof "/report";
    char *dir = malloc(n);
    if (a && dir) {
        snprintf(dir, n, "%s/report", outdir);
        if (axon_analysis_write(a, dir, &err) == AXON_OK) {
            status = 0;
            if (!quiet)
                printf("%sreport in %s/index.html\n", axon_analysis_table(a), dir);
        }
    }
    if (status)
        fprintf(stderr, "%s: --report: %s\n", prog, a && !dir ? "out of memory" : err.msg);
    free(dir);
    axon_analysis_free(a);
    axon_recording_free(r);
    return status;
}

/* ---- checkpoints: every --checkpoint-every of model time, and when a signal stops the run */

typedef struct {
    const char *path;            /* NULL: none */
    uint64_t every, first, last; /* steps: the period (0: none), the run's first and last */
    uint64_t stride;             /* progress reports */
    bool tty;
    axon_status st;
    char msg[256];
} exe_ckpt;

static int exe_step(axon_sim *sim, void *user)
{
    exe_ckpt *c = user;
    uint64_t n = axon_sim_steps(sim);
    if (c->tty && ((n - c->first) % c->stride == 0 || n == c->last))
        axon_exe_progress(NULL, (double)(n - c->first) / (double)(c->last - c->first));
    if (c->every && n % c->every == 0 && (c->st = axon_sim_checkpoint(sim, c->path)) != AXON_OK) {
        snprintf(c->msg, sizeof c->msg, "%s", axon_sim_error(sim));
        return 1;
    }
    return 0;
}

/* The signal that stopped the run (SIGINT, SIGTERM), 0 for none: the handler below sets it. */
static volatile sig_atomic_t exe_signal;

/* Whether to checkpoint after a run that ended with st: when a signal stopped it; over MPI
 * ranks (collective) when every rank stopped (a signal to any rank), not when a rank found a
 * non-finite value (that rank's status is AXON_ENONFINITE, the others' AXON_ESTOPPED). */
static bool exe_stopped(axon_status st, int size)
{
    int mine = st == AXON_ESTOPPED, all = mine;
#ifdef HAVE_MPI
    if (size > 1)
        MPI_Allreduce(&mine, &all, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD);
#endif
    return all && (exe_signal || size > 1);
}

/* Runs sim to the model time `end` (from 0) as axon_sim_run would, with a checkpoint every
 * o->checkpoint_every and one more when a signal stops the run (to --checkpoint FILE, or
 * DIR.checkpoint next to -o DIR). Returns the run's status (AXON_ESTOPPED included); a failure,
 * of the run or of a checkpoint, is reported here. */
static axon_status exe_loop(const char *prog, axon_sim *sim, const axon_exe_opts *o, double end,
                            bool tty)
{
    const axon_model_desc *m = axon_sim_model(sim);
    char dflt[4096];
    exe_ckpt c = {.path = o->checkpoint, .tty = tty, .first = axon_sim_steps(sim)};
    if (o->outdir && !c.path) {
        size_t l = strlen(o->outdir);
        while (l > 1 && o->outdir[l - 1] == '/')
            l--;
        snprintf(dflt, sizeof dflt, "%.*s.checkpoint", (int)l, o->outdir);
        c.path = dflt;
    }
    double k = round(o->checkpoint_every / m->dt);
    c.every = o->checkpoint_every > 0 ? (k >= 1 ? (uint64_t)k : 1) : 0;
    double last = round(end / m->dt);
    c.last = last > (double)c.first ? (uint64_t)last : c.first;
    c.stride = (c.last - c.first + 99) / 100;
    if (c.stride == 0)
        c.stride = 1;
    axon_status st = axon_sim_run_until(sim, end, exe_step, &c);
    if (st == AXON_OK && c.st != AXON_OK) {
        fprintf(stderr, "%s: checkpoint: %s\n", prog, c.msg);
        return c.st;
    }
    if (st != AXON_OK && st != AXON_ESTOPPED && st != AXON_ENONFINITE) {
        fprintf(stderr, "%s: %s\n", prog, axon_sim_error(sim));
        return st;
    }
    axon_mpi_info mi;
    axon_sim_mpi_info(sim, &mi);
    /* a signal's stop; over MPI ranks every rank stops at the same step, whichever rank the
       signal reached, and writes its part of the checkpoint (collective) */
    if (exe_stopped(st, mi.size) && c.path) {
        if (tty)
            fputs("\r\033[K", stderr);
        if (axon_sim_checkpoint(sim, c.path) == AXON_OK) {
            if (mi.rank == 0)
                fprintf(stderr, "%s: checkpoint in %s: continue with --resume %s%s\n", prog,
                        c.path, c.path, mi.size > 1 ? " and as many MPI ranks" : "");
        } else
            fprintf(stderr, "%s: checkpoint: %s\n", prog, axon_sim_error(sim));
    }
    return st;
}

/* ---- SIGINT and SIGTERM: stop at the end of the step, write what was recorded
 *
 * A signal handler can reach only static storage, so this file keeps the simulation that a
 * signal stops while axon_exe_simulate runs it, and the signal seen: the one mutable state of
 * the runtime's libraries, here because this library is the program's user interface (the
 * runtime itself installs no handlers). A second signal acts as if none had been caught
 * (SA_RESETHAND), and signals that were ignored when the run began (a background job of a
 * script) stay ignored. */
static axon_sim *volatile exe_sim;

static void exe_on_signal(int sig)
{
    exe_signal = sig;
    axon_sim *s = exe_sim;
    if (s)
        axon_sim_stop(s); /* async-signal-safe: sets a flag */
}

enum { EXE_NSIG = 2 };
static const int EXE_SIGNALS[EXE_NSIG] = {SIGINT, SIGTERM};

typedef struct {
    struct sigaction old[EXE_NSIG];
    bool caught[EXE_NSIG];
} exe_handlers;

static void exe_catch(exe_handlers *h)
{
    exe_signal = 0;
    for (int i = 0; i < EXE_NSIG; i++) {
        h->caught[i] = false;
        if (sigaction(EXE_SIGNALS[i], NULL, &h->old[i]) != 0 ||
            (!(h->old[i].sa_flags & SA_SIGINFO) && h->old[i].sa_handler == SIG_IGN))
            continue;
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = exe_on_signal;
        sigemptyset(&sa.sa_mask);
        sa.sa_flags = SA_RESETHAND;
        h->caught[i] = sigaction(EXE_SIGNALS[i], &sa, NULL) == 0;
    }
}

static void exe_release(exe_handlers *h)
{
    exe_sim = NULL;
    for (int i = 0; i < EXE_NSIG; i++)
        if (h->caught[i])
            sigaction(EXE_SIGNALS[i], &h->old[i], NULL);
}

static const char *exe_signal_name(int sig)
{
    return sig == SIGINT ? "SIGINT" : sig == SIGTERM ? "SIGTERM" : "a signal";
}

/* ---- MPI (docs/mpi.md): a process started by mpirun or srun is one rank of the simulation */

typedef struct {
    int rank, size; /* 0 and 1 when not started by an MPI launcher */
    char prog[256]; /* "PROG (rank R of K)" */
    int together;   /* the run ended on every rank at one step (a stop, a non-finite value):
                       a failing status then needs no MPI_Abort to end the other ranks */
#ifdef HAVE_MPI
    MPI_Comm world;
#endif
} exe_mpi;

/* The world size an MPI launcher gave this process (Open MPI, PMI, PMIx), 0 when none did. */
static int exe_launched_size(void)
{
    const char *v[] = {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_SIZE"};
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++)
        if (getenv(v[i]))
            return atoi(getenv(v[i])) > 0 ? atoi(getenv(v[i])) : 1;
    return getenv("PMIX_RANK") ? 1 : 0;
}

/* Joins the MPI job when there is one; non-zero (reported) when this program cannot. */
static int exe_mpi_begin(const char *prog, exe_mpi *mp)
{
    mp->rank = 0;
    mp->size = 1;
    snprintf(mp->prog, sizeof mp->prog, "%s", prog);
    int launched = exe_launched_size();
#ifdef HAVE_MPI
    if (!launched)
        return 0;
    int provided;
    MPI_Init_thread(NULL, NULL, MPI_THREAD_FUNNELED, &provided);
    mp->world = MPI_COMM_WORLD;
    MPI_Comm_rank(mp->world, &mp->rank);
    MPI_Comm_size(mp->world, &mp->size);
    if (mp->size > 1)
        snprintf(mp->prog, sizeof mp->prog, "%s (rank %d of %d)", prog, mp->rank, mp->size);
    return 0;
#else
    if (launched <= 1)
        return 0;
    fprintf(stderr, "%s: started as one of %d MPI processes, but built without MPI: each would "
                    "run the whole simulation (configure --with-mpi)\n", prog, launched);
    return 2;
#endif
}

/* Leaves the MPI job: a failure on one rank ends every rank's (the others may be waiting for
 * it in an exchange), other ends are normal. Returns status. */
static int exe_mpi_end(exe_mpi *mp, int status)
{
#ifdef HAVE_MPI
    int init = 0;
    MPI_Initialized(&init);
    if (!init)
        return status;
    if (status != 0 && status < 128 && mp->size > 1 && !mp->together) {
        fflush(stdout);
        fflush(stderr);
        MPI_Abort(mp->world, status);
    }
    MPI_Finalize();
#else
    (void)mp;
#endif
    return status;
}

static const void *exe_mpi_comm(const exe_mpi *mp)
{
#ifdef HAVE_MPI
    int init = 0;
    MPI_Initialized(&init);
    return init ? &mp->world : NULL;
#else
    (void)mp;
    return NULL;
#endif
}

static int exe_simulate(const char *prog, const axon_model_desc *model, const axon_exe_opts *o,
                        double compile_s, exe_mpi *mp);

int axon_exe_simulate(const char *prog, const axon_model_desc *model, const axon_exe_opts *o,
                      double compile_s)
{
    exe_mpi mp = {0};
    int status = exe_mpi_begin(prog, &mp);
    if (status)
        return status;
    axon_exe_opts ro = *o;
    if (mp.rank > 0) { /* rank 0 reports for all */
        ro.quiet = 1;
        ro.report = 0;
    }
    return exe_mpi_end(&mp, exe_simulate(mp.prog, model, &ro, compile_s, &mp));
}

static int exe_simulate(const char *prog, const axon_model_desc *model, const axon_exe_opts *o,
                        double compile_s, exe_mpi *mp)
{
    if (o->report && !o->outdir) {
        fprintf(stderr, "%s: --report needs -o DIR (the report is made from the recordings)\n",
                prog);
        return 2;
    }
    double duration = o->duration > 0 ? o->duration : model->duration;
    if (duration <= 0) {
        fprintf(stderr, "%s: the model has no 'run ... for' line: give the duration with -t, "
                        "like -t 1s\n", prog);
        return 2;
    }
    if (o->checkpoint_every > 0 && !o->checkpoint && !o->outdir) {
        fprintf(stderr, "%s: --checkpoint-every needs --checkpoint FILE or -o DIR\n", prog);
        return 2;
    }
    /* the steps axon_sim_run takes: at least one, and within its limit, before any work */
    double steps = round(duration / model->dt);
    if (steps < 1) {
        fprintf(stderr,
                "%s: a run of %.6g s is shorter than one time step (%g ms): nothing "
                "would run\n",
                prog, duration, model->dt * 1e3);
        return 2;
    }
    if (steps >= 0x1p48) {
        fprintf(stderr,
                "%s: a run of %.6g s is %.6g steps of %g ms, past the limit of 2^48 "
                "steps\n",
                prog, duration, steps, model->dt * 1e3);
        return 2;
    }
    int mem = exe_memory(prog, model, o, duration);
    if (mem)
        return mem < 0 ? 0 : mem;
    axon_err err = {{0}};
    /* a run whose recordings cannot be written is not started */
    if (o->outdir && axon_sim_check_output(o->outdir, &err) != AXON_OK) {
        fprintf(stderr, "%s: -o: %s\n", prog, err.msg);
        return 1;
    }
    /* nor one whose checkpoints cannot be: a directory, or a place that takes no new files
       (each is written to a temporary file next to it, then renamed) */
    if (o->checkpoint) {
        struct stat st;
        char *dup = strdup(o->checkpoint);
        const char *dir = dup ? dirname(dup) : ".";
        int bad = 1;
        if (stat(o->checkpoint, &st) == 0 && S_ISDIR(st.st_mode))
            fprintf(stderr, "%s: --checkpoint: %s is a directory\n", prog, o->checkpoint);
        else if (access(dir, W_OK | X_OK) != 0)
            fprintf(stderr, "%s: --checkpoint: %s: cannot write in %s: %s\n", prog, o->checkpoint,
                    dir, strerror(errno));
        else
            bad = 0;
        free(dup);
        if (bad)
            return 1;
    }
    exe_handlers handlers;
    exe_catch(&handlers);
    int status = exe_run(prog, model, o, exe_mpi_comm(mp), duration, compile_s, &mp->together);
    exe_release(&handlers);
    return status;
}

static int exe_run(const char *prog, const axon_model_desc *model, const axon_exe_opts *o,
                   const void *comm, double duration, double compile_s, int *together)
{
    axon_err err = {{0}};
    /* a signal during the build stops it (not over MPI ranks, which build together) */
    axon_opts ao = {o->seed, o->threads, comm ? NULL : &exe_signal};
    axon_checkpoint_info ck;
    if (o->resume) { /* the seed the checkpoint's connectivity was built with */
        if (axon_checkpoint_read_info(o->resume, &ck, &err) != AXON_OK) {
            fprintf(stderr, "%s: --resume: %s\n", prog, err.msg);
            return 1;
        }
        ao.seed = ck.seed;
    }
    /* The simulation's worker threads start with every signal blocked (pool.c), so the
       handler runs on this thread, never while another one frees the simulation. Over MPI
       ranks the build is collective: a signal waits for its end here (a second one would end
       this rank inside a collective call, and the others would wait for it). */
    sigset_t block, old;
    sigemptyset(&block);
    for (int i = 0; comm && i < EXE_NSIG; i++)
        sigaddset(&block, EXE_SIGNALS[i]);
    pthread_sigmask(SIG_BLOCK, &block, &old);
    axon_sim *sim =
        comm ? axon_sim_new_mpi(model, &ao, comm, &err) : axon_sim_new(model, &ao, &err);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (!sim && exe_signal && !strcmp(err.msg, "stopped while building the network")) {
        /* nothing was written */
        fprintf(stderr, "%s: stopped by %s while building the network\n", prog,
                exe_signal_name(exe_signal));
        return 128 + exe_signal;
    }
    if (!sim) {
        fprintf(stderr, "%s: %s\n", prog, err.msg);
        return 1;
    }
    if (o->resume && axon_sim_restore(sim, o->resume) != AXON_OK) {
        fprintf(stderr, "%s: --resume: %s\n", prog, axon_sim_error(sim));
        axon_sim_free(sim);
        return 1;
    }
    /* -t is where the run ends, not how much longer it goes: a checkpoint past it is refused
       (after the restore, so that a checkpoint of another model or a part of a set of ranks
       is refused as that) */
    if (o->resume && (double)axon_sim_steps(sim) > round(duration / model->dt)) {
        fprintf(stderr,
                "%s: --resume: %s is at %.6g s, past the end of the run (-t %.6g s): give -t "
                "the time the resumed run ends at\n",
                prog, o->resume, axon_sim_time(sim), duration);
        axon_sim_free(sim);
        return 2;
    }
    exe_sim = sim;
    if (exe_signal) /* before the simulation existed */
        axon_sim_stop(sim);
    if (o->grain)
        axon_sim_set_grain(sim, o->grain);
    axon_sim_set_nonfinite(sim, o->on_nan);
    if (set_provenance(sim, o) != AXON_OK) {
        fprintf(stderr, "%s: out of memory\n", prog);
        exe_sim = NULL;
        axon_sim_free(sim);
        return 1;
    }
    axon_mpi_info mi;
    axon_sim_mpi_info(sim, &mi);
    for (uint32_t q = 0; q < model->nprojs && mi.rank == 0; q++) { /* rank 0 warns for all */
        uint64_t nr = 0;
        if (axon_sim_proj_delays(sim, (int)q, NULL, NULL, &nr) == AXON_OK && nr > 0)
            fprintf(stderr,
                    "%s: warning: projection '%s': %llu of %llu delays changed by more than "
                    "1%% when rounded to the time step (%g ms)\n",
                    prog, model->projs[q].name, (unsigned long long)nr,
                    (unsigned long long)axon_sim_synapse_count(sim, (int)q), model->dt * 1e3);
    }
    int status = apply_sets(prog, sim, o) ? 0 : 2;
    for (int k = 0; k < o->nsignals && !status; k++)
        if (axon_sim_set_signal(sim, o->signal_names[k], o->signal_values[k]) != AXON_OK) {
            fprintf(stderr, "%s: --signal: %s\n", prog, axon_sim_error(sim));
            status = 2;
        }
    bool tty = isatty(fileno(stderr)) && !o->quiet;
    axon_status rs = status ? AXON_OK : exe_loop(prog, sim, o, duration, tty);
    *together = rs == AXON_ESTOPPED || rs == AXON_ENONFINITE;
    if (!status && rs == AXON_OK && getenv("AXON_TEST_SIGNAL_BEFORE_WRITE")) /* (tests) */
        raise(SIGTERM); /* as one that comes while the recordings are written */
    if (status) {
    } else if (rs == AXON_ESTOPPED) {
        if (tty)
            fputs("\r\033[K", stderr);
        /* over MPI ranks, a rank not signalled stops with the one that was */
        fprintf(stderr, "%s: stopped by %s at %.6g s of %.6g s%s\n", prog,
                exe_signal ? exe_signal_name(exe_signal) : "another MPI rank's stop",
                axon_sim_time(sim), duration,
                o->outdir ? "; writing what was recorded (\"partial\": true)" : "");
    } else if (rs == AXON_ENONFINITE) {
        if (tty)
            fputs("\r\033[K", stderr);
        fprintf(stderr, "%s: %s: the run stopped there (--on-nan warn goes on)%s\n", prog,
                axon_sim_error(sim),
                o->outdir ? "; writing what was recorded (\"partial\": true)" : "");
    } else if (rs != AXON_OK) { /* reported by exe_loop */
        status = 1;
    }
    axon_nonfinite nf;
    if (!status && rs == AXON_OK && axon_sim_nonfinite(sim, &nf))
        fprintf(stderr, "%s: warning: %s; the run went on (--on-nan warn)\n", prog, nf.text);
    if (status) {
    } else if (o->outdir && axon_sim_write(sim, o->outdir, &err) != AXON_OK) {
        fprintf(stderr, "%s: %s\n", prog, err.msg);
        status = 1;
    } else if (!o->quiet) {
        axon_exe_summary(stdout, sim, compile_s, o->outdir);
    }
    /* stopped by a signal: 128 + it. One that came during the last step or the write stopped
       nothing: the run is complete (and its recordings whole), which the exit status says, but
       the report is not made, as the signal asked the program to end. */
    bool late = !status && exe_signal && rs == AXON_OK;
    if (late)
        fprintf(stderr, "%s: %s came after the last step; the run is complete%s%s\n", prog,
                exe_signal_name(exe_signal), o->outdir ? " and its recordings are whole" : "",
                o->report ? " (no report made)" : "");
    else if (!status && exe_signal)
        status = 128 + exe_signal;
    else if (!status && (rs == AXON_ENONFINITE || rs == AXON_ESTOPPED))
        status = 1;
    exe_sim = NULL;
    axon_sim_free(sim);
    if (!status && o->report && !late)
        status = report(prog, o->outdir, o->quiet);
    return status;
}

int axon_exe_main(int argc, char **argv, const axon_model_desc *model)
{
    const char *prog = argc > 0 ? argv[0] : "model";
    axon_exe_opts o = {0};
    o.argc = argc;
    o.argv = argv;
    for (int i = 1; i < argc;) {
        const char *a = argv[i];
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            printf("usage: %s [options]\n"
                   "Simulates the model %s (compiled by axon build).\n\noptions:\n%s%s",
                   prog, model->name, OPTIONS_HELP, SET_HELP);
            return 0;
        }
        char err[256];
        int used = axon_exe_option(&o, argc, argv, i, err, sizeof err);
        if (used <= 0) {
            if (!used)
                snprintf(err, sizeof err, "unknown option '%s'", a);
            fprintf(stderr, "%s: %s\nTry '%s --help' for more information.\n", prog, err, prog);
            return 2;
        }
        i += used;
    }
    return axon_exe_simulate(prog, model, &o, -1);
}
