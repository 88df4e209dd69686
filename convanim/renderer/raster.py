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
from collections.abc import Sequence
from typing import NamedTuple

import numpy as np
from PIL import Image, ImageDraw

from convanim.checks import check_fraction
from convanim.picture import Box, Grid, Item, Label, Line, Shade
from convanim.pillow_private import rectangle_filler
from convanim.renderer import fonts
from convanim.renderer.damage import TILE, Rect, overlapping
from convanim.renderer.geometry import (
    Px,
    along,
    arrow_head,
    box_faces,
    cell_quad,
    check_grid,
    fit_px,
    hatch_segments,
    inside,
    stroke_runs,
    minus,
)
from convanim.renderer.gridparts import GridParts, Lattice, StyleTable, geometry_key
from convanim.renderer.project import Canvas, item_points, label_box
from convanim.renderer.recent import Recent
from convanim.renderer.theme import RGB, RoleStyle, Theme, contrast, luminance


_LINE_OF_CELL = 0.028  # base line width as a fraction of the cell size ...
_LINE_MIN, _LINE_MAX = 1.0, 2.4  # ... within these output-pixel bounds
DASH_PERIOD = 5.0  # dash + gap, in line widths (rounded so every cell edge holds whole dashes)
DASH_FILL = 0.55  # dash share of a period
HATCH_SPACING = 0.16  # of the cell size
HATCH_WIDTH = 0.6  # of the base line width
HATCH_DIRECTIONS = {"/": ((1, -1),), "\\": ((1, 1),), "x": ((1, -1), (1, 1)), "-": ((1, 0),), "|": ((0, 1),)}
_TEXT_FIT_W, _TEXT_FIT_H = 0.86, 0.62  # share of a cell's width / height a number may take
_SUB_FIT_W, _SUB_FIT_H = 0.43, 0.34  # the same for a sublabel
_SUB_CORNER = 0.8  # sublabel anchor, from the cell centre towards its lower-right corner
_SAMPLE_AT = 0.3  # contrast sample point, from the cell's upper-left corner towards its centre
MIN_CONTRAST = 3.0  # a label whose colour contrasts less with its ground switches ink
ARROW_HEAD = 4.0  # arrow head length in line widths
_ROUND_JOINT_PX = 4  # wider polylines get round joints (Pillow's rule for joint="curve")
_CLIP_FROM = 8  # a stroke of more boxes than this skips those outside a target's clip
_KEPT_GRIDS = 24  # grids taken apart and kept, most recent (a frame holds a few dozen at most)
_KEPT_RUNS = 64  # runs whose stroke boxes are kept for comparing grid states
_KEPT_HATCHES = 2048  # hatched cells and dashed runs whose boxes are kept


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
    """An image of the whole canvas, drawn on in canvas pixels.

    ``clip`` (x0, y0, x1, y1, inclusive), when set, is the only part of the image that will be
    read: strokes skip their boxes outside it, so a long line costs what it crosses of a region.
    Everything else is drawn whole: Pillow places an oblique edge or a text by its absolute
    coordinates, so drawing on a shifted crop could move a pixel, and must not.
    """

    def __init__(self, image: Image.Image, coverage: Image.Image | None = None) -> None:
        self.image = image
        self.clip: Rect | None = None
        self._draw = ImageDraw.Draw(image)
        self._fill = rectangle_filler(self._draw)
        self._blend = ImageDraw.Draw(image, "RGBA")
        # An "L" image marked 255 wherever something is drawn opaquely (text: by its coverage),
        # so what was drawn can later be laid over other pixels exactly (see GridLayers).
        self.coverage = coverage
        self._marks = None if coverage is None else ImageDraw.Draw(coverage)
        self._mark = None if self._marks is None else rectangle_filler(self._marks)

    def polygon(self, points: Sequence[Px], colour: RGB, alpha: int = 255) -> None:
        if alpha == 255:
            self._draw.polygon(list(points), fill=colour)
            if self._marks is not None:
                self._marks.polygon(list(points), fill=255)
        else:
            if self._marks is not None:
                raise ValueError("a translucent polygon cannot be laid over other pixels exactly")
            self._blend.polygon(list(points), fill=(*colour, alpha))

    def line(
        self, points: Sequence[Px], colour: RGB, width: float, pixel: int, guide: bool = False
    ) -> None:
        """A polyline ``width`` target pixels wide on a canvas supersampled ``pixel`` times, each
        segment drawn in whole output-pixel rows (``stroke_runs`` says why); a ``guide`` is
        also snapped to half output pixels."""
        stroke = max(1, round(width))
        for p, q in itertools.pairwise(points):
            self.boxes(colour, stroke_runs(p, q, stroke, pixel, guide))
        if stroke > _ROUND_JOINT_PX:  # round corners, as Pillow's joint="curve" gives
            for joint in points[1:-1]:
                self.dot(joint, colour, stroke)

    def boxes(self, colour: RGB, boxes: np.ndarray) -> None:
        """Fill boxes (rows of x0, y0, x1, y1: inclusive canvas pixels) in one colour."""
        if self.clip is not None and len(boxes) > _CLIP_FROM:
            x0, y0, x1, y1 = self.clip
            boxes = boxes[(boxes[:, 0] <= x1) & (boxes[:, 2] >= x0) & (boxes[:, 1] <= y1) & (boxes[:, 3] >= y0)]
        listed = boxes.tolist()
        self._fill(colour, listed)
        if self._mark is not None:
            self._mark(255, listed)

    def dot(self, at: Px, colour: RGB, diameter: float) -> None:
        (x, y), r = at, diameter / 2
        self._draw.ellipse((x - r, y - r, x + r, y + r), fill=colour)
        if self._marks is not None:
            self._marks.ellipse((x - r, y - r, x + r, y + r), fill=255)

    def text(self, at: Px, text: str, px: int, colour: RGB, anchor: str = "mm", bold: bool = False) -> None:
        fonts.draw_text(self.image, at, text, px, colour, anchor=anchor, bold=bold)
        if self.coverage is not None:
            fonts.draw_text(self.coverage, at, text, px, 255, anchor=anchor, bold=bold)

    def pixel(self, at: Px) -> RGB | None:
        """Colour at a canvas point, or None outside the image."""
        x, y = (round(v) for v in at)
        inside = 0 <= x < self.image.width and 0 <= y < self.image.height
        return self.image.getpixel((x, y)) if inside else None  # type: ignore[return-value]


class Painter:
    """Draws items for one theme on one (supersampled) canvas."""

    def __init__(self, theme: Theme, canvas: Canvas, factor: int) -> None:
        self.theme = theme
        self.canvas = canvas
        self.factor = factor  # canvas pixels per output pixel, each way
        self.line_px = factor * min(max(canvas.cell_px / factor * _LINE_OF_CELL, _LINE_MIN), _LINE_MAX)
        self.styles = StyleTable(theme)
        heaviest = max(style.outline_weight for style in self.styles.styles)
        # How far a cell's or an edge's pixels reach past its box: half the heaviest outline (or
        # its round cap), a hatch, rounding to whole pixels.
        self.reach = self.line_px * heaviest / 2 + 2 * factor
        self._lattices: dict[object, Lattice] = {}
        self._parts: Recent[GridParts] = Recent(_KEPT_GRIDS)
        self._run_boxes: Recent[frozenset[tuple[object, ...]]] = Recent(_KEPT_RUNS)
        self._hatches: Recent[np.ndarray] = Recent(_KEPT_HATCHES)
        self._dashes: Recent[np.ndarray] = Recent(_KEPT_HATCHES)
        self._last_changes: tuple[Grid | None, Grid | None, np.ndarray] = (None, None, np.empty((0, 4)))

    def draw(self, target: Target, item: Item, under: Sequence[TextSpot] = ()) -> None:
        """Draw one item. ``under`` are cell numbers already drawn beneath: a shade or a
        translucent box drawn over them stamps them again on top, in whichever ink reads best,
        so they stay readable.
        On a clipped target a grid draws only its parts that touch the clip, so its cost
        follows the region, not the grid."""
        if isinstance(item, Grid):
            self._grid(target, item)
        elif isinstance(item, Shade):
            self._shade(target, item, under)
        elif isinstance(item, Line):
            self._line(target, item)
        elif isinstance(item, Box):
            self._box(target, item, under)
        elif isinstance(item, Label):
            self._label(target, item)
        else:
            raise TypeError(f"not a picture item: {item!r}")

    def see_through(self, item: Item) -> list[list[Px]]:
        """The canvas polygons of ``item`` that numbers beneath show through: a shade's, a
        translucent box's visible faces; none for anything else."""
        if isinstance(item, Shade):
            return [[self.canvas.to_px(p) for p in item.corners]]
        if isinstance(item, Box) and item.alpha < 1:
            return [[self.canvas.to_px(p) for p in face] for face in box_faces(item, self.canvas) if face is not None]
        return []

    def restamped(self, item: Item, under: Sequence[TextSpot]) -> list[TextSpot]:
        """The numbers of ``under`` that ``item`` covers and lets show through."""
        polygons = self.see_through(item)
        return [spot for spot in under if any(inside(poly, spot.sample) for poly in polygons)] if polygons else []

    def bounds(self, item: Item) -> Rect:
        """Canvas pixels an item may touch (strokes and text included)."""
        if isinstance(item, Label):
            x, y = self.canvas.to_px(item.at)
            left, top, right, bottom = label_box(item, self.canvas.cell_px, self.canvas.min_text)
            return x + left - 1, y + top - 1, x + right + 1, y + bottom + 1
        points = [self.canvas.to_px(p) for p in item_points(item)]
        # Half the thickest stroke (the active outline) or an arrow head, plus blur.
        reach = ARROW_HEAD * 1.25 if getattr(item, "arrow", False) else 1.5
        pad = self.line_px * max(1.0, getattr(item, "width", 1.0)) * reach + 2
        xs, ys = [p[0] for p in points], [p[1] for p in points]
        return min(xs) - pad, min(ys) - pad, max(xs) + pad, max(ys) + pad

    def footprint(self, item: Item) -> list[Rect]:
        """Rectangles covering the pixels an item may touch: its bounds, or for a line a chain of
        small boxes along it (a long diagonal projector line would otherwise damage a big
        rectangle it hardly touches)."""
        if not isinstance(item, Line) or item.arrow:
            return [self.bounds(item)]
        pad = self.line_px * max(1.0, item.width) * 1.5 + 2
        piece = TILE * self.factor
        rects: list[Rect] = []
        points = [self.canvas.to_px(p) for p in item.points]
        for p, q in itertools.pairwise(points):
            count = max(1, math.ceil(math.dist(p, q) / piece))
            ends = np.linspace(p, q, count + 1)
            low, high = np.minimum(ends[:-1], ends[1:]) - pad, np.maximum(ends[:-1], ends[1:]) + pad
            rects += map(tuple, np.column_stack([low, high]).tolist())
        return rects or [self.bounds(item)]

    def clear_texts(self, grid: Grid) -> list[TextSpot]:
        """The grid's numbers on cells with no fill: their ink is picked from what lies beneath."""
        parts = self.parts(grid)
        clear = self.styles.clear[parts.codes]
        if not clear.any() or not (grid.labels or grid.sublabels):
            return []
        return self._cell_texts(parts, clear)

    def cell_texts(self, grid: Grid) -> list[TextSpot]:
        """Where a grid's numbers and sublabels go, in canvas pixels."""
        parts = self.parts(grid)
        return self._cell_texts(parts, np.ones(grid.shape, dtype=bool))

    def parts(self, grid: Grid) -> GridParts:
        """The grid's parts on this canvas, kept while the grid recurs (a static slice under a
        moving kernel is taken apart once)."""
        parts = self._parts.get(id(grid), lambda: self._take_apart(grid))
        if parts.grid is not grid:  # the id of a grid gone, reused
            parts = self._parts.put(id(grid), self._take_apart(grid))
        return parts

    def _take_apart(self, grid: Grid) -> GridParts:
        key = geometry_key(grid)
        lattice = self._lattices.get(key)
        if lattice is None:
            lattice = self._lattices[key] = Lattice(grid, self.canvas)
        else:
            check_grid(grid)
        return GridParts(grid, lattice, self.styles)

    def _cell_texts(self, parts: GridParts, cells: np.ndarray) -> list[TextSpot]:
        """Where the numbers and sublabels of the ``cells`` (a boolean mask) go, in canvas pixels:
        all numbers first, then all sublabels, each in reading order."""
        grid, pts = parts.grid, parts.lattice.pts
        (ux, uy), (vx, vy) = minus(pts[0][1], pts[0][0]), minus(pts[1][0], pts[0][0])
        cell_w, cell_h = max(abs(ux), abs(vx)), max(abs(uy), abs(vy))
        spots = []
        for texts, sub in ((grid.labels, False), (grid.sublabels, True)):
            if not texts:
                continue
            fit_w, fit_h = (_SUB_FIT_W, _SUB_FIT_H) if sub else (_TEXT_FIT_W, _TEXT_FIT_H)
            wanted = min(self.canvas.cell_text_px("tiny" if sub else "normal"), round(fit_h * cell_h))
            px = fit_px(parts.texts(sub), wanted, fit_w * cell_w)
            for r, c in zip(*np.nonzero(cells)):
                text = texts[r][c]
                if text:
                    spots.append(self._spot(parts, (int(r), int(c)), text, px, sub))
        return spots

    # -- grids --------------------------------------------------------------------------------

    def _spot(self, parts: GridParts, cell: tuple[int, int], text: str, px: int, sub: bool) -> TextSpot:
        r, c = cell
        quad = cell_quad(parts.lattice.pts, r, c)
        centre = (sum(p[0] for p in quad) / 4, sum(p[1] for p in quad) / 4)
        near = min(quad, key=lambda p: p[0] + p[1])
        far = max(quad, key=lambda p: p[0] + p[1])
        at = along(centre, far, _SUB_CORNER) if sub else centre
        style = self.styles.styles[parts.codes[r, c]]
        return TextSpot(at, text, px, "rs" if sub else "mm", along(near, centre, _SAMPLE_AT), style)

    def _grid(self, target: Target, grid: Grid) -> None:
        parts = self.parts(grid)
        pts, styles = parts.lattice.pts, self.styles.styles
        clip = target.clip
        cells = self._touching(parts.lattice.cell_boxes, clip)
        for r, c in zip(*np.nonzero(cells)):
            style = styles[parts.codes[r, c]]
            if style.fill is not None:
                quad = cell_quad(pts, int(r), int(c))
                target.polygon(quad, style.fill)
                self._hatch(target, quad, style)
        runs = parts.runs
        for k in np.flatnonzero(self._touching(parts.run_boxes, clip)):
            start, end = parts.run_ends(int(k))
            self._edge(target, start, end, styles[runs.style[k]])
        for spot in self._cell_texts(parts, cells):
            self._stamp(target, spot, spot.style.text if spot.style.fill is not None else None)

    def _touching(self, boxes: np.ndarray, clip: Rect | None) -> np.ndarray:
        """Which boxes, grown by the reach of a stroke, touch ``clip`` (all of them without one)."""
        if clip is None:
            return np.ones(boxes.shape[:-1], dtype=bool)
        return overlapping(boxes, clip, self.reach)

    def _edge(self, target: Target, start: Px, end: Px, style: RoleStyle) -> None:
        """One straight run of grid edges in a role's outline style (heavy runs get round caps)."""
        assert style.outline is not None
        target.boxes(style.outline, self.edge_boxes(start, end, style))
        if style.outline_weight > 1 and not style.dashed:
            width = self.line_px * style.outline_weight
            target.dot(start, style.outline, width)
            target.dot(end, style.outline, width)

    def edge_boxes(self, start: Px, end: Px, style: RoleStyle) -> np.ndarray:
        """The pixel boxes an edge run is stroked with (its dashes when dashed), caps aside."""
        width = self.line_px * style.outline_weight
        if style.dashed:
            return self._dash_boxes([start, end], width)
        return stroke_runs(start, end, max(1, round(width)), self.factor)

    def grid_changes(self, old: Grid, new: Grid) -> np.ndarray:
        """Canvas rectangles (rows of x0, y0, x1, y1) where two states of one grid geometry may
        differ: the cells whose role or text changed, the edges whose owner changed, and, on a
        lattice line that is oblique or dashed (where a run's pixels depend on where it starts
        and ends), every stroke box that is not in both."""
        if self._last_changes[0] is old and self._last_changes[1] is new:
            return self._last_changes[2]
        a, b = self.parts(old), self.parts(new)
        lattice = a.lattice
        changed = (a.codes != b.codes) | _text_changes(a, b)
        boxes = [lattice.cell_boxes[changed]]
        for kind, (was, now, edge_boxes, straight) in enumerate(
            ((a.across, b.across, lattice.across_boxes, lattice.across_straight),
             (a.down, b.down, lattice.down_boxes, lattice.down_straight))
        ):
            moved = was != now
            boxes.append(edge_boxes[moved])
            for line in np.flatnonzero(moved.any(axis=1)).tolist():
                runs = (_line_runs_of(a, kind, line), _line_runs_of(b, kind, line))
                styles = self.styles.styles
                if not straight[line] or any(styles[key[2]].dashed for side in runs for key in side):
                    boxes.append(self._stroke_differences((a, b), runs, kind, line))
        found = np.concatenate([box.reshape(-1, 4) for box in boxes]).astype(float)
        found += np.array([-self.reach, -self.reach, self.reach, self.reach])
        self._last_changes = (old, new, found)  # a frame and its grid's layer both ask
        return found

    def _stroke_differences(
        self, states: tuple[GridParts, GridParts], runs: tuple[dict[tuple[int, int, int], int], ...], kind: int,
        line: int,
    ) -> np.ndarray:
        """Boxes of the stroke pixels on one lattice line that one state draws and the other
        does not, from each state's ``runs`` on it. Runs both states have give the same boxes,
        so only the others are stroked here; a box both draw in the same colour is no
        difference."""
        (a, b), drawn = states, []
        for parts, own, other in ((a, runs[0], runs[1]), (b, runs[1], runs[0])):
            found: set[tuple[object, ...]] = set()
            for key, k in own.items():
                if key not in other:
                    found |= self._run_pixels(parts, kind, line, key, k)
            drawn.append(found)
        return np.array([box[1:] for box in drawn[0] ^ drawn[1]], dtype=float).reshape(-1, 4)

    def _run_pixels(
        self, parts: GridParts, kind: int, line: int, key: tuple[int, int, int], k: int
    ) -> frozenset[tuple[object, ...]]:
        """The stroke boxes of one run with their colour, kept: a run recurs step after step."""
        def pixels() -> frozenset[tuple[object, ...]]:
            style = self.styles.styles[key[2]]
            columns = self.edge_boxes(*parts.run_ends(k), style).T.tolist()
            return frozenset(zip(itertools.repeat(style.outline), *columns))  # tuples made in C

        return self._run_boxes.get((id(parts.lattice), kind, line, *key), pixels)

    def _stamp(self, target: Target, spot: TextSpot, colour: RGB | None) -> None:
        """Draw a cell text; with no ``colour``, in the ink that reads best on what is beneath."""
        if colour is None:
            colour = self.theme.readable(target.pixel(spot.sample) or self.theme.background)
        target.text(spot.at, spot.text, spot.px, colour, spot.anchor)

    def _dashed(
        self, target: Target, pts: Sequence[Px], colour: RGB, width: float, guide: bool = False
    ) -> None:
        """A dashed polyline (see :meth:`_dash_boxes`)."""
        target.boxes(colour, self._dash_boxes(pts, width, guide))

    def _dash_boxes(self, pts: Sequence[Px], width: float, guide: bool = False) -> np.ndarray:
        """The boxes of a dashed polyline. Every cell-long piece of a segment holds the same
        symmetric pattern, so a cell edge shared by two dashed cells gives the same pixels
        either way. Kept: a padding grid's dashes are drawn in every region that touches them."""
        return self._dashes.get((tuple(pts), width, guide), lambda: self._dashes_of(pts, width, guide))

    def _dashes_of(self, pts: Sequence[Px], width: float, guide: bool) -> np.ndarray:
        stroke = max(1, round(width))
        boxes = [
            stroke_runs(along(p, q, a), along(p, q, b), stroke, self.factor, guide)
            for p, q in itertools.pairwise(pts)
            for a, b in dash_spans(math.dist(p, q), width, self.canvas.cell_px)
        ]
        return np.concatenate(boxes) if boxes else np.empty((0, 4), dtype=int)

    def _hatch(self, target: Target, poly: Sequence[Px], style: RoleStyle) -> None:
        """A hatched fill's lines, as boxes kept per polygon: a static hatched cell is drawn in
        every region that touches it, frame after frame."""
        if not style.hatch or style.hatch_colour is None:
            return
        boxes = self._hatches.get((tuple(poly), style.hatch), lambda: self._hatch_of(poly, style))
        target.boxes(style.hatch_colour, boxes)

    def _hatch_of(self, poly: Sequence[Px], style: RoleStyle) -> np.ndarray:
        stroke = max(1, round(self.line_px * HATCH_WIDTH))
        boxes = [stroke_runs(p, q, stroke, self.factor) for p, q in hatch_lines(poly, style.hatch, self.canvas.cell_px)]
        return np.concatenate(boxes) if boxes else np.empty((0, 4), dtype=int)

    # -- other items --------------------------------------------------------------------------

    def _shade(self, target: Target, shade: Shade, under: Sequence[TextSpot]) -> None:
        style = self.theme.style(shade.role)
        poly = [self.canvas.to_px(p) for p in shade.corners]
        colour = style.fill if style.fill is not None else style.stroke
        target.polygon(poly, colour, round(255 * check_fraction("alpha", shade.alpha)))
        for spot in self.restamped(shade, under):
            self._stamp(target, spot, None)
        if shade.outline and style.outline is not None:
            width = self.line_px * style.outline_weight
            target.line([*poly, poly[0], poly[1]], style.outline, width, self.factor)

    def _line(self, target: Target, line: Line) -> None:
        style = self.theme.style(line.role)
        pts = [self.canvas.to_px(p) for p in line.points]
        width = self.line_px * line.width
        pts, head = arrowed(pts, line.arrow, ARROW_HEAD * max(width, self.line_px))
        if head:
            target.polygon(head, style.stroke)
        if line.dashed:
            self._dashed(target, pts, style.stroke, width, guide=True)
        else:
            target.line(pts, style.stroke, width, self.factor, guide=True)

    def _box(self, target: Target, box: Box, under: Sequence[TextSpot]) -> None:
        style = self.theme.style(box.role)
        fill = style.fill if style.fill is not None else self.theme.background
        alpha = round(255 * check_fraction("alpha", box.alpha))
        for corners, colour in zip(box_faces(box, self.canvas), self.theme.faces(fill)):
            if corners is None:
                continue
            poly = [self.canvas.to_px(p) for p in corners]
            target.polygon(poly, colour, alpha)
            self._hatch(target, poly, style)
            if style.outline is not None:
                width = self.line_px * max(1.0, style.outline_weight * 0.6)
                target.line([*poly, poly[0], poly[1]], style.outline, width, self.factor)
        for spot in self.restamped(box, under):
            self._stamp(target, spot, None)
        if box.label:
            at, px = box_label(box, self.canvas)
            target.text(at, box.label, px, style.text)

    def _label(self, target: Target, label: Label) -> None:
        """Text in the role's colour, unless that would not read on what lies beneath its anchor
        (none where too small to read)."""
        if not self.canvas.reads(label.size):
            return
        at = self.canvas.to_px(label.at)
        colour = label_ink(self.theme, self.theme.style(label.role).stroke, target.pixel(at))
        target.text(at, label.text, self.canvas.text_px(label.size), colour, label.anchor)


def label_ink(theme: Theme, colour: RGB, beneath: RGB | None) -> RGB:
    """A label's colour, unless that would not read on ``beneath``: then the theme's ink or page."""
    if beneath is not None and contrast(luminance(colour), luminance(beneath)) < MIN_CONTRAST:
        return theme.readable(beneath)
    return colour


def box_label(box: Box, canvas: Canvas) -> tuple[Px, int]:
    """Where a box's label goes (the centre of its front face) and its size, fitted to the face."""
    (x, y, z), (w, h, _) = box.origin, box.size
    wanted = min(canvas.cell_text_px("normal"), round(h * canvas.cell_px * 0.5))
    px = fit_px(frozenset([box.label]), wanted, w * canvas.cell_px * 0.9)
    return canvas.to_px((x + w / 2, y + h / 2, z)), px


def dash_spans(length: float, width: float, cell_px: float) -> list[tuple[float, float]]:
    """The dashes of a segment ``length`` long, as (start, end) fractions of it. Every cell-long
    piece of a segment holds the same symmetric pattern of ``DASH_PERIOD`` line widths, so a cell
    edge shared by two dashed cells gives the same dashes either way."""
    pieces = max(1, round(length / cell_px))
    dashes = max(1, round(length / pieces / (DASH_PERIOD * width))) * pieces
    return [((k + 0.5 - DASH_FILL / 2) / dashes, (k + 0.5 + DASH_FILL / 2) / dashes) for k in range(dashes)]


def hatch_lines(poly: Sequence[Px], hatch: str, cell_px: float) -> list[tuple[Px, Px]]:
    """The segments of a hatch pattern (see ``HATCH_DIRECTIONS``) across a convex polygon."""
    return [segment for direction in HATCH_DIRECTIONS[hatch]
            for segment in hatch_segments(poly, direction, cell_px * HATCH_SPACING)]


def arrowed(pts: list[Px], arrow: bool, head: float) -> tuple[list[Px], list[Px]]:
    """A polyline's points and its arrow head's triangle (empty for none, or when the last
    segment is shorter than the head): the line then ends under the head, not at its tip."""
    if not (arrow and len(pts) >= 2 and math.dist(pts[-2], pts[-1]) > head):
        return pts, []
    before, tip = pts[-2], pts[-1]
    shortened = [*pts[:-1], along(before, tip, 1 - head * 0.8 / math.dist(before, tip))]
    return shortened, arrow_head(before, tip, head)


def _text_changes(a: GridParts, b: GridParts) -> np.ndarray:
    """Cells whose number or sublabel differs between two states of a grid, or every cell with
    a text when the size their texts are fitted at may differ."""
    changed = np.zeros(a.codes.shape, dtype=bool)
    for name, sub in (("labels", False), ("sublabels", True)):
        was, now = getattr(a.grid, name), getattr(b.grid, name)
        if was is now:
            continue
        if a.texts(sub) != b.texts(sub):
            changed |= a.has_text(sub) | b.has_text(sub)
            continue
        for r, (row_a, row_b) in enumerate(zip(was, now)):
            if row_a is not row_b and row_a != row_b:
                changed[r] = [x != y for x, y in zip(row_a, row_b)]
    return changed


def _line_runs_of(parts: GridParts, kind: int, line: int) -> dict[tuple[int, int, int], int]:
    """The runs on one lattice line: (first, last, style) to the run's index."""
    runs = parts.runs
    found = np.flatnonzero((runs.kind == kind) & (runs.line == line))
    return {(int(runs.first[k]), int(runs.last[k]), int(runs.style[k])): int(k) for k in found}
