/*
 * axon_sim_new_mpi from a C program (tests/mpi/run.sh links it with a model object built by
 * `axon build --emit obj` and runs it under mpirun):
 *   api DIR   runs the model over MPI_COMM_WORLD for 0.1 s in two calls of 0.05 s (a run that
 *             ends inside an exchange interval, continued), writes DIR, and checks
 *             axon_sim_mpi_info and what is refused over several ranks. Between the calls it
 *             checkpoints to DIR.ck (a set of per-rank parts) and into memory; a new simulation
 *             restored from the file, run for 0.05 s, writes DIR.file, and one restored from
 *             memory DIR.mem (after a part corrupted on rank 1 only was refused by every rank,
 *             changing nothing). Each rank must hold only the synapses onto its own neurons.
 *             Then the closed loop: injections, pushed spikes and spike callbacks given
 *             alike to every rank equal one process's. Last, a simulation whose spike exchange
 *             cannot grow on rank 1 (as if out of
 *             memory: the test-only AXON_TEST_MPI_EXCHANGE_WORDS, docs/mpi.md) fails its run on
 *             every rank, rank 1 with its message and the others naming rank 1, prints
 *             nothing, and refuses to run or checkpoint after.
 * Prints "ok" on rank 0 and exits 0 on success; on failure prints the check and exits 1.
 */
#define _POSIX_C_SOURCE 200809L /* setenv */
#include <axon/axon.h>
#include <mpi.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern const axon_model_desc axon_model;

static int failures;

#define CHECK(cond, what)                                                                          \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            printf("FAIL rank %d, %s:%d: %s\n", rank, __FILE__, __LINE__, what);                   \
            failures++;                                                                            \
        }                                                                                          \
    } while (0)

/* Spikes passed to a callback: per neuron of population E, how many and the sum of their
 * times (in time order: one rank owns a neuron, so the sums over ranks are one process's). */
enum { NE = 560 };
typedef struct {
    double count[NE], tsum[NE];
} seen;

static void on_spikes(void *user, int pop, double t, const uint32_t *idx, size_t n)
{
    seen *w = user;
    (void)pop;
    for (size_t k = 0; k < n; k++)
        if (idx[k] < NE) {
            w->count[idx[k]] += 1;
            w->tsum[idx[k]] += t;
        }
}

/* The closed loop over the ranks: every rank gives the same injections (into B.I, held) and
 * pushed spikes (of E) as one process, and each applies those of its own neurons; the spike
 * records must equal one process's, bit for bit, and the callbacks (each rank's own neurons'
 * spikes) add up to one process's. */
static void closed_loop(int rank, MPI_Comm *world)
{
    axon_err err = {{0}};
    axon_sim *one = axon_sim_new(&axon_model, &(axon_opts){.seed = 7, .threads = 1}, &err);
    axon_sim *par = axon_sim_new_mpi(&axon_model, &(axon_opts){.seed = 7, .threads = 2}, world,
                                     &err);
    static seen s1, sp, sum;
    if (!one || !par) {
        printf("FAIL rank %d: closed loop: %s\n", rank, err.msg);
        MPI_Abort(MPI_COMM_WORLD, 1);
    }
    int e = axon_sim_pop_index(one, "E"), b = axon_sim_pop_index(one, "B");
    CHECK(e >= 0 && b >= 0 && axon_model.pops[e].size == NE, "populations E and B");
    const uint32_t inj_idx[] = {0, 17, 150, 151, 260, 399};
    const double inj_val[] = {0.5, 1.5, -0.2, 0.8, 2.0, 0.3};
    const uint32_t push_idx[] = {3, 300, 559, 200, 3};
    axon_sim *sims[2] = {one, par};
    seen *w[2] = {&s1, &sp};
    for (int k = 0; k < 2; k++) {
        axon_sim *x = sims[k];
        CHECK(axon_sim_on_spikes(x, e, on_spikes, w[k]) == AXON_OK, axon_sim_error(x));
        CHECK(axon_sim_inject(x, "B.I", inj_idx, inj_val, 6, "nA") == AXON_OK,
              axon_sim_error(x));
        CHECK(axon_sim_run(x, 0.02, NULL, NULL) == AXON_OK, axon_sim_error(x));
        CHECK(axon_sim_push_spikes(x, e, push_idx, 5) == AXON_OK, axon_sim_error(x));
        CHECK(axon_sim_inject(x, "B.I", inj_idx + 2, inj_val, 3, "nA") == AXON_OK,
              axon_sim_error(x));
        CHECK(axon_sim_run(x, 0.02, NULL, NULL) == AXON_OK, axon_sim_error(x));
    }
    for (int pop = 0; pop < (int)axon_model.npops; pop++) {
        const double *t1 = NULL, *t2 = NULL;
        const uint32_t *i1 = NULL, *i2 = NULL;
        size_t n1 = 0, n2 = 0;
        if (axon_sim_spikes(one, pop, &t1, &i1, &n1) != AXON_OK ||
            axon_sim_spikes(par, pop, &t2, &i2, &n2) != AXON_OK)
            continue; /* (no spike record) */
        CHECK(n1 == n2 && n1 > 0 && !memcmp(t1, t2, n1 * sizeof *t1) &&
                  !memcmp(i1, i2, n1 * sizeof *i1),
              "the closed loop's spikes differ from one process's");
    }
    MPI_Allreduce(&sp, &sum, 2 * NE, MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD);
    CHECK(!memcmp(&sum, &s1, sizeof sum), "the spike callbacks add up to one process's");
    double pushed = s1.count[559] + s1.count[300];
    CHECK(pushed >= 2, "pushed spikes reach the callbacks");
    axon_sim_free(one);
    axon_sim_free(par);
}

int main(int argc, char **argv)
{
    MPI_Init(&argc, &argv);
    int rank, size;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    axon_err err = {{0}};
    MPI_Comm world = MPI_COMM_WORLD;
    CHECK(!axon_sim_new_mpi(&axon_model, NULL, NULL, &err) && strstr(err.msg, "communicator"),
          "no communicator");
    if (argc != 2) {
        printf("usage: api DIR\n");
        MPI_Abort(MPI_COMM_WORLD, 1);
    }
    axon_sim *s = axon_sim_new_mpi(&axon_model, &(axon_opts){.seed = 7, .threads = 2}, &world,
                                   &err);
    axon_sim *t = axon_sim_new_mpi(&axon_model, &(axon_opts){.seed = 7, .threads = 1}, &world,
                                   &err);
    if (!s || !t) {
        printf("FAIL rank %d: axon_sim_new_mpi: %s\n", rank, err.msg);
        MPI_Abort(MPI_COMM_WORLD, 1);
    }
    /* each rank holds the synapses onto its own block: the parts add up to the whole, and
       the targets of rank r all lie below those of rank r + 1 */
    for (uint32_t q = 0; q < axon_model.nprojs; q++) {
        const uint64_t *row = NULL;
        const uint32_t *post = NULL;
        uint32_t npre = axon_model.pops[axon_model.projs[q].pre].size;
        CHECK(axon_sim_connectivity(s, (int)q, &row, &post) == AXON_OK, "connectivity");
        uint64_t mine = row[npre], sum = 0, whole = axon_sim_synapse_count(s, (int)q);
        MPI_Allreduce(&mine, &sum, 1, MPI_UINT64_T, MPI_SUM, MPI_COMM_WORLD);
        CHECK(sum == whole && whole > 0, "the parts of a projection add up to the whole");
        CHECK(size == 1 || mine < whole, "a rank holds a part of a projection, not the whole");
        uint32_t span[2] = {UINT32_MAX, 0}; /* this rank's smallest and largest target */
        for (uint64_t k = 0; k < mine; k++) {
            span[0] = post[k] < span[0] ? post[k] : span[0];
            span[1] = post[k] > span[1] ? post[k] : span[1];
        }
        uint32_t *all = malloc(2 * (size_t)size * sizeof *all);
        if (!all)
            MPI_Abort(MPI_COMM_WORLD, 1);
        MPI_Allgather(span, 2, MPI_UINT32_T, all, 2, MPI_UINT32_T, MPI_COMM_WORLD);
        for (int r = 0; r + 1 < size; r++)
            CHECK(all[2 * r + 1] < all[2 * r + 2] || all[2 * r] == UINT32_MAX,
                  "targets of the ranks in rank order");
        free(all);
    }
    CHECK(axon_sim_run(s, 0.05, NULL, NULL) == AXON_OK, axon_sim_error(s));
    char path[4096];
    snprintf(path, sizeof path, "%s.ck", argv[1]);
    CHECK(axon_sim_checkpoint(s, path) == AXON_OK, axon_sim_error(s));
    size_t n = axon_sim_checkpoint_size(s), used = 0;
    char *mem = malloc(n), *bad = malloc(n);
    if (!mem || !bad)
        MPI_Abort(MPI_COMM_WORLD, 1);
    CHECK(axon_sim_checkpoint_mem(s, mem, n, &used) == AXON_OK && used == n, axon_sim_error(s));
    CHECK(axon_sim_run(s, 0.05, NULL, NULL) == AXON_OK, axon_sim_error(s));
    axon_mpi_info mi;
    axon_sim_mpi_info(s, &mi);
    CHECK(mi.rank == rank && mi.size == size, "axon_sim_mpi_info: rank and size");
    CHECK(mi.interval == 1, "axon_sim_mpi_info: interval (the model has a delay of 0)");
    CHECK(mi.exchanges == 1000 && mi.bytes > 0, "axon_sim_mpi_info: exchanges");
    CHECK(axon_sim_write(s, argv[1], &err) == AXON_OK, err.msg);
    axon_sim_free(s);
    /* from the file */
    CHECK(axon_sim_restore(t, path) == AXON_OK, axon_sim_error(t));
    CHECK(axon_sim_steps(t) == 500, "restored step");
    CHECK(axon_sim_run(t, 0.05, NULL, NULL) == AXON_OK, axon_sim_error(t));
    snprintf(path, sizeof path, "%s.file", argv[1]);
    CHECK(axon_sim_write(t, path, &err) == AXON_OK, err.msg);
    /* from memory: a part corrupted on rank 1 alone is refused by every rank */
    memcpy(bad, mem, n);
    if (size > 1) {
        if (rank == 1)
            bad[n / 2] ^= 1;
        axon_status st = axon_sim_restore_mem(t, bad, n);
        CHECK(st != AXON_OK, "a corrupt part restored");
        CHECK(strstr(axon_sim_error(t), rank == 1 ? "corrupt" : "rank 1 of"),
              axon_sim_error(t));
        CHECK(axon_sim_steps(t) == 1000, "a refused restore changed the simulation");
    }
    CHECK(axon_sim_restore_mem(t, mem, n) == AXON_OK, axon_sim_error(t));
    CHECK(axon_sim_run(t, 0.05, NULL, NULL) == AXON_OK, axon_sim_error(t));
    snprintf(path, sizeof path, "%s.mem", argv[1]);
    CHECK(axon_sim_write(t, path, &err) == AXON_OK, err.msg);
    axon_sim_free(t);
    free(mem);
    free(bad);
    if (size > 1) {
        /* the blocks of the exchange start at 2 + 1 * (3 populations + 64) words: B's first
           volley (every neuron at once) needs more */
        if (rank == 1)
            setenv("AXON_TEST_MPI_EXCHANGE_WORDS", "69", 1);
        axon_sim *u = axon_sim_new_mpi(&axon_model, &(axon_opts){.seed = 7, .threads = 1},
                                       &world, &err);
        unsetenv("AXON_TEST_MPI_EXCHANGE_WORDS");
        if (!u) {
            printf("FAIL rank %d: axon_sim_new_mpi: %s\n", rank, err.msg);
            MPI_Abort(MPI_COMM_WORLD, 1);
        }
        axon_status st = axon_sim_run(u, 0.05, NULL, NULL);
        CHECK(rank == 1 ? st == AXON_ENOMEM : st == AXON_EINVAL, "a failed exchange's status");
        CHECK(strstr(axon_sim_error(u), rank == 1 ? "out of memory for the spike exchange"
                                                  : "rank 1 of"),
              axon_sim_error(u));
        CHECK(axon_sim_steps(u) < 500, "a failed exchange ends the run");
        CHECK(axon_sim_run(u, 0.05, NULL, NULL) == AXON_EINVAL &&
                  strstr(axon_sim_error(u), "exchange between the MPI ranks failed earlier"),
              "a run after a failed exchange");
        CHECK(axon_sim_checkpoint_mem(u, NULL, 0, NULL) == AXON_EINVAL,
              "a checkpoint after a failed exchange");
        axon_sim_free(u);
    }
    closed_loop(rank, &world);
    int all = 0;
    MPI_Allreduce(&failures, &all, 1, MPI_INT, MPI_SUM, MPI_COMM_WORLD);
    if (rank == 0 && !all)
        printf("ok\n");
    MPI_Finalize();
    return all != 0;
}
