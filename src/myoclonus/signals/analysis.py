"""The recording analysis pipeline: ``analyze(raw_or_path) -> Analysis``.

One linear pipeline, one function per stage, every result collected on the ``Analysis`` object::

    read_recording -> detect_bursts -> detect_silent_periods -> group_jerks -> analyse_rhythm
                   -> (neurophysiology / origin stage) -> build_findings

Each stage takes what the previous ones produced and returns a new result object; none reaches
back. To add a stage, write ``_stage_xxx(analysis, ...)`` and call it in :func:`analyze` before
:func:`build_findings`.
"""
from __future__ import annotations

import logging
import os
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import mne
import numpy as np
import pandas as pd

from myoclonus.errors import InputError
from myoclonus.settings import AnalysisSettings
from myoclonus.signals.export import build_findings, file_sha256, to_jsonable, write_outputs
from myoclonus.signals.montage import Montage
from myoclonus.signals.recording import Recording, read_recording

__all__ = ["Analysis", "analyze"]

logger = logging.getLogger(__name__)

#: Share of the progress bar given to each stage (burst detection reads the whole file once).
_PROGRESS = {"emg": (0.0, 0.95), "jerks": (0.95, 1.0)}


@dataclass
class Analysis:
    """Everything one analysis produced.

    Attributes
    ----------
    recording : Recording
        The opened recording (typed channels, stimuli, warnings).
    settings : AnalysisSettings
        Parameters used.
    bursts : BurstResults
        EMG bursts (positive myoclonus) per channel.
    silent_periods : SilentPeriodResults
        Silent periods (negative myoclonus) per channel.
    jerks : JerkResults
        Bursts grouped across muscles.
    rhythm : RhythmResult
        Inter-jerk intervals, CV, dominant frequency, periodicity test.
    neurophysiology : object | None
        Back-averaging / BP / coherence / evoked / origin results (their own stage).
    findings : dict
        The ``myoclonus.findings/1`` document (written to ``findings.json``).
    input_sha256 : str | None
        SHA-256 of the input file (``None`` for in-memory data).
    emg_channels : list of str
        The EMG channels analysed.
    stage_warnings : list of str
        Warnings of the analysis stages (``warnings`` adds the reader's).
    """

    recording: Recording
    settings: AnalysisSettings
    bursts: Any = None
    silent_periods: Any = None
    jerks: Any = None
    rhythm: Any = None
    neurophysiology: Any = None
    findings: dict = field(default_factory=dict)
    input_sha256: str | None = None
    emg_channels: list[str] = field(default_factory=list)
    stage_warnings: list[str] = field(default_factory=list)

    @property
    def warnings(self) -> list[str]:
        """Reader warnings followed by the analysis stages' warnings."""
        return list(self.recording.warnings) + list(self.stage_warnings)

    def summary(self) -> pd.DataFrame:
        """One row per analysed EMG channel.

        Columns: ``channel, muscle, side, n_bursts, median_burst_ms, iqr_burst_ms, n_silent_periods,
        median_silent_ms, state`` (durations in ms; NaN when there is no event).
        """
        rows = []
        for row in self.findings.get("muscles", []):
            b, s = row["bursts"], row["silent_periods"]
            rows.append(
                {
                    "channel": row["channel"],
                    "muscle": row["muscle"],
                    "side": row["side"],
                    "n_bursts": b["count"],
                    "median_burst_ms": _nan(b["median_duration_ms"]),
                    "iqr_burst_ms": _nan(b["iqr_duration_ms"]),
                    "n_silent_periods": s["count"],
                    "median_silent_ms": _nan(s["median_duration_ms"]),
                    "state": (row.get("status") or {}).get("state", "ok"),
                }
            )
        columns = ["channel", "muscle", "side", "n_bursts", "median_burst_ms", "iqr_burst_ms", "n_silent_periods", "median_silent_ms", "state"]
        return pd.DataFrame(rows, columns=columns)

    def to_annotations(self) -> mne.Annotations:
        """Bursts, silent periods and jerks as one ``mne.Annotations`` (``myoclonus/...``, channel names).

        Onsets are seconds from the first sample (``orig_time=None``); to attach them to the
        recording's Raw use ``raw.set_annotations(raw.annotations + analysis.to_annotations())``
        after ``annotations.orig_time`` matches, or simply ``raw.set_annotations(...)``.
        """
        total = mne.Annotations([], [], [])
        for results in (self.bursts, self.silent_periods, self.jerks):
            if results is not None and len(results):
                total = total + results.to_annotations()
        return total

    def write(self, out_dir: str | os.PathLike, **kwargs: Any) -> list[Path]:
        """Write the output files (see :func:`myoclonus.signals.export.write_outputs`)."""
        return write_outputs(self, out_dir, **kwargs)


def _nan(value: Any) -> float:
    return float("nan") if value is None else float(value)


# ------------------------------------------------------------------------------------------ stages


def _stage_open(raw_or_path: Any, montage: Montage | str | os.PathLike | dict | None, units: str | None,
                hashing: ThreadPoolExecutor) -> tuple[Recording, Future | None]:
    """Open the recording; its file's SHA-256 is computed in the background (``hashing``) while
    the analysis runs."""
    recording = read_recording(raw_or_path, montage=montage, units=units)
    sha = None
    if recording.source_path is not None:
        sha = hashing.submit(file_sha256, recording.source_path)
    return recording, sha


def _stage_pick_emg(recording: Recording, settings: AnalysisSettings) -> tuple[list[str], list[str]]:
    """EMG channels that can be analysed, and warnings for those that cannot.

    A channel recorded at or below twice the high-pass edge has no EMG band left (e.g. the 1-Hz
    "EMG submental" envelope of Sleep-EDF, up-sampled by the reader).
    """
    where = recording.source_path.name if recording.source_path else "<recording>"
    emg = recording.picks("emg")
    if not emg:
        typed = ", ".join(f"{c.name!r}: {c.kind}" for c in recording.channels[:20])
        raise InputError(
            f"no EMG channel found; channels were typed as {{{typed}}}. Name the muscles in the channel names "
            "(e.g. 'EMG R FDI') or give a montage file (--montage) mapping channels to muscles.",
            where=where,
        )
    min_hz = 2.0 * settings.conditioning.highpass_hz
    usable = [n for n in emg if recording.recorded_sfreq(n) > min_hz]
    skipped = [f"{n!r} ({recording.recorded_sfreq(n):g} Hz)" for n in emg if n not in usable]
    if not usable:
        raise InputError(
            f"no EMG channel is sampled fast enough for burst detection: {', '.join(skipped)}; raw surface EMG needs "
            f"a rate above {min_hz:g} Hz (twice the {settings.conditioning.highpass_hz:g} Hz high-pass), 500 Hz or more "
            "in practice. A channel at a few Hz is an envelope / RMS trace, not raw EMG.",
            where=where,
        )
    notes = [f"EMG channels not analysed (recorded at or below {min_hz:g} Hz): {', '.join(skipped)}."] if skipped else []
    return usable, notes


def _sub_progress(progress: Callable[[float], None] | None, stage: str) -> Callable[[float], None] | None:
    if progress is None:
        return None
    lo, hi = _PROGRESS[stage]
    return lambda fraction: progress(lo + (hi - lo) * float(fraction))


def _stage_bursts_and_silent_periods(analysis: Analysis, progress: Callable[[float], None] | None) -> None:
    from myoclonus.signals.silent import detect_bursts_and_silent_periods

    analysis.bursts, analysis.silent_periods = detect_bursts_and_silent_periods(
        analysis.recording, channels=analysis.emg_channels, settings=analysis.settings,
        progress=_sub_progress(progress, "emg"))
    lead = getattr(analysis.bursts, "ecg_reference", None)
    if lead is not None and lead.fallback is not None:
        analysis.stage_warnings.append(lead.fallback)


def _stage_jerks(analysis: Analysis) -> None:
    from myoclonus.signals.jerks import group_jerks

    analysis.jerks = group_jerks(analysis.bursts, analysis.recording.channels, settings=analysis.settings)


def _stage_rhythm(analysis: Analysis) -> None:
    from myoclonus.signals.rhythm import analyse_rhythm

    events = analysis.jerks.summary() if analysis.jerks is not None else pd.DataFrame()
    onsets = events["onset_s"].to_numpy(float) if len(events) else np.empty(0)
    analysis.rhythm = analyse_rhythm(onsets, duration_s=analysis.recording.duration_s)


def _stage_neurophysiology(analysis: Analysis) -> None:
    from myoclonus.signals.neurophysiology import run_neurophysiology

    analysis.neurophysiology = run_neurophysiology(
        analysis.recording, bursts=analysis.bursts, jerks=analysis.jerks,
        silent=analysis.silent_periods, settings=analysis.settings,
    )


def _stage_findings(analysis: Analysis) -> None:
    analysis.findings = build_findings(analysis)
    if analysis.neurophysiology is not None:
        # "neurophysiology", "origin" and "origin_criteria" sections (CONTRACTS 3)
        analysis.findings.update(to_jsonable(analysis.neurophysiology.to_findings()))
    if "origin" not in analysis.findings:
        # Jerks were found: the "origin" list is filled by the neurophysiology / origin stage.
        analysis.findings["warnings"].append("origin estimate not computed: the neurophysiology / origin stage did not run.")


# -------------------------------------------------------------------------------------------- API


def analyze(
    raw_or_path: str | os.PathLike | mne.io.BaseRaw | Recording,
    *,
    montage: Montage | str | os.PathLike | dict | None = None,
    settings: AnalysisSettings | None = None,
    progress: Callable[[float], None] | None = None,
    units: str | None = None,
) -> Analysis:
    """Analyse a polymyography recording: bursts, silent periods, jerks, rhythm, findings.

    Parameters
    ----------
    raw_or_path : path | mne.io.Raw | Recording
        Any file :func:`myoclonus.signals.recording.read_recording` opens, or a Raw.
    montage : Montage | path | dict | None
        Explicit channel typing (``myoclonus.montage/1``); default: by channel name.
    settings : AnalysisSettings | None
        Parameters (defaults from CRITERIA.md).
    progress : callable | None
        Called with the fraction done (0-1) as the analysis advances.
    units : {"uV", "mV", "V"} | None
        Unit of files that state none (MATLAB); see :func:`read_recording`.

    Returns
    -------
    Analysis

    Raises
    ------
    InputError
        Unreadable input, or no EMG channel to analyse.

    Notes
    -----
    Decision support, not a diagnosis.
    """
    if settings is None:
        settings = AnalysisSettings()
    elif not isinstance(settings, AnalysisSettings):
        raise InputError(f"settings must be an AnalysisSettings, got {type(settings).__name__}.", where="settings")
    with ThreadPoolExecutor(max_workers=1) as hashing:
        recording, sha = _stage_open(raw_or_path, montage, units, hashing)
        emg_channels, notes = _stage_pick_emg(recording, settings)
        analysis = Analysis(recording=recording, settings=settings, emg_channels=emg_channels, stage_warnings=notes)
        _stage_bursts_and_silent_periods(analysis, progress)
        _stage_jerks(analysis)
        _stage_rhythm(analysis)
        _stage_neurophysiology(analysis)  # back-averaging, BP, coherence, evoked responses, origin
        analysis.input_sha256 = sha.result() if sha is not None else None
    _stage_findings(analysis)
    if progress is not None:
        progress(1.0)
    logger.info(
        "analysed %d EMG channels: %d bursts, %d silent periods, %d jerks",
        len(emg_channels),
        len(analysis.bursts),
        len(analysis.silent_periods),
        len(analysis.jerks),
    )
    return analysis
