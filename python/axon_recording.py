"""Read an Axon recordings directory (written by ``axon run -o DIR``) into numpy arrays.

    import axon_recording
    rec = axon_recording.load("out")
    rec.populations["E"].size          # neurons, from the manifest
    sp = rec.spikes["E"]               # sp.t (s), sp.i (neuron), sp.size, sp.duration
    sp.rates()                         # Hz per neuron, silent neurons included
    sp.values["v"], sp.units["v"]      # `record spikes E.v`: v at each spike (SI), aligned with t
    v = rec.state["E.v"]               # v.values (samples x neurons, SI), v.times (s),
    v.unit, v.unit_name                # 'kg*m^2*s^-3*A^-1', 'V'; v.neurons: the recorded indices
    rec.weights["ee.w"], rec.rates["E"]
    block = rec.to_neo()               # a neo.Block, when python3-neo is installed

Installed with Axon in $(datadir)/axon/python (add it to PYTHONPATH, or copy the file): it needs
numpy only, and Neo for to_neo(). Errors name the file: a directory that is not a recording, a
missing or truncated file, a manifest of a newer format, data that disagrees with the manifest.
Times follow Axon's convention (docs/running.md): a spike found in the step [n dt, (n+1) dt)
is stamped (n+1) dt.
"""
import json
import os

import numpy as np

__all__ = ["load", "Recording", "Population", "Spikes", "Series", "RecordingError",
           "unit_name"]

FORMAT_VERSION = 3  # the newest manifest this reader understands (3: parts over MPI ranks)

_BASE = ("kg", "m", "s", "A", "K", "mol", "cd")
_NAMED = {
    (1, 2, -3, -1, 0, 0, 0): "V", (0, 0, 0, 1, 0, 0, 0): "A", (-1, -2, 3, 2, 0, 0, 0): "S",
    (-1, -2, 4, 2, 0, 0, 0): "F", (1, 2, -3, -2, 0, 0, 0): "ohm", (0, 0, -1, 0, 0, 0, 0): "Hz",
    (0, 0, 1, 0, 0, 0, 0): "s", (0, 1, 0, 0, 0, 0, 0): "m", (0, 0, 1, 1, 0, 0, 0): "C",
    (1, 2, -3, 0, 0, 0, 0): "W", (1, 2, -2, 0, 0, 0, 0): "J", (1, 1, -2, 0, 0, 0, 0): "N",
    (0, 0, 0, 0, 1, 0, 0): "K", (0, 0, 0, 0, 0, 1, 0): "mol", (0, -3, 0, 0, 0, 1, 0): "M",
    (1, 0, 0, 0, 0, 0, 0): "kg", (0, 0, 0, 0, 0, 0, 0): "",
}


class RecordingError(ValueError):
    """A directory that is not a readable Axon recording; the message names the file."""


def unit_name(si):
    """The usual name of a manifest unit: 'kg*m^2*s^-3*A^-1' -> 'V', '1' -> ''; unknown
    combinations are returned unchanged."""
    if si in ("1", ""):
        return ""
    e = [0] * 7
    for part in si.split("*"):
        name, _, exp = part.partition("^")
        if name not in _BASE:
            return si
        try:
            e[_BASE.index(name)] += int(exp) if exp else 1
        except ValueError:
            return si
    return _NAMED.get(tuple(e), si)


class Population:
    def __init__(self, name, size, type=None, spiking=True, size_known=True):
        self.name, self.size, self.type, self.spiking = name, size, type, spiking
        self.size_known = size_known  # False for version-1 manifests (largest index + 1)

    def __repr__(self):
        return f"Population({self.name!r}, size={self.size}, type={self.type!r})"


class Spikes:
    """The spikes of one population: t (float64, s) and i (int64 neuron indices), time order.

    values maps a variable recorded at the spikes (`record spikes E.v`) to one value per spike,
    aligned with t and i, in the SI unit units[name]."""

    def __init__(self, population, t, i, size, duration):
        self.population, self.t, self.i, self.size, self.duration = population, t, i, size, duration
        self.values, self.units = {}, {}

    def __len__(self):
        return len(self.t)

    def rates(self, t0=0.0, t1=None):
        """Spikes per neuron per second in (t0, t1] (default: the whole run), every neuron."""
        t1 = self.duration if t1 is None else t1
        keep = (self.t > t0) & (self.t <= t1)
        return np.bincount(self.i[keep], minlength=self.size) / (t1 - t0)

    def trains(self):
        """A list of size arrays: the spike times of each neuron."""
        order = np.argsort(self.i, kind="stable")
        bounds = np.searchsorted(self.i[order], np.arange(self.size + 1))
        t = self.t[order]
        return [t[bounds[k]:bounds[k + 1]] for k in range(self.size)]

    def __repr__(self):
        return f"Spikes({self.population!r}, {len(self)} spikes, {self.size} neurons)"


class Series:
    """A sampled record: values (samples x columns, or samples for a rate) and times (s).

    unit is the SI unit as the manifest writes it, unit_name its usual name ('V', 'S', 'Hz',
    '' for dimensionless); columns lists the recorded neurons (state) or synapses in CSR order
    (weights)."""

    def __init__(self, kind, owner, variable, values, times, unit, period, columns, path):
        self.kind, self.owner, self.variable = kind, owner, variable
        self.values, self.times, self.unit, self.period = values, times, unit, period
        self.unit_name, self.columns, self.path = unit_name(unit), columns, path

    @property
    def neurons(self):
        return self.columns

    def __repr__(self):
        return (f"Series({self.kind}, {self.owner}.{self.variable or 'rate'}, "
                f"{self.values.shape}, unit {self.unit_name or '1'})")


class Recording:
    """The contents of a recordings directory; see load()."""

    def __init__(self, path):
        self.path = path
        mpath = os.path.join(path, "manifest.json")
        if not os.path.isdir(path):
            raise RecordingError(f"{path}: not a directory")
        if not os.path.exists(mpath):
            raise RecordingError(f"{path}: not a recording (no manifest.json; write one with "
                                 "axon run -o DIR)")
        try:
            with open(mpath) as f:
                m = json.load(f)
        except json.JSONDecodeError as e:
            raise RecordingError(f"{mpath}:{e.lineno}:{e.colno}: {e.msg}") from None
        if not isinstance(m, dict) or m.get("format") != "axon-recordings":
            raise RecordingError(f"{mpath}: not an Axon recordings manifest")
        v = m.get("version")
        if not isinstance(v, int) or v < 1:
            raise RecordingError(f"{mpath}: no valid \"version\"")
        if v > FORMAT_VERSION:
            raise RecordingError(f"{mpath}: manifest format version {v} is newer than this "
                                 f"reader reads ({FORMAT_VERSION}); use a newer Axon")
        self.manifest, self.version = m, v
        self.model, self.dt, self.duration = m.get("model"), m["dt"], m["duration"]
        self.seed, self.axon_version = m.get("seed"), m.get("axon_version")
        self.meta = dict(m.get("meta", {}))
        self.populations = {p["name"]: Population(p["name"], p["size"], p.get("type"),
                                                  p.get("spiking", True))
                            for p in m.get("populations", [])}
        self.projections = {p["name"]: dict(p) for p in m.get("projections", [])}
        self.spikes, self.state, self.rates, self.weights = {}, {}, {}, {}
        files = m.get("files", [])
        by = {(f["record"], f["kind"]): f for f in files}
        for f in files:
            kind = f["kind"]
            if kind == "spike_times":
                self._spikes(f, by[(f["record"], "spike_indices")])
            elif kind in ("state", "rate", "weights"):
                times = by.get((f["record"], kind + "_times"))
                if times is None:
                    raise RecordingError(f"{mpath}: {f['path']} has no {kind}_times file")
                self._series(f, times)
        for f in files:  # after every spike record: values at the spikes
            if f["kind"] == "spike_values":
                self._spike_values(f)

    def _load(self, f, spikes=None):
        """The array of file entry f; one split into parts over MPI ranks (version 3) is put
        back together as one process writes it (spikes: the neuron indices of the spikes, for
        values at spikes)."""
        if "parts" in f:
            return self._load_parts(f, spikes)
        p = os.path.join(self.path, f["path"])
        if os.sep in f["path"] or f["path"] in (".", ".."):
            raise RecordingError(f"{self.path}/manifest.json: '{f['path']}' is not a file name")
        if not os.path.exists(p):
            raise RecordingError(f"{p}: listed in manifest.json but missing")
        try:
            a = np.load(p, allow_pickle=False)
        except (ValueError, OSError, EOFError) as e:
            raise RecordingError(f"{p}: unreadable or truncated ({e})") from None
        if list(a.shape) != list(f["shape"]):
            raise RecordingError(f"{p}: shape {list(a.shape)} disagrees with manifest.json "
                                 f"({f['shape']})")
        return a

    def _load_parts(self, f, spikes):
        """A state record's column c (neuron subset[c], or c) is the next unused column of the
        part whose neurons [lo, hi) hold that neuron; a value at a spike, the next unused value
        of the part holding the spike's neuron. Every part must be used up exactly."""
        where = f"{self.path}/manifest.json: {f['path']}"
        two = f.get("kind") in ("state", "weights")
        if not two and (f.get("kind") != "spike_values" or spikes is None):
            raise RecordingError(f"{where}: \"parts\" of a file that is not split this way")
        parts = f["parts"]
        if not isinstance(parts, list) or not parts:
            raise RecordingError(f"{where}: bad \"parts\"")
        if two and all(isinstance(e, dict) and "columns" in e for e in parts):
            return self._join_columns(f, parts)
        data, bounds = [], []
        for e in parts:
            if not isinstance(e, dict) or "path" not in e or "shape" not in e or \
                    not isinstance(e.get("neurons"), list) or len(e["neurons"]) != 2:
                raise RecordingError(f"{where}: a part lacks a file name, its neurons or its shape")
            a = self._load(e)
            if two and (a.ndim != 2 or a.shape[0] != f["shape"][0]):
                raise RecordingError(f"{self.path}/{e['path']}: its rows differ from {f['path']}")
            data.append(a)
            bounds.append(e["neurons"])
        if two:
            sub = f.get("subset")
            neurons = np.asarray(sub, dtype=np.int64) if isinstance(sub, list) else \
                np.arange(f["shape"][1], dtype=np.int64)
        else:
            neurons = np.asarray(spikes, dtype=np.int64)
        n = f["shape"][1] if two else f["shape"][0]
        if len(neurons) != n:
            raise RecordingError(f"{where}: {len(neurons)} {'neurons' if two else 'spikes'} but "
                                 f"{n} in its parts")
        owner = np.full(len(neurons), -1, dtype=np.int64)
        for k, (lo, hi) in enumerate(bounds):
            owner[(neurons >= lo) & (neurons < hi)] = k
        if len(owner) and owner.min() < 0:
            bad = int(neurons[np.flatnonzero(owner < 0)[0]])
            raise RecordingError(f"{where}: no part holds neuron {bad}")
        out = np.empty(tuple(f["shape"]), dtype=data[0].dtype)
        for k, a in enumerate(data):
            mine = np.flatnonzero(owner == k)  # in order: the part's columns or values
            have = a.shape[1] if two else len(a)
            if have != len(mine):
                raise RecordingError(f"{self.path}/{parts[k]['path']}: {have} "
                                     f"{'columns' if two else 'values'}, of which {len(mine)} "
                                     f"belong to {f['path']}")
            if two:
                out[:, mine] = a
            else:
                out[mine] = a
        return out

    def _join_columns(self, f, parts):
        """A weight record of a per-synapse variable: each part's columns, in order, are the
        whole record's columns that its [first, count] ranges name; every column of the record
        is named exactly once."""
        where = f"{self.path}/manifest.json: {f['path']}"
        out, taken = None, np.zeros(f["shape"][1], dtype=bool)
        for e in parts:
            if "path" not in e or "shape" not in e or not isinstance(e["columns"], list):
                raise RecordingError(f"{where}: a part lacks a file name, its columns or its shape")
            a = self._load(e)
            if a.ndim != 2 or a.shape[0] != f["shape"][0]:
                raise RecordingError(f"{self.path}/{e['path']}: its rows differ from {f['path']}")
            if out is None:
                out = np.empty(tuple(f["shape"]), dtype=a.dtype)
            cols = [np.arange(c[0], c[0] + c[1], dtype=np.int64) for c in e["columns"]]
            cols = np.concatenate(cols) if cols else np.zeros(0, dtype=np.int64)
            if len(cols) != a.shape[1]:
                raise RecordingError(f"{self.path}/{e['path']}: {a.shape[1]} columns, of which "
                                     f"{len(cols)} belong to {f['path']}")
            if len(cols) and (cols.max() >= len(taken) or taken[cols].any()):
                raise RecordingError(f"{where}: a part's columns lie outside the record or in "
                                     "another part")
            taken[cols] = True
            out[:, cols] = a
        if not taken.all():
            raise RecordingError(f"{where}: no part holds column {int(np.flatnonzero(~taken)[0])}")
        return out

    def _pop(self, name):
        if name not in self.populations:  # version 1: populations come from their records
            self.populations[name] = Population(name, 0, size_known=False)
        return self.populations[name]

    def _spikes(self, ft, fi):
        pop = self._pop(ft["population"])
        if pop.name in self.spikes:  # a second spike record holds the same data
            return
        t, i = self._load(ft), self._load(fi).astype(np.int64)
        if len(i) and (i.min() < 0 or (pop.size_known and i.max() >= pop.size)):
            bad = int(np.flatnonzero((i < 0) | (i >= pop.size))[0]) if pop.size_known else 0
            raise RecordingError(f"{self.path}/{fi['path']}: spike {bad} has neuron index "
                                 f"{int(i[bad])}, outside population '{pop.name}' of {pop.size}")
        if not pop.size_known and len(i):
            pop.size = max(pop.size, int(i.max()) + 1)
        self.spikes[pop.name] = Spikes(pop.name, t, i, pop.size, self.duration)

    def _spike_values(self, f):
        sp = self.spikes.get(f.get("population"))
        if sp is None:
            raise RecordingError(f"{self.path}/manifest.json: {f['path']} holds values at the "
                                 f"spikes of {f.get('population')}, which has no spike record")
        v = self._load(f, sp.i)
        if v.ndim != 1 or len(v) != len(sp):
            raise RecordingError(f"{self.path}/{f['path']}: {len(v)} values for {len(sp)} spikes")
        sp.values[f["variable"]] = v
        sp.units[f["variable"]] = f.get("unit", "1")

    def _series(self, fv, ft):
        values, times = self._load(fv), self._load(ft)
        kind = fv["kind"]
        owner = fv.get("projection") if kind == "weights" else fv.get("population")
        sub = fv.get("subset")
        ncols = values.shape[1] if values.ndim == 2 else 1
        cols = np.arange(ncols) if not isinstance(sub, list) else np.asarray(sub, dtype=np.int64)
        s = Series(kind, owner, fv.get("variable"), values, times, fv.get("unit", "1"),
                   fv.get("period"), cols, fv["path"])
        key = owner if kind == "rate" else f"{owner}.{fv.get('variable')}"
        target = {"state": self.state, "rate": self.rates, "weights": self.weights}[kind]
        while key in target:  # a second record of the same variable
            key += "'"
        target[key] = s

    def to_neo(self):
        """A neo.Block with one Segment: a SpikeTrain per neuron of every spike record
        (annotated with population and neuron), an AnalogSignal per state, rate and weight
        record (in SI units through quantities; annotated with the recorded columns)."""
        import neo
        import quantities as pq

        def q_unit(s):
            name = s.unit_name
            try:
                return pq.dimensionless if name == "" else pq.Quantity(1.0, name).units
            except (LookupError, ValueError):
                return pq.dimensionless

        block = neo.Block(name=self.model, description="Axon recording " + self.path,
                          axon_version=self.axon_version or "", dt=self.dt, seed=self.seed)
        seg = neo.Segment(name="run")
        block.segments.append(seg)
        for name, sp in self.spikes.items():
            for k, t in enumerate(sp.trains()):
                seg.spiketrains.append(neo.SpikeTrain(t, t_start=0.0, t_stop=self.duration,
                                                      units="s", name=f"{name}[{k}]",
                                                      population=name, neuron=k))
        for kind, group in (("state", self.state), ("rate", self.rates),
                            ("weights", self.weights)):
            for key, s in group.items():
                if len(s.times) == 0:
                    continue
                v = s.values if s.values.ndim == 2 else s.values[:, None]
                sig = neo.AnalogSignal(v, units=q_unit(s), t_start=s.times[0] * pq.s,
                                       sampling_period=s.period * pq.s, name=key, kind=kind,
                                       columns=[int(c) for c in s.columns],
                                       si_unit=s.unit)
                seg.analogsignals.append(sig)
        return block

    def __repr__(self):
        return (f"Recording({self.path!r}, model {self.model!r}, {self.duration} s, "
                f"{len(self.populations)} populations)")


def load(path):
    """Reads the recordings directory at path (raises RecordingError naming the bad file)."""
    return Recording(path)
