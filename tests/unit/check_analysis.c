/*
 * The analysis library (analysis.h) against closed forms and known cases: Poisson trains
 * (CV = CV2 = LV = Fano = 1, no correlation), regular trains (CV = 0), Elephant's documented
 * values, known Lempel-Ziv complexities, the spectrum of a sinusoid, of white noise and of
 * Poisson trains with a sinusoidal rate, chi and the Kuramoto order parameter for identical and
 * independent trains, the distances' closed forms, the effective rank of matrices of known rank;
 * and the recordings reader on directories written here, including every kind of bad input.
 */
#define _POSIX_C_SOURCE 200809L

#include <check.h>
#include <dirent.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "axon/analysis.h"
#include "axon/axonc.h"
#include "axon/io.h"
#include "axon/rng.h"
#include "check_suites.h"

#define CLOSE(a, b, tol)                                                                           \
    ck_assert_msg(fabs((double)(a) - (double)(b)) <= (tol), "%s = %.10g, expected %.10g (+- %g)",  \
                  #a, (double)(a), (double)(b), (double)(tol))

/* ---- synthetic trains --------------------------------------------------------------------- */

typedef struct {
    double *t;
    uint32_t *i;
    size_t n, cap;
} spikes;

static void push(spikes *s, double t, uint32_t i)
{
    if (s->n == s->cap) {
        s->cap = s->cap ? 2 * s->cap : 1024;
        s->t = realloc(s->t, s->cap * sizeof *s->t);
        s->i = realloc(s->i, s->cap * sizeof *s->i);
        ck_assert(s->t && s->i);
    }
    s->t[s->n] = t;
    s->i[s->n++] = i;
}

static void spikes_free(spikes *s)
{
    free(s->t);
    free(s->i);
}

/* n independent Poisson trains of the given rate on (0, T]. */
static axon_trains *poisson(uint32_t n, double rate, double T, uint64_t seed)
{
    spikes s = {0};
    axon_rng_stream rs;
    axon_rng_stream_init(&rs, seed, 7);
    for (uint32_t k = 0; k < n; k++)
        for (double t = 0;;) {
            t += -log(1 - axon_rng_stream_uniform(&rs)) / rate;
            if (t > T)
                break;
            push(&s, t, k);
        }
    axon_err err;
    axon_trains *tr = axon_trains_new("P", n, s.t, s.i, s.n, 0, T, 0, &err);
    ck_assert_msg(tr != NULL, "%s", err.msg);
    spikes_free(&s);
    return tr;
}

/* n neurons firing every period from phase offset k * shift (on the 0.1 ms grid). */
static axon_trains *regular(uint32_t n, double period, double shift, double T)
{
    spikes s = {0};
    for (uint32_t k = 0; k < n; k++)
        for (long m = 1;; m++) {
            double t = (double)m * period + k * shift;
            if (t > T)
                break;
            push(&s, t, k);
        }
    axon_err err;
    axon_trains *tr = axon_trains_new("R", n, s.t, s.i, s.n, 0, T, 1e-4, &err);
    ck_assert_msg(tr != NULL, "%s", err.msg);
    spikes_free(&s);
    return tr;
}

/* ---- rates -------------------------------------------------------------------------------- */

START_TEST(test_trains_window_and_order)
{
    /* unsorted input, spikes on the window's edges: (t0, t1] keeps 0.2 and 0.5, drops 0.1 */
    double t[] = {0.5, 0.3, 0.1, 0.2, 0.6, 0.4};
    uint32_t i[] = {0, 0, 1, 1, 1, 0};
    axon_err err;
    axon_trains *tr = axon_trains_new("A", 3, t, i, 6, 0.1, 0.5, 0.1, &err);
    ck_assert_ptr_nonnull(tr);
    ck_assert_uint_eq(axon_trains_count(tr), 4);
    const double *ts;
    ck_assert_uint_eq(axon_trains_neuron(tr, 0, &ts), 3);
    ck_assert(ts[0] == 0.3 && ts[1] == 0.4 && ts[2] == 0.5);
    ck_assert_uint_eq(axon_trains_neuron(tr, 1, &ts), 1);
    ck_assert_uint_eq(axon_trains_neuron(tr, 2, &ts), 0);
    double rate[3];
    axon_rates(tr, rate);
    CLOSE(rate[0], 3 / 0.4, 1e-12);
    CLOSE(rate[2], 0, 0);
    axon_trains_free(tr);
    /* an index outside the population, an empty window */
    uint32_t bad[] = {3};
    ck_assert_ptr_null(axon_trains_new("A", 3, t, bad, 1, 0, 1, 0, &err));
    ck_assert_ptr_nonnull(strstr(err.msg, "neuron 3"));
    ck_assert_ptr_null(axon_trains_new("A", 3, t, i, 6, 1, 1, 0, &err));
}
END_TEST

START_TEST(test_pop_rate_and_smoothing)
{
    /* 10 neurons each firing every 10 ms: 100 Hz; 1 ms bins hold 1 spike in 10 */
    axon_trains *tr = regular(10, 0.01, 0, 1.0);
    ck_assert_uint_eq(axon_nbins(tr, 1e-3), 1000);
    double c[1000], r[1000];
    ck_assert_int_eq(axon_pop_counts(tr, 1e-3, c, 1000), AXON_OK);
    /* the spike at 10 ms lies on the edge of bin 9 = (9 ms, 10 ms] */
    ck_assert(c[9] == 10 && c[10] == 0 && c[19] == 10);
    ck_assert_int_eq(axon_pop_rate(tr, 0.01, AXON_KERNEL_NONE, 0, r, 100), AXON_OK);
    for (int k = 0; k < 100; k++)
        CLOSE(r[k], 100, 1e-9);
    /* a constant rate stays constant under either kernel, edges included */
    ck_assert_int_eq(axon_pop_rate(tr, 0.01, AXON_KERNEL_GAUSS, 0.02, r, 100), AXON_OK);
    for (int k = 0; k < 100; k++)
        CLOSE(r[k], 100, 1e-9);
    ck_assert_int_eq(axon_pop_rate(tr, 0.01, AXON_KERNEL_EXP, 0.02, r, 100), AXON_OK);
    for (int k = 0; k < 100; k++)
        CLOSE(r[k], 100, 1e-9);
    /* the Gaussian kernel keeps the mass of a pulse, centred */
    double x[101] = {0}, y[101];
    x[50] = 1;
    ck_assert_int_eq(axon_smooth(x, 101, 1e-3, AXON_KERNEL_GAUSS, 3e-3, y), AXON_OK);
    double mass = 0, first = 0;
    for (int k = 0; k < 101; k++) {
        mass += y[k];
        first += (k - 50) * y[k];
    }
    CLOSE(mass, 1, 1e-9);
    CLOSE(first, 0, 1e-12);
    CLOSE(y[53] / y[50], exp(-0.5), 1e-12);
    /* the exponential kernel is causal, exp(-t / w) sampled every dt and normalised, h_j =
     * (1 - a) a^j with a = exp(-dt / w); at sample k the result is divided by the kernel's mass
     * inside the window, 1 - a^(k+1): nothing before the pulse, then a decay of time constant w */
    ck_assert_int_eq(axon_smooth(x, 101, 1e-3, AXON_KERNEL_EXP, 3e-3, y), AXON_OK);
    double a = exp(-1.0 / 3);
    for (int k = 0; k < 50; k++)
        CLOSE(y[k], 0, 0);
    for (int j = 0; j <= 50; j++)
        CLOSE(y[50 + j], (1 - a) * pow(a, j) / (1 - pow(a, 51 + j)), 1e-15);
    CLOSE(y[53] / y[50], exp(-1.0) * (1 - pow(a, 51)) / (1 - pow(a, 54)), 1e-12);
    axon_trains_free(tr);
}
END_TEST

START_TEST(test_psth)
{
    /* one neuron spiking 2 ms after each of 5 triggers */
    double t[5], trig[5];
    uint32_t i[5] = {0};
    for (int k = 0; k < 5; k++) {
        trig[k] = 0.1 * (k + 1);
        t[k] = trig[k] + 0.002;
    }
    axon_trains *tr = axon_trains_new("S", 1, t, i, 5, 0, 1, 1e-4, NULL);
    double r[10];
    size_t used;
    ck_assert_int_eq(axon_psth(tr, trig, 5, 0.005, 1e-3, r, 10, &used), AXON_OK);
    ck_assert_uint_eq(used, 5);
    /* [trigger - 5 ms, + 5 ms) in 1 ms bins: the spike at +2 ms is in (+1 ms, +2 ms]: bin 6 */
    for (int k = 0; k < 10; k++)
        CLOSE(r[k], k == 6 ? 1000 : 0, 1e-9);
    axon_trains_free(tr);
}
END_TEST

/* ---- intervals ----------------------------------------------------------------------------- */

START_TEST(test_isi_elephant_values)
{
    /* the examples of Elephant's documentation (statistics.cv2, lv, lvr) */
    double isi[] = {0.3, 4.5, 6.7, 9.3};
    CLOSE(axon_cv2(isi, 4), 0.8226190476190478, 1e-15);
    CLOSE(axon_lv(isi, 4), 0.8306154336734695, 1e-15);
    CLOSE(axon_lvr(isi, 4, 0.005), 0.833907445980624, 1e-14);
    /* population std over the mean, as scipy.stats.variation */
    double m = (0.3 + 4.5 + 6.7 + 9.3) / 4, v = 0;
    for (int k = 0; k < 4; k++)
        v += (isi[k] - m) * (isi[k] - m) / 4;
    CLOSE(axon_cv(isi, 4), sqrt(v) / m, 1e-15);
    ck_assert(isnan(axon_cv(isi, 1)) && isnan(axon_lv(isi, 1)) && isnan(axon_cv2(isi, 0)));
    /* LvR with R = 0 is Lv */
    CLOSE(axon_lvr(isi, 4, 0), axon_lv(isi, 4), 1e-15);
}
END_TEST

START_TEST(test_poisson_statistics)
{
    axon_trains *tr = poisson(200, 20, 50, 1);
    axon_isi_summary isi;
    ck_assert_int_eq(axon_isi_stats(tr, 0, &isi, NULL), AXON_OK);
    ck_assert_uint_eq(isi.neurons, 200);
    CLOSE(isi.cv, 1, 0.02);
    CLOSE(isi.cv2, 1, 0.02);
    CLOSE(isi.lv, 1, 0.02);
    CLOSE(isi.mean_isi, 0.05, 0.002);
    double rate[200], mean = 0;
    axon_rates(tr, rate);
    for (int k = 0; k < 200; k++)
        mean += rate[k] / 200;
    CLOSE(mean, 20, 0.2);
    axon_fano_summary f;
    ck_assert_int_eq(axon_fano_factor(tr, 0.1, &f), AXON_OK);
    CLOSE(f.neuron, 1, 0.03);
    CLOSE(f.population, 1, 0.1);
    axon_pair_summary c;
    ck_assert_int_eq(axon_count_correlation(tr, 0.01, 500, 3, &c), AXON_OK);
    ck_assert_uint_eq(c.pairs, 500);
    CLOSE(c.mean, 0, 0.005);
    /* a count correlation's sampling std is 1/sqrt(bins) for independent trains */
    CLOSE(c.std, 1 / sqrt(5000.0), 0.003);
    axon_pair_summary s;
    ck_assert_int_eq(axon_pop_sttc(tr, 0.005, 500, 3, &s), AXON_OK);
    CLOSE(s.mean, 0, 0.01);
    double chi;
    ck_assert_int_eq(axon_chi_spikes(tr, 1e-3, 5e-3, &chi), AXON_OK);
    ck_assert_msg(chi > 0.5 / sqrt(200) && chi < 2 / sqrt(200), "chi %g", chi);
    /* the normalised LZ complexity of Bernoulli(p) bins tends to the entropy rate H(p) */
    double lz, p = 1 - exp(-20 * 1e-3), H = -(p * log2(p) + (1 - p) * log2(1 - p));
    ck_assert_int_eq(axon_lz_trains(tr, 1e-3, 20, 50000, 5, &lz), AXON_OK);
    CLOSE(lz, H, 0.25 * H);
    axon_trains_free(tr);
}
END_TEST

START_TEST(test_regular_statistics)
{
    axon_trains *tr = regular(20, 0.025, 1e-3, 10);
    axon_isi_summary isi;
    double cv[20];
    ck_assert_int_eq(axon_isi_stats(tr, 0.005, &isi, cv), AXON_OK);
    ck_assert_uint_eq(isi.neurons, 20);
    CLOSE(isi.cv, 0, 1e-9);
    CLOSE(isi.cv2, 0, 1e-9);
    CLOSE(isi.lv, 0, 1e-9);
    /* LvR of a regular train: 3 (1 - 1)(...) = 0 */
    CLOSE(isi.lvr, 0, 1e-9);
    CLOSE(cv[7], 0, 1e-9);
    /* without phase shifts, counts in 100 ms bins: 4 in every bin */
    axon_trains *t4 = regular(20, 0.025, 0, 10);
    axon_fano_summary f;
    ck_assert_int_eq(axon_fano_factor(t4, 0.1, &f), AXON_OK);
    CLOSE(f.neuron, 0, 1e-12);
    CLOSE(f.population, 0, 1e-12);
    axon_trains_free(t4);
    /* phases 1 ms apart, period 25 ms: the spike-phase order parameter is that of 20 phases
     * spread over 2 pi * 20/25 */
    double times[50], R[50];
    for (int k = 0; k < 50; k++)
        times[k] = 1 + 0.01 * k + 0.0005;
    ck_assert_int_eq(axon_kuramoto_spikes(tr, times, 50, R), AXON_OK);
    double c = 0, s = 0;
    for (int j = 0; j < 20; j++) {
        c += cos(2 * M_PI * j / 25.0);
        s += sin(2 * M_PI * j / 25.0);
    }
    for (int k = 0; k < 50; k++)
        CLOSE(R[k], sqrt(c * c + s * s) / 20, 1e-6);
    axon_trains_free(tr);
    /* identical trains: chi and R are 1, the CCH and STTC see perfect coincidence */
    tr = regular(10, 0.02, 0, 5);
    double chi;
    ck_assert_int_eq(axon_chi_spikes(tr, 1e-3, 5e-3, &chi), AXON_OK);
    CLOSE(chi, 1, 1e-9);
    ck_assert_int_eq(axon_kuramoto_spikes(tr, times, 50, R), AXON_OK);
    CLOSE(R[3], 1, 1e-12);
    axon_pair_summary st;
    ck_assert_int_eq(axon_pop_sttc(tr, 0.005, 100, 1, &st), AXON_OK);
    CLOSE(st.mean, 1, 1e-12);
    axon_trains_free(tr);
}
END_TEST

START_TEST(test_isi_histogram)
{
    axon_trains *tr = regular(3, 0.025, 0, 1);
    double h[10];
    uint64_t over;
    ck_assert_int_eq(axon_isi_histogram(tr, 5e-3, h, 10, &over), AXON_OK);
    /* 39 intervals of 25 ms per neuron, in [25, 30) ms */
    CLOSE(h[5], 3 * 39, 0);
    CLOSE(h[4], 0, 0);
    ck_assert_uint_eq(over, 0);
    ck_assert_int_eq(axon_isi_histogram(tr, 1e-3, h, 10, &over), AXON_OK);
    ck_assert_uint_eq(over, 3 * 39);
    axon_trains_free(tr);
}
END_TEST

/* ---- pairs --------------------------------------------------------------------------------- */

START_TEST(test_cch_and_sttc)
{
    /* b fires 3 ms after a, 1 ms bins: the CCH has all its mass at lag +3 */
    double a[] = {0.010, 0.050, 0.100}, b[] = {0.013, 0.053, 0.103};
    double out[11];
    ck_assert_int_eq(axon_cch(a, 3, b, 3, 0, 0.2, 1e-3, 5, out), AXON_OK);
    for (int k = 0; k < 11; k++)
        CLOSE(out[k], k == 5 + 3 ? 3 : 0, 0);
    ck_assert_int_eq(axon_cch(b, 3, a, 3, 0, 0.2, 1e-3, 5, out), AXON_OK);
    CLOSE(out[5 - 3], 3, 0);
    /* STTC: 3 ms apart within a 5 ms window: P = 1; T = 3 * 10 ms / 200 ms for each */
    double T = 0.15, sttc = (1 - T) / (1 - T);
    CLOSE(axon_sttc(a, 3, b, 3, 0, 0.2, 0.005), sttc, 1e-12);
    /* a window of 2 ms sees no coincidence: P = 0, T = 3 * 4 ms / 200 ms */
    T = 0.06;
    CLOSE(axon_sttc(a, 3, b, 3, 0, 0.2, 0.002), -T, 1e-12);
    ck_assert(isnan(axon_sttc(a, 0, b, 3, 0, 0.2, 0.002)));
    /* Cutts & Eglen: the tiled time is clipped at the window's edges */
    double e[] = {0.001};
    CLOSE(axon_sttc(e, 1, e, 1, 0, 0.1, 0.005), 1, 1e-12);
}
END_TEST

START_TEST(test_distances)
{
    double a[] = {1.0}, b[] = {1.5}, c[] = {0.2, 0.4, 0.6};
    /* Victor-Purpura: moving costs q |dt| until it exceeds deleting and inserting (2) */
    CLOSE(axon_victor_purpura(a, 1, b, 1, 1), 0.5, 1e-12);
    CLOSE(axon_victor_purpura(a, 1, b, 1, 10), 2, 1e-12);
    CLOSE(axon_victor_purpura(c, 3, NULL, 0, 1), 3, 0);
    CLOSE(axon_victor_purpura(c, 3, c, 3, 5), 0, 0);
    CLOSE(axon_victor_purpura(c, 3, a, 1, 0), 2, 0); /* q = 0 counts spikes */
    /* van Rossum, Elephant's normalisation: one spike against none is 1 */
    CLOSE(axon_van_rossum(a, 1, NULL, 0, 0.1), 1, 1e-12);
    CLOSE(axon_van_rossum(c, 3, c, 3, 0.1), 0, 1e-7);
    double d = 0.5, tau = 0.2;
    CLOSE(axon_van_rossum(a, 1, b, 1, tau), sqrt(2 - 2 * exp(-d / tau)), 1e-12);
    /* three spikes: sum over pairs of exp(-|ti - tj| / tau) */
    double s = 3 + 2 * (2 * exp(-0.2 / tau) + exp(-0.4 / tau));
    CLOSE(axon_van_rossum(c, 3, NULL, 0, tau), sqrt(s), 1e-12);
}
END_TEST

START_TEST(test_chi_and_kuramoto_signals)
{
    enum { NT = 200, NN = 8 };
    static double x[NT * NN], th[NT * NN], R[NT];
    for (int t = 0; t < NT; t++)
        for (int j = 0; j < NN; j++) {
            x[t * NN + j] = sin(0.1 * t);                  /* identical */
            th[t * NN + j] = 2 * M_PI * j / NN + 0.05 * t; /* splayed */
        }
    CLOSE(axon_chi(x, NT, NN), 1, 1e-12);
    axon_kuramoto(th, NT, NN, R);
    CLOSE(R[17], 0, 1e-12);
    /* signals in antiphase pairs cancel in the mean: chi = 0 */
    for (int t = 0; t < NT; t++)
        for (int j = 0; j < NN; j++)
            x[t * NN + j] = (j % 2 ? -1 : 1) * sin(0.1 * t);
    CLOSE(axon_chi(x, NT, NN), 0, 1e-12);
    for (int t = 0; t < NT; t++)
        for (int j = 0; j < NN; j++)
            th[t * NN + j] = 0.3 * t;
    axon_kuramoto(th, NT, NN, R);
    CLOSE(R[5], 1, 1e-12);
}
END_TEST

/* ---- complexity and spectra ----------------------------------------------------------------- */

/* Kaspar & Schuster (1987), as published: the reference for axon_lz76 */
static size_t lz_kaspar_schuster(const uint8_t *s, size_t n)
{
    size_t i = 0, k = 1, l = 1, c = 1, kmax = 1;
    for (;;) {
        if (s[i + k - 1] == s[l + k - 1]) {
            k++;
            if (l + k > n) {
                c++;
                break;
            }
        } else {
            if (k > kmax)
                kmax = k;
            i++;
            if (i == l) {
                c++;
                l += kmax;
                if (l + 1 > n)
                    break;
                i = 0;
                k = 1;
                kmax = 1;
            } else {
                k = 1;
            }
        }
    }
    return c;
}

static double lz_of(const char *bits, size_t *c)
{
    uint8_t s[64];
    size_t n = strlen(bits);
    for (size_t k = 0; k < n; k++)
        s[k] = bits[k] == '1';
    return axon_lz76(s, n, c);
}

START_TEST(test_lempel_ziv)
{
    size_t c;
    /* Lempel & Ziv (1976)'s example: 0 . 001 . 10 . 100 . 1000 . 101 */
    double v = lz_of("0001101001000101", &c);
    ck_assert_uint_eq(c, 6);
    CLOSE(v, 6 * 4 / 16.0, 1e-15);
    lz_of("0000000000000000", &c); /* 0 . 000000000000000 */
    ck_assert_uint_eq(c, 2);
    lz_of("0101010101010101", &c); /* 0 . 1 . 01010101010101 */
    ck_assert_uint_eq(c, 3);
    lz_of("01", &c);
    ck_assert_uint_eq(c, 2);
    ck_assert(isnan(lz_of("1", &c)));
    /* Kaspar & Schuster's own algorithm agrees on random sequences of every density */
    axon_rng_stream r0;
    axon_rng_stream_init(&r0, 2, 2);
    static const double dens[] = {0.5, 0.1, 0.01, 0.001, 0.9};
    for (int d = 0; d < 5; d++)
        for (size_t n = 2; n < 3000; n = n * 3 + 1) {
            uint8_t q[3000];
            for (size_t k = 0; k < n; k++)
                q[k] = axon_rng_stream_uniform(&r0) < dens[d];
            axon_lz76(q, n, &c);
            ck_assert_msg(c == lz_kaspar_schuster(q, n),
                          "density %g, n %zu: %zu phrases, "
                          "Kaspar-Schuster %zu",
                          dens[d], n, c, lz_kaspar_schuster(q, n));
        }
    /* a fair coin: c(n) log2(n) / n tends to 1 */
    enum { N = 100000 };
    static uint8_t s[N];
    axon_rng_stream rs;
    axon_rng_stream_init(&rs, 11, 1);
    for (size_t k = 0; k < N; k++)
        s[k] = axon_rng_stream_uniform(&rs) < 0.5;
    v = axon_lz76(s, N, NULL);
    ck_assert_msg(v > 0.9 && v < 1.1, "LZ of a fair coin %g", v);
}
END_TEST

START_TEST(test_welch)
{
    /* a 40 Hz sinusoid of amplitude 3 plus an offset, 1 kHz for 10 s */
    enum { N = 10000 };
    static double x[N], f[N], p[N];
    for (int k = 0; k < N; k++)
        x[k] = 5 + 3 * sin(2 * M_PI * 40 * k / 1000.0);
    axon_welch_opts o = {.freq_res = 1};
    size_t nf = axon_welch_nfreq(N, 1000, &o);
    ck_assert_uint_eq(nf, 501);
    ck_assert_int_eq(axon_welch(x, N, 1000, &o, f, p, NULL), AXON_OK);
    size_t best = 0;
    double total = 0;
    for (size_t k = 0; k < nf; k++) {
        if (p[k] > p[best])
            best = k;
        total += p[k] * (f[1] - f[0]);
    }
    CLOSE(f[best], 40, 1e-12);
    /* Parseval: the power is the variance A^2 / 2; the mean is removed */
    CLOSE(total, 4.5, 1e-6);
    CLOSE(p[0], 0, 1e-9);
    /* Elephant's default: 8 segments of 10000 / 4.5 = 2222 samples (not a power of two, so
     * Bluestein's FFT); white noise of variance 1 has the flat density 2 / fs */
    axon_rng_stream rs;
    axon_rng_stream_init(&rs, 3, 9);
    for (int k = 0; k < N; k++)
        x[k] = axon_rng_stream_normal(&rs);
    nf = axon_welch_nfreq(N, 1000, NULL);
    ck_assert_uint_eq(nf, 2222 / 2 + 1);
    ck_assert_int_eq(axon_welch(x, N, 1000, NULL, f, p, NULL), AXON_OK);
    double mean = 0;
    for (size_t k = 1; k + 1 < nf; k++)
        mean += p[k] / (double)(nf - 2);
    CLOSE(mean, 2e-3, 1e-4);
    CLOSE(f[nf - 1], 1000.0 * 1111 / 2222, 1e-9);
    /* too short for the segments asked for */
    o.freq_res = 0.01;
    ck_assert_uint_eq(axon_welch_nfreq(N, 1000, &o), 0);
    axon_err err;
    ck_assert_int_eq(axon_welch(x, N, 1000, &o, f, p, &err), AXON_EINVAL);
}
END_TEST

START_TEST(test_welch_sinusoidal_rate)
{
    /* 200 Poisson neurons whose rate is 20 (1 + 0.8 sin(2 pi 30 t)) Hz (thinning), 10 s: the
     * population rate is 20 + 16 sin(2 pi 30 t) Hz plus Poisson noise of density
     * 2 * 20 / 200 = 0.2 Hz^2/Hz. With 1 Hz resolution (segments of 1000 samples, Hann) the
     * sinusoid puts A^2 / 2 / ENBW = 128 / 1.5 Hz^2/Hz in the 30 Hz bin (the Hann window's
     * equivalent noise bandwidth is 1.5 bins) and A^2 / 2 = 128 Hz^2 around it. */
    enum { NN = 200, NB = 10000 };
    double T = 10, rmax = 36;
    spikes s = {0};
    axon_rng_stream rs;
    axon_rng_stream_init(&rs, 21, 3);
    for (uint32_t k = 0; k < NN; k++)
        for (double t = 0;;) {
            t += -log(1 - axon_rng_stream_uniform(&rs)) / rmax;
            if (t > T)
                break;
            if (axon_rng_stream_uniform(&rs) * rmax < 20 * (1 + 0.8 * sin(2 * M_PI * 30 * t)))
                push(&s, t, k);
        }
    axon_trains *tr = axon_trains_new("S", NN, s.t, s.i, s.n, 0, T, 0, NULL);
    ck_assert_ptr_nonnull(tr);
    static double r[NB], f[NB], p[NB];
    ck_assert_uint_eq(axon_nbins(tr, 1e-3), NB);
    ck_assert_int_eq(axon_pop_rate(tr, 1e-3, AXON_KERNEL_NONE, 0, r, NB), AXON_OK);
    axon_welch_opts o = {.freq_res = 1};
    size_t nf = axon_welch_nfreq(NB, 1000, &o), best = 1;
    ck_assert_int_eq(axon_welch(r, NB, 1000, &o, f, p, NULL), AXON_OK);
    for (size_t k = 1; k < nf; k++)
        if (p[k] > p[best])
            best = k;
    CLOSE(f[best], 30, 1e-12);
    CLOSE(p[best], 128 / 1.5, 0.05 * 128 / 1.5);
    double power = 0, floor_ = 0;
    for (size_t k = best - 3; k <= best + 3; k++)
        power += p[k] * (f[1] - f[0]);
    CLOSE(power, 128, 0.03 * 128);
    for (size_t k = 100; k < 400; k++)
        floor_ += p[k] / 300;
    CLOSE(floor_, 0.2, 0.02);
    axon_trains_free(tr);
    spikes_free(&s);
}
END_TEST

/* ---- health, weights, avalanches ------------------------------------------------------------ */

START_TEST(test_health)
{
    double one[] = {0, 0, 5, 0}, flat[] = {2, 2, 2, 2};
    CLOSE(axon_hoyer(one, 4), 1, 1e-12);
    CLOSE(axon_hoyer(flat, 4), 0, 1e-12);
    /* neurons 0 and 2 silent, neuron 3 at 200 Hz, neuron 1 at 10 Hz, over 1 s */
    spikes s = {0};
    for (int k = 1; k <= 200; k++)
        push(&s, k * 0.005, 3);
    for (int k = 1; k <= 10; k++)
        push(&s, k * 0.1, 1);
    axon_trains *tr = axon_trains_new("H", 4, s.t, s.i, s.n, 0, 1, 1e-4, NULL);
    axon_health_summary h;
    uint32_t dead[4], hyper[4];
    ck_assert_int_eq(axon_health(tr, 0.01, 100, &h, dead, hyper), AXON_OK);
    ck_assert_uint_eq(h.dead, 2);
    ck_assert(dead[0] == 0 && dead[1] == 2);
    ck_assert_uint_eq(h.hyperactive, 1);
    ck_assert_uint_eq(hyper[0], 3);
    /* 10 ms bins: neuron 3 is in all 100, neuron 1 in 10: 110 of 400 */
    CLOSE(h.active_fraction, 110 / 400.0, 1e-12);
    /* bins longer than the window: no active fraction, the rest the same (they were 0 dead,
       0 hyperactive and no Hoyer) */
    double hoyer = h.hoyer;
    ck_assert_int_eq(axon_health(tr, 2.0, 100, &h, dead, hyper), AXON_OK);
    ck_assert(isnan(h.active_fraction));
    ck_assert(h.dead == 2 && dead[0] == 0 && dead[1] == 2 && h.hyperactive == 1 && hyper[0] == 3);
    CLOSE(h.hoyer, hoyer, 0);
    /* a bin that is not a positive time is refused, not divided by */
    ck_assert_int_eq(axon_health(tr, 0, 100, &h, NULL, NULL), AXON_EINVAL);
    ck_assert_int_eq(axon_health(tr, NAN, 100, &h, NULL, NULL), AXON_EINVAL);
    axon_trains_free(tr);
    spikes_free(&s);
    /* graded units: 0 never above 0.1, 1 always, 2 half the time */
    double x[] = {0, 1, 0.5, 0, 1, 0};
    ck_assert_int_eq(axon_health_graded(x, 2, 3, 0.1, &h, dead, hyper), AXON_OK);
    ck_assert(h.dead == 1 && dead[0] == 0 && h.hyperactive == 1 && hyper[0] == 1);
    CLOSE(h.active_fraction, 3 / 6.0, 1e-12);
}
END_TEST

START_TEST(test_weights)
{
    double w[101];
    for (int k = 0; k <= 100; k++)
        w[k] = k;
    axon_weight_stats s;
    ck_assert_int_eq(axon_weights_stats(w, 101, NAN, NAN, 0, &s), AXON_OK);
    CLOSE(s.mean, 50, 1e-12);
    CLOSE(s.q05, 5, 1e-12);
    CLOSE(s.q50, 50, 1e-12);
    CLOSE(s.q95, 95, 1e-12);
    CLOSE(s.lo, 0, 0);
    CLOSE(s.hi, 100, 0);
    /* within 1% of the range (1) of a bound: 0, 1 and 99, 100 */
    CLOSE(s.near_lo, 2 / 101.0, 1e-12);
    CLOSE(s.near_hi, 2 / 101.0, 1e-12);
    double q[] = {1, 2, 3, 4};
    ck_assert_int_eq(axon_weights_stats(q, 4, NAN, NAN, 0, &s), AXON_OK);
    CLOSE(s.q25, 1.75, 1e-12); /* numpy.quantile([1, 2, 3, 4], 0.25) */
    double h[4];
    ck_assert_int_eq(axon_histogram(w, 101, 0, 100, h, 4), AXON_OK);
    ck_assert(h[0] == 25 && h[1] == 25 && h[2] == 25 && h[3] == 26);
}
END_TEST

START_TEST(test_effective_rank)
{
    enum { R = 30, C = 20 };
    static double m[R * C], sv[C];
    double er;
    /* identity (padded with zero rows): 20 equal singular values */
    memset(m, 0, sizeof m);
    for (int k = 0; k < C; k++)
        m[k * C + k] = 2;
    ck_assert_int_eq(axon_effective_rank(m, R, C, &er, sv, NULL), AXON_OK);
    CLOSE(er, 20, 1e-9);
    CLOSE(sv[0], 2, 1e-12);
    /* rank one: an outer product */
    for (int i = 0; i < R; i++)
        for (int j = 0; j < C; j++)
            m[i * C + j] = (i + 1) * sin(j + 1.0);
    ck_assert_int_eq(axon_effective_rank(m, R, C, &er, sv, NULL), AXON_OK);
    CLOSE(er, 1, 1e-9);
    /* the transpose goes through the other Gram matrix */
    static double mt[C * R];
    for (int i = 0; i < R; i++)
        for (int j = 0; j < C; j++)
            mt[j * R + i] = m[i * C + j];
    ck_assert_int_eq(axon_effective_rank(mt, C, R, &er, NULL, NULL), AXON_OK);
    CLOSE(er, 1, 1e-9);
    /* singular values 3, 1 of a rotated diagonal: p = (3/4, 1/4) */
    double a = 0.7, rot[4] = {cos(a), -sin(a), sin(a), cos(a)}, d[4];
    for (int i = 0; i < 2; i++)
        for (int j = 0; j < 2; j++)
            d[i * 2 + j] = rot[i * 2 + j] * (j == 0 ? 3 : 1);
    ck_assert_int_eq(axon_effective_rank(d, 2, 2, &er, sv, NULL), AXON_OK);
    CLOSE(sv[0], 3, 1e-12);
    CLOSE(sv[1], 1, 1e-12);
    CLOSE(er, exp(-(0.75 * log(0.75) + 0.25 * log(0.25))), 1e-12);
    /* a random 30 x 20 product of rank 3: at most 3, more than 1 */
    axon_rng_stream rs;
    axon_rng_stream_init(&rs, 5, 5);
    double u[R * 3], v[3 * C];
    for (int k = 0; k < R * 3; k++)
        u[k] = axon_rng_stream_normal(&rs);
    for (int k = 0; k < 3 * C; k++)
        v[k] = axon_rng_stream_normal(&rs);
    for (int i = 0; i < R; i++)
        for (int j = 0; j < C; j++) {
            m[i * C + j] = 0;
            for (int k = 0; k < 3; k++)
                m[i * C + j] += u[i * 3 + k] * v[k * C + j];
        }
    ck_assert_int_eq(axon_effective_rank(m, R, C, &er, sv, NULL), AXON_OK);
    ck_assert_msg(er > 1.5 && er <= 3 + 1e-9, "erank %g", er);
    ck_assert_msg(sv[3] < 1e-6 * sv[0], "fourth singular value %g", sv[3]);
    memset(m, 0, sizeof m);
    ck_assert_int_eq(axon_effective_rank(m, R, C, &er, NULL, NULL), AXON_OK);
    ck_assert(isnan(er));
}
END_TEST

START_TEST(test_avalanches)
{
    /* bursts of k spikes over k consecutive 1 ms bins for k = 1..20, separated by silence,
     * after a silent first bin: 20 avalanches of size k and duration k */
    spikes s = {0};
    double t = 0.002;
    for (int k = 1; k <= 20; k++) {
        for (int j = 0; j < k; j++)
            push(&s, t + j * 1e-3 - 0.0005, (uint32_t)j);
        t += (k + 3) * 1e-3;
    }
    axon_trains *tr = axon_trains_new("A", 20, s.t, s.i, s.n, 0, t + 0.01, 1e-4, NULL);
    axon_avalanche_summary a;
    uint64_t sz[32], du[32];
    ck_assert_int_eq(axon_avalanches(tr, 1e-3, &a, sz, du, 32), AXON_OK);
    ck_assert_uint_eq(a.count, 20);
    CLOSE(a.mean_size, 10.5, 1e-12);
    CLOSE(a.mean_duration, 10.5, 1e-12);
    ck_assert(a.max_size == 20 && a.max_duration == 20 && sz[4] == 5 && du[4] == 5);
    ck_assert(isfinite(a.alpha) && a.alpha > 1);
    axon_trains_free(tr);
    spikes_free(&s);
    /* sizes drawn from the discrete power law (zeta distribution) of exponent 2.5 with
     * Devroye's rejection method come back */
    s = (spikes){0};
    axon_rng_stream rs;
    axon_rng_stream_init(&rs, 8, 8);
    t = 0.0105;
    double al = 2.5, b = pow(2, al - 1);
    for (int k = 0; k < 3000; k++) {
        double x;
        for (;;) {
            double u = 1 - axon_rng_stream_uniform(&rs), v = axon_rng_stream_uniform(&rs);
            x = floor(pow(u, -1 / (al - 1)));
            double T = pow(1 + 1 / x, al - 1);
            if (x < 1e6 && v * x * (T - 1) / (b - 1) <= T / b)
                break;
        }
        for (uint64_t j = 0; j < (uint64_t)x; j++) /* one bin: spikes of 200 neurons */
            push(&s, t, (uint32_t)(j % 200));
        t += 0.002;
    }
    tr = axon_trains_new("A", 200, s.t, s.i, s.n, 0, t + 0.01, 1e-4, NULL);
    ck_assert_int_eq(axon_avalanches(tr, 1e-3, &a, NULL, NULL, 0), AXON_OK);
    ck_assert_uint_eq(a.count, 3000);
    CLOSE(a.alpha, 2.5, 0.15);
    axon_trains_free(tr);
    spikes_free(&s);
}
END_TEST

/* ---- summaries --------------------------------------------------------------------------------
 */

START_TEST(test_unit_pretty)
{
    ck_assert_str_eq(axon_unit_pretty("kg*m^2*s^-3*A^-1"), "V");
    ck_assert_str_eq(axon_unit_pretty("m^-2*kg^-1*s^3*A^2"), "S");
    ck_assert_str_eq(axon_unit_pretty("s^-1"), "Hz");
    ck_assert_str_eq(axon_unit_pretty("A"), "A");
    ck_assert_str_eq(axon_unit_pretty("1"), "");
    ck_assert_str_eq(axon_unit_pretty("furlong*s^-1"), "furlong*s^-1");
    /* named by the units' table the language and the API share (unit_table.h) */
    ck_assert_str_eq(axon_unit_pretty("kg*m^2*s^-3*A^-2"), "\u03a9");
    ck_assert_str_eq(axon_unit_pretty("kg*m^-1*s^-2"), "Pa");
    ck_assert_str_eq(axon_unit_pretty("m^-4*kg^-1*s^3*A^2"), "S/m\u00b2");
    ck_assert_str_eq(axon_unit_pretty("m*m^-1"), "");
    /* no unit of factor 1: mol/m^3 is the millimolar, not the molar; a prefix is kept */
    ck_assert_str_eq(axon_unit_pretty("m^-3*mol"), "m^-3*mol");
    ck_assert_str_eq(axon_unit_pretty("mV"), "mV");
}
END_TEST

START_TEST(test_summarize)
{
    axon_trains *tr = poisson(100, 10, 20, 4);
    axon_pop_summary s;
    axon_err err;
    ck_assert_int_eq(axon_summarize(tr, NULL, &s, &err), AXON_OK);
    ck_assert_uint_eq(s.neurons, 100);
    CLOSE(s.rate, 10, 0.3);
    CLOSE(s.isi.cv, 1, 0.05);
    CLOSE(s.fano.population, 1, 0.15);
    CLOSE(s.corr.mean, 0, 0.01);
    ck_assert_uint_eq(s.corr.pairs, 1000);
    ck_assert_uint_eq(s.health.dead, 0);
    ck_assert_uint_eq(s.health.hyperactive, 0);
    ck_assert(s.chi > 0 && s.chi < 0.3);
    ck_assert(s.avalanches.count > 0);
    /* a window shorter than the bins: those statistics are NaN, not an error */
    axon_trains_free(tr);
    double t[] = {0.001, 0.002};
    uint32_t i[] = {0, 1};
    tr = axon_trains_new("S", 2, t, i, 2, 0, 0.005, 1e-4, &err);
    ck_assert_int_eq(axon_summarize(tr, NULL, &s, &err), AXON_OK);
    ck_assert(isnan(s.fano.population) && isnan(s.isi.cv) && isnan(s.corr.mean));
    axon_trains_free(tr);
}
END_TEST

/* ---- a live simulation --------------------------------------------------------------------------
 */

/* 20 identical LIF neurons connected i -> j for every i != j: their trains stay identical. */
static const char LIVE[] = "import \"std/neurons/lif\"\n"
                           "synapse S {\n"
                           "    state {\n"
                           "        w = 0.5 mV\n"
                           "        tr = 0\n"
                           "    }\n"
                           "    equations event-driven { tr' = -tr / (10 ms) }\n"
                           "    on pre {\n"
                           "        post.v += w\n"
                           "        tr += 1\n"
                           "    }\n"
                           "}\n"
                           "module Live(N = 20) {\n"
                           "    population E = LIF[N](I_ext = 0.2 nA)\n"
                           "    project E -> E : S connect where (i != j)\n"
                           "    record spikes E\n"
                           "}\n";

START_TEST(test_live_simulation)
{
    axonc_session *cs = axonc_session_new(NULL);
    ck_assert_ptr_nonnull(cs);
    axonc_unit *u = NULL;
    axonc_instance *in = NULL;
    const axon_model_desc *m = NULL;
    ck_assert_int_eq(axonc_load_string(cs, "<live>", LIVE, strlen(LIVE), &u), AXONC_OK);
    ck_assert_int_eq(axonc_instantiate(u, NULL, &in), AXONC_OK);
    ck_assert_int_eq(axonc_jit(in, &m), AXONC_OK);
    axon_err err;
    axon_sim *sim = axon_sim_new(m, NULL, &err);
    ck_assert_msg(sim != NULL, "%s", err.msg);
    ck_assert_int_eq(axon_sim_run(sim, 0.2, NULL, NULL), AXON_OK);
    axon_trains *tr = axon_sim_trains(sim, 0, 0, -1, &err);
    ck_assert_msg(tr != NULL, "%s", err.msg);
    ck_assert_uint_eq(axon_trains_count(tr), axon_sim_spike_count(sim, 0));
    ck_assert_uint_gt(axon_trains_count(tr), 20);
    double chi;
    ck_assert_int_eq(axon_chi_spikes(tr, 1e-3, 5e-3, &chi), AXON_OK);
    CLOSE(chi, 1, 1e-9);
    axon_trains_free(tr);
    /* the weight matrix is w (J - I): singular values (N - 1) w once and w N - 1 times, so the
     * effective rank is 2 sqrt(N - 1) */
    static double wm[20 * 20];
    ck_assert_msg(axon_sim_weight_matrix(sim, "E->E.w", wm, &err) == AXON_OK, "%s", err.msg);
    CLOSE(wm[0], 0, 0);
    CLOSE(wm[1], 0.5e-3, 1e-15);
    double er;
    ck_assert_int_eq(axon_effective_rank(wm, 20, 20, &er, NULL, &err), AXON_OK);
    CLOSE(er, 2 * sqrt(19.0), 1e-9);
    ck_assert_int_eq(axon_sim_weight_matrix(sim, "E->E.nope", wm, &err), AXON_EINVAL);
    /* a variable kept per neuron has no matrix (it read one value per synapse from N) */
    ck_assert_int_eq(axon_sim_weight_matrix(sim, "E->E.tr", wm, &err), AXON_EINVAL);
    ck_assert_msg(strstr(err.msg, "per neuron") != NULL, "%s", err.msg);
    ck_assert_ptr_null(axon_sim_trains(sim, 3, 0, -1, &err));
    axon_sim_free(sim);
    axonc_session_free(cs);
}
END_TEST

/* ---- recordings directories ----------------------------------------------------------------- */

static char g_dir[256];

static void dir_setup(void)
{
    const char *base = getenv("TMPDIR");
    snprintf(g_dir, sizeof g_dir, "%s/axon_analysis_XXXXXX", base && *base ? base : "/tmp");
    ck_assert_ptr_nonnull(mkdtemp(g_dir));
}

static void dir_teardown(void)
{
    DIR *d = opendir(g_dir);
    if (d) {
        struct dirent *e;
        char p[1024];
        while ((e = readdir(d)))
            if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
                snprintf(p, sizeof p, "%s/%s", g_dir, e->d_name);
                unlink(p);
            }
        closedir(d);
    }
    rmdir(g_dir);
}

static void write_text(const char *name, const char *text)
{
    char p[512];
    snprintf(p, sizeof p, "%s/%s", g_dir, name);
    FILE *fp = fopen(p, "w");
    ck_assert_ptr_nonnull(fp);
    fputs(text, fp);
    fclose(fp);
}

static void write_npy(const char *name, axon_dtype dt, int ndim, size_t n0, size_t n1,
                      const void *data)
{
    char p[512];
    snprintf(p, sizeof p, "%s/%s", g_dir, name);
    size_t shape[2] = {n0, n1};
    axon_tensor *t = axon_tensor_new(dt, ndim, shape, NULL);
    ck_assert_ptr_nonnull(t);
    memcpy(t->data, data, axon_tensor_numel(t) * axon_dtype_size(dt));
    ck_assert_int_eq(axon_npy_write(p, t, NULL), AXON_OK);
    axon_tensor_free(t);
}

static const char MANIFEST[] =
    "{\n  \"format\": \"axon-recordings\", \"version\": 2, \"model\": \"M\", \"precision\": 4,\n"
    "  \"dt\": 0.0001, \"steps\": 10000, \"duration\": 1, \"seed\": 3, \"threads\": 1,\n"
    "  \"axon_version\": \"0.1.0\", \"meta\": {\"command\": \"axon run m.axon\"},\n"
    "  \"populations\": [{\"name\": \"E\", \"type\": \"LIF\", \"size\": 4, \"spiking\": true},\n"
    "                  {\"name\": \"U\", \"type\": \"Unit\", \"size\": 2, \"spiking\": false}],\n"
    "  \"projections\": [{\"name\": \"E->E\", \"type\": \"S\", \"pre\": \"E\", \"post\": \"E\","
    " \"synapses\": 5}],\n"
    "  \"files\": [\n"
    "    {\"path\": \"E.spikes.t.npy\", \"kind\": \"spike_times\", \"record\": 0,"
    " \"population\": \"E\", \"shape\": [3]},\n"
    "    {\"path\": \"E.spikes.i.npy\", \"kind\": \"spike_indices\", \"record\": 0,"
    " \"population\": \"E\", \"shape\": [3]},\n"
    "    {\"path\": \"U.r.npy\", \"kind\": \"state\", \"record\": 1, \"population\": \"U\","
    " \"variable\": \"r\", \"unit\": \"1\", \"shape\": [2, 2], \"subset\": \"all\","
    " \"period\": 0.5},\n"
    "    {\"path\": \"U.r.t.npy\", \"kind\": \"state_times\", \"record\": 1,"
    " \"population\": \"U\", \"variable\": \"r\", \"unit\": \"s\", \"shape\": [2]},\n"
    "    {\"path\": \"E->E.w.npy\", \"kind\": \"weights\", \"record\": 2, \"population\": null,"
    " \"projection\": \"E->E\", \"variable\": \"w\", \"unit\": \"S\", \"shape\": [1, 2],"
    " \"subset\": [4, 1], \"period\": 1},\n"
    "    {\"path\": \"E->E.w.t.npy\", \"kind\": \"weights_times\", \"record\": 2,"
    " \"population\": null, \"projection\": \"E->E\", \"shape\": [1]}\n"
    "  ]\n}\n";

static void write_good_recording(void)
{
    double t[] = {0.1, 0.2, 0.3}, rt[] = {0.5, 1.0}, wt[] = {1.0};
    int32_t i[] = {0, 3, 0};
    float r[] = {0.5f, 0.25f, 1, 2}, w[] = {1e-9f, 2e-9f};
    write_npy("E.spikes.t.npy", AXON_F64, 1, 3, 0, t);
    write_npy("E.spikes.i.npy", AXON_I32, 1, 3, 0, i);
    write_npy("U.r.npy", AXON_F32, 2, 2, 2, r);
    write_npy("U.r.t.npy", AXON_F64, 1, 2, 0, rt);
    write_npy("E->E.w.npy", AXON_F32, 2, 1, 2, w);
    write_npy("E->E.w.t.npy", AXON_F64, 1, 1, 0, wt);
    write_text("manifest.json", MANIFEST);
}

START_TEST(test_recording_read)
{
    write_good_recording();
    axon_err err;
    axon_recording *r = axon_recording_open(g_dir, &err);
    ck_assert_msg(r != NULL, "%s", err.msg);
    const axon_rec_info *in = axon_recording_info(r);
    ck_assert_int_eq(in->version, 2);
    CLOSE(in->dt, 1e-4, 0);
    CLOSE(in->duration, 1, 0);
    ck_assert_str_eq(in->model, "M");
    ck_assert_str_eq(in->axon_version, "0.1.0");
    ck_assert_str_eq(axon_recording_meta(r, "command"), "axon run m.axon");
    ck_assert_ptr_null(axon_recording_meta(r, "source"));
    ck_assert_uint_eq(axon_recording_npops(r), 2);
    int e = axon_recording_pop_index(r, "E");
    const axon_rec_pop *p = axon_recording_pop(r, (size_t)e);
    ck_assert(p->size == 4 && p->size_known && p->has_spikes && p->nspikes == 3);
    ck_assert(p->t[1] == 0.2 && p->i[1] == 3);
    ck_assert(!axon_recording_pop(r, (size_t)axon_recording_pop_index(r, "U"))->spiking);
    ck_assert_uint_eq(axon_recording_nprojs(r), 1);
    ck_assert_uint_eq(axon_recording_proj(r, 0)->synapses, 5);
    ck_assert_uint_eq(axon_recording_nseries(r), 2);
    const axon_rec_series *s = axon_recording_series(r, 0);
    ck_assert_int_eq(s->kind, AXON_SERIES_STATE);
    ck_assert(s->nsamples == 2 && s->ncols == 2 && s->values[3] == 2 && s->times[1] == 1.0);
    ck_assert_ptr_null(s->subset);
    s = axon_recording_series(r, 1);
    ck_assert_int_eq(s->kind, AXON_SERIES_WEIGHTS);
    ck_assert_str_eq(s->owner, "E->E");
    ck_assert(s->subset && s->subset[0] == 4 && s->subset[1] == 1);
    CLOSE(s->values[1], 2e-9, 1e-16);
    /* the trains: rates over the whole duration */
    axon_trains *tr = axon_recording_trains(r, e, 0, -1, &err);
    ck_assert_ptr_nonnull(tr);
    double rate[4];
    axon_rates(tr, rate);
    ck_assert(rate[0] == 2 && rate[3] == 1 && rate[1] == 0);
    axon_trains_free(tr);
    ck_assert_ptr_null(axon_recording_trains(r, axon_recording_pop_index(r, "U"), 0, -1, &err));
    axon_recording_free(r);
}
END_TEST

/* opens g_dir expecting failure; the message must contain want */
static void open_fails(const char *want)
{
    axon_err err = {{0}};
    axon_recording *r = axon_recording_open(g_dir, &err);
    ck_assert_ptr_null(r);
    ck_assert_msg(strstr(err.msg, want) != NULL, "message '%s' lacks '%s'", err.msg, want);
}

static void replace_in_manifest(const char *from, const char *to)
{
    char buf[sizeof MANIFEST + 256];
    const char *at = strstr(MANIFEST, from);
    ck_assert_ptr_nonnull(at);
    snprintf(buf, sizeof buf, "%.*s%s%s", (int)(at - MANIFEST), MANIFEST, to, at + strlen(from));
    write_text("manifest.json", buf);
}

START_TEST(test_recording_errors)
{
    /* not a recording: no manifest */
    open_fails("not a recording (no manifest.json");
    write_good_recording();
    /* not JSON: the position is given */
    write_text("manifest.json", "{\n  \"format\": \"axon-recordings\",\n  \"version\": 2,,\n}");
    open_fails("manifest.json:3:16: expected a member name");
    /* another format, a newer version */
    replace_in_manifest("axon-recordings", "something");
    open_fails("not an Axon recordings manifest");
    replace_in_manifest("\"version\": 2", "\"version\": 7");
    open_fails("version 7 is newer than this Axon reads (3)");
    /* a missing data file, named */
    replace_in_manifest("U.r.t.npy", "U.gone.npy");
    open_fails("U.gone.npy: listed in manifest.json but missing");
    /* a truncated data file, named */
    write_text("manifest.json", MANIFEST);
    char p[512];
    snprintf(p, sizeof p, "%s/U.r.npy", g_dir);
    ck_assert_int_eq(truncate(p, 128 + 6), 0);
    open_fails("U.r.npy: truncated data");
    write_good_recording();
    /* data disagreeing with the manifest */
    replace_in_manifest("\"shape\": [2, 2]", "\"shape\": [3, 2]");
    open_fails("U.r.npy: shape disagrees with manifest.json");
    /* a spike outside its population */
    write_good_recording();
    int32_t bad[] = {0, 4, 0};
    write_npy("E.spikes.i.npy", AXON_I32, 1, 3, 0, bad);
    open_fails("E.spikes.i.npy: spike 1 has neuron index 4, outside population 'E' of 4");
    /* a file name that leaves the directory */
    write_good_recording();
    replace_in_manifest("\"U.r.npy\"", "\"../U.r.npy\"");
    open_fails("is not a file name");
    /* not a directory */
    axon_err err;
    ck_assert_ptr_null(axon_recording_open("/nonexistent/axon", &err));
    ck_assert_ptr_nonnull(strstr(err.msg, "/nonexistent/axon"));
}
END_TEST

static int exists(const char *dir, const char *name)
{
    char p[600];
    struct stat st;
    snprintf(p, sizeof p, "%s/%s", dir, name);
    return stat(p, &st) == 0 && st.st_size > 0;
}

START_TEST(test_analyze_and_write)
{
    write_good_recording();
    axon_err err;
    axon_recording *r = axon_recording_open(g_dir, &err);
    ck_assert_ptr_nonnull(r);
    axon_analysis *a = axon_analyze(r, 0, -1, NULL, &err);
    ck_assert_msg(a != NULL, "%s", err.msg);
    ck_assert_uint_eq(axon_analysis_npops(a), 1);
    const char *name;
    const axon_pop_summary *s = axon_analysis_pop(a, 0, &name);
    ck_assert_str_eq(name, "E");
    CLOSE(s->rate, 0.75, 1e-12);
    ck_assert_uint_eq(s->health.dead, 2);
    ck_assert_ptr_nonnull(strstr(axon_analysis_table(a), "dead neurons"));
    char rep[512];
    snprintf(rep, sizeof rep, "%s/report", g_dir);
    ck_assert_msg(axon_analysis_write(a, rep, &err) == AXON_OK, "%s", err.msg);
    ck_assert(exists(rep, "analysis.json") && exists(rep, "index.html") &&
              exists(rep, "raster.svg"));
    axon_analysis_free(a);
    /* a window past the end */
    ck_assert_ptr_null(axon_analyze(r, 0, 2, NULL, &err));
    ck_assert_ptr_nonnull(strstr(err.msg, "not inside the recording"));
    axon_recording_free(r);
    /* the report directory's files are removed by the fixture's teardown only one level deep */
    DIR *d = opendir(rep);
    struct dirent *e;
    char p[1024];
    while (d && (e = readdir(d)))
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
            snprintf(p, sizeof p, "%s/%s", rep, e->d_name);
            unlink(p);
        }
    if (d)
        closedir(d);
    rmdir(rep);
}
END_TEST

/* the text of file name in dir (malloc'd, NUL-terminated) */
static char *slurp(const char *dir, const char *name)
{
    char p[600];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    FILE *f = fopen(p, "rb");
    ck_assert_ptr_nonnull(f);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *t = malloc((size_t)n + 1);
    ck_assert_ptr_nonnull(t);
    ck_assert_uint_eq(fread(t, 1, (size_t)n, f), (size_t)n);
    t[n] = '\0';
    fclose(f);
    return t;
}

START_TEST(test_graded_health_report)
{
    /* graded units U: recorded columns are neurons 1 and 0 (subset [1, 0]); column 0 is never
     * above 0, column 1 always: neuron 1 is dead, neuron 0 always active, listed by index */
    write_good_recording();
    float r[] = {0, 1, -0.5f, 2};
    write_npy("U.r.npy", AXON_F32, 2, 2, 2, r);
    replace_in_manifest("\"subset\": \"all\"", "\"subset\": [1, 0]");
    axon_err err;
    axon_recording *rec = axon_recording_open(g_dir, &err);
    ck_assert_msg(rec != NULL, "%s", err.msg);
    axon_analysis *a = axon_analyze(rec, 0, -1, NULL, &err);
    ck_assert_msg(a != NULL, "%s", err.msg);
    ck_assert_msg(axon_analysis_write(a, g_dir, &err) == AXON_OK, "%s", err.msg);
    char *json = slurp(g_dir, "analysis.json");
    ck_assert_msg(strstr(json, "\"dead\": 1, \"always_active\": 1, \"dead_neurons\": [1], "
                               "\"always_active_neurons\": [0]") != NULL,
                  "%s", strstr(json, "\"series\""));
    free(json);
    axon_analysis_free(a);
    axon_recording_free(rec);
}
END_TEST

START_TEST(test_one_figure)
{
    write_good_recording();
    axon_err err;
    axon_recording *r = axon_recording_open(g_dir, &err);
    ck_assert_ptr_nonnull(r);
    axon_analysis *a = axon_analyze(r, 0, -1, NULL, &err);
    ck_assert_msg(a != NULL, "%s", err.msg);
    char path[600];
    snprintf(path, sizeof path, "%s/one.svg", g_dir);
    ck_assert_msg(axon_analysis_figure(a, "raster", "E", path, &err) == AXON_OK, "%s", err.msg);
    FILE *f = fopen(path, "r");
    char head[64] = "";
    ck_assert_ptr_nonnull(f);
    ck_assert_ptr_nonnull(fgets(head, sizeof head, f));
    fclose(f);
    ck_assert_ptr_nonnull(strstr(head, "<svg"));
    ck_assert_int_eq(unlink(path), 0);
    /* every kind is known; a figure with nothing to draw is an error, and leaves no file */
    size_t kinds = 0;
    while (axon_figure_kind(kinds))
        kinds++;
    ck_assert_uint_eq(kinds, 6);
    ck_assert_ptr_null(axon_figure_kind(kinds + 5));
    ck_assert_int_eq(axon_analysis_figure(a, "frob", NULL, path, &err), AXON_EINVAL);
    ck_assert_ptr_nonnull(strstr(err.msg, "no figure kind 'frob'"));
    ck_assert_int_eq(axon_analysis_figure(a, "raster", "X", path, &err), AXON_EINVAL);
    ck_assert_ptr_nonnull(strstr(err.msg, "'X'"));
    ck_assert_int_eq(axon_analysis_figure(NULL, "raster", NULL, path, &err), AXON_EINVAL);
    ck_assert_int_eq(axon_analysis_figure(a, NULL, NULL, path, &err), AXON_EINVAL);
    ck_assert_int_eq(axon_analysis_figure(a, "raster", NULL, NULL, &err), AXON_EINVAL);
    ck_assert_int_eq(axon_analysis_figure(a, "raster", NULL, "/nonexistent/x.svg", &err),
                     AXON_EIO);
    ck_assert_ptr_nonnull(strstr(err.msg, "/nonexistent/x.svg"));
    struct stat st;
    ck_assert_int_ne(stat(path, &st), 0);
    axon_analysis_free(a);
    axon_recording_free(r);
}
END_TEST

START_TEST(test_sha256)
{
    /* FIPS 180-2's examples, the second across the 56-byte padding boundary */
    static const char *const CASES[][2] = {
        {"", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
        {"abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
        {"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
         "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"}};
    char p[512], hex[65];
    snprintf(p, sizeof p, "%s/h.txt", g_dir);
    for (int k = 0; k < 3; k++) {
        write_text("h.txt", CASES[k][0]);
        ck_assert_int_eq(axon_sha256_file(p, hex, NULL), AXON_OK);
        ck_assert_str_eq(hex, CASES[k][1]);
    }
    axon_err err;
    ck_assert_int_eq(axon_sha256_file("/nonexistent/x", hex, &err), AXON_EIO);
    ck_assert_ptr_nonnull(strstr(err.msg, "/nonexistent/x"));
}
END_TEST

START_TEST(test_recording_version1)
{
    /* version 1 has no populations: sizes come from the largest index seen */
    write_good_recording();
    const char *a = strstr(MANIFEST, "  \"populations\""), *b = strstr(MANIFEST, "  \"files\"");
    char buf[sizeof MANIFEST];
    snprintf(buf, sizeof buf, "%.*s%s", (int)(a - MANIFEST), MANIFEST, b);
    char *v = strstr(buf, "\"version\": 2");
    v[11] = '1';
    write_text("manifest.json", buf);
    axon_err err;
    axon_recording *r = axon_recording_open(g_dir, &err);
    ck_assert_msg(r != NULL, "%s", err.msg);
    const axon_rec_pop *p = axon_recording_pop(r, (size_t)axon_recording_pop_index(r, "E"));
    ck_assert(p->size == 4 && !p->size_known);
    axon_recording_free(r);
}
END_TEST

Suite *analysis_suite(void)
{
    Suite *s = suite_create("analysis");
    TCase *tc = tcase_create("trains");
    tcase_add_test(tc, test_trains_window_and_order);
    tcase_add_test(tc, test_pop_rate_and_smoothing);
    tcase_add_test(tc, test_psth);
    tcase_add_test(tc, test_isi_elephant_values);
    tcase_add_test(tc, test_poisson_statistics);
    tcase_add_test(tc, test_regular_statistics);
    tcase_add_test(tc, test_isi_histogram);
    tcase_add_test(tc, test_cch_and_sttc);
    tcase_add_test(tc, test_distances);
    tcase_add_test(tc, test_chi_and_kuramoto_signals);
    tcase_add_test(tc, test_lempel_ziv);
    tcase_add_test(tc, test_welch);
    tcase_add_test(tc, test_welch_sinusoidal_rate);
    tcase_add_test(tc, test_health);
    tcase_add_test(tc, test_weights);
    tcase_add_test(tc, test_effective_rank);
    tcase_add_test(tc, test_avalanches);
    tcase_add_test(tc, test_unit_pretty);
    tcase_add_test(tc, test_summarize);
    tcase_add_test(tc, test_live_simulation);
    suite_add_tcase(s, tc);
    TCase *rec = tcase_create("recordings");
    tcase_add_checked_fixture(rec, dir_setup, dir_teardown);
    tcase_add_test(rec, test_recording_read);
    tcase_add_test(rec, test_recording_errors);
    tcase_add_test(rec, test_recording_version1);
    tcase_add_test(rec, test_analyze_and_write);
    tcase_add_test(rec, test_one_figure);
    tcase_add_test(rec, test_graded_health_report);
    tcase_add_test(rec, test_sha256);
    suite_add_tcase(s, rec);
    return s;
}
