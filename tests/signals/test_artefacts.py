"""Artefact handling: ECG, movement, pops, clipping, flat channels, mains detection."""
from __future__ import annotations

import numpy as np
import pytest

from myoclonus.settings import AnalysisSettings
from myoclonus.signals.bursts import detect_bursts
from myoclonus.signals.conditioning import detect_mains

from synthetic import ecg_train, make_emg

RATES = (500.0, 1000.0, 2048.0, 5000.0)


@pytest.mark.parametrize("sfreq", RATES)
@pytest.mark.parametrize("ecg_uv", [150.0, 1000.0])
def test_ecg_only_channel_gives_no_bursts(sfreq, ecg_uv):
    sim = make_emg(sfreq=sfreq, seed=3, duration_s=30, n_bursts=0, ecg_uv=ecg_uv, tonic_uv=5.0)
    res = detect_bursts(sim.data_uv, sfreq, ["EMG PSP T8"])
    assert len(res) == 0, res.events
    status = res.channel_status["EMG PSP T8"]
    assert status.ecg_detected and status.n_ecg_beats >= 15
    assert (res.artefacts["kind"] == "ecg").sum() == status.n_ecg_beats


@pytest.mark.parametrize("sfreq", RATES)
@pytest.mark.parametrize(
    ("kind", "kwargs"),
    [("movement", dict(movement=6)), ("pop", dict(pops=6)), ("mixed", dict(ecg_uv=200.0, mains_hz=50.0, movement=3, pops=3))],
)
def test_artefact_only_channel_gives_no_bursts(sfreq, kind, kwargs):
    sim = make_emg(sfreq=sfreq, seed=3, duration_s=30, n_bursts=0, **kwargs)
    res = detect_bursts(sim.data_uv, sfreq, ["X"])
    assert len(res) == 0, res.events
    if kind != "mixed":
        assert (res.artefacts["kind"] == kind).sum() >= 3


def test_clipping_is_flagged_and_has_no_bursts():
    sim = make_emg(sfreq=2048.0, seed=3, duration_s=20, n_bursts=10, snr=(20, 40), clip_at_uv=80.0)
    res = detect_bursts(sim.data_uv, 2048.0, ["X"])
    sat = res.artefacts[res.artefacts["kind"] == "saturation"]
    assert len(sat) > 0
    assert res.channel_status["X"].saturated_fraction > 0
    for _, b in res.events.iterrows():
        assert not ((sat["onset_s"] < b["offset_s"]) & (sat["offset_s"] > b["onset_s"])).any()


def test_flat_channel_is_reported():
    x = np.vstack([np.zeros(20000), make_emg(sfreq=2000.0, seed=1, duration_s=10, n_bursts=5).data_uv])
    res = detect_bursts(x, 2000.0, ["EMG L TA", "EMG R TA"])
    assert res.channel_status["EMG L TA"].state == "flat"
    assert res.channel_status["EMG R TA"].state == "ok"
    assert len(res.events[res.events["channel"] == "EMG L TA"]) == 0


@pytest.mark.parametrize("mains_hz", [50.0, 60.0])
@pytest.mark.parametrize("sfreq", [500.0, 2048.0])
def test_mains_frequency_is_found_not_assumed(mains_hz, sfreq):
    sim = make_emg(sfreq=sfreq, seed=2, duration_s=20, n_bursts=10, mains_hz=mains_hz)
    report = detect_mains(sim.data_uv[None], sfreq, ["X"], AnalysisSettings().conditioning)
    assert report.mains_hz == mains_hz
    assert report.harmonics_hz["X"][0] == mains_hz
    res = detect_bursts(sim.data_uv, sfreq, ["X"])
    assert res.mains_hz == mains_hz and res.channel_status["X"].mains_hz == mains_hz


def test_no_mains_reported_on_clean_signal():
    sim = make_emg(sfreq=1000.0, seed=2, duration_s=20, n_bursts=10)
    assert detect_bursts(sim.data_uv, 1000.0, ["X"]).mains_hz is None


def test_ecg_train_helper_is_periodic():
    rng = np.random.default_rng(0)
    _, r = ecg_train(rng, 60_000, 1000.0, 100.0, hr_bpm=60.0)
    assert 0.9 < np.median(np.diff(r)) / 1000.0 < 1.1
