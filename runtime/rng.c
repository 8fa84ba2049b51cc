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
