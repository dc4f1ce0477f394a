"""Speed and memory of the recording analysis, against an MNE-based pipeline measured in the same run.

Run ``python benchmarks/bench_analyze.py`` (1 h file; a few minutes on 2 cores), ``--quick``
(15-min file) or ``--long`` (adds a 24 h file at 500 Hz, about 35 s to analyse today). Every timing
is the median of ``--repeats`` interleaved runs (default 3). Prints three tables:

1. In-process throughput (samples/s) of conditioning + burst detection + jerk grouping on a
   16-channel, 1-h signal already in memory (float64, with 50-Hz mains; ``--quick``: 60 s): ours
   (1 and 2 threads; and with 2 threads "back to back", the second of two runs in a row, without
   the first touch of fresh memory that follows another pipeline's run) vs the same steps written
   with MNE's
   filter (``mne.filter.filter_data`` band-pass + notch, rectification, moving average, a
   median + k * MAD threshold, grouping by onset window).
2. End-to-end time (fresh process: import + read + analyse + write) on the same EDF file:
   ``myoclonus.analyze`` + ``write_outputs`` with 1 and 2 threads vs the MNE pipeline
   (``read_raw_edf(preload=True)`` + the steps above + a TSV) with ``n_jobs`` 1 and 2; the
   speed-up is against the faster MNE setting.
3. Peak memory (maximum resident set size of a fresh process doing the end-to-end run) for 1 h and
   24 h 16-channel EDF files, plus the EDF reading alone: MNE ``get_data`` windows vs ``edfio``
   windows (the measurement behind "use edfio where it measurably wins").

The long EDF files are generated on the fly in a temporary folder: a 60-s 16-channel template is
written with edfio, then its data records are repeated (header record count updated) until the
wanted length, so writing never needs the file in memory. The 24 h file (``--long``) is sampled at
500 Hz (1.4 GB) to keep the run short; ``--full`` uses 2048 Hz (5.7 GB of disk). The MNE pipeline
is not run on the 24 h file: it must load the whole file (``preload=True``) and would need tens of GB.

Targets (issue 3): >= 100 M samples/s in-process on 2 cores; end-to-end >= 3x faster than the
MNE pipeline; peak memory < 1 GB for any length.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

MUSCLES = ["FDI", "APB", "ADM", "ECR", "FCR", "EDC", "BIC", "TRI", "DEL", "SCM", "TRAP", "QUAD", "HAM", "TA", "GAS", "SOL"]
NAMES = [f"EMG R {m}" for m in MUSCLES]


# ------------------------------------------------------------------------------- synthetic data
def synthetic_emg(n_seconds: float, sfreq: float, seed: int = 0) -> np.ndarray:
    """16 channels of background noise (5 µV) and 50-Hz mains; one jerk every 2 s recruiting 4
    random muscles with 30-ms bursts (100 µV) within 20 ms."""
    rng = np.random.default_rng(seed)
    n = int(n_seconds * sfreq)
    x = rng.normal(0.0, 5.0, (len(NAMES), n))
    width = int(0.03 * sfreq)
    for t in np.arange(0.7, n_seconds - 0.1, 2.0):
        for ch in rng.choice(len(NAMES), size=4, replace=False):
            i = int((t + rng.uniform(0.0, 0.02)) * sfreq)
            x[ch, i:i + width] += rng.normal(0.0, 100.0, width)
    x += 8.0 * np.sin(2 * np.pi * 50.0 * np.arange(n) / sfreq)  # mains
    return x


def write_long_edf(path: Path, hours: float, sfreq: int) -> Path:
    """A 16-channel EDF of ``hours`` made by repeating a 60-s template's data records."""
    import edfio

    template_s = 60
    data = synthetic_emg(template_s, sfreq, seed=1)
    signals = [edfio.EdfSignal(data[i], sfreq, label=name, physical_dimension="uV", physical_range=(-2000, 2000))
               for i, name in enumerate(NAMES)]
    blob = edfio.Edf(signals).to_bytes()
    header_bytes = 256 * (len(NAMES) + 1)
    header, records = bytearray(blob[:header_bytes]), blob[header_bytes:]
    repeats = int(round(hours * 3600 / template_s))
    # EDF header field "number of data records": bytes 236-243, ASCII, left-aligned (Kemp 1992).
    header[236:244] = f"{repeats * template_s:<8d}".encode("ascii")
    with open(path, "wb") as fh:
        fh.write(header)
        for _ in range(repeats):
            fh.write(records)
    return path


# ---------------------------------------------------------------------------- the MNE pipeline
def mne_pipeline(data_uv: np.ndarray, sfreq: float, n_jobs: int = 1) -> tuple[int, int]:
    """Same steps with MNE's filter: band-pass 20-450 Hz + 50 Hz notch, rectify, 5-ms moving
    average, threshold median + 5 x (1.4826 MAD) per channel, bursts >= 10 ms, grouping 150 ms."""
    import mne

    high = min(450.0, 0.45 * sfreq)
    y = mne.filter.filter_data(data_uv, sfreq, 20.0, high, n_jobs=n_jobs, verbose="error")
    y = mne.filter.notch_filter(y, sfreq, np.arange(50.0, high, 50.0), n_jobs=n_jobs, verbose="error")
    env = np.abs(y)
    w = max(int(0.005 * sfreq), 1)
    kernel = np.ones(w) / w
    onsets = []
    for ch in range(env.shape[0]):
        e = np.convolve(env[ch], kernel, mode="same")
        med = np.median(e)
        thr = med + 5.0 * 1.4826 * np.median(np.abs(e - med))
        above = np.diff(np.concatenate([[0], (e > thr).astype(np.int8), [0]]))
        on, off = np.flatnonzero(above == 1), np.flatnonzero(above == -1)
        keep = (off - on) >= int(0.010 * sfreq)
        onsets.append(on[keep] / sfreq)
    allon = np.sort(np.concatenate(onsets)) if onsets else np.empty(0)
    n_jerks = 0
    start = -np.inf
    for t in allon:
        if t - start > 0.150:
            n_jerks += 1
            start = t
    return int(allon.size), n_jerks


def mne_end_to_end(path: Path, out: Path, n_jobs: int = 1) -> tuple[int, int]:
    import mne

    raw = mne.io.read_raw_edf(path, preload=True, verbose="error")
    n_bursts, n_jerks = mne_pipeline(raw.get_data() * 1e6, raw.info["sfreq"], n_jobs=n_jobs)
    out.mkdir(parents=True, exist_ok=True)
    (out / "bursts.tsv").write_text(f"n\t{n_bursts}\n", encoding="utf-8")
    return n_bursts, n_jerks


# ---------------------------------------------------------------------------------- our pipeline
def ours_in_memory(data_uv: np.ndarray, sfreq: float, n_threads: int) -> tuple[int, int]:
    from myoclonus.settings import AnalysisSettings, ChunkSettings
    from myoclonus.signals.bursts import detect_bursts
    from myoclonus.signals.jerks import group_jerks
    from myoclonus.signals.recording import Recording

    rec = Recording.from_array(data_uv, sfreq, NAMES)
    settings = AnalysisSettings(chunks=ChunkSettings(n_threads=n_threads))
    bursts = detect_bursts(rec, settings=settings)
    jerks = group_jerks(bursts, rec.channels, settings=settings)
    return len(bursts), len(jerks)


def ours_end_to_end(path: Path, out: Path, n_threads: int = 2) -> tuple[int, int]:
    from myoclonus.settings import AnalysisSettings, ChunkSettings
    from myoclonus.signals.analysis import analyze

    analysis = analyze(path, settings=AnalysisSettings(chunks=ChunkSettings(n_threads=n_threads)))
    analysis.write(out)
    return len(analysis.bursts), len(analysis.jerks)


def read_windows(path: Path, reader: str, window_s: float = 300.0) -> float:
    """Read the whole file window by window; returns the checksum (forces the read)."""
    total = 0.0
    if reader == "mne":
        import mne

        raw = mne.io.read_raw_edf(path, preload=False, verbose="error")
        step = int(window_s * raw.info["sfreq"])
        for start in range(0, raw.n_times, step):
            total += float(raw.get_data(start=start, stop=min(start + step, raw.n_times))[:, ::997].sum())
    else:
        import edfio

        edf = edfio.read_edf(path, lazy_load_data=True)
        for start in np.arange(0.0, edf.duration, window_s):
            stop = min(start + window_s, edf.duration)
            total += float(sum(s.get_data_slice(start, stop)[::997].sum() for s in edf.signals))
    return total


# --------------------------------------------------------------------------------- child process
def child(task: str, path: str, out: str) -> None:
    """Run one measurement in this fresh process and print JSON (time, CPU time, counts, peak RSS)."""
    t0 = time.perf_counter()
    if task.startswith("ours"):  # "ours" (2 threads) or "ours-<n>"
        counts = ours_end_to_end(Path(path), Path(out), n_threads=int(task.split("-")[1]) if "-" in task else 2)
    elif task.startswith("mne"):  # "mne" (1 job) or "mne-<n>"
        counts = mne_end_to_end(Path(path), Path(out), n_jobs=int(task.split("-")[1]) if "-" in task else 1)
    elif task in ("read-mne", "read-edfio"):
        read_windows(Path(path), task.split("-")[1])
        counts = (0, 0)
    else:
        raise SystemExit(f"unknown task {task}")
    elapsed = time.perf_counter() - t0
    usage = resource.getrusage(resource.RUSAGE_SELF)
    print(json.dumps({"seconds": elapsed, "cpu_seconds": usage.ru_utime + usage.ru_stime, "bursts": counts[0],
                      "jerks": counts[1], "peak_mb": peak_rss_mb()}))


def peak_rss_mb() -> float:
    """Peak resident memory of this process (``VmHWM``; ``ru_maxrss`` would include the parent's
    peak, which Linux keeps across ``exec``)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def median_of_children(tasks: list[str], path: Path, out: Path, repeats: int) -> dict[str, dict]:
    """Run every task ``repeats`` times, interleaved (a burst of load hits all tasks alike), and keep
    per task the run with the median wall time."""
    runs: dict[str, list[dict]] = {t: [] for t in tasks}
    for _ in range(repeats):
        for t in tasks:
            runs[t].append(run_child(t, path, out / t))
    best = {}
    for t, rs in runs.items():
        ok = sorted((r for r in rs if "error" not in r), key=lambda r: r["seconds"])
        best[t] = ok[len(ok) // 2] if ok else rs[0]
    return best


def run_child(task: str, path: Path, out: Path) -> dict:
    proc = subprocess.run([sys.executable, __file__, "--child", task, str(path), str(out)],
                          capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        return {"error": proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else f"exit {proc.returncode}"}
    return json.loads(proc.stdout.strip().splitlines()[-1])


# ------------------------------------------------------------------------------------------ main
def _table(title: str, header: list[str], rows: list[list[str]]) -> None:
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(header)]
    print(f"\n{title}")
    print("  ".join(h.ljust(w) for h, w in zip(header, widths)))
    print("  ".join("-" * w for w in widths))
    for r in rows:
        print("  ".join(c.ljust(w) for c, w in zip(r, widths)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="short inputs (about 1 minute)")
    parser.add_argument("--long", action="store_true", help="also the 24 h file at 500 Hz (1.4 GB; a few minutes)")
    parser.add_argument("--full", action="store_true", help="with --long: the 24 h file at 2048 Hz (5.7 GB of disk)")
    parser.add_argument("--repeats", type=int, default=3, help="interleaved repeats per measurement (median kept)")
    parser.add_argument("--child", nargs=3, metavar=("TASK", "PATH", "OUT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return

    sfreq = 2048
    print(f"bench_analyze: {os.cpu_count()} CPUs, Python {sys.version.split()[0]}, "
          f"load average {os.getloadavg()[0]:.1f} (a load above the CPU count means other processes share the cores)")

    # 1. in-process throughput, on as long a recording as table 2 (fixed per-recording costs such as
    # the 60-s mains probe weigh on short inputs)
    seconds = 60.0 if args.quick else 3600.0
    data = synthetic_emg(seconds, sfreq)
    n_samples = data.size
    warm = synthetic_emg(5.0, sfreq, seed=2)  # imports, filter design caches, JIT: not timed
    ours_in_memory(warm, sfreq, 1)
    mne_pipeline(warm, sfreq, 1)
    # each run starts after another pipeline freed its memory (the first touch of fresh pages is part of the
    # cost); "back to back" times the second of two runs in a row, whose buffers the allocator already
    # holds, as when one process analyses recording after recording
    back_to_back = "ours, 2 threads, back to back"
    steps = [
        ("ours, 1 thread", lambda: ours_in_memory(data, sfreq, 1)),
        ("ours, 2 threads", lambda: ours_in_memory(data, sfreq, 2)),
        (back_to_back, lambda: ours_in_memory(data, sfreq, 2)),
        ("MNE filter_data, n_jobs=1", lambda: mne_pipeline(data, sfreq, 1)),
        ("MNE filter_data, n_jobs=2", lambda: mne_pipeline(data, sfreq, 2)),
    ]
    timings: dict[str, list[tuple[float, float]]] = {label: [] for label, _ in steps}
    counts = {}
    for _ in range(args.repeats):  # interleaved repeats; the median wall time is kept
        for label, fn in steps:
            if label == back_to_back:
                fn()  # the first of the two runs, not timed
            t0, c0 = time.perf_counter(), time.process_time()
            counts[label] = fn()
            timings[label].append((time.perf_counter() - t0, time.process_time() - c0))
    results = {label: sorted(ts)[len(ts) // 2] for label, ts in timings.items()}
    base = results["MNE filter_data, n_jobs=1"][0]
    rows = []
    for label, (dt, cpu) in results.items():
        rows.append([label, f"{dt:.2f}", f"{cpu:.2f}", f"{n_samples / dt / 1e6:.1f}", f"{n_samples / cpu / 1e6:.1f}",
                     f"{counts[label][0]} / {counts[label][1]}", f"{base / dt:.2f}x"])
    _table(f"1. In-process conditioning + detection + grouping, 16 ch x {seconds:.0f} s at {sfreq} Hz "
           f"({n_samples / 1e6:.0f} M samples; target >= 100 M samples/s; median of {args.repeats})",
           ["pipeline", "wall s", "CPU s", "M samples/s", "M samples/CPU s", "bursts / jerks", "vs MNE (1 job)"], rows)

    with tempfile.TemporaryDirectory(prefix="bench_analyze_") as tmp:
        tmp_path = Path(tmp)
        hours_short = 0.25 if args.quick else 1.0
        short = write_long_edf(tmp_path / "short.edf", hours_short, sfreq)
        run_child("ours", short, tmp_path / "warm")  # compiled kernels cached before timing
        best = median_of_children(["ours-1", "ours-2", "mne", "mne-2"], short, tmp_path, args.repeats)
        ours = best["ours-2"]
        # the baseline is the faster of MNE's two settings
        mne_res = min((best["mne"], best["mne-2"]), key=lambda r: r.get("seconds", float("inf")))
        rows = []
        for label, res in (("myoclonus.analyze + write, 1 thread", best["ours-1"]),
                           ("myoclonus.analyze + write, 2 threads", ours),
                           ("MNE read + filter + threshold, n_jobs=1", best["mne"]),
                           ("MNE read + filter + threshold, n_jobs=2", best["mne-2"])):
            if "error" in res:
                rows.append([label, "error", res["error"][:60], "", "", ""])
                continue
            speed = f"{mne_res['seconds'] / res['seconds']:.2f}x" if "error" not in mne_res and label.startswith("myo") else ""
            rows.append([label, f"{res['seconds']:.1f}", f"{res['cpu_seconds']:.1f}", f"{res['bursts']} / {res['jerks']}",
                         f"{res['peak_mb']:.0f}", speed])
        _table(f"2. End-to-end (fresh process: import + read + analyse + write), {hours_short:g} h EDF, 16 ch at {sfreq} Hz "
               f"({short.stat().st_size / 1e6:.0f} MB; target >= 3x faster; median of {args.repeats})",
               ["pipeline", "wall s", "CPU s", "bursts / jerks", "peak MB", "speed-up (faster MNE s / our s)"], rows)

        # 3. peak memory vs length, and reading alone
        inputs = [(f"{hours_short:g} h, {sfreq} Hz", short, ours)]
        if args.long:
            long_rate = 2048 if args.full else 500
            long_path = write_long_edf(tmp_path / "long.edf", 24.0, long_rate)
            inputs.append((f"24 h, {long_rate} Hz", long_path, None))
        rows = []
        read_rows = []
        for label, path, known in inputs:
            res = known if known is not None else run_child("ours", path, tmp_path / f"out_{path.stem}")
            size = f"{path.stat().st_size / 1e9:.2f}"
            if "error" in res:
                rows.append([label, size, "error", res["error"][:60]])
            else:
                rows.append([label, size, f"{res['seconds']:.1f}", f"{res['peak_mb']:.0f}"])
            for reader in ("read-mne", "read-edfio"):
                r = run_child(reader, path, tmp_path / "unused")
                read_rows.append([label, reader[5:], f"{r.get('seconds', float('nan')):.1f}", f"{r.get('peak_mb', float('nan')):.0f}"])
        if not args.long:
            rows.append(["24 h", "-", "not run", "use --long"])
        _table("3. Peak memory of a full analyze + write (fresh process; target < 1 GB)",
               ["input", "GB on disk", "seconds", "peak MB"], rows)
        _table("3b. Reading the EDF in 300-s windows (physical values): MNE vs edfio",
               ["input", "reader", "seconds", "peak MB"], read_rows)


if __name__ == "__main__":
    main()
