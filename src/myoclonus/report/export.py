"""Exports for other tools: BIDS-style derivatives and EDF+ with the detections as annotations.

- :func:`write_bids_derivatives` writes, under ``<root>/derivatives/myoclonus/``, a
  ``dataset_description.json`` (BIDS derivative, ``GeneratedBy``) and for one recording
  ``sub-<label>/emg/sub-<label>_task-<task>_events.tsv`` (bursts, silent periods and jerks as BIDS
  events: ``onset``, ``duration`` in s, ``trial_type``, then the detection columns, ``n/a`` where a
  column does not apply), its ``_events.json`` sidecar describing every column and level, and
  ``_channels.tsv`` (``name``, ``type`` (``EMG``, ``EEG``, ``TRIG`` ...), ``units``, ``muscle``,
  ``side``, ``status``).
- :func:`write_annotated_edf` writes the recording as EDF+ whose annotations carry the detections as
  ``myoclonus/burst@@CHANNEL``, ``myoclonus/silent_period@@CHANNEL`` and ``myoclonus/jerk@@CHANNEL``
  (MNE's convention for channel-specific EDF annotations, read back by ``mne.io.read_raw_edf``).

Subject labels never come from file headers (default ``01``); the EDF is written from the
anonymised recording (no patient or recording identifiers). Every file is written atomically.

References
----------
BIDS specification, "Task events" (events.tsv / events.json) and "Derivatives" (dataset_description
``GeneratedBy``); EMG-BIDS channel types (``EMG``). https://bids-specification.readthedocs.io
"""
from __future__ import annotations

import json
import logging
import os
import re
from pathlib import Path
from typing import Any

import mne
import numpy as np
import pandas as pd

from myoclonus._version import __version__
from myoclonus.atomic import atomic_path, staged_directory
from myoclonus.errors import InputError

__all__ = [
    "EVENTS_COLUMNS",
    "events_table",
    "events_sidecar",
    "channels_table",
    "write_bids_derivatives",
    "detection_annotations",
    "write_annotated_edf",
]

logger = logging.getLogger(__name__)

EVENTS_COLUMNS = ["onset", "duration", "trial_type", "channel", "muscle", "side", "peak_uv", "area_uvs",
                  "n_muscles", "first_muscle", "muscles", "spread_ms"]
#: BIDS channel types by our channel kind (BIDS "channels.tsv" type column; EMG from EMG-BIDS).
_BIDS_TYPES = {"emg": "EMG", "eeg": "EEG", "eog": "EOG", "ecg": "ECG", "stim": "TRIG", "acc": "ACCEL", "resp": "RESP"}
#: mne channel types by our channel kind (EDF export).
_MNE_TYPES = {"emg": "emg", "eeg": "eeg", "eog": "eog", "ecg": "ecg", "stim": "stim", "resp": "resp"}
_VOLTAGE = {"emg", "eeg", "eog", "ecg"}
_LABEL = re.compile(r"^[A-Za-z0-9]+$")


def _label(value: str, field: str) -> str:
    if not _LABEL.match(value or ""):
        raise InputError(f"BIDS {field} label must be letters and digits only (e.g. '01'), got {value!r}.", where=field)
    return value


def events_table(analysis: Any) -> pd.DataFrame:
    """Bursts, silent periods and jerks as one BIDS events table (sorted by onset)."""
    from myoclonus.signals.export import bursts_table, jerks_table

    parts = [bursts_table(analysis.bursts, analysis.silent_periods), jerks_table(analysis.jerks)]
    parts = [p for p in parts if len(p)]
    if not parts:
        return pd.DataFrame(columns=EVENTS_COLUMNS)
    table = pd.concat(parts, ignore_index=True)
    for column in EVENTS_COLUMNS:
        if column not in table:
            table[column] = None
    # counts stay integers in the TSV (concatenation made them float with NaN for non-jerk rows)
    table["n_muscles"] = pd.Series([None if pd.isna(v) else int(v) for v in table["n_muscles"]], dtype=object, index=table.index)
    return table.sort_values(["onset", "trial_type"], kind="stable").reset_index(drop=True)[EVENTS_COLUMNS]


def events_sidecar() -> dict[str, Any]:
    """The ``_events.json`` sidecar: every column of :func:`events_table` with its description and units."""
    return {
        "onset": {"Description": "Onset of the event from the first sample of the recording.", "Units": "s"},
        "duration": {"Description": "Duration of the event.", "Units": "s"},
        "trial_type": {
            "Description": "Kind of detected event.",
            "Levels": {
                "burst": "EMG burst on one channel (positive myoclonus).",
                "silent_period": "Lapse of ongoing tonic EMG on one channel (negative myoclonus), 50-300 ms, not preceded by a burst.",
                "jerk": "Bursts grouped across muscles whose onsets fall within the jerk window.",
            },
        },
        "channel": {"Description": "Channel of a burst or silent period (n/a for jerks)."},
        "muscle": {"Description": "Muscle short name (CONTRACTS.md section 3), n/a when unknown."},
        "side": {"Description": "Body side of the muscle.", "Levels": {"left": "left", "right": "right"}},
        "peak_uv": {"Description": "Peak of the conditioned (rectified) EMG envelope within the burst.", "Units": "uV"},
        "area_uvs": {"Description": "Area under the rectified EMG envelope within the burst.", "Units": "uV*s"},
        "n_muscles": {"Description": "Number of muscles taking part in the jerk."},
        "first_muscle": {"Description": "Muscle whose burst started the jerk."},
        "muscles": {"Description": "Muscles of the jerk, comma-separated in order of onset."},
        "spread_ms": {"Description": "Time from the first to the last burst onset of the jerk.", "Units": "ms"},
        "GeneratedBy": {"Name": "myoclonus", "Version": __version__},
    }


def channels_table(analysis: Any) -> pd.DataFrame:
    """BIDS ``channels.tsv``: ``name, type, units, sampling_frequency, muscle, side, status, status_description``."""
    rec = analysis.recording
    status = getattr(analysis.bursts, "channel_status", {}) or {}
    rows = []
    for ch in rec.channels:
        st = status.get(ch.name)
        state = getattr(st, "state", None) if st is not None and not isinstance(st, dict) else (st or {}).get("state")
        bad = state not in (None, "ok")
        rows.append({
            "name": ch.name,
            "type": _BIDS_TYPES.get(ch.kind, "MISC"),
            "units": "uV" if ch.kind in _VOLTAGE else "n/a",
            "sampling_frequency": float(rec.sfreq),
            "muscle": ch.muscle or "n/a",
            "side": ch.side or "n/a",
            "status": "bad" if bad else "good",
            "status_description": state if bad else "n/a",
        })
    return pd.DataFrame(rows, columns=["name", "type", "units", "sampling_frequency", "muscle", "side", "status", "status_description"])


def write_bids_derivatives(
    analysis: Any,
    root: str | os.PathLike,
    *,
    subject: str = "01",
    task: str = "myoclonus",
) -> list[Path]:
    """Write the BIDS-style derivative files of one analysis under ``root/derivatives/myoclonus/``.

    Parameters
    ----------
    analysis : Analysis
    root : path
        Folder that receives ``derivatives/myoclonus/`` (e.g. the ``analyze`` output folder).
    subject, task : str
        BIDS labels (letters and digits). Never taken from the file header.

    Returns
    -------
    list of pathlib.Path
        Files written (all or none).
    """
    from myoclonus.signals.export import tsv_text

    subject, task = _label(subject, "subject"), _label(task, "task")
    base = Path(root) / "derivatives" / "myoclonus"
    stem = f"sub-{subject}_task-{task}"
    relative = {
        "dataset_description.json": json.dumps({
            "Name": "myoclonus detections", "BIDSVersion": "1.9.0", "DatasetType": "derivative",
            "GeneratedBy": [{"Name": "myoclonus", "Version": __version__,
                             "Description": "EMG bursts, silent periods and jerks; decision support, not a diagnosis."}],
        }, indent=2) + "\n",
        f"sub-{subject}/emg/{stem}_events.tsv": tsv_text(events_table(analysis)),
        f"sub-{subject}/emg/{stem}_events.json": json.dumps(events_sidecar(), indent=2) + "\n",
        f"sub-{subject}/emg/{stem}_channels.tsv": tsv_text(channels_table(analysis)),
    }
    with staged_directory(base) as stage:
        for name, text in relative.items():
            target = stage / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
    return [base / name for name in relative]


def detection_annotations(analysis: Any) -> mne.Annotations:
    """Bursts, silent periods and jerks as ``mne.Annotations`` with channel names (onsets from the first sample)."""
    ann = analysis.to_annotations()
    return mne.Annotations(ann.onset, ann.duration, ann.description, orig_time=None, ch_names=ann.ch_names)


def write_annotated_edf(analysis: Any, path: str | os.PathLike, *, overwrite: bool = True) -> Path:
    """Write the recording as EDF+ with the detections as channel-specific annotations.

    Annotation texts are ``myoclonus/burst@@<channel>`` (MNE's EDF convention; each reads back as
    description ``myoclonus/burst`` with ``ch_names == (channel,)``); the recording's own
    annotations (e.g. stimulus markers) are kept. Signals are written in the recording's units
    (EMG/EEG in volts, as EDF expects µV-scaled physical values). The whole recording is loaded:
    use it for clinical-length files, not 24-hour studies.

    Returns
    -------
    pathlib.Path
    """
    rec = analysis.recording
    path = Path(path)
    if path.suffix.lower() != ".edf":
        raise InputError(f"the annotated recording must be an .edf file, got {path.name!r}.", where=str(path))
    kinds = [c.kind for c in rec.channels]
    data = rec.get_data([c.name for c in rec.channels], 0, rec.n_times)
    scale = np.array([1e-6 if k in _VOLTAGE else 1.0 for k in kinds])[:, None]
    info = mne.create_info([c.name for c in rec.channels], float(rec.sfreq), [_MNE_TYPES.get(k, "misc") for k in kinds], verbose="error")
    raw = mne.io.RawArray(data * scale, info, verbose="error")
    own = rec.annotations if getattr(rec, "annotations", None) is not None else mne.Annotations([], [], [])
    own = mne.Annotations(own.onset, own.duration, own.description, orig_time=None, ch_names=getattr(own, "ch_names", None))
    raw.set_annotations(own + detection_annotations(analysis), verbose="error")
    with atomic_path(path) as tmp:
        tmp_edf = tmp.with_suffix(".edf")  # MNE picks the writer from the suffix
        try:
            mne.export.export_raw(tmp_edf, raw, fmt="edf", overwrite=True, verbose="error")
            tmp_edf.replace(tmp)
        finally:
            tmp_edf.unlink(missing_ok=True)
    logger.info("wrote %s with %d detections as annotations", path.name, len(raw.annotations) - len(own))
    return path
