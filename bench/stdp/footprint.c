/*
 * What a plastic projection's scattered lines cost the rest of a step: `footprint BYTES LINES
 * [STEPS]` runs a model for STEPS steps (default 10,000; seed 0, 1 thread) and, after every
 * step, reads and writes LINES cache lines drawn at random from a buffer of BYTES bytes (a
 * step callback, axon_sim_step), standing in for the lines of the traces, histories and
 * last-spike steps that the plastic rows of COBA with STDP touch in a step. Prints the CPU
 * time of the run. The callback's own work is the same for every BYTES, its misses are not:
 * compare the model's own kernels under perf, e.g. for the static network of bench/stdp:
 *   axon build bench/coba/coba.axon --emit obj --set N=64000 -o m.o
 *   cc -O2 -I runtime/include bench/stdp/footprint.c m.o -L.libs -Wl,-rpath,$PWD/.libs \
 *      -laxonrt -lm -o footprint
 *   for b in 4096 524288 1048576 2097152; do
 *       perf record -q -e cpu-clock -F 4000 -o f.data ./footprint $b 8192
 *       perf report -i f.data --no-children --sort symbol --stdio -n | grep pop0_update
 *   done
 * (bench/HISTORY.md, "Every benchmark's full report": the E update's samples against the
 * bytes touched.)
 */
#include <axon/axon.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

extern const axon_model_desc axon_model;

typedef struct {
    uint64_t *buf;
    size_t nlines, lines;
    uint64_t x; /* a linear congruential generator's state */
} touch;

static int touch_lines(axon_sim *s, void *user)
{
    (void)s;
    touch *t = user;
    for (size_t k = 0; k < t->lines; k++) {
        t->x = t->x * 6364136223846793005ULL + 1442695040888963407ULL;
        t->buf[(t->x >> 33) % t->nlines * 8] += 1;
    }
    return 0;
}

static double cpu_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

int main(int argc, char **argv)
{
    if (argc < 3 || argc > 4 || strtoull(argv[1], NULL, 10) < 64) {
        fprintf(stderr, "usage: footprint BYTES LINES [STEPS]   (BYTES >= 64)\n");
        return 2;
    }
    size_t bytes = strtoull(argv[1], NULL, 10);
    touch t = {.nlines = bytes / 64, .lines = strtoull(argv[2], NULL, 10), .x = 1};
    uint64_t steps = argc > 3 ? strtoull(argv[3], NULL, 10) : 10000;
    axon_opts o = {.seed = 0, .threads = 1};
    axon_err err;
    axon_sim *s = axon_sim_new(&axon_model, &o, &err);
    if (!s || !(t.buf = calloc(t.nlines * 8, sizeof *t.buf))) {
        fprintf(stderr, "footprint: %s\n", s ? "out of memory" : err.msg);
        axon_sim_free(s);
        return 1;
    }
    double c0 = cpu_s();
    axon_status st = axon_sim_step(s, steps, touch_lines, &t);
    double c1 = cpu_s();
    if (st != AXON_OK)
        fprintf(stderr, "footprint: %s\n", axon_sim_error(s));
    else
        printf("bytes=%zu lines=%zu steps=%llu cpu_s=%.4f\n", bytes, t.lines,
               (unsigned long long)steps, c1 - c0);
    free(t.buf);
    axon_sim_free(s);
    return st == AXON_OK ? 0 : 1;
}
