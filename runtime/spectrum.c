/*
 * Spectra and complexity: Welch's power spectral density of a sampled signal (the population
 * rate), with its own FFT, and the Lempel-Ziv complexity of binarised spike trains.
 *
 * FFT: iterative radix-2 for powers of two; any other length through Bluestein's chirp-z
 * transform (three power-of-two FFTs), so that segment lengths follow Elephant's rule
 * (n / (n_segments - overlap (n_segments - 1)), rarely a power of two) and the numbers agree
 * with scipy.signal.welch bin for bin.
 */
#include <complex.h>
#include <stdlib.h>
#include <string.h>

#include "analysis_int.h"

/* ---- FFT ------------------------------------------------------------------------------------ */

/* In place, n a power of two; sign -1 forward, +1 inverse (unscaled). Returns -1 when out
 * of memory for the twiddle table. */
static int rt_fft2(double complex *x, size_t n, int sign)
{
    for (size_t i = 1, j = 0; i < n; i++) { /* bit reversal */
        size_t bit = n >> 1;
        for (; j & bit; bit >>= 1)
            j ^= bit;
        j ^= bit;
        if (i < j) {
            double complex t = x[i];
            x[i] = x[j];
            x[j] = t;
        }
    }
    double complex *tw = malloc((n / 2 + 1) * sizeof *tw);
    if (!tw)
        return -1;
    for (size_t len = 2; len <= n; len <<= 1) {
        /* twiddles from the angle, once per stage: a running product would drift */
        double ang = sign * 2 * M_PI / (double)len;
        for (size_t k = 0; k < len / 2; k++)
            tw[k] = cexp(I * ang * (double)k);
        for (size_t i = 0; i < n; i += len)
            for (size_t k = 0; k < len / 2; k++) {
                double complex u = x[i + k], v = x[i + k + len / 2] * tw[k];
                x[i + k] = u + v;
                x[i + k + len / 2] = u - v;
            }
    }
    free(tw);
    return 0;
}

static size_t rt_pow2_at_least(size_t n)
{
    size_t m = 1;
    while (m < n)
        m <<= 1;
    return m;
}

/*
 * Forward DFT of any length n, X[k] = sum_j x[j] exp(-2 pi i j k / n). Bluestein: j k = (j^2 +
 * k^2 - (k - j)^2) / 2 turns the DFT into a convolution with the chirp exp(i pi m^2 / n), done
 * with power-of-two FFTs of length m >= 2n - 1. The chirp and the transform of the kernel
 * depend on n only, so a plan keeps them for every segment of a Welch estimate: one FFT pair
 * per segment instead of three.
 */
typedef struct {
    size_t n, m; /* m = 0: n is a power of two, no chirp */
    double complex *w, *bf, *a;
} rt_dft_plan;

static void rt_dft_free(rt_dft_plan *p)
{
    free(p->w);
    free(p->bf);
    free(p->a);
}

static int rt_dft_init(rt_dft_plan *p, size_t n)
{
    memset(p, 0, sizeof *p);
    p->n = n;
    if (n == 0 || (n & (n - 1)) == 0)
        return 0;
    size_t m = rt_pow2_at_least(2 * n - 1);
    p->m = m;
    p->w = malloc(n * sizeof *p->w);
    p->bf = calloc(m, sizeof *p->bf);
    p->a = malloc(m * sizeof *p->a);
    if (!p->w || !p->bf || !p->a) {
        rt_dft_free(p);
        return -1;
    }
    for (size_t j = 0; j < n; j++) {
        /* j^2 mod 2n keeps the angle small, so it stays exact for long transforms */
        uint64_t q = ((uint64_t)j * j) % (2 * (uint64_t)n);
        p->w[j] = cexp(-I * M_PI * (double)q / (double)n);
    }
    p->bf[0] = conj(p->w[0]);
    for (size_t j = 1; j < n; j++)
        p->bf[j] = p->bf[m - j] = conj(p->w[j]);
    if (rt_fft2(p->bf, m, -1)) {
        rt_dft_free(p);
        return -1;
    }
    return 0;
}

static int rt_dft(rt_dft_plan *p, const double complex *x, double complex *out)
{
    size_t n = p->n, m = p->m;
    if (n == 0)
        return 0;
    if (!m) {
        memcpy(out, x, n * sizeof *out);
        return rt_fft2(out, n, -1);
    }
    for (size_t j = 0; j < n; j++)
        p->a[j] = x[j] * p->w[j];
    memset(p->a + n, 0, (m - n) * sizeof *p->a);
    if (rt_fft2(p->a, m, -1))
        return -1;
    for (size_t k = 0; k < m; k++)
        p->a[k] *= p->bf[k];
    if (rt_fft2(p->a, m, +1))
        return -1;
    for (size_t k = 0; k < n; k++)
        out[k] = p->a[k] / (double)m * p->w[k];
    return 0;
}

/* ---- Welch ---------------------------------------------------------------------------------- */

static size_t rt_welch_len(size_t n, double fs, const axon_welch_opts *o, double *overlap)
{
    axon_welch_opts d = {0};
    if (!o)
        o = &d;
    double ov = o->overlap > 0 ? o->overlap : 0.5;
    if (ov >= 1)
        return 0;
    *overlap = ov;
    size_t len;
    if (o->freq_res > 0) {
        len = (size_t)(fs / o->freq_res);
    } else if (o->len_segment) {
        len = o->len_segment;
    } else {
        double ns = o->nsegments ? o->nsegments : 8;
        len = (size_t)((double)n / (ns - ov * (ns - 1)));
    }
    return len >= 2 && len <= n ? len : 0;
}

size_t axon_welch_nfreq(size_t n, double fs, const axon_welch_opts *o)
{
    double ov;
    size_t len = rt_welch_len(n, fs, o, &ov);
    return len ? len / 2 + 1 : 0;
}

axon_status axon_welch(const double *x, size_t n, double fs, const axon_welch_opts *o, double *freq,
                       double *psd, axon_err *err)
{
    double ov = 0.5;
    size_t len = rt_welch_len(n, fs, o, &ov);
    if (!x || !freq || !psd)
        return axon_err_set(err, AXON_EINVAL, "Welch: NULL %s",
                            !x ? "samples" : !freq ? "frequencies" : "spectrum");
    if (!(fs > 0) || len == 0)
        return axon_err_set(err, AXON_EINVAL,
                            "Welch: %zu samples are too few for the segment length asked", n);
    size_t nover = (size_t)((double)len * ov), step = len - nover;
    size_t nseg = (n - nover) / step, nf = len / 2 + 1;
    double complex *seg = malloc(len * sizeof *seg), *spec = malloc(len * sizeof *spec);
    double *win = malloc(len * sizeof *win);
    rt_dft_plan plan;
    int planned = rt_dft_init(&plan, len) == 0;
    if (!seg || !spec || !win || !planned) {
        free(seg);
        free(spec);
        free(win);
        if (planned)
            rt_dft_free(&plan);
        return axon_err_set(err, AXON_ENOMEM, "Welch: out of memory");
    }
    double wss = 0;
    for (size_t k = 0; k < len; k++) { /* periodic Hann, scipy's get_window('hann', len) */
        win[k] = 0.5 - 0.5 * cos(2 * M_PI * (double)k / (double)len);
        wss += win[k] * win[k];
    }
    double scale = 1.0 / (fs * wss);
    memset(psd, 0, nf * sizeof *psd);
    int fail = 0;
    for (size_t s = 0; s < nseg && !fail; s++) {
        const double *xs = x + s * step;
        double mean = 0;
        for (size_t k = 0; k < len; k++)
            mean += xs[k];
        mean /= (double)len;
        for (size_t k = 0; k < len; k++)
            seg[k] = (xs[k] - mean) * win[k];
        fail = rt_dft(&plan, seg, spec);
        for (size_t k = 0; k < nf && !fail; k++) {
            double p = creal(spec[k]) * creal(spec[k]) + cimag(spec[k]) * cimag(spec[k]);
            /* one-sided: every frequency but 0 and (for even lengths) Nyquist counts twice */
            if (k > 0 && !(len % 2 == 0 && k == len / 2))
                p *= 2;
            psd[k] += p * scale / (double)nseg;
        }
    }
    for (size_t k = 0; k < nf; k++)
        freq[k] = (double)k * fs / (double)len;
    free(seg);
    free(spec);
    free(win);
    rt_dft_free(&plan);
    return fail ? axon_err_set(err, AXON_ENOMEM, "Welch: out of memory") : AXON_OK;
}

/* ---- Lempel-Ziv complexity ------------------------------------------------------------------ */

/*
 * Lempel-Ziv (1976) phrases as Kaspar & Schuster (1987) count them: the first symbol is a
 * phrase; a phrase starting at l is the longest s[l .. l+k) that also starts at some i < l
 * (overlapping l allowed), plus one symbol; a copy reaching the end is the last phrase.
 * "Starts at some i < l" means "is a substring of s[0 .. l+k-1)", which a suffix automaton of
 * that prefix answers one symbol at a time. Kaspar & Schuster's own scan over every earlier i
 * costs O(n^2) on random sequences (seconds for 10^5 symbols); the automaton is built once,
 * symbol by symbol, so the whole count is O(n).
 *
 * While a match grows, the automaton is extended underneath it; an extension can split the
 * state holding the matched string w (a clone takes the shorter strings), so before each step
 * the state is moved up its suffix links until it is the one whose length range holds |w|.
 */
typedef struct {
    int32_t (*next)[2];
    int32_t *link;
    size_t *len;
    int32_t size, last;
} rt_sam;

static void rt_sam_extend(rt_sam *a, int c)
{
    int32_t cur = a->size++, p = a->last;
    a->len[cur] = a->len[p] + 1;
    a->next[cur][0] = a->next[cur][1] = -1;
    while (p != -1 && a->next[p][c] == -1) {
        a->next[p][c] = cur;
        p = a->link[p];
    }
    if (p == -1) {
        a->link[cur] = 0;
    } else {
        int32_t q = a->next[p][c];
        if (a->len[p] + 1 == a->len[q]) {
            a->link[cur] = q;
        } else {
            int32_t cl = a->size++;
            a->len[cl] = a->len[p] + 1;
            a->next[cl][0] = a->next[q][0];
            a->next[cl][1] = a->next[q][1];
            a->link[cl] = a->link[q];
            while (p != -1 && a->next[p][c] == q) {
                a->next[p][c] = cl;
                p = a->link[p];
            }
            a->link[q] = a->link[cur] = cl;
        }
    }
    a->last = cur;
}

double axon_lz76(const uint8_t *s, size_t n, size_t *count)
{
    if (!s || n < 2 || n > INT32_MAX / 2) {
        if (count)
            *count = n < 2 ? n : 0;
        return NAN;
    }
    rt_sam a;
    a.next = malloc(2 * n * sizeof *a.next);
    a.link = malloc(2 * n * sizeof *a.link);
    a.len = malloc(2 * n * sizeof *a.len);
    if (!a.next || !a.link || !a.len) {
        free(a.next);
        free(a.link);
        free(a.len);
        if (count)
            *count = 0;
        return NAN;
    }
    a.size = 1;
    a.last = 0;
    a.len[0] = 0;
    a.link[0] = -1;
    a.next[0][0] = a.next[0][1] = -1;
    rt_sam_extend(&a, s[0] != 0);
    size_t built = 1, c = 1, l = 1;
    while (l < n) {
        int32_t st = 0;
        size_t k = 0;
        int copy_to_end = 0;
        for (;;) {
            while (built < l + k) /* the automaton of s[0 .. l+k) */
                rt_sam_extend(&a, s[built++] != 0);
            while (st != 0 && a.len[a.link[st]] >= k)
                st = a.link[st];
            int32_t nx = a.next[st][s[l + k] != 0];
            if (nx < 0)
                break;
            st = nx;
            if (l + ++k == n) {
                copy_to_end = 1;
                break;
            }
        }
        c++;
        if (copy_to_end)
            break;
        l += k + 1;
    }
    free(a.next);
    free(a.link);
    free(a.len);
    if (count)
        *count = c;
    return (double)c * log2((double)n) / (double)n;
}

axon_status axon_lz_trains(const axon_trains *tr, double bin, uint32_t nneurons, size_t maxbins,
                           uint64_t seed, double *lz)
{
    size_t nb = axon_nbins(tr, bin);
    if (maxbins && nb > maxbins)
        nb = maxbins;
    if (nb < 2 || tr->size == 0 || !lz)
        return AXON_EINVAL;
    uint32_t m = nneurons && nneurons < tr->size ? nneurons : tr->size;
    uint8_t *bits = malloc(nb);
    uint32_t *pick = malloc(tr->size * sizeof *pick);
    if (!bits || !pick) {
        free(bits);
        free(pick);
        return AXON_ENOMEM;
    }
    /* a partial Fisher-Yates shuffle picks m distinct neurons */
    for (uint32_t k = 0; k < tr->size; k++)
        pick[k] = k;
    axon_rng_stream rs;
    axon_rng_stream_init(&rs, seed, 0x4C5Au /* "LZ" */);
    for (uint32_t k = 0; m < tr->size && k < m; k++) {
        uint32_t j = k + axon_rng_stream_below(&rs, tr->size - k), t = pick[k];
        pick[k] = pick[j];
        pick[j] = t;
    }
    double sum = 0;
    for (uint32_t q = 0; q < m; q++) {
        uint32_t k = pick[q];
        memset(bits, 0, nb);
        for (size_t j = tr->off[k]; j < tr->off[k + 1]; j++) {
            size_t b = rt_bin_of(tr->t[j], tr->t0, bin);
            if (b < nb)
                bits[b] = 1;
        }
        sum += axon_lz76(bits, nb, NULL);
    }
    *lz = sum / m;
    free(bits);
    free(pick);
    return AXON_OK;
}
