"""PLM series, respiratory and arousal association, indices and periodicity on hand-built
movement sequences (CRITERIA 5.1)."""
from __future__ import annotations

from dataclasses import replace

import pytest
from sleep_testkit import lm, train

from myoclonus.signals.sleep import rules as R
from myoclonus.signals.sleep.plm import (find_plm_series, flag_arousal, flag_respiratory, periodicity_index,
                                         plm_indices)


def series_numbers(moves, rules):
    tagged, series = find_plm_series(moves, rules)
    return [m.plm_series for m in tagged], series


@pytest.mark.parametrize("rules", [R.WASM2016, R.AASM])
def test_four_movements_make_a_series_three_do_not(rules):
    nums, series = series_numbers(train([0, 20, 40, 60]), rules)
    assert nums == [1, 1, 1, 1] and series[0].n_movements == 4
    nums, series = series_numbers(train([0, 20, 40]), rules)
    assert nums == [None] * 3 and series == []


@pytest.mark.parametrize("rules, imi, inside", [
    (R.WASM2016, 10.0, True), (R.WASM2016, 9.9, False),
    (R.AASM, 5.0, True), (R.AASM, 4.9, False),
    (R.AASM, 7.0, True), (R.WASM2016, 7.0, False),
    (R.WASM2016, 90.0, True), (R.WASM2016, 90.1, False),
    (R.AASM, 90.0, True), (R.AASM, 90.1, False),
])
def test_imi_boundaries(rules, imi, inside):
    onsets = [k * imi for k in range(5)]
    moves = train(onsets, duration=0.6)
    nums, _ = series_numbers(moves, rules)
    assert (nums == [1] * 5) if inside else (nums == [None] * 5)


def test_short_imi_breaks_the_series_into_two():
    # 4 LMs at 20 s, one 6 s later (breaks under WASM, joins under AASM), 4 more at 20 s
    onsets = [0, 20, 40, 60, 66, 86, 106, 126]
    wasm, s_wasm = series_numbers(train(onsets), R.WASM2016)
    aasm, s_aasm = series_numbers(train(onsets), R.AASM)
    assert wasm == [1, 1, 1, 1, 2, 2, 2, 2] and len(s_wasm) == 2
    assert aasm == [1] * 8 and len(s_aasm) == 1


def test_wasm_non_candidate_ends_the_series():
    moves = train([0, 20, 40, 60, 80, 100, 120, 140])
    moves[3] = replace(moves[3], duration_s=12.0, candidate=False)  # monolateral LM > 10 s
    nums, series = series_numbers(moves, R.WASM2016)
    assert nums == [None, None, None, None, 1, 1, 1, 1] and len(series) == 1


def test_aasm_respiratory_movement_is_skipped_wasm_breaks():
    moves = train([0, 20, 40, 60, 80, 100, 120])
    moves[3] = replace(moves[3], respiratory=True)
    aasm, _ = series_numbers(moves, R.AASM)
    wasm, _ = series_numbers(moves, R.WASM2016)
    assert aasm == [1, 1, 1, None, 1, 1, 1]  # skipped: 40 -> 80 s is one 40 s interval
    assert wasm == [None] * 7


@pytest.mark.parametrize("rules, onset, duration, expected", [
    (R.AASM, 120.4, 1.0, True), (R.AASM, 120.6, 1.0, False),  # 0.5 s after the end
    (R.AASM, 98.0, 1.6, True), (R.AASM, 98.0, 1.4, False),  # 0.5 s before the onset
    (R.AASM, 110.0, 1.0, True),  # during the event
    (R.WASM2016, 130.2, 1.0, True), (R.WASM2016, 130.3, 1.0, False),  # end + 10.25 s
    (R.WASM2016, 117.0, 1.1, True), (R.WASM2016, 117.0, 0.9, False),  # end - 2 s
    (R.WASM2016, 110.0, 1.0, False),  # WASM window starts 2 s before the END
])
def test_respiratory_windows(rules, onset, duration, expected):
    (m,) = flag_respiratory([lm(onset, duration)], [(100.0, 120.0)], rules)
    assert m.respiratory is expected


def test_without_respiratory_annotations_the_flag_is_unknown():
    (m,) = flag_respiratory([lm(10.0)], None, R.AASM)
    assert m.respiratory is None


@pytest.mark.parametrize("onset, duration, expected", [
    (55.4, 0.6, True), (55.6, 0.6, False), (48.0, 1.6, True), (48.0, 1.4, False), (52.0, 1.0, True)])
def test_arousal_overlap_or_under_half_a_second(onset, duration, expected):
    (m,) = flag_arousal([lm(onset, duration)], [(50.0, 55.0)])
    assert m.arousal is expected


def test_periodicity_index():
    assert periodicity_index([20.0 * k for k in range(10)]) == 1.0
    # IMIs 20, 20, 5, 20, 20, 20: only the last run has >= 3 periodic intervals -> 3 / 6
    assert periodicity_index([0, 20, 40, 45, 65, 85, 105]) == pytest.approx(0.5)
    assert periodicity_index([0, 100, 200]) == 0.0
    assert periodicity_index([5.0]) is None


def test_indices_per_hour_and_cutoffs():
    moves = [replace(m, stage="N2") for m in train([20.0 * k for k in range(10)])]
    moves += [replace(m, stage="W") for m in train([1000 + 20.0 * k for k in range(4)])]
    tagged, _ = find_plm_series(moves, R.WASM2016)
    ix = plm_indices(tagged, sleep_h=0.5, wake_h=0.25)
    assert ix.plms_count == 10 and ix.plms_index_per_h == pytest.approx(20.0)
    assert ix.plmw_count == 4 and ix.plmw_index_per_h == pytest.approx(16.0)
    assert ix.exceeds_adult_cutoff and ix.exceeds_child_cutoff
    low = plm_indices(tagged, sleep_h=1.0, wake_h=None)
    assert low.plms_index_per_h == 10.0 and not low.exceeds_adult_cutoff and low.exceeds_child_cutoff
    assert low.plmw_index_per_h is None
