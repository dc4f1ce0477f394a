"""Positive myoclonus: EMG burst detection (onset, offset, duration, peak, area).

Algorithm (per EMG channel, per chunk)
--------------------------------------
1. Band-pass (and notch the mains harmonics found in the data) forward-only, remove the group
   delay (:mod:`myoclonus.signals.conditioning`).
2. Rectified envelope: centred moving average over ``envelope_ms``.
3. Background per 1-s block aligned to the recording start: the median envelope is the
   background level and the spread between the 10th percentile and the median gives its SD
   (Gaussian quantiles; bursts occupy the upper tail and barely move these percentiles, while a
   median-based level is not fooled by tonic activity whose amplitude fluctuates, e.g. beta-
   modulated posture EMG), smoothed by a 5-block running median.
4. Hysteresis: a burst is a run where the envelope stays above
   ``mean + offset_threshold_sd x SD`` (or its ``min_burst_ms`` average above the same level of
   its own background) and whose ``min_burst_ms`` average reaches both
   ``mean + onset_threshold_sd x SD`` and ``onset_min_ratio x mean``. Runs closer than
   ``merge_gap_ms`` merge; each run is then trimmed to where the envelope exceeds
   ``relative_level`` x its own peak (filter tails of strong bursts are not burst). A run must
   also reach ``onset_min_ratio`` x its local background, the median detection envelope within
   :data:`LOCAL_BACKGROUND_S` on either side (the block background does not follow what raises
   the background for a second or less: the in-band leak of a movement deflection).
5. Onset/offset refinement: the centred moving average starts to rise half a window before the
   true onset; the crossing time is corrected for the window using the burst's amplitude.
6. Rejections: ECG (a waveform repeating at a heart rate is removed by local template
   subtraction before step 4; what subtraction leaves of a beat, no stronger than a few times the
   neighbouring beats' residue, is neither a burst nor a burst's onset; one heart beats for every
   channel, so a channel whose QRS is too buried for a train of its own but whose QRS candidates
   follow the train the chunk's other channels share is analysed again with that train; when the
   recording has an ECG lead, its R peaks are that shared train: :mod:`myoclonus.signals.ecg_lead`),
   clipping, electrode pops
   and movement deflections (reported in ``artefacts``; a deflection leaking through the
   high-pass is slow: few zero crossings of the run, of its own signal without the background
   under it, or a large raw swing below 15 Hz), and bursts shorter than ``min_burst_ms`` or longer
   than ``max_burst_ms``.

Columns of :meth:`BurstResults.summary`
---------------------------------------
channel, muscle, side : str
onset_s, offset_s : float (s from the start of the recording)
duration_ms : float
peak_uv : float, largest absolute band-passed amplitude (µV)
area_uvs : float, integral of the rectified band-passed EMG over the burst (µV·s)
peak_s : float, time of the envelope maximum (s)

References
----------
Eberhardt O, Topka H. Myoclonic disorders. Brain Sci 2017;7:103 (bursts 10-50 ms, rarely > 100).
Hodges PW, Bui BH. A comparison of computer-based methods for the determination of onset of
muscle contraction using electromyography. Electroencephalogr Clin Neurophysiol 1996;101:511
(threshold above a baseline mean + k SD on a smoothed envelope).
"""
from __future__ import annotations

import logging
import weakref
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import ClassVar

import numpy as np
import pandas as pd
from scipy.ndimage import median_filter

from myoclonus.errors import InputError
from myoclonus.settings import AnalysisSettings, BurstSettings, ConditioningSettings
from myoclonus.signals import artefacts as art
from myoclonus.signals import kernels
from myoclonus.signals.channels import ChannelInfo
from myoclonus.signals.chunking import (as_signal_source, block_samples, chunk_core_s, iter_chunks, pick_emg,
                                         read_float32)
from myoclonus.signals.conditioning import (EmgFilter, MainsReport, apply_filter, apply_filters, design_emg_filter,
                                             detect_mains, rectified_moving_averages)
from myoclonus.signals.ecg_lead import EcgReference, EcgReferenceSummary
from myoclonus.signals.results import ChannelStatus, EventResults

__all__ = ["BurstResults", "detect_bursts", "BURST_COLUMNS"]

logger = logging.getLogger(__name__)

BURST_COLUMNS = ["channel", "muscle", "side", "onset_s", "offset_s", "duration_ms", "peak_uv", "area_uvs", "peak_s"]
ARTEFACT_COLUMNS = ["channel", "kind", "onset_s", "offset_s"]

#: Quantiles of the envelope (and their standard-normal z) used to fit the background.
_Q_LOW, _Q_MID = 0.10, 0.50
_Z_LOW, _Z_MID = -1.2815516, 0.0
#: At low sampling rates (fewer than 2 x MIN_ENVELOPE_SAMPLES samples per detection window) a
#: bridging envelope over this many detection windows also keeps a burst going (engineering
#: choice: weak 100-400 ms bursts dip for 10-30 ms at 500 Hz).
BRIDGE_FACTOR = 2.0
#: Fewest samples in the envelope window (engineering choice, measured on the simulator at 500 Hz).
MIN_ENVELOPE_SAMPLES = 5
#: Blocks in the running median of the background (engineering choice: 5 s smooths single busy
#: blocks away while following tonic changes).
_BASELINE_MEDIAN_BLOCKS = 5
#: Half-width (s) of the window on each side of a burst whose median detection envelope is the
#: burst's local background; ``onset_min_ratio`` applies to it as to the block background
#: (see :func:`_above_local_background`). Engineering choice, measured on the simulator's tuning
#: seeds 10100-10151 (89 false, 2343 true bursts without the rule): 0.1 / 0.15 / 0.2 / 0.25 / 0.5 /
#: 1 s left 53 / 48 / 54 / 53 / 56 / 65 false bursts, every true one kept; 0.25 s lies in the flat
#: part with a median over more samples than the shorter windows.
LOCAL_BACKGROUND_S = 0.25


@dataclass
class BurstResults(EventResults):
    """Bursts of every analysed EMG channel (see module docstring for the columns).

    Attributes
    ----------
    mains_hz : float | None
        Mains frequency found in the data.
    settings : AnalysisSettings
        Parameters used.
    ecg_reference : EcgReferenceSummary | None
        The ECG lead whose R peaks the ECG removal followed (None: the recording has none, and the
        EMG channels' own beat trains were used).
    """

    mains_hz: float | None = None
    settings: AnalysisSettings = field(default_factory=AnalysisSettings)
    channel_info: dict[str, ChannelInfo] = field(default_factory=dict)
    ecg_reference: EcgReferenceSummary | None = None

    annotation_label: ClassVar[str] = "myoclonus/burst"


# ---------------------------------------------------------------------------- per-channel core
#: Columns of ``_ChannelOut.events`` (the numeric columns of BURST_COLUMNS).
_EVENT_FIELDS = BURST_COLUMNS[3:]


@dataclass
class _ChannelOut:
    #: one row per burst, columns :data:`_EVENT_FIELDS` (an array, not tuples: tens of thousands of
    #: small objects would make the garbage collector scan every object of the process)
    events: np.ndarray
    artefacts: list[tuple]
    n_flat_blocks: int
    n_blocks: int
    n_clipped: int
    n_core: int
    n_beats: int
    #: what ``on_clean`` returned for the cleaned chunk (see :func:`iter_burst_chunks`)
    extra: object = None
    #: the channel's subtracted beats and its QRS candidate peaks (samples from the chunk start;
    #: read to share a beat train between the chunk's channels, then dropped)
    ecg_beats: np.ndarray | None = None
    ecg_candidates: np.ndarray | None = None
    #: whether ``ecg_beats`` is a weak train (:attr:`~myoclonus.signals.artefacts.EcgBeats.weak`)
    ecg_weak: bool = False
    #: a channel whose own train was found, not finished yet (``defer_train``)
    pending: OwnTrain | None = None


def _background(env: np.ndarray, block: int, step: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """Per-block background mean and SD from lower-tail percentiles of the envelope.

    ``step`` subsamples the (smooth) envelope before taking percentiles; blocks stay aligned.
    """
    if step > 1 and block % step == 0:
        env = env[::step]
        block //= step
    n = env.size
    nb = -(-n // block)
    full = n // block
    q_lo = np.empty(nb, np.float32)
    q_mid = np.empty(nb, np.float32)
    if full:
        m = env[: full * block].reshape(full, block)
        k_lo, k_mid = int(_Q_LOW * (block - 1)), int(_Q_MID * (block - 1))
        # a full sort (SIMD) is several times faster than a partition at two ranks (measured)
        part = np.sort(m, axis=1)
        q_lo[:full] = part[:, k_lo]
        q_mid[:full] = part[:, k_mid]
    if nb > full:
        q_lo[-1], q_mid[-1] = np.quantile(env[full * block :], (_Q_LOW, _Q_MID))
    sd = np.maximum((q_mid - q_lo) / (_Z_MID - _Z_LOW), 0.0)
    mean = q_mid - _Z_MID * sd
    if nb >= 2:
        size = min(_BASELINE_MEDIAN_BLOCKS, nb if nb % 2 else nb - 1)
        mean = median_filter(mean, size=size, mode="nearest")
        sd = median_filter(sd, size=size, mode="nearest")
    return mean, sd


def _segment_max(values: np.ndarray, runs: np.ndarray) -> np.ndarray:
    """Maximum of ``values`` over each ``[start, stop)`` run (:func:`~myoclonus.signals.kernels.run_maxima`)."""
    if runs.size == 0:
        return np.empty(0, values.dtype)
    return kernels.run_maxima(values, np.ascontiguousarray(runs, np.int64))


class BlockLevels:
    """A level set per baseline block, read at sample indices: ``levels[i]`` is the value of the
    block holding sample ``i`` (the per-sample array is never formed)."""

    def __init__(self, per_block: np.ndarray, block: int):
        self.per_block = per_block
        self.block = block

    def __getitem__(self, index):
        return self.per_block[np.asarray(index) // self.block]


@dataclass
class _Envelopes:
    """What :func:`_envelopes` finds in one cleaned chunk."""

    env: np.ndarray  # short envelope (onsets, extent)
    mean: BlockLevels  # its background mean
    low: BlockLevels  # its lower (extent) level
    env_d: np.ndarray  # detection envelope (over ``min_burst_ms``)
    high_d: BlockLevels  # its upper (onset) level
    candidates: np.ndarray  # candidate runs before merging
    extra: np.ndarray | None  # envelope over ``extra_ms`` (None without)
    block_sum_squares: np.ndarray  # sum of y**2 per block (flat-channel test)


def _envelopes(y: np.ndarray, sfreq: float, block: int, cond: ConditioningSettings, bset: BurstSettings,
               extra_ms: float | None = None) -> _Envelopes:
    """Short envelope with its background mean and lower (extent) level, the detection envelope
    (averaged over the shortest burst, ``min_burst_ms``) with its upper level, and the candidate
    runs (before merging).

    A burst lasts at least ``min_burst_ms``, so averaging over that long loses none of its
    height while the background fluctuations shrink: the decision is taken on the longer
    average, the extent and onset on the short one. A candidate run is where any envelope stays
    above its extent level (the longer averages bridge the dips of a weak burst's short envelope;
    onset and offset are then trimmed on the short one) and the detection envelope reaches its
    onset level somewhere in the run (:func:`myoclonus.signals.kernels.candidate_runs`). With
    ``extra_ms`` the envelope over that window comes last (same pass; None otherwise).
    """
    floor = np.float32(art.FLAT_RMS_UV)
    env_ms = envelope_window_ms(sfreq, cond)
    det_ms = detection_window_ms(sfreq, cond, bset)
    # few samples per window (low sampling rates): bridge over a longer average as well
    # (measured on the simulator: helps at 500 Hz, costs precision at >= 1000 Hz)
    bridge = det_ms * sfreq / 1000.0 < 2 * MIN_ENVELOPE_SAMPLES
    # the envelopes that keep a burst going: the short one, the detection one when longer, the bridge
    windows = (env_ms,) + ((det_ms,) if det_ms > env_ms else ()) + ((BRIDGE_FACTOR * det_ms,) if bridge else ())
    rows, sum_squares = rectified_moving_averages(y, sfreq, windows + ((extra_ms,) if extra_ms is not None else ()), block)
    envs = rows[: len(windows)]
    extra = rows[-1] if extra_ms is not None else None
    env = envs[0]
    env_d = envs[1] if det_ms > env_ms else env
    step = subsample_step(sfreq, block, env_ms)
    backgrounds = [_background(e, block, step) for e in envs]
    # levels per block (the same float32 operations as per sample, on fewer values)
    off_sd, on_sd = np.float32(bset.offset_threshold_sd), np.float32(bset.onset_threshold_sd)
    lows = np.vstack([m + off_sd * sd + floor for m, sd in backgrounds]).astype(np.float32)
    mean_b = backgrounds[0][0]
    mean_d, sd_d = backgrounds[1] if det_ms > env_ms else backgrounds[0]
    high_b = (np.maximum(mean_d + on_sd * sd_d, np.float32(bset.onset_min_ratio) * mean_d) + floor).astype(np.float32)
    candidates = kernels.candidate_runs(envs, lows, env_d, high_b, int(block))
    return _Envelopes(env, BlockLevels(mean_b, block), BlockLevels(lows[0], block), env_d, BlockLevels(high_b, block),
                      candidates, extra, sum_squares)


def envelope_window_ms(sfreq: float, cond: ConditioningSettings) -> float:
    """Envelope window: ``envelope_ms``, but at least :data:`MIN_ENVELOPE_SAMPLES` samples (at
    500 Hz a 5-ms window holds 2.5 samples and the envelope is too noisy to follow a weak burst)."""
    return max(float(cond.envelope_ms), MIN_ENVELOPE_SAMPLES * 1000.0 / float(sfreq))


def subsample_step(sfreq: float, block: int, envelope_ms: float) -> int:
    """Subsampling step for the background percentiles: the envelope is a moving average over
    ``envelope_ms``, so five values per window keep its distribution (the step divides the block)."""
    step = max(int(envelope_ms * sfreq / 1000.0 / 5.0), 1)
    while step > 1 and block % step:
        step -= 1
    return step


def detection_window_ms(sfreq: float, cond: ConditioningSettings, bset: BurstSettings) -> float:
    """Window of the detection envelope: the shortest burst, ``min_burst_ms``, but not shorter than
    the short envelope."""
    return max(float(bset.min_burst_ms), float(cond.envelope_ms), envelope_window_ms(sfreq, cond))


def _local_powers(y: np.ndarray, runs: np.ndarray, margin: int, half: int, sub: int) -> tuple[np.ndarray, np.ndarray]:
    """Background power of ``y`` and of its first difference around each run: the median, over
    the ``sub``-sample windows of the run's flanks (``half`` samples before and after it,
    ``margin`` samples away from it; windows cut by the ends of the data are left out), of their
    mean squares (NaN when no window is left). Compiled:
    :func:`myoclonus.signals.kernels.flank_window_powers`.

    The median keeps neighbouring bursts out, as for the local envelope background."""
    sub = max(int(sub), 2)
    return kernels.flank_window_powers(y, np.ascontiguousarray(runs, np.int64), int(margin), max(half // sub, 1), sub)


def _above_local_background(env_d: np.ndarray, runs: np.ndarray, det: int, sfreq: float, cond: ConditioningSettings,
                            bset: BurstSettings) -> np.ndarray:
    """Whether each run's detection envelope reaches ``onset_min_ratio`` x its local background:
    the median detection envelope within :data:`LOCAL_BACKGROUND_S` on either side, every
    ``step``-th sample, leaving out the detection window (``det`` samples) next to the run (the
    centred average spreads the burst itself that far); cut at the ends of the data, and a run
    without surroundings is kept (:func:`myoclonus.signals.kernels.stands_out_of_flanks`).

    The block background (1-s blocks, 5-block running median) cannot follow what raises the
    background for a second or less: the in-band leak of a movement deflection (0.5-2 s) or a
    local rise of tonic activity. A fluctuation of that raised background is not a burst; a burst
    stands out of its own surroundings as it stands out of the block.
    """
    if runs.size == 0:
        return np.zeros(0, bool)
    half = int(round(LOCAL_BACKGROUND_S * sfreq))
    step = subsample_step(sfreq, block_samples(sfreq), envelope_window_ms(sfreq, cond))
    peak = _segment_max(env_d, runs).astype(np.float64)
    return kernels.stands_out_of_flanks(env_d, np.ascontiguousarray(runs, np.int64), peak, float(bset.onset_min_ratio),
                                        det, half, step)


def _hysteresis(candidates: np.ndarray, merge_gap: int) -> np.ndarray:
    """Merge candidate runs closer than ``merge_gap`` samples."""
    runs = np.asarray(candidates, np.intp)
    if runs.shape[0] > 1 and merge_gap > 0:
        new_group = np.concatenate(([True], (runs[1:, 0] - runs[:-1, 1]) >= merge_gap))
        gid = np.cumsum(new_group) - 1
        starts = runs[new_group, 0]
        stops = np.zeros(starts.size, int)
        np.maximum.at(stops, gid, runs[:, 1])
        runs = np.column_stack((starts, stops))
    return runs


def _trim(env: np.ndarray, runs: np.ndarray, low: BlockLevels, fraction: float) -> tuple[np.ndarray, np.ndarray]:
    """Trim each run to where its envelope exceeds ``max(low, fraction x run peak)``.

    A strong burst leaves a decaying tail through the high-pass (and a lead through the centred
    window) that can stay above a background-relative level for tens of ms; a level relative to
    the burst's own peak ends the burst where its energy does. Returns the trimmed runs and the
    level used for each.
    """
    if runs.size == 0:
        return runs, np.empty(0, np.float32)
    peak = _segment_max(env, runs)
    out = runs.copy()
    # the level in float64, compared with the float32 envelope at float32 precision
    levels = np.maximum(low[runs[:, 0]].astype(np.float64), fraction * peak.astype(np.float64)).astype(np.float32)
    lo, hi = kernels.first_last_above(env, np.ascontiguousarray(runs, np.int64), levels)
    found = hi >= 0
    out[found, 0] = lo[found]
    out[found, 1] = hi[found] + 1
    return out, levels


def _refine(env: np.ndarray, runs: np.ndarray, levels: np.ndarray, mean: BlockLevels, w: int) -> np.ndarray:
    """Correct the level crossings for the centred moving-average window.

    For a burst of envelope amplitude ``A`` above the background ``m`` starting at ``t0``, the
    centred average rises linearly from ``t0 - w/2`` and crosses ``L`` at
    ``t0 - w/2 + w (L - m) / A``; ``A`` is read one window inside the burst.
    """
    if runs.size == 0 or w <= 2:
        return runs.astype(float)
    on, off = runs[:, 0], runs[:, 1] - 1
    n = env.size
    a_on = env[np.minimum(on + w, off)] - mean[on]
    a_off = env[np.maximum(off - w, on)] - mean[off]
    lead_on = (levels - mean[on]) / np.maximum(a_on, levels - mean[on] + 1e-6)
    lead_off = (levels - mean[off]) / np.maximum(a_off, levels - mean[off] + 1e-6)
    on_f = on - 0.5 + np.clip(w / 2.0 - w * lead_on, 0.0, w / 2.0)
    off_f = off + 0.5 - np.clip(w / 2.0 - w * lead_off, 0.0, w / 2.0)
    on_f = np.clip(on_f, 0, n)
    off_f = np.clip(np.maximum(off_f, on_f + 1), 0, n)
    return np.column_stack((on_f, off_f))


def check_finite(x: np.ndarray, name: str, sfreq: float, offset: int) -> None:
    """Raise a clear InputError naming the channel when ``x`` holds NaN or infinite samples."""
    # a NaN or infinity anywhere makes the sum non-finite (one SIMD reduction in the input's
    # type); only then (or if finite samples overflow the sum) is every sample tested
    with np.errstate(over="ignore", invalid="ignore"):
        total = np.sum(x)
    if x.size and not np.isfinite(total) and not np.all(np.isfinite(x)):
        bad = int(np.flatnonzero(~np.isfinite(x))[0]) + offset
        raise InputError(
            f"contains NaN or infinite samples (first at sample {bad}, {bad / sfreq:.3f} s); "
            "interpolate them or drop the channel before detection.",
            where=f"channel {name!r}",
        )


def screened_clipping(x: np.ndarray, name: str, sfreq: float, offset: int) -> np.ndarray:
    """The clipped runs of a channel's raw chunk (:func:`~myoclonus.signals.artefacts.find_clipping`),
    raising as :func:`check_finite` when it holds NaN or infinite samples: one pass over the raw
    signal does both."""
    clip, finite = art.clipping_and_finiteness(x, block_samples(sfreq))
    if not finite:
        check_finite(x, name, sfreq, offset)  # raises: a non-finite extreme is a non-finite sample
    return clip


@dataclass
class CleanChannel:
    """One chunk of one channel after conditioning and ECG removal, with its envelopes."""

    y: np.ndarray
    env: np.ndarray
    mean: BlockLevels
    low: BlockLevels
    env_d: np.ndarray
    high_d: BlockLevels
    runs: np.ndarray
    ecg_peaks: np.ndarray
    ecg_half: int
    #: typical residual RMS of each beat's QRS after subtraction (see art.ecg_residual_rms)
    ecg_residual: np.ndarray = field(default_factory=lambda: np.empty(0))
    #: rectified envelope of ``y`` over the ``extra_envelope_ms`` asked of :func:`clean_channel`
    extra_env: np.ndarray | None = None
    #: sum of ``y**2`` per baseline block (the flat-channel test)
    block_sum_squares: np.ndarray = field(default_factory=lambda: np.empty(0))
    #: candidate QRS peaks (:func:`_ecg_candidates`) of the signal before ECG removal
    ecg_candidates: np.ndarray = field(default_factory=lambda: np.empty(0, int))
    #: whether the subtracted beats are a weak train (:attr:`~myoclonus.signals.artefacts.EcgBeats.weak`)
    ecg_weak: bool = False


@dataclass
class OwnTrain:
    """A channel chunk whose own beat train was found, its ECG not yet removed (the chunk's shared
    train may replace the train: :func:`shared_channel_beats`)."""

    y: np.ndarray  # conditioned signal
    candidates: np.ndarray  # QRS candidate peaks
    beats: art.EcgBeats  # the channel's own beats


def clean_channel(x: np.ndarray, sfreq: float, offset: int, filt: EmgFilter, cond: ConditioningSettings,
                  bset: BurstSettings, y: np.ndarray | None = None, extra_envelope_ms: float | None = None,
                  shared_beats: np.ndarray | None = None, own: OwnTrain | None = None,
                  defer_train: bool = False) -> CleanChannel | OwnTrain:
    """Band-pass, remove mains and ECG, and find the candidate burst runs (shared by the burst
    and silent-period detectors so both see the same cleaned signal). ``y``: ``x`` already
    conditioned (:func:`~myoclonus.signals.conditioning.apply_filters` on several channels);
    ``extra_envelope_ms``: also the envelope of the cleaned signal over this window (``extra_env``);
    ``shared_beats``: the beats to subtract (samples of ``x``, from the beat train shared by the
    chunk's channels: :func:`shared_channel_beats`) instead of those the channel shows alone;
    ``defer_train``: a channel that finds a train of its own stops there and returns it
    (:class:`OwnTrain`), to go on once given as ``own`` (with ``shared_beats`` or not)."""
    block = block_samples(sfreq)
    merge_gap = int(round(bset.merge_gap_ms * sfreq / 1000.0))
    ecg_peaks, ecg_half, ecg_residual, ecg_weak = np.empty(0, int), 0, np.empty(0), False
    if own is not None:
        y, peaks, e, runs = own.y, own.candidates, None, None
        beats = own.beats if shared_beats is None else art.imposed_beats(y, shared_beats, sfreq)
    else:
        if y is None:
            y = apply_filter(x, filt, block=block, at_recording_start=offset == 0)
        e = _envelopes(y, sfreq, block, cond, bset, extra_envelope_ms)
        runs = _hysteresis(e.candidates, merge_gap)
        # ECG: candidate peaks that repeat the same waveform at a heart rate are removed first. The
        # candidates are the envelope peaks above the lower (extent) level, not only the peaks of
        # burst runs: a QRS below the onset level still extends a burst it precedes, and a beat
        # merged into a burst run is not that run's largest peak
        peaks = _ecg_candidates(e.env, e.low, sfreq)
        beats = None
        if shared_beats is not None:
            beats = art.imposed_beats(y, shared_beats, sfreq)
        elif peaks.size >= art.ECG_MIN_TRAIN:
            beats = art.find_ecg_beats(y, sfreq, peaks, raw=x)
            if defer_train and beats.peaks.size:
                return OwnTrain(y, peaks, beats)
    if beats is not None:
        if beats.peaks.size:
            y = art.subtract_ecg(y, beats)
            e = _envelopes(y, sfreq, block, cond, bset, extra_envelope_ms)
            runs = _hysteresis(e.candidates, merge_gap)
            ecg_peaks, ecg_half, ecg_weak = beats.peaks, beats.half_window, beats.weak
            ecg_residual = art.ecg_residual_rms(y, beats)
    if e is None:  # a deferred train given back with no beat within the data
        e = _envelopes(y, sfreq, block, cond, bset, extra_envelope_ms)
        runs = _hysteresis(e.candidates, merge_gap)
    return CleanChannel(y, e.env, e.mean, e.low, e.env_d, e.high_d, runs, ecg_peaks, ecg_half, ecg_residual, e.extra,
                        e.block_sum_squares, peaks, ecg_weak)


def _beat_near(cc: CleanChannel, starts: np.ndarray) -> np.ndarray:
    """Index (into ``cc.ecg_peaks``) of the last subtracted beat whose window (+- ``ecg_half``)
    can hold each start sample: the last beat at or before ``start + ecg_half`` (the first beat
    when none is)."""
    p = cc.ecg_peaks
    return np.clip(np.searchsorted(p, starts + cc.ecg_half, side="right") - 1, 0, p.size - 1)


def _ecg_residue(y: np.ndarray, runs: np.ndarray, cc: CleanChannel) -> np.ndarray:
    """Runs that lie within a subtracted beat's window (+- ``ecg_half``) and are no stronger than
    :data:`~myoclonus.signals.artefacts.ECG_RESIDUAL_MAX_RATIO` x that beat's typical QRS
    residual: what subtraction left of the beat (at 250 Hz the sampled QRS changes from beat to
    beat), not a burst."""
    out = np.zeros(runs.shape[0], bool)
    if runs.size == 0 or cc.ecg_peaks.size == 0:
        return out
    p, k = cc.ecg_peaks, _beat_near(cc, runs[:, 0])
    inside = (runs[:, 0] >= p[k] - cc.ecg_half) & (runs[:, 1] <= p[k] + cc.ecg_half + 1)
    for i in np.flatnonzero(inside):
        rms = float(np.sqrt(np.mean(np.square(y[runs[i, 0] : runs[i, 1]], dtype=np.float64))))
        out[i] = rms <= art.ECG_RESIDUAL_MAX_RATIO * cc.ecg_residual[k[i]]
    return out


def _ecg_candidates(env: np.ndarray, low: BlockLevels, sfreq: float) -> np.ndarray:
    """Candidate QRS peaks: local maxima of the short envelope above the lower hysteresis level,
    at least half the shortest R-R interval apart (engineering choice, measured on the simulator's
    tuning seeds 10100-10151: 80 / 150 / 300 ms gave 30 / 31 / 38 false bursts on ECG channels, and
    2.4 / 1.4 / 1.1 s for 3 min of 11 channels at 5 kHz)."""
    distance = max(int(round(0.5 * art.ECG_RR_RANGE_S[0] * sfreq)), 1)
    return kernels.peaks_above(env, low.per_block, low.block, distance)


def _onsets_after_qrs_residue(env: np.ndarray, runs: np.ndarray, edges: np.ndarray, levels: np.ndarray,
                              mean: BlockLevels, w: int, cc: CleanChannel) -> tuple[np.ndarray, np.ndarray]:
    """A run starting within a subtracted beat's QRS window (+- ``ecg_half``) starts where its
    envelope first exceeds :data:`~myoclonus.signals.artefacts.ECG_RESIDUAL_MAX_RATIO` x that
    beat's typical QRS residual (when above the run's own level): the residue of the beat before a
    burst that begins just after it is not the burst's onset."""
    if runs.size == 0 or cc.ecg_peaks.size == 0:
        return runs, edges
    p, k = cc.ecg_peaks, _beat_near(cc, runs[:, 0])
    starts_in = (runs[:, 0] >= p[k] - cc.ecg_half) & (runs[:, 0] <= p[k] + cc.ecg_half)
    runs, edges = runs.copy(), edges.copy()
    for i in np.flatnonzero(starts_in):
        level = np.float32(art.ECG_RESIDUAL_MAX_RATIO * cc.ecg_residual[k[i]])
        if level <= levels[i]:
            continue
        a, b = runs[i]
        above = np.flatnonzero(env[a:b] > level)
        if above.size == 0 or above[0] == 0:
            continue
        new = np.array([[a + above[0], b]])
        runs[i, 0] = new[0, 0]
        edges[i, 0] = _refine(env, new, np.array([level], np.float32), mean, w)[0, 0]
    return runs, edges


def _burst_features(y: np.ndarray, x: np.ndarray, env: np.ndarray, runs: np.ndarray, sfreq: float,
                    margin: int = 0, sub: int = 0) -> dict[str, np.ndarray]:
    """Peak, area, envelope-peak sample and the artefact tests of every run.

    Pops: more than :data:`~myoclonus.signals.artefacts.POP_MAX_ENERGY_SHARE` of the energy in
    5 ms. Movement: fewer than :data:`~myoclonus.signals.artefacts.MOVEMENT_MAX_ZC_PER_S` zero
    crossings per second, or a raw swing below 15 Hz larger than
    :data:`~myoclonus.signals.artefacts.MOVEMENT_LF_RATIO` x the band-passed peak (the same tests
    as :func:`~myoclonus.signals.artefacts.is_pop` and :func:`~myoclonus.signals.artefacts.is_movement`,
    computed on each run's samples only). With ``sub`` > 0, also movement: the run's own signal,
    without the background under it, crosses zero fewer than
    :data:`~myoclonus.signals.artefacts.MOVEMENT_MAX_ZC_PER_S` times per second
    (:func:`~myoclonus.signals.artefacts.excess_zero_crossings_per_s`, background from
    :func:`_local_powers` over ``sub``-sample windows of the flanks ``margin`` samples away).
    """
    k_runs = runs.shape[0]
    starts, stops = runs[:, 0], runs[:, 1]
    n = stops - starts
    w5 = max(int(round(0.005 * sfreq)), 1)
    pad = int(round(0.05 * sfreq))

    def swing_of(a: int, b: int) -> float:
        """Raw swing below 15 Hz within +-50 ms of the run (zero-phase low-pass of that window)."""
        return art.low_frequency_swing(x[max(a - pad, 0) : b + pad], sfreq)

    peak, total, peak_i, best, energy, diff_energy, zc, raw_range = kernels.run_statistics(
        y, x, env, np.ascontiguousarray(runs, np.int64), w5, pad)
    area = total / sfreq

    # pops: share of the run's energy in its most energetic 5 ms (runs longer than 10 ms)
    pop = np.zeros(k_runs, bool)
    concentrated = (n > 2 * w5) & (best / np.maximum(energy, 1e-30) > art.POP_MAX_ENERGY_SHARE)
    for k in np.flatnonzero(concentrated):
        # concentrated energy: a pop only if the electrode potential also steps
        pop[k] = swing_of(starts[k], stops[k]) > art.POP_MIN_STEP_RATIO * peak[k]

    # movement: few zero crossings, or a large slow swing of the raw signal around the run
    movement = np.zeros(k_runs, bool)
    test_zc = (~pop) & (n >= 8)
    movement[test_zc] = zc[test_zc] / (n[test_zc] / sfreq) < art.MOVEMENT_MAX_ZC_PER_S
    if sub > 0:
        # the amplifier noise (or tonic EMG) riding on a slow deflection adds crossings that are
        # not the deflection's own: count those of the run's excess over its surroundings
        test = (~pop) & (~movement) & (n >= 8)  # as the count: too few samples say nothing
        if test.any():
            p_bg, d_bg = _local_powers(y, runs[test], margin, int(round(LOCAL_BACKGROUND_S * sfreq)), sub)
            p_run = energy / n
            d_run = diff_energy / np.maximum(n - 1, 1)
            rate = art.excess_zero_crossings_per_s(p_run[test], d_run[test], p_bg, d_bg, sfreq)
            movement[np.flatnonzero(test)] = rate < art.MOVEMENT_MAX_ZC_PER_S
    # a low-pass cannot swing (much) more than the raw signal: filter only where even the raw
    # range (+10 % for the Butterworth overshoot) exceeds the movement level
    for k in np.flatnonzero((~pop) & (~movement) & (1.1 * raw_range > art.MOVEMENT_LF_RATIO * peak)):
        movement[k] = swing_of(starts[k], stops[k]) > art.MOVEMENT_LF_RATIO * peak[k]
    return {"peak": peak, "area": area, "pop": pop, "movement": movement, "peak_i": peak_i}


def _detect_channel(x: np.ndarray, name: str, sfreq: float, offset: int, core: tuple[int, int],
                    filt: EmgFilter, cond: ConditioningSettings, bset: BurstSettings,
                    on_clean: Callable | None = None, y: np.ndarray | None = None,
                    clean_envelope_ms: float | None = None, clip: np.ndarray | None = None,
                    shared_beats: np.ndarray | None = None, own: OwnTrain | None = None,
                    defer_train: bool = False) -> _ChannelOut:
    """Bursts and artefacts of one channel's chunk ``x``. ``y``: ``x`` conditioned; ``clip``: its
    clipped runs from :func:`screened_clipping` (both made here when None); ``shared_beats``,
    ``own``, ``defer_train``: the chunk's shared ECG train (see :func:`clean_channel`)."""
    if clip is None:
        clip = screened_clipping(x, name, sfreq, offset)
    block = block_samples(sfreq)
    core_lo, core_hi = core[0] - offset, core[1] - offset
    cc = clean_channel(x, sfreq, offset, filt, cond, bset, y, clean_envelope_ms, shared_beats, own, defer_train)
    if isinstance(cc, OwnTrain):  # to be finished once the chunk's shared train is known
        return _ChannelOut(np.empty((0, len(_EVENT_FIELDS))), [], 0, 0, 0, 0, 0, None, cc.beats.peaks, cc.candidates,
                           cc.beats.weak, cc)
    y, env, mean, low, runs = cc.y, cc.env, cc.mean, cc.low, cc.runs
    artefacts: list[tuple] = []
    n_beats_core = 0
    for p in cc.ecg_peaks:
        if core_lo <= p < core_hi:
            n_beats_core += 1
            artefacts.append((name, "ecg", (p - cc.ecg_half + offset) / sfreq, (p + cc.ecg_half + offset) / sfreq))

    w = max(int(round(envelope_window_ms(sfreq, cond) * sfreq / 1000.0)), 1)
    det = int(round(detection_window_ms(sfreq, cond, bset) * sfreq / 1000.0))  # detection window (samples)
    runs, levels = _trim(env, runs, low, bset.relative_level)
    edges = _refine(env, runs, levels, mean, w)
    runs, edges = _onsets_after_qrs_residue(env, runs, edges, levels, mean, w, cc)
    margin = int(round(art.CLIP_MARGIN_S * sfreq))
    clip_mask = np.zeros(x.size + 1, bool)
    for a, b in clip:
        clip_mask[max(a - margin, 0) : b + margin] = True
        if core_lo <= a < core_hi:
            artefacts.append((name, "saturation", (a + offset) / sfreq, (b + offset) / sfreq))
    n_clipped = int(sum(min(b, core_hi) - max(a, core_lo) for a, b in clip if b > core_lo and a < core_hi))

    min_len = bset.min_burst_ms * sfreq / 1000.0
    max_len = bset.max_burst_ms * sfreq / 1000.0
    events = np.empty((0, len(_EVENT_FIELDS)))
    if runs.size:
        on_f, off_f = edges[:, 0], edges[:, 1]
        length = off_f - on_f
        keep = (on_f >= core_lo) & (on_f < core_hi) & (length >= min_len) & (length <= max_len)
        if clip.size:
            clip_cum = np.concatenate(([0], np.cumsum(clip_mask)))
            keep &= (clip_cum[runs[:, 1]] - clip_cum[runs[:, 0]]) == 0  # clipped: reported as saturation
        keep &= ~_ecg_residue(y, runs, cc)  # what subtraction left of a beat (the beat is reported)
        keep[keep] = _above_local_background(cc.env_d, runs[keep], det, sfreq, cond, bset)
        runs, on_f, off_f = runs[keep], on_f[keep], off_f[keep]
    if runs.size:
        feats = _burst_features(y, x, env, runs, sfreq, margin=det, sub=det)
        t_on, t_off = (on_f + offset) / sfreq, (off_f + offset) / sfreq
        for k in np.flatnonzero(feats["pop"] | feats["movement"]):
            artefacts.append((name, "pop" if feats["pop"][k] else "movement", float(t_on[k]), float(t_off[k])))
        ok = ~(feats["pop"] | feats["movement"])
        events = np.column_stack((t_on[ok], t_off[ok], (off_f[ok] - on_f[ok]) * 1000.0 / sfreq, feats["peak"][ok],
                                  feats["area"][ok], (feats["peak_i"][ok] + offset) / sfreq)).astype(np.float64)

    nb0 = core_lo // block
    nb1 = -(-core_hi // block)
    flat = art.flat_block_mask(cc.block_sum_squares, y.size, block)[nb0:nb1]
    for i in np.flatnonzero(flat):
        b0 = (nb0 + i) * block
        artefacts.append((name, "flat", (b0 + offset) / sfreq, (min(b0 + block, core_hi) + offset) / sfreq))
    extra = None if on_clean is None else on_clean(cc, offset, core)
    return _ChannelOut(events, artefacts, int(flat.sum()), int(flat.size), n_clipped, core_hi - core_lo, n_beats_core, extra,
                       cc.ecg_peaks, cc.ecg_candidates, cc.ecg_weak)


# ---------------------------------------------------------------------------- public API
def _resolve_settings(settings) -> AnalysisSettings:
    if settings is None:
        return AnalysisSettings()
    if isinstance(settings, AnalysisSettings):
        return settings
    raise InputError(f"settings must be an AnalysisSettings, got {type(settings).__name__}.", where="settings")


#: Mains reports and filters per signal source (a Recording), so the burst and silent-period
#: detectors read and analyse the mains probe once per recording; entries go with the source.
_FILTER_CACHE: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def prepare_filters(source, emg: Sequence[ChannelInfo], settings: AnalysisSettings) -> tuple[MainsReport, dict[str, EmgFilter]]:
    """Find the mains lines (probe at the recording start) and design one filter per channel.

    The result is cached per source object (and channels, settings): a second detector on the
    same ``Recording`` reuses it. Arrays are wrapped anew on every call and never hit the cache.
    """
    sfreq = float(source.sfreq)
    cond = settings.conditioning
    names = [ch.name for ch in emg]
    probe_n = min(int(round(cond.mains_probe_s * sfreq)), int(source.n_times))
    key = (tuple(names), probe_n, sfreq, cond)
    try:
        per_source = _FILTER_CACHE.setdefault(source, {})
    except TypeError:  # a source that cannot be weakly referenced: no caching
        per_source = {}
    if key not in per_source:
        per_source[key] = _prepare_filters(source, names, sfreq, probe_n, cond, settings.chunks.n_threads)
    mains, filters = per_source[key]
    return mains, dict(filters)


def _prepare_filters(source, names: list[str], sfreq: float, probe_n: int, cond: ConditioningSettings,
                     n_threads: int) -> tuple[MainsReport, dict[str, EmgFilter]]:
    if names and probe_n > 0:
        probe = np.asarray(source.get_data(names, 0, probe_n), dtype=np.float64)
        mains = detect_mains(probe, sfreq, names, cond, n_threads)
    else:
        mains = MainsReport(None, {n: () for n in names})
    cache: dict[tuple, EmgFilter] = {}
    filters = {}
    for n in names:
        key = mains.harmonics_hz.get(n, ())
        if key not in cache:
            cache[key] = design_emg_filter(sfreq, cond, key)
        filters[n] = cache[key]
    return mains, filters


def detect_bursts(source, sfreq: float | None = None, ch_names: Sequence[str] | None = None, *,
                  channels: Sequence[str] | None = None, settings: AnalysisSettings | None = None,
                  progress: Callable[[float], None] | None = None) -> BurstResults:
    """Detect EMG bursts (positive myoclonus) in every EMG channel.

    Parameters
    ----------
    source : SignalSource | mne.io.Raw | ndarray
        A ``Recording`` (or any SignalSource), an ``mne.io.Raw``, or an array in µV of shape
        ``(n_channels, n_times)`` (1-D for one channel) with ``sfreq`` and ``ch_names``. Only EMG
        channels are analysed (arrays: every channel is EMG).
    sfreq : float | None
        Sampling rate in Hz (arrays only).
    ch_names : sequence of str | None
        Channel names (arrays only).
    channels : sequence of str | None
        Restrict the analysis to these channels.
    settings : AnalysisSettings | None
        Uses ``conditioning``, ``bursts`` and ``chunks`` sections.
    progress : callable | None
        Called with the fraction done (0-1) after each chunk.

    Returns
    -------
    BurstResults
        One row per burst (see module docstring), plus ``channel_status`` and ``artefacts``.

    Raises
    ------
    InputError
        NaN/infinite samples (naming the channel), unknown channel names, bad array shapes.
    """
    settings = _resolve_settings(settings)
    src = as_signal_source(source, sfreq, ch_names)
    emg = pick_emg(src, channels)
    per_channel: dict[str, list[_ChannelOut]] = {ch.name: [] for ch in emg}
    reference = EcgReference.of(src)
    for _, outs in iter_burst_chunks(src, emg, settings, progress=progress, ecg_reference=reference):
        for n, o in outs.items():
            per_channel[n].append(o)
    mains, _ = prepare_filters(src, emg, settings)  # cached per source: found once per recording
    return assemble_bursts(per_channel, emg, float(src.sfreq), mains, settings, reference)


def conditioned_rows(data: np.ndarray, names: Sequence[str], filters: dict[str, EmgFilter], rows: Sequence[int],
                     sfreq: float, at_recording_start: bool):
    """Yield ``(row, cleaned signal)`` for ``rows`` of a chunk's ``data``, conditioned
    :data:`~myoclonus.signals.kernels.GROUP` channels side by side (one compiled pass per group;
    a group's cleaned signals are freed once the next group's are made)."""
    block = block_samples(sfreq)
    rows = list(rows)
    for g in range(0, len(rows), kernels.GROUP):
        part = rows[g : g + kernels.GROUP]
        y = apply_filters(data, [filters[names[i]] for i in part], rows=part, block=block,
                          at_recording_start=at_recording_start)
        yield from zip(part, y)


def reference_picks(names: list[str], reference: EcgReference | None) -> tuple[list[str], int | None]:
    """The channels to read per chunk (the EMG channels, then the ECG lead unless it is one of
    them) and the row of the ECG lead in what is read (None without a lead)."""
    if reference is None:
        return list(names), None
    if reference.channel in names:
        return list(names), names.index(reference.channel)
    return list(names) + [reference.channel], len(names)


def iter_burst_chunks(src, emg: Sequence[ChannelInfo], settings: AnalysisSettings, *,
                      on_clean: Callable | None = None, clean_envelope_ms: float | None = None,
                      progress: Callable[[float], None] | None = None, ecg_reference: EcgReference | None = None):
    """Detect bursts chunk by chunk; yields ``(chunk, {channel: _ChannelOut})`` per chunk.

    ``on_clean(cc, offset, core)`` is called in the worker with each channel's
    :class:`CleanChannel` (the silent periods use it, so they need no second conditioning pass;
    ``clean_envelope_ms`` adds their envelope to the detector's own pass); its result is the
    output's ``extra``. Channels run in ``settings.chunks.n_threads`` threads (the
    compiled kernels and NumPy release the GIL). Once a chunk's channels are done, those that found
    no beat train of their own but show the one the others share (:func:`shared_channel_beats`)
    are analysed again with it; the others pay nothing more. With ``ecg_reference`` (the
    recording's ECG lead, :class:`~myoclonus.signals.ecg_lead.EcgReference`) the lead is read with
    each chunk and its R peaks are the shared train wherever it shows a heart rhythm (what it gave
    is counted in the reference).
    """
    sf = float(src.sfreq)
    if sf < 500:
        logger.warning("sampling rate %.0f Hz is below 500 Hz: the EMG band is clipped to %.0f Hz; onsets are coarser.",
                       sf, settings.conditioning.lowpass_max_fraction * sf)
    _, filters = prepare_filters(src, emg, settings)
    names = [ch.name for ch in emg]
    if not names:
        return
    picks, ecg_row = reference_picks(names, ecg_reference)
    chunks = list(iter_chunks(int(src.n_times), sf, chunk_core_s(settings.chunks, sf, len(picks)), settings.chunks.overlap_s))
    n_threads = min(max(int(settings.chunks.n_threads), 1), len(names))
    groups = [list(range(len(names)))[g::n_threads] for g in range(n_threads)]

    def run(group: list[int], data: np.ndarray, ck, clips: dict[int, np.ndarray]) -> list[_ChannelOut]:
        clips.update((i, screened_clipping(data[i], names[i], sf, ck.start)) for i in group)  # before any filtering
        # a channel with a train of its own stops before removing it (the shared train may replace it)
        return [_detect_channel(data[i], names[i], sf, ck.start, (ck.core_start, ck.core_stop), filters[names[i]],
                                settings.conditioning, settings.bursts, on_clean, y, clean_envelope_ms, clips[i],
                                defer_train=True)
                for i, y in conditioned_rows(data, names, filters, group, sf, ck.start == 0)]

    def finish(i: int, data: np.ndarray, ck, clip: np.ndarray, beats: np.ndarray | None,
               own: OwnTrain | None) -> _ChannelOut:
        return _detect_channel(data[i], names[i], sf, ck.start, (ck.core_start, ck.core_stop), filters[names[i]],
                               settings.conditioning, settings.bursts, on_clean, None, clean_envelope_ms, clip, beats, own)

    with ThreadPoolExecutor(max_workers=n_threads) as executor:

        def start(ck):
            data = read_float32(src, picks, ck.start, ck.stop)
            clips: dict[int, np.ndarray] = {}  # each channel's clipped runs (the first pass finds them)
            lead = None if ecg_row is None else executor.submit(ecg_reference.beats, data[ecg_row])
            return ck, data, clips, [executor.submit(run, group, data, ck, clips) for group in groups], lead

        # one chunk ahead: the next chunk is read (and analysed) while the caller handles this one
        ahead = start(chunks[0]) if chunks else None
        for k in range(len(chunks)):
            ck, data, clips, futures, lead = ahead
            ahead = start(chunks[k + 1]) if k + 1 < len(chunks) else None
            outs: dict[str, _ChannelOut] = {}
            for group, future in zip(groups, futures):
                outs.update((names[i], o) for i, o in zip(group, future.result()))
            lead_beats = None
            if lead is not None:
                lead_beats = lead.result()
                ecg_reference.note(ck, lead_beats)
            # channels with a train of their own finish with it or the shared one; channels that show
            # the shared train but found none of their own are analysed again with it
            shared = shared_channel_beats([outs[n].ecg_beats for n in names], [outs[n].ecg_candidates for n in names], sf,
                                          reference=lead_beats, n_times=data.shape[1],
                                          weak=[outs[n].ecg_weak for n in names])
            again = {i: executor.submit(finish, i, data, ck, clips[i], shared.get(i), outs[n].pending)
                     for i, n in enumerate(names) if i in shared or outs[n].pending is not None}
            outs.update((names[i], future.result()) for i, future in again.items())
            del data
            for o in outs.values():
                o.ecg_beats = o.ecg_candidates = None
            yield ck, {n: outs[n] for n in names}
            if progress is not None:
                progress((k + 1) / len(chunks))


def shared_channel_beats(beats: list[np.ndarray | None], candidates: list[np.ndarray | None],
                         sfreq: float, reference: np.ndarray | None = None,
                         n_times: int | None = None, weak: Sequence[bool] | None = None) -> dict[int, np.ndarray]:
    """The beats to subtract from the channels of one chunk that found no beat train of their own
    but show the train the other channels share (one heart: the same R-peak times on every
    channel, each with its lag), and, when at least :data:`~myoclonus.signals.artefacts.ECG_SHARED_MIN_VOTERS`
    channels have a train, from those whose own train differs from the shared one. With an ECG
    lead's R peaks (``reference``) the shared train is the lead's (:func:`lead_channel_beats`).
    Weak trains (``weak``) yield to those found by the pairwise test: when a channel has such a
    train, the shared train is made of those only, and a channel with a weak train takes it, as a
    channel without a train, where its QRS candidates show it (measured: a weak train that misses
    beats kept a 110-uV neck channel from the 300-uV rectus channel's complete train, 1-2 bursts).

    Parameters
    ----------
    beats : list of ndarray | None
        Per channel, its own subtracted beats (empty: none recognised).
    candidates : list of ndarray | None
        Per channel, its QRS candidate peaks (:func:`_ecg_candidates`).
    sfreq : float
    reference : ndarray of int | None
        R peaks of the recording's ECG lead in the chunk (same time base), None without a lead or
        where it shows no heart rhythm.
    n_times : int | None
        Samples in the chunk (with ``reference``: see :func:`lead_channel_beats`).
    weak : sequence of bool | None
        Per channel, whether its own beats are a weak train
        (:attr:`~myoclonus.signals.artefacts.EcgBeats.weak`); None: none is.

    Returns
    -------
    dict
        Channel index -> beat samples at that channel's lag (:func:`~myoclonus.signals.artefacts.beats_at_lag`);
        only the channels that need a second pass.
    """
    if reference is not None:
        return lead_channel_beats(reference, beats, candidates, sfreq, n_times)
    weak = [False] * len(beats) if weak is None else [bool(w) for w in weak]
    found_by = [b is not None and b.size > 0 for b in beats]
    strong = any(f and not w for f, w in zip(found_by, weak))
    # a weak train counts as none where a channel's train was found by the pairwise test
    yields = [f and w and strong for f, w in zip(found_by, weak)]
    trains = [b for b, f, y in zip(beats, found_by, yields) if f and not y]
    if not trains:
        return {}
    train = art.shared_beat_train(trains, sfreq)
    out = {}
    for i, (own, cand) in enumerate(zip(beats, candidates)):
        if (not found_by[i] or yields[i]) and cand is not None:
            found = art.beats_at_lag(train, cand, sfreq)
        elif found_by[i] and not yields[i] and len(trains) >= art.ECG_SHARED_MIN_VOTERS:
            # a train of its own that the majority contradicts (P waves or half-interval beats taken
            # for beats, hidden beats misplaced, beats missed): the shared train at the channel's lag
            found = art.beats_at_lag(train, own, sfreq)
            if found is not None and art.beats_not_shared(found, own, sfreq) == 0:
                found = None
        else:
            found = None
        if found is not None:
            out[i] = found
    return out


def lead_channel_beats(lead: np.ndarray, beats: list[np.ndarray | None], candidates: list[np.ndarray | None],
                       sfreq: float, n_times: int | None = None) -> dict[int, np.ndarray]:
    """The beats to subtract, given an ECG lead's R peaks: the lead's train at each channel's own
    lag, for every channel that shows it (its own beat train, else its QRS candidates, coincide with
    at least :data:`~myoclonus.signals.artefacts.ECG_SHARED_MIN_SHARE` of the R peaks at one lag:
    :func:`~myoclonus.signals.artefacts.beats_at_lag`), unless the channel's own train is that
    train already. The lead's R peaks are unambiguous, so its train takes precedence over a
    channel's own and over the channels' vote; a channel without ECG does not show it and keeps
    what it found alone. Where the lead lost beats (a stretch of artefact on it) a channel's own
    beats that fall where the rhythm puts them are kept
    (:func:`~myoclonus.signals.artefacts.beats_in_rhythm_gaps`), and so are its own beats before the
    first and after the last of the lead's within the ``n_times`` samples (the lead's beat at the
    channel's lag may fall past the end of the data; dropping the channel's own last beat made a
    burst of its cut QRS on four channels at the end of a simulated recording).

    Parameters
    ----------
    lead : ndarray of int
        R peaks of the ECG lead (samples from the chunk start).
    beats, candidates : list of ndarray | None
        Per channel, its own subtracted beats and its QRS candidate peaks.
    sfreq : float
    n_times : int | None
        Samples in the chunk (None: beats are not moved into it).

    Returns
    -------
    dict
        Channel index -> beat samples at that channel's lag; only the channels that need them.
    """
    out = {}
    for i, (own, cand) in enumerate(zip(beats, candidates)):
        has_own = own is not None and own.size > 0
        found = art.beats_at_lag(lead, own, sfreq) if has_own else None
        if found is None and cand is not None:
            found = art.beats_at_lag(lead, cand, sfreq)
        if found is not None and n_times is not None:
            found = found[(found >= 0) & (found < n_times)]
        if found is not None and has_own:
            found = _with_own_beats_beyond(art.beats_in_rhythm_gaps(found, own, sfreq), own, sfreq)
            if art.beats_not_shared(found, own, sfreq) == 0:
                found = None  # its own train is the lead's: nothing to redo
        if found is not None:
            out[i] = found
    return out


def _with_own_beats_beyond(train: np.ndarray, own: np.ndarray, sfreq: float) -> np.ndarray:
    """``train`` with a channel's ``own`` beats before its first and after its last beat (beyond
    :data:`~myoclonus.signals.artefacts.ECG_SHARED_TOL_S`): where the train says nothing."""
    if train.size == 0:
        return np.asarray(own, np.int64)
    tol = max(int(round(art.ECG_SHARED_TOL_S * sfreq)), 1)
    beyond = own[(own < train[0] - tol) | (own > train[-1] + tol)]
    return np.union1d(train, beyond).astype(np.int64) if beyond.size else train


def _event_table(per_channel: list[tuple[str, ChannelInfo, np.ndarray]]) -> pd.DataFrame:
    """The bursts table (BURST_COLUMNS) from each channel's event array, sorted by onset then channel."""
    n = [found.shape[0] for _, _, found in per_channel]
    values = np.concatenate([found for _, _, found in per_channel]) if per_channel else np.empty((0, len(_EVENT_FIELDS)))
    table = {"channel": np.repeat(np.array([name for name, _, _ in per_channel], object), n),
             "muscle": np.repeat(np.array([ch.muscle for _, ch, _ in per_channel], object), n),
             "side": np.repeat(np.array([ch.side for _, ch, _ in per_channel], object), n)}
    table.update((col, values[:, j]) for j, col in enumerate(_EVENT_FIELDS))
    events = pd.DataFrame(table, columns=BURST_COLUMNS)
    if len(events):
        events = events.sort_values(["onset_s", "channel"], kind="stable").reset_index(drop=True)
    return events


def assemble_bursts(per_channel: dict[str, list[_ChannelOut]], emg: Sequence[ChannelInfo], sfreq: float,
                    mains: MainsReport, settings: AnalysisSettings,
                    ecg_reference: EcgReference | None = None) -> BurstResults:
    """One :class:`BurstResults` from the per-chunk outputs of every channel (and what the ECG
    lead, when there is one, gave over the chunks)."""
    columns, art_rows, status = [], [], {}
    info = {ch.name: ch for ch in emg}
    for name, outs in per_channel.items():
        ch = info[name]
        for o in outs:
            art_rows.extend(o.artefacts)
        found = np.concatenate([o.events for o in outs]) if outs else np.empty((0, len(_EVENT_FIELDS)))
        columns.append((name, ch, found))
        n_blocks = sum(o.n_blocks for o in outs)
        n_flat = sum(o.n_flat_blocks for o in outs)
        n_core = sum(o.n_core for o in outs)
        n_clip = sum(o.n_clipped for o in outs)
        n_beats = sum(o.n_beats for o in outs)
        state = "flat" if n_blocks and n_flat / n_blocks > 0.5 else "ok"
        status[name] = ChannelStatus(
            channel=name,
            state=state,
            saturated_fraction=n_clip / n_core if n_core else 0.0,
            mains_hz=mains.mains_hz if mains.harmonics_hz.get(name) else None,
            ecg_detected=n_beats >= 3,
            n_ecg_beats=n_beats,
        )
    events = _event_table(columns)
    artefacts = pd.DataFrame(art_rows, columns=ARTEFACT_COLUMNS)
    if len(artefacts):
        artefacts = artefacts.sort_values(["onset_s", "channel"], kind="stable").reset_index(drop=True)
    return BurstResults(events=events, sfreq=sfreq, channel_status=status, artefacts=artefacts,
                        mains_hz=mains.mains_hz, settings=settings, channel_info=info,
                        ecg_reference=None if ecg_reference is None else ecg_reference.summary())
