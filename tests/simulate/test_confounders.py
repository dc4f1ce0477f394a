"""Confounders are present in the signal where the truth says, and never move the events."""
from __future__ import annotations

import numpy as np
import pytest
from scipy import signal

from myoclonus.simulate import Confounders, simulate

FS = 2048.0


@pytest.fixture(scope="module")
def noisy():
    return simulate("subcortical", minutes=1.0, seed=8, sfreq_hz=FS)


def test_mains_frequency_is_drawn_per_seed_and_visible_in_the_spectrum():
    seen = set()
    for seed in range(6):
        sim = simulate("peripheral", minutes=0.1, seed=seed, sfreq_hz=FS)
        x = sim.raw.get_data(picks=["EMG L OOC"])[0] * 1e6
        f, p = signal.welch(x, fs=FS, nperseg=8192)  # 0.25-Hz bins
        hz = sim.truth.mains_hz
        assert hz in (50.0, 60.0)
        at = p[np.argmin(np.abs(f - hz))]
        other = p[np.argmin(np.abs(f - (110.0 - hz)))]  # the other mains frequency
        assert at > 5 * other
        seen.add(hz)
    assert seen == {50.0, 60.0}


def test_ecg_only_in_trunk_muscles_at_the_heart_rate(noisy):
    t = noisy.truth
    assert set(t.ecg_channels) == {"EMG R SCM", "EMG L SCM", "EMG R TRAP", "EMG RA"}
    sos = signal.butter(4, [5.0, 30.0], btype="bandpass", fs=FS, output="sos")

    def beats(ch: str) -> tuple[float, float]:
        """Heart rate (bpm) and interval CV from R peaks found in the parts free of bursts/artefacts."""
        x = np.abs(signal.sosfiltfilt(sos, noisy.raw.get_data(picks=[ch])[0] * 1e6))
        quiet = np.ones(x.size, bool)
        for b in t.bursts_on(ch):
            quiet[int((b.onset_s - 0.05) * FS) : int((b.offset_s + 0.05) * FS)] = False
        for a in t.artefacts:
            if a.channel == ch:
                quiet[int((a.onset_s - 0.5) * FS) : int((a.offset_s + 0.5) * FS)] = False  # and filter ringing
        y = np.where(quiet, x, 0.0)
        peaks, _ = signal.find_peaks(y, height=0.4 * np.percentile(y[quiet], 99.5), distance=int(0.4 * FS))
        iv = np.diff(peaks) / FS
        iv = iv[iv < 1.3]
        return 60.0 / np.median(iv), np.std(iv) / np.mean(iv), peaks / FS

    rate, cv, found = beats("EMG RA")
    assert rate == pytest.approx(t.heart_rate_bpm, rel=0.05) and cv < 0.1
    r_peaks = np.asarray(t.ecg_r_peaks_s)
    near = [np.min(np.abs(r_peaks - x)) < 0.015 for x in found]
    assert np.mean(near) > 0.9  # the sidecar's R peaks are where the beats are
    _, cv_limb, _ = beats("EMG R BIC")
    assert cv_limb > 0.2  # no heartbeat train in a limb muscle


def test_artefact_intervals_hold_the_artefacts(noisy):
    kinds = {a.kind for a in noisy.truth.artefacts}
    assert kinds == {"movement", "electrode_pop", "saturation"}
    for a in noisy.truth.artefacts:
        x = noisy.raw.get_data(picks=[a.channel])[0] * 1e6
        seg = x[int(round(a.onset_s * FS)) + 1 : int(round(a.offset_s * FS)) - 1]
        if a.kind == "saturation":
            assert np.ptp(seg) == 0.0 and abs(seg[0]) == pytest.approx(np.max(np.abs(x)))
        else:
            assert np.max(np.abs(seg - np.median(x))) > 150.0
        # no physiological event inside an artefact
        assert not [b for b in noisy.truth.bursts_on(a.channel) if b.onset_s < a.offset_s and b.offset_s > a.onset_s]


def test_confounders_never_move_events(noisy):
    clean = simulate("subcortical", minutes=1.0, seed=8, sfreq_hz=FS, confounders=Confounders.off())
    key = lambda t: [(b.channel, b.onset_s, b.offset_s) for b in t.bursts]  # noqa: E731
    assert key(clean.truth) == key(noisy.truth)
    assert [s.onset_s for s in clean.truth.stimuli] == [s.onset_s for s in noisy.truth.stimuli]
    assert clean.truth.artefacts == [] and clean.truth.mains_hz is None and clean.truth.heart_rate_bpm is None


def test_amplitude_spread_reaches_down_towards_the_noise_floor(noisy):
    rms = np.asarray([b.rms_uv for b in noisy.truth.bursts])
    assert rms.max() / rms.min() > 10.0
    assert rms.min() < 30.0  # clean bursts start at 60 uV RMS
    clean = simulate("subcortical", minutes=1.0, seed=8, sfreq_hz=FS, confounders=Confounders.off())
    assert min(b.rms_uv for b in clean.truth.bursts) >= 60.0 * 0.5  # gains of distal muscles >= 0.5
