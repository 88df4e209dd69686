"""A convolution engine with PyTorch's semantics that records every step it takes.

The functions are named and ordered like ``torch.nn.functional`` and take numpy arrays shaped as
PyTorch's: batched ``(N, C, *spatial)`` or unbatched ``(C, *spatial)``; weight
``(C_out, C_in/groups, *k)``, transposed ``(C_in, C_out/groups, *k)``. Each returns a
:class:`Recording`: the output with PyTorch's shape and values, the grid the pictures show, and the
events a person would narrate (their types are in ``convanim.core.events``).

The output is computed at once with numpy (one einsum per kernel tap), so recording is cheap; the
events are narrated lazily by the :class:`Recording` (``convanim.core.recording``).

A transposed convolution is recorded as its equivalent direct convolution (zeros inserted between
inputs, border padding ``d(k-1)-p``, the kernel flipped with in/out channels swapped), because
that is what the pictures draw; ``.direct_weight`` is the kernel that direct convolution applies.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from convanim.checks import check_whole
from convanim.core.recording import INPUT, INSERTED, PADDING, TAP_KINDS, Recording
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
]

_NUMPY_PAD_MODES = {"zeros": "constant", "reflect": "reflect", "replicate": "edge", "circular": "wrap"}


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
    check_whole("groups", groups, 1)
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
    check_whole("groups", groups, 1)  # before it multiplies the weight's channel count
    spec = ConvSpec.create(
        x.shape[-dims:], w.shape[2:], stride=stride, padding=padding, dilation=dilation, groups=groups,
        in_channels=x.shape[-dims - 1], out_channels=w.shape[1] * groups, transposed=True,
        output_padding=output_padding, bias=bias is not None, dims=dims,
    )
    return _record(spec, x, w, bias)


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














