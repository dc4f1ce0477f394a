"""The vector filter loops against the scalar formulation, bit for bit, and the median selection
against NumPy's median."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numba import njit
from numba.core.errors import TypingError
from scipy import signal

from myoclonus.signals import kernels, vector_sections
from myoclonus.signals.vector_sections import LANES

SFREQ = 2048.0


@njit
def _pair(u, n, coef, state):
    vector_sections.section_pair(u, n, coef, state)


@njit
def _line(u, n, coef, state, line, resid):
    vector_sections.resonator_line(u, n, coef, state, line, resid)


@njit
def _subtract(u, n, coef, state, line, resid, level):
    vector_sections.resonator_subtract(u, n, coef, state, line, resid, level)


def _lanes(section: np.ndarray) -> np.ndarray:
    """b0 b1 b2 a1 a2 of one section row (b0 b1 b2 a0 a1 a2), one column per channel."""
    return np.ascontiguousarray(np.repeat(section[[0, 1, 2, 4, 5], None], LANES, axis=1))


def _scalar_biquad(v, c, p, q):
    """The scalar step, in the order scipy.signal.sosfilt computes it."""
    o = c[0] * v + p
    return o, c[1] * v - c[3] * o + q, c[2] * v - c[4] * o


def _signal(n, seed):
    return np.random.default_rng(seed).normal(0.0, 10.0, (n, LANES))


def test_section_pair_equals_scipy_sosfilt_bit_for_bit():
    sos = np.vstack([signal.butter(2, 20.0, btype="highpass", fs=SFREQ, output="sos"),
                     signal.butter(2, 450.0, btype="lowpass", fs=SFREQ, output="sos")])
    x = _signal(5000, 0)
    u = x.copy()
    state = np.zeros((4, LANES))
    coef = np.vstack((_lanes(sos[0]), _lanes(sos[1])))
    _pair(u, 3000, coef, state)  # in two calls: the state carries over
    _pair(u[3000:], 2000, coef, state)
    for c in range(LANES):
        np.testing.assert_array_equal(u[:, c], signal.sosfilt(sos, x[:, c]))


def test_resonator_passes_equal_the_scalar_loop_bit_for_bit():
    sec = signal.tf2sos(*signal.iirpeak(50.0, 30.0, fs=SFREQ))[0]
    x = _signal(2000, 1) + 8.0 * np.sin(2 * np.pi * 50.0 * np.arange(2000) / SFREQ)[:, None]
    # per-channel coefficients and states: the lanes must not mix
    coef = _lanes(sec) * np.array([1.0, 1.0 - 1e-3, 1.0 + 1e-3, 1.0])
    start = np.random.default_rng(2).normal(0.0, 1.0, (2, LANES))
    level = np.array([0.0, 5.0, 12.0, np.inf])
    u, line, resid = x.copy(), np.empty_like(x), np.empty_like(x)
    s1, s2 = start.copy(), start.copy()
    _line(u, x.shape[0], coef, s1, line, resid)
    _subtract(u, x.shape[0], coef, s2, line, resid, level)
    for c in range(LANES):
        cc = coef[:, c]
        p, q = start[:, c]
        r, t = start[:, c]
        for j in range(x.shape[0]):
            v = x[j, c]
            o, p, q = _scalar_biquad(v, cc, p, q)
            assert line[j, c] == o and resid[j, c] == v - o
            o2, r, t = _scalar_biquad(o + min(max(v - o, -level[c]), level[c]), cc, r, t)
            assert u[j, c] == v - o2
        assert (s1[0, c], s1[1, c], s2[0, c], s2[1, c]) == (p, q, r, t)


def test_vector_sections_refuse_arrays_that_are_not_contiguous_float64():
    u = _signal(10, 3)
    with pytest.raises(TypingError):
        _pair(u[::2], 5, np.zeros((10, LANES)), np.zeros((4, LANES)))
    with pytest.raises(TypingError):
        _pair(u.astype(np.float32), 10, np.zeros((10, LANES)), np.zeros((4, LANES)))


@settings(max_examples=200, deadline=None)
@given(n=st.integers(1, 700), stride=st.integers(1, 9), ties=st.booleans(), seed=st.integers(0, 10_000))
def test_median_of_every_stride_th_absolute_value_equals_numpy(n, stride, ties, seed):
    v = np.random.default_rng(seed).normal(0.0, 3.0, (n, LANES))
    if ties:  # many equal values: the pivot's equals are counted, not partitioned
        v = np.round(v)
    count = -(-n // stride)
    work, scratch = np.empty(count), np.empty(count)
    for c in range(LANES):
        got = kernels._median_of_every(v[:, c], n, stride, work, scratch)
        assert got == np.median(np.abs(v[:n:stride, c]))
