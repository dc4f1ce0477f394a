"""Small synthetic EMG with known jerks for the report tests (imported by conftest and tests)."""
from __future__ import annotations

import numpy as np
from myoclonus.settings import AnalysisSettings, OriginSettings

SFREQ = 1000.0
#: 22 muscles x 2 sides + 20 paraspinal levels = 64 EMG channel names typed by name (CONTRACTS 3).
MUSCLES = ["FDI", "APB", "ADM", "ECR", "FCR", "EDC", "BIC", "TRI", "DEL", "SCM", "TRAP", "MAS", "OOC", "OOR", "MEN", "RA",
              "QUAD", "HAM", "TA", "GAS", "SOL", "INT"]


def noise(rng: np.random.Generator, n: int, sd_uv: float = 3.0) -> np.ndarray:
    return rng.normal(0.0, sd_uv, n)


def _add_burst(x: np.ndarray, rng: np.random.Generator, onset_s: float, duration_ms: float, amp_uv: float = 150.0) -> None:
    start = int(onset_s * SFREQ)
    n = int(duration_ms * SFREQ / 1e3)
    x[start:start + n] += amp_uv * rng.normal(0.0, 1.0, n) * np.hanning(n + 2)[1:-1] ** 0.3


def emg_with_jerks(names: list[str], *, duration_s: float = 20.0, n_jerks: int = 12, seed: int = 0,
                   latency_step_ms: float = 8.0, burst_ms: float = 35.0) -> np.ndarray:
    """Noise on every channel; jerks recruit the channels in order with ``latency_step_ms`` between them."""
    rng = np.random.default_rng(seed)
    n = int(duration_s * SFREQ)
    data = np.vstack([noise(rng, n) for _ in names])
    onsets = np.linspace(1.0, duration_s - 1.0, n_jerks) + rng.uniform(-0.2, 0.2, n_jerks)
    for t in onsets:
        for k in range(len(names)):
            _add_burst(data[k], rng, t + k * latency_step_ms / 1e3, burst_ms * rng.uniform(0.8, 1.2))
    return data


def fast_settings() -> AnalysisSettings:
    """Default settings with fewer JLBA surrogates (speed); every cut-off unchanged."""
    return AnalysisSettings(origin=OriginSettings(jlba_surrogates=40, jlba_min_epochs=20))
