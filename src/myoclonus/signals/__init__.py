"""myoclonus.signals."""
