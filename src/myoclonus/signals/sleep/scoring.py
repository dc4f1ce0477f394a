"""``score_sleep``: leg movements, PLM series and indices, fragmentary myoclonus and hypnic jerks
of one polysomnogram, with the sleep stages they are referred to.

Decision support, not a diagnosis: PLMD also needs a clinical sleep disturbance (ICSD), and the
indices here are only as good as the leg EMG and the hypnogram.
"""
from __future__ import annotations

import datetime as dt
import logging
import os
import re
from dataclasses import dataclass, field, replace
from pathlib import Path

from myoclonus.settings import AnalysisSettings
from myoclonus.signals.sleep import rules as R
from myoclonus.signals.sleep.fragmentary import FragmentaryResults, score_fragmentary
from myoclonus.signals.sleep.hypnic import PSM_MAX_BURST_S, HypnicResults, score_hypnic_jerks
from myoclonus.signals.sleep.limb_movements import LegMovement, LimbMovementResults, detect_limb_movements
from myoclonus.signals.sleep.plm import (PLMIndices, PLMSeries, find_plm_series, flag_arousal,
                                         flag_respiratory, plm_indices)
from myoclonus.signals.sleep.potentials import detect_potentials
from myoclonus.signals.sleep.windows import iter_windows
from myoclonus.signals.sleep.staging import (SLEEP_STAGES, Hypnogram, _edf_start, hypnogram_from_annotations,
                                             no_hypnogram, read_hypnogram_file, stage_automatically)

__all__ = ["SleepResults", "score_sleep", "leg_channels", "MIN_EMG_SFREQ_HZ"]

logger = logging.getLogger(__name__)

MIN_EMG_SFREQ_HZ = 200.0  # AASM technical specifications: EMG minimal sampling rate 200 Hz (desirable 500 Hz)
MIN_AUTO_STAGING_S = 5 * 60.0  # YASA needs several epochs of context (engineering choice: >= 5 min)
_RESP_RE = re.compile(r"apn[o]?ea|hypopn[o]?ea|\brera\b|respiratory[\s_-]*event|obstructive|central[\s_-]*apn", re.I)
_AROUSAL_RE = re.compile(r"arousal", re.I)
_EOG_HINT = re.compile(r"eog|loc|roc", re.I)
_CHIN_HINT = re.compile(r"chin|submental|\bmen\b", re.I)


@dataclass
class SleepResults:
    """Everything ``myoclonus sleep`` reports for one PSG.

    Attributes
    ----------
    rules : str
    hypnogram : Hypnogram
    limb_movements : LimbMovementResults | None
        None when no tibialis channel was found.
    series : list of PLMSeries
    indices : PLMIndices | None
    fragmentary : FragmentaryResults | None
        None when no EMG channel at >= 200 Hz exists.
    hypnic : HypnicResults | None
    leg_channels : dict
        Tibialis channel -> leg.
    has_respiratory_annotations, has_arousal_annotations : bool
    duration_s : float
    warnings : list of str
    """

    rules: str
    hypnogram: Hypnogram
    limb_movements: LimbMovementResults | None
    series: list[PLMSeries]
    indices: PLMIndices | None
    fragmentary: FragmentaryResults | None
    hypnic: HypnicResults | None
    leg_channels: dict[str, str]
    has_respiratory_annotations: bool
    has_arousal_annotations: bool
    duration_s: float
    warnings: list[str] = field(default_factory=list)

    @property
    def stages_source(self) -> str:
        return self.hypnogram.source

    @property
    def movements(self) -> list[LegMovement]:
        return self.limb_movements.events if self.limb_movements else []

    def to_dict(self) -> dict:
        """``myoclonus.sleep/1`` (CONTRACTS §4) plus a few optional extra fields."""
        from myoclonus._version import __version__

        ix = self.indices
        fm = self.fragmentary
        lm_scored = self.limb_movements is not None
        wake_h = self.hypnogram.hours_in({"W"}) if self.hypnogram.source != "none" else None
        return {
            "schema": "myoclonus.sleep/1",
            "rules": self.rules,
            "stages_source": self.stages_source,
            "total_sleep_time_h": _round(self.hypnogram.total_sleep_time_h),
            "lm_count": len(self.movements) if lm_scored else None,
            "plm_count": sum(1 for m in self.movements if m.plm_series) if lm_scored else None,
            "plms_index_per_h": _round(ix.plms_index_per_h) if ix else None,
            "plmw_index_per_h": _round(ix.plmw_index_per_h) if ix else None,
            "periodicity_index": _round(ix.periodicity_index) if ix else None,
            "efm": {
                "minutes_nrem": _round(fm.minutes_nrem) if fm else None,
                "per_min": _round(fm.per_min) if fm else None,
                "excessive": fm.excessive if fm else None,
            },
            "hypnic_jerk_count": len(self.hypnic.jerks) if self.hypnic else None,
            "warnings": list(self.warnings),
            # optional extensions
            "plms_count": ix.plms_count if ix else None,
            "plmw_count": ix.plmw_count if ix else None,
            "plm_series_count": len(self.series) if lm_scored else None,
            "lms_count": sum(1 for m in self.movements if m.stage in SLEEP_STAGES) if lm_scored else None,
            "lms_index_per_h": _round(sum(1 for m in self.movements if m.stage in SLEEP_STAGES) / tst)
            if lm_scored and (tst := self.hypnogram.total_sleep_time_h) else None,
            "wake_time_h": _round(wake_h),
            "recording_duration_h": _round(self.duration_s / 3600.0),
            "plms_index_cutoffs": {
                "adult_per_h": R.PLMS_INDEX_ADULT_PER_H, "child_per_h": R.PLMS_INDEX_CHILD_PER_H,
                "exceeds_adult": ix.exceeds_adult_cutoff if ix else None,
                "exceeds_child": ix.exceeds_child_cutoff if ix else None,
                "source": "ICSD PLMD criteria (UpToDate graphic 86839), CRITERIA.md 5.1; PLMD also needs a clinical sleep disturbance",
            },
            "efm_rule": {"min_per_min": R.EFM_MIN_PER_MIN, "min_nrem_min": R.EFM_MIN_NREM_MIN,
                         "minutes_nrem_at_rate": _round(fm.minutes_nrem_at_rate) if fm else None,
                         "potential_count": len(fm.potentials) if fm else None,
                         "source": "AASM (CRITERIA.md 5.2)"},
            "sleep_onset_propriospinal_pattern": self.hypnic.propriospinal_pattern if self.hypnic else None,
            "leg_channels": dict(self.leg_channels),
            "respiratory_annotations": self.has_respiratory_annotations,
            "arousal_annotations": self.has_arousal_annotations,
            "disclaimer": "Decision support, not a diagnosis.",
            "software_version": __version__,
        }

    def events(self) -> list[dict]:
        """All events as rows: onset, duration, trial_type, channel, stage, plm_series, respiratory,
        arousal (the last two only meaningful when those annotations exist)."""
        rows = []
        for m in self.movements:
            rows.append({"onset": m.onset_s, "duration": m.duration_s, "trial_type": "limb_movement",
                         "channel": m.channel, "stage": m.stage, "plm_series": m.plm_series,
                         "respiratory": m.respiratory, "arousal": m.arousal, "peak_uv": m.peak_uv})
        if self.fragmentary:
            for p in self.fragmentary.potentials:
                rows.append({"onset": p.onset_s, "duration": p.duration_s, "trial_type": "fragmentary_myoclonus",
                             "channel": p.channel, "stage": self.hypnogram.stage_at(p.onset_s),
                             "plm_series": None, "respiratory": None, "arousal": None, "peak_uv": p.peak_uv})
        if self.hypnic:
            for j in self.hypnic.jerks:
                rows.append({"onset": j.onset_s, "duration": j.duration_s, "trial_type": "hypnic_jerk",
                             "channel": ",".join(j.channels), "stage": self.hypnogram.stage_at(j.onset_s),
                             "plm_series": None, "respiratory": None, "arousal": None, "peak_uv": None})
        rows.sort(key=lambda r: (r["onset"], r["trial_type"]))
        return rows


    def to_annotations(self):
        """Events as ``mne.Annotations`` (``myoclonus/limb_movement``, ``myoclonus/plm``,
        ``myoclonus/fragmentary_myoclonus``, ``myoclonus/hypnic_jerk``; ``ch_names`` set)."""
        import mne

        onsets, durations, descriptions, ch_names = [], [], [], []
        for e in self.events():
            kind = "plm" if e["trial_type"] == "limb_movement" and e["plm_series"] else e["trial_type"]
            onsets.append(e["onset"])
            durations.append(e["duration"])
            descriptions.append(f"myoclonus/{kind}")
            chans = [] if e["channel"] == "bilateral" else e["channel"].split(",")
            if e["channel"] == "bilateral":
                chans = list(self.leg_channels)
            ch_names.append(tuple(chans))
        return mne.Annotations(onsets, durations, descriptions, ch_names=ch_names)


def _round(x, nd: int = 4):
    return None if x is None else round(float(x), nd)


def leg_channels(channels) -> dict[str, str]:
    """Tibialis anterior EMG channels -> leg (``left``/``right``/``unknown``).

    The recording's montage parser types ``TA``, ``Tib Ant``, ``tibialis``, ``LAT``/``RAT`` and
    ``Leg L``/``Leg R`` (CONTRACTS §3-4) as muscle ``TA``.
    """
    return {ch.name: (ch.side if ch.side in {"left", "right"} else "unknown")
            for ch in channels if ch.kind == "emg" and ch.muscle == "TA"}


def _spans(annotations, pattern: re.Pattern) -> list[tuple[float, float]] | None:
    found = [(float(o), float(o) + float(d)) for o, d, desc in
             zip(annotations.onset, annotations.duration, annotations.description) if pattern.search(str(desc))]
    return found or None


def _open(psg, montage):
    """Recording plus the absolute start time (for hypnogram alignment; never written out)."""
    import mne

    from myoclonus.signals.recording import read_recording

    start = None
    if isinstance(psg, (str, os.PathLike)):
        start = _edf_start(Path(psg))
    elif isinstance(psg, mne.io.BaseRaw) and psg.info["meas_date"] is not None:
        start = psg.info["meas_date"].replace(tzinfo=None)
    return read_recording(psg, montage=montage), start


def _hypnogram(rec, hypnogram, start: dt.datetime | None, *, auto_stage: bool) -> Hypnogram:
    if isinstance(hypnogram, Hypnogram):
        return hypnogram
    if hypnogram is not None:
        return read_hypnogram_file(hypnogram, rec.duration_s, start)
    ann = rec.annotations
    hyp = hypnogram_from_annotations(ann.onset, ann.duration, ann.description, rec.duration_s)
    if hyp is not None:
        return hyp
    eeg = [ch.name for ch in rec.channels if ch.kind == "eeg"]
    if not eeg:
        return no_hypnogram("no sleep-stage annotations, no hypnogram file and no EEG channel: no sleep stages "
                            "(indices per hour of sleep cannot be computed)")
    if not auto_stage:
        return no_hypnogram("no sleep-stage annotations or hypnogram file, and automatic staging was turned off")
    if rec.duration_s < MIN_AUTO_STAGING_S:
        return no_hypnogram(f"no sleep-stage annotations and the recording ({rec.duration_s:.0f} s) is too short "
                            f"for automatic staging (>= {MIN_AUTO_STAGING_S:.0f} s)")
    central = [n for n in eeg if re.search(r"\bC[34]\b", n, re.I)]
    eog = next((ch.name for ch in rec.channels if ch.kind == "eog" or _EOG_HINT.search(ch.name)), None)
    chin = next((ch.name for ch in rec.channels if ch.kind == "emg" and _CHIN_HINT.search(ch.name)), None)
    if rec.sfreq < MIN_EMG_SFREQ_HZ:
        chin = None  # an EMG below 200 Hz (e.g. Sleep-EDF's 1 Hz submental envelope) is not raw EMG
    return stage_automatically(rec.raw, (central or eeg)[0], eog_channel=eog, emg_channel=chin)


def score_sleep(psg, *, hypnogram=None, rules: str | None = None, settings: AnalysisSettings | None = None,
                montage=None, auto_stage: bool | None = None) -> SleepResults:
    """Score sleep-related motor events in a polysomnogram.

    Parameters
    ----------
    psg : path | mne.io.Raw | Recording
        The PSG (any format ``read_recording`` opens).
    hypnogram : path | Hypnogram | None
        A separate hypnogram file (e.g. Sleep-EDF ``*-Hypnogram.edf``), aligned by absolute start
        time when both files carry one. Default: stage annotations in the PSG, else YASA
        automatic staging from EEG, else no stages.
    rules : {"wasm2016", "aasm"} | None
        Leg-movement rules; default ``settings.sleep.rules`` (WASM 2016).
    settings : AnalysisSettings | None
    montage : path | dict | None
        Explicit channel typing.
    auto_stage : bool | None
        Allow YASA staging when no hypnogram is available; default ``settings.sleep.auto_stage``.

    Returns
    -------
    SleepResults
    """
    settings = settings or AnalysisSettings()
    rule_set = R.rules_for(rules or settings.sleep.rules)
    rec, start = _open(psg, montage)
    warnings = list(rec.warnings)
    auto = settings.sleep.auto_stage if auto_stage is None else auto_stage
    hyp = _hypnogram(rec, hypnogram, start, auto_stage=auto)
    warnings.extend(hyp.warnings)
    resp = _spans(rec.annotations, _RESP_RE)
    arousals = _spans(rec.annotations, _AROUSAL_RE)
    legs = leg_channels(rec.channels)
    emg = [ch.name for ch in rec.channels if ch.kind == "emg"]
    if rec.sfreq < MIN_EMG_SFREQ_HZ and emg:
        warnings.append(f"EMG sampled at {rec.sfreq:g} Hz, below the 200 Hz minimum (AASM technical specifications): "
                        "EMG amplitudes are underestimated and brief potentials (fragmentary myoclonus, hypnic jerks) are not scored")

    lm_results = None
    series: list[PLMSeries] = []
    indices = None
    if not legs:
        warnings.append("no tibialis channel (looked for TA, Tib Ant, tibialis, LAT/RAT, Leg L/Leg R): "
                        "no leg EMG, leg movements and PLM indices not scored")
    else:
        if "unknown" in legs.values():
            warnings.append("tibialis channel(s) without a side: " + ", ".join(n for n, s in legs.items() if s == "unknown"))
        if len(legs) == 1:
            warnings.append(f"only one tibialis channel ({next(iter(legs))}): movements of the other leg are missed")
        lm_results = detect_limb_movements(rec, legs, rules=rule_set)
        moves = flag_respiratory(lm_results.events, resp, rule_set)
        moves = flag_arousal(moves, arousals)
        moves = [replace(m, stage=hyp.stage_at(m.onset_s)) for m in moves]
        moves, series = find_plm_series(moves, rule_set)
        lm_results.events = moves
        if hyp.source != "none":
            indices = plm_indices(moves, hyp.hours_in(SLEEP_STAGES), hyp.hours_in({"W"}))
        if resp is None:
            warnings.append("no respiratory-event annotations: respiratory-associated leg movements could not be excluded")

    fragmentary = hypnic = None
    if emg and rec.sfreq >= MIN_EMG_SFREQ_HZ:
        potentials = []
        for name in emg:
            for win in iter_windows(rec.n_times, rec.sfreq):
                data = rec.get_data([name], win.start, win.stop)[0]
                offset_s = win.start / rec.sfreq
                for p in detect_potentials(data, rec.sfreq, channel=name, max_duration_s=PSM_MAX_BURST_S,
                                           min_peak_uv=settings.sleep.fm_min_amplitude_uv):
                    if win.core_start_s <= p.onset_s + offset_s < win.core_stop_s:
                        potentials.append(replace(p, onset_s=p.onset_s + offset_s))
        lm_spans = [(m.onset_s, m.offset_s) for m in (lm_results.events if lm_results else [])]
        info = {ch.name: ch for ch in rec.channels}
        hypnic = score_hypnic_jerks([p for p in potentials if not any(p.onset_s < b and p.offset_s > a for a, b in lm_spans)],
                                    hyp, window_s=settings.jerks.max_spread_ms / 1000.0, channel_info=info)
        spans = lm_spans + [(j.onset_s, j.offset_s) for j in hypnic.jerks]
        fragmentary = score_fragmentary(potentials, hyp, spans)
        if hyp.source == "none":
            warnings.append("no sleep stages: fragmentary myoclonus is listed but not counted per minute of NREM, "
                            "and hypnic jerks (wake -> N1) cannot be scored")
    elif not emg:
        warnings.append("no EMG channel: fragmentary myoclonus and hypnic jerks not scored")
    return SleepResults(rules=rule_set.name, hypnogram=hyp, limb_movements=lm_results, series=series,
                        indices=indices, fragmentary=fragmentary, hypnic=hypnic, leg_channels=legs,
                        has_respiratory_annotations=resp is not None, has_arousal_annotations=arousals is not None,
                        duration_s=rec.duration_s, warnings=_unique(warnings))


def _unique(items: list[str]) -> list[str]:
    seen: list[str] = []
    for x in items:
        if x not in seen:
            seen.append(x)
    return seen
