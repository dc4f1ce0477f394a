"""``simulate(..., ecg_lead=True)``: a dedicated ECG lead carrying the trunk channels' heartbeats."""
from __future__ import annotations

import numpy as np

from myoclonus.signals.ecg_lead import find_r_peaks
from myoclonus.simulate import Confounders, simulate


def test_the_ecg_lead_is_off_by_default_and_changes_no_other_channel():
    plain = simulate("peripheral", minutes=0.25, seed=31, sfreq_hz=1000.0)
    led = simulate("peripheral", minutes=0.25, seed=31, sfreq_hz=1000.0, ecg_lead=True)
    assert "ECG" not in plain.raw.ch_names
    assert led.raw.get_channel_types(picks=["ECG"]) == ["ecg"]
    assert [c.kind for c in led.channels if c.name == "ECG"] == ["ecg"]
    np.testing.assert_array_equal(plain.raw.get_data(picks=plain.raw.ch_names), led.raw.get_data(picks=plain.raw.ch_names))
    assert plain.truth == led.truth
    # the lead carries the beats the trunk channels carry
    r = np.round(np.asarray(led.truth.ecg_r_peaks_s) * 1000.0).astype(int)
    found = find_r_peaks(led.raw.get_data(picks=["ECG"])[0] * 1e6, 1000.0)
    assert found.size == r.size and np.max(np.abs(found - r)) <= 5


def test_without_ecg_on_the_trunk_the_lead_draws_its_own_beats():
    sim = simulate("peripheral", minutes=0.25, seed=3, sfreq_hz=1000.0, confounders=Confounders(ecg=False), ecg_lead=True)
    assert sim.truth.ecg_channels == [] and len(sim.truth.ecg_r_peaks_s) >= 10
    found = find_r_peaks(sim.raw.get_data(picks=["ECG"])[0] * 1e6, 1000.0)
    assert found.size == len(sim.truth.ecg_r_peaks_s)
