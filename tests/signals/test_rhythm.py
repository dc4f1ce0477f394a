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


def test_strongly_periodic_train_skips_the_surrogates_with_a_valid_bound():
    rng = np.random.default_rng(7)
    t = np.arange(0.5, 600.0, 1.5) + rng.normal(0.0, 0.03, 400)
    res = analyse_rhythm(t, duration_s=600.0)
    assert res.n_surrogates == 0 and res.p_value < 1e-6 and res.rhythmic
    assert abs(res.dominant_hz - 1 / 1.5) < 0.01


def test_null_tail_bound_holds_on_poisson_trains():
    """Hoeffding's bound is an upper bound of the surrogate tail it replaces."""
    from myoclonus.signals.rhythm import _grid, _null_tail_bound, _periodogram_max

    rng = np.random.default_rng(8)
    duration, f_lo, f_hi = 60.0, 2.0 / 60.0, 20.0
    maxima = np.array([_periodogram_max(rng.uniform(0.0, duration, rng.poisson(50)), duration, f_lo, f_hi)[0]
                       for _ in range(300)])
    n_freq = int(_grid(duration, f_lo, f_hi)[3].sum())
    for x in np.quantile(maxima, [0.5, 0.9, 0.99]):
        assert np.mean(maxima >= x) <= _null_tail_bound(x, n_freq)
    # and the early stop still rejects nothing on a Poisson train
    t = np.sort(rng.uniform(0.0, 600.0, 300))
    res = analyse_rhythm(t, duration_s=600.0)
    assert not res.rhythmic and 0 < res.n_surrogates < 199
