"""The simulated PSG (myoclonus.simulate.psg): seeded, the same signal at every sampling rate."""
from __future__ import annotations

import numpy as np

from myoclonus.simulate.psg import simulate_psg


def test_same_seed_same_recording_and_truth():
    a = simulate_psg(450.0, 200.0, seed=4, include_eeg=False)
    b = simulate_psg(450.0, 200.0, seed=4, include_eeg=False)
    assert a.truth.equals(b.truth)
    assert np.array_equal(a.raw.get_data(), b.raw.get_data())
    c = simulate_psg(450.0, 200.0, seed=5, include_eeg=False)
    assert not a.truth.equals(c.truth)


def test_same_continuous_signal_at_every_rate():
    low = simulate_psg(450.0, 200.0, seed=4, include_eeg=False)
    high = simulate_psg(450.0, 1000.0, seed=4, include_eeg=False)
    assert low.truth.equals(high.truth)
    # every 5th sample at 1000 Hz is the 200 Hz sample at the same time (no white noise added)
    np.testing.assert_allclose(high.raw.get_data()[:, ::5], low.raw.get_data(), atol=1e-12)


def test_designed_plm_series_follow_both_rule_sets():
    sim = simulate_psg(2400.0, 200.0, seed=9, include_eeg=False)
    lms = sim.truth_of("limb_movement")
    for _, series in lms[lms.plm_series > 0].groupby("plm_series"):
        imi = np.diff(series.onset.to_numpy())
        assert len(series) >= 4 and imi.min() >= 10.0 and imi.max() <= 90.0
    assert (lms.duration <= 10.0).all() and (lms.duration >= 0.5).all()
    stages = sim.raw.annotations.description
    assert sum(d.startswith("Sleep stage") for d in stages) == len(sim.stages)
