"""The kinds of failure convanim reports, each with the exit status the command line gives it.

Every error a user can meet is one of these (or a plain ``ValueError`` / ``OSError`` from a check,
which the command line treats as :class:`BadInput`), so that the classification lives in the type,
not in the message: bad input and a missing optional backend are found before any work and exit
with 2; a failure while drawing or encoding exits with 1; a broken internal invariant also exits
with 1 and says that it is a bug to report, never that the user's input was wrong.
"""

from __future__ import annotations

#: Where a user reports a bug; printed with every :class:`InternalError`.
REPORT_TO = "please report it with the command you ran"


class ConvanimError(Exception):
    """Base of convanim's own errors; ``exit_status`` is what the command line exits with."""

    exit_status = 1


class BadInput(ConvanimError, ValueError):
    """An option, value, spec, scene or path that cannot work, found before any rendering."""

    exit_status = 2


class MissingBackend(BadInput, ImportError):
    """An optional library or program the request needs is not installed; the message names the
    install. An ImportError too, so ``except ImportError`` still catches it in library code."""


class RenderError(ConvanimError, RuntimeError):
    """Drawing or encoding failed after the options were accepted."""


class InternalError(ConvanimError, RuntimeError):
    """convanim broke one of its own invariants (a figure whose numbers do not add up): a bug."""

    def __str__(self) -> str:
        return f"internal error (a bug in convanim, {REPORT_TO}): {super().__str__()}"
