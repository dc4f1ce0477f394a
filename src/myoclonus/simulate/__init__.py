"""Synthetic polymyography with ground truth, one recipe per myoclonus origin.

>>> from myoclonus.simulate import simulate
>>> sim = simulate("cortical", minutes=0.5, seed=1)      # doctest: +SKIP
>>> sim.write("case.edf")                                 # case.edf + case.truth.json
"""
import sys
import types

from myoclonus.simulate.confounders import Confounders
from myoclonus.simulate.recipes import ORIGINS
from myoclonus.simulate.simulation import STIMULUS_CODES, Simulation, simulate
from myoclonus.simulate.truth import GroundTruth, truth_path_for

__all__ = ["simulate", "Simulation", "Confounders", "GroundTruth", "ORIGINS", "STIMULUS_CODES", "truth_path_for"]


class _CallableModule(types.ModuleType):
    """``myoclonus.simulate`` is both this package and the function: importing the package makes
    Python bind the name ``simulate`` on ``myoclonus`` to the package, so the package forwards calls."""

    def __call__(self, *args, **kwargs) -> Simulation:
        return simulate(*args, **kwargs)


sys.modules[__name__].__class__ = _CallableModule
