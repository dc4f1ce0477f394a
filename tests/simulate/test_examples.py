"""The bundled example recording is what ``examples/make_examples.py`` makes, byte for byte."""
from __future__ import annotations

import importlib.util
from pathlib import Path

import mne

from myoclonus.simulate import GroundTruth, simulate

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def _recipe() -> dict:
    spec = importlib.util.spec_from_file_location("make_examples", EXAMPLES / "make_examples.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod.EXAMPLE


def test_example_is_reproducible_and_fit_for_back_averaging(tmp_path):
    ex = _recipe()
    edf, truth_path = simulate(ex["origin"], minutes=ex["minutes"], seed=ex["seed"], sfreq_hz=ex["sfreq_hz"],
                               n_jerks=ex["n_jerks"]).write(tmp_path / "example_cortical.edf")
    assert edf.read_bytes() == (EXAMPLES / "example_cortical.edf").read_bytes()
    assert truth_path.read_bytes() == (EXAMPLES / "example_cortical.truth.json").read_bytes()
    assert edf.stat().st_size < 5_000_000
    truth = GroundTruth.read(EXAMPLES / "example_cortical.truth.json")
    assert truth.origin == "cortical"
    assert sum(j.trigger == "spontaneous" for j in truth.jerks) >= 60
    assert len(truth.stimuli) >= 10 and all(s.kind == "median_nerve" for s in truth.stimuli)
    raw = mne.io.read_raw_edf(EXAMPLES / "example_cortical.edf", verbose="error")
    assert {"C3", "C4", "Cz", "FC3", "FC4", "Fz", "Pz", "EMG R FDI", "STIM"} <= set(raw.ch_names)
