"""Pixel geometry of the renderer: strokes in whole output rows,
hatch segments, box faces, arrow heads, text fitted to a width.

Pure functions of canvas pixel coordinates (and the theme's styles), kept apart from the Pillow
calls in :mod:`convanim.renderer.raster` so each can be tested and read on its own.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from functools import lru_cache

import numpy as np

from convanim.picture import Box, Grid, Point3
from convanim.renderer import fonts
from convanim.renderer.project import Canvas
from convanim.renderer.theme import RoleStyle

Px = tuple[float, float]


def check_grid(grid: Grid) -> tuple[int, int]:
    """(rows, cols) of a rectangular grid whose labels match it."""
    rows, cols = grid.shape
    if rows == 0 or cols == 0 or any(len(row) != cols for row in grid.roles):
        raise ValueError("grid.roles: must be a non-empty rectangle of role names")
    for name in ("labels", "sublabels"):
        texts = getattr(grid, name)
        if texts and (len(texts) != rows or any(len(row) != cols for row in texts)):
            raise ValueError(f"grid.{name}: must be empty or match roles' {rows}x{cols} shape")
    return rows, cols


def cell_quad(pts: list[list[Px]], r: int, c: int) -> tuple[Px, Px, Px, Px]:
    """Pixel corners of cell (r, c) from a grid's corner lattice, in order around the cell."""
    return pts[r][c], pts[r][c + 1], pts[r + 1][c + 1], pts[r + 1][c]


def edge_rank(style: RoleStyle) -> int:
    """Which of two neighbouring cells draws the edge they share: heavy > solid > dashed > none."""
    if style.outline is None:
        return -1
    return 2 if style.outline_weight > 1 else 0 if style.dashed else 1


@lru_cache(maxsize=2048)
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
    span = max(1, round(width * math.hypot(a1 - a0, b1 - b0) / (a1 - a0)))  # across a row
    if b0 == b1:
        low, high = _across(b0, span, pixel, guide)
        runs = np.array([(low, first, high, last) if steep else (first, low, last, high)])
    else:
        runs = _oblique_runs(a0, b0, a1, b1, first, last, span, pixel, guide, steep)
    runs.flags.writeable = False
    return runs


def _across(centre: float, span: int, pixel: int, guide: bool) -> tuple[int, int]:
    """The first and last canvas pixel across a row of a straight stroke centred at ``centre``
    (a whole-pixel run, in plain Python: half of a grid's lines are straight, and numpy's
    per-call cost was most of a short stroke's). The arithmetic is :func:`_oblique_runs`'s, so
    the two agree to the pixel."""
    if guide:
        middle = (pixel - 1) / 2
        twice = int(2 * middle + math.floor((centre - middle) * 2 / pixel + 0.5) * pixel)
        length = span + (span - twice - 1) % 2
        low = (twice - length + 1) // 2
        return low, low + length - 1
    low = math.floor(centre - (span - 1) / 2 + 0.5)
    return low, low + span - 1


def _oblique_runs(
    a0: float, b0: float, a1: float, b1: float, first: int, last: int, span: int, pixel: int, guide: bool,
    steep: bool,
) -> np.ndarray:
    """:func:`stroke_runs` of a segment that leans: the run of each output row (column) along
    it, centred where the line crosses the row's middle, one rectangle per stretch of rows
    covered alike."""
    rows = np.arange(first // pixel, last // pixel + 1)  # output rows (columns) along the line
    middles = rows * pixel + (pixel - 1) / 2
    np.maximum(middles, a0, out=middles)  # clipped to the segment's ends
    np.minimum(middles, a1, out=middles)
    centre = b0 + (b1 - b0) * (middles - a0) / (a1 - a0)
    new = np.empty(rows.size, dtype=bool)
    new[0] = True
    if guide:
        # Snap to the half-pixel grid (pixel centres and borders), then take the shortest span
        # of at least ``span`` that is symmetric about it (2 * centre is a whole number).
        middle = (pixel - 1) / 2
        twice = (2 * middle + np.floor((centre - middle) * 2 / pixel + 0.5) * pixel).astype(int)
        length = span + (span - twice - 1) % 2
        low = (twice - length + 1) // 2
        high = low + length - 1
        np.not_equal(low[1:], low[:-1], out=new[1:])
        new[1:] |= high[1:] != high[:-1]
    else:
        low = np.floor(centre - (span - 1) / 2 + 0.5).astype(int)
        high = low + (span - 1)
        np.not_equal(low[1:], low[:-1], out=new[1:])
    firsts = np.flatnonzero(new)
    runs = np.empty((firsts.size, 4), dtype=int)
    along, across = (1, 0) if steep else (0, 1)  # the columns of the runs' two directions
    runs[:, along] = rows[firsts] * pixel
    runs[0, along] = max(runs[0, along], first)
    runs[:-1, along + 2] = rows[firsts[1:] - 1] * pixel + pixel - 1
    runs[-1, along + 2] = min(rows[-1] * pixel + pixel - 1, last)
    runs[:, across], runs[:, across + 2] = low[firsts], high[firsts]
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
                hits.append(along(a, b, (t - la) / (lb - la)))
        if len(hits) >= 2:
            hits.sort(key=lambda p: p[0] * dx + p[1] * dy)
            segments.append((hits[0], hits[-1]))
    return segments


def box_faces(box: Box, canvas: Canvas) -> tuple[tuple[Point3, ...] | None, ...]:
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


def inside(poly: Sequence[Px], point: Px) -> bool:
    """Whether ``point`` lies inside a convex polygon (either winding)."""
    signs = set()
    for a, b in zip(poly, [*poly[1:], poly[0]]):
        cross = (b[0] - a[0]) * (point[1] - a[1]) - (b[1] - a[1]) * (point[0] - a[0])
        if cross:
            signs.add(cross > 0)
    return len(signs) == 1


def arrow_head(before: Px, tip: Px, size: float) -> list[Px]:
    """A filled triangle pointing from ``before`` to ``tip``."""
    length = math.dist(before, tip)
    ux, uy = (tip[0] - before[0]) / length, (tip[1] - before[1]) / length
    bx, by = tip[0] - ux * size, tip[1] - uy * size
    half = size * 0.45
    return [tip, (bx - uy * half, by + ux * half), (bx + uy * half, by - ux * half)]


def along(p: Px, q: Px, t: float) -> Px:
    """The point a fraction ``t`` of the way from p to q."""
    return p[0] + (q[0] - p[0]) * t, p[1] + (q[1] - p[1]) * t


def minus(p: Px, q: Px) -> Px:
    """The vector from q to p."""
    return p[0] - q[0], p[1] - q[1]


@lru_cache(maxsize=1024)
def fit_px(texts: frozenset[str], wanted_px: int, max_width: float) -> int:
    """The largest size up to ``wanted_px`` at which the widest of ``texts`` fits ``max_width``."""
    if not texts or wanted_px <= 1:
        return max(1, wanted_px)
    widest = max(fonts.text_width(t, wanted_px) for t in texts)
    return max(1, min(wanted_px, math.floor(wanted_px * max_width / max(widest, 1e-9))))
