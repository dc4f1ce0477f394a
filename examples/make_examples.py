"""Regenerate the bundled example recording (seeded, so the files are reproducible byte for byte).

    python examples/make_examples.py

Writes ``examples/example_cortical.edf`` and ``examples/example_cortical.truth.json``: 90 s of
simulated cortical myoclonus at 1000 Hz (11 EMG channels, 11 EEG channels, STIM) with 72
spontaneous jerks (enough for jerk-locked back-averaging, which needs 50-200 epochs) and right
median-nerve stimuli with C-reflexes and giant SEPs, plus the default confounders. Synthetic data
for demos, docs and tests, not a patient recording.
"""
from __future__ import annotations

from pathlib import Path

from myoclonus.simulate import simulate

HERE = Path(__file__).resolve().parent
EXAMPLE = dict(origin="cortical", minutes=1.5, seed=20261123, sfreq_hz=1000.0, n_jerks=72)


def main() -> None:
    sim = simulate(EXAMPLE["origin"], minutes=EXAMPLE["minutes"], seed=EXAMPLE["seed"], sfreq_hz=EXAMPLE["sfreq_hz"],
                   n_jerks=EXAMPLE["n_jerks"])
    edf, truth = sim.write(HERE / "example_cortical.edf")
    t = sim.truth
    print(f"wrote {edf.name} ({edf.stat().st_size / 1e6:.1f} MB) and {truth.name}: {len(t.jerks)} jerks, "
          f"{len(t.bursts)} bursts, {len(t.stimuli)} stimuli, {len(t.artefacts)} artefact intervals")


if __name__ == "__main__":
    main()
