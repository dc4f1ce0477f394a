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

__all__ = ["condition_emg", "rectified_moving_averages", "candidate_runs"]


@njit(nogil=True, cache=True)
def _section_pair(src, offset, dst, m, sos, s, z):  # pragma: no cover - compiled
    """Sections ``s`` and ``s + 1`` (when present) over ``src[offset:offset + m]`` into ``dst[:m]``.

    The states live in local variables (``z`` holds them between blocks): the two recursions are
    independent from one sample to the next, so the processor overlaps them.
    """
    pair = s + 1 < sos.shape[0]
    a = sos[s]
    b = sos[s + 1] if pair else sos[s]
    a0, a1, a2, a4, a5 = a[0], a[1], a[2], a[4], a[5]
    b0, b1, b2, b4, b5 = b[0], b[1], b[2], b[4], b[5]
    za0, za1, zb0, zb1 = z[s, 0], z[s, 1], 0.0, 0.0
    if pair:
        zb0, zb1 = z[s + 1, 0], z[s + 1, 1]
    for j in range(m):
        v = np.float64(src[offset + j])
        o = a0 * v + za0
        za0 = a1 * v - a4 * o + za1
        za1 = a2 * v - a5 * o
        if pair:
            w = b0 * o + zb0
            zb0 = b1 * o - b4 * w + zb1
            zb1 = b2 * o - b5 * w
            o = w
        dst[j] = o
    z[s, 0], z[s, 1] = za0, za1
    if pair:
        z[s + 1, 0], z[s + 1, 1] = zb0, zb1


@njit(nogil=True, cache=True)
def _band_pass(x, lo, u, m, sos, z):  # pragma: no cover - compiled
    """All band-pass sections over ``x[lo:lo + m]`` into ``u[:m]``, two sections per pass."""
    _section_pair(x, lo, u, m, sos, 0, z)
    for s in range(2, sos.shape[0], 2):
        _section_pair(u, 0, u, m, sos, s, z)


@njit(nogil=True, cache=True)
def _first_pass(u, m1, resid, m, r, p):  # pragma: no cover - compiled
    """A harmonic's first resonator pass over ``u[:m]``: the line into ``m1``, ``u - m1`` into ``resid``."""
    r0, r1, r2, r4, r5 = r[0], r[1], r[2], r[4], r[5]
    z0, z1 = p[0], p[1]
    for j in range(m):
        v = u[j]
        o = r0 * v + z0
        z0 = r1 * v - r4 * o + z1
        z1 = r2 * v - r5 * o
        m1[j] = o
        resid[j] = v - o
    p[0], p[1] = z0, z1


@njit(nogil=True, cache=True)
def _second_pass(u, m1, resid, m, level, r, p):  # pragma: no cover - compiled
    """A harmonic's second resonator pass on ``m1 + clipped residual``; the line is subtracted from ``u``."""
    r0, r1, r2, r4, r5 = r[0], r[1], r[2], r[4], r[5]
    z0, z1 = p[0], p[1]
    for j in range(m):
        c = min(max(resid[j], -level), level)
        w = m1[j] + c
        o = r0 * w + z0
        z0 = r1 * w - r4 * o + z1
        z1 = r2 * w - r5 * o
        u[j] -= o
    p[0], p[1] = z0, z1


@njit(nogil=True, cache=True)
def condition_emg(x, sos, zi, res_sos, res_zi, start, block, clip_sd, stride):  # pragma: no cover - compiled
    """Band-pass cascade followed by the robust subtraction of each mains harmonic, block by block.

    Band-pass: second-order sections in transposed direct form II (as ``scipy.signal.sosfilt``).
    Mains, per block of ``block`` samples and per harmonic in order: a resonator gives the line
    ``m1``; the residual ``u - m1`` is clipped at ``clip_sd`` robust SD (1.4826 x the median of
    its absolute value over every ``stride``-th sample of the block); a second resonator run on
    ``m1 + clipped residual`` gives the line ``m2`` that is subtracted. Every filter carries its
    state across blocks, so the result is that of one pass over the whole signal.

    Parameters
    ----------
    x : float32[:]
        Raw EMG.
    sos : float64[:, 6]
        Band-pass sections ``b0 b1 b2 a0 a1 a2`` (``a0 == 1``).
    zi : float64[:, 2]
        Initial band-pass state per section (updated in place).
    res_sos : float64[:, 6]
        One resonator section per mains harmonic (may have no rows).
    res_zi : float64[:, 2]
        Initial state of each harmonic's resonators (both passes start from it).
    start : int
        Samples only band-passed (a warm-up); the mains removal and its blocks start here.
    block : int
    clip_sd : float
    stride : int

    Returns
    -------
    float32[:]
    """
    n = x.size
    y = np.empty(n, np.float32)
    size = max(min(block, n), 1)
    u = np.empty(size, np.float64)  # the block, band-passed, with the harmonics so far removed
    m1 = np.empty(size, np.float64)
    resid = np.empty(size, np.float64)
    p1 = res_zi.copy()  # first-pass resonator states
    p2 = res_zi.copy()  # second-pass resonator states
    lo = 0
    while lo < n:
        m = min(block if lo >= start else start - lo, n - lo)
        _band_pass(x, lo, u, m, sos, zi)
        if lo >= start:
            for h in range(res_sos.shape[0]):
                _first_pass(u, m1, resid, m, res_sos[h], p1[h])
                level = 1.4826 * clip_sd * np.median(np.abs(resid[:m:stride]))
                _second_pass(u, m1, resid, m, level, res_sos[h], p2[h])
        for j in range(m):
            y[lo + j] = u[j]
        lo += m
    return y


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
    out = np.empty((k, 2), np.int64)
    out[:, 0] = starts[:k]
    out[:, 1] = stops[:k]
    return out
