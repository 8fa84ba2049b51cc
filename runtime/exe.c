/* The command line of compiled models (see exe.h). */
#include "axon/exe.h"
#include "axon/analysis.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
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

static int exe_run(const char *prog, const axon_model_desc *model, const axon_exe_opts *o,
                   double duration, double compile_s);

static const char OPTIONS_HELP[] =
    "  -t, --time DURATION    model time to simulate, e.g. 1s, '500 ms'\n"
    "  -o, --output DIR       write the recordings (NPY files and manifest.json) into DIR;\n"
    "                         written atomically: a failed run leaves DIR as it was\n"
    "  --seed N               random seed (default 0); same seed, same results\n"
    "  --threads N            worker threads (results are identical for any N)\n"
    "  --grain N              work (neuron updates, synaptic events) per thread for a step to\n"
    "                         run in parallel; 1: every step (default: measured)\n"
    "  --signal NAME=NUMBER   pin a module signal (a rule's modulator) to a value for the run\n"
    "  --report               with -o DIR: analyse the recordings as axon analyze does and\n"
    "                         write the report (figures, index.html) into DIR/report\n"
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
    if (!strcmp(a, "--report")) {
        o->report = 1;
        return 1;
    }
    bool known = !strcmp(a, "-t") || !strcmp(a, "--time") || !strcmp(a, "-o") ||
                 !strcmp(a, "--output") || !strcmp(a, "--seed") || !strcmp(a, "--threads") ||
                 !strcmp(a, "--grain") || !strcmp(a, "--signal");
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

/* ---- SIGINT and SIGTERM: stop at the end of the step, write what was recorded
 *
 * A signal handler can reach only static storage, so this file keeps the simulation that a
 * signal stops while axon_exe_simulate runs it, and the signal seen: the one mutable state of
 * the runtime's libraries, here because this library is the program's user interface (the
 * runtime itself installs no handlers). A second signal acts as if none had been caught
 * (SA_RESETHAND), and signals that were ignored when the run began (a background job of a
 * script) stay ignored. */
static axon_sim *volatile exe_sim;
static volatile sig_atomic_t exe_signal;

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

/* ---- provenance ------------------------------------------------------------------------- */

/* SHA-256 (FIPS 180-4), for the model's source hash in the manifest: the same number
 * `sha256sum model.axon` prints, so a reader can check which source a recording came from. */
typedef struct {
    uint32_t h[8];
    uint64_t len;
    uint8_t buf[64];
    size_t n;
} sha256;

static uint32_t ror(uint32_t x, int r)
{
    return (x >> r) | (x << (32 - r));
}

static void sha256_block(sha256 *c, const uint8_t *p)
{
    static const uint32_t K[64] = {
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4,
        0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe,
        0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f,
        0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7,
        0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc,
        0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
        0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116,
        0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
        0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
        0xc67178f2};
    uint32_t w[64], v[8];
    for (int i = 0; i < 16; i++)
        w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 |
               (uint32_t)p[4 * i + 2] << 8 | p[4 * i + 3];
    for (int i = 16; i < 64; i++) {
        uint32_t s0 = ror(w[i - 15], 7) ^ ror(w[i - 15], 18) ^ (w[i - 15] >> 3);
        uint32_t s1 = ror(w[i - 2], 17) ^ ror(w[i - 2], 19) ^ (w[i - 2] >> 10);
        w[i] = w[i - 16] + s0 + w[i - 7] + s1;
    }
    memcpy(v, c->h, sizeof v);
    for (int i = 0; i < 64; i++) {
        uint32_t S1 = ror(v[4], 6) ^ ror(v[4], 11) ^ ror(v[4], 25);
        uint32_t ch = (v[4] & v[5]) ^ (~v[4] & v[6]);
        uint32_t t1 = v[7] + S1 + ch + K[i] + w[i];
        uint32_t S0 = ror(v[0], 2) ^ ror(v[0], 13) ^ ror(v[0], 22);
        uint32_t maj = (v[0] & v[1]) ^ (v[0] & v[2]) ^ (v[1] & v[2]);
        memmove(v + 1, v, 7 * sizeof *v);
        v[4] += t1;
        v[0] = t1 + S0 + maj;
    }
    for (int i = 0; i < 8; i++)
        c->h[i] += v[i];
}

static void sha256_add(sha256 *c, const uint8_t *p, size_t n)
{
    c->len += n;
    while (n--) {
        c->buf[c->n++] = *p++;
        if (c->n == 64) {
            sha256_block(c, c->buf);
            c->n = 0;
        }
    }
}

/* The hex digest of the file at path into hex (65 bytes); false if it cannot be read. */
static bool sha256_file(const char *path, char *hex)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return false;
    sha256 c = {{0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c,
                 0x1f83d9ab, 0x5be0cd19}, 0, {0}, 0};
    uint8_t buf[4096];
    size_t got;
    while ((got = fread(buf, 1, sizeof buf, fp)) > 0)
        sha256_add(&c, buf, got);
    bool ok = !ferror(fp);
    fclose(fp);
    uint64_t bits = c.len * 8;
    uint8_t pad = 0x80, zero = 0;
    sha256_add(&c, &pad, 1);
    while (c.n != 56)
        sha256_add(&c, &zero, 1);
    for (int i = 7; i >= 0; i--) {
        uint8_t b = (uint8_t)(bits >> (8 * i));
        sha256_add(&c, &b, 1);
    }
    for (int i = 0; i < 8; i++)
        snprintf(hex + 8 * i, 9, "%08x", c.h[i]);
    return ok;
}

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

/* Records where the recordings came from (manifest.json's "meta"). */
static void set_provenance(axon_sim *sim, const axon_exe_opts *o)
{
    char *cmd = o->argc > 0 && o->argv ? command_line(o->argc, o->argv) : NULL;
    if (cmd)
        axon_sim_set_meta(sim, "command", cmd);
    free(cmd);
    char hex[65];
    if (o->source) {
        axon_sim_set_meta(sim, "source", o->source);
        if (sha256_file(o->source, hex))
            axon_sim_set_meta(sim, "source_sha256", hex);
    }
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

int axon_exe_simulate(const char *prog, const axon_model_desc *model, const axon_exe_opts *o,
                      double compile_s)
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
    axon_err err = {{0}};
    /* a run whose recordings cannot be written is not started */
    if (o->outdir && axon_sim_check_output(o->outdir, &err) != AXON_OK) {
        fprintf(stderr, "%s: -o: %s\n", prog, err.msg);
        return 1;
    }
    exe_handlers handlers;
    exe_catch(&handlers);
    int status = exe_run(prog, model, o, duration, compile_s);
    exe_release(&handlers);
    return status;
}

static int exe_run(const char *prog, const axon_model_desc *model, const axon_exe_opts *o,
                   double duration, double compile_s)
{
    axon_err err = {{0}};
    axon_opts ao = {o->seed, o->threads};
    /* the simulation's worker threads start with the signals blocked, so the handler runs on
       this thread, never while another one frees the simulation */
    sigset_t block, old;
    sigemptyset(&block);
    for (int i = 0; i < EXE_NSIG; i++)
        sigaddset(&block, EXE_SIGNALS[i]);
    pthread_sigmask(SIG_BLOCK, &block, &old);
    axon_sim *sim = axon_sim_new(model, &ao, &err);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (!sim) {
        fprintf(stderr, "%s: %s\n", prog, err.msg);
        return 1;
    }
    exe_sim = sim;
    if (exe_signal) /* before the simulation existed */
        axon_sim_stop(sim);
    if (o->grain)
        axon_sim_set_grain(sim, o->grain);
    set_provenance(sim, o);
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
    axon_status rs = status ? AXON_OK : axon_sim_run(sim, duration, tty ? axon_exe_progress : NULL,
                                                     NULL);
    if (status) {
    } else if (rs == AXON_ESTOPPED) {
        if (tty)
            fputs("\r\033[K", stderr);
        fprintf(stderr, "%s: stopped by %s at %.6g s of %.6g s%s\n", prog,
                exe_signal_name(exe_signal), axon_sim_time(sim), duration,
                o->outdir ? "; writing what was recorded (\"partial\": true)" : "");
    } else if (rs != AXON_OK) {
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
    /* stopped, or signalled during the last step or the write: not a normal end */
    if (!status && exe_signal)
        status = 128 + exe_signal;
    exe_sim = NULL;
    axon_sim_free(sim);
    if (!status && o->report)
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
