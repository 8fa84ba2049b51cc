/*
 * balance: how a model's work divides over MPI ranks (bench/mpi/balance.sh, docs/mpi.md), run
 * under mpirun with a model object built by `axon build --emit obj`:
 *
 *     mpirun -np K ./balance SEED MS
 *
 * Every rank creates its part (axon_sim_new_mpi: contiguous blocks, one thread), runs MS ms of
 * model time and prints one line:
 *   rank=R setup_cpu_s=C run_s=W comm_s=X exchanges=N interval=D neurons=N synapses=S events=E
 * setup_cpu_s: the CPU time of axon_sim_new_mpi (initial state and this rank's connectivity);
 * run_s: the wall time of the run, comm_s the part of it in the spike exchanges (waiting for
 * the other ranks included), so run_s - comm_s is the rank's own work; exchanges: how many, one
 * every D steps (axon_sim_mpi_info); neurons: the neurons it
 * updates; synapses: those it holds; events: the synaptic events it delivered (for each
 * synapse it holds, the spikes of its presynaptic neuron, from the spike records).
 * Rank 0 then prints what the same spikes and connectivity give under either partition:
 *   partition=P rank=R neurons=N events=E
 * for P = blocks (as run: every population cut into K contiguous blocks of whole 16-neuron
 * blocks) and roundrobin (neuron j of every population on rank j mod K, as NEST does). Needs a
 * spike record of every population that is the source of a projection.
 */
#include <mpi.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "axon/axon.h"

extern const axon_model_desc axon_model;

static double clock_s(clockid_t c)
{
    struct timespec ts;
    clock_gettime(c, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* The rank that holds neuron j of a population of n: contiguous blocks of 16-neuron blocks
 * (runtime/mpi.c, rt_mpi_block), or round-robin. */
static int owner(int roundrobin, uint32_t j, uint32_t n, int size)
{
    if (roundrobin)
        return (int)(j % (uint32_t)size);
    uint64_t nb = ((uint64_t)n + 15) / 16, b = j / 16;
    int r = (int)(b * (uint64_t)size / nb); /* the block's rank, corrected for rounding */
    while (r + 1 < size && b >= ((uint64_t)r + 1) * nb / (uint64_t)size)
        r++;
    while (r > 0 && b < (uint64_t)r * nb / (uint64_t)size)
        r--;
    return r;
}

int main(int argc, char **argv)
{
    MPI_Init(&argc, &argv);
    int rank, size;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    MPI_Comm world = MPI_COMM_WORLD;
    axon_opts o = {.seed = argc > 1 ? strtoull(argv[1], NULL, 10) : 0, .threads = 1};
    double ms = argc > 2 ? atof(argv[2]) : 100;
    axon_err err;
    double c0 = clock_s(CLOCK_PROCESS_CPUTIME_ID);
    axon_sim *s = axon_sim_new_mpi(&axon_model, &o, &world, &err);
    double setup = clock_s(CLOCK_PROCESS_CPUTIME_ID) - c0;
    if (!s) {
        fprintf(stderr, "balance: rank %d: %s\n", rank, err.msg);
        MPI_Abort(MPI_COMM_WORLD, 1);
    }
    if (axon_sim_run(s, ms * 1e-3, NULL, NULL) != AXON_OK) {
        fprintf(stderr, "balance: rank %d: %s\n", rank, axon_sim_error(s));
        MPI_Abort(MPI_COMM_WORLD, 1);
    }
    axon_mpi_info mi;
    axon_sim_mpi_info(s, &mi);
    const axon_model_desc *m = &axon_model;
    /* spikes per neuron, every population (every rank sees every spike) */
    uint32_t **count = calloc(m->npops, sizeof *count);
    for (uint32_t p = 0; p < m->npops; p++) {
        const uint32_t *idx;
        size_t n;
        if (axon_sim_spikes(s, (int)p, NULL, &idx, &n) != AXON_OK)
            continue;
        count[p] = calloc(m->pops[p].size + 1, sizeof **count);
        for (size_t k = 0; k < n; k++)
            count[p][idx[k]]++;
    }
    /* per partition and rank: neurons, events (this rank's synapses' share, summed below) */
    uint64_t *tab = calloc(4 * (size_t)size, sizeof *tab), *all = calloc(4 * (size_t)size, sizeof *all);
    uint64_t neurons = 0, synapses = 0, events = 0;
    for (uint32_t p = 0; p < m->npops; p++)
        for (uint32_t j = 0; j < m->pops[p].size; j++) {
            int b = owner(0, j, m->pops[p].size, size);
            neurons += b == rank;
            if (rank == 0) {
                tab[2 * b]++;
                tab[2 * (size + owner(1, j, m->pops[p].size, size))]++;
            }
        }
    int missing = 0;
    for (uint32_t q = 0; q < m->nprojs; q++) {
        const axon_proj_desc *d = &m->projs[q];
        const uint64_t *row;
        const uint32_t *post;
        axon_sim_connectivity(s, (int)q, &row, &post);
        uint32_t npre = m->pops[d->pre].size, npost = m->pops[d->post].size;
        synapses += row[npre];
        if (!count[d->pre]) {
            missing = 1;
            continue;
        }
        for (uint32_t i = 0; i < npre; i++) {
            uint64_t c = count[d->pre][i];
            events += c * (row[i + 1] - row[i]);
            for (uint64_t k = row[i]; c && k < row[i + 1]; k++) {
                tab[2 * owner(0, post[k], npost, size) + 1] += c;
                tab[2 * (size + owner(1, post[k], npost, size)) + 1] += c;
            }
        }
    }
    MPI_Reduce(tab, all, 4 * size, MPI_UINT64_T, MPI_SUM, 0, MPI_COMM_WORLD);
    /* rank 0 prints every rank's line (the output of ranks is not ordered by mpirun) */
    double mine[9] = {setup, axon_sim_wall_seconds(s), mi.comm_seconds, (double)mi.exchanges,
                      mi.interval, (double)neurons, (double)synapses, (double)events, missing};
    double *lines = calloc(9 * (size_t)size, sizeof *lines);
    MPI_Gather(mine, 9, MPI_DOUBLE, lines, 9, MPI_DOUBLE, 0, MPI_COMM_WORLD);
    for (int r = 0; rank == 0 && r < size; r++) {
        const double *v = lines + 9 * r;
        printf("rank=%d setup_cpu_s=%.3f run_s=%.3f comm_s=%.3f exchanges=%.0f interval=%.0f "
               "neurons=%.0f synapses=%.0f events=%.0f%s\n",
               r, v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7],
               v[8] ? " (a source without spike record)" : "");
    }
    free(lines);
    if (rank == 0)
        for (int part = 0; part < 2; part++)
            for (int r = 0; r < size; r++)
                printf("partition=%s rank=%d neurons=%llu events=%llu\n",
                       part ? "roundrobin" : "blocks", r,
                       (unsigned long long)all[2 * (part * size + r)],
                       (unsigned long long)all[2 * (part * size + r) + 1]);
    for (uint32_t p = 0; p < m->npops; p++)
        free(count[p]);
    free(count);
    free(tab);
    free(all);
    axon_sim_free(s);
    MPI_Finalize();
    return 0;
}
