"""Pooling as a figure: the window sweeping one channel of a 1D or 2D input (a 1D signal drawn as
one row), every number shown, each output the maximum (its winning cell marked) or the mean of its
window.

The numbers are the engine's pooling recording (``convanim.core.pooling``): the cells each window
read, the value it wrote, the cell that won a maximum, the divisor of a mean.
"""

from __future__ import annotations

from itertools import islice

import numpy as np

from convanim.blocks.cells import MASK_ROLES
from convanim.blocks.marks import Filling, tap_shades
from convanim.blocks.phases import READ_MS, paced
from convanim.blocks.surfaces import Surface, heading
from convanim.blocks.text import indexed
from convanim.blocks.windows import cell_of, plane
from convanim.core.events import MaximumFound, MeanWritten, ValuesRead, WindowPlaced
from convanim.core.notation import describe_pool, formula_text, number
from convanim.core.pool_recording import BEYOND, PoolRecording
from convanim.figures.sweeps import legend, skips_cells
from convanim.words import say
from convanim.picture import Grid, Item, Label, Line, Link, Picture, Shade, Step, Timeline, View

#: What each cell of a pooling grid is: an input cell, padding, or past the padding (ceil mode).
POOL_ROLES = {**MASK_ROLES, BEYOND: "skipped"}


def pool_sweep(recording: PoolRecording, *, title: str | None = None, every_position: bool = False) -> Timeline:
    """One channel of a 1D or 2D pooling with its numbers: input left, output right, and for each
    window the sum it divides or the values it takes the maximum of, spelled out underneath.

    Of several channels the first is drawn: pooling treats every channel alike, on its own.
    """
    spec = recording.spec
    if spec.dims == 3 or recording.batched:
        raise ValueError(f"a pooling figure shows one unbatched channel of a 1D or 2D pooling (got {spec.dims}D"
                         f"{', batched' if recording.batched else ''}); a 3D one has no figure")
    grid, mask, out = (plane(array, spec.dims) for array in (recording.grid, recording.mask, recording.output))
    rows, cols = grid.shape
    left = Surface((0.0, 0.0, 0.0), rows, cols)
    right = Surface((cols + 2.0, (rows - out.shape[0]) / 2, 0.0), *out.shape)
    roles = [[POOL_ROLES[int(m)] for m in line] for line in mask]
    labels = [[number(v) if m != BEYOND else "" for v, m in zip(*line)] for line in zip(grid, mask)]
    places = list(islice(recording.placements(), out.size))  # the first channel's windows
    order = [cell_of(placed.out_index, spec.dims) for placed, _, _ in places]
    links = [_link(left, right, place, spec.dims) for place in places]
    background = Picture(
        items=(left.grid(roles, labels), heading(left, say("grid.input")), heading(right, say("grid.output")),
               Filling(right, out, []).state(0),
               *legend(right, {role for line in roles for role in line}, dilated=skips_cells(spec.dilation))),
        title=title or say("title.max_pooling" if spec.kind == "max" else "title.average_pooling"),
        caption=describe_pool(spec),
        formula=formula_text(spec),
        links=tuple(links),
    )
    filling = Filling(right, out, order)
    below = left.point(rows + 0.9, (cols + 2.0 + out.shape[1]) / 2)
    steps = []
    for end, hold_ms in paced(len(places), out.shape[1], READ_MS, every_position=every_position):
        placed, read, result = places[end - 1]
        items: list[Item] = [*_window(left, placed, spec.dims), *_winner(left, result, grid, spec.dims),
                             filling.step(end - 1), Label(below, _working(read, result), size="small")]
        steps.append(Step(Picture(items=tuple(items), links=(links[end - 1],)), hold_ms=hold_ms))
    return Timeline(background=background, steps=tuple(steps), view=View())


def _window(surface: Surface, placed: WindowPlaced, dims: int) -> list[Shade | Line]:
    """The window's shadow over the cells it reads (only those, when dilation skips some)."""
    cells = [cell_of(cell.grid_index, dims) for cell in placed.cells]
    (row0, col0), (row1, col1) = np.min(cells, axis=0), np.max(cells, axis=0) + 1
    return tap_shades(surface, (int(row0), int(col0), int(row1), int(col1)), cells)


def _winner(surface: Surface, result: MaximumFound | MeanWritten, grid: np.ndarray, dims: int) -> list[Grid]:
    """The cell a maximum came from, drawn over the shadow as the cell being computed: a thick
    outline that marks it in grey print too."""
    if not isinstance(result, MaximumFound) or result.grid_index is None:
        return []
    row, col = cell_of(result.grid_index, dims)
    cell = Surface(surface.point(row, col), 1, 1)
    return [cell.grid([["active"]], [[number(grid[row, col])]])]


def _link(source: Surface, target: Surface, place: tuple[WindowPlaced, ValuesRead, MaximumFound | MeanWritten],
          dims: int) -> Link:
    """What a page says of one output cell: the values its window read, then the maximum or the
    mean it wrote."""
    placed, read, result = place
    taken = "max" if isinstance(result, MaximumFound) else f"Σ/{result.divisor}"
    name = indexed("output", placed.out_index)
    return Link(target.cell_quad(cell_of(placed.out_index, dims)),
                tuple(source.cell_quad(cell_of(cell.grid_index, dims)) for cell in placed.cells), (),
                (_working(read, result),), f"{name} = {taken} = {number(result.value)}", result.value)


def _working(read: ValuesRead, result: MaximumFound | MeanWritten) -> str:
    """'max(3, 3, 2, …) = 3' or '(3 + 3 + 2 + …)/9 = 1.67': what the output cell is."""
    values = [number(v) for v in read.values]
    if isinstance(result, MaximumFound):
        return f"max({', '.join(values)}) = {number(result.value)}"
    return f"({' + '.join(values)})/{result.divisor} = {number(result.value)}"
