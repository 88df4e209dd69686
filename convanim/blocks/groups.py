"""Grouped figures: a tensor's channels split into groups, one stack per group.

A grouped convolution never lets a filter read outside its own group, so these figures draw every
tensor as one slice stack per group, the groups one under another in rows, each slice in its
group's colour. A group's kernel block then visibly stays inside its own row, and a channel
shuffle is a set of lines crossing from row to row.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import accumulate

import numpy as np

from convanim.blocks.cells import group_roles
from convanim.blocks.marks import arrow, filled_grid, kernel_through, sum_link
from convanim.blocks.surfaces import GAP, Stack, Surface
from convanim.blocks.text import indexed
from convanim.blocks.windows import Window, cell_of, spatial_windows, window_of
from convanim.core import engine
from convanim.core.spec import ConvSpec
from convanim.picture import Grid, Item, Label, Line, Link, Point3


#: Screen gaps between tensors (left to right) and between group rows (top to bottom), in cells.
COLUMN_GAP = 3.0


ROW_GAP = 1.6


def gather(stack: Stack, cell: tuple[int, int], target: Surface, out: tuple[int, int]) -> list[Line]:
    """Lines from ``cell`` on every slice to ``out`` on ``target``: one value per channel, combined.

    Draw them before the slices and the target, which then hide the lines' ends and leave the
    numbers they point at readable."""
    (row, col), end = cell, target.point(out[0] + 0.5, out[1] + 0.5)
    return [Line((stack.surface(c).point(row + 0.5, col + 0.5), end), role="line", width=0.8)
            for c in range(stack.channels)]


def columns(shapes: Sequence[tuple[int, int, int]], groups: int, *,
            steps: Sequence[Point3 | None] = ()) -> list[list[Stack]]:
    """Tensors of (channels, rows, cols) laid left to right, each split into ``groups`` stacks.

    Group g of every tensor sits in row g, centred on that row's middle line, so the groups line up
    across the figure; tensors are ``COLUMN_GAP`` apart on screen. ``steps`` (one per tensor, None
    or left out for ``GAP`` straight back) spreads each tensor's slices.
    """
    for channels, _, _ in shapes:
        if channels % groups:
            raise ValueError(f"channels ({channels}) must be divisible by groups ({groups})")
    spreads = [*steps, *[None] * (len(shapes) - len(steps))]
    probes = [Stack((0.0, 0.0, 0.0), channels // groups, rows, cols, step or (0.0, 0.0, GAP))
              for (channels, rows, cols), step in zip(shapes, spreads)]
    heights = [stack.rows + stack.fan()[1] for stack in probes]
    pitch = max(heights) + ROW_GAP
    laid, x = [], 0.0
    for probe, height in zip(probes, heights):
        top = (pitch - ROW_GAP - height) / 2 + probe.fan()[1]  # the front slice's top in its row
        laid.append([Stack((x, top + g * pitch, 0.0), probe.channels, probe.rows, probe.cols, probe.step)
                     for g in range(groups)])
        x += probe.cols + probe.fan()[0] + COLUMN_GAP
    return laid


def channel_roles(stacks: Sequence[Stack]) -> list[list[str]]:
    """Each group's slices in that group's colour."""
    roles = group_roles(sum(stack.channels for stack in stacks), len(stacks))
    return _per_group(stacks, roles)


def shuffled_roles(stacks: Sequence[Stack], before: Sequence[Sequence[str]], order: Sequence[int]) -> list[list[str]]:
    """Slice roles after a channel shuffle: each channel keeps the colour of the group it came from."""
    flat = [role for group in before for role in group]
    return _per_group(stacks, [flat[source] for source in order])


def blank_grids(stacks: Sequence[Stack], roles: Sequence[Sequence[str]]) -> list[list[Grid]]:
    """Every slice as an empty grid in its role (an input drawn without numbers)."""
    return [stack.grids(list(group)) for stack, group in zip(stacks, roles)]


def value_grids(stacks: Sequence[Stack], roles: Sequence[Sequence[str]], values: np.ndarray) -> list[list[Grid]]:
    """Every slice with its numbers, ``values`` being (channels, rows, cols) in group order."""
    return [stack.grids(list(group), list(values[first : first + stack.channels]))
            for stack, group, first in zip(stacks, roles, _firsts(stacks))]


def first_slices(full: Sequence[Sequence[Grid]], empty: Sequence[Sequence[Grid]], count: int) -> list[list[Grid]]:
    """The first ``count`` channels (counted across the groups) from ``full``, the rest ``empty``:
    a tensor appearing channel by channel."""
    shown, seen = [], 0
    for full_group, empty_group in zip(full, empty):
        shown.append([f if seen + c < count else e for c, (f, e) in enumerate(zip(full_group, empty_group))])
        seen += len(full_group)
    return shown


def drawn(stacks: Sequence[Stack], grids: Sequence[Sequence[Grid]]) -> list[Item]:
    """The stacks' grids in painter order, with nothing on them."""
    return [item for stack, group in zip(stacks, grids) for item in stack.layers([[grid] for grid in group])]


def group_kernels(stacks: Sequence[Stack], grids: Sequence[Sequence[Grid]],
                  places: Sequence[Window | None]) -> list[Item]:
    """Each group's stack with its own kernel block through all its slices at ``places[g]``."""
    return [item for stack, group, place in zip(stacks, grids, places)
            for item in kernel_through(stack, group, [place] * stack.channels)]


def filling(stacks: Sequence[Stack], roles: Sequence[Sequence[str]], output: np.ndarray,
            order: Sequence[tuple[int, int]], done: int) -> list[Item]:
    """Output stacks with the first ``done`` cells of ``order`` filled on every slice, the next
    one active. ``output`` is (channels, rows, cols); stack g shows its group's channels."""
    active = order[done] if done < len(order) else None
    return [
        item
        for stack, group, first in zip(stacks, roles, _firsts(stacks))
        for item in stack.layers([[filled_grid(stack.surface(c), output[first + c], order[:done], active, role=role)]
                                  for c, role in enumerate(group)])
    ]


def slice_tags(stacks: Sequence[Stack], channels: Sequence[int] | None = None) -> list[Label]:
    """Each slice's channel beside it ("c0", "c1", ...): counted across the groups, or the given
    channel numbers (after a shuffle, the channel each slice came from)."""
    firsts = _firsts(stacks)
    names = [f"c{c}" for c in (range(firsts[-1]) if channels is None else channels)]
    return [tag for stack, first in zip(stacks, firsts) for tag in stack.tags(names[first : first + stack.channels])]


def links(left: Sequence[Stack], right: Sequence[Stack], text: str = "") -> list[Item]:
    """An arrow per group row from one tensor to the next, ``text`` (the operation) above each."""
    items: list[Item] = []
    for a, b in zip(left, right):
        y = b.surface(0).point(b.rows / 2, 0)[1]
        start, end = (a.surface(0).point(0, a.cols)[0] + a.fan()[0] + 0.3, y, 0.0), (b.origin[0] - 0.3, y, 0.0)
        items.append(arrow(start, end))
        if text:
            items.append(Label(((start[0] + end[0]) / 2, y - 0.45, 0.0), text, size="small", role="muted"))
    return items


def bracket(stacks: Sequence[Stack], text: str) -> list[Item]:
    """A bracket right of a split tensor spanning all its groups, with ``text`` beside it: the
    groups' outputs read as one tensor (concatenated along channels)."""
    right = max(stack.surface(0).point(0, stack.cols)[0] + stack.fan()[0] for stack in stacks) + 0.5
    top = stacks[0].surface(0).point(0, 0)[1] - stacks[0].fan()[1]
    bottom = stacks[-1].surface(0).point(stacks[-1].rows, 0)[1]
    corners = ((right - 0.3, top, 0.0), (right, top, 0.0), (right, bottom, 0.0), (right - 0.3, bottom, 0.0))
    middle = (right + 0.3, (top + bottom) / 2, 0.0)
    return [Line(corners, role="line", width=1.2), Label(middle, text, size="small", role="muted", anchor="lm")]


def shuffle_lines(before: Sequence[Stack], after: Sequence[Stack], order: Sequence[int]) -> list[Line]:
    """One arrow per channel from its slice before a shuffle to its slice after (``order[k]`` is the
    channel that lands at position k, as :func:`convanim.core.engine.channel_shuffle_order` gives).
    Each leaves its slice level, 0.4 of the way into the gap between the tensors, before it turns to its
    target: a channel dealt to the other group falls steeply, and leaving at once it would run
    through the slice's tag on the bottom edge beneath. Draw them before the stacks, which then
    hide what would cross a slice."""
    def start(stack: Stack, c: int) -> tuple[Point3, Point3]:
        x, y, z = stack.surface(c).point(stack.rows / 2, stack.cols)
        return (x, y, z), (x + COLUMN_GAP * 0.4, y, z)

    starts = [start(stack, c) for stack in before for c in range(stack.channels)]
    ends = [stack.surface(c).point(stack.rows / 2, 0) for stack in after for c in range(stack.channels)]
    return [Line((*starts[source], ends[k]), role="line", width=1.0, arrow=True) for k, source in enumerate(order)]


def group_windows(recording: engine.Recording) -> list[list[Window]]:
    """Per output position, the window of each group (all filters of a group share it)."""
    spec = recording.spec
    per_channel = spatial_windows(recording)
    firsts = [per_channel[g * (spec.out_channels // spec.groups)] for g in range(spec.groups)]
    return [list(step) for step in zip(*firsts, strict=True)]


def stack_sum_links(recording: engine.Recording, sources: Sequence[Stack], targets: Sequence[Stack],
                    name: str = "output", out_channels: int | None = None) -> list[Link]:
    """A link per output cell of an unbatched 2D ``recording`` drawn as split stacks (channels
    counted across ``sources`` and across ``targets``, one stack per group), in narration order:
    its taps on the input slices, its cell on its output slice. The stacks show the recording's
    own grid (padded), as the built-in figures do; ``out_channels`` says how many output channels
    the targets draw (the first ones; default all)."""
    def surface(stacks: Sequence[Stack], channel: int) -> Surface:
        firsts = _firsts(stacks)
        group = next(g for g in range(len(stacks)) if channel < firsts[g + 1])
        return stacks[group].surface(channel - firsts[group])

    found = []
    drawn = recording.spec.out_channels if out_channels is None else out_channels
    for event in recording.placements():
        if event[0].out_index[0] >= drawn:
            continue
        placed, place = event[0], window_of(*event, 2)
        cells = [surface(sources, tap.grid_index[0]).cell_quad(cell_of(tap.grid_index, 2)) for tap in placed.taps]
        found.append(sum_link(place, surface(targets, placed.out_index[0]).cell_quad(place.out), cells,
                              name=indexed(name, placed.out_index)))
    return found


def standard_of(spec: ConvSpec) -> ConvSpec:
    """The ungrouped convolution of the same shape: what a grouped one is measured against."""
    return ConvSpec.create(spec.input_size, spec.kernel_size, stride=spec.stride, padding=spec.padding,
                           dilation=spec.dilation, in_channels=spec.in_channels, out_channels=spec.out_channels,
                           bias=spec.bias)


def _per_group(stacks: Sequence[Stack], flat: Sequence[str]) -> list[list[str]]:
    return [list(flat[first : first + stack.channels]) for stack, first in zip(stacks, _firsts(stacks))]


def _firsts(stacks: Sequence[Stack]) -> list[int]:
    """The channel each group's stack starts at, counted across the groups (and the total last)."""
    return [0, *accumulate(stack.channels for stack in stacks)]
