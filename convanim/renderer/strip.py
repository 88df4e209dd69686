"""A storyboard: chosen steps of a timeline side by side in one still, for print and handouts.

Built as pictures, not pixels: each chosen step (the background with that step's overlay) is
moved to its own panel of the world, with a small label under it, and the panels make one
picture. Any renderer then draws it, raster or vector, exactly as it draws a step, with the
figure's title above and its caption below. Panels are spaced by the figure's extent on screen
(its projection, labels measured at a nominal cell size), so an oblique stack or a label that
sticks out never runs into the next panel.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import replace

from convanim.picture import Box, Grid, Item, Label, Line, Picture, Shade, Step, Timeline
from convanim.renderer.project import CanvasSpec, item_points, label_box, project

#: Panels a row holds at most, and the gap between panels, in cells.
MAX_COLUMNS = 4
GAP_CELLS = 1.2
#: The cell size labels are measured at to find a panel's extent (they scale with the cell).
_NOMINAL_CELL_PX = 40.0
#: Panels in a storyboard when the steps are not named: evenly spaced, first and last included.
DEFAULT_PANELS = 4


def evenly(count: int, steps: int) -> list[int]:
    """``count`` step indices spread evenly over ``steps`` steps, the first and the last among
    them (all of them when there are fewer)."""
    if count >= steps:
        return list(range(steps))
    if count == 1:
        return [steps - 1]
    return sorted({round(k * (steps - 1) / (count - 1)) for k in range(count)})


def storyboard(timeline: Timeline, steps: Sequence[int]) -> Timeline:
    """A one-step timeline showing ``steps`` (indices into ``timeline.steps``) as panels, in rows
    of up to :data:`MAX_COLUMNS`, each labelled with its step number."""
    pictures = [_panel(timeline.background, timeline.steps[k].overlay) for k in steps]
    boxes = [_extent(picture.items, timeline) for picture in pictures]
    width = max(x1 - x0 for x0, _, x1, _ in boxes) + GAP_CELLS
    height = max(y1 - y0 for _, y0, _, y1 in boxes) + GAP_CELLS + 1.0  # the panel's label below it
    columns = columns_for(len(steps))
    items: list[Item] = []
    for index, (k, picture, (x0, y0, x1, y1)) in enumerate(zip(steps, pictures, boxes)):
        row, column = divmod(index, columns)
        # The panel's screen box, centred in its slot; a world shift in x and y shifts the screen alike.
        dx = column * width + (width - GAP_CELLS - (x1 - x0)) / 2 - x0
        dy = row * height - y0
        items += [_moved(item, dx, dy) for item in picture.items]
        label_x = column * width + (width - GAP_CELLS) / 2
        items.append(Label((label_x, row * height + (y1 - y0) + 0.35, 0.0), f"step {k}", "normal", "muted", "mt"))
    background = timeline.background
    board = Picture(tuple(items), background.title, background.caption, background.formula)
    return Timeline(background=board, steps=(Step(Picture()),), view=timeline.view, glide=False,
                    hold_start_ms=0, hold_end_ms=0)


def columns_for(panels: int) -> int:
    """Panels a row: as even rows as :data:`MAX_COLUMNS` allows (six panels are two rows of three)."""
    rows = math.ceil(panels / MAX_COLUMNS)
    return math.ceil(panels / rows)


def strip_size(spec: CanvasSpec, panels: int) -> CanvasSpec:
    """The canvas of a storyboard of ``panels``: an open-height one (README) is as wide as a
    figure a column, with text sized as one figure's, so every panel reads as that figure does;
    a fixed size (720p, WxH) stays as asked."""
    if spec.height_px is not None:
        return spec
    return replace(spec, width_px=spec.width_px * columns_for(panels), text_unit_px=spec.width_px)


def _panel(background: Picture, overlay: Picture) -> Picture:
    """One step as a picture: the background's items, then the overlay's."""
    return Picture((*background.items, *overlay.items))


def _extent(items: Sequence[Item], timeline: Timeline) -> tuple[float, float, float, float]:
    """Screen box (x0, y0, x1, y1, in cells) of the items, labels measured at a nominal size."""
    xs, ys = [], []
    for item in items:
        for point in item_points(item):
            x, y = project(timeline.view, point)
            if isinstance(item, Label):
                left, top, right, bottom = (v / _NOMINAL_CELL_PX for v in label_box(item, _NOMINAL_CELL_PX))
                xs += [x + left, x + right]
                ys += [y + top, y + bottom]
            else:
                xs.append(x)
                ys.append(y)
    return min(xs, default=0.0), min(ys, default=0.0), max(xs, default=1.0), max(ys, default=1.0)


def _moved(item: Item, dx: float, dy: float) -> Item:
    """``item`` shifted by (dx, dy) in the world's x and y."""
    def shift(point: tuple[float, float, float]) -> tuple[float, float, float]:
        return point[0] + dx, point[1] + dy, point[2]

    if isinstance(item, (Grid, Box)):
        return replace(item, origin=shift(item.origin))
    if isinstance(item, Shade):
        return replace(item, corners=tuple(map(shift, item.corners)))
    if isinstance(item, Line):
        return replace(item, points=tuple(map(shift, item.points)))
    return replace(item, at=shift(item.at))
