#include "axon/rng.h"

#include <math.h>
#include <stddef.h>

#define RT_TWO_PI 6.283185307179586476925286766559

static void rt_block(uint64_t seed, uint32_t stream, uint32_t index, uint64_t step, uint32_t block,
                     uint32_t out[4])
{
    uint32_t key[2], ctr[4];
    axon_rng_key(seed, key);
    axon_rng_counter(stream, index, step, block, ctr);
    axon_philox4x32_10(ctr, key, out);
}

static double rt_box_muller(const uint32_t w[4])
{
    double u1 = axon_rng_u53_open(axon_rng_bits53(w[0], w[1]));
    double u2 = axon_rng_u53_open(axon_rng_bits53(w[2], w[3]));
    return sqrt(-2.0 * log(u1)) * cos(RT_TWO_PI * u2);
}

double axon_rng_uniform(uint64_t seed, uint32_t stream, uint32_t index, uint64_t step, uint32_t k)
{
    uint32_t w[4];
    rt_block(seed, stream, index, step, k >> 1, w);
    unsigned j = 2 * (k & 1u);
    return axon_rng_u53_open(axon_rng_bits53(w[j], w[j + 1]));
}

double axon_rng_normal(uint64_t seed, uint32_t stream, uint32_t index, uint64_t step, uint32_t k)
{
    uint32_t w[4];
    rt_block(seed, stream, index, step, k, w);
    return rt_box_muller(w);
}

/* Philox over AXON_RNG_BATCH counters that differ in their first word only (the index): the
 * rounds of axon_philox4x32_10, lane by lane, in loops the compiler vectorises. */
static void rt_philox_lanes(const uint32_t ctr[4], const uint32_t key[2],
                            uint32_t w[4][AXON_RNG_BATCH])
{
    uint32_t *c0 = w[0], *c1 = w[1], *c2 = w[2], *c3 = w[3];
    uint32_t k0 = key[0], k1 = key[1];
    for (int l = 0; l < AXON_RNG_BATCH; l++) {
        c0[l] = ctr[0] + (uint32_t)l;
        c1[l] = ctr[1];
        c2[l] = ctr[2];
        c3[l] = ctr[3];
    }
    for (int r = 0; r < 10; r++) {
        for (int l = 0; l < AXON_RNG_BATCH; l++) {
            uint64_t p0 = (uint64_t)AXON_PHILOX_M0 * c0[l];
            uint64_t p1 = (uint64_t)AXON_PHILOX_M1 * c2[l];
            uint32_t n0 = (uint32_t)(p1 >> 32) ^ c1[l] ^ k0;
            uint32_t n2 = (uint32_t)(p0 >> 32) ^ c3[l] ^ k1;
            c1[l] = (uint32_t)p1;
            c3[l] = (uint32_t)p0;
            c0[l] = n0;
            c2[l] = n2;
        }
        k0 += AXON_PHILOX_W0;
        k1 += AXON_PHILOX_W1;
    }
}

/* The draws of up to AXON_RNG_BATCH consecutive indices: rt_box_muller's arithmetic, step by
 * step over the lanes (log and cos are libm's, one call per lane, as in rt_box_muller). */
static void rt_normal_lanes(uint64_t seed, uint32_t stream, uint32_t index, uint64_t step,
                            uint32_t k, uint32_t n, double *out)
{
    uint32_t key[2], ctr[4], w[4][AXON_RNG_BATCH];
    double r[AXON_RNG_BATCH], a[AXON_RNG_BATCH];
    axon_rng_key(seed, key);
    axon_rng_counter(stream, index, step, k, ctr);
    rt_philox_lanes(ctr, key, w);
    for (int l = 0; l < AXON_RNG_BATCH; l++) {
        r[l] = axon_rng_u53_open(axon_rng_bits53(w[0][l], w[1][l]));
        a[l] = RT_TWO_PI * axon_rng_u53_open(axon_rng_bits53(w[2][l], w[3][l]));
    }
    for (uint32_t l = 0; l < n; l++)
        r[l] = -2.0 * log(r[l]);
    for (uint32_t l = 0; l < n; l++)
        a[l] = cos(a[l]);
    for (uint32_t l = 0; l < n; l++)
        out[l] = sqrt(r[l]) * a[l];
}

void axon_rng_normal_fill(uint64_t seed, uint32_t stream, uint32_t index, uint64_t step, uint32_t k,
                          uint32_t n, double *out)
{
    if (!out)
        return;
    for (uint32_t done = 0; done < n;) {
        uint32_t m = n - done < AXON_RNG_BATCH ? n - done : AXON_RNG_BATCH;
        rt_normal_lanes(seed, stream, index + done, step, k, m, out + done);
        done += m;
    }
}

double axon_rng_normal_batched(axon_rng_batch *b, uint64_t seed, uint32_t stream, uint32_t index,
                               uint64_t step, uint32_t k)
{
    if (!b)
        return axon_rng_normal(seed, stream, index, step, k);
    if (b->n && b->seed == seed && b->stream == stream && b->step == step && b->k == k &&
        index - b->index < b->n)
        return b->v[index - b->index];
    rt_normal_lanes(seed, stream, index, step, k, AXON_RNG_BATCH, b->v);
    b->n = AXON_RNG_BATCH;
    b->seed = seed;
    b->stream = stream;
    b->index = index;
    b->step = step;
    b->k = k;
    return b->v[0];
}

uint32_t axon_rng_poisson(uint64_t seed, uint32_t stream, uint32_t index, uint64_t step, uint32_t k,
                          double lambda)
{
    if (!(lambda > 0))
        return 0;
    uint32_t w[4];
    rt_block(seed, stream, index, step, k, w);
    if (lambda >= 30) {
        double x = floor(lambda + sqrt(lambda) * rt_box_muller(w) + 0.5);
        if (x <= 0)
            return 0;
        return x >= 4294967295.0 ? UINT32_MAX : (uint32_t)x;
    }
    double u = axon_rng_u53_open(axon_rng_bits53(w[0], w[1]));
    double p = exp(-lambda), cdf = p;
    uint32_t x = 0;
    /* p underflows to 0 a few hundred terms out, which ends the search if rounding left the
     * summed CDF just below u. */
    while (u > cdf && p > 0) {
        x++;
        p *= lambda / x;
        cdf += p;
    }
    return x;
}

void axon_rng_stream_init(axon_rng_stream *s, uint64_t seed, uint32_t stream_id)
{
    if (!s)
        return;
    axon_rng_key(seed, s->key);
    s->ctr[0] = 0;
    s->ctr[1] = stream_id;
    s->ctr[2] = 0;
    s->ctr[3] = 0x80000000u;
    s->buf[0] = s->buf[1] = s->buf[2] = s->buf[3] = 0;
    s->left = 0;
}

uint32_t axon_rng_stream_u32(axon_rng_stream *s)
{
    if (!s)
        return 0;
    if (s->left <= 0) {
        axon_philox4x32_10(s->ctr, s->key, s->buf);
        if (++s->ctr[0] == 0)
            s->ctr[2]++;
        s->left = 4;
    }
    return s->buf[4 - s->left--];
}

uint64_t axon_rng_stream_u64(axon_rng_stream *s)
{
    uint64_t hi = axon_rng_stream_u32(s);
    return (hi << 32) | axon_rng_stream_u32(s);
}

double axon_rng_stream_uniform(axon_rng_stream *s)
{
    return (double)(axon_rng_stream_u64(s) >> 11) * 0x1p-53;
}

double axon_rng_stream_normal(axon_rng_stream *s)
{
    double u1 = 1.0 - axon_rng_stream_uniform(s); /* (0,1]: log stays finite */
    double u2 = axon_rng_stream_uniform(s);
    return sqrt(-2.0 * log(u1)) * cos(RT_TWO_PI * u2);
}

uint32_t axon_rng_stream_below(axon_rng_stream *s, uint32_t n)
{
    if (!s || n == 0)
        return 0;
    uint64_t m = (uint64_t)axon_rng_stream_u32(s) * n;
    uint32_t low = (uint32_t)m;
    if (low < n) {
        uint32_t threshold = (uint32_t)-n % n; /* 2^32 mod n */
        while (low < threshold) {
            m = (uint64_t)axon_rng_stream_u32(s) * n;
            low = (uint32_t)m;
        }
    }
    return (uint32_t)(m >> 32);
}

/* log(n!) - log(sqrt(2 pi n) (n/e)^n), Loader (2000). Only called with n >= 1. */
static double rt_stirlerr(double n)
{
    const double s0 = 1.0 / 12, s1 = 1.0 / 360, s2 = 1.0 / 1260, s3 = 1.0 / 1680, s4 = 1.0 / 1188;
    if (n <= 15) /* series is too inaccurate here; lgamma is exact enough at this size */
        return lgamma(n + 1) - (n + 0.5) * log(n) + n - 0.918938533204672741780329736406;
    double nn = n * n;
    if (n > 500)
        return (s0 - s1 / nn) / n;
    if (n > 80)
        return (s0 - (s1 - s2 / nn) / nn) / n;
    if (n > 35)
        return (s0 - (s1 - (s2 - s3 / nn) / nn) / nn) / n;
    return (s0 - (s1 - (s2 - (s3 - s4 / nn) / nn) / nn) / nn) / n;
}

/* x log(x/m) + m - x without the cancellation that the direct form suffers when x ~ m. */
static double rt_bd0(double x, double m)
{
    if (fabs(x - m) < 0.1 * (x + m)) {
        double v = (x - m) / (x + m);
        double s = (x - m) * v;
        double ej = 2 * x * v;
        v *= v;
        for (int j = 1; j < 1000; j++) {
            ej *= v;
            double s1 = s + ej / (2 * j + 1);
            if (s1 == s)
                return s1;
            s = s1;
        }
        return s;
    }
    return x * log(x / m) + m - x;
}

/* Binomial pmf at 0 < x < n; lgamma differences would lose digits for large n. */
static double rt_binom_pmf(double x, double n, double p, double q)
{
    double lc = rt_stirlerr(n) - rt_stirlerr(x) - rt_stirlerr(n - x) - rt_bd0(x, n * p) -
                rt_bd0(n - x, n * q);
    double lf = 1.837877066409345483560659472811 + log(x) + log1p(-x / n); /* log(2 pi x(n-x)/n) */
    return exp(lc - 0.5 * lf);
}

/* The uniforms of a binomial draw: a sequential stream (host-side setup), or the counter-based
 * uniform draws k = 0, 1, ... of (seed, stream, index, step) (axon_rng_binomial). Both in
 * [0, 1) or (0, 1); the algorithms below take either. */
typedef struct {
    axon_rng_stream *s;
    uint64_t seed, step;
    uint32_t stream, index, k;
} rt_src;

static double rt_src_uniform(rt_src *g)
{
    if (g->s)
        return axon_rng_stream_uniform(g->s);
    return axon_rng_uniform(g->seed, g->stream, g->index, g->step, g->k++);
}

static double rt_src_normal(rt_src *g)
{
    if (g->s)
        return axon_rng_stream_normal(g->s);
    double u1 = rt_src_uniform(g), u2 = rt_src_uniform(g);
    return sqrt(-2.0 * log(u1)) * cos(RT_TWO_PI * u2);
}

static uint64_t rt_binom_waiting(rt_src *s, uint64_t n, double p)
{
    double lq = log1p(-p);
    uint64_t count = 0, used = 0;
    for (;;) {
        /* failures before the next success: P(gap >= j) = P(u <= q^j) = q^j */
        double gap = floor(log(1.0 - rt_src_uniform(s)) / lq);
        if (!(gap < (double)(n - used)))
            return count;
        used += (uint64_t)gap + 1;
        count++;
        if (used >= n)
            return count;
    }
}

static uint64_t rt_binom_mode_inversion(rt_src *s, uint64_t n, double p)
{
    double nd = (double)n, q = 1 - p, r = p / q;
    uint64_t m = (uint64_t)floor((nd + 1) * p);
    if (m >= n) /* cannot happen for p <= 1/2, kept so pmf stays in its 0 < x < n domain */
        m = n - 1;
    if (m == 0)
        m = 1;
    double fm = rt_binom_pmf((double)m, nd, p, q);
    for (;;) {
        /* Inversion over the order m, m+1, m-1, m+2, ...: any fixed order is exact, and this one
         * reaches the bulk of the mass first. */
        double u = rt_src_uniform(s) - fm;
        if (u < 0)
            return m;
        uint64_t lo = m, hi = m;
        double flo = fm, fhi = fm;
        for (;;) {
            int moved = 0;
            if (hi < n && fhi > 0) {
                fhi *= (double)(n - hi) / (double)(hi + 1) * r;
                hi++;
                u -= fhi;
                if (u < 0)
                    return hi;
                moved = 1;
            }
            if (lo > 0 && flo > 0) {
                flo *= (double)lo / (double)(n - lo + 1) / r;
                lo--;
                u -= flo;
                if (u < 0)
                    return lo;
                moved = 1;
            }
            if (!moved)
                break; /* rounding left u above the summed mass: redraw */
        }
    }
}

static uint64_t rt_binom_half(rt_src *s, uint64_t n, double p)
{
    double mean = (double)n * p, var = mean * (1 - p);
    if (mean < 30)
        return rt_binom_waiting(s, n, p);
    if (var <= 1e10)
        return rt_binom_mode_inversion(s, n, p);
    double x = floor(mean + sqrt(var) * rt_src_normal(s) + 0.5);
    if (x <= 0)
        return 0;
    if (x >= (double)n)
        return n;
    return (uint64_t)x;
}

static uint64_t rt_binomial(rt_src *s, uint64_t n, double p)
{
    if (n == 0 || !(p > 0))
        return 0;
    if (p >= 1)
        return n;
    if (p > 0.5)
        return n - rt_binom_half(s, n, 1 - p);
    return rt_binom_half(s, n, p);
}

uint64_t axon_rng_stream_binomial(axon_rng_stream *s, uint64_t n, double p)
{
    if (!s)
        return 0;
    rt_src g = {.s = s};
    return rt_binomial(&g, n, p);
}

uint64_t axon_rng_binomial(uint64_t seed, uint32_t stream, uint32_t index, uint64_t step,
                           uint64_t n, double p)
{
    rt_src g = {NULL, seed, step, stream, index, 0};
    return rt_binomial(&g, n, p);
}
