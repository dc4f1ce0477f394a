"""Brief potentials, fragmentary myoclonus and the AASM EFM rule (CRITERIA 5.2)."""
from __future__ import annotations

import pytest
from sleep_testkit import leg_emg

from myoclonus.signals.sleep.fragmentary import score_fragmentary
from myoclonus.signals.sleep.potentials import Potential, detect_potentials
from myoclonus.signals.sleep.staging import Hypnogram, no_hypnogram

FS = 256.0


def test_brief_potentials_found_with_their_duration():
    x = leg_emg(60.0, FS, [(10.0, 0.1, 60.0), (20.0, 0.1, 60.0), (30.0, 0.4, 60.0), (40.0, 0.1, 12.0)])
    found = detect_potentials(x, FS, channel="EMG L TA", max_duration_s=0.15)
    # 0.4 s activity is too long; a 12 uV RMS potential peaks below 50 uV
    assert [round(p.onset_s) for p in found] == [10, 20]
    for p in found:
        assert 0.08 <= p.duration_s <= 0.15 and p.peak_uv >= 50.0


def _potentials_per_epoch(per_epoch: list[int]) -> list[Potential]:
    out = []
    for i, n in enumerate(per_epoch):
        for k in range(n):
            out.append(Potential(onset_s=i * 30.0 + 1.0 + 9.0 * k, duration_s=0.1, channel="EMG L TA", peak_uv=80.0))
    return out


def _nrem(n_epochs: int) -> Hypnogram:
    return Hypnogram(stages=("N2",) * n_epochs, source="annotations")


@pytest.mark.parametrize("epochs_at_rate, excessive", [(41, True), (40, True), (39, False)])
def test_efm_needs_5_per_min_over_20_min_of_nrem(epochs_at_rate, excessive):
    # 3 potentials per 30-s epoch = 6/min; 40 epochs = 20 min
    counts = [3] * epochs_at_rate + [0] * (60 - epochs_at_rate)
    res = score_fragmentary(_potentials_per_epoch(counts), _nrem(60), [])
    assert res.minutes_nrem == 30.0
    assert res.minutes_nrem_at_rate == epochs_at_rate / 2
    assert res.excessive is excessive


def test_four_per_minute_is_never_excessive():
    res = score_fragmentary(_potentials_per_epoch([2] * 60), _nrem(60), [])
    assert res.per_min == pytest.approx(4.0) and res.excessive is False


def test_potentials_in_movements_and_long_ones_are_not_fragmentary():
    pots = [Potential(10.0, 0.1, "a", 80.0), Potential(40.0, 0.1, "a", 80.0), Potential(70.0, 0.15, "a", 80.0)]
    res = score_fragmentary(pots, _nrem(4), exclude_spans=[(39.0, 42.0)])
    assert [p.onset_s for p in res.potentials] == [10.0]  # 150 ms is not < 150 ms


def test_rate_counts_nrem_only_and_needs_stages():
    hyp = Hypnogram(stages=("W", "N2", "R", "N3"), source="annotations")
    pots = [Potential(t, 0.1, "a", 80.0) for t in (5.0, 35.0, 65.0, 95.0, 96.0)]
    res = score_fragmentary(pots, hyp, [])
    assert res.minutes_nrem == 1.0 and res.per_min == 3.0  # 35 s (N2) + 95, 96 s (N3)
    none = score_fragmentary(pots, no_hypnogram("none"), [])
    assert none.per_min is None and none.excessive is None and len(none.potentials) == 5
