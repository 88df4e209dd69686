"""Frames from a timeline: a cached background, overlays redrawn only where they touch.

The background (every static item and the text slots) is drawn once at the supersampled size and
kept twice: in RGB at full resolution, and as palette indices at output size. A frame copies the
index image, crops the part of the supersampled background its overlay touches, draws the overlay
there, shrinks it (anti-aliasing), maps it to palette indices and pastes it back. Because the
crop is aligned to the supersampling blocks, the result is identical to redrawing everything.
"""

from __future__ import annotations

import math

import numpy as np
from PIL import Image

from convanim.picture import Grid, Picture, Timeline
from convanim.renderer import fonts
from convanim.renderer.project import Canvas, CanvasSpec, fit
from convanim.renderer.raster import Painter, Rect, Target, TextSpot
from convanim.renderer.theme import Theme, theme_palette, to_indices
from convanim.picture.timeline import check_timeline

#: Supersampling factor: drawn at this multiple of the output size, then reduced. Large frames
#: have large cells that need less of it (and 3x a 1080p frame would be a 56 MB background).
SUPERSAMPLE = 3
SUPERSAMPLE_LARGE = 2
LARGE_PX = 1280 * 720

_TITLE_FIT = 0.98  # a title wider than the text width shrinks to fit


class Renderer:
    """Renders overlays of one timeline, in one theme, on one canvas."""

    def __init__(self, timeline: Timeline, theme: Theme, spec: CanvasSpec) -> None:
        check_timeline(timeline)
        self.timeline, self.theme = timeline, theme
        pictures = [timeline.background, *(step.overlay for step in timeline.steps)]
        _check_roles(theme, pictures)
        self.canvas: Canvas = fit(spec, timeline.view, pictures)
        large = self.canvas.width_px * self.canvas.height_px > LARGE_PX
        self.factor = factor = SUPERSAMPLE_LARGE if large else SUPERSAMPLE
        self.hires = self.canvas.supersampled(factor)
        self.painter = Painter(theme, self.hires, factor)
        self.palette = theme_palette(theme)
        self.background = Image.new("RGB", (self.hires.width_px, self.hires.height_px), theme.background)
        self.texts: list[TextSpot] = []  # the background's numbers, restamped above shades
        target = Target(self.background)
        for item in timeline.background.items:
            self.painter.draw(target, item, self.texts)
            if isinstance(item, Grid):
                self.texts += self.painter.cell_texts(item)
        self._slots(target, timeline.background, everything=True)
        self.indices = to_indices(np.asarray(self.background.reduce(factor)), theme)

    @property
    def size(self) -> tuple[int, int]:
        """(width, height) of the output frames."""
        return self.canvas.width_px, self.canvas.height_px

    def frame(self, overlay: Picture) -> Image.Image:
        """The background with ``overlay`` drawn on top, as a "P" image in the theme palette."""
        indices = self.indices.copy()
        rect = self._dirty(overlay)
        if rect is not None:
            x0, y0, x1, y1 = rect
            f = self.factor
            crop = self.background.crop((x0 * f, y0 * f, x1 * f, y1 * f))
            target = Target(crop, (x0 * f, y0 * f))
            for item in overlay.items:
                self.painter.draw(target, item, self.texts)
            self._slots(target, overlay)
            indices[y0:y1, x0:x1] = to_indices(np.asarray(crop.reduce(f)), self.theme)
        image = Image.frombytes("P", self.size, indices.tobytes())
        image.putpalette(self.palette)
        return image

    # -- dirty region -----------------------------------------------------------------------

    def _dirty(self, overlay: Picture) -> tuple[int, int, int, int] | None:
        """Output-pixel rectangle the overlay changes (None when it changes nothing)."""
        rects = [self.painter.bounds(item) for item in overlay.items]
        rects += [band for band, changed in self._bands(overlay) if changed]
        if not rects:
            return None
        f = self.factor
        x0 = max(0, math.floor(min(r[0] for r in rects) / f))
        y0 = max(0, math.floor(min(r[1] for r in rects) / f))
        x1 = min(self.canvas.width_px, math.ceil(max(r[2] for r in rects) / f))
        y1 = min(self.canvas.height_px, math.ceil(max(r[3] for r in rects) / f))
        return (x0, y0, x1, y1) if x1 > x0 and y1 > y0 else None

    # -- text slots -------------------------------------------------------------------------

    def _texts(self, picture: Picture) -> tuple[str, str, str]:
        """(title, caption, formula) shown with ``picture``: its own, else the background's."""
        base = self.timeline.background
        return picture.title or base.title, picture.caption or base.caption, picture.formula or base.formula

    def _bands(self, picture: Picture) -> list[tuple[Rect, bool]]:
        """(supersampled rectangle, differs from the background) of the title and caption bands."""
        c = self.hires
        title, caption, formula = self._texts(picture)
        base = self.timeline.background
        title_band = (0.0, c.title_y - c.title_px, float(c.width_px), c.title_y + c.title_px)
        caption_band = (0.0, c.caption_top - c.caption_px * 0.5, float(c.width_px), float(c.height_px))
        new_caption = (caption, formula) != (base.caption, base.formula)
        return [(title_band, title != base.title), (caption_band, new_caption)]

    def _slots(self, target: Target, picture: Picture, everything: bool = False) -> None:
        """Draw the text slots that differ from the background's (all of them for the background
        itself), clearing their band first."""
        (title_band, new_title), (caption_band, new_caption) = self._bands(picture)
        title, caption, formula = self._texts(picture)
        c = self.hires
        centre = c.width_px / 2
        if title and (everything or new_title):
            target.polygon(_corners(title_band), self.theme.background)
            fit = int(c.title_px * _TITLE_FIT * c.text_width / fonts.text_width(title, c.title_px, True))
            target.text((centre, c.title_y), title, min(c.title_px, fit), self.theme.ink, bold=True)
        if everything or new_caption:
            target.polygon(_corners(caption_band), self.theme.background)
            texts = [text for text in (caption, formula) if text]
            lines = [line for text in texts for line in fonts.wrap(text, c.caption_px, c.text_width)]
            for index, line in enumerate(lines):
                y = c.caption_top + index * c.line_step
                target.text((centre, y), line, c.caption_px, self.theme.ink, "ma")


def _check_roles(theme: Theme, pictures: list[Picture]) -> None:
    """Refuse an unknown role now rather than at the frame that first shows it."""
    for picture in pictures:
        for item in picture.items:
            for role in {r for row in item.roles for r in row} if isinstance(item, Grid) else (item.role,):
                theme.style(role)


def _corners(rect: Rect) -> list[tuple[float, float]]:
    x0, y0, x1, y1 = rect
    return [(x0, y0), (x1, y0), (x1, y1), (x0, y1)]
