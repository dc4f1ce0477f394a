"""Fixtures of the web tests: recordings to upload (helpers are in web_testkit.py)."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

# the shared helpers (web_testkit.py) import by name under either pytest import mode (prepend or importlib)
if str(Path(__file__).parent) not in sys.path:
    sys.path.insert(0, str(Path(__file__).parent))

pytest.importorskip("fastapi", reason="the web extra is not installed (pip install 'myoclonus[web]')")


@pytest.fixture(scope="session")
def short_edf(tmp_path_factory) -> Path:
    """15 s of simulated cortical myoclonus (EMG + EEG + stimuli), EDF+, 1024 Hz."""
    from myoclonus.simulate import simulate

    sim = simulate("cortical", minutes=0.25, seed=3, sfreq_hz=1024.0)
    edf, _truth = sim.write(tmp_path_factory.mktemp("rec") / "short_cortical.edf")
    return edf
