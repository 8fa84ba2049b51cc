/* What the projection suites (check_proj.c, check_delays.c) share: populations, synapse
 * variables and descriptors defined in check_proj.c. */
#ifndef AXON_CHECK_PROJ_H
#define AXON_CHECK_PROJ_H

#include <stddef.h>
#include <stdint.h>

#include "axon/axon.h"

/* A: accumulator; acc += in, then the input is cleared (model.h order). Variables: acc_vars. */
void acc_update(const axon_step_ctx *ctx, void *const *vars, uint8_t *fired, uint32_t b,
                uint32_t e);
extern const axon_var_desc acc_vars[2];
/* a projection's one variable w (a state, zero unless an init kernel sets it) */
extern const axon_var_desc w_vars[1];
/* B: neuron i fires in step n when (n + i) % 3 == 0. */
void burst_update(const axon_step_ctx *ctx, void *const *vars, uint8_t *fired, uint32_t b,
                  uint32_t e);
/* A projection descriptor with only its connectivity set. */
axon_proj_desc proj_of(const char *name, int32_t pre, int32_t post, int32_t conn, double p,
                       uint32_t k, int32_t autapses);
/* The connectivity of projection proj of s (asserted AXON_OK). */
void get_csr(axon_sim *s, int proj, const uint64_t **row, const uint32_t **post);
/* The first n bytes of variable `name` of s: kept in ref where `first`, else asserted equal to
 * ref (the same results as the first run's). */
void same_var(axon_sim *s, const char *name, void *ref, size_t n, int first);

#endif
