"""One validator per kind of option, so that every layer refuses a bad value with the same rule
and the same words (an fps is checked by the API, the timeline and the writers alike).

Each raises :class:`~convanim.errors.BadInput` naming the parameter, the rule and the value given.
"""

from __future__ import annotations

import math
import unicodedata
from numbers import Integral, Real
from typing import TypeGuard

from convanim.errors import BadInput

#: The highest frame rate anything renders at: beyond it frames cost time no display shows.
MAX_FPS = 240


def is_whole(value: object) -> TypeGuard[int]:
    """True for Python and numpy integers, but not for bools (``stride=True`` is a mistake)."""
    return isinstance(value, Integral) and not isinstance(value, bool)


def check_whole(parameter: str, value: object, minimum: int, maximum: int | None = None) -> int:
    """``value`` if it is a whole number (not a bool) from ``minimum`` (to ``maximum``), else a
    BadInput naming ``parameter``."""
    if not is_whole(value) or value < minimum or (maximum is not None and value > maximum):
        bound = f">= {minimum}" if maximum is None else f"from {minimum} to {maximum}"
        raise BadInput(f"{parameter} must be a whole number {bound}, got {value!r}")
    return int(value)


def check_fps(value: object, parameter: str = "fps") -> float:
    """A frame rate: a finite number of frames per second in (0, :data:`MAX_FPS`]."""
    rate = float(value) if isinstance(value, Real) and not isinstance(value, bool) else math.nan
    if not (math.isfinite(rate) and 0 < rate <= MAX_FPS):
        raise BadInput(f"{parameter} must be a number of frames per second in (0, {MAX_FPS}], got {value!r}")
    return rate


def check_fraction(parameter: str, value: object) -> float:
    """A share such as an opacity: a number from 0 to 1."""
    share = float(value) if isinstance(value, Real) and not isinstance(value, bool) else math.nan
    if not 0.0 <= share <= 1.0:
        raise BadInput(f"{parameter} must be a number from 0 to 1, got {value!r}")
    return share


def printable(text: str, keep: str = "\t\n") -> str:
    """``text`` without control characters other than ``keep`` (nor lone surrogates).

    A title or caption comes from a user's scene file: a NUL, an escape or a DEL in it is invalid
    in HTML and XML, breaks LaTeX and cannot be laid out in a picture, so decks drop them and
    :func:`check_text` refuses them.
    """
    return "".join(char for char in text if char in keep or unicodedata.category(char) not in ("Cc", "Cs"))


def check_text(parameter: str, text: str, keep: str = "") -> str:
    """``text`` if it holds no control character but those in ``keep`` (a title: none; a caption:
    newlines), else a BadInput saying which character, where."""
    if text.isprintable():  # the common case, in C: a timeline checks every label of every step
        return text
    bad = next((char for char in text if not printable(char, keep)), None)
    if bad is not None:
        raise BadInput(f"{parameter}: {text!r} holds {bad!r} (U+{ord(bad):04X}), which is not printable; "
                       + ("it must be one line of plain text" if not keep else "use plain text"))
    return text
