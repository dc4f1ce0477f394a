"""Burst and silent-period detection accuracy: our detector vs peers, on the same simulated data.

Usage::

    python benchmarks/accuracy.py            # full set (all forms x 4 sampling rates x 2 noise levels)
    python benchmarks/accuracy.py --quick    # small subset, a few minutes
    python benchmarks/accuracy.py --workers 2 --out benchmarks/results/accuracy.md
    python benchmarks/accuracy.py --peers "" --ecg-lead --out benchmarks/results/accuracy_ecg_lead.md

Data: ``myoclonus.simulate`` recordings with ground truth, seeded (seed = case number), 15 s
each: at each of 500, 1000, 2048 and 5000 Hz every origin plus ``none`` with the default
confounders ("standard"), four origins with a higher noise floor and weaker bursts ("noisy":
amplifier noise 6 uV RMS, weakest burst 3 x background RMS), and a cortical negative-myoclonus case.

Detectors, each run per EMG channel on the same microvolt arrays:

- ``myoclonus``: ``myoclonus.signals.bursts.detect_bursts`` with default settings (not tuned here).
- NeuroKit2 ``emg_activation`` on ``emg_clean`` + ``emg_amplitude`` with its defaults: methods
  ``threshold``, ``mixture``, ``biosppy`` at 500 and 1000 Hz and ``pelt`` at 500 Hz only (they
  take seconds per channel; PELT ~15 s per channel-minute at 2 kHz), so their totals cover that subset.
- BioSPPy ``signals.emg``: ``find_onsets`` (via ``emg()``), ``hodges_bui``, ``bonato``,
  ``lidierth``, ``abbink`` and ``londral`` (these two at 500/1000 Hz only: minutes per channel at 5 kHz), ``solnik``, ``silva`` on BioSPPy's own filtered signal,
  with the quietest 1-s window of the channel as the rest period (found without the truth).
- ``mne_threshold``: MNE band-pass (20-450 Hz FIR, ``mne.filter.filter_data``), Hilbert envelope
  smoothed over 10 ms, threshold mean + k SD, bursts >= 10 ms, gaps < 10 ms merged.

Peers with a threshold grid below get a fair chance: the threshold is chosen by F1 on a separate
tuning set (other seeds, 1000 Hz), then scored on the test set; our detector keeps its defaults.

Scoring: per channel, detected onsets are matched one-to-one to true burst onsets, nearest first,
within a tolerance of 25 ms (the default of ``BurstResults.compare_detection``). Precision,
recall, F1 over all channels; median absolute onset error over the matches; false positives inside
artefact intervals and on ECG-contaminated channels are also counted. Silent periods: our
``detect_silent_periods`` (when present) vs an MNE envelope baseline, matched the same way.

Prints markdown tables and writes them to ``benchmarks/results/accuracy.md``.
"""
from __future__ import annotations

import argparse
import datetime as dt
import logging
import sys
import time
import warnings
from collections import defaultdict
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from scipy import signal

TOLERANCE_S = 0.025
RATES_HZ = (500.0, 1000.0, 2048.0, 5000.0)
ORIGINS = ("cortical", "cortical_subcortical", "subcortical", "spinal_segmental", "propriospinal", "peripheral", "functional", "none")
NEGATIVE_ORIGINS = ("cortical",)


@dataclass(frozen=True)
class Case:
    origin: str
    sfreq_hz: float
    noise: str
    seed: int
    seconds: float
    negative: bool = False


def confounders_for(noise: str):
    from myoclonus.simulate import Confounders

    if noise == "standard":
        return Confounders()
    return Confounders(noise_floor_uv=6.0, min_burst_snr=3.0)


def build_cases(quick: bool, tuning: bool = False) -> list[Case]:
    if tuning:
        combos = [(o, n) for o in ("cortical", "subcortical") for n in ("standard", "noisy")]
        return [Case(o, 1000.0, n, 10_000 + i, 15.0) for i, (o, n) in enumerate(combos)]
    if quick:
        combos = [(o, fs) for o in ("cortical", "subcortical", "functional", "none") for fs in (1000.0, 2048.0)]
        return [Case(o, fs, "standard", i, 15.0) for i, (o, fs) in enumerate(combos)] + [Case("cortical", 2048.0, "standard", 100, 15.0, negative=True)]
    cases = []
    for fs in RATES_HZ:
        for o in ORIGINS:
            cases.append(Case(o, fs, "standard", len(cases), 15.0))
        for o in ("cortical", "subcortical", "propriospinal", "functional"):
            cases.append(Case(o, fs, "noisy", len(cases), 15.0))
        for o in NEGATIVE_ORIGINS:
            cases.append(Case(o, fs, "standard", len(cases), 15.0, negative=True))
    return cases


# ---------------------------------------------------------------- detectors (onsets in seconds)
def _quietest_window(x: np.ndarray, fs: float, seconds: float = 1.0) -> np.ndarray:
    w = int(seconds * fs)
    starts = np.arange(0, max(x.size - w, 1), w // 2)
    rms = [np.std(x[s : s + w]) for s in starts]
    s = int(starts[int(np.argmin(rms))])
    return x[s : s + w]


def _nk(method: str) -> Callable:
    def run(x: np.ndarray, fs: float, k):
        import neurokit2 as nk

        cleaned = nk.emg_clean(x, sampling_rate=int(round(fs)))
        amp = nk.emg_amplitude(cleaned)
        kw = {} if k == "default" else {"threshold": float(k) * float(np.std(amp))}
        _, info = nk.emg_activation(emg_amplitude=amp, emg_cleaned=cleaned, sampling_rate=int(round(fs)), method=method, **kw)
        return np.asarray(info["EMG_Onsets"], dtype=float) / fs
    return run


def _bio(name: str) -> Callable:
    def run(x: np.ndarray, fs: float, k):
        import biosppy.signals.emg as bemg

        out = bemg.emg(signal=x, sampling_rate=fs, show=False)
        if name == "find_onsets":
            idx = np.asarray(out["onsets"])
        else:
            filt = np.asarray(out["filtered"])
            rest = _quietest_window(filt, fs)
            ms = lambda s: int(round(s * fs))  # noqa: E731  (BioSPPy wants window sizes in samples)
            kw = {
                "hodges_bui": dict(rest=rest, size=ms(0.025), threshold=k),
                "bonato": dict(rest=rest, threshold=k, active_state_duration=ms(0.01), samples_above_fail=1, fail_size=ms(0.005)),
                "lidierth": dict(rest=rest, size=ms(0.025), threshold=k, active_state_duration=ms(0.01), fail_size=ms(0.005)),
                "abbink": dict(rest=rest, size=ms(0.025), alarm_size=ms(0.02), threshold=k, transition_threshold=0.1),
                "solnik": dict(rest=rest, threshold=k, active_state_duration=ms(0.01)),
                "silva": dict(size=ms(0.025), threshold_size=ms(0.5), threshold=k),
                "londral": dict(rest=rest, size=ms(0.025), threshold=k, active_state_duration=ms(0.01)),
            }[name]
            idx = np.asarray(getattr(bemg, f"{name}_onset_detector")(signal=filt, sampling_rate=fs, **kw)[0])
        return idx[::2].astype(float) / fs  # BioSPPy returns onset, offset, onset, offset ...
    return run


def _mne_threshold(x: np.ndarray, fs: float, k):
    import mne

    y = mne.filter.filter_data(x, fs, 20.0, min(450.0, 0.45 * fs), verbose="error")
    env = np.abs(signal.hilbert(y))
    n = max(int(round(0.010 * fs)), 1)
    env = np.convolve(env, np.ones(n) / n, mode="same")
    above = env > env.mean() + float(k) * env.std()
    d = np.diff(np.concatenate([[0], above.astype(np.int8), [0]]))
    on, off = np.flatnonzero(d == 1), np.flatnonzero(d == -1)
    keep: list[list[int]] = []
    for a, b in zip(on, off):
        if keep and a - keep[-1][1] < n:
            keep[-1][1] = b
        else:
            keep.append([a, b])
    return np.asarray([a for a, b in keep if b - a >= n], dtype=float) / fs


# name -> (function, threshold grid tuned on the tuning set, highest sampling rate it is run at).
# NeuroKit2 methods and BioSPPy's londral take 2-4 s per channel and 20 s of 2-kHz data, so they
# run at 500 and 1000 Hz only (pelt at 500 Hz only), with their documented defaults (not tuned).
PEERS: dict[str, tuple[Callable, list, float]] = {
    "nk_threshold": (_nk("threshold"), ["default"], 1000.0),
    "nk_mixture": (_nk("mixture"), ["default"], 1000.0),
    "nk_biosppy": (_nk("biosppy"), ["default"], 1000.0),
    "nk_pelt": (_nk("pelt"), ["default"], 500.0),
    "bio_find_onsets": (_bio("find_onsets"), ["default"], np.inf),
    "bio_hodges_bui": (_bio("hodges_bui"), [3, 5, 8, 12], np.inf),
    "bio_bonato": (_bio("bonato"), [10, 20, 40, 80], np.inf),
    "bio_lidierth": (_bio("lidierth"), [3, 5, 8, 12], np.inf),
    "bio_abbink": (_bio("abbink"), [0.1, 0.3, 0.5, 0.7], 1000.0),
    "bio_solnik": (_bio("solnik"), [20, 50, 150, 500], np.inf),
    "bio_silva": (_bio("silva"), [5, 10, 20, 40], np.inf),
    "bio_londral": (_bio("londral"), [3], 1000.0),
    "mne_threshold": (_mne_threshold, [1.0, 2.0, 3.0, 5.0], np.inf),
}


# ---------------------------------------------------------------- scoring
@dataclass
class Score:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    fp_artefact: int = 0
    fp_ecg: int = 0
    #: of those, on channels without true bursts (the issue's "zero bursts on ECG-only or artefact-only channels")
    fp_artefact_only: int = 0
    fp_ecg_only: int = 0
    errors_ms: list = field(default_factory=list)
    seconds: float = 0.0
    failed: int = 0
    error: str = ""

    def add(self, other: Score) -> None:
        self.tp += other.tp
        self.fp += other.fp
        self.fn += other.fn
        self.fp_artefact += other.fp_artefact
        self.fp_ecg += other.fp_ecg
        self.fp_artefact_only += other.fp_artefact_only
        self.fp_ecg_only += other.fp_ecg_only
        self.errors_ms += other.errors_ms
        self.seconds += other.seconds
        self.failed += other.failed
        self.error = self.error or other.error

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else float("nan")

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else float("nan")

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r > 0 else 0.0


def match(detected: np.ndarray, truth: np.ndarray, tol_s: float = TOLERANCE_S) -> list[tuple[int, int]]:
    """One-to-one matching, closest pairs first, within ``tol_s``."""
    if detected.size == 0 or truth.size == 0:
        return []
    diff = np.abs(detected[:, None] - truth[None, :])
    di, ti = np.nonzero(diff <= tol_s)
    order = np.argsort(diff[di, ti], kind="stable")
    used_d, used_t, pairs = set(), set(), []
    for k in order:
        a, b = int(di[k]), int(ti[k])
        if a not in used_d and b not in used_t:
            used_d.add(a)
            used_t.add(b)
            pairs.append((a, b))
    return pairs


def score_channel(detected: np.ndarray, truth: np.ndarray, artefacts: list[tuple[float, float]], ecg: bool) -> Score:
    detected = np.sort(np.asarray(detected, dtype=float))
    pairs = match(detected, truth)
    s = Score(tp=len(pairs), fp=detected.size - len(pairs), fn=truth.size - len(pairs))
    s.errors_ms = [abs(detected[a] - truth[b]) * 1e3 for a, b in pairs]
    matched = {a for a, _ in pairs}
    for i, t in enumerate(detected):
        if i in matched:
            continue
        if any(a0 - 0.2 <= t <= a1 + 0.2 for a0, a1 in artefacts):
            s.fp_artefact += 1
            s.fp_artefact_only += truth.size == 0
        elif ecg:
            s.fp_ecg += 1
            s.fp_ecg_only += truth.size == 0
    return s


# ---------------------------------------------------------------- silent periods
def _silent_baseline(x: np.ndarray, fs: float) -> np.ndarray:
    """MNE envelope baseline: band-pass, Hilbert envelope smoothed 20 ms, below 30% of the median for 50-300 ms."""
    import mne

    y = mne.filter.filter_data(x, fs, 20.0, min(450.0, 0.45 * fs), verbose="error")
    env = np.abs(signal.hilbert(y))
    n = max(int(round(0.02 * fs)), 1)
    env = np.convolve(env, np.ones(n) / n, mode="same")
    below = env < 0.3 * np.median(env)
    d = np.diff(np.concatenate([[0], below.astype(np.int8), [0]]))
    on, off = np.flatnonzero(d == 1), np.flatnonzero(d == -1)
    dur = (off - on) / fs
    return on[(dur >= 0.05) & (dur <= 0.3)] / fs


def _our_silent(emg: np.ndarray, fs: float, names: list[str]) -> dict[str, np.ndarray] | None:
    try:
        from myoclonus.signals.silent import detect_silent_periods
    except ImportError:
        return None
    res = detect_silent_periods(emg, fs, names)
    df = res.summary()
    return {ch: df.loc[df["channel"] == ch, "onset_s"].to_numpy(float) for ch in names}


# ---------------------------------------------------------------- one case
def run_case(case: Case, params: dict[str, object], peers: list[str], with_ours: bool = True,
             ecg_lead: bool = False) -> dict:
    import logging as _logging

    warnings.filterwarnings("ignore")
    _logging.getLogger("myoclonus").setLevel(_logging.ERROR)
    from myoclonus.simulate import simulate

    sim = simulate(case.origin, minutes=case.seconds / 60.0, seed=case.seed, sfreq_hz=case.sfreq_hz,
                   negative=case.negative, confounders=confounders_for(case.noise), ecg_lead=ecg_lead)
    emg, names = sim.emg_uv()
    t = sim.truth
    truth = {ch: np.asarray(t.burst_onsets_s(ch)) for ch in names}
    arte = {ch: [(a.onset_s, a.offset_s) for a in t.artefacts if a.channel == ch] for ch in names}
    ecg = set(t.ecg_channels)
    out: dict[str, Score] = {}
    if with_ours:
        from myoclonus.signals.bursts import detect_bursts

        t0 = time.perf_counter()
        s = Score()
        try:
            if ecg_lead:  # the same EMG arrays plus the lead, typed ECG by its name
                from myoclonus.signals.recording import Recording

                lead = sim.raw.get_data(picks=["ECG"]) * 1e6
                source = Recording.from_array(np.vstack((emg, lead)), case.sfreq_hz, names + ["ECG"])
                df = detect_bursts(source).summary()
            else:
                df = detect_bursts(emg, case.sfreq_hz, names).summary()
            elapsed = time.perf_counter() - t0
            for ch in names:
                s.add(score_channel(df.loc[df["channel"] == ch, "onset_s"].to_numpy(float), truth[ch], arte[ch], ch in ecg))
        except Exception as exc:  # report, never hide
            elapsed = time.perf_counter() - t0
            s = Score(fn=sum(v.size for v in truth.values()), failed=1, error=f"{type(exc).__name__}: {exc}"[:160])
        s.seconds = elapsed
        out["myoclonus"] = s
    for name in peers:
        fn, _grid, max_fs = PEERS[name]
        if case.sfreq_hz > max_fs:
            continue
        s = Score()
        t0 = time.perf_counter()
        for ch in names:
            try:
                det = fn(emg[names.index(ch)], case.sfreq_hz, params[name])
                s.add(score_channel(det, truth[ch], arte[ch], ch in ecg))
            except Exception as exc:
                s.add(Score(fn=int(truth[ch].size), failed=1, error=f"{type(exc).__name__}: {exc}"[:160]))
        s.seconds = time.perf_counter() - t0
        out[name] = s
    silent: dict[str, Score] = {}
    if case.negative:
        sp_truth = {ch: np.asarray([p.onset_s for p in t.silent_periods_on(ch)]) for ch in names}
        ours = _our_silent(emg, case.sfreq_hz, names) if with_ours else None
        if ours is not None:
            silent["myoclonus"] = Score()
            for ch in names:
                silent["myoclonus"].add(score_channel(ours[ch], sp_truth[ch], [], False))
        silent["mne_envelope"] = Score()
        for ch in names:
            silent["mne_envelope"].add(score_channel(_silent_baseline(emg[names.index(ch)], case.sfreq_hz), sp_truth[ch], [], False))
    return {"case": case, "bursts": out, "silent": silent}


# ---------------------------------------------------------------- tables
def _fmt(x: float, nd: int = 3) -> str:
    return "n/a" if x != x else f"{x:.{nd}f}"


def _aggregate(results: list[dict], key: Callable[[Case], str], kind: str = "bursts") -> dict[str, dict[str, Score]]:
    agg: dict[str, dict[str, Score]] = defaultdict(lambda: defaultdict(Score))
    for r in results:
        for det, s in r[kind].items():
            agg[key(r["case"])][det].add(s)
    return agg


def render(results: list[dict], params: dict[str, object], detectors: list[str], elapsed_s: float, quick: bool,
           ecg_lead: bool = False) -> str:
    flags = (" --quick" if quick else "") + (" --ecg-lead" if ecg_lead else "")
    lead = ", with a simulated ECG lead given to our detector" if ecg_lead else ""
    lines = [f"# Burst detection accuracy ({'quick' if quick else 'full'} set{lead})", "",
             f"Generated {dt.datetime.now(dt.timezone.utc):%Y-%m-%d %H:%M} UTC by `python benchmarks/accuracy.py{flags}` "
             f"in {elapsed_s:.0f} s; {len(results)} simulated recordings; onset tolerance {TOLERANCE_S * 1e3:.0f} ms.", ""]
    overall = _aggregate(results, lambda c: "all")["all"]
    lines += ["## All recordings", "",
              "| detector | tuned threshold | precision | recall | F1 | median onset error (ms) | FP in artefacts (on artefact-only channels) | FP on ECG channels (on ECG-only channels) | failed channels | run time (s) |",
              "|---|---|---|---|---|---|---|---|---|---|"]
    for det in sorted(overall, key=lambda d: -overall[d].f1):
        s = overall[det]
        med = float(np.median(s.errors_ms)) if s.errors_ms else float("nan")
        lines.append(f"| {'**' + det + '**' if det == 'myoclonus' else det} | {params.get(det, 'defaults')} | {_fmt(s.precision)} | {_fmt(s.recall)} | "
                     f"{_fmt(s.f1)} | {_fmt(med, 2)} | {s.fp_artefact} ({s.fp_artefact_only}) | {s.fp_ecg} ({s.fp_ecg_only}) | {s.failed} | {s.seconds:.1f} |")
    for title, key in (("sampling rate", lambda c: f"{c.sfreq_hz:g} Hz"), ("noise level", lambda c: c.noise),
                       ("origin", lambda c: c.origin + (" (negative)" if c.negative else ""))):
        agg = _aggregate(results, key)
        dets = [d for d in detectors if any(d in v for v in agg.values())]
        lines += ["", f"## F1 by {title} (median onset error in ms in brackets; best F1 in bold)", "",
                  f"| {title} | " + " | ".join(dets) + " |", "|---" * (len(dets) + 1) + "|"]
        for row in agg:
            f1s = {d: agg[row][d].f1 for d in dets if d in agg[row]}
            best = max(f1s.values()) if f1s else 0
            cells = []
            no_truth = all(agg[row][d].tp + agg[row][d].fn == 0 for d in agg[row])
            if no_truth:  # no myoclonus: F1 is undefined, show the false detections instead
                fps = {d: agg[row][d].fp for d in dets if d in agg[row]}
                low = min(fps.values()) if fps else 0
                cells = [("n/a" if d not in fps else (f"**{fps[d]} FP**" if fps[d] == low else f"{fps[d]} FP")) for d in dets]
                lines.append(f"| {row} | " + " | ".join(cells) + " |")
                continue
            for d in dets:
                if d not in agg[row]:
                    cells.append("n/a")
                    continue
                s = agg[row][d]
                med = _fmt(float(np.median(s.errors_ms)), 1) if s.errors_ms else "n/a"
                txt = f"{_fmt(s.f1)} ({med})"
                cells.append(f"**{txt}**" if s.f1 == best else txt)
            lines.append(f"| {row} | " + " | ".join(cells) + " |")
    ours = _aggregate(results, lambda c: c.origin + (" (negative)" if c.negative else ""))
    lines += ["", "## myoclonus detector by origin", "", "| origin | true bursts | TP | FP | FN | precision | recall | F1 | median onset error (ms) |",
              "|---|---|---|---|---|---|---|---|---|"]
    for row, dets_ in ours.items():
        if "myoclonus" in dets_:
            s = dets_["myoclonus"]
            med = float(np.median(s.errors_ms)) if s.errors_ms else float("nan")
            lines.append(f"| {row} | {s.tp + s.fn} | {s.tp} | {s.fp} | {s.fn} | {_fmt(s.precision)} | {_fmt(s.recall)} | {_fmt(s.f1)} | {_fmt(med, 2)} |")
    silent = _aggregate([r for r in results if r["silent"]], lambda c: "all", kind="silent").get("all", {})
    if silent:
        lines += ["", "## Silent periods (negative myoclonus)", "", "| detector | precision | recall | F1 | median onset error (ms) |", "|---|---|---|---|---|"]
        for det, s in silent.items():
            med = float(np.median(s.errors_ms)) if s.errors_ms else float("nan")
            lines.append(f"| {det} | {_fmt(s.precision)} | {_fmt(s.recall)} | {_fmt(s.f1)} | {_fmt(med, 2)} |")
        if "myoclonus" not in silent:
            lines.append("\n`myoclonus.signals.silent.detect_silent_periods` was not available when this table was made.")
    errors = {(d, s.error) for r in results for d, s in r["bursts"].items() if s.error}
    if errors:
        lines += ["", "## Failures", ""] + [f"- {d}: {e}" for d, e in sorted(errors)]
    lines += ["", "Peers' thresholds were picked by F1 on a separate tuning set (seeds 10000+); ours runs with its defaults. "
              "NeuroKit2 methods, `bio_abbink` and `bio_londral` run at 500/1000 Hz only and `nk_pelt` at 500 Hz only (too slow above), so compare them within the sampling-rate table. Decision support research code: synthetic data, not a clinical validation."]
    return "\n".join(lines) + "\n"


def tune(peers: list[str], workers: int, quick: bool) -> dict[str, object]:
    """Pick each peer's threshold by F1 on the tuning set (a peer with one setting is not tuned)."""
    cases = build_cases(quick=False, tuning=True)
    if quick:
        cases = [c for c in cases if c.noise == "standard"]
    best: dict[str, object] = {}
    jobs = []
    with ProcessPoolExecutor(max_workers=workers) as ex:
        for name in peers:
            if len(PEERS[name][1]) == 1:
                continue
            for k in PEERS[name][1]:
                for c in cases:
                    jobs.append((name, k, ex.submit(run_case, c, {name: k}, [name], False)))
        scores: dict[tuple[str, object], Score] = defaultdict(Score)
        for name, k, fut in jobs:
            r = fut.result()
            if name in r["bursts"]:
                scores[(name, k)].add(r["bursts"][name])
    for name in peers:
        grid = PEERS[name][1]
        best[name] = grid[0] if len(grid) == 1 else max(grid, key=lambda k: scores[(name, k)].f1)
    return best


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="small subset (about a minute)")
    ap.add_argument("--workers", type=int, default=2, help="processes (one recording each)")
    ap.add_argument("--peers", default=",".join(PEERS), help="comma list of peers to run")
    ap.add_argument("--out", type=Path, default=Path(__file__).parent / "results" / "accuracy.md")
    ap.add_argument("--ecg-lead", action="store_true",
                    help="simulate an ECG lead too and give it to our detector (peers see the same EMG arrays)")
    args = ap.parse_args(argv)
    logging.getLogger("myoclonus").setLevel(logging.ERROR)
    warnings.filterwarnings("ignore")
    peers = [p for p in args.peers.split(",") if p]
    unknown = [p for p in peers if p not in PEERS]
    if unknown:
        ap.error(f"unknown peer(s) {unknown}; choose from {list(PEERS)}")
    if args.quick:
        peers = [p for p in peers if p not in ("nk_pelt", "nk_mixture", "bio_londral")]
    t0 = time.perf_counter()
    params = tune(peers, args.workers, args.quick)
    cases = build_cases(args.quick)
    results = []
    with ProcessPoolExecutor(max_workers=args.workers) as ex:
        n = len(cases)
        for r in ex.map(run_case, cases, [params] * n, [peers] * n, [True] * n, [args.ecg_lead] * n):
            results.append(r)
            c = r["case"]
            print(f"[{len(results)}/{len(cases)}] {c.origin} {c.sfreq_hz:g} Hz {c.noise}{' negative' if c.negative else ''} "
                  f"({time.perf_counter() - t0:.0f} s)", file=sys.stderr, flush=True)
    text = render(results, params, ["myoclonus"] + peers, time.perf_counter() - t0, args.quick, args.ecg_lead)
    print(text)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    from myoclonus.atomic import write_text_atomic

    write_text_atomic(args.out, text)


if __name__ == "__main__":
    main()
