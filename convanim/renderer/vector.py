"""Pictures to vector drawings: the same frames as the raster renderer, as shapes and text.

Why beside the raster painter and not a backend of it: the raster painter lays strokes down as
runs of whole pixels and keeps frames by damage; a vector frame wants the line itself. Everything
else is shared, so the two cannot drift apart: the timeline is fitted by the same
:func:`~convanim.renderer.compose.prepare` on the same supersampled canvas (so text sizes, fitted
numbers and every corner are the raster's own numbers), grids are taken apart by the raster
:class:`~convanim.renderer.raster.Painter` into the same cells, edge runs and text spots, and
dashes, hatches, arrow heads, box labels and text slots come from the same functions.

The one thing a raster has and shapes do not is a pixel to read: a number on a cell with no fill,
or one under the kernel's shadow, takes whichever ink reads on what lies beneath it. Here a
:class:`Ground` keeps the filled shapes drawn so far and composes their colours at a point.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence

import numpy as np

from convanim.drawing import Dot, Drawing, Fill, Op, Stroke, Text
from convanim.picture import Box, Grid, Item, Label, Line, Picture, Shade, Timeline
from convanim.renderer import fonts
from convanim.renderer.compose import Fitted, bands, corners, shown_texts, slot_lines
from convanim.renderer.geometry import Px, box_faces, cell_quad
from convanim.renderer.project import CanvasSpec
from convanim.renderer.raster import (
    ARROW_HEAD,
    HATCH_WIDTH,
    TextSpot,
    arrowed,
    box_label,
    dash_spans,
    hatch_lines,
    label_ink,
)
from convanim.renderer.theme import RGB, RoleStyle, Theme, blend
from convanim.checks import check_fraction


class Ground:
    """The filled shapes drawn so far, to tell the colour at a point as a raster would show it:
    the page, then every shape that covers the point blended in order (strokes and text are
    thin, and the points asked are chosen clear of them)."""

    def __init__(self, page: RGB) -> None:
        self.page = page
        self._layers: list[tuple[np.ndarray, np.ndarray, float]] = []

    def copy(self) -> Ground:
        other = Ground(self.page)
        other._layers = list(self._layers)
        return other

    def add(self, polygons: Sequence[Sequence[Px]], colours: Sequence[RGB], alpha: float = 1.0) -> None:
        """Polygons (convex, of one corner count each call) drawn in order, each in its colour."""
        if polygons:
            self._layers.append((np.asarray(polygons, dtype=float), np.asarray(colours, dtype=float), alpha))

    def at(self, point: Px) -> RGB:
        colour = self.page
        x, y = point
        for polygons, colours, alpha in self._layers:
            a, b = polygons, np.roll(polygons, -1, axis=1)
            cross = (b[..., 0] - a[..., 0]) * (y - a[..., 1]) - (b[..., 1] - a[..., 1]) * (x - a[..., 0])
            covering = np.flatnonzero(np.all(cross >= 0, axis=1) | np.all(cross <= 0, axis=1))
            if covering.size:
                red, green, blue = (int(v) for v in colours[covering[-1]])
                colour = (red, green, blue) if alpha >= 1 else blend(colour, (red, green, blue), alpha)
        return colour


class VectorRenderer(Fitted):
    """Draws the steps of one timeline, in one theme, on one canvas, as :class:`Drawing` s."""

    def __init__(self, timeline: Timeline, theme: Theme, spec: CanvasSpec) -> None:
        super().__init__(timeline, theme, spec)
        self._ops: list[Op] = []
        self._kept = 0  # ops at the start of ``_ops`` that are the background's
        self._ground = Ground(self.theme.background)
        self._under: list[TextSpot] = []  # the background's numbers, restamped above shades
        for item in timeline.background.items:
            self._item(item)
            if isinstance(item, Grid):
                self._under += self.painter.cell_texts(item)
        self._slots(timeline.background, everything=True)
        self.background: tuple[Op, ...] = tuple(self._ops)
        self._background_ground = self._ground
        self.spots = self.spots_of(timeline.background)

    def drawing(self, overlay: Picture) -> Drawing:
        """The background with ``overlay`` drawn over it."""
        self._ops, self._ground = list(self.background), self._background_ground.copy()
        self._kept = len(self._ops)
        stamped = self.shaded_numbers(overlay)
        for index, item in enumerate(overlay.items):
            self._item(item, stamped.get(index, []))
        self._slots(overlay)
        width, height = self.size
        now = self.spots_of(overlay)
        return Drawing(width, height, self.theme.background, tuple(self._ops), self.spots, now)

    # -- emitting, in supersampled canvas pixels, scaled to output pixels ------------------------

    def _xy(self, point: Px) -> Px:
        return point[0] / self.factor, point[1] / self.factor

    def _fill(self, polygons: Sequence[Sequence[Px]], colour: RGB, alpha: float = 1.0) -> None:
        shapes = tuple(tuple(self._xy(p) for p in polygon) for polygon in polygons)
        last = self._last()
        if isinstance(last, Fill) and last.colour == colour and alpha == last.alpha == 1:  # opaque: one shape
            self._ops[-1] = Fill(last.polygons + shapes, colour)
        else:
            self._ops.append(Fill(shapes, colour, alpha))
        self._ground.add(polygons, [colour] * len(polygons), alpha)

    def _stroke(self, lines: Sequence[Sequence[Px]], colour: RGB, width: float, closed: bool = False,
                dash: tuple[float, float, float] | None = None) -> None:
        """Lines ``width`` canvas pixels wide, rounded to whole pixels as the raster strokes them;
        joined to the stroke before when it looks the same (a grid's runs and dashes are)."""
        shapes = tuple(tuple(self._xy(p) for p in line) for line in lines)
        stroke = Stroke(shapes, colour, max(1, round(width)) / self.factor, dash, closed)
        last = self._last()
        if isinstance(last, Stroke) and (last.colour, last.width, last.dash, last.closed) == (
                stroke.colour, stroke.width, stroke.dash, stroke.closed):
            self._ops[-1] = Stroke(last.lines + shapes, colour, stroke.width, dash, closed)
        else:
            self._ops.append(stroke)

    def _last(self) -> Op | None:
        """The op drawn last, if a new one may join it: never one of the background's, which
        every step shares as it is."""
        return self._ops[-1] if len(self._ops) > self._kept else None

    def _dashed(self, pts: Sequence[Px], colour: RGB, width: float) -> None:
        """A dashed polyline: each segment its own pattern, as :func:`dash_spans` places it."""
        for p, q in itertools.pairwise(pts):
            length = math.dist(p, q)
            spans = dash_spans(length, width, self.hires.cell_px)
            if not length:
                continue
            period = length / len(spans) / self.factor
            on = (spans[0][1] - spans[0][0]) * length / self.factor
            start = spans[0][0] * length / self.factor
            # To a thousandth of a pixel: runs of a grid share one pattern, so they join up.
            dash = (round(on, 3), round(period - on, 3), round(period - start, 3))
            self._stroke([(p, q)], colour, width, dash=dash)

    def _text(self, at: Px, text: str, px: int, colour: RGB, anchor: str = "mm", bold: bool = False) -> None:
        """Text anchored as Pillow anchors it, moved to its baseline's start (a run a font when
        it mixes Chinese with other characters)."""
        if not text:
            return
        if "\n" in text:
            for line, dy in fonts.lines(text, px):
                self._text((at[0], at[1] + dy), line, px, colour, anchor, bold)
            return
        if fonts.mixed(text):
            for chunk, x, y, _ in fonts.runs(text, px, bold, anchor):
                self._text((at[0] + x, at[1] + y), chunk, px, colour, "ls", bold)
            return
        face = fonts.font_for(text, px, bold)
        left, top, _, _ = face.getbbox(text, anchor=anchor)
        base_left, base_top, _, _ = face.getbbox(text, anchor="ls")
        start = (at[0] + left - base_left, at[1] + top - base_top)
        self._ops.append(Text(self._xy(start), text, px / self.factor, colour, fonts.face_name(text, bold), bold))

    # -- items -------------------------------------------------------------------------------

    def _item(self, item: Item, stamped: Sequence[TextSpot] = ()) -> None:
        """Emit one item; ``stamped``: the overlay's numbers a shade stamps again (the raster's rule)."""
        if isinstance(item, Grid):
            self._grid(item)
        elif isinstance(item, Shade):
            self._shade(item, stamped)
        elif isinstance(item, Line):
            self._line(item)
        elif isinstance(item, Box):
            self._box(item, [*self._under, *stamped])
        elif isinstance(item, Label):
            self._label(item)
        else:
            raise TypeError(f"not a picture item: {item!r}")

    def _grid(self, grid: Grid) -> None:
        """Cells (one shape a colour: cells never overlap), their hatches, the edge runs, the
        numbers: the raster's order."""
        parts = self.painter.parts(grid)
        pts, styles = parts.lattice.pts, self.painter.styles.styles
        by_colour: dict[RGB, list[Sequence[Px]]] = {}
        hatched: list[tuple[Sequence[Px], RoleStyle]] = []
        for r, c in zip(*np.nonzero(self.painter.styles.clear[parts.codes] == 0)):
            style = styles[parts.codes[r, c]]
            assert style.fill is not None
            quad = cell_quad(pts, int(r), int(c))
            by_colour.setdefault(style.fill, []).append(quad)
            if style.hatch and style.hatch_colour is not None:
                hatched.append((quad, style))
        for colour, quads in by_colour.items():
            self._fill(quads, colour)
        for cell, style in hatched:
            self._hatch(cell, style)
        runs = parts.runs
        for k in range(len(runs.kind)):
            self._edge(*parts.run_ends(k), styles[runs.style[k]])
        for spot in self.painter.cell_texts(grid):
            self._stamp(spot, spot.style.text if spot.style.fill is not None else None)

    def _hatch(self, poly: Sequence[Px], style: RoleStyle) -> None:
        segments = hatch_lines(poly, style.hatch, self.hires.cell_px)
        if segments and style.hatch_colour is not None:
            self._stroke(segments, style.hatch_colour, self.painter.line_px * HATCH_WIDTH)

    def _edge(self, start: Px, end: Px, style: RoleStyle) -> None:
        assert style.outline is not None
        width = self.painter.line_px * style.outline_weight
        if style.dashed:
            self._dashed([start, end], style.outline, width)
            return
        self._stroke([(start, end)], style.outline, width)
        if style.outline_weight > 1:  # round ends, as the raster gives a heavy run
            for point in (start, end):
                self._ops.append(Dot(self._xy(point), max(1, round(width)) / self.factor, style.outline))

    def _stamp(self, spot: TextSpot, colour: RGB | None) -> None:
        """A cell number; with no ``colour``, in the ink that reads on what is beneath it."""
        ink = colour if colour is not None else self.theme.readable(self._ground.at(spot.sample))
        self._text(spot.at, spot.text, spot.px, ink, spot.anchor)

    def _shade(self, shade: Shade, stamped: Sequence[TextSpot]) -> None:
        style = self.theme.style(shade.role)
        poly = [self.hires.to_px(p) for p in shade.corners]
        colour = style.fill if style.fill is not None else style.stroke
        alpha = round(255 * check_fraction("alpha", shade.alpha)) / 255
        self._fill([poly], colour, alpha)
        for spot in self.painter.restamped(shade, [*self._under, *stamped]):
            self._stamp(spot, None)
        if shade.outline and style.outline is not None:
            self._stroke([poly], style.outline, self.painter.line_px * style.outline_weight, closed=True)

    def _line(self, line: Line) -> None:
        style = self.theme.style(line.role)
        width = self.painter.line_px * line.width
        pts, head = arrowed([self.hires.to_px(p) for p in line.points], line.arrow,
                            ARROW_HEAD * max(width, self.painter.line_px))
        if head:
            self._fill([head], style.stroke)
        if line.dashed:
            self._dashed(pts, style.stroke, width)
        else:
            self._stroke([pts], style.stroke, width)

    def _box(self, box: Box, under: Sequence[TextSpot]) -> None:
        style = self.theme.style(box.role)
        fill = style.fill if style.fill is not None else self.theme.background
        alpha = round(255 * check_fraction("alpha", box.alpha)) / 255
        for face, colour in zip(box_faces(box, self.hires), self.theme.faces(fill)):
            if face is None:
                continue
            poly = [self.hires.to_px(p) for p in face]
            self._fill([poly], colour, alpha)
            if style.hatch and style.hatch_colour is not None:
                self._hatch(poly, style)
            if style.outline is not None:
                width = self.painter.line_px * max(1.0, style.outline_weight * 0.6)
                self._stroke([poly], style.outline, width, closed=True)
        for spot in self.painter.restamped(box, under):
            self._stamp(spot, None)
        if box.label:
            at, px = box_label(box, self.hires)
            self._text(at, box.label, px, style.text)

    def _label(self, label: Label) -> None:
        if not self.hires.reads(label.size):
            return
        at = self.hires.to_px(label.at)
        colour = label_ink(self.theme, self.theme.style(label.role).stroke, self._ground.at(at))
        self._text(at, label.text, self.hires.text_px(label.size), colour, label.anchor)

    def _slots(self, picture: Picture, everything: bool = False) -> None:
        """The title and caption bands: all of them for the background, else those that differ
        from the background's, each over a band cleared to the page."""
        title, caption, formula = shown_texts(self.timeline, picture)
        for (band, differs), texts in zip(bands(self.hires, self.timeline, picture),
                                          ((title, "", ""), ("", caption, formula))):
            if not (everything or differs) or not any(texts):
                continue
            if not everything:
                self._fill([corners(band)], self.theme.background)
            for line in slot_lines(self.hires, *texts):
                self._text(line.at, line.text, line.px, self.theme.ink, line.anchor, line.bold)

