/*
 * sched: where the threads' time goes in a run of a compiled model, from the scheduling
 * counters that the runtime keeps only when compiled with -DAXON_SCHED_STATS (runtime/pool.h,
 * engine.c). bench/microcircuit/sched.sh builds such a runtime and links it with this program:
 *
 *     bench/microcircuit/sched.sh [--scale S] [--k-scale K] [--duration MS] [--threads T]
 *     ./sched SEED MS THREADS
 *
 * Prints the run's wall and CPU time, then per thread (0: the caller) its time inside tasks,
 * the caller's wait for the phase's last task, the gap between phases (the step's serial
 * part), each worker's idle time between phases (pausing, yielding, sleeping) and how late it
 * saw a phase after its publication; then, for steps by populations, how far each phase's
 * actual split was from the assignment's estimate, how often a task took another's
 * population, and per population its mean time a step against its estimated work units and
 * the CPU time a step that the last assignment went by (0 where it went by the units).
 */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "sim.h"

extern const axon_model_desc axon_model;

static double clock_s(clockid_t c)
{
    struct timespec ts;
    clock_gettime(c, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void hist(const char *what, const uint64_t *h)
{
    static const char *lab[RT_STATS_HIST] = {"<1us", "<10us", "<100us", "<1ms", "<10ms", ">=10ms"};
    printf("%s:", what);
    for (int b = 0; b < RT_STATS_HIST; b++)
        printf(" %s %llu", lab[b], (unsigned long long)h[b]);
    printf("\n");
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: sched SEED MS THREADS [TRACE]\n");
        return 2;
    }
    axon_opts o = {.seed = strtoull(argv[1], NULL, 10), .threads = atoi(argv[3])};
    axon_err err;
    axon_sim *s = axon_sim_new(&axon_model, &o, &err);
    if (!s) {
        fprintf(stderr, "sched: %s\n", err.msg);
        return 1;
    }
    rt_pool_stats p0 = {0}, p = {0};
    const rt_bal *bl;
    rt_sched_stats_get(s, &p0, &bl); /* the build's phases (initial values) */
    if (argc > 4) { /* a trace of every population's run (a stats build's own memory) */
        rt_bal *w = (rt_bal *)bl;
        w->st_trace_cap = 1u << 22;
        w->st_trace = calloc(2 * w->st_trace_cap, sizeof *w->st_trace);
    }
    rt_bal b0 = *bl;
    double w0 = clock_s(CLOCK_MONOTONIC), c0 = clock_s(CLOCK_PROCESS_CPUTIME_ID);
    if (axon_sim_run(s, strtod(argv[2], NULL) * 1e-3, NULL, NULL) != AXON_OK) {
        fprintf(stderr, "sched: %s\n", axon_sim_error(s));
        axon_sim_free(s);
        return 1;
    }
    double wall = clock_s(CLOCK_MONOTONIC) - w0, cpu = clock_s(CLOCK_PROCESS_CPUTIME_ID) - c0;
    rt_sched_stats_get(s, &p, &bl);
    uint64_t *a = (uint64_t *)&p;
    const uint64_t *z = (const uint64_t *)&p0;
    for (size_t i = 0; i < sizeof p / sizeof *a; i++)
        a[i] -= z[i];
    int nt = s->pool_threads < RT_STATS_THREADS ? s->pool_threads : RT_STATS_THREADS;
    double ms = 1e-6;
    unsigned long long steps = (unsigned long long)s->step;
    printf("run wall_s=%.3f cpu_s=%.3f steps=%llu phases=%llu caller_alone=%llu (%.1f%%)\n",
           wall, cpu, steps, (unsigned long long)p.phases, (unsigned long long)p.alone,
           p.phases ? 100.0 * (double)p.alone / (double)p.phases : 0.0);
    for (int t = 0; t < nt; t++)
        printf("thread %d: in tasks %.1f ms (%llu tasks)\n", t, (double)p.task_ns[t] * ms,
               (unsigned long long)p.tasks[t]);
    printf("caller: waits for the last task %.1f ms (%.2f us a phase), %llu futex sleeps "
           "%.1f ms; gap between phases %.1f ms (%.2f us a phase)\n",
           (double)p.wait_ns * ms, p.phases ? (double)p.wait_ns * 1e-3 / (double)p.phases : 0.0,
           (unsigned long long)p.csleeps, (double)p.csleep_ns * ms, (double)p.gap_ns * ms,
           p.phases ? (double)p.gap_ns * 1e-3 / (double)p.phases : 0.0);
    hist("caller's wait a phase", p.wait_hist);
    hist("gap between phases", p.gap_hist);
    for (int t = 1; t < nt; t++)
        printf("worker %d: idle between phases %.1f ms, %llu yields, %llu futex sleeps %.1f ms; "
               "saw %llu phases, %.2f us after publication (mean)\n",
               t, (double)p.idle_ns[t] * ms, (unsigned long long)p.yields[t],
               (unsigned long long)p.sleeps[t], (double)p.sleep_ns[t] * ms,
               (unsigned long long)p.seen[t],
               p.seen[t] ? (double)p.late_ns[t] * 1e-3 / (double)p.seen[t] : 0.0);
    hist("workers' lateness", p.late_hist);
    uint64_t ph = bl->st_phases - b0.st_phases;
    if (ph) {
        printf("by populations: %llu phases, %llu with a population taken from another list, "
               "%llu taken (%.2f a phase)\n",
               (unsigned long long)ph, (unsigned long long)(bl->st_phases_stolen - b0.st_phases_stolen),
               (unsigned long long)(bl->st_steals - b0.st_steals),
               (double)(bl->st_steals - b0.st_steals) / (double)ph);
        printf("  task 0's list: |actual - estimated| share %.2f%% mean; spread of the lists "
               "as assigned %.2f%%, of what each task ran %.2f%% (of the phase's work)\n",
               100 * (bl->st_err - b0.st_err) / (double)ph,
               100 * (bl->st_ownspread - b0.st_ownspread) / (double)ph,
               100 * (bl->st_spread - b0.st_spread) / (double)ph);
        uint64_t eh[6];
        for (int k = 0; k < 6; k++)
            eh[k] = bl->st_err_hist[k] - b0.st_err_hist[k];
        printf("  |actual - estimated|: <1%% %llu, <2%% %llu, <5%% %llu, <10%% %llu, <20%% %llu, "
               "more %llu\n", (unsigned long long)eh[0], (unsigned long long)eh[1],
               (unsigned long long)eh[2], (unsigned long long)eh[3], (unsigned long long)eh[4],
               (unsigned long long)eh[5]);
        for (uint32_t i = 0; i < axon_model.npops && i < RT_ST_POPS; i++) {
            uint64_t runs = bl->st_pop_runs[i] - b0.st_pop_runs[i];
            if (!runs)
                continue;
            double us = (double)(bl->st_pop_ns[i] - b0.st_pop_ns[i]) * 1e-3 / (double)runs;
            double u = (bl->st_pop_units[i] - b0.st_pop_units[i]) / (double)runs;
            printf("  pop %-8s owner %d  %8.1f us a step  %9.0f units  %.3f ns/unit  "
                   "%8.1f us CPU (the last assignment's estimate)\n",
                   axon_model.pops[i].name, bl->owner[i], us, u, u > 0 ? us * 1e3 / u : 0.0,
                   bl->est[i] * 1e-3);
        }
    }
    if (argc > 4 && bl->st_trace) {
        FILE *f = fopen(argv[4], "w");
        uint64_t n = bl->st_ntrace < bl->st_trace_cap ? bl->st_ntrace : bl->st_trace_cap;
        for (uint64_t k = 0; f && k < n; k++) {
            uint64_t h = bl->st_trace[2 * k];
            fprintf(f, "%llu %llu %llu %llu\n", (unsigned long long)(h >> 32),
                    (unsigned long long)(h >> 16 & 0xffff), (unsigned long long)(h & 0xffff),
                    (unsigned long long)bl->st_trace[2 * k + 1]);
        }
        if (f)
            fclose(f);
        free(bl->st_trace);
    }
    axon_sim_free(s);
    return 0;
}
