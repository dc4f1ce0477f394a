"""myoclonus.knowledge."""
