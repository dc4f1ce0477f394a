"""Command-line interface: ``myoclonus COMMAND``.

Each command lives in its own module of this package and registers itself on ``app``.
Bad input ends with exit code 2 and a one-line message naming file, field and expectation.
"""
from __future__ import annotations

import logging
import sys

import typer
from rich.console import Console
from rich.logging import RichHandler
from rich.markup import escape
from typer.core import TyperGroup

from myoclonus._version import __version__
from myoclonus.errors import InputError, MyoclonusError

err_console = Console(stderr=True)


class _SafeGroup(TyperGroup):
    """Turn our own errors into a short message and exit code 2 instead of a traceback."""

    def invoke(self, ctx: typer.Context):  # noqa: D102
        try:
            return super().invoke(ctx)
        except InputError as exc:
            err_console.print(f"[bold red]error:[/] {escape(str(exc))}", highlight=False, soft_wrap=True)
            raise typer.Exit(2) from None
        except MyoclonusError as exc:
            err_console.print(f"[bold red]error:[/] {escape(str(exc))}", highlight=False, soft_wrap=True)
            raise typer.Exit(1) from None
        except (typer.exceptions.TyperException, typer.Exit, typer.Abort):  # usage errors, exits
            raise
        except Exception as exc:  # a bug of ours: say so in one line, traceback only with --verbose
            logging.getLogger("myoclonus").info("internal error", exc_info=True)
            err_console.print(
                f"[bold red]internal error:[/] {type(exc).__name__}: {escape(str(exc))}\n"
                "This is a bug in myoclonus, not in your input; nothing was written. "
                "Run with --verbose for the traceback and please report it.",
                highlight=False, soft_wrap=True,
            )
            raise typer.Exit(1) from None


app = typer.Typer(
    cls=_SafeGroup,
    name="myoclonus",
    help="Assess myoclonus from the clinical presentation and polymyography. Decision support, not a diagnosis.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


def _version_callback(value: bool) -> None:
    if value:
        typer.echo(f"myoclonus {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(False, "--version", callback=_version_callback, is_eager=True, help="Show the version and exit."),
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Log progress details to stderr."),
) -> None:
    """myoclonus: decision support for myoclonus, not a diagnosis."""
    level = logging.INFO if verbose else logging.WARNING
    logger = logging.getLogger("myoclonus")
    logger.setLevel(level)
    if not any(isinstance(h, RichHandler) for h in logger.handlers):
        logger.addHandler(RichHandler(console=err_console, show_path=False))


# Commands register themselves on `app` when imported (one module per command).
from myoclonus.cli import _commands  # noqa: E402,F401


def main() -> None:
    """Entry point of the ``myoclonus`` script."""
    try:
        app(prog_name="myoclonus")
    except KeyboardInterrupt:
        err_console.print("interrupted")
        sys.exit(130)
