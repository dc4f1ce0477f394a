"""Write a simulated recording as EDF+ (via MNE/edfio) with its ground-truth sidecar, atomically."""
from __future__ import annotations

import logging
import os
from pathlib import Path

import mne

from myoclonus.atomic import staged_directory
from myoclonus.errors import InputError
from myoclonus.simulate.truth import GroundTruth, truth_path_for

__all__ = ["write_recording"]

logger = logging.getLogger(__name__)


def write_recording(raw: mne.io.BaseRaw, truth: GroundTruth, path: str | os.PathLike) -> tuple[Path, Path]:
    """Write ``raw`` to ``path`` (EDF+) and ``truth`` to ``<stem>.truth.json`` beside it.

    Both files appear together or not at all. Each channel keeps its own physical range
    (``physical_range="channelwise"``) so EMG, EEG and STIM each use the full 16-bit range.

    Returns
    -------
    edf_path, truth_path : Path
    """
    path = Path(path)
    if path.suffix.lower() != ".edf":
        raise InputError(f"expected a file name ending in .edf, got {path.name!r}", where=str(path))
    truth_path = truth_path_for(path)
    with staged_directory(path.parent) as stage:
        mne.export.export_raw(stage / path.name, raw, fmt="edf", physical_range="channelwise", overwrite=True, verbose="error")
        truth.write(stage / truth_path.name)
    logger.info("wrote %s and %s", path, truth_path.name)
    return path, truth_path
