"""A computed pooling and its narration, in the style of ``convanim.core.recording``.

The output is computed at once (``convanim.core.pooling``); the events are a lazy generator built a
chunk of windows at a time, so streaming them holds no more than a chunk whatever their count.
Per output cell (batch, channel, then spatial in C order): window placed, values read, then the
maximum found or the mean written.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from convanim.core.events import (
    MaximumFound,
    MeanWritten,
    PaddingAdded,
    PoolEvent,
    PoolPlacement,
    ValuesRead,
    WindowCell,
    WindowPlaced,
)
from convanim.core.pool_spec import PoolSpec
from convanim.core.recording import INPUT, PADDING, TAP_KINDS

#: ``Recording.mask`` value of a cell past the padded input, which only ceil mode's last window covers.
BEYOND = len(TAP_KINDS)
#: ``WindowCell.kind`` for each mask value (a pooling grid has no inserted zeros).
POOL_CELL_KINDS = (*TAP_KINDS, "beyond")
_KIND_NAMES = np.array(POOL_CELL_KINDS, dtype=object)
#: How many window cells one chunk may hold: bounds the memory of streaming events.
_CELLS_PER_CHUNK = 2048

__all__ = ["BEYOND", "INPUT", "PADDING", "POOL_CELL_KINDS", "PoolRecording"]


@dataclass(frozen=True, eq=False)
class PoolRecording:
    """A pooling computed and ready to be narrated. Arrays are read-only.

    ``grid`` is the input with its padding and any ceil-mode overhang, holding −inf (max) or 0 (avg)
    there; ``mask`` has its shape and says per cell INPUT, PADDING or BEYOND. Max pooling fills
    ``indices`` (PyTorch's ``return_indices``) and ``winners`` (which window cell, in kernel C order,
    holds the maximum; −1 when none beat −inf); average pooling fills ``divisors``.
    """

    spec: PoolSpec
    input: np.ndarray
    output: np.ndarray
    grid: np.ndarray
    mask: np.ndarray
    indices: np.ndarray | None = None
    winners: np.ndarray | None = None
    divisors: np.ndarray | None = None

    @property
    def batched(self) -> bool:
        """Whether the arrays carry a leading batch axis (and indices a leading batch index)."""
        return self.input.ndim == self.spec.dims + 2

    @property
    def returned(self) -> np.ndarray | tuple[np.ndarray, np.ndarray]:
        """What ``torch.nn.functional`` returns: the output, or (output, indices) with ``return_indices``."""
        if self.spec.return_indices:
            assert self.indices is not None  # return_indices is for max pooling, which fills them
            return self.output, self.indices
        return self.output

    @property
    def events(self) -> Iterator[PoolEvent]:
        """A new lazy iterator over all events: the padding added (when there is any), then every window."""
        return _narrate(self)

    def placements(self) -> Iterator[PoolPlacement]:
        """(WindowPlaced, ValuesRead, MaximumFound or MeanWritten) per output cell, in narration order."""
        return _placements(self)


def _narrate(recording: PoolRecording) -> Iterator[PoolEvent]:
    padding = recording.mask == PADDING
    if padding.any():
        mode = "-inf" if recording.spec.kind == "max" else "zeros"
        yield PaddingAdded(cells=tuple(map(tuple, np.argwhere(padding).tolist())),
                           values=tuple(recording.grid[padding].tolist()), mode=mode)
    for placement in _placements(recording):
        yield from placement


def _placements(recording: PoolRecording) -> Iterator[PoolPlacement]:
    """Every window, batch by batch, channel by channel, a chunk of windows at a time."""
    spec = recording.spec
    offsets = np.array(list(np.ndindex(*spec.kernel_size)), dtype=np.int64).reshape(-1, spec.dims)
    offsets *= np.array(spec.dilation)
    batches = recording.input.shape[0] if recording.batched else 1
    positions = math.prod(spec.output_size)
    per_chunk = max(1, _CELLS_PER_CHUNK // len(offsets))
    for n in range(batches):
        for channel in range(spec.channels):
            prefix = (n, channel) if recording.batched else (channel,)
            for start in range(0, positions, per_chunk):
                flat = np.arange(start, min(start + per_chunk, positions))
                yield from _chunk(recording, prefix, offsets, flat)


def _chunk(recording: PoolRecording, prefix: tuple[int, ...], offsets: np.ndarray,
           flat: np.ndarray) -> Iterator[PoolPlacement]:
    """The placements of one chunk of windows of one channel (output positions ``flat``, C order)."""
    spec = recording.spec
    origin = np.stack(np.unravel_index(flat, spec.output_size), axis=1)
    spatial = np.moveaxis(origin[:, None, :] * np.array(spec.stride) + offsets, 2, 0)  # (dims, chunk, taps)
    where = (*(np.full(spatial.shape[1:], i) for i in prefix), *spatial)
    values = recording.grid[where].tolist()
    kinds = _KIND_NAMES[recording.mask[where]].tolist()
    cells = np.moveaxis(np.stack(where), 0, 2).tolist()  # (chunk, taps, index)
    for j, position in enumerate(origin.tolist()):
        out_index = (*prefix, *position)
        window = tuple(map(WindowCell, map(tuple, cells[j]), kinds[j]))
        read = tuple(values[j])
        yield WindowPlaced(out_index, window), ValuesRead(out_index, read), _result(recording, out_index, window, read)


def _result(recording: PoolRecording, out_index: tuple[int, ...], window: tuple[WindowCell, ...],
            values: tuple[float, ...]) -> MaximumFound | MeanWritten:
    """The last fact of a window: where its maximum is, or its sum (in cell order, as computed) and divisor."""
    value = float(recording.output[out_index])
    if recording.divisors is not None:
        return MeanWritten(out_index, sum(values), int(recording.divisors[out_index]), value)
    assert recording.indices is not None and recording.winners is not None  # filled for max pooling
    winner = int(recording.winners[out_index])
    return MaximumFound(out_index, value, None if winner < 0 else window[winner].grid_index,
                        int(recording.indices[out_index]))
