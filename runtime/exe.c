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

static int usage(const char *prog, const char *msg, const char *arg)
{
    fprintf(stderr, "%s: ", prog);
    fprintf(stderr, msg, arg);
    fprintf(stderr, "\nusage: %s [-t DURATION] [-o DIR] [--seed N] [--threads N] [-q]\n", prog);
    return 2;
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

int axon_exe_main(int argc, char **argv, const axon_model_desc *model)
{
    const char *prog = argc > 0 ? argv[0] : "model";
    double duration = model->duration;
    const char *outdir = NULL;
    axon_opts o = {0, 1};
    int quiet = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            printf("usage: %s [-t DURATION] [-o DIR] [--seed N] [--threads N] [-q]\n"
                   "Simulates the model %s (compiled by axon build).\n",
                   prog, model->name);
            return 0;
        }
        if (!strcmp(a, "-q") || !strcmp(a, "--quiet")) {
            quiet = 1;
            continue;
        }
        if (!v)
            return usage(prog, "unknown option or missing value: '%s'", a);
        char *end;
        errno = 0;
        if (!strcmp(a, "-t") || !strcmp(a, "--time")) {
            if (!(duration = axon_exe_parse_time(v)))
                return usage(prog, "-t needs a duration like 1s or 500ms, not '%s'", v);
        } else if (!strcmp(a, "-o") || !strcmp(a, "--output")) {
            outdir = v;
        } else if (!strcmp(a, "--seed")) {
            unsigned long long s = strtoull(v, &end, 10);
            if (*end || errno || v[0] == '-')
                return usage(prog, "--seed needs a non-negative whole number, not '%s'", v);
            o.seed = s;
        } else if (!strcmp(a, "--threads")) {
            long n = strtol(v, &end, 10);
            if (*end || n < 1 || n > AXON_MAX_THREADS)
                return usage(prog, "--threads needs a number from 1 to 1024, not '%s'", v);
            o.threads = (int)n;
        } else {
            return usage(prog, "unknown option '%s'", a);
        }
        i++;
    }
    if (duration <= 0)
        return usage(prog, "%sthe model has no default duration: give one with -t", "");
    axon_err err = {{0}};
    axon_sim *sim = axon_sim_new(model, &o, &err);
    if (!sim) {
        fprintf(stderr, "%s: %s\n", prog, err.msg);
        return 1;
    }
    int status = 0;
    bool tty = isatty(fileno(stderr)) && !quiet;
    if (axon_sim_run(sim, duration, tty ? axon_exe_progress : NULL, NULL) != AXON_OK) {
        fprintf(stderr, "%s: %s\n", prog, axon_sim_error(sim));
        status = 1;
    } else if (outdir && axon_sim_write(sim, outdir, &err) != AXON_OK) {
        fprintf(stderr, "%s: %s\n", prog, err.msg);
        status = 1;
    } else if (!quiet) {
        axon_exe_summary(stdout, sim, -1, outdir);
    }
    axon_sim_free(sim);
    return status;
}
