"""Where the detector's time goes: CPU time per channel-sample of each step, one thread.

Runs ``detect_bursts`` + ``group_jerks`` on the signal of ``bench_detectors.py`` (16 channels at
2048 Hz, one jerk per second; ``--mains`` adds a 50-Hz line, as real recordings often carry) and
times the main steps by wrapping them (CPU time of the calling thread, summed over calls; nested
steps are included in their callers, so the rows do not add up). A tool for planning speed work,
not a benchmark: the wrappers add a little time of their own. Run:
``.venv/bin/python benchmarks/profile_detectors.py [--minutes 8] [--mains]``.
"""
from __future__ import annotations

import argparse
import functools
import threading
import time

import numpy as np

from bench_detectors import make_signal
from myoclonus.settings import AnalysisSettings, ChunkSettings
from myoclonus.signals import artefacts, bursts, jerks, kernels

#: (module, function name) of the steps timed.
STEPS = [
    (bursts, "read_float32"), (bursts, "check_finite"), (bursts, "prepare_filters"), (bursts, "apply_filters"),
    (bursts, "clean_channel"), (bursts, "_envelopes"), (bursts, "rectified_moving_averages"), (bursts, "_background"),
    (kernels, "candidate_runs"), (bursts, "_ecg_candidates"), (artefacts, "find_ecg_beats"),
    (bursts, "_above_local_background"), (bursts, "_burst_features"), (bursts, "_local_powers"),
    (bursts, "screened_clipping"), (bursts, "_trim"), (bursts, "_detect_channel"), (bursts, "assemble_bursts"),
    (jerks, "_recruitment"),
]


def _timed(totals: dict[str, float], lock: threading.Lock, name: str, fn):
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        t0 = time.thread_time()
        try:
            return fn(*args, **kwargs)
        finally:
            with lock:
                totals[name] = totals.get(name, 0.0) + time.thread_time() - t0
    return wrapper


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--minutes", type=float, default=8.0)
    ap.add_argument("--mains", action="store_true", help="add a 50-Hz line of 8 uV to every channel")
    args = ap.parse_args()
    sfreq = 2048.0
    x = make_signal(16, sfreq, args.minutes)
    if args.mains:
        x += (8.0 * np.sin(2 * np.pi * 50.0 * np.arange(x.shape[1]) / sfreq)).astype(np.float32)
    names = [f"EMG{i + 1}" for i in range(x.shape[0])]
    settings = AnalysisSettings(chunks=ChunkSettings(n_threads=1))
    jerks.group_jerks(bursts.detect_bursts(x[:, : int(20 * sfreq)], sfreq, names, settings=settings))  # compile, import

    totals: dict[str, float] = {}
    lock = threading.Lock()
    for module, name in STEPS:
        setattr(module, name, _timed(totals, lock, name, getattr(module, name)))
    c0 = time.process_time()
    found = bursts.detect_bursts(x, sfreq, names, settings=settings)
    c1 = time.process_time()
    jerks.group_jerks(found)
    c2 = time.process_time()

    per = 1e9 / x.size
    print(f"{x.shape[0]} channels x {args.minutes:g} min at {sfreq:g} Hz{' with 50-Hz mains' if args.mains else ''}: "
          f"{len(found)} bursts; CPU ns per channel-sample, one thread")
    print(f"{'detect_bursts (all)':28s} {(c1 - c0) * per:6.2f}")
    print(f"{'group_jerks (all)':28s} {(c2 - c1) * per:6.2f}")
    for name, seconds in sorted(totals.items(), key=lambda kv: -kv[1]):
        print(f"  {name:26s} {seconds * per:6.2f}")


if __name__ == "__main__":
    main()
