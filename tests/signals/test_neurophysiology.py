"""Neurophysiology on simulated recordings: JLBA, BP, coherence, SEP, C-reflex, origin, findings."""
from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from myoclonus.signals.neurophysiology import choose_trigger_channel, run_neurophysiology
from myoclonus.signals.recording import read_recording
from myoclonus.simulate import simulate


def _truth_bursts(sim, rec) -> pd.DataFrame:
    info = {c.name: c for c in rec.channels}
    return pd.DataFrame([{"channel": b.channel, "muscle": info[b.channel].muscle, "onset_s": b.onset_s,
                          "offset_s": b.offset_s, "duration_ms": b.duration_ms} for b in sim.truth.bursts])


def _run(origin: str, seed: int, minutes: float = 2.0, sfreq_hz: float = 1000.0):
    sim = simulate(origin, minutes=minutes, seed=seed, sfreq_hz=sfreq_hz)
    rec = read_recording(sim.raw)
    jerks = np.array([j.onset_s for j in sim.truth.jerks])
    return sim, run_neurophysiology(rec, bursts=_truth_bursts(sim, rec), jerks=jerks)


@pytest.fixture(scope="module")
def cortical():
    return _run("cortical", seed=21)


def test_cortical_jlba_finds_premyoclonic_potential(cortical):
    _, res = cortical
    jl = res.jlba
    assert jl.found, jl.reason
    assert jl.n_epochs >= 50
    assert jl.trigger.startswith("R FDI")
    assert jl.topography == "contralateral central"
    assert jl.peak_channel in {"C3", "FC3"}
    assert abs(jl.components["positive_peak"]["latency_ms"] + 20) <= 4  # ~20 ms before EMG onset


def test_cortical_beta_coherence_and_stimulus_tests(cortical):
    _, res = cortical
    assert res.coherence.significant and 12 <= res.coherence.peak_hz <= 30
    assert res.sep.giant is True
    enhanced = [r for r in res.c_reflex if r.status == "present" and r.enhanced]
    assert enhanced and abs(enhanced[0].latency_ms - 40) <= 6


def test_cortical_findings_sections_and_origin(cortical):
    _, res = cortical
    f = res.to_findings()
    json.dumps(f)
    assert set(f) == {"neurophysiology", "origin", "origin_criteria"}
    assert f["origin"][0]["label"] == "cortical"
    assert any("Jerk-locked" in s for s in f["origin"][0]["for"])
    assert f["neurophysiology"]["jlba"]["status"] == "found"
    assert res.bp is None or not res.bp.found


def test_functional_bp_found_and_no_jlba():
    _, res = _run("functional", seed=22, minutes=5.0, sfreq_hz=500.0)  # ~70 clean jerks
    assert res.bp.found, res.bp.reason
    assert -2.1 <= res.bp.onset_s <= -0.2
    assert res.jlba is None or not res.jlba.found
    assert res.origin.top == "functional"


def test_cortical_subcortical_generalized_and_not_bp():
    _, res = _run("cortical_subcortical", seed=23, minutes=3.0)
    assert res.origin.top == "cortical_subcortical"
    assert res.bp is None or not res.bp.found


def test_no_eeg_is_not_assessable_with_reason():
    sim = simulate("peripheral", minutes=0.5, seed=24, sfreq_hz=1000.0)
    raw = sim.raw.copy().pick([c for c in sim.raw.ch_names if c.startswith("EMG")])
    rec = read_recording(raw)
    res = run_neurophysiology(rec, bursts=_truth_bursts(sim, rec))
    assert res.jlba.status == "not_assessable" and "no EEG" in res.jlba.reason
    assert res.coherence is None and "no EEG" in res.coherence_reason
    assert res.origin.top == "peripheral"


def test_trigger_channel_prefers_hand_muscles():
    from myoclonus.signals.channels import ChannelInfo

    chans = {"a": ChannelInfo("a", "emg", "BIC", "right"), "b": ChannelInfo("b", "emg", "FDI", "right")}
    b = pd.DataFrame({"channel": ["a"] * 80 + ["b"] * 60, "onset_s": np.arange(140.0)})
    assert choose_trigger_channel(b, chans, 50) == "b"
    assert choose_trigger_channel(b, chans, 70) == "a"
    assert choose_trigger_channel(b, chans, 100) is None


def test_end_to_end_with_detectors_cortical():
    """Through the real burst detector and jerk grouping (default confounders)."""
    from myoclonus.signals.bursts import detect_bursts
    from myoclonus.signals.jerks import group_jerks

    sim = simulate("cortical", minutes=2.0, seed=25, sfreq_hz=1000.0)
    rec = read_recording(sim.raw)
    bursts = detect_bursts(rec)
    res = run_neurophysiology(rec, bursts=bursts, jerks=group_jerks(bursts, rec.channels))
    assert res.origin.top == "cortical"


def test_plots_render(cortical):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    _, res = cortical
    for obj in (res.jlba, res.coherence):
        fig = obj.plot()
        assert fig.axes and fig.axes[0].lines
        plt.close(fig)


def test_negative_myoclonus_counted_once_per_lapse():
    """Silent periods (CRITERIA 1.6) enter the origin; a lapse seen on several muscles is one trigger."""
    sim = simulate("cortical", minutes=1.0, seed=27, sfreq_hz=1000.0, negative=True)
    rec = read_recording(sim.raw)
    silent = pd.DataFrame([{"channel": s.channel, "onset_s": s.onset_s, "duration_ms": s.duration_ms} for s in sim.truth.silent_periods])
    n_lapses = len({round(s.onset_s, 3) for s in sim.truth.silent_periods})
    assert len(silent) > n_lapses  # the same lapse on several posture muscles
    res = run_neurophysiology(rec, bursts=_truth_bursts(sim, rec), jerks=np.array([j.onset_s for j in sim.truth.jerks]), silent=silent)
    crit = {c.id: c for c in res.origin.criteria}
    assert crit["negative_myoclonus"].status == "met"
    assert res.silent_jlba is not None and res.silent_jlba.n_triggers <= n_lapses
