"""Ground truth of a simulated recording and its JSON sidecar (``<stem>.truth.json``).

The sidecar lists every event the simulator put into the signals, so detectors and origin
classifiers can be scored against it: bursts, silent periods, jerks (muscles in order of onset),
EEG events, stimuli and artefact intervals, plus the origin label and every recipe parameter
with its literature source.
"""
from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from myoclonus.atomic import write_text_atomic
from myoclonus.errors import InputError

__all__ = [
    "TRUTH_SCHEMA",
    "TruthBurst",
    "TruthSilentPeriod",
    "TruthJerk",
    "TruthEegEvent",
    "TruthStimulus",
    "TruthArtefact",
    "TruthParameter",
    "GroundTruth",
    "truth_path_for",
]

TRUTH_SCHEMA = "myoclonus.simulation_truth/1"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class TruthBurst(_Model):
    """One EMG burst (positive myoclonus) on one channel."""

    channel: str
    onset_s: float = Field(description="First sample of the burst envelope.")
    offset_s: float = Field(description="Last sample of the burst envelope.")
    rms_uv: float = Field(description="RMS amplitude of the burst carrier inside its plateau, microvolts.")
    jerk: int | None = Field(None, description="Index into `jerks` of the jerk this burst belongs to.")

    @property
    def duration_ms(self) -> float:
        """Burst duration in milliseconds."""
        return (self.offset_s - self.onset_s) * 1e3


class TruthSilentPeriod(_Model):
    """A lapse of tonic EMG activity (negative myoclonus, CRITERIA 1.6)."""

    channel: str
    onset_s: float
    offset_s: float

    @property
    def duration_ms(self) -> float:
        """Silent-period duration in milliseconds."""
        return (self.offset_s - self.onset_s) * 1e3


class TruthJerk(_Model):
    """One jerk: bursts grouped across muscles, listed in order of onset."""

    index: int
    onset_s: float = Field(description="Onset of the first burst of the jerk.")
    offset_s: float = Field(description="Offset of the last burst of the jerk.")
    channels: list[str] = Field(description="Channels in order of burst onset (first muscle first).")
    latencies_ms: list[float] = Field(description="Onset of each channel's first burst relative to the jerk onset.")
    trigger: Literal["spontaneous", "stimulus"] = "spontaneous"
    stimulus: int | None = Field(None, description="Index into `stimuli` when the jerk is a reflex response.")
    side: Literal["left", "right", "bilateral", "midline"] = "right"


class TruthEegEvent(_Model):
    """A cortical event placed in the EEG."""

    kind: Literal[
        "premyoclonic_spike",
        "bereitschaftspotential",
        "polyspike_wave",
        "sep",
        "negative_myoclonus_spike",
    ]
    time_s: float = Field(description="Reference time: positive peak (spike), BP onset, discharge start or stimulus time (SEP).")
    channels: list[str]
    amplitude_uv: float = Field(description="Peak amplitude on the main channel (signed, positive up).")
    jerk: int | None = None
    stimulus: int | None = None


class TruthStimulus(_Model):
    """A stimulus marked on the STIM channel and as an EDF+ annotation."""

    index: int
    onset_s: float
    kind: Literal["median_nerve", "auditory", "facial_nerve"]
    side: Literal["left", "right", "midline"] = "right"
    code: int = Field(description="Value written on the STIM channel.")


class TruthArtefact(_Model):
    """An interval where a confounder corrupts one channel (no physiological event is placed there)."""

    channel: str
    onset_s: float
    offset_s: float
    kind: Literal["movement", "electrode_pop", "saturation"]


class TruthParameter(_Model):
    """One recipe parameter, with its unit and its source (or 'engineering choice: why')."""

    value: float | str | list[float] | list[str] | bool | None
    unit: str = ""
    source: str


class GroundTruth(_Model):
    """Everything the simulator placed in a recording (``myoclonus.simulation_truth/1``)."""

    schema_: str = Field(TRUTH_SCHEMA, alias="schema")
    origin: str
    negative: bool
    seed: int
    sfreq_hz: float
    duration_s: float
    mains_hz: float | None = Field(None, description="Mains frequency injected, None when mains is off.")
    heart_rate_bpm: float | None = Field(None, description="ECG rate injected into trunk muscles, None when ECG is off.")
    ecg_channels: list[str] = Field(default_factory=list)
    ecg_r_peaks_s: list[float] = Field(default_factory=list, description="R-peak times of the injected ECG (same on every ECG channel).")
    emg_channels: list[str]
    eeg_channels: list[str]
    bursts: list[TruthBurst] = Field(default_factory=list)
    silent_periods: list[TruthSilentPeriod] = Field(default_factory=list)
    jerks: list[TruthJerk] = Field(default_factory=list)
    eeg_events: list[TruthEegEvent] = Field(default_factory=list)
    stimuli: list[TruthStimulus] = Field(default_factory=list)
    artefacts: list[TruthArtefact] = Field(default_factory=list)
    parameters: dict[str, TruthParameter] = Field(default_factory=dict)
    confounders: dict[str, float | bool | None] = Field(default_factory=dict, description="The Confounders settings used (levels are documented on the Confounders model).")

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    # ------------------------------------------------------------------ queries
    def burst_onsets_s(self, channel: str) -> list[float]:
        """Onsets of the bursts on ``channel``, sorted."""
        return sorted(b.onset_s for b in self.bursts if b.channel == channel)

    def bursts_on(self, channel: str) -> list[TruthBurst]:
        """Bursts on ``channel`` sorted by onset."""
        return sorted((b for b in self.bursts if b.channel == channel), key=lambda b: b.onset_s)

    def silent_periods_on(self, channel: str) -> list[TruthSilentPeriod]:
        """Silent periods on ``channel`` sorted by onset."""
        return sorted((s for s in self.silent_periods if s.channel == channel), key=lambda s: s.onset_s)

    # ------------------------------------------------------------------ JSON
    def to_json(self) -> str:
        """Serialise to the sidecar JSON text (stable key order, so files are reproducible)."""
        return json.dumps(self.model_dump(by_alias=True, mode="json"), indent=1, sort_keys=False) + "\n"

    def write(self, path: str | os.PathLike) -> Path:
        """Write the sidecar atomically and return its path."""
        return write_text_atomic(path, self.to_json())

    @classmethod
    def read(cls, path: str | os.PathLike) -> GroundTruth:
        """Read a sidecar written by :meth:`write`; a wrong schema is an :class:`InputError`."""
        path = Path(path)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise InputError("file not found; expected a ground-truth sidecar written by `myoclonus simulate`", where=str(path)) from None
        except json.JSONDecodeError as exc:
            raise InputError(f"not valid JSON ({exc.msg} at line {exc.lineno})", where=str(path)) from None
        if not isinstance(data, dict) or data.get("schema") != TRUTH_SCHEMA:
            got = data.get("schema") if isinstance(data, dict) else type(data).__name__
            raise InputError(f"expected schema '{TRUTH_SCHEMA}', got {got!r}", where=f"{path}: schema")
        return cls.model_validate(data)


def truth_path_for(edf_path: str | os.PathLike) -> Path:
    """Sidecar path for a recording: ``x/rec.edf`` -> ``x/rec.truth.json``."""
    p = Path(edf_path)
    return p.with_name(p.stem + ".truth.json")
