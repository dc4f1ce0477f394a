"""One recipe per anatomical origin: which muscles jerk, how long, how often, in which order.

Every number is a :class:`Param` carrying its source: a reference from CRITERIA.md (the
project's compiled literature) or ``engineering choice: <why>`` where the literature gives none.
A recipe turns a random generator into :class:`JerkPlan` objects (bursts with latencies relative
to the generator discharge, and the EEG events that go with them); the simulation engine turns
plans into signals and ground truth.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from myoclonus.knowledge.models import ORIGINS as KB_ORIGINS
from myoclonus.simulate.muscles import spinal_position_cm
from myoclonus.simulate.truth import TruthParameter

__all__ = [
    "ORIGINS",
    "Param",
    "BurstPlan",
    "EegPlan",
    "JerkPlan",
    "Recipe",
    "get_recipe",
]

#: Every origin of CONTRACTS §2 plus "none" (a recording without myoclonus).
ORIGINS: tuple[str, ...] = (*KB_ORIGINS, "none")


@dataclass(frozen=True)
class Param:
    """A recipe parameter with its unit and source."""

    value: float | tuple[float, float] | str
    unit: str
    source: str

    @property
    def lo(self) -> float:
        return float(self.value[0])  # type: ignore[index]

    @property
    def hi(self) -> float:
        return float(self.value[1])  # type: ignore[index]

    def uniform(self, rng: np.random.Generator) -> float:
        """Draw uniformly from a (lo, hi) range."""
        return float(rng.uniform(self.lo, self.hi))

    def as_truth(self) -> TruthParameter:
        v = self.value
        return TruthParameter(value=list(v) if isinstance(v, tuple) else v, unit=self.unit, source=self.source)


@dataclass(frozen=True)
class BurstPlan:
    """One burst of a jerk: channel, onset latency after the generator discharge, duration."""

    channel: str
    latency_ms: float
    duration_ms: float
    gain: float = 1.0  # relative amplitude (proximal predominance etc.)


@dataclass(frozen=True)
class EegPlan:
    """An EEG event of a jerk, timed relative to the generator discharge."""

    kind: str
    offset_ms: float
    weights: dict[str, float]  # channel -> spatial weight (1 = main channel)
    amplitude_uv: float


@dataclass(frozen=True)
class JerkPlan:
    """Everything one jerk puts in the recording."""

    bursts: list[BurstPlan]
    side: str
    eeg: list[EegPlan] = field(default_factory=list)


# ---------------------------------------------------------------- shared parameters
LATENCY_JITTER_MS = Param(0.5, "ms", "engineering choice: small trial-to-trial jitter of conduction times (SD) so orders stay physiological")
REFRACTORY_S = Param(0.35, "s", "engineering choice: shortest interval between spontaneous jerks, keeps jerks separable for scoring")
EDGE_MARGIN_S = Param(1.0, "s", "engineering choice: no jerk in the first/last second, so every event is complete in the file")

# Premyoclonic cortical spike (JLBA): positive peak ~20 ms before hand-muscle EMG onset over the
# contralateral sensorimotor cortex ("Jerk-locked averaging", J Clin Neurophysiol 1992;9:495).
CORTICAL_HAND_LATENCY_MS = Param(20.0, "ms", "JLBA positive peak ~20 ms before hand EMG onset (J Clin Neurophysiol 1992;9:495, CRITERIA 1.1); C-reflex ~40 ms = about twice the cortex-to-hand latency (CRITERIA 1.1)")
SPIKE_POSITIVE_UV = Param((5.0, 9.0), "uV", "engineering choice: single-trial spike amplitude, visible after averaging 50-200 epochs (Latorre 2023, CRITERIA 1.1) in ~15 uV background")
C_REFLEX_MS = Param(40.0, "ms", "C-reflex ~40 ms in hand muscles after median-nerve stimulation (teaching page, CRITERIA 1.1)")
SEP_PEAKS = Param("N20 -2.5 uV at 20 ms, P25 +14 uV at 25 ms, N33 -13 uV at 33 ms", "uV", "giant SEP: P25 > 8.6 uV or N33 > 8.4 uV (Shibasaki 1985 via Latorre 2023, CRITERIA 1.3); N20 normal (Latorre 2023)")
BETA_BAND_HZ = Param((12.0, 30.0), "Hz", "exaggerated corticomuscular coherence in the beta band 12-30 Hz (Caviness et al., Mov Disord 2003;18:1157, CRITERIA 1.4)")


def _jitter(rng: np.random.Generator, sd: float = LATENCY_JITTER_MS.value) -> float:  # type: ignore[assignment]
    return float(rng.normal(0.0, sd))


def _truncnorm(rng: np.random.Generator, mean: float, sd: float, lo: float, hi: float) -> float:
    for _ in range(100):
        x = rng.normal(mean, sd)
        if lo <= x <= hi:
            return float(x)
    return float(np.clip(mean, lo, hi))


class Recipe:
    """Base recipe: subclasses set the class attributes and ``plan_jerk``."""

    origin: str = ""
    emg: tuple[str, ...] = ()
    #: Channels that hold a posture (tonic activity) when negative myoclonus is simulated.
    posture: tuple[str, ...] = ()
    rate_hz = Param(0.5, "1/s", "engineering choice")
    rhythmic: bool = False
    lead_s: float = 1.0  # quiet time needed before the first jerk
    stimulus_kind: str | None = None
    stimuli_per_min = Param(0.0, "1/min", "engineering choice")
    references: dict[str, Param] = {}

    def __init__(self) -> None:
        self.state: dict[str, float] = {}

    # ------------------------------------------------------------ per recording
    def draw_recording(self, rng: np.random.Generator) -> None:
        """Draw recording-level parameters (rhythm rate, velocity ...) into ``self.state``."""

    def parameters(self) -> dict[str, TruthParameter]:
        """All parameters with their sources, for the ground-truth sidecar."""
        out = {k: p.as_truth() for k, p in self.references.items()}
        out["rate_hz"] = self.rate_hz.as_truth()
        out["latency_jitter_ms"] = LATENCY_JITTER_MS.as_truth()
        out["refractory_s"] = REFRACTORY_S.as_truth()
        for k, v in self.state.items():
            out[f"drawn_{k}"] = TruthParameter(value=round(float(v), 6), unit="", source="drawn once per recording from the ranges above (seeded)")
        return out

    # ------------------------------------------------------------ timing
    def jerk_times(self, rng: np.random.Generator, duration_s: float, n_jerks: int | None) -> np.ndarray:
        """Generator discharge times of the spontaneous jerks (seconds)."""
        start, stop = max(EDGE_MARGIN_S.value, self.lead_s), duration_s - EDGE_MARGIN_S.value  # type: ignore[operator]
        if stop <= start:
            return np.zeros(0)
        intervals = self._intervals(rng, duration_s, n_jerks)
        start += float(rng.uniform(0, 0.5))
        if n_jerks is None:
            times = start + np.concatenate([[0.0], np.cumsum(intervals)])
            return times[times < stop]
        if n_jerks == 0:
            return np.zeros(0)
        intervals = intervals[: n_jerks - 1]
        avail = stop - start - 0.01
        if intervals.sum() > avail:
            # squeeze the random part of each interval, keeping the minimum gap
            gap = self.min_gap_s()
            excess = intervals - gap
            if gap * len(intervals) > avail or excess.sum() <= 0:
                from myoclonus.errors import InputError

                fit = int(avail / gap) + 1
                raise InputError(
                    f"{n_jerks} jerks do not fit in {duration_s:g} s of {self.origin} myoclonus; at most {fit} fit. "
                    "Ask for fewer jerks or more minutes.",
                    where="n_jerks",
                )
            intervals = gap + excess * (avail - gap * len(intervals)) / excess.sum()
        return start + np.concatenate([[0.0], np.cumsum(intervals)])

    def min_gap_s(self) -> float:
        return float(REFRACTORY_S.value)  # type: ignore[arg-type]

    def _intervals(self, rng: np.random.Generator, duration_s: float, n_jerks: int | None) -> np.ndarray:
        n = int(n_jerks if n_jerks is not None else duration_s * self.rate_hz.value * 3 + 10)  # type: ignore[operator]
        mean = 1.0 / float(self.rate_hz.value)  # type: ignore[arg-type]
        gap = self.min_gap_s()
        return gap + rng.exponential(max(mean - gap, 0.05), size=max(n - 1, 0))

    # ------------------------------------------------------------ jerks
    def plan_jerk(self, rng: np.random.Generator, index: int) -> JerkPlan:
        raise NotImplementedError

    def plan_response(self, rng: np.random.Generator, stim_index: int) -> JerkPlan | None:
        """Reflex response to stimulus number ``stim_index`` (latencies from the stimulus)."""
        return None

    def stimulus_eeg(self, rng: np.random.Generator) -> list[EegPlan]:
        """EEG evoked by a stimulus (SEP), relative to the stimulus."""
        return []


# ====================================================================== cortical
class Cortical(Recipe):
    """Cortical (reflex) myoclonus: brief, focal distal jerks led by a contralateral cortical spike."""

    origin = "cortical"
    emg = ("EMG R OOC", "EMG R MAS", "EMG R SCM", "EMG R DEL", "EMG R BIC", "EMG R TRI",
           "EMG R ECR", "EMG R FCR", "EMG R FDI", "EMG L FDI", "EMG R TA")
    posture = ("EMG R DEL", "EMG R ECR", "EMG R FCR", "EMG R FDI")
    rate_hz = Param(0.6, "1/s", "engineering choice: frequent action myoclonus, >= 60 jerks in 2 min for back-averaging (50-200 epochs, Latorre 2023)")
    stimulus_kind = "median_nerve"
    stimuli_per_min = Param(12.0, "1/min", "engineering choice: enough median-nerve stimuli for an SEP average in a short file")
    duration_ms = Param((10.0, 50.0), "ms", "cortical bursts 10-50 ms (Eberhardt & Topka 2017); mean 31.1 +/- 6.7 ms (van der Veen 2024) (CRITERIA 1.1)")
    # Latency of each muscle after the cortical discharge: cranial muscles first in rostro-caudal
    # (descending) order (Hallett 1979, CRITERIA 1.1), hand at 20 ms (JLBA, CRITERIA 1.1); the
    # values in between are an engineering choice following corticospinal path length.
    latency_ms = {
        "EMG R MAS": 7.0, "EMG R OOC": 9.0, "EMG R SCM": 11.0, "EMG R DEL": 12.0, "EMG R BIC": 13.0,
        "EMG R TRI": 14.0, "EMG R ECR": 17.0, "EMG R FCR": 17.0, "EMG R FDI": 20.0, "EMG L FDI": 20.0,
        "EMG R TA": 30.0,
    }
    references = {
        "duration_ms": duration_ms,
        "cortical_hand_latency_ms": CORTICAL_HAND_LATENCY_MS,
        "recruitment": Param("rostro-caudal: MAS 7, OOC 9, SCM 11, DEL 12, BIC 13, TRI 14, ECR/FCR 17, FDI 20, TA 30 ms after the cortical discharge", "ms",
                             "cranial muscles in descending order (Hallett 1979, CRITERIA 1.1); hand 20 ms (JLBA); rest engineering choice by path length"),
        "agonist_antagonist": Param("co-contraction ECR/FCR, BIC/TRI", "", "synchronous co-contraction of agonist and antagonist (Hallett 1979, CRITERIA 1.1)"),
        "spike_positive_uv": SPIKE_POSITIVE_UV,
        "c_reflex_ms": C_REFLEX_MS,
        "sep": SEP_PEAKS,
        "beta_band_hz": BETA_BAND_HZ,
        "distribution": Param("few contiguous, mostly distal muscles; 85% right arm, 15% left hand", "", "few contiguous mostly distal muscles (Hallett 1979, CRITERIA 1.1); side split engineering choice"),
    }

    def _duration(self, rng: np.random.Generator) -> float:
        # mean 31.1 +/- 6.7 ms (van der Veen 2024), kept inside 10-50 ms (Eberhardt & Topka 2017)
        return _truncnorm(rng, 31.1, 6.7, self.duration_ms.lo, self.duration_ms.hi)

    def plan_jerk(self, rng: np.random.Generator, index: int) -> JerkPlan:
        if rng.random() < 0.15:  # left hand, right hemisphere
            chans, side, hemi = ["EMG L FDI"], "left", {"C4": 1.0, "FC4": 0.6, "P4": 0.35, "Cz": 0.3}
        else:
            chans = ["EMG R FDI", "EMG R ECR", "EMG R FCR"]
            if rng.random() < 0.5:
                chans += ["EMG R BIC", "EMG R TRI"]
            if rng.random() < 0.3:
                chans += ["EMG R DEL"]
            if rng.random() < 0.25:
                chans += ["EMG R MAS", "EMG R OOC", "EMG R SCM"]
            if rng.random() < 0.15:
                chans += ["EMG R TA"]
            side, hemi = "right", {"C3": 1.0, "FC3": 0.6, "P3": 0.35, "Cz": 0.3}
        bursts = [BurstPlan(c, self.latency_ms[c] + _jitter(rng), self._duration(rng)) for c in chans]
        amp = SPIKE_POSITIVE_UV.uniform(rng)
        # positive peak at the discharge (20 ms before hand EMG onset); the negative wave follows
        eeg = [EegPlan("premyoclonic_spike", 0.0, hemi, amp)]
        return JerkPlan(bursts, side, eeg)

    def plan_response(self, rng: np.random.Generator, stim_index: int) -> JerkPlan | None:
        # C-reflex after right median-nerve stimulation: hand at ~40 ms, forearm a little earlier
        c = float(C_REFLEX_MS.value)  # type: ignore[arg-type]
        bursts = [
            BurstPlan("EMG R FDI", c + _jitter(rng, 1.0), self._duration(rng)),
            BurstPlan("EMG R FCR", c - 3.0 + _jitter(rng, 1.0), self._duration(rng)),
            BurstPlan("EMG R ECR", c - 3.0 + _jitter(rng, 1.0), self._duration(rng)),
        ]
        return JerkPlan(bursts, "right")

    def stimulus_eeg(self, rng: np.random.Generator) -> list[EegPlan]:
        return [EegPlan("sep", 0.0, {"C3": 1.0, "FC3": 0.5, "P3": 0.6, "Cz": 0.3}, 14.0)]


# ====================================================================== cortical-subcortical
class CorticalSubcortical(Recipe):
    """Myoclonic seizures / JME: bilateral synchronous jerks time-locked to generalized polyspike-waves."""

    origin = "cortical_subcortical"
    emg = ("EMG R SCM", "EMG L SCM", "EMG R DEL", "EMG L DEL", "EMG R BIC", "EMG L BIC",
           "EMG R FDI", "EMG L FDI", "EMG R QUAD", "EMG R TA")
    posture = ("EMG R DEL", "EMG L DEL", "EMG R FDI", "EMG L FDI")
    rate_hz = Param(0.3, "1/s", "engineering choice: clusters of jerks, arrhythmic")
    duration_ms = Param((25.0, 100.0), "ms", "cortical-subcortical bursts 25-100 ms (Riva et al. 2024, CRITERIA 1.1)")
    latency_ms = {"EMG R SCM": 10.0, "EMG L SCM": 10.0, "EMG R DEL": 12.0, "EMG L DEL": 12.0, "EMG R BIC": 13.0,
                  "EMG L BIC": 13.0, "EMG R FDI": 20.0, "EMG L FDI": 20.0, "EMG R QUAD": 25.0, "EMG R TA": 30.0}
    references = {
        "duration_ms": duration_ms,
        "distribution": Param("generalized, bilateral synchronous", "", "generalized (CRITERIA 1.1); bilateral synchronous [unverified]"),
        "eeg": Param("generalized polyspike-wave, 3 spikes at 20 Hz from 30 ms before the discharge, then a slow wave", "",
                     "bursts time-locked to generalized (poly)spike-wave discharges (CRITERIA 1.1); shape and timing engineering choice"),
        "polyspike_uv": Param((60.0, 120.0), "uV", "engineering choice: generalized discharge clearly above background"),
    }

    def plan_jerk(self, rng: np.random.Generator, index: int) -> JerkPlan:
        bursts = []
        for c in self.emg:
            if c in ("EMG R QUAD", "EMG R TA") and rng.random() < 0.5:
                continue
            bursts.append(BurstPlan(c, self.latency_ms[c] + _jitter(rng, 1.5), self.duration_ms.uniform(rng)))
        amp = self.references["polyspike_uv"].uniform(rng)
        weights = {"F3": 1.0, "Fz": 1.0, "F4": 1.0, "FC3": 0.9, "FC4": 0.9, "C3": 0.8, "Cz": 0.85, "C4": 0.8, "P3": 0.6, "Pz": 0.65, "P4": 0.6}
        return JerkPlan(bursts, "bilateral", [EegPlan("polyspike_wave", -30.0, weights, -amp)])


# ====================================================================== subcortical
class Subcortical(Recipe):
    """Brainstem reticular reflex myoclonus, with startle responses to sounds."""

    origin = "subcortical"
    emg = ("EMG R OOC", "EMG R MAS", "EMG R SCM", "EMG L SCM", "EMG R TRAP", "EMG R DEL", "EMG R BIC",
           "EMG R FDI", "EMG RA", "EMG R QUAD", "EMG R TA")
    posture = ("EMG R DEL", "EMG R BIC", "EMG R FDI")
    rate_hz = Param(0.3, "1/s", "engineering choice: arrhythmic (CRITERIA 1.1), spontaneous jerks every few seconds")
    stimulus_kind = "auditory"
    stimuli_per_min = Param(6.0, "1/min", "engineering choice: a startle block (105 dB tones in blocks, PMID 1380910, CRITERIA 1.1)")
    duration_ms = Param((100.0, 250.0), "ms", "brainstem myoclonus bursts > 100 ms (1996 brainstem myoclonus review, CRITERIA 1.1); upper bound engineering choice")
    startle_duration_ms = Param((60.0, 150.0), "ms", "motor startle reflex lasts until about 150 ms (Dreissen et al. 2012, CRITERIA 1.1)")
    # Reticular reflex: SCM/trapezius (XI) first, then up the brainstem slowly to masseter and
    # facial muscles and down the cord fast to the limbs (Bhidayasiri & Tarsy 2012 citing Hallett
    # 2002; Brown et al. 1991, CRITERIA 1.1). Exact values: engineering choice.
    latency_ms = {"EMG R SCM": 0.0, "EMG L SCM": 0.5, "EMG R TRAP": 1.5, "EMG R DEL": 5.0, "EMG R BIC": 7.0,
                  "EMG RA": 9.0, "EMG R MAS": 9.0, "EMG R OOC": 13.0, "EMG R FDI": 14.0, "EMG R QUAD": 19.0,
                  "EMG R TA": 26.0}
    # Startle: OOC (blink) first, SCM first true startle muscle (~62 ms, <83 ms), then masseter,
    # trunk, limbs, hands and feet disproportionately late; all within 20-150 ms (Brown 1991;
    # J Physiol 2007;584:97; van der Veen 2022 figure; CRITERIA 1.1).
    startle_latency_ms = {"EMG R OOC": 35.0, "EMG R SCM": 60.0, "EMG L SCM": 61.0, "EMG R TRAP": 64.0, "EMG R MAS": 68.0,
                          "EMG R DEL": 75.0, "EMG R BIC": 80.0, "EMG RA": 85.0, "EMG R FDI": 110.0, "EMG R QUAD": 115.0,
                          "EMG R TA": 140.0}
    gain = {"EMG R SCM": 1.0, "EMG L SCM": 1.0, "EMG R TRAP": 1.0, "EMG R DEL": 1.0, "EMG R BIC": 1.0, "EMG RA": 0.9,
            "EMG R MAS": 0.7, "EMG R OOC": 0.6, "EMG R FDI": 0.6, "EMG R QUAD": 0.8, "EMG R TA": 0.5}
    references = {
        "duration_ms": duration_ms,
        "startle_duration_ms": startle_duration_ms,
        "recruitment": Param("SCM 0, L SCM 0.5, TRAP 1.5, DEL 5, BIC 7, RA 9, MAS 9, OOC 13, FDI 14, QUAD 19, TA 26 ms", "ms",
                             "XI muscles first, ascending slowly to masseter/facial, descending fast to limbs (Bhidayasiri & Tarsy 2012; Brown 1991, CRITERIA 1.1); values engineering choice"),
        "startle_latency": Param("OOC 35, SCM 60, MAS 68, DEL 75, BIC 80, RA 85, FDI 110, QUAD 115, TA 140 ms", "ms",
                                 "OOC -> SCM (<83 ms, mean ~62) -> masseter -> trunk -> limbs within 20-150 ms (J Physiol 2007;584:97; Brown 1991; van der Veen 2022, CRITERIA 1.1)"),
        "proximal_predominance": Param("gain 1.0 proximal/axial, 0.5-0.6 distal", "", "proximal and flexor predominance (Bhidayasiri & Tarsy 2012, CRITERIA 1.1); values engineering choice"),
        "eeg": Param("none", "", "no EEG correlate time-locked to the jerk; SEP not enlarged (CRITERIA 1.1)"),
    }

    def plan_jerk(self, rng: np.random.Generator, index: int) -> JerkPlan:
        bursts = [BurstPlan(c, self.latency_ms[c] + _jitter(rng), self.duration_ms.uniform(rng), self.gain[c]) for c in self.emg]
        return JerkPlan(bursts, "bilateral")

    def plan_response(self, rng: np.random.Generator, stim_index: int) -> JerkPlan | None:
        bursts = [BurstPlan(c, self.startle_latency_ms[c] + _jitter(rng, 3.0), self.startle_duration_ms.uniform(rng), self.gain[c])
                  for c in self.emg]
        return JerkPlan(bursts, "bilateral")


# ====================================================================== spinal segmental
class SpinalSegmental(Recipe):
    """Spinal segmental myoclonus: rhythmic 1-2 Hz jerks confined to C5-C6 muscles."""

    origin = "spinal_segmental"
    emg = ("EMG R SCM", "EMG R DEL", "EMG R BIC", "EMG R TRI", "EMG R ECR", "EMG R FDI", "EMG L DEL",
           "EMG L BIC", "EMG RA", "EMG R QUAD")
    posture = ("EMG R TRI", "EMG R ECR", "EMG R FDI")
    rhythmic = True
    rate_hz = Param((1.0, 2.0), "1/s", "rhythmic or semi-rhythmic about 1-2 Hz (Jankovic & Pardo, Arch Neurol 1986, CRITERIA 1.1)")
    rhythm_cv = Param(0.05, "", "engineering choice: semi-rhythmic, interval coefficient of variation 5%")
    stimulus_kind = "auditory"
    stimuli_per_min = Param(4.0, "1/min", "engineering choice: a few stimuli to show stimulus insensitivity (mostly stimulus-insensitive [unverified], CRITERIA 1.1)")
    duration_ms = Param((100.0, 300.0), "ms", "often long, > 100 ms [unverified] (CRITERIA 1.1); upper bound engineering choice")
    references = {
        "duration_ms": duration_ms,
        "rhythm_cv": rhythm_cv,
        "myotomes": Param(["C5", "C6"], "", "confined to 1-2 contiguous myotomes (Plazzi & Vetrugno 2010, CRITERIA 1.1); R DEL (C5) and R BIC (C5-6)"),
        "agonist_antagonist": Param("co-contraction", "", "co-contraction [unverified] (CRITERIA 1.1)"),
    }

    def draw_recording(self, rng: np.random.Generator) -> None:
        self.state["rate_hz"] = self.rate_hz.uniform(rng)

    def min_gap_s(self) -> float:
        return 0.5 / self.state.get("rate_hz", 1.0)

    def _intervals(self, rng: np.random.Generator, duration_s: float, n_jerks: int | None) -> np.ndarray:
        period = 1.0 / self.state["rate_hz"]
        n = int(n_jerks if n_jerks is not None else duration_s / period + 5)
        cv = float(self.rhythm_cv.value)  # type: ignore[arg-type]
        return period * (1.0 + cv * rng.standard_normal(max(n - 1, 0)))

    def plan_jerk(self, rng: np.random.Generator, index: int) -> JerkPlan:
        period_ms = 1e3 / self.state["rate_hz"]
        dur_hi = min(self.duration_ms.hi, 0.5 * period_ms)
        d = float(rng.uniform(self.duration_ms.lo, dur_hi))
        bursts = [BurstPlan("EMG R DEL", _jitter(rng), d), BurstPlan("EMG R BIC", 1.0 + _jitter(rng), d * rng.uniform(0.9, 1.05))]
        return JerkPlan(bursts, "right")


# ====================================================================== propriospinal
class Propriospinal(Recipe):
    """Propriospinal myoclonus: axial jerks from T8 spreading up and down at 3-11 m/s."""

    origin = "propriospinal"
    emg = ("EMG R MAS", "EMG R SCM", "EMG R DEL", "EMG R BIC", "EMG PSP T4", "EMG PSP T8", "EMG PSP T12",
           "EMG RA", "EMG R QUAD", "EMG R TA")
    posture = ("EMG R DEL", "EMG R BIC")
    rate_hz = Param((1.0, 2.0), "1/s", "repetitive bursts at 1-7 Hz (Brown et al., Mov Disord 1994;9:571, CRITERIA 1.1); lower part so 100-400 ms bursts stay separate (engineering choice)")
    duration_ms = Param((100.0, 400.0), "ms", "about 100-400 ms (J Korean Neurol Assoc 2003;21:82, CRITERIA 1.1)")
    velocity_m_s = Param((3.2, 6.7), "m/s", "measured 3.2-6.7 m/s, mean 5.4 (Korean series 2003), within 3-11 m/s (Chokroverty 1995) (CRITERIA 1.1)")
    generator = Param("T8", "", "generator in a mid-thoracic segment (Chokroverty 1995, CRITERIA 1.1)")
    run_length = Param((3.0, 8.0), "jerks", "engineering choice: jerks come in runs of repetitive bursts")
    run_gap_s = Param((2.0, 6.0), "s", "engineering choice: quiet time between runs")
    levels = {"EMG R DEL": "C5", "EMG R BIC": "C6", "EMG PSP T4": "T4", "EMG PSP T8": "T8", "EMG PSP T12": "T12",
              "EMG RA": "T10", "EMG R QUAD": "L3", "EMG R TA": "L5"}
    references = {
        "duration_ms": duration_ms,
        "velocity_m_s": velocity_m_s,
        "generator": generator,
        "run_length": run_length,
        "run_gap_s": run_gap_s,
        "cranial_spared": Param(["EMG R MAS", "EMG R SCM"], "", "cranial muscles spared (CRITERIA 1.1)"),
        "spinal_positions": Param("C 1.8, T 2.4, L 3.5 cm per vertebra", "cm", "engineering choice: adult vertebral heights (see muscles.spinal_position_cm)"),
    }

    def draw_recording(self, rng: np.random.Generator) -> None:
        self.state["velocity_m_s"] = self.velocity_m_s.uniform(rng)
        self.state["rate_hz"] = self.rate_hz.uniform(rng)

    def min_gap_s(self) -> float:
        return 0.8 / self.state.get("rate_hz", 2.0)

    def _intervals(self, rng: np.random.Generator, duration_s: float, n_jerks: int | None) -> np.ndarray:
        period = 1.0 / self.state["rate_hz"]
        n = int(n_jerks if n_jerks is not None else duration_s * self.state["rate_hz"] + 10)
        out: list[float] = []
        while len(out) < n - 1:
            k = int(rng.integers(int(self.run_length.lo), int(self.run_length.hi) + 1))
            out += list(period * (1.0 + 0.05 * rng.standard_normal(k - 1)))
            out.append(self.run_gap_s.uniform(rng))
        return np.asarray(out[: max(n - 1, 0)])

    def latency_for(self, channel: str) -> float:
        """Conduction delay (ms) from the T8 generator to the channel's segment."""
        dist_cm = abs(spinal_position_cm(self.levels[channel]) - spinal_position_cm("T8"))
        return dist_cm * 10.0 / self.state["velocity_m_s"]  # cm / (m/s) -> ms: 1 cm at 1 m/s = 10 ms

    def plan_jerk(self, rng: np.random.Generator, index: int) -> JerkPlan:
        period_ms = 1e3 / self.state["rate_hz"]
        hi = min(self.duration_ms.hi, 0.45 * period_ms)
        d = float(rng.uniform(self.duration_ms.lo, hi))
        bursts = []
        for c in self.levels:
            if c in ("EMG R TA", "EMG R DEL") and rng.random() < 0.4:
                continue  # the farthest segments are not recruited every time (engineering choice)
            bursts.append(BurstPlan(c, self.latency_for(c) + _jitter(rng), min(d * rng.uniform(1.0, 1.15), hi)))
        return JerkPlan(bursts, "midline")


# ====================================================================== peripheral
class Peripheral(Recipe):
    """Hemifacial spasm: synchronous bursts in right facial-nerve muscles only."""

    origin = "peripheral"
    emg = ("EMG R OOC", "EMG R OOR", "EMG R MEN", "EMG R MAS", "EMG L OOC", "EMG R SCM")
    posture = ("EMG R MAS",)
    rate_hz = Param(0.5, "1/s", "engineering choice: irregular clonic spasms (CRITERIA 1.1)")
    stimulus_kind = "facial_nerve"
    stimuli_per_min = Param(5.0, "1/min", "engineering choice: a few facial-nerve stimuli to elicit the lateral spread response")
    clonic_ms = Param((20.0, 150.0), "ms", "engineering choice: clonic spasms of synchronous high-frequency MUP bursts (CRITERIA 1.1)")
    tonic_ms = Param((300.0, 1200.0), "ms", "engineering choice: tonic spasms (CRITERIA 1.1: irregular clonic and tonic spasms)")
    tonic_fraction = Param(0.2, "", "engineering choice")
    lsr_ms = Param(10.0, "ms", "lateral spread response at about 10 ms (Isu et al., CRITERIA 1.1)")
    territory = ("EMG R OOC", "EMG R OOR", "EMG R MEN")
    references = {
        "clonic_ms": clonic_ms,
        "tonic_ms": tonic_ms,
        "tonic_fraction": tonic_fraction,
        "lsr_ms": lsr_ms,
        "territory": Param(list(territory), "", "one facial-nerve territory, typical HFS begins in orbicularis oculi (CRITERIA 1.1)"),
        "synchrony": Param("OOC 0, OOR 1, MEN 1.5 ms", "ms", "synchronous bursts (HFS case report, CRITERIA 1.1); values engineering choice"),
        "repetitive_discharge_hz": Param((150.0, 250.0), "Hz", "engineering choice: high-frequency repetitive MUP discharge inside bursts"),
    }

    def min_gap_s(self) -> float:
        return 1.6  # longer than a tonic spasm plus a gap (engineering choice)

    def plan_jerk(self, rng: np.random.Generator, index: int) -> JerkPlan:
        d = self.tonic_ms.uniform(rng) if rng.random() < float(self.tonic_fraction.value) else self.clonic_ms.uniform(rng)  # type: ignore[arg-type]
        lat = {"EMG R OOC": 0.0, "EMG R OOR": 1.0, "EMG R MEN": 1.5}
        return JerkPlan([BurstPlan(c, lat[c] + _jitter(rng, 0.2), d * rng.uniform(0.95, 1.0)) for c in self.territory], "right")

    def plan_response(self, rng: np.random.Generator, stim_index: int) -> JerkPlan | None:
        # stimulating the zygomatic branch: lateral spread response in the mandibular territory
        lsr = float(self.lsr_ms.value)  # type: ignore[arg-type]
        return JerkPlan([BurstPlan("EMG R MEN", lsr + _jitter(rng, 0.3), float(rng.uniform(10.0, 15.0))),
                         BurstPlan("EMG R OOR", lsr + 0.5 + _jitter(rng, 0.3), float(rng.uniform(10.0, 15.0)))], "right")


# ====================================================================== functional
class Functional(Recipe):
    """Functional jerks: long, triphasic, variable order, preceded by a Bereitschaftspotential."""

    origin = "functional"
    emg = ("EMG R DEL", "EMG R BIC", "EMG R TRI", "EMG R ECR", "EMG R FCR", "EMG R FDI", "EMG R SCM",
           "EMG L BIC", "EMG RA", "EMG R QUAD", "EMG R TA")
    posture = ("EMG R DEL", "EMG R ECR", "EMG R FDI")
    rate_hz = Param(0.33, "1/s", "engineering choice: jerks spaced > 2 s so each BP window is clean")
    lead_s = 2.5
    stimulus_kind = "auditory"
    stimuli_per_min = Param(5.0, "1/min", "engineering choice")
    duration_ms = Param((80.0, 300.0), "ms", "functional jerk bursts usually > 70 ms (Pal 2011, CRITERIA 1.1); upper bound engineering choice")
    phase_ms = Param((75.0, 140.0), "ms", "engineering choice: each phase of the triphasic pattern > 70 ms (Pal 2011)")
    bp_onset_s = Param((1.0, 2.0), "s", "slow negativity starting 0.7-2.1 s before the jerk (Terada 1995), 1-2 s (CRITERIA 1.5)")
    bp_uv = Param((6.0, 10.0), "uV", "engineering choice: single-trial BP peak negativity at Cz")
    response_latency_ms = Param((120.0, 350.0), "ms", "stimulus-evoked jerks have variable latencies, usually > 100 ms (Thompson 1992; Pal 2011, CRITERIA 1.1)")
    habituation = Param(0.7, "", "engineering choice: response probability x0.7 per stimulus (habituation, Thompson 1992)")
    pairs = (("EMG R BIC", "EMG R TRI"), ("EMG R ECR", "EMG R FCR"))
    references = {
        "duration_ms": duration_ms,
        "phase_ms": phase_ms,
        "triphasic": Param("agonist-antagonist-agonist on BIC/TRI or ECR/FCR", "", "triphasic pattern as in voluntary movement (Pal 2011; Panyakaew 2016, CRITERIA 1.1)"),
        "order": Param("random subset and random latencies 0-120 ms", "", "variable recruitment from jerk to jerk (Pal 2011, CRITERIA 1.1)"),
        "bp_onset_s": bp_onset_s,
        "bp_uv": bp_uv,
        "response_latency_ms": response_latency_ms,
        "habituation": habituation,
    }

    def min_gap_s(self) -> float:
        return 2.4  # BP window of up to 2 s plus the jerk (engineering choice)

    def plan_jerk(self, rng: np.random.Generator, index: int) -> JerkPlan:
        ag, ant = self.pairs[int(rng.integers(len(self.pairs)))]
        if rng.random() < 0.5:
            ag, ant = ant, ag
        t0 = float(rng.uniform(0.0, 40.0))
        d1 = self.phase_ms.uniform(rng)
        t1 = t0 + d1 + float(rng.uniform(15.0, 30.0))
        d2 = self.phase_ms.uniform(rng)
        t2 = t1 + d2 + float(rng.uniform(15.0, 30.0))
        bursts = [BurstPlan(ag, t0, d1), BurstPlan(ant, t1, d2), BurstPlan(ag, t2, self.phase_ms.uniform(rng))]
        others = [c for c in self.emg if c not in (ag, ant)]
        k = int(rng.integers(1, 4))
        for c in rng.choice(others, size=k, replace=False):
            bursts.append(BurstPlan(str(c), float(rng.uniform(0.0, 120.0)), self.duration_ms.uniform(rng)))
        bp_lead = self.bp_onset_s.uniform(rng)
        bp = EegPlan("bereitschaftspotential", -bp_lead * 1e3, {"Cz": 1.0, "FC3": 0.8, "FC4": 0.8, "C3": 0.6, "C4": 0.6, "Fz": 0.5, "Pz": 0.3},
                     -self.bp_uv.uniform(rng))
        return JerkPlan(bursts, "right", [bp])

    def plan_response(self, rng: np.random.Generator, stim_index: int) -> JerkPlan | None:
        if rng.random() > 0.9 * float(self.habituation.value) ** stim_index:  # type: ignore[operator]
            return None
        chans = rng.choice(list(self.emg), size=int(rng.integers(2, 5)), replace=False)
        bursts = [BurstPlan(str(c), self.response_latency_ms.uniform(rng), self.duration_ms.uniform(rng)) for c in chans]
        return JerkPlan(bursts, "right")


# ====================================================================== none
class NoMyoclonus(Recipe):
    """No myoclonus: background, tonic activity and confounders only (false-positive checks)."""

    origin = "none"
    emg = Cortical.emg
    posture = Cortical.posture
    rate_hz = Param(0.0, "1/s", "no jerks")
    references = {}

    def jerk_times(self, rng: np.random.Generator, duration_s: float, n_jerks: int | None) -> np.ndarray:
        return np.zeros(0)


_RECIPES: dict[str, type[Recipe]] = {
    r.origin: r for r in (Cortical, CorticalSubcortical, Subcortical, SpinalSegmental, Propriospinal, Peripheral, Functional, NoMyoclonus)
}


def get_recipe(origin: str) -> Recipe:
    """A fresh recipe object for ``origin``; unknown origins raise :class:`InputError`."""
    from myoclonus.errors import InputError, did_you_mean

    if origin not in _RECIPES:
        raise InputError(
            f"Invalid value for 'origin'. Allowed values are {', '.join(ORIGINS)}, but got {origin!r} instead.{did_you_mean(origin, ORIGINS)}",
            where="origin",
        )
    return _RECIPES[origin]()
