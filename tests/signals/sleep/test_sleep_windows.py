"""Window-by-window scoring of long recordings equals the one-shot result (bounded memory)."""
from __future__ import annotations

import numpy as np

from myoclonus.signals.sleep.scoring import score_sleep
from myoclonus.signals.sleep.windows import iter_windows
from myoclonus.simulate.psg import simulate_psg


def test_windows_cover_every_sample_once():
    wins = list(iter_windows(256 * 3000, 256.0, core_s=600.0, margin_s=60.0))
    assert len(wins) == 5
    cores = [(w.core_start_s, w.core_stop_s) for w in wins]
    assert cores[0][0] == -np.inf and cores[-1][1] == np.inf
    assert [c[1] for c in cores[:-1]] == [c[0] for c in cores[1:]]
    assert all(w.start % 256 == 0 for w in wins)  # aligned with the 1-s resting-level blocks


def test_windowed_scoring_equals_one_shot(monkeypatch):
    sim = simulate_psg(1500.0, 256.0, seed=12, fm_per_min=2.0, include_eeg=False)
    one_shot = score_sleep(sim.raw.copy())
    monkeypatch.setattr("myoclonus.signals.sleep.limb_movements.iter_windows",
                        lambda n, fs: iter_windows(n, fs, core_s=240.0))
    monkeypatch.setattr("myoclonus.signals.sleep.scoring.iter_windows",
                        lambda n, fs: iter_windows(n, fs, core_s=240.0))
    assert len(list(iter_windows(sim.raw.n_times, 256.0, core_s=240.0))) > 3
    chunked = score_sleep(sim.raw.copy())
    a = np.array([(m.onset_s, m.offset_s) for m in one_shot.movements])
    b = np.array([(m.onset_s, m.offset_s) for m in chunked.movements])
    assert a.shape == b.shape and np.abs(a - b).max() < 1e-6
    assert one_shot.to_dict() == chunked.to_dict()
    fa = [(p.onset_s, p.channel) for p in one_shot.fragmentary.potentials]
    fb = [(p.onset_s, p.channel) for p in chunked.fragmentary.potentials]
    assert len(fa) == len(fb) and np.allclose([x for x, _ in fa], [x for x, _ in fb])
