"""A convolution engine with PyTorch's semantics that records every step it takes.

The functions are named and ordered like ``torch.nn.functional`` and take numpy arrays shaped as
PyTorch's: batched ``(N, C, *spatial)`` or unbatched ``(C, *spatial)``; weight
``(C_out, C_in/groups, *k)``, transposed ``(C_in, C_out/groups, *k)``. Each returns a
:class:`Recording`: the output with PyTorch's shape and values, the grid the pictures show, and the
events a person would narrate.

Why two halves: the output is computed at once with numpy (one einsum per kernel tap), so
recording is cheap; the events are a lazy generator, built a chunk of placements at a time from
index arrays, so streaming them never holds more than a chunk in memory whatever their count.

A transposed convolution is recorded as its equivalent direct convolution (zeros inserted between
inputs, border padding ``d(k-1)-p``, the kernel flipped with in/out channels swapped), because
that is what the pictures draw; ``.direct_weight`` is the kernel that direct convolution applies.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from itertools import repeat
from typing import Any

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

__all__ = [
    "INPUT",
    "PADDING",
    "INSERTED",
    "TAP_KINDS",
    "Recording",
    "conv1d",
    "conv2d",
    "conv3d",
    "conv_transpose1d",
    "conv_transpose2d",
    "conv_transpose3d",
    "channel_shuffle",
    "channel_shuffle_order",
    "run",
    "weight_shape",
    "Event",
    "Placement",
    "ZerosInserted",
    "PaddingAdded",
    "Tap",
    "KernelPlaced",
    "ProductsComputed",
    "SumWritten",
]

#: Values of ``Recording.mask``: what a grid cell is.
INPUT, PADDING, INSERTED = 0, 1, 2
#: ``Tap.kind`` for each mask value.
TAP_KINDS = ("input", "padding", "inserted")
_KIND_NAMES = np.array(TAP_KINDS, dtype=object)
_NUMPY_PAD_MODES = {"zeros": "constant", "reflect": "reflect", "replicate": "edge", "circular": "wrap"}
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


# --------------------------------------------------------------------------------- public API


def conv1d(input: Any, weight: Any, bias: Any = None, stride: Any = 1, padding: Any = 0, dilation: Any = 1,
           groups: int = 1, *, padding_mode: str = "zeros") -> Recording:
    """1D convolution as ``torch.nn.functional.conv1d`` (``padding_mode`` as ``nn.Conv1d``)."""
    return _convolve(1, input, weight, bias, stride, padding, dilation, groups, padding_mode)


def conv2d(input: Any, weight: Any, bias: Any = None, stride: Any = 1, padding: Any = 0, dilation: Any = 1,
           groups: int = 1, *, padding_mode: str = "zeros") -> Recording:
    """2D convolution as ``torch.nn.functional.conv2d`` (``padding_mode`` as ``nn.Conv2d``)."""
    return _convolve(2, input, weight, bias, stride, padding, dilation, groups, padding_mode)


def conv3d(input: Any, weight: Any, bias: Any = None, stride: Any = 1, padding: Any = 0, dilation: Any = 1,
           groups: int = 1, *, padding_mode: str = "zeros") -> Recording:
    """3D convolution as ``torch.nn.functional.conv3d`` (``padding_mode`` as ``nn.Conv3d``)."""
    return _convolve(3, input, weight, bias, stride, padding, dilation, groups, padding_mode)


def conv_transpose1d(input: Any, weight: Any, bias: Any = None, stride: Any = 1, padding: Any = 0,
                     output_padding: Any = 0, groups: int = 1, dilation: Any = 1) -> Recording:
    """1D transposed convolution as ``torch.nn.functional.conv_transpose1d``."""
    return _convolve_transposed(1, input, weight, bias, stride, padding, output_padding, groups, dilation)


def conv_transpose2d(input: Any, weight: Any, bias: Any = None, stride: Any = 1, padding: Any = 0,
                     output_padding: Any = 0, groups: int = 1, dilation: Any = 1) -> Recording:
    """2D transposed convolution as ``torch.nn.functional.conv_transpose2d``."""
    return _convolve_transposed(2, input, weight, bias, stride, padding, output_padding, groups, dilation)


def conv_transpose3d(input: Any, weight: Any, bias: Any = None, stride: Any = 1, padding: Any = 0,
                     output_padding: Any = 0, groups: int = 1, dilation: Any = 1) -> Recording:
    """3D transposed convolution as ``torch.nn.functional.conv_transpose3d``."""
    return _convolve_transposed(3, input, weight, bias, stride, padding, output_padding, groups, dilation)


def channel_shuffle(input: Any, groups: int) -> np.ndarray:
    """``torch.nn.functional.channel_shuffle``: interleave the channels (axis 1) of ``groups`` groups.

    As PyTorch, the input needs at least 3 dims and axis 1 is the channel axis, so pass a
    batched ``(N, C, ...)`` array.
    """
    array = np.asarray(input)
    if array.ndim < 3:
        raise ValueError(f"input must have at least 3 dims (N, C, ...) as PyTorch's (got shape {array.shape})")
    order = channel_shuffle_order(array.shape[1], groups)
    return array[:, list(order)]


def channel_shuffle_order(channels: int, groups: int) -> tuple[int, ...]:
    """Which input channel lands at each output position of a channel shuffle (for drawing arrows)."""
    _check_groups(groups)
    if channels % groups:
        raise ValueError(f"channels ({channels}) must be divisible by groups ({groups})")
    return tuple(np.arange(channels).reshape(groups, channels // groups).T.ravel().tolist())


def weight_shape(spec: ConvSpec) -> tuple[int, ...]:
    """The weight shape PyTorch expects for ``spec`` (in/out swapped when transposed)."""
    if spec.transposed:
        return (spec.in_channels, spec.out_channels // spec.groups, *spec.kernel_size)
    return (spec.out_channels, spec.in_channels // spec.groups, *spec.kernel_size)


def run(spec: ConvSpec, input: Any = None, weight: Any = None, bias: Any = None, *, seed: int = 0,
        batched: bool = False) -> Recording:
    """Record ``spec``, drawing any array not given from a generator seeded with ``seed``.

    Drawn values are small integers so the numbers stay readable in pictures: inputs 0..3,
    weights and bias -1..1. Each array has its own stream, so giving one does not change the
    others. ``batched`` adds a batch axis of 1 to a drawn input.
    """
    input_rng, weight_rng, bias_rng = np.random.default_rng(seed).spawn(3)
    if input is None:
        batch = (1,) if batched else ()
        input = input_rng.integers(0, 4, (*batch, spec.in_channels, *spec.input_size))
    if weight is None:
        weight = weight_rng.integers(-1, 2, weight_shape(spec))
    if bias is None and spec.bias:
        bias = bias_rng.integers(-1, 2, spec.out_channels)
    return _record(spec, input, weight, bias)


# --------------------------------------------------------------------------------- recording


def _convolve(dims: int, input: Any, weight: Any, bias: Any, stride: Any, padding: Any, dilation: Any,
              groups: int, padding_mode: str) -> Recording:
    """Build the spec a direct call describes (sizes read off the arrays) and record it."""
    x, w = _arrays(dims, input, weight)
    spec = ConvSpec.create(
        x.shape[-dims:], w.shape[2:], stride=stride, padding=padding, dilation=dilation, groups=groups,
        in_channels=x.shape[-dims - 1], out_channels=w.shape[0], padding_mode=padding_mode,
        bias=bias is not None, dims=dims,
    )
    return _record(spec, x, w, bias)


def _convolve_transposed(dims: int, input: Any, weight: Any, bias: Any, stride: Any, padding: Any,
                         output_padding: Any, groups: int, dilation: Any) -> Recording:
    """Build the spec a transposed call describes (sizes read off the arrays) and record it."""
    x, w = _arrays(dims, input, weight)
    _check_groups(groups)  # before it multiplies the weight's channel count
    spec = ConvSpec.create(
        x.shape[-dims:], w.shape[2:], stride=stride, padding=padding, dilation=dilation, groups=groups,
        in_channels=x.shape[-dims - 1], out_channels=w.shape[1] * groups, transposed=True,
        output_padding=output_padding, bias=bias is not None, dims=dims,
    )
    return _record(spec, x, w, bias)


def _check_groups(groups: object) -> None:
    """Refuse a group count that is not a positive int before it is used in arithmetic."""
    if not isinstance(groups, int) or groups < 1:
        raise ValueError(f"groups must be an int >= 1 (got {groups!r})")


def _arrays(dims: int, input: Any, weight: Any) -> tuple[np.ndarray, np.ndarray]:
    """Input and weight as float64 arrays of the ranks a ``dims``-D convolution takes."""
    x = np.asarray(input, dtype=np.float64)
    w = np.asarray(weight, dtype=np.float64)
    if x.ndim not in (dims + 1, dims + 2):
        raise ValueError(f"input must have {dims + 1} (unbatched) or {dims + 2} (batched) dims (got shape {x.shape})")
    if w.ndim != dims + 2:
        raise ValueError(f"weight must have {dims + 2} dims (out, in/groups, *kernel) (got shape {w.shape})")
    return x, w


def _record(spec: ConvSpec, input: Any, weight: Any, bias: Any) -> Recording:
    """Compute ``spec`` on the arrays and keep what the pictures and the events need."""
    x = _checked("input", input, (spec.in_channels, *spec.input_size), batchable=True)
    w = _checked("weight", weight, weight_shape(spec))
    if spec.bias != (bias is not None):
        raise ValueError(f"bias must be given exactly when spec.bias is true (spec.bias={spec.bias})")
    b = None if bias is None else _checked("bias", bias, (spec.out_channels,))
    batched = x.ndim == spec.dims + 2
    direct = spec.direct_equivalent()
    direct_weight = _direct_weight(spec, w)
    grid, mask = _build_grid(direct, x if batched else x[None])
    output = _direct_output(direct, grid, direct_weight, b)
    if not batched:
        grid, mask, output = grid[0], mask[0], output[0]
    return Recording(
        spec=spec,
        input=_read_only(x),
        weight=_read_only(w),
        bias=None if b is None else _read_only(b),
        output=_read_only(output),
        grid=_read_only(grid),
        mask=mask,
        direct_weight=_read_only(direct_weight),
    )


def _checked(name: str, value: Any, shape: tuple[int, ...], *, batchable: bool = False) -> np.ndarray:
    """A float64 copy of ``value`` (so freezing it never touches the caller's array) of ``shape``.

    A ``batchable`` array may also carry a leading batch axis of any positive length.
    """
    array = np.array(value, dtype=np.float64)
    batched = batchable and array.ndim == len(shape) + 1 and array.shape[0] >= 1
    if (array.shape[1:] if batched else array.shape) != shape:
        either = f" or (N, {', '.join(map(str, shape))})" if batchable else ""
        raise ValueError(f"{name} must have shape {shape}{either} for this spec (got {array.shape})")
    return array


def _read_only(array: np.ndarray) -> np.ndarray:
    """Freeze an array the recording owns, so a scene cannot change what the events describe."""
    array.setflags(write=False)
    return array


def _direct_weight(spec: ConvSpec, weight: np.ndarray) -> np.ndarray:
    """The kernel the direct equivalent applies: for transposed, swap in/out per group and flip."""
    if not spec.transposed:
        return weight
    groups, kernel = spec.groups, spec.kernel_size
    per_group = weight.reshape(groups, spec.in_channels // groups, spec.out_channels // groups, *kernel)
    swapped = per_group.swapaxes(1, 2).reshape(spec.out_channels, spec.in_channels // groups, *kernel)
    return np.ascontiguousarray(np.flip(swapped, axis=tuple(range(2, 2 + spec.dims))))


def _build_grid(direct: ConvSpec, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The batched grid the kernel slides over, and its (broadcast, read-only) mask.

    Zeros go between inputs first, then the border: cropped where the padding is negative (a
    transposed convolution with p > d(k-1)), padded with the padding mode's values elsewhere.
    """
    steps = tuple(slice(None, None, z + 1) for z in direct.insert_zeros)
    grown = tuple((i - 1) * (z + 1) + 1 for i, z in zip(direct.input_size, direct.insert_zeros))
    grid = np.zeros(x.shape[:2] + grown)
    grid[(Ellipsis,) + steps] = x
    mask = np.full(grown, INSERTED, dtype=np.int8)
    mask[steps] = INPUT
    pairs = direct.padding_pairs
    crop = tuple(slice(max(-before, 0), size - max(-after, 0)) for size, (before, after) in zip(grown, pairs))
    pads = [(max(before, 0), max(after, 0)) for before, after in pairs]
    inside = grid[(Ellipsis,) + crop]
    grid = np.pad(inside, [(0, 0), (0, 0), *pads], mode=_NUMPY_PAD_MODES[direct.padding_mode])  # type: ignore[call-overload]
    mask = np.pad(mask[crop], pads, constant_values=PADDING)
    return grid, np.broadcast_to(mask, grid.shape)


def _direct_output(direct: ConvSpec, grid: np.ndarray, weight: np.ndarray, bias: np.ndarray | None) -> np.ndarray:
    """The batched output: for every kernel tap, one grouped einsum of the strided grid slice it sees."""
    batch, groups = grid.shape[0], direct.groups
    in_per_group, out_per_group = direct.in_channels // groups, direct.out_channels // groups
    out_size = direct.output_size
    grouped_grid = grid.reshape(batch, groups, in_per_group, *grid.shape[2:])
    grouped_weight = weight.reshape(groups, out_per_group, in_per_group, *direct.kernel_size)
    output = np.zeros((batch, groups, out_per_group, *out_size))
    channels = (slice(None),) * 3
    for tap in np.ndindex(*direct.kernel_size):
        window = tuple(
            slice(t * d, t * d + s * (o - 1) + 1, s)
            for t, d, s, o in zip(tap, direct.dilation, direct.stride, out_size)
        )
        output += np.einsum("ngc...,goc->ngo...", grouped_grid[channels + window], grouped_weight[channels + tap])
    output = output.reshape(batch, direct.out_channels, *out_size)
    if bias is not None:
        output += bias.reshape(1, -1, *(1,) * direct.dims)
    return output


# --------------------------------------------------------------------------------- narration


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
