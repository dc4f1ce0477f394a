"""Read long recordings window by window (bounded memory), with margins so that every result
equals the one-shot result.

Each window keeps the events whose onset falls in its core ``[core_start_s, core_stop_s)``; the
margins (``MARGIN_S`` each side) cover the 60-s resting-level window (30 s each side), filter
transients and movements that cross the core's end. Window starts are whole multiples of the 1-s
resting-level block, so the blocks line up with a one-shot run.
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from myoclonus.signals.sleep.envelope import REST_BLOCK_S, REST_WINDOW_S, samples

__all__ = ["Window", "iter_windows", "CORE_S", "MARGIN_S"]

CORE_S = 600.0  # samples per window core (engineering choice: 10 min x 1 kHz = 4.8 MB per channel)
MARGIN_S = REST_WINDOW_S  # >= half the resting-level window plus the longest movement followed (engineering choice)


@dataclass(frozen=True)
class Window:
    """One window: samples ``[start, stop)`` to read; keep events with onset in the core (seconds)."""

    start: int
    stop: int
    core_start_s: float
    core_stop_s: float


def iter_windows(n_times: int, sfreq: float, *, core_s: float = CORE_S, margin_s: float = MARGIN_S) -> Iterator[Window]:
    """Windows covering ``n_times`` samples; a single window when the recording is short."""
    block = samples(REST_BLOCK_S, sfreq)
    core = max(1, int(round(core_s / REST_BLOCK_S))) * block
    margin = max(1, int(round(margin_s / REST_BLOCK_S))) * block
    if n_times <= core + 2 * margin:
        yield Window(0, n_times, 0.0, float("inf"))
        return
    for c0 in range(0, n_times, core):
        c1 = min(c0 + core, n_times)
        yield Window(max(0, c0 - margin), min(n_times, c1 + margin),
                     -float("inf") if c0 == 0 else c0 / sfreq, float("inf") if c1 >= n_times else c1 / sfreq)
