"""The compiled kernels against straightforward NumPy/SciPy formulations of the same steps."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import signal

from myoclonus.signals import kernels

SFREQ = 2048.0


def _band_pass_sos(order: int = 2) -> np.ndarray:
    return np.vstack([signal.butter(order, 20.0, btype="highpass", fs=SFREQ, output="sos"),
                      signal.butter(order, 450.0, btype="lowpass", fs=SFREQ, output="sos")])


def _resonators(freqs_hz) -> np.ndarray:
    return np.vstack([signal.tf2sos(*signal.iirpeak(f, 30.0, fs=SFREQ)) for f in freqs_hz]) if freqs_hz else np.zeros((0, 6))


def _group(a):
    """``a`` (one channel's parameters) repeated for the kernel's group of channels."""
    return np.ascontiguousarray(np.broadcast_to(a, (kernels.GROUP, *np.shape(a))))


def _condition(x, sos, res, pad, block, clip_sd, stride, delay=0):
    """One channel through the multi-channel kernel (the group repeats it)."""
    if sos.shape[0] % 2:
        sos = np.vstack((sos, [1.0, 0.0, 0.0, 1.0, 0.0, 0.0]))
    y = np.zeros((kernels.GROUP, x.size), np.float32)
    kernels.condition_emg(x[None, :], np.zeros(kernels.GROUP, np.int64), pad, x.size, delay, sos,
                          np.zeros((kernels.GROUP, sos.shape[0], 2)), _group(res), np.zeros((kernels.GROUP, res.shape[0], 2)),
                          block, clip_sd, stride, y)
    assert all(np.array_equal(y[0], row) for row in y[1:])  # the same channel four times
    return y[0]


def _reference(x, sos, res, block, clip_sd, start=0):
    """The same conditioning written with scipy.signal.sosfilt over the whole signal, one harmonic
    at a time, with the block medians taken over every sample."""
    y = signal.sosfilt(sos, x.astype(np.float64))
    head, u = y[:start], y[start:].copy()
    for sec in res:
        sec = sec[None, :]
        m1 = signal.sosfilt(sec, u)
        resid = u - m1
        clipped = np.empty_like(resid)
        for lo in range(0, u.size, block):
            level = 1.4826 * clip_sd * np.median(np.abs(resid[lo:lo + block]))
            clipped[lo:lo + block] = np.clip(resid[lo:lo + block], -level, level)
        u = u - signal.sosfilt(sec, m1 + clipped)
    return np.concatenate((head, u))


def test_band_pass_matches_scipy_sosfilt_for_every_order():
    x = np.random.default_rng(0).normal(0.0, 10.0, 10_000).astype(np.float32)
    for order in (1, 2, 3, 4):
        sos = _band_pass_sos(order)
        y = _condition(x, sos, np.zeros((0, 6)), 0, 2048, 4.0, 1)
        np.testing.assert_allclose(y, signal.sosfilt(sos, x.astype(np.float64)), rtol=1e-5, atol=1e-4)


def test_mains_subtraction_matches_the_blockwise_reference():
    rng = np.random.default_rng(1)
    t = np.arange(int(6 * SFREQ)) / SFREQ
    x = rng.normal(0.0, 5.0, t.size) + 80.0 * np.sin(2 * np.pi * 50.0 * t) + 20.0 * np.sin(2 * np.pi * 150.0 * t)
    x[int(2.5 * SFREQ):int(2.6 * SFREQ)] += rng.normal(0.0, 300.0, int(0.1 * SFREQ))  # a burst
    x = x.astype(np.float32)
    sos, res = _band_pass_sos(), _resonators((50.0, 150.0))
    block = int(SFREQ)
    y = _condition(x, sos, res, 0, block, 4.0, 1)
    ref = _reference(x, sos, res, block, 4.0)
    np.testing.assert_allclose(y, ref, rtol=1e-4, atol=1e-3)
    # a mirrored warm-up is only band-passed and dropped, the blocks start after it; the delay advances the output
    pad, delay = 700, 9
    y2 = _condition(x, sos, res, pad, block, 4.0, 1, delay)
    ref = _reference(np.concatenate((x[pad:0:-1], x)), sos, res, block, 4.0, pad)[pad:]
    np.testing.assert_allclose(y2[: x.size - delay], ref[delay:], rtol=1e-4, atol=1e-3)
    assert not y2[x.size - delay:].any()


def test_channels_side_by_side_equal_one_at_a_time():
    """Channels with different harmonics (zero rows pad the shorter lists) give what each gives alone."""
    rng = np.random.default_rng(4)
    t = np.arange(int(4 * SFREQ)) / SFREQ
    amps = (0.0, 40.0, 90.0, 20.0)
    x = np.vstack([rng.normal(0.0, 5.0, t.size) + a * np.sin(2 * np.pi * 50.0 * t) for a in amps]).astype(np.float32)
    sos = _band_pass_sos()
    lines = [(), (50.0,), (50.0, 150.0), (150.0,)]
    res = np.zeros((4, 2, 6))
    for c, f in enumerate(lines):
        if f:
            res[c, : len(f)] = _resonators(f)
    zi = rng.normal(0.0, 1.0, (4, 2, 2))
    res_zi = rng.normal(0.0, 1.0, (4, 2, 2)) * (res[:, :, :1] != 0)
    n_in = x.shape[1] - 500
    together = np.zeros((4, n_in), np.float32)
    kernels.condition_emg(x, np.arange(4, dtype=np.int64), 300, n_in, 7, sos, zi.copy(), res, res_zi, 2048, 4.0, 8, together)
    for c, f in enumerate(lines):
        k = len(f)
        alone = np.zeros((4, n_in), np.float32)
        kernels.condition_emg(x, np.full(4, c, np.int64), 300, n_in, 7, sos, _group(zi[c]), _group(res[c, :k]),
                              _group(res_zi[c, :k]), 2048, 4.0, 8, alone)
        np.testing.assert_allclose(together[c], alone[0], rtol=1e-6, atol=1e-5)


def test_apply_filters_matches_apply_filter_per_channel():
    """Any number of channels (groups padded), an odd band-pass cascade, the warm start."""
    from myoclonus.settings import ConditioningSettings
    from myoclonus.signals.conditioning import apply_filter, apply_filters, design_emg_filter

    rng = np.random.default_rng(5)
    t = np.arange(int(5 * SFREQ)) / SFREQ
    x = np.vstack([rng.normal(0.0, 5.0, t.size) + 30.0 * k * np.sin(2 * np.pi * 50.0 * t) for k in range(6)])
    for order in (1, 2):
        cond = ConditioningSettings(filter_order=order)
        filters = [design_emg_filter(SFREQ, cond, (50.0,) if k % 2 else ()) for k in range(6)]
        for start in (True, False):
            many = apply_filters(x, filters, block=2048, at_recording_start=start)
            assert many.shape == x.shape
            for k in range(6):
                np.testing.assert_array_equal(many[k], apply_filter(x[k], filters[k], block=2048, at_recording_start=start))


def test_mains_clip_level_from_a_subsample_stays_close():
    rng = np.random.default_rng(2)
    t = np.arange(int(10 * SFREQ)) / SFREQ
    x = (rng.normal(0.0, 5.0, t.size) + 50.0 * np.sin(2 * np.pi * 50.0 * t)).astype(np.float32)
    sos, res = _band_pass_sos(), _resonators((50.0,))
    full = _condition(x, sos, res, 0, 2048, 4.0, 1)
    sub = _condition(x, sos, res, 0, 2048, 4.0, 8)
    settled = slice(int(3 * SFREQ), None)  # after the resonators' start-up from rest (clipped hard)
    assert np.std(full[settled] - sub[settled]) < 0.01 * np.std(full[settled])


@settings(max_examples=60, deadline=None)
@given(n=st.integers(1, 700), block=st.integers(1, 300), windows=st.lists(st.integers(1, 120), min_size=1, max_size=4),
       seed=st.integers(0, 10_000))
def test_rectified_moving_averages_match_a_boxcar_with_shrinking_edges(n, block, windows, seed):
    """Whatever the block (the kernel sums block by block, with margins) and the windows (longer
    than the signal included: then the row is |y|)."""
    y = np.random.default_rng(seed).normal(0.0, 1.0, n).astype(np.float32)
    out, sum_squares = kernels.rectified_moving_averages(y, np.array(windows, np.int64), block)
    r = np.abs(y.astype(np.float64))
    for row, w in zip(out, windows):
        h = w // 2
        ref = r if w <= 1 or n <= w else np.array([r[max(i - h, 0):min(i - h + w, n)].mean() for i in range(n)])
        np.testing.assert_allclose(row, ref, rtol=1e-5, atol=1e-6)
    ref_sq = [np.sum(r[i:i + block] ** 2) for i in range(0, n, block)]
    np.testing.assert_allclose(sum_squares, ref_sq, rtol=1e-12)


def _runs_reference(envs, lows, env_d, high, block):
    idx = np.arange(env_d.size) // block
    active = np.zeros(env_d.size, bool)
    for e, low in zip(envs, lows):
        active |= e > low[idx]
    d = np.diff(np.concatenate(([0], active.astype(np.int8), [0])))
    starts, stops = np.flatnonzero(d == 1), np.flatnonzero(d == -1)
    keep = [bool(np.any(env_d[a:b] - high[idx[a:b]] > 0)) for a, b in zip(starts, stops)]
    return np.column_stack((starts, stops))[np.asarray(keep, bool)] if starts.size else np.empty((0, 2), int)


@settings(max_examples=60, deadline=None)
@given(n_env=st.integers(1, 3), n=st.integers(1, 400), block=st.integers(1, 64), seed=st.integers(0, 10_000))
def test_candidate_runs_match_the_numpy_formulation(n_env, n, block, seed):
    rng = np.random.default_rng(seed)
    envs = rng.random((n_env, n)).astype(np.float32)
    n_blocks = -(-n // block)
    lows = rng.uniform(0.3, 0.9, (n_env, n_blocks)).astype(np.float32)
    high = rng.uniform(0.5, 1.0, n_blocks).astype(np.float32)
    got = kernels.candidate_runs(envs, lows, envs[-1].copy(), high, block)
    np.testing.assert_array_equal(got, _runs_reference(envs, lows, envs[-1], high, block))


@settings(max_examples=60, deadline=None)
@given(n=st.integers(1, 400), block=st.integers(1, 64), seed=st.integers(0, 10_000))
def test_runs_below_match_the_numpy_formulation(n, block, seed):
    rng = np.random.default_rng(seed)
    env = rng.random(n).astype(np.float32)
    level = rng.uniform(0.1, 0.9, -(-n // block)).astype(np.float32)
    below = (env < np.repeat(level, block)[:n]).astype(np.int8)
    d = np.diff(np.concatenate(([0], below, [0])))
    ref = np.column_stack((np.flatnonzero(d == 1), np.flatnonzero(d == -1)))
    np.testing.assert_array_equal(kernels.runs_below(env, level, block), ref.reshape(-1, 2))


def _clipping_reference(x, block, min_run):
    """Maximal runs of >= min_run equal samples whose value is a rail of the block where they start."""
    out, i = [], 0
    while i < x.size:
        j = i + 1
        while j < x.size and x[j] == x[i]:
            j += 1
        seg = x[(i // block) * block:(i // block + 1) * block]
        if j - i >= min_run and seg.max() != seg.min() and x[i] in (seg.max(), seg.min()):
            out.append((i, j))
        i = j
    return np.asarray(out, int).reshape(-1, 2)


@settings(max_examples=80, deadline=None)
@given(n=st.integers(1, 300), block=st.integers(1, 50), levels=st.integers(2, 5), seed=st.integers(0, 10_000))
def test_clipped_runs_match_the_reference(n, block, levels, seed):
    x = np.random.default_rng(seed).integers(0, levels, n).astype(np.float32)  # few levels: many equal runs
    from myoclonus.signals.artefacts import find_clipping

    np.testing.assert_array_equal(find_clipping(x, block), _clipping_reference(x, block, 3))


@settings(max_examples=80, deadline=None)
@given(n=st.integers(1, 300), block=st.integers(1, 50), dtype=st.sampled_from([np.float32, np.float64]),
       bad=st.sampled_from([None, np.nan, -np.nan, np.inf, -np.inf]), seed=st.integers(0, 10_000))
def test_clipping_and_finiteness_match_the_reference(n, block, dtype, bad, seed):
    """Both float widths, signed zeros and negative rails (the extremes come from integer order
    keys of the bits), and the finiteness flag of the same pass."""
    from myoclonus.signals.artefacts import clipping_and_finiteness

    rng = np.random.default_rng(seed)
    x = rng.choice(np.array([-2.5, -1.0, -0.0, 0.0, 1.0], dtype), n)
    runs, finite = clipping_and_finiteness(x, block)
    assert finite
    np.testing.assert_array_equal(runs, _clipping_reference(x, block, 3))
    if bad is not None:
        x[rng.integers(0, n)] = bad
        assert not clipping_and_finiteness(x, block)[1]


@settings(max_examples=80, deadline=None)
@given(n=st.integers(3, 400), block=st.integers(1, 60), distance=st.integers(1, 30), levels=st.integers(3, 50),
       seed=st.integers(0, 10_000))
def test_peaks_above_match_scipy_find_peaks(n, block, distance, levels, seed):
    from scipy.signal import find_peaks

    rng = np.random.default_rng(seed)
    env = (rng.integers(0, levels, n) / levels).astype(np.float32)  # few levels: flat tops happen
    if distance > 1:  # equal peaks would be thinned in sort order, which differs: make them unequal
        env += rng.random(n).astype(np.float32) * np.float32(1e-3)
    level = rng.uniform(0.0, 0.8, -(-n // block)).astype(np.float32)
    ref, _ = find_peaks(env, height=np.repeat(level, block)[:n], distance=distance)
    np.testing.assert_array_equal(kernels.peaks_above(env, level, block, distance), ref)


@settings(max_examples=60, deadline=None)
@given(n=st.integers(20, 400), n_runs=st.integers(1, 6), short=st.integers(1, 12), pad=st.integers(0, 30),
       seed=st.integers(0, 10_000))
def test_run_statistics_match_the_numpy_formulation(n, n_runs, short, pad, seed):
    rng = np.random.default_rng(seed)
    y = rng.normal(0.0, 5.0, n).astype(np.float32)
    x = (y + rng.normal(0.0, 50.0, n)).astype(np.float32)
    env = np.round(rng.random(n), 1).astype(np.float32)  # ties: the first maximum counts
    cuts = np.sort(rng.choice(np.arange(n + 1), 2 * n_runs, replace=False))
    runs = cuts.reshape(-1, 2)
    peak, total, peak_i, best, energy, diff_energy, crossings, raw_range = kernels.run_statistics(y, x, env, runs, short, pad)
    for k, (a, b) in enumerate(runs):
        v = np.abs(y[a:b].astype(np.float64))
        assert peak[k] == v.max() and peak_i[k] == a + int(np.argmax(env[a:b]))
        np.testing.assert_allclose([total[k], energy[k]], [v.sum(), (v ** 2).sum()], rtol=1e-12)
        np.testing.assert_allclose(diff_energy[k], np.sum(np.diff(y[a:b].astype(np.float64)) ** 2), rtol=1e-12, atol=1e-12)
        assert crossings[k] == np.count_nonzero(np.diff(np.signbit(y[a:b])))
        ref_best = np.convolve(v ** 2, np.ones(short), "valid").max() if b - a > 2 * short else 0.0
        np.testing.assert_allclose(best[k], ref_best, rtol=1e-9, atol=1e-9)
        window = x[max(a - pad, 0):min(b + pad, n)].astype(np.float64)
        assert raw_range[k] == window.max() - window.min()


@settings(max_examples=60, deadline=None)
@given(n=st.integers(2, 300), n_runs=st.integers(1, 6), seed=st.integers(0, 10_000))
def test_run_maxima_match_numpy_reduceat(n, n_runs, seed):
    rng = np.random.default_rng(seed)
    values = np.round(rng.random(n), 1).astype(np.float32)  # ties
    runs = np.sort(rng.choice(np.arange(n), 2 * min(n_runs, n // 2), replace=False)).reshape(-1, 2)
    runs[::2, 1] = runs[::2, 0]  # some empty runs: reduceat gives the start value
    got = kernels.run_maxima(values, runs)
    assert got.dtype == values.dtype
    np.testing.assert_array_equal(got, np.maximum.reduceat(values, runs.ravel())[::2])


@settings(max_examples=60, deadline=None)
@given(n=st.integers(2, 300), n_runs=st.integers(1, 6), seed=st.integers(0, 10_000))
def test_first_last_above_match_the_numpy_formulation(n, n_runs, seed):
    rng = np.random.default_rng(seed)
    env = rng.random(n).astype(np.float32)
    runs = np.sort(rng.choice(np.arange(n + 1), 2 * min(n_runs, n // 2), replace=False)).reshape(-1, 2)
    levels = rng.uniform(0.5, 1.0, runs.shape[0]).astype(np.float32)
    first, last = kernels.first_last_above(env, runs, levels)
    for (a, b), level, f, l in zip(runs, levels, first, last):
        above = a + np.flatnonzero(env[a:b] > level)
        assert (f, l) == ((above[0], above[-1]) if above.size else (-1, -1))


@pytest.mark.parametrize("seed", range(5))
def test_peaks_above_across_scan_tiles(seed):
    """Long envelopes: the scan works in tiles of 4096 samples, and flat tops may straddle them."""
    from scipy.signal import find_peaks

    rng = np.random.default_rng(seed)
    env = np.repeat(rng.integers(0, 6, 5000), rng.integers(1, 5, 5000)).astype(np.float32) / 6
    level = rng.uniform(0.0, 0.5, -(-env.size // 1000)).astype(np.float32)
    ref, _ = find_peaks(env, height=np.repeat(level, 1000)[:env.size])
    assert env.size > 2 * 4096
    np.testing.assert_array_equal(kernels.peaks_above(env, level, 1000, 1), ref)


def _flank_runs(rng, n, n_runs):
    starts = np.sort(rng.choice(np.arange(n), min(n_runs, n // 4), replace=False))
    return np.column_stack((starts, np.minimum(starts + rng.integers(1, 30, starts.size), n)))


def _assert_flank_medians(env, runs, peak, ratio, margin, half, step, got):
    """``got`` is, per run, whether its peak reaches ``ratio`` x the median of its flank samples."""
    offs = np.arange(0, half, step)
    for (a, b), p, g in zip(runs, peak, got):
        idx = np.concatenate((a - margin - offs - 1, b + margin + offs))
        idx = idx[(idx >= 0) & (idx < env.size)]
        assert g == (idx.size == 0 or not p < ratio * float(np.median(env[idx])))


@settings(max_examples=60, deadline=None)
@given(n=st.integers(8, 600), margin=st.integers(0, 20), half=st.integers(1, 80), step=st.integers(1, 5),
       ratio=st.floats(0.5, 4.0), seed=st.integers(0, 10_000))
def test_stands_out_of_flanks_matches_the_median_formulation(n, margin, half, step, ratio, seed):
    rng = np.random.default_rng(seed)
    env = rng.random(n).astype(np.float32)
    runs = _flank_runs(rng, n, 6)
    peak = rng.uniform(0.0, 2.0, runs.shape[0])  # some clear the flanks' maximum, some do not
    got = kernels.stands_out_of_flanks(env, runs, peak, ratio, margin, half, step)
    _assert_flank_medians(env, runs, peak, ratio, margin, half, step, got)


@settings(max_examples=80, deadline=None)
@given(n=st.integers(8, 300), margin=st.integers(0, 10), half=st.integers(1, 40), step=st.integers(1, 4),
       levels=st.integers(2, 6), ratio=st.sampled_from([0.5, 1.0, 1.5, 3.0]), seed=st.integers(0, 10_000))
def test_stands_out_of_flanks_at_ties_and_between_the_middle_values(n, margin, half, step, levels, ratio, seed):
    """Few envelope levels and peaks at ratio x a level or between two: the counting decision
    meets ties and even counts whose two middle values straddle the peak (the median itself)."""
    rng = np.random.default_rng(seed)
    env = (rng.integers(1, levels + 1, n) / levels).astype(np.float32)
    runs = _flank_runs(rng, n, 6)
    at = ratio * np.float64(env[rng.integers(0, n, runs.shape[0])])
    peak = np.where(rng.random(runs.shape[0]) < 0.5, at, at + ratio * 0.5 / levels)
    got = kernels.stands_out_of_flanks(env, runs, peak, ratio, margin, half, step)
    _assert_flank_medians(env, runs, peak, ratio, margin, half, step, got)


@settings(max_examples=100, deadline=None)
@given(m=st.integers(0, 90), levels=st.integers(1, 1000), dtype=st.sampled_from([np.float32, np.float64]),
       seed=st.integers(0, 10_000))
def test_median_of_few_is_numpys_median(m, levels, dtype, seed):
    """By counting (ties from few levels, odd and even counts) or, past the counting limit, by
    selection: NumPy's median either way."""
    v = (np.random.default_rng(seed).integers(0, levels, m) / levels * 3.7).astype(dtype)
    got = kernels._median_of_few(v.copy(), m)
    assert np.isnan(got) if m == 0 else got == np.float64(np.median(v)) == kernels._median_of(v.copy(), m)


@settings(max_examples=60, deadline=None)
@given(n=st.integers(8, 600), margin=st.integers(0, 20), n_windows=st.integers(1, 6), width=st.integers(2, 12),
       seed=st.integers(0, 10_000))
def test_flank_window_powers_match_the_numpy_formulation(n, margin, n_windows, width, seed):
    rng = np.random.default_rng(seed)
    y = rng.normal(0.0, 5.0, n).astype(np.float32)
    runs = _flank_runs(rng, n, 6)
    power, d_power = kernels.flank_window_powers(y, runs, margin, n_windows, width)
    y64 = y.astype(np.float64)
    for (a, b), p, d in zip(runs, power, d_power):
        firsts = [a - margin - n_windows * width + w * width for w in range(n_windows)]
        firsts += [b + margin + w * width for w in range(n_windows)]
        ok = [f for f in firsts if f >= 0 and f + width + 1 <= n]
        ref_p = [np.mean(y64[f:f + width] ** 2) for f in ok]
        ref_d = [np.mean(np.diff(y64[f:f + width + 1]) ** 2) for f in ok]
        if not ok:
            assert np.isnan(p) and np.isnan(d)
        else:
            np.testing.assert_allclose([p, d], [np.median(ref_p), np.median(ref_d)], rtol=1e-12)


def test_qrs_alignment_and_windows_match_the_numpy_formulation():
    from scipy.ndimage import uniform_filter1d

    rng = np.random.default_rng(6)
    y = rng.normal(0.0, 5.0, 5000).astype(np.float32)
    peaks = np.sort(rng.choice(np.arange(5000), 120, replace=False))  # some windows cut by the ends
    half = 40
    aligned = kernels.align_on_energy(y, peaks, half, half // 2)
    for p, got in zip(peaks, aligned):
        a, b = max(p - half, 0), min(p + half + 1, y.size)
        assert got == a + int(np.argmax(uniform_filter1d(y[a:b].astype(np.float64) ** 2, size=half // 2)))
    seg = kernels.normalised_windows(y, peaks, half)
    idx = peaks[:, None] + np.arange(-half, half + 1)
    raw = np.where((idx >= 0) & (idx < y.size), y[np.clip(idx, 0, y.size - 1)].astype(np.float64), 0.0)
    raw = raw - raw.mean(axis=1, keepdims=True)
    np.testing.assert_allclose(seg, raw / np.linalg.norm(raw, axis=1, keepdims=True), atol=1e-12)
    votes = kernels.similar_neighbour_votes(seg, peaks, 300, 0.3)
    corr = np.abs(seg @ seg.T) > 0.3
    near = np.abs(peaks[:, None] - peaks[None, :]) <= 300
    np.fill_diagonal(near, False)
    np.testing.assert_array_equal(votes, (corr & near).sum(axis=1))


@settings(max_examples=120, deadline=None)
@given(n=st.integers(2, 1500), half=st.integers(1, 90), size_share=st.floats(0.0, 3.0), ties=st.booleans(),
       seed=st.integers(0, 10_000))
def test_qrs_alignment_in_vector_lanes_equals_the_one_by_one_rule(n, half, size_share, ties, seed):
    """Windows inside the signal go four at a time through vector lanes, the others one by one:
    every peak lands where the one-window loop puts it, bit for bit (any window size, equal
    samples; agreement with uniform_filter1d is tested above)."""
    rng = np.random.default_rng(seed)
    y = rng.normal(0.0, 5.0, n).astype(np.float32)
    if ties:
        y = np.round(y / 5.0).astype(np.float32)
    peaks = np.sort(rng.integers(0, n, int(rng.integers(1, 40))))
    size = max(int(size_share * half), 1)
    aligned = kernels.align_on_energy(y, peaks, half, size)
    sq = np.empty(2 * half + 1 + size)
    for p, got in zip(peaks, aligned):
        a, b = max(p - half, 0), min(p + half + 1, y.size)
        kernels._window_squares(y, a, b - a, size // 2, size, sq)
        assert got == a + kernels._moving_mean_argmax(sq, b - a, size)


@settings(max_examples=150, deadline=None)
@given(n_rows=st.integers(0, 15), n_cols=st.integers(1, 200), ties=st.booleans(), seed=st.integers(0, 10_000))
def test_column_medians_equal_numpy_median_over_rows(n_rows, n_cols, ties, seed):
    a = np.random.default_rng(seed).normal(0.0, 50.0, (n_rows, n_cols))
    if ties:  # few distinct values: equal elements in a column
        a = np.round(a / 50.0)
    got = kernels.column_medians(a)
    if n_rows == 0:
        assert got.shape == (n_cols,) and np.all(np.isnan(got))
    else:
        np.testing.assert_array_equal(got, np.median(a, axis=0))
    np.testing.assert_array_equal(kernels.column_medians(a[:, ::-1]), got[::-1])  # a non-contiguous view


@settings(max_examples=80, deadline=None)
@given(m=st.integers(1, 300), pad=st.integers(0, 30), seed=st.integers(0, 10_000))
def test_shift_scores_are_the_dot_products_at_every_lag(m, pad, seed):
    rng = np.random.default_rng(seed)
    core, wide = rng.normal(0.0, 1.0, m), rng.normal(0.0, 1.0, m + 2 * pad)
    expected = [core @ wide[k : k + m] for k in range(2 * pad + 1)]
    np.testing.assert_allclose(kernels.shift_scores(core, wide, pad), expected, rtol=1e-12, atol=1e-12 * m)
