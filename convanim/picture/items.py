"""What is on screen, as plain immutable data: the contract between scenes and the renderer.

Scenes build pictures out of these items; the renderer turns them into pixels and knows nothing
about convolutions. Everything is placed in *world units* (one unit = one cell side) in a 3D world
with x to the right, y down and z going away from the viewer, and a `View` says how the world is
projected onto the screen. The renderer fits the whole timeline's bounding box to the canvas, so a
scene never picks pixel sizes.

Colours are never named here: every item carries a *role* (``"input"``, ``"padding"``,
``"kernel"``, ``"group1"`` ...) that the theme maps to fill, outline, dash and hatch, so that the
same picture renders in the light and the dark theme, and meaning never rides on colour alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Literal

Point3 = tuple[float, float, float]

#: How a grid's rows and columns lie in the world.
#: ``front``: columns along +x, rows along +y (a flat picture, facing the viewer).
#: ``ground``: columns along +x, rows along +z (lying flat, seen from above at an angle).
#: ``side``: columns along +z, rows along +y (the right-hand face of a block).
Plane = Literal["front", "ground", "side"]

#: Text sizes, resolved to pixels by the renderer relative to the cell size.
TextSize = Literal["tiny", "small", "normal", "large"]

#: Roles the themes know. Scenes may only use these; the renderer raises on an unknown role.
ROLES = (
    "input",  # an input cell
    "padding",  # border padding (dashed, lighter)
    "inserted",  # zeros inserted between inputs by a transposed convolution (hatched)
    "skipped",  # a cell inside a dilated kernel's span that no tap touches
    "output",  # an output cell not yet computed
    "done",  # an output cell already computed
    "active",  # the output cell being computed now
    "kernel",  # the translucent kernel window (shadow)
    "weight",  # a cell of a kernel drawn on its own
    "intermediate",  # an intermediate result (separable passes, per-channel partial results)
    "group0",  # channel-group colours (grouped / shuffled figures)
    "group1",
    "group2",
    "group3",
    "matrix_zero",  # a structural zero of a sparse matrix
    "matrix_value",  # a non-zero entry of a sparse matrix
    "line",  # projector lines, arrows
    "text",  # ordinary text
    "muted",  # secondary text
    "clear",  # no fill and no outline: only the cell's text (numbers over cells drawn beneath)
)

#: Levels on each side of zero of the diverging scale that shows signed values as a heat map.
HEAT_LEVELS = 8
#: Levels of the grey scale that shows an image's pixels.
GREY_LEVELS = 32
#: Value-scale roles, one per level: ``heat-8`` ... ``heat+0`` ... ``heat+8``, ``grey0`` (black)
#: ... ``grey31`` (white). Each scale's colours join a theme's palette only in a figure that uses
#: it, so the figures without heat maps keep their palettes (and their bytes).
SCALES: dict[str, tuple[str, ...]] = {
    "heat": tuple(f"heat{level:+d}" for level in range(-HEAT_LEVELS, HEAT_LEVELS + 1)),
    "grey": tuple(f"grey{level}" for level in range(GREY_LEVELS)),
}


def _grid_axes(plane: Plane) -> tuple[Point3, Point3]:
    """Unit vectors along a column step and a row step for each plane."""
    return {
        "front": ((1.0, 0.0, 0.0), (0.0, 1.0, 0.0)),
        "ground": ((1.0, 0.0, 0.0), (0.0, 0.0, 1.0)),
        "side": ((0.0, 0.0, 1.0), (0.0, 1.0, 0.0)),
    }[plane]


@lru_cache(maxsize=1 << 16)
def _point(origin: Point3, plane: Plane, cell: float, row: float, col: float) -> Point3:
    """A grid point, one tuple for every time it is asked: the corners of a kernel window and its
    projector lines are lattice points, and a 4,096-step sweep would otherwise hold ~200,000
    copies of them."""
    (ax, ay, az), (bx, by, bz) = _grid_axes(plane)
    ox, oy, oz = origin
    u, v = col * cell, row * cell
    return (ox + u * ax + v * bx, oy + u * ay + v * by, oz + u * az + v * bz)


@dataclass(frozen=True)
class Grid:
    """A rows x cols grid of cells lying in one plane of the world.

    ``roles[r][c]`` is the cell's role; ``labels[r][c]`` the text inside it ('' for none);
    ``sublabels[r][c]`` a small subscript in its corner (kernel weights under the window).
    Empty ``labels`` / ``sublabels`` mean no text at all.
    """

    origin: Point3
    roles: tuple[tuple[str, ...], ...]
    labels: tuple[tuple[str, ...], ...] = ()
    sublabels: tuple[tuple[str, ...], ...] = ()
    plane: Plane = "front"
    cell: float = 1.0

    @property
    def shape(self) -> tuple[int, int]:
        return len(self.roles), len(self.roles[0]) if self.roles else 0

    def point(self, row: float, col: float) -> Point3:
        """World position of the grid-relative point (row, col); (0, 0) is the outer corner."""
        return _point(self.origin, self.plane, self.cell, row, col)

    def quad(self, row0: float, col0: float, row1: float, col1: float) -> tuple[Point3, ...]:
        """Corners of the rectangle spanning rows [row0, row1) and cols [col0, col1)."""
        return (
            self.point(row0, col0),
            self.point(row0, col1),
            self.point(row1, col1),
            self.point(row1, col0),
        )

    def cell_quad(self, row: int, col: int) -> tuple[Point3, ...]:
        """Corners of one cell."""
        return self.quad(row, col, row + 1, col + 1)

    def centre(self, row: float, col: float) -> Point3:
        """World position of the centre of cell (row, col)."""
        return self.point(row + 0.5, col + 0.5)


@dataclass(frozen=True)
class Shade:
    """A filled polygon in the world: the kernel window's shadow, a highlighted region.

    ``alpha`` below 1 makes it translucent so the cells underneath stay readable.
    """

    corners: tuple[Point3, ...]
    role: str = "kernel"
    alpha: float = 0.55
    outline: bool = True


@dataclass(frozen=True)
class Box:
    """An axis-aligned box (a channel slice, a volume, a kernel block) drawn with shaded faces.

    ``origin`` is the corner with the smallest x, y, z; ``size`` its extent along each axis.
    ``label`` is drawn on the front face.
    """

    origin: Point3
    size: Point3
    role: str = "input"
    label: str = ""
    alpha: float = 1.0


@dataclass(frozen=True)
class Line:
    """A polyline in the world (projector lines, arrows, brackets)."""

    points: tuple[Point3, ...]
    role: str = "line"
    width: float = 1.0
    dashed: bool = False
    arrow: bool = False


@dataclass(frozen=True)
class Label:
    """Text anchored at a world point. ``anchor`` uses Pillow's two-letter anchors ("mm", "la"...); a text
    of several lines ("\\n") is drawn line under line, the anchor placing the first."""

    at: Point3
    text: str
    size: TextSize = "normal"
    role: str = "text"
    anchor: str = "mm"


Item = Grid | Shade | Box | Line | Label

#: A cell's four corners in the world, as :meth:`Grid.cell_quad` gives them.
Quad = tuple[Point3, ...]


@dataclass(frozen=True)
class Link:
    """One result the figure computes, tied to where it is drawn: not drawn itself, it lets an
    interactive page explain a cell under the pointer with the recording's own numbers.

    ``output`` is the cell it lands in; ``inputs`` the cells it reads and ``weights`` the cells
    showing the weights they meet (either may leave out what the figure does not draw).
    ``terms`` are the lines that compute it ("3 × 0.5 = 1.5"), ``result`` the line that names
    and sums them ("output[0, 2, 3] = Σ + 1 (bias) = 7"), and ``value`` the result as a number.
    """

    output: Quad
    inputs: tuple[Quad, ...]
    weights: tuple[Quad, ...]
    terms: tuple[str, ...]
    result: str
    value: float


@dataclass(frozen=True)
class View:
    """How the 3D world is projected to the screen.

    ``flat``: screen = (x, y), z ignored. ``oblique``: a cabinet projection in which z recedes up
    and to the right by ``depth`` per unit at ``angle_deg``: the conv_arithmetic look for grids on
    the ground plane, and readable isometric-like blocks for channel stacks and volumes.
    """

    kind: Literal["flat", "oblique"] = "flat"
    angle_deg: float = 35.0
    depth: float = 0.5


@dataclass(frozen=True)
class Picture:
    """Items drawn in order (later items on top), with the frame's text slots, and the results
    it shows (``links``: a background's are every result the figure draws, a step's the ones it
    computes now)."""

    items: tuple[Item, ...] = ()
    title: str = ""
    caption: str = ""
    formula: str = ""
    links: Sequence[Link] = ()


@dataclass(frozen=True)
class Step:
    """One state of an animation: what changes on top of the background, and how long it stays."""

    overlay: Picture
    hold_ms: int = 500


@dataclass(frozen=True)
class Timeline:
    """A whole animation as data: a static background and the steps drawn over it.

    The background (grids that do not change, the title, the caption) is drawn once and cached;
    each step's overlay is drawn on a copy. ``glide`` asks for in-between frames that slide the
    kernel window from one step to the next when rendering at video frame rates.
    """

    background: Picture
    steps: Sequence[Step]  # a tuple, or for a long sweep a Lazy (see convanim.picture.lazy)
    view: View = field(default_factory=View)
    glide: bool = True
    hold_start_ms: int = 800
    hold_end_ms: int = 1500
