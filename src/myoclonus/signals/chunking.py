"""Overlapping-chunk driver over a :class:`~myoclonus.signals.channels.SignalSource`.

Long recordings are never loaded whole: each chunk is read with ``overlap`` samples on both
sides, processed, and only the events whose onset lies in the chunk's *core* are kept. Chunk
cores and overlaps are whole multiples of the detectors' baseline block, and every decision the
detectors make is local (a few seconds), so chunked results are identical to one-shot results
as long as the overlap exceeds the filter settling time plus the longest event (tested in
``tests/signals/test_chunking.py``).

This module also turns what users pass (a ``SignalSource`` such as a ``Recording``, an
``mne.io.Raw`` or a NumPy array with ``sfreq`` and ``ch_names``) into one ``SignalSource``.
"""
from __future__ import annotations

import logging
import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np

from myoclonus.errors import InputError, did_you_mean
from myoclonus.settings import ChunkSettings
from myoclonus.signals.channels import ChannelInfo

__all__ = ["ArraySource", "Chunk", "as_signal_source", "iter_chunks", "pick_emg", "read_float32", "BLOCK_S"]

logger = logging.getLogger(__name__)

#: Length of the baseline block: every adaptive statistic (background level, flat, clipping) is
#: computed per block of this length aligned to the start of the recording (engineering choice:
#: 1 s holds enough background between myoclonic bursts and follows slow changes of tonic level).
BLOCK_S = 1.0


class ArraySource:
    """A NumPy array in µV presented as a :class:`SignalSource`.

    Parameters
    ----------
    data_uv : ndarray, shape (n_channels, n_times) or (n_times,)
    sfreq : float
    ch_names : sequence of str | None
        Default ``EMG1..EMGn``.
    channels : sequence of ChannelInfo | None
        Channel metadata; default every channel is EMG with unknown muscle. When channel names
        follow CONTRACTS §3 and the montage parser is available, muscle and side are filled in.
    """

    def __init__(self, data_uv: np.ndarray, sfreq: float, ch_names: Sequence[str] | None = None,
                 channels: Sequence[ChannelInfo] | None = None) -> None:
        arr = np.asarray(data_uv)
        if arr.ndim == 1:
            arr = arr[None, :]
        if arr.ndim != 2:
            raise InputError(f"expected an array of shape (n_channels, n_times) or (n_times,), got shape {arr.shape}.", where="data")
        if not np.issubdtype(arr.dtype, np.number) or np.iscomplexobj(arr):
            raise InputError(f"expected real numbers in µV, got dtype {arr.dtype}.", where="data")
        if sfreq is None:
            raise InputError("sfreq is required when passing an array (sampling rate in Hz).", where="sfreq")
        sfreq = float(sfreq)
        if not math.isfinite(sfreq) or sfreq <= 0:
            raise InputError(f"sfreq must be a positive number of Hz, got {sfreq!r}.", where="sfreq")
        if ch_names is None:
            ch_names = [ch.name for ch in channels] if channels is not None else [f"EMG{i + 1}" for i in range(arr.shape[0])]
        ch_names = [str(c) for c in ch_names]
        if len(ch_names) != arr.shape[0]:
            raise InputError(f"got {len(ch_names)} channel names for {arr.shape[0]} channels in the array.", where="ch_names")
        if len(set(ch_names)) != len(ch_names):
            dup = sorted({c for c in ch_names if ch_names.count(c) > 1})
            raise InputError(f"duplicate channel names {dup}.", where="ch_names")
        if channels is None:
            channels = [_channel_from_name(name) for name in ch_names]
        self._data = arr
        self._sfreq = sfreq
        self._channels = list(channels)
        self._index = {name: i for i, name in enumerate(ch_names)}

    @property
    def sfreq(self) -> float:
        return self._sfreq

    @property
    def n_times(self) -> int:
        return int(self._data.shape[1])

    @property
    def channels(self) -> list[ChannelInfo]:
        return list(self._channels)

    def get_data(self, picks: list[str], start: int, stop: int, *, dtype=np.float64) -> np.ndarray:
        idx = [self._index[p] for p in picks]
        return self._data[idx, start:stop].astype(dtype, copy=False)


def _channel_from_name(name: str) -> ChannelInfo:
    """EMG channel info from its name, using the montage parser when it is available."""
    try:  # the montage module is optional at this layer (owned by the recording stage)
        from myoclonus.signals import montage  # noqa: PLC0415

        parse = getattr(montage, "parse_channel_name", None)
        if parse is not None:
            info = parse(name)
            if isinstance(info, ChannelInfo):
                if info.kind in ("emg", "misc"):
                    return ChannelInfo(name=name, kind="emg", muscle=info.muscle, side=info.side, level=info.level, nerve=info.nerve)
                return ChannelInfo(name=name, kind=info.kind, muscle=info.muscle, side=info.side, level=info.level, nerve=info.nerve)
    except Exception:  # noqa: BLE001 - any parser problem: fall back to a plain EMG channel
        logger.debug("montage parser unavailable for %r", name, exc_info=True)
    return ChannelInfo(name=name, kind="emg")


def _raw_to_source(raw) -> object:
    """An ``mne.io.Raw`` as a SignalSource (through ``read_recording`` when available)."""
    try:
        from myoclonus.signals.recording import read_recording  # noqa: PLC0415

        return read_recording(raw)
    except ImportError:
        pass
    types = raw.get_channel_types()
    names = list(raw.ch_names)
    emg = [n for n, t in zip(names, types) if t == "emg"]
    if not emg:
        raise InputError("the Raw object has no channel of type 'emg'; set channel types with raw.set_channel_types().", where="raw")
    data = raw.get_data(picks=emg) * 1e6
    return ArraySource(data, raw.info["sfreq"], emg)


def as_signal_source(source, sfreq: float | None = None, ch_names: Sequence[str] | None = None):
    """Whatever the user passed, as a SignalSource.

    Parameters
    ----------
    source : SignalSource | mne.io.BaseRaw | ndarray
    sfreq, ch_names
        Needed for arrays only.
    """
    if hasattr(source, "get_data") and hasattr(source, "channels") and hasattr(source, "n_times"):
        return source
    try:
        import mne  # noqa: PLC0415

        if isinstance(source, mne.io.BaseRaw):
            return _raw_to_source(source)
    except ImportError:  # pragma: no cover - mne is a core dependency
        pass
    if isinstance(source, (np.ndarray, list, tuple)):
        return ArraySource(np.asarray(source), sfreq, ch_names)
    raise InputError(
        f"cannot analyse an object of type {type(source).__name__}; pass a Recording, an mne.io.Raw, "
        "or a NumPy array (n_channels, n_times) in µV with sfreq and ch_names.",
        where="source",
    )


def read_float32(source, picks: list[str], start: int, stop: int) -> np.ndarray:
    """Samples ``start:stop`` of ``picks`` as float32 (half the memory of float64).

    Sources whose ``get_data`` takes ``dtype`` (``Recording``, arrays) read float32 directly; any
    other SignalSource is read as it reads and converted.
    """
    try:
        return source.get_data(picks, start, stop, dtype=np.float32)
    except TypeError:  # a SignalSource without the dtype keyword
        return np.asarray(source.get_data(picks, start, stop), dtype=np.float32)


def pick_emg(source, channels: Sequence[str] | None) -> list[ChannelInfo]:
    """The EMG channels to analyse (all EMG channels, or the named ones)."""
    all_ch = list(source.channels)
    by_name = {ch.name: ch for ch in all_ch}
    if channels is None:
        picked = [ch for ch in all_ch if ch.kind == "emg"]
        return picked
    picked = []
    for name in channels:
        if name not in by_name:
            raise InputError(
                f"channel {name!r} is not in the recording; channels are {list(by_name)}." + suggest(name, list(by_name)),
                where="channels",
            )
        picked.append(by_name[name])
    return picked


def suggest(value: str, choices: list[str]) -> str:
    """Case-insensitive "Did you mean ...?" giving back the original spelling."""
    lower = {c.lower(): c for c in choices}
    hint = did_you_mean(value, list(lower))
    if not hint:
        return ""
    match = hint.split("'")[1]
    return f" Did you mean '{lower.get(match, match)}'?"


@dataclass(frozen=True)
class Chunk:
    """One chunk: read ``[start, stop)``, keep events with onset in ``[core_start, core_stop)``."""

    start: int
    stop: int
    core_start: int
    core_stop: int


def iter_chunks(n_times: int, sfreq: float, chunk_s: float | None, overlap_s: float) -> Iterator[Chunk]:
    """Cut ``n_times`` samples into overlapping chunks aligned to the baseline blocks.

    Parameters
    ----------
    n_times : int
    sfreq : float
    chunk_s : float | None
        Core length; None (or longer than the recording) gives one chunk.
    overlap_s : float
        Extra samples read on each side.
    """
    block = block_samples(sfreq)
    if chunk_s is None or n_times <= 0:
        yield Chunk(0, n_times, 0, n_times)
        return
    core = max(int(round(chunk_s / BLOCK_S)), 1) * block
    over = int(math.ceil(overlap_s / BLOCK_S)) * block
    if core >= n_times:
        yield Chunk(0, n_times, 0, n_times)
        return
    for core_start in range(0, n_times, core):
        core_stop = min(core_start + core, n_times)
        yield Chunk(max(core_start - over, 0), min(core_stop + over, n_times), core_start, core_stop)


def chunk_core_s(settings: ChunkSettings, sfreq: float, n_channels: int) -> float:
    """Core length of the chunks of ``n_channels`` channels: ``settings.chunk_s``, shortened so
    that a chunk with its overlaps holds at most ``settings.max_chunk_samples`` samples (at least
    one baseline block)."""
    budget_s = settings.max_chunk_samples / (max(int(n_channels), 1) * float(sfreq)) - 2.0 * settings.overlap_s
    return max(min(float(settings.chunk_s), budget_s), BLOCK_S)


def block_samples(sfreq: float) -> int:
    """Samples per baseline block."""
    return max(int(round(BLOCK_S * sfreq)), 1)
