"""What figures draw on their surfaces: the kernel's shadow and weights, results filling in, a
kernel block moving through a stack, arrows, and tensors laid out as equations.

Slices of a stack are drawn back to front, and whatever lies on a slice (its kernel shadow, the
front face of a block) right after it, so nearer slices hide what is behind them. That is why a
figure draws a stack in every step's overlay (:func:`kernel_through`), not in the background: a
shadow on a back slice drawn over the background would show through the front ones.

Typical use (all numbers from engine recordings)::

    stack = Stack((0, 0, 0), channels=3, rows=5, cols=5)
    grids = stack.grids(group_roles(3, 3), [part.grid[0] for part in parts])
    for windows in channel_windows(parts):              # the channels' kernels step together
        items = kernel_through(stack, grids, windows)   # slices, shadows and the kernel block
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence

import numpy as np

from convanim.words import say
from convanim.blocks.cells import labels_of
from convanim.blocks.surfaces import HALF_LINE, Stack, Surface
from convanim.blocks.text import indexed
from convanim.blocks.windows import Cell, Window
from convanim.core.notation import factor, number, signed
from convanim.picture import Grid, Item, Label, Line, Link, Point3, Quad, Shade, TextSize


def weight_labels(surface: Surface, place: Window) -> list[Label]:
    """The kernel's weights as small subscripts in the corner of the cells its taps cover."""
    return [
        Label(surface.point(r + 0.93, c + 0.93), number(w), size="tiny", role="muted", anchor="rd")
        for (r, c), w in zip(place.taps, place.weights)
    ]


def sum_link(place: Window, output: Quad, inputs: Sequence[Quad] = (), weights: Sequence[Quad] = (), *,
             name: str = "") -> Link:
    """What a page says of the cell ``place`` computes, drawn at ``output``: each input times its
    weight, then the sum with its bias, every number the engine's. ``inputs`` and ``weights`` are
    the cells of the figure that show them (those it draws); ``name`` names the result
    (``output[c, row, col]`` by default)."""
    terms = tuple(f"{number(x)} × {factor(w)} = {number(p)}"
                  for x, w, p in zip(place.inputs, place.weights, place.made))
    bias = f" {signed(place.bias)} ({say('sum.bias')})" if place.bias else ""
    name = name or indexed("output", place.index)
    return Link(output, tuple(inputs), tuple(weights), terms, f"{name} = Σ{bias} = {number(place.value)}",
                place.value)


def sweep_link(source: Surface, target: Surface, place: Window, *, weights: bool = False, name: str = "") -> Link:
    """:func:`sum_link` of a flat sweep: the taps' cells on ``source`` (which also shows the
    weights, as subscripts, with ``weights``), the output cell on ``target``."""
    cells = [source.cell_quad(tap) for tap in place.taps]
    return sum_link(place, target.cell_quad(place.out), cells, cells if weights else (), name=name)


def kernel_shades(surface: Surface, place: Window) -> list[Shade | Line]:
    """The kernel's shadow: one shade over a dense window, one per tap (and the span outlined,
    dashed) when dilation leaves skipped cells between taps."""
    return tap_shades(surface, place.span, place.taps)


def tap_shades(surface: Surface, span: tuple[int, int, int, int], taps: Sequence[Cell]) -> list[Shade | Line]:
    """:func:`kernel_shades` of a window's ``span`` (row0, col0, row1, col1) and ``taps``: the
    legend's dilated swatch draws its kernel just as a figure does."""
    row0, col0, row1, col1 = span
    if len(taps) == (row1 - row0) * (col1 - col0):
        return [Shade(surface.quad(row0, col0, row1, col1))]
    shades: list[Shade | Line] = [Shade(surface.quad(r, c, r + 1, c + 1)) for r, c in taps]
    corners = surface.quad(row0, col0, row1, col1)
    return [*shades, Line(corners + corners[:1], role="line", dashed=True)]


def output_grid(
    surface: Surface, values: np.ndarray, done: int, *, numbers: bool, order: Sequence[tuple[int, int]]
) -> Grid:
    """The output with the first ``done`` cells of ``order`` computed and the next one active.
    Each call costs the whole grid; a sweep over a big output makes its states with :class:`Filling`."""
    active = order[done] if done < len(order) else None
    return filled_grid(surface, values, order[:done], active, numbers=numbers)


def filled_grid(surface: Surface, values: np.ndarray, filled: Collection[tuple[int, int]],
                active: tuple[int, int] | None = None, *, role: str = "done", numbers: bool = True) -> Grid:
    """A result grid: ``filled`` cells in ``role`` with their numbers, ``active`` highlighted with
    its number, the rest not yet computed. ``role`` lets a partial result wear its channel's colour;
    without ``numbers`` the cells are only coloured."""
    roles = np.full(values.shape, "output", dtype=object)
    shown = np.zeros(values.shape, bool)
    for r, c in filled:
        roles[r, c], shown[r, c] = role, True
    if active is not None:
        roles[active], shown[active] = "active", True
    return surface.grid(roles.tolist(), labels_of(values, shown) if numbers else ())


class Filling:
    """A result grid filling in, one state after another: :func:`filled_grid` for growing prefixes
    of ``order``, where each state shares the rows that did not change with the state before.

    Why: a sweep over an n-cell output makes n states; built cell by cell each costs n, so the
    figure n² in time and in memory (a 64×64 sweep: 16 million role strings). Shared rows make a
    state cost the rows that changed, and the renderer looks at a shared row only once.

    ``role`` is the filled cells' role, or one role per cell (a heat map's levels); cells not yet
    filled wear ``pending``.
    """

    def __init__(self, surface: Surface, values: np.ndarray, order: Sequence[tuple[int, ...]], *,
                 role: str | np.ndarray = "done", numbers: bool = True, pending: str = "output") -> None:
        self.surface, self.order = surface, order
        shape = values.shape
        filled = np.broadcast_to(np.asarray(role, dtype=object), shape)
        pending_roles, active_roles = (np.full(shape, name, dtype=object) for name in (pending, "active"))
        self._choices = np.stack([pending_roles, filled, active_roles])
        self._columns = np.arange(shape[1])
        self._rank = np.full(shape, len(order), dtype=np.intp)  # when each cell is filled
        if len(order):
            self._rank[tuple(np.array(order).T)] = np.arange(len(order))
        self._texts = np.array(labels_of(values), dtype=object) if numbers else None
        self._codes: np.ndarray | None = None  # 0 pending, 1 filled, 2 active; of the last state
        self._done = 0
        self._active: tuple[int, ...] | None = None
        self._roles: list[tuple[str, ...]] = []
        self._labels: list[tuple[str, ...]] = []

    def state(self, done: int, active: tuple[int, ...] | None = None) -> Grid:
        """The first ``done`` cells of the order filled, ``active`` highlighted (both numbered)."""
        if self._codes is None:
            codes = self._codes = (self._rank < done).astype(np.intp)
            if active is not None:
                codes[active] = 2
            changed: Iterable[int] = range(len(codes))
            self._roles, self._labels = [()] * len(codes), [()] * len(codes)
        else:
            codes = self._codes
            # Only these cells can change: those filled between the last state and this one (the
            # order ranks them), the last active cell and this one. A step costs what it changes.
            low, high = sorted((self._done, done))
            cells = [*self.order[low:high], *(cell for cell in (self._active, active) if cell is not None)]
            for cell in cells:
                codes[cell] = 2 if cell == active else int(self._rank[cell] < done)
            changed = sorted({cell[0] for cell in cells})
        self._done, self._active = done, active
        for r in changed:
            self._roles[r] = tuple(self._choices[codes[r], r, self._columns].tolist())
            if self._texts is not None:
                self._labels[r] = tuple(np.where(codes[r] > 0, self._texts[r], "").tolist())
        return self.surface.grid(self._roles, self._labels if self._texts is not None else ())

    def step(self, done: int) -> Grid:
        """:func:`output_grid`'s state: ``done`` cells of the order filled, the next one active."""
        return self.state(done, self.order[done] if done < len(self.order) else None)


def kernel_through(stack: Stack, grids: Sequence[Grid | Shade], places: Sequence[Window | None], *,
            block: bool = True, role: str = "kernel") -> list[Item]:
    """The stack with a kernel window on each slice whose placement is given (None: no window).

    ``grids`` holds each slice's drawing: its grid, or a see-through :func:`sheet`.

    With ``block``, the slices that carry a window (which must be consecutive) are joined by a
    translucent block in ``role``, so the kernel reads as one volume moving through the channels.
    The block is drawn just before the first of them, which hides the part of it behind that
    slice as a solid sheet would; the window on that slice is its front face.
    """
    covered = [c for c, place in enumerate(places) if place is not None]
    if block and len(covered) > 1 and covered != list(range(covered[0], covered[-1] + 1)):
        raise ValueError(f"a kernel block must cover consecutive channels (got {covered})")
    per_channel: list[list[Item]] = [[grid] for grid in grids]
    for channel, place in enumerate(places):
        if place is not None:
            per_channel[channel] += kernel_shades(stack.surface(channel), place)
    first = places[covered[0]] if covered else None
    if block and len(covered) > 1 and first is not None:
        per_channel[covered[0]].insert(0, stack.block(covered[0], covered[-1], first.span, role=role))
    return stack.layers(per_channel)


def link(stack: Stack, places: Sequence[Window | None], target: Surface, cell: Cell) -> Line:
    """An arrow from the centre of the kernel's window on the farthest slice it reads towards the
    centre of the output ``cell`` on ``target``: which block makes which number. Draw it before the
    output grid, which then hides its end, so that it points at the number without covering it."""
    far, place = max(((c, p) for c, p in enumerate(places) if p is not None),
                     key=lambda found: stack.slice_origin(found[0])[2])
    row0, col0, row1, col1 = place.span
    start = stack.surface(far).point((row0 + row1) / 2, (col0 + col1) / 2)
    return arrow(start, target.point(cell[0] + 0.5, cell[1] + 0.5))


def arrow(start: Point3, end: Point3) -> Line:
    """An arrow between two parts of a figure (one pass feeding the next)."""
    return Line((start, end), role="line", width=1.2, arrow=True)


def row(origin: Point3, shapes: Sequence[tuple[int, int]],
        between: Sequence[str], *, gap: float = 1.0) -> tuple[list[Surface], list[Label]]:
    """Surface surfaces of ``shapes`` laid left to right from ``origin``, centred on one horizontal
    line, with ``between[i]`` (an operator: "+", "=", "→") written in the gap after surface i.

    For equations between tensors: three partial results "+" each other "=" the output. ``gap``
    is the room beside the operator, wider where the names under narrow surfaces are long.
    """
    if len(between) != len(shapes) - 1:
        raise ValueError(f"between must hold one text per gap ({len(shapes) - 1}), got {len(between)}")
    x, y, z = origin
    middle = y + max(rows for rows, _ in shapes) / 2
    surfaces: list[Surface] = []
    labels: list[Label] = []
    for index, (rows, cols) in enumerate(shapes):
        surfaces.append(Surface((x, middle - rows / 2, z), rows, cols))
        x += cols
        if index < len(between):
            room = gap + 0.45 * len(between[index])
            labels.append(Label((x + room / 2, middle, z), between[index], size="large"))
            x += room
    return surfaces, labels


def column(origin: Point3, shapes: Sequence[tuple[int, int]],
           between: Sequence[str]) -> tuple[list[Surface], list[Label]]:
    """Surface surfaces of ``shapes`` laid top to bottom from ``origin``, left-aligned, with
    ``between[i]`` written left of surface i + 1: long addition of 1D signals, each a row, which
    side by side in a :func:`row` would shrink to nothing."""
    if len(between) != len(shapes) - 1:
        raise ValueError(f"between must hold one text per gap ({len(shapes) - 1}), got {len(between)}")
    x, y, z = origin
    surfaces: list[Surface] = []
    labels: list[Label] = []
    for index, (rows, cols) in enumerate(shapes):
        if index:
            labels.append(Label((x - 0.4, y + rows / 2, z), between[index - 1], size="large", anchor="rm"))
        surfaces.append(Surface((x, y, z), rows, cols))
        y += rows + 1.4
    return surfaces, labels


def text_lines(at: Point3, texts: Sequence[str], *, size: TextSize = "small", role: str = "text") -> Label:
    """Lines of text left-aligned below ``at`` (the first centred on it on a README canvas), as one
    label whose lines the renderer spaces by their size: a small panel in a figure's free corner
    (a cost comparison), which keeps the caption band short. Hung by its top, so that on a big
    canvas it grows away from the figure above it."""
    x, y, z = at
    return Label((x, y - HALF_LINE, z), "\n".join(texts), size=size, role=role, anchor="la")
