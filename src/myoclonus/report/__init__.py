"""Reports and interoperability: self-contained HTML reports, JSON Schemas, BIDS and EDF+ exports.

Public names are imported lazily (matplotlib and MNE load only when a report or export is made)::

    from myoclonus.report import write_report, write_bids_derivatives, validate_document
"""
from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "render_report": "myoclonus.report.html",
    "write_report": "myoclonus.report.html",
    "write_reports": "myoclonus.report.html",
    "report_writer": "myoclonus.report.html",
    "build_figures": "myoclonus.report.figures",
    "ReportFigure": "myoclonus.report.figures",
    "write_bids_derivatives": "myoclonus.report.export",
    "write_annotated_edf": "myoclonus.report.export",
    "load_schema": "myoclonus.report.schemas",
    "validate_document": "myoclonus.report.schemas",
    "render_assessment_html": "myoclonus.report.assessment_html",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'myoclonus.report' has no attribute {name!r}")
