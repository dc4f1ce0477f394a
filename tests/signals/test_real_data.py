"""Third-party recordings through the whole analysis (known counts, ECG contamination).

The files and what is known about them are described in ``../shared/data/real/*/PROVENANCE.md``.
"""
from __future__ import annotations

import numpy as np
import pytest
import scipy.signal

from myoclonus.settings import AnalysisSettings, BurstSettings
from myoclonus.signals.recording import read_recording

pytest.importorskip("myoclonus.signals.bursts")  # detectors are written in parallel (helper H5)
from myoclonus.signals.bursts import detect_bursts  # noqa: E402

EMGGO = "emggo_tibialis_anterior_semg"


@pytest.mark.xfail(
    strict=True,
    reason="burst detector at 250 Hz: 64 bursts instead of 56 (194 before the ECG work of 2026-11-23). The 56 "
    "activations are all found (peaks > 500 uV, the only ones that large); the 8 extra are 23-175 uV: 2 start "
    "160-180 ms before an R peak (P-wave residue, outside the +-100 ms window where ECG residue is rejected), "
    "1 is a 24-ms blip on a beat stronger than 3x its typical residue, 2 start 114-126 ms after a beat that "
    "was placed on the P wave of a larger, wider QRS (moving the beat onto that QRS, tried 2026-11-23, leaves it above "
    "3x the typical residue), and 3 are low-level activity (one 0.75 s long, two >= 0.35 s from any beat) that the upstream count leaves out. Remove this mark when the detector passes.",
)
def test_tibialis_anterior_has_56_activations(real_data):
    """emgGO's tibialis anterior sample: 56 muscle activation bursts (upstream detectionTutorial.md).

    The upstream count is of activation intervals of ballistic dorsiflexions (about 0.1-2.2 s long),
    so bursts closer than 0.5 s are merged as in PROVENANCE.md's check; the longest activation
    (~2.2 s) needs ``max_burst_ms`` above the 1.5 s default.
    """
    pytest.importorskip("myoclonus.signals.silent")
    pytest.importorskip("myoclonus.signals.jerks")
    pytest.importorskip("myoclonus.signals.rhythm")
    from myoclonus.signals.analysis import analyze

    settings = AnalysisSettings(bursts=BurstSettings(merge_gap_ms=500.0, max_burst_ms=3000.0))
    analysis = analyze(real_data / EMGGO / "Sample_Data.mat", montage={"channels": {"EMG 1": "R TA"}}, settings=settings)
    onsets = analysis.bursts.summary()["onset_s"].to_numpy()
    assert len(onsets) == 56, f"{len(onsets)} bursts, first onsets {np.round(onsets[:8], 1).tolist()}"
    # first activations of PROVENANCE.md's own check (7.6, 17.3, 24.9, 33.0, 41.6, 50.8 s), +-0.5 s
    np.testing.assert_allclose(onsets[:6], [7.6, 17.3, 24.9, 33.0, 41.6, 50.8], atol=0.5)


def _isolated_ecg_beats(rec) -> np.ndarray:
    """QRS spikes (common to all channels) with quiet EMG 50-350 ms before and after them.

    Independent of the detector under test: a plain band-pass, the channel sum of |EMG| and a peak
    search at least 350 ms apart; a beat counts as isolated when the RMS on both sides is below
    twice the 20th percentile of 100-ms RMS (the resting background).
    """
    x = rec.get_data()
    fs = rec.sfreq
    sos = scipy.signal.butter(4, [20, 450], btype="band", fs=fs, output="sos")
    y = scipy.signal.sosfiltfilt(sos, x, axis=1)
    total = np.abs(y).sum(axis=0)
    peaks, _ = scipy.signal.find_peaks(total, distance=int(0.35 * fs), height=np.percentile(total, 99))
    step = int(0.1 * fs)
    rms = lambda a, b: float(np.sqrt(np.mean(y[:, a:b] ** 2)))  # noqa: E731
    background = np.percentile([rms(i, i + step) for i in range(0, y.shape[1] - step, step)], 20)
    near, far = int(0.05 * fs), int(0.35 * fs)
    beats = [p / fs for p in peaks if far < p < y.shape[1] - far
             and rms(p - far, p - near) < 2 * background and rms(p + near, p + far) < 2 * background]
    return np.asarray(beats)


def test_ecg_contaminated_beats_are_not_bursts(real_data):
    """emgGO's ECG-contaminated sample (8 channels at 2048 Hz, values about +-1, taken as mV):
    EMG activations every ~1.5-2 s with QRS spikes in between. No burst may sit on a QRS spike that
    falls in quiet EMG."""
    rec = read_recording(real_data / EMGGO / "ECG_Contaminated.mat", units="mV")
    beats = _isolated_ecg_beats(rec)
    assert len(beats) >= 8  # the file shows ~30 beats, about a third of them in quiet EMG
    bursts = detect_bursts(rec).summary()
    on_beats = [(round(b, 3), r.channel) for b in beats for r in bursts.itertuples()
                if r.onset_s - 0.03 <= b <= r.offset_s + 0.03]
    assert on_beats == [], f"bursts on ECG beats: {on_beats[:10]} (of {len(beats)} isolated beats)"
    # the EMG activations themselves are still found on every channel
    assert bursts.groupby("channel").size().min() >= 5


def test_sleep_edf_envelope_emg_is_refused_clearly(real_data):
    """Sleep-EDF's "EMG submental" is a 1-Hz envelope (PROVENANCE.md), not raw EMG."""
    from myoclonus.errors import InputError
    from myoclonus.signals.analysis import analyze

    with pytest.raises(InputError, match=r"short_psg.edf: no EMG channel is sampled fast enough.*'EMG submental' \(1 Hz\)"):
        analyze(real_data / "sleep_edf_sc4001_excerpt/short_psg.edf")


@pytest.mark.parametrize(
    ("relpath", "montage", "units"),
    [
        (f"{EMGGO}/Sample_Data.mat", {"channels": {"EMG 1": "R TA"}}, None),
        (f"{EMGGO}/ECG_Contaminated.mat", None, "mV"),
        ("physionet_emgdb/emg_healthy.hea", {"channels": {"EMG": "R TA"}}, None),
        ("physionet_emgdb/emg_myopathy.hea", {"channels": {"EMG": "R TA"}}, None),
        ("physionet_emgdb/emg_neuropathy.hea", {"channels": {"EMG": "R TA"}}, None),
    ],
)
def test_every_real_emg_file_is_analysed(real_data, tmp_path, relpath, montage, units):
    """Every third-party file that holds raw EMG goes through analyze + write."""
    pytest.importorskip("myoclonus.signals.silent")
    pytest.importorskip("myoclonus.signals.jerks")
    pytest.importorskip("myoclonus.signals.rhythm")
    import json

    import pandas as pd

    from myoclonus.signals.analysis import analyze

    analysis = analyze(real_data / relpath, montage=montage, units=units)
    written = analysis.write(tmp_path)
    assert {p.name for p in written} == {"bursts.tsv", "jerks.tsv", "findings.json"}
    table = pd.read_csv(tmp_path / "bursts.tsv", sep="\t", na_values="n/a")
    assert (table["trial_type"] == "burst").sum() == len(analysis.bursts)
    findings = json.loads((tmp_path / "findings.json").read_text("utf-8"))
    assert sum(m["bursts"]["count"] for m in findings["muscles"]) == len(analysis.bursts)
    if montage:
        assert findings["muscles"][0]["muscle"] == "TA"


def test_ecg_contaminated_file_analyses_without_units_given(real_data):
    """Regression: coincident ECG beats once made the beat-gap filler divide by zero."""
    from myoclonus.signals.analysis import analyze

    analysis = analyze(real_data / "emggo_tibialis_anterior_semg" / "ECG_Contaminated.mat")
    assert analysis.findings["input"]["n_channels"] == 8
