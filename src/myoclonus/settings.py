"""Analysis parameters, one validated object, units in every name, source beside every default.

Each stage reads its own section (``settings.bursts``, ``settings.silent`` ...). Defaults come
from ``CRITERIA.md`` (the project's compiled literature); a value with no literature source is
marked ``engineering choice`` and says why.
"""
from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "ConditioningSettings",
    "BurstSettings",
    "SilentPeriodSettings",
    "JerkSettings",
    "OriginSettings",
    "SleepSettings",
    "ChunkSettings",
    "AnalysisSettings",
]


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ConditioningSettings(_Section):
    """EMG conditioning before detection."""

    highpass_hz: float = Field(20.0, gt=0, description="Surface-EMG high-pass; removes movement artefact and most ECG energy (engineering choice, SENIAM-style 10-20 Hz).")
    lowpass_hz: float = Field(450.0, gt=0, description="Upper EMG band edge, clipped to 0.45 x sampling rate (engineering choice).")
    notch_auto: bool = Field(True, description="Detect 50/60 Hz mains and its harmonics in the data instead of assuming them.")
    envelope_ms: float = Field(5.0, gt=0, description="Envelope smoothing window; short enough to keep onsets within a few ms (engineering choice).")
    filter_order: int = Field(2, ge=1, le=8, description="Butterworth order of the high-pass and of the low-pass (engineering choice: order 4 rings ~30 ms after strong bursts and lengthens them; order 2 rings ~10 ms; slow movement leaking through is rejected by its waveform).")
    lowpass_max_fraction: float = Field(0.45, gt=0, lt=0.5, description="Upper band edge never above this fraction of the sampling rate (engineering choice: stays below Nyquist at any rate >= 500 Hz).")
    mains_probe_s: float = Field(60.0, gt=0, description="Seconds at the start of the recording used to find the mains frequency, once per recording so chunked and one-shot runs agree (engineering choice).")


class BurstSettings(_Section):
    """Positive myoclonus: EMG bursts."""

    min_burst_ms: float = Field(10.0, gt=0, description="Shortest burst kept; typical myoclonic bursts are 10-50 ms (Eberhardt & Topka, Brain Sci 2017;7:103).")
    max_burst_ms: float = Field(1500.0, gt=0, description="Longest burst kept as a jerk component; essential/M-D bursts reach 1.5 s (CRITERIA 1.1, textbook table, unverified).")
    merge_gap_ms: float = Field(10.0, ge=0, description="Bursts closer than this are one burst (engineering choice; cortical repetitive bursts are ~20 ms apart, Brown & Marsden 1996, so the gap must stay below 20 ms).")
    onset_threshold_sd: float = Field(7.0, gt=0, description="Detection threshold: the envelope averaged over min_burst_ms must exceed the robust background by this many robust SD (engineering choice: on 300 s of band-passed Gaussian noise at 500-5000 Hz, 7 SD gives at most 1 false crossing, 5 SD gives 16-65).")
    onset_min_ratio: float = Field(3.0, ge=1, description="The detection envelope must also exceed this multiple of the background mean, so amplitude fluctuations of tonic activity (e.g. beta-modulated posture EMG) are not bursts (engineering choice, measured on the project simulator: 2.5 lets modulated tonic peaks through, 3 keeps bursts of >= 4x background RMS).")
    relative_level: float = Field(0.1, ge=0, lt=1, description="Onset and offset also require the envelope above this fraction of the burst's own peak, so filter tails of strong bursts are not counted as burst (engineering choice, tuned on synthetic data with exact truth).")
    offset_threshold_sd: float = Field(2.0, gt=0, description="Lower hysteresis level: a burst extends while its envelope stays above background + this many SD (engineering choice, Hodges & Bui 1996 style; tuned on synthetic data).")


class SilentPeriodSettings(_Section):
    """Negative myoclonus: silent periods in tonic EMG (CRITERIA 1.6)."""

    min_silent_ms: float = Field(50.0, gt=0, description="EPM1 silent periods 50-300 ms (Finnish MDS abstract, CRITERIA 1.6).")
    max_silent_ms: float = Field(300.0, gt=0, description="EPM1 silent periods 50-300 ms (Finnish MDS abstract, CRITERIA 1.6).")
    no_preceding_burst_ms: float = Field(50.0, ge=0, description="No positive burst within this time before the silence (Rubboli et al., Neurophysiol Clin 2006;36:337).")
    silent_envelope_ms: float = Field(20.0, gt=0, description="Envelope window used to find silences; shorter than the 50-ms shortest silence (engineering choice).")
    silence_fraction: float = Field(0.35, gt=0, lt=1, description="A silence is where the envelope stays below this fraction of the local tonic level (engineering choice; CRITERIA 1.6 asks for a baseline-relative threshold).")
    tonic_contrast: float = Field(3.0, gt=1, description="Tonic activity before and after must be at least this many times the level inside the silence (engineering choice implementing 'tonically active before and after', CRITERIA 1.6).")


class JerkSettings(_Section):
    """Grouping bursts across muscles into jerks."""

    max_spread_ms: float = Field(150.0, gt=0, description="Bursts whose onsets fall within this window of the first are one jerk; startle reflex spans 20-150 ms (van der Veen 2022; Dreissen 2012).")


class OriginSettings(_Section):
    """Cut-offs used by the origin estimate (CRITERIA 1.1, 8)."""

    cortical_burst_cutoff_ms: float = Field(45.0, gt=0, description="Best single cut-off cortical vs non-cortical, 100% sens / 89.5% spec (van der Veen et al. 2024, secondary).")
    cortical_burst_max_ms: float = Field(50.0, gt=0, description="Cortical bursts 10-50 ms (Eberhardt & Topka 2017).")
    functional_burst_min_ms: float = Field(70.0, gt=0, description="Functional jerks usually > 70 ms (Pal, J Mov Disord 2011;4:21, Table 3).")
    brainstem_burst_min_ms: float = Field(100.0, gt=0, description="Brainstem myoclonus bursts > 100 ms (1996 Wiley-Liss review; CRITERIA 1.1).")
    min_bursts_for_duration: int = Field(10, ge=1, description=">= 10 random bursts per patient suffice (van der Veen et al. 2024, secondary).")
    jlba_min_epochs: int = Field(50, ge=1, description="JLBA averages 50-200 epochs (Latorre et al. 2023, secondary).")
    coherence_band_hz: tuple[float, float] = Field((12.0, 30.0), description="Beta CMC band (Caviness et al., Mov Disord 2003;18:1157).")
    bp_window_s: tuple[float, float] = Field((-2.0, 0.5), description="BP back-averaging window (CRITERIA 1.5; Terada 1995: onset 0.7-2.1 s before the jerk).")
    significance_alpha: float = Field(0.01, gt=0, lt=1, description="Significance level of each EEG test (JLBA, BP, coherence band). Engineering choice: three EEG tests per recording, 0.05/3 ~ 0.017 rounded down to 0.01 so each test's false-positive rate stays well under 5%.")
    jlba_window_ms: tuple[float, float] = Field((-200.0, 100.0), description="JLBA epoch around the EMG onset (engineering choice: covers the premyoclonic potential ~20 ms before hand-muscle onset, J Clin Neurophysiol 1992;9:495).")
    jlba_baseline_ms: tuple[float, float] = Field((-200.0, -100.0), description="JLBA baseline, before any premyoclonic potential (engineering choice).")
    jlba_search_ms: tuple[float, float] = Field((-100.0, 0.0), description="Where the premyoclonic potential is sought: cortical 20-40 ms (J Clin Neurophysiol 1992;9:495; van der Veen 2022 T1: AD 20-40 ms), CJD discharges 50-85 ms before the jerk (van der Veen 2022 T1).")
    jlba_band_hz: tuple[float, float] = Field((1.0, 70.0), description="EEG band-pass before JLBA (engineering choice: keeps a ~20 ms spike, removes drifts and slow BP-like shifts).")
    jlba_reject_uv: float = Field(200.0, gt=0, description="Epoch rejected when any EEG channel's peak-to-peak exceeds this (engineering choice, artefact rejection).")
    jlba_surrogates: int = Field(200, ge=20, description="Random-trigger surrogate averages for the JLBA significance test (engineering choice; smallest p = 1/201).")
    jlba_split_half_min_r: float = Field(0.3, ge=-1, le=1, description="Odd/even split-half correlation of the average in the search window required to call a potential consistent (engineering choice).")
    bp_baseline_s: float = Field(0.5, gt=0, description="BP baseline length at the window start (CRITERIA 1.5: baseline at the start of the window; 0.5 s length is an engineering choice: lower noise than 0.2 s on 1/f EEG, tuned on tuning seeds).")
    bp_late_window_s: tuple[float, float] = Field((-0.5, -0.05), description="Window whose mean negativity is tested (engineering choice: BP is largest just before the movement, Terada 1995; ends 50 ms before onset to avoid the premyoclonic spike).")
    bp_clean_s: float = Field(2.5, gt=0, description="A jerk is usable for the BP only when no other jerk falls in the preceding window (2 s window + 0.5 s margin; engineering choice).")
    bp_min_epochs: int = Field(20, ge=3, description="Fewest clean epochs to assess a BP. CRITERIA 1.5 says 'often >= 40 [unverified]'; engineering choice 20, the t-test guards against false positives at low counts.")
    bp_lowpass_hz: float = Field(30.0, gt=0, description="EEG low-pass before BP averaging; no high-pass so the slow shift is kept (engineering choice; case report used 0.05-70 Hz, CRITERIA 1.5).")
    bp_reject_uv: float = Field(250.0, gt=0, description="BP epoch rejected when its ROI peak-to-peak exceeds this (engineering choice).")
    coherence_segment_s: float = Field(0.512, gt=0, description="Welch segment length, disjoint segments (Caviness et al., Mov Disord 2003;18:1157: 511-ms epochs, rectified EMG).")
    sep_window_ms: tuple[float, float] = Field((-20.0, 100.0), description="SEP epoch around each stimulus (engineering choice: contains N20, P25, N33).")
    c_reflex_window_ms: tuple[float, float] = Field((25.0, 80.0), description="Where a C-reflex onset is sought in hand muscles: cortical C-reflex ~40 ms, normal long-latency reflex 49-51 ms (CRITERIA 1.1; Podivinsky 1989).")
    stimulus_response_max_ms: float = Field(500.0, gt=0, description="A burst starting within this time after a stimulus counts as its response (engineering choice; functional latencies > 100 ms and variable, Thompson 1992).")
    eeg_budget_samples: int = Field(30_000_000, ge=1_000_000, description="Most EEG/EMG samples (channels x times) loaded for JLBA/BP/coherence/SEP; longer recordings use their first part and say so (engineering choice: bounded memory, float64 ~240 MB).")


class SleepSettings(_Section):
    """Sleep-related motor events (CRITERIA 5)."""

    rules: str = Field("wasm2016", pattern="^(wasm2016|aasm)$", description="Leg-movement rules: WASM 2016 (Ferri et al.) or AASM v2.5 (Berry et al. 2018).")
    fm_min_amplitude_uv: float = Field(50.0, gt=0, description="Fragmentary-myoclonus potential amplitude cut-off: standard FMI50 (50 uV, Lins criteria); 25 uV gives FMI25 (Trimmel et al., Clin Neurophysiol 2019; CRITERIA 5.2). Rule constants: myoclonus.signals.sleep.rules.")
    auto_stage: bool = Field(True, description="Stage automatically with YASA (Vallat & Walker, eLife 2021) when the PSG has no hypnogram and has EEG.")


class ChunkSettings(_Section):
    """Chunked processing of long recordings (bounded memory)."""

    chunk_s: float = Field(600.0, gt=0, description="Longest core of a chunk, in seconds (engineering choice: with 20-s overlaps a 600-s core adds 7 % of work, a 300-s core 13 %).")
    max_chunk_samples: int = Field(20_000_000, gt=0, description="Most samples (channels x time, overlaps included) in one chunk; the core is shortened to fit, which bounds memory whatever the channel count and sampling rate (engineering choice: 80 MB of float32, 16 channels at 2048 Hz get 570-s cores, at 5 kHz 210 s; peak of a first run, kernels compiling, on a 2-h 16-channel 2048-Hz EDF: 948 MB with 24 M, 915 MB with 20 M; 772 and 753 MB once compiled).")
    overlap_s: float = Field(20.0, ge=0, description="Overlap on each side: longer than the filter settling, the 5-s background median, the ECG beat neighbourhood (+-4 s to recognise a beat, +-6 beats for its template) and any event; with 10 s ECG templates near chunk edges differed (measured), with 20 s chunked and one-shot agree to float32 rounding (engineering choice).")
    n_threads: int = Field(1, ge=1, description="Channels processed in parallel threads (NumPy/SciPy release the GIL); one recording on one core by default (DESIGN.md, Scale).")


class AnalysisSettings(_Section):
    """All parameters of one analysis run."""

    conditioning: ConditioningSettings = ConditioningSettings()
    bursts: BurstSettings = BurstSettings()
    silent: SilentPeriodSettings = SilentPeriodSettings()
    jerks: JerkSettings = JerkSettings()
    origin: OriginSettings = OriginSettings()
    sleep: SleepSettings = SleepSettings()
    chunks: ChunkSettings = ChunkSettings()
