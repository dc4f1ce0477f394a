"""One recording from file to outputs: analyse, merge an optional intake, write everything.

The single path shared by ``myoclonus analyze``, ``myoclonus batch``, ``myoclonus demo`` and the
web app, so that each writes the same files the same way (CONTRACTS.md §3): ``bursts.tsv``,
``jerks.tsv``, ``findings.json``, ``report.html``, ``report_patient.html``, BIDS-style
``derivatives/``, and with an intake ``assessment.json``. All files are staged and appear together.
"""
from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from myoclonus.settings import AnalysisSettings

__all__ = ["PipelineResult", "analyze_to_folder"]


@dataclass
class PipelineResult:
    """What :func:`analyze_to_folder` produced."""

    analysis: Any
    assessment: dict | None
    patient_assessment: dict | None
    written: list[Path]


def analyze_to_folder(
    recording: Any,
    out_dir: str | os.PathLike,
    *,
    intake: Any = None,
    montage: Any = None,
    settings: AnalysisSettings | None = None,
    units: str | None = None,
    title: str | None = None,
    annotated_edf: str | None = None,
    progress: Callable[[float], None] | None = None,
) -> PipelineResult:
    """Analyse ``recording`` and write every output into ``out_dir`` (all or nothing).

    Parameters
    ----------
    recording : path or mne.io.Raw
        The recording (any format ``read_recording`` understands).
    out_dir : path
        Output folder.
    intake : Intake, optional
        A validated ``myoclonus.intake/1``; when given, ``assessment.json`` merges both kinds of
        evidence and the reports carry the clinical assessment (clinician and patient registers).
    units : str, optional
        Unit of files that state none (MATLAB ``.mat``).
    title : str, optional
        Report title (default: the file name).
    annotated_edf : str, optional
        File name for an EDF+ copy of the recording with the detections as annotations.
    """
    from myoclonus.report.html import report_writer
    from myoclonus.signals.analysis import analyze
    from myoclonus.signals.export import write_outputs

    analysis = analyze(recording, montage=montage, settings=settings, progress=progress, units=units)
    assessment = patient = None
    if intake is not None:
        from myoclonus.clinical.engine import assess

        assessment = assess(intake, findings=analysis.findings).to_dict()
        patient = assess(intake, findings=analysis.findings, audience="patient").to_dict()
    write_reports = report_writer(assessment, patient, title=title)

    def write_extras(analysis: Any, stage: Path) -> list[str]:
        names = list(write_reports(analysis, stage))
        if annotated_edf:
            from myoclonus.report.export import write_annotated_edf

            names.append(write_annotated_edf(analysis, stage / annotated_edf).name)
        return names

    written = write_outputs(analysis, out_dir, assessment=assessment, report_writer=write_extras)
    return PipelineResult(analysis=analysis, assessment=assessment, patient_assessment=patient, written=written)
