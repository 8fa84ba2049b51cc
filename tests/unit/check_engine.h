/*
 * The hand-written models and helpers of the engine tests (check_engine.c), shared with the
 * projection tests (check_proj.c); remove_tree serves every suite that writes files.
 */
#ifndef AXON_CHECK_ENGINE_H
#define AXON_CHECK_ENGINE_H

#include <stdint.h>

#include "axon/axon.h"
#include "axon/tensor.h"

/* A Poisson-like population: fires with probability rate * dt, drawn per (neuron, step). */
#define POI_DT 1e-4
#define POI_N 1000
#define POI_RATE 20.0
#define POI_STREAM 7

void poi_init(const axon_step_ctx *ctx, void *const *vars, uint32_t b, uint32_t e);
void poi_update(const axon_step_ctx *ctx, void *const *vars, uint8_t *fired, uint32_t b,
                uint32_t e);
extern const axon_var_desc poi_vars[3];

#define POI_POP(name)                                                                              \
    {                                                                                              \
        name, "Poisson", POI_N, 3, poi_vars, poi_init, poi_update, 1, 0, NULL                      \
    }

/* A population of N neurons that do nothing (connectivity tests, a calm neighbour). */
void nop_update(const axon_step_ctx *ctx, void *const *vars, uint8_t *fired, uint32_t b,
                uint32_t e);

#define NOP_POP(name, n)                                                                           \
    {                                                                                              \
        name, "Nop", n, 0, NULL, NULL, nop_update, 0, 0, NULL                                      \
    }

/* A float population whose kernels run over the padding of the last block. */
#define FLT_N 37
void flt_init(const axon_step_ctx *ctx, void *const *vars, uint32_t b, uint32_t e);
void flt_update(const axon_step_ctx *ctx, void *const *vars, uint8_t *fired, uint32_t b,
                uint32_t e);
extern const axon_var_desc flt_vars[];

axon_model_desc model_of(const char *name, uint32_t precision, double dt,
                         const axon_pop_desc *pops, uint32_t npops, const axon_record_desc *recs,
                         uint32_t nrecs);
/* model_of with projections (dt 1 ms). */
axon_model_desc model_projs(const char *name, uint32_t precision, const axon_pop_desc *pops,
                            uint32_t npops, const axon_proj_desc *projs, uint32_t nprojs,
                            const axon_record_desc *recs, uint32_t nrecs);
axon_sim *new_sim(const axon_model_desc *m, uint64_t seed, int threads);
void run_ok(axon_sim *s, double duration);
void expect_refused(const axon_model_desc *m, const axon_opts *o, const char *part);

/* The per-test scratch directory (the fixture dir_setup / dir_teardown) and files in it. */
extern char g_dir[256];
void dir_setup(void);
void dir_teardown(void);
const char *in_dir(char *buf, const char *name);
/* Removes path, a file or a directory with all in it; 0 when it is gone, -1 when it was not
 * there or stays (errno). */
int remove_tree(const char *path);
int count_entries(const char *dir, const char *part);
axon_tensor *read_npy(const char *dir, const char *name);
/* The manifest.json of dir as a string (a static buffer). */
const char *manifest_of(const char *dir);

#endif
