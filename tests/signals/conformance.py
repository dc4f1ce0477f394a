"""Conformance battery every signal detector passes (STYLE.md, after scikit-learn's check_estimator).

``check_detector(detect, make_signal)`` runs one detector (``detect_bursts``,
``detect_silent_periods`` ...) through: empty signal, flat signal, NaNs (clear InputError naming
the channel), 1-D vs 2-D input, float32 vs float64, an event at the first and at the last sample
(where the detector's rule allows one there), several sampling rates, ``mne.io.Raw`` vs array, and
chunked vs one-shot processing. Each check raises AssertionError with the check's name.
"""
from __future__ import annotations

from collections.abc import Callable

import mne
import numpy as np
import pytest

from myoclonus.errors import InputError
from myoclonus.settings import AnalysisSettings, ChunkSettings

RATES = (500.0, 1000.0, 2048.0, 5000.0)
ONE_SHOT = AnalysisSettings(chunks=ChunkSettings(chunk_s=1e7, max_chunk_samples=10**12))
CHUNKED = AnalysisSettings(chunks=ChunkSettings(chunk_s=6.0))

#: make_signal(sfreq, seed, event_at_start, event_at_end) -> (data_uv 1-D, truth onsets in s)
SignalMaker = Callable[[float, int, bool, bool], tuple[np.ndarray, np.ndarray]]


def _same(a, b, what: str) -> None:
    ea, eb = a.events, b.events
    assert len(ea) == len(eb), f"{what}: {len(ea)} vs {len(eb)} events"
    for col in ("onset_s", "offset_s"):
        np.testing.assert_allclose(ea[col].to_numpy(float), eb[col].to_numpy(float), atol=1e-4, err_msg=f"{what}: {col}")


def check_empty(detect) -> None:
    res = detect(np.zeros((1, 0)), 1000.0, ["EMG R FDI"])
    assert len(res) == 0, "empty signal: events found"


def check_flat(detect) -> None:
    res = detect(np.zeros((2, 20_000)), 1000.0, ["EMG R FDI", "EMG L FDI"])
    assert len(res) == 0, "flat signal: events found"
    assert {s.state for s in res.channel_status.values()} == {"flat"}, "flat signal: not reported flat"
    const = detect(np.full((1, 20_000), 1234.5), 1000.0, ["EMG R FDI"])
    assert len(const) == 0, "constant offset: events found"


def check_nan(detect) -> None:
    x = np.random.default_rng(0).standard_normal((2, 10_000))
    x[1, 777] = np.nan
    with pytest.raises(InputError, match=r"channel 'EMG R BIC'.*NaN"):
        detect(x, 1000.0, ["EMG R FDI", "EMG R BIC"])


def check_1d_2d_float32(detect, make_signal: SignalMaker) -> None:
    x, _ = make_signal(2048.0, 1, False, False)
    a = detect(x, 2048.0, ["X"])
    b = detect(x[None, :], 2048.0, ["X"])
    c = detect(x.astype(np.float32), 2048.0, ["X"])
    assert len(a) > 0, "1-D: nothing detected on a signal with events"
    _same(a, b, "1-D vs 2-D")
    _same(a, c, "float32 vs float64")


def check_edges(detect, make_signal: SignalMaker, edge_events: bool) -> None:
    sfreq = 2048.0
    x, truth = make_signal(sfreq, 2, True, True)
    res = detect(x, sfreq, ["X"])
    if edge_events:
        on = res.events["onset_s"].to_numpy(float)
        off = res.events["offset_s"].to_numpy(float)
        assert on.size and on.min() <= 0.005, f"event at the first sample not found (first onset {on.min() if on.size else None})"
        assert off.max() >= x.size / sfreq - 0.005, "event running to the last sample not found"
    score = res.compare_detection(truth)
    assert score["recall"] >= 0.9, f"edges: {score}"


def check_rates(detect, make_signal: SignalMaker) -> None:
    for sfreq in RATES:
        x, truth = make_signal(sfreq, 3, False, False)
        score = detect(x, sfreq, ["X"]).compare_detection(truth)
        assert score["f1"] >= 0.9, f"{sfreq} Hz: {score}"


def check_raw_vs_array(detect, make_signal: SignalMaker) -> None:
    sfreq = 1000.0
    x, _ = make_signal(sfreq, 4, False, False)
    info = mne.create_info(["EMG R FDI"], sfreq, ch_types=["emg"])
    raw = mne.io.RawArray(x[None, :] * 1e-6, info, verbose="error")  # MNE stores volts
    a = detect(x, sfreq, ["EMG R FDI"])
    b = detect(raw)
    _same(a, b, "Raw vs array")


def check_chunked(detect, make_signal: SignalMaker) -> None:
    x, _ = make_signal(1000.0, 5, False, False)
    a = detect(x, 1000.0, ["X"], settings=ONE_SHOT)
    b = detect(x, 1000.0, ["X"], settings=CHUNKED)
    assert len(a) > 0
    _same(a, b, "chunked vs one-shot")


def check_detector(detect, make_signal: SignalMaker, *, edge_events: bool = True) -> None:
    """Run the whole battery on ``detect``.

    Parameters
    ----------
    detect : callable
        ``detect(source, sfreq=None, ch_names=None, *, settings=None) -> EventResults``.
    make_signal : callable
        ``(sfreq, seed, event_at_start, event_at_end) -> (data_uv 1-D, truth onsets s)``; about
        30 s with a dozen events.
    edge_events : bool
        Whether the detector's rule allows an event at the very first / last sample (a silent
        period needs tonic activity before and after it, so it cannot).
    """
    check_empty(detect)
    check_flat(detect)
    check_nan(detect)
    check_1d_2d_float32(detect, make_signal)
    check_edges(detect, make_signal, edge_events)
    check_rates(detect, make_signal)
    check_raw_vs_array(detect, make_signal)
    check_chunked(detect, make_signal)
