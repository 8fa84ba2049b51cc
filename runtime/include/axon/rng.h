/*
 * Counter-based random numbers (Philox4x32-10, Salmon et al., SC'11, as in Random123).
 *
 * Simulation draws are pure functions of (seed, stream, index, step, k), so any thread or GPU
 * lane can reproduce any draw without shared state; generated code may mirror the inline
 * helpers below bit for bit. axon_rng_stream is a small sequential generator for host-side setup
 * (connectivity building) that lives in a separate part of the counter space.
 * Threads: every function is [any thread]; an axon_rng_stream is used by one thread at a time.
 *
 * Counter layout (key = {seed low 32 bits, seed high 32 bits}):
 *   ctr[0] = index, ctr[1] = stream, ctr[2] = step bits 0..31,
 *   ctr[3] = step bits 32..47 | block << 16 (15 bits) | 0 << 31
 * where block = k >> 1 for uniform draw k (two doubles per Philox call) and block = k for
 * normal / Poisson draw k. Bit 31 of ctr[3] is 1 only for axon_rng_stream, so the two never
 * collide. Limits: step < 2^48, uniform k < 2^16, normal/Poisson k < 2^15; bits beyond these are
 * masked off, so exceeding them silently repeats earlier draws.
 *
 * Draw k of one kind shares Philox output with other kinds (normal k uses the same block as
 * uniforms 2k and 2k+1); give each random variable its own stream rather than mixing kinds.
 */
#ifndef AXON_RNG_H
#define AXON_RNG_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define AXON_PHILOX_M0 0xD2511F53u
#define AXON_PHILOX_M1 0xCD9E8D57u
#define AXON_PHILOX_W0 0x9E3779B9u /* golden ratio */
#define AXON_PHILOX_W1 0xBB67AE85u /* sqrt(3) - 1 */

#define AXON_RNG_STEP_BITS 48
#define AXON_RNG_BLOCK_BITS 15
#define AXON_RNG_MAX_UNIFORM_K (1u << (AXON_RNG_BLOCK_BITS + 1))
#define AXON_RNG_MAX_NORMAL_K (1u << AXON_RNG_BLOCK_BITS)

static inline void axon_philox4x32_10(const uint32_t ctr[4], const uint32_t key[2], uint32_t out[4])
{
    uint32_t c0 = ctr[0], c1 = ctr[1], c2 = ctr[2], c3 = ctr[3];
    uint32_t k0 = key[0], k1 = key[1];
    for (int r = 0; r < 10; r++) {
        uint64_t p0 = (uint64_t)AXON_PHILOX_M0 * c0;
        uint64_t p1 = (uint64_t)AXON_PHILOX_M1 * c2;
        uint32_t n0 = (uint32_t)(p1 >> 32) ^ c1 ^ k0;
        uint32_t n2 = (uint32_t)(p0 >> 32) ^ c3 ^ k1;
        c1 = (uint32_t)p1;
        c3 = (uint32_t)p0;
        c0 = n0;
        c2 = n2;
        k0 += AXON_PHILOX_W0;
        k1 += AXON_PHILOX_W1;
    }
    out[0] = c0;
    out[1] = c1;
    out[2] = c2;
    out[3] = c3;
}

static inline void axon_rng_key(uint64_t seed, uint32_t key[2])
{
    key[0] = (uint32_t)seed;
    key[1] = (uint32_t)(seed >> 32);
}

static inline void axon_rng_counter(uint32_t stream, uint32_t index, uint64_t step, uint32_t block,
                                    uint32_t ctr[4])
{
    ctr[0] = index;
    ctr[1] = stream;
    ctr[2] = (uint32_t)step;
    ctr[3] = ((uint32_t)(step >> 32) & 0xFFFFu) | ((block & 0x7FFFu) << 16);
}

/* 53 bits from two words: all of hi, top 21 bits of lo. */
static inline uint64_t axon_rng_bits53(uint32_t hi, uint32_t lo)
{
    return ((uint64_t)hi << 21) | (lo >> 11);
}

/*
 * Maps 53 bits to (0,1). A symmetric (v + 0.5) * 2^-53 grid would need 54 bits of mantissa and
 * rounds its top point to 1.0, so instead v * 2^-53 is used and the single outcome 0 becomes
 * 2^-54; log(u) and 1/u are then always finite.
 */
static inline double axon_rng_u53_open(uint64_t v)
{
    /* 2^-53 and 2^-54 written without hexadecimal floating literals, which C++ has only
       since C++17; both quotients are exact. */
    return v ? (double)v * (1.0 / 9007199254740992.0) : 1.0 / 18014398509481984.0;
}

/* Uniform draw k in (0,1), 53 random bits: block k>>1, words 2*(k&1) and 2*(k&1)+1. */
double axon_rng_uniform(uint64_t seed, uint32_t stream, uint32_t index, uint64_t step, uint32_t k);

/*
 * Standard normal draw k via Box-Muller (cosine branch): consumes block k, i.e. the same bits
 * as uniform draws 2k (radius) and 2k+1 (angle).
 */
double axon_rng_normal(uint64_t seed, uint32_t stream, uint32_t index, uint64_t step, uint32_t k);

/*
 * Normal draws in batches, for loops that draw normal k of (seed, stream, index, step) for
 * consecutive indices (the setup kernels: a synapse's initial weight or delay, keyed by the
 * synapse). axon_rng_normal_fill writes the draws of indices index, index + 1, ...,
 * index + n - 1 (mod 2^32) to out: the same doubles as axon_rng_normal gives one by one (the
 * same Philox blocks and the same Box-Muller arithmetic, with libm's log and cos), but the
 * Philox rounds and the conversions run over AXON_RNG_BATCH lanes at once.
 * axon_rng_normal_batched returns axon_rng_normal(seed, stream, index, step, k), from b when
 * b holds it, else after refilling b with the next AXON_RNG_BATCH draws from index. The
 * caller owns b (generated kernels keep one per draw on their stack) and sets b->n = 0 before
 * its first use.
 */
#define AXON_RNG_BATCH 16

typedef struct {
    uint32_t n; /* draws held; 0: none */
    uint32_t stream, index, k;
    uint64_t seed, step;
    double v[AXON_RNG_BATCH];
} axon_rng_batch;

void axon_rng_normal_fill(uint64_t seed, uint32_t stream, uint32_t index, uint64_t step, uint32_t k,
                          uint32_t n, double *out);
double axon_rng_normal_batched(axon_rng_batch *b, uint64_t seed, uint32_t stream, uint32_t index,
                               uint64_t step, uint32_t k);

/*
 * Poisson draw k; consumes block k. For lambda < 30: exact inversion (sequential CDF search) of
 * uniform draw 2k. For lambda >= 30: round(lambda + sqrt(lambda) * normal draw k), clamped to
 * [0, UINT32_MAX]; mean is lambda, variance lambda + 1/12, skewness 0 instead of
 * lambda^-1/2 (0.18 at lambda = 30). lambda <= 0 or NaN gives 0.
 */
uint32_t axon_rng_poisson(uint64_t seed, uint32_t stream, uint32_t index, uint64_t step, uint32_t k,
                          double lambda);

/*
 * Binomial(n, p) draw, by the algorithms of axon_rng_stream_binomial below, from the uniform
 * draws k = 0, 1, 2, ... of (seed, stream, index, step): it uses the whole stream of that index
 * and step (usually one or a few uniforms; below 2^16 in practice, beyond which draws repeat).
 * Summed Poisson input: the spikes of n sources in one step.
 */
uint64_t axon_rng_binomial(uint64_t seed, uint32_t stream, uint32_t index, uint64_t step,
                           uint64_t n, double p);

/*
 * Sequential generator for host-side setup. Counter = {n low, stream_id, n high, 0x80000000} for
 * the n-th Philox call, so 2^64 calls per stream and no overlap with the counter-based draws.
 * Plain value type: copy it to fork a stream, no cleanup needed.
 * A NULL stream is not a crash: init does nothing and every draw below gives 0.
 */
typedef struct {
    uint32_t key[2];
    uint32_t ctr[4]; /* counter of the next Philox call */
    uint32_t buf[4]; /* output of the last call */
    int left;        /* unread words at the end of buf */
} axon_rng_stream;

void axon_rng_stream_init(axon_rng_stream *s, uint64_t seed, uint32_t stream_id);
uint32_t axon_rng_stream_u32(axon_rng_stream *s);
uint64_t axon_rng_stream_u64(axon_rng_stream *s);   /* first u32 is the high half */
double axon_rng_stream_uniform(axon_rng_stream *s); /* [0,1), 53 bits, one u64 */
double axon_rng_stream_normal(axon_rng_stream *s);  /* Box-Muller, two u64, one value kept */
/* Unbiased value in [0, n) by Lemire's multiply-and-reject; n == 0 gives 0. */
uint32_t axon_rng_stream_below(axon_rng_stream *s, uint32_t n);
/*
 * Binomial(n, p). p > 1/2 is drawn as n - Binomial(n, 1-p). With p <= 1/2:
 *   n*p < 30:              waiting-time method (geometric gaps), exact, O(n*p) uniforms;
 *   n*p*(1-p) <= 1e10:     inversion started at the mode with Loader's saddle-point pmf,
 *                          exact up to floating-point rounding (pmf relative error well below
 *                          1e-9), O(sqrt(n*p*(1-p))) flops, usually one uniform;
 *   otherwise:             rounded normal approximation clamped to [0, n]; skewness there is
 *                          below 1e-5 so the difference is not observable in practice.
 * p <= 0 or NaN gives 0, p >= 1 gives n.
 */
uint64_t axon_rng_stream_binomial(axon_rng_stream *s, uint64_t n, double p);

#ifdef __cplusplus
}
#endif

#endif /* AXON_RNG_H */
