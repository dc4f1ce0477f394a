"""Run the neurophysiological tests on one analysed recording and estimate the origin.

One function, :func:`run_neurophysiology`, takes the recording (any ``SignalSource``) and the
detections (bursts, jerks, silent periods, stimuli) and returns a
:class:`NeurophysiologyResults` holding JLBA, BP, coherence, SEP, C-reflex, stimulus-response
latencies and the :class:`~myoclonus.signals.origin.OriginEstimate`; ``to_findings()`` gives the
sections of ``findings.json`` (CONTRACTS 3): ``"neurophysiology"``, ``"origin"`` and
``"origin_criteria"``.

Memory stays bounded: at most ``settings.origin.eeg_budget_samples`` EEG / EMG samples are read;
longer recordings are analysed on their first part and a warning says so.
"""
from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from myoclonus.settings import AnalysisSettings
from myoclonus.signals.backaverage import BackAverageResult, _eeg_token, jerk_locked_average
from myoclonus.signals.bereitschaft import BPResult, bereitschaftspotential
from myoclonus.signals.channels import ChannelInfo
from myoclonus.signals.coherence import CoherenceResult, coherence, rectified_emg
from myoclonus.signals.evoked import (
    HAND_MUSCLES,
    CReflexResult,
    SEPResult,
    StimulusResponseResult,
    c_reflex,
    somatosensory_evoked_potential,
    stimulus_responses,
)
from myoclonus.signals.origin import OriginEstimate, estimate_origin

__all__ = ["NeurophysiologyResults", "run_neurophysiology", "choose_trigger_channel"]

logger = logging.getLogger(__name__)

#: Preference order of the JLBA trigger muscle: hand, then forearm, then the rest (the ~20 ms
#: premyoclonic latency is defined for hand muscles, J Clin Neurophysiol 1992;9:495).
_TRIGGER_TIERS = (HAND_MUSCLES, ("ECR", "FCR", "EDC"), ("BIC", "TRI", "DEL", "TA", "QUAD"))


@dataclass
class NeurophysiologyResults:
    """Every neurophysiological test of one recording and the origin estimate."""

    origin: OriginEstimate
    jlba: BackAverageResult | None = None
    silent_jlba: BackAverageResult | None = None
    bp: BPResult | None = None
    coherence: CoherenceResult | None = None
    coherence_reason: str | None = None
    emg_coherence: list[CoherenceResult] = field(default_factory=list)
    sep: SEPResult | None = None
    c_reflex: list[CReflexResult] = field(default_factory=list)
    stimulus: StimulusResponseResult | None = None
    warnings: list[str] = field(default_factory=list)

    def to_findings(self) -> dict:
        """Sections of ``findings.json``: ``neurophysiology``, ``origin``, ``origin_criteria``."""
        neuro = {
            "jlba": self.jlba.to_dict() if self.jlba else None,
            "silent_period_locked_eeg": self.silent_jlba.to_dict() if self.silent_jlba else None,
            "bereitschaftspotential": self.bp.to_dict() if self.bp else None,
            "coherence_eeg_emg": self.coherence.to_dict() if self.coherence else {"status": "not_assessable", "reason": self.coherence_reason},
            "coherence_emg_emg": [c.to_dict() for c in self.emg_coherence],
            "sep": self.sep.to_dict() if self.sep else None,
            "c_reflex": [r.to_dict() for r in self.c_reflex],
            "stimulus_responses": self.stimulus.to_dict() if self.stimulus else None,
            "warnings": list(self.warnings),
            "origin_notes": list(self.origin.notes),
            "disclaimer": self.origin.disclaimer,
        }
        return {"neurophysiology": neuro, "origin": self.origin.to_findings(), "origin_criteria": self.origin.criteria_dicts()}


def _table(obj) -> pd.DataFrame | None:
    if obj is None:
        return None
    if isinstance(obj, pd.DataFrame):
        return obj
    return obj.summary()


def choose_trigger_channel(bursts: pd.DataFrame | None, channels: dict[str, ChannelInfo], min_count: int) -> str | None:
    """EMG channel whose burst onsets trigger the JLBA: hand, then forearm, then proximal muscles."""
    if bursts is None or len(bursts) == 0:
        return None
    counts = bursts["channel"].value_counts()
    for tier in _TRIGGER_TIERS:
        cands = [(int(counts.get(n, 0)), n) for n, c in channels.items() if c.kind == "emg" and c.muscle in tier]
        cands = [(k, n) for k, n in cands if k >= min_count]
        if cands:
            return max(cands)[1]
    return None


def _find_eeg(names: list[str], wanted: Sequence[str]) -> int | None:
    for w in wanted:
        for i, n in enumerate(names):
            tok = _eeg_token(n)
            if tok and (tok[0] + tok[1].upper()) == w:
                return i
    return None


#: Stimulus markers closer than this are one stimulus (a STIM-channel edge and its annotation;
#: engineering choice, far below any stimulation interval).
STIMULUS_MERGE_S = 0.005
_SOMATOSENSORY = re.compile(r"(?i)median|somatosens|\bsep\b|electric|nerve_?stim|ulnar")
_NOT_SOMATOSENSORY = re.compile(r"(?i)audit|sound|tone|startle|acoustic|facial|blink|tap|flash|photic|light")


def _stimulus_events(source, stimuli) -> list[tuple[float, str]]:
    """(onset_s, label) of each stimulus, duplicates (channel edge + annotation) merged."""
    if stimuli is None:
        stimuli = getattr(source, "stimuli", None) or []
    if isinstance(stimuli, np.ndarray):
        raw = [(float(t), "") for t in stimuli]
    else:
        raw = [(float(getattr(s, "onset_s", s)), str(getattr(s, "label", ""))) for s in stimuli]
    merged: list[tuple[float, str]] = []
    for t, label in sorted(raw):
        if merged and t - merged[-1][0] <= STIMULUS_MERGE_S:
            merged[-1] = (merged[-1][0], f"{merged[-1][1]} {label}".strip())
        else:
            merged.append((t, label))
    return merged


def somatosensory_stimuli(events: list[tuple[float, str]]) -> np.ndarray:
    """Onsets of the stimuli usable for SEP / C-reflex: labelled median-nerve (or other somatosensory)
    stimuli when labels say so, otherwise every stimulus not labelled auditory, facial, visual or tap."""
    if any(_SOMATOSENSORY.search(lab) for _, lab in events):
        return np.asarray([t for t, lab in events if _SOMATOSENSORY.search(lab)])
    return np.asarray([t for t, lab in events if not _NOT_SOMATOSENSORY.search(lab)])


def run_neurophysiology(
    source,
    *,
    bursts=None,
    jerks=None,
    silent=None,
    stimuli=None,
    settings: AnalysisSettings | None = None,
    seed: int = 0,
) -> NeurophysiologyResults:
    """Run JLBA, BP, coherence, SEP, C-reflex and stimulus latencies, then estimate the origin.

    Parameters
    ----------
    source : SignalSource
        The recording (``Recording``); EEG and EMG are read through ``get_data``.
    bursts : BurstResults | pandas.DataFrame | None
        Detected bursts (``channel, onset_s, duration_ms`` ...).
    jerks : JerkResults | ndarray | None
        Jerks (their onsets are used), or jerk onsets in seconds.
    silent : SilentPeriodResults | pandas.DataFrame | None
        Detected silent periods (negative myoclonus).
    stimuli : sequence of Stimulus | ndarray | None
        Stimulus onsets; default ``source.stimuli``.
    settings : AnalysisSettings | None
    seed : int
        Seed of the JLBA random triggers.

    Returns
    -------
    NeurophysiologyResults
    """
    s = settings or AnalysisSettings()
    o = s.origin
    chans = {c.name: c for c in source.channels}
    sfreq = float(source.sfreq)
    b = _table(bursts)
    sp = _table(silent)
    if jerks is None:
        jerk_on = None
    elif isinstance(jerks, np.ndarray):
        jerk_on = np.sort(jerks.astype(float))
    else:
        jerk_on = np.asarray(jerks.onsets_s, dtype=float)
    warnings: list[str] = []

    eeg_names = [c.name for c in source.channels if c.kind == "eeg"]
    n_read = int(source.n_times)
    n_sig = max(1, len(eeg_names) + 4)
    if n_sig * n_read > o.eeg_budget_samples:
        n_read = int(o.eeg_budget_samples // n_sig)
        warnings.append(f"EEG tests use the first {n_read / sfreq / 60:.1f} min of the recording (memory budget)")
    stop_s = n_read / sfreq
    eeg = source.get_data(eeg_names, 0, n_read) if eeg_names else np.zeros((0, n_read))

    def _before(x: np.ndarray | None) -> np.ndarray:
        return np.zeros(0) if x is None else x[x < stop_s]

    trigger = choose_trigger_channel(b, chans, o.jlba_min_epochs)
    if trigger is not None:
        trig_on = np.sort(b.loc[b["channel"] == trigger, "onset_s"].to_numpy(float))
        trig_label, trig_side = f"{chans[trigger].label} burst onsets", chans[trigger].side
        in_jerks = _bursts_in_multi_muscle_jerks(b, trigger, jerk_on, s.jerks.max_spread_ms)
        if in_jerks.size >= o.jlba_min_epochs:
            # isolated bursts of the trigger muscle are more often artefact than jerk: like a
            # neurophysiologist picking clear jerks, keep the bursts that are part of a multi-muscle jerk
            trig_on, trig_label = in_jerks, f"{chans[trigger].label} burst onsets in multi-muscle jerks"
    else:
        base_on = jerk_on if jerk_on is not None else (np.sort(b["onset_s"].to_numpy(float)) if b is not None and len(b) else np.zeros(0))
        trig_on, trig_label, trig_side = base_on, "jerk onsets", None
    jlba = jerk_locked_average(eeg, sfreq, eeg_names, _before(trig_on), muscle_side=trig_side, trigger=trig_label, settings=o, seed=seed)

    jerk_times = jerk_on if jerk_on is not None else _group_onsets(b, s.jerks.max_spread_ms)
    bp = bereitschaftspotential(eeg, sfreq, eeg_names, _before(jerk_times), settings=o) if jerk_times.size else None

    silent_jlba = None
    if sp is not None and len(sp) >= o.jlba_min_epochs:
        # one trigger per silence event: the same lapse seen on several muscles counts once
        silent_on = _group_onsets(sp, s.jerks.max_spread_ms)
        silent_jlba = jerk_locked_average(eeg, sfreq, eeg_names, _before(silent_on),
                                          trigger="silent-period onsets", settings=o, seed=seed + 1)

    # Coherence: contralateral central EEG vs the rectified EMG of the trigger (or busiest) muscle.
    coh, coh_reason, emg_coh = None, None, []
    emg_counts = b["channel"].value_counts() if b is not None and len(b) else pd.Series(dtype=int)
    coh_muscle = trigger or (emg_counts.index[0] if len(emg_counts) else None)
    if not eeg_names:
        coh_reason = "no EEG channel in the recording"
    elif coh_muscle is None:
        coh_reason = "no EMG channel with bursts"
    elif n_read < 2 * o.coherence_segment_s * sfreq:
        coh_reason = "recording shorter than two coherence segments"
    else:
        side = chans[coh_muscle].side
        wanted = {"right": ("C3", "CP3", "FC3"), "left": ("C4", "CP4", "FC4")}.get(side or "", ()) + ("CZ",)
        k = _find_eeg(eeg_names, wanted)
        k = 0 if k is None else k
        emg = rectified_emg(source.get_data([coh_muscle], 0, n_read)[0], sfreq)
        coh = coherence(eeg[k], emg, sfreq, names=(eeg_names[k], chans[coh_muscle].label), segment_s=o.coherence_segment_s,
                        band_hz=o.coherence_band_hz, alpha=o.significance_alpha)
        busiest = [n for n in emg_counts.index[:4] if n in chans]
        rect = {n: (emg if n == coh_muscle else rectified_emg(source.get_data([n], 0, n_read)[0], sfreq)) for n in busiest}
        for i, a in enumerate(busiest):
            for bb in busiest[i + 1:]:
                emg_coh.append(coherence(rect[a], rect[bb], sfreq, names=(chans[a].label, chans[bb].label), segment_s=o.coherence_segment_s,
                                         band_hz=o.coherence_band_hz, alpha=o.significance_alpha))

    events = _stimulus_events(source, stimuli)
    stim = _before(np.asarray([t for t, _ in events], dtype=float))
    somato = _before(somatosensory_stimuli(events).astype(float))
    sep, creflex, stim_resp = None, [], None
    if somato.size:
        sep = somatosensory_evoked_potential(eeg, sfreq, eeg_names, somato, settings=o)
        for name, c in chans.items():
            if c.kind == "emg" and c.muscle in HAND_MUSCLES:
                creflex.append(c_reflex(rectified_emg(source.get_data([name], 0, n_read)[0], sfreq), sfreq, c.label, somato, settings=o))
    if stim.size:
        if b is not None and len(b):
            stim_resp = stimulus_responses(stim, b, {n: c.label for n, c in chans.items()}, settings=o)

    partial = NeurophysiologyResults(
        origin=None, jlba=jlba, silent_jlba=silent_jlba, bp=bp, coherence=coh, coherence_reason=coh_reason,  # type: ignore[arg-type]
        emg_coherence=emg_coh, sep=sep, c_reflex=creflex, stimulus=stim_resp, warnings=warnings,
    )
    origin_bursts, origin_jerks = b, jerk_on
    if stim.size and b is not None and len(b):
        # stimulus responses are judged by the stimulus criteria; spontaneous jerks drive the EMG criteria
        origin_bursts = _without_responses(b, stim, o.stimulus_response_max_ms)
        if jerk_on is not None:
            origin_jerks = _without_responses(pd.DataFrame({"onset_s": jerk_on}), stim, o.stimulus_response_max_ms)["onset_s"].to_numpy(float)
    partial.origin = estimate_origin(origin_bursts, list(chans.values()), jerk_onsets_s=origin_jerks, silent=sp, neuro=partial, settings=s)
    return partial


def _bursts_in_multi_muscle_jerks(b: pd.DataFrame, channel: str, jerk_on: np.ndarray | None, max_spread_ms: float) -> np.ndarray:
    """Onsets of ``channel``'s first bursts in jerks that involve at least two channels."""
    from myoclonus.signals.origin import build_jerk_table

    jt = build_jerk_table(b, jerk_on, max_spread_ms)
    if len(jt.first) == 0:
        return np.zeros(0)
    sizes = jt.first.groupby("jerk")["channel"].nunique()
    multi = sizes[sizes >= 2].index
    sel = (jt.first["channel"] == channel) & jt.first["jerk"].isin(multi)
    return np.sort(jt.first.loc[sel, "onset_s"].to_numpy(float))


def _group_onsets(b: pd.DataFrame | None, max_spread_ms: float) -> np.ndarray:
    if b is None or len(b) == 0:
        return np.zeros(0)
    starts: list[float] = []
    for t in np.sort(b["onset_s"].to_numpy(float)):
        if not starts or (t - starts[-1]) * 1e3 > max_spread_ms:
            starts.append(t)
    return np.asarray(starts)


def _without_responses(b: pd.DataFrame, stim: np.ndarray, max_ms: float) -> pd.DataFrame:
    """Bursts that are not stimulus responses: spontaneous jerks alone drive the EMG criteria."""
    on = b["onset_s"].to_numpy(float)
    k = np.searchsorted(stim, on, side="right") - 1
    resp = (k >= 0) & ((on - stim[np.clip(k, 0, None)]) * 1e3 <= max_ms)
    return b[~resp]
