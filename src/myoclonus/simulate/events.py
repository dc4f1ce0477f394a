"""Planning the events of a recording: jerk times and plans -> truth bursts and jerks, stimuli, silent periods.

Everything here is timing only; the signals are made in ``emg.py`` / ``eeg.py``.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from myoclonus.simulate.recipes import JerkPlan, Param, Recipe
from myoclonus.simulate.truth import TruthBurst, TruthJerk, TruthStimulus

__all__ = ["STIMULUS_CODES", "PlannedJerk", "place_stimuli", "materialise_jerks", "place_silences",
           "SILENT_MS", "SILENT_RATE_HZ", "SILENT_CLEARANCE_S", "STIM_CLEARANCE_S"]

#: Value written on the STIM channel for each stimulus kind.
STIMULUS_CODES = {"median_nerve": 1, "auditory": 2, "facial_nerve": 3}
SILENT_MS = Param((60.0, 280.0), "ms", "EPM1 silent periods 50-300 ms; a detector accepted 70-230 ms (CRITERIA 1.6)")
SILENT_RATE_HZ = Param(0.3, "1/s", "engineering choice")
SILENT_CLEARANCE_S = Param(0.4, "s", "no burst within this time of a silent period, so none is preceded by a burst (Rubboli 2006: none within ~50 ms; CRITERIA 1.6)")
STIM_CLEARANCE_S = Param(0.8, "s", "engineering choice: stimuli placed this far from spontaneous jerks so reflex responses are unambiguous")
BURST_GAP_S = 0.03  # bursts of different jerks on one channel stay >= 30 ms apart (engineering choice)


@dataclass
class PlannedJerk:
    """A jerk to place: generator discharge (or stimulus) time, its plan, what triggered it."""

    time_s: float  # generator discharge (or stimulus) time
    plan: JerkPlan
    trigger: str
    stimulus: int | None = None


def place_stimuli(recipe: Recipe, rng: np.random.Generator, duration_s: float, jerk_times: list[float]) -> list[TruthStimulus]:
    """The recipe's stimuli at random times, clear of spontaneous jerks (and of BP windows) and >= 1 s apart."""
    if recipe.stimulus_kind is None:
        return []
    n = int(round(float(recipe.stimuli_per_min.value) * duration_s / 60.0))  # type: ignore[arg-type]
    clear = float(STIM_CLEARANCE_S.value)  # type: ignore[arg-type]
    jt = np.asarray(jerk_times)
    # a jerk's BP (functional) starts up to 2 s before it: keep stimuli out of that window too
    before = 2.2 if recipe.origin == "functional" else clear
    times: list[float] = []
    for _ in range(n * 50):
        if len(times) >= n:
            break
        c = float(rng.uniform(0.5, duration_s - 1.0))
        if jt.size and np.any((c > jt - before) & (c < jt + clear)):
            continue
        if any(abs(c - x) < 1.0 for x in times):
            continue
        times.append(round(c, 4))
    times.sort()
    code = STIMULUS_CODES[recipe.stimulus_kind]
    side = "midline" if recipe.stimulus_kind == "auditory" else "right"
    return [TruthStimulus(index=i, onset_s=x, kind=recipe.stimulus_kind, side=side, code=code) for i, x in enumerate(times)]  # type: ignore[arg-type]


def materialise_jerks(jerks: list[PlannedJerk], sfreq_hz: float, duration_s: float):
    """Turn plans into truth bursts and jerks; skip a jerk that would collide with an earlier one."""
    occupied: dict[str, list[tuple[float, float]]] = {}
    bursts: list[tuple[TruthBurst, float]] = []
    truth_jerks: list[TruthJerk] = []
    kept: list[tuple[int, PlannedJerk]] = []
    for j in sorted(jerks, key=lambda j: j.time_s):
        planned = []
        for b in j.plan.bursts:
            on = j.time_s + b.latency_ms * 1e-3
            on = math.ceil(on * sfreq_hz - 1e-9) / sfreq_hz
            off = on + (max(int(round(b.duration_ms * 1e-3 * sfreq_hz)), 2) - 1) / sfreq_hz
            planned.append((b, on, off))
        if not planned or min(p[1] for p in planned) < 0.05 or max(p[2] for p in planned) > duration_s - 0.05:
            continue
        if any(on - BURST_GAP_S < o1 and off + BURST_GAP_S > o0 for b, on, off in planned for o0, o1 in occupied.get(b.channel, [])):
            continue
        idx = len(truth_jerks)
        for b, on, off in planned:
            occupied.setdefault(b.channel, []).append((on, off))
        planned.sort(key=lambda p: (p[1], p[0].channel))
        first: dict[str, float] = {}
        for b, on, _off in planned:
            first.setdefault(b.channel, on)
        j0 = planned[0][1]
        truth_jerks.append(TruthJerk(
            index=idx, onset_s=round(j0, 6), offset_s=round(max(p[2] for p in planned), 6), channels=list(first),
            latencies_ms=[round((v - j0) * 1e3, 4) for v in first.values()], trigger=j.trigger, stimulus=j.stimulus,  # type: ignore[arg-type]
            side=j.plan.side,  # type: ignore[arg-type]
        ))
        bursts += [(TruthBurst(channel=b.channel, onset_s=on, offset_s=off, rms_uv=0.0, jerk=idx), b.gain) for b, on, off in planned]
        kept.append((idx, j))
    return bursts, truth_jerks, kept


def place_silences(rng: np.random.Generator, duration_s: float, bursts: list[tuple[TruthBurst, float]]) -> list[tuple[float, float]]:
    """Silent-period intervals (s), synchronous across the posture muscles, clear of every burst."""
    clear = float(SILENT_CLEARANCE_S.value)  # type: ignore[arg-type]
    n = max(1, int(round(float(SILENT_RATE_HZ.value) * duration_s)))  # type: ignore[arg-type]
    spans = [(b.onset_s, b.offset_s) for b, _ in bursts]
    out: list[tuple[float, float]] = []
    for _ in range(n * 50):
        if len(out) >= n:
            break
        d = SILENT_MS.uniform(rng) * 1e-3
        a = float(rng.uniform(1.0, duration_s - 1.0 - d))
        b = a + d
        if any(a - clear < o1 and b + clear > o0 for o0, o1 in spans):
            continue
        if any(a - 0.6 < y and b + 0.6 > x for x, y in out):
            continue
        out.append((a, b))
    return sorted(out)
