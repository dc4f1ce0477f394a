"""Import every command module so that each registers itself on the Typer app.

Add one line per command module; keep them sorted.
"""
from myoclonus.cli import analyze  # noqa: F401
from myoclonus.cli import assess  # noqa: F401
from myoclonus.cli import batch  # noqa: F401
from myoclonus.cli import demo  # noqa: F401
from myoclonus.cli import kb  # noqa: F401
from myoclonus.cli import schema  # noqa: F401
from myoclonus.cli import serve  # noqa: F401
from myoclonus.cli import simulate  # noqa: F401
from myoclonus.cli import sleep  # noqa: F401
