"""Fixtures of the web tests: recordings to upload (helpers are in web_testkit.py)."""
from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("fastapi", reason="the web extra is not installed (pip install 'myoclonus[web]')")


@pytest.fixture(scope="session")
def short_edf(tmp_path_factory) -> Path:
    """15 s of simulated cortical myoclonus (EMG + EEG + stimuli), EDF+, 1024 Hz."""
    from myoclonus.simulate import simulate

    sim = simulate("cortical", minutes=0.25, seed=3, sfreq_hz=1024.0)
    edf, _truth = sim.write(tmp_path_factory.mktemp("rec") / "short_cortical.edf")
    return edf
