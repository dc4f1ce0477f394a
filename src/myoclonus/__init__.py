"""myoclonus: assess myoclonus from the clinical presentation and the neurophysiology recording.

Decision support, not a diagnosis.

Public API (imported on first use, so that ``import myoclonus`` stays fast)::

    myoclonus.analyze(raw_or_path, montage=None, settings=None) -> Analysis
    myoclonus.read_recording(path_or_raw, montage=None) -> Recording
    myoclonus.assess(intake, audience="clinician", findings=None) -> Assessment
    myoclonus.load_intake(path) -> Intake
    myoclonus.simulate(origin, minutes=2.0, seed=0, ...) -> Simulation
    myoclonus.score_sleep(...) -> SleepResults
    myoclonus.run_batch(patterns, out_dir, workers=None, scheduler=None) -> BatchSummary
    myoclonus.AnalysisSettings
"""
import importlib
import logging

from myoclonus._version import __version__

logging.getLogger("myoclonus").addHandler(logging.NullHandler())

_PUBLIC = {
    "analyze": "myoclonus.signals.analysis",
    "Analysis": "myoclonus.signals.analysis",
    "read_recording": "myoclonus.signals.recording",
    "Recording": "myoclonus.signals.recording",
    "assess": "myoclonus.clinical.engine",
    "load_intake": "myoclonus.clinical.presentation",
    "simulate": "myoclonus.simulate",
    "score_sleep": "myoclonus.signals.sleep",
    "run_batch": "myoclonus.batch",
    "AnalysisSettings": "myoclonus.settings",
    "load_kb": "myoclonus.knowledge",
}

__all__ = ["__version__", *_PUBLIC]


def __getattr__(name: str):
    if name in _PUBLIC:
        return getattr(importlib.import_module(_PUBLIC[name]), name)
    raise AttributeError(f"module 'myoclonus' has no attribute '{name}'")


def __dir__() -> list[str]:
    return sorted(__all__)
