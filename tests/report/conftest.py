"""Analyses the report tests render: a simulated cortical case, no jerks, no EEG, one channel, 64 channels.

Every fixture runs the real pipeline (``myoclonus.signals.analysis.analyze``) on a short signal, so the
report is tested on real result objects, not hand-made dicts.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from report_testkit import MUSCLES, SFREQ, noise, emg_with_jerks, fast_settings

from myoclonus.signals.analysis import analyze
from myoclonus.signals.recording import Recording


@pytest.fixture(scope="session")
def cortical_edf(tmp_path_factory) -> Path:
    """A simulated cortical recording with EEG and stimuli, written as EDF+ (H6's simulator)."""
    from myoclonus.simulate import simulate

    path = tmp_path_factory.mktemp("cortical") / "case.edf"
    simulate("cortical", minutes=0.75, seed=11).write(path)
    return path


@pytest.fixture(scope="session")
def cortical_analysis(cortical_edf):
    analysis = analyze(cortical_edf, settings=fast_settings())
    assert analysis.neurophysiology is not None  # the neurophysiology / origin stage ran
    return analysis


@pytest.fixture(scope="session")
def no_jerk_analysis():
    rng = np.random.default_rng(1)
    names = ["EMG R FDI", "EMG R ECR", "C3", "C4"]
    data = np.vstack([noise(rng, int(15 * SFREQ)) for _ in names])
    return analyze(Recording.from_array(data, SFREQ, names), settings=fast_settings())


@pytest.fixture(scope="session")
def no_eeg_analysis():
    names = ["EMG R FDI", "EMG R ECR", "EMG R BIC", "EMG R DEL"]
    return analyze(Recording.from_array(emg_with_jerks(names, seed=2), SFREQ, names), settings=fast_settings())


@pytest.fixture(scope="session")
def one_channel_analysis():
    names = ["EMG R FDI"]
    return analyze(Recording.from_array(emg_with_jerks(names, seed=3), SFREQ, names), settings=fast_settings())


@pytest.fixture(scope="session")
def many_channel_analysis():
    names = [f"EMG {side} {m}" for m in MUSCLES for side in ("R", "L")]
    names += [f"EMG PSP T{k}" for k in range(1, 13)][: 64 - len(names)]
    names += [f"EMG PSP L{k}" for k in range(1, 6)][: 64 - len(names)]
    names += [f"EMG PSP C{k}" for k in range(2, 9)][: 64 - len(names)]
    assert len(names) == 64
    data = emg_with_jerks(names, duration_s=12.0, n_jerks=6, seed=4, latency_step_ms=1.5)
    return analyze(Recording.from_array(data, SFREQ, names), settings=fast_settings())


@pytest.fixture(scope="session")
def example_intake() -> Path:
    return Path(__file__).resolve().parents[2] / "examples" / "lance_adams.yaml"


@pytest.fixture(scope="session")
def cortical_assessments(cortical_analysis, example_intake):
    """(clinician, patient) assessments of the example intake merged with the cortical findings."""
    from myoclonus.clinical.engine import assess
    from myoclonus.clinical.presentation import load_intake

    intake = load_intake(example_intake)
    return (assess(intake, findings=cortical_analysis.findings),
            assess(intake, findings=cortical_analysis.findings, audience="patient"))


@pytest.fixture(scope="session")
def cortical_report_html(cortical_analysis, cortical_assessments):
    """The clinician report of the cortical case (rendered once: drawing the figures takes seconds)."""
    from myoclonus.report.html import render_report

    return render_report(cortical_analysis, cortical_assessments[0])


@pytest.fixture(scope="session")
def small_edf(tmp_path_factory) -> Path:
    """20 s of four EMG channels with 12 jerks, written as EDF (fast CLI tests)."""
    import mne

    names = ["EMG R FDI", "EMG R ECR", "EMG R BIC", "EMG R DEL"]
    raw = mne.io.RawArray(emg_with_jerks(names, seed=9) * 1e-6, mne.create_info(names, SFREQ, "emg"), verbose="error")
    path = tmp_path_factory.mktemp("small") / "small.edf"
    mne.export.export_raw(path, raw, fmt="edf", verbose="error")
    return path
