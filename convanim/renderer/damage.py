"""Where a frame differs from the one before: damaged rectangles, closed over sampled text, and
gathered into the few regions a frame redraws.

Why: consecutive steps differ by a kernel window, a few lines and a cell or two; redrawing the
rest is what made a frame's cost grow with the grid. A region redraw starts from the background
and draws every item that touches it, so its pixels are exactly a full redraw's, on two
conditions this module keeps:

1. Damage covers every pixel that can differ. A text whose ink is chosen from what lies beneath
   it (a number restamped under a shade, a label on a fill) changes wholly when the pixel it
   samples changes: when a sample point is damaged, the text's whole box is damaged too.
2. A region that draws part of such a text also holds its sample point, so the ink it picks is
   the one a full redraw picks. Regions are grown until that holds; grown regions may overlap,
   and overlapping parts come out the same from either.

Rectangles here are (x0, y0, x1, y1) in canvas pixels of the supersampled canvas; regions are in
output pixels.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

import numpy as np

Rect = tuple[float, float, float, float]
Region = tuple[int, int, int, int]

#: Side of a damage tile, in output pixels: fine enough that a thin oblique line damages a thin
#: band, coarse enough that a frame has few regions (each costs a crop, a reduce, a lookup).
TILE = 16
#: A region's fixed cost, in tiles of area: joining two regions that adds less area is cheaper.
REGION_COST_TILES = 12


class Sampled:
    """Texts whose ink depends on what lies beneath them: their boxes and sample points."""

    def __init__(self, boxes: np.ndarray, points: np.ndarray) -> None:
        self.boxes, self.points = boxes.reshape(-1, 4), points.reshape(-1, 2)

    @staticmethod
    def join(parts: Iterable[Sampled]) -> Sampled:
        parts = list(parts)
        return Sampled(np.concatenate([p.boxes for p in parts]), np.concatenate([p.points for p in parts]))

    def touching(self, rect: Rect) -> np.ndarray:
        """Which texts' boxes overlap ``rect``."""
        return overlapping(self.boxes, rect)


def overlapping(boxes: np.ndarray, rect: Rect, reach: float = 0.0) -> np.ndarray:
    """Which boxes (x0, y0, x1, y1 along the last axis, edges included), grown by ``reach`` on
    every side, overlap ``rect``."""
    return (
        (boxes[..., 0] - reach <= rect[2])
        & (boxes[..., 2] + reach >= rect[0])
        & (boxes[..., 1] - reach <= rect[3])
        & (boxes[..., 3] + reach >= rect[1])
    )


class Damage:
    """Damaged tiles of one frame."""

    def __init__(self, size: tuple[int, int], factor: int) -> None:
        self.width, self.height = size
        self.span = TILE * factor  # a tile's side in canvas pixels
        self.tiles = np.zeros((math.ceil(self.height / TILE), math.ceil(self.width / TILE)), dtype=bool)

    def add(self, rects: np.ndarray | Sequence[Rect]) -> None:
        """Damage every tile a rectangle (a row of x0, y0, x1, y1) touches, within the canvas."""
        found = np.asarray(rects, dtype=float).reshape(-1, 4)
        if not len(found):
            return
        rows, cols = self.tiles.shape
        low = np.maximum(np.floor(found[:, :2] / self.span), 0).astype(np.intp)
        high = np.minimum(np.floor(found[:, 2:] / self.span) + 1, (cols, rows)).astype(np.intp)
        spans = np.column_stack([low, high])[(high > low).all(axis=1)].tolist()
        for c0, r0, c1, r1 in dict.fromkeys(map(tuple, spans)):  # each once, without np.unique (numpy.ma)
            self.tiles[r0:r1, c0:c1] = True

    def close(self, sampled: Sampled) -> None:
        """Condition 1: damage the whole box of every text whose sample point is damaged."""
        rows, cols = self.tiles.shape
        tile = np.floor(sampled.points / self.span).astype(np.intp)
        on = (tile[:, 0] >= 0) & (tile[:, 0] < cols) & (tile[:, 1] >= 0) & (tile[:, 1] < rows)
        done = np.zeros(len(tile), dtype=bool)
        while True:
            hit = on & ~done
            hit[hit] = self.tiles[tile[hit, 1], tile[hit, 0]]
            if not hit.any():
                return
            done |= hit
            self.add(sampled.boxes[hit])

    def regions(self) -> list[Region]:
        """The damaged tiles as output-pixel rectangles: runs of tiles along each tile row, and a
        run stacked onto the one above when it covers the same columns; then regions joined
        while that is cheaper (:func:`_merged`)."""
        found: list[list[int]] = []  # [c0, r0, c1, r1] in tiles
        open_: dict[tuple[int, int], list[int]] = {}
        damaged: list[bool] = np.any(self.tiles, axis=1).tolist()
        for r in np.flatnonzero(damaged).tolist():
            if r == 0 or not damaged[r - 1]:
                open_ = {}
            following: dict[tuple[int, int], list[int]] = {}
            for c0, c1 in _runs(self.tiles[r]):
                rect = open_.pop((c0, c1), None)
                if rect is None:
                    rect = [c0, r, c1, r + 1]
                    found.append(rect)
                rect[3] = r + 1
                following[(c0, c1)] = rect
            open_ = following
        return [
            (c0 * TILE, r0 * TILE, min(self.width, c1 * TILE), min(self.height, r1 * TILE))
            for c0, r0, c1, r1 in _merged(np.array(found, dtype=np.int64).reshape(-1, 4)).tolist()
        ]


def _merged(rects: np.ndarray) -> np.ndarray:
    """Rectangles (in tiles, top to bottom) joined while a join costs less to redraw than the two
    apart: a region's fixed cost (a crop, a reduce, every item tested) is worth
    :data:`REGION_COST_TILES` tiles of area. One pass: each rectangle joins the region it adds
    least to, if that is worth it (a region it would overlap is always joined)."""
    out: list[list[int]] = []
    for c0, r0, c1, r1 in rects.tolist():
        best, best_extra = -1, REGION_COST_TILES
        for k, (d0, s0, d1, s1) in enumerate(out):
            x0, y0, x1, y1 = min(c0, d0), min(r0, s0), max(c1, d1), max(r1, s1)
            extra = (x1 - x0) * (y1 - y0) - (c1 - c0) * (r1 - r0) - (d1 - d0) * (s1 - s0)
            overlap = c0 < d1 and d0 < c1 and r0 < s1 and s0 < r1
            if extra <= best_extra or overlap:
                best, best_extra = k, min(extra, best_extra)
        if best < 0:
            out.append([c0, r0, c1, r1])
        else:
            d0, s0, d1, s1 = out[best]
            out[best] = [min(c0, d0), min(r0, s0), max(c1, d1), max(r1, s1)]
    return np.array(out, dtype=np.int64).reshape(-1, 4)


def joined(rects: np.ndarray, size: tuple[int, int], near: float) -> list[tuple[int, int, int, int]]:
    """Rectangles (rows of x0, y0, x1, y1) in whole pixels within ``size``, those less than
    ``near`` apart joined into their bounding box until none are: a redraw that needs no
    alignment to output pixels (a grid's layer) draws just around what changed, in few pieces."""
    found = np.asarray(rects, dtype=float).reshape(-1, 4)
    boxes = np.column_stack([np.maximum(np.floor(found[:, :2]), 0), np.minimum(np.ceil(found[:, 2:]) + 1, size)])
    kept = boxes[(boxes[:, 2] > boxes[:, 0]) & (boxes[:, 3] > boxes[:, 1])].astype(np.int64).tolist()
    out: list[list[int]] = []
    for box in kept:
        absorbed = True
        while absorbed:  # a grown box may now reach boxes it missed before
            absorbed = False
            for k, other in enumerate(out):
                if (box[0] < other[2] + near and other[0] < box[2] + near
                        and box[1] < other[3] + near and other[1] < box[3] + near):
                    box = [min(box[0], other[0]), min(box[1], other[1]), max(box[2], other[2]), max(box[3], other[3])]
                    del out[k]
                    absorbed = True
                    break
        out.append(box)
    return [(x0, y0, x1, y1) for x0, y0, x1, y1 in out]


def _runs(row: np.ndarray) -> list[tuple[int, int]]:
    """[start, end) of each run of True in a boolean row, runs one tile apart joined."""
    padded = np.concatenate(([False], row, [False]))
    edges = np.flatnonzero(padded[1:] != padded[:-1])
    runs = list(zip(edges[::2].tolist(), edges[1::2].tolist()))
    joined: list[tuple[int, int]] = []
    for start, end in runs:
        if joined and start - joined[-1][1] <= 1:
            joined[-1] = (joined[-1][0], end)
        else:
            joined.append((start, end))
    return joined


def grow(region: Region, factor: int, size: tuple[int, int], sampled: Sequence[Sampled]) -> Region:
    """Condition 2: ``region`` grown until it holds the sample point (and box) of every sampled
    text it touches."""
    x0, y0, x1, y1 = region
    while True:
        rect = (x0 * factor, y0 * factor, x1 * factor - 1, y1 * factor - 1)
        touched = [(s.boxes[hit], s.points[hit]) for s in sampled if (hit := s.touching(rect)).any()]
        if not touched:
            return x0, y0, x1, y1
        lo = np.concatenate([part for boxes, points in touched for part in (boxes[:, :2], points)]).min(axis=0)
        hi = np.concatenate([part for boxes, points in touched for part in (boxes[:, 2:], points)]).max(axis=0)
        grown = (
            min(x0, max(0, math.floor(lo[0] / factor))),
            min(y0, max(0, math.floor(lo[1] / factor))),
            max(x1, min(size[0], math.floor(hi[0] / factor) + 1)),
            max(y1, min(size[1], math.floor(hi[1] / factor) + 1)),
        )
        if grown == (x0, y0, x1, y1):
            return grown
        x0, y0, x1, y1 = grown
