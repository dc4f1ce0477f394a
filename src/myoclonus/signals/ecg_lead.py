"""R peaks of a dedicated ECG lead: the heartbeat train that the EMG channels' ECG removal follows.

Clinical polymyography and PSG montages usually hold an ECG lead, whose R peaks are unambiguous;
on an EMG channel whose QRS is buried under tonic EMG (a neck muscle: R wave 30-150 µV) they are
not, and the recording may have no other ECG-carrying EMG channel to share a beat train with
(:func:`myoclonus.signals.bursts.shared_channel_beats`). When the recording has a channel typed
``ecg``, its R peaks, found chunk by chunk here, are each chunk's shared train; every EMG channel
still takes it at its own lag and only when its own QRS candidates follow it
(:func:`myoclonus.signals.artefacts.beats_at_lag`), so a channel without ECG is left alone.

Algorithm (per chunk of the ECG lead)
-------------------------------------
1. Band-pass :data:`ECG_LEAD_BAND_HZ`, zero-phase (the R peaks stay in place: the lag of each EMG
   channel's QRS to them stays within
   :data:`~myoclonus.signals.artefacts.ECG_SHARED_MAX_LAG_S`).
2. Candidates: local maxima of the absolute band-passed signal (either polarity), at least the
   shortest R-R interval apart.
3. A candidate is an R peak when it reaches :data:`ECG_LEAD_R_FRACTION` of the local R level (the
   median of the :data:`ECG_LEAD_LEVEL_PEAKS` largest candidates within
   ±:data:`ECG_LEAD_WINDOW_S`) and that level stands :data:`ECG_LEAD_MIN_SNR` times above the
   local noise (a robust SD of the band-passed signal, from the median of its absolute value per
   1-s block): a flat or noise-only lead gives none.
4. Rhythm: a beat whose two neighbours are about one R-R interval apart and whose waveform is not
   their QRS is an extra (an artefact on the lead, not a heartbeat); runs of beats no further apart than the longest R-R
   interval, with at least :data:`~myoclonus.signals.artefacts.ECG_MIN_TRAIN` beats, are kept.
5. Each beat is moved to the lead's dominant deflection (the extreme of the polarity that most of
   its neighbours share, within ±:data:`~myoclonus.signals.artefacts.ECG_MATCH_HALF_S`): the R
   wave, not the S wave on some beats and the R wave on others.

Every decision is local (±4 s, 1-s blocks aligned to the recording start), so chunked and
one-shot processing agree. :func:`mne.preprocessing.ecg.qrs_detector` was considered: it sets its
threshold from the first three seconds of the signal it is given, so each chunk would get its own.

References
----------
Pan J, Tompkins WJ. A real-time QRS detection algorithm. IEEE Trans Biomed Eng 1985;32:230-236
(QRS energy band 5-15 Hz, refractory 200 ms, thresholds relative to running signal and noise peaks).
"""
from __future__ import annotations

import logging
import weakref
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from scipy import signal

from myoclonus.signals import artefacts as art
from myoclonus.signals.chunking import block_samples

__all__ = ["find_r_peaks", "EcgReference", "EcgReferenceSummary", "ECG_LEAD_BAND_HZ"]

logger = logging.getLogger(__name__)

#: Pass band of the QRS (Hz): Pan & Tompkins 1985 use 5-15 Hz, MNE's ``find_ecg_events`` 5-35 Hz;
#: 30 Hz keeps the R wave sharp (its fiducial point is aligned to the EMG channels' QRS) while
#: baseline wander, P and T waves (below 5-10 Hz) and most surface EMG (above 30 Hz) are cut.
ECG_LEAD_BAND_HZ = (5.0, 30.0)
#: Butterworth order of each pass of the zero-phase band-pass (engineering choice: 2 x 2nd order
#: settles within 1 s, well inside the chunk overlap).
ECG_LEAD_FILTER_ORDER = 2
#: Half-width (s) of the window whose candidates set a beat's R level and noise (as the EMG
#: channels' beat neighbourhood, :data:`~myoclonus.signals.artefacts.ECG_NEIGHBOURHOOD_S`).
ECG_LEAD_WINDOW_S = art.ECG_NEIGHBOURHOOD_S
#: Largest candidates whose median is the local R level: the fewest beats the window holds at the
#: slowest heart rate accepted (2 x 4 s / 2 s R-R), so the level is an R peak's even at 30 beats
#: per minute and one artefact larger than the R waves does not set it.
ECG_LEAD_LEVEL_PEAKS = int(2 * ECG_LEAD_WINDOW_S / art.ECG_RR_RANGE_S[1])
#: Fraction of the local R level an R peak reaches (respiration changes the R amplitude by
#: 10-30 %; Pan & Tompkins 1985 set their threshold a quarter of the way from the noise peaks to
#: the signal peaks). Engineering choice, measured: see :data:`ECG_LEAD_MIN_SNR`.
ECG_LEAD_R_FRACTION = 0.5
#: Local R level over the noise's robust SD below which the lead holds no heartbeat (flat, detached
#: or noise only). Engineering choice, measured 2026-11-23 at 500 / 1000 / 2048 / 5000 Hz (largest
#: over every candidate of 4 x 60 s per noise and rate): white noise, EMG-like noise (20-450 Hz and
#: 5-60 Hz) and 1/f noise reach 3.6-4.1, 50-Hz mains 1.1-1.3; the simulator's ECG waveform under
#: white noise of SD R/3 stays >= 6.5 at its beats (R/5: >= 9.7; clean: about 23).
ECG_LEAD_MIN_SNR = 6.0
#: Neighbours of a beat closer than this many local R-R intervals make it an extra beat: half-way
#: between 1 (an artefact between two beats) and 2 (a beat in the rhythm, or a premature beat with
#: its compensatory pause); sinus arrhythmia moves 2 intervals by 10-20 % (engineering choice).
ECG_LEAD_EXTRA_RR = 1.5
#: Correlation with the neighbours' median QRS below which a beat that breaks the rhythm is an
#: artefact (:func:`_without_extra_beats`). Engineering choice, measured 2026-11-23 on the
#: simulator's ECG waveform with irregular R-R intervals (0.45-1.2 s, atrial-fibrillation-like)
#: under white or EMG-like noise: real beats correlate >= 0.96 at noise SD R/5 (>= 0.89 at R/3,
#: 500 Hz), a 60-ms 20-Hz transient (one and a half cycles inside the QRS band: the most QRS-like
#: EMG burst) 0.91; :data:`~myoclonus.signals.artefacts.ECG_MIN_CORR` (0.8) let it through. With
#: 0.95 one beat of 145 was lost (500 Hz, noise SD R/3), none in the other cases.
ECG_LEAD_MIN_QRS_LIKENESS = 0.95
#: Start of the recording on which several ECG leads are compared (:meth:`EcgReference.of`;
#: engineering choice: about 60-100 beats, as the mains probe's minute).
ECG_LEAD_PROBE_S = 60.0
#: Median |x| of a zero-mean Gaussian signal over its SD.
_MEDIAN_ABS_PER_SD = 0.6744897501960817


@lru_cache(maxsize=16)
def _band_pass(sfreq: float) -> np.ndarray:
    """Second-order sections of the QRS band-pass at ``sfreq`` (upper edge below Nyquist)."""
    lo, hi = ECG_LEAD_BAND_HZ
    return signal.butter(ECG_LEAD_FILTER_ORDER, [lo, min(hi, 0.45 * sfreq)], btype="band", fs=sfreq, output="sos")


def qrs_band(x: np.ndarray, sfreq: float) -> np.ndarray:
    """The lead band-passed to :data:`ECG_LEAD_BAND_HZ`, zero-phase, float64 (non-finite samples
    read as 0: the lead is not analysed, a gap in it only loses its beats)."""
    x64 = np.asarray(x, np.float64)
    if not np.isfinite(x64.sum()):
        x64 = np.where(np.isfinite(x64), x64, 0.0)
    if x64.size < 16:
        return np.zeros(x64.size)
    pad = min(x64.size - 1, int(3 * sfreq / ECG_LEAD_BAND_HZ[0]))
    return signal.sosfiltfilt(_band_pass(float(sfreq)), x64 - x64[0], padlen=pad)


def _block_noise_sd(magnitude: np.ndarray, sfreq: float) -> np.ndarray:
    """Per 1-s block (aligned to the start of ``magnitude``) the robust SD of the band-passed lead:
    the median of its absolute value over :data:`_MEDIAN_ABS_PER_SD`. Every ``step``-th sample
    (ten per cycle at the band's upper edge) is enough for a median."""
    block = block_samples(sfreq)
    step = max(int(sfreq / (10.0 * ECG_LEAD_BAND_HZ[1])), 1)
    n_full = magnitude.size // block
    medians = []
    if n_full:
        medians.append(np.median(magnitude[: n_full * block].reshape(n_full, block)[:, ::step], axis=1))
    if magnitude.size > n_full * block:
        medians.append(np.array([np.median(magnitude[n_full * block :: step])]))
    return np.concatenate(medians) / _MEDIAN_ABS_PER_SD if medians else np.empty(0)


def _r_level_and_noise(peaks: np.ndarray, heights: np.ndarray, noise_sd: np.ndarray,
                       sfreq: float) -> tuple[np.ndarray, np.ndarray]:
    """Per candidate: the local R level (median of the :data:`ECG_LEAD_LEVEL_PEAKS` largest
    candidates within ±:data:`ECG_LEAD_WINDOW_S`) and the local noise SD (median of the block
    values within as many blocks on either side)."""
    window = int(round(ECG_LEAD_WINDOW_S * sfreq))
    lo = np.searchsorted(peaks, peaks - window, side="left")
    hi = np.searchsorted(peaks, peaks + window, side="right")
    level = np.empty(peaks.size)
    for i, (a, b) in enumerate(zip(lo, hi)):
        top = np.sort(heights[a:b])[-ECG_LEAD_LEVEL_PEAKS:]
        level[i] = np.median(top)
    block = block_samples(sfreq)
    reach = int(round(ECG_LEAD_WINDOW_S))  # blocks of 1 s on either side
    own = peaks // block
    noise = np.array([np.median(noise_sd[max(k - reach, 0) : k + reach + 1]) for k in own])
    return level, noise


def _local_intervals(beats: np.ndarray, n_neighbours: int = 6) -> np.ndarray:
    """Per beat, the median of the R-R intervals within ``n_neighbours`` beats on each side."""
    rr = np.diff(beats).astype(float)
    gap = np.full(n_neighbours, np.nan)
    # window i holds the intervals i - n_neighbours .. i + n_neighbours - 1 (those that exist)
    windows = np.lib.stride_tricks.sliding_window_view(np.concatenate((gap, rr, gap)), 2 * n_neighbours)
    return np.nanmedian(windows, axis=1)


def _qrs_likeness(band: np.ndarray, beats: np.ndarray, sfreq: float, n_neighbours: int = 6) -> np.ndarray:
    """Per beat, the correlation of its band-passed QRS (±:data:`~myoclonus.signals.artefacts.ECG_MATCH_HALF_S`)
    with the sample-wise median of its ``n_neighbours`` neighbours' on each side (sign-aligned)."""
    half = max(int(round(art.ECG_MATCH_HALF_S * sfreq)), 2)
    idx = np.clip(beats[:, None] + np.arange(-half, half + 1)[None, :], 0, band.size - 1)
    seg = band[idx]
    seg = seg - seg.mean(axis=1, keepdims=True)
    seg /= np.maximum(np.linalg.norm(seg, axis=1, keepdims=True), 1e-12)
    out = np.ones(beats.size)
    for i in range(beats.size):
        near = np.r_[max(i - n_neighbours, 0) : i, i + 1 : min(i + n_neighbours + 1, beats.size)]
        if near.size == 0:
            continue
        template = np.median(seg[near] * np.sign(seg[near] @ seg[i])[:, None], axis=0)
        out[i] = abs(float(seg[i] @ template)) / max(float(np.linalg.norm(template)), 1e-12)
    return out


def _without_extra_beats(band: np.ndarray, beats: np.ndarray, sfreq: float) -> np.ndarray:
    """Drop, one at a time and the clearest first, the beats whose two neighbours are less than
    :data:`ECG_LEAD_EXTRA_RR` local R-R intervals apart and whose waveform is not their
    neighbours' QRS (correlation below :data:`ECG_LEAD_MIN_QRS_LIKENESS`): a heart
    beats about once per interval, so such a peak is an artefact on the lead (a jerk's EMG, a pop).
    A premature beat leaves its neighbours about two intervals apart (compensatory pause), and the
    beats of an irregular rhythm (atrial fibrillation) share their QRS: both stay."""
    beats = np.asarray(beats, np.int64)
    if beats.size < 3:
        return beats
    unlike = _qrs_likeness(band, beats, sfreq) < ECG_LEAD_MIN_QRS_LIKENESS
    while beats.size >= 3 and unlike[1:-1].any():
        outer = (beats[2:] - beats[:-2]) / _local_intervals(beats)[1:-1]
        outer[~unlike[1:-1]] = np.inf
        k = int(np.argmin(outer))
        if outer[k] >= ECG_LEAD_EXTRA_RR:
            break
        beats, unlike = np.delete(beats, k + 1), np.delete(unlike, k + 1)
    return beats


def _in_rhythm(beats: np.ndarray, sfreq: float) -> np.ndarray:
    """The beats of runs no further apart than the longest R-R interval with at least
    :data:`~myoclonus.signals.artefacts.ECG_MIN_TRAIN` beats (the heart does not pause; isolated
    peaks of an artefact do not form such runs)."""
    if beats.size < art.ECG_MIN_TRAIN:
        return beats[:0]
    runs = np.split(beats, np.flatnonzero(np.diff(beats) > art.ECG_RR_RANGE_S[1] * sfreq) + 1)
    kept = [r for r in runs if r.size >= art.ECG_MIN_TRAIN]
    return np.concatenate(kept) if kept else beats[:0]


def _on_dominant_deflection(band: np.ndarray, beats: np.ndarray, sfreq: float, n_neighbours: int = 6) -> np.ndarray:
    """Each beat moved to the extreme, within ±:data:`~myoclonus.signals.artefacts.ECG_MATCH_HALF_S`,
    of the polarity its ``n_neighbours`` neighbours on each side mostly have at their peaks."""
    half = max(int(round(art.ECG_MATCH_HALF_S * sfreq)), 1)
    signs = np.sign(band[beats])
    out = beats.copy()
    for i, p in enumerate(beats):
        polarity = 1.0 if np.sum(signs[max(i - n_neighbours, 0) : i + n_neighbours + 1]) >= 0 else -1.0
        a, b = max(p - half, 0), min(p + half + 1, band.size)
        out[i] = a + int(np.argmax(polarity * band[a:b]))
    return np.unique(out)


def find_r_peaks(x: np.ndarray, sfreq: float) -> np.ndarray:
    """R peaks of an ECG lead (see the module docstring for the algorithm).

    Parameters
    ----------
    x : ndarray, shape (n_times,)
        The lead in µV (any scale works: every test is relative), starting at a baseline-block
        boundary of the recording (chunks do) so that chunked and one-shot processing agree.
    sfreq : float
        Sampling rate (Hz).

    Returns
    -------
    ndarray of int
        Sample of each R peak, sorted; empty when the lead shows no heart rhythm (flat, noise only).
    """
    sfreq = float(sfreq)
    band = qrs_band(x, sfreq)
    magnitude = np.abs(band)
    distance = max(int(round(art.ECG_RR_RANGE_S[0] * sfreq)), 1)
    peaks, _ = signal.find_peaks(magnitude, distance=distance)
    if peaks.size < art.ECG_MIN_TRAIN:
        return np.empty(0, np.int64)
    heights = magnitude[peaks]
    level, noise = _r_level_and_noise(peaks, heights, _block_noise_sd(magnitude, sfreq), sfreq)
    is_r = (heights >= ECG_LEAD_R_FRACTION * level) & (level >= ECG_LEAD_MIN_SNR * np.maximum(noise, art.FLAT_RMS_UV))
    beats = _without_extra_beats(band, peaks[is_r], sfreq)
    beats = _in_rhythm(beats, sfreq)
    if beats.size == 0:
        return np.empty(0, np.int64)
    return _on_dominant_deflection(band, beats, sfreq).astype(np.int64)


def regular_intervals(peaks: np.ndarray) -> int:
    """How many intervals between consecutive ``peaks`` are within
    :data:`~myoclonus.signals.artefacts.ECG_RR_TOLERANCE` of the local R-R interval
    (:func:`_local_intervals`; a lead whose T waves are taken for beats alternates short and long
    intervals, one that misses beats has long ones)."""
    if len(peaks) < 2:
        return 0
    gaps = np.diff(np.asarray(peaks, float))
    local = _local_intervals(np.asarray(peaks))[:-1]  # the local R-R interval at each interval's first beat
    return int(np.count_nonzero(np.abs(gaps - local) <= art.ECG_RR_TOLERANCE * local))


@dataclass(frozen=True)
class EcgReferenceSummary:
    """What the recording's ECG lead gave the ECG removal.

    Attributes
    ----------
    channel : str
        The ECG channel used as the reference.
    n_beats : int
        R peaks found (in the chunks where the lead showed a heart rhythm).
    n_chunks : int
        Chunks analysed.
    n_chunks_used : int
        Chunks whose shared beat train was the lead's; in the others (flat or noisy lead) the EMG
        channels' own trains were used, as without an ECG lead.
    """

    channel: str
    n_beats: int = 0
    n_chunks: int = 0
    n_chunks_used: int = 0

    @property
    def used(self) -> bool:
        """Whether the lead's beats served in at least one chunk."""
        return self.n_chunks_used > 0

    @property
    def fallback(self) -> str | None:
        """What the ECG removal did where the lead showed no heart rhythm (None: it showed one in
        every chunk); logged once and listed in the analysis warnings."""
        if self.n_chunks_used >= self.n_chunks:
            return None
        where = "anywhere" if not self.used else f"in {self.n_chunks - self.n_chunks_used} of {self.n_chunks} chunks"
        return (f"ECG channel {self.channel!r} showed no heart rhythm {where} (flat, noise or a detached lead): there "
                "ECG was removed from the EMG channels with the beats they show themselves.")

    def as_dict(self) -> dict:
        """Plain-dict form (JSON-ready)."""
        return {"channel": self.channel, "used": self.used, "n_beats": int(self.n_beats), "n_chunks": int(self.n_chunks),
                "n_chunks_used": int(self.n_chunks_used)}


def choose_lead(source) -> str | None:
    """The ECG lead of a signal source: its channel typed ``ecg`` recorded fast enough for the QRS
    band (above twice its upper edge), or None. Of several such leads, the one with the most
    regular R-R intervals over the first :data:`ECG_LEAD_PROBE_S` (:func:`regular_intervals`; the
    first on a tie)."""
    min_hz = 2.0 * ECG_LEAD_BAND_HZ[1]
    recorded = getattr(source, "recorded_sfreq", None)
    leads = []
    for ch in source.channels:
        if ch.kind != "ecg":
            continue
        rate = float(recorded(ch.name)) if callable(recorded) else float(source.sfreq)
        if rate > min_hz:
            leads.append(ch.name)
        else:
            logger.warning("ECG channel %r recorded at %g Hz, too slow for its QRS band: not used as the ECG "
                           "reference.", ch.name, rate)
    if len(leads) > 1:
        sfreq = float(source.sfreq)
        probe = np.asarray(source.get_data(leads, 0, min(int(ECG_LEAD_PROBE_S * sfreq), int(source.n_times))),
                           np.float64)
        scores = [regular_intervals(find_r_peaks(row, sfreq)) for row in probe]
        best = int(np.argmax(scores))
        logger.info("ECG leads %s: %r has the most regular R-R intervals in the first %.0f s (%s); it is the "
                    "reference.", leads, leads[best], ECG_LEAD_PROBE_S, ", ".join(map(str, scores)))
        leads = [leads[best]]
    return leads[0] if leads else None


#: The lead :func:`choose_lead` picked for each source object (weakly referenced).
_CHOSEN_LEAD: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


class EcgReference:
    """The ECG lead of a recording as the beat reference of its chunks (see the module docstring).

    Parameters
    ----------
    channel : str
        Name of the ECG channel.
    sfreq : float
        Sampling rate (Hz).
    """

    def __init__(self, channel: str, sfreq: float) -> None:
        self.channel = channel
        self.sfreq = float(sfreq)
        self._n_beats = 0
        self._n_chunks = 0
        self._n_chunks_used = 0

    @classmethod
    def of(cls, source) -> EcgReference | None:
        """The reference of a signal source (:func:`choose_lead`; chosen once per source object, so
        the detectors run on one ``Recording`` share it), or None (no ECG lead: nothing changes)."""
        try:
            name = _CHOSEN_LEAD[source]
        except KeyError:
            name = _CHOSEN_LEAD[source] = choose_lead(source)
        except TypeError:  # a source that cannot be weakly referenced: chosen each time
            name = choose_lead(source)
        return cls(name, float(source.sfreq)) if name is not None else None

    def beats(self, x: np.ndarray) -> np.ndarray | None:
        """The chunk's reference train: the R peaks of the lead's chunk ``x`` (samples from the chunk
        start), or None when it shows no heart rhythm (too few beats for a train)."""
        peaks = find_r_peaks(x, self.sfreq)
        return peaks if peaks.size >= art.ECG_MIN_TRAIN else None

    def note(self, chunk, beats: np.ndarray | None) -> None:
        """Count what a chunk's lead gave (its beats within the chunk's core); log a fallback."""
        self._n_chunks += 1
        if beats is None:
            logger.info("ECG channel %r shows no heart rhythm in %.0f-%.0f s: the EMG channels' own beat trains are used "
                        "there.", self.channel, chunk.core_start / self.sfreq, chunk.core_stop / self.sfreq)
            return
        self._n_chunks_used += 1
        at = beats + chunk.start
        self._n_beats += int(np.count_nonzero((at >= chunk.core_start) & (at < chunk.core_stop)))

    def summary(self) -> EcgReferenceSummary:
        """What the lead gave over the chunks noted so far; a warning when it gave nothing somewhere."""
        found = EcgReferenceSummary(self.channel, self._n_beats, self._n_chunks, self._n_chunks_used)
        if found.fallback is not None:
            logger.warning(found.fallback)
        return found
