#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "axon/rng.h"
#include "check_suites.h"

/* Statistical bounds are 6 sigma; with fixed seeds the outcomes are deterministic anyway. */
#define SIGMAS 6.0

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Kolmogorov-Smirnov statistic of sorted xs against cdf. */
static double ks_stat(double *xs, size_t n, double (*cdf)(double))
{
    qsort(xs, n, sizeof *xs, cmp_double);
    double d = 0;
    for (size_t i = 0; i < n; i++) {
        double f = cdf(xs[i]);
        double lo = f - (double)i / n, hi = (double)(i + 1) / n - f;
        d = fmax(d, fmax(lo, hi));
    }
    return d;
}

static double normal_cdf(double x)
{
    return 0.5 * erfc(-x / sqrt(2.0));
}

static double uniform_cdf(double x)
{
    return x;
}

START_TEST(test_philox_kat)
{
    /* Random123 kat_vectors for philox4x32 with 10 rounds. */
    static const uint32_t ctr[3][4] = {{0, 0, 0, 0},
                                       {0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff},
                                       {0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344}};
    static const uint32_t key[3][2] = {{0, 0}, {0xffffffff, 0xffffffff}, {0xa4093822, 0x299f31d0}};
    static const uint32_t expect[3][4] = {{0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8},
                                          {0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd},
                                          {0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1}};
    for (int i = 0; i < 3; i++) {
        uint32_t out[4];
        axon_philox4x32_10(ctr[i], key[i], out);
        for (int j = 0; j < 4; j++)
            ck_assert_uint_eq(out[j], expect[i][j]);
    }
}
END_TEST

START_TEST(test_counter_layout)
{
    /* Pins the documented mapping that generated code mirrors. */
    uint64_t seed = 0x0123456789ABCDEFull, step = 0x123456789ABCull;
    uint32_t key[2] = {0x89ABCDEFu, 0x01234567u};
    uint32_t ctr[4] = {42, 7, 0x56789ABCu, 0x1234u | (2u << 16)}, w[4];
    axon_philox4x32_10(ctr, key, w);
    uint64_t v4 = ((uint64_t)w[0] << 21) | (w[1] >> 11);
    uint64_t v5 = ((uint64_t)w[2] << 21) | (w[3] >> 11);
    ck_assert(axon_rng_uniform(seed, 7, 42, step, 4) == (double)v4 * 0x1p-53);
    ck_assert(axon_rng_uniform(seed, 7, 42, step, 5) == (double)v5 * 0x1p-53);

    /* Normal draw 3 is Box-Muller on uniform draws 6 and 7. */
    double u6 = axon_rng_uniform(seed, 7, 42, step, 6), u7 = axon_rng_uniform(seed, 7, 42, step, 7);
    double z = sqrt(-2 * log(u6)) * cos(6.283185307179586476925286766559 * u7);
    ck_assert_double_eq_tol(axon_rng_normal(seed, 7, 42, step, 3), z, 1e-12);

    ck_assert(axon_rng_u53_open(0) == 0x1p-54);
    ck_assert(axon_rng_u53_open((1ull << 53) - 1) < 1.0);
}
END_TEST

START_TEST(test_uniform_moments)
{
    const size_t n = 1000000;
    double sum = 0, sum2 = 0;
    for (size_t i = 0; i < n; i++) {
        /* vary index, step and k so each part of the counter takes part */
        double u = axon_rng_uniform(12345, 3, (uint32_t)(i % 1000), i / 1000, (uint32_t)(i % 5));
        ck_assert(u > 0 && u < 1);
        sum += u;
        sum2 += (u - 0.5) * (u - 0.5);
    }
    double mean = sum / n, var = sum2 / n;
    ck_assert_double_eq_tol(mean, 0.5, SIGMAS * sqrt(1.0 / 12 / n));
    /* Var of (u - 1/2)^2 is 1/80 - 1/144 */
    ck_assert_double_eq_tol(var, 1.0 / 12, SIGMAS * sqrt((1.0 / 80 - 1.0 / 144) / n));

    const size_t m = 100000;
    double *xs = malloc(m * sizeof *xs);
    ck_assert_ptr_nonnull(xs);
    for (size_t i = 0; i < m; i++)
        xs[i] = axon_rng_uniform(99, 0, (uint32_t)i, 17, 0);
    ck_assert_double_lt(ks_stat(xs, m, uniform_cdf), 1.95 / sqrt((double)m)); /* alpha 0.001 */
    free(xs);
}
END_TEST

START_TEST(test_normal_moments_ks)
{
    const size_t n = 1000000;
    double sum = 0, sum2 = 0;
    for (size_t i = 0; i < n; i++) {
        double z = axon_rng_normal(777, 1, (uint32_t)i, 5, 0);
        sum += z;
        sum2 += z * z;
    }
    double mean = sum / n, var = sum2 / n - mean * mean;
    ck_assert_double_eq_tol(mean, 0.0, SIGMAS / sqrt((double)n));
    ck_assert_double_eq_tol(var, 1.0, SIGMAS * sqrt(2.0 / n));

    const size_t m = 100000;
    double *xs = malloc(m * sizeof *xs);
    ck_assert_ptr_nonnull(xs);
    for (size_t i = 0; i < m; i++)
        xs[i] = axon_rng_normal(31337, 9, 11, i, (uint32_t)(i % 3));
    ck_assert_double_lt(ks_stat(xs, m, normal_cdf), 1.95 / sqrt((double)m));
    free(xs);
}
END_TEST

START_TEST(test_determinism_and_independence)
{
    double base = axon_rng_uniform(1, 2, 3, 4, 0);
    ck_assert(axon_rng_uniform(1, 2, 3, 4, 0) == base);
    ck_assert(axon_rng_normal(1, 2, 3, 4, 0) == axon_rng_normal(1, 2, 3, 4, 0));
    ck_assert(axon_rng_uniform(9, 2, 3, 4, 0) != base);                /* seed */
    ck_assert(axon_rng_uniform(1ull << 32 | 1, 2, 3, 4, 0) != base);   /* seed high half */
    ck_assert(axon_rng_uniform(1, 5, 3, 4, 0) != base);                /* stream */
    ck_assert(axon_rng_uniform(1, 2, 6, 4, 0) != base);                /* index */
    ck_assert(axon_rng_uniform(1, 2, 3, 5, 0) != base);                /* step */
    ck_assert(axon_rng_uniform(1, 2, 3, 4 + (1ull << 32), 0) != base); /* step high word */
    ck_assert(axon_rng_uniform(1, 2, 3, 4, 1) != base);                /* k, same block */
    ck_assert(axon_rng_uniform(1, 2, 3, 4, 2) != base);                /* k, next block */
    ck_assert(axon_rng_uniform(1, 2, 3, 4, AXON_RNG_MAX_UNIFORM_K - 2) != base);

    /* The sequential stream must not reproduce the counter-based draws of the same seed. */
    axon_rng_stream s;
    axon_rng_stream_init(&s, 1, 2);
    uint32_t key[2] = {1, 0}, ctr[4] = {0, 2, 0, 0}, w[4];
    axon_philox4x32_10(ctr, key, w);
    ck_assert_uint_ne(axon_rng_stream_u32(&s), w[0]);
}
END_TEST

/* Batched normal draws (the setup kernels' weights and delays) are axon_rng_normal's doubles,
 * bit for bit: across the wrap of the index, for any count, seed, stream, step and k. */
START_TEST(test_normal_batches)
{
    static const struct {
        uint64_t seed, step;
        uint32_t stream, index, k, n;
    } c[] = {{0, 0, 0, 0, 0, 1000},
             {42, 0, 7, UINT32_MAX - 20, 0, 45}, /* indices wrap past 2^32 */
             {1ull << 40 | 3, 5 + (1ull << 33), 4095, 123456, 3, 17},
             {9, 77, 1, 5, AXON_RNG_MAX_NORMAL_K - 1, 16},
             {9, 77, 1, 5, 0, 0}};
    for (size_t t = 0; t < sizeof c / sizeof c[0]; t++) {
        double out[1001];
        out[c[t].n] = -1; /* not written */
        axon_rng_normal_fill(c[t].seed, c[t].stream, c[t].index, c[t].step, c[t].k, c[t].n, out);
        ck_assert(out[c[t].n] == -1);
        axon_rng_batch b = {.n = 0};
        for (uint32_t i = 0; i < c[t].n; i++) {
            double x = axon_rng_normal(c[t].seed, c[t].stream, c[t].index + i, c[t].step, c[t].k);
            ck_assert_msg(memcmp(&out[i], &x, sizeof x) == 0, "case %zu, draw %u", t, i);
            double y = axon_rng_normal_batched(&b, c[t].seed, c[t].stream, c[t].index + i,
                                               c[t].step, c[t].k);
            ck_assert(memcmp(&y, &x, sizeof x) == 0);
        }
    }
    /* a batch serves other keys and indices out of order by refilling */
    axon_rng_batch b = {.n = 0};
    for (int r = 0; r < 3; r++)
        for (uint32_t i = 40; i-- > 0;) {
            uint32_t stream = i % 3, k = (uint32_t)r;
            double x = axon_rng_normal(5, stream, i * 7, (uint64_t)r, k);
            double y = axon_rng_normal_batched(&b, 5, stream, i * 7, (uint64_t)r, k);
            ck_assert(memcmp(&y, &x, sizeof x) == 0);
        }
    ck_assert(axon_rng_normal_batched(NULL, 1, 2, 3, 4, 0) == axon_rng_normal(1, 2, 3, 4, 0));
}
END_TEST

static double poisson_pmf(double lambda, unsigned k)
{
    return exp(k * log(lambda) - lambda - lgamma(k + 1.0));
}

START_TEST(test_poisson)
{
    static const double lambdas[] = {0.05, 2.5, 20, 29.9, 30, 100, 1000};
    const size_t n = 200000;
    for (size_t li = 0; li < sizeof lambdas / sizeof lambdas[0]; li++) {
        double lam = lambdas[li], sum = 0, sum2 = 0;
        for (size_t i = 0; i < n; i++) {
            double x = axon_rng_poisson(4242, (uint32_t)li, (uint32_t)i, 1, 0, lam);
            sum += x;
            sum2 += x * x;
        }
        double mean = sum / n, var = sum2 / n - mean * mean;
        ck_assert_double_eq_tol(mean, lam, SIGMAS * sqrt(lam / n));
        /* Var of the sample variance is about (mu4 - sigma^4)/n = (lam + 2 lam^2)/n */
        ck_assert_double_eq_tol(var, lam, SIGMAS * sqrt((lam + 2 * lam * lam) / n) + 0.1);
    }
    ck_assert_uint_eq(axon_rng_poisson(1, 1, 1, 1, 0, 0.0), 0);
    ck_assert_uint_eq(axon_rng_poisson(1, 1, 1, 1, 0, -3.0), 0);
    ck_assert_uint_eq(axon_rng_poisson(1, 1, 1, 1, 0, NAN), 0);

    /* Inversion path: each count's frequency against the exact pmf. */
    unsigned counts[64] = {0};
    const double lam = 3.7;
    for (size_t i = 0; i < n; i++) {
        unsigned x = axon_rng_poisson(5, 0, (uint32_t)i, 0, 1, lam);
        if (x < 64)
            counts[x]++;
    }
    for (unsigned k = 0; k < 20; k++) {
        double p = poisson_pmf(lam, k), expect = n * p;
        ck_assert_double_eq_tol(counts[k], expect, SIGMAS * sqrt(expect * (1 - p)) + 2);
    }
}
END_TEST

START_TEST(test_stream_basics)
{
    axon_rng_stream a, b, c;
    axon_rng_stream_init(&a, 2024, 1);
    axon_rng_stream_init(&b, 2024, 1);
    axon_rng_stream_init(&c, 2024, 2);
    int differ = 0;
    for (int i = 0; i < 100; i++) {
        uint32_t x = axon_rng_stream_u32(&a);
        ck_assert_uint_eq(x, axon_rng_stream_u32(&b));
        differ += x != axon_rng_stream_u32(&c);
    }
    ck_assert_int_ge(differ, 99);

    /* First block is Philox at counter {0, id, 0, 0x80000000}; u64 takes the high half first. */
    axon_rng_stream_init(&a, 0x0000000500000003ull, 9);
    uint32_t key[2] = {3, 5}, ctr[4] = {0, 9, 0, 0x80000000u}, w[4];
    axon_philox4x32_10(ctr, key, w);
    ck_assert(axon_rng_stream_u64(&a) == ((uint64_t)w[0] << 32 | w[1]));
    ck_assert(axon_rng_stream_uniform(&a) ==
              (double)(((uint64_t)w[2] << 32 | w[3]) >> 11) * 0x1p-53);

    /* Counter carry from ctr[0] into ctr[2]. */
    axon_rng_stream_init(&a, 1, 1);
    a.ctr[0] = 0xFFFFFFFFu;
    axon_rng_stream_u32(&a);
    ck_assert_uint_eq(a.ctr[0], 0);
    ck_assert_uint_eq(a.ctr[2], 1);

    axon_rng_stream_init(&a, 77, 0);
    double sum = 0, sum2 = 0;
    const int n = 200000;
    for (int i = 0; i < n; i++) {
        double u = axon_rng_stream_uniform(&a);
        ck_assert(u >= 0 && u < 1);
        double z = axon_rng_stream_normal(&a);
        ck_assert(isfinite(z));
        sum += z;
        sum2 += z * z;
    }
    ck_assert_double_eq_tol(sum / n, 0.0, SIGMAS / sqrt((double)n));
    ck_assert_double_eq_tol(sum2 / n, 1.0, SIGMAS * sqrt(2.0 / n));
}
END_TEST

START_TEST(test_stream_below)
{
    axon_rng_stream s;
    axon_rng_stream_init(&s, 5, 5);
    static const uint32_t ns[] = {1, 2, 3, 7, 1000, 0x80000001u, 0xC0000000u, UINT32_MAX};
    for (size_t i = 0; i < sizeof ns / sizeof ns[0]; i++)
        for (int j = 0; j < 10000; j++)
            ck_assert_uint_lt(axon_rng_stream_below(&s, ns[i]), ns[i]);
    ck_assert_uint_eq(axon_rng_stream_below(&s, 0), 0);

    /* Chi-square over 10 cells, 9 dof: 40 has p ~ 4e-6. */
    const int n = 1000000;
    unsigned counts[10] = {0};
    for (int i = 0; i < n; i++)
        counts[axon_rng_stream_below(&s, 10)]++;
    double chi2 = 0;
    for (int k = 0; k < 10; k++)
        chi2 += (counts[k] - n / 10.0) * (counts[k] - n / 10.0) / (n / 10.0);
    ck_assert_double_lt(chi2, 40);

    /* With n = 3 * 2^30 a multiply-shift without rejection maps two inputs to every output
     * divisible by 3 and one to the rest, so those would get 1/2 of the draws instead of 1/3. */
    unsigned div3 = 0;
    for (int i = 0; i < n; i++)
        div3 += axon_rng_stream_below(&s, 0xC0000000u) % 3 == 0;
    ck_assert_double_eq_tol(div3 / (double)n, 1.0 / 3, SIGMAS * sqrt(2.0 / 9 / n));
}
END_TEST

START_TEST(test_stream_binomial_moments)
{
    static const struct {
        uint64_t n;
        double p;
    } cases[] = {{10, 0.3},
                 {1000, 0.01},
                 {200, 0.3},
                 {100000, 0.2},
                 {50, 0.9},
                 {1000000000, 1e-8},
                 {1000000000000ull, 0.5},
                 {60, 0.5}};
    axon_rng_stream s;
    axon_rng_stream_init(&s, 31, 4);
    const int draws = 100000;
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        double n = (double)cases[c].n, p = cases[c].p, mu = n * p, var = mu * (1 - p);
        double sum = 0, sum2 = 0;
        for (int i = 0; i < draws; i++) {
            uint64_t x = axon_rng_stream_binomial(&s, cases[c].n, p);
            ck_assert(x <= cases[c].n);
            double d = (double)x - mu;
            sum += d;
            sum2 += d * d;
        }
        double mean = mu + sum / draws, v = sum2 / draws - (sum / draws) * (sum / draws);
        ck_assert_double_eq_tol(mean, mu, SIGMAS * sqrt(var / draws));
        ck_assert_double_eq_tol(v, var, SIGMAS * sqrt((var + 2 * var * var) / draws) + 0.1);
    }
    ck_assert_uint_eq(axon_rng_stream_binomial(&s, 0, 0.5), 0);
    ck_assert_uint_eq(axon_rng_stream_binomial(&s, 100, 0.0), 0);
    ck_assert_uint_eq(axon_rng_stream_binomial(&s, 100, NAN), 0);
    ck_assert_uint_eq(axon_rng_stream_binomial(&s, 100, 1.0), 100);
    ck_assert_uint_eq(axon_rng_stream_binomial(&s, UINT64_MAX, 1.0), UINT64_MAX);
}
END_TEST

static double binom_pmf(unsigned n, double p, unsigned k)
{
    return exp(lgamma(n + 1.0) - lgamma(k + 1.0) - lgamma(n - k + 1.0) + k * log(p) +
               (n - k) * log1p(-p));
}

/* Per-value frequencies against the exact pmf, for both exact algorithms. */
START_TEST(test_stream_binomial_pmf)
{
    static const struct {
        unsigned n;
        double p;
    } cases[] = {{40, 0.1}, {200, 0.3}, {300, 0.75}, {5000, 0.02}};
    axon_rng_stream s;
    axon_rng_stream_init(&s, 8, 8);
    const int draws = 200000;
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        unsigned n = cases[c].n, *counts = calloc(n + 1, sizeof *counts);
        ck_assert_ptr_nonnull(counts);
        for (int i = 0; i < draws; i++)
            counts[axon_rng_stream_binomial(&s, n, cases[c].p)]++;
        for (unsigned k = 0; k <= n; k++) {
            double q = binom_pmf(n, cases[c].p, k), expect = draws * q;
            ck_assert_msg(fabs(counts[k] - expect) <= SIGMAS * sqrt(expect * (1 - q)) + 2,
                          "n=%u p=%g k=%u: %u draws, expected %.1f", n, cases[c].p, k, counts[k],
                          expect);
        }
        free(counts);
    }
}
END_TEST

/* The counter-based binomial (summed Poisson input): per-value frequencies over neurons and
 * steps against the exact pmf, for both exact algorithms; a pure function of its arguments. */
START_TEST(test_counter_binomial)
{
    static const struct {
        unsigned n;
        double p;
    } cases[] = {{20, 0.005}, {40, 0.1}, {10000, 0.01}, {300, 0.75}};
    const int draws = 200000;
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        unsigned n = cases[c].n, *counts = calloc(n + 1, sizeof *counts);
        ck_assert_ptr_nonnull(counts);
        for (int i = 0; i < draws; i++) {
            uint64_t x = axon_rng_binomial(8, 3 + (uint32_t)c, (uint32_t)(i % 1000),
                                           (uint64_t)(i / 1000), n, cases[c].p);
            ck_assert(x <= n);
            counts[x]++;
        }
        for (unsigned k = 0; k <= n; k++) {
            double q = binom_pmf(n, cases[c].p, k), expect = draws * q;
            ck_assert_msg(fabs(counts[k] - expect) <= SIGMAS * sqrt(expect * (1 - q)) + 2,
                          "n=%u p=%g k=%u: %u draws, expected %.1f", n, cases[c].p, k, counts[k],
                          expect);
        }
        free(counts);
    }
    ck_assert_uint_eq(axon_rng_binomial(5, 1, 2, 3, 10000, 0.01),
                      axon_rng_binomial(5, 1, 2, 3, 10000, 0.01));
    int same = 0;
    for (uint32_t i = 0; i < 100; i++)
        same += axon_rng_binomial(5, 1, i, 3, 10000, 0.01) == axon_rng_binomial(6, 1, i, 3, 10000, 0.01);
    ck_assert_int_lt(same, 20); /* another seed, other draws (P(equal) is about 0.04) */
    ck_assert_uint_eq(axon_rng_binomial(5, 1, 2, 3, 0, 0.5), 0);
    ck_assert_uint_eq(axon_rng_binomial(5, 1, 2, 3, 100, 0.0), 0);
    ck_assert_uint_eq(axon_rng_binomial(5, 1, 2, 3, 100, NAN), 0);
    ck_assert_uint_eq(axon_rng_binomial(5, 1, 2, 3, 100, 1.0), 100);
}
END_TEST

Suite *rng_suite(void)
{
    Suite *s = suite_create("rng");
    TCase *tc = tcase_create("philox");
    tcase_add_test(tc, test_philox_kat);
    tcase_add_test(tc, test_counter_layout);
    tcase_add_test(tc, test_determinism_and_independence);
    tcase_add_test(tc, test_normal_batches);
    suite_add_tcase(s, tc);

    tc = tcase_create("distributions");
    tcase_set_timeout(tc, 300); /* valgrind runs these ~50x slower */
    tcase_add_test(tc, test_uniform_moments);
    tcase_add_test(tc, test_normal_moments_ks);
    tcase_add_test(tc, test_poisson);
    suite_add_tcase(s, tc);

    tc = tcase_create("stream");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, test_stream_basics);
    tcase_add_test(tc, test_stream_below);
    tcase_add_test(tc, test_stream_binomial_moments);
    tcase_add_test(tc, test_stream_binomial_pmf);
    tcase_add_test(tc, test_counter_binomial);
    suite_add_tcase(s, tc);
    return s;
}
