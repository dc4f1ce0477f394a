"""``python -m myoclonus`` runs the command-line interface."""
from myoclonus.cli import main

main()
