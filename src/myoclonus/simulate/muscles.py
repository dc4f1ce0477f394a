"""Muscles the simulator can record from: channel name, side, segment, nerve, spinal position.

Channel names follow CONTRACTS.md section 3 (``EMG R FDI``, ``EMG PSP T8``, ``EMG RA``).
Segments and nerves are the usual textbook myotomes (main root only); they are anatomy, not
thresholds, and only used to label channels and to place propriospinal generators.
"""
from __future__ import annotations

from myoclonus.signals.channels import ChannelInfo

__all__ = ["MUSCLES", "EEG_CHANNELS", "channel_info", "spinal_position_cm"]

# name -> (muscle, side, level, nerve)
_TABLE: dict[str, tuple[str, str | None, str, str]] = {}


def _add(muscle: str, level: str, nerve: str, sides: tuple[str, ...] = ("R", "L")) -> None:
    for s in sides:
        side = {"R": "right", "L": "left"}[s]
        _TABLE[f"EMG {s} {muscle}"] = (muscle, side, level, nerve)


_add("OOC", "VII", "facial")
_add("OOR", "VII", "facial")
_add("MEN", "VII", "facial")
_add("MAS", "V", "trigeminal")
_add("SCM", "XI", "accessory")
_add("TRAP", "XI", "accessory")
_add("DEL", "C5", "axillary")
_add("BIC", "C6", "musculocutaneous")
_add("TRI", "C7", "radial")
_add("ECR", "C6", "radial")
_add("FCR", "C7", "median")
_add("FDI", "C8", "ulnar")
_add("QUAD", "L3", "femoral")
_add("TA", "L5", "peroneal")
for _lvl in ("T4", "T8", "T12"):
    _TABLE[f"EMG PSP {_lvl}"] = ("PSP", "midline", _lvl, "dorsal rami")
_TABLE["EMG RA"] = ("RA", "midline", "T10", "intercostal")

MUSCLES: dict[str, ChannelInfo] = {
    name: ChannelInfo(name=name, kind="emg", muscle=m, side=side, level=lvl, nerve=nerve)  # type: ignore[arg-type]
    for name, (m, side, lvl, nerve) in _TABLE.items()
}

#: EEG electrodes (10-20 / 10-10 names) written for every origin: the sensorimotor strip used
#: for back-averaging (C3, C4, Cz), the Bereitschaftspotential montage (FC3, FC4, Cz; Hale et
#: al. MDS 2025, CRITERIA 1.5), plus frontal and parietal neighbours.
EEG_CHANNELS: tuple[str, ...] = ("F3", "Fz", "F4", "FC3", "FC4", "C3", "Cz", "C4", "P3", "Pz", "P4")


#: Name of the simulated ECG lead (``simulate(..., ecg_lead=True)``).
ECG_LEAD_CHANNEL = "ECG"


def channel_info(name: str) -> ChannelInfo:
    """ChannelInfo of a simulated channel (EMG from :data:`MUSCLES`, EEG, ACC, STIM, ECG)."""
    if name in MUSCLES:
        return MUSCLES[name]
    if name in EEG_CHANNELS:
        side = "midline" if name.endswith("z") else ("left" if int(name[-1]) % 2 else "right")
        return ChannelInfo(name=name, kind="eeg", side=side)  # type: ignore[arg-type]
    if name == "STIM":
        return ChannelInfo(name=name, kind="stim")
    if name == ECG_LEAD_CHANNEL:
        return ChannelInfo(name=name, kind="ecg")
    if name.startswith("ACC"):
        return ChannelInfo(name=name, kind="acc", side="right" if " R " in f" {name} " else None)
    raise KeyError(name)


# Position of a segment along the spine, cm from C1. Engineering choice: adult vertebral heights
# of about 1.8 cm (cervical), 2.4 cm (thoracic) and 3.5 cm (lumbar); conduction velocity in the
# propriospinal series is computed the same way, as surface distance between recording levels
# over latency difference (Korean series, J Korean Neurol Assoc 2003;21:82, CRITERIA 1.1).
_CERVICAL_CM, _THORACIC_CM, _LUMBAR_CM = 1.8, 2.4, 3.5


def spinal_position_cm(level: str) -> float:
    """Distance of a spinal level (``C5``, ``T8``, ``L3``) from C1 in cm (engineering choice)."""
    region, n = level[0], int(level[1:])
    if region == "C":
        return n * _CERVICAL_CM
    if region == "T":
        return 7 * _CERVICAL_CM + n * _THORACIC_CM
    if region == "L":
        return 7 * _CERVICAL_CM + 12 * _THORACIC_CM + n * _LUMBAR_CM
    raise ValueError(f"not a spinal level: {level!r}")
