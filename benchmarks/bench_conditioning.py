"""EMG conditioning throughput: our compiled kernel vs the same steps written with SciPy.

Four channels of 240 s at 2048 Hz (white noise plus a 50-Hz line), band-pass 20-450 Hz, then 0-3
mains harmonics removed robustly (a resonator's line, the residual clipped at 4 robust SD per
1-s block, a second resonator on line + clipped residual; see
:func:`myoclonus.signals.kernels.condition_emg`). Baseline: ``scipy.signal.sosfilt`` for every
filter pass and NumPy for the block medians and clipping, channel by channel. Both are measured in
this run, CPU time of the process (the machine may be shared), the median of ``--repeats``
interleaved runs; the table gives ns per channel-sample, the ratio, and whether the two outputs
are identical (they are meant to be: the same operations in the same order). Run:
``.venv/bin/python benchmarks/bench_conditioning.py [--seconds 240] [--repeats 5]``.
"""
from __future__ import annotations

import argparse
import time

import numpy as np
from scipy import signal

from myoclonus.signals import kernels
from myoclonus.signals.conditioning import MAINS_CLIP_MEDIAN_SAMPLES, MAINS_CLIP_SD

SFREQ = 2048.0
BLOCK = 2048
HARMONICS_HZ = (50.0, 150.0, 250.0)


def _band_pass() -> np.ndarray:
    return np.vstack([signal.butter(2, 20.0, btype="highpass", fs=SFREQ, output="sos"),
                      signal.butter(2, 450.0, btype="lowpass", fs=SFREQ, output="sos")])


def _resonators(n_harmonics: int) -> np.ndarray:
    if not n_harmonics:
        return np.zeros((0, 6))
    return np.vstack([signal.tf2sos(*signal.iirpeak(f, 30.0, fs=SFREQ)) for f in HARMONICS_HZ[:n_harmonics]])


def ours(x: np.ndarray, sos: np.ndarray, res: np.ndarray) -> np.ndarray:
    g = kernels.GROUP
    y = np.zeros((g, x.shape[1]), np.float32)
    stride = max(BLOCK // MAINS_CLIP_MEDIAN_SAMPLES, 1)
    kernels.condition_emg(x, np.arange(g, dtype=np.int64), 0, x.shape[1], 0, sos, np.zeros((g, sos.shape[0], 2)),
                          np.ascontiguousarray(np.broadcast_to(res, (g, *res.shape))), np.zeros((g, res.shape[0], 2)),
                          BLOCK, MAINS_CLIP_SD, stride, y)
    return y


def scipy_steps(x: np.ndarray, sos: np.ndarray, res: np.ndarray) -> np.ndarray:
    stride = max(BLOCK // MAINS_CLIP_MEDIAN_SAMPLES, 1)
    out = np.empty(x.shape, np.float32)
    for c in range(x.shape[0]):
        u = signal.sosfilt(sos, x[c].astype(np.float64))
        for sec in res:
            line = signal.sosfilt(sec[None, :], u)
            resid = u - line
            blocks = resid[: resid.size // BLOCK * BLOCK].reshape(-1, BLOCK)
            level = 1.4826 * MAINS_CLIP_SD * np.median(np.abs(blocks[:, ::stride]), axis=1)
            clipped = np.clip(blocks, -level[:, None], level[:, None]).ravel()
            u = u[: clipped.size] - signal.sosfilt(sec[None, :], line[: clipped.size] + clipped)
        out[c, : u.size] = u
    return out


def _cpu_ns_per_sample(fn, x, *args) -> float:
    t0 = time.process_time()
    fn(x, *args)
    return (time.process_time() - t0) / x.size * 1e9


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seconds", type=float, default=240.0)
    ap.add_argument("--repeats", type=int, default=5)
    args = ap.parse_args()
    n = int(args.seconds * SFREQ) // BLOCK * BLOCK
    rng = np.random.default_rng(0)
    t = np.arange(n) / SFREQ
    x = np.vstack([rng.normal(0, 5, n) + 8 * np.sin(2 * np.pi * 50 * t + k) for k in range(kernels.GROUP)]).astype(np.float32)
    sos = _band_pass()
    ours(x[:, :BLOCK], sos, _resonators(3))  # compile (or load the cache)
    print(f"{kernels.GROUP} channels x {args.seconds:g} s at {SFREQ:g} Hz; CPU ns per channel-sample, median of {args.repeats}\n")
    print("| mains harmonics | SciPy steps | ours | x faster | same output |")
    print("|---:|---:|---:|---:|---|")
    for n_h in range(len(HARMONICS_HZ) + 1):
        res = _resonators(n_h)
        times = {"scipy": [], "ours": []}
        for _ in range(args.repeats):  # interleaved
            times["scipy"].append(_cpu_ns_per_sample(scipy_steps, x, sos, res))
            times["ours"].append(_cpu_ns_per_sample(ours, x, sos, res))
        s, o = np.median(times["scipy"]), np.median(times["ours"])
        same = np.array_equal(ours(x, sos, res), scipy_steps(x, sos, res))
        print(f"| {n_h} | {s:.2f} | {o:.2f} | {s / o:.1f} | {'bit for bit' if same else 'NO'} |")


if __name__ == "__main__":
    main()
