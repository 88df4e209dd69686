"""One validator per kind of option, so that every layer refuses a bad value with the same rule
and the same words (an fps is checked by the API, the timeline and the writers alike).

Each raises :class:`~convanim.errors.BadInput` naming the parameter, the rule and the value given.
"""

from __future__ import annotations

import math
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
