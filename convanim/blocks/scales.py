"""Values as colours, for grids too big for numbers: an image's pixels on a grey scale, signed
results on a diverging heat scale with a labelled colour bar, and a magnified inset that still
shows the numbers of the current kernel window.

The roles are the theme's value-scale levels (``convanim.picture.SCALES``); a figure never names a
colour. The heat scale is symmetric about zero, so a cell's level says its sign and its size
relative to the largest magnitude, which the colour bar prints.
"""

from __future__ import annotations

import numpy as np

from convanim.words import say
from convanim.blocks.cells import MASK_ROLES
from convanim.blocks.windows import Window
from convanim.core import engine
from convanim.core.notation import number
from convanim.picture import GREY_LEVELS, HEAT_LEVELS, SCALES, Grid, Item, Label, Line, Point3

#: Past this many cells on a side, numbers are too small to read at README size: values show as
#: colours (the ``auto`` choice of :func:`convanim.figures.arithmetic`).
MAX_NUMBERED_SIDE = 16


def heat_limit(values: np.ndarray) -> float:
    """The largest magnitude among ``values``: the heat scale's ends are ± this (0 for all zeros)."""
    return float(np.abs(values).max()) if values.size else 0.0


def heat_roles(values: np.ndarray, limit: float) -> np.ndarray:
    """The heat-scale role of every value (an object array of ``values``' shape)."""
    if limit <= 0:
        levels = np.zeros(values.shape, dtype=int)
    else:
        levels = np.clip(np.rint(values / limit * HEAT_LEVELS), -HEAT_LEVELS, HEAT_LEVELS).astype(int)
    return np.array(SCALES["heat"], dtype=object)[levels + HEAT_LEVELS]


def grey_roles(values: np.ndarray) -> np.ndarray:
    """The grey-scale role of every value of a non-negative array: black at 0, white at the largest
    value (a photograph's 255 or 1.0; any other data's own top, so it is not drawn all dark)."""
    top = float(values.max()) if values.size else 0.0
    scaled = values / top if top > 0 else np.zeros(values.shape)
    levels = np.clip(np.rint(scaled * (GREY_LEVELS - 1)), 0, GREY_LEVELS - 1).astype(int)
    return np.array(SCALES["grey"], dtype=object)[levels]


def value_roles(values: np.ndarray, mask: np.ndarray | None = None) -> np.ndarray:
    """Roles showing ``values``: pixels on the grey scale when none is negative, else the heat
    scale; where ``mask`` says padding or inserted zero, the cell is ``clear`` (the figure draws
    the padded border as an outline: a dashed cell per padding pixel would be noise)."""
    roles = grey_roles(values) if values.size and values.min() >= 0 else heat_roles(values, heat_limit(values))
    if mask is not None:
        roles = np.where(mask == engine.INPUT, roles, "clear")
    return roles


def colour_bar(at: Point3, height: float, limit: float) -> list[Item]:
    """A vertical heat-scale bar ``height`` world units tall, top-left corner at ``at``: every
    level, +limit at the top, 0 in the middle, −limit at the bottom."""
    levels = SCALES["heat"]
    cell = height / len(levels)
    x, y, z = at
    bar = Grid((x, y, z), tuple((role,) for role in reversed(levels)), cell=cell)
    right = x + cell * 1.35
    marks = ((y + cell / 2, limit), (y + height / 2, 0.0), (y + height - cell / 2, -limit))
    labels = [Label((right, my, z), number(value), size="small", role="muted", anchor="lm") for my, value in marks]
    return [bar, *labels, *outline((x, y, z), cell, height)]


def outline(at: Point3, width: float, height: float, *, dashed: bool = False) -> list[Line]:
    """A rectangle round a region of the flat picture: the extent of a grid whose cells have no
    outlines (an image, a heat map), dashed for a padded border."""
    x, y, z = at
    corners = ((x, y, z), (x + width, y, z), (x + width, y + height, z), (x, y + height, z), (x, y, z))
    return [Line(corners, role="line", width=0.8, dashed=dashed)]


def inset(at: Point3, cell: float, place: Window, grid_mask: np.ndarray) -> list[Item]:
    """The current window magnified, top-left corner at ``at``, in cells ``cell`` world units wide:
    its input numbers with the weights as subscripts, the products, and their sum (plus the bias)
    in an ``active`` cell, the colour of the output cell it lands in.

    Returns the inset's items; they change with every placement, so a figure puts them in the
    step overlays.
    """
    row0, col0, row1, col1 = place.span
    rows, cols = row1 - row0, col1 - col0
    x, y, z = at
    inputs = np.full((rows, cols), "", dtype=object)
    weights = np.full((rows, cols), "", dtype=object)
    products = np.full((rows, cols), "", dtype=object)
    roles = np.full((rows, cols), "skipped", dtype=object)
    for (r, c), w, v in zip(place.taps, place.weights, place.inputs):
        inputs[r - row0, c - col0], weights[r - row0, c - col0] = number(v), number(w)
        products[r - row0, c - col0] = number(v * w)
        roles[r - row0, c - col0] = MASK_ROLES[int(grid_mask[r, c])]
    product_roles = np.where(roles == "skipped", "skipped", "intermediate")
    bias = f" + {number(place.bias)}" if place.bias else ""
    gap = cell * 1.4
    second = x + cols * cell + gap
    total_at = second + cols * cell + gap + cell * 0.3 * len(bias)
    middle = y + rows * cell / 2
    return [
        Grid((x, y, z), _rows(roles), _rows(inputs), _rows(weights), cell=cell),
        Label((x + cols * cell / 2, y - 0.25 * cell, z), say("inset.products_of"), size="small", role="muted",
              anchor="ms"),
        Label((second - gap / 2, middle, z), "=", size="normal"),
        Grid((second, y, z), _rows(product_roles), _rows(products), cell=cell),
        Label((second + cols * cell / 2, y - 0.25 * cell, z), say("inset.products"), size="small", role="muted",
              anchor="ms"),
        Label((total_at - cell * 0.2, middle, z), f"Σ{bias} =", size="normal", anchor="rm"),
        Grid((total_at, middle - cell / 2, z), (("active",),), ((number(place.value),),), cell=cell),
    ]


def _rows(array: np.ndarray) -> tuple[tuple[str, ...], ...]:
    return tuple(tuple(row) for row in array.tolist())
