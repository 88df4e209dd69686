"""Pixel shuffle (depth to space) and pixel unshuffle (space to depth), with PyTorch's channel order.

``pixel_shuffle`` turns ``(*, C·r², H, W)`` into ``(*, C, H·r, W·r)``: output cell
``(c, h·r + i, w·r + j)`` comes from input channel ``c·r² + i·r + j`` at ``(h, w)``;
``pixel_unshuffle`` undoes it. Both are recorded: the same rearrangement applied to the input's
flat cell numbers says which input cell lands at each output cell, and the events say it cell by
cell, lazily, so a picture can draw every arrow without a second copy of PyTorch's rule.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np

from convanim.checks import check_whole
from convanim.core.events import CellMoved

__all__ = ["ShuffleRecording", "pixel_shuffle", "pixel_unshuffle"]

#: How many moves one chunk of events computes at once: bounds the memory of streaming them.
_MOVES_PER_CHUNK = 4096


@dataclass(frozen=True, eq=False)
class ShuffleRecording:
    """A pixel (un)shuffle computed and ready to be narrated. Arrays are read-only.

    ``sources`` has the output's shape and holds, per output cell, the flat (C-order) index of
    the input cell whose value it holds; ``upscale`` says which way the cells went.
    """

    input: np.ndarray
    output: np.ndarray
    sources: np.ndarray
    factor: int
    upscale: bool

    def source_of(self, out_index: tuple[int, ...]) -> tuple[int, ...]:
        """The input index whose value output cell ``out_index`` holds."""
        return tuple(int(i) for i in np.unravel_index(self.sources[out_index], self.input.shape))

    @property
    def events(self) -> Iterator[CellMoved]:
        """A new lazy iterator over every cell's move, in the output's C order."""
        return _moves(self)


def pixel_shuffle(input: Any, upscale_factor: int) -> ShuffleRecording:
    """``torch.nn.functional.pixel_shuffle``: ``(*, C·r², H, W)`` to ``(*, C, H·r, W·r)``."""
    x, r = _checked("pixel_shuffle", input, upscale_factor, "upscale_factor")
    if x.shape[-3] % (r * r):
        raise ValueError(f"pixel_shuffle expects its input's channel dimension to be divisible by the square of "
                         f"upscale_factor, but input.shape[-3]={x.shape[-3]} is not divisible by {r * r}")
    return _record(x, r, upscale=True)


def pixel_unshuffle(input: Any, downscale_factor: int) -> ShuffleRecording:
    """``torch.nn.functional.pixel_unshuffle``: ``(*, C, H·r, W·r)`` to ``(*, C·r², H, W)``."""
    x, r = _checked("pixel_unshuffle", input, downscale_factor, "downscale_factor")
    for axis, name in ((-2, "height"), (-1, "width")):
        if x.shape[axis] % r:
            raise ValueError(f"pixel_unshuffle expects {name} to be divisible by downscale_factor, but "
                             f"input.shape[{axis}]={x.shape[axis]} is not divisible by {r}")
    return _record(x, r, upscale=False)


def _checked(function: str, input: Any, factor: int, name: str) -> tuple[np.ndarray, int]:
    """A float64 copy of the input, which must have (*, C, H, W) dims, and the factor, a positive int."""
    x = np.array(input, dtype=np.float64)
    if x.ndim < 3:
        raise ValueError(f"{function} expects input to have at least 3 dimensions (*, C, H, W), "
                         f"but got shape {x.shape}")
    return x, check_whole(name, factor, 1)


def _record(x: np.ndarray, r: int, *, upscale: bool) -> ShuffleRecording:
    """Rearrange the values and the input's flat cell numbers alike, so the numbers say who went where."""
    move = _depth_to_space if upscale else _space_to_depth
    sources = move(np.arange(x.size).reshape(x.shape), r)
    output = x.reshape(-1)[sources]
    for array in (x, output, sources):
        array.setflags(write=False)
    return ShuffleRecording(input=x, output=output, sources=sources, factor=r, upscale=upscale)


def _depth_to_space(a: np.ndarray, r: int) -> np.ndarray:
    """(*, C·r², H, W) → (*, C, H·r, W·r), as PyTorch: split the channels into (C, r, r), interleave."""
    *lead, channels, height, width = a.shape
    n = len(lead)
    split = a.reshape(*lead, channels // (r * r), r, r, height, width)
    order = (*range(n), n, n + 3, n + 1, n + 4, n + 2)
    return np.ascontiguousarray(split.transpose(order)).reshape(*lead, channels // (r * r), height * r, width * r)


def _space_to_depth(a: np.ndarray, r: int) -> np.ndarray:
    """(*, C, H·r, W·r) → (*, C·r², H, W): the inverse of :func:`_depth_to_space`."""
    *lead, channels, height, width = a.shape
    n = len(lead)
    split = a.reshape(*lead, channels, height // r, r, width // r, r)
    order = (*range(n), n, n + 2, n + 4, n + 1, n + 3)
    return np.ascontiguousarray(split.transpose(order)).reshape(*lead, channels * r * r, height // r, width // r)


def _moves(recording: ShuffleRecording) -> Iterator[CellMoved]:
    """Every output cell's move, a chunk of cells at a time."""
    sources = recording.sources.reshape(-1)
    values = recording.output.reshape(-1)
    for start in range(0, sources.size, _MOVES_PER_CHUNK):
        flat = np.arange(start, min(start + _MOVES_PER_CHUNK, sources.size))
        targets = np.stack(np.unravel_index(flat, recording.output.shape), axis=1).tolist()
        origins = np.stack(np.unravel_index(sources[flat], recording.input.shape), axis=1).tolist()
        for origin, target, value in zip(origins, targets, values[flat].tolist()):
            yield CellMoved(tuple(origin), tuple(target), value)
