"""Engine recordings read as kernel windows on 2D pictures: which cells, which weights, which sum.

A :class:`Window` is one kernel placement as a figure draws it, in the (row, col) coordinates of
one channel's picture (a 1D signal is a single row). The readers here split multi-channel, grouped
and 3D recordings into such windows, and into the single-channel recordings whose sum a figure
shows, each checked against the engine's own output.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from itertools import islice

import numpy as np

from convanim.words import say
from convanim.blocks.cells import GROUP_ROLES
from convanim.blocks.text import channel_range
from convanim.core import engine
from convanim.core.events import KernelPlaced, ProductsComputed, SumWritten
from convanim.core.notation import factor, number
from convanim.core.spec import ConvSpec
from convanim.errors import InternalError

#: The most input channels a sweep draws as slices: more would shrink every cell of the figure
#: without showing anything new (the caption says how many were left out).
MAX_SLICES = len(GROUP_ROLES)

Cell = tuple[int, int]


@dataclass(frozen=True, slots=True)
class Window:
    """One kernel placement of a single-channel 2D sweep, in matrix (row, col) coordinates.

    ``index`` is the output's full index in the recording and ``made`` the engine's products, one
    a tap: what an interactive page shows for the cell (a volume's slice keeps its own taps').
    """

    out: tuple[int, int]
    taps: tuple[tuple[int, int], ...]
    weights: tuple[float, ...]
    inputs: tuple[float, ...]
    value: float
    bias: float
    index: tuple[int, ...] = ()
    made: tuple[float, ...] = ()

    @property
    def span(self) -> tuple[int, int, int, int]:
        """(row0, col0, row1, col1): the rectangle the kernel's taps cover, end exclusive."""
        rows = [r for r, _ in self.taps]
        cols = [c for _, c in self.taps]
        return min(rows), min(cols), max(rows) + 1, max(cols) + 1

    def products(self) -> str:
        """'1×2 + 0×1 + … = 4' with the engine's own numbers (bias added when there is one)."""
        terms = " + ".join(f"{number(i)}×{factor(w)}" for i, w in zip(self.inputs, self.weights))
        bias = f" + {number(self.bias)}" if self.bias else ""
        return f"{terms}{bias} = {number(self.value)}".replace("+ −", "− ")


def plane(array: np.ndarray, dims: int) -> np.ndarray:
    """The 2D picture of one channel's array: a 1D signal is drawn as a single row."""
    return array[0][None] if dims == 1 else array[0]


def cell_of(index: tuple[int, ...], dims: int) -> tuple[int, int]:
    """(row, col) of a full engine index in the picture of :func:`plane`."""
    return (0, index[-1]) if dims == 1 else (index[-2], index[-1])


def sweep_windows(recording: engine.Recording) -> list[Window]:
    """The placements of a single-channel, unbatched 1D or 2D recording, in narration order."""
    spec = recording.spec
    if spec.dims == 3 or recording.batched or recording.grid.shape[0] != 1:
        raise ValueError("a flat sweep shows one unbatched channel of a 1D or 2D convolution")
    shared = _Shared()
    return [shared.window(window_of(*event, spec.dims)) for event in recording.placements()]


class _Shared:
    """One object for each distinct cell and number of a sweep's windows: each input cell is read
    by up to every tap of the kernel and its value repeats, so a 4,096-position sweep held 40,960
    cell tuples and 73,728 floats where 4,356 cells and a few dozen numbers say the same."""

    def __init__(self) -> None:
        self._cells: dict[Cell, Cell] = {}
        self._numbers: dict[tuple[float, float], float] = {}

    def window(self, window: Window) -> Window:
        return replace(window, out=self._one(window.out), taps=tuple(map(self._one, window.taps)),
                       inputs=tuple(map(self._number, window.inputs)), made=tuple(map(self._number, window.made)))

    def _one(self, cell: Cell) -> Cell:
        return self._cells.setdefault(cell, cell)

    def _number(self, value: float) -> float:
        # 0.0 and -0.0 are equal keys, but a product of -1 and 0 is written with its sign.
        return self._numbers.setdefault((value, math.copysign(1.0, value)), value)


def window_of(
    placed: KernelPlaced, products: ProductsComputed, total: SumWritten, dims: int
) -> Window:
    """One engine placement (its three events) as a :class:`Window` in the picture of :func:`plane`."""
    return Window(
        out=cell_of(placed.out_index, dims),
        taps=tuple(cell_of(tap.grid_index, dims) for tap in placed.taps),
        weights=products.weights,
        inputs=products.inputs,
        value=total.value,
        bias=total.bias,
        index=placed.out_index,
        made=products.products,
    )


def channel_parts(recording: engine.Recording, out_channel: int = 0) -> list[engine.Recording]:
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
        raise InternalError("the per-channel results do not add up to the output")
    return parts


def bias_of(recording: engine.Recording, out_channel: int) -> float:
    """The bias added to output channel ``out_channel`` (0 without a bias)."""
    return 0.0 if recording.bias is None else float(recording.bias[out_channel])


def channel_windows(recordings: Sequence[engine.Recording]) -> list[list[Window]]:
    """Placements of several single-channel recordings, position by position (they step together)."""
    return [list(step) for step in zip(*(sweep_windows(r) for r in recordings), strict=True)]


def spatial_windows(recording: engine.Recording) -> list[list[Window]]:
    """The placements of an unbatched 2D recording per output channel, taps by (row, col) only.

    A kernel reading several channels at one spatial window (a 1x1xC column, a k x k x C block)
    has a placement per output cell like a single-channel one, whose span is the window and whose
    products run over every channel; which channels it reads is the scene's to draw.
    """
    if recording.spec.dims != 2 or recording.batched:
        raise ValueError("spatial_windows reads an unbatched 2D recording")
    by_channel: list[list[Window]] = [[] for _ in range(recording.spec.out_channels)]
    for event in recording.placements():
        by_channel[event[0].out_index[0]].append(window_of(*event, 2))
    return by_channel


@dataclass(frozen=True)
class VolumeWindow:
    """One placement of a 3D kernel: the (depth, row, col) output it computes, and per depth slice
    of the grid the 2D placement of the taps on that slice (None on slices it does not reach), so
    :func:`windows` draws it like a kernel moving through channels."""

    out: tuple[int, int, int]
    slices: tuple[Window | None, ...]
    whole: Window | None = None  # every tap of the placement, every channel's: the sum's numbers


def volume_windows(recording: engine.Recording, out_channel: int = 0) -> list[VolumeWindow]:
    """The placements of output channel ``out_channel`` of an unbatched 3D recording, in narration
    order, with the taps on the first input channel its group reads (the one a figure draws)."""
    spec = recording.spec
    if spec.dims != 3 or recording.batched:
        raise ValueError("volume_windows reads an unbatched 3D recording")
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
        found.append(VolumeWindow(out=out, slices=slices, whole=window_of(placed, products, total, 3)))
    return found


def _on_slice(out: Cell, taps: list[tuple[tuple[int, ...], float, float]],
              total: SumWritten) -> Window | None:
    """The 2D placement of the taps ((depth, row, col), weight, input) lying on one depth slice."""
    if not taps:
        return None
    cells, weights, inputs = zip(*taps)
    return Window(out=out, taps=tuple(cell_of(cell, 2) for cell in cells), weights=weights, inputs=inputs,
                     value=total.value, bias=total.bias)


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
        return [say("stack.channel_in_group", channel=c, group=c // per_group) if grouped
                else say("stack.channel", channel=c) for c in self.drawn]

    def notes(self) -> list[str]:
        """What the figure leaves out or splits, for the caption: the output channel shown among
        several, the group it is in, the input channels drawn among more."""
        spec, texts = self.spec, []
        if spec.out_channels > 1:
            texts.append(say("notes.output_channel", channel=self.out_channel, channels=spec.out_channels))
        if spec.groups > 1:
            texts.append(say("notes.group", group=self.group, groups=spec.groups, read=channel_range(self.read)))
        if len(self.drawn) < spec.in_channels:
            unseen = set(self.read) - set(self.drawn)
            shown = say("notes.inputs_shown", shown=len(self.drawn), channels=spec.in_channels,
                        drawn=channel_range(self.drawn))
            texts.append(shown + (say("notes.sums_all", read=len(self.read)) if unseen else ""))
        return texts
