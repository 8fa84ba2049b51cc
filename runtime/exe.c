/* The command line of compiled models (see exe.h). */
#include "axon/exe.h"

#include <errno.h>
#include <stdbool.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

double axon_exe_parse_time(const char *text)
{
    char *end;
    double v = strtod(text, &end);
    if (end == text || !isfinite(v) || v <= 0)
        return 0;
    while (*end == ' ')
        end++;
    static const struct {
        const char *unit;
        double scale;
    } UNITS[] = {{"", 1}, {"s", 1}, {"ms", 1e-3}, {"us", 1e-6}, {"\xc2\xb5s", 1e-6}, {"ns", 1e-9},
                 {"min", 60}};
    for (size_t i = 0; i < sizeof UNITS / sizeof UNITS[0]; i++)
        if (!strcmp(end, UNITS[i].unit))
            return v * UNITS[i].scale;
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
    "                         model time (atomically: a killed run leaves the last one)\n"
    "  --checkpoint FILE      where (default: DIR.checkpoint next to -o DIR)\n"
    "  --resume FILE          continue from a checkpoint (with its seed) up to -t; the\n"
    "                         recordings equal those of a run that never stopped\n"
    "  -q, --quiet            no progress bar and no summary\n";

const char *axon_exe_options_help(void) { return OPTIONS_HELP; }

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

int axon_exe_option(axon_exe_opts *o, int argc, char *const *argv, int i, char *err,
                    size_t errlen)
{
    const char *a = argv[i];
    if (!strcmp(a, "-q") || !strcmp(a, "--quiet")) {
        o->quiet = 1;
        return 1;
    }
    bool known = !strcmp(a, "-t") || !strcmp(a, "--time") || !strcmp(a, "-o") ||
                 !strcmp(a, "--output") || !strcmp(a, "--seed") || !strcmp(a, "--threads") ||
                 !strcmp(a, "--grain") || !strcmp(a, "--signal") ||
                 !strcmp(a, "--checkpoint-every") || !strcmp(a, "--checkpoint") ||
                 !strcmp(a, "--resume");
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
            snprintf(err, errlen, "-t needs a positive duration with a unit, like '1 s' or 500ms; "
                                  "not '%s'", v);
            return -1;
        }
    } else if (!strcmp(a, "--checkpoint-every")) {
        if (!(o->checkpoint_every = axon_exe_parse_time(v))) {
            snprintf(err, errlen, "--checkpoint-every needs a positive duration with a unit, like "
                                  "100ms; not '%s'", v);
            return -1;
        }
    } else if (!strcmp(a, "--checkpoint") || !strcmp(a, "--resume")) {
        if (!*v) {
            snprintf(err, errlen, "%s needs a file name", a);
            return -1;
        }
        *(a[2] == 'c' ? &o->checkpoint : &o->resume) = v;
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

/* A run with checkpoints: a checkpoint after every `every` steps, the progress bar. */
typedef struct {
    const char *path;
    uint64_t every, first, last; /* steps: the period, the run's first and last */
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
    if (c->every && n % c->every == 0 && n < c->last &&
        (c->st = axon_sim_checkpoint(sim, c->path)) != AXON_OK) {
        snprintf(c->msg, sizeof c->msg, "%s", axon_sim_error(sim));
        return 1;
    }
    return 0;
}

/* Runs sim to the model time `end`, checkpointing as o says; 0, or 1 with a message. */
static int exe_run(const char *prog, axon_sim *sim, const axon_exe_opts *o, double end, bool tty)
{
    const axon_model_desc *m = axon_sim_model(sim);
    char dflt[4096];
    exe_ckpt c = {.path = o->checkpoint, .tty = tty, .first = axon_sim_steps(sim)};
    if (o->checkpoint_every > 0 && !c.path) {
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
    if (axon_sim_run_until(sim, end, exe_step, &c) != AXON_OK) {
        fprintf(stderr, "%s: %s\n", prog, axon_sim_error(sim));
        return 1;
    }
    if (c.st != AXON_OK) {
        fprintf(stderr, "%s: checkpoint: %s\n", prog, c.msg);
        return 1;
    }
    return 0;
}

int axon_exe_simulate(const char *prog, const axon_model_desc *model, const axon_exe_opts *o,
                      double compile_s)
{
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
    axon_err err = {{0}};
    axon_opts ao = {o->seed, o->threads};
    axon_checkpoint_info ck;
    if (o->resume) { /* the seed the connectivity was built with */
        if (axon_checkpoint_read_info(o->resume, &ck, &err) != AXON_OK) {
            fprintf(stderr, "%s: --resume: %s\n", prog, err.msg);
            return 1;
        }
        ao.seed = ck.seed;
    }
    axon_sim *sim = axon_sim_new(model, &ao, &err);
    if (!sim) {
        fprintf(stderr, "%s: %s\n", prog, err.msg);
        return 1;
    }
    if (o->resume && axon_sim_restore(sim, o->resume) != AXON_OK) {
        fprintf(stderr, "%s: --resume: %s\n", prog, axon_sim_error(sim));
        axon_sim_free(sim);
        return 1;
    }
    if (o->grain)
        axon_sim_set_grain(sim, o->grain);
    for (uint32_t q = 0; q < model->nprojs; q++) {
        uint64_t nr = 0;
        if (axon_sim_proj_delays(sim, (int)q, NULL, NULL, &nr) == AXON_OK && nr > 0)
            fprintf(stderr,
                    "%s: warning: projection '%s': %llu of %llu delays changed by more than "
                    "1%% when rounded to the time step (%g ms)\n",
                    prog, model->projs[q].name, (unsigned long long)nr,
                    (unsigned long long)axon_sim_synapse_count(sim, (int)q), model->dt * 1e3);
    }
    int status = 0;
    for (int k = 0; k < o->nsignals && !status; k++)
        if (axon_sim_set_signal(sim, o->signal_names[k], o->signal_values[k]) != AXON_OK) {
            fprintf(stderr, "%s: --signal: %s\n", prog, axon_sim_error(sim));
            status = 2;
        }
    bool tty = isatty(fileno(stderr)) && !o->quiet;
    if (status) {
    } else if (o->resume || o->checkpoint_every > 0) {
        status = exe_run(prog, sim, o, duration, tty);
    } else if (axon_sim_run(sim, duration, tty ? axon_exe_progress : NULL, NULL) != AXON_OK) {
        fprintf(stderr, "%s: %s\n", prog, axon_sim_error(sim));
        status = 1;
    }
    if (status) {
    } else if (o->outdir && axon_sim_write(sim, o->outdir, &err) != AXON_OK) {
        fprintf(stderr, "%s: %s\n", prog, err.msg);
        status = 1;
    } else if (!o->quiet) {
        axon_exe_summary(stdout, sim, compile_s, o->outdir);
    }
    axon_sim_free(sim);
    return status;
}

int axon_exe_main(int argc, char **argv, const axon_model_desc *model)
{
    const char *prog = argc > 0 ? argv[0] : "model";
    axon_exe_opts o = {0};
    for (int i = 1; i < argc;) {
        const char *a = argv[i];
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            printf("usage: %s [options]\n"
                   "Simulates the model %s (compiled by axon build).\n\noptions:\n%s",
                   prog, model->name, OPTIONS_HELP);
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
