"""myoclonus.report."""
