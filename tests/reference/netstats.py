"""Summary statistics of network spike trains (numpy only).

Shared by tests/reference/brian2_networks.py (which writes the Brian2
reference in data/networks.json) and by Axon's checker, so both sides compute
exactly the same numbers.

Time convention: spike times are given in **Axon's convention**, i.e. a spike
found in step n (the step covering [n dt, (n+1) dt)) is stamped (n+1) dt, the
end of the step (Axon's POP.spikes.t.npy). Brian2 stamps the same spike n dt;
convert Brian2 times with `t + dt` before calling these functions.

Every function maps times to integer step numbers n = rint(t / dt) - 1, so no
bin edge depends on floating-point rounding. The analysis window is the steps
n0 <= n < n1 with n0 = rint(t_start / dt), n1 = rint(t_end / dt), i.e. in
Brian2's stamps the spikes with t_start <= t < t_end. A bin of b steps holds
the steps n0 + k b <= n < n0 + (k + 1) b; (n1 - n0) must be a multiple of b.

Statistics of one population of N neurons (arrays t, i of its spikes):
  rate   mean firing rate (Hz) over all N neurons, silent ones included:
         spikes in the window / (N * (n1 - n0) * dt).
  cv     mean over the neurons with >= 3 spikes in the window of
         std(ISI) / mean(ISI) (population std, ddof = 0) of that neuron's
         inter-spike intervals within the window; NaN if no neuron qualifies.
  fano   population Fano factor: the spike counts of the whole population in
         10 ms bins (100 steps at dt = 0.1 ms); var (ddof = 0) / mean over
         the bins; NaN if there are no spikes.
  sync   the same ratio for 1 ms bins (10 steps): the variance-to-mean ratio
         of the population rate. About 1 for independent Poisson-like
         neurons, much larger when the population fires in synchronous
         volleys.
"""
import numpy as np

DT = 1e-4            # s, the step both simulators use
FANO_BIN = 10e-3     # s
SYNC_BIN = 1e-3      # s
MIN_SPIKES_CV = 3


def _steps(t, dt):
    return np.rint(np.asarray(t, dtype=np.float64) / dt).astype(np.int64) - 1


def _window(t, i, t_start, t_end, dt):
    n = _steps(t, dt)
    n0, n1 = int(round(t_start / dt)), int(round(t_end / dt))
    keep = (n >= n0) & (n < n1)
    return n[keep], np.asarray(i)[keep].astype(np.int64), n0, n1


def rate(t, i, N, t_start, t_end, dt=DT):
    n, _, n0, n1 = _window(t, i, t_start, t_end, dt)
    return float(len(n) / (N * (n1 - n0) * dt))


def cv(t, i, N, t_start, t_end, dt=DT):
    n, idx, _, _ = _window(t, i, t_start, t_end, dt)
    order = np.lexsort((n, idx))           # by neuron, then by time
    n, idx = n[order], idx[order]
    cvs = []
    bounds = np.flatnonzero(np.diff(idx)) + 1
    for seg in np.split(n, bounds):
        if len(seg) >= MIN_SPIKES_CV:
            isi = np.diff(seg).astype(np.float64)
            cvs.append(isi.std() / isi.mean())
    return float(np.mean(cvs)) if cvs else float('nan')


def _count_ratio(t, i, t_start, t_end, binsize, dt):
    n, _, n0, n1 = _window(t, i, t_start, t_end, dt)
    b = int(round(binsize / dt))
    if (n1 - n0) % b:
        raise ValueError(f'window of {n1 - n0} steps is not a multiple of '
                         f'the bin of {b} steps')
    counts = np.bincount((n - n0) // b, minlength=(n1 - n0) // b)
    m = counts.mean()
    return float(counts.var() / m) if m > 0 else float('nan')


def fano(t, i, N, t_start, t_end, dt=DT):
    return _count_ratio(t, i, t_start, t_end, FANO_BIN, dt)


def sync(t, i, N, t_start, t_end, dt=DT):
    return _count_ratio(t, i, t_start, t_end, SYNC_BIN, dt)


STATS = {'rate': rate, 'cv': cv, 'fano': fano, 'sync': sync}


def all_stats(t, i, N, t_start, t_end, dt=DT):
    """{'rate': .., 'cv': .., 'fano': .., 'sync': ..} of one population."""
    return {k: f(t, i, N, t_start, t_end, dt) for k, f in STATS.items()}
