"""Compiled inner loops of the EMG detectors and of the EDF reader (numba, released GIL).

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

from myoclonus.signals import vector_sections

__all__ = ["condition_emg", "rectified_moving_averages", "candidate_runs", "runs_below", "clipped_runs", "peaks_above",
           "run_statistics", "align_on_energy", "normalised_windows", "similar_neighbour_votes", "calibrate",
           "first_last_above", "stands_out_of_flanks", "flank_window_powers"]


#: Channels filtered side by side by :func:`condition_emg` (one vector of
#: :mod:`myoclonus.signals.vector_sections`).
GROUP = vector_sections.LANES


@njit(nogil=True, cache=True)
def _load_block(x, rows, lo, m, pad, u):  # pragma: no cover - compiled
    """Samples ``lo .. lo + m`` of the filtered sequence (``pad`` mirrored warm-up samples, then
    the rows of ``x``) into the sample-major block ``u`` (a block lies wholly in one part)."""
    if lo < pad:
        for c in range(GROUP):
            row = x[rows[c]]
            for j in range(m):
                u[j, c] = row[pad - lo - j]
        return
    a = lo - pad
    r0, r1, r2, r3 = x[rows[0], a : a + m], x[rows[1], a : a + m], x[rows[2], a : a + m], x[rows[3], a : a + m]
    for j in range(m):  # the four channels' samples side by side (one vector store per sample)
        u[j, 0], u[j, 1], u[j, 2], u[j, 3] = r0[j], r1[j], r2[j], r3[j]


@njit(nogil=True, cache=True)
def _store_block(u, k, count, y, first):  # pragma: no cover - compiled
    """Rows ``k .. k + count`` of the sample-major block ``u`` into ``y[:, first:first + count]``."""
    stop = first + count
    y0, y1, y2, y3 = y[0, first:stop], y[1, first:stop], y[2, first:stop], y[3, first:stop]
    v = u[k : k + count]
    for j in range(count):
        y0[j], y1[j], y2[j], y3[j] = v[j, 0], v[j, 1], v[j, 2], v[j, 3]


@njit(nogil=True, cache=True)
def _lane_major(sections):  # pragma: no cover - compiled
    """Coefficients b0 b1 b2 a1 a2 of each section, one column per channel: ``sections`` is
    (channels, n_sections, 6); returns (n_sections * 5, channels)."""
    out = np.empty((sections.shape[1] * 5, sections.shape[0]))
    for c in range(sections.shape[0]):
        for k in range(sections.shape[1]):
            row = sections[c, k]
            out[5 * k, c], out[5 * k + 1, c], out[5 * k + 2, c] = row[0], row[1], row[2]
            out[5 * k + 3, c], out[5 * k + 4, c] = row[4], row[5]
    return out


@njit(nogil=True, cache=True)
def _states_to_lanes(z):  # pragma: no cover - compiled
    """Filter states ``z`` ((channels, sections, 2)) as rows of one value per channel:
    (sections * 2, channels)."""
    out = np.empty((z.shape[1] * 2, z.shape[0]))
    for c in range(z.shape[0]):
        for k in range(z.shape[1]):
            out[2 * k, c], out[2 * k + 1, c] = z[c, k, 0], z[c, k, 1]
    return out


@njit(nogil=True, cache=True)
def _states_from_lanes(lanes, z):  # pragma: no cover - compiled
    """The inverse of :func:`_states_to_lanes`, written into ``z`` in place."""
    for c in range(z.shape[0]):
        for k in range(z.shape[1]):
            z[c, k, 0], z[c, k, 1] = lanes[2 * k, c], lanes[2 * k + 1, c]


@njit(nogil=True, cache=True)
def _kth_smallest(a, b, k):  # pragma: no cover - compiled
    """The ``k``-th smallest (from 0) of the values in ``a``; ``a`` and ``b`` (as large) are overwritten.

    Quickselect (median-of-three pivot) whose partition has no branch on the data: each value is
    written at both ends of ``b`` and only the end it belongs to advances (values equal to the
    pivot stay behind and are counted). A branch that goes either way at random costs more than
    the whole step: measured 1.5 us against 3.3 us for ``np.median`` of 256 random values.
    """
    n = a.size
    while True:
        x0, x1, x2 = a[0], a[n // 2], a[n - 1]
        pivot = max(min(x0, x1), min(max(x0, x1), x2))
        front, back = 0, n - 1
        for i in range(n):
            x = a[i]
            b[front] = x
            b[back] = x
            front += x < pivot
            back -= x > pivot
        # b[:front] < pivot, b[back + 1:n] > pivot, and the rest equal the pivot
        if k < front:
            a, b, n = b[:front], a[:front], front
        elif k <= back:
            return pivot
        else:
            a, b, n, k = b[back + 1 : n], a[back + 1 : n], n - back - 1, k - back - 1


@njit(nogil=True, cache=True)
def _median_of_every(v, m, stride, work, scratch):  # pragma: no cover - compiled
    """``np.median(np.abs(v[:m:stride]))`` for a (sample-major) column view ``v``, by
    :func:`_kth_smallest` (``work`` and ``scratch`` hold at least ``ceil(m / stride)`` values);
    the same value as NumPy's: the middle value, or half the sum of the two middle values."""
    n = 0
    for j in range(0, m, stride):
        work[n] = abs(v[j])
        n += 1
    k = n // 2
    hi = _kth_smallest(work[:n], scratch[:n], k)
    if n % 2:
        return hi
    below = 0  # the other middle value: the largest value below ``hi``, or ``hi`` itself when tied
    lo = -np.inf
    for j in range(0, m, stride):
        x = abs(v[j])
        below += x < hi
        lo = max(lo, x if x < hi else -np.inf)
    return 0.5 * (lo + hi) if below >= k else hi


@njit(nogil=True, cache=True)
def condition_emg(x, rows, pad, n_in, delay, sos, zi, res_sos, res_zi, block, clip_sd, stride, y):  # pragma: no cover - compiled
    """Band-pass cascade followed by the robust subtraction of each mains harmonic, block by block,
    for :data:`GROUP` channels side by side.

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
    rows : int64[GROUP]
        Rows of ``x`` (repeat a row to fill the group; its output is simply written twice).
    pad : int
        A mirror image of samples ``pad .. 1`` is filtered first (band-pass only: it lets the
        filters settle) and dropped; the mains removal and its blocks start at sample 0.
    n_in : int
    delay : int
        The output is advanced by this many samples (the band-pass group delay); the last
        ``delay`` output samples are zero.
    sos : float64[:, 6]
        Band-pass sections ``b0 b1 b2 a0 a1 a2`` (``a0 == 1``), shared by the channels; an even
        number (an odd cascade gets an identity section).
    zi : float64[GROUP, :, 2]
        Initial band-pass state, (channels, sections, 2); updated in place.
    res_sos : float64[GROUP, :, 6]
        Resonator section per channel and mains harmonic (all-zero rows: no harmonic).
    res_zi : float64[GROUP, :, 2]
        Initial state of each resonator (both passes start from it).
    block : int
    clip_sd : float
    stride : int
    y : float32[GROUP, n_in]
        Output, zero on entry.
    """
    n_h = res_sos.shape[1]
    n = pad + n_in  # samples filtered
    size = max(min(max(block, pad), n), 1)
    u = np.empty((size, GROUP))  # sample-major: row j holds sample j of the four channels
    m1 = np.empty((size, GROUP))
    resid = np.empty((size, GROUP))
    # coefficients and states one value per channel in each row (the vector kernels' layout)
    n_pairs = sos.shape[0] // 2
    shared = np.empty((GROUP, sos.shape[0], 6))  # the band-pass is the same for every channel
    for c in range(GROUP):
        shared[c] = sos
    bp_coef = _lane_major(shared).reshape(n_pairs, 10, GROUP)
    bp_state = _states_to_lanes(zi).reshape(n_pairs, 4, GROUP)
    res_coef = _lane_major(res_sos).reshape(n_h, 5, GROUP)
    p1 = _states_to_lanes(res_zi).reshape(n_h, 2, GROUP)  # first-pass resonator states
    p2 = p1.copy()  # second-pass resonator states
    level = np.empty(GROUP)
    work = np.empty(-(-size // max(stride, 1)))
    scratch = np.empty_like(work)
    lo = 0
    while lo < n:
        m = min(block if lo >= pad else pad - lo, n - lo)
        _load_block(x, rows, lo, m, pad, u)
        for k in range(n_pairs):
            vector_sections.section_pair(u, m, bp_coef[k], bp_state[k])
        if lo >= pad:
            for h in range(n_h):
                vector_sections.resonator_line(u, m, res_coef[h], p1[h], m1, resid)
                for c in range(GROUP):
                    level[c] = 1.4826 * clip_sd * _median_of_every(resid[:, c], m, stride, work, scratch)
                vector_sections.resonator_subtract(u, m, res_coef[h], p2[h], m1, resid, level)
            first = max(lo, pad + delay)  # output sample t comes from filtered sample pad + delay + t
            if lo + m > first:
                _store_block(u, first - lo, lo + m - first, y, first - pad - delay)
        lo += m
    _states_from_lanes(bp_state.reshape(2 * sos.shape[0], GROUP), zi)


@njit(nogil=True, cache=True)
def _rectified_prefix(y, a, b, c):  # pragma: no cover - compiled
    """``c[j]`` = the float64 sum of ``|y[a:a + j]|`` for ``j`` in ``0 .. b - a``.

    Four quarters are summed side by side (independent additions keep the processor busy; one
    running sum waits on each addition) and then joined. Loops index views from 0 so that the
    compiler drops negative-index handling.
    """
    m = b - a
    q = m // 4
    c[0] = 0.0
    y0, y1, y2, y3 = y[a : a + q], y[a + q : a + 2 * q], y[a + 2 * q : a + 3 * q], y[a + 3 * q : b]
    c0, c1, c2, c3 = c[1 : q + 1], c[q + 1 : 2 * q + 1], c[2 * q + 1 : 3 * q + 1], c[3 * q + 1 : m + 1]
    s0 = s1 = s2 = s3 = 0.0
    for j in range(q):
        s0 += abs(np.float64(y0[j]))
        s1 += abs(np.float64(y1[j]))
        s2 += abs(np.float64(y2[j]))
        s3 += abs(np.float64(y3[j]))
        c0[j] = s0
        c1[j] = s1
        c2[j] = s2
        c3[j] = s3
    for j in range(q, m - 3 * q):  # the last quarter's remainder
        s3 += abs(np.float64(y3[j]))
        c3[j] = s3
    base = 0.0
    for part in (c0, c1, c2, c3):  # each quarter starts where the previous one ended
        for j in range(part.size):
            part[j] += base
        if part.size:
            base = part[part.size - 1]


@njit(nogil=True, cache=True, fastmath=True)  # the sum reassociated (SIMD)
def _sum_squares(v):  # pragma: no cover - compiled
    s = 0.0
    for j in range(v.size):
        s += np.float64(v[j]) * np.float64(v[j])
    return s


@njit(nogil=True, cache=True)
def rectified_moving_averages(y, windows, block):  # pragma: no cover - compiled
    """Centred moving averages of ``|y|`` over each window (samples), float32 rows, and the sum of
    ``y**2`` over each block of ``block`` samples (float64; the flat-channel test uses it).

    Window ``w`` covers ``[i - w // 2, i - w // 2 + w)``; near the edges the average uses the
    samples available. Sums are float64, from a cumulative sum over each block and its margins
    (kept in the cache, unlike one over the whole signal).
    """
    n = y.size
    n_win = windows.size
    out = np.empty((n_win, n), np.float32)
    n_blocks = -(-n // block) if n else 0
    energy = np.empty(n_blocks)
    lead = 0
    trail = 0
    for k in range(n_win):
        lead = max(lead, windows[k] // 2)
        trail = max(trail, windows[k] - windows[k] // 2)
    c = np.empty(block + lead + trail + 1)
    for b in range(n_blocks):
        t0 = b * block
        t1 = min(t0 + block, n)
        m = t1 - t0
        energy[b] = _sum_squares(y[t0:t1])
        a = max(t0 - lead, 0)
        _rectified_prefix(y, a, min(t1 + trail, n), c)
        for k in range(n_win):
            w = windows[k]
            row = out[k, t0:t1]
            if w <= 1 or n <= w:
                for j in range(m):
                    row[j] = abs(y[t0 + j])
                continue
            h = w // 2
            # samples t0 + j0 .. t0 + j1 have full windows: [i - h, i - h + w) inside [0, n)
            j0 = min(max(h - t0, 0), m)
            j1 = max(min(n - w + h + 1 - t0, m), j0)
            for j in range(j0):  # head: [0, i - h + w)
                i = t0 + j
                row[j] = c[i - h + w - a] / (i - h + w)
            inv = 1.0 / w
            right = c[t0 + j0 - h + w - a : t0 + j1 - h + w - a]
            left = c[t0 + j0 - h - a : t0 + j1 - h - a]
            mid = row[j0:j1]
            for j in range(j1 - j0):
                mid[j] = (right[j] - left[j]) * inv
            for j in range(j1, m):  # tail: [i - h, n)
                i = t0 + j
                row[j] = (c[n - a] - c[i - h - a]) / (n - i + h)
    return out, energy


#: 0/1 bytes read eight at a time as one word (:func:`_append_changes`, :func:`_append_set`).
_ALL_SET = np.uint64(0x0101010101010101)


@njit(nogil=True, cache=True)
def _flag_buffer(n):  # pragma: no cover - compiled
    """Zeroed 0/1 byte flags for ``n`` samples, padded to whole 64-bit words, and their word view."""
    flags = np.zeros(-(-max(n, 1) // 8) * 8, np.uint8)
    return flags, flags.view(np.uint64)


@njit(nogil=True, cache=True)
def _append_changes(flags, words, m, offset, out, k, prev):  # pragma: no cover - compiled
    """Append ``offset + j`` for every ``j < m`` where ``flags[j]`` differs from the flag before
    it (``prev`` before the first); returns the new count and the last flag.

    Eight flags at a time are skipped when none differs from ``prev``; elsewhere every sample
    writes its index in place and only the count moves (flags that change at random give no
    unpredictable branch). ``out`` needs one slot more than the entries.
    """
    last = flags[m - 1]
    for j in range(m, flags.size):  # the padding repeats the last flag: no change there
        flags[j] = last
    for w in range(words.size):
        if words[w] != (_ALL_SET if prev else np.uint64(0)):
            for j in range(8 * w, 8 * w + 8):
                out[k] = offset + j
                k += flags[j] ^ prev
                prev = flags[j]
    return k, prev


@njit(nogil=True, cache=True)
def _append_set(flags, words, m, offset, out, k):  # pragma: no cover - compiled
    """Append ``offset + j`` for every ``j < m`` whose flag is set (as :func:`_append_changes`,
    skipping words of unset flags); returns the new count."""
    for j in range(m, flags.size):
        flags[j] = 0
    for w in range(words.size):
        if words[w] != 0:
            for j in range(8 * w, 8 * w + 8):
                out[k] = offset + j
                k += flags[j]
    return k


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
    # the sample of every change of state (a start, then its stop, ...) and of every sample where
    # the detection envelope exceeds its onset level: per block, one SIMD pass sets both flags per
    # sample, then the flagged samples are listed (:func:`_append_changes`, :func:`_append_set`)
    edges = np.empty(n + 1, np.int64)
    hits = np.empty(n + 1, np.int64)
    act, act_words = _flag_buffer(block)
    hit, hit_words = _flag_buffer(block)
    k = 0
    n_hits = 0
    prev = np.uint8(0)  # the previous sample was in a run
    for lo in range(0, n, block):
        hi = min(lo + block, n)
        b = lo // block
        # an absent envelope gets an unreachable level
        l0 = lows[0, b]
        l1 = lows[1, b] if n_env > 1 else np.float32(np.inf)
        l2 = lows[2, b] if n_env > 2 else np.float32(np.inf)
        h = high_d[b]
        v0, v1, v2, vd = e0[lo:hi], e1[lo:hi], e2[lo:hi], env_d[lo:hi]
        for j in range(hi - lo):
            active = (v0[j] > l0) | (v1[j] > l1) | (v2[j] > l2)
            act[j] = active
            hit[j] = active & (vd[j] > h)
        k, prev = _append_changes(act, act_words, hi - lo, lo, edges, k, prev)
        n_hits = _append_set(hit, hit_words, hi - lo, lo, hits, n_hits)
    if prev:
        edges[k] = n
        k += 1
    # keep the runs that hold a hit (both lists are sorted: one merge)
    n_kept = 0
    m = 0
    for r in range(0, k, 2):
        start, stop = edges[r], edges[r + 1]
        while m < n_hits and hits[m] < start:
            m += 1
        if m < n_hits and hits[m] < stop:
            edges[2 * n_kept] = start
            edges[2 * n_kept + 1] = stop
            n_kept += 1
    return edges[: 2 * n_kept].copy().reshape(n_kept, 2)


@njit(nogil=True, cache=True)
def run_statistics(y, x, env, runs, short, pad):  # pragma: no cover - compiled
    """Per ``[start, stop)`` run: the numbers the burst features and artefact tests need.

    Parameters
    ----------
    y : float32[:]
        Band-passed signal.
    x : float[:]
        Raw signal.
    env : float32[:]
        Envelope of ``y``.
    runs : int64[:, 2]
        Non-empty runs.
    short : int
        Samples of the pop test's window (the energy share in the most energetic ``short``
        samples is computed for runs longer than ``2 * short``, else 0).
    pad : int
        Margin around each run for the raw signal's range.

    Returns
    -------
    peak : float64[:]
        Largest ``|y|``.
    total : float64[:]
        Sum of ``|y|``.
    peak_i : int64[:]
        First sample of the largest envelope value.
    best_energy, energy : float64[:]
        Largest sum of ``y**2`` over ``short`` consecutive samples, and the run's sum of ``y**2``.
    diff_energy : float64[:]
        Sum of the squared first differences of ``y`` within the run.
    crossings : int64[:]
        Sign changes of ``y`` within the run.
    raw_range : float64[:]
        Range (max - min) of ``x`` within ``pad`` samples of the run (cut at the ends).
    """
    k_runs = runs.shape[0]
    n = x.size
    peak = np.zeros(k_runs)
    total = np.zeros(k_runs)
    peak_i = np.zeros(k_runs, np.int64)
    best_energy = np.zeros(k_runs)
    energy = np.zeros(k_runs)
    diff_energy = np.zeros(k_runs)
    crossings = np.zeros(k_runs, np.int64)
    raw_range = np.zeros(k_runs)
    for r in range(k_runs):
        a, b = runs[r, 0], runs[r, 1]
        top, acc, e_acc, d_acc, zc = 0.0, 0.0, 0.0, 0.0, 0
        arg = a
        best_env = env[a]
        for i in range(a, b):
            v = abs(np.float64(y[i]))
            top = max(top, v)
            acc += v
            e_acc += v * v
            if env[i] > best_env:
                best_env = env[i]
                arg = i
            if i > a:
                zc += np.signbit(y[i]) != np.signbit(y[i - 1])
                d = np.float64(y[i]) - np.float64(y[i - 1])
                d_acc += d * d
        peak[r], total[r], energy[r], diff_energy[r], peak_i[r], crossings[r] = top, acc, e_acc, d_acc, arg, zc
        if b - a > 2 * short:
            # sums over ``short`` samples as differences of the run's running sum
            cs_before = 0.0  # running sum up to the window start
            cs = 0.0
            best = -1.0
            for i in range(a, b):
                v = np.float64(y[i])
                cs += v * v
                if i - a + 1 >= short:
                    best = max(best, cs - cs_before)
                    w = np.float64(y[i - short + 1])
                    cs_before += w * w
            best_energy[r] = best
        lo, hi = max(a - pad, 0), min(b + pad, n)
        x_max = np.float64(x[lo])
        x_min = x_max
        for i in range(lo + 1, hi):
            v = np.float64(x[i])
            x_max = max(x_max, v)
            x_min = min(x_min, v)
        raw_range[r] = x_max - x_min
    return peak, total, peak_i, best_energy, energy, diff_energy, crossings, raw_range


@njit(nogil=True, cache=True)
def run_maxima(values, runs):  # pragma: no cover - compiled
    """Per ``[start, stop)`` run, the largest of ``values[start:stop]`` (``values[start]`` for an
    empty run, as ``np.maximum.reduceat``; only the runs' samples are read, where reduceat also
    reads the gaps between them)."""
    out = np.empty(runs.shape[0], values.dtype)
    for r in range(runs.shape[0]):
        a, b = runs[r, 0], runs[r, 1]
        top = values[a]
        for i in range(a + 1, b):
            top = values[i] if values[i] > top else top
        out[r] = top
    return out


@njit(nogil=True, cache=True)
def first_last_above(env, runs, levels):  # pragma: no cover - compiled
    """Per ``[start, stop)`` run, the first and last sample where ``env`` exceeds the run's level
    (-1 for both when none does)."""
    k_runs = runs.shape[0]
    first = np.full(k_runs, -1, np.int64)
    last = np.full(k_runs, -1, np.int64)
    for r in range(k_runs):
        a, b = runs[r, 0], runs[r, 1]
        level = levels[r]
        for i in range(a, b):
            if env[i] > level:
                first[r] = i
                break
        for i in range(b - 1, a - 1, -1):
            if env[i] > level:
                last[r] = i
                break
    return first, last


@njit(nogil=True, cache=True)
def _median_of(v, m):  # pragma: no cover - compiled
    """``np.median(v[:m])`` as float64 (NaN when ``m`` is 0). Numba selects the middle values
    (no sort) and halves their sum in ``v``'s type; halving is exact, so the value is NumPy's."""
    if m == 0:
        return np.nan
    return np.float64(np.median(v[:m]))


#: Most values whose median :func:`_median_of_few` finds by counting (measured on random float64
#: values, counting vs Numba's ``np.median``: 50 values 600 vs 870 ns, 75: 690 vs 1140 ns,
#: 100: 1670 vs 1460 ns).
_COUNTING_MEDIAN_MAX = 75


@njit(nogil=True, cache=True)
def _median_of_few(v, m):  # pragma: no cover - compiled
    """:func:`_median_of` (the same value) by counting when ``m`` is at most
    :data:`_COUNTING_MEDIAN_MAX`: ``v[i]`` is the ``k``-th smallest when
    ``#(v < v[i]) <= k < #(v <= v[i])``, the counts being branch-free SIMD passes (a selection's
    branches mispredict on fresh data)."""
    if m == 0 or m > _COUNTING_MEDIAN_MAX:
        return _median_of(v, m)
    h = m // 2
    upper = lower = v[0]  # the middle value (odd m), or the two middle values (even m)
    # middle values not yet found: 0/1 integers (as booleans the loop ran 25 % slower, measured)
    missing_upper, missing_lower = 1, 1 if m % 2 == 0 else 0
    for i in range(m):
        x = v[i]
        less = 0
        at_most = 0
        for j in range(m):
            less += v[j] < x
            at_most += v[j] <= x
        if less <= h < at_most:
            upper = x
            missing_upper = 0
        if m % 2 == 0 and less <= h - 1 < at_most:
            lower = x
            missing_lower = 0
        if missing_upper + missing_lower == 0:
            break
    return np.float64(upper) if m % 2 else np.float64((lower + upper) / 2)


@njit(nogil=True, cache=True)
def stands_out_of_flanks(env, runs, peak, ratio, margin, half, step):  # pragma: no cover - compiled
    """Per ``[start, stop)`` run, whether ``peak[r]`` is not below ``ratio`` x the median of
    ``env`` at every ``step``-th sample of the run's flanks (``half`` samples before and after
    it, ``margin`` samples away from it; samples beyond the ends are left out, and a run without
    any stands out). ``ratio`` > 0.

    The median is decided by counting, not selected: ``peak >= ratio * v`` holds for the
    ``c`` smallest of the ``m`` flank values (it holds for ``v`` and so for anything smaller), so
    it holds for the middle one (odd ``m``) or both middle ones (even ``m``, whose mean lies
    between them) when ``c > m // 2``, for neither when ``c < m // 2``. Only an even count with
    ``c == m // 2`` (the peak between the two middle values) needs the median itself."""
    n = env.size
    k_runs = runs.shape[0]
    out = np.ones(k_runs, np.bool_)
    half, step = max(half, 1), max(step, 1)
    buf = np.empty(2 * (-(-half // step)), env.dtype)
    for r in range(k_runs):
        # offsets o (multiples of step below half) whose samples lie inside the data: left of the
        # run at ``before - o``, right of it at ``after + o``
        before, after = runs[r, 0] - margin - 1, runs[r, 1] + margin
        l0, l1 = -(-max(before - n + 1, 0) // step) * step, min(half, before + 1)
        r0, r1 = -(-max(-after, 0) // step) * step, min(half, n - after)
        p = peak[r]
        c = 0  # flank values v with p >= ratio * v
        m = 0
        for o in range(l0, l1, step):
            c += p >= ratio * np.float64(env[before - o])
            m += 1
        for o in range(r0, r1, step):
            c += p >= ratio * np.float64(env[after + o])
            m += 1
        if m == 0 or m % 2 or c != m // 2:
            out[r] = m == 0 or c > m // 2
            continue
        m = 0
        for o in range(l0, l1, step):
            buf[m] = env[before - o]
            m += 1
        for o in range(r0, r1, step):
            buf[m] = env[after + o]
            m += 1
        out[r] = not (p < ratio * _median_of(buf, m))
    return out


@njit(nogil=True, cache=True, fastmath=True)  # finite input: the sums reassociated (SIMD)
def _window_sums_of_squares(v):  # pragma: no cover - compiled
    """Sum of ``v[:-1]**2`` and of the squared first differences of ``v`` (float64)."""
    s_p = 0.0
    s_d = 0.0
    for i in range(v.size - 1):
        v0 = np.float64(v[i])
        d = np.float64(v[i + 1]) - v0
        s_p += v0 * v0
        s_d += d * d
    return s_p, s_d


@njit(nogil=True, cache=True)
def flank_window_powers(y, runs, margin, n_windows, width):  # pragma: no cover - compiled
    """Per ``[start, stop)`` run, the medians over the ``width``-sample windows of its flanks
    (``n_windows`` on each side, ``margin`` samples away from it) of their mean square of ``y``
    and mean square of its first difference. Windows that reach past the data (a difference
    needs the next sample) are left out; NaN when none is left."""
    n = y.size
    k_runs = runs.shape[0]
    power = np.empty(k_runs)
    d_power = np.empty(k_runs)
    p_buf = np.empty(2 * n_windows)
    d_buf = np.empty(2 * n_windows)
    span = n_windows * width
    for r in range(k_runs):
        m = 0
        for side in range(2):
            first = runs[r, 0] - margin - span if side == 0 else runs[r, 1] + margin
            for w in range(n_windows):
                a = first + w * width
                if a < 0 or a + width + 1 > n:
                    continue
                s_p, s_d = _window_sums_of_squares(y[a : a + width + 1])
                p_buf[m] = s_p / width
                d_buf[m] = s_d / width
                m += 1
        power[r] = _median_of_few(p_buf, m)
        d_power[r] = _median_of_few(d_buf, m)
    return power, d_power


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
    edges = np.empty(n + 1, np.int64)  # every change of state (as in candidate_runs)
    below, words = _flag_buffer(block)
    k = 0
    prev = np.uint8(0)
    for lo in range(0, n, block):
        hi = min(lo + block, n)
        lv = level[lo // block]
        v = env[lo:hi]
        for j in range(hi - lo):
            below[j] = v[j] < lv
        k, prev = _append_changes(below, words, hi - lo, lo, edges, k, prev)
    if prev:
        edges[k] = n
        k += 1
    return edges[:k].copy().reshape(k // 2, 2)


@njit(nogil=True, cache=True, inline="always")
def _order_key(bits, shift, top):  # pragma: no cover - compiled
    """The signed integer that orders as the float whose bits these are (finite floats, -0 below
    +0): negative floats have their magnitude bits flipped. Its own inverse."""
    return bits ^ ((bits >> shift) & top)


@njit(nogil=True, cache=True)
def _extreme_bits(bits, pair):  # pragma: no cover - compiled
    """The bits of the largest and of the smallest of the finite floats whose bits are ``bits``
    into ``pair[0]`` and ``pair[1]``: integer maxima of order keys (one SIMD pass; the float
    comparisons do not vectorise)."""
    kind = bits.dtype.type  # every step in the bits' own width (wider ones halve the SIMD lanes)
    top = kind(np.iinfo(bits.dtype).max)
    shift = kind(bits.itemsize * 8 - 1)
    hi = kind(np.iinfo(bits.dtype).min)
    lo = top
    for j in range(bits.size):
        key = _order_key(bits[j], shift, top)
        hi = max(hi, key)
        lo = min(lo, key)
    pair[0] = _order_key(hi, shift, top)
    pair[1] = _order_key(lo, shift, top)


@njit(nogil=True, cache=True)
def clipped_runs(x, bits, block, min_run):  # pragma: no cover - compiled
    """Runs of at least ``min_run`` equal samples at the maximum or minimum of the block where
    the run starts (a block whose samples are all equal has no rail), and whether every sample
    is finite.

    ``x`` is float, ``bits`` the same memory as signed integers. Per block (while it is in the
    cache) one SIMD pass finds the extremes (:func:`_extreme_bits`; a NaN or infinity makes one
    of them non-finite), a second flags the samples at either and the flagged ones are listed
    (:func:`_append_set`; live EMG has about one per rail); only runs from those are followed.
    The runs are meaningful only when every sample is finite.

    Returns
    -------
    runs : int64[:, 2]
        ``[start, stop)`` pairs.
    finite : bool
    """
    n = x.size
    starts = np.empty(n // 2 + 1, np.int64)
    stops = np.empty(n // 2 + 1, np.int64)
    at_rail, words = _flag_buffer(block)
    rail_i = np.empty(at_rail.size + 1, np.int64)
    pair = np.empty(2, bits.dtype)
    rails = pair.view(x.dtype)  # the extremes as floats
    k = 0
    finite = True
    i = 0  # the first sample not yet in a run followed
    for a in range(0, n, block):
        e = min(a + block, n)
        i = max(i, a)
        if i == a and a > 0:  # a run of equal samples from the previous block belongs to that block
            while i < e and x[i] == x[a - 1]:
                i += 1
        _extreme_bits(bits[a:e], pair)
        h, low = rails[0], rails[1]
        finite &= np.isfinite(h) & np.isfinite(low)
        if h == low:
            continue
        v = x[a:e]
        for j in range(e - a):
            at_rail[j] = (v[j] >= h) | (v[j] <= low)
        for r in range(_append_set(at_rail, words, e - a, a, rail_i, 0)):
            t = rail_i[r]
            if t < i:  # inside the run followed last
                continue
            j = t + 1
            while j < n and x[j] == x[t]:
                j += 1
            if j - t >= min_run:
                starts[k] = t
                stops[k] = j
                k += 1
            i = j
    return _collect(starts, stops, k), finite


def peaks_above(env: np.ndarray, level: np.ndarray, block: int, distance: int) -> np.ndarray:
    """Local maxima of ``env`` at or above their block's ``level`` (``level[i // block]``), thinned
    so that no two are closer than ``distance`` samples, the higher kept: the peaks
    ``scipy.signal.find_peaks(env, height=<level per sample>, distance=distance)`` returns
    (flat tops count once, at their middle sample; the first and last samples are never peaks).

    The peaks are ranked by height with NumPy's ``argsort`` (SIMD, and the order ``find_peaks``
    uses; a compiled sort took as long as the whole scan).
    """
    pos = _local_peaks_above(env, level, block)
    if distance <= 1 or pos.size < 2:
        return pos
    return pos[_thin_peaks(pos, np.argsort(env[pos]), distance)]


@njit(nogil=True, cache=True)
def _local_peaks_above(env, level, block):  # pragma: no cover - compiled
    """The local maxima of :func:`peaks_above` before thinning."""
    n = env.size
    pos = np.empty(max(n, 1), np.int64)  # the branch-free compaction writes past the last rise
    k = 0
    lowest = level.min() if level.size else np.float32(np.inf)
    # every rise to a value not exceeded next, above every level (a peak or the start of a flat
    # top): flags set in one SIMD pass per tile, then listed (:func:`_append_set`)
    tile = 4096
    rise, words = _flag_buffer(tile)
    for t0 in range(1, n - 1, tile):
        t1 = min(t0 + tile, n - 1)
        before, here, after = env[t0 - 1 : t1 - 1], env[t0:t1], env[t0 + 1 : t1 + 1]  # views indexed from 0
        for j in range(t1 - t0):
            c = here[j]
            rise[j] = (c >= lowest) & (before[j] < c) & (after[j] <= c)
        k = _append_set(rise, words, t1 - t0, t0, pos, k)
    n_rise = k
    k = 0
    for r in range(n_rise):
        i = pos[r]
        c = env[i]
        ahead = i + 1
        while ahead < n - 1 and env[ahead] == c:  # a flat top
            ahead += 1
        if env[ahead] < c:
            peak = (i + ahead - 1) // 2
            if env[peak] >= level[peak // block]:
                pos[k] = peak
                k += 1
    return pos[:k].copy()


@njit(nogil=True, cache=True)
def _thin_peaks(pos, order, distance):  # pragma: no cover - compiled
    """Which peaks ``pos`` remain when, highest first (``order``: ascending height), each removes
    the others closer than ``distance`` samples."""
    k = pos.size
    keep = np.ones(k, np.bool_)
    for r in range(k - 1, -1, -1):  # highest first
        j = order[r]
        if not keep[j]:
            continue
        left = j - 1
        while left >= 0 and pos[j] - pos[left] < distance:
            keep[left] = False
            left -= 1
        right = j + 1
        while right < k and pos[right] - pos[j] < distance:
            keep[right] = False
            right += 1
    return keep


@njit(nogil=True, cache=True)
def _reflected_index(t, m):  # pragma: no cover - compiled
    """``t`` mirrored into ``[0, m)`` (half-sample symmetric: d c b a | a b c d | d c b a)."""
    while t < 0 or t >= m:
        t = -t - 1 if t < 0 else 2 * m - t - 1
    return t


@njit(nogil=True, cache=True)
def _window_squares(y, a, m, lead, size, sq):  # pragma: no cover - compiled
    """``sq[j]`` = the square (float64) of ``y`` at position ``j - lead`` of the window
    ``y[a:a + m]``, mirrored into the window at its ends only, for ``j < m + size - 1``."""
    n_sq = m + size - 1
    inner_lo, inner_hi = min(lead, n_sq), min(lead + m, n_sq)
    inner, window = sq[inner_lo:inner_hi], y[a + inner_lo - lead : a + inner_hi - lead]
    for j in range(inner_hi - inner_lo):
        v = np.float64(window[j])
        inner[j] = v * v
    if lead <= m and n_sq - lead - m <= m:  # one mirroring at each end: copies of the inside
        for j in range(inner_lo):
            sq[j] = sq[2 * lead - 1 - j]
        for j in range(inner_hi, n_sq):
            sq[j] = sq[2 * (lead + m) - 1 - j]
        return
    for j in range(inner_lo):
        v = np.float64(y[a + _reflected_index(j - lead, m)])
        sq[j] = v * v
    for j in range(inner_hi, n_sq):
        v = np.float64(y[a + _reflected_index(j - lead, m)])
        sq[j] = v * v


@njit(nogil=True, cache=True)
def _moving_mean_argmax(sq, m, size):  # pragma: no cover - compiled
    """First of ``m`` positions where the running mean of ``size`` values of ``sq`` peaks (one
    window; :func:`~myoclonus.signals.vector_sections.moving_mean_argmax` for the arithmetic)."""
    acc = 0.0
    for j in range(size):
        acc += sq[j]
    acc /= size
    best, best_i = acc, 0
    for i in range(1, m):
        acc += (sq[i + size - 1] - sq[i - 1]) / size
        if acc > best:
            best, best_i = acc, i
    return best_i


@njit(nogil=True, cache=True)
def _align_lanes(y, peaks, ks, count, half, size, sq, divisor, best, out):  # pragma: no cover - compiled
    """:func:`align_on_energy` for ``count`` (at most GROUP) peaks ``ks`` whose windows lie
    inside ``y``, one per vector lane (unused lanes repeat the last peak)."""
    width = 2 * half + 1
    for lane in range(GROUP):
        k = ks[min(lane, count - 1)]
        _window_squares(y, peaks[k] - half, width, size // 2, size, sq[lane])
    vector_sections.moving_mean_argmax(sq, size, width - 1, divisor, best)
    for lane in range(count):
        k = ks[lane]
        out[k] = peaks[k] - half + np.int64(best[0, lane])


@njit(nogil=True, cache=True)
def align_on_energy(y, peaks, half, size):  # pragma: no cover - compiled
    """Each peak moved to the (first) maximum of ``y**2`` averaged over ``size`` samples, searched
    within ``peaks +- half`` (cut at the ends of ``y``): the running mean of
    ``scipy.ndimage.uniform_filter1d(y[window]**2, size, mode="reflect")``, computed the same way
    (first window summed then divided, then increments divided by ``size``).

    Peaks whose whole window lies inside ``y`` go :data:`GROUP` at a time, one per vector lane
    (the running means are chains of dependent additions; four side by side took 345 -> 202 CPU
    ns per peak, measured on a 2048-Hz EMG chunk); the others one by one.
    """
    n = y.size
    out = peaks.copy()
    width = 2 * half + 1
    sq = np.empty(width + size)  # the squares of one window, mirrored beyond its ends
    lanes = np.empty((GROUP, width + size))  # the same for GROUP windows
    divisor = np.full((1, GROUP), np.float64(size))
    best = np.empty((1, GROUP))
    ks = np.empty(GROUP, np.int64)
    count = 0
    for k in range(peaks.size):
        a = max(peaks[k] - half, 0)
        m = min(peaks[k] + half + 1, n) - a
        if m == width:
            ks[count] = k
            count += 1
            if count == GROUP:
                _align_lanes(y, peaks, ks, count, half, size, lanes, divisor, best, out)
                count = 0
        else:
            _window_squares(y, a, m, size // 2, size, sq)
            out[k] = a + _moving_mean_argmax(sq, m, size)
    if count:
        _align_lanes(y, peaks, ks, count, half, size, lanes, divisor, best, out)
    return out


@njit(nogil=True, cache=True, fastmath=True)  # the sums reassociated (SIMD)
def normalised_windows(y, peaks, half):  # pragma: no cover - compiled
    """Windows ``peaks +- half`` of ``y`` (zeros beyond its ends), mean removed, unit norm (rows).

    A window inside ``y`` is copied without bounds tests, so the copy and its sum are vector
    instructions (0.48 -> 0.21 CPU ns per channel-sample on the ECG screen of a 16-channel
    2048-Hz chunk, measured); only windows cut by the ends test each sample.
    """
    n = y.size
    width = 2 * half + 1
    out = np.empty((peaks.size, width))
    for k in range(peaks.size):
        row = out[k]
        lo = peaks[k] - half
        s = 0.0
        if 0 <= lo and lo + width <= n:
            window = y[lo : lo + width]
            for j in range(width):
                row[j] = window[j]
                s += row[j]
        else:
            for j in range(width):
                t = lo + j
                row[j] = y[t] if 0 <= t < n else 0.0
                s += row[j]
        mean = s / width
        ss = 0.0
        for j in range(width):
            row[j] -= mean
            ss += row[j] * row[j]
        norm = max(np.sqrt(ss), 1e-12)
        for j in range(width):
            row[j] /= norm
    return out


@njit(nogil=True, cache=True, fastmath=True)  # the dot products reassociated (SIMD)
def similar_neighbour_votes(seg, peaks, window, min_corr):  # pragma: no cover - compiled
    """Per window (row of ``seg``, unit norm): how many others within ``window`` samples of its
    peak correlate with it at zero lag above ``min_corr`` (absolute value)."""
    n = peaks.size
    votes = np.zeros(n, np.int64)
    width = seg.shape[1]
    for i in range(n):
        j = i + 1
        while j < n and peaks[j] - peaks[i] <= window:
            r = 0.0
            for t in range(width):
                r += seg[i, t] * seg[j, t]
            if abs(r) > min_corr:
                votes[i] += 1
                votes[j] += 1
            j += 1
    return votes


@njit(nogil=True, cache=True)
def calibrate(digital, offset, gain, scale, out):  # pragma: no cover - compiled
    """``out[j] = (digital[j] + offset) * gain * scale``, evaluated in float64 in that order (the
    physical value of an EDF/BDF sample as edfio computes it, then our unit scale) and stored in
    ``out``'s type."""
    for j in range(digital.size):
        out[j] = (np.float64(digital[j]) + offset) * gain * scale


@njit(nogil=True, cache=True, fastmath=True)  # finite input: max/min as vector instructions
def column_medians(a):  # pragma: no cover - compiled
    """``np.median(a, axis=0)`` for a 2-D float64 array of a few rows (a beat and its neighbours).

    The rows are sorted column-wise by insertion written as compare-exchanges (each new row sinks
    through the sorted ones, every column at once: no branch on the data, SIMD across columns);
    then the middle row, or the mean of the two middle rows, as NumPy computes it. NumPy
    partitions each column through a strided copy, and :func:`myoclonus.signals.conditioning.row_medians`
    on the transpose sorts 1382 rows of 12 one by one: measured 290 / 87 / 37 us for the three on
    12 rows of 1382 samples (this runs for every beat of every ECG channel). NaN when there is no
    row."""
    n_rows, n_cols = a.shape
    if n_rows == 0:
        return np.full(n_cols, np.nan)
    rows = np.empty((n_rows, n_cols))
    width = 64  # columns sorted together (they stay in the L1 cache)
    sinking = np.empty(width)
    for j0 in range(0, n_cols, width):
        j1 = min(j0 + width, n_cols)
        for i in range(n_rows):
            sinking[: j1 - j0] = a[i, j0:j1]
            for k in range(i - 1, -1, -1):  # rows[:i] are sorted column by column
                below, above = rows[k, j0:j1], rows[k + 1, j0:j1]
                for j in range(j1 - j0):
                    x, v = below[j], sinking[j]
                    above[j] = max(x, v)
                    sinking[j] = min(x, v)
            rows[0, j0:j1] = sinking[: j1 - j0]
    h = n_rows // 2
    if n_rows % 2:
        return rows[h].copy()
    return (rows[h - 1] + rows[h]) / 2.0


@njit(nogil=True, cache=True, fastmath=True)  # the dot products reassociated (SIMD)
def shift_scores(core, wide, pad):  # pragma: no cover - compiled
    """``core @ wide[pad + lag : pad + lag + core.size]`` for ``lag`` in ``-pad .. pad``."""
    m = core.size
    out = np.empty(2 * pad + 1)
    for k in range(2 * pad + 1):
        w = wide[k : k + m]
        s = 0.0
        for j in range(m):
            s += core[j] * w[j]
        out[k] = s
    return out
