"""Second-order filter sections (and the running mean of the QRS alignment) run on four
channels at once, as vector instructions.

The band-pass and the mains resonators of :func:`myoclonus.signals.kernels.condition_emg` are
chains of dependent multiply-adds: one channel alone leaves the processor waiting on each
result. Four channels side by side fill one 256-bit vector register, and one instruction then
advances all four. numba does not emit such instructions for this code (its straight-line
vectoriser is off since numba issue #8705, and the loop vectoriser does not pack loop-carried
filter states), so the three filter loops below are written in LLVM IR as numba intrinsics. The
arithmetic is that of :func:`scipy.signal.sosfilt` (transposed direct form II), operation by
operation and in the same order, so the output is identical to the scalar formulation
(tests/signals/test_vector_sections.py checks it bit for bit).

Every array is float64 and C-contiguous with :data:`LANES` columns: row ``j`` of a block holds
sample ``j`` of the four channels; a coefficient or state array holds one value per channel in
each row. Measured on 4 channels x 2048-sample blocks in cache (one core, CPU time): a section
pair 0.77 ns per channel-sample, against 2.3 ns for the same loop in scalar code;
``benchmarks/bench_conditioning.py`` times the whole conditioning against the same steps in SciPy.

The QRS alignment's running mean (:func:`moving_mean_argmax`) is such a chain too (of additions):
four candidate windows advance side by side, each lane with the scalar loop's operations (its
squares come one window per row, each filled by vectorised loops, and are gathered by column).

Editing this module: numba caches :mod:`myoclonus.signals.kernels` by that file's own time stamp,
not by the modules it calls, so delete ``src/myoclonus/signals/__pycache__/kernels.*.nb[ic]`` (or
touch ``kernels.py``) after a change here.
"""
from __future__ import annotations

from llvmlite import ir
from numba import types
from numba.core import cgutils
from numba.core.errors import TypingError
from numba.extending import intrinsic

__all__ = ["LANES", "moving_mean_argmax", "resonator_line", "resonator_subtract", "section_pair"]

#: Channels per vector (four float64 fill a 256-bit register).
LANES = 4

_VECTOR = ir.VectorType(ir.DoubleType(), LANES)
_INDEX = ir.IntType(64)


def _require_lane_arrays(*arrays) -> None:
    """Typing-time check: every array is float64, C-contiguous, with LANES values per row."""
    for a in arrays:
        if not (isinstance(a, types.Array) and a.dtype == types.float64 and a.layout == "C"):
            raise TypingError(f"vector sections need C-contiguous float64 arrays, got {a}")


class _Rows:
    """Rows of a C-contiguous float64 array of :data:`LANES` columns, read and written as vectors."""

    def __init__(self, context, builder, array_type, value):
        self.builder = builder
        self.data = context.make_array(array_type)(context, builder, value).data

    def _pointer(self, row):
        b = self.builder
        row = row if isinstance(row, ir.Value) else ir.Constant(_INDEX, row)
        return b.bitcast(b.gep(self.data, [b.mul(row, ir.Constant(_INDEX, LANES))]), _VECTOR.as_pointer())

    def load(self, row):
        return self.builder.load(self._pointer(row), align=8)

    def store(self, row, value):
        self.builder.store(value, self._pointer(row), align=8)


class _Columns:
    """Columns of a C-contiguous float64 array of :data:`LANES` rows (row ``l`` is lane ``l``'s
    sequence), read as vectors: element ``j`` of every row (each row is written by contiguous,
    vectorised loops; a column is gathered from :data:`LANES` scalar loads)."""

    def __init__(self, context, builder, array_type, value):
        self.builder = builder
        array = context.make_array(array_type)(context, builder, value)
        self.data = array.data
        self.stride = cgutils.unpack_tuple(builder, array.shape, 2)[1]

    def load(self, column):
        b = self.builder
        vector = ir.Constant(_VECTOR, ir.Undefined)
        for lane in range(LANES):
            at = b.add(b.mul(ir.Constant(_INDEX, lane), self.stride), column)
            vector = b.insert_element(vector, b.load(b.gep(self.data, [at]), align=8), ir.Constant(ir.IntType(32), lane))
        return vector


def _biquad(b: ir.IRBuilder, v, c, p, q):
    """One sample through a section (``c`` = b0, b1, b2, a1, a2) as ``scipy.signal.sosfilt``
    computes it: the output and the two new states."""
    o = b.fadd(b.fmul(c[0], v), p)
    return o, b.fadd(b.fsub(b.fmul(c[1], v), b.fmul(c[3], o)), q), b.fsub(b.fmul(c[2], v), b.fmul(c[4], o))


def _filter_loop(builder, n, state: _Rows, n_states: int, step) -> None:
    """``step(builder, j, states) -> new states`` for ``j`` in ``0 .. n``; the states start from
    and end in the rows of ``state`` (locals in between, so they live in registers)."""
    slots = [cgutils.alloca_once_value(builder, state.load(k)) for k in range(n_states)]
    with cgutils.for_range(builder, n) as loop:
        new = step(builder, loop.index, [builder.load(s) for s in slots])
        for slot, value in zip(slots, new):
            builder.store(value, slot)
    for k, slot in enumerate(slots):
        state.store(k, builder.load(slot))


@intrinsic
def section_pair(typingctx, u, n, coef, state):
    """Two cascaded sections over rows ``0 .. n`` of ``u``, in place.

    ``coef``: (10, LANES), b0 b1 b2 a1 a2 of the first section, then of the second; ``state``:
    (4, LANES), the first section's two states then the second's (updated).
    """
    _require_lane_arrays(u, coef, state)

    def codegen(context, builder, sig, args):
        rows, c_rows, s_rows = (_Rows(context, builder, t, a) for t, a in zip((u, coef, state), (args[0], args[2], args[3])))
        c = [c_rows.load(k) for k in range(10)]

        def step(b, j, s):
            o, p, q = _biquad(b, rows.load(j), c[:5], s[0], s[1])
            o, r, t = _biquad(b, o, c[5:], s[2], s[3])
            rows.store(j, o)
            return p, q, r, t

        _filter_loop(builder, args[1], s_rows, 4, step)
        return context.get_dummy_value()

    return types.void(u, n, coef, state), codegen


@intrinsic
def resonator_line(typingctx, u, n, coef, state, line, resid):
    """A mains resonator's first pass: for rows ``0 .. n`` of ``u``, the resonator output (the
    line) into ``line`` and ``u`` minus it into ``resid``.

    ``coef``: (5, LANES), one section per channel; ``state``: (2, LANES) (updated).
    """
    _require_lane_arrays(u, coef, state, line, resid)

    def codegen(context, builder, sig, args):
        rows, c_rows, s_rows, l_rows, r_rows = (_Rows(context, builder, t, a) for t, a in
                                                zip((u, coef, state, line, resid), (args[0],) + tuple(args[2:])))
        c = [c_rows.load(k) for k in range(5)]

        def step(b, j, s):
            v = rows.load(j)
            o, p, q = _biquad(b, v, c, s[0], s[1])
            l_rows.store(j, o)
            r_rows.store(j, b.fsub(v, o))
            return p, q

        _filter_loop(builder, args[1], s_rows, 2, step)
        return context.get_dummy_value()

    return types.void(u, n, coef, state, line, resid), codegen


@intrinsic
def resonator_subtract(typingctx, u, n, coef, state, line, resid, level):
    """A mains resonator's second pass: the resonator runs on ``line + clip(resid, -level,
    level)`` (``min(max(resid, -level), level)``) and its output is subtracted from ``u``.

    ``coef``: (5, LANES); ``state``: (2, LANES) (updated); ``level``: (LANES,), per channel.
    """
    _require_lane_arrays(u, coef, state, line, resid, level)

    def codegen(context, builder, sig, args):
        rows, c_rows, s_rows, l_rows, r_rows, lv_rows = (_Rows(context, builder, t, a) for t, a in
                                                         zip((u, coef, state, line, resid, level), (args[0],) + tuple(args[2:])))
        c = [c_rows.load(k) for k in range(5)]
        high = lv_rows.load(0)
        low = builder.fneg(high)

        def step(b, j, s):
            r = r_rows.load(j)
            r = b.select(b.fcmp_ordered("<", r, low), low, r)  # max(r, -level)
            r = b.select(b.fcmp_ordered(">", r, high), high, r)  # min(r, level)
            o, p, q = _biquad(b, b.fadd(l_rows.load(j), r), c, s[0], s[1])
            rows.store(j, b.fsub(rows.load(j), o))
            return p, q

        _filter_loop(builder, args[1], s_rows, 2, step)
        return context.get_dummy_value()

    return types.void(u, n, coef, state, line, resid, level), codegen


@intrinsic
def moving_mean_argmax(typingctx, sq, size, n_steps, divisor, out):
    """Where the running mean of ``size`` values of each row of ``sq`` peaks, four rows at once
    (one per lane).

    The mean of values ``0 .. size`` (summed in order, then divided by ``divisor``) is followed
    ``n_steps`` values on, each step adding ``(sq[i + size - 1] - sq[i - 1]) / divisor`` (the
    arithmetic of :func:`scipy.ndimage.uniform_filter1d` that
    :func:`myoclonus.signals.kernels.align_on_energy` reproduces); ``out[0]`` gets the first
    position of the largest mean, as a float. Each lane's additions depend on the one before
    (4 cycles apiece), so four windows side by side take about the time of one.

    ``sq``: (LANES, size + n_steps), one window per row; ``divisor``: (1, LANES), ``size`` in
    every lane; ``out``: (1, LANES).
    """
    _require_lane_arrays(divisor, out)
    if not (isinstance(sq, types.Array) and sq.dtype == types.float64 and sq.layout == "C" and sq.ndim == 2):
        raise TypingError(f"moving_mean_argmax needs a C-contiguous 2-D float64 array, got {sq}")

    def codegen(context, builder, sig, args):
        rows = _Columns(context, builder, sq, args[0])
        d_rows, o_rows = (_Rows(context, builder, t, a) for t, a in zip((divisor, out), (args[3], args[4])))
        d = d_rows.load(0)
        zero = ir.Constant(_VECTOR, [0.0] * LANES)
        one = ir.Constant(_VECTOR, [1.0] * LANES)
        acc = cgutils.alloca_once_value(builder, zero)
        with cgutils.for_range(builder, args[1]) as loop:  # the first window, summed in order
            builder.store(builder.fadd(builder.load(acc), rows.load(loop.index)), acc)
        first = builder.fdiv(builder.load(acc), d)
        builder.store(first, acc)
        best = cgutils.alloca_once_value(builder, first)
        best_i = cgutils.alloca_once_value(builder, zero)
        here = cgutils.alloca_once_value(builder, zero)
        with cgutils.for_range(builder, args[2]) as loop:  # step i = index + 1
            b = builder
            step = b.fdiv(b.fsub(rows.load(b.add(loop.index, args[1])), rows.load(loop.index)), d)
            a = b.fadd(b.load(acc), step)
            b.store(a, acc)
            i = b.fadd(b.load(here), one)
            b.store(i, here)
            up = b.fcmp_ordered(">", a, b.load(best))
            b.store(b.select(up, a, b.load(best)), best)
            b.store(b.select(up, i, b.load(best_i)), best_i)
        o_rows.store(0, builder.load(best_i))
        return context.get_dummy_value()

    return types.void(sq, size, n_steps, divisor, out), codegen
