"""myoclonus.clinical."""
