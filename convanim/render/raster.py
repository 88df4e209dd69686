"""Drawing picture items with Pillow onto a supersampled RGB image.

Everything here is in pixels of the supersampled canvas; the caller shrinks the result with
``Image.reduce`` for anti-aliasing. Items are drawn in order (later on top). A drawing target may
be a crop of the canvas (only the part of a frame an overlay touches is redrawn): geometry is
always computed in canvas pixels and shifted only at the Pillow call, so hatches, dashes and
text land on exactly the pixels a full redraw gives. Strokes are laid in whole output-pixel rows
(``stroke_runs``), so their anti-aliasing repeats from row to row and GIF frames stay small.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import NamedTuple

import numpy as np
from PIL import Image, ImageDraw

from convanim.picture import Box, Grid, Item, Label, Line, Point3, Shade
from convanim.render import fonts
from convanim.render.project import Canvas, item_points, label_box
from convanim.render.theme import RGB, RoleStyle, Theme, contrast, luminance

Px = tuple[float, float]
Rect = tuple[float, float, float, float]

_LINE_OF_CELL = 0.028  # base line width as a fraction of the cell size ...
_LINE_MIN, _LINE_MAX = 1.0, 2.4  # ... within these output-pixel bounds
_DASH_PERIOD = 5.0  # dash + gap, in line widths (rounded so every cell edge holds whole dashes)
_DASH_FILL = 0.55  # dash share of a period
_HATCH_SPACING = 0.16  # of the cell size
_HATCH_WIDTH = 0.6  # of the base line width
_HATCH_DIRECTIONS = {"/": ((1, -1),), "\\": ((1, 1),), "x": ((1, -1), (1, 1)), "-": ((1, 0),), "|": ((0, 1),)}
_TEXT_FIT_W, _TEXT_FIT_H = 0.86, 0.62  # share of a cell's width / height a number may take
_SUB_FIT_W, _SUB_FIT_H = 0.43, 0.34  # the same for a sublabel
_SUB_CORNER = 0.8  # sublabel anchor, from the cell centre towards its lower-right corner
_SAMPLE_AT = 0.3  # contrast sample point, from the cell's upper-left corner towards its centre
_MIN_CONTRAST = 3.0  # a label whose colour contrasts less with its ground switches ink
_ARROW_HEAD = 4.0  # arrow head length in line widths
_ROUND_JOINT_PX = 4  # wider polylines get round joints (Pillow's rule for joint="curve")


class TextSpot(NamedTuple):
    """A number in a cell: where it goes, how big, and a point of the cell clear of text
    (sampled to choose an ink that reads on whatever ends up beneath)."""

    at: Px
    text: str
    px: int
    anchor: str
    sample: Px
    style: RoleStyle


class Target:
    """An image that shows the canvas from ``offset`` on: Pillow calls in canvas pixels."""

    def __init__(self, image: Image.Image, offset: tuple[int, int] = (0, 0)) -> None:
        self.image, self.offset = image, offset
        self._draw = ImageDraw.Draw(image)
        self._blend = ImageDraw.Draw(image, "RGBA")

    def _shift(self, points: Iterable[Px]) -> list[Px]:
        ox, oy = self.offset
        return [(x - ox, y - oy) for x, y in points]

    def polygon(self, points: Sequence[Px], colour: RGB, alpha: int = 255) -> None:
        if alpha == 255:
            self._draw.polygon(self._shift(points), fill=colour)
        else:
            self._blend.polygon(self._shift(points), fill=(*colour, alpha))

    def line(
        self, points: Sequence[Px], colour: RGB, width: float, pixel: int, guide: bool = False
    ) -> None:
        """A polyline ``width`` target pixels wide on a canvas supersampled ``pixel`` times, each
        segment drawn in whole output-pixel rows (``stroke_runs`` says why); a ``guide`` is
        also snapped to half output pixels."""
        stroke = max(1, round(width))
        # Pillow's core fill, which ImageDraw.rectangle calls after parsing the colour again
        # each time: a README frame draws ~1,800 of these rectangles, and the wrapper would
        # double their cost (Pillow internals, like the GIF writer's use of ImageFile._save).
        ink, fill = self._draw._getink(colour)[0], self._draw.draw.draw_rectangle
        shift = np.array(self.offset * 2)
        for p, q in itertools.pairwise(points):
            for box in (stroke_runs(p, q, stroke, pixel, guide) - shift).tolist():
                fill(box, ink, 1)
        if stroke > _ROUND_JOINT_PX:  # round corners, as Pillow's joint="curve" gives
            for joint in points[1:-1]:
                self.dot(joint, colour, stroke)

    def dot(self, at: Px, colour: RGB, diameter: float) -> None:
        (x, y), r = self._shift([at])[0], diameter / 2
        self._draw.ellipse((x - r, y - r, x + r, y + r), fill=colour)

    def text(self, at: Px, text: str, px: int, colour: RGB, anchor: str = "mm", bold: bool = False) -> None:
        fonts.draw_text(self.image, self._shift([at])[0], text, px, colour, anchor=anchor, bold=bold)

    def pixel(self, at: Px) -> RGB | None:
        """Colour at a canvas point, or None outside the image."""
        x, y = (round(v) for v in self._shift([at])[0])
        inside = 0 <= x < self.image.width and 0 <= y < self.image.height
        return self.image.getpixel((x, y)) if inside else None  # type: ignore[return-value]


class Painter:
    """Draws items for one theme on one (supersampled) canvas."""

    def __init__(self, theme: Theme, canvas: Canvas, factor: int) -> None:
        self.theme = theme
        self.canvas = canvas
        self.factor = factor  # canvas pixels per output pixel, each way
        self.line_px = factor * min(max(canvas.cell_px / factor * _LINE_OF_CELL, _LINE_MIN), _LINE_MAX)

    def draw(self, target: Target, item: Item, under: Sequence[TextSpot] = ()) -> None:
        """Draw one item. ``under`` are cell numbers already drawn beneath: a shade drawn over
        them stamps them again on top, in whichever ink reads best, so they stay readable."""
        if isinstance(item, Grid):
            self._grid(target, item)
        elif isinstance(item, Shade):
            self._shade(target, item, under)
        elif isinstance(item, Line):
            self._line(target, item)
        elif isinstance(item, Box):
            self._box(target, item)
        elif isinstance(item, Label):
            self._label(target, item)
        else:
            raise TypeError(f"not a picture item: {item!r}")

    def bounds(self, item: Item) -> Rect:
        """Canvas pixels an item may touch (strokes and text included)."""
        if isinstance(item, Label):
            x, y = self.canvas.to_px(item.at)
            left, top, right, bottom = label_box(item, self.canvas.cell_px, self.canvas.min_text)
            return x + left - 1, y + top - 1, x + right + 1, y + bottom + 1
        points = [self.canvas.to_px(p) for p in item_points(item)]
        # Half the thickest stroke (the active outline) or an arrow head, plus blur.
        reach = _ARROW_HEAD * 1.25 if getattr(item, "arrow", False) else 1.5
        pad = self.line_px * max(1.0, getattr(item, "width", 1.0)) * reach + 2
        xs, ys = [p[0] for p in points], [p[1] for p in points]
        return min(xs) - pad, min(ys) - pad, max(xs) + pad, max(ys) + pad

    def cell_texts(self, grid: Grid) -> list[TextSpot]:
        """Where a grid's numbers and sublabels go, in canvas pixels."""
        _check_grid(grid)
        return self._cell_texts(grid, self._lattice(grid))

    def _cell_texts(self, grid: Grid, pts: list[list[Px]]) -> list[TextSpot]:
        """``cell_texts`` for a checked grid whose corner lattice is already known."""
        (ux, uy), (vx, vy) = _sub(pts[0][1], pts[0][0]), _sub(pts[1][0], pts[0][0])
        cell_w, cell_h = max(abs(ux), abs(vx)), max(abs(uy), abs(vy))
        spots = []
        for texts, sub in ((grid.labels, False), (grid.sublabels, True)):
            if not texts:
                continue
            fit_w, fit_h = (_SUB_FIT_W, _SUB_FIT_H) if sub else (_TEXT_FIT_W, _TEXT_FIT_H)
            wanted = min(self.canvas.text_px("tiny" if sub else "normal"), round(fit_h * cell_h))
            px = _fit_px(frozenset(t for row in texts for t in row if t), wanted, fit_w * cell_w)
            for r, row in enumerate(texts):
                for c, text in enumerate(row):
                    if text:
                        spots.append(self._spot(grid, pts, (r, c), text, px, sub))
        return spots

    # -- grids --------------------------------------------------------------------------------

    def _lattice(self, grid: Grid) -> list[list[Px]]:
        """Pixel positions of every cell corner of a grid."""
        rows, cols = grid.shape
        return [[self.canvas.to_px(grid.point(r, c)) for c in range(cols + 1)] for r in range(rows + 1)]

    def _spot(
        self, grid: Grid, pts: list[list[Px]], cell: tuple[int, int], text: str, px: int, sub: bool
    ) -> TextSpot:
        r, c = cell
        quad = _cell_quad(pts, r, c)
        centre = (sum(p[0] for p in quad) / 4, sum(p[1] for p in quad) / 4)
        near = min(quad, key=lambda p: p[0] + p[1])
        far = max(quad, key=lambda p: p[0] + p[1])
        at = _along(centre, far, _SUB_CORNER) if sub else centre
        style = self.theme.style(grid.roles[r][c])
        return TextSpot(at, text, px, "rs" if sub else "mm", _along(near, centre, _SAMPLE_AT), style)

    def _grid(self, target: Target, grid: Grid) -> None:
        rows, cols = _check_grid(grid)
        pts = self._lattice(grid)
        styles = [[self.theme.style(role) for role in row] for row in grid.roles]
        for r in range(rows):
            for c in range(cols):
                style = styles[r][c]
                if style.fill is not None:
                    quad = _cell_quad(pts, r, c)
                    target.polygon(quad, style.fill)
                    self._hatch(target, quad, style)
        for _, start, end, style in sorted(_edge_runs(pts, styles), key=lambda run: run[0]):
            self._edge(target, start, end, style)
        for spot in self._cell_texts(grid, pts):
            self._stamp(target, spot, spot.style.text if spot.style.fill is not None else None)

    def _edge(self, target: Target, start: Px, end: Px, style: RoleStyle) -> None:
        """One straight run of grid edges in a role's outline style (heavy runs get round caps)."""
        assert style.outline is not None
        width = self.line_px * style.outline_weight
        if style.dashed:
            self._dashed(target, [start, end], style.outline, width)
            return
        target.line([start, end], style.outline, width, self.factor)
        if style.outline_weight > 1:
            target.dot(start, style.outline, width)
            target.dot(end, style.outline, width)

    def _stamp(self, target: Target, spot: TextSpot, colour: RGB | None) -> None:
        """Draw a cell text; with no ``colour``, in the ink that reads best on what is beneath."""
        if colour is None:
            colour = self.theme.readable(target.pixel(spot.sample) or self.theme.background)
        target.text(spot.at, spot.text, spot.px, colour, spot.anchor)

    def _dashed(
        self, target: Target, pts: Sequence[Px], colour: RGB, width: float, guide: bool = False
    ) -> None:
        """A dashed polyline. Every cell-long piece of a segment holds the same symmetric
        pattern, so a cell edge shared by two dashed cells gives the same pixels either way."""
        period = _DASH_PERIOD * width
        for p, q in itertools.pairwise(pts):
            length = math.dist(p, q)
            pieces = max(1, round(length / self.canvas.cell_px))
            dashes = max(1, round(length / pieces / period)) * pieces
            for k in range(dashes):
                a, b = (k + 0.5 - _DASH_FILL / 2) / dashes, (k + 0.5 + _DASH_FILL / 2) / dashes
                target.line([_along(p, q, a), _along(p, q, b)], colour, width, self.factor, guide)

    def _hatch(self, target: Target, poly: Sequence[Px], style: RoleStyle) -> None:
        if not style.hatch or style.hatch_colour is None:
            return
        for direction in _HATCH_DIRECTIONS[style.hatch]:
            for segment in hatch_segments(poly, direction, self.canvas.cell_px * _HATCH_SPACING):
                target.line(segment, style.hatch_colour, self.line_px * _HATCH_WIDTH, self.factor)

    # -- other items --------------------------------------------------------------------------

    def _shade(self, target: Target, shade: Shade, under: Sequence[TextSpot]) -> None:
        style = self.theme.style(shade.role)
        poly = [self.canvas.to_px(p) for p in shade.corners]
        colour = style.fill if style.fill is not None else style.stroke
        target.polygon(poly, colour, round(255 * _unit(shade.alpha, "alpha")))
        for spot in under:
            if _inside(poly, spot.sample):
                self._stamp(target, spot, None)
        if shade.outline and style.outline is not None:
            width = self.line_px * style.outline_weight
            target.line([*poly, poly[0], poly[1]], style.outline, width, self.factor)

    def _line(self, target: Target, line: Line) -> None:
        style = self.theme.style(line.role)
        pts = [self.canvas.to_px(p) for p in line.points]
        width = self.line_px * line.width
        head = _ARROW_HEAD * max(width, self.line_px)
        if line.arrow and len(pts) >= 2 and math.dist(pts[-2], pts[-1]) > head:
            before, tip = pts[-2], pts[-1]
            pts[-1] = _along(before, tip, 1 - head * 0.8 / math.dist(before, tip))  # under the head
            target.polygon(_arrow_head(before, tip, head), style.stroke)
        if line.dashed:
            self._dashed(target, pts, style.stroke, width, guide=True)
        else:
            target.line(pts, style.stroke, width, self.factor, guide=True)

    def _box(self, target: Target, box: Box) -> None:
        style = self.theme.style(box.role)
        fill = style.fill if style.fill is not None else self.theme.background
        alpha = round(255 * _unit(box.alpha, "alpha"))
        for corners, colour in zip(_box_faces(box, self.canvas), self.theme.faces(fill)):
            if corners is None:
                continue
            poly = [self.canvas.to_px(p) for p in corners]
            target.polygon(poly, colour, alpha)
            self._hatch(target, poly, style)
            if style.outline is not None:
                width = self.line_px * max(1.0, style.outline_weight * 0.6)
                target.line([*poly, poly[0], poly[1]], style.outline, width, self.factor)
        if box.label:
            (x, y, z), (w, h, _) = box.origin, box.size
            wanted = min(self.canvas.text_px("normal"), round(h * self.canvas.cell_px * 0.5))
            px = _fit_px(frozenset([box.label]), wanted, w * self.canvas.cell_px * 0.9)
            target.text(self.canvas.to_px((x + w / 2, y + h / 2, z)), box.label, px, style.text)

    def _label(self, target: Target, label: Label) -> None:
        """Text in the role's colour, unless that would not read on what lies beneath its anchor."""
        at = self.canvas.to_px(label.at)
        colour = self.theme.style(label.role).stroke
        beneath = target.pixel(at)
        if beneath is not None and contrast(luminance(colour), luminance(beneath)) < _MIN_CONTRAST:
            colour = self.theme.readable(beneath)
        target.text(at, label.text, self.canvas.text_px(label.size), colour, label.anchor)


# -- geometry helpers -------------------------------------------------------------------------


def _check_grid(grid: Grid) -> tuple[int, int]:
    """(rows, cols) of a rectangular grid whose labels match it."""
    rows, cols = grid.shape
    if rows == 0 or cols == 0 or any(len(row) != cols for row in grid.roles):
        raise ValueError("grid.roles: must be a non-empty rectangle of role names")
    for name in ("labels", "sublabels"):
        texts = getattr(grid, name)
        if texts and (len(texts) != rows or any(len(row) != cols for row in texts)):
            raise ValueError(f"grid.{name}: must be empty or match roles' {rows}x{cols} shape")
    return rows, cols


def _cell_quad(pts: list[list[Px]], r: int, c: int) -> tuple[Px, Px, Px, Px]:
    """Pixel corners of cell (r, c) from a grid's corner lattice, in order around the cell."""
    return pts[r][c], pts[r][c + 1], pts[r + 1][c + 1], pts[r + 1][c]


def _edge_rank(style: RoleStyle) -> int:
    """Which of two neighbouring cells draws the edge they share: heavy > solid > dashed > none."""
    if style.outline is None:
        return -1
    return 2 if style.outline_weight > 1 else 0 if style.dashed else 1


def _edge_runs(pts: list[list[Px]], styles: list[list[RoleStyle]]) -> list[tuple[int, Px, Px, RoleStyle]]:
    """Grid edges merged into straight runs of one style: (rank, start, end, style)."""
    rows, cols = len(styles), len(styles[0])

    def owner(*cells: tuple[int, int]) -> RoleStyle | None:
        best = max((styles[r][c] for r, c in cells if 0 <= r < rows and 0 <= c < cols), key=_edge_rank)
        return best if _edge_rank(best) >= 0 else None

    across = [[((r, c), (r, c + 1), owner((r - 1, c), (r, c))) for c in range(cols)] for r in range(rows + 1)]
    down = [[((r, c), (r + 1, c), owner((r, c - 1), (r, c))) for r in range(rows)] for c in range(cols + 1)]
    runs = []
    for edges in across + down:
        start = 0
        for k in range(1, len(edges) + 1):
            if k == len(edges) or edges[k][2] != edges[start][2]:
                style = edges[start][2]
                if style is not None:
                    (r0, c0), (r1, c1) = edges[start][0], edges[k - 1][1]
                    runs.append((_edge_rank(style), pts[r0][c0], pts[r1][c1], style))
                start = k
    return runs


@lru_cache(maxsize=1024)
def stroke_runs(p: Px, q: Px, width: int, pixel: int, guide: bool = False) -> np.ndarray:
    """The pixels of the segment p-q, ``width`` canvas pixels wide on a canvas supersampled
    ``pixel`` times, as rectangles (rows of x0, y0, x1, y1: inclusive canvas pixels).

    Why not Pillow's wide line: its edge crosses each sub-row of an output pixel at another
    place, so after ``reduce`` an oblique line has a different blend pattern in almost every
    output row, and a GIF frame where a kernel window, its outline and the grid beneath it
    change pays for each pattern (LZW finds no repeats). Here each output row (column, for a
    shallow segment) is covered by one run of whole canvas pixels centred where the line
    crosses the middle of that row, the same run in all its sub-rows: blends are multiples of
    1/pixel, a row repeats one of ``pixel`` patterns, and the edge is still placed to 1/pixel
    of an output pixel, so it looks as smooth as a supersampled line. A ``guide`` (a thin line
    that moves every frame) is centred on whole or half output pixels: two patterns, a row
    either covers one pixel or straddles two equally (one canvas pixel wider then, so it does
    not look lighter). Cached and read-only: grids and kernel windows recur frame after frame.
    """
    steep = abs(q[1] - p[1]) >= abs(q[0] - p[0])
    (a0, b0), (a1, b1) = ((p[1], p[0]), (q[1], q[0])) if steep else (p, q)
    if a0 > a1:
        (a0, b0), (a1, b1) = (a1, b1), (a0, b0)
    if a1 == a0:  # a point: nothing of its own (a polyline's joints get dots)
        return np.empty((0, 4), dtype=int)
    first, last = math.floor(a0 + 0.5), math.floor(a1 + 0.5)
    rows = np.arange(first // pixel, last // pixel + 1)  # output rows (columns) along the line
    middles = np.clip(rows * pixel + (pixel - 1) / 2, a0, a1)  # clipped to the segment's ends
    centre = b0 + (b1 - b0) * (middles - a0) / (a1 - a0)
    span = max(1, round(width * math.hypot(a1 - a0, b1 - b0) / (a1 - a0)))  # across a row
    if guide:
        # Snap to the half-pixel grid (pixel centres and borders), then take the shortest span
        # of at least ``span`` that is symmetric about it (2 * centre is a whole number).
        middle = (pixel - 1) / 2
        twice = (2 * middle + np.floor((centre - middle) * 2 / pixel + 0.5) * pixel).astype(int)
        length = span + (span - twice - 1) % 2
        low = (twice - length + 1) // 2
    else:
        length = np.full(rows.size, span)
        low = np.floor(centre - (span - 1) / 2 + 0.5).astype(int)
    high = low + length - 1
    # One rectangle per run of neighbouring rows covered alike.
    new = np.ones(rows.size, dtype=bool)
    new[1:] = (low[1:] != low[:-1]) | (high[1:] != high[:-1])
    firsts = np.flatnonzero(new)
    lasts = np.append(firsts[1:] - 1, rows.size - 1)
    along = np.maximum(rows[firsts] * pixel, first), np.minimum(rows[lasts] * pixel + pixel - 1, last)
    across = low[firsts], high[firsts]
    (x0, x1), (y0, y1) = (across, along) if steep else (along, across)
    runs = np.array([x0, y0, x1, y1]).T
    runs.flags.writeable = False
    return runs


def hatch_segments(poly: Sequence[Px], direction: tuple[int, int], spacing: float) -> list[tuple[Px, Px]]:
    """Parallel lines along ``direction``, ``spacing`` apart, clipped to a convex polygon.

    Lines sit where (normal . p) is a multiple of ``spacing`` in canvas pixels, so the hatches of
    neighbouring cells join up.
    """
    dx, dy = direction
    norm = math.hypot(dx, dy)
    nx, ny = -dy / norm, dx / norm
    levels = [nx * x + ny * y for x, y in poly]
    segments = []
    for k in range(math.ceil(min(levels) / spacing), math.floor(max(levels) / spacing) + 1):
        t = k * spacing
        hits = []
        for i, (a, la) in enumerate(zip(poly, levels)):
            b, lb = poly[(i + 1) % len(poly)], levels[(i + 1) % len(poly)]
            if (la - t) * (lb - t) < 0:
                hits.append(_along(a, b, (t - la) / (lb - la)))
        if len(hits) >= 2:
            hits.sort(key=lambda p: p[0] * dx + p[1] * dy)
            segments.append((hits[0], hits[-1]))
    return segments


def _box_faces(box: Box, canvas: Canvas) -> tuple[tuple[Point3, ...] | None, ...]:
    """World corners of the faces a viewer sees: (front, top, side); None where edge-on."""
    (x0, y0, z0), (w, h, d) = box.origin, box.size
    x1, y1, z1 = x0 + w, y0 + h, z0 + d
    front = ((x0, y0, z0), (x1, y0, z0), (x1, y1, z0), (x0, y1, z0))
    if canvas.view.kind == "flat" or d == 0:
        return front, None, None
    angle = math.radians(canvas.view.angle_deg)
    ty = y0 if math.sin(angle) > 0 else y1  # receding upwards shows the top
    sx = x1 if math.cos(angle) > 0 else x0  # receding rightwards shows the right side
    top = ((x0, ty, z0), (x1, ty, z0), (x1, ty, z1), (x0, ty, z1))
    side = ((sx, y0, z0), (sx, y0, z1), (sx, y1, z1), (sx, y1, z0))
    return front, top if w and math.sin(angle) else None, side if h and math.cos(angle) else None


def _inside(poly: Sequence[Px], point: Px) -> bool:
    """Whether ``point`` lies inside a convex polygon (either winding)."""
    signs = set()
    for a, b in zip(poly, [*poly[1:], poly[0]]):
        cross = (b[0] - a[0]) * (point[1] - a[1]) - (b[1] - a[1]) * (point[0] - a[0])
        if cross:
            signs.add(cross > 0)
    return len(signs) == 1


def _arrow_head(before: Px, tip: Px, size: float) -> list[Px]:
    """A filled triangle pointing from ``before`` to ``tip``."""
    length = math.dist(before, tip)
    ux, uy = (tip[0] - before[0]) / length, (tip[1] - before[1]) / length
    bx, by = tip[0] - ux * size, tip[1] - uy * size
    half = size * 0.45
    return [tip, (bx - uy * half, by + ux * half), (bx + uy * half, by - ux * half)]


def _along(p: Px, q: Px, t: float) -> Px:
    return p[0] + (q[0] - p[0]) * t, p[1] + (q[1] - p[1]) * t


def _sub(p: Px, q: Px) -> Px:
    return p[0] - q[0], p[1] - q[1]


def _unit(value: float, name: str) -> float:
    if not 0.0 <= value <= 1.0:
        raise ValueError(f"{name}: must be between 0 and 1, got {value!r}")
    return value


@lru_cache(maxsize=1024)
def _fit_px(texts: frozenset[str], wanted_px: int, max_width: float) -> int:
    """The largest size up to ``wanted_px`` at which the widest of ``texts`` fits ``max_width``."""
    if not texts or wanted_px <= 1:
        return max(1, wanted_px)
    widest = max(fonts.text_width(t, wanted_px) for t in texts)
    return max(1, min(wanted_px, math.floor(wanted_px * max_width / max(widest, 1e-9))))
