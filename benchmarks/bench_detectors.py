"""Throughput of the EMG detectors (conditioning + burst detection + jerk grouping) vs MNE.

For a synthetic 16-channel recording with myoclonic bursts (one jerk per second, every channel),
measured in one run at several lengths:

* ours: ``detect_bursts`` + ``group_jerks`` with 1 and 2 threads (``ChunkSettings.n_threads``);
* baseline: the same steps written with MNE's filter (``mne.filter.filter_data`` band-pass
  20-450 Hz + ``mne.filter.notch_filter`` at the mains harmonics, rectification, 5-ms moving
  average, a plain threshold median + 5 robust SD per channel, bursts >= 10 ms, grouping of onsets
  within 150 ms).

Samples/s = channels x samples / wall time; CPU s is the process CPU time (all threads), shown
because the machine may be shared (the load average is printed): samples per CPU second is then
the steadier figure. Each pipeline runs ``--repeats`` times, interleaved with the others, and the
run with the median wall time is kept. Run:
``.venv/bin/python benchmarks/bench_detectors.py [--minutes 1 4 16] [--repeats 3] [--save benchmarks/results/detectors.md]``.
"""
from __future__ import annotations

import argparse
import os
import platform
import time
from pathlib import Path

import numpy as np
from scipy import signal

from myoclonus.settings import AnalysisSettings, ChunkSettings
from myoclonus.signals.bursts import detect_bursts
from myoclonus.signals.jerks import group_jerks


def make_signal(n_channels: int, sfreq: float, minutes: float, seed: int = 0) -> np.ndarray:
    """Float32 µV: 3 µV white noise plus one 50-ms burst per second in every channel, each
    burst its own band-limited interference pattern, the channels 2 ms apart."""
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


def ours(x: np.ndarray, sfreq: float, n_threads: int) -> tuple[int, int]:
    names = [f"EMG{i + 1}" for i in range(x.shape[0])]
    settings = AnalysisSettings(chunks=ChunkSettings(n_threads=n_threads))
    bursts = detect_bursts(x, sfreq, names, settings=settings)
    return len(bursts), len(group_jerks(bursts))


def mne_baseline(x: np.ndarray, sfreq: float) -> tuple[int, int]:
    """The same steps with MNE's filter and a plain threshold (see module docstring)."""
    import mne

    high = min(450.0, 0.45 * sfreq)
    y = mne.filter.filter_data(x.astype(np.float64), sfreq, 20.0, high, n_jobs=1, verbose="error")
    y = mne.filter.notch_filter(y, sfreq, np.arange(50.0, high, 50.0), n_jobs=1, verbose="error")
    w = max(int(0.005 * sfreq), 1)
    onsets = []
    for ch in range(y.shape[0]):
        env = np.convolve(np.abs(y[ch]), np.ones(w) / w, mode="same")
        med = np.median(env)
        above = env > med + 5.0 * 1.4826 * np.median(np.abs(env - med))
        edges = np.diff(np.concatenate(([0], above.astype(np.int8), [0])))
        on, off = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
        onsets.append(on[(off - on) >= int(0.010 * sfreq)] / sfreq)
    allon = np.sort(np.concatenate(onsets))
    n_jerks, start = 0, -np.inf
    for t in allon:
        if t - start > 0.150:
            n_jerks, start = n_jerks + 1, t
    return int(allon.size), n_jerks


def timed(fn, *args) -> tuple[float, float, tuple[int, int]]:
    """Wall seconds, CPU seconds (whole process) and the result of ``fn(*args)``."""
    c0, t0 = time.process_time(), time.perf_counter()
    res = fn(*args)
    return time.perf_counter() - t0, time.process_time() - c0, res


def parallel_control(n_threads: int) -> float:
    """Wall seconds of ``np.sort`` (which releases the GIL) on 8 arrays of 2 M floats with
    ``n_threads`` threads: how much parallelism the machine actually gives this process now."""
    from concurrent.futures import ThreadPoolExecutor

    arrays = [np.random.default_rng(i).standard_normal(2_000_000).astype(np.float32) for i in range(8)]
    with ThreadPoolExecutor(n_threads) as ex:
        list(ex.map(np.sort, arrays))
        t0 = time.perf_counter()
        list(ex.map(np.sort, arrays))
        return time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--minutes", type=float, nargs="+", default=[1.0, 4.0, 16.0])
    ap.add_argument("--sfreq", type=float, default=2048.0)
    ap.add_argument("--channels", type=int, default=16)
    ap.add_argument("--repeats", type=int, default=3, help="interleaved repeats per measurement (the median run is kept)")
    ap.add_argument("--save", type=Path, default=None, help="also write the table (Markdown) to this file")
    args = ap.parse_args()

    warm = make_signal(args.channels, args.sfreq, 0.2, seed=1)
    ours(warm, args.sfreq, 1)  # imports and first-call costs out of the measurement
    ours(warm, args.sfreq, 2)
    mne_baseline(warm, args.sfreq)

    load0 = os.getloadavg()[0]
    lines = [
        f"# EMG detector throughput ({time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())})",
        "",
        f"`benchmarks/bench_detectors.py --minutes {' '.join(f'{m:g}' for m in args.minutes)} --repeats {args.repeats}`: "
        f"{args.channels} channels at {args.sfreq:g} Hz, float32 input, one jerk per second; median of "
        f"{args.repeats} interleaved runs per pipeline; "
        f"{os.cpu_count()} CPUs, Python {platform.python_version()}.",
        "Ours = `detect_bursts` + `group_jerks`; MNE = `mne.filter.filter_data` band-pass + notch, "
        "rectify, 5-ms average, plain threshold, grouping. Ratio = our samples/s over MNE's.",
        "",
        "| minutes | M samples | pipeline | wall s | CPU s | M samples/s | x vs MNE | M samples/CPU s | x vs MNE (CPU) | bursts | jerks |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    print("\n".join(lines), flush=True)
    for minutes in args.minutes:
        x = make_signal(args.channels, args.sfreq, minutes)
        total = x.size
        runs: dict[str, list] = {}
        for _ in range(args.repeats):  # interleaved: a burst of load from elsewhere hits every pipeline alike
            runs.setdefault("MNE filter_data, 1 job", []).append(timed(mne_baseline, x, args.sfreq))
            for threads in (1, 2):
                runs.setdefault(f"ours, {threads} thread{'s' if threads > 1 else ''}", []).append(timed(ours, x, args.sfreq, threads))
        rows = [(label, *sorted(measured, key=lambda m: m[0])[len(measured) // 2]) for label, measured in runs.items()]
        mne_rate, mne_cpu_rate = total / rows[0][1], total / rows[0][2]
        for label, wall, cpu, (n_bursts, n_jerks) in rows:
            rate, cpu_rate = total / wall, total / max(cpu, 1e-9)
            line = (f"| {minutes:g} | {total / 1e6:.1f} | {label} | {wall:.2f} | {cpu:.2f} | {rate / 1e6:.1f} | "
                    f"{rate / mne_rate:.2f} | {cpu_rate / 1e6:.1f} | {cpu_rate / mne_cpu_rate:.2f} | {n_bursts} | {n_jerks} |")
            lines.append(line)
            print(line, flush=True)
    load1 = os.getloadavg()[0]
    control = parallel_control(1) / parallel_control(2)
    lines += ["", f"1-min load average {load0:.1f} before and {load1:.1f} after the measurements "
              f"(a load above the CPU count means other processes shared the cores: wall times and "
              f"the 2-thread gain are then pessimistic; CPU s is less affected). Parallel control: "
              f"`np.sort` (releases the GIL) on 8 arrays ran {control:.2f}x faster with 2 threads than "
              f"with 1 in this run; 2.0x would mean two free cores."]
    print(lines[-1])
    if args.save is not None:
        args.save.parent.mkdir(parents=True, exist_ok=True)
        args.save.write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
