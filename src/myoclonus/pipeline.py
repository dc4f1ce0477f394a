"""One recording from file to outputs: analyse, merge an optional intake, write everything.

The single path shared by ``myoclonus analyze``, ``myoclonus batch``, the demo and the web app, so
that each writes the same files the same way (CONTRACTS.md §3).
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
    """What ``analyze_to_folder`` produced."""

    analysis: Any
    assessment: dict | None
    written: list[Path]


def analyze_to_folder(
    recording: Any,
    out_dir: str | os.PathLike,
    *,
    intake: Any = None,
    montage: Any = None,
    settings: AnalysisSettings | None = None,
    audience: str = "clinician",
    progress: Callable[[float], None] | None = None,
) -> PipelineResult:
    """Analyse ``recording`` and write bursts.tsv, jerks.tsv, findings.json, report.html.

    Parameters
    ----------
    recording : path or mne.io.Raw
        The recording (any format ``read_recording`` understands).
    out_dir : path
        Output folder; files appear there all at once or not at all.
    intake : Intake, optional
        A validated ``myoclonus.intake/1``; when given, ``assessment.json`` merges both kinds of evidence.
    """
    from myoclonus.signals.analysis import analyze
    from myoclonus.signals.export import write_outputs

    analysis = analyze(recording, montage=montage, settings=settings, progress=progress)
    assessment = None
    if intake is not None:
        from myoclonus.clinical.engine import assess

        assessment = assess(intake, audience=audience, findings=analysis.findings).to_dict()
    written = write_outputs(analysis, out_dir, assessment=assessment, report_writer=_report_writer(assessment, audience))
    return PipelineResult(analysis=analysis, assessment=assessment, written=written)


def _report_writer(assessment: dict | None, audience: str):
    """The report package's writer for ``report.html``, or None until it exists."""
    try:
        from myoclonus.report.html import analysis_report_writer
    except ImportError:
        return None
    return analysis_report_writer(assessment=assessment, audience=audience)
