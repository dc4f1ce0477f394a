"""Analyses the report tests render: a simulated cortical case, no jerks, no EEG, one channel, 64 channels.

Every fixture runs the real pipeline (``myoclonus.signals.analysis.analyze``) on a short signal, so the
report is tested on real result objects, not hand-made dicts.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from report_testkit import MUSCLES, SFREQ, noise, emg_with_jerks, fast_settings

from myoclonus.signals.recording import Recording


def analyze(*args, **kwargs):
    """``myoclonus.signals.analysis.analyze``; skips only while a pipeline stage module has not landed yet."""
    pytest.importorskip("myoclonus.signals.rhythm", reason="analysis pipeline stage (rhythm, H5) not in the tree yet")
    from myoclonus.signals.analysis import analyze as run

    return run(*args, **kwargs)


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
    if analysis.neurophysiology is None:
        # the pipeline's neurophysiology / origin stage (H7) is not wired into analyze() yet: run it
        # the way that stage does, so the report sees the complete analysis
        from myoclonus.signals.neurophysiology import run_neurophysiology

        analysis.neurophysiology = run_neurophysiology(analysis.recording, bursts=analysis.bursts, jerks=analysis.jerks,
                                                       silent=analysis.silent_periods, settings=analysis.settings)
        analysis.findings.update(analysis.neurophysiology.to_findings())
        analysis.findings["warnings"] = [w for w in analysis.findings["warnings"] if "origin estimate not computed" not in w]
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
