"""Sleep-related motor events in polysomnography (CRITERIA 5): leg movements and PLMS (WASM 2016 /
AASM), fragmentary myoclonus, hypnic jerks; sleep stages from a hypnogram or YASA.

Public API: :func:`score_sleep` -> :class:`SleepResults`, :func:`detect_limb_movements`,
:func:`write_sleep_outputs`.
"""
from myoclonus.signals.sleep.limb_movements import LimbMovementResults, detect_limb_movements
from myoclonus.signals.sleep.scoring import SleepResults, score_sleep

__all__ = ["score_sleep", "SleepResults", "detect_limb_movements", "LimbMovementResults", "write_sleep_outputs"]


def write_sleep_outputs(results, out_dir, **kwargs):
    """Write sleep_events.tsv, sleep.json, sleep_annotations.edf and the hypnogram figure (see ``export``)."""
    from myoclonus.signals.sleep.export import write_sleep_outputs as _write

    return _write(results, out_dir, **kwargs)
