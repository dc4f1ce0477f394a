"""Leg-movement detection per WASM 2016 / AASM on hand-built tibialis signals (CRITERIA 5.1)."""
from __future__ import annotations

import numpy as np
import pytest
from sleep_testkit import leg_emg, lm

from myoclonus.errors import InputError
from myoclonus.signals.sleep import rules as R
from myoclonus.signals.sleep.limb_movements import combine_bilateral, detect_leg_movements_channel

FS = 256.0


def detect(bursts, rules=R.WASM2016, duration_s=120.0, **kw):
    x = leg_emg(duration_s, FS, bursts, **kw)
    return detect_leg_movements_channel(x, FS, channel="EMG L TA", side="left", rules=rules)


def test_onset_and_offset_match_the_burst():
    moves, _, _ = detect([(30.0, 2.0, 30.0), (70.0, 4.0, 15.0)])
    assert len(moves) == 2
    for m, (onset, dur) in zip(moves, [(30.0, 2.0), (70.0, 4.0)]):
        assert abs(m.onset_s - onset) < 0.06
        assert abs(m.duration_s - dur) < 0.12


@pytest.mark.parametrize("dur, expected", [(0.35, 0), (0.7, 1)])
def test_minimum_duration_half_a_second(dur, expected):
    assert len(detect([(40.0, dur, 30.0)])[0]) == expected


@pytest.mark.parametrize("amp, expected", [(5.0, 0), (14.0, 1)])
def test_onset_needs_8_uv_above_rest(amp, expected):
    # envelope of rest (2 uV) + burst: sqrt(4 + 25) - 2 = 3.4 uV (< 8); sqrt(4 + 196) - 2 = 12.1 uV
    assert len(detect([(40.0, 2.0, amp)])[0]) == expected


def test_offset_needs_half_a_second_of_quiet():
    joined, _, _ = detect([(40.0, 1.0, 30.0), (41.25, 1.0, 30.0)])  # 0.25 s quiet: one movement
    split, _, _ = detect([(40.0, 1.0, 30.0), (41.9, 1.0, 30.0)])  # 0.9 s quiet: two movements
    assert len(joined) == 1 and abs(joined[0].duration_s - 2.25) < 0.15
    assert len(split) == 2


def test_long_movement_aasm_drops_wasm_keeps_as_non_candidate():
    aasm, _, n_long = detect([(40.0, 11.0, 30.0)], rules=R.AASM)
    wasm, _, _ = detect([(40.0, 11.0, 30.0)], rules=R.WASM2016)
    assert aasm == [] and n_long == 1
    assert len(wasm) == 1 and not wasm[0].candidate
    ok, _, _ = detect([(40.0, 9.0, 30.0)], rules=R.WASM2016)
    assert ok[0].candidate


def test_wasm_morphology_rule_rejects_sparse_spikes():
    # brief spikes every 0.45 s keep the EMG from being quiet for 0.5 s, but a 0.5 s median never
    # rises 2 uV above rest: an LM by onset/offset, not by the WASM computer-scoring rule
    spikes = [(40.0 + 0.45 * k, 0.05, 40.0) for k in range(6)]
    wasm, n_morph, _ = detect(spikes, rules=R.WASM2016)
    aasm, _, _ = detect(spikes, rules=R.AASM)
    assert wasm == [] and n_morph == 1
    assert len(aasm) == 1 and aasm[0].duration_s > 2.0


def test_wasm_bilateral_gap_under_half_a_second():
    left = lm(10.0, 2.0, "left")
    near = combine_bilateral([left, lm(12.3, 0.7, "right")], R.WASM2016)
    far = combine_bilateral([left, lm(12.6, 0.7, "right")], R.WASM2016)
    assert len(near) == 1 and near[0].bilateral and near[0].onset_s == 10.0 and near[0].offset_s == pytest.approx(13.0)
    assert len(far) == 2


def test_aasm_bilateral_onsets_under_five_seconds():
    left = lm(10.0, 1.0, "left")
    assert len(combine_bilateral([left, lm(14.9, 1.0, "right")], R.AASM)) == 1
    assert len(combine_bilateral([left, lm(15.1, 1.0, "right")], R.AASM)) == 2


def test_same_leg_is_never_combined():
    assert len(combine_bilateral([lm(10.0, 1.0, "left"), lm(10.8, 1.0, "left")], R.WASM2016)) == 2


@pytest.mark.parametrize("right_dur, candidate", [(6.5, True), (8.5, False)])
def test_wasm_bilateral_candidate_up_to_15_s(right_dur, candidate):
    # left 8 s + right starting at 7.8 s: combined 7.8 + right_dur -> 14.3 s (CLM) or 16.3 s (not)
    combined = combine_bilateral([lm(0.0, 8.0, "left"), lm(7.8, right_dur, "right")], R.WASM2016)
    assert len(combined) == 1 and combined[0].candidate is candidate


def test_unknown_rules_name_is_a_clear_error():
    with pytest.raises(InputError, match="Did you mean 'aasm'"):
        R.rules_for("asm")


def test_flat_and_empty_signals_give_no_movements():
    assert detect_leg_movements_channel(np.zeros(int(FS * 60)), FS, channel="x", side="left")[0] == []
    assert detect_leg_movements_channel(np.zeros(0), FS, channel="x", side="left")[0] == []


def test_results_object_summary_and_compare_detection():
    from myoclonus.signals.recording import Recording
    from myoclonus.signals.sleep.limb_movements import detect_limb_movements

    left = leg_emg(120.0, FS, [(20.0, 2.0, 30.0), (60.0, 1.0, 30.0)], seed=1)
    right = leg_emg(120.0, FS, [(20.3, 1.5, 30.0), (90.0, 3.0, 30.0)], seed=2)
    rec = Recording.from_array(np.vstack([left, right]), FS, ["EMG L TA", "EMG R TA"])
    res = detect_limb_movements(rec, {"EMG L TA": "left", "EMG R TA": "right"}, rules="wasm2016")
    table = res.summary()
    assert list(table.channel) == ["bilateral", "EMG L TA", "EMG R TA"]
    assert table.onset.round(1).tolist() == [20.0, 60.0, 90.0]
    scores = res.compare_detection([20.0, 60.0, 90.0, 110.0], [2.0, 1.0, 3.0, 1.0])
    assert (scores["tp"], scores["fp"], scores["fn"]) == (3, 0, 1)
    assert scores["recall"] == 0.75 and scores["precision"] == 1.0
