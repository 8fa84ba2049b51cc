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
 * Prints "ok" on rank 0 and exits 0 on success; on failure prints the check and exits 1.
 */
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
    if (size > 1) {
        uint32_t i0 = 0;
        double one = 1;
        CHECK(axon_sim_inject(s, "B.I", &i0, &one, 1, "nA") == AXON_EINVAL &&
                  strstr(axon_sim_error(s), "do not work over several MPI ranks"),
              "injections refused");
    }
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
    int all = 0;
    MPI_Allreduce(&failures, &all, 1, MPI_INT, MPI_SUM, MPI_COMM_WORLD);
    if (rank == 0 && !all)
        printf("ok\n");
    MPI_Finalize();
    return all != 0;
}
