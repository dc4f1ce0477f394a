"""myoclonus.web."""
