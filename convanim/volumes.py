"""Building blocks for the multi-channel and volume figures: channel stacks, kernel blocks, boxes.

A multi-channel tensor is drawn as a *stack* (:class:`Stack`): one grid per channel facing the
viewer, each the previous one moved by ``step`` in the world (by default straight back in depth,
so the oblique view ``storyboard.OBLIQUE`` fans the slices out up and to the right). A kernel that
reads several channels at once is a translucent *block* through the slices it covers, with its
window shaded on the others, so both the kernel's volume and the channels it sees are visible.

Slices are drawn back to front, and whatever lies on a slice (its kernel shadow, the front face of
a block) is drawn right after it, so nearer slices hide what is behind them. That is why a scene
draws a stack in every step's overlay (:func:`windows` / :meth:`Stack.layers`), not in the
background: a shadow on a back slice drawn over the background would show through the front ones.

Typical use in a scene (all numbers from engine recordings)::

    stack = Stack((0, 0, 0), channels=3, rows=5, cols=5)
    grids = stack.grids(group_roles(3, 3), [part.grid[0] for part in parts])
    for places in channel_placements(parts):        # the channels' kernels step together
        items = windows(stack, grids, places)        # slices, shadows and the kernel block

Whole figures built from these blocks (``channel_sweep``, ``volume_sweep``) are in
:mod:`convanim.multichannel`.

Indices follow the engine: a stack's slices are channels (or depths), cells are (row, col); a
volume's shape is (depth, rows, cols). Everything returned is plain ``convanim.picture`` data.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from itertools import islice

import numpy as np

from convanim import engine
from convanim.picture import Box, Grid, Item, Label, Line, Picture, Point3, Shade, TextSize
from convanim.spec import ConvSpec
from convanim.storyboard import (
    MASK_ROLES,
    OBLIQUE,
    Flat,
    Placement,
    cell_of,
    kernel_shades,
    labels_of,
    number,
    placement_of,
    placements,
)

#: World depth between neighbouring slices of a stack: in ``storyboard.OBLIQUE`` each slice shows
#: a strip of about 1.6 cells right of and 1.1 cells above the one in front of it, enough to read
#: its colour and outline, close enough that the stack still reads as one tensor.
GAP = 4.0

#: The kernel block's opacity: light enough that the numbers of the slices it crosses stay legible.
BLOCK_ALPHA = 0.3

#: Channel-group roles the themes know, in order (a figure can colour at most this many groups).
GROUP_ROLES = ("group0", "group1", "group2", "group3")

#: About how wide one character of a small tag is, in cells, at the cell sizes figures render at:
#: the room a layout keeps for :meth:`Stack.tags` (the renderer fits text only after layout).
TAG_CHAR = 0.2


#: The most input channels a sweep draws as slices: more would shrink every cell of the figure
#: without showing anything new (the caption says how many were left out).
MAX_SLICES = len(GROUP_ROLES)

Cell = tuple[int, int]


def group_roles(channels: int, groups: int) -> list[str]:
    """The role of each of ``channels`` channels split into ``groups`` consecutive groups."""
    if not 1 <= groups <= len(GROUP_ROLES):
        raise ValueError(f"groups must be between 1 and {len(GROUP_ROLES)} to be coloured (got {groups})")
    if channels % groups:
        raise ValueError(f"channels ({channels}) must be divisible by groups ({groups})")
    return [GROUP_ROLES[c // (channels // groups)] for c in range(channels)]


def risen(rows: int, margin: float = 0.3) -> Point3:
    """A stack ``step`` (straight back in depth) at which each slice ``rows`` high rises just clear
    of the one in front of it in ``storyboard.OBLIQUE``: every number stays readable, and the slices
    still touch like one tensor instead of floating apart."""
    up = OBLIQUE.depth * math.sin(math.radians(OBLIQUE.angle_deg))
    return (0.0, 0.0, (rows + margin) / up)


@dataclass(frozen=True)
class Stack:
    """``channels`` slices of ``rows`` x ``cols`` cells; slice c sits at ``origin + c * step``.

    The default ``step`` puts channel 0 in front and later channels behind it; :func:`risen`
    gives a step at which no slice hides another's cells.
    """

    origin: Point3
    channels: int
    rows: int
    cols: int
    step: Point3 = (0.0, 0.0, GAP)

    def __post_init__(self) -> None:
        if min(self.channels, self.rows, self.cols) < 1:
            raise ValueError(
                f"a stack needs channels, rows and cols >= 1 (got {self.channels}, {self.rows}, {self.cols})"
            )

    def slice_origin(self, channel: int) -> Point3:
        """World position of slice ``channel``'s top-left corner."""
        ox, oy, oz = self.origin
        sx, sy, sz = self.step
        return (ox + channel * sx, oy + channel * sy, oz + channel * sz)

    def surface(self, channel: int) -> Flat:
        """Slice ``channel`` as a flat surface, for grids, shades and points on it."""
        return Flat(self.slice_origin(channel), self.rows, self.cols)

    def back_to_front(self) -> list[int]:
        """Channels in painter order: the farthest slice first."""
        return sorted(range(self.channels), key=lambda c: (-self.slice_origin(c)[2], -c))

    def layers(self, per_channel: Sequence[Sequence[Item]]) -> list[Item]:
        """The items of every slice (its grid first, then what lies on it) in painter order."""
        if len(per_channel) != self.channels:
            raise ValueError(
                f"per_channel must hold one item list per channel ({self.channels}), got {len(per_channel)}"
            )
        return [item for c in self.back_to_front() for item in per_channel[c]]

    def grids(self, roles: Sequence[str], values: Sequence[np.ndarray | None] = ()) -> list[Grid]:
        """One grid per slice, every cell of slice c in ``roles[c]``, numbers from ``values[c]``."""
        if len(roles) != self.channels:
            raise ValueError(f"roles must name one role per channel ({self.channels}), got {len(roles)}")
        texts = list(values) or [None] * self.channels
        return [
            self.surface(c).grid([[role] * self.cols] * self.rows, () if text is None else labels_of(text))
            for c, (role, text) in enumerate(zip(roles, texts, strict=True))
        ]

    def block(self, first: int, last: int, span: tuple[int, int, int, int], *, role: str = "kernel",
              alpha: float = BLOCK_ALPHA) -> Box:
        """A box from slice ``first`` back to slice ``last`` over ``span`` = (row0, col0, row1, col1).

        Its front face lies on slice ``first``: draw it in that slice's layer (:meth:`layers`).
        """
        row0, col0, row1, col1 = span
        x, y, z = self.surface(first).point(row0, col0)
        depth = self.slice_origin(last)[2] - self.slice_origin(first)[2]
        return Box((x, y, z), (col1 - col0, row1 - row0, depth), role=role, alpha=alpha)

    def tags(self, texts: Sequence[str], *, role: str = "muted") -> list[Label]:
        """A small name right of each slice's bottom row, where a fanned-out stack leaves room."""
        return [
            Label(self.surface(c).point(self.rows - 0.45, self.cols + 0.15), text, size="small", role=role,
                  anchor="lm")
            for c, text in enumerate(texts)
        ]

    def caption(self, text: str) -> Label:
        """A line of text centred under the front slice (the tensor's shape, its name)."""
        return under(self.surface(self.back_to_front()[-1]), text)

    def centred(self, left: float, right: float) -> Stack:
        """The same stack moved sideways so that it (front slice and fan) is centred between the
        screen x positions ``left`` and ``right``: above a row of results, say."""
        x = (left + right - self.cols - self.fan()[0]) / 2
        return replace(self, origin=(x, *self.origin[1:]))

    def edges(self) -> list[Line]:
        """Dashed lines joining the front slice's top corners to the back slice's: the tensor's
        outline, so that slices spread apart (:func:`risen`) still read as one volume. Draw them
        beneath the slices, which hide the parts behind them. (The bottom edge is left out: it
        would run through the slices' :meth:`tags`.)"""
        if self.channels == 1:
            return []
        order = self.back_to_front()
        front, back = self.surface(order[-1]), self.surface(order[0])
        corners = ((0, 0), (0, self.cols))
        return [Line((front.point(*at), back.point(*at)), role="line", width=0.8, dashed=True) for at in corners]

    def beside(self, channels: int, rows: int, cols: int, *, tags: Sequence[str] = (), gap: float = 1.5) -> Stack:
        """A stack of ``channels`` slices of ``rows`` x ``cols`` right of this one, ``gap`` screen
        units beyond its back slice and the room its ``tags`` take, vertically centred on it, its
        slices :func:`risen`: an output volume next to the input it comes from, every number
        readable."""
        result = Stack((0.0, 0.0, 0.0), channels, rows, cols, risen(rows))
        x, y, z = self.origin
        centre = y + (self.rows - self.fan()[1]) / 2
        top = centre - (rows - result.fan()[1]) / 2
        room = TAG_CHAR * max(map(len, tags), default=0)
        return replace(result, origin=(x + self.cols + self.fan()[0] + room + gap, top, z))

    def fan(self) -> tuple[float, float]:
        """How far (right, up) in ``storyboard.OBLIQUE`` screen units the back slice sits from the
        front one: what a layout adds to the slice size to place the stack beside other things."""
        (sx, sy, sz), spread = self.step, self.channels - 1
        angle = math.radians(OBLIQUE.angle_deg)
        across, up = OBLIQUE.depth * math.cos(angle), OBLIQUE.depth * math.sin(angle)
        return spread * (sx + sz * across), spread * (sz * up - sy)


def windows(stack: Stack, grids: Sequence[Grid | Shade], places: Sequence[Placement | None], *,
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


def link(stack: Stack, places: Sequence[Placement | None], target: Flat, cell: Cell) -> Line:
    """An arrow from the centre of the kernel's window on the farthest slice it reads towards the
    centre of the output ``cell`` on ``target``: which block makes which number. Draw it before the
    output grid, which then hides its end, so that it points at the number without covering it."""
    far, place = max(((c, p) for c, p in enumerate(places) if p is not None),
                     key=lambda found: stack.slice_origin(found[0])[2])
    row0, col0, row1, col1 = place.span
    start = stack.surface(far).point((row0 + row1) / 2, (col0 + col1) / 2)
    return arrow(start, target.point(cell[0] + 0.5, cell[1] + 0.5))


def under(surfaces: Flat | Sequence[Flat], text: str, *, below: float = 0.55, size: TextSize = "small",
          role: str = "muted") -> Label:
    """A line of text centred under one flat surface ("channel 0", "output") or under a row of them
    (an equation, the products of the current placement)."""
    row_of = [surfaces] if isinstance(surfaces, Flat) else list(surfaces)
    left, right = row_of[0].point(0, 0), row_of[-1].point(0, row_of[-1].cols)
    bottom = max(s.point(s.rows, 0)[1] for s in row_of)
    return Label(((left[0] + right[0]) / 2, bottom + below, left[2]), text, size=size, role=role)


def phase_caption(text: str, spec: ConvSpec) -> str:
    """A phase's caption: what happens now, then the convolution's parameters (a second line)."""
    return f"{text}\n{spec.describe()}"


def phase(items: Sequence[Item], text: str, spec: ConvSpec) -> Picture:
    """A step's overlay in a phase of a figure: its items, its :func:`phase_caption`, and the
    output-size formula (one line per axis).

    Give every overlay its own formula: the renderer sizes the caption band from each picture's
    own texts, so an overlay that borrows the background's formula can be cut off at the bottom.
    """
    return Picture(items=tuple(items), caption=phase_caption(text, spec), formula="\n".join(spec.formula()))


def arrow(start: Point3, end: Point3) -> Line:
    """An arrow between two parts of a figure (one pass feeding the next)."""
    return Line((start, end), role="line", width=1.2, arrow=True)


def row(origin: Point3, shapes: Sequence[tuple[int, int]],
        between: Sequence[str]) -> tuple[list[Flat], list[Label]]:
    """Flat surfaces of ``shapes`` laid left to right from ``origin``, centred on one horizontal
    line, with ``between[i]`` (an operator: "+", "=", "→") written in the gap after surface i.

    For equations between tensors: three partial results "+" each other "=" the output.
    """
    if len(between) != len(shapes) - 1:
        raise ValueError(f"between must hold one text per gap ({len(shapes) - 1}), got {len(between)}")
    x, y, z = origin
    middle = y + max(rows for rows, _ in shapes) / 2
    surfaces: list[Flat] = []
    labels: list[Label] = []
    for index, (rows, cols) in enumerate(shapes):
        surfaces.append(Flat((x, middle - rows / 2, z), rows, cols))
        x += cols
        if index < len(between):
            gap = 1.0 + 0.45 * len(between[index])
            labels.append(Label((x + gap / 2, middle, z), between[index], size="large"))
            x += gap
    return surfaces, labels


def column(origin: Point3, shapes: Sequence[tuple[int, int]],
           between: Sequence[str]) -> tuple[list[Flat], list[Label]]:
    """Flat surfaces of ``shapes`` laid top to bottom from ``origin``, left-aligned, with
    ``between[i]`` written left of surface i + 1: long addition of 1D signals, each a row, which
    side by side in a :func:`row` would shrink to nothing."""
    if len(between) != len(shapes) - 1:
        raise ValueError(f"between must hold one text per gap ({len(shapes) - 1}), got {len(between)}")
    x, y, z = origin
    surfaces: list[Flat] = []
    labels: list[Label] = []
    for index, (rows, cols) in enumerate(shapes):
        if index:
            labels.append(Label((x - 0.4, y + rows / 2, z), between[index - 1], size="large", anchor="rm"))
        surfaces.append(Flat((x, y, z), rows, cols))
        y += rows + 1.4
    return surfaces, labels


def text_lines(at: Point3, texts: Sequence[str], *, size: TextSize = "small", spacing: float = 0.6,
               role: str = "text") -> list[Label]:
    """Lines of text left-aligned below ``at``, ``spacing`` world units apart: a small panel in a
    figure's free corner (a cost comparison), which keeps the caption band short."""
    x, y, z = at
    return [Label((x, y + i * spacing, z), text, size=size, role=role, anchor="lm") for i, text in enumerate(texts)]


# ------------------------------------------------------------------------------ recordings


def per_channel(recording: engine.Recording, out_channel: int = 0) -> list[engine.Recording]:
    """The single-channel convolutions whose sum (plus bias) is one output channel of ``recording``:
    one per input channel of the group that ``out_channel`` reads.

    A multi-channel kernel is one slice per input channel; each slice convolved with its own
    channel gives a partial result. They are recorded by the engine over the recording's own grid
    (padded; for a transposed convolution zero-inserted too, with the direct kernel), so their taps
    index that grid, and checked to add up to the real output, so a figure can never show partial
    sums that do not.
    """
    spec = recording.spec
    if spec.dims == 3 or recording.batched:
        raise ValueError("per_channel splits an unbatched 1D or 2D convolution")
    direct = spec.direct_equivalent()
    convolve = engine.conv1d if spec.dims == 1 else engine.conv2d
    first = Channels.of(spec, out_channel).read.start
    parts = [
        convolve(recording.grid[first + j : first + j + 1],
                 recording.direct_weight[out_channel : out_channel + 1, j : j + 1],
                 stride=direct.stride, dilation=direct.dilation)
        for j in range(spec.in_channels // spec.groups)
    ]
    total = sum(p.output[0] for p in parts) + bias_of(recording, out_channel)
    if not np.allclose(total, recording.output[out_channel]):
        raise ArithmeticError("the per-channel results do not add up to the output")
    return parts


def bias_of(recording: engine.Recording, out_channel: int) -> float:
    """The bias added to output channel ``out_channel`` (0 without a bias)."""
    return 0.0 if recording.bias is None else float(recording.bias[out_channel])


def channel_placements(recordings: Sequence[engine.Recording]) -> list[list[Placement]]:
    """Placements of several single-channel recordings, position by position (they step together)."""
    return [list(step) for step in zip(*(placements(r) for r in recordings), strict=True)]


def spatial_placements(recording: engine.Recording) -> list[list[Placement]]:
    """The placements of an unbatched 2D recording per output channel, taps by (row, col) only.

    A kernel reading several channels at one spatial window (a 1x1xC column, a k x k x C block)
    has a placement per output cell like a single-channel one, whose span is the window and whose
    products run over every channel; which channels it reads is the scene's to draw.
    """
    if recording.spec.dims != 2 or recording.batched:
        raise ValueError("spatial_placements reads an unbatched 2D recording")
    by_channel: list[list[Placement]] = [[] for _ in range(recording.spec.out_channels)]
    for event in recording.placements():
        by_channel[event[0].out_index[0]].append(placement_of(*event, 2))
    return by_channel


@dataclass(frozen=True)
class VolumePlacement:
    """One placement of a 3D kernel: the (depth, row, col) output it computes, and per depth slice
    of the grid the 2D placement of the taps on that slice (None on slices it does not reach), so
    :func:`windows` draws it like a kernel moving through channels."""

    out: tuple[int, int, int]
    slices: tuple[Placement | None, ...]


def volume_placements(recording: engine.Recording, out_channel: int = 0) -> list[VolumePlacement]:
    """The placements of output channel ``out_channel`` of an unbatched 3D recording, in narration
    order, with the taps on the first input channel its group reads (the one a figure draws)."""
    spec = recording.spec
    if spec.dims != 3 or recording.batched:
        raise ValueError("volume_placements reads an unbatched 3D recording")
    channel = Channels.of(spec, out_channel).read.start
    depth, positions = recording.grid.shape[1], math.prod(spec.output_size)
    found = []
    for placed, products, total in islice(recording.placements(), out_channel * positions,
                                          (out_channel + 1) * positions):
        taps = [(tap.grid_index[-3:], weight, value)
                for tap, weight, value in zip(placed.taps, products.weights, products.inputs)
                if tap.grid_index[0] == channel]
        depth_index, row, col = placed.out_index[-3:]
        out = (depth_index, row, col)
        slices = tuple(_on_slice((row, col), [t for t in taps if t[0][0] == d], total) for d in range(depth))
        found.append(VolumePlacement(out=out, slices=slices))
    return found


def _on_slice(out: Cell, taps: list[tuple[tuple[int, ...], float, float]],
              total: engine.SumWritten) -> Placement | None:
    """The 2D placement of the taps ((depth, row, col), weight, input) lying on one depth slice."""
    if not taps:
        return None
    cells, weights, inputs = zip(*taps)
    return Placement(out=out, taps=tuple(cell_of(cell, 2) for cell in cells), weights=weights, inputs=inputs,
                     value=total.value, bias=total.bias)


# ------------------------------------------------------------------------------ sweeps

def tinted(mask: np.ndarray, role: str) -> list[list[str]]:
    """Cell roles of one channel's 2D engine mask: its input cells in ``role`` (its channel's or
    group's colour), padding and inserted zeros as the theme draws them everywhere."""
    return [[role if m == engine.INPUT else MASK_ROLES[int(m)] for m in line] for line in mask]


def shape_text(*sizes: int | tuple[int, ...]) -> str:
    """'5×5×3' from (5, 5) and 3: sizes in the order given."""
    return "×".join(str(v) for size in sizes for v in (size if isinstance(size, tuple) else (size,)))


def signed(value: float) -> str:
    """'+ 1' or '− 1': a term added to a sum, a negative one written as a subtraction."""
    return f"{'−' if value < 0 else '+'} {number(abs(value))}"


def sum_text(terms: Sequence[float]) -> str:
    """'2 + 1 − 3 + 1' with the engine's numbers."""
    return " ".join([number(terms[0]), *map(signed, terms[1:])])


@dataclass(frozen=True)
class Channels:
    """Which input channels a figure of one output channel involves.

    ``read``: the channels of the group that output channel reads (all of them without groups);
    ``drawn``: the at most :data:`MAX_SLICES` consecutive channels drawn as slices, starting at the
    first one read, so that a grouped figure also shows a neighbouring group it does not read.
    """

    spec: ConvSpec
    out_channel: int
    read: range
    drawn: range

    @classmethod
    def of(cls, spec: ConvSpec, out_channel: int) -> Channels:
        if not 0 <= out_channel < spec.out_channels:
            raise ValueError(f"out_channel must be in [0, {spec.out_channels}) (got {out_channel})")
        per_group = spec.in_channels // spec.groups
        group = out_channel // (spec.out_channels // spec.groups)
        read = range(group * per_group, (group + 1) * per_group)
        count = min(MAX_SLICES, spec.in_channels)
        start = min(read.start, spec.in_channels - count)
        return cls(spec, out_channel, read, range(start, start + count))

    @property
    def group(self) -> int:
        return self.read.start // len(self.read)

    def roles(self) -> list[str]:
        """A colour per drawn channel: one each without groups (every slice is its own kernel
        slice's), else its group's, counted from the first group drawn."""
        if self.spec.groups == 1:
            return list(GROUP_ROLES[: len(self.drawn)])
        per_group = len(self.read)
        return [GROUP_ROLES[(c // per_group - self.drawn.start // per_group) % len(GROUP_ROLES)] for c in self.drawn]

    def names(self) -> list[str]:
        """'channel 2' per drawn slice, with its group when there are groups."""
        per_group = len(self.read)
        grouped = self.spec.groups > 1
        return [f"channel {c}" + (f", group {c // per_group}" if grouped else "") for c in self.drawn]

    def notes(self) -> list[str]:
        """What the figure leaves out or splits, for the caption: the output channel shown among
        several, the group it is in, the input channels drawn among more."""
        spec, texts = self.spec, []
        if spec.out_channels > 1:
            texts.append(f"output channel {self.out_channel} of {spec.out_channels} shown; "
                         f"each of the {spec.out_channels} uses its own kernel")
        if spec.groups > 1:
            texts.append(f"it is in group {self.group} of {spec.groups}, which sees input {channel_range(self.read)}")
        if len(self.drawn) < spec.in_channels:
            unseen = set(self.read) - set(self.drawn)
            texts.append(f"{len(self.drawn)} of {spec.in_channels} input channels shown ({channel_range(self.drawn)})"
                         + (f"; each output cell sums all {len(self.read)}" if unseen else ""))
        return texts


def channel_range(channels: range) -> str:
    """'channel 3' or 'channels 0–3'."""
    if len(channels) == 1:
        return f"channel {channels.start}"
    return f"channels {channels.start}–{channels[-1]}"
