"""An independent numpy/scipy implementation of `axon analyze`'s statistics, for the
cross-check of tests/validation/check_analysis.py.

Usage: analysis_ref.py RECORDING_DIR OUT.json

Reads the recordings with numpy and json only (not Axon's Python reader) and computes, for the
windows below, every statistic of analysis.json that does not depend on sampling (the check
runs `axon analyze` with every pair and every neuron, --param pairs=1000000 --param
lz_neurons=1000000). Definitions follow docs/analysis.md and Elephant; the code is written
from those definitions, not from Axon's C:

- bins are counted in whole time steps (n = rint(t / dt) - 1 is the step a spike was found in),
  where Axon bins floating-point times with a tolerance; the two must agree exactly;
- ISI statistics use scipy.stats.variation and Elephant's formulas for CV2, LV and LvR;
- correlations come from numpy.corrcoef of the dense count matrix, cross-correlograms from
  numpy.fft;
- the spectrum is scipy.signal.welch;
- chi filters with scipy.signal.lfilter;
- the Lempel-Ziv phrases are found by substring search from the definition (Axon uses a
  suffix automaton);
- the avalanche exponent maximises the likelihood with scipy.special.zeta and
  scipy.optimize.minimize_scalar (Axon bisects on the score with its own zeta sums).
"""
import json
import math
import sys

import numpy as np
import scipy
import scipy.optimize
import scipy.signal
import scipy.special
import scipy.stats

WINDOWS = [(0.0, None), (0.5, 1.5)]
RATE_BIN, COUNT_BIN, LVR_R, STTC_DT, CHI_TAU, LZ_BIN, MAX_RATE = 1e-3, 10e-3, 5e-3, 5e-3, 5e-3, 1e-3, 100
LZ_MAXBINS = 100000
CCH_LAGS = 50


def load(d):
    m = json.load(open(f'{d}/manifest.json'))
    files = {(f['record'], f['kind']): f for f in m['files']}
    pops = {p['name']: dict(p) for p in m['populations']}
    for (rec, kind), f in files.items():
        if kind == 'spike_times':
            p = pops[f['population']]
            p['t'] = np.load(f'{d}/{f["path"]}')
            p['i'] = np.load(f'{d}/{files[(rec, "spike_indices")]["path"]}').astype(np.int64)
    series = []
    for (rec, kind), f in sorted(files.items()):
        if kind in ('state', 'weights'):
            series.append(dict(f, values=np.load(f'{d}/{f["path"]}').astype(np.float64),
                               times=np.load(f'{d}/{files[(rec, kind + "_times")]["path"]}')))
    return m, pops, series


def steps(t, dt):
    return np.rint(t / dt).astype(np.int64) - 1


def counts(t, i, n, dt, t0, t1, b):
    """Spike counts (neurons x bins) in bins of b steps over the steps of (t0, t1]."""
    s, n0, n1, bs = steps(t, dt), round(t0 / dt), round(t1 / dt), round(b / dt)
    keep = (s >= n0) & (s < n1)
    nb = (n1 - n0) // bs
    k = (s[keep] - n0) // bs
    ok = k < nb
    c = np.zeros((n, nb))
    np.add.at(c, (i[keep][ok], k[ok]), 1)
    return c


def trains(t, i, n, dt, t0, t1):
    s = steps(t, dt)
    keep = (s >= round(t0 / dt)) & (s < round(t1 / dt))
    return [np.sort(t[keep][i[keep] == k]) for k in range(n)]


def isi_stats(tr):
    cv, cv2, lv, lvr, allisi = [], [], [], [], []
    for ts in tr:
        if len(ts) < 3:
            continue
        I = np.diff(ts)
        allisi.append(I)
        cv.append(scipy.stats.variation(I))
        cv2.append(2 * np.mean(np.abs(np.diff(I)) / (I[:-1] + I[1:])))
        lv.append(3 * np.mean((np.diff(I) / (I[:-1] + I[1:])) ** 2))
        s = I[:-1] + I[1:]
        lvr.append(3 / (len(I) - 1) * np.sum((1 - 4 * I[:-1] * I[1:] / s ** 2) * (1 + 4 * LVR_R / s)))
    mean = lambda x: float(np.mean(x)) if x else None
    return {'neurons': len(cv), 'cv': mean(cv), 'cv2': mean(cv2), 'lv': mean(lv), 'lvr': mean(lvr),
            'mean': float(np.mean(np.concatenate(allisi))) if allisi else None}


def tiled_time(x, t0, t1, dt):
    """The fraction of (t0, t1] within dt of a spike of x, as Elephant's run_T sums it: gaps of
    at most 2 dt count whole, longer ones 2 dt, plus the parts at the window's edges."""
    if len(x) == 0:
        return 0.0
    g = np.diff(x)
    covered = g[g <= 2 * dt].sum() + 2 * dt * np.count_nonzero(g > 2 * dt)
    covered += min(x[0] - t0, dt) + min(t1 - x[-1], dt)
    return covered / (t1 - t0)


def tiled_spikes(x, y, dt):
    """The fraction of x's spikes within dt of one of y's (|x - y| <= dt, to rounding)."""
    j = np.searchsorted(y, x - dt * (1 + 1e-9), 'left')
    near = (j < len(y)) & (y[np.minimum(j, len(y) - 1)] <= x + dt * (1 + 1e-9))
    return float(np.mean(near))


def sttc(a, b, TA, TB, dt):
    PA, PB = tiled_spikes(a, b, dt), tiled_spikes(b, a, dt)
    x = 1 if PA * TB == 1 else (PA - TB) / (1 - PA * TB)
    y = 1 if PB * TA == 1 else (PB - TA) / (1 - PB * TA)
    return 0.5 * (x + y)


def cch_mean(C):
    """The mean over every pair i < j of CCH_ij[k] = sum_m c_i[m] c_j[m + k] (k = -L .. L, by
    FFT, rounded: counts are whole) divided by i's spikes (a silent i counts as zeros)."""
    n, nb = C.shape
    size = 1 << (2 * nb - 1).bit_length()
    F = np.fft.rfft(C, size, axis=1)
    total = np.zeros(2 * CCH_LAGS + 1)
    for a in range(n - 1):
        x = np.rint(np.fft.irfft(np.conj(F[a])[None, :] * F[a + 1:], size, axis=1))
        lags = np.concatenate([x[:, size - CCH_LAGS:], x[:, :CCH_LAGS + 1]], axis=1)
        if C[a].sum() > 0:
            total += lags.sum(axis=0) / C[a].sum()
    return list(total / (n * (n - 1) / 2))


def chi_of(x):
    """Golomb's chi of signals x (time x units)."""
    den = np.mean(np.var(x, axis=0))
    return float(np.sqrt(np.var(x.mean(axis=1)) / den)) if den > 0 else None


def lz76(s):
    """Lempel-Ziv (1976) phrases from the definition: after the first symbol, each phrase is the
    longest stretch that already starts somewhere earlier (overlap allowed) plus one symbol; a
    stretch copied to the end is the last phrase. Python's substring search does the looking."""
    s = bytes(s)
    n, c, l = len(s), 1, 1
    while l < n:
        k = 1
        while l + k <= n and s.find(s[l:l + k], 0, l + k - 1) != -1:
            k += 1
        c += 1
        if l + k > n:
            break
        l += k
    return c


def kuramoto_spikes(tr, t0, t1):
    T = t0 + (t1 - t0) * (np.arange(1000) + 0.5) / 1000
    c, s, n = np.zeros(1000), np.zeros(1000), np.zeros(1000)
    eligible = sum(len(ts) >= 2 for ts in tr)
    for ts in tr:
        if len(ts) < 2:
            continue
        j = np.searchsorted(ts, T, 'right') - 1
        ok = (j >= 0) & (j < len(ts) - 1)
        ph = 2 * np.pi * (T[ok] - ts[j[ok]]) / (ts[j[ok] + 1] - ts[j[ok]])
        c[ok] += np.cos(ph)
        s[ok] += np.sin(ph)
        n[ok] += 1
    good = (n >= 2) & (10 * n >= 9 * eligible)
    return float(np.mean(np.hypot(c[good], s[good]) / n[good])) if good.any() else None


def powerlaw_alpha(x):
    x = np.asarray(x, dtype=float)
    if len(x) < 10 or np.all(x == 1):
        return None
    sl = np.sum(np.log(x))
    nll = lambda a: len(x) * math.log(scipy.special.zeta(a, 1)) + a * sl
    r = scipy.optimize.minimize_scalar(nll, bounds=(1 + 1e-6, 10), method='bounded',
                                       options={'xatol': 1e-10})
    return float(r.x)


def avalanches(t, n_spikes, t0, t1, dt):
    """Beggs & Plenz's bin, the mean interval of the pooled spikes, rounded up to whole steps."""
    bs = max(1, math.ceil((t1 - t0) / n_spikes / dt - 1e-9))
    b = bs * dt
    n0, n1 = round(t0 / dt), round(t1 / dt)
    nb = (n1 - n0) // bs
    k = (steps(t, dt) - n0) // bs
    c = np.bincount(k[(k >= 0) & (k < nb)], minlength=nb)
    sizes, durs, j = [], [], 0
    while j < nb:
        if c[j] == 0:
            j += 1
            continue
        start = j
        while j < nb and c[j] > 0:
            j += 1
        if start > 0 and j < nb:
            sizes.append(int(c[start:j].sum()))
            durs.append(j - start)
    def hist(x):
        """counts in [2^k, 2^(k+1)) up to the last non-empty bin"""
        if not x:
            return None
        k = np.floor(np.log2(np.asarray(x, dtype=float))).astype(int)
        c = np.bincount(k)
        return {'edges': [int(2 ** j) for j in range(len(c))], 'counts': [int(v) for v in c]}

    extra = {}
    if sizes:
        extra = {'size_histogram': hist(sizes), 'duration_histogram': hist(durs)}
    return {**extra, 'count': len(sizes), 'bin': b,
            'mean_size': float(np.mean(sizes)) if sizes else None,
            'mean_duration': float(np.mean(durs)) if sizes else None,
            'max_size': max(sizes, default=0), 'max_duration': max(durs, default=0),
            'size_exponent': powerlaw_alpha(sizes), 'duration_exponent': powerlaw_alpha(durs)}


def population(p, dt, t0, t1):
    n, t, i = p['size'], p['t'], p['i']
    tr = trains(t, i, n, dt, t0, t1)
    T = t1 - t0
    cnt = np.array([len(x) for x in tr])
    rates = cnt / T
    out = {'name': p['name'], 'neurons': n, 'spikes': int(cnt.sum()), 'rate': float(rates.mean()),
           'rate_std': float(rates.std()), 'isi': isi_stats(tr)}
    # Fano factors and count correlations in COUNT_BIN
    C = counts(t, i, n, dt, t0, t1, COUNT_BIN)
    m = C.mean(axis=1)
    fn = [C[k].var() / m[k] for k in range(n) if m[k] > 0]
    pc = C.sum(axis=0)
    out['fano'] = {'neuron': float(np.mean(fn)) if fn else None,
                   'population': float(pc.var() / pc.mean()) if pc.mean() > 0 else None}
    with np.errstate(invalid='ignore', divide='ignore'):
        r = np.corrcoef(C)
    iu = np.triu_indices(n, 1)
    v = r[iu][np.isfinite(r[iu])]
    out['count_correlation'] = {'mean': float(v.mean()), 'std': float(v.std()), 'pairs': int(len(v))}
    tiled = [tiled_time(x, t0, t1, STTC_DT) for x in tr]
    st = [sttc(tr[a], tr[b], tiled[a], tiled[b], STTC_DT) for a, b in zip(*iu) if len(tr[a]) and len(tr[b])]
    out['sttc'] = {'mean': float(np.mean(st)), 'std': float(np.std(st)), 'pairs': len(st)}
    # chi of the exponentially filtered trains, active neurons only
    R = counts(t, i, n, dt, t0, t1, RATE_BIN)
    out['cch'] = {'bin': RATE_BIN, 'max_lag': CCH_LAGS, 'mean': cch_mean(R)}
    act = R.sum(axis=1) > 0
    a = math.exp(-RATE_BIN / CHI_TAU)
    out['chi'] = chi_of(scipy.signal.lfilter([1], [1, -a], R[act], axis=1).T)
    out['kuramoto'] = kuramoto_spikes(tr, t0, t1)
    L = counts(t, i, n, dt, t0, t1, LZ_BIN)[:, :LZ_MAXBINS] > 0
    out['lempel_ziv'] = float(np.mean([lz76(row.astype(np.uint8)) * math.log2(L.shape[1]) /
                                       L.shape[1] for row in L]))
    # the spectrum of the population rate: the most prominent peak above 1 Hz
    fs = 1 / RATE_BIN
    res = max(0.5, 4.5 / T)
    nper = int(fs / res)
    f, psd = scipy.signal.welch(R.sum(axis=0) / (n * RATE_BIN), fs=fs, window='hann', nperseg=nper,
                                noverlap=nper // 2, detrend='constant', scaling='density')
    above = np.flatnonzero(f >= 1)
    x = psd[above]
    peaks, _ = scipy.signal.find_peaks(x)
    prom, left, _ = scipy.signal.peak_prominences(x, peaks)
    # a peak whose lowest point on the left is the 1 Hz edge is the low-frequency end
    prom = np.where(left > 0, prom, -1)
    k = len(peaks) > 0 and prom.max() >= 0
    best = above[peaks[np.argmax(prom)]] if k else None
    out['spectrum'] = {'peak_frequency': float(f[best]) if k else None,
                       'peak_power': float(psd[best]) if k else None}
    l1, l2 = np.abs(rates).sum(), np.sqrt((rates ** 2).sum())
    out['health'] = {'active_fraction': float((C > 0).sum() / C.size),
                     'hoyer': float((math.sqrt(n) - l1 / l2) / (math.sqrt(n) - 1)),
                     'dead': int((cnt == 0).sum()), 'hyperactive': int((rates > MAX_RATE).sum()),
                     'dead_neurons': [int(x) for x in np.flatnonzero(cnt == 0)],
                     'hyperactive_neurons': [int(x) for x in np.flatnonzero(rates > MAX_RATE)]}
    s = steps(t, dt)
    keep = (s >= round(t0 / dt)) & (s < round(t1 / dt))
    out['avalanches'] = avalanches(t[keep], int(keep.sum()), t0, t1, dt)
    return out


def weights(w):
    lo, hi = min(0.0, w.min()), w.max()
    band = 0.01 * (hi - lo)
    q = np.quantile(w, [0.05, 0.25, 0.5, 0.75, 0.95])
    return {'mean': float(w.mean()), 'std': float(w.std()), 'min': float(w.min()), 'max': float(w.max()),
            'q05': q[0], 'q25': q[1], 'q50': q[2], 'q75': q[3], 'q95': q[4],
            'near_low': float(np.mean(w <= lo + band)), 'near_high': float(np.mean(w >= hi - band))}


def series(s, dt, t0, t1):
    keep = (s['times'] > t0 + 1e-6 * dt) & (s['times'] <= t1 + 1e-6 * dt)
    x = s['values'][keep]
    out = {'file': s['path'], 'samples': int(keep.sum()), 'mean': float(x.mean()), 'std': float(x.std()),
           'min': float(x.min()), 'max': float(x.max())}
    if s['kind'] == 'state' and x.shape[1] >= 2:
        out['chi'] = chi_of(x)
    if s['kind'] == 'weights':
        out['first'], out['last'] = weights(x[0]), weights(x[-1])
    return out


def main():
    d, path = sys.argv[1], sys.argv[2]
    m, pops, ser = load(d)
    out = {'generated_by': 'tests/reference/analysis_ref.py', 'numpy': np.__version__,
           'scipy': scipy.__version__, 'windows': []}
    for t0, t1 in WINDOWS:
        t1 = m['duration'] if t1 is None else t1
        out['windows'].append({
            'window': [t0, t1],
            'populations': [population(p, m['dt'], t0, t1) for p in pops.values() if 't' in p],
            'series': [series(s, m['dt'], t0, t1) for s in ser]})
    json.dump(out, open(path, 'w'), indent=1, default=float)


if __name__ == '__main__':
    main()
