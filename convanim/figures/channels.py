"""Any multi-channel, grouped or 3D convolution as a whole figure, built from ``convanim.blocks``.

``figures.arithmetic`` (and so ``convanim custom``) hands every spec with channels, groups or a
third dimension to :func:`channel_sweep` (one output channel of a 1D/2D convolution, transposed or
not: its group's input slices with the kernel moving through them in step, the partial results,
their sum with the bias) or :func:`volume_sweep` (3D: depth slices and an output volume); the
scenes ``conv2d-multi`` and ``conv3d`` are these sweeps with the article's parameters. Big specs
stay legible: at most ``MAX_SLICES`` channels are drawn and the caption says which.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import replace

import numpy as np

from convanim.blocks.cells import MASK_ROLES, labels_of, tinted
from convanim.blocks.marks import Filling, column, filled_grid, kernel_through, link, row, sum_link
from convanim.blocks.phases import STEP_MS, paced, phase
from convanim.blocks.scales import MAX_NUMBERED_SIDE, colour_bar, heat_limit, heat_roles, outline, value_roles
from convanim.blocks.surfaces import GAP, OBLIQUE, Stack, Surface, beside, risen, under
from convanim.blocks.text import channel_range, indexed, sum_text
from convanim.blocks.windows import (
    Cell, Channels, VolumeWindow, Window, bias_of, cell_of, channel_parts, channel_windows, plane, volume_windows,
    window_of,
)
from convanim.core import engine
from convanim.core.notation import describe, formula_text, number, shape_text, signed
from convanim.core.spec import ConvSpec
from convanim.words import say
from convanim.picture import Grid, Item, Label, Link, Picture, Shade, Step, Timeline


#: The width:height a channel sweep's layout aims at (a README column, a 16:9 slide's figure
#: area): the row of partial results goes under the stack or beside it, whichever comes nearer.
FIGURE_ASPECT = 1.5


def _sweep_text(text: str, notes: Sequence[str]) -> str:
    """A phase's own sentence, then the figure's notes, each on a line of its own (sentence case)."""
    return "\n".join([text, *(note[0].upper() + note[1:] for note in notes)])


def _grid_text(spec: ConvSpec, grid_size: tuple[int, ...]) -> str:
    """' (grid 7×7)' when the grid drawn (padded, zeros inserted) is not the input itself."""
    return "" if grid_size == spec.input_size else f" ({say('grid.padded', shape=shape_text(grid_size))})"


def channel_sweep(recording: engine.Recording, *, out_channel: int = 0, title: str = "",
                  numbers: bool = False, every_position: bool = False, heat: bool = False) -> Timeline:
    """One output channel of a multi-channel or grouped 1D/2D convolution (transposed or not).

    The input channels of the group ``out_channel`` reads are a slice stack (at most
    :data:`MAX_SLICES` drawn; 1D signals as rows), the kernel a block through them; a sweep fills
    each channel's partial result, then they are added (plus bias) cell by cell into the output.
    A group that reads one channel (depthwise) fills the output, beside the stack, directly.
    Results carry the engine's numbers while their cells are big enough to read them;
    ``numbers`` writes the input values in the slices; ``heat`` shows them as pixels instead (an
    RGB photograph's channels as greys) and the results on the heat scale, with its colour bar.
    A long sweep speeds up unless ``every_position``.
    """
    spec = recording.spec
    seen = Channels.of(spec, out_channel)
    parts = channel_parts(recording, out_channel)
    shown = [c for c in seen.drawn if c in seen.read]
    summed = len(seen.read) > 1
    output = plane(recording.output[out_channel : out_channel + 1], spec.dims)
    partials = [plane(parts[c - seen.read.start].output, spec.dims) for c in shown] if summed else []
    roles = dict(zip(seen.drawn, seen.roles()))
    grid_shape = plane(recording.grid[:1], spec.dims).shape  # (1, length) for a 1D signal
    stack, results, operators = _channel_layout(len(seen.drawn), grid_shape, output.shape, len(partials),
                                                _equals(seen, bias_of(recording, out_channel), shown), seen.names())
    def slice_roles(c: int) -> list[list[str]]:
        mask = plane(recording.mask[c : c + 1], spec.dims)
        if heat:
            return value_roles(plane(recording.grid[c : c + 1], spec.dims), mask).tolist()
        return tinted(mask, roles[c])

    slices = [stack.surface(i).grid(slice_roles(c),
                                    labels_of(plane(recording.grid[c : c + 1], spec.dims)) if numbers else ())
              for i, c in enumerate(seen.drawn)]
    names = [*(say("stack.channel", channel=c) for c in shown[: len(partials)]),
             say("grid.output_channel", channel=out_channel) if spec.out_channels > 1 else say("grid.output")]
    labels = [*operators, *stack.tags(seen.names()), *map(under, results, names),
              stack.caption(say("grid.input_shape", shape=shape_text(spec.input_size, spec.in_channels))
                            + _grid_text(spec, recording.grid.shape[1:]))]
    by_position = channel_windows([parts[c - seen.read.start] for c in shown])
    order = [places[0].out for places in by_position]
    totals = _channel_links(recording, seen, stack, results[-1])
    partial_links = [tuple(_partial_link(stack, seen, c, results[j], place)
                           for j, (c, place) in enumerate(zip(shown, places)) if summed)
                     for places in by_position]

    readable = max(output.shape) <= MAX_NUMBERED_SIDE and not heat
    limit = heat_limit(np.concatenate([output.ravel(), *(partial.ravel() for partial in partials)]))
    pending = "clear" if heat else "output"  # a heat map's cells have no outlines: its frame shows where

    def role_of(values: np.ndarray, role: str) -> str | np.ndarray:
        return heat_roles(values, limit) if heat else role

    fillings = [Filling(s, p, order, role=role_of(p, roles[c]), numbers=readable, pending=pending)
                for s, p, c in zip(results, partials, shown)]
    total = Filling(results[-1], output, order, role=role_of(output, "done"), numbers=readable, pending=pending)
    pace = paced(len(order), output.shape[1], STEP_MS, every_position=every_position)

    def filling(done: int, active: Cell) -> list[Grid]:
        return [partial.state(done, active) for partial in fillings]

    notes = seen.notes()
    sweep = (say("channels.partials", count=len(seen.read)) if summed
             else say("channels.convolves", read=channel_range(seen.read)))
    steps = []
    for end, hold_ms in pace:
        k, places = end - 1, by_position[end - 1]
        laid = [dict(zip(shown, places)).get(c) for c in seen.drawn]
        result = filling(k, order[k]) if summed else [link(stack, laid, results[-1], order[k]),
                                                      total.state(k, order[k])]
        overlay = phase([*kernel_through(stack, slices, laid), *result], _sweep_text(sweep, notes), spec)
        steps.append(Step(replace(overlay, links=partial_links[k] or (totals[k],)), hold_ms))
    # Under the results' names, which keep a readable size however small big grids make a cell.
    equation_below = max(1.4, 0.12 * results[-1].rows)
    add = say("channels.add_bias" if spec.bias else "channels.add", count=len(seen.read))
    for end, hold_ms in pace if summed else []:
        k = end - 1
        cell = order[k]
        equation = _sum_label(parts, shown, seen, cell, bias_of(recording, out_channel), output[cell])
        items = [*kernel_through(stack, slices, [None] * len(slices)), *filling(len(order), cell),
                 total.state(k, cell),
                 under(results, equation, below=equation_below, size="normal", role="text")]
        steps.append(Step(replace(phase(items, _sweep_text(add, notes), spec), links=(totals[k],)), hold_ms))
    if heat:  # cells without outlines: each result's frame shows where it is, the bar what it means
        frames = [*(item for result in results for item in outline(result.origin, result.cols, result.rows)),
                  *colour_bar(beside(results[-1], 0.6), results[-1].rows, limit)]
    else:
        frames = [filled_grid(results[-1], output, ())]
    background = Picture(items=(*frames, *labels), title=title, caption=describe(spec), formula=formula_text(spec),
                         links=(*(link for links in partial_links for link in links), *totals))
    return Timeline(background=background, steps=tuple(steps), view=OBLIQUE)


def _channel_links(recording: engine.Recording, seen: Channels, stack: Stack, target: Surface) -> list[Link]:
    """A link per output cell of ``seen``'s output channel, in narration order: every channel's
    products (those of channels not drawn too), the input cells on the slices drawn."""
    dims, drawn = recording.spec.dims, list(seen.drawn)
    links = []
    for event in recording.placements():
        placed = event[0]
        if placed.out_index[0] != seen.out_channel:
            continue
        cells = [stack.surface(drawn.index(tap.grid_index[0])).cell_quad(cell_of(tap.grid_index, dims))
                 for tap in placed.taps if tap.grid_index[0] in drawn]
        place = window_of(*event, dims)
        links.append(sum_link(place, target.cell_quad(place.out), cells))
    return links


def _partial_link(stack: Stack, seen: Channels, channel: int, target: Surface, place: Window) -> Link:
    """The link of one channel's partial result: its taps on that channel's slice."""
    source = stack.surface(list(seen.drawn).index(channel))
    cells = [source.cell_quad(tap) for tap in place.taps]
    name = indexed(say("channels.result", channel=channel), place.out)
    return sum_link(place, target.cell_quad(place.out), cells, name=name)


def _channel_layout(channels: int, shape: tuple[int, int], out_shape: tuple[int, int], partials: int,
                    equals: str, tags: Sequence[str]) -> tuple[Stack, list[Surface], list[Label]]:
    """Where a channel sweep's tensors go: the partial results in a row, '+' between them and
    ``equals`` before the output, under the stack or beside it, whichever gives the figure the
    shape nearer :data:`FIGURE_ASPECT`; without partial results, the output beside the stack.
    Beside the stack, results keep clear of its ``tags``. 1D signals (one row) stack just clear of
    each other (the default gap would leave them floating apart), and their partial results are
    added as a :func:`column`, as long addition is written. Returns the stack, the result surfaces
    (the output last) and the operators."""
    rows = shape[0]
    stack = Stack((0.0, 0.0, 0.0), channels, *shape, risen(rows) if rows == 1 else (0.0, 0.0, GAP))
    aside = stack.beside(1, *out_shape, tags=tags).surface(0)
    if not partials:
        return stack, [aside], []
    shapes, between = [out_shape] * (partials + 1), ["+"] * (partials - 1) + [equals]
    if rows == 1:
        return stack, *column((0.0, rows + 1.5, 0.0), shapes, between)
    below, operators = row((0.0, rows + 2.0, 0.0), shapes, between)
    row_width = below[-1].point(0, out_shape[1])[0]
    (fan_x, fan_y), left = stack.fan(), aside.point(0, 0)[0]
    under_shape = (max(row_width, shape[1] + fan_x), rows + fan_y + 2.0 + out_shape[0])
    beside_shape = (left + row_width, max(rows + fan_y, out_shape[0]))
    if _misfit(beside_shape) < _misfit(under_shape):
        return stack, *row(aside.point(0, 0), shapes, between)
    return stack.centred(0.0, row_width), below, operators


def _misfit(size: tuple[float, float]) -> float:
    """How far a figure of (width, height) is from :data:`FIGURE_ASPECT`, either way."""
    return abs(math.log(size[0] / size[1] / FIGURE_ASPECT))


def _equals(seen: Channels, bias: float, shown: Sequence[int]) -> str:
    """The operator before the output in the row of partial results: '=', '+ 1 =' with the bias,
    '+ ⋯ =' when some channels' results are not drawn."""
    hidden = "+ ⋯ " if len(shown) < len(seen.read) else ""
    return f"{hidden}{signed(bias) + ' ' if seen.spec.bias else ''}="


def _sum_label(parts: Sequence[engine.Recording], shown: Sequence[int], seen: Channels, cell: Cell,
               bias: float, value: float) -> str:
    """'2 + 1 − 3 + 1 = 1': the drawn channels' partial results at ``cell``, the channels not drawn
    as one term saying which they are, the bias, and the output the engine wrote."""
    at = dict(zip(seen.read, (float(plane(p.output, seen.spec.dims)[cell]) for p in parts)))
    text = sum_text([at[c] for c in shown])
    rest = [c for c in seen.read if c not in shown]
    if rest:
        text += f" {signed(sum(at[c] for c in rest))} ({channel_range(range(rest[0], rest[-1] + 1))})"
    if seen.spec.bias:
        text += f" {signed(bias)}"
    return f"{text} = {number(value)}"


def volume_sweep(recording: engine.Recording, *, out_channel: int = 0, title: str = "",
                 numbers: bool = False, every_position: bool = False) -> Timeline:
    """One output channel of a 3D convolution (transposed or not): the first input channel its
    group reads as a stack of depth slices, the kernel a block through the slices it reaches, the
    output volume a stack of risen slices beside it filling cell by cell with the engine's numbers.

    With several input channels every output cell also sums the ones not drawn; the caption says
    so. ``numbers`` writes the input values in the slices too. A long sweep speeds up unless
    ``every_position``.
    """
    spec = recording.spec
    seen = Channels.of(spec, out_channel)
    channel = seen.read.start
    grid, mask, output = recording.grid[channel], recording.mask[channel], recording.output[out_channel]
    (depth, rows, cols), (out_depth, out_rows, out_cols) = grid.shape, output.shape
    stack = Stack((0.0, 0.0, 0.0), depth, rows, cols, (0.0, 0.0, GAP / 2))
    slices = [stack.surface(d).grid(tinted(mask[d], "input"), labels_of(grid[d]) if numbers else ())
              if (mask[d] == engine.INPUT).any() else sheet(stack, d, MASK_ROLES[int(mask[d].max())])
              for d in range(depth)]
    depth_names = _depth_names(mask)
    outputs = stack.beside(out_depth, out_rows, out_cols)
    labels: list[Item] = [
        *outputs.edges(),
        *stack.tags_left(depth_names),  # the pointers to the outputs leave the stack's right side
        *outputs.tags([say("volume.depth", depth=d) for d in range(out_depth)]),
        stack.caption(say("grid.input_shape", shape=shape_text(spec.input_size))
                      + (_grid_text(spec, grid.shape) or f" ({say('volume.axes')})")),
        outputs.caption(say("grid.output_shape", shape=shape_text(spec.output_size))),
    ]
    places = volume_windows(recording, out_channel)
    order = [place.out for place in places]
    links = [_volume_link(stack, outputs, place) for place in places]
    caption = _sweep_text(say("volume.slides"),
                          replace(seen, drawn=range(channel, channel + 1)).notes())
    readable = max(out_rows, out_cols) <= MAX_NUMBERED_SIDE
    depths = [Filling(outputs.surface(d), output[d], [cell[1:] for cell in order if cell[0] == d], numbers=readable)
              for d in range(out_depth)]
    before = np.cumsum([np.eye(out_depth, dtype=int)[cell[0]] for cell in order], axis=0)  # cells per depth so far
    steps = []
    for end, hold_ms in paced(len(places), out_cols, STEP_MS, every_position=every_position):
        place = places[end - 1]
        done = before[end - 1] - np.eye(out_depth, dtype=int)[place.out[0]]  # those before this one
        filled = [depths[d].state(int(done[d]), place.out[1:] if place.out[0] == d else None)
                  for d in range(out_depth)]
        pointer = link(stack, place.slices, outputs.surface(place.out[0]), place.out[1:])
        items = [*kernel_through(stack, _see_through_before(stack, slices, place.slices), place.slices), pointer,
                 *outputs.layers([[grid] for grid in filled])]
        steps.append(Step(replace(phase(items, caption, spec), links=(links[end - 1],)), hold_ms))
    background = Picture(items=tuple(labels), title=title, caption=describe(spec), formula=formula_text(spec),
                         links=tuple(links))
    return Timeline(background=background, steps=tuple(steps), view=OBLIQUE)


def _volume_link(stack: Stack, outputs: Stack, place: VolumeWindow) -> Link:
    """The link of one 3D placement: its taps on the depth slices drawn, the output cell on its
    depth's slice, the numbers of every tap (every channel's)."""
    assert place.whole is not None
    cells = [stack.surface(d).cell_quad(tap) for d, window in enumerate(place.slices) if window
             for tap in window.taps]
    return sum_link(place.whole, outputs.surface(place.out[0]).cell_quad(place.out[1:]), cells)


def sheet(stack: Stack, channel: int, role: str) -> Shade:
    """Slice ``channel`` drawn see-through in ``role``: a depth slice that is all padding (or all
    inserted zeros) holds no number worth reading, and as a solid grid in front it would hide the
    input slices behind it."""
    return Shade(stack.surface(channel).quad(0, 0, stack.rows, stack.cols), role=role, alpha=0.3)


def _see_through_before(
    stack: Stack, slices: list[Grid | Shade], places: Sequence[Window | None]
) -> list[Grid | Shade]:
    """The slices, those in front of the kernel's block drawn see-through: a solid slice there
    would hide the block while it moves in depth, the one thing the figure shows."""
    first = next((d for d, place in enumerate(places) if place is not None), 0)
    return [sheet(stack, d, "input") if d < first and isinstance(grid, Grid) else grid
            for d, grid in enumerate(slices)]


def _depth_names(mask: np.ndarray) -> list[str]:
    """A tag per depth slice of a 3D mask: 'depth 0' ... for slices holding input, 'padding' or
    'zeros' for slices the grid added."""
    names, seen = [], 0
    for layer in mask:
        if (layer == engine.INPUT).any():
            names.append(say("volume.depth", depth=seen))
            seen += 1
        else:
            names.append(say("volume.padding" if (layer == engine.PADDING).all() else "volume.zeros"))
    return names
