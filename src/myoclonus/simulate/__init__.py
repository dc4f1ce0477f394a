"""Synthetic polymyography with ground truth, one recipe per myoclonus origin.

>>> from myoclonus.simulate import simulate
>>> sim = simulate("cortical", minutes=0.5, seed=1)      # doctest: +SKIP
>>> sim.write("case.edf")                                 # case.edf + case.truth.json
"""
from myoclonus.simulate.confounders import Confounders
from myoclonus.simulate.recipes import ORIGINS
from myoclonus.simulate.simulation import STIMULUS_CODES, Simulation, simulate
from myoclonus.simulate.truth import GroundTruth, truth_path_for

__all__ = ["simulate", "Simulation", "Confounders", "GroundTruth", "ORIGINS", "STIMULUS_CODES", "truth_path_for"]
