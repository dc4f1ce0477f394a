"""Every origin writes a readable EDF+ with its sidecar; the same seed gives the same bytes."""
from __future__ import annotations

import mne
import numpy as np
import pytest

from myoclonus.errors import InputError
from myoclonus.simulate import ORIGINS, GroundTruth, simulate
from myoclonus.simulate.simulation import STIMULUS_CODES


@pytest.mark.parametrize("origin", ORIGINS)
def test_each_origin_writes_a_readable_edf_with_truth(origin, tmp_path):
    sim = simulate(origin, minutes=0.25, seed=3, sfreq_hz=1000.0)
    edf, truth_path = sim.write(tmp_path / f"{origin}.edf")
    raw = mne.io.read_raw_edf(edf, preload=True, verbose="error")
    assert raw.info["sfreq"] == 1000.0
    assert [c for c in raw.ch_names if c != "STIM"] == sim.truth.emg_channels + sim.truth.eeg_channels
    assert raw.n_times == int(sim.truth.duration_s * 1000)
    # stimuli come back as EDF+ annotations at the right times
    stim_ann = [(a["onset"], a["description"]) for a in raw.annotations if a["description"].startswith("stim/")]
    assert [(round(o, 3), d) for o, d in stim_ann] == [(round(s.onset_s, 3), f"stim/{s.kind}") for s in sim.truth.stimuli]
    # EMG survives the 16-bit round trip to well below the amplifier noise
    emg_back = raw.get_data(picks=sim.truth.emg_channels) * 1e6
    emg_orig, _ = sim.emg_uv()
    step = (emg_orig.max(axis=1) - emg_orig.min(axis=1)) / 65535
    assert np.all(np.max(np.abs(emg_back - emg_orig), axis=1) <= step + 1e-6)
    truth = GroundTruth.read(truth_path)
    assert truth == sim.truth
    assert truth.origin == origin
    if origin == "none":
        assert not truth.jerks and not truth.bursts
    else:
        assert truth.jerks and truth.bursts


def test_stim_channel_carries_the_codes(tmp_path):
    sim = simulate("cortical", minutes=0.5, seed=2, sfreq_hz=2048.0)
    edf, _ = sim.write(tmp_path / "c.edf")
    raw = mne.io.read_raw_edf(edf, preload=True, verbose="error")
    stim = raw.get_data(picks=["STIM"])[0]
    for s in sim.truth.stimuli:
        i = int(round(s.onset_s * 2048))
        assert stim[i] == pytest.approx(STIMULUS_CODES["median_nerve"], abs=1e-3)
        assert stim[i - 5] == pytest.approx(0.0, abs=1e-3)


def test_same_seed_gives_byte_identical_files_and_other_seed_differs(tmp_path):
    a = simulate("subcortical", minutes=0.25, seed=11).write(tmp_path / "a.edf")
    b = simulate("subcortical", minutes=0.25, seed=11).write(tmp_path / "b.edf")
    c = simulate("subcortical", minutes=0.25, seed=12).write(tmp_path / "c.edf")
    assert a[0].read_bytes() == b[0].read_bytes()
    assert a[1].read_bytes() == b[1].read_bytes()
    assert a[0].read_bytes() != c[0].read_bytes()


def test_write_refuses_other_extensions(tmp_path):
    sim = simulate("none", minutes=0.1, seed=0)
    with pytest.raises(InputError, match=r"ending in \.edf"):
        sim.write(tmp_path / "x.fif")
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"origin": "cortcal"}, "Did you mean 'cortical'"),
        ({"origin": "cortical", "minutes": -1.0}, "minutes"),
        ({"origin": "cortical", "sfreq_hz": 100.0}, "sampling rate"),
        ({"origin": "cortical", "seed": -3}, "seed"),
        ({"origin": "none", "n_jerks": 5}, "no jerks"),
        ({"origin": "functional", "minutes": 0.1, "n_jerks": 50}, "do not fit"),
    ],
)
def test_bad_arguments_raise_input_error(kwargs, message):
    origin = kwargs.pop("origin")
    with pytest.raises(InputError, match=message):
        simulate(origin, **kwargs)


def test_truth_read_rejects_wrong_schema(tmp_path):
    p = tmp_path / "x.truth.json"
    p.write_text('{"schema": "other/1"}')
    with pytest.raises(InputError, match="expected schema"):
        GroundTruth.read(p)
