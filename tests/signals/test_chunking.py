"""Chunked processing: same results as one-shot, bounded reads, chunk geometry."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from myoclonus.settings import AnalysisSettings, ChunkSettings
from myoclonus.signals.bursts import detect_bursts
from myoclonus.signals.chunking import ArraySource, iter_chunks
from myoclonus.signals.silent import detect_silent_periods

from synthetic import make_emg

ONE_SHOT = AnalysisSettings(chunks=ChunkSettings(chunk_s=1e7, max_chunk_samples=10**12))
CHUNKED = AnalysisSettings(chunks=ChunkSettings(chunk_s=7.0))  # default overlap


def assert_same_events(a: pd.DataFrame, b: pd.DataFrame) -> None:
    """Same events, channels and columns; floats equal up to the float32 rounding of the IIR
    filters (their state at a chunk start converges to the one-shot state to ~1e-7 relative)."""
    assert len(a) == len(b)
    assert list(a.columns) == list(b.columns)
    for col in a.columns:
        if a[col].dtype.kind == "f":
            np.testing.assert_allclose(a[col].to_numpy(), b[col].to_numpy(), rtol=1e-4, atol=1e-5, err_msg=col)
        else:
            # Series.equals: missing values (None or NaN, by pandas version) in the same places are equal
            assert a[col].reset_index(drop=True).equals(b[col].reset_index(drop=True)), col


@pytest.mark.parametrize("sfreq", [500.0, 2048.0])
def test_chunked_equals_one_shot(sfreq):
    sim = make_emg(sfreq=sfreq, seed=4, duration_s=60, n_bursts=40, n_silent=20, min_gap_s=0.4, tonic_uv=20.0,
                   ecg_uv=200.0, mains_hz=50.0, movement=2, pops=2)
    x = np.vstack([sim.data_uv, make_emg(sfreq=sfreq, seed=5, duration_s=60, n_bursts=30).data_uv])
    names = ["EMG RA", "EMG R FDI"]
    one = detect_bursts(x, sfreq, names, settings=ONE_SHOT)
    chk = detect_bursts(x, sfreq, names, settings=CHUNKED)
    assert len(one) > 60
    assert_same_events(one.events, chk.events)
    assert_same_events(one.artefacts, chk.artefacts)
    assert one.channel_status == chk.channel_status
    s_one = detect_silent_periods(x, sfreq, names, settings=ONE_SHOT, bursts=one)
    s_chk = detect_silent_periods(x, sfreq, names, settings=CHUNKED, bursts=chk)
    assert len(s_one) >= 15
    assert_same_events(s_one.events, s_chk.events)


class CountingSource(ArraySource):
    """An ArraySource that records the largest window read."""

    largest = 0

    def get_data(self, picks, start, stop):
        CountingSource.largest = max(CountingSource.largest, stop - start)
        return super().get_data(picks, start, stop)


def test_reads_are_bounded_by_chunk_and_overlap():
    sfreq = 1000.0
    sim = make_emg(sfreq=sfreq, seed=1, duration_s=120, n_bursts=50)
    src = CountingSource(sim.data_uv, sfreq, ["X"])
    settings = AnalysisSettings(chunks=ChunkSettings(chunk_s=10.0, overlap_s=5.0))
    res = detect_bursts(src, settings=settings)
    assert res.compare_detection(sim.onsets_s)["f1"] >= 0.95
    # the mains probe reads the first 60 s once; detection chunks read 10 + 2 x 5 s
    probe = int(settings.conditioning.mains_probe_s * sfreq)
    assert CountingSource.largest <= max(probe, int(20 * sfreq))


def test_chunk_geometry_covers_every_sample_once():
    n, sfreq = 123_457, 1000.0
    chunks = list(iter_chunks(n, sfreq, 10.0, 3.0))
    cores = np.concatenate([np.arange(c.core_start, c.core_stop) for c in chunks])
    assert np.array_equal(cores, np.arange(n))
    for c in chunks:
        assert c.start <= c.core_start and c.stop >= c.core_stop
        assert c.core_start % 1000 == 0 and c.start % 1000 == 0
    assert [(c.start, c.stop) for c in iter_chunks(n, sfreq, None, 3.0)] == [(0, n)]


def test_chunk_core_shortens_to_the_sample_budget():
    from myoclonus.signals.chunking import chunk_core_s

    default = ChunkSettings()
    assert chunk_core_s(default, 500.0, 16) == 600.0  # 16 x 640 s x 500 Hz fits 20 M samples
    assert chunk_core_s(default, 2048.0, 16) == pytest.approx(20e6 / (16 * 2048.0) - 40.0)  # 570 s
    core = chunk_core_s(default, 5000.0, 16)
    assert core == pytest.approx(20e6 / (16 * 5000.0) - 40.0)  # 210 s: the budget, overlaps included
    assert chunk_core_s(ChunkSettings(max_chunk_samples=1000), 2048.0, 64) == 1.0  # at least one block


def test_a_small_sample_budget_gives_the_same_bursts():
    """The budget only changes the chunk geometry: the results stay those of one-shot processing."""
    x = np.vstack([make_emg(sfreq=1000.0, seed=s, duration_s=60, n_bursts=30).data_uv for s in (1, 2)])
    small = AnalysisSettings(chunks=ChunkSettings(max_chunk_samples=2 * 1000 * 55))  # 15-s cores
    assert_same_events(detect_bursts(x, 1000.0, ["EMG R FDI", "EMG R BIC"], settings=ONE_SHOT).events,
                       detect_bursts(x, 1000.0, ["EMG R FDI", "EMG R BIC"], settings=small).events)
