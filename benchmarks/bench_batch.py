"""Batch throughput on a local Dask cluster: 1 vs 2 workers on the same simulated recordings.

Usage::

    .venv/bin/python benchmarks/bench_batch.py [--recordings 8] [--minutes 2] [--fs 2048]

Prints recordings/min, M samples/s and parallel efficiency (throughput with N workers divided
by N times the 1-worker throughput), all measured in this run on the same files. Each run starts
from an empty output folder, so nothing is skipped.
"""
from __future__ import annotations

import argparse
import os
import shutil
import tempfile
import time
from pathlib import Path

import mne

from myoclonus.batch import run_batch
from myoclonus.simulate import simulate

ORIGINS = ["cortical", "subcortical", "functional", "spinal_segmental", "propriospinal", "peripheral", "cortical_subcortical", "none"]


def make_recordings(folder: Path, n: int, minutes: float, fs: float) -> int:
    """Write ``n`` simulated recordings; return the total number of samples (all channels)."""
    total = 0
    for i in range(n):
        sim = simulate(ORIGINS[i % len(ORIGINS)], minutes=minutes, seed=1000 + i, sfreq_hz=fs)
        path = folder / f"rec{i:03d}.edf"
        sim.write(path)
        total += sim.raw.n_times * len(sim.raw.ch_names)
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--recordings", type=int, default=8)
    parser.add_argument("--minutes", type=float, default=2.0)
    parser.add_argument("--fs", type=float, default=2048.0)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    args = parser.parse_args()
    mne.set_log_level("ERROR")
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data"
        data.mkdir()
        samples = make_recordings(data, args.recordings, args.minutes, args.fs)
        rows = []
        for workers in args.workers:
            out = Path(tmp) / f"out{workers}"
            t0 = time.perf_counter()
            summary = run_batch([str(data)], out, workers=workers)
            elapsed = time.perf_counter() - t0
            assert summary.counts["done"] == args.recordings, summary.counts
            rows.append((workers, elapsed))
            shutil.rmtree(out)
    base = args.recordings / rows[0][1]
    print(f"\n{args.recordings} recordings x {args.minutes} min at {args.fs:g} Hz, {samples / 1e6:.1f} M samples in all; "
          f"{os.cpu_count()} cores; wall time includes starting the local Dask cluster\n")
    print("| workers | wall s | recordings/min | M samples/s | speed-up | parallel efficiency |")
    print("|---:|---:|---:|---:|---:|---:|")
    for workers, elapsed in rows:
        rate = args.recordings / elapsed
        print(f"| {workers} | {elapsed:.1f} | {60 * rate:.1f} | {samples / elapsed / 1e6:.2f} | "
              f"{rate / base:.2f} | {rate / base / workers:.0%} |")


if __name__ == "__main__":
    main()
