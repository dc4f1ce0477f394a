"""What a channel is: its type and, for EMG, the muscle, side, spinal segment and nerve.

Shared by every signal stage. ``montage.py`` fills these in from channel names or a montage file.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Protocol

import numpy as np

__all__ = ["ChannelKind", "Side", "ChannelInfo", "SignalSource"]

ChannelKind = Literal["emg", "eeg", "eog", "ecg", "acc", "stim", "resp", "misc"]
Side = Literal["left", "right", "midline"]


@dataclass(frozen=True)
class ChannelInfo:
    """One channel of a recording.

    Attributes
    ----------
    name : str
        Channel name as in the file (after de-duplication).
    kind : ChannelKind
        Signal type.
    muscle : str | None
        Muscle short name from CONTRACTS §3 (``"FDI"``, ``"SCM"`` ...), EMG only.
    side : Side | None
        Body side of the muscle, or hemisphere for EEG (odd = left, even = right, z = midline).
    level : str | None
        Spinal or cranial segment where known (``"T8"`` for ``PSP T8``, ``"C8"`` for FDI, ``"XI"`` for SCM).
    nerve : str | None
        Innervating nerve (``"ulnar"``, ``"accessory"`` ...).
    """

    name: str
    kind: ChannelKind
    muscle: str | None = None
    side: Side | None = None
    level: str | None = None
    nerve: str | None = None

    @property
    def label(self) -> str:
        """Readable muscle label such as ``"R FDI"``, or the channel name for non-EMG channels."""
        if self.muscle is None:
            return self.name
        prefix = {"left": "L ", "right": "R ", "midline": ""}.get(self.side or "", "")
        suffix = f" {self.level}" if self.muscle == "PSP" and self.level else ""
        return f"{prefix}{self.muscle}{suffix}"


class SignalSource(Protocol):
    """Anything detectors can pull samples from, chunk by chunk (a ``Recording`` is one).

    ``get_data`` returns samples in microvolts for EMG/EEG (SI for other kinds), shape
    ``(len(picks), stop - start)``, float64 unless ``dtype`` asks for float32.
    """

    @property
    def sfreq(self) -> float: ...

    @property
    def n_times(self) -> int: ...

    @property
    def channels(self) -> list[ChannelInfo]: ...

    def get_data(self, picks: list[str], start: int, stop: int, *, dtype=np.float64) -> np.ndarray: ...
