"""analyse_rhythm: intervals, CV, dominant frequency, periodicity test against Poisson."""
from __future__ import annotations

import numpy as np
import pytest

from myoclonus.errors import InputError
from myoclonus.signals.rhythm import analyse_rhythm


@pytest.mark.parametrize("rate_hz", [1.5, 4.0])
def test_rhythmic_train_is_detected_with_its_frequency(rate_hz):
    rng = np.random.default_rng(0)
    t = np.cumsum(rng.normal(1 / rate_hz, 0.05 / rate_hz, size=60))
    res = analyse_rhythm(t, duration_s=float(t[-1] + 1 / rate_hz))
    assert res.rhythmic and res.p_value < 0.01
    assert abs(res.dominant_hz - rate_hz) < 0.1 * rate_hz
    assert res.cv < 0.1
    assert res.median_interval_s == pytest.approx(1 / rate_hz, rel=0.05)


def test_poisson_train_is_not_rhythmic_and_p_is_roughly_uniform():
    ps = []
    for seed in range(10):
        rng = np.random.default_rng(100 + seed)
        t = np.sort(rng.uniform(0, 120, rng.poisson(80)))
        res = analyse_rhythm(t, duration_s=120.0, n_surrogates=99, seed=seed)
        assert not res.rhythmic
        assert 0.6 < res.cv < 1.4
        ps.append(res.p_value)
    # under the null the p-values are not concentrated near 0
    assert np.mean(np.asarray(ps) < 0.05) <= 0.2


def test_reproducible_and_degenerate_inputs():
    t = np.arange(0, 30, 0.7)
    assert analyse_rhythm(t).p_value == analyse_rhythm(t).p_value
    few = analyse_rhythm([1.0, 2.0])
    assert few.n_events == 2 and not few.rhythmic and np.isnan(few.cv)
    with pytest.raises(InputError, match="finite"):
        analyse_rhythm([1.0, np.nan, 3.0])
    d = analyse_rhythm(t).to_dict()
    assert isinstance(d["intervals_s"], list) and isinstance(d["rhythmic"], bool)


def test_dominant_frequency_is_the_fundamental_of_a_strictly_periodic_train():
    # a perfectly regular train has equal periodogram peaks at every harmonic
    for rate_hz in (0.77, 1.5, 4.0):
        onsets = np.arange(0.0, 300.0, 1.0 / rate_hz)
        assert abs(analyse_rhythm(onsets, duration_s=300.0).dominant_hz - rate_hz) < 0.02
