"""Cell roles and cell text read off engine arrays: what each cell is, and the number it shows.

Roles are the theme's names (``"input"``, ``"padding"``, ``"group1"`` ...); a figure never names a
colour. Arrays are 2D, (row, col), as the engine's masks and values of one channel.
"""

from __future__ import annotations

import numpy as np

from convanim.core import engine
from convanim.core.notation import number


#: Engine mask value -> the role the theme draws it with.
MASK_ROLES = {engine.INPUT: "input", engine.PADDING: "padding", engine.INSERTED: "inserted"}

#: Channel-group roles the themes know, in order (a figure can colour at most this many groups).
GROUP_ROLES = ("group0", "group1", "group2", "group3")


def roles_of(mask: np.ndarray) -> tuple[tuple[str, ...], ...]:
    """Cell roles of a 2D engine mask (input, padding, inserted zero)."""
    return tuple(tuple(MASK_ROLES[int(m)] for m in row) for row in mask)


def labels_of(values: np.ndarray, show: np.ndarray | None = None) -> tuple[tuple[str, ...], ...]:
    """Text of every cell of a 2D array; cells where ``show`` is False stay blank."""
    shown = np.ones(values.shape, bool) if show is None else show
    return tuple(
        tuple(number(v) if s else "" for v, s in zip(row, srow)) for row, srow in zip(values, shown)
    )


def tinted(mask: np.ndarray, role: str) -> list[list[str]]:
    """Cell roles of one channel's 2D engine mask: its input cells in ``role`` (its channel's or
    group's colour), padding and inserted zeros as the theme draws them everywhere."""
    return [[role if m == engine.INPUT else MASK_ROLES[int(m)] for m in line] for line in mask]


def group_roles(channels: int, groups: int) -> list[str]:
    """The role of each of ``channels`` channels split into ``groups`` consecutive groups."""
    if not 1 <= groups <= len(GROUP_ROLES):
        raise ValueError(f"groups must be between 1 and {len(GROUP_ROLES)} to be coloured (got {groups})")
    if channels % groups:
        raise ValueError(f"channels ({channels}) must be divisible by groups ({groups})")
    return [GROUP_ROLES[c // (channels // groups)] for c in range(channels)]
