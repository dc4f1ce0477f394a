"""Weak ECG under tonic EMG: false bursts, beats found, and chunked vs one-shot agreement.

Run ``python benchmarks/weak_ecg.py`` (about a minute on 2 cores). The recordings are the test
fixtures' trapezius-like channel (``tests/signals/synthetic.py``: an 80-uV ECG, QRS and T wave, at
55-95 beats per minute, under 10 uV of tonic EMG and 3 uV of amplifier noise), so every figure here
can be traced to the generator the tests use:

1. one 30-s channel with no burst, seeds 3-12 at 500, 1000 and 2048 Hz: the false bursts (every
   burst is one) and the R peaks found by the ECG removal against the injected ones;
2. two 90-s channels (the first ECG only, the second with 25 bursts), seeds 3-14 at 500 and 1000 Hz,
   detected one-shot and in 7-s chunks (20-s overlaps): recordings whose bursts, artefacts and
   channel states agree (onsets and durations within float32 rounding, as the tests require).

Decision support research code: synthetic data, not a clinical validation.
"""
from __future__ import annotations

import argparse
import logging
import sys
import warnings
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np

TESTS = Path(__file__).resolve().parent.parent / "tests" / "signals"


def _fixtures():
    sys.path.insert(0, str(TESTS))
    import synthetic
    import test_chunking

    return synthetic, test_chunking


def one_channel(args: tuple[float, int]) -> tuple[float, int, int, int, int]:
    """(rate, seed, false bursts, beats found, beats injected) for one 30-s ECG-only channel."""
    sfreq, seed = args
    warnings.filterwarnings("ignore")
    logging.getLogger("myoclonus").setLevel(logging.ERROR)
    synthetic, _ = _fixtures()
    from myoclonus.signals.bursts import detect_bursts

    injected = {}
    train = synthetic.ecg_train

    def keep_r(*a, **k):
        out = train(*a, **k)
        injected["r"] = out[1]
        return out

    synthetic.ecg_train = keep_r
    try:
        sim = synthetic.make_emg(sfreq=sfreq, seed=seed, duration_s=30, n_bursts=0, ecg_uv=80.0, tonic_uv=10.0)
    finally:
        synthetic.ecg_train = train
    res = detect_bursts(sim.data_uv, sfreq, ["EMG R TRAP"])
    return sfreq, seed, len(res), res.channel_status["EMG R TRAP"].n_ecg_beats, int(injected["r"].size)


def chunk_agreement(args: tuple[float, int]) -> tuple[float, int, bool]:
    """(rate, seed, whether chunked and one-shot detection agree) for two 90-s channels."""
    sfreq, seed = args
    warnings.filterwarnings("ignore")
    logging.getLogger("myoclonus").setLevel(logging.ERROR)
    synthetic, chunking = _fixtures()
    from myoclonus.signals.bursts import detect_bursts

    x = np.vstack([synthetic.make_emg(sfreq=sfreq, seed=s, duration_s=90, n_bursts=n, ecg_uv=80.0, tonic_uv=10.0).data_uv
                   for s, n in ((seed, 0), (seed + 50, 25))])
    names = ["EMG R TRAP", "EMG L TRAP"]
    one = detect_bursts(x, sfreq, names, settings=chunking.ONE_SHOT)
    chk = detect_bursts(x, sfreq, names, settings=chunking.CHUNKED)
    try:
        chunking.assert_same_events(one.events, chk.events)
        chunking.assert_same_events(one.artefacts, chk.artefacts)
        same = one.channel_status == chk.channel_status
    except AssertionError:
        same = False
    return sfreq, seed, same


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    singles = [(fs, seed) for fs in (500.0, 1000.0, 2048.0) for seed in range(3, 13)]
    pairs = [(fs, seed) for fs in (500.0, 1000.0) for seed in range(3, 15)]
    with ProcessPoolExecutor(args.workers) as ex:
        found = list(ex.map(one_channel, singles))
        agree = list(ex.map(chunk_agreement, pairs))
    print("1. One 30-s ECG-only channel (80-uV ECG under 10 uV of tonic EMG), 10 seeds per rate\n")
    print("| sampling rate | false bursts | R peaks found / injected |")
    print("|---|---|---|")
    for fs in (500.0, 1000.0, 2048.0):
        rows = [r for r in found if r[0] == fs]
        print(f"| {fs:g} Hz | {sum(r[2] for r in rows)} | {sum(r[3] for r in rows)} / {sum(r[4] for r in rows)} |")
    print("\n2. Two 90-s channels, one-shot vs 7-s chunks, 12 seeds per rate\n")
    print("| sampling rate | recordings that agree |")
    print("|---|---|")
    for fs in (500.0, 1000.0):
        rows = [r for r in agree if r[0] == fs]
        print(f"| {fs:g} Hz | {sum(r[2] for r in rows)} of {len(rows)} |")


if __name__ == "__main__":
    main()
