"""Sleep stages: from hypnogram annotations (in the PSG or a separate file) or staged by YASA.

Stages are kept per 30-s epoch as ``W N1 N2 N3 R ?`` (R&K stages 3 and 4 map to N3; movement
time and unscored epochs to ``?``). ``Hypnogram.source`` says where they came from:
``annotations``, ``automatic`` or ``none``.

References
----------
.. [1] Vallat R, Walker MP. An open-source, high-performance tool for automated sleep staging.
       eLife 2021;10:e70092 (YASA ``SleepStaging``).
"""
from __future__ import annotations

import datetime as dt
import logging
import re
import warnings as warnings_module
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import numpy as np

from myoclonus.errors import InputError
from myoclonus.signals.sleep.rules import EPOCH_S

__all__ = ["Hypnogram", "STAGES", "parse_stage_label", "hypnogram_from_annotations",
           "read_hypnogram_file", "stage_automatically", "no_hypnogram"]

logger = logging.getLogger(__name__)

STAGES = ("W", "N1", "N2", "N3", "R", "?")
SLEEP_STAGES = frozenset({"N1", "N2", "N3", "R"})
NREM_STAGES = frozenset({"N1", "N2", "N3"})
StagesSource = Literal["annotations", "automatic", "none"]

_STAGE_RE = re.compile(r"^\s*(?:sleep[\s_-]*stage[\s_-]*)?(w|wake|n?1|n?2|n?3|n?4|r|rem|\?|unknown|unscored)\s*$", re.I)
_MAP = {"w": "W", "wake": "W", "1": "N1", "n1": "N1", "2": "N2", "n2": "N2", "3": "N3", "n3": "N3",
        "4": "N3", "n4": "N3", "r": "R", "rem": "R", "?": "?", "unknown": "?", "unscored": "?"}
_MOVEMENT_RE = re.compile(r"^\s*movement\s*time\s*$", re.I)


def parse_stage_label(description: str) -> str | None:
    """``"Sleep stage 4"`` -> ``"N3"``, ``"Sleep stage R"`` -> ``"R"``; None if not a stage label."""
    m = _STAGE_RE.match(str(description))
    if m:
        return _MAP[m.group(1).lower()]
    if _MOVEMENT_RE.match(str(description)):
        return "?"
    return None


@dataclass(frozen=True)
class Hypnogram:
    """Stages per 30-s epoch, epoch ``i`` starting at ``start_s + i * epoch_s`` (recording time).

    Attributes
    ----------
    stages : tuple of str
        One of ``W N1 N2 N3 R ?`` per epoch.
    source : {"annotations", "automatic", "none"}
    start_s : float
        Onset of the first epoch from the recording start, seconds.
    epoch_s : float
    warnings : list of str
    """

    stages: tuple[str, ...]
    source: StagesSource
    start_s: float = 0.0
    epoch_s: float = EPOCH_S
    warnings: list[str] = field(default_factory=list)

    def stage_at(self, time_s: float) -> str:
        """Stage at ``time_s`` (recording time); ``?`` outside the hypnogram."""
        i = int(np.floor((time_s - self.start_s) / self.epoch_s))
        return self.stages[i] if 0 <= i < len(self.stages) else "?"

    def hours_in(self, stages: frozenset[str] | set[str]) -> float:
        """Hours spent in ``stages``."""
        return sum(1 for s in self.stages if s in stages) * self.epoch_s / 3600.0

    def epochs_in(self, stages: frozenset[str] | set[str]) -> list[tuple[float, float]]:
        """(start, end) in seconds of every epoch in ``stages``."""
        return [(self.start_s + i * self.epoch_s, self.start_s + (i + 1) * self.epoch_s)
                for i, s in enumerate(self.stages) if s in stages]

    def sleep_onset_transitions(self) -> list[float]:
        """Times (s) where a wake epoch is followed by an N1 epoch."""
        return [self.start_s + (i + 1) * self.epoch_s for i in range(len(self.stages) - 1)
                if self.stages[i] == "W" and self.stages[i + 1] == "N1"]

    @property
    def total_sleep_time_h(self) -> float | None:
        return self.hours_in(SLEEP_STAGES) if self.source != "none" else None


def no_hypnogram(reason: str) -> Hypnogram:
    """Hypnogram with no stages (``source="none"``) carrying ``reason`` as a warning."""
    return Hypnogram(stages=(), source="none", warnings=[reason])


def hypnogram_from_annotations(onsets_s, durations_s, descriptions, recording_duration_s: float,
                               *, offset_s: float = 0.0, where: str = "annotations") -> Hypnogram | None:
    """Build a hypnogram from stage annotations; None when there are no stage labels.

    ``offset_s`` shifts the annotation times into recording time (hypnogram start minus
    recording start). Epochs whose midpoint is covered by a stage annotation take that stage;
    the epoch grid starts at the first stage onset modulo 30 s.
    """
    items = []
    for o, d, desc in zip(onsets_s, durations_s, descriptions):
        stage = parse_stage_label(desc)
        if stage is not None:
            items.append((float(o) + offset_s, float(d), stage))
    if not items:
        return None
    items.sort()
    start = items[0][0] % EPOCH_S
    n_epochs = int(np.ceil(max(recording_duration_s - start, 0.0) / EPOCH_S))
    stages = np.full(n_epochs, "?", dtype=object)
    mids = start + (np.arange(n_epochs) + 0.5) * EPOCH_S
    for onset, duration, stage in items:
        dur = duration if duration > 0 else EPOCH_S
        stages[(mids >= onset) & (mids < onset + dur)] = stage
    warnings = []
    covered = int(np.sum(stages != "?"))
    if covered == 0:
        warnings.append(f"{where}: the sleep-stage annotations do not overlap the recording")
    return Hypnogram(stages=tuple(stages), source="annotations", start_s=start, warnings=warnings)


def _edf_start(path: Path) -> dt.datetime | None:
    """Start date/time of an EDF/BDF header, or None when anonymised or not an EDF."""
    if path.suffix.lower() not in {".edf", ".bdf"}:
        return None
    try:
        import edfio

        with warnings_module.catch_warnings():
            warnings_module.simplefilter("ignore")  # record-count quirks do not matter for the start time
            edf = edfio.read_edf(path, lazy_load_data=True)
            return dt.datetime.combine(edf.startdate, edf.starttime)
    except Exception:  # anonymised date ('X') or unreadable header: alignment falls back to 0
        return None


def read_hypnogram_file(path, recording_duration_s: float, recording_start: dt.datetime | None = None) -> Hypnogram:
    """Read a separate hypnogram file (EDF+ annotations such as Sleep-EDF, or MNE-readable text).

    The hypnogram is placed on the recording's time axis by the absolute start times of the two
    files when both are known; otherwise both are assumed to start together (with a warning).
    """
    import mne

    p = Path(path)
    if not p.is_file():
        raise InputError("hypnogram file not found", where=str(p))
    try:
        ann = mne.read_annotations(p)
    except Exception as exc:  # noqa: BLE001 - any reader failure is bad input
        raise InputError(f"could not read annotations from the hypnogram file ({type(exc).__name__}: {exc}); "
                         "expected an EDF+ annotation file or an MNE-readable annotation file", where=str(p)) from None
    warnings = []
    offset = 0.0
    hyp_start = _edf_start(p)
    if ann.orig_time is not None and hyp_start is None:
        hyp_start = ann.orig_time.replace(tzinfo=None)
    if hyp_start is not None and recording_start is not None:
        offset = (hyp_start - recording_start.replace(tzinfo=None)).total_seconds()
    else:
        warnings.append(f"{p.name}: start time unknown; hypnogram assumed to start with the recording")
    hyp = hypnogram_from_annotations(ann.onset, ann.duration, ann.description, recording_duration_s,
                                     offset_s=offset, where=p.name)
    if hyp is None:
        labels = sorted(set(ann.description))[:5]
        raise InputError(f"no sleep-stage annotations found (expected labels like 'Sleep stage W', 'N2', 'R'; "
                         f"found {labels})", where=str(p))
    return Hypnogram(stages=hyp.stages, source="annotations", start_s=hyp.start_s, warnings=warnings + hyp.warnings)


_YASA_MAP = {"W": "W", "WAKE": "W", "N1": "N1", "N2": "N2", "N3": "N3", "R": "R", "REM": "R"}


def stage_automatically(raw, eeg_channel: str, *, eog_channel: str | None = None,
                        emg_channel: str | None = None) -> Hypnogram:
    """Stage the recording with YASA's ``SleepStaging`` (pre-trained LightGBM, shipped with YASA).

    ``raw`` is an ``mne.io.Raw`` with the named EEG (and optional EOG / chin EMG) channels. YASA
    expects a central EEG referenced to the mastoid; other derivations work less well, which is
    noted in the warnings.
    """
    import yasa

    warnings = [f"sleep stages scored automatically by YASA from '{eeg_channel}' (not a human scorer)"]
    if not re.search(r"\bC[34z]\b", eeg_channel, re.I):
        warnings.append(f"YASA is trained on central EEG (C3/C4); '{eeg_channel}' may stage less accurately")
    picks = [c for c in (eeg_channel, eog_channel, emg_channel) if c]
    sub = raw.copy().pick(picks).load_data()
    mne_types = {eeg_channel: "eeg"}
    if eog_channel:
        mne_types[eog_channel] = "eog"
    if emg_channel:
        mne_types[emg_channel] = "emg"
    sub.set_channel_types(mne_types, on_unit_change="ignore", verbose="error")
    try:
        with warnings_module.catch_warnings():
            # YASA's shipped classifiers were pickled with an older scikit-learn
            warnings_module.filterwarnings("ignore", message=".*Trying to unpickle estimator.*")
            staging = yasa.SleepStaging(sub, eeg_name=eeg_channel, eog_name=eog_channel, emg_name=emg_channel)
            predicted = staging.predict()
    except Exception as exc:  # noqa: BLE001 - YASA refuses short or odd inputs; report, do not crash
        return no_hypnogram(f"automatic staging with YASA failed ({type(exc).__name__}: {exc}); no sleep stages")
    labels = getattr(predicted, "hypno", predicted)
    stages = tuple(_YASA_MAP.get(str(s), "?") for s in np.asarray(labels))
    return Hypnogram(stages=stages, source="automatic", start_s=0.0, warnings=warnings)
