"""group_jerks: grouping across muscles, recruitment order, latencies, agonist-antagonist pattern."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from myoclonus.errors import InputError
from myoclonus.settings import AnalysisSettings, JerkSettings
from myoclonus.signals.bursts import BURST_COLUMNS, BurstResults, detect_bursts
from myoclonus.signals.channels import ChannelInfo
from myoclonus.signals.jerks import group_jerks
from myoclonus.signals.results import ChannelStatus

from synthetic import make_polymyography


def _bursts(rows, channels):
    """BurstResults built by hand: rows of (channel, onset_s, offset_s)."""
    info = {c.name: c for c in channels}
    recs = [(ch, info[ch].muscle, info[ch].side, on, off, (off - on) * 1000, 100.0, 1.0, on) for ch, on, off in rows]
    ev = pd.DataFrame(recs, columns=BURST_COLUMNS).sort_values("onset_s").reset_index(drop=True)
    return BurstResults(events=ev, sfreq=1000.0, channel_status={c.name: ChannelStatus(c.name) for c in channels})


ARM = [ChannelInfo("EMG R BIC", "emg", "BIC", "right"), ChannelInfo("EMG R TRI", "emg", "TRI", "right"),
       ChannelInfo("EMG R FDI", "emg", "FDI", "right")]


def test_recruitment_order_and_latencies_from_signal():
    data, names, jerk_on, truth = make_polymyography(seed=2, n_jerks=25)
    chans = [ChannelInfo(n, "emg", n.split()[-1], "right") for n in names]
    jerks = group_jerks(detect_bursts(data, 2048.0, names), chans)
    score = jerks.compare_detection(jerk_on)
    assert score["f1"] == 1.0, score
    assert score["median_onset_error_ms"] <= 3.0
    rec = jerks.recruitment
    assert rec["modal_order"] == ["R SCM", "R DEL", "R BIC", "R FDI"]
    assert rec["order"] == "consistent"
    assert rec["leader_counts"] == {"R SCM": 25}
    # simulated latencies 0, 8, 12, 20 ms (1 ms jitter)
    for label, expected in zip(rec["modal_order"], (0.0, 8.0, 12.0, 20.0)):
        assert abs(rec["median_latency_ms"][label] - expected) <= 2.0
    assert (jerks.events["n_muscles"] == 4).all()
    assert np.allclose(jerks.events["spread_ms"], 20.0, atol=4.0)


def test_variable_order_is_reported():
    rows = []
    rng = np.random.default_rng(0)
    for k in range(20):
        t = 1.0 + k
        order = rng.permutation(3)
        for rank, i in enumerate(order):
            rows.append((ARM[i].name, t + 0.02 * rank, t + 0.02 * rank + 0.08))
    jerks = group_jerks(_bursts(rows, ARM), ARM)
    assert len(jerks) == 20
    assert jerks.recruitment["order"] == "variable"


def test_window_splits_far_bursts():
    rows = [("EMG R BIC", 1.0, 1.05), ("EMG R FDI", 1.1, 1.15), ("EMG R TRI", 1.3, 1.35)]
    jerks = group_jerks(_bursts(rows, ARM), ARM, settings=AnalysisSettings(jerks=JerkSettings(max_spread_ms=150)))
    assert list(jerks.events["n_muscles"]) == [2, 1]
    assert jerks.events.loc[0, "muscles"] == "R BIC,R FDI"
    assert jerks.events.loc[0, "latencies_ms"] == {"R BIC": 0.0, "R FDI": 100.0}


def test_repeated_burst_of_one_muscle_does_not_add_a_muscle():
    rows = [("EMG R FDI", 1.0, 1.02), ("EMG R FDI", 1.04, 1.06), ("EMG R BIC", 1.01, 1.03)]
    jerks = group_jerks(_bursts(rows, ARM), ARM)
    assert len(jerks) == 1 and jerks.events.loc[0, "n_muscles"] == 2
    assert jerks.events.loc[0, "offset_s"] == pytest.approx(1.06)


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        ([("EMG R BIC", 1.0, 1.05), ("EMG R TRI", 1.002, 1.048)], "co_contraction"),
        ([("EMG R BIC", 1.0, 1.07), ("EMG R TRI", 1.08, 1.15)], "alternating"),
        ([("EMG R BIC", 1.0, 1.07), ("EMG R TRI", 1.08, 1.15), ("EMG R BIC", 1.16, 1.22)], "triphasic"),
        ([("EMG R BIC", 1.0, 1.07)], "single"),
    ],
)
def test_agonist_antagonist_pattern(rows, expected):
    jerks = group_jerks(_bursts(rows, ARM), ARM)
    assert jerks.events.loc[0, "pattern"] == {"R BIC/TRI": expected}
    assert jerks.patterns == {"R BIC/TRI": {expected: 1}}


def test_empty_and_bad_input():
    empty = group_jerks(_bursts([], ARM), ARM)
    assert len(empty) == 0 and empty.recruitment["order"] == "n/a"
    with pytest.raises(InputError, match="BurstResults"):
        group_jerks([1, 2, 3], ARM)


def test_jerk_annotations_list_all_channels():
    rows = [("EMG R BIC", 1.0, 1.05), ("EMG R FDI", 1.01, 1.05)]
    ann = group_jerks(_bursts(rows, ARM), ARM).to_annotations()
    assert list(ann.description) == ["myoclonus/jerk"]
    assert ann.ch_names[0] == ("EMG R BIC", "EMG R FDI")


def test_near_simultaneous_muscles_do_not_make_the_order_variable():
    """ECR and FCR fire together (co-contraction) and swap order by chance; BIC leads by 10 ms."""
    rng = np.random.default_rng(3)
    rows = []
    chans = ARM + [ChannelInfo("EMG R ECR", "emg", "ECR", "right"), ChannelInfo("EMG R FCR", "emg", "FCR", "right")]
    for k in range(20):
        t = 1.0 + k
        rows.append(("EMG R BIC", t, t + 0.03))
        for ch in ("EMG R ECR", "EMG R FCR"):
            on = t + 0.010 + rng.normal(0, 0.0005)
            rows.append((ch, on, on + 0.03))
    rec = group_jerks(_bursts(rows, chans), chans).recruitment
    assert rec["order"] == "consistent" and rec["order_concordance"] == 1.0
    assert rec["typical_order"][0] == "R BIC"
    assert rec["modal_order_fraction"] < 0.8  # the exact full order does vary


def test_subcortical_simulation_starts_in_scm():
    """Reticular reflex myoclonus: SCM (accessory nucleus) fires first (CRITERIA 1.1)."""
    simulate = pytest.importorskip("myoclonus.simulate").simulate
    sim = simulate("subcortical", minutes=0.5, seed=3, sfreq_hz=2048.0)
    jerks = group_jerks(detect_bursts(sim.raw))
    rec = jerks.recruitment
    assert rec["order"] == "consistent"
    assert rec["typical_order"][0].endswith("SCM")
    score = jerks.compare_detection([j.onset_s for j in sim.truth.jerks])
    assert score["recall"] >= 0.95 and score["median_onset_error_ms"] <= 3.0, score
