"""Negative myoclonus: silent periods (lapses of ongoing tonic EMG).

Detector rule (CRITERIA §1.6)
-----------------------------
The EMG must be tonically active before and after. A silence is flagged when the rectified,
smoothed EMG drops below a level relative to the local tonic activity for 50-300 ms (EPM1 data),
and no positive burst precedes it within about 50 ms (Rubboli 2006 definition).

Algorithm (per EMG channel, per chunk)
--------------------------------------
1. Conditioning as for bursts (band-pass, mains removal, delay-free), envelope over
   ``silent_envelope_ms``.
2. Local tonic level: per 1-s block the median envelope, 5-block running median.
3. Candidates: runs where the envelope stays below ``silence_fraction`` x tonic level.
4. Each candidate is kept when the envelope in the 200 ms before and after is at least
   ``tonic_contrast`` times the level inside (tonic activity on both sides), its edges
   (taken where the short envelope crosses half-way between the inside level and the tonic
   level on each side: the unbiased edge of a centred moving average) give a duration within
   ``min_silent_ms``-``max_silent_ms``, no burst of the same channel ends or starts within
   ``no_preceding_burst_ms`` before the onset, and no artefact overlaps it.

Columns of :meth:`SilentPeriodResults.summary`
----------------------------------------------
channel, muscle, side; onset_s, offset_s; duration_ms; tonic_uv (median envelope before and
after, µV); depth (inside level / tonic level, 0 = complete silence).

References
----------
Rubboli G, et al. Neurophysiol Clin 2006;36:337 (no preceding positive jerk).
Finnish MDS abstract, "Detection of silent periods ... negative myoclonia" (EPM1, 50-300 ms).
"""
from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import ClassVar

import numpy as np
import pandas as pd
from scipy.ndimage import median_filter

from myoclonus.settings import AnalysisSettings, BurstSettings, ConditioningSettings, SilentPeriodSettings
from myoclonus.signals.bursts import (BurstResults, _resolve_settings, subsample_step, assemble_bursts, check_finite,
                                      clean_channel, conditioned_rows, iter_burst_chunks, prepare_filters,
                                      reference_picks, shared_channel_beats)
from myoclonus.signals.chunking import (as_signal_source, block_samples, chunk_core_s, iter_chunks, pick_emg,
                                         read_float32)
from myoclonus.signals import kernels
from myoclonus.signals.conditioning import EmgFilter, row_medians
from myoclonus.signals.ecg_lead import EcgReference
from myoclonus.signals.results import ChannelStatus, EventResults

__all__ = ["SilentPeriodResults", "detect_silent_periods", "detect_bursts_and_silent_periods", "SILENT_COLUMNS"]

logger = logging.getLogger(__name__)

SILENT_COLUMNS = ["channel", "muscle", "side", "onset_s", "offset_s", "duration_ms", "tonic_uv", "depth"]

#: Context before and after a candidate where tonic activity must be present (engineering
#: choice: long enough for a stable level, short enough to sit between jerks).
CONTEXT_MS = 200.0
#: Gap between a candidate and its context windows, leaving out the transition ramps.
CONTEXT_GAP_MS = 10.0
#: Artefacts during which no silence is reported (a clipped, flat or disturbed signal cannot lapse).
BLOCKING_ARTEFACTS = ("saturation", "flat", "pop", "movement")


@dataclass
class SilentPeriodResults(EventResults):
    """Silent periods of every analysed EMG channel (see module docstring for the columns)."""

    settings: AnalysisSettings = field(default_factory=AnalysisSettings)

    annotation_label: ClassVar[str] = "myoclonus/silent_period"


def _median_level(env: np.ndarray, block: int, step: int) -> np.ndarray:
    """Per block the median of the envelope (every ``step``-th sample: the envelope is a moving
    average, smooth over ``step``), then a 5-block running median."""
    sub = env[::step]
    b = block // step
    n = sub.size
    nb = -(-n // b)
    full = n // b
    lev = np.empty(nb, np.float32)
    if full:
        lev[:full] = row_medians(sub[: full * b].reshape(full, b))
    if nb > full:
        lev[-1] = np.median(sub[full * b :])
    if nb >= 2:
        size = min(5, nb if nb % 2 else nb - 1)
        lev = median_filter(lev, size=size, mode="nearest")
    return lev


def _detect_channel(x: np.ndarray, name: str, sfreq: float, offset: int, core: tuple[int, int], filt: EmgFilter,
                    cond: ConditioningSettings, bset: BurstSettings, sset: SilentPeriodSettings, burst_edges: np.ndarray,
                    blocked: np.ndarray, y: np.ndarray | None,
                    shared_beats: np.ndarray | None = None) -> tuple[list[tuple], np.ndarray, np.ndarray, bool]:
    """Silent periods of one channel chunk, with the channel's subtracted beats, QRS candidates and
    whether the beats are a weak train (for the beat train shared by the chunk's channels, as in
    the burst detector)."""
    # the same cleaned signal as the bursts (``y``: ``x`` conditioned), with its envelope over the
    # silent-period window
    cc = clean_channel(x, sfreq, offset, filt, cond, bset, y, extra_envelope_ms=sset.silent_envelope_ms,
                       shared_beats=shared_beats)
    found = _without_bursts(_silences(cc.extra_env, sfreq, offset, core, sset), burst_edges, blocked, sset)
    return found, cc.ecg_peaks, cc.ecg_candidates, cc.ecg_weak


def _silences(env: np.ndarray, sfreq: float, offset: int, core: tuple[int, int], sset: SilentPeriodSettings) -> list[tuple]:
    """Lapses of tonic activity with onset in the chunk's core, from the envelope of its cleaned
    signal over ``silent_envelope_ms`` (not yet checked against bursts and artefacts:
    :func:`_without_bursts`)."""
    block = block_samples(sfreq)
    core_lo, core_hi = core[0] - offset, core[1] - offset
    tonic = _median_level(env, block, subsample_step(sfreq, block, sset.silent_envelope_ms))
    cand = kernels.runs_below(env, np.float32(sset.silence_fraction) * tonic, block)
    ms = sfreq / 1000.0
    ctx, gap = int(round(CONTEXT_MS * ms)), int(round(CONTEXT_GAP_MS * ms))
    min_len, max_len = sset.min_silent_ms * ms, sset.max_silent_ms * ms
    length = cand[:, 1] - cand[:, 0]
    out = []
    for a, b in cand[(length >= 0.5 * min_len) & (length <= 2 * max_len)]:
        pre = env[max(a - gap - ctx, 0) : max(a - gap, 0)]
        post = env[b + gap : b + gap + ctx]
        if pre.size < ctx // 2 or post.size < ctx // 2:
            continue
        inside = float(np.median(env[a:b]))
        pre_l, post_l = float(np.median(pre)), float(np.median(post))
        floor = max(inside, 1e-6)
        if pre_l < sset.tonic_contrast * floor or post_l < sset.tonic_contrast * floor:
            continue
        # unbiased edges: half-way crossings of the short envelope
        lvl_on = inside + 0.5 * (pre_l - inside)
        lvl_off = inside + 0.5 * (post_l - inside)
        mid = (a + b) // 2
        lo = max(a - gap - ctx, 0)
        above_before = np.flatnonzero(env[lo:mid] >= lvl_on)
        above_after = np.flatnonzero(env[mid : b + gap + ctx] >= lvl_off)
        if above_before.size == 0 or above_after.size == 0:
            continue
        on = lo + above_before[-1] + 1
        off = mid + above_after[0]
        length = off - on
        if not (min_len <= length <= max_len) or not (core_lo <= on < core_hi):
            continue
        t_on, t_off = (on + offset) / sfreq, (off + offset) / sfreq
        tonic_uv = 0.5 * (pre_l + post_l)
        out.append((t_on, t_off, length / ms, tonic_uv, inside / tonic_uv if tonic_uv > 0 else np.nan))
    return out


def _without_bursts(silences: list[tuple], burst_edges: np.ndarray, blocked: np.ndarray,
                    sset: SilentPeriodSettings) -> list[tuple]:
    """The silences that no burst precedes within ``no_preceding_burst_ms`` or overlaps (Rubboli
    2006), and no artefact overlaps."""
    out = []
    for sil in silences:
        t_on, t_off = sil[0], sil[1]
        if burst_edges.size:
            near = (burst_edges[:, 0] < t_on + 1e-9) & (burst_edges[:, 1] > t_on - sset.no_preceding_burst_ms / 1000.0)
            inside_burst = (burst_edges[:, 0] < t_off) & (burst_edges[:, 1] > t_on)
            if near.any() or inside_burst.any():
                continue
        if blocked.size and ((blocked[:, 0] < t_off) & (blocked[:, 1] > t_on)).any():
            continue
        out.append(sil)
    return out


def detect_silent_periods(source, sfreq: float | None = None, ch_names: Sequence[str] | None = None, *,
                          channels: Sequence[str] | None = None, bursts: BurstResults | None = None,
                          settings: AnalysisSettings | None = None,
                          progress: Callable[[float], None] | None = None) -> SilentPeriodResults:
    """Detect silent periods (negative myoclonus) in tonically active EMG channels.

    Parameters
    ----------
    source : SignalSource | mne.io.Raw | ndarray
        As for :func:`~myoclonus.signals.bursts.detect_bursts` (arrays in µV).
    sfreq, ch_names
        Arrays only.
    channels : sequence of str | None
        Restrict to these channels.
    bursts : BurstResults | None
        Bursts of the same recording (to exclude silences preceded by a burst); detected here,
        in the same pass, when not given (:func:`detect_bursts_and_silent_periods`).
    settings : AnalysisSettings | None
        Uses ``conditioning``, ``silent`` (and ``bursts`` when bursts are detected here).
    progress : callable | None
        Called with the fraction done after each chunk.

    Returns
    -------
    SilentPeriodResults
    """
    if bursts is None:
        return detect_bursts_and_silent_periods(source, sfreq, ch_names, channels=channels, settings=settings,
                                                progress=progress)[1]
    settings = _resolve_settings(settings)
    src = as_signal_source(source, sfreq, ch_names)
    sf = float(src.sfreq)
    emg = pick_emg(src, channels)
    _, filters = prepare_filters(src, emg, settings)
    names = [ch.name for ch in emg]
    bursts_by_ch = {n: bursts.events[bursts.events["channel"] == n][["onset_s", "offset_s"]].to_numpy(float)
                    if len(bursts.events) else np.empty((0, 2)) for n in names}
    art = bursts.artefacts
    blocked_by_ch = {n: art[(art["channel"] == n) & (art["kind"].isin(BLOCKING_ARTEFACTS))][["onset_s", "offset_s"]].to_numpy(float)
                     if len(art) else np.empty((0, 2)) for n in names}
    rows: list[tuple] = []
    info = {c.name: c for c in emg}
    reference = EcgReference.of(src)
    picks, ecg_row = reference_picks(names, reference)
    chunks = list(iter_chunks(int(src.n_times), sf, chunk_core_s(settings.chunks, sf, len(picks)), settings.chunks.overlap_s))
    for k, ck in enumerate(chunks):
        if not names:
            break
        data = read_float32(src, picks, ck.start, ck.stop)
        for i, n in enumerate(names):
            check_finite(data[i], n, sf, ck.start)
        found, beats, candidates, weak = [], [], [], []

        def silences(i: int, y: np.ndarray | None, shared: np.ndarray | None = None):
            n = names[i]
            return _detect_channel(data[i], n, sf, ck.start, (ck.core_start, ck.core_stop), filters[n], settings.conditioning,
                                   settings.bursts, settings.silent, bursts_by_ch[n], blocked_by_ch[n], y, shared)

        for i, y in conditioned_rows(data, names, filters, range(len(names)), sf, ck.start == 0):  # as for the bursts
            ev, b, c, w = silences(i, y)
            found.append(ev)
            beats.append(b)
            candidates.append(c)
            weak.append(w)
        # as the burst detector: channels that show the chunk's shared beat train (the ECG lead's
        # where it shows a heart rhythm), again with it
        lead = None if ecg_row is None else reference.beats(data[ecg_row])
        for i, shared in shared_channel_beats(beats, candidates, sf, reference=lead, n_times=data.shape[1],
                                              weak=weak).items():
            found[i] = silences(i, None, shared)[0]
        for n, ev in zip(names, found):
            rows.extend((n, info[n].muscle, info[n].side, *e) for e in ev)
        if progress is not None:
            progress((k + 1) / len(chunks))
    return _results(rows, sf, bursts, names, settings)


def detect_bursts_and_silent_periods(source, sfreq: float | None = None, ch_names: Sequence[str] | None = None, *,
                                     channels: Sequence[str] | None = None, settings: AnalysisSettings | None = None,
                                     progress: Callable[[float], None] | None = None) -> tuple[BurstResults, SilentPeriodResults]:
    """Bursts and silent periods from one conditioning pass per chunk.

    The same results as :func:`~myoclonus.signals.bursts.detect_bursts` followed by
    :func:`detect_silent_periods` with those bursts, at the cost of one: the lapses of a chunk are
    found in the cleaned signal while the burst detector has it, and checked against the bursts
    once the next chunk's are known (a silence near the end of a chunk's core may hold a burst of
    the next).

    Parameters and errors as for :func:`~myoclonus.signals.bursts.detect_bursts`.

    Returns
    -------
    (BurstResults, SilentPeriodResults)
    """
    settings = _resolve_settings(settings)
    src = as_signal_source(source, sfreq, ch_names)
    sf = float(src.sfreq)
    emg = pick_emg(src, channels)
    info = {c.name: c for c in emg}
    per_channel: dict[str, list] = {c.name: [] for c in emg}
    rows: list[tuple] = []

    def keep_silences(ck, candidates: dict[str, list[tuple]]) -> None:
        for n, found in candidates.items():
            recent = per_channel[n][-3:]  # this chunk and its neighbours hold every burst within reach
            edges = np.concatenate([o.events[:, :2] for o in recent]) if recent else np.empty((0, 2))
            blocked = np.array([a[2:] for o in recent for a in o.artefacts if a[1] in BLOCKING_ARTEFACTS], float).reshape(-1, 2)
            rows.extend((n, info[n].muscle, info[n].side, *e) for e in _without_bursts(found, edges, blocked, settings.silent))

    def silences_in_chunk(cc, offset: int, core: tuple[int, int]) -> list[tuple]:
        return _silences(cc.extra_env, sf, offset, core, settings.silent)

    pending = None
    reference = EcgReference.of(src)
    for ck, outs in iter_burst_chunks(src, emg, settings, on_clean=silences_in_chunk,
                                      clean_envelope_ms=settings.silent.silent_envelope_ms, progress=progress,
                                      ecg_reference=reference):
        for n, o in outs.items():
            per_channel[n].append(o)
        if pending is not None:
            keep_silences(*pending)
        pending = (ck, {n: o.extra for n, o in outs.items()})
    if pending is not None:
        keep_silences(*pending)
    mains, _ = prepare_filters(src, emg, settings)  # cached per source: found once per recording
    bursts = assemble_bursts(per_channel, emg, sf, mains, settings, reference)
    return bursts, _results(rows, sf, bursts, list(info), settings)


def _results(rows: list[tuple], sfreq: float, bursts: BurstResults, names: list[str],
             settings: AnalysisSettings) -> SilentPeriodResults:
    events = pd.DataFrame(rows, columns=SILENT_COLUMNS)
    if len(events):
        events = events.sort_values(["onset_s", "channel"], kind="stable").reset_index(drop=True)
    status = {n: bursts.channel_status.get(n, ChannelStatus(n)) for n in names}
    return SilentPeriodResults(events=events, sfreq=sfreq, channel_status=status, artefacts=bursts.artefacts, settings=settings)
