"""The simulation engine: recipe -> planned events -> signals + ground truth.

Randomness is split into independent streams (one per component, from one seed), so switching a
confounder off never moves a jerk: clean and noisy versions of a seed share the same events.
"""
from __future__ import annotations

import datetime as dt
import logging
import math
import os
from dataclasses import dataclass
from pathlib import Path

import mne
import numpy as np

from myoclonus.errors import InputError
from myoclonus.signals.channels import ChannelInfo
from myoclonus.simulate.acc import ACC_CHANNEL, hand_acceleration
from myoclonus.simulate.confounders import ECG_LEAD_CHANNEL, Confounders, add_confounders, ecg_train
from myoclonus.simulate.confounders import ecg_lead as ecg_lead_uv
from myoclonus.simulate.eeg import add_event, band_noise, eeg_background
from myoclonus.simulate.emg import add_burst, apply_silence, emg_carrier, white_noise
from myoclonus.simulate.events import (
    SILENT_CLEARANCE_S,
    SILENT_MS,
    SILENT_RATE_HZ,
    STIMULUS_CODES,
    PlannedJerk,
    materialise_jerks,
    place_silences,
    place_stimuli,
)
from myoclonus.simulate.muscles import EEG_CHANNELS, channel_info
from myoclonus.simulate.recipes import BETA_BAND_HZ, Param, Recipe, get_recipe
from myoclonus.simulate.truth import (
    GroundTruth,
    TruthBurst,
    TruthEegEvent,
    TruthSilentPeriod,
)
from myoclonus.simulate.write import write_recording

__all__ = ["Simulation", "simulate", "STIMULUS_CODES"]

logger = logging.getLogger(__name__)

#: Fixed recording start so that the same seed gives byte-identical files.
MEAS_DATE = dt.datetime(2000, 1, 1, 8, 0, 0, tzinfo=dt.timezone.utc)

BURST_RMS_UV = Param((60.0, 300.0), "uV", "engineering choice: clinical surface-EMG jerk bursts of 0.1-1 mV peak")
POSTURE_TONIC_UV = Param((30.0, 60.0), "uV", "engineering choice: tonic posture activity in which silences are visible")
ENM_SPIKE_LEAD_MS = Param(30.0, "ms", "EEG spike 20-60 ms before the silence in epileptic negative myoclonus (AAN 2024; Rubboli 2006; CRITERIA 1.6)")
BETA_TONIC_UV = Param((4.0, 8.0), "uV", "engineering choice: tonic hand-muscle activity carrying the beta drive")
BETA_EEG_UV = Param(4.0, "uV", "engineering choice: beta drive amplitude at the contralateral central electrode")


@dataclass
class Simulation:
    """A simulated recording: ``raw`` (mne RawArray, volts), ``truth`` (GroundTruth), ``channels``."""

    raw: mne.io.RawArray
    truth: GroundTruth
    channels: list[ChannelInfo]

    def write(self, path: str | os.PathLike) -> tuple[Path, Path]:
        """Write EDF+ to ``path`` and the sidecar ``<stem>.truth.json``; return both paths."""
        return write_recording(self.raw, self.truth, path)

    def emg_uv(self) -> tuple[np.ndarray, list[str]]:
        """EMG channels as an array in microvolts, with their names."""
        names = self.truth.emg_channels
        return self.raw.get_data(picks=names) * 1e6, list(names)


def _check_args(origin: str, minutes: float, seed: int, sfreq_hz: float, n_jerks: int | None) -> Recipe:
    recipe = get_recipe(origin)
    if not isinstance(minutes, (int, float)) or not math.isfinite(minutes) or not 0.05 <= minutes <= 24 * 60:
        raise InputError(f"expected minutes between 0.05 and 1440, got {minutes!r}", where="minutes")
    if not isinstance(seed, (int, np.integer)) or isinstance(seed, bool) or seed < 0:
        raise InputError(f"expected a non-negative integer seed, got {seed!r}", where="seed")
    if not isinstance(sfreq_hz, (int, float)) or not 250.0 <= sfreq_hz <= 20000.0:
        raise InputError(f"expected a sampling rate between 250 and 20000 Hz, got {sfreq_hz!r}", where="sfreq_hz")
    if n_jerks is not None and (not isinstance(n_jerks, (int, np.integer)) or n_jerks < 0):
        raise InputError(f"expected a non-negative number of jerks, got {n_jerks!r}", where="n_jerks")
    if n_jerks and origin == "none":
        raise InputError("origin 'none' has no jerks; leave n_jerks unset", where="n_jerks")
    return recipe


def simulate(
    origin: str,
    *,
    minutes: float = 2.0,
    seed: int = 0,
    sfreq_hz: float = 2048.0,
    negative: bool = False,
    confounders: Confounders | None = None,
    n_jerks: int | None = None,
    stimuli: bool = True,
    accelerometer: bool = False,
    ecg_lead: bool = False,
) -> Simulation:
    """Simulate a polymyography recording of one myoclonus origin, with its ground truth.

    Parameters
    ----------
    origin : str
        ``cortical``, ``cortical_subcortical``, ``subcortical``, ``spinal_segmental``,
        ``propriospinal``, ``peripheral``, ``functional`` or ``none``.
    minutes : float
        Recording length (rounded up to whole seconds).
    seed : int
        Seed of every random draw; the same arguments give byte-identical files.
    sfreq_hz : float
        Sampling rate in Hz (250-20000).
    negative : bool
        Add negative myoclonus: silent periods of 50-300 ms in tonic posture activity, not
        preceded by a burst (CRITERIA 1.6).
    confounders : Confounders | None
        Confounders to add; default ``Confounders()`` (all on). ``Confounders.off()`` for clean data.
    n_jerks : int | None
        Number of spontaneous jerks; default from the recipe's rate.
    stimuli : bool
        Deliver the recipe's stimuli (median nerve, sounds, facial nerve) with their responses.
    accelerometer : bool
        Add ``ACC R HAND`` (m/s^2, MNE type ``misc``): the right-hand movement following the
        right arm/hand bursts after an electromechanical delay.
    ecg_lead : bool
        Add ``ECG`` (MNE type ``ecg``): a dedicated ECG lead carrying the beats the trunk muscles
        carry (``truth.ecg_r_peaks_s``; when none does, beats drawn for the lead alone, then listed
        there), R wave 1 mV. Its draws come from a stream of their own: the other channels are
        the same with or without it.

    Returns
    -------
    Simulation
        ``.raw`` (EMG ``EMG R FDI``..., EEG 10-20, optional ``ACC R HAND``, ``STIM``), ``.truth``,
        ``.write(path)``.
    """
    recipe = _check_args(origin, minutes, seed, sfreq_hz, n_jerks)
    conf = confounders if confounders is not None else Confounders()
    duration_s = float(max(1, math.ceil(minutes * 60.0 - 1e-9)))
    n_times = int(round(duration_s * sfreq_hz))
    streams = [np.random.default_rng(s) for s in np.random.SeedSequence(int(seed)).spawn(8)]
    rng_plan, rng_stim, rng_neg, rng_emg, rng_eeg, rng_amp, rng_conf, rng_noise = streams

    # ------------------------------------------------------------ events
    recipe.draw_recording(rng_plan)
    jerks = [PlannedJerk(float(t), recipe.plan_jerk(rng_plan, i), "spontaneous") for i, t in enumerate(recipe.jerk_times(rng_plan, duration_s, n_jerks))]
    stim_list = place_stimuli(recipe, rng_stim, duration_s, [j.time_s for j in jerks]) if stimuli else []
    stim_eeg = []
    for k, s in enumerate(stim_list):
        resp = recipe.plan_response(rng_stim, k)
        if resp is not None:
            jerks.append(PlannedJerk(s.onset_s, resp, "stimulus", k))
        stim_eeg += [(s, e) for e in recipe.stimulus_eeg(rng_stim)]
    bursts, jerk_truth, kept = materialise_jerks(jerks, sfreq_hz, duration_s)

    emg_names = list(recipe.emg)
    eeg_names = list(EEG_CHANNELS)
    silent: list[TruthSilentPeriod] = []
    silent_times: list[tuple[float, float]] = []
    if negative:
        silent_times = place_silences(rng_neg, duration_s, bursts)
        silent = [TruthSilentPeriod(channel=c, onset_s=round(a, 6), offset_s=round(b, 6)) for a, b in silent_times for c in recipe.posture]

    # ------------------------------------------------------------ EMG
    tonic = np.zeros((len(emg_names), n_times))
    t = np.arange(n_times) / sfreq_hz
    beta = None
    if recipe.origin == "cortical":
        beta = band_noise(rng_eeg, n_times, sfreq_hz, (BETA_BAND_HZ.lo, BETA_BAND_HZ.hi))
    for i, ch in enumerate(emg_names):
        # every draw happens whatever the switches, so the random streams stay aligned
        posture_level, beta_level = POSTURE_TONIC_UV.uniform(rng_emg), BETA_TONIC_UV.uniform(rng_emg)
        has_tonic, tonic_level = rng_emg.random() < 0.4, float(rng_emg.uniform(3.0, 10.0))
        slow_hz, slow_phase = rng_emg.uniform(0.05, 0.3), rng_emg.uniform(0, 2 * np.pi)
        level = 0.0
        if negative and ch in recipe.posture:
            level = posture_level
        elif beta is not None and ch in ("EMG R FDI", "EMG R ECR", "EMG R FCR"):
            level = beta_level
        elif conf.tonic and has_tonic:
            level = tonic_level
        if level:
            tonic[i] = level * (1.0 + 0.2 * np.sin(2 * np.pi * slow_hz * t + slow_phase))
            if beta is not None and ch in ("EMG R FDI", "EMG R ECR", "EMG R FCR"):
                tonic[i] *= np.clip(1.0 + 0.35 * beta, 0.5, 1.6)  # beta drive depth: engineering choice
    for a, b in silent_times:
        for ch in recipe.posture:
            apply_silence(tonic[emg_names.index(ch)], sfreq_hz, a, b)

    background_rms = np.sqrt(conf.noise_floor_uv**2 + np.mean(tonic**2, axis=1))
    burst_env = np.zeros_like(tonic)
    lo_clean, hi = BURST_RMS_UV.lo, BURST_RMS_UV.hi
    final_bursts: list[TruthBurst] = []
    discharge = recipe.references.get("repetitive_discharge_hz")
    for b, gain in bursts:
        i = emg_names.index(b.channel)
        u = rng_amp.random()
        lo = conf.min_burst_snr * background_rms[i] if conf.amplitude_spread else lo_clean
        top = max(hi * gain, lo * 1.5)
        rms = float(np.exp(np.log(lo) + u * (np.log(top) - np.log(lo))))
        f_dis = discharge.uniform(rng_amp) if discharge is not None else None
        on, off = add_burst(burst_env[i], sfreq_hz, b.onset_s, b.offset_s - b.onset_s, rms, discharge_hz=f_dis)
        final_bursts.append(b.model_copy(update={"onset_s": round(on, 6), "offset_s": round(off, 6), "rms_uv": round(rms, 3)}))
    emg = np.empty((len(emg_names), n_times))
    for i in range(len(emg_names)):
        emg[i] = emg_carrier(rng_emg, n_times, sfreq_hz) * (tonic[i] + burst_env[i]) + white_noise(rng_noise, n_times, conf.noise_floor_uv)

    # ------------------------------------------------------------ EEG
    eeg = eeg_background(rng_eeg, n_times, sfreq_hz, eeg_names)
    eeg_events: list[TruthEegEvent] = []
    if beta is not None:
        eeg[eeg_names.index("C3")] += BETA_EEG_UV.value * beta  # type: ignore[operator]
        eeg[eeg_names.index("FC3")] += 0.5 * BETA_EEG_UV.value * beta  # type: ignore[operator]
    for j_idx, j in kept:
        for e in j.plan.eeg:
            lead = -e.offset_ms if e.kind == "bereitschaftspotential" else 0.0
            when = j.time_s + e.offset_ms * 1e-3
            ref_time = j.time_s if e.kind == "bereitschaftspotential" else when
            add_event(eeg, eeg_names, sfreq_hz, ref_time, e.kind, e.weights, e.amplitude_uv, lead_ms=lead)
            eeg_events.append(TruthEegEvent(kind=e.kind, time_s=round(when, 6), channels=list(e.weights), amplitude_uv=round(e.amplitude_uv, 3), jerk=j_idx))  # type: ignore[arg-type]
    for s, e in stim_eeg:
        amp = e.amplitude_uv * float(rng_stim.uniform(0.9, 1.1))
        add_event(eeg, eeg_names, sfreq_hz, s.onset_s, e.kind, e.weights, amp)
        eeg_events.append(TruthEegEvent(kind=e.kind, time_s=s.onset_s, channels=list(e.weights), amplitude_uv=round(amp, 3), stimulus=s.index))  # type: ignore[arg-type]
    if negative and recipe.origin == "cortical":
        lead = float(ENM_SPIKE_LEAD_MS.value)  # type: ignore[arg-type]
        for a, _b in silent_times:
            when = a - lead * 1e-3
            add_event(eeg, eeg_names, sfreq_hz, when, "negative_myoclonus_spike", {"C3": 1.0, "FC3": 0.6, "Cz": 0.3}, 20.0)
            eeg_events.append(TruthEegEvent(kind="negative_myoclonus_spike", time_s=round(when, 6), channels=["C3", "FC3", "Cz"], amplitude_uv=20.0))
    eeg_events.sort(key=lambda e: e.time_s)

    # ------------------------------------------------------------ confounders
    extra = add_confounders(conf, rng_conf, emg, eeg, emg_names, sfreq_hz, duration_s, final_bursts, silent)

    # ------------------------------------------------------------ assemble
    ch_names = emg_names + eeg_names
    data = [emg * 1e-6, eeg * 1e-6]
    ch_types = ["emg"] * len(emg_names) + ["eeg"] * len(eeg_names)
    if accelerometer:
        data.append(hand_acceleration(np.random.default_rng(np.random.SeedSequence(int(seed)).spawn(9)[8]), n_times, sfreq_hz, final_bursts)[None, :])
        ch_names.append(ACC_CHANNEL)
        ch_types.append("misc")
    if ecg_lead:
        rng_lead = np.random.default_rng(np.random.SeedSequence(int(seed)).spawn(10)[9])
        if not extra["ecg_r_peaks_s"]:  # no trunk channel carries ECG: the heart beats all the same
            _, peaks = ecg_train(rng_lead, n_times, sfreq_hz, float(rng_lead.uniform(55.0, 95.0)))
            extra["ecg_r_peaks_s"] = [round(float(x), 6) for x in peaks]
        lead = ecg_lead_uv(rng_lead, extra["ecg_r_peaks_s"], n_times, sfreq_hz, conf, extra["mains_hz"])
        data.append(lead[None, :] * 1e-6)
        ch_names.append(ECG_LEAD_CHANNEL)
        ch_types.append("ecg")
    if stim_list:
        stim = np.zeros((1, n_times))
        width = max(1, int(round(1e-3 * sfreq_hz)))
        for s in stim_list:
            i0 = int(round(s.onset_s * sfreq_hz))
            stim[0, i0 : i0 + width] = s.code
        data.append(stim)
        ch_names.append("STIM")
        ch_types.append("stim")
    info = mne.create_info(ch_names, sfreq_hz, ch_types, verbose="error")
    raw = mne.io.RawArray(np.concatenate(data), info, verbose="error")
    raw.set_meas_date(MEAS_DATE)
    if stim_list:
        raw.set_annotations(mne.Annotations([s.onset_s for s in stim_list], [0.0] * len(stim_list),
                                            [f"stim/{s.kind}" for s in stim_list], orig_time=MEAS_DATE))

    params = recipe.parameters()
    params["burst_rms_uv"] = BURST_RMS_UV.as_truth()
    if negative:
        params.update(silent_ms=SILENT_MS.as_truth(), silent_rate_hz=SILENT_RATE_HZ.as_truth(), silent_clearance_s=SILENT_CLEARANCE_S.as_truth(),
                      posture_tonic_uv=POSTURE_TONIC_UV.as_truth(), posture_channels=Param(list(recipe.posture), "", "recipe posture muscles").as_truth())  # type: ignore[arg-type]
    truth = GroundTruth(
        origin=recipe.origin, negative=negative, seed=int(seed), sfreq_hz=float(sfreq_hz), duration_s=duration_s,
        mains_hz=extra["mains_hz"], heart_rate_bpm=extra["heart_rate_bpm"], ecg_channels=extra["ecg_channels"], ecg_r_peaks_s=extra["ecg_r_peaks_s"],
        emg_channels=emg_names, eeg_channels=eeg_names,
        bursts=sorted(final_bursts, key=lambda b: (b.onset_s, b.channel)), silent_periods=sorted(silent, key=lambda s: (s.onset_s, s.channel)),
        jerks=jerk_truth, eeg_events=eeg_events, stimuli=stim_list, artefacts=extra["artefacts"], parameters=params,
        confounders=conf.model_dump(),
    )
    channels = [channel_info(c) for c in ch_names]
    logger.info("simulated %s: %d jerks, %d bursts, %d silent periods, %d stimuli", origin, len(jerk_truth), len(final_bursts), len(silent), len(stim_list))
    return Simulation(raw=raw, truth=truth, channels=channels)
