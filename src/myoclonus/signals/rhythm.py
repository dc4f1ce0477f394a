"""Rhythm of the jerks: inter-jerk intervals, coefficient of variation, dominant frequency, and a
periodicity test.

Periodicity test
----------------
Statistic: the largest value of the point-process periodogram
``P(f) = |sum_k exp(-2 pi i f t_k)|^2 / N`` over ``f`` from ``2 / duration`` to
:data:`MAX_FREQUENCY_HZ`. Null hypothesis: the jerks are a homogeneous **Poisson** process with
the observed rate over the observed duration, i.e. each jerk occurs independently of the others
("irregular, non-rhythmic"). The p-value is the Monte-Carlo rank of the observed maximum among
``n_surrogates`` seeded Poisson surrogates (Davison & Hinkley 1997, ``(1 + r) / (1 + n)``), drawn
sequentially: once :data:`SEQUENTIAL_STOP_EXCEEDANCES` surrogates reach the observed maximum the
test stops with ``p = h / l`` (Besag & Clifford 1991). A strongly periodic train skips the
surrogates: when Hoeffding's bound on the null tail, summed over the frequency grid, shows that
none of them could reach the observed maximum, that bound is reported as the (conservative)
p-value and ``n_surrogates`` is 0.

Why Poisson and not interval shuffling: shuffling keeps the interval distribution, and the
regularity of the intervals is exactly what makes a train rhythmic (segmental myoclonus at
1-2 Hz, propriospinal at 1-7 Hz; CRITERIA 1.1), so a shuffle null would hide it. The price:
a train with a refractory period (no two jerks closer than a few hundred ms) is slightly more
regular than Poisson, so ``rhythmic`` also requires a CV below :data:`RHYTHMIC_MAX_CV`.

References
----------
Bartlett MS. The spectral analysis of point processes. J R Stat Soc B 1963;25:264.
Davison AC, Hinkley DV. Bootstrap Methods and their Application. CUP 1997 (Monte-Carlo p-values).
Besag J, Clifford P. Sequential Monte Carlo p-values. Biometrika 1991;78:301.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field

import numpy as np

from scipy import fft

from myoclonus.errors import InputError

__all__ = ["RhythmResult", "analyse_rhythm"]

#: Highest frequency searched: myoclonus repeats at most at ~7 Hz in propriospinal myoclonus
#: (Brown et al. 1994) and quasi-rhythmic cortical jerks every 50-80 ms (12-20 Hz; Eberhardt &
#: Topka 2017), so 20 Hz covers every reported rhythm.
MAX_FREQUENCY_HZ = 20.0
#: Significance level of the periodicity test (engineering choice).
ALPHA = 0.01
#: Largest CV of the intervals still called rhythmic (engineering choice: a Poisson train has
#: CV = 1; segmental and propriospinal trains reported as "rhythmic" are far below 0.5).
RHYTHMIC_MAX_CV = 0.5
#: Bins of the event train at most (bounds the FFT cost on long recordings: 1 h at 20 Hz fits).
MAX_BINS = 1 << 20
#: Exceedances after which the surrogate test stops (Besag J, Clifford P. Sequential Monte Carlo
#: p-values. Biometrika 1991;78:301): p is then h / l after l surrogates, at least 5/199 = 0.025,
#: far above ALPHA, so the decision is the one all surrogates would give.
SEQUENTIAL_STOP_EXCEEDANCES = 5
#: Surrogates are skipped when the analytic bound makes it this unlikely that any of them reaches the
#: observed peak (engineering choice: 1 in 1000; the bound is then reported as the p-value).
BOUND_SKIP_PROBABILITY = 1e-3
#: Periodogram values computed in one batch of surrogates (memory: 16 bytes each; engineering choice).
SURROGATE_BATCH_VALUES = 1 << 22


@dataclass
class RhythmResult:
    """Rhythm of a train of jerk onsets.

    Attributes
    ----------
    n_events : int
    duration_s : float
        Observation time used for the rate and the surrogates.
    intervals_s : ndarray
        Inter-jerk intervals.
    mean_interval_s, median_interval_s : float
    cv : float
        Coefficient of variation of the intervals (SD / mean; 1 for a Poisson train).
    rate_hz : float
        Jerks per second.
    dominant_hz : float
        Frequency of the periodogram maximum.
    peak_power : float
        Periodogram maximum (mean 1 under the Poisson null).
    p_value : float
        Monte-Carlo p-value against Poisson surrogates.
    rhythmic : bool
        ``p_value < ALPHA`` and ``cv < RHYTHMIC_MAX_CV``.
    method : str
        Description of the test.
    """

    n_events: int
    duration_s: float
    intervals_s: np.ndarray = field(repr=False)
    mean_interval_s: float
    median_interval_s: float
    cv: float
    rate_hz: float
    dominant_hz: float
    peak_power: float
    p_value: float
    rhythmic: bool
    n_surrogates: int
    method: str = "max point-process periodogram vs homogeneous Poisson surrogates"

    def to_dict(self) -> dict:
        """JSON-ready dict (intervals as a list)."""
        d = asdict(self)
        d["intervals_s"] = [float(v) for v in self.intervals_s]
        for k, v in d.items():
            if isinstance(v, (np.floating, np.integer, np.bool_)):
                d[k] = v.item()
        return d


def _surrogate_exceedances(peak: float, n_events: int, duration_s: float, f_lo: float, f_hi: float,
                           n_surrogates: int, seed: int) -> tuple[int, int]:
    """Poisson surrogates whose periodogram maximum reaches ``peak``: (exceedances, surrogates drawn).

    Surrogates are drawn in batches whose FFTs run together on every core
    (``scipy.fft.rfft(workers=-1)``); the loop stops at :data:`SEQUENTIAL_STOP_EXCEEDANCES`
    exceedances (a clearly non-rhythmic train needs a few dozen surrogates, not all).
    """
    dt, n_bins, n_fft, keep = _grid(duration_s, f_lo, f_hi)
    batch = max(1, min(n_surrogates, SURROGATE_BATCH_VALUES // n_fft))
    rng = np.random.default_rng(seed)
    exceed = drawn = 0
    while drawn < n_surrogates and exceed < SEQUENTIAL_STOP_EXCEEDANCES:
        size = min(batch, n_surrogates - drawn)
        counts = np.zeros((size, n_bins))
        for row in counts:
            sur = rng.uniform(0.0, duration_s, size=max(rng.poisson(n_events), 1))
            row += np.bincount(np.clip((sur / dt).astype(np.int64), 0, n_bins - 1), minlength=n_bins)
        power = np.abs(fft.rfft(counts, n=n_fft, axis=1, workers=-1)[:, keep]) ** 2
        for row, total in zip(power, counts.sum(axis=1)):
            drawn += 1
            if float(row.max()) / max(total, 1) >= peak:
                exceed += 1
                if exceed >= SEQUENTIAL_STOP_EXCEEDANCES:
                    break
    return exceed, drawn


def _null_tail_bound(peak: float, n_frequencies: int) -> float:
    """Upper bound of P(max periodogram >= ``peak``) for a Poisson train, over ``n_frequencies``.

    At one frequency the phases of the events are (asymptotically) independent and uniform, so
    Hoeffding's inequality on the real and imaginary sums gives ``P(P(f) >= x) <= 4 exp(-x / 4)``;
    the union over the grid multiplies by its size (no independence needed).
    """
    return float(min(1.0, 4.0 * n_frequencies * np.exp(-peak / 4.0)))


def _grid(duration_s: float, f_lo: float, f_hi: float) -> tuple[float, int, int, np.ndarray]:
    """Bin width, bins, FFT length and the FFT bins within ``[f_lo, f_hi]`` of the periodogram."""
    dt = 1.0 / (8.0 * f_hi)
    n_bins = int(np.ceil(duration_s / dt)) + 1
    n_fft = fft.next_fast_len(2 * n_bins, real=True)
    freqs = np.fft.rfftfreq(n_fft, d=dt)
    return dt, n_bins, n_fft, (freqs >= f_lo) & (freqs <= f_hi)


def _periodogram(times: np.ndarray, duration_s: float, f_lo: float, f_hi: float) -> tuple[np.ndarray, np.ndarray]:
    """Point-process periodogram on ``[f_lo, f_hi]`` via the FFT of finely binned events.

    Bins of ``1 / (8 f_hi)`` keep the binning loss below 3 % at ``f_hi`` (sinc(1/8)); two-fold
    zero padding samples the spectrum at half the Rayleigh resolution ``1 / duration``.
    """
    dt, n_bins, n_fft, keep = _grid(duration_s, f_lo, f_hi)
    counts = np.bincount(np.clip((times / dt).astype(np.int64), 0, n_bins - 1), minlength=n_bins).astype(float)
    spec = fft.rfft(counts, n=n_fft, workers=-1)
    freqs = np.fft.rfftfreq(n_fft, d=dt)
    return freqs[keep], (np.abs(spec[keep]) ** 2) / max(times.size, 1)


#: A sub-harmonic ``f_peak / k`` is the fundamental when its power reaches this fraction of the
#: peak: a regular train has (near) equal periodogram peaks at every harmonic of its rate, so the
#: maximum can fall on a harmonic (engineering choice, the idea of sub-harmonic summation).
SUBHARMONIC_POWER_FRACTION = 0.5
MAX_HARMONIC = 10


def _fundamental(freqs: np.ndarray, power: np.ndarray, k_peak: int) -> float:
    """Frequency of the periodogram peak, moved down to its fundamental when the peak is a harmonic."""
    df = freqs[1] - freqs[0] if freqs.size > 1 else 0.0
    for harmonic in range(MAX_HARMONIC, 1, -1):
        f = freqs[k_peak] / harmonic
        if f < freqs[0] or df == 0.0:
            continue
        lo, hi = np.searchsorted(freqs, [f - 2 * df, f + 2 * df])
        if hi > lo and power[lo:hi].max() >= SUBHARMONIC_POWER_FRACTION * power[k_peak]:
            return float(freqs[lo + int(np.argmax(power[lo:hi]))])
    return float(freqs[k_peak])


def _periodogram_max(times: np.ndarray, duration_s: float, f_lo: float, f_hi: float) -> tuple[float, float]:
    freqs, power = _periodogram(times, duration_s, f_lo, f_hi)
    if power.size == 0:
        return 0.0, float("nan")
    k = int(np.argmax(power))
    return float(power[k]), _fundamental(freqs, power, k)


def analyse_rhythm(onsets_s: np.ndarray, *, duration_s: float | None = None, n_surrogates: int = 199,
                   seed: int = 0) -> RhythmResult:
    """Inter-jerk intervals, CV, dominant frequency and a periodicity test.

    Parameters
    ----------
    onsets_s : array-like
        Jerk onsets in seconds.
    duration_s : float | None
        Observation time (default: from the first to the last onset plus one mean interval).
    n_surrogates : int
        Most Poisson surrogates for the p-value (fewer when the test stops early; see module docstring).
    seed : int
        Seed of the surrogates (results are reproducible).

    Returns
    -------
    RhythmResult
        With fewer than 3 onsets the statistics are NaN and ``rhythmic`` is False.
    """
    t = np.sort(np.asarray(onsets_s, dtype=float).ravel())
    if t.size and not np.all(np.isfinite(t)):
        raise InputError("onsets must be finite numbers of seconds.", where="onsets_s")
    intervals = np.diff(t)
    n = int(t.size)
    if n < 3:
        return RhythmResult(n, float(duration_s or 0.0), intervals, float("nan"), float("nan"), float("nan"),
                            float("nan"), float("nan"), float("nan"), float("nan"), False, 0)
    mean_i = float(intervals.mean())
    if duration_s is None:
        duration_s = float(t[-1] - t[0] + mean_i)
    if duration_s <= 0:
        raise InputError(f"duration_s must be positive, got {duration_s}.", where="duration_s")
    t0 = t - t[0] if duration_s < t[-1] else t
    cv = float(intervals.std(ddof=1) / mean_i) if mean_i > 0 else float("nan")
    f_lo = 2.0 / duration_s
    # bound the FFT size on very long recordings by lowering the top frequency
    f_hi = min(MAX_FREQUENCY_HZ, MAX_BINS / (8.0 * duration_s))
    f_hi = max(f_hi, 2 * f_lo)
    peak, f_dom = _periodogram_max(t0, duration_s, f_lo, f_hi)
    _, _, _, searched = _grid(duration_s, f_lo, f_hi)
    bound = _null_tail_bound(peak, int(np.count_nonzero(searched)))
    if bound * n_surrogates < BOUND_SKIP_PROBABILITY:
        # no surrogate can reach the peak: the bound itself is a (conservative) p-value
        p, drawn = bound, 0
    else:
        exceed, drawn = _surrogate_exceedances(peak, n, duration_s, f_lo, f_hi, n_surrogates, seed)
        # sequential Monte-Carlo p-value (Besag & Clifford 1991): h / l when stopped at the h-th exceedance
        p = exceed / drawn if exceed >= SEQUENTIAL_STOP_EXCEEDANCES else (1 + exceed) / (1 + drawn)
    return RhythmResult(
        n_events=n,
        duration_s=float(duration_s),
        intervals_s=intervals,
        mean_interval_s=mean_i,
        median_interval_s=float(np.median(intervals)),
        cv=cv,
        rate_hz=n / float(duration_s),
        dominant_hz=f_dom,
        peak_power=peak,
        p_value=float(p),
        rhythmic=bool(p < ALPHA and cv < RHYTHMIC_MAX_CV),
        n_surrogates=drawn,
    )
