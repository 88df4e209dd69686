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
from typing import NamedTuple

import numpy as np
from PIL import Image, ImageDraw

from convanim.checks import check_fraction
from convanim.picture import Box, Grid, Item, Label, Line, Shade
from convanim.pillow_private import rectangle_filler
from convanim.renderer import fonts
from convanim.renderer.geometry import (
    Px,
    along,
    arrow_head,
    box_faces,
    cell_quad,
    check_grid,
    edge_runs,
    fit_px,
    hatch_segments,
    inside,
    stroke_runs,
    minus,
)
from convanim.renderer.project import Canvas, item_points, label_box
from convanim.renderer.theme import RGB, RoleStyle, Theme, contrast, luminance

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
        self._fill = rectangle_filler(self._draw)
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
        shift = np.array(self.offset * 2)
        for p, q in itertools.pairwise(points):
            self._fill(colour, (stroke_runs(p, q, stroke, pixel, guide) - shift).tolist())
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
        check_grid(grid)
        return self._cell_texts(grid, self._lattice(grid))

    def _cell_texts(self, grid: Grid, pts: list[list[Px]]) -> list[TextSpot]:
        """``cell_texts`` for a checked grid whose corner lattice is already known."""
        (ux, uy), (vx, vy) = minus(pts[0][1], pts[0][0]), minus(pts[1][0], pts[0][0])
        cell_w, cell_h = max(abs(ux), abs(vx)), max(abs(uy), abs(vy))
        spots = []
        for texts, sub in ((grid.labels, False), (grid.sublabels, True)):
            if not texts:
                continue
            fit_w, fit_h = (_SUB_FIT_W, _SUB_FIT_H) if sub else (_TEXT_FIT_W, _TEXT_FIT_H)
            wanted = min(self.canvas.text_px("tiny" if sub else "normal"), round(fit_h * cell_h))
            px = fit_px(frozenset(t for row in texts for t in row if t), wanted, fit_w * cell_w)
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
        quad = cell_quad(pts, r, c)
        centre = (sum(p[0] for p in quad) / 4, sum(p[1] for p in quad) / 4)
        near = min(quad, key=lambda p: p[0] + p[1])
        far = max(quad, key=lambda p: p[0] + p[1])
        at = along(centre, far, _SUB_CORNER) if sub else centre
        style = self.theme.style(grid.roles[r][c])
        return TextSpot(at, text, px, "rs" if sub else "mm", along(near, centre, _SAMPLE_AT), style)

    def _grid(self, target: Target, grid: Grid) -> None:
        rows, cols = check_grid(grid)
        pts = self._lattice(grid)
        styles = [[self.theme.style(role) for role in row] for row in grid.roles]
        for r in range(rows):
            for c in range(cols):
                style = styles[r][c]
                if style.fill is not None:
                    quad = cell_quad(pts, r, c)
                    target.polygon(quad, style.fill)
                    self._hatch(target, quad, style)
        for _, start, end, style in sorted(edge_runs(pts, styles), key=lambda run: run[0]):
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
                target.line([along(p, q, a), along(p, q, b)], colour, width, self.factor, guide)

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
        target.polygon(poly, colour, round(255 * check_fraction("alpha", shade.alpha)))
        for spot in under:
            if inside(poly, spot.sample):
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
            pts[-1] = along(before, tip, 1 - head * 0.8 / math.dist(before, tip))  # under the head
            target.polygon(arrow_head(before, tip, head), style.stroke)
        if line.dashed:
            self._dashed(target, pts, style.stroke, width, guide=True)
        else:
            target.line(pts, style.stroke, width, self.factor, guide=True)

    def _box(self, target: Target, box: Box) -> None:
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
        if box.label:
            (x, y, z), (w, h, _) = box.origin, box.size
            wanted = min(self.canvas.text_px("normal"), round(h * self.canvas.cell_px * 0.5))
            px = fit_px(frozenset([box.label]), wanted, w * self.canvas.cell_px * 0.9)
            target.text(self.canvas.to_px((x + w / 2, y + h / 2, z)), box.label, px, style.text)

    def _label(self, target: Target, label: Label) -> None:
        """Text in the role's colour, unless that would not read on what lies beneath its anchor."""
        at = self.canvas.to_px(label.at)
        colour = self.theme.style(label.role).stroke
        beneath = target.pixel(at)
        if beneath is not None and contrast(luminance(colour), luminance(beneath)) < _MIN_CONTRAST:
            colour = self.theme.readable(beneath)
        target.text(at, label.text, self.canvas.text_px(label.size), colour, label.anchor)
