"""Figures: drawn from real results, cut-off lines from the settings, reasons when not drawable."""
from __future__ import annotations

import base64

import numpy as np
import pandas as pd

from myoclonus.report.figures import (
    MAX_PANELS,
    burst_duration_figure,
    interval_histogram_figure,
    jlba_figure,
    recruitment_ladder_figure,
    representative_jerks,
)
from myoclonus.settings import AnalysisSettings, OriginSettings


def _png(fig) -> bytes:
    data = base64.b64decode(fig.png_base64)
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return data


def test_duration_lines_follow_the_settings(no_eeg_analysis):
    default = burst_duration_figure(no_eeg_analysis.bursts, no_eeg_analysis.recording.channels)
    assert "45 ms" in default.caption and "50 ms" in default.caption and "70 ms" in default.caption and "100 ms" in default.caption
    custom = AnalysisSettings(origin=OriginSettings(cortical_burst_cutoff_ms=40.0, functional_burst_min_ms=80.0))
    moved = burst_duration_figure(no_eeg_analysis.bursts, no_eeg_analysis.recording.channels, custom)
    assert "40 ms" in moved.caption and "80 ms" in moved.caption
    assert _png(moved) != _png(default)  # the lines really moved


def test_panels_are_capped_for_many_muscles(many_channel_analysis):
    fig = burst_duration_figure(many_channel_analysis.bursts, many_channel_analysis.recording.channels)
    n_with_bursts = many_channel_analysis.bursts.summary()["channel"].nunique()
    assert n_with_bursts > MAX_PANELS
    assert f"{n_with_bursts - MAX_PANELS} more are in findings.json" in fig.caption


def test_unavailable_figures_give_reasons():
    empty = pd.DataFrame(columns=["onset_s", "n_muscles", "latencies_ms"])
    assert "no jerk" in recruitment_ladder_figure(empty).reason
    assert "at least 3" in interval_histogram_figure(empty).reason
    assert jlba_figure(None).reason.startswith("back-averaging was not run")
    one = pd.DataFrame({"onset_s": [1.0, 2.0], "n_muscles": [1, 1], "latencies_ms": [{"R FDI": 0.0}, {"R FDI": 0.0}]})
    assert "single muscle" in recruitment_ladder_figure(one).reason


def test_representative_jerks_prefer_the_usual_pattern():
    jerks = pd.DataFrame({"onset_s": np.arange(10.0), "n_muscles": [3, 3, 3, 3, 3, 3, 3, 9, 1, 3]})
    chosen = representative_jerks(jerks, 3)
    assert set(chosen["n_muscles"]) == {3}
    assert chosen["onset_s"].iloc[0] == 0.0 and chosen["onset_s"].iloc[-1] == 9.0


def test_jlba_figure_draws_the_confidence_band_of_the_result(cortical_analysis):
    jlba = cortical_analysis.neurophysiology.jlba
    assert jlba.status != "not_assessable", jlba.reason
    assert jlba.sem_uv.shape == jlba.average_uv.shape and (jlba.sem_uv > 0).any()
    fig = jlba_figure(jlba, cortical_analysis.settings)
    assert "95% confidence interval" in fig.caption
    _png(fig)


def test_a_failing_figure_leaves_the_rest_of_the_report(no_eeg_analysis, monkeypatch):
    from myoclonus.report import figures

    def broken(*args, **kwargs):
        raise ValueError("simulated drawing failure")

    monkeypatch.setattr(figures, "recruitment_ladder_figure", broken)
    result = {f.id: f for f in figures.build_figures(no_eeg_analysis)}
    assert "simulated drawing failure" in result["recruitment"].reason
    assert result["burst_durations"].available


def test_interval_caption_reports_tiny_rhythm_p_values_as_below_0_001():
    from myoclonus.signals.rhythm import analyse_rhythm

    onsets = np.arange(0.5, 300.0, 1.5)
    jerks = pd.DataFrame({"onset_s": onsets, "n_muscles": 2})
    rhythm = analyse_rhythm(onsets, duration_s=300.0)
    assert rhythm.p_value < 1e-6 and rhythm.n_surrogates == 0  # the analytic bound
    fig = interval_histogram_figure(jerks, rhythm)
    assert "p value: < 0.001" in fig.caption and "rhythmic: True" in fig.caption
