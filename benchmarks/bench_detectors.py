"""Throughput of the EMG detectors (conditioning + burst detection + jerk grouping).

Prints samples per second (channels x samples / wall time) for a synthetic 16-channel recording
with myoclonic bursts, at 1 and 2 threads, measured in one run; the ratio column compares each
row with the 1-thread row. Run: ``.venv/bin/python benchmarks/bench_detectors.py [--minutes M]``.
"""
from __future__ import annotations

import argparse
import time

import numpy as np
from scipy import signal

from myoclonus.settings import AnalysisSettings, ChunkSettings
from myoclonus.signals.bursts import detect_bursts
from myoclonus.signals.jerks import group_jerks


def make_signal(n_channels: int, sfreq: float, minutes: float, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    n = int(minutes * 60 * sfreq)
    x = (3.0 * rng.standard_normal((n_channels, n))).astype(np.float32)
    sos = signal.butter(2, [30, min(300, 0.4 * sfreq)], btype="bandpass", fs=sfreq, output="sos")
    onsets = np.sort(rng.uniform(0, n / sfreq - 1, int(minutes * 60)))  # one jerk per second
    m = int(0.05 * sfreq)
    # every burst is its own interference pattern (identical copies would look like ECG)
    bursts = (signal.sosfilt(sos, rng.standard_normal((n_channels, onsets.size, m)), axis=-1) * 40).astype(np.float32)
    for ch in range(n_channels):
        for j, t in enumerate(onsets):
            a = int((t + 0.002 * ch) * sfreq)
            x[ch, a : a + m] += bursts[ch, j, : x.shape[1] - a]
    return x


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--minutes", type=float, default=5.0)
    ap.add_argument("--sfreq", type=float, default=2048.0)
    ap.add_argument("--channels", type=int, default=16)
    args = ap.parse_args()
    x = make_signal(args.channels, args.sfreq, args.minutes)
    names = [f"EMG{i + 1}" for i in range(args.channels)]
    total = x.size
    rows = []
    for threads in (1, 2):
        settings = AnalysisSettings(chunks=ChunkSettings(n_threads=threads))
        detect_bursts(x[:, : int(10 * args.sfreq)], args.sfreq, names, settings=settings)  # warm-up
        t0 = time.perf_counter()
        bursts = detect_bursts(x, args.sfreq, names, settings=settings)
        jerks = group_jerks(bursts)
        dt = time.perf_counter() - t0
        rows.append((threads, dt, total / dt, len(bursts), len(jerks)))
    base = rows[0][2]
    print(f"{args.channels} channels x {args.minutes:g} min at {args.sfreq:g} Hz = {total / 1e6:.1f} M samples (float32 input)")
    print("| threads | wall s | M samples/s | x vs 1 thread | bursts | jerks |")
    print("|---|---|---|---|---|---|")
    for threads, dt, sps, nb, nj in rows:
        print(f"| {threads} | {dt:.2f} | {sps / 1e6:.1f} | {sps / base:.2f} | {nb} | {nj} |")


if __name__ == "__main__":
    main()
