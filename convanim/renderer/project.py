"""From world units to pixels: the projection, canvas sizes and fitting a timeline to a canvas.

The whole timeline is fitted at once (background plus every step's overlay), so the figure never
jumps or gets clipped between frames. Text slots get bands of their own: the title above the
figure, caption and formula lines below it, sized from the canvas so that captions read the same
in every figure of a README. Text inside the figure is sized from the cell size.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from functools import lru_cache

from convanim.picture import Box, Grid, Item, Label, Line, Picture, Point3, Shade, TextSize, View
from convanim.renderer import fonts

#: Canvas presets: README width with the height following the figure, and 16:9 video frames.
PRESETS: dict[str, tuple[int, int | None]] = {
    "readme": (600, None),
    "720p": (1280, 720),
    "1080p": (1920, 1080),
}

#: Label text size as a fraction of the cell size, and the smallest pixel size allowed.
TEXT_RATIO: dict[str, float] = {"tiny": 0.24, "small": 0.31, "normal": 0.40, "large": 0.55}
TEXT_MIN_PX: dict[str, int] = {"tiny": 9, "small": 11, "normal": 12, "large": 14}
#: A label smaller than this (output pixels) cannot be read: it is neither drawn nor fitted. Only a
#: canvas far under README size gets one, where its text would squeeze the figure to a few pixels.
MIN_LABEL_PX = 4

_MARGIN = 0.03  # of the canvas width, around everything
_MAX_CELL = 0.16  # of the canvas width: a tiny figure is not blown up to poster cells
MAX_ASPECT = 1.6  # open-height canvases are at most this many widths tall
_LINE_SPACING = 1.3  # of the text size, between caption/formula lines
_FIT_PASSES = 4  # label extents depend on the cell size, which depends on them: iterate


@dataclass(frozen=True)
class CanvasSpec:
    """A requested canvas: a width, a height or None (follow the figure), and evenness.

    ``text_unit_px`` sizes the text for a canvas of that width instead of this one's: a
    storyboard is several figures wide, and its text should read as one figure's does.
    """

    width_px: int
    height_px: int | None
    even: bool = False
    text_unit_px: float | None = None


def resolve_size(size: str | tuple[int, int], scale: float = 1.0, even: bool = False) -> CanvasSpec:
    """A preset name ("readme", "720p", "1080p"), a "WxH" string or a (w, h) pair, times ``scale``."""
    if not (isinstance(scale, (int, float)) and scale > 0 and math.isfinite(scale)):
        raise ValueError(f"scale: must be a positive number, got {scale!r}")
    if isinstance(size, str):
        match = re.fullmatch(r"\s*(\d+)\s*[xX×]\s*(\d+)\s*", size)
        if size in PRESETS:
            width, height = PRESETS[size]
        elif match:
            width, height = int(match[1]), int(match[2])
        else:
            raise ValueError(f"size: {size!r} is not one of {', '.join(PRESETS)} or 'WxH'")
    elif isinstance(size, tuple) and len(size) == 2 and all(isinstance(v, int) for v in size):
        width, height = size
    else:
        raise ValueError(f"size: expected a preset name, 'WxH' or (width, height), got {size!r}")
    if width <= 0 or (height is not None and height <= 0):
        raise ValueError(f"size: width and height must be positive, got {size!r}")
    try:  # a side times the scale must be a number of pixels at all (1e308 times 600 is not)
        drawable = all(math.isfinite(side * scale) for side in (width, height or 1))
    except OverflowError:  # a side with more digits than a float holds
        drawable = False
    if not drawable:
        raise ValueError(f"size: {size!r} at scale {scale:g} is too big to draw")
    return CanvasSpec(
        _round_px(width * scale, even), None if height is None else _round_px(height * scale, even), even
    )


def _round_px(value: float, even: bool) -> int:
    """Whole pixels (at least 2); with ``even``, rounded up to an even number for video."""
    px = max(2, round(value))
    return px + (px % 2) if even else px


def project(view: View, point: Point3) -> tuple[float, float]:
    """Screen position of a world point, in world units (x right, y down)."""
    x, y, z = point
    if view.kind == "flat":
        return x, y
    angle = math.radians(view.angle_deg)
    return x + z * view.depth * math.cos(angle), y - z * view.depth * math.sin(angle)


def check_view(view: View) -> None:
    """Refuse a view the projection does not know."""
    if view.kind not in ("flat", "oblique"):
        raise ValueError(f"view.kind: must be 'flat' or 'oblique', got {view.kind!r}")
    if view.kind == "oblique" and not view.depth > 0:
        raise ValueError(f"view.depth: must be positive, got {view.depth!r}")


def item_points(item: Item) -> tuple[Point3, ...]:
    """World points whose projections bound an item (a label's anchor point only)."""
    if isinstance(item, Grid):
        rows, cols = item.shape
        return item.quad(0, 0, rows, cols)
    if isinstance(item, Shade):
        return item.corners
    if isinstance(item, Line):
        return item.points
    if isinstance(item, Box):
        (x, y, z), (w, h, d) = item.origin, item.size
        return tuple((x + i * w, y + j * h, z + k * d) for i in (0, 1) for j in (0, 1) for k in (0, 1))
    if isinstance(item, Label):
        return (item.at,)
    raise TypeError(f"not a picture item: {item!r}")


@dataclass(frozen=True)
class Canvas:
    """A timeline fitted to a canvas: pixel size, cell size, where world (0, 0, 0) lands, and the
    text bands. Everything is in pixels of the output image (see :meth:`supersampled`)."""

    width_px: int
    height_px: int
    view: View
    cell_px: float
    origin_px: tuple[float, float]
    title_px: int
    caption_px: int
    title_y: float  # centre line of the title
    caption_top: float  # top of the first caption line
    margin_px: float
    min_text: float  # scales the label size minimums (small canvases get smaller minimums)
    room_px: tuple[float, float] = (0.0, 0.0)  # (width, height) the figure was fitted into
    scale: int = 1  # output pixels to these pixels (see :meth:`supersampled`)

    def to_px(self, point: Point3) -> tuple[float, float]:
        """Pixel position of a world point."""
        sx, sy = project(self.view, point)
        return self.origin_px[0] + sx * self.cell_px, self.origin_px[1] + sy * self.cell_px

    def text_px(self, size: TextSize) -> int:
        """Pixel size of label text of a given size class."""
        return label_px(size, self.cell_px, self.min_text)

    def cell_text_px(self, size: TextSize) -> int:
        """Pixel size of text inside a cell or on a box (numbers, subscripts): its minimum no larger
        than on a README canvas, so that on a big canvas it keeps its cell's proportions while the
        names around the grids grow with the canvas."""
        return label_px(size, self.cell_px, min(self.min_text, self.scale))

    def reads(self, size: TextSize) -> bool:
        """Whether label text of ``size`` is big enough to draw (:data:`MIN_LABEL_PX`)."""
        return self.text_px(size) >= MIN_LABEL_PX * self.scale

    @property
    def line_step(self) -> float:
        """Distance between caption/formula baselines."""
        return self.caption_px * _LINE_SPACING

    @property
    def text_width(self) -> float:
        """Width available to a line of title or caption."""
        return self.width_px - 2 * self.margin_px

    def supersampled(self, factor: int) -> Canvas:
        """The same canvas with every pixel quantity multiplied by ``factor`` (for anti-aliasing)."""
        return replace(
            self,
            width_px=self.width_px * factor,
            height_px=self.height_px * factor,
            cell_px=self.cell_px * factor,
            origin_px=(self.origin_px[0] * factor, self.origin_px[1] * factor),
            title_px=self.title_px * factor,
            caption_px=self.caption_px * factor,
            title_y=self.title_y * factor,
            caption_top=self.caption_top * factor,
            margin_px=self.margin_px * factor,
            min_text=self.min_text * factor,
            room_px=(self.room_px[0] * factor, self.room_px[1] * factor),
            scale=self.scale * factor,
        )


def label_px(size: TextSize, cell_px: float, min_text: float = 1.0) -> int:
    """Label text size for ``cell_px`` cells, never under the readability minimum times ``min_text``."""
    try:
        ratio, minimum = TEXT_RATIO[size], TEXT_MIN_PX[size]
    except KeyError:
        raise ValueError(f"size: unknown text size {size!r}; one of {', '.join(TEXT_RATIO)}") from None
    return max(round(minimum * min_text), round(ratio * cell_px))


def label_box(label: Label, cell_px: float, min_text: float = 1.0) -> tuple[float, float, float, float]:
    """Pixel box (left, top, right, bottom) of a label's text around its anchor point."""
    return _text_box(label.text, label_px(label.size, cell_px, min_text), label.anchor)


@lru_cache(maxsize=4096)  # labels recur frame after frame; measuring text is not free
def _text_box(text: str, px: int, anchor: str) -> tuple[float, float, float, float]:
    return fonts.text_bbox(text, px, anchor=anchor)


def text_unit(spec: CanvasSpec) -> float:
    """The canvas length text scales with: its width, or a 16:9 frame's height-limited width
    (or the spec's own ``text_unit_px``)."""
    if spec.text_unit_px is not None:
        return spec.text_unit_px
    return spec.width_px if spec.height_px is None else min(spec.width_px, 1.2 * spec.height_px)


def slot_sizes(unit: float) -> tuple[int, int]:
    """(title, caption) pixel sizes from the canvas' text unit: same in every figure at one size."""
    return max(11, round(unit * 0.034)), max(10, round(unit * 0.025))


#: Extremes of the geometry gathered before they are folded into its bounds.
_KEPT_EXTREMES = 4096


def fit(spec: CanvasSpec, view: View, pictures: Iterable[Picture]) -> Canvas:
    """Fit every item of ``pictures`` (the background, then the overlays) and their text slots
    (an overlay's own caption or formula replaces the background's).

    Title band, figure and caption band form one block, centred on a fixed-size canvas. The
    pictures are read once, one at a time (a long sweep's steps are made as they are read), and
    of their geometry only its bounds are kept.
    """
    check_view(view)
    unit = text_unit(spec)
    title_px, caption_px = slot_sizes(unit)
    min_text = unit / PRESETS["readme"][0]
    margin = _MARGIN * (spec.text_unit_px or spec.width_px)  # a storyboard keeps one figure's margin
    text_width = spec.width_px - 2 * margin
    xs, ys, labels = [], [], []
    titled, slots = False, set()
    base: Picture | None = None
    for picture in pictures:
        base = base or picture
        titled = titled or bool(picture.title)
        slots.add((picture.caption or base.caption, picture.formula or base.formula))
        for item in picture.items:
            if isinstance(item, Label):
                labels.append((project(view, item.at), item))
                continue
            projected = [project(view, p) for p in item_points(item)]
            if projected:
                # Scaling by a positive cell size keeps the order: the extremes are the bounds.
                xs += [min(x for x, _ in projected), max(x for x, _ in projected)]
                ys += [min(y for _, y in projected), max(y for _, y in projected)]
        if len(xs) > _KEPT_EXTREMES:
            xs, ys = [min(xs), max(xs)], [min(ys), max(ys)]
    title_band = title_px * 1.9 if titled else 0.0
    lines = max(_slot_lines(texts, caption_px, text_width) for texts in slots)
    caption_band = caption_px * (0.6 + _LINE_SPACING * lines) if lines else 0.0
    points = [(min(xs), min(ys)), (max(xs), max(ys))] if xs else []
    if not points and not labels:
        points = [(0.0, 0.0)]
    avail_h = (spec.height_px or MAX_ASPECT * spec.width_px) - 2 * margin - title_band - caption_band
    cell_px = _MAX_CELL * spec.width_px
    for _ in range(_FIT_PASSES):
        x0, y0, x1, y1 = _figure_box(points, labels, cell_px, min_text)
        cell_px *= min(1.0, text_width / max(x1 - x0, 1e-9), max(avail_h, 1.0) / max(y1 - y0, 1e-9))
    x0, y0, x1, y1 = _figure_box(points, labels, cell_px, min_text)
    block = title_band + (y1 - y0) + caption_band
    height = spec.height_px or _round_px(block + 2 * margin, spec.even)
    block_top = max(margin, (height - block) / 2)
    figure_top = block_top + title_band
    return Canvas(
        width_px=spec.width_px,
        height_px=height,
        view=view,
        cell_px=cell_px,
        origin_px=(margin + (text_width - (x1 - x0)) / 2 - x0, figure_top - y0),
        title_px=title_px,
        caption_px=caption_px,
        title_y=block_top + title_px * 0.7,
        caption_top=figure_top + (y1 - y0) + caption_px * 0.6,
        margin_px=margin,
        min_text=min_text,
        room_px=(text_width, avail_h),
    )


def _slot_lines(texts: tuple[str, str], caption_px: int, width_px: float) -> int:
    """Lines a caption and formula take when wrapped."""
    return sum(len(fonts.wrap(text, caption_px, width_px)) for text in texts if text)


def _figure_box(
    points: Iterable[tuple[float, float]],
    labels: Iterable[tuple[tuple[float, float], Label]],
    cell_px: float,
    min_text: float,
) -> tuple[float, float, float, float]:
    """Pixel bounds (relative to world origin) of the geometry and the labels at ``cell_px``."""
    xs, ys = [], []
    for sx, sy in points:
        xs.append(sx * cell_px)
        ys.append(sy * cell_px)
    for (sx, sy), label in labels:
        if label_px(label.size, cell_px, min_text) < MIN_LABEL_PX:
            continue  # too small to draw
        left, top, right, bottom = label_box(label, cell_px, min_text)
        xs += [sx * cell_px + left, sx * cell_px + right]
        ys += [sy * cell_px + top, sy * cell_px + bottom]
    if not xs:  # nothing but labels too small to draw
        return 0.0, 0.0, 0.0, 0.0
    return min(xs), min(ys), max(xs), max(ys)
