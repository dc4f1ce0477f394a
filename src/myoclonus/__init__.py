"""myoclonus: assess myoclonus from the clinical presentation and the neurophysiology recording.

Decision support, not a diagnosis.
"""
import logging

from myoclonus._version import __version__

logging.getLogger("myoclonus").addHandler(logging.NullHandler())

__all__ = ["__version__"]
