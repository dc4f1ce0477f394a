"""Errors raised for bad input: each names what was wrong, where, and what was expected."""
from __future__ import annotations

import difflib
from collections.abc import Iterable

__all__ = ["MyoclonusError", "InputError", "did_you_mean"]


class MyoclonusError(Exception):
    """Base class of every error the package raises on purpose."""


class InputError(MyoclonusError, ValueError):
    """Bad user input (file, field, channel, value).

    Parameters
    ----------
    message : str
        What is wrong and what was expected.
    where : str | None
        The file, field or channel concerned (e.g. ``"intake.yaml: jerks.rhythm"``).
    """

    def __init__(self, message: str, *, where: str | None = None) -> None:
        self.where = where
        self.message = message
        super().__init__(f"{where}: {message}" if where else message)


def did_you_mean(value: str, choices: Iterable[str], *, cutoff: float = 0.6) -> str:
    """Return ``" Did you mean 'x'?"`` for the closest choice, or ``""`` when none is close."""
    by_lower = {str(c).lower(): str(c) for c in choices}
    matches = difflib.get_close_matches(str(value).lower(), list(by_lower), n=1, cutoff=cutoff)
    return f" Did you mean '{by_lower[matches[0]]}'?" if matches else ""
