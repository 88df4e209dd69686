"""Where tensors sit in the world: flat or ground surfaces, channel stacks, text placed under them.

A :class:`Surface` is one matrix in the world, facing the viewer or lying on the ground. A
multi-channel tensor is a :class:`Stack`: one surface per channel facing the viewer, each the
previous one moved by ``step`` in the world (by default straight back in depth, so the oblique
view :data:`OBLIQUE` fans the slices out up and to the right).

Indices follow the engine: a stack's slices are channels (or depths), cells are (row, col).
Everything returned is plain ``convanim.picture`` data.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import cached_property

import numpy as np

from convanim.blocks.cells import labels_of
from convanim.picture import Box, Grid, Item, Label, Line, Point3, TextSize, View

OBLIQUE = View(kind="oblique", angle_deg=55.0, depth=0.7)


#: World depth between neighbouring slices of a stack: in :data:`OBLIQUE` each slice shows
#: a strip of about 1.6 cells right of and 1.1 cells above the one in front of it, enough to read
#: its colour and outline, close enough that the stack still reads as one tensor.
GAP = 4.0


#: The kernel block's opacity: light enough that the numbers of the slices it crosses stay legible.
BLOCK_ALPHA = 0.3


#: About how wide one character of a small tag is, in cells, at the cell sizes figures render at:
#: the room a layout keeps for :meth:`Stack.tags` (the renderer fits text only after layout).
TAG_CHAR = 0.2


#: How far right of its slice a tag starts, in cells. A kernel block through a stack leaves each
#: slice's right edge going up and to the right, so a tag standing on the bottom edge must start
#: past where the block's side face has climbed to the tag's height (its cap height, at most
#: about 0.4 cells at README size, over tan 55°) to stay clear of it wherever the block goes.
TAG_GAP = 0.35


@dataclass(frozen=True)
class Surface:
    """A ``rows`` x ``cols`` matrix placed in the world, addressed as a matrix: (row, col), row 0 on top.

    Facing the viewer (the default), matrix rows are grid rows. Laid on the ``ground`` (the oblique
    conv_arithmetic figures, seen from above at an angle), the world's ground plane puts grid row 0
    nearest the viewer while a matrix reads top row first, so matrix rows map onto flipped grid
    rows here, once, for every oblique figure.

    ``cell`` is a cell's side in world units: below 1 for an image's pixels, so that the text
    around them keeps the size of a figure's ordinary cells.
    """

    origin: Point3
    rows: int
    cols: int
    ground: bool = False
    cell: float = 1.0

    @cached_property
    def _frame(self) -> Grid:
        return Grid(origin=self.origin, roles=((),), plane="ground" if self.ground else "front", cell=self.cell)

    def grid(self, roles: Sequence[Sequence[str]], labels: Sequence[Sequence[str]] = ()) -> Grid:
        """A grid on this surface, ``roles`` and ``labels`` given in matrix order."""
        if not self.ground:
            return Grid(self.origin, tuple(map(tuple, roles)), tuple(map(tuple, labels)), cell=self.cell)
        flip = lambda m: tuple(map(tuple, reversed(m)))  # noqa: E731
        return Grid(self.origin, flip(roles), flip(labels) if labels else (), plane="ground", cell=self.cell)

    @property
    def size(self) -> tuple[float, float]:
        """(width, height) in world units."""
        return self.cols * self.cell, self.rows * self.cell

    def quad(self, row0: float, col0: float, row1: float, col1: float) -> tuple[Point3, ...]:
        """Corners of the rectangle over rows [row0, row1) and cols [col0, col1)."""
        if self.ground:
            return self._frame.quad(self.rows - row1, col0, self.rows - row0, col1)
        return self._frame.quad(row0, col0, row1, col1)

    def cell_quad(self, cell: tuple[int, int]) -> tuple[Point3, ...]:
        """Corners of the matrix cell (row, col)."""
        row, col = cell
        return self.quad(row, col, row + 1, col + 1)

    def point(self, row: float, col: float) -> Point3:
        """World position of the matrix point (row, col); (0, 0) is the top-left corner."""
        return self._frame.point(self.rows - row if self.ground else row, col)


def risen(rows: int, margin: float = 0.3) -> Point3:
    """A stack ``step`` (straight back in depth) at which each slice ``rows`` high rises just clear
    of the one in front of it in :data:`OBLIQUE`: every number stays readable, and the slices
    still touch like one tensor instead of floating apart."""
    up = OBLIQUE.depth * math.sin(math.radians(OBLIQUE.angle_deg))
    return (0.0, 0.0, (rows + margin) / up)


@dataclass(frozen=True)
class Stack:
    """``channels`` slices of ``rows`` x ``cols`` cells; slice c sits at ``origin + c * step``.

    The default ``step`` puts channel 0 in front and later channels behind it; :func:`risen`
    gives a step at which no slice hides another's cells.
    """

    origin: Point3
    channels: int
    rows: int
    cols: int
    step: Point3 = (0.0, 0.0, GAP)

    def __post_init__(self) -> None:
        if min(self.channels, self.rows, self.cols) < 1:
            raise ValueError(
                f"a stack needs channels, rows and cols >= 1 (got {self.channels}, {self.rows}, {self.cols})"
            )

    def slice_origin(self, channel: int) -> Point3:
        """World position of slice ``channel``'s top-left corner."""
        ox, oy, oz = self.origin
        sx, sy, sz = self.step
        return (ox + channel * sx, oy + channel * sy, oz + channel * sz)

    def surface(self, channel: int) -> Surface:
        """Slice ``channel`` as a flat surface, for grids, shades and points on it."""
        return Surface(self.slice_origin(channel), self.rows, self.cols)

    def surfaces(self) -> list[Surface]:
        """Every slice as a surface, front first (for a caption under a row of them)."""
        return [self.surface(c) for c in range(self.channels)]

    def back_to_front(self) -> list[int]:
        """Channels in painter order: the farthest slice first."""
        return sorted(range(self.channels), key=lambda c: (-self.slice_origin(c)[2], -c))

    def layers(self, per_channel: Sequence[Sequence[Item]]) -> list[Item]:
        """The items of every slice (its grid first, then what lies on it) in painter order."""
        if len(per_channel) != self.channels:
            raise ValueError(
                f"per_channel must hold one item list per channel ({self.channels}), got {len(per_channel)}"
            )
        return [item for c in self.back_to_front() for item in per_channel[c]]

    def grids(self, roles: Sequence[str], values: Sequence[np.ndarray | None] = ()) -> list[Grid]:
        """One grid per slice, every cell of slice c in ``roles[c]``, numbers from ``values[c]``."""
        if len(roles) != self.channels:
            raise ValueError(f"roles must name one role per channel ({self.channels}), got {len(roles)}")
        texts = list(values) or [None] * self.channels
        return [
            self.surface(c).grid([[role] * self.cols] * self.rows, () if text is None else labels_of(text))
            for c, (role, text) in enumerate(zip(roles, texts, strict=True))
        ]

    def block(self, first: int, last: int, span: tuple[int, int, int, int], *, role: str = "kernel",
              alpha: float = BLOCK_ALPHA) -> Box:
        """A box from slice ``first`` back to slice ``last`` over ``span`` = (row0, col0, row1, col1).

        Its front face lies on slice ``first``: draw it in that slice's layer (:meth:`layers`).
        """
        row0, col0, row1, col1 = span
        x, y, z = self.surface(first).point(row0, col0)
        depth = self.slice_origin(last)[2] - self.slice_origin(first)[2]
        return Box((x, y, z), (col1 - col0, row1 - row0, depth), role=role, alpha=alpha)

    def tags(self, texts: Sequence[str], *, role: str = "muted") -> list[Label]:
        """A small name standing on each slice's bottom edge, ``TAG_GAP`` right of it, where a
        fanned-out stack leaves room and a kernel block through the stack never reaches."""
        return [
            Label(self.surface(c).point(self.rows, self.cols + TAG_GAP), text, size="small", role=role, anchor="ls")
            for c, text in enumerate(texts)
        ]

    def tags_left(self, texts: Sequence[str], *, role: str = "muted") -> list[Label]:
        """A small name left of each slice's top row, for a stack whose right side lines leave
        (pointers to a result beside it): a slice's top row rises clear of every slice in front
        of it. Twice ``TAG_GAP`` away: in front of the slice, a kernel block's top face leans
        about half a cell left of the slice's edge at the name's height."""
        return [
            Label(self.surface(c).point(0.5, -2 * TAG_GAP), text, size="small", role=role, anchor="rm")
            for c, text in enumerate(texts)
        ]

    def caption(self, text: str) -> Label:
        """A line of text centred under the front slice (the tensor's shape, its name)."""
        return under(self.surface(self.back_to_front()[-1]), text)

    def centred(self, left: float, right: float) -> Stack:
        """The same stack moved sideways so that it (front slice and fan) is centred between the
        screen x positions ``left`` and ``right``: above a row of results, say."""
        x = (left + right - self.cols - self.fan()[0]) / 2
        return replace(self, origin=(x, *self.origin[1:]))

    def edges(self) -> list[Line]:
        """Dashed lines joining the front slice's top corners to the back slice's: the tensor's
        outline, so that slices spread apart (:func:`risen`) still read as one volume. Draw them
        beneath the slices, which hide the parts behind them. (The bottom edge is left out: it
        would run through the slices' :meth:`tags`.)"""
        if self.channels == 1:
            return []
        order = self.back_to_front()
        front, back = self.surface(order[-1]), self.surface(order[0])
        corners = ((0, 0), (0, self.cols))
        return [Line((front.point(*at), back.point(*at)), role="line", width=0.8, dashed=True) for at in corners]

    def beside(self, channels: int, rows: int, cols: int, *, tags: Sequence[str] = (), gap: float = 1.5) -> Stack:
        """A stack of ``channels`` slices of ``rows`` x ``cols`` right of this one, ``gap`` screen
        units beyond its back slice and the room its ``tags`` take, vertically centred on it, its
        slices :func:`risen`: an output volume next to the input it comes from, every number
        readable."""
        result = Stack((0.0, 0.0, 0.0), channels, rows, cols, risen(rows))
        x, y, z = self.origin
        centre = y + (self.rows - self.fan()[1]) / 2
        top = centre - (rows - result.fan()[1]) / 2
        room = TAG_GAP + TAG_CHAR * max(map(len, tags), default=0) if tags else 0.0
        return replace(result, origin=(x + self.cols + self.fan()[0] + room + gap, top, z))

    def fan(self) -> tuple[float, float]:
        """How far (right, up) in :data:`OBLIQUE` screen units the back slice sits from the
        front one: what a layout adds to the slice size to place the stack beside other things."""
        (sx, sy, sz), spread = self.step, self.channels - 1
        angle = math.radians(OBLIQUE.angle_deg)
        across, up = OBLIQUE.depth * math.cos(angle), OBLIQUE.depth * math.sin(angle)
        return spread * (sx + sz * across), spread * (sz * up - sy)


#: Half a small label's height on a README canvas, in cells: where a name hung by its edge starts.
HALF_LINE = 0.25


def under(surfaces: Surface | Sequence[Surface], text: str, *, below: float = 0.55, size: TextSize = "small",
          role: str = "muted") -> Label:
    """A line of text centred under one flat surface ("channel 0", "output") or under a row of them
    (an equation, the products of the current placement)."""
    row_of = [surfaces] if isinstance(surfaces, Surface) else list(surfaces)
    left, right = row_of[0].point(0, 0), row_of[-1].point(0, row_of[-1].cols)
    bottom = max(s.point(s.rows, 0)[1] for s in row_of)
    # Hung by its top, so that a text grown with a big canvas grows away from what it names.
    return Label(((left[0] + right[0]) / 2, bottom + below - HALF_LINE, left[2]), text, size=size, role=role,
                 anchor="ma")


def beside(surface: Surface, gap: float) -> Point3:
    """The point ``gap`` world units right of a flat surface, level with its top: where a colour
    bar or a note beside it starts."""
    x, y, z = surface.origin
    return x + surface.size[0] + gap, y, z


def heading(surface: Surface, text: str) -> Label:
    """A small muted name centred above a surface ("input 5×5")."""
    # Stood on its baseline's descent line, so that a text grown with a big canvas grows upwards.
    return Label(surface.point(-0.45 + HALF_LINE, surface.cols / 2), text, size="small", role="muted", anchor="md")


def side_by_side(cols: int, gap: float = 1.0) -> Point3:
    """A stack ``step`` that lays slices side by side: channels pulled apart so that each one's own
    kernel window is seen whole (depthwise convolution), and a row of them still lines up."""
    return (cols + gap, 0.0, 0.0)
