"""A computed convolution and its narration: the arrays the pictures show, and the events.

Why two halves: the output is computed at once (``convanim.core.engine``), so recording is cheap;
the events are a lazy generator, built a chunk of placements at a time from index arrays, so
streaming them never holds more than a chunk in memory whatever their count.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from itertools import repeat

import numpy as np

from convanim.core.events import (
    Event,
    KernelPlaced,
    PaddingAdded,
    Placement,
    ProductsComputed,
    SumWritten,
    Tap,
    ZerosInserted,
)
from convanim.core.spec import ConvSpec

#: Values of ``Recording.mask``: what a grid cell is.
INPUT, PADDING, INSERTED = 0, 1, 2
#: ``Tap.kind`` for each mask value.
TAP_KINDS = ("input", "padding", "inserted")
_KIND_NAMES = np.array(TAP_KINDS, dtype=object)
#: How many taps one chunk of placements may hold: bounds the memory of streaming events.
_TAPS_PER_CHUNK = 2048


@dataclass(frozen=True, eq=False)
class Recording:
    """A convolution computed and ready to be narrated. Arrays are read-only.

    ``grid`` is the padded input (for a transposed convolution the zero-inserted, padded grid of
    its equivalent direct convolution) with the input's batch/channel layout; ``mask`` has its
    shape and says per cell INPUT, PADDING or INSERTED. ``direct_weight`` is the kernel the
    direct convolution over ``grid`` applies (``weight`` itself for a direct convolution); tap
    weight indices point into it.
    """

    spec: ConvSpec
    input: np.ndarray
    weight: np.ndarray
    bias: np.ndarray | None
    output: np.ndarray
    grid: np.ndarray
    mask: np.ndarray
    direct_weight: np.ndarray

    @property
    def batched(self) -> bool:
        """Whether the arrays carry a leading batch axis (and indices a leading batch index)."""
        return self.input.ndim == self.spec.dims + 2

    @property
    def events(self) -> Iterator[Event]:
        """A new lazy iterator over all events, in narration order, each time it is read.

        Zeros inserted (transposed, stride > 1), then padding added, then per output element
        (batch, output channel, then spatial in C order): kernel placed, products, sum written.
        """
        return _narrate(self)

    def placements(self) -> Iterator[Placement]:
        """(KernelPlaced, ProductsComputed, SumWritten) per output element, in narration order."""
        return _placements(self)


def _narrate(recording: Recording) -> Iterator[Event]:
    """All events in narration order: how the grid was built, then every placement's three facts."""
    yield from _grid_events(recording)
    for placement in _placements(recording):
        yield from placement


def _grid_events(recording: Recording) -> Iterator[Event]:
    """ZerosInserted and PaddingAdded for the cells that are not input (each only when there are any)."""
    inserted = np.argwhere(recording.mask == INSERTED)
    if len(inserted):
        yield ZerosInserted(cells=tuple(map(tuple, inserted.tolist())))
    padding = recording.mask == PADDING
    if padding.any():
        yield PaddingAdded(
            cells=tuple(map(tuple, np.argwhere(padding).tolist())),
            values=tuple(recording.grid[padding].tolist()),
            mode=recording.spec.padding_mode,
        )


@dataclass(frozen=True)
class _TapLayout:
    """Where a placement's taps sit relative to its window origin, computed once per spec.

    Taps run over the input channels of the group, then the kernel positions in C order.
    """

    channel: np.ndarray  # (T,) input channel within the group
    kernel: np.ndarray  # (T, dims) kernel index
    offset: np.ndarray  # (T, dims) grid offset from the window origin: kernel index × dilation

    @property
    def count(self) -> int:
        return len(self.channel)


@lru_cache(maxsize=64)
def _tap_layout(direct: ConvSpec) -> _TapLayout:
    kernel_taps = np.array(list(np.ndindex(*direct.kernel_size)), dtype=np.int64).reshape(-1, direct.dims)
    in_per_group = direct.in_channels // direct.groups
    kernel = np.tile(kernel_taps, (in_per_group, 1))
    return _TapLayout(
        channel=np.repeat(np.arange(in_per_group), len(kernel_taps)),
        kernel=kernel,
        offset=kernel * np.array(direct.dilation),
    )


def _placements(recording: Recording) -> Iterator[Placement]:
    """Every output element's placement, batch by batch, output channel by output channel."""
    direct = recording.spec.direct_equivalent()
    layout = _tap_layout(direct)
    batches = recording.input.shape[0] if recording.batched else 1
    for n in range(batches):
        for out_channel in range(direct.out_channels):
            yield from _channel_placements(recording, direct, layout, n, out_channel)


def _channel_placements(recording: Recording, direct: ConvSpec, layout: _TapLayout, n: int,
                        out_channel: int) -> Iterator[Placement]:
    """The placements of one output channel of one sample, vectorised a chunk of positions at a time."""
    batched = recording.batched
    grid = recording.grid[n] if batched else recording.grid
    mask = recording.mask[n] if batched else recording.mask
    output = (recording.output[n] if batched else recording.output)[out_channel].reshape(-1)
    group = out_channel // (direct.out_channels // direct.groups)
    channels = group * (direct.in_channels // direct.groups) + layout.channel
    weights = recording.direct_weight[out_channel].reshape(-1)
    weight_values = tuple(weights.tolist())
    weight_indices = tuple(zip(repeat(out_channel), layout.channel.tolist(), *layout.kernel.T.tolist()))
    bias = 0.0 if recording.bias is None else float(recording.bias[out_channel])
    prefix = (n, out_channel) if batched else (out_channel,)
    grid_prefix = (repeat(n),) if batched else ()
    channel_list = channels.tolist()
    stride = np.array(direct.stride)
    positions = math.prod(direct.output_size)
    per_chunk = max(1, _TAPS_PER_CHUNK // layout.count)
    for start in range(0, positions, per_chunk):
        flat = np.arange(start, min(start + per_chunk, positions))
        origin = np.stack(np.unravel_index(flat, direct.output_size), axis=1)
        spatial = np.moveaxis(origin[:, None, :] * stride + layout.offset, 2, 0)  # (dims, chunk, T)
        where = (channels, *spatial)
        values = grid[where]
        axes = spatial.tolist()
        kinds = _KIND_NAMES[mask[where]].tolist()
        products = (values * weights).tolist()
        sums = output[start : start + len(flat)].tolist()
        for j, (position, inputs) in enumerate(zip(origin.tolist(), values.tolist())):
            out_index = (*prefix, *position)
            cells = zip(*grid_prefix, channel_list, *(axis[j] for axis in axes))
            yield (
                KernelPlaced(out_index, group, tuple(map(Tap, cells, weight_indices, kinds[j]))),
                ProductsComputed(out_index, tuple(inputs), weight_values, tuple(products[j])),
                SumWritten(out_index, sums[j], bias),
            )
