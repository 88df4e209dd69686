"""A grid's drawing taken apart: cell boxes, edge owners and merged edge runs as numpy arrays.

Why: a frame should cost what it changes. A 64×64 output grid filling in cell by cell changes one
or two cells a step, but walking its 4,096 cells and 8,320 edges in Python every frame cost more
than everything else put together. Here the per-cell work is done once per grid (vectorised), so
the painter can draw only the parts that touch a region, and the renderer can ask which cells and
edges differ between two states of the same grid.

Runs are what :class:`~convanim.renderer.raster.Painter` strokes: along each lattice line,
neighbouring edges owned by equal styles merge into one straight run, exactly as a cell-by-cell
walk merges them (across lines top to bottom, then down lines left to right, each in order; the
owner of an edge is the heavier of its two cells, the first one on a tie).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from convanim.picture import Grid
from convanim.renderer.geometry import Px, check_grid, edge_rank
from convanim.renderer.project import Canvas
from convanim.renderer.theme import RoleStyle, Theme

#: A grid's geometry: everything its lattice depends on (not its roles or texts).
GeometryKey = tuple[object, ...]
#: Rows of roles whose style numbers are kept (those of the grids on screen, a few steps back).
_KEPT_ROWS = 1024


def geometry_key(grid: Grid) -> GeometryKey:
    return grid.origin, grid.shape, grid.plane, grid.cell


class Lattice:
    """Pixel positions of a grid geometry's cell corners and the boxes of its cells and edges."""

    def __init__(self, grid: Grid, canvas: Canvas) -> None:
        rows, cols = check_grid(grid)
        # Python floats, point by point, as the painter always computed them: runs start and end
        # on exactly these pixels whichever way a grid is drawn.
        self.pts: list[list[Px]] = [
            [canvas.to_px(grid.point(r, c)) for c in range(cols + 1)] for r in range(rows + 1)
        ]
        xy = np.array(self.pts)  # (rows + 1, cols + 1, 2)
        corners = np.stack([xy[:-1, :-1], xy[:-1, 1:], xy[1:, 1:], xy[1:, :-1]])  # (4, rows, cols, 2)
        self.cell_boxes = np.concatenate([corners.min(axis=0), corners.max(axis=0)], axis=-1)
        # Edge boxes: across edges (rows + 1, cols), down edges (cols + 1, rows), as x0 y0 x1 y1.
        a, b = xy[:, :-1], xy[:, 1:]
        self.across_boxes = np.concatenate([np.minimum(a, b), np.maximum(a, b)], axis=-1)
        a, b = xy[:-1, :].transpose(1, 0, 2), xy[1:, :].transpose(1, 0, 2)
        self.down_boxes = np.concatenate([np.minimum(a, b), np.maximum(a, b)], axis=-1)
        # Whether each lattice line is straight along a pixel axis (its pixels do not depend on
        # where the line is split into runs).
        self.across_straight = np.all(xy[:, :, 1] == xy[:, :1, 1], axis=1) | np.all(xy[:, :, 0] == xy[:, :1, 0], axis=1)
        self.down_straight = np.all(xy[:, :, 0] == xy[:1, :, 0], axis=0) | np.all(xy[:, :, 1] == xy[:1, :, 1], axis=0)


class StyleTable:
    """A theme's role styles numbered by equality (equal styles share a number), with their ranks."""

    def __init__(self, theme: Theme) -> None:
        self.styles: list[RoleStyle] = []
        self.ids: dict[str, int] = {}
        for role, style in theme.roles.items():
            if style not in self.styles:
                self.styles.append(style)
            self.ids[role] = self.styles.index(style)
        self.ranks = np.array([edge_rank(s) for s in self.styles] + [-1])  # index -1: no cell
        self.clear = np.array([s.fill is None for s in self.styles])  # cells that draw only text
        self.theme = theme
        self._rows: dict[int, tuple[tuple[str, ...], np.ndarray]] = {}

    def codes(self, grid: Grid) -> np.ndarray:
        """Style number of every cell (raises on an unknown role, as the theme does).

        Rows are looked up once each: a grid filling in step by step shares its unchanged rows
        with the step before, so a step costs its changed rows, not its cells."""
        codes = np.empty(grid.shape, dtype=np.intp)
        for r, row in enumerate(grid.roles):
            known = self._rows.get(id(row))
            if known is None or known[0] is not row:
                known = (row, np.array([self._id(role) for role in row], dtype=np.intp))
                if len(self._rows) >= _KEPT_ROWS:
                    del self._rows[next(iter(self._rows))]
                self._rows[id(row)] = known
            codes[r] = known[1]
        return codes

    def _id(self, role: str) -> int:
        found = self.ids.get(role)
        if found is None:
            self.theme.style(role)  # raises, naming the roles there are
            raise AssertionError(role)
        return found


@dataclass(frozen=True)
class Runs:
    """Merged edge runs of one grid, in drawing order: for run k, ``kind`` 0 across / 1 down,
    ``line`` its lattice line, [``first``, ``last``) its edges along it, ``style`` its owner."""

    kind: np.ndarray
    line: np.ndarray
    first: np.ndarray
    last: np.ndarray
    style: np.ndarray


class GridParts:
    """One grid's styles, edge owners and runs on a lattice, computed once and vectorised."""

    def __init__(self, grid: Grid, lattice: Lattice, table: StyleTable) -> None:
        self.grid, self.lattice, self.table = grid, lattice, table
        self.codes = table.codes(grid)
        self.across, self.down = _owners(self.codes, table.ranks)

    def texts(self, sub: bool) -> frozenset[str]:
        """The distinct numbers (``sub``: sublabels) the grid shows: what their size is fitted to."""
        key = "_sub_texts" if sub else "_texts"
        found: frozenset[str] | None = self.__dict__.get(key)
        if found is None:
            rows = self.grid.sublabels if sub else self.grid.labels
            found = self.__dict__[key] = frozenset().union(*rows) - {""}
        return found

    def has_text(self, sub: bool) -> np.ndarray:
        """Which cells show a number (``sub``: a sublabel)."""
        rows = self.grid.sublabels if sub else self.grid.labels
        if not rows:
            return np.zeros(self.codes.shape, dtype=bool)
        return np.array([[bool(text) for text in row] for row in rows], dtype=bool)

    @cached_property
    def runs(self) -> Runs:
        """Every run, sorted by rank (stable), as the painter strokes them."""
        parts = [_line_runs(self.across, 0), _line_runs(self.down, 1)]
        kind, line, first, last, style = (np.concatenate(column) for column in zip(*parts))
        order = np.argsort(self.table.ranks[style], kind="stable")
        return Runs(kind[order], line[order], first[order], last[order], style[order])

    def run_ends(self, k: int) -> tuple[Px, Px]:
        """Pixel start and end of run ``k``."""
        runs, pts = self.runs, self.lattice.pts
        line, first, last = int(runs.line[k]), int(runs.first[k]), int(runs.last[k])
        if runs.kind[k] == 0:
            return pts[line][first], pts[line][last]
        return pts[first][line], pts[last][line]

    @cached_property
    def run_boxes(self) -> np.ndarray:
        """(x0, y0, x1, y1) of every run's centre line, in run order (asked by every region)."""
        runs, lat = self.runs, self.lattice
        boxes = np.empty((len(runs.kind), 4))
        across, down = runs.kind == 0, runs.kind == 1
        a_first = lat.across_boxes[runs.line[across], runs.first[across]]
        a_last = lat.across_boxes[runs.line[across], runs.last[across] - 1]
        d_first = lat.down_boxes[runs.line[down], runs.first[down]]
        d_last = lat.down_boxes[runs.line[down], runs.last[down] - 1]
        for mask, lo, hi in ((across, a_first, a_last), (down, d_first, d_last)):
            boxes[mask, :2] = np.minimum(lo[:, :2], hi[:, :2])
            boxes[mask, 2:] = np.maximum(lo[:, 2:], hi[:, 2:])
        return boxes


def _owners(codes: np.ndarray, ranks: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Owner style of every across edge (rows + 1, cols) and down edge (cols + 1, rows), -1 for
    none: of the two cells beside an edge (above before below, left before right), the one of
    higher rank, the first on a tie; none when that rank is below 0."""
    rows, cols = codes.shape
    padded = np.full((rows + 2, cols + 2), -1, dtype=np.intp)
    padded[1:-1, 1:-1] = codes
    rank = ranks[padded]

    def owner(first: np.ndarray, second: np.ndarray, r1: np.ndarray, r2: np.ndarray) -> np.ndarray:
        chosen = np.where((first >= 0) & ((second < 0) | (r1 >= r2)), first, second)
        return np.where(ranks[chosen] >= 0, chosen, -1)

    top, bottom = padded[:-1, 1:-1], padded[1:, 1:-1]  # (rows + 1, cols)
    across = owner(top, bottom, rank[:-1, 1:-1], rank[1:, 1:-1])
    left, right = padded[1:-1, :-1], padded[1:-1, 1:]  # (rows, cols + 1)
    down = owner(left, right, rank[1:-1, :-1], rank[1:-1, 1:]).T
    return across, down


def _line_runs(owners: np.ndarray, kind: int) -> tuple[np.ndarray, ...]:
    """Runs of equal owners along each line (row of ``owners``), lines in order, owned ones only."""
    lines, length = owners.shape
    starts = np.ones(owners.shape, dtype=bool)
    starts[:, 1:] = owners[:, 1:] != owners[:, :-1]
    line, first = np.nonzero(starts)
    ends = np.ones(owners.shape, dtype=bool)
    ends[:, :-1] = starts[:, 1:]
    last = np.nonzero(ends)[1] + 1
    style = owners[line, first]
    kept = style >= 0
    return np.full(kept.sum(), kind), line[kept], first[kept], last[kept], style[kept]
