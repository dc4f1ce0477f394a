"""A recording opened for analysis: typed channels, samples in µV read window by window.

``read_recording`` opens any format ``mne.io.read_raw`` reads (EDF/EDF+/BDF, BrainVision, FIF,
EEGLAB ...), an ``mne.io.Raw`` already in memory, WFDB records (``.hea``/``.dat``, through the
``wfdb`` package) and MATLAB ``.mat`` files in the emgGO convention (below). Nothing is loaded up
front: ``Recording.get_data`` reads only the requested window, so a 24 h file never needs its size
in memory.

MATLAB convention
-----------------
A ``.mat`` file (v4-v7.2, read with ``scipy.io.loadmat``) must hold either one struct (emgGO's
``EMG``) or top-level variables with the fields

- ``channelData``: samples x channels (a vector is one channel), numeric;
- ``fs``: sampling rate in Hz (scalar);
- optional ``channelNames`` (or ``labels``): one name per channel (cell array of strings);
- optional ``units``: ``"uV"`` (default), ``"mV"`` or ``"V"``, one for all channels.

Without names the channels are called ``EMG 1`` ... ``EMG n`` and typed as EMG (the emgGO toolbox
holds EMG only); without ``units`` the values are taken as µV and a warning says so.

Privacy
-------
Header identifiers (patient name, id, birth date, recording id, WFDB comments) are dropped when the
file is opened: the MNE ``Raw`` is anonymised and nothing else is kept but the sampling rate,
channel names, units, duration and annotations.
"""
from __future__ import annotations

import functools
import logging
import math
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import mne
import numpy as np

from myoclonus.errors import InputError, did_you_mean
from myoclonus.signals import kernels
from myoclonus.signals.channels import ChannelInfo
from myoclonus.signals.montage import Montage, load_montage, montage_from_dict, suggest, type_channels

__all__ = ["Stimulus", "Recording", "read_recording"]

logger = logging.getLogger(__name__)

#: Kinds whose samples are voltages returned in µV by ``get_data`` (others are returned in SI units).
VOLTAGE_KINDS = frozenset({"emg", "eeg", "eog", "ecg"})
_UNIT_TO_UV = {"v": 1e6, "mv": 1e3, "uv": 1.0, "µv": 1.0, "μv": 1.0, "nv": 1e-3}
_STIM_ANNOTATION = re.compile(r"(?i)\b(stim\w*|trig\w*)")
_STIM_SCAN_S = 60.0  # stimulus channels are scanned in windows of this length (bounded memory)
#: A stimulus-channel event and a stimulus annotation closer than this are the same stimulus
#: (engineering choice: a few samples at 1 kHz; annotations are often rounded to 1 ms or 0.1 ms).
STIMULUS_MATCH_MS = 5.0


@dataclass(frozen=True)
class Stimulus:
    """One stimulus marker.

    Attributes
    ----------
    onset_s : float
        Time from the start of the recording, in seconds.
    label : str
        Annotation text, or ``"<channel>:<code>"`` for a stimulus channel.
    source : str
        ``"annotation"`` or the stimulus channel's name.
    """

    onset_s: float
    label: str
    source: str


# ---------------------------------------------------------------------------------------- backends


class _MneBackend:
    """Samples from an ``mne.io.Raw`` (preloaded or not), scaled per channel to µV / SI."""

    def __init__(self, raw: mne.io.BaseRaw, scales: np.ndarray) -> None:
        self.raw = raw
        self.scales = scales

    def read(self, idx: list[int], start: int, stop: int, dtype=np.float64) -> np.ndarray:
        data = self.raw.get_data(picks=idx, start=start, stop=stop, verbose="error")
        data = np.asarray(data, dtype=dtype)
        data *= self.scales[idx][:, None].astype(dtype)
        return data


class _EdfioBackend:
    """Samples of a single-rate EDF/BDF read with edfio's lazy record reader.

    Measured about 3x faster than ``mne.io.Raw.get_data`` for windowed reads of the same file
    (``benchmarks/bench_analyze.py``, table 3b); used only when it returns the same values as MNE
    (checked on the first seconds when the file is opened).
    """

    def __init__(self, signals: list, sfreq: float, scales: np.ndarray) -> None:
        self.signals = signals
        self.sfreq = sfreq
        self.scales = scales
        self.calibration = [_edf_calibration(s) for s in signals]

    def read(self, idx: list[int], start: int, stop: int, dtype=np.float64) -> np.ndarray:
        out = np.empty((len(idx), stop - start), dtype=dtype)
        t0, t1 = start / self.sfreq, stop / self.sfreq
        for row, i in enumerate(idx):  # one channel at a time
            signal = self.signals[i]
            if self.calibration[i] is None:  # edfio returns such a signal uncalibrated
                out[row] = signal.get_data_slice(t0, t1) * self.scales[i]
            else:  # the same arithmetic in one compiled pass, without float64 temporaries
                offset, gain = self.calibration[i]
                kernels.calibrate(signal.get_digital_slice(t0, t1), offset, gain, float(self.scales[i]), out[row])
        return out


def _edf_calibration(signal) -> tuple[float, float] | None:
    """``(offset, gain)`` with physical = (digital + offset) x gain: the EDF header's linear map of
    the digital range onto the physical range, computed as edfio does (``get_data_slice``), or
    ``None`` when the ranges are degenerate."""
    try:
        gain = (signal.physical_max - signal.physical_min) / (signal.digital_max - signal.digital_min)
        return float(signal.physical_max / gain - signal.digital_max), float(gain)
    except (ZeroDivisionError, ValueError):
        return None


class _ArrayBackend:
    """Samples already in memory, in µV / SI units."""

    def __init__(self, data: np.ndarray) -> None:
        self.data = data

    def read(self, idx: list[int], start: int, stop: int, dtype=np.float64) -> np.ndarray:
        # row by row into the output type: one pass, no float64 copy of the window on the way
        # (picking the rows, then converting, took two: 7.3 vs 3.3 CPU ns per channel-sample for
        # float32 out of bench_analyze.py's 16-channel float64 input)
        out = np.empty((len(idx), stop - start), dtype=dtype)
        for row, i in enumerate(idx):
            out[row] = self.data[i, start:stop]
        return out


class _WfdbBackend:
    """Samples of a WFDB record, read window by window with ``wfdb.rdrecord``."""

    def __init__(self, record_path: str, scales: np.ndarray) -> None:
        self.record_path = record_path
        self.scales = scales

    def read(self, idx: list[int], start: int, stop: int, dtype=np.float64) -> np.ndarray:
        import wfdb

        if stop <= start or not idx:
            return np.zeros((len(idx), max(stop - start, 0)), dtype=dtype)
        rec = wfdb.rdrecord(self.record_path, sampfrom=start, sampto=stop, channels=list(idx), physical=True)
        data = np.asarray(rec.p_signal, dtype=np.float64).T * self.scales[idx][:, None]
        return data.astype(dtype, copy=False)


# --------------------------------------------------------------------------------------- Recording


class Recording:
    """A recording with typed channels, read window by window (implements ``SignalSource``).

    Use :func:`read_recording` or :meth:`Recording.from_array` to make one.

    Attributes
    ----------
    sfreq : float
        Sampling rate in Hz (one rate for all channels; readers up-sample slower channels).
    n_times : int
        Number of samples per channel.
    channels : list of ChannelInfo
        Every channel, typed (kind, muscle, side ...), in file order.
    annotations : mne.Annotations
        Annotations of the file (onsets in seconds from the first sample).
    unmapped : list of str
        Channels that could not be typed (also named in ``warnings``).
    warnings : list of str
        Everything the reader had to assume or could not do.
    source_path : pathlib.Path | None
        The file read, or ``None`` for in-memory data.
    """

    def __init__(
        self,
        *,
        sfreq: float,
        n_times: int,
        channels: list[ChannelInfo],
        backend: _MneBackend | _ArrayBackend | _WfdbBackend,
        annotations: mne.Annotations | None = None,
        unmapped: list[str] | None = None,
        warnings: list[str] | None = None,
        source_path: Path | None = None,
        raw: mne.io.BaseRaw | None = None,
    ) -> None:
        self._sfreq = float(sfreq)
        self._n_times = int(n_times)
        self._channels = list(channels)
        self._backend = backend
        self._index = {ch.name: i for i, ch in enumerate(self._channels)}
        self.annotations = annotations if annotations is not None else mne.Annotations([], [], [])
        self.unmapped = list(unmapped or [])
        self.warnings = list(warnings or [])
        self.source_path = source_path
        self._raw = raw
        self._native_sfreq: dict[str, float] = {}

    # SignalSource -------------------------------------------------------------------------------
    @property
    def sfreq(self) -> float:
        return self._sfreq

    @property
    def n_times(self) -> int:
        return self._n_times

    @property
    def channels(self) -> list[ChannelInfo]:
        return list(self._channels)

    def get_data(self, picks: Sequence[str] | str | None = None, start: int = 0, stop: int | None = None, *,
                 dtype=np.float64) -> np.ndarray:
        """Read samples ``start:stop`` of the picked channels.

        Parameters
        ----------
        picks : list of str | str | None
            Channel names (``None``: all channels).
        start, stop : int
            Sample window (``stop=None``: to the end). Only this window is read from disk.
        dtype : numpy dtype
            float64 (default) or float32 (half the memory; the detectors read float32).

        Returns
        -------
        numpy.ndarray, shape (n_picks, stop - start), ``dtype``
            µV for EMG/EEG/EOG/ECG channels, SI units (as stored) for the others.
        """
        names = self.ch_names if picks is None else ([picks] if isinstance(picks, str) else list(picks))
        idx = []
        for name in names:
            if name not in self._index:
                raise InputError(
                    f"no channel named {name!r} in the recording; channels are {self.ch_names}.{suggest(name, self.ch_names)}",
                    where=self._where,
                )
            idx.append(self._index[name])
        stop = self._n_times if stop is None else int(stop)
        start = int(start)
        if not 0 <= start <= stop <= self._n_times:
            raise InputError(
                f"invalid sample window {start}:{stop}; expected 0 <= start <= stop <= {self._n_times}.",
                where=self._where,
            )
        if not idx or stop == start:
            return np.zeros((len(idx), stop - start), dtype=dtype)
        return self._backend.read(idx, start, stop, dtype)

    # Conveniences -------------------------------------------------------------------------------
    @property
    def ch_names(self) -> list[str]:
        """Channel names in file order."""
        return [ch.name for ch in self._channels]

    @property
    def duration_s(self) -> float:
        """Length of the recording in seconds."""
        return self._n_times / self._sfreq

    @property
    def _where(self) -> str:
        return self.source_path.name if self.source_path is not None else "<recording>"

    def channel(self, name: str) -> ChannelInfo:
        """The ``ChannelInfo`` of one channel (clear error with a suggestion if unknown)."""
        if name not in self._index:
            raise InputError(
                f"no channel named {name!r}; channels are {self.ch_names}.{suggest(name, self.ch_names)}",
                where=self._where,
            )
        return self._channels[self._index[name]]

    def recorded_sfreq(self, name: str) -> float:
        """Rate at which a channel was recorded (lower than ``sfreq`` when the reader up-sampled it)."""
        self.channel(name)
        return self._native_sfreq.get(name, self._sfreq)

    def picks(self, kind: str) -> list[str]:
        """Names of the channels of one kind (``"emg"``, ``"eeg"``, ``"stim"`` ...)."""
        return [ch.name for ch in self._channels if ch.kind == kind]

    @property
    def raw(self) -> mne.io.BaseRaw:
        """The underlying ``mne.io.Raw`` (not preloaded for files; built on demand for arrays)."""
        if self._raw is None:
            data = self.get_data()
            kinds = [ch.kind for ch in self._channels]
            scale = np.array([1e-6 if k in VOLTAGE_KINDS else 1.0 for k in kinds])[:, None]
            info = mne.create_info(self.ch_names, self._sfreq, [_mne_type(k) for k in kinds], verbose="error")
            self._raw = mne.io.RawArray(data * scale, info, verbose="error")
            self._raw.set_annotations(self.annotations, verbose="error")
        return self._raw

    @functools.cached_property
    def stimuli(self) -> list[Stimulus]:
        """Stimulus onsets from stimulus channels (rising edges) and stimulus annotations.

        Annotations count as stimuli when their text names a stimulus or trigger
        (``Stimulus/S  1``, ``stim``, ``trigger`` ...). Stimulus channels are scanned window by window.
        A channel event and an annotation within ``STIMULUS_MATCH_MS`` of each other are one
        stimulus: the channel's sample-exact onset with the annotation's text.
        """
        marked = [
            Stimulus(float(a["onset"]), str(a["description"]), "annotation")
            for a in self.annotations
            if _STIM_ANNOTATION.search(str(a["description"]))
        ]
        from_channels: list[Stimulus] = []
        for name in self.picks("stim"):
            from_channels.extend(self._stim_channel_events(name))
        tolerance_s = STIMULUS_MATCH_MS / 1000.0
        merged = []
        used = set()
        annotation_onsets = np.array([m.onset_s for m in marked])
        for event in from_channels:
            if annotation_onsets.size:
                k = int(np.argmin(np.abs(annotation_onsets - event.onset_s)))
                if k not in used and abs(annotation_onsets[k] - event.onset_s) <= tolerance_s:
                    used.add(k)
                    merged.append(Stimulus(event.onset_s, marked[k].label, f"{event.source}+annotation"))
                    continue
            merged.append(event)
        merged.extend(m for k, m in enumerate(marked) if k not in used)
        return sorted(merged, key=lambda s: (s.onset_s, s.label))

    def _stim_channel_events(self, name: str) -> list[Stimulus]:
        step = max(1, int(_STIM_SCAN_S * self._sfreq))
        lo, hi, integer = math.inf, -math.inf, True
        for start in range(0, self._n_times, step):
            x = self.get_data([name], start, min(start + step, self._n_times))[0]
            if x.size:
                lo, hi = min(lo, float(x.min())), max(hi, float(x.max()))
                integer = integer and bool(np.all(x == np.round(x)))
        if not math.isfinite(lo) or hi == lo:
            return []
        events: list[Stimulus] = []
        prev = None
        for start in range(0, self._n_times, step):
            x = self.get_data([name], start, min(start + step, self._n_times))[0]
            if integer and lo >= 0:
                level = x  # digital trigger codes: a change to a non-zero code is an event
                before = np.concatenate([[prev if prev is not None else 0.0], x[:-1]])
                onsets = np.flatnonzero((level != before) & (level != 0))
                labels = [f"{name}:{int(v)}" for v in level[onsets]]
            else:
                level = (x > (lo + hi) / 2).astype(np.int8)  # analog pulses: rising half-range crossings
                before = np.concatenate([[prev if prev is not None else 0], level[:-1]])
                onsets = np.flatnonzero((level == 1) & (before == 0))
                labels = [name] * len(onsets)
            events.extend(Stimulus(float((start + i) / self._sfreq), lab, name) for i, lab in zip(onsets, labels))
            if x.size:
                prev = level[-1]
        return events

    def __repr__(self) -> str:
        kinds: dict[str, int] = {}
        for ch in self._channels:
            kinds[ch.kind] = kinds.get(ch.kind, 0) + 1
        summary = ", ".join(f"{n} {k}" for k, n in kinds.items())
        return f"<Recording | {self._where} | {len(self._channels)} channels ({summary}) | {self._sfreq:g} Hz | {self.duration_s:.1f} s>"

    # Constructors -------------------------------------------------------------------------------
    @classmethod
    def from_array(
        cls,
        data: Any,
        sfreq: float,
        ch_names: Sequence[str],
        *,
        units: str = "uV",
        montage: Montage | str | os.PathLike | dict | None = None,
        annotations: mne.Annotations | None = None,
    ) -> Recording:
        """Wrap an array (channels x samples) as a recording.

        Parameters
        ----------
        data : array_like, shape (n_channels, n_times) or (n_times,)
            Samples; a vector is one channel.
        sfreq : float
            Sampling rate in Hz.
        ch_names : sequence of str
            One name per channel (typed like file channel names).
        units : {"uV", "mV", "V"}
            Unit of the voltage channels in ``data``.
        montage : Montage | path | dict | None
            Explicit channel typing.
        """
        array = np.asarray(data, dtype=np.float64)
        if array.ndim == 1:
            array = array[None, :]
        where = "<array>"
        if array.ndim != 2:
            raise InputError(f"expected data of shape (n_channels, n_times), got shape {array.shape}.", where=where)
        names = [str(n) for n in ([ch_names] if isinstance(ch_names, str) else ch_names)]
        if len(names) != array.shape[0]:
            raise InputError(
                f"got {len(names)} channel names for {array.shape[0]} channels (data must be n_channels x n_times).",
                where=where,
            )
        sfreq = _check_sfreq(sfreq, where)
        factor = _unit_factor(units, where)
        _check_finite(array, names, where)
        names = _deduplicate(names)
        typing = type_channels(names, montage=_as_montage(montage))
        scales = np.array([factor if ch.kind in VOLTAGE_KINDS else 1.0 for ch in typing.channels])
        if np.any(scales != 1.0):
            array = array * scales[:, None]
        return cls(
            sfreq=sfreq,
            n_times=array.shape[1],
            channels=typing.channels,
            backend=_ArrayBackend(array),
            annotations=annotations,
            unmapped=typing.unmapped,
            warnings=typing.warnings,
        )

    @classmethod
    def from_raw(
        cls,
        raw: mne.io.BaseRaw,
        *,
        montage: Montage | str | os.PathLike | dict | None = None,
        source_path: Path | None = None,
        warnings: list[str] | None = None,
    ) -> Recording:
        """Wrap an ``mne.io.Raw`` (MNE convention: voltages in volts).

        The ``Raw`` is anonymised in place (identifiers removed from ``raw.info``).
        """
        where = source_path.name if source_path else "<Raw>"
        if len(raw.ch_names) == 0:
            raise InputError(
                "the file holds no signal channels, only annotations (e.g. a hypnogram); "
                "pass it as annotations, not as a recording.",
                where=where,
            )
        _anonymise(raw)
        notes = list(warnings or [])
        typing = type_channels(raw.ch_names, montage=_as_montage(montage), hint_kinds=raw.get_channel_types())
        scales = _mne_scales(raw, typing.channels, notes)
        notes.extend(typing.warnings)
        slow = _native_rates(raw)
        notes.extend(_resampled_channel_notes(slow, raw.info["sfreq"]))
        rec = cls(
            sfreq=raw.info["sfreq"],
            n_times=raw.n_times,
            channels=typing.channels,
            backend=_MneBackend(raw, scales),
            annotations=raw.annotations,
            unmapped=typing.unmapped,
            warnings=notes,
            source_path=source_path,
            raw=raw,
        )
        rec._native_sfreq.update(slow)
        return rec


# ----------------------------------------------------------------------------------- read_recording


def read_recording(
    source: str | os.PathLike | mne.io.BaseRaw | Recording,
    *,
    montage: Montage | str | os.PathLike | dict | None = None,
    units: str | None = None,
    reader: str = "auto",
) -> Recording:
    """Open a recording for analysis.

    Parameters
    ----------
    source : path | mne.io.Raw | Recording
        A file in any format ``mne.io.read_raw`` reads, a WFDB record (``.hea``, ``.dat`` or the
        record name), a MATLAB ``.mat`` file (module docstring), or an ``mne.io.Raw``.
    montage : Montage | path | dict | None
        Explicit channel typing (``myoclonus.montage/1`` YAML); default: typing by channel name.
    units : {"uV", "mV", "V"} | None
        Unit of the voltage channels for files that do not state one (MATLAB files); default µV.
        Refused for formats that carry their units (EDF, BrainVision, WFDB ...).
    reader : {"auto", "mne"}
        ``"auto"`` reads single-rate EDF/BDF files up to 256 MB with edfio when it gives the same
        values as MNE (about 3x faster windowed reads); ``"mne"`` always uses MNE.

    Returns
    -------
    Recording

    Raises
    ------
    InputError
        The file is missing, empty, truncated, corrupt, of an unsupported kind, or discontinuous
        (EDF+D); the message names the file and what was expected.
    """
    if reader not in ("auto", "mne"):
        raise InputError(f"invalid reader {reader!r}; allowed values are 'auto' and 'mne'.{did_you_mean(reader, ['auto', 'mne'])}")
    if isinstance(source, Recording):
        if montage is not None or units is not None:
            raise InputError("montage / units cannot be applied to an already opened Recording; pass the file or Raw.")
        return source
    if isinstance(source, mne.io.BaseRaw):
        if units is not None:
            raise InputError("units apply to files that state none; an mne Raw holds volts by convention.")
        return Recording.from_raw(source, montage=montage)
    path = Path(source)
    suffix = path.suffix.lower()
    if suffix in (".hea", ".dat") or (not path.exists() and path.with_suffix(".hea").exists()):
        if units is not None:
            raise InputError(f"units={units!r} is only for files that state no units (MATLAB); WFDB headers carry them.", where=path.name)
        return _read_wfdb(path, montage)
    if not path.exists():
        raise InputError("file not found.", where=str(path))
    if path.is_file() and path.stat().st_size == 0:
        raise InputError("the file is empty (0 bytes).", where=path.name)
    if suffix == ".mat":
        return _read_mat(path, montage, units)
    if units is not None:
        raise InputError(f"units={units!r} is only for files that state no units (MATLAB); this format carries its own.", where=path.name)
    return _read_mne(path, montage, use_edfio=reader == "auto")


def _read_mne(path: Path, montage: Any, *, use_edfio: bool = True) -> Recording:
    where = path.name
    notes: list[str] = []
    if path.suffix.lower() in (".edf", ".bdf"):
        _check_edf_continuous(path)
    try:
        # verbose="error": MNE's reader messages can quote header fields (patient, recording id),
        # so they are not passed on; everything we need is checked below.
        raw = mne.io.read_raw(path, preload=False, verbose="error")
    except ValueError as exc:
        if "yielded no channels" in str(exc):
            raise InputError(
                "the file holds no signal channels, only annotations (e.g. a hypnogram); "
                "pass it as annotations, not as a recording.",
                where=where,
            ) from None
        raise InputError(f"cannot read the file: {_short(exc)}.", where=where) from None
    except Exception as exc:  # noqa: BLE001 - every reader failure becomes one clear message
        raise InputError(f"cannot read the file as a recording ({type(exc).__name__}: {_short(exc)}).", where=where) from None
    if path.suffix.lower() in (".edf", ".bdf"):
        announced = _edf_header_records(path)
        found = getattr(raw, "_raw_extras", [{}])[0].get("n_records")
        if announced not in (None, -1) and found is not None and int(found) != announced:
            # MNE infers the record count from the file size when it disagrees with the header.
            raise InputError(
                f"the file is truncated or padded: the header announces {announced} data records, "
                f"but the file size holds {int(found)}.",
                where=where,
            )
    if path.suffix.lower() in (".edf", ".bdf"):
        _check_edf_size(raw, path)
    if raw.n_times == 0:
        raise InputError("the recording holds no samples.", where=where)
    rec = Recording.from_raw(raw, montage=montage, source_path=path, warnings=notes)
    if use_edfio and path.suffix.lower() in (".edf", ".bdf"):
        fast = _edfio_backend(path, raw, rec._backend)
        if fast is not None:
            rec._backend = fast
    return rec


#: Largest EDF/BDF read with edfio. edfio maps the data records (``numpy.memmap``), so the pages
#: read stay resident: 1.35 GB peak RSS for a 24 h file read once (benchmarks/bench_analyze.py,
#: table 3b). Above this size MNE's window-by-window reads keep memory flat (engineering choice).
_EDFIO_MAX_BYTES = 256 * 2**20
#: Seconds compared between edfio and MNE before edfio is trusted for a file.
_EDFIO_CHECK_S = 2.0
#: Factor from a file's physical unit to what ``mne`` returns (MNE converts voltages to volts).
_UNIT_TO_MNE = {"µv": 1e-6, "uv": 1e-6, "μv": 1e-6, "mv": 1e-3, "v": 1.0, "nv": 1e-9}


def _edfio_backend(path: Path, raw: mne.io.BaseRaw, mne_backend: _MneBackend) -> _EdfioBackend | None:
    """An edfio reader for single-rate EDF/BDF files without stimulus channels, or ``None``.

    Returns ``None`` (the MNE reader stays) whenever edfio cannot read the file, the channels
    differ, rates differ, or the first seconds are not the same values as MNE's.
    """
    import edfio

    if path.stat().st_size > _EDFIO_MAX_BYTES:
        return None  # edfio maps the whole file: resident memory would grow with the part read
    if "stim" in raw.get_channel_types():
        return None  # MNE decodes BDF Status / trigger channels; keep its values
    try:
        reader = edfio.read_bdf if path.suffix.lower() == ".bdf" else edfio.read_edf
        try:
            edf = reader(path, lazy_load_data=True)
        except UnicodeDecodeError:
            edf = reader(path, lazy_load_data=True, header_encoding="latin-1")
        signals = list(edf.signals)
        if len(signals) != len(raw.ch_names) or any(s.sampling_frequency != raw.info["sfreq"] for s in signals):
            return None
        orig_units = getattr(raw, "_orig_units", None) or {}
        to_mne = np.array([_UNIT_TO_MNE.get(str(orig_units.get(n, "")).strip().lower(), 1.0) for n in raw.ch_names])
        backend = _EdfioBackend(signals, float(raw.info["sfreq"]), mne_backend.scales * to_mne)
        n_check = min(raw.n_times, int(_EDFIO_CHECK_S * raw.info["sfreq"]))
        idx = list(range(len(signals)))
        ours, theirs = backend.read(idx, 0, n_check), mne_backend.read(idx, 0, n_check)
        if not np.allclose(ours, theirs, rtol=1e-12, atol=1e-9 * max(1.0, float(np.abs(theirs).max(initial=0.0)))):
            logger.debug("edfio and MNE disagree on %s; reading with MNE", path.name)
            return None
        return backend
    except Exception:  # noqa: BLE001 - any edfio problem: the MNE reader stays
        logger.debug("edfio cannot read %s; reading with MNE", path.name)
        return None


def _check_edf_continuous(path: Path) -> None:
    """Refuse EDF+D / BDF+D: MNE would join the records as if contiguous and shift every onset."""
    with open(path, "rb") as fh:
        header = fh.read(236)
    # EDF/EDF+ header (Kemp & Olivan 2003): bytes 192-235 are the "reserved" field, "EDF+C"/"EDF+D".
    reserved = header[192:236].decode("ascii", "replace").strip()
    if reserved.startswith(("EDF+D", "BDF+D")):
        raise InputError(
            f"{reserved[:5]} (discontinuous) file: its data records are not contiguous in time, and reading them as "
            "one continuous signal would shift every event after a gap. Convert it to EDF+C (continuous segments, "
            "e.g. one file per segment in EDFbrowser) and analyse each segment.",
            where=path.name,
        )


def _edf_header_records(path: Path) -> int | None:
    """Number of data records announced in an EDF/BDF header (bytes 236-243; -1 = unknown)."""
    with open(path, "rb") as fh:
        fh.seek(236)
        field = fh.read(8).decode("ascii", "replace").strip()
    try:
        return int(field)
    except ValueError:
        return None


def _check_edf_size(raw: mne.io.BaseRaw, path: Path) -> None:
    """A truncated EDF/BDF (fewer bytes than its header promises) is an error, not silent zeros."""
    try:
        extras = raw._raw_extras[0]
        expected = int(extras["data_offset"]) + int(extras["n_records"]) * int(np.sum(extras["n_samps"])) * int(extras["dtype_byte"])
    except (AttributeError, KeyError, IndexError, TypeError):
        return
    actual = path.stat().st_size
    if actual < expected:
        record_bytes = int(np.sum(extras["n_samps"])) * int(extras["dtype_byte"])
        complete = max(0, (actual - int(extras["data_offset"])) // max(record_bytes, 1))
        raise InputError(
            f"the file is truncated: the header announces {int(extras['n_records'])} data records "
            f"({expected} bytes) but the file has {actual} bytes ({complete} complete records).",
            where=path.name,
        )


def _read_wfdb(path: Path, montage: Any) -> Recording:
    import wfdb

    record = str(path.with_suffix("")) if path.suffix.lower() in (".hea", ".dat") else str(path)
    where = Path(record).name
    if not Path(record + ".hea").exists():
        raise InputError("WFDB header (.hea) not found beside the record.", where=where)
    try:
        header = wfdb.rdheader(record)
    except Exception as exc:  # noqa: BLE001
        raise InputError(f"cannot read the WFDB header ({type(exc).__name__}: {_short(exc)}).", where=where) from None
    n_times = int(header.sig_len or 0)
    if n_times == 0 or not header.sig_name:
        raise InputError("the WFDB record holds no samples.", where=where)
    names = _deduplicate([str(n) for n in header.sig_name])
    notes: list[str] = []
    typing = type_channels(names, montage=_as_montage(montage))
    scales = []
    for ch, unit in zip(typing.channels, header.units or [None] * len(names)):
        factor = _UNIT_TO_UV.get(str(unit).strip().lower()) if unit else None
        if ch.kind in VOLTAGE_KINDS:
            if factor is None:
                notes.append(f"channel {ch.name!r}: unit {unit!r} is not a voltage; values taken as µV.")
                factor = 1.0
            scales.append(factor)
        else:
            scales.append(1.0)
    # The last sample must exist on disk (a truncated .dat is refused up front, not at analysis time).
    try:
        wfdb.rdrecord(record, sampfrom=n_times - 1, sampto=n_times, physical=True)
    except Exception as exc:  # noqa: BLE001
        raise InputError(f"cannot read the WFDB signal file ({type(exc).__name__}: {_short(exc)}).", where=where) from None
    notes.extend(typing.warnings)
    return Recording(
        sfreq=float(header.fs),
        n_times=n_times,
        channels=typing.channels,
        backend=_WfdbBackend(record, np.array(scales)),
        unmapped=typing.unmapped,
        warnings=notes,
        source_path=Path(record + ".hea"),
    )


_MAT_EXPECTED = (
    "expected one struct (e.g. emgGO's 'EMG') or top-level variables with fields 'channelData' "
    "(samples x channels) and 'fs' (Hz), optional 'channelNames' and 'units'"
)


def _read_mat(path: Path, montage: Any, assumed_units: str | None = None) -> Recording:
    import scipy.io

    where = path.name
    try:
        content = scipy.io.loadmat(path, squeeze_me=True, struct_as_record=False)
    except NotImplementedError:
        raise InputError("MATLAB v7.3 (HDF5) files are not supported; save it with save(..., '-v7').", where=where) from None
    except Exception as exc:  # noqa: BLE001
        raise InputError(f"cannot read the MATLAB file ({type(exc).__name__}: {_short(exc)}).", where=where) from None
    variables = {k: v for k, v in content.items() if not k.startswith("__")}
    fields: dict[str, Any] | None = None
    if "channelData" in variables:
        fields = variables
    else:
        structs = [v for v in variables.values() if isinstance(v, scipy.io.matlab.mat_struct)]
        if len(structs) == 1:
            fields = {name: getattr(structs[0], name) for name in structs[0]._fieldnames}
    if fields is None or "channelData" not in fields or "fs" not in fields:
        found = sorted(variables) if fields is None else sorted(fields)
        raise InputError(f"MATLAB content not understood (found {found}); {_MAT_EXPECTED}.", where=where)
    try:
        data = np.asarray(fields["channelData"], dtype=np.float64)
        sfreq = float(np.asarray(fields["fs"]).squeeze())
    except (TypeError, ValueError):
        raise InputError(f"'channelData' must be numeric and 'fs' a number; {_MAT_EXPECTED}.", where=where) from None
    if data.ndim == 1:
        data = data[:, None]
    if data.ndim != 2 or data.size == 0:
        raise InputError(f"'channelData' must be a non-empty samples x channels matrix, got shape {data.shape}.", where=where)
    notes = []
    names_field = fields.get("channelNames", fields.get("labels"))
    if names_field is not None:
        names = [str(n) for n in np.atleast_1d(names_field)]
        if len(names) != data.shape[1]:
            raise InputError(
                f"'channelNames' has {len(names)} names for {data.shape[1]} channels (channelData is samples x channels).",
                where=where,
            )
    else:
        names = [f"EMG {i + 1}" for i in range(data.shape[1])]
    units = fields.get("units")
    if units is not None and assumed_units is not None and str(units).strip().lower() != assumed_units.strip().lower():
        raise InputError(f"the file states units {str(units)!r} but units={assumed_units!r} was given.", where=where)
    if units is None:
        units = assumed_units or "uV"
        notes.append(f"MATLAB file states no units; values taken as {units}" + ("." if assumed_units else " (default)."))
    try:
        rec = Recording.from_array(data.T, sfreq, names, units=str(units), montage=montage)
    except InputError as exc:
        raise InputError(exc.message, where=where) from None
    rec.source_path = path
    rec.warnings = notes + rec.warnings
    return rec


# ------------------------------------------------------------------------------------------ helpers


def _as_montage(montage: Montage | str | os.PathLike | dict | None) -> Montage | None:
    if montage is None or isinstance(montage, Montage):
        return montage
    if isinstance(montage, dict):
        return montage_from_dict(montage)
    return load_montage(montage)


def _anonymise(raw: mne.io.BaseRaw) -> None:
    """Drop patient / recording identifiers from ``raw.info`` (kept nowhere else)."""
    try:
        raw.anonymize(daysback=None, keep_his=False, verbose="error")
    except Exception:  # noqa: BLE001 - some readers store meas_date oddly; clear the fields directly
        with raw.info._unlock():
            raw.info["subject_info"] = None
            raw.info["experimenter"] = None
            raw.info["description"] = None
            raw.info["proj_name"] = None


def _unit_factor(units: str, where: str) -> float:
    key = str(units).strip().lower()
    if key not in _UNIT_TO_UV:
        raise InputError(
            f"unknown units {units!r}; expected one of 'uV', 'mV', 'V'.{did_you_mean(key, _UNIT_TO_UV)}", where=where
        )
    return _UNIT_TO_UV[key]


def _check_sfreq(sfreq: Any, where: str) -> float:
    try:
        value = float(sfreq)
    except (TypeError, ValueError):
        raise InputError(f"sampling rate must be a number in Hz, got {sfreq!r}.", where=where) from None
    if not math.isfinite(value) or value <= 0:
        raise InputError(f"sampling rate must be a positive number in Hz, got {sfreq!r}.", where=where)
    return value


def _check_finite(array: np.ndarray, names: Sequence[str], where: str) -> None:
    # a row's sum is finite when every sample is (a NaN or an infinity makes it NaN or infinite): one
    # read of the array (0.06 s for 1 h of 16 channels at 2048 Hz against 0.10 s for np.isfinite,
    # measured); only a sum that is not finite (a bad sample, or an overflow) is looked at sample by sample
    with np.errstate(over="ignore", invalid="ignore"):
        sums = np.sum(array, axis=1)
    if np.isfinite(sums).all():
        return
    bad = ~np.isfinite(array)
    if bad.any():
        counts = bad.sum(axis=1)
        first = int(np.flatnonzero(counts)[0])
        raise InputError(
            f"channel {names[first]!r} has {int(counts[first])} non-finite samples (NaN or inf) of {array.shape[1]}; "
            "fill or cut those stretches before analysis.",
            where=where,
        )


def _deduplicate(names: Sequence[str]) -> list[str]:
    """Make channel names unique the way MNE does (``name-0``, ``name-1``)."""
    counts: dict[str, int] = {}
    for n in names:
        counts[n] = counts.get(n, 0) + 1
    seen: dict[str, int] = {}
    out = []
    for n in names:
        if counts[n] > 1:
            out.append(f"{n}-{seen.get(n, 0)}")
            seen[n] = seen.get(n, 0) + 1
        else:
            out.append(n)
    return out


def _mne_type(kind: str) -> str:
    return {"acc": "misc"}.get(kind, kind)


def _mne_scales(raw: mne.io.BaseRaw, channels: list[ChannelInfo], notes: list[str]) -> np.ndarray:
    """Per-channel factor from what ``raw.get_data`` returns to µV (voltage kinds) or SI (others).

    MNE returns volts for channels whose file unit is a voltage (µV, mV, V); for a non-voltage or
    missing unit (``n/a``) it returns the stored number unchanged, which is then taken as µV.
    """
    orig_units = getattr(raw, "_orig_units", None) or {}
    scales = np.ones(len(channels))
    for i, (ch, info_ch) in enumerate(zip(channels, raw.info["chs"])):
        if ch.kind not in VOLTAGE_KINDS:
            continue
        unit = orig_units.get(ch.name)
        if unit is None:
            scales[i] = 1e6  # MNE convention: voltages in volts
            continue
        if str(unit).strip().lower() in _UNIT_TO_UV:
            scales[i] = 1e6
        else:
            scales[i] = 1.0
            notes.append(f"channel {ch.name!r}: unit {unit!r} is not a voltage; values taken as µV.")
    return scales


def _native_rates(raw: mne.io.BaseRaw) -> dict[str, float]:
    """Recorded rate of the channels an EDF/BDF reader up-sampled to ``raw.info['sfreq']``."""
    try:
        extras = raw._raw_extras[0]
        n_samps = np.asarray(extras["n_samps"])
        record_s = float(np.atleast_1d(extras["record_length"])[0])
        sel = list(extras.get("sel", range(len(raw.ch_names))))
    except (AttributeError, KeyError, IndexError, TypeError):
        return {}
    rates = {raw.ch_names[k]: float(n_samps[j] / record_s) for k, j in enumerate(sel) if j < len(n_samps) and k < len(raw.ch_names)}
    return {n: r for n, r in rates.items() if r < raw.info["sfreq"]}


def _resampled_channel_notes(slow: dict[str, float], sfreq: float) -> list[str]:
    """Name channels that the reader up-sampled from a lower rate."""
    if not slow:
        return []
    listing = ", ".join(f"{n!r} ({r:g} Hz)" for n, r in slow.items())
    return [f"channels recorded at lower rates were up-sampled by the reader to {sfreq:g} Hz: {listing}."]


def _short(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text[:200]
