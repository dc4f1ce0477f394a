"""Hypnic jerks at wake -> N1 and the sleep-onset propriospinal pattern (CRITERIA 5.3)."""
from __future__ import annotations

from myoclonus.signals.channels import ChannelInfo
from myoclonus.signals.sleep.hypnic import score_hypnic_jerks
from myoclonus.signals.sleep.potentials import Potential
from myoclonus.signals.sleep.staging import Hypnogram

HYP = Hypnogram(stages=("W", "W", "N1", "N1", "N2", "N2", "N2", "N2", "W", "N1", "N2"), source="annotations")
# transitions at 60 s and 270 s


def jerk(t0, channels, duration=0.15, lag=0.02):
    return [Potential(t0 + k * lag, duration, ch, 120.0) for k, ch in enumerate(channels)]


def test_multi_muscle_jerks_near_sleep_onset_only():
    pots = (jerk(70.0, ["EMG L TA", "EMG Chin", "EMG R DEL"])  # 10 s after W->N1: hypnic jerk
            + jerk(150.0, ["EMG L TA", "EMG R TA"])  # N2, far from any transition
            + jerk(280.0, ["EMG L TA"])  # one muscle only
            + jerk(285.0, ["EMG L DEL", "EMG R DEL"], duration=0.35))  # too long (> 250 ms)
    res = score_hypnic_jerks(pots, HYP, window_s=0.15)
    assert [round(j.onset_s) for j in res.jerks] == [70]
    assert res.jerks[0].channels == ("EMG L TA", "EMG Chin", "EMG R DEL")
    assert res.n_transitions == 2 and not res.propriospinal_pattern


INFO = {"EMG PSP T8": ChannelInfo("EMG PSP T8", "emg", "PSP", None, "T8"),
        "EMG R DEL": ChannelInfo("EMG R DEL", "emg", "DEL", "right", "C5"),
        "EMG R QUAD": ChannelInfo("EMG R QUAD", "emg", "QUAD", "right", "L3")}


def test_axial_lead_with_rostral_and_caudal_spread_flags_propriospinal_pattern():
    psm = ["EMG PSP T8", "EMG R DEL", "EMG R QUAD"]
    two = jerk(65.0, psm, duration=0.3) + jerk(275.0, psm, duration=0.3)
    res = score_hypnic_jerks(two, HYP, window_s=0.15, channel_info=INFO)
    assert res.propriospinal_pattern and all(j.axial_lead_bidirectional for j in res.jerks)
    one = jerk(65.0, psm, duration=0.3)
    assert not score_hypnic_jerks(one, HYP, window_s=0.15, channel_info=INFO).propriospinal_pattern
    limb_first = jerk(65.0, ["EMG R DEL", "EMG PSP T8", "EMG R QUAD"]) + jerk(275.0, ["EMG R DEL", "EMG PSP T8", "EMG R QUAD"])
    assert not score_hypnic_jerks(limb_first, HYP, window_s=0.15, channel_info=INFO).propriospinal_pattern
