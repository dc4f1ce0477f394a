"""Compiled inner loops of the EMG detectors (numba, released GIL).

Each kernel is one pass over a channel that would otherwise take several NumPy/SciPy passes
(and temporary arrays): the band-pass cascade, the robust mains subtraction, the moving averages
of the rectified signal and the search for candidate bursts. They compute what the NumPy
formulation in :mod:`myoclonus.signals.conditioning` and :mod:`myoclonus.signals.bursts`
describes, in float64 arithmetic on float32 signals, and release the GIL so channels run in
parallel threads.

The first call compiles (a few seconds) and caches the machine code next to this file
(``cache=True``); later processes load it.
"""
from __future__ import annotations

import numpy as np
from numba import njit

__all__ = ["condition_emg", "rectified_moving_averages", "candidate_runs", "runs_below", "clipped_runs"]


@njit(nogil=True, cache=True)
def condition_emg(x, rows, pad, n_in, delay, sos, zi, res_sos, res_zi, block, clip_sd, stride, y):  # pragma: no cover - compiled
    """Band-pass cascade followed by the robust subtraction of each mains harmonic, block by block,
    for several channels at once.

    Band-pass: second-order sections in transposed direct form II (as ``scipy.signal.sosfilt``).
    Mains, per block of ``block`` samples, per channel and per harmonic in order: a resonator
    gives the line ``m1``; the residual ``u - m1`` is clipped at ``clip_sd`` robust SD (1.4826 x
    the median of its absolute value over every ``stride``-th sample of the block); a second
    resonator run on ``m1 + clipped residual`` gives the line ``m2`` that is subtracted. Every
    filter carries its state across blocks, so the result is that of one pass over the whole
    signal. The channels advance together sample by sample: an IIR filter is a chain of
    dependent operations, and independent chains side by side keep the processor busy.

    Parameters
    ----------
    x : float[:, :]
        Raw EMG, (channels, samples); rows ``rows`` are filtered, their first ``n_in`` samples.
    rows : int64[:]
    pad : int
        A mirror image of samples ``pad .. 1`` is filtered first (band-pass only: it lets the
        filters settle) and dropped; the mains removal and its blocks start at sample 0.
    n_in : int
    delay : int
        The output is advanced by this many samples (the band-pass group delay); the last
        ``delay`` output samples are zero.
    sos : float64[:, 6]
        Band-pass sections ``b0 b1 b2 a0 a1 a2`` (``a0 == 1``), shared by the channels.
    zi : float64[:, :, 2]
        Initial band-pass state, (channels, sections, 2).
    res_sos : float64[:, :, 6]
        Resonator section per channel and mains harmonic (all-zero rows: no harmonic).
    res_zi : float64[:, :, 2]
        Initial state of each resonator (both passes start from it).
    block : int
    clip_sd : float
    stride : int
    y : float32[:, :]
        Output, (len(rows), n_in), zero on entry.
    """
    nc = rows.size
    n_sec = sos.shape[0]
    n_h = res_sos.shape[1]
    n = pad + n_in  # samples filtered
    size = max(min(max(block, pad), n), 1)
    u = np.empty((size, nc))  # sample-major: the channel loop is innermost
    m1 = np.empty((size, nc))
    resid = np.empty((size, nc))
    z = zi.copy()
    p1 = res_zi.copy()  # first-pass resonator states
    p2 = res_zi.copy()  # second-pass resonator states
    level = np.empty(nc)
    lo = 0
    while lo < n:
        m = min(block if lo >= pad else pad - lo, n - lo)
        for j in range(m):
            i = lo + j
            src = pad - i if i < pad else i - pad
            for c in range(nc):
                v = np.float64(x[rows[c], src])
                for s in range(n_sec):
                    o = sos[s, 0] * v + z[c, s, 0]
                    z[c, s, 0] = sos[s, 1] * v - sos[s, 4] * o + z[c, s, 1]
                    z[c, s, 1] = sos[s, 2] * v - sos[s, 5] * o
                    v = o
                u[j, c] = v
        if lo >= pad:
            for h in range(n_h):
                for j in range(m):
                    for c in range(nc):
                        v = u[j, c]
                        o = res_sos[c, h, 0] * v + p1[c, h, 0]
                        p1[c, h, 0] = res_sos[c, h, 1] * v - res_sos[c, h, 4] * o + p1[c, h, 1]
                        p1[c, h, 1] = res_sos[c, h, 2] * v - res_sos[c, h, 5] * o
                        m1[j, c] = o
                        resid[j, c] = v - o
                for c in range(nc):
                    level[c] = 1.4826 * clip_sd * np.median(np.abs(resid[:m:stride, c]))
                for j in range(m):
                    for c in range(nc):
                        lv = level[c]
                        w = m1[j, c] + min(max(resid[j, c], -lv), lv)
                        o = res_sos[c, h, 0] * w + p2[c, h, 0]
                        p2[c, h, 0] = res_sos[c, h, 1] * w - res_sos[c, h, 4] * o + p2[c, h, 1]
                        p2[c, h, 1] = res_sos[c, h, 2] * w - res_sos[c, h, 5] * o
                        u[j, c] -= o
            first = max(lo, pad + delay)  # output sample t comes from filtered sample pad + delay + t
            for c in range(nc):
                for i in range(first, lo + m):
                    y[c, i - pad - delay] = u[i - lo, c]
        lo += m


@njit(nogil=True, cache=True)
def rectified_moving_averages(y, windows):  # pragma: no cover - compiled
    """Centred moving averages of ``|y|`` over each window (samples), float32 rows.

    Window ``w`` covers ``[i - w // 2, i - w // 2 + w)``; near the edges the average uses the
    samples available. Sums are accumulated in float64 from one cumulative sum.
    """
    n = y.size
    cs = np.empty(n + 1, np.float64)
    acc = 0.0
    cs[0] = 0.0
    for i in range(n):
        acc += abs(np.float64(y[i]))
        cs[i + 1] = acc
    out = np.empty((windows.size, n), np.float32)
    for k in range(windows.size):
        w = windows[k]
        if w <= 1 or n <= w:
            for i in range(n):
                out[k, i] = abs(y[i])
            continue
        h = w // 2
        for i in range(h):  # head: [0, i - h + w)
            out[k, i] = cs[i - h + w] / (i - h + w)
        inv = 1.0 / w
        for i in range(h, h + n - w + 1):
            out[k, i] = (cs[i - h + w] - cs[i - h]) * inv
        for i in range(h + n - w + 1, n):  # tail: [i - h, n)
            out[k, i] = (cs[n] - cs[i - h]) / (n - i + h)
    return out


@njit(nogil=True, cache=True)
def candidate_runs(envs, lows, env_d, high_d, block):  # pragma: no cover - compiled
    """Runs where any envelope exceeds its block's extent level and whose detection envelope
    reaches its block's onset level somewhere in the run.

    Parameters
    ----------
    envs : float32[:, :]
        Envelopes (rows) that keep a burst going.
    lows : float32[:, :]
        Per-block extent level of each envelope (rows match ``envs``).
    env_d : float32[:]
        Detection envelope.
    high_d : float32[:]
        Per-block onset level of the detection envelope.
    block : int

    Returns
    -------
    int64[:, 2]
        ``[start, stop)`` of the kept runs.
    """
    n = env_d.size
    n_env = envs.shape[0]
    e0 = envs[0]
    e1 = envs[1] if n_env > 1 else envs[0]
    e2 = envs[2] if n_env > 2 else envs[0]
    # runs are separated by at least one sample: n // 2 + 1 is an upper bound (pages never
    # written are never touched); a growing buffer defeats the compiler's loop optimisation
    starts = np.empty(n // 2 + 1, np.int64)
    stops = np.empty(n // 2 + 1, np.int64)
    k = 0
    in_run = False
    reached = False
    start = 0
    for lo in range(0, n, block):
        hi = min(lo + block, n)
        b = lo // block
        # an absent envelope gets an unreachable level
        l0 = lows[0, b]
        l1 = lows[1, b] if n_env > 1 else np.float32(np.inf)
        l2 = lows[2, b] if n_env > 2 else np.float32(np.inf)
        h = high_d[b]
        for i in range(lo, hi):
            active = (e0[i] > l0) | (e1[i] > l1) | (e2[i] > l2)
            if active:
                if not in_run:
                    in_run = True
                    reached = False
                    start = i
                if env_d[i] - h > 0:
                    reached = True
            elif in_run:
                in_run = False
                if reached:
                    starts[k] = start
                    stops[k] = i
                    k += 1
    if in_run and reached:
        starts[k] = start
        stops[k] = n
        k += 1
    return _collect(starts, stops, k)


@njit(nogil=True, cache=True)
def _collect(starts, stops, k):  # pragma: no cover - compiled
    out = np.empty((k, 2), np.int64)
    out[:, 0] = starts[:k]
    out[:, 1] = stops[:k]
    return out


@njit(nogil=True, cache=True)
def runs_below(env, level, block):  # pragma: no cover - compiled
    """``[start, stop)`` runs where ``env`` is below its block's ``level`` (``level[i // block]``)."""
    n = env.size
    starts = np.empty(n // 2 + 1, np.int64)
    stops = np.empty(n // 2 + 1, np.int64)
    k = 0
    in_run = False
    for lo in range(0, n, block):
        lv = level[lo // block]
        for i in range(lo, min(lo + block, n)):
            if env[i] < lv:
                if not in_run:
                    in_run = True
                    starts[k] = i
            elif in_run:
                in_run = False
                stops[k] = i
                k += 1
    if in_run:
        stops[k] = n
        k += 1
    return _collect(starts, stops, k)


@njit(nogil=True, cache=True)
def clipped_runs(x, hi, lo, block, min_run):  # pragma: no cover - compiled
    """Runs of at least ``min_run`` equal samples at the maximum ``hi[b]`` or minimum ``lo[b]``
    of the block ``b`` where the run starts (a block whose samples are all equal has no rail).
    ``[start, stop)`` pairs."""
    n = x.size
    starts = np.empty(n // 2 + 1, np.int64)
    stops = np.empty(n // 2 + 1, np.int64)
    k = 0
    i = 0
    for b in range(hi.size):
        a = b * block
        e = min(a + block, n)
        h = hi[b]
        low = lo[b]
        i = max(i, a)
        if i == a and a > 0:  # a run of equal samples from the previous block belongs to that block
            while i < e and x[i] == x[a - 1]:
                i += 1
        if h == low:
            continue
        while i < e:
            # skip ahead to the next sample at a rail (the common case: none in the block)
            while i < e and (x[i] < h) & (x[i] > low):
                i += 1
            if i >= e:
                break
            v = x[i]
            j = i + 1
            while j < n and x[j] == v:
                j += 1
            if j - i >= min_run:
                starts[k] = i
                stops[k] = j
                k += 1
            i = j
    return _collect(starts, stops, k)
