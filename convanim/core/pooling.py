"""Max and average pooling with PyTorch's semantics, recorded like a convolution.

The functions are named, ordered and defaulted like ``torch.nn.functional``'s ``max_pool*d`` and
``avg_pool*d`` (``avg_pool1d`` has no ``divisor_override``, as in PyTorch) and take numpy arrays
``(N, C, *spatial)`` or ``(C, *spatial)``. Each returns a
:class:`~convanim.core.pool_recording.PoolRecording`; its ``returned`` is what PyTorch returns.

The numbers follow PyTorch's CPU kernels, which define the cases the documentation leaves open:
a maximum is the first of equal values in window (C) order, a NaN wins (the last one), padding
and ceil mode's overhang never win; ``indices`` are flat indices into each input plane (volume).
A mean divides by the window's cells inside the padded input (``count_include_pad``, the
default), by its input cells only, or by ``divisor_override``; the cells ceil mode's last window
overhangs past the padding are never counted.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from convanim.core.engine import _checked, _read_only
from convanim.core.pool_recording import BEYOND, INPUT, PADDING, PoolRecording
from convanim.core.pool_spec import PoolSpec

__all__ = [
    "PoolRecording",
    "PoolSpec",
    "avg_pool1d",
    "avg_pool2d",
    "avg_pool3d",
    "max_pool1d",
    "max_pool2d",
    "max_pool3d",
    "run_pool",
]


# --------------------------------------------------------------------------------- public API


def max_pool1d(input: Any, kernel_size: Any, stride: Any = None, padding: Any = 0, dilation: Any = 1,
               ceil_mode: bool = False, return_indices: bool = False) -> PoolRecording:
    """1D max pooling as ``torch.nn.functional.max_pool1d``."""
    return _pool("max", 1, input, kernel_size, stride, padding, dilation=dilation, ceil_mode=ceil_mode,
                 return_indices=return_indices)


def max_pool2d(input: Any, kernel_size: Any, stride: Any = None, padding: Any = 0, dilation: Any = 1,
               ceil_mode: bool = False, return_indices: bool = False) -> PoolRecording:
    """2D max pooling as ``torch.nn.functional.max_pool2d``."""
    return _pool("max", 2, input, kernel_size, stride, padding, dilation=dilation, ceil_mode=ceil_mode,
                 return_indices=return_indices)


def max_pool3d(input: Any, kernel_size: Any, stride: Any = None, padding: Any = 0, dilation: Any = 1,
               ceil_mode: bool = False, return_indices: bool = False) -> PoolRecording:
    """3D max pooling as ``torch.nn.functional.max_pool3d``."""
    return _pool("max", 3, input, kernel_size, stride, padding, dilation=dilation, ceil_mode=ceil_mode,
                 return_indices=return_indices)


def avg_pool1d(input: Any, kernel_size: Any, stride: Any = None, padding: Any = 0, ceil_mode: bool = False,
               count_include_pad: bool = True) -> PoolRecording:
    """1D average pooling as ``torch.nn.functional.avg_pool1d``."""
    return _pool("avg", 1, input, kernel_size, stride, padding, ceil_mode=ceil_mode,
                 count_include_pad=count_include_pad)


def avg_pool2d(input: Any, kernel_size: Any, stride: Any = None, padding: Any = 0, ceil_mode: bool = False,
               count_include_pad: bool = True, divisor_override: int | None = None) -> PoolRecording:
    """2D average pooling as ``torch.nn.functional.avg_pool2d``."""
    return _pool("avg", 2, input, kernel_size, stride, padding, ceil_mode=ceil_mode,
                 count_include_pad=count_include_pad, divisor_override=divisor_override)


def avg_pool3d(input: Any, kernel_size: Any, stride: Any = None, padding: Any = 0, ceil_mode: bool = False,
               count_include_pad: bool = True, divisor_override: int | None = None) -> PoolRecording:
    """3D average pooling as ``torch.nn.functional.avg_pool3d``."""
    return _pool("avg", 3, input, kernel_size, stride, padding, ceil_mode=ceil_mode,
                 count_include_pad=count_include_pad, divisor_override=divisor_override)


def run_pool(spec: PoolSpec, input: Any = None, *, seed: int = 0, batched: bool = False) -> PoolRecording:
    """Record ``spec``, drawing the input (small integers 0..9, so a maximum is easy to read) when not given.

    ``batched`` adds a batch axis of 1 to a drawn input.
    """
    if input is None:
        batch = (1,) if batched else ()
        input = np.random.default_rng(seed).integers(0, 10, (*batch, spec.channels, *spec.input_size))
    return _record(spec, input)


# --------------------------------------------------------------------------------- recording


def _pool(kind: str, dims: int, input: Any, kernel_size: Any, stride: Any, padding: Any,
          **options: Any) -> PoolRecording:
    """Build the spec a call describes (sizes read off the input) and record it."""
    x = np.asarray(input, dtype=np.float64)
    if x.ndim not in (dims + 1, dims + 2):
        raise ValueError(f"input must have {dims + 1} (unbatched) or {dims + 2} (batched) dims (got shape {x.shape})")
    spec = PoolSpec.create(kind, x.shape[-dims:], kernel_size, stride=stride, padding=padding,
                           channels=x.shape[-dims - 1], dims=dims, **options)
    return _record(spec, x)


def _record(spec: PoolSpec, input: Any) -> PoolRecording:
    """Compute ``spec`` on the input and keep what the pictures and the events need."""
    x = _checked("input", input, (spec.channels, *spec.input_size), batchable=True)
    batched = x.ndim == spec.dims + 2
    grid, mask = _build_grid(spec, x if batched else x[None])
    views = [grid[(Ellipsis,) + _tap_window(spec, tap)] for tap in np.ndindex(*spec.kernel_size)]
    arrays: dict[str, np.ndarray] = {}
    if spec.kind == "max":
        arrays["output"], arrays["indices"], arrays["winners"] = _maximum(spec, views)
    else:
        arrays["divisors"] = np.broadcast_to(_divisors(spec), views[0].shape)
        arrays["output"] = sum(views[1:], start=views[0]) / arrays["divisors"]  # in cell order, as MeanWritten sums
    if not batched:
        grid, mask = grid[0], mask[0]
        arrays = {name: array[0] for name, array in arrays.items()}
    frozen = {name: _read_only(np.array(array)) for name, array in arrays.items()}
    return PoolRecording(spec=spec, input=_read_only(x), grid=_read_only(grid), mask=mask, **frozen)


def _build_grid(spec: PoolSpec, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The batched grid the windows cover (−inf or 0 outside the input), and its broadcast mask."""
    fill = -np.inf if spec.kind == "max" else 0.0
    grid = np.full((*x.shape[:2], *spec.grid_size), fill)
    inside = tuple(slice(p, p + i) for p, i in zip(spec.padding, spec.input_size))
    grid[(Ellipsis,) + inside] = x
    mask = np.full(spec.grid_size, BEYOND, dtype=np.int8)
    mask[tuple(slice(0, n) for n in spec.padded_size)] = PADDING
    mask[inside] = INPUT
    return grid, np.broadcast_to(mask, grid.shape)


def _tap_window(spec: PoolSpec, tap: tuple[int, ...]) -> tuple[slice, ...]:
    """The grid cells window cell ``tap`` covers, one per output position."""
    return tuple(slice(t * d, t * d + s * (o - 1) + 1, s)
                 for t, d, s, o in zip(tap, spec.dilation, spec.stride, spec.output_size))


def _maximum(spec: PoolSpec, views: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Maxima, PyTorch's flat indices and the winning window cell, cell by cell as PyTorch's kernel.

    A cell wins when it is greater than the best so far or NaN, so ties keep the first; the
    index starts where PyTorch's does, at the window's first in-range cell per dim.
    """
    best = np.full(views[0].shape, -np.inf)
    winners = np.full(views[0].shape, -1, dtype=np.int64)
    indices = np.broadcast_to(_flat_index(spec, _first_in_range(spec)), views[0].shape)
    for number, (tap, view) in enumerate(zip(np.ndindex(*spec.kernel_size), views)):
        better = (view > best) | np.isnan(view)
        best = np.where(better, view, best)
        winners = np.where(better, number, winners)
        indices = np.where(better, _flat_index(spec, _tap_positions(spec, tap)), indices)
    return best, indices, winners


def _tap_positions(spec: PoolSpec, tap: tuple[int, ...]) -> list[np.ndarray]:
    """Per dim, the input index window cell ``tap`` reads at each output position (negative in padding)."""
    return [np.arange(o) * s - p + t * d
            for o, s, p, t, d in zip(spec.output_size, spec.stride, spec.padding, tap, spec.dilation)]


def _first_in_range(spec: PoolSpec) -> list[np.ndarray]:
    """Per dim, each window's first cell at an index >= 0: where PyTorch's index starts before any win."""
    starts = _tap_positions(spec, (0,) * spec.dims)
    return [np.where(start < 0, start - d * (start // d), start) for start, d in zip(starts, spec.dilation)]


def _flat_index(spec: PoolSpec, positions: list[np.ndarray]) -> np.ndarray:
    """Flat indices into the input's spatial dims (C order), broadcast over the output positions."""
    strides = [math.prod(spec.input_size[axis + 1:]) for axis in range(spec.dims)]
    return sum((_along(axis, spec.dims, q) * step for axis, (q, step) in enumerate(zip(positions, strides))),
               start=np.zeros((1,) * spec.dims, dtype=np.int64))


def _divisors(spec: PoolSpec) -> np.ndarray:
    """Each window's divisor: ``divisor_override``, or its cells inside the padded input or inside the input."""
    if spec.divisor_override is not None:
        return np.full(spec.output_size, spec.divisor_override)
    counts = []
    for axis, (start, i, p, k) in enumerate(zip(_tap_positions(spec, (0,) * spec.dims), spec.input_size,
                                               spec.padding, spec.kernel_size)):
        end = np.minimum(start + k, i + p)
        count = end - start if spec.count_include_pad else np.minimum(end, i) - np.maximum(start, 0)
        counts.append(_along(axis, spec.dims, count))
    return math.prod(counts, start=np.ones((1,) * spec.dims, dtype=np.int64))


def _along(axis: int, dims: int, values: np.ndarray) -> np.ndarray:
    """A 1D array shaped to broadcast along spatial ``axis`` of a ``dims``-D array."""
    return values.reshape([-1 if a == axis else 1 for a in range(dims)])
