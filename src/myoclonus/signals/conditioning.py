"""EMG conditioning: band-pass, mains detection and notch, rectified envelope.

One forward pass of a cascade of second-order sections per channel (float32 signal, float64
arithmetic, compiled in :mod:`myoclonus.signals.kernels`), followed by a
constant shift that removes the filter's group delay in the EMG band. A causal filter cannot put
energy before the true onset of a burst, so after the delay shift the onset bias is a fraction of
a millisecond; a forward-backward (zero-phase) pass would double the cost and smear each burst
symmetrically backwards in time instead.

The mains frequency (50 or 60 Hz) is found in the data, never assumed: the power spectrum of a
probe at the start of the recording is compared at 50 and 60 Hz with its neighbouring bins, and
only the harmonics that stand out in a channel are notched in that channel.
"""
from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
from scipy import signal

from myoclonus.settings import ConditioningSettings
from myoclonus.signals import kernels

__all__ = [
    "EmgFilter",
    "MainsReport",
    "detect_mains",
    "design_emg_filter",
    "band_edges_hz",
    "apply_filter",
    "apply_filters",
    "RectifiedEnvelopes",
    "row_medians",
    "rectified_moving_averages",
]

logger = logging.getLogger(__name__)

#: Candidate mains frequencies (the two used worldwide).
MAINS_CANDIDATES_HZ = (50.0, 60.0)
#: A mains line must stand this many times (power) above its neighbouring bins: 10 dB
#: (engineering choice; an unshielded surface-EMG channel shows 20-40 dB).
MAINS_MIN_RATIO = 10.0
#: Once the fundamental is established, a harmonic is removed when it stands 3x (5 dB) above its
#: neighbours (engineering choice: a harmonic left in a silent period fakes tonic activity;
#: removing an absent one costs a 1.7-Hz-wide notch).
HARMONIC_MIN_RATIO = 3.0
#: Notch quality factor: -3 dB width of f0/Q, i.e. 1.7 Hz at 50 Hz (engineering choice; narrow
#: enough to leave the EMG spectrum, wide enough for mains drift of +-0.2 Hz).
NOTCH_Q = 30.0


def band_edges_hz(sfreq: float, settings: ConditioningSettings) -> tuple[float, float]:
    """EMG band actually used: the high-pass and a low-pass clipped below Nyquist.

    The upper edge is ``min(lowpass_hz, lowpass_max_fraction x sfreq)`` so the filter stays
    stable and meaningful at any rate (at 500 Hz: 20-225 Hz).
    """
    high = min(float(settings.lowpass_hz), settings.lowpass_max_fraction * float(sfreq))
    low = float(settings.highpass_hz)
    if high <= low * 1.5:
        # very low rates (< ~90 Hz) leave no EMG band; keep a narrow valid band rather than fail
        low = high / 3.0
    return low, high


@dataclass(frozen=True)
class MainsReport:
    """Mains interference found in the data.

    Attributes
    ----------
    mains_hz : float | None
        50 or 60 Hz, or None when no channel shows a line.
    harmonics_hz : dict[str, tuple[float, ...]]
        Per channel, the harmonics (including the fundamental) that stand out and are notched.
    """

    mains_hz: float | None
    harmonics_hz: dict[str, tuple[float, ...]]


def _line_ratio(freqs: np.ndarray, psd: np.ndarray, f0: float) -> np.ndarray:
    """Power at ``f0`` over the median power of bins 3-8 Hz away (per channel)."""
    at = np.abs(freqs - f0) <= 0.6
    near = (np.abs(freqs - f0) >= 3.0) & (np.abs(freqs - f0) <= 8.0)
    if not at.any() or not near.any():
        return np.zeros(psd.shape[0])
    peak = psd[:, at].max(axis=1)
    floor = np.median(psd[:, near], axis=1)
    return peak / np.maximum(floor, np.finfo(float).tiny)


def _median_periodogram(x: np.ndarray, sfreq: float, max_hz: float | None = None,
                        n_threads: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """Median (over half-overlapping 1-s Hann segments) periodogram of each row of ``x``.

    The segments, window, mean removal and one-sided doubling are those of
    ``scipy.signal.welch(x, fs=sfreq, nperseg=round(sfreq), detrend="constant",
    average="median")``; the constant density scaling and the median bias correction are left
    out because :func:`_line_ratio` only compares bins with each other. Written out because
    ``welch`` spends most of its time on generic detrending (measured: 4x faster on a 60-s,
    16-channel probe). NaNs count as zeros. With ``max_hz`` only the bins up to it are returned
    (the median over segments, the costly part, is then taken on those bins only). Channels are
    spread over ``n_threads`` threads (NumPy's FFT and sort release the GIL).
    """
    nper = int(round(sfreq))  # 1 Hz resolution
    step = nper - nper // 2
    window = signal.get_window("hann", nper).astype(np.float64)
    freqs = np.fft.rfftfreq(nper, 1.0 / sfreq)
    n_seg = (x.shape[-1] - nper) // step + 1
    if n_seg < 1:  # shorter than one segment (fractional rates): welch shortens the segment
        freqs, psd = signal.welch(np.nan_to_num(np.asarray(x, dtype=np.float64)), fs=sfreq, nperseg=nper, axis=-1,
                                  detrend="constant", average="median")
        return freqs, np.atleast_2d(psd)
    n_keep = freqs.size if max_hz is None else int(np.searchsorted(freqs, max_hz, side="right"))
    psd = np.empty((x.shape[0], n_keep))

    def one_channel(i: int) -> None:  # one channel at a time per thread keeps the segment copy small
        row = np.nan_to_num(np.asarray(x[i], dtype=np.float64))
        seg = np.lib.stride_tricks.sliding_window_view(row, nper)[: n_seg * step : step]
        seg = (seg - seg.mean(axis=1, keepdims=True)) * window
        power = np.abs(np.fft.rfft(seg, axis=1)[:, :n_keep]) ** 2
        psd[i] = row_medians(power.T)  # the median over segments

    n_threads = min(max(int(n_threads), 1), x.shape[0])
    if n_threads > 1:
        with ThreadPoolExecutor(max_workers=n_threads) as executor:
            list(executor.map(one_channel, range(x.shape[0])))
    else:
        for i in range(x.shape[0]):
            one_channel(i)
    psd[:, 1:] *= 2.0  # one-sided: double all but DC (and Nyquist)
    if nper % 2 == 0 and n_keep == freqs.size:
        psd[:, -1] /= 2.0
    return freqs[:n_keep], psd


def row_medians(a: np.ndarray) -> np.ndarray:
    """``np.median(a, axis=1)`` with the same values (the middle value, or the mean of the middle
    two in ``a``'s type), from a SIMD sort: measured 6x faster than NumPy's partition on 256-value
    rows, and faster still along a strided axis."""
    ordered = np.sort(a, axis=1)
    n = a.shape[1]
    mid = (n - 1) // 2
    return ordered[:, mid] if n % 2 else (ordered[:, mid] + ordered[:, mid + 1]) / a.dtype.type(2)


def detect_mains(data_uv: np.ndarray, sfreq: float, ch_names: list[str], settings: ConditioningSettings,
                 n_threads: int = 1) -> MainsReport:
    """Find the mains frequency and, per channel, which harmonics to notch.

    Parameters
    ----------
    data_uv : ndarray, shape (n_channels, n_times)
        A probe of the recording (the detectors pass its first ``mains_probe_s`` seconds, so the
        decision does not depend on how the recording is chunked).
    sfreq : float
        Sampling rate in Hz.
    ch_names : list of str
        Channel names.
    settings : ConditioningSettings
    n_threads : int
        Threads for the periodograms (one channel each).

    Returns
    -------
    MainsReport
    """
    empty = MainsReport(None, {ch: () for ch in ch_names})
    if not settings.notch_auto or data_uv.shape[-1] < int(sfreq):
        return empty
    _, high = band_edges_hz(sfreq, settings)
    # every bin read below lies within 8 Hz of a candidate line or of a harmonic under high + 10 Hz
    top_hz = max(max(MAINS_CANDIDATES_HZ), high + 10.0) + 8.0 + 1.0
    freqs, psd = _median_periodogram(np.atleast_2d(data_uv), sfreq, max_hz=top_hz, n_threads=n_threads)
    best_hz, best_ratio = None, MAINS_MIN_RATIO
    for f0 in MAINS_CANDIDATES_HZ:
        if f0 >= sfreq / 2 - 5:
            continue
        ratio = float(np.max(_line_ratio(freqs, psd, f0)))
        if ratio > best_ratio:
            best_hz, best_ratio = f0, ratio
    if best_hz is None:
        return empty
    harmonics: dict[str, tuple[float, ...]] = {}
    for i, ch in enumerate(ch_names):
        keep = []
        k = 1
        while k * best_hz < min(high + 10.0, sfreq / 2 - 5):
            if _line_ratio(freqs, psd[i : i + 1], k * best_hz)[0] > (MAINS_MIN_RATIO if k == 1 else HARMONIC_MIN_RATIO):
                keep.append(k * best_hz)
            k += 1
        harmonics[ch] = tuple(keep)
    logger.info("mains at %.0f Hz (line/floor power ratio %.0f)", best_hz, best_ratio)
    return MainsReport(best_hz, harmonics)


@dataclass(frozen=True)
class EmgFilter:
    """A designed EMG filter: band-pass sections, mains resonators and the group delay to undo.

    Attributes
    ----------
    sos : ndarray, shape (n_sections, 6)
        Band-pass sections, float64 coefficients.
    mains_sos : tuple of ndarray
        One resonator (``scipy.signal.iirpeak``) per notched mains harmonic.
    delay_samples : int
        Group delay of the band-pass in the EMG band, in samples (removed by shifting).
    band_hz : tuple of float
        (high-pass, low-pass) edges used.
    notch_hz : tuple of float
        Notched frequencies.
    sfreq : float
        Sampling rate the filter was designed for.
    """

    sos: np.ndarray
    mains_sos: tuple[np.ndarray, ...]
    delay_samples: int
    band_hz: tuple[float, float]
    notch_hz: tuple[float, ...]
    sfreq: float


def design_emg_filter(sfreq: float, settings: ConditioningSettings, notch_hz: tuple[float, ...] = ()) -> EmgFilter:
    """Design the forward-only EMG filter (Butterworth band-pass + mains resonators).

    The group delay is the median group delay of the band-pass over the central EMG band,
    rounded to whole samples.
    """
    low, high = band_edges_hz(sfreq, settings)
    sos = np.vstack([
        signal.butter(settings.filter_order, low, btype="highpass", fs=sfreq, output="sos"),
        signal.butter(settings.filter_order, high, btype="lowpass", fs=sfreq, output="sos"),
    ])
    mains = tuple(signal.tf2sos(*signal.iirpeak(f0, NOTCH_Q, fs=sfreq)) for f0 in notch_hz)
    delay = _group_delay_samples(sos, sfreq, low, high)
    return EmgFilter(sos=sos, mains_sos=mains, delay_samples=max(delay, 0), band_hz=(low, high), notch_hz=tuple(notch_hz), sfreq=float(sfreq))


def _group_delay_samples(sos: np.ndarray, sfreq: float, low: float, high: float) -> int:
    """Median group delay (samples) of ``sos`` over the central EMG band, from the unwrapped phase."""
    freqs = np.linspace(low * 1.5, high * 0.8, 256)
    _, h = signal.sosfreqz(sos, worN=freqs, fs=sfreq)
    phase = np.unwrap(np.angle(h))
    gd_s = -np.gradient(phase, 2 * np.pi * freqs)
    return int(round(float(np.median(gd_s)) * sfreq))


#: Robust clipping level (in robust SD of the band-passed signal, per block) applied to the copy
#: from which the mains line is estimated: a burst then cannot excite the narrow resonator and
#: leave a ringing tail after it (engineering choice; Gaussian background is never clipped at 4 SD).
MAINS_CLIP_SD = 4.0
#: Evenly spaced samples of a block whose median absolute residual sets the clipping level (engineering
#: choice: the median of 256 samples is within ~7 % of the block's; a 7 % change of a 4-SD clip is immaterial).
MAINS_CLIP_MEDIAN_SAMPLES = 256
#: A section that passes its input unchanged (pads an odd cascade).
_IDENTITY_SECTION = np.array([[1.0, 0.0, 0.0, 1.0, 0.0, 0.0]])
#: Length of the warm-up before the recording start (:func:`_warmup`), also the length of the
#: start to which its line and mains are fitted (engineering choice: 25-30 mains periods, several
#: settling times of the 20-Hz high-pass).
WARMUP_S = 0.5
#: Span at the start whose median residual is the level the warm-up is reflected through
#: (:func:`_warmup`; engineering choice: long enough that one noise sample does not set the level,
#: short against the 20-Hz high-pass period so a slow wave's level is that at the start).
WARMUP_LEVEL_MS = 5.0


def apply_filter(x: np.ndarray, filt: EmgFilter, *, block: int | None = None, at_recording_start: bool = False) -> np.ndarray:
    """Filter one channel forward (float32 result), remove mains, shift back by the group delay.

    Mains removal subtracts each harmonic estimated by a narrow resonator from a copy of the
    band-passed signal clipped at :data:`MAINS_CLIP_SD` robust SD (per block). Without the
    clipping this is exactly a notch filter; with it, large bursts do not ring through the notch.

    Parameters
    ----------
    x : ndarray, shape (n_times,)
        Raw EMG in µV.
    filt : EmgFilter
    block : int | None
        Samples per baseline block (robust scale for the mains clipping); default 1 s.
    at_recording_start : bool
        Start the band-pass in the state reached over a warm-up before sample 0 (:func:`_warmup`: the
        line and mains fitted to the first samples continued backwards, plus the mirrored rest) so
        the filters start settled (only at sample 0 of a recording, so chunked and one-shot runs agree).

    Returns
    -------
    ndarray, float32, shape (n_times,)
        The delay-compensated band-passed signal; the last ``delay_samples`` samples are zero.
    """
    return apply_filters(x, [filt], block=block, at_recording_start=at_recording_start)[0]


def apply_filters(x: np.ndarray, filters: list[EmgFilter], *, rows: list[int] | None = None, block: int | None = None,
                  at_recording_start: bool = False) -> np.ndarray:
    """:func:`apply_filter` for several channels at once (``rows`` of ``x``, default all; one filter each).

    The channels are filtered side by side (:func:`myoclonus.signals.kernels.condition_emg`),
    read in place from ``x`` (no copy); they must share the band-pass (same sampling rate and
    settings); their mains harmonics may differ.
    """
    x = np.atleast_2d(x)
    if not (x.flags.c_contiguous and x.dtype in (np.float32, np.float64)):
        x = np.ascontiguousarray(x, dtype=np.float64)
    idx = np.arange(x.shape[0], dtype=np.int64) if rows is None else np.asarray(rows, np.int64)
    nc, n = idx.size, x.shape[1]
    if n == 0 or nc == 0:
        return np.zeros((nc, n), np.float32)
    base = filters[0]
    if any(f.delay_samples != base.delay_samples or not np.array_equal(f.sos, base.sos) for f in filters):
        raise ValueError("apply_filters needs filters that share the band-pass")
    pad = min(int(round(WARMUP_S * base.sfreq)), n - 1) if at_recording_start else 0
    sos = np.ascontiguousarray(base.sos, dtype=np.float64)
    if sos.shape[0] % 2:  # the kernel runs sections in pairs
        sos = np.vstack((sos, _IDENTITY_SECTION))
    # rows in groups of kernels.GROUP: the last group repeats its last row (that output is dropped)
    n_groups = -(-nc // kernels.GROUP)
    idx = np.concatenate((idx, np.full(n_groups * kernels.GROUP - nc, idx[-1], np.int64)))
    # the mirrored warm-up starts at sample ``pad``: the filters start in the steady state of that value
    zi = signal.sosfilt_zi(sos)[None, :, :] * x[idx, pad].astype(np.float64)[:, None, None]
    if pad:
        # the band-pass state at sample 0 after the warm-up (see _warmup); the kernel then starts there
        for c in range(idx.size):
            notch = filters[c].notch_hz if c < nc else ()
            zi[c] = _warm_state(np.asarray(x[idx[c], : pad + 1], np.float64), sos, notch, base.sfreq)
        pad = 0
    n_h = max(len(f.mains_sos) for f in filters)
    res = np.zeros((idx.size, n_h, 6))
    res_zi = np.zeros((idx.size, n_h, 2))
    for c, f in enumerate(filters):
        if f.mains_sos:
            res[c, : len(f.mains_sos)] = np.vstack(f.mains_sos)
    y = np.zeros((idx.size, n), np.float32)
    for g in range(0, idx.size, kernels.GROUP):
        part = slice(g, g + kernels.GROUP)
        if at_recording_start and n_h:
            # the mains resonators start in the steady state of the line fitted to the band-passed start
            head = min(int(round(base.sfreq)), n)
            bp = np.zeros((kernels.GROUP, head), np.float32)
            kernels.condition_emg(x, idx[part], pad, head, 0, sos, zi[part].copy(), res[part, :0], res_zi[part, :0],
                                  head + pad, 0.0, 1, bp)
            for c, f in enumerate(filters[part]):
                for h, (f0, sec) in enumerate(zip(f.notch_hz, f.mains_sos)):
                    res_zi[g + c, h] = _steady_state(bp[c], sec, f0, base.sfreq)[0]
        blk = int(block or n)
        kernels.condition_emg(x, idx[part], pad, n, base.delay_samples, sos, zi[part], res[part], res_zi[part], blk,
                              MAINS_CLIP_SD, max(blk // MAINS_CLIP_MEDIAN_SAMPLES, 1), y[part])
    return y[:nc]


def _warmup(head: np.ndarray, notch_hz: tuple[float, ...], sfreq: float) -> np.ndarray:
    """The ``head.size - 1`` samples before the recording start that warm the band-pass up.

    A plain mirror image of the start reverses the slope of every smooth component at sample 0:
    the kink of a mains sinusoid (2-15 uV) or a drift passes the high-pass as a decaying offset of a
    few microvolts over 10-20 ms, a false burst at the recording start. Here the line and the mains
    harmonics fitted to ``head`` (least squares) continue backwards in time, and what is left (noise,
    EMG, slow waves such as an ECG P or T wave) is reflected through its level at the start (the
    median of its first :data:`WARMUP_LEVEL_MS`), as filtfilt's odd extension does: the warm-up
    joins the recording with continuous value and slope even where a slow wave is not a line.
    """
    n = head.size
    t = np.arange(n) / sfreq

    def design(tt: np.ndarray) -> np.ndarray:
        cols = [np.ones_like(tt), tt]
        for f0 in notch_hz:
            cols += [np.cos(2 * np.pi * f0 * tt), np.sin(2 * np.pi * f0 * tt)]
        return np.column_stack(cols)

    a = design(t)
    if n < 2 * a.shape[1]:  # too short to fit: a plain mirror image
        return head[:0:-1].copy()
    coef, *_ = np.linalg.lstsq(a, head, rcond=None)
    resid = head - a @ coef
    level = float(np.median(resid[: max(int(round(WARMUP_LEVEL_MS * sfreq / 1000.0)), 1)]))
    before = -np.arange(n - 1, 0, -1) / sfreq  # times of the warm-up samples, -pad .. -1
    return design(before) @ coef + (2.0 * level - resid[:0:-1])


def _warm_state(head: np.ndarray, sos: np.ndarray, notch_hz: tuple[float, ...], sfreq: float) -> np.ndarray:
    """Band-pass state at the recording start after filtering :func:`_warmup` (from its own steady state)."""
    warm = _warmup(head, notch_hz, sfreq)
    zi = signal.sosfilt_zi(sos) * (warm[0] if warm.size else head[0])
    if warm.size == 0:
        return zi
    _, zf = signal.sosfilt(sos, warm, zi=zi)
    return zf


def _steady_state(y: np.ndarray, sos: np.ndarray, f0: float, sfreq: float) -> np.ndarray:
    """Resonator state after 3 s of the sinusoid at ``f0`` fitted to the first second of ``y``."""
    n_fit = min(y.size, int(round(sfreq)))
    t = np.arange(n_fit) / sfreq
    basis = np.column_stack((np.cos(2 * np.pi * f0 * t), np.sin(2 * np.pi * f0 * t)))
    coef, *_ = np.linalg.lstsq(basis, np.asarray(y[:n_fit], np.float64), rcond=None)
    t_pre = np.arange(-int(round(3 * sfreq)), 0) / sfreq
    pre = coef[0] * np.cos(2 * np.pi * f0 * t_pre) + coef[1] * np.sin(2 * np.pi * f0 * t_pre)
    _, zf = signal.sosfilt(sos, pre, zi=np.zeros((sos.shape[0], 2)))
    return zf


class RectifiedEnvelopes(NamedTuple):
    """Moving averages of a rectified signal (:func:`rectified_moving_averages`)."""

    #: one float32 row per window
    rows: np.ndarray
    #: sum of the squared signal over each block (float64), for the flat-channel test
    block_sum_squares: np.ndarray


def rectified_moving_averages(y: np.ndarray, sfreq: float, windows_ms: tuple[float, ...],
                              block: int | None = None) -> RectifiedEnvelopes:
    """Centred moving averages of ``|y|`` over several windows (float64 sums; near the edges the
    average uses the samples available), and the sum of ``y**2`` per ``block`` samples (default:
    one second), in one pass."""
    widths = np.array([max(int(round(ms * sfreq / 1000.0)), 1) for ms in windows_ms], np.int64)
    block = int(block or max(int(round(sfreq)), 1))
    rows, sum_squares = kernels.rectified_moving_averages(np.ascontiguousarray(y, dtype=np.float32), widths, block)
    return RectifiedEnvelopes(rows, sum_squares)
