"""myoclonus.simulate."""
