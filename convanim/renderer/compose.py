"""Frames from a timeline: a cached background, and each frame redrawn only where it changed.

The background (every static item and the text slots) is drawn once at the supersampled size and
kept twice: in RGB at full resolution, and as palette indices at output size. A frame starts from
the frame before: :mod:`convanim.renderer.damage` says where the new overlay differs from the last
one (item by item, and cell by cell and edge by edge within a grid), and only those regions are
redrawn: the background cropped there, every overlay item touching the region drawn on it (a grid
only in its parts that touch), shrunk (anti-aliasing), mapped to palette indices and pasted. The
crops are aligned to the supersampling blocks, so every frame is identical to drawing it whole,
and a frame costs what it changes, whatever the size of the grid.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import NamedTuple

import numpy as np
from PIL import Image

from convanim.drawing import Polygon, Spot
from convanim.picture import Grid, Item, Label, Picture, Quad, Timeline
from convanim.renderer import fonts
from convanim.renderer.damage import Damage, Rect, Region, Sampled, grow
from convanim.renderer.gridparts import geometry_key
from convanim.renderer.layers import GridLayers
from convanim.renderer.project import Canvas, CanvasSpec, fit
from convanim.renderer.raster import Painter, Target, TextSpot
from convanim.renderer.recent import Recent, kept_for
from convanim.renderer.theme import Theme, theme_palette, to_indices, with_scales
from convanim.picture.timeline import check_timeline

#: Supersampling factor: drawn at this multiple of the output size, then reduced. Large frames
#: have large cells that need less of it (and 3x a 1080p frame would be a 56 MB background).
SUPERSAMPLE = 3
SUPERSAMPLE_LARGE = 2
LARGE_PX = 1280 * 720

_TITLE_FIT = 0.98  # a title wider than the text width shrinks to fit
_KEPT_BOUNDS = 1024  # items whose bounds are kept (a frame holds a few dozen)
_KEPT_NUMBERS = 16  # grids whose numbers are kept (the slices of a stack under a moving kernel)


class Fitted:
    """What every renderer of a timeline starts from (see :func:`prepare`): the theme with its
    scales, the canvas and its supersampled twin, and a painter on that twin."""

    def __init__(self, timeline: Timeline, theme: Theme, spec: CanvasSpec) -> None:
        theme, self.canvas, factor = prepare(timeline, theme, spec)
        self.timeline, self.theme, self.factor = timeline, theme, factor
        self.hires = self.canvas.supersampled(factor)
        self.painter = Painter(theme, self.hires, factor)
        self._numbers: Recent[tuple[object, list[TextSpot]]] = Recent(_KEPT_NUMBERS)

    @property
    def size(self) -> tuple[int, int]:
        """(width, height) of the output frames."""
        return self.canvas.width_px, self.canvas.height_px

    def spots_of(self, picture: Picture) -> tuple[Spot, ...]:
        """The results ``picture`` links, their cells projected onto the output frame."""
        def polygon(quad: Quad) -> Polygon:
            return tuple(self.canvas.to_px(point) for point in quad)

        return tuple(Spot(polygon(link.output), tuple(map(polygon, link.inputs)),
                          tuple(map(polygon, link.weights)), link.terms, link.result, link.value)
                     for link in picture.links)

    def shaded_numbers(self, overlay: Picture) -> dict[int, list[TextSpot]]:
        """For each see-through item of ``overlay`` (a shade, a translucent box; by index), the
        numbers of the overlay grid drawn last before it that lie under it: the item stamps them
        again on top, so a kernel over one slice of a stack leaves that slice's numbers readable.
        Only the last grid's: the slices behind it are hidden there, and so are their numbers.
        A grid's numbers are laid out only when a see-through item follows it, once while it
        recurs: an output grid drawn last would otherwise cost its cells every frame."""
        found: dict[int, list[TextSpot]] = {}
        grid: Grid | None = None
        for index, item in enumerate(overlay.items):
            if isinstance(item, Grid):
                grid = item if item.labels or item.sublabels else None
            elif (grid is not None and self.painter.see_through(item)
                  and (covered := self.painter.restamped(item, self._numbers_of(grid)))):
                found[index] = covered
        return found

    def _numbers_of(self, grid: Grid) -> list[TextSpot]:
        """The painter's cell texts of ``grid``, kept while the grid recurs."""
        return kept_for(self._numbers, grid, lambda: self.painter.cell_texts(grid))


class Renderer(Fitted):
    """Renders overlays of one timeline, in one theme, on one canvas."""

    def __init__(self, timeline: Timeline, theme: Theme, spec: CanvasSpec) -> None:
        super().__init__(timeline, theme, spec)
        theme, factor = self.theme, self.factor
        self.palette = theme_palette(theme)
        self.background = Image.new("RGB", (self.hires.width_px, self.hires.height_px), theme.background)
        self.texts: list[TextSpot] = []  # the background's numbers, restamped above shades
        target = Target(self.background)
        for item in timeline.background.items:
            self.painter.draw(target, item, self.texts)
            if isinstance(item, Grid):
                self.texts += self.painter.cell_texts(item)
        self._slots(target, timeline.background, everything=True)
        self.indices = to_indices(self.background.reduce(factor), theme)
        self._under = _sampled(self.texts)
        self._shown = Picture()  # the overlay ``_frame`` shows
        self._frame = self.indices.copy()
        # Scratch canvas the regions are redrawn on, in place: Pillow places an oblique edge by
        # its absolute coordinates, so a region drawn on a crop could differ from a whole
        # redraw by a pixel. What a region's drawing spills outside it is never read.
        self._work = self.background.copy()
        self._target = Target(self._work)
        self._layers = GridLayers(self.painter, self._work)
        self._kept_bounds: Recent[tuple[object, Rect]] = Recent(_KEPT_BOUNDS)

    def frame(self, overlay: Picture) -> Image.Image:
        """The background with ``overlay`` drawn on top, as a "P" image in the theme palette."""
        damage = Damage(self.size, self.factor)
        damage.add(self._changes(self._shown, overlay))
        stamped = self.shaded_numbers(overlay)
        restamped = [spot for spots in stamped.values() for spot in spots]
        sampled = [self._under, *self._overlay_sampled(overlay), *([_sampled(restamped)] if restamped else [])]
        damage.close(Sampled.join(sampled))
        bounds = {id(item): self._bounds(item) for item in overlay.items}
        bands = [band for band, changed in self._bands(overlay) if changed]
        self._layers.update(overlay)
        for region in damage.regions():
            self._redraw(grow(region, self.factor, self.size, sampled), overlay, bounds, bands, stamped)
        self._shown = overlay
        image = Image.frombytes("P", self.size, self._frame.tobytes())
        image.putpalette(self.palette)
        return image

    def _bounds(self, item: Item) -> Rect:
        """The painter's bounds of ``item``, kept while the item recurs (static slices do)."""
        return kept_for(self._kept_bounds, item, lambda: self.painter.bounds(item))

    def _redraw(self, region: Region, overlay: Picture, bounds: dict[int, Rect], bands: list[Rect],
                stamped: dict[int, list[TextSpot]]) -> None:
        """Draw one region of the frame afresh: the background, the overlay items that touch it
        (``bounds``: theirs), the text slots that differ from the background's (in ``bands``);
        a shade stamps again the background's numbers under it and those ``stamped`` gives it."""
        f = self.factor
        x0, y0, x1, y1 = region
        box = (x0 * f, y0 * f, x1 * f, y1 * f)
        clip = (box[0], box[1], box[2] - 1, box[3] - 1)
        self._work.paste(self.background.crop(box), box)
        under = [self.texts[i] for i in np.flatnonzero(self._under.touching(clip))]
        self._target.clip = clip
        for index, item in enumerate(overlay.items):
            if not _overlap(bounds[id(item)], clip):
                continue
            if not (isinstance(item, Grid) and self._layers.lay(self._target, item, box)):
                self.painter.draw(self._target, item, [*under, *stamped.get(index, ())])
        if any(_overlap(band, clip) for band in bands):
            self._slots(self._target, overlay)
        self._target.clip = None
        self._frame[y0:y1, x0:x1] = to_indices(self._work.reduce(f, box), self.theme)

    # -- what changed -----------------------------------------------------------------------

    def _changes(self, before: Picture, after: Picture) -> np.ndarray:
        """Canvas rectangles (rows of x0, y0, x1, y1) where ``after`` may differ from ``before``:
        items compared in order (two states of one grid cell by cell), and the text bands whose
        words changed."""
        rects: list[Rect] = [band for (band, _), old, new in zip(self._bands(after), self._slot_texts(before),
                                                                 self._slot_texts(after)) if old != new]
        grids = []
        for index in range(max(len(before.items), len(after.items))):
            old = before.items[index] if index < len(before.items) else None
            new = after.items[index] if index < len(after.items) else None
            if old is new or old == new:
                continue
            if isinstance(old, Grid) and isinstance(new, Grid) and geometry_key(old) == geometry_key(new):
                grids.append(self.painter.grid_changes(old, new))
                continue
            rects += [rect for item in (old, new) if item is not None for rect in self.painter.footprint(item)]
        return np.concatenate([np.array(rects, dtype=float).reshape(-1, 4), *grids])

    def _overlay_sampled(self, overlay: Picture) -> list[Sampled]:
        """The overlay's texts whose ink is picked from beneath: labels, numbers on clear cells."""
        found = []
        labels = [item for item in overlay.items if isinstance(item, Label)]
        if labels:
            anchors = np.array([self.hires.to_px(label.at) for label in labels], dtype=float)
            found.append(Sampled(np.array([self.painter.bounds(label) for label in labels]), anchors))
        for item in overlay.items:
            if isinstance(item, Grid):
                spots = self.painter.clear_texts(item)
                if spots:
                    found.append(_sampled(spots))
        return found

    # -- text slots -------------------------------------------------------------------------

    def _texts(self, picture: Picture) -> tuple[str, str, str]:
        return shown_texts(self.timeline, picture)

    def _slot_texts(self, picture: Picture) -> tuple[str, tuple[str, str]]:
        """What the title band and the caption band show with ``picture``."""
        title, caption, formula = self._texts(picture)
        return title, (caption, formula)

    def _bands(self, picture: Picture) -> list[tuple[Rect, bool]]:
        return bands(self.hires, self.timeline, picture)

    def _slots(self, target: Target, picture: Picture, everything: bool = False) -> None:
        """Draw the text slots that differ from the background's (all of them for the background
        itself), clearing their band first."""
        (title_band, new_title), (caption_band, new_caption) = self._bands(picture)
        title, caption, formula = self._texts(picture)
        if title and (everything or new_title):
            target.polygon(corners(title_band), self.theme.background)
            for line in slot_lines(self.hires, title, "", ""):
                target.text(line.at, line.text, line.px, self.theme.ink, line.anchor, bold=line.bold)
        if everything or new_caption:
            target.polygon(corners(caption_band), self.theme.background)
            for line in slot_lines(self.hires, "", caption, formula):
                target.text(line.at, line.text, line.px, self.theme.ink, line.anchor, bold=line.bold)


class SlotLine(NamedTuple):
    """One line of a text slot: anchored at ``at`` (Pillow's anchors), ``px`` pixels to the em."""

    at: tuple[float, float]
    text: str
    px: int
    anchor: str
    bold: bool


def slot_lines(canvas: Canvas, title: str, caption: str, formula: str) -> list[SlotLine]:
    """The lines of the title band (the title, bold, shrunk to fit the width) and of the caption
    band (caption and formula, wrapped), where every renderer draws them."""
    centre = canvas.width_px / 2
    lines = []
    if title:
        fit = int(canvas.title_px * _TITLE_FIT * canvas.text_width / fonts.text_width(title, canvas.title_px, True))
        lines.append(SlotLine((centre, canvas.title_y), title, min(canvas.title_px, fit), "mm", True))
    wrapped = [line for text in (caption, formula) if text
               for line in fonts.wrap(text, canvas.caption_px, canvas.text_width)]
    for index, line in enumerate(wrapped):
        y = canvas.caption_top + index * canvas.line_step
        lines.append(SlotLine((centre, y), line, canvas.caption_px, "ma", False))
    return lines


def prepare(timeline: Timeline, theme: Theme, spec: CanvasSpec) -> tuple[Theme, Canvas, int]:
    """What every renderer of a timeline starts from: the theme with the value scales it uses
    (every role checked now, not at the frame that first shows it), the timeline fitted to the
    canvas, and the supersampling factor for that canvas."""
    check_timeline(timeline)
    roles: set[str] = set()
    canvas = fit(spec, timeline.view, _noting_roles(pictures_of(timeline), roles))  # one pass over the steps
    theme = with_scales(theme, roles)
    for role in sorted(roles):
        theme.style(role)
    large = canvas.width_px * canvas.height_px > LARGE_PX
    return theme, canvas, SUPERSAMPLE_LARGE if large else SUPERSAMPLE


def shown_texts(timeline: Timeline, picture: Picture) -> tuple[str, str, str]:
    """(title, caption, formula) shown with ``picture``: its own, else the background's."""
    base = timeline.background
    return picture.title or base.title, picture.caption or base.caption, picture.formula or base.formula


def bands(canvas: Canvas, timeline: Timeline, picture: Picture) -> list[tuple[Rect, bool]]:
    """(rectangle on ``canvas``, differs from the background) of the title and caption bands
    shown with ``picture``."""
    title, caption, formula = shown_texts(timeline, picture)
    base = timeline.background
    title_band = (0.0, canvas.title_y - canvas.title_px, float(canvas.width_px), canvas.title_y + canvas.title_px)
    caption_band = (0.0, canvas.caption_top - canvas.caption_px * 0.5, float(canvas.width_px), float(canvas.height_px))
    new_caption = (caption, formula) != (base.caption, base.formula)
    return [(title_band, title != base.title), (caption_band, new_caption)]


def pictures_of(timeline: Timeline) -> Iterator[Picture]:
    """The background, then every step's overlay, one at a time (a long sweep's steps are made
    as they are read: a list of them would hold them all)."""
    yield timeline.background
    for step in timeline.steps:
        yield step.overlay


def _noting_roles(pictures: Iterable[Picture], roles: set[str]) -> Iterator[Picture]:
    """The pictures, each passed on after its roles are added to ``roles``. A row of roles
    shared by many steps (a grid filling in) is read once."""
    seen: set[int] = set()
    for picture in pictures:
        for item in picture.items:
            if isinstance(item, Grid):
                rows = [row for row in item.roles if id(row) not in seen]
                seen.update(map(id, rows))
                roles.update(*rows)
            else:
                roles.add(item.role)
        yield picture


def _sampled(spots: list[TextSpot]) -> Sampled:
    """Cell numbers whose ink may be picked from beneath: their boxes (sample included), samples."""
    boxes = np.array([_spot_box(spot) for spot in spots], dtype=float)
    return Sampled(boxes, np.array([spot.sample for spot in spots], dtype=float))


def _spot_box(spot: TextSpot) -> Rect:
    """Pixels a cell number may change, its sample point included."""
    x0, y0, x1, y1 = fonts.text_box(spot.at, spot.text, spot.px, anchor=spot.anchor)
    sx, sy = spot.sample
    return min(x0, sx), min(y0, sy), max(x1, sx), max(y1, sy)


def _overlap(a: Rect, b: Rect) -> bool:
    return a[0] <= b[2] and a[2] >= b[0] and a[1] <= b[3] and a[3] >= b[1]


def corners(rect: Rect) -> list[tuple[float, float]]:
    x0, y0, x1, y1 = rect
    return [(x0, y0), (x1, y0), (x1, y1), (x0, y1)]
