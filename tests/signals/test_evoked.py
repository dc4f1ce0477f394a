"""Stimulus-locked responses: SEP components and giant-SEP rules, C-reflex latency, startle order."""
from __future__ import annotations

import numpy as np
import pandas as pd

from myoclonus.signals.evoked import (
    GIANT_SEP_RULES,
    c_reflex,
    somatosensory_evoked_potential,
    stimulus_responses,
)

SFREQ = 2000.0
NAMES = ["C3", "C4", "Cz", "P3"]


def _gauss(t_ms, mu, sd):
    return np.exp(-0.5 * ((t_ms - mu) / sd) ** 2)


def _sep_recording(p25_scale: float, seed: int = 0, n_stim: int = 60):
    rng = np.random.default_rng(seed)
    n = int(80 * SFREQ)
    eeg = rng.standard_normal((len(NAMES), n)) * 5.0
    stim = np.arange(1.0, 1.0 + n_stim * 1.0, 1.0)
    t = np.arange(0, 80, 1e3 / SFREQ)
    wave = p25_scale * (-2.5 * _gauss(t, 20, 1.8) + 14 * _gauss(t, 25, 2.2) - 13 * _gauss(t, 33, 3.5))
    for s in stim:
        i = int(round(s * SFREQ))
        eeg[0, i : i + wave.size] += wave
    return eeg, stim


def test_giant_sep_measured_and_judged_by_every_rule():
    eeg, stim = _sep_recording(1.0)
    res = somatosensory_evoked_potential(eeg, SFREQ, NAMES, stim)
    assert res.status == "measured" and res.channel == "C3"
    assert abs(res.latencies_ms["N20"] - 20) <= 2 and abs(res.latencies_ms["P25"] - 25) <= 2 and abs(res.latencies_ms["N33"] - 33) <= 3
    assert res.n33_uv > 20 and res.giant is True
    assert {r["id"] for r in res.rules} == {r[0] for r in GIANT_SEP_RULES}
    assert all(r["exceeded"] for r in res.rules)
    assert res.conditions["stimulation_rate_hz"] == 1.0


def test_normal_sep_not_giant_and_borderline_shows_disagreement():
    eeg, stim = _sep_recording(0.15)  # P25-N33 ~ 4.5 uV: normal by every rule
    res = somatosensory_evoked_potential(eeg, SFREQ, NAMES, stim)
    assert res.giant is False and not any(r["exceeded"] for r in res.rules if r["id"].startswith("shibasaki"))
    # a ~9 uV P25-N33: Shibasaki (8.4) says giant, the strict 10 uV rule does not -> not giant, both shown
    eeg, stim = _sep_recording(0.3, seed=1, n_stim=70)
    res = somatosensory_evoked_potential(eeg, SFREQ, NAMES, stim)
    verdicts = {r["id"]: r["exceeded"] for r in res.rules}
    assert verdicts["shibasaki_n33"] and not verdicts["teaching_10uv"]
    assert res.giant is False


def test_sep_not_assessable():
    eeg, stim = _sep_recording(1.0)
    assert somatosensory_evoked_potential(eeg, SFREQ, NAMES, stim[:3]).status == "not_assessable"
    assert "no central" in somatosensory_evoked_potential(eeg[:1], SFREQ, ["O1"], stim).reason


def _reflex_emg(latency_ms: float | None, seed=0):
    rng = np.random.default_rng(seed)
    n = int(40 * SFREQ)
    x = np.abs(rng.standard_normal(n) * 10)
    stim = np.arange(1.0, 39.0, 0.5)
    if latency_ms is not None:
        for s in stim:
            i = int(round((s + latency_ms / 1e3) * SFREQ))
            x[i : i + int(0.02 * SFREQ)] += 60
    return x, stim


def test_c_reflex_cortical_latency():
    x, stim = _reflex_emg(40.0)
    res = c_reflex(x, SFREQ, "R FDI", stim)
    assert res.status == "present" and abs(res.latency_ms - 40.0) <= 2 and res.enhanced


def test_normal_long_latency_reflex_not_enhanced_and_absent():
    x, stim = _reflex_emg(52.0)
    res = c_reflex(x, SFREQ, "R FDI", stim)
    assert res.status == "present" and res.enhanced is False
    x, stim = _reflex_emg(None)
    assert c_reflex(x, SFREQ, "R FDI", stim).status == "absent"


def test_startle_order_strict_and_lenient():
    stim = np.arange(1.0, 21.0, 2.0)
    rows = []
    for s in stim:
        for ch, m, lat in (("EMG R OOC", "OOC", 35), ("EMG R SCM", "SCM", 95), ("EMG R BIC", "BIC", 110)):
            rows.append({"channel": ch, "muscle": m, "onset_s": s + lat / 1e3})
    res = stimulus_responses(stim, pd.DataFrame(rows))
    st = res.startle
    assert res.order[:2] == ["EMG R OOC", "EMG R SCM"]
    assert st["ooc_first"] and st["scm_first_non_blink"]
    # 95 ms: lenient (< 120 ms) met, strict (< 83 ms) not: both shown
    assert st["scm_below_lenient_120ms"] and not st["scm_below_strict_83ms"]
    assert res.n_responded == len(stim)
    assert res.to_dict()["first_latency_median_ms"] == 35.0
