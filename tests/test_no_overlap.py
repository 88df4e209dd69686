"""No text over text, no label on a grid or a block, no line across a text, nothing off the canvas.

A figure whose tags sit on another grid's cells, or whose lines cross its numbers, reads as a
smudge at README size, and nothing else in the suite would notice: the snapshots keep whatever a
figure draws. This test lays every built-in scene out as the renderer does, at README size and at
1080p, and checks the layout, not pixels. Every place is the renderer's own: the timeline is
fitted by :class:`~convanim.renderer.compose.Fitted`, a grid's cells and numbers come from its
painter (``parts``, ``cell_texts``), a box's faces and label from ``box_faces`` and
``box_label``, a label's size from the canvas' ``text_px``, the title and caption lines from
``slot_lines``, and text is measured in the font it is drawn in, so the test cannot drift from
what is drawn. Everything is in output pixels, and boxes that share at most ``TOUCH`` only touch.

1. Texts (labels, a grid's numbers and sublabels, a box's label, the title, caption and formula
   lines) do not overlap each other.
2. A label (and a box's label, and a text slot) lies on no grid cell and no box face, but its
   own: a label that lies inside one cell (a kernel weight in its corner) is that cell's, and a
   box's label is on its front face. A cell's own numbers may be hidden in part by the slices
   stacked in front of it, as a stack is drawn.
3. No line crosses a text, but one it is drawn beneath (a line drawn before a cell lies under its
   fill and its numbers).
4. Nothing (texts, cells, box faces, shades, lines) leaves the canvas.

What is on screen is the background with one step's overlay, and a cell drawn exactly over
another (a highlight, a grid filling in) covers it and its numbers. Every step is checked: a
kernel block or a pointer moves each step and may reach a tag at any of them. That stays fast
(about 10 s for both sizes) because a grid recurring from step to step is laid out once.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property

import numpy as np
import pytest

from convanim.picture import Box, Grid, Item, Label, Line, Picture, Shade, Step, Timeline
from convanim.registry import builtin_scenes
from convanim.renderer import fonts
from convanim.renderer.compose import Fitted, shown_texts, slot_lines
from convanim.renderer.geometry import Px, box_faces, cell_quad, inside
from convanim.renderer.project import resolve_size
from convanim.renderer.raster import box_label
from convanim.renderer.theme import get_theme

#: Output pixels two boxes may share and still only touch.
TOUCH = 1.0
SIZES = ("readme", "1080p")
NAMES = builtin_scenes().names()

Rect = tuple[float, float, float, float]


@dataclass(frozen=True)
class Placed:
    """Something on screen, in output pixels: a name for the failure message, its outline (a
    convex polygon; a line's points), what it belongs to (a cell's texts share its owner), when
    it is drawn (``order``: later on top) and, for a text, whether it is drawn on a fill of its
    own (``backed``: a line drawn before that fill is hidden beneath it)."""

    name: str
    outline: tuple[Px, ...]
    owner: tuple[object, ...] = ()
    order: float = 0
    backed: bool = False

    @property
    def in_cell(self) -> bool:
        return self.owner[:1] == ("cell",)

    @cached_property  # a static grid's cells are placed once and asked of every step
    def rect(self) -> Rect:
        xs, ys = [p[0] for p in self.outline], [p[1] for p in self.outline]
        return min(xs), min(ys), max(xs), max(ys)

    @cached_property
    def spot(self) -> tuple[Px, ...]:
        """The outline to a hundredth of a pixel: two cells drawn at one spot share it."""
        return tuple((round(x, 2), round(y, 2)) for x, y in self.outline)


@dataclass
class Layout:
    """A frame's texts, its surfaces (grid cells and box faces, which a label must keep off),
    its lines, and the outlines of its shades, as the renderer places them."""

    texts: list[Placed] = field(default_factory=list)
    surfaces: list[Placed] = field(default_factory=list)
    lines: list[Placed] = field(default_factory=list)
    shades: list[Placed] = field(default_factory=list)

    def everything(self) -> Iterator[Placed]:
        yield from self.texts
        yield from self.surfaces
        yield from self.lines
        yield from self.shades

    def uncover(self) -> None:
        """Drop every cell that a later cell is drawn exactly over, with its texts."""
        last = {s.spot: s.owner for s in self.surfaces if s.in_cell}
        kept = set(last.values())
        self.surfaces = [s for s in self.surfaces if not s.in_cell or s.owner in kept]
        self.texts = [t for t in self.texts if not t.in_cell or t.owner in kept]


def rect_outline(rect: Rect) -> tuple[Px, ...]:
    x0, y0, x1, y1 = rect
    return (x0, y0), (x1, y0), (x1, y1), (x0, y1)


class Scene:
    """One timeline fitted to one canvas by the renderer, laid out frame by frame."""

    def __init__(self, timeline: Timeline, size: str) -> None:
        self.timeline = timeline
        self.fitted = Fitted(timeline, get_theme("light"), resolve_size(size))
        # Each grid's cells and texts, by the grid and its place in the frame: the background's
        # grids and an overlay's unchanged ones recur in every step.
        self._grids: dict[tuple[int, int], tuple[Grid, list[Placed], list[Placed]]] = {}

    def layout(self, overlay: Picture) -> Layout:
        """The frame showing ``overlay`` over the background."""
        layout = Layout()
        for index, item in enumerate([*self.timeline.background.items, *overlay.items]):
            self._item(layout, index, item)
        layout.uncover()
        title, caption, formula = shown_texts(self.timeline, overlay)
        for line in slot_lines(self.fitted.hires, title, caption, formula):
            slot = self._text(f"text {line.text!r}", line.at, line.text, line.px, line.anchor, bold=line.bold)
            layout.texts.append(replace(slot, order=float("inf"), backed=True))  # on a band of its own
        return layout

    def _px(self, point: Px) -> Px:
        """A supersampled canvas point in output pixels."""
        return point[0] / self.fitted.factor, point[1] / self.fitted.factor

    def _world(self, points: Sequence[tuple[float, float, float]]) -> tuple[Px, ...]:
        return tuple(self._px(self.fitted.hires.to_px(p)) for p in points)

    def _text(self, name: str, at: Px, text: str, px: int, anchor: str, *, bold: bool = False,
              owner: tuple[object, ...] = (), order: float = 0, backed: bool = False) -> Placed:
        """The ink box of ``text`` drawn at ``at`` as every renderer draws it."""
        left, top, right, bottom = fonts.text_bbox(text, px, bold, anchor)
        corner, far = self._px((at[0] + left, at[1] + top)), self._px((at[0] + right, at[1] + bottom))
        return Placed(name, rect_outline((*corner, *far)), owner, order, backed)

    def _item(self, layout: Layout, index: int, item: Item) -> None:
        if isinstance(item, Grid):
            self._grid(layout, index, item)
        elif isinstance(item, Box):
            self._box(layout, index, item)
        elif isinstance(item, Label):
            at, px = self.fitted.hires.to_px(item.at), self.fitted.hires.text_px(item.size)
            layout.texts.append(self._text(f"label {item.text!r}", at, item.text, px, item.anchor, order=index))
        elif isinstance(item, Line):
            layout.lines.append(Placed(f"line {index}", self._world(item.points), order=index))
        elif isinstance(item, Shade):
            layout.shades.append(Placed(f"shade {index}", self._world(item.corners), order=index))

    def _grid(self, layout: Layout, index: int, grid: Grid) -> None:
        kept = self._grids.get((id(grid), index))
        if kept is None or kept[0] is not grid:
            kept = self._grids[id(grid), index] = (grid, *self._grid_parts(index, grid))
        layout.surfaces += kept[1]
        layout.texts += kept[2]

    def _grid_parts(self, index: int, grid: Grid) -> tuple[list[Placed], list[Placed]]:
        """The grid's drawn cells (a clear cell draws only its text) and its texts, each owned by
        its cell: the painter places every number, then every sublabel, in reading order."""
        painter = self.fitted.painter
        cells, texts = [], []
        parts = painter.parts(grid)
        clear = painter.styles.clear[parts.codes]
        for r, c in zip(*np.nonzero(~clear)):
            quad = cell_quad(parts.lattice.pts, int(r), int(c))
            cells.append(Placed(f"grid {index} cell ({r}, {c})", tuple(map(self._px, quad)),
                                ("cell", index, int(r), int(c)), index))
        written = [(r, c) for rows in (grid.labels, grid.sublabels) for r, row in enumerate(rows)
                   for c, text in enumerate(row) if text]
        spots = painter.cell_texts(grid)
        assert len(spots) == len(written)
        for (r, c), spot in zip(written, spots):
            texts.append(self._text(f"grid {index} cell ({r}, {c}) text {spot.text!r}", spot.at, spot.text,
                                    spot.px, spot.anchor, owner=("cell", index, r, c), order=index,
                                    backed=not clear[r, c]))
        return cells, texts

    def _box(self, layout: Layout, index: int, box: Box) -> None:
        """The faces a viewer sees, and the label on the front one, all owned by the box."""
        hires = self.fitted.hires
        for face, corners in zip(("front", "top", "side"), box_faces(box, hires)):
            if corners is not None:
                layout.surfaces.append(Placed(f"box {index} {face}", self._world(corners), ("box", index), index))
        if box.label:
            at, px = box_label(box, hires)
            layout.texts.append(self._text(f"box {index} label {box.label!r}", at, box.label, px, "mm",
                                           owner=("box", index), order=index, backed=box.alpha >= 1))


# -- the checks -------------------------------------------------------------------------------


def depth(a: Sequence[Px], b: Sequence[Px]) -> float:
    """How deep two convex polygons overlap: the least overlap of their shadows on the normals
    of their edges (the separating axis theorem); zero or less when they are apart."""
    least = float("inf")
    for poly in (a, b):
        for p, q in zip(poly, [*poly[1:], poly[0]]):
            normal = np.array([q[1] - p[1], p[0] - q[0]])
            length = float(np.hypot(*normal))
            if length:
                on_a, on_b = np.asarray(a) @ normal / length, np.asarray(b) @ normal / length
                least = min(least, min(on_a.max(), on_b.max()) - max(on_a.min(), on_b.min()))
    return least


def shrunk(rect: Rect) -> Rect:
    """``rect`` less ``TOUCH`` on every side: what another thing may not reach into."""
    x0, y0, x1, y1 = rect
    return x0 + TOUCH, y0 + TOUCH, x1 - TOUCH, y1 - TOUCH


def within(rect: Rect, poly: Sequence[Px]) -> bool:
    """Whether ``rect`` (but for ``TOUCH``) lies inside the convex polygon ``poly``."""
    return all(inside(poly, corner) for corner in rect_outline(shrunk(rect)))


def crosses(p: Px, q: Px, rect: Rect) -> bool:
    """Whether the segment from ``p`` to ``q`` runs through ``rect`` (but for ``TOUCH``)."""
    return piece(p, q, rect) is not None


def piece(p: Px, q: Px, rect: Rect) -> tuple[Px, Px] | None:
    """The part of the segment from ``p`` to ``q`` inside ``rect`` (but for ``TOUCH``), clipped to
    the rectangle's slabs (Liang-Barsky); None when no piece is left."""
    x0, y0, x1, y1 = shrunk(rect)
    start, end = 0.0, 1.0
    for origin, step, low, high in ((p[0], q[0] - p[0], x0, x1), (p[1], q[1] - p[1], y0, y1)):
        if not step:
            if not low < origin < high:
                return None
            continue
        a, b = sorted(((low - origin) / step, (high - origin) / step))
        start, end = max(start, a), min(end, b)
    if start >= end:
        return None
    at = [(p[0] + t * (q[0] - p[0]), p[1] + t * (q[1] - p[1])) for t in (start, end)]
    return at[0], at[1]


def overlap_matrix(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Which rectangles (rows of x0, y0, x1, y1) of ``a`` overlap which of ``b`` by more than
    ``TOUCH`` both ways."""
    wide = np.minimum(a[:, None, 2], b[None, :, 2]) - np.maximum(a[:, None, 0], b[None, :, 0])
    high = np.minimum(a[:, None, 3], b[None, :, 3]) - np.maximum(a[:, None, 1], b[None, :, 1])
    return (wide > TOUCH) & (high > TOUCH)


def rects(placed: Sequence[Placed]) -> np.ndarray:
    return np.array([p.rect for p in placed], dtype=float).reshape(-1, 4)


def texts_over_texts(layout: Layout) -> list[str]:
    """Check 1: texts overlapping each other."""
    over = np.triu(overlap_matrix(rects(layout.texts), rects(layout.texts)), 1)
    return [f"{layout.texts[i].name} overlaps {layout.texts[j].name}" for i, j in zip(*np.nonzero(over))]


def labels_on_surfaces(layout: Layout) -> list[str]:
    """Check 2: texts other than a cell's own on a cell or a box face not theirs (a label that
    lies inside one cell is that cell's)."""
    found = []
    loose = [text for text in layout.texts if not text.in_cell]
    for text, row in zip(loose, overlap_matrix(rects(loose), rects(layout.surfaces))):
        under = [s for s in (layout.surfaces[j] for j in np.flatnonzero(row))
                 if s.owner != text.owner and depth(text.outline, s.outline) > TOUCH]
        home = None if text.owner else next((s for s in under if s.in_cell and within(text.rect, s.outline)), None)
        found += [f"{text.name} lies on {s.name}" for s in under if s is not home]
    return found


def lines_over_texts(layout: Layout) -> list[str]:
    """Check 3: lines running through a text they are not hidden under (a line drawn before a
    cell lies beneath its fill, and beneath its numbers), where the text can be seen (not under a
    cell drawn after it: a number of a stack's back slice, behind the slice in front)."""
    return [f"{line.name} crosses {text.name}" for line in layout.lines for text in layout.texts
            if (line.order > text.order or not text.backed)
            and any(seen_crossing(p, q, text, layout.surfaces) for p, q in zip(line.outline, line.outline[1:]))]


def seen_crossing(p: Px, q: Px, text: Placed, surfaces: Sequence[Placed]) -> bool:
    """Whether the segment from ``p`` to ``q`` crosses ``text`` where the text can be seen: some
    of the piece inside its box lies off every cell drawn after the text (a number of a stack's
    back slice is hidden behind the slice in front, up to that slice's edge)."""
    inner = piece(p, q, text.rect)
    if inner is None:
        return False
    later = [s.outline for s in surfaces if s.in_cell and s.order > text.order]
    (ax, ay), (bx, by) = inner
    samples = [(ax + t * (bx - ax), ay + t * (by - ay)) for t in np.linspace(0.0, 1.0, 9)]
    return any(not any(inside(cell, point) for cell in later) for point in samples)


def off_canvas(layout: Layout, size: tuple[int, int]) -> list[str]:
    """Check 4: what reaches past the canvas' edges by more than ``TOUCH``."""
    width, height = size
    placed = list(layout.everything())
    boxes = rects(placed)
    out = (boxes[:, :2] < -TOUCH).any(axis=1) | (boxes[:, 2:] > np.array([width, height]) + TOUCH).any(axis=1)
    return [f"{placed[i].name} leaves the {width}x{height} canvas: ({', '.join(f'{v:.1f}' for v in boxes[i])})"
            for i in np.flatnonzero(out)]


def problems(scene: Scene, overlay: Picture) -> list[str]:
    """Everything wrong with the frame showing ``overlay``."""
    layout = scene.layout(overlay)
    return [*texts_over_texts(layout), *labels_on_surfaces(layout), *lines_over_texts(layout),
            *off_canvas(layout, scene.fitted.size)]


def scene_problems(timeline: Timeline, size: str) -> dict[str, list[int]]:
    """Each problem of the timeline's frames, with the steps that show it."""
    scene = Scene(timeline, size)
    found: dict[str, list[int]] = {}
    for index in range(len(timeline.steps)):
        for problem in problems(scene, timeline.steps[index].overlay):
            found.setdefault(problem, []).append(index)
    return found


def report(found: dict[str, list[int]]) -> str:
    return "\n".join(f"  {problem} (steps {', '.join(map(str, steps))})" for problem, steps in found.items())


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("name", NAMES)
def test_figure_keeps_its_texts_clear(name: str, size: str) -> None:
    found = scene_problems(builtin_scenes().get(name).timeline(), size)
    assert not found, f"{name} at {size}:\n{report(found)}"


@pytest.mark.parametrize("name", NAMES)
def test_figure_in_chinese_keeps_its_texts_clear(name: str) -> None:
    """Chinese labels are as wide as their English ones or wider: each figure still fits them."""
    found = scene_problems(builtin_scenes().get(name).timeline("zh"), "readme")
    assert not found, f"{name} in Chinese:\n{report(found)}"


# -- the checks fail where they should ----------------------------------------------------------

def grid(origin: tuple[float, float, float] = (0.0, 0.0, 0.0), role: str = "input") -> Grid:
    """A 2x2 grid of numbers."""
    return Grid(origin, ((role, role), (role, role)), (("1", "2"), ("3", "4")))


def found_in(*items: Item, size: str = "readme") -> list[str]:
    """The problems of a one-step timeline drawing ``items``."""
    timeline = Timeline(Picture(items), (Step(Picture()),))
    return list(scene_problems(timeline, size))


def test_a_label_on_a_grid_fails() -> None:
    assert found_in(grid(), Label((1.0, 1.0, 0.0), "on top")) == [
        f"label 'on top' lies on grid 0 cell {cell}" for cell in ("(0, 0)", "(0, 1)", "(1, 0)", "(1, 1)")]
    assert found_in(grid(), Label((0.5, 0.5, 0.0), "on 1")) == [
        "grid 0 cell (0, 0) text '1' overlaps label 'on 1'"]


def test_a_label_on_a_block_fails() -> None:
    assert found_in(Box((0.0, 0.0, 0.0), (2.0, 2.0, 1.0)), Label((1.0, 1.0, 0.0), "tag")) == [
        "label 'tag' lies on box 0 front"]


def test_labels_on_each_other_fail() -> None:
    assert found_in(Label((0.0, 0.0, 0.0), "one"), Label((0.2, 0.0, 0.0), "two")) == [
        "label 'one' overlaps label 'two'"]


def test_a_line_across_a_number_fails_unless_beneath_its_cell() -> None:
    across = Line(((0.0, 0.5, 0.0), (2.0, 0.5, 0.0)))
    assert found_in(grid(), across) == [
        "line 1 crosses grid 0 cell (0, 0) text '1'", "line 1 crosses grid 0 cell (0, 1) text '2'"]
    assert found_in(across, grid()) == []


def test_what_leaves_the_canvas_fails() -> None:
    """Label text never shrinks under its readable minimum, so a long enough one cannot fit."""
    found = found_in(Label((0.0, 0.0, 0.0), "wide " * 120), size="1080p")
    assert len(found) == 1 and found[0].startswith("label 'wide wide") and "leaves the 1920x1080 canvas" in found[0]


def test_a_cell_s_own_texts_and_highlights_pass() -> None:
    """A kernel weight in a cell's corner is the cell's; a highlight drawn over a cell covers it."""
    weight = Label((0.93, 0.93, 0.0), "5", size="tiny", anchor="rd")
    highlight = Grid((0.0, 0.0, 0.0), (("active",),), (("1",),))
    assert found_in(grid(), weight, highlight) == []
