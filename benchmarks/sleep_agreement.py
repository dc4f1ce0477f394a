"""Leg-movement scoring agreement: ours (WASM 2016 and AASM rules) vs psgscoring, on the same
simulated PSGs with known leg movements.

Usage::

    python benchmarks/sleep_agreement.py            # 4 sampling rates x 3 noise levels, 2 h nights (~10 min)
    python benchmarks/sleep_agreement.py --quick    # 2 rates x 2 noise levels, 1 h nights
    python benchmarks/sleep_agreement.py --out benchmarks/results/sleep_agreement.md

Data: ``myoclonus.simulate.psg.simulate_psg`` nights (seeded; seed = case number) with PLM series,
isolated LMs (unilateral and bilateral, 0.8-5 s, 15-50 uV RMS above a 2 uV resting EMG),
respiratory-associated LMs after apnoeas, arousals, hypnic jerks and fragmentary myoclonus
(2/min in NREM), at 200, 256, 512 and 1000 Hz, with extra broadband noise of 0, 2 and 4 uV RMS (--quick: 0 and 4).

Scorers, on the same microvolt arrays, hypnogram and respiratory events:

- ``myoclonus wasm2016`` / ``myoclonus aasm``: ``myoclonus.signals.sleep.score_sleep`` (defaults).
- ``psgscoring`` (PyPI ``psgscoring``, ``psgscoring.plm.analyze_plm``) with its defaults
  (``leg_unit="uV"``, no list cap), and ``psgscoring manual`` with its manual-conforming options
  (``offset_aasm=True``: 2 uV offset rule; ``bilateral_window_s=5.0``: AASM bilateral rule).

Compared set: leg movements in sleep that are not respiratory-associated (psgscoring lists only
these), after bilateral combination; "respiratory-associated" applies each scorer's rule window
(WASM: end - 2 s to end + 10.25 s; AASM: onset - 0.5 s to end + 0.5 s) to the true times. Matching: one-to-one by overlap (any overlap; the IoU >= 0.5
column is stricter). ``seconds``: ours is the whole ``score_sleep`` (reading, LMs, fragmentary myoclonus and hypnic jerks
on 5 EMG channels); psgscoring's is its PLM step on 2 channels. Index error: |PLMS index - truth| per hour of sleep, with the truth index from
the designed PLM series (IMIs 15-45 s: the same series under both rule sets).
"""
from __future__ import annotations

import argparse
import logging
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

from myoclonus.signals.sleep.agreement import match_events
from myoclonus.signals.sleep.rules import rules_for
from myoclonus.signals.sleep.scoring import score_sleep
from myoclonus.simulate.psg import simulate_psg

SLEEP = {"N1", "N2", "N3", "R"}


def truth_set(sim, rules: str) -> tuple[list[tuple[float, float]], float]:
    """True sleep LMs that are not respiratory-associated under ``rules`` (the rule's window applied
    to the true times), and the true PLMS index from the designed series."""
    window = rules_for(rules).respiratory_window
    t = sim.truth_of("limb_movement")
    resp = [any(o <= w1 and o + d >= w0 for w0, w1 in (window(a, b) for a, b in sim.respiratory_events))
            for o, d in zip(t.onset, t.duration)]
    keep = t[t.stage.isin(SLEEP) & ~np.array(resp, dtype=bool)]
    sleep_h = sum(s in SLEEP for s in sim.stages) * 30 / 3600
    index = ((t.plm_series > 0) & t.stage.isin(SLEEP)).sum() / sleep_h
    return list(zip(keep.onset, keep.onset + keep.duration)), index


def run_ours(sim, rules: str):
    t0 = time.perf_counter()
    res = score_sleep(sim.raw.copy(), rules=rules, auto_stage=False)
    dt = time.perf_counter() - t0
    ev = [(m.onset_s, m.offset_s) for m in res.movements if m.stage in SLEEP and not m.respiratory]
    return ev, res.to_dict()["plms_index_per_h"], dt


def run_psgscoring(sim, **options):
    from psgscoring.plm import analyze_plm

    raw = sim.raw
    left = raw.get_data(picks=["EMG L TA"])[0] * 1e6
    right = raw.get_data(picks=["EMG R TA"])[0] * 1e6
    resp = [{"onset_s": a, "duration_s": b - a} for a, b in sim.respiratory_events]
    t0 = time.perf_counter()
    out = analyze_plm(left, right, sim.sfreq, list(sim.stages), resp_events=resp, leg_unit="uV",
                      event_list_cap=None, **options)
    dt = time.perf_counter() - t0
    if not out["success"]:
        raise RuntimeError(out["error"])
    ev = [(e["onset_s"], e["onset_s"] + e["duration_s"]) for e in out["events"]]
    return ev, out["summary"]["plm_index"], dt


SCORERS = {  # name -> (rules its truth set uses, scorer)
    "myoclonus wasm2016": ("wasm2016", lambda sim: run_ours(sim, "wasm2016")),
    "myoclonus aasm": ("aasm", lambda sim: run_ours(sim, "aasm")),
    "psgscoring": ("aasm", lambda sim: run_psgscoring(sim)),
    "psgscoring manual": ("aasm", lambda sim: run_psgscoring(sim, offset_aasm=True, bilateral_window_s=5.0)),
}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="2 rates x 2 noise levels, 1 h nights")
    parser.add_argument("--out", type=Path, help="also write the tables as Markdown here")
    args = parser.parse_args(argv)
    logging.getLogger("psgscoring").setLevel(logging.ERROR)
    rates = (200.0, 1000.0) if args.quick else (200.0, 256.0, 512.0, 1000.0)
    noises = (0.0, 4.0) if args.quick else (0.0, 2.0, 4.0)
    hours = 1.0 if args.quick else 2.0
    rows = []
    case = 0
    for fs in rates:
        for noise in noises:
            case += 1
            sim = simulate_psg(hours * 3600, fs, seed=case, white_noise_uv=noise, fm_per_min=2.0, include_eeg=False)
            for name, (rules, scorer) in SCORERS.items():
                truth, truth_index = truth_set(sim, rules)
                ev, index, dt = scorer(sim)
                a = match_events(ev, truth)
                strict = match_events(ev, truth, min_iou=0.5)
                rows.append({"sfreq_hz": fs, "noise_uv": noise, "scorer": name, "n_truth": len(truth), "n_found": len(ev),
                             "precision": a["precision"], "recall": a["recall"], "f1": a["f1"], "f1_iou50": strict["f1"],
                             "plms_index_truth": truth_index, "plms_index": index,
                             "index_abs_err": abs((index or 0.0) - truth_index), "seconds": dt})
            print(f"case {case}: {fs:g} Hz, noise {noise:g} uV done", file=sys.stderr)
    df = pd.DataFrame(rows)
    pd.set_option("display.width", 200)
    detail = df.round(3).to_string(index=False)
    summary = (df.groupby("scorer", sort=False)
                 .agg(f1_mean=("f1", "mean"), f1_min=("f1", "min"), f1_iou50_mean=("f1_iou50", "mean"),
                      index_abs_err_mean=("index_abs_err", "mean"), index_abs_err_max=("index_abs_err", "max"),
                      seconds_mean=("seconds", "mean"))
                 .round(3))
    print(detail)
    print()
    print(summary.to_string())
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text("# Sleep leg-movement agreement\n\n```\n" + detail + "\n```\n\n```\n" + summary.to_string() + "\n```\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
